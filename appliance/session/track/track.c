/* track.c - intercepts of target sessions: bindings workers read lock-free, IRIs, retirement. */
#include <string.h>

#include <sodium.h>

#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "dp.h"
#include "session/sip/voipdp.h"
#include "session/track/track_impl.h"
#include "util/log.h"

#define ICEPT_MAX	16384		/* intercepts alive at once */
#define BSET_MAX	16384		/* target sessions with bindings at once */
#define BIND_MAX	(BSET_MAX * (1 + LT_SESS_V6))
#define RETIRE_MAX	BSET_MAX
#define BIG_MBUFS	255
#define BIG_DATA	16384	/* a RADIUS datagram (4096) with room to spare */

struct bkey {
	uint8_t family, len, pad[2];
	uint8_t a[16];
};

struct retire {
	uint64_t token;
	uint32_t bset;
	uint32_t icept;			/* chain to free, or LT_NONE */
	int32_t pos[1 + LT_SESS_V6];	/* key slots to free, -1 if none */
};

struct lt_icept *lt_icepts;
struct lt_track_stats lt_tst;
const struct lt_config *lt_tcfg;

static struct {
	bool on;
	struct rte_hash *btab;
	struct lt_bset *bsets;
	uint32_t *bset_free, nbset_free;
	uint32_t *icept_free, nicept_free;
	struct rte_ring *icept_back;	/* owners return retired intercepts */
	struct rte_mempool *big;	/* reassembled AAA datagrams and their copies */
	struct retire *retire;
	uint32_t rhead, rtail;
	uint32_t v6_lens[129];		/* bindings per IPv6 prefix length */
	uint8_t v6_order[129];		/* lengths in use, longest first (workers read) */
	volatile uint32_t nv6_order;
	uint32_t *next_cin;		/* per warrant */
	uint8_t hkey[crypto_shorthash_KEYBYTES];
	struct ident { uint8_t kind; uint64_t h; uint32_t warrant; } *idents;
	uint32_t nidents;
} T;

bool lt_track_on;

const struct lt_track_stats *
lt_track_stats(void)
{
	return &lt_tst;
}

uint64_t
lt_track_hash(const uint8_t *p, size_t len)
{
	uint8_t h[crypto_shorthash_BYTES];
	uint64_t v;

	crypto_shorthash(h, p, len, T.hkey);
	memcpy(&v, h, sizeof(v));
	return v | 1;		/* never 0: 0 means absent */
}

static int
ident_cmp(const void *a, const void *b)
{
	const struct ident *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return x->warrant < y->warrant ? -1 : x->warrant > y->warrant;
}

unsigned
lt_track_targets(uint8_t kind, const uint8_t *v, size_t len, uint32_t *out, unsigned max)
{
	uint64_t h = lt_track_hash(v, len);
	uint32_t lo = 0, hi = T.nidents;
	unsigned n = 0;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct ident *e = &T.idents[mid];

		if (e->kind < kind || (e->kind == kind && e->h < h))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < T.nidents && T.idents[lo].kind == kind && T.idents[lo].h == h; lo++) {
		const struct lt_warrant *w = lt_dp.wrec[T.idents[lo].warrant];
		bool same = false;

		/* the hash found it; the bytes decide */
		for (uint32_t i = 0; i < w->nidents && !same; i++)
			same = w->idents[i].kind == kind && w->idents[i].len == len &&
			    sodium_memcmp(w->idents[i].v, v, len) == 0;
		if (same && n < max && (n == 0 || out[n - 1] != T.idents[lo].warrant))
			out[n++] = T.idents[lo].warrant;
	}
	return n;
}

unsigned
lt_track_targets_h(uint8_t kind, uint64_t h, uint32_t from, uint32_t *out,
    const struct lt_ident **which, unsigned max)
{
	unsigned n = 0;

	for (uint32_t i = 0; i < T.nidents && n < max; i++) {
		const struct lt_warrant *w;

		if (T.idents[i].kind != kind || T.idents[i].h != h || T.idents[i].warrant < from)
			continue;
		w = lt_dp.wrec[T.idents[i].warrant];
		for (uint32_t k = 0; k < w->nidents; k++)
			if (w->idents[k].kind == kind &&
			    lt_track_hash(w->idents[k].v, w->idents[k].len) == h) {
				which[n] = &w->idents[k];
				out[n++] = T.idents[i].warrant;
				break;
			}
	}
	return n;
}

/*
 * The identities warrants name, sorted by (kind, keyed hash), each with its
 * warrant's slot (slot_of[i] for warrant i of cfg; i itself if NULL).
 */
void *
lt_track_idents_build(const struct lt_config *cfg, const uint32_t *slot_of, uint32_t *n)
{
	struct ident *v = sodium_malloc((cfg->nidents + 1) * sizeof(*v));

	*n = 0;
	if (v == NULL)
		return NULL;
	for (uint32_t w = 0; w < cfg->nwarrants; w++)
		for (uint32_t i = 0; i < cfg->warrants[w].nidents; i++) {
			const struct lt_ident *id = &cfg->warrants[w].idents[i];

			v[(*n)++] = (struct ident){ id->kind, lt_track_hash(id->v, id->len),
			    slot_of != NULL ? slot_of[w] : w };
		}
	qsort(v, *n, sizeof(*v), ident_cmp);
	return v;
}

/* Session lcore, after a reload is published: its new warrants find running sessions. */
void
lt_track_new_warrants(uint32_t first_new)
{
	if (!T.on || first_new >= lt_dp.nslots)
		return;
	lt_rad_scan_new(first_new);
	lt_dhcp_scan_new(first_new);
}

/* Session lcore: the identities of a reload; the old ones are freed. */
void
lt_track_idents_swap(void *v, uint32_t n)
{
	if (T.idents != NULL)
		sodium_free(T.idents);
	T.idents = v;
	T.nidents = n;
}

int
lt_track_init(const struct lt_config *cfg, int socket)
{
	struct rte_hash_parameters hp = {
		.name = "lt_bind",
		.entries = BIND_MAX,
		.key_len = sizeof(struct bkey),
		.hash_func = rte_jhash,
		.socket_id = socket,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};

	lt_tcfg = cfg;
	if (cfg->nidents == 0 && cfg->aaa.nradius == 0 && cfg->aaa.ndhcp == 0 &&
	    cfg->sip.nservers == 0 && cfg->nsipids == 0)
		return 0;
	randombytes_buf(T.hkey, sizeof(T.hkey));
	if ((T.idents = lt_track_idents_build(cfg, NULL, &T.nidents)) == NULL)
		return -1;
	T.btab = rte_hash_create(&hp);
	T.bsets = rte_zmalloc_socket("lt_bsets", BSET_MAX * sizeof(*T.bsets), 64, socket);
	T.bset_free = calloc(BSET_MAX, sizeof(uint32_t));
	T.icept_free = calloc(ICEPT_MAX, sizeof(uint32_t));
	T.retire = calloc(RETIRE_MAX, sizeof(*T.retire));
	T.next_cin = calloc(lt_dp.slots_cap + 1, sizeof(uint32_t));
	lt_icepts = sodium_malloc(ICEPT_MAX * sizeof(*lt_icepts));
	T.icept_back = rte_ring_create("lt_icept_back", ICEPT_MAX, socket, RING_F_SC_DEQ);
	T.big = rte_pktmbuf_pool_create("lt_aaa_big", BIG_MBUFS, 0,
	    RTE_ALIGN(sizeof(struct lt_meta), RTE_MBUF_PRIV_ALIGN),
	    RTE_PKTMBUF_HEADROOM + BIG_DATA, socket);
	if (T.btab == NULL || T.bsets == NULL || T.bset_free == NULL ||
	    T.icept_free == NULL || T.retire == NULL || T.next_cin == NULL ||
	    lt_icepts == NULL || T.icept_back == NULL || T.big == NULL)
		return -1;
	for (uint32_t i = 0; i < BSET_MAX; i++)
		T.bset_free[T.nbset_free++] = BSET_MAX - 1 - i;
	for (uint32_t i = 0; i < ICEPT_MAX; i++)
		T.icept_free[T.nicept_free++] = ICEPT_MAX - 1 - i;
	if (lt_rad_init(cfg, socket) < 0 || lt_dhcp_init(cfg, socket) < 0 ||
	    lt_aaa_init(socket) < 0 || lt_voip_init(cfg, socket) < 0)
		return -1;
	T.on = true;
	lt_track_on = true;
	return 0;
}

void
lt_track_free(void)
{
	lt_rad_free();
	lt_dhcp_free();
	lt_aaa_free();
	lt_voip_free();
	rte_hash_free(T.btab);
	rte_free(T.bsets);
	rte_ring_free(T.icept_back);
	rte_mempool_free(T.big);
	free(T.bset_free);
	free(T.icept_free);
	free(T.retire);
	free(T.next_cin);
	if (lt_icepts != NULL)
		sodium_free(lt_icepts);
	if (T.idents != NULL)
		sodium_free(T.idents);
	lt_icepts = NULL;
	lt_track_on = false;
	memset(&T, 0, sizeof(T));
}

void
lt_track_quiescent(unsigned worker)
{
	rte_rcu_qsbr_quiescent(lt_dp.rcu, worker);
}

void
lt_track_online(unsigned worker)
{
	rte_rcu_qsbr_thread_online(lt_dp.rcu, worker);
}

void
lt_track_offline(unsigned worker)
{
	rte_rcu_qsbr_thread_offline(lt_dp.rcu, worker);
}

static void
mask(uint8_t *a, unsigned len)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned lo = i * 8;

		if (lo >= len)
			a[i] = 0;
		else if (lo + 8 > len)
			a[i] &= (uint8_t)(0xff << (8 - (len - lo)));
	}
}

const struct lt_bset *
lt_track_lookup(uint8_t family, const uint8_t *addr)
{
	struct bkey k = { .family = family };
	void *data;

	if (family == 4) {
		k.len = 32;
		memcpy(k.a, addr, 4);
		if (rte_hash_lookup_data(T.btab, &k, &data) >= 0)
			return &T.bsets[(uintptr_t)data];
		return NULL;
	}
	for (uint32_t i = 0; i < __atomic_load_n(&T.nv6_order, __ATOMIC_ACQUIRE); i++) {
		k.len = T.v6_order[i];
		memcpy(k.a, addr, 16);
		mask(k.a, k.len);
		if (rte_hash_lookup_data(T.btab, &k, &data) >= 0)
			return &T.bsets[(uintptr_t)data];
	}
	return NULL;
}

/* Prefix lengths in use, longest first, rewritten in place (a reader may see either order). */
static void
v6_lens_changed(void)
{
	uint32_t n = 0;

	for (int len = 128; len >= LT_V6_MIN_PREFIX; len--)
		if (T.v6_lens[len] > 0)
			T.v6_order[n++] = (uint8_t)len;
	__atomic_store_n(&T.nv6_order, n, __ATOMIC_RELEASE);
}

static int32_t
bind_add(uint8_t family, uint8_t len, const uint8_t *a, uint32_t bset)
{
	struct bkey k = { .family = family, .len = len };
	int32_t pos;

	memcpy(k.a, a, family == 4 ? 4 : 16);
	if (family == 6) {
		mask(k.a, len);
		if (T.v6_lens[len]++ == 0)
			v6_lens_changed();
	}
	pos = rte_hash_add_key_data(T.btab, &k, (void *)(uintptr_t)bset);
	if (pos < 0) {
		lt_tst.bind_full++;
		if (family == 6 && --T.v6_lens[len] == 0)
			v6_lens_changed();
		return -1;
	}
	if (lt_match_dyn_ref((struct lt_match *)lt_dp.match, family, k.a, 1) < 0) {
		rte_hash_del_key(T.btab, &k);
		lt_tst.bind_full++;
		return -1;
	}
	return rte_hash_lookup(T.btab, &k);
}

static int32_t
bind_del(uint8_t family, uint8_t len, const uint8_t *a)
{
	struct bkey k = { .family = family, .len = len };
	int32_t pos;

	memcpy(k.a, a, family == 4 ? 4 : 16);
	if (family == 6)
		mask(k.a, len);
	pos = rte_hash_del_key(T.btab, &k);
	if (pos < 0)
		return -1;
	lt_match_dyn_ref((struct lt_match *)lt_dp.match, family, k.a, -1);
	if (family == 6 && --T.v6_lens[len] == 0)
		v6_lens_changed();
	return pos;
}

uint32_t
lt_icept_new(uint32_t warrant, uint32_t sess, const uint8_t *uname, size_t len)
{
	struct lt_icept *ic;
	uint32_t id;

	if (T.nicept_free == 0) {
		lt_tst.icepts_full++;
		return LT_NONE;
	}
	id = T.icept_free[--T.nicept_free];
	ic = &lt_icepts[id];
	if (T.next_cin[warrant] == 0)
		T.next_cin[warrant] = lt_dp.wrec[warrant]->cin + 1;
	if (lt_wown_init_rec(&ic->own, lt_tcfg, lt_dp.wrec[warrant], T.next_cin[warrant]) < 0) {
		T.icept_free[T.nicept_free++] = id;
		return LT_NONE;
	}
	ic->own.integ = lt_integ_new(lt_dp.agencies[lt_dp.wm[warrant].agency].integ, &ic->own.tmpl);
	ic->warrant = warrant;
	ic->cin = T.next_cin[warrant]++;
	ic->sess = sess;
	ic->next = LT_NONE;
	ic->holds = 0;
	ic->dead = 0;
	ic->expected_end_us = 0;
	ic->netid_len = 0;
	ic->cpe_len = 0;
	ic->uname_len = (uint8_t)(len > LT_IDENT_MAX ? LT_IDENT_MAX : len);
	memcpy(ic->uname, uname, ic->uname_len);
	return id;
}

static void
queue_retire(uint32_t bset, uint32_t icept, const int32_t *pos, unsigned npos)
{
	struct retire *r;

	if (T.rtail - T.rhead == RETIRE_MAX) {
		/* full: wait for the oldest grace period rather than lose track */
		rte_rcu_qsbr_synchronize(lt_dp.rcu, RTE_QSBR_THRID_INVALID);
		lt_track_retire_poll();
	}
	r = &T.retire[T.rtail++ % RETIRE_MAX];
	r->token = rte_rcu_qsbr_start(lt_dp.rcu);
	r->bset = bset;
	r->icept = icept;
	for (unsigned i = 0; i < 1 + LT_SESS_V6; i++)
		r->pos[i] = i < npos ? pos[i] : -1;
}

void
lt_sess_unbind(struct lt_sess *s)
{
	int32_t pos[1 + LT_SESS_V6];
	unsigned n = 0;

	if (s->bset == LT_NONE)
		return;
	if (s->has_v4)
		pos[n++] = bind_del(4, 32, s->v4);
	for (unsigned i = 0; i < s->nv6; i++)
		pos[n++] = bind_del(6, s->v6len[i], s->v6[i]);
	queue_retire(s->bset, LT_NONE, pos, n);
	s->bset = LT_NONE;
}

void
lt_sess_bind(struct lt_sess *s)
{
	struct lt_bset *b;
	uint32_t id;

	lt_sess_unbind(s);
	if (s->icept == LT_NONE || (!s->has_v4 && s->nv6 == 0) || T.nbset_free == 0)
		return;
	id = T.bset_free[--T.nbset_free];
	b = &T.bsets[id];
	b->n = 0;
	for (uint32_t ic = s->icept; ic != LT_NONE && b->n < LT_BSET_MAX;
	    ic = lt_icepts[ic].next)
		if (lt_dp.wm[lt_icepts[ic].warrant].content & LT_CONTENT_CC)
			b->icept[b->n++] = ic;
	if (b->n == 0) {
		T.bset_free[T.nbset_free++] = id;
		return;
	}
	b->expire_us = s->expire_us;
	s->bset = id;
	if (s->has_v4)
		bind_add(4, 32, s->v4, id);
	for (unsigned i = 0; i < s->nv6; i++)
		bind_add(6, s->v6len[i], s->v6[i], id);
}

void
lt_sess_set_expiry(struct lt_sess *s, int64_t expire_us)
{
	if (s->bset != LT_NONE)
		__atomic_store_n(&T.bsets[s->bset].expire_us, expire_us, __ATOMIC_RELEASE);
}

void
lt_sess_release(struct lt_sess *s)
{
	lt_sess_unbind(s);
	for (uint32_t id = s->icept, next; id != LT_NONE; id = next) {
		next = lt_icepts[id].next;
		lt_icepts[id].dead = 1;
		if (lt_icepts[id].holds == 0)
			lt_icept_release(id);
	}
	s->icept = LT_NONE;
}

void
lt_icept_unhold(uint32_t id)
{
	struct lt_icept *ic = &lt_icepts[id];

	if (--ic->holds == 0 && ic->dead)
		lt_icept_release(id);
}

void
lt_icept_release(uint32_t id)
{
	lt_icepts[id].next = LT_NONE;
	queue_retire(LT_NONE, id, NULL, 0);
}

/*
 * An mbuf carrying a message to an owner: from the session lcore's rx pool,
 * or for a reassembled AAA datagram longer than its buffers, from our own.
 */
static struct rte_mbuf *
msg_alloc_len(enum lt_msg_kind kind, uint32_t id, uint32_t len)
{
	struct rte_mempool *mp = lt_dp.workers[0].pool;
	struct rte_mbuf *m;
	struct lt_meta *md;

	if (len + RTE_PKTMBUF_HEADROOM > rte_pktmbuf_data_room_size(mp))
		mp = T.big;
	if ((m = rte_pktmbuf_alloc(mp)) == NULL)
		return NULL;

	if (m == NULL)
		return NULL;
	md = lt_meta(m);
	md->kind = (uint8_t)kind;
	md->nmatch = 0;
	md->msg_id = id;
	return m;
}

static struct rte_mbuf *
msg_alloc(enum lt_msg_kind kind, uint32_t id)
{
	return msg_alloc_len(kind, id, 0);
}

static void
msg_send(struct rte_mbuf *m, uint16_t owner)
{
	while (rte_ring_mp_enqueue(lt_dp.workers[owner].ring, m) != 0) {
		if (!lt_dp.replay) {
			rte_pktmbuf_free(m);
			lt_tst.handoff_full++;
			return;
		}
		lt_worker_yield(&lt_dp.workers[0]);
	}
}

static inline bool
active(uint32_t w, int64_t t)
{
	return t >= lt_dp.wm[w].start_us && t < lt_dp.wm[w].end_us;
}

static void
ipaddr(struct etsi_ipaddr *e, uint8_t family, uint8_t len, const uint8_t *a, uint8_t assign)
{
	memset(e, 0, sizeof(*e));
	e->family = family;
	e->prefix_len = len;
	e->assignment = assign;
	memcpy(e->addr, a, family == 4 ? 4 : 16);
}

/* targetIPAddress, additionalIPAddress, otherTargetIdentifiers, iPVersion from s. */
static void
iri_addrs(struct etsi_ipiri *iri, const struct lt_sess *s)
{
	unsigned first6 = 0;

	iri->ip_version = 1;
	if (s == NULL)
		return;
	if (s->has_v4) {
		iri->has_target = 1;
		ipaddr(&iri->target, 4, 32, s->v4, 2);
		if (s->nv6 > 0) {
			iri->ip_version = 3;
			iri->has_additional = 1;
			ipaddr(&iri->additional, 6, s->v6len[0], s->v6[0], 2);
			first6 = 1;
		}
	} else if (s->nv6 > 0) {
		iri->ip_version = 2;
		iri->has_target = 1;
		ipaddr(&iri->target, 6, s->v6len[0], s->v6[0], 2);
		first6 = 1;
	}
	for (unsigned i = first6; i < s->nv6 && iri->nother < ETSI_IPIRI_MAX_OTHER; i++)
		ipaddr(&iri->other[iri->nother++], 6, s->v6len[i], s->v6[i], 2);
}

static struct etsi_time
us_time(int64_t us)
{
	return (struct etsi_time){ us / 1000000, (uint32_t)(us % 1000000) };
}

void
lt_send_iri(struct lt_icept *ic, const struct lt_sess *s, enum etsi_iri_type type,
    enum etsi_access_event ev, const struct lt_iri_extra *x, int64_t ts_us)
{
	const struct lt_pop *pop = &ic->pop;
	struct etsi_ipiri iri = {
		.iri_type = type,
		.event = ev,
		.username = (const char *)ic->uname,
		.username_len = ic->uname_len,
		.access_type = ic->access_type,
		.has_auth_type = 1,
		.auth_type = ic->auth_type,
		.has_pop_port = pop->has_port,
		.pop_port = pop->port,
		.has_pop_ip = ic->pop.family != 0,
	};
	static const char unknown[] = "unknown";

	iri_addrs(&iri, s);
	if (s != NULL) {
		iri.has_start = 1;
		iri.start = us_time(s->start_us);
	}
	if (x != NULL) {
		iri.has_end = x->end_us != 0;
		iri.end = us_time(x->end_us);
		iri.has_end_reason = x->has_end_reason;
		iri.end_reason = x->end_reason;
		iri.has_octets = x->has_octets;
		iri.octets_received = x->rx;
		iri.octets_transmitted = x->tx;
	}
	if (pop->family != 0)
		ipaddr(&iri.pop_ip, pop->family, pop->family == 4 ? 32 : 128, pop->addr, 0);
	if (pop->id_len > 0) {
		iri.pop_id = pop->id;
		iri.pop_id_len = pop->id_len;
	}
	if (pop->port_id_len > 0) {
		iri.pop_port_id = pop->port_id;
		iri.pop_port_id_len = pop->port_id_len;
	}
	if (ic->netid_len > 0) {
		iri.network_id = ic->netid;
		iri.network_id_len = ic->netid_len;
	}
	if (ic->cpe_len > 0) {
		iri.cpe_id = ic->cpe;
		iri.cpe_id_len = ic->cpe_len;
	}
	if (ic->expected_end_us != 0) {
		iri.has_expected_end = 1;
		iri.expected_end = us_time(ic->expected_end_us);
	}
	if (ic->uname_len == 0) {
		iri.username = unknown;
		iri.username_len = sizeof(unknown) - 1;
	}
	lt_iri_send(ic, &iri, ts_us);
}

/* An IRI of type for every intercept of s in the right state (Begin: not begun yet). */
void
lt_sess_iri(struct lt_sess *s, enum etsi_iri_type type, enum etsi_access_event ev,
    const struct lt_iri_extra *x, int64_t ts_us)
{
	for (uint32_t id = s->icept; id != LT_NONE; id = lt_icepts[id].next) {
		struct lt_icept *ic = &lt_icepts[id];

		if (type == ETSI_IRI_BEGIN) {
			if (ic->own.iri_state != LT_IRI_NONE || !active(ic->warrant, ts_us))
				continue;
			ic->own.iri_state = LT_IRI_BEGUN;
		} else if (ic->own.iri_state != LT_IRI_BEGUN) {
			continue;
		}
		if (type == ETSI_IRI_END)
			ic->own.iri_state = LT_IRI_ENDED;
		lt_send_iri(ic, s, type, ev, x, ts_us);
	}
}

/* Warrant windows the clock has crossed since s was last looked at. */
void
lt_sess_windows(struct lt_sess *s, int64_t now_us)
{
	for (uint32_t id = s->icept; id != LT_NONE; id = lt_icepts[id].next) {
		struct lt_icept *ic = &lt_icepts[id];
		const struct lt_wmatch *wm = &lt_dp.wm[ic->warrant];

		if (ic->own.iri_state == LT_IRI_NONE && now_us >= wm->start_us &&
		    wm->start_us < wm->end_us && now_us < wm->end_us) {
			ic->own.iri_state = LT_IRI_BEGUN;
			lt_send_iri(ic, s, ETSI_IRI_BEGIN, ETSI_AE_START_WITH_SESSION_ACTIVE, NULL,
			    wm->start_us > s->start_us ? wm->start_us : s->start_us);
		}
		if (ic->own.iri_state == LT_IRI_BEGUN && now_us >= wm->end_us) {
			struct lt_iri_extra x = { .end_us = wm->end_us };

			ic->own.iri_state = LT_IRI_ENDED;
			lt_send_iri(ic, s, ETSI_IRI_END, ETSI_AE_END_WITH_SESSION_ACTIVE, &x,
			    wm->end_us);
		}
	}
}

void
lt_sess_aaa_cc(const struct lt_sess *s, const uint8_t *l3, uint32_t len, int64_t ts_us)
{
	for (uint32_t id = s->icept; id != LT_NONE; id = lt_icepts[id].next) {
		const struct lt_icept *ic = &lt_icepts[id];

		if (lt_dp.wm[ic->warrant].aaa_cc &&
		    ic->own.iri_state == LT_IRI_BEGUN && active(ic->warrant, ts_us))
			lt_cc_copy(id, l3, len, ts_us);
	}
}

struct rte_mbuf *
lt_pkt_keep(const uint8_t *l3, uint32_t len)
{
	struct rte_mbuf *m = msg_alloc_len(LT_MSG_PACKET, 0, len);

	if (m != NULL && rte_pktmbuf_append(m, (uint16_t)len) == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	if (m != NULL)
		memcpy(rte_pktmbuf_mtod(m, uint8_t *), l3, len);
	return m;
}

void
lt_cc_copy(uint32_t icept, const uint8_t *l3, uint32_t len, int64_t ts_us)
{
	struct rte_mbuf *m;
	struct lt_meta *md;

	if (!(lt_dp.wm[lt_icepts[icept].warrant].content & LT_CONTENT_CC))
		return;
	if ((m = msg_alloc_len(LT_MSG_PACKET, 0, len)) == NULL ||
	    rte_pktmbuf_append(m, (uint16_t)len) == NULL) {
		rte_pktmbuf_free(m);
		lt_icepts[icept].own.cc_lost++;
		return;
	}
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), l3, len);
	md = lt_meta(m);
	md->ts_us = ts_us;
	md->l3_off = 0;
	md->l3_len = len;
	md->nmatch = 1;
	md->warrant[0] = LT_ICEPT_BIT | icept;
	md->dir[0] = ETSI_DIR_INDETERMINATE;
	msg_send(m, lt_dp.wm[lt_icepts[icept].warrant].owner);
}

void
lt_iri_send(struct lt_icept *ic, const struct etsi_ipiri *iri, int64_t ts_us)
{
	const struct lt_wmatch *w = &lt_dp.wm[ic->warrant];
	struct etsi_time ts = { ts_us / 1000000, (uint32_t)(ts_us % 1000000) };
	struct rte_mbuf *m;
	uint8_t *p;
	int n;

	if (!(w->content & LT_CONTENT_IRI))
		return;
	m = msg_alloc(LT_MSG_IRI, w->agency);
	if (m == NULL) {
		lt_tst.iri_lost++;
		ic->own.iri_seq++;
		return;
	}
	p = rte_pktmbuf_mtod(m, uint8_t *);
	n = etsi_ipiri_encode(p, rte_pktmbuf_tailroom(m), &ic->own.tmpl, ic->own.iri_seq,
	    ts, iri);
	if (n < 0) {
		log_err("warrant %u: an IRI could not be encoded", ic->warrant);
		rte_pktmbuf_free(m);
		return;
	}
	/* for the owner's integrity hash: whose record, its sequenceNumber, its time */
	lt_meta(m)->nmatch = 1;
	lt_meta(m)->warrant[0] = (uint32_t)(ic - lt_icepts);
	lt_meta(m)->l3_off = ic->own.iri_seq;
	lt_meta(m)->ts_us = ts_us;
	ic->own.iri_seq++;
	/* the encoder wrote the record's last n bytes of the tailroom */
	memmove(p, p + rte_pktmbuf_tailroom(m) - n, (size_t)n);
	rte_pktmbuf_append(m, (uint16_t)n);
	msg_send(m, lt_dp.wm[ic->warrant].owner);
}

void
lt_track_retire_poll(void)
{
	void *back[64];
	unsigned n;

	while (T.rhead != T.rtail) {
		struct retire *r = &T.retire[T.rhead % RETIRE_MAX];

		if (rte_rcu_qsbr_check(lt_dp.rcu, r->token, false) != 1)
			break;
		for (unsigned i = 0; i < 1 + LT_SESS_V6; i++)
			if (r->pos[i] >= 0)
				rte_hash_free_key_with_position(T.btab, r->pos[i]);
		if (r->bset != LT_NONE)
			T.bset_free[T.nbset_free++] = r->bset;
		for (uint32_t ic = r->icept, next; ic != LT_NONE; ic = next) {
			struct rte_mbuf *m;

			next = lt_icepts[ic].next;
			/* behind every packet for it already in the owner's ring */
			while ((m = msg_alloc(LT_MSG_RETIRE, ic)) == NULL)
				lt_worker_yield(&lt_dp.workers[0]);
			msg_send(m, lt_dp.wm[lt_icepts[ic].warrant].owner);
		}
		T.rhead++;
	}
	while ((n = rte_ring_sc_dequeue_burst(T.icept_back, (void **)back, 64, NULL)) > 0)
		for (unsigned i = 0; i < n; i++)
			T.icept_free[T.nicept_free++] = (uint32_t)(uintptr_t)back[i];
}

enum lt_deliver_result
lt_track_message(struct lt_worker *w, struct rte_mbuf *m)
{
	struct lt_meta *md = lt_meta(m);
	struct lt_integ *ig;
	struct lt_conn *c;
	uint8_t *p;

	(void)w;
	if (md->kind == LT_MSG_RETIRE) {
		struct lt_icept *ic = &lt_icepts[md->msg_id];

		/* the intercept's streams end: their partial integrity runs go out */
		if (ic->own.integ != NULL) {
			if (lt_integ_flush(ic->own.integ, lt_dp_clock_us()) < 0 && lt_dp.replay)
				return LT_NO_ROOM;
			lt_integ_free(ic->own.integ);
			ic->own.integ = NULL;
		}
		/* the ring holds fewer than ICEPT_MAX ids: never full */
		rte_ring_mp_enqueue(T.icept_back, (void *)(uintptr_t)md->msg_id);
		return LT_DELIVERED;
	}
	c = md->kind == LT_MSG_CC ? &lt_dp.agencies[md->msg_id].hi3 :
	    &lt_dp.agencies[md->msg_id].hi2;
	if (c->state == LT_CONN_FAILED) {
		c->st.records_lost++;
		return LT_UNDELIVERABLE;
	}
	ig = md->nmatch == 1 ? lt_icepts[md->warrant[0]].own.integ : NULL;
	if ((p = lt_conn_reserve(c, rte_pktmbuf_data_len(m) +
	    (ig != NULL ? lt_integ_room(ig, LT_INTEG_IRI, 1) : 0))) == NULL) {
		if (lt_dp.replay)
			return LT_NO_ROOM;
		c->st.records_lost++;
		return LT_DELIVERED;
	}
	memcpy(p, rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m));
	lt_conn_commit_sid(c, rte_pktmbuf_data_len(m),
	    md->nmatch == 1 ? lt_icepts[md->warrant[0]].own.sid : 0);
	if (ig != NULL)
		lt_integ_pdu(ig, LT_INTEG_IRI, md->l3_off, p, rte_pktmbuf_data_len(m), md->ts_us);
	return LT_DELIVERED;
}

uint32_t
lt_track_next_cin(uint32_t slot)
{
	return T.next_cin == NULL ? 0 : __atomic_load_n(&T.next_cin[slot], __ATOMIC_RELAXED);
}

void
lt_track_set_next_cin(uint32_t slot, uint32_t cin)
{
	T.next_cin[slot] = cin;
}

int
lt_track_find_sid(uint32_t sid, uint32_t *slot, uint32_t *cin)
{
	if (lt_icepts == NULL || sid == 0)
		return -1;
	for (uint32_t i = 0; i < ICEPT_MAX; i++)
		if (lt_icepts[i].own.sid == sid) {
			*slot = lt_icepts[i].warrant;
			*cin = lt_icepts[i].cin;
			return 0;
		}
	return -1;
}
