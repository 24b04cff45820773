/*
 * Durations as people write them in scenario files and /sim/ requests: a
 * number, optionally with a fraction, and a unit with no space between
 * them: us, ms, s, m (minutes), h, d (days of 24 hours). "250ms", "1.5s",
 * "90d". Values are microseconds, the unit of common/clock.h.
 */
#ifndef CARRIERLAB_COMMON_DURATION_H
#define CARRIERLAB_COMMON_DURATION_H

#include <stddef.h>
#include <stdint.h>

/* Ten years: far beyond any timer, far below int64 overflow. */
#define DURATION_MAX	(INT64_C(3650) * 86400 * 1000000)

/*
 * Reads text as a duration into *usec (as a double, unrounded, so that the
 * caller can judge the range). Digits with at most one '.', then a unit;
 * no sign, exponent, "inf" or locale comma. Returns 0, or -1 when text is
 * not a duration.
 */
int	duration_parse(const char *text, double *usec);
/* Writes usec in the largest unit that shows it exactly ("1500ms", "2d",
 * "0s"). */
void	duration_format(int64_t usec, char *buf, size_t len);

#endif
