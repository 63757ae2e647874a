/* cmd_console.c - `lawtap console`: numbered menus for a serial line or an SSH ForceCommand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "mgmt/console.h"
#include "mgmt/console_install.h"
#include "mgmt/ctl.h"
#include "mgmt/keys.h"

#define DEFAULT_STATE	"/var/lib/lawtap"
#define DEFAULT_CONFIG	"/etc/lawtap/lawtap.conf"

enum { STAY, EXIT };

static int
usage(void)
{
	fprintf(stderr, "usage: lawtap console [--state DIR] [--control PATH] [--config FILE]\n"
	    "                      [--idle-lock SECONDS]\n"
	    "An officer who types nothing for --idle-lock seconds (default %d, 0: never)\n"
	    "is locked out, back to the operator menu.\n", LT_CONSOLE_IDLE_S);
	return 2;
}

static void
operator_menu(struct lt_console *k)
{
	lt_con_line(&k->io, "lawtap console: operator");
	lt_con_line(&k->io, "  1 Status");
	lt_con_line(&k->io, "  2 Agencies");
	lt_con_line(&k->io, "  3 Network and capture settings");
	lt_con_line(&k->io, "  4 Audit log");
	lt_con_line(&k->io, "  5 Warrant count");
	lt_con_line(&k->io, "  6 Log in as LI officer");
	lt_con_line(&k->io, "  9 Exit");
	lt_console_install_menu(k);
}

static void
officer_menu(struct lt_console *k)
{
	lt_con_line(&k->io, "lawtap console: LI officer");
	lt_con_line(&k->io, "  1 Status                        5 List warrants");
	lt_con_line(&k->io, "  2 Agencies                      6 Show a warrant");
	lt_con_line(&k->io, "  3 Network and capture settings  7 Import a sealed warrant file");
	lt_con_line(&k->io, "  4 Audit log                     8 Deactivate a warrant");
	lt_con_line(&k->io, " 10 Change passphrase            12 Reboot");
	lt_con_line(&k->io, " 11 Lock (back to operator)      13 Shut down");
	lt_con_line(&k->io, "  9 Exit");
	lt_console_install_menu(k);
}

/* One choice from the menu of the current role; EXIT to leave the console. */
static int
dispatch(struct lt_console *k, int n)
{
	int officer = k->off.st != NULL;

	switch (n) {
	case 1: lt_console_status(k); break;
	case 2: lt_console_agencies(k); break;
	case 3: lt_console_network(k); break;
	case 4: lt_console_audit(k); break;
	case 9: return EXIT;
	default:
		if (!officer && n == 5)
			lt_console_count(k);
		else if (!officer && n == 6)
			lt_console_login(k);
		else if (officer && n == 5)
			lt_console_list(k);
		else if (officer && n == 6)
			lt_console_show(k);
		else if (officer && n == 7)
			lt_console_import(k);
		else if (officer && n == 8)
			lt_console_deactivate(k);
		else if (officer && n == 10)
			lt_console_passwd(k);
		else if (officer && n == 11) {
			lt_console_lock(k, "menu");
			lt_con_line(&k->io, "Locked: back to the operator menu.");
		} else if (officer && n == 12)
			lt_console_power(k, "reboot");
		else if (officer && n == 13)
			lt_console_power(k, "poweroff");
		else if (lt_console_install_dispatch(k, n))
			;
		else
			lt_con_line(&k->io, "no item %d in this menu", n);
	}
	return STAY;
}

static int
choice(const char *s)
{
	int n = 0;

	if (s[0] == '\0' || strlen(s) > 2)
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		n = n * 10 + (*s - '0');
	}
	return n;
}

/* Nothing typed for a while with the officer logged in: back to the operator. */
static void
idle_lock(struct lt_console *k)
{
	if (k->off.st == NULL)
		return;
	lt_console_lock(k, "idle");
	lt_con_line(&k->io, "Locked: no input for %u seconds.", k->idle_lock_s);
}

static int
loop(struct lt_console *k)
{
	char in[LT_CON_INPUT_MAX], pause[8];
	int r, n;

	for (;;) {
		k->io.idle_s = k->off.st != NULL ? k->idle_lock_s : 0;
		lt_con_screen(&k->io);
		if (k->off.st != NULL)
			officer_menu(k);
		else
			operator_menu(k);
		r = lt_con_ask(&k->io, "Choice: ", in, sizeof(in));
		if (r == LT_CON_EOF || r == LT_CON_ERR)
			return k->io.eof || r == LT_CON_EOF ? 0 : 1;
		if (r == LT_CON_INTR)
			return 0;	/* Ctrl-C at a menu leaves */
		if (r == LT_CON_IDLE)
			idle_lock(k);
		if (r <= 0 && r != LT_CON_LONG)
			continue;
		if ((n = choice(in)) < 0) {
			lt_con_line(&k->io, "type the number of an item");
			continue;
		}
		if (dispatch(k, n) == EXIT)
			return 0;
		if (k->io.eof)
			return 0;
		if (k->io.idle) {
			idle_lock(k);
			continue;
		}
		/* the answer stays on the screen until the reader is done with it */
		if (k->io.intr)
			continue;
		r = lt_con_ask(&k->io, "-- Enter: menu --", pause, sizeof(pause));
		if (r == LT_CON_EOF)
			return 0;
		if (r == LT_CON_IDLE)
			idle_lock(k);
	}
}

int
cmd_console(int argc, char **argv)
{
	struct lt_console k;
	char err[256];
	int rc;

	memset(&k, 0, sizeof(k));
	k.state = DEFAULT_STATE;
	k.control = LT_CTL_PATH;
	k.config = DEFAULT_CONFIG;
	k.idle_lock_s = LT_CONSOLE_IDLE_S;
	for (int i = 1; i < argc; i++) {
		char *end;

		if (i + 1 >= argc)
			return usage();
		if (strcmp(argv[i], "--idle-lock") == 0) {
			unsigned long v = strtoul(argv[++i], &end, 10);

			if (argv[i][0] < '0' || argv[i][0] > '9' || *end != '\0' || v > 86400)
				return usage();
			k.idle_lock_s = (unsigned)v;
		} else if (strcmp(argv[i], "--state") == 0)
			k.state = argv[++i];
		else if (strcmp(argv[i], "--control") == 0)
			k.control = argv[++i];
		else if (strcmp(argv[i], "--config") == 0 || strcmp(argv[i], "-c") == 0)
			k.config = argv[++i];
		else
			return usage();
	}
	if (lt_harden_process(err, sizeof(err)) < 0) {
		fprintf(stderr, "lawtap console: %s\n", err);
		return 1;
	}
	if (lt_con_init(&k.io, STDIN_FILENO, stdout) < 0) {
		fprintf(stderr, "lawtap console: cannot set up signal handling\n");
		return 1;
	}
	rc = loop(&k);
	lt_console_lock(&k, k.io.eof ? "eof" : "exit");
	fflush(stdout);
	return rc;
}
