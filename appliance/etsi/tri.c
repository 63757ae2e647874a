/* tri.c - TRI records: keep-alive and its response (TS 102 232-1 6.3.4), integrityCheck (7.2). */
#include "etsi/der.h"
#include "etsi/hdr.h"

#define W(e)	do { if ((e) < 0) return -1; } while (0)

/* PS-PDU { pSHeader, payload [2] { tRIPayload [2] { a NULL alternative } } } */
static int
tri_null(uint8_t *buf, size_t cap, const struct etsi_tmpl *t, uint32_t seq,
    struct etsi_time ts, unsigned alt)
{
	uint8_t *end = buf + cap, *p = end;

	W(der_null(&p, buf, DER_IMPL(alt)));
	W(der_tl(&p, buf, DER_EXPL(2), (size_t)(end - p)));
	W(der_tl(&p, buf, DER_EXPL(2), (size_t)(end - p)));
	W(etsi_hdr_write(&p, buf, t, seq, ts));
	W(etsi_pdu_wrap(&p, buf, (size_t)(end - p)));
	return (int)(end - p);
}

/* keep-alive [3], or keep-aliveResponse [4] */
int
etsi_keepalive_encode(uint8_t *buf, size_t cap, const struct etsi_tmpl *t,
    uint32_t seq, struct etsi_time ts, int response)
{
	return tri_null(buf, cap, t, seq, ts, response ? 4 : 3);
}

/* cINReset [7]: the sequence numbers of this (LIID, CIN) start again at 0. */
int
etsi_cinreset_encode(uint8_t *buf, size_t cap, const struct etsi_tmpl *t,
    struct etsi_time ts)
{
	return tri_null(buf, cap, t, 0, ts, 7);
}

/*
 * IntegrityCheck ::= SEQUENCE { includedSequenceNumbers [0] SEQUENCE OF
 * INTEGER, checkType [1], dataType [2], checkValue [3] OCTET STRING, ...,
 * hashAlgorithm [4] OPTIONAL, signatureAlgorithm [5] OPTIONAL }, IMPLICIT.
 */
int
etsi_integrity_encode(uint8_t *buf, size_t cap, const struct etsi_tmpl *t,
    uint32_t seq, struct etsi_time ts, const struct etsi_integrity *ic)
{
	uint8_t *end = buf + cap, *p = end, *mark;
	size_t want;
	int hash;

	if (ic == NULL || ic->seqs == NULL || ic->value == NULL ||
	    ic->nseqs == 0 || ic->nseqs > ETSI_IC_MAX_SEQS)
		return -1;
	if (ic->check_type != ETSI_CHECK_HASH &&
	    ic->check_type != ETSI_CHECK_SIGNATURE)
		return -1;
	if (ic->data_type != ETSI_DATA_IRI && ic->data_type != ETSI_DATA_CC)
		return -1;
	hash = ic->check_type == ETSI_CHECK_HASH;
	want = hash ? ETSI_IC_HASH_LEN : ETSI_IC_SIG_LEN;
	if (ic->value_len != want)
		return -1;

	if (hash)
		W(der_int(&p, buf, DER_IMPL(4), ETSI_HASH_SHA256));
	else
		W(der_int(&p, buf, DER_IMPL(5), ETSI_SIG_EDDSA));
	W(der_octets(&p, buf, DER_IMPL(3), ic->value, ic->value_len));
	W(der_int(&p, buf, DER_IMPL(2), ic->data_type));
	W(der_int(&p, buf, DER_IMPL(1), ic->check_type));
	mark = p;
	for (size_t i = ic->nseqs; i-- > 0;)
		W(der_uint(&p, buf, DER_INTEGER, ic->seqs[i]));
	W(der_tl(&p, buf, DER_EXPL(0), (size_t)(mark - p)));
	W(der_tl(&p, buf, DER_EXPL(0), (size_t)(end - p)));
	W(der_tl(&p, buf, DER_EXPL(2), (size_t)(end - p)));
	W(der_tl(&p, buf, DER_EXPL(2), (size_t)(end - p)));
	W(etsi_hdr_write(&p, buf, t, seq, ts));
	W(etsi_pdu_wrap(&p, buf, (size_t)(end - p)));
	return (int)(end - p);
}
