/* spool.c - append-only encrypted segment files, an atomically replaced ack position, a check at open. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "mediate/spool.h"
#include "util/atomic.h"
#include "util/io.h"

#define HDR_LEN		8
#define NONCE_LEN	crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_LEN		crypto_aead_xchacha20poly1305_ietf_ABYTES
#define OVERHEAD	LT_SPOOL_OVERHEAD
#define WBUF_FLUSH	(256u * 1024)	/* appends are written in runs of this much */
#define ACK_LEN		24
#define ACK_MAGIC	"LTSPACK1"
#define SEG_NAME_LEN	20		/* "seg-" and 16 hex digits */

struct seg {
	uint64_t id, size;
};

struct owcount {
	uint32_t stream_id;
	uint64_t n;
};

/* A record read ahead of the acknowledgements: where it is, how long its frame. */
struct inflight {
	uint64_t seg;
	uint64_t frame;
};

struct lt_spool {
	int dirfd;
	int wfd;		/* the head (last) segment, open for appends; -1 if none */
	int rfd;		/* the segment the cursor reads; -1 until needed */
	uint64_t rfd_id;
	uint64_t quota, segmax, next_id;
	struct seg *segs;	/* oldest first */
	size_t nsegs, capsegs;
	uint64_t roff;		/* first unacknowledged record in segs[0] */
	uint64_t ack_seg, ack_off;	/* the position "ack" holds */
	uint64_t cur_id, cur_off;	/* the next record to read; cur_id 0: at the ack */
	struct inflight *fl;	/* records read, not yet acknowledged, oldest first */
	size_t flhead, flcount, flcap;
	uint8_t *key;		/* sodium_malloc'd */
	uint8_t nonce[NONCE_LEN];	/* random prefix of this open, then a counter */
	uint64_t nctr;
	uint8_t *wbuf;		/* frames appended, not yet written */
	size_t wlen;
	size_t flush_at;	/* write the frames once this many bytes wait */
	int wdirty, ddirty, broken;
	uint8_t *buf;		/* the one read buffer */
	size_t bufcap;
	struct lt_spool_stats st;
	struct owcount *ow;
	size_t now, capow;
	char msg[256];
};

static void
fail(struct lt_spool *sp, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sp->msg, sizeof(sp->msg), fmt, ap);
	va_end(ap);
}

static void
put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static void
put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t
get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void
seg_name(char out[static SEG_NAME_LEN + 1], uint64_t id)
{
	snprintf(out, SEG_NAME_LEN + 1, "seg-%016" PRIx64, id);
}

static int
pread_all(int fd, void *p, size_t n, uint64_t off)
{
	uint8_t *b = p;

	while (n > 0) {
		ssize_t r = pread(fd, b, n, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		b += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

/*
 * The record at off in fd, whose data ends at limit, read into sp->buf and
 * checked: its frame length, 0 at limit, -1 if torn or corrupt.
 */
static int64_t
read_frame(struct lt_spool *sp, int fd, uint64_t off, uint64_t limit,
    uint32_t *len, uint32_t *stream_id)
{
	uint8_t hdr[HDR_LEN + NONCE_LEN];
	uint32_t n;

	if (off == limit)
		return 0;
	if (limit - off < OVERHEAD || pread_all(fd, hdr, sizeof(hdr), off) < 0)
		return -1;
	n = get32(hdr);
	if (n == 0 || n > LT_SPOOL_REC_MAX || n + OVERHEAD > limit - off)
		return -1;
	if (sp->bufcap < n + TAG_LEN) {
		uint8_t *b = realloc(sp->buf, n + TAG_LEN);

		if (b == NULL)
			return -1;
		sp->buf = b;
		sp->bufcap = n + TAG_LEN;
	}
	if (pread_all(fd, sp->buf, n + TAG_LEN, off + sizeof(hdr)) < 0)
		return -1;
	/* In place: a record that does not decrypt is damaged, whatever the cause. */
	if (crypto_aead_xchacha20poly1305_ietf_decrypt_detached(sp->buf, NULL,
	    sp->buf, n, sp->buf + n, hdr, HDR_LEN, hdr + HDR_LEN, sp->key) != 0)
		return -1;
	*len = n;
	*stream_id = get32(hdr + 4);
	return (int64_t)n + OVERHEAD;
}

static int
push_seg(struct lt_spool *sp, uint64_t id, uint64_t size)
{
	if (sp->nsegs == sp->capsegs) {
		size_t cap = sp->capsegs ? sp->capsegs * 2 : 16;
		struct seg *s = realloc(sp->segs, cap * sizeof(*s));

		if (s == NULL)
			return -1;
		sp->segs = s;
		sp->capsegs = cap;
	}
	sp->segs[sp->nsegs].id = id;
	sp->segs[sp->nsegs++].size = size;
	sp->st.segments++;
	sp->st.bytes += size;
	return 0;
}

/* Removes segs[0] from disk and memory; -1 (state advanced all the same) if unlink failed. */
static int
retire_oldest(struct lt_spool *sp)
{
	char name[SEG_NAME_LEN + 1];
	int r = 0;

	seg_name(name, sp->segs[0].id);
	if (unlinkat(sp->dirfd, name, 0) < 0 && errno != ENOENT) {
		fail(sp, "spool: cannot remove %s: %s", name, strerror(errno));
		r = -1;
	}
	if (sp->rfd >= 0 && sp->rfd_id == sp->segs[0].id) {
		close(sp->rfd);
		sp->rfd = -1;
	}
	if (sp->nsegs == 1 && sp->wfd >= 0) {
		close(sp->wfd);
		sp->wfd = -1;
		sp->wdirty = 0;
	}
	sp->st.bytes -= sp->segs[0].size;
	sp->st.segments--;
	memmove(sp->segs, sp->segs + 1, --sp->nsegs * sizeof(*sp->segs));
	sp->roff = 0;
	sp->ddirty = 1;
	return r;
}

static int
count_overwritten(struct lt_spool *sp, uint32_t stream_id)
{
	size_t i;

	for (i = 0; i < sp->now; i++)
		if (sp->ow[i].stream_id == stream_id)
			break;
	if (i == sp->now) {
		if (sp->now == sp->capow) {
			size_t cap = sp->capow ? sp->capow * 2 : 16;
			struct owcount *o = realloc(sp->ow, cap * sizeof(*o));

			if (o == NULL)
				return -1;
			sp->ow = o;
			sp->capow = cap;
		}
		sp->ow[sp->now].stream_id = stream_id;
		sp->ow[sp->now++].n = 0;
	}
	sp->ow[i].n++;
	sp->st.overwritten++;
	sp->st.records--;
	return 0;
}

/* Writes the appended frames still in memory to the head segment. */
static int
flush_wbuf(struct lt_spool *sp)
{
	struct seg *head;

	if (sp->wlen == 0)
		return 0;
	if (sp->broken)
		return -1;
	head = &sp->segs[sp->nsegs - 1];
	if (lt_write_all(sp->wfd, sp->wbuf, sp->wlen) < 0) {
		fail(sp, "spool: cannot write: %s", strerror(errno));
		/* a torn frame would hide every later one at the next open */
		if (ftruncate(sp->wfd, (off_t)(head->size - sp->wlen)) < 0) {
			sp->broken = 1;
			fail(sp, "spool: cannot write nor undo it: %s; reopen the "
			    "spool", strerror(errno));
		}
		return -1;
	}
	sp->wlen = 0;
	sp->wdirty = 1;
	return 0;
}

/* Index of segment id in segs, or nsegs if it is gone. */
static size_t
seg_index(const struct lt_spool *sp, uint64_t id)
{
	size_t i;

	for (i = 0; i < sp->nsegs; i++)
		if (sp->segs[i].id == id)
			break;
	return i;
}

/*
 * The quota is full: drop the oldest segment.  Its records not yet read
 * are counted as overwritten; those read ahead are on their way to the
 * agency from memory and are not.
 */
static int
drop_oldest(struct lt_spool *sp)
{
	char name[SEG_NAME_LEN + 1];
	uint8_t hdr[HDR_LEN];
	uint64_t off, readto;
	int fd;

	if (sp->nsegs == 1 && flush_wbuf(sp) < 0)
		return -1;
	if (sp->cur_id == 0 || sp->cur_id < sp->segs[0].id)
		readto = sp->roff;
	else if (sp->cur_id == sp->segs[0].id)
		readto = sp->cur_off;
	else
		readto = sp->segs[0].size;
	seg_name(name, sp->segs[0].id);
	if ((fd = openat(sp->dirfd, name, O_RDONLY | O_CLOEXEC)) < 0) {
		fail(sp, "spool: cannot open %s: %s", name, strerror(errno));
		return -1;
	}
	for (off = sp->roff; off < sp->segs[0].size;
	    off += get32(hdr) + (uint64_t)OVERHEAD) {
		if (pread_all(fd, hdr, HDR_LEN, off) < 0) {
			fail(sp, "spool: cannot count the records of %s", name);
			close(fd);
			return -1;
		}
		if (off < readto) {
			sp->st.records--;
		} else if (count_overwritten(sp, get32(hdr + 4)) < 0) {
			fail(sp, "spool: out of memory");
			close(fd);
			return -1;
		}
	}
	close(fd);
	if (sp->cur_id == sp->segs[0].id)
		sp->cur_id = 0;		/* on to what the next segment holds */
	return retire_oldest(sp);
}

/* Starts a new head segment; the old head is synced first. */
static int
new_segment(struct lt_spool *sp)
{
	char name[SEG_NAME_LEN + 1];
	int fd;

	if (sp->wfd >= 0) {
		if (flush_wbuf(sp) < 0)
			return -1;
		if (fsync(sp->wfd) < 0) {
			sp->broken = 1;
			fail(sp, "spool: cannot sync a full segment: %s; reopen the "
			    "spool", strerror(errno));
			return -1;
		}
		close(sp->wfd);
		sp->wfd = -1;
		sp->wdirty = 0;
	}
	seg_name(name, sp->next_id);
	fd = openat(sp->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_APPEND |
	    O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		fail(sp, "spool: cannot create %s: %s", name, strerror(errno));
		return -1;
	}
	if (push_seg(sp, sp->next_id, 0) < 0) {
		close(fd);
		unlinkat(sp->dirfd, name, 0);
		fail(sp, "spool: out of memory");
		return -1;
	}
	if (sp->nsegs == 1)
		sp->roff = 0;
	sp->next_id++;
	sp->wfd = fd;
	sp->ddirty = 1;
	return 0;
}

int
lt_spool_append(struct lt_spool *sp, uint32_t stream_id, const void *rec,
    size_t len)
{
	uint64_t frame = (uint64_t)len + OVERHEAD;
	unsigned long long tlen;
	uint8_t *f;

	if (sp->broken)
		return -1;
	if (len == 0 || len > LT_SPOOL_REC_MAX || frame > sp->segmax) {
		fail(sp, "spool: a record of %zu bytes does not fit (largest %"
		    PRIu64 ")", len, sp->segmax - OVERHEAD);
		return -1;
	}
	if (sp->wbuf == NULL &&
	    (sp->wbuf = malloc(WBUF_FLUSH + LT_SPOOL_REC_MAX + OVERHEAD)) == NULL) {
		fail(sp, "spool: out of memory");
		return -1;
	}
	if (sp->wlen + frame > WBUF_FLUSH + LT_SPOOL_REC_MAX + OVERHEAD &&
	    flush_wbuf(sp) < 0)
		return -1;
	while (sp->st.bytes + frame > sp->quota)
		if (drop_oldest(sp) < 0)
			return -1;
	if (sp->wfd < 0 || sp->segs[sp->nsegs - 1].size + frame > sp->segmax)
		if (new_segment(sp) < 0)
			return -1;
	f = sp->wbuf + sp->wlen;
	put32(f, (uint32_t)len);
	put32(f + 4, stream_id);
	/* Never the same nonce twice under one key: a random prefix per open, then a count. */
	put64(f + HDR_LEN, sp->nctr++);
	memcpy(f + HDR_LEN + 8, sp->nonce + 8, NONCE_LEN - 8);
	crypto_aead_xchacha20poly1305_ietf_encrypt_detached(f + HDR_LEN + NONCE_LEN,
	    f + HDR_LEN + NONCE_LEN + len, &tlen, rec, len, f, HDR_LEN, NULL,
	    f + HDR_LEN, sp->key);
	sp->wlen += (size_t)frame;
	sp->segs[sp->nsegs - 1].size += frame;
	sp->st.bytes += frame;
	sp->st.records++;
	/* A failed write keeps the frames in memory for the next try (or sync). */
	if (sp->wlen >= sp->flush_at)
		(void)flush_wbuf(sp);
	return 0;
}

static int
fl_push(struct lt_spool *sp, uint64_t seg, uint64_t frame)
{
	if (sp->flcount == sp->flcap) {
		size_t cap = sp->flcap ? sp->flcap * 2 : 64;
		struct inflight *n = malloc(cap * sizeof(*n));

		if (n == NULL)
			return -1;
		for (size_t i = 0; i < sp->flcount; i++)
			n[i] = sp->fl[(sp->flhead + i) % sp->flcap];
		free(sp->fl);
		sp->fl = n;
		sp->flcap = cap;
		sp->flhead = 0;
	}
	sp->fl[(sp->flhead + sp->flcount++) % sp->flcap] =
	    (struct inflight){ .seg = seg, .frame = frame };
	return 0;
}

int
lt_spool_next(struct lt_spool *sp, const uint8_t **rec, size_t *len,
    uint32_t *stream_id)
{
	char name[SEG_NAME_LEN + 1];
	uint32_t n, sid;
	int64_t f;
	size_t i;

	if (sp->broken)
		return -1;
	if (sp->nsegs == 0)
		return 0;
	if (sp->cur_id < sp->segs[0].id) {
		sp->cur_id = sp->segs[0].id;
		sp->cur_off = sp->roff;
	}
	for (;;) {
		if ((i = seg_index(sp, sp->cur_id)) == sp->nsegs) {
			fail(sp, "spool: lost its read position");
			return -1;
		}
		if (sp->cur_off < sp->segs[i].size)
			break;
		if (i + 1 == sp->nsegs)
			return 0;
		sp->cur_id = sp->segs[i + 1].id;
		sp->cur_off = 0;
	}
	if (i + 1 == sp->nsegs && flush_wbuf(sp) < 0)
		return -1;
	seg_name(name, sp->cur_id);
	if (sp->rfd >= 0 && sp->rfd_id != sp->cur_id) {
		close(sp->rfd);
		sp->rfd = -1;
	}
	if (sp->rfd < 0) {
		if ((sp->rfd = openat(sp->dirfd, name, O_RDONLY | O_CLOEXEC)) < 0) {
			fail(sp, "spool: cannot open %s: %s", name, strerror(errno));
			return -1;
		}
		sp->rfd_id = sp->cur_id;
	}
	f = read_frame(sp, sp->rfd, sp->cur_off, sp->segs[i].size, &n, &sid);
	if (f <= 0) {
		fail(sp, "spool: %s is damaged at offset %" PRIu64 "; reopen the "
		    "spool to cut it off", name, sp->cur_off);
		return -1;
	}
	if (fl_push(sp, sp->cur_id, (uint64_t)f) < 0) {
		fail(sp, "spool: out of memory");
		return -1;
	}
	sp->cur_off += (uint64_t)f;
	*rec = sp->buf;
	*len = n;
	*stream_id = sid;
	return 1;
}

void
lt_spool_unread(struct lt_spool *sp)
{
	struct inflight *r;

	if (sp->flcount == 0)
		return;
	r = &sp->fl[(sp->flhead + sp->flcount - 1) % sp->flcap];
	sp->cur_id = r->seg;
	sp->cur_off -= r->frame;
	sp->flcount--;
}

void
lt_spool_rewind(struct lt_spool *sp)
{
	sp->cur_id = 0;
	sp->flhead = sp->flcount = 0;
}

int
lt_spool_peek(struct lt_spool *sp, const uint8_t **rec, size_t *len,
    uint32_t *stream_id)
{
	lt_spool_rewind(sp);
	return lt_spool_next(sp, rec, len, stream_id);
}

int
lt_spool_ack(struct lt_spool *sp)
{
	struct inflight r;

	if (sp->flcount == 0) {
		fail(sp, "spool: acknowledgement without a record read");
		return -1;
	}
	r = sp->fl[sp->flhead];
	sp->flhead = (sp->flhead + 1) % sp->flcap;
	sp->flcount--;
	if (sp->nsegs == 0 || sp->segs[0].id != r.seg)
		return 0;	/* the quota dropped it meanwhile */
	sp->roff += r.frame;
	sp->st.records--;
	if (sp->roff == sp->segs[0].size && !(sp->nsegs == 1 && sp->wfd >= 0))
		return retire_oldest(sp);
	return 0;
}

void
lt_spool_write_through(struct lt_spool *sp)
{
	sp->flush_at = 1;
}

void
lt_spool_position(const struct lt_spool *sp, uint64_t *seg, uint64_t *off)
{
	*seg = sp->nsegs ? sp->segs[0].id : sp->next_id;
	*off = sp->nsegs ? sp->roff : 0;
}

/* Records from off to limit in segment fd, or -1 if limit is not where one ends. */
static int64_t
count_to(int fd, uint64_t off, uint64_t limit)
{
	uint8_t hdr[HDR_LEN];
	int64_t n = 0;

	while (off < limit) {
		if (pread_all(fd, hdr, HDR_LEN, off) < 0)
			return -1;
		off += get32(hdr) + (uint64_t)OVERHEAD;
		n++;
	}
	return off == limit ? n : -1;
}

int
lt_spool_ack_to(struct lt_spool *sp, uint64_t seg, uint64_t off)
{
	char name[SEG_NAME_LEN + 1];
	size_t i;
	int64_t n;
	int fd;

	if (sp->broken || flush_wbuf(sp) < 0)
		return -1;
	if (sp->nsegs == 0 || seg < sp->segs[0].id ||
	    (seg == sp->segs[0].id && off <= sp->roff))
		return 0;
	for (i = 0; i < sp->nsegs && sp->segs[i].id < seg; i++)
		;
	if (i < sp->nsegs && sp->segs[i].id == seg && off > sp->segs[i].size)
		return -1;
	/* check every boundary first: nothing changes unless all of it holds */
	for (size_t k = 0, total = 0; ; k++) {
		if (k > i || k == sp->nsegs || sp->segs[k].id > seg) {
			sp->st.records -= total;
			break;
		}
		uint64_t from = k == 0 ? sp->roff : 0, to;

		to = sp->segs[k].id == seg ? off : sp->segs[k].size;
		seg_name(name, sp->segs[k].id);
		if ((fd = openat(sp->dirfd, name, O_RDONLY | O_CLOEXEC)) < 0)
			return -1;
		n = count_to(fd, from, to);
		close(fd);
		if (n < 0)
			return -1;
		total += (size_t)n;
	}
	while (sp->nsegs > 0 && sp->segs[0].id < seg)
		retire_oldest(sp);
	if (sp->nsegs > 0 && sp->segs[0].id == seg) {
		sp->roff = off;
		if (sp->roff == sp->segs[0].size && !(sp->nsegs == 1 && sp->wfd >= 0))
			retire_oldest(sp);
	}
	lt_spool_rewind(sp);
	return 0;
}

int
lt_spool_sync(struct lt_spool *sp)
{
	uint8_t ack[ACK_LEN];
	uint64_t seg, off;
	char err[256];
	int r;

	if (sp->broken || flush_wbuf(sp) < 0)
		return -1;
	if (sp->wdirty) {
		if (fsync(sp->wfd) < 0) {
			/* the kernel may have dropped what it could not write */
			sp->broken = 1;
			fail(sp, "spool: cannot sync: %s; reopen the spool",
			    strerror(errno));
			return -1;
		}
		sp->wdirty = 0;
	}
	if (sp->ddirty) {
		if (fsync(sp->dirfd) < 0) {
			fail(sp, "spool: cannot sync its directory: %s",
			    strerror(errno));
			return -1;
		}
		sp->ddirty = 0;
	}
	seg = sp->nsegs ? sp->segs[0].id : sp->next_id;
	off = sp->nsegs ? sp->roff : 0;
	if (seg == sp->ack_seg && off == sp->ack_off)
		return 0;
	memcpy(ack, ACK_MAGIC, 8);
	put64(ack + 8, seg);
	put64(ack + 16, off);
	if ((r = lt_atomic_write(sp->dirfd, "ack", ack, sizeof(ack), err,
	    sizeof(err))) != 0) {
		fail(sp, "spool: %s", err);
		return -1;
	}
	sp->ack_seg = seg;
	sp->ack_off = off;
	return 0;
}

/* Reads "ack": 0 with the position (0, 0 if there is none), -1 if damaged. */
static int
read_ack(int dirfd, uint64_t *seg, uint64_t *off)
{
	uint8_t b[ACK_LEN + 1];
	ssize_t n;
	int fd;

	*seg = *off = 0;
	if ((fd = openat(dirfd, "ack", O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return errno == ENOENT ? 0 : -1;
	n = read(fd, b, sizeof(b));
	close(fd);
	if (n != ACK_LEN || memcmp(b, ACK_MAGIC, 8) != 0)
		return -1;
	*seg = get64(b + 8);
	*off = get64(b + 16);
	return 0;
}

static int
cmp_id(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The segment ids in the directory, sorted; -1 on error. */
static int
list_segments(int dirfd, uint64_t **ids, size_t *n)
{
	struct dirent *de;
	size_t cap = 0;
	DIR *d;
	int fd;

	*ids = NULL;
	*n = 0;
	if ((fd = dup(dirfd)) < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		char *end;
		uint64_t id;

		if (strlen(de->d_name) != SEG_NAME_LEN ||
		    strncmp(de->d_name, "seg-", 4) != 0)
			continue;
		errno = 0;
		id = strtoull(de->d_name + 4, &end, 16);
		if (*end != '\0' || errno != 0 || de->d_name[4] == '+' ||
		    de->d_name[4] == '-')
			continue;
		if (*n == cap) {
			uint64_t *p = realloc(*ids, (cap = cap ? cap * 2 : 16) *
			    sizeof(*p));

			if (p == NULL) {
				closedir(d);
				return -1;
			}
			*ids = p;
		}
		(*ids)[(*n)++] = id;
	}
	closedir(d);
	if (*n > 1)
		qsort(*ids, *n, sizeof(**ids), cmp_id);
	return 0;
}

/*
 * Checks one segment from start: cuts off a torn or corrupt tail, deletes
 * it when nothing unacknowledged is left, else keeps it in sp->segs.
 */
static int
check_segment(struct lt_spool *sp, uint64_t id, uint64_t start)
{
	char name[SEG_NAME_LEN + 1];
	uint64_t off, size, records = 0;
	uint32_t n, sid;
	struct stat sb;
	int64_t f;
	int fd;

	seg_name(name, id);
	if ((fd = openat(sp->dirfd, name, O_RDWR | O_CLOEXEC | O_NOFOLLOW)) < 0 ||
	    fstat(fd, &sb) < 0) {
		fail(sp, "cannot open %s: %s", name, strerror(errno));
		goto bad;
	}
	size = (uint64_t)sb.st_size;
	off = start < size ? start : size;
	while ((f = read_frame(sp, fd, off, size, &n, &sid)) > 0) {
		off += (uint64_t)f;
		records++;
	}
	if (off < size) {
		if (ftruncate(fd, (off_t)off) < 0 || fsync(fd) < 0) {
			fail(sp, "cannot cut the damaged tail of %s: %s", name,
			    strerror(errno));
			goto bad;
		}
		sp->st.damaged++;
		sp->st.damaged_bytes += size - off;
		size = off;
	}
	close(fd);
	if (records == 0) {
		if (unlinkat(sp->dirfd, name, 0) < 0) {
			fail(sp, "cannot remove %s: %s", name, strerror(errno));
			return -1;
		}
		sp->ddirty = 1;
		return 0;
	}
	if (sp->nsegs == 0)
		sp->roff = start;
	if (push_seg(sp, id, size) < 0) {
		fail(sp, "out of memory");
		return -1;
	}
	sp->st.records += records;
	return 0;
bad:
	if (fd >= 0)
		close(fd);
	return -1;
}

static int
check_dir(struct lt_spool *sp)
{
	char name[SEG_NAME_LEN + 1];
	uint64_t *ids;
	size_t n, i;
	int r = 0;

	if (read_ack(sp->dirfd, &sp->ack_seg, &sp->ack_off) < 0) {
		fail(sp, "its ack file is damaged; remove it to send everything "
		    "in the spool again");
		return -1;
	}
	if (list_segments(sp->dirfd, &ids, &n) < 0) {
		fail(sp, "cannot list it: %s", strerror(errno));
		return -1;
	}
	sp->next_id = sp->ack_seg + 1;
	for (i = 0; i < n && r == 0; i++) {
		if (ids[i] >= sp->next_id)
			sp->next_id = ids[i] + 1;
		if (ids[i] < sp->ack_seg) {
			seg_name(name, ids[i]);
			if ((r = unlinkat(sp->dirfd, name, 0)) < 0)
				fail(sp, "cannot remove %s: %s", name,
				    strerror(errno));
			sp->ddirty = 1;
		} else {
			r = check_segment(sp, ids[i],
			    ids[i] == sp->ack_seg ? sp->ack_off : 0);
		}
	}
	free(ids);
	if (r == 0 && sp->ddirty) {
		if ((r = fsync(sp->dirfd)) < 0)
			fail(sp, "cannot sync it: %s", strerror(errno));
		sp->ddirty = 0;
	}
	return r;
}

int
lt_spool_open(const char *dir, uint64_t quota_bytes, const uint8_t *key,
    struct lt_spool **spp, char *err, size_t errlen)
{
	struct lt_spool *sp;

	*spp = NULL;
	if (quota_bytes < LT_SPOOL_QUOTA_MIN) {
		snprintf(err, errlen, "spool %s: a quota of %" PRIu64 " bytes is "
		    "below the minimum of %u", dir, quota_bytes,
		    LT_SPOOL_QUOTA_MIN);
		return -1;
	}
	if (sodium_init() < 0 || (sp = calloc(1, sizeof(*sp))) == NULL) {
		snprintf(err, errlen, "spool %s: cannot initialise", dir);
		return -1;
	}
	sp->wfd = sp->rfd = -1;
	if ((sp->key = sodium_malloc(LT_SPOOL_KEY_LEN)) == NULL) {
		snprintf(err, errlen, "spool %s: cannot initialise", dir);
		free(sp);
		return -1;
	}
	memcpy(sp->key, key, LT_SPOOL_KEY_LEN);
	sp->flush_at = WBUF_FLUSH;
	randombytes_buf(sp->nonce, sizeof(sp->nonce));
	sp->quota = quota_bytes;
	sp->segmax = quota_bytes / 8;
	if (sp->segmax > 64u * 1024 * 1024)
		sp->segmax = 64u * 1024 * 1024;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "spool %s: cannot create it: %s", dir,
		    strerror(errno));
		sodium_free(sp->key);
		free(sp);
		return -1;
	}
	if ((sp->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "spool %s: cannot open it: %s", dir,
		    strerror(errno));
		sodium_free(sp->key);
		free(sp);
		return -1;
	}
	if (check_dir(sp) < 0) {
		snprintf(err, errlen, "spool %s: %s", dir, sp->msg);
		sp->broken = 1;
		lt_spool_close(sp);
		return -1;
	}
	*spp = sp;
	return 0;
}

void
lt_spool_stats(const struct lt_spool *sp, struct lt_spool_stats *st)
{
	*st = sp->st;
}

void
lt_spool_overwritten(const struct lt_spool *sp,
    void (*cb)(void *arg, uint32_t stream_id, uint64_t count), void *arg)
{
	for (size_t i = 0; i < sp->now; i++)
		cb(arg, sp->ow[i].stream_id, sp->ow[i].n);
}

const char *
lt_spool_errmsg(const struct lt_spool *sp)
{
	return sp->msg;
}

void
lt_spool_close(struct lt_spool *sp)
{
	if (sp == NULL)
		return;
	lt_spool_sync(sp);
	if (sp->wfd >= 0)
		close(sp->wfd);
	if (sp->rfd >= 0)
		close(sp->rfd);
	if (sp->dirfd >= 0)
		close(sp->dirfd);
	free(sp->segs);
	free(sp->ow);
	free(sp->fl);
	free(sp->wbuf);
	if (sp->buf != NULL)
		sodium_memzero(sp->buf, sp->bufcap);
	free(sp->buf);
	sodium_free(sp->key);
	free(sp);
}
