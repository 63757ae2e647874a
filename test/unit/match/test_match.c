/*
 * test_match.c - the target tables against a brute-force reference: every
 * warrant whose prefixes cover an address, nested and overlapping prefixes,
 * IPv4 and IPv6, prefixes too short for the filter.  Needs root (EAL).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>

#include "match/match.h"
#include "util/rmtree.h"

#define MAXW	64
#define MAXT	8

struct fixture {
	struct lt_config cfg;
	struct lt_warrant w[MAXW];
	struct lt_prefix t[MAXW * MAXT];
};

static void
add_warrant(struct fixture *f, enum lt_content content, const struct lt_prefix *tp, unsigned n)
{
	struct lt_warrant *w = &f->w[f->cfg.nwarrants++];

	memset(w, 0, sizeof(*w));
	w->content = content;
	w->targets = &f->t[f->cfg.ntargets];
	w->ntargets = n;
	memcpy(w->targets, tp, n * sizeof(*tp));
	f->cfg.ntargets += n;
}

static struct lt_prefix
pfx(const char *s)
{
	struct lt_prefix p;

	assert_int_equal(lt_parse_prefix(s, &p), 0);
	return p;
}

static int
covers(const struct lt_prefix *p, int family, const uint8_t *a)
{
	unsigned full = p->len / 8, rest = p->len % 8;

	if (p->family != family || memcmp(p->addr, a, full) != 0)
		return 0;
	return rest == 0 || ((p->addr[full] ^ a[full]) & (0xff << (8 - rest))) == 0;
}

/* The warrants (wanting CC) with a target covering a, as a bitmask. */
static uint64_t
reference(const struct fixture *f, int family, const uint8_t *a)
{
	uint64_t m = 0;

	for (unsigned i = 0; i < f->cfg.nwarrants; i++) {
		if (!(f->w[i].content & LT_CONTENT_CC))
			continue;
		for (unsigned t = 0; t < f->w[i].ntargets; t++)
			if (covers(&f->w[i].targets[t], family, a))
				m |= 1ULL << i;
	}
	return m;
}

static uint64_t
lookup(const struct lt_match *m, int family, const uint8_t *a)
{
	uint32_t set = family == 4 ? lt_match_v4(m, a) : lt_match_v6(m, a);
	uint64_t r = 0;

	if (set == LT_NO_SET)
		return 0;
	assert_true(set < m->nsets);
	for (uint32_t k = m->set_off[set]; k < m->set_off[set + 1]; k++) {
		assert_false(r & (1ULL << m->set_warrant[k]));	/* no duplicates */
		r |= 1ULL << m->set_warrant[k];
	}
	return r;
}

static struct lt_match *
build(struct fixture *f)
{
	char err[256];
	struct lt_match *m;

	f->cfg.warrants = f->w;
	f->cfg.targets = f->t;
	m = lt_match_build(&f->cfg, 0, err, sizeof(err));
	if (m == NULL)
		fail_msg("%s", err);
	return m;
}

static void
check_addr(const struct fixture *f, const struct lt_match *m, const char *text)
{
	struct lt_prefix p = pfx(text);

	if (lookup(m, p.family, p.addr) != reference(f, p.family, p.addr))
		fail_msg("%s: tables say %#lx, reference %#lx", text,
		    (unsigned long)lookup(m, p.family, p.addr),
		    (unsigned long)reference(f, p.family, p.addr));
}

static void
test_nested_and_shared(void **state)
{
	static struct fixture f;
	struct lt_match *m;

	(void)state;
	memset(&f, 0, sizeof(f));
	add_warrant(&f, LT_CONTENT_BOTH, (struct lt_prefix[]){ pfx("192.0.2.0/24") }, 1);
	add_warrant(&f, LT_CONTENT_CC, (struct lt_prefix[]){ pfx("192.0.2.7/32"),
	    pfx("2001:db8:1::/48") }, 2);
	add_warrant(&f, LT_CONTENT_IRI, (struct lt_prefix[]){ pfx("192.0.2.7/32") }, 1);
	add_warrant(&f, LT_CONTENT_BOTH, (struct lt_prefix[]){ pfx("2001:db8:1:2::/64"),
	    pfx("2001:db8::/32"), pfx("198.51.100.9/32") }, 3);
	add_warrant(&f, LT_CONTENT_BOTH, (struct lt_prefix[]){ pfx("198.51.100.9/32") }, 1);
	m = build(&f);
	assert_int_equal(lookup(m, 4, pfx("192.0.2.7").addr), 0x3);	/* not the IRI-only one */
	assert_int_equal(lookup(m, 4, pfx("192.0.2.8").addr), 0x1);
	assert_int_equal(lookup(m, 4, pfx("192.0.3.7").addr), 0x0);
	assert_int_equal(lookup(m, 4, pfx("198.51.100.9").addr), 0x18);
	assert_int_equal(lookup(m, 6, pfx("2001:db8:1:2::5").addr), 0xa);
	assert_int_equal(lookup(m, 6, pfx("2001:db8:1:3::5").addr), 0xa);
	assert_int_equal(lookup(m, 6, pfx("2001:db8:2::1").addr), 0x8);
	assert_int_equal(lookup(m, 6, pfx("2001:db9::1").addr), 0x0);
	assert_false(m->v4_all);
	assert_false(m->v6_all);	/* a /32 sets 2^16 bits of the /48 filter */
	lt_match_free(m);
}

static void
test_short_prefixes(void **state)
{
	static struct fixture f;
	struct lt_match *m;

	(void)state;
	memset(&f, 0, sizeof(f));
	add_warrant(&f, LT_CONTENT_CC, (struct lt_prefix[]){ pfx("10.0.0.0/8") }, 1);
	m = build(&f);
	assert_false(m->v4_all);	/* 2^16 filter bits: still filtered */
	check_addr(&f, m, "10.200.3.4");
	check_addr(&f, m, "11.0.0.1");
	lt_match_free(m);
	memset(&f, 0, sizeof(f));
	add_warrant(&f, LT_CONTENT_CC, (struct lt_prefix[]){ pfx("64.0.0.0/3") }, 1);
	m = build(&f);
	assert_true(m->v4_all);
	check_addr(&f, m, "65.1.2.3");
	check_addr(&f, m, "96.1.2.3");
	lt_match_free(m);
	memset(&f, 0, sizeof(f));
	add_warrant(&f, LT_CONTENT_CC, (struct lt_prefix[]){ pfx("2001:d00::/24") }, 1);
	m = build(&f);
	assert_true(m->v6_all);		/* too short for the filter: straight to LPM */
	check_addr(&f, m, "2001:dff:1::1");
	check_addr(&f, m, "2001:e00::1");
	lt_match_free(m);
}

static void
test_random_against_reference(void **state)
{
	static struct fixture f;
	struct lt_match *m;
	unsigned seed = 20261122;

	(void)state;
	for (int round = 0; round < 4; round++) {
		memset(&f, 0, sizeof(f));
		/* Prefixes drawn from a small space so that they nest and collide. */
		for (unsigned w = 0; w < 40; w++) {
			struct lt_prefix tp[MAXT];
			unsigned n = 1 + (unsigned)rand_r(&seed) % 4;

			for (unsigned t = 0; t < n; t++) {
				memset(&tp[t], 0, sizeof(tp[t]));
				if (rand_r(&seed) % 2) {
					tp[t].family = 4;
					tp[t].len = (uint8_t)(16 + rand_r(&seed) % 17);
					tp[t].addr[0] = 10;
					tp[t].addr[1] = (uint8_t)(rand_r(&seed) % 2);
					tp[t].addr[2] = (uint8_t)(rand_r(&seed) % 4);
					tp[t].addr[3] = (uint8_t)(rand_r(&seed) % 8);
				} else {
					tp[t].family = 6;
					tp[t].len = (uint8_t)(40 + rand_r(&seed) % 89);
					tp[t].addr[0] = 0x20;
					tp[t].addr[1] = 0x01;
					tp[t].addr[5] = (uint8_t)(rand_r(&seed) % 2);
					tp[t].addr[7] = (uint8_t)(rand_r(&seed) % 4);
					tp[t].addr[15] = (uint8_t)(rand_r(&seed) % 8);
				}
				/* clear host bits */
				for (unsigned b = tp[t].len; b < (tp[t].family == 4 ? 32u : 128u); b++)
					tp[t].addr[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
			}
			add_warrant(&f, rand_r(&seed) % 5 ? LT_CONTENT_BOTH : LT_CONTENT_IRI, tp, n);
		}
		m = build(&f);
		for (unsigned i = 0; i < 20000; i++) {
			uint8_t a[16] = { 0 };
			int fam = rand_r(&seed) % 2 ? 4 : 6;

			if (fam == 4) {
				a[0] = 10;
				a[1] = (uint8_t)(rand_r(&seed) % 3);
				a[2] = (uint8_t)(rand_r(&seed) % 5);
				a[3] = (uint8_t)(rand_r(&seed) % 10);
			} else {
				a[0] = 0x20;
				a[1] = 0x01;
				a[5] = (uint8_t)(rand_r(&seed) % 3);
				a[7] = (uint8_t)(rand_r(&seed) % 5);
				a[15] = (uint8_t)(rand_r(&seed) % 10);
			}
			if (lookup(m, fam, a) != reference(&f, fam, a))
				fail_msg("round %d address %u (IPv%d): tables %#lx reference %#lx",
				    round, i, fam, (unsigned long)lookup(m, fam, a),
				    (unsigned long)reference(&f, fam, a));
		}
		lt_match_free(m);
	}
}

/* Many /128s on different /48s: each needs its own chain of LPM6 blocks. */
static void
test_many_spread_v6_hosts(void **state)
{
	static struct fixture f;
	struct lt_match *m;
	char text[64];

	(void)state;
	memset(&f, 0, sizeof(f));
	for (unsigned i = 0; i < MAXW; i++) {
		snprintf(text, sizeof(text), "2001:db8:%x:%x::%x/128", i * 997 % 65536, i, i + 1);
		add_warrant(&f, LT_CONTENT_CC, (struct lt_prefix[]){ pfx(text) }, 1);
	}
	m = build(&f);
	for (unsigned i = 0; i < MAXW; i++) {
		snprintf(text, sizeof(text), "2001:db8:%x:%x::%x", i * 997 % 65536, i, i + 1);
		check_addr(&f, m, text);
		assert_int_equal(lookup(m, 6, pfx(text).addr), 1ULL << i);
	}
	lt_match_free(m);
}

int
main(void)
{
	char prefix[64];
	char *eal[] = { "test_match", "--no-huge", "-m", "512", "--no-pci", prefix,
	    "--log-level=lib.eal:error", "-l", "0", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested_and_shared),
		cmocka_unit_test(test_short_prefixes),
		cmocka_unit_test(test_random_against_reference),
		cmocka_unit_test(test_many_spread_v6_hosts),
	};
	int rc;

	if (geteuid() != 0) {
		printf("test_match: needs root for the DPDK EAL; skipped\n");
		return 77;
	}
	snprintf(prefix, sizeof(prefix), "--file-prefix=lt-test-match-%d", (int)getpid());
	if (rte_eal_init(9, eal) < 0) {
		fprintf(stderr, "test_match: EAL init failed\n");
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(prefix, sizeof(prefix), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	lt_rmtree(prefix);	/* the EAL's files of this run */
	return rc;
}
