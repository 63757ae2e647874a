/* voipdp.h - VoIP intercepts in the data path: SIP and media to the session lcore, records to owners. */
#ifndef LT_VOIPDP_H
#define LT_VOIPDP_H

#include <stdbool.h>
#include <stdint.h>

#include "mgmt/config.h"

extern bool lt_voip_on;		/* a sip section or SIP identities: the engine runs */

/* Session lcore's tables: from the config's sip section and the warrants' sip_uris. */
int lt_voip_init(const struct lt_config *cfg, int socket);
void lt_voip_free(void);

/*
 * A live reload.  Main lcore: the engine's warrants (by slot) and SIP
 * identities of cfg into *out (NULL if the engine does not run); 0, or -1
 * with why in err.  Session lcore, at the publish point: the identities
 * swapped in, slots s < nended with ended[s] set end their calls first.
 * Main lcore: an identity set never published.
 */
int lt_voip_reload_build(const struct lt_config *cfg, const uint32_t *slot_of,
    uint32_t nslots, void **out, char *err, size_t errlen);
void lt_voip_reload_publish(void *ids, const uint8_t *ended, uint32_t nended,
    int64_t now_us);
void lt_voip_reload_free(void *ids);

/*
 * Worker, for a packet that passed the filter: SIP to or from a SIP server
 * (or a fragment of one), or UDP to or from an address a call's media uses.
 * Lock-free; the caller hands the packet to the session lcore.
 */
bool lt_voip_wants(uint8_t family, const uint8_t *l3, uint32_t l3_len);

/* Session lcore: one packet lt_voip_wants took; timers. */
void lt_voip_process(const uint8_t *l3, uint32_t l3_len, int64_t ts_us);
void lt_voip_tick(int64_t clock_us);

#endif
