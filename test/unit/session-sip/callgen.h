/* callgen.h - SIP messages of a call generated from a few parameters, for the call tracker's tests. */
#ifndef LT_TEST_SIP_CALLGEN_H
#define LT_TEST_SIP_CALLGEN_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* One dialog as both user agents see it. */
struct dlg {
	const char *call_id;
	const char *caller, *caller_tag;	/* From of the INVITE */
	const char *callee, *callee_tag;	/* To; callee_tag NULL before the answer */
	unsigned cseq;
};

/* An SDP body: one audio stream at addr:port ("IP4"/"IP6"), dir NULL or "a=sendonly" ... */
static inline int
gen_sdp(char *out, size_t cap, const char *ipv, const char *addr, unsigned port,
    const char *extra)
{
	return snprintf(out, cap,
	    "v=0\r\no=- 1 1 IN %s %s\r\ns=-\r\nc=IN %s %s\r\nt=0 0\r\n"
	    "m=audio %u RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\n%s",
	    ipv, addr, ipv, addr, port, extra ? extra : "");
}

/*
 * A message: start line, the dialog's headers (From/To swapped when
 * from_callee), CSeq "n method", extra header lines (each ending in CRLF)
 * and a body with its Content-Length.
 */
static inline size_t
gen_msg(char *out, size_t cap, const char *start, const struct dlg *d,
    int from_callee, unsigned cseq, const char *cseq_method,
    const char *extra, const char *body)
{
	const char *ft = from_callee ? d->callee_tag : d->caller_tag;
	const char *tt = from_callee ? d->caller_tag : d->callee_tag;
	char from[300], to[300];
	int n;

	snprintf(from, sizeof(from), "<%s>;tag=%s",
	    from_callee ? d->callee : d->caller, ft);
	if (tt != NULL)
		snprintf(to, sizeof(to), "<%s>;tag=%s",
		    from_callee ? d->caller : d->callee, tt);
	else
		snprintf(to, sizeof(to), "<%s>", from_callee ? d->caller : d->callee);
	n = snprintf(out, cap,
	    "%s\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK%u%s\r\n"
	    "Max-Forwards: 70\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\n"
	    "CSeq: %u %s\r\n%s%sContent-Length: %zu\r\n\r\n%s",
	    start, cseq, cseq_method, from, to, d->call_id, cseq, cseq_method,
	    extra ? extra : "", body && *body ? "Content-Type: application/sdp\r\n" : "",
	    body ? strlen(body) : 0, body ? body : "");
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

/* A request of the caller (from_callee 0) or the callee to the other party. */
static inline size_t
gen_req(char *out, size_t cap, const char *method, const struct dlg *d,
    int from_callee, unsigned cseq, const char *extra, const char *body)
{
	char start[300];

	snprintf(start, sizeof(start), "%s %s SIP/2.0", method,
	    from_callee ? d->caller : d->callee);
	return gen_msg(out, cap, start, d, from_callee, cseq, method, extra, body);
}

/* A response to a request of the caller (to_callee 0: the callee answers) or of the callee. */
static inline size_t
gen_resp(char *out, size_t cap, unsigned status, const char *reason,
    const struct dlg *d, int to_callee, unsigned cseq, const char *method,
    const char *extra, const char *body)
{
	char start[100];

	snprintf(start, sizeof(start), "SIP/2.0 %u %s", status, reason);
	return gen_msg(out, cap, start, d, to_callee, cseq, method, extra, body);
}

#endif
