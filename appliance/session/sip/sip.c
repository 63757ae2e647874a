/* sip.c - a zero-copy SIP message parser (RFC 3261): start line and the headers a call needs. */
#include <string.h>

#include "session/sip/siphdr.h"
#include "session/sip/sipuri.h"

static const struct {
	const char *name, *msg;
} errs[SIP_NERR] = {
	{ "ok", "no error" },
	{ "empty", "SIP message holds nothing but CRLFs" },
	{ "truncated", "SIP header section ends without an empty line "
	    "(truncated message or capture)" },
	{ "too_long", "SIP header section longer than 64 KiB" },
	{ "start_line", "SIP start line is neither a request nor a status line" },
	{ "version", "SIP version is not SIP/2.0" },
	{ "status", "SIP status code is not 100..699" },
	{ "request_uri", "SIP Request-URI has no scheme" },
	{ "header", "SIP header line is not \"name: value\"" },
	{ "call_id_missing", "SIP message without Call-ID" },
	{ "call_id_duplicate", "SIP message with two Call-ID headers" },
	{ "content_length", "SIP Content-Length malformed, too big, or given "
	    "twice with different values" },
	{ "content_length_missing", "SIP message on a stream without "
	    "Content-Length (stream dropped)" },
	{ "body_short", "SIP body shorter than its Content-Length" },
	{ "cseq", "SIP CSeq is not \"number method\"" },
	{ "via", "SIP Via is not \"SIP/2.0/transport sent-by\"" },
	{ "address", "SIP From/To/Contact/P-Asserted-Identity is not a "
	    "name-addr or addr-spec" },
	{ "expires", "SIP Expires is not a number" },
};

const char *
sip_err_name(int e)
{
	return e <= 0 && e > -SIP_NERR ? errs[-e].name : "unknown";
}

const char *
sip_strerror(int e)
{
	return e <= 0 && e > -SIP_NERR ? errs[-e].msg : "unknown SIP error";
}

static struct sip_slice
sub(const uint8_t *p, size_t from, size_t to)
{
	return (struct sip_slice){ p + from, to - from };
}

static int
status_line(struct sip_slice l, struct sip_msg *m)
{
	size_t i;
	unsigned st = 0;

	if (l.len < 12 || !sip_slice_eq(sub(l.p, 0, 7), "SIP/2.0"))
		return SIP_E_VERSION;
	if (l.p[7] != ' ')
		return SIP_E_START_LINE;
	for (i = 8; i < 11; i++) {
		if (l.p[i] < '0' || l.p[i] > '9')
			return SIP_E_STATUS;
		st = st * 10 + (l.p[i] - '0');
	}
	if (st < 100 || st > 699)
		return SIP_E_STATUS;
	if (l.len > 11 && l.p[11] != ' ')
		return SIP_E_STATUS;
	m->status = st;
	m->reason = l.len > 12 ? sub(l.p, 12, l.len) : sub(l.p, l.len, l.len);
	return 0;
}

static int
request_line(struct sip_slice l, struct sip_msg *m)
{
	size_t i, s;

	for (i = 0; i < l.len && sip_is_token(l.p[i]); i++)
		;
	if (i == 0 || i == l.len || l.p[i] != ' ')
		return SIP_E_START_LINE;
	m->method = sub(l.p, 0, i);
	for (s = ++i; i < l.len && l.p[i] > ' ' && l.p[i] < 0x7f; i++)
		;
	if (i == s || i == l.len || l.p[i] != ' ')
		return SIP_E_START_LINE;
	m->request_uri = sub(l.p, s, i);
	if (memchr(m->request_uri.p, ':', m->request_uri.len) == NULL ||
	    m->request_uri.p[0] == ':')
		return SIP_E_REQUEST_URI;
	if (!sip_slice_eq(sub(l.p, i + 1, l.len), "SIP/2.0"))
		return l.len - i - 1 > 4 &&
		    sip_slice_eq(sub(l.p, i + 1, i + 5), "SIP/") &&
		    memchr(l.p + i + 1, ' ', l.len - i - 1) == NULL ?
		    SIP_E_VERSION : SIP_E_START_LINE;
	m->is_request = 1;
	return 0;
}

/* Adds the URIs of a name-addr list to uris[]. */
static int
addr_list(struct sip_slice v, struct sip_slice *uris, uint8_t *n,
    uint8_t max, uint8_t *overflow)
{
	struct sip_slice item;
	struct sip_addr a;

	while (sip_list_next(&v, &item)) {
		if (sipuri_addr(item.p, item.len, &a) != 0)
			return SIP_E_ADDR;
		if (*n < max)
			uris[(*n)++] = a.uri;
		else
			*overflow = 1;
	}
	return 0;
}

static int
one_addr(struct sip_slice v, struct sip_slice *uri, struct sip_slice *tag)
{
	struct sip_addr a;

	if (sipuri_addr(v.p, v.len, &a) != 0)
		return SIP_E_ADDR;
	*uri = a.uri;
	if (tag != NULL && !sip_param(a.params, "tag", tag))
		*tag = (struct sip_slice){ NULL, 0 };
	return 0;
}

static int
cseq(struct sip_slice v, struct sip_msg *m)
{
	uint64_t n;
	size_t i, s;

	for (i = 0; i < v.len && v.p[i] >= '0' && v.p[i] <= '9'; i++)
		;
	if (sip_uint(sub(v.p, 0, i), 0x7fffffff, &n) != 0)
		return SIP_E_CSEQ;
	for (s = i; i < v.len && sip_is_lws(v.p[i]); i++)
		;
	if (i == s)
		return SIP_E_CSEQ;
	for (s = i; i < v.len && sip_is_token(v.p[i]); i++)
		;
	if (i == s || i != v.len)
		return SIP_E_CSEQ;
	m->cseq = (uint32_t)n;
	m->cseq_method = sub(v.p, s, i);
	return 0;
}

static int
expires(struct sip_slice v, struct sip_msg *m)
{
	uint64_t n = 0;
	size_t i;

	if (v.len == 0)
		return SIP_E_EXPIRES;
	for (i = 0; i < v.len; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return SIP_E_EXPIRES;
		n = n * 10 + (v.p[i] - '0');
		if (n > UINT32_MAX)
			n = UINT32_MAX;
	}
	m->has_expires = 1;
	m->expires = (uint32_t)n;
	return 0;
}

static int
header(const struct sip_hdr *h, struct sip_msg *m)
{
	struct sip_slice v = h->value, item;
	uint64_t n;
	int r;

	switch (h->id) {
	case SIP_H_CALL_ID:
		if (m->call_id.p != NULL)
			return SIP_E_DUP_CALL_ID;
		m->call_id = v;
		return 0;
	case SIP_H_FROM:
		return one_addr(v, &m->from_uri, &m->from_tag);
	case SIP_H_TO:
		return one_addr(v, &m->to_uri, &m->to_tag);
	case SIP_H_CSEQ:
		return cseq(v, m);
	case SIP_H_VIA:
		while (sip_list_next(&v, &item)) {
			if (m->nvia == 0 && !m->via_overflow &&
			    (r = sip_via_parse(item, &m->via_transport,
			    &m->via_sent_by, &m->via_branch)) != 0)
				return r;
			if (m->nvia < SIP_MAX_VIA)
				m->via[m->nvia++] = item;
			else
				m->via_overflow = 1;
		}
		return 0;
	case SIP_H_PAI:
		return addr_list(v, m->pai, &m->npai, SIP_MAX_PAI,
		    &m->pai_overflow);
	case SIP_H_CONTACT:
		if (sip_slice_eq(v, "*")) {
			m->contact_star = 1;
			return 0;
		}
		return addr_list(v, m->contact, &m->ncontact, SIP_MAX_CONTACT,
		    &m->contact_overflow);
	case SIP_H_RPID:
		if (m->rpid_uri.p == NULL && sip_list_next(&v, &item))
			return one_addr(item, &m->rpid_uri, NULL);
		return 0;
	case SIP_H_AUTHORIZATION:
		if (m->auth_user.p == NULL)
			sip_digest_user(v, &m->auth_user);
		return 0;
	case SIP_H_PROXY_AUTHORIZATION:
		if (m->proxy_auth_user.p == NULL)
			sip_digest_user(v, &m->proxy_auth_user);
		return 0;
	case SIP_H_CONTENT_LENGTH:
		if (sip_uint(v, SIP_BODY_MAX, &n) != 0 ||
		    (m->has_content_length && m->content_length != n))
			return SIP_E_CONTENT_LENGTH;
		m->has_content_length = 1;
		m->content_length = (uint32_t)n;
		return 0;
	case SIP_H_CONTENT_TYPE:
		m->content_type = v;
		return 0;
	case SIP_H_EXPIRES:
		return expires(v, m);
	default:
		return 0;
	}
}

int
sip_parse(const uint8_t *buf, size_t len, struct sip_msg *m)
{
	struct sip_hdr h;
	struct sip_slice line;
	size_t s = 0, pos, lim, lf;
	int r;

	memset(m, 0, sizeof(*m));
	while (s < len && (buf[s] == '\r' || buf[s] == '\n'))
		s++;
	if (s == len)
		return SIP_E_EMPTY;
	buf += s;
	len -= s;
	lim = len < SIP_HDR_MAX ? len : SIP_HDR_MAX;
	for (lf = 0; lf < lim && buf[lf] != '\n'; lf++)
		;
	if (lf == lim)
		return len > lim ? SIP_E_TOO_LONG : SIP_E_TRUNCATED;
	line = sub(buf, 0, lf > 0 && buf[lf - 1] == '\r' ? lf - 1 : lf);
	if (line.len >= 4 && sip_slice_eq(sub(buf, 0, 4), "SIP/"))
		r = status_line(line, m);
	else
		r = request_line(line, m);
	if (r != 0)
		return r;
	pos = lf + 1;
	while ((r = sip_hdr_next(buf, lim, &pos, &h)) == 1)
		if ((r = header(&h, m)) != 0)
			return r;
	if (r == SIP_E_TRUNCATED && len > lim)
		return SIP_E_TOO_LONG;
	if (r != 0)
		return r;
	if (m->call_id.p == NULL || m->call_id.len == 0)
		return SIP_E_NO_CALL_ID;
	m->hdr_len = pos;
	if (m->has_content_length) {
		if (len - pos < m->content_length)
			return SIP_E_BODY_SHORT;
		m->body = sub(buf, pos, pos + m->content_length);
	} else
		m->body = sub(buf, pos, len);
	m->raw = sub(buf, 0, pos + m->body.len);
	return SIP_OK;
}
