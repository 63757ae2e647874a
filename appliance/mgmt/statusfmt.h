/* statusfmt.h - the daemon's status snapshot: to and from JSON, as text and as Prometheus metrics. */
#ifndef LT_STATUSFMT_H
#define LT_STATUSFMT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

/*
 * Counts and health only: nothing here can carry a LIID, a target or which
 * agency a warrant belongs to.  Agency ids name an agency, not a target.
 */
#define LT_STATUS_ID_MAX	32	/* as LT_AGENCY_ID_MAX; A-Z a-z 0-9 _ . - */
#define LT_STATUS_STATE_MAX	15	/* a connection state name; a-z - */
#define LT_STATUS_MAX_WORKERS	1024
#define LT_STATUS_MAX_AGENCIES	1024

struct lt_status_worker {
	uint64_t rx, bytes, not_ip, malformed, multiseg, matched, records;
	uint64_t ring_full, queue_full, undeliverable, too_many_warrants;
};

/* One handover connection (HI2 or HI3) of an agency. */
struct lt_status_hi {
	char state[LT_STATUS_STATE_MAX + 1];
	uint64_t records_sent, bytes_sent, queued, lost;
	uint64_t connects, losses, ka_sent, ka_answered;
	uint64_t queued_disk, spooled, resent, overwritten;
	int64_t ka_rtt_ms;		/* last keep-alive round trip, -1: none yet */
	uint64_t tls_failures;		/* TLS handshakes failed or refused (wrong peer) */
	uint64_t backlog_ms;		/* since nothing waited: the oldest record waits at most this */
};

struct lt_status_agency {
	char id[LT_STATUS_ID_MAX + 1];
	struct lt_status_hi hi2, hi3;
};

/* The session tracker's counters (the fields of struct lt_track_stats). */
struct lt_status_track {
	uint64_t aaa_packets, aaa_malformed, aaa_bad_auth, aaa_unmatched_reply;
	uint64_t aaa_retransmit, aaa_fragments, aaa_not_udp;
	uint64_t sessions, sessions_full, session_starts, session_ends;
	uint64_t stop_without_start, absurd_prefix, too_many_addrs;
	uint64_t nas_reboots, access_rejects, access_failed;
	uint64_t target_sessions, icepts_full, iri_lost, bind_full;
	uint64_t handoff_full;
};

struct lt_status {
	uint64_t uptime_s;
	uint32_t warrants_active;
	uint32_t nworkers, nagencies;
	struct lt_status_worker *workers;	/* [nworkers] */
	struct lt_status_agency *agencies;	/* [nagencies] */
	bool has_track;				/* the session tracker runs */
	struct lt_status_track track;
};

/* The "status" reply, {"ok": true, ...}: a new reference, or NULL without memory. */
json_t *lt_status_json(const struct lt_status *s);
/*
 * Reads a "status" reply back, checking every field; the arrays are
 * allocated (lt_status_free).  0, or -1 and a message in err.
 */
int lt_status_from_json(const json_t *reply, struct lt_status *s, char *err, size_t errlen);
void lt_status_free(struct lt_status *s);

/* For people, at most 79 columns wide; 0, or -1 when out cannot be written. */
int lt_status_text(const struct lt_status *s, FILE *out);
/* The Prometheus text exposition format (version 0.0.4). */
int lt_status_prometheus(const struct lt_status *s, FILE *out);

#endif
