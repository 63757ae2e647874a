/* pdujson.h - one decoded PS-PDU as one JSON line (doc/lemf-jsonl.md). */
#ifndef LT_LEMF_PDUJSON_H
#define LT_LEMF_PDUJSON_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "etsi/decode.h"

/* Where a PDU came from: listen address ("file" for decode), connection, byte offset. */
struct pdu_origin {
	const char *listen;
	unsigned conn;
	uint64_t offset;
};

/* NULL when out of memory. */
json_t *pdujson_pdu(const struct pdu_origin *o, const struct etsi_pdu *p);
json_t *pdujson_error(const struct pdu_origin *o, const char *err);

/* Writes j as one ASCII line and releases it; 0, or -1 on a write error. */
int pdujson_write(FILE *f, json_t *j);

/* "2026-11-22T03:00:00.123456Z"; "" if the time cannot be represented. */
void pdujson_time(const struct etsi_time *t, char out[static 32]);

#endif
