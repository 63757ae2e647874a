/*
 * fuzz_voip.c - the VoIP engine on arbitrary IP packets (UDP, TCP, fragments, SIP, SDP,
 * RTP).  Input: packets, each a 2-byte length and that many bytes, 20 ms apart, then a
 * clock step past every timeout.  Every record it writes must decode strictly, carry an
 * IPMM payload and a CIN, and count up from sequence number 0 per CIN and kind.
 */
#include <string.h>

#include "etsi/decode.h"
#include "session/sip/voip.h"
#include "fuzz.h"

#define CINS	1024

static uint32_t next_seq[CINS][2];

static void
on_record(void *ctx, uint32_t warrant, int is_cc, const uint8_t *rec, size_t len)
{
	static struct etsi_pdu p;
	char err[200];

	(void)ctx;
	FUZZ_CHECK(warrant < 2);
	FUZZ_CHECK(etsi_pdu_decode(rec, len, &p, err, sizeof(err)) == 0);
	FUZZ_CHECK(p.kind == (is_cc ? ETSI_KIND_CC : ETSI_KIND_IRI));
	FUZZ_CHECK(is_cc ? p.cc_content == 12 : p.iri_content == 11);
	FUZZ_CHECK(p.has_cin && p.cin >= 1);
	if (p.cin < CINS) {
		FUZZ_CHECK(p.seq == next_seq[p.cin][is_cc]);
		next_seq[p.cin][is_cc]++;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const uint8_t key[16] = "fuzz-voip-key!!!";
	static struct sipcall_target tg[2];
	static const struct voip_warrant wr[2] = {
		{ .id = { .pspdu_version = 40, .liid = "F1", .liid_len = 2,
		    .operator_id = "OP" }, .content = VOIP_IRI | VOIP_CC },
		{ .id = { .pspdu_version = 40, .liid = "F2", .liid_len = 2,
		    .operator_id = "OP" }, .content = VOIP_IRI | VOIP_CC },
	};
	struct voip_cfg c = {
		.calls = { .max_calls = 8, .targets = tg, .ntargets = 2, .hash_key = key,
		    .first_cin = 1 },
		.max_flows = 4, .warrants = wr, .nwarrants = 2, .record = on_record,
	};
	struct fuzz_in in = { data, len };
	int64_t now = (int64_t)1700000000 * 1000000;
	struct voip *v;

	if (tg[0].kind == 0) {
		if (sipcall_target_parse("sip:bob@*", 9, &tg[0], NULL, 0) != 0 ||
		    sipcall_target_parse("sip:*@chicago.example.com", 25, &tg[1], NULL, 0) != 0)
			abort();
		tg[1].warrant = 1;
		tg[1].from_ok = 1;
	}
	memset(next_seq, 0, sizeof(next_seq));
	if ((v = voip_new(&c)) == NULL)
		abort();
	while (in.len > 0) {
		size_t n = (size_t)fuzz_take(&in, 2);
		uint8_t *b;

		if (n > in.len)
			n = in.len;
		if ((b = malloc(n ? n : 1)) == NULL)
			abort();
		memcpy(b, in.p, n);
		in.p += n;
		in.len -= n;
		voip_packet(v, b, n, now);
		free(b);
		now += 20000;
		voip_tick(v, now);
	}
	now += (int64_t)86400 * 1000000;
	voip_tick(v, now);
	voip_tick(v, now + (int64_t)86400 * 1000000);
	FUZZ_CHECK(sipcalls_count(voip_calls(v)) == 0);
	FUZZ_CHECK(sipcalls_media_count(voip_calls(v)) == 0);
	voip_free(v);
	return 0;
}
