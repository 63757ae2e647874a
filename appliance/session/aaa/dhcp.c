/* dhcp.c - DHCPv4 message and option parsing, no allocation. */
#include <string.h>

#include "session/aaa/dhcp.h"

#define OFF_SNAME	44
#define OFF_FILE	108
#define OFF_COOKIE	236
#define OFF_OPTIONS	240

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Marks f seen; 0 if it had been (a duplicate, recorded). */
static int
first(struct dhcp4_msg *m, unsigned f)
{
	if (m->have & (1u << f)) {
		m->dup |= 1u << f;
		return 0;
	}
	m->have |= 1u << f;
	return 1;
}

/* Relay agent information: sub-options code, length, value (RFC 3046 2.0). */
static int
rai(struct dhcp4_msg *m, const uint8_t *v, size_t n)
{
	size_t off, sl;

	for (off = 0; off < n; off += 2 + sl) {
		if (n - off < 2 || (sl = v[off + 1]) > n - off - 2)
			return DHCP4_E_RAI;
		if (v[off] != 1 && v[off] != 2)
			continue;
		if (sl == 0)
			return DHCP4_E_RAI;
		if (v[off] == 1 && first(m, DHCP4_F_CIRCUIT_ID))
			m->circuit_id = (struct dhcp4_str){ v + off + 2, sl };
		else if (v[off] == 2 && first(m, DHCP4_F_REMOTE_ID))
			m->remote_id = (struct dhcp4_str){ v + off + 2, sl };
	}
	return DHCP4_OK;
}

static int
option(struct dhcp4_msg *m, uint8_t code, const uint8_t *v, size_t n,
    int main_field)
{
	switch (code) {
	case 12:
		if (n < 1)
			return DHCP4_E_OPT_SIZE;
		if (first(m, DHCP4_F_HOSTNAME))
			m->hostname = (struct dhcp4_str){ v, n };
		return DHCP4_OK;
	case 50:
	case 54:
		if (n != 4)
			return DHCP4_E_OPT_SIZE;
		if (code == 50 && first(m, DHCP4_F_REQUESTED_IP))
			m->requested_ip = v;
		else if (code == 54 && first(m, DHCP4_F_SERVER_ID))
			m->server_id = v;
		return DHCP4_OK;
	case 51:
		if (n != 4)
			return DHCP4_E_OPT_SIZE;
		if (first(m, DHCP4_F_LEASE_TIME))
			m->lease_time = get32(v);
		return DHCP4_OK;
	case 52:
		if (!main_field)	/* only meaningful in the options field */
			return DHCP4_OK;
		if (n != 1)
			return DHCP4_E_OPT_SIZE;
		if (v[0] < 1 || v[0] > 3)
			return DHCP4_E_OVERLOAD;
		if (first(m, DHCP4_F_OVERLOAD))
			m->overload = v[0];
		return DHCP4_OK;
	case 53:
		if (n != 1)
			return DHCP4_E_OPT_SIZE;
		if (v[0] < 1 || v[0] > 18)
			return DHCP4_E_MSG_TYPE;
		if (first(m, DHCP4_F_MSG_TYPE))
			m->msg_type = v[0];
		return DHCP4_OK;
	case 61:
		if (n < 2)
			return DHCP4_E_OPT_SIZE;
		if (first(m, DHCP4_F_CLIENT_ID))
			m->client_id = (struct dhcp4_str){ v, n };
		return DHCP4_OK;
	case 82:
		if (n < 2)
			return DHCP4_E_OPT_SIZE;
		if (!first(m, DHCP4_F_RAI))
			return DHCP4_OK;
		m->rai = (struct dhcp4_str){ v, n };
		return rai(m, v, n);
	default:
		return DHCP4_OK;
	}
}

/* Options in pkt[off..end): pad, end, or code, length, value. */
static int
walk(struct dhcp4_msg *m, const uint8_t *pkt, size_t off, size_t end,
    int main_field)
{
	size_t n;
	int r;

	while (off < end) {
		m->err_off = off;
		if (pkt[off] == 0) {
			off++;
			continue;
		}
		if (pkt[off] == 255)
			break;
		if (end - off < 2 || (n = pkt[off + 1]) > end - off - 2)
			return DHCP4_E_OPT_OVERRUN;
		r = option(m, pkt[off], pkt + off + 2, n, main_field);
		if (r != DHCP4_OK)
			return r;
		off += 2 + n;
	}
	m->err_off = 0;
	return DHCP4_OK;
}

int
dhcp4_parse(const uint8_t *pkt, size_t len, struct dhcp4_msg *m)
{
	static const uint8_t cookie[4] = { 99, 130, 83, 99 };
	int r;

	memset(m, 0, sizeof(*m));
	if (len < DHCP4_MIN_LEN)
		return DHCP4_E_SHORT;
	if (pkt[0] != 1 && pkt[0] != 2)
		return DHCP4_E_OP;
	if (pkt[1] != 1 || pkt[2] != 6)
		return DHCP4_E_HTYPE;
	if (memcmp(pkt + OFF_COOKIE, cookie, 4) != 0)
		return DHCP4_E_COOKIE;
	m->op = pkt[0];
	m->hops = pkt[3];
	m->xid = get32(pkt + 4);
	m->secs = (uint16_t)(pkt[8] << 8 | pkt[9]);
	m->flags = (uint16_t)(pkt[10] << 8 | pkt[11]);
	m->ciaddr = pkt + 12;
	m->yiaddr = pkt + 16;
	m->siaddr = pkt + 20;
	m->giaddr = pkt + 24;
	m->chaddr = pkt + 28;

	if ((r = walk(m, pkt, OFF_OPTIONS, len, 1)) != DHCP4_OK)
		return r;
	if ((m->overload & 1) &&
	    (r = walk(m, pkt, OFF_FILE, OFF_COOKIE, 0)) != DHCP4_OK)
		return r;
	if ((m->overload & 2) &&
	    (r = walk(m, pkt, OFF_SNAME, OFF_FILE, 0)) != DHCP4_OK)
		return r;
	return m->dup ? DHCP4_E_DUPLICATE : DHCP4_OK;
}

const char *
dhcp4_type_name(uint8_t type)
{
	static const char *const names[] = {
		NULL, "DHCPDISCOVER", "DHCPOFFER", "DHCPREQUEST",
		"DHCPDECLINE", "DHCPACK", "DHCPNAK", "DHCPRELEASE",
		"DHCPINFORM",
	};

	if (type >= 1 && type <= DHCP4_INFORM)
		return names[type];
	return "unknown";
}

const char *
dhcp4_strerror(int err)
{
	switch (err) {
	case DHCP4_OK: return "ok";
	case DHCP4_E_SHORT:
		return "DHCPv4 message shorter than 240 octets";
	case DHCP4_E_OP:
		return "DHCPv4 op neither BOOTREQUEST nor BOOTREPLY "
		    "(not DHCP on this port?)";
	case DHCP4_E_HTYPE:
		return "DHCPv4 hardware type not Ethernet (htype 1, hlen 6)";
	case DHCP4_E_COOKIE:
		return "DHCPv4 magic cookie missing (plain BOOTP?)";
	case DHCP4_E_OPT_OVERRUN:
		return "DHCPv4 option runs past the end of its field";
	case DHCP4_E_OPT_SIZE:
		return "DHCPv4 option with a value of the wrong size";
	case DHCP4_E_MSG_TYPE:
		return "DHCPv4 message type option with an undefined value";
	case DHCP4_E_RAI:
		return "DHCPv4 relay agent information (option 82) "
		    "sub-option badly framed";
	case DHCP4_E_DUPLICATE:
		return "DHCPv4 option repeated; no binding taken from it";
	case DHCP4_E_OVERLOAD:
		return "DHCPv4 option overload (52) value not 1, 2 or 3";
	default: return "unknown DHCPv4 error";
	}
}
