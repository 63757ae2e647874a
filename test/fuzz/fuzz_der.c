/*
 * fuzz_der.c - the DER writer against the strict reader.  The input is a
 * list of operations: op byte, tag byte (bits 7-6 class, 0x3f = three more
 * bytes of tag number), then the operation's values.  Ops 0-6 write a value
 * and read it back; op 7 reads arbitrary bytes and checks that whatever the
 * reader accepts, the writer reproduces byte for byte (DER has one encoding
 * per value).
 */
#include <string.h>

#include "etsi/der.h"
#include "etsi/derread.h"
#include "fuzz.h"

#define BUF		(1u << 17)
#define GENTIME_MAX	253402300799LL
#define ARCS_MAX	16

static uint8_t buf[BUF];
static uint8_t *const end = buf + BUF;
static char msg[256];
static struct der_err e = { msg, sizeof(msg), buf };

static uint32_t
take_tag(struct fuzz_in *in, int cons)
{
	uint32_t b = (uint32_t)fuzz_take(in, 1);
	uint32_t num = b & 0x3f;

	if (num == 0x3f)
		num = (uint32_t)fuzz_take(in, 3);
	return DER_TAG((b & 0xc0) | (cons ? DER_CONS : 0), num);
}

static size_t
tag_size(uint32_t tag)
{
	uint32_t num = tag & DER_TAG_MAXNUM;
	size_t n = 1;

	if (num < 31)
		return 1;
	for (; num > 0; num >>= 7)
		n++;
	return n;
}

/* The one TLV written at p: reads it back and checks its tag and size. */
static void
read_back(const uint8_t *p, int n, uint32_t tag, struct der_tlv *t)
{
	struct der_rd r = { p, end };
	struct der_tlv extra;

	FUZZ_CHECK(n > 0 && n == end - p);
	FUZZ_CHECK(der_next(&r, t, &e, "fuzz") == 1);
	FUZZ_CHECK(der_next(&r, &extra, &e, "fuzz") == 0);
	FUZZ_CHECK(t->id == (uint8_t)(tag >> 24) && t->num == (tag & DER_TAG_MAXNUM));
	FUZZ_CHECK(t->v + t->len == end);
}

static void
op_int(struct fuzz_in *in, uint32_t tag)
{
	int64_t v = (int64_t)fuzz_take(in, 8);
	uint8_t *p = end;
	struct der_tlv t;
	uint64_t x;
	int n = der_int(&p, buf, tag, v);

	read_back(p, n, tag, &t);
	if (v >= 0) {
		FUZZ_CHECK(t.len == der_uint_size((uint64_t)v));
		FUZZ_CHECK(der_get_uint(&t, UINT64_MAX, &x, &e, "fuzz") == 0);
		FUZZ_CHECK(x == (uint64_t)v);
		if (v > 0)
			FUZZ_CHECK(der_get_uint(&t, (uint64_t)v - 1, &x, &e, "fuzz") < 0);
	} else
		FUZZ_CHECK(der_get_uint(&t, UINT64_MAX, &x, &e, "fuzz") < 0);
}

static void
op_uint(struct fuzz_in *in, uint32_t tag)
{
	uint64_t v = fuzz_take(in, 8) >> (fuzz_take(in, 1) & 63), x;
	uint8_t *p = end;
	struct der_tlv t;
	int n = der_uint(&p, buf, tag, v);

	read_back(p, n, tag, &t);
	FUZZ_CHECK(t.len == der_uint_size(v));
	FUZZ_CHECK(der_get_uint(&t, UINT64_MAX, &x, &e, "fuzz") == 0);
	FUZZ_CHECK(x == v);
}

static void
op_len(struct fuzz_in *in, uint32_t tag)
{
	size_t len = (size_t)fuzz_take(in, 4), room = BUF - 16;
	uint8_t *p = end;
	struct der_tlv t;
	int n;

	if (len > room) {
		/* Too long to hold: only the header size is checked. */
		uint8_t hdr[16], *q = hdr + sizeof(hdr);

		n = der_len(&q, hdr, len);
		FUZZ_CHECK(len > INT32_MAX ? n == DER_E_RANGE :
		    n == (int)der_len_size(len));
		return;
	}
	p -= len;
	memset(p, 0, len);
	n = der_tl(&p, buf, tag, len);
	FUZZ_CHECK(n > 0);
	read_back(p, (int)(end - p), tag, &t);
	FUZZ_CHECK(t.len == len && t.hdr == p);
	FUZZ_CHECK((size_t)n == tag_size(tag) + der_len_size(len));
}

static void
op_oid(struct fuzz_in *in, uint32_t tag, int rel)
{
	uint32_t arcs[ARCS_MAX], back[ARCS_MAX];
	size_t n = (size_t)fuzz_take(in, 1) % (ARCS_MAX + 1), m, i;
	uint8_t *p = end;
	struct der_tlv t;
	int r, bad;

	for (i = 0; i < n; i++)
		arcs[i] = (uint32_t)fuzz_take(in, 4) >> (fuzz_take(in, 1) & 31);
	if (rel) {
		r = der_reloid(&p, buf, tag, arcs, n);
		bad = n < 1;
	} else {
		r = der_oid(&p, buf, tag, arcs, n);
		bad = n < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] >= 40);
	}
	if (bad) {
		FUZZ_CHECK(r == DER_E_RANGE);
		return;
	}
	read_back(p, r, tag, &t);
	FUZZ_CHECK(der_get_arcs(&t, rel, back, ARCS_MAX, &m, &e, "fuzz") == 0);
	FUZZ_CHECK(m == n);
	for (i = 0; i < n; i++)
		FUZZ_CHECK(back[i] == arcs[i]);
}

static void
op_time(struct fuzz_in *in, uint32_t tag)
{
	int64_t sec = (int64_t)fuzz_take(in, 8) >> (fuzz_take(in, 1) & 63), s;
	uint32_t usec = (uint32_t)fuzz_take(in, 4) >> (fuzz_take(in, 1) & 31), us;
	char digits[14];
	uint8_t *p = end;
	struct der_tlv t;
	int r = der_gentime(&p, buf, tag, sec, usec);

	if (sec < 0 || sec > GENTIME_MAX || usec > 999999) {
		FUZZ_CHECK(r == DER_E_RANGE);
		return;
	}
	read_back(p, r, tag, &t);
	FUZZ_CHECK(der_format_time(digits, sec) == 14);
	FUZZ_CHECK(memcmp(t.v, digits, 14) == 0);
	FUZZ_CHECK(der_get_time(&t, &s, &us, &e, "fuzz") == 0);
	FUZZ_CHECK(s == sec && us == usec);
}

static void
op_octets(struct fuzz_in *in, uint32_t tag)
{
	size_t n = (size_t)fuzz_take(in, 2);
	uint8_t *p = end;
	struct der_tlv t;
	int r;

	if (n > in->len)
		n = in->len;
	r = der_octets(&p, buf, tag, in->p, n);
	read_back(p, r, tag, &t);
	FUZZ_CHECK(t.len == n && memcmp(t.v, in->p, n) == 0);
	in->p += n;
	in->len -= n;
}

/* A TLV the reader accepted, written again from its value: must be identical. */
static void
same(const struct der_tlv *t, const uint8_t *p, int n)
{
	struct der_tlv u;

	read_back(p, n, DER_TAG(t->id, t->num), &u);
	if (u.len != t->len || memcmp(u.v, t->v, t->len) != 0) {
		fprintf(stderr, "accepted:");
		for (size_t i = 0; i < (size_t)(t->v + t->len - t->hdr); i++)
			fprintf(stderr, " %02x", t->hdr[i]);
		fprintf(stderr, "\nwritten: ");
		for (int i = 0; i < n; i++)
			fprintf(stderr, " %02x", p[i]);
		fprintf(stderr, "\n");
	}
	FUZZ_CHECK(u.len == t->len && memcmp(u.v, t->v, t->len) == 0);
}

static void
reread(const struct der_tlv *t)
{
	uint32_t tag = DER_TAG(t->id, t->num), arcs[ARCS_MAX];
	uint64_t x;
	int64_t sec;
	uint32_t usec;
	size_t n;
	uint8_t *p = end;
	int r;

	/* The header: minimal tag and length, so der_tl writes the same bytes. */
	r = der_tl(&p, buf, tag, t->len);
	FUZZ_CHECK(r == t->v - t->hdr && memcmp(p, t->hdr, (size_t)r) == 0);
	if (t->id & 0x20)
		return;
	if (der_get_uint(t, UINT64_MAX, &x, &e, "fuzz") == 0) {
		p = end;
		r = der_uint(&p, buf, tag, x);
		same(t, p, r);
	}
	if (der_get_arcs(t, 0, arcs, ARCS_MAX, &n, &e, "fuzz") == 0) {
		p = end;
		r = der_oid(&p, buf, tag, arcs, n);
		same(t, p, r);
	}
	if (der_get_arcs(t, 1, arcs, ARCS_MAX, &n, &e, "fuzz") == 0) {
		p = end;
		r = der_reloid(&p, buf, tag, arcs, n);
		same(t, p, r);
	}
	/*
	 * Times the writer cannot produce: before 1970, a leap second, a
	 * fraction finer than microseconds.
	 */
	if (der_get_time(t, &sec, &usec, &e, "fuzz") == 0 && sec >= 0 &&
	    sec <= GENTIME_MAX && t->v[12] != '6' && t->len <= 15 + 7) {
		p = end;
		r = der_gentime(&p, buf, tag, sec, usec);
		same(t, p, r);
	}
}

static void
op_read(struct fuzz_in *in)
{
	size_t len = (size_t)fuzz_take(in, 2), i = 0;
	struct der_rd r;
	struct der_tlv t;
	uint8_t *copy;
	int k;

	if (len > in->len)
		len = in->len;
	/* An exact-size copy, so ASan sees any read past it. */
	if ((copy = malloc(len ? len : 1)) == NULL)
		return;
	memcpy(copy, in->p, len);
	in->p += len;
	in->len -= len;
	r.p = copy;
	r.end = copy + len;
	while ((k = der_next(&r, &t, &e, "fuzz")) > 0 && i++ < 64) {
		FUZZ_CHECK(t.hdr >= copy && t.v + t.len <= copy + len);
		reread(&t);
		(void)der_check(&t, &e, "fuzz");
	}
	FUZZ_CHECK(k >= -1 && k <= 1);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct fuzz_in in = { data, len };

	while (in.len > 0) {
		unsigned op = (unsigned)fuzz_take(&in, 1) & 7;

		switch (op) {
		case 0: op_int(&in, take_tag(&in, 0)); break;
		case 1: op_uint(&in, take_tag(&in, 0)); break;
		case 2: op_len(&in, take_tag(&in, 1)); break;
		case 3: op_oid(&in, take_tag(&in, 0), 0); break;
		case 4: op_oid(&in, take_tag(&in, 0), 1); break;
		case 5: op_time(&in, take_tag(&in, 0)); break;
		case 6: op_octets(&in, take_tag(&in, 0)); break;
		default: op_read(&in);
		}
	}
	return 0;
}
