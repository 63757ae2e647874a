/* spool.h - the on-disk spool of one (agency, HI) stream: records wait here, in order, until acknowledged. */
#ifndef LT_SPOOL_H
#define LT_SPOOL_H

#include <stddef.h>
#include <stdint.h>

/*
 * On disk, in a directory of its own (0700): segment files seg-%016llx,
 * append-only, each record framed as
 *	u32 length (LE) | u32 stream id (LE) | nonce (24) | payload | tag (16)
 * with the payload encrypted by XChaCha20-Poly1305 under the caller's key
 * (the two u32 authenticated with it), and a file "ack" (replaced with
 * lt_atomic_write) naming the segment and offset of the first
 * unacknowledged record.  The stream id is the caller's opaque handle for a
 * (LIID, CIN); nothing on disk names a target in plaintext.
 *
 * Reading: lt_spool_next() reads records in order ahead of the
 * acknowledgements, lt_spool_ack() acknowledges the oldest record read;
 * lt_spool_rewind() goes back to the oldest unacknowledged.  Appends are
 * buffered in memory and written in runs of 256 KiB, and at every sync.
 *
 * Durability: lt_spool_sync() makes what was appended durable and then the
 * acknowledgements made so far.  After a crash, every record appended before
 * a successful sync is there once, in order; a record acknowledged after the
 * last successful sync may come back (a resend-window duplicate).
 *
 * Every function that can fail returns a negative value and leaves a message
 * for the operator in lt_spool_errmsg().
 */

#define LT_SPOOL_REC_MAX	(1u << 20)	/* largest record accepted */
#define LT_SPOOL_OVERHEAD	48		/* bytes of framing per record */
#define LT_SPOOL_KEY_LEN	32
#define LT_SPOOL_QUOTA_MIN	(64u * 1024)	/* smallest quota accepted */

struct lt_spool;

struct lt_spool_stats {
	uint64_t records;	/* unacknowledged records on disk */
	uint64_t bytes;		/* bytes of segment files, the quota's measure */
	uint64_t overwritten;	/* records dropped for the quota since open */
	uint64_t damaged;	/* torn or corrupt tails cut off at open */
	uint64_t damaged_bytes;	/* bytes in those tails */
	uint64_t segments;	/* segment files */
};

/*
 * Opens (creating dir 0700 if needed) and checks the spool: segments wholly
 * acknowledged are deleted, every other record is validated and a torn or
 * corrupt tail is cut off (counted in damaged).  quota_bytes bounds the
 * segment files together.  0, or -1 with a message in err.
 */
int lt_spool_open(const char *dir, uint64_t quota_bytes, const uint8_t *key,
    struct lt_spool **spp, char *err, size_t errlen);

/*
 * Appends one record (1..LT_SPOOL_REC_MAX bytes, and at most an eighth of the
 * quota).  When the quota is full the oldest segment is dropped and its
 * unacknowledged records are counted as overwritten for their stream ids.
 */
int lt_spool_append(struct lt_spool *sp, uint32_t stream_id, const void *rec,
    size_t len);

/*
 * The next record not yet read: 1 with *rec (valid until the next call on
 * sp), *len and *stream_id set; 0 when every record was read.
 */
int lt_spool_next(struct lt_spool *sp, const uint8_t **rec, size_t *len,
    uint32_t *stream_id);

/* The record last read by lt_spool_next() is read again next time. */
void lt_spool_unread(struct lt_spool *sp);

/* Reading starts again at the oldest unacknowledged record. */
void lt_spool_rewind(struct lt_spool *sp);

/* lt_spool_rewind() then lt_spool_next(): the oldest unacknowledged record. */
int lt_spool_peek(struct lt_spool *sp, const uint8_t **rec, size_t *len,
    uint32_t *stream_id);

/*
 * The oldest record read was fully written to the connection: it leaves the
 * spool (durably at the next lt_spool_sync).  -1 when nothing was read; 0
 * as well when the quota overwrote it in the meantime.
 */
int lt_spool_ack(struct lt_spool *sp);

/*
 * Every append is written at once (a write(2) each) instead of in runs:
 * what was appended then outlives a SIGKILL of the process, not only
 * records made durable by lt_spool_sync().
 */
void lt_spool_write_through(struct lt_spool *sp);

/* Where the first unacknowledged record is: (segment id, offset). */
void lt_spool_position(const struct lt_spool *sp, uint64_t *seg, uint64_t *off);

/*
 * Acknowledges every record before (seg, off) that is not yet: after a
 * crash, the caller's own record of what it had sent can be ahead of the
 * last synced acknowledgement.  Reading starts again at the oldest left.  0,
 * or -1 (nothing changed) if (seg, off) is not a record boundary held here.
 */
int lt_spool_ack_to(struct lt_spool *sp, uint64_t seg, uint64_t off);

/* fsync what was appended, then record the acknowledgements. */
int lt_spool_sync(struct lt_spool *sp);

void lt_spool_stats(const struct lt_spool *sp, struct lt_spool_stats *st);

/* Calls cb once per stream id with records overwritten since open. */
void lt_spool_overwritten(const struct lt_spool *sp,
    void (*cb)(void *arg, uint32_t stream_id, uint64_t count), void *arg);

const char *lt_spool_errmsg(const struct lt_spool *sp);

/* Syncs (best effort) and frees; NULL is fine. */
void lt_spool_close(struct lt_spool *sp);

#endif
