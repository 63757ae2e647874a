/* fuzz_frame.c - lt_parse_frame on arbitrary frames, with its output invariants. */
#include <string.h>

#include "capture/parse.h"
#include "fuzz.h"

static int
inside(const uint8_t *p, size_t n, const uint8_t *f, size_t len)
{
	return p >= f && (size_t)(p - f) <= len && n <= len - (size_t)(p - f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct lt_pkt pkt;
	uint8_t *f;
	enum lt_parse_result r;

	/* A copy of exactly len bytes, so ASan sees any read past the frame. */
	if ((f = malloc(len ? len : 1)) == NULL)
		return 0;
	memcpy(f, data, len);
	memset(&pkt, 0xa5, sizeof(pkt));
	r = lt_parse_frame(f, len, &pkt);
	FUZZ_CHECK(r == LT_PARSE_IP || r == LT_PARSE_NOT_IP ||
	    r == LT_PARSE_MALFORMED);
	if (r == LT_PARSE_IP) {
		size_t alen = pkt.family == 4 ? 4 : 16;
		const uint8_t *ip = f + pkt.l3_off;

		FUZZ_CHECK(pkt.family == 4 || pkt.family == 6);
		FUZZ_CHECK(pkt.nvlan <= 2);
		FUZZ_CHECK(pkt.l3_off == 14 + 4 * pkt.nvlan);
		FUZZ_CHECK((size_t)pkt.l3_off + pkt.l3_len <= len);
		FUZZ_CHECK(pkt.l3_len >= (pkt.family == 4 ? 20u : 40u));
		FUZZ_CHECK((ip[0] >> 4) == pkt.family);
		FUZZ_CHECK(inside(pkt.src, alen, ip, pkt.l3_len));
		FUZZ_CHECK(inside(pkt.dst, alen, ip, pkt.l3_len));
		FUZZ_CHECK(pkt.src != pkt.dst);
		/* The addresses must be the header's, not anywhere in the packet. */
		FUZZ_CHECK(pkt.src == ip + (pkt.family == 4 ? 12 : 8));
		FUZZ_CHECK(pkt.dst == pkt.src + alen);
	}
	free(f);
	return 0;
}
