/* store.h - an evidence store: rotated pcap files listed in a signed, hash-chained manifest. */
#ifndef LT_EV_STORE_H
#define LT_EV_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "evidence/manifest.h"

struct ev_store_conf {
	const char *dir;	/* exists; one store per directory */
	const char *prefix;	/* [A-Za-z0-9_-]{1,32}: a warrant index, never a target */
	uint32_t linktype;	/* EV_LINKTYPE_RAW or EV_LINKTYPE_ETHERNET */
	uint32_t snaplen;	/* 0: 65535 */
	uint64_t max_bytes;	/* rotate before a file passes this; 0: 1 GiB */
	uint32_t max_age;	/* seconds of packet time per file; 0: 3600 */
};

/* The points where a file's closing can stop; for the crash tests. */
enum ev_step {
	EV_STEP_OPENED,		/* temp file created, header still buffered */
	EV_STEP_SYNCED,		/* file written and fsynced */
	EV_STEP_APPENDED,	/* manifest entry and signature written */
	EV_STEP_LISTED,		/* manifest fsynced */
	EV_STEP_DONE,		/* renamed into place, directory fsynced */
};

struct ev_store;

/*
 * Opens dir as a store, signing with sk (EV_SK_LEN bytes, e.g. from
 * ev_key_load_secret; the caller keeps it alive and frees it after
 * ev_store_close).  A new store gets a random id and its MANIFEST; an
 * existing one is checked and continued: a manifest a crash left with a
 * partial last entry is cut back to its last whole entry, and a file a
 * crash left listed but not yet renamed is renamed.  Any other problem
 * refuses the store (run `lawtap evidence verify`).  The public key is
 * written to dir as evidence.pub if absent and must match if present.
 * Returns 0, or -1 with a message in err.
 */
int ev_store_open(struct ev_store **sp, const struct ev_store_conf *conf,
    const uint8_t *sk, char *err, size_t errlen);

/*
 * Adds one packet at its capture time (the caller's clock: packet times
 * drive rotation).  Opens a file on the first packet; closes and lists the
 * current one first when this packet would pass max_bytes or is max_age
 * after its first packet.  No allocation; a write(2) only per full
 * 64 KiB buffer (and the close work on rotation).  Returns 0, or -1 once
 * the store has failed (ev_store_error says why; the file is left as a
 * temp file, and the store must be closed and reopened).
 */
int ev_store_write(struct ev_store *s, uint64_t sec, uint32_t usec,
    const void *pkt, uint32_t len, uint32_t origlen);

/* Closes the current file if it is max_age old at now (call it when idle). */
int ev_store_tick(struct ev_store *s, uint64_t now_sec);
/* Closes and lists the current file, if any. */
int ev_store_rotate(struct ev_store *s);
/* Rotates, then frees the store.  Returns what the rotation returned. */
int ev_store_close(struct ev_store *s);

const char *ev_store_error(const struct ev_store *s);
/* Sequence of the next file and hash of the last listed entry. */
uint64_t ev_store_next_seq(const struct ev_store *s);

/* Tests only: hook(arg, step) at each step of closing a file. */
void ev_store_set_hook(struct ev_store *s, void (*hook)(void *, enum ev_step),
    void *arg);

#endif
