/* voip.c - the VoIP engine: IP packets to the call tracker, its events to IPMMIRI, media to IPMMCC. */
#include <stdlib.h>
#include <string.h>

#include "session/sip/ipfrag.h"
#include "session/sip/voip.h"

#define NIL		UINT32_MAX
#define FRAG_SLOTS	64
#define FRAG_TIMEOUT_US	((int64_t)5 * 1000000)
#define REC_MAX		(ETSI_IPMM_HEAD_MAX + 65536 + ETSI_IPMMCC_TAIL_MAX)

/* One (call, warrant): its own CIN, PSHeader template and sequence numbers. */
struct ist {
	uint32_t cin, warrant;
	uint32_t hnext;			/* hash chain; free list */
	uint32_t iri_seq, cc_seq;
	struct etsi_tmpl tmpl;
};

/* The warrants records are made for, by index; the targets live in the tracker (tg only in passing). */
struct voip_ids {
	struct voip_warrant *w;
	uint32_t nw;
	struct sipcall_targets *tg;
};

struct voip {
	struct voip_cfg cfg;
	struct voip_ids *ids;
	struct sipcalls *calls;
	struct sipstream *tcp;
	struct ipfrag *frag;
	struct ist *ist;
	uint32_t *ihead, imask, ifree, nist;
	struct voip_stats st;
	uint8_t rec[REC_MAX];
};

static uint32_t *
ist_slot(struct voip *v, uint32_t cin)
{
	uint32_t *pp = &v->ihead[(cin * 2654435761u) & v->imask];

	while (*pp != NIL && v->ist[*pp].cin != cin)
		pp = &v->ist[*pp].hnext;
	return pp;
}

/* The state of (cin, warrant), made at its first record; NULL if there is no room. */
static struct ist *
ist_get(struct voip *v, uint32_t cin, uint32_t warrant)
{
	uint32_t *pp = ist_slot(v, cin), i;
	struct etsi_ident id;
	struct ist *s;

	if (*pp != NIL)
		return &v->ist[*pp];
	if ((i = v->ifree) == NIL || warrant >= v->ids->nw) {
		v->st.icepts_full++;
		return NULL;
	}
	s = &v->ist[i];
	id = v->ids->w[warrant].id;
	id.has_cin = 1;
	id.cin = cin;
	if (etsi_tmpl_init(&s->tmpl, &id) < 0) {
		v->st.encode_failed++;
		return NULL;
	}
	v->ifree = s->hnext;
	s->cin = cin;
	s->warrant = warrant;
	s->iri_seq = s->cc_seq = 0;
	s->hnext = NIL;
	*pp = i;
	v->nist++;
	return s;
}

static void
ist_put(struct voip *v, uint32_t cin)
{
	uint32_t *pp = ist_slot(v, cin), i = *pp;

	if (i == NIL)
		return;
	*pp = v->ist[i].hnext;
	v->ist[i].hnext = v->ifree;
	v->ifree = i;
	v->nist--;
}

static uint32_t
version(const struct voip *v, uint32_t warrant)
{
	uint32_t n = v->ids->w[warrant].ipmm_version;

	return n ? n : ETSI_IPMM_VERSION;
}

static void
ep_addr(struct etsi_ipaddr *a, const struct sipcall_ep *e)
{
	memset(a, 0, sizeof(*a));
	a->family = e->family;
	a->prefix_len = e->family == 4 ? 32 : 128;
	memcpy(a->addr, e->addr, 16);
}

static struct etsi_time
etime(int64_t us)
{
	return (struct etsi_time){ us / 1000000, (uint32_t)(us % 1000000) };
}

static void
on_iri(void *ctx, const struct sipcall_iri *e)
{
	struct voip *v = ctx;
	struct etsi_sipmsg m = { .iri_type = e->iri_type };
	struct ist *s;
	int n;

	/* outside the warrant's window: nothing, but the End of a CIN begun inside it */
	if (v->cfg.active != NULL && !v->cfg.active(v->cfg.ctx, e->warrant, e->ts_us) &&
	    (e->iri_type != ETSI_IRI_END || *ist_slot(v, e->cin) == NIL))
		return;
	if ((s = ist_get(v, e->cin, e->warrant)) == NULL)
		return;
	if (e->warrant < v->ids->nw && (v->ids->w[e->warrant].content & VOIP_IRI)) {
		/* the first IRI of the CIN begins it, whatever was left out before the window */
		if (s->iri_seq == 0 && m.iri_type == ETSI_IRI_CONTINUE)
			m.iri_type = ETSI_IRI_BEGIN;
		m.version = version(v, e->warrant);
		ep_addr(&m.src, e->src);
		ep_addr(&m.dst, e->dst);
		m.sip_len = e->pkt != NULL ? e->pkt->len : 0;
		n = etsi_ipmmiri_encode(v->rec, sizeof(v->rec), &s->tmpl, s->iri_seq,
		    etime(e->ts_us), &m, e->pkt != NULL ? e->pkt->msg : NULL);
		if (n < 0) {
			v->st.encode_failed++;
		} else {
			s->iri_seq++;
			v->st.records_iri++;
			v->cfg.record(v->cfg.ctx, e->warrant, 0,
			    v->rec + sizeof(v->rec) - n, (size_t)n);
		}
	}
	if (e->iri_type == ETSI_IRI_END)
		ist_put(v, e->cin);
}

static void
on_media_ep(void *ctx, const struct sipcall_ep *ep, int delta)
{
	struct voip *v = ctx;

	v->cfg.media_ep(v->cfg.ctx, ep, delta);
}

static void
sip_msg(struct voip *v, const struct sipcall_ep *src, const struct sipcall_ep *dst,
    const uint8_t *msg, size_t len, int64_t ts)
{
	struct sipcall_pkt p = { .msg = msg, .len = len, .src = *src, .dst = *dst,
	    .ts_us = ts };

	sipcalls_input(v->calls, &p);
}

static void
on_tcp(void *ctx, const struct sipstream_key *k, const uint8_t *msg, size_t len,
    int64_t ts)
{
	struct sipcall_ep s = { .family = k->family, .port = k->sport },
	    d = { .family = k->family, .port = k->dport };

	memcpy(s.addr, k->src, 16);
	memcpy(d.addr, k->dst, 16);
	sip_msg(ctx, &s, &d, msg, len, ts);
}

struct voip *
voip_new(const struct voip_cfg *cfg)
{
	struct sipstream_cfg sc = { .max_flows = cfg->max_flows ? cfg->max_flows : 4096,
	    .hash_key = cfg->calls.hash_key, .msg = on_tcp };
	struct sipcalls_cfg cc = cfg->calls;
	struct voip *v;
	uint32_t n, size = 16;

	if (cfg->record == NULL || cfg->nwarrants == 0 ||
	    (v = calloc(1, sizeof(*v))) == NULL)
		return NULL;
	v->cfg = *cfg;
	if (v->cfg.nports == 0) {
		v->cfg.sip_ports[0] = 5060;
		v->cfg.nports = 1;
	}
	cc.iri = on_iri;
	cc.media_ep = cfg->media_ep != NULL ? on_media_ep : NULL;
	cc.ctx = v;
	sc.ctx = v;
	n = cc.max_calls * 2;
	while (size < n)
		size <<= 1;
	v->imask = size - 1;
	v->ids = calloc(1, sizeof(*v->ids));
	if (v->ids != NULL && (v->ids->w = malloc(cfg->nwarrants * sizeof(*v->ids->w))) != NULL) {
		memcpy(v->ids->w, cfg->warrants, cfg->nwarrants * sizeof(*v->ids->w));
		v->ids->nw = cfg->nwarrants;
	}
	v->calls = sipcalls_new(&cc);
	v->tcp = sipstream_new(&sc);
	v->frag = ipfrag_new(FRAG_SLOTS, FRAG_TIMEOUT_US);
	v->ist = calloc(n, sizeof(*v->ist));
	v->ihead = malloc(size * sizeof(*v->ihead));
	if (v->ids == NULL || v->ids->w == NULL || v->calls == NULL || v->tcp == NULL ||
	    v->frag == NULL || v->ist == NULL || v->ihead == NULL || n == 0) {
		voip_free(v);
		return NULL;
	}
	memset(v->ihead, 0xff, size * sizeof(*v->ihead));
	for (uint32_t i = 0; i < n; i++)
		v->ist[i].hnext = i + 1 < n ? i + 1 : NIL;
	return v;
}

void
voip_free(struct voip *v)
{
	if (v == NULL)
		return;
	voip_ids_free(v->ids);
	sipcalls_free(v->calls);
	sipstream_free(v->tcp);
	ipfrag_free(v->frag);
	free(v->ist);
	free(v->ihead);
	free(v);
}

struct voip_ids *
voip_ids_new(const struct voip *v, const struct voip_warrant *w, uint32_t nw,
    const struct sipcall_target *t, uint32_t nt)
{
	struct voip_ids *ids;

	if (nw == 0 || (ids = calloc(1, sizeof(*ids))) == NULL)
		return NULL;
	ids->nw = nw;
	ids->w = malloc(nw * sizeof(*ids->w));
	ids->tg = sipcall_targets_new(v->calls, t, nt);
	if (ids->w == NULL || ids->tg == NULL) {
		voip_ids_free(ids);
		return NULL;
	}
	memcpy(ids->w, w, nw * sizeof(*w));
	return ids;
}

void
voip_ids_free(struct voip_ids *ids)
{
	if (ids == NULL)
		return;
	free(ids->w);
	sipcall_targets_free(ids->tg);
	free(ids);
}

struct voip_ids *
voip_ids_swap(struct voip *v, struct voip_ids *ids, const uint8_t *ended, uint32_t nended,
    int64_t now)
{
	struct voip_ids *old = v->ids;

	/* the Ends go out under the warrants they were made for */
	if (ended != NULL)
		sipcalls_end_warrants(v->calls, ended, nended, now);
	old->tg = sipcalls_targets_swap(v->calls, ids->tg);
	ids->tg = NULL;
	v->ids = ids;
	return old;
}

static int
sip_port(const struct voip *v, uint16_t sport, uint16_t dport)
{
	for (unsigned i = 0; i < v->cfg.nports; i++)
		if (v->cfg.sip_ports[i] == sport || v->cfg.sip_ports[i] == dport)
			return 1;
	return 0;
}

/* A UDP packet of a call's media: one IPMMCC per warrant that wants CC. */
static int
media(struct voip *v, const struct sipcall_ep *s, const struct sipcall_ep *d,
    const uint8_t *pay, size_t len, int64_t ts)
{
	struct sipcall_hit h;

	if (sipcalls_media(v->calls, s, d, &h) != 1)
		return 0;
	v->st.media++;
	for (unsigned k = 0; k < h.n; k++) {
		uint32_t w = h.ic[k].warrant;
		struct etsi_mmcc c = { .dir = h.ic[k].dir, .sid = h.sid,
		    .sid_len = h.sid_len, .pkt_len = len };
		struct ist *st;
		int n;

		if (w >= v->ids->nw || !(v->ids->w[w].content & VOIP_CC) ||
		    (v->cfg.active != NULL && !v->cfg.active(v->cfg.ctx, w, ts)) ||
		    (st = ist_get(v, h.ic[k].cin, w)) == NULL)
			continue;
		c.version = version(v, w);
		n = etsi_ipmmcc_encode(v->rec, sizeof(v->rec), &st->tmpl, st->cc_seq,
		    etime(ts), &c, pay);
		if (n < 0) {
			v->st.encode_failed++;
			continue;
		}
		st->cc_seq++;
		v->st.records_cc++;
		v->cfg.record(v->cfg.ctx, w, 1, v->rec + sizeof(v->rec) - n, (size_t)n);
	}
	return 1;
}

int
voip_packet(struct voip *v, const uint8_t *l3, size_t len, int64_t ts)
{
	struct sipcall_ep s = { 0 }, d = { 0 };
	const uint8_t *l4;
	size_t hl, l4len;
	uint8_t proto;

	v->st.packets++;
	if (len >= 20 && l3[0] >> 4 == 4) {
		size_t tl = (size_t)l3[2] << 8 | l3[3];

		hl = (size_t)(l3[0] & 15) * 4;
		if (hl < 20 || tl < hl || tl > len)
			goto not_ip;
		len = tl;
		s.family = d.family = 4;
		memcpy(s.addr, l3 + 12, 4);
		memcpy(d.addr, l3 + 16, 4);
		proto = l3[9];
	} else if (len >= 40 && l3[0] >> 4 == 6) {
		size_t pl = (size_t)l3[4] << 8 | l3[5];

		hl = 40;
		if (40 + pl > len)
			goto not_ip;
		len = 40 + pl;
		s.family = d.family = 6;
		memcpy(s.addr, l3 + 8, 16);
		memcpy(d.addr, l3 + 24, 16);
		proto = l3[6];
	} else
		goto not_ip;
	if (ipfrag_is_fragment(l3, len)) {
		size_t wl;
		const uint8_t *whole;

		v->st.fragments++;
		whole = ipfrag_add(v->frag, l3, len, ts, &wl, &v->st.frag_lost);
		/* the datagram, whole: once through again (it is no fragment now) */
		return whole != NULL ? voip_packet(v, whole, wl, ts) : 0;
	}
	l4 = l3 + hl;
	l4len = len - hl;
	if (proto == 17 && l4len >= 8) {
		size_t ul = (size_t)l4[4] << 8 | l4[5];

		if (ul < 8 || ul > l4len)
			return 0;
		s.port = (uint16_t)(l4[0] << 8 | l4[1]);
		d.port = (uint16_t)(l4[2] << 8 | l4[3]);
		if (sip_port(v, s.port, d.port)) {
			v->st.sip_udp++;
			sip_msg(v, &s, &d, l4 + 8, ul - 8, ts);
			return 1;
		}
		return media(v, &s, &d, l4 + 8, ul - 8, ts);
	}
	if (proto == 6 && l4len >= 20) {
		size_t off = (size_t)(l4[12] >> 4) * 4;
		struct sipstream_key k = { .family = s.family };

		k.sport = (uint16_t)(l4[0] << 8 | l4[1]);
		k.dport = (uint16_t)(l4[2] << 8 | l4[3]);
		if (off < 20 || off > l4len || !sip_port(v, k.sport, k.dport))
			return 0;
		memcpy(k.src, s.addr, 16);
		memcpy(k.dst, d.addr, 16);
		v->st.sip_tcp++;
		sipstream_input(v->tcp, &k, (uint32_t)l4[4] << 24 |
		    (uint32_t)l4[5] << 16 | (uint32_t)l4[6] << 8 | l4[7],
		    l4[13] & 7, l4 + off, l4len - off, ts);
		return 1;
	}
	return 0;
not_ip:
	v->st.not_ip++;
	return 0;
}

void
voip_tick(struct voip *v, int64_t now)
{
	sipcalls_tick(v->calls, now);
	sipstream_tick(v->tcp, now);
}

const struct voip_stats *
voip_stats(const struct voip *v)
{
	return &v->st;
}

const struct sipcalls *
voip_calls(const struct voip *v)
{
	return v->calls;
}

const struct sipstream *
voip_streams(const struct voip *v)
{
	return v->tcp;
}
