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

/* An optional string: absent (NULL) or min..max octets. */
static int
str_ok(const void *s, size_t len, size_t min, size_t max)
{
	return s == NULL || (len >= min && len <= max);
}

/* Extensible ENUMERATED values: what one content octet holds. */
#define ENUM_MAX	127

static int
fields_ok(const struct etsi_ipiri *iri)
{
	if ((unsigned)iri->iri_type < ETSI_IRI_BEGIN ||
	    (unsigned)iri->iri_type > ETSI_IRI_REPORT ||
	    (unsigned)iri->event > 13 || iri->username == NULL ||
	    iri->username_len == 0 || iri->username_len > 255)
		return 0;
	if (iri->access_type > ENUM_MAX || iri->ip_version > ENUM_MAX ||
	    (iri->has_end_reason && iri->end_reason > ENUM_MAX) ||
	    (iri->has_auth_type && iri->auth_type > ENUM_MAX))
		return 0;
	return str_ok(iri->network_id, iri->network_id_len, 1, 20) &&
	    str_ok(iri->cpe_id, iri->cpe_id_len, 1, 128) &&
	    str_ok(iri->pop_id, iri->pop_id_len, 1, 128) &&
	    str_ok(iri->pop_port_id, iri->pop_port_id_len, 1, 253) &&
	    iri->nother <= ETSI_IPIRI_MAX_OTHER;
}

/* otherTargetIdentifiers [23] SEQUENCE OF CHOICE { iPAddress [0] IPAddress } */
static int
others(uint8_t **pp, const uint8_t *start, const struct etsi_ipiri *iri)
{
	uint8_t *p = *pp, *m = p;
	unsigned i;
	int r;

	for (i = iri->nother; i > 0; i--)
		W(ipaddr(&p, start, DER_EXPL(0), &iri->other[i - 1]));
	W(der_tl(&p, start, DER_EXPL(23), SINCE(m)));
	r = (int)SINCE(m);
	*pp = p;
	return r;
}

/* The timestamps [10], [11] and what follows them up to [25]. */
static int
contents_tail(uint8_t **pp, const uint8_t *start, const struct etsi_ipiri *iri)
{
	uint8_t *p = *pp, *m = p;
	int r;

	if (iri->pop_port_id != NULL)
		W(der_octets(&p, start, DER_IMPL(25), iri->pop_port_id,
		    iri->pop_port_id_len));
	if (iri->nother > 0)
		W(others(&p, start, iri));
	if (iri->has_auth_type)
		W(der_int(&p, start, DER_IMPL(22), iri->auth_type));
	if (iri->has_additional)
		W(ipaddr(&p, start, DER_EXPL(21), &iri->additional));
	if (iri->has_pop_ip)
		W(ipaddr(&p, start, DER_EXPL(19), &iri->pop_ip));
	if (iri->pop_id != NULL) {
		uint8_t *v = p;

		W(der_octets(&p, start, DER_IMPL(0), iri->pop_id, iri->pop_id_len));
		W(der_tl(&p, start, DER_EXPL(18), SINCE(v)));
	}
	if (iri->has_expected_end)
		W(der_gentime(&p, start, DER_IMPL(16), iri->expected_end.sec,
		    iri->expected_end.usec));
	if (iri->has_octets) {
		W(der_uint(&p, start, DER_IMPL(14), iri->octets_transmitted));
		W(der_uint(&p, start, DER_IMPL(13), iri->octets_received));
	}
	if (iri->has_end_reason)
		W(der_int(&p, start, DER_IMPL(12), iri->end_reason));
	if (iri->has_end)
		W(der_gentime(&p, start, DER_IMPL(11), iri->end.sec, iri->end.usec));
	if (iri->has_start)
		W(der_gentime(&p, start, DER_IMPL(10), iri->start.sec,
		    iri->start.usec));
	r = (int)SINCE(m);
	*pp = p;
	return r;
}

/* IPIRIContents, in tag order (written backwards). */
static int
contents(uint8_t **pp, const uint8_t *start, const struct etsi_ipiri *iri)
{
	uint8_t *p = *pp, *m = p;
	int r;

	W(contents_tail(&p, start, iri));
	if (iri->has_pop_port)
		W(der_uint(&p, start, DER_IMPL(8), iri->pop_port));
	if (iri->cpe_id != NULL)
		W(der_octets(&p, start, DER_IMPL(6), iri->cpe_id, iri->cpe_id_len));
	if (iri->network_id != NULL)
		W(der_octets(&p, start, DER_IMPL(5), iri->network_id,
		    iri->network_id_len));
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

	if (!fields_ok(iri))
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
