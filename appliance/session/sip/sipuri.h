/* sipuri.h - SIP, SIPS and TEL URIs: parse into parts, normalise for target matching. */
#ifndef LT_SIPURI_H
#define LT_SIPURI_H

#include <stddef.h>
#include <stdint.h>

#include "session/sip/sipslice.h"

#define SIPURI_NORM_MAX	256	/* longest canonical form sipuri_norm writes */

enum sipuri_scheme {
	SIPURI_SIP = 1,
	SIPURI_SIPS = 2,
	SIPURI_TEL = 3,
};

enum sipuri_err {
	SIPURI_E_EMPTY = -1,
	SIPURI_E_SCHEME = -2,	/* not sip:, sips: or tel: */
	SIPURI_E_ADDR = -3,	/* unbalanced <> or "", display name without <> */
	SIPURI_E_USER = -4,	/* bad character or %-escape in the user part */
	SIPURI_E_HOST = -5,	/* empty host or a character hosts cannot hold */
	SIPURI_E_PORT = -6,	/* not a number up to 65535 */
	SIPURI_E_NUMBER = -7,	/* tel: without digits or with other characters */
	SIPURI_E_SPACE = -8,	/* canonical form longer than SIPURI_NORM_MAX */
};

/* What sipuri_err e means, for an operator. */
const char *sipuri_strerror(int e);

struct sipuri {
	uint8_t scheme;			/* enum sipuri_scheme */
	uint8_t has_port;
	uint16_t port;
	struct sip_slice user;		/* sip: before '@', escapes as written;
					   tel: the number with its separators */
	struct sip_slice password;
	struct sip_slice host;		/* sip only; an IPv6 reference keeps [] */
	struct sip_slice params;	/* after the first ';', up to '?' */
	struct sip_slice headers;	/* after '?' */
};

/* A From/To/Contact/P-Asserted-Identity element split into its parts. */
struct sip_addr {
	struct sip_slice display;	/* without quotes; len 0 if none */
	struct sip_slice uri;		/* without <> */
	struct sip_slice params;	/* header parameters (tag=...), no ';' */
};

/*
 * Splits a name-addr ("Bob" <sip:bob@b.example>;tag=1) or an addr-spec
 * (sip:bob@b.example;tag=1: parameters after an addr-spec belong to the
 * header, RFC 3261 20.10).  0 or a negative enum sipuri_err.
 */
int sipuri_addr(const uint8_t *p, size_t len, struct sip_addr *a);

/*
 * Parses one URI: a bare URI, or a name-addr whose <...> is taken.
 * Checks the user part's escapes, the host's characters, the port's range
 * and a tel number's characters.  0 or a negative enum sipuri_err.
 */
int sipuri_parse(const uint8_t *p, size_t len, struct sipuri *u);

/*
 * Writes the form a warrant target is compared with to out and returns its
 * length (or a negative enum sipuri_err): "sip:user@host" or "tel:+number".
 * Scheme and host in lower case; sips becomes sip (the identity is the
 * same, only the transport differs); port, password, parameters and headers
 * dropped; the user part keeps its case, its %-escapes decoded (bytes that
 * may not stand bare in a user part are re-escaped as %XX, upper case).
 * Numbers (tel:, or a sip user with user=phone) lose their visual separators
 * -.() and have hex digits in upper case.
 */
int sipuri_norm(const struct sipuri *u, uint8_t out[static SIPURI_NORM_MAX]);

#endif
