/* match.h - is this address a target?  A bit filter in front of LPM tables of target prefixes. */
#ifndef LT_MATCH_H
#define LT_MATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "mgmt/config.h"

#define LT_FILTER_BITS	20		/* 2^20 bits: 128 KiB, stays in L2 */
#define LT_NO_SET	UINT32_MAX

struct rte_lpm;
struct rte_lpm6;

/*
 * Built once from the warrants (later: rebuilt by mgmt and swapped under RCU);
 * read-only for the workers.  Each target prefix maps to a "set": the warrants
 * whose targets cover that prefix, so that the longest match alone tells every
 * warrant a packet belongs to.
 */
struct lt_match {
	uint64_t *filter;		/* hash of the /24 (v4) or /48 (v6) */
	uint64_t *static_filter;	/* the bits the prefixes set (dynamic refs aside) */
	uint16_t *dyn_count;		/* per bit: dynamic addresses that need it */
	bool v4_all, v6_all;		/* a prefix too short for the filter */
	struct rte_lpm *lpm4;
	struct rte_lpm6 *lpm6;
	uint32_t nsets;
	uint32_t *set_off;		/* set i = set_warrant[set_off[i] .. set_off[i+1]) */
	uint32_t *set_warrant;
};

/* Only warrants with CC content take part; returns NULL with err filled. */
struct lt_match *lt_match_build(const struct lt_config *cfg, int socket,
    char *err, size_t errlen);
/* The same with warrant i known to the data path as slot_of[i] (live apply). */
struct lt_match *lt_match_build_slots(const struct lt_config *cfg, const uint32_t *slot_of,
    int socket, char *err, size_t errlen);
void lt_match_free(struct lt_match *m);
/*
 * A new table takes over the dynamic addresses (sessions, AAA servers) of
 * the one it replaces, before it is published.  -1 when out of memory.
 */
int lt_match_take_dyn(struct lt_match *to, struct lt_match *from);

static inline uint32_t
lt_filter_hash(uint64_t key)
{
	return (uint32_t)((key * 0x9E3779B97F4A7C15ULL) >> (64 - LT_FILTER_BITS));
}

static inline bool
lt_filter_test(const uint64_t *f, uint64_t key)
{
	uint32_t h = lt_filter_hash(key);

	return (f[h >> 6] >> (h & 63)) & 1;
}

/* Might the address be a target, static or dynamic?  (The filter alone.) */
static inline bool lt_match_maybe4(const struct lt_match *m, const uint8_t a[static 4]);
static inline bool lt_match_maybe6(const struct lt_match *m, const uint8_t a[static 16]);

/*
 * A dynamic address (a session's, or an AAA server's) takes (delta 1) or
 * releases (-1) its filter bit.  Only one lcore may call it; workers see the
 * bit change atomically.  A v6 prefix must be at least /48.  0, or -1 when out
 * of memory or a count would overflow.
 */
int lt_match_dyn_ref(struct lt_match *m, uint8_t family, const uint8_t *a, int delta);

/* The set for an IPv4 / IPv6 address (network byte order), or LT_NO_SET. */
uint32_t lt_match_v4(const struct lt_match *m, const uint8_t a[static 4]);
uint32_t lt_match_v6(const struct lt_match *m, const uint8_t a[static 16]);
/* The same without the filter, for an address that has passed it. */
uint32_t lt_match_lpm4(const struct lt_match *m, const uint8_t a[static 4]);
uint32_t lt_match_lpm6(const struct lt_match *m, const uint8_t a[static 16]);

static inline uint64_t
lt_match_key4(const uint8_t *a)
{
	return (uint64_t)a[0] << 16 | (uint64_t)a[1] << 8 | a[2];
}

static inline uint64_t
lt_match_key6(const uint8_t *a)
{
	uint64_t k = 0;

	for (int i = 0; i < 6; i++)
		k = k << 8 | a[i];
	return k | 1ULL << 63;		/* keep v6 keys apart from v4 keys */
}

static inline bool
lt_match_maybe4(const struct lt_match *m, const uint8_t a[static 4])
{
	return m->v4_all || lt_filter_test(m->filter, lt_match_key4(a));
}

static inline bool
lt_match_maybe6(const struct lt_match *m, const uint8_t a[static 16])
{
	return m->v6_all || lt_filter_test(m->filter, lt_match_key6(a));
}

#endif
