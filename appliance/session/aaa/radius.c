/* radius.c - RADIUS datagram and attribute parsing, no allocation. */
#include <string.h>

#include "session/aaa/radius.h"

enum kind {
	K_SKIP = 0,	/* Vendor-Specific, unknown: framing checked only */
	K_STR,		/* 1..253 octets */
	K_U32,
	K_IP4,
	K_IP6,		/* 16 octets, once */
	K_AUTH16,	/* Message-Authenticator */
	K_PREFIX,	/* RFC 3162 / 4818 prefix, several */
	K_IP6_MULTI,	/* Framed-IPv6-Address, several */
	K_CLASS,	/* several */
};

struct attr_def {
	uint8_t kind;
	uint8_t field;	/* enum radius_field */
};

static const struct attr_def defs[256] = {
	[1] = { K_STR, RADIUS_F_USER_NAME },
	[4] = { K_IP4, RADIUS_F_NAS_IP },
	[5] = { K_U32, RADIUS_F_NAS_PORT },
	[8] = { K_IP4, RADIUS_F_FRAMED_IP },
	[25] = { K_CLASS, RADIUS_F_CLASS },
	[30] = { K_STR, RADIUS_F_CALLED_ID },
	[31] = { K_STR, RADIUS_F_CALLING_ID },
	[32] = { K_STR, RADIUS_F_NAS_ID },
	[40] = { K_U32, RADIUS_F_STATUS_TYPE },
	[42] = { K_U32, RADIUS_F_IN_OCTETS },
	[43] = { K_U32, RADIUS_F_OUT_OCTETS },
	[44] = { K_STR, RADIUS_F_SESSION_ID },
	[46] = { K_U32, RADIUS_F_SESSION_TIME },
	[49] = { K_U32, RADIUS_F_TERM_CAUSE },
	[52] = { K_U32, RADIUS_F_IN_GIGAWORDS },
	[53] = { K_U32, RADIUS_F_OUT_GIGAWORDS },
	[55] = { K_U32, RADIUS_F_EVENT_TIME },
	[80] = { K_AUTH16, RADIUS_F_MSG_AUTH },
	[87] = { K_STR, RADIUS_F_NAS_PORT_ID },
	[95] = { K_IP6, RADIUS_F_NAS_IPV6 },
	[97] = { K_PREFIX, RADIUS_F_FRAMED_PREFIX },
	[123] = { K_PREFIX, RADIUS_F_DELEGATED_PREFIX },
	[168] = { K_IP6_MULTI, RADIUS_F_FRAMED_IPV6 },
};

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int
known_code(uint8_t c)
{
	return (c >= 1 && c <= 5) || (c >= 11 && c <= 13) ||
	    (c >= 40 && c <= 45);
}

/* Reserved, Prefix-Length, then ceil(len/8)..16 prefix octets. */
static int
get_prefix(const uint8_t *v, size_t n, struct radius_prefix *out)
{
	size_t plen, need;

	if (n < 2 || n > 18)
		return RADIUS_E_ATTR_SIZE;
	plen = v[1];
	need = (plen + 7) / 8;
	if (plen > 128 || need > n - 2)
		return RADIUS_E_PREFIX;
	memset(out, 0, sizeof(*out));
	out->len = (uint8_t)plen;
	memcpy(out->addr, v + 2, need);
	if (plen % 8)
		out->addr[need - 1] &= (uint8_t)(0xff00u >> (plen % 8));
	return RADIUS_OK;
}

/* Stores one once-only value; a second one only marks the duplicate. */
static int
first(struct radius_msg *m, unsigned f)
{
	if (m->have & (1u << f)) {
		m->dup |= 1u << f;
		return 0;
	}
	m->have |= 1u << f;
	return 1;
}

static int
multi(struct radius_msg *m, unsigned f, uint8_t *n, size_t max)
{
	m->have |= 1u << f;
	if (*n >= max) {
		m->overflow |= 1u << f;
		return 0;
	}
	return 1;
}

static int
attr(struct radius_msg *m, uint8_t type, const uint8_t *v, size_t n)
{
	const struct attr_def *d = &defs[type];
	struct radius_str s = { v, n };
	unsigned f = d->field;
	int r;

	switch (d->kind) {
	case K_SKIP:
		return RADIUS_OK;
	case K_STR:
		if (n < 1)
			return RADIUS_E_ATTR_SIZE;
		if (!first(m, f))
			return RADIUS_OK;
		switch (f) {
		case RADIUS_F_USER_NAME: m->user_name = s; break;
		case RADIUS_F_CALLED_ID: m->called_id = s; break;
		case RADIUS_F_CALLING_ID: m->calling_id = s; break;
		case RADIUS_F_NAS_ID: m->nas_id = s; break;
		case RADIUS_F_SESSION_ID: m->session_id = s; break;
		default: m->nas_port_id = s; break;
		}
		return RADIUS_OK;
	case K_U32: {
		uint32_t x;

		if (n != 4)
			return RADIUS_E_ATTR_SIZE;
		if (!first(m, f))
			return RADIUS_OK;
		x = get32(v);
		switch (f) {
		case RADIUS_F_NAS_PORT: m->nas_port = x; break;
		case RADIUS_F_STATUS_TYPE: m->status_type = x; break;
		case RADIUS_F_IN_OCTETS: m->in_octets = x; break;
		case RADIUS_F_OUT_OCTETS: m->out_octets = x; break;
		case RADIUS_F_SESSION_TIME: m->session_time = x; break;
		case RADIUS_F_TERM_CAUSE: m->term_cause = x; break;
		case RADIUS_F_IN_GIGAWORDS: m->in_gigawords = x; break;
		case RADIUS_F_OUT_GIGAWORDS: m->out_gigawords = x; break;
		default: m->event_time = x; break;
		}
		return RADIUS_OK;
	}
	case K_IP4:
		if (n != 4)
			return RADIUS_E_ATTR_SIZE;
		if (first(m, f)) {
			if (f == RADIUS_F_NAS_IP)
				m->nas_ip = v;
			else
				m->framed_ip = v;
		}
		return RADIUS_OK;
	case K_IP6:
	case K_AUTH16:
		if (n != 16)
			return RADIUS_E_ATTR_SIZE;
		if (first(m, f)) {
			if (f == RADIUS_F_NAS_IPV6)
				m->nas_ipv6 = v;
			else
				m->msg_auth = v;
		}
		return RADIUS_OK;
	case K_PREFIX: {
		struct radius_prefix p;
		int framed = f == RADIUS_F_FRAMED_PREFIX;
		uint8_t *cnt = framed ? &m->nframed_prefix : &m->ndelegated;

		if ((r = get_prefix(v, n, &p)) != RADIUS_OK)
			return r;
		if (multi(m, f, cnt, RADIUS_MAX_PREFIX))
			(framed ? m->framed_prefix : m->delegated)[(*cnt)++] = p;
		return RADIUS_OK;
	}
	case K_IP6_MULTI:
		if (n != 16)
			return RADIUS_E_ATTR_SIZE;
		if (multi(m, f, &m->nframed_ipv6, RADIUS_MAX_V6ADDR))
			m->framed_ipv6[m->nframed_ipv6++] = v;
		return RADIUS_OK;
	default:	/* K_CLASS */
		if (n < 1)
			return RADIUS_E_ATTR_SIZE;
		if (multi(m, f, &m->nclass, RADIUS_MAX_CLASS))
			m->class[m->nclass++] = s;
		return RADIUS_OK;
	}
}

int
radius_parse(const uint8_t *pkt, size_t len, struct radius_msg *m)
{
	size_t off, hlen;
	int r;

	memset(m, 0, sizeof(*m));
	if (len < RADIUS_HDR_LEN)
		return RADIUS_E_SHORT;
	hlen = (size_t)pkt[2] << 8 | pkt[3];
	if (hlen < RADIUS_MIN_LEN || hlen > RADIUS_MAX_LEN)
		return RADIUS_E_LENGTH;
	if (len < hlen)
		return RADIUS_E_TRUNCATED;
	if (!known_code(pkt[0]))
		return RADIUS_E_CODE;
	m->pkt = pkt;
	m->len = (uint16_t)hlen;
	m->code = pkt[0];
	m->id = pkt[1];
	m->auth = pkt + 4;

	for (off = RADIUS_HDR_LEN; off < hlen; off += pkt[off + 1]) {
		m->err_type = pkt[off];
		m->err_off = (uint16_t)off;
		if (hlen - off < 2)
			return RADIUS_E_ATTR_OVERRUN;
		if (pkt[off + 1] < 2)
			return RADIUS_E_ATTR_LEN;
		if (pkt[off + 1] > hlen - off)
			return RADIUS_E_ATTR_OVERRUN;
		r = attr(m, pkt[off], pkt + off + 2, (size_t)pkt[off + 1] - 2);
		if (r != RADIUS_OK)
			return r;
	}
	m->err_type = 0;
	m->err_off = 0;
	return m->dup ? RADIUS_E_DUPLICATE : RADIUS_OK;
}
