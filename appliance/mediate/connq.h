/* connq.h - what one handover connection sends, in order: resends, the memory queue, the spool behind it. */
#ifndef LT_CONNQ_H
#define LT_CONNQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mediate/sendq.h"
#include "mediate/spool.h"

/*
 * Records are whole DER PS-PDUs.  Three places hold them, oldest first:
 *
 *  - the window: records written to the socket that the agency has not yet
 *    confirmed.  A keep-alive's response confirms every byte written before
 *    the keep-alive (the agency reads its connection in order).  After a
 *    lost connection the window is sent again first: these are the only
 *    records that can arrive twice (counted in resent).
 *  - the memory queue (lt_sendq), bounded.
 *  - the spool on disk, optional.  When the memory queue is full, records
 *    go to the spool, and keep going there while it holds records not yet
 *    read back, so that order is kept; the spool is read back into the
 *    empty memory queue, and a record read back is acknowledged in the
 *    spool when it has been written to the socket.
 *
 * Owned and used by one lcore; no locks.
 */
#define LT_CONNQ_OW_MAX	64

/*
 * With a map file (on tmpfs), the memory queue and the window live in it, and
 * where they stand is published after every change: a run killed with
 * SIGKILL leaves every record it had numbered there, and the next run sends
 * them first.  Two snapshots, the newer one named by gen, so that a kill in
 * the middle of publishing leaves the older one whole.
 */
struct lt_connq_snap {
	uint64_t head, tail, wrap, used, records;
	uint64_t wstart, wend;
	uint64_t from_spool;
	uint64_t spool_seg, spool_off;	/* the spool's first record not yet written */
	uint64_t wrapped;
};

struct lt_connq_shm {
	char magic[8];
	uint64_t qcap, wcap;
	uint64_t gen;
	struct lt_connq_snap s[2];
};

#define LT_CONNQ_SHM_HDR	4096	/* the header's page; then the queue, then the window */

struct lt_connq {
	struct lt_sendq q;

	/* the window: a ring, at virtual offsets into the byte stream written */
	uint8_t *win;
	size_t wcap;
	uint64_t wstart;		/* oldest byte not confirmed */
	uint64_t wcur;			/* next byte to write again after a loss */
	uint64_t wend;			/* end of what was written */
	size_t wrec_left;		/* bytes left of the record being resent */

	struct lt_spool *sp;		/* NULL: memory only */
	bool spilling;			/* new records go to the spool */
	uint64_t from_spool;		/* records at the queue's front read from the spool */
	uint8_t *stage;			/* a record on its way to the spool */
	size_t stage_cap;

	struct lt_connq_shm *shm;	/* the map file, or NULL: memory of our own */
	size_t maplen;
	char mappath[256];
	uint64_t recovered;		/* records a killed run left in the map file */
	char recover_msg[160];		/* why they could not be taken over, if so */

	uint64_t resent;		/* records written again after a loss */
	uint64_t spooled;		/* records that went to the spool */
	uint64_t unspooled;		/* records read back from the spool */
	uint64_t spool_errors;		/* records the spool refused: lost, counted */
	char spool_err[256];		/* the last refusal, for the log */

	/*
	 * Records the quota overwrote, per stream (LIID, CIN) as the spool names
	 * it: written by the owner, read by the control thread (no reallocation;
	 * streams past LT_CONNQ_OW_MAX are summed in ow_other).
	 */
	struct lt_connq_ow { uint32_t sid; uint64_t n; } ow[LT_CONNQ_OW_MAX];
	uint32_t now;
	uint64_t ow_other, ow_seen;
};

/*
 * wcap: the most bytes awaiting confirmation; sp may be NULL; mapfile NULL
 * for memory of our own.  A map file left by a killed run is taken over
 * (cq->recovered records), or, if it does not check out, started afresh
 * (cq->recover_msg says why).  -1 with a message in err.
 */
int lt_connq_init(struct lt_connq *cq, size_t qbytes, size_t wcap, struct lt_spool *sp,
    const char *mapfile, char *err, size_t errlen);
/* A map file left with nothing in it is removed. */
void lt_connq_free(struct lt_connq *cq);

/* Room for a record of at most max bytes, or NULL if there is none anywhere. */
uint8_t *lt_connq_reserve(struct lt_connq *cq, size_t max);
/* Queues the n-byte record written at the last reserve; sid names its stream for the spool. */
void lt_connq_commit(struct lt_connq *cq, size_t n, uint32_t sid);

/*
 * The next bytes to write and, in *left, what remains of the record they
 * start in (0 at a record boundary).  NULL when nothing can be written now.
 */
const uint8_t *lt_connq_peek(struct lt_connq *cq, size_t *len, size_t *left);
/* n of the peeked bytes were written; returns the records newly written whole. */
uint64_t lt_connq_written(struct lt_connq *cq, size_t n);

/* The offset a keep-alive queued now confirms up to, once answered. */
static inline uint64_t
lt_connq_mark(const struct lt_connq *cq)
{
	return cq->wcur < cq->wend ? cq->wcur : cq->wend;
}

void lt_connq_confirm(struct lt_connq *cq, uint64_t mark);

/* Bytes written and not yet confirmed. */
static inline uint64_t
lt_connq_unconfirmed(const struct lt_connq *cq)
{
	return cq->wend - cq->wstart;
}

/* The connection was lost: the window goes again, then the record cut short. */
void lt_connq_lost(struct lt_connq *cq);

/* Moves spooled records into the memory queue when it is empty; call when idle. */
int lt_connq_refill(struct lt_connq *cq);

/* Nothing waits to be written, here or on disk. */
bool lt_connq_idle(const struct lt_connq *cq);

/* Records the spool's quota overwrote since the start. */
uint64_t lt_connq_overwritten(const struct lt_connq *cq);

/* Records waiting in the spool (not yet read back). */
uint64_t lt_connq_spool_records(const struct lt_connq *cq);

#endif
