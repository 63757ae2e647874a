/* lemf.c - the LEMF's poll loop: listeners, connections, keep-alive answers, idle exit. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "etsi/etsi.h"
#include "lemf/lemf.h"
#include "lemf/netaddr.h"
#include "lemf/sink.h"
#include "lemf/stream.h"
#include "mediate/tls.h"
#include "util/log.h"

#define READ_CHUNK	65536
#define READS_PER_TURN	16		/* then let the other connections in */
#define OUT_MAX		65536		/* unread keep-alive answers before we give up */

struct listener {
	int fd;
	char name[NETADDR_TEXT_MAX];
};

struct conn {
	int fd;
	size_t listener;
	char peer[NETADDR_TEXT_MAX];
	struct lemf_stream st;
	struct lt_tls *tls;	/* NULL: plain TCP */
	int tls_up;		/* handshake done */
	double accepted;
	uint64_t pdus;
	uint8_t *out;
	size_t outlen;
	int done;		/* close at the end of this turn */
};

struct lemf {
	struct listener ls[LEMF_LISTEN_MAX];
	size_t nls;
	struct conn **conns;
	size_t nconns, capconns;
	unsigned next_conn;
	FILE *out;
	FILE *summary;
	double idle_exit;
	struct lemf_sink sink;
	struct lt_tls_ctx *tls;
	uint8_t rbuf[READ_CHUNK];
};

static volatile sig_atomic_t stop_signal;

static void
on_signal(int sig)
{
	stop_signal = sig;
}

static double
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
listen_on(struct listener *l, const char *spec, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1;

	if (netaddr_parse(spec, &ss, &len, err, errlen) < 0)
		return -1;
	l->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0) {
		snprintf(err, errlen, "listen %s: socket: %s", spec, strerror(errno));
		return -1;
	}
	setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(l->fd, (struct sockaddr *)&ss, len) < 0 ||
	    listen(l->fd, 64) < 0) {
		snprintf(err, errlen, "listen %s: %s (is the address local and "
		    "the port free?)", spec, strerror(errno));
		close(l->fd);
		l->fd = -1;
		return -1;
	}
	len = sizeof(ss);
	getsockname(l->fd, (struct sockaddr *)&ss, &len);
	netaddr_format((struct sockaddr *)&ss, l->name);
	return 0;
}

int
lemf_open(struct lemf **lp, const struct lemf_opts *o, char *err, size_t errlen)
{
	struct lemf *l;
	int fd;

	*lp = NULL;
	if (o->nlisten == 0 || o->nlisten > LEMF_LISTEN_MAX) {
		snprintf(err, errlen, "need 1 to %d --listen addresses",
		    LEMF_LISTEN_MAX);
		return -1;
	}
	if (o->out_path == NULL) {
		snprintf(err, errlen, "need --out FILE.jsonl");
		return -1;
	}
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	l->summary = o->summary ? o->summary : stdout;
	l->idle_exit = o->idle_exit;
	l->next_conn = 1;
	for (; l->nls < o->nlisten; l->nls++)
		if (listen_on(&l->ls[l->nls], o->listen[l->nls], err, errlen) < 0)
			goto fail;
	fd = open(o->out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0 || (l->out = fdopen(fd, "w")) == NULL) {
		snprintf(err, errlen, "cannot create %s: %s", o->out_path,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		goto fail;
	}
	if (lemf_sink_init_key(&l->sink, l->out, o->integrity_key) < 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (o->tls_cert != NULL || o->tls_key != NULL) {
		struct lt_tls_conf tc = { .role = LT_TLS_SERVER, .cert = o->tls_cert,
		    .key = o->tls_key, .ca = o->tls_ca, .min_version = 12 };

		if (lt_tls_ctx_new(&l->tls, &tc, err, errlen) < 0)
			goto fail;
	}
	*lp = l;
	return 0;
fail:
	lemf_close(l);
	return -1;
}

unsigned
lemf_port(const struct lemf *l, size_t i)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (i >= l->nls || getsockname(l->ls[i].fd, (struct sockaddr *)&ss,
	    &len) < 0)
		return 0;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static void
conn_free(struct conn *c)
{
	lt_tls_free(c->tls);
	if (c->fd >= 0)
		close(c->fd);
	lemf_stream_free(&c->st);
	free(c->out);
	free(c);
}

void
lemf_close(struct lemf *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->nconns; i++)
		conn_free(l->conns[i]);
	free(l->conns);
	for (size_t i = 0; i < l->nls; i++)
		if (l->ls[i].fd >= 0)
			close(l->ls[i].fd);
	if (l->out != NULL)
		fclose(l->out);
	lemf_sink_free(&l->sink);
	lt_tls_ctx_unref(l->tls);
	free(l);
}

static void
accept_all(struct lemf *l, size_t li)
{
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		struct conn *c;
		int fd = accept4(l->ls[li].fd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED)
				log_warn("listener %s: accept: %s", l->ls[li].name,
				    strerror(errno));
			return;
		}
		if (l->nconns == l->capconns) {
			size_t ncap = l->capconns ? l->capconns * 2 : 8;
			struct conn **v = realloc(l->conns, ncap * sizeof(*v));

			if (v == NULL) {
				log_err("out of memory: refusing a connection");
				close(fd);
				return;
			}
			l->conns = v;
			l->capconns = ncap;
		}
		if ((c = calloc(1, sizeof(*c))) == NULL) {
			log_err("out of memory: refusing a connection");
			close(fd);
			return;
		}
		c->fd = fd;
		c->listener = li;
		c->accepted = now_mono();
		netaddr_format((struct sockaddr *)&ss, c->peer);
		if (l->tls != NULL) {
			char err[192];

			if ((c->tls = lt_tls_new(l->tls, fd, err, sizeof(err))) == NULL) {
				log_err("%s; refusing a connection", err);
				close(fd);
				free(c);
				return;
			}
		}
		lemf_stream_init(&c->st, l->ls[li].name, l->next_conn++);
		l->conns[l->nconns++] = c;
		log_info("connection %u from %s on %s", c->st.conn, c->peer,
		    l->ls[li].name);
	}
}

/* Sends what is queued; -1 if the connection is broken. */
static ssize_t
conn_send(struct conn *c, const void *p, size_t len)
{
	if (c->tls != NULL)
		return lt_tls_send(c->tls, p, len);
	return send(c->fd, p, len, MSG_NOSIGNAL);
}

static ssize_t
conn_recv(struct conn *c, void *p, size_t len)
{
	if (c->tls != NULL)
		return lt_tls_recv(c->tls, p, len);
	return recv(c->fd, p, len, 0);
}

static const char *
conn_why(const struct conn *c)
{
	return c->tls != NULL && errno == EPROTO ? lt_tls_why(c->tls) : strerror(errno);
}

/* Bytes still to go out: answers not taken, or taken by TLS but not by the socket. */
static int
conn_wants_out(const struct conn *c)
{
	return c->outlen > 0 || (c->tls != NULL && lt_tls_pending(c->tls) > 0);
}

/*
 * The TLS handshake, as the client's bytes arrive: a client the CA does not
 * vouch for (with --tls-ca), or no TLS at all, is logged and closed.
 */
static void
conn_handshake(struct conn *c)
{
	char d[96];
	int r = lt_tls_handshake(c->tls);

	if (r == 0)
		return;
	if (r < 0) {
		log_warn("connection %u from %s: TLS handshake failed: %s; closing",
		    c->st.conn, c->peer, lt_tls_why(c->tls));
		c->done = 1;
		return;
	}
	c->tls_up = 1;
	log_info("connection %u: %s, handshake %.1f ms", c->st.conn,
	    lt_tls_describe(c->tls, d, sizeof(d)), (now_mono() - c->accepted) * 1e3);
}

static int
flush_out(struct conn *c)
{
	if (c->outlen == 0 && conn_wants_out(c) && conn_send(c, NULL, 0) < 0 &&
	    errno != EAGAIN)
		return -1;
	while (c->outlen > 0) {
		ssize_t n = conn_send(c, c->out, c->outlen);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno == EINTR)
				continue;
			return -1;
		}
		memmove(c->out, c->out + n, c->outlen - (size_t)n);
		c->outlen -= (size_t)n;
	}
	return 0;
}

/* Answers a keep-alive with a keep-aliveResponse carrying its header. */
static void
on_pdu(void *arg, const struct etsi_pdu *p)
{
	struct conn *c = arg;
	struct etsi_ident id = {
		.pspdu_version = p->pspdu_version,
		.liid = p->liid,
		.liid_len = p->liid_len,
		.auth_cc = p->auth_cc[0] ? p->auth_cc : NULL,
		.operator_id = p->operator_id,
		.ne_id = p->ne_id[0] ? p->ne_id : NULL,
		.has_cin = p->has_cin,
		.cin = p->cin,
		.delivery_cc = p->delivery_cc[0] ? p->delivery_cc : NULL,
	};
	struct etsi_tmpl t;
	uint8_t buf[ETSI_TRI_MAX];
	struct timespec now;
	int n;
	uint8_t *o;

	c->pdus++;
	if (p->kind != ETSI_KIND_KEEPALIVE || c->done)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	if (etsi_tmpl_init(&t, &id) < 0 ||
	    (n = etsi_keepalive_encode(buf, sizeof(buf), &t, p->seq,
	    (struct etsi_time){ now.tv_sec, (uint32_t)(now.tv_nsec / 1000) },
	    1)) < 0) {
		log_warn("connection %u: cannot answer the keep-alive at offset "
		    "%llu: its header fields are out of range", c->st.conn,
		    (unsigned long long)c->st.offset);
		return;
	}
	if (c->outlen + (size_t)n > OUT_MAX) {
		log_warn("connection %u: peer does not read its keep-alive "
		    "answers; closing", c->st.conn);
		c->done = 1;
		return;
	}
	if ((o = realloc(c->out, c->outlen + (size_t)n)) == NULL) {
		log_err("connection %u: out of memory; closing", c->st.conn);
		c->done = 1;
		return;
	}
	memcpy(o + c->outlen, buf + sizeof(buf) - n, (size_t)n);
	c->out = o;
	c->outlen += (size_t)n;
}

static void
conn_error(struct conn *c, const char *err)
{
	log_err("connection %u: %s; closing", c->st.conn, err);
	c->done = 1;
}

/* Reads what is there, a bounded number of times so others get their turn. */
static void
conn_read(struct lemf *l, struct conn *c)
{
	char err[256];

	for (int i = 0; i < READS_PER_TURN && !c->done; i++) {
		ssize_t n = conn_recv(c, l->rbuf, sizeof(l->rbuf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			if (n < 0)
				log_warn("connection %u: %s", c->st.conn,
				    conn_why(c));
			if (lemf_stream_end(&c->st, &l->sink, err, sizeof(err)) < 0)
				conn_error(c, err);
			c->done = 1;
			break;
		}
		if (lemf_stream_feed(&c->st, &l->sink, l->rbuf, (size_t)n, on_pdu,
		    c, err, sizeof(err)) < 0)
			conn_error(c, err);
	}
	if (!c->done && flush_out(c) < 0) {
		log_warn("connection %u: cannot send: %s", c->st.conn,
		    conn_why(c));
		if (lemf_stream_end(&c->st, &l->sink, err, sizeof(err)) < 0)
			conn_error(c, err);
		c->done = 1;
	}
}

static void
reap(struct lemf *l)
{
	size_t j = 0;

	for (size_t i = 0; i < l->nconns; i++) {
		struct conn *c = l->conns[i];

		if (!c->done) {
			l->conns[j++] = c;
			continue;
		}
		log_info("connection %u closed after %llu bytes, %llu PDUs",
		    c->st.conn, (unsigned long long)(c->st.offset + c->st.len),
		    (unsigned long long)c->pdus);
		conn_free(c);
	}
	l->nconns = j;
}

static void
flush_file(struct lemf *l)
{
	if (fflush(l->out) == EOF && !l->sink.write_failed) {
		log_err("cannot write the output file: %s", strerror(errno));
		l->sink.write_failed = 1;
	}
}

static int
serve(struct lemf *l, const sigset_t *waitmask)
{
	struct pollfd *pfd;
	size_t cap = 0;
	double last = now_mono();

	pfd = NULL;
	while (!stop_signal) {
		struct timespec tmo, *tp = NULL;
		size_t n = 0;
		int r;

		if (cap < l->nls + l->nconns) {
			struct pollfd *v;

			cap = (l->nls + l->nconns) * 2;
			if ((v = realloc(pfd, cap * sizeof(*v))) == NULL) {
				log_err("out of memory");
				free(pfd);
				return -1;
			}
			pfd = v;
		}
		for (size_t i = 0; i < l->nls; i++)
			pfd[n++] = (struct pollfd){ l->ls[i].fd, POLLIN, 0 };
		for (size_t i = 0; i < l->nconns; i++)
			pfd[n++] = (struct pollfd){ l->conns[i]->fd, POLLIN |
			    (conn_wants_out(l->conns[i]) ? POLLOUT : 0), 0 };
		if (l->idle_exit > 0 && l->nconns == 0) {
			double left = last + l->idle_exit - now_mono();

			if (left <= 0)
				break;
			tmo.tv_sec = (time_t)left;
			tmo.tv_nsec = (long)((left - (double)tmo.tv_sec) * 1e9);
			tp = &tmo;
		}
		r = ppoll(pfd, n, tp, waitmask);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			log_err("poll: %s", strerror(errno));
			free(pfd);
			return -1;
		}
		for (size_t i = 0; i < l->nconns; i++) {
			struct conn *c = l->conns[i];
			short ev = pfd[l->nls + i].revents;

			if (c->tls != NULL && !c->tls_up) {
				if (ev & (POLLIN | POLLHUP | POLLERR))
					conn_handshake(c);
				if (!c->tls_up)
					continue;
			}
			if (ev & POLLOUT && flush_out(c) < 0)
				c->done = 1;
			if (ev & (POLLIN | POLLHUP | POLLERR) && !c->done)
				conn_read(l, c);
		}
		for (size_t i = 0; i < l->nls; i++)
			if (pfd[i].revents & POLLIN) {
				accept_all(l, i);
				last = now_mono();
			}
		flush_file(l);
		if (l->nconns > 0) {
			size_t before = l->nconns;

			reap(l);
			if (l->nconns != before)
				last = now_mono();
		}
	}
	free(pfd);
	return 0;
}

int
lemf_loop(struct lemf *l)
{
	struct sigaction sa, old_int, old_term;
	sigset_t block, orig, waitmask;
	char err[256];
	int rc;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	stop_signal = 0;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &orig);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	waitmask = orig;
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGTERM);
	for (size_t i = 0; i < l->nls; i++)
		log_info("listening on %s", l->ls[i].name);

	rc = serve(l, &waitmask) < 0 ? 1 : 0;
	if (stop_signal)
		log_info("stopping on signal %d", (int)stop_signal);
	for (size_t i = 0; i < l->nconns; i++)
		if (lemf_stream_end(&l->conns[i]->st, &l->sink, err,
		    sizeof(err)) < 0)
			conn_error(l->conns[i], err);
	for (size_t i = 0; i < l->nconns; i++)
		l->conns[i]->done = 1;
	reap(l);
	flush_file(l);
	if (fsync(fileno(l->out)) < 0 && errno != EINVAL && !l->sink.write_failed) {
		log_err("cannot write the output file: %s", strerror(errno));
		l->sink.write_failed = 1;
	}

	/* A second signal during shutdown lands in our handler, not the default. */
	sigprocmask(SIG_SETMASK, &orig, NULL);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (lemf_sink_summary(&l->sink, l->summary) != 0)
		rc = 1;
	fflush(l->summary);
	return rc;
}

int
lemf_run(const struct lemf_opts *o)
{
	struct lemf *l;
	char err[256];
	int rc;

	if (lemf_open(&l, o, err, sizeof(err)) < 0) {
		log_err("%s", err);
		return 2;
	}
	rc = lemf_loop(l);
	lemf_close(l);
	return rc;
}

static int
lemf_usage(void)
{
	fprintf(stderr, "usage: lawtap lemf --listen ADDR:PORT [--listen ...] "
	    "--out FILE.jsonl [--idle-exit S] [--quiet] [--integrity-key HEX]\n"
	    "       [--tls-cert FILE --tls-key FILE [--tls-ca FILE]]\n");
	return 2;
}

int
cmd_lemf(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "out", required_argument, NULL, 'o' },
		{ "idle-exit", required_argument, NULL, 'i' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "integrity-key", required_argument, NULL, 'k' },
		{ "tls-cert", required_argument, NULL, 'C' },
		{ "tls-key", required_argument, NULL, 'K' },
		{ "tls-ca", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct lemf_opts o = { 0 };
	static uint8_t key[INTEGRITY_KEY_LEN];
	char *end;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "l:o:i:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			if (o.nlisten == LEMF_LISTEN_MAX) {
				log_err("at most %d --listen", LEMF_LISTEN_MAX);
				return 2;
			}
			o.listen[o.nlisten++] = optarg;
			break;
		case 'o':
			o.out_path = optarg;
			break;
		case 'i':
			o.idle_exit = strtod(optarg, &end);
			if (end == optarg || *end != '\0' || !(o.idle_exit > 0) ||
			    o.idle_exit > 1e7) {
				log_err("--idle-exit wants seconds > 0, not '%s'",
				    optarg);
				return 2;
			}
			break;
		case 'q':
			lt_log_set_level(LT_LOG_WARN);
			break;
		case 'k':
			if (integrity_parse_key(optarg, key) < 0) {
				log_err("--integrity-key wants an Ed25519 public key as 64 hex "
				    "digits");
				return 2;
			}
			o.integrity_key = key;
			break;
		case 'C':
			o.tls_cert = optarg;
			break;
		case 'K':
			o.tls_key = optarg;
			break;
		case 'A':
			o.tls_ca = optarg;
			break;
		default:
			return lemf_usage();
		}
	}
	if (optind != argc || o.nlisten == 0 || o.out_path == NULL)
		return lemf_usage();
	if ((o.tls_cert == NULL) != (o.tls_key == NULL) ||
	    (o.tls_ca != NULL && o.tls_cert == NULL)) {
		log_err("--tls-cert and --tls-key go together; --tls-ca needs them");
		return 2;
	}
	return lemf_run(&o);
}
