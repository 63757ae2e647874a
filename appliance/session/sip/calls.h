/* calls.h - SIP calls of target identities: dialogs, CINs, IRI types, media endpoints (pure C). */
#ifndef LT_SIP_CALLS_H
#define LT_SIP_CALLS_H

#include <stddef.h>
#include <stdint.h>

#include "session/sip/sip.h"
#include "session/sip/sipuri.h"

#define SIPCALL_ICEPT_MAX	4	/* warrants on one call */
#define SIPCALL_STREAMS		4	/* m= lines followed per call */
#define SIPCALL_SID_MAX		4	/* streamIdentifier: the m= line index, "0".."3" */

/*
 * A warrant's SIP identity: "sip:user@host" (also matches sips:), "tel:+N"
 * (also a sip: URI whose user part is that number), "sip:user@*" (the user
 * part in any domain) or "sip:*@host" (a whole domain).
 */
enum sipcall_tkind {
	SIPCALL_T_URI = 1,	/* v: the sipuri_norm form */
	SIPCALL_T_USER,		/* v: the user part, escapes decoded */
	SIPCALL_T_DOMAIN,	/* v: the host in lower case */
};

struct sipcall_target {
	uint32_t warrant;
	uint8_t kind;		/* enum sipcall_tkind */
	uint8_t from_ok;	/* From may name the target (it is spoofable) */
	uint16_t len;
	uint8_t v[SIPURI_NORM_MAX];
};

/*
 * Parses a warrant's identity into t (warrant and from_ok are left to the
 * caller): 0, or -1 with why in err (never quoting the identity).
 */
int sipcall_target_parse(const char *s, size_t len, struct sipcall_target *t,
    char *err, size_t errlen);

/* An address and port as seen on the wire: family 4 or 6, network order. */
struct sipcall_ep {
	uint8_t family;
	uint16_t port;
	uint8_t addr[16];
};

/* One SIP message with where it was seen. */
struct sipcall_pkt {
	const uint8_t *msg;	/* the SIP message (UDP payload, or one framed from TCP) */
	size_t len;
	struct sipcall_ep src, dst;
	int64_t ts_us;
};

/*
 * What the tracker asks to send: the message as IPMMIRI of one intercept.
 * For a call that ends by timeout, pkt is NULL (type is End) and src/dst
 * are those of the call's last message.
 */
struct sipcall_iri {
	uint32_t warrant, cin;
	uint8_t iri_type;		/* enum etsi_iri_type */
	const struct sipcall_pkt *pkt;
	const struct sipcall_ep *src, *dst;
	int64_t ts_us;
};

enum sipcall_err {
	SIPCALL_E_PARSE = SIP_NERR,	/* sip_parse refused it: counted by its own code */
	SIPCALL_E_SDP,			/* a body that is not a usable SDP */
	SIPCALL_E_CALLS_FULL,		/* no room for another call */
	SIPCALL_E_ICEPTS_FULL,		/* more warrants on one call than SIPCALL_ICEPT_MAX */
	SIPCALL_E_MEDIA_FULL,		/* no room for another media endpoint */
	SIPCALL_E_STREAMS,		/* m= lines past SIPCALL_STREAMS */
	SIPCALL_E_AFTER_END,		/* a message of a call already ended (a late ACK, a retransmission) */
	SIPCALL_E_URI,			/* a URI in a matched header that does not parse */
};
#define SIPCALL_NERR	(SIPCALL_E_URI + 1)

struct sipcall_stats {
	uint64_t messages, matched, unrelated;
	uint64_t calls, calls_ended, calls_timed_out, iris;
	uint64_t media_hits, media_latched;
	uint64_t err[SIPCALL_NERR];	/* [0..SIP_NERR): -sip_err of refused messages */
};

struct sipcalls_cfg {
	uint32_t max_calls;		/* calls tracked at once */
	uint32_t max_media;		/* media endpoints at once; 0: 8 per call */
	int64_t setup_us;		/* no final answer to the INVITE this long: End (default 180 s) */
	int64_t idle_us;		/* no message of an answered call this long: End (default 2 h) */
	int64_t bye_us;			/* BYE not answered this long: End (default 32 s) */
	int64_t linger_us;		/* an ended call absorbs retransmissions this long (default 32 s) */
	const struct sipcall_target *targets;
	uint32_t ntargets;
	const uint8_t *hash_key;	/* 16 bytes; NULL: random */
	uint32_t first_cin;		/* CINs are given from here on, one per (call, warrant) */
	void (*iri)(void *ctx, const struct sipcall_iri *ev);
	/* Optional: a media endpoint's address is now held once more (+1) or once less (-1). */
	void (*media_ep)(void *ctx, const struct sipcall_ep *ep, int delta);
	void *ctx;
};

struct sipcalls;

/* NULL if out of memory or the config is unusable (no callback, max_calls 0). */
struct sipcalls *sipcalls_new(const struct sipcalls_cfg *cfg);
void sipcalls_free(struct sipcalls *t);

/*
 * One SIP message: an IRI for each intercept of its call (a call is made
 * when a message of a Call-ID not yet tracked names a target).  Returns 1
 * if the message belongs to an intercepted call, 0 if not, or a negative
 * -enum sipcall_err / enum sip_err (counted) for input that was dropped.
 */
int sipcalls_input(struct sipcalls *t, const struct sipcall_pkt *p);

/* Timers: ends calls whose timeout has passed, frees lingering ones. */
void sipcalls_tick(struct sipcalls *t, int64_t now_us);

/* The intercepts of the call a media packet belongs to. */
struct sipcall_hit {
	uint32_t call;
	uint8_t n;
	uint8_t sid_len;
	uint8_t sid[SIPCALL_SID_MAX];
	struct {
		uint32_t warrant, cin;
		uint8_t dir;		/* enum etsi_dir of this warrant's target */
	} ic[SIPCALL_ICEPT_MAX];
};

/*
 * A UDP packet src -> dst: 1 and hit filled if it goes to or comes from a
 * media endpoint of an intercepted call (a sender the SDP did not name is
 * latched as its side's address, once per stream), else 0.
 */
int sipcalls_media(struct sipcalls *t, const struct sipcall_ep *src,
    const struct sipcall_ep *dst, struct sipcall_hit *hit);

/*
 * A live reload's targets.  sipcall_targets_new copies v and indexes it
 * with t's hash key (fixed at sipcalls_new), so any thread may build it
 * while t runs; NULL if out of memory.
 */
struct sipcall_targets;
struct sipcall_targets *sipcall_targets_new(const struct sipcalls *t,
    const struct sipcall_target *v, uint32_t n);
void sipcall_targets_free(struct sipcall_targets *g);

/* t's thread: g becomes what messages are matched against; returns the previous targets. */
struct sipcall_targets *sipcalls_targets_swap(struct sipcalls *t, struct sipcall_targets *g);

/*
 * t's thread: each warrant w < n with ended[w] set leaves every call now,
 * with an End IRI (no message) for its CIN; the other warrants of a call go
 * on, and a call left with none ends.  Returns the intercepts ended.
 */
uint32_t sipcalls_end_warrants(struct sipcalls *t, const uint8_t *ended, uint32_t n,
    int64_t now_us);

const struct sipcall_stats *sipcalls_stats(const struct sipcalls *t);
/* Calls and media endpoints now tracked. */
uint32_t sipcalls_count(const struct sipcalls *t);
uint32_t sipcalls_media_count(const struct sipcalls *t);
/* Bytes the tracker holds per call slot (call, its share of the tables and endpoints). */
size_t sipcalls_bytes_per_call(const struct sipcalls *t);

/* "calls_full" ...: the counter name of a -enum sipcall_err (or of a sip_err). */
const char *sipcall_err_name(int e);

#endif
