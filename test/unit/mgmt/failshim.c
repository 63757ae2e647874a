/* failshim.c - LD_PRELOAD for crash tests: once armed, step N of write/fsync/rename/open fails or exits. */
/* open and open64 are both defined here: no redirection of one to the other */
#undef _FILE_OFFSET_BITS
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/types.h>
#include <unistd.h>

/* Looked up with dlsym(RTLD_DEFAULT, ...) by the tests. */
void failshim_arm(long n, int exit_instead);
void failshim_disarm(void);
int failshim_fired(void);

static long target = -1, count;
static int exit_mode, fired;

void
failshim_arm(long n, int exit_instead)
{
	count = 0;
	fired = 0;
	exit_mode = exit_instead;
	target = n;
}

void
failshim_disarm(void)
{
	target = -1;
}

int
failshim_fired(void)
{
	return fired;
}

/* 1 when this call is the one to fail; _exit(99) instead in exit mode. */
static int
step(void)
{
	if (target < 0 || count++ != target)
		return 0;
	fired = 1;
	if (exit_mode)
		_exit(99);
	errno = EIO;
	return 1;
}

#define REAL(name)	static __typeof__(name) *real_##name;			\
	if (real_##name == NULL)					\
		real_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

ssize_t
write(int fd, const void *buf, size_t n)
{
	REAL(write);
	return step() ? -1 : real_write(fd, buf, n);
}

int
fsync(int fd)
{
	REAL(fsync);
	return step() ? -1 : real_fsync(fd);
}

int
fdatasync(int fd)
{
	REAL(fdatasync);
	return step() ? -1 : real_fdatasync(fd);
}

int
rename(const char *a, const char *b)
{
	REAL(rename);
	return step() ? -1 : real_rename(a, b);
}

int
renameat(int da, const char *a, int db, const char *b)
{
	REAL(renameat);
	return step() ? -1 : real_renameat(da, a, db, b);
}

int
renameat2(int da, const char *a, int db, const char *b, unsigned flags)
{
	REAL(renameat2);
	return step() ? -1 : real_renameat2(da, a, db, b, flags);
}

#define OPEN_MODE(flags, ap, mode)	do {				\
	if ((flags) & (O_CREAT | __O_TMPFILE)) {			\
		va_start(ap, flags);					\
		mode = va_arg(ap, int);					\
		va_end(ap);						\
	}								\
} while (0)

int
open(const char *path, int flags, ...)
{
	va_list ap;
	int mode = 0;

	REAL(open);
	OPEN_MODE(flags, ap, mode);
	return step() ? -1 : real_open(path, flags, mode);
}

int
open64(const char *path, int flags, ...)
{
	va_list ap;
	int mode = 0;

	REAL(open64);
	OPEN_MODE(flags, ap, mode);
	return step() ? -1 : real_open64(path, flags, mode);
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	int mode = 0;

	REAL(openat);
	OPEN_MODE(flags, ap, mode);
	return step() ? -1 : real_openat(dirfd, path, flags, mode);
}

int
openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	int mode = 0;

	REAL(openat64);
	OPEN_MODE(flags, ap, mode);
	return step() ? -1 : real_openat64(dirfd, path, flags, mode);
}
