/*
 * Command-line option values, checked the same way by every program:
 * each function prints "PROG: --OPT: reason" to stderr and returns -1 on
 * a bad value, 0 otherwise.
 */
#ifndef CARRIERLAB_COMMON_CLI_H
#define CARRIERLAB_COMMON_CLI_H

#include <stdint.h>

/* Prints "prog: --opt: " and the message; returns -1. */
int	cli_fail(const char *prog, const char *opt, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* A decimal integer from min to max (no sign). */
int	cli_u64(const char *prog, const char *opt, const char *s,
	    uint64_t min, uint64_t max, uint64_t *v);
/* A duration as scenario files write them ("500ms", "30s", "1.5m"), at
 * least min_usec. */
int	cli_duration(const char *prog, const char *opt, const char *s,
	    int64_t min_usec, int64_t *usec);

#endif
