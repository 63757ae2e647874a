/* cmd_warrant.c - `lawtap warrant keygen|seal|import|issuer add|list`: warrant files in and out of the store. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "cmd.h"
#include "evidence/evkey.h"
#include "mgmt/audit.h"
#include "mgmt/config.h"
#include "mgmt/ctl.h"
#include "mgmt/keys.h"
#include "mgmt/store.h"
#include "mgmt/warrant.h"
#include "mgmt/wfile.h"
#include "mgmt/wops.h"
#include "util/io.h"

#define DEFAULT_STATE	"/var/lib/lawtap"
#define DEFAULT_CONFIG	"/etc/lawtap/lawtap.conf"
#define ISSUER_NAME_MAX	64
#define ERRLEN		512

struct opts {
	const char *state, *config, *key, *to, *not_before, *control;
	int passfd, operator;
	int have_serial;
	uint64_t serial;
	int64_t valid_for;
	int nargs;
	char *args[3];
};

static int
usage(void)
{
	fprintf(stderr,
	    "usage: lawtap warrant keygen NAME\n"
	    "       lawtap warrant seal --key ISSUER.sk --to appliance.pub --serial N\n"
	    "                           [--valid-for 7d] [--not-before TIME] IN.json OUT\n"
	    "       lawtap warrant import [--state DIR] [-c CONFIG] [--passphrase-fd N] "
	    "[--control PATH] FILE\n"
	    "       lawtap warrant issuer add [--state DIR] [--passphrase-fd N] NAME ISSUER.pk\n"
	    "       lawtap warrant deactivate [--state DIR] [--passphrase-fd N]\n"
	    "           [--control PATH] ID\n"
	    "       lawtap warrant list [--state DIR] [--passphrase-fd N | --operator]\n");
	return 2;
}

static int
parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

/* "90s", "30m", "12h", "7d" -> seconds. */
static int
parse_duration(const char *s, int64_t *out)
{
	static const struct { char unit; int64_t mul; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 } };
	char num[24];
	size_t n = strlen(s);
	uint64_t v;

	if (n < 2 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n - 1);
	num[n - 1] = '\0';
	for (size_t i = 0; i < 4; i++)
		if (s[n - 1] == units[i].unit && parse_u64(num, 3650 * 86400 / units[i].mul,
		    &v) == 0 && v > 0) {
			*out = (int64_t)v * units[i].mul;
			return 0;
		}
	return -1;
}

static int
parse_opts(int argc, char **argv, int first, struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->state = DEFAULT_STATE;
	o->config = DEFAULT_CONFIG;
	o->passfd = -1;
	o->valid_for = 7 * 86400;
	o->control = LT_CTL_PATH;
	for (int i = first; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		uint64_t u;

		if (a[0] != '-' || strcmp(a, "-") == 0) {
			if (o->nargs == 3)
				return -1;
			o->args[o->nargs++] = argv[i];
			continue;
		}
		if (strcmp(a, "--operator") == 0) {
			o->operator = 1;
			continue;
		}
		if (v == NULL)
			return -1;
		i++;
		if (strcmp(a, "--state") == 0)
			o->state = v;
		else if (strcmp(a, "-c") == 0)
			o->config = v;
		else if (strcmp(a, "--control") == 0)
			o->control = v;
		else if (strcmp(a, "--key") == 0)
			o->key = v;
		else if (strcmp(a, "--to") == 0)
			o->to = v;
		else if (strcmp(a, "--not-before") == 0)
			o->not_before = v;
		else if (strcmp(a, "--passphrase-fd") == 0 && parse_u64(v, 65535, &u) == 0)
			o->passfd = (int)u;
		else if (strcmp(a, "--serial") == 0 && parse_u64(v, INT64_MAX, &o->serial) == 0)
			o->have_serial = 1;
		else if (strcmp(a, "--valid-for") == 0 && parse_duration(v, &o->valid_for) == 0)
			continue;
		else
			return -1;
	}
	return 0;
}

/* The officer's passphrase: the first line of fd, or asked on the terminal without echo. */
static int
read_pass(int fd, char **pass, size_t *len, char *err, size_t errlen)
{
	struct termios old, quiet;
	int tty = -1, rc = -1;
	ssize_t r;
	char c;

	*len = 0;
	if ((*pass = sodium_malloc(LT_PASS_MAX + 1)) == NULL) {
		snprintf(err, errlen, "out of memory for the passphrase");
		return -1;
	}
	if (fd < 0) {
		if ((tty = fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
			snprintf(err, errlen, "no terminal to ask the passphrase on: use "
			    "--passphrase-fd N");
			return -1;
		}
		quiet.c_lflag = 0;
		if (tcgetattr(tty, &old) < 0 || (quiet = old, quiet.c_lflag &=
		    ~(tcflag_t)(ECHO | ECHONL), tcsetattr(tty, TCSAFLUSH, &quiet) < 0) ||
		    lt_write_all(tty, "Officer passphrase: ", 20) < 0) {
			snprintf(err, errlen, "cannot prompt on the terminal: %s",
			    strerror(errno));
			close(tty);
			return -1;
		}
	}
	for (;;) {
		if ((r = read(fd, &c, 1)) < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "cannot read the passphrase: %s", strerror(errno));
			goto out;
		}
		if (r == 0 || c == '\n')
			break;
		if (*len >= LT_PASS_MAX) {
			snprintf(err, errlen, "passphrase longer than %d characters", LT_PASS_MAX);
			goto out;
		}
		(*pass)[(*len)++] = c;
	}
	if (*len == 0)
		snprintf(err, errlen, "no passphrase given");
	else
		rc = 0;
out:
	if (tty >= 0) {
		tcsetattr(tty, TCSAFLUSH, &old);
		(void)lt_write_all(tty, "\n", 1);
		close(tty);
	}
	return rc;
}

static int
officer_session(const struct opts *o, struct lt_wsession *s, char *err, size_t errlen)
{
	char *pass = NULL;
	size_t len;
	int rc;

	memset(s, 0, sizeof(*s));
	rc = read_pass(o->passfd, &pass, &len, err, errlen);
	if (rc == 0)
		rc = lt_wsession_open(s, o->state, pass, len, err, errlen);
	if (pass != NULL)
		sodium_free(pass);
	return rc;
}

static int
cmd_keygen(const struct opts *o, char *err, size_t errlen)
{
	char path[4096], hex[129];
	uint8_t pk[32], *sk;
	int fd, rc = -1;

	if (o->nargs != 1)
		return usage();
	if ((sk = sodium_malloc(64)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return 1;
	}
	crypto_sign_keypair(pk, sk);
	sodium_bin2hex(hex, sizeof(hex), sk, 64);
	hex[128] = '\n';
	snprintf(path, sizeof(path), "%s.sk", o->args[0]);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
		snprintf(err, errlen, "cannot create %.300s: %s", path, strerror(errno));
	else if (fchmod(fd, 0600) < 0 || lt_write_all(fd, hex, 129) < 0 || fsync(fd) < 0 ||
	    close(fd) < 0) {
		snprintf(err, errlen, "cannot write %.300s: %s", path, strerror(errno));
		unlink(path);
	} else {
		snprintf(path, sizeof(path), "%s.pk", o->args[0]);
		if (ev_key_write_public(AT_FDCWD, path, pk, err, errlen) < 0) {
			snprintf(path, sizeof(path), "%s.sk", o->args[0]);
			unlink(path);
		} else
			rc = 0;
	}
	sodium_memzero(hex, sizeof(hex));
	sodium_free(sk);
	if (rc == 0) {
		sodium_bin2hex(hex, sizeof(hex), pk, 32);
		printf("issuer key pair: %s.sk (keep it secret) and %s.pk (%s)\n", o->args[0],
		    o->args[0], hex);
	}
	return rc == 0 ? 0 : 1;
}

/* The appliance's box key from its appliance.pub: {"box": "<hex>", "sign": "<hex>"}. */
static int
load_box_pk(const char *path, uint8_t pk[static 32], char *err, size_t errlen)
{
	json_error_t je;
	const char *hex;
	size_t n;
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);

	if (j == NULL) {
		snprintf(err, errlen, "cannot read %s: %s", path, je.text);
		return -1;
	}
	hex = json_string_value(json_object_get(j, "box"));
	if (hex == NULL || strlen(hex) != 64 ||
	    sodium_hex2bin(pk, 32, hex, 64, NULL, &n, NULL) != 0 || n != 32) {
		snprintf(err, errlen, "%s has no \"box\" key of 64 hex digits", path);
		json_decref(j);
		return -1;
	}
	json_decref(j);
	return 0;
}

static int
cmd_seal(const struct opts *o, char *err, size_t errlen)
{
	struct lt_warrant_rec w;
	uint8_t to[32], *sk = NULL, *in = NULL, *out = NULL;
	size_t inlen, outlen;
	int64_t nb = (int64_t)time(NULL);
	json_error_t je;
	json_t *j = NULL, *c = NULL;
	char *text = NULL;
	int fd, rc = 1;

	memset(&w, 0, sizeof(w));
	if (o->nargs != 2 || o->key == NULL || o->to == NULL || !o->have_serial)
		return usage();
	if (o->not_before != NULL && lt_parse_utc(o->not_before, &nb) < 0) {
		snprintf(err, errlen, "--not-before must be a UTC time such as "
		    "2026-11-01T00:00:00Z");
		return 1;
	}
	if (ev_key_load_secret(o->key, &sk, err, errlen) < 0 ||
	    load_box_pk(o->to, to, err, errlen) < 0 ||
	    lt_slurp(o->args[0], LT_WFILE_JSON_MAX, &in, &inlen, err, errlen) < 0)
		goto out;
	if (inlen > LT_WFILE_JSON_MAX) {
		snprintf(err, errlen, "the warrant is larger than %u bytes", LT_WFILE_JSON_MAX);
		goto out;
	}
	if ((j = json_loadb((char *)in, inlen, JSON_REJECT_DUPLICATES, &je)) == NULL) {
		snprintf(err, errlen, "the warrant is not valid JSON (line %d, column %d)",
		    je.line, je.column);
		goto out;
	}
	/* the appliance checks the agency against its configuration */
	if (lt_warrant_from_json(j, NULL, 0, &w, err, errlen) < 0)
		goto out;
	if ((c = lt_warrant_to_json(&w)) == NULL ||
	    (text = json_dumps(c, JSON_COMPACT)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (lt_wfile_seal(text, strlen(text), sk, to, o->serial, nb, nb + o->valid_for, &out,
	    &outlen, err, errlen) < 0)
		goto out;
	if ((fd = open(o->args[1], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		snprintf(err, errlen, "cannot create %s: %s", o->args[1], strerror(errno));
		goto out;
	}
	if (lt_write_all(fd, out, outlen) < 0 || fsync(fd) < 0 || close(fd) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", o->args[1], strerror(errno));
		unlink(o->args[1]);
		goto out;
	}
	printf("sealed: serial %llu, valid for %lld s, %zu bytes\n",
	    (unsigned long long)o->serial, (long long)o->valid_for, outlen);
	rc = 0;
out:
	if (text != NULL) {
		sodium_memzero(text, strlen(text));
		free(text);
	}
	if (in != NULL) {
		sodium_memzero(in, inlen);
		free(in);
	}
	json_decref(c);
	json_decref(j);
	free(out);
	lt_warrant_rec_free(&w);
	ev_key_free(sk);
	return rc;
}

/* Asks a running daemon to apply the store now; without one it applies at the next start. */
static void
notify(const char *control)
{
	json_t *req = json_pack("{s:s}", "cmd", "reload"), *reply = NULL;
	char err[256];

	if (req != NULL && lt_ctl_request(control, req, &reply, 2000, err, sizeof(err)) == 0 &&
	    json_is_true(json_object_get(reply, "ok")))
		printf("the running daemon applies it now\n");
	else
		printf("no daemon answered on %s: it applies when lawtap run starts\n", control);
	json_decref(req);
	json_decref(reply);
}

static int
import(struct lt_wsession *s, const struct opts *o, const struct lt_config *cfg, char *err,
    size_t errlen)
{
	char id[LT_WARRANT_ID_LEN + 1];

	if (lt_wops_import(s, o->args[0], cfg, id, err, errlen) < 0)
		return 1;
	printf("warrant imported as %s\n", id);
	notify(o->control);
	return 0;
}

static const char *
str(const json_t *v)
{
	return json_is_string(v) ? json_string_value(v) : "";
}

static int
issuer_add(struct lt_wsession *s, const struct opts *o, char *err, size_t errlen)
{
	const json_t *l = json_object_get(lt_store_doc(s->st), "issuers"), *e;
	const char *name = o->args[1];
	uint8_t pk[32];
	char hex[65];
	json_t *doc;
	size_t i, n = strlen(name);

	for (i = 0; i < n; i++)
		if (!((name[i] >= 'A' && name[i] <= 'Z') || (name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= '0' && name[i] <= '9') || strchr(" _.-", name[i]) != NULL))
			break;
	if (n < 1 || n > ISSUER_NAME_MAX || i < n) {
		snprintf(err, errlen, "an issuer name is 1 to %d characters from A-Z a-z 0-9 "
		    "space _ . -", ISSUER_NAME_MAX);
		return 1;
	}
	if (ev_key_load_public(o->args[2], pk, err, errlen) < 0)
		return 1;
	sodium_bin2hex(hex, sizeof(hex), pk, 32);
	json_array_foreach(l, i, e) {
		if (strcmp(str(json_object_get(e, "pk")), hex) == 0) {
			snprintf(err, errlen, "that key is already pinned as issuer %zu", i + 1);
			return 1;
		}
		if (strcmp(str(json_object_get(e, "name")), name) == 0) {
			snprintf(err, errlen, "an issuer of that name is already pinned");
			return 1;
		}
	}
	if ((doc = json_deep_copy(lt_store_doc(s->st))) == NULL ||
	    json_array_append_new(json_object_get(doc, "issuers"), json_pack("{s:s, s:s}",
	    "name", name, "pk", hex)) < 0) {
		json_decref(doc);
		snprintf(err, errlen, "out of memory");
		return 1;
	}
	if (lt_wsession_commit(s, doc, "issuer-add", json_pack("{s:s, s:s}", "name", name, "pk",
	    hex), err, errlen) < 0) {
		json_decref(doc);
		return 1;
	}
	json_decref(doc);
	/* l belonged to the generation before: count in the new one */
	printf("issuer %zu pinned: %s\n",
	    json_array_size(json_object_get(lt_store_doc(s->st), "issuers")), hex);
	return 0;
}

static void
print_time(int64_t t)
{
	char buf[32];
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == LT_TIME_NEVER)
		printf("%-20s", "-");
	else if (gmtime_r(&tt, &tm) != NULL &&
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) > 0)
		printf("%-20s", buf);
	else
		printf("%-20s", "?");
}

static int
list(struct lt_wsession *s, char *err, size_t errlen)
{
	const json_t *l = json_object_get(lt_store_doc(s->st), "warrants");
	struct lt_warrant_rec w;
	size_t i, active = 0;

	if (s->role == LT_AUDIT_OPERATOR) {
		/* the operator learns how many, nothing about which */
		for (i = 0; i < json_array_size(l); i++)
			active += strcmp(str(json_object_get(json_array_get(l, i), "state")),
			    "active") == 0;
		printf("%zu warrants, %zu active\n", json_array_size(l), active);
		return 0;
	}
	if (lt_wsession_audit(s, "warrant-list", json_pack("{s:I}", "count",
	    (json_int_t)json_array_size(l)), err, errlen) < 0)
		return 1;
	printf("%-17s  %-25s  %-16s  %-11s  %-20s  %s\n", "ID", "LIID", "AGENCY", "STATE",
	    "START", "END");
	for (i = 0; i < json_array_size(l); i++) {
		if (lt_warrant_from_json(json_array_get(l, i), NULL, LT_WARRANT_STORED, &w, err,
		    errlen) < 0) {
			printf("%-17s  (unreadable: %s)\n", "?", err);
			lt_warrant_rec_free(&w);
			continue;
		}
		printf("%-17s  %-25.*s  %-16s  %-11s  ", w.id, (int)w.liid_len, w.liid, w.agency,
		    w.state == LT_WSTATE_ACTIVE ? "active" : "deactivated");
		print_time(w.start_s);
		printf("  ");
		print_time(w.end_s);
		printf("\n");
		lt_warrant_rec_free(&w);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

int
cmd_warrant(int argc, char **argv)
{
	struct lt_wsession s;
	struct lt_config cfg;
	struct opts o;
	const char *sub = argc > 1 ? argv[1] : "";
	char err[ERRLEN] = "";
	int rc = 1, first = 2;

	if (strcmp(sub, "issuer") == 0) {
		if (argc < 3 || strcmp(argv[2], "add") != 0)
			return usage();
		first = 3;
	}
	if (parse_opts(argc, argv, first, &o) < 0)
		return usage();
	if (strcmp(sub, "keygen") == 0)
		rc = sodium_init() < 0 ? 1 : cmd_keygen(&o, err, sizeof(err));
	else if (strcmp(sub, "seal") == 0)
		rc = lt_harden_process(err, sizeof(err)) < 0 ? 1 : cmd_seal(&o, err, sizeof(err));
	else if (strcmp(sub, "import") == 0) {
		if (o.nargs != 1 || o.operator)
			return usage();
		if (lt_harden_process(err, sizeof(err)) == 0 &&
		    lt_config_load(o.config, &cfg, err, sizeof(err)) == 0) {
			if (officer_session(&o, &s, err, sizeof(err)) == 0)
				rc = import(&s, &o, &cfg, err, sizeof(err));
			lt_wsession_close(&s);
			lt_config_free(&cfg);
		}
	} else if (strcmp(sub, "issuer") == 0) {
		if (o.nargs != 2 || o.operator)
			return usage();
		o.args[2] = o.args[1];
		o.args[1] = o.args[0];
		if (lt_harden_process(err, sizeof(err)) == 0) {
			if (officer_session(&o, &s, err, sizeof(err)) == 0)
				rc = issuer_add(&s, &o, err, sizeof(err));
			lt_wsession_close(&s);
		}
	} else if (strcmp(sub, "deactivate") == 0) {
		if (o.nargs != 1 || o.operator || !lt_warrant_id_ok(o.args[0]))
			return usage();
		if (lt_harden_process(err, sizeof(err)) == 0) {
			if (officer_session(&o, &s, err, sizeof(err)) == 0 &&
			    lt_wops_deactivate(&s, o.args[0], err, sizeof(err)) == 0) {
				printf("warrant %s deactivated\n", o.args[0]);
				notify(o.control);
				rc = 0;
			}
			lt_wsession_close(&s);
		}
	} else if (strcmp(sub, "list") == 0) {
		if (o.nargs != 0 || (o.operator && o.passfd >= 0))
			return usage();
		if (lt_harden_process(err, sizeof(err)) == 0) {
			if ((o.operator ? lt_wsession_open(&s, o.state, NULL, 0, err, sizeof(err)) :
			    officer_session(&o, &s, err, sizeof(err))) == 0)
				rc = list(&s, err, sizeof(err));
			lt_wsession_close(&s);
		}
	} else
		return usage();
	if (rc != 0 && err[0] != '\0')
		fprintf(stderr, "lawtap: %s\n", err);
	if (fflush(stdout) != 0)
		rc = 1;
	return rc;
}
