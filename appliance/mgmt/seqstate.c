/* seqstate.c - the sealed seq.bin: per warrant, where its sequences and session CINs stand. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "mgmt/keys.h"
#include "mgmt/seqstate.h"
#include "util/atomic.h"
#include "util/be.h"

#define MAGIC		"LTSEQ001"
#define NONCE_LEN	crypto_secretbox_NONCEBYTES
#define MAC_LEN		crypto_secretbox_MACBYTES
#define HEAD_LEN	(8 + NONCE_LEN)
#define ENTRY_MAX	(1 + LT_LIID_MAX + 1 + 4 * 4)
#define KDF_CTX		"ltseq__1"

int
lt_seqstate_key(const char *dir, uint8_t key[static 32], char *err, size_t errlen)
{
	uint8_t *dk = sodium_malloc(LT_KEY_LEN);
	int dirfd, r = -1;

	if (dk == NULL) {
		snprintf(err, errlen, "sequence state: out of memory");
		return -1;
	}
	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s: cannot open the state directory: %s", dir,
		    strerror(errno));
	} else if (lt_keys_unlock_machine(dirfd, dk, err, errlen) == 0) {
		crypto_kdf_derive_from_key(key, 32, 2, KDF_CTX, dk);
		r = 0;
	}
	if (dirfd >= 0)
		close(dirfd);
	sodium_free(dk);
	return r;
}

int
lt_seqstate_alloc(struct lt_seqstate *ss, uint32_t cap)
{
	ss->n = 0;
	ss->e = sodium_allocarray(cap ? cap : 1, sizeof(*ss->e));
	return ss->e == NULL ? -1 : 0;
}

void
lt_seqstate_free(struct lt_seqstate *ss)
{
	sodium_free(ss->e);
	ss->e = NULL;
	ss->n = 0;
}

const struct lt_seq_entry *
lt_seqstate_find(const struct lt_seqstate *ss, const char *liid, size_t liid_len, uint32_t cin)
{
	for (uint32_t i = 0; i < ss->n; i++)
		if (ss->e[i].cin == cin && ss->e[i].liid_len == liid_len &&
		    memcmp(ss->e[i].liid, liid, liid_len) == 0)
			return &ss->e[i];
	return NULL;
}

/* The plaintext: clean u8 | n u32 | n x (liid_len u8, liid, iri_state u8, cin, cc, iri, next_cin u32). */
static size_t
encode(const struct lt_seqstate *ss, uint8_t *p)
{
	uint8_t *s = p;

	*p++ = ss->clean;
	lt_put_be(p, ss->n, 4);
	p += 4;
	for (uint32_t i = 0; i < ss->n; i++) {
		const struct lt_seq_entry *e = &ss->e[i];

		*p++ = e->liid_len;
		memcpy(p, e->liid, e->liid_len);
		p += e->liid_len;
		*p++ = e->iri_state;
		lt_put_be(p, e->cin, 4);
		lt_put_be(p + 4, e->cc_seq, 4);
		lt_put_be(p + 8, e->iri_seq, 4);
		lt_put_be(p + 12, e->next_cin, 4);
		p += 16;
	}
	return (size_t)(p - s);
}

static int
decode(struct lt_seqstate *ss, const uint8_t *p, size_t len, char *err, size_t errlen)
{
	const uint8_t *end = p + len;
	uint32_t n;
	bool clean;

	if (len < 5 || p[0] > 1)
		goto bad;
	clean = p[0] == 1;
	n = (uint32_t)lt_get_be(p + 1, 4);
	p += 5;
	if (n > LT_SEQSTATE_MAX || lt_seqstate_alloc(ss, n) < 0)
		goto bad;
	ss->clean = clean;
	for (uint32_t i = 0; i < n; i++) {
		struct lt_seq_entry *e = &ss->e[i];

		if (end - p < 1 || p[0] == 0 || p[0] > LT_LIID_MAX || end - p < 1 + p[0] + 17)
			goto bad;
		e->liid_len = *p++;
		memcpy(e->liid, p, e->liid_len);
		e->liid[e->liid_len] = '\0';
		p += e->liid_len;
		e->iri_state = *p++;
		e->cin = (uint32_t)lt_get_be(p, 4);
		e->cc_seq = (uint32_t)lt_get_be(p + 4, 4);
		e->iri_seq = (uint32_t)lt_get_be(p + 8, 4);
		e->next_cin = (uint32_t)lt_get_be(p + 12, 4);
		p += 16;
		if (e->iri_state > 2)
			goto bad;
		ss->n++;
	}
	if (p != end)
		goto bad;
	return 0;
bad:
	lt_seqstate_free(ss);
	snprintf(err, errlen, LT_SEQSTATE_FILE ": malformed contents; move it away to "
	    "start every sequence again with a cINReset");
	return -1;
}

int
lt_seqstate_load(const char *dir, const uint8_t key[static 32], struct lt_seqstate *ss,
    char *err, size_t errlen)
{
	uint8_t *buf = NULL, *plain = NULL;
	char path[4096];
	struct stat sb;
	size_t len;
	int fd, r = -1;

	ss->clean = true;
	ss->n = 0;
	ss->e = NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, LT_SEQSTATE_FILE);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		if (errno == ENOENT)
			return lt_seqstate_alloc(ss, 1) == 0 ? 0 : -1;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_size < (off_t)(HEAD_LEN + MAC_LEN + 5) ||
	    sb.st_size > (off_t)(HEAD_LEN + MAC_LEN + 5 + (size_t)LT_SEQSTATE_MAX * ENTRY_MAX)) {
		snprintf(err, errlen, "%s: not a sequence state file (size)", path);
		goto out;
	}
	len = (size_t)sb.st_size;
	if ((buf = sodium_malloc(len)) == NULL || (plain = sodium_malloc(len)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	if (read(fd, buf, len) != (ssize_t)len) {
		snprintf(err, errlen, "%s: short read", path);
		goto out;
	}
	if (memcmp(buf, MAGIC, 8) != 0) {
		snprintf(err, errlen, "%s: not a sequence state file (magic)", path);
		goto out;
	}
	if (crypto_secretbox_open_easy(plain, buf + HEAD_LEN, len - HEAD_LEN, buf + 8, key) != 0) {
		snprintf(err, errlen, "%s: does not open with this appliance's key (damaged, "
		    "or from another appliance)", path);
		goto out;
	}
	r = decode(ss, plain, len - HEAD_LEN - MAC_LEN, err, errlen);
out:
	close(fd);
	sodium_free(buf);
	sodium_free(plain);
	return r;
}

int
lt_seqstate_save(const char *dir, const uint8_t key[static 32], const struct lt_seqstate *ss,
    char *err, size_t errlen)
{
	size_t plen = 5 + (size_t)ss->n * ENTRY_MAX, len;
	uint8_t *plain = sodium_malloc(plen), *buf = sodium_malloc(HEAD_LEN + MAC_LEN + plen);
	int dirfd = -1, r = -1;

	if (plain == NULL || buf == NULL) {
		snprintf(err, errlen, "sequence state: out of memory");
		goto out;
	}
	plen = encode(ss, plain);
	memcpy(buf, MAGIC, 8);
	randombytes_buf(buf + 8, NONCE_LEN);
	crypto_secretbox_easy(buf + HEAD_LEN, plain, plen, buf + 8, key);
	len = HEAD_LEN + MAC_LEN + plen;
	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		goto out;
	}
	r = lt_atomic_write(dirfd, LT_SEQSTATE_FILE, buf, len, err, errlen);
out:
	if (dirfd >= 0)
		close(dirfd);
	sodium_free(plain);
	sodium_free(buf);
	return r;
}
