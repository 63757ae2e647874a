/* test_seqtrack.c - gaps, duplicates and ranges of the LEMF's sequence accounting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lemf/seqtrack.h"

#define L1 "LIID-1"

static struct seqtrack_stat
get(struct seqtrack *st, const char *liid, int has_cin, uint32_t cin,
    enum seqtrack_kind k)
{
	struct seqtrack_stat s;

	assert_int_equal(seqtrack_get(st, liid, strlen(liid), has_cin, cin, k, &s), 0);
	return s;
}

static void
add(struct seqtrack *st, uint32_t seq, int expect)
{
	assert_int_equal(seqtrack_add(st, L1, strlen(L1), 1, 7, SEQTRACK_CC, seq),
	    expect);
}

/* A cINReset: numbers from 0 again make a new epoch; a late one changes nothing. */
static void
cin_reset_epochs(void **state)
{
	struct seqtrack *st = seqtrack_new();
	struct seqtrack_stat s;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	for (uint32_t i = 0; i < 50; i++)
		add(st, i, 0);
	/* the restart lost 50..59; the agency is told, then 0.. again */
	seqtrack_reset(st, L1, strlen(L1), 1, 7);
	for (uint32_t i = 0; i < 20; i++)
		add(st, i, 0);
	s = get(st, L1, 1, 7, SEQTRACK_CC);
	assert_int_equal(s.count, 20);
	assert_int_equal(s.gaps, 0);
	assert_int_equal(s.dups, 0);
	/* the other connection's cINReset, after the new numbers began: nothing */
	seqtrack_reset(st, L1, strlen(L1), 1, 7);
	add(st, 20, 0);
	add(st, 5, 1);			/* a real duplicate is still one */
	s = get(st, L1, 1, 7, SEQTRACK_CC);
	assert_int_equal(s.count, 22);
	assert_int_equal(s.dups, 1);
	/* without a cINReset, 0 again is a duplicate */
	add(st, 0, 1);
	assert_int_equal(seqtrack_streams(st), 2);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(seqtrack_print(st, f), 0);
	fclose(f);
	assert_non_null(strstr(text, "LIID-1                             7 CC           50          0         49          0          0\n"));
	assert_non_null(strstr(text, "LIID-1                             7 CC/1         23          0         20          0          2\n"));
	free(text);
	seqtrack_free(st);
}

static void
in_order_no_gap(void **state)
{
	struct seqtrack *st = seqtrack_new();
	struct seqtrack_stat s;

	(void)state;
	for (uint32_t i = 0; i < 1000; i++)
		add(st, i, 0);
	s = get(st, L1, 1, 7, SEQTRACK_CC);
	assert_int_equal(s.count, 1000);
	assert_int_equal(s.first, 0);
	assert_int_equal(s.last, 999);
	assert_int_equal(s.gaps, 0);
	assert_int_equal(s.dups, 0);
	assert_int_equal(seqtrack_gapped(st), 0);
	seqtrack_free(st);
}

static void
gap_in_middle_and_before_first(void **state)
{
	struct seqtrack *st = seqtrack_new();
	struct seqtrack_stat s;

	(void)state;
	add(st, 3, 0);
	add(st, 4, 0);
	add(st, 8, 0);
	s = get(st, L1, 1, 7, SEQTRACK_CC);
	assert_int_equal(s.first, 3);
	assert_int_equal(s.last, 8);
	/* 0,1,2 before the first and 5,6,7 between */
	assert_int_equal(s.gaps, 6);
	assert_int_equal(seqtrack_gapped(st), 1);
	/* Filling the holes late (out of order) closes them. */
	for (uint32_t i = 0; i < 8; i++)
		add(st, i, i == 3 || i == 4 ? 1 : 0);
	s = get(st, L1, 1, 7, SEQTRACK_CC);
	assert_int_equal(s.gaps, 0);
	assert_int_equal(s.dups, 2);
	assert_int_equal(s.count, 11);
	assert_int_equal(s.first, 0);
	assert_int_equal(seqtrack_gapped(st), 0);
	seqtrack_free(st);
}

static void
duplicates(void **state)
{
	struct seqtrack *st = seqtrack_new();
	struct seqtrack_stat s;

	(void)state;
	add(st, 0, 0);
	add(st, 1, 0);
	add(st, 0, 1);
	add(st, 1, 1);
	add(st, 1, 1);
	add(st, 2, 0);
	s = get(st, L1, 1, 7, SEQTRACK_CC);
	assert_int_equal(s.count, 6);
	assert_int_equal(s.dups, 3);
	assert_int_equal(s.gaps, 0);
	assert_int_equal(s.last, 2);
	seqtrack_free(st);
}

/* Every insertion case: join left, join right, join both, new island. */
static void
merge_cases(void **state)
{
	struct seqtrack *st = seqtrack_new();
	struct seqtrack_stat s;
	static const uint32_t order[] = { 10, 20, 30, 12, 11, 19, 21, 25, 0,
	    29, 31, 15, 14, 16 };

	(void)state;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		add(st, order[i], 0);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		add(st, order[i], 1);
	s = get(st, L1, 1, 7, SEQTRACK_CC);
	assert_int_equal(s.first, 0);
	assert_int_equal(s.last, 31);
	assert_int_equal(s.gaps, 32 - 14);
	assert_int_equal(s.dups, 14);
	/* fill all 32 numbers in reverse */
	for (uint32_t i = 32; i-- > 0;)
		seqtrack_add(st, L1, strlen(L1), 1, 7, SEQTRACK_CC, i);
	s = get(st, L1, 1, 7, SEQTRACK_CC);
	assert_int_equal(s.gaps, 0);
	assert_int_equal(s.dups, 28);
	seqtrack_free(st);
}

static void
extremes(void **state)
{
	struct seqtrack *st = seqtrack_new();
	struct seqtrack_stat s;

	(void)state;
	add(st, UINT32_MAX, 0);
	add(st, UINT32_MAX - 1, 0);
	add(st, UINT32_MAX, 1);
	s = get(st, L1, 1, 7, SEQTRACK_CC);
	assert_int_equal(s.first, UINT32_MAX - 1);
	assert_int_equal(s.last, UINT32_MAX);
	assert_true(s.gaps == (uint64_t)UINT32_MAX - 1);
	seqtrack_free(st);
}

/* IRI and CC, CIN and no CIN, LIID prefixes are all separate streams. */
static void
keys_are_separate(void **state)
{
	struct seqtrack *st = seqtrack_new();
	struct seqtrack_stat s;

	(void)state;
	assert_int_equal(seqtrack_add(st, "A", 1, 1, 1, SEQTRACK_IRI, 0), 0);
	assert_int_equal(seqtrack_add(st, "A", 1, 1, 1, SEQTRACK_CC, 0), 0);
	assert_int_equal(seqtrack_add(st, "A", 1, 1, 2, SEQTRACK_CC, 0), 0);
	assert_int_equal(seqtrack_add(st, "A", 1, 0, 0, SEQTRACK_CC, 0), 0);
	assert_int_equal(seqtrack_add(st, "AB", 2, 1, 1, SEQTRACK_IRI, 0), 0);
	assert_int_equal(seqtrack_add(st, "A\0", 2, 1, 1, SEQTRACK_IRI, 0), 0);
	assert_int_equal(seqtrack_add(st, "A", 1, 1, 1, SEQTRACK_IRI, 1), 0);
	assert_int_equal(seqtrack_streams(st), 6);
	s = get(st, "A", 1, 1, SEQTRACK_IRI);
	assert_int_equal(s.count, 2);
	s = get(st, "A", 0, 0, SEQTRACK_CC);
	assert_int_equal(s.count, 1);
	assert_int_equal(seqtrack_get(st, "B", 1, 1, 1, SEQTRACK_IRI, &s), -1);
	assert_int_equal(seqtrack_get(st, "A", 1, 1, 3, SEQTRACK_IRI, &s), -1);
	seqtrack_free(st);
}

/* Enough streams to rehash several times; every one still found. */
static void
many_streams(void **state)
{
	struct seqtrack *st = seqtrack_new();
	char liid[16];
	struct seqtrack_stat s;

	(void)state;
	for (uint32_t i = 0; i < 5000; i++) {
		snprintf(liid, sizeof(liid), "L%u", i % 100);
		assert_int_equal(seqtrack_add(st, liid, strlen(liid), 1, i / 100,
		    SEQTRACK_IRI, i % 3), 0);
	}
	assert_int_equal(seqtrack_streams(st), 5000);
	s = get(st, "L42", 1, 17, SEQTRACK_IRI);
	assert_int_equal(s.count, 1);
	assert_int_equal(s.first, 1742 % 3);
	seqtrack_free(st);
}

/* Every other number, then the holes: linear, not quadratic. */
static void
alternating(void **state)
{
	struct seqtrack *st = seqtrack_new();
	struct seqtrack_stat s;

	(void)state;
	for (uint32_t i = 0; i < 200000; i += 2)
		add(st, i, 0);
	for (uint32_t i = 1; i < 200000; i += 2)
		add(st, i, 0);
	s = get(st, L1, 1, 7, SEQTRACK_CC);
	assert_int_equal(s.gaps, 0);
	assert_int_equal(s.count, 200000);
	assert_int_equal(s.last, 199999);
	seqtrack_free(st);
}

/* Numbers spread over the whole range: many chunks, each found again. */
static void
sparse(void **state)
{
	struct seqtrack *st = seqtrack_new();
	struct seqtrack_stat s;

	(void)state;
	for (uint32_t i = 1; i <= 20000; i++)
		add(st, i * 200003u, 0);
	for (uint32_t i = 20000; i >= 1; i--)
		add(st, i * 200003u, 1);
	s = get(st, L1, 1, 7, SEQTRACK_CC);
	assert_int_equal(s.first, 200003u);
	assert_int_equal(s.last, 20000u * 200003u);
	assert_true(s.gaps == (uint64_t)20000u * 200003u + 1 - 20000);
	assert_int_equal(s.dups, 20000);
	seqtrack_free(st);
}

static void
print_table(void **state)
{
	struct seqtrack *st = seqtrack_new();
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const char *want =
	    "LIID                             CIN KIND      COUNT      FIRST       LAST       GAPS       DUPS\n"
	    "B                                  - CC            1          0          0          0          0\n"
	    "B                                  1 IRI           3          0          3          2          1\n"
	    "B                                  1 CC            1          5          5          5          0\n"
	    "a\\x20b\\x01                        10 IRI           1          0          0          0          0\n"
	    "total                              - -             6          -          -          7          1\n";

	(void)state;
	assert_non_null(f);
	seqtrack_add(st, "a b\x01", 4, 1, 10, SEQTRACK_IRI, 0);
	seqtrack_add(st, "B", 1, 1, 1, SEQTRACK_CC, 5);
	seqtrack_add(st, "B", 1, 1, 1, SEQTRACK_IRI, 0);
	seqtrack_add(st, "B", 1, 1, 1, SEQTRACK_IRI, 3);
	seqtrack_add(st, "B", 1, 1, 1, SEQTRACK_IRI, 3);
	seqtrack_add(st, "B", 1, 0, 0, SEQTRACK_CC, 0);
	assert_int_equal(seqtrack_print(st, f), 2);
	fclose(f);
	assert_string_equal(buf, want);
	free(buf);
	seqtrack_free(st);
}

static void
print_empty(void **state)
{
	struct seqtrack *st = seqtrack_new();
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(seqtrack_print(st, f), 0);
	fclose(f);
	assert_non_null(strstr(buf, "\ntotal "));
	free(buf);
	seqtrack_free(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(in_order_no_gap),
		cmocka_unit_test(cin_reset_epochs),
		cmocka_unit_test(gap_in_middle_and_before_first),
		cmocka_unit_test(duplicates),
		cmocka_unit_test(merge_cases),
		cmocka_unit_test(extremes),
		cmocka_unit_test(keys_are_separate),
		cmocka_unit_test(many_streams),
		cmocka_unit_test(alternating),
		cmocka_unit_test(sparse),
		cmocka_unit_test(print_table),
		cmocka_unit_test(print_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
