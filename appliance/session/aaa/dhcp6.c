/* dhcp6.c - DHCPv6 message, relay and IA option parsing, no allocation. */
#include <string.h>

#include "session/aaa/dhcp6.h"

#define RELAY_HDR_LEN	34	/* type, hop-count, link-address, peer-address */
#define DUID_MAX_LEN	130	/* type and up to 128 octets (RFC 8415 11.1) */

/* Options between p and end, each code(2), length(2), value. */
struct rd {
	const uint8_t *p, *end;
	const uint8_t *base;	/* the datagram, for err_off */
	struct dhcp6_msg *m;
};

struct opt {
	uint16_t code;
	const uint8_t *v;
	size_t n;
};

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* 1 and o filled, 0 at the end, DHCP6_E_OPT_OVERRUN. */
static int
next(struct rd *r, struct opt *o)
{
	size_t left = (size_t)(r->end - r->p);

	if (left == 0)
		return 0;
	r->m->err_off = (size_t)(r->p - r->base);
	if (left < 4 || (o->n = get16(r->p + 2)) > left - 4)
		return DHCP6_E_OPT_OVERRUN;
	o->code = get16(r->p);
	o->v = r->p + 4;
	r->p += 4 + o->n;
	return 1;
}

static struct rd
inside(const struct rd *r, const uint8_t *v, size_t n)
{
	return (struct rd){ v, v + n, r->base, r->m };
}

static int
first(uint32_t *have, uint32_t *dup, unsigned f)
{
	if (*have & (1u << f)) {
		*dup |= 1u << f;
		return 0;
	}
	*have |= 1u << f;
	return 1;
}

/* Options of an IAADDR or IAPREFIX: only a status code matters here. */
static int
lease_status(struct rd r, uint16_t *status)
{
	struct opt o;
	int k;

	while ((k = next(&r, &o)) == 1) {
		if (o.code != 13)
			continue;
		if (o.n < 2)
			return DHCP6_E_OPT_SIZE;
		*status = get16(o.v);
	}
	return k;
}

static int
iaaddr(struct rd *r, const struct opt *o, uint32_t iaid)
{
	struct dhcp6_msg *m = r->m;
	struct dhcp6_addr a;
	int k;

	if (o->n < 24)
		return DHCP6_E_OPT_SIZE;
	memset(&a, 0, sizeof(a));
	a.addr = o->v;
	a.iaid = iaid;
	a.preferred = get32(o->v + 16);
	a.valid = get32(o->v + 20);
	if ((k = lease_status(inside(r, o->v + 24, o->n - 24), &a.status)) < 0)
		return k;
	m->have |= 1u << DHCP6_F_ADDR;
	if (m->naddr < DHCP6_MAX_ADDR)
		m->addr[m->naddr++] = a;
	else
		m->overflow |= 1u << DHCP6_F_ADDR;
	return DHCP6_OK;
}

static int
iaprefix(struct rd *r, const struct opt *o, uint32_t iaid)
{
	struct dhcp6_msg *m = r->m;
	struct dhcp6_prefix p;
	size_t plen;
	int k;

	if (o->n < 25)
		return DHCP6_E_OPT_SIZE;
	if ((plen = o->v[8]) > 128)
		return DHCP6_E_PREFIX;
	memset(&p, 0, sizeof(p));
	p.len = (uint8_t)plen;
	memcpy(p.prefix, o->v + 9, (plen + 7) / 8);
	if (plen % 8)
		p.prefix[plen / 8] &= (uint8_t)(0xff00u >> (plen % 8));
	p.iaid = iaid;
	p.preferred = get32(o->v);
	p.valid = get32(o->v + 4);
	if ((k = lease_status(inside(r, o->v + 25, o->n - 25), &p.status)) < 0)
		return k;
	m->have |= 1u << DHCP6_F_PREFIX;
	if (m->nprefix < DHCP6_MAX_PREFIX)
		m->prefix[m->nprefix++] = p;
	else
		m->overflow |= 1u << DHCP6_F_PREFIX;
	return DHCP6_OK;
}

/* IA_NA (3) or IA_PD (25): IAID, T1, T2, then IAADDRs or IAPREFIXes. */
static int
ia(struct rd *r, const struct opt *o)
{
	struct dhcp6_msg *m = r->m;
	int pd = o->code == 25;
	uint8_t a0 = m->naddr, p0 = m->nprefix, i;
	uint16_t status = 0;
	uint32_t iaid;
	struct rd sub;
	struct opt s;
	int k;

	if (o->n < 12)
		return DHCP6_E_OPT_SIZE;
	iaid = get32(o->v);
	sub = inside(r, o->v + 12, o->n - 12);
	while ((k = next(&sub, &s)) == 1) {
		if (s.code == 13) {
			if (s.n < 2)
				return DHCP6_E_OPT_SIZE;
			status = get16(s.v);
		} else if (s.code == (pd ? 26 : 5)) {
			k = pd ? iaprefix(r, &s, iaid) : iaaddr(r, &s, iaid);
			if (k < 0)
				return k;
		}
	}
	if (k < 0)
		return k;
	/* The IA's status covers the leases it holds, wherever it stood. */
	for (i = a0; !pd && status && i < m->naddr; i++)
		if (m->addr[i].status == 0)
			m->addr[i].status = status;
	for (i = p0; pd && status && i < m->nprefix; i++)
		if (m->prefix[i].status == 0)
			m->prefix[i].status = status;
	return DHCP6_OK;
}

static int
duid(const struct opt *o, struct dhcp6_str *out, uint32_t *have,
    uint32_t *dup, unsigned f)
{
	if (o->n < 2 || o->n > DUID_MAX_LEN)
		return DHCP6_E_OPT_SIZE;
	if (first(have, dup, f))
		*out = (struct dhcp6_str){ o->v, o->n };
	return DHCP6_OK;
}

static int
client_server(struct rd r)
{
	struct dhcp6_msg *m = r.m;
	struct opt o;
	int k;

	while ((k = next(&r, &o)) == 1) {
		switch (o.code) {
		case 1:
			k = duid(&o, &m->client_id, &m->have, &m->dup,
			    DHCP6_F_CLIENT_ID);
			break;
		case 2:
			k = duid(&o, &m->server_id, &m->have, &m->dup,
			    DHCP6_F_SERVER_ID);
			break;
		case 13:
			if (o.n < 2)
				return DHCP6_E_OPT_SIZE;
			if (first(&m->have, &m->dup, DHCP6_F_STATUS))
				m->status = get16(o.v);
			break;
		case 3:
		case 25:
			k = ia(&r, &o);
			break;
		}
		if (k < 0)
			return k;
	}
	return k;
}

/* A relay header's options; *inner gets the Relay Message. */
static int
relay(struct rd r, struct dhcp6_relay *rl, struct dhcp6_str *inner)
{
	struct opt o;
	int k;

	while ((k = next(&r, &o)) == 1) {
		switch (o.code) {
		case 9:
			if (first(&rl->have, &rl->dup, DHCP6_F_RELAY_MSG))
				*inner = (struct dhcp6_str){ o.v, o.n };
			break;
		case 18:
			if (o.n < 1)
				return DHCP6_E_OPT_SIZE;
			if (first(&rl->have, &rl->dup, DHCP6_F_INTERFACE_ID))
				rl->interface_id = (struct dhcp6_str){ o.v, o.n };
			break;
		case 37:
			if (o.n < 5)
				return DHCP6_E_OPT_SIZE;
			if (first(&rl->have, &rl->dup, DHCP6_F_REMOTE_ID)) {
				rl->remote_enterprise = get32(o.v);
				rl->remote_id = (struct dhcp6_str){ o.v + 4,
				    o.n - 4 };
			}
			break;
		}
	}
	return k;
}

int
dhcp6_parse(const uint8_t *pkt, size_t len, struct dhcp6_msg *m)
{
	struct dhcp6_str cur = { pkt, len }, inner = { NULL, 0 };
	struct dhcp6_relay *rl;
	uint32_t dup = 0;
	int k;

	memset(m, 0, sizeof(*m));
	for (;;) {
		if (cur.len < 1)
			return DHCP6_E_SHORT;
		if (cur.p[0] == 0)
			return DHCP6_E_TYPE;
		if (cur.p[0] != DHCP6_RELAY_FORW && cur.p[0] != DHCP6_RELAY_REPL)
			break;
		if (m->nrelay == DHCP6_MAX_RELAY)
			return DHCP6_E_DEPTH;
		if (cur.len < RELAY_HDR_LEN)
			return DHCP6_E_SHORT;
		rl = &m->relay[m->nrelay++];
		rl->type = cur.p[0];
		rl->hop_count = cur.p[1];
		rl->link_addr = cur.p + 2;
		rl->peer_addr = cur.p + 18;
		k = relay((struct rd){ cur.p + RELAY_HDR_LEN, cur.p + cur.len,
		    pkt, m }, rl, &inner);
		if (k < 0)
			return k;
		if (!DHCP6_HAS(rl, DHCP6_F_RELAY_MSG))
			return DHCP6_E_NO_RELAY_MSG;
		dup |= rl->dup;
		cur = inner;
	}
	if (cur.len < 4)
		return DHCP6_E_SHORT;
	m->type = cur.p[0];
	m->xid = (uint32_t)cur.p[1] << 16 | (uint32_t)cur.p[2] << 8 | cur.p[3];
	k = client_server((struct rd){ cur.p + 4, cur.p + cur.len, pkt, m });
	if (k < 0)
		return k;
	m->err_off = 0;
	return (m->dup | dup) ? DHCP6_E_DUPLICATE : DHCP6_OK;
}

const char *
dhcp6_type_name(uint8_t type)
{
	static const char *const names[] = {
		NULL, "SOLICIT", "ADVERTISE", "REQUEST", "CONFIRM", "RENEW",
		"REBIND", "REPLY", "RELEASE", "DECLINE", "RECONFIGURE",
		"INFORMATION-REQUEST", "RELAY-FORW", "RELAY-REPL",
	};

	if (type >= 1 && type <= DHCP6_RELAY_REPL)
		return names[type];
	return "unknown";
}

const char *
dhcp6_strerror(int err)
{
	switch (err) {
	case DHCP6_OK: return "ok";
	case DHCP6_E_SHORT:
		return "DHCPv6 message shorter than its header";
	case DHCP6_E_TYPE:
		return "DHCPv6 msg-type 0 (not DHCPv6 on this port?)";
	case DHCP6_E_OPT_OVERRUN:
		return "DHCPv6 option runs past the end of its container";
	case DHCP6_E_OPT_SIZE:
		return "DHCPv6 option with a length wrong for its code";
	case DHCP6_E_PREFIX:
		return "DHCPv6 IAPREFIX with a prefix length above 128";
	case DHCP6_E_DEPTH:
		return "DHCPv6 relayed through more than 8 relay agents";
	case DHCP6_E_NO_RELAY_MSG:
		return "DHCPv6 relay message without a Relay Message option";
	case DHCP6_E_DUPLICATE:
		return "DHCPv6 option repeated; no binding taken from it";
	default: return "unknown DHCPv6 error";
	}
}
