/*
 * bench_voip.c - the whole VoIP engine on one core: IP packets in, encoded IPMMIRI and
 * IPMMCC records out.  N target calls and N other calls, all up at once: INVITE, 100,
 * 180, 200 with SDP, ACK, 10 RTP packets of 172 bytes per call (5 each way), BYE, 200
 * (the other calls' addresses differ in bit 22: their media is nobody's).
 * Usage: bench_voip [calls of each kind (20000)]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "session/sip/voip.h"
#include "callgen.h"

static uint64_t nrec, bytes;

static void
on_record(void *ctx, uint32_t warrant, int is_cc, const uint8_t *rec, size_t len)
{
	(void)ctx;
	(void)warrant;
	(void)is_cc;
	(void)rec;
	nrec++;
	bytes += len;
}

static double
secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* An IPv4 UDP packet around pay into out; its length. */
static size_t
ip4udp(uint8_t *out, uint32_t src, uint16_t sp, uint32_t dst, uint16_t dp,
    const void *pay, size_t n)
{
	memset(out, 0, 28);
	out[0] = 0x45;
	out[2] = (uint8_t)((28 + n) >> 8);
	out[3] = (uint8_t)(28 + n);
	out[8] = 64;
	out[9] = 17;
	for (int i = 0; i < 4; i++) {
		out[12 + i] = (uint8_t)(src >> (24 - 8 * i));
		out[16 + i] = (uint8_t)(dst >> (24 - 8 * i));
	}
	out[20] = (uint8_t)(sp >> 8);
	out[21] = (uint8_t)sp;
	out[22] = (uint8_t)(dp >> 8);
	out[23] = (uint8_t)dp;
	out[24] = (uint8_t)((8 + n) >> 8);
	out[25] = (uint8_t)(8 + n);
	memcpy(out + 28, pay, n);
	return 28 + n;
}

#define A(c)	(0x0a000000u | (c))	/* caller of call c: 10.x.y.z */
#define B(c)	(0x0b000000u | (c))	/* callee: 11.x.y.z */
#define SRV	0xc000020au		/* 192.0.2.10 */

int
main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 20000;
	static const char *const ids[2] = { "sip:*@t.example", "sip:nobody@x.example" };
	struct sipcall_target tg[2];
	struct voip_warrant wr[2];
	struct voip_cfg cfg = { .calls = { .max_calls = n + 16, .targets = tg, .ntargets = 2,
	    .first_cin = 1 }, .warrants = wr, .nwarrants = 2, .record = on_record };
	uint8_t pkt[9000], rtp[172];
	char msg[4096], sdp[256], id[64], callee[64];
	double t_sip = 0, t_rtp[2] = { 0, 0 }, t_other = 0, t0;
	uint64_t sip_msgs = 0, rtps[2] = { 0, 0 }, others = 0;
	struct voip *v;
	int64_t now = (int64_t)1700000000 * 1000000;

	for (int i = 0; i < 2; i++) {
		if (sipcall_target_parse(ids[i], strlen(ids[i]), &tg[i], NULL, 0) != 0)
			return 2;
		tg[i].warrant = (uint32_t)i;
		memset(&wr[i], 0, sizeof(wr[i]));
		wr[i].id = (struct etsi_ident){ .pspdu_version = 40, .liid = "BENCH-1",
		    .liid_len = 7, .operator_id = "OP", .ne_id = "NE1" };
		wr[i].content = VOIP_IRI | VOIP_CC;
	}
	if ((v = voip_new(&cfg)) == NULL)
		return 2;
	memset(rtp, 0x55, sizeof(rtp));
	rtp[0] = 0x80;
	/* every call up at once: each step for all calls, target and other interleaved */
	for (int step = 0; step < 7; step++) {
		if (step == 5)
			for (int k = 0; k < 10; k++)
				for (unsigned c = 1; c <= n; c++)
					for (int other = 0; other < 2; other++) {
						uint16_t port = (uint16_t)(10000 + (c & 0x3fff) * 2);
						uint32_t a = A(c) | (uint32_t)other << 22;
						uint32_t b = B(c) | (uint32_t)other << 22;
						size_t l = k & 1 ?
						    ip4udp(pkt, b, port, a, port, rtp, sizeof(rtp)) :
						    ip4udp(pkt, a, port, b, port, rtp, sizeof(rtp));

						t0 = secs();
						voip_packet(v, pkt, l, now);
						t_rtp[other] += secs() - t0;
						rtps[other]++;
					}
		for (unsigned c = 1; c <= n; c++)
			for (int other = 0; other < 2; other++) {
				struct dlg d = { id, "sip:a@a.example", "ta", callee, NULL, 1 };
				uint16_t port = (uint16_t)(10000 + (c & 0x3fff) * 2);
				uint32_t s = A(c) | (uint32_t)other << 22;
				size_t m, l;

				snprintf(id, sizeof(id), "%s%u@bench", other ? "o" : "", c);
				snprintf(callee, sizeof(callee), "sip:u%u@%s.example", c,
				    other ? "o" : "t");
				if (step == 0 || step == 3)
					snprintf(sdp, sizeof(sdp), "v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\n"
					    "s=-\r\nc=IN IP4 %u.%u.%u.%u\r\nt=0 0\r\n"
					    "m=audio %u RTP/AVP 0\r\n", (step ? 11 : 10) | other << 6,
					    c >> 16 & 255, c >> 8 & 255, c & 255, port);
				if (step > 0)
					d.callee_tag = "tb";
				if (step == 1 || step == 2 || step == 3 || step == 6)
					s = B(c) | (uint32_t)other << 22;
				switch (step) {
				case 0:
					m = gen_req(msg, sizeof(msg), "INVITE", &d, 0, 1, NULL, sdp);
					break;
				case 1:
					m = gen_resp(msg, sizeof(msg), 100, "Trying", &d, 0, 1,
					    "INVITE", NULL, NULL);
					break;
				case 2:
					m = gen_resp(msg, sizeof(msg), 180, "Ringing", &d, 0, 1,
					    "INVITE", NULL, NULL);
					break;
				case 3:
					m = gen_resp(msg, sizeof(msg), 200, "OK", &d, 0, 1, "INVITE",
					    NULL, sdp);
					break;
				case 4:
					m = gen_req(msg, sizeof(msg), "ACK", &d, 0, 1, NULL, NULL);
					break;
				case 5:
					m = gen_req(msg, sizeof(msg), "BYE", &d, 0, 2, NULL, NULL);
					break;
				default:
					m = gen_resp(msg, sizeof(msg), 200, "OK", &d, 0, 2, "BYE",
					    NULL, NULL);
				}
				l = ip4udp(pkt, s, 5060, SRV, 5060, msg, m);
				t0 = secs();
				voip_packet(v, pkt, l, now);
				if (other) {
					t_other += secs() - t0;
					others++;
				} else {
					t_sip += secs() - t0;
					sip_msgs++;
				}
				now += 10;
			}
	}
	printf("target SIP messages  %9.0f /s (%llu, each an IPMMIRI)\n", sip_msgs / t_sip,
	    (unsigned long long)sip_msgs);
	printf("target calls' RTP    %9.0f /s (%llu, each an IPMMCC)\n",
	    rtps[0] / t_rtp[0], (unsigned long long)rtps[0]);
	printf("other calls' RTP     %9.0f /s (%llu, looked up, nobody's)\n",
	    rtps[1] / t_rtp[1], (unsigned long long)rtps[1]);
	printf("non-target SIP       %9.0f /s (%llu)\n", others / t_other,
	    (unsigned long long)others);
	printf("records %llu, %llu bytes\n", (unsigned long long)nrec,
	    (unsigned long long)bytes);
	voip_free(v);
	return 0;
}
