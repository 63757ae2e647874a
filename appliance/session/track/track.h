/* track.h - subscriber sessions learnt from AAA traffic, and the intercepts of target sessions. */
#ifndef LT_TRACK_H
#define LT_TRACK_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "mediate/deliver.h"
#include "mgmt/config.h"

#define LT_NONE		UINT32_MAX
#define LT_ICEPT_BIT	0x80000000u	/* in lt_meta.warrant[]: an intercept, not a warrant */
#define LT_SESS_V6	3		/* IPv6 addresses/prefixes a session keeps */
#define LT_BSET_MAX	8		/* intercepts (warrants) of one target session */
#define LT_V6_MIN_PREFIX 48		/* shorter IPv6 prefixes are refused as absurd */

/* One address or prefix a session holds. */
struct lt_saddr {
	uint8_t family, len;
	uint8_t a[16];
};

#define LT_POP_ID_MAX	128

/* Where the target's access session comes in: the NAS, from the request that made it. */
struct lt_pop {
	uint8_t family, has_port, id_len, port_id_len;
	uint32_t port;			/* NAS-Port */
	uint8_t addr[16];		/* NAS-IP(v6)-Address, else the NAS's packet address */
	uint8_t id[LT_POP_ID_MAX];	/* NAS-Identifier */
	uint8_t port_id[253];		/* NAS-Port-Id */
};

/*
 * An intercept: one warrant on one access session of its target, with its
 * own CIN.  own.cc_seq is the agency owner's; own.iri_seq and the rest the
 * session lcore's.
 */
struct lt_icept {
	struct lt_wown own;		/* must stay first */
	uint32_t warrant;
	uint32_t cin;
	uint32_t sess;			/* session slot */
	uint32_t next;			/* next intercept of the same session */
	uint16_t holds;			/* pending replies that will still be CC */
	uint8_t dead;			/* its session is over: free when holds is 0 */
	uint8_t server;			/* the AAA server */
	uint8_t auth_type;		/* authenticationType: 2 RADIUS, 3 DHCP */
	uint32_t access_type;		/* internetAccessType, from the server's config */
	int64_t expected_end_us;	/* DHCP: the lease's end; 0 if none */
	struct lt_pop pop;
	uint8_t netid_len, cpe_len;
	uint8_t netid[20];		/* targetNetworkID: the MAC as text */
	uint8_t cpe[128];		/* targetCPEID: the relay's circuit ID */
	uint8_t uname_len;
	uint8_t uname[LT_IDENT_MAX];	/* targetUsername */
};

/* What workers find for a bound address: the intercepts to copy a packet to. */
struct lt_bset {
	volatile int64_t expire_us;	/* DHCP lease end: no CC from then on */
	uint32_t n;
	uint32_t icept[LT_BSET_MAX];
};

/* Messages through an owner's ring, in an mbuf's lt_meta.kind. */
enum lt_msg_kind {
	LT_MSG_PACKET = 0,	/* a captured packet for the warrants in lt_meta */
	LT_MSG_IRI,		/* an encoded IRI record for an agency's HI2 */
	LT_MSG_RETIRE,		/* an intercept nobody references any more: free it */
	LT_MSG_CC,		/* an encoded CC record for an agency's HI3 (VoIP) */
};

struct lt_track_stats {
	uint64_t aaa_packets, aaa_malformed, aaa_bad_auth, aaa_unmatched_reply;
	uint64_t aaa_retransmit, aaa_fragments, aaa_not_udp;
	uint64_t sessions, sessions_full, session_starts, session_ends;
	uint64_t stop_without_start, absurd_prefix, too_many_addrs;
	uint64_t nas_reboots, access_rejects, access_failed;
	uint64_t target_sessions, icepts_full, iri_lost, bind_full;
	uint64_t handoff_full;
};

struct lt_worker;

/* Sets up the tables when the config has an aaa section or identity warrants. */
int lt_track_init(const struct lt_config *cfg, int socket);
void lt_track_free(void);
extern bool lt_track_on;	/* the tables are set up: read on every filter hit */
static inline bool
lt_track_enabled(void)
{
	return lt_track_on;
}

/* Worker side, per packet that hit the filter: the intercepts of its bound addresses. */
const struct lt_bset *lt_track_lookup(uint8_t family, const uint8_t *addr);
static inline struct lt_icept *lt_track_icept(uint32_t id);
/*
 * Is this IP packet AAA traffic (or a fragment to/from an AAA server)?  Then
 * it is handed to the session lcore (refcount taken) and true returned.
 */
bool lt_track_aaa(struct lt_worker *w, struct rte_mbuf *m, uint8_t family,
    const uint8_t *l3, uint32_t l3_len, int64_t ts_us);
/* Session lcore: AAA packets handed over, timers, retired intercepts. */
void lt_track_poll(struct lt_worker *w, int64_t clock_us);
void lt_track_online(unsigned worker);
void lt_track_offline(unsigned worker);
/* FLUSH: the last AAA packets and timers, at the final clock. */
void lt_track_flush(struct lt_worker *w, int64_t clock_us);
/* Workers: they hold no binding from before this call (RCU quiescent state). */
void lt_track_quiescent(unsigned worker);
/* Owner side: a message mbuf from the ring; LT_NO_ROOM to retry later. */
enum lt_deliver_result lt_track_message(struct lt_worker *w, struct rte_mbuf *m);
const struct lt_track_stats *lt_track_stats(void);
/* Live apply: the identity index of a reload (main lcore), swapped in by the session lcore. */
void *lt_track_idents_build(const struct lt_config *cfg, const uint32_t *slot_of, uint32_t *n);
void lt_track_idents_swap(void *v, uint32_t n);
void lt_track_new_warrants(uint32_t first_new);

/* The next CIN a session of the warrant in slot gets (0: none given yet); read by any lcore. */
uint32_t lt_track_next_cin(uint32_t slot);
/* Before the workers start: where a restart left that counter. */
void lt_track_set_next_cin(uint32_t slot, uint32_t cin);

/* The session intercept a spool stream id names, if one has it (status only: a scan). */
int lt_track_find_sid(uint32_t sid, uint32_t *slot, uint32_t *cin);

extern struct lt_icept *lt_icepts;
static inline struct lt_icept *
lt_track_icept(uint32_t id)
{
	return &lt_icepts[id];
}

#endif
