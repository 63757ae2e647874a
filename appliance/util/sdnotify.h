/* sdnotify.h - systemd's notify protocol over $NOTIFY_SOCKET (ready, watchdog) without libsystemd. */
#ifndef LT_SDNOTIFY_H
#define LT_SDNOTIFY_H

#include <stddef.h>
#include <stdint.h>

/*
 * Sends msg ("READY=1", "WATCHDOG=1", "STOPPING=1") to $NOTIFY_SOCKET.
 * 1 sent, 0 not run by systemd (no $NOTIFY_SOCKET), -1 with err (err may be NULL).
 */
int lt_sd_notify(const char *msg, char *err, size_t errlen);

/*
 * The watchdog interval systemd asked of this process (WatchdogSec=, through
 * $WATCHDOG_USEC and $WATCHDOG_PID) in microseconds; 0 when none was asked or
 * the variables are malformed or meant for another process.
 */
uint64_t lt_sd_watchdog_usec(void);

struct lt_sd_watchdog {
	uint64_t half_ns;	/* 0: no watchdog */
	uint64_t last_ns;
	int sent;
};

/* Reads the interval from the environment (lt_sd_watchdog_usec). */
void lt_sd_watchdog_init(struct lt_sd_watchdog *w);

/*
 * Call often from one thread: sends WATCHDOG=1 when half the interval has
 * passed since the last one (now_ns from a monotonic clock).  1 sent,
 * 0 nothing due or no watchdog, -1 with err (err may be NULL).
 */
int lt_sd_watchdog_ping(struct lt_sd_watchdog *w, uint64_t now_ns, char *err, size_t errlen);

#endif
