/*
 * fuzz_pdu.c - etsi_pdu_frame and etsi_pdu_decode on arbitrary bytes; what
 * decodes is encoded again with lawtap's own encoders and must decode to the
 * same fields.
 */
#include <string.h>

#include "etsi/decode.h"
#include "etsi/der.h"
#include "etsi/etsi.h"
#include "fuzz.h"

#define GENTIME_MAX	253402300799LL	/* der_gentime's last second */
#define OUT_MAX		(ETSI_IPCC_HEAD_MAX + 65536)

static uint8_t out[OUT_MAX];

static int
cstr_ok(const char *s, size_t size)
{
	return strnlen(s, size) < size;
}

static void
invariants(const struct etsi_pdu *p, const uint8_t *buf, size_t len)
{
	FUZZ_CHECK(p->liid_len >= 1 && p->liid_len <= 25);
	FUZZ_CHECK(p->liid[p->liid_len] == '\0');
	FUZZ_CHECK(p->username_len <= 255);
	FUZZ_CHECK(p->username[p->username_len] == '\0');
	FUZZ_CHECK(cstr_ok(p->auth_cc, sizeof(p->auth_cc)));
	FUZZ_CHECK(cstr_ok(p->delivery_cc, sizeof(p->delivery_cc)));
	FUZZ_CHECK(cstr_ok(p->operator_id, sizeof(p->operator_id)));
	FUZZ_CHECK(cstr_ok(p->ne_id, sizeof(p->ne_id)));
	FUZZ_CHECK(p->kind >= ETSI_KIND_IRI && p->kind <= ETSI_KIND_OTHER);
	FUZZ_CHECK(p->ts.usec <= 999999 && p->usts.usec <= 999999);
	if (p->payload != NULL) {
		FUZZ_CHECK(p->payload >= buf && p->payload <= buf + len);
		FUZZ_CHECK(p->payload_len <= (size_t)(buf + len - p->payload));
	} else
		FUZZ_CHECK(p->payload_len == 0);
	if (p->has_target) {
		FUZZ_CHECK(p->target.family == 4 || p->target.family == 6);
		FUZZ_CHECK(p->target.prefix_len <= (p->target.family == 4 ? 32 : 128));
	}
}

static int
time_ok(const struct etsi_time *t)
{
	return t->sec >= 0 && t->sec <= GENTIME_MAX && t->usec <= 999999;
}

static int
time_eq(const struct etsi_time *a, const struct etsi_time *b)
{
	return a->sec == b->sec && a->usec == b->usec;
}

/* What the encoders wrote from a's header fields must come back unchanged in b. */
static void
same_header(const struct etsi_pdu *a, const struct etsi_pdu *b,
    const struct etsi_time *ts)
{
	FUZZ_CHECK(b->pspdu_version == a->pspdu_version);
	FUZZ_CHECK(b->liid_len == a->liid_len);
	FUZZ_CHECK(memcmp(b->liid, a->liid, a->liid_len) == 0);
	FUZZ_CHECK(strcmp(b->auth_cc, a->auth_cc) == 0);
	FUZZ_CHECK(strcmp(b->delivery_cc, a->delivery_cc) == 0);
	FUZZ_CHECK(strcmp(b->operator_id, a->operator_id) == 0);
	FUZZ_CHECK(strcmp(b->ne_id, a->ne_id) == 0);
	FUZZ_CHECK(b->has_cin == a->has_cin);
	FUZZ_CHECK(!a->has_cin || b->cin == a->cin);
	FUZZ_CHECK(b->seq == a->seq);
	FUZZ_CHECK(b->has_ts && time_eq(&b->ts, ts));
	FUZZ_CHECK(b->has_usts && time_eq(&b->usts, ts));
	FUZZ_CHECK(b->ts_qualifier == 1);
	FUZZ_CHECK(b->kind == a->kind);
}

static int
ipiri_of(const struct etsi_pdu *p, struct etsi_ipiri *iri)
{
	memset(iri, 0, sizeof(*iri));
	if (p->iri_content != 2 || p->iri_type < ETSI_IRI_BEGIN ||
	    p->iri_type > ETSI_IRI_REPORT || p->access_event < 0 ||
	    p->access_event > 13 || p->username_len == 0 ||
	    (p->has_start && !time_ok(&p->start)) ||
	    (p->has_end && !time_ok(&p->end)) ||
	    (p->has_target && p->target.assignment > 3))
		return -1;
	iri->iri_type = (enum etsi_iri_type)p->iri_type;
	iri->event = (enum etsi_access_event)p->access_event;
	iri->username = p->username;
	iri->username_len = p->username_len;
	iri->access_type = p->access_type;
	iri->ip_version = p->ip_version;
	iri->has_target = p->has_target;
	iri->target = p->target;
	iri->has_start = p->has_start;
	iri->start = p->start;
	iri->has_end = p->has_end;
	iri->end = p->end;
	return 0;
}

static void
reencode(const struct etsi_pdu *a)
{
	struct etsi_ident id = {
		.pspdu_version = a->pspdu_version,
		.ipaccess_version = a->objid_version,
		.liid = a->liid,
		.liid_len = a->liid_len,
		.auth_cc = a->auth_cc[0] ? a->auth_cc : NULL,
		.operator_id = a->operator_id,
		.ne_id = a->ne_id[0] ? a->ne_id : NULL,
		.has_cin = a->has_cin,
		.cin = a->cin,
		.delivery_cc = a->delivery_cc[0] ? a->delivery_cc : NULL,
	};
	struct etsi_time ts = { 1795316400, 123456 };
	struct etsi_tmpl t;
	struct etsi_ipiri iri;
	struct etsi_pdu b;
	char err[256];
	int n;

	if (a->has_ts) {
		if (!time_ok(&a->ts))
			return;
		ts = a->ts;
	}
	/* The decoder accepts an operatorIdentifier with a NUL in it; C strings stop there. */
	if (a->operator_id[0] == '\0')
		return;
	FUZZ_CHECK(etsi_tmpl_init(&t, &id) == 0);

	switch (a->kind) {
	case ETSI_KIND_CC:
		if (a->cc_content != 2 || a->dir < 0 || a->dir > 2 ||
		    a->payload_len > OUT_MAX - ETSI_IPCC_HEAD_MAX)
			return;
		n = etsi_ipcc_head(out, ETSI_IPCC_HEAD_MAX, &t, a->seq, ts,
		    (enum etsi_dir)a->dir, a->payload_len);
		FUZZ_CHECK(n > 0);
		memmove(out, out + ETSI_IPCC_HEAD_MAX - n, (size_t)n);
		if (a->payload_len > 0)
			memcpy(out + n, a->payload, a->payload_len);
		n += (int)a->payload_len;
		break;
	case ETSI_KIND_IRI:
		if (ipiri_of(a, &iri) < 0)
			return;
		n = etsi_ipiri_encode(out, sizeof(out), &t, a->seq, ts, &iri);
		FUZZ_CHECK(n > 0);
		memmove(out, out + sizeof(out) - n, (size_t)n);
		break;
	case ETSI_KIND_KEEPALIVE:
	case ETSI_KIND_KEEPALIVE_RESPONSE:
		n = etsi_keepalive_encode(out, sizeof(out), &t, a->seq, ts,
		    a->kind == ETSI_KIND_KEEPALIVE_RESPONSE);
		FUZZ_CHECK(n > 0);
		memmove(out, out + sizeof(out) - n, (size_t)n);
		break;
	default:
		return;
	}

	if (etsi_pdu_decode(out, (size_t)n, &b, err, sizeof(err)) != 0) {
		fprintf(stderr, "re-encoded PDU does not decode: %s\n", err);
		abort();
	}
	same_header(a, &b, &ts);
	FUZZ_CHECK(b.objid_version == a->objid_version || a->kind >= ETSI_KIND_KEEPALIVE);
	if (a->kind == ETSI_KIND_CC) {
		FUZZ_CHECK(b.dir == a->dir && b.cc_content == 2);
		FUZZ_CHECK(b.payload_len == a->payload_len);
		FUZZ_CHECK(a->payload_len == 0 ||
		    memcmp(b.payload, a->payload, a->payload_len) == 0);
	} else if (a->kind == ETSI_KIND_IRI) {
		FUZZ_CHECK(b.iri_type == a->iri_type && b.iri_content == 2);
		FUZZ_CHECK(b.access_event == a->access_event);
		FUZZ_CHECK(b.username_len == a->username_len);
		FUZZ_CHECK(memcmp(b.username, a->username, a->username_len) == 0);
		FUZZ_CHECK(b.access_type == a->access_type);
		FUZZ_CHECK(b.ip_version == a->ip_version);
		FUZZ_CHECK(b.has_target == a->has_target);
		FUZZ_CHECK(!a->has_target ||
		    memcmp(&b.target, &a->target, sizeof(a->target)) == 0);
		FUZZ_CHECK(b.has_start == a->has_start &&
		    (!a->has_start || time_eq(&b.start, &a->start)));
		FUZZ_CHECK(b.has_end == a->has_end &&
		    (!a->has_end || time_eq(&b.end, &a->end)));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct etsi_pdu p;
	char err[256];
	uint8_t *buf;
	size_t n = 0;
	int fr, dr;

	if ((buf = malloc(len ? len : 1)) == NULL)
		return 0;
	memcpy(buf, data, len);

	err[0] = '\0';
	fr = etsi_pdu_frame(buf, len, &n, err, sizeof(err));
	FUZZ_CHECK(fr == -1 || fr == 0 || fr == 1);
	FUZZ_CHECK(fr != -1 || err[0] != '\0');
	if (fr == 1)
		FUZZ_CHECK(n >= 2 && n <= len);

	dr = etsi_pdu_decode(buf, len, &p, err, sizeof(err));
	FUZZ_CHECK(dr == 0 || (dr == -1 && err[0] != '\0'));
	if (dr == 0) {
		/* What decodes as one PDU must frame as exactly that PDU. */
		FUZZ_CHECK(fr == 1 && n == len);
		invariants(&p, buf, len);
		reencode(&p);
	} else if (fr == 1 && n < len) {
		/* The framed prefix, as the LEMF would see it on a stream. */
		if (etsi_pdu_decode(buf, n, &p, err, sizeof(err)) == 0) {
			invariants(&p, buf, n);
			reencode(&p);
		}
	}
	free(buf);
	return 0;
}
