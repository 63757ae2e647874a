/* console_officer.c - the LI officer's console screens: warrants, passphrase, power. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "mgmt/console.h"
#include "mgmt/ctl.h"
#include "mgmt/keys.h"

#define ERRLEN		512
#define CTL_TIMEOUT_MS	3000

static void
audit(struct lt_console *k, const char *event, json_t *detail)
{
	char err[ERRLEN];

	if (lt_wsession_audit(&k->off, event, detail, err, sizeof(err)) < 0) {
		lt_con_line(&k->io, "could not be audited:");
		lt_con_field(&k->io, 2, "", err);
	}
}

/*
 * The store as it is now: another lawtap (an import on the command line, an
 * issuer added) may have committed since the login, and a handle opened
 * before that refuses to commit.  The passphrase proved the officer at
 * login; the session is opened again with the machine key, in their role.
 */
static int
refresh(struct lt_console *k)
{
	struct lt_wsession n;
	char err[ERRLEN];

	if (lt_wsession_open(&n, k->state, NULL, 0, err, sizeof(err)) < 0) {
		lt_con_line(&k->io, "cannot open the store:");
		lt_con_field(&k->io, 2, "", err);
		return -1;
	}
	n.role = LT_AUDIT_OFFICER;
	lt_wsession_close(&k->off);
	k->off = n;
	return 0;
}

static void
fmt_time(int64_t t, char out[static 21])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == LT_TIME_NEVER)
		snprintf(out, 21, "-");
	else if (gmtime_r(&tt, &tm) == NULL || strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 21, "?");
}

void
lt_console_list(struct lt_console *k)
{
	const json_t *l;
	struct lt_warrant_rec w;
	char err[ERRLEN], t0[21], t1[21];
	size_t i;

	if (refresh(k) < 0)
		return;
	l = json_object_get(lt_store_doc(k->off.st), "warrants");
	audit(k, "warrant-list", json_pack("{s:I}", "count", (json_int_t)json_array_size(l)));
	lt_con_line(&k->io, "%-17s %-25s %-16s %s", "ID", "LIID", "AGENCY", "STATE");
	lt_con_line(&k->io, "  %-20s  %s", "START (UTC)", "END");
	if (json_array_size(l) == 0)
		lt_con_line(&k->io, "no warrants in the store");
	for (i = 0; i < json_array_size(l); i++) {
		if (lt_warrant_from_json(json_array_get(l, i), NULL, LT_WARRANT_STORED, &w, err,
		    sizeof(err)) < 0) {
			lt_con_line(&k->io, "warrant %zu unreadable: %s", i + 1, err);
			lt_warrant_rec_free(&w);
			continue;
		}
		fmt_time(w.start_s, t0);
		fmt_time(w.end_s, t1);
		lt_con_line(&k->io, "%-17s %-25.*s %-16s %s", w.id, (int)w.liid_len, w.liid,
		    w.agency, w.state == LT_WSTATE_ACTIVE ? "active" : "deactivated");
		lt_con_line(&k->io, "  %-20s  %s", t0, t1);
		lt_warrant_rec_free(&w);
	}
}

/* One member of a stored warrant, its arrays and objects flattened to "a.b: value" lines. */
static void
show_value(struct lt_console *k, const char *name, const json_t *v)
{
	char label[80], *s;
	const char *key;
	const json_t *e;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, e) {
			snprintf(label, sizeof(label), "%s.%s", name, key);
			show_value(k, label, e);
		}
		return;
	}
	if (json_is_array(v)) {
		if (json_array_size(v) == 0)
			lt_con_field(&k->io, 24, name, "(none)");
		json_array_foreach(v, i, e) {
			snprintf(label, sizeof(label), "%s[%zu]", name, i + 1);
			show_value(k, label, e);
		}
		return;
	}
	if (json_is_string(v)) {
		lt_con_field(&k->io, 24, name, json_string_value(v));
		return;
	}
	if ((s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT)) != NULL)
		lt_con_field(&k->io, 24, name, s);
	free(s);
}

static int
ask_id(struct lt_console *k, char id[static 64])
{
	int r = lt_con_ask(&k->io, "Warrant id (W + 16 hex, Enter: back): ", id, 64);

	if (r <= 0)
		return -1;
	if (!lt_warrant_id_ok(id)) {
		lt_con_line(&k->io, "not a warrant id: it is W and 16 hex digits, as the list "
		    "shows");
		return -1;
	}
	return 0;
}

void
lt_console_show(struct lt_console *k)
{
	const json_t *w, *v;
	const char *key;
	char id[64];

	if (ask_id(k, id) < 0 || refresh(k) < 0)
		return;
	if ((w = lt_wops_find(&k->off, id)) == NULL) {
		lt_con_line(&k->io, "no warrant %s in the store", id);
		return;
	}
	audit(k, "warrant-show", json_pack("{s:s}", "id", id));
	json_object_foreach((json_t *)w, key, v)
		show_value(k, key, v);
}

/* Asks the daemon to re-read the store, and says what happened. */
static void
reload(struct lt_console *k)
{
	json_t *req = json_pack("{s:s}", "cmd", "reload"), *reply = NULL;
	char err[ERRLEN];

	if (req == NULL || lt_ctl_request(k->control, req, &reply, CTL_TIMEOUT_MS, err,
	    sizeof(err)) < 0)
		lt_con_line(&k->io, "daemon not running: it applies the store when it starts");
	else if (!json_is_true(json_object_get(reply, "ok")))
		lt_con_line(&k->io, "the daemon refused to reload: restart it to apply");
	else
		lt_con_line(&k->io, "the daemon is applying it now");
	json_decref(req);
	json_decref(reply);
}

void
lt_console_import(struct lt_console *k)
{
	struct lt_config cfg;
	char path[LT_CON_INPUT_MAX], id[LT_WARRANT_ID_LEN + 1], err[ERRLEN];
	int r;

	r = lt_con_ask(&k->io, "Sealed warrant file (path, Enter: back): ", path, sizeof(path));
	if (r == LT_CON_LONG)
		lt_con_line(&k->io, "path too long");
	if (r <= 0)
		return;
	if (lt_config_load(k->config, &cfg, err, sizeof(err)) < 0) {
		lt_con_line(&k->io, "cannot read the configuration (agencies are checked "
		    "against it):");
		lt_con_field(&k->io, 2, "", err);
		return;
	}
	if (refresh(k) < 0) {
		lt_config_free(&cfg);
		return;
	}
	r = lt_wops_import(&k->off, path, &cfg, id, err, sizeof(err));
	lt_config_free(&cfg);
	if (r < 0) {
		lt_con_field(&k->io, 0, "", err);
		return;
	}
	lt_con_line(&k->io, "warrant imported as %s", id);
	reload(k);
}

static int
confirm(struct lt_console *k, const char *prompt)
{
	char ans[16];

	return lt_con_ask(&k->io, prompt, ans, sizeof(ans)) > 0 && strcmp(ans, "yes") == 0;
}

void
lt_console_deactivate(struct lt_console *k)
{
	char id[64], err[ERRLEN];

	if (ask_id(k, id) < 0 || refresh(k) < 0)
		return;
	if (lt_wops_find(&k->off, id) == NULL) {
		lt_con_line(&k->io, "no warrant %s in the store", id);
		return;
	}
	if (!confirm(k, "Deactivate it? Type yes: ")) {
		lt_con_line(&k->io, "nothing changed");
		return;
	}
	if (lt_wops_deactivate(&k->off, id, err, sizeof(err)) < 0) {
		lt_con_field(&k->io, 0, "", err);
		return;
	}
	lt_con_line(&k->io, "warrant %s deactivated", id);
	reload(k);
}

void
lt_console_passwd(struct lt_console *k)
{
	char *p[3] = { sodium_malloc(LT_PASS_MAX + 1), sodium_malloc(LT_PASS_MAX + 1),
	    sodium_malloc(LT_PASS_MAX + 1) }, err[ERRLEN];
	static const char *const prompt[3] = { "Current passphrase: ", "New passphrase: ",
	    "New passphrase again: " };
	int len[3], i;

	for (i = 0; i < 3 && p[0] != NULL && p[1] != NULL && p[2] != NULL; i++)
		if ((len[i] = lt_con_secret(&k->io, prompt[i], p[i], LT_PASS_MAX + 1)) <= 0)
			break;
	if (i < 3)
		lt_con_line(&k->io, "nothing changed");
	else if (len[1] != len[2] || sodium_memcmp(p[1], p[2], (size_t)len[1]) != 0)
		lt_con_line(&k->io, "the two new passphrases differ: nothing changed");
	else if (lt_pass_ok(p[1], (size_t)len[1], err, sizeof(err)) < 0 ||
	    lt_store_passwd(k->state, p[0], (size_t)len[0], p[1], (size_t)len[1], err,
	    sizeof(err)) < 0) {
		lt_con_field(&k->io, 0, "", err);
		lt_con_line(&k->io, "nothing changed");
	} else {
		audit(k, "key-change", json_pack("{s:s}", "via", "console"));
		lt_con_line(&k->io, "officer passphrase changed");
	}
	for (i = 0; i < 3; i++)
		if (p[i] != NULL) {
			sodium_memzero(p[i], LT_PASS_MAX + 1);
			sodium_free(p[i]);
		}
}

void
lt_console_power(struct lt_console *k, const char *what)
{
	const char *dry = getenv("LAWTAP_CONSOLE_DRYRUN");
	char prompt[64];
	pid_t pid;
	int status = -1;

	snprintf(prompt, sizeof(prompt), "systemctl %s now? Type yes: ", what);
	if (!confirm(k, prompt)) {
		lt_con_line(&k->io, "nothing done");
		return;
	}
	audit(k, strcmp(what, "reboot") == 0 ? "reboot" : "shutdown", json_pack("{s:b}",
	    "dry_run", dry != NULL && strcmp(dry, "1") == 0));
	if (dry != NULL && strcmp(dry, "1") == 0) {
		lt_con_line(&k->io, "dry run: would run systemctl %s", what);
		return;
	}
	fflush(k->io.out);
	if ((pid = fork()) < 0) {
		lt_con_line(&k->io, "cannot start systemctl: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		execlp("systemctl", "systemctl", what, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			lt_con_line(&k->io, "lost track of systemctl: %s", strerror(errno));
			return;
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		lt_con_line(&k->io, "systemctl %s failed (exit %d)", what,
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	else
		lt_con_line(&k->io, "systemctl %s started", what);
}
