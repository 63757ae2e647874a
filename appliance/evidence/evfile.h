/* evfile.h - reading a store's files back: the whole manifest, and a file's size and SHA-256. */
#ifndef LT_EV_FILE_H
#define LT_EV_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "evidence/manifest.h"

#define EV_MANIFEST_MAX	(256u << 20)	/* a bigger manifest is refused */

/* Reads name in dirfd into a malloc'd *buf (free it). 0, or -errno. */
int ev_read_all(int dirfd, const char *name, char **buf, size_t *len);

/* Size and SHA-256 of a regular file in dirfd. 0, or -errno. */
int ev_hash_file(int dirfd, const char *name, uint64_t *size,
    uint8_t sha256[static EV_HASH_LEN]);

#endif
