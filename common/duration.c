/*
 * Durations in text: see duration.h.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "common/duration.h"

/* Largest first, so a duration is shown in the largest exact unit. */
static const struct {
	const char	*unit;
	int64_t		 usec;
} duration_units[] = {
	{ "d", INT64_C(86400000000) },
	{ "h", INT64_C(3600000000) },
	{ "m", INT64_C(60000000) },
	{ "s", INT64_C(1000000) },
	{ "ms", INT64_C(1000) },
	{ "us", INT64_C(1) },
};

#define NUNITS (sizeof duration_units / sizeof duration_units[0])

/*
 * Parsed by hand rather than with strtod, which would take "inf", hex,
 * exponents and the locale's decimal comma.
 */
int
duration_parse(const char *s, double *usec)
{
	double	value = 0, scale = 1;
	int	digits = 0, dot = 0;
	size_t	i;

	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9') {
			if (dot)
				scale /= 10;
			value = value * 10 + (*s - '0');
			digits++;
		} else if (*s == '.' && !dot)
			dot = 1;
		else
			break;
	}
	if (digits == 0)
		return -1;
	for (i = 0; i < NUNITS; i++) {
		if (strcmp(s, duration_units[i].unit) == 0) {
			*usec = value * scale * (double)duration_units[i].usec;
			return 0;
		}
	}
	return -1;
}

void
duration_format(int64_t usec, char *buf, size_t len)
{
	size_t	i;

	if (usec == 0) {
		snprintf(buf, len, "0s");
		return;
	}
	for (i = 0; i < NUNITS - 1; i++)
		if (usec % duration_units[i].usec == 0)
			break;
	snprintf(buf, len, "%lld%s",
	    (long long)(usec / duration_units[i].usec), duration_units[i].unit);
}
