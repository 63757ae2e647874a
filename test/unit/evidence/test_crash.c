/* test_crash.c - a writer killed at each step of closing a file leaves a state verify calls a crash, and a store that continues. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/wait.h>

#include "evtest.h"

static char *keydir;
static uint8_t *sk, pk[EV_PK_LEN];

struct crash_at {
	enum ev_step step;
	unsigned nth;		/* die the nth time step is reached */
};

static void
die(void *arg, enum ev_step st)
{
	struct crash_at *c = arg;

	if (st == c->step && --c->nth == 0)
		_exit(0);
}

/* Writes n 60-byte packets from t, 2 per file; hook may be NULL. */
static int
write_pkts(const char *dir, unsigned t, unsigned n, struct crash_at *at)
{
	struct ev_store_conf c = { .dir = dir, .prefix = "w3",
		.linktype = EV_LINKTYPE_ETHERNET, .max_bytes = 24 + 2 * 76 };
	struct ev_store *s;
	uint8_t pkt[60];
	char err[256];
	unsigned i;

	if (ev_store_open(&s, &c, sk, err, sizeof(err)) < 0) {
		fprintf(stderr, "open: %s\n", err);
		return -1;
	}
	if (at != NULL)
		ev_store_set_hook(s, die, at);
	for (i = 0; i < n; i++) {
		memset(pkt, (int)(t + i), sizeof(pkt));
		if (ev_store_write(s, t + i, 0, pkt, 60, 60) < 0)
			return -1;
	}
	return ev_store_close(s);
}

static void
crash_child(const char *dir, struct crash_at at)
{
	int st;
	pid_t p = fork();

	assert_true(p >= 0);
	if (p == 0)
		_exit(write_pkts(dir, 100, 5, &at) < 0 ? 2 : 1);
	assert_int_equal(waitpid(p, &st, 0), p);
	/* exit 0 means it stopped in the hook */
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* What verify must say after a crash at each step of closing file 2. */
static const struct {
	enum ev_step step;
	int rc, rc_after;
	unsigned files, problem, n;
} cases[] = {
	{ EV_STEP_OPENED, EV_VERIFY_CRASHED, EV_VERIFY_CRASHED, 1,
	    EV_P_UNFINISHED, 1 },
	{ EV_STEP_SYNCED, EV_VERIFY_CRASHED, EV_VERIFY_CRASHED, 1,
	    EV_P_UNFINISHED, 1 },
	{ EV_STEP_APPENDED, EV_VERIFY_CRASHED, EV_VERIFY_OK, 2, EV_P_PENDING, 1 },
	{ EV_STEP_LISTED, EV_VERIFY_CRASHED, EV_VERIFY_OK, 2, EV_P_PENDING, 1 },
	{ EV_STEP_DONE, EV_VERIFY_OK, EV_VERIFY_OK, 2, EV_P_PENDING, 0 },
};

static void
test_each_step(void **state)
{
	struct ev_verify_sum sum;
	struct problems pr;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *d = mkdtemp_dup();

		/* step 'opened' is reached once per file, the others per close */
		crash_child(d, (struct crash_at){ cases[i].step, 2 });
		assert_int_equal(verify_dir(d, pk, &pr, &sum), cases[i].rc);
		assert_int_equal(pr.total, cases[i].n);
		assert_int_equal(pr.n[cases[i].problem], cases[i].n);
		assert_int_equal(sum.files, cases[i].files);
		/* the store continues where it was: new files after the remnant */
		assert_int_equal(write_pkts(d, 200, 4, NULL), 0);
		assert_int_equal(verify_dir(d, pk, &pr, &sum), cases[i].rc_after);
		assert_int_equal(sum.files, cases[i].files + 2);
		assert_int_equal(sum.packets, 2 * cases[i].files + 4);
		assert_int_equal(pr.total, cases[i].rc_after ? 1 : 0);
		rmtree(d), free(d);
	}
}

/* A torn append: the manifest cut at every byte of its last entry. */
static void
test_torn_append(void **state)
{
	char *base = mkdtemp_dup(), *d;
	struct ev_verify_sum sum;
	struct problems pr;
	off_t len, prev, cut;

	(void)state;
	assert_int_equal(write_pkts(base, 100, 2, NULL), 0);
	prev = file_size(path_in(base, EV_MANIFEST));
	assert_int_equal(write_pkts(base, 200, 2, NULL), 0);
	len = file_size(path_in(base, EV_MANIFEST));
	assert_true(len - prev > 400);
	for (cut = prev + 1; cut < len; cut++) {
		d = copy_store(base);
		assert_int_equal(truncate(path_in(d, EV_MANIFEST), cut), 0);
		rename(path_in(d, "w3-000002.pcap"), path_in(d, ".w3-000002.pcap.tmp"));
		assert_int_equal(verify_dir(d, pk, &pr, &sum), EV_VERIFY_CRASHED);
		assert_int_equal(pr.total, pr.n[EV_P_TRUNCATED] + 1);
		assert_int_equal(pr.n[EV_P_UNFINISHED], 1);
		assert_int_equal(sum.files, 1);
		/* reopening cuts the partial entry back; the temp file stays */
		assert_int_equal(write_pkts(d, 300, 1, NULL), 0);
		assert_int_equal(verify_dir(d, pk, &pr, &sum), EV_VERIFY_CRASHED);
		assert_int_equal(pr.total, 1);
		assert_int_equal(pr.n[EV_P_UNFINISHED], 1);
		assert_int_equal(sum.files, 2);
		assert_int_equal(sum.last_seq, 3);
		rmtree(d), free(d);
	}
	rmtree(base), free(base);
}

static int
setup(void **state)
{
	char err[256], hex[2 * EV_PK_LEN + 1];

	(void)state;
	keydir = mkdtemp_dup();
	if (ev_key_generate(keydir, hex, err, sizeof(err)) < 0 ||
	    ev_key_load_secret(path_in(keydir, EV_KEY_SECRET), &sk, err,
	    sizeof(err)) < 0 ||
	    ev_key_load_public(path_in(keydir, EV_KEY_PUBLIC), pk, err,
	    sizeof(err)) < 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	ev_key_free(sk);
	rmtree(keydir);
	free(keydir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_step),
		cmocka_unit_test(test_torn_append),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
