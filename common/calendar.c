#include "config.h"

#include "common/calendar.h"

#define CALENDAR_DAYS_PER_ERA		146097
#define CALENDAR_DAYS_0000_TO_1970	719468	/* from 0000-03-01 */

int64_t
calendar_floor_div(int64_t a, int64_t b)
{
	int64_t	q = a / b;

	if (a % b != 0 && (a < 0) != (b < 0))
		q--;
	return q;
}

int64_t
calendar_days_from_civil(int64_t year, int month, int day)
{
	int64_t	era, yoe, doy;

	if (month <= 2)
		year--;
	era = calendar_floor_div(year, 400);
	yoe = year - era * 400;				/* 0..399 */
	/* Month lengths from March repeat 31 30 31 30 31 every five
	 * months: (153 m + 2) / 5 days before month m (0 March). */
	doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
	return era * CALENDAR_DAYS_PER_ERA + yoe * 365 + yoe / 4 - yoe / 100 +
	    doy - CALENDAR_DAYS_0000_TO_1970;
}

void
calendar_civil_from_days(int64_t days, int64_t *year, int *month, int *day)
{
	int64_t	era, doe, yoe, doy, mp;

	days += CALENDAR_DAYS_0000_TO_1970;
	era = calendar_floor_div(days, CALENDAR_DAYS_PER_ERA);
	doe = days - era * CALENDAR_DAYS_PER_ERA;	/* 0..146096 */
	/* The era's year: a day is lost every 4 years (1,460 days), won
	 * back every 100 (36,524) and lost again at 400 (the last day). */
	yoe = (doe - doe / 1460 + doe / 36524 -
	    doe / (CALENDAR_DAYS_PER_ERA - 1)) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);	/* from March 1 */
	mp = (5 * doy + 2) / 153;			/* 0 March */
	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = era * 400 + yoe + (*month <= 2);
}
