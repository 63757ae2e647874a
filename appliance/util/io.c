/* io.c - whole writes. */
#include <errno.h>
#include <unistd.h>

#include "util/io.h"

int
lt_write_all(int fd, const void *p, size_t n)
{
	const char *b = p;
	ssize_t r;

	while (n > 0) {
		if ((r = write(fd, b, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		b += r;
		n -= (size_t)r;
	}
	return 0;
}
