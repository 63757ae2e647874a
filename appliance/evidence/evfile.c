/* evfile.c - reading a store's files back: the whole manifest, and a file's size and SHA-256. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "evidence/evfile.h"

static int
open_reg(int dirfd, const char *name, struct stat *st)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

int
ev_read_all(int dirfd, const char *name, char **bufp, size_t *lenp)
{
	struct stat st;
	size_t got = 0;
	ssize_t r;
	char *buf;
	int fd;

	*bufp = NULL;
	*lenp = 0;
	if ((fd = open_reg(dirfd, name, &st)) < 0)
		return fd;
	if ((uint64_t)st.st_size > EV_MANIFEST_MAX) {
		close(fd);
		return -EFBIG;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			free(buf);
			close(fd);
			return (int)r;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	*bufp = buf;
	*lenp = got;
	return 0;
}

int
ev_hash_file(int dirfd, const char *name, uint64_t *size,
    uint8_t sha256[static EV_HASH_LEN])
{
	static __thread uint8_t buf[65536];
	crypto_hash_sha256_state h;
	struct stat st;
	ssize_t r;
	int fd;

	if ((fd = open_reg(dirfd, name, &st)) < 0)
		return fd;
	crypto_hash_sha256_init(&h);
	*size = 0;
	for (;;) {
		r = read(fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			close(fd);
			return (int)r;
		}
		if (r == 0)
			break;
		crypto_hash_sha256_update(&h, buf, (size_t)r);
		*size += (uint64_t)r;
	}
	close(fd);
	crypto_hash_sha256_final(&h, sha256);
	return 0;
}
