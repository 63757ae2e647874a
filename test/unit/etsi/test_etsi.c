/* test_etsi.c - the PS-PDU encoders against hand-built records, and round trips through the decoder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "etsi/decode.h"
#include "etsi/etsi.h"
#include "etsi/der.h"
#include "etsi/hdr.h"
#include "vectors.h"

static const struct etsi_time ts7 = { 1700000000, 123450 };
static const struct etsi_time ts0 = { 1700000000, 0 };
#define PKT_LEN	4	/* the packet of v_ipcc: de ad be ef */

static struct etsi_tmpl
tmpl(void)
{
	struct etsi_ident id = v_ident();
	struct etsi_tmpl t;

	assert_int_equal(etsi_tmpl_init(&t, &id), 0);
	return t;
}

static void
test_tmpl(void **state)
{
	static const uint8_t want[] = { V_TMPL };
	struct etsi_ident id = v_ident();
	struct etsi_tmpl t = tmpl();
	static const char liid26[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

	(void)state;
	assert_int_equal(sizeof(want), V_TMPL_LEN);
	assert_int_equal(t.len, sizeof(want));
	assert_memory_equal(t.bytes, want, sizeof(want));
	assert_int_equal(t.ipaccess_version, 20);

	/* Minimal identity: no country codes, no NE, no CIN. */
	id.auth_cc = id.delivery_cc = id.ne_id = NULL;
	id.has_cin = 0;
	{
		static const uint8_t min[] = {
			0x80, 0x07, 0x04, 0x00, 0x02, 0x02, 0x05, 0x01, 0x28,
			0x81, 0x05, 'L', 'I', 'I', 'D', '1',
			0xa3, 0x06, 0xa0, 0x04, 0x80, 0x02, 'O', 'P',
		};
		assert_int_equal(etsi_tmpl_init(&t, &id), 0);
		assert_int_equal(t.len, sizeof(min));
		assert_memory_equal(t.bytes, min, sizeof(min));
	}
	/* Version >= 128 takes two octets. */
	id.pspdu_version = 200;
	assert_int_equal(etsi_tmpl_init(&t, &id), 0);
	assert_int_equal(t.bytes[1], 0x08);
	assert_int_equal(t.bytes[8], 0x81);
	assert_int_equal(t.bytes[9], 0x48);

	id = v_ident();
	id.liid = liid26;
	id.liid_len = 25;
	assert_int_equal(etsi_tmpl_init(&t, &id), 0);
	id.liid_len = 26;
	assert_int_equal(etsi_tmpl_init(&t, &id), -1);
	id.liid_len = 0;
	assert_int_equal(etsi_tmpl_init(&t, &id), -1);
	id = v_ident();
	id.operator_id = "12345678901234567";
	assert_int_equal(etsi_tmpl_init(&t, &id), -1);
	id.operator_id = "";
	assert_int_equal(etsi_tmpl_init(&t, &id), -1);
	id.operator_id = "1234567890123456";
	assert_int_equal(etsi_tmpl_init(&t, &id), 0);
	id = v_ident();
	id.ne_id = "";
	assert_int_equal(etsi_tmpl_init(&t, &id), -1);
	id = v_ident();
	id.auth_cc = "DEU";
	assert_int_equal(etsi_tmpl_init(&t, &id), -1);
	id.auth_cc = "D";
	assert_int_equal(etsi_tmpl_init(&t, &id), -1);
	id.auth_cc = "D*";
	assert_int_equal(etsi_tmpl_init(&t, &id), -1);
	id = v_ident();
	id.delivery_cc = "";
	assert_int_equal(etsi_tmpl_init(&t, &id), -1);
}

/* Calls the encoder with every capacity below n (must fail) and with n. */
#define EXACT(call_with_cap, want) do {					\
	uint8_t b_[2048];						\
	size_t c_;							\
	int r_;								\
	for (c_ = 0; c_ < sizeof(want); c_++) {				\
		size_t cap = c_;					\
		uint8_t *buf = b_ + sizeof(b_) - cap;			\
		r_ = call_with_cap;					\
		assert_int_equal(r_, -1);				\
	}								\
	{								\
		size_t cap = sizeof(want) + 10;				\
		uint8_t *buf = b_ + sizeof(b_) - cap;			\
		r_ = call_with_cap;					\
		assert_int_equal(r_, (int)sizeof(want));		\
		assert_memory_equal(b_ + sizeof(b_) - r_, want, sizeof(want)); \
	}								\
} while (0)

static void
test_keepalive(void **state)
{
	struct etsi_tmpl t = tmpl();

	(void)state;
	EXACT(etsi_keepalive_encode(buf, cap, &t, 0, ts0, 0), v_keepalive);
	EXACT(etsi_keepalive_encode(buf, cap, &t, 0, ts0, 1), v_keepalive_resp);
	EXACT(etsi_cinreset_encode(buf, cap, &t, ts0), v_cinreset);
	{
		uint8_t b[ETSI_TRI_MAX];
		struct etsi_time bad = { 1700000000, 1000000 };

		assert_int_equal(etsi_keepalive_encode(b, sizeof(b), &t, 0, bad, 0), -1);
		bad.usec = 0;
		bad.sec = -1;
		assert_int_equal(etsi_keepalive_encode(b, sizeof(b), &t, 0, bad, 0), -1);
	}
}

static void
test_ipcc(void **state)
{
	struct etsi_tmpl t = tmpl();
	uint8_t head[sizeof(v_ipcc) - PKT_LEN];
	uint8_t head1400[sizeof(v_ipcc_head1400)];
	uint8_t b[ETSI_IPCC_HEAD_MAX];

	(void)state;
	memcpy(head, v_ipcc, sizeof(head));
	memcpy(head1400, v_ipcc_head1400, sizeof(head1400));
	EXACT(etsi_ipcc_head(buf, cap, &t, 7, ts7, ETSI_TO_TARGET, 4), head);
	EXACT(etsi_ipcc_head(buf, cap, &t, 7, ts7, ETSI_TO_TARGET, 1400), head1400);
	assert_int_equal(etsi_ipcc_head(b, sizeof(b), &t, 7, ts7, 3, 4), -1);
	assert_int_equal(etsi_ipcc_head(b, sizeof(b), &t, 7, ts7, -1, 4), -1);
}

/*
 * The IPCC head as the general DER writer builds it, tag by tag: the
 * reference the per-packet encoder (written for speed) must equal.
 */
#define W(e)	do { if ((e) < 0) return -1; } while (0)
#define BODY	(pkt_len + (size_t)(end - p))
static int
ref_ipcc_head(uint8_t *buf, size_t cap, const struct etsi_tmpl *t, uint32_t seq,
    struct etsi_time ts, enum etsi_dir dir, size_t pkt_len)
{
	const uint32_t objid[4] = { 5, 3, t->ipaccess_version, 2 };
	uint8_t *end = buf + cap, *p = end;

	W(der_tl(&p, buf, DER_IMPL(0), pkt_len));
	W(der_tl(&p, buf, DER_EXPL(1), BODY));
	W(der_reloid(&p, buf, DER_IMPL(0), objid, 4));
	W(der_tl(&p, buf, DER_EXPL(2), BODY));
	W(der_tl(&p, buf, DER_EXPL(2), BODY));
	W(der_int(&p, buf, DER_IMPL(0), dir));
	W(der_tl(&p, buf, DER_SEQUENCE, BODY));
	W(der_tl(&p, buf, DER_EXPL(1), BODY));
	W(der_tl(&p, buf, DER_EXPL(2), BODY));
	W(etsi_hdr_write(&p, buf, t, seq, ts));
	W(etsi_pdu_wrap(&p, buf, BODY));
	return (int)(end - p);
}
#undef BODY
#undef W

static void
test_ipcc_fast_equals_reference(void **state)
{
	/* around the boundaries of the encoder's fixed layouts (106 | 107, 255 | 256,
	 * 65502 | 65503) and of DER's length forms */
	static const size_t lens[] = { 0, 1, 20, 100, 105, 106, 107, 127, 128, 200, 254, 255,
	    256, 257, 1500, 9000, 65501, 65502, 65503, 65535, 65536, 70000, 16777215,
	    16777216 };
	static const uint32_t seqs[] = { 0, 1, 127, 128, 255, 256, 32767, 32768, 8388608,
	    2147483647u, 2147483648u, 4294967295u };
	static const uint32_t usecs[] = { 0, 1, 5, 10, 100000, 123450, 500000, 999999,
	    120000, 100 };
	static const int64_t secs[] = { 0, 86399, 86400, 951782399, 951782400, 1700000000,
	    1795000000, 2147483647, 2147483648LL, 4102444800LL, 253402300799LL };
	static const uint32_t versions[] = { 1, 20, 127, 128, 255, 16383 };
	uint8_t a[ETSI_IPCC_HEAD_MAX], b[ETSI_IPCC_HEAD_MAX];
	unsigned n = 0;

	(void)state;
	for (size_t v = 0; v < sizeof(versions) / sizeof(versions[0]); v++) {
		struct etsi_tmpl t = tmpl();

		t.ipaccess_version = versions[v];
		for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++)
		for (size_t q = 0; q < sizeof(seqs) / sizeof(seqs[0]); q++)
		for (size_t u = 0; u < sizeof(usecs) / sizeof(usecs[0]); u++)
		for (size_t s = 0; s < sizeof(secs) / sizeof(secs[0]); s++) {
			struct etsi_time ts = { secs[s], usecs[u] };
			enum etsi_dir d = (enum etsi_dir)(n++ % 3);
			int x = etsi_ipcc_head(a, sizeof(a), &t, seqs[q], ts, d, lens[l]);
			int y = ref_ipcc_head(b, sizeof(b), &t, seqs[q], ts, d, lens[l]);

			assert_true(x > 0);
			assert_int_equal(x, y);
			assert_memory_equal(a + sizeof(a) - x, b + sizeof(b) - y, (size_t)x);
		}
	}
	/* Out of range: as the general writer, refused. */
	{
		struct etsi_tmpl t = tmpl();

		assert_int_equal(etsi_ipcc_head(a, sizeof(a), &t, 0,
		    (struct etsi_time){ 253402300800LL, 0 }, ETSI_FROM_TARGET, 10), -1);
		assert_int_equal(etsi_ipcc_head(a, sizeof(a), &t, 0,
		    (struct etsi_time){ 1, 1000000 }, ETSI_FROM_TARGET, 10), -1);
		assert_int_equal(etsi_ipcc_head(a, sizeof(a), &t, 0,
		    (struct etsi_time){ -1, 0 }, ETSI_FROM_TARGET, 10), -1);
	}
}

static struct etsi_ipiri
iri_v4(void)
{
	struct etsi_ipiri iri = {
		.iri_type = ETSI_IRI_BEGIN,
		.event = ETSI_AE_START_WITH_SESSION_ACTIVE,
		.username = "alice", .username_len = 5,
		.access_type = 2, .ip_version = 1,
		.has_target = 1,
		.target = { .family = 4, .prefix_len = 32, .assignment = 2,
		    .addr = { 192, 0, 2, 1 } },
		.has_start = 1, .start = { 1699999000, 0 },
	};

	return iri;
}

static struct etsi_ipiri
iri_v6(void)
{
	struct etsi_ipiri iri = {
		.iri_type = ETSI_IRI_END, .event = ETSI_AE_ACCESS_END,
		.username = "alice", .username_len = 5,
		.access_type = 2, .ip_version = 2,
		.has_target = 1,
		.target = { .family = 6, .prefix_len = 64, .assignment = 0,
		    .addr = { 0x20, 0x01, 0x0d, 0xb8 } },
		.has_start = 1, .start = { 1699999000, 0 },
		.has_end = 1, .end = { 1700000500, 0 },
	};

	return iri;
}

static void
test_ipiri(void **state)
{
	struct etsi_tmpl t = tmpl();
	struct etsi_ipiri v4 = iri_v4(), v4_24 = iri_v4(), v6 = iri_v6(), bad;
	uint8_t b[ETSI_IPIRI_MAX];

	(void)state;
	v4_24.target.prefix_len = 24;
	v4_24.target.addr[3] = 0;
	EXACT(etsi_ipiri_encode(buf, cap, &t, 7, ts7, &v4), v_iri_v4);
	EXACT(etsi_ipiri_encode(buf, cap, &t, 7, ts7, &v4_24), v_iri_v4_24);
	EXACT(etsi_ipiri_encode(buf, cap, &t, 7, ts7, &v6), v_iri_v6);

	bad = v4; bad.target.prefix_len = 33;
	assert_int_equal(etsi_ipiri_encode(b, sizeof(b), &t, 7, ts7, &bad), -1);
	bad = v6; bad.target.prefix_len = 0;
	assert_int_equal(etsi_ipiri_encode(b, sizeof(b), &t, 7, ts7, &bad), -1);
	bad = v6; bad.target.prefix_len = 129;
	assert_int_equal(etsi_ipiri_encode(b, sizeof(b), &t, 7, ts7, &bad), -1);
	bad = v4; bad.target.family = 5;
	assert_int_equal(etsi_ipiri_encode(b, sizeof(b), &t, 7, ts7, &bad), -1);
	bad = v4; bad.target.assignment = 4;
	assert_int_equal(etsi_ipiri_encode(b, sizeof(b), &t, 7, ts7, &bad), -1);
	bad = v4; bad.iri_type = 0;
	assert_int_equal(etsi_ipiri_encode(b, sizeof(b), &t, 7, ts7, &bad), -1);
	bad = v4; bad.iri_type = 5;
	assert_int_equal(etsi_ipiri_encode(b, sizeof(b), &t, 7, ts7, &bad), -1);
	bad = v4; bad.username_len = 0;
	assert_int_equal(etsi_ipiri_encode(b, sizeof(b), &t, 7, ts7, &bad), -1);
	bad = v4; bad.username = NULL;
	assert_int_equal(etsi_ipiri_encode(b, sizeof(b), &t, 7, ts7, &bad), -1);
	bad = v4; bad.start.usec = 1000000;
	assert_int_equal(etsi_ipiri_encode(b, sizeof(b), &t, 7, ts7, &bad), -1);
}

static void
decode_ok(const uint8_t *b, size_t n, struct etsi_pdu *p)
{
	char err[160];
	size_t fl = 0;

	assert_int_equal(etsi_pdu_frame(b, n, &fl, err, sizeof(err)), 1);
	assert_int_equal(fl, n);
	if (etsi_pdu_decode(b, n, p, err, sizeof(err)) != 0)
		fail_msg("decode: %s", err);
}

static void
check_hdr(const struct etsi_pdu *p, uint32_t seq, struct etsi_time ts)
{
	assert_int_equal(p->pspdu_version, 40);
	assert_int_equal(p->liid_len, 5);
	assert_memory_equal(p->liid, "LIID1", 5);
	assert_string_equal(p->auth_cc, "DE");
	assert_string_equal(p->delivery_cc, "DE");
	assert_string_equal(p->operator_id, "OP");
	assert_string_equal(p->ne_id, "NE1");
	assert_true(p->has_cin);
	assert_int_equal(p->cin, 1234);
	assert_int_equal(p->seq, seq);
	assert_true(p->has_ts);
	assert_int_equal(p->ts.sec, ts.sec);
	assert_int_equal(p->ts.usec, ts.usec);
	assert_true(p->has_usts);
	assert_int_equal(p->usts.sec, ts.sec);
	assert_int_equal(p->usts.usec, ts.usec);
	assert_int_equal(p->ts_qualifier, 1);
}

static void
test_roundtrip_tri(void **state)
{
	struct etsi_tmpl t = tmpl();
	struct etsi_pdu p;
	uint8_t b[ETSI_TRI_MAX];
	int n;

	(void)state;
	n = etsi_keepalive_encode(b, sizeof(b), &t, 0, ts0, 0);
	assert_true(n > 0);
	decode_ok(b + sizeof(b) - n, (size_t)n, &p);
	check_hdr(&p, 0, ts0);
	assert_int_equal(p.kind, ETSI_KIND_KEEPALIVE);
	n = etsi_keepalive_encode(b, sizeof(b), &t, 4294967295u, ts7, 1);
	decode_ok(b + sizeof(b) - n, (size_t)n, &p);
	check_hdr(&p, 4294967295u, ts7);
	assert_int_equal(p.kind, ETSI_KIND_KEEPALIVE_RESPONSE);
}

static void
test_roundtrip_ipcc(void **state)
{
	static const size_t sizes[] = { 0, 1, 4, 100, 127, 128, 255, 256, 1500,
	    65535, 65536, 70000 };
	static uint8_t rec[ETSI_IPCC_HEAD_MAX + 70000];
	struct etsi_tmpl t = tmpl();
	struct etsi_pdu p;
	size_t i, k;
	int n;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t len = sizes[i];

		n = etsi_ipcc_head(rec, ETSI_IPCC_HEAD_MAX, &t, (uint32_t)i, ts7,
		    ETSI_FROM_TARGET, len);
		assert_true(n > 0);
		memmove(rec, rec + ETSI_IPCC_HEAD_MAX - n, (size_t)n);
		for (k = 0; k < len; k++)
			rec[(size_t)n + k] = (uint8_t)(k * 7 + i);
		decode_ok(rec, (size_t)n + len, &p);
		check_hdr(&p, (uint32_t)i, ts7);
		assert_int_equal(p.kind, ETSI_KIND_CC);
		assert_int_equal(p.dir, ETSI_FROM_TARGET);
		assert_int_equal(p.cc_content, 2);
		assert_int_equal(p.objid_version, 20);
		assert_int_equal(p.payload_len, len);
		assert_ptr_equal(p.payload, rec + n);
	}
}

static void
test_roundtrip_ipiri(void **state)
{
	struct etsi_tmpl t = tmpl();
	struct etsi_ipiri v4 = iri_v4(), v6 = iri_v6();
	struct etsi_pdu p;
	uint8_t b[ETSI_IPIRI_MAX];
	int n, plen;

	(void)state;
	n = etsi_ipiri_encode(b, sizeof(b), &t, 7, ts7, &v4);
	decode_ok(b + sizeof(b) - n, (size_t)n, &p);
	check_hdr(&p, 7, ts7);
	assert_int_equal(p.kind, ETSI_KIND_IRI);
	assert_int_equal(p.iri_type, ETSI_IRI_BEGIN);
	assert_int_equal(p.iri_content, 2);
	assert_int_equal(p.objid_version, 20);
	assert_int_equal(p.access_event, ETSI_AE_START_WITH_SESSION_ACTIVE);
	assert_string_equal(p.username, "alice");
	assert_int_equal(p.username_len, 5);
	assert_int_equal(p.access_type, 2);
	assert_int_equal(p.ip_version, 1);
	assert_true(p.has_target);
	assert_int_equal(p.target.family, 4);
	assert_int_equal(p.target.prefix_len, 32);
	assert_int_equal(p.target.assignment, 2);
	assert_memory_equal(p.target.addr, v4.target.addr, 4);
	assert_true(p.has_start);
	assert_int_equal(p.start.sec, 1699999000);
	assert_false(p.has_end);

	for (plen = 0; plen <= 32; plen++) {
		v4.target.prefix_len = (uint8_t)plen;
		n = etsi_ipiri_encode(b, sizeof(b), &t, 7, ts7, &v4);
		decode_ok(b + sizeof(b) - n, (size_t)n, &p);
		assert_int_equal(p.target.prefix_len, plen);
	}

	n = etsi_ipiri_encode(b, sizeof(b), &t, 8, ts7, &v6);
	decode_ok(b + sizeof(b) - n, (size_t)n, &p);
	assert_int_equal(p.iri_type, ETSI_IRI_END);
	assert_int_equal(p.access_event, ETSI_AE_ACCESS_END);
	assert_int_equal(p.target.family, 6);
	assert_int_equal(p.target.prefix_len, 64);
	assert_int_equal(p.target.assignment, 0);
	assert_memory_equal(p.target.addr, v6.target.addr, 16);
	assert_true(p.has_end);
	assert_int_equal(p.end.sec, 1700000500);
	v6.has_target = 0;
	v6.username_len = 255;
	v6.username = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	v6.end.usec = 10;
	n = etsi_ipiri_encode(b, sizeof(b), &t, 9, ts7, &v6);
	decode_ok(b + sizeof(b) - n, (size_t)n, &p);
	assert_false(p.has_target);
	assert_int_equal(p.username_len, 255);
	assert_int_equal(p.end.usec, 10);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(etsi_access_event_name(0), "accessAttempt");
	assert_string_equal(etsi_access_event_name(7),
	    "startOfInterceptionWithSessionActive");
	assert_string_equal(etsi_access_event_name(10), "unknown");
	assert_string_equal(etsi_access_event_name(13), "sessionExpired");
	assert_null(etsi_access_event_name(14));
	assert_null(etsi_access_event_name(-1));
	assert_string_equal(etsi_dir_name(0), "fromTarget");
	assert_string_equal(etsi_dir_name(1), "toTarget");
	assert_string_equal(etsi_dir_name(2), "indeterminate");
	assert_null(etsi_dir_name(5));
	assert_null(etsi_dir_name(-1));
	assert_null(etsi_iri_type_name(0));
	assert_string_equal(etsi_iri_type_name(1), "iRI-Begin");
	assert_string_equal(etsi_iri_type_name(4), "iRI-Report");
	assert_null(etsi_iri_type_name(5));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tmpl),
		cmocka_unit_test(test_keepalive),
		cmocka_unit_test(test_ipcc),
		cmocka_unit_test(test_ipcc_fast_equals_reference),
		cmocka_unit_test(test_ipiri),
		cmocka_unit_test(test_roundtrip_tri),
		cmocka_unit_test(test_roundtrip_ipcc),
		cmocka_unit_test(test_roundtrip_ipiri),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
