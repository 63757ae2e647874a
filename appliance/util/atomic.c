/* atomic.c - temp file, fsync, rename, fsync the directory. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/atomic.h"
#include "util/io.h"

int
lt_atomic_write(int dirfd, const char *name, const void *buf, size_t len,
    char *err, size_t errlen)
{
	char tmp[NAME_MAX + 1];
	int fd, n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	if (n < 0 || (size_t)n >= sizeof(tmp) || strchr(name, '/') != NULL) {
		snprintf(err, errlen, "cannot write %s: not a plain file name", name);
		return -1;
	}
	if (unlinkat(dirfd, tmp, 0) < 0 && errno != ENOENT) {
		snprintf(err, errlen, "cannot remove stale %s: %s", tmp,
		    strerror(errno));
		return -1;
	}
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
		return -1;
	}
	if (lt_write_all(fd, buf, len) < 0 || fsync(fd) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		close(fd);
		goto fail;
	}
	if (close(fd) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, name,
		    strerror(errno));
		goto fail;
	}
	/* the rename is only durable once the directory is on disk */
	if (fsync(dirfd) < 0) {
		snprintf(err, errlen, "%s replaced but its directory could not be "
		    "synced: %s", name, strerror(errno));
		return -2;
	}
	return 0;
fail:
	unlinkat(dirfd, tmp, 0);
	return -1;
}
