/* sipframe.c - where one SIP message ends in a TCP byte stream (RFC 3261 18.3, RFC 5626 keep-alives). */
#include <string.h>

#include "session/sip/siphdr.h"

int
sip_frame(const uint8_t *buf, size_t len, size_t *msg_len)
{
	struct sip_hdr h;
	size_t s = 0, lim, pos;
	uint64_t cl = 0, n;
	int have_cl = 0, r;
	const uint8_t *lf;

	*msg_len = 0;
	while (s < len && (buf[s] == '\r' || buf[s] == '\n'))
		s++;
	/* A CR at the end may be half of a CRLF: wait for the LF. */
	if (s > 0 && s == len && buf[s - 1] == '\r')
		s--;
	if (s > 0) {
		*msg_len = s;
		return SIP_FRAME_KEEPALIVE;
	}
	lim = len < SIP_HDR_MAX ? len : SIP_HDR_MAX;
	if ((lf = memchr(buf, '\n', lim)) == NULL)
		return len >= SIP_HDR_MAX ? SIP_E_TOO_LONG : SIP_FRAME_NEED_MORE;
	pos = (size_t)(lf - buf) + 1;
	while ((r = sip_hdr_next(buf, lim, &pos, &h)) == 1) {
		if (h.id != SIP_H_CONTENT_LENGTH)
			continue;
		if (sip_uint(h.value, SIP_BODY_MAX, &n) != 0 ||
		    (have_cl && n != cl))
			return SIP_E_CONTENT_LENGTH;
		cl = n;
		have_cl = 1;
	}
	if (r == SIP_E_TRUNCATED)
		return len >= SIP_HDR_MAX ? SIP_E_TOO_LONG : SIP_FRAME_NEED_MORE;
	if (r < 0)
		return r;
	if (!have_cl)
		return SIP_E_NO_CONTENT_LENGTH;
	if (len - pos < cl)
		return SIP_FRAME_NEED_MORE;
	*msg_len = pos + (size_t)cl;
	return SIP_FRAME_MSG;
}
