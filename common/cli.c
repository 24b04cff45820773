/*
 * Command-line option values; see cli.h.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/cli.h"
#include "common/duration.h"

int
cli_fail(const char *prog, const char *opt, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: --%s: ", prog, opt);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

int
cli_u64(const char *prog, const char *opt, const char *s, uint64_t min,
    uint64_t max, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' ||
	    *v < min || *v > max)
		return cli_fail(prog, opt, "\"%s\" is not a number from %"
		    PRIu64 " to %" PRIu64, s, min, max);
	return 0;
}

int
cli_duration(const char *prog, const char *opt, const char *s,
    int64_t min_usec, int64_t *usec)
{
	double v;

	if (duration_parse(s, &v) == -1 || v > (double)DURATION_MAX ||
	    v < (double)min_usec)
		return cli_fail(prog, opt, "\"%s\" is not a duration (a number "
		    "and a unit: 500ms, 30s, 2m)", s);
	*usec = (int64_t)llround(v);
	return 0;
}
