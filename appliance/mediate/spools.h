/* spools.h - the spool directories and key of a running appliance: one spool per agency and HI. */
#ifndef LT_SPOOLS_H
#define LT_SPOOLS_H

#include <stddef.h>
#include <stdint.h>

#include "mediate/spool.h"
#include "mgmt/config.h"

/*
 * The spool key, derived from the store's data key (unlocked with the
 * machine key in state_dir), into key (LT_SPOOL_KEY_LEN bytes the caller
 * sodium_malloc'd).  0, or -1 with a message.
 */
int lt_spools_key(const char *state_dir, uint8_t *key, char *err, size_t errlen);

/*
 * Opens the spool of an agency's HI ("HI2" or "HI3") under the configured
 * directory (or state_dir/spool), creating the directories 0700.  *sp is
 * NULL when the configuration has no spool.  0, or -1 with a message.
 */
int lt_spools_open(const struct lt_config *cfg, uint32_t agency, const char *hi,
    const char *state_dir, const uint8_t *key, struct lt_spool **sp, char *err,
    size_t errlen);

#endif
