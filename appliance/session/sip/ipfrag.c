/* ipfrag.c - IP fragment reassembly for the VoIP engine (RFC 791, RFC 8200 4.5). */
#include <stdlib.h>
#include <string.h>

#include "session/sip/ipfrag.h"

#define DGRAM_MAX	65535u
#define HDR_MAX		60u
#define UNITS		(DGRAM_MAX / 8 + 1)

struct slot {
	uint8_t used, family, proto;
	uint32_t id;
	uint8_t src[16], dst[16];
	int64_t first_us;
	uint32_t total;			/* payload length once the last fragment is in; 0 before */
	uint32_t have;			/* payload bytes in */
	uint16_t hdr_len;
	uint8_t hdr[HDR_MAX];		/* the header of the fragment at offset 0 */
	uint8_t seen[UNITS / 8 + 1];	/* 8-byte units received */
	uint8_t *data;			/* DGRAM_MAX bytes, allocated once */
};

struct ipfrag {
	struct slot *s;
	unsigned n;
	int64_t timeout_us;
	uint8_t out[HDR_MAX + DGRAM_MAX];
};

struct ipfrag *
ipfrag_new(unsigned slots, int64_t timeout_us)
{
	struct ipfrag *f = calloc(1, sizeof(*f));

	if (f == NULL || slots == 0 || (f->s = calloc(slots, sizeof(*f->s))) == NULL) {
		free(f);
		return NULL;
	}
	f->n = slots;
	f->timeout_us = timeout_us;
	return f;
}

void
ipfrag_free(struct ipfrag *f)
{
	if (f == NULL)
		return;
	for (unsigned i = 0; i < f->n; i++)
		free(f->s[i].data);
	free(f->s);
	free(f);
}

/* The fields of one fragment. */
struct frag {
	uint8_t family, proto, more;
	uint32_t id, off;
	size_t hl;			/* bytes before the fragment's payload */
	const uint8_t *src, *dst;
	const uint8_t *payload;
	size_t plen;
};

static int
parse(const uint8_t *l3, size_t len, struct frag *g)
{
	if (len >= 20 && l3[0] >> 4 == 4) {
		size_t tl = (size_t)l3[2] << 8 | l3[3];
		uint16_t fo = (uint16_t)(l3[6] << 8 | l3[7]);

		g->hl = (size_t)(l3[0] & 15) * 4;
		if (g->hl < 20 || tl < g->hl || tl > len)
			return -1;
		g->family = 4;
		g->proto = l3[9];
		g->id = (uint32_t)(l3[4] << 8 | l3[5]);
		g->more = (fo & 0x2000) != 0;
		g->off = (uint32_t)(fo & 0x1fff) * 8;
		g->src = l3 + 12;
		g->dst = l3 + 16;
		g->payload = l3 + g->hl;
		g->plen = tl - g->hl;
		return g->more || g->off ? 0 : 1;
	}
	if (len >= 48 && l3[0] >> 4 == 6 && l3[6] == 44) {
		const uint8_t *fh = l3 + 40;
		size_t pl = (size_t)l3[4] << 8 | l3[5];
		uint16_t fo = (uint16_t)(fh[2] << 8 | fh[3]);

		if (pl < 8 || 40 + pl > len)
			return -1;
		g->family = 6;
		g->hl = 48;
		g->proto = fh[0];
		g->id = (uint32_t)fh[4] << 24 | (uint32_t)fh[5] << 16 |
		    (uint32_t)fh[6] << 8 | fh[7];
		g->more = fo & 1;
		g->off = (uint32_t)(fo >> 3) * 8;
		g->src = l3 + 8;
		g->dst = l3 + 24;
		g->payload = l3 + 48;
		g->plen = pl - 8;
		return 0;
	}
	return -1;
}

int
ipfrag_is_fragment(const uint8_t *l3, size_t len)
{
	struct frag g;

	return parse(l3, len, &g) == 0;
}

static struct slot *
find(struct ipfrag *f, const struct frag *g, int64_t ts)
{
	size_t n = g->family == 4 ? 4 : 16;
	struct slot *free_s = NULL, *oldest = NULL;

	for (unsigned i = 0; i < f->n; i++) {
		struct slot *s = &f->s[i];

		if (s->used && ts - s->first_us > f->timeout_us)
			s->used = 0;
		if (!s->used) {
			if (free_s == NULL)
				free_s = s;
			continue;
		}
		if (s->family == g->family && s->proto == g->proto && s->id == g->id &&
		    memcmp(s->src, g->src, n) == 0 && memcmp(s->dst, g->dst, n) == 0)
			return s;
		if (oldest == NULL || s->first_us < oldest->first_us)
			oldest = s;
	}
	if (free_s == NULL)
		free_s = oldest;	/* the oldest incomplete datagram gives way */
	if (free_s->data == NULL && (free_s->data = malloc(DGRAM_MAX)) == NULL)
		return NULL;
	free_s->used = 1;
	free_s->family = g->family;
	free_s->proto = g->proto;
	free_s->id = g->id;
	memcpy(free_s->src, g->src, n);
	memcpy(free_s->dst, g->dst, n);
	free_s->first_us = ts;
	free_s->total = 0;
	free_s->have = 0;
	free_s->hdr_len = 0;
	memset(free_s->seen, 0, sizeof(free_s->seen));
	return free_s;
}

/* Every 8-byte unit of the payload is in (units past the end, from bogus fragments, do not count). */
static int
whole(const struct slot *s)
{
	for (size_t u = 0; u * 8 < s->total; u++)
		if (!(s->seen[u / 8] & (1u << (u % 8))))
			return 0;
	return 1;
}

const uint8_t *
ipfrag_add(struct ipfrag *f, const uint8_t *l3, size_t len, int64_t ts,
    size_t *out_len, uint64_t *dropped)
{
	struct frag g;
	struct slot *s;
	size_t tl;

	if (parse(l3, len, &g) != 0 || (g.more && g.plen % 8 != 0) ||
	    g.off + g.plen > DGRAM_MAX || (s = find(f, &g, ts)) == NULL) {
		(*dropped)++;
		return NULL;
	}
	if (g.off == 0) {
		s->hdr_len = (uint16_t)(g.family == 4 ? g.hl : 40);
		memcpy(s->hdr, l3, s->hdr_len);
	}
	if (!g.more) {
		if (s->total != 0 && s->total != g.off + g.plen) {
			(*dropped)++;
			s->used = 0;
			return NULL;
		}
		s->total = (uint32_t)(g.off + g.plen);
	}
	memcpy(s->data + g.off, g.payload, g.plen);
	for (size_t u = g.off / 8; u * 8 < g.off + g.plen; u++)
		if (!(s->seen[u / 8] & (1u << (u % 8)))) {
			s->seen[u / 8] |= (uint8_t)(1u << (u % 8));
			s->have += 8;
		}
	if (s->total == 0 || s->hdr_len == 0 || s->have < (s->total + 7) / 8 * 8 ||
	    !whole(s))
		return NULL;
	/* whole: the first fragment's header, unfragmented, and the payload */
	memcpy(f->out, s->hdr, s->hdr_len);
	memcpy(f->out + s->hdr_len, s->data, s->total);
	tl = s->hdr_len + s->total;
	if (s->family == 4) {
		uint32_t sum = 0;

		f->out[2] = (uint8_t)(tl >> 8);
		f->out[3] = (uint8_t)tl;
		f->out[6] = f->out[7] = 0;
		f->out[10] = f->out[11] = 0;
		for (size_t i = 0; i < s->hdr_len; i += 2)
			sum += (uint32_t)(f->out[i] << 8 | f->out[i + 1]);
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		f->out[10] = (uint8_t)(~sum >> 8);
		f->out[11] = (uint8_t)~sum;
	} else {
		f->out[4] = (uint8_t)(s->total >> 8);
		f->out[5] = (uint8_t)s->total;
		f->out[6] = s->proto;
	}
	s->used = 0;
	*out_len = tl;
	return f->out;
}
