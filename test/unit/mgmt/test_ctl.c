/* test_ctl.c - the control socket (server and client in one process) and the status renderers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "cmd.h"
#include "mgmt/ctl.h"
#include "mgmt/statusfmt.h"

static char dir[64];
static char sock[128];

struct srv {
	unsigned calls;
	const struct lt_status *status;
	bool refuse;
};

static json_t *
handler(void *arg, const json_t *req, uid_t uid)
{
	struct srv *s = arg;
	const char *cmd = json_string_value(json_object_get(req, "cmd"));

	s->calls++;
	if (s->refuse)
		return lt_ctl_error("the store is locked");
	if (strcmp(cmd, "null") == 0)
		return NULL;
	if (strcmp(cmd, "big") == 0) {
		size_t n = 1024 * 1024;
		char *p = malloc(n + 1);
		json_t *r;

		memset(p, 'x', n);
		p[n] = '\0';
		r = json_pack("{s:b, s:s}", "ok", 1, "pad", p);
		free(p);
		return r;
	}
	if (strcmp(cmd, "status") == 0 && s->status != NULL)
		return lt_status_json(s->status);
	return json_pack("{s:b, s:s, s:i}", "ok", 1, "cmd", cmd, "uid", (int)uid);
}

static int64_t
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/lt_ctl_XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(sock, sizeof(sock), "%s/control.sock", dir);
	return 0;
}

static int
teardown(void **state)
{
	char p[160];

	(void)state;
	unlink(sock);
	snprintf(p, sizeof(p), "%s/file", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/sub/control.sock", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/sub", dir);
	rmdir(p);
	return rmdir(dir);
}

static struct lt_ctl *cur;	/* closed after each test, even a failed one */

static struct lt_ctl *
listen_ok(void)
{
	char err[256] = "";

	if ((cur = lt_ctl_listen(sock, err, sizeof(err))) == NULL)
		fail_msg("lt_ctl_listen: %s", err);
	return cur;
}

static void
done(void)
{
	lt_ctl_close(cur);
	cur = NULL;
}

static int
after(void **state)
{
	(void)state;
	done();
	unlink(sock);
	return 0;
}

static int
raw_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	strcpy(sun.sun_path, sock);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

static void
send_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t k = send(fd, c, n, MSG_NOSIGNAL);

		if (k < 0 && errno == EAGAIN) {
			usleep(1000);
			continue;
		}
		assert_true(k > 0);
		c += k;
		n -= (size_t)k;
	}
}

static void
send_str(int fd, const char *s)
{
	send_all(fd, s, strlen(s));
}

/*
 * Serves ctl until fd has a whole line or its peer closed; the bytes read go
 * to buf (NUL-terminated).  Returns the count, and *eof whether it closed.
 */
static size_t
exchange(struct lt_ctl *ctl, struct srv *s, int fd, char *buf, size_t cap, bool want_eof,
    bool *eof)
{
	size_t len = 0;

	*eof = false;
	for (int i = 0; i < 500 && !*eof; i++) {
		ssize_t n;
		char *nl;

		lt_ctl_poll(ctl, 10, handler, s);
		/* one line at a time: what follows it stays in the socket */
		while ((n = recv(fd, buf + len, cap - 1 - len, MSG_DONTWAIT | MSG_PEEK)) > 0) {
			nl = want_eof ? NULL : memchr(buf + len, '\n', (size_t)n);
			n = recv(fd, buf + len, nl ? (size_t)(nl - (buf + len)) + 1 : (size_t)n,
			    MSG_DONTWAIT);
			assert_true(n > 0);
			len += (size_t)n;
			if (nl != NULL)
				break;
		}
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			*eof = true;
		buf[len] = '\0';
		if (!want_eof && memchr(buf, '\n', len) != NULL)
			break;
	}
	return len;
}

static void
expect_reply(struct lt_ctl *ctl, struct srv *s, int fd, const char *want)
{
	char buf[512];
	bool eof;

	exchange(ctl, s, fd, buf, sizeof(buf), false, &eof);
	assert_string_equal(buf, want);
}

/* Runs fn in a child (which must not use cmocka) while serving; its exit status. */
static int
with_child(struct lt_ctl *ctl, struct srv *s, int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0) {
		int rc = fn(arg);

		fflush(NULL);
		_exit(rc);
	}
	for (int i = 0; i < 1000; i++) {
		if (ctl != NULL)
			lt_ctl_poll(ctl, 10, handler, s);
		else
			usleep(10000);
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	fail_msg("child did not finish");
	return -1;
}

static void
listen_mode_and_close(void **state)
{
	struct lt_ctl *ctl;
	struct stat st;

	(void)state;
	umask(022);
	ctl = listen_ok();
	assert_int_equal(lstat(sock, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(lt_ctl_fd(ctl) >= 0, 1);
	assert_int_equal(fcntl(lt_ctl_fd(ctl), F_GETFL) & O_NONBLOCK, O_NONBLOCK);
	/* the umask is restored */
	assert_int_equal(umask(022), 022);
	done();
	assert_int_equal(lstat(sock, &st), -1);
	assert_int_equal(errno, ENOENT);
}

static void
listen_makes_directory(void **state)
{
	char p[160], err[256];
	struct lt_ctl *ctl;
	struct stat st;

	(void)state;
	snprintf(p, sizeof(p), "%s/sub/control.sock", dir);
	ctl = lt_ctl_listen(p, err, sizeof(err));
	assert_non_null(ctl);
	snprintf(p, sizeof(p), "%s/sub", dir);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	lt_ctl_close(ctl);
}

static void
listen_removes_stale(void **state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct srv s = { 0 };
	struct lt_ctl *ctl;
	int fd;

	(void)state;
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(sun.sun_path, sock);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);		/* a daemon that died: its socket file stays */
	ctl = listen_ok();
	fd = raw_connect();
	send_str(fd, "{\"cmd\":\"ping\"}\n");
	expect_reply(ctl, &s, fd, "{\"ok\":true,\"cmd\":\"ping\",\"uid\":0}\n");
	close(fd);
	done();
}

static void
listen_refuses_live_daemon(void **state)
{
	struct srv s = { 0 };
	struct lt_ctl *ctl, *two;
	char err[256], want[256];
	int fd;

	(void)state;
	ctl = listen_ok();
	two = lt_ctl_listen(sock, err, sizeof(err));
	assert_null(two);
	snprintf(want, sizeof(want), "a lawtap daemon is already serving %s: stop it first, "
	    "or choose another --control path", sock);
	assert_string_equal(err, want);
	/* the first one still serves */
	fd = raw_connect();
	send_str(fd, "{\"cmd\":\"ping\"}\n");
	expect_reply(ctl, &s, fd, "{\"ok\":true,\"cmd\":\"ping\",\"uid\":0}\n");
	close(fd);
	done();
}

static void
listen_refuses_other_files(void **state)
{
	char p[160], want[256], err[256], big[200];
	struct stat st;
	int fd;

	(void)state;
	snprintf(p, sizeof(p), "%s/file", dir);
	fd = open(p, O_CREAT | O_WRONLY, 0600);
	assert_int_equal(write(fd, "keep", 4), 4);
	close(fd);
	assert_null(lt_ctl_listen(p, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s exists and is not a socket: remove it or choose "
	    "another --control path", p);
	assert_string_equal(err, want);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_size, 4);

	memset(big, 'a', sizeof(big) - 1);
	big[0] = '/';
	big[sizeof(big) - 1] = '\0';
	assert_null(lt_ctl_listen(big, err, sizeof(err)));
	assert_string_equal(err, "control socket path must be 1 to 107 bytes long");
	assert_null(lt_ctl_listen("", err, sizeof(err)));
	assert_string_equal(err, "control socket path must be 1 to 107 bytes long");
}

/* A pipeline of requests on one connection: blank lines skipped, CRLF taken. */
static void
request_reply(void **state)
{
	struct srv s = { 0 };
	struct lt_ctl *ctl;
	char buf[512];
	bool eof;
	int fd;

	(void)state;
	ctl = listen_ok();
	fd = raw_connect();
	send_str(fd, "{\"cmd\":\"a\"}\n\n\r\n{\"cmd\":\"b\"}\r\n  {\"cmd\" : \"c-1\"} \n");
	expect_reply(ctl, &s, fd, "{\"ok\":true,\"cmd\":\"a\",\"uid\":0}\n");
	expect_reply(ctl, &s, fd, "{\"ok\":true,\"cmd\":\"b\",\"uid\":0}\n");
	expect_reply(ctl, &s, fd, "{\"ok\":true,\"cmd\":\"c-1\",\"uid\":0}\n");
	assert_int_equal(s.calls, 3);
	/* the handler gave nothing */
	send_str(fd, "{\"cmd\":\"null\"}\n");
	expect_reply(ctl, &s, fd, "{\"ok\":false,\"error\":\"internal error: the daemon gave "
	    "no reply\"}\n");
	/* the last request needs no newline when the client shuts its side */
	send_str(fd, "{\"cmd\":\"last\"}");
	shutdown(fd, SHUT_WR);
	exchange(ctl, &s, fd, buf, sizeof(buf), true, &eof);
	assert_string_equal(buf, "{\"ok\":true,\"cmd\":\"last\",\"uid\":0}\n");
	assert_true(eof);
	close(fd);
	done();
}

static void
malformed_requests(void **state)
{
	static const struct {
		const char *in, *out;
	} v[] = {
		{ "{\"cmd\":", "request is not valid JSON (error at byte 7)" },
		{ "cmd=status", "request is not valid JSON (error at byte 3)" },
		{ "{\"cmd\":\"a\",\"cmd\":\"b\"}", "request is not valid JSON (error at byte 16)" },
		{ "{\"cmd\":\"a\"} x", "request is not valid JSON (error at byte 13)" },
		{ "[\"status\"]", "request must be a JSON object" },
		{ "\"status\"", "request must be a JSON object" },
		{ "{}", "request needs \\\"cmd\\\", a string" },
		{ "{\"cmd\":1}", "request needs \\\"cmd\\\", a string" },
		{ "{\"Cmd\":\"status\"}", "request needs \\\"cmd\\\", a string" },
		{ "{\"cmd\":\"\"}", "\\\"cmd\\\" must be 1 to 32 characters from a-z 0-9 -" },
		{ "{\"cmd\":\"STATUS\"}", "\\\"cmd\\\" must be 1 to 32 characters from a-z 0-9 -" },
		{ "{\"cmd\":\"st atus\"}", "\\\"cmd\\\" must be 1 to 32 characters from a-z 0-9 -" },
		{ "{\"cmd\":\"sta\\u0000tus\"}", "request is not valid JSON (error at byte 21)" },
		{ "{\"cmd\":\"abcdefghijabcdefghijabcdefghijabc\"}",
		    "\\\"cmd\\\" must be 1 to 32 characters from a-z 0-9 -" },
	};
	struct srv s = { 0 };
	struct lt_ctl *ctl;
	char want[256];
	int fd;

	(void)state;
	ctl = listen_ok();
	fd = raw_connect();
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		send_all(fd, v[i].in, strlen(v[i].in));
		send_str(fd, "\n");
		snprintf(want, sizeof(want), "{\"ok\":false,\"error\":\"%s\"}\n", v[i].out);
		expect_reply(ctl, &s, fd, want);
	}
	assert_int_equal(s.calls, 0);
	/* the connection is still good */
	send_str(fd, "{\"cmd\":\"abcdefghijabcdefghijabcdefghijab\"}\n");
	expect_reply(ctl, &s, fd,
	    "{\"ok\":true,\"cmd\":\"abcdefghijabcdefghijabcdefghijab\",\"uid\":0}\n");
	close(fd);
	done();
}

/* The parser's messages never quote the request (a passphrase may be in it). */
static void
parse_never_quotes(void **state)
{
	static const char *const v[] = {
		"{\"cmd\":\"status\",\"auth\":SECRETPASS}",
		"SECRETPASS",
		"{\"SECRETPASS\":1}",
		"{\"cmd\":\"SECRETPASS\"}",
		"[\"SECRETPASS\"]",
	};
	char err[256];
	json_t *req;

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(lt_ctl_parse(v[i], strlen(v[i]), &req, err, sizeof(err)), -1);
		assert_null(req);
		assert_null(strstr(err, "SECRET"));
	}
	assert_int_equal(lt_ctl_parse("{\"cmd\":\"x\"}", 11, &req, err, sizeof(err)), 0);
	assert_string_equal(json_string_value(json_object_get(req, "cmd")), "x");
	json_decref(req);
}

/* A line of 65536 bytes is served; one byte more is refused and the client closed. */
static void
line_limit(void **state)
{
	static char line[LT_CTL_MAX_LINE + 2];
	static char buf[LT_CTL_MAX_LINE + 64];
	const char *head = "{\"cmd\":\"pad\",\"p\":\"", *tail = "\"}";
	struct srv s = { 0 };
	struct lt_ctl *ctl;
	size_t n;
	bool eof;
	int fd;

	(void)state;
	ctl = listen_ok();
	fd = raw_connect();
	memset(line, 'p', LT_CTL_MAX_LINE);
	memcpy(line, head, strlen(head));
	memcpy(line + LT_CTL_MAX_LINE - strlen(tail), tail, strlen(tail));
	line[LT_CTL_MAX_LINE] = '\n';
	send_all(fd, line, LT_CTL_MAX_LINE + 1);
	exchange(ctl, &s, fd, buf, sizeof(buf), false, &eof);
	assert_string_equal(buf, "{\"ok\":true,\"cmd\":\"pad\",\"uid\":0}\n");

	memset(line, 'q', sizeof(line));
	line[0] = '{';
	send_all(fd, line, LT_CTL_MAX_LINE + 1);
	n = exchange(ctl, &s, fd, buf, sizeof(buf), true, &eof);
	assert_true(eof);
	assert_int_equal(n, strlen(buf));
	assert_string_equal(buf, "{\"ok\":false,\"error\":\"request longer than 65536 "
	    "bytes\"}\n");
	assert_int_equal(s.calls, 1);
	close(fd);
	done();
}

/*
 * A client asks for big replies and never reads them: the server never
 * waits for it, serves another client meanwhile and drops it after
 * LT_CTL_WRITE_MS.
 */
static void
slow_reader_dropped(void **state)
{
	static char buf[4 * 1024 * 1024];
	struct srv s = { 0 };
	struct lt_ctl *ctl;
	int64_t t0, worst = 0, start;
	size_t n = 0;
	bool eof = false;
	int slow, fast;

	(void)state;
	ctl = listen_ok();
	slow = raw_connect();
	for (int i = 0; i < 4; i++)
		send_str(slow, "{\"cmd\":\"big\"}\n");
	start = ms_now();
	fast = raw_connect();
	send_str(fast, "{\"cmd\":\"quick\"}\n");
	for (int i = 0; i < 10; i++) {
		t0 = ms_now();
		lt_ctl_poll(ctl, 20, handler, &s);
		if (ms_now() - t0 > worst)
			worst = ms_now() - t0;
	}
	expect_reply(ctl, &s, fast, "{\"ok\":true,\"cmd\":\"quick\",\"uid\":0}\n");
	while (ms_now() - start < LT_CTL_WRITE_MS + 500) {
		t0 = ms_now();
		lt_ctl_poll(ctl, 20, handler, &s);
		if (ms_now() - t0 > worst)
			worst = ms_now() - t0;
	}
	assert_true(worst < 150);
	/* only the first big reply was started: the rest wait behind it */
	assert_int_equal(s.calls, 2);
	for (int i = 0; i < 100 && !eof; i++) {
		ssize_t k = recv(slow, buf + n, sizeof(buf) - n, MSG_DONTWAIT);

		if (k > 0)
			n += (size_t)k;
		else if (k == 0 || errno == ECONNRESET)
			eof = true;
		else
			usleep(1000);
	}
	assert_true(eof);
	assert_true(n < 1024 * 1024);	/* not even the first reply was taken */
	/* the fast client is still served */
	send_str(fast, "{\"cmd\":\"again\"}\n");
	expect_reply(ctl, &s, fast, "{\"ok\":true,\"cmd\":\"again\",\"uid\":0}\n");
	close(slow);
	close(fast);
	done();
}

/* An idle poll waits its timeout and no longer. */
static void
poll_timeout(void **state)
{
	struct srv s = { 0 };
	struct lt_ctl *ctl;
	int64_t t0, d;
	int fd;

	(void)state;
	ctl = listen_ok();
	fd = raw_connect();
	send_str(fd, "{\"cmd\":");	/* half a request */
	t0 = ms_now();
	lt_ctl_poll(ctl, 0, handler, &s);
	lt_ctl_poll(ctl, 0, handler, &s);
	assert_true(ms_now() - t0 < 20);
	t0 = ms_now();
	lt_ctl_poll(ctl, 100, handler, &s);
	d = ms_now() - t0;
	assert_true(d >= 90 && d < 150);
	assert_int_equal(s.calls, 0);
	close(fd);
	done();
}

static void
too_many_clients(void **state)
{
	struct srv s = { 0 };
	struct lt_ctl *ctl;
	int fd[LT_CTL_MAX_CLIENTS + 1];
	char buf[256];
	bool eof;

	(void)state;
	ctl = listen_ok();
	for (int i = 0; i < LT_CTL_MAX_CLIENTS; i++)
		fd[i] = raw_connect();
	lt_ctl_poll(ctl, 10, handler, &s);
	fd[LT_CTL_MAX_CLIENTS] = raw_connect();
	exchange(ctl, &s, fd[LT_CTL_MAX_CLIENTS], buf, sizeof(buf), true, &eof);
	assert_true(eof);
	assert_string_equal(buf, "{\"ok\":false,\"error\":\"too many control clients: try "
	    "again later\"}\n");
	/* the eight are served; one leaves and a new client takes its place */
	send_str(fd[7], "{\"cmd\":\"eight\"}\n");
	expect_reply(ctl, &s, fd[7], "{\"ok\":true,\"cmd\":\"eight\",\"uid\":0}\n");
	close(fd[0]);
	lt_ctl_poll(ctl, 10, handler, &s);
	fd[0] = raw_connect();
	send_str(fd[0], "{\"cmd\":\"nine\"}\n");
	expect_reply(ctl, &s, fd[0], "{\"ok\":true,\"cmd\":\"nine\",\"uid\":0}\n");
	for (int i = 0; i <= LT_CTL_MAX_CLIENTS; i++)
		close(fd[i]);
	done();
}

struct client_case {
	const char *path;
	const char *cmd;
	int timeout_ms;
	const char *want_reply;		/* compact JSON, or NULL: expect an error */
	const char *want_err;		/* a substring of the error */
	uid_t uid;			/* run as this user (root only) */
};

static int
client_child(void *arg)
{
	const struct client_case *c = arg;
	json_t *req = json_pack("{s:s}", "cmd", c->cmd), *reply = NULL;
	char err[512] = "", *s;
	int rc, ok;

	if (c->uid != 0 && (setgroups(0, NULL) < 0 || setgid(c->uid) < 0 ||
	    setuid(c->uid) < 0))
		return 10;
	rc = lt_ctl_request(c->path, req, &reply, c->timeout_ms, err, sizeof(err));
	json_decref(req);
	if (c->want_reply == NULL) {
		ok = rc == -1 && reply == NULL && strstr(err, c->want_err) != NULL;
		if (!ok)
			fprintf(stderr, "client: rc %d, err '%s'\n", rc, err);
		return ok ? 0 : 1;
	}
	if (rc != 0) {
		fprintf(stderr, "client: %s\n", err);
		return 2;
	}
	s = json_dumps(reply, JSON_COMPACT);
	ok = strcmp(s, c->want_reply) == 0;
	if (!ok)
		fprintf(stderr, "client: reply %s\n", s);
	free(s);
	json_decref(reply);
	return ok ? 0 : 3;
}

static void
client_request(void **state)
{
	struct client_case c = { sock, "status", 2000, "{\"ok\":true,\"cmd\":\"status\","
	    "\"uid\":0}", NULL, 0 };
	struct srv s = { 0 };
	struct lt_ctl *ctl;

	(void)state;
	ctl = listen_ok();
	assert_int_equal(with_child(ctl, &s, client_child, &c), 0);
	c.cmd = "big";
	/* 1 MiB comes back whole */
	{
		char *p = malloc(1024 * 1024 + 64);

		strcpy(p, "{\"ok\":true,\"pad\":\"");
		memset(p + 18, 'x', 1024 * 1024);
		strcpy(p + 18 + 1024 * 1024, "\"}");
		c.want_reply = p;
		assert_int_equal(with_child(ctl, &s, client_child, &c), 0);
		free(p);
	}
	done();
}

static void
client_errors(void **state)
{
	struct client_case c = { sock, "status", 2000, NULL, NULL, 0 };
	char want[256];
	int lfd;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int64_t t0;

	(void)state;
	/* nothing there */
	snprintf(want, sizeof(want), "no lawtap daemon is listening on %s (is `lawtap run` "
	    "started? --control PATH names another socket)", sock);
	c.want_err = want;
	assert_int_equal(with_child(NULL, NULL, client_child, &c), 0);
	/* a stale socket */
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(sun.sun_path, sock);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(lfd);
	assert_int_equal(with_child(NULL, NULL, client_child, &c), 0);
	unlink(sock);
	/* a listener that never answers: the client gives up in time */
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(lfd, 4), 0);
	c.timeout_ms = 200;
	c.want_err = "no reply from the daemon in time";
	t0 = ms_now();
	assert_int_equal(with_child(NULL, NULL, client_child, &c), 0);
	assert_true(ms_now() - t0 < 1000);
	/* a daemon that closes without answering, or answers garbage */
	{
		int cfd;
		pid_t pid;
		int st;

		c.timeout_ms = 2000;
		cfd = accept(lfd, NULL, NULL);	/* the client that timed out */
		assert_true(cfd >= 0);
		close(cfd);
		for (int k = 0; k < 2; k++) {
			c.want_err = k == 0 ? "the daemon closed the connection without a reply" :
			    "the daemon's reply is not valid JSON";
			pid = fork();
			assert_true(pid >= 0);
			if (pid == 0)
				_exit(client_child(&c));
			cfd = accept(lfd, NULL, NULL);
			assert_true(cfd >= 0);
			/* take the request first, so that the client is reading */
			for (char ch = 0; ch != '\n';)
				assert_int_equal(read(cfd, &ch, 1), 1);
			if (k == 1)
				assert_int_equal(write(cfd, "{\"ok\":tru\n", 10), 10);
			close(cfd);
			assert_int_equal(waitpid(pid, &st, 0), pid);
			assert_true(WIFEXITED(st));
			assert_int_equal(WEXITSTATUS(st), 0);
		}
	}
	close(lfd);
	unlink(sock);
}

/* Non-root peers: the 0600 socket keeps them out; with the mode opened up, SO_PEERCRED does. */
static void
non_root_peer(void **state)
{
	struct client_case c = { sock, "status", 2000, NULL, NULL, 65534 };
	struct srv s = { 0 };
	struct lt_ctl *ctl;
	char want[256];

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(chmod(dir, 0755), 0);
	ctl = listen_ok();
	snprintf(want, sizeof(want), "%s: permission denied: the control socket is for root "
	    "only", sock);
	c.want_err = want;
	assert_int_equal(with_child(ctl, &s, client_child, &c), 0);
	assert_int_equal(chmod(sock, 0666), 0);
	c.want_err = NULL;
	c.want_reply = "{\"ok\":false,\"error\":\"the control socket serves root only\"}";
	assert_int_equal(with_child(ctl, &s, client_child, &c), 0);
	assert_int_equal(s.calls, 0);
	/* root is still served */
	c.uid = 0;
	c.want_reply = "{\"ok\":true,\"cmd\":\"status\",\"uid\":0}";
	assert_int_equal(with_child(ctl, &s, client_child, &c), 0);
	done();
	assert_int_equal(chmod(dir, 0700), 0);
}

/* lt_ctl_close leaves a socket file that is no longer its own. */
static void
close_keeps_foreign_socket(void **state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	(void)state;
	listen_ok();
	unlink(sock);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(sun.sun_path, sock);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	done();
	assert_int_equal(lstat(sock, &st), 0);
	close(fd);
	unlink(sock);
}

/* ---- the status snapshot and its renderers ---- */

static struct lt_status_worker fixed_workers[2];
static struct lt_status_agency fixed_agencies[2];
static struct lt_status fixed;

static void
fill_fixed(void)
{
	uint64_t *w = (uint64_t *)fixed_workers, *t;

	for (size_t i = 0; i < sizeof(fixed_workers) / (sizeof(uint64_t)); i++)
		w[i] = 1000 * (i + 1) + i;
	fixed_workers[1].bytes = 123456789012ULL;	/* too wide for its column */
	memset(fixed_agencies, 0, sizeof(fixed_agencies));
	strcpy(fixed_agencies[0].id, "police");
	strcpy(fixed_agencies[0].hi2.state, "up");
	fixed_agencies[0].hi2 = (struct lt_status_hi){ "up", 12, 3456, 0, 0, 1, 0, 4, 4, 0, 0, 0, 0, 3,
	    0, 0 };
	fixed_agencies[0].hi3 = (struct lt_status_hi){ "connecting", 0, 0, 5, 2, 3, 2, 0, 0,
	    7, 9, 11, 2, -1, 5, 1500 };
	strcpy(fixed_agencies[1].id, "customs.b-2");
	fixed_agencies[1].hi2 = (struct lt_status_hi){ "down", 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0,
	    0, 0 };
	fixed_agencies[1].hi3 = (struct lt_status_hi){ "failed", 9, 10, 11, 12, 13, 14, 15,
	    16, 0, 0, 0, 0, 1234, 0, 0 };
	fixed = (struct lt_status){ .uptime_s = 93784, .warrants_active = 3, .nworkers = 2,
	    .nagencies = 2, .workers = fixed_workers, .agencies = fixed_agencies,
	    .has_track = true };
	t = (uint64_t *)&fixed.track;
	for (size_t i = 0; i < sizeof(fixed.track) / sizeof(uint64_t); i++)
		t[i] = i * 7;
}

static char *
render(int (*fn)(const struct lt_status *, FILE *), const struct lt_status *s)
{
	char *p = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&p, &n);

	assert_non_null(f);
	assert_int_equal(fn(s, f), 0);
	fclose(f);
	return p;
}

static const char want_text[] =
"lawtap: up 1d 02:03:04\n"
"3 warrants active, 2 workers, 2 agencies\n"
"\n"
"Capture\n"
"worker     rx packets       rx bytes        matched        records\n"
"     0           1000           2001           6005           7006\n"
"     1          12011   123456789012          17016          18017\n"
" total          13011   123456791013          23021          25023\n"
"\n"
"Drops by stage\n"
"worker    not IP malformed    multi-      ring     queue  undeliv-  too many\n"
"                             segment      full      full    erable  warrants\n"
"     0      3002      4003      5004      8007      9008     10009     11010\n"
"     1     14013     15014     16015     19018     20019     21020     22021\n"
" total     17015     19017     21019     27025     29027     31029     33031\n"
"\n"
"Delivery     state              sent       bytes      queued        lost\n"
"police\n"
"  HI2        up                   12        3456           0           0\n"
"  HI3        connecting            0           0           5           2\n"
"customs.b-2\n"
"  HI2        down                  1           2           3           4\n"
"  HI3        failed                9          10          11          12\n"
"\n"
"Connections     connects      losses     ka sent ka answered   ka rtt ms\n"
"police\n"
"  HI2                  1           0           4           4           3\n"
"  HI3                  3           2           0           0           -\n"
"customs.b-2\n"
"  HI2                  5           6           7           8           0\n"
"  HI3                 13          14          15          16        1234\n"
"\n"
"Backlog          on disk     spooled      resent overwritten\n"
"police\n"
"  HI2                  0           0           0           0\n"
"  HI3                  7           9          11           2\n"
"customs.b-2\n"
"  HI2                  0           0           0           0\n"
"  HI3                  0           0           0           0\n"
"\n"
"Sessions\n"
"  AAA packets                     0  malformed                       7\n"
"  bad authenticator              14  reply to nothing               21\n"
"  retransmitted                  28  fragments                      35\n"
"  not UDP                        42  sessions now                   49\n"
"  refused (full)                 56  started                        63\n"
"  ended                          70  stop without start             77\n"
"  absurd prefixes                84  too many addresses             91\n"
"  NAS restarts                   98  rejects                       105\n"
"  unanswered                    112  target sessions               119\n"
"  intercepts full               126  IRIs lost                     133\n"
"  bindings full                 140  hand-offs lost                147\n";

static void
text_exact(void **state)
{
	char *p;

	(void)state;
	fill_fixed();
	p = render(lt_status_text, &fixed);
	assert_string_equal(p, want_text);
	free(p);
}

/* Never wider than 79 columns, whatever the numbers and ids. */
static void
text_width(void **state)
{
	struct lt_status_worker w[3];
	struct lt_status_agency a[1];
	struct lt_status s;
	char *p, *line;

	(void)state;
	memset(w, 0xff, sizeof(w));
	memset(a, 0xff, sizeof(a));
	memset(a[0].id, 'W', LT_STATUS_ID_MAX);
	a[0].id[LT_STATUS_ID_MAX] = '\0';
	strcpy(a[0].hi2.state, "connecting-long");
	strcpy(a[0].hi3.state, "up");
	a[0].hi2.ka_rtt_ms = INT64_MAX;
	s = (struct lt_status){ UINT64_MAX, UINT32_MAX, 3, 1, w, a, true, { 0 } };
	memset(&s.track, 0xff, sizeof(s.track));
	p = render(lt_status_text, &s);
	for (char *q = p; (line = strsep(&q, "\n")) != NULL;)
		if (strlen(line) > 79)
			fail_msg("line of %zu columns: %s", strlen(line), line);
	free(p);
	s.workers[0].rx = 99999999999999ULL;		/* 14 digits: exact */
	s.workers[0].bytes = 999999999999999ULL;	/* 15: scaled */
	s.nworkers = 1;
	s.nagencies = 0;
	s.has_track = false;
	p = render(lt_status_text, &s);
	assert_non_null(strstr(p, "     0 99999999999999  999999999999k "));
	assert_null(strstr(p, "Delivery"));
	assert_null(strstr(p, "Sessions"));
	assert_null(strstr(p, "total"));
	free(p);
}

static const char want_prom_head[] =
"# HELP lawtap_uptime_seconds Seconds since the daemon started.\n"
"# TYPE lawtap_uptime_seconds gauge\n"
"lawtap_uptime_seconds 93784\n"
"# HELP lawtap_warrants_active Warrants in effect now.\n"
"# TYPE lawtap_warrants_active gauge\n"
"lawtap_warrants_active 3\n"
"# HELP lawtap_rx_packets_total Packets received.\n"
"# TYPE lawtap_rx_packets_total counter\n"
"lawtap_rx_packets_total{worker=\"0\"} 1000\n"
"lawtap_rx_packets_total{worker=\"1\"} 12011\n"
"# HELP lawtap_rx_bytes_total Bytes received.\n"
"# TYPE lawtap_rx_bytes_total counter\n"
"lawtap_rx_bytes_total{worker=\"0\"} 2001\n"
"lawtap_rx_bytes_total{worker=\"1\"} 123456789012\n";

static const char want_prom_delivery[] =
"# HELP lawtap_delivery_state Handover connection state (1 on the current one).\n"
"# TYPE lawtap_delivery_state gauge\n"
"lawtap_delivery_state{agency=\"police\",hi=\"HI2\",state=\"up\"} 1\n"
"lawtap_delivery_state{agency=\"police\",hi=\"HI3\",state=\"connecting\"} 1\n"
"lawtap_delivery_state{agency=\"customs.b-2\",hi=\"HI2\",state=\"down\"} 1\n"
"lawtap_delivery_state{agency=\"customs.b-2\",hi=\"HI3\",state=\"failed\"} 1\n"
"# HELP lawtap_delivery_records_sent_total Records sent to the agency.\n"
"# TYPE lawtap_delivery_records_sent_total counter\n"
"lawtap_delivery_records_sent_total{agency=\"police\",hi=\"HI2\"} 12\n"
"lawtap_delivery_records_sent_total{agency=\"police\",hi=\"HI3\"} 0\n"
"lawtap_delivery_records_sent_total{agency=\"customs.b-2\",hi=\"HI2\"} 1\n"
"lawtap_delivery_records_sent_total{agency=\"customs.b-2\",hi=\"HI3\"} 9\n";

static const char want_prom_tail[] =
"# HELP lawtap_delivery_queued_records Records waiting to be sent.\n"
"# TYPE lawtap_delivery_queued_records gauge\n"
"lawtap_delivery_queued_records{agency=\"police\",hi=\"HI2\"} 0\n"
"lawtap_delivery_queued_records{agency=\"police\",hi=\"HI3\"} 5\n"
"lawtap_delivery_queued_records{agency=\"customs.b-2\",hi=\"HI2\"} 3\n"
"lawtap_delivery_queued_records{agency=\"customs.b-2\",hi=\"HI3\"} 11\n";

static const char want_prom_rtt[] =
"# HELP lawtap_delivery_keepalive_rtt_milliseconds Round trip of the last answered "
"keep-alive.\n"
"# TYPE lawtap_delivery_keepalive_rtt_milliseconds gauge\n"
"lawtap_delivery_keepalive_rtt_milliseconds{agency=\"police\",hi=\"HI2\"} 3\n"
"lawtap_delivery_keepalive_rtt_milliseconds{agency=\"customs.b-2\",hi=\"HI2\"} 0\n"
"lawtap_delivery_keepalive_rtt_milliseconds{agency=\"customs.b-2\",hi=\"HI3\"} 1234\n"
"# HELP lawtap_aaa_packets_total AAA (RADIUS, DHCP) packets seen.\n"
"# TYPE lawtap_aaa_packets_total counter\n"
"lawtap_aaa_packets_total 0\n";

static const char want_prom_end[] =
"# HELP lawtap_sessions Subscriber sessions known now.\n"
"# TYPE lawtap_sessions gauge\n"
"lawtap_sessions 49\n";

static const char want_prom_last[] =
"# HELP lawtap_handoffs_lost_total AAA packets lost: the hand-off to the session lcore "
"was full.\n"
"# TYPE lawtap_handoffs_lost_total counter\n"
"lawtap_handoffs_lost_total 147\n";

/* Every family has HELP, then TYPE, then its samples; names are unique. */
static void
check_exposition(const char *p, int want_families)
{
	char fam[128] = "", seen[8192] = " ";
	const char *line = p;
	int families = 0;

	while (*line != '\0') {
		const char *nl = strchr(line, '\n');
		size_t n;
		char name[160];

		assert_non_null(nl);
		n = (size_t)(nl - line);
		if (strncmp(line, "# HELP ", 7) == 0) {
			assert_int_equal(sscanf(line + 7, "%127s", fam), 1);
			snprintf(name, sizeof(name), " %s ", fam);
			assert_null(strstr(seen, name));
			strcat(seen, fam);
			strcat(seen, " ");
			families++;
		} else if (strncmp(line, "# TYPE ", 7) == 0) {
			assert_int_equal(strncmp(line + 7, fam, strlen(fam)), 0);
			assert_true(strncmp(line + 7 + strlen(fam), " counter\n", 9) == 0 ||
			    strncmp(line + 7 + strlen(fam), " gauge\n", 7) == 0);
		} else {
			size_t k = strlen(fam);

			assert_int_equal(strncmp(line, fam, k), 0);
			assert_true(line[k] == ' ' || line[k] == '{');
			/* the value: digits after the last space */
			for (const char *v = memrchr(line, ' ', n) + 1; v < nl; v++)
				assert_true(*v >= '0' && *v <= '9');
		}
		line = nl + 1;
	}
	assert_int_equal(families, want_families);
}

static void
prometheus_exact(void **state)
{
	char *p;

	(void)state;
	fill_fixed();
	p = render(lt_status_prometheus, &fixed);
	assert_int_equal(strncmp(p, want_prom_head, strlen(want_prom_head)), 0);
	assert_non_null(strstr(p, want_prom_delivery));
	assert_non_null(strstr(p, want_prom_tail));
	assert_non_null(strstr(p, want_prom_rtt));
	assert_non_null(strstr(p, want_prom_end));
	assert_int_equal(strcmp(p + strlen(p) - strlen(want_prom_last), want_prom_last), 0);
	assert_non_null(strstr(p, "lawtap_too_many_warrants_total{worker=\"1\"} 22021\n"));
	assert_non_null(strstr(p, "lawtap_delivery_keepalives_answered_total{agency="
	    "\"customs.b-2\",hi=\"HI3\"} 16\n"));
	assert_non_null(strstr(p, "lawtap_delivery_tls_failures_total{agency=\"police\","
	    "hi=\"HI3\"} 5\n"));
	/* ka_rtt_ms -1: no sample */
	assert_null(strstr(p, "rtt_milliseconds{agency=\"police\",hi=\"HI3\"}"));
	check_exposition(p, 2 + 11 + 1 + 14 + 1 + 22);
	free(p);
	/* no tracker, no session families */
	fixed.has_track = false;
	p = render(lt_status_prometheus, &fixed);
	assert_null(strstr(p, "aaa_packets"));
	assert_null(strstr(p, "lawtap_sessions"));
	check_exposition(p, 2 + 11 + 1 + 14 + 1);
	free(p);
}

static void
assert_hi_equal(const struct lt_status_hi *a, const struct lt_status_hi *b)
{
	assert_string_equal(a->state, b->state);
	assert_int_equal(a->records_sent, b->records_sent);
	assert_int_equal(a->bytes_sent, b->bytes_sent);
	assert_int_equal(a->queued, b->queued);
	assert_int_equal(a->lost, b->lost);
	assert_int_equal(a->connects, b->connects);
	assert_int_equal(a->losses, b->losses);
	assert_int_equal(a->ka_sent, b->ka_sent);
	assert_int_equal(a->ka_answered, b->ka_answered);
	assert_int_equal(a->ka_rtt_ms, b->ka_rtt_ms);
	assert_int_equal(a->tls_failures, b->tls_failures);
}

/* Field by field: the structs' padding is not theirs to compare. */
static void
assert_agencies_equal(const struct lt_status_agency *a, const struct lt_status_agency *b,
    size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(a[i].id, b[i].id);
		assert_hi_equal(&a[i].hi2, &b[i].hi2);
		assert_hi_equal(&a[i].hi3, &b[i].hi3);
	}
}

static void
json_round_trip(void **state)
{
	struct lt_status_worker w = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
	struct lt_status_agency a = { "lea",
	    { "up", 1, 2, 3, 4, 5, 6, 7, 8, 18, 19, 20, 21, -1, 26, 28 },
	    { "down", 9, 10, 11, 12, 13, 14, 15, 16, 22, 23, 24, 25, 17, 27, 29 } };
	struct lt_status s = { 60, 1, 1, 1, &w, &a, false, { 0 } }, back;
	char err[256], *p;
	json_t *j;

	(void)state;
	j = lt_status_json(&s);
	p = json_dumps(j, JSON_COMPACT);
	assert_string_equal(p, "{\"ok\":true,\"uptime_s\":60,\"warrants_active\":1,"
	    "\"workers\":[{\"rx\":1,\"bytes\":2,\"not_ip\":3,\"malformed\":4,\"multiseg\":5,"
	    "\"matched\":6,\"records\":7,\"ring_full\":8,\"queue_full\":9,\"undeliverable\":10,"
	    "\"too_many_warrants\":11}],\"agencies\":[{\"id\":\"lea\",\"hi2\":{"
	    "\"records_sent\":1,\"bytes_sent\":2,\"queued\":3,\"lost\":4,\"connects\":5,"
	    "\"losses\":6,\"ka_sent\":7,\"ka_answered\":8,\"queued_disk\":18,\"spooled\":19,"
	    "\"resent\":20,\"overwritten\":21,\"tls_failures\":26,\"backlog_ms\":28,\"state\":\"up\","
	    "\"ka_rtt_ms\":-1},"
	    "\"hi3\":{\"records_sent\":9,\"bytes_sent\":10,\"queued\":11,\"lost\":12,"
	    "\"connects\":13,\"losses\":14,\"ka_sent\":15,\"ka_answered\":16,"
	    "\"queued_disk\":22,\"spooled\":23,\"resent\":24,\"overwritten\":25,"
	    "\"tls_failures\":27,\"backlog_ms\":29,\"state\":\"down\",\"ka_rtt_ms\":17}}]}");
	free(p);
	assert_int_equal(lt_status_from_json(j, &back, err, sizeof(err)), 0);
	json_decref(j);
	assert_int_equal(back.uptime_s, 60);
	assert_int_equal(back.warrants_active, 1);
	assert_false(back.has_track);
	assert_memory_equal(back.workers, &w, sizeof(w));
	assert_agencies_equal(back.agencies, &a, 1);
	lt_status_free(&back);

	fill_fixed();
	j = lt_status_json(&fixed);
	assert_int_equal(lt_status_from_json(j, &back, err, sizeof(err)), 0);
	json_decref(j);
	assert_int_equal(back.nworkers, 2);
	assert_int_equal(back.nagencies, 2);
	assert_true(back.has_track);
	assert_memory_equal(back.workers, fixed_workers, sizeof(fixed_workers));
	assert_agencies_equal(back.agencies, fixed_agencies, 2);
	assert_memory_equal(&back.track, &fixed.track, sizeof(fixed.track));
	lt_status_free(&back);
}

static void
json_malformed(void **state)
{
	static const struct {
		const char *path, *value, *err;	/* path: a.b.c into the fixed reply */
	} v[] = {
		{ "ok", "false", "status reply: \"ok\" is not true" },
		{ "ok", "null", "status reply: \"ok\" is not true" },
		{ "uptime_s", "-1", "status reply: \"uptime_s\" or \"warrants_active\" is "
		    "missing or not a count" },
		{ "warrants_active", "4294967296", "status reply: \"uptime_s\" or "
		    "\"warrants_active\" is missing or not a count" },
		{ "workers", "{}", "status reply: \"workers\" is missing or not an array of at "
		    "most 1024" },
		{ "agencies", "null", "status reply: \"agencies\" is missing or not an array "
		    "of at most 1024" },
		{ "workers.1", "7", "status reply: worker 1 is not an object" },
		{ "workers.0.rx", "-3", "status reply: worker 0: \"rx\" is missing or not a "
		    "count" },
		{ "workers.1.too_many_warrants", "1.5", "status reply: worker 1: "
		    "\"too_many_warrants\" is missing or not a count" },
		{ "agencies.0", "[]", "status reply: agency 1 is not an object" },
		{ "agencies.1.id", "\"po lice\"", "status reply: agency 2: \"id\" is missing "
		    "or not a name of 1 to 32 characters from ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789_.-" },
		{ "agencies.0.id", "\"\"", "status reply: agency 1: \"id\" is missing or not a "
		    "name of 1 to 32 characters from ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789_.-" },
		{ "agencies.0.id", "\"abcdefghijabcdefghijabcdefghijabc\"", "status reply: "
		    "agency 1: \"id\" is missing or not a name of 1 to 32 characters from "
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-" },
		{ "agencies.0.id", "\"a\\\"b\"", "status reply: agency 1: \"id\" is missing "
		    "or not a name of 1 to 32 characters from ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789_.-" },
		{ "agencies.1.hi3", "null", "status reply: agency 2 HI3 is not an object" },
		{ "agencies.1.hi2.state", "\"Up\"", "status reply: agency 2 HI2: \"state\" is "
		    "missing or not a name of 1 to 15 characters from "
		    "abcdefghijklmnopqrstuvwxyz-" },
		{ "agencies.0.hi3.ka_rtt_ms", "-2", "status reply: agency 1 HI3: \"ka_rtt_ms\" "
		    "is missing or below -1" },
		{ "agencies.0.hi2.lost", "\"1\"", "status reply: agency 1 HI2: \"lost\" is "
		    "missing or not a count" },
		{ "sessions", "[]", "status reply: sessions is not an object" },
		{ "sessions.handoff_full", "null", "status reply: sessions: \"handoff_full\" is "
		    "missing or not a count" },
	};
	struct lt_status back;
	char err[512];

	(void)state;
	fill_fixed();
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		json_t *j = lt_status_json(&fixed), *parent = j, *val;
		char path[64], *key, *next, *rest = path;

		strcpy(path, v[i].path);
		key = strsep(&rest, ".");
		while ((next = strsep(&rest, ".")) != NULL) {
			parent = json_is_array(parent) ? json_array_get(parent, (size_t)atoi(key)) :
			    json_object_get(parent, key);
			key = next;
		}
		val = json_loads(v[i].value, JSON_DECODE_ANY, NULL);
		assert_non_null(val);
		if (json_is_array(parent))
			json_array_set_new(parent, (size_t)atoi(key), val);
		else
			json_object_set_new(parent, key, val);
		memset(err, 0, sizeof(err));
		if (lt_status_from_json(j, &back, err, sizeof(err)) != -1)
			fail_msg("case %zu accepted", i);
		assert_string_equal(err, v[i].err);
		assert_null(back.workers);
		assert_null(back.agencies);
		json_decref(j);
	}
	/* too many workers */
	{
		json_t *j = lt_status_json(&fixed), *a = json_object_get(j, "workers");

		for (int i = 0; i < LT_STATUS_MAX_WORKERS; i++)
			json_array_append(a, json_array_get(a, 0));
		assert_int_equal(lt_status_from_json(j, &back, err, sizeof(err)), -1);
		assert_string_equal(err, "status reply: \"workers\" is missing or not an array "
		    "of at most 1024");
		json_decref(j);
	}
}

/* Adds "liid", "target" and "warrant" members holding canaries to every object in j. */
static void
plant(json_t *j, const char *canary)
{
	if (json_is_object(j)) {
		const char *k;
		json_t *v;

		json_object_foreach(j, k, v)
			plant(v, canary);
		json_object_set_new(j, "liid", json_string(canary));
		json_object_set_new(j, "target", json_pack("{s:s}", "ip", canary));
		json_object_set_new(j, "warrant", json_pack("[s]", canary));
	} else if (json_is_array(j)) {
		size_t i;
		json_t *v;

		json_array_foreach(j, i, v)
			plant(v, canary);
	}
}

/* Every string lt_status_json writes is an agency id or a connection state. */
static void
only_names(const json_t *j, const char *key)
{
	if (json_is_string(j)) {
		assert_non_null(key);
		assert_true(strcmp(key, "id") == 0 || strcmp(key, "state") == 0);
	} else if (json_is_object(j)) {
		const char *k;
		json_t *v;

		json_object_foreach((json_t *)j, k, v) {
			assert_true(strcmp(k, "liid") != 0 && strcmp(k, "target") != 0 &&
			    strcmp(k, "targets") != 0 && strcmp(k, "warrant") != 0);
			only_names(v, k);
		}
	} else if (json_is_array(j)) {
		size_t i;
		json_t *v;

		json_array_foreach(j, i, v)
			only_names(v, key);
	}
}

/*
 * Canaries planted in a status reply never reach the renderers' output: they
 * read fixed fields only.  An agency id is shown, as it names an agency.
 */
static void
no_canary(void **state)
{
	const char *canary = "CANARY-LIID-7f3a";
	struct lt_status back;
	char err[256], *p;
	json_t *j;

	(void)state;
	fill_fixed();
	strcpy(fixed_agencies[1].id, "CANARYAGENCY");
	j = lt_status_json(&fixed);
	only_names(j, NULL);
	plant(j, canary);
	json_object_set_new(j, "warrants", json_pack("[{s:s, s:s, s:[s]}]", "liid", canary,
	    "agency", "CANARYAGENCY", "targets", canary));
	assert_int_equal(lt_status_from_json(j, &back, err, sizeof(err)), 0);
	json_decref(j);
	p = render(lt_status_text, &back);
	assert_null(strstr(p, "CANARY-"));
	assert_non_null(strstr(p, "\nCANARYAGENCY\n"));
	free(p);
	p = render(lt_status_prometheus, &back);
	assert_null(strstr(p, "CANARY-"));
	assert_non_null(strstr(p, "{agency=\"CANARYAGENCY\",hi=\"HI3\"}"));
	free(p);
	lt_status_free(&back);
	/* the struct itself has room for numbers, one agency id and state names only */
	assert_int_equal(sizeof(struct lt_status_hi), 16 + 12 * 8 + 8 + 8 + 8);
	assert_int_equal(sizeof(struct lt_status_agency), 33 + 7 + 2 * sizeof(struct
	    lt_status_hi));
	assert_int_equal(sizeof(struct lt_status_worker), 11 * 8);
	assert_int_equal(sizeof(struct lt_status_track), 22 * 8);
}

/* Prometheus label values are escaped even if a filled snapshot holds odd bytes. */
static void
prometheus_escapes(void **state)
{
	struct lt_status_agency a = { "a\"b\\c\nd",
	    { "up", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, 0, 0 },
	    { "up", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, 0, 0 } };
	struct lt_status s = { 0, 0, 0, 1, NULL, &a, false, { 0 } };
	char *p;

	(void)state;
	p = render(lt_status_prometheus, &s);
	assert_non_null(strstr(p, "lawtap_delivery_records_lost_total{agency="
	    "\"a\\\"b\\\\c\\nd\",hi=\"HI2\"} 0\n"));
	assert_null(strstr(p, "c\nd"));
	free(p);
}

/* ---- lawtap status against a served snapshot ---- */

struct status_case {
	const char *argv[5];
	int argc;
	const char *out;	/* stdout and stderr go here */
};

static int
status_child(void *arg)
{
	struct status_case *c = arg;
	int fd = open(c->out, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		return 99;
	close(fd);
	return cmd_status(c->argc, (char **)c->argv);
}

static char *
slurp(const char *path)
{
	static char buf[65536];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	return buf;
}

static void
cmd_status_runs(void **state)
{
	char out[160], want[512];
	struct srv s = { 0, &fixed, false };
	struct lt_ctl *ctl;
	struct status_case c = { { "status", "--control", sock, NULL, NULL }, 3, out };
	char *p;

	(void)state;
	fill_fixed();
	snprintf(out, sizeof(out), "%s/file", dir);
	ctl = listen_ok();
	assert_int_equal(with_child(ctl, &s, status_child, &c), 0);
	assert_string_equal(slurp(out), want_text);

	c.argv[3] = "--prometheus";
	c.argc = 4;
	assert_int_equal(with_child(ctl, &s, status_child, &c), 0);
	p = render(lt_status_prometheus, &fixed);
	assert_string_equal(slurp(out), p);
	free(p);

	c.argv[3] = "--json";
	assert_int_equal(with_child(ctl, &s, status_child, &c), 0);
	p = slurp(out);
	assert_int_equal(strncmp(p, "{\n  \"ok\": true,\n  \"uptime_s\": 93784,\n", 37), 0);

	/* a reply that is not a status, and a refusal: exit 1 */
	s.status = NULL;
	c.argv[3] = NULL;
	c.argc = 3;
	assert_int_equal(with_child(ctl, &s, status_child, &c), 1);
	assert_string_equal(slurp(out), "lawtap status: status reply: \"uptime_s\" or "
	    "\"warrants_active\" is missing or not a count\n");
	s.refuse = true;
	assert_int_equal(with_child(ctl, &s, status_child, &c), 1);
	assert_string_equal(slurp(out), "lawtap status: the daemon refused: the store is "
	    "locked\n");
	done();

	/* no daemon: exit 1 and a message that says so */
	assert_int_equal(with_child(NULL, NULL, status_child, &c), 1);
	snprintf(want, sizeof(want), "lawtap status: no lawtap daemon is listening on %s (is "
	    "`lawtap run` started? --control PATH names another socket)\n", sock);
	assert_string_equal(slurp(out), want);

	/* usage */
	c.argv[1] = "--json";
	c.argv[2] = "--prometheus";
	assert_int_equal(with_child(NULL, NULL, status_child, &c), 2);
	assert_string_equal(slurp(out), "usage: lawtap status [--json | --prometheus] "
	    "[--control PATH]\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(listen_mode_and_close, after),
		cmocka_unit_test_teardown(listen_makes_directory, after),
		cmocka_unit_test_teardown(listen_removes_stale, after),
		cmocka_unit_test_teardown(listen_refuses_live_daemon, after),
		cmocka_unit_test_teardown(listen_refuses_other_files, after),
		cmocka_unit_test_teardown(request_reply, after),
		cmocka_unit_test_teardown(malformed_requests, after),
		cmocka_unit_test_teardown(parse_never_quotes, after),
		cmocka_unit_test_teardown(line_limit, after),
		cmocka_unit_test_teardown(poll_timeout, after),
		cmocka_unit_test_teardown(too_many_clients, after),
		cmocka_unit_test_teardown(client_request, after),
		cmocka_unit_test_teardown(client_errors, after),
		cmocka_unit_test_teardown(non_root_peer, after),
		cmocka_unit_test_teardown(close_keeps_foreign_socket, after),
		cmocka_unit_test_teardown(slow_reader_dropped, after),
		cmocka_unit_test_teardown(text_exact, after),
		cmocka_unit_test_teardown(text_width, after),
		cmocka_unit_test_teardown(prometheus_exact, after),
		cmocka_unit_test_teardown(json_round_trip, after),
		cmocka_unit_test_teardown(json_malformed, after),
		cmocka_unit_test_teardown(no_canary, after),
		cmocka_unit_test_teardown(prometheus_escapes, after),
		cmocka_unit_test_teardown(cmd_status_runs, after),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
