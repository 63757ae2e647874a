/* worker.c - the per-lcore loop: rx -> parse -> match -> encode -> deliver. */
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf_dyn.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include "capture/parse.h"
#include "dp.h"

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

/* One packet's records for the warrants this worker's agencies own. */
static enum lt_deliver_result
deliver_owned(struct lt_worker *w, struct rte_mbuf *m, unsigned *from)
{
	struct lt_meta *md = lt_meta(m);
	const uint8_t *pkt = rte_pktmbuf_mtod_offset(m, const uint8_t *, md->l3_off);

	for (; *from < md->nmatch; (*from)++) {
		uint32_t wi = md->warrant[*from];
		struct lt_agency_rt *a;
		enum lt_deliver_result r;

		if (lt_dp.wm[wi].owner != w->id)
			continue;
		a = &lt_dp.agencies[lt_dp.cfg->warrants[wi].agency];
		r = lt_deliver_cc(&a->hi3, &lt_dp.wown[wi], us_time(md->ts_us),
		    (enum etsi_dir)md->dir[*from], pkt, md->l3_len);
		if (r == LT_NO_ROOM) {
			if (lt_dp.replay)
				return r;	/* lossless: wait for room */
			a->hi3.st.records_lost++;
			lt_dp.wown[wi].cc_seq++;	/* the LEMF sees the gap */
			w->st.queue_full++;
		} else if (r == LT_UNDELIVERABLE) {
			a->hi3.st.records_lost++;
			w->st.undeliverable++;
		} else {
			w->st.records++;
		}
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
		if (deliver_owned(w, w->items[w->item], &w->item_match) == LT_NO_ROOM)
			return;
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
	const struct lt_config *cfg = lt_dp.cfg;
	int64_t clock = lt_dp_clock_us(), first = lt_dp.replay ? dp_first_us() : clock;
	int64_t next = INT64_MAX;

	if (clock == INT64_MIN || first == INT64_MAX || clock < w->iri_next_us)
		return;		/* no packet yet (no capture clock), or nothing due */
	for (uint32_t i = 0; i < cfg->nwarrants; i++) {
		const struct lt_warrant *wr = &cfg->warrants[i];
		struct lt_wown *o = &lt_dp.wown[i];

		if (lt_dp.wm[i].owner != w->id || !(wr->content & LT_CONTENT_IRI) ||
		    o->iri_state == LT_IRI_ENDED)
			continue;
		lt_deliver_window_iri(&lt_dp.agencies[wr->agency].hi2, o, wr, clock, first);
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
	if (now >= w->next_tick) {
		w->next_tick = now + TICK_NS;
		iri_tick(w);
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
	for (unsigned i = 0; i < md->nmatch; i++)
		if (lt_dp.wm[md->warrant[i]].owner == owner)
			w->agency_lost[lt_dp.cfg->warrants[md->warrant[i]].agency]++;
}

/* Hands a matched packet to the owner of each of its warrants' agencies. */
static void
dispatch(struct lt_worker *w, struct rte_mbuf *m)
{
	struct lt_meta *md = lt_meta(m);
	unsigned from = 0;

	for (unsigned i = 0; i < md->nmatch; i++) {
		uint16_t o = lt_dp.wm[md->warrant[i]].owner;
		bool given = o == w->id;

		/* Each owner gets the packet once, whatever number of its warrants it has. */
		for (unsigned j = 0; j < i && !given; j++)
			given = lt_dp.wm[md->warrant[j]].owner == o;
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
	while (deliver_owned(w, m, &from) == LT_NO_ROOM)
		owner_poll(w, lt_mono_ns());
	rte_pktmbuf_free(m);
}

/* Match stage: which warrants want this packet, and in which direction. */
static void
classify(struct lt_worker *w, struct rte_mbuf *m, int64_t ts_us)
{
	struct lt_pkt pk;
	struct lt_meta *md;
	uint32_t ss, ds;
	enum lt_parse_result pr;

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
	if (pk.family == 4) {
		ss = lt_match_v4(lt_dp.match, pk.src);
		ds = lt_match_v4(lt_dp.match, pk.dst);
	} else {
		ss = lt_match_v6(lt_dp.match, pk.src);
		ds = lt_match_v6(lt_dp.match, pk.dst);
	}
	if (likely(ss == LT_NO_SET && ds == LT_NO_SET)) {
		rte_pktmbuf_free(m);
		return;
	}
	md = lt_meta(m);
	md->ts_us = ts_us;
	md->l3_off = pk.l3_off;
	md->l3_len = pk.l3_len;
	md->nmatch = 0;
	for (int side = 0; side < 2; side++) {
		uint32_t set = side == 0 ? ss : ds;
		const struct lt_match *mt = lt_dp.match;

		if (set == LT_NO_SET)
			continue;
		for (uint32_t k = mt->set_off[set]; k < mt->set_off[set + 1]; k++) {
			uint32_t wi = mt->set_warrant[k];
			const struct lt_wmatch *wm = &lt_dp.wm[wi];
			bool dup = false;

			if (ts_us < wm->start_us || ts_us >= wm->end_us)
				continue;
			for (unsigned j = 0; j < md->nmatch && side == 1; j++)
				dup |= md->warrant[j] == wi;
			if (dup)
				continue;
			if (md->nmatch == LT_MAX_MATCH) {
				w->st.too_many_warrants++;
				break;
			}
			md->warrant[md->nmatch] = wi;
			md->dir[md->nmatch++] = side == 0 ? ETSI_FROM_TARGET : ETSI_TO_TARGET;
		}
	}
	if (md->nmatch == 0) {
		rte_pktmbuf_free(m);
		return;
	}
	w->st.matched++;
	dispatch(w, m);
}

/* Replay: the capture's time; live: the (NTP-disciplined) wall clock of the burst. */
static inline int64_t
packet_time_us(struct rte_mbuf *m, int64_t now_us)
{
	if (lt_dp.ts_dynfield >= 0)
		return (int64_t)*RTE_MBUF_DYNFIELD(m, lt_dp.ts_dynfield, uint64_t *);
	return now_us;
}

void
lt_worker_burst(struct lt_worker *w, struct rte_mbuf **pkts, uint16_t n, int64_t now_us)
{
	w->st.bursts++;
	w->st.rx += n;
	for (uint16_t i = 0; i < n; i++) {
		int64_t ts;

		if (i + 3 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 3], void *));
		ts = packet_time_us(pkts[i], now_us);
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
	uint16_t n = rte_eth_rx_burst(w->port, w->queue, pkts, LT_BURST);

	if (n == 0) {
		w->st.empty_polls++;
		/* A capture file is read on demand: empty with free mbufs is its end. */
		if (lt_dp.replay && rte_mempool_avail_count(w->pool) > 2 * LT_BURST &&
		    ++w->empty_runs >= EOF_EMPTY_RUNS)
			w->eof = true;
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

int
lt_worker_main(void *arg)
{
	struct lt_worker *w = arg;

	while (lt_dp.phase != LT_PHASE_DONE) {
		uint64_t now = lt_mono_ns();

		owner_poll(w, now);
		if (lt_dp.phase == LT_PHASE_RUN) {
			if (!w->eof) {
				if (lt_dp.stop_rx)
					w->eof = true;
				else
					rx_process(w);
			}
			continue;
		}
		/* FLUSH: every capture is read; the last IRI tick sees the final clock. */
		if (w->item == w->nitems && rte_ring_empty(w->ring)) {
			iri_tick(w);
			if (!w->closed && owned_conns_done(w))
				w->closed = true;
		}
	}
	return 0;
}
