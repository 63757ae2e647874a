/* sdp.c - a zero-copy SDP parser (RFC 8866): where a call's media goes and in which direction. */
#include <arpa/inet.h>
#include <string.h>

#include "session/sip/sdp.h"
#include "session/sip/siphdr.h"

static const struct {
	const char *name, *msg;
} errs[SDP_NERR] = {
	{ "ok", "no error" },
	{ "empty", "SDP body is empty" },
	{ "line", "SDP line is not \"<letter>=<value>\"" },
	{ "type", "SDP line type unknown (RFC 8866 says to drop the whole "
	    "description)" },
	{ "long_line", "SDP line longer than 4096 bytes" },
	{ "version", "SDP does not start with v=0" },
	{ "origin", "SDP o= line lacks its six fields" },
	{ "conn", "SDP c= line is not \"IN IP4|IP6 address\"" },
	{ "addr", "SDP address is not a literal IPv4/IPv6 address" },
	{ "media", "SDP m= line is not \"media port proto fmt\"" },
	{ "port", "SDP port over 65535" },
	{ "rtcp", "SDP a=rtcp is not \"port [IN IP4|IP6 address]\"" },
	{ "no_conn", "SDP media stream without a c= line at session or "
	    "media level" },
};

const char *
sdp_err_name(int e)
{
	return e <= 0 && e > -SDP_NERR ? errs[-e].name : "unknown";
}

const char *
sdp_strerror(int e)
{
	return e <= 0 && e > -SDP_NERR ? errs[-e].msg : "unknown SDP error";
}

#define DIR_UNSET	0xff

/* The next space-separated field of *rest; 0 when there is none. */
static int
field(struct sip_slice *rest, struct sip_slice *f)
{
	size_t i = 0, s;

	while (i < rest->len && rest->p[i] == ' ')
		i++;
	for (s = i; i < rest->len && rest->p[i] != ' '; i++)
		;
	f->p = rest->p + s;
	f->len = i - s;
	rest->p += i;
	rest->len -= i;
	return f->len > 0;
}

static int
number(struct sip_slice f, uint16_t *out, int err)
{
	uint64_t v;

	if (f.len == 0 || f.len > 10 || sip_uint(f, UINT32_MAX, &v) != 0)
		return err;
	if (v > 65535)
		return SDP_E_PORT;
	*out = (uint16_t)v;
	return 0;
}

/* "IN IP4 addr" (the rest of a c= or a=rtcp: line). */
static int
conn(struct sip_slice rest, struct sdp_addr *a, int err)
{
	struct sip_slice net, type, addr, extra;
	char tmp[INET6_ADDRSTRLEN];
	size_t n;

	if (!field(&rest, &net) || !field(&rest, &type) ||
	    !field(&rest, &addr) || field(&rest, &extra) ||
	    !sip_slice_eq(net, "IN"))
		return err;
	if (sip_slice_eq(type, "IP4"))
		a->family = 4;
	else if (sip_slice_eq(type, "IP6"))
		a->family = 6;
	else
		return err;
	for (n = 0; n < addr.len && addr.p[n] != '/'; n++)
		;
	if (n == 0 || n >= sizeof(tmp))
		return SDP_E_ADDR;
	memcpy(tmp, addr.p, n);
	tmp[n] = '\0';
	if (inet_pton(a->family == 4 ? AF_INET : AF_INET6, tmp, a->addr) != 1)
		return SDP_E_ADDR;
	return 0;
}

static int
media(struct sip_slice rest, struct sdp_media *m)
{
	struct sip_slice port;
	size_t i;
	int r;

	if (!field(&rest, &m->type) || !field(&rest, &port) ||
	    !field(&rest, &m->proto))
		return SDP_E_MEDIA;
	while (rest.len > 0 && rest.p[0] == ' ') {
		rest.p++;
		rest.len--;
	}
	m->fmt = rest;
	for (i = 0; i < port.len && port.p[i] != '/'; i++)
		;
	if ((r = number((struct sip_slice){ port.p, i }, &m->port,
	    SDP_E_MEDIA)) != 0)
		return r;
	m->nports = 1;
	if (i < port.len && ((r = number((struct sip_slice){ port.p + i + 1,
	    port.len - i - 1 }, &m->nports, SDP_E_MEDIA)) != 0 ||
	    m->nports == 0))
		return r != 0 ? r : SDP_E_MEDIA;
	m->dir = DIR_UNSET;
	return 0;
}

static int
attribute(struct sip_slice v, struct sdp *s, struct sdp_media *m)
{
	static const char *dirs[] = { "sendrecv", "sendonly", "recvonly",
	    "inactive" };
	struct sip_slice name = v, val = { NULL, 0 }, port;
	uint8_t *dir = m != NULL ? &m->dir : &s->dir;
	const uint8_t *colon;
	size_t i;
	int r;

	if ((colon = memchr(v.p, ':', v.len)) != NULL) {
		name.len = (size_t)(colon - v.p);
		val.p = colon + 1;
		val.len = v.len - name.len - 1;
	}
	for (i = 0; i < 4; i++)
		if (val.p == NULL && sip_slice_eq(name, dirs[i])) {
			*dir = (uint8_t)i;
			return 0;
		}
	if (m == NULL)
		return 0;
	if (val.p == NULL && sip_slice_eq(name, "rtcp-mux")) {
		m->rtcp_mux = 1;
		return 0;
	}
	if (val.p == NULL || !sip_slice_eq(name, "rtcp"))
		return 0;
	if (!field(&val, &port))
		return SDP_E_RTCP;
	if ((r = number(port, &m->rtcp_port, SDP_E_RTCP)) != 0)
		return r;
	while (val.len > 0 && val.p[0] == ' ') {
		val.p++;
		val.len--;
	}
	if (val.len > 0 && (r = conn(val, &m->rtcp_addr, SDP_E_RTCP)) != 0)
		return r;
	m->has_rtcp = 1;
	return 0;
}

static int
origin(struct sip_slice v, struct sdp *s)
{
	struct sip_slice net, type, extra;

	if (!field(&v, &s->o_user) || !field(&v, &s->o_sess_id) ||
	    !field(&v, &s->o_sess_version) || !field(&v, &net) ||
	    !field(&v, &type) || !field(&v, &s->o_addr) || field(&v, &extra))
		return SDP_E_ORIGIN;
	return 0;
}

static int
line(uint8_t t, struct sip_slice v, struct sdp *s, struct sdp_media **m,
    int *skip)
{
	switch (t) {
	case 'o':
		return *m == NULL && !*skip ? origin(v, s) : SDP_E_ORIGIN;
	case 'c':
		if (*skip)
			return 0;
		if (*m == NULL)
			return conn(v, &s->conn, SDP_E_CONN);
		(*m)->conn_media = 1;
		return conn(v, &(*m)->conn, SDP_E_CONN);
	case 'm':
		if (s->nmedia == SDP_MAX_MEDIA) {
			struct sdp_media scratch;

			s->media_overflow = 1;
			*skip = 1;
			*m = NULL;
			memset(&scratch, 0, sizeof(scratch));
			return media(v, &scratch);
		}
		*m = &s->media[s->nmedia++];
		return media(v, *m);
	case 'a':
		return *skip ? 0 : attribute(v, s, *m);
	case 'v':
		return SDP_E_VERSION;
	}
	return 0;
}

int
sdp_parse(const uint8_t *buf, size_t len, struct sdp *s)
{
	struct sdp_media *m = NULL;
	struct sip_slice v;
	size_t pos = 0, e, n;
	int first = 1, skip = 0, r;
	const uint8_t *lf;
	unsigned i;

	memset(s, 0, sizeof(*s));
	while (pos < len) {
		lf = memchr(buf + pos, '\n', len - pos);
		e = lf == NULL ? len : (size_t)(lf - buf);
		n = e - pos;
		if (n > 0 && buf[e - 1] == '\r')
			n--;
		if (n > SDP_LINE_MAX)
			return SDP_E_LONG_LINE;
		v = (struct sip_slice){ buf + pos + 2, n >= 2 ? n - 2 : 0 };
		if (n == 0)
			;
		else if (n < 2 || buf[pos + 1] != '=')
			return SDP_E_LINE;
		else if (buf[pos] < 'a' || buf[pos] > 'z')
			return SDP_E_LINE;
		else if (strchr("vosiuepcbtrzkam", buf[pos]) == NULL)
			return SDP_E_TYPE;
		else if (first) {
			if (buf[pos] != 'v' || !sip_slice_eq(v, "0"))
				return SDP_E_VERSION;
			first = 0;
		} else if ((r = line(buf[pos], v, s, &m, &skip)) != 0)
			return r;
		pos = e + 1;
	}
	if (first)
		return SDP_E_EMPTY;
	for (i = 0; i < s->nmedia; i++) {
		m = &s->media[i];
		if (m->dir == DIR_UNSET)
			m->dir = s->dir;
		if (!m->conn_media)
			m->conn = s->conn;
		if (m->conn.family == 0 && m->port != 0)
			return SDP_E_NO_CONN;
	}
	return SDP_OK;
}
