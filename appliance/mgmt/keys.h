/* keys.h - the store's key hierarchy: machine key, data key wrapped twice in keys.bin. */
#ifndef LT_KEYS_H
#define LT_KEYS_H

#include <stddef.h>
#include <stdint.h>

#define LT_KEY_LEN		32
#define LT_MACHINE_KEY_FILE	"machine.key"
#define LT_KEYS_FILE		"keys.bin"
#define LT_PASS_MIN		12	/* characters an officer passphrase needs */
#define LT_PASS_MAX		1024

/*
 * keys.bin: "LTKY" | version u32be (1) | DK under MK (secretbox: nonce 24,
 * box 48) | Argon2id salt 16 | opslimit u64be | memlimit u64be | DK under
 * the passphrase KEK (nonce 24, box 48).  All integers big-endian.
 */
#define LT_KEYS_BIN_LEN		184

/*
 * Makes this process unfit to leak keys: not dumpable (no core, no ptrace
 * by other users, /proc/PID/mem closed) and RLIMIT_CORE 0; initialises
 * libsodium.  0, or -1 with a message.
 */
int lt_harden_process(char *err, size_t errlen);

/* A passphrase the officer may choose: LT_PASS_MIN..LT_PASS_MAX bytes, no NUL. */
int lt_pass_ok(const char *pass, size_t len, char *err, size_t errlen);

/*
 * Creates machine.key (fresh MK) and keys.bin (fresh DK wrapped under MK and
 * under the passphrase) in dirfd, neither of which may exist yet; hands DK
 * back in dk (the caller's sodium_malloc'd LT_KEY_LEN bytes).
 * Argon2id costs MODERATE, or INTERACTIVE with LAWTAP_TEST_FAST_KDF=1.
 */
int lt_keys_create(int dirfd, const char *pass, size_t passlen, uint8_t *dk,
    char *err, size_t errlen);

/* Reads machine.key (exactly LT_KEY_LEN bytes, regular, 0600 or tighter) into mk. */
int lt_keys_load_machine(int dirfd, uint8_t *mk, char *err, size_t errlen);

/* DK from keys.bin, unwrapped with machine.key (unattended) or the passphrase. */
int lt_keys_unlock_machine(int dirfd, uint8_t *dk, char *err, size_t errlen);
int lt_keys_unlock_passphrase(int dirfd, const char *pass, size_t passlen,
    uint8_t *dk, char *err, size_t errlen);

/*
 * Re-wraps DK under a new passphrase (fresh salt and nonce) after the old one
 * unlocked it; the MK wrapping is kept as it is.  keys.bin is replaced
 * atomically.
 */
int lt_keys_passwd(int dirfd, const char *oldpass, size_t oldlen,
    const char *newpass, size_t newlen, char *err, size_t errlen);

#endif
