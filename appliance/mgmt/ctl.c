/* ctl.c - the control socket, server and client side: never blocks the daemon. */
#include <errno.h>
#include <libgen.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "mgmt/ctl.h"

#define LINES_PER_POLL	4	/* requests served per client per lt_ctl_poll */
#define ACCEPTS_PER_POLL (2 * LT_CTL_MAX_CLIENTS)
#define CMD_MAX		32

struct client {
	int fd;			/* -1: slot free */
	uid_t uid;
	bool eof;		/* the peer sends no more */
	bool close_after;	/* close once the reply is written */
	char *in;		/* LT_CTL_MAX_LINE + 1 bytes */
	size_t inlen;
	char *out;
	size_t outlen, outoff;
	int64_t deadline;	/* ms: for the reply while one is pending, else idle */
};

struct lt_ctl {
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev;
	ino_t ino;
	struct client c[LT_CTL_MAX_CLIENTS];
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
make_addr(struct sockaddr_un *sun, const char *path, char *err, size_t errlen)
{
	size_t n = strlen(path);

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (n == 0 || n >= sizeof(sun->sun_path)) {
		snprintf(err, errlen, "control socket path must be 1 to %zu bytes long",
		    sizeof(sun->sun_path) - 1);
		return -1;
	}
	memcpy(sun->sun_path, path, n + 1);
	return 0;
}

/* Makes path free for bind: nothing there, or a socket nobody answers on (removed). */
static int
claim_path(const struct sockaddr_un *sun, char *err, size_t errlen)
{
	const char *path = sun->sun_path;
	struct stat st;
	int fd, r, e;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot check control socket %s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket: remove it or choose "
		    "another --control path", path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(err, errlen, "cannot make a socket: %s", strerror(errno));
		return -1;
	}
	r = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	e = errno;
	close(fd);
	if (r == 0 || e == EAGAIN || e == EINPROGRESS) {
		snprintf(err, errlen, "a lawtap daemon is already serving %s: stop it first, "
		    "or choose another --control path", path);
		return -1;
	}
	if (e != ECONNREFUSED && e != ENOENT) {
		snprintf(err, errlen, "cannot check control socket %s: %s", path, strerror(e));
		return -1;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		snprintf(err, errlen, "cannot remove the stale control socket %s: %s", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* bind with umask 0177, so that the socket is 0600 from its first moment. */
static int
bind_private(int fd, const struct sockaddr_un *sun)
{
	mode_t old = umask(0177);
	int r = bind(fd, (const struct sockaddr *)sun, sizeof(*sun));
	int e = errno;

	umask(old);
	errno = e;
	return r;
}

/* The socket's directory (/run/lawtap) is made 0700 when missing: one level only. */
static int
bind_socket(int fd, const struct sockaddr_un *sun)
{
	char dir[sizeof(sun->sun_path)];

	if (bind_private(fd, sun) == 0)
		return 0;
	if (errno != ENOENT)
		return -1;
	memcpy(dir, sun->sun_path, sizeof(dir));
	if (mkdir(dirname(dir), 0700) < 0 && errno != EEXIST)
		return -1;
	return bind_private(fd, sun);
}

struct lt_ctl *
lt_ctl_listen(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	struct lt_ctl *ctl;
	struct stat st;

	if (make_addr(&sun, path, err, errlen) < 0 || claim_path(&sun, err, errlen) < 0)
		return NULL;
	if ((ctl = calloc(1, sizeof(*ctl))) == NULL) {
		snprintf(err, errlen, "out of memory for the control socket");
		return NULL;
	}
	for (int i = 0; i < LT_CTL_MAX_CLIENTS; i++)
		ctl->c[i].fd = -1;
	memcpy(ctl->path, sun.sun_path, sizeof(ctl->path));
	ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ctl->fd < 0) {
		snprintf(err, errlen, "cannot make the control socket: %s", strerror(errno));
		free(ctl);
		return NULL;
	}
	if (bind_socket(ctl->fd, &sun) < 0) {
		snprintf(err, errlen, "cannot bind the control socket %s: %s", ctl->path,
		    strerror(errno));
		goto fail;
	}
	if (stat(ctl->path, &st) < 0 || listen(ctl->fd, LT_CTL_MAX_CLIENTS) < 0) {
		snprintf(err, errlen, "cannot listen on the control socket %s: %s", ctl->path,
		    strerror(errno));
		unlink(ctl->path);
		goto fail;
	}
	ctl->dev = st.st_dev;
	ctl->ino = st.st_ino;
	return ctl;
fail:
	close(ctl->fd);
	free(ctl);
	return NULL;
}

int
lt_ctl_fd(const struct lt_ctl *ctl)
{
	return ctl->fd;
}

json_t *
lt_ctl_error(const char *msg)
{
	return json_pack("{s:b, s:s}", "ok", 0, "error", msg);
}

int
lt_ctl_parse(const char *line, size_t len, json_t **req, char *err, size_t errlen)
{
	json_error_t je;
	const json_t *cmd;
	const char *s;
	size_t n;
	json_t *j;

	*req = NULL;
	if (len > LT_CTL_MAX_LINE) {
		snprintf(err, errlen, "request longer than %d bytes", LT_CTL_MAX_LINE);
		return -1;
	}
	/* jansson's own message may quote the input, which may hold a passphrase */
	if ((j = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je)) == NULL) {
		snprintf(err, errlen, "request is not valid JSON (error at byte %d)",
		    je.position);
		return -1;
	}
	if (!json_is_object(j)) {
		snprintf(err, errlen, "request must be a JSON object");
		goto fail;
	}
	cmd = json_object_get(j, "cmd");
	if (!json_is_string(cmd)) {
		snprintf(err, errlen, "request needs \"cmd\", a string");
		goto fail;
	}
	s = json_string_value(cmd);
	n = json_string_length(cmd);
	if (n == 0 || n > CMD_MAX || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") != n) {
		snprintf(err, errlen, "\"cmd\" must be 1 to %d characters from a-z 0-9 -",
		    CMD_MAX);
		goto fail;
	}
	*req = j;
	return 0;
fail:
	json_decref(j);
	return -1;
}

static void
drop(struct client *c)
{
	close(c->fd);
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* Sends what the socket takes now: 0 (maybe still pending), or -1 when the peer is gone. */
static int
flush(struct client *c)
{
	while (c->outoff < c->outlen) {
		ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
		    MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0)
			return -1;
		c->outoff += (size_t)n;
	}
	free(c->out);
	c->out = NULL;
	c->outlen = c->outoff = 0;
	return 0;
}

/* Queues reply (consumed) as one line and starts sending it. */
static int
queue_reply(struct client *c, json_t *reply, int64_t now)
{
	static const char oom[] = "{\"ok\":false,\"error\":\"internal error: the reply "
	    "could not be encoded\"}\n";
	char *s = reply != NULL ? json_dumps(reply, JSON_COMPACT) : NULL;
	size_t n = s != NULL ? strlen(s) : 0;
	char *line = s != NULL ? realloc(s, n + 2) : NULL;

	json_decref(reply);
	if (line == NULL) {
		free(s);
		if ((line = strdup(oom)) == NULL)
			return -1;
		n = sizeof(oom) - 2;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	c->out = line;
	c->outlen = n + 1;
	c->outoff = 0;
	c->deadline = now + LT_CTL_WRITE_MS;
	return flush(c);
}

static json_t *
answer(struct client *c, const char *line, size_t len, lt_ctl_handler fn, void *arg)
{
	char err[128];
	json_t *req, *reply;

	if (c->uid != 0) {
		c->close_after = true;
		return lt_ctl_error("the control socket serves root only");
	}
	if (lt_ctl_parse(line, len, &req, err, sizeof(err)) < 0)
		return lt_ctl_error(err);
	reply = fn(arg, req, c->uid);
	json_decref(req);
	return reply != NULL ? reply : lt_ctl_error("internal error: the daemon gave no reply");
}

/* Serves complete lines in the input: -1 when the client is to be dropped now. */
static int
serve_lines(struct client *c, int64_t now, lt_ctl_handler fn, void *arg)
{
	char buf[64];

	for (int k = 0; k < LINES_PER_POLL && c->out == NULL && !c->close_after; k++) {
		char *nl = memchr(c->in, '\n', c->inlen);
		size_t len, used;

		if (nl != NULL) {
			len = (size_t)(nl - c->in);
			used = len + 1;
		} else if (c->inlen > LT_CTL_MAX_LINE) {
			snprintf(buf, sizeof(buf), "request longer than %d bytes",
			    LT_CTL_MAX_LINE);
			c->close_after = true;
			c->inlen = 0;
			return queue_reply(c, lt_ctl_error(buf), now);
		} else if (c->eof && c->inlen > 0) {
			len = used = c->inlen;	/* the last request needs no newline */
		} else {
			return c->eof ? -1 : 0;
		}
		if (len > 0 && c->in[len - 1] == '\r')
			len--;
		if (len > 0 && queue_reply(c, answer(c, c->in, len, fn, arg), now) < 0)
			return -1;
		memmove(c->in, c->in + used, c->inlen - used);
		c->inlen -= used;
		if (c->out == NULL)
			c->deadline = now + LT_CTL_IDLE_MS;
	}
	return 0;
}

static int
read_more(struct client *c)
{
	ssize_t n;

	if (c->inlen > LT_CTL_MAX_LINE)
		return 0;
	do
		n = recv(c->fd, c->in + c->inlen, LT_CTL_MAX_LINE + 1 - c->inlen, MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	if (n == 0)
		c->eof = true;
	c->inlen += (size_t)n;
	return 0;
}

static void
client_io(struct client *c, short revents, int64_t now, lt_ctl_handler fn, void *arg)
{
	if (c->out != NULL) {
		if (flush(c) < 0)
			goto drop;
		if (c->out != NULL)
			return;
		if (c->close_after)
			goto drop;
		c->deadline = now + LT_CTL_IDLE_MS;
	}
	if ((revents & (POLLIN | POLLHUP | POLLERR)) && !c->eof && read_more(c) < 0)
		goto drop;
	if (serve_lines(c, now, fn, arg) < 0)
		goto drop;
	if (c->out == NULL && c->close_after)
		goto drop;
	return;
drop:
	drop(c);
}

static void
accept_clients(struct lt_ctl *ctl, int64_t now)
{
	static const char busy[] = "{\"ok\":false,\"error\":\"too many control clients: "
	    "try again later\"}\n";

	for (int k = 0; k < ACCEPTS_PER_POLL; k++) {
		struct ucred cred;
		socklen_t len = sizeof(cred);
		struct client *c = NULL;
		int fd;

		if ((fd = accept4(ctl->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) < 0)
			return;
		for (int i = 0; i < LT_CTL_MAX_CLIENTS && c == NULL; i++)
			if (ctl->c[i].fd < 0)
				c = &ctl->c[i];
		if (c == NULL || (c->in = malloc(LT_CTL_MAX_LINE + 1)) == NULL) {
			(void)send(fd, busy, sizeof(busy) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
			close(fd);
			continue;
		}
		c->fd = fd;
		c->uid = (uid_t)-1;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
		    len == sizeof(cred))
			c->uid = cred.uid;
		c->deadline = now + LT_CTL_IDLE_MS;
	}
}

/* Is there a request in c's input that can be served without new bytes? */
static bool
ready(const struct client *c)
{
	return c->out == NULL && (c->inlen > LT_CTL_MAX_LINE ||
	    (c->eof && c->inlen > 0) || memchr(c->in, '\n', c->inlen) != NULL);
}

void
lt_ctl_poll(struct lt_ctl *ctl, int timeout_ms, lt_ctl_handler fn, void *arg)
{
	struct pollfd pfd[1 + LT_CTL_MAX_CLIENTS];
	int slot[1 + LT_CTL_MAX_CLIENTS];
	int64_t now = now_ms(), wait = timeout_ms < 0 ? 0 : timeout_ms, left;
	nfds_t n = 1;

	pfd[0] = (struct pollfd){ .fd = ctl->fd, .events = POLLIN };
	for (int i = 0; i < LT_CTL_MAX_CLIENTS; i++) {
		struct client *c = &ctl->c[i];

		if (c->fd < 0)
			continue;
		left = ready(c) ? 0 : c->deadline - now;
		if (left < wait)
			wait = left < 0 ? 0 : left;
		slot[n] = i;
		pfd[n++] = (struct pollfd){ .fd = c->fd,
		    .events = c->out != NULL ? POLLOUT : c->eof ? 0 : POLLIN };
	}
	if (poll(pfd, n, (int)wait) < 0) {
		if (errno != EINTR)
			return;
		for (nfds_t k = 0; k < n; k++)
			pfd[k].revents = 0;
	}
	now = now_ms();
	for (nfds_t k = 1; k < n; k++) {
		struct client *c = &ctl->c[slot[k]];

		if (pfd[k].revents != 0 || ready(c))
			client_io(c, pfd[k].revents, now, fn, arg);
		if (c->fd >= 0 && now >= c->deadline)
			drop(c);
	}
	if (pfd[0].revents & POLLIN)
		accept_clients(ctl, now);
}

void
lt_ctl_close(struct lt_ctl *ctl)
{
	struct stat st;

	if (ctl == NULL)
		return;
	for (int i = 0; i < LT_CTL_MAX_CLIENTS; i++)
		if (ctl->c[i].fd >= 0)
			drop(&ctl->c[i]);
	if (stat(ctl->path, &st) == 0 && st.st_dev == ctl->dev && st.st_ino == ctl->ino)
		unlink(ctl->path);
	close(ctl->fd);
	free(ctl);
}

static int
wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int64_t left;
	int r;

	do {
		if ((left = deadline - now_ms()) <= 0)
			return 0;
		r = poll(&p, 1, (int)left);
	} while (r < 0 && errno == EINTR);
	return r;
}

static int
send_request(int fd, const json_t *req, int64_t deadline, char *err, size_t errlen)
{
	char *s = json_dumps(req, JSON_COMPACT);
	size_t len = s != NULL ? strlen(s) : 0, off = 0;
	char *line = s != NULL ? realloc(s, len + 1) : NULL;
	int rc = -1;

	if (line == NULL) {
		free(s);
		snprintf(err, errlen, "cannot encode the request");
		return -1;
	}
	line[len++] = '\n';
	while (off < len) {
		ssize_t n = send(fd, line + off, len - off, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n > 0) {
			off += (size_t)n;
		} else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (wait_fd(fd, POLLOUT, deadline) <= 0) {
				snprintf(err, errlen, "the daemon did not take the request in time");
				goto out;
			}
		} else if (errno == EPIPE || errno == ECONNRESET) {
			snprintf(err, errlen, "the daemon closed the connection before taking "
			    "the request");
			goto out;
		} else {
			snprintf(err, errlen, "cannot send the request: %s", strerror(errno));
			goto out;
		}
	}
	rc = 0;
out:
	free(line);
	return rc;
}

static int
read_reply(int fd, json_t **reply, int64_t deadline, char *err, size_t errlen)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap), *nl = NULL, *p;
	json_error_t je;

	while (buf != NULL && nl == NULL) {
		ssize_t n;

		if (len == cap) {
			if (cap >= LT_CTL_MAX_REPLY) {
				snprintf(err, errlen, "the daemon's reply is longer than %d bytes",
				    LT_CTL_MAX_REPLY);
				goto fail;
			}
			if ((p = realloc(buf, cap * 2)) == NULL) {
				snprintf(err, errlen, "out of memory for the reply");
				goto fail;
			}
			buf = p;
			cap *= 2;
		}
		n = recv(fd, buf + len, cap - len, MSG_DONTWAIT);
		if (n > 0) {
			nl = memchr(buf + len, '\n', (size_t)n);
			len += (size_t)n;
		} else if (n == 0 || errno == ECONNRESET) {
			snprintf(err, errlen, "the daemon closed the connection without a reply");
			goto fail;
		} else if (errno == EAGAIN || errno == EINTR) {
			if (wait_fd(fd, POLLIN, deadline) <= 0) {
				snprintf(err, errlen, "no reply from the daemon in time");
				goto fail;
			}
		} else {
			snprintf(err, errlen, "cannot read the reply: %s", strerror(errno));
			goto fail;
		}
	}
	if (buf == NULL) {
		snprintf(err, errlen, "out of memory for the reply");
		return -1;
	}
	if ((*reply = json_loadb(buf, (size_t)(nl - buf), 0, &je)) == NULL) {
		snprintf(err, errlen, "the daemon's reply is not valid JSON");
		goto fail;
	}
	free(buf);
	return 0;
fail:
	free(buf);
	return -1;
}

int
lt_ctl_request(const char *path, const json_t *req, json_t **reply, int timeout_ms,
    char *err, size_t errlen)
{
	int64_t deadline = now_ms() + (timeout_ms < 0 ? 0 : timeout_ms);
	struct sockaddr_un sun;
	int fd, rc = -1;

	*reply = NULL;
	if (make_addr(&sun, path, err, errlen) < 0)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(err, errlen, "cannot make a socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (const struct sockaddr *)&sun, sizeof(sun)) < 0) {
		if (errno == ENOENT || errno == ECONNREFUSED)
			snprintf(err, errlen, "no lawtap daemon is listening on %s (is `lawtap "
			    "run` started? --control PATH names another socket)", path);
		else if (errno == EACCES || errno == EPERM)
			snprintf(err, errlen, "%s: permission denied: the control socket is for "
			    "root only", path);
		else if (errno == EAGAIN)
			snprintf(err, errlen, "the daemon on %s takes no more connections now: "
			    "try again", path);
		else
			snprintf(err, errlen, "cannot connect to %s: %s", path, strerror(errno));
		goto out;
	}
	if (send_request(fd, req, deadline, err, errlen) == 0 &&
	    read_reply(fd, reply, deadline, err, errlen) == 0)
		rc = 0;
out:
	close(fd);
	return rc;
}
