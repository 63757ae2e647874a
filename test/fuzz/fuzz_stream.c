/*
 * fuzz_stream.c - the LEMF's stream framing fed in pieces.  Input: one byte
 * whose low 4 bits give k, then k chunk sizes (one byte each, used in turn;
 * 0 feeds an empty piece), then the stream.  The same stream fed in one
 * piece must give the same JSON lines, counts and summary, byte for byte.
 */
#include <string.h>

#include "lemf/sink.h"
#include "lemf/stream.h"
#include "fuzz.h"

struct run {
	char *text;
	size_t text_len;
	uint64_t pdus, errors, calls;
	int fed_rc, end_rc;
};

static void
count(void *arg, const struct etsi_pdu *p)
{
	struct run *r = arg;

	FUZZ_CHECK(p->liid_len >= 1 && p->liid_len <= 25);
	r->calls++;
}

static void
run(struct run *r, const uint8_t *s, size_t len, const uint8_t *sizes,
    size_t nsizes)
{
	struct lemf_stream st;
	struct lemf_sink sink;
	char err[256];
	size_t off = 0, i = 0;
	FILE *f;

	memset(r, 0, sizeof(*r));
	f = open_memstream(&r->text, &r->text_len);
	FUZZ_CHECK(f != NULL);
	FUZZ_CHECK(lemf_sink_init(&sink, f) == 0);
	lemf_stream_init(&st, "fuzz", 1);
	do {
		size_t n = nsizes ? sizes[i++ % nsizes] : len;
		uint8_t *piece;
		int rc;

		if (n > len - off)
			n = len - off;
		/* A copy of exactly n bytes, so ASan sees reads past the piece. */
		piece = malloc(n ? n : 1);
		FUZZ_CHECK(piece != NULL);
		memcpy(piece, s + off, n);
		rc = lemf_stream_feed(&st, &sink, piece, n, count, r, err,
		    sizeof(err));
		free(piece);
		FUZZ_CHECK(rc == 0 || rc == -1);
		FUZZ_CHECK(rc == 0 || st.dead);
		FUZZ_CHECK(st.len <= st.cap);
		if (rc < 0)
			r->fed_rc = -1;
		off += n;
	} while (off < len && (nsizes == 0 || i < 4 * len + 16));
	if (off < len)		/* only zero sizes: the rest in one piece */
		r->fed_rc |= lemf_stream_feed(&st, &sink, s + off, len - off,
		    count, r, err, sizeof(err));
	FUZZ_CHECK(st.dead || st.offset + st.len == len);
	r->end_rc = lemf_stream_end(&st, &sink, err, sizeof(err));
	FUZZ_CHECK(r->end_rc == 0 || r->end_rc == -1);
	lemf_sink_summary(&sink, f);
	r->pdus = sink.pdus;
	r->errors = sink.errors;
	FUZZ_CHECK(r->calls == r->pdus);
	lemf_stream_free(&st);
	lemf_sink_free(&sink);
	FUZZ_CHECK(fclose(f) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct run whole, pieces;
	size_t k;

	if (len < 1)
		return 0;
	k = data[0] & 0x0f;
	if (len < 1 + k)
		return 0;
	run(&pieces, data + 1 + k, len - 1 - k, data + 1, k);
	run(&whole, data + 1 + k, len - 1 - k, NULL, 0);

	FUZZ_CHECK(pieces.pdus == whole.pdus);
	FUZZ_CHECK(pieces.errors == whole.errors);
	FUZZ_CHECK(pieces.fed_rc == whole.fed_rc);
	FUZZ_CHECK(pieces.end_rc == whole.end_rc);
	FUZZ_CHECK(pieces.text_len == whole.text_len);
	FUZZ_CHECK(memcmp(pieces.text, whole.text, whole.text_len) == 0);
	free(pieces.text);
	free(whole.text);
	return 0;
}
