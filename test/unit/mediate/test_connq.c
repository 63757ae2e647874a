/* test_connq.c - a connection's queue: spill to the spool and back in order, resend of the unconfirmed window, restart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "mediate/connq.h"
#include "util/rmtree.h"

static const uint8_t key[LT_SPOOL_KEY_LEN] = { 7, 7, 7 };
static char dir[64];
static char err[256];

/* What reached the "agency", record by record. */
struct wire {
	uint32_t ids[20000];
	size_t n;
	uint8_t part[70000];
	size_t plen;
};

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/lt-connq-XXXXXX");
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

/* Record i: a DER SEQUENCE of 200..455 bytes holding i. */
static size_t
rec_len(uint32_t i)
{
	return 4 + 200 + i % 256;
}

static void
put(struct lt_connq *cq, uint32_t i)
{
	size_t n = rec_len(i);
	uint8_t *p = lt_connq_reserve(cq, n);

	assert_non_null(p);
	p[0] = 0x30;
	p[1] = 0x82;
	p[2] = (uint8_t)((n - 4) >> 8);
	p[3] = (uint8_t)(n - 4);
	memset(p + 4, (int)(i & 0xff), n - 4);
	memcpy(p + 4, &i, 4);
	lt_connq_commit(cq, n, i % 5);
}

static void
wire_take(struct wire *w, const uint8_t *p, size_t n)
{
	while (n > 0) {
		size_t need, take;

		if (w->plen < 4) {
			take = 4 - w->plen < n ? 4 - w->plen : n;
		} else {
			need = 4 + ((size_t)w->part[2] << 8 | w->part[3]);
			take = need - w->plen < n ? need - w->plen : n;
		}
		memcpy(w->part + w->plen, p, take);
		w->plen += take;
		p += take;
		n -= take;
		if (w->plen >= 4 && w->plen == 4 + ((size_t)w->part[2] << 8 | w->part[3])) {
			uint32_t id;

			memcpy(&id, w->part + 4, 4);
			assert_int_equal(w->plen, rec_len(id));
			assert_true(w->n < 20000);
			w->ids[w->n++] = id;
			w->plen = 0;
		}
	}
}

/* Writes up to budget bytes in pieces of at most chunk; returns bytes written. */
static size_t
pump(struct lt_connq *cq, struct wire *w, size_t budget, size_t chunk)
{
	size_t done = 0;

	while (done < budget) {
		size_t len, left;
		const uint8_t *p;

		assert_int_equal(lt_connq_refill(cq), 0);
		if ((p = lt_connq_peek(cq, &len, &left)) == NULL)
			break;
		if (len > chunk)
			len = chunk;
		if (len > budget - done)
			len = budget - done;
		wire_take(w, p, len);
		lt_connq_written(cq, len);
		done += len;
	}
	return done;
}

/* Writes the rest of the record in flight, if any. */
static void
finish_record(struct lt_connq *cq, struct wire *w)
{
	size_t len, left;
	const uint8_t *p = lt_connq_peek(cq, &len, &left);

	if (p != NULL && left > 0) {
		wire_take(w, p, left);
		lt_connq_written(cq, left);
	}
}

static struct lt_spool *
spool_open(void)
{
	struct lt_spool *sp;
	char err[256];

	if (lt_spool_open(dir, 1u << 20, key, &sp, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return sp;
}

static void
spill_and_back_in_order(void **state)
{
	static struct wire w;
	struct lt_connq cq;

	(void)state;
	memset(&w, 0, sizeof(w));
	assert_int_equal(lt_connq_init(&cq, 8192, 256 * 1024, spool_open(), NULL, err, sizeof(err)), 0);
	for (uint32_t i = 0; i < 500; i++)
		put(&cq, i);
	assert_true(cq.spooled > 400);		/* 8 KiB hold a few dozen */
	assert_true(lt_connq_spool_records(&cq) == cq.spooled);
	/* a little is written, then more arrives behind the spooled records */
	pump(&cq, &w, 3000, 777);
	for (uint32_t i = 500; i < 800; i++)
		put(&cq, i);
	while (!lt_connq_idle(&cq)) {
		pump(&cq, &w, 100000, 1500);
		lt_connq_confirm(&cq, lt_connq_mark(&cq));
	}
	assert_int_equal(w.n, 800);
	for (uint32_t i = 0; i < 800; i++)
		assert_int_equal(w.ids[i], i);
	assert_int_equal(lt_connq_spool_records(&cq), 0);
	assert_int_equal(cq.unspooled, cq.spooled);
	assert_int_equal(cq.resent, 0);
	lt_connq_free(&cq);
}

static void
loss_resends_only_the_window(void **state)
{
	static struct wire w;
	struct lt_connq cq;
	uint64_t mark;
	size_t dups = 0;
	uint32_t next = 0;

	(void)state;
	memset(&w, 0, sizeof(w));
	assert_int_equal(lt_connq_init(&cq, 16384, 256 * 1024, spool_open(), NULL, err, sizeof(err)), 0);
	for (uint32_t i = 0; i < 300; i++)
		put(&cq, i);
	pump(&cq, &w, 5000, 1000);
	finish_record(&cq, &w);			/* a keep-alive goes out between records only */
	mark = lt_connq_mark(&cq);
	pump(&cq, &w, 3333, 1000);		/* cut inside a record */
	lt_connq_confirm(&cq, mark);
	/* the agency got up to the last whole record; the record cut short is lost with the line */
	w.plen = 0;
	lt_connq_lost(&cq);
	assert_true(cq.resent > 0);
	while (!lt_connq_idle(&cq)) {
		pump(&cq, &w, 100000, 999);
		lt_connq_confirm(&cq, lt_connq_mark(&cq));
	}
	/* every record, in order, with repeats only of what followed the confirmed mark */
	for (size_t k = 0; k < w.n; k++) {
		if (w.ids[k] < next) {
			dups++;
			continue;
		}
		assert_int_equal(w.ids[k], next);
		next++;
	}
	assert_int_equal(next, 300);
	assert_int_equal(dups, cq.resent);
	lt_connq_free(&cq);
}

static void
restart_sends_the_spool_first(void **state)
{
	static struct wire w;
	struct lt_connq cq;

	(void)state;
	memset(&w, 0, sizeof(w));
	assert_int_equal(lt_connq_init(&cq, 4096, 256 * 1024, spool_open(), NULL, err, sizeof(err)), 0);
	for (uint32_t i = 0; i < 200; i++)
		put(&cq, i);
	/* what is in memory dies with the process; the spool survives */
	lt_connq_free(&cq);

	assert_int_equal(lt_connq_init(&cq, 4096, 256 * 1024, spool_open(), NULL, err, sizeof(err)), 0);
	assert_true(cq.spilling);
	for (uint32_t i = 1000; i < 1050; i++)
		put(&cq, i);
	while (!lt_connq_idle(&cq)) {
		pump(&cq, &w, 100000, 4096);
		lt_connq_confirm(&cq, lt_connq_mark(&cq));
	}
	assert_true(w.n > 150);
	for (size_t k = 1; k < w.n; k++)
		assert_true(w.ids[k] == w.ids[k - 1] + 1 || (w.ids[k] == 1000 &&
		    w.ids[k - 1] == 199));
	assert_int_equal(w.ids[w.n - 1], 1049);
	assert_int_equal(w.ids[0], 200 - (w.n - 50));
	lt_connq_free(&cq);
}

/* A full quota: the oldest go, counted per stream where the control thread reads them. */
static void
quota_counts_per_stream(void **state)
{
	static struct wire w;
	struct lt_spool *sp;
	struct lt_connq cq;
	char err[256];
	uint64_t sum = 0;

	(void)state;
	memset(&w, 0, sizeof(w));
	assert_int_equal(lt_spool_open(dir, LT_SPOOL_QUOTA_MIN, key, &sp, err, sizeof(err)), 0);
	assert_int_equal(lt_connq_init(&cq, 4096, 256 * 1024, sp, NULL, err, sizeof(err)), 0);
	for (uint32_t i = 0; i < 1000; i++)
		put(&cq, i);
	assert_true(lt_connq_overwritten(&cq) > 500);
	assert_int_equal(cq.now, 5);		/* stream ids i % 5 */
	for (uint32_t k = 0; k < cq.now; k++) {
		assert_true(cq.ow[k].sid < 5);
		sum += cq.ow[k].n;
	}
	assert_int_equal(sum, lt_connq_overwritten(&cq));
	assert_int_equal(cq.ow_other, 0);
	/* what is left arrives in order: the memory queue's first, then the newest */
	while (!lt_connq_idle(&cq)) {
		pump(&cq, &w, 100000, 4096);
		lt_connq_confirm(&cq, lt_connq_mark(&cq));
	}
	assert_int_equal(w.n + lt_connq_overwritten(&cq), 1000);
	for (size_t k = 1; k < w.n; k++)
		assert_true(w.ids[k] > w.ids[k - 1]);
	assert_int_equal(w.ids[w.n - 1], 999);
	lt_connq_free(&cq);
}

/*
 * SIGKILL: a child queues, spills, writes and gets part of it confirmed, then
 * dies without a word; the next run, on the same map file and spool, sends
 * everything the agency had not confirmed, then what is new, in order.
 */
static void
kill_loses_nothing(void **state)
{
	static struct wire w;
	char mapfile[128], path[128];
	struct lt_connq cq;
	uint64_t confirmed = 0;
	uint32_t next = 0;
	size_t dups = 0;
	int status;
	pid_t pid;
	FILE *f;

	(void)state;
	memset(&w, 0, sizeof(w));
	snprintf(mapfile, sizeof(mapfile), "%s.q", dir);
	snprintf(path, sizeof(path), "%s.wire", dir);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		static struct wire cw;
		size_t len, left;
		const uint8_t *p;
		uint64_t mark;

		if (lt_connq_init(&cq, 8192, 256 * 1024, spool_open(), mapfile, err,
		    sizeof(err)) != 0)
			_exit(2);
		for (uint32_t i = 0; i < 300; i++)
			put(&cq, i);
		f = fopen(path, "wb");
		/* 20 000 bytes reach the agency and are confirmed, 7 000 more are not */
		for (size_t done = 0, budget = 20000; done < budget;) {
			if (lt_connq_refill(&cq) != 0 || (p = lt_connq_peek(&cq, &len, &left)) == NULL)
				_exit(3);
			if (len > budget - done)
				len = budget - done;
			fwrite(p, 1, len, f);
			lt_connq_written(&cq, len);
			done += len;
		}
		while ((p = lt_connq_peek(&cq, &len, &left)) != NULL && left > 0) {
			fwrite(p, 1, left, f);
			lt_connq_written(&cq, left);
		}
		mark = lt_connq_mark(&cq);
		lt_connq_confirm(&cq, mark);
		fwrite(&mark, sizeof(mark), 1, f);
		fclose(f);
		pump(&cq, &cw, 7000, 1000);
		_exit(0);		/* killed: no free, no sync */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* the agency has the confirmed bytes (the rest may have died with the line) */
	assert_non_null(f = fopen(path, "rb"));
	{
		static uint8_t b[1 << 16];
		size_t n = fread(b, 1, sizeof(b), f);

		assert_true(n > 8);
		memcpy(&confirmed, b + n - 8, 8);
		assert_int_equal(confirmed, n - 8);
		wire_take(&w, b, (size_t)confirmed);
	}
	fclose(f);
	assert_int_equal(lt_connq_init(&cq, 8192, 256 * 1024, spool_open(), mapfile, err,
	    sizeof(err)), 0);
	assert_string_equal(cq.recover_msg, "");
	assert_true(cq.recovered > 0);
	for (uint32_t i = 300; i < 350; i++)
		put(&cq, i);
	while (!lt_connq_idle(&cq)) {
		pump(&cq, &w, 100000, 1500);
		lt_connq_confirm(&cq, lt_connq_mark(&cq));
	}
	for (size_t k = 0; k < w.n; k++) {
		if (w.ids[k] < next) {
			dups++;
			continue;
		}
		assert_int_equal(w.ids[k], next);
		next++;
	}
	assert_int_equal(next, 350);
	assert_int_equal(dups, 0);	/* only unconfirmed bytes went again */
	lt_connq_free(&cq);
	unlink(mapfile);
	unlink(path);
}

/*
 * The window full: writing stops at a record boundary, so a keep-alive can
 * go out between records, and the stream stays whole records.
 */
static void
window_full_stops_between_records(void **state)
{
	static struct wire w;
	struct lt_connq cq;
	size_t len, left;
	uint32_t next = 0;

	(void)state;
	memset(&w, 0, sizeof(w));
	assert_int_equal(lt_connq_init(&cq, 65536, 1000, NULL, NULL, err, sizeof(err)), 0);
	for (uint32_t i = 0; i < 100; i++)
		put(&cq, i);
	for (int round = 0; round < 1000 && !lt_connq_idle(&cq); round++) {
		pump(&cq, &w, 100000, 333);
		/* nothing more fits: not in the middle of a record */
		assert_null(lt_connq_peek(&cq, &len, &left));
		assert_int_equal(left, 0);
		assert_int_equal(w.plen, 0);
		assert_true(lt_connq_unconfirmed(&cq) <= 1000);
		lt_connq_confirm(&cq, lt_connq_mark(&cq));
	}
	for (size_t k = 0; k < w.n; k++)
		assert_int_equal(w.ids[k], next++);
	assert_int_equal(next, 100);
	lt_connq_free(&cq);
}

static void
memory_only_refuses_when_full(void **state)
{
	struct lt_connq cq;
	uint32_t i;

	(void)state;
	assert_int_equal(lt_connq_init(&cq, 4096, 256 * 1024, NULL, NULL, err, sizeof(err)), 0);
	for (i = 0; lt_connq_reserve(&cq, rec_len(i)) != NULL; i++)
		put(&cq, i);
	assert_true(i > 5 && i < 20);
	assert_false(lt_connq_idle(&cq));
	lt_connq_free(&cq);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(spill_and_back_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(loss_resends_only_the_window, setup, teardown),
		cmocka_unit_test_setup_teardown(restart_sends_the_spool_first, setup, teardown),
		cmocka_unit_test_setup_teardown(quota_counts_per_stream, setup, teardown),
		cmocka_unit_test_setup_teardown(kill_loses_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(window_full_stops_between_records, setup, teardown),
		cmocka_unit_test_setup_teardown(memory_only_refuses_when_full, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
