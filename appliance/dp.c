/* dp.c - build the data plane's runtime state from the configuration. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "capture/port.h"
#include "dp.h"
#include "evidence/evdp.h"
#include "mediate/spools.h"
#include "session/track/track.h"
#include "util/log.h"

#define RING_SIZE	4096

/* With --state, where an agency's HI queue is mapped from; else NULL (memory of our own). */
static const char *
qfile(char *buf, size_t len, const char *agency, const char *hi)
{
	if (lt_dp.shm_dir[0] == '\0')
		return NULL;
	snprintf(buf, len, "%s/%s-%s.q", lt_dp.shm_dir, agency, hi);
	return buf;
}

static int
open_spool(const struct lt_config *cfg, uint32_t agency, const char *hi, struct lt_spool **sp)
{
	struct lt_spool_stats st;
	char err[512];

	if (lt_spools_open(cfg, agency, hi, lt_dp.state_dir, lt_dp.spool_key, sp, err,
	    sizeof(err)) < 0) {
		log_err("%s", err);
		return -1;
	}
	if (*sp == NULL)
		return 0;
	lt_spool_stats(*sp, &st);
	if (st.records > 0 || st.damaged > 0)
		log_info("agency %s %s: the spool holds %lu records from before, sent first%s",
		    cfg->agencies[agency].id, hi, st.records, st.damaged ?
		    "; a damaged tail was cut off" : "");
	return 0;
}

int
lt_dp_setup_delivery(const struct lt_config *cfg, bool replay)
{
	uint64_t now = lt_mono_ns();

	lt_dp.agencies = calloc(cfg->nagencies, sizeof(*lt_dp.agencies));
	lt_dp.slots_cap = cfg->nwarrants + LT_SLOTS_SPARE;
	lt_dp.wm = calloc(lt_dp.slots_cap, sizeof(*lt_dp.wm));
	lt_dp.wrec = calloc(lt_dp.slots_cap, sizeof(*lt_dp.wrec));
	lt_dp.wown = sodium_malloc(lt_dp.slots_cap * sizeof(*lt_dp.wown));
	if (lt_dp.agencies == NULL || lt_dp.wm == NULL || lt_dp.wown == NULL ||
	    lt_dp.wrec == NULL)
		return -1;
	for (unsigned i = 0; i < lt_dp.nworkers; i++) {
		lt_dp.workers[i].agency_lost = calloc(cfg->nagencies + 1, sizeof(uint64_t));
		if (lt_dp.workers[i].agency_lost == NULL)
			return -1;
	}
	for (uint32_t i = 0; i < cfg->nagencies; i++) {
		const struct lt_agency *a = &cfg->agencies[i];
		struct lt_agency_rt *rt = &lt_dp.agencies[i];
		char qf2[256], qf3[256];
		struct lt_conn_params p = {
			.agency_id = a->id,
			.keepalive_ns = (uint64_t)a->keepalive_s * 1000000000ULL,
			.ka_timeout_ns = (uint64_t)a->keepalive_timeout_s * 1000000000ULL,
			.reconnect_ns = (uint64_t)cfg->reconnect_ms * 1000000ULL,
			.unreachable_ns = replay ? (uint64_t)cfg->unreachable_s * 1000000000ULL : 0,
			.queue_bytes = cfg->queue_bytes,
			.ka_ident = &rt->ka_ident,
			.tls = a->tls,
		};

		rt->owner = (uint16_t)(i % lt_dp.nworkers);
		rt->ka_ident = (struct etsi_ident){
			.pspdu_version = a->pspdu_version,
			.ipaccess_version = a->ipaccess_version,
			.liid = a->keepalive_liid,
			.liid_len = strlen(a->keepalive_liid),
			.auth_cc = cfg->auth_cc[0] ? cfg->auth_cc : NULL,
			.operator_id = cfg->operator_id,
			.ne_id = cfg->ne_id[0] ? cfg->ne_id : NULL,
			.delivery_cc = cfg->delivery_cc[0] ? cfg->delivery_cc : NULL,
		};
		p.hi = "HI2";
		p.peer = a->hi2;
		p.qfile = qfile(qf2, sizeof(qf2), a->id, p.hi);
		if (open_spool(cfg, i, p.hi, &p.spool) < 0 || lt_conn_init(&rt->hi2, &p, now) < 0)
			return -1;
		p.hi = "HI3";
		p.peer = a->hi3;
		p.qfile = qfile(qf3, sizeof(qf3), a->id, p.hi);
		if (open_spool(cfg, i, p.hi, &p.spool) < 0 || lt_conn_init(&rt->hi3, &p, now) < 0)
			return -1;
	}
	if (lt_dp_ev_setup(cfg) < 0)
		return -1;
	for (uint32_t i = 0; i < cfg->nwarrants; i++) {
		const struct lt_warrant *w = &cfg->warrants[i];

		if (lt_dp_slot_init(i, cfg, i) < 0) {
			log_err("%s:%d: warrant %u cannot be encoded (identifier lengths)",
			    cfg->path, w->line, i);
			return -1;
		}
	}
	lt_dp.nslots = cfg->nwarrants;
	return 0;
}

int
lt_dp_slot_init(uint32_t slot, const struct lt_config *cfg, uint32_t i)
{
	const struct lt_warrant *w = &cfg->warrants[i];

	lt_dp.wm[slot] = (struct lt_wmatch){
		.start_us = w->start_s * 1000000,
		.end_us = w->end_s == LT_TIME_NEVER ? INT64_MAX : w->end_s * 1000000,
		.owner = lt_dp.agencies[w->agency].owner,
		.agency = (uint16_t)w->agency,
		.content = (uint8_t)w->content,
		.aaa_cc = w->aaa_cc,
	};
	lt_dp.wrec[slot] = w;
	if (lt_wown_init(&lt_dp.wown[slot], cfg, i) < 0)
		return -1;
	return lt_dp_ev_slot(slot);
}

int
lt_dp_setup_workers(const struct lt_rxq *q, unsigned nq)
{
	unsigned lcore, i = 0;
	char name[32];

	lt_dp.workers = rte_zmalloc("lt_workers", nq * sizeof(struct lt_worker),
	    RTE_CACHE_LINE_SIZE);
	if (lt_dp.workers == NULL)
		return -1;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		struct lt_worker *w;

		if (i == nq)
			break;
		w = &lt_dp.workers[i];
		w->id = i;
		w->lcore = lcore;
		w->port = q[i].port;
		w->queue = q[i].queue;
		w->pool = q[i].pool;
		w->clock_us = INT64_MIN;
		w->first_us = INT64_MAX;
		w->head_us = INT64_MIN;
		snprintf(name, sizeof(name), "lt_ring_%u", i);
		w->ring = rte_ring_create(name, RING_SIZE, rte_lcore_to_socket_id(lcore),
		    RING_F_SC_DEQ);
		if (w->ring == NULL)
			return -1;
		i++;
	}
	if (i != nq)
		return -1;
	lt_dp.rcu = rte_zmalloc("lt_rcu", rte_rcu_qsbr_get_memsize(nq), RTE_CACHE_LINE_SIZE);
	if (lt_dp.rcu == NULL || rte_rcu_qsbr_init(lt_dp.rcu, nq) != 0)
		return -1;
	for (i = 0; i < nq; i++)
		if (rte_rcu_qsbr_thread_register(lt_dp.rcu, i) != 0)
			return -1;
	return 0;
}


/* Frees what the setup functions and lt_match_build made (before EAL cleanup). */
void
lt_dp_teardown(const struct lt_config *cfg)
{
	lt_dp_ev_teardown(cfg);
	if (lt_dp.agencies != NULL)
		for (uint32_t i = 0; i < cfg->nagencies; i++) {
			lt_conn_free(&lt_dp.agencies[i].hi2);
			lt_conn_free(&lt_dp.agencies[i].hi3);
		}
	free(lt_dp.agencies);
	free(lt_dp.wm);
	free((void *)lt_dp.wrec);
	rte_free(lt_dp.rcu);
	if (lt_dp.wown != NULL)
		sodium_free(lt_dp.wown);	/* wipes the LIIDs in the templates */
	if (lt_dp.workers != NULL) {
		for (unsigned i = 0; i < lt_dp.nworkers; i++) {
			free(lt_dp.workers[i].agency_lost);
			rte_ring_free(lt_dp.workers[i].ring);
		}
		rte_free(lt_dp.workers);
	}
	lt_track_free();
	lt_match_free((struct lt_match *)lt_dp.match);
	memset(&lt_dp, 0, sizeof(lt_dp));
}
