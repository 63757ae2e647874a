/* config_impl.h - helpers shared by the files that load lawtap.conf (not for other modules). */
#ifndef LT_CONFIG_IMPL_H
#define LT_CONFIG_IMPL_H

#include <libconfig.h>
#include <stdint.h>

#include "mgmt/config.h"

#define WHAT_MAX	64

struct lt_cfgctx {
	const char *path;
	char *err;
	size_t errlen;
};

/* Writes "FILE:LINE: message" to the context's error buffer; returns -1. */
int lt_cfg_fail(struct lt_cfgctx *c, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int lt_cfg_line(const config_setting_t *s);
/* Every member of group s must be named in allowed; where is " in agency 2 (line 30)". */
int lt_cfg_check_members(struct lt_cfgctx *c, const config_setting_t *s,
    const char *const allowed[], const char *where);
config_setting_t *lt_cfg_member(struct lt_cfgctx *c, config_setting_t *g,
    const char *name, const char *what, int required, int *rc);
/* 1 if found, 0 if absent (and allowed), -1 on error. */
int lt_cfg_get_string(struct lt_cfgctx *c, config_setting_t *g, const char *name,
    const char *what, int required, const char **out, int *line);
int lt_cfg_get_uint(struct lt_cfgctx *c, config_setting_t *g, const char *name,
    const char *what, int required, uint64_t min, uint64_t max, uint64_t *out);
config_setting_t *lt_cfg_get_aggregate(struct lt_cfgctx *c, config_setting_t *parent,
    const char *name, int list, int required, int *rc);

/* config_aaa.c */
int lt_cfg_load_aaa(struct lt_cfgctx *c, config_setting_t *root, struct lt_config *cfg);
/* A warrant's usernames, calling_station_ids, macs, circuit_ids, aaa_cc. */
int lt_cfg_load_idents(struct lt_cfgctx *c, config_setting_t *g, const char *what,
    struct lt_warrant *w, struct lt_config *cfg);
size_t lt_cfg_count_idents(config_setting_t *warrants);
void lt_cfg_free_aaa(struct lt_config *cfg);

/* config_ev.c: agencies' integrity, the evidence group, warrants' evidence (after both lists). */
int lt_cfg_load_ev(struct lt_cfgctx *c, config_setting_t *root, struct lt_config *cfg);

/* config_sip.c: the sip section; a warrant's sip_uris and sip_from (after lt_cfg_alloc_sipids). */
int lt_cfg_load_sip(struct lt_cfgctx *c, config_setting_t *root, struct lt_config *cfg);
size_t lt_cfg_count_sipids(config_setting_t *warrants);
int lt_cfg_alloc_sipids(struct lt_cfgctx *c, config_setting_t *warrants,
    struct lt_config *cfg);
int lt_cfg_load_sipids(struct lt_cfgctx *c, config_setting_t *g, const char *what,
    struct lt_warrant *w, struct lt_config *cfg);
void lt_cfg_free_sip(struct lt_config *cfg);

#endif
