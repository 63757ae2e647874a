/* dhcpsess.c - DHCPv4 exchanges -> address bindings of MACs -> IRIs and CC of target bindings. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_malloc.h>

#include "dp.h"
#include "session/aaa/dhcp.h"
#include "session/track/track_impl.h"

#define SWEEP_SLOTS	256	/* session slots looked at per 1 ms tick */

struct dkey {
	uint8_t mac[6], pad[2];
};

static struct {
	struct rte_hash *tab;
	struct lt_sess *sess;
	uint32_t *tlist, ntlist;	/* bindings with intercepts */
	uint32_t *tidx;
	uint32_t sweep, max;
} D;

int
lt_dhcp_init(const struct lt_config *cfg, int socket)
{
	struct rte_hash_parameters hp = {
		.name = "lt_dhcp",
		.entries = cfg->aaa.max_sessions,
		.key_len = sizeof(struct dkey),
		.hash_func = rte_jhash,
		.socket_id = socket,
	};
	uint32_t max = cfg->aaa.max_sessions;

	if (cfg->aaa.ndhcp == 0)
		return 0;
	D.tab = rte_hash_create(&hp);
	D.max = max;
	D.sess = rte_zmalloc_socket("lt_dhcp_sess", (size_t)max * sizeof(*D.sess), 64, socket);
	D.tlist = calloc(max, sizeof(uint32_t));
	D.tidx = calloc(max, sizeof(uint32_t));
	if (D.tab == NULL || D.sess == NULL || D.tlist == NULL || D.tidx == NULL)
		return -1;
	return 0;
}

void
lt_dhcp_free(void)
{
	rte_hash_free(D.tab);
	rte_free(D.sess);
	free(D.tlist);
	free(D.tidx);
	memset(&D, 0, sizeof(D));
}

static void
binding_delete(uint32_t pos)
{
	struct lt_sess *s = &D.sess[pos];
	struct dkey k;
	void *kp;

	if (s->icept != LT_NONE) {
		uint32_t i = D.tidx[pos], last = D.tlist[--D.ntlist];

		D.tlist[i] = last;
		D.tidx[last] = i;
	}
	lt_sess_release(s);
	if (rte_hash_get_key_with_position(D.tab, (int32_t)pos, &kp) == 0) {
		memcpy(&k, kp, sizeof(k));
		rte_hash_del_key(D.tab, &k);
		lt_tst.sessions--;
	}
	lt_tst.session_ends++;
}

static void
binding_end(uint32_t pos, uint32_t reason, int64_t ts_us)
{
	struct lt_iri_extra x = { .has_end_reason = 1, .end_reason = reason, .end_us = ts_us };
	struct lt_sess *s = &D.sess[pos];

	lt_sess_windows(s, ts_us);
	lt_sess_iri(s, ETSI_IRI_END, ETSI_AE_ACCESS_END, &x, ts_us);
	binding_delete(pos);
}

/* Leases that ran out by clock_us: IRI-End leaseExpired at the moment each ended. */
void
lt_dhcp_expire(int64_t clock_us)
{
	if (D.tab == NULL)
		return;
	for (uint32_t i = 0; i < D.ntlist;) {
		uint32_t pos = D.tlist[i];

		if (D.sess[pos].expire_us <= clock_us)
			binding_end(pos, 4, D.sess[pos].expire_us);	/* moves another to i */
		else
			i++;
	}
}

void
lt_dhcp_tick(int64_t clock_us)
{
	if (D.tab == NULL)
		return;
	lt_dhcp_expire(clock_us);
	for (uint32_t i = 0; D.ntlist > 0 && i < D.ntlist; i++)
		lt_sess_windows(&D.sess[D.tlist[i]], clock_us);
	/* a bounded window of slots per tick: a full pass takes max / SWEEP_SLOTS ticks */
	for (unsigned i = 0; i < SWEEP_SLOTS; i++) {
		int32_t pos = (int32_t)D.sweep;
		void *key;

		D.sweep = D.sweep + 1 >= D.max ? 0 : D.sweep + 1;
		if (rte_hash_get_key_with_position(D.tab, pos, &key) != 0)
			continue;	/* a free slot */
		if (D.sess[pos].icept == LT_NONE && D.sess[pos].expire_us <= clock_us)
			binding_delete((uint32_t)pos);
	}
}

static void
new_icepts(uint32_t pos, const struct dhcp4_msg *m, const char mac[18], int64_t ts_us,
    uint8_t server)
{
	struct lt_sess *s = &D.sess[pos];
	uint32_t tw[LT_BSET_MAX], *tail = &s->icept;
	unsigned nmac, n;

	nmac = n = lt_track_targets(LT_IDENT_MAC, m->chaddr, 6, tw, LT_BSET_MAX);
	if (DHCP4_HAS(m, DHCP4_F_CIRCUIT_ID) && n < LT_BSET_MAX) {
		uint32_t more[LT_BSET_MAX];
		unsigned nc = lt_track_targets(LT_IDENT_CIRCUIT, m->circuit_id.p,
		    m->circuit_id.len, more, LT_BSET_MAX);

		for (unsigned i = 0; i < nc && n < LT_BSET_MAX; i++) {
			unsigned k;

			for (k = 0; k < n && tw[k] != more[i]; k++)
				;
			if (k == n)
				tw[n++] = more[i];
		}
	}
	for (unsigned i = 0; i < n; i++) {
		struct lt_icept *ic;
		uint32_t id;

		if (ts_us >= lt_dp.wm[tw[i]].end_us)
			continue;
		id = i < nmac ? lt_icept_new(tw[i], pos, (const uint8_t *)mac, 17) :
		    lt_icept_new(tw[i], pos, m->circuit_id.p, m->circuit_id.len);
		if (id == LT_NONE)
			continue;
		ic = &lt_icepts[id];
		ic->server = server;
		ic->auth_type = 3;		/* dhcpAAA */
		ic->access_type = lt_tcfg->aaa.dhcp[server].access_type;
		ic->netid_len = 17;
		memcpy(ic->netid, mac, 17);
		if (DHCP4_HAS(m, DHCP4_F_CIRCUIT_ID)) {
			ic->cpe_len = (uint8_t)(m->circuit_id.len > sizeof(ic->cpe) ?
			    sizeof(ic->cpe) : m->circuit_id.len);
			memcpy(ic->cpe, m->circuit_id.p, ic->cpe_len);
		}
		*tail = id;
		tail = &ic->next;
	}
	if (s->icept != LT_NONE) {
		D.tidx[pos] = D.ntlist;
		D.tlist[D.ntlist++] = pos;
		lt_tst.target_sessions++;
	}
}

/* What the intercepts of s say about where and until when (each ACK renews it). */
static void
set_pop(struct lt_sess *s, const uint8_t pop[static 4])
{
	for (uint32_t id = s->icept; id != LT_NONE; id = lt_icepts[id].next) {
		struct lt_icept *ic = &lt_icepts[id];

		memset(&ic->pop, 0, offsetof(struct lt_pop, id));
		ic->pop.family = 4;
		memcpy(ic->pop.addr, pop, 4);
		ic->expected_end_us = s->expire_us == INT64_MAX ? 0 : s->expire_us;
	}
}

static void
ack(const struct dhcp4_msg *m, const uint8_t *l3, uint32_t l3_len, const uint8_t *src,
    uint8_t server, int64_t ts_us)
{
	static const uint8_t zero[4];
	struct dkey k = { 0 };
	const uint8_t *pop;
	struct lt_sess *s;
	int64_t expire;
	char mac[18];
	int32_t pos;

	expire = DHCP4_HAS(m, DHCP4_F_LEASE_TIME) && m->lease_time != UINT32_MAX ?
	    ts_us + (int64_t)m->lease_time * 1000000 : INT64_MAX;
	pop = memcmp(m->giaddr, zero, 4) != 0 ? m->giaddr :
	    m->server_id != NULL ? m->server_id : src;
	memcpy(k.mac, m->chaddr, 6);
	if ((pos = rte_hash_lookup(D.tab, &k)) >= 0) {
		s = &D.sess[pos];
		if (memcmp(s->v4, m->yiaddr, 4) == 0) {		/* a renewal */
			s->expire_us = expire;
			lt_sess_set_expiry(s, expire);
			set_pop(s, pop);
			lt_sess_windows(s, ts_us);
			lt_sess_iri(s, ETSI_IRI_CONTINUE, ETSI_AE_INTERIM_UPDATE, NULL, ts_us);
			lt_sess_aaa_cc(s, l3, l3_len, ts_us);
			return;
		}
		binding_end((uint32_t)pos, 0, ts_us);	/* another address: a new binding */
	}
	if ((pos = rte_hash_add_key(D.tab, &k)) < 0) {
		lt_tst.sessions_full++;
		return;
	}
	s = &D.sess[pos];
	memset(s, 0, sizeof(*s));
	s->start_us = ts_us;
	s->expire_us = expire;
	s->server = server;
	s->icept = LT_NONE;
	s->bset = LT_NONE;
	s->has_v4 = 1;
	memcpy(s->v4, m->yiaddr, 4);
	lt_tst.sessions++;
	lt_tst.session_starts++;
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m->chaddr[0],
	    m->chaddr[1], m->chaddr[2], m->chaddr[3], m->chaddr[4], m->chaddr[5]);
	new_icepts((uint32_t)pos, m, mac, ts_us, server);
	set_pop(s, pop);
	lt_sess_iri(s, ETSI_IRI_BEGIN, ETSI_AE_ACCESS_ACCEPT, NULL, ts_us);
	lt_sess_aaa_cc(s, l3, l3_len, ts_us);
	lt_sess_bind(s);
}

void
lt_dhcp_input(const uint8_t *l3, uint32_t l3_len, const uint8_t *src, const uint8_t *udp,
    size_t len, int server, int64_t ts_us)
{
	static const uint8_t zero[4];
	struct dhcp4_msg m;
	struct dkey k = { 0 };
	int32_t pos;

	lt_tst.aaa_packets++;
	lt_dhcp_expire(ts_us);
	if (D.tab == NULL || dhcp4_parse(udp, len, &m) != DHCP4_OK) {
		lt_tst.aaa_malformed++;		/* a duplicate option too: never bound */
		return;
	}
	if (m.op == 2 && m.msg_type == DHCP4_ACK) {
		if (memcmp(m.yiaddr, zero, 4) != 0)	/* not an answer to DHCPINFORM */
			ack(&m, l3, l3_len, src, (uint8_t)server, ts_us);
		return;
	}
	if (m.op != 1 || (m.msg_type != DHCP4_RELEASE && m.msg_type != DHCP4_DECLINE))
		return;
	memcpy(k.mac, m.chaddr, 6);
	if ((pos = rte_hash_lookup(D.tab, &k)) < 0 || (m.msg_type == DHCP4_RELEASE &&
	    memcmp(D.sess[pos].v4, m.ciaddr, 4) != 0)) {
		lt_tst.stop_without_start++;
		return;
	}
	lt_sess_windows(&D.sess[pos], ts_us);
	lt_sess_aaa_cc(&D.sess[pos], l3, l3_len, ts_us);
	binding_end((uint32_t)pos, m.msg_type == DHCP4_RELEASE ? 1 : 0, ts_us);
}

/* A reload added warrants from slot first_new on: bindings of the MACs they name. */
void
lt_dhcp_scan_new(uint32_t first_new)
{
	int64_t now = lt_dp_clock_us();

	if (D.tab == NULL)
		return;
	for (uint32_t w = first_new; w < lt_dp.nslots; w++) {
		const struct lt_warrant *wr = lt_dp.wrec[w];

		for (uint32_t i = 0; i < wr->nidents; i++) {
			const struct lt_ident *id = &wr->idents[i];
			struct dkey k = { 0 };
			struct lt_sess *s;
			struct lt_icept *ic;
			uint32_t ic_id, *tail;
			char mac[18];
			int32_t pos;
			bool was_target;

			if (id->kind != LT_IDENT_MAC)
				continue;
			memcpy(k.mac, id->v, 6);
			if ((pos = rte_hash_lookup(D.tab, &k)) < 0)
				continue;
			s = &D.sess[pos];
			was_target = s->icept != LT_NONE;
			snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", id->v[0],
			    id->v[1], id->v[2], id->v[3], id->v[4], id->v[5]);
			if ((ic_id = lt_icept_new(w, (uint32_t)pos, (const uint8_t *)mac, 17)) ==
			    LT_NONE)
				continue;
			ic = &lt_icepts[ic_id];
			ic->server = s->server;
			ic->auth_type = 3;		/* dhcpAAA */
			ic->access_type = lt_tcfg->aaa.dhcp[s->server].access_type;
			ic->netid_len = 17;
			memcpy(ic->netid, mac, 17);
			ic->expected_end_us = s->expire_us == INT64_MAX ? 0 : s->expire_us;
			if (was_target)		/* where: what the binding's intercepts know */
				ic->pop = lt_icepts[s->icept].pop;
			for (tail = &s->icept; *tail != LT_NONE; tail = &lt_icepts[*tail].next)
				;
			*tail = ic_id;
			if (!was_target) {
				D.tidx[pos] = D.ntlist;
				D.tlist[D.ntlist++] = (uint32_t)pos;
				lt_tst.target_sessions++;
			}
			lt_sess_windows(s, now);
			lt_sess_bind(s);
		}
	}
}
