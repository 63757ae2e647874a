/* bench_gen.c - the benchmark's subscribers, configuration and frames, from a fixed seed. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#include "bench.h"

#define V4_POOL_BITS	22	/* 100.64.0.0/10 */

static uint64_t
rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static void
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

int
bench_world_init(struct bench_world *bw, uint32_t nsubs, uint32_t v6_percent,
    uint32_t max_targets, uint64_t seed)
{
	uint32_t n6 = (uint32_t)((uint64_t)nsubs * v6_percent / 100), n4 = nsubs - n6;
	uint64_t *used;

	memset(bw, 0, sizeof(*bw));
	if (n4 > (1u << V4_POOL_BITS) / 2 || max_targets >= nsubs)
		return -1;
	bw->subs = calloc(nsubs, sizeof(*bw->subs));
	bw->perm = calloc(nsubs, sizeof(*bw->perm));
	used = calloc((1u << V4_POOL_BITS) / 64, sizeof(uint64_t));
	if (bw->subs == NULL || bw->perm == NULL || used == NULL) {
		free(used);
		bench_world_free(bw);
		return -1;
	}
	for (uint32_t i = 0; i < n4; i++) {
		uint32_t h;

		do
			h = (uint32_t)rnd(&seed) & ((1u << V4_POOL_BITS) - 1);
		while (used[h >> 6] >> (h & 63) & 1);
		used[h >> 6] |= 1ULL << (h & 63);
		h |= 100u << 24 | 64u << 16;
		bw->subs[i].family = 4;
		bw->subs[i].a[0] = (uint8_t)(h >> 24);
		bw->subs[i].a[1] = (uint8_t)(h >> 16);
		bw->subs[i].a[2] = (uint8_t)(h >> 8);
		bw->subs[i].a[3] = (uint8_t)h;
	}
	free(used);
	/* One address out of a random /64 of 2001:db8::/32 each. */
	for (uint32_t i = n4; i < nsubs; i++) {
		uint64_t hi = rnd(&seed), lo = rnd(&seed);
		uint8_t *a = bw->subs[i].a;

		bw->subs[i].family = 6;
		a[0] = 0x20;
		a[1] = 0x01;
		a[2] = 0x0d;
		a[3] = 0xb8;
		for (int k = 0; k < 4; k++)
			a[4 + k] = (uint8_t)(hi >> (8 * k));
		for (int k = 0; k < 8; k++)
			a[8 + k] = (uint8_t)(lo >> (8 * k));
	}
	for (uint32_t i = 0; i < nsubs; i++)
		bw->perm[i] = i;
	for (uint32_t i = nsubs - 1; i > 0; i--) {
		uint32_t j = (uint32_t)(rnd(&seed) % (i + 1)), t = bw->perm[i];

		bw->perm[i] = bw->perm[j];
		bw->perm[j] = t;
	}
	bw->nsubs = nsubs;
	bw->nsubs6 = n6;
	bw->max_targets = max_targets;
	return 0;
}

void
bench_world_free(struct bench_world *bw)
{
	free(bw->subs);
	free(bw->perm);
	memset(bw, 0, sizeof(*bw));
}

static void
loopback(struct lt_endpoint *e, uint16_t port)
{
	struct sockaddr_in *s = (struct sockaddr_in *)&e->sa;

	memset(e, 0, sizeof(*e));
	s->sin_family = AF_INET;
	s->sin_port = htons(port);
	s->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	e->salen = sizeof(*s);
}

int
bench_config(struct lt_config *cfg, const struct bench_world *bw, uint32_t nt)
{
	uint32_t nw = (nt + BENCH_TARGETS_PER_WARRANT - 1) / BENCH_TARGETS_PER_WARRANT;

	memset(cfg, 0, sizeof(*cfg));
	if (nt == 0 || nt > bw->max_targets)
		return -1;
	snprintf(cfg->path, sizeof(cfg->path), "(benchmark, %u targets)", nt);
	snprintf(cfg->operator_id, sizeof(cfg->operator_id), "BENCH-OPERATOR");
	snprintf(cfg->ne_id, sizeof(cfg->ne_id), "BENCH-NE-01");
	snprintf(cfg->auth_cc, sizeof(cfg->auth_cc), "XX");
	snprintf(cfg->delivery_cc, sizeof(cfg->delivery_cc), "XX");
	cfg->queue_bytes = 8u << 20;
	cfg->reconnect_ms = 1000;
	cfg->agencies = calloc(BENCH_AGENCIES, sizeof(*cfg->agencies));
	cfg->warrants = calloc(nw, sizeof(*cfg->warrants));
	cfg->targets = calloc(nt, sizeof(*cfg->targets));
	if (cfg->agencies == NULL || cfg->warrants == NULL || cfg->targets == NULL) {
		bench_config_free(cfg);
		return -1;
	}
	cfg->nagencies = BENCH_AGENCIES;
	for (uint32_t i = 0; i < BENCH_AGENCIES; i++) {
		struct lt_agency *a = &cfg->agencies[i];

		snprintf(a->id, sizeof(a->id), "bench-lea-%u", i);
		/* Discard ports on loopback: the benchmark never connects. */
		loopback(&a->hi2, 9);
		loopback(&a->hi3, 9);
		a->keepalive_s = 300;
		a->keepalive_timeout_s = 60;
		a->pspdu_version = 40;
		a->ipaccess_version = 20;
		snprintf(a->keepalive_liid, sizeof(a->keepalive_liid), "KEEPALIVE%u", i);
		a->line = (int)i + 1;
	}
	for (uint32_t t = 0; t < nt; t++) {
		const struct bench_addr *s = &bw->subs[bw->perm[t]];
		struct lt_prefix *p = &cfg->targets[t];

		p->family = s->family;
		p->len = s->family == 4 ? 32 : 128;
		memcpy(p->addr, s->a, s->family == 4 ? 4 : 16);
	}
	cfg->ntargets = nt;
	for (uint32_t i = 0; i < nw; i++) {
		struct lt_warrant *w = &cfg->warrants[i];
		uint32_t first = i * BENCH_TARGETS_PER_WARRANT;

		w->liid_len = (uint8_t)snprintf(w->liid, sizeof(w->liid), "BENCH-LIID-%07u", i);
		w->agency = i % BENCH_AGENCIES;
		w->cin = i + 1;
		w->content = LT_CONTENT_BOTH;
		w->start_s = LT_TIME_ALWAYS;
		w->end_s = LT_TIME_NEVER;
		w->targets = &cfg->targets[first];
		w->ntargets = nt - first < BENCH_TARGETS_PER_WARRANT ? nt - first :
		    BENCH_TARGETS_PER_WARRANT;
		w->line = (int)i + 1;
	}
	cfg->nwarrants = nw;
	return 0;
}

void
bench_config_free(struct lt_config *cfg)
{
	free(cfg->agencies);
	free(cfg->warrants);
	free(cfg->targets);
	memset(cfg, 0, sizeof(*cfg));
}

static void
outside_host(struct bench_addr *h, uint8_t family, uint64_t *seed)
{
	uint64_t r = rnd(seed), r2 = rnd(seed);

	h->family = family;
	if (family == 4) {
		/* 1.0.0.0 - 99.255.255.255: clear of the subscribers' 100.64/10 */
		h->a[0] = (uint8_t)(1 + r % 99);
		h->a[1] = (uint8_t)(r >> 8);
		h->a[2] = (uint8_t)(r >> 16);
		h->a[3] = (uint8_t)(r >> 24);
		return;
	}
	h->a[0] = 0x2a;			/* 2a00::/12 */
	h->a[1] = (uint8_t)(r & 0x0f);
	for (int k = 2; k < 8; k++)
		h->a[k] = (uint8_t)(r >> (8 * k));
	for (int k = 8; k < 16; k++)
		h->a[k] = (uint8_t)(r2 >> (8 * (k - 8)));
}

static uint32_t
imix_len(uint64_t r)
{
	unsigned k = (unsigned)(r % 12);

	return k < 7 ? 60 : k < 11 ? 590 : 1514;
}

/* An Ethernet frame of about len bytes carrying UDP from s to d; returns its length. */
static uint32_t
ip_frame(uint8_t *f, uint32_t len, unsigned nvlan, const struct bench_addr *s,
    const struct bench_addr *d, int truncated, uint64_t *seed)
{
	uint32_t off = 12, l3, iplen, alen = s->family == 4 ? 4 : 16;
	uint8_t *ip, *udp;

	memset(f, 0, 12);
	f[0] = 0x02;
	f[5] = 0x01;
	f[6] = 0x02;
	f[11] = 0x02;
	for (unsigned v = 0; v < nvlan; v++, off += 4) {
		put16(f + off, v + 1 < nvlan ? 0x88a8 : 0x8100);
		put16(f + off + 2, 100 + v);
	}
	put16(f + off, s->family == 4 ? 0x0800 : 0x86dd);
	l3 = off + 2;
	if (len < l3 + (s->family == 4 ? 20 : 40) + 8)
		len = l3 + (s->family == 4 ? 20 : 40) + 8;
	iplen = len - l3;
	ip = f + l3;
	if (s->family == 4) {
		ip[0] = 0x45;
		ip[1] = 0;
		put16(ip + 2, truncated ? iplen + 64 : iplen);
		put16(ip + 4, (uint32_t)rnd(seed));
		put16(ip + 6, 0x4000);
		ip[8] = 64;
		ip[9] = 17;
		put16(ip + 10, 0);
		memcpy(ip + 12, s->a, alen);
		memcpy(ip + 16, d->a, alen);
		udp = ip + 20;
	} else {
		memset(ip, 0, 8);
		ip[0] = 0x60;
		put16(ip + 4, truncated ? iplen - 40 + 64 : iplen - 40);
		ip[6] = 17;
		ip[7] = 64;
		memcpy(ip + 8, s->a, alen);
		memcpy(ip + 24, d->a, alen);
		udp = ip + 40;
	}
	put16(udp, 1024 + (uint32_t)(rnd(seed) % 60000));
	put16(udp + 2, 443);
	put16(udp + 4, (uint32_t)(f + len - udp));
	put16(udp + 6, 0);
	for (uint8_t *p = udp + 8; p < f + len; p++)
		*p = (uint8_t)(p - f);
	return len;
}

static uint32_t
arp_frame(uint8_t *f)
{
	memset(f, 0, 60);
	memset(f, 0xff, 6);
	f[6] = 0x02;
	f[11] = 0x03;
	put16(f + 12, 0x0806);
	put16(f + 14, 1);
	put16(f + 16, 0x0800);
	f[18] = 6;
	f[19] = 4;
	put16(f + 20, 1);
	return 60;
}

int
bench_mix_build(struct bench_mix *mx, struct rte_mempool *mp, const struct bench_world *bw,
    uint32_t ntargets, uint32_t n, uint32_t target_ppm, uint64_t seed)
{
	uint32_t nontargets = bw->nsubs - bw->max_targets;

	memset(mx, 0, sizeof(*mx));
	mx->pkts = calloc(n, sizeof(*mx->pkts));
	if (mx->pkts == NULL)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
		uint64_t r = rnd(&seed), kind = r % 1000000;
		uint8_t f[1600];
		uint32_t len;
		unsigned nvlan;

		if (m == NULL) {
			bench_mix_free(mx);
			return -1;
		}
		mx->pkts[mx->n++] = m;
		nvlan = (r >> 20) % 100 < 2 ? 2 : (r >> 20) % 100 < 20 ? 1 : 0;
		if (kind < 1000) {
			len = arp_frame(f);
			mx->not_ip++;
		} else {
			const struct bench_addr *sub;
			struct bench_addr out;
			uint32_t si;
			int tgt = kind >= 1500 && kind < 1500 + target_ppm;

			if (tgt)
				si = bw->perm[rnd(&seed) % ntargets];
			else
				si = bw->perm[bw->max_targets + rnd(&seed) % nontargets];
			sub = &bw->subs[si];
			outside_host(&out, sub->family, &seed);
			if ((r >> 40) & 1)
				len = ip_frame(f, imix_len(r >> 44), nvlan, sub, &out, kind < 1500, &seed);
			else
				len = ip_frame(f, imix_len(r >> 44), nvlan, &out, sub, kind < 1500, &seed);
			mx->malformed += kind < 1500;
			mx->target_pkts += tgt;
			mx->v6 += sub->family == 6;
			mx->vlan += nvlan > 0;
		}
		if (rte_pktmbuf_append(m, (uint16_t)len) == NULL) {
			bench_mix_free(mx);
			return -1;
		}
		memcpy(rte_pktmbuf_mtod(m, uint8_t *), f, len);
		mx->bytes += len;
	}
	return 0;
}

void
bench_mix_free(struct bench_mix *mx)
{
	for (uint32_t i = 0; i < mx->n; i++)
		rte_pktmbuf_free(mx->pkts[i]);
	free(mx->pkts);
	memset(mx, 0, sizeof(*mx));
}
