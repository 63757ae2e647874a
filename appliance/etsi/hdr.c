/* hdr.c - PSHeader templates (TS 102 232-1 clause 5.2) and the per-record header. */
#include <string.h>

#include "etsi/der.h"
#include "etsi/hdr.h"

#define CHECK(e)	do { if ((r = (e)) < 0) return r; n += r; } while (0)

static int
printable(const char *s, size_t len)
{
	static const char extra[] = " '()+,-./:=?";
	size_t i;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || (c != '\0' && strchr(extra, c))))
			return 0;
	}
	return 1;
}

static int
country(const char *cc)
{
	return cc == NULL || (strnlen(cc, 3) == 2 && printable(cc, 2));
}

/* communicationIdentifier [3] */
static int
comm_id(uint8_t **p, const uint8_t *start, const struct etsi_ident *id)
{
	int r, n = 0, ni = 0;

	if (id->delivery_cc != NULL)
		CHECK(der_octets(p, start, DER_IMPL(2), id->delivery_cc, 2));
	if (id->has_cin)
		CHECK(der_uint(p, start, DER_IMPL(1), id->cin));
	if (id->ne_id != NULL) {
		if ((r = der_octets(p, start, DER_IMPL(1), id->ne_id,
		    strlen(id->ne_id))) < 0)
			return r;
		ni += r;
	}
	if ((r = der_octets(p, start, DER_IMPL(0), id->operator_id,
	    strlen(id->operator_id))) < 0)
		return r;
	ni += r;
	CHECK(der_tl(p, start, DER_EXPL(0), (size_t)ni));
	n += ni;
	CHECK(der_tl(p, start, DER_EXPL(3), (size_t)n));
	return n;
}

int
etsi_tmpl_init(struct etsi_tmpl *t, const struct etsi_ident *id)
{
	uint32_t domain[] = { 0, 4, 0, 2, 2, 5, 1, id->pspdu_version };
	uint8_t *p = t->bytes + sizeof(t->bytes);
	size_t oplen, nelen;
	int r, n = 0;

	memset(t, 0, sizeof(*t));
	if (id->liid == NULL || id->liid_len < 1 || id->liid_len > 25 ||
	    id->operator_id == NULL)
		return -1;
	oplen = strnlen(id->operator_id, 17);
	nelen = id->ne_id ? strnlen(id->ne_id, 17) : 1;
	if (oplen < 1 || oplen > 16 || nelen < 1 || nelen > 16)
		return -1;
	if (!country(id->auth_cc) || !country(id->delivery_cc))
		return -1;

	if ((r = comm_id(&p, t->bytes, id)) < 0)
		return -1;
	n += r;
	if (id->auth_cc != NULL) {
		if ((r = der_octets(&p, t->bytes, DER_IMPL(2), id->auth_cc, 2)) < 0)
			return -1;
		n += r;
	}
	if ((r = der_octets(&p, t->bytes, DER_IMPL(1), id->liid,
	    id->liid_len)) < 0)
		return -1;
	n += r;
	if ((r = der_oid(&p, t->bytes, DER_IMPL(0), domain, 8)) < 0)
		return -1;
	n += r;
	memmove(t->bytes, p, (size_t)n);
	t->len = (uint16_t)n;
	t->ipaccess_version = id->ipaccess_version;
	return 0;
}

int
etsi_hdr_write(uint8_t **p, const uint8_t *start,
    const struct etsi_tmpl *t, uint32_t seq, struct etsi_time ts)
{
	int r, n = 0, m = 0;

	if (ts.usec > 999999)
		return DER_E_RANGE;
	/* timeStampQualifier [8]: timeOfInterception(1) */
	CHECK(der_int(p, start, DER_IMPL(8), 1));
	/* microSecondTimeStamp [7] */
	if ((r = der_uint(p, start, DER_IMPL(1), ts.usec)) < 0)
		return r;
	m += r;
	if ((r = der_uint(p, start, DER_IMPL(0), (uint64_t)ts.sec)) < 0)
		return r;
	m += r;
	CHECK(der_tl(p, start, DER_EXPL(7), (size_t)m));
	n += m;
	CHECK(der_gentime(p, start, DER_IMPL(5), ts.sec, ts.usec));
	CHECK(der_uint(p, start, DER_IMPL(4), seq));
	CHECK(der_raw(p, start, t->bytes, t->len));
	CHECK(der_tl(p, start, DER_EXPL(1), (size_t)n));
	return n;
}

int
etsi_pdu_wrap(uint8_t **p, const uint8_t *start, size_t body)
{
	return der_tl(p, start, DER_SEQUENCE, body);
}
