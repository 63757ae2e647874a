/* netaddr.h - "192.0.2.1:7001" / "[2001:db8::1]:7001" to and from socket addresses. */
#ifndef LT_LEMF_NETADDR_H
#define LT_LEMF_NETADDR_H

#include <stddef.h>
#include <sys/socket.h>

/* Longest text netaddr_format writes, NUL included. */
#define NETADDR_TEXT_MAX	(46 + 2 + 1 + 5 + 1)

/* Numeric addresses only.  0, or -1 with the reason in err. */
int netaddr_parse(const char *s, struct sockaddr_storage *ss, socklen_t *len,
    char *err, size_t errlen);

/* IPv4 as a.b.c.d:port, IPv6 as [addr]:port; "?" for other families. */
void netaddr_format(const struct sockaddr *sa, char out[static NETADDR_TEXT_MAX]);

#endif
