/* sipstream.h - SIP over TCP: each direction of a flow reassembled and cut into messages (pure C). */
#ifndef LT_SIPSTREAM_H
#define LT_SIPSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "session/sip/sip.h"

/* One direction of a TCP connection. */
struct sipstream_key {
	uint8_t family;		/* 4 or 6 */
	uint16_t sport, dport;
	uint8_t src[16], dst[16];
};

#define SIPSTREAM_SYN	0x02
#define SIPSTREAM_FIN	0x01
#define SIPSTREAM_RST	0x04

struct sipstream_stats {
	uint64_t segments, messages, keepalives;
	uint64_t dup_bytes;		/* retransmitted bytes dropped */
	uint64_t gaps;			/* a segment past a hole: what was buffered is lost */
	uint64_t skipped;		/* bytes dropped while looking for a start line */
	uint64_t unterminated;		/* a flow closed or expired inside a message */
	uint64_t too_long;		/* a message over max_buffered */
	uint64_t flows_full;
	uint64_t frame_err[SIP_NERR];	/* the framer refused the stream: -enum sip_err */
};

struct sipstream_cfg {
	uint32_t max_flows;
	uint32_t max_buffered;		/* a message may be this long (default 128 KB) */
	int64_t idle_us;		/* a flow without segments this long is dropped (default 15 min) */
	const uint8_t *hash_key;	/* 16 bytes; NULL: random */
	/* One message; msg is valid during the call only. */
	void (*msg)(void *ctx, const struct sipstream_key *k, const uint8_t *msg,
	    size_t len, int64_t ts_us);
	void *ctx;
};

struct sipstream;

struct sipstream *sipstream_new(const struct sipstream_cfg *cfg);
void sipstream_free(struct sipstream *s);

/*
 * One TCP segment (flags SIPSTREAM_*): its payload is appended at seq,
 * retransmitted bytes are dropped, every whole message is handed to the
 * callback.  A flow first seen without its SYN, or after a hole or a
 * framing error, is read from the next line that looks like a start line.
 */
void sipstream_input(struct sipstream *s, const struct sipstream_key *k,
    uint32_t seq, uint8_t flags, const uint8_t *payload, size_t len,
    int64_t ts_us);

/* Drops flows idle past idle_us. */
void sipstream_tick(struct sipstream *s, int64_t now_us);

const struct sipstream_stats *sipstream_stats(const struct sipstream *s);
uint32_t sipstream_flows(const struct sipstream *s);

#endif
