/*
 * The proleptic Gregorian calendar in integer arithmetic, for the hot
 * paths and parsers that would otherwise call timegm() and gmtime_r()
 * (several hundred instructions each). Years count from March, so that
 * February, with its leap day, ends a year, and 400 years (an era) are
 * 146,097 days.
 */
#ifndef CARRIERLAB_COMMON_CALENDAR_H
#define CARRIERLAB_COMMON_CALENDAR_H

#include <stdint.h>

/* a / b rounded towards minus infinity (b != 0): the day or second an
 * instant before the epoch falls in. */
int64_t	calendar_floor_div(int64_t a, int64_t b);
/* Days since 1970-01-01 of year-month-day (month 1-12, day 1-31). */
int64_t	calendar_days_from_civil(int64_t year, int month, int day);
/* The date of a day since 1970-01-01. */
void	calendar_civil_from_days(int64_t days, int64_t *year, int *month,
	    int *day);

#endif
