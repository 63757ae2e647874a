/* sdp.h - a zero-copy SDP parser (RFC 8866): where a call's media goes and in which direction. */
#ifndef LT_SDP_H
#define LT_SDP_H

#include <stddef.h>
#include <stdint.h>

#include "session/sip/sipslice.h"

#define SDP_MAX_MEDIA	8
#define SDP_LINE_MAX	4096	/* longer lines are refused */

/* Why a description was refused: one counter each, an array of SDP_NERR by -e. */
enum sdp_err {
	SDP_OK = 0,
	SDP_E_EMPTY = -1,
	SDP_E_LINE = -2,	/* not "<letter>=<value>" */
	SDP_E_TYPE = -3,	/* a type letter RFC 8866 does not define */
	SDP_E_LONG_LINE = -4,	/* over SDP_LINE_MAX */
	SDP_E_VERSION = -5,	/* first line is not v=0 */
	SDP_E_ORIGIN = -6,	/* o= without its six fields */
	SDP_E_CONN = -7,	/* c= not "IN IP4|IP6 address" */
	SDP_E_ADDR = -8,	/* an address that does not parse */
	SDP_E_MEDIA = -9,	/* m= not "type port[/n] proto fmt..." */
	SDP_E_PORT = -10,	/* port over 65535 */
	SDP_E_RTCP = -11,	/* a=rtcp: not "port [IN IP4|IP6 addr]" */
	SDP_E_NO_CONN = -12,	/* a media stream with no c= at either level */
};
#define SDP_NERR	13

const char *sdp_err_name(int e);
const char *sdp_strerror(int e);

enum sdp_dir {
	SDP_SENDRECV = 0,	/* the default */
	SDP_SENDONLY,
	SDP_RECVONLY,
	SDP_INACTIVE,
};

struct sdp_addr {
	uint8_t family;		/* 0 none, 4 or 6 */
	uint8_t addr[16];	/* network order; IPv4 in the first 4 */
};

struct sdp_media {
	struct sip_slice type;	/* "audio", "video", ... */
	uint16_t port;		/* 0: stream rejected or disabled */
	uint16_t nports;	/* "port/n"; 1 if not given */
	struct sip_slice proto;	/* "RTP/AVP", "RTP/SAVP", ... */
	struct sip_slice fmt;	/* the format list as written */
	struct sdp_addr conn;	/* media-level c=, else the session's */
	uint8_t conn_media;	/* 1 if conn came from a media-level c= */
	uint8_t has_rtcp;	/* a=rtcp: given (else RTCP is on port + 1) */
	uint8_t rtcp_mux;	/* a=rtcp-mux */
	uint16_t rtcp_port;
	struct sdp_addr rtcp_addr;	/* family 0: same as conn */
	uint8_t dir;		/* enum sdp_dir: media-level, else session-level */
};

struct sdp {
	struct sip_slice o_user, o_sess_id, o_sess_version, o_addr;
	struct sdp_addr conn;		/* session-level c= (family 0 if none) */
	uint8_t dir;			/* session-level direction */
	uint8_t nmedia, media_overflow;	/* media past SDP_MAX_MEDIA are counted
					   in overflow but not kept */
	struct sdp_media media[SDP_MAX_MEDIA];
};

/*
 * Parses a session description (lines end in CRLF or LF; the last may have
 * neither).  Unknown a= attributes are ignored, as RFC 8866 says; unknown
 * type letters refuse the whole description, as it also says.  Addresses
 * are converted to binary; an IPv4 multicast "/ttl" or "/ttl/n" and an
 * IPv6 "/n" suffix are tolerated (n addresses are not expanded).  Returns
 * SDP_OK or a negative enum sdp_err; s is unspecified on error.
 */
int sdp_parse(const uint8_t *buf, size_t len, struct sdp *s);

#endif
