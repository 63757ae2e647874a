/* radsess.c - RADIUS exchanges -> subscriber sessions -> IRIs and bindings of target sessions. */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <sodium.h>

#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_malloc.h>

#include "dp.h"
#include "session/aaa/radius.h"
#include "session/track/track_impl.h"
#include "util/log.h"

#define NAS_MAX		4096
#define PEND_MAX	16384
#define POP_ID_MAX	128
#define SWEEP_SLOTS	256	/* session slots looked at per 1 ms tick */

enum { KEY_SESSION_ID = 0, KEY_USER = 1 };

struct skey {
	uint32_t nas, kind;
	uint64_t h;
};

struct nkey {
	uint8_t kind, pad[3];		/* 4, 6: an address; 'I': a NAS-Identifier's hash */
	uint8_t v[16];
};

struct nas {
	uint32_t gen;
	uint8_t family, id_len;
	uint8_t addr[16];
	uint8_t id[POP_ID_MAX];
};

struct pkey {
	uint8_t family, id, code, pad;	/* code: of the request */
	uint16_t port, pad2;
	uint8_t a[16];
};

/*
 * A request waiting for its answer: an Access-Request, or an
 * Accounting-Request whose response is CC of the intercepts it holds.
 */
struct pend {
	uint64_t seq;			/* 0: free */
	int64_t ts_us;
	uint64_t user_h, csid_h, asid_h;
	uint32_t nas;
	uint8_t code, server, ntw, uname_len;
	uint8_t auth[RADIUS_AUTH_LEN];
	uint32_t tw[LT_BSET_MAX];	/* warrants naming the user */
	uint8_t nhold;
	uint32_t hold[LT_BSET_MAX];	/* intercepts the response goes to */
	struct rte_mbuf *req;		/* the request, for aaa_cc warrants */
	struct lt_pop pop;		/* kept only when ntw > 0 */
	uint8_t uname[LT_IDENT_MAX];	/* kept only when ntw > 0 */
};

static struct {
	struct rte_hash *stab, *ntab, *ptab;
	struct lt_sess *sess;
	struct nas *nas;
	uint32_t nnas;
	struct pend *pend;
	struct { uint32_t pos; uint64_t seq; } *fifo;
	uint32_t fhead, ftail;
	uint64_t seq;
	uint32_t *tlist, ntlist;	/* sessions with intercepts */
	uint32_t *tidx;			/* per session slot: its index in tlist */
	uint32_t sweep, max;
	uint32_t scan, scan_first;	/* a reload's new warrants looking for sessions */
	bool scanning;
	int64_t timeout_us;
	int64_t next_window_us;
	uint64_t windows_seen;		/* lt_dp.windows_changed when it was found */
} R;

static struct rte_hash *
mkhash(const char *name, uint32_t entries, uint32_t key_len, int socket)
{
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = entries,
		.key_len = key_len,
		.hash_func = rte_jhash,
		.socket_id = socket,
	};

	return rte_hash_create(&hp);
}

int
lt_rad_init(const struct lt_config *cfg, int socket)
{
	uint32_t max = cfg->aaa.max_sessions;

	R.stab = mkhash("lt_sessions", max, sizeof(struct skey), socket);
	R.ntab = mkhash("lt_nas", NAS_MAX, sizeof(struct nkey), socket);
	R.ptab = mkhash("lt_pending", PEND_MAX, sizeof(struct pkey), socket);
	R.sess = rte_zmalloc_socket("lt_sess", (size_t)max * sizeof(*R.sess), 64, socket);
	R.nas = rte_zmalloc_socket("lt_nas", NAS_MAX * sizeof(*R.nas), 64, socket);
	R.pend = rte_zmalloc_socket("lt_pend", PEND_MAX * sizeof(*R.pend), 64, socket);
	R.fifo = calloc(PEND_MAX, sizeof(*R.fifo));
	R.tlist = calloc(max, sizeof(uint32_t));
	R.tidx = calloc(max, sizeof(uint32_t));
	R.timeout_us = (int64_t)cfg->aaa.access_timeout_s * 1000000;
	R.max = max;
	R.next_window_us = INT64_MIN;
	if (R.stab == NULL || R.ntab == NULL || R.ptab == NULL || R.sess == NULL ||
	    R.nas == NULL || R.pend == NULL || R.fifo == NULL || R.tlist == NULL ||
	    R.tidx == NULL)
		return -1;
	return 0;
}

void
lt_rad_free(void)
{
	rte_hash_free(R.stab);
	rte_hash_free(R.ntab);
	rte_hash_free(R.ptab);
	rte_free(R.sess);
	rte_free(R.nas);
	rte_free(R.pend);
	free(R.fifo);
	free(R.tlist);
	free(R.tidx);
	memset(&R, 0, sizeof(R));
}

/* Bytes of session memory per session the table can hold (for the operator). */
size_t
lt_rad_session_bytes(void)
{
	return sizeof(struct lt_sess);
}

static inline bool
active(uint32_t w, int64_t t)
{
	return t >= lt_dp.wm[w].start_us && t < lt_dp.wm[w].end_us;
}

/* The NAS a request comes from, created on first sight; LT_NONE if the table is full. */
static uint32_t
nas_of(const struct radius_msg *m, uint8_t family, const uint8_t *src)
{
	struct nkey k = { 0 };
	struct nas *n;
	int32_t pos;

	if (m->nas_ip != NULL) {
		k.kind = 4;
		memcpy(k.v, m->nas_ip, 4);
	} else if (m->nas_ipv6 != NULL) {
		k.kind = 6;
		memcpy(k.v, m->nas_ipv6, 16);
	} else if (RADIUS_HAS(m, RADIUS_F_NAS_ID)) {
		uint64_t h = lt_track_hash(m->nas_id.p, m->nas_id.len);

		k.kind = 'I';
		memcpy(k.v, &h, sizeof(h));
	} else {
		k.kind = family;
		memcpy(k.v, src, family == 4 ? 4 : 16);
	}
	if ((pos = rte_hash_add_key(R.ntab, &k)) < 0)
		return LT_NONE;
	n = &R.nas[pos];
	if (k.kind == 4 || k.kind == 6) {
		n->family = k.kind;
		memcpy(n->addr, k.v, 16);
	} else {
		n->family = family;
		memset(n->addr, 0, 16);
		memcpy(n->addr, src, family == 4 ? 4 : 16);
	}
	if (RADIUS_HAS(m, RADIUS_F_NAS_ID)) {
		n->id_len = (uint8_t)(m->nas_id.len > POP_ID_MAX ? POP_ID_MAX : m->nas_id.len);
		memcpy(n->id, m->nas_id.p, n->id_len);
	}
	return (uint32_t)pos;
}

/* The addresses a message gives, in the agreed order; the number taken. */
static unsigned
msg_addrs(const struct radius_msg *m, struct lt_sess *s)
{
	const uint8_t *v6[LT_SESS_V6 + RADIUS_MAX_V6ADDR + 2 * RADIUS_MAX_PREFIX];
	uint8_t len[LT_SESS_V6 + RADIUS_MAX_V6ADDR + 2 * RADIUS_MAX_PREFIX];
	unsigned n = 0, taken = 0;

	s->has_v4 = 0;
	s->nv6 = 0;
	if (m->framed_ip != NULL) {
		s->has_v4 = 1;
		memcpy(s->v4, m->framed_ip, 4);
		taken++;
	}
	for (unsigned i = 0; i < m->nframed_ipv6; i++, n++) {
		v6[n] = m->framed_ipv6[i];
		len[n] = 128;
	}
	for (unsigned i = 0; i < m->nframed_prefix; i++, n++) {
		v6[n] = m->framed_prefix[i].addr;
		len[n] = m->framed_prefix[i].len;
	}
	for (unsigned i = 0; i < m->ndelegated; i++, n++) {
		v6[n] = m->delegated[i].addr;
		len[n] = m->delegated[i].len;
	}
	for (unsigned i = 0; i < n; i++) {
		if (len[i] < LT_V6_MIN_PREFIX) {
			lt_tst.absurd_prefix++;
			continue;
		}
		if (s->nv6 == LT_SESS_V6) {
			lt_tst.too_many_addrs++;
			continue;
		}
		s->v6len[s->nv6] = len[i];
		memcpy(s->v6[s->nv6++], v6[i], 16);
		taken++;
	}
	return taken + (n > 0 && taken == 0);	/* only absurd ones: still "given" */
}

static void
tlist_add(uint32_t pos)
{
	R.tidx[pos] = R.ntlist;
	R.tlist[R.ntlist++] = pos;
}

static void
tlist_del(uint32_t pos)
{
	uint32_t i = R.tidx[pos], last = R.tlist[--R.ntlist];

	R.tlist[i] = last;
	R.tidx[last] = i;
}

/* Ends the session in slot pos: its intercepts go once nobody can hold them. */
static void
sess_delete(uint32_t pos)
{
	struct lt_sess *s = &R.sess[pos];
	struct skey k;
	void *kp;

	if (s->icept != LT_NONE)
		tlist_del(pos);
	lt_sess_release(s);
	if (rte_hash_get_key_with_position(R.stab, (int32_t)pos, &kp) == 0) {
		memcpy(&k, kp, sizeof(k));
		rte_hash_del_key(R.stab, &k);
		lt_tst.sessions--;
	}
}

/* The session under key, if it is still of its NAS's current life. */
static int32_t
sess_find(uint32_t nas, uint32_t kind, uint64_t h)
{
	struct skey k = { nas, kind, h };
	int32_t pos;

	if (h == 0 || (pos = rte_hash_lookup(R.stab, &k)) < 0)
		return -1;
	if (R.sess[pos].nas_gen != R.nas[nas].gen) {
		sess_delete((uint32_t)pos);	/* its NAS restarted since */
		return -1;
	}
	return pos;
}

/* Intercepts for the warrants tw[] on the new session in slot pos. */
static void
sess_icepts(uint32_t pos, const uint32_t *tw, unsigned ntw, const uint8_t *uname,
    size_t ulen, const struct lt_pop *pop, int64_t ts_us)
{
	struct lt_sess *s = &R.sess[pos];
	uint32_t *tail = &s->icept;

	for (unsigned i = 0; i < ntw; i++) {
		uint32_t id;

		if (ts_us >= lt_dp.wm[tw[i]].end_us)
			continue;		/* over before the session began */
		if ((id = lt_icept_new(tw[i], pos, uname, ulen)) == LT_NONE)
			continue;
		lt_icepts[id].pop = *pop;
		lt_icepts[id].server = s->server;
		lt_icepts[id].auth_type = 2;		/* radiusAAA */
		lt_icepts[id].access_type = lt_tcfg->aaa.radius[s->server].access_type;
		*tail = id;
		tail = &lt_icepts[id].next;
	}
	if (s->icept != LT_NONE) {
		tlist_add(pos);
		lt_tst.target_sessions++;
		log_debug("RADIUS session slot %u (NAS %u) is a target session", pos, s->nas);
	}
}

/* Warrants naming the user or the calling station, each once. */
static unsigned
targets_of(const struct radius_msg *m, uint32_t *tw)
{
	unsigned n = 0, k;

	if (RADIUS_HAS(m, RADIUS_F_USER_NAME))
		n = lt_track_targets(LT_IDENT_USERNAME, m->user_name.p, m->user_name.len,
		    tw, LT_BSET_MAX);
	if (RADIUS_HAS(m, RADIUS_F_CALLING_ID) && n < LT_BSET_MAX) {
		uint32_t more[LT_BSET_MAX];
		unsigned nm = lt_track_targets(LT_IDENT_CALLING_STATION, m->calling_id.p,
		    m->calling_id.len, more, LT_BSET_MAX);

		for (unsigned i = 0; i < nm && n < LT_BSET_MAX; i++) {
			for (k = 0; k < n && tw[k] != more[i]; k++)
				;
			if (k == n)
				tw[n++] = more[i];
		}
	}
	return n;
}

/* A new session; -1 when the table is full. */
static int32_t
sess_new(uint32_t nas, uint32_t kind, uint64_t h, int64_t ts_us, uint8_t server)
{
	struct skey k = { nas, kind, h };
	int32_t pos;

	if ((pos = rte_hash_lookup(R.stab, &k)) >= 0) {
		/* the same key again (no Acct-Session-Id to tell them apart): the old one ends */
		struct lt_iri_extra x = { .has_end_reason = 1, .end_reason = 0, .end_us = ts_us };

		lt_sess_windows(&R.sess[pos], ts_us);
		lt_sess_iri(&R.sess[pos], ETSI_IRI_END, ETSI_AE_ACCESS_END, &x, ts_us);
		sess_delete((uint32_t)pos);
		lt_tst.session_ends++;
	}
	if ((pos = rte_hash_add_key(R.stab, &k)) < 0) {
		lt_tst.sessions_full++;
		return -1;
	}
	memset(&R.sess[pos], 0, sizeof(R.sess[pos]));
	R.sess[pos].nas = nas;
	R.sess[pos].nas_gen = R.nas[nas].gen;
	R.sess[pos].start_us = ts_us;
	R.sess[pos].expire_us = INT64_MAX;
	R.sess[pos].server = server;
	R.sess[pos].icept = LT_NONE;
	R.sess[pos].bset = LT_NONE;
	lt_tst.sessions++;
	lt_tst.session_starts++;
	return pos;
}

static uint32_t
end_reason(const struct radius_msg *m)
{
	if (!RADIUS_HAS(m, RADIUS_F_TERM_CAUSE))
		return 0;
	switch (m->term_cause) {
	case 1:
		return 1;		/* User-Request: regularLogoff */
	case 2: case 3:
		return 2;		/* Lost-Carrier, Lost-Service: connectionLoss */
	case 4: case 5:
		return 3;		/* Idle-, Session-Timeout: connectionTimeout */
	default:
		return 0;
	}
}

static void
pop_of(const struct radius_msg *m, uint8_t family, const uint8_t *src, struct lt_pop *pop)
{
	memset(pop, 0, offsetof(struct lt_pop, id));
	if (m->nas_ip != NULL) {
		pop->family = 4;
		memcpy(pop->addr, m->nas_ip, 4);
	} else if (m->nas_ipv6 != NULL) {
		pop->family = 6;
		memcpy(pop->addr, m->nas_ipv6, 16);
	} else {
		pop->family = family;
		memcpy(pop->addr, src, family == 4 ? 4 : 16);
	}
	pop->has_port = RADIUS_HAS(m, RADIUS_F_NAS_PORT);
	pop->port = m->nas_port;
	if (RADIUS_HAS(m, RADIUS_F_NAS_ID)) {
		pop->id_len = (uint8_t)(m->nas_id.len > LT_POP_ID_MAX ? LT_POP_ID_MAX :
		    m->nas_id.len);
		memcpy(pop->id, m->nas_id.p, pop->id_len);
	}
	if (RADIUS_HAS(m, RADIUS_F_NAS_PORT_ID)) {
		pop->port_id_len = (uint8_t)m->nas_port_id.len;
		memcpy(pop->port_id, m->nas_port_id.p, pop->port_id_len);
	}
}

static inline bool
aaa_cc(uint32_t w)
{
	return lt_dp.wm[w].aaa_cc;
}

/* IRI-Report for the warrants naming a request's user; with aaa_cc, the request and reply as CC. */
static void
report(const struct pend *p, enum etsi_access_event ev, int64_t ts_us, const uint8_t *reply,
    uint32_t reply_len)
{
	for (unsigned i = 0; i < p->ntw; i++) {
		struct lt_icept *ic;
		uint32_t id;

		if (!active(p->tw[i], ts_us))
			continue;
		if ((id = lt_icept_new(p->tw[i], LT_NONE, p->uname, p->uname_len)) == LT_NONE)
			continue;
		ic = &lt_icepts[id];
		ic->pop = p->pop;
		ic->server = p->server;
		ic->auth_type = 2;
		ic->access_type = lt_tcfg->aaa.radius[p->server].access_type;
		lt_send_iri(ic, NULL, ETSI_IRI_REPORT, ev, NULL, ts_us);
		if (aaa_cc(p->tw[i]) && p->req != NULL)
			lt_cc_copy(id, rte_pktmbuf_mtod(p->req, const uint8_t *),
			    rte_pktmbuf_data_len(p->req), p->ts_us);
		if (aaa_cc(p->tw[i]) && reply != NULL)
			lt_cc_copy(id, reply, reply_len, ts_us);
		lt_icept_release(id);
	}
}

static void
pend_free(int32_t pos)
{
	struct pend *p = &R.pend[pos];
	struct pkey k;
	void *kp;

	if (rte_hash_get_key_with_position(R.ptab, pos, &kp) == 0) {
		memcpy(&k, kp, sizeof(k));
		rte_hash_del_key(R.ptab, &k);
	}
	for (unsigned i = 0; i < p->nhold; i++)
		lt_icept_unhold(p->hold[i]);
	rte_pktmbuf_free(p->req);
	p->req = NULL;
	p->nhold = 0;
	p->seq = 0;
	if (p->ntw > 0)
		sodium_memzero(p->uname, sizeof(p->uname));
	p->ntw = 0;
}

/* A new pending request under k; NULL when the table is full. */
static struct pend *
pend_new(const struct pkey *k, int64_t ts_us)
{
	struct pend *p;
	int32_t pos;

	if ((pos = rte_hash_lookup(R.ptab, k)) >= 0)
		pend_free(pos);		/* a new request with the same identifier */
	if ((pos = rte_hash_add_key(R.ptab, k)) < 0)
		return NULL;
	p = &R.pend[pos];
	p->seq = ++R.seq;
	p->ts_us = ts_us;
	p->code = k->code;
	p->ntw = 0;
	p->nhold = 0;
	p->req = NULL;
	R.fifo[R.ftail % PEND_MAX].pos = (uint32_t)pos;
	R.fifo[R.ftail++ % PEND_MAX].seq = p->seq;
	return p;
}

static void
pkey_of(struct pkey *k, uint8_t code, uint8_t id, uint8_t family, const uint8_t *a,
    uint16_t port)
{
	memset(k, 0, sizeof(*k));
	k->family = family;
	k->id = id;
	k->code = code;
	k->port = port;
	memcpy(k->a, a, family == 4 ? 4 : 16);
}

static void
access_request(const struct radius_msg *m, const uint8_t *l3, uint32_t l3_len,
    uint8_t family, const uint8_t *src, uint16_t sport, uint8_t server, int64_t ts_us)
{
	struct pkey k;
	struct pend *p;
	int32_t pos;
	uint32_t nas;

	pkey_of(&k, RADIUS_ACCESS_REQUEST, m->id, family, src, sport);
	if ((pos = rte_hash_lookup(R.ptab, &k)) >= 0 &&
	    memcmp(R.pend[pos].auth, m->auth, RADIUS_AUTH_LEN) == 0) {
		lt_tst.aaa_retransmit++;
		return;
	}
	if ((nas = nas_of(m, family, src)) == LT_NONE || (p = pend_new(&k, ts_us)) == NULL) {
		lt_tst.sessions_full++;
		return;
	}
	p->nas = nas;
	p->server = server;
	memcpy(p->auth, m->auth, RADIUS_AUTH_LEN);
	p->user_h = RADIUS_HAS(m, RADIUS_F_USER_NAME) ?
	    lt_track_hash(m->user_name.p, m->user_name.len) : 0;
	p->asid_h = RADIUS_HAS(m, RADIUS_F_SESSION_ID) ?
	    lt_track_hash(m->session_id.p, m->session_id.len) : 0;
	p->csid_h = RADIUS_HAS(m, RADIUS_F_CALLING_ID) ?
	    lt_track_hash(m->calling_id.p, m->calling_id.len) : 0;
	p->ntw = (uint8_t)targets_of(m, p->tw);
	p->uname_len = 0;
	if (p->ntw == 0)
		return;
	pop_of(m, family, src, &p->pop);
	if (RADIUS_HAS(m, RADIUS_F_USER_NAME)) {
		p->uname_len = (uint8_t)m->user_name.len;
		memcpy(p->uname, m->user_name.p, m->user_name.len);
	}
	for (unsigned i = 0; i < p->ntw; i++)
		if (aaa_cc(p->tw[i])) {
			p->req = lt_pkt_keep(l3, l3_len);
			break;
		}
}

/* With aaa_cc, the request and its answer as CC of the intercepts begun with the session. */
static void
accept_cc(const struct lt_sess *s, const struct pend *p, const uint8_t *l3, uint32_t l3_len,
    int64_t ts_us)
{
	for (uint32_t id = s->icept; id != LT_NONE; id = lt_icepts[id].next) {
		const struct lt_icept *ic = &lt_icepts[id];

		if (!aaa_cc(ic->warrant) || ic->own.iri_state != LT_IRI_BEGUN ||
		    !active(ic->warrant, ts_us))
			continue;
		if (p->req != NULL)
			lt_cc_copy(id, rte_pktmbuf_mtod(p->req, const uint8_t *),
			    rte_pktmbuf_data_len(p->req), p->ts_us);
		lt_cc_copy(id, l3, l3_len, ts_us);
	}
}

static void
access_reply(const struct radius_msg *m, const uint8_t *l3, uint32_t l3_len,
    uint8_t family, const uint8_t *dst, uint16_t dport, int64_t ts_us)
{
	const struct lt_aaa_server *srv;
	struct lt_sess *s;
	struct pend *p;
	struct pkey k;
	int32_t pos, sp;

	pkey_of(&k, RADIUS_ACCESS_REQUEST, m->id, family, dst, dport);
	if ((pos = rte_hash_lookup(R.ptab, &k)) < 0) {
		lt_tst.aaa_unmatched_reply++;
		return;
	}
	p = &R.pend[pos];
	srv = &lt_tcfg->aaa.radius[p->server];
	if (srv->secret_len > 0 && radius_verify_response(m, p->auth, srv->secret,
	    srv->secret_len) != RADIUS_OK) {
		lt_tst.aaa_bad_auth++;
		return;
	}
	if (m->code == RADIUS_ACCESS_REJECT) {
		lt_tst.access_rejects++;
		report(p, ETSI_AE_ACCESS_REJECT, ts_us, l3, l3_len);
	} else if (m->code == RADIUS_ACCESS_ACCEPT) {
		sp = p->asid_h != 0 ? sess_new(p->nas, KEY_SESSION_ID, p->asid_h, ts_us, p->server) :
		    sess_new(p->nas, KEY_USER, p->user_h, ts_us, p->server);
		if (sp >= 0) {
			s = &R.sess[sp];
			s->user_h = p->user_h;
			s->csid_h = p->csid_h;
			msg_addrs(m, s);
			sess_icepts((uint32_t)sp, p->tw, p->ntw, p->uname, p->uname_len, &p->pop,
			    ts_us);
			lt_sess_iri(s, ETSI_IRI_BEGIN, ETSI_AE_ACCESS_ACCEPT, NULL, ts_us);
			accept_cc(s, p, l3, l3_len, ts_us);
			lt_sess_bind(s);
		}
	}
	pend_free(pos);
}

static void
nas_reboot(uint32_t nas, int64_t ts_us)
{
	struct lt_iri_extra x = { .has_end_reason = 1, .end_reason = 2, .end_us = ts_us };

	lt_tst.nas_reboots++;
	R.nas[nas].gen++;
	for (uint32_t i = 0; i < R.ntlist;) {
		uint32_t pos = R.tlist[i];
		struct lt_sess *s = &R.sess[pos];

		if (s->nas != nas) {
			i++;
			continue;
		}
		lt_sess_windows(s, ts_us);
		lt_sess_iri(s, ETSI_IRI_END, ETSI_AE_ACCESS_END, &x, ts_us);
		sess_delete(pos);	/* moves another entry to index i */
		lt_tst.session_ends++;
	}
}

/* The intercepts of s an accounting request is CC for (aaa_cc, begun, in their window). */
static unsigned
acct_cc_targets(const struct lt_sess *s, int64_t ts_us, uint32_t *out)
{
	unsigned n = 0;

	for (uint32_t id = s->icept; id != LT_NONE && n < LT_BSET_MAX; id = lt_icepts[id].next)
		if (aaa_cc(lt_icepts[id].warrant) &&
		    lt_icepts[id].own.iri_state == LT_IRI_BEGUN &&
		    active(lt_icepts[id].warrant, ts_us))
			out[n++] = id;
	return n;
}

/* The request as CC now, its response later: the intercepts are held until then. */
static void
acct_cc(const uint32_t *ids, unsigned n, const uint8_t *l3, uint32_t l3_len,
    uint8_t family, const uint8_t *src, uint16_t sport, uint8_t id, int64_t ts_us)
{
	struct pkey k;
	struct pend *p;

	if (n == 0)
		return;
	for (unsigned i = 0; i < n; i++)
		lt_cc_copy(ids[i], l3, l3_len, ts_us);
	pkey_of(&k, RADIUS_ACCT_REQUEST, id, family, src, sport);
	if ((p = pend_new(&k, ts_us)) == NULL)
		return;
	for (unsigned i = 0; i < n; i++) {
		p->hold[p->nhold++] = ids[i];
		lt_icepts[ids[i]].holds++;
	}
}

static void
acct_response(const struct radius_msg *m, const uint8_t *l3, uint32_t l3_len,
    uint8_t family, const uint8_t *dst, uint16_t dport, int64_t ts_us)
{
	struct pkey k;
	struct pend *p;
	int32_t pos;

	pkey_of(&k, RADIUS_ACCT_REQUEST, m->id, family, dst, dport);
	if ((pos = rte_hash_lookup(R.ptab, &k)) < 0)
		return;		/* no intercept wants it */
	p = &R.pend[pos];
	for (unsigned i = 0; i < p->nhold; i++)
		if (active(lt_icepts[p->hold[i]].warrant, ts_us))
			lt_cc_copy(p->hold[i], l3, l3_len, ts_us);
	pend_free(pos);
}

static void
sess_set_addrs(struct lt_sess *s, const struct lt_sess *given)
{
	s->has_v4 = given->has_v4;
	memcpy(s->v4, given->v4, 4);
	s->nv6 = given->nv6;
	memcpy(s->v6len, given->v6len, sizeof(s->v6len));
	memcpy(s->v6, given->v6, sizeof(s->v6));
}

/* The session an accounting request belongs to, adopting an Accept's; -1 if none. */
static int32_t
acct_session(uint32_t nas, uint64_t user_h, uint64_t asid_h)
{
	struct skey ok = { nas, KEY_USER, user_h }, nk = { nas, KEY_SESSION_ID, asid_h };
	struct lt_sess copy;
	int32_t pos = -1, np;

	if (asid_h != 0 && (pos = sess_find(nas, KEY_SESSION_ID, asid_h)) >= 0)
		return pos;
	if ((pos = sess_find(nas, KEY_USER, user_h)) < 0 || asid_h == 0)
		return pos;
	/* an Accept without Acct-Session-Id: accounting names it now */
	copy = R.sess[pos];
	if (copy.icept != LT_NONE)
		tlist_del((uint32_t)pos);
	rte_hash_del_key(R.stab, &ok);
	if ((np = rte_hash_add_key(R.stab, &nk)) < 0) {
		lt_tst.sessions_full++;
		lt_tst.sessions--;
		lt_sess_release(&copy);
		return -1;
	}
	R.sess[np] = copy;
	for (uint32_t id = copy.icept; id != LT_NONE; id = lt_icepts[id].next)
		lt_icepts[id].sess = (uint32_t)np;
	if (copy.icept != LT_NONE)
		tlist_add((uint32_t)np);
	return np;
}

static void
accounting(const struct radius_msg *m, const uint8_t *l3, uint32_t l3_len, uint8_t family,
    const uint8_t *src, uint16_t sport, uint8_t server, int64_t ts_us)
{
	const struct lt_aaa_server *srv = &lt_tcfg->aaa.radius[server];
	uint32_t acct_auth, nas, cc[LT_BSET_MAX];
	struct lt_iri_extra x = { 0 };
	uint64_t user_h, asid_h;
	struct lt_sess *s, given;
	unsigned naddr, ncc;
	int32_t pos;

	if (srv->secret_len > 0 && radius_verify_request(m, srv->secret,
	    srv->secret_len) != RADIUS_OK) {
		lt_tst.aaa_bad_auth++;
		return;
	}
	if (!RADIUS_HAS(m, RADIUS_F_STATUS_TYPE)) {
		lt_tst.aaa_malformed++;
		return;
	}
	if ((nas = nas_of(m, family, src)) == LT_NONE) {
		lt_tst.sessions_full++;
		return;
	}
	if (m->status_type == RADIUS_ACCT_ON || m->status_type == RADIUS_ACCT_OFF) {
		nas_reboot(nas, ts_us);
		return;
	}
	if (m->status_type != RADIUS_ACCT_START && m->status_type != RADIUS_ACCT_INTERIM &&
	    m->status_type != RADIUS_ACCT_STOP)
		return;
	user_h = RADIUS_HAS(m, RADIUS_F_USER_NAME) ?
	    lt_track_hash(m->user_name.p, m->user_name.len) : 0;
	asid_h = RADIUS_HAS(m, RADIUS_F_SESSION_ID) ?
	    lt_track_hash(m->session_id.p, m->session_id.len) : 0;
	memcpy(&acct_auth, m->auth, sizeof(acct_auth));
	pos = acct_session(nas, user_h, asid_h);
	if (pos >= 0 && R.sess[pos].has_acct && R.sess[pos].acct_id == m->id &&
	    R.sess[pos].acct_auth == acct_auth) {
		lt_tst.aaa_retransmit++;
		return;
	}
	if (RADIUS_HAS(m, RADIUS_F_IN_OCTETS) || RADIUS_HAS(m, RADIUS_F_OUT_OCTETS)) {
		x.has_octets = 1;
		x.rx = radius_octets(m->out_octets, m->out_gigawords);
		x.tx = radius_octets(m->in_octets, m->in_gigawords);
	}
	naddr = msg_addrs(m, &given);
	if (pos < 0) {
		struct lt_pop pop;
		uint32_t tw[LT_BSET_MAX];
		unsigned ntw;

		if (m->status_type == RADIUS_ACCT_STOP) {
			lt_tst.stop_without_start++;
			return;
		}
		pos = asid_h != 0 ? sess_new(nas, KEY_SESSION_ID, asid_h, ts_us, server) :
		    sess_new(nas, KEY_USER, user_h, ts_us, server);
		if (pos < 0)
			return;
		s = &R.sess[pos];
		s->user_h = user_h;
		s->csid_h = RADIUS_HAS(m, RADIUS_F_CALLING_ID) ?
		    lt_track_hash(m->calling_id.p, m->calling_id.len) : 0;
		sess_set_addrs(s, &given);
		if ((ntw = targets_of(m, tw)) > 0) {
			pop_of(m, family, src, &pop);
			sess_icepts((uint32_t)pos, tw, ntw, m->user_name.p, m->user_name.len,
			    &pop, ts_us);
		}
		lt_sess_iri(s, ETSI_IRI_BEGIN, m->status_type == RADIUS_ACCT_START ?
		    ETSI_AE_SESSION_START : ETSI_AE_START_WITH_SESSION_ACTIVE, NULL, ts_us);
		ncc = acct_cc_targets(s, ts_us, cc);
		lt_sess_bind(s);
	} else {
		s = &R.sess[pos];
		lt_sess_windows(s, ts_us);
		ncc = acct_cc_targets(s, ts_us, cc);
		if (m->status_type == RADIUS_ACCT_STOP) {
			x.has_end_reason = 1;
			x.end_reason = end_reason(m);
			x.end_us = ts_us;
			lt_sess_iri(s, ETSI_IRI_END, ETSI_AE_ACCESS_END, &x, ts_us);
			acct_cc(cc, ncc, l3, l3_len, family, src, sport, m->id, ts_us);
			sess_delete((uint32_t)pos);
			lt_tst.session_ends++;
			return;
		}
		if (naddr > 0) {
			lt_sess_unbind(s);	/* the old addresses, before they are forgotten */
			sess_set_addrs(s, &given);
			lt_sess_bind(s);
		}
		lt_sess_iri(s, ETSI_IRI_CONTINUE, m->status_type == RADIUS_ACCT_START ?
		    ETSI_AE_SESSION_START : ETSI_AE_INTERIM_UPDATE, &x, ts_us);
	}
	acct_cc(cc, ncc, l3, l3_len, family, src, sport, m->id, ts_us);
	s->has_acct = 1;
	s->acct_id = m->id;
	s->acct_auth = acct_auth;
}

/* Requests unanswered for access_timeout: accessFailed for Access-Requests. */
static void
pend_expire(int64_t clock_us)
{
	while (R.fhead != R.ftail) {
		uint32_t pos = R.fifo[R.fhead % PEND_MAX].pos;
		uint64_t seq = R.fifo[R.fhead % PEND_MAX].seq;
		struct pend *p = &R.pend[pos];

		if (p->seq == seq) {
			if (p->ts_us + R.timeout_us > clock_us)
				break;
			if (p->code == RADIUS_ACCESS_REQUEST) {
				lt_tst.access_failed++;
				report(p, ETSI_AE_ACCESS_FAILED, p->ts_us + R.timeout_us, NULL, 0);
			}
			pend_free((int32_t)pos);
		}
		R.fhead++;
	}
}

void
lt_rad_input(const uint8_t *l3, uint32_t l3_len, uint8_t family, const uint8_t *src,
    const uint8_t *dst, uint16_t sport, uint16_t dport, const uint8_t *udp, size_t len,
    int server, int64_t ts_us)
{
	struct radius_msg m;

	lt_tst.aaa_packets++;
	pend_expire(ts_us);	/* timers before the packet that passes them */
	if (radius_parse(udp, len, &m) != RADIUS_OK) {
		lt_tst.aaa_malformed++;	/* a duplicate attribute too: never bound */
		return;
	}
	switch (m.code) {
	case RADIUS_ACCESS_REQUEST:
		access_request(&m, l3, l3_len, family, src, sport, (uint8_t)server, ts_us);
		break;
	case RADIUS_ACCESS_ACCEPT:
	case RADIUS_ACCESS_REJECT:
	case RADIUS_ACCESS_CHALLENGE:
		access_reply(&m, l3, l3_len, family, dst, dport, ts_us);
		break;
	case RADIUS_ACCT_REQUEST:
		accounting(&m, l3, l3_len, family, src, sport, (uint8_t)server, ts_us);
		break;
	case RADIUS_ACCT_RESPONSE:
		acct_response(&m, l3, l3_len, family, dst, dport, ts_us);
		break;
	default:
		break;
	}
}

/* A reload added warrants from slot first_new on: look for their sessions. */
void
lt_rad_scan_new(uint32_t first_new)
{
	if (R.stab == NULL)
		return;
	R.scan = 0;
	R.scan_first = first_new;
	R.scanning = true;
}

static bool
has_icept(const struct lt_sess *s, uint32_t w)
{
	for (uint32_t id = s->icept; id != LT_NONE; id = lt_icepts[id].next)
		if (lt_icepts[id].warrant == w)
			return true;
	return false;
}

/* Session pos is named by a new warrant: an intercept for it, begun now, bound. */
static void
scan_one(uint32_t pos, int64_t clock_us)
{
	struct lt_sess *s = &R.sess[pos];
	const struct lt_ident *which[2 * LT_BSET_MAX];
	uint32_t tw[2 * LT_BSET_MAX];
	const struct nas *n = &R.nas[s->nas];
	uint32_t *tail = &s->icept;
	unsigned nt = 0;
	bool was_target = s->icept != LT_NONE;

	if (s->user_h != 0)
		nt = lt_track_targets_h(LT_IDENT_USERNAME, s->user_h, R.scan_first, tw, which,
		    LT_BSET_MAX);
	if (s->csid_h != 0)
		nt += lt_track_targets_h(LT_IDENT_CALLING_STATION, s->csid_h, R.scan_first,
		    tw + nt, which + nt, LT_BSET_MAX);
	if (nt == 0)
		return;
	while (*tail != LT_NONE)
		tail = &lt_icepts[*tail].next;
	for (unsigned i = 0; i < nt; i++) {
		struct lt_icept *ic;
		uint32_t id;

		if (has_icept(s, tw[i]) ||
		    (id = lt_icept_new(tw[i], pos, which[i]->v, which[i]->len)) == LT_NONE)
			continue;
		ic = &lt_icepts[id];
		ic->server = s->server;
		ic->auth_type = 2;		/* radiusAAA */
		ic->access_type = lt_tcfg->aaa.radius[s->server].access_type;
		/* only what the NAS table kept: its address and NAS-Identifier */
		memset(&ic->pop, 0, offsetof(struct lt_pop, id));
		ic->pop.family = n->family;
		memcpy(ic->pop.addr, n->addr, 16);
		ic->pop.id_len = n->id_len > LT_POP_ID_MAX ? LT_POP_ID_MAX : n->id_len;
		memcpy(ic->pop.id, n->id, ic->pop.id_len);
		*tail = id;
		tail = &ic->next;
	}
	if (s->icept == LT_NONE)
		return;
	if (!was_target) {
		tlist_add(pos);
		lt_tst.target_sessions++;
	}
	lt_sess_windows(s, clock_us);	/* IRI-Begin startOfInterceptionWithSessionActive */
	lt_sess_bind(s);
}

#define SCAN_SLOTS	1024	/* a full table of 2^20 sessions in about a second */

static void
scan_step(int64_t clock_us)
{
	for (unsigned i = 0; i < SCAN_SLOTS && R.scanning; i++) {
		int32_t pos = (int32_t)R.scan;
		void *key;

		if (++R.scan >= R.max)
			R.scanning = false;
		if (rte_hash_get_key_with_position(R.stab, pos, &key) != 0 ||
		    R.sess[pos].nas_gen != R.nas[R.sess[pos].nas].gen)
			continue;
		scan_one((uint32_t)pos, clock_us);
	}
}

/* Unanswered Access-Requests, warrant windows, sessions of restarted NASes. */
void
lt_rad_tick(int64_t clock_us)
{
	pend_expire(clock_us);
	if (R.scanning)
		scan_step(clock_us);
	if (clock_us >= R.next_window_us || R.windows_seen != lt_dp.windows_changed) {
		int64_t next = INT64_MAX;

		for (uint32_t i = 0; i < R.ntlist; i++)
			lt_sess_windows(&R.sess[R.tlist[i]], clock_us);
		for (uint32_t w = 0; w < lt_dp.nslots; w++) {
			if (lt_dp.wm[w].start_us > clock_us && lt_dp.wm[w].start_us < next)
				next = lt_dp.wm[w].start_us;
			if (lt_dp.wm[w].end_us > clock_us && lt_dp.wm[w].end_us < next)
				next = lt_dp.wm[w].end_us;
		}
		R.next_window_us = next;
		R.windows_seen = lt_dp.windows_changed;
	}
	/* a bounded window of slots per tick: a full pass takes max / SWEEP_SLOTS ticks */
	for (unsigned i = 0; i < SWEEP_SLOTS; i++) {
		int32_t pos = (int32_t)R.sweep;
		void *key;

		R.sweep = R.sweep + 1 >= R.max ? 0 : R.sweep + 1;
		if (rte_hash_get_key_with_position(R.stab, pos, &key) != 0)
			continue;	/* a free slot */
		if (R.sess[pos].nas_gen != R.nas[R.sess[pos].nas].gen)
			sess_delete((uint32_t)pos);
	}
}
