/* test_sipstream.c - SIP over TCP: segments, retransmissions, holes, resync, limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "session/sip/sipstream.h"
#include "msgs.h"

static const char inv[] = MSG_INVITE;
static const char ok[] = MSG_OK;
static const char bye[] = MSG_BYE;

#define MAXM	16
static struct { size_t len; char head[16]; uint16_t sport; } got[MAXM];
static unsigned ngot;

static void
on_msg(void *ctx, const struct sipstream_key *k, const uint8_t *m, size_t len,
    int64_t ts)
{
	(void)ctx;
	(void)ts;
	if (ngot < MAXM) {
		got[ngot].len = len;
		memcpy(got[ngot].head, m, len < 15 ? len : 15);
		got[ngot].head[len < 15 ? len : 15] = '\0';
		got[ngot].sport = k->sport;
	}
	ngot++;
}

static const uint8_t key16[16] = "fedcba9876543210";

static struct sipstream *
mk(uint32_t flows, uint32_t maxbuf)
{
	struct sipstream_cfg c = { .max_flows = flows, .max_buffered = maxbuf,
	    .hash_key = key16, .msg = on_msg };
	struct sipstream *s = sipstream_new(&c);

	assert_non_null(s);
	ngot = 0;
	memset(got, 0, sizeof(got));
	return s;
}

static struct sipstream_key
key(uint16_t sport)
{
	struct sipstream_key k = { .family = 4, .sport = sport, .dport = 5060,
	    .src = { 192, 0, 2, 1 }, .dst = { 192, 0, 2, 2 } };

	return k;
}

/* Sends data[0..n) as segments of seg bytes from seq. */
static uint32_t
send(struct sipstream *s, uint16_t port, uint32_t seq, const char *data,
    size_t n, size_t seg)
{
	struct sipstream_key k = key(port);

	for (size_t o = 0; o < n; o += seg) {
		size_t l = n - o < seg ? n - o : seg;

		sipstream_input(s, &k, seq, 0, (const uint8_t *)data + o, l, 0);
		seq += (uint32_t)l;
	}
	return seq;
}

static void
syn(struct sipstream *s, uint16_t port, uint32_t isn)
{
	struct sipstream_key k = key(port);

	sipstream_input(s, &k, isn, SIPSTREAM_SYN, NULL, 0, 0);
}

static void
test_several_per_segment(void **state)
{
	struct sipstream *s = mk(8, 0);
	char all[8192];
	size_t n;

	(void)state;
	n = (size_t)snprintf(all, sizeof(all), "%s\r\n\r\n%s%s", inv, ok, bye);
	syn(s, 1000, 5);
	send(s, 1000, 6, all, n, n);
	assert_int_equal(ngot, 3);
	assert_int_equal(got[0].len, strlen(inv));
	assert_string_equal(got[0].head, "INVITE sip:bob@");
	assert_int_equal(got[1].len, strlen(ok));
	assert_int_equal(got[2].len, strlen(bye));
	assert_int_equal(sipstream_stats(s)->keepalives, 1);
	assert_int_equal(sipstream_stats(s)->messages, 3);
	sipstream_free(s);
}

/* Every split of a message in two, and byte by byte (Content-Length honoured). */
static void
test_split(void **state)
{
	struct sipstream *s = mk(8, 0);
	size_t n = strlen(inv);
	uint32_t seq = 100;

	(void)state;
	syn(s, 1000, seq++);
	for (size_t cut = 1; cut < n; cut++) {
		struct sipstream_key k = key(1000);

		ngot = 0;
		sipstream_input(s, &k, seq, 0, (const uint8_t *)inv, cut, 0);
		assert_int_equal(ngot, 0);
		sipstream_input(s, &k, seq + (uint32_t)cut, 0,
		    (const uint8_t *)inv + cut, n - cut, 0);
		assert_int_equal(ngot, 1);
		assert_int_equal(got[0].len, n);
		seq += (uint32_t)n;
	}
	ngot = 0;
	seq = send(s, 1000, seq, inv, n, 1);
	assert_int_equal(ngot, 1);
	assert_int_equal(got[0].len, n);
	sipstream_free(s);
}

/* Retransmitted and overlapping segments are trimmed; a hole loses what was buffered. */
static void
test_retransmit_and_hole(void **state)
{
	struct sipstream *s = mk(8, 0);
	struct sipstream_key k = key(1000);
	size_t n = strlen(inv);

	(void)state;
	syn(s, 1000, 0);
	send(s, 1000, 1, inv, 100, 100);
	send(s, 1000, 1, inv, 100, 100);		/* again */
	send(s, 1000, 51, inv + 50, n - 50, n);		/* overlaps 50 */
	assert_int_equal(ngot, 1);
	assert_int_equal(got[0].len, n);
	assert_int_equal(sipstream_stats(s)->dup_bytes, 150);
	/* half of the OK, a hole, then the BYE: the OK is lost, the BYE is read */
	send(s, 1000, 1 + (uint32_t)n, ok, 40, 40);
	send(s, 1000, 1 + (uint32_t)n + 500, bye, strlen(bye), strlen(bye));
	assert_int_equal(ngot, 2);
	assert_string_equal(got[1].head, "BYE sip:alice@p");
	assert_int_equal(sipstream_stats(s)->gaps, 1);
	(void)k;
	sipstream_free(s);
}

/* A flow seen mid-message (no SYN) starts at the next start line. */
static void
test_midstream(void **state)
{
	struct sipstream *s = mk(8, 0);
	char all[8192];
	size_t n;

	(void)state;
	n = (size_t)snprintf(all, sizeof(all), "%s%s", inv + 200, ok);
	send(s, 1000, 7777, all, n, 300);
	assert_int_equal(ngot, 1);
	assert_string_equal(got[0].head, "SIP/2.0 200 OK\r");
	assert_int_equal(sipstream_stats(s)->skipped, strlen(inv) - 200);
	sipstream_free(s);
}

/* Framing errors are counted and the stream resyncs on the next message. */
static void
test_bad_framing(void **state)
{
	struct sipstream *s = mk(8, 0);
	char all[8192];
	size_t n;

	(void)state;
	syn(s, 1000, 0);
	n = (size_t)snprintf(all, sizeof(all),
	    "OPTIONS sip:x@y SIP/2.0\r\nCall-ID: 1\r\nContent-Length: 1\r\n"
	    "Content-Length: 2\r\n\r\nxy\r\n%s"
	    "OPTIONS sip:x@y SIP/2.0\r\nCall-ID: 2\r\n\r\n%s", bye, ok);
	send(s, 1000, 1, all, n, n);
	assert_int_equal(sipstream_stats(s)->frame_err[-SIP_E_CONTENT_LENGTH], 1);
	assert_int_equal(sipstream_stats(s)->frame_err[-SIP_E_NO_CONTENT_LENGTH], 1);
	assert_int_equal(ngot, 2);
	assert_string_equal(got[0].head, "BYE sip:alice@p");
	assert_string_equal(got[1].head, "SIP/2.0 200 OK\r");
	sipstream_free(s);
}

/* An unterminated message: bounded, counted when the flow closes or expires. */
static void
test_unterminated(void **state)
{
	struct sipstream *s = mk(8, 4096);
	struct sipstream_key k = key(1000);
	char *big = malloc(70000);
	size_t n;

	(void)state;
	assert_non_null(big);
	syn(s, 1000, 0);
	send(s, 1000, 1, inv, 300, 300);
	sipstream_input(s, &k, 301, SIPSTREAM_FIN, NULL, 0, 0);
	assert_int_equal(sipstream_stats(s)->unterminated, 1);
	assert_int_equal(sipstream_flows(s), 0);
	/* headers that never end, past max_buffered */
	n = (size_t)snprintf(big, 70000, "INVITE sip:b@b SIP/2.0\r\n");
	while (n < 60000)
		n += (size_t)snprintf(big + n, 70000 - n, "X: %080d\r\n", 1);
	syn(s, 1001, 0);
	send(s, 1001, 1, big, n, 1400);
	assert_true(sipstream_stats(s)->too_long >= 1);
	assert_int_equal(ngot, 0);
	/* expiry */
	send(s, 1002, 9, inv, 10, 10);
	assert_int_equal(sipstream_flows(s), 2);
	sipstream_tick(s, (int64_t)901 * 1000000);
	assert_int_equal(sipstream_flows(s), 0);
	free(big);
	sipstream_free(s);
}

/* Found by fuzz_calls: an empty segment behind the stream (a late FIN) has no payload to skip. */
static void
test_old_empty_segment(void **state)
{
	struct sipstream *s = mk(8, 0);
	struct sipstream_key k = key(1000);

	(void)state;
	syn(s, 1000, 0);
	send(s, 1000, 1, inv, 100, 100);
	sipstream_input(s, &k, 50, SIPSTREAM_FIN, NULL, 0, 0);
	assert_int_equal(sipstream_flows(s), 0);
	assert_int_equal(sipstream_stats(s)->unterminated, 1);
	sipstream_free(s);
}

static void
test_flows_full(void **state)
{
	struct sipstream *s = mk(2, 0);

	(void)state;
	send(s, 1, 0, inv, 10, 10);
	send(s, 2, 0, inv, 10, 10);
	send(s, 3, 0, inv, 10, 10);
	assert_int_equal(sipstream_flows(s), 2);
	assert_int_equal(sipstream_stats(s)->flows_full, 1);
	{
		struct sipstream_key k = key(1);

		sipstream_input(s, &k, 0, SIPSTREAM_RST, NULL, 0, 0);
	}
	send(s, 3, 0, inv, 10, 10);
	assert_int_equal(sipstream_flows(s), 2);
	sipstream_free(s);
}

/* Two flows interleaved keep their own bytes; seq wraps. */
static void
test_interleaved_wrap(void **state)
{
	struct sipstream *s = mk(8, 0);
	size_t n = strlen(inv);
	uint32_t a = UINT32_MAX - 100, b = 5;

	(void)state;
	syn(s, 1, a++);
	syn(s, 2, b++);
	for (size_t o = 0; o < n; o += 37) {
		size_t l = n - o < 37 ? n - o : 37;

		a = send(s, 1, a, inv + o, l, l);
		b = send(s, 2, b, inv + o, l, l);
	}
	assert_int_equal(ngot, 2);
	assert_int_equal(got[0].len, n);
	assert_int_equal(got[1].len, n);
	assert_int_equal(got[0].sport + got[1].sport, 3);
	assert_int_equal(sipstream_stats(s)->gaps, 0);
	sipstream_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_several_per_segment),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_retransmit_and_hole),
		cmocka_unit_test(test_midstream),
		cmocka_unit_test(test_bad_framing),
		cmocka_unit_test(test_unterminated),
		cmocka_unit_test(test_old_empty_segment),
		cmocka_unit_test(test_flows_full),
		cmocka_unit_test(test_interleaved_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
