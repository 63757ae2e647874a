/* console_install.h - the appliance image's console items: install, upgrade, power, ports. */
#ifndef LT_CONSOLE_INSTALL_H
#define LT_CONSOLE_INSTALL_H

#include "mgmt/console.h"

#define LT_LIVE_FLAG	"/run/lawtap/live"		/* made at boot by the live ISO */
#define LT_INSTALL_DISK	"/usr/lib/lawtap/install-disk"	/* the installer script */
#define LT_APPLIANCE_ENV "/etc/lawtap/appliance.env"	/* the installer's settings */

/* 1 when running from the live ISO (LAWTAP_LIVE_FLAG overrides the flag's path). */
int lt_console_live(void);
/*
 * The live items of the operator menu (nothing when not live); on an
 * installed appliance, the officer's port assignment.
 */
void lt_console_install_menu(struct lt_console *k);
/* Runs item n: 1 when n was one of these (and shown), 0 otherwise. */
int lt_console_install_dispatch(struct lt_console *k, int n);

#endif
