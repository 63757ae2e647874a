/* test_integrity.c - the LEMF's integrityCheck verification: ok, flipped, missing, signatures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "etsi/decode.h"
#include "etsi/etsi.h"
#include "lemf/integrity.h"
#include "lemf/sink.h"

static const struct etsi_time ts = { 1700000000, 5 };

struct pdu {
	uint8_t b[2048];
	size_t len;
};

static struct etsi_tmpl
tmpl(uint32_t cin)
{
	struct etsi_ident id = {
		.pspdu_version = 40, .ipaccess_version = 20,
		.liid = "LIID1", .liid_len = 5, .operator_id = "OP",
		.has_cin = 1, .cin = cin,
	};
	struct etsi_tmpl t;

	assert_int_equal(etsi_tmpl_init(&t, &id), 0);
	return t;
}

/* CC PDU seq of CIN cin carrying a 4-byte packet that depends on seq */
static void
mk_cc(struct pdu *o, uint32_t cin, uint32_t seq)
{
	struct etsi_tmpl t = tmpl(cin);
	uint8_t head[ETSI_IPCC_HEAD_MAX];
	const uint8_t pkt[4] = { 0x45, 0, (uint8_t)(seq >> 8), (uint8_t)seq };
	int n;

	n = etsi_ipcc_head(head, sizeof(head), &t, seq, ts, ETSI_TO_TARGET,
	    sizeof(pkt));
	assert_true(n > 0);
	memcpy(o->b, head + sizeof(head) - n, (size_t)n);
	memcpy(o->b + n, pkt, sizeof(pkt));
	o->len = (size_t)n + sizeof(pkt);
}

static int
feed(struct integrity *ic, const uint8_t *b, size_t len)
{
	static struct etsi_pdu p;
	char err[128];

	if (etsi_pdu_decode(b, len, &p, err, sizeof(err)) != 0)
		fail_msg("decode: %s", err);
	return integrity_pdu(ic, &p, b, len);
}

/* The hash of doc/lemf-jsonl.md: SHA-256 over the SHA-256 of each listed PDU. */
static void
run_hash(const struct pdu *v, const uint32_t *seqs, size_t n,
    uint8_t out[static 32])
{
	crypto_hash_sha256_state st;
	uint8_t d[32];

	crypto_hash_sha256_init(&st);
	for (size_t i = 0; i < n; i++) {
		crypto_hash_sha256(d, v[seqs[i]].b, v[seqs[i]].len);
		crypto_hash_sha256_update(&st, d, sizeof(d));
	}
	crypto_hash_sha256_final(&st, out);
}

static int
check(struct integrity *ic, uint32_t cin, uint32_t seq, int type,
    const uint32_t *seqs, size_t n, const uint8_t *v, size_t vlen)
{
	struct etsi_tmpl t = tmpl(cin);
	static uint8_t b[ETSI_INTEGRITY_MAX];
	struct etsi_integrity c = { type, ETSI_DATA_CC, seqs, n, v, vlen };
	int len;

	len = etsi_integrity_encode(b, sizeof(b), &t, seq, ts, &c);
	assert_true(len > 0);
	return feed(ic, b + sizeof(b) - len, (size_t)len);
}

static struct pdu v[8];
static const uint32_t all[] = { 0, 1, 2, 3 }, rest[] = { 4, 5, 6, 7 };

static void
test_hash(void **state)
{
	struct integrity *ic = integrity_new(NULL);
	uint8_t h[32], h2[32];
	struct integrity_counts c;

	(void)state;
	assert_non_null(ic);
	for (uint32_t i = 0; i < 8; i++) {
		mk_cc(&v[i], 1, i);
		if (i != 6)
			assert_int_equal(feed(ic, v[i].b, v[i].len), INTEGRITY_SKIPPED);
	}
	run_hash(v, all, 4, h);
	assert_int_equal(check(ic, 1, 0, ETSI_CHECK_HASH, all, 4, h, 32), INTEGRITY_OK);
	/* the same check for another CIN: nothing received there */
	assert_int_equal(check(ic, 2, 0, ETSI_CHECK_HASH, all, 4, h, 32),
	    INTEGRITY_INCOMPLETE);
	/* order matters */
	{
		const uint32_t swapped[] = { 1, 0, 2, 3 };
		assert_int_equal(check(ic, 1, 1, ETSI_CHECK_HASH, swapped, 4, h, 32),
		    INTEGRITY_MISMATCH);
	}
	/* one flipped bit in one PDU: the check over it fails */
	h[5] ^= 0x01;
	assert_int_equal(check(ic, 1, 2, ETSI_CHECK_HASH, all, 4, h, 32),
	    INTEGRITY_MISMATCH);
	/* PDU 6 never arrived */
	run_hash(v, rest, 4, h2);
	assert_int_equal(check(ic, 1, 3, ETSI_CHECK_HASH, rest, 4, h2, 32),
	    INTEGRITY_INCOMPLETE);
	c = integrity_counts(ic);
	assert_int_equal(c.ok, 1);
	assert_int_equal(c.mismatch, 2);
	assert_int_equal(c.incomplete, 2);
	assert_string_equal(integrity_result_name(INTEGRITY_INCOMPLETE), "incomplete");
	assert_null(integrity_result_name(INTEGRITY_SKIPPED));
	integrity_free(ic);
}

static void
test_flipped_pdu(void **state)
{
	struct integrity *ic = integrity_new(NULL);
	uint8_t h[32];

	(void)state;
	for (uint32_t i = 0; i < 4; i++)
		mk_cc(&v[i], 1, i);
	run_hash(v, all, 4, h);
	v[2].b[v[2].len - 1] ^= 0x80;	/* a bit of the packet changed in transit */
	for (uint32_t i = 0; i < 4; i++)
		feed(ic, v[i].b, v[i].len);
	assert_int_equal(check(ic, 1, 0, ETSI_CHECK_HASH, all, 4, h, 32),
	    INTEGRITY_MISMATCH);
	integrity_free(ic);
}

/* Hashes older than INTEGRITY_KEEP PDUs are forgotten. */
static void
test_forget(void **state)
{
	struct integrity *ic = integrity_new(NULL);
	uint8_t h[32];
	const uint32_t first[] = { 0 };
	struct pdu p0;

	(void)state;
	mk_cc(&p0, 1, 0);
	feed(ic, p0.b, p0.len);
	crypto_hash_sha256(h, p0.b, p0.len);
	crypto_hash_sha256(h, h, 32);
	assert_int_equal(check(ic, 1, 0, ETSI_CHECK_HASH, first, 1, h, 32), INTEGRITY_OK);
	for (uint32_t i = 1; i <= INTEGRITY_KEEP; i++) {
		struct pdu q;

		mk_cc(&q, 1, i);
		feed(ic, q.b, q.len);
	}
	assert_int_equal(check(ic, 1, 1, ETSI_CHECK_HASH, first, 1, h, 32),
	    INTEGRITY_INCOMPLETE);
	integrity_free(ic);
}

static void
test_signature(void **state)
{
	uint8_t pk[32], sk[64], h[2][32], msg[64], sig[64], other[32];
	char hex[65];
	struct integrity *ic, *nokey;
	const uint32_t hs[] = { 0, 1 }, missing[] = { 0, 9 };

	(void)state;
	assert_true(sodium_init() >= 0);
	crypto_sign_keypair(pk, sk);
	sodium_bin2hex(hex, sizeof(hex), pk, sizeof(pk));
	assert_int_equal(integrity_parse_key(hex, other), 0);
	assert_memory_equal(other, pk, 32);
	assert_int_equal(integrity_parse_key("abc", other), -1);
	hex[5] = 'x';
	assert_int_equal(integrity_parse_key(hex, other), -1);

	ic = integrity_new(pk);
	nokey = integrity_new(NULL);
	for (uint32_t i = 0; i < 8; i++) {
		mk_cc(&v[i], 1, i);
		feed(ic, v[i].b, v[i].len);
		feed(nokey, v[i].b, v[i].len);
	}
	run_hash(v, all, 4, h[0]);
	run_hash(v, rest, 4, h[1]);
	assert_int_equal(check(ic, 1, 0, ETSI_CHECK_HASH, all, 4, h[0], 32), INTEGRITY_OK);
	assert_int_equal(check(ic, 1, 1, ETSI_CHECK_HASH, rest, 4, h[1], 32), INTEGRITY_OK);
	assert_int_equal(check(nokey, 1, 0, ETSI_CHECK_HASH, all, 4, h[0], 32), INTEGRITY_OK);
	memcpy(msg, h[0], 32);
	memcpy(msg + 32, h[1], 32);
	crypto_sign_detached(sig, NULL, msg, sizeof(msg), sk);

	assert_int_equal(check(ic, 1, 2, ETSI_CHECK_SIGNATURE, hs, 2, sig, 64), INTEGRITY_OK);
	assert_int_equal(check(nokey, 1, 2, ETSI_CHECK_SIGNATURE, hs, 2, sig, 64),
	    INTEGRITY_SKIPPED);
	assert_int_equal(check(ic, 1, 3, ETSI_CHECK_SIGNATURE, missing, 2, sig, 64),
	    INTEGRITY_INCOMPLETE);
	sig[10] ^= 0x04;
	assert_int_equal(check(ic, 1, 4, ETSI_CHECK_SIGNATURE, hs, 2, sig, 64),
	    INTEGRITY_MISMATCH);
	sig[10] ^= 0x04;
	/* another key */
	crypto_sign_keypair(other, sk);
	integrity_free(nokey);
	nokey = integrity_new(other);
	feed(nokey, v[0].b, v[0].len);
	for (uint32_t i = 0; i < 8; i++)
		feed(nokey, v[i].b, v[i].len);
	check(nokey, 1, 0, ETSI_CHECK_HASH, all, 4, h[0], 32);
	check(nokey, 1, 1, ETSI_CHECK_HASH, rest, 4, h[1], 32);
	assert_int_equal(check(nokey, 1, 2, ETSI_CHECK_SIGNATURE, hs, 2, sig, 64),
	    INTEGRITY_MISMATCH);
	assert_int_equal(integrity_counts(ic).ok, 3);
	integrity_free(ic);
	integrity_free(nokey);
}

/* Through the sink, as `lawtap lemf` sees PDUs: the line says so, the summary counts it. */
static void
test_sink(void **state)
{
	struct pdu_origin o = { "127.0.0.1:1", 1, 0 };
	uint8_t h[32], bad[32], b[ETSI_INTEGRITY_MAX];
	struct etsi_tmpl t = tmpl(1);
	struct lemf_sink sink;
	struct etsi_pdu p;
	char *lines = NULL, *sum = NULL, err[128];
	size_t llen = 0, slen = 0;
	FILE *out = open_memstream(&lines, &llen), *sf = open_memstream(&sum, &slen);
	int n;

	(void)state;
	assert_non_null(out);
	assert_non_null(sf);
	assert_int_equal(lemf_sink_init(&sink, out), 0);
	for (uint32_t i = 0; i < 4; i++) {
		mk_cc(&v[i], 1, i);
		assert_int_equal(lemf_sink_pdu(&sink, &o, v[i].b, v[i].len, &p, err,
		    sizeof(err)), 0);
	}
	run_hash(v, all, 4, h);
	memcpy(bad, h, 32);
	bad[0] ^= 1;
	for (int k = 0; k < 2; k++) {
		struct etsi_integrity c = { ETSI_CHECK_HASH, ETSI_DATA_CC, all, 4,
		    k == 0 ? h : bad, 32 };

		n = etsi_integrity_encode(b, sizeof(b), &t, (uint32_t)k, ts, &c);
		assert_true(n > 0);
		assert_int_equal(lemf_sink_pdu(&sink, &o, b + sizeof(b) - n, (size_t)n, &p,
		    err, sizeof(err)), 0);
	}
	assert_int_equal(lemf_sink_summary(&sink, sf), 1);	/* a mismatch fails the run */
	fclose(out);
	fclose(sf);
	assert_non_null(strstr(lines, "\"integrity\":\"ok\""));
	assert_non_null(strstr(lines, "\"integrity\":\"mismatch\""));
	assert_non_null(strstr(sum, "integrity checks: 1 ok, 1 mismatch, 0 incomplete\n"));
	free(lines);
	free(sum);
	lemf_sink_free(&sink);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_flipped_pdu),
		cmocka_unit_test(test_forget),
		cmocka_unit_test(test_signature),
		cmocka_unit_test(test_sink),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
