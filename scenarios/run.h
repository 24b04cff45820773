/*
 * Running a scenario to a verdict (`carrierlab run`) and its timeline
 * under `carrierlab serve FILE`: the contract between the engine and the
 * four parts it drives.
 *
 *   engine   (scenarios/engine*.c)  owns the loop, the clock (real or
 *            virtual), the carriers, the gateway, the HTTP listener, the
 *            status callback sink and the end of the run;
 *   timeline (scenarios/timeline.c) applies the scenario's "timeline"
 *            actions at their times and undoes them after "for";
 *   traffic  (scenarios/traffic.c)  the "traffic" generators: through the
 *            HTTP API as an application would, or through SMPP straight
 *            to a carrier as an ESME would;
 *   expect   (scenarios/expect.c)   evaluates the "expect" items over the
 *            gateway's store, the callbacks received, the PDUs captured
 *            and the traffic's own counts;
 *   report   (scenarios/report.c)   the summary table, JUnit XML and the
 *            HTML page.
 *
 * The parsed forms of "timeline", "traffic" and "expect" (struct
 * scenario_action, scenario_traffic, scenario_expect) are in
 * scenarios/scenario.h with the rest of the file's format.
 *
 * Times: "at" values are offsets from the start of the run; the engine's
 * start is clock_now() when the run began (engine_start_time()).
 * Everything runs on the engine's event loop; nothing here blocks.
 */
#ifndef CARRIERLAB_SCENARIOS_RUN_H
#define CARRIERLAB_SCENARIOS_RUN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

struct carrier;
struct clock;
struct engine;
struct event_base;
struct evbuffer;
struct report;
struct gateway;
struct scenario;
struct scenario_action;
struct scenario_expect;
struct scenario_traffic;

/* ---- the engine, as the commands see it (scenarios/engine.c) ---- */

struct engine_options {
	const char	*dir;		/* where the stores go; NULL: a fresh
					   temporary directory, removed after */
	int		 progress;	/* a progress line on stderr */
};

/*
 * `carrierlab run`: makes the whole stack for s (which the engine may
 * rewrite: listeners move to ephemeral ports of 127.0.0.1) and runs it
 * to the end. engine_run() returns 0 when the run ran (whatever the
 * verdict), -1 when it could not (the reason in the report's error).
 */
struct engine	*engine_new(struct scenario *s,
		    const struct engine_options *);
int		 engine_run(struct engine *);
/* The run's report; pointers into the engine, good until engine_free().
 * file is what the user named. */
void		 engine_report(struct engine *, const char *file,
		    struct report *);
/* 0 when every expectation passed and the run ran, else 1. */
int		 engine_verdict(const struct engine *);
void		 engine_free(struct engine *);

/*
 * `carrierlab serve FILE`: the timeline of s on serve's own stack. gwp
 * is serve's gateway pointer; restart replaces the gateway (a crash and
 * a start on the same store).
 */
struct engine	*engine_attach(struct scenario *s, struct event_base *,
		    struct clock *, struct carrier **carriers, size_t n,
		    struct gateway **gwp, const char *db,
		    const char *http_address,
		    int (*restart)(void *arg, char *err, size_t errlen),
		    void *restart_arg);
/* Starts the timeline now. */
void		 engine_attach_start(struct engine *);

/* ---- the engine, as the parts see it (scenarios/engine.c) ---- */

struct event_base *engine_base(struct engine *);
struct clock	*engine_clock(struct engine *);
const struct scenario *engine_scenario(struct engine *);
/* clock_now() when the run started, and now minus that. */
int64_t		 engine_start_time(struct engine *);
int64_t		 engine_elapsed(struct engine *);
/* The running carrier called name, or NULL; and the i-th (scenario
 * order). */
struct carrier	*engine_carrier(struct engine *, const char *name);
size_t		 engine_ncarriers(struct engine *);
struct carrier	*engine_carrier_at(struct engine *, size_t i);
/* The gateway now (a restart replaces it: do not keep the pointer). */
struct gateway	*engine_gateway(struct engine *);
/* The gateway's sqlite file: open it read-only (WAL) to query, after
 * engine_store_sync(), which commits every write the gateway made so far
 * (and runs what waited for them, as the loop would have next). */
const char	*engine_gateway_db(struct engine *);
void		 engine_store_sync(struct engine *);
/* "127.0.0.1:PORT": the HTTP listener (API, /sim/, /metrics). */
const char	*engine_http_address(struct engine *);
/* "http://127.0.0.1:PORT/status": the engine's status callback sink.
 * Any path under it is recorded (engine_callbacks()). */
const char	*engine_sink_url(struct engine *);
/* url with the host carrierlab.sink (a scenario's name for the sink,
 * whose port it cannot know) made the sink's: "http://carrierlab.sink/x"
 * -> "http://127.0.0.1:PORT/status/x"; other URLs as they are. The
 * caller frees it. */
char		*engine_sink_resolve(struct engine *, const char *url);

/*
 * A carrier's profile changed at run time (carrier_reconfigure()): when
 * the gateway's routes were made from the carriers, the route to it learns
 * what it takes now (short codes, alpha, MMS), as a gateway learns it from
 * a carrier's notice, so sender selection reroutes.
 */
void		 engine_carrier_changed(struct engine *, struct carrier *);

/*
 * A crash of the gateway and its start again on the same store: no
 * graceful shutdown, no unbind, what was not committed is lost as it
 * would be. Returns 0, or -1 with err.
 */
int		 engine_gateway_restart(struct engine *, char *err,
		    size_t errlen);

/*
 * Work the run must wait for before it may end: a part holds while it
 * has something outstanding (a generator not finished, a request not
 * answered) and releases when it is done. The run ends once nothing is
 * held, the timeline is over and the gateway has settled (or at
 * "duration").
 */
void		 engine_hold(struct engine *);
void		 engine_release(struct engine *);

/*
 * Something that happened, for the report's timeline and the log:
 * kind "fault", "quirk", "carrier", "mo", "service", "sender",
 * "gateway", "click", "links", "traffic", "expect"; text says what
 * ("alpha-mobile fault refuse_binds on for 10m"). Time is now.
 */
void		 engine_note(struct engine *, const char *kind,
		    const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
struct engine_note {
	int64_t		 at;		/* usec since the start */
	char		 kind[16];
	char		 text[256];
};
const struct engine_note *engine_notes(struct engine *, size_t *n);

/*
 * The HTTP client to the gateway's API, as an application calls it:
 * method "GET", "POST" or "DELETE"; path "/2010-04-01/Accounts/AC.../
 * Messages.json"; account and token for Basic auth (NULL: none); form an
 * application/x-www-form-urlencoded body (NULL: none). cb gets the
 * status (0 when the request failed: err says why) and the parsed JSON
 * body (NULL when none or not JSON; borrowed for the call). Holds the
 * run while the request is out.
 */
typedef void	(*engine_http_cb)(int status, json_t *body, const char *err,
		    void *arg);
void		 engine_api_request(struct engine *, const char *method,
		    const char *path, const char *account, const char *token,
		    const char *form, engine_http_cb cb, void *arg);
/* Appends name=value, percent-encoded, with '&' when buf is not empty. */
void		 engine_form_add(struct evbuffer *buf, const char *name,
		    const char *value);

/* A status callback the sink received. */
struct engine_callback {
	int64_t		 at;		/* usec since the start */
	char		 message_sid[40];
	char		 status[16];	/* MessageStatus */
	int		 error_code;	/* ErrorCode; 0: none */
	int		 signature_ok;	/* X-Twilio-Signature checked with
					   the account's auth token */
	char		 path[128];	/* of the request: /status/... */
	json_t		*params;	/* every form field, strings */
};
const struct engine_callback *engine_callbacks(struct engine *, size_t *n);

/* ---- the timeline (scenarios/timeline.c) ---- */

struct timeline;
/*
 * Schedules every action of s->timeline (and its undo after "for") on
 * the engine's clock from now. Each applied action is engine_note()d;
 * one that fails at run time (a switch refused) is noted with the
 * reason and counted in timeline_failures().
 */
struct timeline	*timeline_start(struct engine *, const struct scenario *);
/* 1 once every action and every undo has run. */
int		 timeline_done(const struct timeline *);
unsigned	 timeline_failures(const struct timeline *);
void		 timeline_free(struct timeline *);

/* ---- traffic (scenarios/traffic.c) ---- */

/* What one generator did, for expectations and the report. */
struct traffic_result {
	const struct scenario_traffic *t;
	uint64_t	 requested;	/* requests (API) or messages (SMPP)
					   sent */
	uint64_t	 answered;
	uint64_t	 accepted;	/* 201, or every part ESME_ROK */
	uint64_t	 refused;	/* an error answer */
	uint64_t	 failed;	/* no answer: connection error */
	/* Refusals by Twilio error code (API) or command_status (SMPP). */
	struct { uint32_t code; uint64_t count; } codes[16];
	size_t		 ncodes;
	/* API: the sids of the messages created, in order. */
	char		(*sids)[40];
	size_t		 nsids;
	/* SMPP: receipts by final state, as load_stats counts them. */
	uint64_t	 receipts;
	uint64_t	 receipts_delivered;
	int		 done;
};
struct traffic;
/* Starts every generator of s->traffic at its "at"; holds the run
 * until each has its answers. */
struct traffic	*traffic_start(struct engine *, const struct scenario *);
int		 traffic_done(const struct traffic *);
const struct traffic_result *traffic_results(const struct traffic *,
		    size_t *n);
void		 traffic_free(struct traffic *);

/* ---- expectations (scenarios/expect.c) ---- */

struct expect_result {
	const struct scenario_expect *x;
	int		 passed;
	int64_t		 at;		/* when it was evaluated, usec since
					   the start */
	char		 what[256];	/* "messages{status=delivered} ratio" */
	char		 expected[96];	/* ">= 0.9" */
	char		 actual[256];	/* "0.953 (1906 of 2000)" */
	char		 detail[512];	/* on failure: examples, sids */
};

/*
 * Evaluates x now into r, then calls done(arg) from the loop (an
 * expectation that sends a request answers later). traffic may be
 * NULL (serve).
 */
void		 expect_eval(struct engine *, const struct traffic *,
		    const struct scenario_expect *x, struct expect_result *r,
		    void (*done)(void *), void *arg);

/* ---- the report (scenarios/report.c) ---- */

/*
 * One status transition of a gateway message, for the chart. The store
 * keeps a message's route, not the route of each event: every transition
 * of a message counts under the route it has at the end.
 */
struct report_point {
	int64_t		 at;		/* usec since the start */
	char		 carrier[64];	/* route; "" when none was chosen */
	char		 status[24];	/* "partially_delivered" fits */
	char		 from[24];	/* the status before; "" for the first */
};

struct report {
	const char	*file;		/* as given; "" for the default */
	const char	*name;		/* the scenario's */
	const char	*description;
	uint64_t	 seed;
	const char	*clock;		/* "virtual" or "real" */
	int64_t		 duration;	/* clock time the run took, usec */
	const char	*ended;		/* why it ended ("settled",
					   "duration", ...); NULL: not said */
	double		 wall_seconds;	/* left out of the deterministic
					   parts (text: only with timing) */
	const char	*error;		/* the run could not run: why; NULL */
	const struct expect_result *results;
	size_t		 nresults;
	/* NULL, or nresults strings: each expectation's "why" (NULL or "":
	 * none), shown under a failure. */
	const char *const *why;
	const struct engine_note *notes;
	size_t		 nnotes;
	const struct report_point *points;
	size_t		 npoints;
	/* Final counts of gateway messages by status, for the summary. */
	json_t		*totals;	/* {"delivered": 1906, ...} */
};

/* Reads every transition (message_events joined with messages.route)
 * of the gateway's store at db into *points (malloc'd), times relative
 * to start. -1 with err. */
int	 report_points_load(const char *db, int64_t start,
	    struct report_point **points, size_t *n, char *err, size_t errlen);
/* The summary table on f; timing adds the wall-clock line. */
void	 report_text(FILE *f, const struct report *, int timing);
/* JUnit XML of several runs (one <testsuite> per file, a <testcase>
 * per expectation); -1 with errno on a write error. */
int	 report_junit(FILE *f, const struct report *const *, size_t n);
/* One self-contained HTML page (no external resources): per run, the
 * timeline chart (messages per status over time, per carrier, the
 * notes marked) and the table of expectations. */
int	 report_html(FILE *f, const struct report *const *, size_t n);

#endif
