/* integrity.h - the LEMF's check of integrityCheck TRIs against the PDUs it received. */
#ifndef LT_LEMF_INTEGRITY_H
#define LT_LEMF_INTEGRITY_H

#include <stddef.h>
#include <stdint.h>

#include "etsi/decode.h"

#define INTEGRITY_KEEP		4096	/* PDU hashes kept per stream; older ones are forgotten */
#define INTEGRITY_KEY_LEN	32	/* Ed25519 public key */

enum integrity_result {
	INTEGRITY_OK,
	INTEGRITY_MISMATCH,
	INTEGRITY_INCOMPLETE,	/* a listed PDU was never received or is forgotten */
	INTEGRITY_SKIPPED,	/* not a check, or a signature without a key */
};

struct integrity_counts {
	uint64_t ok, mismatch, incomplete, skipped;
};

struct integrity;

/* key: the signer's Ed25519 public key, or NULL to leave signatures unchecked. NULL on failure. */
struct integrity *integrity_new(const uint8_t *key);
void integrity_free(struct integrity *ic);

/* The key as 64 hex digits: 0, or -1 if it is anything else. */
int integrity_parse_key(const char *hex, uint8_t key[static INTEGRITY_KEY_LEN]);

/*
 * Feeds one decoded PDU and its whole DER encoding.  IRI and CC PDUs are
 * remembered; an integrityCheck TRI is checked and its result returned (and
 * counted); everything else is INTEGRITY_SKIPPED.  -1 when out of memory.
 */
int integrity_pdu(struct integrity *ic, const struct etsi_pdu *p,
    const uint8_t *der, size_t len);

const char *integrity_result_name(int r);	/* "ok", "mismatch", "incomplete"; NULL */
struct integrity_counts integrity_counts(const struct integrity *ic);

#endif
