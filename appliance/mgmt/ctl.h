/* ctl.h - the root-only control socket: one JSON request per line, one JSON reply per line. */
#ifndef LT_CTL_H
#define LT_CTL_H

#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#define LT_CTL_PATH		"/run/lawtap/control.sock"
#define LT_CTL_MAX_LINE		65536	/* bytes in one request, without its newline */
#define LT_CTL_MAX_CLIENTS	8
#define LT_CTL_MAX_REPLY	(16 * 1024 * 1024)	/* what the client side accepts */
#define LT_CTL_WRITE_MS		2000	/* a client that takes longer to read a reply is dropped */
#define LT_CTL_IDLE_MS		60000	/* a client that sends no request this long is dropped */

struct lt_ctl;

/*
 * Answers one request: a JSON object whose "cmd" is a string.  Returns a new
 * reference, which the control socket releases; NULL is answered as an
 * internal error.
 */
typedef json_t *(*lt_ctl_handler)(void *arg, const json_t *req, uid_t peer_uid);

/*
 * Listens on path (a Unix stream socket, mode 0600).  A stale socket left by
 * a dead daemon is removed; a path where a daemon still answers, or which is
 * not a socket, is refused.  NULL and a message in err on failure.
 */
struct lt_ctl *lt_ctl_listen(const char *path, char *err, size_t errlen);
int lt_ctl_fd(const struct lt_ctl *ctl);
/*
 * Accepts clients, reads requests, calls fn and writes replies, waiting at
 * most timeout_ms for something to happen; no socket operation blocks.
 * Only root peers (SO_PEERCRED) are served: others get an error reply.
 */
void lt_ctl_poll(struct lt_ctl *ctl, int timeout_ms, lt_ctl_handler fn, void *arg);
/* Closes every client and the socket, and removes the socket file if it is still ours. */
void lt_ctl_close(struct lt_ctl *ctl);

/* {"ok": false, "error": msg}: a new reference, or NULL without memory. */
json_t *lt_ctl_error(const char *msg);

/*
 * The request parser: one line (without its newline) to a JSON object with a
 * "cmd" of 1 to 32 characters from a-z 0-9 -.  0 and a new reference in *req,
 * or -1 and a message that never quotes the line.
 */
int lt_ctl_parse(const char *line, size_t len, json_t **req, char *err, size_t errlen);

/*
 * Client side: sends req to the daemon on path, waits at most timeout_ms in
 * all for the reply line.  0 and a new reference in *reply, or -1 and err.
 */
int lt_ctl_request(const char *path, const json_t *req, json_t **reply, int timeout_ms,
    char *err, size_t errlen);

#endif
