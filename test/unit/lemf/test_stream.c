/* test_stream.c - framing of a PDU stream cut at every byte, and its failures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "lemf/stream.h"
#include "mkpdu.h"

struct rig {
	char *buf;
	size_t len;
	FILE *f;
	struct lemf_sink sink;
	struct lemf_stream st;
	unsigned calls;
	uint32_t seqs[16];
};

static void
rig_init(struct rig *r)
{
	memset(r, 0, sizeof(*r));
	r->f = open_memstream(&r->buf, &r->len);
	assert_non_null(r->f);
	assert_int_equal(lemf_sink_init(&r->sink, r->f), 0);
	lemf_stream_init(&r->st, "L", 5);
}

static void
rig_free(struct rig *r)
{
	lemf_stream_free(&r->st);
	lemf_sink_free(&r->sink);
	fclose(r->f);
	free(r->buf);
}

static void
on_pdu(void *arg, const struct etsi_pdu *p)
{
	struct rig *r = arg;

	if (r->calls < 16)
		r->seqs[r->calls] = p->seq;
	r->calls++;
}

static int
feed(struct rig *r, const uint8_t *p, size_t n)
{
	char err[256];

	return lemf_stream_feed(&r->st, &r->sink, p, n, on_pdu, r, err,
	    sizeof(err));
}

/* Line i of the output, parsed. */
static json_t *
out_line(struct rig *r, int i)
{
	const char *s;
	json_error_t e;

	fflush(r->f);
	s = r->buf;
	for (; i > 0; i--) {
		s = strchr(s, '\n');
		assert_non_null(s);
		s++;
	}
	json_t *j = json_loadb(s, strcspn(s, "\n"), 0, &e);
	assert_non_null(j);
	return j;
}

static void
expect_line(struct rig *r, int i, const char *kind, long long off, long long seq)
{
	json_t *j = out_line(r, i);

	assert_string_equal(json_string_value(json_object_get(j, "kind")), kind);
	assert_int_equal(json_integer_value(json_object_get(j, "offset")), off);
	assert_int_equal(json_integer_value(json_object_get(j, "conn")), 5);
	assert_string_equal(json_string_value(json_object_get(j, "listen")), "L");
	if (seq >= 0)
		assert_int_equal(json_integer_value(json_object_get(j, "seq")), seq);
	json_decref(j);
}

static size_t
lines(struct rig *r)
{
	size_t n = 0;

	fflush(r->f);
	for (size_t i = 0; i < r->len; i++)
		n += r->buf[i] == '\n';
	return n;
}

/* IRI seq 0, CC seq 0, keep-alive seq 9, CC seq 1; returns the offsets too. */
static size_t
three_plus_one(uint8_t *s, size_t off[4])
{
	static const uint8_t pkt[300] = { 0x45 };
	struct etsi_tmpl t;
	uint8_t b[MKPDU_MAX];
	size_t n = 0, k;

	mkpdu_tmpl(&t, "LI-1", 4, 1, 42);
	off[0] = n;
	k = mkpdu_ipiri(b, &t, 0, ETSI_IRI_BEGIN, ETSI_AE_SESSION_START);
	memcpy(s + n, b, k);
	n += k;
	off[1] = n;
	k = mkpdu_ipcc(b, &t, 0, ETSI_FROM_TARGET, pkt, sizeof(pkt));
	memcpy(s + n, b, k);
	n += k;
	off[2] = n;
	k = mkpdu_keepalive(b, &t, 9, 0);
	memcpy(s + n, b, k);
	n += k;
	off[3] = n;
	k = mkpdu_ipcc(b, &t, 1, ETSI_TO_TARGET, pkt, 20);
	memcpy(s + n, b, k);
	return n + k;
}

static void
check_four(struct rig *r, const size_t off[4])
{
	assert_int_equal(lines(r), 4);
	expect_line(r, 0, "IRI", (long long)off[0], 0);
	expect_line(r, 1, "CC", (long long)off[1], 0);
	expect_line(r, 2, "KEEPALIVE", (long long)off[2], 9);
	expect_line(r, 3, "CC", (long long)off[3], 1);
	assert_int_equal(r->calls, 4);
	assert_int_equal(r->seqs[2], 9);
	assert_int_equal(r->sink.pdus, 4);
	assert_int_equal(r->sink.errors, 0);
}

static void
whole(void **state)
{
	uint8_t s[4 * MKPDU_MAX];
	size_t off[4], n = three_plus_one(s, off);
	struct rig r;
	char err[64];

	(void)state;
	rig_init(&r);
	assert_int_equal(feed(&r, s, n), 0);
	check_four(&r, off);
	assert_int_equal(lemf_stream_end(&r.st, &r.sink, err, sizeof(err)), 0);
	assert_int_equal(r.st.offset, n);
	rig_free(&r);
}

/* Two pieces, cut at every byte boundary. */
static void
every_cut(void **state)
{
	uint8_t s[4 * MKPDU_MAX];
	size_t off[4], n = three_plus_one(s, off);

	(void)state;
	for (size_t cut = 0; cut <= n; cut++) {
		struct rig r;
		char err[64];

		rig_init(&r);
		assert_int_equal(feed(&r, s, cut), 0);
		assert_int_equal(feed(&r, s + cut, n - cut), 0);
		check_four(&r, off);
		assert_int_equal(lemf_stream_end(&r.st, &r.sink, err,
		    sizeof(err)), 0);
		rig_free(&r);
	}
}

static void
byte_by_byte(void **state)
{
	uint8_t s[4 * MKPDU_MAX];
	size_t off[4], n = three_plus_one(s, off);
	struct rig r;

	(void)state;
	rig_init(&r);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(feed(&r, s + i, 1), 0);
	check_four(&r, off);
	rig_free(&r);
}

/* Garbage after two good PDUs in the same piece: an ERROR at its offset. */
static void
garbage_after_good(void **state)
{
	uint8_t s[4 * MKPDU_MAX];
	size_t off[4];
	struct rig r;
	char err[256];
	json_t *j;

	(void)state;
	three_plus_one(s, off);
	s[off[2]] = 0x31;
	rig_init(&r);
	assert_int_equal(lemf_stream_feed(&r.st, &r.sink, s, off[3], on_pdu, &r,
	    err, sizeof(err)), -1);
	assert_true(strlen(err) > 0);
	assert_int_equal(lines(&r), 3);
	expect_line(&r, 2, "ERROR", (long long)off[2], -1);
	j = out_line(&r, 2);
	assert_string_equal(json_string_value(json_object_get(j, "error")), err);
	json_decref(j);
	assert_int_equal(r.sink.errors, 1);
	assert_int_equal(r.calls, 2);
	/* the stream is dead: nothing more is taken */
	assert_int_equal(feed(&r, s, off[1]), -1);
	assert_int_equal(lines(&r), 3);
	assert_int_equal(lemf_stream_end(&r.st, &r.sink, err, sizeof(err)), -1);
	assert_int_equal(lines(&r), 3);
	rig_free(&r);
}

/* Framed fine but not a PS-PDU inside; and bad framing while buffered. */
static void
bad_contents(void **state)
{
	static const uint8_t junk[] = { 0x30, 0x03, 0x02, 0x01, 0x00 };
	static const uint8_t longlen[] = { 0x30, 0x81, 0x05 };
	static const uint8_t indef[] = { 0x30, 0x80, 0x00, 0x00 };
	struct rig r;

	(void)state;
	rig_init(&r);
	assert_int_equal(feed(&r, junk, 2), 0);
	assert_int_equal(feed(&r, junk + 2, 3), -1);
	assert_int_equal(lines(&r), 1);
	expect_line(&r, 0, "ERROR", 0, -1);
	rig_free(&r);

	rig_init(&r);
	assert_int_equal(feed(&r, longlen, 1), 0);
	assert_int_equal(feed(&r, longlen + 1, 2), -1);
	expect_line(&r, 0, "ERROR", 0, -1);
	rig_free(&r);

	rig_init(&r);
	assert_int_equal(feed(&r, indef, sizeof(indef)), -1);
	expect_line(&r, 0, "ERROR", 0, -1);
	assert_int_equal(r.sink.errors, 1);
	rig_free(&r);
}

static void
ends_inside_a_pdu(void **state)
{
	uint8_t s[4 * MKPDU_MAX];
	size_t off[4];
	struct rig r;
	char err[256];

	(void)state;
	three_plus_one(s, off);
	rig_init(&r);
	assert_int_equal(feed(&r, s, off[1] + 10), 0);
	assert_int_equal(lemf_stream_end(&r.st, &r.sink, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "10 bytes"));
	assert_int_equal(lines(&r), 2);
	expect_line(&r, 1, "ERROR", (long long)off[1], -1);
	rig_free(&r);
}

static void
sequence_accounting(void **state)
{
	uint8_t s[4 * MKPDU_MAX];
	size_t off[4], n = three_plus_one(s, off);
	struct rig r;
	struct seqtrack_stat ss;

	(void)state;
	rig_init(&r);
	assert_int_equal(feed(&r, s, n), 0);
	assert_int_equal(feed(&r, s + off[3], n - off[3]), 0);
	assert_int_equal(seqtrack_streams(r.sink.st), 2);
	assert_int_equal(seqtrack_get(r.sink.st, "LI-1", 4, 1, 42, SEQTRACK_CC,
	    &ss), 0);
	assert_int_equal(ss.count, 3);
	assert_int_equal(ss.dups, 1);
	assert_int_equal(ss.gaps, 0);
	rig_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(whole),
		cmocka_unit_test(every_cut),
		cmocka_unit_test(byte_by_byte),
		cmocka_unit_test(garbage_after_good),
		cmocka_unit_test(bad_contents),
		cmocka_unit_test(ends_inside_a_pdu),
		cmocka_unit_test(sequence_accounting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
