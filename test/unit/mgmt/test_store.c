/* test_store.c - the encrypted warrant store, its keys, damage, rollback and crashes at every step. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <sodium.h>

#include "cmd.h"
#include "mgmt/keys.h"
#include "mgmt/store.h"
#include "util/rmtree.h"

#define PASS	"officer passphrase one"
#define PASS2	"a second passphrase, new"

struct tstate {
	char dir[64];
};

static int
setup(void **state)
{
	struct tstate *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return -1;
	strcpy(t->dir, "/tmp/lt-store-XXXXXX");
	if (mkdtemp(t->dir) == NULL)
		return -1;
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	struct tstate *t = *state;

	lt_rmtree(t->dir);
	free(t);
	return 0;
}

static void
init_state(const char *dir)
{
	char err[512] = "";

	if (lt_store_init(dir, PASS, strlen(PASS), err, sizeof(err)) != 0)
		fail_msg("init: %s", err);
}

static uint8_t *
slurp(const char *dir, const char *name, size_t *len)
{
	char path[256];
	struct stat st;
	uint8_t *b;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	b = malloc((size_t)st.st_size + 1);
	assert_non_null(b);
	assert_int_equal(read(fd, b, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return b;
}

static void
spit(const char *dir, const char *name, const void *b, size_t len, mode_t mode)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b, len), (ssize_t)len);
	close(fd);
}

static int
exists(const char *dir, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static struct lt_store *
open_mk(const char *dir, const struct lt_commit_rec *last)
{
	struct lt_store *st = NULL;
	char err[512] = "";

	if (lt_store_open(dir, last, NULL, &st, err, sizeof(err)) != 0)
		fail_msg("open: %s", err);
	return st;
}

/* Expects lt_store_open to refuse with exactly msg, and to hand nothing back. */
static void
open_fails(const char *dir, const struct lt_commit_rec *last, const char *msg)
{
	struct lt_store *st = (struct lt_store *)1;
	char err[512] = "";

	assert_int_equal(lt_store_open(dir, last, NULL, &st, err, sizeof(err)), -1);
	assert_null(st);
	assert_string_equal(err, msg);
}

/* A copy of the document with one more warrant, as import would make it. */
static json_t *
with_warrant(const json_t *doc, const char *id)
{
	json_t *d = json_deep_copy(doc);

	assert_non_null(d);
	assert_int_equal(json_array_append_new(json_object_get(d, "warrants"),
	    json_pack("{s:s, s:s, s:s}", "id", id, "state", "active",
	    "liid", "CANARY-LIID-77")), 0);
	return d;
}

/* Equal but for "generation". */
static int
same_doc(const json_t *a, const json_t *b)
{
	json_t *x = json_deep_copy(a), *y = json_deep_copy(b);
	int eq;

	json_object_del(x, "generation");
	json_object_del(y, "generation");
	eq = json_equal(x, y);
	json_decref(x);
	json_decref(y);
	return eq;
}

static void
hash_of(const uint8_t *b, size_t len, uint8_t h[static LT_STORE_HASH_LEN])
{
	crypto_generichash(h, LT_STORE_HASH_LEN, b, len, NULL, 0);
}

static void
commit_ok(struct lt_store *st, const json_t *doc, struct lt_commit_rec *rec)
{
	char err[512] = "";

	if (lt_store_commit(st, doc, rec, err, sizeof(err)) != 0)
		fail_msg("commit: %s", err);
}

static mode_t
mode_of(const char *dir, const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

static void
init_open_commit_reopen(void **state)
{
	struct tstate *t = *state;
	struct lt_commit_rec rec, cur;
	struct lt_store *st;
	uint8_t box_sk[32], box_pk[32], sign_sk[64], sign_pk[32], pk[32], h[32];
	uint8_t *b1, *b2, *pub;
	size_t l1, l2, lpub;
	char err[512] = "", hex[129], want[256];
	json_t *d2;

	init_state(t->dir);
	assert_int_equal(mode_of(t->dir, "machine.key"), 0600);
	assert_int_equal(mode_of(t->dir, "keys.bin"), 0600);
	assert_int_equal(mode_of(t->dir, "store.bin"), 0600);
	assert_int_equal(mode_of(t->dir, "appliance.pub"), 0644);
	assert_false(exists(t->dir, "store.bin.tmp"));
	b1 = slurp(t->dir, "keys.bin", &l1);
	assert_int_equal(l1, LT_KEYS_BIN_LEN);
	assert_memory_equal(b1, "LTKY\0\0\0\1", 8);
	free(b1);
	b1 = slurp(t->dir, "store.bin", &l1);
	assert_memory_equal(b1, "LTST\0\0\0\1\0\0\0\0\0\0\0\1", 16);
	memset(h, 0, sizeof(h));
	assert_memory_equal(b1 + 16, h, 32);	/* generation 1 has no predecessor */

	st = open_mk(t->dir, NULL);
	lt_store_current(st, &cur);
	assert_int_equal(cur.generation, 1);
	hash_of(b1, l1, h);
	assert_memory_equal(cur.hash, h, 32);
	assert_int_equal(json_integer_value(json_object_get(lt_store_doc(st),
	    "generation")), 1);
	assert_int_equal(json_array_size(json_object_get(lt_store_doc(st), "warrants")), 0);

	/* the key pairs are pairs, and appliance.pub states their public halves */
	assert_int_equal(lt_store_appliance_key(st, "box_sk", box_sk, 32, err, sizeof(err)), 0);
	assert_int_equal(lt_store_appliance_key(st, "box_pk", box_pk, 32, err, sizeof(err)), 0);
	assert_int_equal(lt_store_appliance_key(st, "sign_sk", sign_sk, 64, err, sizeof(err)), 0);
	assert_int_equal(lt_store_appliance_key(st, "sign_pk", sign_pk, 32, err, sizeof(err)), 0);
	assert_int_equal(lt_store_appliance_key(st, "sign_sk", sign_sk, 32, err, sizeof(err)), -1);
	assert_string_equal(err, "no appliance key sign_sk of 32 bytes");
	assert_int_equal(crypto_scalarmult_base(pk, box_sk), 0);
	assert_memory_equal(pk, box_pk, 32);
	crypto_sign_ed25519_sk_to_pk(pk, sign_sk);
	assert_memory_equal(pk, sign_pk, 32);
	pub = slurp(t->dir, "appliance.pub", &lpub);
	sodium_bin2hex(hex, sizeof(hex), box_pk, 32);
	snprintf(want, sizeof(want), "{\"box\": \"%s\", \"sign\": \"", hex);
	sodium_bin2hex(hex, sizeof(hex), sign_pk, 32);
	strcat(want, hex);
	strcat(want, "\"}\n");
	assert_int_equal(lpub, strlen(want));
	assert_memory_equal(pub, want, lpub);
	free(pub);

	d2 = with_warrant(lt_store_doc(st), "W0000000000000001");
	commit_ok(st, d2, &rec);
	assert_int_equal(rec.present, 1);
	assert_int_equal(rec.generation, 2);
	/* the caller's document is not changed by the commit */
	assert_int_equal(json_integer_value(json_object_get(d2, "generation")), 1);
	lt_store_close(st);

	b2 = slurp(t->dir, "store.bin", &l2);
	assert_memory_equal(b2, "LTST\0\0\0\1\0\0\0\0\0\0\0\2", 16);
	assert_memory_equal(b2 + 16, cur.hash, 32);	/* prev_hash */
	hash_of(b2, l2, h);
	assert_memory_equal(rec.hash, h, 32);
	assert_false(exists(t->dir, "store.bin.tmp"));

	st = open_mk(t->dir, &rec);
	assert_true(same_doc(lt_store_doc(st), d2));
	assert_int_equal(json_integer_value(json_object_get(lt_store_doc(st),
	    "generation")), 2);
	lt_store_close(st);
	assert_int_equal(lt_store_unlock_officer(t->dir, PASS, strlen(PASS), &rec,
	    NULL, &st, err, sizeof(err)), 0);
	assert_true(same_doc(lt_store_doc(st), d2));
	lt_store_close(st);
	json_decref(d2);
	free(b1);
	free(b2);
}

static void
init_refuses(void **state)
{
	static const char *const names[] = { "machine.key", "keys.bin", "store.bin",
	    "appliance.pub" };
	struct tstate *t = *state;
	char err[512] = "", want[512], sub[128];
	uint8_t *b0, *b1;
	size_t l0, l1;

	assert_int_equal(lt_store_init(t->dir, "short", 5, err, sizeof(err)), -1);
	assert_string_equal(err, "passphrase too short: it needs at least 12 characters");
	assert_false(exists(t->dir, "machine.key"));

	init_state(t->dir);
	b0 = slurp(t->dir, "store.bin", &l0);
	assert_int_equal(lt_store_init(t->dir, PASS, strlen(PASS), err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s already holds a lawtap state (machine.key): "
	    "not overwritten; move it away first if you mean to start over (its "
	    "warrants go with its keys)", t->dir);
	assert_string_equal(err, want);
	b1 = slurp(t->dir, "store.bin", &l1);
	assert_int_equal(l0, l1);
	assert_memory_equal(b0, b1, l0);
	free(b0);
	free(b1);

	/* any one file of a state is enough to refuse */
	for (size_t i = 0; i < 4; i++) {
		snprintf(sub, sizeof(sub), "%s/one%zu", t->dir, i);
		assert_int_equal(mkdir(sub, 0700), 0);
		spit(sub, names[i], "x", 1, 0600);
		assert_int_equal(lt_store_init(sub, PASS, strlen(PASS), err,
		    sizeof(err)), -1);
		snprintf(want, sizeof(want), "%s already holds a lawtap state (%s): "
		    "not overwritten; move it away first if you mean to start over "
		    "(its warrants go with its keys)", sub, names[i]);
		assert_string_equal(err, want);
	}
	snprintf(sub, sizeof(sub), "%s/open", t->dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(chmod(sub, 0755), 0);
	assert_int_equal(lt_store_init(sub, PASS, strlen(PASS), err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "the state directory %s is open to group or "
	    "others: chmod 700 it first", sub);
	assert_string_equal(err, want);
	assert_false(exists(sub, "machine.key"));

	/* a missing directory is made, 0700 */
	snprintf(sub, sizeof(sub), "%s/fresh", t->dir);
	init_state(sub);
	assert_int_equal(mode_of(t->dir, "fresh") & 0777, 0700);
}

static void
wrong_passphrase(void **state)
{
	struct tstate *t = *state;
	struct lt_store *st = (struct lt_store *)1;
	char err[512] = "";

	init_state(t->dir);
	assert_int_equal(lt_store_unlock_officer(t->dir, PASS "x", strlen(PASS) + 1,
	    NULL, NULL, &st, err, sizeof(err)), -1);
	assert_null(st);
	assert_string_equal(err, "wrong passphrase (or keys.bin is damaged)");
	assert_int_equal(lt_store_unlock_officer(t->dir, "", 0, NULL, NULL, &st,
	    err, sizeof(err)), -1);
	assert_string_equal(err, "wrong passphrase (or keys.bin is damaged)");
}

static void
wrong_machine_key(void **state)
{
	struct tstate *t = *state;
	uint8_t mk[32];
	struct lt_store *st;
	char err[512] = "", want[512];

	init_state(t->dir);
	randombytes_buf(mk, sizeof(mk));
	spit(t->dir, "machine.key", mk, sizeof(mk), 0600);
	open_fails(t->dir, NULL, "machine.key does not unwrap the data key in keys.bin: "
	    "wrong machine key, or keys.bin is damaged (the officer's passphrase "
	    "can still open the store)");
	/* the officer still can */
	assert_int_equal(lt_store_unlock_officer(t->dir, PASS, strlen(PASS), NULL,
	    NULL, &st, err, sizeof(err)), 0);
	lt_store_close(st);

	spit(t->dir, "machine.key", mk, sizeof(mk), 0640);
	assert_int_equal(chmod(strcat(strcpy(want, t->dir), "/machine.key"), 0640), 0);
	open_fails(t->dir, NULL, "machine.key is readable by group or others: refused "
	    "(chmod 600 it, and treat the key as exposed)");
	spit(t->dir, "machine.key", mk, 31, 0600);
	open_fails(t->dir, NULL, "machine.key is damaged: 31 bytes, expected 32");
	unlink(want);
	open_fails(t->dir, NULL, "cannot open machine.key: No such file or directory "
	    "(run lawtap store init first?)");
}

static void
passwd(void **state)
{
	struct tstate *t = *state;
	struct lt_store *st;
	uint8_t *k0, *k1;
	size_t l0, l1;
	char err[512] = "";

	init_state(t->dir);
	k0 = slurp(t->dir, "keys.bin", &l0);
	assert_int_equal(lt_store_passwd(t->dir, PASS2, strlen(PASS2), PASS2,
	    strlen(PASS2), err, sizeof(err)), -1);
	assert_string_equal(err, "wrong passphrase (or keys.bin is damaged)");
	assert_int_equal(lt_store_passwd(t->dir, PASS, strlen(PASS), "too short", 9,
	    err, sizeof(err)), -1);
	assert_string_equal(err, "passphrase too short: it needs at least 12 characters");
	k1 = slurp(t->dir, "keys.bin", &l1);
	assert_memory_equal(k0, k1, l0);
	free(k1);

	assert_int_equal(lt_store_passwd(t->dir, PASS, strlen(PASS), PASS2,
	    strlen(PASS2), err, sizeof(err)), 0);
	k1 = slurp(t->dir, "keys.bin", &l1);
	assert_int_equal(l1, LT_KEYS_BIN_LEN);
	/* the machine wrapping is kept, the passphrase one is new */
	assert_memory_equal(k0, k1, 80);
	assert_memory_not_equal(k0 + 80, k1 + 80, 16);
	assert_int_equal(lt_store_unlock_officer(t->dir, PASS, strlen(PASS), NULL,
	    NULL, &st, err, sizeof(err)), -1);
	assert_int_equal(lt_store_unlock_officer(t->dir, PASS2, strlen(PASS2), NULL,
	    NULL, &st, err, sizeof(err)), 0);
	lt_store_close(st);
	lt_store_close(open_mk(t->dir, NULL));
	free(k0);
	free(k1);
}

/* Expected refusal for a store.bin damaged at byte i. */
static void
damaged_open(const char *dir, size_t i, const uint8_t *img)
{
	struct lt_store *st = (struct lt_store *)1;
	char err[512] = "", want[128];
	uint64_t gen = 0;

	assert_int_equal(lt_store_open(dir, NULL, NULL, &st, err, sizeof(err)), -1);
	assert_null(st);
	if (i < 4) {
		assert_string_equal(err, "store.bin is not a lawtap store (bad magic)");
	} else if (i < 8) {
		snprintf(want, sizeof(want), "store.bin has version %u; this lawtap "
		    "reads version 1", (unsigned)img[4] << 24 | (unsigned)img[5] << 16 |
		    (unsigned)img[6] << 8 | img[7]);
		assert_string_equal(err, want);
	} else {
		for (int k = 8; k < 16; k++)
			gen = gen << 8 | img[k];
		if (i < 16 && (gen == 0 || gen > INT64_MAX))
			assert_string_equal(err, "store.bin is damaged: generation out "
			    "of range");
		else
			assert_string_equal(err, "store.bin failed authentication: "
			    "damaged, or sealed under another data key");
	}
}

static void
damage_every_byte(void **state)
{
	static const uint8_t masks[] = { 0x01, 0x80, 0xff };
	struct tstate *t = *state;
	struct lt_commit_rec rec;
	struct lt_store *st;
	uint8_t *img, *bad;
	size_t len;
	char want[128];

	init_state(t->dir);
	img = slurp(t->dir, "store.bin", &len);
	assert_true(len > LT_STORE_MIN_LEN && len < 1024);
	bad = malloc(len + 1);
	for (size_t i = 0; i < len; i++)
		for (size_t m = 0; m < sizeof(masks); m++) {
			memcpy(bad, img, len);
			bad[i] ^= masks[m];
			spit(t->dir, "store.bin", bad, len, 0600);
			damaged_open(t->dir, i, bad);
		}
	for (size_t n = 0; n < len; n++) {
		spit(t->dir, "store.bin", img, n, 0600);
		if (n < LT_STORE_MIN_LEN) {
			snprintf(want, sizeof(want), "store.bin is truncated (%zu bytes)", n);
			open_fails(t->dir, NULL, want);
		} else
			open_fails(t->dir, NULL, "store.bin failed authentication: "
			    "damaged, or sealed under another data key");
	}
	memcpy(bad, img, len);
	bad[len] = 0;
	spit(t->dir, "store.bin", bad, len + 1, 0600);
	open_fails(t->dir, NULL, "store.bin failed authentication: damaged, or "
	    "sealed under another data key");
	/* the undamaged bytes still open */
	spit(t->dir, "store.bin", img, len, 0600);
	st = open_mk(t->dir, NULL);
	lt_store_current(st, &rec);
	assert_int_equal(rec.generation, 1);
	lt_store_close(st);
	free(img);
	free(bad);
}

static void
damage_keys(void **state)
{
	struct tstate *t = *state;
	struct lt_store *st = (struct lt_store *)1;
	uint8_t *kb, bad[LT_KEYS_BIN_LEN];
	size_t len;
	char err[512] = "";

	init_state(t->dir);
	kb = slurp(t->dir, "keys.bin", &len);
	/* magic, version and the machine wrapping: the daemon's unlock refuses */
	for (size_t i = 0; i < 80; i++) {
		memcpy(bad, kb, len);
		bad[i] ^= 0x20;
		spit(t->dir, "keys.bin", bad, len, 0600);
		assert_int_equal(lt_store_open(t->dir, NULL, NULL, &st, err,
		    sizeof(err)), -1);
		assert_null(st);
		if (i < 4)
			assert_string_equal(err, "keys.bin is not a lawtap key file (bad magic)");
		else if (i < 8)
			assert_string_equal(err, "keys.bin has an unknown version; this "
			    "lawtap reads version 1");
		else
			assert_string_equal(err, "machine.key does not unwrap the data "
			    "key in keys.bin: wrong machine key, or keys.bin is damaged "
			    "(the officer's passphrase can still open the store)");
	}
	/* the passphrase wrapping: salt, costs, nonce, box (a sample of each) */
	static const struct {
		size_t at;
		const char *msg;
	} pw[] = {
		{ 80, "wrong passphrase (or keys.bin is damaged)" },
		{ 95, "wrong passphrase (or keys.bin is damaged)" },
		{ 96, "keys.bin is damaged: its Argon2id costs are out of range" },
		{ 104, "keys.bin is damaged: its Argon2id costs are out of range" },
		{ 112, "wrong passphrase (or keys.bin is damaged)" },
		{ 140, "wrong passphrase (or keys.bin is damaged)" },
		{ 183, "wrong passphrase (or keys.bin is damaged)" },
	};
	for (size_t i = 0; i < sizeof(pw) / sizeof(pw[0]); i++) {
		memcpy(bad, kb, len);
		bad[pw[i].at] ^= 0x20;
		spit(t->dir, "keys.bin", bad, len, 0600);
		assert_int_equal(lt_store_unlock_officer(t->dir, PASS, strlen(PASS),
		    NULL, NULL, &st, err, sizeof(err)), -1);
		assert_string_equal(err, pw[i].msg);
	}
	spit(t->dir, "keys.bin", kb, len - 1, 0600);
	open_fails(t->dir, NULL, "keys.bin is damaged: 183 bytes, expected 184");
	free(kb);
}

static void
chain(void **state)
{
	struct tstate *t = *state;
	struct lt_commit_rec rec;
	struct lt_store *st;
	uint8_t prev[32], h[32], *b;
	size_t len;
	char id[32];
	json_t *d;

	init_state(t->dir);
	b = slurp(t->dir, "store.bin", &len);
	hash_of(b, len, prev);
	free(b);
	st = open_mk(t->dir, NULL);
	for (int g = 2; g <= 6; g++) {
		snprintf(id, sizeof(id), "W%016x", g);
		d = with_warrant(lt_store_doc(st), id);
		commit_ok(st, d, &rec);
		json_decref(d);
		assert_int_equal(rec.generation, (uint64_t)g);
		b = slurp(t->dir, "store.bin", &len);
		assert_int_equal(b[15], g);
		assert_memory_equal(b + 16, prev, 32);
		hash_of(b, len, h);
		assert_memory_equal(rec.hash, h, 32);
		memcpy(prev, h, 32);
		free(b);
	}
	assert_int_equal(json_array_size(json_object_get(lt_store_doc(st), "warrants")), 5);
	lt_store_close(st);
	st = open_mk(t->dir, &rec);
	assert_int_equal(json_array_size(json_object_get(lt_store_doc(st), "warrants")), 5);
	lt_store_close(st);
}

static void
rollback(void **state)
{
	struct tstate *t = *state;
	struct lt_commit_rec rec1, rec2, rec2b, rec3, odd;
	struct lt_store *st;
	uint8_t *g1, *g2;
	size_t l1, l2;
	char err[512] = "";
	int behind = 7;
	json_t *d;

	init_state(t->dir);
	g1 = slurp(t->dir, "store.bin", &l1);
	st = open_mk(t->dir, NULL);
	lt_store_current(st, &rec1);
	d = with_warrant(lt_store_doc(st), "W00000000000000aa");
	commit_ok(st, d, &rec2);
	json_decref(d);
	lt_store_close(st);
	g2 = slurp(t->dir, "store.bin", &l2);

	/* the audit log knows generation 2; an old store.bin is put back */
	spit(t->dir, "store.bin", g1, l1, 0600);
	open_fails(t->dir, &rec2, "store generation 1 is older than the audit log's "
	    "2: rolled back? refused");
	/* with no audit log there is nothing to compare with */
	st = open_mk(t->dir, NULL);
	/* a different generation 2 made from generation 1 */
	d = with_warrant(lt_store_doc(st), "W00000000000000bb");
	commit_ok(st, d, &rec2b);
	json_decref(d);
	lt_store_close(st);
	open_fails(t->dir, &rec2, "store generation 2 is not the one the audit log "
	    "recorded (its hash differs): replaced? refused");

	/* one ahead and chaining onto the audited generation: a lost audit record */
	spit(t->dir, "store.bin", g2, l2, 0600);
	assert_int_equal(lt_store_open(t->dir, &rec1, &behind, &st, err, sizeof(err)), 0);
	assert_int_equal(behind, 1);
	d = with_warrant(lt_store_doc(st), "W00000000000000cc");
	commit_ok(st, d, &rec3);
	json_decref(d);
	lt_store_close(st);
	assert_int_equal(lt_store_open(t->dir, &rec3, &behind, &st, err, sizeof(err)), 0);
	assert_int_equal(behind, 0);
	lt_store_close(st);
	/* one ahead but not from the audited one, and two ahead */
	odd = rec2;
	odd.hash[0] ^= 1;
	open_fails(t->dir, &odd, "store generation 3 is ahead of the audit log's 2 "
	    "and does not follow from it: audit log cut short or store replaced? "
	    "refused");
	open_fails(t->dir, &rec1, "store generation 3 is ahead of the audit log's 1 "
	    "and does not follow from it: audit log cut short or store replaced? "
	    "refused");
	free(g1);
	free(g2);
}

static void
commit_checks(void **state)
{
	struct tstate *t = *state;
	struct lt_commit_rec rec;
	struct lt_store *a, *b;
	uint8_t *s0, *s1;
	size_t l0, l1;
	char err[512] = "";
	json_t *d, *bad;

	init_state(t->dir);
	a = open_mk(t->dir, NULL);
	b = open_mk(t->dir, NULL);
	s0 = slurp(t->dir, "store.bin", &l0);

	/* documents the store could not open again are not written */
	bad = json_deep_copy(lt_store_doc(a));
	json_object_del(bad, "warrants");
	assert_int_equal(lt_store_commit(a, bad, NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "store document is invalid: \"warrants\" is missing "
	    "or not an array");
	json_object_set_new(bad, "warrants", json_array());
	json_object_set_new(json_object_get(bad, "appliance"), "box_sk",
	    json_string("abcd"));
	assert_int_equal(lt_store_commit(a, bad, NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "store document is invalid: appliance.box_sk is not "
	    "32 hex bytes");
	json_decref(bad);
	bad = json_array();
	assert_int_equal(lt_store_commit(a, bad, NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "store document is invalid: not a JSON object");
	json_decref(bad);
	s1 = slurp(t->dir, "store.bin", &l1);
	assert_int_equal(l0, l1);
	assert_memory_equal(s0, s1, l0);
	free(s1);

	/* two handles: the second to commit finds the store moved on */
	d = with_warrant(lt_store_doc(a), "W0000000000000001");
	commit_ok(a, d, &rec);
	json_decref(d);
	d = with_warrant(lt_store_doc(b), "W0000000000000002");
	assert_int_equal(lt_store_commit(b, d, NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "store.bin changed since it was opened (another "
	    "lawtap committed): reopen the store and retry");
	json_decref(d);
	lt_store_close(b);
	b = open_mk(t->dir, &rec);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(lt_store_doc(b), "warrants"), 0), "id")), "W0000000000000001");
	lt_store_close(a);
	lt_store_close(b);
	free(s0);
}

/* Authenticated plaintext that is not a store document. */
static void
parse_invalid(void **state)
{
	static const struct {
		const char *pt;
		const char *msg;
	} v[] = {
		{ "{\"generation\": 5", "store document is invalid: not JSON (at byte 16)" },
		{ "{\"generation\":1,\"generation\":1}", "store document is invalid: not JSON (at byte 28)" },
		{ "[]", "store document is invalid: not a JSON object" },
		{ "{\"generation\": 4}", "store document is invalid: its generation is not the header's 5" },
		{ "{\"generation\": 5}", "store document is invalid: \"issuers\" is missing or not an array" },
		{ "{\"generation\": 5, \"issuers\": [], \"serials\": {}, \"warrants\": []}",
		  "store document is invalid: \"serials\" is missing or not an array" },
		{ "{\"generation\": 5, \"issuers\": [], \"serials\": [], \"warrants\": []}",
		  "store document is invalid: \"appliance\" is missing or not an object" },
		{ "{\"generation\": 5, \"issuers\": [], \"serials\": [], \"warrants\": [], \"appliance\": {}}",
		  "store document is invalid: appliance.box_pk is not 32 hex bytes" },
	};
	uint8_t dk[32], buf[512];
	struct lt_store_hdr h;
	json_t *doc = (json_t *)1;
	char err[512];
	(void)state;

	memset(dk, 7, sizeof(dk));
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t n = strlen(v[i].pt);

		memset(buf, 0, sizeof(buf));
		memcpy(buf, "LTST\0\0\0\1\0\0\0\0\0\0\0\5", 16);
		randombytes_buf(buf + 48, 24);
		crypto_aead_xchacha20poly1305_ietf_encrypt(buf + 72, NULL,
		    (const uint8_t *)v[i].pt, n, buf, 48, NULL, buf + 48, dk);
		err[0] = '\0';
		assert_int_equal(lt_store_parse(buf, 72 + n + 16, dk, &h, &doc, err,
		    sizeof(err)), -1);
		assert_string_equal(err, v[i].msg);
		assert_ptr_equal(doc, (json_t *)1);
		/* and a wrong key never gets as far */
		dk[0] ^= 1;
		assert_int_equal(lt_store_parse(buf, 72 + n + 16, dk, &h, &doc, err,
		    sizeof(err)), -1);
		assert_string_equal(err, "store.bin failed authentication: damaged, "
		    "or sealed under another data key");
		dk[0] ^= 1;
	}
	memcpy(buf, "LTST\0\0\0\2", 8);
	assert_int_equal(lt_store_parse(buf, 100, dk, &h, &doc, err, sizeof(err)), -1);
	assert_string_equal(err, "store.bin has version 2; this lawtap reads version 1");
}

typedef void (*arm_fn)(long, int);
typedef void (*disarm_fn)(void);
typedef int (*fired_fn)(void);

/*
 * Commit in a child whose Nth write/fsync/rename/open fails (or exits), for
 * N = 0, 1, ... until a commit runs through untouched; after each, the store
 * must open as exactly the old or exactly the new generation.
 */
static void
crash_commit(const char *dir, int exit_mode, int *olds, int *news)
{
	arm_fn arm = (arm_fn)dlsym(RTLD_DEFAULT, "failshim_arm");
	disarm_fn disarm = (disarm_fn)dlsym(RTLD_DEFAULT, "failshim_disarm");
	fired_fn fired = (fired_fn)dlsym(RTLD_DEFAULT, "failshim_fired");
	struct lt_commit_rec old, now;
	struct lt_store *st;
	char id[32], err[512];
	int status, code;
	json_t *prev, *next;
	long n;

	if (arm == NULL || disarm == NULL || fired == NULL)
		fail_msg("failshim is not loaded: run with LD_PRELOAD=libfailshim.so");
	for (n = 0; ; n++) {
		assert_true(n < 200);
		st = open_mk(dir, NULL);
		lt_store_current(st, &old);
		prev = json_deep_copy(lt_store_doc(st));
		snprintf(id, sizeof(id), "W%016lx", (unsigned long)n + 0x100);
		next = with_warrant(prev, id);
		lt_store_close(st);

		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			int r;

			if (lt_store_open(dir, NULL, NULL, &st, err, sizeof(err)) != 0)
				_exit(5);
			arm(n, exit_mode);
			r = lt_store_commit(st, next, NULL, err, sizeof(err));
			disarm();
			_exit(r == 0 ? (fired() ? 3 : 0) : (fired() ? 2 : 4));
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		code = WEXITSTATUS(status);
		/* 3: a fault was swallowed; 4: a failure without a fault */
		if (exit_mode)
			assert_true(code == 0 || code == 99);
		else
			assert_true(code == 0 || code == 2);

		st = open_mk(dir, NULL);
		lt_store_current(st, &now);
		if (now.generation == old.generation) {
			assert_memory_equal(now.hash, old.hash, 32);
			assert_true(json_equal((json_t *)lt_store_doc(st), prev));
			assert_int_not_equal(code, 0);
			(*olds)++;
		} else {
			uint8_t *b;
			size_t len;

			assert_int_equal(now.generation, old.generation + 1);
			assert_true(same_doc(lt_store_doc(st), next));
			b = slurp(dir, "store.bin", &len);
			assert_memory_equal(b + 16, old.hash, 32);
			free(b);
			(*news)++;
		}
		if (!exit_mode)
			assert_false(exists(dir, "store.bin.tmp"));
		lt_store_close(st);
		json_decref(prev);
		json_decref(next);
		if (code == 0)
			break;
	}
	/* read, temp open, write, fsync, rename, directory fsync */
	assert_int_equal(n, 6);
}

static void
crash_every_step(void **state)
{
	struct tstate *t = *state;
	int olds = 0, news = 0;

	init_state(t->dir);
	crash_commit(t->dir, 0, &olds, &news);
	/*
	 * Every fault up to the rename leaves the old generation; a fault at the
	 * directory fsync, and the run without faults, the new.
	 */
	assert_int_equal(olds, 5);
	assert_int_equal(news, 2);
	olds = news = 0;
	crash_commit(t->dir, 1, &olds, &news);
	assert_int_equal(olds, 5);
	assert_int_equal(news, 2);
}

/* keys.bin re-wrapped with the process dying at each step: MK and one passphrase still open it. */
static void
crash_passwd(void **state)
{
	arm_fn arm = (arm_fn)dlsym(RTLD_DEFAULT, "failshim_arm");
	struct tstate *t = *state;
	struct lt_store *st;
	char err[512];
	int status, code, newpass = 0;

	if (arm == NULL)
		fail_msg("failshim is not loaded: run with LD_PRELOAD=libfailshim.so");
	init_state(t->dir);
	for (long n = 0; !newpass; n++) {
		assert_true(n < 50);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			arm(n, 1);
			_exit(lt_store_passwd(t->dir, PASS, strlen(PASS), PASS2,
			    strlen(PASS2), err, sizeof(err)) == 0 ? 0 : 4);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		code = WEXITSTATUS(status);
		assert_true(code == 0 || code == 99);
		lt_store_close(open_mk(t->dir, NULL));
		if (lt_store_unlock_officer(t->dir, PASS2, strlen(PASS2), NULL, NULL,
		    &st, err, sizeof(err)) == 0) {
			newpass = 1;
			lt_store_close(st);
		} else {
			assert_int_equal(code, 99);
			assert_int_equal(lt_store_unlock_officer(t->dir, PASS,
			    strlen(PASS), NULL, NULL, &st, err, sizeof(err)), 0);
			lt_store_close(st);
		}
	}
}

static int
contains(const uint8_t *hay, size_t n, const void *needle, size_t m)
{
	return memmem(hay, n, needle, m) != NULL;
}

/* Runs `store ARGS` in a child with the passphrase lines on a pipe; its output in out. */
static int
run_cmd(const char *const *args, int nargs, const char *lines, char *out,
    size_t outlen)
{
	int in[2], o[2], status;
	char *argv[12];
	ssize_t r;
	size_t got = 0;

	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(o), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char fdarg[16];
		int k = 0;

		close(in[1]);
		close(o[0]);
		dup2(o[1], 1);
		dup2(o[1], 2);
		snprintf(fdarg, sizeof(fdarg), "%d", in[0]);
		argv[k++] = (char *)"store";
		for (int i = 0; i < nargs; i++)
			argv[k++] = (char *)args[i];
		argv[k++] = (char *)"--passphrase-fd";
		argv[k++] = fdarg;
		argv[k] = NULL;
		_exit(cmd_store(k, argv));
	}
	close(in[0]);
	close(o[1]);
	assert_int_equal(write(in[1], lines, strlen(lines)), (ssize_t)strlen(lines));
	close(in[1]);
	while ((r = read(o[0], out + got, outlen - 1 - got)) > 0)
		got += (size_t)r;
	out[got] = '\0';
	close(o[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* The subcommand: what it prints, and that no secret is in its output or in clear on disk. */
static void
cmd_no_secrets(void **state)
{
	static const char *const names[] = { "keys.bin", "store.bin", "appliance.pub" };
	struct tstate *t = *state;
	struct lt_store *st;
	uint8_t sk[64], mk[32], dk[32], *b;
	char out[4096], want[512], hex[129], sdir[128];
	const char *args[3];
	size_t len;
	int dirfd;

	snprintf(sdir, sizeof(sdir), "%s/state", t->dir);
	args[0] = "init";
	args[1] = "--state";
	args[2] = sdir;
	assert_int_equal(run_cmd(args, 3, PASS "\n", out, sizeof(out)), 0);
	snprintf(want, sizeof(want), "lawtap: state made in %s (store generation 1); "
	    "the appliance's public keys are in %s/appliance.pub\n", sdir, sdir);
	assert_string_equal(out, want);
	assert_int_equal(run_cmd(args, 3, PASS "\n", out, sizeof(out)), 1);
	snprintf(want, sizeof(want), "lawtap: store init: %s already holds a lawtap "
	    "state (machine.key): not overwritten; move it away first if you mean "
	    "to start over (its warrants go with its keys)\n", sdir);
	assert_string_equal(out, want);
	args[0] = "passwd";
	assert_int_equal(run_cmd(args, 3, PASS2 "\n" PASS2 "\n", out, sizeof(out)), 1);
	assert_string_equal(out, "lawtap: store passwd: wrong passphrase (or "
	    "keys.bin is damaged)\n");
	assert_int_equal(run_cmd(args, 3, PASS "\n", out, sizeof(out)), 1);
	assert_string_equal(out, "lawtap: store passwd: no passphrase: end of input\n");
	assert_int_equal(run_cmd(args, 3, PASS "\n" PASS2 "\n", out, sizeof(out)), 0);
	assert_string_equal(out, "lawtap: officer passphrase changed\n");
	assert_false(contains((uint8_t *)out, strlen(out), PASS, strlen(PASS)));

	/* no passphrase, secret key, machine key or data key in clear in the state */
	st = open_mk(sdir, NULL);
	dirfd = open(sdir, O_RDONLY | O_DIRECTORY);
	assert_int_equal(lt_keys_load_machine(dirfd, mk, out, sizeof(out)), 0);
	assert_int_equal(lt_keys_unlock_machine(dirfd, dk, out, sizeof(out)), 0);
	close(dirfd);
	for (size_t i = 0; i < 3; i++) {
		b = slurp(sdir, names[i], &len);
		assert_false(contains(b, len, PASS, strlen(PASS)));
		assert_false(contains(b, len, PASS2, strlen(PASS2)));
		assert_false(contains(b, len, mk, 32));
		assert_false(contains(b, len, dk, 32));
		assert_int_equal(lt_store_appliance_key(st, "box_sk", sk, 32, out,
		    sizeof(out)), 0);
		sodium_bin2hex(hex, sizeof(hex), sk, 32);
		assert_false(contains(b, len, sk, 32));
		assert_false(contains(b, len, hex, 64));
		assert_int_equal(lt_store_appliance_key(st, "sign_sk", sk, 64, out,
		    sizeof(out)), 0);
		sodium_bin2hex(hex, sizeof(hex), sk, 32);	/* the seed half */
		assert_false(contains(b, len, sk, 32));
		assert_false(contains(b, len, hex, 64));
		assert_false(contains(b, len, "CANARY", 6));
		free(b);
	}
	lt_store_close(st);
}

static void
harden(void **state)
{
	int status;
	(void)state;

	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl;
		char err[256];

		if (lt_harden_process(err, sizeof(err)) != 0 ||
		    prctl(PR_GET_DUMPABLE) != 0 || getrlimit(RLIMIT_CORE, &rl) != 0 ||
		    rl.rlim_cur != 0 || rl.rlim_max != 0)
			_exit(1);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(init_open_commit_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(init_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(wrong_passphrase, setup, teardown),
		cmocka_unit_test_setup_teardown(wrong_machine_key, setup, teardown),
		cmocka_unit_test_setup_teardown(passwd, setup, teardown),
		cmocka_unit_test_setup_teardown(damage_every_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(damage_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(chain, setup, teardown),
		cmocka_unit_test_setup_teardown(rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(commit_checks, setup, teardown),
		cmocka_unit_test(parse_invalid),
		cmocka_unit_test_setup_teardown(crash_every_step, setup, teardown),
		cmocka_unit_test_setup_teardown(crash_passwd, setup, teardown),
		cmocka_unit_test_setup_teardown(cmd_no_secrets, setup, teardown),
		cmocka_unit_test(harden),
	};

	setenv("LAWTAP_TEST_FAST_KDF", "1", 1);
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
