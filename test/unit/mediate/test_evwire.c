/*
 * test_evwire.c - per-warrant evidence stores as the owner lcore writes them:
 * the store's name (a hash of the LIID keyed with the evidence key, never the
 * LIID), packets written once and verifiable, rotation at max_bytes, a store
 * that fails (file size limit) counted while the writer goes on, and the
 * refusals (bad key, no directory).
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "evidence/evkey.h"
#include "evidence/evwire.h"
#include "evidence/verify.h"
#include "util/rmtree.h"

#define T0	1795316400000000LL

static char dir[64];

static int
setup(void **state)
{
	char pk[2 * EV_PK_LEN + 1], err[256], kd[128];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/lt-evwire.XXXXXX");
	if (mkdtemp(dir) == NULL || sodium_init() < 0)
		return -1;
	snprintf(kd, sizeof(kd), "%s/keys", dir);
	if (mkdir(kd, 0700) < 0 || ev_key_generate(kd, pk, err, sizeof(err)) < 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return lt_rmtree(dir) < 0 ? -1 : 0;
}

static struct lt_ev_conf
conf(const char *sub, uint64_t max_bytes)
{
	struct lt_ev_conf c = { .max_bytes = max_bytes, .max_seconds = 3600 };

	snprintf(c.dir, sizeof(c.dir), "%s/%s", dir, sub);
	snprintf(c.key, sizeof(c.key), "%s/keys/%s", dir, EV_KEY_SECRET);
	return c;
}

static struct lt_warrant
warrant(const char *liid)
{
	struct lt_warrant w = { .liid_len = (uint8_t)strlen(liid) };

	memcpy(w.liid, liid, w.liid_len);
	return w;
}

/* conf->dir/w-<hex of BLAKE2b-64(liid) keyed with the secret key's seed> */
static void
store_dir(const struct lt_ev_conf *c, const char *liid, char *out, size_t len)
{
	uint8_t *sk, h[8];
	char hex[17], err[256];

	assert_int_equal(ev_key_load_secret(c->key, &sk, err, sizeof(err)), 0);
	crypto_generichash(h, sizeof(h), (const uint8_t *)liid, strlen(liid), sk, 32);
	ev_key_free(sk);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(out, len, "%s/w-%s", c->dir, hex);
}

static struct ev_verify_sum
verify(const char *d)
{
	char pkpath[256], err[256];
	uint8_t pk[EV_PK_LEN];
	struct ev_verify_sum s;

	snprintf(pkpath, sizeof(pkpath), "%s/keys/%s", dir, EV_KEY_PUBLIC);
	assert_int_equal(ev_key_load_public(pkpath, pk, err, sizeof(err)), 0);
	assert_int_equal(ev_verify(d, pk, NULL, &s, err, sizeof(err)), EV_VERIFY_OK);
	return s;
}

static void
test_store(void **state)
{
	struct lt_ev_conf c = conf("ev", 8192);
	struct lt_warrant w = warrant("LIID-SECRET-1");
	uint8_t pkt[1000];
	char err[512], d[LT_PATH_MAX + 32];
	struct lt_evwire *e;
	struct ev_verify_sum s;

	(void)state;
	memset(pkt, 0x45, sizeof(pkt));
	e = lt_evwire_new(&c, 8, err, sizeof(err));
	if (e == NULL)
		fail_msg("%s", err);
	if (lt_evwire_open(e, 3, 1, &w, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_null(strstr(err, "LIID"));
	for (int i = 0; i < 20; i++) {
		lt_evwire_packet(e, 3, T0 + i, pkt, sizeof(pkt));
		lt_evwire_packet(e, 3, T0 + i, pkt, sizeof(pkt));	/* a second match: once */
	}
	lt_evwire_packet(e, 2, T0, pkt, sizeof(pkt));		/* no store: ignored */
	lt_evwire_tick(e, 1, T0 + 20);
	assert_int_equal(lt_evwire_stats(e).packets, 20);
	assert_int_equal(lt_evwire_stats(e).bytes, 20 * sizeof(pkt));
	assert_int_equal(lt_evwire_stats(e).stores, 1);
	assert_int_equal(lt_evwire_free(e), 0);

	store_dir(&c, "LIID-SECRET-1", d, sizeof(d));
	s = verify(d);
	assert_int_equal(s.packets, 20);
	assert_true(s.files >= 3);		/* 8 KiB files of 1000-byte packets */
	assert_int_equal(s.first_usec, T0 % 1000000);
	/* a restart continues the same store */
	e = lt_evwire_new(&c, 8, err, sizeof(err));
	assert_non_null(e);
	assert_int_equal(lt_evwire_open(e, 0, 0, &w, err, sizeof(err)), 0);
	lt_evwire_packet(e, 0, T0 + 100, pkt, sizeof(pkt));
	assert_int_equal(lt_evwire_free(e), 0);
	assert_int_equal(verify(d).packets, 21);
}

/* The file size limit makes a write fail: counted, logged once, the writer goes on. */
static void
test_failure(void **state)
{
	struct lt_ev_conf c = conf("ev-fail", 1 << 30);
	struct lt_warrant w = warrant("LIID-2");
	struct rlimit old, small = { .rlim_cur = 100000, .rlim_max = RLIM_INFINITY };
	uint8_t pkt[1400];
	char err[512];
	struct lt_evwire *e;

	(void)state;
	memset(pkt, 0x60, sizeof(pkt));
	e = lt_evwire_new(&c, 1, err, sizeof(err));
	assert_non_null(e);
	assert_int_equal(lt_evwire_open(e, 0, 0, &w, err, sizeof(err)), 0);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_IGN);
	small.rlim_max = old.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	for (int i = 0; i < 200; i++)
		lt_evwire_packet(e, 0, T0 + i, pkt, sizeof(pkt));
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_int_equal(lt_evwire_stats(e).failed, 1);
	assert_true(lt_evwire_stats(e).failures > 0);
	assert_int_equal(lt_evwire_stats(e).packets + lt_evwire_stats(e).failures, 200);
	lt_evwire_tick(e, 0, T0 + 7200LL * 1000000);
	lt_evwire_free(e);
}

static void
test_refusals(void **state)
{
	struct lt_ev_conf c = conf("ev-bad", 0);
	struct lt_warrant w = warrant("LIID-3");
	char err[512];
	struct lt_evwire *e;

	(void)state;
	snprintf(c.key, sizeof(c.key), "%s/keys/%s", dir, EV_KEY_PUBLIC);	/* not 0600 */
	assert_null(lt_evwire_new(&c, 1, err, sizeof(err)));
	c = conf("no/such/dir", 0);
	assert_null(lt_evwire_new(&c, 1, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot make"));
	c = conf("ev-bad", 0);
	e = lt_evwire_new(&c, 1, err, sizeof(err));
	assert_non_null(e);
	assert_int_equal(lt_evwire_open(e, 1, 0, &w, err, sizeof(err)), -1);	/* slot range */
	lt_evwire_free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store),
		cmocka_unit_test(test_failure),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
