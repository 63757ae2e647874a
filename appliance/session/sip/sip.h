/* sip.h - a zero-copy SIP message parser (RFC 3261) and TCP stream framer. */
#ifndef LT_SIP_H
#define LT_SIP_H

#include <stddef.h>
#include <stdint.h>

#include "session/sip/sipslice.h"

#define SIP_HDR_MAX	(64 * 1024)	/* start line + headers + empty line */
#define SIP_BODY_MAX	(16 * 1024 * 1024)	/* largest Content-Length taken */
#define SIP_MAX_VIA	8
#define SIP_MAX_PAI	4
#define SIP_MAX_CONTACT	4

/*
 * Why a message was refused.  Each is its own counter: name a counter
 * "sip_" + sip_err_name(e) and index an array of SIP_NERR by -e.
 */
enum sip_err {
	SIP_OK = 0,
	SIP_E_EMPTY = -1,		/* nothing but CRLFs */
	SIP_E_TRUNCATED = -2,		/* header section not terminated */
	SIP_E_TOO_LONG = -3,		/* header section over SIP_HDR_MAX */
	SIP_E_START_LINE = -4,		/* neither a request nor a status line */
	SIP_E_VERSION = -5,		/* not SIP/2.0 */
	SIP_E_STATUS = -6,		/* status code not 100..699 */
	SIP_E_REQUEST_URI = -7,		/* Request-URI without a scheme */
	SIP_E_HEADER = -8,		/* a line that is not "name: value" */
	SIP_E_NO_CALL_ID = -9,
	SIP_E_DUP_CALL_ID = -10,
	SIP_E_CONTENT_LENGTH = -11,	/* not a number, too big, or two that differ */
	SIP_E_NO_CONTENT_LENGTH = -12,	/* mandatory on a stream (sip_frame) */
	SIP_E_BODY_SHORT = -13,		/* fewer body bytes than Content-Length */
	SIP_E_CSEQ = -14,		/* not "number method" */
	SIP_E_VIA = -15,		/* top Via not "SIP/2.0/transport sent-by" */
	SIP_E_ADDR = -16,		/* From/To/Contact/P-A-I not a name-addr */
	SIP_E_EXPIRES = -17,		/* not a number */
};
#define SIP_NERR	18

/* A short name for counters and logs ("call_id_missing"). */
const char *sip_err_name(int e);
/* What an operator reads: the cause and where to look. */
const char *sip_strerror(int e);

struct sip_msg {
	struct sip_slice raw;		/* the message: start line to end of body */
	size_t hdr_len;			/* start line, headers and the empty line */
	int is_request;

	struct sip_slice method;	/* request */
	struct sip_slice request_uri;
	unsigned status;		/* response: 100..699 */
	struct sip_slice reason;

	struct sip_slice call_id;
	struct sip_slice from_uri, from_tag;	/* URI without <>; tag param */
	struct sip_slice to_uri, to_tag;
	uint32_t cseq;
	struct sip_slice cseq_method;

	/* The topmost Via of the first Via header, parsed. */
	struct sip_slice via_transport, via_sent_by, via_branch;
	/* Every Via element in order, up to SIP_MAX_VIA. */
	struct sip_slice via[SIP_MAX_VIA];
	uint8_t nvia, via_overflow;

	/* URIs of the P-Asserted-Identity and Contact elements, in order. */
	struct sip_slice pai[SIP_MAX_PAI];
	uint8_t npai, pai_overflow;
	struct sip_slice contact[SIP_MAX_CONTACT];
	uint8_t ncontact, contact_overflow;
	uint8_t contact_star;		/* "Contact: *" (REGISTER removes all) */
	struct sip_slice rpid_uri;	/* first Remote-Party-ID */

	/* Digest username of the first Authorization / Proxy-Authorization. */
	struct sip_slice auth_user, proxy_auth_user;

	uint8_t has_content_length, has_expires;
	uint32_t content_length;
	uint32_t expires;		/* clamped to 2^32-1 as RFC 3261 says */
	struct sip_slice content_type;
	struct sip_slice body;
};

/*
 * Parses one message (a UDP payload, or what sip_frame delimited) into m.
 * Leading CRLFs are skipped.  Header names are matched ignoring case and in
 * their compact forms; folded lines are joined by the reader of each value.
 * The body is Content-Length bytes (more are trimmed: raw ends there, fewer
 * are SIP_E_BODY_SHORT), or everything after the headers without one.
 * Returns SIP_OK or a negative enum sip_err; m is unspecified on error.
 */
int sip_parse(const uint8_t *buf, size_t len, struct sip_msg *m);

enum sip_frame_res {
	SIP_FRAME_NEED_MORE = 0,	/* keep the bytes, read more */
	SIP_FRAME_MSG = 1,		/* *msg_len bytes are one message */
	SIP_FRAME_KEEPALIVE = 2,	/* *msg_len leading CR/LF bytes to drop */
};

/*
 * Delimits the next message at the start of a TCP stream buffer: an enum
 * sip_frame_res, or a negative enum sip_err (the stream cannot be resynced:
 * drop the connection's state).  Content-Length is mandatory here.  RFC
 * 5626 keep-alives (CRLFCRLF pings, CRLF pongs) come back as
 * SIP_FRAME_KEEPALIVE; a lone trailing CR waits for its LF.
 */
int sip_frame(const uint8_t *buf, size_t len, size_t *msg_len);

#endif
