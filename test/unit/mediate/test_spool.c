/* test_spool.c - the on-disk spool: order across reopen, quota overwrite counts, damage, faults at every step. */
#include <dlfcn.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "mediate/spool.h"
#include "util/rmtree.h"

#define QUOTA	(64u * 1024)	/* segments of 8 KiB */

static char dir[64];
static const uint8_t key[LT_SPOOL_KEY_LEN] = { 1, 2, 3 };

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/lt-spool-XXXXXX");
	assert_non_null(mkdtemp(dir));
	strcat(dir, "/s");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	*strrchr(dir, '/') = '\0';
	assert_int_equal(lt_rmtree(dir), 0);
	return 0;
}

/* Record i: its length and content follow from i; the stream id is i. */
static size_t
rec_len(uint32_t i)
{
	return 600 + (i * 37) % 200;
}

static void
rec_fill(uint8_t *p, uint32_t i)
{
	for (size_t j = 0; j < rec_len(i); j++)
		p[j] = (uint8_t)(i * 7 + j);
}

static int
append_rec(struct lt_spool *sp, uint32_t i)
{
	uint8_t b[1024];

	rec_fill(b, i);
	return lt_spool_append(sp, i, b, rec_len(i));
}

/* Peeks record i and checks every byte. */
static void
expect_rec(struct lt_spool *sp, uint32_t i)
{
	const uint8_t *r;
	uint8_t b[1024];
	uint32_t sid;
	size_t len;

	assert_int_equal(lt_spool_peek(sp, &r, &len, &sid), 1);
	assert_int_equal(sid, i);
	assert_int_equal(len, rec_len(i));
	rec_fill(b, i);
	assert_memory_equal(r, b, len);
}

static struct lt_spool *
open_ok(uint64_t quota)
{
	struct lt_spool *sp;
	char err[256];

	if (lt_spool_open(dir, quota, key, &sp, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return sp;
}

static void
order_reopen(void **state)
{
	struct lt_spool *sp;
	struct lt_spool_stats st;
	struct stat sb;
	const uint8_t *r;
	uint32_t sid;
	size_t len;

	(void)state;
	sp = open_ok(QUOTA);
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	assert_int_equal(lt_spool_peek(sp, &r, &len, &sid), 0);
	assert_int_equal(lt_spool_ack(sp), -1);
	assert_string_equal(lt_spool_errmsg(sp),
	    "spool: acknowledgement without a record read");
	for (uint32_t i = 0; i < 30; i++)
		assert_int_equal(append_rec(sp, i), 0);
	expect_rec(sp, 0);
	expect_rec(sp, 0);	/* a peek alone does not consume */
	for (uint32_t i = 0; i < 14; i++) {
		expect_rec(sp, i);
		assert_int_equal(lt_spool_ack(sp), 0);
	}
	lt_spool_stats(sp, &st);
	assert_int_equal(st.records, 16);
	assert_int_equal(lt_spool_sync(sp), 0);
	/* acknowledged but not synced: may come back */
	expect_rec(sp, 14);
	assert_int_equal(lt_spool_ack(sp), 0);
	lt_spool_close(sp);

	sp = open_ok(QUOTA);
	lt_spool_stats(sp, &st);
	assert_int_equal(st.records, 15);	/* close syncs the last ack */
	assert_int_equal(st.damaged, 0);
	for (uint32_t i = 15; i < 20; i++) {
		expect_rec(sp, i);
		assert_int_equal(lt_spool_ack(sp), 0);
	}
	assert_int_equal(append_rec(sp, 30), 0);
	for (uint32_t i = 20; i <= 30; i++) {
		expect_rec(sp, i);
		assert_int_equal(lt_spool_ack(sp), 0);
	}
	assert_int_equal(lt_spool_peek(sp, &r, &len, &sid), 0);
	lt_spool_close(sp);

	sp = open_ok(QUOTA);
	lt_spool_stats(sp, &st);
	assert_int_equal(st.records, 0);
	assert_int_equal(st.segments, 0);	/* wholly acknowledged: deleted */
	assert_int_equal(lt_spool_peek(sp, &r, &len, &sid), 0);
	lt_spool_close(sp);
}

static void
limits(void **state)
{
	static uint8_t big[QUOTA];
	struct lt_spool *sp;
	char err[256];

	(void)state;
	assert_int_equal(lt_spool_open(dir, 1000, key, &sp, err, sizeof(err)), -1);
	assert_null(sp);
	assert_non_null(strstr(err, "below the minimum of 65536"));
	sp = open_ok(QUOTA);
	assert_int_equal(lt_spool_append(sp, 1, big, 0), -1);
	assert_int_equal(lt_spool_append(sp, 1, big, 8192 - LT_SPOOL_OVERHEAD + 1), -1);
	assert_string_equal(lt_spool_errmsg(sp),
	    "spool: a record of 8145 bytes does not fit (largest 8144)");
	assert_int_equal(lt_spool_append(sp, 1, big, 8192 - LT_SPOOL_OVERHEAD), 0);
	lt_spool_close(sp);
}

struct counts {
	uint64_t n[3];
	int calls;
};

static void
count_cb(void *arg, uint32_t sid, uint64_t n)
{
	struct counts *c = arg;

	assert_true(sid < 3);
	c->n[sid] = n;
	c->calls++;
}

static void
quota_overwrite(void **state)
{
	uint8_t b[1024 - LT_SPOOL_OVERHEAD];
	struct lt_spool *sp;
	struct lt_spool_stats st;
	struct counts c = { { 0 }, 0 };
	const uint8_t *r;
	uint32_t sid;
	size_t len;

	(void)state;
	sp = open_ok(QUOTA);
	/* frames of 1024 bytes: 8 per segment, 64 fill the quota exactly */
	for (uint32_t i = 0; i < 64; i++) {
		memset(b, (int)i, sizeof(b));
		assert_int_equal(lt_spool_append(sp, i % 3, b, sizeof(b)), 0);
	}
	lt_spool_stats(sp, &st);
	assert_int_equal(st.bytes, QUOTA);
	assert_int_equal(st.overwritten, 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(lt_spool_peek(sp, &r, &len, &sid), 1);
		assert_int_equal(lt_spool_ack(sp), 0);
	}
	/*
	 * Read ahead when the quota drops it: it is on its way from memory, so
	 * not counted as overwritten, and its ack changes nothing.
	 */
	assert_int_equal(lt_spool_peek(sp, &r, &len, &sid), 1);
	assert_int_equal(r[0], 2);
	/* record 64 drops records 2..7 (ids 2 0 1 2 0 1); 73 drops 8..15 */
	for (uint32_t i = 64; i < 74; i++) {
		memset(b, (int)i, sizeof(b));
		assert_int_equal(lt_spool_append(sp, i % 3, b, sizeof(b)), 0);
	}
	assert_int_equal(lt_spool_ack(sp), 0);
	lt_spool_stats(sp, &st);
	assert_int_equal(st.overwritten, 13);
	assert_int_equal(st.records, 74 - 16);
	assert_int_equal(st.bytes, QUOTA - 6 * 1024);
	lt_spool_overwritten(sp, count_cb, &c);
	assert_int_equal(c.calls, 3);
	/* 3..7: 0 1 2 0 1; 8..15: 2 0 1 2 0 1 2 0 */
	assert_int_equal(c.n[0], 5);
	assert_int_equal(c.n[1], 4);
	assert_int_equal(c.n[2], 4);
	assert_int_equal(lt_spool_peek(sp, &r, &len, &sid), 1);
	assert_int_equal(r[0], 16);
	assert_int_equal(sid, 16 % 3);
	lt_spool_close(sp);

	sp = open_ok(QUOTA);
	lt_spool_stats(sp, &st);
	assert_int_equal(st.records, 74 - 16);
	assert_int_equal(lt_spool_peek(sp, &r, &len, &sid), 1);
	assert_int_equal(r[0], 16);
	lt_spool_close(sp);
}

static char *
seg_path(uint64_t id)
{
	static char p[128];

	snprintf(p, sizeof(p), "%s/seg-%016llx", dir, (unsigned long long)id);
	return p;
}

static void
torn_tail(void **state)
{
	struct lt_spool *sp;
	struct lt_spool_stats st;
	struct stat sb;

	(void)state;
	sp = open_ok(QUOTA);
	for (uint32_t i = 0; i < 5; i++)
		assert_int_equal(append_rec(sp, i), 0);
	lt_spool_close(sp);
	assert_int_equal(stat(seg_path(1), &sb), 0);
	assert_int_equal(truncate(seg_path(1), sb.st_size - 3), 0);

	sp = open_ok(QUOTA);
	lt_spool_stats(sp, &st);
	assert_int_equal(st.records, 4);
	assert_int_equal(st.damaged, 1);
	assert_int_equal(st.damaged_bytes, rec_len(4) + LT_SPOOL_OVERHEAD - 3);
	assert_int_equal(stat(seg_path(1), &sb), 0);
	assert_int_equal(sb.st_size, st.bytes);
	for (uint32_t i = 0; i < 4; i++) {
		expect_rec(sp, i);
		assert_int_equal(lt_spool_ack(sp), 0);
	}
	/* appends after the cut go on, in a new segment */
	assert_int_equal(append_rec(sp, 5), 0);
	expect_rec(sp, 5);
	lt_spool_close(sp);
}

static void
flip_byte(const char *path, off_t off)
{
	uint8_t c;
	int fd = open(path, O_RDWR);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &c, 1, off), 1);
	c ^= 0x10;
	assert_int_equal(pwrite(fd, &c, 1, off), 1);
	close(fd);
}

static void
flipped_byte(void **state)
{
	struct lt_spool *sp;
	struct lt_spool_stats st;
	struct stat sb;
	off_t off = 0;
	uint32_t k = 0;

	(void)state;
	sp = open_ok(QUOTA);
	/* records 0..k-1 in segment 1, k..19 in segment 2 */
	for (uint32_t i = 0; i < 20; i++)
		assert_int_equal(append_rec(sp, i), 0);
	lt_spool_close(sp);
	assert_int_equal(stat(seg_path(1), &sb), 0);
	for (off_t o = 0; o < sb.st_size; k++)
		o += (off_t)rec_len(k) + LT_SPOOL_OVERHEAD;
	assert_true(k > 7 && k < 20);
	for (uint32_t i = 0; i < 6; i++)
		off += (off_t)rec_len(i) + LT_SPOOL_OVERHEAD;
	flip_byte(seg_path(1), off + 8 + 100);	/* inside record 6's payload */

	sp = open_ok(QUOTA);
	lt_spool_stats(sp, &st);
	assert_int_equal(st.damaged, 1);
	assert_int_equal(st.damaged_bytes, sb.st_size - off);
	assert_int_equal(st.records, 6 + 20 - k);
	for (uint32_t i = 0; i < 6; i++) {
		expect_rec(sp, i);
		assert_int_equal(lt_spool_ack(sp), 0);
	}
	/* the later segment is whole and kept */
	for (uint32_t i = k; i < 20; i++) {
		expect_rec(sp, i);
		assert_int_equal(lt_spool_ack(sp), 0);
	}
	lt_spool_close(sp);
}

static void
damaged_ack(void **state)
{
	struct lt_spool *sp;
	char err[256], p[128];
	int fd;

	(void)state;
	sp = open_ok(QUOTA);
	assert_int_equal(append_rec(sp, 0), 0);
	expect_rec(sp, 0);
	assert_int_equal(lt_spool_ack(sp), 0);
	lt_spool_close(sp);
	snprintf(p, sizeof(p), "%s/ack", dir);
	assert_true((fd = open(p, O_WRONLY | O_TRUNC)) >= 0);
	assert_int_equal(write(fd, "LTSPACK1", 8), 8);
	close(fd);
	assert_int_equal(lt_spool_open(dir, QUOTA, key, &sp, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "its ack file is damaged; remove it"));
}

typedef void (*arm_fn)(long, int);
typedef void (*disarm_fn)(void);
typedef int (*fired_fn)(void);

/* What the child got through, counted in shared memory. */
struct progress {
	uint32_t appended, acked;		/* calls that returned 0 */
	uint32_t synced, acked_synced;		/* as of the last good sync */
};

/* Records 0..4 appended, 0..1 acknowledged, all synced. */
static void
base_state(void)
{
	struct lt_spool *sp;

	*strrchr(dir, '/') = '\0';
	assert_int_equal(lt_rmtree(dir), 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	strcat(dir, "/s");
	sp = open_ok(QUOTA);
	for (uint32_t i = 0; i < 5; i++)
		assert_int_equal(append_rec(sp, i), 0);
	for (uint32_t i = 0; i < 2; i++) {
		expect_rec(sp, i);
		assert_int_equal(lt_spool_ack(sp), 0);
	}
	assert_int_equal(lt_spool_sync(sp), 0);
	lt_spool_close(sp);
}

/* Open, append 5..34 with a sync every third and an ack every fourth, across segments. */
static int
child_run(struct progress *pg)
{
	struct lt_spool *sp;
	const uint8_t *r;
	uint32_t sid;
	size_t len;
	char err[256];

	pg->appended = 5;
	pg->acked = pg->acked_synced = 2;
	pg->synced = 5;
	if (lt_spool_open(dir, QUOTA, key, &sp, err, sizeof(err)) != 0)
		return -1;
	for (uint32_t i = 5; i < 35; i++) {
		/* a failed append is retried: it must leave no torn record */
		if (append_rec(sp, i) != 0 && append_rec(sp, i) != 0)
			return -1;
		pg->appended = i + 1;
		if (i % 4 == 0) {
			if (lt_spool_peek(sp, &r, &len, &sid) != 1 ||
			    sid != pg->acked || lt_spool_ack(sp) != 0)
				return -1;
			pg->acked++;
		}
		if (i % 3 == 0 || i == 34) {
			if (lt_spool_sync(sp) != 0)
				return -1;
			pg->synced = pg->appended;
			pg->acked_synced = pg->acked;
		}
	}
	lt_spool_close(sp);
	return 0;
}

static void
crash_steps(int exit_mode)
{
	arm_fn arm = (arm_fn)dlsym(RTLD_DEFAULT, "failshim_arm");
	disarm_fn disarm = (disarm_fn)dlsym(RTLD_DEFAULT, "failshim_disarm");
	fired_fn fired = (fired_fn)dlsym(RTLD_DEFAULT, "failshim_fired");
	struct progress *pg;
	struct lt_spool *sp;
	struct lt_spool_stats st;
	const uint8_t *r;
	uint32_t sid, first, next;
	size_t len;
	int status, code, dups = 0;
	long n;

	if (arm == NULL || disarm == NULL || fired == NULL)
		fail_msg("failshim is not loaded: run with LD_PRELOAD=libfailshim");
	pg = mmap(NULL, sizeof(*pg), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(pg != MAP_FAILED);
	for (n = 0; ; n++) {
		assert_true(n < 1000);
		base_state();
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			int rc;

			arm(n, exit_mode);
			rc = child_run(pg);
			disarm();
			_exit(rc == 0 ? (fired() ? 3 : 0) : (fired() ? 2 : 4));
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		code = WEXITSTATUS(status);
		/* 3: a failed append, retried, went through */
		if (code != 0 && code != (exit_mode ? 99 : 2) &&
		    !(code == 3 && !exit_mode))
			fail_msg("step %ld: child exit %d", n, code);

		/* acknowledged and synced: gone; synced: there once, in order */
		sp = open_ok(QUOTA);
		lt_spool_stats(sp, &st);
		first = next = UINT32_MAX;
		while (lt_spool_peek(sp, &r, &len, &sid) == 1) {
			if (first == UINT32_MAX)
				first = next = sid;
			assert_int_equal(sid, next);
			expect_rec(sp, sid);
			assert_int_equal(lt_spool_ack(sp), 0);
			next++;
		}
		if (first == UINT32_MAX)
			first = next = pg->acked;
		if (first < pg->acked_synced || first > pg->acked ||
		    next < pg->synced || next > pg->appended)
			fail_msg("step %ld (exit %d): spool holds %u..%u; "
			    "appended %u synced %u acked %u acked+synced %u", n,
			    code, first, next, pg->appended, pg->synced,
			    pg->acked, pg->acked_synced);
		assert_int_equal(st.records, next - first);
		dups += first < pg->acked;
		assert_int_equal(append_rec(sp, next), 0);
		expect_rec(sp, next);
		assert_int_equal(lt_spool_sync(sp), 0);
		lt_spool_close(sp);
		if (code == 0)
			break;
	}
	/* at least opens, writes, fsyncs and renames of a few rounds */
	assert_true(n > 40);
	munmap(pg, sizeof(*pg));
	print_message("%ld fault steps, %d runs with resend-window duplicates\n",
	    n, dups);
}

static void
fault_every_step(void **state)
{
	(void)state;
	crash_steps(0);
}

static void
exit_every_step(void **state)
{
	(void)state;
	crash_steps(1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(order_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(limits, setup, teardown),
		cmocka_unit_test_setup_teardown(quota_overwrite, setup, teardown),
		cmocka_unit_test_setup_teardown(torn_tail, setup, teardown),
		cmocka_unit_test_setup_teardown(flipped_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(damaged_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(fault_every_step, setup, teardown),
		cmocka_unit_test_setup_teardown(exit_every_step, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
