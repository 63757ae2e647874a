/* callmedia.c - where the media of intercepted calls flows: SDP endpoints, latching, lookup. */
#include <stdlib.h>
#include <string.h>

#include "etsi/etsi.h"
#include "session/sip/calls_impl.h"

static int
ep_eq(const struct sipcall_ep *a, const struct sipcall_ep *b)
{
	return a->family == b->family && a->port == b->port &&
	    memcmp(a->addr, b->addr, a->family == 4 ? 4 : 16) == 0;
}

static uint32_t
ep_bucket(const struct sipcalls *t, const struct sipcall_ep *e)
{
	uint8_t k[19];

	k[0] = e->family;
	k[1] = (uint8_t)(e->port >> 8);
	k[2] = (uint8_t)e->port;
	memcpy(k + 3, e->addr, 16);
	if (e->family == 4)
		memset(k + 7, 0, 12);
	return (uint32_t)calls_hash(t, k, sizeof(k)) & t->mmask;
}

int
calls_media_init(struct sipcalls *t)
{
	uint32_t i, size = 16, n = t->cfg.max_media;

	while (size < n && size < (1u << 30))
		size <<= 1;
	t->mmask = size - 1;
	if ((t->meps = calloc(n, sizeof(*t->meps))) == NULL ||
	    (t->mhead = malloc(size * sizeof(*t->mhead))) == NULL)
		return -1;
	memset(t->mhead, 0xff, size * sizeof(*t->mhead));
	for (i = 0; i < n; i++)
		t->meps[i].hnext = i + 1 < n ? i + 1 : NIL;
	t->mfree = 0;
	return 0;
}

void
calls_media_free(struct sipcalls *t)
{
	free(t->meps);
	free(t->mhead);
	t->meps = NULL;
	t->mhead = NULL;
}

static uint32_t
ep_find(const struct sipcalls *t, const struct sipcall_ep *e)
{
	uint32_t i;

	if (t->nmeps == 0)
		return NIL;
	for (i = t->mhead[ep_bucket(t, e)]; i != NIL; i = t->meps[i].hnext)
		if (ep_eq(&t->meps[i].ep, e))
			return i;
	return NIL;
}

/* Takes endpoint slot j out of the table and out of its call. */
static void
ep_remove(struct sipcalls *t, uint32_t j)
{
	struct mep *e = &t->meps[j];
	uint32_t *pp = &t->mhead[ep_bucket(t, &e->ep)];

	while (*pp != j)
		pp = &t->meps[*pp].hnext;
	*pp = e->hnext;
	t->calls[e->call].ep[e->stream][e->side][e->kind] = NIL;
	if (t->cfg.media_ep != NULL)
		t->cfg.media_ep(t->cfg.ctx, &e->ep, -1);
	e->hnext = t->mfree;
	t->mfree = j;
	t->nmeps--;
}

/*
 * Side s of stream k of call c receives at ep (family 0: nowhere).  An
 * endpoint another call held moves to this one: the newest SDP wins.
 */
static int
ep_set(struct sipcalls *t, uint32_t c, int side, int k, int kind,
    const struct sipcall_ep *ep)
{
	uint32_t *slot = &t->calls[c].ep[k][side][kind], j, b;
	struct mep *e;

	if (*slot != NIL) {
		if (ep->family != 0 && ep_eq(&t->meps[*slot].ep, ep))
			return 0;
		ep_remove(t, *slot);
	}
	if (ep->family == 0)
		return 0;
	if ((j = ep_find(t, ep)) != NIL)
		ep_remove(t, j);
	if ((j = t->mfree) == NIL)
		return calls_err(t, SIPCALL_E_MEDIA_FULL);
	e = &t->meps[j];
	t->mfree = e->hnext;
	e->ep = *ep;
	e->side = (uint8_t)side;
	e->stream = (uint8_t)k;
	e->kind = (uint8_t)kind;
	e->call = c;
	b = ep_bucket(t, ep);
	e->hnext = t->mhead[b];
	t->mhead[b] = j;
	*slot = j;
	t->nmeps++;
	if (t->cfg.media_ep != NULL)
		t->cfg.media_ep(t->cfg.ctx, ep, 1);
	return 0;
}

static int
addr_zero(const struct sdp_addr *a)
{
	static const uint8_t zero[16];

	return memcmp(a->addr, zero, a->family == 4 ? 4 : 16) == 0;
}

static struct sipcall_ep
mk_ep(const struct sdp_addr *a, unsigned port)
{
	struct sipcall_ep e = { 0 };

	if (a->family == 0 || addr_zero(a) || port == 0 || port > 65535)
		return e;
	e.family = a->family;
	e.port = (uint16_t)port;
	memcpy(e.addr, a->addr, sizeof(e.addr));
	return e;
}

int
calls_media_sdp(struct sipcalls *t, uint32_t c, int side, const struct sdp *sdp)
{
	static const struct sipcall_ep none = { 0 };
	struct sipcall_ep rtp, rtcp;
	int k, r = 0, moved;

	if (sdp->nmedia > SIPCALL_STREAMS || sdp->media_overflow)
		calls_err(t, SIPCALL_E_STREAMS);
	for (k = 0; k < SIPCALL_STREAMS; k++) {
		const struct sdp_media *md = &sdp->media[k];
		uint32_t old = t->calls[c].ep[k][side][EP_RTP];

		rtp = rtcp = none;
		if (k < sdp->nmedia) {
			rtp = mk_ep(&md->conn, md->port);
			if (rtp.family != 0 && !md->rtcp_mux)
				rtcp = md->has_rtcp ? mk_ep(md->rtcp_addr.family ?
				    &md->rtcp_addr : &md->conn, md->rtcp_port) :
				    mk_ep(&md->conn, md->port + 1u);
			if (ep_eq(&rtcp, &rtp))
				rtcp = none;
		}
		moved = old == NIL || rtp.family == 0 ||
		    !ep_eq(&t->meps[old].ep, &rtp);
		r |= ep_set(t, c, side, k, EP_RTP, &rtp);
		r |= ep_set(t, c, side, k, EP_RTCP, &rtcp);
		if (moved)
			ep_set(t, c, side, k, EP_LATCHED, &none);
	}
	return r;
}

void
calls_media_drop(struct sipcalls *t, uint32_t c)
{
	uint32_t *ep = &t->calls[c].ep[0][0][0];

	for (size_t i = 0; i < SIPCALL_STREAMS * 2 * EP_KINDS; i++)
		if (ep[i] != NIL)
			ep_remove(t, ep[i]);
}

/* The sender of a packet to side to_side of stream k: latched if the SDP did not name it. */
static void
latch(struct sipcalls *t, uint32_t c, int to_side, int k,
    const struct sipcall_ep *src)
{
	const uint32_t *other = t->calls[c].ep[k][!to_side];

	for (int kind = 0; kind < EP_KINDS; kind++)
		if (other[kind] != NIL && ep_eq(&t->meps[other[kind]].ep, src))
			return;
	if (other[EP_LATCHED] != NIL || ep_find(t, src) != NIL)
		return;
	if (ep_set(t, c, !to_side, k, EP_LATCHED, src) == 0)
		t->st.media_latched++;
}

int
sipcalls_media(struct sipcalls *t, const struct sipcall_ep *src,
    const struct sipcall_ep *dst, struct sipcall_hit *hit)
{
	const struct mep *e;
	const struct call *c;
	uint32_t j;
	int to_side;

	if ((j = ep_find(t, dst)) != NIL) {
		e = &t->meps[j];
		to_side = e->side;
		if (e->kind != EP_LATCHED)
			latch(t, e->call, to_side, e->stream, src);
	} else if ((j = ep_find(t, src)) != NIL) {
		e = &t->meps[j];
		to_side = !e->side;
	} else
		return 0;
	c = &t->calls[e->call];
	hit->call = e->call;
	hit->sid[0] = (uint8_t)('0' + e->stream);
	hit->sid_len = 1;
	hit->n = c->nicept;
	for (unsigned k = 0; k < c->nicept; k++) {
		uint8_t s = c->icept[k].sides;

		hit->ic[k].warrant = c->icept[k].warrant;
		hit->ic[k].cin = c->icept[k].cin;
		hit->ic[k].dir = s == 3 ? ETSI_DIR_INDETERMINATE :
		    (s & (1u << to_side)) ? ETSI_TO_TARGET : ETSI_FROM_TARGET;
	}
	t->st.media_hits++;
	return 1;
}

uint32_t
sipcalls_media_count(const struct sipcalls *t)
{
	return t->nmeps;
}
