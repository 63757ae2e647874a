/* io.h - small helpers for whole writes to a file descriptor. */
#ifndef LT_IO_H
#define LT_IO_H

#include <stddef.h>

/* Writes all n bytes (retrying short writes and EINTR); 0, or -1 with errno. */
int lt_write_all(int fd, const void *p, size_t n);

#endif
