/* tls.c - TLS 1.2+ sessions for handover connections (OpenSSL), non-blocking. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sodium.h>

#include "mediate/tls.h"

#define KEY_FILE_MAX	(64 * 1024)
#define CHUNK		16384	/* one TLS record's plaintext at most */

/* TLS 1.2: forward secrecy and AEAD only.  TLS 1.3: its three usual suites. */
#define CIPHERS_12	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" \
			"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:" \
			"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"
#define SUITES_13	"TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:" \
			"TLS_AES_128_GCM_SHA256"

struct lt_tls_ctx {
	SSL_CTX *ssl;
	atomic_int refs;
	int sni;			/* the name is a DNS name: send it as SNI */
	char name[LT_TLS_NAME_MAX + 1];
};

struct lt_tls {
	SSL *ssl;
	struct lt_tls_ctx *ctx;
	size_t pend_len;
	char why[192];
	uint8_t pend[CHUNK];
};

/* OpenSSL's reason for its last error, or fallback. */
static const char *
ossl_reason(const char *fallback)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	return r != NULL ? r : fallback;
}

static int
ctx_fail(char *err, size_t errlen, const char *fmt, const char *file, const char *why)
{
	snprintf(err, errlen, fmt, file, why);
	ERR_clear_error();
	return -1;
}

static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return 0;
}

/* The key from a file only its owner may read, via a buffer wiped after use. */
static EVP_PKEY *
load_key(const char *path, char *err, size_t errlen)
{
	struct stat st;
	EVP_PKEY *pk = NULL;
	BIO *bio = NULL;
	char *buf = NULL;
	size_t len = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		ctx_fail(err, errlen, "TLS key file %s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > KEY_FILE_MAX) {
		ctx_fail(err, errlen, "TLS key file %s: %s", path,
		    "not a regular file of at most 64 KiB");
		goto out;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, errlen, "TLS key file %s: group or others may access it "
		    "(mode %03o); make it 0600 or 0400", path, (unsigned)(st.st_mode & 0777));
		goto out;
	}
	if ((buf = sodium_malloc((size_t)st.st_size + 1)) == NULL) {
		ctx_fail(err, errlen, "TLS key file %s: %s", path, "out of memory");
		goto out;
	}
	while (len < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + len, (size_t)st.st_size - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			ctx_fail(err, errlen, "TLS key file %s: cannot read: %s", path,
			    r < 0 ? strerror(errno) : "file shrank while being read");
			goto out;
		}
		len += (size_t)r;
	}
	if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL ||
	    (pk = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL)) == NULL)
		ctx_fail(err, errlen, "TLS key file %s: not an unencrypted PEM private key (%s)",
		    path, ossl_reason("unreadable"));
out:
	BIO_free(bio);
	if (buf != NULL)
		sodium_free(buf);	/* wipes */
	close(fd);
	return pk;
}

static int
set_peer_name(struct lt_tls_ctx *t, const char *name, char *err, size_t errlen)
{
	X509_VERIFY_PARAM *vp = SSL_CTX_get0_param(t->ssl);
	unsigned char a[16];

	if (name == NULL || name[0] == '\0' || strlen(name) > LT_TLS_NAME_MAX) {
		snprintf(err, errlen, "TLS name must be the agency's DNS name or IP address, "
		    "1 to %d characters", LT_TLS_NAME_MAX);
		return -1;
	}
	snprintf(t->name, sizeof(t->name), "%s", name);
	if (inet_pton(AF_INET, name, a) == 1 || inet_pton(AF_INET6, name, a) == 1) {
		if (X509_VERIFY_PARAM_set1_ip_asc(vp, name) != 1)
			goto bad;
		return 0;
	}
	for (const char *q = name; *q; q++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
		    (*q >= '0' && *q <= '9') || *q == '-' || *q == '.'))
			goto bad;
	X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (X509_VERIFY_PARAM_set1_host(vp, name, 0) != 1)
		goto bad;
	t->sni = 1;
	return 0;
bad:
	snprintf(err, errlen, "TLS name is neither a valid DNS name nor an IP address");
	ERR_clear_error();
	return -1;
}

int
lt_tls_ctx_new(struct lt_tls_ctx **out, const struct lt_tls_conf *conf, char *err,
    size_t errlen)
{
	struct lt_tls_ctx *t;
	EVP_PKEY *pk;
	uint64_t opts = SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_IGNORE_UNEXPECTED_EOF;

	*out = NULL;
	if (conf->min_version != 12 && conf->min_version != 13) {
		snprintf(err, errlen, "TLS min_version must be \"1.2\" or \"1.3\"");
		return -1;
	}
	if (conf->cert == NULL || conf->key == NULL ||
	    (conf->role == LT_TLS_CLIENT && conf->ca == NULL)) {
		snprintf(err, errlen, "TLS needs a certificate, a key%s",
		    conf->role == LT_TLS_CLIENT ? " and the agency's CA" : "");
		return -1;
	}
	if (sodium_init() < 0 || (t = calloc(1, sizeof(*t))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	atomic_init(&t->refs, 1);
	ERR_clear_error();
	t->ssl = SSL_CTX_new(conf->role == LT_TLS_CLIENT ? TLS_client_method() :
	    TLS_server_method());
	if (t->ssl == NULL) {
		snprintf(err, errlen, "TLS: %s", ossl_reason("cannot create a context"));
		goto fail;
	}
	if (conf->role == LT_TLS_SERVER)
		opts |= SSL_OP_CIPHER_SERVER_PREFERENCE;
	SSL_CTX_set_options(t->ssl, opts);
	SSL_CTX_set_mode(t->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (SSL_CTX_set_min_proto_version(t->ssl, conf->min_version == 13 ?
	    TLS1_3_VERSION : TLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(t->ssl, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_set_cipher_list(t->ssl, CIPHERS_12) != 1 ||
	    SSL_CTX_set_ciphersuites(t->ssl, SUITES_13) != 1) {
		snprintf(err, errlen, "TLS: %s", ossl_reason("cannot set versions or ciphers"));
		goto fail;
	}
	if (SSL_CTX_use_certificate_chain_file(t->ssl, conf->cert) != 1) {
		ctx_fail(err, errlen, "TLS certificate file %s: cannot load a PEM certificate (%s)",
		    conf->cert, ossl_reason("unreadable"));
		goto fail;
	}
	if ((pk = load_key(conf->key, err, errlen)) == NULL)
		goto fail;
	if (SSL_CTX_use_PrivateKey(t->ssl, pk) != 1 || SSL_CTX_check_private_key(t->ssl) != 1) {
		EVP_PKEY_free(pk);
		ctx_fail(err, errlen, "TLS key file %s: does not match the certificate (%s)",
		    conf->key, ossl_reason("mismatch"));
		goto fail;
	}
	EVP_PKEY_free(pk);
	if (conf->ca != NULL) {
		/* The given CAs only: the system's store is never loaded. */
		if (SSL_CTX_load_verify_locations(t->ssl, conf->ca, NULL) != 1) {
			ctx_fail(err, errlen, "TLS CA file %s: cannot load PEM certificates (%s)",
			    conf->ca, ossl_reason("unreadable"));
			goto fail;
		}
		SSL_CTX_set_verify(t->ssl, SSL_VERIFY_PEER |
		    (conf->role == LT_TLS_SERVER ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0), NULL);
	}
	if (conf->role == LT_TLS_CLIENT && set_peer_name(t, conf->name, err, errlen) < 0)
		goto fail;
	*out = t;
	return 0;
fail:
	ERR_clear_error();
	SSL_CTX_free(t->ssl);
	free(t);
	return -1;
}

struct lt_tls_ctx *
lt_tls_ctx_ref(struct lt_tls_ctx *ctx)
{
	if (ctx != NULL)
		atomic_fetch_add(&ctx->refs, 1);
	return ctx;
}

void
lt_tls_ctx_unref(struct lt_tls_ctx *ctx)
{
	if (ctx == NULL || atomic_fetch_sub(&ctx->refs, 1) != 1)
		return;
	SSL_CTX_free(ctx->ssl);
	free(ctx);
}

struct lt_tls *
lt_tls_new(struct lt_tls_ctx *ctx, int fd, char *err, size_t errlen)
{
	struct lt_tls *t = calloc(1, sizeof(*t));

	if (t == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ERR_clear_error();
	if ((t->ssl = SSL_new(ctx->ssl)) == NULL || SSL_set_fd(t->ssl, fd) != 1 ||
	    (ctx->sni && SSL_set_tlsext_host_name(t->ssl, ctx->name) != 1)) {
		snprintf(err, errlen, "TLS: %s", ossl_reason("cannot create a session"));
		ERR_clear_error();
		SSL_free(t->ssl);
		free(t);
		return NULL;
	}
	if (SSL_is_server(t->ssl))
		SSL_set_accept_state(t->ssl);
	else
		SSL_set_connect_state(t->ssl);
	t->ctx = lt_tls_ctx_ref(ctx);
	return t;
}

void
lt_tls_free(struct lt_tls *t)
{
	if (t == NULL)
		return;
	SSL_free(t->ssl);
	lt_tls_ctx_unref(t->ctx);
	sodium_memzero(t->pend, sizeof(t->pend));
	free(t);
}

/* Turns an SSL_ERROR_* into errno, with t->why for a TLS error; returns -1, or 0 at EOF. */
static int
io_error(struct lt_tls *t, int r)
{
	int e = SSL_get_error(t->ssl, r), saved = errno;

	switch (e) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	case SSL_ERROR_SYSCALL:
		ERR_clear_error();
		if (saved == 0)
			return 0;	/* end of stream without close_notify */
		snprintf(t->why, sizeof(t->why), "%s", strerror(saved));
		errno = saved;
		return -1;
	default:
		snprintf(t->why, sizeof(t->why), "%s", ossl_reason("TLS error"));
		ERR_clear_error();
		errno = EPROTO;
		return -1;
	}
}

int
lt_tls_handshake(struct lt_tls *t)
{
	long v;
	int r;

	ERR_clear_error();
	errno = 0;
	if ((r = SSL_do_handshake(t->ssl)) == 1)
		return 1;
	switch (SSL_get_error(t->ssl, r)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return 0;
	case SSL_ERROR_SYSCALL:
	case SSL_ERROR_ZERO_RETURN:
		snprintf(t->why, sizeof(t->why), "%s", errno != 0 ? strerror(errno) :
		    "the peer closed the connection during the handshake");
		break;
	default:
		if ((v = SSL_get_verify_result(t->ssl)) != X509_V_OK)
			snprintf(t->why, sizeof(t->why), "certificate verify failed: %s",
			    X509_verify_cert_error_string(v));
		else
			snprintf(t->why, sizeof(t->why), "%s", ossl_reason("TLS error"));
		break;
	}
	ERR_clear_error();
	return -1;
}

/* A write that failed: -1 with errno, EPIPE if the peer ended the stream. */
static int
write_error(struct lt_tls *t, int r)
{
	if (io_error(t, r) == 0) {
		snprintf(t->why, sizeof(t->why), "the peer closed the connection");
		errno = EPIPE;
	}
	return -1;
}

/* The bytes taken earlier that the socket did not take: they go first. */
static int
flush_pending(struct lt_tls *t)
{
	while (t->pend_len > 0) {
		int r;

		ERR_clear_error();
		errno = 0;
		r = SSL_write(t->ssl, t->pend, (int)t->pend_len);
		if (r <= 0)
			return write_error(t, r);
		memmove(t->pend, t->pend + r, t->pend_len - (size_t)r);
		t->pend_len -= (size_t)r;
	}
	return 0;
}

ssize_t
lt_tls_send(struct lt_tls *t, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t took = 0;

	if (flush_pending(t) < 0)
		return -1;
	while (took < len) {
		size_t n = len - took < CHUNK ? len - took : CHUNK;
		int r;

		ERR_clear_error();
		errno = 0;
		r = SSL_write(t->ssl, p + took, (int)n);
		if (r > 0) {
			took += (size_t)r;
			continue;
		}
		if (write_error(t, r) < 0 && errno == EAGAIN) {
			/*
			 * This record is already sealed and partly on the wire: the
			 * same bytes must be offered again, so they are ours now.
			 */
			memcpy(t->pend, p + took, n);
			t->pend_len = n;
			took += n;
			break;
		}
		if (took > 0)
			break;	/* the error shows again at the next call */
		return -1;
	}
	return (ssize_t)took;
}

ssize_t
lt_tls_recv(struct lt_tls *t, void *buf, size_t len)
{
	int r;

	if (len == 0)
		return 0;
	ERR_clear_error();
	errno = 0;
	r = SSL_read(t->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);
	if (r > 0)
		return r;
	return io_error(t, r);
}

size_t
lt_tls_pending(const struct lt_tls *t)
{
	return t->pend_len;
}

void
lt_tls_close_notify(struct lt_tls *t)
{
	if (SSL_is_init_finished(t->ssl))
		SSL_shutdown(t->ssl);
	ERR_clear_error();
}

const char *
lt_tls_why(const struct lt_tls *t)
{
	return t->why[0] ? t->why : "TLS error";
}

const char *
lt_tls_describe(const struct lt_tls *t, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s", SSL_get_version(t->ssl), SSL_get_cipher_name(t->ssl));
	return buf;
}
