/* calls.c - SIP dialogs of target identities: one call per Call-ID, a CIN per warrant, IRI types. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "etsi/etsi.h"
#include "session/sip/calls_impl.h"

#define S(x)	((int64_t)(x) * 1000000)

uint64_t
calls_hash(const struct sipcalls *t, const uint8_t *p, size_t len)
{
	uint8_t h[crypto_shorthash_BYTES];
	uint64_t v;

	crypto_shorthash(h, p, len, t->key);
	memcpy(&v, h, sizeof(v));
	return v;
}

int
calls_err(struct sipcalls *t, int e)
{
	unsigned i = (unsigned)(e < 0 ? -e : e);

	if (i < SIPCALL_NERR)
		t->st.err[i]++;
	return e < 0 ? e : -e;
}

const char *
sipcall_err_name(int e)
{
	static const char *const tab[] = {
		"sdp_unusable", "calls_full", "icepts_full", "media_full",
		"streams_over", "after_end", "uri_bad",
	};
	int i = e < 0 ? -e : e;

	if (i < SIP_NERR)
		return sip_err_name(-i);
	i -= SIPCALL_E_PARSE + 1;
	return i >= 0 && (size_t)i < sizeof(tab) / sizeof(tab[0]) ? tab[i] : "?";
}

static uint32_t
pow2(uint32_t n)
{
	uint32_t s = 16;

	while (s < n && s < (1u << 30))
		s <<= 1;
	return s;
}

struct sipcalls *
sipcalls_new(const struct sipcalls_cfg *cfg)
{
	struct sipcalls *t;
	uint32_t i, size;

	if (cfg->iri == NULL || cfg->max_calls == 0 || cfg->max_calls >= NIL / 2 ||
	    sodium_init() < 0 || (t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->cfg = *cfg;
	if (t->cfg.max_media == 0)
		t->cfg.max_media = cfg->max_calls * 8 < NIL / 2 ?
		    cfg->max_calls * 8 : NIL / 2;
	if (t->cfg.setup_us <= 0)
		t->cfg.setup_us = S(180);
	if (t->cfg.idle_us <= 0)
		t->cfg.idle_us = S(7200);
	if (t->cfg.bye_us <= 0)
		t->cfg.bye_us = S(32);
	if (t->cfg.linger_us <= 0)
		t->cfg.linger_us = S(32);
	if (cfg->hash_key != NULL)
		memcpy(t->key, cfg->hash_key, sizeof(t->key));
	else
		randombytes_buf(t->key, sizeof(t->key));
	t->next_cin = cfg->first_cin;
	size = pow2(cfg->max_calls);
	t->cmask = size - 1;
	t->calls = calloc(cfg->max_calls, sizeof(*t->calls));
	t->chead = malloc(size * sizeof(*t->chead));
	t->tg = sipcall_targets_new(t, cfg->targets, cfg->ntargets);
	if (t->calls == NULL || t->chead == NULL || t->tg == NULL ||
	    calls_media_init(t) < 0) {
		sipcalls_free(t);
		return NULL;
	}
	memset(t->chead, 0xff, size * sizeof(*t->chead));
	for (i = 0; i < cfg->max_calls; i++)
		t->calls[i].hnext = i + 1 < cfg->max_calls ? i + 1 : NIL;
	t->cfree = 0;
	for (i = 0; i < T_CLASSES; i++)
		t->lhead[i] = t->ltail[i] = NIL;
	return t;
}

void
sipcalls_free(struct sipcalls *t)
{
	if (t == NULL)
		return;
	calls_media_free(t);
	free(t->calls);
	free(t->chead);
	sipcall_targets_free(t->tg);
	free(t);
}

static uint32_t
find(struct sipcalls *t, uint64_t key)
{
	uint32_t i;

	for (i = t->chead[key & t->cmask]; i != NIL; i = t->calls[i].hnext)
		if (t->calls[i].key == key)
			return i;
	return NIL;
}

static void
unlist(struct sipcalls *t, uint32_t i)
{
	struct call *c = &t->calls[i];

	if (c->timer == T_CLASSES)
		return;
	if (c->lprev != NIL)
		t->calls[c->lprev].lnext = c->lnext;
	else
		t->lhead[c->timer] = c->lnext;
	if (c->lnext != NIL)
		t->calls[c->lnext].lprev = c->lprev;
	else
		t->ltail[c->timer] = c->lprev;
	c->timer = T_CLASSES;
}

/* (Re)starts the call's timer of class k at now: it goes to the tail of that list. */
static void
arm(struct sipcalls *t, uint32_t i, int k, int64_t now)
{
	static const size_t off[T_CLASSES] = {
		offsetof(struct sipcalls_cfg, setup_us),
		offsetof(struct sipcalls_cfg, idle_us),
		offsetof(struct sipcalls_cfg, bye_us),
		offsetof(struct sipcalls_cfg, linger_us),
	};
	struct call *c = &t->calls[i];
	int64_t d;

	memcpy(&d, (const uint8_t *)&t->cfg + off[k], sizeof(d));
	unlist(t, i);
	c->timer = (uint8_t)k;
	c->deadline_us = now + d;
	c->lnext = NIL;
	c->lprev = t->ltail[k];
	if (c->lprev != NIL)
		t->calls[c->lprev].lnext = i;
	else
		t->lhead[k] = i;
	t->ltail[k] = i;
}

static uint32_t
call_new(struct sipcalls *t, uint64_t key, uint64_t tag0, uint8_t state,
    int64_t now)
{
	uint32_t i = t->cfree, b = key & t->cmask;
	struct call *c;

	if (i == NIL)
		return NIL;
	c = &t->calls[i];
	t->cfree = c->hnext;
	memset(c, 0, sizeof(*c));
	memset(c->ep, 0xff, sizeof(c->ep));
	c->key = key;
	c->tag0 = tag0;
	c->state = state;
	c->hnext = t->chead[b];
	t->chead[b] = i;
	c->lprev = c->lnext = NIL;
	c->timer = T_CLASSES;		/* on no list yet */
	t->ncalls++;
	t->st.calls++;
	arm(t, i, state == CS_CONFIRMED ? T_IDLE : T_SETUP, now);
	return i;
}

static void
call_free(struct sipcalls *t, uint32_t i)
{
	struct call *c = &t->calls[i];
	uint32_t *pp = &t->chead[c->key & t->cmask];

	while (*pp != i)
		pp = &t->calls[*pp].hnext;
	*pp = c->hnext;
	unlist(t, i);
	calls_media_drop(t, i);
	c->state = CS_FREE;
	c->hnext = t->cfree;
	t->cfree = i;
	t->ncalls--;
}

static void
emit(struct sipcalls *t, struct call *c, uint8_t type, const struct sipcall_pkt *p,
    int64_t ts)
{
	for (unsigned k = 0; k < c->nicept; k++) {
		struct icept *ic = &c->icept[k];
		struct sipcall_iri ev = {
			.warrant = ic->warrant, .cin = ic->cin, .pkt = p, .ts_us = ts,
			.iri_type = type, .src = &c->last_src, .dst = &c->last_dst,
		};

		if (type == ETSI_IRI_CONTINUE && !ic->begun)
			ev.iri_type = ETSI_IRI_BEGIN;
		ic->begun = 1;
		t->cfg.iri(t->cfg.ctx, &ev);
		t->st.iris++;
	}
}

static void
end(struct sipcalls *t, uint32_t i, const struct sipcall_pkt *p, int64_t now)
{
	struct call *c = &t->calls[i];

	emit(t, c, ETSI_IRI_END, p, now);
	calls_media_drop(t, i);
	c->state = CS_ENDED;
	t->st.calls_ended++;
	arm(t, i, T_LINGER, now);
}

/* New warrants of this message join the call; known ones learn more sides. */
static int
join(struct sipcalls *t, struct call *c, const uint32_t *w, const uint8_t *sides,
    unsigned n)
{
	for (unsigned k = 0; k < n; k++) {
		unsigned j;

		for (j = 0; j < c->nicept; j++)
			if (c->icept[j].warrant == w[k])
				break;
		if (j == c->nicept) {
			if (c->nicept == SIPCALL_ICEPT_MAX) {
				calls_err(t, SIPCALL_E_ICEPTS_FULL);
				continue;
			}
			c->nicept++;
			c->icept[j] = (struct icept){ .warrant = w[k],
			    .cin = t->next_cin++ };
		}
		c->icept[j].sides |= sides[k];
	}
	return c->nicept;
}

static int
is_sdp(const struct sip_msg *m)
{
	struct sip_slice ct = m->content_type;
	const uint8_t *semi;

	if (m->body.len == 0)
		return 0;
	if (ct.len == 0)
		return m->body.len >= 3 && memcmp(m->body.p, "v=0", 3) == 0;
	if ((semi = memchr(ct.p, ';', ct.len)) != NULL)
		ct.len = (size_t)(semi - ct.p);
	while (ct.len > 0 && (ct.p[ct.len - 1] == ' ' || ct.p[ct.len - 1] == '\t'))
		ct.len--;
	return sip_slice_eq(ct, "application/sdp");
}

/* The state the message moves the call to; 1 if it ends the call. */
static int
step(struct sipcalls *t, uint32_t i, const struct sip_msg *m, int64_t now)
{
	struct call *c = &t->calls[i];
	int invite = sip_slice_eq(m->cseq_method, "INVITE");

	if (m->is_request) {
		if (sip_slice_eq(m->method, "BYE")) {
			c->state = CS_BYE;
			arm(t, i, T_BYE, now);
		} else if (sip_slice_eq(m->method, "CANCEL")) {
			if (c->state == CS_EARLY)
				arm(t, i, T_BYE, now);
		} else if (c->state == CS_CONFIRMED) {
			arm(t, i, T_IDLE, now);
		} else if (c->state == CS_EARLY && invite && m->to_tag.len == 0) {
			c->invite_cseq = m->cseq;
		}
		return 0;
	}
	if (m->status < 200)
		return 0;
	if (sip_slice_eq(m->cseq_method, "BYE") || c->state == CS_TRANSACTION)
		return 1;
	if (!invite || c->state != CS_EARLY) {
		if (c->state == CS_CONFIRMED)
			arm(t, i, T_IDLE, now);
		return 0;
	}
	if (m->status >= 300)
		return m->cseq == c->invite_cseq || c->invite_cseq == 0;
	c->state = CS_CONFIRMED;
	arm(t, i, T_IDLE, now);
	return 0;
}

/* A call first seen at m: in a dialog already (a request with a To tag), being set up, or neither. */
static uint8_t
first_state(const struct sip_msg *m)
{
	if (m->is_request && m->to_tag.len > 0)
		return CS_CONFIRMED;
	return sip_slice_eq(m->cseq_method, "INVITE") ? CS_EARLY : CS_TRANSACTION;
}

int
sipcalls_input(struct sipcalls *t, const struct sipcall_pkt *p)
{
	uint32_t w[SIPCALL_ICEPT_MAX * 2];
	uint8_t sides[SIPCALL_ICEPT_MAX * 2];
	struct sip_msg m;
	struct call *c;
	uint64_t key, tag;
	uint32_t i;
	unsigned n;
	int r, sender, ends;

	t->st.messages++;
	if ((r = sip_parse(p->msg, p->len, &m)) != SIP_OK)
		return calls_err(t, r);
	key = calls_hash(t, m.call_id.p, m.call_id.len);
	tag = calls_hash(t, m.from_tag.p, m.from_tag.len);
	i = find(t, key);
	if (i != NIL) {
		c = &t->calls[i];
		if (c->state == CS_ENDED)
			return calls_err(t, SIPCALL_E_AFTER_END);
		sender = (tag == c->tag0) == !m.is_request;
	} else
		sender = !m.is_request;
	n = calls_match(t, &m, sender, w, sides, SIPCALL_ICEPT_MAX * 2);
	if (i == NIL) {
		if (n == 0) {
			t->st.unrelated++;
			return 0;
		}
		if ((i = call_new(t, key, tag, first_state(&m), p->ts_us)) == NIL)
			return calls_err(t, SIPCALL_E_CALLS_FULL);
	}
	c = &t->calls[i];
	c->last_src = p->src;
	c->last_dst = p->dst;
	join(t, c, w, sides, n);
	t->st.matched++;
	ends = step(t, i, &m, p->ts_us);
	if (ends) {
		end(t, i, p, p->ts_us);
		return 1;
	}
	if (is_sdp(&m)) {
		struct sdp sdp;

		if (sdp_parse(m.body.p, m.body.len, &sdp) != SDP_OK)
			calls_err(t, SIPCALL_E_SDP);
		else
			calls_media_sdp(t, i, sender, &sdp);
	}
	emit(t, c, ETSI_IRI_CONTINUE, p, p->ts_us);
	return 1;
}

uint32_t
sipcalls_end_warrants(struct sipcalls *t, const uint8_t *ended, uint32_t n, int64_t now)
{
	static const int live[] = { T_SETUP, T_IDLE, T_BYE };
	uint32_t i, next, total = 0;

	for (unsigned l = 0; l < sizeof(live) / sizeof(live[0]); l++)
		for (i = t->lhead[live[l]]; i != NIL; i = next) {
			struct call *c = &t->calls[i];
			unsigned k = 0, gone = 0;

			next = c->lnext;	/* an ended call moves to the linger list */
			while (k < c->nicept) {
				struct icept *ic = &c->icept[k];
				struct sipcall_iri ev = { .warrant = ic->warrant, .cin = ic->cin,
				    .iri_type = ETSI_IRI_END, .src = &c->last_src,
				    .dst = &c->last_dst, .ts_us = now };

				if (ic->warrant >= n || !ended[ic->warrant]) {
					k++;
					continue;
				}
				t->cfg.iri(t->cfg.ctx, &ev);
				t->st.iris++;
				memmove(ic, ic + 1, (c->nicept - k - 1) * sizeof(*ic));
				c->nicept--;
				gone++;
			}
			total += gone;
			if (gone > 0 && c->nicept == 0)
				end(t, i, NULL, now);
		}
	return total;
}

void
sipcalls_tick(struct sipcalls *t, int64_t now)
{
	uint32_t i;

	for (int k = 0; k < T_CLASSES; k++)
		while ((i = t->lhead[k]) != NIL && t->calls[i].deadline_us <= now) {
			if (k == T_LINGER) {
				call_free(t, i);
				continue;
			}
			t->st.calls_timed_out++;
			end(t, i, NULL, now);
		}
}

const struct sipcall_stats *
sipcalls_stats(const struct sipcalls *t)
{
	return &t->st;
}

uint32_t
sipcalls_count(const struct sipcalls *t)
{
	return t->ncalls;
}

size_t
sipcalls_bytes_per_call(const struct sipcalls *t)
{
	size_t b = sizeof(struct call) + (t->cmask + 1) * sizeof(uint32_t) /
	    t->cfg.max_calls;

	return b + (t->cfg.max_media * sizeof(struct mep) +
	    (t->mmask + 1) * sizeof(uint32_t)) / t->cfg.max_calls;
}
