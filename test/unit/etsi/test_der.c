/* test_der.c - the DER writer against vectors worked out by hand from X.690. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "etsi/der.h"

#define CAP 64

/* One writer call: fn writes into the last bytes of a cap-byte buffer. */
typedef int (*writer)(uint8_t **p, const uint8_t *start, const void *arg);

static void
expect_bytes(writer fn, const void *arg, const uint8_t *want, size_t n)
{
	uint8_t buf[CAP + 8];
	uint8_t *p;
	size_t cap;
	int r;

	/* Every buffer shorter than the encoding fails, the exact size works. */
	for (cap = 0; cap < n; cap++) {
		memset(buf, 0xee, sizeof(buf));
		p = buf + 4 + cap;
		r = fn(&p, buf + 4, arg);
		assert_int_equal(r, DER_E_SPACE);
		assert_int_equal(buf[3], 0xee);
	}
	memset(buf, 0xee, sizeof(buf));
	p = buf + 4 + n;
	r = fn(&p, buf + 4, arg);
	assert_int_equal(r, (int)n);
	assert_ptr_equal(p, buf + 4);
	assert_memory_equal(p, want, n);
	assert_int_equal(buf[3], 0xee);
	assert_int_equal(buf[4 + n], 0xee);
}

static int
w_len(uint8_t **p, const uint8_t *s, const void *a)
{
	return der_len(p, s, *(const size_t *)a);
}

static void
test_lengths(void **state)
{
	static const struct { size_t len; uint8_t enc[5]; size_t n; } v[] = {
		{ 0, { 0x00 }, 1 },
		{ 127, { 0x7f }, 1 },
		{ 128, { 0x81, 0x80 }, 2 },
		{ 255, { 0x81, 0xff }, 2 },
		{ 256, { 0x82, 0x01, 0x00 }, 3 },
		{ 65535, { 0x82, 0xff, 0xff }, 3 },
		{ 65536, { 0x83, 0x01, 0x00, 0x00 }, 4 },
		{ 16777216, { 0x84, 0x01, 0x00, 0x00, 0x00 }, 5 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		expect_bytes(w_len, &v[i].len, v[i].enc, v[i].n);
		assert_int_equal(der_len_size(v[i].len), v[i].n);
	}
}

static int
w_int(uint8_t **p, const uint8_t *s, const void *a)
{
	return der_int(p, s, DER_INTEGER, *(const int64_t *)a);
}

static int
w_uint(uint8_t **p, const uint8_t *s, const void *a)
{
	return der_uint(p, s, DER_INTEGER, *(const uint64_t *)a);
}

static void
test_integers(void **state)
{
	static const struct { int64_t v; uint8_t enc[10]; size_t n; } s[] = {
		{ 0, { 0x02, 0x01, 0x00 }, 3 },
		{ 127, { 0x02, 0x01, 0x7f }, 3 },
		{ 128, { 0x02, 0x02, 0x00, 0x80 }, 4 },
		{ 255, { 0x02, 0x02, 0x00, 0xff }, 4 },
		{ 256, { 0x02, 0x02, 0x01, 0x00 }, 4 },
		{ -1, { 0x02, 0x01, 0xff }, 3 },
		{ -128, { 0x02, 0x01, 0x80 }, 3 },
		{ -129, { 0x02, 0x02, 0xff, 0x7f }, 4 },
		{ 2147483648LL, { 0x02, 0x05, 0x00, 0x80, 0x00, 0x00, 0x00 }, 7 },
		{ 4294967295LL, { 0x02, 0x05, 0x00, 0xff, 0xff, 0xff, 0xff }, 7 },
		{ INT64_MAX, { 0x02, 0x08, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff,
		    0xff, 0xff }, 10 },
		{ INT64_MIN, { 0x02, 0x08, 0x80, 0, 0, 0, 0, 0, 0, 0 }, 10 },
	};
	static const struct { uint64_t v; uint8_t enc[11]; size_t n; } u[] = {
		{ 0, { 0x02, 0x01, 0x00 }, 3 },
		{ 127, { 0x02, 0x01, 0x7f }, 3 },
		{ 128, { 0x02, 0x02, 0x00, 0x80 }, 4 },
		{ 255, { 0x02, 0x02, 0x00, 0xff }, 4 },
		{ 256, { 0x02, 0x02, 0x01, 0x00 }, 4 },
		{ 2147483648ULL, { 0x02, 0x05, 0x00, 0x80, 0x00, 0x00, 0x00 }, 7 },
		{ 4294967295ULL, { 0x02, 0x05, 0x00, 0xff, 0xff, 0xff, 0xff }, 7 },
		{ 9223372036854775808ULL, { 0x02, 0x09, 0x00, 0x80, 0, 0, 0, 0,
		    0, 0, 0 }, 11 },
		{ UINT64_MAX, { 0x02, 0x09, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff,
		    0xff, 0xff, 0xff }, 11 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		expect_bytes(w_int, &s[i].v, s[i].enc, s[i].n);
	for (i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
		expect_bytes(w_uint, &u[i].v, u[i].enc, u[i].n);
		assert_int_equal(der_uint_size(u[i].v), u[i].n - 2);
	}
}

struct arcs { const uint32_t *a; size_t n; int rel; uint32_t tag; };

static int
w_arcs(uint8_t **p, const uint8_t *s, const void *a)
{
	const struct arcs *x = a;

	return x->rel ? der_reloid(p, s, x->tag, x->a, x->n) :
	    der_oid(p, s, x->tag, x->a, x->n);
}

static void
test_oids(void **state)
{
	static const uint32_t li[] = { 0, 4, 0, 2, 2, 5, 1, 40 };
	static const uint8_t li_enc[] = { 0x06, 0x07, 0x04, 0x00, 0x02, 0x02,
	    0x05, 0x01, 0x28 };
	static const uint8_t li_impl[] = { 0x80, 0x07, 0x04, 0x00, 0x02, 0x02,
	    0x05, 0x01, 0x28 };
	static const uint32_t rsa[] = { 1, 2, 840, 113549 };
	static const uint8_t rsa_enc[] = { 0x06, 0x06, 0x2a, 0x86, 0x48, 0x86,
	    0xf7, 0x0d };
	static const uint32_t big[] = { 2, 999, 4294967295u };
	static const uint8_t big_enc[] = { 0x06, 0x07, 0x88, 0x37, 0x8f, 0xff,
	    0xff, 0xff, 0x7f };
	static const uint32_t cc[] = { 5, 3, 20, 2 };
	static const uint8_t cc_enc[] = { 0x0d, 0x04, 0x05, 0x03, 0x14, 0x02 };
	static const uint8_t cc_impl[] = { 0x80, 0x04, 0x05, 0x03, 0x14, 0x02 };
	static const uint32_t iri200[] = { 5, 3, 200, 1 };
	static const uint8_t iri200_enc[] = { 0x0d, 0x05, 0x05, 0x03, 0x81,
	    0x48, 0x01 };
	static const uint32_t bad1[] = { 3, 1 }, bad2[] = { 1, 40 };
	struct arcs x;
	uint8_t buf[16], *p;

	(void)state;
	x = (struct arcs){ li, 8, 0, DER_OID };
	expect_bytes(w_arcs, &x, li_enc, sizeof(li_enc));
	x.tag = DER_IMPL(0);
	expect_bytes(w_arcs, &x, li_impl, sizeof(li_impl));
	x = (struct arcs){ rsa, 4, 0, DER_OID };
	expect_bytes(w_arcs, &x, rsa_enc, sizeof(rsa_enc));
	x = (struct arcs){ big, 3, 0, DER_OID };
	expect_bytes(w_arcs, &x, big_enc, sizeof(big_enc));
	x = (struct arcs){ cc, 4, 1, DER_RELOID };
	expect_bytes(w_arcs, &x, cc_enc, sizeof(cc_enc));
	x.tag = DER_IMPL(0);
	expect_bytes(w_arcs, &x, cc_impl, sizeof(cc_impl));
	x = (struct arcs){ iri200, 4, 1, DER_RELOID };
	expect_bytes(w_arcs, &x, iri200_enc, sizeof(iri200_enc));

	p = buf + sizeof(buf);
	assert_int_equal(der_oid(&p, buf, DER_OID, bad1, 2), DER_E_RANGE);
	p = buf + sizeof(buf);
	assert_int_equal(der_oid(&p, buf, DER_OID, bad2, 2), DER_E_RANGE);
	p = buf + sizeof(buf);
	assert_int_equal(der_oid(&p, buf, DER_OID, li, 1), DER_E_RANGE);
	p = buf + sizeof(buf);
	assert_int_equal(der_reloid(&p, buf, DER_RELOID, cc, 0), DER_E_RANGE);
}

struct tm_arg { int64_t sec; uint32_t usec; };

static int
w_time(uint8_t **p, const uint8_t *s, const void *a)
{
	const struct tm_arg *t = a;

	return der_gentime(p, s, DER_GENTIME, t->sec, t->usec);
}

static void
expect_time(int64_t sec, uint32_t usec, const char *text)
{
	struct tm_arg a = { sec, usec };
	uint8_t want[32];
	size_t n = strlen(text);

	want[0] = 0x18;
	want[1] = (uint8_t)n;
	memcpy(want + 2, text, n);
	expect_bytes(w_time, &a, want, n + 2);
}

static void
test_gentime(void **state)
{
	uint8_t buf[32], *p;
	char d[14];

	(void)state;
	expect_time(1700000000, 0, "20231114221320Z");
	expect_time(1700000000, 500000, "20231114221320.5Z");
	expect_time(1700000000, 1, "20231114221320.000001Z");
	expect_time(1700000000, 123450, "20231114221320.12345Z");
	expect_time(1700000000, 999999, "20231114221320.999999Z");
	expect_time(0, 0, "19700101000000Z");
	expect_time(951782400, 0, "20000229000000Z");
	expect_time(1709251199, 0, "20240229235959Z");
	expect_time(4107542400LL, 0, "21000301000000Z");
	expect_time(253402300799LL, 0, "99991231235959Z");

	p = buf + sizeof(buf);
	assert_int_equal(der_gentime(&p, buf, DER_GENTIME, 253402300800LL, 0),
	    DER_E_RANGE);
	p = buf + sizeof(buf);
	assert_int_equal(der_gentime(&p, buf, DER_GENTIME, -1, 0), DER_E_RANGE);
	p = buf + sizeof(buf);
	assert_int_equal(der_gentime(&p, buf, DER_GENTIME, 0, 1000000),
	    DER_E_RANGE);
	assert_int_equal(der_format_time(d, 86399), 14);
	assert_memory_equal(d, "19700101235959", 14);
}

static int
w_misc(uint8_t **p, const uint8_t *s, const void *a)
{
	switch (*(const int *)a) {
	case 0: return der_null(p, s, DER_NULL);
	case 1: return der_bool(p, s, DER_BOOLEAN, 1);
	case 2: return der_bool(p, s, DER_BOOLEAN, 0);
	case 3: return der_octets(p, s, DER_OCTETS, "abc", 3);
	case 4: return der_octets(p, s, DER_PRINTABLE, "DE", 2);
	case 5: return der_octets(p, s, DER_UTF8, "\xc3\xa4", 2);
	case 6: return der_int(p, s, DER_ENUM, 1);
	case 7: return der_null(p, s, DER_IMPL(3));
	case 8: return der_null(p, s, DER_IMPL(30));
	case 9: return der_null(p, s, DER_IMPL(31));
	case 10: return der_null(p, s, DER_IMPL(127));
	case 11: return der_null(p, s, DER_IMPL(128));
	case 12: return der_tl(p, s, DER_EXPL(200), 0);
	case 13: return der_tl(p, s, DER_EXPL(16383), 300);
	case 14: return der_tl(p, s, DER_TAG(DER_CTX, 16384), 1);
	case 15: return der_octets(p, s, DER_OCTETS, "", 0);
	}
	return -99;
}

static void
test_misc(void **state)
{
	static const struct { int k; uint8_t enc[8]; size_t n; } v[] = {
		{ 0, { 0x05, 0x00 }, 2 },
		{ 1, { 0x01, 0x01, 0xff }, 3 },
		{ 2, { 0x01, 0x01, 0x00 }, 3 },
		{ 3, { 0x04, 0x03, 'a', 'b', 'c' }, 5 },
		{ 4, { 0x13, 0x02, 'D', 'E' }, 4 },
		{ 5, { 0x0c, 0x02, 0xc3, 0xa4 }, 4 },
		{ 6, { 0x0a, 0x01, 0x01 }, 3 },
		{ 7, { 0x83, 0x00 }, 2 },
		{ 8, { 0x9e, 0x00 }, 2 },
		{ 9, { 0x9f, 0x1f, 0x00 }, 3 },
		{ 10, { 0x9f, 0x7f, 0x00 }, 3 },
		{ 11, { 0x9f, 0x81, 0x00, 0x00 }, 4 },
		{ 12, { 0xbf, 0x81, 0x48, 0x00 }, 4 },
		{ 13, { 0xbf, 0xff, 0x7f, 0x82, 0x01, 0x2c }, 6 },
		{ 14, { 0x9f, 0x81, 0x80, 0x00, 0x01 }, 5 },
		{ 15, { 0x04, 0x00 }, 2 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		expect_bytes(w_misc, &v[i].k, v[i].enc, v[i].n);
}

/* A constructed value: content first, then its header, as the encoders do. */
static int
w_seq(uint8_t **p, const uint8_t *s, const void *a)
{
	int r, n;

	(void)a;
	if ((n = der_int(p, s, DER_IMPL(1), 5)) < 0)
		return n;
	if ((r = der_null(p, s, DER_IMPL(0))) < 0)
		return r;
	n += r;
	if ((r = der_tl(p, s, DER_SEQUENCE, (size_t)n)) < 0)
		return r;
	return n + r;
}

static void
test_constructed(void **state)
{
	static const uint8_t want[] = { 0x30, 0x05, 0x80, 0x00, 0x81, 0x01, 0x05 };

	(void)state;
	expect_bytes(w_seq, NULL, want, sizeof(want));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_oids),
		cmocka_unit_test(test_gentime),
		cmocka_unit_test(test_misc),
		cmocka_unit_test(test_constructed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
