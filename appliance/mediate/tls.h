/* tls.h - TLS for handover connections: an agency's settings, non-blocking sessions. */
#ifndef LT_TLS_H
#define LT_TLS_H

#include <stddef.h>
#include <sys/types.h>

#define LT_TLS_NAME_MAX	253

enum lt_tls_role { LT_TLS_CLIENT, LT_TLS_SERVER };

struct lt_tls_conf {
	enum lt_tls_role role;
	const char *cert;	/* PEM: our certificate, then any intermediates */
	const char *key;	/* PEM, unencrypted, mode 0600 or stricter */
	const char *ca;		/* PEM: the only CAs trusted for the peer; NULL: server, no client cert */
	const char *name;	/* client: the DNS name or IP address the peer's certificate must carry */
	int min_version;	/* 12 or 13 */
};

/* Loaded settings, shared by the connections that use them (reference counted). */
struct lt_tls_ctx;

/*
 * Reads the certificate, key and CA files once.  Refuses a key file that
 * group or others may access, and a key that does not match the
 * certificate.  On failure returns -1 with a message naming the file (never
 * quoting it) in err.
 */
int lt_tls_ctx_new(struct lt_tls_ctx **out, const struct lt_tls_conf *conf,
    char *err, size_t errlen);
struct lt_tls_ctx *lt_tls_ctx_ref(struct lt_tls_ctx *ctx);
void lt_tls_ctx_unref(struct lt_tls_ctx *ctx);

/* One TLS session on a connected non-blocking socket (which it does not close). */
struct lt_tls;

struct lt_tls *lt_tls_new(struct lt_tls_ctx *ctx, int fd, char *err, size_t errlen);
void lt_tls_free(struct lt_tls *t);

/*
 * Advances the handshake: 1 when done, 0 when it waits for the peer, -1 on
 * failure (lt_tls_why says why: the verification result or OpenSSL's error).
 */
int lt_tls_handshake(struct lt_tls *t);

/*
 * As send(2) and recv(2) on a non-blocking socket: bytes taken or read,
 * recv 0 at the peer's end of stream, or -1 with errno (EAGAIN: try again;
 * EPROTO: a TLS error, see lt_tls_why).  Bytes lt_tls_send took are the
 * session's: if the socket could not take all of them yet, they go out first
 * at the next call, whatever that call is given.
 */
ssize_t lt_tls_send(struct lt_tls *t, const void *buf, size_t len);
ssize_t lt_tls_recv(struct lt_tls *t, void *buf, size_t len);
/* Bytes taken by lt_tls_send that the socket has not taken yet. */
size_t lt_tls_pending(const struct lt_tls *t);
/* Sends close_notify (best effort, does not wait). */
void lt_tls_close_notify(struct lt_tls *t);

/* The last failure, e.g. "certificate verify failed: hostname mismatch". */
const char *lt_tls_why(const struct lt_tls *t);
/* "TLSv1.3 TLS_AES_256_GCM_SHA384" once the handshake is done. */
const char *lt_tls_describe(const struct lt_tls *t, char *buf, size_t len);

#endif
