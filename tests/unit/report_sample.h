/*
 * Reports built by hand for the report's tests (test_report.c and
 * test_report_write.c with report_parse.sh): what an engine would hand
 * scenarios/report.c after a run, without running one.
 */
#ifndef CARRIERLAB_TESTS_UNIT_REPORT_SAMPLE_H
#define CARRIERLAB_TESTS_UNIT_REPORT_SAMPLE_H

#include <stddef.h>

#include "scenarios/run.h"

enum report_sample_kind {
	REPORT_SAMPLE_PASS,	/* 2 expectations met, 2 notes, 3 routes */
	REPORT_SAMPLE_FAIL,	/* 3 expectations, 2 failed with why */
	REPORT_SAMPLE_HOSTILE,	/* markup, ]]>, controls, bad UTF-8 */
	REPORT_SAMPLE_ERROR,	/* the run could not run */
	REPORT_SAMPLE_BIG,	/* about 100000 transitions over 4h */
};

struct report_sample {
	struct report		 r;
	struct expect_result	 results[3];
	struct engine_note	 notes[3];
	const char		*why[3];
	struct report_point	*points;
};

void	report_sample_init(struct report_sample *, enum report_sample_kind);
void	report_sample_free(struct report_sample *);

#endif
