/* seqtrack.h - per (LIID, CIN, IRI|CC) sequence-number accounting: count, range, gaps, duplicates. */
#ifndef LT_LEMF_SEQTRACK_H
#define LT_LEMF_SEQTRACK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum seqtrack_kind { SEQTRACK_IRI, SEQTRACK_CC };

struct seqtrack;

/* What one (LIID, CIN, kind) stream looks like so far. */
struct seqtrack_stat {
	uint64_t count;		/* PDUs seen, duplicates included */
	uint32_t first, last;	/* lowest and highest sequence number seen */
	uint64_t gaps;		/* numbers missing in 0..last */
	uint64_t dups;		/* PDUs whose number had been seen before */
};

struct seqtrack *seqtrack_new(void);
void seqtrack_free(struct seqtrack *st);

/*
 * Records one PDU.  0 when new, 1 when its number had been seen before on
 * that stream, -1 when out of memory.  Memory grows with the number of gaps,
 * not with the number of PDUs.
 */
int seqtrack_add(struct seqtrack *st, const char *liid, size_t liid_len,
    int has_cin, uint32_t cin, enum seqtrack_kind kind, uint32_t seq);

/*
 * A cINReset for (LIID, CIN): for each kind, the next PDU numbered 0 starts
 * a new epoch of numbers (printed as "CC/1", ...) instead of counting as a
 * duplicate.  A cINReset on one connection may come after the other
 * connection's new numbers began; then it changes nothing.
 */
void seqtrack_reset(struct seqtrack *st, const char *liid, size_t liid_len, int has_cin,
    uint32_t cin);

/* 0 and *out filled, or -1 if the stream has never been seen. */
int seqtrack_get(const struct seqtrack *st, const char *liid, size_t liid_len,
    int has_cin, uint32_t cin, enum seqtrack_kind kind,
    struct seqtrack_stat *out);

/* Number of streams, and of streams with at least one gap. */
size_t seqtrack_streams(const struct seqtrack *st);
size_t seqtrack_gapped(const struct seqtrack *st);

/*
 * Writes the summary table (doc/lemf-jsonl.md), streams sorted by LIID, CIN,
 * kind.  Returns the number of streams with a gap, or -1 if out of memory.
 */
int seqtrack_print(const struct seqtrack *st, FILE *f);

#endif
