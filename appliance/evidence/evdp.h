/* evdp.h - the data plane's integrityCheck TRIs and evidence stores: setup, owner tick and flush, teardown. */
#ifndef LT_EVDP_H
#define LT_EVDP_H

#include <stdbool.h>
#include <stdint.h>

#include "mgmt/config.h"

struct lt_worker;

/* After the agencies' connections, before the slots: keys, integrity state, evidence stores. */
int lt_dp_ev_setup(const struct lt_config *cfg);
/* The slot's own integrity streams if its agency asks (after lt_wown_init); -1: no memory. */
int lt_dp_ev_slot(uint32_t slot);
/* Owner: integrity runs and evidence files that are due at clock_us. */
void lt_dp_ev_tick(struct lt_worker *w, int64_t clock_us);
/* Owner, at the end: the partial runs of its agencies; true once all are queued. */
bool lt_dp_ev_flush(struct lt_worker *w);
/* After the workers stopped: closes the evidence stores, frees keys and state. */
void lt_dp_ev_teardown(const struct lt_config *cfg);

#endif
