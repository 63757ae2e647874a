/* verify.h - check an evidence store on disk: every file, the chain, every signature. */
#ifndef LT_EV_VERIFY_H
#define LT_EV_VERIFY_H

#include <stdint.h>

#include "evidence/chain.h"

/* What ev_verify returns (the exit status of `lawtap evidence verify`). */
#define EV_VERIFY_OK		0
#define EV_VERIFY_TAMPERED	1	/* at least one problem that is not a crash's */
#define EV_VERIFY_CRASHED	3	/* only what a writer killed mid-way leaves */

struct ev_verify_sum {
	uint64_t files, bytes, packets;		/* as listed and signed */
	uint64_t first_seq, last_seq;
	uint64_t first_sec, last_sec;		/* packet times */
	uint32_t first_usec, last_usec;
	uint8_t last_hash[EV_HASH_LEN];		/* note it elsewhere: it pins the tail */
	unsigned problems, crash_problems;
};

/*
 * Re-reads every file in dir and the manifest, walks the chain and checks
 * each signature with pk.  Each problem goes to cb->problem (cb->entry is
 * not used) with its own message.  Returns EV_VERIFY_*, or -1 with a
 * message in err when dir or its manifest cannot be read at all.
 */
int ev_verify(const char *dir, const uint8_t pk[static EV_PK_LEN],
    const struct ev_chain_cb *cb, struct ev_verify_sum *sum, char *err,
    size_t errlen);

#endif
