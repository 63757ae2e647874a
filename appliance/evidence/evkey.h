/* evkey.h - the appliance's Ed25519 evidence key pair: make it, load it (secret in sodium memory). */
#ifndef LT_EV_KEY_H
#define LT_EV_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "evidence/manifest.h"

#define EV_KEY_SECRET	"evidence.key"	/* 0600: 128 hex digits and '\n' */
#define EV_KEY_PUBLIC	"evidence.pub"	/* 0644: 64 hex digits and '\n' */

/*
 * Makes a new key pair in dir as EV_KEY_SECRET and EV_KEY_PUBLIC; refuses
 * if either exists.  Writes the public key's hex into pk_hex.  Returns 0,
 * or -1 with a message in err.
 */
int ev_key_generate(const char *dir, char pk_hex[static 2 * EV_PK_LEN + 1],
    char *err, size_t errlen);

/*
 * Loads a secret key file: a regular file no one but its owner may read
 * (else refused: chmod 600).  *sk is EV_SK_LEN bytes of read-only
 * sodium_malloc memory; free it with ev_key_free.  Returns 0 or -1 + err.
 */
int ev_key_load_secret(const char *path, uint8_t **sk, char *err, size_t errlen);
void ev_key_free(uint8_t *sk);

/* Loads a public key file.  Returns 0 or -1 + err. */
int ev_key_load_public(const char *path, uint8_t pk[static EV_PK_LEN],
    char *err, size_t errlen);

/* Writes a public key file (0644, O_EXCL) and fsyncs it; 0 or -1 + err. */
int ev_key_write_public(int dirfd, const char *name,
    const uint8_t pk[static EV_PK_LEN], char *err, size_t errlen);

#endif
