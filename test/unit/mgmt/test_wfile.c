/* test_wfile.c - sealed warrant files: round trip, and every way a file can be refused, in memory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "mgmt/store.h"
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

/* --- lawtap warrant import against a real state directory --- */

static const char *configs_dir;
static char tdir[64], sdir[128];
static const char pass[] = "correct horse battery staple";
static const char *given = pass;	/* what the next command is told */

static void
write_file(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, n), (ssize_t)n);
	assert_int_equal(close(fd), 0);
}

static uint8_t *
read_all(const char *path, size_t *n)
{
	struct stat st;
	uint8_t *p;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	p = malloc((size_t)st.st_size + 1);
	assert_non_null(p);
	assert_int_equal(read(fd, p, (size_t)st.st_size), st.st_size);
	p[st.st_size] = '\0';
	close(fd);
	*n = (size_t)st.st_size;
	return p;
}

/* Runs `lawtap warrant ARGS...` with the passphrase on fd 3; its stderr into msg. */
static int
run_cmd(char *msg, size_t msglen, const char *a1, const char *a2, const char *a3,
    const char *a4)
{
	char path[256], *argv[16];
	int argc = 0, rc, saved, fd;
	uint8_t *out;
	size_t n;

	snprintf(path, sizeof(path), "%s/pass", tdir);
	write_file(path, given, strlen(given));
	fd = open(path, O_RDONLY);
	if (fd != 3) {
		assert_int_equal(dup2(fd, 3), 3);
		close(fd);
	}
	snprintf(path, sizeof(path), "%s/stderr", tdir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	saved = dup(2);
	dup2(fd, 2);
	close(fd);

	argv[argc++] = "warrant";
	argv[argc++] = (char *)a1;
	if (a2 != NULL)
		argv[argc++] = (char *)a2;
	argv[argc++] = "--state";
	argv[argc++] = sdir;
	argv[argc++] = "--passphrase-fd";
	argv[argc++] = "3";
	if (strcmp(a1, "import") == 0) {
		static char conf[4096];

		snprintf(conf, sizeof(conf), "%s/aaa-good.conf", configs_dir);
		argv[argc++] = "-c";
		argv[argc++] = conf;
	}
	if (a3 != NULL)
		argv[argc++] = (char *)a3;
	if (a4 != NULL)
		argv[argc++] = (char *)a4;
	argv[argc] = NULL;
	fflush(stdout);
	rc = cmd_warrant(argc, argv);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(3);
	out = read_all(path, &n);
	snprintf(msg, msglen, "%s", (char *)out);
	free(out);
	return rc;
}

static const char good_warrant[] = "{\"liid\": \"CANARY-1\", \"case_id\": \"canary-c\","
    " \"agency\": \"police\", \"cin\": 5, \"content\": \"both\","
    " \"start\": \"2026-11-01T00:00:00Z\", \"targets\": {\"usernames\": [\"canary@isp\"]},"
    " \"authority\": {\"issued_by\": \"HC\", \"authorized_by\": \"J\", \"presented_by\": \"D\","
    " \"intercept_type\": \"content\"}, \"carrier_contact\": \"LIO\"}";

static uint8_t app_pk[32];

static void
load_app_pk(void)
{
	char path[256], hex[65];
	uint8_t *p;
	size_t n;

	snprintf(path, sizeof(path), "%s/appliance.pub", sdir);
	p = read_all(path, &n);
	/* {"box": "<64 hex>", ... */
	assert_memory_equal(p, "{\"box\": \"", 9);
	memcpy(hex, p + 9, 64);
	hex[64] = '\0';
	assert_int_equal(sodium_hex2bin(app_pk, 32, hex, 64, NULL, NULL, NULL), 0);
	free(p);
}

/* Imports file bytes; expects rc 1, the message, and store.bin byte for byte as before. */
static void
import_refused(const uint8_t *f, size_t len, const char *want)
{
	char path[256], spath[256], msg[1024], expect[1024];
	uint8_t *before, *after;
	size_t nb, na;

	snprintf(path, sizeof(path), "%s/w.ltw", tdir);
	write_file(path, f, len);
	snprintf(spath, sizeof(spath), "%s/store.bin", sdir);
	before = read_all(spath, &nb);
	assert_int_equal(run_cmd(msg, sizeof(msg), "import", NULL, path, NULL), 1);
	snprintf(expect, sizeof(expect), "lawtap: warrant import refused: %s\n", want);
	if (strcmp(msg, expect) != 0)
		fail_msg("got  %swant %s", msg, expect);
	assert_null(strcasestr(msg, "canary"));
	after = read_all(spath, &na);
	assert_int_equal(na, nb);
	assert_memory_equal(before, after, nb);
	free(before);
	free(after);
}

static void
cmd_import(void **state)
{
	char path[256], msg[1024], hex[65], want[512];
	uint8_t *f, *g, *in;
	size_t len, ilen;
	int64_t now = (int64_t)time(NULL);
	(void)state;

	load_app_pk();
	/* pin the issuer */
	sodium_bin2hex(hex, sizeof(hex), i_pk, 32);
	hex[64] = '\n';
	snprintf(path, sizeof(path), "%s/iss.pk", tdir);
	write_file(path, hex, 65);
	if (run_cmd(msg, sizeof(msg), "issuer", "add", "court", path) != 0)
		fail_msg("%s", msg);

	/* a good one goes in */
	assert_int_equal(lt_wfile_seal(good_warrant, strlen(good_warrant), i_sk, app_pk, 1,
	    now - 60, now + 3600, &f, &len, msg, sizeof(msg)), 0);
	snprintf(path, sizeof(path), "%s/w.ltw", tdir);
	write_file(path, f, len);
	assert_int_equal(run_cmd(msg, sizeof(msg), "import", NULL, path, NULL), 0);
	assert_string_equal(msg, "");

	/* the same file again: a replay */
	sodium_bin2hex(hex, 17, i_pk, 8);
	snprintf(want, sizeof(want), "serial 1 of issuer %s... was imported before: a "
	    "replayed file", hex);
	import_refused(f, len, want);
	/* truncated, bit-flipped */
	import_refused(f, 100, "100 bytes is too short for a warrant file (at least 208): "
	    "truncated?");
	import_refused(f, len - 10, OPENMSG);
	for (size_t at = 0; at < len; at += len / 3) {
		f[at] ^= 0x80;
		import_refused(f, len, OPENMSG);
		f[at] ^= 0x80;
	}
	import_refused(f, 0, "0 bytes is too short for a warrant file (at least 208): "
	    "truncated?");
	free(f);

	/* sealed to another appliance */
	assert_int_equal(lt_wfile_seal(good_warrant, strlen(good_warrant), i_sk, b_pk, 2,
	    now - 60, now + 3600, &f, &len, msg, sizeof(msg)), 0);
	import_refused(f, len, OPENMSG);
	/* ... and its inside sealed on to this one */
	in = inner_of(f, len, &ilen);
	g = malloc(ilen + 48);
	assert_int_equal(crypto_box_seal(g, in, ilen, app_pk), 0);
	import_refused(g, ilen + 48, "addressed to another appliance (its recipient key is "
	    "not this appliance's)");
	free(g);
	free(in);
	free(f);

	/* an unpinned signer */
	assert_int_equal(lt_wfile_seal(good_warrant, strlen(good_warrant), j_sk, app_pk, 3,
	    now - 60, now + 3600, &f, &len, msg, sizeof(msg)), 0);
	sodium_bin2hex(hex, 17, j_pk, 8);
	snprintf(want, sizeof(want), "signed by key %s... which is not a pinned issuer (the "
	    "officer adds issuers with 'lawtap warrant issuer add')", hex);
	import_refused(f, len, want);
	free(f);

	/* expired, not yet valid */
	assert_int_equal(lt_wfile_seal(good_warrant, strlen(good_warrant), i_sk, app_pk, 4,
	    NB - 86400, NB, &f, &len, msg, sizeof(msg)), 0);
	import_refused(f, len, "expired: it could be imported until 2026-11-01T00:00:00Z");
	free(f);
	{
		time_t t = (time_t)(now + 86400 * 400);
		struct tm tm;
		char when[32];

		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		snprintf(want, sizeof(want), "not valid yet: it may be imported from %s", when);
	}
	assert_int_equal(lt_wfile_seal(good_warrant, strlen(good_warrant), i_sk, app_pk, 5,
	    now + 86400 * 400, now + 86400 * 401, &f, &len, msg, sizeof(msg)), 0);
	import_refused(f, len, want);
	free(f);

	/* signed, then altered and sealed again */
	assert_int_equal(lt_wfile_seal(good_warrant, strlen(good_warrant), i_sk, b_pk, 6,
	    now - 60, now + 3600, &f, &len, msg, sizeof(msg)), 0);
	in = inner_of(f, len, &ilen);
	memcpy(in + 36, app_pk, 32);
	in[120] ^= 1;
	g = malloc(ilen + 48);
	assert_int_equal(crypto_box_seal(g, in, ilen, app_pk), 0);
	sodium_bin2hex(hex, 17, i_pk, 8);
	snprintf(want, sizeof(want), "the signature of issuer %s... does not verify: the file "
	    "was altered after it was signed", hex);
	import_refused(g, ilen + 48, want);
	free(g);
	free(in);
	free(f);

	/* bad JSON, an invalid warrant, a LIID an active warrant has, an unknown agency */
	static const struct {
		const char *json, *msg;
	} bad[] = {
		{ "{\"liid\": \"CANARY", "the warrant inside is not valid JSON (line 1, column 16)" },
		{ "{\"liid\": \"CANARY\"}", "missing field 'case_id'" },
		{ NULL, "active warrants W" },
		{ NULL, "'agency' names no agency in the configuration" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *j = bad[i].json;
		char buf[1024];

		if (j == NULL) {
			snprintf(buf, sizeof(buf), "%s", good_warrant);
			if (i == 3)
				memcpy(strstr(buf, "police"), "polizi", 6);
			j = buf;
		}
		assert_int_equal(lt_wfile_seal(j, strlen(j), i_sk, app_pk, 10 + i, now - 60,
		    now + 3600, &f, &len, msg, sizeof(msg)), 0);
		if (i == 2) {
			/* the message names both warrants by id: check its shape only */
			char p2[256], m2[1024];

			snprintf(p2, sizeof(p2), "%s/w.ltw", tdir);
			write_file(p2, f, len);
			assert_int_equal(run_cmd(m2, sizeof(m2), "import", NULL, p2, NULL), 1);
			assert_non_null(strstr(m2, "have the same LIID"));
			assert_null(strcasestr(m2, "canary"));
		} else
			import_refused(f, len, bad[i].msg);
		free(f);
	}

	/* every attempt is in the audit log, which verifies */
	{
		char *argv[] = { "audit", "verify", "--state", sdir, NULL };

		assert_int_equal(cmd_audit(4, argv), 0);
	}
}

/* keygen and seal from the command line, then import; a wrong passphrase changes nothing */
static void
cmd_cli(void **state)
{
	char key[256], pub[256], in[256], out[256], msg[1024], spath[256];
	char *seal_argv[] = { "warrant", "seal", "--key", key, "--to", pub, "--serial", "900",
	    "--valid-for", "2h", in, out, NULL };
	char *keygen_argv[] = { "warrant", "keygen", key, NULL };
	uint8_t *before, *after;
	size_t nb, na;
	(void)state;

	snprintf(key, sizeof(key), "%s/court2", tdir);
	assert_int_equal(cmd_warrant(3, keygen_argv), 0);
	/* not over an existing key */
	assert_int_equal(cmd_warrant(3, keygen_argv), 1);
	snprintf(key, sizeof(key), "%s/court2.sk", tdir);
	snprintf(pub, sizeof(pub), "%s/appliance.pub", sdir);
	snprintf(in, sizeof(in), "%s/w.json", tdir);
	snprintf(out, sizeof(out), "%s/w900.ltw", tdir);
	write_file(in, good_warrant, strlen(good_warrant));
	assert_int_equal(cmd_warrant(12, seal_argv), 0);
	/* the output is never overwritten */
	assert_int_equal(cmd_warrant(12, seal_argv), 1);

	snprintf(key, sizeof(key), "%s/court2.pk", tdir);
	if (run_cmd(msg, sizeof(msg), "issuer", "add", "court two", key) != 0)
		fail_msg("%s", msg);

	snprintf(spath, sizeof(spath), "%s/store.bin", sdir);
	before = read_all(spath, &nb);
	given = "not the passphrase at all";
	assert_int_equal(run_cmd(msg, sizeof(msg), "import", NULL, out, NULL), 1);
	given = pass;
	assert_null(strcasestr(msg, "canary"));
	after = read_all(spath, &na);
	assert_int_equal(na, nb);
	assert_memory_equal(before, after, nb);
	free(before);
	free(after);

	/* CANARY-1 is active from cmd_import: a LIID twice */
	assert_int_equal(run_cmd(msg, sizeof(msg), "import", NULL, out, NULL), 1);
	assert_non_null(strstr(msg, "have the same LIID"));
}

static int
cmd_setup(void **state)
{
	char err[512];
	(void)state;

	snprintf(tdir, sizeof(tdir), "/tmp/lt-test-wfile-XXXXXX");
	if (mkdtemp(tdir) == NULL)
		return -1;
	snprintf(sdir, sizeof(sdir), "%s/state", tdir);
	setenv("LAWTAP_TEST_FAST_KDF", "1", 1);
	if (lt_store_init(sdir, pass, strlen(pass), err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int
cmd_teardown(void **state)
{
	char cmd[128];
	(void)state;

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tdir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(int argc, char **argv)
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

	const struct CMUnitTest cmd_tests[] = {
		cmocka_unit_test(cmd_import),
		cmocka_unit_test(cmd_cli),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s CONFIGS_DIR\n", argv[0]);
		return 2;
	}
	configs_dir = argv[1];
	if (cmocka_run_group_tests(tests, setup, NULL) != 0)
		return 1;
	return cmocka_run_group_tests(cmd_tests, cmd_setup, cmd_teardown);
}
