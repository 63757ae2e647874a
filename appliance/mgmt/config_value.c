/* config_value.c - strict parsers for the values in lawtap.conf: times, prefixes, endpoints, MACs. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <time.h>

#include "mgmt/config.h"

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* n decimal digits at s; the caller has checked they are digits. */
static int
digits(const char *s, int n)
{
	int v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

/*
 * Decimal without sign or leading zeros, at most maxdig digits, ending at
 * the NUL.  Returns the value or -1.
 */
static long
plain_decimal(const char *s, int maxdig)
{
	long v = 0;
	int n;

	for (n = 0; s[n] != '\0'; n++) {
		if (!is_digit(s[n]) || n >= maxdig)
			return -1;
		v = v * 10 + (s[n] - '0');
	}
	if (n == 0 || (n > 1 && s[0] == '0'))
		return -1;
	return v;
}

int
lt_parse_utc(const char *s, int64_t *out)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:ddZ";
	struct tm tm, want, chk;
	time_t t;

	if (strlen(s) != sizeof(pat) - 1)
		return -1;
	for (size_t i = 0; i < sizeof(pat) - 1; i++)
		if (pat[i] == 'd' ? !is_digit(s[i]) : s[i] != pat[i])
			return -1;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = digits(s, 4) - 1900;
	tm.tm_mon = digits(s + 5, 2) - 1;
	tm.tm_mday = digits(s + 8, 2);
	tm.tm_hour = digits(s + 11, 2);
	tm.tm_min = digits(s + 14, 2);
	tm.tm_sec = digits(s + 17, 2);
	if (tm.tm_year < 70 || tm.tm_mon < 0 || tm.tm_mon > 11 ||
	    tm.tm_mday < 1 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59)
		return -1;
	want = tm;
	t = timegm(&tm);
	/* timegm normalises 2026-02-30 to March: catch it on the way back. */
	if (gmtime_r(&t, &chk) == NULL || chk.tm_year != want.tm_year ||
	    chk.tm_mon != want.tm_mon || chk.tm_mday != want.tm_mday)
		return -1;
	*out = (int64_t)t;
	return 0;
}

int
lt_parse_prefix_why(const char *s, struct lt_prefix *out, const char **why)
{
	char host[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t hlen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	struct lt_prefix p;
	long len;
	int max;

	*why = "not a valid IPv4/IPv6 prefix";
	if (hlen == 0 || hlen >= sizeof(host))
		return -1;
	memcpy(host, s, hlen);
	host[hlen] = '\0';

	memset(&p, 0, sizeof(p));
	if (inet_pton(AF_INET, host, p.addr) == 1) {
		p.family = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, host, p.addr) == 1) {
		p.family = 6;
		max = 128;
	} else
		return -1;

	if (slash != NULL) {
		len = plain_decimal(slash + 1, 3);
		if (len < 0 || len > max)
			return -1;
		if (len == 0) {
			*why = "prefix length 0 would match all traffic";
			return -1;
		}
	} else
		len = max;
	p.len = (uint8_t)len;

	for (int bit = p.len; bit < max; bit++)
		if (p.addr[bit / 8] & (0x80 >> (bit % 8))) {
			*why = "host bits set in target prefix";
			return -1;
		}
	*out = p;
	*why = NULL;
	return 0;
}

int
lt_parse_prefix(const char *s, struct lt_prefix *out)
{
	const char *why;

	return lt_parse_prefix_why(s, out, &why);
}

int
lt_parse_endpoint(const char *s, struct lt_endpoint *out)
{
	char host[INET6_ADDRSTRLEN];
	const char *h, *colon;
	size_t hlen;
	long port;
	int v6 = s[0] == '[';

	if (v6) {
		h = s + 1;
		colon = strchr(h, ']');
		if (colon == NULL || colon[1] != ':')
			return -1;
		hlen = (size_t)(colon - h);
		colon++;
	} else {
		h = s;
		colon = strchr(s, ':');
		if (colon == NULL || strchr(colon + 1, ':') != NULL)
			return -1;
		hlen = (size_t)(colon - h);
	}
	if (hlen == 0 || hlen >= sizeof(host))
		return -1;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	port = plain_decimal(colon + 1, 5);
	if (port < 1 || port > 65535)
		return -1;

	memset(out, 0, sizeof(*out));
	if (v6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->sa;

		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			return -1;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		out->salen = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&out->sa;

		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			return -1;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		out->salen = sizeof(*sin);
	}
	return 0;
}

static int
hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch |= 0x20;
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

int
lt_parse_mac(const char *s, uint8_t out[static 6])
{
	if (strlen(s) != 17 || (s[2] != ':' && s[2] != '-'))
		return -1;
	for (int i = 0; i < 6; i++) {
		int hi = hexval(s[3 * i]), lo = hexval(s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != s[2]))
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}
