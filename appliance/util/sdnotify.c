/* sdnotify.c - systemd's notify protocol over $NOTIFY_SOCKET (ready, watchdog) without libsystemd. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/sdnotify.h"

static void __attribute__((format(printf, 3, 4)))
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int
lt_sd_notify(const char *msg, char *err, size_t errlen)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;
	socklen_t len;
	size_t plen, mlen = strlen(msg);
	ssize_t n;
	int fd, saved;

	if (path == NULL || path[0] == '\0')
		return 0;
	plen = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || plen >= sizeof(sun.sun_path) || plen < 2) {
		seterr(err, errlen, "NOTIFY_SOCKET is not a socket path: not telling "
		    "systemd %s", msg);
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, plen);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';		/* the abstract namespace */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen +
	    (path[0] == '/' ? 1 : 0));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
		seterr(err, errlen, "cannot open a socket to tell systemd %s", msg);
		return -1;
	}
	do
		n = sendto(fd, msg, mlen, MSG_NOSIGNAL, (struct sockaddr *)&sun, len);
	while (n < 0 && errno == EINTR);
	saved = errno;
	close(fd);
	if (n != (ssize_t)mlen) {
		seterr(err, errlen, "cannot tell systemd %s: %s", msg,
		    n < 0 ? strerror(saved) : "short send");
		return -1;
	}
	return 1;
}

static int
parse_u64(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long x;

	if (s == NULL || s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*v = x;
	return 0;
}

uint64_t
lt_sd_watchdog_usec(void)
{
	const char *pid = getenv("WATCHDOG_PID");
	uint64_t usec, p;

	if (parse_u64(getenv("WATCHDOG_USEC"), &usec) < 0 || usec == 0)
		return 0;
	if (pid != NULL && (parse_u64(pid, &p) < 0 || p != (uint64_t)getpid()))
		return 0;
	return usec;
}

void
lt_sd_watchdog_init(struct lt_sd_watchdog *w)
{
	uint64_t usec = lt_sd_watchdog_usec();

	/* more than a day is as good as none: no overflow below */
	w->half_ns = usec > 86400000000ULL ? 0 : usec * 500;
	w->last_ns = 0;
	w->sent = 0;
}

int
lt_sd_watchdog_ping(struct lt_sd_watchdog *w, uint64_t now_ns, char *err, size_t errlen)
{
	int r;

	if (w->half_ns == 0 || (w->sent && now_ns - w->last_ns < w->half_ns))
		return 0;
	if ((r = lt_sd_notify("WATCHDOG=1", err, errlen)) < 0)
		return -1;
	w->last_ns = now_ns;
	w->sent = 1;
	return r;
}
