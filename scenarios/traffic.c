/*
 * A scenario's traffic generators at run time (the contract is in
 * scenarios/run.h, the parsed form in scenarios/traffic.h).
 *
 * Each generator is a small state machine: WAITING for its "at", SENDING
 * while messages are left, DRAINING while answers are out, DONE. An API
 * generator sends message i (0-based) at start + i / rate on the run's
 * clock, or all at once without a rate, but never has more than
 * TRAFFIC_OUTSTANDING_MAX requests out: the rest wait and go as answers
 * come, so a burst of 100000 is 256 connections at a time, not 100000.
 * An SMPP generator hands its whole run to the load engine
 * (scenarios/load.h) on the run's loop and clock and reads its counts
 * when it is done. A generator holds the run (engine_hold) from
 * traffic_start() until it is DONE.
 *
 * Requests carry a ticket, not the generator: traffic_free() detaches
 * the tickets of requests still out, so an answer that comes after the
 * free finds nothing and is dropped.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "carriers/carrier.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "scenarios/load.h"
#include "scenarios/run.h"
#include "scenarios/scenario.h"
#include "scenarios/traffic.h"

#define TRAFFIC_USEC		1e6
/* An expanded body: the longest template with every {to} at its
 * longest, or length characters of up to four octets. */
#define TRAFFIC_TEXT_MAX	(48 * 1024)
#define TRAFFIC_LISTEN_MAX	16
#define SMPP_STATE_DELIVERED	2	/* message_state of DELIVRD */

#define TRAFFIC_GEN_STATES(X)						\
	X(WAITING)	/* before "at" */				\
	X(SENDING)	/* messages left to send */			\
	X(DRAINING)	/* all sent, answers out */			\
	X(DONE)

enum traffic_gen_state {
#define TRAFFIC_GEN_STATE_ENUM(name)	TRAFFIC_GEN_##name,
	TRAFFIC_GEN_STATES(TRAFFIC_GEN_STATE_ENUM)
#undef TRAFFIC_GEN_STATE_ENUM
};

static const char *const traffic_gen_state_names[] = {
#define TRAFFIC_GEN_STATE_NAME(name)	#name,
	TRAFFIC_GEN_STATES(TRAFFIC_GEN_STATE_NAME)
#undef TRAFFIC_GEN_STATE_NAME
};

struct traffic_gen;

/* One API request out: what its answer needs. */
struct traffic_ticket {
	LIST_ENTRY(traffic_ticket) entry;
	struct traffic_gen	*g;	/* NULL once traffic_free() ran */
	struct evbuffer		*form;	/* kept until the answer */
};

struct traffic_gen {
	struct traffic		*tr;
	const struct scenario_traffic *t;
	struct traffic_result	*r;
	enum traffic_gen_state	 state;
	struct clock_timer	*timer;
	int64_t			 started;	/* SENDING since */
	uint64_t		 next;		/* messages issued */
	unsigned		 outstanding;
	int			 pumping;	/* in gen_pump(): answers
						   from inside do not
						   recurse */
	size_t			 sids_cap;
	char			*text;		/* TRAFFIC_TEXT_MAX */
	/* API. */
	const char		*token;
	char			 path[96];
	char			*callback;	/* "" : none */
	/* SMPP. */
	struct load		*load;
	struct load_config	 lc;
	char			 connect[CARRIER_ADDR_MAX];
	char			 to[2 * GATEWAY_NUMBER_MAX + 2];
};

LIST_HEAD(traffic_tickets, traffic_ticket);

struct traffic {
	struct engine		*e;
	const struct scenario	*s;
	struct traffic_gen	*gens;
	struct traffic_result	*results;
	size_t			 n;
	struct traffic_tickets	 tickets;
};

static void	gen_pump(struct traffic_gen *);

static void
gen_enter_state(struct traffic_gen *g, enum traffic_gen_state state)
{
	log_debug("traffic %s state %s -> %s", g->t->name,
	    traffic_gen_state_names[g->state],
	    traffic_gen_state_names[state]);
	g->state = state;
}

/* ---- results ---- */

static void
result_code(struct traffic_result *r, uint32_t code, uint64_t n)
{
	size_t i;

	for (i = 0; i < r->ncodes; i++)
		if (r->codes[i].code == code) {
			r->codes[i].count += n;
			return;
		}
	/* Beyond 16 distinct codes only the refused total counts. */
	if (r->ncodes < sizeof r->codes / sizeof r->codes[0]) {
		r->codes[r->ncodes].code = code;
		r->codes[r->ncodes++].count = n;
	}
}

static void
result_sid(struct traffic_gen *g, const char *sid)
{
	struct traffic_result *r = g->r;

	if (r->nsids == g->sids_cap) {
		g->sids_cap = g->sids_cap == 0 ? 64 : g->sids_cap * 2;
		r->sids = xreallocarray(r->sids, g->sids_cap,
		    sizeof *r->sids);
	}
	snprintf(r->sids[r->nsids++], sizeof r->sids[0], "%s", sid);
}

/* "1998 accepted, 2 refused (21610 x2)" */
static void
result_summary(const struct traffic_result *r, char *buf, size_t size)
{
	size_t	i, len;

	snprintf(buf, size, "%" PRIu64 " accepted, %" PRIu64 " refused",
	    r->accepted, r->refused);
	for (i = 0; i < r->ncodes && (len = strlen(buf)) < size; i++)
		snprintf(buf + len, size - len, "%s%" PRIu32 " x%" PRIu64 "%s",
		    i == 0 ? " (" : ", ", r->codes[i].code, r->codes[i].count,
		    i + 1 == r->ncodes ? ")" : "");
	if (r->failed > 0 && (len = strlen(buf)) < size)
		snprintf(buf + len, size - len, ", %" PRIu64 " failed",
		    r->failed);
}

static void
gen_done(struct traffic_gen *g)
{
	char summary[200];

	gen_enter_state(g, TRAFFIC_GEN_DONE);
	g->r->done = 1;
	result_summary(g->r, summary, sizeof summary);
	engine_note(g->tr->e, "traffic", "traffic %s done: %s", g->t->name,
	    summary);
	log_info("traffic %s done requested=%" PRIu64 " accepted=%" PRIu64
	    " refused=%" PRIu64 " failed=%" PRIu64, g->t->name,
	    g->r->requested, g->r->accepted, g->r->refused, g->r->failed);
	engine_release(g->tr->e);
}

/* A generator that cannot run: every message counts as failed. */
static void
gen_fail(struct traffic_gen *g, const char *why)
{
	engine_note(g->tr->e, "traffic", "traffic %s failed: %s",
	    g->t->name, why);
	g->r->failed = g->t->count;
	gen_done(g);
}

/* ---- API ---- */

static int64_t
gen_due(const struct traffic_gen *g, uint64_t i)
{
	if (g->t->rate <= 0)
		return g->started;
	return g->started + (int64_t)((double)i * TRAFFIC_USEC / g->t->rate);
}

static void
gen_answer(int status, json_t *body, const char *err, void *arg)
{
	struct traffic_ticket	*k = arg;
	struct traffic_gen	*g = k->g;
	json_t			*v;

	if (g != NULL)
		LIST_REMOVE(k, entry);
	evbuffer_free(k->form);
	free(k);
	if (g == NULL)
		return;
	g->outstanding--;
	if (status == 0) {
		g->r->failed++;
		log_warnx("traffic %s request failed: %s", g->t->name,
		    err != NULL ? err : "no answer");
	} else if (g->r->answered++, status == 201) {
		g->r->accepted++;
		v = json_object_get(body, "sid");
		result_sid(g, json_is_string(v) ? json_string_value(v) : "");
	} else {
		g->r->refused++;
		v = json_object_get(body, "code");
		result_code(g->r, json_is_integer(v) ?
		    (uint32_t)json_integer_value(v) : (uint32_t)status, 1);
	}
	gen_pump(g);
}

static void
form_flag(struct evbuffer *b, const char *name, int flag)
{
	if (flag != TRAFFIC_FLAG_UNSET)
		engine_form_add(b, name, flag ? "true" : "false");
}

/* The form of message seq (1-based). */
static struct evbuffer *
gen_form(struct traffic_gen *g, uint64_t seq)
{
	const struct scenario_traffic	*t = g->t;
	struct evbuffer			*b = evbuffer_new();
	char				 to[GATEWAY_NUMBER_MAX], num[24];
	size_t				 i;

	if (b == NULL)
		fatal("evbuffer_new");
	traffic_to_at(&t->to, seq, to);
	engine_form_add(b, "To", to);
	if (t->from[0] != '\0')
		engine_form_add(b, "From", t->from);
	if (t->service[0] != '\0')
		engine_form_add(b, "MessagingServiceSid", t->service);
	if (t->body[0] != '\0') {
		traffic_body_expand(t, seq, to, g->text, TRAFFIC_TEXT_MAX);
		engine_form_add(b, "Body", g->text);
	}
	for (i = 0; i < t->nmedia; i++)
		engine_form_add(b, "MediaUrl", t->media[i]);
	if (g->callback[0] != '\0')
		engine_form_add(b, "StatusCallback", g->callback);
	form_flag(b, "ShortenUrls", t->shorten_urls);
	form_flag(b, "SmartEncoded", t->smart_encoding);
	if (t->validity_period > 0) {
		snprintf(num, sizeof num, "%u", t->validity_period);
		engine_form_add(b, "ValidityPeriod", num);
	}
	evbuffer_add(b, "", 1);
	return b;
}

static void
gen_send(struct traffic_gen *g)
{
	struct traffic_ticket *k = xcalloc(1, sizeof *k);

	k->g = g;
	k->form = gen_form(g, ++g->next);
	LIST_INSERT_HEAD(&g->tr->tickets, k, entry);
	g->outstanding++;
	g->r->requested++;
	engine_api_request(g->tr->e, "POST", g->path, g->t->account,
	    g->token, (const char *)evbuffer_pullup(k->form, -1), gen_answer,
	    k);
}

/*
 * Sends whatever is due and the cap allows, then arms the timer for the
 * next one. Answers that come from inside engine_api_request() only
 * count: the loop here goes on.
 */
static void
gen_pump(struct traffic_gen *g)
{
	int64_t now, due;

	if (g->pumping || g->state == TRAFFIC_GEN_DONE)
		return;
	g->pumping = 1;
	now = clock_now(engine_clock(g->tr->e));
	while (g->next < g->t->count &&
	    g->outstanding < TRAFFIC_OUTSTANDING_MAX) {
		if ((due = gen_due(g, g->next)) > now) {
			clock_timer_add(g->timer, due - now);
			break;
		}
		gen_send(g);
	}
	g->pumping = 0;
	if (g->state == TRAFFIC_GEN_SENDING && g->next == g->t->count)
		gen_enter_state(g, TRAFFIC_GEN_DRAINING);
	if (g->state == TRAFFIC_GEN_DRAINING && g->outstanding == 0)
		gen_done(g);
}

static const char *
account_token(const struct scenario *s, const char *sid)
{
	size_t i;

	for (i = 0; i < s->gateway.naccounts; i++)
		if (strcmp(s->gateway.accounts[i].sid, sid) == 0)
			return s->gateway.accounts[i].token;
	return NULL;
}

static void
gen_api_start(struct traffic_gen *g)
{
	const struct scenario_traffic	*t = g->t;
	char				*name;

	g->token = account_token(g->tr->s, t->account);
	snprintf(g->path, sizeof g->path, "/2010-04-01/Accounts/%s/"
	    "Messages.json", t->account);
	if (strcmp(t->status_callback, "sink") == 0) {
		if ((name = evhttp_uriencode(t->name, -1, 0)) == NULL)
			fatal("evhttp_uriencode");
		xasprintf(&g->callback, "%s/%s", engine_sink_url(g->tr->e),
		    name);
		free(name);
	} else
		g->callback = engine_sink_resolve(g->tr->e,
		    t->status_callback);
	if (t->rate > 0)
		engine_note(g->tr->e, "traffic", "traffic %s started: %" PRIu64
		    " messages at %g/s", t->name, t->count, t->rate);
	else
		engine_note(g->tr->e, "traffic", "traffic %s started: %" PRIu64
		    " messages at once", t->name, t->count);
	gen_enter_state(g, TRAFFIC_GEN_SENDING);
	g->started = clock_now(engine_clock(g->tr->e));
	gen_pump(g);
}

/* ---- SMPP ---- */

static void
gen_load_done(struct load *l, void *arg)
{
	struct traffic_gen	*g = arg;
	const struct load_stats	*st = load_stats(l);
	struct traffic_result	*r = g->r;
	size_t			 i;

	r->requested = st->messages_sent;
	r->answered = st->responses;
	r->accepted = st->messages_accepted;
	for (i = 0; i < st->nstatus; i++) {
		if (st->status[i].status == 0)
			continue;
		r->refused += st->status[i].count;
		result_code(r, st->status[i].status, st->status[i].count);
	}
	r->refused += st->status_other;
	r->failed = st->no_response + (g->t->count - st->messages_sent);
	r->receipts = st->receipts_matched;
	r->receipts_delivered = st->receipts_by_state[SMPP_STATE_DELIVERED];
	if (st->error[0] != '\0')
		engine_note(g->tr->e, "traffic", "traffic %s: %s", g->t->name,
		    st->error);
	gen_done(g);
}

/* The carrier's first plain listener, else its first. */
static int
gen_smpp_address(struct traffic_gen *g, char *why, size_t whylen)
{
	struct carrier	*ca = engine_carrier(g->tr->e, g->t->carrier);
	const char	*addr[TRAFFIC_LISTEN_MAX];
	int		 tls[TRAFFIC_LISTEN_MAX];
	size_t		 n, i;

	if (ca == NULL || (n = carrier_listen_addresses(ca, addr, tls,
	    TRAFFIC_LISTEN_MAX)) == 0) {
		snprintf(why, whylen, "carrier %s is not running",
		    g->t->carrier);
		return -1;
	}
	for (i = 0; i < n && tls[i]; i++)
		continue;
	if (i == n)
		i = 0;
	snprintf(g->connect, sizeof g->connect, "%s", addr[i]);
	g->lc.tls = tls[i];
	return 0;
}

static void
gen_smpp_config(struct traffic_gen *g)
{
	const struct scenario_traffic	*t = g->t;
	struct load_config		*lc = &g->lc;

	load_config_default(lc);
	lc->connect = g->connect;
	lc->system_id = t->system_id;
	lc->password = t->password;
	lc->bind = LOAD_BIND_TRX;
	lc->sessions = t->sessions;
	lc->window = t->window;
	lc->count = t->count;
	lc->rate = t->rate;
	lc->from = t->from[0] != '\0' ? t->from : "carrierlab";
	if (t->to.kind == TRAFFIC_TO_RANGE)
		snprintf(g->to, sizeof g->to, "%s-%s", t->to.list[0],
		    t->to.list[1]);
	else
		snprintf(g->to, sizeof g->to, "%s", t->to.list[0]);
	lc->to = g->to;
	traffic_body_expand(t, 1, g->to, g->text, TRAFFIC_TEXT_MAX);
	lc->text = g->text;
	lc->encoding = (enum load_encoding)load_encoding_parse(t->encoding);
	lc->receipts = t->receipts;
	lc->receipt_timeout = t->receipt_timeout;
}

static void
gen_smpp_start(struct traffic_gen *g)
{
	char why[256];

	gen_enter_state(g, TRAFFIC_GEN_SENDING);
	if (gen_smpp_address(g, why, sizeof why) == -1) {
		gen_fail(g, why);
		return;
	}
	gen_smpp_config(g);
	g->load = load_new(engine_base(g->tr->e), engine_clock(g->tr->e),
	    &g->lc, why, sizeof why);
	if (g->load == NULL) {
		gen_fail(g, why);
		return;
	}
	if (g->t->rate > 0)
		snprintf(why, sizeof why, "at %g/s", g->t->rate);
	else
		snprintf(why, sizeof why, "as fast as the window allows");
	engine_note(g->tr->e, "traffic", "traffic %s started: %" PRIu64
	    " messages over SMPP to %s (%s) %s", g->t->name, g->t->count,
	    g->t->carrier, g->connect, why);
	gen_enter_state(g, TRAFFIC_GEN_DRAINING);
	load_start(g->load, gen_load_done, g);
}

/* ---- the generators ---- */

static void
gen_timer(struct clock_timer *timer, void *arg)
{
	struct traffic_gen *g = arg;

	(void)timer;
	if (g->state != TRAFFIC_GEN_WAITING)
		gen_pump(g);
	else if (g->t->via == TRAFFIC_VIA_SMPP)
		gen_smpp_start(g);
	else
		gen_api_start(g);
}

struct traffic *
traffic_start(struct engine *e, const struct scenario *s)
{
	struct traffic	*tr = xcalloc(1, sizeof *tr);
	int64_t		 elapsed = engine_elapsed(e);
	size_t		 i;

	tr->e = e;
	tr->s = s;
	tr->n = s->ntraffic;
	tr->gens = xcalloc(tr->n > 0 ? tr->n : 1, sizeof *tr->gens);
	tr->results = xcalloc(tr->n > 0 ? tr->n : 1, sizeof *tr->results);
	LIST_INIT(&tr->tickets);
	for (i = 0; i < tr->n; i++) {
		struct traffic_gen *g = &tr->gens[i];

		g->tr = tr;
		g->t = &s->traffic[i];
		g->r = &tr->results[i];
		g->r->t = g->t;
		g->text = xmalloc(TRAFFIC_TEXT_MAX);
		g->state = TRAFFIC_GEN_WAITING;
		g->timer = clock_timer_new(engine_clock(e), gen_timer, g);
		engine_hold(e);
		/* From the loop even at 0: nothing is sent from inside
		 * traffic_start(). */
		clock_timer_add(g->timer, g->t->at > elapsed ?
		    g->t->at - elapsed : 0);
	}
	return tr;
}

int
traffic_done(const struct traffic *tr)
{
	size_t i;

	for (i = 0; i < tr->n; i++)
		if (tr->gens[i].state != TRAFFIC_GEN_DONE)
			return 0;
	return 1;
}

const struct traffic_result *
traffic_results(const struct traffic *tr, size_t *n)
{
	*n = tr->n;
	return tr->results;
}

void
traffic_free(struct traffic *tr)
{
	struct traffic_ticket	*k;
	size_t			 i;

	if (tr == NULL)
		return;
	/* Answers still to come find no generator (gen_answer()). */
	while ((k = LIST_FIRST(&tr->tickets)) != NULL) {
		LIST_REMOVE(k, entry);
		k->g = NULL;
	}
	for (i = 0; i < tr->n; i++) {
		clock_timer_free(tr->gens[i].timer);
		if (tr->gens[i].load != NULL)
			load_free(tr->gens[i].load);
		free(tr->gens[i].text);
		free(tr->gens[i].callback);
		free(tr->results[i].sids);
	}
	free(tr->gens);
	free(tr->results);
	free(tr);
}
