/* derread.c - strict DER reading: X.690 clause 10 restrictions on top of BER. */
#include <stdio.h>
#include <string.h>

#include "etsi/derread.h"

#define CHECK_DEPTH	32

int
der_fail(struct der_err *e, const uint8_t *at, const char *what,
    const char *why)
{
	if (e->buf != NULL && e->len > 0)
		snprintf(e->buf, e->len, "%s: %s (offset %zu)", what, why,
		    (size_t)(at - e->base));
	return -1;
}

int
der_next(struct der_rd *r, struct der_tlv *t, struct der_err *e,
    const char *what)
{
	const uint8_t *p = r->p;
	size_t len, n;
	uint8_t b;

	if (p >= r->end)
		return 0;
	t->hdr = p;
	b = *p++;
	t->id = b & 0xe0;
	t->num = b & 0x1f;
	if (t->num == 0x1f) {
		t->num = 0;
		do {
			if (p >= r->end)
				return der_fail(e, t->hdr, what, "truncated tag");
			b = *p++;
			if (t->num == 0 && b == 0x80)
				return der_fail(e, t->hdr, what, "tag number not minimal");
			if (t->num > (0xffffffu >> 7))
				return der_fail(e, t->hdr, what, "tag number too large");
			t->num = (t->num << 7) | (b & 0x7f);
		} while (b & 0x80);
		if (t->num < 31)
			return der_fail(e, t->hdr, what,
			    "tag number below 31 in the long form");
	}
	if (p >= r->end)
		return der_fail(e, t->hdr, what, "truncated length");
	b = *p++;
	if (b < 0x80)
		len = b;
	else if (b == 0x80)
		return der_fail(e, t->hdr, what, "indefinite length");
	else {
		n = b & 0x7f;
		if (n > 4)
			return der_fail(e, t->hdr, what, "length of more than 4 octets");
		if ((size_t)(r->end - p) < n)
			return der_fail(e, t->hdr, what, "truncated length");
		if (*p == 0)
			return der_fail(e, t->hdr, what, "length not minimal");
		for (len = 0; n > 0; n--)
			len = (len << 8) | *p++;
		if (len < 0x80)
			return der_fail(e, t->hdr, what, "length not minimal");
	}
	if (len > (size_t)(r->end - p))
		return der_fail(e, t->hdr, what, "length overruns its container");
	t->v = p;
	t->len = len;
	r->p = p + len;
	return 1;
}

static int
check(const struct der_tlv *t, struct der_err *e, const char *what, int depth)
{
	struct der_rd r = { t->v, t->v + t->len };
	struct der_tlv c;
	int k;

	if (!(t->id & 0x20))
		return 0;
	if (depth > CHECK_DEPTH)
		return der_fail(e, t->hdr, what, "nested too deeply");
	while ((k = der_next(&r, &c, e, what)) > 0)
		if (check(&c, e, what, depth + 1) < 0)
			return -1;
	return k;
}

int
der_check(const struct der_tlv *t, struct der_err *e, const char *what)
{
	return check(t, e, what, 0);
}

int
der_get_uint(const struct der_tlv *t, uint64_t max, uint64_t *out,
    struct der_err *e, const char *what)
{
	const uint8_t *v = t->v;
	size_t n = t->len;
	uint64_t x = 0;

	if (t->id & 0x20)
		return der_fail(e, t->hdr, what, "INTEGER must be primitive");
	if (n == 0)
		return der_fail(e, t->hdr, what, "empty INTEGER");
	if (n > 1 && ((v[0] == 0 && !(v[1] & 0x80)) ||
	    (v[0] == 0xff && (v[1] & 0x80))))
		return der_fail(e, t->hdr, what, "INTEGER not minimal");
	if (v[0] & 0x80)
		return der_fail(e, t->hdr, what, "negative INTEGER");
	if (n > 9 || (n == 9 && v[0] != 0))
		return der_fail(e, t->hdr, what, "INTEGER out of range");
	for (; n > 0; n--)
		x = (x << 8) | *v++;
	if (x > max)
		return der_fail(e, t->hdr, what, "INTEGER out of range");
	*out = x;
	return 0;
}

int
der_get_str(const struct der_tlv *t, size_t min, size_t max, char *out,
    struct der_err *e, const char *what)
{
	if (t->id & 0x20)
		return der_fail(e, t->hdr, what, "string must be primitive");
	if (t->len < min)
		return der_fail(e, t->hdr, what, "too short");
	if (t->len > max)
		return der_fail(e, t->hdr, what, "too long");
	if (out != NULL) {
		memcpy(out, t->v, t->len);
		out[t->len] = '\0';
	}
	return 0;
}

int
der_get_null(const struct der_tlv *t, struct der_err *e, const char *what)
{
	if (t->id & 0x20)
		return der_fail(e, t->hdr, what, "NULL must be primitive");
	if (t->len != 0)
		return der_fail(e, t->hdr, what, "NULL with content");
	return 0;
}

int
der_get_arcs(const struct der_tlv *t, int rel, uint32_t *arcs,
    size_t max, size_t *n, struct der_err *e, const char *what)
{
	const uint8_t *v = t->v, *end = t->v + t->len;
	uint64_t x;

	*n = 0;
	if (t->id & 0x20)
		return der_fail(e, t->hdr, what, "identifier must be primitive");
	if (t->len == 0)
		return der_fail(e, t->hdr, what, "empty identifier");
	while (v < end) {
		if (*v == 0x80)
			return der_fail(e, t->hdr, what, "arc not minimal");
		x = 0;
		do {
			if (v >= end)
				return der_fail(e, t->hdr, what, "truncated arc");
			if (x >> 40)
				return der_fail(e, t->hdr, what, "arc too large");
			x = (x << 7) | (*v & 0x7f);
		} while (*v++ & 0x80);
		if (*n == 0 && !rel) {
			uint64_t first = x < 40 ? 0 : x < 80 ? 1 : 2;

			if (max < 2)
				return der_fail(e, t->hdr, what, "too many arcs");
			arcs[0] = (uint32_t)first;
			x -= first * 40;
			if (x > UINT32_MAX)
				return der_fail(e, t->hdr, what, "arc too large");
			arcs[1] = (uint32_t)x;
			*n = 2;
			continue;
		}
		if (x > UINT32_MAX)
			return der_fail(e, t->hdr, what, "arc too large");
		if (*n >= max)
			return der_fail(e, t->hdr, what, "too many arcs");
		arcs[(*n)++] = (uint32_t)x;
	}
	return 0;
}

static int
digits(const uint8_t *s, int n, unsigned *out)
{
	unsigned x = 0;

	while (n-- > 0) {
		if (*s < '0' || *s > '9')
			return -1;
		x = x * 10 + (unsigned)(*s++ - '0');
	}
	*out = x;
	return 0;
}

static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int
der_get_time(const struct der_tlv *t, int64_t *sec, uint32_t *usec,
    struct der_err *e, const char *what)
{
	static const unsigned mdays[12] = {
		31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	const uint8_t *s = t->v;
	unsigned y, mo, d, h, mi, se, f = 0, leap;
	size_t n = t->len, i, fd;

	if (t->id & 0x20)
		return der_fail(e, t->hdr, what, "GeneralizedTime must be primitive");
	if (n < 15 || s[n - 1] != 'Z')
		return der_fail(e, t->hdr, what,
		    "GeneralizedTime is not YYYYMMDDHHMMSS[.f]Z");
	if (digits(s, 4, &y) || digits(s + 4, 2, &mo) || digits(s + 6, 2, &d) ||
	    digits(s + 8, 2, &h) || digits(s + 10, 2, &mi) ||
	    digits(s + 12, 2, &se))
		return der_fail(e, t->hdr, what, "GeneralizedTime has a non-digit");
	if (n > 15) {
		fd = n - 16;
		if (s[14] != '.' || fd == 0)
			return der_fail(e, t->hdr, what,
			    "GeneralizedTime is not YYYYMMDDHHMMSS[.f]Z");
		if (fd > 9)
			return der_fail(e, t->hdr, what,
			    "GeneralizedTime fraction longer than 9 digits");
		for (i = 0; i < fd; i++) {
			unsigned c = s[15 + i];

			if (c < '0' || c > '9')
				return der_fail(e, t->hdr, what,
				    "GeneralizedTime has a non-digit");
			if (i < 6)
				f = f * 10 + (c - '0');
		}
		if (s[n - 2] == '0')
			return der_fail(e, t->hdr, what,
			    "GeneralizedTime fraction with trailing zero");
		for (i = fd; i < 6; i++)
			f *= 10;
	}
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 || se > 60)
		return der_fail(e, t->hdr, what, "GeneralizedTime is not a valid date");
	*sec = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	*usec = f;
	return 0;
}
