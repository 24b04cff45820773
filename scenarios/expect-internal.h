/*
 * Inside the evaluation of expectations: what expect.c (the dispatch,
 * the store, the result's text) shares with the evaluators of each
 * subject (expect-messages.c, expect-sources.c). Not for other modules.
 */
#ifndef CARRIERLAB_SCENARIOS_EXPECT_INTERNAL_H
#define CARRIERLAB_SCENARIOS_EXPECT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "scenarios/expect.h"
#include "scenarios/run.h"

#define EXPECT_EXAMPLES		5	/* sids shown on failure */

/* What one evaluation reads from, opened by expect_eval(). */
struct expect_ctx {
	struct engine			*e;
	const struct traffic		*traffic;
	const struct scenario_expect	*x;
	struct expect_result		*r;
	int64_t				 start;	/* engine_start_time() */
	sqlite3				*db;	/* read-only; NULL: not open */
	/* The sids of filter.traffic's generator, sorted (bsearch). */
	char				(*sids)[40];
	size_t				 nsids;
	size_t				 nexamples;
};

/* Opens the gateway's store read-only into ctx->db; -1 with r->actual
 * saying why. */
int	 expect_db_open(struct expect_ctx *);
/* The traffic generator called name, or NULL. */
const struct traffic_result *expect_traffic_find(const struct traffic *,
	    const char *name);
/* Fills ctx->sids with the sorted sids of f->traffic (none: empty). */
void	 expect_sids_load(struct expect_ctx *, const char *traffic);
int	 expect_sid_in(const struct expect_ctx *, const char *sid);
/* '*' stands for any characters ("+1415*", "*unsubscribed*"); "" matches
 * everything. */
int	 expect_match_pattern(const char *pattern, const char *value);
int	 expect_match_statuses(unsigned mask, const char *status);
int	 expect_match_error(const struct expect_filter *, int error_code);

/* Appends one example line ("SM...: undelivered 30003") to detail, up
 * to EXPECT_EXAMPLES; later calls count only. */
void	 expect_example(struct expect_ctx *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Sets passed and actual for a count or ratio of matched over total. */
void	 expect_judge_count(struct expect_ctx *, uint64_t matched,
	    uint64_t total);
/* "1.235s", "850ms": a time for the text of a result. */
void	 expect_format_usec(int64_t usec, char *buf, size_t size);

/* The subjects (expect-messages.c, expect-sources.c). */
void	 expect_eval_messages(struct expect_ctx *);
void	 expect_eval_lost(struct expect_ctx *);
void	 expect_eval_callbacks(struct expect_ctx *);
void	 expect_eval_pdus(struct expect_ctx *);
void	 expect_eval_traffic(struct expect_ctx *);

#endif
