/* wops.c - warrant operations on an open store and its audit log. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "mgmt/keys.h"
#include "mgmt/wfile.h"
#include "mgmt/wops.h"

static json_t *
hex_json(const uint8_t *b, size_t n)
{
	char h[2 * 64 + 1];

	sodium_bin2hex(h, sizeof(h), b, n);
	return json_string(h);
}

static const char *
str(const json_t *v)
{
	return json_is_string(v) ? json_string_value(v) : "";
}

/* The audit key from the machine key. */
static int
audit_key(int dirfd, uint8_t *key, char *err, size_t errlen)
{
	uint8_t *mk = sodium_malloc(LT_KEY_LEN);
	int rc = -1;

	if (mk == NULL)
		snprintf(err, errlen, "out of memory");
	else if (lt_keys_load_machine(dirfd, mk, err, errlen) == 0 &&
	    lt_audit_key_from_machine(mk, key) == 0)
		rc = 0;
	if (mk != NULL)
		sodium_free(mk);
	return rc;
}

int
lt_wsession_audit(struct lt_wsession *s, const char *event, json_t *detail, char *err,
    size_t errlen)
{
	int64_t r = lt_audit_append(s->a, s->role, event, detail, err, errlen);

	json_decref(detail);
	return r < 0 ? -1 : 0;
}

int
lt_wsession_open(struct lt_wsession *s, const char *dir, const char *pass, size_t passlen,
    char *err, size_t errlen)
{
	struct lt_commit_rec last, cur;
	uint8_t *key = sodium_malloc(LT_AUDIT_KEY_LEN), *sk = sodium_malloc(64), pk[32];
	int dirfd, r, behind = 0, fresh, rc = -1;

	memset(s, 0, sizeof(*s));
	s->dir = dir;
	s->role = pass != NULL ? LT_AUDIT_OFFICER : LT_AUDIT_OPERATOR;
	memset(&last, 0, sizeof(last));
	if (key == NULL || sk == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot open the state directory %s: %s", dir,
		    strerror(errno));
		goto out;
	}
	r = audit_key(dirfd, key, err, errlen);
	/* a fresh state has no audit log until its first entry */
	fresh = r == 0 && faccessat(dirfd, LT_AUDIT_LOG, F_OK, AT_SYMLINK_NOFOLLOW) < 0 &&
	    errno == ENOENT;
	close(dirfd);
	if (r < 0 || (!fresh && (r = lt_audit_last_commit(dir, key, NULL, &last.generation,
	    last.hash, err, errlen)) < 0))
		goto out;
	last.present = !fresh && r == 1;
	r = pass != NULL ?
	    lt_store_unlock_officer(dir, pass, passlen, last.present ? &last : NULL, &behind,
	    &s->st, err, errlen) :
	    lt_store_open(dir, last.present ? &last : NULL, &behind, &s->st, err, errlen);
	if (r < 0)
		goto out;
	lt_store_current(s->st, &cur);
	if (fresh && cur.generation != 1) {
		snprintf(err, errlen, "the audit log is missing but the store is at generation "
		    "%llu: refused (restore %s/%s)", (unsigned long long)cur.generation, dir,
		    LT_AUDIT_LOG);
		goto out;
	}
	if (lt_store_appliance_key(s->st, "sign_sk", sk, 64, err, errlen) < 0 ||
	    lt_store_appliance_key(s->st, "sign_pk", pk, 32, err, errlen) < 0 ||
	    lt_audit_open(dir, key, sk, pk, &s->a, err, errlen) < 0)
		goto out;
	/* the last commit's audit record was lost to a crash: record it now */
	if (behind && lt_wsession_audit(s, "commit", json_pack("{s:I, s:o}", "generation",
	    (json_int_t)cur.generation, "store_hash", hex_json(cur.hash, 32)), err,
	    errlen) < 0)
		goto out;
	rc = 0;
out:
	if (key != NULL)
		sodium_free(key);
	if (sk != NULL)
		sodium_free(sk);
	if (rc < 0)
		lt_wsession_close(s);
	return rc;
}

void
lt_wsession_close(struct lt_wsession *s)
{
	if (s->a != NULL)
		lt_audit_close(s->a);
	if (s->st != NULL)
		lt_store_close(s->st);
	memset(s, 0, sizeof(*s));
}

int
lt_wsession_commit(struct lt_wsession *s, const json_t *doc, const char *event,
    json_t *detail, char *err, size_t errlen)
{
	struct lt_commit_rec done;

	if (lt_audit_torn(s->a)) {
		json_decref(detail);
		snprintf(err, errlen, "the audit log has a torn last entry: an officer must "
		    "acknowledge it first; nothing changed");
		return -1;
	}
	if (lt_store_commit(s->st, doc, &done, err, errlen) < 0) {
		json_decref(detail);
		return -1;
	}
	json_object_set_new(detail, "generation", json_integer((json_int_t)done.generation));
	if (lt_wsession_audit(s, event, detail, err, errlen) < 0 ||
	    lt_wsession_audit(s, "commit", json_pack("{s:I, s:o}", "generation",
	    (json_int_t)done.generation, "store_hash", hex_json(done.hash, 32)), err,
	    errlen) < 0)
		return -1;
	return 0;
}

int
lt_slurp(const char *path, size_t max, uint8_t **buf, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	ssize_t r;
	int fd;

	*buf = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot open the file: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "not a regular file");
		close(fd);
		return -1;
	}
	if ((*buf = malloc(max + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return -1;
	}
	while (*len <= max) {
		r = read(fd, *buf + *len, max + 1 - *len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "cannot read the file: %s", strerror(errno));
			close(fd);
			free(*buf);
			*buf = NULL;
			return -1;
		}
		if (r == 0)
			break;
		*len += (size_t)r;
	}
	close(fd);
	return 0;
}

static int
pinned_cb(void *arg, const uint8_t pk[static 32], char *err, size_t errlen)
{
	const json_t *l = json_object_get(lt_store_doc(arg), "issuers"), *e;
	char hex[65];
	size_t i;

	(void)err;
	(void)errlen;
	sodium_bin2hex(hex, sizeof(hex), pk, 32);
	json_array_foreach(l, i, e)
		if (strcmp(str(json_object_get(e, "pk")), hex) == 0)
			return 1;
	return 0;
}

static int
seen_cb(void *arg, const uint8_t pk[static 32], uint64_t serial, char *err, size_t errlen)
{
	const json_t *l = json_object_get(lt_store_doc(arg), "serials"), *e;
	char hex[65];
	size_t i;

	if (serial > INT64_MAX) {
		snprintf(err, errlen, "its serial is above 2^63-1, which lawtap does not issue");
		return -1;
	}
	sodium_bin2hex(hex, sizeof(hex), pk, 32);
	json_array_foreach(l, i, e)
		if (strcmp(str(json_object_get(e, "issuer_pk")), hex) == 0 &&
		    json_integer_value(json_object_get(e, "serial")) == (json_int_t)serial)
			return 1;
	return 0;
}

/*
 * The store's warrants and the new one together: no LIID twice among the
 * active.  The stored ones are read without the configuration: an agency
 * removed since is the daemon's concern, not this import's.
 */
static int
check_with_store(const json_t *doc, struct lt_warrant_rec *nw, char *err, size_t errlen)
{
	const json_t *l = json_object_get(doc, "warrants");
	size_t n = json_array_size(l), i;
	struct lt_warrant_rec *all = calloc(n + 1, sizeof(*all));
	int rc = -1;

	if (all == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++)
		if (lt_warrant_from_json(json_array_get(l, i), NULL, LT_WARRANT_STORED, &all[i],
		    err, errlen) < 0)
			break;
	if (i == n) {
		all[n] = *nw;
		if (lt_warrants_check(all, n + 1, err, errlen) == 0)
			rc = 0;
		memset(&all[n], 0, sizeof(all[n]));
	}
	for (size_t k = 0; k <= i && k < n; k++)
		lt_warrant_rec_free(&all[k]);
	free(all);
	return rc;
}

int
lt_wops_import(struct lt_wsession *s, const char *path, const struct lt_config *cfg,
    char id[static LT_WARRANT_ID_LEN + 1], char *err, size_t errlen)
{
	struct lt_wfile_checks chk = { pinned_cb, seen_cb, s->st, (int64_t)time(NULL) };
	struct lt_wfile_info info;
	struct lt_warrant_rec w;
	uint8_t *buf = NULL, *box_sk = NULL, box_pk[32];
	json_t *j = NULL, *doc = NULL, *wj = NULL, *detail;
	const char *reason = "read";
	char why[400];
	size_t len = 0;
	int r, rc = -1;

	id[0] = '\0';
	memset(&w, 0, sizeof(w));
	memset(&info, 0, sizeof(info));
	if ((box_sk = sodium_malloc(32)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (lt_slurp(path, LT_WFILE_MAX_LEN, &buf, &len, why, sizeof(why)) < 0)
		goto rejected;
	if (lt_store_appliance_key(s->st, "box_sk", box_sk, 32, why, sizeof(why)) < 0 ||
	    lt_store_appliance_key(s->st, "box_pk", box_pk, 32, why, sizeof(why)) < 0) {
		reason = "system";
		goto rejected;
	}
	if ((r = lt_wfile_open(buf, len, box_pk, box_sk, &chk, &j, &info, why,
	    sizeof(why))) < 0) {
		reason = lt_wfile_reason(r);
		goto rejected;
	}
	reason = "invalid-warrant";
	if (lt_warrant_from_json(j, cfg, 0, &w, why, sizeof(why)) < 0)
		goto rejected;
	lt_warrant_new_id(w.id);
	w.state = LT_WSTATE_ACTIVE;
	reason = "duplicate-liid";
	if (check_with_store(lt_store_doc(s->st), &w, why, sizeof(why)) < 0)
		goto rejected;

	reason = "system";
	if ((doc = json_deep_copy(lt_store_doc(s->st))) == NULL ||
	    (wj = lt_warrant_to_json(&w)) == NULL ||
	    json_array_append_new(json_object_get(doc, "warrants"), wj) < 0 ||
	    json_array_append_new(json_object_get(doc, "serials"), json_pack("{s:o, s:I}",
	    "issuer_pk", hex_json(info.issuer_pk, 32), "serial", (json_int_t)info.serial)) < 0) {
		snprintf(why, sizeof(why), "out of memory");
		goto rejected;
	}
	detail = json_pack("{s:s, s:o, s:I}", "id", w.id, "issuer", hex_json(info.issuer_pk, 8),
	    "serial", (json_int_t)info.serial);
	if (lt_wsession_commit(s, doc, "import", detail, why, sizeof(why)) < 0)
		goto rejected;
	memcpy(id, w.id, LT_WARRANT_ID_LEN + 1);
	rc = 0;
	goto out;

rejected:
	snprintf(err, errlen, "warrant import refused: %s", why);
	detail = json_pack("{s:s}", "reason", reason);
	if (info.have) {
		json_object_set_new(detail, "issuer", hex_json(info.issuer_pk, 8));
		json_object_set_new(detail, "serial", json_integer((json_int_t)(info.serial &
		    INT64_MAX)));
	}
	if (lt_wsession_audit(s, "import-rejected", detail, why, sizeof(why)) < 0)
		snprintf(err, errlen, "warrant import refused, and the refusal could not be "
		    "audited: %s", why);
out:
	json_decref(doc);
	json_decref(j);
	lt_warrant_rec_free(&w);
	free(buf);
	sodium_free(box_sk);
	return rc;
}

const json_t *
lt_wops_find(const struct lt_wsession *s, const char *id)
{
	const json_t *l = json_object_get(lt_store_doc(s->st), "warrants"), *e;
	size_t i;

	json_array_foreach(l, i, e)
		if (strcmp(str(json_object_get(e, "id")), id) == 0)
			return e;
	return NULL;
}

int
lt_wops_deactivate(struct lt_wsession *s, const char *id, char *err, size_t errlen)
{
	const json_t *l = json_object_get(lt_store_doc(s->st), "warrants");
	json_t *doc, *w;
	size_t i, n = json_array_size(l);
	int rc;

	if (!lt_warrant_id_ok(id)) {
		snprintf(err, errlen, "a warrant id is W and 16 hex digits, as the list shows");
		return -1;
	}
	for (i = 0; i < n; i++)
		if (strcmp(str(json_object_get(json_array_get(l, i), "id")), id) == 0)
			break;
	if (i == n) {
		snprintf(err, errlen, "no warrant %s in the store", id);
		return -1;
	}
	if (strcmp(str(json_object_get(json_array_get(l, i), "state")), "active") != 0) {
		snprintf(err, errlen, "warrant %s is not active: nothing changed", id);
		return -1;
	}
	if ((doc = json_deep_copy(lt_store_doc(s->st))) == NULL ||
	    (w = json_array_get(json_object_get(doc, "warrants"), i)) == NULL ||
	    json_object_set_new(w, "state", json_string("deactivated")) < 0) {
		json_decref(doc);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = lt_wsession_commit(s, doc, "deactivate", json_pack("{s:s}", "id", id), err,
	    errlen);
	json_decref(doc);
	return rc;
}

void
lt_wops_count(const struct lt_wsession *s, size_t *total, size_t *active)
{
	const json_t *l = json_object_get(lt_store_doc(s->st), "warrants");

	*total = json_array_size(l);
	*active = 0;
	for (size_t i = 0; i < *total; i++)
		*active += strcmp(str(json_object_get(json_array_get(l, i), "state")),
		    "active") == 0;
}
