/* dhcp.h - DHCPv4 parser (RFC 2131/2132/3046): which MAC or circuit holds which address. */
#ifndef LT_DHCP_H
#define LT_DHCP_H

#include <stddef.h>
#include <stdint.h>

#define DHCP4_MIN_LEN	240	/* fixed fields and the magic cookie */

enum dhcp4_type {
	DHCP4_DISCOVER = 1,
	DHCP4_OFFER = 2,
	DHCP4_REQUEST = 3,
	DHCP4_DECLINE = 4,
	DHCP4_ACK = 5,
	DHCP4_NAK = 6,
	DHCP4_RELEASE = 7,
	DHCP4_INFORM = 8,
};

/* One per thing that can be wrong, so that each can be an operator counter. */
enum dhcp4_err {
	DHCP4_OK = 0,
	DHCP4_E_SHORT = -1,		/* fewer than 240 octets */
	DHCP4_E_OP = -2,		/* op neither BOOTREQUEST nor BOOTREPLY */
	DHCP4_E_HTYPE = -3,		/* hardware type not Ethernet with 6-octet addresses */
	DHCP4_E_COOKIE = -4,		/* no DHCP magic cookie (plain BOOTP?) */
	DHCP4_E_OPT_OVERRUN = -5,	/* an option runs past its field */
	DHCP4_E_OPT_SIZE = -6,		/* a known option with the wrong value size */
	DHCP4_E_MSG_TYPE = -7,		/* message type (53) not 1..18 */
	DHCP4_E_RAI = -8,		/* relay agent information (82) badly framed */
	DHCP4_E_DUPLICATE = -9,		/* an option parsed here appears twice (see dup) */
	DHCP4_E_OVERLOAD = -10,		/* option overload (52) value not 1..3 */
};

/* Bit numbers in dhcp4_msg.have and .dup. */
enum dhcp4_field {
	DHCP4_F_HOSTNAME,		/* 12 */
	DHCP4_F_REQUESTED_IP,		/* 50 */
	DHCP4_F_LEASE_TIME,		/* 51 */
	DHCP4_F_OVERLOAD,		/* 52 */
	DHCP4_F_MSG_TYPE,		/* 53 */
	DHCP4_F_SERVER_ID,		/* 54 */
	DHCP4_F_CLIENT_ID,		/* 61 */
	DHCP4_F_RAI,			/* 82 */
	DHCP4_F_CIRCUIT_ID,		/* 82.1 */
	DHCP4_F_REMOTE_ID,		/* 82.2 */
};

#define DHCP4_HAS(m, f)		(((m)->have >> (f)) & 1u)

struct dhcp4_str {
	const uint8_t *p;
	size_t len;
};

struct dhcp4_msg {
	uint8_t op;			/* 1 request, 2 reply */
	uint8_t hops;
	uint32_t xid;
	uint16_t secs, flags;
	const uint8_t *ciaddr, *yiaddr, *siaddr, *giaddr;	/* 4 octets each */
	const uint8_t *chaddr;		/* the client's MAC, 6 octets */

	uint32_t have, dup;
	uint8_t msg_type;		/* enum dhcp4_type; 0 when absent (BOOTP) */
	uint8_t overload;		/* 52: 1 file, 2 sname, 3 both held options */
	const uint8_t *requested_ip;	/* 50, 4 octets */
	const uint8_t *server_id;	/* 54, 4 octets */
	uint32_t lease_time;		/* 51, seconds */
	struct dhcp4_str hostname;	/* 12 */
	struct dhcp4_str client_id;	/* 61: type octet and identifier */
	struct dhcp4_str rai;		/* 82: all sub-options */
	struct dhcp4_str circuit_id;	/* 82.1 */
	struct dhcp4_str remote_id;	/* 82.2 */
	size_t err_off;			/* on an option error: its offset */
};

/*
 * Parses one DHCPv4 message (the UDP payload) of len octets into m; the
 * pointers in m point into pkt.  Options are read from the options field,
 * then, if option 52 says so, from file and sname (RFC 2131 4.1).  Options
 * not listed above are skipped after their framing is checked.  A repeated
 * option (RFC 3396 splitting included) is not concatenated:
 * DHCP4_E_DUPLICATE comes back once the rest parsed well, with m complete
 * (first value kept) and m->dup naming them; bind nothing from such a
 * message.  After any other error m is unspecified.
 */
int dhcp4_parse(const uint8_t *pkt, size_t len, struct dhcp4_msg *m);

/* "DHCPDISCOVER", ...; "unknown" otherwise. */
const char *dhcp4_type_name(uint8_t type);

/* What a dhcp4_err means, for an operator. */
const char *dhcp4_strerror(int err);

#endif
