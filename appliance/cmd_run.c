/* cmd_run.c - `lawtap run`: load the config, start DPDK, run the workers, report. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_errno.h>
#include <rte_mbuf_dyn.h>
#include <rte_ring.h>

#include "capture/port.h"
#include "cmd.h"
#include "dp.h"
#include "mgmt/ctl.h"
#include "mgmt/keys.h"
#include "mgmt/statewar.h"
#include "mediate/spools.h"
#include "seqkeep.h"
#include "session/track/track.h"
#include "util/log.h"
#include "util/rmtree.h"
#include "util/sdnotify.h"

#define MAX_REPLAY	16
#define SESSION_BYTES_MAX 256	/* table memory per session, with the hash's own */
#define LIVE_FLUSH_S	10	/* on a signal, time to deliver what is queued */

static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
	got_signal = sig;
}

static volatile sig_atomic_t got_hup;

static void
on_hup(int sig)
{
	(void)sig;
	got_hup = 1;
}

/* SIGHUP or a control request: the configuration's and the store's warrants again, applied live. */
static void
reload(const char *path, const char *state)
{
	uint32_t nstored;
	struct lt_config *cfg = calloc(1, sizeof(*cfg));
	char err[1024];

	if (cfg == NULL) {
		log_err("reload: out of memory");
		return;
	}
	if (lt_config_load(path, cfg, err, sizeof(err)) < 0) {
		log_err("reload: %s; the warrants stay as they were", err);
		free(cfg);
		return;
	}
	if (state != NULL && lt_state_warrants(state, cfg, &nstored, err, sizeof(err)) < 0) {
		log_err("reload: %s; the warrants stay as they were", err);
		lt_config_free(cfg);
		free(cfg);
		return;
	}
	if (lt_apply_start(cfg, err, sizeof(err)) < 0) {
		log_err("reload: %s; the warrants stay as they were", err);
		lt_config_free(cfg);
		free(cfg);
		return;
	}
	log_info("reload: %u warrants read from %s, publishing", cfg->nwarrants, path);
}

struct args {
	const char *conf;
	const char *state;		/* warrants from the store there too */
	const char *control;		/* the control socket, or NULL */
	char *replay[MAX_REPLAY];
	int nreplay;
};

static int
parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "replay", required_argument, NULL, 'r' },
		{ "state", required_argument, NULL, 's' },
		{ "control", required_argument, NULL, 'C' },
		{ "debug", no_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(a, 0, sizeof(*a));
	while ((ch = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			a->conf = optarg;
			break;
		case 's':
			a->state = optarg;
			break;
		case 'C':
			a->control = optarg;
			break;
		case 'd':
			lt_log_set_level(LT_LOG_DEBUG);
			break;
		case 'r':
			for (char *s = strtok(optarg, ","); s; s = strtok(NULL, ",")) {
				if (a->nreplay == MAX_REPLAY) {
					fprintf(stderr, "lawtap run: at most %d replay files\n", MAX_REPLAY);
					return -1;
				}
				a->replay[a->nreplay++] = s;
			}
			break;
		default:
			return -1;
		}
	}
	if (a->state != NULL && a->control == NULL)
		a->control = LT_CTL_PATH;
	if (a->conf == NULL || optind != argc) {
		fprintf(stderr, "usage: lawtap run -c FILE [--state DIR] [--control PATH] [--debug] "
		    "[--replay A.pcap[,B.pcap...]]\n");
		return -1;
	}
	return 0;
}

/* A replay file must be a readable pcap; say so before DPDK does, obscurely. */
static int
check_pcap(const char *path)
{
	uint8_t magic[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		log_err("replay file %s: %s", path, strerror(errno));
		return -1;
	}
	n = read(fd, magic, sizeof(magic));
	close(fd);
	/* a1b2c3d4 / a1b23c4d big-endian, d4c3b2a1 / 4d3cb2a1 little-endian */
	if (n != 4 || !((magic[0] == 0xa1 && magic[1] == 0xb2) ||
	    (magic[0] == 0xd4 && magic[1] == 0xc3) || (magic[0] == 0x4d && magic[1] == 0x3c))) {
		log_err("replay file %s: not a pcap file (pcapng is not read; convert with "
		    "editcap -F pcap)", path);
		return -1;
	}
	return 0;
}

static int
eal_argv(const struct lt_config *cfg, const struct args *a, char **av, int max)
{
	static char lcores[512], vdev[8192], prefix[64], mem[32];
	int n = 0;

	av[n++] = "lawtap";
	if (a->nreplay > 0) {
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		size_t off = 0;
		char cpus[32];

		if (ncpu > 1)
			snprintf(cpus, sizeof(cpus), "(0-%ld)", ncpu - 1);
		else
			snprintf(cpus, sizeof(cpus), "0");
		off += (size_t)snprintf(lcores, sizeof(lcores), "--lcores=");
		for (int i = 0; i <= a->nreplay; i++)
			off += (size_t)snprintf(lcores + off, sizeof(lcores) - off, "%s%d@%s",
			    i ? "," : "", i, cpus);
		off = (size_t)snprintf(vdev, sizeof(vdev), "net_pcap0");
		for (int i = 0; i < a->nreplay; i++)
			off += (size_t)snprintf(vdev + off, sizeof(vdev) - off, ",rx_pcap=%s",
			    a->replay[i]);
		snprintf(prefix, sizeof(prefix), "--file-prefix=lawtap-%d", (int)getpid());
		av[n++] = lcores;
		av[n++] = "--no-huge";
		/* 512 MiB for pools and queues, and room for the session tables */
		snprintf(mem, sizeof(mem), "%llu", 512 + (unsigned long long)cfg->aaa.max_sessions *
		    SESSION_BYTES_MAX * ((cfg->aaa.nradius > 0) + (cfg->aaa.ndhcp > 0)) / (1 << 20));
		av[n++] = "-m";
		av[n++] = mem;
		av[n++] = "--no-pci";
		av[n++] = prefix;
		av[n++] = "--vdev";
		av[n++] = vdev;
		av[n++] = "--log-level=lib.eal:warning";
		av[n] = NULL;
		return n;
	}
	for (int i = 0; i < cfg->eal_argc && n < max - 3; i++)
		av[n++] = cfg->eal_argv[i];
	for (uint32_t i = 0; i < cfg->nports && n < max - 3; i++) {
		av[n++] = lt_port_is_pci(cfg->ports[i].device) ? "-a" : "--vdev";
		av[n++] = cfg->ports[i].device;
	}
	av[n] = NULL;
	return n;
}

/* Records of agency a the workers could not hand to its owner (live, ring full). */
static uint64_t
ring_lost(uint32_t a)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < lt_dp.nworkers; i++)
		n += lt_dp.workers[i].agency_lost[a];
	return n;
}

static void
report(const struct lt_config *cfg)
{
	for (unsigned i = 0; i < lt_dp.nworkers; i++) {
		const struct lt_wstats *s = &lt_dp.workers[i].st;

		log_info("worker %u (port %u queue %u): rx %lu packets %lu bytes, not IP %lu, "
		    "malformed %lu, over one mbuf %lu, matched %lu, records %lu, dropped: ring full "
		    "%lu, queue full %lu, undeliverable %lu, over %d warrants %lu", i,
		    lt_dp.workers[i].port, lt_dp.workers[i].queue, s->rx, s->bytes, s->not_ip,
		    s->malformed, s->multiseg, s->matched,
		    s->records, s->ring_full, s->queue_full, s->undeliverable, LT_MAX_MATCH,
		    s->too_many_warrants);
	}
	if (lt_track_enabled()) {
		const struct lt_track_stats *t = lt_track_stats();

		log_info("sessions: AAA packets %lu (malformed %lu, bad authenticator %lu, "
		    "reply to nothing %lu, retransmitted %lu, fragments %lu, not UDP %lu), "
		    "sessions %lu now, %lu started, %lu ended, %lu refused (table full), stop "
		    "without start %lu, NAS restarts %lu, rejects %lu, unanswered %lu, absurd "
		    "prefixes %lu, addresses over %d %lu; target sessions %lu, intercepts full "
		    "%lu, bindings full %lu, IRIs lost %lu, hand-offs lost %lu",
		    t->aaa_packets, t->aaa_malformed, t->aaa_bad_auth, t->aaa_unmatched_reply,
		    t->aaa_retransmit, t->aaa_fragments, t->aaa_not_udp, t->sessions,
		    t->session_starts, t->session_ends, t->sessions_full, t->stop_without_start,
		    t->nas_reboots, t->access_rejects, t->access_failed, t->absurd_prefix,
		    LT_SESS_V6 + 1, t->too_many_addrs, t->target_sessions, t->icepts_full,
		    t->bind_full, t->iri_lost, t->handoff_full);
	}
	for (uint32_t a = 0; a < cfg->nagencies; a++) {
		const struct lt_agency_rt *rt = &lt_dp.agencies[a];
		const struct lt_conn *c[2] = { &rt->hi2, &rt->hi3 };

		for (int k = 0; k < 2; k++)
			log_info("agency %s %s: %s, %lu records sent (%lu bytes), %lu queued, %lu "
			    "lost, %lu connects, %lu losses, keep-alives %lu sent %lu answered",
			    cfg->agencies[a].id, c[k]->p.hi, lt_conn_state_name(c[k]->state),
			    c[k]->st.records_sent, c[k]->st.bytes_sent, lt_conn_backlog(c[k]),
			    c[k]->st.records_lost + (k == 1 ? ring_lost(a) : 0), c[k]->st.connects,
			    c[k]->st.losses, c[k]->st.ka_sent, c[k]->st.ka_answered);
	}
}

/* Exit status: 0 when everything reached its agency, 3 otherwise. */
static int
verdict(const struct lt_config *cfg)
{
	int rc = 0;

	for (uint32_t a = 0; a < cfg->nagencies; a++) {
		const struct lt_agency_rt *rt = &lt_dp.agencies[a];
		uint64_t undelivered = lt_conn_backlog(&rt->hi2) + rt->hi2.st.records_lost +
		    lt_conn_backlog(&rt->hi3) + rt->hi3.st.records_lost + ring_lost(a);

		if (rt->hi2.state == LT_CONN_FAILED || rt->hi3.state == LT_CONN_FAILED) {
			log_err("agency %s could not be reached (HI2 %s %s, HI3 %s %s): %lu "
			    "records not delivered", cfg->agencies[a].id, rt->hi2.peer_text,
			    lt_conn_state_name(rt->hi2.state), rt->hi3.peer_text,
			    lt_conn_state_name(rt->hi3.state), undelivered);
			rc = 3;
		} else if (undelivered) {
			log_err("agency %s: %lu records not delivered", cfg->agencies[a].id,
			    undelivered);
			rc = 3;
		}
	}
	return rc;
}

static bool
all_workers(bool (*pred)(const struct lt_worker *))
{
	for (unsigned i = 0; i < lt_dp.nworkers; i++)
		if (!pred(&lt_dp.workers[i]))
			return false;
	return true;
}

static bool
at_eof(const struct lt_worker *w)
{
	return w->eof;
}

static bool
is_closed(const struct lt_worker *w)
{
	return w->closed;
}

/* The management lcore: watch signals and phases while the workers run. */
/* Queued records in tmpfs stay in RAM unless the kernel may swap them out. */
static void
swap_warning(const char *dir)
{
	char line[256];
	int n = 0;
	FILE *f = fopen("/proc/swaps", "r");

	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		n++;
	fclose(f);
	if (n > 1)
		log_warn("swap is on: the records queued in %s could be written to it "
		    "(the appliance image has no swap; turn it off)", dir);
}

/*
 * A tmpfs directory of this state directory's own: the queues and numbers
 * that must outlive a SIGKILL (not a reboot) are mapped from files there.
 */
static int
shm_dir(const char *state, char *out, size_t outlen, char *err, size_t errlen)
{
	char real[PATH_MAX];
	uint8_t h[8];

	if (realpath(state, real) == NULL) {
		snprintf(err, errlen, "%s: %s", state, strerror(errno));
		return -1;
	}
	crypto_generichash(h, sizeof(h), (const uint8_t *)real, strlen(real), NULL, 0);
	snprintf(out, outlen, "/dev/shm/lawtap-%02x%02x%02x%02x%02x%02x%02x%02x", h[0], h[1],
	    h[2], h[3], h[4], h[5], h[6], h[7]);
	if (mkdir(out, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: cannot create it: %s", out, strerror(errno));
		return -1;
	}
	swap_warning(out);
	return 0;
}

/* How often where the sequences stand is saved while running. */
#define CHECKPOINT_NS	(5 * 1000000000ULL)

static void
supervise(const char *path, const char *state, struct lt_ctl *ctl)
{
	uint64_t flush_deadline = 0, checkpoint = lt_mono_ns();
	struct lt_sd_watchdog wd;
	char err[512];

	lt_sd_watchdog_init(&wd);
	while (lt_dp.phase != LT_PHASE_DONE) {
		(void)lt_sd_watchdog_ping(&wd, lt_mono_ns(), NULL, 0);
		if (lt_mono_ns() - checkpoint >= CHECKPOINT_NS) {
			checkpoint = lt_mono_ns();
			if (lt_seqkeep_save(false, err, sizeof(err)) < 0)
				log_warn("%s", err);
		}
		if (ctl != NULL)
			lt_ctl_poll(ctl, 10, lt_control_handle, NULL);
		else
			usleep(10000);
		lt_apply_poll();
		if ((got_hup || lt_control_reload_asked()) && lt_dp.phase == LT_PHASE_RUN) {
			got_hup = 0;
			reload(path, state);
		}
		if (got_signal && !lt_dp.stop_rx) {
			log_info("signal %d: stopping capture, delivering what is queued",
			    (int)got_signal);
			lt_dp.stop_rx = true;
		}
		if (lt_dp.phase == LT_PHASE_RUN && all_workers(at_eof)) {
			rte_smp_mb();
			lt_dp.phase = LT_PHASE_FLUSH;
			flush_deadline = lt_mono_ns() + LIVE_FLUSH_S * 1000000000ULL;
		}
		if (lt_dp.phase == LT_PHASE_FLUSH) {
			if (all_workers(is_closed))
				lt_dp.phase = LT_PHASE_DONE;
			else if (!lt_dp.replay && lt_mono_ns() > flush_deadline) {
				log_warn("gave up delivering after %d s", LIVE_FLUSH_S);
				lt_dp.phase = LT_PHASE_DONE;
			}
		}
	}
}

int
cmd_run(int argc, char **argv)
{
	static struct lt_config cfg;
	struct lt_rxq rxq[RTE_MAX_LCORE];
	struct args a;
	char *av[256], err[512], shm[sizeof(lt_dp.shm_dir)];
	struct lt_ctl *ctl = NULL;
	uint32_t nstored = 0;
	int ac, nq, rc = 0;

	if (parse_args(argc, argv, &a) < 0)
		return 2;
	/* no core dump, no ptrace by others: warrants and keys are in this memory */
	if (lt_harden_process(err, sizeof(err)) < 0) {
		log_err("%s", err);
		return 1;
	}
	if (lt_config_load(a.conf, &cfg, err, sizeof(err)) < 0 || (a.state != NULL &&
	    lt_state_warrants(a.state, &cfg, &nstored, err, sizeof(err)) < 0)) {
		log_err("%s", err);
		lt_config_free(&cfg);
		return 1;
	}
	if (a.state != NULL)
		log_info("%s: %u warrants from the store", a.state, nstored);
	for (int i = 0; i < a.nreplay; i++)
		if (check_pcap(a.replay[i]) < 0) {
			lt_config_free(&cfg);
			return 1;
		}
	if (a.nreplay == 0 && cfg.nports == 0) {
		log_err("%s: no ports configured and no --replay given: nothing to capture",
		    cfg.path);
		lt_config_free(&cfg);
		return 1;
	}
	lt_dp.cfg = &cfg;
	lt_dp.replay = a.nreplay > 0;
	ac = eal_argv(&cfg, &a, av, 256);
	if (rte_eal_init(ac, av) < 0) {
		log_err("DPDK EAL initialisation failed: %s", rte_strerror(rte_errno));
		lt_config_free(&cfg);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	nq = lt_ports_start(&cfg, a.nreplay, sizeof(struct lt_meta), rxq,
	    rte_lcore_count() - 1, err, sizeof(err));
	if (nq <= 0) {
		log_err("%s", nq == 0 ? "no rx queues to capture from" : err);
		rc = 1;
		goto out;
	}
	lt_dp.nworkers = (unsigned)nq;
	lt_dp.ts_dynfield = -1;
	if (lt_dp.replay) {
		lt_dp.ts_dynfield = rte_mbuf_dynfield_lookup(RTE_MBUF_DYNFIELD_TIMESTAMP_NAME, NULL);
		if (lt_dp.ts_dynfield < 0) {
			log_err("net_pcap gives no capture timestamps");
			rc = 1;
			goto out;
		}
	}
	lt_dp.state_dir = a.state;
	if (a.state != NULL && shm_dir(a.state, lt_dp.shm_dir, sizeof(lt_dp.shm_dir), err,
	    sizeof(err)) < 0) {
		log_err("%s", err);
		rc = 1;
		goto out;
	}
	if (cfg.spool_bytes > 0 && a.state != NULL) {
		uint8_t sk[16];

		if ((lt_dp.spool_key = sodium_malloc(LT_SPOOL_KEY_LEN)) == NULL ||
		    lt_spools_key(a.state, lt_dp.spool_key, err, sizeof(err)) < 0) {
			log_err("spool: %s", lt_dp.spool_key ? err : "out of memory");
			rc = 1;
			goto out;
		}
		/* stream ids in the spool: a keyed hash of (LIID, CIN), stable across runs */
		crypto_generichash(sk, sizeof(sk), lt_dp.spool_key, LT_SPOOL_KEY_LEN, NULL, 0);
		lt_deliver_sid_key(sk);
		sodium_memzero(sk, sizeof(sk));
	}
	if (lt_dp_setup_workers(rxq, (unsigned)nq) < 0 ||
	    lt_dp_setup_delivery(&cfg, lt_dp.replay) < 0) {
		log_err("cannot allocate the workers' rings and delivery queues "
		    "(delivery.queue_mb x 2 per agency)");
		rc = 1;
		goto out;
	}
	lt_dp.match = lt_match_build(&cfg, (int)rte_socket_id(), err, sizeof(err));
	if (lt_dp.match == NULL) {
		log_err("%s", err);
		rc = 1;
		goto out;
	}
	if (lt_track_init(&cfg, (int)rte_socket_id()) < 0) {
		log_err("cannot allocate the subscriber session tables (aaa.max_sessions %u)",
		    cfg.aaa.max_sessions);
		rc = 1;
		goto out;
	}
	if (lt_seqkeep_start(a.state, lt_dp.shm_dir, err, sizeof(err)) < 0) {
		log_err("%s", err);
		rc = 1;
		goto out;
	}
	log_info("%s: %u workers, %u agencies, %u warrants; %s", cfg.path, lt_dp.nworkers,
	    cfg.nagencies, cfg.nwarrants, lt_dp.replay ? "replaying captures" : "capturing");
	for (unsigned i = 0; i < lt_dp.nworkers; i++)
		rte_eal_remote_launch(lt_worker_main, &lt_dp.workers[i], lt_dp.workers[i].lcore);
	signal(SIGHUP, on_hup);
	lt_control_start();
	if (a.control != NULL && (ctl = lt_ctl_listen(a.control, err, sizeof(err))) == NULL) {
		log_err("%s", err);
		lt_dp.stop_rx = true;
		rc = 1;
	}
	/* systemd (Type=notify): started once the workers run and the control socket listens */
	if (rc == 0 && !lt_dp.replay && lt_sd_notify("READY=1", err, sizeof(err)) < 0)
		log_warn("%s", err);
	supervise(cfg.path, a.state, ctl);
	lt_ctl_close(ctl);
	rte_eal_mp_wait_lcore();
	report(&cfg);
	if (rc == 0)
		rc = verdict(&cfg);
	/* the workers are done: the numbers are exact */
	if (lt_seqkeep_save(true, err, sizeof(err)) < 0)
		log_err("%s", err);
out:
	lt_seqkeep_free();
	snprintf(shm, sizeof(shm), "%s", lt_dp.shm_dir);
	lt_dp_teardown(&cfg);
	if (shm[0] != '\0')
		(void)rmdir(shm);	/* only when no queue or number waits there */
	lt_apply_free();
	lt_ports_stop();
	{
		/* A replay's EAL files are its own (prefix lawtap-<pid>): leave none. */
		char dir[4096];

		snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
		rte_eal_cleanup();
		if (a.nreplay > 0 && lt_rmtree(dir) < 0)
			log_warn("cannot remove %s: %s", dir, strerror(errno));
	}
	lt_config_free(&cfg);
	return rc;
}
