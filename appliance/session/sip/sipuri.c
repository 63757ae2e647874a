/* sipuri.c - SIP, SIPS and TEL URIs: parse into parts, normalise for target matching. */
#include <string.h>

#include "session/sip/siphdr.h"
#include "session/sip/sipuri.h"

const char *
sipuri_strerror(int e)
{
	switch (e) {
	case SIPURI_E_EMPTY: return "empty URI";
	case SIPURI_E_SCHEME: return "URI scheme is not sip, sips or tel";
	case SIPURI_E_ADDR: return "address is not a name-addr or addr-spec "
	    "(unbalanced <> or quotes)";
	case SIPURI_E_USER: return "bad character or %-escape in URI user part";
	case SIPURI_E_HOST: return "URI host empty or malformed";
	case SIPURI_E_PORT: return "URI port is not a number up to 65535";
	case SIPURI_E_NUMBER: return "tel URI number malformed";
	case SIPURI_E_SPACE: return "canonical URI longer than the buffer";
	}
	return "unknown URI error";
}

static int
is_alnum(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static int
hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* unreserved and user-unreserved of RFC 3261 25.1: may stand bare in a user. */
static int
user_char(uint8_t c)
{
	return is_alnum(c) || (c != 0 && strchr("-_.!~*'()&=+$,;?/", c));
}

static int
visual_sep(uint8_t c)
{
	return c == '-' || c == '.' || c == '(' || c == ')';
}

static struct sip_slice
sub(const uint8_t *p, size_t from, size_t to)
{
	return (struct sip_slice){ p + from, to - from };
}

int
sipuri_addr(const uint8_t *p, size_t len, struct sip_addr *a)
{
	struct sip_slice v = sip_trim((struct sip_slice){ p, len });
	size_t i = 0, lt, gt;

	memset(a, 0, sizeof(*a));
	if (v.len == 0)
		return SIPURI_E_EMPTY;
	if (v.p[0] == '"') {
		for (i = 1; i < v.len && v.p[i] != '"'; i++)
			if (v.p[i] == '\\')
				i++;
		if (i >= v.len)
			return SIPURI_E_ADDR;
		a->display = sub(v.p, 1, i);
		i++;
	}
	for (lt = i; lt < v.len && v.p[lt] != '<' && v.p[lt] != '"'; lt++)
		;
	if (lt < v.len && v.p[lt] == '"')
		return SIPURI_E_ADDR;
	if (lt == v.len) {
		if (a->display.p != NULL)
			return SIPURI_E_ADDR;
		for (gt = 0; gt < v.len && v.p[gt] != ';'; gt++)
			if (v.p[gt] == '>' || sip_is_lws(v.p[gt]))
				return SIPURI_E_ADDR;
		a->uri = sub(v.p, 0, gt);
		if (gt < v.len)
			a->params = sub(v.p, gt + 1, v.len);
		/* A bare word is a display name that lost its <URI>. */
		if (memchr(a->uri.p, ':', a->uri.len) == NULL)
			return a->uri.len > 0 ? SIPURI_E_ADDR : SIPURI_E_EMPTY;
		return 0;
	}
	if (a->display.p == NULL)
		a->display = sip_trim(sub(v.p, 0, lt));
	else if (sip_trim(sub(v.p, i, lt)).len != 0)
		return SIPURI_E_ADDR;
	for (gt = lt + 1; gt < v.len && v.p[gt] != '>'; gt++)
		if (v.p[gt] == '<')
			return SIPURI_E_ADDR;
	if (gt == v.len)
		return SIPURI_E_ADDR;
	a->uri = sip_trim(sub(v.p, lt + 1, gt));
	for (i = gt + 1; i < v.len && sip_is_lws(v.p[i]); i++)
		;
	if (i < v.len) {
		if (v.p[i] != ';')
			return SIPURI_E_ADDR;
		a->params = sub(v.p, i + 1, v.len);
	}
	return a->uri.len > 0 ? 0 : SIPURI_E_EMPTY;
}

static int
check_user(struct sip_slice s)
{
	size_t i;

	for (i = 0; i < s.len; i++) {
		if (s.p[i] == '%') {
			if (i + 2 >= s.len || hexval(s.p[i + 1]) < 0 ||
			    hexval(s.p[i + 2]) < 0)
				return SIPURI_E_USER;
			i += 2;
		} else if (!user_char(s.p[i]))
			return SIPURI_E_USER;
	}
	return 0;
}

static int
parse_tel(const uint8_t *p, size_t len, struct sipuri *u)
{
	size_t i, digits = 0;

	for (i = 0; i < len && p[i] != ';'; i++) {
		if (i == 0 && p[i] == '+')
			continue;
		if (hexval(p[i]) >= 0 || p[i] == '*' || p[i] == '#')
			digits++;
		else if (!visual_sep(p[i]))
			return SIPURI_E_NUMBER;
	}
	if (digits == 0)
		return SIPURI_E_NUMBER;
	u->user = sub(p, 0, i);
	if (i < len)
		u->params = sub(p, i + 1, len);
	return 0;
}

static int
parse_hostport(const uint8_t *p, size_t len, size_t i, struct sipuri *u)
{
	size_t s = i, e;
	uint64_t port;

	if (i < len && p[i] == '[') {
		while (i < len && p[i] != ']') {
			if (hexval(p[i]) < 0 && p[i] != ':' && p[i] != '.' &&
			    p[i] != '[')
				return SIPURI_E_HOST;
			i++;
		}
		if (i == len || i - s < 3)
			return SIPURI_E_HOST;
		i++;
	} else {
		while (i < len && (is_alnum(p[i]) || p[i] == '-' ||
		    p[i] == '.'))
			i++;
		if (i == s)
			return SIPURI_E_HOST;
	}
	u->host = sub(p, s, i);
	if (i < len && p[i] == ':') {
		for (e = ++i; e < len && p[e] != ';' && p[e] != '?'; e++)
			;
		if (sip_uint(sub(p, i, e), 65535, &port) != 0)
			return SIPURI_E_PORT;
		u->has_port = 1;
		u->port = (uint16_t)port;
		i = e;
	}
	if (i < len && p[i] != ';' && p[i] != '?')
		return SIPURI_E_HOST;
	for (e = i; e < len && p[e] != '?'; e++)
		;
	if (i < len && p[i] == ';')
		u->params = sub(p, i + 1, e);
	if (e < len)
		u->headers = sub(p, e + 1, len);
	return 0;
}

int
sipuri_parse(const uint8_t *p, size_t len, struct sipuri *u)
{
	struct sip_slice v = sip_trim((struct sip_slice){ p, len });
	struct sip_addr a;
	size_t i, at, colon;
	int r;

	memset(u, 0, sizeof(*u));
	if (v.len == 0)
		return SIPURI_E_EMPTY;
	if (v.p[0] == '"' || memchr(v.p, '<', v.len) != NULL) {
		if ((r = sipuri_addr(v.p, v.len, &a)) != 0)
			return r;
		v = a.uri;
	}
	for (i = 0; i < v.len && v.p[i] != ':'; i++)
		;
	if (i == v.len)
		return SIPURI_E_SCHEME;
	if (sip_slice_eq(sub(v.p, 0, i), "tel")) {
		u->scheme = SIPURI_TEL;
		return parse_tel(v.p + i + 1, v.len - i - 1, u);
	}
	if (sip_slice_eq(sub(v.p, 0, i), "sip"))
		u->scheme = SIPURI_SIP;
	else if (sip_slice_eq(sub(v.p, 0, i), "sips"))
		u->scheme = SIPURI_SIPS;
	else
		return SIPURI_E_SCHEME;
	i++;
	for (at = i; at < v.len && v.p[at] != '@' && v.p[at] != '?'; at++)
		;
	if (at < v.len && v.p[at] == '@') {
		for (colon = i; colon < at && v.p[colon] != ':'; colon++)
			;
		u->user = sub(v.p, i, colon);
		if (colon < at)
			u->password = sub(v.p, colon + 1, at);
		if (u->user.len == 0 || check_user(u->user) != 0 ||
		    check_user(u->password) != 0)
			return SIPURI_E_USER;
		i = at + 1;
	}
	return parse_hostport(v.p, v.len, i, u);
}

static int
put(uint8_t *out, size_t *n, uint8_t c)
{
	if (*n >= SIPURI_NORM_MAX)
		return SIPURI_E_SPACE;
	out[(*n)++] = c;
	return 0;
}

static int
put_str(uint8_t *out, size_t *n, const char *s)
{
	while (*s != '\0')
		if (put(out, n, (uint8_t)*s++) != 0)
			return SIPURI_E_SPACE;
	return 0;
}

/* A number without separators, hex digits in upper case. */
static int
put_number(uint8_t *out, size_t *n, struct sip_slice s)
{
	size_t i;
	uint8_t c;

	for (i = 0; i < s.len; i++) {
		c = s.p[i];
		if (c == '%' && i + 2 < s.len && hexval(s.p[i + 1]) >= 0 &&
		    hexval(s.p[i + 2]) >= 0) {
			c = (uint8_t)(hexval(s.p[i + 1]) * 16 +
			    hexval(s.p[i + 2]));
			i += 2;
		}
		if (visual_sep(c))
			continue;
		if (c >= 'a' && c <= 'f')
			c -= 32;
		if (put(out, n, c) != 0)
			return SIPURI_E_SPACE;
	}
	return 0;
}

static int
put_user(uint8_t *out, size_t *n, struct sip_slice s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;
	uint8_t c;

	for (i = 0; i < s.len; i++) {
		c = s.p[i];
		if (c == '%') {
			if (i + 2 >= s.len || hexval(s.p[i + 1]) < 0 ||
			    hexval(s.p[i + 2]) < 0)
				return SIPURI_E_USER;
			c = (uint8_t)(hexval(s.p[i + 1]) * 16 +
			    hexval(s.p[i + 2]));
			i += 2;
		}
		if (user_char(c)) {
			if (put(out, n, c) != 0)
				return SIPURI_E_SPACE;
		} else if (put(out, n, '%') != 0 ||
		    put(out, n, (uint8_t)hex[c >> 4]) != 0 ||
		    put(out, n, (uint8_t)hex[c & 15]) != 0)
			return SIPURI_E_SPACE;
	}
	return 0;
}

int
sipuri_norm(const struct sipuri *u, uint8_t out[static SIPURI_NORM_MAX])
{
	struct sip_slice v;
	size_t n = 0, i;
	int r;

	if (u->scheme == SIPURI_TEL) {
		if ((r = put_str(out, &n, "tel:")) != 0 ||
		    (r = put_number(out, &n, u->user)) != 0)
			return r;
		return (int)n;
	}
	if (u->scheme != SIPURI_SIP && u->scheme != SIPURI_SIPS)
		return SIPURI_E_SCHEME;
	if ((r = put_str(out, &n, "sip:")) != 0)
		return r;
	if (u->user.len > 0) {
		if (sip_param(u->params, "user", &v) &&
		    sip_slice_eq(v, "phone"))
			r = put_number(out, &n, u->user);
		else
			r = put_user(out, &n, u->user);
		if (r != 0 || (r = put(out, &n, '@')) != 0)
			return r;
	}
	if (u->host.len == 0)
		return SIPURI_E_HOST;
	for (i = 0; i < u->host.len; i++) {
		uint8_t c = u->host.p[i];

		if ((r = put(out, &n, c >= 'A' && c <= 'Z' ? c + 32 : c)) != 0)
			return r;
	}
	return (int)n;
}
