/* config_ev.c - lawtap.conf: an agency's 'integrity' group, the 'evidence' group and warrants' 'evidence'. */
#include <stdio.h>
#include <string.h>

#include "mgmt/config_impl.h"

static int
get_path(struct lt_cfgctx *c, config_setting_t *g, const char *name, const char *what,
    char out[static LT_PATH_MAX])
{
	const char *s;
	int line;

	if (lt_cfg_get_string(c, g, name, what, 1, &s, &line) < 0)
		return -1;
	if (s[0] != '/' || strlen(s) >= LT_PATH_MAX)
		return lt_cfg_fail(c, line, "%s: '%s' must be an absolute path shorter than %d",
		    what, name, LT_PATH_MAX);
	strcpy(out, s);
	return 0;
}

/* integrity = { hash_every; hash_seconds; sign_every; key; } */
static int
load_integrity(struct lt_cfgctx *c, config_setting_t *ag, uint32_t idx, struct lt_agency *a)
{
	static const char *const keys[] = { "hash_every", "hash_seconds", "sign_every", "key",
	    NULL };
	struct lt_integ_conf *ic = &a->integ;
	char what[WHAT_MAX], where[WHAT_MAX + 4];
	config_setting_t *g;
	uint64_t every = 100, secs = 5, sign = 10;
	int rc;

	if ((g = lt_cfg_get_aggregate(c, ag, "integrity", 0, 0, &rc)) == NULL)
		return rc;
	ic->line = lt_cfg_line(g);
	snprintf(what, sizeof(what), "agency %u (line %d) integrity", idx + 1, a->line);
	snprintf(where, sizeof(where), " in %s", what);
	if (lt_cfg_check_members(c, g, keys, where) < 0 ||
	    lt_cfg_get_uint(c, g, "hash_every", what, 0, 1, LT_INTEG_SEQS_MAX, &every) < 0 ||
	    lt_cfg_get_uint(c, g, "hash_seconds", what, 0, 1, 86400, &secs) < 0 ||
	    lt_cfg_get_uint(c, g, "sign_every", what, 0, 1, LT_INTEG_SEQS_MAX, &sign) < 0 ||
	    get_path(c, g, "key", what, ic->key) < 0)
		return -1;
	ic->hash_every = (uint32_t)every;
	ic->hash_seconds = (uint32_t)secs;
	ic->sign_every = (uint32_t)sign;
	return 0;
}

/* evidence = { dir; key; max_bytes; max_seconds; } */
static int
load_evidence(struct lt_cfgctx *c, config_setting_t *root, struct lt_config *cfg)
{
	static const char *const keys[] = { "dir", "key", "max_bytes", "max_seconds", NULL };
	struct lt_ev_conf *ev = &cfg->ev;
	config_setting_t *g;
	uint64_t bytes = 1ULL << 30, secs = 3600;
	int rc;

	if ((g = lt_cfg_get_aggregate(c, root, "evidence", 0, 0, &rc)) == NULL)
		return rc;
	ev->line = lt_cfg_line(g);
	if (lt_cfg_check_members(c, g, keys, " in evidence") < 0 ||
	    get_path(c, g, "dir", "evidence", ev->dir) < 0 ||
	    get_path(c, g, "key", "evidence", ev->key) < 0 ||
	    lt_cfg_get_uint(c, g, "max_bytes", "evidence", 0, 4096, 1ULL << 40, &bytes) < 0 ||
	    lt_cfg_get_uint(c, g, "max_seconds", "evidence", 0, 1, 86400 * 7, &secs) < 0)
		return -1;
	ev->max_bytes = bytes;
	ev->max_seconds = (uint32_t)secs;
	return 0;
}

int
lt_cfg_load_ev(struct lt_cfgctx *c, config_setting_t *root, struct lt_config *cfg)
{
	config_setting_t *l;

	if (load_evidence(c, root, cfg) < 0)
		return -1;
	if ((l = config_setting_get_member(root, "agencies")) != NULL)
		for (uint32_t i = 0; i < cfg->nagencies; i++)
			if (load_integrity(c, config_setting_get_elem(l, i), i,
			    &cfg->agencies[i]) < 0)
				return -1;
	if ((l = config_setting_get_member(root, "warrants")) == NULL)
		return 0;
	for (uint32_t i = 0; i < cfg->nwarrants; i++) {
		struct lt_warrant *w = &cfg->warrants[i];
		config_setting_t *e = config_setting_get_member(config_setting_get_elem(l, i),
		    "evidence");

		if (e == NULL)
			continue;
		if (config_setting_type(e) != CONFIG_TYPE_BOOL)
			return lt_cfg_fail(c, lt_cfg_line(e), "warrant %u (line %d): 'evidence' "
			    "must be true or false", i + 1, w->line);
		w->evidence = config_setting_get_bool(e) != 0;
		if (w->evidence && cfg->ev.dir[0] == '\0')
			return lt_cfg_fail(c, lt_cfg_line(e), "warrant %u (line %d): 'evidence' "
			    "needs the top-level group evidence = { dir = \"...\"; key = "
			    "\"...\"; }", i + 1, w->line);
	}
	return 0;
}
