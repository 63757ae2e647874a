/* config.c - load lawtap.conf with libconfig, validate every setting, fill struct lt_config. */
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mediate/tls.h"
#include "mgmt/config.h"
#include "mgmt/config_impl.h"

#define CONFIG_FILE_MAX	(64u << 20)	/* refuse anything larger than this */

int
lt_cfg_fail(struct lt_cfgctx *c, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(c->err, c->errlen, "%s:%d: ", c->path, line < 1 ? 1 : line);
	if (n >= 0 && (size_t)n < c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int
lt_cfg_line(const config_setting_t *s)
{
	return (int)config_setting_source_line(s);
}

/* Every member of group s must be named in allowed; where is " in agency 2 (line 30)". */
int
lt_cfg_check_members(struct lt_cfgctx *c, const config_setting_t *s,
    const char *const allowed[], const char *where)
{
	int n = config_setting_length(s);

	for (int i = 0; i < n; i++) {
		const config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
		const char *name = config_setting_name(m);
		size_t k;

		for (k = 0; allowed[k] != NULL; k++)
			if (strcmp(allowed[k], name) == 0)
				break;
		if (allowed[k] == NULL)
			return lt_cfg_fail(c, lt_cfg_line(m), "unknown setting '%s'%s", name, where);
	}
	return 0;
}

/* Returns the member, NULL if absent (an error if required; *rc says which). */
config_setting_t *
lt_cfg_member(struct lt_cfgctx *c, config_setting_t *g, const char *name, const char *what,
    int required, int *rc)
{
	config_setting_t *m = config_setting_get_member(g, name);

	*rc = 0;
	if (m == NULL && required)
		*rc = lt_cfg_fail(c, lt_cfg_line(g), "%s: missing required setting '%s'", what, name);
	return m;
}

int
lt_cfg_get_string(struct lt_cfgctx *c, config_setting_t *g, const char *name, const char *what,
    int required, const char **out, int *line)
{
	int rc;
	config_setting_t *m = lt_cfg_member(c, g, name, what, required, &rc);

	if (m == NULL)
		return rc;
	if (config_setting_type(m) != CONFIG_TYPE_STRING)
		return lt_cfg_fail(c, lt_cfg_line(m), "%s: '%s' must be a string in double quotes",
		    what, name);
	*out = config_setting_get_string(m);
	if (line != NULL)
		*line = lt_cfg_line(m);
	return 1;
}

int
lt_cfg_get_uint(struct lt_cfgctx *c, config_setting_t *g, const char *name, const char *what,
    int required, uint64_t min, uint64_t max, uint64_t *out)
{
	int rc;
	config_setting_t *m = lt_cfg_member(c, g, name, what, required, &rc);
	long long v;

	if (m == NULL)
		return rc;
	if (config_setting_type(m) == CONFIG_TYPE_INT)
		v = config_setting_get_int(m);
	else if (config_setting_type(m) == CONFIG_TYPE_INT64)
		v = config_setting_get_int64(m);
	else
		return lt_cfg_fail(c, lt_cfg_line(m), "%s: '%s' must be an integer", what, name);
	if (v < 0 || (uint64_t)v < min || (uint64_t)v > max)
		return lt_cfg_fail(c, lt_cfg_line(m), "%s: '%s' must be %llu..%llu", what, name,
		    (unsigned long long)min, (unsigned long long)max);
	*out = (uint64_t)v;
	return 1;
}

static int
lt_cfg_get_seconds(struct lt_cfgctx *c, config_setting_t *g, const char *name, const char *what,
    double min, double max, double *out)
{
	int rc;
	config_setting_t *m = lt_cfg_member(c, g, name, what, 0, &rc);
	double v;

	if (m == NULL)
		return rc;
	switch (config_setting_type(m)) {
	case CONFIG_TYPE_INT:
		v = config_setting_get_int(m);
		break;
	case CONFIG_TYPE_INT64:
		v = (double)config_setting_get_int64(m);
		break;
	case CONFIG_TYPE_FLOAT:
		v = config_setting_get_float(m);
		break;
	default:
		return lt_cfg_fail(c, lt_cfg_line(m), "%s: '%s' must be a number of seconds",
		    what, name);
	}
	if (!(v >= min && v <= max))
		return lt_cfg_fail(c, lt_cfg_line(m), "%s: '%s' must be %g to %g seconds",
		    what, name, min, max);
	*out = v;
	return 1;
}

/* A group, or a list of groups when list is set; NULL if absent (and allowed). */
config_setting_t *
lt_cfg_get_aggregate(struct lt_cfgctx *c, config_setting_t *parent, const char *name,
    int list, int required, int *rc)
{
	config_setting_t *m = config_setting_get_member(parent, name);

	*rc = 0;
	if (m == NULL) {
		if (required)
			*rc = lt_cfg_fail(c, lt_cfg_line(parent), "missing required %s '%s'",
			    list ? "list" : "group", name);
		return NULL;
	}
	if (list ? !(config_setting_is_list(m) ||
	    (config_setting_is_array(m) && config_setting_length(m) == 0)) :
	    !config_setting_is_group(m)) {
		*rc = lt_cfg_fail(c, lt_cfg_line(m), list ?
		    "'%s' must be a list of groups: %s = ( { ... }, { ... } );" :
		    "'%s' must be a group: %s: { ... };", name, name);
		return NULL;
	}
	return m;
}

/* Printable ASCII, 1..max characters. */
static int
check_ident(struct lt_cfgctx *c, const char *s, int line, const char *what,
    const char *name, size_t max)
{
	size_t n = strlen(s);

	if (n < 1 || n > max)
		return lt_cfg_fail(c, line, "%s: '%s' must be 1 to %zu characters long",
		    what, name, max);
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return lt_cfg_fail(c, line, "%s: '%s' must be printable ASCII",
			    what, name);
	return 0;
}

static int
load_operator(struct lt_cfgctx *c, config_setting_t *root, struct lt_config *cfg)
{
	static const char *const keys[] = { "id", "network_element", "country",
	    "delivery_country", NULL };
	const char *what = "operator", *s;
	config_setting_t *g;
	int rc, line;

	if ((g = lt_cfg_get_aggregate(c, root, "operator", 0, 1, &rc)) == NULL)
		return -1;
	if (lt_cfg_check_members(c, g, keys, " in operator") < 0)
		return -1;

	if (lt_cfg_get_string(c, g, "id", what, 1, &s, &line) < 0 ||
	    check_ident(c, s, line, what, "id", LT_ELEMID_MAX) < 0)
		return -1;
	strcpy(cfg->operator_id, s);

	if ((rc = lt_cfg_get_string(c, g, "network_element", what, 0, &s, &line)) < 0)
		return -1;
	if (rc == 1) {
		if (check_ident(c, s, line, what, "network_element", LT_ELEMID_MAX) < 0)
			return -1;
		strcpy(cfg->ne_id, s);
	}

	static const char *const cc[] = { "country", "delivery_country" };
	char *dst[] = { cfg->auth_cc, cfg->delivery_cc };
	for (int i = 0; i < 2; i++) {
		if ((rc = lt_cfg_get_string(c, g, cc[i], what, i == 0, &s, &line)) < 0)
			return -1;
		if (rc == 0) {
			memcpy(dst[i], cfg->auth_cc, 3);
			continue;
		}
		if (strlen(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z')
			return lt_cfg_fail(c, line, "operator: '%s' must be two upper-case "
			    "letters (ISO 3166-1 alpha-2)", cc[i]);
		memcpy(dst[i], s, 3);
	}
	return 0;
}

static int
load_eal(struct lt_cfgctx *c, config_setting_t *dpdk, struct lt_config *cfg)
{
	config_setting_t *m = config_setting_get_member(dpdk, "eal");
	int n;

	if (m == NULL)
		n = 0;
	else if (config_setting_is_array(m) || config_setting_is_list(m))
		n = config_setting_length(m);
	else
		return lt_cfg_fail(c, lt_cfg_line(m), "dpdk: 'eal' must be a list of strings: "
		    "eal = [ \"-l\", \"0-2\" ];");

	if ((cfg->eal_argv = calloc((size_t)n + 1, sizeof(char *))) == NULL)
		return lt_cfg_fail(c, lt_cfg_line(dpdk), "out of memory");
	for (int i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(m, (unsigned)i);

		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return lt_cfg_fail(c, lt_cfg_line(e), "dpdk: 'eal' argument %d must be a string",
			    i + 1);
		if ((cfg->eal_argv[i] = strdup(config_setting_get_string(e))) == NULL)
			return lt_cfg_fail(c, lt_cfg_line(e), "out of memory");
		cfg->eal_argc = i + 1;
	}
	return 0;
}

static int
load_port(struct lt_cfgctx *c, config_setting_t *g, uint32_t idx, struct lt_config *cfg)
{
	static const char *const keys[] = { "device", "rx_queues", NULL };
	struct lt_port *p = &cfg->ports[idx];
	char what[WHAT_MAX], where[WHAT_MAX + 4];
	const char *s;
	uint64_t v = 1;
	int line;

	p->line = lt_cfg_line(g);
	snprintf(what, sizeof(what), "port %u (line %d)", idx + 1, p->line);
	snprintf(where, sizeof(where), " in %s", what);
	if (!config_setting_is_group(g))
		return lt_cfg_fail(c, p->line, "%s must be a group: { device = \"...\"; }", what);
	if (lt_cfg_check_members(c, g, keys, where) < 0 ||
	    lt_cfg_get_string(c, g, "device", what, 1, &s, &line) < 0)
		return -1;
	if (strlen(s) < 1 || strlen(s) >= sizeof(p->device))
		return lt_cfg_fail(c, line, "%s: 'device' must be 1 to %zu characters long",
		    what, sizeof(p->device) - 1);
	strcpy(p->device, s);
	if (lt_cfg_get_uint(c, g, "rx_queues", what, 0, 1, 64, &v) < 0)
		return -1;
	p->rx_queues = (uint16_t)v;
	for (uint32_t j = 0; j < idx; j++)
		if (strcmp(cfg->ports[j].device, p->device) == 0)
			return lt_cfg_fail(c, line, "%s: 'device' is already used by port %u "
			    "(line %d)", what, j + 1, cfg->ports[j].line);
	return 0;
}

static int
load_dpdk(struct lt_cfgctx *c, config_setting_t *root, struct lt_config *cfg)
{
	static const char *const keys[] = { "eal", "mbufs_per_queue", "ports", NULL };
	config_setting_t *g, *ports;
	uint64_t v = 8192;
	int rc;

	cfg->mbufs_per_queue = (uint32_t)v;
	if ((g = lt_cfg_get_aggregate(c, root, "dpdk", 0, 0, &rc)) == NULL) {
		if (rc < 0)
			return -1;
		/* no dpdk group: still hand out an empty argv */
		if ((cfg->eal_argv = calloc(1, sizeof(char *))) == NULL)
			return lt_cfg_fail(c, 1, "out of memory");
		return 0;
	}
	if (lt_cfg_check_members(c, g, keys, " in dpdk") < 0 || load_eal(c, g, cfg) < 0 ||
	    lt_cfg_get_uint(c, g, "mbufs_per_queue", "dpdk", 0, 1024, 1048576, &v) < 0)
		return -1;
	cfg->mbufs_per_queue = (uint32_t)v;

	ports = lt_cfg_get_aggregate(c, g, "ports", 1, 0, &rc);
	if (ports == NULL || config_setting_length(ports) == 0)
		return rc;
	cfg->ports = calloc((size_t)config_setting_length(ports), sizeof(*cfg->ports));
	if (cfg->ports == NULL)
		return lt_cfg_fail(c, lt_cfg_line(ports), "out of memory");
	for (int i = 0; i < config_setting_length(ports); i++) {
		if (load_port(c, config_setting_get_elem(ports, (unsigned)i),
		    (uint32_t)i, cfg) < 0)
			return -1;
		cfg->nports = (uint32_t)i + 1;
	}
	return 0;
}

static int
load_delivery(struct lt_cfgctx *c, config_setting_t *root, struct lt_config *cfg)
{
	static const char *const keys[] = { "queue_mb", "reconnect_interval",
	    "unreachable_timeout", "spool_mb", "spool_dir", NULL };
	const char *what = "delivery", *dir = NULL;
	config_setting_t *g;
	uint64_t mb = 64, unreach = 30, spool_mb = 0;
	int line;
	double reconnect = 5;
	int rc;

	if ((g = lt_cfg_get_aggregate(c, root, "delivery", 0, 0, &rc)) == NULL && rc < 0)
		return -1;
	if (g != NULL && (lt_cfg_check_members(c, g, keys, " in delivery") < 0 ||
	    lt_cfg_get_uint(c, g, "queue_mb", what, 0, 1, 16384, &mb) < 0 ||
	    lt_cfg_get_seconds(c, g, "reconnect_interval", what, 0.01, 3600, &reconnect) < 0 ||
	    lt_cfg_get_uint(c, g, "unreachable_timeout", what, 0, 1, 86400, &unreach) < 0 ||
	    lt_cfg_get_uint(c, g, "spool_mb", what, 0, 1, 1u << 24, &spool_mb) < 0 ||
	    lt_cfg_get_string(c, g, "spool_dir", what, 0, &dir, &line) < 0))
		return -1;
	if (dir != NULL && (dir[0] != '/' || strlen(dir) >= sizeof(cfg->spool_dir)))
		return lt_cfg_fail(c, line, "delivery: spool_dir must be an absolute path "
		    "shorter than %zu bytes", sizeof(cfg->spool_dir));
	if (dir != NULL)
		snprintf(cfg->spool_dir, sizeof(cfg->spool_dir), "%s", dir);
	cfg->spool_bytes = spool_mb << 20;
	cfg->queue_bytes = mb << 20;
	cfg->reconnect_ms = (uint32_t)(reconnect * 1000 + 0.5);
	cfg->unreachable_s = (uint32_t)unreach;
	return 0;
}

static int
valid_agency_id(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > LT_AGENCY_ID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '.' ||
		    s[i] == '-'))
			return 0;
	return 1;
}

/*
 * tls = { cert; key; ca; name; min_version; }: the files are read here, once,
 * so that check-config refuses what run would.
 */
static int
load_agency_tls(struct lt_cfgctx *c, config_setting_t *ag, const char *what,
    struct lt_agency *a)
{
	static const char *const keys[] = { "cert", "key", "ca", "name", "min_version",
	    NULL };
	static const char *const files[] = { "cert", "key", "ca", "name" };
	struct lt_tls_conf tc = { .role = LT_TLS_CLIENT, .min_version = 12 };
	const char **val[] = { &tc.cert, &tc.key, &tc.ca, &tc.name };
	char where[WHAT_MAX + 8], terr[512];
	config_setting_t *g;
	const char *s;
	int line, rc;

	if ((g = lt_cfg_get_aggregate(c, ag, "tls", 0, 0, &rc)) == NULL)
		return rc;
	line = lt_cfg_line(g);
	snprintf(where, sizeof(where), " in %s tls", what);
	if (lt_cfg_check_members(c, g, keys, where) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (lt_cfg_get_string(c, g, files[i], where + 4, 1, val[i], &line) < 0)
			return -1;
		if (i < 3 && (*val[i])[0] != '/')
			return lt_cfg_fail(c, line, "%s: tls '%s' must be an absolute path",
			    what, files[i]);
	}
	if ((rc = lt_cfg_get_string(c, g, "min_version", where + 4, 0, &s, &line)) < 0)
		return -1;
	if (rc == 1) {
		if (strcmp(s, "1.2") != 0 && strcmp(s, "1.3") != 0)
			return lt_cfg_fail(c, line, "%s: tls 'min_version' must be \"1.2\" or "
			    "\"1.3\"", what);
		tc.min_version = s[2] == '3' ? 13 : 12;
	}
	if (lt_tls_ctx_new(&a->tls, &tc, terr, sizeof(terr)) < 0)
		return lt_cfg_fail(c, lt_cfg_line(g), "%s: %s", what, terr);
	return 0;
}

static int
load_agency(struct lt_cfgctx *c, config_setting_t *g, uint32_t idx, struct lt_config *cfg)
{
	static const char *const keys[] = { "id", "hi2", "hi3", "integrity", "keepalive",
	    "keepalive_timeout", "pspdu_version", "ipaccess_version",
	    "keepalive_liid", "tls", NULL };
	struct lt_agency *a = &cfg->agencies[idx];
	char what[WHAT_MAX], where[WHAT_MAX + 4];
	const char *s;
	uint64_t v;
	int line, rc;

	a->line = lt_cfg_line(g);
	snprintf(what, sizeof(what), "agency %u (line %d)", idx + 1, a->line);
	snprintf(where, sizeof(where), " in %s", what);
	if (!config_setting_is_group(g))
		return lt_cfg_fail(c, a->line, "%s must be a group: { id = \"...\"; ... }", what);
	if (lt_cfg_check_members(c, g, keys, where) < 0 ||
	    lt_cfg_get_string(c, g, "id", what, 1, &s, &line) < 0)
		return -1;
	if (!valid_agency_id(s))
		return lt_cfg_fail(c, line, "%s: 'id' must be 1 to %d characters from "
		    "A-Z a-z 0-9 _ . -", what, LT_AGENCY_ID_MAX);
	for (uint32_t j = 0; j < idx; j++)
		if (strcmp(cfg->agencies[j].id, s) == 0)
			return lt_cfg_fail(c, line, "%s: 'id' is already used by agency %u "
			    "(line %d)", what, j + 1, cfg->agencies[j].line);
	strcpy(a->id, s);

	static const char *const hi[] = { "hi2", "hi3" };
	struct lt_endpoint *ep[] = { &a->hi2, &a->hi3 };
	for (int i = 0; i < 2; i++) {
		if (lt_cfg_get_string(c, g, hi[i], what, 1, &s, &line) < 0)
			return -1;
		if (lt_parse_endpoint(s, ep[i]) < 0)
			return lt_cfg_fail(c, line, "%s: '%s' must be an address and port such as "
			    "\"192.0.2.1:40002\" or \"[2001:db8::1]:40002\"", what, hi[i]);
	}

	static const struct {
		const char *name;
		uint64_t min, max, dflt;
		size_t off;
	} nums[] = {
		{ "keepalive", 1, 86400, 300, offsetof(struct lt_agency, keepalive_s) },
		{ "keepalive_timeout", 1, 86400, 60,
		    offsetof(struct lt_agency, keepalive_timeout_s) },
		{ "pspdu_version", 1, 255, 40, offsetof(struct lt_agency, pspdu_version) },
		{ "ipaccess_version", 1, 255, 20,
		    offsetof(struct lt_agency, ipaccess_version) },
	};
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		uint32_t u;

		v = nums[i].dflt;
		if (lt_cfg_get_uint(c, g, nums[i].name, what, 0, nums[i].min, nums[i].max,
		    &v) < 0)
			return -1;
		u = (uint32_t)v;
		memcpy((char *)a + nums[i].off, &u, sizeof(u));
	}

	s = "-";
	if ((rc = lt_cfg_get_string(c, g, "keepalive_liid", what, 0, &s, &line)) < 0)
		return -1;
	if (rc == 1 && (strlen(s) < 1 || strlen(s) > LT_LIID_MAX))
		return lt_cfg_fail(c, line, "%s: 'keepalive_liid' must be 1 to %d octets",
		    what, LT_LIID_MAX);
	strcpy(a->keepalive_liid, s);
	return load_agency_tls(c, g, what, a);
}

static int
load_agencies(struct lt_cfgctx *c, config_setting_t *root, struct lt_config *cfg)
{
	config_setting_t *l;
	int rc, n;

	l = lt_cfg_get_aggregate(c, root, "agencies", 1, 0, &rc);
	if (l == NULL || (n = config_setting_length(l)) == 0)
		return rc;
	if ((cfg->agencies = calloc((size_t)n, sizeof(*cfg->agencies))) == NULL)
		return lt_cfg_fail(c, lt_cfg_line(l), "out of memory");
	for (int i = 0; i < n; i++) {
		if (load_agency(c, config_setting_get_elem(l, (unsigned)i),
		    (uint32_t)i, cfg) < 0)
			return -1;
		cfg->nagencies = (uint32_t)i + 1;
	}
	return 0;
}

static int
load_time(struct lt_cfgctx *c, config_setting_t *g, const char *name, const char *what,
    int64_t *out, int *line)
{
	const char *s;
	int rc;

	if ((rc = lt_cfg_get_string(c, g, name, what, 0, &s, line)) <= 0)
		return rc;
	if (lt_parse_utc(s, out) < 0)
		return lt_cfg_fail(c, *line, "%s: '%s' must be a UTC time such as "
		    "\"2026-11-01T00:00:00Z\"", what, name);
	return 1;
}

static int
load_targets(struct lt_cfgctx *c, config_setting_t *g, const char *what,
    struct lt_warrant *w, struct lt_config *cfg)
{
	config_setting_t *t;
	int rc, n;

	if ((t = lt_cfg_member(c, g, "targets", what, 1, &rc)) == NULL)
		return -1;
	if (!config_setting_is_array(t) && !config_setting_is_list(t))
		return lt_cfg_fail(c, lt_cfg_line(t), "%s: 'targets' must be a list of prefixes: "
		    "targets = [ \"192.0.2.1\", \"2001:db8::/48\" ];", what);
	if ((n = config_setting_length(t)) == 0)
		return lt_cfg_fail(c, lt_cfg_line(t), "%s: 'targets' must list at least one prefix",
		    what);
	w->targets = &cfg->targets[cfg->ntargets];
	for (int i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(t, (unsigned)i);
		const char *why;

		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return lt_cfg_fail(c, lt_cfg_line(e), "%s: target %d must be a string", what,
			    i + 1);
		if (lt_parse_prefix_why(config_setting_get_string(e),
		    &w->targets[i], &why) < 0)
			return lt_cfg_fail(c, lt_cfg_line(e), "%s: target %d: %s", what, i + 1, why);
		w->ntargets++;
		cfg->ntargets++;
	}
	return 0;
}

static int
load_warrant(struct lt_cfgctx *c, config_setting_t *g, uint32_t idx, struct lt_config *cfg)
{
	static const char *const keys[] = { "liid", "agency", "cin", "content",
	    "start", "end", "targets", "usernames", "calling_station_ids", "macs",
	    "circuit_ids", "aaa_cc", "evidence", "sip_uris", "sip_from", NULL };
	static const char *const contents[] = { NULL, "iri", "cc", "both" };
	struct lt_warrant *w = &cfg->warrants[idx];
	char what[WHAT_MAX], where[WHAT_MAX + 4];
	const char *s;
	uint64_t v;
	int line, end_line = 0;
	size_t n;

	w->line = lt_cfg_line(g);
	snprintf(what, sizeof(what), "warrant %u (line %d)", idx + 1, w->line);
	snprintf(where, sizeof(where), " in %s", what);
	if (!config_setting_is_group(g))
		return lt_cfg_fail(c, w->line, "%s must be a group: { liid = \"...\"; ... }", what);
	if (lt_cfg_check_members(c, g, keys, where) < 0 ||
	    lt_cfg_get_string(c, g, "liid", what, 1, &s, &line) < 0)
		return -1;
	if ((n = strlen(s)) < 1 || n > LT_LIID_MAX)
		return lt_cfg_fail(c, line, "%s: 'liid' must be 1 to %d octets", what,
		    LT_LIID_MAX);
	for (uint32_t j = 0; j < idx; j++)
		if (cfg->warrants[j].liid_len == n &&
		    memcmp(cfg->warrants[j].liid, s, n) == 0)
			return lt_cfg_fail(c, line, "%s: 'liid' is already used by warrant %u "
			    "(line %d)", what, j + 1, cfg->warrants[j].line);
	memcpy(w->liid, s, n);
	w->liid_len = (uint8_t)n;

	if (lt_cfg_get_string(c, g, "agency", what, 1, &s, &line) < 0)
		return -1;
	for (w->agency = 0; w->agency < cfg->nagencies; w->agency++)
		if (strcmp(cfg->agencies[w->agency].id, s) == 0)
			break;
	/* not quoted: a LIID typed here by mistake must not reach a log */
	if (w->agency == cfg->nagencies)
		return lt_cfg_fail(c, line, "%s: 'agency' names no agency defined in 'agencies'",
		    what);

	if (lt_cfg_get_uint(c, g, "cin", what, 1, 0, UINT32_MAX, &v) < 0)
		return -1;
	w->cin = (uint32_t)v;

	if (lt_cfg_get_string(c, g, "content", what, 1, &s, &line) < 0)
		return -1;
	for (int k = LT_CONTENT_IRI; k <= LT_CONTENT_BOTH; k++)
		if (strcmp(s, contents[k]) == 0)
			w->content = (enum lt_content)k;
	if (w->content == 0)
		return lt_cfg_fail(c, line, "%s: 'content' must be \"iri\", \"cc\" or \"both\"",
		    what);

	w->start_s = LT_TIME_ALWAYS;
	w->end_s = LT_TIME_NEVER;
	if (load_time(c, g, "start", what, &w->start_s, &line) < 0 ||
	    load_time(c, g, "end", what, &w->end_s, &end_line) < 0)
		return -1;
	if (w->end_s <= w->start_s)
		return lt_cfg_fail(c, end_line, "%s: 'end' must be after 'start'", what);

	if (lt_cfg_load_idents(c, g, what, w, cfg) < 0 ||
	    lt_cfg_load_sipids(c, g, what, w, cfg) < 0)
		return -1;
	if (config_setting_get_member(g, "targets") == NULL) {
		if (w->nidents > 0 || w->nsipids > 0)
			return 0;
		return lt_cfg_fail(c, w->line, "%s: needs 'targets' or at least one of "
		    "'usernames', 'calling_station_ids', 'macs', 'circuit_ids'", what);
	}
	return load_targets(c, g, what, w, cfg);
}

/* Number of target strings, counted before they are parsed. */
static size_t
count_targets(config_setting_t *l)
{
	size_t total = 0;

	for (int i = 0; i < config_setting_length(l); i++) {
		config_setting_t *g = config_setting_get_elem(l, (unsigned)i);
		config_setting_t *t = config_setting_is_group(g) ?
		    config_setting_get_member(g, "targets") : NULL;

		if (t != NULL && config_setting_is_aggregate(t))
			total += (size_t)config_setting_length(t);
	}
	return total;
}

static int
load_warrants(struct lt_cfgctx *c, config_setting_t *root, struct lt_config *cfg)
{
	config_setting_t *l;
	size_t ntargets, nidents;
	int rc, n;

	l = lt_cfg_get_aggregate(c, root, "warrants", 1, 0, &rc);
	if (l == NULL || (n = config_setting_length(l)) == 0)
		return rc;
	cfg->warrants = sodium_malloc((size_t)n * sizeof(*cfg->warrants));
	if (cfg->warrants == NULL)
		return lt_cfg_fail(c, lt_cfg_line(l), "out of memory (sodium_malloc)");
	memset(cfg->warrants, 0, (size_t)n * sizeof(*cfg->warrants));
	if ((ntargets = count_targets(l)) > 0) {
		if (ntargets > UINT32_MAX)
			return lt_cfg_fail(c, lt_cfg_line(l), "too many targets");
		cfg->targets = sodium_malloc(ntargets * sizeof(*cfg->targets));
		if (cfg->targets == NULL)
			return lt_cfg_fail(c, lt_cfg_line(l), "out of memory (sodium_malloc)");
		memset(cfg->targets, 0, ntargets * sizeof(*cfg->targets));
	}
	if ((nidents = lt_cfg_count_idents(l)) > 0) {
		if (nidents > UINT32_MAX)
			return lt_cfg_fail(c, lt_cfg_line(l), "too many identities");
		cfg->idents = sodium_malloc(nidents * sizeof(*cfg->idents));
		if (cfg->idents == NULL)
			return lt_cfg_fail(c, lt_cfg_line(l), "out of memory (sodium_malloc)");
		memset(cfg->idents, 0, nidents * sizeof(*cfg->idents));
	}
	if (lt_cfg_alloc_sipids(c, l, cfg) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (load_warrant(c, config_setting_get_elem(l, (unsigned)i),
		    (uint32_t)i, cfg) < 0)
			return -1;
		cfg->nwarrants = (uint32_t)i + 1;
	}
	return 0;
}

static int
load_tree(struct lt_cfgctx *c, config_setting_t *root, struct lt_config *cfg)
{
	static const char *const keys[] = { "operator", "dpdk", "delivery",
	    "agencies", "warrants", "aaa", "evidence", "sip", NULL };

	if (lt_cfg_check_members(c, root, keys, " at the top level") < 0 ||
	    load_operator(c, root, cfg) < 0 || load_dpdk(c, root, cfg) < 0 ||
	    load_delivery(c, root, cfg) < 0 || load_agencies(c, root, cfg) < 0 ||
	    lt_cfg_load_aaa(c, root, cfg) < 0 || lt_cfg_load_sip(c, root, cfg) < 0 ||
	    load_warrants(c, root, cfg) < 0 || lt_cfg_load_ev(c, root, cfg) < 0)
		return -1;
	return 0;
}

/* Zero libconfig's copies of every string before config_destroy frees them. */
static void
wipe_strings(config_setting_t *s)
{
	if (s == NULL)
		return;
	if (config_setting_type(s) == CONFIG_TYPE_STRING && s->value.sval != NULL)
		sodium_memzero(s->value.sval, strlen(s->value.sval));
	else if (config_setting_is_aggregate(s))
		for (int i = 0; i < config_setting_length(s); i++)
			wipe_strings(config_setting_get_elem(s, (unsigned)i));
}

/* The whole file in sodium_malloc'd memory (wiped when freed), NUL-terminated. */
static char *
read_file(struct lt_cfgctx *c, size_t *lenp)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	ssize_t r;
	int fd;

	if ((fd = open(c->path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(c->err, c->errlen, "%s: cannot open: %s", c->path,
		    strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > CONFIG_FILE_MAX) {
		snprintf(c->err, c->errlen, "%s: not a regular file of at most %u MiB",
		    c->path, CONFIG_FILE_MAX >> 20);
		goto out;
	}
	if ((buf = sodium_malloc((size_t)st.st_size + 1)) == NULL) {
		snprintf(c->err, c->errlen, "%s: out of memory (sodium_malloc)", c->path);
		goto out;
	}
	while (len < (size_t)st.st_size) {
		r = read(fd, buf + len, (size_t)st.st_size - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(c->err, c->errlen, "%s: cannot read: %s", c->path,
			    r < 0 ? strerror(errno) : "file shrank while being read");
			sodium_free(buf);
			buf = NULL;
			goto out;
		}
		len += (size_t)r;
	}
	buf[len] = '\0';
	*lenp = len;
out:
	close(fd);
	return buf;
}

int
lt_config_load(const char *path, struct lt_config *cfg, char *err, size_t errlen)
{
	struct lt_cfgctx c = { path, err, errlen };
	config_t lc;
	const char *why;
	char *text;
	size_t len;
	int rc, line;

	memset(cfg, 0, sizeof(*cfg));
	if (errlen > 0)
		err[0] = '\0';
	if (sodium_init() < 0) {
		snprintf(err, errlen, "%s: cannot initialise libsodium", path);
		return -1;
	}
	if (strlen(path) >= sizeof(cfg->path)) {
		snprintf(err, errlen, "configuration file path is too long");
		return -1;
	}
	strcpy(cfg->path, path);

	if ((text = read_file(&c, &len)) == NULL)
		return -1;
	if (lt_config_prescan(text, len, &line, &why) < 0) {
		sodium_free(text);
		return lt_cfg_fail(&c, line, "%s", why);
	}

	config_init(&lc);
	rc = config_read_string(&lc, text);
	sodium_free(text);
	if (rc != CONFIG_TRUE)
		rc = lt_cfg_fail(&c, config_error_line(&lc), "%s", config_error_text(&lc));
	else
		rc = load_tree(&c, config_root_setting(&lc), cfg);
	wipe_strings(config_root_setting(&lc));
	config_destroy(&lc);
	if (rc < 0)
		lt_config_free(cfg);
	return rc;
}

void
lt_config_free(struct lt_config *cfg)
{
	if (cfg->eal_argv != NULL)
		for (int i = 0; cfg->eal_argv[i] != NULL; i++)
			free(cfg->eal_argv[i]);
	free(cfg->eal_argv);
	free(cfg->ports);
	for (uint32_t i = 0; cfg->agencies != NULL && i < cfg->nagencies; i++)
		lt_tls_ctx_unref(cfg->agencies[i].tls);
	free(cfg->agencies);
	if (cfg->warrants != NULL)
		sodium_free(cfg->warrants);	/* sodium_free wipes */
	if (cfg->targets != NULL)
		sodium_free(cfg->targets);
	lt_cfg_free_aaa(cfg);
	lt_cfg_free_sip(cfg);
	sodium_memzero(cfg, sizeof(*cfg));
}
