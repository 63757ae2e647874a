/* test_ipfrag.c - IPv4 and IPv6 fragments: in order, out of order, duplicated, holes, bogus, timeouts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "session/sip/ipfrag.h"

static uint8_t dg[4000];	/* the datagram's payload (UDP header and data) */

/* Fragment of dg[off..off+n) as IPv4 (v6 = 0) or IPv6 packet into out; its length. */
static size_t
frag(uint8_t *out, int v6, uint16_t id, size_t off, size_t n, int more)
{
	memset(out, 0, 48);
	if (v6) {
		uint16_t fo = (uint16_t)(off | (size_t)more);

		out[0] = 0x60;
		out[4] = (uint8_t)((8 + n) >> 8);
		out[5] = (uint8_t)(8 + n);
		out[6] = 44;
		out[7] = 64;
		out[8] = 0x20;
		out[24] = 0x20;
		out[39] = 2;
		out[40] = 17;
		out[42] = (uint8_t)(fo >> 8);
		out[43] = (uint8_t)fo;
		out[46] = (uint8_t)(id >> 8);
		out[47] = (uint8_t)id;
		memcpy(out + 48, dg + off, n);
		return 48 + n;
	}
	out[0] = 0x45;
	out[2] = (uint8_t)((20 + n) >> 8);
	out[3] = (uint8_t)(20 + n);
	out[4] = (uint8_t)(id >> 8);
	out[5] = (uint8_t)id;
	out[6] = (uint8_t)((more ? 0x20 : 0) | (off / 8) >> 8);
	out[7] = (uint8_t)(off / 8);
	out[8] = 64;
	out[9] = 17;
	out[12] = 192;
	out[16] = 198;
	memcpy(out + 20, dg + off, n);
	return 20 + n;
}

static const uint8_t *
add(struct ipfrag *f, int v6, uint16_t id, size_t off, size_t n, int more, int64_t ts,
    size_t *len, uint64_t *dropped)
{
	uint8_t p[4100];
	size_t pl = frag(p, v6, id, off, n, more);

	return ipfrag_add(f, p, pl, ts, len, dropped);
}

static void
whole_ok(const uint8_t *w, size_t len, int v6, size_t total)
{
	size_t hl = v6 ? 40 : 20;

	assert_non_null(w);
	assert_int_equal(len, hl + total);
	assert_memory_equal(w + hl, dg, total);
	assert_false(ipfrag_is_fragment(w, len));
	if (v6)
		assert_int_equal(w[6], 17);
	else
		assert_int_equal((w[2] << 8 | w[3]), 20 + total);
}

static void
test_orders(void **state)
{
	struct ipfrag *f = ipfrag_new(4, 5000000);
	uint64_t dropped = 0;
	size_t len = 0;
	const uint8_t *w;

	(void)state;
	for (size_t i = 0; i < sizeof(dg); i++)
		dg[i] = (uint8_t)(i * 13 + 1);
	for (int v6 = 0; v6 < 2; v6++) {
		/* in order */
		assert_null(add(f, v6, 1, 0, 1000, 1, 0, &len, &dropped));
		assert_null(add(f, v6, 1, 1000, 1000, 1, 0, &len, &dropped));
		w = add(f, v6, 1, 2000, 555, 0, 0, &len, &dropped);
		whole_ok(w, len, v6, 2555);
		/* last first, a duplicate, then the rest */
		assert_null(add(f, v6, 2, 1600, 900, 0, 0, &len, &dropped));
		assert_null(add(f, v6, 2, 800, 800, 1, 0, &len, &dropped));
		assert_null(add(f, v6, 2, 800, 800, 1, 0, &len, &dropped));
		w = add(f, v6, 2, 0, 800, 1, 0, &len, &dropped);
		whole_ok(w, len, v6, 2500);
	}
	assert_int_equal(dropped, 0);
	ipfrag_free(f);
}

static void
test_holes_and_bogus(void **state)
{
	struct ipfrag *f = ipfrag_new(2, 5000000);
	uint64_t dropped = 0;
	size_t len = 0;

	(void)state;
	/* a hole is never whole, even when bogus units past the end add up */
	assert_null(add(f, 0, 3, 0, 400, 1, 0, &len, &dropped));
	assert_null(add(f, 0, 3, 800, 200, 0, 0, &len, &dropped));
	assert_null(add(f, 0, 3, 1200, 800, 1, 0, &len, &dropped));
	/* a fragment that is not the last and not a multiple of 8 */
	assert_null(add(f, 0, 4, 0, 401, 1, 0, &len, &dropped));
	assert_int_equal(dropped, 1);
	/* two different ends */
	assert_null(add(f, 0, 5, 800, 200, 0, 0, &len, &dropped));
	assert_null(add(f, 0, 5, 800, 208, 0, 0, &len, &dropped));
	assert_int_equal(dropped, 2);
	/* not fragments, or garbled */
	assert_false(ipfrag_is_fragment((const uint8_t *)"\x45\0\0\x14\0\0\0\0\x40\x11", 10));
	assert_null(ipfrag_add(f, (const uint8_t *)"\x60", 1, 0, &len, &dropped));
	assert_int_equal(dropped, 3);
	ipfrag_free(f);
}

/* Incomplete datagrams time out or give way to newer ones; slots are bounded. */
static void
test_timeout_and_slots(void **state)
{
	struct ipfrag *f = ipfrag_new(2, 1000);
	uint64_t dropped = 0;
	size_t len = 0;

	(void)state;
	assert_null(add(f, 0, 6, 0, 800, 1, 0, &len, &dropped));
	/* too late: the first part is gone */
	assert_null(add(f, 0, 6, 800, 100, 0, 5000, &len, &dropped));
	assert_non_null(add(f, 0, 6, 0, 800, 1, 5100, &len, &dropped));
	/* three at once in two slots: the oldest gives way */
	assert_null(add(f, 0, 7, 0, 800, 1, 10000, &len, &dropped));
	assert_null(add(f, 0, 8, 0, 800, 1, 10001, &len, &dropped));
	assert_null(add(f, 0, 9, 0, 800, 1, 10002, &len, &dropped));
	assert_non_null(add(f, 0, 8, 800, 100, 0, 10003, &len, &dropped));
	assert_null(add(f, 0, 7, 800, 100, 0, 10004, &len, &dropped));
	assert_non_null(add(f, 0, 9, 800, 100, 0, 10005, &len, &dropped));
	ipfrag_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_orders),
		cmocka_unit_test(test_holes_and_bogus),
		cmocka_unit_test(test_timeout_and_slots),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
