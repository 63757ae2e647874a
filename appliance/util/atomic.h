/* atomic.h - replace a file in a directory so that a crash leaves the old or the new content. */
#ifndef LT_ATOMIC_H
#define LT_ATOMIC_H

#include <stddef.h>

/*
 * dirfd is a directory opened O_RDONLY (fsync on it must work).
 * Writes buf to NAME.tmp in dirfd (created 0600, O_EXCL; a stale NAME.tmp
 * left by a crash is removed first), fsyncs it, renames it over NAME and
 * fsyncs the directory.  Callers serialise writers of the same name.
 * 0 on success.  -1 with a message in err: NAME is untouched and NAME.tmp
 * is removed where possible.  -2 with a message: NAME holds the new content
 * but the directory sync failed, so a power cut may still bring back the old.
 */
int lt_atomic_write(int dirfd, const char *name, const void *buf, size_t len,
    char *err, size_t errlen);

#endif
