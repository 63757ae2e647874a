/* test_voip.c - the VoIP engine on generated IP packets: records decoded and checked field by field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "etsi/decode.h"
#include "session/sip/voip.h"
#include "callgen.h"

#define MAXR	64

struct rec {
	uint32_t warrant;
	int is_cc;
	struct etsi_pdu p;
	uint8_t *der;		/* the decoded fields point in here */
};

static struct rec recs[MAXR];
static unsigned nrec;

static void
on_record(void *ctx, uint32_t warrant, int is_cc, const uint8_t *b, size_t len)
{
	struct rec *r = &recs[nrec < MAXR ? nrec : MAXR - 1];
	char err[200];

	(void)ctx;
	assert_true(nrec < MAXR);
	r->warrant = warrant;
	r->is_cc = is_cc;
	r->der = malloc(len);
	assert_non_null(r->der);
	memcpy(r->der, b, len);
	if (etsi_pdu_decode(r->der, len, &r->p, err, sizeof(err)) != 0)
		fail_msg("record %u does not decode: %s", nrec, err);
	nrec++;
}

static void
clear(void)
{
	for (unsigned i = 0; i < nrec && i < MAXR; i++)
		free(recs[i].der);
	nrec = 0;
}

static struct sipcall_target tg[4];
static struct voip_warrant wr[4];
static const uint8_t key16[16] = "voip-test-key-16";

static struct voip *
engine(const char *const *ids, unsigned n)
{
	static const char *const liids[] = { "LIID-A", "LIID-B", "LIID-C", "LIID-D" };
	struct voip_cfg c = {
		.calls = { .max_calls = 64, .targets = tg, .ntargets = n,
		    .hash_key = key16, .first_cin = 500 },
		.warrants = wr, .nwarrants = n, .record = on_record,
	};
	struct voip *v;

	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(sipcall_target_parse(ids[i], strlen(ids[i]), &tg[i],
		    NULL, 0), 0);
		tg[i].warrant = i;
		tg[i].from_ok = 1;
		memset(&wr[i], 0, sizeof(wr[i]));
		wr[i].id = (struct etsi_ident){ .pspdu_version = 40,
		    .liid = liids[i], .liid_len = strlen(liids[i]), .operator_id = "OP" };
		wr[i].content = VOIP_IRI | VOIP_CC;
	}
	v = voip_new(&c);
	assert_non_null(v);
	clear();
	return v;
}

static uint8_t pkt[70000];
static int64_t now = (int64_t)1700000000 * 1000000;

static void
addr(const char *a, uint8_t *out)
{
	assert_int_equal(inet_pton(strchr(a, ':') ? AF_INET6 : AF_INET, a, out), 1);
}

/* An IPv4 (or IPv6) UDP datagram around pay; fragments if frag > 0 (payload bytes per fragment). */
static void
udp(struct voip *v, const char *src, unsigned sport, const char *dst, unsigned dport,
    const void *pay, size_t len, size_t frag)
{
	uint8_t dg[70000];
	size_t dl = 8 + len, off = 0;
	int v6 = strchr(src, ':') != NULL;

	dg[0] = (uint8_t)(sport >> 8);
	dg[1] = (uint8_t)sport;
	dg[2] = (uint8_t)(dport >> 8);
	dg[3] = (uint8_t)dport;
	dg[4] = (uint8_t)(dl >> 8);
	dg[5] = (uint8_t)dl;
	dg[6] = dg[7] = 0;
	memcpy(dg + 8, pay, len);
	if (frag == 0)
		frag = dl;
	while (off < dl) {
		size_t n = dl - off < frag ? dl - off : frag, hl = v6 ? 40 : 20;
		int more = off + n < dl, fragmented = frag < dl;

		memset(pkt, 0, 48);
		if (v6) {
			pkt[0] = 0x60;
			addr(src, pkt + 8);
			addr(dst, pkt + 24);
			pkt[7] = 64;
			if (fragmented) {
				uint16_t fo = (uint16_t)(off | (size_t)more);

				pkt[6] = 44;
				pkt[40] = 17;
				pkt[42] = (uint8_t)(fo >> 8);
				pkt[43] = (uint8_t)fo;
				pkt[47] = 7;
				hl = 48;
			} else
				pkt[6] = 17;
			pkt[4] = (uint8_t)((hl - 40 + n) >> 8);
			pkt[5] = (uint8_t)(hl - 40 + n);
		} else {
			uint16_t fo = (uint16_t)(off / 8 | (more ? 0x2000 : 0));

			pkt[0] = 0x45;
			pkt[2] = (uint8_t)((20 + n) >> 8);
			pkt[3] = (uint8_t)(20 + n);
			pkt[5] = 7;
			pkt[6] = (uint8_t)(fo >> 8);
			pkt[7] = (uint8_t)fo;
			pkt[8] = 64;
			pkt[9] = 17;
			addr(src, pkt + 12);
			addr(dst, pkt + 16);
		}
		memcpy(pkt + hl, dg + off, n);
		voip_packet(v, pkt, hl + n, now);
		off += n;
	}
	now += 1000;
}

/* A TCP segment of an IPv4 flow. */
static void
tcp(struct voip *v, const char *src, unsigned sport, const char *dst, unsigned dport,
    uint32_t seq, uint8_t flags, const void *pay, size_t len)
{
	memset(pkt, 0, 40);
	pkt[0] = 0x45;
	pkt[2] = (uint8_t)((40 + len) >> 8);
	pkt[3] = (uint8_t)(40 + len);
	pkt[8] = 64;
	pkt[9] = 6;
	addr(src, pkt + 12);
	addr(dst, pkt + 16);
	pkt[20] = (uint8_t)(sport >> 8);
	pkt[21] = (uint8_t)sport;
	pkt[22] = (uint8_t)(dport >> 8);
	pkt[23] = (uint8_t)dport;
	pkt[24] = (uint8_t)(seq >> 24);
	pkt[25] = (uint8_t)(seq >> 16);
	pkt[26] = (uint8_t)(seq >> 8);
	pkt[27] = (uint8_t)seq;
	pkt[32] = 5 << 4;
	pkt[33] = flags;
	if (len > 0)
		memcpy(pkt + 40, pay, len);
	voip_packet(v, pkt, 40 + len, now);
	now += 1000;
}

#define A	"192.0.2.1"	/* the caller's host */
#define B	"198.51.100.2"	/* the callee's host */

static char msg[8192], offer[512], answer[512];
static struct dlg D;

static void
reset_dlg(void)
{
	D = (struct dlg){ "v1@192.0.2.1", "sip:alice@a.example", "ta",
	    "sip:bob@b.example", NULL, 1 };
	gen_sdp(offer, sizeof(offer), "IP4", A, 4000, NULL);
	gen_sdp(answer, sizeof(answer), "IP4", B, 5000, NULL);
}

/* Record i: an IRI of warrant w, CIN, seq, type, carrying the SIP message m. */
static void
iri(unsigned i, uint32_t w, uint32_t cin, uint32_t seq, int type, const char *m)
{
	const struct etsi_pdu *p = &recs[i].p;

	assert_true(i < nrec);
	assert_int_equal(recs[i].warrant, w);
	assert_int_equal(recs[i].is_cc, 0);
	assert_int_equal(p->kind, ETSI_KIND_IRI);
	assert_int_equal(p->iri_content, 11);
	assert_int_equal(p->objid_version, ETSI_IPMM_VERSION);
	assert_int_equal(p->cin, cin);
	assert_int_equal(p->seq, seq);
	assert_int_equal(p->iri_type, type);
	assert_int_equal(p->ipmm_alt, 1);
	if (m != NULL) {
		assert_int_equal(p->sip_len, strlen(m));
		assert_memory_equal(p->sip, m, p->sip_len);
	} else
		assert_int_equal(p->sip_len, 0);
}

static void
cc(unsigned i, uint32_t w, uint32_t cin, uint32_t seq, int dir, const char *rtp)
{
	const struct etsi_pdu *p = &recs[i].p;

	assert_true(i < nrec);
	assert_int_equal(recs[i].warrant, w);
	assert_int_equal(recs[i].is_cc, 1);
	assert_int_equal(p->kind, ETSI_KIND_CC);
	assert_int_equal(p->cc_content, 12);
	assert_int_equal(p->cin, cin);
	assert_int_equal(p->seq, seq);
	assert_int_equal(p->dir, dir);
	assert_int_equal(p->frame_type, 2);
	assert_int_equal(p->mmcc_protocol, 0);
	assert_int_equal(p->stream_id_len, 1);
	assert_int_equal(p->stream_id[0], '0');
	assert_int_equal(p->payload_len, strlen(rtp));
	assert_memory_equal(p->payload, rtp, p->payload_len);
}

/* A whole call over UDP with RTP both ways, RTCP, a retransmitted INVITE, unrelated traffic. */
static void
test_call_udp(void **state)
{
	static const char *const ids[] = { "sip:bob@b.example" };
	struct voip *v = engine(ids, 1);
	char inv[8192];

	(void)state;
	reset_dlg();
	gen_req(inv, sizeof(inv), "INVITE", &D, 0, 1, NULL, offer);
	udp(v, A, 5060, B, 5060, inv, strlen(inv), 0);
	udp(v, A, 5060, B, 5060, inv, strlen(inv), 0);		/* retransmitted */
	D.callee_tag = "tb";
	gen_resp(msg, sizeof(msg), 200, "OK", &D, 0, 1, "INVITE", NULL, answer);
	udp(v, B, 5060, A, 5060, msg, strlen(msg), 0);
	udp(v, A, 4000, B, 5000, "rtp-a1", 6, 0);
	udp(v, B, 5000, A, 4000, "rtp-b1", 6, 0);
	udp(v, B, 5001, A, 4001, "rtcp-b", 6, 0);
	udp(v, A, 4000, "203.0.113.1", 7000, "other", 5, 0);	/* symmetric: A's port */
	udp(v, "203.0.113.5", 4000, "203.0.113.6", 5000, "none", 4, 0);
	gen_req(inv, sizeof(inv), "BYE", &D, 1, 2, NULL, NULL);
	udp(v, B, 5060, A, 5060, inv, strlen(inv), 0);
	gen_resp(msg, sizeof(msg), 200, "OK", &D, 1, 2, "BYE", NULL, NULL);
	udp(v, A, 5060, B, 5060, msg, strlen(msg), 0);
	udp(v, A, 4000, B, 5000, "rtp-a2", 6, 0);		/* after the end */
	assert_int_equal(nrec, 9);
	gen_req(inv, sizeof(inv), "INVITE", &D, 0, 1, NULL, offer);	/* D has the tag now */
	D.callee_tag = NULL;
	gen_req(inv, sizeof(inv), "INVITE", &D, 0, 1, NULL, offer);
	iri(0, 0, 500, 0, ETSI_IRI_BEGIN, inv);
	iri(1, 0, 500, 1, ETSI_IRI_CONTINUE, inv);
	D.callee_tag = "tb";
	gen_resp(inv, sizeof(inv), 200, "OK", &D, 0, 1, "INVITE", NULL, answer);
	iri(2, 0, 500, 2, ETSI_IRI_CONTINUE, inv);
	cc(3, 0, 500, 0, ETSI_TO_TARGET, "rtp-a1");
	cc(4, 0, 500, 1, ETSI_FROM_TARGET, "rtp-b1");
	cc(5, 0, 500, 2, ETSI_FROM_TARGET, "rtcp-b");
	cc(6, 0, 500, 3, ETSI_TO_TARGET, "other");
	gen_req(inv, sizeof(inv), "BYE", &D, 1, 2, NULL, NULL);
	iri(7, 0, 500, 3, ETSI_IRI_CONTINUE, inv);
	iri(8, 0, 500, 4, ETSI_IRI_END, msg);
	/* the IRI says where the message went */
	assert_int_equal(recs[7].p.sip_src.family, 4);
	assert_memory_equal(recs[7].p.sip_src.addr, "\xc6\x33\x64\x02", 4);
	assert_memory_equal(recs[7].p.sip_dst.addr, "\xc0\x00\x02\x01", 4);
	assert_int_equal(recs[0].p.liid_len, 6);
	assert_memory_equal(recs[0].p.liid, "LIID-A", 6);
	clear();
	voip_free(v);
}

/* Two targets in one call; re-INVITE moves media; the call never sends BYE. */
static void
test_two_targets_move_timeout(void **state)
{
	static const char *const ids[] = { "sip:bob@b.example", "sip:alice@*" };
	struct voip *v = engine(ids, 2);
	char moved[512];

	(void)state;
	reset_dlg();
	gen_req(msg, sizeof(msg), "INVITE", &D, 0, 1, NULL, offer);
	udp(v, A, 5060, B, 5060, msg, strlen(msg), 0);
	iri(0, 0, 500, 0, ETSI_IRI_BEGIN, msg);
	iri(1, 1, 501, 0, ETSI_IRI_BEGIN, msg);
	D.callee_tag = "tb";
	gen_resp(msg, sizeof(msg), 200, "OK", &D, 0, 1, "INVITE", NULL, answer);
	udp(v, B, 5060, A, 5060, msg, strlen(msg), 0);
	assert_int_equal(nrec, 4);
	iri(2, 0, 500, 1, ETSI_IRI_CONTINUE, msg);
	iri(3, 1, 501, 1, ETSI_IRI_CONTINUE, msg);
	udp(v, A, 4000, B, 5000, "x", 1, 0);
	assert_int_equal(nrec, 6);
	cc(4, 0, 500, 0, ETSI_TO_TARGET, "x");
	cc(5, 1, 501, 0, ETSI_FROM_TARGET, "x");
	/* the callee moves; its old address is nobody's */
	gen_sdp(moved, sizeof(moved), "IP6", "2001:db8::b", 6000, NULL);
	gen_req(msg, sizeof(msg), "INVITE", &D, 1, 7, NULL, moved);
	udp(v, B, 5060, A, 5060, msg, strlen(msg), 0);
	assert_int_equal(nrec, 8);
	udp(v, "203.0.113.7", 1, B, 5000, "old", 3, 0);
	assert_int_equal(nrec, 8);
	udp(v, "2001:db8::a", 4000, "2001:db8::b", 6000, "new", 3, 0);
	assert_int_equal(nrec, 10);
	cc(8, 0, 500, 1, ETSI_TO_TARGET, "new");
	/* nothing more: two hours later, End without a message for each CIN */
	voip_tick(v, now + (int64_t)7201 * 1000000);
	assert_int_equal(nrec, 12);
	iri(10, 0, 500, 3, ETSI_IRI_END, NULL);
	iri(11, 1, 501, 3, ETSI_IRI_END, NULL);
	clear();
	voip_free(v);
}

/* SIP over UDP in IP fragments (IPv4 and IPv6), and over TCP split across segments. */
static void
test_fragments_and_tcp(void **state)
{
	static const char *const ids[] = { "sip:bob@b.example" };
	struct voip *v = engine(ids, 1);
	char inv[8192], pad[2600];
	size_t n;

	(void)state;
	reset_dlg();
	memset(pad, 'p', sizeof(pad) - 3);
	memcpy(pad + sizeof(pad) - 3, "\r\n", 3);
	{
		char extra[2700];

		snprintf(extra, sizeof(extra), "X-Pad: %s", pad);
		gen_req(inv, sizeof(inv), "INVITE", &D, 0, 1, extra, offer);
	}
	n = strlen(inv);
	assert_true(n > 2500 && n < 8000);
	udp(v, A, 5060, B, 5060, inv, n, 1000);			/* IPv4 fragments */
	assert_int_equal(nrec, 1);
	iri(0, 0, 500, 0, ETSI_IRI_BEGIN, inv);
	udp(v, "2001:db8::1", 5060, "2001:db8::2", 5060, inv, n, 800);	/* IPv6 */
	assert_int_equal(nrec, 2);
	iri(1, 0, 500, 1, ETSI_IRI_CONTINUE, inv);
	assert_int_equal(voip_stats(v)->fragments, (n + 8 + 999) / 1000 + (n + 8 + 799) / 800);

	/* TCP: SYN, the 200 in three segments, then ACK and BYE in one */
	D.callee_tag = "tb";
	gen_resp(msg, sizeof(msg), 200, "OK", &D, 0, 1, "INVITE", NULL, answer);
	n = strlen(msg);
	tcp(v, B, 5060, A, 40000, 100, 0x02, NULL, 0);
	tcp(v, B, 5060, A, 40000, 101, 0, msg, 10);
	tcp(v, B, 5060, A, 40000, 111, 0, msg + 10, 200);
	assert_int_equal(nrec, 2);
	tcp(v, B, 5060, A, 40000, 311, 0, msg + 210, n - 210);
	assert_int_equal(nrec, 3);
	iri(2, 0, 500, 2, ETSI_IRI_CONTINUE, msg);
	{
		char two[8192], ack[4096], bye[4096];

		gen_req(ack, sizeof(ack), "ACK", &D, 0, 1, NULL, NULL);
		gen_req(bye, sizeof(bye), "BYE", &D, 0, 2, NULL, NULL);
		snprintf(two, sizeof(two), "%s%s", ack, bye);
		tcp(v, A, 40001, B, 5060, 7, 0x02, NULL, 0);
		tcp(v, A, 40001, B, 5060, 8, 0, two, strlen(two));
		assert_int_equal(nrec, 5);
		iri(3, 0, 500, 3, ETSI_IRI_CONTINUE, ack);
		iri(4, 0, 500, 4, ETSI_IRI_CONTINUE, bye);
	}
	assert_int_equal(voip_stats(v)->sip_tcp, 6);
	clear();
	voip_free(v);
}

/* IRI-only and CC-only warrants; an undecodable SIP message is counted, nothing sent. */
static void
test_content_and_bad(void **state)
{
	static const char *const ids[] = { "sip:bob@b.example", "sip:*@b.example" };
	struct voip *v;

	(void)state;
	v = engine(ids, 2);
	voip_free(v);
	wr[0].content = VOIP_IRI;
	wr[1].content = VOIP_CC;
	{
		struct voip_cfg c = {
			.calls = { .max_calls = 8, .targets = tg, .ntargets = 2,
			    .hash_key = key16, .first_cin = 1 },
			.warrants = wr, .nwarrants = 2, .record = on_record,
		};

		v = voip_new(&c);
		assert_non_null(v);
	}
	reset_dlg();
	gen_req(msg, sizeof(msg), "INVITE", &D, 0, 1, NULL, offer);
	udp(v, A, 5060, B, 5060, msg, strlen(msg), 0);
	D.callee_tag = "tb";
	gen_resp(msg, sizeof(msg), 200, "OK", &D, 0, 1, "INVITE", NULL, answer);
	udp(v, B, 5060, A, 5060, msg, strlen(msg), 0);
	udp(v, A, 4000, B, 5000, "m", 1, 0);
	assert_int_equal(nrec, 3);
	assert_int_equal(recs[0].warrant, 0);
	assert_int_equal(recs[1].warrant, 0);
	assert_int_equal(recs[2].warrant, 1);
	assert_int_equal(recs[2].is_cc, 1);
	assert_int_equal(recs[2].p.cin, 2);
	assert_int_equal(recs[2].p.seq, 0);
	udp(v, A, 5060, B, 5060, "NOT SIP\r\n\r\n", 11, 0);
	udp(v, A, 5060, B, 5060, "", 0, 0);
	assert_int_equal(nrec, 3);
	assert_int_equal(sipcalls_stats(voip_calls(v))->err[-SIP_E_START_LINE], 1);
	/* truncated IP headers */
	assert_int_equal(voip_packet(v, (const uint8_t *)"\x45\x00", 2, now), 0);
	assert_int_equal(voip_packet(v, (const uint8_t *)"\x45\x00\x00\xff", 4, now), 0);
	assert_int_equal(voip_stats(v)->not_ip, 2);
	clear();
	voip_free(v);
}

static int64_t window_open;

static int
on_active(void *ctx, uint32_t w, int64_t ts)
{
	(void)ctx;
	return w != 0 || (ts >= window_open && ts < window_open + 100000);
}

/* A warrant's window: nothing before it, Begin at its first message inside, End after it. */
static void
test_window(void **state)
{
	static const char *const ids[] = { "sip:bob@b.example" };
	struct voip *v;
	struct voip_cfg c = {
		.calls = { .max_calls = 8, .targets = tg, .ntargets = 1, .hash_key = key16,
		    .first_cin = 1 },
		.warrants = wr, .nwarrants = 1, .record = on_record, .active = on_active,
	};

	(void)state;
	voip_free(engine(ids, 1));
	v = voip_new(&c);
	assert_non_null(v);
	reset_dlg();
	gen_req(msg, sizeof(msg), "INVITE", &D, 0, 1, NULL, offer);
	window_open = now + 1500;
	udp(v, A, 5060, B, 5060, msg, strlen(msg), 0);		/* before the window */
	D.callee_tag = "tb";
	gen_resp(msg, sizeof(msg), 200, "OK", &D, 0, 1, "INVITE", NULL, answer);
	udp(v, B, 5060, A, 5060, msg, strlen(msg), 0);
	assert_int_equal(nrec, 0);
	now = window_open;
	udp(v, A, 4000, B, 5000, "in", 2, 0);
	gen_req(msg, sizeof(msg), "ACK", &D, 0, 1, NULL, NULL);
	udp(v, A, 5060, B, 5060, msg, strlen(msg), 0);
	assert_int_equal(nrec, 2);
	cc(0, 0, 1, 0, ETSI_TO_TARGET, "in");
	iri(1, 0, 1, 0, ETSI_IRI_BEGIN, msg);
	now = window_open + 200000;				/* closed again */
	udp(v, A, 4000, B, 5000, "out", 3, 0);
	gen_req(msg, sizeof(msg), "BYE", &D, 0, 2, NULL, NULL);
	udp(v, A, 5060, B, 5060, msg, strlen(msg), 0);
	assert_int_equal(nrec, 2);
	gen_resp(msg, sizeof(msg), 200, "OK", &D, 0, 2, "BYE", NULL, NULL);
	udp(v, B, 5060, A, 5060, msg, strlen(msg), 0);
	assert_int_equal(nrec, 3);
	iri(2, 0, 1, 1, ETSI_IRI_END, msg);
	clear();
	voip_free(v);
}

/* Warrants by slot (NULL: a slot no warrant holds) and their targets, as a reload builds them. */
static struct voip_ids *
ids_of(struct voip *v, const char *const *uris, const char *const *liids, unsigned n)
{
	struct voip_warrant w[8];
	struct sipcall_target t[8];
	struct voip_ids *ids;
	unsigned nt = 0;

	assert_true(n <= 8);
	memset(w, 0, sizeof(w));
	for (unsigned i = 0; i < n; i++) {
		if (uris[i] == NULL)
			continue;
		assert_int_equal(sipcall_target_parse(uris[i], strlen(uris[i]), &t[nt],
		    NULL, 0), 0);
		t[nt].warrant = i;
		t[nt++].from_ok = 1;
		w[i].id = (struct etsi_ident){ .pspdu_version = 40, .liid = liids[i],
		    .liid_len = strlen(liids[i]), .operator_id = "OP" };
		w[i].content = VOIP_IRI | VOIP_CC;
	}
	ids = voip_ids_new(v, w, n, t, nt);
	assert_non_null(ids);
	return ids;
}

static void
liid_is(unsigned i, const char *liid)
{
	assert_int_equal(recs[i].p.liid_len, strlen(liid));
	assert_memory_equal(recs[i].p.liid, liid, strlen(liid));
}

/*
 * Live reloads: a kept warrant keeps its call, CIN and sequence numbers; a
 * dropped one gets its End at once and nothing after, while the other on
 * the same call goes on; a new one takes new calls and joins a running call
 * at its next message; a call whose last warrant is dropped ends.
 */
static void
test_reload(void **state)
{
	static const char *const ids[] = { "sip:bob@b.example", "sip:alice@*" };
	static const char *const u1[] = { "sip:bob@b.example", NULL, "sip:carl@c.example" },
	    *const l1[] = { "LIID-A", NULL, "LIID-C" },
	    *const u2[] = { "sip:bob@b.example", NULL, NULL, "sip:alice@*" },
	    *const l2[] = { "LIID-A", NULL, NULL, "LIID-D" };
	static const uint8_t end1[] = { 0, 1 }, end2[] = { 0, 0, 1 };
	struct voip *v = engine(ids, 2);
	struct dlg d2 = { "v2@203.0.113.10", "sip:dave@d.example", "td",
	    "sip:carl@c.example", NULL, 1 };
	struct dlg d3 = { "v3@192.0.2.1", "sip:alice@a.example", "t3",
	    "sip:dan@e.example", NULL, 1 };
	char m2[8192];

	(void)state;
	reset_dlg();
	gen_req(msg, sizeof(msg), "INVITE", &D, 0, 1, NULL, offer);
	udp(v, A, 5060, B, 5060, msg, strlen(msg), 0);
	D.callee_tag = "tb";
	gen_resp(msg, sizeof(msg), 200, "OK", &D, 0, 1, "INVITE", NULL, answer);
	udp(v, B, 5060, A, 5060, msg, strlen(msg), 0);
	udp(v, A, 4000, B, 5000, "x", 1, 0);
	assert_int_equal(nrec, 6);
	cc(5, 1, 501, 0, ETSI_FROM_TARGET, "x");

	/* alice's warrant (slot 1) ends, carl's comes in as slot 2 */
	voip_ids_free(voip_ids_swap(v, ids_of(v, u1, l1, 3), end1, 2, now));
	assert_int_equal(nrec, 7);
	iri(6, 1, 501, 2, ETSI_IRI_END, NULL);
	liid_is(6, "LIID-B");
	udp(v, A, 4000, B, 5000, "y", 1, 0);
	assert_int_equal(nrec, 8);
	cc(7, 0, 500, 1, ETSI_TO_TARGET, "y");
	gen_req(m2, sizeof(m2), "INVITE", &d2, 0, 1, NULL, NULL);
	udp(v, "203.0.113.10", 5060, "203.0.113.11", 5060, m2, strlen(m2), 0);
	assert_int_equal(nrec, 9);
	iri(8, 2, 502, 0, ETSI_IRI_BEGIN, m2);
	liid_is(8, "LIID-C");
	gen_req(m2, sizeof(m2), "INVITE", &d3, 0, 1, NULL, NULL);	/* alice: nobody's now */
	udp(v, A, 5060, "203.0.113.12", 5060, m2, strlen(m2), 0);
	assert_int_equal(nrec, 9);

	/* carl's warrant ends: the last on its call, which ends; alice's again, as slot 3 */
	voip_ids_free(voip_ids_swap(v, ids_of(v, u2, l2, 4), end2, 3, now));
	assert_int_equal(nrec, 10);
	iri(9, 2, 502, 1, ETSI_IRI_END, NULL);
	d2.callee_tag = "tc";
	gen_resp(m2, sizeof(m2), 180, "Ringing", &d2, 0, 1, "INVITE", NULL, NULL);
	udp(v, "203.0.113.11", 5060, "203.0.113.10", 5060, m2, strlen(m2), 0);
	assert_int_equal(nrec, 10);
	assert_int_equal(sipcalls_stats(voip_calls(v))->err[SIPCALL_E_AFTER_END], 1);
	/* the running call: bob's CIN goes on, alice's new warrant joins at the next message */
	gen_req(msg, sizeof(msg), "ACK", &D, 0, 1, NULL, NULL);
	udp(v, A, 5060, B, 5060, msg, strlen(msg), 0);
	assert_int_equal(nrec, 12);
	iri(10, 0, 500, 2, ETSI_IRI_CONTINUE, msg);
	iri(11, 3, 503, 0, ETSI_IRI_BEGIN, msg);
	liid_is(10, "LIID-A");
	liid_is(11, "LIID-D");
	/* alice's other call, running but untracked, is taken from its next message */
	d3.callee_tag = "te";
	gen_resp(m2, sizeof(m2), 200, "OK", &d3, 0, 1, "INVITE", NULL, NULL);
	udp(v, "203.0.113.12", 5060, A, 5060, m2, strlen(m2), 0);
	assert_int_equal(nrec, 13);
	iri(12, 3, 504, 0, ETSI_IRI_BEGIN, m2);
	udp(v, B, 5000, A, 4000, "z", 1, 0);
	assert_int_equal(nrec, 15);
	cc(13, 0, 500, 2, ETSI_FROM_TARGET, "z");
	cc(14, 3, 503, 0, ETSI_TO_TARGET, "z");
	gen_req(msg, sizeof(msg), "BYE", &D, 1, 2, NULL, NULL);
	udp(v, B, 5060, A, 5060, msg, strlen(msg), 0);
	gen_resp(msg, sizeof(msg), 200, "OK", &D, 1, 2, "BYE", NULL, NULL);
	udp(v, A, 5060, B, 5060, msg, strlen(msg), 0);
	assert_int_equal(nrec, 19);
	iri(17, 0, 500, 4, ETSI_IRI_END, msg);
	iri(18, 3, 503, 2, ETSI_IRI_END, msg);
	assert_int_equal(sipcalls_media_count(voip_calls(v)), 0);
	clear();
	voip_free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_call_udp),
		cmocka_unit_test(test_two_targets_move_timeout),
		cmocka_unit_test(test_fragments_and_tcp),
		cmocka_unit_test(test_content_and_bad),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_reload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
