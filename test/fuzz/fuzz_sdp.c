/* fuzz_sdp.c - sdp_parse on arbitrary bodies, with its output invariants. */
#include <string.h>

#include "session/sip/sdp.h"
#include "fuzz.h"

static int
inside(struct sip_slice s, const uint8_t *b, size_t len)
{
	return s.len == 0 || (s.p >= b && (size_t)(s.p - b) <= len &&
	    s.len <= len - (size_t)(s.p - b));
}

static int
addr_ok(const struct sdp_addr *a)
{
	return a->family == 0 || a->family == 4 || a->family == 6;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const struct sdp_media *m;
	struct sdp s;
	uint8_t *b;
	unsigned i;
	int r;

	if ((b = malloc(len ? len : 1)) == NULL)
		return 0;
	memcpy(b, data, len);
	r = sdp_parse(b, len, &s);
	FUZZ_CHECK(r <= 0 && r > -SDP_NERR);
	if (r == SDP_OK) {
		FUZZ_CHECK(s.nmedia <= SDP_MAX_MEDIA);
		FUZZ_CHECK(!s.media_overflow || s.nmedia == SDP_MAX_MEDIA);
		FUZZ_CHECK(s.dir <= SDP_INACTIVE && addr_ok(&s.conn));
		FUZZ_CHECK(inside(s.o_user, b, len) && inside(s.o_addr, b, len));
		FUZZ_CHECK(inside(s.o_sess_id, b, len) &&
		    inside(s.o_sess_version, b, len));
		for (i = 0; i < s.nmedia; i++) {
			m = &s.media[i];
			FUZZ_CHECK(m->type.len > 0 && m->proto.len > 0);
			FUZZ_CHECK(inside(m->type, b, len) &&
			    inside(m->proto, b, len) && inside(m->fmt, b, len));
			FUZZ_CHECK(m->dir <= SDP_INACTIVE && m->nports >= 1);
			FUZZ_CHECK(addr_ok(&m->conn) && addr_ok(&m->rtcp_addr));
			FUZZ_CHECK(m->port == 0 || m->conn.family != 0);
			FUZZ_CHECK(m->conn_media || memcmp(&m->conn, &s.conn,
			    sizeof(s.conn)) == 0);
		}
	}
	free(b);
	return 0;
}
