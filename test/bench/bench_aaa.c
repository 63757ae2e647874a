/* bench_aaa.c - the subscriber-session tracker (lt_rad_input) on generated RADIUS: bytes, messages/s. */
#include <arpa/inet.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sodium.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#ifdef HAVE_CALLGRIND_H
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_DUMP_STATS_AT(s)	do { } while (0)
#endif

#include "capture/port.h"
#include "dp.h"
#include "session/aaa/radius.h"
#include "session/track/track_impl.h"

#define SEED		20240602
#define CHUNK		2048		/* messages between two drains of the owner's ring */
#define MSG_MAX		448
#define HDRS		28		/* IPv4 + UDP */
#define EPOCH_US	(1717200000LL * 1000000)
#define STEP_US		10		/* capture clock per message */
#define AGENCIES	2
#define SERVER_IP	0x0a00000au	/* 10.0.0.10 */
#define NAS_IP(n)	(0x0a010000u + (n) + 1)
#define AUTH_SPORT	50000
#define ACCT_SPORT	50001

struct opts {
	uint32_t subs, max_sessions, nas, runs, churn, mem_mb;
	uint64_t messages;
	double share;			/* percent of subscribers that are targets */
	const char *secret;		/* what lawtap is configured with; NULL: none */
	bool callgrind;
};

/* One IPv4/UDP/RADIUS datagram and what it must cause. */
struct msg {
	int64_t ts_us;
	uint16_t len;
	uint8_t iris;			/* IRIs expected (a target's Accept, Start, Interim, Stop) */
	uint8_t retire;			/* a target session's Stop: one intercept retired */
	uint8_t pkt[MSG_MAX];
};

/* The NASes and their subscribers, from SEED. */
struct gen {
	uint64_t rng;
	uint32_t nsubs, nnas;
	uint8_t secret[64];
	size_t secret_len;
	uint8_t *target;		/* per subscriber */
	uint32_t *sgen, *interims;	/* per subscriber: sessions so far, interims of this one */
	uint8_t *auth_id, *acct_id;	/* per NAS: next RADIUS Identifier on each socket */
	uint8_t req_auth[RADIUS_AUTH_LEN], req_id;	/* the last Access-Request's */
	int64_t clock_us;
	uint64_t n_req, n_accept, n_start, n_interim, n_stop;
};

/* What the owner's ring and the agencies' queues gave back. */
struct owner {
	uint64_t iris, retires, packets, records, bytes;
};

static const char default_secret[] = "bench-radius-secret";

static uint64_t
rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static void
be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
be32(uint8_t *p, uint32_t v)
{
	be16(p, v >> 16);
	be16(p + 2, v);
}

static void
md5(uint8_t out[static RADIUS_AUTH_LEN], const uint8_t *p, size_t n)
{
	unsigned len = 0;

	if (!EVP_Digest(p, n, out, &len, EVP_md5(), NULL) || len != RADIUS_AUTH_LEN) {
		fprintf(stderr, "bench_aaa: MD5 unavailable (FIPS-only OpenSSL?)\n");
		exit(1);
	}
}

/* The RADIUS packet being written after the IPv4 and UDP headers. */
struct rad {
	struct msg *m;
	uint8_t *p;
	size_t n;
};

static void
rad_begin(struct rad *r, struct msg *m, uint8_t code, uint8_t id)
{
	r->m = m;
	r->p = m->pkt + HDRS;
	r->p[0] = code;
	r->p[1] = id;
	r->n = RADIUS_HDR_LEN;
}

static void
put(struct rad *r, uint8_t type, const void *v, size_t len)
{
	r->p[r->n] = type;
	r->p[r->n + 1] = (uint8_t)(len + 2);
	memcpy(r->p + r->n + 2, v, len);
	r->n += len + 2;
}

static void
put32(struct rad *r, uint8_t type, uint32_t v)
{
	uint8_t b[4];

	be32(b, v);
	put(r, type, b, 4);
}

/* RFC 3162 / 4818: Reserved, Prefix-Length, the octets the length needs. */
static void
put_prefix(struct rad *r, uint8_t type, const uint8_t a[static 16], uint8_t plen)
{
	uint8_t b[18] = { 0, plen };

	memcpy(b + 2, a, (plen + 7u) / 8);
	put(r, type, b, 2 + (plen + 7u) / 8);
}

/*
 * Length, the authenticator (MD5 over the packet with 'over' in the
 * authenticator's place, then the secret), IPv4 and UDP headers.
 */
static void
rad_end(struct rad *r, struct gen *g, const uint8_t *over, uint32_t src, uint32_t dst,
    uint16_t sport, uint16_t dport)
{
	uint8_t *ip = r->m->pkt, *p = r->p;
	uint32_t sum = 0;

	be16(p + 2, (uint32_t)r->n);
	if (over != NULL) {
		memcpy(p + 4, over, RADIUS_AUTH_LEN);
		memcpy(p + r->n, g->secret, g->secret_len);
		md5(p + 4, p, r->n + g->secret_len);
		memset(p + r->n, 0, g->secret_len);
	}
	memset(ip, 0, HDRS);
	ip[0] = 0x45;
	be16(ip + 2, (uint32_t)(HDRS + r->n));
	ip[8] = 64;
	ip[9] = 17;
	be32(ip + 12, src);
	be32(ip + 16, dst);
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)ip[i] << 8 | ip[i + 1];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	be16(ip + 10, ~sum & 0xffff);
	be16(ip + 20, sport);
	be16(ip + 22, dport);
	be16(ip + 24, (uint32_t)(8 + r->n));
	r->m->len = (uint16_t)(HDRS + r->n);
	r->m->ts_us = g->clock_us;
	g->clock_us += STEP_US;
}

/* Who subscriber s is, as its NAS says in every request. */
static void
put_sub(struct rad *r, const struct gen *g, uint32_t s, bool session_id)
{
	char v[32];
	int n;

	n = snprintf(v, sizeof(v), "user%07u@bench.example", s);
	put(r, 1, v, (size_t)n);				/* User-Name */
	put32(r, 4, NAS_IP(s % g->nnas));			/* NAS-IP-Address */
	put32(r, 5, s / g->nnas);				/* NAS-Port */
	put32(r, 61, 15);					/* NAS-Port-Type Ethernet */
	put32(r, 6, 2);						/* Service-Type Framed */
	put32(r, 7, 1);						/* Framed-Protocol PPP */
	n = snprintf(v, sizeof(v), "02-00-%02X-%02X-%02X-%02X", s >> 24, (s >> 16) & 255,
	    (s >> 8) & 255, s & 255);
	put(r, 31, v, (size_t)n);				/* Calling-Station-Id */
	if (session_id) {
		n = snprintf(v, sizeof(v), "%08X%08X", s, g->sgen[s]);
		put(r, 44, v, (size_t)n);			/* Acct-Session-Id */
	}
}

/* 100.64/10, a /64 of 2001:db8::/32 and a /56 of 2001:db9::/32 per subscriber. */
static void
put_addrs(struct rad *r, uint32_t s)
{
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8 };

	put32(r, 8, 0x64400000u + s);				/* Framed-IP-Address */
	be32(a + 4, s);
	put_prefix(r, 97, a, 64);				/* Framed-IPv6-Prefix */
	memset(a + 4, 0, 12);
	a[3] = 0xb9;
	a[4] = (uint8_t)(s >> 16);
	a[5] = (uint8_t)(s >> 8);
	a[6] = (uint8_t)s;
	put_prefix(r, 123, a, 56);				/* Delegated-IPv6-Prefix */
}

static void
access_request(struct gen *g, uint32_t s, struct msg *m)
{
	uint32_t nas = s % g->nnas;
	uint8_t pw[16] = { 0 }, k[64 + RADIUS_AUTH_LEN], x[RADIUS_AUTH_LEN];
	struct rad r;

	g->req_id = g->auth_id[nas]++;
	for (int i = 0; i < RADIUS_AUTH_LEN; i += 8) {
		uint64_t v = rnd(&g->rng);

		memcpy(g->req_auth + i, &v, 8);
	}
	rad_begin(&r, m, RADIUS_ACCESS_REQUEST, g->req_id);
	memcpy(r.p + 4, g->req_auth, RADIUS_AUTH_LEN);
	put_sub(&r, g, s, true);
	/* User-Password hidden as RFC 2865 5.2 says */
	snprintf((char *)pw, sizeof(pw), "pw%07u", s);
	memcpy(k, g->secret, g->secret_len);
	memcpy(k + g->secret_len, g->req_auth, RADIUS_AUTH_LEN);
	md5(x, k, g->secret_len + RADIUS_AUTH_LEN);
	for (int i = 0; i < 16; i++)
		pw[i] ^= x[i];
	put(&r, 2, pw, sizeof(pw));
	rad_end(&r, g, NULL, NAS_IP(nas), SERVER_IP, AUTH_SPORT, 1812);
	m->iris = 0;
	m->retire = 0;
	g->n_req++;
}

static void
access_accept(struct gen *g, uint32_t s, struct msg *m)
{
	struct rad r;

	rad_begin(&r, m, RADIUS_ACCESS_ACCEPT, g->req_id);
	put32(&r, 6, 2);
	put32(&r, 7, 1);
	put_addrs(&r, s);
	put32(&r, 27, 86400);					/* Session-Timeout */
	put32(&r, 85, 900);					/* Acct-Interim-Interval */
	rad_end(&r, g, g->req_auth, SERVER_IP, NAS_IP(s % g->nnas), 1812, AUTH_SPORT);
	m->iris = g->target[s];					/* IRI-Begin */
	m->retire = 0;
	g->n_accept++;
}

static void
accounting(struct gen *g, uint32_t s, uint32_t status, struct msg *m)
{
	static const uint8_t zero[RADIUS_AUTH_LEN];
	uint32_t nas = s % g->nnas, n = g->interims[s];
	uint64_t in = (uint64_t)n * 987654321u, out = (uint64_t)n * 3456789012u;
	struct rad r;

	rad_begin(&r, m, RADIUS_ACCT_REQUEST, g->acct_id[nas]++);
	put32(&r, 40, status);					/* Acct-Status-Type */
	put_sub(&r, g, s, true);
	put_addrs(&r, s);
	put32(&r, 45, 1);					/* Acct-Authentic RADIUS */
	put32(&r, 41, 0);					/* Acct-Delay-Time */
	put32(&r, 55, (uint32_t)(g->clock_us / 1000000));	/* Event-Timestamp */
	if (status != RADIUS_ACCT_START) {
		put32(&r, 46, n * 900);				/* Acct-Session-Time */
		put32(&r, 42, (uint32_t)in);			/* Acct-Input-Octets */
		put32(&r, 43, (uint32_t)out);			/* Acct-Output-Octets */
		put32(&r, 52, (uint32_t)(in >> 32));		/* Acct-Input-Gigawords */
		put32(&r, 53, (uint32_t)(out >> 32));		/* Acct-Output-Gigawords */
		put32(&r, 47, n * 1000);			/* Acct-Input-Packets */
		put32(&r, 48, n * 2000);			/* Acct-Output-Packets */
	}
	if (status == RADIUS_ACCT_STOP)
		put32(&r, 49, 1);				/* Acct-Terminate-Cause User-Request */
	rad_end(&r, g, zero, NAS_IP(nas), SERVER_IP, ACCT_SPORT, 1813);
	m->iris = g->target[s];		/* Continue (Start, Interim) or End (Stop) */
	m->retire = status == RADIUS_ACCT_STOP && g->target[s];
	if (status == RADIUS_ACCT_START)
		g->n_start++;
	else if (status == RADIUS_ACCT_STOP)
		g->n_stop++;
	else
		g->n_interim++;
}

/* A new session: Access-Request, Access-Accept, Accounting Start. */
static unsigned
connect_sub(struct gen *g, uint32_t s, struct msg *m)
{
	g->interims[s] = 0;
	access_request(g, s, &m[0]);
	access_accept(g, s, &m[1]);
	accounting(g, s, RADIUS_ACCT_START, &m[2]);
	return 3;
}

/* Phase A: the sessions of subscribers *next.. until the chunk is full. */
static unsigned
gen_establish(struct gen *g, uint32_t *next, struct msg *m)
{
	unsigned n = 0;

	while (*next < g->nsubs && n + 3 <= CHUNK)
		n += connect_sub(g, (*next)++, m + n);
	return n;
}

/*
 * Phase B: up to left messages, each event a random subscriber's
 * Interim-Update or (churn %) its Stop and a new session.
 */
static unsigned
gen_steady(struct gen *g, uint32_t churn, uint64_t left, struct msg *m)
{
	unsigned n = 0;

	while (n + 4 <= CHUNK && n < left) {
		uint32_t s = (uint32_t)(rnd(&g->rng) % g->nsubs);

		if (rnd(&g->rng) % 100 < churn && n + 4 <= left) {
			g->interims[s]++;
			accounting(g, s, RADIUS_ACCT_STOP, &m[n++]);
			g->sgen[s]++;
			n += connect_sub(g, s, m + n);
		} else {
			g->interims[s]++;
			accounting(g, s, RADIUS_ACCT_INTERIM, &m[n++]);
		}
	}
	return n;
}

static int
gen_init(struct gen *g, const struct opts *o, uint32_t ntargets, uint32_t *target_subs)
{
	uint64_t pick = SEED + 7;

	memset(g, 0, sizeof(*g));
	g->rng = SEED;
	g->nsubs = o->subs;
	g->nnas = o->nas;
	g->secret_len = strlen(default_secret);
	memcpy(g->secret, default_secret, g->secret_len);
	g->clock_us = EPOCH_US;
	g->target = calloc(o->subs, 1);
	g->sgen = calloc(o->subs, sizeof(uint32_t));
	g->interims = calloc(o->subs, sizeof(uint32_t));
	g->auth_id = calloc(o->nas, 1);
	g->acct_id = calloc(o->nas, 1);
	if (g->target == NULL || g->sgen == NULL || g->interims == NULL ||
	    g->auth_id == NULL || g->acct_id == NULL)
		return -1;
	for (uint32_t i = 0; i < ntargets; i++) {
		uint32_t s;

		do
			s = (uint32_t)(rnd(&pick) % o->subs);
		while (g->target[s]);
		g->target[s] = 1;
		target_subs[i] = s;
	}
	return 0;
}

static void
gen_free(struct gen *g)
{
	free(g->target);
	free(g->sgen);
	free(g->interims);
	free(g->auth_id);
	free(g->acct_id);
}

static void
loopback(struct lt_endpoint *e)
{
	struct sockaddr_in *s = (struct sockaddr_in *)&e->sa;

	memset(e, 0, sizeof(*e));
	s->sin_family = AF_INET;
	s->sin_port = htons(9);
	s->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	e->salen = sizeof(*s);
}

/*
 * One RADIUS server; per target one warrant by username (IRI and CC),
 * alternating between two agencies on 127.0.0.1:9 that are never connected.
 */
static int
make_config(struct lt_config *cfg, const struct opts *o, const uint32_t *target_subs,
    uint32_t nt)
{
	struct lt_aaa_server *srv;

	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->path, sizeof(cfg->path), "(bench_aaa, %u targets)", nt);
	snprintf(cfg->operator_id, sizeof(cfg->operator_id), "BENCH-OPERATOR");
	snprintf(cfg->ne_id, sizeof(cfg->ne_id), "BENCH-NE-01");
	snprintf(cfg->auth_cc, sizeof(cfg->auth_cc), "XX");
	snprintf(cfg->delivery_cc, sizeof(cfg->delivery_cc), "XX");
	cfg->queue_bytes = 8u << 20;
	cfg->reconnect_ms = 1000;
	cfg->agencies = calloc(AGENCIES, sizeof(*cfg->agencies));
	cfg->warrants = calloc(nt + 1, sizeof(*cfg->warrants));
	cfg->idents = calloc(nt + 1, sizeof(*cfg->idents));
	cfg->aaa.radius = srv = calloc(1, sizeof(*srv));
	if (cfg->agencies == NULL || cfg->warrants == NULL || cfg->idents == NULL || srv == NULL)
		return -1;
	cfg->nagencies = AGENCIES;
	for (uint32_t i = 0; i < AGENCIES; i++) {
		struct lt_agency *a = &cfg->agencies[i];

		snprintf(a->id, sizeof(a->id), "bench-lea-%u", i);
		loopback(&a->hi2);
		loopback(&a->hi3);
		a->keepalive_s = 300;
		a->keepalive_timeout_s = 60;
		a->pspdu_version = 40;
		a->ipaccess_version = 20;
		snprintf(a->keepalive_liid, sizeof(a->keepalive_liid), "KEEPALIVE%u", i);
		a->line = (int)i + 1;
	}
	for (uint32_t i = 0; i < nt; i++) {
		struct lt_warrant *w = &cfg->warrants[i];
		struct lt_ident *id = &cfg->idents[i];

		id->kind = LT_IDENT_USERNAME;
		id->len = (uint8_t)snprintf((char *)id->v, sizeof(id->v), "user%07u@bench.example",
		    target_subs[i]);
		w->liid_len = (uint8_t)snprintf(w->liid, sizeof(w->liid), "BENCH-AAA-%07u", i);
		w->agency = i % AGENCIES;
		w->cin = i + 1;
		w->content = LT_CONTENT_BOTH;
		w->start_s = LT_TIME_ALWAYS;
		w->end_s = LT_TIME_NEVER;
		w->idents = id;
		w->nidents = 1;
		w->line = (int)i + 1;
	}
	cfg->nwarrants = cfg->nidents = nt;
	srv->family = 4;
	be32(srv->addr, SERVER_IP);
	srv->auth_ports[0] = 1812;
	srv->acct_ports[0] = 1813;
	srv->nauth = srv->nacct = 1;
	if (o->secret != NULL) {
		srv->secret_len = strlen(o->secret);
		memcpy(srv->secret, o->secret, srv->secret_len);
	}
	srv->access_type = 2;		/* xDSL */
	srv->line = 1;
	cfg->aaa.nradius = 1;
	cfg->aaa.access_timeout_s = 10;
	cfg->aaa.max_sessions = o->max_sessions;
	return 0;
}

static void
free_config(struct lt_config *cfg)
{
	free(cfg->agencies);
	free(cfg->warrants);
	free(cfg->idents);
	free(cfg->aaa.radius);
	memset(cfg, 0, sizeof(*cfg));
}

static size_t
heap_bytes(void)
{
	struct rte_malloc_socket_stats s;

	if (rte_malloc_get_socket_stats((int)rte_socket_id(), &s) < 0)
		return 0;
	return s.heap_allocsz_bytes;
}

static size_t
libc_bytes(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static size_t
rss_bytes(void)
{
	unsigned long size, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f == NULL)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &res) != 2)
		res = 0;
	fclose(f);
	return res * (size_t)sysconf(_SC_PAGESIZE);
}

/*
 * DPDK heap of an rte_hash made as radsess.c makes the session table
 * (max_sessions entries, a 16-byte key: NAS, key kind, 64-bit hash).
 */
static size_t
session_hash_bytes(uint32_t entries)
{
	struct rte_hash_parameters hp = {
		.name = "bench_aaa_sizing",
		.entries = entries,
		.key_len = 16,
		.hash_func = rte_jhash,
		.socket_id = (int)rte_socket_id(),
	};
	size_t before = heap_bytes(), after;
	struct rte_hash *h = rte_hash_create(&hp);

	if (h == NULL)
		return 0;
	after = heap_bytes();
	rte_hash_free(h);
	return after - before;
}

/* The owner lcore's part: IRIs and retired intercepts off its ring, records off the queues. */
static void
owner_drain(struct owner *ow)
{
	struct lt_worker *w = &lt_dp.workers[0];
	struct rte_mbuf *ms[32];
	unsigned n;

	while ((n = rte_ring_sc_dequeue_burst(w->ring, (void **)ms, 32, NULL)) > 0)
		for (unsigned i = 0; i < n; i++) {
			uint8_t kind = lt_meta(ms[i])->kind;

			if (kind == LT_MSG_IRI)
				ow->iris++;
			else if (kind == LT_MSG_RETIRE)
				ow->retires++;
			else
				ow->packets++;
			if (kind != LT_MSG_PACKET)
				lt_track_message(w, ms[i]);
			rte_pktmbuf_free(ms[i]);
		}
	for (uint32_t a = 0; a < lt_dp.cfg->nagencies; a++) {
		struct lt_conn *c[2] = { &lt_dp.agencies[a].hi2, &lt_dp.agencies[a].hi3 };

		for (int k = 0; k < 2; k++) {
			const uint8_t *p;
			size_t len;

			while ((p = lt_sendq_peek(&c[k]->cq.q, &len)) != NULL) {
				ow->bytes += len;
				ow->records += lt_sendq_consume(&c[k]->cq.q, len);
			}
		}
	}
}

/*
 * The session lcore's part: each message as aaa.c hands it to lt_rad_input,
 * and lt_track_poll (timers, retirements) after every burst, as its loop does.
 */
static void
feed(const struct msg *ms, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *l3 = ms[i].pkt;

		lt_rad_input(l3, ms[i].len, 4, l3 + 12, l3 + 16,
		    (uint16_t)(l3[20] << 8 | l3[21]), (uint16_t)(l3[22] << 8 | l3[23]),
		    l3 + HDRS, ms[i].len - HDRS, 0, ms[i].ts_us);
		if (i % LT_BURST == LT_BURST - 1 || i == n - 1)
			lt_track_poll(&lt_dp.workers[0], ms[i].ts_us);
	}
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Feeds one chunk (timed), lets the tracker do its periodic work, drains the owner. */
static double
run_chunk(const struct msg *ms, unsigned n, struct owner *ow, uint64_t *want_iris,
    uint64_t *want_retires)
{
	double t0 = now_s(), t;

	feed(ms, n);
	t = now_s() - t0;
	for (unsigned i = 0; i < n; i++) {
		*want_iris += ms[i].iris;
		*want_retires += ms[i].retire;
	}
	owner_drain(ow);
	return t;
}

/* The tracker's counters must be what the generator put in. */
static int
check(const char *phase, const struct gen *g, const struct owner *ow, uint64_t want_iris,
    uint64_t want_retires, uint32_t ntargets_live)
{
	const struct lt_track_stats *t = lt_track_stats();
	uint64_t msgs = g->n_req + g->n_accept + g->n_start + g->n_interim + g->n_stop;
	uint64_t sessions = g->n_accept - g->n_stop;

	if (t->aaa_packets != msgs || t->aaa_malformed || t->aaa_bad_auth ||
	    t->aaa_unmatched_reply || t->aaa_retransmit || t->sessions != sessions ||
	    t->sessions_full || t->session_starts != g->n_accept ||
	    t->session_ends != g->n_stop || t->stop_without_start || t->absurd_prefix ||
	    t->too_many_addrs || t->icepts_full || t->iri_lost || t->bind_full ||
	    t->handoff_full || ow->iris != want_iris || ow->records != want_iris ||
	    ow->retires != want_retires || ow->packets ||
	    t->target_sessions - want_retires != ntargets_live) {
		fprintf(stderr, "bench_aaa: %s: the tracker disagrees with the generator:\n"
		    "  packets %lu (sent %lu) malformed %lu bad-auth %lu unmatched %lu "
		    "retransmit %lu\n  sessions %lu (want %lu) full %lu starts %lu (%lu) ends %lu "
		    "(%lu) stop-without-start %lu\n  absurd %lu too-many %lu icepts-full %lu "
		    "iri-lost %lu bind-full %lu handoff-full %lu target-sessions %lu\n"
		    "  IRIs %lu records %lu (want %lu) retired %lu (want %lu) CC %lu (want 0)\n",
		    phase, t->aaa_packets, msgs, t->aaa_malformed, t->aaa_bad_auth,
		    t->aaa_unmatched_reply, t->aaa_retransmit, t->sessions, sessions,
		    t->sessions_full, t->session_starts, g->n_accept, t->session_ends, g->n_stop,
		    t->stop_without_start, t->absurd_prefix, t->too_many_addrs, t->icepts_full,
		    t->iri_lost, t->bind_full, t->handoff_full, t->target_sessions, ow->iris,
		    ow->records, want_iris, ow->retires, want_retires, ow->packets);
		return -1;
	}
	return 0;
}

static int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
eal_init(uint32_t mem_mb)
{
	static char prefix[64], mem[16];
	char *av[] = { "bench_aaa", "--lcores=0@0,1@0", "--no-huge", "-m", mem, "--no-pci",
	    "--file-prefix", prefix, "--log-level=lib.eal:warning", "--log-level=user1:warning",
	    NULL };

	snprintf(prefix, sizeof(prefix), "bench-aaa-%d", (int)getpid());
	snprintf(mem, sizeof(mem), "%u", mem_mb);
	if (rte_eal_init((int)RTE_DIM(av) - 1, av) < 0) {
		fprintf(stderr, "bench_aaa: EAL: %s (run as root)\n", rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* EAL leaves its runtime directory (/var/run/dpdk/bench-aaa-PID) behind. */
static void
eal_done(void)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	if (strstr(dir, "/bench-aaa-") != NULL)
		nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: bench_aaa [--subscribers N] [--max-sessions N] [--targets PCT] [--nas N]\n"
	    "                 [--messages K] [--runs N] [--churn PCT] [--no-secret]\n"
	    "                 [--mem MB] [--callgrind]\n"
	    "Needs root (DPDK EAL, no hugepages).\n");
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "subscribers", required_argument, NULL, 's' },
		{ "max-sessions", required_argument, NULL, 'x' },
		{ "targets", required_argument, NULL, 't' },
		{ "nas", required_argument, NULL, 'n' },
		{ "messages", required_argument, NULL, 'k' },
		{ "runs", required_argument, NULL, 'r' },
		{ "churn", required_argument, NULL, 'c' },
		{ "no-secret", no_argument, NULL, 'N' },
		{ "mem", required_argument, NULL, 'm' },
		{ "callgrind", no_argument, NULL, 'g' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int ch;

	*o = (struct opts){ .subs = 1000000, .max_sessions = 1u << 20, .nas = 100, .runs = 5,
	    .churn = 10, .mem_mb = 1024, .messages = 2000000, .share = 1.0,
	    .secret = default_secret };
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 's': o->subs = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'x': o->max_sessions = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 't':
			o->share = strtod(optarg, &end);
			if (*end != '\0')
				return -1;
			break;
		case 'n': o->nas = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'k': o->messages = strtoull(optarg, NULL, 10); break;
		case 'r': o->runs = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'c': o->churn = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'N': o->secret = NULL; break;
		case 'm': o->mem_mb = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'g': o->callgrind = true; break;
		default: return -1;
		}
	}
	if (o->callgrind)
		o->runs = 1;
	if (optind != argc || o->subs == 0 || o->subs > (1u << 22) || o->nas == 0 ||
	    o->nas > 4000 || o->max_sessions < o->subs || o->messages == 0 || o->runs == 0 ||
	    o->runs > 99 || o->churn > 100 || o->share < 0 || o->share > 100 ||
	    o->mem_mb < 64)
		return -1;
	return 0;
}

/* What lawtap run builds before the lcores start, up to the tracker. */
static int
setup(struct lt_config *cfg, struct rte_mempool **mp)
{
	struct lt_rxq q;
	char err[256];

	/* room for a chunk's IRIs and retirements in flight, and the worker's ring */
	*mp = rte_pktmbuf_pool_create("bench_aaa_pool", 8191, 256,
	    RTE_ALIGN_CEIL(sizeof(struct lt_meta), RTE_MBUF_PRIV_ALIGN), RTE_MBUF_DEFAULT_BUF_SIZE,
	    (int)rte_socket_id());
	if (*mp == NULL) {
		fprintf(stderr, "bench_aaa: mbuf pool: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	q = (struct lt_rxq){ .port = 0, .queue = 0, .pool = *mp };
	lt_dp.nworkers = 1;
	lt_dp.replay = false;
	lt_dp.ts_dynfield = -1;
	lt_dp.cfg = cfg;
	if (lt_dp_setup_workers(&q, 1) < 0 || lt_dp_setup_delivery(cfg, false) < 0) {
		fprintf(stderr, "bench_aaa: worker or delivery setup failed\n");
		return -1;
	}
	lt_dp.match = lt_match_build(cfg, (int)rte_socket_id(), err, sizeof(err));
	if (lt_dp.match == NULL) {
		fprintf(stderr, "bench_aaa: %s\n", err);
		return -1;
	}
	return 0;
}

struct bench {
	struct opts o;
	struct gen g;
	struct owner ow;
	struct msg *chunk;
	uint64_t want_iris, want_retires;
	uint32_t ntargets;
};

/* Phase A: every subscriber's Request, Accept and Start; the memory that took. */
static int
phase_a(struct bench *b, size_t rss0, size_t heap_init, size_t libc_init, size_t hash_bytes)
{
	double t = 0;
	uint32_t next = 0;
	unsigned n;
	size_t rss1;
	uint64_t sessions;

	while ((n = gen_establish(&b->g, &next, b->chunk)) > 0)
		t += run_chunk(b->chunk, n, &b->ow, &b->want_iris, &b->want_retires);
	if (check("phase A", &b->g, &b->ow, b->want_iris, b->want_retires, b->ntargets) < 0)
		return -1;
	CALLGRIND_DUMP_STATS_AT("phase A");
	rss1 = rss_bytes();
	sessions = lt_track_stats()->sessions;
	printf("phase A: %lu sessions in the table (%u subscribers, %u NASes, %u targets = %lu "
	    "target sessions), %lu messages in %.2f s (%.0f/s), %lu IRIs delivered\n",
	    sessions, b->o.subs, b->o.nas, b->ntargets, lt_track_stats()->target_sessions,
	    lt_track_stats()->aaa_packets, t, (double)lt_track_stats()->aaa_packets / t,
	    b->ow.iris);
	printf("  (a) sizeof(struct lt_sess)          %6zu B/session\n", lt_rad_session_bytes());
	printf("  (b) session rte_hash (%u entries)  %6.1f B/session (%.1f MiB)\n",
	    b->o.max_sessions, (double)hash_bytes / b->o.max_sessions,
	    (double)hash_bytes / 1048576.0);
	printf("      lt_track_init DPDK heap        %6.1f B/session (%.1f MiB, all tables)\n",
	    (double)heap_init / b->o.max_sessions, (double)heap_init / 1048576.0);
	printf("      lt_track_init libc heap        %6.1f B/session (%.1f MiB)\n",
	    (double)libc_init / b->o.max_sessions, (double)libc_init / 1048576.0);
	printf("  (c) RSS growth, init + phase A     %6.1f B/session (%.1f MiB for %lu sessions)\n",
	    (double)(rss1 - rss0) / (double)sessions, (double)(rss1 - rss0) / 1048576.0,
	    sessions);
	printf("result-A sessions %lu sess_bytes %zu hash_bps %.1f heap_bps %.1f libc_bps %.1f "
	    "rss_bps %.1f rate %.0f\n", sessions, lt_rad_session_bytes(),
	    (double)hash_bytes / b->o.max_sessions, (double)heap_init / b->o.max_sessions,
	    (double)libc_init / b->o.max_sessions, (double)(rss1 - rss0) / (double)sessions,
	    (double)lt_track_stats()->aaa_packets / t);
	return 0;
}

/* Phase B: Interim-Updates and churn, o.runs runs of o.messages; the median rate. */
static int
phase_b(struct bench *b)
{
	const struct gen *g = &b->g;
	uint64_t i0 = g->n_interim, s0 = g->n_stop, r0 = g->n_req, a0 = g->n_accept;
	uint64_t st0 = g->n_start, m0 = lt_track_stats()->aaa_packets, total;
	double rate[100];

	for (uint32_t r = 0; r < b->o.runs; r++) {
		uint64_t left = b->o.messages, done = 0;
		double t = 0;
		unsigned n;

		while (left > 0 && (n = gen_steady(&b->g, b->o.churn, left, b->chunk)) > 0) {
			t += run_chunk(b->chunk, n, &b->ow, &b->want_iris, &b->want_retires);
			done += n;
			left = n >= left ? 0 : left - n;
		}
		rate[r] = (double)done / t;
	}
	if (check("phase B", &b->g, &b->ow, b->want_iris, b->want_retires, b->ntargets) < 0)
		return -1;
	total = lt_track_stats()->aaa_packets - m0;
	qsort(rate, b->o.runs, sizeof(double), dcmp);
	printf("phase B: %u run(s) of %lu messages: %lu Interim-Update, %lu Stop, %lu "
	    "Access-Request, %lu Access-Accept, %lu Start (churn %u %% of events); %lu "
	    "sessions after\n", b->o.runs, b->o.messages, g->n_interim - i0, g->n_stop - s0,
	    g->n_req - r0, g->n_accept - a0, g->n_start - st0, b->o.churn,
	    lt_track_stats()->sessions);
	printf("  secret %s, %u targets: %lu messages, %lu IRIs delivered in all\n",
	    b->o.secret != NULL ? "configured" : "none", b->ntargets, total, b->ow.iris);
	if (b->o.callgrind) {
		/* Accept: verify_response; Accounting-Request: verify_request */
		printf("callgrind a-messages %lu messages %lu auth-checked %lu\n", m0, total,
		    b->o.secret != NULL ? (g->n_accept - a0) + (g->n_interim - i0) +
		    (g->n_stop - s0) + (g->n_start - st0) : 0);
		return 0;
	}
	printf("  messages/s on one core: median %.0f [min %.0f, max %.0f] of %u runs "
	    "(informational: shared machine)\n", rate[b->o.runs / 2], rate[0],
	    rate[b->o.runs - 1], b->o.runs);
	printf("result-B median %.0f min %.0f max %.0f\n", rate[b->o.runs / 2], rate[0],
	    rate[b->o.runs - 1]);
	return 0;
}

int
main(int argc, char **argv)
{
	static struct lt_config cfg;
	struct bench b = { 0 };
	struct rte_mempool *mp = NULL;
	uint32_t *target_subs = NULL;
	size_t rss0, heap0, libc0, heap_init, libc_init, hash_bytes;
	int rc = 1;

	if (parse_opts(argc, argv, &b.o) < 0) {
		usage();
		return 2;
	}
	b.ntargets = (uint32_t)(b.o.subs * b.o.share / 100.0 + 0.5);
	target_subs = calloc(b.ntargets + 1, sizeof(uint32_t));
	b.chunk = calloc(CHUNK, sizeof(*b.chunk));
	if (target_subs == NULL || b.chunk == NULL ||
	    gen_init(&b.g, &b.o, b.ntargets, target_subs) < 0 ||
	    make_config(&cfg, &b.o, target_subs, b.ntargets) < 0) {
		fprintf(stderr, "bench_aaa: out of memory for %u subscribers\n", b.o.subs);
		return 1;
	}
	if (sodium_init() < 0 || eal_init(b.o.mem_mb) < 0)
		return 1;
	if (setup(&cfg, &mp) < 0)
		goto out;
	hash_bytes = session_hash_bytes(b.o.max_sessions);
	rss0 = rss_bytes();
	heap0 = heap_bytes();
	libc0 = libc_bytes();
	if (lt_track_init(&cfg, (int)rte_socket_id()) < 0 ||
	    !lt_track_enabled()) {
		fprintf(stderr, "bench_aaa: lt_track_init failed for %u sessions (--mem?)\n",
		    b.o.max_sessions);
		goto out;
	}
	heap_init = heap_bytes() - heap0;
	libc_init = libc_bytes() - libc0;
	printf("lawtap session-tracker benchmark: %u subscribers, %u NASes, %.3g %% targets "
	    "(%u warrants by username, %u agencies never connected), secret %s, max_sessions "
	    "%u\n", b.o.subs, b.o.nas, b.o.share, b.ntargets, AGENCIES,
	    b.o.secret != NULL ? "configured" : "none", b.o.max_sessions);
	if (phase_a(&b, rss0, heap_init, libc_init, hash_bytes) < 0 || phase_b(&b) < 0)
		goto out;
	rc = 0;
out:
	lt_dp_teardown(&cfg);
	free_config(&cfg);
	rte_mempool_free(mp);
	gen_free(&b.g);
	free(b.chunk);
	free(target_subs);
	eal_done();
	return rc;
}
