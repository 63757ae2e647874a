/* test_audit.c - the audit log: exact bytes, the chain, every kind of tampering, crash and acknowledgement. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <sodium.h>

#include "cmd.h"
#include "mgmt/audit.h"
#include "util/rmtree.h"

#define T0	1793491200	/* 2026-11-01T00:00:00Z */

static uint8_t key[LT_AUDIT_KEY_LEN], sk[64], pk[32], sk2[64], pk2[32];

struct fx {
	char dir[64];
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	uint8_t seed[32];

	if (f == NULL || sodium_init() < 0)
		return -1;
	for (int i = 0; i < 32; i++) {
		key[i] = (uint8_t)i;
		seed[i] = (uint8_t)(0xa0 + i);
	}
	crypto_sign_seed_keypair(pk, sk, seed);
	seed[0] ^= 1;
	crypto_sign_seed_keypair(pk2, sk2, seed);
	/* tmpfs where there is one: each append fsyncs three times */
	strcpy(f->dir, access("/dev/shm", W_OK) == 0 ? "/dev/shm/lt-audit-XXXXXX" :
	    "/tmp/lt-audit-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	lt_rmtree(f->dir);
	free(f);
	return 0;
}

/* --- helpers --- */

static char *
slurp(const char *dir, const char *name, size_t *len)
{
	char path[128], *b;
	FILE *fp;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "rb")) == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	b[n] = '\0';
	*len = (size_t)n;
	return b;
}

static void
spit(const char *dir, const char *name, const void *b, size_t len)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(fp = fopen(path, "wb"));
	assert_int_equal(fwrite(b, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static struct lt_audit *
open_log(const char *dir, const uint8_t *s, const uint8_t *p)
{
	struct lt_audit *a = NULL;
	char err[512];

	if (lt_audit_open(dir, key, s, p, &a, err, sizeof(err)) != 0)
		fail_msg("open: %s", err);
	return a;
}

/* Appends n "session" events numbered from base; a commit where i % every == every - 1. */
static void
fill(struct lt_audit *a, int base, int n, int every)
{
	char err[512];

	for (int i = base; i < base + n; i++) {
		json_t *d;
		int64_t r;

		if (every > 0 && i % every == every - 1) {
			char h[65];

			memset(h, 'a' + i % 6, 64);
			h[64] = '\0';
			d = json_pack("{s:i,s:s}", "generation", i, "store_hash", h);
			r = lt_audit_append_at(a, T0 + i, LT_AUDIT_DAEMON, "commit",
			    d, err, sizeof(err));
		} else {
			d = json_pack("{s:s,s:i}", "warrant", "W0123456789abcdef",
			    "n", i);
			r = lt_audit_append_at(a, T0 + i, i % 2 ? LT_AUDIT_OFFICER :
			    LT_AUDIT_OPERATOR, "login", d, err, sizeof(err));
		}
		json_decref(d);
		if (r < 0)
			fail_msg("append %d: %s", i, err);
	}
}

static struct lt_audit_sum
verify(const char *dir, const uint8_t *p)
{
	struct lt_audit_sum s;
	char msg[512];

	assert_int_equal(lt_audit_verify(dir, key, p, &s, msg, sizeof(msg)), 0);
	return s;
}

static void
expect_problem(const char *dir, enum lt_audit_problem p, uint64_t seq)
{
	struct lt_audit_sum s;
	char msg[512];

	if (lt_audit_verify(dir, key, pk, &s, msg, sizeof(msg)) != 0)
		fail_msg("verify: %s", msg);
	if (s.problem != p || s.first_bad_seq != seq)
		fail_msg("want %s at seq %llu, got %s at seq %llu: %s",
		    lt_audit_problem_name(p), (unsigned long long)seq,
		    lt_audit_problem_name(s.problem),
		    (unsigned long long)s.first_bad_seq, msg);
}

/* Line i of buf (0-based): start and length including '\n'. */
static void
line_at(const char *b, size_t len, unsigned i, size_t *off, size_t *n)
{
	size_t p = 0;

	for (unsigned k = 0; k < i; k++) {
		const char *nl = memchr(b + p, '\n', len - p);

		assert_non_null(nl);
		p = (size_t)(nl - b) + 1;
	}
	*off = p;
	*n = (size_t)((const char *)memchr(b + p, '\n', len - p) - (b + p)) + 1;
}

static unsigned
count_lines(const char *b, size_t len)
{
	unsigned n = 0;

	for (size_t i = 0; i < len; i++)
		n += b[i] == '\n';
	return n;
}

/* Writes b with line i removed. */
static void
write_without(const char *dir, const char *b, size_t len, unsigned i)
{
	size_t off, n;
	char *c = malloc(len);

	line_at(b, len, i, &off, &n);
	memcpy(c, b, off);
	memcpy(c + off, b + off + n, len - off - n);
	spit(dir, LT_AUDIT_LOG, c, len - n);
	free(c);
}

/* Writes b with line i inserted again after line j. */
static void
write_dup(const char *dir, const char *b, size_t len, unsigned i, unsigned j)
{
	size_t io, in, jo, jn;
	char *c = malloc(2 * len);

	line_at(b, len, i, &io, &in);
	line_at(b, len, j, &jo, &jn);
	memcpy(c, b, jo + jn);
	memcpy(c + jo + jn, b + io, in);
	memcpy(c + jo + jn + in, b + jo + jn, len - jo - jn);
	spit(dir, LT_AUDIT_LOG, c, len + in);
	free(c);
}

/* Writes b with lines i and i+1 swapped. */
static void
write_swapped(const char *dir, const char *b, size_t len, unsigned i)
{
	size_t io, in, jo, jn;
	char *c = malloc(len);

	line_at(b, len, i, &io, &in);
	line_at(b, len, i + 1, &jo, &jn);
	memcpy(c, b, len);
	memcpy(c + io, b + jo, jn);
	memcpy(c + io + jn, b + io, in);
	spit(dir, LT_AUDIT_LOG, c, len);
	free(c);
}

/* --- tests --- */

static void
kdf_is_blake2b_with_context(void **state)
{
	uint8_t mk[32], got[32], want[32], salt[16] = { 1 }, personal[16] = { 0 };

	(void)state;
	for (int i = 0; i < 32; i++)
		mk[i] = (uint8_t)(0x40 + i);
	memcpy(personal, "lt-audit", 8);
	assert_int_equal(crypto_generichash_blake2b_salt_personal(want, 32, NULL, 0,
	    mk, 32, salt, personal), 0);
	assert_int_equal(lt_audit_key_from_machine(mk, got), 0);
	assert_memory_equal(got, want, 32);
	mk[31] ^= 1;
	assert_int_equal(lt_audit_key_from_machine(mk, got), 0);
	assert_memory_not_equal(got, want, 32);
}

static void
first_entry_exact_bytes(void **state)
{
	struct fx *f = *state;
	static const char body[] = "{\"seq\":0,\"time\":\"2026-11-01T00:00:00Z\","
	    "\"role\":\"officer\",\"event\":\"login\",\"detail\":{\"method\":"
	    "\"console\",\"n\":7}}";
	uint8_t zero[32] = { 0 }, mac[32], tag[32], be[8] = { 0, 0, 0, 0, 0, 0, 0, 1 };
	char want[512], hex[65], thex[65], err[256], *got;
	crypto_generichash_state st;
	struct lt_audit *a;
	struct stat sb;
	json_t *d;
	size_t len;

	crypto_generichash_init(&st, key, 32, 32);
	crypto_generichash_update(&st, zero, 32);
	crypto_generichash_update(&st, (const uint8_t *)body, strlen(body));
	crypto_generichash_final(&st, mac, 32);
	sodium_bin2hex(hex, sizeof(hex), mac, 32);
	snprintf(want, sizeof(want), "%.*s,\"mac\":\"%s\"}\n",
	    (int)strlen(body) - 1, body, hex);

	a = open_log(f->dir, sk, pk);
	assert_int_equal(lt_audit_torn(a), 0);
	d = json_pack("{s:i,s:s}", "n", 7, "method", "console");	/* sorted on write */
	assert_int_equal(lt_audit_append_at(a, T0, LT_AUDIT_OFFICER, "login", d, err,
	    sizeof(err)), 0);
	json_decref(d);
	lt_audit_close(a);

	assert_non_null(got = slurp(f->dir, LT_AUDIT_LOG, &len));
	assert_string_equal(got, want);
	free(got);

	crypto_generichash_init(&st, key, 32, 32);
	crypto_generichash_update(&st, (const uint8_t *)"lawtap-audit-head-v1", 20);
	crypto_generichash_update(&st, be, 8);
	crypto_generichash_update(&st, mac, 32);
	crypto_generichash_final(&st, tag, 32);
	sodium_bin2hex(thex, sizeof(thex), tag, 32);
	snprintf(want, sizeof(want), "lawtap-audit-head 1 entries=1 mac=%s tag=%s\n",
	    hex, thex);
	assert_non_null(got = slurp(f->dir, LT_AUDIT_HEAD, &len));
	assert_string_equal(got, want);
	free(got);

	snprintf(want, sizeof(want), "%s/%s", f->dir, LT_AUDIT_LOG);
	assert_int_equal(stat(want, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
}

static void
checkpoint_exact_signature(void **state)
{
	struct fx *f = *state;
	uint8_t m[26 + 8 + 32], sig[64], prev[32];
	char *b, *p, hex[129];
	struct lt_audit *a;
	size_t len, off, n;

	a = open_log(f->dir, sk, pk);
	fill(a, 0, 63, 0);
	lt_audit_close(a);
	b = slurp(f->dir, LT_AUDIT_LOG, &len);
	assert_int_equal(count_lines(b, len), 64);
	/* the mac of seq 62, then the checkpoint as seq 63 */
	line_at(b, len, 62, &off, &n);
	p = strstr(b + off, "\"mac\":\"") + 7;
	sodium_hex2bin(prev, 32, p, 64, NULL, NULL, NULL);
	memcpy(m, "lawtap-audit-checkpoint-v1", 26);
	memset(m + 26, 0, 8);
	m[26 + 7] = 63;
	memcpy(m + 34, prev, 32);
	crypto_sign_detached(sig, NULL, m, sizeof(m), sk);	/* Ed25519 is deterministic */
	sodium_bin2hex(hex, sizeof(hex), sig, 64);
	line_at(b, len, 63, &off, &n);
	{
		static const char pre[] = "{\"seq\":63,\"time\":\"2026-11-01T00:01:02Z\","
		    "\"role\":\"daemon\",\"event\":\"checkpoint\",\"detail\":{\"sig\":\"";

		assert_memory_equal(b + off, pre, sizeof(pre) - 1);
		assert_memory_equal(b + off + sizeof(pre) - 1, hex, 128);
		assert_memory_equal(b + off + sizeof(pre) - 1 + 128, "\"}", 2);
	}
	free(b);
	assert_int_equal(verify(f->dir, pk).checkpoints, 1);
}

static void
chain_of_200(void **state)
{
	struct fx *f = *state;
	struct lt_audit_sum s;
	struct lt_audit *a;
	uint8_t h[32];
	uint64_t gen;
	char err[256], *b;
	size_t len;

	a = open_log(f->dir, sk, pk);
	fill(a, 0, 200, 80);	/* commits at 79 and 159 */
	lt_audit_close(a);
	s = verify(f->dir, pk);
	assert_int_equal(s.problem, LT_AUDIT_P_NONE);
	/*
	 * 200 entries and 4 checkpoints: 63 entries, checkpoint 63, 17 to the
	 * commit at 80, checkpoint 81, 63 more, checkpoint 145, 17 to the commit
	 * at 162, checkpoint 163, 40 more.
	 */
	b = slurp(f->dir, LT_AUDIT_LOG, &len);
	assert_int_equal(s.entries, count_lines(b, len));
	assert_int_equal(s.entries, 204);
	assert_int_equal(s.last_seq, 203);
	assert_int_equal(s.checkpoints, 4);
	{
		static const unsigned cp[] = { 63, 81, 145, 163 }, commit[] = { 80, 162 };
		size_t off, n;

		for (unsigned i = 0; i < 4; i++) {
			line_at(b, len, cp[i], &off, &n);
			assert_non_null(memmem(b + off, n, "\"event\":\"checkpoint\"", 20));
		}
		for (unsigned i = 0; i < 2; i++) {
			line_at(b, len, commit[i], &off, &n);
			assert_non_null(memmem(b + off, n, "\"event\":\"commit\"", 16));
		}
	}
	free(b);
	assert_int_equal(lt_audit_last_commit(f->dir, key, pk, &gen, h, err,
	    sizeof(err)), 1);
	assert_int_equal(gen, 159);
	for (int i = 0; i < 32; i++)
		assert_int_equal(h[i], 0xdd);	/* 'a' + 159 % 6, as hex */
	/* without the public key: the chain is still checked, signatures are not */
	s = verify(f->dir, NULL);
	assert_int_equal(s.problem, LT_AUDIT_P_NONE);
	assert_int_equal(s.checkpoints, 0);
}

static void
reopen_and_two_writers(void **state)
{
	struct fx *f = *state;
	struct lt_audit *a, *b;
	struct lt_audit_sum s;
	char err[256];

	a = open_log(f->dir, sk, pk);
	fill(a, 0, 10, 0);
	lt_audit_close(a);
	a = open_log(f->dir, sk, pk);
	b = open_log(f->dir, sk, pk);
	for (int i = 0; i < 70; i++)
		fill(i % 3 ? a : b, 10 + i, 1, 0);
	assert_int_equal(lt_audit_append_at(b, T0, LT_AUDIT_DAEMON, "export", NULL,
	    err, sizeof(err)), 81);	/* 80 entries and the checkpoint at 63 */
	lt_audit_close(a);
	lt_audit_close(b);
	s = verify(f->dir, pk);
	assert_int_equal(s.problem, LT_AUDIT_P_NONE);
	assert_int_equal(s.last_seq, 81);
	assert_int_equal(s.checkpoints, 1);
}

/* A log of 200 entries with commits; saved bytes returned. */
static char *
make_200(struct fx *f, size_t *len)
{
	struct lt_audit *a = open_log(f->dir, sk, pk);

	fill(a, 0, 200, 90);	/* commits at 89 and 179 */
	lt_audit_close(a);
	return slurp(f->dir, LT_AUDIT_LOG, len);
}

static void
deleted_lines(void **state)
{
	struct fx *f = *state;
	size_t len;
	char *b = make_200(f, &len);
	unsigned last = count_lines(b, len) - 1;
	static const unsigned at[] = { 0, 1, 62, 63, 64, 90, 91, 150 };

	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		write_without(f->dir, b, len, at[i]);
		expect_problem(f->dir, LT_AUDIT_P_SEQ, at[i]);
	}
	/* the last line, then the last two: only audit.head knows */
	write_without(f->dir, b, len, last);
	expect_problem(f->dir, LT_AUDIT_P_HEAD, last);
	{
		size_t off, n;

		line_at(b, len, last - 1, &off, &n);
		spit(f->dir, LT_AUDIT_LOG, b, off);
		expect_problem(f->dir, LT_AUDIT_P_HEAD, last - 1);
	}
	/* everything */
	spit(f->dir, LT_AUDIT_LOG, b, 0);
	expect_problem(f->dir, LT_AUDIT_P_HEAD, 0);
	free(b);
}

static void
inserted_lines(void **state)
{
	struct fx *f = *state;
	size_t len;
	char *b = make_200(f, &len);
	unsigned last = count_lines(b, len) - 1;
	static const unsigned at[] = { 0, 5, 62, 63, 89, 90 };

	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		write_dup(f->dir, b, len, at[i], at[i]);	/* a replayed line */
		expect_problem(f->dir, LT_AUDIT_P_SEQ, at[i] + 1);
		write_dup(f->dir, b, len, at[i] + 3, at[i]);	/* a later line early */
		expect_problem(f->dir, LT_AUDIT_P_SEQ, at[i] + 1);
	}
	write_dup(f->dir, b, len, last - 1, last);
	expect_problem(f->dir, LT_AUDIT_P_SEQ, last + 1);
	free(b);
}

static void
inserted_forged_entry(void **state)
{
	struct fx *f = *state;
	char other[96], *b, *o, *c;
	size_t len, olen, off, n;
	struct lt_audit *a;
	uint8_t k2[32];

	b = make_200(f, &len);
	/* the same history written with another audit key: each line is well formed */
	snprintf(other, sizeof(other), "%s/other", f->dir);
	assert_int_equal(mkdir(other, 0700), 0);
	memcpy(k2, key, 32);
	key[0] ^= 0x80;
	a = open_log(other, sk, pk);
	fill(a, 0, 200, 90);
	lt_audit_close(a);
	memcpy(key, k2, 32);
	o = slurp(other, LT_AUDIT_LOG, &olen);
	assert_int_equal(olen, len);
	/* replace line 0, 100 and the last with the other key's (same seq, same text) */
	for (unsigned i = 0; i < 3; i++) {
		unsigned at = i == 0 ? 0 : i == 1 ? 100 : count_lines(b, len) - 1;

		c = malloc(len);
		memcpy(c, b, len);
		line_at(b, len, at, &off, &n);
		memcpy(c + off, o + off, n);
		spit(f->dir, LT_AUDIT_LOG, c, len);
		expect_problem(f->dir, LT_AUDIT_P_MAC, at);
		free(c);
	}
	free(o);
	free(b);
}

static void
reordered_lines(void **state)
{
	struct fx *f = *state;
	size_t len;
	char *b = make_200(f, &len);
	unsigned last = count_lines(b, len) - 1;
	static const unsigned at[] = { 0, 61, 62, 63, 89, 90 };

	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		write_swapped(f->dir, b, len, at[i]);
		expect_problem(f->dir, LT_AUDIT_P_SEQ, at[i]);
	}
	write_swapped(f->dir, b, len, last - 1);
	expect_problem(f->dir, LT_AUDIT_P_SEQ, last - 1);
	free(b);
}

static void
edited_values(void **state)
{
	struct fx *f = *state;
	size_t len, off, n;
	char *b = make_200(f, &len), *c = malloc(len), *p;
	unsigned last = count_lines(b, len) - 1;
	static const unsigned at[] = { 0, 62, 63, 64, 89, 90, 150, 0 };

	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		unsigned ln = i == sizeof(at) / sizeof(at[0]) - 1 ? last : at[i];

		memcpy(c, b, len);
		line_at(b, len, ln, &off, &n);
		/* a time one second later: still a well-formed entry */
		p = memmem(c + off, n, "Z\"", 2);
		p[-1] = p[-1] == '9' ? '8' : (char)(p[-1] + 1);
		spit(f->dir, LT_AUDIT_LOG, c, len);
		expect_problem(f->dir, LT_AUDIT_P_MAC, ln);
		/* the role */
		memcpy(c, b, len);
		if ((p = memmem(c + off, n, "\"operator\"", 10)) != NULL) {
			memcpy(p, "\"officer\" ", 10);
			spit(f->dir, LT_AUDIT_LOG, c, len);
			expect_problem(f->dir, LT_AUDIT_P_SYNTAX, ln);
		}
	}
	free(c);
	free(b);
}

/* Every byte of a short log, changed three ways: never still verifies. */
static void
every_byte_edited(void **state)
{
	struct fx *f = *state;
	struct lt_audit *a = open_log(f->dir, sk, pk);
	size_t len;
	char *b, *c;
	static const uint8_t x[] = { 0x01, 0x20, 0x80 };

	fill(a, 0, 8, 4);	/* commits at 3 and 7, each with its checkpoint */
	lt_audit_close(a);
	b = slurp(f->dir, LT_AUDIT_LOG, &len);
	c = malloc(len);
	assert_int_equal(verify(f->dir, pk).problem, LT_AUDIT_P_NONE);
	for (size_t i = 0; i < len; i++)
		for (size_t k = 0; k < sizeof(x); k++) {
			struct lt_audit_sum s;

			memcpy(c, b, len);
			c[i] ^= (char)x[k];
			spit(f->dir, LT_AUDIT_LOG, c, len);
			s = verify(f->dir, pk);
			if (s.problem == LT_AUDIT_P_NONE || s.problem == LT_AUDIT_P_TORN)
				fail_msg("byte %zu ^ 0x%02x not detected", i, x[k]);
		}
	free(c);
	free(b);
}

static void
forged_checkpoint(void **state)
{
	struct fx *f = *state;
	struct lt_audit *a;
	size_t len, off, n;
	char *b, *c, *p;

	/* someone with the audit key but another signing key wrote the log */
	a = open_log(f->dir, sk2, pk2);
	fill(a, 0, 70, 0);
	lt_audit_close(a);
	expect_problem(f->dir, LT_AUDIT_P_SIG, 63);
	assert_int_equal(verify(f->dir, pk2).problem, LT_AUDIT_P_NONE);
	/* a signature bit flipped, mac left alone: the mac catches it first */
	b = slurp(f->dir, LT_AUDIT_LOG, &len);
	c = malloc(len);
	memcpy(c, b, len);
	line_at(b, len, 63, &off, &n);
	p = memmem(c + off, n, "\"sig\":\"", 7) + 7;
	*p = *p == '0' ? '1' : '0';
	spit(f->dir, LT_AUDIT_LOG, c, len);
	expect_problem(f->dir, LT_AUDIT_P_MAC, 63);
	free(c);
	free(b);
}

/*
 * Line i of b replaced by (event, detail) with a right mac, and the lines
 * after it dropped; audit.head made to match (as one holding the key could).
 */
static void
forge_at(const char *dir, const char *b, size_t len, unsigned i, const char *event,
    const char *detail)
{
	char body[1024], line[1200], hex[65], head[256], thex[65], *c;
	uint8_t prev[32] = { 0 }, mac[32], tag[32], be[8] = { 0 };
	crypto_generichash_state st;
	size_t off, n;

	line_at(b, len, i, &off, &n);
	if (i > 0) {
		size_t po, pn;

		line_at(b, len, i - 1, &po, &pn);
		sodium_hex2bin(prev, 32, b + po + pn - 67, 64, NULL, NULL, NULL);
	}
	snprintf(body, sizeof(body), "{\"seq\":%u,\"time\":\"2026-11-01T00:00:00Z\","
	    "\"role\":\"daemon\",\"event\":\"%s\",\"detail\":%s}", i, event, detail);
	crypto_generichash_init(&st, key, 32, 32);
	crypto_generichash_update(&st, prev, 32);
	crypto_generichash_update(&st, (const uint8_t *)body, strlen(body));
	crypto_generichash_final(&st, mac, 32);
	sodium_bin2hex(hex, sizeof(hex), mac, 32);
	snprintf(line, sizeof(line), "%.*s,\"mac\":\"%s\"}\n", (int)strlen(body) - 1,
	    body, hex);
	c = malloc(off + strlen(line));
	memcpy(c, b, off);
	memcpy(c + off, line, strlen(line));
	spit(dir, LT_AUDIT_LOG, c, off + strlen(line));
	free(c);
	be[7] = (uint8_t)(i + 1);
	crypto_generichash_init(&st, key, 32, 32);
	crypto_generichash_update(&st, (const uint8_t *)"lawtap-audit-head-v1", 20);
	crypto_generichash_update(&st, be, 8);
	crypto_generichash_update(&st, mac, 32);
	crypto_generichash_final(&st, tag, 32);
	sodium_bin2hex(thex, sizeof(thex), tag, 32);
	snprintf(head, sizeof(head), "lawtap-audit-head 1 entries=%u mac=%s tag=%s\n",
	    i + 1, hex, thex);
	spit(dir, LT_AUDIT_HEAD, head, strlen(head));
}

static void
checkpoint_rules(void **state)
{
	struct fx *f = *state;
	struct lt_audit *a = open_log(f->dir, sk, pk);
	const char *why;
	struct lt_audit_entry e;
	size_t len, off, n;
	char *b;

	fill(a, 0, 5, 3);	/* commit at 2, checkpoint at 3 */
	lt_audit_close(a);
	b = slurp(f->dir, LT_AUDIT_LOG, &len);
	line_at(b, len, 3, &off, &n);
	assert_int_equal(lt_audit_parse_line(b + off, n - 1, &e, NULL, NULL, NULL,
	    &why), 0);
	assert_string_equal(e.event, "checkpoint");
	assert_int_equal(e.role, LT_AUDIT_DAEMON);
	json_decref(e.detail);
	line_at(b, len, 2, &off, &n);
	assert_non_null(memmem(b + off, n, "\"event\":\"commit\"", 16));
	free(b);
	assert_int_equal(verify(f->dir, pk).checkpoints, 1);

	/* forged with the audit key: the forger cannot sign, nor skip a checkpoint */
	a = open_log(f->dir, sk, pk);
	fill(a, 5, 70, 0);
	lt_audit_close(a);
	b = slurp(f->dir, LT_AUDIT_LOG, &len);
	forge_at(f->dir, b, len, 5, "login", "{}");
	assert_int_equal(verify(f->dir, pk).problem, LT_AUDIT_P_NONE);	/* the forger's own check */
	forge_at(f->dir, b, len, 3, "login", "{}");	/* the one after a commit */
	expect_problem(f->dir, LT_AUDIT_P_CHECKPOINT, 3);
	forge_at(f->dir, b, len, 6, "checkpoint", "{\"sig\":\"" /* 128 zeros */
	    "0000000000000000000000000000000000000000000000000000000000000000"
	    "0000000000000000000000000000000000000000000000000000000000000000\"}");
	expect_problem(f->dir, LT_AUDIT_P_CHECKPOINT, 6);
	forge_at(f->dir, b, len, 67, "login", "{}");	/* 63 after the one at 3 */
	expect_problem(f->dir, LT_AUDIT_P_CHECKPOINT, 67);
	forge_at(f->dir, b, len, 67, "checkpoint", "{\"sig\":\""
	    "0000000000000000000000000000000000000000000000000000000000000000"
	    "0000000000000000000000000000000000000000000000000000000000000000\"}");
	expect_problem(f->dir, LT_AUDIT_P_SIG, 67);
	forge_at(f->dir, b, len, 8, "torn-ack", "{}");
	expect_problem(f->dir, LT_AUDIT_P_ACK, 8);
	free(b);
}

static void
crash_torn_tail(void **state)
{
	struct fx *f = *state;
	struct lt_audit *a;
	struct lt_audit_sum s;
	char err[512], *b, *after;
	size_t len, len2;
	json_t *d;

	a = open_log(f->dir, sk, pk);
	fill(a, 0, 10, 0);
	lt_audit_close(a);
	b = slurp(f->dir, LT_AUDIT_LOG, &len);
	/* the writer died 40 bytes into seq 10 (audit.head still says 10) */
	{
		char *c = malloc(len + 40);

		memcpy(c, b, len);
		memcpy(c + len, "{\"seq\":10,\"time\":\"2026-11-01T00:00:10Z\"", 40);
		spit(f->dir, LT_AUDIT_LOG, c, len + 40);
		free(c);
	}
	expect_problem(f->dir, LT_AUDIT_P_TORN, 10);
	assert_int_equal(lt_audit_last_commit(f->dir, key, pk, &(uint64_t){ 0 },
	    (uint8_t[32]){ 0 }, err, sizeof(err)), 0);

	a = open_log(f->dir, sk, pk);
	assert_int_equal(lt_audit_torn(a), 1);
	d = json_pack("{s:s}", "result", "ok");
	assert_int_equal(lt_audit_append_at(a, T0, LT_AUDIT_OFFICER, "login", d, err,
	    sizeof(err)), LT_AUDIT_ETORN);
	assert_non_null(strstr(err, "officer acknowledges"));
	assert_int_equal(lt_audit_ack_torn(a, LT_AUDIT_OPERATOR, err, sizeof(err)),
	    LT_AUDIT_EINVAL);
	free(b);
	b = slurp(f->dir, LT_AUDIT_LOG, &len2);
	assert_int_equal(len2, len + 40);	/* untouched by the refusals */
	assert_int_equal(lt_audit_ack_torn(a, LT_AUDIT_OFFICER, err, sizeof(err)), 10);
	assert_int_equal(lt_audit_torn(a), 0);
	assert_int_equal(lt_audit_ack_torn(a, LT_AUDIT_OFFICER, err, sizeof(err)),
	    LT_AUDIT_EINVAL);
	assert_int_equal(lt_audit_append_at(a, T0, LT_AUDIT_OFFICER, "login", d, err,
	    sizeof(err)), 11);
	json_decref(d);
	lt_audit_close(a);
	s = verify(f->dir, pk);
	assert_int_equal(s.problem, LT_AUDIT_P_NONE);
	assert_int_equal(s.acked_torn, 1);
	assert_int_equal(s.last_seq, 11);
	/* the torn bytes are kept, ended by '\n', and the ack names them */
	after = slurp(f->dir, LT_AUDIT_LOG, &len2);
	assert_memory_equal(after, b, len + 40);
	assert_int_equal(after[len + 40], '\n');
	assert_non_null(strstr(after + len + 41, "\"role\":\"officer\",\"event\":"
	    "\"torn-ack\",\"detail\":{\"blake2b\":\""));
	assert_non_null(strstr(after + len + 41, "\"bytes\":40}"));
	/* an edit of the acknowledged torn bytes is no longer covered */
	after[len + 3] = 'X';
	spit(f->dir, LT_AUDIT_LOG, after, len2);
	expect_problem(f->dir, LT_AUDIT_P_SYNTAX, 10);
	free(after);
	free(b);
}

static void
crash_after_whole_line(void **state)
{
	struct fx *f = *state;
	char err[256], *head, *b;
	size_t hlen, len;
	struct lt_audit *a;

	a = open_log(f->dir, sk, pk);
	fill(a, 0, 5, 0);
	lt_audit_close(a);
	head = slurp(f->dir, LT_AUDIT_HEAD, &hlen);
	a = open_log(f->dir, sk, pk);
	fill(a, 5, 1, 0);
	lt_audit_close(a);
	/* the last write lost its '\n' and the head was never replaced */
	b = slurp(f->dir, LT_AUDIT_LOG, &len);
	spit(f->dir, LT_AUDIT_LOG, b, len - 1);
	spit(f->dir, LT_AUDIT_HEAD, head, hlen);
	expect_problem(f->dir, LT_AUDIT_P_TORN, 5);
	a = open_log(f->dir, sk, pk);
	assert_int_equal(lt_audit_ack_torn(a, LT_AUDIT_OFFICER, err, sizeof(err)), 5);
	fill(a, 6, 1, 0);
	lt_audit_close(a);
	assert_int_equal(verify(f->dir, pk).problem, LT_AUDIT_P_NONE);
	assert_int_equal(verify(f->dir, pk).last_seq, 6);
	/* a head that lags behind whole entries is a crash before its rename: fine */
	spit(f->dir, LT_AUDIT_HEAD, head, hlen);
	assert_int_equal(verify(f->dir, pk).problem, LT_AUDIT_P_NONE);
	free(b);
	free(head);
}

static void
truncated_last_line_is_not_a_crash(void **state)
{
	struct fx *f = *state;
	struct lt_audit *a;
	char err[256], *b;
	size_t len;

	a = open_log(f->dir, sk, pk);
	fill(a, 0, 12, 0);
	lt_audit_close(a);
	b = slurp(f->dir, LT_AUDIT_LOG, &len);
	/* cut inside the last line while audit.head records it whole */
	spit(f->dir, LT_AUDIT_LOG, b, len - 30);
	expect_problem(f->dir, LT_AUDIT_P_HEAD, 11);
	{
		struct lt_audit *x = NULL;

		assert_int_equal(lt_audit_open(f->dir, key, sk, pk, &x, err,
		    sizeof(err)), LT_AUDIT_ETAMPER);
		assert_null(x);
		assert_non_null(strstr(err, "cut from the end"));
	}
	free(b);
}

static void
head_missing_or_forged(void **state)
{
	struct fx *f = *state;
	struct lt_audit *a = open_log(f->dir, sk, pk);
	char path[128], *h;
	size_t len;

	fill(a, 0, 3, 0);
	lt_audit_close(a);
	h = slurp(f->dir, LT_AUDIT_HEAD, &len);
	snprintf(path, sizeof(path), "%s/%s", f->dir, LT_AUDIT_HEAD);
	assert_int_equal(unlink(path), 0);
	expect_problem(f->dir, LT_AUDIT_P_HEAD, 3);
	h[len - 2] ^= 1;	/* a tag digit */
	spit(f->dir, LT_AUDIT_HEAD, h, len);
	expect_problem(f->dir, LT_AUDIT_P_HEAD, 3);
	h[len - 2] ^= 1;
	h[strlen("lawtap-audit-head 1 entries=")] = '9';	/* more entries than there are */
	spit(f->dir, LT_AUDIT_HEAD, h, len);
	expect_problem(f->dir, LT_AUDIT_P_HEAD, 3);
	free(h);
}

static void
commits_and_rollback_record(void **state)
{
	struct fx *f = *state;
	struct lt_audit *a = open_log(f->dir, sk, pk);
	uint8_t h[32];
	uint64_t gen = 77;
	char err[256], hx[65];
	json_t *d;
	size_t len;
	char *b;

	assert_int_equal(lt_audit_last_commit(f->dir, key, pk, &gen, h, err,
	    sizeof(err)), 0);
	assert_int_equal(gen, 77);
	memset(hx, 'c', 64);
	hx[64] = '\0';
	d = json_pack("{s:i,s:s}", "generation", 4, "store_hash", hx);
	assert_int_equal(lt_audit_append_at(a, T0, LT_AUDIT_OFFICER, "commit", d,
	    err, sizeof(err)), 0);
	json_decref(d);
	/* a commit needs both fields, well formed */
	hx[3] = 'C';
	d = json_pack("{s:i,s:s}", "generation", 5, "store_hash", hx);
	assert_int_equal(lt_audit_append_at(a, T0, LT_AUDIT_OFFICER, "commit", d,
	    err, sizeof(err)), LT_AUDIT_EINVAL);
	json_decref(d);
	d = json_pack("{s:i}", "generation", 5);
	assert_int_equal(lt_audit_append_at(a, T0, LT_AUDIT_OFFICER, "commit", d,
	    err, sizeof(err)), LT_AUDIT_EINVAL);
	json_decref(d);
	lt_audit_close(a);
	assert_int_equal(lt_audit_last_commit(f->dir, key, pk, &gen, h, err,
	    sizeof(err)), 1);
	assert_int_equal(gen, 4);
	assert_int_equal(h[0], 0xcc);
	assert_int_equal(verify(f->dir, pk).last_seq, 1);	/* commit, checkpoint */
	b = slurp(f->dir, LT_AUDIT_LOG, &len);
	b[10] ^= 1;
	spit(f->dir, LT_AUDIT_LOG, b, len);
	assert_int_equal(lt_audit_last_commit(f->dir, key, pk, &gen, h, err,
	    sizeof(err)), LT_AUDIT_ETAMPER);
	free(b);
}

static void
details_never_name_targets(void **state)
{
	struct fx *f = *state;
	struct lt_audit *a = open_log(f->dir, sk, pk);
	static const char *const bad[] = {
		"{\"liid\":\"NZP-2026-0001\"}",
		"{\"targets\":[\"x\"]}",
		"{\"result\":{\"username\":\"bob\"}}",
		"{\"note\":\"203.0.113.7\"}",
		"{\"note\":[\"2001:db8::/32\"]}",
		"{\"warrant\":\"NZP-2026-0001\"}",
		"{\"warrant\":\"W0123456789ABCDEF\"}",
		"{\"warrants\":[\"W0123456789abcdef\",\"bob\"]}",
		"{\"warrant\":\"W0123456789abcdef\",\"agency\":\"police\"}",
		"{\"Result\":1}",
		"{\"x\":1.5}",
		"{\"a\":{\"b\":{\"c\":{\"d\":{}}}}}",
		"[1]",
	};
	static const char *const events[] = {
		"checkpoint", "torn-ack", "", "Login", "log in",
		"a23456789012345678901234567890123",
	};
	char err[256], *before, *after;
	size_t l1, l2;
	json_t *d;

	fill(a, 0, 2, 0);
	before = slurp(f->dir, LT_AUDIT_LOG, &l1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_non_null(d = json_loads(bad[i], 0, NULL));
		if (lt_audit_append_at(a, T0, LT_AUDIT_OFFICER, "import", d, err,
		    sizeof(err)) != LT_AUDIT_EINVAL)
			fail_msg("accepted %s", bad[i]);
		assert_null(strstr(err, "NZP"));
		assert_null(strstr(err, "203.0"));
		assert_null(strstr(err, "bob"));
		json_decref(d);
	}
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		assert_int_equal(lt_audit_append_at(a, T0, LT_AUDIT_OFFICER,
		    events[i], NULL, err, sizeof(err)), LT_AUDIT_EINVAL);
	after = slurp(f->dir, LT_AUDIT_LOG, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(before, after, l1);
	d = json_pack("{s:s,s:[s],s:s,s:i}", "warrant", "W0123456789abcdef",
	    "warrants", "Wfedcba9876543210", "result", "rejected: expired", "serial", 9);
	assert_int_equal(lt_audit_append_at(a, T0, LT_AUDIT_OFFICER, "import", d, err,
	    sizeof(err)), 2);
	json_decref(d);
	lt_audit_close(a);
	free(before);
	free(after);
}

static void
parse_line_canonical_only(void **state)
{
	static const char good[] = "{\"seq\":3,\"time\":\"2026-11-01T00:00:00Z\","
	    "\"role\":\"daemon\",\"event\":\"x\",\"detail\":{\"a\":[1,\"b\",true,"
	    "null]},\"mac\":\"00112233445566778899aabbccddeeff00112233445566778899"
	    "aabbccddeeff\"}";
	static const char *const bad[] = {
		/* spacing, order, case, duplicates, extra fields, types */
		"{\"seq\": 3,\"time\":\"2026-11-01T00:00:00Z\",",
		"{\"time\":\"2026-11-01T00:00:00Z\",\"seq\":3,",
		"{\"seq\":03,\"time\":\"2026-11-01T00:00:00Z\",",
		"{\"seq\":-3,\"time\":\"2026-11-01T00:00:00Z\",",
		"{\"seq\":3.0,\"time\":\"2026-11-01T00:00:00Z\",",
		"{\"seq\":\"3\",\"time\":\"2026-11-01T00:00:00Z\",",
		"{\"seq\":3,\"time\":\"2026-11-01T00:00:00+00:00\",",
		"{\"seq\":3,\"time\":\"2026-02-30T00:00:00Z\",",
	};
	struct lt_audit_entry e;
	const char *why;
	char buf[512];

	(void)state;
	assert_int_equal(lt_audit_parse_line(good, strlen(good), &e, NULL, NULL,
	    NULL, &why), 0);
	assert_int_equal(e.seq, 3);
	assert_int_equal(e.time, T0);
	assert_int_equal(e.mac[31], 0xff);
	json_decref(e.detail);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *rest = strstr(good, "Z\",") + 3;

		snprintf(buf, sizeof(buf), "%s%s", bad[i], rest);
		if (lt_audit_parse_line(buf, strlen(buf), &e, NULL, NULL, NULL,
		    &why) != -1)
			fail_msg("accepted %s", buf);
	}
	/* whole-line variants of the good one */
	{
		static const struct { const char *from, *to; } sub[] = {
			{ "\"role\":\"daemon\"", "\"role\":\"root\"" },
			{ "\"event\":\"x\"", "\"event\":\"X\"" },
			{ "\"a\":[1,", "\"a\":[1.0," },
			{ "\"a\":[1,", "\"a\": [1," },
			{ "aabbccddeeff\"}", "AABBCCDDEEFF\"}" },
			{ "aabbccddeeff\"}", "aabbccddeef\"}" },
			{ "\"detail\":{", "\"detail\":{\"z\":1,\"a\":2},\"x\":{" },
			{ "\"mac\"", "\"seq\":3,\"mac\"" },
			{ "\"detail\":{\"a\"", "\"detail\":{\"a\":0,\"a\"" },
		};

		for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
			const char *p = strstr(good, sub[i].from);

			assert_non_null(p);
			snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(p - good), good,
			    sub[i].to, p + strlen(sub[i].from));
			if (lt_audit_parse_line(buf, strlen(buf), &e, NULL, NULL,
			    NULL, &why) != -1)
				fail_msg("accepted %s", buf);
		}
	}
	assert_int_equal(lt_audit_parse_line(good, strlen(good) - 1, &e, NULL, NULL,
	    NULL, &why), -1);
	assert_int_equal(lt_audit_parse_line("", 0, &e, NULL, NULL, NULL, &why), -1);
}

/* lawtap audit verify|show against a state dir with machine.key and appliance.pub. */
static void
command_exit_status(void **state)
{
	struct fx *f = *state;
	uint8_t mk[32], saved[32];
	char pub[160], hex[65], *b;
	char *verify_argv[] = { "audit", "verify", "--state", f->dir, NULL };
	char *show_argv[] = { "audit", "show", "--state", f->dir, NULL };
	char *bad_argv[] = { "audit", "verify", "--stat", f->dir, NULL };
	struct lt_audit *a;
	size_t len;
	int fd;

	for (int i = 0; i < 32; i++)
		mk[i] = (uint8_t)(7 * i);
	snprintf(pub, sizeof(pub), "%s/machine.key", f->dir);
	assert_true((fd = open(pub, O_WRONLY | O_CREAT | O_EXCL, 0600)) >= 0);
	assert_int_equal(write(fd, mk, 32), 32);
	close(fd);
	sodium_bin2hex(hex, sizeof(hex), pk, 32);
	snprintf(pub, sizeof(pub), "{\"box\":\"%064d\",\"sign\":\"%s\"}\n", 0, hex);
	spit(f->dir, "appliance.pub", pub, strlen(pub));

	memcpy(saved, key, 32);
	assert_int_equal(lt_audit_key_from_machine(mk, key), 0);
	a = open_log(f->dir, sk, pk);
	fill(a, 0, 70, 0);
	lt_audit_close(a);
	assert_int_equal(cmd_audit(4, verify_argv), 0);
	assert_int_equal(cmd_audit(4, show_argv), 0);
	assert_int_equal(cmd_audit(4, bad_argv), 2);
	assert_int_equal(cmd_audit(1, verify_argv), 2);
	b = slurp(f->dir, LT_AUDIT_LOG, &len);
	write_swapped(f->dir, b, len, 30);
	assert_int_equal(cmd_audit(4, verify_argv), 1);
	assert_int_equal(cmd_audit(4, show_argv), 1);
	free(b);
	memcpy(key, saved, 32);
	snprintf(pub, sizeof(pub), "%s/machine.key", f->dir);
	chmod(pub, 0644);
	assert_int_equal(cmd_audit(4, verify_argv), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kdf_is_blake2b_with_context),
		cmocka_unit_test(parse_line_canonical_only),
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(first_entry_exact_bytes),
		T(checkpoint_exact_signature),
		T(chain_of_200),
		T(reopen_and_two_writers),
		T(deleted_lines),
		T(inserted_lines),
		T(inserted_forged_entry),
		T(reordered_lines),
		T(edited_values),
		T(every_byte_edited),
		T(forged_checkpoint),
		T(checkpoint_rules),
		T(crash_torn_tail),
		T(crash_after_whole_line),
		T(truncated_last_line_is_not_a_crash),
		T(head_missing_or_forged),
		T(commits_and_rollback_record),
		T(details_never_name_targets),
		T(command_exit_status),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
