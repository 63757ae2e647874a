/*
 * bench_calls.c - messages per second of the call tracker on one core and
 * its memory per call: N concurrent target calls (INVITE, 180, 200 with
 * SDP, ACK, media lookups, BYE, 200), then as many non-target INVITEs.
 * Usage: bench_calls [calls (100000)] [warrants (1000)]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "session/sip/calls.h"
#include "callgen.h"

#define BATCH	1000

static uint64_t iris;

static void
on_iri(void *ctx, const struct sipcall_iri *e)
{
	(void)ctx;
	(void)e;
	iris++;
}

static double
secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct batch {
	char *buf;
	size_t off[BATCH + 1];
};

enum step { INV, RING, OK, ACK, BYE, BYE_OK, OTHER, STEPS };

/* The messages of step for calls first..first+BATCH-1 into b. */
static void
gen(struct batch *b, enum step s, unsigned first, unsigned nwar)
{
	char id[64], callee[64], sdp[300];
	size_t o = 0;

	for (unsigned i = 0; i < BATCH; i++) {
		unsigned c = first + i;
		struct dlg d = { id, "sip:caller@a.example", "t1", callee, NULL, 1 };

		snprintf(id, sizeof(id), "%s%u-%08x@bench", s == OTHER ? "o" : "",
		    c, c * 2654435761u);
		snprintf(callee, sizeof(callee), s == OTHER ?
		    "sip:other%u@o.example" : "sip:user%u@t.example", c % nwar);
		/* the caller receives on 10.x.y.z, the callee on 11.x.y.z */
		snprintf(sdp, sizeof(sdp), "v=0\r\no=- 1 1 IN IP4 %u.%u.%u.%u\r\n"
		    "s=-\r\nc=IN IP4 %u.%u.%u.%u\r\nt=0 0\r\nm=audio %u RTP/AVP 0\r\n",
		    s == OK ? 11 : 10, c >> 16 & 255, c >> 8 & 255, c & 255,
		    s == OK ? 11 : 10, c >> 16 & 255, c >> 8 & 255, c & 255,
		    10000 + (c & 0x3fff) * 2);
		if (s != INV && s != OTHER)
			d.callee_tag = "t2";
		b->off[i] = o;
		switch (s) {
		case INV:
		case OTHER:
			o += gen_req(b->buf + o, 4096, "INVITE", &d, 0, 1, NULL, sdp);
			break;
		case RING:
			o += gen_resp(b->buf + o, 4096, 180, "Ringing", &d, 0, 1,
			    "INVITE", NULL, NULL);
			break;
		case OK:
			o += gen_resp(b->buf + o, 4096, 200, "OK", &d, 0, 1, "INVITE",
			    NULL, sdp);
			break;
		case ACK:
			o += gen_req(b->buf + o, 4096, "ACK", &d, 0, 1, NULL, NULL);
			break;
		case BYE:
			o += gen_req(b->buf + o, 4096, "BYE", &d, 0, 2, NULL, NULL);
			break;
		default:
			o += gen_resp(b->buf + o, 4096, 200, "OK", &d, 0, 2, "BYE",
			    NULL, NULL);
		}
	}
	b->off[BATCH] = o;
}

int
main(int argc, char **argv)
{
	unsigned ncalls = argc > 1 ? (unsigned)atoi(argv[1]) : 100000;
	unsigned nwar = argc > 2 ? (unsigned)atoi(argv[2]) : 1000;
	struct sipcall_target *tg = calloc(nwar, sizeof(*tg));
	struct sipcalls_cfg cfg = { .max_calls = ncalls, .iri = on_iri,
	    .first_cin = 1 };
	struct batch b = { .buf = malloc((size_t)BATCH * 4096) };
	double t[STEPS] = { 0 }, t0, tm = 0;
	uint64_t hits = 0, lookups = 0;
	struct sipcalls *calls;
	char s[64];

	if (tg == NULL || b.buf == NULL || ncalls % BATCH != 0 || nwar == 0)
		return 2;
	for (unsigned i = 0; i < nwar; i++) {
		int n = snprintf(s, sizeof(s), "sip:user%u@t.example", i);

		if (sipcall_target_parse(s, (size_t)n, &tg[i], NULL, 0) != 0)
			return 2;
		tg[i].warrant = i;
	}
	cfg.targets = tg;
	cfg.ntargets = nwar;
	if ((calls = sipcalls_new(&cfg)) == NULL)
		return 2;
	for (int st = INV; st < STEPS; st++) {
		for (unsigned first = 0; first < ncalls; first += BATCH) {
			gen(&b, (enum step)st, first, nwar);
			t0 = secs();
			for (unsigned i = 0; i < BATCH; i++) {
				struct sipcall_pkt p = { .msg = (uint8_t *)b.buf + b.off[i],
				    .len = b.off[i + 1] - b.off[i], .ts_us = 1000000,
				    .src = { 4, 5060, { 192, 0, 2, 1 } },
				    .dst = { 4, 5060, { 192, 0, 2, 2 } } };

				int r = sipcalls_input(calls, &p);

				if (r < 0) {
					fprintf(stderr, "step %d call %u: %s\n", st,
					    first + i, sipcall_err_name(r));
					return 3;
				}
			}
			t[st] += secs() - t0;
		}
		if (st == ACK) {
			printf("%u calls up: %u media endpoints, %zu bytes per call slot\n",
			    sipcalls_count(calls), sipcalls_media_count(calls),
			    sipcalls_bytes_per_call(calls));
			t0 = secs();
			for (unsigned i = 0; i < 2 * ncalls; i++) {
				/* half to the callees' RTP, half to addresses nobody has */
				unsigned c = i % ncalls;
				struct sipcall_ep a = { 4, 0, { i < ncalls ? 11 : 12,
				    c >> 16 & 255, c >> 8 & 255, c & 255 } },
				    z = { 4, 9, { i < ncalls ? 13 : 14, c >> 16 & 255,
				    c >> 8 & 255, c & 255 } };
				struct sipcall_hit h;

				a.port = (uint16_t)(10000 + (c & 0x3fff) * 2);
				hits += (uint64_t)sipcalls_media(calls, &z, &a, &h);
				lookups++;
			}
			tm = secs() - t0;
		}
	}
	{
		static const char *const name[STEPS] = { "INVITE", "180", "200+SDP",
		    "ACK", "BYE", "200 BYE", "non-target INVITE" };
		double all = 0;

		for (int st = 0; st < STEPS; st++) {
			printf("%-18s %8.0f messages/s\n", name[st], ncalls / t[st]);
			if (st != OTHER)
				all += t[st];
		}
		printf("target calls      %8.0f messages/s (%.0f calls/s, 6 messages each)\n",
		    6.0 * ncalls / all, ncalls / all);
		printf("media lookups     %8.0f /s (%llu hits of %llu)\n", lookups / tm,
		    (unsigned long long)hits, (unsigned long long)lookups);
		printf("IRIs %llu, calls ended %llu\n", (unsigned long long)iris,
		    (unsigned long long)sipcalls_stats(calls)->calls_ended);
	}
	sipcalls_free(calls);
	free(tg);
	free(b.buf);
	return 0;
}
