/* statewar.c - the daemon's warrants from the encrypted store, unlocked with the machine key. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "mgmt/statewar.h"
#include "mgmt/wops.h"

int
lt_state_warrants(const char *dir, struct lt_config *cfg, uint32_t *nloaded, char *err,
    size_t errlen)
{
	struct lt_warrant_rec *recs = NULL;
	struct lt_wsession s;
	const json_t *ws;
	size_t n = 0, nact = 0, i;
	int rc = -1;

	*nloaded = 0;
	/* the machine key: the same checks as an officer's session (rollback, lost commit) */
	if (lt_wsession_open(&s, dir, NULL, 0, err, errlen) < 0)
		return -1;
	ws = json_object_get(lt_store_doc(s.st), "warrants");
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
	lt_wsession_close(&s);
	return rc;
}
