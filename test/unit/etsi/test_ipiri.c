/* test_ipiri.c - every IPIRIContents field: hand-built DER, size limits, round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "etsi/decode.h"
#include "etsi/etsi.h"
#include "vectors.h"

static const struct etsi_time ts7 = { 1700000000, 123450 };

static const struct etsi_ipaddr a_target = { 4, 32, 2, { 192, 0, 2, 1 } };
static const struct etsi_ipaddr a_pop = { 4, 32, 0, { 198, 51, 100, 1 } };
static const struct etsi_ipaddr a_add = { 6, 56, 2,
    { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01 } };
static const struct etsi_ipaddr a_other[2] = {
	{ 6, 64, 2, { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x02 } },
	{ 6, 48, 0, { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x03 } },
};

static struct etsi_tmpl
tmpl(void)
{
	struct etsi_ident id = v_ident();
	struct etsi_tmpl t;

	assert_int_equal(etsi_tmpl_init(&t, &id), 0);
	return t;
}

/* F_BASE: the mandatory fields only. */
static struct etsi_ipiri
base(void)
{
	struct etsi_ipiri iri = {
		.iri_type = ETSI_IRI_END, .event = ETSI_AE_ACCESS_END,
		.username = "alice", .username_len = 5,
		.access_type = 2, .ip_version = 1,
	};

	return iri;
}

/* v_iri_full */
static struct etsi_ipiri
full(void)
{
	struct etsi_ipiri iri = base();

	iri.ip_version = 3;
	iri.has_target = 1;
	iri.target = a_target;
	iri.network_id = (const uint8_t *)"02:00:00:00:00:01";
	iri.network_id_len = 17;
	iri.cpe_id = (const uint8_t *)"eth 0/1/1:100";
	iri.cpe_id_len = 13;
	iri.has_pop_port = 1;
	iri.pop_port = 4294967295u;
	iri.has_start = 1;
	iri.start = (struct etsi_time){ 1699999000, 0 };
	iri.has_end = 1;
	iri.end = (struct etsi_time){ 1700000500, 0 };
	iri.has_end_reason = 1;
	iri.end_reason = 1;
	iri.has_octets = 1;
	iri.octets_received = UINT64_MAX;
	iri.octets_transmitted = 4294967296u;
	iri.has_expected_end = 1;
	iri.expected_end = (struct etsi_time){ 1700085400, 0 };
	iri.pop_id = (const uint8_t *)"nas1.isp.example";
	iri.pop_id_len = 16;
	iri.has_pop_ip = 1;
	iri.pop_ip = a_pop;
	iri.has_additional = 1;
	iri.additional = a_add;
	iri.has_auth_type = 1;
	iri.auth_type = 2;
	iri.nother = 2;
	iri.other[0] = a_other[0];
	iri.other[1] = a_other[1];
	iri.pop_port_id = (const uint8_t *)"port-7";
	iri.pop_port_id_len = 6;
	return iri;
}

/* Calls the encoder with every capacity below the wanted size (must fail) and with it. */
static void
exact(const struct etsi_ipiri *iri, const uint8_t *want, size_t n)
{
	struct etsi_tmpl t = tmpl();
	uint8_t b[ETSI_IPIRI_MAX];
	size_t cap;

	assert_true(n <= sizeof(b));
	for (cap = 0; cap < n; cap++)
		assert_int_equal(etsi_ipiri_encode(b + sizeof(b) - cap, cap, &t,
		    7, ts7, iri), -1);
	assert_int_equal(etsi_ipiri_encode(b, sizeof(b), &t, 7, ts7, iri),
	    (int)n);
	assert_memory_equal(b + sizeof(b) - n, want, n);
}

/* Encodes into the start of out; returns the length. */
static size_t
enc(const struct etsi_ipiri *iri, uint8_t out[static ETSI_IPIRI_MAX])
{
	struct etsi_tmpl t = tmpl();
	int n = etsi_ipiri_encode(out, ETSI_IPIRI_MAX, &t, 7, ts7, iri);

	assert_true(n > 0);
	memmove(out, out + ETSI_IPIRI_MAX - n, (size_t)n);
	return (size_t)n;
}

static int
enc_fails(const struct etsi_ipiri *iri)
{
	struct etsi_tmpl t = tmpl();
	uint8_t b[ETSI_IPIRI_MAX];

	return etsi_ipiri_encode(b, sizeof(b), &t, 7, ts7, iri) == -1;
}

static void
decode_ok(const uint8_t *b, size_t n, struct etsi_pdu *p)
{
	char err[200];

	if (etsi_pdu_decode(b, n, p, err, sizeof(err)) != 0)
		fail_msg("decode: %s", err);
	assert_int_equal(p->kind, ETSI_KIND_IRI);
	assert_int_equal(p->iri_content, 2);
}

/* DER length, forwards. */
static size_t
put_len(uint8_t *p, size_t n)
{
	if (n < 0x80) {
		p[0] = (uint8_t)n;
		return 1;
	}
	if (n < 0x100) {
		p[0] = 0x81;
		p[1] = (uint8_t)n;
		return 2;
	}
	p[0] = 0x82;
	p[1] = (uint8_t)(n >> 8);
	p[2] = (uint8_t)n;
	return 3;
}

/* out = tag, length, pre, in; returns its size. */
static size_t
tlv(uint8_t *out, uint8_t tag, const uint8_t *pre, size_t npre,
    const uint8_t *in, size_t n)
{
	size_t k = 1;

	out[0] = tag;
	k += put_len(out + 1, npre + n);
	if (npre > 0)
		memcpy(out + k, pre, npre);
	memmove(out + k + npre, in, n);
	return k + npre + n;
}

/*
 * The iRI-End record of v_iri_full around other IPIRIContents bytes: for
 * malformed contents without hand-adjusting seven lengths each time.
 */
static size_t
wrap_iris(uint8_t out[static 4096], const uint8_t *contents, size_t n,
    int copies)
{
	static const uint8_t hdr[] = { V_HDR7 };
	static const uint8_t objid[] = { 0x80, 0x04, 0x05, 0x03, 0x14, 0x01 };
	static const uint8_t type[] = { 0x80, 0x01, 0x02 };
	uint8_t a[4096], b[4096];
	int i;

	assert_true(n * (size_t)copies < 3000);
	n = tlv(a, 0xa1, NULL, 0, contents, n);
	n = tlv(b, 0xa2, objid, sizeof(objid), a, n);
	n = tlv(a, 0xa2, NULL, 0, b, n);
	n = tlv(b, 0x30, type, sizeof(type), a, n);
	for (i = 1; i < copies; i++)
		memcpy(b + (size_t)i * n, b, n);
	n = tlv(a, 0xa0, NULL, 0, b, n * (size_t)copies);
	n = tlv(b, 0xa2, NULL, 0, a, n);
	return tlv(out, 0x30, hdr, sizeof(hdr), b, n);
}

static size_t
wrap_iri(uint8_t out[static 4096], const uint8_t *contents, size_t n)
{
	return wrap_iris(out, contents, n, 1);
}

static void
rejects(const uint8_t *contents, size_t n, const char *why)
{
	uint8_t b[4096];
	struct etsi_pdu p;
	char err[200];
	size_t len = wrap_iri(b, contents, n);

	memset(err, 0, sizeof(err));
	assert_int_equal(etsi_pdu_decode(b, len, &p, err, sizeof(err)), -1);
	if (strstr(err, why) == NULL)
		fail_msg("error \"%s\" does not say \"%s\"", err, why);
}

static void
accepts(const uint8_t *contents, size_t n, struct etsi_pdu *p)
{
	uint8_t b[4096];

	decode_ok(b, wrap_iri(b, contents, n), p);
}

static void
test_full_vector(void **state)
{
	static const uint8_t contents[] = {
		0x80, 0x01, 0x08, V_ALICE, 0x82, 0x01, 0x02, 0x83, 0x01, 0x03,
		F_TARGET, F_NETID, F_CPEID, F_POPPORT, V_START, F_END,
		F_ENDREASON, F_OCTETS, F_EXPECTED, F_POPID, F_POPIP,
		F_ADDITIONAL, F_AUTH, F_OTHER, F_POPPORTID,
	};
	struct etsi_ipiri iri = full();
	uint8_t b[4096];

	(void)state;
	assert_int_equal(sizeof(contents), 281);
	exact(&iri, v_iri_full, sizeof(v_iri_full));
	/* The test's own wrapper agrees with the hand-built lengths. */
	assert_int_equal(wrap_iri(b, contents, sizeof(contents)),
	    sizeof(v_iri_full));
	assert_memory_equal(b, v_iri_full, sizeof(v_iri_full));
}

static void
same_addr(const struct etsi_ipaddr *a, const struct etsi_ipaddr *b)
{
	assert_int_equal(a->family, b->family);
	assert_int_equal(a->prefix_len, b->prefix_len);
	assert_int_equal(a->assignment, b->assignment);
	assert_memory_equal(a->addr, b->addr, a->family == 4 ? 4 : 16);
}

static void
test_full_decodes(void **state)
{
	struct etsi_ipiri iri = full();
	struct etsi_pdu p;

	(void)state;
	decode_ok(v_iri_full, sizeof(v_iri_full), &p);
	assert_int_equal(p.iri_type, ETSI_IRI_END);
	assert_int_equal(p.access_event, ETSI_AE_ACCESS_END);
	assert_int_equal(p.username_len, 5);
	assert_string_equal(p.username, "alice");
	assert_int_equal(p.access_type, 2);
	assert_int_equal(p.ip_version, 3);
	assert_true(p.has_target);
	same_addr(&p.target, &iri.target);
	assert_int_equal(p.network_id_len, 17);
	assert_memory_equal(p.network_id, iri.network_id, 17);
	assert_int_equal(p.cpe_id_len, 13);
	assert_memory_equal(p.cpe_id, iri.cpe_id, 13);
	assert_true(p.has_pop_port);
	assert_int_equal(p.pop_port, 4294967295u);
	assert_true(p.has_start && p.has_end);
	assert_int_equal(p.start.sec, 1699999000);
	assert_int_equal(p.end.sec, 1700000500);
	assert_true(p.has_end_reason);
	assert_int_equal(p.end_reason, 1);
	assert_true(p.has_octets_received && p.has_octets_transmitted);
	assert_true(p.octets_received == UINT64_MAX);
	assert_true(p.octets_transmitted == 4294967296u);
	assert_true(p.has_expected_end);
	assert_int_equal(p.expected_end.sec, 1700085400);
	assert_int_equal(p.expected_end.usec, 0);
	assert_int_equal(p.pop_id_len, 16);
	assert_memory_equal(p.pop_id, "nas1.isp.example", 16);
	assert_true(p.has_pop_ip);
	same_addr(&p.pop_ip, &a_pop);
	assert_true(p.has_additional);
	same_addr(&p.additional, &a_add);
	assert_true(p.has_auth_type);
	assert_int_equal(p.auth_type, 2);
	assert_int_equal(p.nother, 2);
	same_addr(&p.other[0], &a_other[0]);
	same_addr(&p.other[1], &a_other[1]);
	assert_int_equal(p.pop_port_id_len, 6);
	assert_memory_equal(p.pop_port_id, "port-7", 6);
	/* Strings point into the PDU, not at copies. */
	assert_true(p.pop_port_id > v_iri_full &&
	    p.pop_port_id + 6 == v_iri_full + sizeof(v_iri_full));
}

/* Which optional fields a decoded PDU has, one bit each. */
enum {
	P_TARGET = 1 << 0, P_NETID = 1 << 1, P_CPEID = 1 << 2,
	P_POPPORT = 1 << 3, P_START = 1 << 4, P_END = 1 << 5,
	P_ENDREASON = 1 << 6, P_RX = 1 << 7, P_TX = 1 << 8,
	P_EXPECTED = 1 << 9, P_POPID = 1 << 10, P_POPIP = 1 << 11,
	P_ADDITIONAL = 1 << 12, P_AUTH = 1 << 13, P_OTHER = 1 << 14,
	P_POPPORTID = 1 << 15,
};

static unsigned
present(const struct etsi_pdu *p)
{
	return (p->has_target ? P_TARGET : 0) |
	    (p->network_id ? P_NETID : 0) | (p->cpe_id ? P_CPEID : 0) |
	    (p->has_pop_port ? P_POPPORT : 0) | (p->has_start ? P_START : 0) |
	    (p->has_end ? P_END : 0) | (p->has_end_reason ? P_ENDREASON : 0) |
	    (p->has_octets_received ? P_RX : 0) |
	    (p->has_octets_transmitted ? P_TX : 0) |
	    (p->has_expected_end ? P_EXPECTED : 0) |
	    (p->pop_id ? P_POPID : 0) | (p->has_pop_ip ? P_POPIP : 0) |
	    (p->has_additional ? P_ADDITIONAL : 0) |
	    (p->has_auth_type ? P_AUTH : 0) | (p->nother ? P_OTHER : 0) |
	    (p->pop_port_id ? P_POPPORTID : 0);
}

#define FRAG(...) { __VA_ARGS__ }

static void
test_each_field_alone(void **state)
{
	static const uint8_t f_target[] = FRAG(F_TARGET);
	static const uint8_t f_netid[] = FRAG(F_NETID);
	static const uint8_t f_cpeid[] = FRAG(F_CPEID);
	static const uint8_t f_popport[] = FRAG(F_POPPORT);
	static const uint8_t f_start[] = FRAG(V_START);
	static const uint8_t f_end[] = FRAG(F_END);
	static const uint8_t f_endreason[] = FRAG(F_ENDREASON);
	static const uint8_t f_octets[] = FRAG(F_OCTETS);
	static const uint8_t f_expected[] = FRAG(F_EXPECTED);
	static const uint8_t f_popid[] = FRAG(F_POPID);
	static const uint8_t f_popip[] = FRAG(F_POPIP);
	static const uint8_t f_additional[] = FRAG(F_ADDITIONAL);
	static const uint8_t f_auth[] = FRAG(F_AUTH);
	static const uint8_t f_other[] = FRAG(F_OTHER);
	static const uint8_t f_popportid[] = FRAG(F_POPPORTID);
	static const struct {
		const uint8_t *frag;
		size_t n;
		unsigned bits;
	} cases[] = {
		{ f_target, sizeof(f_target), P_TARGET },
		{ f_netid, sizeof(f_netid), P_NETID },
		{ f_cpeid, sizeof(f_cpeid), P_CPEID },
		{ f_popport, sizeof(f_popport), P_POPPORT },
		{ f_start, sizeof(f_start), P_START },
		{ f_end, sizeof(f_end), P_END },
		{ f_endreason, sizeof(f_endreason), P_ENDREASON },
		{ f_octets, sizeof(f_octets), P_RX | P_TX },
		{ f_expected, sizeof(f_expected), P_EXPECTED },
		{ f_popid, sizeof(f_popid), P_POPID },
		{ f_popip, sizeof(f_popip), P_POPIP },
		{ f_additional, sizeof(f_additional), P_ADDITIONAL },
		{ f_auth, sizeof(f_auth), P_AUTH },
		{ f_other, sizeof(f_other), P_OTHER },
		{ f_popportid, sizeof(f_popportid), P_POPPORTID },
	};
	static const uint8_t head[] = { F_BASE };
	const struct etsi_ipiri f = full();
	uint8_t b[ETSI_IPIRI_MAX], want[4096], contents[256];
	struct etsi_pdu p;
	size_t i, n, wn;

	(void)state;
	assert_int_equal(sizeof(head), F_BASE_LEN);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct etsi_ipiri iri = base();

		switch (i) {
		case 0: iri.has_target = 1; iri.target = f.target; break;
		case 1: iri.network_id = f.network_id;
			iri.network_id_len = f.network_id_len; break;
		case 2: iri.cpe_id = f.cpe_id; iri.cpe_id_len = f.cpe_id_len; break;
		case 3: iri.has_pop_port = 1; iri.pop_port = f.pop_port; break;
		case 4: iri.has_start = 1; iri.start = f.start; break;
		case 5: iri.has_end = 1; iri.end = f.end; break;
		case 6: iri.has_end_reason = 1; iri.end_reason = f.end_reason; break;
		case 7: iri.has_octets = 1; iri.octets_received = f.octets_received;
			iri.octets_transmitted = f.octets_transmitted; break;
		case 8: iri.has_expected_end = 1;
			iri.expected_end = f.expected_end; break;
		case 9: iri.pop_id = f.pop_id; iri.pop_id_len = f.pop_id_len; break;
		case 10: iri.has_pop_ip = 1; iri.pop_ip = f.pop_ip; break;
		case 11: iri.has_additional = 1; iri.additional = f.additional; break;
		case 12: iri.has_auth_type = 1; iri.auth_type = f.auth_type; break;
		case 13: iri.nother = f.nother;
			memcpy(iri.other, f.other, sizeof(iri.other)); break;
		case 14: iri.pop_port_id = f.pop_port_id;
			iri.pop_port_id_len = f.pop_port_id_len; break;
		}
		memcpy(contents, head, sizeof(head));
		memcpy(contents + sizeof(head), cases[i].frag, cases[i].n);
		wn = wrap_iri(want, contents, sizeof(head) + cases[i].n);
		exact(&iri, want, wn);
		n = enc(&iri, b);
		decode_ok(b, n, &p);
		if (present(&p) != cases[i].bits)
			fail_msg("case %zu: fields %#x, want %#x", i, present(&p),
			    cases[i].bits);
	}
	/* None of them: the mandatory fields only. */
	{
		struct etsi_ipiri iri = base();

		decode_ok(b, enc(&iri, b), &p);
		assert_int_equal(present(&p), 0);
	}
}

static void
test_octet_counters(void **state)
{
	static const uint64_t v[] = { 0, 127, 128, 255, 256, 4294967295u,
	    4294967296u, INT64_MAX, (uint64_t)INT64_MAX + 1, UINT64_MAX - 1,
	    UINT64_MAX };
	struct etsi_ipiri iri = base();
	struct etsi_pdu p;
	uint8_t b[ETSI_IPIRI_MAX];
	size_t i, n;

	(void)state;
	iri.has_octets = 1;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		iri.octets_received = v[i];
		iri.octets_transmitted = v[sizeof(v) / sizeof(v[0]) - 1 - i];
		n = enc(&iri, b);
		decode_ok(b, n, &p);
		assert_true(p.octets_received == iri.octets_received);
		assert_true(p.octets_transmitted == iri.octets_transmitted);
	}
	/* 0 and 128: 8d 01 00 and 8e 02 00 80 end the record. */
	iri.octets_received = 0;
	iri.octets_transmitted = 128;
	n = enc(&iri, b);
	assert_memory_equal(b + n - 7, "\x8d\x01\x00\x8e\x02\x00\x80", 7);
}

#define V6OTHER(n) F_OTHER1(n)

static void
test_other_addresses(void **state)
{
	static const uint8_t contents8[] = {
		F_BASE, 0xb7, 0x81, 0xf8,	/* 8 x 31 */
		V6OTHER(0), V6OTHER(1), V6OTHER(2), V6OTHER(3),
		V6OTHER(4), V6OTHER(5), V6OTHER(6), V6OTHER(7),
	};
	static const uint8_t contents9[] = {
		F_BASE, 0xb7, 0x82, 0x01, 0x17,	/* 9 x 31 */
		V6OTHER(0), V6OTHER(1), V6OTHER(2), V6OTHER(3),
		V6OTHER(4), V6OTHER(5), V6OTHER(6), V6OTHER(7), V6OTHER(8),
	};
	struct etsi_ipiri iri = base();
	struct etsi_pdu p;
	uint8_t want[4096];
	unsigned i;

	(void)state;
	iri.nother = 8;
	for (i = 0; i < 8; i++) {
		iri.other[i] = a_other[0];
		iri.other[i].addr[5] = (uint8_t)i;
	}
	exact(&iri, want, wrap_iri(want, contents8, sizeof(contents8)));
	accepts(contents8, sizeof(contents8), &p);
	assert_int_equal(p.nother, 8);
	for (i = 0; i < 8; i++)
		same_addr(&p.other[i], &iri.other[i]);

	iri.nother = 9;
	assert_true(enc_fails(&iri));
	iri.nother = UINT32_MAX;
	assert_true(enc_fails(&iri));
	rejects(contents9, sizeof(contents9), "more than 8");
	/* Two IRIPayloads of 8 each: the limit is per IRIPayload. */
	{
		uint8_t b[4096];
		size_t n = wrap_iris(b, contents8, sizeof(contents8), 2);

		decode_ok(b, n, &p);
		assert_int_equal(p.nother, 8);
	}

	/* One v4 /24 among them: its mask travels as iPv4SubnetMask. */
	iri.nother = 1;
	iri.other[0] = (struct etsi_ipaddr){ 4, 24, 2, { 10, 1, 2, 0 } };
	{
		uint8_t b[ETSI_IPIRI_MAX];

		decode_ok(b, enc(&iri, b), &p);
		assert_int_equal(p.nother, 1);
		same_addr(&p.other[0], &iri.other[0]);
	}
}

static void
test_string_sizes(void **state)
{
	static const uint8_t x[254] = { 'x', 'x', 'x' };
	struct etsi_ipiri iri;
	struct etsi_pdu p;
	uint8_t b[ETSI_IPIRI_MAX];

	(void)state;
	iri = base();
	iri.network_id = x;
	iri.network_id_len = 20;
	decode_ok(b, enc(&iri, b), &p);
	assert_int_equal(p.network_id_len, 20);
	iri.network_id_len = 21;
	assert_true(enc_fails(&iri));
	iri.network_id_len = 0;
	assert_true(enc_fails(&iri));

	iri = base();
	iri.cpe_id = x;
	iri.cpe_id_len = 128;
	decode_ok(b, enc(&iri, b), &p);
	assert_int_equal(p.cpe_id_len, 128);
	assert_memory_equal(p.cpe_id, x, 128);
	iri.cpe_id_len = 129;
	assert_true(enc_fails(&iri));
	iri.cpe_id_len = 0;
	assert_true(enc_fails(&iri));

	iri = base();
	iri.pop_id = x;
	iri.pop_id_len = 128;
	decode_ok(b, enc(&iri, b), &p);
	assert_int_equal(p.pop_id_len, 128);
	iri.pop_id_len = 129;
	assert_true(enc_fails(&iri));
	iri.pop_id_len = 0;
	assert_true(enc_fails(&iri));

	iri = base();
	iri.pop_port_id = x;
	iri.pop_port_id_len = 253;
	decode_ok(b, enc(&iri, b), &p);
	assert_int_equal(p.pop_port_id_len, 253);
	iri.pop_port_id_len = 254;
	assert_true(enc_fails(&iri));
	iri.pop_port_id_len = 0;
	assert_true(enc_fails(&iri));

	/* A length with a NULL string is absence, not an error. */
	iri = base();
	iri.cpe_id_len = 5;
	decode_ok(b, enc(&iri, b), &p);
	assert_null(p.cpe_id);
}

static void
test_enum_ranges(void **state)
{
	struct etsi_ipiri iri;
	struct etsi_pdu p;
	uint8_t b[ETSI_IPIRI_MAX];

	(void)state;
	iri = base();
	iri.has_end_reason = 1;
	iri.end_reason = 127;
	iri.has_auth_type = 1;
	iri.auth_type = 127;
	iri.access_type = 127;
	iri.ip_version = 127;
	decode_ok(b, enc(&iri, b), &p);
	assert_int_equal(p.end_reason, 127);
	assert_int_equal(p.auth_type, 127);
	assert_int_equal(p.access_type, 127);
	assert_int_equal(p.ip_version, 127);
	iri.end_reason = 128;
	assert_true(enc_fails(&iri));
	iri.end_reason = UINT32_MAX;
	assert_true(enc_fails(&iri));
	iri.end_reason = 0;
	iri.auth_type = 128;
	assert_true(enc_fails(&iri));
	iri.auth_type = 0;
	iri.access_type = 128;
	assert_true(enc_fails(&iri));
	iri.access_type = 0;
	iri.ip_version = 128;
	assert_true(enc_fails(&iri));
	/* Out of range but absent: not looked at. */
	iri = base();
	iri.end_reason = 1000;
	iri.auth_type = 1000;
	decode_ok(b, enc(&iri, b), &p);
	assert_false(p.has_end_reason || p.has_auth_type);
}

static void
test_bad_addresses(void **state)
{
	static const struct etsi_ipaddr bad[] = {
		{ 5, 32, 0, { 0 } },		/* family */
		{ 0, 32, 0, { 0 } },
		{ 4, 33, 0, { 0 } },		/* prefix */
		{ 6, 0, 0, { 0 } },
		{ 6, 129, 0, { 0 } },
		{ 4, 32, 4, { 0 } },		/* iP-assignment */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct etsi_ipiri iri = base();

		iri.has_pop_ip = 1;
		iri.pop_ip = bad[i];
		assert_true(enc_fails(&iri));
		iri = base();
		iri.has_additional = 1;
		iri.additional = bad[i];
		assert_true(enc_fails(&iri));
		iri = base();
		iri.nother = 3;
		iri.other[0] = iri.other[1] = a_other[0];
		iri.other[2] = bad[i];
		assert_true(enc_fails(&iri));
		/* Beyond nother: not looked at. */
		iri.nother = 2;
		assert_false(enc_fails(&iri));
	}
}

/* Every field at its largest, with the largest header: within ETSI_IPIRI_MAX. */
static void
test_largest(void **state)
{
	static const char user[256] = { 'u' };
	static const uint8_t s[253] = { 's' };
	struct etsi_ident id = {
		.pspdu_version = UINT32_MAX, .ipaccess_version = UINT32_MAX,
		.liid = "LLLLLLLLLLLLLLLLLLLLLLLLL", .liid_len = 25,
		.auth_cc = "DE", .operator_id = "OOOOOOOOOOOOOOOO",
		.ne_id = "NNNNNNNNNNNNNNNN", .has_cin = 1, .cin = UINT32_MAX,
		.delivery_cc = "DE",
	};
	struct etsi_time ts = { 253402300799LL, 999999 };
	struct etsi_ipaddr v6 = { 6, 128, 3, { 0xff } };
	struct etsi_ipiri iri = full();
	struct etsi_tmpl t;
	struct etsi_pdu p;
	uint8_t b[ETSI_IPIRI_MAX];
	unsigned i;
	int n;

	(void)state;
	assert_int_equal(etsi_tmpl_init(&t, &id), 0);
	iri.username = user;
	iri.username_len = 255;
	iri.access_type = iri.ip_version = 127;
	iri.target = iri.pop_ip = iri.additional = v6;
	iri.network_id = s;
	iri.network_id_len = 20;
	iri.cpe_id = iri.pop_id = s;
	iri.cpe_id_len = iri.pop_id_len = 128;
	iri.pop_port_id = s;
	iri.pop_port_id_len = 253;
	iri.start = iri.end = iri.expected_end = ts;
	iri.octets_transmitted = UINT64_MAX;
	iri.end_reason = iri.auth_type = 127;
	iri.nother = ETSI_IPIRI_MAX_OTHER;
	for (i = 0; i < ETSI_IPIRI_MAX_OTHER; i++)
		iri.other[i] = v6;
	n = etsi_ipiri_encode(b, sizeof(b), &t, UINT32_MAX, ts, &iri);
	assert_true(n > 0 && n <= ETSI_IPIRI_MAX);
	decode_ok(b + sizeof(b) - n, (size_t)n, &p);
	assert_int_equal(p.nother, ETSI_IPIRI_MAX_OTHER);
	assert_int_equal(p.pop_port_id_len, 253);
}

static void
test_order_and_duplicates(void **state)
{
	static const uint8_t swapped[] = { F_BASE, F_ADDITIONAL, F_POPIP };
	static const uint8_t twice[] = { F_BASE, F_AUTH, F_AUTH };
	static const uint8_t before_mandatory[] = { 0x80, 0x01, 0x08, V_ALICE,
	    0x82, 0x01, 0x02, F_NETID, 0x83, 0x01, 0x01 };
	static const uint8_t late_rx[] = { F_BASE, 0x8e, 0x01, 0x00,
	    0x8d, 0x01, 0x00 };
	static const uint8_t two_others[] = { F_BASE, F_OTHER, F_OTHER };
	static const uint8_t unknown[] = { F_BASE,
	    0x87, 0x02, 'A', 'P',			/* targetLocation [7] */
	    F_POPPORTID,
	    0xba, 0x04, 0x80, 0x02, '1', '2' };	/* framedRoutes [26] */
	struct etsi_pdu p;

	(void)state;
	rejects(swapped, sizeof(swapped), "out of order");
	rejects(twice, sizeof(twice), "repeated");
	rejects(before_mandatory, sizeof(before_mandatory), "out of order");
	rejects(late_rx, sizeof(late_rx), "out of order");
	rejects(two_others, sizeof(two_others), "repeated");
	/* Fields lawtap does not write are skipped, in their place. */
	accepts(unknown, sizeof(unknown), &p);
	assert_int_equal(p.pop_port_id_len, 6);
}

static void
test_choice_fields(void **state)
{
	/* pOPIdentifier [18] */
	static const uint8_t id_mac[] = { F_BASE, 0xb2, 0x08, 0x81, 0x06,
	    0x02, 0, 0, 0, 0, 1 };
	static const uint8_t id_prim[] = { F_BASE, 0x92, 0x02, 'a', 'b' };
	static const uint8_t id_two[] = { F_BASE, 0xb2, 0x06, 0x80, 0x01, 'a',
	    0x80, 0x01, 'b' };
	static const uint8_t id_empty[] = { F_BASE, 0xb2, 0x00 };
	static const uint8_t id_cons[] = { F_BASE, 0xb2, 0x05, 0xa0, 0x03,
	    0x04, 0x01, 'a' };
	static const uint8_t id_univ[] = { F_BASE, 0xb2, 0x03, 0x0c, 0x01, 'a' };
	static const uint8_t id_zero[] = { F_BASE, 0xb2, 0x02, 0x80, 0x00 };
	/* otherTargetIdentifiers [23] */
	static const uint8_t o_univ[] = { F_BASE, 0xb7, 0x1f, 0x30, 0x1d,
	    0x81, 0x01, 0x01, F_V6VAL(2), 0x83, 0x01, 0x02, 0x84, 0x01, 0x40 };
	static const uint8_t o_alt1[] = { F_BASE, 0xb7, 0x1f, 0xa1, 0x1d,
	    0x81, 0x01, 0x01, F_V6VAL(2), 0x83, 0x01, 0x02, 0x84, 0x01, 0x40 };
	static const uint8_t o_prim[] = { F_BASE, 0xb7, 0x03, 0x80, 0x01, 0x00 };
	static const uint8_t o_prim23[] = { F_BASE, 0x97, 0x00 };
	static const uint8_t o_v4v6[] = { F_BASE, 0xb7, 0x1f, 0xa0, 0x1d,
	    0x81, 0x01, 0x00, F_V6VAL(2), 0x83, 0x01, 0x02, 0x84, 0x01, 0x40 };
	static const uint8_t o_novalue[] = { F_BASE, 0xb7, 0x05, 0xa0, 0x03,
	    0x81, 0x01, 0x01 };
	static const uint8_t o_empty[] = { F_BASE, 0xb7, 0x00 };
	struct etsi_pdu p;

	(void)state;
	rejects(id_mac, sizeof(id_mac), "only printableIDType");
	rejects(id_prim, sizeof(id_prim), "must be constructed");
	rejects(id_two, sizeof(id_two), "more than one");
	rejects(id_empty, sizeof(id_empty), "without an alternative");
	rejects(id_cons, sizeof(id_cons), "must be primitive");
	rejects(id_univ, sizeof(id_univ), "not context-tagged");
	rejects(id_zero, sizeof(id_zero), "too short");
	rejects(o_univ, sizeof(o_univ), "not context-tagged");
	rejects(o_alt1, sizeof(o_alt1), "only iPAddress");
	rejects(o_prim, sizeof(o_prim), "must be constructed");
	rejects(o_prim23, sizeof(o_prim23), "must be constructed");
	rejects(o_v4v6, sizeof(o_v4v6), "does not match");
	rejects(o_novalue, sizeof(o_novalue), "missing");
	/* An empty SEQUENCE OF is valid ASN.1: no addresses. */
	accepts(o_empty, sizeof(o_empty), &p);
	assert_int_equal(p.nother, 0);
}

static void
test_field_values(void **state)
{
	static const uint8_t netid21[] = { F_BASE, 0x85, 0x15,
	    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
	    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '0' };
	static const uint8_t netid0[] = { F_BASE, 0x85, 0x00 };
	static const uint8_t netid_cons[] = { F_BASE, 0xa5, 0x03, 0x04, 0x01, 'x' };
	static const uint8_t port_2_32[] = { F_BASE, 0x88, 0x05, 0x01, 0, 0, 0, 0 };
	static const uint8_t port_neg[] = { F_BASE, 0x88, 0x01, 0x80 };
	static const uint8_t rx_2_64[] = { F_BASE, 0x8d, 0x09, 0x01,
	    0, 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t rx_10[] = { F_BASE, 0x8d, 0x0a, 0x00, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t rx_neg[] = { F_BASE, 0x8d, 0x01, 0xff };
	static const uint8_t rx_long[] = { F_BASE, 0x8d, 0x02, 0x00, 0x01 };
	static const uint8_t tx_empty[] = { F_BASE, 0x8e, 0x00 };
	static const uint8_t reason_neg[] = { F_BASE, 0x8c, 0x01, 0xff };
	static const uint8_t auth_cons[] = { F_BASE, 0xb6, 0x00 };
	static const uint8_t expected_bad[] = { F_BASE, 0x90, 0x0e, '2', '0',
	    '2', '3', '1', '1', '1', '5', '2', '1', '5', '6', '4', 'Z' };
	static const uint8_t popip_prim[] = { F_BASE, 0x93, 0x04, 198, 51, 100, 1 };
	static const uint8_t add_short[] = { F_BASE, 0xb5, 0x0b, 0x81, 0x01, 0x01,
	    0xa2, 0x06, 0x81, 0x04, 0x20, 0x01, 0x0d, 0xb8 };
	static const uint8_t portid_cons[] = { F_BASE, 0xb9, 0x00 };
	static const uint8_t portid_empty[] = { F_BASE, 0x99, 0x00 };
	static const uint8_t rx_only[] = { F_BASE, 0x8d, 0x01, 0x05 };
	uint8_t cpe129[F_BASE_LEN + 3 + 129] = { F_BASE, 0x86, 0x81, 0x81 };
	uint8_t popid129[F_BASE_LEN + 6 + 129] = { F_BASE, 0xb2, 0x81, 0x84,
	    0x80, 0x81, 0x81 };
	struct etsi_pdu p;

	(void)state;
	rejects(netid21, sizeof(netid21), "too long");
	rejects(netid0, sizeof(netid0), "too short");
	rejects(netid_cons, sizeof(netid_cons), "must be primitive");
	memset(cpe129 + F_BASE_LEN + 3, 'c', 129);
	rejects(cpe129, sizeof(cpe129), "too long");
	cpe129[F_BASE_LEN + 2] = 0x80;	/* 128 octets now */
	accepts(cpe129, sizeof(cpe129) - 1, &p);
	assert_int_equal(p.cpe_id_len, 128);
	memset(popid129 + F_BASE_LEN + 6, 'p', 129);
	rejects(popid129, sizeof(popid129), "too long");
	popid129[F_BASE_LEN + 2] = 0x83;
	popid129[F_BASE_LEN + 5] = 0x80;
	accepts(popid129, sizeof(popid129) - 1, &p);
	assert_int_equal(p.pop_id_len, 128);
	rejects(port_2_32, sizeof(port_2_32), "out of range");
	rejects(port_neg, sizeof(port_neg), "negative");
	rejects(rx_2_64, sizeof(rx_2_64), "out of range");
	rejects(rx_10, sizeof(rx_10), "out of range");
	rejects(rx_neg, sizeof(rx_neg), "negative");
	rejects(rx_long, sizeof(rx_long), "not minimal");
	rejects(tx_empty, sizeof(tx_empty), "empty INTEGER");
	rejects(reason_neg, sizeof(reason_neg), "negative");
	rejects(auth_cons, sizeof(auth_cons), "");
	rejects(expected_bad, sizeof(expected_bad), "YYYYMMDDHHMMSS");
	rejects(popip_prim, sizeof(popip_prim), "must be constructed");
	rejects(add_short, sizeof(add_short), "does not match");
	rejects(portid_cons, sizeof(portid_cons), "must be primitive");
	/* pOPPortID has no SIZE in the ASN.1: empty is valid. */
	accepts(portid_empty, sizeof(portid_empty), &p);
	assert_non_null(p.pop_port_id);
	assert_int_equal(p.pop_port_id_len, 0);
	/* One counter without the other. */
	accepts(rx_only, sizeof(rx_only), &p);
	assert_true(p.has_octets_received && !p.has_octets_transmitted);
	assert_true(p.octets_received == 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_vector),
		cmocka_unit_test(test_full_decodes),
		cmocka_unit_test(test_each_field_alone),
		cmocka_unit_test(test_octet_counters),
		cmocka_unit_test(test_other_addresses),
		cmocka_unit_test(test_string_sizes),
		cmocka_unit_test(test_enum_ranges),
		cmocka_unit_test(test_bad_addresses),
		cmocka_unit_test(test_largest),
		cmocka_unit_test(test_order_and_duplicates),
		cmocka_unit_test(test_choice_fields),
		cmocka_unit_test(test_field_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
