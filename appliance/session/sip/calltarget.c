/* calltarget.c - which warrants a SIP message names, and on which side of the call. */
#include <stdlib.h>
#include <string.h>

#include "session/sip/calls_impl.h"

static void
seterr(char *err, size_t errlen, const char *why)
{
	if (err != NULL && errlen > 0) {
		strncpy(err, why, errlen - 1);
		err[errlen - 1] = '\0';
	}
}

/* The part of a "sip:user@host" canonical form between a and b. */
static void
norm_parts(const uint8_t *n, size_t len, struct sip_slice *user,
    struct sip_slice *host)
{
	const uint8_t *at = memchr(n, '@', len);

	*user = (struct sip_slice){ NULL, 0 };
	*host = (struct sip_slice){ n + 4, len - 4 };
	if (at != NULL) {
		*user = (struct sip_slice){ n + 4, (size_t)(at - n) - 4 };
		*host = (struct sip_slice){ at + 1, len - (size_t)(at - n) - 1 };
	}
}

int
sipcall_target_parse(const char *s, size_t len, struct sipcall_target *t,
    char *err, size_t errlen)
{
	static const char any_host[] = "@any.invalid";
	char tmp[SIPURI_NORM_MAX + sizeof(any_host)];
	uint8_t out[SIPURI_NORM_MAX];
	struct sip_slice user, host;
	struct sipuri u;
	int n, any = 0;

	if (len >= 2 && s[len - 2] == '@' && s[len - 1] == '*') {
		/* "sip:user@*": parse it with a placeholder host */
		if (len - 2 + sizeof(any_host) > sizeof(tmp))
			return seterr(err, errlen, "SIP identity too long"), -1;
		memcpy(tmp, s, len - 2);
		memcpy(tmp + len - 2, any_host, sizeof(any_host));
		s = tmp;
		len = len - 2 + sizeof(any_host) - 1;
		any = 1;
	}
	if (sipuri_parse((const uint8_t *)s, len, &u) != 0 ||
	    (n = sipuri_norm(&u, out)) < 0) {
		seterr(err, errlen, "not a sip:, sips: or tel: URI "
		    "(sip:user@host, tel:+number, sip:user@*, sip:*@host)");
		return -1;
	}
	memset(t->v, 0, sizeof(t->v));
	if (u.scheme == SIPURI_TEL) {
		if (any)
			return seterr(err, errlen, "tel: with @*"), -1;
		t->kind = SIPCALL_T_URI;
		memcpy(t->v, out, (size_t)n);
		t->len = (uint16_t)n;
		return 0;
	}
	norm_parts(out, (size_t)n, &user, &host);
	if (any) {
		if (user.len == 0 || (user.len == 1 && user.p[0] == '*'))
			return seterr(err, errlen, "sip:@* names nobody"), -1;
		t->kind = SIPCALL_T_USER;
		memcpy(t->v, user.p, user.len);
		t->len = (uint16_t)user.len;
	} else if (user.len == 1 && user.p[0] == '*') {
		t->kind = SIPCALL_T_DOMAIN;
		memcpy(t->v, host.p, host.len);
		t->len = (uint16_t)host.len;
	} else if (user.len == 0) {
		return seterr(err, errlen, "a sip: identity needs a user part "
		    "(sip:*@host for a whole domain)"), -1;
	} else {
		t->kind = SIPCALL_T_URI;
		memcpy(t->v, out, (size_t)n);
		t->len = (uint16_t)n;
	}
	return 0;
}

struct found {
	uint32_t *warrants;
	uint8_t *sides;
	unsigned n, max, dropped;
};

static void
add(struct found *f, uint32_t w, int side)
{
	for (unsigned i = 0; i < f->n; i++)
		if (f->warrants[i] == w) {
			f->sides[i] |= (uint8_t)(1u << side);
			return;
		}
	if (f->n == f->max) {
		f->dropped++;
		return;
	}
	f->warrants[f->n] = w;
	f->sides[f->n++] = (uint8_t)(1u << side);
}

/* Targets of kind with value v (prefix pre, then v): each into f. */
static void
lookup(struct sipcalls *t, uint8_t kind, const char *pre, struct sip_slice v,
    int side, int is_from, struct found *f)
{
	uint8_t key[1 + 4 + SIPURI_NORM_MAX];
	size_t pl = strlen(pre), kl = 1 + pl + v.len;
	uint32_t i;

	const struct sipcall_targets *tg = t->tg;

	if (tg->n == 0 || kl > sizeof(key))
		return;
	key[0] = kind;
	memcpy(key + 1, pre, pl);
	memcpy(key + 1 + pl, v.p, v.len);
	for (i = tg->head[calls_hash(t, key, kl) & tg->mask]; i != NIL;
	    i = tg->next[i]) {
		const struct sipcall_target *g = &tg->v[i];

		if (g->kind == kind && g->len == kl - 1 &&
		    memcmp(g->v, key + 1, kl - 1) == 0 &&
		    (!is_from || g->from_ok))
			add(f, g->warrant, side);
	}
}

/* A URI (or name-addr) from a header: every target it can name. */
static void
uri(struct sipcalls *t, struct sip_slice s, int side, int is_from,
    struct found *f)
{
	uint8_t n[SIPURI_NORM_MAX];
	struct sip_slice user, host;
	struct sipuri u;
	int len;

	if (s.len == 0)
		return;
	if (sipuri_parse(s.p, s.len, &u) != 0 || (len = sipuri_norm(&u, n)) < 0) {
		calls_err(t, SIPCALL_E_URI);
		return;
	}
	lookup(t, SIPCALL_T_URI, "", (struct sip_slice){ n, (size_t)len }, side,
	    is_from, f);
	if (u.scheme == SIPURI_TEL)
		return;
	norm_parts(n, (size_t)len, &user, &host);
	if (user.len > 0) {
		lookup(t, SIPCALL_T_USER, "", user, side, is_from, f);
		lookup(t, SIPCALL_T_URI, "tel:", user, side, is_from, f);
	}
	lookup(t, SIPCALL_T_DOMAIN, "", host, side, is_from, f);
}

/* A digest username: "alice" or "alice@host". */
static void
username(struct sipcalls *t, struct sip_slice s, int side, struct found *f)
{
	const uint8_t *at;

	if (s.len == 0)
		return;
	if ((at = memchr(s.p, '@', s.len)) == NULL) {
		lookup(t, SIPCALL_T_USER, "", s, side, 0, f);
		return;
	}
	lookup(t, SIPCALL_T_URI, "sip:", s, side, 0, f);
	lookup(t, SIPCALL_T_USER, "", (struct sip_slice){ s.p,
	    (size_t)(at - s.p) }, side, 0, f);
}

unsigned
calls_match(struct sipcalls *t, const struct sip_msg *m, int sender,
    uint32_t *warrants, uint8_t *sides, unsigned max)
{
	struct found f = { warrants, sides, 0, max, 0 };
	int other = !sender;
	unsigned i;

	if (m->is_request) {
		uri(t, m->request_uri, other, 0, &f);
		uri(t, m->to_uri, other, 0, &f);
		uri(t, m->from_uri, sender, 1, &f);
		username(t, m->auth_user, sender, &f);
		username(t, m->proxy_auth_user, sender, &f);
	} else {
		uri(t, m->to_uri, sender, 0, &f);
		uri(t, m->from_uri, other, 1, &f);
	}
	for (i = 0; i < m->npai; i++)
		uri(t, m->pai[i], sender, 0, &f);
	uri(t, m->rpid_uri, sender, 0, &f);
	if (f.dropped)
		calls_err(t, SIPCALL_E_ICEPTS_FULL);
	return f.n;
}

struct sipcall_targets *
sipcall_targets_new(const struct sipcalls *t, const struct sipcall_target *v, uint32_t n)
{
	struct sipcall_targets *g;
	uint32_t i, size = 16;

	if (n >= NIL / 4 || (g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	while (size < 2 * n)
		size <<= 1;
	g->mask = size - 1;
	g->n = n;
	g->v = malloc((n + 1) * sizeof(*g->v));
	g->head = malloc(size * sizeof(*g->head));
	g->next = malloc((n + 1) * sizeof(*g->next));
	if (g->v == NULL || g->head == NULL || g->next == NULL) {
		sipcall_targets_free(g);
		return NULL;
	}
	if (n > 0)
		memcpy(g->v, v, n * sizeof(*v));
	memset(g->head, 0xff, size * sizeof(*g->head));
	for (i = n; i-- > 0;) {		/* chains in config order */
		uint8_t key[1 + SIPURI_NORM_MAX];
		uint32_t b;

		key[0] = g->v[i].kind;
		memcpy(key + 1, g->v[i].v, g->v[i].len);
		b = (uint32_t)calls_hash(t, key, 1u + g->v[i].len) & g->mask;
		g->next[i] = g->head[b];
		g->head[b] = i;
	}
	return g;
}

void
sipcall_targets_free(struct sipcall_targets *g)
{
	if (g == NULL)
		return;
	free(g->v);
	free(g->head);
	free(g->next);
	free(g);
}

struct sipcall_targets *
sipcalls_targets_swap(struct sipcalls *t, struct sipcall_targets *g)
{
	struct sipcall_targets *old = t->tg;

	t->tg = g;
	return old;
}
