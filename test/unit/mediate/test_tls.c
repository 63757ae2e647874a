/* test_tls.c - the agency tls group, lt_tls_ctx_new's refusals, and sessions over a socketpair. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "mediate/conn.h"
#include "mediate/tls.h"
#include "mgmt/config.h"

static char dir[] = "/tmp/lawtap-test-tls.XXXXXX";

static char *
path(const char *name)
{
	static char buf[8][512];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

/* The test PKI, made here with OpenSSL: nothing is committed. */
struct pki {
	EVP_PKEY *key;
	X509 *crt;
};

static void
ext(X509 *crt, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v;
	X509_EXTENSION *e;

	X509V3_set_ctx(&v, issuer, crt, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &v, nid, value);
	assert_non_null(e);
	assert_int_equal(X509_add_ext(crt, e, -1), 1);
	X509_EXTENSION_free(e);
}

/* A certificate for cn (a CA if issuer is NULL), valid from..to days from now. */
static struct pki
make(const char *cn, const struct pki *issuer, long from_days, long to_days, const char *san)
{
	static long serial = 1;
	struct pki p = { EVP_EC_gen("P-256"), X509_new() };
	X509_NAME *n = X509_NAME_new();

	assert_non_null(p.key);
	X509_set_version(p.crt, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(p.crt), serial++);
	X509_gmtime_adj(X509_getm_notBefore(p.crt), from_days * 86400);
	X509_gmtime_adj(X509_getm_notAfter(p.crt), to_days * 86400);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(p.crt, n);
	X509_set_issuer_name(p.crt, issuer ? X509_get_subject_name(issuer->crt) : n);
	X509_set_pubkey(p.crt, p.key);
	if (issuer == NULL) {
		ext(p.crt, p.crt, NID_basic_constraints, "critical,CA:TRUE");
		ext(p.crt, p.crt, NID_key_usage, "critical,keyCertSign,cRLSign");
	} else if (san != NULL) {
		ext(p.crt, issuer->crt, NID_subject_alt_name, san);
	}
	assert_true(X509_sign(p.crt, issuer ? issuer->key : p.key, EVP_sha256()) > 0);
	X509_NAME_free(n);
	return p;
}

static void
write_pem(const struct pki *p, const char *name, int keymode)
{
	char f[300];
	FILE *fp;

	snprintf(f, sizeof(f), "%s.crt", name);
	assert_non_null(fp = fopen(path(f), "w"));
	PEM_write_X509(fp, p->crt);
	fclose(fp);
	if (keymode < 0)
		return;
	snprintf(f, sizeof(f), "%s.key", name);
	assert_non_null(fp = fopen(path(f), "w"));
	PEM_write_PrivateKey(fp, p->key, NULL, NULL, 0, NULL, NULL);
	fclose(fp);
	assert_int_equal(chmod(path(f), (mode_t)keymode), 0);
}

static int
setup_pki(void **state)
{
	struct pki ca, opca, rogue, srv, cli, imp, exp, ip, mis;
	FILE *fp;
	(void)state;

	if (mkdtemp(dir) == NULL)
		return -1;
	ca = make("agency CA", NULL, -1, 2, NULL);
	opca = make("operator CA", NULL, -1, 2, NULL);
	rogue = make("rogue CA", NULL, -1, 2, NULL);
	srv = make("lemf.agency.example", &ca, -1, 2, "DNS:lemf.agency.example");
	cli = make("lawtap.op.example", &opca, -1, 2, "DNS:lawtap.op.example");
	imp = make("lemf.agency.example", &rogue, -1, 2, "DNS:lemf.agency.example");
	exp = make("lemf.agency.example", &ca, -30, -10, "DNS:lemf.agency.example");
	ip = make("10.0.0.9", &ca, -1, 2, "IP:10.0.0.9");
	mis = make("lemf.agency.example", &ca, -1, 2, "DNS:lemf.agency.example");
	write_pem(&ca, "ca", -1);
	write_pem(&opca, "opca", -1);
	write_pem(&rogue, "rogue", -1);
	write_pem(&srv, "srv", 0600);
	write_pem(&cli, "cli", 0600);
	write_pem(&imp, "imp", 0600);
	write_pem(&exp, "exp", 0600);
	write_pem(&ip, "ip", 0600);
	write_pem(&cli, "loose", 0640);
	write_pem(&cli, "world", 0604);
	/* the certificate of one key with the key of another */
	write_pem(&mis, "mis", -1);
	assert_non_null(fp = fopen(path("mis.key"), "w"));
	PEM_write_PrivateKey(fp, cli.key, NULL, NULL, 0, NULL, NULL);
	fclose(fp);
	chmod(path("mis.key"), 0600);
	/* an encrypted key: a prompt would hang a daemon */
	write_pem(&cli, "enc", -1);
	assert_non_null(fp = fopen(path("enc.key"), "w"));
	PEM_write_PrivateKey(fp, cli.key, EVP_aes_256_cbc(), NULL, 0, NULL, (void *)"pw");
	fclose(fp);
	chmod(path("enc.key"), 0600);
	struct pki *all[] = { &ca, &opca, &rogue, &srv, &cli, &imp, &exp, &ip, &mis };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		EVP_PKEY_free(all[i]->key);
		X509_free(all[i]->crt);
	}
	return 0;
}

static int
teardown_pki(void **state)
{
	char cmd[600];
	(void)state;

	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* --- lt_tls_ctx_new ------------------------------------------------------ */

static int
ctx(const char *cert, const char *key, const char *ca, const char *name, int minv,
    char *err, size_t errlen)
{
	struct lt_tls_conf c = { LT_TLS_CLIENT, cert ? path(cert) : NULL, key ? path(key) : NULL,
	    ca ? path(ca) : NULL, name, minv };
	struct lt_tls_ctx *t = NULL;
	int r;

	err[0] = '\0';
	r = lt_tls_ctx_new(&t, &c, err, errlen);
	assert_true((r == 0) == (t != NULL));
	lt_tls_ctx_unref(t);
	return r;
}

static void
assert_contains(const char *s, const char *sub)
{
	if (strstr(s, sub) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", s, sub);
}

static void
ctx_good(void **state)
{
	char err[512];
	(void)state;

	assert_int_equal(ctx("cli.crt", "cli.key", "ca.crt", "lemf.agency.example", 12, err,
	    sizeof(err)), 0);
	assert_int_equal(ctx("cli.crt", "cli.key", "ca.crt", "10.0.0.9", 13, err,
	    sizeof(err)), 0);
	assert_int_equal(ctx("cli.crt", "cli.key", "ca.crt", "2001:db8::1", 13, err,
	    sizeof(err)), 0);
}

static void
ctx_refusals(void **state)
{
	char err[512];
	(void)state;

	assert_int_equal(ctx("cli.crt", "loose.key", "ca.crt", "x.example", 12, err,
	    sizeof(err)), -1);
	assert_contains(err, path("loose.key"));
	assert_contains(err, "group or others may access it (mode 640)");
	assert_null(strstr(err, "PRIVATE"));
	assert_int_equal(ctx("cli.crt", "world.key", "ca.crt", "x.example", 12, err,
	    sizeof(err)), -1);
	assert_contains(err, "(mode 604)");

	assert_int_equal(ctx("nonexistent.crt", "cli.key", "ca.crt", "x.example", 12, err,
	    sizeof(err)), -1);
	assert_contains(err, "TLS certificate file ");
	assert_contains(err, "nonexistent.crt");
	assert_int_equal(ctx("cli.crt", "nonexistent.key", "ca.crt", "x.example", 12, err,
	    sizeof(err)), -1);
	assert_contains(err, "nonexistent.key: cannot open: No such file");
	assert_int_equal(ctx("cli.crt", "cli.key", "nonexistent-ca.crt", "x.example", 12, err,
	    sizeof(err)), -1);
	assert_contains(err, "TLS CA file ");
	/* a key file that is not PEM: a certificate */
	chmod(path("ca.crt"), 0600);
	assert_int_equal(ctx("cli.crt", "ca.crt", "ca.crt", "x.example", 12, err,
	    sizeof(err)), -1);
	chmod(path("ca.crt"), 0644);
	assert_contains(err, "not an unencrypted PEM private key");
	assert_int_equal(ctx("enc.crt", "enc.key", "ca.crt", "x.example", 12, err,
	    sizeof(err)), -1);
	assert_contains(err, "not an unencrypted PEM private key");
	assert_int_equal(ctx("mis.crt", "mis.key", "ca.crt", "x.example", 12, err,
	    sizeof(err)), -1);
	assert_contains(err, "does not match the certificate");
	assert_int_equal(ctx("cli.crt", "cli.key", "ca.crt", "x.example", 11, err,
	    sizeof(err)), -1);
	assert_contains(err, "min_version");
	assert_int_equal(ctx("cli.crt", "cli.key", NULL, "x.example", 12, err,
	    sizeof(err)), -1);
	assert_contains(err, "agency's CA");
	assert_int_equal(ctx("cli.crt", "cli.key", "ca.crt", "", 12, err, sizeof(err)), -1);
	assert_contains(err, "TLS name");
	assert_int_equal(ctx("cli.crt", "cli.key", "ca.crt", "bad name\x01", 12, err,
	    sizeof(err)), -1);
	assert_contains(err, "neither a valid DNS name nor an IP address");
}

/* --- the tls group in lawtap.conf ---------------------------------------- */

static int
load(const char *tls, char *err, size_t errlen, struct lt_config *cfg)
{
	char *f = path("t.conf");
	FILE *fp = fopen(f, "w");
	int r;

	assert_non_null(fp);
	fprintf(fp, "operator: { id = \"o\"; country = \"NZ\"; };\n"
	    "agencies = ( { id = \"p\"; hi2 = \"127.0.0.1:1\"; hi3 = \"127.0.0.1:2\"; },\n"
	    "  { id = \"q\"; hi2 = \"127.0.0.1:3\"; hi3 = \"127.0.0.1:4\";\n"
	    "    %s } );\n", tls);
	fclose(fp);
	err[0] = '\0';
	r = lt_config_load(f, cfg, err, errlen);
	return r;
}

static void
cfg_tls_good(void **state)
{
	struct lt_config cfg;
	char err[1024], tls[1024];
	(void)state;

	snprintf(tls, sizeof(tls), "tls = { cert = \"%s\"; key = \"%s\"; ca = \"%s\";\n"
	    "      name = \"lemf.agency.example\"; min_version = \"1.3\"; };",
	    path("cli.crt"), path("cli.key"), path("ca.crt"));
	if (load(tls, err, sizeof(err), &cfg) != 0)
		fail_msg("%s", err);
	assert_int_equal(cfg.nagencies, 2);
	assert_null(cfg.agencies[0].tls);
	assert_non_null(cfg.agencies[1].tls);
	lt_config_free(&cfg);
}

static void
cfg_bad(const char *tls, const char *want)
{
	struct lt_config cfg;
	char err[1024];

	assert_int_equal(load(tls, err, sizeof(err), &cfg), -1);
	assert_contains(err, path("t.conf"));
	assert_contains(err, want);
}

static void
cfg_tls_bad(void **state)
{
	char tls[1024];
	(void)state;

	/* loose key permissions: the file is named, line of the tls group */
	snprintf(tls, sizeof(tls), "tls = { cert = \"%s\"; key = \"%s\"; ca = \"%s\"; "
	    "name = \"lemf.agency.example\"; };", path("cli.crt"), path("loose.key"),
	    path("ca.crt"));
	cfg_bad(tls, ":4: agency 2 (line 3): TLS key file ");
	cfg_bad(tls, "loose.key: group or others may access it (mode 640); make it 0600");
	/* a version below 1.2, or not a string */
	snprintf(tls, sizeof(tls), "tls = { cert = \"%s\"; key = \"%s\"; ca = \"%s\"; "
	    "name = \"a.example\"; min_version = \"1.1\"; };", path("cli.crt"),
	    path("cli.key"), path("ca.crt"));
	cfg_bad(tls, ":4: agency 2 (line 3): tls 'min_version' must be \"1.2\" or \"1.3\"");
	snprintf(tls, sizeof(tls), "tls = { cert = \"%s\"; key = \"%s\"; ca = \"%s\"; "
	    "name = \"a.example\"; min_version = 1.3; };", path("cli.crt"),
	    path("cli.key"), path("ca.crt"));
	cfg_bad(tls, "'min_version' must be a string");
	/* a relative path, a missing file, a missing setting, an unknown one */
	snprintf(tls, sizeof(tls), "tls = { cert = \"cli.crt\"; key = \"%s\"; ca = \"%s\"; "
	    "name = \"a.example\"; };", path("cli.key"), path("ca.crt"));
	cfg_bad(tls, "agency 2 (line 3): tls 'cert' must be an absolute path");
	snprintf(tls, sizeof(tls), "tls = { cert = \"%s\"; key = \"%s\"; ca = \"%s/none.crt\"; "
	    "name = \"a.example\"; };", path("cli.crt"), path("cli.key"), dir);
	cfg_bad(tls, "TLS CA file ");
	cfg_bad(tls, "none.crt: cannot load PEM certificates");
	snprintf(tls, sizeof(tls), "tls = { cert = \"%s\"; key = \"%s\"; "
	    "name = \"a.example\"; };", path("cli.crt"), path("cli.key"));
	cfg_bad(tls, "agency 2 (line 3) tls: missing required setting 'ca'");
	snprintf(tls, sizeof(tls), "tls = { cert = \"%s\"; key = \"%s\"; ca = \"%s\"; };",
	    path("cli.crt"), path("cli.key"), path("ca.crt"));
	cfg_bad(tls, "missing required setting 'name'");
	snprintf(tls, sizeof(tls), "tls = { cert = \"%s\"; key = \"%s\"; ca = \"%s\"; "
	    "name = \"a.example\"; ciphers = \"NULL\"; };", path("cli.crt"),
	    path("cli.key"), path("ca.crt"));
	cfg_bad(tls, "ciphers");
	cfg_bad("tls = \"on\";", "'tls' must be a group");
}

/* --- sessions over a socketpair ------------------------------------------ */

struct pair {
	struct lt_tls_ctx *cctx, *sctx;
	struct lt_tls *c, *s;
	int fd[2];
};

/* Server srv and client cli (base names of .crt/.key); server_ca: it asks for our certificate. */
static void
pair_open(struct pair *p, const char *srv, const char *name, const char *cli,
    const char *server_ca)
{
	char f[4][600], err[512];
	struct lt_tls_conf cc = { LT_TLS_CLIENT, f[0], f[1], path("ca.crt"), name, 12 };
	struct lt_tls_conf sc = { LT_TLS_SERVER, f[2], f[3], server_ca ? path(server_ca) : NULL,
	    NULL, 12 };

	snprintf(f[0], sizeof(f[0]), "%s/%s.crt", dir, cli);
	snprintf(f[1], sizeof(f[1]), "%s/%s.key", dir, cli);
	snprintf(f[2], sizeof(f[2]), "%s/%s.crt", dir, srv);
	snprintf(f[3], sizeof(f[3]), "%s/%s.key", dir, srv);
	if (lt_tls_ctx_new(&p->cctx, &cc, err, sizeof(err)) < 0 ||
	    lt_tls_ctx_new(&p->sctx, &sc, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, p->fd), 0);
	assert_non_null(p->c = lt_tls_new(p->cctx, p->fd[0], err, sizeof(err)));
	assert_non_null(p->s = lt_tls_new(p->sctx, p->fd[1], err, sizeof(err)));
	/* each session holds its context */
	lt_tls_ctx_unref(p->cctx);
	lt_tls_ctx_unref(p->sctx);
}

static void
pair_close(struct pair *p)
{
	lt_tls_free(p->c);
	lt_tls_free(p->s);
	close(p->fd[0]);
	close(p->fd[1]);
}

/* Both sides step until done or one fails: the client's result. */
static int
pair_handshake(struct pair *p, int *server_rc)
{
	int rc = 0, rs = 0;

	for (int i = 0; i < 50 && (rc == 0 || rs == 0); i++) {
		if (rc == 0)
			rc = lt_tls_handshake(p->c);
		if (rs == 0)
			rs = lt_tls_handshake(p->s);
		if (rc < 0 || rs < 0)
			break;
	}
	if (server_rc != NULL)
		*server_rc = rs;
	return rc;
}

static void
session_ok(void **state)
{
	struct pair p;
	char d[96], buf[64];
	(void)state;

	pair_open(&p, "srv", "lemf.agency.example", "cli", NULL);
	assert_int_equal(pair_handshake(&p, NULL), 1);
	assert_string_equal(lt_tls_describe(p.c, d, sizeof(d)), "TLSv1.3 TLS_AES_256_GCM_SHA384");
	assert_int_equal(lt_tls_send(p.c, "\x30\x03\x02\x01\x07", 5), 5);
	assert_int_equal(lt_tls_recv(p.s, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "\x30\x03\x02\x01\x07", 5);
	assert_int_equal(lt_tls_recv(p.s, buf, sizeof(buf)), -1);
	assert_int_equal(errno, EAGAIN);
	/* close_notify is an end of stream */
	lt_tls_close_notify(p.c);
	assert_int_equal(lt_tls_recv(p.s, buf, sizeof(buf)), 0);
	pair_close(&p);

	/* an IP address as the name */
	pair_open(&p, "ip", "10.0.0.9", "cli", NULL);
	assert_int_equal(pair_handshake(&p, NULL), 1);
	pair_close(&p);

	/* the agency requires our certificate, from the operator's CA */
	pair_open(&p, "srv", "lemf.agency.example", "cli", "opca.crt");
	assert_int_equal(pair_handshake(&p, NULL), 1);
	pair_close(&p);
}

static void
session_wrong_peer(void **state)
{
	static const struct {
		const char *srv, *name, *why;
	} v[] = {
		{ "imp", "lemf.agency.example",
		    "certificate verify failed: unable to get local issuer certificate" },
		{ "srv", "lemf.other.example", "certificate verify failed: hostname mismatch" },
		{ "exp", "lemf.agency.example",
		    "certificate verify failed: certificate has expired" },
		{ "srv", "10.0.0.9", "certificate verify failed: IP address mismatch" },
	};
	struct pair p;
	int rs;
	(void)state;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		pair_open(&p, v[i].srv, v[i].name, "cli", NULL);
		assert_int_equal(pair_handshake(&p, &rs), -1);
		assert_string_equal(lt_tls_why(p.c), v[i].why);
		/* nothing can be sent on it */
		assert_int_equal(lt_tls_send(p.c, "x", 1), -1);
		assert_true(errno != EAGAIN);
		pair_close(&p);
	}
	/* our certificate from a CA the agency does not trust */
	pair_open(&p, "srv", "lemf.agency.example", "imp", "opca.crt");
	pair_handshake(&p, &rs);
	assert_int_equal(rs, -1);
	assert_string_equal(lt_tls_why(p.s),
	    "certificate verify failed: unable to get local issuer certificate");
	pair_close(&p);
}

/* A client that speaks plain TCP to a TLS server, and the reverse. */
static void
session_plaintext_peer(void **state)
{
	struct pair p;
	char buf[64];
	(void)state;

	pair_open(&p, "srv", "lemf.agency.example", "cli", NULL);
	memset(buf, 0, sizeof(buf));
	memcpy(buf, "\x30\x3e\x81\x03", 4);	/* a PS-PDU's first bytes */
	assert_int_equal(write(p.fd[0], buf, sizeof(buf)), sizeof(buf));
	assert_int_equal(lt_tls_handshake(p.s), -1);
	assert_string_equal(lt_tls_why(p.s), "wrong version number");
	pair_close(&p);

	pair_open(&p, "srv", "lemf.agency.example", "cli", NULL);
	assert_int_equal(lt_tls_handshake(p.c), 0);	/* ClientHello out */
	assert_true(read(p.fd[1], buf, sizeof(buf)) > 0);
	memset(buf, 0, sizeof(buf));
	memcpy(buf, "\x30\x3e\x81\x03", 4);
	assert_int_equal(write(p.fd[1], buf, sizeof(buf)), sizeof(buf));
	assert_int_equal(lt_tls_handshake(p.c), -1);
	assert_string_equal(lt_tls_why(p.c), "wrong version number");
	close(p.fd[1]);
	p.fd[1] = -1;
	pair_close(&p);
}

/*
 * The peer stops reading: lt_tls_send takes what it can, then says EAGAIN.
 * Bytes it took go out first, even when the next call offers other bytes
 * (a keep-alive at a record boundary), and the receiver gets exactly the
 * bytes taken, in order.
 */
static void
session_partial_writes(void **state)
{
	enum { BIG = 4 << 20 };
	uint8_t *src = malloc(BIG), *got = malloc(2 * BIG), *want = malloc(2 * BIG);
	size_t off = 0, wlen = 0, glen = 0;
	int eagain = 0, rounds = 0;
	struct pair p;
	ssize_t n;
	(void)state;

	for (size_t i = 0; i < BIG; i++)
		src[i] = (uint8_t)(i * 7 + (i >> 13));
	pair_open(&p, "srv", "lemf.agency.example", "cli", NULL);
	assert_int_equal(pair_handshake(&p, NULL), 1);
	while (off < BIG || lt_tls_pending(p.c) > 0) {
		const uint8_t *b = src + off;
		size_t len = BIG - off < 100000 ? BIG - off : 100000;

		if (eagain && rounds % 3 == 0) {	/* something else than the queue */
			b = (const uint8_t *)"KEEPALIVE";
			len = 9;
		}
		n = lt_tls_send(p.c, b, off < BIG || len == 9 ? len : 0);
		if (n < 0) {
			assert_int_equal(errno, EAGAIN);
			eagain++;
			/* the reader catches up a little */
			for (int k = 0; k < 4; k++) {
				ssize_t r = lt_tls_recv(p.s, got + glen, 2 * BIG - glen);

				if (r <= 0)
					break;
				glen += (size_t)r;
			}
		} else if (n > 0) {
			memcpy(want + wlen, b, (size_t)n);
			wlen += (size_t)n;
			if (b != (const uint8_t *)"KEEPALIVE")
				off += (size_t)n;
		}
		rounds++;
		assert_true(rounds < 1000000);
	}
	while ((n = lt_tls_recv(p.s, got + glen, 2 * BIG - glen)) > 0)
		glen += (size_t)n;
	assert_true(eagain > 0);
	assert_true(wlen > BIG);
	assert_int_equal(glen, wlen);
	assert_memory_equal(got, want, wlen);
	pair_close(&p);
	free(src);
	free(got);
	free(want);
}

/*
 * An agency that speaks TLS 1.2 at most (an OpenSSL server of the test's
 * own): min_version "1.2" gets an ECDHE AEAD suite, "1.3" refuses it; one
 * that offers only a CBC suite is refused.
 */
static int
old_server(int minv, const char *ciphers, char *desc, size_t dlen, char *why, size_t wlen)
{
	struct lt_tls_conf cc = { LT_TLS_CLIENT, path("cli.crt"), path("cli.key"), path("ca.crt"),
	    "lemf.agency.example", minv };
	SSL_CTX *sx = SSL_CTX_new(TLS_server_method());
	struct lt_tls_ctx *cctx;
	struct lt_tls *c;
	int fd[2], rc = 0, rs = 0;
	SSL *s;

	assert_non_null(sx);
	SSL_CTX_set_max_proto_version(sx, TLS1_2_VERSION);
	assert_int_equal(SSL_CTX_set_cipher_list(sx, ciphers), 1);
	assert_int_equal(SSL_CTX_use_certificate_chain_file(sx, path("srv.crt")), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey_file(sx, path("srv.key"), SSL_FILETYPE_PEM), 1);
	assert_int_equal(lt_tls_ctx_new(&cctx, &cc, why, wlen), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fd), 0);
	assert_non_null(c = lt_tls_new(cctx, fd[0], why, wlen));
	assert_non_null(s = SSL_new(sx));
	SSL_set_fd(s, fd[1]);
	SSL_set_accept_state(s);
	for (int i = 0; i < 50 && (rc == 0 || (rc == 1 && rs == 0)); i++) {
		if (rc == 0)
			rc = lt_tls_handshake(c);
		if (rs == 0) {
			int r = SSL_do_handshake(s);

			rs = r == 1 ? 1 : (SSL_get_error(s, r) == SSL_ERROR_WANT_READ ||
			    SSL_get_error(s, r) == SSL_ERROR_WANT_WRITE) ? 0 : -1;
		}
	}
	if (rc == 1)
		lt_tls_describe(c, desc, dlen);
	else
		snprintf(why, wlen, "%s", lt_tls_why(c));
	lt_tls_free(c);
	lt_tls_ctx_unref(cctx);
	SSL_free(s);
	SSL_CTX_free(sx);
	close(fd[0]);
	close(fd[1]);
	return rc;
}

static void
session_versions(void **state)
{
	char d[96] = "", why[512] = "";
	(void)state;

	assert_int_equal(old_server(12, "ECDHE+AESGCM", d, sizeof(d), why, sizeof(why)), 1);
	assert_string_equal(d, "TLSv1.2 ECDHE-ECDSA-AES256-GCM-SHA384");
	assert_int_equal(old_server(13, "ECDHE+AESGCM", d, sizeof(d), why, sizeof(why)), -1);
	assert_string_equal(why, "tlsv1 alert protocol version");
	assert_int_equal(old_server(12, "ECDHE-ECDSA-AES128-SHA", d, sizeof(d), why,
	    sizeof(why)), -1);
	assert_string_equal(why, "sslv3 alert handshake failure");
}

/* --- a handover connection over TLS ------------------------------------- */

#define MS	1000000ULL

static const struct etsi_ident ka_ident = {
	.pspdu_version = 40, .ipaccess_version = 20, .liid = "-", .liid_len = 1,
	.operator_id = "TestISP",
};

/* Services c until cond holds or ms pass; the peer's side is step. */
#define PUMP(c, ms, step, cond) ({					\
	uint64_t end_ = lt_mono_ns() + (ms) * MS;			\
	while (!(cond) && lt_mono_ns() < end_) {			\
		lt_conn_service((c), lt_mono_ns());			\
		step;							\
		usleep(200);						\
	}								\
	(cond);								\
})

static int
accept_one(int lfd, int *fd)
{
	if (*fd < 0)
		*fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
	return *fd >= 0;
}

/*
 * An agency's address held first by a peer that never answers, then by one
 * that speaks no TLS, then by the agency: the first two cost a counted
 * failure each and see no record (the plain one only a ClientHello); the
 * records then arrive whole over TLS, and the close is a close_notify.
 */
static void
conn_over_tls(void **state)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	struct lt_tls_conf cc = { LT_TLS_CLIENT, path("cli.crt"), path("cli.key"), path("ca.crt"),
	    "lemf.agency.example", 13 };
	struct lt_tls_conf sc = { LT_TLS_SERVER, path("srv.crt"), path("srv.key"), NULL, NULL, 12 };
	struct lt_tls_ctx *cctx, *sctx;
	struct lt_conn_params p = { .agency_id = "ag", .hi = "HI3", .keepalive_ns = 3600000 * MS,
	    .ka_timeout_ns = 300 * MS, .reconnect_ns = 20 * MS, .queue_bytes = 1 << 20,
	    .ka_ident = &ka_ident };
	uint8_t want[3 * 700], got[4096], raw[4096];
	size_t glen = 0, rlen = 0;
	struct lt_conn c;
	struct lt_tls *srv = NULL;
	char err[512];
	int one = 1, lfd, fd = -1, hs = 0, eof = 0;
	ssize_t n;
	(void)state;

	if (lt_tls_ctx_new(&cctx, &cc, err, sizeof(err)) < 0 ||
	    lt_tls_ctx_new(&sctx, &sc, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 4), 0);
	getsockname(lfd, (struct sockaddr *)&sa, &sl);
	memcpy(&p.peer.sa, &sa, sizeof(sa));
	p.peer.salen = sizeof(sa);
	p.tls = cctx;
	assert_int_equal(lt_conn_init(&c, &p, lt_mono_ns()), 0);
	lt_tls_ctx_unref(cctx);		/* the connection holds its own reference */
	for (int i = 0; i < 3; i++) {
		uint8_t *r = lt_conn_reserve(&c, 700);

		assert_non_null(r);
		memset(r, 'A' + i, 700);
		memcpy(r, "\x30\x82\x02\xb8", 4);	/* a record: one DER TLV of 700 bytes */
		memcpy(want + i * 700, r, 700);
		lt_conn_commit(&c, 700);
	}

	/* 1: accepts and says nothing: TIME3 (300 ms) for the handshake */
	assert_true(PUMP(&c, 3000, accept_one(lfd, &fd), c.st.tls_failures == 1));
	assert_int_equal(c.state, LT_CONN_DOWN);
	assert_int_equal(c.st.records_sent, 0);
	close(fd);
	fd = -1;

	/* 2: plain TCP that hangs up after the first bytes: only a ClientHello came */
	assert_true(PUMP(&c, 3000, {
		if (accept_one(lfd, &fd) && (n = read(fd, raw + rlen, sizeof(raw) - rlen)) > 0) {
			rlen += (size_t)n;
			if (rlen >= 5 && rlen >= 5 + (size_t)(raw[3] << 8 | raw[4])) {
				close(fd);
				fd = -2;
			}
		}
	}, c.st.tls_failures == 2));
	assert_int_equal(c.state, LT_CONN_DOWN);
	assert_int_equal(raw[0], 0x16);		/* a handshake record ... */
	assert_int_equal(raw[5], 1);		/* ... holding a ClientHello, and only that */
	assert_int_equal(rlen, 5 + (size_t)(raw[3] << 8 | raw[4]));
	assert_null(memmem(raw, rlen, "AAAA", 4));
	assert_int_equal(c.st.records_sent, 0);
	fd = -1;

	/* 3: the agency */
	assert_true(PUMP(&c, 5000, {
		if (srv == NULL && accept_one(lfd, &fd))
			assert_non_null(srv = lt_tls_new(sctx, fd, err, sizeof(err)));
		if (srv != NULL && hs == 0)
			hs = lt_tls_handshake(srv);
		if (hs == 1 && (n = lt_tls_recv(srv, got + glen, sizeof(got) - glen)) > 0)
			glen += (size_t)n;
	}, glen == sizeof(want)));
	assert_int_equal(c.state, LT_CONN_UP);
	assert_int_equal(c.st.tls_failures, 2);
	assert_int_equal(c.st.connects, 1);
	assert_int_equal(c.st.records_sent, 3);
	assert_true(c.st.tls_hs_us >= 0);
	assert_memory_equal(got, want, sizeof(want));

	lt_conn_finish(&c);
	assert_true(PUMP(&c, 3000, {
		if (!eof && lt_tls_recv(srv, got, sizeof(got)) == 0) {
			eof = 1;	/* close_notify, then we close */
			close(fd);
		}
	}, c.state == LT_CONN_CLOSED));
	assert_int_equal(eof, 1);
	lt_conn_free(&c);
	lt_tls_free(srv);
	lt_tls_ctx_unref(sctx);
	close(lfd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ctx_good),
		cmocka_unit_test(ctx_refusals),
		cmocka_unit_test(cfg_tls_good),
		cmocka_unit_test(cfg_tls_bad),
		cmocka_unit_test(session_ok),
		cmocka_unit_test(session_wrong_peer),
		cmocka_unit_test(session_plaintext_peer),
		cmocka_unit_test(session_partial_writes),
		cmocka_unit_test(session_versions),
		cmocka_unit_test(conn_over_tls),
	};

	return cmocka_run_group_tests(tests, setup_pki, teardown_pki);
}
