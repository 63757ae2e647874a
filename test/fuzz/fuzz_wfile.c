/*
 * fuzz_wfile.c - warrant file opening with fixed test keys.  The first byte
 * picks what the rest is: 0 a whole file; 1 the inside, sealed here to the
 * test appliance; 2 serial, window and JSON, sealed and signed here by the
 * pinned test issuer (so the checks past the signature are reached).
 */
#include <sodium.h>
#include <string.h>

#include "mgmt/warrant.h"
#include "mgmt/wfile.h"
#include "fuzz.h"

#define NOW	1793491200	/* 2026-11-01T00:00:00Z */

static uint8_t box_pk[32], box_sk[32], iss_pk[32], iss_sk[64];

static int
pinned(void *arg, const uint8_t pk[static 32], char *err, size_t errlen)
{
	(void)arg;
	(void)err;
	(void)errlen;
	return memcmp(pk, iss_pk, 32) == 0;
}

static int
seen(void *arg, const uint8_t pk[static 32], uint64_t serial, char *err, size_t errlen)
{
	(void)arg;
	(void)pk;
	(void)err;
	(void)errlen;
	return serial == 7;
}

static void
keys(void)
{
	static int done;
	uint8_t seed[32];

	if (done)
		return;
	FUZZ_CHECK(sodium_init() >= 0);
	memset(seed, 0xa1, sizeof(seed));
	crypto_box_seed_keypair(box_pk, box_sk, seed);
	memset(seed, 0x11, sizeof(seed));
	crypto_sign_seed_keypair(iss_pk, iss_sk, seed);
	done = 1;
}

static int
open_checked(const uint8_t *buf, size_t len)
{
	static const struct lt_wfile_checks chk = { pinned, seen, NULL, NOW };
	struct lt_wfile_info info;
	json_t *j = NULL;
	char err[256];
	int r;

	memset(err, 0x55, sizeof(err));
	r = lt_wfile_open(buf, len, box_pk, box_sk, &chk, &j, &info, err, sizeof(err));
	FUZZ_CHECK(r <= 0 && r >= LT_WFILE_EJSON);
	FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL);
	FUZZ_CHECK((r == 0) == (j != NULL));
	FUZZ_CHECK(r == 0 || err[0] != '\0');
	if (r == 0) {
		struct lt_warrant_rec w;
		struct lt_agency ag = { .id = "police" };
		struct lt_config cfg = { .agencies = &ag, .nagencies = 1 };

		FUZZ_CHECK(json_is_object(j) && info.have);
		FUZZ_CHECK(info.not_before <= NOW && NOW < info.not_after && info.serial != 7);
		(void)lt_warrant_from_json(j, &cfg, 0, &w, err, sizeof(err));
		lt_warrant_rec_free(&w);
		json_decref(j);
	}
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct fuzz_in in = { data, len };
	uint8_t mode = (uint8_t)fuzz_take(&in, 1), *out;
	size_t outlen;
	char err[256];
	int r;

	keys();
	if (mode == 0) {
		open_checked(in.p, in.len);
	} else if (mode == 1) {
		if (in.len > LT_WFILE_JSON_MAX || (out = malloc(in.len + 48)) == NULL)
			return 0;
		FUZZ_CHECK(crypto_box_seal(out, in.p, in.len, box_pk) == 0);
		r = open_checked(out, in.len + 48);
		FUZZ_CHECK(r != LT_WFILE_EOPEN);
		FUZZ_CHECK(r != LT_WFILE_ESIZE || in.len < LT_WFILE_HDR_LEN + LT_WFILE_SIG_LEN);
		free(out);
	} else {
		uint64_t serial = fuzz_take(&in, 1);
		int64_t nb = NOW - (int64_t)fuzz_take(&in, 2) + 32768;
		int64_t na = nb + (int64_t)fuzz_take(&in, 2) - 256;

		if (lt_wfile_seal((const char *)in.p, in.len, iss_sk, box_pk, serial, nb, na,
		    &out, &outlen, err, sizeof(err)) < 0) {
			FUZZ_CHECK(na <= nb || in.len > LT_WFILE_JSON_MAX);
			return 0;
		}
		r = open_checked(out, outlen);
		FUZZ_CHECK(r == 0 || r == LT_WFILE_ENOTYET || r == LT_WFILE_EEXPIRED ||
		    r == LT_WFILE_EREPLAY || r == LT_WFILE_EJSON);
		free(out);
	}
	return 0;
}
