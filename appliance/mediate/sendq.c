/* sendq.c - bounded record queue over a byte ring. */
#include <stdlib.h>
#include <string.h>

#include "mediate/sendq.h"

int
lt_sendq_init(struct lt_sendq *q, size_t cap)
{
	memset(q, 0, sizeof(*q));
	q->buf = malloc(cap);
	if (q->buf == NULL)
		return -1;
	q->cap = cap;
	return 0;
}

void
lt_sendq_init_at(struct lt_sendq *q, uint8_t *buf, size_t cap)
{
	memset(q, 0, sizeof(*q));
	q->buf = buf;
	q->cap = cap;
	q->borrowed = true;
}

void
lt_sendq_free(struct lt_sendq *q)
{
	if (!q->borrowed)
		free(q->buf);
	memset(q, 0, sizeof(*q));
}

size_t
lt_der_tlv_len(const uint8_t *p, size_t avail)
{
	size_t n, len = 0;

	if (avail < 2)
		return 0;
	if (p[1] < 0x80)
		return 2 + (size_t)p[1];
	n = p[1] & 0x7f;
	if (n == 0 || n > 4 || avail < 2 + n)
		return 0;
	for (size_t i = 0; i < n; i++)
		len = len << 8 | p[2 + i];
	return 2 + n + len;
}

uint8_t *
lt_sendq_reserve(struct lt_sendq *q, size_t max)
{
	if (!q->wrapped) {
		if (q->cap - q->head >= max)
			return q->buf + q->head;
		/* Wrap only if the front has room and the tail is not at 0. */
		if (q->tail >= max && q->tail > 0) {
			q->wrap = q->head;
			q->used += q->cap - q->head;	/* dead end counts as used */
			q->head = 0;
			q->wrapped = true;
			return q->buf;
		}
		return NULL;
	}
	if (q->tail - q->head >= max)
		return q->buf + q->head;
	return NULL;
}

void
lt_sendq_commit(struct lt_sendq *q, size_t n)
{
	q->head += n;
	q->used += n;
	q->records++;
}

const uint8_t *
lt_sendq_peek(const struct lt_sendq *q, size_t *len)
{
	size_t end;

	if (q->records == 0) {
		*len = 0;
		return NULL;
	}
	end = q->wrapped ? q->wrap : q->head;
	*len = end - q->sent;
	return *len ? q->buf + q->sent : NULL;
}

static void
reset_if_empty(struct lt_sendq *q)
{
	if (q->records == 0) {
		q->head = q->tail = q->sent = q->wrap = 0;
		q->wrapped = false;
		q->used = 0;
	}
}

uint64_t
lt_sendq_consume(struct lt_sendq *q, size_t n)
{
	uint64_t done = 0;

	q->sent += n;
	for (;;) {
		size_t end = q->wrapped ? q->wrap : q->head;
		size_t rl;

		if (q->wrapped && q->tail == q->wrap) {
			q->used -= q->cap - q->wrap;
			q->tail = 0;
			if (q->sent == q->wrap)
				q->sent = 0;
			q->wrapped = false;
			continue;
		}
		if (q->tail >= end || q->sent <= q->tail)
			break;
		rl = lt_der_tlv_len(q->buf + q->tail, end - q->tail);
		if (rl == 0 || q->tail + rl > q->sent)
			break;
		q->tail += rl;
		q->used -= rl;
		q->records--;
		done++;
	}
	reset_if_empty(q);
	return done;
}

size_t
lt_sendq_record_left(const struct lt_sendq *q)
{
	size_t end = q->wrapped ? q->wrap : q->head;

	if (q->records == 0 || q->sent == q->tail)
		return 0;
	return q->tail + lt_der_tlv_len(q->buf + q->tail, end - q->tail) - q->sent;
}

void
lt_sendq_rewind(struct lt_sendq *q)
{
	q->sent = q->tail;
}
