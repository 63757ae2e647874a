/* warrant.c - the warrant model: JSON <-> struct lt_warrant_rec, validation, and the data path's form. */
#include <arpa/inet.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mgmt/warrant.h"

struct wctx {
	char *err;
	size_t errlen;
};

static int
fail(struct wctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
fail(struct wctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* A field name may be quoted in a message only if it cannot be a LIID or target. */
static int
quotable(const char *k)
{
	size_t n = strlen(k);

	if (n < 1 || n > 32)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || k[i] == '_'))
			return 0;
	return 1;
}

static int
check_members(struct wctx *c, const json_t *o, const char *const allowed[], const char *where)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)o, k, v) {
		size_t i;

		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(allowed[i], k) == 0)
				break;
		if (allowed[i] != NULL)
			continue;
		if (where[0] == '\0' && (strcmp(k, "id") == 0 || strcmp(k, "state") == 0))
			return fail(c, "'%s' is assigned by the appliance, not by the warrant", k);
		if (quotable(k))
			return fail(c, "unknown field '%s'%s", k, where);
		return fail(c, "an unknown field%s (its name is not shown)", where);
	}
	return 0;
}

/*
 * A string of 1..max octets without control characters, copied into out
 * (max + 1 bytes).  1 if found, 0 if absent and allowed, -1 on error.
 */
static int
get_text(struct wctx *c, const json_t *o, const char *name, const char *path, int required,
    size_t max, char *out)
{
	json_t *v = json_object_get(o, name);
	const char *s;
	size_t n;

	if (v == NULL) {
		if (required)
			return fail(c, "missing field '%s'", path);
		return 0;
	}
	if (!json_is_string(v))
		return fail(c, "'%s' must be a string", path);
	s = json_string_value(v);
	n = json_string_length(v);
	if (n < 1 || n > max || strlen(s) != n)
		return fail(c, "'%s' must be 1 to %zu octets", path, max);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return fail(c, "'%s' must not hold control characters", path);
	memcpy(out, s, n + 1);
	return 1;
}

/* One of words (NULL-terminated, from index 1) -> its index; -1 on error. */
static int
get_word(struct wctx *c, const json_t *o, const char *name, const char *path, int required,
    const char *const words[], const char *expect, int *out)
{
	json_t *v = json_object_get(o, name);

	if (v == NULL) {
		if (required)
			return fail(c, "missing field '%s'", path);
		return 0;
	}
	if (json_is_string(v))
		for (int i = 1; words[i] != NULL; i++)
			if (strcmp(json_string_value(v), words[i]) == 0) {
				*out = i;
				return 1;
			}
	return fail(c, "'%s' must be %s", path, expect);
}

static int
get_time(struct wctx *c, const json_t *o, const char *name, int required, int64_t *out)
{
	json_t *v = json_object_get(o, name);

	if (v == NULL) {
		if (required)
			return fail(c, "missing field '%s'", name);
		return 0;
	}
	if (!json_is_string(v) || lt_parse_utc(json_string_value(v), out) < 0)
		return fail(c, "'%s' must be a UTC time such as \"2026-11-01T00:00:00Z\"", name);
	return 1;
}

static int
agency_syntax_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > LT_AGENCY_ID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '.' || s[i] == '-'))
			return 0;
	return 1;
}

static int
is_alnum(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static int
is_hex(char ch)
{
	return (ch >= '0' && ch <= '9') || ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f');
}

/* Length of the run at s of alphanumerics, chars from set and %HH escapes. */
static size_t
span_uric(const char *s, const char *set)
{
	size_t i = 0;

	for (;;) {
		if (s[i] == '%' && is_hex(s[i + 1]) && is_hex(s[i + 2]))
			i += 3;
		else if (s[i] != '\0' && (is_alnum(s[i]) || strchr(set, s[i]) != NULL))
			i++;
		else
			return i;
	}
}

#define URI_MARK	"-_.!~*'()"
#define URI_PARAM	URI_MARK "[]/:&+$=;?,"

/* host [":" port] [params]: a DNS name, IPv4 address or [IPv6]; the rest of s. */
static int
sip_hostport_ok(const char *s)
{
	char v6[INET6_ADDRSTRLEN];
	struct in6_addr a6;
	size_t n;

	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (end == NULL || (size_t)(end - s - 1) >= sizeof(v6))
			return 0;
		memcpy(v6, s + 1, (size_t)(end - s - 1));
		v6[end - s - 1] = '\0';
		if (inet_pton(AF_INET6, v6, &a6) != 1)
			return 0;
		s = end + 1;
	} else {
		for (n = 0; is_alnum(s[n]) || s[n] == '-' || s[n] == '.'; n++)
			if (s[n] != '.' ? 0 : n == 0 || s[n - 1] == '.' || s[n - 1] == '-')
				return 0;
		if (n == 0 || s[0] == '-' || s[n - 1] == '-')
			return 0;
		s += n;
	}
	if (s[0] == ':') {
		long port = 0;

		for (n = 1; s[n] >= '0' && s[n] <= '9' && n <= 5; n++)
			port = port * 10 + (s[n] - '0');
		if (n == 1 || port < 1 || port > 65535)
			return 0;
		s += n;
	}
	if (s[0] == ';' || s[0] == '?')
		return s[1] != '\0' && span_uric(s, URI_PARAM) == strlen(s);
	return s[0] == '\0';
}

/* RFC 3966: a global number "+..." or a local one with phone-context, then parameters. */
static int
tel_ok(const char *s)
{
	int global = s[0] == '+', digits = 0;
	size_t i = global;

	for (; s[i] != '\0' && s[i] != ';'; i++) {
		if ((s[i] >= '0' && s[i] <= '9') ||
		    (!global && (is_hex(s[i]) || s[i] == '*' || s[i] == '#')))
			digits++;
		else if (strchr("-.()", s[i]) == NULL)
			return 0;
	}
	if (digits == 0)
		return 0;
	if (s[i] == ';' && (s[i + 1] == '\0' || span_uric(s + i, URI_PARAM) != strlen(s + i)))
		return 0;
	return global || strstr(s + i, ";phone-context=") != NULL;
}

/* sip:/sips: with a user and a host (RFC 3261), or tel: (RFC 3966). */
static int
sip_uri_ok(const char *s)
{
	size_t n;

	if (strncasecmp(s, "tel:", 4) == 0)
		return tel_ok(s + 4);
	if (strncasecmp(s, "sip:", 4) == 0)
		s += 4;
	else if (strncasecmp(s, "sips:", 5) == 0)
		s += 5;
	else
		return 0;
	n = span_uric(s, URI_MARK "&=+$,;?/:");
	if (n == 0 || s[n] != '@')
		return 0;
	return sip_hostport_ok(s + n + 1);
}

static const struct {
	const char *key;
	enum lt_ident_kind kind;	/* 0: ip or sip */
} kinds[] = {
	{ "ip", 0 },
	{ "usernames", LT_IDENT_USERNAME },
	{ "calling_station_ids", LT_IDENT_CALLING_STATION },
	{ "macs", LT_IDENT_MAC },
	{ "circuit_ids", LT_IDENT_CIRCUIT },
	{ "sip", 0 },
	{ NULL, 0 },
};

static int
load_target(struct wctx *c, struct lt_warrant_rec *w, size_t k, uint32_t kstart, size_t i,
    const char *s, size_t n)
{
	const char *key = kinds[k].key, *why;

	if (strcmp(key, "ip") == 0) {
		struct lt_prefix *p = &w->ips[w->nips];

		if (lt_parse_prefix_why(s, p, &why) < 0)
			return fail(c, "target %zu of ip: %s", i + 1, why);
		for (uint32_t j = 0; j < w->nips; j++)
			if (memcmp(&w->ips[j], p, sizeof(*p)) == 0)
				return fail(c, "target %zu of ip repeats target %u", i + 1, j + 1);
		w->nips++;
		return 0;
	}
	if (strcmp(key, "sip") == 0) {
		struct lt_sip_uri *u = &w->sips[w->nsips];

		if (n > LT_SIP_URI_MAX || !sip_uri_ok(s))
			return fail(c, "target %zu of sip must be a sip:, sips: or tel: URI of at "
			    "most %d octets such as sip:user@example.net or tel:+6441234567",
			    i + 1, LT_SIP_URI_MAX);
		for (uint32_t j = 0; j < w->nsips; j++)
			if (strcmp(w->sips[j].s, s) == 0)
				return fail(c, "target %zu of sip repeats target %u", i + 1, j + 1);
		memcpy(u->s, s, n + 1);
		w->nsips++;
		return 0;
	}

	struct lt_ident *id = &w->idents[w->nidents];

	id->kind = (uint8_t)kinds[k].kind;
	if (id->kind == LT_IDENT_MAC) {
		if (lt_parse_mac(s, id->v) < 0)
			return fail(c, "target %zu of macs must be six hex octets such as "
			    "02:00:5e:00:53:01", i + 1);
		id->len = 6;
	} else {
		if (n < 1 || n > LT_IDENT_MAX)
			return fail(c, "target %zu of %s must be 1 to %d octets", i + 1, key,
			    LT_IDENT_MAX);
		memcpy(id->v, s, n);
		id->len = (uint8_t)n;
	}
	/* a kind's identities are contiguous, from kstart */
	for (uint32_t j = kstart; j < w->nidents; j++)
		if (w->idents[j].len == id->len && memcmp(w->idents[j].v, id->v, id->len) == 0)
			return fail(c, "target %zu of %s repeats target %u", i + 1, key,
			    j - kstart + 1);
	w->nidents++;
	return 0;
}

static int
load_targets(struct wctx *c, const json_t *o, struct lt_warrant_rec *w)
{
	static const char *const keys[] = { "ip", "usernames", "calling_station_ids", "macs",
	    "circuit_ids", "sip", NULL };
	json_t *t = json_object_get(o, "targets");
	size_t nip = 0, nid = 0, nsip = 0, size;

	if (t == NULL)
		return fail(c, "missing field 'targets'");
	if (!json_is_object(t))
		return fail(c, "'targets' must be an object of lists such as "
		    "{\"ip\": [\"192.0.2.1/32\"], \"usernames\": [\"...\"]}");
	if (check_members(c, t, keys, " in targets") < 0)
		return -1;
	for (size_t k = 0; kinds[k].key != NULL; k++) {
		json_t *l = json_object_get(t, kinds[k].key);
		size_t n;

		if (l == NULL)
			continue;
		if (!json_is_array(l) || json_array_size(l) == 0)
			return fail(c, "'targets.%s' must be a non-empty list of strings",
			    kinds[k].key);
		n = json_array_size(l);
		if (nip + nid + nsip + n > LT_WARRANT_TARGETS_MAX)
			return fail(c, "too many targets: at most %d in one warrant",
			    LT_WARRANT_TARGETS_MAX);
		if (strcmp(kinds[k].key, "ip") == 0)
			nip = n;
		else if (strcmp(kinds[k].key, "sip") == 0)
			nsip = n;
		else
			nid += n;
	}
	if (nip + nid + nsip == 0)
		return fail(c, "'targets' must name at least one target");

	size = nsip * sizeof(*w->sips) + nip * sizeof(*w->ips) + nid * sizeof(*w->idents);
	size = (size + 15) & ~(size_t)15;	/* sodium_malloc aligns only whole multiples */
	if ((w->mem = sodium_malloc(size)) == NULL)
		return fail(c, "out of memory (sodium_malloc)");
	memset(w->mem, 0, size);
	w->sips = nsip > 0 ? w->mem : NULL;
	w->ips = nip > 0 ? (struct lt_prefix *)((char *)w->mem + nsip * sizeof(*w->sips)) : NULL;
	w->idents = nid > 0 ? (struct lt_ident *)((char *)w->mem + nsip * sizeof(*w->sips) +
	    nip * sizeof(*w->ips)) : NULL;

	for (size_t k = 0; kinds[k].key != NULL; k++) {
		json_t *l = json_object_get(t, kinds[k].key), *e;
		uint32_t kstart = w->nidents;
		size_t i;

		json_array_foreach(l, i, e) {
			/* never quoted: these name the target */
			if (!json_is_string(e) ||
			    strlen(json_string_value(e)) != json_string_length(e))
				return fail(c, "target %zu of %s must be a string without NUL",
				    i + 1, kinds[k].key);
			if (load_target(c, w, k, kstart, i, json_string_value(e),
			    json_string_length(e)) < 0)
				return -1;
		}
	}
	return 0;
}

static int
load_authority(struct wctx *c, const json_t *o, struct lt_warrant_rec *w)
{
	static const char *const keys[] = { "issued_by", "authorized_by", "presented_by",
	    "reference", "intercept_type", NULL };
	static const char *const types[] = { NULL, "content", "pen-register", NULL };
	json_t *a = json_object_get(o, "authority");
	int t = 0;

	if (a == NULL)
		return fail(c, "missing field 'authority'");
	if (!json_is_object(a))
		return fail(c, "'authority' must be an object: {\"issued_by\": ..., "
		    "\"authorized_by\": ..., \"presented_by\": ..., \"intercept_type\": ...}");
	if (check_members(c, a, keys, " in authority") < 0 ||
	    get_text(c, a, "issued_by", "authority.issued_by", 1, LT_WTEXT_MAX,
	    w->issued_by) < 0 ||
	    get_text(c, a, "authorized_by", "authority.authorized_by", 1, LT_WTEXT_MAX,
	    w->authorized_by) < 0 ||
	    get_text(c, a, "presented_by", "authority.presented_by", 1, LT_WTEXT_MAX,
	    w->presented_by) < 0 ||
	    get_text(c, a, "reference", "authority.reference", 0, LT_WTEXT_MAX,
	    w->reference) < 0 ||
	    get_word(c, a, "intercept_type", "authority.intercept_type", 1, types,
	    "\"content\" or \"pen-register\"", &t) < 0)
		return -1;
	w->intercept_type = (enum lt_intercept_type)t;
	return 0;
}

static int
load_stored(struct wctx *c, const json_t *o, struct lt_warrant_rec *w)
{
	static const char *const states[] = { NULL, "active", "deactivated", NULL };
	int st = 0;

	if (get_text(c, o, "id", "id", 1, LT_WARRANT_ID_LEN, w->id) < 0)
		return -1;
	if (!lt_warrant_id_ok(w->id))
		return fail(c, "'id' must be W and 16 lower-case hex digits");
	if (get_word(c, o, "state", "state", 1, states, "\"active\" or \"deactivated\"",
	    &st) < 0)
		return -1;
	w->state = (enum lt_wstate)st;
	return 0;
}

static int
load_warrant(struct wctx *c, const json_t *o, const struct lt_config *cfg, unsigned flags,
    struct lt_warrant_rec *w)
{
	static const char *const keys[] = { "liid", "case_id", "agency", "cin", "content",
	    "level", "start", "end", "targets", "aaa_cc", "authority", "carrier_contact",
	    NULL };
	static const char *const skeys[] = { "id", "state", "liid", "case_id", "agency", "cin",
	    "content", "level", "start", "end", "targets", "aaa_cc", "authority",
	    "carrier_contact", NULL };
	static const char *const contents[] = { NULL, "iri", "cc", "both", NULL };
	static const char *const levels[] = { NULL, "full", "headers", NULL };
	json_t *v;
	int k = 0, lvl = LT_LEVEL_FULL;

	if (!json_is_object(o))
		return fail(c, "a warrant must be a JSON object");
	if (check_members(c, o, (flags & LT_WARRANT_STORED) ? skeys : keys, "") < 0)
		return -1;
	if ((flags & LT_WARRANT_STORED) && load_stored(c, o, w) < 0)
		return -1;

	if ((v = json_object_get(o, "liid")) == NULL)
		return fail(c, "missing field 'liid'");
	/* the length rule alone: the message must not differ with the content */
	if (get_text(c, o, "liid", "liid", 1, LT_LIID_MAX, w->liid) < 0)
		return fail(c, "'liid' must be 1 to %d octets of text without control "
		    "characters", LT_LIID_MAX);
	w->liid_len = (uint8_t)strlen(w->liid);
	if (get_text(c, o, "case_id", "case_id", 1, LT_CASE_ID_MAX, w->case_id) < 0)
		return -1;

	if ((v = json_object_get(o, "agency")) == NULL)
		return fail(c, "missing field 'agency'");
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v) ||
	    !agency_syntax_ok(json_string_value(v)))
		return fail(c, "'agency' must be an agency id: 1 to %d characters from "
		    "A-Z a-z 0-9 _ . -", LT_AGENCY_ID_MAX);
	strcpy(w->agency, json_string_value(v));
	w->agency_idx = UINT32_MAX;
	if (cfg != NULL) {
		for (w->agency_idx = 0; w->agency_idx < cfg->nagencies; w->agency_idx++)
			if (strcmp(cfg->agencies[w->agency_idx].id, w->agency) == 0)
				break;
		if (w->agency_idx == cfg->nagencies)
			return fail(c, "'agency' names no agency in the configuration");
	}

	if ((v = json_object_get(o, "cin")) == NULL)
		return fail(c, "missing field 'cin'");
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > (json_int_t)UINT32_MAX)
		return fail(c, "'cin' must be an integer 0..4294967295");
	w->cin = (uint32_t)json_integer_value(v);

	if (get_word(c, o, "content", "content", 1, contents,
	    "\"iri\", \"cc\" or \"both\"", &k) < 0 ||
	    get_word(c, o, "level", "level", 0, levels, "\"full\" or \"headers\"", &lvl) < 0)
		return -1;
	w->content = (enum lt_content)k;
	w->level = (enum lt_level)lvl;

	w->end_s = LT_TIME_NEVER;
	if (get_time(c, o, "start", 1, &w->start_s) < 0 || get_time(c, o, "end", 0, &w->end_s) < 0)
		return -1;
	if (w->end_s <= w->start_s)
		return fail(c, "'end' must be after 'start'");

	if (load_targets(c, o, w) < 0)
		return -1;
	if ((v = json_object_get(o, "aaa_cc")) != NULL) {
		if (!json_is_boolean(v))
			return fail(c, "'aaa_cc' must be true or false");
		w->aaa_cc = json_is_true(v);
	}
	if (load_authority(c, o, w) < 0 ||
	    get_text(c, o, "carrier_contact", "carrier_contact", 1, LT_WTEXT_MAX,
	    w->carrier_contact) < 0)
		return -1;
	if (w->intercept_type == LT_INTERCEPT_PEN_REGISTER && w->content != LT_CONTENT_IRI)
		return fail(c, "a pen-register warrant allows no content: 'content' must be "
		    "\"iri\"");
	if (w->aaa_cc && w->content == LT_CONTENT_IRI)
		return fail(c, "'aaa_cc' delivers content: 'content' must be \"cc\" or \"both\"");
	return 0;
}

int
lt_warrant_from_json(const json_t *j, const struct lt_config *cfg, unsigned flags,
    struct lt_warrant_rec *w, char *err, size_t errlen)
{
	struct wctx c = { err, errlen };

	memset(w, 0, sizeof(*w));
	if (errlen > 0)
		err[0] = '\0';
	if (sodium_init() < 0)
		return fail(&c, "cannot initialise libsodium");
	return load_warrant(&c, j, cfg, flags, w);
}

void
lt_warrant_rec_free(struct lt_warrant_rec *w)
{
	if (w->mem != NULL)
		sodium_free(w->mem);
	sodium_memzero(w, sizeof(*w));
}

static int
set_new(json_t *o, const char *k, json_t *v)
{
	return v == NULL ? -1 : json_object_set_new(o, k, v);
}

static json_t *
time_json(int64_t t)
{
	char buf[32];
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ",
	    &tm) == 0)
		return NULL;
	return json_string(buf);
}

static json_t *
prefix_json(const struct lt_prefix *p)
{
	char buf[INET6_ADDRSTRLEN + 8];
	size_t n;

	if (inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->addr, buf, sizeof(buf)) == NULL)
		return NULL;
	n = strlen(buf);
	snprintf(buf + n, sizeof(buf) - n, "/%u", p->len);
	return json_string(buf);
}

static json_t *
ident_json(const struct lt_ident *id)
{
	char buf[18];

	if (id->kind != LT_IDENT_MAC)
		return json_stringn((const char *)id->v, id->len);
	snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", id->v[0], id->v[1],
	    id->v[2], id->v[3], id->v[4], id->v[5]);
	return json_string(buf);
}

static json_t *
targets_json(const struct lt_warrant_rec *w)
{
	json_t *t = json_object(), *l;
	int rc = t == NULL ? -1 : 0;

	for (size_t k = 0; kinds[k].key != NULL && rc == 0; k++) {
		if ((l = json_array()) == NULL) {
			rc = -1;
			break;
		}
		if (strcmp(kinds[k].key, "ip") == 0)
			for (uint32_t i = 0; i < w->nips && rc == 0; i++)
				rc = json_array_append_new(l, prefix_json(&w->ips[i]));
		else if (strcmp(kinds[k].key, "sip") == 0)
			for (uint32_t i = 0; i < w->nsips && rc == 0; i++)
				rc = json_array_append_new(l, json_string(w->sips[i].s));
		else
			for (uint32_t i = 0; i < w->nidents && rc == 0; i++)
				if (w->idents[i].kind == kinds[k].kind)
					rc = json_array_append_new(l, ident_json(&w->idents[i]));
		if (rc == 0 && json_array_size(l) > 0)
			rc = json_object_set_new(t, kinds[k].key, l);
		else
			json_decref(l);
	}
	if (rc < 0) {
		json_decref(t);
		return NULL;
	}
	return t;
}

json_t *
lt_warrant_to_json(const struct lt_warrant_rec *w)
{
	static const char *const contents[] = { "", "iri", "cc", "both" };
	json_t *o = json_object(), *a = json_object();
	int rc = o == NULL || a == NULL ? -1 : 0;

	if (rc == 0 && w->state != LT_WSTATE_NONE)
		rc = set_new(o, "id", json_string(w->id)) |
		    set_new(o, "state", json_string(w->state == LT_WSTATE_ACTIVE ?
		    "active" : "deactivated"));
	if (rc == 0)
		rc = set_new(o, "liid", json_stringn(w->liid, w->liid_len)) |
		    set_new(o, "case_id", json_string(w->case_id)) |
		    set_new(o, "agency", json_string(w->agency)) |
		    set_new(o, "cin", json_integer(w->cin)) |
		    set_new(o, "content", json_string(contents[w->content & 3])) |
		    set_new(o, "level", json_string(w->level == LT_LEVEL_HEADERS ?
		    "headers" : "full")) |
		    set_new(o, "start", time_json(w->start_s));
	if (rc == 0 && w->end_s != LT_TIME_NEVER)
		rc = set_new(o, "end", time_json(w->end_s));
	if (rc == 0)
		rc = set_new(o, "targets", targets_json(w)) |
		    set_new(o, "aaa_cc", json_boolean(w->aaa_cc)) |
		    set_new(a, "issued_by", json_string(w->issued_by)) |
		    set_new(a, "authorized_by", json_string(w->authorized_by)) |
		    set_new(a, "presented_by", json_string(w->presented_by));
	if (rc == 0 && w->reference[0] != '\0')
		rc = set_new(a, "reference", json_string(w->reference));
	if (rc == 0)
		rc = set_new(a, "intercept_type", json_string(w->intercept_type ==
		    LT_INTERCEPT_PEN_REGISTER ? "pen-register" : "content")) |
		    json_object_set(o, "authority", a) |
		    set_new(o, "carrier_contact", json_string(w->carrier_contact));
	json_decref(a);
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

void
lt_warrant_new_id(char id[static LT_WARRANT_ID_LEN + 1])
{
	uint8_t r[8];

	randombytes_buf(r, sizeof(r));
	id[0] = 'W';
	sodium_bin2hex(id + 1, LT_WARRANT_ID_LEN, r, sizeof(r));
}

int
lt_warrant_id_ok(const char *s)
{
	if (strlen(s) != LT_WARRANT_ID_LEN || s[0] != 'W')
		return 0;
	for (int i = 1; i < LT_WARRANT_ID_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int
lt_warrants_check(const struct lt_warrant_rec *w, size_t n, char *err, size_t errlen)
{
	struct wctx c = { err, errlen };

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++) {
			if (strcmp(w[i].id, w[j].id) == 0)
				return fail(&c, "warrants %zu and %zu have the same id %s",
				    j + 1, i + 1, w[i].id);
			if (w[i].state == LT_WSTATE_ACTIVE && w[j].state == LT_WSTATE_ACTIVE &&
			    w[i].liid_len == w[j].liid_len &&
			    memcmp(w[i].liid, w[j].liid, w[i].liid_len) == 0)
				return fail(&c, "active warrants %s and %s have the same LIID",
				    w[j].id, w[i].id);
		}
	return 0;
}

static void *
table(size_t n, size_t size)
{
	void *p;

	if (n == 0)
		return NULL;
	if ((p = sodium_malloc(n * size)) != NULL)
		memset(p, 0, n * size);
	return p;
}

int
lt_warrants_to_config(const struct lt_warrant_rec *w, size_t n, struct lt_config *cfg,
    char *err, size_t errlen)
{
	struct wctx c = { err, errlen };
	size_t nw = cfg->nwarrants, nt = cfg->ntargets, ni = cfg->nidents, ns = cfg->nsipids;
	struct lt_warrant *ws;
	struct lt_prefix *ts;
	struct lt_ident *is;
	struct lt_sipid *ss;
	uint32_t a;

	for (size_t i = 0; i < n; i++) {
		if (w[i].state != LT_WSTATE_ACTIVE)
			continue;
		for (a = 0; a < cfg->nagencies; a++)
			if (strcmp(cfg->agencies[a].id, w[i].agency) == 0)
				break;
		if (a == cfg->nagencies)
			return fail(&c, "warrant %s: its agency is no longer in the "
			    "configuration", w[i].id);
		for (uint32_t j = 0; j < cfg->nwarrants; j++)
			if (cfg->warrants[j].liid_len == w[i].liid_len &&
			    memcmp(cfg->warrants[j].liid, w[i].liid, w[i].liid_len) == 0)
				return fail(&c, "warrant %s: its LIID is also used by warrant "
				    "%u (line %d) of the configuration file", w[i].id, j + 1,
				    cfg->warrants[j].line);
		nw++;
		nt += w[i].nips;
		ni += w[i].nidents;
		ns += w[i].nsips;
	}
	if (nw > UINT32_MAX || nt > UINT32_MAX || ni > UINT32_MAX || ns > UINT32_MAX)
		return fail(&c, "too many warrants or targets");
	ws = table(nw, sizeof(*ws));
	ts = table(nt, sizeof(*ts));
	is = table(ni, sizeof(*is));
	ss = table(ns, sizeof(*ss));
	if ((nw > 0 && ws == NULL) || (nt > 0 && ts == NULL) || (ni > 0 && is == NULL) ||
	    (ns > 0 && ss == NULL)) {
		if (ws != NULL)
			sodium_free(ws);
		if (ts != NULL)
			sodium_free(ts);
		if (is != NULL)
			sodium_free(is);
		if (ss != NULL)
			sodium_free(ss);
		return fail(&c, "out of memory (sodium_malloc)");
	}

	if (cfg->ntargets > 0)
		memcpy(ts, cfg->targets, cfg->ntargets * sizeof(*ts));
	if (cfg->nidents > 0)
		memcpy(is, cfg->idents, cfg->nidents * sizeof(*is));
	if (cfg->nsipids > 0)
		memcpy(ss, cfg->sipids, cfg->nsipids * sizeof(*ss));
	for (uint32_t j = 0; j < cfg->nwarrants; j++) {
		ws[j] = cfg->warrants[j];
		ws[j].targets = ws[j].ntargets > 0 ? ts + (cfg->warrants[j].targets -
		    cfg->targets) : NULL;
		ws[j].idents = ws[j].nidents > 0 ? is + (cfg->warrants[j].idents -
		    cfg->idents) : NULL;
		ws[j].sipids = ws[j].nsipids > 0 ? ss + (cfg->warrants[j].sipids -
		    cfg->sipids) : NULL;
	}
	nw = cfg->nwarrants;
	nt = cfg->ntargets;
	ni = cfg->nidents;
	ns = cfg->nsipids;
	for (size_t i = 0; i < n; i++) {
		struct lt_warrant *d = &ws[nw];

		if (w[i].state != LT_WSTATE_ACTIVE)
			continue;
		memcpy(d->liid, w[i].liid, sizeof(d->liid));
		d->liid_len = w[i].liid_len;
		for (d->agency = 0; d->agency < cfg->nagencies; d->agency++)
			if (strcmp(cfg->agencies[d->agency].id, w[i].agency) == 0)
				break;
		d->cin = w[i].cin;
		d->content = w[i].content;
		d->start_s = w[i].start_s;
		d->end_s = w[i].end_s;
		d->aaa_cc = w[i].aaa_cc;
		d->line = 0;
		if ((d->ntargets = w[i].nips) > 0) {
			d->targets = ts + nt;
			memcpy(d->targets, w[i].ips, w[i].nips * sizeof(*ts));
		}
		if ((d->nidents = w[i].nidents) > 0) {
			d->idents = is + ni;
			memcpy(d->idents, w[i].idents, w[i].nidents * sizeof(*is));
		}
		/* the SIP URIs, for the VoIP engine (LT_SIP_URI_MAX is LT_SIP_ID_MAX) */
		if ((d->nsipids = w[i].nsips) > 0)
			d->sipids = ss + ns;
		for (uint32_t k = 0; k < w[i].nsips; k++) {
			size_t len = strnlen(w[i].sips[k].s, LT_SIP_ID_MAX);

			memcpy(ss[ns + k].v, w[i].sips[k].s, len);
			ss[ns + k].len = (uint16_t)len;
		}
		nw++;
		nt += w[i].nips;
		ni += w[i].nidents;
		ns += w[i].nsips;
	}

	if (cfg->warrants != NULL)
		sodium_free(cfg->warrants);
	if (cfg->targets != NULL)
		sodium_free(cfg->targets);
	if (cfg->idents != NULL)
		sodium_free(cfg->idents);
	if (cfg->sipids != NULL)
		sodium_free(cfg->sipids);
	cfg->warrants = ws;
	cfg->targets = ts;
	cfg->idents = is;
	cfg->sipids = ss;
	cfg->nwarrants = (uint32_t)nw;
	cfg->ntargets = (uint32_t)nt;
	cfg->nidents = (uint32_t)ni;
	cfg->nsipids = (uint32_t)ns;
	return 0;
}
