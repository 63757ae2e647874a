/* seqtrack.c - sequence accounting per stream in a sparse, self-compacting bitmap. */
#include <stdlib.h>
#include <string.h>

#include "lemf/seqtrack.h"

#define LIID_MAX	25

/*
 * The numbers seen are a sparse bitmap: chunks of CHUNK numbers in an
 * open-addressing hash keyed by seq / CHUNK.  A chunk's bitmap is freed once
 * all its numbers have been seen, so an in-order stream costs 16 bytes per
 * CHUNK PDUs and every PDU costs O(1).
 */
#define CHUNK_SHIFT	12
#define CHUNK		(1u << CHUNK_SHIFT)
#define CHUNK_WORDS	(CHUNK / 64)

struct chunk {
	uint32_t idx;
	uint32_t nset;		/* 0: empty slot; CHUNK: full, bits freed */
	uint64_t *bits;
};

struct stream {
	struct stream *next;	/* hash chain */
	uint32_t hash;
	char liid[LIID_MAX];
	uint8_t liid_len;
	uint8_t has_cin;
	uint8_t kind;
	uint32_t cin;
	struct chunk *chunk;
	size_t nchunk, chunk_cap;	/* used, slots (a power of two) */
	uint32_t first, last;
	uint64_t count, dups, distinct;
	uint32_t epoch;		/* cINResets before this run of numbers */
	uint8_t retired;	/* a later epoch took over */
	uint8_t reset_pending;	/* a cINReset came: the next 0 starts an epoch */
};

struct seqtrack {
	struct stream **bucket;
	size_t nbucket;
	struct stream **all;
	size_t n, cap;
};

static uint32_t
key_hash(const char *liid, size_t len, int has_cin, uint32_t cin, int kind)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)liid[i]) * 16777619u;
	h = (h ^ (uint32_t)has_cin) * 16777619u;
	for (int i = 0; i < 4; i++)
		h = (h ^ ((cin >> (8 * i)) & 0xff)) * 16777619u;
	return (h ^ (uint32_t)kind) * 16777619u;
}

struct seqtrack *
seqtrack_new(void)
{
	struct seqtrack *st = calloc(1, sizeof(*st));

	if (st == NULL)
		return NULL;
	st->nbucket = 64;
	st->bucket = calloc(st->nbucket, sizeof(*st->bucket));
	if (st->bucket == NULL) {
		free(st);
		return NULL;
	}
	return st;
}

void
seqtrack_free(struct seqtrack *st)
{
	if (st == NULL)
		return;
	for (size_t i = 0; i < st->n; i++) {
		struct stream *s = st->all[i];

		for (size_t j = 0; j < s->chunk_cap; j++)
			free(s->chunk[j].bits);
		free(s->chunk);
		free(s);
	}
	free(st->all);
	free(st->bucket);
	free(st);
}

static struct stream *
lookup(const struct seqtrack *st, uint32_t h, const char *liid, size_t len,
    int has_cin, uint32_t cin, int kind)
{
	for (struct stream *s = st->bucket[h % st->nbucket]; s; s = s->next)
		if (s->hash == h && !s->retired && s->liid_len == len && s->kind == kind &&
		    s->has_cin == !!has_cin && (!has_cin || s->cin == cin) &&
		    memcmp(s->liid, liid, len) == 0)
			return s;
	return NULL;
}

static int
rehash(struct seqtrack *st)
{
	size_t nb = st->nbucket * 2;
	struct stream **b = calloc(nb, sizeof(*b));

	if (b == NULL)
		return -1;
	for (size_t i = 0; i < st->n; i++) {
		struct stream *s = st->all[i];

		s->next = b[s->hash % nb];
		b[s->hash % nb] = s;
	}
	free(st->bucket);
	st->bucket = b;
	st->nbucket = nb;
	return 0;
}

static struct stream *
insert(struct seqtrack *st, uint32_t h, const char *liid, size_t len,
    int has_cin, uint32_t cin, int kind)
{
	struct stream *s;

	if (st->n == st->cap) {
		size_t ncap = st->cap ? st->cap * 2 : 16;
		struct stream **a = realloc(st->all, ncap * sizeof(*a));

		if (a == NULL)
			return NULL;
		st->all = a;
		st->cap = ncap;
	}
	if (st->n >= st->nbucket && rehash(st) < 0)
		return NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->hash = h;
	memcpy(s->liid, liid, len);
	s->liid_len = (uint8_t)len;
	s->has_cin = !!has_cin;
	s->cin = has_cin ? cin : 0;
	s->kind = (uint8_t)kind;
	s->next = st->bucket[h % st->nbucket];
	st->bucket[h % st->nbucket] = s;
	st->all[st->n++] = s;
	return s;
}

static struct chunk *
chunk_slot(struct chunk *tab, size_t cap, uint32_t idx)
{
	size_t i = (idx * 2654435761u) & (cap - 1);

	while (tab[i].nset != 0 && tab[i].idx != idx)
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

static int
chunks_grow(struct stream *s)
{
	size_t ncap = s->chunk_cap ? s->chunk_cap * 2 : 4;
	struct chunk *t = calloc(ncap, sizeof(*t));

	if (t == NULL)
		return -1;
	for (size_t i = 0; i < s->chunk_cap; i++)
		if (s->chunk[i].nset != 0)
			*chunk_slot(t, ncap, s->chunk[i].idx) = s->chunk[i];
	free(s->chunk);
	s->chunk = t;
	s->chunk_cap = ncap;
	return 0;
}

/* 0 new, 1 seen before, -1 out of memory. */
static int
stream_add(struct stream *s, uint32_t seq)
{
	uint32_t idx = seq >> CHUNK_SHIFT, bit = seq & (CHUNK - 1);
	struct chunk *c;
	uint64_t m = 1ull << (bit % 64);

	if ((s->nchunk + 1) * 4 > s->chunk_cap * 3 && chunks_grow(s) < 0)
		return -1;
	c = chunk_slot(s->chunk, s->chunk_cap, idx);
	if (c->nset == CHUNK)
		return 1;
	if (c->nset == 0) {
		if ((c->bits = calloc(CHUNK_WORDS, sizeof(uint64_t))) == NULL)
			return -1;
		c->idx = idx;
		s->nchunk++;
	} else if (c->bits[bit / 64] & m) {
		return 1;
	}
	c->bits[bit / 64] |= m;
	if (++c->nset == CHUNK) {
		free(c->bits);
		c->bits = NULL;
	}
	if (s->distinct == 0 || seq < s->first)
		s->first = seq;
	if (s->distinct == 0 || seq > s->last)
		s->last = seq;
	return 0;
}

int
seqtrack_add(struct seqtrack *st, const char *liid, size_t liid_len,
    int has_cin, uint32_t cin, enum seqtrack_kind kind, uint32_t seq)
{
	uint32_t h;
	struct stream *s;
	int r;

	if (liid_len > LIID_MAX)
		liid_len = LIID_MAX;
	h = key_hash(liid, liid_len, !!has_cin, has_cin ? cin : 0, kind);
	s = lookup(st, h, liid, liid_len, has_cin, cin, kind);
	if (s != NULL && s->reset_pending) {
		s->reset_pending = 0;
		if (seq == 0 && s->count > 0) {
			uint32_t epoch = s->epoch + 1;

			s->retired = 1;
			if ((s = insert(st, h, liid, liid_len, has_cin, cin, kind)) == NULL)
				return -1;
			s->epoch = epoch;
		}
	}
	if (s == NULL &&
	    (s = insert(st, h, liid, liid_len, has_cin, cin, kind)) == NULL)
		return -1;
	if ((r = stream_add(s, seq)) < 0)
		return -1;
	s->count++;
	if (r == 1)
		s->dups++;
	else
		s->distinct++;
	return r;
}

void
seqtrack_reset(struct seqtrack *st, const char *liid, size_t liid_len, int has_cin,
    uint32_t cin)
{
	if (liid_len > LIID_MAX)
		liid_len = LIID_MAX;
	for (int kind = SEQTRACK_IRI; kind <= SEQTRACK_CC; kind++) {
		uint32_t h = key_hash(liid, liid_len, !!has_cin, has_cin ? cin : 0, kind);
		struct stream *s = lookup(st, h, liid, liid_len, has_cin, cin, kind);

		if (s != NULL)
			s->reset_pending = 1;
	}
}

static void
stat_of(const struct stream *s, struct seqtrack_stat *out)
{
	out->count = s->count;
	out->dups = s->dups;
	out->first = s->first;
	out->last = s->last;
	out->gaps = s->distinct ? (uint64_t)s->last + 1 - s->distinct : 0;
}

int
seqtrack_get(const struct seqtrack *st, const char *liid, size_t liid_len,
    int has_cin, uint32_t cin, enum seqtrack_kind kind,
    struct seqtrack_stat *out)
{
	uint32_t h;
	const struct stream *s;

	if (liid_len > LIID_MAX)
		liid_len = LIID_MAX;
	h = key_hash(liid, liid_len, !!has_cin, has_cin ? cin : 0, kind);
	if ((s = lookup(st, h, liid, liid_len, has_cin, cin, kind)) == NULL)
		return -1;
	stat_of(s, out);
	return 0;
}

size_t
seqtrack_streams(const struct seqtrack *st)
{
	return st->n;
}

size_t
seqtrack_gapped(const struct seqtrack *st)
{
	size_t n = 0;
	struct seqtrack_stat ss;

	for (size_t i = 0; i < st->n; i++) {
		stat_of(st->all[i], &ss);
		n += ss.gaps > 0;
	}
	return n;
}

static int
stream_cmp(const void *a, const void *b)
{
	const struct stream *x = *(const struct stream *const *)a;
	const struct stream *y = *(const struct stream *const *)b;
	size_t n = x->liid_len < y->liid_len ? x->liid_len : y->liid_len;
	int c = memcmp(x->liid, y->liid, n);

	if (c != 0)
		return c;
	if (x->liid_len != y->liid_len)
		return x->liid_len < y->liid_len ? -1 : 1;
	if (x->has_cin != y->has_cin)
		return x->has_cin < y->has_cin ? -1 : 1;
	if (x->cin != y->cin)
		return x->cin < y->cin ? -1 : 1;
	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	return x->epoch < y->epoch ? -1 : x->epoch > y->epoch;
}

/* Printable ASCII as is, everything else (and backslash, space) as \xNN. */
static void
liid_text(const struct stream *s, char out[static LIID_MAX * 4 + 1])
{
	size_t o = 0;

	for (size_t i = 0; i < s->liid_len; i++) {
		uint8_t c = (uint8_t)s->liid[i];

		if (c > 0x20 && c < 0x7f && c != '\\')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, 5, "\\x%02x", c);
	}
	out[o] = '\0';
}

int
seqtrack_print(const struct seqtrack *st, FILE *f)
{
	struct stream **v = NULL;
	uint64_t count = 0, gaps = 0, dups = 0;
	int gapped = 0;

	if (st->n > 0) {
		if ((v = malloc(st->n * sizeof(*v))) == NULL)
			return -1;
		memcpy(v, st->all, st->n * sizeof(*v));
		qsort(v, st->n, sizeof(*v), stream_cmp);
	}
	fprintf(f, "%-25s %10s %-4s %10s %10s %10s %10s %10s\n",
	    "LIID", "CIN", "KIND", "COUNT", "FIRST", "LAST", "GAPS", "DUPS");
	for (size_t i = 0; i < st->n; i++) {
		char liid[LIID_MAX * 4 + 1], cin[12] = "-", kind[16];
		struct seqtrack_stat ss;

		stat_of(v[i], &ss);
		liid_text(v[i], liid);
		if (v[i]->has_cin)
			snprintf(cin, sizeof(cin), "%u", v[i]->cin);
		/* after a cINReset the kind carries the epoch: "CC/1" */
		snprintf(kind, sizeof(kind), "%s", v[i]->kind == SEQTRACK_IRI ? "IRI" : "CC");
		if (v[i]->epoch > 0)
			snprintf(kind, sizeof(kind), "%s/%u", v[i]->kind == SEQTRACK_IRI ?
			    "IRI" : "CC", v[i]->epoch);
		fprintf(f, "%-25s %10s %-4s %10llu %10u %10u %10llu %10llu\n",
		    liid, cin, kind,
		    (unsigned long long)ss.count, ss.first, ss.last,
		    (unsigned long long)ss.gaps, (unsigned long long)ss.dups);
		count += ss.count;
		gaps += ss.gaps;
		dups += ss.dups;
		gapped += ss.gaps > 0;
	}
	fprintf(f, "%-25s %10s %-4s %10llu %10s %10s %10llu %10llu\n",
	    "total", "-", "-", (unsigned long long)count, "-", "-",
	    (unsigned long long)gaps, (unsigned long long)dups);
	free(v);
	return gapped;
}
