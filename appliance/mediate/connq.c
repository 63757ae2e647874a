/* connq.c - the confirmation window, the memory queue and the spool of one connection. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "mediate/connq.h"

#define REFILL_BATCH	(4u * 1024 * 1024)	/* read back at most this much at a time */
#define SHM_MAGIC	"LTCONNQ1"

static size_t
wpos(const struct lt_connq *cq, uint64_t v)
{
	return (size_t)(v % cq->wcap);
}

/* Length of the record at virtual offset v of the window (its header may wrap). */
static size_t
win_tlv_len(const struct lt_connq *cq, uint64_t v, uint64_t end)
{
	uint8_t h[6];
	size_t n = end - v < sizeof(h) ? (size_t)(end - v) : sizeof(h);

	for (size_t i = 0; i < n; i++)
		h[i] = cq->win[wpos(cq, v + i)];
	return lt_der_tlv_len(h, n);
}

/* Where the queue and the window stand, for the next run if this one is killed. */
static void
publish(struct lt_connq *cq)
{
	struct lt_connq_snap *s;

	if (cq->shm == NULL)
		return;
	s = &cq->shm->s[(cq->shm->gen + 1) & 1];
	s->head = cq->q.head;
	s->tail = cq->q.tail;
	s->wrap = cq->q.wrap;
	s->wrapped = cq->q.wrapped;
	s->used = cq->q.used;
	s->records = cq->q.records;
	s->wstart = cq->wstart;
	s->wend = cq->wend;
	s->from_spool = cq->from_spool;
	if (cq->sp != NULL)
		lt_spool_position(cq->sp, &s->spool_seg, &s->spool_off);
	__atomic_store_n(&cq->shm->gen, cq->shm->gen + 1, __ATOMIC_RELEASE);
}

/* Records from a to b in the queue's buffer, or -1 if they do not end exactly at b. */
static int64_t
walk(const uint8_t *buf, uint64_t a, uint64_t b)
{
	int64_t n = 0;

	while (a < b) {
		size_t rl = lt_der_tlv_len(buf + a, (size_t)(b - a));

		if (rl == 0 || rl > b - a)
			return -1;
		a += rl;
		n++;
	}
	return n;
}

/* Takes over what a killed run published; 0, or -1 with the reason in recover_msg. */
static int
recover(struct lt_connq *cq)
{
	const struct lt_connq_snap *s = &cq->shm->s[cq->shm->gen & 1];
	struct lt_sendq *q = &cq->q;
	int64_t n1, n2 = 0, nw = 0;
	uint64_t v, wend = s->wend;

	if (s->tail > q->cap || s->head > q->cap || s->wrap > q->cap ||
	    (s->wrapped && (s->head > s->tail || s->tail > s->wrap)) ||
	    (!s->wrapped && s->tail > s->head) || s->wend < s->wstart ||
	    s->wend - s->wstart > cq->wcap) {
		snprintf(cq->recover_msg, sizeof(cq->recover_msg), "its positions are impossible");
		return -1;
	}
	if ((n1 = walk(q->buf, s->tail, s->wrapped ? s->wrap : s->head)) < 0 ||
	    (s->wrapped && (n2 = walk(q->buf, 0, s->head)) < 0) ||
	    (uint64_t)(n1 + n2) != s->records) {
		snprintf(cq->recover_msg, sizeof(cq->recover_msg), "its queue is not whole records");
		return -1;
	}
	for (v = s->wstart; v < s->wend; nw++) {
		size_t rl = win_tlv_len(cq, v, s->wend);

		if (rl == 0)
			break;
		if (rl > s->wend - v) {
			/* the record being written: the queue still holds it whole */
			if (s->records == 0 || lt_der_tlv_len(q->buf + s->tail,
			    (size_t)((s->wrapped ? s->wrap : s->head) - s->tail)) != rl)
				break;
			wend = v;
			break;
		}
		v += rl;
	}
	if (v != wend) {
		snprintf(cq->recover_msg, sizeof(cq->recover_msg), "its window is not whole records");
		return -1;
	}
	q->head = s->head;
	q->tail = q->sent = s->tail;
	q->wrap = s->wrap;
	q->wrapped = s->wrapped != 0;
	q->records = s->records;
	q->used = s->wrapped ? (q->cap - s->tail) + s->head : s->head - s->tail;
	if (q->records == 0)
		q->head = q->tail = q->sent = q->wrap = q->used = 0, q->wrapped = false;
	cq->wstart = cq->wcur = s->wstart;
	cq->wend = wend;
	cq->from_spool = s->from_spool;
	cq->recovered = s->records + (uint64_t)nw;
	cq->resent = (uint64_t)nw;	/* written before the kill, not confirmed: they go again */
	/* the spool: what had been written from it is gone; what the queue holds is read */
	if (cq->sp != NULL) {
		const uint8_t *rec;
		uint32_t sid;
		size_t len;

		if (lt_spool_ack_to(cq->sp, s->spool_seg, s->spool_off) < 0)
			snprintf(cq->recover_msg, sizeof(cq->recover_msg), "the spool's position "
			    "did not match: records may come twice");
		for (uint64_t k = 0; k < cq->from_spool; k++)
			if (lt_spool_next(cq->sp, &rec, &len, &sid) != 1) {
				cq->from_spool = k;
				break;
			}
	} else {
		cq->from_spool = 0;
	}
	return 0;
}

static int
map_file(struct lt_connq *cq, const char *path, size_t qbytes, char *err, size_t errlen)
{
	size_t len = LT_CONNQ_SHM_HDR + qbytes + cq->wcap;
	struct stat sb;
	uint8_t *m;
	int fd, fresh;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0 ||
	    fstat(fd, &sb) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fresh = (size_t)sb.st_size != len;
	if (fresh && (ftruncate(fd, 0) < 0 || ftruncate(fd, (off_t)len) < 0)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED) {
		snprintf(err, errlen, "%s: cannot map it: %s", path, strerror(errno));
		return -1;
	}
	cq->shm = (struct lt_connq_shm *)m;
	cq->maplen = len;
	snprintf(cq->mappath, sizeof(cq->mappath), "%s", path);
	lt_sendq_init_at(&cq->q, m + LT_CONNQ_SHM_HDR, qbytes);
	cq->win = m + LT_CONNQ_SHM_HDR + qbytes;
	if (!fresh && memcmp(cq->shm->magic, SHM_MAGIC, 8) == 0 &&
	    cq->shm->qcap == qbytes && cq->shm->wcap == cq->wcap) {
		if (recover(cq) == 0)
			return 0;
	} else if (!fresh) {
		snprintf(cq->recover_msg, sizeof(cq->recover_msg), "it is from another setup");
	}
	memset(cq->shm, 0, sizeof(*cq->shm));
	memcpy(cq->shm->magic, SHM_MAGIC, 8);
	cq->shm->qcap = qbytes;
	cq->shm->wcap = cq->wcap;
	return 0;
}

int
lt_connq_init(struct lt_connq *cq, size_t qbytes, size_t wcap, struct lt_spool *sp,
    const char *mapfile, char *err, size_t errlen)
{
	memset(cq, 0, sizeof(*cq));
	cq->wcap = wcap;
	cq->sp = sp;
	if (mapfile != NULL) {
		if (map_file(cq, mapfile, qbytes, err, errlen) < 0)
			return -1;
		/* the queue outlives a kill: so must a record that went to the spool */
		if (sp != NULL)
			lt_spool_write_through(sp);
	} else if (lt_sendq_init(&cq->q, qbytes) < 0 || (cq->win = malloc(wcap)) == NULL) {
		snprintf(err, errlen, "out of memory for a queue of %zu bytes", qbytes);
		lt_connq_free(cq);
		return -1;
	}
	if (sp != NULL) {
		cq->stage_cap = LT_SPOOL_REC_MAX;
		if ((cq->stage = malloc(cq->stage_cap)) == NULL) {
			snprintf(err, errlen, "out of memory for the spool's staging buffer");
			lt_connq_free(cq);
			return -1;
		}
		/* What a previous run left there comes after what the queue holds. */
		cq->spilling = lt_connq_spool_records(cq) > cq->from_spool;
	}
	publish(cq);
	return 0;
}

void
lt_connq_free(struct lt_connq *cq)
{
	if (cq->shm != NULL) {
		/* nothing waits and nothing is unconfirmed: the next run needs no file */
		if (cq->q.records == 0 && cq->wstart == cq->wend)
			unlink(cq->mappath);
		munmap(cq->shm, cq->maplen);
		cq->shm = NULL;
		cq->win = NULL;
		cq->q.buf = NULL;
	}
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
		publish(cq);
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
		size_t p0 = wpos(cq, cq->wcur), run = cq->wcap - p0;

		*len = (size_t)(cq->wend - cq->wcur);
		if (*len > run)
			*len = run;
		*left = cq->wrec_left;
		return cq->win + p0;
	}
	/* Even with nothing to write now, a record may be half written: say so. */
	*left = lt_sendq_record_left(&cq->q);
	if ((p = lt_sendq_peek(&cq->q, len)) == NULL)
		return NULL;
	room = cq->wcap - (cq->wend - cq->wstart);
	if (*len > room) {
		/*
		 * A record is begun only when the window has room for all of it, so
		 * the one in flight always fits: cut at the last whole record.
		 */
		size_t off = *left;

		while (off < room) {
			size_t rl = lt_der_tlv_len(p + off, *len - off);

			if (rl == 0 || off + rl > room)
				break;
			off += rl;
		}
		if (off == 0)
			return NULL;
		*len = off;
	}
	return p;
}

/* Keeps n written bytes at the window's end, until confirmed. */
static void
window_add(struct lt_connq *cq, const uint8_t *p, size_t n)
{
	size_t p0 = wpos(cq, cq->wend), run = cq->wcap - p0;

	if (n <= run) {
		memcpy(cq->win + p0, p, n);
	} else {
		memcpy(cq->win + p0, p, run);
		memcpy(cq->win, p + run, n - run);
	}
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
				cq->wrec_left = win_tlv_len(cq, cq->wcur, cq->wend);
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
	publish(cq);
	return done;
}

void
lt_connq_confirm(struct lt_connq *cq, uint64_t mark)
{
	if (mark > cq->wstart && mark <= cq->wend)
		cq->wstart = mark;
	if (cq->wcur < cq->wstart)
		cq->wcur = cq->wstart;
	publish(cq);
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
		size_t rl = win_tlv_len(cq, off, cq->wend);

		if (rl == 0)
			break;
		off += rl;
		cq->resent++;
	}
	cq->wcur = cq->wstart;
	cq->wrec_left = 0;
	publish(cq);
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
	publish(cq);
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
