/* cmd_store.c - `lawtap store init|passwd|show-pub`: make the state, change the officer passphrase. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "cmd.h"
#include "mgmt/keys.h"
#include "mgmt/store.h"
#include "util/io.h"

#define DEFAULT_STATE	"/var/lib/lawtap"
#define PASS_BUF	(LT_PASS_MAX + 2)

struct pass {
	char *p;		/* sodium_malloc'd PASS_BUF bytes */
	size_t len;
};

static int
usage(void)
{
	fprintf(stderr, "usage: lawtap store init [--state DIR] [--passphrase-fd N]\n"
	    "       lawtap store passwd [--state DIR] [--passphrase-fd N]\n"
	    "       lawtap store show-pub [--state DIR]\n"
	    "With --passphrase-fd the passphrase is the first line read from fd N "
	    "(passwd: the old one, then the new one on the next line).\n");
	return 2;
}

/* One line from fd, byte by byte so nothing past it is consumed. */
static int
read_line(int fd, struct pass *pw, char *err, size_t errlen)
{
	ssize_t r;
	char c;

	pw->len = 0;
	for (;;) {
		if ((r = read(fd, &c, 1)) < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "cannot read the passphrase: %s",
			    strerror(errno));
			return -1;
		}
		if (r == 0 || c == '\n')
			break;
		if (pw->len >= LT_PASS_MAX) {
			snprintf(err, errlen, "passphrase longer than %d characters",
			    LT_PASS_MAX);
			return -1;
		}
		pw->p[pw->len++] = c;
	}
	if (r == 0 && pw->len == 0) {
		snprintf(err, errlen, "no passphrase: end of input");
		return -1;
	}
	return 0;
}

/* Asks on the controlling terminal with echo off. */
static int
ask(int tty, const char *prompt, struct pass *pw, char *err, size_t errlen)
{
	struct termios old, quiet;
	int rc;

	if (tcgetattr(tty, &old) < 0) {
		snprintf(err, errlen, "cannot switch off echo: %s", strerror(errno));
		return -1;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	if (lt_write_all(tty, prompt, strlen(prompt)) < 0 ||
	    tcsetattr(tty, TCSAFLUSH, &quiet) < 0) {
		snprintf(err, errlen, "cannot prompt on the terminal: %s",
		    strerror(errno));
		return -1;
	}
	rc = read_line(tty, pw, err, errlen);
	tcsetattr(tty, TCSAFLUSH, &old);
	(void)lt_write_all(tty, "\n", 1);
	return rc;
}

static int
same(const struct pass *a, const struct pass *b)
{
	return a->len == b->len && sodium_memcmp(a->p, b->p, a->len) == 0;
}

/*
 * Fills pw[0..n): from fd one line each, or from the terminal (the new
 * passphrase, the last, asked twice).
 */
static int
get_passes(int fd, struct pass *pw, int n, const char *const *prompts,
    char *err, size_t errlen)
{
	struct pass again = { NULL, 0 };
	int tty = -1, rc = -1;

	if (fd >= 0) {
		for (int i = 0; i < n; i++)
			if (read_line(fd, &pw[i], err, errlen) < 0)
				return -1;
		return 0;
	}
	if ((tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "no terminal to ask the passphrase on: use "
		    "--passphrase-fd N");
		return -1;
	}
	if ((again.p = sodium_malloc(PASS_BUF)) == NULL) {
		snprintf(err, errlen, "out of memory for the passphrase");
		goto out;
	}
	for (int i = 0; i < n; i++)
		if (ask(tty, prompts[i], &pw[i], err, errlen) < 0)
			goto out;
	if (lt_pass_ok(pw[n - 1].p, pw[n - 1].len, err, errlen) < 0 ||
	    ask(tty, "Again: ", &again, err, errlen) < 0)
		goto out;
	if (!same(&pw[n - 1], &again)) {
		snprintf(err, errlen, "the two passphrases differ: nothing changed");
		goto out;
	}
	rc = 0;
out:
	if (again.p != NULL)
		sodium_free(again.p);
	close(tty);
	return rc;
}

static int
show_pub(const char *dir)
{
	char buf[512];
	ssize_t n;
	int dfd, fd;

	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (fd = openat(dfd, LT_PUB_FILE, O_RDONLY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "lawtap: cannot open %s/%s: %s\n", dir, LT_PUB_FILE,
		    strerror(errno));
		return 1;
	}
	close(dfd);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	close(fd);
	return n < 0 || fflush(stdout) != 0 ? 1 : 0;
}

int
cmd_store(int argc, char **argv)
{
	static const char *const init_prompts[] = { "New officer passphrase: " };
	static const char *const passwd_prompts[] = { "Current officer passphrase: ",
	    "New officer passphrase: " };
	const char *dir = DEFAULT_STATE, *sub;
	struct pass pw[2] = { { NULL, 0 }, { NULL, 0 } };
	char err[512] = "", *end;
	int fd = -1, rc = 1, n;

	if (argc < 2)
		return usage();
	sub = argv[1];
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--state") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "--passphrase-fd") == 0 && i + 1 < argc) {
			errno = 0;
			long v = strtol(argv[++i], &end, 10);
			if (errno != 0 || *end != '\0' || end == argv[i] || v < 0 ||
			    v > 65535)
				return usage();
			fd = (int)v;
		} else
			return usage();
	}
	if (strcmp(sub, "show-pub") == 0)
		return fd >= 0 ? usage() : show_pub(dir);
	if (strcmp(sub, "init") == 0)
		n = 1;
	else if (strcmp(sub, "passwd") == 0)
		n = 2;
	else
		return usage();
	if (lt_harden_process(err, sizeof(err)) < 0)
		goto out;
	for (int i = 0; i < n; i++)
		if ((pw[i].p = sodium_malloc(PASS_BUF)) == NULL) {
			snprintf(err, sizeof(err), "out of memory for the passphrase");
			goto out;
		}
	if (get_passes(fd, pw, n, n == 1 ? init_prompts : passwd_prompts, err,
	    sizeof(err)) < 0)
		goto out;
	if (n == 1 ? lt_store_init(dir, pw[0].p, pw[0].len, err, sizeof(err)) :
	    lt_store_passwd(dir, pw[0].p, pw[0].len, pw[1].p, pw[1].len, err,
	    sizeof(err)))
		goto out;
	if (n == 1)
		printf("lawtap: state made in %s (store generation 1); the appliance's "
		    "public keys are in %s/%s\n", dir, dir, LT_PUB_FILE);
	else
		printf("lawtap: officer passphrase changed\n");
	rc = fflush(stdout) == 0 ? 0 : 1;
out:
	for (int i = 0; i < 2; i++)
		if (pw[i].p != NULL)
			sodium_free(pw[i].p);
	if (rc != 0 && err[0] != '\0')
		fprintf(stderr, "lawtap: store %s: %s\n", sub, err);
	return rc;
}
