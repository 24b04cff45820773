/*
 * Logging for every carrierlab module.
 *
 * Lines go to stderr and read as "<object-id> <event> key=value ...": the
 * caller writes the id and the event as the start of its format, so logs can
 * be grepped and parsed. log_warn() appends strerror(errno); the *x variants
 * do not. fatal() and fatalx() log and exit(1).
 */
#ifndef CARRIERLAB_COMMON_LOG_H
#define CARRIERLAB_COMMON_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

/* Sets the threshold; messages above it are dropped. Default: INFO. */
void	log_set_level(enum log_level);
enum log_level log_get_level(void);
/* "error", "warn", "info" or "debug" into *level; -1 for anything else. */
int	log_level_parse(const char *, enum log_level *level);
/* Routes libevent's internal messages through this log. */
void	log_route_libevent(void);

void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
