/* store.c - an evidence store: rotated pcap files listed in a signed, hash-chained manifest. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "evidence/store_impl.h"

void
ev_store_fail(struct ev_store *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	s->failed = 1;
}

static void
step(struct ev_store *s, enum ev_step st)
{
	if (s->hook != NULL)
		s->hook(s->hook_arg, st);
}

static int
prefix_ok(const char *p)
{
	size_t n = strnlen(p, PREFIX_MAX + 1);

	return n > 0 && n <= PREFIX_MAX && strspn(p, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

int
ev_store_open(struct ev_store **sp, const struct ev_store_conf *c,
    const uint8_t *sk, char *err, size_t errlen)
{
	struct ev_store *s;

	*sp = NULL;
	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium failed to initialise");
		return -1;
	}
	if (c->prefix == NULL || !prefix_ok(c->prefix)) {
		snprintf(err, errlen, "evidence file prefix must be 1-32 of "
		    "[A-Za-z0-9_-] (use the warrant's index, never a target)");
		return -1;
	}
	if (c->linktype != EV_LINKTYPE_RAW && c->linktype != EV_LINKTYPE_ETHERNET) {
		snprintf(err, errlen, "evidence link type must be raw IP (101) or "
		    "Ethernet (1)");
		return -1;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(s->prefix, sizeof(s->prefix), "%s", c->prefix);
	s->linktype = c->linktype;
	s->snaplen = c->snaplen ? c->snaplen : 65535;
	s->max_bytes = c->max_bytes ? c->max_bytes : (uint64_t)1 << 30;
	s->max_age = c->max_age ? c->max_age : 3600;
	s->sk = sk;
	s->mfd = -1;
	s->dirfd = -1;
	s->w.fd = -1;
	if (ev_store_open_dir(s, c->dir) < 0) {
		snprintf(err, errlen, "%s", s->err);
		if (s->mfd >= 0)
			close(s->mfd);
		if (s->dirfd >= 0)
			close(s->dirfd);
		free(s);
		return -1;
	}
	*sp = s;
	return 0;
}

static int
close_file(struct ev_store *s)
{
	struct ev_entry e = { 0 };
	struct ev_sig sig = { 0 };
	uint8_t msg[EV_SIG_MSG_LEN];
	char rec[2 * EV_LINE_MAX];
	int n, m;

	if (ev_pcapw_finish(&s->w, e.sha256, s->err, sizeof(s->err)) < 0)
		goto failed;
	step(s, EV_STEP_SYNCED);
	e.seq = s->next_seq;
	snprintf(e.file, sizeof(e.file), "%s", s->w.name);
	e.size = s->w.size;
	e.packets = s->w.packets;
	e.first_sec = s->w.first_sec;
	e.first_usec = s->w.first_usec;
	e.last_sec = s->w.last_sec;
	e.last_usec = s->w.last_usec;
	memcpy(e.prev, s->last_hash, EV_HASH_LEN);
	if ((n = ev_entry_format(&e, rec)) < 0) {
		snprintf(s->err, sizeof(s->err), "cannot format a manifest entry");
		goto failed;
	}
	sig.seq = e.seq;
	memcpy(sig.hash, e.hash, EV_HASH_LEN);
	ev_sig_msg(e.hash, msg);
	crypto_sign_detached(sig.sig, NULL, msg, sizeof(msg), s->sk);
	m = ev_sig_format(&sig, rec + n);
	/* one write for the pair, so a crash cuts at most the tail */
	if (lt_write_all(s->mfd, rec, (size_t)(n + m)) < 0) {
		snprintf(s->err, sizeof(s->err), "cannot append to %s: %s",
		    EV_MANIFEST, strerror(errno));
		goto failed;
	}
	step(s, EV_STEP_APPENDED);
	if (fsync(s->mfd) < 0) {
		snprintf(s->err, sizeof(s->err), "cannot sync %s: %s", EV_MANIFEST,
		    strerror(errno));
		goto failed;
	}
	step(s, EV_STEP_LISTED);
	s->file_open = 0;
	memcpy(s->last_hash, e.hash, EV_HASH_LEN);
	s->next_seq++;
	if (ev_pcapw_publish(&s->w, s->err, sizeof(s->err)) < 0) {
		s->failed = 1;
		return -1;
	}
	step(s, EV_STEP_DONE);
	return 0;
failed:
	ev_pcapw_abandon(&s->w);
	s->file_open = 0;
	s->failed = 1;
	return -1;
}

static int
open_file(struct ev_store *s)
{
	char name[EV_NAME_MAX + 1];

	snprintf(name, sizeof(name), "%s-%06" PRIu64 ".pcap", s->prefix,
	    s->next_seq);
	if (ev_pcapw_open(&s->w, s->dirfd, name, s->linktype, s->snaplen, s->err,
	    sizeof(s->err)) < 0) {
		s->failed = 1;
		return -1;
	}
	s->file_open = 1;
	step(s, EV_STEP_OPENED);
	return 0;
}

int
ev_store_write(struct ev_store *s, uint64_t sec, uint32_t usec, const void *pkt,
    uint32_t len, uint32_t origlen)
{
	if (s->failed)
		return -1;
	if (s->file_open && s->w.packets > 0 &&
	    (ev_pcapw_size_after(&s->w, len) > s->max_bytes ||
	    (sec >= s->w.first_sec && sec - s->w.first_sec >= s->max_age)) &&
	    close_file(s) < 0)
		return -1;
	if (!s->file_open && open_file(s) < 0)
		return -1;
	if (ev_pcapw_add(&s->w, sec, usec, pkt, len, origlen, s->err,
	    sizeof(s->err)) < 0) {
		ev_pcapw_abandon(&s->w);
		s->file_open = 0;
		s->failed = 1;
		return -1;
	}
	return 0;
}

int
ev_store_tick(struct ev_store *s, uint64_t now_sec)
{
	if (s->failed)
		return -1;
	if (s->file_open && now_sec >= s->w.first_sec &&
	    now_sec - s->w.first_sec >= s->max_age)
		return close_file(s);
	return 0;
}

int
ev_store_rotate(struct ev_store *s)
{
	if (s->failed)
		return -1;
	return s->file_open ? close_file(s) : 0;
}

int
ev_store_close(struct ev_store *s)
{
	int rc;

	if (s == NULL)
		return 0;
	rc = ev_store_rotate(s);
	ev_pcapw_abandon(&s->w);
	if (s->mfd >= 0)
		close(s->mfd);
	close(s->dirfd);
	free(s);
	return rc;
}

const char *
ev_store_error(const struct ev_store *s)
{
	return s->err;
}

uint64_t
ev_store_next_seq(const struct ev_store *s)
{
	return s->next_seq;
}

void
ev_store_set_hook(struct ev_store *s, void (*hook)(void *, enum ev_step),
    void *arg)
{
	s->hook = hook;
	s->hook_arg = arg;
}
