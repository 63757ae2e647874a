/* pcapw.c - one evidence pcap file: buffered, hashed as written, published by rename. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "evidence/pcapw.h"
#include "util/io.h"

static void
le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

int
ev_pcapw_tmpname(const char *name, char tmp[static EV_NAME_MAX + 7])
{
	size_t n = strnlen(name, EV_NAME_MAX + 1);

	if (!ev_name_ok(name, n))
		return -1;
	snprintf(tmp, EV_NAME_MAX + 7, ".%s.tmp", name);
	return 0;
}

static int
flush(struct ev_pcapw *w, const uint8_t *p, size_t n, char *err, size_t errlen)
{
	crypto_hash_sha256_update(&w->sha, p, n);
	if (lt_write_all(w->fd, p, n) < 0) {
		snprintf(err, errlen, "cannot write evidence file %s: %s", w->tmp,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* Appends n bytes through the buffer. */
static int
put(struct ev_pcapw *w, const void *p, size_t n, char *err, size_t errlen)
{
	if (w->used + n > sizeof(w->buf)) {
		if (flush(w, w->buf, w->used, err, errlen) < 0)
			return -1;
		w->used = 0;
		if (n > sizeof(w->buf))
			return flush(w, p, n, err, errlen);
	}
	memcpy(w->buf + w->used, p, n);
	w->used += n;
	return 0;
}

int
ev_pcapw_open(struct ev_pcapw *w, int dirfd, const char *name, uint32_t linktype,
    uint32_t snaplen, char *err, size_t errlen)
{
	uint8_t h[EV_PCAP_HDR];

	w->fd = -1;
	w->dirfd = dirfd;
	if (ev_pcapw_tmpname(name, w->tmp) < 0) {
		snprintf(err, errlen, "bad evidence file name");
		return -1;
	}
	snprintf(w->name, sizeof(w->name), "%s", name);
	w->fd = openat(dirfd, w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600);
	if (w->fd < 0) {
		snprintf(err, errlen, "cannot create evidence file %s: %s", w->tmp,
		    strerror(errno));
		return -1;
	}
	w->snaplen = snaplen;
	w->used = 0;
	w->size = EV_PCAP_HDR;
	w->packets = 0;
	w->first_sec = w->last_sec = 0;
	w->first_usec = w->last_usec = 0;
	crypto_hash_sha256_init(&w->sha);
	le32(h, 0xa1b2c3d4);
	h[4] = 2, h[5] = 0, h[6] = 4, h[7] = 0;	/* version 2.4 */
	le32(h + 8, 0);				/* thiszone */
	le32(h + 12, 0);			/* sigfigs */
	le32(h + 16, snaplen);
	le32(h + 20, linktype);
	memcpy(w->buf, h, sizeof(h));
	w->used = sizeof(h);
	return 0;
}

uint64_t
ev_pcapw_size_after(const struct ev_pcapw *w, uint32_t len)
{
	return w->size + EV_PCAP_REC_HDR + (len < w->snaplen ? len : w->snaplen);
}

int
ev_pcapw_add(struct ev_pcapw *w, uint64_t sec, uint32_t usec, const void *pkt,
    uint32_t len, uint32_t origlen, char *err, size_t errlen)
{
	uint32_t cap = len < w->snaplen ? len : w->snaplen;
	uint8_t h[EV_PCAP_REC_HDR];

	if (sec > UINT32_MAX || usec > 999999) {
		snprintf(err, errlen, "packet time out of the pcap range");
		return -1;
	}
	le32(h, (uint32_t)sec);
	le32(h + 4, usec);
	le32(h + 8, cap);
	le32(h + 12, origlen > len ? origlen : len);
	if (put(w, h, sizeof(h), err, errlen) < 0 ||
	    put(w, pkt, cap, err, errlen) < 0)
		return -1;
	if (w->packets++ == 0) {
		w->first_sec = sec;
		w->first_usec = usec;
	}
	w->last_sec = sec;
	w->last_usec = usec;
	w->size += sizeof(h) + cap;
	return 0;
}

int
ev_pcapw_finish(struct ev_pcapw *w, uint8_t sha256[static EV_HASH_LEN], char *err,
    size_t errlen)
{
	if (w->used > 0 && flush(w, w->buf, w->used, err, errlen) < 0)
		return -1;
	w->used = 0;
	if (fsync(w->fd) < 0) {
		snprintf(err, errlen, "cannot sync evidence file %s: %s", w->tmp,
		    strerror(errno));
		return -1;
	}
	crypto_hash_sha256_final(&w->sha, sha256);
	return 0;
}

int
ev_pcapw_publish(struct ev_pcapw *w, char *err, size_t errlen)
{
	int rc = close(w->fd);

	w->fd = -1;
	if (rc < 0) {
		snprintf(err, errlen, "cannot close evidence file %s: %s", w->tmp,
		    strerror(errno));
		return -1;
	}
	if (renameat2(w->dirfd, w->tmp, w->dirfd, w->name,
	    RENAME_NOREPLACE) < 0) {
		snprintf(err, errlen, "cannot rename %s to %s: %s", w->tmp, w->name,
		    strerror(errno));
		return -1;
	}
	if (fsync(w->dirfd) < 0) {
		snprintf(err, errlen, "cannot sync the evidence directory: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

void
ev_pcapw_abandon(struct ev_pcapw *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}
