/* test_sdp.c - sdp_parse on offers, answers, hold, IPv6, several streams and garbage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "session/sip/sdp.h"
#include "check.h"
#include "msgs.h"

static int
parse(const char *s, size_t n, struct sdp *d)
{
	uint8_t *b = dup_exact(s, n);
	int r = sdp_parse(b, n, d);

	free(b);
	return r;
}

#define PARSE_OK(lit, d) assert_int_equal(sdp_parse(			\
	(const uint8_t *)(lit), sizeof(lit) - 1, (d)), SDP_OK)

static void
assert_v4(const struct sdp_addr *a, uint8_t a0, uint8_t a1, uint8_t a2,
    uint8_t a3)
{
	const uint8_t want[4] = { a0, a1, a2, a3 };

	assert_int_equal(a->family, 4);
	assert_memory_equal(a->addr, want, 4);
}

static void
test_offer_answer(void **state)
{
	struct sdp d;

	(void)state;
	PARSE_OK(SDP_OFFER, &d);
	assert_slice(d.o_user, "alice");
	assert_slice(d.o_sess_id, "2890844526");
	assert_slice(d.o_sess_version, "2890844526");
	assert_slice(d.o_addr, "pc33.atlanta.example.com");
	assert_v4(&d.conn, 192, 0, 2, 101);
	assert_int_equal(d.nmedia, 1);
	assert_false(d.media_overflow);
	assert_slice(d.media[0].type, "audio");
	assert_int_equal(d.media[0].port, 49172);
	assert_int_equal(d.media[0].nports, 1);
	assert_slice(d.media[0].proto, "RTP/AVP");
	assert_slice(d.media[0].fmt, "0 8 101");
	assert_v4(&d.media[0].conn, 192, 0, 2, 101);
	assert_false(d.media[0].conn_media);
	assert_false(d.media[0].has_rtcp);
	assert_int_equal(d.media[0].dir, SDP_SENDRECV);

	PARSE_OK(SDP_ANSWER, &d);
	assert_v4(&d.media[0].conn, 192, 0, 2, 201);
	assert_int_equal(d.media[0].port, 3456);

	PARSE_OK(SDP_HOLD, &d);
	assert_int_equal(d.media[0].dir, SDP_SENDONLY);
	assert_int_equal(d.dir, SDP_SENDRECV);
}

static void
test_v6(void **state)
{
	static const uint8_t a1[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t a2[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	struct sdp d;

	(void)state;
	PARSE_OK(SDP_V6, &d);
	assert_int_equal(d.nmedia, 2);
	assert_int_equal(d.dir, SDP_RECVONLY);
	assert_int_equal(d.media[0].conn.family, 6);
	assert_memory_equal(d.media[0].conn.addr, a1, 16);
	assert_int_equal(d.media[0].dir, SDP_RECVONLY);
	assert_int_equal(d.media[1].conn.family, 6);
	assert_memory_equal(d.media[1].conn.addr, a2, 16);
	assert_true(d.media[1].conn_media);
	assert_int_equal(d.media[1].dir, SDP_INACTIVE);
	assert_int_equal(d.media[1].port, 5006);
}

static void
test_multi(void **state)
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 7 };
	struct sdp d;

	(void)state;
	PARSE_OK(SDP_MULTI, &d);
	assert_int_equal(d.nmedia, 4);
	assert_v4(&d.conn, 224, 2, 17, 12);
	assert_true(d.media[0].has_rtcp);
	assert_int_equal(d.media[0].rtcp_port, 53020);
	assert_int_equal(d.media[0].rtcp_addr.family, 0);
	assert_v4(&d.media[0].conn, 224, 2, 17, 12);
	assert_int_equal(d.media[1].port, 51372);
	assert_int_equal(d.media[1].nports, 2);
	assert_v4(&d.media[1].conn, 198, 51, 100, 7);
	assert_int_equal(d.media[1].rtcp_port, 53022);
	assert_v4(&d.media[1].rtcp_addr, 198, 51, 100, 8);
	assert_int_equal(d.media[2].port, 0);
	assert_slice(d.media[3].proto, "RTP/SAVPF");
	assert_true(d.media[3].rtcp_mux);
	assert_int_equal(d.media[3].rtcp_addr.family, 6);
	assert_memory_equal(d.media[3].rtcp_addr.addr, v6, 16);
}

static void
test_overflow(void **state)
{
	static const char many[] = "v=0\nc=IN IP4 10.0.0.1\n"
	    "m=audio 1 RTP/AVP 0\nm=audio 2 RTP/AVP 0\nm=audio 3 RTP/AVP 0\n"
	    "m=audio 4 RTP/AVP 0\nm=audio 5 RTP/AVP 0\nm=audio 6 RTP/AVP 0\n"
	    "m=audio 7 RTP/AVP 0\nm=audio 8 RTP/AVP 0\nm=audio 9 RTP/AVP 0\n"
	    "a=sendonly\nc=IN IP4 10.0.0.9\nm=audio 10 RTP/AVP 0";
	struct sdp d;

	(void)state;
	PARSE_OK(many, &d);
	assert_int_equal(d.nmedia, SDP_MAX_MEDIA);
	assert_true(d.media_overflow);
	assert_int_equal(d.media[7].port, 8);
	assert_int_equal(d.media[7].dir, SDP_SENDRECV);
	assert_v4(&d.media[7].conn, 10, 0, 0, 1);
}

static void
test_truncations(void **state)
{
	static const char s[] = SDP_MULTI;
	struct sdp d;
	size_t k;

	(void)state;
	/* Prefixes may parse (SDP has no terminator) but never over-read. */
	for (k = 0; k < sizeof(s) - 1; k++)
		(void)parse(s, k, &d);
	assert_int_equal(parse(s, 0, &d), SDP_E_EMPTY);
	assert_int_equal(parse(s, 2, &d), SDP_E_VERSION);
	assert_int_equal(parse(s, strstr(s, "m=video") - s + 8, &d),
	    SDP_E_MEDIA);
}

static void
test_bad(void **state)
{
	static const struct {
		const char *sdp;
		int err;
	} bad[] = {
		{ "\r\n\r\n", SDP_E_EMPTY },
		{ "v=1\r\n", SDP_E_VERSION },
		{ "s=-\r\nv=0\r\n", SDP_E_VERSION },
		{ "v=0\r\nv=0\r\n", SDP_E_VERSION },
		{ "v=0\r\nhello world\r\n", SDP_E_LINE },
		{ "v=0\r\nc = IN IP4 1.2.3.4\r\n", SDP_E_LINE },
		{ "v=0\r\nC=IN IP4 1.2.3.4\r\n", SDP_E_LINE },
		{ "v=0\r\nx=1\r\n", SDP_E_TYPE },
		{ "v=0\r\no=a 1 2 IN IP4\r\n", SDP_E_ORIGIN },
		{ "v=0\r\nc=IN IP4\r\n", SDP_E_CONN },
		{ "v=0\r\nc=ATM NSAP 47.0091\r\n", SDP_E_CONN },
		{ "v=0\r\nc=IN IP5 1.2.3.4\r\n", SDP_E_CONN },
		{ "v=0\r\nc=IN IP4 1.2.3.4 extra\r\n", SDP_E_CONN },
		{ "v=0\r\nc=IN IP4 host.example.com\r\n", SDP_E_ADDR },
		{ "v=0\r\nc=IN IP4 1.2.3.256\r\n", SDP_E_ADDR },
		{ "v=0\r\nc=IN IP6 1.2.3.4\r\n", SDP_E_ADDR },
		{ "v=0\r\nc=IN IP4 /127\r\n", SDP_E_ADDR },
		{ "v=0\r\nc=IN IP6 2001:db8:0:0:0:0:0:0:0:0:0:0:0:0:1\r\n",
		    SDP_E_ADDR },
		{ "v=0\r\nm=audio\r\n", SDP_E_MEDIA },
		{ "v=0\r\nm=audio x RTP/AVP 0\r\n", SDP_E_MEDIA },
		{ "v=0\r\nm=audio 5/0 RTP/AVP 0\r\n", SDP_E_MEDIA },
		{ "v=0\r\nm=audio 65536 RTP/AVP 0\r\n", SDP_E_PORT },
		{ "v=0\r\nm=audio 99999999999 RTP/AVP 0\r\n", SDP_E_MEDIA },
		{ "v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 1 RTP/AVP 0\r\n"
		    "a=rtcp:70000\r\n", SDP_E_PORT },
		{ "v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 1 RTP/AVP 0\r\n"
		    "a=rtcp:\r\n", SDP_E_RTCP },
		{ "v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 1 RTP/AVP 0\r\n"
		    "a=rtcp:9 IN IP4\r\n", SDP_E_RTCP },
		{ "v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 1 RTP/AVP 0\r\n"
		    "a=rtcp:9 IN IP4 1.2.3\r\n", SDP_E_ADDR },
		{ "v=0\r\nm=audio 1 RTP/AVP 0\r\n", SDP_E_NO_CONN },
		{ "v=0\r\nm=audio 1 RTP/AVP 0\r\no=a 1 2 IN IP4 h\r\n",
		    SDP_E_ORIGIN },
	};
	struct sdp d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = parse(bad[i].sdp, strlen(bad[i].sdp), &d);

		if (r != bad[i].err)
			fail_msg("case %zu: %s, want %s", i, sdp_err_name(r),
			    sdp_err_name(bad[i].err));
	}
}

static void
test_lines(void **state)
{
	static const char ok[] = "v=0\nc=IN IP4 1.2.3.4\nm=audio 0 RTP/AVP 0\n"
	    "a=sendonly\na=whatever\na=rtcp-muxx\na=rtcp\n";
	size_t n = 4 + SDP_LINE_MAX + 3;
	char *b = malloc(n);
	struct sdp d;

	(void)state;
	PARSE_OK(ok, &d);
	assert_int_equal(d.media[0].dir, SDP_SENDONLY);
	assert_false(d.media[0].rtcp_mux);
	assert_false(d.media[0].has_rtcp);
	/* A line of exactly SDP_LINE_MAX passes, one more byte does not. */
	assert_non_null(b);
	memcpy(b, "v=0\ni=", 6);
	memset(b + 6, 'x', n - 6);
	assert_int_equal(parse(b, 4 + SDP_LINE_MAX, &d), SDP_OK);
	assert_int_equal(parse(b, 4 + SDP_LINE_MAX + 1, &d), SDP_E_LONG_LINE);
	b[4 + SDP_LINE_MAX] = '\r';
	b[4 + SDP_LINE_MAX + 1] = '\n';
	assert_int_equal(parse(b, 4 + SDP_LINE_MAX + 2, &d), SDP_OK);
	free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offer_answer),
		cmocka_unit_test(test_v6),
		cmocka_unit_test(test_multi),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
