/* worker.c - the per-lcore loop: rx -> parse -> match -> encode -> deliver. */
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf_dyn.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include "capture/parse.h"
#include "dp.h"
#include "evidence/evdp.h"
#include "session/track/track.h"

#define TICK_NS		1000000ULL	/* IRI window checks */
#define EOF_EMPTY_RUNS	16

struct lt_dp lt_dp;

int64_t
lt_dp_clock_us(void)
{
	int64_t c = INT64_MIN;

	if (!lt_dp.replay) {
		struct etsi_time t = lt_wall_now();

		return t.sec * 1000000 + t.usec;
	}
	for (unsigned i = 0; i < lt_dp.nworkers; i++) {
		int64_t v = __atomic_load_n(&lt_dp.workers[i].clock_us, __ATOMIC_RELAXED);

		if (v > c)
			c = v;
	}
	return c;
}

static int64_t
dp_first_us(void)
{
	int64_t f = INT64_MAX;

	for (unsigned i = 0; i < lt_dp.nworkers; i++) {
		int64_t v = __atomic_load_n(&lt_dp.workers[i].first_us, __ATOMIC_RELAXED);

		if (v < f)
			f = v;
	}
	return f;
}

static inline struct etsi_time
us_time(int64_t us)
{
	return (struct etsi_time){ .sec = us / 1000000, .usec = (uint32_t)(us % 1000000) };
}

/* The warrant behind a match: itself, or an intercept's. */
static inline uint32_t
id_warrant(uint32_t id)
{
	return id & LT_ICEPT_BIT ? lt_track_icept(id & ~LT_ICEPT_BIT)->warrant : id;
}

static inline struct lt_wown *
id_own(uint32_t id)
{
	return id & LT_ICEPT_BIT ? &lt_track_icept(id & ~LT_ICEPT_BIT)->own : &lt_dp.wown[id];
}

/* One packet's records for the warrants this worker's agencies own. */
static enum lt_deliver_result
deliver_owned(struct lt_worker *w, struct rte_mbuf *m, unsigned *from)
{
	struct lt_meta *md = lt_meta(m);
	const uint8_t *pkt = rte_pktmbuf_mtod_offset(m, const uint8_t *, md->l3_off);

	for (; *from < md->nmatch; (*from)++) {
		uint32_t id = md->warrant[*from], wi = id_warrant(id);
		struct lt_wown *o = id_own(id);
		struct lt_agency_rt *a;
		enum lt_deliver_result r;

		if (lt_dp.wm[wi].owner != w->id)
			continue;
		a = &lt_dp.agencies[lt_dp.wm[wi].agency];
		r = lt_deliver_cc(&a->hi3, o, us_time(md->ts_us),
		    (enum etsi_dir)md->dir[*from], pkt, md->l3_len);
		if (r == LT_NO_ROOM) {
			if (lt_dp.replay)
				return r;	/* lossless: wait for room */
			a->hi3.st.records_lost++;
			o->cc_seq++;	/* the LEMF sees the gap */
			w->st.queue_full++;
		} else if (r == LT_UNDELIVERABLE) {
			a->hi3.st.records_lost++;
			w->st.undeliverable++;
		} else {
			w->st.records++;
		}
		if (unlikely(lt_dp.ev != NULL))
			lt_evwire_packet(lt_dp.ev, wi, md->ts_us, pkt, md->l3_len);
	}
	return LT_DELIVERED;
}

/* Records other workers found for agencies this worker owns. */
static void
drain_ring(struct lt_worker *w)
{
	for (;;) {
		if (w->item == w->nitems) {
			w->nitems = rte_ring_sc_dequeue_burst(w->ring, (void **)w->items,
			    LT_BURST, NULL);
			w->item = w->item_match = 0;
			if (w->nitems == 0)
				return;
		}
		if (lt_meta(w->items[w->item])->kind != LT_MSG_PACKET) {
			if (lt_track_message(w, w->items[w->item]) == LT_NO_ROOM)
				return;
		} else if (deliver_owned(w, w->items[w->item], &w->item_match) == LT_NO_ROOM) {
			return;
		}
		rte_pktmbuf_free(w->items[w->item]);
		w->item++;
		w->item_match = 0;
	}
}

/*
 * IRI-Begin/-End as the clock crosses warrant windows.  The scan runs only
 * when the clock has reached the earliest pending start or end.
 */
static void
iri_tick(struct lt_worker *w)
{
	int64_t clock = lt_dp_clock_us(), first = lt_dp.replay ? dp_first_us() : clock;
	int64_t next = INT64_MAX;

	uint64_t changed = __atomic_load_n(&lt_dp.windows_changed, __ATOMIC_ACQUIRE);

	if (clock == INT64_MIN || first == INT64_MAX ||
	    (clock < w->iri_next_us && changed == w->windows_seen))
		return;		/* no packet yet (no capture clock), or nothing due */
	w->windows_seen = changed;
	for (uint32_t i = 0; i < lt_dp.nslots; i++) {
		const struct lt_warrant *wr = lt_dp.wrec[i];
		struct lt_wown *o = &lt_dp.wown[i];
		struct lt_wmatch *wm = &lt_dp.wm[i];

		if (wm->owner != w->id || !(wm->content & LT_CONTENT_IRI) ||
		    o->iri_state == LT_IRI_ENDED)
			continue;
		lt_deliver_window_iri(&lt_dp.agencies[wm->agency].hi2, o, wr, wm->start_us,
		    wm->end_us, clock, first);
		if (o->iri_state == LT_IRI_NONE && lt_dp.wm[i].start_us < next)
			next = lt_dp.wm[i].start_us;
		if (o->iri_state == LT_IRI_BEGUN && lt_dp.wm[i].end_us < next)
			next = lt_dp.wm[i].end_us;
	}
	w->iri_next_us = next;
}

/* Connections, ring and IRI timers of the agencies this worker owns. */
static void
owner_poll(struct lt_worker *w, uint64_t now)
{
	drain_ring(w);
	if (w->id == 0 && lt_dp.apply != NULL)
		lt_apply_publish();
	lt_track_poll(w, lt_dp_clock_us());
	if (now >= w->next_tick) {
		w->next_tick = now + TICK_NS;
		iri_tick(w);
		lt_dp_ev_tick(w, lt_dp_clock_us());
	}
	for (uint32_t a = 0; a < lt_dp.cfg->nagencies; a++) {
		if (lt_dp.agencies[a].owner != w->id)
			continue;
		lt_conn_service(&lt_dp.agencies[a].hi2, now);
		lt_conn_service(&lt_dp.agencies[a].hi3, now);
	}
}

/* The owner's ring is full (live): count the packet's lost records per agency. */
static void
ring_loss(struct lt_worker *w, const struct lt_meta *md, uint16_t owner)
{
	for (unsigned i = 0; i < md->nmatch; i++) {
		uint32_t wi = id_warrant(md->warrant[i]);

		if (lt_dp.wm[wi].owner == owner)
			w->agency_lost[lt_dp.wm[wi].agency]++;
	}
}

/* Hands a matched packet to the owner of each of its warrants' agencies. */
static void
dispatch(struct lt_worker *w, struct rte_mbuf *m)
{
	struct lt_meta *md = lt_meta(m);
	unsigned from = 0;

	for (unsigned i = 0; i < md->nmatch; i++) {
		uint16_t o = lt_dp.wm[id_warrant(md->warrant[i])].owner;
		bool given = o == w->id;

		/* Each owner gets the packet once, whatever number of its warrants it has. */
		for (unsigned j = 0; j < i && !given; j++)
			given = lt_dp.wm[id_warrant(md->warrant[j])].owner == o;
		if (given)
			continue;
		rte_mbuf_refcnt_update(m, 1);
		while (rte_ring_mp_enqueue(lt_dp.workers[o].ring, m) != 0) {
			if (!lt_dp.replay) {
				rte_mbuf_refcnt_update(m, -1);
				w->st.ring_full++;
				ring_loss(w, md, o);
				break;
			}
			owner_poll(w, lt_mono_ns());
		}
	}
	/* replay: records other workers (or the session lcore) found earlier go first */
	while (lt_dp.replay && (w->item != w->nitems || !rte_ring_empty(w->ring)))
		owner_poll(w, lt_mono_ns());
	while (deliver_owned(w, m, &from) == LT_NO_ROOM)
		owner_poll(w, lt_mono_ns());
	rte_pktmbuf_free(m);
}

/* Adds warrant or intercept id to the packet's matches unless already there. */
static inline void
add_match(struct lt_worker *w, struct lt_meta *md, uint32_t id, uint8_t dir)
{
	for (unsigned j = 0; j < md->nmatch; j++)
		if (md->warrant[j] == id)
			return;
	if (md->nmatch == LT_MAX_MATCH) {
		w->st.too_many_warrants++;
		return;
	}
	md->warrant[md->nmatch] = id;
	md->dir[md->nmatch++] = dir;
}

static inline bool
in_window(uint32_t wi, int64_t ts_us)
{
	return ts_us >= lt_dp.wm[wi].start_us && ts_us < lt_dp.wm[wi].end_us;
}

/*
 * An address passed the filter: static prefixes (LPM), a session's bound
 * addresses, or AAA traffic for the session lcore.
 */
static void
classify_hit(struct lt_worker *w, struct rte_mbuf *m, const struct lt_match *mt,
    const struct lt_pkt *pk, bool hit_src, bool hit_dst, int64_t ts_us)
{
	const struct lt_bset *bs[2] = { NULL, NULL };
	uint32_t set[2] = { LT_NO_SET, LT_NO_SET };
	struct lt_meta *md;

	if (pk->family == 4) {
		if (hit_src)
			set[0] = lt_match_lpm4(mt, pk->src);
		if (hit_dst)
			set[1] = lt_match_lpm4(mt, pk->dst);
	} else {
		if (hit_src)
			set[0] = lt_match_lpm6(mt, pk->src);
		if (hit_dst)
			set[1] = lt_match_lpm6(mt, pk->dst);
	}
	if (unlikely(lt_track_on) && !lt_track_aaa(w, m, pk->family,
	    rte_pktmbuf_mtod_offset(m, const uint8_t *, pk->l3_off), pk->l3_len, ts_us)) {
		if (hit_src)
			bs[0] = lt_track_lookup(pk->family, pk->src);
		if (hit_dst)
			bs[1] = lt_track_lookup(pk->family, pk->dst);
	}
	if ((set[0] & set[1]) == LT_NO_SET && bs[0] == NULL && bs[1] == NULL) {
		rte_pktmbuf_free(m);	/* the filter's false positive: the common case */
		return;
	}
	md = lt_meta(m);
	md->ts_us = ts_us;
	md->l3_off = pk->l3_off;
	md->l3_len = pk->l3_len;
	md->kind = LT_MSG_PACKET;
	md->nmatch = 0;
	for (int side = 0; side < 2; side++) {
		uint8_t dir = side == 0 ? ETSI_FROM_TARGET : ETSI_TO_TARGET;

		if (set[side] != LT_NO_SET)
			for (uint32_t k = mt->set_off[set[side]]; k < mt->set_off[set[side] + 1]; k++)
				if (in_window(mt->set_warrant[k], ts_us))
					add_match(w, md, mt->set_warrant[k], dir);
		if (bs[side] != NULL && ts_us < bs[side]->expire_us)
			for (uint32_t k = 0; k < bs[side]->n; k++) {
				uint32_t ic = bs[side]->icept[k];

				if (in_window(lt_track_icept(ic)->warrant, ts_us))
					add_match(w, md, LT_ICEPT_BIT | ic, dir);
			}
	}
	if (md->nmatch == 0) {
		rte_pktmbuf_free(m);
		return;
	}
	w->st.matched++;
	dispatch(w, m);
}

/* Match stage: which warrants want this packet, and in which direction. */
static void
classify(struct lt_worker *w, struct rte_mbuf *m, int64_t ts_us)
{
	const struct lt_match *mt;
	struct lt_pkt pk;
	enum lt_parse_result pr;
	bool hit[2];

	pr = lt_parse_frame(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m), &pk);
	if (unlikely(pr != LT_PARSE_IP)) {
		if (m->nb_segs > 1)
			w->st.multiseg++;	/* longer than one mbuf: not read */
		else if (pr == LT_PARSE_MALFORMED)
			w->st.malformed++;
		else
			w->st.not_ip++;
		rte_pktmbuf_free(m);
		return;
	}
	mt = __atomic_load_n(&lt_dp.match, __ATOMIC_ACQUIRE);
	if (pk.family == 4) {
		hit[0] = lt_match_maybe4(mt, pk.src);
		hit[1] = lt_match_maybe4(mt, pk.dst);
	} else {
		hit[0] = lt_match_maybe6(mt, pk.src);
		hit[1] = lt_match_maybe6(mt, pk.dst);
	}
	if (likely(!hit[0] && !hit[1])) {
		rte_pktmbuf_free(m);
		return;
	}
	classify_hit(w, m, mt, &pk, hit[0], hit[1], ts_us);
}

/* Replay: the capture's time; live: the (NTP-disciplined) wall clock of the burst. */
static inline int64_t
packet_time_us(struct rte_mbuf *m, int64_t now_us)
{
	if (lt_dp.ts_dynfield >= 0)
		return (int64_t)*RTE_MBUF_DYNFIELD(m, lt_dp.ts_dynfield, uint64_t *);
	return now_us;
}

/*
 * Replay of several files: a worker takes its next packet only when no other
 * worker holds an earlier one (ties: the earlier file), so that the files are
 * read as one capture merged by time, and a binding learnt from one file's
 * AAA packet is in place for the other files' packets that follow it.
 */
static void
replay_turn(struct lt_worker *w, int64_t ts)
{
	__atomic_store_n(&w->head_us, ts, __ATOMIC_RELEASE);
	for (;;) {
		bool mine = true;

		for (unsigned i = 0; i < lt_dp.nworkers && mine; i++) {
			int64_t h;

			if (i == w->id)
				continue;
			h = __atomic_load_n(&lt_dp.workers[i].head_us, __ATOMIC_ACQUIRE);
			mine = ts < h || (ts == h && w->id < i);
		}
		if (mine)
			return;
		lt_worker_yield(w);
	}
}

void
lt_worker_burst(struct lt_worker *w, struct rte_mbuf **pkts, uint16_t n, int64_t now_us)
{
	bool merge = lt_dp.replay && lt_dp.nworkers > 1;

	w->st.bursts++;
	w->st.rx += n;
	for (uint16_t i = 0; i < n; i++) {
		int64_t ts;

		if (i + 3 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 3], void *));
		ts = packet_time_us(pkts[i], now_us);
		if (merge)
			replay_turn(w, ts);
		w->st.bytes += rte_pktmbuf_pkt_len(pkts[i]);
		if (unlikely(w->first_us == INT64_MAX))
			__atomic_store_n(&w->first_us, ts, __ATOMIC_RELAXED);
		if (ts > w->clock_us)
			__atomic_store_n(&w->clock_us, ts, __ATOMIC_RELAXED);
		classify(w, pkts[i], ts);
	}
}

static void
rx_process(struct lt_worker *w)
{
	struct rte_mbuf *pkts[LT_BURST];
	uint16_t n;

	/* replay: while reading, this worker's next packet time is unknown */
	__atomic_store_n(&w->head_us, INT64_MIN, __ATOMIC_RELEASE);
	n = rte_eth_rx_burst(w->port, w->queue, pkts, LT_BURST);
	if (n == 0) {
		w->st.empty_polls++;
		/* A capture file is read on demand: empty with free mbufs is its end. */
		if (lt_dp.replay && rte_mempool_avail_count(w->pool) > 2 * LT_BURST &&
		    ++w->empty_runs >= EOF_EMPTY_RUNS) {
			w->eof = true;
			__atomic_store_n(&w->head_us, INT64_MAX, __ATOMIC_RELEASE);
		}
		return;
	}
	w->empty_runs = 0;
	if (lt_dp.ts_dynfield < 0) {
		struct etsi_time t = lt_wall_now();

		lt_worker_burst(w, pkts, n, t.sec * 1000000 + t.usec);
	} else {
		lt_worker_burst(w, pkts, n, 0);
	}
}

static bool
owned_conns_done(struct lt_worker *w)
{
	for (uint32_t a = 0; a < lt_dp.cfg->nagencies; a++) {
		struct lt_agency_rt *ag = &lt_dp.agencies[a];

		if (ag->owner != w->id)
			continue;
		lt_conn_finish(&ag->hi2);
		lt_conn_finish(&ag->hi3);
		if (!lt_conn_done(&ag->hi2) || !lt_conn_done(&ag->hi3))
			return false;
	}
	return true;
}

void
lt_worker_yield(struct lt_worker *w)
{
	owner_poll(w, lt_mono_ns());
}

int
lt_worker_main(void *arg)
{
	struct lt_worker *w = arg;

	lt_track_online(w->id);
	while (lt_dp.phase != LT_PHASE_DONE) {
		uint64_t now = lt_mono_ns();

		lt_track_quiescent(w->id);
		owner_poll(w, now);
		if (lt_dp.phase == LT_PHASE_RUN) {
			if (!w->eof) {
				if (lt_dp.stop_rx) {
					w->eof = true;
					__atomic_store_n(&w->head_us, INT64_MAX, __ATOMIC_RELEASE);
				}
				else
					rx_process(w);
			}
			continue;
		}
		/* FLUSH: every capture is read; the last IRI tick sees the final clock. */
		if (w->id == 0 && !lt_dp.track_flushed) {
			lt_track_flush(w, lt_dp_clock_us());
			lt_dp.track_flushed = true;	/* no more IRIs for other owners */
		}
		if (lt_dp.track_flushed && w->item == w->nitems && rte_ring_empty(w->ring)) {
			iri_tick(w);
			if (!w->closed && lt_dp_ev_flush(w) && owned_conns_done(w))
				w->closed = true;
		}
	}
	lt_track_offline(w->id);
	return 0;
}
