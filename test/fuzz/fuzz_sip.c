/* fuzz_sip.c - sip_parse, sip_frame fed in chunks, and sipuri on the URIs found. */
#include <string.h>

#include "session/sip/sip.h"
#include "session/sip/sipuri.h"
#include "fuzz.h"

static const uint8_t *base;
static size_t blen;

static void
check_slice(struct sip_slice s)
{
	if (s.len == 0)
		return;
	FUZZ_CHECK(s.p >= base && (size_t)(s.p - base) <= blen &&
	    s.len <= blen - (size_t)(s.p - base));
}

static void
check_uri(struct sip_slice s)
{
	uint8_t out[SIPURI_NORM_MAX];
	struct sipuri u;
	int n;

	if (s.len == 0 || sipuri_parse(s.p, s.len, &u) != 0)
		return;
	FUZZ_CHECK(u.scheme >= SIPURI_SIP && u.scheme <= SIPURI_TEL);
	check_slice(u.user);
	check_slice(u.password);
	check_slice(u.host);
	check_slice(u.params);
	check_slice(u.headers);
	n = sipuri_norm(&u, out);
	FUZZ_CHECK(n <= SIPURI_NORM_MAX);
	FUZZ_CHECK(n < 0 || n >= 4);
}

static void
check_msg(const struct sip_msg *m, size_t len)
{
	unsigned i;

	check_slice(m->raw);
	FUZZ_CHECK(m->raw.len <= len && m->hdr_len <= m->raw.len);
	FUZZ_CHECK(m->body.p == m->raw.p + m->hdr_len);
	FUZZ_CHECK(m->hdr_len + m->body.len == m->raw.len);
	FUZZ_CHECK(!m->has_content_length || m->body.len == m->content_length);
	FUZZ_CHECK(m->call_id.len > 0);
	FUZZ_CHECK(m->is_request || (m->status >= 100 && m->status <= 699));
	FUZZ_CHECK(m->nvia <= SIP_MAX_VIA && m->npai <= SIP_MAX_PAI &&
	    m->ncontact <= SIP_MAX_CONTACT);
	FUZZ_CHECK(!m->via_overflow || m->nvia == SIP_MAX_VIA);
	check_slice(m->method);
	check_slice(m->call_id);
	check_slice(m->reason);
	check_slice(m->from_tag);
	check_slice(m->to_tag);
	check_slice(m->cseq_method);
	check_slice(m->via_transport);
	check_slice(m->via_sent_by);
	check_slice(m->via_branch);
	check_slice(m->content_type);
	check_slice(m->auth_user);
	check_slice(m->proxy_auth_user);
	for (i = 0; i < m->nvia; i++)
		check_slice(m->via[i]);
	check_uri(m->request_uri);
	check_uri(m->from_uri);
	check_uri(m->to_uri);
	check_uri(m->rpid_uri);
	for (i = 0; i < m->npai; i++)
		check_uri(m->pai[i]);
	for (i = 0; i < m->ncontact; i++)
		check_uri(m->contact[i]);
}

/*
 * The stream as one buffer: the message boundaries sip_frame gives, in
 * order, and how it ends (need more or an error).
 */
static int
frame_all(const uint8_t *b, size_t len, size_t *ends, size_t max, size_t *n)
{
	size_t off = 0, ml;
	int r;

	*n = 0;
	for (;;) {
		r = sip_frame(b + off, len - off, &ml);
		if (r == SIP_FRAME_NEED_MORE || r < 0)
			return r;
		FUZZ_CHECK(ml > 0 && ml <= len - off);
		if (r == SIP_FRAME_MSG) {
			struct sip_msg m;

			if (sip_parse(b + off, ml, &m) == SIP_OK) {
				FUZZ_CHECK(m.raw.p + m.raw.len == b + off + ml);
				check_msg(&m, ml);
			}
			if (*n < max)
				ends[(*n)++] = off + ml;
		}
		off += ml;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct sip_msg m;
	size_t whole[64], part[64], nw, np, have, off, ml, step;
	uint8_t *b;
	int r, rw;

	/* A byte from the middle picks the chunk size, so seeds stay valid. */
	step = len > 0 ? data[len / 2] % 64 + 1 : 1;
	if ((b = malloc(len ? len : 1)) == NULL)
		return 0;
	memcpy(b, data, len);
	base = b;
	blen = len;

	r = sip_parse(b, len, &m);
	FUZZ_CHECK(r <= 0 && r > -SIP_NERR);
	if (r == SIP_OK)
		check_msg(&m, len);

	/* The same bytes arriving step bytes at a time frame the same way. */
	rw = frame_all(b, len, whole, 64, &nw);
	np = 0;
	off = 0;
	r = SIP_FRAME_NEED_MORE;
	for (have = 0; have < len && r >= 0;) {
		have = have + step < len ? have + step : len;
		while ((r = sip_frame(b + off, have - off, &ml)) > 0) {
			if (r == SIP_FRAME_MSG && np < 64)
				part[np++] = off + ml;
			off += ml;
		}
	}
	if (len > 0) {
		FUZZ_CHECK(r == rw);
		FUZZ_CHECK(np == nw);
		FUZZ_CHECK(memcmp(part, whole, nw * sizeof(whole[0])) == 0);
	}
	free(b);
	return 0;
}
