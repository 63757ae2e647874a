/* test_tri.c - integrityCheck TRIs: hand-built vectors, decoder round trips, malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "etsi/decode.h"
#include "etsi/etsi.h"
#include "vectors.h"

static const struct etsi_time ts0 = { 1700000000, 0 };

#define X8(b)	b, b, b, b, b, b, b, b
#define X32(b)	X8(b), X8(b), X8(b), X8(b)

/* hash over CC seqs 0, 1, 200; checkValue 32 x 0x11 */
static const uint8_t v_hash[] = {
	0x30, 0x81, 0x8a, V_HDR0,
	0xa2, 0x3b,				/* payload [2] */
	 0xa2, 0x39,				/* tRIPayload [2] */
	  0xa0, 0x37,				/* integrityCheck [0] */
	   0xa0, 0x0a,				/* includedSequenceNumbers [0] */
	    0x02, 0x01, 0x00, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, 0xc8,
	   0x81, 0x01, 0x01,			/* checkType hash */
	   0x82, 0x01, 0x02,			/* dataType cC */
	   0x83, 0x20, X32(0x11),		/* checkValue */
	   0x84, 0x01, 0x02,			/* hashAlgorithm sHA-256 */
};

/* signature over IRI hash PDUs 5, 6; checkValue 64 x 0x22 */
static const uint8_t v_sig[] = {
	0x30, 0x81, 0xa6, V_HDR0,
	0xa2, 0x57,
	 0xa2, 0x55,
	  0xa0, 0x53,
	   0xa0, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x06,
	   0x81, 0x01, 0x02,			/* checkType signature */
	   0x82, 0x01, 0x01,			/* dataType iRI */
	   0x83, 0x40, X32(0x22), X32(0x22),
	   0x85, 0x01, 0x03,			/* signatureAlgorithm edDSA */
};

static const uint32_t hash_seqs[] = { 0, 1, 200 };
static const uint32_t sig_seqs[] = { 5, 6 };
static uint8_t v32[32], v64[64];

static struct etsi_tmpl
tmpl(void)
{
	struct etsi_ident id = v_ident();
	struct etsi_tmpl t;

	assert_int_equal(etsi_tmpl_init(&t, &id), 0);
	return t;
}

static struct etsi_integrity
hash_ic(void)
{
	struct etsi_integrity ic = {
		ETSI_CHECK_HASH, ETSI_DATA_CC, hash_seqs, 3, v32, sizeof(v32),
	};

	memset(v32, 0x11, sizeof(v32));
	return ic;
}

static struct etsi_integrity
sig_ic(void)
{
	struct etsi_integrity ic = {
		ETSI_CHECK_SIGNATURE, ETSI_DATA_IRI, sig_seqs, 2, v64, sizeof(v64),
	};

	memset(v64, 0x22, sizeof(v64));
	return ic;
}

static void
exact(const struct etsi_integrity *ic, const uint8_t *want, size_t wlen)
{
	struct etsi_tmpl t = tmpl();
	uint8_t b[ETSI_INTEGRITY_MAX];
	int n;

	n = etsi_integrity_encode(b, sizeof(b), &t, 0, ts0, ic);
	assert_int_equal(n, (int)wlen);
	assert_memory_equal(b + sizeof(b) - n, want, wlen);
	/* exactly enough room, then one byte short */
	assert_int_equal(etsi_integrity_encode(b, wlen, &t, 0, ts0, ic), (int)wlen);
	assert_memory_equal(b, want, wlen);
	assert_int_equal(etsi_integrity_encode(b, wlen - 1, &t, 0, ts0, ic), -1);
}

static void
test_vectors(void **state)
{
	struct etsi_integrity h = hash_ic(), s = sig_ic();

	(void)state;
	exact(&h, v_hash, sizeof(v_hash));
	exact(&s, v_sig, sizeof(v_sig));
}

static void
test_bad_input(void **state)
{
	struct etsi_tmpl t = tmpl();
	uint8_t b[ETSI_INTEGRITY_MAX];
	static uint32_t many[ETSI_IC_MAX_SEQS + 1];
	struct etsi_integrity ic;

	(void)state;
	ic = hash_ic();
	ic.value_len = 31;
	assert_int_equal(etsi_integrity_encode(b, sizeof(b), &t, 0, ts0, &ic), -1);
	ic = hash_ic();
	ic.nseqs = 0;
	assert_int_equal(etsi_integrity_encode(b, sizeof(b), &t, 0, ts0, &ic), -1);
	ic.seqs = many;
	ic.nseqs = ETSI_IC_MAX_SEQS + 1;
	assert_int_equal(etsi_integrity_encode(b, sizeof(b), &t, 0, ts0, &ic), -1);
	ic = hash_ic();
	ic.check_type = 3;
	assert_int_equal(etsi_integrity_encode(b, sizeof(b), &t, 0, ts0, &ic), -1);
	ic = hash_ic();
	ic.data_type = 3;
	assert_int_equal(etsi_integrity_encode(b, sizeof(b), &t, 0, ts0, &ic), -1);
	ic = sig_ic();
	ic.value_len = 32;
	assert_int_equal(etsi_integrity_encode(b, sizeof(b), &t, 0, ts0, &ic), -1);
	assert_int_equal(etsi_integrity_encode(b, sizeof(b), &t, 0, ts0, NULL), -1);
}

/* The largest check fits ETSI_INTEGRITY_MAX and decodes back. */
static void
test_max_roundtrip(void **state)
{
	struct etsi_tmpl t = tmpl();
	static uint8_t b[ETSI_INTEGRITY_MAX];
	static uint32_t seqs[ETSI_IC_MAX_SEQS];
	static struct etsi_pdu p;
	struct etsi_integrity ic = sig_ic();
	char err[128];
	int n;

	(void)state;
	for (size_t i = 0; i < ETSI_IC_MAX_SEQS; i++)
		seqs[i] = UINT32_MAX - (uint32_t)i;
	ic.seqs = seqs;
	ic.nseqs = ETSI_IC_MAX_SEQS;
	n = etsi_integrity_encode(b, sizeof(b), &t, UINT32_MAX, ts0, &ic);
	assert_true(n > 0);
	if (etsi_pdu_decode(b + sizeof(b) - n, (size_t)n, &p, err, sizeof(err)) != 0)
		fail_msg("decode: %s", err);
	assert_int_equal(p.kind, ETSI_KIND_TRI_OTHER);
	assert_int_equal(p.tri, 0);
	assert_int_equal(p.seq, UINT32_MAX);
	assert_int_equal(p.ic_nseqs, ETSI_IC_MAX_SEQS);
	assert_memory_equal(p.ic_seqs, seqs, sizeof(seqs));
	assert_int_equal(p.ic_check_type, ETSI_CHECK_SIGNATURE);
	assert_int_equal(p.ic_data_type, ETSI_DATA_IRI);
	assert_int_equal(p.ic_sig_alg, ETSI_SIG_EDDSA);
	assert_int_equal(p.ic_hash_alg, -1);
	assert_int_equal(p.ic_value_len, 64);
	assert_memory_equal(p.ic_value, v64, 64);
}

static void
test_decode(void **state)
{
	static struct etsi_pdu p;
	char err[128];

	(void)state;
	if (etsi_pdu_decode(v_hash, sizeof(v_hash), &p, err, sizeof(err)) != 0)
		fail_msg("decode: %s", err);
	assert_int_equal(p.kind, ETSI_KIND_TRI_OTHER);
	assert_int_equal(p.tri, 0);
	assert_int_equal(p.ic_nseqs, 3);
	assert_int_equal(p.ic_seqs[2], 200);
	assert_int_equal(p.ic_check_type, ETSI_CHECK_HASH);
	assert_int_equal(p.ic_data_type, ETSI_DATA_CC);
	assert_int_equal(p.ic_hash_alg, ETSI_HASH_SHA256);
	assert_int_equal(p.ic_sig_alg, -1);
	assert_int_equal(p.ic_value_len, 32);
	assert_ptr_equal(p.ic_value, v_hash + sizeof(v_hash) - 3 - 32);
	assert_string_equal(etsi_check_type_name(p.ic_check_type), "hash");
	assert_string_equal(etsi_data_type_name(p.ic_data_type), "cC");
	assert_string_equal(etsi_hash_alg_name(p.ic_hash_alg), "sHA-256");
	assert_string_equal(etsi_sig_alg_name(ETSI_SIG_EDDSA), "edDSA");
	assert_null(etsi_check_type_name(3));
	assert_null(etsi_sig_alg_name(-1));

	/* a keep-alive is a TRI too, with no check */
	{
		static const uint8_t ka[] = {
			0x30, 0x53, V_HDR0, 0xa2, 0x04, 0xa2, 0x02, 0x83, 0x00,
		};
		assert_int_equal(etsi_pdu_decode(ka, sizeof(ka), &p, err,
		    sizeof(err)), 0);
		assert_int_equal(p.tri, 3);
		assert_int_equal(p.ic_nseqs, 0);
	}
}

/* v_hash with the bytes at off replaced; lengths patched by the caller's choice of edit. */
static int
bad(size_t off, const uint8_t *rep, size_t n, char *err, size_t errlen)
{
	static struct etsi_pdu p;
	uint8_t b[sizeof(v_hash)];

	memcpy(b, v_hash, sizeof(b));
	memcpy(b + off, rep, n);
	return etsi_pdu_decode(b, sizeof(b), &p, err, errlen);
}

static void
test_malformed(void **state)
{
	const size_t ic = 3 + 77 + 4;	/* the integrityCheck tag */
	const size_t seqs = ic + 2;
	char err[128];

	(void)state;
	/* control: unchanged bytes decode */
	assert_int_equal(bad(0, v_hash, 1, err, sizeof(err)), 0);
	/* includedSequenceNumbers primitive */
	assert_int_equal(bad(seqs, (const uint8_t[]){ 0x80 }, 1, err, sizeof(err)), -1);
	/* an element that is not an INTEGER (ENUMERATED) */
	assert_int_equal(bad(seqs + 2, (const uint8_t[]){ 0x0a }, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not an INTEGER"));
	/* 200 written 00 c8 -> non-minimal 00 00 would need a length change; 0 as 80 (negative) */
	assert_int_equal(bad(seqs + 4, (const uint8_t[]){ 0x80 }, 1, err, sizeof(err)), -1);
	/* seq 00 01 (not minimal) in place of 00 c8 */
	assert_int_equal(bad(seqs + 10, (const uint8_t[]){ 0x00, 0x01 }, 2, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not minimal"));
	/* checkType constructed */
	assert_int_equal(bad(seqs + 12, (const uint8_t[]){ 0xa1 }, 1, err, sizeof(err)), -1);
	/* dataType [2] retagged [1]: repeated / out of order */
	assert_int_equal(bad(seqs + 15, (const uint8_t[]){ 0x81 }, 1, err, sizeof(err)), -1);
	/* checkValue retagged [5] and hashAlgorithm [4] after it: out of order */
	assert_int_equal(bad(seqs + 18, (const uint8_t[]){ 0x85 }, 1, err, sizeof(err)), -1);
	/* checkType retagged [6] (unknown, skipped) after [0]... then [2] out of order */
	assert_int_equal(bad(seqs + 12, (const uint8_t[]){ 0x86 }, 1, err, sizeof(err)), -1);

	/* missing checkValue: a minimal integrityCheck of seqs and checkType only */
	{
		static struct etsi_pdu p;
		static const uint8_t m[] = {
			0x30, 0x5e, V_HDR0,
			0xa2, 0x0f, 0xa2, 0x0d, 0xa0, 0x0b,
			0xa0, 0x03, 0x02, 0x01, 0x00,
			0x81, 0x01, 0x01, 0x82, 0x01, 0x02,
		};
		assert_int_equal(etsi_pdu_decode(m, sizeof(m), &p, err,
		    sizeof(err)), -1);
		assert_non_null(strstr(err, "missing"));
	}
	/* empty includedSequenceNumbers */
	{
		static struct etsi_pdu p;
		static const uint8_t m[] = {
			0x30, 0x61, V_HDR0,
			0xa2, 0x12, 0xa2, 0x10, 0xa0, 0x0e,
			0xa0, 0x00,
			0x81, 0x01, 0x01, 0x82, 0x01, 0x02, 0x83, 0x01, 0x00,
			0x84, 0x01, 0x02,
		};
		assert_int_equal(etsi_pdu_decode(m, sizeof(m), &p, err,
		    sizeof(err)), -1);
		assert_non_null(strstr(err, "empty"));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_max_roundtrip),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
