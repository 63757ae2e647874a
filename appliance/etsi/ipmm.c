/* ipmm.c - IRI and CC records of IP multimedia: SIP as IPMMIRI, RTP as IPMMCC (TS 102 232-5). */
#include <string.h>

#include "etsi/der.h"
#include "etsi/hdr.h"

#define W(e)	do { if ((e) < 0) return -1; } while (0)
#define SINCE(m)	((size_t)((m) - p))

#define FRAME_RTP	2	/* FrameType rtpFrame: UDP and IP headers are missing */
#define PROTO_RTP	0	/* MMCCprotocol rTP */
#define VERSION_MAX	((1u << 14) - 1)	/* two arcs' octets at most */

/*
 * IPAddress { iP-type [1], iP-value [2] { iPBinaryAddress [1] },
 * iPv6PrefixLength [4] } of one host, under tag: IPv6 carries /128 as
 * ipiri.c does, IPv4 no mask.
 */
static int
host(uint8_t **pp, const uint8_t *start, uint32_t tag,
    const struct etsi_ipaddr *a)
{
	uint8_t *p = *pp, *m = p, *v;

	if (a->family != 4 && a->family != 6)
		return -1;
	if (a->family == 6)
		W(der_uint(&p, start, DER_IMPL(4), 128));
	v = p;
	W(der_octets(&p, start, DER_IMPL(1), a->addr, a->family == 4 ? 4 : 16));
	W(der_tl(&p, start, DER_EXPL(2), SINCE(v)));
	W(der_int(&p, start, DER_IMPL(1), a->family == 4 ? 0 : 1));
	W(der_tl(&p, start, tag, SINCE(m)));
	*pp = p;
	return (int)SINCE(m);
}

/*
 * PS-PDU { pSHeader, payload [2] { iRIPayloadSequence [0] { IRIPayload {
 *   iRIType [0], iRIContents [2] { iPMMIRI [11] { iPMMIRIObjId [0] 5.5.N.1,
 *   iPMMIRIContents [1] { sIPMessage [1] { iPSourceAddress [0],
 *   iPDestinationAddress [1], sIPContent [2] } } } } } } } }
 */
int
etsi_ipmmiri_head(uint8_t *buf, size_t cap, const struct etsi_tmpl *t,
    uint32_t seq, struct etsi_time ts, const struct etsi_sipmsg *m)
{
	const uint32_t objid[4] = { 5, 5, m->version, 1 };
	uint8_t *end = buf + cap, *p = end;
	size_t n = m->sip_len;

	if ((unsigned)m->iri_type < ETSI_IRI_BEGIN ||
	    (unsigned)m->iri_type > ETSI_IRI_REPORT || m->version < 1 ||
	    m->version > VERSION_MAX || n > ETSI_IPMM_CONTENT_MAX)
		return -1;
#define BODY	(SINCE(end) + n)
	W(der_tl(&p, buf, DER_IMPL(2), n));
	W(host(&p, buf, DER_EXPL(1), &m->dst));
	W(host(&p, buf, DER_EXPL(0), &m->src));
	W(der_tl(&p, buf, DER_EXPL(1), BODY));		/* sIPMessage */
	W(der_tl(&p, buf, DER_EXPL(1), BODY));		/* iPMMIRIContents */
	W(der_reloid(&p, buf, DER_IMPL(0), objid, 4));
	W(der_tl(&p, buf, DER_EXPL(11), BODY));	/* iPMMIRI */
	W(der_tl(&p, buf, DER_EXPL(2), BODY));		/* iRIContents */
	W(der_int(&p, buf, DER_IMPL(0), m->iri_type));
	W(der_tl(&p, buf, DER_SEQUENCE, BODY));	/* IRIPayload */
	W(der_tl(&p, buf, DER_EXPL(0), BODY));		/* iRIPayloadSequence */
	W(der_tl(&p, buf, DER_EXPL(2), BODY));		/* payload */
	W(etsi_hdr_write(&p, buf, t, seq, ts));
	W(etsi_pdu_wrap(&p, buf, BODY));
#undef BODY
	return (int)SINCE(end);
}

int
etsi_ipmmiri_encode(uint8_t *buf, size_t cap, const struct etsi_tmpl *t,
    uint32_t seq, struct etsi_time ts, const struct etsi_sipmsg *m,
    const uint8_t *sip)
{
	int h;

	if ((sip == NULL && m->sip_len > 0) || m->sip_len > cap)
		return -1;
	h = etsi_ipmmiri_head(buf, cap - m->sip_len, t, seq, ts, m);
	if (h < 0)
		return -1;
	if (m->sip_len > 0)
		memmove(buf + cap - m->sip_len, sip, m->sip_len);
	return h + (int)m->sip_len;
}

static int
mmcc_ok(const struct etsi_mmcc *c)
{
	return (unsigned)c->dir <= ETSI_DIR_INDETERMINATE && c->version >= 1 &&
	    c->version <= VERSION_MAX && c->pkt_len <= ETSI_IPMM_CONTENT_MAX &&
	    (c->sid == NULL || (c->sid_len >= 1 && c->sid_len <= ETSI_IPMM_SID_MAX));
}

int
etsi_ipmmcc_tail(uint8_t out[static ETSI_IPMMCC_TAIL_MAX],
    const struct etsi_mmcc *c)
{
	size_t n = 0;

	if (!mmcc_ok(c))
		return -1;
	out[n++] = 0x82;		/* frameType [2] */
	out[n++] = 0x01;
	out[n++] = FRAME_RTP;
	if (c->sid != NULL) {
		out[n++] = 0x83;	/* streamIdentifier [3] */
		out[n++] = (uint8_t)c->sid_len;
		memcpy(out + n, c->sid, c->sid_len);
		n += c->sid_len;
	}
	out[n++] = 0x84;		/* mMCCprotocol [4] */
	out[n++] = 0x01;
	out[n++] = PROTO_RTP;
	return (int)n;
}

/*
 * PS-PDU { pSHeader, payload [2] { cCPayloadSequence [1] { CCPayload {
 *   payloadDirection [0], cCContents [2] { iPMMCC [12] { iPMMCCObjId [0]
 *   5.5.N.2, mMCCContents [1] <packet>, frameType [2], streamIdentifier [3],
 *   mMCCprotocol [4] } } } } } }
 */
int
etsi_ipmmcc_head(uint8_t *buf, size_t cap, const struct etsi_tmpl *t,
    uint32_t seq, struct etsi_time ts, const struct etsi_mmcc *c)
{
	const uint32_t objid[4] = { 5, 5, c->version, 2 };
	uint8_t *end = buf + cap, *p = end;
	size_t after;

	if (!mmcc_ok(c))
		return -1;
	after = c->pkt_len + 6 + (c->sid != NULL ? 2 + c->sid_len : 0);
#define BODY	(SINCE(end) + after)
	W(der_tl(&p, buf, DER_IMPL(1), c->pkt_len));	/* mMCCContents */
	W(der_reloid(&p, buf, DER_IMPL(0), objid, 4));
	W(der_tl(&p, buf, DER_EXPL(12), BODY));	/* iPMMCC */
	W(der_tl(&p, buf, DER_EXPL(2), BODY));		/* cCContents */
	W(der_int(&p, buf, DER_IMPL(0), c->dir));	/* payloadDirection */
	W(der_tl(&p, buf, DER_SEQUENCE, BODY));	/* CCPayload */
	W(der_tl(&p, buf, DER_EXPL(1), BODY));		/* cCPayloadSequence */
	W(der_tl(&p, buf, DER_EXPL(2), BODY));		/* payload */
	W(etsi_hdr_write(&p, buf, t, seq, ts));
	W(etsi_pdu_wrap(&p, buf, BODY));
#undef BODY
	return (int)SINCE(end);
}

int
etsi_ipmmcc_encode(uint8_t *buf, size_t cap, const struct etsi_tmpl *t,
    uint32_t seq, struct etsi_time ts, const struct etsi_mmcc *c,
    const uint8_t *pkt)
{
	uint8_t tail[ETSI_IPMMCC_TAIL_MAX];
	int h, tl;

	if ((pkt == NULL && c->pkt_len > 0) || (tl = etsi_ipmmcc_tail(tail, c)) < 0)
		return -1;
	if (c->pkt_len + (size_t)tl > cap)
		return -1;
	h = etsi_ipmmcc_head(buf, cap - c->pkt_len - (size_t)tl, t, seq, ts, c);
	if (h < 0)
		return -1;
	memcpy(buf + cap - (size_t)tl, tail, (size_t)tl);
	if (c->pkt_len > 0)
		memmove(buf + cap - (size_t)tl - c->pkt_len, pkt, c->pkt_len);
	return h + (int)c->pkt_len + tl;
}
