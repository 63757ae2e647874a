/* test_sendq.c - the record queue: order, partial writes, wrap, rewind, full. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mediate/sendq.h"

/* A DER-framed record of n bytes in all whose content bytes are all `fill`. */
static size_t
record(uint8_t *p, size_t n, uint8_t fill)
{
	size_t hdr = n - 2 < 128 ? 2 : n - 3 < 256 ? 3 : 4;
	size_t clen = n - hdr;

	p[0] = 0x30;
	if (hdr == 2) {
		p[1] = (uint8_t)clen;
	} else if (hdr == 3) {
		p[1] = 0x81;
		p[2] = (uint8_t)clen;
	} else {
		p[1] = 0x82;
		p[2] = (uint8_t)(clen >> 8);
		p[3] = (uint8_t)clen;
	}
	memset(p + hdr, fill, clen);
	return n;
}

static void
push(struct lt_sendq *q, size_t n, uint8_t fill)
{
	uint8_t *p = lt_sendq_reserve(q, n);

	assert_non_null(p);
	lt_sendq_commit(q, record(p, n, fill));
}

/* Drains the queue in writes of at most chunk bytes; returns bytes seen. */
static size_t
drain(struct lt_sendq *q, size_t chunk, uint8_t *out, size_t outcap, uint64_t *recs)
{
	size_t total = 0, len;
	const uint8_t *p;

	*recs = 0;
	while ((p = lt_sendq_peek(q, &len)) != NULL) {
		if (len > chunk)
			len = chunk;
		assert_true(total + len <= outcap);
		memcpy(out + total, p, len);
		total += len;
		*recs += lt_sendq_consume(q, len);
	}
	return total;
}

static void
test_der_tlv_len(void **state)
{
	(void)state;
	assert_int_equal(lt_der_tlv_len((const uint8_t *)"\x30\x05", 2), 7);
	assert_int_equal(lt_der_tlv_len((const uint8_t *)"\x30\x81\x80", 3), 3 + 128);
	assert_int_equal(lt_der_tlv_len((const uint8_t *)"\x30\x82\x01\x00", 4), 4 + 256);
	assert_int_equal(lt_der_tlv_len((const uint8_t *)"\x30\x82\x01", 3), 0);
	assert_int_equal(lt_der_tlv_len((const uint8_t *)"\x30\x80", 2), 0);
	assert_int_equal(lt_der_tlv_len((const uint8_t *)"\x30", 1), 0);
}

static void
test_in_order_any_chunking(void **state)
{
	static const size_t chunks[] = { 1, 2, 3, 7, 64, 100000 };

	(void)state;
	for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		struct lt_sendq q;
		uint8_t out[4096], want[4096];
		size_t wl = 0;
		uint64_t recs;

		assert_int_equal(lt_sendq_init(&q, 4096), 0);
		for (int i = 0; i < 10; i++) {
			push(&q, 10 + (size_t)i * 30, (uint8_t)i);
			wl += record(want + wl, 10 + (size_t)i * 30, (uint8_t)i);
		}
		assert_int_equal(q.records, 10);
		assert_int_equal(drain(&q, chunks[c], out, sizeof(out), &recs), wl);
		assert_int_equal(recs, 10);
		assert_memory_equal(out, want, wl);
		assert_true(lt_sendq_empty(&q));
		assert_int_equal(q.used, 0);
		lt_sendq_free(&q);
	}
}

static void
test_rewind_resends_whole_record(void **state)
{
	struct lt_sendq q;
	const uint8_t *p;
	size_t len;
	uint8_t out[1024];
	uint64_t recs;

	(void)state;
	assert_int_equal(lt_sendq_init(&q, 1024), 0);
	push(&q, 100, 0xaa);
	push(&q, 100, 0xbb);
	p = lt_sendq_peek(&q, &len);
	assert_int_equal(len, 200);
	/* First record and half the second written, then the connection drops. */
	assert_int_equal(lt_sendq_consume(&q, 150), 1);
	assert_int_equal(q.records, 1);
	lt_sendq_rewind(&q);
	p = lt_sendq_peek(&q, &len);
	assert_int_equal(len, 100);
	assert_int_equal(p[0], 0x30);
	assert_int_equal(p[99], 0xbb);
	assert_int_equal(drain(&q, 1000, out, sizeof(out), &recs), 100);
	assert_int_equal(recs, 1);
	lt_sendq_free(&q);
}

static void
test_wrap_and_full(void **state)
{
	struct lt_sendq q;
	uint8_t out[2048];
	uint64_t recs, total = 0;
	unsigned pushed = 0;

	(void)state;
	assert_int_equal(lt_sendq_init(&q, 1000), 0);
	/* Fill: 3 x 300, then 300 more does not fit. */
	for (int i = 0; i < 3; i++, pushed++)
		push(&q, 300, (uint8_t)i);
	assert_null(lt_sendq_reserve(&q, 300));
	/* Send one record: the front frees, the next record wraps to 0. */
	{
		size_t len;

		assert_non_null(lt_sendq_peek(&q, &len));
		assert_int_equal(lt_sendq_consume(&q, 300), 1);
		total++;
	}
	push(&q, 300, 3);
	pushed++;
	assert_true(q.wrapped);
	assert_null(lt_sendq_reserve(&q, 1));	/* 600 held + 100 dead end + 300 */
	/* Everything comes out in push order across the wrap. */
	{
		size_t n = drain(&q, 77, out, sizeof(out), &recs);

		assert_int_equal(n, 900);
		total += recs;
		assert_int_equal(out[299], 0x01);	/* last byte of each record */
		assert_int_equal(out[599], 0x02);
		assert_int_equal(out[899], 0x03);
	}
	assert_int_equal(total, pushed);
	assert_true(lt_sendq_empty(&q));
	assert_false(q.wrapped);
	assert_int_equal(q.used, 0);
	lt_sendq_free(&q);
}

static void
test_rewind_across_wrap(void **state)
{
	struct lt_sendq q;
	uint8_t out[2048];
	uint64_t recs;
	size_t len;

	(void)state;
	assert_int_equal(lt_sendq_init(&q, 1000), 0);
	push(&q, 400, 1);
	push(&q, 400, 2);
	assert_non_null(lt_sendq_peek(&q, &len));
	assert_int_equal(lt_sendq_consume(&q, 400), 1);
	push(&q, 300, 3);			/* wraps */
	assert_true(q.wrapped);
	assert_non_null(lt_sendq_peek(&q, &len));
	assert_int_equal(len, 400);
	assert_int_equal(lt_sendq_consume(&q, 399), 0);
	lt_sendq_rewind(&q);
	assert_int_equal(drain(&q, 50, out, sizeof(out), &recs), 700);
	assert_int_equal(recs, 2);
	assert_int_equal(out[399], 2);
	assert_int_equal(out[699], 3);
	lt_sendq_free(&q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_der_tlv_len),
		cmocka_unit_test(test_in_order_any_chunking),
		cmocka_unit_test(test_rewind_resends_whole_record),
		cmocka_unit_test(test_wrap_and_full),
		cmocka_unit_test(test_rewind_across_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
