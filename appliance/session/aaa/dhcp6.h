/* dhcp6.h - DHCPv6 parser (RFC 8415): which DUID or relay port holds which address, prefix. */
#ifndef LT_DHCP6_H
#define LT_DHCP6_H

#include <stddef.h>
#include <stdint.h>

#define DHCP6_MAX_RELAY		8	/* relay agents a message may pass */
#define DHCP6_MAX_ADDR		8	/* IAADDR kept per message */
#define DHCP6_MAX_PREFIX	8	/* IAPREFIX kept per message */

enum dhcp6_type {
	DHCP6_SOLICIT = 1,
	DHCP6_ADVERTISE = 2,
	DHCP6_REQUEST = 3,
	DHCP6_CONFIRM = 4,
	DHCP6_RENEW = 5,
	DHCP6_REBIND = 6,
	DHCP6_REPLY = 7,
	DHCP6_RELEASE = 8,
	DHCP6_DECLINE = 9,
	DHCP6_RECONFIGURE = 10,
	DHCP6_INFORMATION_REQUEST = 11,
	DHCP6_RELAY_FORW = 12,
	DHCP6_RELAY_REPL = 13,
};

/* One per thing that can be wrong, so that each can be an operator counter. */
enum dhcp6_err {
	DHCP6_OK = 0,
	DHCP6_E_SHORT = -1,		/* shorter than its message header */
	DHCP6_E_TYPE = -2,		/* msg-type 0 */
	DHCP6_E_OPT_OVERRUN = -3,	/* an option runs past its container */
	DHCP6_E_OPT_SIZE = -4,		/* a known option with the wrong length */
	DHCP6_E_PREFIX = -5,		/* IAPREFIX prefix-length above 128 */
	DHCP6_E_DEPTH = -6,		/* more than DHCP6_MAX_RELAY relay headers */
	DHCP6_E_NO_RELAY_MSG = -7,	/* relay message without option 9 */
	DHCP6_E_DUPLICATE = -8,		/* a once-only option appears twice (see dup) */
};

/* Bit numbers in dhcp6_msg.have/dup/overflow and dhcp6_relay.have/dup. */
enum dhcp6_field {
	DHCP6_F_CLIENT_ID,		/* 1 */
	DHCP6_F_SERVER_ID,		/* 2 */
	DHCP6_F_STATUS,			/* 13, message level */
	DHCP6_F_ADDR,			/* 5 in 3, several */
	DHCP6_F_PREFIX,			/* 26 in 25, several */
	DHCP6_F_RELAY_MSG,		/* 9 */
	DHCP6_F_INTERFACE_ID,		/* 18 */
	DHCP6_F_REMOTE_ID,		/* 37 */
};

#define DHCP6_HAS(m, f)		(((m)->have >> (f)) & 1u)

struct dhcp6_str {
	const uint8_t *p;
	size_t len;
};

/* An IAADDR (option 5) and the IA_NA it came in. */
struct dhcp6_addr {
	const uint8_t *addr;		/* 16 octets */
	uint32_t iaid;
	uint32_t preferred, valid;	/* lifetimes, seconds */
	uint16_t status;		/* the IA's or IAADDR's status code, 0 Success */
};

/* An IAPREFIX (option 26) and the IA_PD it came in. */
struct dhcp6_prefix {
	uint8_t len;			/* 0..128 */
	uint8_t prefix[16];		/* copied, bits beyond len zero */
	uint32_t iaid;
	uint32_t preferred, valid;
	uint16_t status;
};

/* One relay header, as written by the agent that added it. */
struct dhcp6_relay {
	uint8_t type;			/* RELAY-FORW or RELAY-REPL */
	uint8_t hop_count;
	const uint8_t *link_addr;	/* 16 octets */
	const uint8_t *peer_addr;	/* 16 octets */
	uint32_t have, dup;
	struct dhcp6_str interface_id;	/* 18 */
	uint32_t remote_enterprise;	/* 37: enterprise number ... */
	struct dhcp6_str remote_id;	/* ... and the remote-id after it */
};

struct dhcp6_msg {
	/* Relay headers, outermost (the server's side) first. */
	uint8_t nrelay;
	struct dhcp6_relay relay[DHCP6_MAX_RELAY];

	/* The client/server message inside them all. */
	uint8_t type;			/* enum dhcp6_type */
	uint32_t xid;			/* 24 bits */
	uint32_t have, dup, overflow;
	struct dhcp6_str client_id;	/* DUID */
	struct dhcp6_str server_id;	/* DUID */
	uint16_t status;		/* message-level status code, 0 if absent */
	uint8_t naddr, nprefix;
	struct dhcp6_addr addr[DHCP6_MAX_ADDR];
	struct dhcp6_prefix prefix[DHCP6_MAX_PREFIX];
	size_t err_off;			/* on an option error: its offset in pkt */
};

/*
 * Parses one DHCPv6 message (the UDP payload) of len octets into m; the
 * pointers in m point into pkt.  Relay messages are unwrapped through their
 * Relay Message option, up to DHCP6_MAX_RELAY of them, without recursion.
 * IAADDRs and IAPREFIXes beyond the arrays set the overflow bit instead of
 * being lost silently.  IA_TA, unknown and vendor options are skipped after
 * their framing is checked.  DHCP6_E_DUPLICATE comes back once all parsed
 * well, with m complete (first value kept) and dup bits set in m or in the
 * relay; bind nothing from such a message.  After any other error m is
 * unspecified.
 */
int dhcp6_parse(const uint8_t *pkt, size_t len, struct dhcp6_msg *m);

/* "SOLICIT", ...; "unknown" otherwise. */
const char *dhcp6_type_name(uint8_t type);

/* What a dhcp6_err means, for an operator. */
const char *dhcp6_strerror(int err);

#endif
