/* chain.h - walk a manifest in memory: syntax, hash chain and signatures, each problem named. */
#ifndef LT_EV_CHAIN_H
#define LT_EV_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "evidence/manifest.h"

/* What verification can find; ev_problem_crash() tells a crash from tampering. */
enum ev_problem {
	EV_P_HEADER,		/* first line is not a store header */
	EV_P_SYNTAX,		/* a malformed manifest line */
	EV_P_EDITED,		/* an F line's fields do not give its hash */
	EV_P_CHAIN,		/* prev is not the previous F line's hash */
	EV_P_SEQ,		/* sequence not increasing */
	EV_P_SIG_BAD,		/* signature does not verify, or is for another hash */
	EV_P_SIG_MISSING,	/* an F line with no S line after it */
	EV_P_SIG_STRAY,		/* an S line with no F line before it */
	EV_P_TRUNCATED,		/* crash: manifest ends inside an entry */
	EV_P_CHANGED,		/* a file's size or SHA-256 differs */
	EV_P_MISSING,		/* a listed file is not there */
	EV_P_EXTRA,		/* a file not listed */
	EV_P_MOVED,		/* a file holds another entry's content */
	EV_P_DUPNAME,		/* one name listed twice */
	EV_P_UNFINISHED,	/* crash: a temp file never listed */
	EV_P_PENDING,		/* crash: listed, but still under its temp name */
	EV_P_IO,		/* a file could not be read */
};
#define EV_NPROBLEM	17

const char *ev_problem_name(enum ev_problem p);
/* 1 for what a writer killed mid-way leaves (not tampering), else 0. */
int ev_problem_crash(enum ev_problem p);

struct ev_chain_cb {
	/* each listed and signed-or-not entry, in manifest order */
	int (*entry)(void *arg, const struct ev_entry *e, unsigned line);
	/* msg names the line and says what is wrong; never a file's content */
	void (*problem)(void *arg, enum ev_problem p, const char *msg);
	void *arg;
};

struct ev_chain {
	uint8_t store_id[EV_ID_LEN];
	int have_header;
	uint64_t entries, last_seq;
	uint8_t last_hash[EV_HASH_LEN];	/* what the next prev must be */
	size_t good_len;	/* bytes up to the last whole F+S pair */
	unsigned problems, crash_problems;
};

/*
 * Walks buf (a whole manifest).  Entries at the end that a crash left
 * without their signature, or a last line without '\n', are reported as
 * EV_P_TRUNCATED and not passed to cb->entry.  An entry callback that
 * returns < 0 stops the walk with that value.  Returns 0 when the walk
 * finished (look at out->problems).
 */
int ev_chain_walk(const char *buf, size_t len, const uint8_t pk[static EV_PK_LEN],
    const struct ev_chain_cb *cb, struct ev_chain *out);

#endif
