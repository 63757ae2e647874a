/*
 * test_conn.c - the handover connection against a real loopback peer:
 * delivery in order, keep-alive answered and timed out, a peer's keep-alive
 * answered, records held while the agency is away, giving up, clean close.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "etsi/decode.h"
#include "etsi/etsi.h"
#include "mediate/conn.h"
#include "mediate/deliver.h"

#define MS	1000000ULL

static const struct etsi_ident ka_ident = {
	.pspdu_version = 40, .ipaccess_version = 20, .liid = "-", .liid_len = 1,
	.operator_id = "TestISP", .ne_id = "lt1",
};
static const struct etsi_ident w_ident = {
	.pspdu_version = 40, .ipaccess_version = 20, .liid = "LIID-T", .liid_len = 6,
	.auth_cc = "NZ", .operator_id = "TestISP", .ne_id = "lt1", .has_cin = 1, .cin = 9,
	.delivery_cc = "NZ",
};

struct peer {
	int lfd, fd;
	uint8_t buf[65536];
	size_t len;
	struct etsi_pdu pdus[64];
	unsigned npdus;
	int keep_ka;			/* count keep-alives among the PDUs */
	int eof;
};

static int
listen_on(uint16_t port, uint16_t *bound)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	socklen_t sl = sizeof(sa);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 4), 0);
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	*bound = ntohs(sa.sin_port);
	return fd;
}

static void
params(struct lt_conn_params *p, uint16_t port)
{
	struct sockaddr_in *sa = (struct sockaddr_in *)&p->peer.sa;

	memset(p, 0, sizeof(*p));
	p->agency_id = "testagency";
	p->hi = "HI3";
	sa->sin_family = AF_INET;
	sa->sin_port = htons(port);
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	p->peer.salen = sizeof(*sa);
	p->keepalive_ns = 3600000 * MS;
	p->ka_timeout_ns = 3600000 * MS;
	p->reconnect_ns = 20 * MS;
	p->queue_bytes = 1 << 20;
	p->ka_ident = &ka_ident;
}

/* Accepts if a connection waits; reads what there is; decodes whole PDUs. */
static void
peer_poll(struct peer *pe)
{
	char err[128];
	ssize_t n;

	if (pe->fd < 0) {
		pe->fd = accept4(pe->lfd, NULL, NULL, SOCK_NONBLOCK);
		if (pe->fd < 0)
			return;
		pe->len = 0;
		pe->eof = 0;
	}
	n = recv(pe->fd, pe->buf + pe->len, sizeof(pe->buf) - pe->len, 0);
	if (n == 0)
		pe->eof = 1;
	if (n > 0)
		pe->len += (size_t)n;
	for (;;) {
		size_t plen;
		int r = etsi_pdu_frame(pe->buf, pe->len, &plen, err, sizeof(err));

		assert_true(r >= 0);
		if (r == 0)
			break;
		assert_int_equal(etsi_pdu_decode(pe->buf, plen, &pe->pdus[pe->npdus], err,
		    sizeof(err)), 0);
		pe->pdus[pe->npdus].payload = NULL;	/* points into buf, which moves */
		/* keep-alives asking to confirm what was written: this peer does not answer */
		if (pe->keep_ka || pe->pdus[pe->npdus].kind != ETSI_KIND_KEEPALIVE)
			assert_true(++pe->npdus < 64);
		memmove(pe->buf, pe->buf + plen, pe->len - plen);
		pe->len -= plen;
	}
}

/* Services conn and peer until cond holds or ms pass; returns cond. */
#define PUMP(c, pe, ms, cond) ({					\
	uint64_t _end = lt_mono_ns() + (ms) * MS;			\
	while (!(cond) && lt_mono_ns() < _end) {			\
		lt_conn_service((c), lt_mono_ns());			\
		if ((pe) != NULL)					\
			peer_poll(pe);					\
		usleep(200);						\
	}								\
	(cond);								\
})

static void
peer_init(struct peer *pe, uint16_t *port)
{
	memset(pe, 0, sizeof(*pe));
	pe->fd = -1;
	pe->lfd = listen_on(0, port);
}

static void
peer_close(struct peer *pe)
{
	if (pe->fd >= 0)
		close(pe->fd);
	if (pe->lfd >= 0)
		close(pe->lfd);
}

static void
send_cc(struct lt_conn *c, struct lt_wown *o, int n)
{
	static const uint8_t pkt[] = { 0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0,
	    192, 0, 2, 1, 192, 0, 2, 2 };

	for (int i = 0; i < n; i++)
		assert_int_equal(lt_deliver_cc(c, o, (struct etsi_time){ 1795000000, 5 },
		    ETSI_TO_TARGET, pkt, sizeof(pkt)), LT_DELIVERED);
}

static void
test_deliver_in_order_and_finish(void **state)
{
	struct lt_conn_params p;
	struct lt_conn c;
	struct lt_wown o = { 0 };
	struct peer pe;
	uint16_t port;

	(void)state;
	peer_init(&pe, &port);
	params(&p, port);
	assert_int_equal(etsi_tmpl_init(&o.tmpl, &w_ident), 0);
	assert_int_equal(lt_conn_init(&c, &p, lt_mono_ns()), 0);
	send_cc(&c, &o, 5);			/* queued before the connection exists */
	assert_true(PUMP(&c, &pe, 2000, c.state == LT_CONN_UP));
	send_cc(&c, &o, 5);
	assert_true(PUMP(&c, &pe, 2000, pe.npdus == 10));
	for (unsigned i = 0; i < 10; i++) {
		assert_int_equal(pe.pdus[i].kind, ETSI_KIND_CC);
		assert_int_equal(pe.pdus[i].seq, i);
		assert_int_equal(pe.pdus[i].cin, 9);
		assert_int_equal(pe.pdus[i].dir, ETSI_TO_TARGET);
	}
	assert_int_equal(c.st.records_sent, 10);
	lt_conn_finish(&c);
	assert_true(PUMP(&c, &pe, 2000, pe.eof));	/* our side shut down first */
	close(pe.fd);
	pe.fd = -1;
	assert_true(PUMP(&c, (struct peer *)NULL, 2000, c.state == LT_CONN_CLOSED));
	lt_conn_free(&c);
	peer_close(&pe);
}

static void
test_keepalive_answered(void **state)
{
	struct lt_conn_params p;
	struct lt_conn c;
	struct peer pe;
	uint16_t port;
	uint8_t resp[ETSI_TRI_MAX];
	struct etsi_tmpl t;
	int n;

	(void)state;
	peer_init(&pe, &port);
	pe.keep_ka = 1;
	params(&p, port);
	p.keepalive_ns = 50 * MS;
	p.ka_timeout_ns = 5000 * MS;
	assert_int_equal(lt_conn_init(&c, &p, lt_mono_ns()), 0);
	assert_true(PUMP(&c, &pe, 2000, pe.npdus == 1));
	assert_int_equal(pe.pdus[0].kind, ETSI_KIND_KEEPALIVE);
	assert_int_equal(pe.pdus[0].liid_len, 1);
	assert_int_equal(pe.pdus[0].seq, 0);
	assert_int_not_equal(c.ka_deadline, 0);
	assert_int_equal(c.st.ka_rtt_us, -1);		/* no answer yet */
	assert_int_equal(etsi_tmpl_init(&t, &ka_ident), 0);
	n = etsi_keepalive_encode(resp, sizeof(resp), &t, 0, lt_wall_now(), 1);
	assert_true(n > 0);
	assert_int_equal(send(pe.fd, resp + sizeof(resp) - n, (size_t)n, 0), n);
	assert_true(PUMP(&c, &pe, 2000, c.st.ka_answered == 1));
	assert_int_equal(c.ka_deadline, 0);
	/* the round trip: from queueing the keep-alive to reading its answer */
	assert_true(c.st.ka_rtt_us >= 0 && c.st.ka_rtt_us < 2000 * 1000);
	assert_int_equal(c.state, LT_CONN_UP);
	/* Idle again: the next keep-alive carries the next sequence number. */
	assert_true(PUMP(&c, &pe, 2000, pe.npdus == 2));
	assert_int_equal(pe.pdus[1].seq, 1);
	assert_int_equal(c.st.losses, 0);
	lt_conn_free(&c);
	peer_close(&pe);
}

static void
test_keepalive_timeout_reconnects(void **state)
{
	struct lt_conn_params p;
	struct lt_conn c;
	struct peer pe;
	uint16_t port;
	int first;

	(void)state;
	peer_init(&pe, &port);
	pe.keep_ka = 1;
	params(&p, port);
	p.keepalive_ns = 30 * MS;
	p.ka_timeout_ns = 100 * MS;
	assert_int_equal(lt_conn_init(&c, &p, lt_mono_ns()), 0);
	assert_true(PUMP(&c, &pe, 2000, pe.npdus == 1));
	first = pe.fd;
	pe.fd = -1;				/* never answer on it */
	assert_true(PUMP(&c, &pe, 3000, c.st.ka_timeouts == 1 && pe.fd >= 0));
	assert_true(PUMP(&c, &pe, 2000, c.state == LT_CONN_UP));
	assert_int_equal(c.st.connects, 2);
	close(first);
	lt_conn_free(&c);
	peer_close(&pe);
}

static void
test_peer_keepalive_gets_response(void **state)
{
	struct lt_conn_params p;
	struct lt_conn c;
	struct peer pe;
	uint16_t port;
	uint8_t ka[ETSI_TRI_MAX];
	struct etsi_tmpl t;
	int n;

	(void)state;
	peer_init(&pe, &port);
	params(&p, port);
	assert_int_equal(lt_conn_init(&c, &p, lt_mono_ns()), 0);
	assert_true(PUMP(&c, &pe, 2000, c.state == LT_CONN_UP && pe.fd >= 0));
	assert_int_equal(etsi_tmpl_init(&t, &ka_ident), 0);
	n = etsi_keepalive_encode(ka, sizeof(ka), &t, 77, lt_wall_now(), 0);
	assert_int_equal(send(pe.fd, ka + sizeof(ka) - n, (size_t)n, 0), n);
	assert_true(PUMP(&c, &pe, 2000, pe.npdus == 1));
	assert_int_equal(pe.pdus[0].kind, ETSI_KIND_KEEPALIVE_RESPONSE);
	assert_int_equal(pe.pdus[0].seq, 77);
	assert_int_equal(c.st.ka_received, 1);
	lt_conn_free(&c);
	peer_close(&pe);
}

static void
test_records_wait_for_the_agency(void **state)
{
	struct lt_conn_params p;
	struct lt_conn c;
	struct lt_wown o = { 0 };
	struct peer pe;
	uint16_t port;

	(void)state;
	peer_init(&pe, &port);
	close(pe.lfd);				/* the agency is away */
	pe.lfd = -1;
	params(&p, port);
	assert_int_equal(etsi_tmpl_init(&o.tmpl, &w_ident), 0);
	assert_int_equal(lt_conn_init(&c, &p, lt_mono_ns()), 0);
	send_cc(&c, &o, 3);
	PUMP(&c, (struct peer *)NULL, 150, 0);	/* several refused attempts */
	assert_int_not_equal(c.state, LT_CONN_UP);
	send_cc(&c, &o, 3);
	pe.lfd = listen_on(port, &port);	/* it comes back */
	assert_true(PUMP(&c, &pe, 3000, pe.npdus == 6));
	send_cc(&c, &o, 2);
	assert_true(PUMP(&c, &pe, 2000, pe.npdus == 8));
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(pe.pdus[i].seq, i);
	lt_conn_free(&c);
	peer_close(&pe);
}

static void
test_unreachable_gives_up(void **state)
{
	struct lt_conn_params p;
	struct lt_conn c;
	struct lt_wown o = { 0 };
	struct peer pe;
	uint16_t port;

	(void)state;
	peer_init(&pe, &port);
	close(pe.lfd);
	pe.lfd = -1;
	params(&p, port);
	p.unreachable_ns = 200 * MS;
	assert_int_equal(etsi_tmpl_init(&o.tmpl, &w_ident), 0);
	assert_int_equal(lt_conn_init(&c, &p, lt_mono_ns()), 0);
	send_cc(&c, &o, 2);
	assert_true(PUMP(&c, (struct peer *)NULL, 3000, c.state == LT_CONN_FAILED));
	assert_true(lt_conn_done(&c));
	assert_int_equal(c.cq.q.records, 2);	/* still counted as undelivered */
	assert_int_equal(lt_deliver_cc(&c, &o, (struct etsi_time){ 1, 0 }, ETSI_FROM_TARGET,
	    (const uint8_t *)"\x45", 1), LT_UNDELIVERABLE);
	lt_conn_free(&c);
}

/* A backlog of n records of 1000 bytes each, queued before the connection exists. */
static void
backlog(struct lt_conn *c, struct lt_wown *o, int n)
{
	static uint8_t pkt[1000] = { 0x45 };

	for (int i = 0; i < n; i++)
		assert_int_equal(lt_deliver_cc(c, o, (struct etsi_time){ 1795000000, 1 },
		    ETSI_FROM_TARGET, pkt, sizeof(pkt)), LT_DELIVERED);
}

/*
 * The agency's keep-alive is answered at the next record boundary, not
 * behind megabytes of queued records (OpenLI's keep-alives waited there).
 */
static void
test_answer_jumps_the_backlog(void **state)
{
	enum { N = 20000 };
	struct lt_conn_params p;
	struct lt_conn c;
	struct lt_wown o = { 0 };
	struct peer pe;
	uint16_t port;
	uint8_t ka[ETSI_TRI_MAX];
	struct etsi_tmpl t;
	static uint8_t buf[1 << 16];
	size_t len = 0;
	unsigned cc = 0, answer_at = 0;
	int n;

	(void)state;
	peer_init(&pe, &port);
	params(&p, port);
	p.queue_bytes = 32 << 20;
	assert_int_equal(etsi_tmpl_init(&o.tmpl, &w_ident), 0);
	assert_int_equal(lt_conn_init(&c, &p, lt_mono_ns()), 0);
	backlog(&c, &o, N);
	/* Up, and the socket full: the peer reads nothing yet. */
	assert_true(PUMP(&c, (struct peer *)NULL, 2000, c.state == LT_CONN_UP));
	while ((pe.fd = accept4(pe.lfd, NULL, NULL, 0)) < 0)
		lt_conn_service(&c, lt_mono_ns());
	PUMP(&c, (struct peer *)NULL, 200, 0);
	assert_true(c.cq.q.records > N / 2);
	assert_int_equal(etsi_tmpl_init(&t, &ka_ident), 0);
	n = etsi_keepalive_encode(ka, sizeof(ka), &t, 5, lt_wall_now(), 0);
	assert_int_equal(send(pe.fd, ka + sizeof(ka) - n, (size_t)n, 0), n);
	PUMP(&c, (struct peer *)NULL, 50, c.pri_len > 0);
	assert_true(c.pri_len > 0);
	/* Now read everything, in order, and see where the answer came. */
	while (cc < N) {
		ssize_t r;
		char err[128];

		lt_conn_service(&c, lt_mono_ns());
		r = recv(pe.fd, buf + len, sizeof(buf) - len, MSG_DONTWAIT);
		if (r > 0)
			len += (size_t)r;
		for (;;) {
			struct etsi_pdu pdu;
			size_t plen;
			int f = etsi_pdu_frame(buf, len, &plen, err, sizeof(err));

			assert_true(f >= 0);
			if (f == 0)
				break;
			assert_int_equal(etsi_pdu_decode(buf, plen, &pdu, err, sizeof(err)), 0);
			if (pdu.kind == ETSI_KIND_CC) {
				assert_int_equal(pdu.seq, cc);
				cc++;
			} else if (pdu.kind == ETSI_KIND_KEEPALIVE) {
				/* ours, asking to confirm what it wrote: answered */
				n = etsi_keepalive_encode(ka, sizeof(ka), &t, pdu.seq,
				    lt_wall_now(), 1);
				assert_int_equal(send(pe.fd, ka + sizeof(ka) - n, (size_t)n, 0),
				    n);
			} else {
				assert_int_equal(pdu.kind, ETSI_KIND_KEEPALIVE_RESPONSE);
				assert_int_equal(pdu.seq, 5);
				answer_at = cc;
			}
			memmove(buf, buf + plen, len - plen);
			len -= plen;
		}
	}
	assert_true(answer_at > 0);
	assert_true(answer_at < N / 2);		/* long before the backlog's end */
	lt_conn_free(&c);
	peer_close(&pe);
}

/* A peer that stops reading is found out by keep-alive, backlog or not. */
static void
test_keepalive_when_stuck(void **state)
{
	struct lt_conn_params p;
	struct lt_conn c;
	struct lt_wown o = { 0 };
	struct peer pe;
	uint16_t port;

	(void)state;
	peer_init(&pe, &port);
	params(&p, port);
	p.queue_bytes = 32 << 20;
	p.keepalive_ns = 100 * MS;
	p.ka_timeout_ns = 200 * MS;
	assert_int_equal(etsi_tmpl_init(&o.tmpl, &w_ident), 0);
	assert_int_equal(lt_conn_init(&c, &p, lt_mono_ns()), 0);
	backlog(&c, &o, 20000);
	assert_true(PUMP(&c, (struct peer *)NULL, 2000, c.state == LT_CONN_UP));
	while ((pe.fd = accept4(pe.lfd, NULL, NULL, 0)) < 0)
		lt_conn_service(&c, lt_mono_ns());
	assert_true(PUMP(&c, (struct peer *)NULL, 3000, c.st.ka_timeouts == 1));
	assert_int_equal(c.st.ka_sent, 1);
	assert_true(c.cq.q.records > 0);		/* rewound, to go again */
	lt_conn_free(&c);
	peer_close(&pe);
}

static void
test_full_queue(void **state)
{
	struct lt_conn_params p;
	struct lt_conn c;
	struct lt_wown o = { 0 };
	uint8_t pkt[1000] = { 0x45 };
	int ok = 0;

	(void)state;
	params(&p, 9);
	p.queue_bytes = 8192;
	assert_int_equal(etsi_tmpl_init(&o.tmpl, &w_ident), 0);
	assert_int_equal(lt_conn_init(&c, &p, lt_mono_ns()), 0);
	while (lt_deliver_cc(&c, &o, (struct etsi_time){ 1, 0 }, ETSI_FROM_TARGET, pkt,
	    sizeof(pkt)) == LT_DELIVERED)
		ok++;
	assert_true(ok >= 5 && ok <= 8);
	assert_int_equal(o.cc_seq, (uint32_t)ok);	/* a refused record takes no number */
	lt_conn_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deliver_in_order_and_finish),
		cmocka_unit_test(test_keepalive_answered),
		cmocka_unit_test(test_keepalive_timeout_reconnects),
		cmocka_unit_test(test_peer_keepalive_gets_response),
		cmocka_unit_test(test_records_wait_for_the_agency),
		cmocka_unit_test(test_unreachable_gives_up),
		cmocka_unit_test(test_answer_jumps_the_backlog),
		cmocka_unit_test(test_keepalive_when_stuck),
		cmocka_unit_test(test_full_queue),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
