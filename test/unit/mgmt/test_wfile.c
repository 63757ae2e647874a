/* test_wfile.c - sealed warrant files: round trip, and every way a file can be refused, in memory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "mgmt/wfile.h"

#define NB	1793491200	/* 2026-11-01T00:00:00Z */
#define NA	(NB + 7 * 86400)

static uint8_t a_pk[32], a_sk[32];	/* this appliance */
static uint8_t b_pk[32], b_sk[32];	/* another one */
static uint8_t i_pk[32], i_sk[64];	/* the pinned issuer */
static uint8_t j_pk[32], j_sk[64];	/* a key no one pinned */

static const char warrant[] = "{\"liid\": \"CANARY-LIID\", \"cin\": 1}";

/* The appliance's state: pinned issuers and the serials it has seen. */
static struct {
	int fail_pinned, fail_seen;
	uint64_t seen_serial;
	const uint8_t *seen_pk;
} st;

static int
pinned(void *arg, const uint8_t pk[static 32], char *err, size_t errlen)
{
	(void)arg;
	if (st.fail_pinned) {
		snprintf(err, errlen, "pinned: store unreadable");
		return -1;
	}
	return memcmp(pk, i_pk, 32) == 0;
}

static int
seen(void *arg, const uint8_t pk[static 32], uint64_t serial, char *err, size_t errlen)
{
	(void)arg;
	if (st.fail_seen) {
		snprintf(err, errlen, "seen: store unreadable");
		return -1;
	}
	return st.seen_pk != NULL && memcmp(pk, st.seen_pk, 32) == 0 && serial == st.seen_serial;
}

static int
setup(void **state)
{
	uint8_t seed[32];
	(void)state;

	if (sodium_init() < 0)
		return -1;
	memset(seed, 0xa1, sizeof(seed));
	crypto_box_seed_keypair(a_pk, a_sk, seed);
	memset(seed, 0xb2, sizeof(seed));
	crypto_box_seed_keypair(b_pk, b_sk, seed);
	memset(seed, 0x11, sizeof(seed));
	crypto_sign_seed_keypair(i_pk, i_sk, seed);
	memset(seed, 0x22, sizeof(seed));
	crypto_sign_seed_keypair(j_pk, j_sk, seed);
	return 0;
}

static void
seal(const char *json, const uint8_t *sk, const uint8_t *to, uint64_t serial, int64_t nb,
    int64_t na, uint8_t **out, size_t *len)
{
	char err[256];

	if (lt_wfile_seal(json, strlen(json), sk, to, serial, nb, na, out, len, err,
	    sizeof(err)) != 0)
		fail_msg("%s", err);
}

static int
open_at(const uint8_t *buf, size_t len, int64_t now, json_t **j, struct lt_wfile_info *info,
    char *err, size_t errlen)
{
	struct lt_wfile_checks chk = { pinned, seen, NULL, now };

	return lt_wfile_open(buf, len, a_pk, a_sk, &chk, j, info, err, errlen);
}

/* Expects code and message; nothing comes back. */
static void
refused(const uint8_t *buf, size_t len, int64_t now, int code, const char *msg)
{
	struct lt_wfile_info info;
	json_t *j = (json_t *)1;
	char err[512];

	assert_int_equal(open_at(buf, len, now, &j, &info, err, sizeof(err)), code);
	assert_null(j);
	if (strcmp(err, msg) != 0)
		fail_msg("got  %s\nwant %s", err, msg);
	assert_null(strcasestr(err, "canary"));
}

/* Opens a file sealed to b (the test holds b's key), for re-making it. */
static uint8_t *
inner_of(const uint8_t *buf, size_t len, size_t *ilen)
{
	uint8_t *in = malloc(len);

	assert_non_null(in);
	*ilen = len - LT_WFILE_SEAL_LEN;
	assert_int_equal(crypto_box_seal_open(in, buf, len, b_pk, b_sk), 0);
	return in;
}

/* Seals inner to this appliance, signing header || json again with sk if given. */
static uint8_t *
reseal(uint8_t *in, size_t ilen, const uint8_t *sk, size_t *len)
{
	uint8_t *out = malloc(ilen + LT_WFILE_SEAL_LEN);

	assert_non_null(out);
	if (sk != NULL)
		crypto_sign_detached(in + ilen - 64, NULL, in, ilen - 64, sk);
	assert_int_equal(crypto_box_seal(out, in, ilen, a_pk), 0);
	*len = ilen + LT_WFILE_SEAL_LEN;
	return out;
}

static void
round_trip(void **state)
{
	struct lt_wfile_info info;
	uint8_t *f;
	size_t len;
	json_t *j;
	char err[256], *s;
	(void)state;

	seal(warrant, i_sk, a_pk, 42, NB, NA, &f, &len);
	assert_int_equal(len, 48 + 96 + strlen(warrant) + 64);
	assert_int_equal(open_at(f, len, NB + 100, &j, &info, err, sizeof(err)), 0);
	s = json_dumps(j, JSON_COMPACT);
	assert_string_equal(s, "{\"liid\":\"CANARY-LIID\",\"cin\":1}");
	free(s);
	json_decref(j);
	assert_int_equal(info.have, 1);
	assert_memory_equal(info.issuer_pk, i_pk, 32);
	assert_memory_equal(info.recipient_pk, a_pk, 32);
	assert_true(info.serial == 42);
	assert_true(info.not_before == NB && info.not_after == NA);

	/* the window's edges: from not_before, up to but not at not_after */
	assert_int_equal(open_at(f, len, NB, &j, &info, err, sizeof(err)), 0);
	json_decref(j);
	assert_int_equal(open_at(f, len, NA - 1, &j, &info, err, sizeof(err)), 0);
	json_decref(j);
	free(f);

	/* the header's fields as laid down, big-endian; extreme values */
	seal("{}", i_sk, b_pk, UINT64_MAX, -5, INT64_MAX, &f, &len);
	{
		size_t ilen;
		uint8_t *in = inner_of(f, len, &ilen);

		assert_int_equal(ilen, 96 + 2 + 64);
		assert_memory_equal(in, "LTW1", 4);
		assert_memory_equal(in + 4, i_pk, 32);
		assert_memory_equal(in + 36, b_pk, 32);
		assert_memory_equal(in + 68, "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
		assert_memory_equal(in + 76, "\xff\xff\xff\xff\xff\xff\xff\xfb", 8);
		assert_memory_equal(in + 84, "\x7f\xff\xff\xff\xff\xff\xff\xff", 8);
		assert_memory_equal(in + 92, "\x00\x00\x00\x02", 4);
		assert_memory_equal(in + 96, "{}", 2);
		assert_int_equal(crypto_sign_verify_detached(in + 98, in, 98, i_pk), 0);
		free(in);
	}
	free(f);
}

#define OPENMSG "not sealed to this appliance, or damaged (truncated or altered on the way)"

static void
damaged(void **state)
{
	static const size_t flips[] = { 0, 1, 31, 32, 47, 48, 100, 143, 144, 160, 200 };
	uint8_t *f, *g;
	size_t len;
	char msg[128];
	(void)state;

	seal(warrant, i_sk, a_pk, 1, NB, NA, &f, &len);
	refused(f, 0, NB, LT_WFILE_ESIZE, "0 bytes is too short for a warrant file (at least "
	    "208): truncated?");
	refused(f, 207, NB, LT_WFILE_ESIZE, "207 bytes is too short for a warrant file (at "
	    "least 208): truncated?");
	/* cut anywhere else: the seal does not open */
	refused(f, 208, NB, LT_WFILE_EOPEN, OPENMSG);
	refused(f, len / 2 + 104, NB, LT_WFILE_EOPEN, OPENMSG);
	refused(f, len - 1, NB, LT_WFILE_EOPEN, OPENMSG);
	/* one bit flipped at offsets across the ephemeral key, the MAC and the body */
	g = malloc(len + 1);
	assert_non_null(g);
	for (size_t i = 0; i < sizeof(flips) / sizeof(flips[0]) + 1; i++) {
		size_t at = i < sizeof(flips) / sizeof(flips[0]) ? flips[i] : len - 1;

		memcpy(g, f, len);
		g[at] ^= 0x04;
		refused(g, len, NB, LT_WFILE_EOPEN, OPENMSG);
	}
	/* one byte too many */
	memcpy(g, f, len);
	g[len] = 0;
	refused(g, len + 1, NB, LT_WFILE_EOPEN, OPENMSG);
	free(g);
	free(f);

	/* sealed to another appliance */
	seal(warrant, i_sk, b_pk, 1, NB, NA, &f, &len);
	refused(f, len, NB, LT_WFILE_EOPEN, OPENMSG);
	free(f);

	g = calloc(1, LT_WFILE_MAX_LEN + 1);
	assert_non_null(g);
	snprintf(msg, sizeof(msg), "larger than any warrant file (%u bytes at most)",
	    LT_WFILE_MAX_LEN);
	refused(g, LT_WFILE_MAX_LEN + 1, NB, LT_WFILE_ESIZE, msg);
	free(g);
}

static void
signers(void **state)
{
	uint8_t *f, *g, *in;
	size_t len, ilen, glen;
	char hex[17], msg[256];
	(void)state;

	/* a key no one pinned */
	seal(warrant, j_sk, a_pk, 1, NB, NA, &f, &len);
	sodium_bin2hex(hex, sizeof(hex), j_pk, 8);
	snprintf(msg, sizeof(msg), "signed by key %s... which is not a pinned issuer (the "
	    "officer adds issuers with 'lawtap warrant issuer add')", hex);
	refused(f, len, NB, LT_WFILE_EISSUER, msg);
	free(f);

	/* the pinned issuer named, the other key signed */
	seal(warrant, j_sk, b_pk, 1, NB, NA, &f, &len);
	in = inner_of(f, len, &ilen);
	memcpy(in + 4, i_pk, 32);
	memcpy(in + 36, a_pk, 32);
	g = reseal(in, ilen, NULL, &glen);
	sodium_bin2hex(hex, sizeof(hex), i_pk, 8);
	snprintf(msg, sizeof(msg), "the signature of issuer %s... does not verify: the file "
	    "was altered after it was signed", hex);
	refused(g, glen, NB, LT_WFILE_ESIG, msg);
	free(g);
	free(in);
	free(f);

	/* signed by the pinned issuer, then altered inside and sealed again */
	seal(warrant, i_sk, b_pk, 1, NB, NA, &f, &len);
	for (size_t at = 4; at < 96 + strlen(warrant) + 64; at += 23) {
		/* not the issuer key (another key: unpinned) nor the length (format, below) */
		if ((at >= 4 && at < 36) || (at >= 92 && at < 96))
			continue;
		in = inner_of(f, len, &ilen);
		memcpy(in + 36, a_pk, 32);
		in[at] ^= 0x01;
		g = reseal(in, ilen, NULL, &glen);
		refused(g, glen, NB, LT_WFILE_ESIG, msg);
		free(g);
		free(in);
	}

	/* signed for b, and b's inner sealed on to this appliance */
	in = inner_of(f, len, &ilen);
	g = reseal(in, ilen, NULL, &glen);
	refused(g, glen, NB, LT_WFILE_ERECIPIENT, "addressed to another appliance (its "
	    "recipient key is not this appliance's)");
	free(g);
	free(in);
	free(f);
}

static void
format(void **state)
{
	uint8_t *f, *g, *in;
	size_t len, ilen, glen;
	(void)state;

	seal(warrant, i_sk, b_pk, 1, NB, NA, &f, &len);

	in = inner_of(f, len, &ilen);
	memcpy(in + 36, a_pk, 32);
	in[3] = '2';
	g = reseal(in, ilen, i_sk, &glen);
	refused(g, glen, NB, LT_WFILE_EFORMAT, "sealed to this appliance but not a lawtap "
	    "warrant file inside (bad magic)");
	free(g);
	free(in);

	for (int d = -1; d <= 1; d += 2) {
		in = inner_of(f, len, &ilen);
		memcpy(in + 36, a_pk, 32);
		in[95] = (uint8_t)(in[95] + d);
		g = reseal(in, ilen, i_sk, &glen);
		refused(g, glen, NB, LT_WFILE_EFORMAT, "sealed to this appliance but damaged "
		    "inside: the warrant length does not match the file");
		free(g);
		free(in);
	}

	/* an empty window, signed as such */
	in = inner_of(f, len, &ilen);
	memcpy(in + 36, a_pk, 32);
	memcpy(in + 84, in + 76, 8);
	g = reseal(in, ilen, i_sk, &glen);
	refused(g, glen, NB, LT_WFILE_EFORMAT, "its validity window is empty");
	free(g);
	free(in);
	free(f);
}

static void
window_and_replay(void **state)
{
	struct lt_wfile_info info;
	uint8_t *f;
	size_t len;
	json_t *j;
	char err[256];
	(void)state;

	seal(warrant, i_sk, a_pk, 7, NB, NA, &f, &len);
	refused(f, len, NB - 1, LT_WFILE_ENOTYET, "not valid yet: it may be imported from "
	    "2026-11-01T00:00:00Z");
	refused(f, len, 0, LT_WFILE_ENOTYET, "not valid yet: it may be imported from "
	    "2026-11-01T00:00:00Z");
	refused(f, len, NA, LT_WFILE_EEXPIRED, "expired: it could be imported until "
	    "2026-11-08T00:00:00Z");
	refused(f, len, INT64_MAX, LT_WFILE_EEXPIRED, "expired: it could be imported until "
	    "2026-11-08T00:00:00Z");

	st.seen_pk = i_pk;
	st.seen_serial = 7;
	{
		char hex[17], msg[256];

		sodium_bin2hex(hex, sizeof(hex), i_pk, 8);
		snprintf(msg, sizeof(msg), "serial 7 of issuer %s... was imported before: a "
		    "replayed file", hex);
		refused(f, len, NB, LT_WFILE_EREPLAY, msg);
	}
	/* the same serial from another issuer, another serial: new */
	st.seen_pk = j_pk;
	assert_int_equal(open_at(f, len, NB, &j, &info, err, sizeof(err)), 0);
	json_decref(j);
	st.seen_pk = i_pk;
	st.seen_serial = 8;
	assert_int_equal(open_at(f, len, NB, &j, &info, err, sizeof(err)), 0);
	json_decref(j);
	st.seen_pk = NULL;

	/* the appliance's own lookups failing */
	st.fail_pinned = 1;
	refused(f, len, NB, LT_WFILE_ESYS, "pinned: store unreadable");
	st.fail_pinned = 0;
	st.fail_seen = 1;
	refused(f, len, NB, LT_WFILE_ESYS, "seen: store unreadable");
	st.fail_seen = 0;
	free(f);
}

static void
bad_json(void **state)
{
	static const struct {
		const char *json, *msg;
	} cases[] = {
		{ "{\"liid\": \"CANARY\"", "the warrant inside is not valid JSON (line 1, "
		    "column 17)" },
		{ "{canary}", "the warrant inside is not valid JSON (line 1, column 7)" },
		{ "", "the warrant inside is not valid JSON (line 1, column 0)" },
		{ "{\"a\": 1}\n{\"canary\": 2}", "the warrant inside is not valid JSON "
		    "(line 2, column 1)" },
		{ "{\"liid\": 1, \"liid\": 2}", "the warrant inside is not valid JSON (line 1, "
		    "column 18)" },
		{ "{\"liid\": \"CANARY\\u0000\"}", "the warrant inside is not valid JSON (line 1, "
		    "column 23)" },
		{ "{\"x\": \"\xff\"}", "the warrant inside is not valid JSON (line 1, column 7)" },
		{ "[\"CANARY\"]", "the warrant inside is not a JSON object" },
		{ "\"CANARY\"", "the warrant inside is not valid JSON (line 1, column 8)" },
	};
	uint8_t *f;
	size_t len;
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		seal(cases[i].json, i_sk, a_pk, i, NB, NA, &f, &len);
		refused(f, len, NB, LT_WFILE_EJSON, cases[i].msg);
		free(f);
	}
}

static void
seal_errors(void **state)
{
	uint8_t *f = (uint8_t *)1;
	size_t len = 1;
	char err[256], *big;
	(void)state;

	assert_int_equal(lt_wfile_seal("{}", 2, i_sk, a_pk, 1, NB, NB, &f, &len, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "the validity window is empty: it must end after it starts");
	assert_null(f);
	assert_int_equal(len, 0);
	big = calloc(1, LT_WFILE_JSON_MAX + 1);
	assert_non_null(big);
	assert_int_equal(lt_wfile_seal(big, LT_WFILE_JSON_MAX + 1, i_sk, a_pk, 1, NB, NA, &f,
	    &len, err, sizeof(err)), -1);
	assert_string_equal(err, "the warrant is larger than 1048576 bytes");
	free(big);

	assert_string_equal(lt_wfile_reason(0), "ok");
	assert_string_equal(lt_wfile_reason(LT_WFILE_EOPEN), "cannot-open");
	assert_string_equal(lt_wfile_reason(LT_WFILE_EREPLAY), "replay");
	assert_string_equal(lt_wfile_reason(LT_WFILE_EJSON), "json");
	assert_string_equal(lt_wfile_reason(-12), "unknown");
	assert_string_equal(lt_wfile_reason(1), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(damaged),
		cmocka_unit_test(signers),
		cmocka_unit_test(format),
		cmocka_unit_test(window_and_replay),
		cmocka_unit_test(bad_json),
		cmocka_unit_test(seal_errors),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
