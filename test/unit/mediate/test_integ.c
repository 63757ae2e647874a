/*
 * test_integ.c - integrityCheck TRIs as the owner queues them: runs of N
 * PDUs, the time trigger, signatures over runs of hashes, the flush at the
 * end, a full queue, a failed connection; every TRI checked by the LEMF's
 * own verifier and the first hash against a value computed here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "etsi/decode.h"
#include "etsi/etsi.h"
#include "lemf/integrity.h"
#include "mediate/deliver.h"
#include "mediate/integ.h"

/* The connection's memory queue: inside lt_connq once the spool is wired in. */
#ifdef LT_CONNQ_H
#define Q(c)		(&(c)->cq.q)
#define QINIT(c, cap)	lt_connq_init(&(c)->cq, (cap), 65536, NULL, NULL, qerr, sizeof(qerr))
#define QFREE(c)	lt_connq_free(&(c)->cq)
static char qerr[256];
#else
#define Q(c)		(&(c)->q)
#define QINIT(c, cap)	lt_sendq_init(&(c)->q, (cap))
#define QFREE(c)	lt_sendq_free(&(c)->q)
#endif

#define T0	1795316400000000LL	/* 2026-11-22T03:00:00Z in microseconds */
#define SEC	1000000LL

struct fx {
	struct lt_conn hi2, hi3;
	struct lt_wown o;
	struct lt_integ_agency *ag;
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t *sk;
};

/* What the queue holds, decoded: kinds in order and the LEMF's verdicts. */
struct seen {
	unsigned n, cc, iri, hash, sig;
	char order[256];		/* 'C', 'I', 'H', 'S' */
	struct integrity_counts ic;
	uint32_t first_hash_seqs[ETSI_IC_MAX_SEQS];
	size_t first_hash_nseqs;
	uint8_t first_hash[ETSI_IC_HASH_LEN];
	uint32_t tri_seqs[64];
};

static struct fx *
fx_new(uint32_t every, uint32_t seconds, uint32_t sign, size_t qcap)
{
	static const struct etsi_ident id = {
		.pspdu_version = 40, .ipaccess_version = 20, .liid = "LIID-I", .liid_len = 6,
		.operator_id = "TestISP", .has_cin = 1, .cin = 7,
	};
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(sodium_init() >= 0, 1);
	f->sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
	assert_non_null(f->sk);
	crypto_sign_keypair(f->pk, f->sk);
	/* never connected: records stay in the queues for the test to read */
	f->hi2.state = f->hi3.state = LT_CONN_DOWN;
	assert_int_equal(QINIT(&f->hi2, qcap), 0);
	assert_int_equal(QINIT(&f->hi3, qcap), 0);
	assert_int_equal(etsi_tmpl_init(&f->o.tmpl, &id), 0);
	f->ag = lt_integ_agency_new(every, seconds, sign, f->sk, &f->hi2, &f->hi3);
	assert_non_null(f->ag);
	f->o.integ = lt_integ_new(f->ag, &f->o.tmpl);
	assert_non_null(f->o.integ);
	return f;
}

static void
fx_free(struct fx *f)
{
	lt_integ_agency_free(f->ag);	/* frees f->o.integ */
	QFREE(&f->hi2);
	QFREE(&f->hi3);
	sodium_free(f->sk);
	free(f);
}

static struct etsi_time
tm(int64_t us)
{
	return (struct etsi_time){ .sec = us / SEC, .usec = (uint32_t)(us % SEC) };
}

static enum lt_deliver_result
cc(struct fx *f, int64_t us)
{
	uint8_t pkt[60];

	/* a packet whose bytes depend on its sequence number */
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 0x45;
	memcpy(pkt + 20, &f->o.cc_seq, sizeof(f->o.cc_seq));
	return lt_deliver_cc(&f->hi3, &f->o, tm(us), ETSI_FROM_TARGET, pkt, sizeof(pkt));
}

/* Reads every record of q through the decoder and the LEMF's integrity check. */
static void
read_queue(struct fx *f, const struct lt_sendq *q, struct seen *s, int key)
{
	struct integrity *ic = integrity_new(key ? f->pk : NULL);
	size_t at = q->tail;
	char err[128];

	assert_non_null(ic);
	memset(s, 0, sizeof(*s));
	assert_false(q->wrapped);
	while (at < q->head) {
		size_t len = lt_der_tlv_len(q->buf + at, q->head - at);
		struct etsi_pdu p;
		char k = '?';

		assert_true(len > 0 && at + len <= q->head);
		if (q->buf[at] != 0x30) {		/* filler */
			s->order[s->n++] = '?';
			at += len;
			continue;
		}
		assert_int_equal(etsi_pdu_decode(q->buf + at, len, &p, err, sizeof(err)), 0);
		assert_int_not_equal(integrity_pdu(ic, &p, q->buf + at, len), -1);
		if (p.kind == ETSI_KIND_CC) {
			k = 'C';
			s->cc++;
		} else if (p.kind == ETSI_KIND_IRI) {
			k = 'I';
			s->iri++;
		} else if (p.kind == ETSI_KIND_TRI_OTHER &&
		    p.ic_check_type == ETSI_CHECK_HASH) {
			k = 'H';
			if (s->hash++ == 0) {
				memcpy(s->first_hash_seqs, p.ic_seqs, p.ic_nseqs * sizeof(uint32_t));
				s->first_hash_nseqs = p.ic_nseqs;
				memcpy(s->first_hash, p.ic_value, ETSI_IC_HASH_LEN);
			}
		} else if (p.kind == ETSI_KIND_TRI_OTHER &&
		    p.ic_check_type == ETSI_CHECK_SIGNATURE) {
			k = 'S';
			s->sig++;
		}
		if (k == 'H' || k == 'S') {
			assert_int_equal(p.liid_len, 6);
			assert_memory_equal(p.liid, "LIID-I", 6);
			assert_int_equal(p.cin, 7);
			s->tri_seqs[s->hash + s->sig - 1] = p.seq;
		}
		assert_true(s->n < sizeof(s->order) - 1);
		s->order[s->n++] = k;
		at += len;
	}
	s->ic = integrity_counts(ic);
	integrity_free(ic);
}

/* Runs of N: a hash TRI right behind every 4th PDU, a signature behind every 3rd hash. */
static void
test_runs_of_n(void **state)
{
	struct fx *f = fx_new(4, 3600, 3, 1 << 20);
	struct seen s;

	(void)state;
	for (int i = 0; i < 12; i++)
		assert_int_equal(cc(f, T0 + i), LT_DELIVERED);
	read_queue(f, Q(&f->hi3), &s, 1);
	assert_string_equal(s.order, "CCCCHCCCCHCCCCHS");
	assert_int_equal(s.ic.ok, 4);
	assert_int_equal(s.ic.mismatch + s.ic.incomplete + s.ic.skipped, 0);
	/* the TRIs' own counter: 0, 1, 2 for the hashes, 3 for the signature */
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(s.tri_seqs[i], i);
	assert_int_equal(s.first_hash_nseqs, 4);
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(s.first_hash_seqs[i], i);
	assert_int_equal(lt_integ_stats(f->ag).hashes, 3);
	assert_int_equal(lt_integ_stats(f->ag).signatures, 1);
	assert_true(lt_sendq_empty(Q(&f->hi2)));
	fx_free(f);
}

/* The first hash's checkValue, computed here from the queued bytes: SHA-256 of the PDUs' SHA-256s. */
static void
test_hash_value(void **state)
{
	struct fx *f = fx_new(3, 3600, 10, 1 << 20);
	crypto_hash_sha256_state h;
	uint8_t d[32], want[32];
	const struct lt_sendq *q = Q(&f->hi3);
	size_t at = q->tail;
	struct seen s;

	(void)state;
	for (int i = 0; i < 3; i++)
		assert_int_equal(cc(f, T0), LT_DELIVERED);
	crypto_hash_sha256_init(&h);
	for (int i = 0; i < 3; i++) {
		size_t len = lt_der_tlv_len(q->buf + at, q->head - at);

		crypto_hash_sha256(d, q->buf + at, len);
		crypto_hash_sha256_update(&h, d, sizeof(d));
		at += len;
	}
	crypto_hash_sha256_final(&h, want);
	read_queue(f, q, &s, 0);
	assert_string_equal(s.order, "CCCH");
	assert_memory_equal(s.first_hash, want, 32);
	fx_free(f);
}

/* hash_seconds: a run closes when a PDU comes that late, or at a tick that late; none when empty. */
static void
test_time_trigger(void **state)
{
	struct fx *f = fx_new(100, 5, 2, 1 << 20);
	struct seen s;

	(void)state;
	lt_integ_tick(f->ag, T0 + 100 * SEC);		/* nothing yet: no TRI */
	assert_true(lt_sendq_empty(Q(&f->hi3)));
	for (int i = 0; i < 3; i++)
		assert_int_equal(cc(f, T0 + i * SEC), LT_DELIVERED);
	lt_integ_tick(f->ag, T0 + 5 * SEC - 1);		/* 1 us early */
	read_queue(f, Q(&f->hi3), &s, 1);
	assert_string_equal(s.order, "CCC");
	lt_integ_tick(f->ag, T0 + 5 * SEC);
	read_queue(f, Q(&f->hi3), &s, 1);
	assert_string_equal(s.order, "CCCH");
	assert_int_equal(s.first_hash_nseqs, 3);
	/* a PDU 5 s after its run's first closes that run (its TRIs behind it) and starts the next */
	assert_int_equal(cc(f, T0 + 10 * SEC), LT_DELIVERED);
	assert_int_equal(cc(f, T0 + 15 * SEC), LT_DELIVERED);
	read_queue(f, Q(&f->hi3), &s, 1);
	assert_string_equal(s.order, "CCCHCCHS");
	assert_int_equal(s.ic.ok, 3);
	assert_int_equal(lt_integ_stats(f->ag).pdus, 5);
	lt_integ_tick(f->ag, T0 + 16 * SEC);
	read_queue(f, Q(&f->hi3), &s, 1);
	assert_string_equal(s.order, "CCCHCCHS");
	lt_integ_tick(f->ag, T0 + 20 * SEC);
	read_queue(f, Q(&f->hi3), &s, 1);
	assert_string_equal(s.order, "CCCHCCHSH");
	assert_int_equal(s.ic.ok, 4);
	fx_free(f);
}

/* An IRI record queued the way the owner queues them (room reserved with it). */
static void
iri(struct fx *f, int64_t us)
{
	struct etsi_ipiri e = {
		.iri_type = ETSI_IRI_REPORT, .event = ETSI_AE_SESSION_START,
		.username = "u", .username_len = 1, .ip_version = 1,
	};
	uint8_t tmp[ETSI_IPIRI_MAX], *p;
	int n = etsi_ipiri_encode(tmp, sizeof(tmp), &f->o.tmpl, f->o.iri_seq, tm(us), &e);

	assert_true(n > 0);
	p = lt_conn_reserve(&f->hi2, (size_t)n + lt_integ_room(f->o.integ, LT_INTEG_IRI, 1));
	assert_non_null(p);
	memcpy(p, tmp + sizeof(tmp) - n, (size_t)n);
	lt_conn_commit(&f->hi2, (size_t)n);
	lt_integ_pdu(f->o.integ, LT_INTEG_IRI, f->o.iri_seq++, p, (size_t)n, us);
}

/* The end: partial hash runs, then partial signature runs, on both streams; twice is once. */
static void
test_flush(void **state)
{
	struct fx *f = fx_new(4, 3600, 3, 1 << 20);
	struct seen s;

	(void)state;
	for (int i = 0; i < 6; i++)
		assert_int_equal(cc(f, T0), LT_DELIVERED);
	iri(f, T0);
	assert_int_equal(lt_integ_flush_all(f->ag, T0 + SEC), 0);
	assert_int_equal(lt_integ_flush_all(f->ag, T0 + SEC), 0);
	read_queue(f, Q(&f->hi3), &s, 1);
	assert_string_equal(s.order, "CCCCHCCHS");
	assert_int_equal(s.ic.ok, 3);
	read_queue(f, Q(&f->hi2), &s, 1);
	assert_string_equal(s.order, "IHS");
	assert_int_equal(s.ic.ok, 2);
	assert_int_equal(s.ic.mismatch + s.ic.incomplete, 0);
	/* a record after a flush: the next flush covers it */
	assert_int_equal(cc(f, T0 + 2 * SEC), LT_DELIVERED);
	assert_int_equal(lt_integ_flush_all(f->ag, T0 + 3 * SEC), 0);
	read_queue(f, Q(&f->hi3), &s, 1);
	assert_string_equal(s.order, "CCCCHCCHSCHS");
	assert_int_equal(s.ic.ok, 5);
	fx_free(f);
}

/* A byte changed in a queued PDU: its hash no longer matches; the signature over hashes still does. */
static void
test_tamper(void **state)
{
	struct fx *f = fx_new(2, 3600, 2, 1 << 20);
	struct seen s;

	(void)state;
	for (int i = 0; i < 4; i++)
		assert_int_equal(cc(f, T0), LT_DELIVERED);
	Q(&f->hi3)->buf[Q(&f->hi3)->tail + lt_der_tlv_len(Q(&f->hi3)->buf + Q(&f->hi3)->tail, 64) - 1] ^= 1;
	read_queue(f, Q(&f->hi3), &s, 1);
	assert_string_equal(s.order, "CCHCCHS");
	assert_int_equal(s.ic.mismatch, 1);
	assert_int_equal(s.ic.ok, 2);
	fx_free(f);
}

/* Fills the rest of q with one record that is not a PS-PDU (another stream's bytes). */
static void
fill(struct lt_sendq *q)
{
	size_t k = q->cap;
	uint8_t *p;

	while (k > 8 && lt_sendq_reserve(q, k) == NULL)
		k--;
	p = lt_sendq_reserve(q, k);
	assert_non_null(p);
	memset(p, 0, k);
	p[0] = 0x04;			/* OCTET STRING, 4-octet length */
	p[1] = 0x84;
	p[2] = (uint8_t)((k - 6) >> 24);
	p[3] = (uint8_t)((k - 6) >> 16);
	p[4] = (uint8_t)((k - 6) >> 8);
	p[5] = (uint8_t)(k - 6);
	lt_sendq_commit(q, k);
}

/* No room for a due TRI: the tick and the flush wait, and lose nothing once there is room. */
static void
test_no_room(void **state)
{
	struct fx *f = fx_new(100, 1, 1, 8192);
	struct seen s;
	size_t len;

	(void)state;
	for (int i = 0; i < 5; i++)
		assert_int_equal(cc(f, T0), LT_DELIVERED);
	fill(Q(&f->hi3));
	assert_int_equal(cc(f, T0), LT_NO_ROOM);
	lt_integ_tick(f->ag, T0 + 2 * SEC);
	assert_int_equal(lt_integ_flush_all(f->ag, T0 + 2 * SEC), -1);
	assert_true(lt_integ_stats(f->ag).no_room >= 2);
	assert_int_equal(lt_integ_stats(f->ag).hashes, 0);
	read_queue(f, Q(&f->hi3), &s, 1);
	assert_string_equal(s.order, "CCCCC?");
	/* everything written to the agency: room again */
	lt_sendq_peek(Q(&f->hi3), &len);
	assert_int_equal(lt_sendq_consume(Q(&f->hi3), len), 6);
	assert_int_equal(lt_integ_flush_all(f->ag, T0 + 2 * SEC), 0);
	read_queue(f, Q(&f->hi3), &s, 1);
	assert_string_equal(s.order, "HS");
	assert_int_equal(s.first_hash_nseqs, 5);
	fx_free(f);
}

/* A connection that gave up: nothing queued, the PDUs counted as covered by no hash. */
static void
test_failed_conn(void **state)
{
	struct fx *f = fx_new(10, 3600, 1, 1 << 20);

	(void)state;
	for (int i = 0; i < 3; i++)
		assert_int_equal(cc(f, T0), LT_DELIVERED);
	f->hi3.state = LT_CONN_FAILED;
	assert_int_equal(lt_integ_flush_all(f->ag, T0), 0);
	assert_int_equal(lt_integ_stats(f->ag).dropped, 3);
	assert_int_equal(lt_integ_stats(f->ag).hashes, 0);
	fx_free(f);
}

/* Settings out of range are refused; no agency, no streams. */
static void
test_settings(void **state)
{
	uint8_t sk[crypto_sign_SECRETKEYBYTES] = { 0 };
	struct lt_conn c = { 0 };

	(void)state;
	assert_null(lt_integ_agency_new(0, 5, 10, sk, &c, &c));
	assert_null(lt_integ_agency_new(LT_INTEG_EVERY_MAX + 1, 5, 10, sk, &c, &c));
	assert_null(lt_integ_agency_new(100, 0, 10, sk, &c, &c));
	assert_null(lt_integ_agency_new(100, 5, 0, sk, &c, &c));
	assert_null(lt_integ_agency_new(100, 5, 10, NULL, &c, &c));
	assert_null(lt_integ_new(NULL, NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs_of_n),
		cmocka_unit_test(test_hash_value),
		cmocka_unit_test(test_time_trigger),
		cmocka_unit_test(test_flush),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_no_room),
		cmocka_unit_test(test_failed_conn),
		cmocka_unit_test(test_settings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
