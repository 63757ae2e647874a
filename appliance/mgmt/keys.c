/* keys.c - machine key, data key and its two wrappings in keys.bin; process hardening. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "mgmt/keys.h"
#include "util/atomic.h"
#include "util/be.h"

#define BOX_LEN		(LT_KEY_LEN + crypto_secretbox_MACBYTES)
#define OFF_VERSION	4
#define OFF_MK_NONCE	8
#define OFF_MK_BOX	(OFF_MK_NONCE + crypto_secretbox_NONCEBYTES)
#define OFF_SALT	(OFF_MK_BOX + BOX_LEN)
#define OFF_OPS		(OFF_SALT + crypto_pwhash_SALTBYTES)
#define OFF_MEM		(OFF_OPS + 8)
#define OFF_PW_NONCE	(OFF_MEM + 8)
#define OFF_PW_BOX	(OFF_PW_NONCE + crypto_secretbox_NONCEBYTES)

_Static_assert(OFF_PW_BOX + BOX_LEN == LT_KEYS_BIN_LEN, "keys.bin layout");

int
lt_harden_process(char *err, size_t errlen)
{
	struct rlimit rl = { 0, 0 };

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		snprintf(err, errlen, "cannot make the process non-dumpable: %s",
		    strerror(errno));
		return -1;
	}
	if (setrlimit(RLIMIT_CORE, &rl) < 0) {
		snprintf(err, errlen, "cannot disable core files: %s", strerror(errno));
		return -1;
	}
	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium failed to initialise");
		return -1;
	}
	return 0;
}

int
lt_pass_ok(const char *pass, size_t len, char *err, size_t errlen)
{
	if (len < LT_PASS_MIN) {
		snprintf(err, errlen, "passphrase too short: it needs at least %d "
		    "characters", LT_PASS_MIN);
		return -1;
	}
	if (len > LT_PASS_MAX || memchr(pass, '\0', len) != NULL) {
		snprintf(err, errlen, "passphrase unusable: at most %d characters, "
		    "no NUL byte", LT_PASS_MAX);
		return -1;
	}
	return 0;
}

static void
kdf_costs(uint64_t *ops, uint64_t *mem)
{
	const char *fast = getenv("LAWTAP_TEST_FAST_KDF");

	if (fast != NULL && strcmp(fast, "1") == 0) {
		*ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
		*mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
	} else {
		*ops = crypto_pwhash_OPSLIMIT_MODERATE;
		*mem = crypto_pwhash_MEMLIMIT_MODERATE;
	}
}

/* Wraps (dk given) or unwraps dk with the KEK derived from pass and the salt/costs in kb. */
static int
pass_box(uint8_t kb[static LT_KEYS_BIN_LEN], const char *pass, size_t passlen,
    uint8_t *dk, int wrap, char *err, size_t errlen)
{
	uint64_t ops = lt_get_be(kb + OFF_OPS, 8), mem = lt_get_be(kb + OFF_MEM, 8);
	uint8_t *kek;
	int rc = -1;

	if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > crypto_pwhash_OPSLIMIT_SENSITIVE ||
	    mem < crypto_pwhash_MEMLIMIT_MIN || mem > crypto_pwhash_MEMLIMIT_SENSITIVE) {
		snprintf(err, errlen, "%s is damaged: its Argon2id costs are out of "
		    "range", LT_KEYS_FILE);
		return -1;
	}
	if ((kek = sodium_malloc(LT_KEY_LEN)) == NULL) {
		snprintf(err, errlen, "out of memory for a key");
		return -1;
	}
	if (crypto_pwhash(kek, LT_KEY_LEN, pass, passlen, kb + OFF_SALT, ops,
	    (size_t)mem, crypto_pwhash_ALG_ARGON2ID13) != 0) {
		snprintf(err, errlen, "Argon2id failed (out of memory? it needs "
		    "%llu MiB)", (unsigned long long)(mem >> 20));
		goto out;
	}
	if (wrap) {
		randombytes_buf(kb + OFF_PW_NONCE, crypto_secretbox_NONCEBYTES);
		crypto_secretbox_easy(kb + OFF_PW_BOX, dk, LT_KEY_LEN,
		    kb + OFF_PW_NONCE, kek);
	} else if (crypto_secretbox_open_easy(dk, kb + OFF_PW_BOX, BOX_LEN,
	    kb + OFF_PW_NONCE, kek) != 0) {
		snprintf(err, errlen, "wrong passphrase (or %s is damaged)",
		    LT_KEYS_FILE);
		goto out;
	}
	rc = 0;
out:
	sodium_free(kek);
	return rc;
}

/* Reads exactly want bytes of a regular file name into buf. */
static int
read_exact(int dirfd, const char *name, uint8_t *buf, size_t want,
    int private, char *err, size_t errlen)
{
	struct stat st;
	ssize_t r;
	size_t got = 0;
	int fd;

	if ((fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot open %s: %s%s", name, strerror(errno),
		    errno == ENOENT ? " (run lawtap store init first?)" : "");
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s is not a regular file", name);
		goto fail;
	}
	if (private && (st.st_mode & 077) != 0) {
		snprintf(err, errlen, "%s is readable by group or others: refused "
		    "(chmod 600 it, and treat the key as exposed)", name);
		goto fail;
	}
	if ((uint64_t)st.st_size != want) {
		snprintf(err, errlen, "%s is damaged: %lld bytes, expected %zu", name,
		    (long long)st.st_size, want);
		goto fail;
	}
	while (got < want) {
		if ((r = read(fd, buf + got, want - got)) < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(err, errlen, "cannot read %s: %s", name,
			    r < 0 ? strerror(errno) : "file shrank while read");
			goto fail;
		}
		got += (size_t)r;
	}
	close(fd);
	return 0;
fail:
	close(fd);
	return -1;
}

static int
read_keys_bin(int dirfd, uint8_t kb[static LT_KEYS_BIN_LEN], char *err,
    size_t errlen)
{
	if (read_exact(dirfd, LT_KEYS_FILE, kb, LT_KEYS_BIN_LEN, 0, err, errlen) < 0)
		return -1;
	if (memcmp(kb, "LTKY", 4) != 0) {
		snprintf(err, errlen, "%s is not a lawtap key file (bad magic)",
		    LT_KEYS_FILE);
		return -1;
	}
	if (kb[4] != 0 || kb[5] != 0 || kb[6] != 0 || kb[7] != 1) {
		snprintf(err, errlen, "%s has an unknown version; this lawtap reads "
		    "version 1", LT_KEYS_FILE);
		return -1;
	}
	return 0;
}

int
lt_keys_load_machine(int dirfd, uint8_t *mk, char *err, size_t errlen)
{
	return read_exact(dirfd, LT_MACHINE_KEY_FILE, mk, LT_KEY_LEN, 1, err, errlen);
}

int
lt_keys_create(int dirfd, const char *pass, size_t passlen, uint8_t *dk,
    char *err, size_t errlen)
{
	uint8_t kb[LT_KEYS_BIN_LEN], *mk;
	uint64_t ops, mem;
	struct stat st;
	int rc = -1;

	if (lt_pass_ok(pass, passlen, err, errlen) < 0)
		return -1;
	if (fstatat(dirfd, LT_MACHINE_KEY_FILE, &st, AT_SYMLINK_NOFOLLOW) == 0 ||
	    fstatat(dirfd, LT_KEYS_FILE, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		snprintf(err, errlen, "keys exist already: not overwritten");
		return -1;
	}
	if ((mk = sodium_malloc(LT_KEY_LEN)) == NULL) {
		snprintf(err, errlen, "out of memory for a key");
		return -1;
	}
	randombytes_buf(mk, LT_KEY_LEN);
	randombytes_buf(dk, LT_KEY_LEN);
	memcpy(kb, "LTKY\0\0\0\1", 8);	/* magic, version u32be 1 */
	randombytes_buf(kb + OFF_MK_NONCE, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(kb + OFF_MK_BOX, dk, LT_KEY_LEN, kb + OFF_MK_NONCE, mk);
	randombytes_buf(kb + OFF_SALT, crypto_pwhash_SALTBYTES);
	kdf_costs(&ops, &mem);
	lt_put_be(kb + OFF_OPS, ops, 8);
	lt_put_be(kb + OFF_MEM, mem, 8);
	if (pass_box(kb, pass, passlen, dk, 1, err, errlen) < 0)
		goto out;
	if (lt_atomic_write(dirfd, LT_MACHINE_KEY_FILE, mk, LT_KEY_LEN, err,
	    errlen) < 0 ||
	    lt_atomic_write(dirfd, LT_KEYS_FILE, kb, sizeof(kb), err, errlen) < 0)
		goto out;
	rc = 0;
out:
	sodium_free(mk);
	return rc;
}

int
lt_keys_unlock_machine(int dirfd, uint8_t *dk, char *err, size_t errlen)
{
	uint8_t kb[LT_KEYS_BIN_LEN], *mk;
	int rc = -1;

	if (read_keys_bin(dirfd, kb, err, errlen) < 0)
		return -1;
	if ((mk = sodium_malloc(LT_KEY_LEN)) == NULL) {
		snprintf(err, errlen, "out of memory for a key");
		return -1;
	}
	if (lt_keys_load_machine(dirfd, mk, err, errlen) < 0)
		goto out;
	if (crypto_secretbox_open_easy(dk, kb + OFF_MK_BOX, BOX_LEN,
	    kb + OFF_MK_NONCE, mk) != 0) {
		snprintf(err, errlen, "%s does not unwrap the data key in %s: wrong "
		    "machine key, or %s is damaged (the officer's passphrase can "
		    "still open the store)", LT_MACHINE_KEY_FILE, LT_KEYS_FILE,
		    LT_KEYS_FILE);
		goto out;
	}
	rc = 0;
out:
	sodium_free(mk);
	return rc;
}

int
lt_keys_unlock_passphrase(int dirfd, const char *pass, size_t passlen,
    uint8_t *dk, char *err, size_t errlen)
{
	uint8_t kb[LT_KEYS_BIN_LEN];

	if (read_keys_bin(dirfd, kb, err, errlen) < 0)
		return -1;
	return pass_box(kb, pass, passlen, dk, 0, err, errlen);
}

int
lt_keys_passwd(int dirfd, const char *oldpass, size_t oldlen,
    const char *newpass, size_t newlen, char *err, size_t errlen)
{
	uint8_t kb[LT_KEYS_BIN_LEN], *dk;
	uint64_t ops, mem;
	int rc = -1;

	if (lt_pass_ok(newpass, newlen, err, errlen) < 0)
		return -1;
	if (read_keys_bin(dirfd, kb, err, errlen) < 0)
		return -1;
	if ((dk = sodium_malloc(LT_KEY_LEN)) == NULL) {
		snprintf(err, errlen, "out of memory for a key");
		return -1;
	}
	if (pass_box(kb, oldpass, oldlen, dk, 0, err, errlen) < 0)
		goto out;
	randombytes_buf(kb + OFF_SALT, crypto_pwhash_SALTBYTES);
	kdf_costs(&ops, &mem);
	lt_put_be(kb + OFF_OPS, ops, 8);
	lt_put_be(kb + OFF_MEM, mem, 8);
	if (pass_box(kb, newpass, newlen, dk, 1, err, errlen) < 0)
		goto out;
	rc = lt_atomic_write(dirfd, LT_KEYS_FILE, kb, sizeof(kb), err, errlen);
out:
	sodium_free(dk);
	return rc < 0 ? -1 : 0;
}
