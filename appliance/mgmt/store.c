/* store.c - store.bin: sealed JSON generations chained by hash, opened with MK or the passphrase. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "mgmt/keys.h"
#include "mgmt/store.h"
#include "util/atomic.h"
#include "util/be.h"

#define AEAD_ABYTES	crypto_aead_xchacha20poly1305_ietf_ABYTES
#define DUMP_FLAGS	(JSON_COMPACT | JSON_SORT_KEYS)

_Static_assert(LT_STORE_NONCE_LEN == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
    "nonce");
_Static_assert(AEAD_ABYTES == 16, "tag");

struct lt_store {
	int dirfd;
	int poisoned;
	uint8_t *dk;			/* sodium_malloc'd */
	uint64_t generation;
	uint8_t hash[LT_STORE_HASH_LEN];
	json_t *doc;			/* ours alone: deep copies only */
};

static const struct {
	const char *name;
	size_t len;			/* bytes, hex is twice that */
} appliance_keys[] = {
	{ "box_pk", crypto_box_PUBLICKEYBYTES },
	{ "box_sk", crypto_box_SECRETKEYBYTES },
	{ "sign_pk", crypto_sign_PUBLICKEYBYTES },
	{ "sign_sk", crypto_sign_SECRETKEYBYTES },
};

/* Zeroes every string value no one else holds: warrants and keys live there. */
static void
wipe(json_t *j)
{
	const char *k;
	json_t *v;
	size_t i;

	if (j->refcount != 1)
		return;
	if (json_is_string(j))
		sodium_memzero((char *)json_string_value(j), json_string_length(j));
	else if (json_is_object(j))
		json_object_foreach(j, k, v)
			wipe(v);
	else if (json_is_array(j))
		json_array_foreach(j, i, v)
			wipe(v);
}

static void
wipe_decref(json_t *j)
{
	if (j == NULL)
		return;
	wipe(j);
	json_decref(j);
}

static int
hex_member(const json_t *obj, const char *name, size_t len, uint8_t *out,
    char *err, size_t errlen)
{
	const json_t *v = json_object_get(obj, name);
	size_t bin_len;

	if (!json_is_string(v) || json_string_length(v) != 2 * len ||
	    sodium_hex2bin(out, len, json_string_value(v), 2 * len, NULL, &bin_len,
	    NULL) != 0 || bin_len != len) {
		snprintf(err, errlen, "store document is invalid: appliance.%s is "
		    "not %zu hex bytes", name, len);
		return -1;
	}
	return 0;
}

/* The shape everything else relies on; members beyond it belong to other modules. */
static int
doc_check(const json_t *doc, uint64_t generation, char *err, size_t errlen)
{
	static const char *const arrays[] = { "issuers", "serials", "warrants" };
	const json_t *app, *g;
	uint8_t *tmp;
	int rc = 0;

	if (!json_is_object(doc)) {
		snprintf(err, errlen, "store document is invalid: not a JSON object");
		return -1;
	}
	g = json_object_get(doc, "generation");
	if (!json_is_integer(g) || (uint64_t)json_integer_value(g) != generation ||
	    json_integer_value(g) < 0) {
		snprintf(err, errlen, "store document is invalid: its generation "
		    "is not the header's %llu", (unsigned long long)generation);
		return -1;
	}
	for (size_t i = 0; i < sizeof(arrays) / sizeof(arrays[0]); i++)
		if (!json_is_array(json_object_get(doc, arrays[i]))) {
			snprintf(err, errlen, "store document is invalid: \"%s\" is "
			    "missing or not an array", arrays[i]);
			return -1;
		}
	if (!json_is_object(app = json_object_get(doc, "appliance"))) {
		snprintf(err, errlen, "store document is invalid: \"appliance\" is "
		    "missing or not an object");
		return -1;
	}
	if ((tmp = sodium_malloc(crypto_sign_SECRETKEYBYTES)) == NULL) {
		snprintf(err, errlen, "out of memory for a key");
		return -1;
	}
	for (size_t i = 0; rc == 0 && i < sizeof(appliance_keys) /
	    sizeof(appliance_keys[0]); i++)
		rc = hex_member(app, appliance_keys[i].name, appliance_keys[i].len,
		    tmp, err, errlen);
	sodium_free(tmp);
	return rc;
}

int
lt_store_parse(const uint8_t *buf, size_t len, const uint8_t *dk,
    struct lt_store_hdr *hdr, json_t **doc, char *err, size_t errlen)
{
	const uint8_t *nonce = buf + LT_STORE_HDR_LEN;
	unsigned long long ptlen;
	json_error_t jerr;
	uint64_t gen;
	uint8_t *pt;
	json_t *d;

	if (len < LT_STORE_MIN_LEN) {
		snprintf(err, errlen, "%s is truncated (%zu bytes)", LT_STORE_FILE, len);
		return -1;
	}
	if (len > LT_STORE_MAX_LEN) {
		snprintf(err, errlen, "%s is too large (%zu bytes, at most %u)",
		    LT_STORE_FILE, len, LT_STORE_MAX_LEN);
		return -1;
	}
	if (memcmp(buf, "LTST", 4) != 0) {
		snprintf(err, errlen, "%s is not a lawtap store (bad magic)",
		    LT_STORE_FILE);
		return -1;
	}
	if (lt_get_be(buf + 4, 4) != 1) {
		snprintf(err, errlen, "%s has version %llu; this lawtap reads version 1",
		    LT_STORE_FILE, (unsigned long long)lt_get_be(buf + 4, 4));
		return -1;
	}
	if ((gen = lt_get_be(buf + 8, 8)) == 0 || gen > INT64_MAX) {
		snprintf(err, errlen, "%s is damaged: generation out of range",
		    LT_STORE_FILE);
		return -1;
	}
	ptlen = len - LT_STORE_HDR_LEN - LT_STORE_NONCE_LEN - AEAD_ABYTES;
	if ((pt = sodium_malloc(ptlen + 1)) == NULL) {
		snprintf(err, errlen, "out of memory for the store");
		return -1;
	}
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(pt, &ptlen, NULL,
	    nonce + LT_STORE_NONCE_LEN, len - LT_STORE_HDR_LEN - LT_STORE_NONCE_LEN,
	    buf, LT_STORE_HDR_LEN, nonce, dk) != 0) {
		sodium_free(pt);
		snprintf(err, errlen, "%s failed authentication: damaged, or sealed "
		    "under another data key", LT_STORE_FILE);
		return -1;
	}
	d = json_loadb((const char *)pt, (size_t)ptlen, JSON_REJECT_DUPLICATES, &jerr);
	sodium_free(pt);
	if (d == NULL) {
		/* authenticated yet unreadable: written by a broken lawtap */
		snprintf(err, errlen, "store document is invalid: not JSON (at byte "
		    "%d)", jerr.position);
		return -1;
	}
	if (doc_check(d, gen, err, errlen) < 0) {
		wipe_decref(d);
		return -1;
	}
	hdr->generation = gen;
	memcpy(hdr->prev_hash, buf + 16, LT_STORE_HASH_LEN);
	*doc = d;
	return 0;
}

int
lt_store_seal(const struct lt_store_hdr *hdr, const json_t *doc,
    const uint8_t *dk, uint8_t **out, size_t *outlen, char *err, size_t errlen)
{
	uint8_t *pt, *b;
	size_t n, total;

	if (doc_check(doc, hdr->generation, err, errlen) < 0)
		return -1;
	if ((n = json_dumpb(doc, NULL, 0, DUMP_FLAGS)) == 0 ||
	    n > LT_STORE_MAX_LEN - LT_STORE_MIN_LEN) {
		snprintf(err, errlen, "store document cannot be written (%zu bytes)", n);
		return -1;
	}
	total = LT_STORE_MIN_LEN + n;
	if ((pt = sodium_malloc(n)) == NULL || (b = sodium_malloc(total)) == NULL) {
		sodium_free(pt);
		snprintf(err, errlen, "out of memory for the store");
		return -1;
	}
	if (json_dumpb(doc, (char *)pt, n, DUMP_FLAGS) != n) {
		sodium_free(pt);
		sodium_free(b);
		snprintf(err, errlen, "store document changed while written");
		return -1;
	}
	memcpy(b, "LTST", 4);
	lt_put_be(b + 4, 1, 4);
	lt_put_be(b + 8, hdr->generation, 8);
	memcpy(b + 16, hdr->prev_hash, LT_STORE_HASH_LEN);
	randombytes_buf(b + LT_STORE_HDR_LEN, LT_STORE_NONCE_LEN);
	crypto_aead_xchacha20poly1305_ietf_encrypt(
	    b + LT_STORE_HDR_LEN + LT_STORE_NONCE_LEN, NULL, pt, n,
	    b, LT_STORE_HDR_LEN, NULL, b + LT_STORE_HDR_LEN, dk);
	sodium_free(pt);
	*out = b;
	*outlen = total;
	return 0;
}

/* The whole of store.bin in a malloc'd buffer (it is ciphertext). */
static int
read_store(int dirfd, uint8_t **out, size_t *outlen, char *err, size_t errlen)
{
	struct stat st;
	size_t got = 0;
	uint8_t *b;
	ssize_t r;
	int fd;

	if ((fd = openat(dirfd, LT_STORE_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot open %s: %s%s", LT_STORE_FILE,
		    strerror(errno),
		    errno == ENOENT ? " (run lawtap store init first?)" : "");
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s is not a regular file", LT_STORE_FILE);
		close(fd);
		return -1;
	}
	if (st.st_size > (off_t)LT_STORE_MAX_LEN) {
		snprintf(err, errlen, "%s is too large (%lld bytes, at most %u)",
		    LT_STORE_FILE, (long long)st.st_size, LT_STORE_MAX_LEN);
		close(fd);
		return -1;
	}
	if ((b = malloc((size_t)st.st_size + 1)) == NULL) {
		snprintf(err, errlen, "out of memory for the store");
		close(fd);
		return -1;
	}
	while (got < (size_t)st.st_size) {
		if ((r = read(fd, b + got, (size_t)st.st_size - got)) < 0 &&
		    errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(err, errlen, "cannot read %s: %s", LT_STORE_FILE,
			    r < 0 ? strerror(errno) : "file shrank while read");
			free(b);
			close(fd);
			return -1;
		}
		got += (size_t)r;
	}
	close(fd);
	*out = b;
	*outlen = got;
	return 0;
}

static int
check_rollback(const struct lt_store_hdr *h, const uint8_t *hash,
    const struct lt_commit_rec *last, int *behind, char *err, size_t errlen)
{
	unsigned long long n = h->generation;

	if (last == NULL || !last->present)
		return 0;
	if (n < last->generation) {
		snprintf(err, errlen, "store generation %llu is older than the audit "
		    "log's %llu: rolled back? refused", n,
		    (unsigned long long)last->generation);
		return -1;
	}
	if (n == last->generation) {
		if (sodium_memcmp(hash, last->hash, LT_STORE_HASH_LEN) == 0)
			return 0;
		snprintf(err, errlen, "store generation %llu is not the one the audit "
		    "log recorded (its hash differs): replaced? refused", n);
		return -1;
	}
	if (n == last->generation + 1 &&
	    sodium_memcmp(h->prev_hash, last->hash, LT_STORE_HASH_LEN) == 0) {
		*behind = 1;
		return 0;
	}
	snprintf(err, errlen, "store generation %llu is ahead of the audit log's "
	    "%llu and does not follow from it: audit log cut short or store "
	    "replaced? refused", n, (unsigned long long)last->generation);
	return -1;
}

static int
open_common(const char *dir, const char *pass, size_t passlen,
    const struct lt_commit_rec *last, int *audit_behind, struct lt_store **out,
    char *err, size_t errlen)
{
	struct lt_store *st;
	struct lt_store_hdr h;
	uint8_t *buf = NULL;
	size_t len;
	int behind = 0;

	*out = NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	st->dirfd = -1;
	if ((st->dk = sodium_malloc(LT_KEY_LEN)) == NULL) {
		snprintf(err, errlen, "out of memory for a key");
		free(st);
		return -1;
	}
	if ((st->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot open the state directory %s: %s", dir,
		    strerror(errno));
		goto fail;
	}
	if ((pass == NULL ? lt_keys_unlock_machine(st->dirfd, st->dk, err, errlen) :
	    lt_keys_unlock_passphrase(st->dirfd, pass, passlen, st->dk, err,
	    errlen)) < 0)
		goto fail;
	if (read_store(st->dirfd, &buf, &len, err, errlen) < 0 ||
	    lt_store_parse(buf, len, st->dk, &h, &st->doc, err, errlen) < 0)
		goto fail;
	crypto_generichash(st->hash, LT_STORE_HASH_LEN, buf, len, NULL, 0);
	if (check_rollback(&h, st->hash, last, &behind, err, errlen) < 0)
		goto fail;
	free(buf);
	st->generation = h.generation;
	if (audit_behind != NULL)
		*audit_behind = behind;
	*out = st;
	return 0;
fail:
	free(buf);
	lt_store_close(st);
	return -1;
}

int
lt_store_open(const char *dir, const struct lt_commit_rec *last,
    int *audit_behind, struct lt_store **out, char *err, size_t errlen)
{
	return open_common(dir, NULL, 0, last, audit_behind, out, err, errlen);
}

int
lt_store_unlock_officer(const char *dir, const char *pass, size_t passlen,
    const struct lt_commit_rec *last, int *audit_behind, struct lt_store **out,
    char *err, size_t errlen)
{
	return open_common(dir, pass, passlen, last, audit_behind, out, err, errlen);
}

const json_t *
lt_store_doc(const struct lt_store *st)
{
	return st->doc;
}

void
lt_store_current(const struct lt_store *st, struct lt_commit_rec *out)
{
	out->present = 1;
	out->generation = st->generation;
	memcpy(out->hash, st->hash, LT_STORE_HASH_LEN);
}

/* Under the directory lock: is store.bin still the generation this handle read? */
static int
still_current(struct lt_store *st, char *err, size_t errlen)
{
	uint8_t h[LT_STORE_HASH_LEN], *buf;
	size_t len;

	if (read_store(st->dirfd, &buf, &len, err, errlen) < 0)
		return -1;
	crypto_generichash(h, sizeof(h), buf, len, NULL, 0);
	free(buf);
	if (sodium_memcmp(h, st->hash, sizeof(h)) != 0) {
		snprintf(err, errlen, "%s changed since it was opened (another lawtap "
		    "committed): reopen the store and retry", LT_STORE_FILE);
		return -1;
	}
	return 0;
}

int
lt_store_commit(struct lt_store *st, const json_t *doc,
    struct lt_commit_rec *done, char *err, size_t errlen)
{
	struct lt_store_hdr h;
	uint8_t *img = NULL;
	size_t len;
	json_t *copy = NULL;
	int r, rc = -1;

	if (st->poisoned) {
		snprintf(err, errlen, "an earlier commit failed half-way: reopen the "
		    "store before committing again");
		return -1;
	}
	if (st->generation >= INT64_MAX) {
		snprintf(err, errlen, "store generation cannot grow further");
		return -1;
	}
	if (!json_is_object(doc) || (copy = json_deep_copy(doc)) == NULL) {
		snprintf(err, errlen, "store document is invalid: not a JSON object");
		return -1;
	}
	h.generation = st->generation + 1;
	memcpy(h.prev_hash, st->hash, LT_STORE_HASH_LEN);
	if (json_object_set_new(copy, "generation",
	    json_integer((json_int_t)h.generation)) < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (lt_store_seal(&h, copy, st->dk, &img, &len, err, errlen) < 0)
		goto out;
	if (flock(st->dirfd, LOCK_EX) < 0) {
		snprintf(err, errlen, "cannot lock the state directory: %s",
		    strerror(errno));
		goto out;
	}
	if (still_current(st, err, errlen) == 0) {
		r = lt_atomic_write(st->dirfd, LT_STORE_FILE, img, len, err, errlen);
		if (r == 0) {
			wipe_decref(st->doc);
			st->doc = copy;
			copy = NULL;
			st->generation = h.generation;
			crypto_generichash(st->hash, LT_STORE_HASH_LEN, img, len, NULL, 0);
			if (done != NULL)
				lt_store_current(st, done);
			rc = 0;
		} else if (r == -2)
			st->poisoned = 1;
	}
	flock(st->dirfd, LOCK_UN);
out:
	if (img != NULL)
		sodium_free(img);
	wipe_decref(copy);
	return rc;
}

int
lt_store_appliance_key(const struct lt_store *st, const char *name,
    uint8_t *out, size_t len, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(appliance_keys) / sizeof(appliance_keys[0]); i++)
		if (strcmp(name, appliance_keys[i].name) == 0 &&
		    len == appliance_keys[i].len)
			return hex_member(json_object_get(st->doc, "appliance"), name,
			    len, out, err, errlen);
	snprintf(err, errlen, "no appliance key %s of %zu bytes", name, len);
	return -1;
}

void
lt_store_close(struct lt_store *st)
{
	if (st == NULL)
		return;
	if (st->dirfd >= 0)
		close(st->dirfd);
	sodium_free(st->dk);
	wipe_decref(st->doc);
	free(st);
}

/* hex of n bytes as a new JSON string; the hex passes through sodium memory only */
static json_t *
hex_string(const uint8_t *bin, size_t n)
{
	json_t *j = NULL;
	char *hex;

	if ((hex = sodium_malloc(2 * n + 1)) != NULL) {
		sodium_bin2hex(hex, 2 * n + 1, bin, n);
		j = json_stringn(hex, 2 * n);
		sodium_free(hex);
	}
	return j;
}

/* The first document: fresh appliance key pairs, nothing else yet. */
static json_t *
first_doc(char pub[static 256])
{
	uint8_t box_pk[crypto_box_PUBLICKEYBYTES], sign_pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t *box_sk, *sign_sk;
	char bh[2 * sizeof(box_pk) + 1], sh[2 * sizeof(sign_pk) + 1];
	json_t *doc = NULL, *app;

	box_sk = sodium_malloc(crypto_box_SECRETKEYBYTES);
	sign_sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
	if (box_sk == NULL || sign_sk == NULL)
		goto out;
	crypto_box_keypair(box_pk, box_sk);
	crypto_sign_keypair(sign_pk, sign_sk);
	app = json_object();
	if (app == NULL ||
	    json_object_set_new(app, "box_pk", hex_string(box_pk, sizeof(box_pk))) ||
	    json_object_set_new(app, "box_sk",
	    hex_string(box_sk, crypto_box_SECRETKEYBYTES)) ||
	    json_object_set_new(app, "sign_pk", hex_string(sign_pk, sizeof(sign_pk))) ||
	    json_object_set_new(app, "sign_sk",
	    hex_string(sign_sk, crypto_sign_SECRETKEYBYTES))) {
		wipe_decref(app);
		goto out;
	}
	doc = json_pack("{s:i, s:o, s:[], s:[], s:[]}", "generation", 1,
	    "appliance", app, "issuers", "serials", "warrants");
	sodium_bin2hex(bh, sizeof(bh), box_pk, sizeof(box_pk));
	sodium_bin2hex(sh, sizeof(sh), sign_pk, sizeof(sign_pk));
	snprintf(pub, 256, "{\"box\": \"%s\", \"sign\": \"%s\"}\n", bh, sh);
out:
	sodium_free(box_sk);
	sodium_free(sign_sk);
	return doc;
}

int
lt_store_init(const char *dir, const char *pass, size_t passlen,
    char *err, size_t errlen)
{
	static const char *const files[] = { LT_MACHINE_KEY_FILE, LT_KEYS_FILE,
	    LT_STORE_FILE, LT_PUB_FILE };
	struct lt_store_hdr h = { .generation = 1 };
	uint8_t *dk = NULL, *img = NULL;
	char pub[256];
	struct stat st;
	json_t *doc = NULL;
	size_t len;
	int dirfd, rc = -1;

	if (lt_pass_ok(pass, passlen, err, errlen) < 0)
		return -1;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create the state directory %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot open the state directory %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	if (fstat(dirfd, &st) < 0 || (st.st_mode & 077) != 0) {
		snprintf(err, errlen, "the state directory %s is open to group or "
		    "others: chmod 700 it first", dir);
		goto out;
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (fstatat(dirfd, files[i], &st, AT_SYMLINK_NOFOLLOW) == 0) {
			snprintf(err, errlen, "%s already holds a lawtap state (%s): "
			    "not overwritten; move it away first if you mean to start "
			    "over (its warrants go with its keys)", dir, files[i]);
			goto out;
		}
	if ((dk = sodium_malloc(LT_KEY_LEN)) == NULL) {
		snprintf(err, errlen, "out of memory for a key");
		goto out;
	}
	if ((doc = first_doc(pub)) == NULL) {
		snprintf(err, errlen, "out of memory making the appliance keys");
		goto out;
	}
	if (lt_keys_create(dirfd, pass, passlen, dk, err, errlen) < 0 ||
	    lt_store_seal(&h, doc, dk, &img, &len, err, errlen) < 0 ||
	    lt_atomic_write(dirfd, LT_STORE_FILE, img, len, err, errlen) < 0 ||
	    lt_atomic_write(dirfd, LT_PUB_FILE, pub, strlen(pub), err, errlen) < 0)
		goto out;
	if (fchmodat(dirfd, LT_PUB_FILE, 0644, 0) < 0) {
		snprintf(err, errlen, "cannot make %s readable: %s", LT_PUB_FILE,
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (img != NULL)
		sodium_free(img);
	if (dk != NULL)
		sodium_free(dk);
	wipe_decref(doc);
	close(dirfd);
	return rc;
}

int
lt_store_passwd(const char *dir, const char *oldpass, size_t oldlen,
    const char *newpass, size_t newlen, char *err, size_t errlen)
{
	int dirfd, rc;

	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot open the state directory %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	rc = lt_keys_passwd(dirfd, oldpass, oldlen, newpass, newlen, err, errlen);
	close(dirfd);
	return rc;
}
