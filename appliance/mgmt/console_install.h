/* console_install.h - the live ISO's console items: install lawtap onto a disk, upgrade, power. */
#ifndef LT_CONSOLE_INSTALL_H
#define LT_CONSOLE_INSTALL_H

#include "mgmt/console.h"

#define LT_LIVE_FLAG	"/run/lawtap/live"		/* made at boot by the live ISO */
#define LT_INSTALL_DISK	"/usr/lib/lawtap/install-disk"	/* the installer script */

/* 1 when running from the live ISO (LAWTAP_LIVE_FLAG overrides the flag's path). */
int lt_console_live(void);
/* The live items of the operator menu; nothing when not live. */
void lt_console_install_menu(struct lt_console *k);
/* Runs live item n: 1 when n was one (and live), 0 otherwise. */
int lt_console_install_dispatch(struct lt_console *k, int n);

#endif
