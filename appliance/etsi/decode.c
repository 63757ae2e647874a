/* decode.c - strict decoding of PS-PDUs (TS 102 232-1): IPIRI, IPCC (-3), IPMMIRI, IPMMCC (-5). */
#include <string.h>

#include "etsi/decode.h"
#include "etsi/derread.h"

/* The children of a SEQUENCE: context tags, in increasing order. */
struct walk {
	struct der_rd r;
	int64_t last;
	const char *what;
};

static int
walk_init(struct walk *w, const struct der_tlv *t, struct der_err *e,
    const char *what)
{
	if (!(t->id & 0x20))
		return der_fail(e, t->hdr, what, "SEQUENCE must be constructed");
	w->r.p = t->v;
	w->r.end = t->v + t->len;
	w->last = -1;
	w->what = what;
	return 0;
}

static int
walk_next(struct walk *w, struct der_tlv *c, struct der_err *e)
{
	int k;

	if ((k = der_next(&w->r, c, e, w->what)) <= 0)
		return k;
	if ((c->id & 0xc0) != DER_ID_CTX)
		return der_fail(e, c->hdr, w->what, "element is not context-tagged");
	if ((int64_t)c->num <= w->last)
		return der_fail(e, c->hdr, w->what,
		    "element repeated or out of order");
	w->last = c->num;
	return 1;
}

static int
prim(const struct der_tlv *t, struct der_err *e, const char *what)
{
	if (t->id != DER_ID_CTX)
		return der_fail(e, t->hdr, what, "must be primitive");
	return 0;
}

static int
cons(const struct der_tlv *t, struct der_err *e, const char *what)
{
	if (t->id != DER_ID_CTXC)
		return der_fail(e, t->hdr, what, "must be constructed");
	return 0;
}

/* The single alternative inside an explicit CHOICE. */
static int
choice(const struct der_tlv *t, struct der_tlv *c, struct der_err *e,
    const char *what)
{
	struct der_rd r = { t->v, t->v + t->len };
	struct der_tlv extra;
	int k;

	if (cons(t, e, what) < 0)
		return -1;
	if ((k = der_next(&r, c, e, what)) < 0)
		return -1;
	if (k == 0)
		return der_fail(e, t->hdr, what, "CHOICE without an alternative");
	if ((c->id & 0xc0) != DER_ID_CTX)
		return der_fail(e, c->hdr, what, "alternative is not context-tagged");
	if ((k = der_next(&r, &extra, e, what)) < 0)
		return -1;
	if (k > 0)
		return der_fail(e, extra.hdr, what, "CHOICE with more than one alternative");
	return 0;
}

static int
get_u32(const struct der_tlv *t, uint64_t max, uint32_t *out,
    struct der_err *e, const char *what)
{
	uint64_t x;

	if (prim(t, e, what) < 0 || der_get_uint(t, max, &x, e, what) < 0)
		return -1;
	*out = (uint32_t)x;
	return 0;
}

static int
get_enum(const struct der_tlv *t, int *out, struct der_err *e,
    const char *what)
{
	uint32_t x;

	if (get_u32(t, INT32_MAX, &x, e, what) < 0)
		return -1;
	*out = (int)x;
	return 0;
}

static int
get_time(const struct der_tlv *t, struct etsi_time *out, struct der_err *e,
    const char *what)
{
	if (prim(t, e, what) < 0)
		return -1;
	return der_get_time(t, &out->sec, &out->usec, e, what);
}

static int
skip(const struct der_tlv *t, struct der_err *e, const char *what)
{
	return der_check(t, e, what);
}

static int
printable(const struct der_tlv *t, struct der_err *e, const char *what)
{
	static const char extra[] = " '()+,-./:=?";
	size_t i;

	for (i = 0; i < t->len; i++) {
		uint8_t c = t->v[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || (c != 0 && strchr(extra, c))))
			return der_fail(e, t->hdr, what,
			    "character not allowed in a PrintableString");
	}
	return 0;
}

static int
country(const struct der_tlv *t, char out[3], struct der_err *e,
    const char *what)
{
	if (prim(t, e, what) < 0 || der_get_str(t, 2, 2, out, e, what) < 0)
		return -1;
	return printable(t, e, what);
}

/* MicroSecondTimeStamp { seconds [0], microSeconds [1] } */
static int
usts(const struct der_tlv *t, struct etsi_time *out, struct der_err *e,
    const char *what)
{
	struct walk w;
	struct der_tlv c;
	uint64_t s = 0;
	uint32_t us = 0;
	int k, have = 0;

	if (cons(t, e, what) < 0 || walk_init(&w, t, e, what) < 0)
		return -1;
	while ((k = walk_next(&w, &c, e)) > 0) {
		switch (c.num) {
		case 0:
			if (prim(&c, e, "microSecondTimeStamp.seconds") < 0 ||
			    der_get_uint(&c, INT64_MAX, &s, e,
			    "microSecondTimeStamp.seconds") < 0)
				return -1;
			have |= 1;
			break;
		case 1:
			if (get_u32(&c, 999999, &us, e,
			    "microSecondTimeStamp.microSeconds") < 0)
				return -1;
			have |= 2;
			break;
		default:
			if (skip(&c, e, what) < 0)
				return -1;
		}
	}
	if (k < 0)
		return -1;
	if (have != 3)
		return der_fail(e, t->hdr, what, "seconds or microSeconds missing");
	out->sec = (int64_t)s;
	out->usec = us;
	return 0;
}

/* NetworkIdentifier { operatorIdentifier [0], networkElementIdentifier [1] } */
static int
netid(const struct der_tlv *t, struct etsi_pdu *out, struct der_err *e)
{
	const char *what = "networkIdentifier";
	struct walk w;
	struct der_tlv c;
	int k, have_op = 0;

	if (cons(t, e, what) < 0 || walk_init(&w, t, e, what) < 0)
		return -1;
	while ((k = walk_next(&w, &c, e)) > 0) {
		switch (c.num) {
		case 0:
			if (prim(&c, e, "operatorIdentifier") < 0 ||
			    der_get_str(&c, 1, 16, out->operator_id, e,
			    "operatorIdentifier") < 0)
				return -1;
			have_op = 1;
			break;
		case 1:
			if (prim(&c, e, "networkElementIdentifier") < 0 ||
			    der_get_str(&c, 1, 16, out->ne_id, e,
			    "networkElementIdentifier") < 0)
				return -1;
			break;
		default:
			if (skip(&c, e, what) < 0)
				return -1;
		}
	}
	if (k < 0)
		return -1;
	if (!have_op)
		return der_fail(e, t->hdr, what, "operatorIdentifier missing");
	return 0;
}

/* CommunicationIdentifier { networkIdentifier [0], communicationIdentityNumber [1], deliveryCountryCode [2] } */
static int
commid(const struct der_tlv *t, struct etsi_pdu *out, struct der_err *e)
{
	const char *what = "communicationIdentifier";
	struct walk w;
	struct der_tlv c;
	int k, have_ni = 0;

	if (cons(t, e, what) < 0 || walk_init(&w, t, e, what) < 0)
		return -1;
	while ((k = walk_next(&w, &c, e)) > 0) {
		switch (c.num) {
		case 0:
			if (netid(&c, out, e) < 0)
				return -1;
			have_ni = 1;
			break;
		case 1:
			if (get_u32(&c, UINT32_MAX, &out->cin, e,
			    "communicationIdentityNumber") < 0)
				return -1;
			out->has_cin = 1;
			break;
		case 2:
			if (country(&c, out->delivery_cc, e,
			    "deliveryCountryCode") < 0)
				return -1;
			break;
		default:
			if (skip(&c, e, what) < 0)
				return -1;
		}
	}
	if (k < 0)
		return -1;
	if (!have_ni)
		return der_fail(e, t->hdr, what, "networkIdentifier missing");
	return 0;
}

static int
domain_id(const struct der_tlv *t, struct etsi_pdu *out, struct der_err *e)
{
	static const uint32_t prefix[7] = { 0, 4, 0, 2, 2, 5, 1 };
	const char *what = "li-psDomainId";
	uint32_t arcs[8];
	size_t n;

	if (prim(t, e, what) < 0 ||
	    der_get_arcs(t, 0, arcs, 8, &n, e, what) < 0)
		return -1;
	if (n != 8 || memcmp(arcs, prefix, sizeof(prefix)) != 0)
		return der_fail(e, t->hdr, what, "not 0.4.0.2.2.5.1.N");
	out->pspdu_version = arcs[7];
	return 0;
}

/* PSHeader, TS 102 232-1 clause 5.2 */
static int
header(const struct der_tlv *t, struct etsi_pdu *out, struct der_err *e)
{
	const char *what = "pSHeader";
	struct walk w;
	struct der_tlv c;
	int k, have = 0;

	if (cons(t, e, what) < 0 || walk_init(&w, t, e, what) < 0)
		return -1;
	while ((k = walk_next(&w, &c, e)) > 0) {
		int r = 0;

		switch (c.num) {
		case 0:
			r = domain_id(&c, out, e);
			break;
		case 1:
			r = prim(&c, e, "lawfulInterceptionIdentifier");
			if (r == 0)
				r = der_get_str(&c, 1, 25, out->liid, e,
				    "lawfulInterceptionIdentifier");
			out->liid_len = c.len;
			have |= 1;
			break;
		case 2:
			r = country(&c, out->auth_cc, e, "authorizationCountryCode");
			break;
		case 3:
			r = commid(&c, out, e);
			have |= 2;
			break;
		case 4:
			r = get_u32(&c, UINT32_MAX, &out->seq, e, "sequenceNumber");
			have |= 4;
			break;
		case 5:
			r = get_time(&c, &out->ts, e, "timeStamp");
			out->has_ts = 1;
			break;
		case 6:
			r = prim(&c, e, "interceptionPointID");
			if (r == 0)
				r = der_get_str(&c, 1, 8, NULL, e,
				    "interceptionPointID");
			if (r == 0)
				r = printable(&c, e, "interceptionPointID");
			break;
		case 7:
			r = usts(&c, &out->usts, e, "microSecondTimeStamp");
			out->has_usts = 1;
			break;
		case 8:
			r = get_enum(&c, &out->ts_qualifier, e, "timeStampQualifier");
			break;
		default:
			r = skip(&c, e, what);
		}
		if (r < 0)
			return -1;
	}
	if (k < 0)
		return -1;
	if (!(have & 1))
		return der_fail(e, t->hdr, what, "lawfulInterceptionIdentifier missing");
	if (!(have & 2))
		return der_fail(e, t->hdr, what, "communicationIdentifier missing");
	if (!(have & 4))
		return der_fail(e, t->hdr, what, "sequenceNumber missing");
	return 0;
}

/* 5.3.N.last, the IP access object identifiers. */
static int
objid(const struct der_tlv *t, uint32_t last, uint32_t *version,
    struct der_err *e, const char *what)
{
	uint32_t arcs[4];
	size_t n;

	if (prim(t, e, what) < 0 || der_get_arcs(t, 1, arcs, 4, &n, e, what) < 0)
		return -1;
	if (n != 4 || arcs[0] != 5 || arcs[1] != 3 || arcs[3] != last)
		return der_fail(e, t->hdr, what, last == 1 ?
		    "not the RELATIVE-OID 5.3.N.1" : "not the RELATIVE-OID 5.3.N.2");
	*version = arcs[2];
	return 0;
}

static int
ipmask(const struct der_tlv *t, uint8_t *prefix, struct der_err *e)
{
	const char *what = "iPv4SubnetMask";
	uint32_t m;

	if (prim(t, e, what) < 0 || der_get_str(t, 4, 4, NULL, e, what) < 0)
		return -1;
	m = (uint32_t)t->v[0] << 24 | (uint32_t)t->v[1] << 16 |
	    (uint32_t)t->v[2] << 8 | t->v[3];
	if ((~m & (~m + 1)) != 0)
		return der_fail(e, t->hdr, what, "mask is not contiguous");
	*prefix = (uint8_t)__builtin_popcount(m);
	return 0;
}

/* IPAddress (TS 102 232-1 clause 5.2.x); only iPBinaryAddress values. */
static int
ipaddr(const struct der_tlv *t, struct etsi_ipaddr *a, struct der_err *e,
    const char *what)
{
	struct walk w;
	struct der_tlv c, v;
	uint32_t x;
	int k, type = -1, have_val = 0, have_len = 0;

	memset(a, 0, sizeof(*a));
	if (cons(t, e, what) < 0 || walk_init(&w, t, e, what) < 0)
		return -1;
	while ((k = walk_next(&w, &c, e)) > 0) {
		switch (c.num) {
		case 1:
			if (get_u32(&c, 1, &x, e, "iP-type") < 0)
				return -1;
			type = (int)x;
			break;
		case 2:
			if (choice(&c, &v, e, "iP-value") < 0)
				return -1;
			if (v.id != DER_ID_CTX || v.num != 1)
				return der_fail(e, v.hdr, "iP-value",
				    "only iPBinaryAddress is supported");
			if (v.len != 4 && v.len != 16)
				return der_fail(e, v.hdr, "iPBinaryAddress",
				    "neither 4 nor 16 octets");
			memcpy(a->addr, v.v, v.len);
			have_val = (int)v.len;
			break;
		case 3:
			if (get_u32(&c, 255, &x, e, "iP-assignment") < 0)
				return -1;
			a->assignment = (uint8_t)x;
			break;
		case 4:
			if (get_u32(&c, 128, &x, e, "iPv6PrefixLength") < 0)
				return -1;
			if (x == 0)
				return der_fail(e, c.hdr, "iPv6PrefixLength",
				    "INTEGER out of range");
			a->prefix_len = (uint8_t)x;
			have_len = 6;
			break;
		case 5:
			if (ipmask(&c, &a->prefix_len, e) < 0)
				return -1;
			have_len = 4;
			break;
		default:
			if (skip(&c, e, what) < 0)
				return -1;
		}
	}
	if (k < 0)
		return -1;
	if (type < 0 || !have_val)
		return der_fail(e, t->hdr, what, "iP-type or iP-value missing");
	a->family = type == 0 ? 4 : 6;
	if (have_val != (type == 0 ? 4 : 16))
		return der_fail(e, t->hdr, what, "address length does not match iP-type");
	if (have_len != 0 && have_len != a->family)
		return der_fail(e, t->hdr, what, "prefix field does not match iP-type");
	if (have_len == 0)
		a->prefix_len = type == 0 ? 32 : 128;
	return 0;
}

/* A string of min..max octets, kept as a pointer into the PDU. */
static int
bytes(const struct der_tlv *t, size_t min, size_t max, const uint8_t **out,
    size_t *len, struct der_err *e, const char *what)
{
	if (prim(t, e, what) < 0 || der_get_str(t, min, max, NULL, e, what) < 0)
		return -1;
	*out = t->v;
	*len = t->len;
	return 0;
}

/* pOPIdentifier [18] IPIRIIDType, a CHOICE: only printableIDType [0]. */
static int
pop_id(const struct der_tlv *t, struct etsi_pdu *out, struct der_err *e)
{
	const char *what = "pOPIdentifier";
	struct der_tlv alt;

	if (choice(t, &alt, e, what) < 0)
		return -1;
	if (alt.num != 0)
		return der_fail(e, alt.hdr, what, "only printableIDType is supported");
	return bytes(&alt, 1, 128, &out->pop_id, &out->pop_id_len, e,
	    "printableIDType");
}

/* otherTargetIdentifiers [23] SEQUENCE OF CHOICE { iPAddress [0], ... } */
static int
others(const struct der_tlv *t, struct etsi_pdu *out, struct der_err *e)
{
	const char *what = "otherTargetIdentifiers";
	struct der_rd r = { t->v, t->v + t->len };
	struct der_tlv c;
	int k;

	if (cons(t, e, what) < 0)
		return -1;
	out->nother = 0;	/* out may hold an earlier IRIPayload's */
	while ((k = der_next(&r, &c, e, what)) > 0) {
		if ((c.id & 0xc0) != DER_ID_CTX)
			return der_fail(e, c.hdr, what,
			    "alternative is not context-tagged");
		if (c.num != 0)
			return der_fail(e, c.hdr, what, "only iPAddress is supported");
		if (out->nother == ETSI_IPIRI_MAX_OTHER)
			return der_fail(e, c.hdr, what,
			    "more than 8 addresses (lawtap's limit)");
		if (ipaddr(&c, &out->other[out->nother], e,
		    "otherTargetIdentifiers.iPAddress") < 0)
			return -1;
		out->nother++;
	}
	return k;
}

/* IPIRIContents [0]..[12], TS 102 232-3 clause 7 */
static int
ipiri_field_lo(const struct der_tlv *c, struct etsi_pdu *out,
    struct der_err *e)
{
	int r;

	switch (c->num) {
	case 0:
		return get_enum(c, &out->access_event, e, "accessEventType");
	case 1:
		r = prim(c, e, "targetUsername");
		if (r == 0)
			r = der_get_str(c, 0, sizeof(out->username) - 1,
			    out->username, e, "targetUsername");
		out->username_len = c->len;
		return r;
	case 2:
		return get_u32(c, INT32_MAX, &out->access_type, e,
		    "internetAccessType");
	case 3:
		return get_u32(c, INT32_MAX, &out->ip_version, e, "iPVersion");
	case 4:
		out->has_target = 1;
		return ipaddr(c, &out->target, e, "targetIPAddress");
	case 5:
		return bytes(c, 1, 20, &out->network_id, &out->network_id_len, e,
		    "targetNetworkID");
	case 6:
		return bytes(c, 1, 128, &out->cpe_id, &out->cpe_id_len, e,
		    "targetCPEID");
	case 8:
		out->has_pop_port = 1;
		return get_u32(c, UINT32_MAX, &out->pop_port, e, "pOPPortNumber");
	case 10:
		out->has_start = 1;
		return get_time(c, &out->start, e, "startTime");
	case 11:
		out->has_end = 1;
		return get_time(c, &out->end, e, "endTime");
	case 12:
		out->has_end_reason = 1;
		return get_u32(c, INT32_MAX, &out->end_reason, e, "endReason");
	default:
		return skip(c, e, "iPIRIContents");
	}
}

/* IPIRIContents [13].. */
static int
ipiri_field_hi(const struct der_tlv *c, struct etsi_pdu *out,
    struct der_err *e)
{
	switch (c->num) {
	case 13:
		out->has_octets_received = 1;
		return prim(c, e, "octetsReceived") < 0 ? -1 :
		    der_get_uint(c, UINT64_MAX, &out->octets_received, e,
		    "octetsReceived");
	case 14:
		out->has_octets_transmitted = 1;
		return prim(c, e, "octetsTransmitted") < 0 ? -1 :
		    der_get_uint(c, UINT64_MAX, &out->octets_transmitted, e,
		    "octetsTransmitted");
	case 16:
		out->has_expected_end = 1;
		return get_time(c, &out->expected_end, e, "expectedEndTime");
	case 18:
		return pop_id(c, out, e);
	case 19:
		out->has_pop_ip = 1;
		return ipaddr(c, &out->pop_ip, e, "pOPIPAddress");
	case 21:
		out->has_additional = 1;
		return ipaddr(c, &out->additional, e, "additionalIPAddress");
	case 22:
		out->has_auth_type = 1;
		return get_u32(c, INT32_MAX, &out->auth_type, e,
		    "authenticationType");
	case 23:
		return others(c, out, e);
	case 25:
		return bytes(c, 0, SIZE_MAX, &out->pop_port_id,
		    &out->pop_port_id_len, e, "pOPPortID");
	default:
		return skip(c, e, "iPIRIContents");
	}
}

/* IPIRIContents, TS 102 232-3 clause 7 */
static int
ipiri_contents(const struct der_tlv *t, struct etsi_pdu *out,
    struct der_err *e)
{
	const char *what = "iPIRIContents";
	struct walk w;
	struct der_tlv c;
	int k, r, have = 0;

	if (cons(t, e, what) < 0 || walk_init(&w, t, e, what) < 0)
		return -1;
	while ((k = walk_next(&w, &c, e)) > 0) {
		if (c.num <= 3)
			have |= 1 << c.num;
		r = c.num <= 12 ? ipiri_field_lo(&c, out, e) :
		    ipiri_field_hi(&c, out, e);
		if (r < 0)
			return -1;
	}
	if (k < 0)
		return -1;
	if (have != 15)
		return der_fail(e, t->hdr, what, "a mandatory field is missing "
		    "(accessEventType, targetUsername, internetAccessType, iPVersion)");
	return 0;
}

/* IPIRI { iPIRIObjId [0], iPIRIContents [1] } */
static int
ipiri(const struct der_tlv *t, struct etsi_pdu *out, struct der_err *e)
{
	const char *what = "iPIRI";
	struct walk w;
	struct der_tlv c;
	int k, have = 0;

	if (walk_init(&w, t, e, what) < 0)
		return -1;
	while ((k = walk_next(&w, &c, e)) > 0) {
		if (c.num == 0) {
			if (objid(&c, 1, &out->objid_version, e, "iPIRIObjId") < 0)
				return -1;
			have |= 1;
		} else if (c.num == 1) {
			if (ipiri_contents(&c, out, e) < 0)
				return -1;
			have |= 2;
		} else if (skip(&c, e, what) < 0)
			return -1;
	}
	if (k < 0)
		return -1;
	if (have != 3)
		return der_fail(e, t->hdr, what, "iPIRIObjId or iPIRIContents missing");
	return 0;
}

/* 5.5.N.last, the IP multimedia object identifiers (TS 102 232-5). */
static int
ipmm_objid(const struct der_tlv *t, uint32_t last, uint32_t *version,
    struct der_err *e, const char *what)
{
	uint32_t arcs[4];
	size_t n;

	if (prim(t, e, what) < 0 || der_get_arcs(t, 1, arcs, 4, &n, e, what) < 0)
		return -1;
	if (n != 4 || arcs[0] != 5 || arcs[1] != 5 || arcs[3] != last)
		return der_fail(e, t->hdr, what, last == 1 ?
		    "not the RELATIVE-OID 5.5.N.1" : "not the RELATIVE-OID 5.5.N.2");
	*version = arcs[2];
	return 0;
}

/* SIPMessage { iPSourceAddress [0], iPDestinationAddress [1], sIPContent [2], ... } */
static int
sipmessage(const struct der_tlv *t, struct etsi_pdu *out, struct der_err *e)
{
	const char *what = "sIPMessage";
	struct walk w;
	struct der_tlv c;
	int k, have = 0;

	if (cons(t, e, what) < 0 || walk_init(&w, t, e, what) < 0)
		return -1;
	while ((k = walk_next(&w, &c, e)) > 0) {
		switch (c.num) {
		case 0:
			if (ipaddr(&c, &out->sip_src, e, "iPSourceAddress") < 0)
				return -1;
			break;
		case 1:
			if (ipaddr(&c, &out->sip_dst, e, "iPDestinationAddress") < 0)
				return -1;
			break;
		case 2:
			if (bytes(&c, 0, ETSI_PDU_MAX, &out->sip, &out->sip_len, e,
			    "sIPContent") < 0)
				return -1;
			break;
		default:
			if (skip(&c, e, what) < 0)
				return -1;
			continue;
		}
		have |= 1 << c.num;
	}
	if (k < 0)
		return -1;
	if (have != 7)
		return der_fail(e, t->hdr, what, "iPSourceAddress, "
		    "iPDestinationAddress or sIPContent missing");
	return 0;
}

/* IPMMIRI { iPMMIRIObjId [0], iPMMIRIContents [1] CHOICE, ... } */
static int
ipmmiri(const struct der_tlv *t, struct etsi_pdu *out, struct der_err *e)
{
	const char *what = "iPMMIRI";
	struct walk w;
	struct der_tlv c, alt;
	int k, have = 0;

	if (walk_init(&w, t, e, what) < 0)
		return -1;
	while ((k = walk_next(&w, &c, e)) > 0) {
		if (c.num == 0) {
			if (ipmm_objid(&c, 1, &out->objid_version, e,
			    "iPMMIRIObjId") < 0)
				return -1;
			have |= 1;
		} else if (c.num == 1) {
			if (choice(&c, &alt, e, "iPMMIRIContents") < 0)
				return -1;
			out->ipmm_alt = (int)alt.num;
			if (alt.num == 1) {
				if (sipmessage(&alt, out, e) < 0)
					return -1;
			} else if (skip(&alt, e, "iPMMIRIContents") < 0)
				return -1;
			have |= 2;
		} else if (skip(&c, e, what) < 0)
			return -1;
	}
	if (k < 0)
		return -1;
	if (have != 3)
		return der_fail(e, t->hdr, what,
		    "iPMMIRIObjId or iPMMIRIContents missing");
	return 0;
}

/*
 * IPMMCC { iPMMCCObjId [0], mMCCContents [1], ..., frameType [2],
 * streamIdentifier [3], mMCCprotocol [4] }
 */
static int
ipmmcc(const struct der_tlv *t, struct etsi_pdu *out, struct der_err *e)
{
	const char *what = "iPMMCC";
	struct walk w;
	struct der_tlv c;
	int k, r, have = 0;

	if (walk_init(&w, t, e, what) < 0)
		return -1;
	while ((k = walk_next(&w, &c, e)) > 0) {
		switch (c.num) {
		case 0:
			r = ipmm_objid(&c, 2, &out->objid_version, e, "iPMMCCObjId");
			have |= 1;
			break;
		case 1:
			r = bytes(&c, 0, ETSI_PDU_MAX, &out->payload,
			    &out->payload_len, e, "mMCCContents");
			have |= 2;
			break;
		case 2:
			r = get_enum(&c, &out->frame_type, e, "frameType");
			break;
		case 3:
			r = bytes(&c, 0, ETSI_PDU_MAX, &out->stream_id,
			    &out->stream_id_len, e, "streamIdentifier");
			break;
		case 4:
			r = get_enum(&c, &out->mmcc_protocol, e, "mMCCprotocol");
			break;
		default:
			r = skip(&c, e, what);
		}
		if (r < 0)
			return -1;
	}
	if (k < 0)
		return -1;
	if (have != 3)
		return der_fail(e, t->hdr, what, "iPMMCCObjId or mMCCContents missing");
	return 0;
}

/* IRIPayload { iRIType [0], timeStamp [1], iRIContents [2], ... } */
static int
iri_payload(const struct der_tlv *t, struct etsi_pdu *out, struct der_err *e)
{
	const char *what = "IRIPayload";
	struct walk w;
	struct der_tlv c, alt;
	struct etsi_time tmp;
	int k, r, have = 0, dummy;

	if (t->id != 0x20 || t->num != 16)
		return der_fail(e, t->hdr, what, "not a SEQUENCE");
	if (walk_init(&w, t, e, what) < 0)
		return -1;
	while ((k = walk_next(&w, &c, e)) > 0) {
		switch (c.num) {
		case 0:
			r = get_enum(&c, &out->iri_type, e, "iRIType");
			break;
		case 1:
			r = get_time(&c, &tmp, e, "IRIPayload.timeStamp");
			break;
		case 2:
			r = choice(&c, &alt, e, "iRIContents");
			if (r < 0)
				break;
			out->iri_content = (int)alt.num;
			if (alt.num == 2)
				r = ipiri(&alt, out, e);
			else if (alt.num == 11)
				r = ipmmiri(&alt, out, e);
			else
				r = skip(&alt, e, "iRIContents");
			have = 1;
			break;
		case 3:
			r = usts(&c, &tmp, e, "IRIPayload.microSecondTimeStamp");
			break;
		case 4:
		case 5:
		case 6:
			r = get_enum(&c, &dummy, e, what);
			break;
		default:
			r = skip(&c, e, what);
		}
		if (r < 0)
			return -1;
	}
	if (k < 0)
		return -1;
	if (!have)
		return der_fail(e, t->hdr, what, "iRIContents missing");
	return 0;
}

/* IPCC { iPCCObjId [0], iPCCContents [1] CHOICE { iPPackets [0], iPTruncatedPacket [1] } } */
static int
ipcc(const struct der_tlv *t, struct etsi_pdu *out, struct der_err *e)
{
	const char *what = "iPCC";
	struct walk w;
	struct der_tlv c, alt;
	int k, have = 0;

	if (walk_init(&w, t, e, what) < 0)
		return -1;
	while ((k = walk_next(&w, &c, e)) > 0) {
		if (c.num == 0) {
			if (objid(&c, 2, &out->objid_version, e, "iPCCObjId") < 0)
				return -1;
			have |= 1;
		} else if (c.num == 1) {
			if (choice(&c, &alt, e, "iPCCContents") < 0)
				return -1;
			if (alt.num == 0) {
				if (prim(&alt, e, "iPPackets") < 0)
					return -1;
				out->payload = alt.v;
				out->payload_len = alt.len;
			} else if (skip(&alt, e, "iPCCContents") < 0)
				return -1;
			have |= 2;
		} else if (skip(&c, e, what) < 0)
			return -1;
	}
	if (k < 0)
		return -1;
	if (have != 3)
		return der_fail(e, t->hdr, what, "iPCCObjId or iPCCContents missing");
	return 0;
}

/* CCPayload { payloadDirection [0], timeStamp [1], cCContents [2], ... } */
static int
cc_payload(const struct der_tlv *t, struct etsi_pdu *out, struct der_err *e)
{
	const char *what = "CCPayload";
	struct walk w;
	struct der_tlv c, alt;
	struct etsi_time tmp;
	int k, r, have = 0, dummy;

	if (t->id != 0x20 || t->num != 16)
		return der_fail(e, t->hdr, what, "not a SEQUENCE");
	if (walk_init(&w, t, e, what) < 0)
		return -1;
	while ((k = walk_next(&w, &c, e)) > 0) {
		switch (c.num) {
		case 0:
			r = get_enum(&c, &out->dir, e, "payloadDirection");
			break;
		case 1:
			r = get_time(&c, &tmp, e, "CCPayload.timeStamp");
			break;
		case 2:
			r = choice(&c, &alt, e, "cCContents");
			if (r < 0)
				break;
			out->cc_content = (int)alt.num;
			if (alt.num == 2)
				r = ipcc(&alt, out, e);
			else if (alt.num == 12)
				r = ipmmcc(&alt, out, e);
			else {
				out->payload = alt.v;
				out->payload_len = alt.len;
				r = skip(&alt, e, "cCContents");
			}
			have = 1;
			break;
		case 3:
			r = usts(&c, &tmp, e, "CCPayload.microSecondTimeStamp");
			break;
		case 4:
			r = get_enum(&c, &dummy, e, "CCPayload.timeStampQualifier");
			break;
		default:
			r = skip(&c, e, what);
		}
		if (r < 0)
			return -1;
	}
	if (k < 0)
		return -1;
	if (!have)
		return der_fail(e, t->hdr, what, "cCContents missing");
	return 0;
}

/* SEQUENCE OF IRIPayload / CCPayload: every element is checked, the first is returned. */
static int
payload_seq(const struct der_tlv *t, struct etsi_pdu *out, struct der_err *e,
    int (*one)(const struct der_tlv *, struct etsi_pdu *, struct der_err *),
    const char *what)
{
	struct der_rd r = { t->v, t->v + t->len };
	struct der_tlv c;
	struct etsi_pdu scratch;
	int k, n = 0;

	if (cons(t, e, what) < 0)
		return -1;
	while ((k = der_next(&r, &c, e, what)) > 0) {
		if (n == 0) {
			if (one(&c, out, e) < 0)
				return -1;
		} else {
			scratch = *out;
			if (one(&c, &scratch, e) < 0)
				return -1;
		}
		n++;
	}
	if (k < 0)
		return -1;
	if (n == 0)
		return der_fail(e, t->hdr, what, "empty SEQUENCE OF");
	return 0;
}

/* includedSequenceNumbers [0] SEQUENCE OF INTEGER (0..4294967295) */
static int
ic_seqs(const struct der_tlv *t, struct etsi_pdu *out, struct der_err *e)
{
	struct der_rd r = { t->v, t->v + t->len };
	struct der_tlv c;
	int k;

	if (cons(t, e, "includedSequenceNumbers") < 0)
		return -1;
	while ((k = der_next(&r, &c, e, "includedSequenceNumbers")) > 0) {
		uint64_t x;

		if (c.id != 0x00 || c.num != 2)
			return der_fail(e, c.hdr, "includedSequenceNumbers",
			    "element is not an INTEGER");
		if (out->ic_nseqs == ETSI_IC_MAX_SEQS)
			return der_fail(e, c.hdr, "includedSequenceNumbers",
			    "more than ETSI_IC_MAX_SEQS sequence numbers");
		if (der_get_uint(&c, UINT32_MAX, &x, e,
		    "includedSequenceNumbers") < 0)
			return -1;
		out->ic_seqs[out->ic_nseqs++] = (uint32_t)x;
	}
	if (k < 0)
		return -1;
	if (out->ic_nseqs == 0)
		return der_fail(e, t->hdr, "includedSequenceNumbers",
		    "empty SEQUENCE OF");
	return 0;
}

static int
integrity(const struct der_tlv *t, struct etsi_pdu *out, struct der_err *e)
{
	struct der_tlv c;
	struct walk w;
	int k, have = 0;

	if (walk_init(&w, t, e, "integrityCheck") < 0)
		return -1;
	while ((k = walk_next(&w, &c, e)) > 0) {
		switch (c.num) {
		case 0:
			if (ic_seqs(&c, out, e) < 0)
				return -1;
			have |= 1;
			break;
		case 1:
			if (get_enum(&c, &out->ic_check_type, e, "checkType") < 0)
				return -1;
			have |= 2;
			break;
		case 2:
			if (get_enum(&c, &out->ic_data_type, e, "dataType") < 0)
				return -1;
			break;
		case 3:
			if (bytes(&c, 0, ETSI_PDU_MAX, &out->ic_value,
			    &out->ic_value_len, e, "checkValue") < 0)
				return -1;
			have |= 4;
			break;
		case 4:
			if (get_enum(&c, &out->ic_hash_alg, e, "hashAlgorithm") < 0)
				return -1;
			break;
		case 5:
			if (get_enum(&c, &out->ic_sig_alg, e,
			    "signatureAlgorithm") < 0)
				return -1;
			break;
		default:
			if (skip(&c, e, "integrityCheck") < 0)
				return -1;
		}
	}
	if (k < 0)
		return -1;
	if (have != 7)
		return der_fail(e, t->hdr, "integrityCheck",
		    "includedSequenceNumbers, checkType or checkValue missing");
	return 0;
}

static int
tri_payload(const struct der_tlv *t, struct etsi_pdu *out, struct der_err *e)
{
	struct der_tlv alt;

	if (choice(t, &alt, e, "tRIPayload") < 0)
		return -1;
	out->kind = ETSI_KIND_TRI_OTHER;
	out->tri = (int)alt.num;
	if (alt.num == 0)
		return integrity(&alt, out, e);
	if (alt.num == 3 || alt.num == 4) {
		if (der_get_null(&alt, e, alt.num == 3 ? "keep-alive" :
		    "keep-aliveResponse") < 0)
			return -1;
		if (alt.id != DER_ID_CTX)
			return der_fail(e, alt.hdr, "tRIPayload", "NULL must be primitive");
		out->kind = alt.num == 3 ? ETSI_KIND_KEEPALIVE :
		    ETSI_KIND_KEEPALIVE_RESPONSE;
		return 0;
	}
	if (alt.num == 7) {
		if (der_get_null(&alt, e, "cINReset") < 0)
			return -1;
		if (alt.id != DER_ID_CTX)
			return der_fail(e, alt.hdr, "tRIPayload", "NULL must be primitive");
		return 0;
	}
	return skip(&alt, e, "tRIPayload");
}

static int
payload(const struct der_tlv *t, struct etsi_pdu *out, struct der_err *e)
{
	struct der_tlv alt;

	if (choice(t, &alt, e, "payload") < 0)
		return -1;
	switch (alt.num) {
	case 0:
		out->kind = ETSI_KIND_IRI;
		return payload_seq(&alt, out, e, iri_payload, "iRIPayloadSequence");
	case 1:
		out->kind = ETSI_KIND_CC;
		return payload_seq(&alt, out, e, cc_payload, "cCPayloadSequence");
	case 2:
		return tri_payload(&alt, out, e);
	default:
		out->kind = ETSI_KIND_OTHER;
		return skip(&alt, e, "payload");
	}
}

int
etsi_pdu_decode(const uint8_t *buf, size_t len, struct etsi_pdu *out,
    char *err, size_t errlen)
{
	struct der_err e = { err, errlen, buf };
	struct der_rd r = { buf, buf + len };
	struct der_tlv pdu, c;
	struct walk w;
	int k, have = 0;

	memset(out, 0, sizeof(*out));
	out->ts_qualifier = -1;
	out->access_event = -1;
	out->dir = -1;
	out->tri = -1;
	out->ic_check_type = out->ic_data_type = -1;
	out->ic_hash_alg = out->ic_sig_alg = -1;
	out->ipmm_alt = out->frame_type = out->mmcc_protocol = -1;
	if (err != NULL && errlen > 0)
		err[0] = '\0';

	if ((k = der_next(&r, &pdu, &e, "PS-PDU")) <= 0)
		return k == 0 ? der_fail(&e, buf, "PS-PDU", "empty input") : -1;
	if (pdu.id != 0x20 || pdu.num != 16)
		return der_fail(&e, buf, "PS-PDU", "not a SEQUENCE");
	if (r.p != r.end)
		return der_fail(&e, r.p, "PS-PDU", "trailing bytes after the PDU");
	if (walk_init(&w, &pdu, &e, "PS-PDU") < 0)
		return -1;
	while ((k = walk_next(&w, &c, &e)) > 0) {
		if (c.num == 1) {
			if (header(&c, out, &e) < 0)
				return -1;
			have |= 1;
		} else if (c.num == 2) {
			if (payload(&c, out, &e) < 0)
				return -1;
			have |= 2;
		} else
			return der_fail(&e, c.hdr, "PS-PDU", "unknown element");
	}
	if (k < 0)
		return -1;
	if (have != 3)
		return der_fail(&e, buf, "PS-PDU", "pSHeader or payload missing");
	return 0;
}

int
etsi_pdu_frame(const uint8_t *buf, size_t len, size_t *pdu_len,
    char *err, size_t errlen)
{
	struct der_err e = { err, errlen, buf };
	size_t n, l, i;

	if (len < 2)
		return 0;
	if (buf[0] != 0x30)
		return der_fail(&e, buf, "PS-PDU", "does not start with a SEQUENCE");
	if (buf[1] < 0x80) {
		*pdu_len = 2 + (size_t)buf[1];
		return len >= *pdu_len;
	}
	if (buf[1] == 0x80)
		return der_fail(&e, buf, "PS-PDU", "indefinite length");
	n = buf[1] & 0x7f;
	if (n > 4)
		return der_fail(&e, buf, "PS-PDU", "length of more than 4 octets");
	if (len < 2 + n)
		return 0;
	if (buf[2] == 0)
		return der_fail(&e, buf, "PS-PDU", "length not minimal");
	for (l = 0, i = 0; i < n; i++)
		l = (l << 8) | buf[2 + i];
	if (l < 0x80)
		return der_fail(&e, buf, "PS-PDU", "length not minimal");
	if (l > ETSI_PDU_MAX)
		return der_fail(&e, buf, "PS-PDU", "longer than ETSI_PDU_MAX");
	*pdu_len = 2 + n + l;
	return len >= *pdu_len;
}

#define IC_NAME(tab, v)	((v) >= 0 && (size_t)(v) < sizeof(tab) / sizeof(tab[0]) ? \
	tab[(v)] : NULL)

const char *
etsi_check_type_name(int v)
{
	static const char *const tab[] = { NULL, "hash", "signature" };

	return IC_NAME(tab, v);
}

const char *
etsi_data_type_name(int v)
{
	static const char *const tab[] = { NULL, "iRI", "cC", "iLHI" };

	return IC_NAME(tab, v);
}

const char *
etsi_hash_alg_name(int v)
{
	static const char *const tab[] = {
		NULL, "sHA-1", "sHA-256", "sHA-384", "sHA-512",
	};

	return IC_NAME(tab, v);
}

const char *
etsi_sig_alg_name(int v)
{
	static const char *const tab[] = { NULL, "dSA", "eCDSA", "edDSA" };

	return IC_NAME(tab, v);
}

const char *
etsi_frame_type_name(int v)
{
	static const char *const tab[] = {
		"ipFrame", "udpFrame", "rtpFrame", "audioFrame", "tcpFrame",
		"artificialRtpFrame", "udptlFrame", "msrpFrame",
	};

	return IC_NAME(tab, v);
}

const char *
etsi_mmcc_protocol_name(int v)
{
	static const char *const tab[] = { "rTP", "mSRP", "uDPTL" };

	return IC_NAME(tab, v);
}
