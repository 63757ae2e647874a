/* ipiri.c - IRI records carrying an IPIRI (TS 102 232-3 clause 7). */
#include "etsi/der.h"
#include "etsi/hdr.h"

#define W(e)	do { if ((e) < 0) return -1; } while (0)
#define SINCE(m)	((size_t)((m) - p))

/*
 * IPAddress { iP-type [1], iP-value [2] { iPBinaryAddress [1] },
 *   iP-assignment [3] OPTIONAL, iPv6PrefixLength [4] OPTIONAL,
 *   iPv4SubnetMask [5] OPTIONAL }, written under the given tag.
 * IPv6 always carries its prefix length (mandatory for a binary v6 value);
 * IPv4 carries a mask only when it is shorter than /32.
 */
static int
ipaddr(uint8_t **pp, const uint8_t *start, uint32_t tag,
    const struct etsi_ipaddr *a)
{
	uint8_t *p = *pp, *m = p, *v;
	int r;

	if (a->assignment > 3)
		return -1;
	if (a->family == 4) {
		uint32_t mask;
		uint8_t mb[4];

		if (a->prefix_len > 32)
			return -1;
		if (a->prefix_len < 32) {
			mask = a->prefix_len ? ~0u << (32 - a->prefix_len) : 0;
			mb[0] = mask >> 24;
			mb[1] = (mask >> 16) & 0xff;
			mb[2] = (mask >> 8) & 0xff;
			mb[3] = mask & 0xff;
			W(der_octets(&p, start, DER_IMPL(5), mb, 4));
		}
	} else if (a->family == 6) {
		if (a->prefix_len < 1 || a->prefix_len > 128)
			return -1;
		W(der_uint(&p, start, DER_IMPL(4), a->prefix_len));
	} else
		return -1;
	if (a->assignment != 0)
		W(der_int(&p, start, DER_IMPL(3), a->assignment));
	v = p;
	W(der_octets(&p, start, DER_IMPL(1), a->addr, a->family == 4 ? 4 : 16));
	W(der_tl(&p, start, DER_EXPL(2), SINCE(v)));
	W(der_int(&p, start, DER_IMPL(1), a->family == 4 ? 0 : 1));
	W(der_tl(&p, start, tag, SINCE(m)));
	r = (int)SINCE(m);
	*pp = p;
	return r;
}

/* IPIRIContents, in tag order. */
static int
contents(uint8_t **pp, const uint8_t *start, const struct etsi_ipiri *iri)
{
	uint8_t *p = *pp, *m = p;
	int r;

	if (iri->has_end)
		W(der_gentime(&p, start, DER_IMPL(11), iri->end.sec, iri->end.usec));
	if (iri->has_start)
		W(der_gentime(&p, start, DER_IMPL(10), iri->start.sec,
		    iri->start.usec));
	if (iri->has_target)
		W(ipaddr(&p, start, DER_EXPL(4), &iri->target));
	W(der_uint(&p, start, DER_IMPL(3), iri->ip_version));
	W(der_uint(&p, start, DER_IMPL(2), iri->access_type));
	W(der_octets(&p, start, DER_IMPL(1), iri->username, iri->username_len));
	W(der_int(&p, start, DER_IMPL(0), iri->event));
	W(der_tl(&p, start, DER_EXPL(1), SINCE(m)));
	r = (int)SINCE(m);
	*pp = p;
	return r;
}

/*
 * PS-PDU { pSHeader, payload [2] { iRIPayloadSequence [0] { IRIPayload {
 *   iRIType [0], iRIContents [2] { iPIRI [2] { iPIRIObjId [0] 5.3.N.1,
 *   iPIRIContents [1] } } } } } }
 */
int
etsi_ipiri_encode(uint8_t *buf, size_t cap, const struct etsi_tmpl *t,
    uint32_t seq, struct etsi_time ts, const struct etsi_ipiri *iri)
{
	const uint32_t objid[4] = { 5, 3, t->ipaccess_version, 1 };
	uint8_t *end = buf + cap, *p = end;

	if ((unsigned)iri->iri_type < ETSI_IRI_BEGIN ||
	    (unsigned)iri->iri_type > ETSI_IRI_REPORT ||
	    (unsigned)iri->event > 13 || iri->username == NULL ||
	    iri->username_len == 0 || iri->username_len > 255)
		return -1;
	W(contents(&p, buf, iri));
	W(der_reloid(&p, buf, DER_IMPL(0), objid, 4));
	W(der_tl(&p, buf, DER_EXPL(2), SINCE(end)));
	W(der_tl(&p, buf, DER_EXPL(2), SINCE(end)));
	W(der_int(&p, buf, DER_IMPL(0), iri->iri_type));
	W(der_tl(&p, buf, DER_SEQUENCE, SINCE(end)));
	W(der_tl(&p, buf, DER_EXPL(0), SINCE(end)));
	W(der_tl(&p, buf, DER_EXPL(2), SINCE(end)));
	W(etsi_hdr_write(&p, buf, t, seq, ts));
	W(etsi_pdu_wrap(&p, buf, SINCE(end)));
	return (int)SINCE(end);
}
