/* deliver.h - turn a match or an event into an ETSI record on an agency's connection. */
#ifndef LT_DELIVER_H
#define LT_DELIVER_H

#include <stdint.h>

#include "etsi/etsi.h"
#include "mediate/conn.h"
#include "mediate/integ.h"
#include "mgmt/config.h"

/*
 * A warrant's numbers as they move, in a tmpfs file that outlives a SIGKILL
 * (seqkeep.c); named by a keyed hash, never the LIID.
 */
struct lt_seqshadow {
	uint64_t ident;
	uint32_t cin, cc_seq, iri_seq;
	uint8_t iri_state, used;
};

/* What the agency's owner keeps per warrant: touched by that lcore only. */
struct lt_wown {
	struct etsi_tmpl tmpl;		/* PSHeader prefix: LIID, CIN, identifiers */
	uint32_t cc_seq, iri_seq;	/* next sequenceNumber, per (LIID, CIN) */
	uint8_t iri_state;		/* LT_IRI_NONE, _BEGUN, _ENDED */
	uint64_t cc_lost;		/* records this warrant lost to a full queue */
	struct lt_integ *integ;		/* the agency asks for integrityCheck TRIs, else NULL */
	uint32_t sid;			/* the spool's opaque name for this (LIID, CIN) */
	uint8_t reset;			/* LT_RESET_*: a cINReset goes first on that HI */
	struct lt_seqshadow *sh;	/* where the numbers outlive a kill, or NULL */
};

enum { LT_IRI_NONE, LT_IRI_BEGUN, LT_IRI_ENDED };

/* After a restart that could not keep the sequence numbers. */
#define LT_RESET_IRI	1
#define LT_RESET_CC	2

/*
 * The key that turns (LIID, CIN) into a stream id for the spool (16 bytes;
 * until set, every id is 0).  Set once, before any lt_wown_init.
 */
void lt_deliver_sid_key(const uint8_t key[static 16]);

enum lt_deliver_result {
	LT_DELIVERED = 0,
	LT_NO_ROOM,		/* the queue is full: try again later, or count a loss */
	LT_UNDELIVERABLE,	/* the connection gave up */
};

int lt_wown_init(struct lt_wown *o, const struct lt_config *cfg, uint32_t warrant);
/* The same for one of the warrant's access sessions, which has a CIN of its own. */
int lt_wown_init_cin(struct lt_wown *o, const struct lt_config *cfg, uint32_t warrant,
    uint32_t cin);
/* The same for a warrant record (cfg gives the agencies and the operator). */
int lt_wown_init_rec(struct lt_wown *o, const struct lt_config *cfg, const struct lt_warrant *w,
    uint32_t cin);

/*
 * The cINReset a restart owes on this HI (which: LT_RESET_IRI or _CC), if
 * any; LT_DELIVERED when there was none or it was queued.
 */
enum lt_deliver_result lt_deliver_reset(struct lt_conn *c, struct lt_wown *o, uint8_t which,
    struct etsi_time ts);

/* One IPCC record: the IP packet pkt[0..len) captured at ts. */
enum lt_deliver_result lt_deliver_cc(struct lt_conn *c, struct lt_wown *o,
    struct etsi_time ts, enum etsi_dir dir, const uint8_t *pkt, uint32_t len);

/*
 * IRI-Begin/IRI-End for a warrant whose window the clock has entered or left,
 * one per target prefix.  Moves o->iri_state; LT_NO_ROOM leaves it unchanged
 * so that the caller retries.
 */
enum lt_deliver_result lt_deliver_window_iri(struct lt_conn *c, struct lt_wown *o,
    const struct lt_warrant *w, int64_t start_us, int64_t end_us, int64_t clock_us,
    int64_t first_us);

#endif
