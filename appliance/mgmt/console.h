/* console.h - `lawtap console`: the operator's and the LI officer's screens. */
#ifndef LT_CONSOLE_H
#define LT_CONSOLE_H

#include "mgmt/conio.h"
#include "mgmt/wops.h"

#define LT_CONSOLE_TRIES	3	/* wrong passphrases before the pause */
#define LT_CONSOLE_PAUSE_S	5
#define LT_CONSOLE_IDLE_S	600	/* an officer idle this long is locked out */

struct lt_console {
	struct lt_con io;
	const char *state, *control, *config;
	struct lt_wsession off;		/* the officer's, while logged in (off.st != NULL) */
	unsigned idle_lock_s;		/* 0: never */
};

/* Screens both roles have (console.c). */
void lt_console_status(struct lt_console *k);
void lt_console_agencies(struct lt_console *k);
void lt_console_network(struct lt_console *k);
void lt_console_audit(struct lt_console *k);
void lt_console_count(struct lt_console *k);
/* Asks the passphrase; 1 logged in, 0 not. */
int lt_console_login(struct lt_console *k);
/* Audits how the officer left (menu, exit, eof) and closes the session. */
void lt_console_lock(struct lt_console *k, const char *how);

/* The officer's screens (console_officer.c). */
void lt_console_list(struct lt_console *k);
void lt_console_show(struct lt_console *k);
void lt_console_import(struct lt_console *k);
void lt_console_deactivate(struct lt_console *k);
void lt_console_passwd(struct lt_console *k);
/* what: "reboot" or "poweroff". */
void lt_console_power(struct lt_console *k, const char *what);

#endif
