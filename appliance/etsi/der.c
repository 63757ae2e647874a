/* der.c - the backwards DER writer (X.690 clause 10 rules). */
#include <string.h>

#include "etsi/der.h"

#define GENTIME_MAX_SEC	253402300799LL	/* 9999-12-31T23:59:59Z */

size_t
der_uint_size(uint64_t v)
{
	size_t n = 1;

	while (v > 0x7f) {
		v >>= 8;
		n++;
	}
	return n;
}

size_t
der_len_size(size_t len)
{
	size_t n = 1;

	if (len < 0x80)
		return 1;
	while (len > 0) {
		len >>= 8;
		n++;
	}
	return n;
}

int
der_raw(uint8_t **p, const uint8_t *start, const void *data, size_t n)
{
	if ((size_t)(*p - start) < n || n > INT32_MAX)
		return DER_E_SPACE;
	*p -= n;
	if (n > 0)
		memcpy(*p, data, n);
	return (int)n;
}

static int
put(uint8_t **p, const uint8_t *start, uint8_t b)
{
	if (*p <= start)
		return DER_E_SPACE;
	*--*p = b;
	return 1;
}

int
der_tag(uint8_t **p, const uint8_t *start, uint32_t tag)
{
	uint8_t id = (uint8_t)(tag >> 24);
	uint32_t num = tag & DER_TAG_MAXNUM;
	int n = 1;

	if (num < 31)
		return put(p, start, id | (uint8_t)num);
	if (put(p, start, num & 0x7f) < 0)
		return DER_E_SPACE;
	for (num >>= 7; num > 0; num >>= 7, n++)
		if (put(p, start, 0x80 | (num & 0x7f)) < 0)
			return DER_E_SPACE;
	if (put(p, start, id | 0x1f) < 0)
		return DER_E_SPACE;
	return n + 1;
}

int
der_len(uint8_t **p, const uint8_t *start, size_t len)
{
	int n = 0;

	if (len > INT32_MAX)
		return DER_E_RANGE;
	if (len < 0x80)
		return put(p, start, (uint8_t)len);
	for (; len > 0; len >>= 8, n++)
		if (put(p, start, len & 0xff) < 0)
			return DER_E_SPACE;
	if (put(p, start, 0x80 | (uint8_t)n) < 0)
		return DER_E_SPACE;
	return n + 1;
}

int
der_tl(uint8_t **p, const uint8_t *start, uint32_t tag, size_t len)
{
	int a, b;

	if ((a = der_len(p, start, len)) < 0)
		return a;
	if ((b = der_tag(p, start, tag)) < 0)
		return b;
	return a + b;
}

/* Content and header around the n bytes just written. */
static int
wrap(uint8_t **p, const uint8_t *start, uint32_t tag, int n)
{
	int h;

	if (n < 0)
		return n;
	if ((h = der_tl(p, start, tag, (size_t)n)) < 0)
		return h;
	return n + h;
}

int
der_int(uint8_t **p, const uint8_t *start, uint32_t tag, int64_t v)
{
	uint64_t u = (uint64_t)v;
	int n = 0;

	/* Emit octets until the rest is pure sign extension of the last one. */
	for (;;) {
		uint8_t b = u & 0xff;

		if (put(p, start, b) < 0)
			return DER_E_SPACE;
		n++;
		u = (uint64_t)((int64_t)u >> 8);
		if ((u == 0 && !(b & 0x80)) || (u == UINT64_MAX && (b & 0x80)))
			break;
	}
	return wrap(p, start, tag, n);
}

int
der_uint(uint8_t **p, const uint8_t *start, uint32_t tag, uint64_t v)
{
	int n = 0;
	uint8_t b;

	do {
		b = v & 0xff;
		if (put(p, start, b) < 0)
			return DER_E_SPACE;
		n++;
		v >>= 8;
	} while (v > 0);
	if (b & 0x80) {
		if (put(p, start, 0) < 0)
			return DER_E_SPACE;
		n++;
	}
	return wrap(p, start, tag, n);
}

int
der_null(uint8_t **p, const uint8_t *start, uint32_t tag)
{
	return wrap(p, start, tag, 0);
}

int
der_bool(uint8_t **p, const uint8_t *start, uint32_t tag, int v)
{
	if (put(p, start, v ? 0xff : 0x00) < 0)
		return DER_E_SPACE;
	return wrap(p, start, tag, 1);
}

int
der_octets(uint8_t **p, const uint8_t *start, uint32_t tag,
    const void *data, size_t n)
{
	return wrap(p, start, tag, der_raw(p, start, data, n));
}

/* One arc in base 128, most significant group first, high bit on all but the last. */
static int
arc(uint8_t **p, const uint8_t *start, uint64_t v)
{
	int n = 1;

	if (put(p, start, v & 0x7f) < 0)
		return DER_E_SPACE;
	for (v >>= 7; v > 0; v >>= 7, n++)
		if (put(p, start, 0x80 | (v & 0x7f)) < 0)
			return DER_E_SPACE;
	return n;
}

static int
arcs_rev(uint8_t **p, const uint8_t *start, const uint32_t *arcs, size_t n)
{
	int total = 0, k;

	while (n-- > 0) {
		if ((k = arc(p, start, arcs[n])) < 0)
			return k;
		total += k;
	}
	return total;
}

int
der_oid(uint8_t **p, const uint8_t *start, uint32_t tag,
    const uint32_t *arcs, size_t n)
{
	int a, b;

	if (n < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] >= 40))
		return DER_E_RANGE;
	if ((a = arcs_rev(p, start, arcs + 2, n - 2)) < 0)
		return a;
	if ((b = arc(p, start, (uint64_t)arcs[0] * 40 + arcs[1])) < 0)
		return b;
	return wrap(p, start, tag, a + b);
}

int
der_reloid(uint8_t **p, const uint8_t *start, uint32_t tag,
    const uint32_t *arcs, size_t n)
{
	if (n < 1)
		return DER_E_RANGE;
	return wrap(p, start, tag, arcs_rev(p, start, arcs, n));
}

static void
two(char *s, unsigned v)
{
	s[0] = (char)('0' + v / 10);
	s[1] = (char)('0' + v % 10);
}

int
der_format_time(char out[static 14], int64_t sec)
{
	int64_t z, era;
	unsigned doe, yoe, doy, mp, d, m, y, sod;

	if (sec < 0 || sec > GENTIME_MAX_SEC)
		return DER_E_RANGE;
	/* Days to civil date, counting 400-year eras from 0000-03-01. */
	z = sec / 86400 + 719468;
	sod = (unsigned)(sec % 86400);
	era = z / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y = (unsigned)(yoe + era * 400) + (m <= 2);

	two(out, y / 100);
	two(out + 2, y % 100);
	two(out + 4, m);
	two(out + 6, d);
	two(out + 8, sod / 3600);
	two(out + 10, sod / 60 % 60);
	two(out + 12, sod % 60);
	return 14;
}

int
der_gentime(uint8_t **p, const uint8_t *start, uint32_t tag,
    int64_t sec, uint32_t usec)
{
	char s[22];
	size_t n = 14;
	int i;

	if (usec > 999999)
		return DER_E_RANGE;
	if (der_format_time(s, sec) < 0)
		return DER_E_RANGE;
	if (usec > 0) {
		s[n++] = '.';
		for (i = 5; i >= 0; i--) {
			s[n + (size_t)i] = (char)('0' + usec % 10);
			usec /= 10;
		}
		n += 6;
		while (s[n - 1] == '0')
			n--;
	}
	s[n++] = 'Z';
	return der_octets(p, start, tag, s, n);
}
