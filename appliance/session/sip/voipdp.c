/* voipdp.c - the VoIP engine on the session lcore: its records through the owners' rings. */
#include <string.h>

#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dp.h"
#include "session/sip/voip.h"
#include "session/sip/voipdp.h"
#include "session/track/track.h"
#include "util/log.h"

#define MEDIA_ADDRS	(1u << 18)
#define BIG_MBUFS	256
#define BIG_ROOM	UINT16_MAX	/* an mbuf's largest data room: longer records are lost */

bool lt_voip_on;

struct maddr {
	uint8_t family;
	uint8_t pad[3];
	uint8_t a[16];
};

static struct {
	const struct lt_config *cfg;
	struct voip *engine;
	struct rte_hash *maddrs;	/* media addresses: one writer, lock-free readers */
	struct rte_mempool *big;
	struct voip_warrant *warrants;
	struct sipcall_target *targets;
	uint64_t records_lost, maddrs_full;
} V;

static bool
server(uint8_t family, const uint8_t *a)
{
	size_t n = family == 4 ? 4 : 16;

	for (uint32_t i = 0; i < V.cfg->sip.nservers; i++)
		if (V.cfg->sip.servers[i].family == family &&
		    memcmp(V.cfg->sip.servers[i].addr, a, n) == 0)
			return true;
	return false;
}

static bool
media_addr(uint8_t family, const uint8_t *a)
{
	struct maddr k = { .family = family };

	memcpy(k.a, a, family == 4 ? 4 : 16);
	return rte_hash_lookup(V.maddrs, &k) >= 0;
}

bool
lt_voip_wants(uint8_t family, const uint8_t *l3, uint32_t len)
{
	const uint8_t *src, *dst, *l4;
	uint32_t hl;
	uint8_t proto;
	bool frag, srv;

	if (family == 4) {
		hl = (uint32_t)(l3[0] & 15) * 4;
		proto = l3[9];
		src = l3 + 12;
		dst = l3 + 16;
		frag = ((l3[6] & 0x3f) | l3[7]) != 0;
	} else {
		hl = 40;
		proto = l3[6];
		src = l3 + 8;
		dst = l3 + 24;
		frag = proto == 44;
	}
	srv = server(family, src) || server(family, dst);
	if (frag)
		return srv;
	if ((proto != 17 && proto != 6) || len < hl + 4)
		return false;
	l4 = l3 + hl;
	if (srv) {
		uint16_t sp = (uint16_t)(l4[0] << 8 | l4[1]), dp = (uint16_t)(l4[2] << 8 | l4[3]);

		for (unsigned i = 0; i < V.cfg->sip.nports; i++)
			if (V.cfg->sip.ports[i] == sp || V.cfg->sip.ports[i] == dp)
				return true;
	}
	return proto == 17 && (media_addr(family, src) || media_addr(family, dst));
}

/* The engine's call tracker holds a media address once more or once less. */
static void
on_media_ep(void *ctx, const struct sipcall_ep *ep, int delta)
{
	struct maddr k = { .family = ep->family };
	void *data;
	uintptr_t n = 0;

	(void)ctx;
	memcpy(k.a, ep->addr, ep->family == 4 ? 4 : 16);
	if (rte_hash_lookup_data(V.maddrs, &k, &data) >= 0)
		n = (uintptr_t)data;
	if (delta > 0) {
		if (n == 0 && (rte_hash_add_key_data(V.maddrs, &k, (void *)1) < 0 ||
		    lt_match_dyn_ref((struct lt_match *)lt_dp.match, ep->family, k.a, 1) < 0)) {
			V.maddrs_full++;
			return;
		}
		if (n > 0)
			rte_hash_add_key_data(V.maddrs, &k, (void *)(n + 1));
	} else if (n == 1) {
		rte_hash_del_key(V.maddrs, &k);
		lt_match_dyn_ref((struct lt_match *)lt_dp.match, ep->family, k.a, -1);
	} else if (n > 1) {
		rte_hash_add_key_data(V.maddrs, &k, (void *)(n - 1));
	}
}

static int
on_active(void *ctx, uint32_t w, int64_t ts)
{
	(void)ctx;
	return ts >= lt_dp.wm[w].start_us && ts < lt_dp.wm[w].end_us;
}

/* A record for the warrant's agency, through the ring of the worker that owns it. */
static void
on_record(void *ctx, uint32_t warrant, int is_cc, const uint8_t *rec, size_t len)
{
	const struct lt_wmatch *wm = &lt_dp.wm[warrant];
	struct rte_mempool *mp = lt_dp.workers[0].pool;
	struct rte_mbuf *m = NULL;
	struct lt_meta *md;

	(void)ctx;
	if (!(wm->content & (is_cc ? LT_CONTENT_CC : LT_CONTENT_IRI)))
		return;
	if (len + RTE_PKTMBUF_HEADROOM > rte_pktmbuf_data_room_size(mp))
		mp = V.big;
	if (len + RTE_PKTMBUF_HEADROOM > BIG_ROOM || (m = rte_pktmbuf_alloc(mp)) == NULL ||
	    rte_pktmbuf_append(m, (uint16_t)len) == NULL) {
		rte_pktmbuf_free(m);
		V.records_lost++;
		return;
	}
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), rec, len);
	md = lt_meta(m);
	md->kind = is_cc ? LT_MSG_CC : LT_MSG_IRI;
	md->nmatch = 0;
	md->msg_id = wm->agency;
	while (rte_ring_mp_enqueue(lt_dp.workers[wm->owner].ring, m) != 0) {
		if (!lt_dp.replay) {
			rte_pktmbuf_free(m);
			V.records_lost++;
			return;
		}
		lt_worker_yield(&lt_dp.workers[0]);
	}
}

/*
 * The engine's warrants (by slot: warrant i of cfg is slot_of[i], or i if
 * slot_of is NULL) and targets in w[nslots] and t[cfg->nsipids].  Returns
 * the number of targets.
 */
static uint32_t
engine_warrants(const struct lt_config *cfg, const uint32_t *slot_of,
    struct voip_warrant *wv, struct sipcall_target *t)
{
	uint32_t nt = 0;

	for (uint32_t i = 0; i < cfg->nwarrants; i++) {
		const struct lt_warrant *w = &cfg->warrants[i];
		const struct lt_agency *a = &cfg->agencies[w->agency];
		uint32_t s = slot_of != NULL ? slot_of[i] : i;

		wv[s].id = (struct etsi_ident){
			.pspdu_version = a->pspdu_version, .liid = w->liid,
			.liid_len = w->liid_len,
			.auth_cc = cfg->auth_cc[0] ? cfg->auth_cc : NULL,
			.operator_id = cfg->operator_id,
			.ne_id = cfg->ne_id[0] ? cfg->ne_id : NULL,
			.delivery_cc = cfg->delivery_cc[0] ? cfg->delivery_cc : NULL,
		};
		wv[s].content = (uint8_t)w->content;
		for (uint32_t k = 0; k < w->nsipids; k++) {
			/* a stored URI the tracker cannot take: said, and the others go on */
			if (sipcall_target_parse(w->sipids[k].v, w->sipids[k].len,
			    &t[nt], NULL, 0) < 0) {
				log_err("warrant %u: SIP identity %u is not one the call tracker "
				    "can match (sip:user@host, tel:+N, sip:user@*, sip:*@host): "
				    "not intercepted", i + 1, k + 1);
				continue;
			}
			t[nt].warrant = s;
			t[nt].from_ok = w->sip_from;
			nt++;
		}
	}
	return nt;
}

static int
engine_alloc(uint32_t nslots, uint32_t nsipids)
{
	V.warrants = calloc(nslots ? nslots : 1, sizeof(*V.warrants));
	V.targets = calloc(nsipids ? nsipids : 1, sizeof(*V.targets));
	return V.warrants != NULL && V.targets != NULL ? 0 : -1;
}

int
lt_voip_init(const struct lt_config *cfg, int socket)
{
	struct rte_hash_parameters hp = {
		.name = "lt_voip_maddr",
		.entries = MEDIA_ADDRS,
		.key_len = sizeof(struct maddr),
		.hash_func = rte_jhash,
		.socket_id = socket,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};
	struct voip_cfg vc = { .record = on_record, .active = on_active,
	    .media_ep = on_media_ep };
	uint32_t nt;

	if (cfg->sip.nservers == 0 && cfg->nsipids == 0)
		return 0;
	if (cfg->sip.nservers == 0) {
		/* the other warrants still run: refusing them all would be worse */
		log_err("warrants name SIP identities but the config has no sip section "
		    "(sip = { servers = [ ... ]; }): their calls are not intercepted");
		return 0;
	}
	V.cfg = cfg;
	if (engine_alloc(cfg->nwarrants, cfg->nsipids) < 0)
		return -1;
	nt = engine_warrants(cfg, NULL, V.warrants, V.targets);
	vc.calls = (struct sipcalls_cfg){ .max_calls = cfg->sip.max_calls,
	    .setup_us = (int64_t)cfg->sip.setup_timeout_s * 1000000,
	    .idle_us = (int64_t)cfg->sip.call_timeout_s * 1000000,
	    .targets = V.targets, .ntargets = nt, .first_cin = 1 };
	vc.warrants = V.warrants;
	vc.nwarrants = cfg->nwarrants ? cfg->nwarrants : 1;
	memcpy(vc.sip_ports, cfg->sip.ports, sizeof(vc.sip_ports));
	vc.nports = cfg->sip.nports;
	V.maddrs = rte_hash_create(&hp);
	V.big = rte_pktmbuf_pool_create("lt_voip_big", BIG_MBUFS, 0,
	    RTE_ALIGN(sizeof(struct lt_meta), RTE_MBUF_PRIV_ALIGN),
	    BIG_ROOM, socket);
	if (V.maddrs == NULL || V.big == NULL || (V.engine = voip_new(&vc)) == NULL)
		return -1;
	for (uint32_t i = 0; i < cfg->sip.nservers; i++)
		if (lt_match_dyn_ref((struct lt_match *)lt_dp.match,
		    cfg->sip.servers[i].family, cfg->sip.servers[i].addr, 1) < 0)
			return -1;
	lt_voip_on = true;
	return 0;
}

void
lt_voip_free(void)
{
	voip_free(V.engine);
	rte_hash_free(V.maddrs);
	rte_mempool_free(V.big);
	free(V.warrants);
	free(V.targets);
	memset(&V, 0, sizeof(V));
	lt_voip_on = false;
}

int
lt_voip_reload_build(const struct lt_config *cfg, const uint32_t *slot_of, uint32_t nslots,
    void **out, char *err, size_t errlen)
{
	struct voip_warrant *wv;
	struct sipcall_target *t;
	uint32_t nt;

	*out = NULL;
	if (!lt_voip_on) {
		if (cfg->nsipids > 0)
			log_err("reload: warrants name SIP identities but the VoIP engine did not "
			    "start (no sip section at start): a restart is needed for them");
		return 0;
	}
	if (cfg->sip.nservers != V.cfg->sip.nservers ||
	    memcmp(cfg->sip.servers, V.cfg->sip.servers,
	    cfg->sip.nservers * sizeof(cfg->sip.servers[0])) != 0 ||
	    cfg->sip.nports != V.cfg->sip.nports ||
	    memcmp(cfg->sip.ports, V.cfg->sip.ports, sizeof(cfg->sip.ports)) != 0)
		log_warn("reload: the sip section changed: it takes effect at the next "
		    "restart (warrants apply now)");
	wv = calloc(nslots ? nslots : 1, sizeof(*wv));
	t = calloc(cfg->nsipids ? cfg->nsipids : 1, sizeof(*t));
	if (wv == NULL || t == NULL) {
		free(wv);
		free(t);
		snprintf(err, errlen, "out of memory building the SIP identities");
		return -1;
	}
	nt = engine_warrants(cfg, slot_of, wv, t);
	*out = voip_ids_new(V.engine, wv, nslots ? nslots : 1, t, nt);
	free(wv);
	free(t);
	if (*out == NULL) {
		snprintf(err, errlen, "out of memory building the SIP identities");
		return -1;
	}
	return 0;
}

void
lt_voip_reload_publish(void *ids, const uint8_t *ended, uint32_t nended, int64_t now_us)
{
	if (ids != NULL)
		voip_ids_free(voip_ids_swap(V.engine, ids, ended, nended, now_us));
}

void
lt_voip_reload_free(void *ids)
{
	voip_ids_free(ids);
}

void
lt_voip_process(const uint8_t *l3, uint32_t len, int64_t ts)
{
	voip_packet(V.engine, l3, len, ts);
}

void
lt_voip_tick(int64_t clock_us)
{
	if (lt_voip_on)
		voip_tick(V.engine, clock_us);
}
