/* sipstream.c - SIP over TCP reassembly: sequence numbers, buffering, framing, resync (RFC 3261 18.3). */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "session/sip/sipstream.h"

#define NIL	UINT32_MAX
#define SEG_MAX	65535u		/* a TCP payload is at most this long */

struct flow {
	struct sipstream_key k;
	uint64_t h;
	uint32_t hnext;		/* hash chain; free list */
	uint32_t lprev, lnext;	/* idle list, least recently used first */
	uint32_t next_seq;
	uint8_t resync;		/* read from the next start line */
	int64_t last_us;
	uint8_t *buf;		/* bytes of a message not yet whole */
	uint32_t len, cap;
};

struct sipstream {
	struct sipstream_cfg cfg;
	uint8_t key[16];
	struct flow *flows;
	uint32_t *head, mask, free, nflows;
	uint32_t lhead, ltail;
	struct sipstream_stats st;
};

static uint64_t
key_hash(const struct sipstream *s, const struct sipstream_key *k)
{
	uint8_t b[37], h[crypto_shorthash_BYTES];
	uint64_t v;

	b[0] = k->family;
	b[1] = (uint8_t)(k->sport >> 8);
	b[2] = (uint8_t)k->sport;
	b[3] = (uint8_t)(k->dport >> 8);
	b[4] = (uint8_t)k->dport;
	memcpy(b + 5, k->src, 16);
	memcpy(b + 21, k->dst, 16);
	if (k->family == 4) {
		memset(b + 9, 0, 12);
		memset(b + 25, 0, 12);
	}
	crypto_shorthash(h, b, sizeof(b), s->key);
	memcpy(&v, h, sizeof(v));
	return v;
}

static int
key_eq(const struct sipstream_key *a, const struct sipstream_key *b)
{
	size_t n = a->family == 4 ? 4 : 16;

	return a->family == b->family && a->sport == b->sport &&
	    a->dport == b->dport && memcmp(a->src, b->src, n) == 0 &&
	    memcmp(a->dst, b->dst, n) == 0;
}

struct sipstream *
sipstream_new(const struct sipstream_cfg *cfg)
{
	struct sipstream *s;
	uint32_t i, size = 16;

	if (cfg->msg == NULL || cfg->max_flows == 0 || cfg->max_flows >= NIL / 2 ||
	    sodium_init() < 0 || (s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->cfg = *cfg;
	if (s->cfg.max_buffered == 0)
		s->cfg.max_buffered = 128 * 1024;
	if (s->cfg.idle_us <= 0)
		s->cfg.idle_us = (int64_t)900 * 1000000;
	if (cfg->hash_key != NULL)
		memcpy(s->key, cfg->hash_key, sizeof(s->key));
	else
		randombytes_buf(s->key, sizeof(s->key));
	while (size < cfg->max_flows && size < (1u << 30))
		size <<= 1;
	s->mask = size - 1;
	s->flows = calloc(cfg->max_flows, sizeof(*s->flows));
	s->head = malloc(size * sizeof(*s->head));
	if (s->flows == NULL || s->head == NULL) {
		sipstream_free(s);
		return NULL;
	}
	memset(s->head, 0xff, size * sizeof(*s->head));
	for (i = 0; i < cfg->max_flows; i++)
		s->flows[i].hnext = i + 1 < cfg->max_flows ? i + 1 : NIL;
	s->lhead = s->ltail = NIL;
	return s;
}

void
sipstream_free(struct sipstream *s)
{
	if (s == NULL)
		return;
	if (s->flows != NULL)
		for (uint32_t i = 0; i < s->cfg.max_flows; i++)
			free(s->flows[i].buf);
	free(s->flows);
	free(s->head);
	free(s);
}

static void
unlist(struct sipstream *s, uint32_t i)
{
	struct flow *f = &s->flows[i];

	if (f->lprev != NIL)
		s->flows[f->lprev].lnext = f->lnext;
	else
		s->lhead = f->lnext;
	if (f->lnext != NIL)
		s->flows[f->lnext].lprev = f->lprev;
	else
		s->ltail = f->lprev;
}

static void
to_tail(struct sipstream *s, uint32_t i)
{
	struct flow *f = &s->flows[i];

	f->lnext = NIL;
	f->lprev = s->ltail;
	if (s->ltail != NIL)
		s->flows[s->ltail].lnext = i;
	else
		s->lhead = i;
	s->ltail = i;
}

static void
drop_buf(struct flow *f)
{
	free(f->buf);
	f->buf = NULL;
	f->len = f->cap = 0;
}

static void
flow_free(struct sipstream *s, uint32_t i)
{
	struct flow *f = &s->flows[i];
	uint32_t *pp = &s->head[f->h & s->mask];

	if (f->len > 0)
		s->st.unterminated++;
	while (*pp != i)
		pp = &s->flows[*pp].hnext;
	*pp = f->hnext;
	unlist(s, i);
	drop_buf(f);
	f->hnext = s->free;
	s->free = i;
	s->nflows--;
}

/* A start line: "SIP/2.0 ..." or "... SIP/2.0" (line without its CR LF). */
static int
start_line(const uint8_t *p, size_t n)
{
	if (n > 0 && p[n - 1] == '\r')
		n--;
	return (n >= 8 && memcmp(p, "SIP/2.0 ", 8) == 0) ||
	    (n >= 16 && memcmp(p + n - 8, " SIP/2.0", 8) == 0);
}

/*
 * Where reading can start again in p[0..n): the first line that is a
 * start line (1), or the last, unfinished line that may become one (0).
 */
static int
find_start(const uint8_t *p, size_t n, size_t *at)
{
	size_t o = 0;
	const uint8_t *lf;

	while (o < n) {
		if ((lf = memchr(p + o, '\n', n - o)) == NULL)
			break;
		if (start_line(p + o, (size_t)(lf - (p + o)))) {
			*at = o;
			return 1;
		}
		o = (size_t)(lf - p) + 1;
	}
	*at = o;
	return (n - o >= 8 && memcmp(p + o, "SIP/2.0 ", 8) == 0);
}

/* Cuts messages off p[0..n); returns how many bytes are left over. */
static size_t
consume(struct sipstream *s, struct flow *f, const uint8_t *p, size_t n,
    int64_t ts)
{
	size_t off = 0, ml, at;
	const uint8_t *lf;
	int r;

	while (off < n) {
		if (f->resync) {
			r = find_start(p + off, n - off, &at);
			s->st.skipped += at;
			off += at;
			if (!r)
				break;
			f->resync = 0;
		}
		r = sip_frame(p + off, n - off, &ml);
		if (r == SIP_FRAME_NEED_MORE)
			break;
		if (r == SIP_FRAME_MSG) {
			s->st.messages++;
			s->cfg.msg(s->cfg.ctx, &f->k, p + off, ml, ts);
		} else if (r == SIP_FRAME_KEEPALIVE) {
			s->st.keepalives++;
		} else {
			/* the stream cannot be framed here: past this line, then look again */
			s->st.frame_err[-r < SIP_NERR ? -r : 0]++;
			f->resync = 1;
			lf = memchr(p + off, '\n', n - off);
			ml = lf ? (size_t)(lf - (p + off)) + 1 : n - off;
			s->st.skipped += ml;
		}
		off += ml;
	}
	return n - off;
}

static int
buf_room(struct flow *f, size_t need)
{
	uint8_t *nb;
	size_t cap = f->cap ? f->cap : 2048;

	if (need <= f->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	if ((nb = realloc(f->buf, cap)) == NULL)
		return -1;
	f->buf = nb;
	f->cap = (uint32_t)cap;
	return 0;
}

static void
data(struct sipstream *s, struct flow *f, const uint8_t *p, size_t n, int64_t ts)
{
	size_t left;

	if (f->len == 0) {
		/* the common case: whole messages straight from the segment */
		left = consume(s, f, p, n, ts);
		p += n - left;
	} else {
		if (buf_room(f, (size_t)f->len + n) < 0) {
			s->st.too_long++;
			drop_buf(f);
			f->resync = 1;
			return;
		}
		memcpy(f->buf + f->len, p, n);
		f->len += (uint32_t)n;
		left = consume(s, f, f->buf, f->len, ts);
		p = f->buf + f->len - left;
	}
	if (left > s->cfg.max_buffered) {
		s->st.too_long++;
		drop_buf(f);
		f->resync = 1;
		return;
	}
	if (left > 0 && f->len == 0 && buf_room(f, left) < 0) {
		s->st.too_long++;
		f->resync = 1;
		return;
	}
	memmove(f->buf ? f->buf : (uint8_t *)p, p, left);
	f->len = (uint32_t)left;
	if (left == 0 && f->cap > 4 * 2048)
		drop_buf(f);
}

static uint32_t
flow_find(struct sipstream *s, const struct sipstream_key *k, uint64_t h)
{
	uint32_t i;

	for (i = s->head[h & s->mask]; i != NIL; i = s->flows[i].hnext)
		if (s->flows[i].h == h && key_eq(&s->flows[i].k, k))
			return i;
	return NIL;
}

void
sipstream_input(struct sipstream *s, const struct sipstream_key *k,
    uint32_t seq, uint8_t flags, const uint8_t *payload, size_t len,
    int64_t ts)
{
	uint64_t h = key_hash(s, k);
	uint32_t i = flow_find(s, k, h);
	struct flow *f;
	int32_t d;

	s->st.segments++;
	if (len > SEG_MAX)
		len = SEG_MAX;
	if (flags & SIPSTREAM_RST) {
		if (i != NIL)
			flow_free(s, i);
		return;
	}
	if (flags & SIPSTREAM_SYN)
		seq++;
	if (i == NIL) {
		if (len == 0 && !(flags & SIPSTREAM_SYN))
			return;
		if ((i = s->free) == NIL) {
			s->st.flows_full++;
			return;
		}
		f = &s->flows[i];
		s->free = f->hnext;
		memset(f, 0, sizeof(*f));
		f->k = *k;
		f->h = h;
		f->hnext = s->head[h & s->mask];
		s->head[h & s->mask] = i;
		f->next_seq = seq;
		f->resync = !(flags & SIPSTREAM_SYN);
		s->nflows++;
	} else {
		f = &s->flows[i];
		unlist(s, i);
		if (flags & SIPSTREAM_SYN) {
			drop_buf(f);
			f->next_seq = seq;
			f->resync = 0;
		}
	}
	to_tail(s, i);
	f->last_us = ts;
	d = (int32_t)(seq - f->next_seq);
	if (d < 0) {
		size_t dup = (size_t)-(int64_t)d < len ? (size_t)-(int64_t)d : len;

		s->st.dup_bytes += dup;
		if (dup > 0) {
			payload += dup;
			len -= dup;
		}
	} else if (d > 0) {
		s->st.gaps++;
		if (f->len > 0)
			drop_buf(f);
		f->resync = 1;
		f->next_seq = seq;
	}
	if (len > 0) {
		f->next_seq += (uint32_t)len;
		data(s, f, payload, len, ts);
	}
	if (flags & SIPSTREAM_FIN)
		flow_free(s, i);
}

void
sipstream_tick(struct sipstream *s, int64_t now)
{
	uint32_t i;

	while ((i = s->lhead) != NIL && s->flows[i].last_us + s->cfg.idle_us <= now)
		flow_free(s, i);
}

const struct sipstream_stats *
sipstream_stats(const struct sipstream *s)
{
	return &s->st;
}

uint32_t
sipstream_flows(const struct sipstream *s)
{
	return s->nflows;
}
