/* test_sipframe.c - sip_frame on TCP stream buffers: whole, split, joined, broken. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "session/sip/sip.h"
#include "check.h"
#include "msgs.h"

static int
frame(const char *s, size_t n, size_t *len)
{
	uint8_t *b = dup_exact(s, n);
	int r = sip_frame(b, n, len);

	free(b);
	return r;
}

static void
test_whole(void **state)
{
	static const char *all[] = { MSG_INVITE, MSG_TRYING, MSG_RINGING,
	    MSG_OK, MSG_ACK, MSG_REINVITE, MSG_BYE, MSG_CANCEL, MSG_REGISTER,
	    MSG_COMPACT };
	struct sip_msg m;
	size_t i, n, len;

	(void)state;
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		n = strlen(all[i]);
		assert_int_equal(frame(all[i], n, &len), SIP_FRAME_MSG);
		assert_int_equal(len, n);
		assert_int_equal(sip_parse((const uint8_t *)all[i], len, &m),
		    SIP_OK);
		assert_int_equal(m.raw.len, len);
	}
}

/* One message arriving a byte at a time: "need more" until the last byte. */
static void
test_split(void **state)
{
	static const char msg[] = MSG_INVITE;
	size_t k, len;

	(void)state;
	for (k = 1; k < sizeof(msg) - 1; k++) {
		assert_int_equal(frame(msg, k, &len), SIP_FRAME_NEED_MORE);
		assert_int_equal(len, 0);
	}
	assert_int_equal(frame(msg, sizeof(msg) - 1, &len), SIP_FRAME_MSG);
	assert_int_equal(len, sizeof(msg) - 1);
}

/* Keep-alives, two messages and half a third in one buffer. */
static void
test_stream(void **state)
{
	static const char buf[] = "\r\n\r\n" MSG_INVITE "\r\n" MSG_TRYING
	    MSG_BYE;
	size_t off = 0, len, n = sizeof(buf) - 1 - 20;

	(void)state;
	assert_int_equal(frame(buf, n, &len), SIP_FRAME_KEEPALIVE);
	assert_int_equal(len, 4);
	off += len;
	assert_int_equal(frame(buf + off, n - off, &len), SIP_FRAME_MSG);
	assert_int_equal(len, strlen(MSG_INVITE));
	off += len;
	assert_int_equal(frame(buf + off, n - off, &len), SIP_FRAME_KEEPALIVE);
	assert_int_equal(len, 2);
	off += len;
	assert_int_equal(frame(buf + off, n - off, &len), SIP_FRAME_MSG);
	assert_int_equal(len, strlen(MSG_TRYING));
	assert_memory_equal(buf + off, MSG_TRYING, len);
	off += len;
	assert_int_equal(frame(buf + off, n - off, &len), SIP_FRAME_NEED_MORE);
	assert_int_equal(frame(buf + off, n - off + 20, &len), SIP_FRAME_MSG);
	assert_int_equal(off + len, sizeof(buf) - 1);
}

static void
test_keepalive(void **state)
{
	size_t len;

	(void)state;
	assert_int_equal(frame("", 0, &len), SIP_FRAME_NEED_MORE);
	assert_int_equal(frame("\r", 1, &len), SIP_FRAME_NEED_MORE);
	assert_int_equal(frame("\r\n\r", 3, &len), SIP_FRAME_KEEPALIVE);
	assert_int_equal(len, 2);
	assert_int_equal(frame("\r\n", 2, &len), SIP_FRAME_KEEPALIVE);
	assert_int_equal(len, 2);
	assert_int_equal(frame("\r\n\r\nINV", 7, &len), SIP_FRAME_KEEPALIVE);
	assert_int_equal(len, 4);
}

struct bad {
	const char *buf;
	int res;
};

static void
test_broken(void **state)
{
	static const struct bad bad[] = {
		{ "INVITE sip:a@b SIP/2.0\r\ni: 1\r\n\r\n",
		    SIP_E_NO_CONTENT_LENGTH },
		{ "INVITE sip:a@b SIP/2.0\r\ni: 1\r\nl: 1x\r\n\r\n",
		    SIP_E_CONTENT_LENGTH },
		{ "INVITE sip:a@b SIP/2.0\r\nl:\r\n\r\n", SIP_E_CONTENT_LENGTH },
		{ "INVITE sip:a@b SIP/2.0\r\nl: 2\r\nContent-Length: 3\r\n\r\n",
		    SIP_E_CONTENT_LENGTH },
		{ "INVITE sip:a@b SIP/2.0\r\nl: 2\r\ngarbage\r\n\r\n",
		    SIP_E_HEADER },
		/* Unterminated: still waiting, not an error yet. */
		{ "INVITE sip:a@b SIP/2.0\r\nl: 2\r\n", SIP_FRAME_NEED_MORE },
		{ "INVITE sip:a@b SIP/2.0\r\nl: 2\r\n\r\na", SIP_FRAME_NEED_MORE },
	};
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = frame(bad[i].buf, strlen(bad[i].buf), &len);

		if (r != bad[i].res)
			fail_msg("case %zu: got %d, want %d", i, r, bad[i].res);
	}
}

/* Headers that never end: need more until 64 KiB, then an error. */
static void
test_unterminated(void **state)
{
	size_t n = SIP_HDR_MAX, len;
	char *b = malloc(n);

	(void)state;
	assert_non_null(b);
	memset(b, 'a', n);
	memcpy(b, "INVITE sip:a@b SIP/2.0\r\nX-Long: ", 32);
	assert_int_equal(frame(b, n - 1, &len), SIP_FRAME_NEED_MORE);
	assert_int_equal(frame(b, n, &len), SIP_E_TOO_LONG);
	memset(b, 'a', n);
	assert_int_equal(frame(b, n - 1, &len), SIP_FRAME_NEED_MORE);
	assert_int_equal(frame(b, n, &len), SIP_E_TOO_LONG);
	free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_keepalive),
		cmocka_unit_test(test_broken),
		cmocka_unit_test(test_unterminated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
