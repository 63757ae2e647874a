/* log.h - operator-facing log lines on stderr; never a target's identity. */
#ifndef LT_LOG_H
#define LT_LOG_H

enum lt_log_level { LT_LOG_ERR, LT_LOG_WARN, LT_LOG_INFO, LT_LOG_DEBUG };

void lt_log_set_level(enum lt_log_level lvl);
void lt_log(enum lt_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prints "lawtap: <msg>" and exits 1.  Start-up and broken invariants only. */
void lt_fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

#define log_err(...)   lt_log(LT_LOG_ERR, __VA_ARGS__)
#define log_warn(...)  lt_log(LT_LOG_WARN, __VA_ARGS__)
#define log_info(...)  lt_log(LT_LOG_INFO, __VA_ARGS__)
#define log_debug(...) lt_log(LT_LOG_DEBUG, __VA_ARGS__)

#endif
