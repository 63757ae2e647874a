/* store.h - the encrypted warrant store: one JSON document per generation in store.bin. */
#ifndef LT_STORE_H
#define LT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "mgmt/keys.h"

#define LT_STORE_FILE		"store.bin"
#define LT_PUB_FILE		"appliance.pub"
#define LT_STORE_HASH_LEN	32	/* BLAKE2b-256 of the whole store.bin */
/* "LTST" | version u32be (1) | generation u64be | prev_hash[32] */
#define LT_STORE_HDR_LEN	48
#define LT_STORE_NONCE_LEN	24
#define LT_STORE_MIN_LEN	(LT_STORE_HDR_LEN + LT_STORE_NONCE_LEN + 16)
#define LT_STORE_MAX_LEN	(64u << 20)

struct lt_store;

/* What the audit log last recorded of a commit; present 0 when there is no audit log yet. */
struct lt_commit_rec {
	int present;
	uint64_t generation;
	uint8_t hash[LT_STORE_HASH_LEN];
};

struct lt_store_hdr {
	uint64_t generation;
	uint8_t prev_hash[LT_STORE_HASH_LEN];
};

/*
 * Makes a new state in dir (created 0700 if missing): machine.key, keys.bin,
 * store.bin generation 1 with fresh X25519 and Ed25519 appliance key pairs,
 * and appliance.pub.  Refuses if any of those files exists.
 */
int lt_store_init(const char *dir, const char *pass, size_t passlen,
    char *err, size_t errlen);

/*
 * Opens the store with the machine key (unattended boot) or the officer's
 * passphrase.  last is the audit log's last commit record (NULL = none): a
 * store older than it, or of its generation with another hash, is refused;
 * one generation newer is accepted only if it chains onto it (a commit whose
 * audit record was lost to a crash), and *audit_behind is then set to 1.
 * audit_behind may be NULL.
 */
int lt_store_open(const char *dir, const struct lt_commit_rec *last,
    int *audit_behind, struct lt_store **out, char *err, size_t errlen);
int lt_store_unlock_officer(const char *dir, const char *pass, size_t passlen,
    const struct lt_commit_rec *last, int *audit_behind, struct lt_store **out,
    char *err, size_t errlen);

/* The current document (borrowed: do not change it; json_deep_copy to edit). */
const json_t *lt_store_doc(const struct lt_store *st);
/* The record of the current generation: what the audit log must hold after a commit. */
void lt_store_current(const struct lt_store *st, struct lt_commit_rec *out);

/*
 * Writes doc as the next generation (its "generation" member is set to it in
 * the store's own copy; doc itself is not changed), atomically, with
 * prev_hash = the hash of the current store.bin.  Refused if store.bin was
 * changed by someone else since it was opened.  On success *done (if not
 * NULL) holds the new record for the audit log.  After a failure that may
 * have left the new file in place the handle refuses further commits:
 * close and reopen it.
 */
int lt_store_commit(struct lt_store *st, const json_t *doc,
    struct lt_commit_rec *done, char *err, size_t errlen);

/* Hex member name of doc.appliance ("box_sk", "sign_sk", ...) decoded into out[len]. */
int lt_store_appliance_key(const struct lt_store *st, const char *name,
    uint8_t *out, size_t len, char *err, size_t errlen);

void lt_store_close(struct lt_store *st);

/* Re-wraps the data key under a new passphrase (the old one must open it). */
int lt_store_passwd(const char *dir, const char *oldpass, size_t oldlen,
    const char *newpass, size_t newlen, char *err, size_t errlen);

/*
 * The parser of store.bin bytes (no I/O): header, decryption with dk and
 * the document's shape.  0 with *hdr and *doc (the caller's reference), or
 * -1 with a message and nothing returned.
 */
int lt_store_parse(const uint8_t *buf, size_t len, const uint8_t *dk,
    struct lt_store_hdr *hdr, json_t **doc, char *err, size_t errlen);
/* The inverse: a sodium_malloc'd store.bin image of doc in *out (free with sodium_free). */
int lt_store_seal(const struct lt_store_hdr *hdr, const json_t *doc,
    const uint8_t *dk, uint8_t **out, size_t *outlen, char *err, size_t errlen);

#endif
