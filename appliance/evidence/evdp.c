/* evdp.c - wires mediate/integ and evidence/evwire into the data plane (lt_dp). */
#include <stdio.h>

#include "dp.h"
#include "evidence/evdp.h"
#include "evidence/evkey.h"
#include "util/log.h"

int
lt_dp_ev_setup(const struct lt_config *cfg)
{
	char err[512];

	for (uint32_t i = 0; i < cfg->nagencies; i++) {
		const struct lt_integ_conf *ic = &cfg->agencies[i].integ;
		struct lt_agency_rt *rt = &lt_dp.agencies[i];

		if (ic->hash_every == 0)
			continue;
		if (ev_key_load_secret(ic->key, &rt->integ_sk, err, sizeof(err)) < 0) {
			log_err("%s:%d: agency %u integrity: %s", cfg->path, ic->line, i + 1, err);
			return -1;
		}
		rt->integ = lt_integ_agency_new(ic->hash_every, ic->hash_seconds, ic->sign_every,
		    rt->integ_sk, &rt->hi2, &rt->hi3);
		if (rt->integ == NULL) {
			log_err("%s:%d: agency %u integrity: out of memory", cfg->path, ic->line,
			    i + 1);
			return -1;
		}
	}
	if (cfg->ev.dir[0] == '\0')
		return 0;
	if ((lt_dp.ev = lt_evwire_new(&cfg->ev, lt_dp.slots_cap, err, sizeof(err))) == NULL) {
		log_err("%s:%d: %s", cfg->path, cfg->ev.line, err);
		return -1;
	}
	for (uint32_t i = 0; i < cfg->nwarrants; i++) {
		const struct lt_warrant *w = &cfg->warrants[i];

		if (w->evidence && lt_evwire_open(lt_dp.ev, i,
		    lt_dp.agencies[w->agency].owner, w, err, sizeof(err)) < 0) {
			log_err("%s:%d: %s", cfg->path, w->line, err);
			return -1;
		}
	}
	return 0;
}

int
lt_dp_ev_slot(uint32_t slot)
{
	struct lt_integ_agency *ag = lt_dp.agencies[lt_dp.wm[slot].agency].integ;
	struct lt_wown *o = &lt_dp.wown[slot];

	if (ag == NULL)
		return 0;
	o->integ = lt_integ_new(ag, &o->tmpl);
	return o->integ == NULL ? -1 : 0;
}

void
lt_dp_ev_tick(struct lt_worker *w, int64_t clock_us)
{
	if (clock_us == INT64_MIN)
		return;		/* replay: no packet yet */
	for (uint32_t a = 0; a < lt_dp.cfg->nagencies; a++)
		if (lt_dp.agencies[a].owner == w->id && lt_dp.agencies[a].integ != NULL)
			lt_integ_tick(lt_dp.agencies[a].integ, clock_us);
	if (lt_dp.ev != NULL)
		lt_evwire_tick(lt_dp.ev, (uint16_t)w->id, clock_us);
}

bool
lt_dp_ev_flush(struct lt_worker *w)
{
	int64_t clock = lt_dp_clock_us();

	for (uint32_t a = 0; a < lt_dp.cfg->nagencies; a++)
		if (lt_dp.agencies[a].owner == w->id && lt_dp.agencies[a].integ != NULL &&
		    lt_integ_flush_all(lt_dp.agencies[a].integ, clock) < 0)
			return false;
	return true;
}

void
lt_dp_ev_teardown(const struct lt_config *cfg)
{
	if (lt_dp.ev != NULL) {
		struct lt_evwire_stats s = lt_evwire_stats(lt_dp.ev);

		log_info("evidence: %u store(s), %llu packets, %llu bytes kept; %llu not kept "
		    "(%u store(s) failed)", s.stores, (unsigned long long)s.packets,
		    (unsigned long long)s.bytes, (unsigned long long)s.failures, s.failed);
		lt_evwire_free(lt_dp.ev);
		lt_dp.ev = NULL;
	}
	if (lt_dp.agencies == NULL)
		return;
	for (uint32_t i = 0; lt_dp.wown != NULL && i < lt_dp.nslots; i++) {
		lt_integ_free(lt_dp.wown[i].integ);
		lt_dp.wown[i].integ = NULL;
	}
	for (uint32_t i = 0; i < cfg->nagencies; i++) {
		struct lt_agency_rt *rt = &lt_dp.agencies[i];

		if (rt->integ != NULL) {
			struct lt_integ_stats s = lt_integ_stats(rt->integ);

			log_info("agency %s: integrity: %llu records hashed, %llu hash and %llu "
			    "signature TRIs, %llu records no hash covers", cfg->agencies[i].id,
			    (unsigned long long)s.pdus, (unsigned long long)s.hashes,
			    (unsigned long long)s.signatures, (unsigned long long)s.dropped);
			lt_integ_agency_free(rt->integ);
			rt->integ = NULL;
		}
		if (rt->integ_sk != NULL)
			ev_key_free(rt->integ_sk);
		rt->integ_sk = NULL;
	}
}
