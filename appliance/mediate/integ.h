/* integ.h - integrityCheck TRIs (TS 102 232-1 7.2) on the streams of an agency that asks for them. */
#ifndef LT_INTEG_H
#define LT_INTEG_H

#include <stddef.h>
#include <stdint.h>

#include "etsi/etsi.h"
#include "mediate/conn.h"

#define LT_INTEG_EVERY_MAX	ETSI_IC_MAX_SEQS	/* hash_every and sign_every */

enum lt_integ_dt { LT_INTEG_IRI, LT_INTEG_CC };

struct lt_integ;		/* per (LIID, CIN): its IRI and CC streams */
struct lt_integ_agency;		/* an agency's settings, key and streams */

struct lt_integ_stats {
	uint64_t pdus, hashes, signatures;
	uint64_t no_room;		/* a due TRI waited for room in its queue */
	uint64_t dropped;		/* PDUs no hash covers (their connection failed) */
};

/*
 * hash_every 1..LT_INTEG_EVERY_MAX PDUs, hash_seconds > 0, sign_every
 * 1..LT_INTEG_EVERY_MAX hashes; sk (crypto_sign_SECRETKEYBYTES) stays the
 * caller's and must outlive it.  NULL if out of memory or out of range.
 */
struct lt_integ_agency *lt_integ_agency_new(uint32_t hash_every, uint32_t hash_seconds,
    uint32_t sign_every, const uint8_t *sk, struct lt_conn *hi2, struct lt_conn *hi3);
void lt_integ_agency_free(struct lt_integ_agency *ag);	/* and the streams it holds */
struct lt_integ_stats lt_integ_stats(const struct lt_integ_agency *ag);

/* A stream pair for the records made with tmpl (any lcore; NULL if ag is NULL or no memory). */
struct lt_integ *lt_integ_new(struct lt_integ_agency *ag, const struct etsi_tmpl *tmpl);
/* The owner: forgets the streams without a flush. */
void lt_integ_free(struct lt_integ *ig);

/*
 * Bytes the TRIs may take that nrec more records of stream dt can cause:
 * the caller reserves them in the same lt_conn_reserve as the records, so
 * that lt_integ_pdu always finds its room right behind them.
 */
size_t lt_integ_room(const struct lt_integ *ig, enum lt_integ_dt dt, unsigned nrec);

/*
 * The record der[0..len) with sequenceNumber seq, at ts_us, was just
 * committed to the stream's connection: hashes it, and queues a hash TRI (and
 * a signature TRI) when the run is full or older than hash_seconds.
 */
void lt_integ_pdu(struct lt_integ *ig, enum lt_integ_dt dt, uint32_t seq,
    const uint8_t *der, size_t len, int64_t ts_us);

/* The owner, now and then: hash TRIs for the runs older than hash_seconds at now_us. */
void lt_integ_tick(struct lt_integ_agency *ag, int64_t now_us);

/*
 * The stream pair ends (or the run does): hash TRIs for the partial runs,
 * then signature TRIs for the partial signature runs.  0 when done, -1 when
 * a queue has no room (call again; what was queued is not queued twice).
 */
int lt_integ_flush(struct lt_integ *ig, int64_t now_us);
int lt_integ_flush_all(struct lt_integ_agency *ag, int64_t now_us);

#endif
