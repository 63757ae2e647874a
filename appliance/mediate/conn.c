/* conn.c - the handover connection state machine (TS 102 232-1 clause 6.3). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "etsi/decode.h"
#include "mediate/conn.h"
#include "mediate/tls.h"
#include "util/log.h"

#define NS_PER_MS	1000000ULL
#define NS_PER_S	1000000000ULL
#define RX_POLL_NS	(1 * NS_PER_MS)
#define FINISH_WAIT_NS	(5 * NS_PER_S)
#define TX_INTERVAL_NS	(20 * 1000ULL)	/* a write at most this often ... */
#define TX_BATCH_BYTES	(64 * 1024)	/* ... unless this much is waiting */
#define WINDOW_MIN	(256u * 1024)
#define WINDOW_MAX	(16u * 1024 * 1024)
#define CONFIRM_NS	(100 * NS_PER_MS)	/* ask for a confirmation this often while sending */
#define SPOOL_SYNC_NS	(200 * NS_PER_MS)	/* make the spool durable this often */

static const char *const state_names[] = {
	"backoff", "connecting", "up", "finishing", "closed", "failed",
};

const char *
lt_conn_state_name(enum lt_conn_state s)
{
	return state_names[s];
}

uint64_t
lt_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

struct etsi_time
lt_wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (struct etsi_time){ .sec = ts.tv_sec, .usec = (uint32_t)(ts.tv_nsec / 1000) };
}

static void
change_state(struct lt_conn *c, enum lt_conn_state to, uint64_t now, const char *why)
{
	enum lt_conn_state from = c->state;

	if (from == to)
		return;
	c->state = to;
	if (to == LT_CONN_DOWN || to == LT_CONN_CONNECTING) {
		if (from == LT_CONN_UP || from == LT_CONN_FINISHING || c->down_since == 0)
			c->down_since = now;
	}
	log_info("agency %s %s %s: %s -> %s%s%s", c->p.agency_id, c->p.hi, c->peer_text,
	    state_names[from], state_names[to], why ? ": " : "", why ? why : "");
}

static void
endpoint_text(const struct lt_endpoint *e, char *out, size_t outlen)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (e->sa.ss_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)&e->sa;

		inet_ntop(AF_INET, &s->sin_addr, a, sizeof(a));
		snprintf(out, outlen, "%s:%u", a, ntohs(s->sin_port));
	} else {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)&e->sa;

		inet_ntop(AF_INET6, &s->sin6_addr, a, sizeof(a));
		snprintf(out, outlen, "[%s]:%u", a, ntohs(s->sin6_port));
	}
}

/* The transport: plain TCP, or TLS over it once the handshake is done. */
static ssize_t
xport_send(struct lt_conn *c, const void *p, size_t len)
{
	if (c->tls != NULL)
		return lt_tls_send(c->tls, p, len);
	return len == 0 ? 0 : send(c->fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static ssize_t
xport_recv(struct lt_conn *c, void *p, size_t len)
{
	if (c->tls != NULL)
		return lt_tls_recv(c->tls, p, len);
	return recv(c->fd, p, len, MSG_DONTWAIT);
}

/* Bytes the transport took but the socket did not yet. */
static size_t
xport_pending(const struct lt_conn *c)
{
	return c->tls != NULL ? lt_tls_pending(c->tls) : 0;
}

/* Why the last xport call failed (errno or the TLS error); outlives the session. */
static const char *
xport_why(const struct lt_conn *c)
{
	static _Thread_local char why[192];

	snprintf(why, sizeof(why), "%s", c->tls != NULL && errno == EPROTO ?
	    lt_tls_why(c->tls) : strerror(errno));
	return why;
}

/* Our side is done writing: close_notify over TLS, then the TCP FIN. */
static void
xport_shutdown(struct lt_conn *c)
{
	if (c->tls != NULL)
		lt_tls_close_notify(c->tls);
	shutdown(c->fd, SHUT_WR);
}

static void
xport_close(struct lt_conn *c)
{
	lt_tls_free(c->tls);
	c->tls = NULL;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* Bytes written that may wait for the agency's confirmation: a quarter of the queue. */
static size_t
window_bytes(size_t queue_bytes)
{
	size_t w = queue_bytes / 4;

	if (w < WINDOW_MIN)
		w = WINDOW_MIN;
	if (w > WINDOW_MAX)
		w = WINDOW_MAX;
	return w;
}

int
lt_conn_init(struct lt_conn *c, const struct lt_conn_params *p, uint64_t now)
{
	char err[512];

	memset(c, 0, sizeof(*c));
	c->p = *p;
	c->p.tls = lt_tls_ctx_ref(p->tls);
	c->fd = -1;
	c->state = LT_CONN_DOWN;
	c->retry_at = now;
	c->down_since = now;
	endpoint_text(&p->peer, c->peer_text, sizeof(c->peer_text));
	if (etsi_tmpl_init(&c->ka_tmpl, p->ka_ident) < 0)
		return -1;
	c->st.ka_rtt_us = -1;
	c->st.tls_hs_us = -1;
	if (lt_connq_init(&c->cq, p->queue_bytes, window_bytes(p->queue_bytes), p->spool,
	    p->qfile, err, sizeof(err)) < 0) {
		log_err("agency %s %s: %s", p->agency_id, p->hi, err);
		return -1;
	}
	if (c->cq.recover_msg[0] != '\0')
		log_warn("agency %s %s: the memory queue a killed run left was not taken over: %s",
		    p->agency_id, p->hi, c->cq.recover_msg);
	if (c->cq.recovered > 0)
		log_info("agency %s %s: %lu records a killed run had queued go first",
		    p->agency_id, p->hi, (unsigned long)c->cq.recovered);
	return 0;
}

void
lt_conn_free(struct lt_conn *c)
{
	xport_close(c);
	lt_tls_ctx_unref(c->p.tls);
	c->p.tls = NULL;
	lt_connq_free(&c->cq);
}

void
lt_conn_finish(struct lt_conn *c)
{
	c->finish = true;
}

static void
teardown(struct lt_conn *c, uint64_t now, uint64_t retry_in, const char *why)
{
	xport_close(c);
	c->rlen = 0;
	c->ka_deadline = 0;
	c->pri_len = c->pri_sent = 0;	/* answers for the old connection */
	c->ka_marked = false;
	lt_connq_lost(&c->cq);
	c->draining = false;
	c->retry_at = now + retry_in;
	c->st.losses++;
	change_state(c, LT_CONN_DOWN, now, why);
}

static void
start_connect(struct lt_conn *c, uint64_t now)
{
	int one = 1;

	c->fd = socket(c->p.peer.sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		c->retry_at = now + c->p.reconnect_ns;
		log_warn("agency %s %s: socket: %s", c->p.agency_id, c->p.hi, strerror(errno));
		return;
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (const struct sockaddr *)&c->p.peer.sa, c->p.peer.salen) == 0 ||
	    errno == EINPROGRESS) {
		c->next_rx = now;
		change_state(c, LT_CONN_CONNECTING, now, NULL);
		return;
	}
	close(c->fd);
	c->fd = -1;
	c->retry_at = now + c->p.reconnect_ns;
}

/* A handshake that failed or met the wrong peer: counted, logged, retried; never plain. */
static void
tls_failed(struct lt_conn *c, uint64_t now, const char *why)
{
	c->st.tls_failures++;
	log_warn("agency %s %s %s: TLS handshake failed (%llu so far), retrying in %.2f s: %s",
	    c->p.agency_id, c->p.hi, c->peer_text, (unsigned long long)c->st.tls_failures,
	    (double)c->p.reconnect_ns / NS_PER_S, why);
	xport_close(c);
	c->retry_at = now + c->p.reconnect_ns;
	c->state = LT_CONN_DOWN;
}

/* 1 when the handshake is done, 0 while it goes on, -1 when it failed. */
static int
tls_step(struct lt_conn *c, uint64_t now)
{
	char err[192];
	int r;

	if (c->tls == NULL) {
		if ((c->tls = lt_tls_new(c->p.tls, c->fd, err, sizeof(err))) == NULL) {
			tls_failed(c, now, err);
			return -1;
		}
		c->hs_start = now;
		/* A peer that accepts and says nothing is given TIME3, as a keep-alive. */
		c->hs_deadline = now + c->p.ka_timeout_ns;
	}
	r = lt_tls_handshake(c->tls);
	if (r < 0) {
		snprintf(err, sizeof(err), "%s", lt_tls_why(c->tls));
		tls_failed(c, now, err);
		return -1;
	}
	if (r == 0) {
		if (now >= c->hs_deadline) {
			tls_failed(c, now, "the peer did not complete the handshake in time");
			return -1;
		}
		return 0;
	}
	c->st.tls_hs_us = (int64_t)(lt_mono_ns() - c->hs_start) / 1000;
	log_info("agency %s %s %s: TLS %s, peer verified, handshake %.1f ms", c->p.agency_id,
	    c->p.hi, c->peer_text, lt_tls_describe(c->tls, err, sizeof(err)),
	    (double)c->st.tls_hs_us / 1000);
	return 1;
}

static void
check_connected(struct lt_conn *c, uint64_t now)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLOUT };
	int err = 0;
	socklen_t len = sizeof(err);

	if (now < c->next_rx)
		return;
	c->next_rx = now + RX_POLL_NS;
	if (c->tls != NULL) {
		if (tls_step(c, now) <= 0)
			return;
		goto up;
	}
	if (poll(&pfd, 1, 0) <= 0)
		return;
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err != 0) {
		close(c->fd);
		c->fd = -1;
		c->retry_at = now + c->p.reconnect_ns;
		/* Not a state change worth a line each retry: stays down. */
		c->state = LT_CONN_DOWN;
		return;
	}
	if (c->p.tls != NULL && tls_step(c, now) <= 0)
		return;
up:
	c->st.connects++;
	c->last_tx = now;
	c->down_since = 0;
	change_state(c, LT_CONN_UP, now, NULL);
}

/*
 * A keep-alive or its answer, ahead of whatever records wait: it goes out as
 * soon as the record in flight (if any) is complete (TS 102 232-1: never
 * behind a backlog).
 */
static void
queue_keepalive(struct lt_conn *c, int response, uint32_t seq)
{
	int n;

	if (c->pri_sent == c->pri_len)
		c->pri_len = c->pri_sent = 0;
	n = etsi_keepalive_encode(c->pri + c->pri_len, sizeof(c->pri) - c->pri_len,
	    &c->ka_tmpl, seq, lt_wall_now(), response);
	if (n < 0) {
		c->st.ka_dropped++;
		return;
	}
	/* The encoder wrote at the end of the room given: move it to the front. */
	memmove(c->pri + c->pri_len, c->pri + sizeof(c->pri) - n, (size_t)n);
	c->pri_len += (size_t)n;
}

/* Bytes from the agency: keep-alive responses, or keep-alives to answer. */
static void
handle_rx(struct lt_conn *c, uint64_t now)
{
	char err[128];
	ssize_t n;

	n = xport_recv(c, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen);
	if (n == 0) {
		if (c->state == LT_CONN_FINISHING) {
			xport_close(c);
			/* the agency read all there was before it closed: confirmed */
			lt_connq_confirm(&c->cq, c->cq.wend);
			change_state(c, LT_CONN_CLOSED, now, "delivered, closed by peer");
			return;
		}
		teardown(c, now, 0, "closed by peer");
		return;
	}
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			teardown(c, now, 0, xport_why(c));
		return;
	}
	c->rlen += (size_t)n;
	for (;;) {
		struct etsi_pdu pdu;
		size_t plen;
		int r = etsi_pdu_frame(c->rbuf, c->rlen, &plen, err, sizeof(err));

		if (r == 0 && c->rlen == sizeof(c->rbuf))
			r = -1;
		if (r == 0)
			break;
		if (r < 0 || etsi_pdu_decode(c->rbuf, plen, &pdu, err, sizeof(err)) < 0) {
			c->st.peer_garbage++;
			log_warn("agency %s %s: undecodable bytes from the agency: %s",
			    c->p.agency_id, c->p.hi, err);
			c->rlen = 0;
			break;
		}
		if (pdu.kind == ETSI_KIND_KEEPALIVE_RESPONSE) {
			if (c->ka_deadline != 0)
				c->st.ka_rtt_us = (int64_t)(lt_mono_ns() - c->ka_queued_at) / 1000;
			if (c->ka_marked)
				lt_connq_confirm(&c->cq, c->ka_mark);
			c->ka_marked = false;
			c->ka_deadline = 0;
			c->st.ka_answered++;
		} else if (pdu.kind == ETSI_KIND_KEEPALIVE) {
			c->st.ka_received++;
			queue_keepalive(c, 1, pdu.seq);
		}
		memmove(c->rbuf, c->rbuf + plen, c->rlen - plen);
		c->rlen -= plen;
	}
}

/*
 * Written records wait in the window until a keep-alive's response confirms
 * them: one is asked for when a quarter of the window is waiting, or every
 * CONFIRM_NS while anything is.
 */
static bool
want_confirm(const struct lt_conn *c, uint64_t now)
{
	uint64_t w = lt_connq_unconfirmed(&c->cq);

	return w > 0 && (w >= c->cq.wcap / 4 || now - c->ka_queued_at >= CONFIRM_NS);
}

/* Up with a backlog (read back from the spool, or resent after a loss) is "draining". */
static void
note_draining(struct lt_conn *c)
{
	bool d = c->cq.spilling || c->cq.from_spool > 0 || c->cq.wcur < c->cq.wend;

	if (d == c->draining)
		return;
	c->draining = d;
	log_info("agency %s %s %s: %s -> %s", c->p.agency_id, c->p.hi, c->peer_text,
	    d ? "up" : "draining", d ? "draining" : "up");
}

/* Writes what it can: keep-alive bytes first at a record boundary, then records. */
static void
handle_tx(struct lt_conn *c, uint64_t now)
{
	for (;;) {
		size_t left = 0, len = 0;
		const uint8_t *rec = lt_connq_peek(&c->cq, &len, &left);
		bool pri = c->pri_sent < c->pri_len && left == 0;
		const uint8_t *p;
		ssize_t n;

		if (pri) {
			if (c->ka_deadline != 0 && !c->ka_marked) {
				/* every byte written so far goes before our keep-alive */
				c->ka_mark = lt_connq_mark(&c->cq);
				c->ka_marked = true;
			}
			p = c->pri + c->pri_sent;
			len = c->pri_len - c->pri_sent;
		} else if ((p = rec) != NULL) {
			if (c->pri_sent < c->pri_len && left > 0 && len > left)
				len = left;	/* finish this record, then the keep-alive */
		} else {
			p = NULL;	/* nothing new: the transport's own bytes, if any */
			len = 0;
		}
		n = xport_send(c, p, len);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				teardown(c, now, 0, xport_why(c));
			return;
		}
		if (len == 0)
			return;
		c->st.bytes_sent += (uint64_t)n;
		c->last_tx = now;
		if (pri)
			c->pri_sent += (size_t)n;
		else
			c->st.records_sent += lt_connq_written(&c->cq, (size_t)n);
		if ((size_t)n < len)
			return;
	}
}

void
lt_conn_service(struct lt_conn *c, uint64_t now)
{
	if (lt_connq_idle(&c->cq))
		c->backlog_since = 0;
	else if (c->backlog_since == 0)
		c->backlog_since = now;
	if (c->cq.ow_seen != c->ow_logged && now >= c->ow_log_at) {
		c->ow_logged = c->cq.ow_seen;
		c->ow_log_at = now + NS_PER_S;
		log_warn("agency %s %s: the spool's quota is full: %lu records overwritten so "
		    "far, oldest first (per warrant and CIN: lawtap status --json)",
		    c->p.agency_id, c->p.hi, (unsigned long)c->ow_logged);
	}
	if (c->cq.sp != NULL && now - c->last_sync >= SPOOL_SYNC_NS) {
		c->last_sync = now;
		if (lt_spool_sync(c->cq.sp) < 0)
			log_warn("agency %s %s: %s", c->p.agency_id, c->p.hi,
			    lt_spool_errmsg(c->cq.sp));
	}
	switch (c->state) {
	case LT_CONN_DOWN:
	case LT_CONN_CONNECTING:
		if (c->p.unreachable_ns && now - c->down_since >= c->p.unreachable_ns) {
			xport_close(c);
			change_state(c, LT_CONN_FAILED, now, "unreachable, giving up");
			return;
		}
		if (c->state == LT_CONN_DOWN) {
			if (now >= c->retry_at)
				start_connect(c, now);
		} else {
			check_connected(c, now);
		}
		return;
	case LT_CONN_UP:
		/* Records are batched into few large writes, not a syscall each. */
		if (c->cq.spilling && lt_connq_refill(&c->cq) < 0 && !c->refill_failed) {
			c->refill_failed = true;
			log_warn("agency %s %s: %s", c->p.agency_id, c->p.hi, c->cq.spool_err);
		}
		note_draining(c);
		if (now - c->last_tx_try >= TX_INTERVAL_NS || c->cq.q.used >= TX_BATCH_BYTES ||
		    c->finish) {
			c->last_tx_try = now;
			handle_tx(c, now);
			if (c->state != LT_CONN_UP)
				return;
		}
		if (now >= c->next_rx) {
			c->next_rx = now + RX_POLL_NS;
			handle_rx(c, now);
			if (c->state != LT_CONN_UP)
				return;
		}
		if (c->ka_deadline && now >= c->ka_deadline) {
			c->st.ka_timeouts++;
			teardown(c, now, 0, "no keep-alive response");
			return;
		}
		if (lt_connq_idle(&c->cq) && c->pri_sent == c->pri_len && c->finish &&
		    xport_pending(c) == 0) {
			xport_shutdown(c);
			c->finish_deadline = now + FINISH_WAIT_NS;
			change_state(c, LT_CONN_FINISHING, now, "all records written");
			return;
		}
		/*
		 * TIME1 without a byte written, idle or stuck behind a peer that
		 * does not read: a keep-alive, ahead of any backlog.
		 */
		if (c->ka_deadline == 0 && ((c->p.keepalive_ns &&
		    now - c->last_tx >= c->p.keepalive_ns) || want_confirm(c, now))) {
			queue_keepalive(c, 0, c->ka_seq++);
			c->st.ka_sent++;
			c->ka_deadline = now + c->p.ka_timeout_ns;
			c->ka_queued_at = now;
			handle_tx(c, now);
		}
		return;
	case LT_CONN_FINISHING:
		if (now >= c->next_rx) {
			c->next_rx = now + RX_POLL_NS;
			handle_rx(c, now);
		}
		if (c->state == LT_CONN_FINISHING && now >= c->finish_deadline) {
			xport_close(c);
			change_state(c, LT_CONN_CLOSED, now, "delivered, peer did not close in time");
		}
		return;
	case LT_CONN_CLOSED:
	case LT_CONN_FAILED:
		return;
	}
}

uint64_t
lt_conn_overwritten(const struct lt_conn *c)
{
	struct lt_spool_stats st;

	if (c->cq.sp == NULL)
		return 0;
	lt_spool_stats(c->cq.sp, &st);
	return st.overwritten + c->cq.spool_errors;
}
