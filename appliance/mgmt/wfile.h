/* wfile.h - warrant files: signed by an issuer, sealed to one appliance; made and checked without I/O. */
#ifndef LT_WFILE_H
#define LT_WFILE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/*
 * file  = crypto_box_seal(inner, appliance box_pk)
 * inner = header || json || sig
 * header = "LTW1" | issuer_pk[32] | recipient_box_pk[32] | serial u64be |
 *          not_before i64be | not_after i64be (UTC seconds) | json_len u32be
 * sig   = crypto_sign_detached(header || json, issuer Ed25519 sk)
 */
#define LT_WFILE_HDR_LEN	96
#define LT_WFILE_SIG_LEN	64
#define LT_WFILE_SEAL_LEN	48	/* crypto_box_SEALBYTES */
#define LT_WFILE_MIN_LEN	(LT_WFILE_SEAL_LEN + LT_WFILE_HDR_LEN + LT_WFILE_SIG_LEN)
#define LT_WFILE_JSON_MAX	(1u << 20)
#define LT_WFILE_MAX_LEN	(LT_WFILE_MIN_LEN + LT_WFILE_JSON_MAX)

/* lt_wfile_open's failures, one per check, each with its own message. */
enum {
	LT_WFILE_ESYS = -1,		/* out of memory, or a callback failed */
	LT_WFILE_ESIZE = -2,		/* too short (truncated) or too long */
	LT_WFILE_EOPEN = -3,		/* not sealed to this appliance, or damaged */
	LT_WFILE_EFORMAT = -4,		/* bad magic, lengths or validity window inside */
	LT_WFILE_EISSUER = -5,		/* signer is not a pinned issuer */
	LT_WFILE_ESIG = -6,		/* signature does not verify */
	LT_WFILE_ERECIPIENT = -7,	/* addressed to another appliance */
	LT_WFILE_ENOTYET = -8,		/* before not_before */
	LT_WFILE_EEXPIRED = -9,		/* at or after not_after */
	LT_WFILE_EREPLAY = -10,		/* serial already imported */
	LT_WFILE_EJSON = -11,		/* the warrant is not a JSON object */
};

/* What the header says; filled as far as the file could be read. */
struct lt_wfile_info {
	int have;			/* 1 once the header was read */
	uint8_t issuer_pk[32];
	uint8_t recipient_pk[32];
	uint64_t serial;
	int64_t not_before, not_after;
};

/* The appliance's side: 1 yes, 0 no, < 0 failed (with a message in err). */
struct lt_wfile_checks {
	int (*pinned)(void *arg, const uint8_t issuer_pk[static 32], char *err, size_t errlen);
	int (*seen)(void *arg, const uint8_t issuer_pk[static 32], uint64_t serial, char *err,
	    size_t errlen);
	void *arg;
	int64_t now;			/* UTC seconds */
};

/*
 * Seals json (json_len bytes, not checked here) for recipient_pk, signed
 * with issuer_sk (64 bytes, libsodium's form).  *out is malloc'd.  0, or
 * -1 with a message: empty window, JSON too large, out of memory.
 */
int lt_wfile_seal(const char *json, size_t json_len, const uint8_t issuer_sk[static 64],
    const uint8_t recipient_pk[static 32], uint64_t serial, int64_t not_before,
    int64_t not_after, uint8_t **out, size_t *outlen, char *err, size_t errlen);

/*
 * Opens and checks a warrant file in this order: size, seal (box_pk/box_sk),
 * magic and lengths, pinned issuer, signature, recipient, window, serial,
 * JSON.  0 with *json (the caller's reference; an object) and *info, or an
 * LT_WFILE_E* with a message for the operator in err (it quotes nothing
 * from the warrant).  The warrant itself is not validated here.
 */
int lt_wfile_open(const uint8_t *buf, size_t len, const uint8_t box_pk[static 32],
    const uint8_t box_sk[static 32], const struct lt_wfile_checks *chk, json_t **json,
    struct lt_wfile_info *info, char *err, size_t errlen);

/* A short name of an LT_WFILE_E* code for audit records ("replay", "expired", ...). */
const char *lt_wfile_reason(int code);

#endif
