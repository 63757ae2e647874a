/* test_lemf.c - the LEMF loop over real sockets: splits, batches, keep-alive, errors, exit. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "etsi/decode.h"
#include "lemf/lemf.h"
#include "lemf/netaddr.h"
#include "mkpdu.h"

struct run {
	char dir[64];
	char out[96], sum[96];
	pid_t pid;
	unsigned port;
};

/* Binds in the parent (so the port is known), serves in a child. */
static void
start(struct run *r, double idle)
{
	struct lemf_opts o = { .nlisten = 1, .idle_exit = idle };
	struct lemf *l;
	char err[256];

	strcpy(r->dir, "/tmp/lemf-test-XXXXXX");
	assert_non_null(mkdtemp(r->dir));
	snprintf(r->out, sizeof(r->out), "%s/out.jsonl", r->dir);
	snprintf(r->sum, sizeof(r->sum), "%s/summary", r->dir);
	o.listen[0] = "127.0.0.1:0";
	o.out_path = r->out;
	o.summary = fopen(r->sum, "w");
	assert_non_null(o.summary);
	assert_int_equal(lemf_open(&l, &o, err, sizeof(err)), 0);
	r->port = lemf_port(l, 0);
	assert_true(r->port > 0);
	fflush(NULL);
	r->pid = fork();
	assert_true(r->pid >= 0);
	if (r->pid == 0) {
		int rc = lemf_loop(l);

		lemf_close(l);
		fclose(o.summary);
		_exit(rc);
	}
	lemf_close(l);
	fclose(o.summary);
}

/* The child's exit status; kills it after 10 s. */
static int
finish(struct run *r)
{
	int st;

	for (int i = 0; i < 1000; i++) {
		pid_t p = waitpid(r->pid, &st, WNOHANG);

		assert_true(p >= 0);
		if (p == r->pid) {
			assert_true(WIFEXITED(st));
			return WEXITSTATUS(st);
		}
		usleep(10000);
	}
	kill(r->pid, SIGKILL);
	waitpid(r->pid, &st, 0);
	fail_msg("the LEMF did not exit");
	return -1;
}

static void
cleanup(struct run *r)
{
	unlink(r->out);
	unlink(r->sum);
	rmdir(r->dir);
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static int
dial(unsigned port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static void
send_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);

		assert_true(k > 0);
		p += k;
		n -= (size_t)k;
	}
}

/* Reads up to cap bytes, waiting up to 3 s; returns 0 at EOF. */
static size_t
recv_some(int fd, uint8_t *buf, size_t cap)
{
	struct pollfd p = { fd, POLLIN, 0 };
	ssize_t n;

	assert_int_equal(poll(&p, 1, 3000), 1);
	n = recv(fd, buf, cap, 0);
	if (n < 0 && errno == ECONNRESET)
		return 0;
	assert_true(n >= 0);
	return (size_t)n;
}

static size_t
count_kind(json_t **v, size_t n, const char *kind)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += strcmp(json_string_value(json_object_get(v[i], "kind")),
		    kind) == 0;
	return c;
}

/* The JSON lines of the output, parsed; every line must be JSON. */
static size_t
load_lines(const char *path, json_t **v, size_t cap)
{
	char *buf = slurp(path), *s = buf, *nl;
	size_t n = 0;

	while ((nl = strchr(s, '\n')) != NULL) {
		json_error_t e;

		assert_true(n < cap);
		v[n] = json_loadb(s, (size_t)(nl - s), 0, &e);
		assert_non_null(v[n]);
		n++;
		s = nl + 1;
	}
	assert_int_equal(*s, '\0');	/* the last line is complete */
	free(buf);
	return n;
}

static void
full_session(void **state)
{
	static const uint8_t pkt[100] = { 0x45 };
	static const uint8_t junk[] = { 0x30, 0x03, 0x04, 0x01, 0x00 };
	struct run r;
	struct etsi_tmpl t;
	struct etsi_pdu p;
	uint8_t b[MKPDU_MAX], batch[8 * MKPDU_MAX], resp[512];
	size_t n, k, got, cc4_len;
	json_t *v[64];
	char err[128], *sum;
	int fd;

	(void)state;
	start(&r, 1.0);	/* long enough not to fire between our connections */
	mkpdu_tmpl(&t, "LI-1", 4, 1, 42);

	/* HI2-like connection: an IRI one byte per write, then a batch. */
	fd = dial(r.port);
	n = mkpdu_ipiri(b, &t, 0, ETSI_IRI_BEGIN, ETSI_AE_SESSION_START);
	for (size_t i = 0; i < n; i++) {
		send_all(fd, b + i, 1);
		usleep(200);
	}
	for (k = 0, n = 0; k < 5; k++)
		n += mkpdu_ipiri(batch + n, &t, (uint32_t)k + 1, ETSI_IRI_REPORT,
		    ETSI_AE_INTERIM_UPDATE);
	send_all(fd, batch, n);

	/* A keep-alive is answered with its LIID, CIN, seq and version. */
	n = mkpdu_keepalive(b, &t, 77, 0);
	send_all(fd, b, n);
	got = 0;
	while (got < 2 || etsi_pdu_frame(resp, got, &k, err, sizeof(err)) == 0) {
		size_t m = recv_some(fd, resp + got, sizeof(resp) - got);

		assert_true(m > 0);
		got += m;
	}
	assert_int_equal(etsi_pdu_frame(resp, got, &k, err, sizeof(err)), 1);
	assert_int_equal(k, got);
	assert_int_equal(etsi_pdu_decode(resp, k, &p, err, sizeof(err)), 0);
	assert_int_equal(p.kind, ETSI_KIND_KEEPALIVE_RESPONSE);
	assert_int_equal(p.liid_len, 4);
	assert_memory_equal(p.liid, "LI-1", 4);
	assert_true(p.has_cin);
	assert_int_equal(p.cin, 42);
	assert_int_equal(p.seq, 77);
	assert_int_equal(p.pspdu_version, 40);
	assert_string_equal(p.operator_id, "OP1");
	close(fd);

	/* HI3-like connection: CCs split at every byte boundary of a pair. */
	fd = dial(r.port);
	n = mkpdu_ipcc(batch, &t, 0, ETSI_FROM_TARGET, pkt, sizeof(pkt));
	n += mkpdu_ipcc(batch + n, &t, 1, ETSI_TO_TARGET, pkt, 20);
	for (size_t i = 0; i < n; i += 7) {
		send_all(fd, batch + i, n - i < 7 ? n - i : 7);
		usleep(100);
	}
	/* seq 4 leaves a gap of 2 and 3; then a malformed PDU closes us. */
	cc4_len = mkpdu_ipcc(batch, &t, 4, ETSI_TO_TARGET, pkt, 20);
	memcpy(batch + cc4_len, junk, sizeof(junk));
	send_all(fd, batch, cc4_len + sizeof(junk));
	assert_int_equal(recv_some(fd, resp, sizeof(resp)), 0);
	close(fd);

	assert_int_equal(finish(&r), 1);
	n = load_lines(r.out, v, 64);
	assert_int_equal(n, 11);
	assert_int_equal(count_kind(v, n, "IRI"), 6);
	assert_int_equal(count_kind(v, n, "KEEPALIVE"), 1);
	assert_int_equal(count_kind(v, n, "CC"), 3);
	assert_int_equal(count_kind(v, n, "ERROR"), 1);
	/* the error is the last line of connection 2, at its offset */
	assert_string_equal(json_string_value(json_object_get(v[10], "kind")), "ERROR");
	assert_int_equal(json_integer_value(json_object_get(v[10], "conn")), 2);
	assert_int_equal(json_integer_value(json_object_get(v[10], "offset")),
	    json_integer_value(json_object_get(v[9], "offset")) + (json_int_t)cc4_len);
	assert_int_equal(json_integer_value(json_object_get(v[0], "conn")), 1);
	assert_int_equal(json_integer_value(json_object_get(v[0], "offset")), 0);
	{
		char want[64];

		snprintf(want, sizeof(want), "127.0.0.1:%u", r.port);
		assert_string_equal(json_string_value(json_object_get(v[0],
		    "listen")), want);
	}
	for (size_t i = 0; i < 11; i++)
		json_decref(v[i]);

	sum = slurp(r.sum);
	assert_string_equal(sum,
	    "LIID                             CIN KIND      COUNT      FIRST       LAST       GAPS       DUPS\n"
	    "LI-1                              42 IRI           6          0          5          0          0\n"
	    "LI-1                              42 CC            3          0          4          2          0\n"
	    "total                              - -             9          -          -          2          0\n"
	    "pdus 10, errors 1\n");
	free(sum);
	cleanup(&r);
}

/* No gap, no error: exit 0; duplicates (a resend after reconnecting) are fine. */
static void
clean_session(void **state)
{
	struct run r;
	struct etsi_tmpl t;
	uint8_t b[MKPDU_MAX];
	size_t n;
	char *sum;
	int fd;

	(void)state;
	start(&r, 1.0);	/* long enough not to fire between our connections */
	mkpdu_tmpl(&t, "LI-2", 4, 0, 0);
	fd = dial(r.port);
	for (uint32_t i = 0; i < 3; i++) {
		n = mkpdu_ipcc(b, &t, i, ETSI_FROM_TARGET, (const uint8_t *)"E", 1);
		send_all(fd, b, n);
	}
	close(fd);
	fd = dial(r.port);
	send_all(fd, b, n);
	close(fd);
	assert_int_equal(finish(&r), 0);
	sum = slurp(r.sum);
	assert_non_null(strstr(sum,
	    "LI-2                               - CC            4          0          2          0          1\n"));
	free(sum);
	cleanup(&r);
}

/* Nobody connects: it leaves after the idle time with an empty record. */
static void
idle_without_connections(void **state)
{
	struct run r;
	struct timespec a, b;
	char *out;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &a);
	start(&r, 0.2);
	assert_int_equal(finish(&r), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_true((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 >= 200);
	out = slurp(r.out);
	assert_string_equal(out, "");
	free(out);
	cleanup(&r);
}

/* SIGTERM with a PDU half sent: the file is complete and says so. */
static void
sigterm_mid_pdu(void **state)
{
	struct run r;
	struct etsi_tmpl t;
	uint8_t b[MKPDU_MAX];
	size_t n;
	json_t *v[4];
	int fd;

	(void)state;
	start(&r, 0);
	mkpdu_tmpl(&t, "LI-3", 4, 1, 1);
	fd = dial(r.port);
	n = mkpdu_keepalive(b, &t, 0, 1);
	send_all(fd, b, n);
	send_all(fd, b, n - 3);
	usleep(100000);
	kill(r.pid, SIGTERM);
	assert_int_equal(finish(&r), 1);
	close(fd);
	assert_int_equal(load_lines(r.out, v, 4), 2);
	assert_string_equal(json_string_value(json_object_get(v[0], "kind")),
	    "KEEPALIVE_RESPONSE");
	assert_string_equal(json_string_value(json_object_get(v[1], "kind")), "ERROR");
	assert_int_equal(json_integer_value(json_object_get(v[1], "offset")), (json_int_t)n);
	json_decref(v[0]);
	json_decref(v[1]);
	cleanup(&r);
}

static void
bad_options(void **state)
{
	struct lemf_opts o = { .nlisten = 1 };
	struct lemf *l;
	char err[256];

	(void)state;
	o.listen[0] = "127.0.0.1:0";
	assert_int_equal(lemf_open(&l, &o, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--out"));
	o.out_path = "/nonexistent-dir/x.jsonl";
	assert_int_equal(lemf_open(&l, &o, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot create"));
	o.listen[0] = "localhost:7001";
	assert_int_equal(lemf_open(&l, &o, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not ADDR:PORT"));
}

static void
addresses(void **state)
{
	static const char *const good[] = {
		"127.0.0.1:7001", "[::1]:7001", "0.0.0.0:0", "[2001:db8::5]:65535",
		"[::ffff:192.0.2.1]:1",
	};
	static const char *const want[] = {
		"127.0.0.1:7001", "[::1]:7001", "0.0.0.0:0", "[2001:db8::5]:65535",
		"[::ffff:192.0.2.1]:1",
	};
	static const char *const bad[] = {
		"", ":7001", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536",
		"127.0.0.1:-1", "127.0.0.1:+1", "127.0.0.1:70x", "::1:7001",
		"[::1]", "[::1]7001", "[127.0.0.1]:7001", "host:1", "[]:1",
		"1.2.3:4", "[::1]:7001:",
	};
	struct sockaddr_storage ss;
	socklen_t len;
	char err[256], text[NETADDR_TEXT_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(netaddr_parse(good[i], &ss, &len, err,
		    sizeof(err)), 0);
		netaddr_format((struct sockaddr *)&ss, text);
		assert_string_equal(text, want[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (netaddr_parse(bad[i], &ss, &len, err, sizeof(err)) != -1)
			fail_msg("accepted '%s'", bad[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(addresses),
		cmocka_unit_test(bad_options),
		cmocka_unit_test(full_session),
		cmocka_unit_test(clean_session),
		cmocka_unit_test(idle_without_connections),
		cmocka_unit_test(sigterm_mid_pdu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
