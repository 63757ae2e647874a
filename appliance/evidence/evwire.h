/* evwire.h - capture-to-disk of the CC packets of warrants with evidence = true, by their owner lcore. */
#ifndef LT_EVWIRE_H
#define LT_EVWIRE_H

#include <stddef.h>
#include <stdint.h>

#include "mgmt/config.h"

struct lt_evwire;

struct lt_evwire_stats {
	uint64_t packets, bytes;
	uint64_t failures;		/* packets a failed store could not take */
	uint32_t stores, failed;	/* stores open, stores that failed */
};

/* Loads the evidence key of conf (sodium memory); nslots warrants at most.  NULL + err. */
struct lt_evwire *lt_evwire_new(const struct lt_ev_conf *conf, uint32_t nslots,
    char *err, size_t errlen);
/*
 * Opens warrant slot's store in conf->dir/w-<id>, where id is a keyed hash
 * of the LIID (stable across restarts, names no target), for the lcore
 * owner.  0, or -1 + err (which names the slot, not the warrant).
 */
int lt_evwire_open(struct lt_evwire *e, uint32_t slot, uint16_t owner,
    const struct lt_warrant *w, char *err, size_t errlen);

/* Owner: one CC packet of slot at ts_us (a no-op for a slot without a store). */
void lt_evwire_packet(struct lt_evwire *e, uint32_t slot, int64_t ts_us,
    const uint8_t *pkt, uint32_t len);
/* Owner, when idle: closes its stores' files that are max_seconds old at now_us. */
void lt_evwire_tick(struct lt_evwire *e, uint16_t owner, int64_t now_us);

struct lt_evwire_stats lt_evwire_stats(const struct lt_evwire *e);
/* After the workers stopped: closes (and lists) every store's last file, frees it all. */
int lt_evwire_free(struct lt_evwire *e);

#endif
