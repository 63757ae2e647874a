/* tri.c - TRI records: keep-alive and keep-aliveResponse (TS 102 232-1 clause 6.3.4). */
#include "etsi/der.h"
#include "etsi/hdr.h"

#define W(e)	do { if ((e) < 0) return -1; } while (0)

/* PS-PDU { pSHeader, payload [2] { tRIPayload [2] { keep-alive [3] | keep-aliveResponse [4] } } } */
int
etsi_keepalive_encode(uint8_t *buf, size_t cap, const struct etsi_tmpl *t,
    uint32_t seq, struct etsi_time ts, int response)
{
	uint8_t *end = buf + cap, *p = end;

	W(der_null(&p, buf, DER_IMPL(response ? 4 : 3)));
	W(der_tl(&p, buf, DER_EXPL(2), (size_t)(end - p)));
	W(der_tl(&p, buf, DER_EXPL(2), (size_t)(end - p)));
	W(etsi_hdr_write(&p, buf, t, seq, ts));
	W(etsi_pdu_wrap(&p, buf, (size_t)(end - p)));
	return (int)(end - p);
}
