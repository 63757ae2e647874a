/* stream.c - framing of concatenated PS-PDUs that arrive in arbitrary pieces. */
#include <stdlib.h>
#include <string.h>

#include "lemf/stream.h"

void
lemf_stream_init(struct lemf_stream *s, const char *listen, unsigned conn)
{
	memset(s, 0, sizeof(*s));
	s->listen = listen;
	s->conn = conn;
}

void
lemf_stream_free(struct lemf_stream *s)
{
	free(s->buf);
	s->buf = NULL;
	s->len = s->cap = 0;
}

static int
fail(struct lemf_stream *s, struct lemf_sink *sink, uint64_t off,
    const char *err)
{
	struct pdu_origin o = { s->listen, s->conn, off };

	lemf_sink_error(sink, &o, err);
	s->dead = 1;
	return -1;
}

/*
 * Sinks the whole PDUs at the front of p[0..len); returns how many bytes
 * they took, or -1 when the stream is dead.
 */
static ptrdiff_t
drain(struct lemf_stream *s, struct lemf_sink *sink, const uint8_t *p,
    size_t len, uint64_t off, lemf_pdu_fn *fn, void *arg,
    char *err, size_t errlen)
{
	size_t used = 0, n;
	struct etsi_pdu pdu;

	for (;;) {
		struct pdu_origin o = { s->listen, s->conn, off + used };
		int r;

		err[0] = '\0';
		r = etsi_pdu_frame(p + used, len - used, &n, err, errlen);
		if (r < 0) {
			if (err[0] == '\0')
				snprintf(err, errlen, "bytes cannot start a PS-PDU");
			return fail(s, sink, off + used, err);
		}
		if (r == 0) {
			/* etsi_pdu_frame bounds a PDU; this bounds the buffer even if it did not */
			if (len - used > (size_t)ETSI_PDU_MAX + 16) {
				snprintf(err, errlen, "PDU larger than %u bytes",
				    ETSI_PDU_MAX);
				return fail(s, sink, off + used, err);
			}
			return (ptrdiff_t)used;
		}
		if (n == 0 || n > len - used) {
			snprintf(err, errlen, "framing returned a bad length");
			return fail(s, sink, off + used, err);
		}
		if (lemf_sink_pdu(sink, &o, p + used, n, &pdu, err, errlen) < 0) {
			s->dead = 1;
			return -1;
		}
		if (fn != NULL)
			fn(arg, &pdu);
		used += n;
	}
}

int
lemf_stream_feed(struct lemf_stream *s, struct lemf_sink *sink,
    const uint8_t *data, size_t len, lemf_pdu_fn *fn, void *arg,
    char *err, size_t errlen)
{
	ptrdiff_t used;
	int parked = 0;

	if (s->dead) {
		snprintf(err, errlen, "stream already failed");
		return -1;
	}
	if (s->len == 0) {
		/* Nothing pending: frame straight from the caller's bytes. */
		if ((used = drain(s, sink, data, len, s->offset, fn, arg, err,
		    errlen)) < 0)
			return -1;
		s->offset += (uint64_t)used;
		data += used;
		len -= (size_t)used;
		if (len == 0)
			return 0;
		parked = 1;	/* the tail is an incomplete PDU: just keep it */
	}
	if (s->len + len > s->cap) {
		size_t ncap = s->cap ? s->cap : 4096;
		uint8_t *b;

		while (ncap < s->len + len)
			ncap *= 2;
		if ((b = realloc(s->buf, ncap)) == NULL) {
			snprintf(err, errlen, "out of memory for a %zu-byte PDU",
			    s->len + len);
			return fail(s, sink, s->offset, err);
		}
		s->buf = b;
		s->cap = ncap;
	}
	memcpy(s->buf + s->len, data, len);
	s->len += len;
	if (parked)
		return 0;
	if ((used = drain(s, sink, s->buf, s->len, s->offset, fn, arg, err,
	    errlen)) < 0)
		return -1;
	memmove(s->buf, s->buf + used, s->len - (size_t)used);
	s->len -= (size_t)used;
	s->offset += (uint64_t)used;
	return 0;
}

int
lemf_stream_end(struct lemf_stream *s, struct lemf_sink *sink,
    char *err, size_t errlen)
{
	if (s->dead)
		return -1;
	if (s->len == 0)
		return 0;
	snprintf(err, errlen, "stream ended inside a PDU (%zu bytes of it)",
	    s->len);
	return fail(s, sink, s->offset, err);
}
