/* dp.h - the data plane's shared state: warrants, agencies, workers, run phase. */
#ifndef LT_DP_H
#define LT_DP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "match/match.h"
#include "mediate/conn.h"
#include "mediate/deliver.h"
#include "evidence/evwire.h"
#include "mgmt/config.h"

#define LT_BURST	32
#define LT_MAX_MATCH	16	/* warrants one packet can belong to */
#define LT_MAX_WORKERS	RTE_MAX_LCORE

/* Per packet, in the mbuf's private area: what the match stage found. */
struct lt_meta {
	int64_t ts_us;
	uint32_t l3_off, l3_len;
	uint32_t msg_id;		/* a message's agency or intercept; AAA: the sender */
	uint8_t kind;			/* enum lt_msg_kind */
	uint8_t family;			/* AAA handed to the session lcore: 4 or 6 */
	uint8_t nmatch;
	uint8_t dir[LT_MAX_MATCH];
	uint32_t warrant[LT_MAX_MATCH];	/* a warrant, or LT_ICEPT_BIT | an intercept */
};

static inline struct lt_meta *
lt_meta(struct rte_mbuf *m)
{
	return rte_mbuf_to_priv(m);
}

#define LT_SLOTS_SPARE	4096	/* warrants reloads can add to those a run starts with */

/*
 * Per warrant slot, read by every worker.  A slot is a warrant for the whole
 * run (a reload keeps the slot of a warrant it keeps, and never reuses the
 * slot of one it drops); the session lcore changes the volatile fields when a
 * reload is published.
 */
struct lt_wmatch {
	volatile int64_t start_us, end_us;
	uint16_t owner;			/* worker that owns the warrant's agency */
	uint16_t agency;
	volatile uint8_t content;
	volatile uint8_t aaa_cc;
};

enum lt_phase {
	LT_PHASE_RUN,		/* capture */
	LT_PHASE_FLUSH,		/* no more capture: deliver what is queued, then close */
	LT_PHASE_DONE,
};

struct lt_wstats {
	uint64_t rx, bytes, not_ip, malformed, multiseg, matched, records;
	uint64_t ring_full, queue_full, too_many_warrants, undeliverable;
	uint64_t bursts, empty_polls;
};

struct lt_worker {
	unsigned id, lcore;
	uint16_t port, queue;
	struct rte_ring *ring;		/* packets other workers found for my agencies */
	struct rte_mempool *pool;
	struct rte_mbuf *items[LT_BURST];	/* dequeued from ring, in progress */
	unsigned nitems, item, item_match;
	int64_t clock_us, first_us;	/* replay: capture clock of this worker */
	uint64_t next_tick;
	volatile int64_t head_us;	/* replay: time of the packet it is about to take */
	int64_t iri_next_us;		/* earliest warrant start/end not yet acted on */
	uint64_t windows_seen;		/* lt_dp.windows_changed when iri_next_us was found */
	unsigned empty_runs;
	uint64_t aaa_sent;		/* AAA packets handed to the session lcore ... */
	volatile uint64_t aaa_done;	/* ... and how many it has processed */
	volatile bool eof, closed;
	struct lt_wstats st;
	uint64_t *agency_lost;		/* [nagencies]: records lost to a full ring */
} __rte_cache_aligned;

struct lt_agency_rt {
	struct lt_conn hi2, hi3;
	uint16_t owner;
	struct etsi_ident ka_ident;
	struct lt_integ_agency *integ;	/* integrityCheck TRIs asked for, else NULL */
	uint8_t *integ_sk;		/* its key, sodium memory */
};

struct lt_apply;

struct lt_dp {
	const struct lt_config *cfg;	/* agencies, operator; warrants as first loaded */
	bool replay;
	const struct lt_match *volatile match;	/* replaced under RCU by a reload */
	struct lt_wmatch *wm;		/* [slots_cap] */
	struct lt_wown *wown;		/* [slots_cap], each touched by its owner only */
	const struct lt_warrant *volatile *wrec;	/* [slots_cap]: slot -> warrant */
	uint32_t slots_cap;		/* warrants at start + LT_SLOTS_SPARE */
	volatile uint32_t nslots;
	struct rte_rcu_qsbr *rcu;	/* workers report quiescence once per loop */
	struct lt_apply *volatile apply;	/* a reload for the session lcore to publish */
	volatile uint64_t windows_changed;	/* bumped when a reload moves warrant windows */
	struct lt_agency_rt *agencies;	/* [nagencies] */
	struct lt_worker *workers;	/* [nworkers] */
	unsigned nworkers;
	int ts_dynfield;		/* replay: mbuf timestamp offset, or -1 */
	volatile bool stop_rx;		/* live: a signal asked us to stop */
	volatile bool track_flushed;	/* FLUSH: the session lcore has sent its last IRI */
	volatile enum lt_phase phase;
	struct lt_evwire *ev;		/* capture-to-disk for some warrants, else NULL */
	const char *state_dir;		/* --state, or NULL */
	char shm_dir[64];		/* with --state: tmpfs files that outlive a kill */
	uint8_t *spool_key;		/* sodium_malloc'd, when delivery has a spool */
};

extern struct lt_dp lt_dp;

struct lt_rxq;
/* One worker per rx queue, on the EAL's worker lcores in order. */
int lt_dp_setup_workers(const struct lt_rxq *q, unsigned nq);
/* Connections per agency (owned round-robin by the workers), warrant state. */
int lt_dp_setup_delivery(const struct lt_config *cfg, bool replay);
void lt_dp_teardown(const struct lt_config *cfg);
/* Slot slot is warrant i of cfg: window, owner, template (cfg must outlive the run). */
int lt_dp_slot_init(uint32_t slot, const struct lt_config *cfg, uint32_t i);

int lt_worker_main(void *arg);

/* control.c: the control socket's requests (main lcore). */
#include <jansson.h>
#include <sys/types.h>
void lt_control_start(void);
json_t *lt_control_handle(void *arg, const json_t *req, uid_t peer_uid);
/* 1 once after a "reload" request. */
int lt_control_reload_asked(void);

/* apply.c: live apply.  Main lcore: reload the warrants from cfg (takes it). */
int lt_apply_start(struct lt_config *cfg, char *err, size_t errlen);
/* Main lcore: 1 when the last reload is published and the old tables freed. */
int lt_apply_poll(void);
/* Session lcore: publish a pending reload. */
void lt_apply_publish(void);
/* At exit, after the workers stopped. */
void lt_apply_free(void);
/* The stages after rx for one burst (the loop's body; benchmarks call it too). */
void lt_worker_burst(struct lt_worker *w, struct rte_mbuf **pkts, uint16_t n, int64_t now_us);
/* Waits a moment usefully: the worker's rings, timers and connections. */
void lt_worker_yield(struct lt_worker *w);
/* The capture clock all workers agree on: the latest packet time seen. */
int64_t lt_dp_clock_us(void);

#endif
