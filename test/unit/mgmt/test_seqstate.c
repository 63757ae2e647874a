/* test_seqstate.c - seq.bin: round trip, no file, a flipped byte, another key, malformed contents. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "mgmt/seqstate.h"
#include "util/rmtree.h"

static char dir[64];
static uint8_t key[32] = { 1 }, other[32] = { 2 };

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/lt-seq-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	assert_int_equal(lt_rmtree(dir), 0);
	return 0;
}

static void
fill(struct lt_seqstate *ss, uint32_t n)
{
	assert_int_equal(lt_seqstate_alloc(ss, n), 0);
	for (uint32_t i = 0; i < n; i++) {
		struct lt_seq_entry *e = &ss->e[ss->n++];

		e->liid_len = (uint8_t)snprintf(e->liid, sizeof(e->liid), "LIID-%u", i);
		e->cin = 100 + i;
		e->cc_seq = 4000000000u + i;
		e->iri_seq = i;
		e->iri_state = (uint8_t)(i % 3);
		e->next_cin = i ? 1000 + i : 0;
	}
}

static void
round_trip(void **state)
{
	struct lt_seqstate a = { .clean = true }, b;
	const struct lt_seq_entry *e;
	char err[256];

	(void)state;
	assert_int_equal(lt_seqstate_load(dir, key, &b, err, sizeof(err)), 0);
	assert_true(b.clean);			/* no file: a first run */
	assert_int_equal(b.n, 0);
	lt_seqstate_free(&b);
	fill(&a, 300);
	assert_int_equal(lt_seqstate_save(dir, key, &a, err, sizeof(err)), 0);
	assert_int_equal(lt_seqstate_load(dir, key, &b, err, sizeof(err)), 0);
	assert_true(b.clean);
	assert_int_equal(b.n, 300);
	assert_memory_equal(a.e, b.e, 300 * sizeof(*a.e));
	assert_non_null(e = lt_seqstate_find(&b, "LIID-7", 6, 107));
	assert_int_equal(e->cc_seq, 4000000007u);
	assert_null(lt_seqstate_find(&b, "LIID-7", 6, 108));
	assert_null(lt_seqstate_find(&b, "LIID-", 5, 107));
	lt_seqstate_free(&b);
	a.clean = false;
	assert_int_equal(lt_seqstate_save(dir, key, &a, err, sizeof(err)), 0);
	assert_int_equal(lt_seqstate_load(dir, key, &b, err, sizeof(err)), 0);
	assert_false(b.clean);
	lt_seqstate_free(&b);
	lt_seqstate_free(&a);
}

static void
refusals(void **state)
{
	struct lt_seqstate a = { .clean = true }, b;
	char err[256], path[128];
	uint8_t c;
	int fd;

	(void)state;
	fill(&a, 3);
	assert_int_equal(lt_seqstate_save(dir, key, &a, err, sizeof(err)), 0);
	assert_int_equal(lt_seqstate_load(dir, other, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "does not open with this appliance's key"));
	snprintf(path, sizeof(path), "%s/seq.bin", dir);
	assert_true((fd = open(path, O_RDWR)) >= 0);
	assert_int_equal(pread(fd, &c, 1, 40), 1);
	c ^= 1;
	assert_int_equal(pwrite(fd, &c, 1, 40), 1);
	close(fd);
	assert_int_equal(lt_seqstate_load(dir, key, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "does not open"));
	assert_true((fd = open(path, O_RDWR | O_TRUNC)) >= 0);
	assert_int_equal(write(fd, "LTSEQ00", 7), 7);
	close(fd);
	assert_int_equal(lt_seqstate_load(dir, key, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a sequence state file"));
	/* sealed but malformed inside: an entry count past the end */
	{
		uint8_t plain[5] = { 1, 0, 0, 0, 9 }, buf[8 + 24 + 16 + 5];

		memcpy(buf, "LTSEQ001", 8);
		randombytes_buf(buf + 8, 24);
		crypto_secretbox_easy(buf + 32, plain, sizeof(plain), buf + 8, key);
		assert_true((fd = open(path, O_RDWR | O_TRUNC)) >= 0);
		assert_int_equal(write(fd, buf, sizeof(buf)), (ssize_t)sizeof(buf));
		close(fd);
		assert_int_equal(lt_seqstate_load(dir, key, &b, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "malformed contents"));
	}
	lt_seqstate_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(refusals, setup, teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
