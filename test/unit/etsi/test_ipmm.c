/* test_ipmm.c - IPMMIRI sIPMessage and IPMMCC records: hand-built DER, limits, decoder and JSON round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "etsi/decode.h"
#include "etsi/etsi.h"
#include "lemf/pdujson.h"
#include "vectors.h"

static const struct etsi_time ts7 = { 1700000000, 123450 };

#define V_SIP8	'I', 'N', 'V', 'I', 'T', 'E', '\r', '\n'
/* IPAddress iPV4 192.0.2.1 / 198.51.100.2 under [0] / [1] */
#define V_SRC4	0xa0, 0x0b, 0x81, 0x01, 0x00, 0xa2, 0x06, 0x81, 0x04, \
	0xc0, 0x00, 0x02, 0x01
#define V_DST4	0xa1, 0x0b, 0x81, 0x01, 0x00, 0xa2, 0x06, 0x81, 0x04, \
	0xc6, 0x33, 0x64, 0x02
/* iPV6 2001:db8::1, iPv6PrefixLength 128 (00 80: positive) */
#define V_SRC6	0xa0, 0x1b, 0x81, 0x01, 0x01, 0xa2, 0x12, 0x81, 0x10, \
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, \
	0x84, 0x02, 0x00, 0x80

/* iRI-Begin, 192.0.2.1 -> 198.51.100.2, "INVITE\r\n", IPMultimedia v17 */
static const uint8_t v_mmiri[] = {
	0x30, 0x81, 0x90, V_HDR7,
	0xa2, 0x39,				/* payload [2] */
	 0xa0, 0x37,				/* iRIPayloadSequence [0] */
	  0x30, 0x35,				/* IRIPayload */
	   0x80, 0x01, 0x01,			/* iRIType iRI-Begin */
	   0xa2, 0x30,				/* iRIContents [2] */
	    0xab, 0x2e,				/* iPMMIRI [11] */
	     0x80, 0x04, 0x05, 0x05, 0x11, 0x01,	/* 5.5.17.1 */
	     0xa1, 0x26,			/* iPMMIRIContents [1] */
	      0xa1, 0x24,			/* sIPMessage [1] */
	       V_SRC4, V_DST4,
	       0x82, 0x08, V_SIP8,		/* sIPContent [2] */
};

/* iRI-End, 2001:db8::1 -> 198.51.100.2, same message */
static const uint8_t v_mmiri6[] = {
	0x30, 0x81, 0xa0, V_HDR7,
	0xa2, 0x49,
	 0xa0, 0x47,
	  0x30, 0x45,
	   0x80, 0x01, 0x02,
	   0xa2, 0x40,
	    0xab, 0x3e,
	     0x80, 0x04, 0x05, 0x05, 0x11, 0x01,
	     0xa1, 0x36,
	      0xa1, 0x34,
	       V_SRC6, V_DST4,
	       0x82, 0x08, V_SIP8,
};

/* The head of v_mmiri's record for a 1000-byte message: every length 82 HH LL. */
static const uint8_t v_mmiri_head1000[] = {
	0x30, 0x82, 0x04, 0x80, V_HDR7,
	0xa2, 0x82, 0x04, 0x27,
	 0xa0, 0x82, 0x04, 0x23,
	  0x30, 0x82, 0x04, 0x1f,
	   0x80, 0x01, 0x01,
	   0xa2, 0x82, 0x04, 0x18,
	    0xab, 0x82, 0x04, 0x14,
	     0x80, 0x04, 0x05, 0x05, 0x11, 0x01,
	     0xa1, 0x82, 0x04, 0x0a,
	      0xa1, 0x82, 0x04, 0x06,
	       V_SRC4, V_DST4,
	       0x82, 0x82, 0x03, 0xe8,
};

#define V_RTP4	0x80, 0x08, 0x00, 0x01
/* fromTarget, RTP 80 08 00 01, rtpFrame, streamIdentifier "a0", rTP */
static const uint8_t v_mmcc[] = {
	0x30, 0x78, V_HDR7,
	0xa2, 0x21,				/* payload [2] */
	 0xa1, 0x1f,				/* cCPayloadSequence [1] */
	  0x30, 0x1d,				/* CCPayload */
	   0x80, 0x01, 0x00,			/* payloadDirection fromTarget */
	   0xa2, 0x18,				/* cCContents [2] */
	    0xac, 0x16,				/* iPMMCC [12] */
	     0x80, 0x04, 0x05, 0x05, 0x11, 0x02,	/* 5.5.17.2 */
	     0x81, 0x04, V_RTP4,		/* mMCCContents [1] */
	     0x82, 0x01, 0x02,			/* frameType rtpFrame */
	     0x83, 0x02, 'a', '0',		/* streamIdentifier [3] */
	     0x84, 0x01, 0x00,			/* mMCCprotocol rTP */
};
#define MMCC_TAIL	10	/* frameType .. mMCCprotocol */

/* The same without streamIdentifier */
static const uint8_t v_mmcc_nosid[] = {
	0x30, 0x74, V_HDR7,
	0xa2, 0x1d, 0xa1, 0x1b, 0x30, 0x19, 0x80, 0x01, 0x00,
	 0xa2, 0x14, 0xac, 0x12,
	  0x80, 0x04, 0x05, 0x05, 0x11, 0x02,
	  0x81, 0x04, V_RTP4,
	  0x82, 0x01, 0x02,
	  0x84, 0x01, 0x00,
};

static const uint8_t sip8[] = { V_SIP8 };
static const uint8_t rtp4[] = { V_RTP4 };

static const struct etsi_ipaddr a_src4 = { 4, 32, 0, { 192, 0, 2, 1 } };
static const struct etsi_ipaddr a_dst4 = { 4, 32, 0, { 198, 51, 100, 2 } };
static const struct etsi_ipaddr a_src6 = { 6, 128, 0,
    { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } };

static struct etsi_tmpl
tmpl(void)
{
	struct etsi_ident id = v_ident();
	struct etsi_tmpl t;

	assert_int_equal(etsi_tmpl_init(&t, &id), 0);
	return t;
}

static struct etsi_sipmsg
sipmsg(void)
{
	struct etsi_sipmsg m = {
		.iri_type = ETSI_IRI_BEGIN, .version = ETSI_IPMM_VERSION,
		.src = a_src4, .dst = a_dst4, .sip_len = sizeof(sip8),
	};

	return m;
}

static struct etsi_mmcc
mmcc(void)
{
	struct etsi_mmcc c = {
		.version = ETSI_IPMM_VERSION, .dir = ETSI_FROM_TARGET,
		.sid = (const uint8_t *)"a0", .sid_len = 2, .pkt_len = sizeof(rtp4),
	};

	return c;
}

/* The record is the last n bytes of buf and equals want. */
#define EXACT(call, buf, want) do { \
	int n_ = (call); \
	assert_int_equal(n_, (int)sizeof(want)); \
	assert_memory_equal((buf) + sizeof(buf) - n_, want, sizeof(want)); \
} while (0)

static void
test_iri_v4(void **state)
{
	struct etsi_tmpl t = tmpl();
	struct etsi_sipmsg m = sipmsg();
	uint8_t buf[600];

	(void)state;
	EXACT(etsi_ipmmiri_encode(buf, sizeof(buf), &t, 7, ts7, &m, sip8), buf,
	    v_mmiri);
	/* exactly the room it needs, and one byte less */
	assert_int_equal(etsi_ipmmiri_encode(buf, sizeof(v_mmiri), &t, 7, ts7,
	    &m, sip8), (int)sizeof(v_mmiri));
	assert_memory_equal(buf, v_mmiri, sizeof(v_mmiri));
	for (size_t cap = 0; cap < sizeof(v_mmiri); cap++)
		assert_int_equal(etsi_ipmmiri_encode(buf, cap, &t, 7, ts7, &m,
		    sip8), -1);
}

static void
test_iri_v6(void **state)
{
	struct etsi_tmpl t = tmpl();
	struct etsi_sipmsg m = sipmsg();
	uint8_t buf[600];

	(void)state;
	m.iri_type = ETSI_IRI_END;
	m.src = a_src6;
	m.src.prefix_len = 0;		/* ignored: a host */
	m.src.assignment = 2;		/* ignored */
	EXACT(etsi_ipmmiri_encode(buf, sizeof(buf), &t, 7, ts7, &m, sip8), buf,
	    v_mmiri6);
}

static void
test_iri_head_long(void **state)
{
	struct etsi_tmpl t = tmpl();
	struct etsi_sipmsg m = sipmsg();
	uint8_t buf[ETSI_IPMM_HEAD_MAX];

	(void)state;
	m.sip_len = 1000;
	EXACT(etsi_ipmmiri_head(buf, sizeof(buf), &t, 7, ts7, &m), buf,
	    v_mmiri_head1000);
}

static void
test_iri_refused(void **state)
{
	struct etsi_tmpl t = tmpl();
	struct etsi_sipmsg m;
	uint8_t buf[600];

	(void)state;
	m = sipmsg(); m.iri_type = 0;
	assert_int_equal(etsi_ipmmiri_encode(buf, sizeof(buf), &t, 7, ts7, &m, sip8), -1);
	m = sipmsg(); m.iri_type = 5;
	assert_int_equal(etsi_ipmmiri_encode(buf, sizeof(buf), &t, 7, ts7, &m, sip8), -1);
	m = sipmsg(); m.version = 0;
	assert_int_equal(etsi_ipmmiri_encode(buf, sizeof(buf), &t, 7, ts7, &m, sip8), -1);
	m = sipmsg(); m.version = 1u << 14;
	assert_int_equal(etsi_ipmmiri_encode(buf, sizeof(buf), &t, 7, ts7, &m, sip8), -1);
	m = sipmsg(); m.src.family = 0;
	assert_int_equal(etsi_ipmmiri_encode(buf, sizeof(buf), &t, 7, ts7, &m, sip8), -1);
	m = sipmsg(); m.dst.family = 5;
	assert_int_equal(etsi_ipmmiri_encode(buf, sizeof(buf), &t, 7, ts7, &m, sip8), -1);
	m = sipmsg();
	assert_int_equal(etsi_ipmmiri_encode(buf, sizeof(buf), &t, 7, ts7, &m, NULL), -1);
	m.sip_len = ETSI_IPMM_CONTENT_MAX + 1;
	assert_int_equal(etsi_ipmmiri_head(buf, sizeof(buf), &t, 7, ts7, &m), -1);
	m = sipmsg();
	assert_int_equal(etsi_ipmmiri_encode(buf, sizeof(buf), &t, 7,
	    (struct etsi_time){ 1700000000, 1000000 }, &m, sip8), -1);
}

/* The End of a call that timed out carries no message: an empty sIPContent. */
static void
test_iri_empty(void **state)
{
	static const uint8_t v[] = {
		0x30, 0x81, 0x88, V_HDR7,
		0xa2, 0x31, 0xa0, 0x2f, 0x30, 0x2d,
		 0x80, 0x01, 0x02,
		 0xa2, 0x28, 0xab, 0x26,
		  0x80, 0x04, 0x05, 0x05, 0x11, 0x01,
		  0xa1, 0x1e, 0xa1, 0x1c, V_SRC4, V_DST4, 0x82, 0x00,
	};
	struct etsi_tmpl t = tmpl();
	struct etsi_sipmsg m = sipmsg();
	struct etsi_pdu p;
	uint8_t buf[600];
	char err[160];

	(void)state;
	m.iri_type = ETSI_IRI_END;
	m.sip_len = 0;
	EXACT(etsi_ipmmiri_encode(buf, sizeof(buf), &t, 7, ts7, &m, NULL), buf, v);
	assert_int_equal(etsi_pdu_decode(v, sizeof(v), &p, err, sizeof(err)), 0);
	assert_int_equal(p.sip_len, 0);
	assert_int_equal(p.ipmm_alt, 1);
}

static void
test_cc(void **state)
{
	struct etsi_tmpl t = tmpl();
	struct etsi_mmcc c = mmcc();
	uint8_t buf[600], tail[ETSI_IPMMCC_TAIL_MAX];
	size_t hl = sizeof(v_mmcc) - sizeof(rtp4) - MMCC_TAIL;
	int n;

	(void)state;
	EXACT(etsi_ipmmcc_encode(buf, sizeof(buf), &t, 7, ts7, &c, rtp4), buf,
	    v_mmcc);
	for (size_t cap = 0; cap < sizeof(v_mmcc); cap++)
		assert_int_equal(etsi_ipmmcc_encode(buf, cap, &t, 7, ts7, &c,
		    rtp4), -1);
	/* head || packet || tail, as a caller with the packet in place builds it */
	n = etsi_ipmmcc_head(buf, sizeof(buf), &t, 7, ts7, &c);
	assert_int_equal(n, (int)hl);
	assert_memory_equal(buf + sizeof(buf) - n, v_mmcc, hl);
	assert_int_equal(etsi_ipmmcc_tail(tail, &c), MMCC_TAIL);
	assert_memory_equal(tail, v_mmcc + sizeof(v_mmcc) - MMCC_TAIL, MMCC_TAIL);
}

static void
test_cc_no_sid(void **state)
{
	struct etsi_tmpl t = tmpl();
	struct etsi_mmcc c = mmcc();
	struct etsi_pdu p;
	uint8_t buf[600];
	char err[160];
	int n;

	(void)state;
	c.sid = NULL;
	c.sid_len = 0;
	n = etsi_ipmmcc_encode(buf, sizeof(buf), &t, 7, ts7, &c, rtp4);
	assert_int_equal(n, (int)sizeof(v_mmcc_nosid));
	assert_memory_equal(buf + sizeof(buf) - n, v_mmcc_nosid, sizeof(v_mmcc_nosid));
	assert_int_equal(etsi_pdu_decode(v_mmcc_nosid, sizeof(v_mmcc_nosid), &p, err,
	    sizeof(err)), 0);
	assert_null(p.stream_id);
	assert_int_equal(p.frame_type, 2);
}

static void
test_cc_refused(void **state)
{
	struct etsi_tmpl t = tmpl();
	struct etsi_mmcc c;
	uint8_t buf[600], tail[ETSI_IPMMCC_TAIL_MAX];
	uint8_t sid[ETSI_IPMM_SID_MAX + 1];

	(void)state;
	memset(sid, 'x', sizeof(sid));
	c = mmcc(); c.dir = 3;
	assert_int_equal(etsi_ipmmcc_encode(buf, sizeof(buf), &t, 7, ts7, &c, rtp4), -1);
	assert_int_equal(etsi_ipmmcc_tail(tail, &c), -1);
	c = mmcc(); c.version = 0;
	assert_int_equal(etsi_ipmmcc_head(buf, sizeof(buf), &t, 7, ts7, &c), -1);
	c = mmcc(); c.sid = sid; c.sid_len = 0;
	assert_int_equal(etsi_ipmmcc_encode(buf, sizeof(buf), &t, 7, ts7, &c, rtp4), -1);
	c.sid_len = ETSI_IPMM_SID_MAX + 1;
	assert_int_equal(etsi_ipmmcc_encode(buf, sizeof(buf), &t, 7, ts7, &c, rtp4), -1);
	c.sid_len = ETSI_IPMM_SID_MAX;
	assert_int_equal(etsi_ipmmcc_tail(tail, &c), ETSI_IPMMCC_TAIL_MAX);
	c = mmcc();
	assert_int_equal(etsi_ipmmcc_encode(buf, sizeof(buf), &t, 7, ts7, &c, NULL), -1);
}

/* Lengths from 127 to 65536 bytes of packet: the decoder reads back what went in. */
static void
test_cc_sizes(void **state)
{
	static const size_t sizes[] = { 0, 1, 100, 127, 128, 200, 255, 256,
	    1400, 65535, 65536, 70000 };
	struct etsi_tmpl t = tmpl();
	struct etsi_mmcc c = mmcc();
	size_t cap = 80000;
	uint8_t *buf = malloc(cap), *pkt = malloc(cap);
	struct etsi_pdu p;
	char err[160];

	(void)state;
	assert_non_null(buf);
	assert_non_null(pkt);
	for (size_t i = 0; i < cap; i++)
		pkt[i] = (uint8_t)(i * 7);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int n;

		c.pkt_len = sizes[i];
		n = etsi_ipmmcc_encode(buf, cap, &t, 9, ts7, &c, pkt);
		assert_true(n > 0);
		assert_int_equal(etsi_pdu_decode(buf + cap - n, (size_t)n, &p,
		    err, sizeof(err)), 0);
		assert_int_equal(p.kind, ETSI_KIND_CC);
		assert_int_equal(p.cc_content, 12);
		assert_int_equal(p.payload_len, sizes[i]);
		if (sizes[i] > 0)
			assert_memory_equal(p.payload, pkt, sizes[i]);

		struct etsi_sipmsg m = sipmsg();

		if (sizes[i] == 0)
			continue;
		m.sip_len = sizes[i];
		n = etsi_ipmmiri_encode(buf, cap, &t, 9, ts7, &m, pkt);
		assert_true(n > 0);
		assert_int_equal(etsi_pdu_decode(buf + cap - n, (size_t)n, &p,
		    err, sizeof(err)), 0);
		assert_int_equal(p.sip_len, sizes[i]);
		assert_memory_equal(p.sip, pkt, sizes[i]);
	}
	free(buf);
	free(pkt);
}

static void
test_decode_iri(void **state)
{
	struct etsi_pdu p;
	char err[160];

	(void)state;
	assert_int_equal(etsi_pdu_decode(v_mmiri, sizeof(v_mmiri), &p, err,
	    sizeof(err)), 0);
	assert_int_equal(p.kind, ETSI_KIND_IRI);
	assert_int_equal(p.iri_type, ETSI_IRI_BEGIN);
	assert_int_equal(p.iri_content, 11);
	assert_int_equal(p.objid_version, 17);
	assert_int_equal(p.seq, 7);
	assert_int_equal(p.cin, 1234);
	assert_int_equal(p.ipmm_alt, 1);
	assert_int_equal(p.sip_src.family, 4);
	assert_memory_equal(p.sip_src.addr, a_src4.addr, 4);
	assert_memory_equal(p.sip_dst.addr, a_dst4.addr, 4);
	assert_int_equal(p.sip_len, 8);
	assert_ptr_equal(p.sip, v_mmiri + sizeof(v_mmiri) - 8);
	assert_int_equal(p.frame_type, -1);

	assert_int_equal(etsi_pdu_decode(v_mmiri6, sizeof(v_mmiri6), &p, err,
	    sizeof(err)), 0);
	assert_int_equal(p.iri_type, ETSI_IRI_END);
	assert_int_equal(p.sip_src.family, 6);
	assert_int_equal(p.sip_src.prefix_len, 128);
	assert_memory_equal(p.sip_src.addr, a_src6.addr, 16);
}

static void
test_decode_cc(void **state)
{
	struct etsi_pdu p;
	char err[160];

	(void)state;
	assert_int_equal(etsi_pdu_decode(v_mmcc, sizeof(v_mmcc), &p, err,
	    sizeof(err)), 0);
	assert_int_equal(p.kind, ETSI_KIND_CC);
	assert_int_equal(p.dir, ETSI_FROM_TARGET);
	assert_int_equal(p.cc_content, 12);
	assert_int_equal(p.objid_version, 17);
	assert_int_equal(p.payload_len, 4);
	assert_memory_equal(p.payload, rtp4, 4);
	assert_int_equal(p.frame_type, 2);
	assert_int_equal(p.mmcc_protocol, 0);
	assert_int_equal(p.stream_id_len, 2);
	assert_memory_equal(p.stream_id, "a0", 2);
	assert_int_equal(p.ipmm_alt, -1);
}

/* One byte of a vector replaced; the decoder must refuse it with why in err. */
static void
refuse_at(const uint8_t *v, size_t n, size_t off, uint8_t to, const char *why)
{
	uint8_t b[256];
	struct etsi_pdu p;
	char err[200];

	assert_true(n <= sizeof(b));
	memcpy(b, v, n);
	b[off] = to;
	memset(err, 0, sizeof(err));
	if (etsi_pdu_decode(b, n, &p, err, sizeof(err)) != -1)
		fail_msg("offset %zu set to %02x: accepted", off, to);
	if (strstr(err, why) == NULL)
		fail_msg("offset %zu: \"%s\" does not say \"%s\"", off, err, why);
}

/* Offsets into v_mmiri and v_mmcc (after 30 81 90 / 30 78 and the 85-byte header). */
#define I0	(3 + 85)
#define IRI_OBJID	(I0 + 13)	/* 80 04 05 05 11 01 */
#define IRI_CONTENTS	(I0 + 19)	/* a1 26 */
#define IRI_SIPMSG	(I0 + 21)	/* a1 24 */
#define IRI_SRC		(I0 + 23)	/* a0 0b */
#define IRI_DST		(I0 + 36)	/* a1 0b */
#define IRI_CONTENT	(I0 + 49)	/* 82 08 */
#define C0	(2 + 85)
#define CC_OBJID	(C0 + 13)
#define CC_CONTENTS	(C0 + 19)	/* 81 04 */
#define CC_FRAME	(C0 + 25)	/* 82 01 02 */
#define CC_SID		(C0 + 28)	/* 83 02 */

static void
test_decode_malformed(void **state)
{
	struct etsi_pdu p;
	char err[200];

	(void)state;
	/* the vectors' offsets are where the comments say */
	assert_int_equal(v_mmiri[IRI_OBJID], 0x80);
	assert_int_equal(v_mmiri[IRI_SIPMSG], 0xa1);
	assert_int_equal(v_mmiri[IRI_SRC], 0xa0);
	assert_int_equal(v_mmiri[IRI_DST], 0xa1);
	assert_int_equal(v_mmiri[IRI_CONTENT], 0x82);
	assert_int_equal(v_mmcc[CC_OBJID], 0x80);
	assert_int_equal(v_mmcc[CC_CONTENTS], 0x81);
	assert_int_equal(v_mmcc[CC_FRAME], 0x82);
	assert_int_equal(v_mmcc[CC_SID], 0x83);

	refuse_at(v_mmiri, sizeof(v_mmiri), IRI_OBJID + 3, 0x03, "5.5.N.1");
	refuse_at(v_mmiri, sizeof(v_mmiri), IRI_OBJID + 5, 0x02, "5.5.N.1");
	refuse_at(v_mmiri, sizeof(v_mmiri), IRI_OBJID, 0xa0, "must be primitive");
	refuse_at(v_mmiri, sizeof(v_mmiri), IRI_SIPMSG, 0x81, "must be constructed");
	refuse_at(v_mmiri, sizeof(v_mmiri), IRI_SRC, 0xa1, "out of order");
	refuse_at(v_mmiri, sizeof(v_mmiri), IRI_DST, 0xa3, "out of order");
	refuse_at(v_mmiri, sizeof(v_mmiri), IRI_CONTENT, 0x83, "sIPContent missing");
	refuse_at(v_mmiri, sizeof(v_mmiri), IRI_CONTENT, 0xa2, "must be primitive");
	refuse_at(v_mmiri, sizeof(v_mmiri), IRI_SRC + 4, 0x01, "does not match iP-type");
	refuse_at(v_mmcc, sizeof(v_mmcc), CC_OBJID + 3, 0x03, "5.5.N.2");
	refuse_at(v_mmcc, sizeof(v_mmcc), CC_CONTENTS, 0x85, "out of order");
	refuse_at(v_mmcc, sizeof(v_mmcc), CC_CONTENTS, 0xa1, "must be primitive");
	refuse_at(v_mmcc, sizeof(v_mmcc), CC_FRAME, 0x80, "out of order");
	refuse_at(v_mmcc, sizeof(v_mmcc), CC_FRAME + 1, 0x00, "");
	refuse_at(v_mmcc, sizeof(v_mmcc), CC_SID, 0xa3, "");

	/* every truncation, and one trailing byte */
	for (size_t n = 0; n < sizeof(v_mmiri); n++)
		assert_int_equal(etsi_pdu_decode(v_mmiri, n, &p, err, sizeof(err)), -1);
	for (size_t n = 0; n < sizeof(v_mmcc); n++)
		assert_int_equal(etsi_pdu_decode(v_mmcc, n, &p, err, sizeof(err)), -1);
	{
		uint8_t b[sizeof(v_mmcc) + 1];

		memcpy(b, v_mmcc, sizeof(v_mmcc));
		b[sizeof(v_mmcc)] = 0;
		assert_int_equal(etsi_pdu_decode(b, sizeof(b), &p, err, sizeof(err)), -1);
	}
}

/* Another IPIRIContents alternative of -5 (originalIPMMMessage [0]) is taken, not read. */
static void
test_decode_other_alt(void **state)
{
	static const uint8_t v[] = {
		0x30, 0x70, V_HDR7,
		0xa2, 0x19, 0xa0, 0x17, 0x30, 0x15, 0x80, 0x01, 0x04,
		 0xa2, 0x10, 0xab, 0x0e,
		  0x80, 0x04, 0x05, 0x05, 0x11, 0x01,
		  0xa1, 0x06, 0x80, 0x04, 0x45, 0x00, 0x00, 0x14,
	};
	struct etsi_pdu p;
	char err[160];

	(void)state;
	assert_int_equal(etsi_pdu_decode(v, sizeof(v), &p, err, sizeof(err)), 0);
	assert_int_equal(p.iri_type, ETSI_IRI_REPORT);
	assert_int_equal(p.ipmm_alt, 0);
	assert_null(p.sip);
}

static char *
json_line(const uint8_t *v, size_t n)
{
	static const struct pdu_origin o = { "file", 0, 0 };
	struct etsi_pdu p;
	char err[160], *s;
	json_t *j;

	assert_int_equal(etsi_pdu_decode(v, n, &p, err, sizeof(err)), 0);
	j = pdujson_pdu(&o, &p);
	assert_non_null(j);
	s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(j);
	assert_non_null(s);
	return s;
}

static void
test_json(void **state)
{
	char *s;

	(void)state;
	s = json_line(v_mmiri, sizeof(v_mmiri));
	assert_non_null(strstr(s, "\"iri_type\":\"begin\",\"iri\":\"iPMMIRI\","
	    "\"objid\":\"5.5.17.1\",\"ipmm\":\"sIPMessage\","
	    "\"sip_src\":\"192.0.2.1\",\"sip_dst\":\"198.51.100.2\","
	    "\"sip\":\"INVITE\\r\\n\"}"));
	free(s);
	s = json_line(v_mmiri6, sizeof(v_mmiri6));
	assert_non_null(strstr(s, "\"sip_src\":\"2001:db8::1\""));
	free(s);
	s = json_line(v_mmcc, sizeof(v_mmcc));
	assert_non_null(strstr(s, "\"dir\":\"fromTarget\",\"cc\":\"iPMMCC\","
	    "\"objid\":\"5.5.17.2\",\"payload_len\":4,\"payload_sha256\":\""));
	assert_non_null(strstr(s, "\",\"frame_type\":\"rtpFrame\","
	    "\"stream_id\":\"a0\",\"mmcc_protocol\":\"rTP\"}"));
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iri_v4),
		cmocka_unit_test(test_iri_v6),
		cmocka_unit_test(test_iri_head_long),
		cmocka_unit_test(test_iri_refused),
		cmocka_unit_test(test_iri_empty),
		cmocka_unit_test(test_cc),
		cmocka_unit_test(test_cc_no_sid),
		cmocka_unit_test(test_cc_refused),
		cmocka_unit_test(test_cc_sizes),
		cmocka_unit_test(test_decode_iri),
		cmocka_unit_test(test_decode_cc),
		cmocka_unit_test(test_decode_malformed),
		cmocka_unit_test(test_decode_other_alt),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
