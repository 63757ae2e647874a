/* sink.h - where the LEMF and decode put each PDU: a JSON line and the sequence accounting. */
#ifndef LT_LEMF_SINK_H
#define LT_LEMF_SINK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "etsi/decode.h"
#include "lemf/integrity.h"
#include "lemf/pdujson.h"
#include "lemf/seqtrack.h"

struct lemf_sink {
	FILE *out;		/* JSON lines */
	struct seqtrack *st;
	struct integrity *ic;	/* integrityCheck TRIs checked against what arrived */
	uint64_t pdus;		/* decoded */
	uint64_t errors;	/* ERROR lines */
	int write_failed;	/* out could not be written; reported once */
};

/* 0, or -1 if out of memory.  key: the integrity signer's public key, or NULL. */
int lemf_sink_init(struct lemf_sink *s, FILE *out);
int lemf_sink_init_key(struct lemf_sink *s, FILE *out, const uint8_t *key);
void lemf_sink_free(struct lemf_sink *s);

/*
 * Decodes one framed PDU into *p and writes its line; 0, or -1 after writing
 * an ERROR line instead (err holds the reason).
 */
int lemf_sink_pdu(struct lemf_sink *s, const struct pdu_origin *o,
    const uint8_t *pdu, size_t len, struct etsi_pdu *p,
    char *err, size_t errlen);

/* Writes an ERROR line and counts it. */
void lemf_sink_error(struct lemf_sink *s, const struct pdu_origin *o,
    const char *err);

/*
 * The summary (doc/lemf-jsonl.md) and the exit status it implies: 1 if any
 * stream has a gap or any PDU was in error or the output failed, else 0.
 */
int lemf_sink_summary(struct lemf_sink *s, FILE *f);

#endif
