/* siphdr.h - SIP header lines: names (full and compact), folding, lists, parameters. */
#ifndef LT_SIPHDR_H
#define LT_SIPHDR_H

#include "session/sip/sip.h"

enum sip_hdr_id {
	SIP_H_OTHER = 0,
	SIP_H_CALL_ID, SIP_H_FROM, SIP_H_TO, SIP_H_CONTACT,
	SIP_H_CONTENT_LENGTH, SIP_H_CONTENT_TYPE, SIP_H_VIA, SIP_H_SUPPORTED,
	SIP_H_SUBJECT, SIP_H_CONTENT_ENCODING, SIP_H_EVENT, SIP_H_REFER_TO,
	SIP_H_REFERRED_BY, SIP_H_ALLOW_EVENTS, SIP_H_SESSION_EXPIRES,
	SIP_H_IDENTITY, SIP_H_CSEQ, SIP_H_PAI, SIP_H_RPID,
	SIP_H_AUTHORIZATION, SIP_H_PROXY_AUTHORIZATION, SIP_H_EXPIRES,
};

struct sip_hdr {
	enum sip_hdr_id id;
	struct sip_slice name;	/* as written, e.g. "i" or "CALL-ID" */
	struct sip_slice value;	/* LWS trimmed; folds inside are kept as is */
};

/*
 * The header line at *pos of msg[0..lim): 1 and h filled, *pos moved past
 * it (and its continuation lines); 0 at the empty line that ends the
 * header section, *pos moved past it; SIP_E_TRUNCATED when lim comes
 * first (the line, or whether a continuation follows, is not all there);
 * SIP_E_HEADER for a line that is not "name: value".
 */
int sip_hdr_next(const uint8_t *msg, size_t lim, size_t *pos,
    struct sip_hdr *h);

/*
 * The next comma-separated element of a header value that may hold a list
 * (Via, Contact, P-Asserted-Identity): commas inside "..." and <...> do not
 * count.  1 and item set (LWS trimmed, empty items skipped), 0 when done.
 */
int sip_list_next(struct sip_slice *rest, struct sip_slice *item);

/*
 * The parameter name in params (";a=b;c;d=\"x\"", leading ';' optional),
 * name matched ignoring case: 1 with val (quotes removed; len 0 for a
 * parameter without '='), 0 if absent.
 */
int sip_param(struct sip_slice params, const char *name,
    struct sip_slice *val);

/* A decimal number of up to max: 0, or -1 for anything else. */
int sip_uint(struct sip_slice s, uint64_t max, uint64_t *out);

/* Via element: "SIP/2.0/UDP host:port;branch=..."; 0 or SIP_E_VIA. */
int sip_via_parse(struct sip_slice v, struct sip_slice *transport,
    struct sip_slice *sent_by, struct sip_slice *branch);

/* The username="..." of a Digest credentials value (len 0 if none). */
void sip_digest_user(struct sip_slice v, struct sip_slice *user);

int sip_is_lws(uint8_t c);
int sip_is_token(uint8_t c);
struct sip_slice sip_trim(struct sip_slice s);

#endif
