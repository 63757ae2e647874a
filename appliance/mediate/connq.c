/* connq.c - the confirmation window, the memory queue and the spool of one connection. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mediate/connq.h"

#define REFILL_BATCH	(4u * 1024 * 1024)	/* read back at most this much at a time */

int
lt_connq_init(struct lt_connq *cq, size_t qbytes, size_t wcap, struct lt_spool *sp)
{
	memset(cq, 0, sizeof(*cq));
	if (lt_sendq_init(&cq->q, qbytes) < 0)
		return -1;
	cq->wcap = wcap;
	cq->win = malloc(wcap);
	cq->sp = sp;
	if (sp != NULL) {
		cq->stage_cap = LT_SPOOL_REC_MAX;
		cq->stage = malloc(cq->stage_cap);
		/* What a previous run left is older than anything queued now. */
		cq->spilling = lt_connq_spool_records(cq) > 0;
	}
	if (cq->win == NULL || (sp != NULL && cq->stage == NULL)) {
		lt_connq_free(cq);
		return -1;
	}
	return 0;
}

void
lt_connq_free(struct lt_connq *cq)
{
	lt_sendq_free(&cq->q);
	if (cq->win != NULL)
		sodium_memzero(cq->win, cq->wcap);
	if (cq->stage != NULL)
		sodium_memzero(cq->stage, cq->stage_cap);
	free(cq->win);
	free(cq->stage);
	cq->win = cq->stage = NULL;
	lt_spool_close(cq->sp);		/* syncs what was appended and acknowledged */
	cq->sp = NULL;
}

/* The spool's count for one stream, copied where the control thread can read it. */
static void
ow_note(void *arg, uint32_t sid, uint64_t n)
{
	struct lt_connq *cq = arg;
	uint32_t i;

	for (i = 0; i < cq->now; i++)
		if (cq->ow[i].sid == sid)
			break;
	if (i == LT_CONNQ_OW_MAX) {
		uint64_t listed = 0;

		for (uint32_t k = 0; k < cq->now; k++)
			listed += cq->ow[k].n;
		__atomic_store_n(&cq->ow_other, lt_connq_overwritten(cq) - listed,
		    __ATOMIC_RELAXED);
		return;
	}
	if (i == cq->now) {
		cq->ow[i].sid = sid;
		__atomic_store_n(&cq->now, i + 1, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&cq->ow[i].n, n, __ATOMIC_RELAXED);
}

uint8_t *
lt_connq_reserve(struct lt_connq *cq, size_t max)
{
	if (!cq->spilling) {
		uint8_t *p = lt_sendq_reserve(&cq->q, max);

		if (p != NULL || cq->sp == NULL)
			return p;
		cq->spilling = true;
	}
	return max <= cq->stage_cap ? cq->stage : NULL;
}

void
lt_connq_commit(struct lt_connq *cq, size_t n, uint32_t sid)
{
	if (!cq->spilling) {
		lt_sendq_commit(&cq->q, n);
		return;
	}
	if (lt_spool_append(cq->sp, sid, cq->stage, n) < 0) {
		cq->spool_errors++;
		snprintf(cq->spool_err, sizeof(cq->spool_err), "%s", lt_spool_errmsg(cq->sp));
		return;
	}
	cq->spooled++;
	if (lt_connq_overwritten(cq) != cq->ow_seen) {
		cq->ow_seen = lt_connq_overwritten(cq);
		lt_spool_overwritten(cq->sp, ow_note, cq);
	}
}

uint64_t
lt_connq_overwritten(const struct lt_connq *cq)
{
	struct lt_spool_stats st;

	if (cq->sp == NULL)
		return 0;
	lt_spool_stats(cq->sp, &st);
	return st.overwritten;
}

const uint8_t *
lt_connq_peek(struct lt_connq *cq, size_t *len, size_t *left)
{
	const uint8_t *p;
	uint64_t room;

	if (cq->wcur < cq->wend) {
		*len = (size_t)(cq->wend - cq->wcur);
		*left = cq->wrec_left;
		return cq->win + (cq->wcur - cq->wbase);
	}
	room = cq->wcap - (cq->wend - cq->wstart);
	if (room == 0 || (p = lt_sendq_peek(&cq->q, len)) == NULL)
		return NULL;
	*left = lt_sendq_record_left(&cq->q);
	if (*len > room)
		*len = (size_t)room;
	return p;
}

/* Keeps n written bytes at the window's end, until confirmed. */
static void
window_add(struct lt_connq *cq, const uint8_t *p, size_t n)
{
	if (cq->wend - cq->wbase + n > cq->wcap) {
		size_t keep = (size_t)(cq->wend - cq->wstart);

		memmove(cq->win, cq->win + (cq->wstart - cq->wbase), keep);
		cq->wbase = cq->wstart;
	}
	memcpy(cq->win + (cq->wend - cq->wbase), p, n);
	cq->wend += n;
	cq->wcur = cq->wend;
}

uint64_t
lt_connq_written(struct lt_connq *cq, size_t n)
{
	const uint8_t *p;
	uint64_t done, acks;
	size_t len;

	if (cq->wcur < cq->wend) {
		/* Resending: only where the records end matters. */
		while (n > 0) {
			size_t take;

			if (cq->wrec_left == 0)
				cq->wrec_left = lt_der_tlv_len(cq->win + (cq->wcur - cq->wbase),
				    (size_t)(cq->wend - cq->wcur));
			take = n < cq->wrec_left ? n : cq->wrec_left;
			if (take == 0)
				take = n;	/* cannot happen: whole records only */
			cq->wcur += take;
			cq->wrec_left -= take < cq->wrec_left ? take : cq->wrec_left;
			n -= take;
		}
		return 0;
	}
	p = lt_sendq_peek(&cq->q, &len);
	window_add(cq, p, n);
	done = lt_sendq_consume(&cq->q, n);
	acks = done < cq->from_spool ? done : cq->from_spool;
	for (uint64_t i = 0; i < acks; i++)
		lt_spool_ack(cq->sp);
	cq->from_spool -= acks;
	return done;
}

void
lt_connq_confirm(struct lt_connq *cq, uint64_t mark)
{
	if (mark > cq->wstart && mark <= cq->wend)
		cq->wstart = mark;
	if (cq->wcur < cq->wstart)
		cq->wcur = cq->wstart;
}

void
lt_connq_lost(struct lt_connq *cq)
{
	uint64_t off;

	/* The bytes of a record cut short leave the window: it goes again whole. */
	if (cq->wcur == cq->wend && cq->q.records > 0 && cq->q.sent != cq->q.tail)
		cq->wend -= cq->q.sent - cq->q.tail;
	lt_sendq_rewind(&cq->q);
	for (off = cq->wstart; off < cq->wend;) {
		size_t rl = lt_der_tlv_len(cq->win + (off - cq->wbase), (size_t)(cq->wend - off));

		if (rl == 0)
			break;
		off += rl;
		cq->resent++;
	}
	cq->wcur = cq->wstart;
	cq->wrec_left = 0;
}

int
lt_connq_refill(struct lt_connq *cq)
{
	size_t moved = 0;

	if (!cq->spilling || cq->q.records != 0)
		return 0;
	while (moved < REFILL_BATCH) {
		const uint8_t *rec;
		uint32_t sid;
		size_t len;
		uint8_t *p;
		int r;

		if ((r = lt_spool_next(cq->sp, &rec, &len, &sid)) < 0) {
			snprintf(cq->spool_err, sizeof(cq->spool_err), "%s",
			    lt_spool_errmsg(cq->sp));
			return -1;
		}
		if (r == 0) {
			cq->spilling = false;	/* all read back: new records queue behind */
			break;
		}
		if ((p = lt_sendq_reserve(&cq->q, len)) == NULL) {
			lt_spool_unread(cq->sp);	/* next time, when there is room */
			if (cq->q.records == 0) {
				snprintf(cq->spool_err, sizeof(cq->spool_err), "spool: a record "
				    "of %zu bytes does not fit in the memory queue", len);
				return -1;
			}
			break;
		}
		memcpy(p, rec, len);
		lt_sendq_commit(&cq->q, len);
		cq->from_spool++;
		cq->unspooled++;
		moved += len;
	}
	return 0;
}

uint64_t
lt_connq_spool_records(const struct lt_connq *cq)
{
	struct lt_spool_stats st;

	if (cq->sp == NULL)
		return 0;
	lt_spool_stats(cq->sp, &st);
	return st.records;
}

bool
lt_connq_idle(const struct lt_connq *cq)
{
	return cq->wcur >= cq->wend && cq->q.records == 0 && !cq->spilling;
}
