/* netaddr.c - numeric host:port parsing and printing for the LEMF's listeners. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lemf/netaddr.h"

static int
parse_port(const char *s, uint16_t *port)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

int
netaddr_parse(const char *s, struct sockaddr_storage *ss, socklen_t *len,
    char *err, size_t errlen)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *h = s;
	size_t hlen;
	uint16_t port;

	memset(ss, 0, sizeof(*ss));
	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL || close[1] != ':')
			goto bad;
		h = s + 1;
		hlen = (size_t)(close - h);
		colon = close + 1;
	} else {
		if ((colon = strrchr(s, ':')) == NULL ||
		    memchr(s, ':', (size_t)(colon - s)) != NULL)
			goto bad;
		hlen = (size_t)(colon - s);
	}
	if (hlen == 0 || hlen >= sizeof(host) || parse_port(colon + 1, &port) < 0)
		goto bad;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (*s == '[') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			goto bad;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		*len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			goto bad;
		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		*len = sizeof(*a);
	}
	return 0;
bad:
	snprintf(err, errlen, "'%s' is not ADDR:PORT (numeric IPv4 a.b.c.d:port "
	    "or IPv6 [addr]:port, port 0-65535)", s);
	return -1;
}

void
netaddr_format(const struct sockaddr *sa, char out[static NETADDR_TEXT_MAX])
{
	char host[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		snprintf(out, NETADDR_TEXT_MAX, "%s:%u", host, ntohs(a->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		snprintf(out, NETADDR_TEXT_MAX, "[%s]:%u", host,
		    ntohs(a->sin6_port));
	} else {
		snprintf(out, NETADDR_TEXT_MAX, "?");
	}
}
