/*
 * Inside the engine (scenarios/run.h is the contract the parts see).
 *
 * An engine either owns its stack (`carrierlab run`: a temporary
 * directory, the carriers on ephemeral ports, the gateway, one HTTP
 * listener, the callback sink, a virtual or real clock) or borrows the
 * stack of `carrierlab serve` (engine_attach()) to run a scenario's
 * timeline for an application under test.
 */
#ifndef CARRIERLAB_SCENARIOS_ENGINE_INTERNAL_H
#define CARRIERLAB_SCENARIOS_ENGINE_INTERNAL_H

#include <sys/queue.h>

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "scenarios/run.h"

struct carrier_store;
struct evhttp;
struct evhttp_connection;
struct sim_http;
struct vloop;
struct clock_timer;
struct engine_req;

#define ENGINE_CONNS		8	/* API client connections */
/* The host name that stands for the run's callback sink in a scenario's
 * URLs (services' status_callback, link domains' callback_url, ...). */
#define ENGINE_SINK_HOST	"carrierlab.sink"
#define ENGINE_PATH_MAX		1024

enum engine_phase {
	ENGINE_RUNNING,
	ENGINE_ENDING,		/* evaluating the "end" expectations */
	ENGINE_DONE,
};

struct engine {
	struct scenario		*s;
	int			 owned;		/* run: made the stack */
	struct engine_options	 opts;
	struct event_base	*base;
	struct clock		*clock;
	struct vloop		*vloop;		/* virtual mode */
	struct carrier_store	*cstore;
	struct carrier		**carriers;
	size_t			 ncarriers;
	struct gateway		**gwp;		/* owned: &gw */
	struct gateway		*gw;
	struct sim_http		*http;
	char			 http_address[96];
	char			 dir[ENGINE_PATH_MAX];
	int			 dir_made;	/* remove at the end */
	char			 db[ENGINE_PATH_MAX + 32];
	char			 smsc_db[ENGINE_PATH_MAX + 32];
	/* serve: how the borrowed gateway restarts */
	int			(*restart)(void *arg, char *err, size_t);
	void			*restart_arg;

	/* The callback sink and the API client. */
	struct evhttp		*sink;
	char			 sink_url[128];
	struct evhttp_connection *conns[ENGINE_CONNS];
	size_t			 next_conn;
	TAILQ_HEAD(, engine_req) reqs;	/* API requests out */

	int64_t			 start;
	unsigned		 holds;
	struct engine_note	*notes;
	size_t			 nnotes, notes_cap;
	struct engine_callback	*cbs;
	size_t			 ncbs, cbs_cap;

	struct timeline		*timeline;
	struct traffic		*traffic;
	struct expect_result	*results;	/* one per s->expect */
	struct clock_timer	**expect_timers;
	unsigned		 evaluating;	/* expect_eval()s not done */
	size_t			 next_end;	/* next "end" to evaluate */
	struct clock_timer	*end_timer;	/* "duration", max_duration */
	struct clock_timer	*poll_timer;	/* real time: settled? */
	enum engine_phase	 phase;
	const char		*end_reason;	/* "settled", "duration", ... */
	char			 error[2048];	/* the run failed to run */
	uint64_t		 progress_last;
	double			 wall_seconds;
	int64_t			 duration;	/* clock time covered */
	struct report_point	*points;	/* for the report */
	size_t			 npoints;
	json_t			*totals;
	const char		**whys;		/* for the report */
};

/* engine-http.c: the sink and the client. */
int	engine_sink_start(struct engine *, char *err, size_t errlen);
void	engine_http_free(struct engine *);
/* Makes the API client's connections once the listener is up. */
void	engine_client_start(struct engine *);

/* engine-items.c: items of the parts' arrays, whose types only their
 * headers know. */
const struct scenario_expect *engine_expect_item(const struct scenario *,
	    size_t i);
/* 1 when x is evaluated at the end, else 0 with *at (usec from the
 * start). */
int	engine_expect_at(const struct scenario_expect *x, int64_t *at);
/* The item's "why", "" for none. */
const char *engine_expect_why(const struct scenario_expect *x);

/* engine.c */
int	engine_settled(struct engine *);

#endif
