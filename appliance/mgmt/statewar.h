/* statewar.h - the daemon's warrants from the encrypted store in its state directory. */
#ifndef LT_STATEWAR_H
#define LT_STATEWAR_H

#include <stddef.h>
#include <stdint.h>

#include "mgmt/config.h"

/*
 * Opens the store in dir with the machine key (unattended: no passphrase),
 * checked against the audit log's last commit, and adds its active warrants
 * to cfg (after those of the configuration file).  0, or -1 with err (never
 * quoting a LIID or target) and cfg unchanged; *nloaded: warrants added.
 */
int lt_state_warrants(const char *dir, struct lt_config *cfg, uint32_t *nloaded, char *err,
    size_t errlen);

#endif
