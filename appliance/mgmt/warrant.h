/* warrant.h - the warrant model: JSON <-> struct lt_warrant_rec, validation, and the data path's form. */
#ifndef LT_WARRANT_H
#define LT_WARRANT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "mgmt/config.h"

#define LT_WARRANT_ID_LEN	17	/* "W" and 16 lower-case hex digits */
#define LT_CASE_ID_MAX		64
#define LT_WTEXT_MAX		128	/* authority fields, carrier contact */
#define LT_SIP_URI_MAX		256
#define LT_WARRANT_TARGETS_MAX	4096	/* of all kinds, in one warrant */

enum lt_level {
	LT_LEVEL_FULL = 1,		/* whole packets */
	LT_LEVEL_HEADERS = 2,		/* headers only */
};

enum lt_intercept_type {
	LT_INTERCEPT_CONTENT = 1,
	LT_INTERCEPT_PEN_REGISTER = 2,	/* no content: IRI only */
};

enum lt_wstate {
	LT_WSTATE_NONE = 0,		/* not imported yet: no id either */
	LT_WSTATE_ACTIVE,
	LT_WSTATE_DEACTIVATED,
};

struct lt_sip_uri {
	char s[LT_SIP_URI_MAX + 1];	/* "sip:", "sips:" or "tel:" URI as given */
};

/*
 * One warrant as the officer imported it.  Text is NUL-terminated; the
 * target arrays share one sodium_malloc'd block (mem), freed with
 * lt_warrant_rec_free.
 */
struct lt_warrant_rec {
	char id[LT_WARRANT_ID_LEN + 1];		/* "" until imported */
	enum lt_wstate state;
	char liid[LT_LIID_MAX + 1];
	uint8_t liid_len;
	char case_id[LT_CASE_ID_MAX + 1];
	char agency[LT_AGENCY_ID_MAX + 1];
	uint32_t agency_idx;		/* in the config it was checked against, else UINT32_MAX */
	uint32_t cin;
	enum lt_content content;
	enum lt_level level;
	int64_t start_s, end_s;		/* end_s LT_TIME_NEVER without an end */
	uint8_t aaa_cc;

	struct lt_prefix *ips;
	uint32_t nips;
	struct lt_ident *idents;	/* usernames, calling station IDs, MACs, circuit IDs */
	uint32_t nidents;
	struct lt_sip_uri *sips;	/* kept, not matched by the data path yet */
	uint32_t nsips;

	/* who authorised it: the records CALEA (47 CFR 1.20004) asks for */
	char issued_by[LT_WTEXT_MAX + 1];
	char authorized_by[LT_WTEXT_MAX + 1];
	char presented_by[LT_WTEXT_MAX + 1];
	char reference[LT_WTEXT_MAX + 1];	/* optional */
	enum lt_intercept_type intercept_type;
	char carrier_contact[LT_WTEXT_MAX + 1];

	void *mem;
};

/* lt_warrant_from_json flags */
#define LT_WARRANT_STORED	0x1	/* the store's form: "id" and "state" required */

/*
 * Reads and validates one warrant object.  agencies: the configuration
 * whose agencies the warrant must name; NULL checks the agency id's syntax
 * only (the issuing side has no configuration).  Without LT_WARRANT_STORED
 * the object must not carry "id" or "state" (the appliance assigns them).
 * Returns 0, or -1 with one message in err naming the problem and never
 * quoting a LIID, case id or target ("target 3 of usernames must be ...").
 * out is overwritten; free it with lt_warrant_rec_free even after a failure.
 */
int lt_warrant_from_json(const json_t *j, const struct lt_config *agencies,
    unsigned flags, struct lt_warrant_rec *out, char *err, size_t errlen);

/* The warrant as JSON in canonical form (what lt_warrant_from_json reads); NULL if out of memory. */
json_t *lt_warrant_to_json(const struct lt_warrant_rec *w);

/* Frees the target block and wipes the record. */
void lt_warrant_rec_free(struct lt_warrant_rec *w);

/* A fresh opaque id: "W" and 16 random lower-case hex digits. */
void lt_warrant_new_id(char id[static LT_WARRANT_ID_LEN + 1]);
/* 1 if s is such an id. */
int lt_warrant_id_ok(const char *s);

/*
 * Checks a set of warrants together: no two active ones with the same
 * LIID, no id twice.  Returns 0 or -1 + err naming them by id.
 */
int lt_warrants_check(const struct lt_warrant_rec *w, size_t n, char *err, size_t errlen);

/*
 * Adds the active warrants of w to cfg's warrants, targets and idents the
 * way lt_config_load fills them (new sodium_malloc'd arrays; the file's
 * warrants first, then these with line 0), resolving agencies by id in cfg.
 * Returns 0, or -1 + err with cfg unchanged: an agency no longer configured,
 * a LIID the configuration file uses too, out of memory.
 */
int lt_warrants_to_config(const struct lt_warrant_rec *w, size_t n, struct lt_config *cfg,
    char *err, size_t errlen);

#endif
