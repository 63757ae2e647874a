/* siphdr.c - SIP header lines: names (full and compact), folding, lists, parameters. */
#include <string.h>

#include "session/sip/siphdr.h"

static const struct {
	const char *name;
	char compact;
	enum sip_hdr_id id;
} names[] = {
	{ "call-id", 'i', SIP_H_CALL_ID },
	{ "from", 'f', SIP_H_FROM },
	{ "to", 't', SIP_H_TO },
	{ "contact", 'm', SIP_H_CONTACT },
	{ "content-length", 'l', SIP_H_CONTENT_LENGTH },
	{ "content-type", 'c', SIP_H_CONTENT_TYPE },
	{ "via", 'v', SIP_H_VIA },
	{ "supported", 'k', SIP_H_SUPPORTED },
	{ "subject", 's', SIP_H_SUBJECT },
	{ "content-encoding", 'e', SIP_H_CONTENT_ENCODING },
	{ "event", 'o', SIP_H_EVENT },
	{ "refer-to", 'r', SIP_H_REFER_TO },
	{ "referred-by", 'b', SIP_H_REFERRED_BY },
	{ "allow-events", 'u', SIP_H_ALLOW_EVENTS },
	{ "session-expires", 'x', SIP_H_SESSION_EXPIRES },
	{ "identity", 'y', SIP_H_IDENTITY },
	{ "cseq", 0, SIP_H_CSEQ },
	{ "p-asserted-identity", 0, SIP_H_PAI },
	{ "remote-party-id", 0, SIP_H_RPID },
	{ "authorization", 0, SIP_H_AUTHORIZATION },
	{ "proxy-authorization", 0, SIP_H_PROXY_AUTHORIZATION },
	{ "expires", 0, SIP_H_EXPIRES },
};

static uint8_t
lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

int
sip_slice_eq(struct sip_slice s, const char *lit)
{
	size_t i, n = strlen(lit);

	if (s.len != n)
		return 0;
	for (i = 0; i < n; i++)
		if (lower(s.p[i]) != lower((uint8_t)lit[i]))
			return 0;
	return 1;
}

int
sip_is_lws(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int
sip_is_token(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != 0 && strchr("-.!%*_+`'~", c));
}

struct sip_slice
sip_trim(struct sip_slice s)
{
	while (s.len > 0 && sip_is_lws(s.p[0])) {
		s.p++;
		s.len--;
	}
	while (s.len > 0 && sip_is_lws(s.p[s.len - 1]))
		s.len--;
	return s;
}

static enum sip_hdr_id
identify(struct sip_slice n)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (n.len == 1 && names[i].compact != 0 &&
		    lower(n.p[0]) == (uint8_t)names[i].compact)
			return names[i].id;
		if (sip_slice_eq(n, names[i].name))
			return names[i].id;
	}
	return SIP_H_OTHER;
}

/* End of the line at pos (index of its LF), or lim if there is none. */
static size_t
line_end(const uint8_t *m, size_t lim, size_t pos)
{
	const uint8_t *lf = memchr(m + pos, '\n', lim - pos);

	return lf == NULL ? lim : (size_t)(lf - m);
}

int
sip_hdr_next(const uint8_t *m, size_t lim, size_t *pos, struct sip_hdr *h)
{
	size_t p = *pos, lf, e, n;

	if (p >= lim)
		return SIP_E_TRUNCATED;
	lf = line_end(m, lim, p);
	if (lf == lim)
		return SIP_E_TRUNCATED;
	if (lf == p || (lf == p + 1 && m[p] == '\r')) {
		*pos = lf + 1;
		return 0;
	}
	for (n = p; n < lf && sip_is_token(m[n]); n++)
		;
	if (n == p)
		return SIP_E_HEADER;
	h->name.p = m + p;
	h->name.len = n - p;
	while (n < lf && (m[n] == ' ' || m[n] == '\t'))
		n++;
	if (n == lf || m[n] != ':')
		return SIP_E_HEADER;
	n++;
	/* Continuation lines: the next line starts with SP or HT. */
	for (;;) {
		if (lf + 1 >= lim)
			return SIP_E_TRUNCATED;
		if (m[lf + 1] != ' ' && m[lf + 1] != '\t')
			break;
		lf = line_end(m, lim, lf + 1);
		if (lf == lim)
			return SIP_E_TRUNCATED;
	}
	e = lf;
	h->value.p = m + n;
	h->value.len = e - n;
	h->value = sip_trim(h->value);
	h->id = identify(h->name);
	*pos = lf + 1;
	return 1;
}

int
sip_list_next(struct sip_slice *rest, struct sip_slice *item)
{
	size_t i;
	int quote, angle;

	for (;;) {
		if (rest->len == 0)
			return 0;
		quote = angle = 0;
		for (i = 0; i < rest->len; i++) {
			uint8_t c = rest->p[i];

			if (quote) {
				if (c == '\\')
					i++;
				else if (c == '"')
					quote = 0;
			} else if (c == '"')
				quote = 1;
			else if (c == '<')
				angle = 1;
			else if (c == '>')
				angle = 0;
			else if (c == ',' && !angle)
				break;
		}
		if (i > rest->len)
			i = rest->len;
		item->p = rest->p;
		item->len = i;
		*item = sip_trim(*item);
		rest->p += i < rest->len ? i + 1 : i;
		rest->len -= i < rest->len ? i + 1 : i;
		if (item->len > 0)
			return 1;
	}
}

int
sip_param(struct sip_slice params, const char *name, struct sip_slice *val)
{
	size_t i = 0, s, ne;
	int quote;

	while (i < params.len) {
		while (i < params.len && (params.p[i] == ';' ||
		    sip_is_lws(params.p[i])))
			i++;
		s = i;
		quote = 0;
		for (; i < params.len; i++) {
			if (quote && params.p[i] == '\\')
				i++;
			else if (params.p[i] == '"')
				quote = !quote;
			else if (!quote && params.p[i] == ';')
				break;
		}
		if (i > params.len)
			i = params.len;
		for (ne = s; ne < i && params.p[ne] != '=' &&
		    !sip_is_lws(params.p[ne]); ne++)
			;
		if (!sip_slice_eq((struct sip_slice){ params.p + s, ne - s },
		    name))
			continue;
		while (ne < i && params.p[ne] != '=')
			ne++;
		val->p = params.p + (ne < i ? ne + 1 : i);
		val->len = ne < i ? i - ne - 1 : 0;
		*val = sip_trim(*val);
		if (val->len >= 2 && val->p[0] == '"' &&
		    val->p[val->len - 1] == '"') {
			val->p++;
			val->len -= 2;
		}
		return 1;
	}
	return 0;
}

int
sip_uint(struct sip_slice s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (s.len == 0)
		return -1;
	for (i = 0; i < s.len; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return -1;
		v = v * 10 + (s.p[i] - '0');
		if (v > max)
			return -1;
	}
	*out = v;
	return 0;
}

/* Skips LWS then expects c. */
static int
expect(struct sip_slice v, size_t *i, uint8_t c)
{
	while (*i < v.len && sip_is_lws(v.p[*i]))
		(*i)++;
	if (*i >= v.len || v.p[*i] != c)
		return -1;
	(*i)++;
	return 0;
}

static struct sip_slice
token_at(struct sip_slice v, size_t *i)
{
	size_t s;

	while (*i < v.len && sip_is_lws(v.p[*i]))
		(*i)++;
	for (s = *i; *i < v.len && sip_is_token(v.p[*i]); (*i)++)
		;
	return (struct sip_slice){ v.p + s, *i - s };
}

int
sip_via_parse(struct sip_slice v, struct sip_slice *transport,
    struct sip_slice *sent_by, struct sip_slice *branch)
{
	struct sip_slice name, ver, params;
	size_t i = 0, s;

	name = token_at(v, &i);
	if (!sip_slice_eq(name, "SIP") || expect(v, &i, '/') != 0)
		return SIP_E_VIA;
	ver = token_at(v, &i);
	if (ver.len == 0 || expect(v, &i, '/') != 0)
		return SIP_E_VIA;
	*transport = token_at(v, &i);
	if (transport->len == 0)
		return SIP_E_VIA;
	while (i < v.len && sip_is_lws(v.p[i]))
		i++;
	for (s = i; i < v.len && v.p[i] != ';' && !sip_is_lws(v.p[i]); i++)
		;
	if (i == s)
		return SIP_E_VIA;
	sent_by->p = v.p + s;
	sent_by->len = i - s;
	params.p = v.p + i;
	params.len = v.len - i;
	if (!sip_param(params, "branch", branch))
		*branch = (struct sip_slice){ NULL, 0 };
	return 0;
}

void
sip_digest_user(struct sip_slice v, struct sip_slice *user)
{
	struct sip_slice scheme, item, rest;
	size_t i = 0;

	*user = (struct sip_slice){ NULL, 0 };
	scheme = token_at(v, &i);
	if (!sip_slice_eq(scheme, "Digest"))
		return;
	rest.p = v.p + i;
	rest.len = v.len - i;
	while (sip_list_next(&rest, &item))
		if (sip_param(item, "username", user))
			return;
}
