/* pcapw.h - one evidence pcap file: buffered, hashed as written, published by rename. */
#ifndef LT_EV_PCAPW_H
#define LT_EV_PCAPW_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "evidence/manifest.h"

#define EV_LINKTYPE_ETHERNET	1
#define EV_LINKTYPE_RAW		101	/* IPv4 or IPv6 packets, no link header */
#define EV_PCAPW_BUF		65536
#define EV_PCAP_HDR		24
#define EV_PCAP_REC_HDR		16

/*
 * A classic little-endian pcap file (magic a1b2c3d4, version 2.4,
 * microsecond times).  It is written as ".NAME.tmp" (O_EXCL, 0600) and
 * becomes NAME only in ev_pcapw_publish; the SHA-256 is taken over each
 * buffer as it is written, never by reading the file back.
 */
struct ev_pcapw {
	int fd, dirfd;
	char name[EV_NAME_MAX + 1];
	char tmp[EV_NAME_MAX + 7];
	uint32_t snaplen;
	size_t used;
	uint64_t size, packets;		/* bytes and records so far */
	uint64_t first_sec, last_sec;
	uint32_t first_usec, last_usec;
	crypto_hash_sha256_state sha;
	uint8_t buf[EV_PCAPW_BUF];
};

/* The temp name of a file: ".NAME.tmp" into tmp. 0, or -1 if NAME is bad. */
int ev_pcapw_tmpname(const char *name, char tmp[static EV_NAME_MAX + 7]);

/*
 * Creates the temp file in dirfd and buffers the file header.  Returns 0,
 * or -1 with a message in err (w->fd is -1 then).
 */
int ev_pcapw_open(struct ev_pcapw *w, int dirfd, const char *name,
    uint32_t linktype, uint32_t snaplen, char *err, size_t errlen);

/*
 * Adds one record: caplen = min(len, snaplen) bytes of pkt, origlen as the
 * wire length (at least len).  Writes only when the buffer fills.  sec
 * must fit 32 bits and usec be under 10^6.  Returns 0, or -1 + err.
 */
int ev_pcapw_add(struct ev_pcapw *w, uint64_t sec, uint32_t usec,
    const void *pkt, uint32_t len, uint32_t origlen, char *err, size_t errlen);

/* The size the file will have after adding a record of len bytes. */
uint64_t ev_pcapw_size_after(const struct ev_pcapw *w, uint32_t len);

/* Writes what is buffered, fsyncs, and gives the file's SHA-256. 0 or -1 + err. */
int ev_pcapw_finish(struct ev_pcapw *w, uint8_t sha256[static EV_HASH_LEN],
    char *err, size_t errlen);
/* Closes, renames the temp file to its name and fsyncs the directory. */
int ev_pcapw_publish(struct ev_pcapw *w, char *err, size_t errlen);
/* Closes without publishing: the temp file stays for verify to report. */
void ev_pcapw_abandon(struct ev_pcapw *w);

#endif
