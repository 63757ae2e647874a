/* config_sip.c - the sip section (SIP servers and ports) and the SIP identities warrants name. */
#include <arpa/inet.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt/config_impl.h"
#include "session/sip/calls.h"

#define SIP_DEFAULT_CALLS	(1u << 17)
#define SIP_MAX_CALLS		(1u << 22)

static int
load_ports(struct lt_cfgctx *c, config_setting_t *g, struct lt_sip *s)
{
	config_setting_t *l = config_setting_get_member(g, "ports");

	if (l == NULL) {
		s->ports[s->nports++] = 5060;
		return 0;
	}
	if (!config_setting_is_array(l) || config_setting_length(l) == 0 ||
	    config_setting_length(l) > LT_SIP_PORTS_MAX)
		return lt_cfg_fail(c, lt_cfg_line(l), "sip: 'ports' must be a list of 1 to "
		    "%d ports: ports = [ 5060, 5080 ];", LT_SIP_PORTS_MAX);
	for (int i = 0; i < config_setting_length(l); i++) {
		config_setting_t *e = config_setting_get_elem(l, (unsigned)i);

		if (config_setting_type(e) != CONFIG_TYPE_INT ||
		    config_setting_get_int(e) < 1 || config_setting_get_int(e) > 65535)
			return lt_cfg_fail(c, lt_cfg_line(e), "sip: 'ports': port %d must be "
			    "1..65535", i + 1);
		s->ports[s->nports++] = (uint16_t)config_setting_get_int(e);
	}
	return 0;
}

static int
load_servers(struct lt_cfgctx *c, config_setting_t *g, struct lt_sip *s)
{
	config_setting_t *l = config_setting_get_member(g, "servers");
	int n;

	if (l == NULL || !config_setting_is_array(l) || (n = config_setting_length(l)) == 0)
		return lt_cfg_fail(c, l ? lt_cfg_line(l) : lt_cfg_line(g), "sip: 'servers' "
		    "must list the SIP servers (proxies, SBCs) whose traffic is watched: "
		    "servers = [ \"192.0.2.10\" ];");
	if ((s->servers = calloc((size_t)n, sizeof(*s->servers))) == NULL)
		return lt_cfg_fail(c, lt_cfg_line(l), "out of memory");
	for (int i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
		struct lt_prefix p;
		const char *why;

		if (config_setting_type(e) != CONFIG_TYPE_STRING ||
		    lt_parse_prefix_why(config_setting_get_string(e), &p, &why) < 0 ||
		    p.len != (p.family == 4 ? 32 : 128))
			return lt_cfg_fail(c, lt_cfg_line(e), "sip: server %d must be one "
			    "IPv4 or IPv6 address", i + 1);
		s->servers[i].family = p.family;
		memcpy(s->servers[i].addr, p.addr, 16);
		s->nservers = (uint32_t)i + 1;
	}
	return 0;
}

int
lt_cfg_load_sip(struct lt_cfgctx *c, config_setting_t *root, struct lt_config *cfg)
{
	static const char *const keys[] = { "servers", "ports", "max_calls",
	    "setup_timeout", "call_timeout", NULL };
	struct lt_sip *s = &cfg->sip;
	config_setting_t *g;
	uint64_t v;
	int rc;

	s->max_calls = SIP_DEFAULT_CALLS;
	s->setup_timeout_s = 180;
	s->call_timeout_s = 7200;
	if ((g = lt_cfg_get_aggregate(c, root, "sip", 0, 0, &rc)) == NULL)
		return rc;
	s->line = lt_cfg_line(g);
	if (lt_cfg_check_members(c, g, keys, " in sip") < 0 ||
	    load_servers(c, g, s) < 0 || load_ports(c, g, s) < 0)
		return -1;
	if ((rc = lt_cfg_get_uint(c, g, "max_calls", "sip", 0, 16, SIP_MAX_CALLS, &v)) < 0)
		return -1;
	if (rc > 0)
		s->max_calls = (uint32_t)v;
	if ((rc = lt_cfg_get_uint(c, g, "setup_timeout", "sip", 0, 1, 3600, &v)) < 0)
		return -1;
	if (rc > 0)
		s->setup_timeout_s = (uint32_t)v;
	if ((rc = lt_cfg_get_uint(c, g, "call_timeout", "sip", 0, 60, 7 * 86400, &v)) < 0)
		return -1;
	if (rc > 0)
		s->call_timeout_s = (uint32_t)v;
	return 0;
}

size_t
lt_cfg_count_sipids(config_setting_t *l)
{
	size_t total = 0;

	for (int i = 0; i < config_setting_length(l); i++) {
		config_setting_t *g = config_setting_get_elem(l, (unsigned)i);
		config_setting_t *t = config_setting_is_group(g) ?
		    config_setting_get_member(g, "sip_uris") : NULL;

		if (t != NULL && config_setting_is_aggregate(t))
			total += (size_t)config_setting_length(t);
	}
	return total;
}

int
lt_cfg_load_sipids(struct lt_cfgctx *c, config_setting_t *g, const char *what,
    struct lt_warrant *w, struct lt_config *cfg)
{
	config_setting_t *l = config_setting_get_member(g, "sip_uris");
	config_setting_t *f = config_setting_get_member(g, "sip_from");

	w->sipids = cfg->sipids != NULL ? &cfg->sipids[cfg->nsipids] : NULL;
	if (f != NULL) {
		if (config_setting_type(f) != CONFIG_TYPE_BOOL)
			return lt_cfg_fail(c, lt_cfg_line(f), "%s: 'sip_from' must be true "
			    "or false", what);
		w->sip_from = config_setting_get_bool(f) != 0;
	}
	if (l == NULL)
		return 0;
	if (!config_setting_is_array(l) || config_setting_length(l) == 0)
		return lt_cfg_fail(c, lt_cfg_line(l), "%s: 'sip_uris' must be a list of "
		    "strings: sip_uris = [ \"sip:user@host\", \"tel:+4930123\" ];", what);
	for (int i = 0; i < config_setting_length(l); i++) {
		config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
		struct lt_sipid *id = &w->sipids[w->nsipids];
		struct sipcall_target t;
		char why[160];
		const char *s;
		size_t n;

		/* never quoted: these name the target */
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return lt_cfg_fail(c, lt_cfg_line(e), "%s: SIP identity %d must be "
			    "a string", what, i + 1);
		s = config_setting_get_string(e);
		if ((n = strlen(s)) > LT_SIP_ID_MAX ||
		    sipcall_target_parse(s, n, &t, why, sizeof(why)) < 0)
			return lt_cfg_fail(c, lt_cfg_line(e), "%s: SIP identity %d: %s", what,
			    i + 1, n > LT_SIP_ID_MAX ? "longer than 256 octets" : why);
		memcpy(id->v, s, n);
		id->len = (uint16_t)n;
		for (uint32_t j = 0; j < w->nsipids; j++)
			if (w->sipids[j].len == n && memcmp(w->sipids[j].v, s, n) == 0)
				return lt_cfg_fail(c, lt_cfg_line(e), "%s: SIP identity %d "
				    "repeats an earlier one", what, i + 1);
		w->nsipids++;
		cfg->nsipids++;
	}
	return 0;
}

int
lt_cfg_alloc_sipids(struct lt_cfgctx *c, config_setting_t *l, struct lt_config *cfg)
{
	size_t n = lt_cfg_count_sipids(l);

	if (n == 0)
		return 0;
	if (n > UINT32_MAX)
		return lt_cfg_fail(c, lt_cfg_line(l), "too many SIP identities");
	if ((cfg->sipids = sodium_malloc(n * sizeof(*cfg->sipids))) == NULL)
		return lt_cfg_fail(c, lt_cfg_line(l), "out of memory (sodium_malloc)");
	memset(cfg->sipids, 0, n * sizeof(*cfg->sipids));
	return 0;
}

void
lt_cfg_free_sip(struct lt_config *cfg)
{
	free(cfg->sip.servers);
	if (cfg->sipids != NULL)
		sodium_free(cfg->sipids);
	cfg->sip.servers = NULL;
	cfg->sipids = NULL;
}
