/* ipcc.c - the head of a CC record carrying an IPCC (TS 102 232-3 clause 6.3). */
#include "etsi/der.h"
#include "etsi/hdr.h"

/*
 * PS-PDU { pSHeader, payload [2] { cCPayloadSequence [1] { CCPayload {
 *   payloadDirection [0], cCContents [2] { iPCC [2] { iPCCObjId [0] 5.3.N.2,
 *   iPCCContents [1] { iPPackets [0] <packet> } } } } } } }
 * Everything up to the packet's first byte is written; each length counts
 * the pkt_len bytes the caller puts after it.
 */
#define W(e)	do { if ((e) < 0) return -1; } while (0)
#define BODY	(pkt_len + (size_t)(end - p))

int
etsi_ipcc_head(uint8_t *buf, size_t cap, const struct etsi_tmpl *t,
    uint32_t seq, struct etsi_time ts, enum etsi_dir dir, size_t pkt_len)
{
	const uint32_t objid[4] = { 5, 3, t->ipaccess_version, 2 };
	uint8_t *end = buf + cap, *p = end;

	if ((unsigned)dir > ETSI_DIR_INDETERMINATE || pkt_len > INT32_MAX / 2)
		return -1;
	W(der_tl(&p, buf, DER_IMPL(0), pkt_len));
	W(der_tl(&p, buf, DER_EXPL(1), BODY));
	W(der_reloid(&p, buf, DER_IMPL(0), objid, 4));
	W(der_tl(&p, buf, DER_EXPL(2), BODY));
	W(der_tl(&p, buf, DER_EXPL(2), BODY));
	W(der_int(&p, buf, DER_IMPL(0), dir));
	W(der_tl(&p, buf, DER_SEQUENCE, BODY));
	W(der_tl(&p, buf, DER_EXPL(1), BODY));
	W(der_tl(&p, buf, DER_EXPL(2), BODY));
	W(etsi_hdr_write(&p, buf, t, seq, ts));
	W(etsi_pdu_wrap(&p, buf, BODY));
	if (BODY > INT32_MAX)
		return -1;
	return (int)(end - p);
}
