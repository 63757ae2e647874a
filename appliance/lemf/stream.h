/* stream.h - cuts one byte stream (a connection or a file) into PS-PDUs and sinks each. */
#ifndef LT_LEMF_STREAM_H
#define LT_LEMF_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "lemf/sink.h"

struct lemf_stream {
	const char *listen;
	unsigned conn;
	uint64_t offset;	/* stream offset of buf[0] */
	uint8_t *buf;		/* bytes of an incomplete PDU */
	size_t len, cap;
	int dead;		/* after an ERROR line */
};

/* Called for every PDU decoded; the LEMF answers keep-alives here. */
typedef void lemf_pdu_fn(void *arg, const struct etsi_pdu *p);

void lemf_stream_init(struct lemf_stream *s, const char *listen, unsigned conn);
void lemf_stream_free(struct lemf_stream *s);

/*
 * Takes the next len bytes of the stream and sinks every PDU completed by
 * them.  0, or -1 once the stream cannot go on (an ERROR line was written
 * and err says why); later calls then do nothing and return -1.
 */
int lemf_stream_feed(struct lemf_stream *s, struct lemf_sink *sink,
    const uint8_t *data, size_t len, lemf_pdu_fn *fn, void *arg,
    char *err, size_t errlen);

/* The stream ended: an ERROR line and -1 if it ended inside a PDU. */
int lemf_stream_end(struct lemf_stream *s, struct lemf_sink *sink,
    char *err, size_t errlen);

#endif
