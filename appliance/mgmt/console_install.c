/* console_install.c - the appliance image's console items: install, upgrade, power, ports. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "mgmt/console_install.h"
#include "mgmt/keys.h"
#include "util/io.h"

#define ERRLEN		512
#define LIST_MAX	16		/* disks or ports offered */
#define TOOL_OUT	4096		/* what a listing may print */

enum { ITEM_INSTALL = 20, ITEM_UPGRADE, ITEM_REBOOT, ITEM_POWEROFF, ITEM_PORTS };

struct list {
	char *word[LIST_MAX][5];	/* the first words of each line */
	int n;
	char buf[TOOL_OUT];
};

static const char *
tool(void)
{
	const char *p = getenv("LAWTAP_INSTALL_DISK");

	return p != NULL && p[0] != '\0' ? p : LT_INSTALL_DISK;
}

int
lt_console_live(void)
{
	const char *p = getenv("LAWTAP_LIVE_FLAG");

	return access(p != NULL && p[0] != '\0' ? p : LT_LIVE_FLAG, F_OK) == 0;
}

/* An installed appliance: the installer's settings are there to rewrite. */
static int
installed(void)
{
	const char *p = getenv("LAWTAP_APPLIANCE_ENV");

	return !lt_console_live() &&
	    access(p != NULL && p[0] != '\0' ? p : LT_APPLIANCE_ENV, F_OK) == 0;
}

/*
 * Runs argv; its stdout into out[outlen] (NUL-terminated, the rest dropped)
 * or onto the terminal when out is NULL; pass, when given, as the first line
 * of its fd 3 and line, when given, as the second.  The exit status, or -1
 * when it could not be run.
 */
static int
run(char *const argv[], const char *pass, size_t passlen, const char *line, char *out,
    size_t outlen)
{
	int po[2] = { -1, -1 }, pp[2] = { -1, -1 }, status;
	size_t got = 0;
	ssize_t r;
	char drop[256];
	pid_t pid;

	if ((out != NULL && pipe2(po, O_CLOEXEC) < 0) || (pass != NULL && pipe2(pp, O_CLOEXEC) < 0))
		goto fail;
	fflush(NULL);
	if ((pid = fork()) < 0)
		goto fail;
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		if (out != NULL && dup2(po[1], STDOUT_FILENO) < 0)
			_exit(126);
		/* dup2 onto itself would keep close-on-exec */
		if (pass != NULL && (pp[0] == 3 ? fcntl(3, F_SETFD, 0) : dup2(pp[0], 3)) < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	if (pass != NULL) {
		close(pp[0]);
		(void)lt_write_all(pp[1], pass, passlen);
		(void)lt_write_all(pp[1], "\n", 1);
		if (line != NULL) {
			(void)lt_write_all(pp[1], line, strlen(line));
			(void)lt_write_all(pp[1], "\n", 1);
		}
		close(pp[1]);
	}
	if (out != NULL) {
		close(po[1]);
		for (;;) {
			if (got + 1 < outlen)
				r = read(po[0], out + got, outlen - 1 - got);
			else
				r = read(po[0], drop, sizeof(drop));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			if (got + 1 < outlen)
				got += (size_t)r;
		}
		out[got] = '\0';
		close(po[0]);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
fail:
	for (int i = 0; i < 2; i++) {
		if (po[i] >= 0)
			close(po[i]);
		if (pp[i] >= 0)
			close(pp[i]);
	}
	return -1;
}

/* `install-disk WHAT` as lines of words; -1 (said on the console) when it fails. */
static int
listing(struct lt_console *k, const char *what, struct list *l)
{
	char *argv[] = { (char *)tool(), (char *)what, NULL }, *save, *p;
	int rc;

	memset(l, 0, sizeof(*l));
	if ((rc = run(argv, NULL, 0, NULL, l->buf, sizeof(l->buf))) != 0) {
		lt_con_line(&k->io, "%s %s failed (exit %d)", argv[0], what, rc);
		return -1;
	}
	for (p = strtok_r(l->buf, "\n", &save); p != NULL && l->n < LIST_MAX;
	    p = strtok_r(NULL, "\n", &save)) {
		char *ws, *w;
		int i = 0;

		for (w = strtok_r(p, " ", &ws); w != NULL && i < 5; w = strtok_r(NULL, " ", &ws))
			l->word[l->n][i++] = w;
		if (i > 0)
			l->n++;
	}
	return 0;
}

static const char *
word(const struct list *l, int i, int w)
{
	return l->word[i][w] != NULL ? l->word[i][w] : "-";
}

/* A number 1..max from the reader; 0 for Enter or a bad answer (said), -1 when input ended. */
static int
pick(struct lt_console *k, const char *prompt, int max)
{
	char in[16], *end;
	long v;
	int r = lt_con_ask(&k->io, prompt, in, sizeof(in));

	if (r < 0 && r != LT_CON_LONG)
		return -1;
	if (r == 0)
		return 0;
	v = strtol(in, &end, 10);
	if (r == LT_CON_LONG || *end != '\0' || v < 1 || v > max) {
		lt_con_line(&k->io, "type a number from 1 to %d", max);
		return 0;
	}
	return (int)v;
}

/* A yes/no question: 1 only for "yes". */
static int
confirm(struct lt_console *k, const char *prompt)
{
	char ans[16];

	return lt_con_ask(&k->io, prompt, ans, sizeof(ans)) > 0 && strcmp(ans, "yes") == 0;
}

static void
power(struct lt_console *k, const char *what)
{
	char *argv[] = { "/bin/systemctl", (char *)what, NULL };
	char prompt[64];

	snprintf(prompt, sizeof(prompt), "%s now? Type yes: ", what);
	if (!confirm(k, prompt)) {
		lt_con_line(&k->io, "nothing done");
		return;
	}
	if (getenv("LAWTAP_CONSOLE_DRYRUN") != NULL && strcmp(getenv("LAWTAP_CONSOLE_DRYRUN"), "1") == 0) {
		lt_con_line(&k->io, "dry run: would run systemctl %s", what);
		return;
	}
	if (run(argv, NULL, 0, NULL, NULL, 0) != 0)
		lt_con_line(&k->io, "systemctl %s failed", what);
}

static int
all_of(const char *s, const char *set)
{
	return s[0] != '\0' && strspn(s, set) == strlen(s);
}

#define ADDR_CHARS	"0123456789abcdefABCDEF.:/,[]"

/* The answers of the install dialogue, in the form install-disk takes them. */
struct answers {
	char disk[64], mgmt[160], capture[LIST_MAX * 17], issuer[128], agency[160];
	char key[LT_CON_INPUT_MAX];
};

static int
ask_disk(struct lt_console *k, struct answers *a)
{
	struct list l;
	int n;

	if (listing(k, "disks", &l) < 0)
		return -1;
	if (l.n == 0) {
		lt_con_line(&k->io, "no disk to install onto (the live medium is not offered)");
		return -1;
	}
	lt_con_line(&k->io, "Disks:");
	for (int i = 0; i < l.n; i++)
		lt_con_line(&k->io, " %2d %-10s %8.1f GiB %s", i + 1, word(&l, i, 0),
		    strtod(word(&l, i, 1), NULL) / (1 << 30), word(&l, i, 2));
	if ((n = pick(k, "Install onto disk (number, Enter: back): ", l.n)) <= 0)
		return -1;
	snprintf(a->disk, sizeof(a->disk), "/dev/%.50s", word(&l, n - 1, 0));
	return 0;
}

static int
ask_ports(struct lt_console *k, struct answers *a)
{
	struct list l;
	char in[128], addr[128], *save, *w;
	int n, m;

	if (listing(k, "nics", &l) < 0)
		return -1;
	if (l.n == 0) {
		lt_con_line(&k->io, "no network ports found");
		return -1;
	}
	lt_con_line(&k->io, "Network ports (capture mode: dpdk binds the port to DPDK):");
	for (int i = 0; i < l.n; i++)
		lt_con_line(&k->io, " %2d %-12s %s %-10s %-12s %s", i + 1, word(&l, i, 0),
		    word(&l, i, 1), word(&l, i, 2), word(&l, i, 3), word(&l, i, 4));
	if ((m = pick(k, "Management port (number): ", l.n)) <= 0)
		return -1;
	if (lt_con_ask(&k->io, "Management address (dhcp, or ADDRESS/PREFIX[,GATEWAY]): ",
	    addr, sizeof(addr)) <= 0)
		return -1;
	if (strcmp(addr, "dhcp") != 0 && !all_of(addr, ADDR_CHARS)) {
		lt_con_line(&k->io, "not an address: dhcp, 192.0.2.5/24,192.0.2.1 or 2001:db8::5/64");
		return -1;
	}
	snprintf(a->mgmt, sizeof(a->mgmt), "%s=%s", word(&l, m - 1, 0), addr);
	if (lt_con_ask(&k->io, "Capture ports (numbers with spaces between, Enter: none): ",
	    in, sizeof(in)) < 0)
		return -1;
	a->capture[0] = '\0';
	for (w = strtok_r(in, " ,", &save); w != NULL; w = strtok_r(NULL, " ,", &save)) {
		n = atoi(w);
		if (!all_of(w, "0123456789") || n < 1 || n > l.n || n == m) {
			lt_con_line(&k->io, "%.8s: not a port number other than the management "
			    "port", w);
			return -1;
		}
		if (a->capture[0] != '\0')
			strcat(a->capture, ",");
		strncat(a->capture, word(&l, n - 1, 0), 16);
	}
	return 0;
}

static int
ask_keys(struct lt_console *k, struct answers *a)
{
	char name[40], hex[80];
	int r;

	if (lt_con_ask(&k->io, "First officer's SSH public key (one line): ", a->key,
	    sizeof(a->key)) <= 0)
		return -1;
	if (strncmp(a->key, "ssh-", 4) != 0 && strncmp(a->key, "ecdsa-", 6) != 0 &&
	    strncmp(a->key, "sk-", 3) != 0) {
		lt_con_line(&k->io, "not an OpenSSH public key (ssh-ed25519 AAAA... or similar)");
		return -1;
	}
	a->issuer[0] = '\0';
	if ((r = lt_con_ask(&k->io, "Warrant issuer name (Enter: add one later): ", name,
	    sizeof(name))) < 0)
		return -1;
	if (r == 0)
		return 0;
	if (!all_of(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")) {
		lt_con_line(&k->io, "an issuer name: letters, digits, _ . -");
		return -1;
	}
	if (lt_con_ask(&k->io, "Issuer public key (64 hex digits, its .pk file): ", hex,
	    sizeof(hex)) != 64 || !all_of(hex, "0123456789abcdef")) {
		lt_con_line(&k->io, "not 64 lower-case hex digits");
		return -1;
	}
	snprintf(a->issuer, sizeof(a->issuer), "%s=%s", name, hex);
	return 0;
}

static int
ask_agency(struct lt_console *k, struct answers *a)
{
	char hi2[72], hi3[72];
	int r;

	a->agency[0] = '\0';
	if ((r = lt_con_ask(&k->io, "Agency HI2 address HOST:PORT (Enter: none yet): ", hi2,
	    sizeof(hi2))) <= 0)
		return r < 0 ? -1 : 0;
	if ((r = lt_con_ask(&k->io, "Agency HI3 address HOST:PORT (Enter: as HI2): ", hi3,
	    sizeof(hi3))) < 0)
		return -1;
	if (!all_of(hi2, ADDR_CHARS) || (r > 0 && !all_of(hi3, ADDR_CHARS)) ||
	    strchr(hi2, ',') != NULL || strchr(hi3, ',') != NULL) {
		lt_con_line(&k->io, "an address is A.B.C.D:PORT or [IPv6]:PORT");
		return -1;
	}
	snprintf(a->agency, sizeof(a->agency), "%s,%s", hi2, r > 0 ? hi3 : hi2);
	return 0;
}

/* The new officer passphrase, asked twice: its length, or -1. */
static int
ask_pass(struct lt_console *k, char *pass, char *again)
{
	char err[ERRLEN];
	int r, r2;

	lt_con_line(&k->io, "The officer passphrase protects the warrant store (%d or more "
	    "characters).", LT_PASS_MIN);
	if ((r = lt_con_secret(&k->io, "Officer passphrase: ", pass, LT_PASS_MAX + 1)) < 0)
		return -1;
	if (lt_pass_ok(pass, (size_t)r, err, sizeof(err)) < 0) {
		lt_con_field(&k->io, 0, "", err);
		return -1;
	}
	if ((r2 = lt_con_secret(&k->io, "Again: ", again, LT_PASS_MAX + 1)) < 0)
		return -1;
	if (r != r2 || sodium_memcmp(pass, again, (size_t)r) != 0) {
		lt_con_line(&k->io, "the two passphrases differ: nothing done");
		return -1;
	}
	return r;
}

static void
install(struct lt_console *k)
{
	struct answers a;
	char *pass = sodium_malloc(LT_PASS_MAX + 1), *again = sodium_malloc(LT_PASS_MAX + 1);
	char prompt[128];
	int plen = -1, rc;

	if (pass == NULL || again == NULL) {
		lt_con_line(&k->io, "out of memory");
		goto out;
	}
	memset(&a, 0, sizeof(a));
	if (ask_disk(k, &a) < 0 || ask_ports(k, &a) < 0 || ask_keys(k, &a) < 0 ||
	    ask_agency(k, &a) < 0 || (plen = ask_pass(k, pass, again)) < 0)
		goto out;
	snprintf(prompt, sizeof(prompt), "Erase %s and install lawtap on it? Type yes: ", a.disk);
	if (!confirm(k, prompt)) {
		lt_con_line(&k->io, "nothing done");
		goto out;
	}
	{
		char *argv[20];
		int n = 0;

		argv[n++] = (char *)tool();
		argv[n++] = "install";
		argv[n++] = "--disk"; argv[n++] = a.disk;
		argv[n++] = "--mgmt"; argv[n++] = a.mgmt;
		if (a.capture[0] != '\0') {
			argv[n++] = "--capture"; argv[n++] = a.capture;
		}
		if (a.issuer[0] != '\0') {
			argv[n++] = "--issuer"; argv[n++] = a.issuer;
		}
		if (a.agency[0] != '\0') {
			argv[n++] = "--agency"; argv[n++] = a.agency;
		}
		argv[n] = NULL;
		rc = run(argv, pass, (size_t)plen, a.key, NULL, 0);
	}
	if (rc != 0) {
		lt_con_line(&k->io, "Install FAILED (exit %d): the disk is not bootable.", rc);
		goto out;
	}
	lt_con_line(&k->io, "Install done. Remove the ISO, then reboot.");
	power(k, "reboot");
out:
	if (pass != NULL)
		sodium_free(pass);
	if (again != NULL)
		sodium_free(again);
}

static const char *
image_version(char out[static 128])
{
	FILE *f = fopen("/usr/lib/lawtap/image-version", "re");

	if (f == NULL || fgets(out, 128, f) == NULL)
		snprintf(out, 128, "unknown version");
	out[strcspn(out, "\n")] = '\0';
	if (f != NULL)
		fclose(f);
	return out;
}

static void
upgrade(struct lt_console *k)
{
	struct list l;
	char disk[64], prompt[128], ver[128], *argv[5];
	int n;

	if (listing(k, "installed", &l) < 0 || l.n == 0) {
		lt_con_line(&k->io, "no installed lawtap found on the disks");
		return;
	}
	lt_con_line(&k->io, "This ISO: %s", image_version(ver));
	lt_con_line(&k->io, "Installed systems:");
	for (int i = 0; i < l.n; i++)
		lt_con_line(&k->io, " %2d %-10s %s (slot %s)", i + 1, word(&l, i, 0),
		    word(&l, i, 1), word(&l, i, 2));
	if ((n = pick(k, "Upgrade which (number, Enter: back): ", l.n)) <= 0)
		return;
	snprintf(disk, sizeof(disk), "/dev/%.50s", word(&l, n - 1, 0));
	snprintf(prompt, sizeof(prompt), "Upgrade %s to this ISO (the data stays)? Type yes: ",
	    disk);
	if (!confirm(k, prompt)) {
		lt_con_line(&k->io, "nothing done");
		return;
	}
	argv[0] = (char *)tool();
	argv[1] = "upgrade";
	argv[2] = "--disk";
	argv[3] = disk;
	argv[4] = NULL;
	if ((n = run(argv, NULL, 0, NULL, NULL, 0)) != 0) {
		lt_con_line(&k->io, "Upgrade FAILED (exit %d): the installed slot still boots.", n);
		return;
	}
	lt_con_line(&k->io, "Upgrade done. Remove the ISO, then reboot.");
	power(k, "reboot");
}

/* The officer moves the management address or the capture ports; in effect at the next boot. */
static void
ports(struct lt_console *k)
{
	struct answers a;
	char err[ERRLEN], *argv[7];
	int rc, n = 0;

	memset(&a, 0, sizeof(a));
	if (ask_ports(k, &a) < 0)
		return;
	if (!confirm(k, "Save these ports (in effect at the next boot)? Type yes: ")) {
		lt_con_line(&k->io, "nothing done");
		return;
	}
	argv[n++] = (char *)tool();
	argv[n++] = "ports";
	argv[n++] = "--mgmt";
	argv[n++] = a.mgmt;
	if (a.capture[0] != '\0') {
		argv[n++] = "--capture";
		argv[n++] = a.capture;
	}
	argv[n] = NULL;
	rc = run(argv, NULL, 0, NULL, NULL, 0);
	if (lt_wsession_audit(&k->off, "ports", json_pack("{s:s, s:s, s:b}", "management",
	    a.mgmt, "capture", a.capture, "saved", rc == 0), err, sizeof(err)) < 0) {
		lt_con_line(&k->io, "could not be audited:");
		lt_con_field(&k->io, 2, "", err);
	}
	if (rc != 0) {
		lt_con_line(&k->io, "Ports NOT saved (exit %d): nothing changed.", rc);
		return;
	}
	power(k, "reboot");
}

void
lt_console_install_menu(struct lt_console *k)
{
	if (k->off.st != NULL && installed())
		lt_con_line(&k->io, " %d Management and capture ports", ITEM_PORTS);
	if (!lt_console_live())
		return;
	lt_con_line(&k->io, "Live ISO:");
	lt_con_line(&k->io, " %d Install lawtap onto a disk      %d Reboot", ITEM_INSTALL,
	    ITEM_REBOOT);
	lt_con_line(&k->io, " %d Upgrade an installed lawtap     %d Shut down", ITEM_UPGRADE,
	    ITEM_POWEROFF);
}

int
lt_console_install_dispatch(struct lt_console *k, int n)
{
	if (n == ITEM_PORTS && k->off.st != NULL && installed()) {
		ports(k);
		return 1;
	}
	if (!lt_console_live())
		return 0;
	switch (n) {
	case ITEM_INSTALL: install(k); return 1;
	case ITEM_UPGRADE: upgrade(k); return 1;
	case ITEM_REBOOT: power(k, "reboot"); return 1;
	case ITEM_POWEROFF: power(k, "poweroff"); return 1;
	default: return 0;
	}
}
