/* sendq.h - one connection's bounded queue of whole DER records, sent in order. */
#ifndef LT_SENDQ_H
#define LT_SENDQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A byte ring in which a record never wraps: records are DER TLVs, so their
 * boundaries are read from their own headers and the bytes stay contiguous
 * for large writes.  A record leaves the queue only once all of its bytes
 * were written; after a lost connection lt_sendq_rewind() makes the record
 * that was cut short go again from its first byte.
 */
struct lt_sendq {
	uint8_t *buf;
	size_t cap;
	size_t head;		/* where the next record is written */
	size_t tail;		/* first byte of the oldest record held */
	size_t sent;		/* next byte to hand to the socket */
	size_t wrap;		/* end of the data before head wrapped to 0 */
	bool wrapped;
	size_t used;		/* bytes held, including the dead end at wrap */
	uint64_t records;	/* records held */
	bool borrowed;		/* buf is the caller's */
};

int lt_sendq_init(struct lt_sendq *q, size_t cap);
/* The same over a buffer the caller owns (lt_sendq_free leaves it alone). */
void lt_sendq_init_at(struct lt_sendq *q, uint8_t *buf, size_t cap);
void lt_sendq_free(struct lt_sendq *q);

/* Contiguous room for a record of at most max bytes, or NULL if full. */
uint8_t *lt_sendq_reserve(struct lt_sendq *q, size_t max);
/* Queues the n-byte record written at the last reserve (n <= max). */
void lt_sendq_commit(struct lt_sendq *q, size_t n);

/* The next contiguous bytes to write; NULL when nothing is waiting. */
const uint8_t *lt_sendq_peek(const struct lt_sendq *q, size_t *len);
/* n bytes of the peeked run were written; returns the records completed. */
uint64_t lt_sendq_consume(struct lt_sendq *q, size_t n);
/* Bytes still to write of the record in flight; 0 at a record boundary. */
size_t lt_sendq_record_left(const struct lt_sendq *q);
/* The connection was lost: restart at the oldest record not wholly sent. */
void lt_sendq_rewind(struct lt_sendq *q);

static inline bool
lt_sendq_empty(const struct lt_sendq *q)
{
	return q->records == 0;
}

/* Length of the DER TLV at p (up to avail bytes), 0 if not a whole header. */
size_t lt_der_tlv_len(const uint8_t *p, size_t avail);

#endif
