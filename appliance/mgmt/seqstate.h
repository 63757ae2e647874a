/* seqstate.h - sequence numbers and CIN counters kept across restarts, sealed in the state directory. */
#ifndef LT_SEQSTATE_H
#define LT_SEQSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mgmt/config.h"

#define LT_SEQSTATE_FILE	"seq.bin"
#define LT_SEQSTATE_MAX		65536		/* warrants kept */

/* One warrant, known by (LIID, its own CIN). */
struct lt_seq_entry {
	char liid[LT_LIID_MAX + 1];
	uint8_t liid_len;
	uint8_t iri_state;		/* LT_IRI_NONE, _BEGUN, _ENDED */
	uint32_t cin;
	uint32_t cc_seq, iri_seq;	/* the next sequence numbers of that CIN */
	uint32_t next_cin;		/* the next CIN for a session of it; 0: none yet */
};

/*
 * clean: written at the end of a run that stopped in order, so the numbers
 * are exact.  A file left by a run that did not (clean false) holds what was
 * last saved: the next run cannot continue those sequences and sends
 * cINReset instead.  Entries live in sodium_malloc'd memory (they name
 * LIIDs).
 */
struct lt_seqstate {
	bool clean;
	uint32_t n;
	struct lt_seq_entry *e;
};

/* The file's key, derived from the store's data key (machine key in dir). */
int lt_seqstate_key(const char *dir, uint8_t key[static 32], char *err, size_t errlen);

/*
 * Reads dir/seq.bin.  No file: 0 with n = 0 and clean true (a first run).
 * A file that does not open under key, or is malformed: -1 with a message.
 */
int lt_seqstate_load(const char *dir, const uint8_t key[static 32], struct lt_seqstate *ss,
    char *err, size_t errlen);

/* Replaces dir/seq.bin atomically (tmp, fsync, rename, fsync dir). */
int lt_seqstate_save(const char *dir, const uint8_t key[static 32],
    const struct lt_seqstate *ss, char *err, size_t errlen);

/* Room for n entries (n reset to 0); -1 when out of memory. */
int lt_seqstate_alloc(struct lt_seqstate *ss, uint32_t cap);

const struct lt_seq_entry *lt_seqstate_find(const struct lt_seqstate *ss, const char *liid,
    size_t liid_len, uint32_t cin);

void lt_seqstate_free(struct lt_seqstate *ss);

#endif
