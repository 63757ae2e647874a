/* aaa.c - which packets are AAA traffic, and handing them to the session lcore. */
#include <string.h>

#include <rte_cycles.h>
#include <rte_ip_frag.h>
#include <rte_ring.h>

#include "dp.h"
#include "session/sip/voipdp.h"
#include "session/track/track_impl.h"

#define AAA_RING	4096
#define TICK_US		1000
#define FRAG_BUCKETS	256
#define FRAG_PER_BUCKET	8
#define FRAG_TIMEOUT_S	5

static struct {
	struct rte_ring *ring;		/* AAA packets for the session lcore */
	struct rte_ip_frag_tbl *frag;	/* fragments of AAA datagrams */
	struct rte_ip_frag_death_row dr;
	uint8_t buf[65536];		/* a reassembled datagram, contiguous */
	int64_t next_tick_us;
} A;

int
lt_aaa_init(int socket)
{
	A.ring = rte_ring_create("lt_aaa", AAA_RING, socket, RING_F_SC_DEQ);
	A.frag = rte_ip_frag_table_create(FRAG_BUCKETS, FRAG_PER_BUCKET,
	    FRAG_BUCKETS * FRAG_PER_BUCKET, rte_get_tsc_hz() * FRAG_TIMEOUT_S, socket);
	if (A.ring == NULL || A.frag == NULL)
		return -1;
	for (uint32_t i = 0; i < lt_tcfg->aaa.nradius; i++) {
		const struct lt_aaa_server *s = &lt_tcfg->aaa.radius[i];

		if (lt_match_dyn_ref((struct lt_match *)lt_dp.match, s->family, s->addr, 1) < 0)
			return -1;
	}
	for (uint32_t i = 0; i < lt_tcfg->aaa.ndhcp; i++) {
		const struct lt_aaa_server *s = &lt_tcfg->aaa.dhcp[i];

		if (lt_match_dyn_ref((struct lt_match *)lt_dp.match, s->family, s->addr, 1) < 0)
			return -1;
	}
	return 0;
}

void
lt_aaa_free(void)
{
	rte_ring_free(A.ring);
	if (A.frag != NULL) {
		rte_ip_frag_free_death_row(&A.dr, 0);
		rte_ip_frag_table_destroy(A.frag);
	}
	A.ring = NULL;
	A.frag = NULL;
}

struct udp_view {
	const uint8_t *src, *dst;
	uint16_t sport, dport;
	const uint8_t *payload;
	size_t len;
	bool fragment;
};

/* The RADIUS server at either end, its index; -1 if neither is one. */
static int
radius_server(uint8_t family, const uint8_t *src, const uint8_t *dst, bool *to_server)
{
	size_t n = family == 4 ? 4 : 16;

	for (uint32_t i = 0; i < lt_tcfg->aaa.nradius; i++) {
		const struct lt_aaa_server *s = &lt_tcfg->aaa.radius[i];

		if (s->family != family)
			continue;
		if (memcmp(s->addr, dst, n) == 0) {
			*to_server = true;
			return (int)i;
		}
		if (memcmp(s->addr, src, n) == 0) {
			*to_server = false;
			return (int)i;
		}
	}
	return -1;
}

/* A DHCP server or relay at either end (ports 67/68), its index; -1 if not. */
static int
dhcp_server(uint8_t family, const struct udp_view *u)
{
	if (family != 4 || !(u->sport == 67 || u->sport == 68 || u->dport == 67 ||
	    u->dport == 68))
		return -1;
	for (uint32_t i = 0; i < lt_tcfg->aaa.ndhcp; i++) {
		const struct lt_aaa_server *s = &lt_tcfg->aaa.dhcp[i];

		if (s->family == 4 && (memcmp(s->addr, u->src, 4) == 0 ||
		    memcmp(s->addr, u->dst, 4) == 0))
			return (int)i;
	}
	return -1;
}

static bool
port_in(uint16_t p, const uint16_t *ports, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (ports[i] == p)
			return true;
	return false;
}


/* The UDP datagram in an IP packet; -1 if it is not UDP (or is garbled). */
static int
udp_of(const uint8_t *l3, uint32_t l3_len, uint8_t family, struct udp_view *u)
{
	const uint8_t *l4;
	uint32_t hl, ulen;
	uint8_t proto;

	u->fragment = false;
	if (family == 4) {
		hl = (uint32_t)(l3[0] & 0x0f) * 4;
		proto = l3[9];
		u->src = l3 + 12;
		u->dst = l3 + 16;
		if (((l3[6] & 0x3f) | l3[7]) != 0) {
			u->fragment = true;
			return -1;
		}
	} else {
		hl = 40;
		proto = l3[6];
		u->src = l3 + 8;
		u->dst = l3 + 24;
		if (proto == 44) {
			u->fragment = true;
			return -1;
		}
	}
	if (proto != 17 || l3_len < hl + 8)
		return -1;
	l4 = l3 + hl;
	u->sport = (uint16_t)(l4[0] << 8 | l4[1]);
	u->dport = (uint16_t)(l4[2] << 8 | l4[3]);
	ulen = (uint32_t)(l4[4] << 8 | l4[5]);
	if (ulen < 8 || ulen > l3_len - hl)
		return -1;
	u->payload = l4 + 8;
	u->len = ulen - 8;
	return 0;
}

static void aaa_process(const uint8_t *l3, uint32_t l3_len, uint8_t family, int64_t ts_us);

/* A fragment of an AAA datagram: the whole datagram is processed once its last part is in. */
static void
aaa_fragment(const uint8_t *l3, uint32_t l3_len, uint8_t family, int64_t ts_us)
{
	struct rte_mbuf *m, *r;
	const uint8_t *p;
	uint32_t len;

	lt_tst.aaa_fragments++;
	if ((m = lt_pkt_keep(l3, l3_len)) == NULL)
		return;
	m->l2_len = 0;
	if (family == 4) {
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);

		m->l3_len = rte_ipv4_hdr_len(ip);
		r = rte_ipv4_frag_reassemble_packet(A.frag, &A.dr, m, rte_rdtsc(), ip);
	} else {
		struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv6_hdr *);
		struct rte_ipv6_fragment_ext *fh = rte_ipv6_frag_get_ipv6_fragment_header(ip);

		m->l3_len = sizeof(*ip) + sizeof(*fh);
		r = rte_ipv6_frag_reassemble_packet(A.frag, &A.dr, m, rte_rdtsc(), ip, fh);
	}
	rte_ip_frag_free_death_row(&A.dr, 0);
	if (r == NULL)
		return;			/* more to come (or given up on) */
	len = rte_pktmbuf_pkt_len(r);
	if ((p = rte_pktmbuf_read(r, 0, len, A.buf)) != NULL && len <= sizeof(A.buf))
		aaa_process(p, len, family, ts_us);
	rte_pktmbuf_free(r);
}

/* Is port one of the RADIUS server's auth or acct ports? */
static bool
radius_port(int srv, uint16_t port)
{
	const struct lt_aaa_server *s = &lt_tcfg->aaa.radius[srv];

	return port_in(port, s->auth_ports, s->nauth) || port_in(port, s->acct_ports, s->nacct);
}

/* The session lcore's work on one AAA packet. */
static void
aaa_process(const uint8_t *l3, uint32_t l3_len, uint8_t family, int64_t ts_us)
{
	struct udp_view u;
	bool to_server;
	int srv;

	if (lt_voip_on && lt_voip_wants(family, l3, l3_len)) {
		lt_voip_process(l3, l3_len, ts_us);
		return;
	}
	if (udp_of(l3, l3_len, family, &u) < 0) {
		if (u.fragment)
			aaa_fragment(l3, l3_len, family, ts_us);
		else
			lt_tst.aaa_not_udp++;
		return;
	}
	lt_dhcp_expire(ts_us);		/* timers before the packet that passes them */
	if ((srv = radius_server(family, u.src, u.dst, &to_server)) >= 0) {
		/* a reassembled datagram's ports are seen only now */
		if (!radius_port(srv, to_server ? u.dport : u.sport))
			return;
		lt_rad_input(l3, l3_len, family, u.src, u.dst, u.sport, u.dport, u.payload, u.len,
		    srv, ts_us);
	} else if ((srv = dhcp_server(family, &u)) >= 0)
		lt_dhcp_input(l3, l3_len, u.src, u.payload, u.len, srv, ts_us);
}

bool
lt_track_aaa(struct lt_worker *w, struct rte_mbuf *m, uint8_t family, const uint8_t *l3,
    uint32_t l3_len, int64_t ts_us)
{
	struct lt_meta *md;
	struct udp_view u;
	bool to_server;
	int srv;

	if (lt_voip_on && lt_voip_wants(family, l3, l3_len))
		goto handoff;
	if (udp_of(l3, l3_len, family, &u) < 0 && !u.fragment)
		return false;
	if ((srv = radius_server(family, u.src, u.dst, &to_server)) < 0) {
		if (u.fragment || dhcp_server(family, &u) < 0)
			return false;
	} else if (!u.fragment && !radius_port(srv, to_server ? u.dport : u.sport)) {
		return false;
	}
handoff:
	if (w->id == 0) {
		aaa_process(l3, l3_len, family, ts_us);
		return true;
	}
	md = lt_meta(m);
	md->ts_us = ts_us;
	md->l3_off = (uint32_t)(l3 - rte_pktmbuf_mtod(m, const uint8_t *));
	md->l3_len = l3_len;
	md->msg_id = w->id;
	md->family = family;
	rte_mbuf_refcnt_update(m, 1);
	while (rte_ring_mp_enqueue(A.ring, m) != 0) {
		if (!lt_dp.replay) {
			rte_mbuf_refcnt_update(m, -1);
			lt_tst.handoff_full++;
			return true;
		}
		lt_worker_yield(w);
	}
	w->aaa_sent++;
	/* replay: the binding is in place before this worker's next packet */
	while (lt_dp.replay && __atomic_load_n(&w->aaa_done, __ATOMIC_ACQUIRE) < w->aaa_sent)
		lt_worker_yield(w);
	return true;
}

void
lt_track_poll(struct lt_worker *w, int64_t clock_us)
{
	struct rte_mbuf *ms[32];
	unsigned n;

	if (!lt_track_enabled() || w->id != 0)
		return;
	while ((n = rte_ring_sc_dequeue_burst(A.ring, (void **)ms, 32, NULL)) > 0)
		for (unsigned i = 0; i < n; i++) {
			struct lt_meta *md = lt_meta(ms[i]);
			struct lt_worker *from = &lt_dp.workers[md->msg_id];

			aaa_process(rte_pktmbuf_mtod_offset(ms[i], const uint8_t *, md->l3_off),
			    md->l3_len, md->family, md->ts_us);
			__atomic_fetch_add(&from->aaa_done, 1, __ATOMIC_RELEASE);
			rte_pktmbuf_free(ms[i]);
		}
	if (clock_us != INT64_MIN && clock_us >= A.next_tick_us) {
		A.next_tick_us = clock_us + TICK_US;
		lt_rad_tick(clock_us);
		lt_dhcp_tick(clock_us);
		lt_voip_tick(clock_us);
	}
	lt_track_retire_poll();
}

void
lt_track_flush(struct lt_worker *w, int64_t clock_us)
{
	if (!lt_track_enabled())
		return;
	A.next_tick_us = INT64_MIN;
	lt_track_poll(w, clock_us);
}
