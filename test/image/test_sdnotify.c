/* test_sdnotify.c - sd_notify over $NOTIFY_SOCKET: what reaches the socket, bad environments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/sdnotify.h"

struct sock {
	int fd;
	char path[108];
};

/* A datagram socket at a file path (abstract: "@name" in the abstract namespace). */
static void
listen_at(struct sock *s, int abstract)
{
	struct sockaddr_un sun;
	socklen_t len;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (abstract)
		snprintf(s->path, sizeof(s->path), "@lt-sdnotify-test-%d", (int)getpid());
	else
		snprintf(s->path, sizeof(s->path), "/tmp/lt-sdnotify-test-%d.sock", (int)getpid());
	unlink(s->path);
	memcpy(sun.sun_path, s->path, strlen(s->path));
	if (abstract)
		sun.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(s->path) + !abstract);
	s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	assert_true(s->fd >= 0);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&sun, len), 0);
	assert_int_equal(setenv("NOTIFY_SOCKET", s->path, 1), 0);
}

static void
done(struct sock *s)
{
	close(s->fd);
	if (s->path[0] == '/')
		unlink(s->path);
	unsetenv("NOTIFY_SOCKET");
}

/* The next datagram, byte for byte; "" when none is waiting. */
static void
expect_msg(struct sock *s, const char *want)
{
	char buf[64];
	ssize_t n = recv(s->fd, buf, sizeof(buf), 0);

	if (want[0] == '\0') {
		assert_true(n < 0);
		return;
	}
	assert_int_equal(n, (ssize_t)strlen(want));
	assert_memory_equal(buf, want, strlen(want));
}

static void
test_ready_path(void **state)
{
	struct sock s;
	char err[128];

	(void)state;
	listen_at(&s, 0);
	assert_int_equal(lt_sd_notify("READY=1", err, sizeof(err)), 1);
	expect_msg(&s, "READY=1");
	expect_msg(&s, "");
	done(&s);
}

static void
test_ready_abstract(void **state)
{
	struct sock s;

	(void)state;
	listen_at(&s, 1);
	assert_int_equal(lt_sd_notify("READY=1", NULL, 0), 1);
	expect_msg(&s, "READY=1");
	done(&s);
}

static void
test_no_socket(void **state)
{
	char err[128] = "";

	(void)state;
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(lt_sd_notify("READY=1", err, sizeof(err)), 0);
	assert_string_equal(err, "");
	setenv("NOTIFY_SOCKET", "", 1);
	assert_int_equal(lt_sd_notify("READY=1", err, sizeof(err)), 0);
	unsetenv("NOTIFY_SOCKET");
}

static void
test_bad_socket(void **state)
{
	char err[128], longp[200];

	(void)state;
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	assert_int_equal(lt_sd_notify("READY=1", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "NOTIFY_SOCKET"));
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	setenv("NOTIFY_SOCKET", longp, 1);
	assert_int_equal(lt_sd_notify("READY=1", err, sizeof(err)), -1);
	setenv("NOTIFY_SOCKET", "@", 1);
	assert_int_equal(lt_sd_notify("READY=1", NULL, 0), -1);
	/* nobody listening there */
	setenv("NOTIFY_SOCKET", "/nonexistent/lt-sdnotify.sock", 1);
	assert_int_equal(lt_sd_notify("WATCHDOG=1", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "WATCHDOG=1"));
	unsetenv("NOTIFY_SOCKET");
}

static void
test_watchdog_env(void **state)
{
	char pid[32];

	(void)state;
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	unsetenv("WATCHDOG_PID");
	unsetenv("WATCHDOG_USEC");
	assert_int_equal(lt_sd_watchdog_usec(), 0);
	setenv("WATCHDOG_USEC", "30000000", 1);
	assert_int_equal(lt_sd_watchdog_usec(), 30000000);
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(lt_sd_watchdog_usec(), 30000000);
	setenv("WATCHDOG_PID", "1", 1);		/* meant for another process */
	assert_int_equal(lt_sd_watchdog_usec(), 0);
	setenv("WATCHDOG_PID", "12x", 1);
	assert_int_equal(lt_sd_watchdog_usec(), 0);
	setenv("WATCHDOG_PID", pid, 1);
	setenv("WATCHDOG_USEC", "30s", 1);
	assert_int_equal(lt_sd_watchdog_usec(), 0);
	setenv("WATCHDOG_USEC", "-5", 1);
	assert_int_equal(lt_sd_watchdog_usec(), 0);
	setenv("WATCHDOG_USEC", "0", 1);
	assert_int_equal(lt_sd_watchdog_usec(), 0);
	setenv("WATCHDOG_USEC", "99999999999999999999999", 1);
	assert_int_equal(lt_sd_watchdog_usec(), 0);
	unsetenv("WATCHDOG_PID");
	unsetenv("WATCHDOG_USEC");
}

static void
test_watchdog_ping(void **state)
{
	struct lt_sd_watchdog wd;
	struct sock s;
	const uint64_t t0 = 5000000000ULL;

	(void)state;
	listen_at(&s, 0);
	setenv("WATCHDOG_USEC", "1000000", 1);		/* 1 s: a ping every 0.5 s */
	lt_sd_watchdog_init(&wd);
	assert_int_equal(lt_sd_watchdog_ping(&wd, t0, NULL, 0), 1);
	expect_msg(&s, "WATCHDOG=1");
	assert_int_equal(lt_sd_watchdog_ping(&wd, t0 + 499999999ULL, NULL, 0), 0);
	expect_msg(&s, "");
	assert_int_equal(lt_sd_watchdog_ping(&wd, t0 + 500000000ULL, NULL, 0), 1);
	expect_msg(&s, "WATCHDOG=1");
	assert_int_equal(lt_sd_watchdog_ping(&wd, t0 + 600000000ULL, NULL, 0), 0);
	expect_msg(&s, "");
	/* no watchdog asked: never a ping */
	unsetenv("WATCHDOG_USEC");
	lt_sd_watchdog_init(&wd);
	assert_int_equal(lt_sd_watchdog_ping(&wd, t0, NULL, 0), 0);
	assert_int_equal(lt_sd_watchdog_ping(&wd, t0 * 100, NULL, 0), 0);
	expect_msg(&s, "");
	/* more than a day counts as none */
	setenv("WATCHDOG_USEC", "86400000001", 1);
	lt_sd_watchdog_init(&wd);
	assert_int_equal(lt_sd_watchdog_ping(&wd, t0, NULL, 0), 0);
	unsetenv("WATCHDOG_USEC");
	done(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ready_path),
		cmocka_unit_test(test_ready_abstract),
		cmocka_unit_test(test_no_socket),
		cmocka_unit_test(test_bad_socket),
		cmocka_unit_test(test_watchdog_env),
		cmocka_unit_test(test_watchdog_ping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
