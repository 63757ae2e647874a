/* log.c - timestamped log lines on stderr. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "util/log.h"

static enum lt_log_level log_level = LT_LOG_INFO;
static const char *const level_name[] = { "error", "warning", "info", "debug" };

void
lt_log_set_level(enum lt_log_level lvl)
{
	log_level = lvl;
}

static void
vlog(enum lt_log_level lvl, const char *fmt, va_list ap)
{
	char stamp[32];
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	flockfile(stderr);
	fprintf(stderr, "%s.%03ldZ lawtap %s: ", stamp, ts.tv_nsec / 1000000,
	    level_name[lvl]);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}

void
lt_log(enum lt_log_level lvl, const char *fmt, ...)
{
	va_list ap;

	if (lvl > log_level)
		return;
	va_start(ap, fmt);
	vlog(lvl, fmt, ap);
	va_end(ap);
}

void
lt_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LT_LOG_ERR, fmt, ap);
	va_end(ap);
	exit(1);
}
