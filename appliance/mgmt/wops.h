/* wops.h - warrant operations on an open store with its audit log: import, deactivate, lookup. */
#ifndef LT_WOPS_H
#define LT_WOPS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "mgmt/audit.h"
#include "mgmt/config.h"
#include "mgmt/store.h"
#include "mgmt/warrant.h"

/* The store unlocked by the officer's passphrase (or the machine key) and the audit log. */
struct lt_wsession {
	const char *dir;
	struct lt_store *st;
	struct lt_audit *a;
	enum lt_audit_role role;	/* officer with a passphrase, else operator */
};

/*
 * Opens the store in dir with the passphrase (pass NULL: the machine key),
 * checked against the audit log's last commit, and the audit log for
 * appending; a commit whose audit record a crash lost is recorded now.
 * 0, or -1 with err; s is then closed.
 */
int lt_wsession_open(struct lt_wsession *s, const char *dir, const char *pass, size_t passlen,
    char *err, size_t errlen);
void lt_wsession_close(struct lt_wsession *s);

/* Appends event with detail (the reference is taken, NULL: {}) in the session's role. */
int lt_wsession_audit(struct lt_wsession *s, const char *event, json_t *detail, char *err,
    size_t errlen);

/*
 * Commits doc (borrowed) as the next generation, then audits event with
 * detail (taken; "generation" is added) and the commit record.  Refused
 * while the audit log has a torn tail.
 */
int lt_wsession_commit(struct lt_wsession *s, const json_t *doc, const char *event,
    json_t *detail, char *err, size_t errlen);

/*
 * Imports the sealed warrant file at path: checks the file, the warrant
 * against cfg's agencies and the stored warrants, commits and audits
 * "import", or audits "import-rejected" with the reason.  0 with the new
 * warrant's id in id, or -1 with "warrant import refused: ..." in err.
 */
int lt_wops_import(struct lt_wsession *s, const char *path, const struct lt_config *cfg,
    char id[static LT_WARRANT_ID_LEN + 1], char *err, size_t errlen);

/* Sets the stored warrant id to "deactivated", commits and audits "deactivate". */
int lt_wops_deactivate(struct lt_wsession *s, const char *id, char *err, size_t errlen);

/* The stored warrant with this id (borrowed from the current document), or NULL. */
const json_t *lt_wops_find(const struct lt_wsession *s, const char *id);

/* Warrants in the store, and how many of them are active. */
void lt_wops_count(const struct lt_wsession *s, size_t *total, size_t *active);

/* The whole of a regular file of at most max bytes; *buf is malloc'd (max + 1 bytes). */
int lt_slurp(const char *path, size_t max, uint8_t **buf, size_t *len, char *err,
    size_t errlen);

#endif
