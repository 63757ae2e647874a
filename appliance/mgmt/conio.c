/* conio.c - the console terminal: lines in, passphrases without echo, 80x24 paging. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdarg.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "mgmt/conio.h"

static volatile sig_atomic_t got_int, got_hup;

static void
on_int(int sig)
{
	(void)sig;
	got_int = 1;
}

static void
on_hup(int sig)
{
	(void)sig;
	got_hup = 1;
}

int
lt_con_init(struct lt_con *c, int in, FILE *out)
{
	struct sigaction sa;

	memset(c, 0, sizeof(*c));
	c->in = in;
	c->out = out;
	c->tty = isatty(in);
	/* no SA_RESTART: a signal ends the read it interrupts */
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_int;
	if (sigaction(SIGINT, &sa, NULL) < 0)
		return -1;
	sa.sa_handler = on_hup;
	if (sigaction(SIGHUP, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0)
		return -1;
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGTSTP, &sa, NULL) < 0 || sigaction(SIGQUIT, &sa, NULL) < 0 ||
	    sigaction(SIGPIPE, &sa, NULL) < 0)
		return -1;
	return 0;
}

void
lt_con_screen(struct lt_con *c)
{
	c->rows = 0;
	c->quit = 0;
	c->intr = 0;
	c->idle = 0;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 when input can be read, 0 when the idle time ran out first, -1 on a signal. */
static int
wait_input(struct lt_con *c, int64_t deadline)
{
	struct pollfd p = { .fd = c->in, .events = POLLIN };
	int64_t left;
	int r;

	if (c->idle_s == 0)
		return 1;
	if ((left = deadline - now_ms()) <= 0)
		return 0;
	r = poll(&p, 1, left > 60000 ? 60000 : (int)left);
	if (r < 0)
		return errno == EINTR ? -1 : 1;	/* other errors: let read tell */
	return r > 0 ? 1 : now_ms() < deadline ? -1 : 0;
}

static int
read_line(struct lt_con *c, char *buf, size_t n)
{
	int64_t deadline = now_ms() + (int64_t)c->idle_s * 1000;
	size_t len = 0;
	int over = 0, w;
	ssize_t r;
	char ch;

	for (;;) {
		if (got_hup)
			return LT_CON_EOF;
		if (got_int) {
			got_int = 0;
			return LT_CON_INTR;
		}
		if ((w = wait_input(c, deadline)) == 0)
			return LT_CON_IDLE;
		if (w < 0)
			continue;
		r = read(c->in, &ch, 1);
		if (r < 0 && errno == EINTR)
			continue;	/* the flags above say why */
		if (r < 0)
			return LT_CON_ERR;
		if (r == 0) {
			/* a last line without its newline still counts */
			if (len == 0 && !over) {
				c->eof = 1;
				return LT_CON_EOF;
			}
			break;
		}
		if (ch == '\n')
			break;
		if (len + 1 < n)
			buf[len++] = ch;
		else
			over = 1;
	}
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	buf[len] = '\0';
	return over ? LT_CON_LONG : (int)len;
}

static int
ask(struct lt_con *c, const char *prompt, char *buf, size_t n, int secret)
{
	struct termios old, quiet;
	int r, quieted = 0;

	buf[0] = '\0';
	if (c->eof)
		return LT_CON_EOF;
	fputs(prompt, c->out);
	fflush(c->out);
	if (secret && c->tty && tcgetattr(c->in, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		if (tcsetattr(c->in, TCSAFLUSH, &quiet) < 0)
			return LT_CON_ERR;
		quieted = 1;
	}
	r = read_line(c, buf, n);
	if (quieted) {
		tcsetattr(c->in, TCSAFLUSH, &old);
		fputc('\n', c->out);
	} else if (r == LT_CON_EOF || r == LT_CON_INTR || r == LT_CON_IDLE)
		fputc('\n', c->out);
	fflush(c->out);
	c->rows = 0;
	c->quit = 0;
	c->intr |= r == LT_CON_INTR;
	c->idle |= r == LT_CON_IDLE;
	return r;
}

int
lt_con_ask(struct lt_con *c, const char *prompt, char *buf, size_t n)
{
	return ask(c, prompt, buf, n, 0);
}

int
lt_con_secret(struct lt_con *c, const char *prompt, char *buf, size_t n)
{
	return ask(c, prompt, buf, n, 1);
}

static void
put(struct lt_con *c, const char *s, size_t len)
{
	char line[LT_CON_COLS + 1], ans[8];
	size_t i, n = len > LT_CON_COLS ? LT_CON_COLS : len;
	int r;

	if (c->quit || c->eof)
		return;
	if (c->rows >= LT_CON_ROWS - 2) {
		r = ask(c, "more? [Enter/q] ", ans, sizeof(ans), 0);
		if (r < 0 || (r > 0 && (ans[0] == 'q' || ans[0] == 'Q'))) {
			c->quit = 1;
			return;
		}
	}
	for (i = 0; i < n; i++)
		line[i] = (unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f ? '?' : s[i];
	if (len > LT_CON_COLS)
		line[LT_CON_COLS - 1] = '>';
	line[n] = '\0';
	fprintf(c->out, "%s\n", line);
	c->rows++;
}

void
lt_con_text(struct lt_con *c, const char *text, size_t len)
{
	const char *nl;

	while (len > 0) {
		nl = memchr(text, '\n', len);
		size_t l = nl != NULL ? (size_t)(nl - text) : len;

		put(c, text, l);
		if (nl == NULL)
			break;
		len -= l + 1;
		text = nl + 1;
	}
}

void
lt_con_line(struct lt_con *c, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	lt_con_text(c, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

void
lt_con_field(struct lt_con *c, int indent, const char *label, const char *value)
{
	char line[LT_CON_COLS + 1];
	size_t w = (size_t)indent, room = LT_CON_COLS - w, len = strlen(value), k;

	if (w >= LT_CON_COLS - 20) {
		w = 0;
		room = LT_CON_COLS;
	}
	if (label[0] != '\0' && strlen(label) >= w) {
		/* a label as wide as the indent gets a line of its own */
		put(c, label, strlen(label));
		label = "";
	}
	do {
		k = len > room ? room : len;
		/* break at a space where there is one in the second half */
		if (k < len)
			for (size_t j = k; j > room / 2; j--)
				if (value[j] == ' ') {
					k = j;
					break;
				}
		snprintf(line, sizeof(line), "%-*.*s%.*s", (int)w, (int)w, label, (int)k, value);
		put(c, line, strlen(line));
		label = "";
		value += k;
		len -= k;
		while (len > 0 && *value == ' ') {
			value++;
			len--;
		}
	} while (len > 0);
}
