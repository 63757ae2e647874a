/* radius.h - RADIUS parser (RFC 2865/6/9, 3162, 4818, 6911): who holds which address. */
#ifndef LT_RADIUS_H
#define LT_RADIUS_H

#include <stddef.h>
#include <stdint.h>

#define RADIUS_HDR_LEN		20
#define RADIUS_MIN_LEN		20
#define RADIUS_MAX_LEN		4096
#define RADIUS_AUTH_LEN		16
#define RADIUS_MAX_PREFIX	8	/* Framed-IPv6-Prefix, Delegated-IPv6-Prefix */
#define RADIUS_MAX_V6ADDR	8	/* Framed-IPv6-Address */
#define RADIUS_MAX_CLASS	4

enum radius_code {
	RADIUS_ACCESS_REQUEST = 1,
	RADIUS_ACCESS_ACCEPT = 2,
	RADIUS_ACCESS_REJECT = 3,
	RADIUS_ACCT_REQUEST = 4,
	RADIUS_ACCT_RESPONSE = 5,
	RADIUS_ACCESS_CHALLENGE = 11,
	RADIUS_STATUS_SERVER = 12,
	RADIUS_STATUS_CLIENT = 13,
	RADIUS_DISCONNECT_REQUEST = 40,
	RADIUS_DISCONNECT_ACK = 41,
	RADIUS_DISCONNECT_NAK = 42,
	RADIUS_COA_REQUEST = 43,
	RADIUS_COA_ACK = 44,
	RADIUS_COA_NAK = 45,
};

/* Acct-Status-Type values (RFC 2866, 2869). */
enum radius_acct_status {
	RADIUS_ACCT_START = 1,
	RADIUS_ACCT_STOP = 2,
	RADIUS_ACCT_INTERIM = 3,
	RADIUS_ACCT_ON = 7,
	RADIUS_ACCT_OFF = 8,
};

/*
 * Results, one per thing that can be wrong with a datagram, so that each can
 * be an operator counter.  RADIUS_OK is 0, every error is negative.
 */
enum radius_err {
	RADIUS_OK = 0,
	RADIUS_E_SHORT = -1,		/* datagram shorter than the 20-octet header */
	RADIUS_E_LENGTH = -2,		/* Length field outside 20..4096 */
	RADIUS_E_TRUNCATED = -3,	/* datagram shorter than its Length field */
	RADIUS_E_CODE = -4,		/* a Code no RFC defines */
	RADIUS_E_ATTR_LEN = -5,		/* an attribute Length of 0 or 1 */
	RADIUS_E_ATTR_OVERRUN = -6,	/* an attribute runs past the packet's end */
	RADIUS_E_ATTR_SIZE = -7,	/* a known attribute with the wrong value size */
	RADIUS_E_PREFIX = -8,		/* IPv6 prefix length > 128 or > its octets */
	RADIUS_E_DUPLICATE = -9,	/* a once-only attribute twice (see dup) */
	RADIUS_E_AUTH = -10,		/* authenticator mismatch (secret? forged?) */
	RADIUS_E_CRYPTO = -11,		/* MD5 unavailable (e.g. a FIPS-only OpenSSL) */
};

/*
 * Bit numbers in radius_msg.have/dup/overflow, one per attribute parsed.
 * The last four may appear several times: they go to arrays, and overflow
 * says that there were more than the array holds.
 */
enum radius_field {
	RADIUS_F_USER_NAME,		/* 1 */
	RADIUS_F_NAS_IP,		/* 4 */
	RADIUS_F_NAS_PORT,		/* 5 */
	RADIUS_F_FRAMED_IP,		/* 8 */
	RADIUS_F_CALLED_ID,		/* 30 */
	RADIUS_F_CALLING_ID,		/* 31 */
	RADIUS_F_NAS_ID,		/* 32 */
	RADIUS_F_STATUS_TYPE,		/* 40 */
	RADIUS_F_IN_OCTETS,		/* 42 */
	RADIUS_F_OUT_OCTETS,		/* 43 */
	RADIUS_F_SESSION_ID,		/* 44 */
	RADIUS_F_SESSION_TIME,		/* 46 */
	RADIUS_F_TERM_CAUSE,		/* 49 */
	RADIUS_F_IN_GIGAWORDS,		/* 52 */
	RADIUS_F_OUT_GIGAWORDS,		/* 53 */
	RADIUS_F_EVENT_TIME,		/* 55 */
	RADIUS_F_MSG_AUTH,		/* 80 */
	RADIUS_F_NAS_PORT_ID,		/* 87 */
	RADIUS_F_NAS_IPV6,		/* 95 */
	RADIUS_F_FRAMED_PREFIX,		/* 97, several */
	RADIUS_F_DELEGATED_PREFIX,	/* 123, several */
	RADIUS_F_FRAMED_IPV6,		/* 168, several */
	RADIUS_F_CLASS,			/* 25, several */
	RADIUS_F_COUNT
};

#define RADIUS_HAS(m, f)	(((m)->have >> (f)) & 1u)

/* A value inside the caller's datagram. */
struct radius_str {
	const uint8_t *p;
	size_t len;
};

/* An IPv6 prefix, copied so that the host bits can be zero. */
struct radius_prefix {
	uint8_t len;			/* 0..128 */
	uint8_t addr[16];		/* bits beyond len are zero */
};

struct radius_msg {
	const uint8_t *pkt;		/* the datagram, for the authenticators */
	uint16_t len;			/* per the Length field; later octets are padding */
	uint8_t code;
	uint8_t id;
	const uint8_t *auth;		/* 16 octets */

	uint32_t have;			/* 1 << radius_field for each attribute seen */
	uint32_t dup;			/* once-only attributes seen more than once */
	uint32_t overflow;		/* multi-valued attributes beyond their array */
	uint8_t err_type;		/* on an attribute error: its Type ... */
	uint16_t err_off;		/* ... and its offset in the datagram */

	struct radius_str user_name, called_id, calling_id, nas_id;
	struct radius_str session_id, nas_port_id;
	const uint8_t *nas_ip;		/* 4 octets, network order */
	const uint8_t *framed_ip;	/* 4 */
	const uint8_t *nas_ipv6;	/* 16 */
	const uint8_t *msg_auth;	/* 16 */
	uint32_t nas_port;
	uint32_t status_type;		/* enum radius_acct_status */
	uint32_t in_octets, out_octets;
	uint32_t in_gigawords, out_gigawords;
	uint32_t session_time;
	uint32_t term_cause;
	uint32_t event_time;		/* seconds since 1970 */

	uint8_t nframed_prefix, ndelegated, nframed_ipv6, nclass;
	struct radius_prefix framed_prefix[RADIUS_MAX_PREFIX];
	struct radius_prefix delegated[RADIUS_MAX_PREFIX];
	const uint8_t *framed_ipv6[RADIUS_MAX_V6ADDR];	/* 16 octets each */
	struct radius_str class[RADIUS_MAX_CLASS];
};

/*
 * Parses one RADIUS datagram of len octets into m; pointers in m point into
 * pkt, which must outlive m.  Octets after the Length field are padding and
 * ignored.  Vendor-Specific and unknown attributes are skipped (after their
 * framing is checked).  Returns RADIUS_OK or a radius_err; on an attribute
 * error m->err_type and m->err_off say which.  RADIUS_E_DUPLICATE is
 * returned only after the whole packet parsed well: m is then complete (the
 * first of each duplicate kept) and m->dup names the repeated attributes,
 * so the caller may count it yet must not bind an address from it.
 * No allocation, no global state: callable from any thread.
 */
int radius_parse(const uint8_t *pkt, size_t len, struct radius_msg *m);

/* "Access-Request", ...; "unknown" for codes no RFC defines. */
const char *radius_code_name(uint8_t code);

/* What a radius_err means, for an operator; never quotes the packet. */
const char *radius_strerror(int err);

/* Octets in a counter with its Gigawords attribute (RFC 2869 5.1, 5.2). */
static inline uint64_t
radius_octets(uint32_t octets, uint32_t gigawords)
{
	return (uint64_t)gigawords << 32 | octets;
}

/*
 * The Response Authenticator a server would put in the reply m (Accept,
 * Reject, Challenge, Accounting-Response, CoA/Disconnect ACK/NAK):
 * MD5(Code | Identifier | Length | req_auth | Attributes | secret).
 * Returns RADIUS_OK or RADIUS_E_CRYPTO.
 */
int radius_response_auth(const struct radius_msg *m,
    const uint8_t req_auth[static RADIUS_AUTH_LEN],
    const uint8_t *secret, size_t secret_len,
    uint8_t out[static RADIUS_AUTH_LEN]);

/*
 * RADIUS_OK if the reply m answers the request whose authenticator is
 * req_auth under secret (constant-time compare), RADIUS_E_AUTH if not,
 * RADIUS_E_CRYPTO if MD5 is not available.
 */
int radius_verify_response(const struct radius_msg *m,
    const uint8_t req_auth[static RADIUS_AUTH_LEN],
    const uint8_t *secret, size_t secret_len);

/*
 * The same for an Accounting-Request (and CoA/Disconnect-Request, RFC 5176),
 * whose authenticator is computed over 16 zero octets in its place.
 */
int radius_verify_request(const struct radius_msg *m,
    const uint8_t *secret, size_t secret_len);

#endif
