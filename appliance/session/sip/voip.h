/* voip.h - VoIP intercepts without DPDK: IP packets in, IPMMIRI and IPMMCC records out. */
#ifndef LT_VOIP_H
#define LT_VOIP_H

#include <stddef.h>
#include <stdint.h>

#include "etsi/etsi.h"
#include "session/sip/calls.h"
#include "session/sip/sipstream.h"

#define VOIP_PORTS_MAX	8
#define VOIP_IRI	1	/* voip_warrant.content bits */
#define VOIP_CC		2

/* What the records of one warrant carry; id.has_cin and id.cin are set per call. */
struct voip_warrant {
	struct etsi_ident id;
	uint8_t content;		/* VOIP_IRI | VOIP_CC */
	uint32_t ipmm_version;		/* 0: ETSI_IPMM_VERSION */
};

struct voip_stats {
	uint64_t packets, sip_udp, sip_tcp, media, not_ip, fragments, frag_lost;
	uint64_t records_iri, records_cc, encode_failed, icepts_full;
};

struct voip_cfg {
	struct sipcalls_cfg calls;	/* limits, targets (warrant = index into warrants) */
	uint32_t max_flows;		/* SIP over TCP flows (default 4096) */
	const struct voip_warrant *warrants;
	uint32_t nwarrants;
	uint16_t sip_ports[VOIP_PORTS_MAX];	/* UDP and TCP; none given: 5060 */
	uint8_t nports;
	/* One record for warrant's agency (HI2 if is_cc is 0, HI3 if 1); rec valid during the call. */
	void (*record)(void *ctx, uint32_t warrant, int is_cc, const uint8_t *rec,
	    size_t len);
	/* Optional: is the warrant's window open at ts?  A closed one gets no record (and no sequence number). */
	int (*active)(void *ctx, uint32_t warrant, int64_t ts_us);
	/* Optional: sipcalls_cfg.media_ep, passed through. */
	void (*media_ep)(void *ctx, const struct sipcall_ep *ep, int delta);
	void *ctx;
};

struct voip;

struct voip *voip_new(const struct voip_cfg *cfg);
void voip_free(struct voip *v);

/*
 * One IP packet (IPv4 or IPv6 header first) seen at ts: SIP on a SIP port
 * goes to the call tracker (TCP through reassembly per flow, IP fragments
 * reassembled first), a UDP packet of an intercepted call's media becomes
 * IPMMCC.  Returns 1 if the packet was SIP or intercepted media, else 0.
 */
int voip_packet(struct voip *v, const uint8_t *l3, size_t len, int64_t ts_us);

/* Timers of calls, TCP flows and fragments. */
void voip_tick(struct voip *v, int64_t now_us);

/*
 * A live reload: the warrants by index and the targets naming them.
 * voip_ids_new copies both and may run on another thread than v's (it only
 * reads v's fixed hash key); NULL if out of memory or nw is 0.  The
 * warrants' etsi_ident strings must outlive every record made from them.
 */
struct voip_ids;
struct voip_ids *voip_ids_new(const struct voip *v, const struct voip_warrant *w,
    uint32_t nw, const struct sipcall_target *t, uint32_t nt);
void voip_ids_free(struct voip_ids *ids);

/*
 * v's thread, between packets: warrants w < nended with ended[w] set end
 * their calls now (an End IRI per CIN, nothing after it), then ids becomes
 * what v matches and records with; a kept warrant (same index) keeps its
 * calls, CINs and sequence numbers.  Returns the previous set, to free.
 */
struct voip_ids *voip_ids_swap(struct voip *v, struct voip_ids *ids,
    const uint8_t *ended, uint32_t nended, int64_t now_us);

const struct voip_stats *voip_stats(const struct voip *v);
const struct sipcalls *voip_calls(const struct voip *v);
const struct sipstream *voip_streams(const struct voip *v);

#endif
