/*
 * fuzz_calls.c - the SIP call tracker (and SIP over TCP) fed sequences of
 * messages, media packets, segments and clock steps.  Input: records of
 * op (1 byte), length (2 bytes), data.  op & 3: 0 a SIP message over UDP
 * (bit 2: sent by the callee), 1 a media packet (data[0], data[1] pick
 * endpoints), 2 a clock step of data[0] * 5 s, 3 a TCP segment (seq 4
 * bytes, flags 1 byte, payload).  Invariants: each CIN's IRIs are Begin,
 * Continue..., End and nothing after; a timeout End has no message; in
 * the end every call ends and every table empties.
 */
#include <string.h>

#include "etsi/etsi.h"
#include "session/sip/calls.h"
#include "session/sip/sipstream.h"
#include "fuzz.h"

#define CINS	4096
#define FIRST_CIN	1000

static uint8_t cin_state[CINS];	/* 0 none, 1 begun, 2 ended */
static struct sipcalls *calls;
static int64_t now;
static int64_t epref;		/* media_ep's running sum */

static void
on_ep(void *ctx, const struct sipcall_ep *e, int delta)
{
	(void)ctx;
	FUZZ_CHECK(e->family == 4 || e->family == 6);
	epref += delta;
}

static void
on_iri(void *ctx, const struct sipcall_iri *e)
{
	uint32_t i = e->cin - FIRST_CIN;

	(void)ctx;
	FUZZ_CHECK(e->cin >= FIRST_CIN);
	FUZZ_CHECK(e->iri_type == ETSI_IRI_BEGIN || e->iri_type == ETSI_IRI_CONTINUE ||
	    e->iri_type == ETSI_IRI_END);
	FUZZ_CHECK(e->pkt != NULL || e->iri_type == ETSI_IRI_END);
	FUZZ_CHECK(e->warrant < 4);
	if (i >= CINS)
		return;
	FUZZ_CHECK(cin_state[i] != 2);
	if (e->iri_type == ETSI_IRI_BEGIN)
		FUZZ_CHECK(cin_state[i] == 0);
	if (e->iri_type == ETSI_IRI_CONTINUE)
		FUZZ_CHECK(cin_state[i] == 1);
	cin_state[i] = e->iri_type == ETSI_IRI_END ? 2 : 1;
}

static const struct sipcall_ep eps[8] = {
	{ 4, 5060, { 192, 0, 2, 1 } }, { 4, 5060, { 198, 51, 100, 2 } },
	{ 4, 49172, { 192, 0, 2, 101 } }, { 4, 3456, { 192, 0, 2, 201 } },
	{ 4, 49173, { 192, 0, 2, 101 } }, { 4, 30000, { 203, 0, 113, 9 } },
	{ 6, 5004, { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } },
	{ 6, 5006, { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } },
};

static void
on_tcp(void *ctx, const struct sipstream_key *k, const uint8_t *m, size_t len,
    int64_t ts)
{
	struct sipcall_pkt p = { .msg = m, .len = len, .ts_us = ts };

	(void)ctx;
	p.src.family = p.dst.family = k->family;
	p.src.port = k->sport;
	p.dst.port = k->dport;
	memcpy(p.src.addr, k->src, 16);
	memcpy(p.dst.addr, k->dst, 16);
	sipcalls_input(calls, &p);
}

static struct sipcall_target targets[4];
static int ntargets = -1;

static void
init_targets(void)
{
	static const char *const ids[4] = {
		"sip:bob@biloxi.example.com", "sip:alice@*", "tel:+15551234567",
		"sip:*@chicago.example.com",
	};

	for (int i = 0; i < 4; i++) {
		if (sipcall_target_parse(ids[i], strlen(ids[i]), &targets[i], NULL,
		    0) != 0)
			abort();
		targets[i].warrant = (uint32_t)i;
		targets[i].from_ok = i == 1;
	}
	ntargets = 4;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const uint8_t key[16] = "fuzz-calls-key!!";
	struct sipcalls_cfg cc = { .max_calls = 8, .max_media = 24,
	    .targets = targets, .hash_key = key, .first_cin = FIRST_CIN,
	    .iri = on_iri, .media_ep = on_ep };
	struct sipstream_cfg sc = { .max_flows = 4, .max_buffered = 4096,
	    .hash_key = key, .msg = on_tcp };
	struct fuzz_in in = { data, len };
	struct sipstream *st;

	if (ntargets < 0)
		init_targets();
	cc.ntargets = (uint32_t)ntargets;
	memset(cin_state, 0, sizeof(cin_state));
	epref = 0;
	now = 1000000;
	if ((calls = sipcalls_new(&cc)) == NULL || (st = sipstream_new(&sc)) == NULL)
		abort();
	while (in.len > 0) {
		unsigned op = (unsigned)fuzz_take(&in, 1);
		size_t n = (size_t)fuzz_take(&in, 2);
		uint8_t *b;

		if (n > in.len)
			n = in.len;
		/* a copy of exactly n bytes, so a read past it is seen */
		if ((b = malloc(n ? n : 1)) == NULL)
			abort();
		memcpy(b, in.p, n);
		in.p += n;
		in.len -= n;
		now += 1000;
		switch (op & 3) {
		case 0: {
			int callee = (op >> 2) & 1;
			struct sipcall_pkt p = { .msg = b, .len = n, .ts_us = now,
			    .src = eps[callee], .dst = eps[!callee] };
			int r = sipcalls_input(calls, &p);

			FUZZ_CHECK(r <= 1 && r > -SIPCALL_NERR);
			break;
		}
		case 1: {
			struct sipcall_hit h;

			if (n >= 2 && sipcalls_media(calls, &eps[b[0] & 7],
			    &eps[b[1] & 7], &h) == 1) {
				FUZZ_CHECK(h.n >= 1 && h.n <= SIPCALL_ICEPT_MAX);
				FUZZ_CHECK(h.sid_len == 1 && h.sid[0] >= '0' &&
				    h.sid[0] < '0' + SIPCALL_STREAMS);
				for (unsigned i = 0; i < h.n; i++)
					FUZZ_CHECK(h.ic[i].dir <= ETSI_DIR_INDETERMINATE);
			}
			break;
		}
		case 2:
			now += (int64_t)(n ? b[0] : 0) * 5000000;
			sipcalls_tick(calls, now);
			sipstream_tick(st, now);
			break;
		default: {
			struct sipstream_key k = { .family = 4, .sport = 5060,
			    .dport = 5060, .src = { 192, 0, 2, 1 },
			    .dst = { 198, 51, 100, 2 } };
			uint32_t seq = n >= 4 ? (uint32_t)b[0] << 24 |
			    (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3] : 0;
			uint8_t fl = n >= 5 ? b[4] : 0;

			k.sport = (uint16_t)(5060 + ((op >> 2) & 1));
			sipstream_input(st, &k, seq, fl, n > 5 ? b + 5 : NULL,
			    n > 5 ? n - 5 : 0, now);
		}
		}
		free(b);
		FUZZ_CHECK(sipcalls_count(calls) <= 8);
		FUZZ_CHECK(sipcalls_media_count(calls) <= 24);
		FUZZ_CHECK(epref == (int64_t)sipcalls_media_count(calls));
		FUZZ_CHECK(sipstream_flows(st) <= 4);
	}
	/* far in the future: every call ends, then is freed */
	now += (int64_t)86400 * 1000000;
	sipcalls_tick(calls, now);
	FUZZ_CHECK(sipcalls_media_count(calls) == 0 && epref == 0);
	now += (int64_t)86400 * 1000000;
	sipcalls_tick(calls, now);
	sipstream_tick(st, now);
	FUZZ_CHECK(sipcalls_count(calls) == 0);
	FUZZ_CHECK(sipstream_flows(st) == 0);
	for (int i = 0; i < CINS; i++)
		FUZZ_CHECK(cin_state[i] != 1);
	sipstream_free(st);
	sipcalls_free(calls);
	return 0;
}
