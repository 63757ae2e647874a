/* evkey.c - the appliance's Ed25519 evidence key pair: make it, load it (secret in sodium memory). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "evidence/evkey.h"
#include "util/io.h"

/* Creates name in dirfd with mode, writes hex + '\n', fsyncs. */
static int
write_hex_file(int dirfd, const char *name, mode_t mode, const uint8_t *bin,
    size_t n, char *err, size_t errlen)
{
	char *hex;
	int fd, rc = -1;

	if ((hex = sodium_malloc(2 * n + 2)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	sodium_bin2hex(hex, 2 * n + 1, bin, n);
	hex[2 * n] = '\n';
	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s%s", name, strerror(errno),
		    errno == EEXIST ? " (a key is there already: not replaced)" : "");
		goto out;
	}
	if (fchmod(fd, mode) < 0 || lt_write_all(fd, hex, 2 * n + 1) < 0 ||
	    fsync(fd) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", name, strerror(errno));
		close(fd);
		unlinkat(dirfd, name, 0);
		goto out;
	}
	rc = close(fd);
	if (rc < 0)
		snprintf(err, errlen, "cannot write %s: %s", name, strerror(errno));
out:
	sodium_free(hex);
	return rc;
}

int
ev_key_write_public(int dirfd, const char *name, const uint8_t pk[static EV_PK_LEN],
    char *err, size_t errlen)
{
	return write_hex_file(dirfd, name, 0644, pk, EV_PK_LEN, err, errlen);
}

int
ev_key_generate(const char *dir, char pk_hex[static 2 * EV_PK_LEN + 1],
    char *err, size_t errlen)
{
	uint8_t pk[EV_PK_LEN], *sk;
	struct stat st;
	int dirfd, rc = -1;

	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium failed to initialise");
		return -1;
	}
	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot open directory %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	if (fstatat(dirfd, EV_KEY_PUBLIC, &st, AT_SYMLINK_NOFOLLOW) == 0 ||
	    fstatat(dirfd, EV_KEY_SECRET, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		snprintf(err, errlen, "%s already holds an evidence key: not "
		    "replaced (move it away first if you mean to)", dir);
		close(dirfd);
		return -1;
	}
	if ((sk = sodium_malloc(EV_SK_LEN)) == NULL) {
		snprintf(err, errlen, "out of memory");
		close(dirfd);
		return -1;
	}
	crypto_sign_keypair(pk, sk);
	if (write_hex_file(dirfd, EV_KEY_SECRET, 0600, sk, EV_SK_LEN, err,
	    errlen) < 0)
		goto out;
	if (write_hex_file(dirfd, EV_KEY_PUBLIC, 0644, pk, EV_PK_LEN, err,
	    errlen) < 0) {
		unlinkat(dirfd, EV_KEY_SECRET, 0);
		goto out;
	}
	if (fsync(dirfd) < 0) {
		snprintf(err, errlen, "cannot sync %s: %s", dir, strerror(errno));
		goto out;
	}
	sodium_bin2hex(pk_hex, 2 * EV_PK_LEN + 1, pk, EV_PK_LEN);
	rc = 0;
out:
	sodium_free(sk);
	close(dirfd);
	return rc;
}

/* Reads exactly n bytes of lower-case hex and a '\n' from path into out. */
static int
read_hex_file(const char *path, int secret, uint8_t *out, size_t n, char *err,
    size_t errlen)
{
	size_t want = 2 * n + 1, got = 0, binlen;
	struct stat st;
	char *buf;
	ssize_t r;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot open key file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "key file %s is not a regular file", path);
		close(fd);
		return -1;
	}
	if (secret && (st.st_mode & 077) != 0) {
		snprintf(err, errlen, "secret key file %s may be read by others: "
		    "refused (chmod 600 it, and consider the key exposed)", path);
		close(fd);
		return -1;
	}
	if ((buf = sodium_malloc(want + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return -1;
	}
	while (got <= want) {
		r = read(fd, buf + got, want + 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got != want || buf[2 * n] != '\n' ||
	    sodium_hex2bin(out, n, buf, 2 * n, NULL, &binlen, NULL) != 0 ||
	    binlen != n)
		snprintf(err, errlen, "key file %s is not %zu hex digits and a "
		    "newline", path, 2 * n);
	else
		rc = 0;
	sodium_memzero(buf, want + 1);
	sodium_free(buf);
	close(fd);
	return rc;
}

int
ev_key_load_secret(const char *path, uint8_t **skp, char *err, size_t errlen)
{
	uint8_t pk[EV_PK_LEN], *sk, *chk;

	*skp = NULL;
	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium failed to initialise");
		return -1;
	}
	sk = sodium_malloc(EV_SK_LEN);
	chk = sodium_malloc(EV_SK_LEN);
	if (sk == NULL || chk == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (read_hex_file(path, 1, sk, EV_SK_LEN, err, errlen) < 0)
		goto fail;
	/* the second half must be the public key of the first */
	crypto_sign_seed_keypair(pk, chk, sk);
	if (sodium_memcmp(chk, sk, EV_SK_LEN) != 0) {
		snprintf(err, errlen, "secret key file %s is damaged (its public "
		    "half does not match its seed)", path);
		goto fail;
	}
	sodium_free(chk);
	sodium_mprotect_readonly(sk);
	*skp = sk;
	return 0;
fail:
	if (sk != NULL)
		sodium_free(sk);
	if (chk != NULL)
		sodium_free(chk);
	return -1;
}

void
ev_key_free(uint8_t *sk)
{
	if (sk != NULL)
		sodium_free(sk);
}

int
ev_key_load_public(const char *path, uint8_t pk[static EV_PK_LEN], char *err,
    size_t errlen)
{
	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium failed to initialise");
		return -1;
	}
	return read_hex_file(path, 0, pk, EV_PK_LEN, err, errlen);
}
