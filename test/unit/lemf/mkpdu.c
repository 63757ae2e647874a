/* mkpdu.c - test PS-PDUs from the etsi encoders; aborts the test on failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "mkpdu.h"

static const struct etsi_time when = { MKPDU_SEC, MKPDU_USEC };

void
mkpdu_tmpl(struct etsi_tmpl *t, const char *liid, size_t liid_len,
    int has_cin, uint32_t cin)
{
	struct etsi_ident id = {
		.pspdu_version = 40,
		.ipaccess_version = 20,
		.liid = liid,
		.liid_len = liid_len,
		.auth_cc = "DE",
		.operator_id = "OP1",
		.ne_id = "NE-7",
		.has_cin = has_cin,
		.cin = cin,
	};

	assert_int_equal(etsi_tmpl_init(t, &id), 0);
}

static size_t
at_start(uint8_t out[static MKPDU_MAX], int n)
{
	assert_true(n > 0 && n <= MKPDU_MAX);
	memmove(out, out + MKPDU_MAX - n, (size_t)n);
	return (size_t)n;
}

size_t
mkpdu_ipcc(uint8_t out[static MKPDU_MAX], const struct etsi_tmpl *t,
    uint32_t seq, enum etsi_dir dir, const uint8_t *pkt, size_t pkt_len)
{
	uint8_t head[ETSI_IPCC_HEAD_MAX];
	int n = etsi_ipcc_head(head, sizeof(head), t, seq, when, dir, pkt_len);

	assert_true(n > 0 && (size_t)n + pkt_len <= MKPDU_MAX);
	memcpy(out, head + sizeof(head) - n, (size_t)n);
	memcpy(out + n, pkt, pkt_len);
	return (size_t)n + pkt_len;
}

size_t
mkpdu_ipiri(uint8_t out[static MKPDU_MAX], const struct etsi_tmpl *t,
    uint32_t seq, enum etsi_iri_type type, enum etsi_access_event ev)
{
	struct etsi_ipiri iri = {
		.iri_type = type,
		.event = ev,
		.username = "user@example",
		.username_len = 12,
		.access_type = 4,
		.ip_version = 1,
		.has_target = 1,
		.target = { .family = 4, .prefix_len = 32, .assignment = 2,
		    .addr = { 192, 0, 2, 33 } },
		.has_start = 1,
		.start = { MKPDU_SEC - 60, 0 },
	};

	return at_start(out, etsi_ipiri_encode(out, MKPDU_MAX, t, seq, when, &iri));
}

size_t
mkpdu_keepalive(uint8_t out[static MKPDU_MAX], const struct etsi_tmpl *t,
    uint32_t seq, int response)
{
	return at_start(out, etsi_keepalive_encode(out, MKPDU_MAX, t, seq, when,
	    response));
}
