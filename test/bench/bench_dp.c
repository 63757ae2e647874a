/* bench_dp.c - the data path (lt_worker_burst) on synthetic traffic: Mpps, drops, instructions. */
#include <ftw.h>
#include <limits.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "bench.h"
#include "capture/port.h"
#include "dp.h"

#define MAX_T		8
#define SEED		20240601

struct opts {
	uint32_t targets[MAX_T];
	unsigned ntargets;
	uint32_t subscribers, v6_percent, packets, runs, run_ms, bursts;
	const char *cg_part;	/* NULL: timed table */
};

/* What the stand-in for the TCP writer took off the agencies' queues. */
static uint64_t drained_records, drained_bytes;

static void
usage(void)
{
	fprintf(stderr,
	    "usage: bench_dp [--targets N[,N...]] [--subscribers N] [--v6-percent P]\n"
	    "                [--packets N] [--runs N] [--run-ms MS]\n"
	    "       bench_dp --callgrind-part nontarget|records --targets N [--bursts N]\n"
	    "Needs root (DPDK EAL, no hugepages).\n");
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "targets", required_argument, NULL, 't' },
		{ "subscribers", required_argument, NULL, 's' },
		{ "v6-percent", required_argument, NULL, '6' },
		{ "packets", required_argument, NULL, 'p' },
		{ "runs", required_argument, NULL, 'r' },
		{ "run-ms", required_argument, NULL, 'm' },
		{ "bursts", required_argument, NULL, 'b' },
		{ "callgrind-part", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	*o = (struct opts){ .targets = { 1000, 10000, 100000 }, .ntargets = 3,
	    .subscribers = 1000000, .v6_percent = 10, .packets = 32768, .runs = 5,
	    .run_ms = 200, .bursts = 4096 };
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 't':
			o->ntargets = 0;
			for (char *s = strtok(optarg, ","); s; s = strtok(NULL, ",")) {
				if (o->ntargets == MAX_T)
					return -1;
				o->targets[o->ntargets++] = (uint32_t)strtoul(s, NULL, 10);
			}
			break;
		case 's':
			o->subscribers = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case '6':
			o->v6_percent = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'p':
			o->packets = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'r':
			o->runs = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'm':
			o->run_ms = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'b':
			o->bursts = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'c':
			o->cg_part = optarg;
			break;
		default:
			return -1;
		}
	}
	if (optind != argc || o->ntargets == 0 || o->packets < LT_BURST ||
	    o->packets % LT_BURST != 0 || o->runs == 0 || o->runs > 99 || o->v6_percent > 50)
		return -1;
	for (unsigned i = 0; i < o->ntargets; i++)
		if (o->targets[i] == 0 || o->targets[i] >= o->subscribers / 2)
			return -1;
	if (o->cg_part != NULL && (o->ntargets != 1 || (strcmp(o->cg_part, "nontarget") != 0 &&
	    strcmp(o->cg_part, "records") != 0)))
		return -1;
	return 0;
}

static int
eal_init(void)
{
	static char prefix[64];
	char *av[] = { "bench_dp", "--lcores=0@0,1@0", "--no-huge", "-m", "1024", "--no-pci",
	    "--file-prefix", prefix, "--log-level=lib.eal:warning", NULL };

	snprintf(prefix, sizeof(prefix), "bench-%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(av) - 1, av) < 0) {
		fprintf(stderr, "bench_dp: EAL: %s (run as root)\n", rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

static size_t
heap_bytes(void)
{
	struct rte_malloc_socket_stats s;

	if (rte_malloc_get_socket_stats((int)rte_socket_id(), &s) < 0)
		return 0;
	return s.heap_allocsz_bytes;
}

/* The per-T state that lawtap run builds from its configuration. */
static int
setup(struct lt_config *cfg, const struct bench_world *bw, uint32_t nt, size_t *dpdk_bytes)
{
	char err[256];
	size_t before;

	if (bench_config(cfg, bw, nt) < 0) {
		fprintf(stderr, "bench_dp: cannot build a configuration of %u targets\n", nt);
		return -1;
	}
	lt_dp.cfg = cfg;
	if (lt_dp_setup_delivery(cfg, false) < 0) {
		fprintf(stderr, "bench_dp: delivery setup failed (%u warrants)\n", cfg->nwarrants);
		return -1;
	}
	before = heap_bytes();
	lt_dp.match = lt_match_build(cfg, (int)rte_socket_id(), err, sizeof(err));
	if (lt_dp.match == NULL) {
		fprintf(stderr, "bench_dp: %u targets: %s\n", nt, err);
		return -1;
	}
	*dpdk_bytes = heap_bytes() - before;
	memset(&lt_dp.workers[0].st, 0, sizeof(lt_dp.workers[0].st));
	return 0;
}

static void
teardown(struct lt_config *cfg)
{
	for (uint32_t a = 0; a < cfg->nagencies; a++) {
		lt_conn_free(&lt_dp.agencies[a].hi2);
		lt_conn_free(&lt_dp.agencies[a].hi3);
	}
	free(lt_dp.agencies);
	free(lt_dp.wm);
	sodium_free(lt_dp.wown);
	lt_match_free((struct lt_match *)lt_dp.match);
	lt_dp.agencies = NULL;
	lt_dp.wm = NULL;
	lt_dp.wown = NULL;
	lt_dp.match = NULL;
	bench_config_free(cfg);
}

/* Stands in for the TCP writes: everything queued leaves at once, record by record. */
static void
drain(void)
{
	for (uint32_t a = 0; a < lt_dp.cfg->nagencies; a++) {
		struct lt_conn *c[2] = { &lt_dp.agencies[a].hi2, &lt_dp.agencies[a].hi3 };

		for (int k = 0; k < 2; k++) {
			const uint8_t *p;
			size_t len;

			while ((p = lt_sendq_peek(&c[k]->cq.q, &len)) != NULL) {
				drained_bytes += len;
				drained_records += lt_sendq_consume(&c[k]->cq.q, len);
			}
		}
	}
}

static void
run_bursts(const struct bench_mix *mx, uint64_t nbursts)
{
	struct lt_worker *w = &lt_dp.workers[0];
	uint32_t at = 0;

	for (uint64_t b = 0; b < nbursts; b++) {
		struct rte_mbuf **pk = &mx->pkts[at];
		struct etsi_time t = lt_wall_now();	/* as rx_process does, per burst */

		/* classify frees each packet: keep them for the next pass */
		for (unsigned i = 0; i < LT_BURST; i++)
			rte_mbuf_refcnt_set(pk[i], 2);
		lt_worker_burst(w, pk, LT_BURST, t.sec * 1000000 + t.usec);
		drain();
		at += LT_BURST;
		if (at == mx->n)
			at = 0;
	}
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * The worker's counters after nbursts of mx must be what was put in:
 * no packet or record may go missing, in the worker or in the queues.
 */
static int
check(const struct bench_mix *mx, uint64_t nbursts, const char *what)
{
	const struct lt_wstats *s = &lt_dp.workers[0].st;
	uint64_t passes = nbursts * LT_BURST / mx->n, rec = (uint64_t)mx->target_pkts * passes;

	if (nbursts * LT_BURST % mx->n != 0)
		return 0;	/* partial pass: counts not known */
	if (s->rx != nbursts * LT_BURST || s->not_ip != mx->not_ip * passes ||
	    s->malformed != mx->malformed * passes || s->matched != rec || s->records != rec ||
	    s->queue_full || s->ring_full || s->undeliverable || s->too_many_warrants ||
	    s->multiseg ||
	    drained_records != rec) {
		fprintf(stderr, "bench_dp: %s: counters disagree with the mix: rx %lu not-IP %lu "
		    "malformed %lu matched %lu records %lu drained %lu; expected not-IP %lu "
		    "malformed %lu records %lu\n", what, s->rx, s->not_ip, s->malformed,
		    s->matched, s->records, drained_records, (uint64_t)mx->not_ip * passes,
		    (uint64_t)mx->malformed * passes, rec);
		return -1;
	}
	return 0;
}

static void
reset_counts(void)
{
	memset(&lt_dp.workers[0].st, 0, sizeof(lt_dp.workers[0].st));
	drained_records = drained_bytes = 0;
}

/* Median Mpps of o->runs runs of about o->run_ms each; fills the drop line. */
static int
timed(const struct opts *o, const struct bench_mix *mx, const char *name, uint32_t nt)
{
	const struct lt_wstats *s = &lt_dp.workers[0].st;
	uint64_t passes_per_run, nb = mx->n / LT_BURST;
	double mpps[100], t0, t;

	reset_counts();
	t0 = now_s();
	run_bursts(mx, nb);		/* warm-up and calibration: one pass */
	t = now_s() - t0;
	if (check(mx, nb, name) < 0)
		return -1;
	passes_per_run = (uint64_t)(o->run_ms / 1e3 / (t > 1e-6 ? t : 1e-6));
	if (passes_per_run == 0)
		passes_per_run = 1;
	reset_counts();
	for (uint32_t r = 0; r < o->runs; r++) {
		t0 = now_s();
		run_bursts(mx, nb * passes_per_run);
		t = now_s() - t0;
		mpps[r] = (double)(nb * passes_per_run * LT_BURST) / t / 1e6;
	}
	if (check(mx, nb * passes_per_run * o->runs, name) < 0)
		return -1;
	qsort(mpps, o->runs, sizeof(double), dcmp);
	printf("  %-10s %7u %11lu %9lu %7.2f [%5.2f-%5.2f] %7lu %6lu %7lu %6lu %6lu %6lu\n",
	    name, nt, s->rx, s->records, mpps[o->runs / 2], mpps[0], mpps[o->runs - 1],
	    s->not_ip, s->malformed, s->matched, s->queue_full, s->ring_full,
	    s->undeliverable + s->too_many_warrants + s->multiseg);
	return 0;
}

static void
print_tables(uint32_t nt, size_t dpdk_bytes)
{
	const struct lt_match *m = lt_dp.match;
	size_t filt = ((size_t)1 << LT_FILTER_BITS) / 8;
	size_t sets = ((size_t)nt + 2) * sizeof(uint32_t) +
	    (size_t)m->set_off[m->nsets] * sizeof(uint32_t);

	printf("  T=%-7u match tables: %.1f MiB (rte_lpm + rte_lpm6 heap %.1f MiB, filter %zu "
	    "KiB, sets %.1f KiB); %u sets, %u warrants\n", nt,
	    (double)(dpdk_bytes + filt + sets) / 1048576.0, (double)dpdk_bytes / 1048576.0,
	    filt / 1024, (double)sets / 1024.0, m->nsets, lt_dp.cfg->nwarrants);
}

static int
one_t(const struct opts *o, const struct bench_world *bw, struct rte_mempool *mp, uint32_t nt)
{
	static struct lt_config cfg;
	struct bench_mix plain, one;
	size_t dpdk_bytes;
	int rc = -1;

	if (setup(&cfg, bw, nt, &dpdk_bytes) < 0)
		return -1;
	if (bench_mix_build(&plain, mp, bw, nt, o->packets, 0, SEED + 1) < 0 ||
	    bench_mix_build(&one, mp, bw, nt, o->packets, 10000, SEED + 2) < 0) {
		fprintf(stderr, "bench_dp: cannot build %u packets (mbuf pool)\n", o->packets);
		goto out;
	}
	if (o->cg_part != NULL) {
		const struct bench_mix *mx = strcmp(o->cg_part, "nontarget") == 0 ? &plain : &one;

		reset_counts();
		run_bursts(mx, o->bursts);
		if (check(mx, o->bursts, o->cg_part) < 0)
			goto out;
		printf("callgrind-part %s targets %u bursts %u packets %lu records %lu "
		    "drained-bytes %lu\n", o->cg_part, nt, o->bursts, lt_dp.workers[0].st.rx,
		    lt_dp.workers[0].st.records, drained_bytes);
		rc = 0;
		goto out;
	}
	print_tables(nt, dpdk_bytes);
	if (timed(o, &plain, "non-target", nt) < 0 || timed(o, &one, "1%-target", nt) < 0)
		goto out;
	rc = 0;
out:
	bench_mix_free(&plain);
	bench_mix_free(&one);
	teardown(&cfg);
	return rc;
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* EAL leaves its runtime directory (/var/run/dpdk/bench-PID) behind. */
static void
eal_done(void)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	if (strstr(dir, "/bench-") != NULL)
		nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct bench_world bw;
	struct rte_mempool *mp;
	struct lt_rxq q;
	uint32_t maxt = 0;
	int rc = 0;

	if (parse_opts(argc, argv, &o) < 0) {
		usage();
		return 2;
	}
	if (sodium_init() < 0 || eal_init() < 0)
		return 1;
	for (unsigned i = 0; i < o.ntargets; i++)
		if (o.targets[i] > maxt)
			maxt = o.targets[i];
	if (o.cg_part == NULL)
		maxt = maxt > 100000 ? maxt : 100000;	/* same non-target traffic for every T */
	if (bench_world_init(&bw, o.subscribers, o.v6_percent, maxt, SEED) < 0) {
		fprintf(stderr, "bench_dp: cannot make %u subscribers\n", o.subscribers);
		return 1;
	}
	mp = rte_pktmbuf_pool_create("bench_pool", 2 * o.packets + 1024, 256,
	    RTE_ALIGN_CEIL(sizeof(struct lt_meta), RTE_MBUF_PRIV_ALIGN), RTE_MBUF_DEFAULT_BUF_SIZE,
	    (int)rte_socket_id());
	if (mp == NULL) {
		fprintf(stderr, "bench_dp: mbuf pool: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	q = (struct lt_rxq){ .port = 0, .queue = 0, .pool = mp };
	lt_dp.nworkers = 1;
	lt_dp.replay = false;
	lt_dp.ts_dynfield = -1;
	if (lt_dp_setup_workers(&q, 1) < 0) {
		fprintf(stderr, "bench_dp: worker setup failed (needs a second lcore)\n");
		return 1;
	}
	if (o.cg_part == NULL) {
		printf("lawtap data-path benchmark: %u subscribers (%u IPv6), %u agencies, %u "
		    "targets per warrant, %u packets per mix, burst %d, median of %u runs\n",
		    bw.nsubs, bw.nsubs6, BENCH_AGENCIES, BENCH_TARGETS_PER_WARRANT, o.packets,
		    LT_BURST, o.runs);
		printf("  %-10s %7s %11s %9s %7s %13s %7s %6s %7s %6s %6s %6s\n", "mix", "T",
		    "packets", "records", "Mpps", "[min-max]", "not-IP", "malf", "matched",
		    "q-full", "r-full", "other");
	}
	for (unsigned i = 0; i < o.ntargets && rc == 0; i++)
		if (one_t(&o, &bw, mp, o.targets[i]) < 0)
			rc = 1;
	bench_world_free(&bw);
	if (o.cg_part == NULL)
		rte_mempool_free(mp);
	eal_done();
	return rc;
}
