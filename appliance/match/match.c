/* match.c - target prefix tables: filter + rte_lpm/rte_lpm6, sets of warrants. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_lpm.h>
#include <rte_lpm6.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "match/match.h"

#define V4_FILTER_LEN	24
#define V6_FILTER_LEN	48
#define MAX_ENUM_BITS	16	/* a prefix may set at most 2^16 filter bits */

struct pw {
	struct lt_prefix p;
	uint32_t warrant;
};

static int
prefix_cmp(const void *a, const void *b)
{
	const struct lt_prefix *x = a, *y = b;

	if (x->family != y->family)
		return x->family - y->family;
	if (x->len != y->len)
		return x->len - y->len;
	return memcmp(x->addr, y->addr, 16);
}

static int
pw_cmp(const void *a, const void *b)
{
	const struct pw *x = a, *y = b;
	int c = prefix_cmp(&x->p, &y->p);

	if (c != 0)
		return c;
	return x->warrant < y->warrant ? -1 : x->warrant > y->warrant;
}

static int
u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void
mask_prefix(struct lt_prefix *p, unsigned len)
{
	unsigned bytes = p->family == 4 ? 4 : 16;

	for (unsigned i = 0; i < bytes; i++) {
		unsigned lo = i * 8;

		if (lo >= len)
			p->addr[i] = 0;
		else if (lo + 8 > len)
			p->addr[i] &= (uint8_t)(0xff << (8 - (len - lo)));
	}
	p->len = (uint8_t)len;
}

#define v4_key	lt_match_key4
#define v6_key	lt_match_key6

static void
filter_set(uint64_t *f, uint64_t key)
{
	uint32_t h = lt_filter_hash(key);

	f[h >> 6] |= 1ULL << (h & 63);
}

static void
filter_add(struct lt_match *m, const struct lt_prefix *p)
{
	unsigned flen = p->family == 4 ? V4_FILTER_LEN : V6_FILTER_LEN;
	uint64_t base, n;

	if (p->len >= flen) {
		filter_set(m->filter, p->family == 4 ? v4_key(p->addr) : v6_key(p->addr));
		return;
	}
	if (flen - p->len > MAX_ENUM_BITS) {
		if (p->family == 4)
			m->v4_all = true;
		else
			m->v6_all = true;
		return;
	}
	base = p->family == 4 ? v4_key(p->addr) : v6_key(p->addr);
	n = 1ULL << (flen - p->len);
	for (uint64_t i = 0; i < n; i++)
		filter_set(m->filter, base + i);
}

/* Index of the first pair holding prefix p, or -1. */
static long
pw_find(const struct pw *v, uint32_t n, const struct lt_prefix *p)
{
	long lo = 0, hi = (long)n;

	while (lo < hi) {
		long mid = (lo + hi) / 2;

		if (prefix_cmp(&v[mid].p, p) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < (long)n && prefix_cmp(&v[lo].p, p) == 0 ? lo : -1;
}

static int
build_lpm(struct lt_match *m, const struct pw *v, const uint32_t *set_pw, int socket,
    char *err, size_t errlen)
{
	static unsigned gen;
	uint32_t n4 = 0, n6 = 0, t6 = 0;
	char name[32];

	for (uint32_t i = 0; i < m->nsets; i++) {
		const struct lt_prefix *p = &v[set_pw[i]].p;

		if (p->family == 4) {
			n4++;
		} else {
			n6++;
			/* rte_lpm6: one tbl8 group per byte past the first 24 bits, at most */
			t6 += p->len > 24 ? (p->len - 24 + 7) / 8u : 0;
		}
	}
	gen++;
	snprintf(name, sizeof(name), "lt_lpm4_%u", gen);
	m->lpm4 = rte_lpm_create(name, socket, &(struct rte_lpm_config){
	    .max_rules = n4 + 1, .number_tbl8s = n4 + 1 < 256 ? 256 : n4 + 1 });
	snprintf(name, sizeof(name), "lt_lpm6_%u", gen);
	m->lpm6 = rte_lpm6_create(name, socket, &(struct rte_lpm6_config){
	    .max_rules = n6 + 1, .number_tbl8s = t6 + 1 < 256 ? 256 : t6 + 1 });
	if (m->lpm4 == NULL || m->lpm6 == NULL) {
		snprintf(err, errlen, "cannot create the target tables (%u IPv4, %u IPv6 "
		    "prefixes): %s", n4, n6, rte_strerror(rte_errno));
		return -1;
	}
	for (uint32_t i = 0; i < m->nsets; i++) {
		const struct lt_prefix *p = &v[set_pw[i]].p;
		int r;

		if (p->family == 4) {
			uint32_t ip = (uint32_t)p->addr[0] << 24 | (uint32_t)p->addr[1] << 16 |
			    (uint32_t)p->addr[2] << 8 | p->addr[3];

			r = rte_lpm_add(m->lpm4, ip, p->len, i);
		} else {
			r = rte_lpm6_add(m->lpm6, p->addr, p->len, i);
		}
		if (r < 0) {
			snprintf(err, errlen, "cannot add target prefix %u to the tables: %s",
			    i, rte_strerror(-r));
			return -1;
		}
		filter_add(m, p);
	}
	return 0;
}

struct lt_match *
lt_match_build(const struct lt_config *cfg, int socket, char *err, size_t errlen)
{
	return lt_match_build_slots(cfg, NULL, socket, err, errlen);
}

struct lt_match *
lt_match_build_slots(const struct lt_config *cfg, const uint32_t *slot_of, int socket,
    char *err, size_t errlen)
{
	struct lt_match *m;
	struct pw *v = NULL;
	uint32_t nv = 0, nlist = 0, cap = 0, *set_pw = NULL, *list = NULL;

	m = calloc(1, sizeof(*m));
	if (m == NULL)
		goto nomem;
	m->filter = calloc((1u << LT_FILTER_BITS) / 64, sizeof(uint64_t));
	v = calloc(cfg->ntargets + 1, sizeof(*v));
	set_pw = calloc(cfg->ntargets + 1, sizeof(*set_pw));
	m->set_off = calloc(cfg->ntargets + 2, sizeof(uint32_t));
	if (m->filter == NULL || v == NULL || set_pw == NULL || m->set_off == NULL)
		goto nomem;

	/* (prefix, warrant) pairs of the warrants that want CC, sorted. */
	for (uint32_t w = 0; w < cfg->nwarrants; w++) {
		const struct lt_warrant *wr = &cfg->warrants[w];

		if (!(wr->content & LT_CONTENT_CC))
			continue;
		for (uint32_t t = 0; t < wr->ntargets && nv < cfg->ntargets; t++)
			v[nv++] = (struct pw){ .p = wr->targets[t],
			    .warrant = slot_of != NULL ? slot_of[w] : w };
	}
	qsort(v, nv, sizeof(*v), pw_cmp);

	/*
	 * One set per distinct prefix: its own warrants and those of every
	 * shorter prefix that covers it, so the longest match is enough.
	 */
	for (uint32_t i = 0; i < nv; i++) {
		const struct lt_prefix *p = &v[i].p;
		uint32_t first = nlist;

		if (i > 0 && prefix_cmp(&v[i - 1].p, p) == 0)
			continue;
		for (unsigned l = 0; l <= p->len; l++) {
			struct lt_prefix a = *p;
			long j;

			mask_prefix(&a, l);
			if ((j = pw_find(v, nv, &a)) < 0)
				continue;
			for (; (uint32_t)j < nv && prefix_cmp(&v[j].p, &a) == 0; j++) {
				if (nlist == cap) {
					uint32_t *nl;

					cap = cap ? cap * 2 : 1024;
					if ((nl = realloc(list, cap * sizeof(*list))) == NULL)
						goto nomem;
					list = nl;
				}
				list[nlist++] = v[j].warrant;
			}
		}
		qsort(list + first, nlist - first, sizeof(*list), u32_cmp);
		{
			uint32_t k = first;

			for (uint32_t x = first; x < nlist; x++)
				if (k == first || list[k - 1] != list[x])
					list[k++] = list[x];
			nlist = k;
		}
		set_pw[m->nsets] = i;
		m->set_off[m->nsets++] = first;
	}
	m->set_off[m->nsets] = nlist;
	m->set_warrant = list ? list : calloc(1, sizeof(uint32_t));
	list = NULL;
	if (m->set_warrant == NULL)
		goto nomem;
	if (build_lpm(m, v, set_pw, socket, err, errlen) < 0)
		goto fail;
	free(v);
	free(set_pw);
	return m;
nomem:
	snprintf(err, errlen, "out of memory building the target tables");
fail:
	free(v);
	free(set_pw);
	free(list);
	lt_match_free(m);
	return NULL;
}

void
lt_match_free(struct lt_match *m)
{
	if (m == NULL)
		return;
	rte_lpm_free(m->lpm4);
	rte_lpm6_free(m->lpm6);
	free(m->filter);
	free(m->static_filter);
	free(m->dyn_count);
	free(m->set_off);
	free(m->set_warrant);
	free(m);
}

uint32_t
lt_match_v4(const struct lt_match *m, const uint8_t a[static 4])
{
	if (!m->v4_all && !lt_filter_test(m->filter, v4_key(a)))
		return LT_NO_SET;
	return lt_match_lpm4(m, a);
}

uint32_t
lt_match_lpm4(const struct lt_match *m, const uint8_t a[static 4])
{
	uint32_t ip, nh;

	ip = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
	if (rte_lpm_lookup(m->lpm4, ip, &nh) != 0)
		return LT_NO_SET;
	return nh;
}

uint32_t
lt_match_v6(const struct lt_match *m, const uint8_t a[static 16])
{
	if (!m->v6_all && !lt_filter_test(m->filter, v6_key(a)))
		return LT_NO_SET;
	return lt_match_lpm6(m, a);
}

uint32_t
lt_match_lpm6(const struct lt_match *m, const uint8_t a[static 16])
{
	uint32_t nh;

	if (rte_lpm6_lookup(m->lpm6, a, &nh) != 0)
		return LT_NO_SET;
	return nh;
}

int
lt_match_dyn_ref(struct lt_match *m, uint8_t family, const uint8_t *a, int delta)
{
	uint32_t h = lt_filter_hash(family == 4 ? v4_key(a) : v6_key(a));
	uint64_t bit = 1ULL << (h & 63);

	if (m->dyn_count == NULL) {
		m->dyn_count = calloc(1u << LT_FILTER_BITS, sizeof(*m->dyn_count));
		m->static_filter = malloc(((1u << LT_FILTER_BITS) / 64) * sizeof(uint64_t));
		if (m->dyn_count == NULL || m->static_filter == NULL)
			return -1;
		memcpy(m->static_filter, m->filter, ((1u << LT_FILTER_BITS) / 64) *
		    sizeof(uint64_t));
	}
	if (delta > 0) {
		if (m->dyn_count[h] == UINT16_MAX)
			return -1;
		if (m->dyn_count[h]++ == 0)
			__atomic_fetch_or(&m->filter[h >> 6], bit, __ATOMIC_RELEASE);
	} else if (m->dyn_count[h] > 0 && --m->dyn_count[h] == 0 &&
	    !(m->static_filter[h >> 6] & bit)) {
		__atomic_fetch_and(&m->filter[h >> 6], ~bit, __ATOMIC_RELEASE);
	}
	return 0;
}

int
lt_match_take_dyn(struct lt_match *to, struct lt_match *from)
{
	size_t words = (1u << LT_FILTER_BITS) / 64;

	if (from->dyn_count == NULL)
		return 0;
	if ((to->static_filter = malloc(words * sizeof(uint64_t))) == NULL)
		return -1;
	memcpy(to->static_filter, to->filter, words * sizeof(uint64_t));
	to->dyn_count = from->dyn_count;
	from->dyn_count = NULL;
	for (uint32_t h = 0; h < (1u << LT_FILTER_BITS); h++)
		if (to->dyn_count[h] > 0)
			to->filter[h >> 6] |= 1ULL << (h & 63);
	return 0;
}
