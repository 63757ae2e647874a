/* statewar.c - the daemon's warrants from the encrypted store, unlocked with the machine key. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "mgmt/audit.h"
#include "mgmt/keys.h"
#include "mgmt/statewar.h"
#include "mgmt/store.h"
#include "mgmt/warrant.h"

/* The last commit the audit log knows of; present 0 when the log has none yet. */
static int
last_commit(const char *dir, int dirfd, struct lt_commit_rec *last, char *err, size_t errlen)
{
	uint8_t *mk = sodium_malloc(LT_KEY_LEN), *key = sodium_malloc(LT_AUDIT_KEY_LEN);
	int r = -1;

	memset(last, 0, sizeof(*last));
	if (mk == NULL || key == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (lt_keys_load_machine(dirfd, mk, err, errlen) < 0 ||
	    lt_audit_key_from_machine(mk, key) < 0)
		goto out;
	/* a fresh state has no audit log until its first entry (see lt_state_warrants) */
	if (faccessat(dirfd, LT_AUDIT_LOG, F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT) {
		r = 0;
		goto out;
	}
	r = lt_audit_last_commit(dir, key, NULL, &last->generation, last->hash, err, errlen);
	if (r < 0)
		goto out;
	last->present = r == 1;
	r = 0;
out:
	if (mk != NULL)
		sodium_free(mk);
	if (key != NULL)
		sodium_free(key);
	return r;
}

int
lt_state_warrants(const char *dir, struct lt_config *cfg, uint32_t *nloaded, char *err,
    size_t errlen)
{
	struct lt_warrant_rec *recs = NULL;
	struct lt_commit_rec last;
	struct lt_store *st = NULL;
	const json_t *ws;
	size_t n = 0, nact = 0, i;
	int dirfd, behind = 0, rc = -1;

	*nloaded = 0;
	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s: cannot open the state directory", dir);
		return -1;
	}
	if (last_commit(dir, dirfd, &last, err, errlen) < 0 ||
	    lt_store_open(dir, last.present ? &last : NULL, &behind, &st, err, errlen) < 0)
		goto out;
	if (!last.present) {
		struct lt_commit_rec cur;

		lt_store_current(st, &cur);
		if (cur.generation != 1) {
			snprintf(err, errlen, "%s: the audit log has no commit but the store is at "
			    "generation %llu: refused (rolled back or log removed?)", dir,
			    (unsigned long long)cur.generation);
			goto out;
		}
	}
	ws = json_object_get(lt_store_doc(st), "warrants");
	if (ws != NULL && !json_is_array(ws)) {
		snprintf(err, errlen, "%s: the store's warrant list is damaged", dir);
		goto out;
	}
	n = ws != NULL ? json_array_size(ws) : 0;
	if (n > 0 && (recs = sodium_malloc(n * sizeof(*recs))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (n > 0)
		memset(recs, 0, n * sizeof(*recs));
	for (i = 0; i < n; i++) {
		char why[256];

		if (lt_warrant_from_json(json_array_get(ws, i), cfg, LT_WARRANT_STORED,
		    &recs[i], why, sizeof(why)) < 0) {
			/* the store holds it by opaque id only: no LIID in this message */
			snprintf(err, errlen, "%s: stored warrant %zu: %s", dir, i + 1, why);
			goto out;
		}
		nact += recs[i].state == LT_WSTATE_ACTIVE;
	}
	if (lt_warrants_check(recs, n, err, errlen) < 0 ||
	    lt_warrants_to_config(recs, n, cfg, err, errlen) < 0)
		goto out;
	*nloaded = (uint32_t)nact;
	rc = 0;
out:
	for (i = 0; i < n && recs != NULL; i++)
		lt_warrant_rec_free(&recs[i]);
	if (recs != NULL)
		sodium_free(recs);
	if (st != NULL)
		lt_store_close(st);
	close(dirfd);
	return rc;
}
