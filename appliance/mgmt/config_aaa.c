/* config_aaa.c - the aaa section (RADIUS and DHCP servers) and the identities warrants name. */
#include <arpa/inet.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt/config_impl.h"

#define AAA_DEFAULT_TIMEOUT_S	10
#define AAA_DEFAULT_SESSIONS	(1u << 20)
#define AAA_MAX_SESSIONS	(1u << 24)

static const char *const access_types[] = { "undefined", "dialUp", "xDSL",
    "cableModem", "lAN", "wirelessLAN", "fTTx", "wIMAX-HIPERMAN", "satellite",
    "wireless-other", NULL };

static int
load_ports(struct lt_cfgctx *c, config_setting_t *g, const char *name,
    const char *what, uint16_t *ports, uint8_t *n)
{
	config_setting_t *l = config_setting_get_member(g, name);

	if (l == NULL)
		return 0;
	if (!config_setting_is_array(l) || config_setting_length(l) == 0 ||
	    config_setting_length(l) > LT_AAA_PORTS_MAX)
		return lt_cfg_fail(c, lt_cfg_line(l), "%s: '%s' must be a list of 1 to %d "
		    "UDP ports: %s = [ 1812, 1645 ];", what, name, LT_AAA_PORTS_MAX, name);
	for (int i = 0; i < config_setting_length(l); i++) {
		config_setting_t *e = config_setting_get_elem(l, (unsigned)i);

		if (config_setting_type(e) != CONFIG_TYPE_INT ||
		    config_setting_get_int(e) < 1 || config_setting_get_int(e) > 65535)
			return lt_cfg_fail(c, lt_cfg_line(e), "%s: '%s': port %d must be "
			    "1..65535", what, name, i + 1);
		ports[(*n)++] = (uint16_t)config_setting_get_int(e);
	}
	return 0;
}

static int
load_server(struct lt_cfgctx *c, config_setting_t *g, const char *what, int radius,
    struct lt_aaa_server *s)
{
	static const char *const rkeys[] = { "server", "auth_ports", "acct_ports",
	    "secret", "access_type", NULL };
	static const char *const dkeys[] = { "server", "access_type", NULL };
	char where[WHAT_MAX + 4];
	struct lt_prefix p;
	const char *v, *why;
	int line, rc;

	s->line = lt_cfg_line(g);
	snprintf(where, sizeof(where), " in %s", what);
	if (!config_setting_is_group(g))
		return lt_cfg_fail(c, s->line, "%s must be a group: { server = \"...\"; }", what);
	if (lt_cfg_check_members(c, g, radius ? rkeys : dkeys, where) < 0 ||
	    lt_cfg_get_string(c, g, "server", what, 1, &v, &line) < 0)
		return -1;
	if (lt_parse_prefix_why(v, &p, &why) < 0 || p.len != (p.family == 4 ? 32 : 128))
		return lt_cfg_fail(c, line, "%s: 'server' must be one IPv4 or IPv6 address",
		    what);
	s->family = p.family;
	memcpy(s->addr, p.addr, 16);
	if (radius) {
		if (load_ports(c, g, "auth_ports", what, s->auth_ports, &s->nauth) < 0 ||
		    load_ports(c, g, "acct_ports", what, s->acct_ports, &s->nacct) < 0)
			return -1;
		if (s->nauth == 0 && s->nacct == 0) {
			s->auth_ports[s->nauth++] = 1812;
			s->acct_ports[s->nacct++] = 1813;
		}
		if ((rc = lt_cfg_get_string(c, g, "secret", what, 0, &v, &line)) < 0)
			return -1;
		if (rc > 0) {
			if (strlen(v) < 1 || strlen(v) > LT_RADIUS_SECRET_MAX)
				return lt_cfg_fail(c, line, "%s: 'secret' must be 1 to %d "
				    "octets", what, LT_RADIUS_SECRET_MAX);
			s->secret_len = strlen(v);
			memcpy(s->secret, v, s->secret_len);
		}
	}
	if ((rc = lt_cfg_get_string(c, g, "access_type", what, 0, &v, &line)) < 0)
		return -1;
	if (rc > 0) {
		for (s->access_type = 0; access_types[s->access_type] != NULL; s->access_type++)
			if (strcmp(access_types[s->access_type], v) == 0)
				break;
		if (access_types[s->access_type] == NULL)
			return lt_cfg_fail(c, line, "%s: 'access_type' must be one of "
			    "undefined, dialUp, xDSL, cableModem, lAN, wirelessLAN, fTTx, "
			    "wIMAX-HIPERMAN, satellite, wireless-other", what);
	}
	return 0;
}

static int
load_servers(struct lt_cfgctx *c, config_setting_t *aaa, const char *name, int radius,
    struct lt_aaa_server **out, uint32_t *nout)
{
	config_setting_t *l;
	char what[WHAT_MAX];
	int rc, n;

	l = lt_cfg_get_aggregate(c, aaa, name, 1, 0, &rc);
	if (l == NULL || (n = config_setting_length(l)) == 0)
		return rc;
	/* sodium_malloc: RADIUS secrets are in there */
	if ((*out = sodium_malloc((size_t)n * sizeof(**out))) == NULL)
		return lt_cfg_fail(c, lt_cfg_line(l), "out of memory (sodium_malloc)");
	memset(*out, 0, (size_t)n * sizeof(**out));
	for (int i = 0; i < n; i++) {
		snprintf(what, sizeof(what), "%s server %d", radius ? "radius" : "dhcp",
		    i + 1);
		if (load_server(c, config_setting_get_elem(l, (unsigned)i), what, radius,
		    &(*out)[i]) < 0)
			return -1;
		*nout = (uint32_t)i + 1;
	}
	return 0;
}

int
lt_cfg_load_aaa(struct lt_cfgctx *c, config_setting_t *root, struct lt_config *cfg)
{
	static const char *const keys[] = { "radius", "dhcp", "access_timeout",
	    "max_sessions", NULL };
	config_setting_t *aaa;
	uint64_t v;
	int rc;

	cfg->aaa.access_timeout_s = AAA_DEFAULT_TIMEOUT_S;
	cfg->aaa.max_sessions = AAA_DEFAULT_SESSIONS;
	if ((aaa = lt_cfg_get_aggregate(c, root, "aaa", 0, 0, &rc)) == NULL)
		return rc;
	if (lt_cfg_check_members(c, aaa, keys, " in aaa") < 0 ||
	    load_servers(c, aaa, "radius", 1, &cfg->aaa.radius, &cfg->aaa.nradius) < 0 ||
	    load_servers(c, aaa, "dhcp", 0, &cfg->aaa.dhcp, &cfg->aaa.ndhcp) < 0)
		return -1;
	if ((rc = lt_cfg_get_uint(c, aaa, "access_timeout", "aaa", 0, 1, 3600, &v)) < 0)
		return -1;
	if (rc > 0)
		cfg->aaa.access_timeout_s = (uint32_t)v;
	if ((rc = lt_cfg_get_uint(c, aaa, "max_sessions", "aaa", 0, 1024,
	    AAA_MAX_SESSIONS, &v)) < 0)
		return -1;
	if (rc > 0)
		cfg->aaa.max_sessions = (uint32_t)v;
	return 0;
}

static const struct {
	const char *key, *noun;
	enum lt_ident_kind kind;
} ident_lists[] = {
	{ "usernames", "username", LT_IDENT_USERNAME },
	{ "calling_station_ids", "calling station ID", LT_IDENT_CALLING_STATION },
	{ "macs", "MAC address", LT_IDENT_MAC },
	{ "circuit_ids", "circuit ID", LT_IDENT_CIRCUIT },
};

size_t
lt_cfg_count_idents(config_setting_t *l)
{
	size_t total = 0;

	for (int i = 0; i < config_setting_length(l); i++) {
		config_setting_t *g = config_setting_get_elem(l, (unsigned)i);

		if (!config_setting_is_group(g))
			continue;
		for (size_t k = 0; k < sizeof(ident_lists) / sizeof(ident_lists[0]); k++) {
			config_setting_t *t = config_setting_get_member(g, ident_lists[k].key);

			if (t != NULL && config_setting_is_aggregate(t))
				total += (size_t)config_setting_length(t);
		}
	}
	return total;
}

int
lt_cfg_load_idents(struct lt_cfgctx *c, config_setting_t *g, const char *what,
    struct lt_warrant *w, struct lt_config *cfg)
{
	config_setting_t *cc;

	w->idents = cfg->idents != NULL ? &cfg->idents[cfg->nidents] : NULL;
	for (size_t k = 0; k < sizeof(ident_lists) / sizeof(ident_lists[0]); k++) {
		config_setting_t *l = config_setting_get_member(g, ident_lists[k].key);

		if (l == NULL)
			continue;
		if (!config_setting_is_array(l) || config_setting_length(l) == 0)
			return lt_cfg_fail(c, lt_cfg_line(l), "%s: '%s' must be a list of "
			    "strings: %s = [ \"...\" ];", what, ident_lists[k].key,
			    ident_lists[k].key);
		for (int i = 0; i < config_setting_length(l); i++) {
			config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
			struct lt_ident *id = &w->idents[w->nidents];
			const char *s;
			size_t n;

			/* never quoted: these name the target */
			if (config_setting_type(e) != CONFIG_TYPE_STRING)
				return lt_cfg_fail(c, lt_cfg_line(e), "%s: %s %d must be a "
				    "string", what, ident_lists[k].noun, i + 1);
			s = config_setting_get_string(e);
			n = strlen(s);
			id->kind = (uint8_t)ident_lists[k].kind;
			if (id->kind == LT_IDENT_MAC) {
				if (lt_parse_mac(s, id->v) < 0)
					return lt_cfg_fail(c, lt_cfg_line(e), "%s: MAC address "
					    "%d must be six hex octets such as "
					    "02:00:5e:00:53:01", what, i + 1);
				id->len = 6;
			} else {
				if (n < 1 || n > LT_IDENT_MAX)
					return lt_cfg_fail(c, lt_cfg_line(e), "%s: %s %d must "
					    "be 1 to %d octets", what, ident_lists[k].noun,
					    i + 1, LT_IDENT_MAX);
				memcpy(id->v, s, n);
				id->len = (uint8_t)n;
			}
			for (uint32_t j = 0; j < w->nidents; j++)
				if (w->idents[j].kind == id->kind &&
				    w->idents[j].len == id->len &&
				    memcmp(w->idents[j].v, id->v, id->len) == 0)
					return lt_cfg_fail(c, lt_cfg_line(e), "%s: %s %d "
					    "repeats an earlier one", what,
					    ident_lists[k].noun, i + 1);
			w->nidents++;
			cfg->nidents++;
		}
	}
	if ((cc = config_setting_get_member(g, "aaa_cc")) != NULL) {
		if (config_setting_type(cc) != CONFIG_TYPE_BOOL)
			return lt_cfg_fail(c, lt_cfg_line(cc), "%s: 'aaa_cc' must be true "
			    "or false", what);
		w->aaa_cc = config_setting_get_bool(cc) != 0;
	}
	return 0;
}

void
lt_cfg_free_aaa(struct lt_config *cfg)
{
	if (cfg->aaa.radius != NULL)
		sodium_free(cfg->aaa.radius);
	if (cfg->aaa.dhcp != NULL)
		sodium_free(cfg->aaa.dhcp);
	if (cfg->idents != NULL)
		sodium_free(cfg->idents);
}
