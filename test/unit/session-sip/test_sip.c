/* test_sip.c - sip_parse on an RFC 3665-shaped call and on broken messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "session/sip/sip.h"
#include "check.h"
#include "msgs.h"

static int
parse(const char *s, size_t n, struct sip_msg *m)
{
	uint8_t *b = dup_exact(s, n);
	int r = sip_parse(b, n, m);

	/* Slices would dangle: only the result is kept. */
	free(b);
	return r;
}

#define PARSE_OK(lit, m) do {						\
	assert_int_equal(sip_parse((const uint8_t *)(lit),		\
	    sizeof(lit) - 1, (m)), SIP_OK);				\
} while (0)

static void
test_invite(void **state)
{
	struct sip_msg m;

	(void)state;
	PARSE_OK(MSG_INVITE, &m);
	assert_true(m.is_request);
	assert_slice(m.method, "INVITE");
	assert_slice(m.request_uri, "sip:bob@biloxi.example.com");
	assert_slice(m.call_id, "a84b4c76e66710@pc33.atlanta.example.com");
	assert_slice(m.from_uri, "sip:alice@atlanta.example.com");
	assert_slice(m.from_tag, "1928301774");
	assert_slice(m.to_uri, "sip:bob@biloxi.example.com");
	assert_null(m.to_tag.p);
	assert_int_equal(m.cseq, 314159);
	assert_slice(m.cseq_method, "INVITE");
	assert_slice(m.via_transport, "UDP");
	assert_slice(m.via_sent_by, "pc33.atlanta.example.com:5060");
	assert_slice(m.via_branch, "z9hG4bK776asdhds");
	assert_int_equal(m.nvia, 1);
	assert_int_equal(m.npai, 3);
	assert_false(m.pai_overflow);
	assert_slice(m.pai[0], "sip:alice@atlanta.example.com");
	assert_slice(m.pai[1], "tel:+1-555-123-4567");
	assert_slice(m.pai[2], "sip:+15551234567@atlanta.example.com;user=phone");
	assert_int_equal(m.ncontact, 1);
	assert_slice(m.contact[0], "sip:alice@pc33.atlanta.example.com");
	assert_slice(m.content_type, "application/sdp");
	assert_true(m.has_content_length);
	assert_int_equal(m.content_length, sizeof(SDP_OFFER) - 1);
	assert_slice(m.body, SDP_OFFER);
	assert_int_equal(m.raw.len, sizeof(MSG_INVITE) - 1);
	assert_int_equal(m.hdr_len, sizeof(MSG_INVITE) - sizeof(SDP_OFFER));
}

static void
test_responses(void **state)
{
	struct sip_msg m;

	(void)state;
	PARSE_OK(MSG_TRYING, &m);
	assert_false(m.is_request);
	assert_int_equal(m.status, 100);
	assert_slice(m.reason, "Trying");
	assert_int_equal(m.body.len, 0);
	assert_slice(m.via_branch, "z9hG4bK776asdhds");

	PARSE_OK(MSG_RINGING, &m);
	assert_int_equal(m.status, 180);
	assert_slice(m.to_tag, "a6c85cf");
	assert_slice(m.body, SDP_ANSWER);

	PARSE_OK(MSG_OK, &m);
	assert_int_equal(m.status, 200);
	assert_slice(m.reason, "OK");
	assert_int_equal(m.nvia, 3);
	assert_slice(m.via_sent_by, "server10.biloxi.example.com");
	assert_slice(m.via_branch, "z9hG4bK4b43c2ff8.1");
	assert_slice(m.via[2], "SIP/2.0/UDP pc33.atlanta.example.com;"
	    "branch=z9hG4bK776asdhds;received=192.0.2.1");
	assert_slice(m.cseq_method, "INVITE");
	assert_slice(m.body, SDP_ANSWER);
}

static void
test_dialog(void **state)
{
	struct sip_msg m;

	(void)state;
	PARSE_OK(MSG_ACK, &m);
	assert_slice(m.method, "ACK");
	assert_slice(m.cseq_method, "ACK");
	assert_slice(m.to_tag, "a6c85cf");

	PARSE_OK(MSG_REINVITE, &m);
	assert_int_equal(m.cseq, 314160);
	assert_slice(m.body, SDP_HOLD);

	PARSE_OK(MSG_BYE, &m);
	assert_slice(m.method, "BYE");
	assert_slice(m.from_uri, "sip:bob@biloxi.example.com");
	assert_slice(m.from_tag, "a6c85cf");
	assert_slice(m.to_tag, "1928301774");
	assert_int_equal(m.cseq, 231);

	PARSE_OK(MSG_CANCEL, &m);
	assert_slice(m.method, "CANCEL");
	assert_slice(m.via_branch, "z9hG4bK776asdhds");
}

static void
test_register(void **state)
{
	struct sip_msg m;

	(void)state;
	PARSE_OK(MSG_REGISTER, &m);
	assert_slice(m.method, "REGISTER");
	assert_slice(m.auth_user, "bob");
	assert_null(m.proxy_auth_user.p);
	assert_true(m.has_expires);
	assert_int_equal(m.expires, 7200);
	assert_slice(m.contact[0], "sip:bob@192.0.2.4");
	assert_slice(m.via_transport, "TCP");
}

static void
test_compact_folded(void **state)
{
	struct sip_msg m;

	(void)state;
	PARSE_OK(MSG_COMPACT, &m);
	assert_slice(m.request_uri, "sip:%2Bcarol@chicago.example.com;user=phone");
	assert_slice(m.via_transport, "TCP");
	assert_slice(m.via_sent_by, "client.atlanta.example.com:5060");
	assert_slice(m.via_branch, "z9hG4bK74bf9");
	assert_slice(m.from_uri, "sips:Alice@atlanta.example.com");
	assert_slice(m.from_tag, "9fxced76sl");
	assert_slice(m.to_uri, "tel:+1-312-555-(0100)");
	assert_slice(m.call_id, "3848276298220188511@atlanta.example.com");
	assert_slice(m.cseq_method, "INVITE");
	assert_slice(m.contact[0],
	    "sip:alice@client.atlanta.example.com;transport=tcp");
	assert_slice(m.proxy_auth_user, "alice");
	assert_slice(m.rpid_uri, "sip:alice@atlanta.example.com");
	assert_slice(m.content_type, "application/sdp");
	assert_slice(m.body, SDP_V6);
}

static void
test_body_rules(void **state)
{
	static const char longer[] = "OPTIONS sip:a@b SIP/2.0\r\ni: x\r\n"
	    "l: 3\r\n\r\nabcdef";
	static const char nolen[] = "MESSAGE sip:a@b SIP/2.0\r\ni: x\r\n"
	    "\r\nhello";
	static const char shorter[] = "OPTIONS sip:a@b SIP/2.0\r\ni: x\r\n"
	    "l: 7\r\n\r\nabcdef";
	static const char lead[] = "\r\n\r\nOPTIONS sip:a@b SIP/2.0\ni: x\n\n";
	struct sip_msg m;

	(void)state;
	PARSE_OK(longer, &m);
	assert_slice(m.body, "abc");
	assert_int_equal(m.raw.len, sizeof(longer) - 1 - 3);
	PARSE_OK(nolen, &m);
	assert_slice(m.body, "hello");
	assert_false(m.has_content_length);
	assert_int_equal(parse(shorter, sizeof(shorter) - 1, &m),
	    SIP_E_BODY_SHORT);
	PARSE_OK(lead, &m);
	assert_ptr_equal(m.raw.p, (const uint8_t *)lead + 4);
	assert_slice(m.call_id, "x");
}

/* Every proper prefix of a valid message is refused, never over-read. */
static void
test_truncations(void **state)
{
	static const char *all[] = { MSG_INVITE, MSG_TRYING, MSG_RINGING,
	    MSG_OK, MSG_ACK, MSG_REINVITE, MSG_BYE, MSG_CANCEL, MSG_REGISTER,
	    MSG_COMPACT };
	struct sip_msg m;
	size_t i, k, n;

	(void)state;
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		n = strlen(all[i]);
		assert_int_equal(parse(all[i], n, &m), SIP_OK);
		for (k = 0; k < n; k++)
			assert_true(parse(all[i], k, &m) < 0);
	}
}

struct bad {
	const char *msg;
	int err;
};

static const struct bad bad[] = {
	{ "", SIP_E_EMPTY },
	{ "\r\n\r\n", SIP_E_EMPTY },
	{ "INVITE sip:a@b SIP/2.0\r\nCSeq: 1 INVITE\r\n\r\n", SIP_E_NO_CALL_ID },
	{ "INVITE sip:a@b SIP/2.0\r\nCall-ID:\r\n\r\n", SIP_E_NO_CALL_ID },
	{ "INVITE sip:a@b SIP/2.0\r\nCall-ID: 1\r\ni: 2\r\n\r\n",
	    SIP_E_DUP_CALL_ID },
	{ "INVITE sip:a@b SIP/2.0\r\ni: 1\r\nContent-Length: x1\r\n\r\n",
	    SIP_E_CONTENT_LENGTH },
	{ "INVITE sip:a@b SIP/2.0\r\ni: 1\r\nContent-Length: -1\r\n\r\n",
	    SIP_E_CONTENT_LENGTH },
	{ "INVITE sip:a@b SIP/2.0\r\ni: 1\r\nl: 99999999999\r\n\r\n",
	    SIP_E_CONTENT_LENGTH },
	{ "INVITE sip:a@b SIP/2.0\r\ni: 1\r\nl: 1\r\nl: 2\r\n\r\nab",
	    SIP_E_CONTENT_LENGTH },
	{ "INVITE sip:a@b SIP/2.0\r\ni: 1\r\nl: 5\r\n\r\nab", SIP_E_BODY_SHORT },
	{ "HELLO\r\ni: 1\r\n\r\n", SIP_E_START_LINE },
	{ "\x16\x03\x01\x02\x05\x01\r\n\r\n", SIP_E_START_LINE },
	{ "INVITE  sip:a@b SIP/2.0\r\ni: 1\r\n\r\n", SIP_E_START_LINE },
	{ "INVITE sip:a@b SIP/2.0 \r\ni: 1\r\n\r\n", SIP_E_START_LINE },
	{ "INVITE sip:a@b SIP/3.0\r\ni: 1\r\n\r\n", SIP_E_VERSION },
	{ "INVITE a@b SIP/2.0\r\ni: 1\r\n\r\n", SIP_E_REQUEST_URI },
	{ "SIP/1.0 200 OK\r\ni: 1\r\n\r\n", SIP_E_VERSION },
	{ "SIP/2.0 099 Low\r\ni: 1\r\n\r\n", SIP_E_STATUS },
	{ "SIP/2.0 2000 OK\r\ni: 1\r\n\r\n", SIP_E_STATUS },
	{ "SIP/2.0 2x0 OK\r\ni: 1\r\n\r\n", SIP_E_STATUS },
	{ "SIP/2.0 200 OK\r\ni 1\r\n\r\n", SIP_E_HEADER },
	{ "SIP/2.0 200 OK\r\n folded-first: 1\r\n\r\n", SIP_E_HEADER },
	{ "SIP/2.0 200 OK\r\n: 1\r\n\r\n", SIP_E_HEADER },
	{ "SIP/2.0 200 OK\r\ni: 1\r\n", SIP_E_TRUNCATED },
	{ "SIP/2.0 200 OK\r\ni: 1\r\nCSeq: INVITE\r\n\r\n", SIP_E_CSEQ },
	{ "SIP/2.0 200 OK\r\ni: 1\r\nCSeq: 1\r\n\r\n", SIP_E_CSEQ },
	{ "SIP/2.0 200 OK\r\ni: 1\r\nCSeq: 1 INVITE x\r\n\r\n", SIP_E_CSEQ },
	{ "SIP/2.0 200 OK\r\ni: 1\r\nVia: SIP/2.0 host\r\n\r\n", SIP_E_VIA },
	{ "SIP/2.0 200 OK\r\ni: 1\r\nv: HTTP/1.1/TCP h\r\n\r\n", SIP_E_VIA },
	{ "SIP/2.0 200 OK\r\ni: 1\r\nf: \"Bob <sip:b@c>\r\n\r\n", SIP_E_ADDR },
	{ "SIP/2.0 200 OK\r\ni: 1\r\nt: <sip:b@c\r\n\r\n", SIP_E_ADDR },
	{ "SIP/2.0 200 OK\r\ni: 1\r\nm: <sip:b@c>, Bob\r\n\r\n", SIP_E_ADDR },
	{ "SIP/2.0 200 OK\r\ni: 1\r\nExpires: soon\r\n\r\n", SIP_E_EXPIRES },
};

static void
test_malformed(void **state)
{
	struct sip_msg m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = parse(bad[i].msg, strlen(bad[i].msg), &m);

		if (r != bad[i].err)
			fail_msg("case %zu: %s, want %s", i, sip_err_name(r),
			    sip_err_name(bad[i].err));
	}
}

static void
test_limits(void **state)
{
	static const char head[] = "INVITE sip:a@b SIP/2.0\r\ni: 1\r\n";
	size_t n = SIP_HDR_MAX + 100, i;
	char *b = malloc(n);
	struct sip_msg m;

	(void)state;
	assert_non_null(b);
	memcpy(b, head, sizeof(head) - 1);
	for (i = sizeof(head) - 1; i < n - 4; i += 10)
		memcpy(b + i, i + 10 <= n - 4 ? "X-Pad: 1\r\n" : "XXXXXXXXXX",
		    i + 10 <= n - 4 ? 10 : n - 4 - i);
	memcpy(b + n - 4, "\r\n\r\n", 4);
	assert_int_equal(parse(b, n, &m), SIP_E_TOO_LONG);
	/* The same shape under the limit is fine. */
	memcpy(b + 4096, "\r\n\r\n", 4);
	assert_int_equal(parse(b, 4100, &m), SIP_OK);
	free(b);

	/* Past SIP_MAX_VIA and SIP_MAX_PAI: counted, flagged, not refused. */
	PARSE_OK("SIP/2.0 200 OK\r\ni: 1\r\nv: SIP/2.0/UDP a;branch=z1, "
	    "SIP/2.0/UDP b, SIP/2.0/UDP c, SIP/2.0/UDP d\r\nVia: SIP/2.0/UDP e,"
	    "SIP/2.0/UDP f, SIP/2.0/UDP g, SIP/2.0/UDP h, SIP/2.0/UDP i\r\n"
	    "P-Asserted-Identity: <sip:a@x>, <sip:b@x>, <sip:c@x>, <tel:1>, "
	    "<tel:2>\r\nExpires: 99999999999999999999999\r\n\r\n", &m);
	assert_int_equal(m.nvia, SIP_MAX_VIA);
	assert_true(m.via_overflow);
	assert_slice(m.via_branch, "z1");
	assert_slice(m.via[7], "SIP/2.0/UDP h");
	assert_int_equal(m.npai, SIP_MAX_PAI);
	assert_true(m.pai_overflow);
	assert_slice(m.pai[3], "tel:1");
	assert_int_equal(m.expires, UINT32_MAX);
}

static void
test_names(void **state)
{
	int e;

	(void)state;
	assert_string_equal(sip_err_name(SIP_E_DUP_CALL_ID),
	    "call_id_duplicate");
	for (e = 0; e > -SIP_NERR; e--) {
		assert_string_not_equal(sip_err_name(e), "unknown");
		assert_string_not_equal(sip_strerror(e), "unknown SIP error");
	}
	assert_string_equal(sip_err_name(-SIP_NERR), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invite),
		cmocka_unit_test(test_responses),
		cmocka_unit_test(test_dialog),
		cmocka_unit_test(test_register),
		cmocka_unit_test(test_compact_folded),
		cmocka_unit_test(test_body_rules),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
