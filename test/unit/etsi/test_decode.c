/* test_decode.c - the strict decoder and the stream framing on malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "etsi/decode.h"
#include "etsi/etsi.h"
#include "vectors.h"

/* Offsets in v_keepalive. */
#define KA_OUTER_LEN	1
#define KA_HDR_LEN	3
#define KA_LIID		13	/* 81 05 'L' ... */
#define KA_SEQ		45	/* 84 01 00 */
#define KA_TIME		48	/* 85 0f ... */
#define KA_QUAL		76	/* 88 01 01 */
#define KA_PAYLOAD	79	/* a2 04 a2 02 83 00 */

static const struct { const uint8_t *b; size_t n; } valid[] = {
	{ v_keepalive, sizeof(v_keepalive) },
	{ v_keepalive_resp, sizeof(v_keepalive_resp) },
	{ v_ipcc, sizeof(v_ipcc) },
	{ v_iri_v4, sizeof(v_iri_v4) },
	{ v_iri_v4_24, sizeof(v_iri_v4_24) },
	{ v_iri_v6, sizeof(v_iri_v6) },
	{ v_iri_full, sizeof(v_iri_full) },
};

/*
 * out = src with del bytes at pos replaced by ins; each one-octet length
 * at the offsets in lens (all before pos) is adjusted by the difference.
 */
static size_t
edit(uint8_t *out, const uint8_t *src, size_t n, size_t pos, size_t del,
    const void *ins, size_t nins, const size_t *lens, size_t nlens)
{
	size_t i;

	memcpy(out, src, pos);
	if (nins > 0)
		memcpy(out + pos, ins, nins);
	memcpy(out + pos + nins, src + pos + del, n - pos - del);
	for (i = 0; i < nlens; i++)
		out[lens[i]] = (uint8_t)(out[lens[i]] + nins - del);
	return n - del + nins;
}

static const size_t ka_lens[] = { KA_OUTER_LEN, KA_HDR_LEN };
static const size_t ka_outer[] = { KA_OUTER_LEN };

static void
rejects(const uint8_t *b, size_t n, const char *why)
{
	struct etsi_pdu p;
	char err[200];

	memset(err, 0, sizeof(err));
	assert_int_equal(etsi_pdu_decode(b, n, &p, err, sizeof(err)), -1);
	if (strstr(err, why) == NULL)
		fail_msg("error \"%s\" does not say \"%s\"", err, why);
}

static void
accepts(const uint8_t *b, size_t n, struct etsi_pdu *p)
{
	char err[200];

	if (etsi_pdu_decode(b, n, p, err, sizeof(err)) != 0)
		fail_msg("decode: %s", err);
}

static void
test_valid_vectors(void **state)
{
	struct etsi_pdu p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
		accepts(valid[i].b, valid[i].n, &p);
	accepts(v_keepalive, sizeof(v_keepalive), &p);
	assert_int_equal(p.kind, ETSI_KIND_KEEPALIVE);
	accepts(v_cinreset, sizeof(v_cinreset), &p);
	assert_int_equal(p.kind, ETSI_KIND_TRI_OTHER);
	assert_int_equal(p.tri, 7);
	{
		/* cINReset is a NULL: not constructed, not with contents */
		uint8_t b[sizeof(v_cinreset) + 1];
		struct etsi_pdu q;
		char err[200];

		memcpy(b, v_cinreset, sizeof(v_cinreset));
		b[sizeof(v_cinreset) - 2] = 0xa7;
		assert_int_equal(etsi_pdu_decode(b, sizeof(v_cinreset), &q, err,
		    sizeof(err)), -1);
	}
	accepts(v_ipcc, sizeof(v_ipcc), &p);
	assert_int_equal(p.kind, ETSI_KIND_CC);
	assert_int_equal(p.dir, ETSI_TO_TARGET);
	assert_int_equal(p.payload_len, 4);
	assert_ptr_equal(p.payload, v_ipcc + sizeof(v_ipcc) - 4);
	accepts(v_iri_v4_24, sizeof(v_iri_v4_24), &p);
	assert_int_equal(p.target.prefix_len, 24);
}

static void
test_truncations(void **state)
{
	struct etsi_pdu p;
	char err[200];
	size_t i, n, fl;

	(void)state;
	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		for (n = 0; n < valid[i].n; n++) {
			assert_int_equal(etsi_pdu_decode(valid[i].b, n, &p, err,
			    sizeof(err)), -1);
			assert_int_equal(etsi_pdu_frame(valid[i].b, n, &fl, err,
			    sizeof(err)), 0);
		}
		assert_int_equal(etsi_pdu_frame(valid[i].b, n, &fl, err,
		    sizeof(err)), 1);
		assert_int_equal(fl, valid[i].n);
	}
}

static void
test_lengths(void **state)
{
	uint8_t b[256], c[256];
	size_t n, fl;
	char err[200];

	(void)state;
	/* Outer length 81 53 where 53 would do. */
	n = edit(b, v_keepalive, sizeof(v_keepalive), 1, 1, "\x81\x53", 2, NULL, 0);
	rejects(b, n, "length not minimal");
	assert_int_equal(etsi_pdu_frame(b, n, &fl, err, sizeof(err)), -1);
	/* Inner: pSHeader a1 81 4b. */
	n = edit(b, v_keepalive, sizeof(v_keepalive), 3, 1, "\x81\x4b", 2,
	    ka_outer, 1);
	rejects(b, n, "length not minimal");
	/* Long form with a leading zero: 82 00 53. */
	n = edit(b, v_keepalive, sizeof(v_keepalive), 1, 1, "\x82\x00\x53", 3,
	    NULL, 0);
	rejects(b, n, "length not minimal");
	assert_int_equal(etsi_pdu_frame(b, n, &fl, err, sizeof(err)), -1);
	/* Indefinite length with end-of-contents. */
	memcpy(b, v_keepalive, sizeof(v_keepalive));
	b[1] = 0x80;
	b[sizeof(v_keepalive)] = 0;
	b[sizeof(v_keepalive) + 1] = 0;
	rejects(b, sizeof(v_keepalive) + 2, "indefinite length");
	assert_int_equal(etsi_pdu_frame(b, sizeof(v_keepalive) + 2, &fl, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "indefinite"));
	/* Inner indefinite length. */
	n = edit(c, v_keepalive, sizeof(v_keepalive), KA_PAYLOAD, 6,
	    "\xa2\x80\xa2\x02\x83\x00\x00\x00", 8, ka_outer, 1);
	rejects(c, n, "indefinite length");
	/* An inner length that overruns its container. */
	memcpy(b, v_keepalive, sizeof(v_keepalive));
	b[KA_SEQ + 1] = 0x02;
	rejects(b, sizeof(v_keepalive), "");
	memcpy(b, v_keepalive, sizeof(v_keepalive));
	b[KA_PAYLOAD + 3] = 0x03;
	rejects(b, sizeof(v_keepalive), "overruns");
	/* 5-octet lengths and lengths over ETSI_PDU_MAX do not frame. */
	assert_int_equal(etsi_pdu_frame((const uint8_t *)"\x30\x85\x01\x00\x00\x00\x00",
	    7, &fl, err, sizeof(err)), -1);
	assert_int_equal(etsi_pdu_frame((const uint8_t *)"\x30\x84\x01\x00\x00\x01",
	    6, &fl, err, sizeof(err)), -1);
	assert_int_equal(etsi_pdu_frame((const uint8_t *)"\x30\x84\x01\x00\x00\x00",
	    6, &fl, err, sizeof(err)), 0);
	assert_int_equal(fl, 6 + (16u << 20));
	assert_int_equal(etsi_pdu_frame((const uint8_t *)"\x31\x00", 2, &fl,
	    err, sizeof(err)), -1);
}

static void
test_integers(void **state)
{
	uint8_t b[256];
	size_t n;

	(void)state;
	/* sequenceNumber 84 02 00 01 */
	n = edit(b, v_keepalive, sizeof(v_keepalive), KA_SEQ, 3,
	    "\x84\x02\x00\x01", 4, ka_lens, 2);
	rejects(b, n, "INTEGER not minimal");
	/* 84 02 ff ff: negative, and not minimal */
	n = edit(b, v_keepalive, sizeof(v_keepalive), KA_SEQ, 3,
	    "\x84\x02\xff\xff", 4, ka_lens, 2);
	rejects(b, n, "not minimal");
	/* 84 01 ff: negative */
	n = edit(b, v_keepalive, sizeof(v_keepalive), KA_SEQ, 3,
	    "\x84\x01\xff", 3, ka_lens, 2);
	rejects(b, n, "negative");
	/* 2^32 is out of range for sequenceNumber */
	n = edit(b, v_keepalive, sizeof(v_keepalive), KA_SEQ, 3,
	    "\x84\x05\x01\x00\x00\x00\x00", 7, ka_lens, 2);
	rejects(b, n, "out of range");
	/* 2^64+5 in 9 octets must not read as 5 (found by fuzz_der) */
	n = edit(b, v_keepalive, sizeof(v_keepalive), KA_SEQ, 3,
	    "\x84\x09\x01\x00\x00\x00\x00\x00\x00\x00\x05", 11, ka_lens, 2);
	rejects(b, n, "");
	/* empty INTEGER */
	n = edit(b, v_keepalive, sizeof(v_keepalive), KA_SEQ, 3,
	    "\x84\x00", 2, ka_lens, 2);
	rejects(b, n, "empty INTEGER");
	/* 2^32-1 is fine */
	n = edit(b, v_keepalive, sizeof(v_keepalive), KA_SEQ, 3,
	    "\x84\x05\x00\xff\xff\xff\xff", 7, ka_lens, 2);
	{
		struct etsi_pdu p;

		accepts(b, n, &p);
		assert_int_equal(p.seq, 4294967295u);
	}
}

static void
test_structure(void **state)
{
	uint8_t b[256];
	size_t n;
	struct etsi_pdu p;

	(void)state;
	/* Trailing garbage after the PDU. */
	memcpy(b, v_keepalive, sizeof(v_keepalive));
	b[sizeof(v_keepalive)] = 0;
	rejects(b, sizeof(v_keepalive) + 1, "trailing bytes");
	/* Not a SEQUENCE. */
	memcpy(b, v_keepalive, sizeof(v_keepalive));
	b[0] = 0x31;
	rejects(b, sizeof(v_keepalive), "not a SEQUENCE");
	/* payload [3] is no element of PS-PDU. */
	memcpy(b, v_keepalive, sizeof(v_keepalive));
	b[KA_PAYLOAD] = 0xa3;
	rejects(b, sizeof(v_keepalive), "unknown element");
	/* Payload before header. */
	memcpy(b, v_keepalive, 2);
	memcpy(b + 2, v_keepalive + KA_PAYLOAD, 6);
	memcpy(b + 8, v_keepalive + 2, 77);
	rejects(b, sizeof(v_keepalive), "out of order");
	/* li-psDomainId retagged [9] lands before LIID [1]: order. */
	memcpy(b, v_keepalive, sizeof(v_keepalive));
	b[4] = 0x89;
	rejects(b, sizeof(v_keepalive), "out of order");
	/* LIID primitive tag made constructed. */
	memcpy(b, v_keepalive, sizeof(v_keepalive));
	b[KA_LIID] = 0xa1;
	rejects(b, sizeof(v_keepalive), "");
	/* Universal tag where a context tag belongs. */
	memcpy(b, v_keepalive, sizeof(v_keepalive));
	b[KA_SEQ] = 0x02;
	rejects(b, sizeof(v_keepalive), "not context-tagged");
	/* sequenceNumber missing. */
	n = edit(b, v_keepalive, sizeof(v_keepalive), KA_SEQ, 3, NULL, 0,
	    ka_lens, 2);
	rejects(b, n, "sequenceNumber missing");
	/* sequenceNumber twice. */
	n = edit(b, v_keepalive, sizeof(v_keepalive), KA_SEQ, 0,
	    "\x84\x01\x00", 3, ka_lens, 2);
	rejects(b, n, "repeated");
	/* Long-form tag for a number below 31: 9f 04. */
	n = edit(b, v_keepalive, sizeof(v_keepalive), KA_SEQ, 1, "\x9f\x04", 2,
	    ka_lens, 2);
	rejects(b, n, "long form");
	/* keep-alive NULL with content, and constructed. */
	n = edit(b, v_keepalive, sizeof(v_keepalive), KA_PAYLOAD, 6,
	    "\xa2\x05\xa2\x03\x83\x01\x00", 7, ka_outer, 1);
	rejects(b, n, "NULL with content");
	n = edit(b, v_keepalive, sizeof(v_keepalive), KA_PAYLOAD, 6,
	    "\xa2\x04\xa2\x02\xa3\x00", 6, ka_outer, 1);
	rejects(b, n, "primitive");
	/* A CHOICE with two alternatives. */
	n = edit(b, v_keepalive, sizeof(v_keepalive), KA_PAYLOAD, 6,
	    "\xa2\x06\xa2\x04\x83\x00\x84\x00", 8, ka_outer, 1);
	rejects(b, n, "more than one");
	/* An empty CHOICE. */
	n = edit(b, v_keepalive, sizeof(v_keepalive), KA_PAYLOAD, 6,
	    "\xa2\x02\xa2\x00", 4, ka_outer, 1);
	rejects(b, n, "without an alternative");
	/* Other TRI (paddingPDU [2]) and other payloads decode as such. */
	n = edit(b, v_keepalive, sizeof(v_keepalive), KA_PAYLOAD, 6,
	    "\xa2\x05\xa2\x03\x82\x01\x00", 7, ka_outer, 1);
	accepts(b, n, &p);
	assert_int_equal(p.kind, ETSI_KIND_TRI_OTHER);
	n = edit(b, v_keepalive, sizeof(v_keepalive), KA_PAYLOAD, 6,
	    "\xa2\x04\xa4\x02\x80\x00", 6, ka_outer, 1);
	accepts(b, n, &p);
	assert_int_equal(p.kind, ETSI_KIND_OTHER);
	/* ... but must still be DER inside. */
	n = edit(b, v_keepalive, sizeof(v_keepalive), KA_PAYLOAD, 6,
	    "\xa2\x05\xa4\x03\x80\x81\x00", 7, ka_outer, 1);
	rejects(b, n, "");
	/* An unknown PSHeader extension [9] is skipped. */
	n = edit(b, v_keepalive, sizeof(v_keepalive), KA_PAYLOAD, 0,
	    "\x89\x01\x00", 3, ka_lens, 2);
	accepts(b, n, &p);
	assert_int_equal(p.kind, ETSI_KIND_KEEPALIVE);
	/* li-psDomainId of another domain. */
	memcpy(b, v_keepalive, sizeof(v_keepalive));
	b[11] = 0x02;
	rejects(b, sizeof(v_keepalive), "0.4.0.2.2.5.1.N");
	/* Country code with a character PrintableString lacks. */
	memcpy(b, v_keepalive, sizeof(v_keepalive));
	b[KA_LIID + 7 + 2] = '*';
	rejects(b, sizeof(v_keepalive), "PrintableString");
}

static void
test_liid(void **state)
{
	static const char liid[] = "ABCDEFGHIJKLMNOPQRSTUVWXY";
	struct etsi_ident id = v_ident();
	struct etsi_tmpl t;
	struct etsi_time ts = { 1700000000, 0 };
	struct etsi_pdu p;
	uint8_t b[ETSI_TRI_MAX], c[ETSI_TRI_MAX + 1];
	size_t lens[] = { 1, 3, 14 };	/* outer, pSHeader, LIID */
	size_t n;
	int k;

	(void)state;
	id.liid = liid;
	id.liid_len = 25;
	assert_int_equal(etsi_tmpl_init(&t, &id), 0);
	k = etsi_keepalive_encode(b, sizeof(b), &t, 0, ts, 0);
	assert_true(k > 0);
	accepts(b + sizeof(b) - k, (size_t)k, &p);
	assert_int_equal(p.liid_len, 25);
	assert_memory_equal(p.liid, liid, 25);
	/* One more octet in the LIID: 26 is over the limit. */
	assert_int_equal(b[sizeof(b) - k + 13], 0x81);
	assert_int_equal(b[sizeof(b) - k + 14], 25);
	n = edit(c, b + sizeof(b) - k, (size_t)k, 15, 0, "Z", 1, lens, 3);
	rejects(c, n, "too long");
	/* An empty LIID. */
	n = edit(c, b + sizeof(b) - k, (size_t)k, 15, 25, NULL, 0, lens, 3);
	rejects(c, n, "too short");
}

static void
time_case(const char *text, int ok, const char *why)
{
	uint8_t b[256];
	size_t n, tl = strlen(text);
	uint8_t ins[40];
	struct etsi_pdu p;

	ins[0] = 0x85;
	ins[1] = (uint8_t)tl;
	memcpy(ins + 2, text, tl);
	n = edit(b, v_keepalive, sizeof(v_keepalive), KA_TIME, 17, ins, tl + 2,
	    ka_lens, 2);
	if (ok) {
		accepts(b, n, &p);
		assert_true(p.has_ts);
	} else
		rejects(b, n, why);
}

static void
test_times(void **state)
{
	(void)state;
	time_case("20231114221320Z", 1, NULL);
	time_case("20231114221320.5Z", 1, NULL);
	time_case("20240229000000Z", 1, NULL);
	time_case("20231114221320.123456789Z", 1, NULL);
	time_case("20231114221320.50Z", 0, "trailing zero");
	time_case("20231114221320.Z", 0, "YYYYMMDDHHMMSS");
	time_case("20231114221320", 0, "YYYYMMDDHHMMSS");
	time_case("202311142213Z", 0, "YYYYMMDDHHMMSS");
	time_case("20231114221320+0100", 0, "YYYYMMDDHHMMSS");
	time_case("2023111422132OZ", 0, "non-digit");
	time_case("20230230000000Z", 0, "valid date");
	time_case("20230229000000Z", 0, "valid date");
	time_case("20231314000000Z", 0, "valid date");
	time_case("20231114240000Z", 0, "valid date");
	time_case("20231114221320.1234567890Z", 0, "longer than 9");
	time_case("20231114221320,5Z", 0, "YYYYMMDDHHMMSS");
}

static void
test_time_value(void **state)
{
	uint8_t b[256];
	size_t n;
	struct etsi_pdu p;
	static const char t[] = "\x85\x15" "20000229235959.00001Z";

	(void)state;
	n = edit(b, v_keepalive, sizeof(v_keepalive), KA_TIME, 17, t, 23,
	    ka_lens, 2);
	accepts(b, n, &p);
	assert_int_equal(p.ts.sec, 951868799);
	assert_int_equal(p.ts.usec, 10);
}

static void
test_ipiri_errors(void **state)
{
	uint8_t b[256];

	(void)state;
	/* v_iri_v4: iPIRIObjId at 101 (80 04 05 03 14 01). */
	assert_int_equal(v_iri_v4[101], 0x80);
	memcpy(b, v_iri_v4, sizeof(v_iri_v4));
	b[106] = 0x02;
	rejects(b, sizeof(v_iri_v4), "5.3.N.1");
	/* iP-type iPV6 with a 4-octet address (iP-type at 127). */
	memcpy(b, v_iri_v4, sizeof(v_iri_v4));
	assert_int_equal(b[127], 0x81);
	b[129] = 0x01;
	rejects(b, sizeof(v_iri_v4), "does not match");
	/* A non-contiguous subnet mask (v_iri_v4_24 mask at 141). */
	memcpy(b, v_iri_v4_24, sizeof(v_iri_v4_24));
	assert_int_equal(b[141], 0x85);
	b[145] = 0xf0;
	b[146] = 0x0f;
	rejects(b, sizeof(v_iri_v4_24), "contiguous");
	/* accessEventType [0] retagged [5]: mandatory fields missing/out of order. */
	memcpy(b, v_iri_v4, sizeof(v_iri_v4));
	assert_int_equal(b[109], 0x80);
	b[109] = 0x85;
	rejects(b, sizeof(v_iri_v4), "out of order");
}

static void
test_bitflips(void **state)
{
	uint8_t b[512];
	struct etsi_pdu p;
	char err[200];
	size_t i, k, fl;
	int bit, r, ok = 0, bad = 0;

	(void)state;
	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		for (k = 0; k < valid[i].n; k++) {
			for (bit = 0; bit < 8; bit++) {
				memcpy(b, valid[i].b, valid[i].n);
				b[k] ^= (uint8_t)(1u << bit);
				r = etsi_pdu_decode(b, valid[i].n, &p, err,
				    sizeof(err));
				assert_true(r == 0 || r == -1);
				if (r == 0) {
					assert_true(p.liid_len >= 1 &&
					    p.liid_len <= 25);
					assert_true(p.payload == NULL ||
					    (p.payload >= b && p.payload +
					    p.payload_len <= b + valid[i].n));
					ok++;
				} else {
					assert_true(err[0] != '\0');
					bad++;
				}
				r = etsi_pdu_frame(b, valid[i].n, &fl, err,
				    sizeof(err));
				assert_true(r >= -1 && r <= 1);
			}
		}
	}
	/* Both outcomes occur: flips in the packet decode, flips in tags do not. */
	assert_true(ok > 0);
	assert_true(bad > 0);
}

static void
test_stream(void **state)
{
	uint8_t s[2048];
	size_t n = 0, off = 0, fl, i, count = 0;
	char err[200];
	struct etsi_pdu p;

	(void)state;
	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		memcpy(s + n, valid[i].b, valid[i].n);
		n += valid[i].n;
	}
	while (off < n) {
		assert_int_equal(etsi_pdu_frame(s + off, n - off, &fl, err,
		    sizeof(err)), 1);
		accepts(s + off, fl, &p);
		off += fl;
		count++;
	}
	assert_int_equal(count, sizeof(valid) / sizeof(valid[0]));
	assert_int_equal(etsi_pdu_frame(s, 1, &fl, err, sizeof(err)), 0);
	assert_int_equal(etsi_pdu_frame(s, 0, &fl, err, sizeof(err)), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_vectors),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_liid),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_time_value),
		cmocka_unit_test(test_ipiri_errors),
		cmocka_unit_test(test_bitflips),
		cmocka_unit_test(test_stream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
