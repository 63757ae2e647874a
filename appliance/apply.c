/* apply.c - live apply: a reloaded warrant list published to the workers under RCU. */
#include <stdlib.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_rcu_qsbr.h>

#include "dp.h"
#include "seqkeep.h"
#include "session/sip/voipdp.h"
#include "session/track/track.h"
#include "util/log.h"

struct lt_apply {
	struct lt_config *cfg;		/* kept for the run: slots point into it */
	uint32_t *slot_of;		/* warrant i of cfg is slot slot_of[i] */
	uint32_t nslots;		/* slots in use once published */
	uint32_t first_new;		/* slots from here on are new */
	struct lt_match *match, *old;
	void *idents;
	uint32_t nidents;
	void *voip;			/* the VoIP engine's identities, by slot */
	uint8_t *dropped;		/* [slots_cap]: slots this reload ends */
	uint64_t token;
	volatile int published;
	unsigned kept, added, removed;
};

static struct {
	struct lt_apply *busy;
	uint8_t *dead;			/* [slots_cap]: slots ended by a reload, never reused */
	struct lt_config **gens;	/* every config a reload took: freed at exit */
	unsigned ngens;
} AP;

static bool
same_agencies(const struct lt_config *a, const struct lt_config *b)
{
	if (a->nagencies != b->nagencies)
		return false;
	for (uint32_t i = 0; i < a->nagencies; i++)
		if (strcmp(a->agencies[i].id, b->agencies[i].id) != 0 ||
		    a->agencies[i].hi2.salen != b->agencies[i].hi2.salen ||
		    memcmp(&a->agencies[i].hi2.sa, &b->agencies[i].hi2.sa,
		    a->agencies[i].hi2.salen) != 0 ||
		    a->agencies[i].hi3.salen != b->agencies[i].hi3.salen ||
		    memcmp(&a->agencies[i].hi3.sa, &b->agencies[i].hi3.sa,
		    a->agencies[i].hi3.salen) != 0)
			return false;
	return true;
}

static int
liid_cmp(const struct lt_warrant *a, const struct lt_warrant *b)
{
	int c = memcmp(a->liid, b->liid, a->liid_len < b->liid_len ? a->liid_len : b->liid_len);

	return c != 0 ? c : (int)a->liid_len - (int)b->liid_len;
}

static int
slot_cmp(const void *x, const void *y)
{
	return liid_cmp(lt_dp.wrec[*(const uint32_t *)x], lt_dp.wrec[*(const uint32_t *)y]);
}

/* The live slots sorted by LIID (a reload looks each new warrant up in it). */
static uint32_t *
live_slots(uint32_t *n)
{
	uint32_t *v = malloc((lt_dp.nslots + 1) * sizeof(*v));

	*n = 0;
	if (v == NULL)
		return NULL;
	for (uint32_t s = 0; s < lt_dp.nslots; s++)
		if (!AP.dead[s])
			v[(*n)++] = s;
	qsort(v, *n, sizeof(*v), slot_cmp);
	return v;
}

/* The live slot of the same warrant (LIID, agency, CIN), or UINT32_MAX. */
static uint32_t
slot_of_warrant(const uint32_t *live, uint32_t n, const struct lt_warrant *w)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (liid_cmp(lt_dp.wrec[live[mid]], w) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n) {
		const struct lt_warrant *o = lt_dp.wrec[live[lo]];

		if (liid_cmp(o, w) == 0 && o->agency == w->agency && o->cin == w->cin)
			return live[lo];
	}
	return UINT32_MAX;
}

static void
apply_free(struct lt_apply *ap)
{
	free(ap->slot_of);
	free(ap->dropped);
	lt_voip_reload_free(ap->voip);
	free(ap);
}

int
lt_apply_start(struct lt_config *cfg, char *err, size_t errlen)
{
	struct lt_apply *ap;
	uint32_t *live = NULL, nlive;
	uint8_t *kept = NULL;

	if (AP.busy != NULL) {
		snprintf(err, errlen, "the previous reload is still being applied");
		return -1;
	}
	if (!same_agencies(lt_dp.cfg, cfg)) {
		snprintf(err, errlen, "the agencies changed: a restart is needed for that");
		return -1;
	}
	if (AP.dead == NULL && (AP.dead = calloc(lt_dp.slots_cap, 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if ((ap = calloc(1, sizeof(*ap))) == NULL ||
	    (ap->slot_of = calloc(cfg->nwarrants + 1, sizeof(uint32_t))) == NULL ||
	    (ap->dropped = calloc(lt_dp.slots_cap, 1)) == NULL ||
	    (kept = calloc(lt_dp.slots_cap, 1)) == NULL ||
	    (live = live_slots(&nlive)) == NULL) {
		if (ap != NULL)
			apply_free(ap);
		free(kept);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ap->cfg = cfg;
	ap->nslots = ap->first_new = lt_dp.nslots;
	for (uint32_t i = 0; i < cfg->nwarrants; i++) {
		uint32_t s = slot_of_warrant(live, nlive, &cfg->warrants[i]);

		if (s == UINT32_MAX || kept[s]) {
			if (ap->nslots == lt_dp.slots_cap) {
				snprintf(err, errlen, "more than %d warrants added since the start: "
				    "a restart is needed", LT_SLOTS_SPARE);
				goto fail;
			}
			s = ap->nslots++;
			/* not yet visible: no worker looks at slots from nslots on */
			if (lt_dp_slot_init(s, cfg, i) < 0) {
				snprintf(err, errlen, "warrant %u (line %d) cannot be encoded",
				    i + 1, cfg->warrants[i].line);
				goto fail;
			}
			lt_seqkeep_restore(s);
			ap->added++;
			log_debug("reload: warrant %u of the new list is slot %u (new)", i + 1, s);
		} else {
			ap->kept++;
			log_debug("reload: warrant %u of the new list keeps slot %u", i + 1, s);
		}
		kept[s] = 1;
		ap->slot_of[i] = s;
	}
	for (uint32_t s = 0; s < lt_dp.nslots; s++)
		if (!AP.dead[s] && !kept[s]) {
			ap->dropped[s] = 1;
			ap->removed++;
			log_debug("reload: slot %u ends", s);
		}
	ap->match = lt_match_build_slots(cfg, ap->slot_of, (int)rte_socket_id(), err, errlen);
	if (ap->match == NULL)
		goto fail;
	if (lt_voip_reload_build(cfg, ap->slot_of, ap->nslots, &ap->voip, err, errlen) < 0)
		goto fail;
	if (lt_track_enabled() &&
	    (ap->idents = lt_track_idents_build(cfg, ap->slot_of, &ap->nidents)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	free(kept);
	free(live);
	AP.busy = ap;
	__atomic_store_n(&lt_dp.apply, ap, __ATOMIC_RELEASE);
	return 0;
fail:
	free(kept);
	free(live);
	lt_match_free(ap->match);
	apply_free(ap);
	return -1;
}

/* Session lcore, between bursts: the reload becomes what every worker sees. */
void
lt_apply_publish(void)
{
	struct lt_apply *ap = __atomic_load_n(&lt_dp.apply, __ATOMIC_ACQUIRE);
	int64_t now = lt_dp_clock_us();
	struct lt_match *cur = (struct lt_match *)lt_dp.match;

	if (ap == NULL)
		return;
	if (now == INT64_MIN)
		now = 0;
	if (lt_match_take_dyn(ap->match, cur) < 0) {
		log_err("reload: out of memory publishing the target tables; not applied");
		lt_match_free(ap->match);
		ap->match = NULL;
		goto done;
	}
	for (uint32_t i = 0; i < ap->cfg->nwarrants; i++) {
		const struct lt_warrant *w = &ap->cfg->warrants[i];
		uint32_t s = ap->slot_of[i];
		struct lt_wmatch *wm = &lt_dp.wm[s];
		int64_t start = w->start_s * 1000000;
		int64_t end = w->end_s == LT_TIME_NEVER ? INT64_MAX : w->end_s * 1000000;

		/* a warrant takes effect from now on, not from a start already past */
		if (s >= ap->first_new && start < now)
			start = now;
		wm->start_us = start;
		wm->end_us = end > start ? end : start;
		wm->content = (uint8_t)w->content;
		wm->aaa_cc = w->aaa_cc;
		lt_dp.wrec[s] = w;
	}
	for (uint32_t s = 0; s < ap->first_new; s++)
		if (ap->dropped[s]) {
			struct lt_wmatch *wm = &lt_dp.wm[s];

			/* ends now: IRI-End at this moment, no packet from here on */
			if (wm->end_us > now)
				wm->end_us = wm->start_us > now ? wm->start_us : now;
			AP.dead[s] = 1;
		}
	__atomic_store_n(&lt_dp.nslots, ap->nslots, __ATOMIC_RELEASE);
	ap->old = cur;
	__atomic_store_n(&lt_dp.match, ap->match, __ATOMIC_RELEASE);
	if (ap->idents != NULL)
		lt_track_idents_swap(ap->idents, ap->nidents);
	ap->idents = NULL;
	lt_voip_reload_publish(ap->voip, ap->dropped, ap->first_new, now);
	ap->voip = NULL;
	lt_track_new_warrants(ap->first_new);
	__atomic_fetch_add(&lt_dp.windows_changed, 1, __ATOMIC_RELEASE);
done:
	ap->token = rte_rcu_qsbr_start(lt_dp.rcu);
	__atomic_store_n(&lt_dp.apply, NULL, __ATOMIC_RELEASE);
	__atomic_store_n(&ap->published, 1, __ATOMIC_RELEASE);
}

int
lt_apply_poll(void)
{
	struct lt_apply *ap = AP.busy;
	struct lt_config **g;

	if (ap == NULL || !__atomic_load_n(&ap->published, __ATOMIC_ACQUIRE) ||
	    rte_rcu_qsbr_check(lt_dp.rcu, ap->token, false) != 1)
		return 0;
	/* no worker can hold the old tables any more */
	lt_match_free(ap->old);
	if (ap->match == NULL) {
		lt_config_free(ap->cfg);
		free(ap->cfg);
	} else if ((g = realloc(AP.gens, (AP.ngens + 1) * sizeof(*g))) != NULL) {
		AP.gens = g;
		AP.gens[AP.ngens++] = ap->cfg;
		log_info("reload applied: %u warrants kept, %u added, %u ended", ap->kept,
		    ap->added, ap->removed);
	}
	apply_free(ap);
	AP.busy = NULL;
	return 1;
}

/* At exit: the configurations reloads took (after the workers stopped). */
void
lt_apply_free(void)
{
	for (unsigned i = 0; i < AP.ngens; i++) {
		lt_config_free(AP.gens[i]);
		free(AP.gens[i]);
	}
	free(AP.gens);
	free(AP.dead);
	memset(&AP, 0, sizeof(AP));
}
