/* conn.h - one handover connection (HI2 or HI3) to an agency: connect, send, keep-alive. */
#ifndef LT_CONN_H
#define LT_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "etsi/etsi.h"
#include "mediate/connq.h"
#include "mgmt/config.h"

struct lt_tls;
struct lt_tls_ctx;

enum lt_conn_state {
	LT_CONN_DOWN,		/* waiting to (re)connect */
	LT_CONN_CONNECTING,	/* non-blocking connect, then the TLS handshake, in progress */
	LT_CONN_UP,
	LT_CONN_FINISHING,	/* all sent, our side shut down, waiting for the peer's close */
	LT_CONN_CLOSED,		/* closed cleanly after everything was delivered */
	LT_CONN_FAILED,		/* gave up: unreachable for longer than allowed */
};

struct lt_conn_params {
	const char *agency_id;
	const char *hi;			/* "HI2" or "HI3" */
	struct lt_endpoint peer;
	uint64_t keepalive_ns;		/* TIME1 */
	uint64_t ka_timeout_ns;		/* TIME3 */
	uint64_t reconnect_ns;
	uint64_t unreachable_ns;	/* give up after this long down; 0 = never */
	size_t queue_bytes;
	struct lt_spool *spool;		/* records beyond queue_bytes go here; NULL: none */
	const char *qfile;		/* tmpfs file for the queue to outlive a kill; NULL: none */
	const struct etsi_ident *ka_ident;	/* identity used in keep-alive PDUs */
	struct lt_tls_ctx *tls;		/* the agency's TLS settings; NULL: plain TCP */
};

struct lt_conn_stats {
	uint64_t records_sent;
	uint64_t bytes_sent;
	uint64_t records_lost;		/* queue full */
	uint64_t connects;
	uint64_t losses;		/* connection lost or torn down */
	uint64_t ka_sent, ka_answered, ka_timeouts, ka_received;
	uint64_t peer_garbage;		/* undecodable bytes from the peer */
	uint64_t ka_dropped;		/* keep-alive answers with no room to wait */
	int64_t ka_rtt_us;		/* last keep-alive's round trip, -1 before the first */
	uint64_t tls_failures;		/* handshakes that failed or met the wrong peer */
	int64_t tls_hs_us;		/* last handshake's duration (TCP connected to done) */
};

struct lt_conn {
	struct lt_conn_params p;
	char peer_text[64];
	enum lt_conn_state state;
	bool finish;			/* deliver what is queued, then close */
	int fd;
	struct lt_tls *tls;		/* the TLS session on fd, from handshake to close */
	uint64_t hs_start, hs_deadline;
	struct lt_connq cq;
	uint64_t ka_mark;		/* what the outstanding keep-alive confirms */
	bool ka_marked;			/* its bytes went out: ka_mark is set */
	bool draining;			/* up, with a backlog from the spool or a loss */
	bool refill_failed;		/* reading the spool back failed: logged once */
	uint64_t last_sync;		/* of the spool */
	uint64_t ow_logged, ow_log_at;	/* overwritten records last logged, and when next */
	uint64_t backlog_since;		/* when records began to wait; 0: none waits */
	uint64_t retry_at, down_since, last_tx, last_tx_try, ka_deadline, next_rx;
	uint64_t ka_queued_at;		/* when the outstanding keep-alive was queued */
	uint64_t finish_deadline;
	uint32_t ka_seq;
	struct etsi_tmpl ka_tmpl;
	/* Keep-alives and answers go out at the next record boundary, not behind the queue. */
	uint8_t pri[4 * ETSI_TRI_MAX];
	size_t pri_len, pri_sent;
	uint8_t rbuf[2048];
	size_t rlen;
	struct lt_conn_stats st;
};

int lt_conn_init(struct lt_conn *c, const struct lt_conn_params *p, uint64_t now_ns);
void lt_conn_free(struct lt_conn *c);

/* Does whatever the connection needs now: connect, write, read, time out. */
void lt_conn_service(struct lt_conn *c, uint64_t now_ns);

/* Deliver everything queued, then close cleanly (or fail, if unreachable). */
void lt_conn_finish(struct lt_conn *c);

static inline bool
lt_conn_done(const struct lt_conn *c)
{
	return c->state == LT_CONN_CLOSED || c->state == LT_CONN_FAILED;
}

/* The caller encodes a record of at most max bytes at the returned place. */
static inline uint8_t *
lt_conn_reserve(struct lt_conn *c, size_t max)
{
	return lt_connq_reserve(&c->cq, max);
}

/* sid: the stream (LIID, CIN) the record belongs to, an opaque number. */
static inline void
lt_conn_commit_sid(struct lt_conn *c, size_t n, uint32_t sid)
{
	lt_connq_commit(&c->cq, n, sid);
}

static inline void
lt_conn_commit(struct lt_conn *c, size_t n)
{
	lt_connq_commit(&c->cq, n, 0);
}

const char *lt_conn_state_name(enum lt_conn_state s);

/* Records not yet written: in memory and in the spool. */
static inline uint64_t
lt_conn_backlog(const struct lt_conn *c)
{
	return c->cq.q.records + lt_connq_spool_records(&c->cq) - c->cq.from_spool;
}

/* Records the spool's quota dropped, and records the spool refused. */
uint64_t lt_conn_overwritten(const struct lt_conn *c);

/* Monotonic and wall clocks in the units the connection code uses. */
uint64_t lt_mono_ns(void);
struct etsi_time lt_wall_now(void);

#endif
