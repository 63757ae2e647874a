/* console.c - console screens for both roles: health, agencies, settings, audit, login. */
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "mgmt/console.h"
#include "mgmt/ctl.h"
#include "mgmt/keys.h"
#include "mgmt/statusfmt.h"

#define CTL_TIMEOUT_MS	3000
#define AUDIT_LAST	20
#define ERRLEN		512

/* The daemon's status reply, or NULL with err ("daemon not running" when it does not answer). */
static json_t *
ask_status(struct lt_console *k, char *err, size_t errlen)
{
	json_t *req = json_pack("{s:s}", "cmd", "status"), *reply = NULL;
	const char *e;

	if (req == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (lt_ctl_request(k->control, req, &reply, CTL_TIMEOUT_MS, err, errlen) < 0) {
		json_decref(req);
		return NULL;
	}
	json_decref(req);
	if (!json_is_true(json_object_get(reply, "ok"))) {
		e = json_string_value(json_object_get(reply, "error"));
		snprintf(err, errlen, "the daemon refused: %s", e != NULL ? e : "no reason");
		json_decref(reply);
		return NULL;
	}
	return reply;
}

void
lt_console_status(struct lt_console *k)
{
	struct lt_status st;
	char err[ERRLEN], *text = NULL;
	size_t len = 0;
	json_t *reply;
	FILE *f;

	lt_con_line(&k->io, "Status");
	if ((reply = ask_status(k, err, sizeof(err))) == NULL) {
		lt_con_line(&k->io, "daemon not running (or not answering):");
		lt_con_field(&k->io, 2, "", err);
		return;
	}
	if (lt_status_from_json(reply, &st, err, sizeof(err)) < 0) {
		json_decref(reply);
		lt_con_field(&k->io, 0, "", err);
		return;
	}
	json_decref(reply);
	if ((f = open_memstream(&text, &len)) == NULL) {
		lt_status_free(&st);
		lt_con_line(&k->io, "out of memory");
		return;
	}
	if (lt_status_text(&st, f) < 0)
		lt_con_line(&k->io, "cannot render the status");
	fclose(f);
	lt_status_free(&st);
	if (text != NULL)
		lt_con_text(&k->io, text, len);
	free(text);
}

static void
endpoint(const struct lt_endpoint *ep, char out[static 64])
{
	char host[NI_MAXHOST], port[NI_MAXSERV];

	if (ep->salen == 0 || getnameinfo((const struct sockaddr *)&ep->sa, ep->salen, host,
	    sizeof(host), port, sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		snprintf(out, 64, "-");
	else if (ep->sa.ss_family == AF_INET6)
		snprintf(out, 64, "[%.46s]:%.8s", host, port);
	else
		snprintf(out, 64, "%.46s:%.8s", host, port);
}

static int
load_config(struct lt_console *k, struct lt_config *cfg)
{
	char err[ERRLEN];

	if (lt_config_load(k->config, cfg, err, sizeof(err)) < 0) {
		lt_con_line(&k->io, "cannot read the configuration:");
		lt_con_field(&k->io, 2, "", err);
		return -1;
	}
	return 0;
}

void
lt_console_agencies(struct lt_console *k)
{
	struct lt_status st;
	struct lt_config cfg;
	char err[ERRLEN], a2[64], a3[64];
	const char *s2, *s3;
	json_t *reply;
	int have;

	lt_con_line(&k->io, "Agencies (configuration %.50s)", k->config);
	if (load_config(k, &cfg) < 0)
		return;
	reply = ask_status(k, err, sizeof(err));
	have = reply != NULL && lt_status_from_json(reply, &st, err, sizeof(err)) == 0;
	json_decref(reply);
	if (!have)
		lt_con_line(&k->io, "connection states unknown: daemon not running");
	if (cfg.nagencies == 0)
		lt_con_line(&k->io, "no agencies configured");
	for (uint32_t i = 0; i < cfg.nagencies; i++) {
		s2 = s3 = "-";
		for (uint32_t j = 0; have && j < st.nagencies; j++)
			if (strcmp(st.agencies[j].id, cfg.agencies[i].id) == 0) {
				s2 = st.agencies[j].hi2.state;
				s3 = st.agencies[j].hi3.state;
			}
		endpoint(&cfg.agencies[i].hi2, a2);
		endpoint(&cfg.agencies[i].hi3, a3);
		lt_con_line(&k->io, "%2" PRIu32 " %s", i + 1, cfg.agencies[i].id);
		lt_con_line(&k->io, "   HI2 %-50s %s", a2, s2);
		lt_con_line(&k->io, "   HI3 %-50s %s", a3, s3);
	}
	if (have)
		lt_status_free(&st);
	lt_config_free(&cfg);
}

void
lt_console_network(struct lt_console *k)
{
	struct lt_config cfg;

	lt_con_line(&k->io, "Network and capture (configuration %.40s)", k->config);
	if (load_config(k, &cfg) < 0)
		return;
	lt_con_line(&k->io, "operator id %s, network element %s", cfg.operator_id,
	    cfg.ne_id[0] != '\0' ? cfg.ne_id : "-");
	lt_con_line(&k->io, "capture ports: %" PRIu32 ", mbufs per queue %" PRIu32,
	    cfg.nports, cfg.mbufs_per_queue);
	for (uint32_t i = 0; i < cfg.nports; i++)
		lt_con_line(&k->io, "%3" PRIu32 "  rx queues %-5u %s", i + 1,
		    (unsigned)cfg.ports[i].rx_queues, cfg.ports[i].device);
	lt_con_line(&k->io, "delivery: %" PRIu64 " MiB queue per connection, reconnect "
	    "every %" PRIu32 " ms", cfg.queue_bytes >> 20, cfg.reconnect_ms);
	lt_config_free(&cfg);
}

struct last_entries {
	char line[AUDIT_LAST][160];
	unsigned n, next;
};

static int
keep_entry(void *arg, const struct lt_audit_entry *e)
{
	struct last_entries *l = arg;
	char t[32], *d;
	time_t tt = (time_t)e->time;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(t, sizeof(t), "%m-%d %H:%M:%S", &tm) == 0)
		snprintf(t, sizeof(t), "?");
	d = strcmp(e->event, "checkpoint") == 0 ? NULL :
	    json_dumps(e->detail, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	snprintf(l->line[l->next], sizeof(l->line[0]), "%6" PRIu64 " %s %-8s %-13s %s",
	    e->seq, t, lt_audit_role_name(e->role), e->event, d != NULL ? d : "");
	free(d);
	l->next = (l->next + 1) % AUDIT_LAST;
	if (l->n < AUDIT_LAST)
		l->n++;
	return 0;
}

/* The audit key (machine.key) and the checkpoint key (appliance.pub) of the state. */
static int
audit_keys(const char *dir, uint8_t *key, uint8_t pk[static 32], char *err, size_t errlen)
{
	uint8_t *mk = sodium_malloc(LT_KEY_LEN);
	char path[4096];
	const char *hex;
	json_t *j;
	int fd, rc = -1;

	if (mk == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		snprintf(err, errlen, "cannot open the state directory %s", dir);
	else if (lt_keys_load_machine(fd, mk, err, errlen) == 0 &&
	    lt_audit_key_from_machine(mk, key) == 0)
		rc = 0;
	if (fd >= 0)
		close(fd);
	sodium_free(mk);
	if (rc < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/" LT_PUB_FILE, dir);
	j = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
	hex = json_string_value(json_object_get(j, "sign"));
	if (hex == NULL || strlen(hex) != 64 ||
	    sodium_hex2bin(pk, 32, hex, 64, NULL, NULL, NULL) != 0) {
		snprintf(err, errlen, "%.300s has no \"sign\" key", path);
		rc = -1;
	}
	json_decref(j);
	return rc;
}

void
lt_console_audit(struct lt_console *k)
{
	struct last_entries last;
	struct lt_audit_sum sum;
	uint8_t *key = sodium_malloc(LT_AUDIT_KEY_LEN), pk[32];
	char msg[ERRLEN];
	int r;

	if (key == NULL) {
		lt_con_line(&k->io, "out of memory");
		return;
	}
	memset(&last, 0, sizeof(last));
	if (audit_keys(k->state, key, pk, msg, sizeof(msg)) < 0) {
		sodium_free(key);
		lt_con_line(&k->io, "Audit log: cannot be read");
		lt_con_field(&k->io, 2, "", msg);
		return;
	}
	r = lt_audit_walk(k->state, key, pk, keep_entry, &last, &sum, msg, sizeof(msg));
	sodium_free(key);
	if (r < 0) {
		lt_con_line(&k->io, "Audit log: cannot be read");
		lt_con_field(&k->io, 2, "", msg);
		return;
	}
	/* title, verdict, heading and 20 entries: one screen */
	if (sum.problem == LT_AUDIT_P_NONE)
		lt_con_line(&k->io, "Audit log: verified, %" PRIu64 " entries, %" PRIu64
		    " signatures checked", sum.entries, sum.checkpoints);
	else {
		lt_con_line(&k->io, "Audit log: NOT OK at seq %" PRIu64 " (%s):", sum.first_bad_seq,
		    lt_audit_problem_name(sum.problem));
		lt_con_field(&k->io, 2, "", msg);
	}
	lt_con_line(&k->io, "%6s %-14s %-8s %-13s %s", "SEQ", "TIME (UTC)", "ROLE", "EVENT",
	    "DETAIL");
	for (unsigned i = 0; i < last.n; i++) {
		const char *l = last.line[(last.next + AUDIT_LAST - last.n + i) % AUDIT_LAST];

		lt_con_line(&k->io, "%s", l);
	}
}

void
lt_console_count(struct lt_console *k)
{
	struct lt_wsession op;
	char err[ERRLEN];
	size_t total, active;

	if (lt_wsession_open(&op, k->state, NULL, 0, err, sizeof(err)) < 0) {
		lt_con_line(&k->io, "cannot open the store:");
		lt_con_field(&k->io, 2, "", err);
		return;
	} else {
		lt_wops_count(&op, &total, &active);
		lt_wsession_close(&op);
	}
	lt_con_line(&k->io, "Warrants: %zu in the store, %zu active", total, active);
}

/* The operator's own record of a failed login (the store is opened with the machine key). */
static void
audit_failed(struct lt_console *k, int attempt)
{
	struct lt_wsession op;
	char err[ERRLEN];

	if (lt_wsession_open(&op, k->state, NULL, 0, err, sizeof(err)) < 0 ||
	    lt_wsession_audit(&op, "login-failed", json_pack("{s:i, s:s}", "attempt", attempt,
	    "via", "console"), err, sizeof(err)) < 0) {
		lt_con_line(&k->io, "and the failure could not be audited:");
		lt_con_field(&k->io, 2, "", err);
	}
	lt_wsession_close(&op);
}

int
lt_console_login(struct lt_console *k)
{
	char *pass = sodium_malloc(LT_PASS_MAX + 1), err[ERRLEN];
	int r, ok = 0;

	if (pass == NULL) {
		lt_con_line(&k->io, "out of memory");
		return 0;
	}
	for (int attempt = 1; attempt <= LT_CONSOLE_TRIES && !ok; attempt++) {
		r = lt_con_secret(&k->io, "Officer passphrase: ", pass, LT_PASS_MAX + 1);
		if (r == LT_CON_EOF || r == LT_CON_INTR || r == LT_CON_ERR)
			break;
		if (r > 0 && lt_wsession_open(&k->off, k->state, pass, (size_t)r, err,
		    sizeof(err)) == 0) {
			if (lt_wsession_audit(&k->off, "login", json_pack("{s:s}", "via",
			    "console"), err, sizeof(err)) == 0)
				ok = 1;
			else {
				lt_con_line(&k->io, "login not audited, so refused:");
				lt_con_field(&k->io, 2, "", err);
				lt_wsession_close(&k->off);
				break;
			}
			continue;
		}
		lt_con_line(&k->io, "login refused:");
		lt_con_field(&k->io, 2, "", r > 0 ? err : r == LT_CON_LONG ?
		    "passphrase too long" : "no passphrase given");
		audit_failed(k, attempt);
		if (attempt == LT_CONSOLE_TRIES) {
			lt_con_line(&k->io, "%d failures: wait %d seconds", LT_CONSOLE_TRIES,
			    LT_CONSOLE_PAUSE_S);
			fflush(k->io.out);
			sleep(LT_CONSOLE_PAUSE_S);
		}
	}
	sodium_memzero(pass, LT_PASS_MAX + 1);
	sodium_free(pass);
	if (ok)
		lt_con_line(&k->io, "Logged in as LI officer.");
	return ok;
}

void
lt_console_lock(struct lt_console *k, const char *how)
{
	char err[ERRLEN];

	if (k->off.st == NULL)
		return;
	if (lt_wsession_audit(&k->off, "lock", json_pack("{s:s}", "how", how), err,
	    sizeof(err)) < 0) {
		lt_con_line(&k->io, "the lock could not be audited:");
		lt_con_field(&k->io, 2, "", err);
	}
	lt_wsession_close(&k->off);
}
