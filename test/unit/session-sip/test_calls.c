/* test_calls.c - the SIP call tracker: targets, dialogs, CINs, IRI types, timers, media, bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "etsi/etsi.h"
#include "session/sip/calls.h"
#include "callgen.h"

#define MAXEV	64
#define S(x)	((int64_t)(x) * 1000000)

struct ev {
	uint32_t warrant, cin;
	uint8_t type;
	int has_pkt;
	char start[40];		/* the message's first line, cut */
};

static struct ev evs[MAXEV];
static unsigned nev;

static void
on_iri(void *ctx, const struct sipcall_iri *e)
{
	struct ev *v = &evs[nev < MAXEV ? nev : MAXEV - 1];

	(void)ctx;
	nev++;
	memset(v, 0, sizeof(*v));
	v->warrant = e->warrant;
	v->cin = e->cin;
	v->type = e->iri_type;
	v->has_pkt = e->pkt != NULL;
	assert_non_null(e->src);
	assert_non_null(e->dst);
	if (e->pkt != NULL) {
		assert_memory_equal(e->src, &e->pkt->src, sizeof(*e->src));
		assert_memory_equal(e->dst, &e->pkt->dst, sizeof(*e->dst));
	}
	if (e->pkt != NULL) {
		const uint8_t *cr = memchr(e->pkt->msg, '\r', e->pkt->len);
		size_t n = cr ? (size_t)(cr - e->pkt->msg) : e->pkt->len;

		memcpy(v->start, e->pkt->msg, n < sizeof(v->start) - 1 ? n :
		    sizeof(v->start) - 1);
	}
}

static struct dlg D = {
	"c1@192.0.2.1", "sip:alice@a.example", "ta", "sip:bob@b.example", NULL, 1,
};

static struct sipcall_target targets[8];
static unsigned ntargets;

static void
target(uint32_t warrant, const char *s, int from_ok)
{
	char err[200];

	assert_int_equal(sipcall_target_parse(s, strlen(s), &targets[ntargets],
	    err, sizeof(err)), 0);
	targets[ntargets].warrant = warrant;
	targets[ntargets].from_ok = (uint8_t)from_ok;
	ntargets++;
}

static const uint8_t key16[16] = "0123456789abcdef";
static int64_t epref;		/* media_ep's running sum: the endpoints held */

static void
on_ep(void *ctx, const struct sipcall_ep *e, int delta)
{
	(void)ctx;
	assert_true(e->family == 4 || e->family == 6);
	epref += delta;
	assert_true(epref >= 0);
}

static struct sipcalls *
tracker(uint32_t max_calls)
{
	struct sipcalls_cfg cfg = {
		.max_calls = max_calls, .targets = targets, .ntargets = ntargets,
		.hash_key = key16, .first_cin = 100, .iri = on_iri, .media_ep = on_ep,
	};
	struct sipcalls *t = sipcalls_new(&cfg);

	assert_non_null(t);
	nev = 0;
	epref = 0;
	return t;
}

static int
setup(void **state)
{
	(void)state;
	ntargets = 0;
	nev = 0;
	D.callee_tag = NULL;
	memset(targets, 0, sizeof(targets));
	return 0;
}

static struct sipcall_ep
ep(const char *a, unsigned port)
{
	struct sipcall_ep e = { 0 };

	e.family = strchr(a, ':') ? 6 : 4;
	assert_int_equal(inet_pton(e.family == 4 ? AF_INET : AF_INET6, a, e.addr), 1);
	e.port = (uint16_t)port;
	return e;
}

static char buf[8192];
static int64_t now = S(1000);

/* Feeds the message in buf (n bytes), sent by the caller or the callee. */
static int
feed(struct sipcalls *t, size_t n, int from_callee)
{
	struct sipcall_pkt p = {
		.msg = (const uint8_t *)buf, .len = n, .ts_us = now,
		.src = ep(from_callee ? "198.51.100.2" : "192.0.2.1", 5060),
		.dst = ep(from_callee ? "192.0.2.1" : "198.51.100.2", 5060),
	};

	assert_true(n > 0);
	now += 1000;
	return sipcalls_input(t, &p);
}

static int
media(struct sipcalls *t, const char *src, unsigned sport, const char *dst,
    unsigned dport, struct sipcall_hit *h)
{
	struct sipcall_ep s = ep(src, sport), d = ep(dst, dport);

	memset(h, 0, sizeof(*h));
	assert_int_equal(epref, sipcalls_media_count(t));
	return sipcalls_media(t, &s, &d, h);
}

#define EV(i, w, c, ty, st) do { \
	assert_int_equal(evs[i].warrant, (w)); \
	assert_int_equal(evs[i].cin, (c)); \
	assert_int_equal(evs[i].type, (ty)); \
	assert_string_equal(evs[i].start, (st)); \
} while (0)

static char offer[512], answer[512];

static void
sdps(void)
{
	gen_sdp(offer, sizeof(offer), "IP4", "192.0.2.1", 4000, NULL);
	gen_sdp(answer, sizeof(answer), "IP4", "198.51.100.2", 5000, NULL);
}

/* INVITE, 100, 180, 200 with the answer, ACK: each returns want (1: the call is intercepted). */
static void
setup_call_want(struct sipcalls *t, struct dlg *d, int want)
{
	sdps();
	d->callee_tag = NULL;
	assert_int_equal(feed(t, gen_req(buf, sizeof(buf), "INVITE", d, 0, 1, NULL,
	    offer), 0), want);
	assert_int_equal(feed(t, gen_resp(buf, sizeof(buf), 100, "Trying", d, 0, 1,
	    "INVITE", NULL, NULL), 1), want);
	d->callee_tag = "tb";
	assert_int_equal(feed(t, gen_resp(buf, sizeof(buf), 180, "Ringing", d, 0, 1,
	    "INVITE", NULL, NULL), 1), want);
	assert_int_equal(feed(t, gen_resp(buf, sizeof(buf), 200, "OK", d, 0, 1,
	    "INVITE", NULL, answer), 1), want);
	assert_int_equal(feed(t, gen_req(buf, sizeof(buf), "ACK", d, 0, 1, NULL,
	    NULL), 0), want);
}

static void
setup_call(struct sipcalls *t, struct dlg *d)
{
	setup_call_want(t, d, 1);
}

static void
test_basic_call(void **state)
{
	struct sipcall_hit h;
	struct sipcalls *t;

	(void)state;
	target(7, "sip:bob@b.example", 0);
	t = tracker(16);
	setup_call(t, &D);
	assert_int_equal(nev, 5);
	EV(0, 7, 100, ETSI_IRI_BEGIN, "INVITE sip:bob@b.example SIP/2.0");
	EV(1, 7, 100, ETSI_IRI_CONTINUE, "SIP/2.0 100 Trying");
	EV(2, 7, 100, ETSI_IRI_CONTINUE, "SIP/2.0 180 Ringing");
	EV(3, 7, 100, ETSI_IRI_CONTINUE, "SIP/2.0 200 OK");
	EV(4, 7, 100, ETSI_IRI_CONTINUE, "ACK sip:bob@b.example SIP/2.0");
	assert_int_equal(sipcalls_count(t), 1);
	assert_int_equal(sipcalls_media_count(t), 4);	/* RTP and RTCP of each side */

	/* RTP both ways, RTCP on port + 1; the target is the callee */
	assert_int_equal(media(t, "192.0.2.1", 4000, "198.51.100.2", 5000, &h), 1);
	assert_int_equal(h.n, 1);
	assert_int_equal(h.ic[0].warrant, 7);
	assert_int_equal(h.ic[0].cin, 100);
	assert_int_equal(h.ic[0].dir, ETSI_TO_TARGET);
	assert_int_equal(h.sid_len, 1);
	assert_int_equal(h.sid[0], '0');
	assert_int_equal(media(t, "198.51.100.2", 5000, "192.0.2.1", 4000, &h), 1);
	assert_int_equal(h.ic[0].dir, ETSI_FROM_TARGET);
	assert_int_equal(media(t, "198.51.100.2", 5001, "192.0.2.1", 4001, &h), 1);
	assert_int_equal(h.ic[0].dir, ETSI_FROM_TARGET);
	assert_int_equal(media(t, "192.0.2.99", 4000, "198.51.100.99", 5000, &h), 0);

	/* BYE from the callee and its 200: End; then nothing more */
	assert_int_equal(feed(t, gen_req(buf, sizeof(buf), "BYE", &D, 1, 9, NULL,
	    NULL), 1), 1);
	assert_int_equal(feed(t, gen_resp(buf, sizeof(buf), 200, "OK", &D, 1, 9,
	    "BYE", NULL, NULL), 0), 1);
	assert_int_equal(nev, 7);
	EV(5, 7, 100, ETSI_IRI_CONTINUE, "BYE sip:alice@a.example SIP/2.0");
	EV(6, 7, 100, ETSI_IRI_END, "SIP/2.0 200 OK");
	assert_int_equal(media(t, "192.0.2.1", 4000, "198.51.100.2", 5000, &h), 0);
	assert_int_equal(sipcalls_media_count(t), 0);
	assert_int_equal(epref, 0);
	/* a retransmitted 200: counted, no IRI */
	assert_int_equal(feed(t, gen_resp(buf, sizeof(buf), 200, "OK", &D, 1, 9,
	    "BYE", NULL, NULL), 0), -SIPCALL_E_AFTER_END);
	assert_int_equal(sipcalls_stats(t)->err[SIPCALL_E_AFTER_END], 1);
	assert_int_equal(nev, 7);
	/* freed after the linger time */
	assert_int_equal(sipcalls_count(t), 1);
	sipcalls_tick(t, now + S(33));
	assert_int_equal(sipcalls_count(t), 0);
	assert_int_equal(sipcalls_stats(t)->calls_ended, 1);
	sipcalls_free(t);
}

static void
test_not_target(void **state)
{
	struct sipcalls *t;

	(void)state;
	target(7, "sip:carol@c.example", 0);
	t = tracker(16);
	setup_call_want(t, &D, 0);
	assert_int_equal(nev, 0);
	assert_int_equal(sipcalls_count(t), 0);
	assert_int_equal(sipcalls_stats(t)->unrelated, 5);
	sipcalls_free(t);
}

static void
test_retransmitted_invite(void **state)
{
	struct sipcalls *t;

	(void)state;
	target(7, "sip:bob@b.example", 0);
	t = tracker(16);
	sdps();
	D.callee_tag = NULL;
	for (int i = 0; i < 3; i++)
		assert_int_equal(feed(t, gen_req(buf, sizeof(buf), "INVITE", &D, 0,
		    1, NULL, offer), 0), 1);
	assert_int_equal(nev, 3);
	EV(0, 7, 100, ETSI_IRI_BEGIN, "INVITE sip:bob@b.example SIP/2.0");
	EV(1, 7, 100, ETSI_IRI_CONTINUE, "INVITE sip:bob@b.example SIP/2.0");
	EV(2, 7, 100, ETSI_IRI_CONTINUE, "INVITE sip:bob@b.example SIP/2.0");
	assert_int_equal(sipcalls_count(t), 1);
	sipcalls_free(t);
}

static void
test_cancel(void **state)
{
	struct sipcalls *t;

	(void)state;
	target(7, "sip:alice@a.example", 1);
	t = tracker(16);
	sdps();
	D.callee_tag = NULL;
	feed(t, gen_req(buf, sizeof(buf), "INVITE", &D, 0, 1, NULL, offer), 0);
	D.callee_tag = "tb";
	feed(t, gen_resp(buf, sizeof(buf), 180, "Ringing", &D, 0, 1, "INVITE",
	    NULL, NULL), 1);
	D.callee_tag = NULL;
	feed(t, gen_req(buf, sizeof(buf), "CANCEL", &D, 0, 1, NULL, NULL), 0);
	feed(t, gen_resp(buf, sizeof(buf), 200, "OK", &D, 0, 1, "CANCEL", NULL,
	    NULL), 1);
	D.callee_tag = "tb";
	assert_int_equal(feed(t, gen_resp(buf, sizeof(buf), 487, "Request Terminated",
	    &D, 0, 1, "INVITE", NULL, NULL), 1), 1);
	assert_int_equal(nev, 5);
	EV(0, 7, 100, ETSI_IRI_BEGIN, "INVITE sip:bob@b.example SIP/2.0");
	EV(2, 7, 100, ETSI_IRI_CONTINUE, "CANCEL sip:bob@b.example SIP/2.0");
	EV(3, 7, 100, ETSI_IRI_CONTINUE, "SIP/2.0 200 OK");
	EV(4, 7, 100, ETSI_IRI_END, "SIP/2.0 487 Request Terminated");
	/* the ACK of the 487 comes after the End */
	assert_int_equal(feed(t, gen_req(buf, sizeof(buf), "ACK", &D, 0, 1, NULL,
	    NULL), 0), -SIPCALL_E_AFTER_END);
	assert_int_equal(sipcalls_media_count(t), 0);
	sipcalls_free(t);
}

static void
test_final_error(void **state)
{
	struct sipcalls *t;

	(void)state;
	target(7, "sip:alice@a.example", 1);
	t = tracker(16);
	sdps();
	D.callee_tag = NULL;
	feed(t, gen_req(buf, sizeof(buf), "INVITE", &D, 0, 1, NULL, offer), 0);
	assert_int_equal(sipcalls_media_count(t), 2);
	D.callee_tag = "tb";
	feed(t, gen_resp(buf, sizeof(buf), 486, "Busy Here", &D, 0, 1, "INVITE",
	    NULL, NULL), 1);
	assert_int_equal(nev, 2);
	EV(1, 7, 100, ETSI_IRI_END, "SIP/2.0 486 Busy Here");
	assert_int_equal(sipcalls_media_count(t), 0);
	sipcalls_free(t);
}

/* A failed re-INVITE does not end the call. */
static void
test_reinvite_error(void **state)
{
	struct sipcalls *t;

	(void)state;
	target(7, "sip:alice@a.example", 1);
	t = tracker(16);
	setup_call(t, &D);
	feed(t, gen_req(buf, sizeof(buf), "INVITE", &D, 0, 2, NULL, offer), 0);
	feed(t, gen_resp(buf, sizeof(buf), 491, "Request Pending", &D, 0, 2,
	    "INVITE", NULL, NULL), 1);
	assert_int_equal(nev, 7);
	assert_int_equal(evs[6].type, ETSI_IRI_CONTINUE);
	assert_int_equal(sipcalls_media_count(t), 4);
	sipcalls_free(t);
}

static void
test_timeouts(void **state)
{
	struct sipcalls *t;
	struct dlg d2 = D, d3 = D;

	(void)state;
	target(7, "sip:alice@a.example", 1);
	t = tracker(16);
	/* an answered call that just stops: End after idle_us (2 h) without a message */
	setup_call(t, &D);
	sipcalls_tick(t, now + S(7199));
	assert_int_equal(nev, 5);
	sipcalls_tick(t, now + S(7201));
	assert_int_equal(nev, 6);
	assert_int_equal(evs[5].type, ETSI_IRI_END);
	assert_false(evs[5].has_pkt);
	assert_int_equal(sipcalls_stats(t)->calls_timed_out, 1);
	assert_int_equal(sipcalls_media_count(t), 0);
	now += S(7300);
	sipcalls_tick(t, now);
	assert_int_equal(sipcalls_count(t), 0);

	/* an INVITE never answered: End after setup_us (180 s) */
	d2.call_id = "c2@192.0.2.1";
	d2.callee_tag = NULL;
	feed(t, gen_req(buf, sizeof(buf), "INVITE", &d2, 0, 1, NULL, offer), 0);
	sipcalls_tick(t, now + S(179));
	assert_int_equal(nev, 7);
	sipcalls_tick(t, now + S(181));
	assert_int_equal(nev, 8);
	EV(7, 7, 101, ETSI_IRI_END, "");
	now += S(300);
	sipcalls_tick(t, now);

	/* a BYE never answered: End after bye_us (32 s) */
	d3.call_id = "c3@192.0.2.1";
	setup_call(t, &d3);
	feed(t, gen_req(buf, sizeof(buf), "BYE", &d3, 0, 2, NULL, NULL), 0);
	assert_int_equal(nev, 14);
	sipcalls_tick(t, now + S(31));
	assert_int_equal(nev, 14);
	sipcalls_tick(t, now + S(33));
	assert_int_equal(nev, 15);
	EV(14, 7, 102, ETSI_IRI_END, "");
	sipcalls_free(t);
}

static void
test_reinvite_moves_media(void **state)
{
	struct sipcall_hit h;
	struct sipcalls *t;
	char moved[512];

	(void)state;
	target(7, "sip:bob@b.example", 0);
	t = tracker(16);
	setup_call(t, &D);
	/* the callee moves its media: the old endpoints stop at once */
	gen_sdp(moved, sizeof(moved), "IP4", "198.51.100.3", 6000, NULL);
	feed(t, gen_req(buf, sizeof(buf), "INVITE", &D, 1, 2, NULL, moved), 1);
	assert_int_equal(media(t, "192.0.2.50", 9, "198.51.100.2", 5000, &h), 0);
	assert_int_equal(media(t, "192.0.2.1", 4000, "198.51.100.3", 6000, &h), 1);
	assert_int_equal(h.ic[0].dir, ETSI_TO_TARGET);
	assert_int_equal(media(t, "198.51.100.3", 6001, "192.0.2.1", 4001, &h), 1);
	assert_int_equal(h.ic[0].dir, ETSI_FROM_TARGET);
	/* UPDATE moves it again */
	gen_sdp(moved, sizeof(moved), "IP6", "2001:db8::5", 7000, NULL);
	feed(t, gen_req(buf, sizeof(buf), "UPDATE", &D, 1, 3, NULL, moved), 1);
	assert_int_equal(media(t, "192.0.2.50", 9, "198.51.100.3", 6000, &h), 0);
	assert_int_equal(sipcalls_media_count(t), 4);
	assert_int_equal(media(t, "2001:db8::9", 4000, "2001:db8::5", 7000, &h), 1);
	assert_int_equal(h.ic[0].dir, ETSI_TO_TARGET);
	assert_int_equal(sipcalls_media_count(t), 5);	/* the caller's sender, latched */
	sipcalls_free(t);
}

static void
test_hold(void **state)
{
	struct sipcall_hit h;
	struct sipcalls *t;
	char hold[512];

	(void)state;
	target(7, "sip:bob@b.example", 0);
	t = tracker(16);
	setup_call(t, &D);
	/* a=sendonly at the same address: still followed */
	gen_sdp(hold, sizeof(hold), "IP4", "192.0.2.1", 4000, "a=sendonly\r\n");
	feed(t, gen_req(buf, sizeof(buf), "INVITE", &D, 0, 2, NULL, hold), 0);
	assert_int_equal(media(t, "192.0.2.1", 4000, "198.51.100.2", 5000, &h), 1);
	assert_int_equal(sipcalls_media_count(t), 4);
	/* RFC 2543 hold, c=0.0.0.0: the caller's side receives nowhere */
	gen_sdp(hold, sizeof(hold), "IP4", "0.0.0.0", 4000, "a=inactive\r\n");
	feed(t, gen_req(buf, sizeof(buf), "INVITE", &D, 0, 3, NULL, hold), 0);
	assert_int_equal(sipcalls_media_count(t), 2);
	assert_int_equal(media(t, "198.51.100.2", 5000, "192.0.2.1", 4000, &h), 1);
	assert_int_equal(h.ic[0].dir, ETSI_FROM_TARGET);
	/* off hold */
	feed(t, gen_req(buf, sizeof(buf), "INVITE", &D, 0, 4, NULL, offer), 0);
	assert_int_equal(sipcalls_media_count(t), 4);
	sipcalls_free(t);
}

static void
test_two_targets(void **state)
{
	struct sipcall_hit h;
	struct sipcalls *t;

	(void)state;
	target(1, "sip:alice@a.example", 1);
	target(2, "sip:bob@b.example", 0);
	target(3, "sip:bob@b.example", 0);	/* another warrant on the same identity */
	t = tracker(16);
	setup_call(t, &D);
	assert_int_equal(nev, 15);
	/* in the order the warrants were found; each its own CIN */
	EV(0, 2, 100, ETSI_IRI_BEGIN, "INVITE sip:bob@b.example SIP/2.0");
	EV(1, 3, 101, ETSI_IRI_BEGIN, "INVITE sip:bob@b.example SIP/2.0");
	EV(2, 1, 102, ETSI_IRI_BEGIN, "INVITE sip:bob@b.example SIP/2.0");
	EV(3, 2, 100, ETSI_IRI_CONTINUE, "SIP/2.0 100 Trying");
	assert_int_equal(media(t, "192.0.2.1", 4000, "198.51.100.2", 5000, &h), 1);
	assert_int_equal(h.n, 3);
	assert_int_equal(h.ic[0].warrant, 2);
	assert_int_equal(h.ic[0].dir, ETSI_TO_TARGET);
	assert_int_equal(h.ic[1].dir, ETSI_TO_TARGET);
	assert_int_equal(h.ic[2].warrant, 1);
	assert_int_equal(h.ic[2].dir, ETSI_FROM_TARGET);
	sipcalls_free(t);
}

/* The identity forms and the headers they are found in. */
static void
test_match_forms(void **state)
{
	struct sipcalls *t;
	struct dlg d = D;
	char extra[512];

	(void)state;
	target(1, "tel:+1-555-123-4567", 0);
	target(2, "sip:carol@*", 0);
	target(3, "sip:*@D.example", 0);
	target(4, "sip:dave@d2.example", 0);		/* From only, not allowed */
	target(5, "sip:erin@e.example", 1);		/* From, allowed */
	t = tracker(16);
	sdps();
	d.callee_tag = NULL;

	d.call_id = "m1";			/* P-Asserted-Identity tel: */
	snprintf(extra, sizeof(extra), "P-Asserted-Identity: <tel:+15551234567>\r\n");
	assert_int_equal(feed(t, gen_req(buf, sizeof(buf), "INVITE", &d, 0, 1,
	    extra, offer), 0), 1);
	d.call_id = "m2";			/* a sip: URI with that number */
	d.callee = "sip:+15551234567@gw.example;user=phone";
	assert_int_equal(feed(t, gen_req(buf, sizeof(buf), "INVITE", &d, 0, 1,
	    NULL, offer), 0), 1);
	d.call_id = "m3";			/* user part in any domain, via R-URI/To */
	d.callee = "sip:carol@elsewhere.example";
	assert_int_equal(feed(t, gen_req(buf, sizeof(buf), "INVITE", &d, 0, 1,
	    NULL, offer), 0), 1);
	d.call_id = "m4";			/* a whole domain, host case ignored */
	d.callee = "sip:zed@d.EXAMPLE";
	assert_int_equal(feed(t, gen_req(buf, sizeof(buf), "INVITE", &d, 0, 1,
	    NULL, offer), 0), 1);
	d.call_id = "m5";			/* From is spoofable: not without leave */
	d.callee = "sip:nobody@x.example";
	d.caller = "sip:dave@d2.example";
	assert_int_equal(feed(t, gen_req(buf, sizeof(buf), "INVITE", &d, 0, 1,
	    NULL, offer), 0), 0);
	d.call_id = "m6";			/* ... but Authorization's username counts */
	snprintf(extra, sizeof(extra), "Proxy-Authorization: Digest "
	    "username=\"dave@d2.example\", realm=\"d2.example\"\r\n");
	assert_int_equal(feed(t, gen_req(buf, sizeof(buf), "INVITE", &d, 0, 1,
	    extra, offer), 0), 1);
	d.call_id = "m7";			/* From with leave */
	d.caller = "sip:erin@e.example";
	assert_int_equal(feed(t, gen_req(buf, sizeof(buf), "INVITE", &d, 0, 1,
	    NULL, offer), 0), 1);
	d.call_id = "m8";			/* Remote-Party-ID, sips: */
	d.caller = "sip:x@x.example";
	snprintf(extra, sizeof(extra), "Remote-Party-ID: <sips:dave@D2.example>;party=calling\r\n");
	assert_int_equal(feed(t, gen_req(buf, sizeof(buf), "INVITE", &d, 0, 1,
	    extra, offer), 0), 1);
	assert_int_equal(nev, 7);
	assert_int_equal(evs[0].warrant, 1);
	assert_int_equal(evs[1].warrant, 1);
	assert_int_equal(evs[2].warrant, 2);
	assert_int_equal(evs[3].warrant, 3);
	assert_int_equal(evs[4].warrant, 4);
	assert_int_equal(evs[5].warrant, 5);
	assert_int_equal(evs[6].warrant, 4);
	sipcalls_free(t);
}

/* A target seen only in the 200's P-Asserted-Identity: its IRIs begin there. */
static void
test_found_late(void **state)
{
	struct sipcall_hit h;
	struct sipcalls *t;

	(void)state;
	target(7, "sip:bob-real@b.example", 0);
	t = tracker(16);
	sdps();
	D.callee_tag = NULL;
	assert_int_equal(feed(t, gen_req(buf, sizeof(buf), "INVITE", &D, 0, 1,
	    NULL, offer), 0), 0);
	D.callee_tag = "tb";
	assert_int_equal(feed(t, gen_resp(buf, sizeof(buf), 200, "OK", &D, 0, 1,
	    "INVITE", "P-Asserted-Identity: <sip:bob-real@b.example>\r\n",
	    answer), 1), 1);
	assert_int_equal(feed(t, gen_req(buf, sizeof(buf), "ACK", &D, 0, 1, NULL,
	    NULL), 0), 1);
	assert_int_equal(nev, 2);
	EV(0, 7, 100, ETSI_IRI_BEGIN, "SIP/2.0 200 OK");
	EV(1, 7, 100, ETSI_IRI_CONTINUE, "ACK sip:bob@b.example SIP/2.0");
	/* the target is the answering side; only its media is known */
	assert_int_equal(media(t, "192.0.2.1", 4000, "198.51.100.2", 5000, &h), 1);
	assert_int_equal(h.ic[0].dir, ETSI_TO_TARGET);
	sipcalls_free(t);
}

/* Media from another address than the SDP said (NAT) is latched for that call only. */
static void
test_nat_latch(void **state)
{
	struct sipcall_hit h;
	struct sipcalls *t;
	struct dlg d2 = D;

	(void)state;
	target(7, "sip:bob@b.example", 0);
	t = tracker(16);
	sdps();
	gen_sdp(answer, sizeof(answer), "IP4", "10.0.0.5", 5000, NULL);
	D.callee_tag = NULL;
	feed(t, gen_req(buf, sizeof(buf), "INVITE", &D, 0, 1, NULL, offer), 0);
	D.callee_tag = "tb";
	feed(t, gen_resp(buf, sizeof(buf), 200, "OK", &D, 0, 1, "INVITE", NULL,
	    answer), 1);
	/* before any media, the NAT address is unknown */
	assert_int_equal(media(t, "192.0.2.1", 4000, "203.0.113.9", 30000, &h), 1);
	/* (matched by its source, the caller's endpoint) */
	assert_int_equal(media(t, "192.0.2.7", 4000, "203.0.113.9", 30000, &h), 0);
	/* the callee's RTP arrives from its NAT */
	assert_int_equal(media(t, "203.0.113.9", 30000, "192.0.2.1", 4000, &h), 1);
	assert_int_equal(h.ic[0].dir, ETSI_FROM_TARGET);
	assert_int_equal(sipcalls_stats(t)->media_latched, 1);
	/* now anything to that address is the callee's */
	assert_int_equal(media(t, "192.0.2.7", 4000, "203.0.113.9", 30000, &h), 1);
	assert_int_equal(h.ic[0].dir, ETSI_TO_TARGET);
	/* a second stranger is not latched: one per stream */
	assert_int_equal(media(t, "203.0.113.50", 1, "192.0.2.1", 4000, &h), 1);
	assert_int_equal(media(t, "192.0.2.7", 4000, "203.0.113.50", 1, &h), 0);
	/* a non-target call on other addresses is nobody's */
	d2.call_id = "other";
	d2.callee = "sip:zoe@z.example";
	d2.callee_tag = NULL;
	feed(t, gen_req(buf, sizeof(buf), "INVITE", &d2, 0, 1, NULL, offer), 0);
	assert_int_equal(sipcalls_count(t), 1);
	sipcalls_free(t);
}

static void
test_bad_input(void **state)
{
	static const char *const bad[] = {
		"HELLO\r\n\r\n",
		"INVITE sip:bob@b.example SIP/3.0\r\nCall-ID: x\r\n\r\n",
		"INVITE sip:bob@b.example SIP/2.0\r\nTo: <sip:bob@b.example>\r\n"
		    "From: <sip:a@a>;tag=1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
		"INVITE sip:bob@b.example SIP/2.0\r\nCall-ID: a\r\ni: b\r\n"
		    "CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
		"INVITE sip:bob@b.example SIP/2.0\r\nCall-ID: a\r\n"
		    "CSeq: 1 INVITE\r\nContent-Length: 99\r\n\r\nv=0\r\n",
		"INVITE sip:bob@b.example SIP/2.0\r\nCall-ID: a\r\n"
		    "CSeq: 1 INVITE\r\nContent-Length: x\r\n\r\n",
		"INVITE sip:bob@b.example SIP/2.0\r\nCall-ID: a\r\n",
	};
	struct sipcalls *t;
	char *big;
	size_t n;
	int r;

	(void)state;
	target(7, "sip:bob@b.example", 0);
	t = tracker(16);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = strlen(bad[i]);
		memcpy(buf, bad[i], n);
		r = feed(t, n, 0);
		assert_true(r < 0);
		assert_true(-r < SIP_NERR);
	}
	assert_int_equal(sipcalls_stats(t)->err[-SIP_E_START_LINE], 1);
	assert_int_equal(sipcalls_stats(t)->err[-SIP_E_NO_CALL_ID], 1);
	assert_int_equal(sipcalls_stats(t)->err[-SIP_E_DUP_CALL_ID], 1);
	assert_int_equal(sipcalls_stats(t)->err[-SIP_E_BODY_SHORT], 1);
	assert_int_equal(sipcalls_stats(t)->err[-SIP_E_CONTENT_LENGTH], 1);
	assert_int_equal(sipcalls_stats(t)->err[-SIP_E_TRUNCATED], 1);
	/* 64 KB of headers */
	big = malloc(70000);
	assert_non_null(big);
	n = (size_t)snprintf(big, 70000, "INVITE sip:bob@b.example SIP/2.0\r\nCall-ID: a\r\n");
	while (n < 69000)
		n += (size_t)snprintf(big + n, 70000 - n, "X-Pad: %0100d\r\n", 0);
	n += (size_t)snprintf(big + n, 70000 - n, "\r\n");
	{
		struct sipcall_pkt p = { .msg = (uint8_t *)big, .len = n,
		    .src = ep("192.0.2.1", 5060), .dst = ep("192.0.2.2", 5060) };

		assert_int_equal(sipcalls_input(t, &p), SIP_E_TOO_LONG);
	}
	free(big);
	/* garbage SDP in a target's INVITE: the IRI goes out, the SDP is counted */
	D.callee_tag = NULL;
	assert_int_equal(feed(t, gen_req(buf, sizeof(buf), "INVITE", &D, 0, 1, NULL,
	    "v=0\r\nc=IN IP4 999.1.1.1\r\n"), 0), 1);
	assert_int_equal(sipcalls_stats(t)->err[SIPCALL_E_SDP], 1);
	assert_int_equal(nev, 1);
	assert_int_equal(sipcalls_media_count(t), 0);
	assert_string_equal(sipcall_err_name(SIPCALL_E_SDP), "sdp_unusable");
	assert_string_equal(sipcall_err_name(SIPCALL_E_AFTER_END), "after_end");
	sipcalls_free(t);
}

/* Capacity: calls and media endpoints are bounded; what is full is counted. */
static void
test_full(void **state)
{
	struct sipcalls *t;
	struct dlg d = D;
	char id[32];

	(void)state;
	target(7, "sip:alice@a.example", 1);
	t = tracker(2);
	sdps();
	d.callee_tag = NULL;
	for (int i = 0; i < 3; i++) {
		snprintf(id, sizeof(id), "full%d", i);
		d.call_id = id;
		assert_int_equal(feed(t, gen_req(buf, sizeof(buf), "INVITE", &d, 0,
		    1, NULL, offer), 0), i < 2 ? 1 : -SIPCALL_E_CALLS_FULL);
	}
	assert_int_equal(sipcalls_stats(t)->err[SIPCALL_E_CALLS_FULL], 1);
	/* the second INVITE's endpoint took over the first's: one pair left */
	assert_int_equal(sipcalls_media_count(t), 2);
	assert_true(sipcalls_bytes_per_call(t) > 0);
	sipcalls_free(t);
}

static void
test_target_parse(void **state)
{
	static const char *const badt[] = {
		"bob@b.example", "sip:", "sip:b.example", "tel:+1@*", "sip:@*",
		"mailto:x@y", "sip:*@*",
	};
	struct sipcall_target g;
	char err[200];

	(void)state;
	assert_int_equal(sipcall_target_parse("sips:Bob@B.Example:5061;transport=tls",
	    37, &g, err, sizeof(err)), 0);
	assert_int_equal(g.kind, SIPCALL_T_URI);
	assert_int_equal(g.len, 17);
	assert_memory_equal(g.v, "sip:Bob@b.example", 17);
	assert_int_equal(sipcall_target_parse("tel:+49-30-1234", 15, &g, err,
	    sizeof(err)), 0);
	assert_memory_equal(g.v, "tel:+49301234", 13);
	assert_int_equal(sipcall_target_parse("sip:%62ob@*", 11, &g, err,
	    sizeof(err)), 0);
	assert_int_equal(g.kind, SIPCALL_T_USER);
	assert_int_equal(g.len, 3);
	assert_memory_equal(g.v, "bob", 3);
	assert_int_equal(sipcall_target_parse("sip:*@B.example", 15, &g, err,
	    sizeof(err)), 0);
	assert_int_equal(g.kind, SIPCALL_T_DOMAIN);
	assert_memory_equal(g.v, "b.example", 9);
	for (size_t i = 0; i < sizeof(badt) / sizeof(badt[0]); i++) {
		err[0] = '\0';
		assert_int_equal(sipcall_target_parse(badt[i], strlen(badt[i]), &g,
		    err, sizeof(err)), -1);
		assert_true(err[0] != '\0');
		if (strlen(badt[i]) > 6)
			assert_null(strstr(err, badt[i]));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_basic_call, setup),
		cmocka_unit_test_setup(test_not_target, setup),
		cmocka_unit_test_setup(test_retransmitted_invite, setup),
		cmocka_unit_test_setup(test_cancel, setup),
		cmocka_unit_test_setup(test_final_error, setup),
		cmocka_unit_test_setup(test_reinvite_error, setup),
		cmocka_unit_test_setup(test_timeouts, setup),
		cmocka_unit_test_setup(test_reinvite_moves_media, setup),
		cmocka_unit_test_setup(test_hold, setup),
		cmocka_unit_test_setup(test_two_targets, setup),
		cmocka_unit_test_setup(test_match_forms, setup),
		cmocka_unit_test_setup(test_found_late, setup),
		cmocka_unit_test_setup(test_nat_latch, setup),
		cmocka_unit_test_setup(test_bad_input, setup),
		cmocka_unit_test_setup(test_full, setup),
		cmocka_unit_test_setup(test_target_parse, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
