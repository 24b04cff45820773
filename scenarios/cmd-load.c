/*
 * carrierlab load: an ESME that loads an SMSC and reports counts,
 * throughput and latency percentiles (the engine is scenarios/load.c).
 *
 * The options are one table, LOAD_OPTIONS, from which the getopt table,
 * the option ids and the --help text are all generated.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "common/cli.h"
#include "common/clock.h"
#include "common/duration.h"
#include "common/histogram.h"
#include "common/log.h"
#include "scenarios/cmd.h"
#include "scenarios/load.h"
#include "smpp/receipt.h"
#include "smpp/smpp.h"

#define LOAD_PROGRESS_TTY_USEC	(CLOCK_USEC_PER_SEC / 2)
#define LOAD_PROGRESS_LOG_USEC	CLOCK_USEC_PER_SEC
#define LOAD_JSON_VERSION	1

/*
 * X(ID, name, takes an argument, metavar, help). The help's later lines
 * start with the indent the --help text uses.
 */
#define LOAD_HELP_INDENT "\n                "
#define LOAD_OPTIONS(X)							\
	X(CONNECT, "connect", 1, " HOST:PORT",				\
	    "the SMSC to load (default 127.0.0.1:2775)")		\
	X(TLS, "tls", 0, "",						\
	    "SMPP over TLS (the server's certificate is not checked)")	\
	X(SYSTEM_ID, "system-id", 1, " ID", "bind system_id (default test)") \
	X(PASSWORD, "password", 1, " PW", "bind password (default test)") \
	X(BIND, "bind", 1, " trx|tx",					\
	    "bind type of the submitting sessions (default trx)")	\
	X(SESSIONS, "sessions", 1, " N",				\
	    "submitting sessions (default 1)")				\
	X(RX_SESSIONS, "rx-sessions", 1, " N",				\
	    "extra bind_receiver sessions that take the receipts"	\
	    LOAD_HELP_INDENT "(with --bind tx, which receives none)")	\
	X(COUNT, "count", 1, " N", "messages to send (default 1000)")	\
	X(RATE, "rate", 1, " R",					\
	    "messages per second over all sessions; 0 (the default)"	\
	    LOAD_HELP_INDENT "sends as fast as the windows allow")	\
	X(WINDOW, "window", 1, " W",					\
	    "unanswered submit_sm per session (default 100)")		\
	X(FROM, "from", 1, " ADDR",					\
	    "source_addr (default +14155550100); '+' means TON 1,"	\
	    LOAD_HELP_INDENT "letters an alphanumeric sender")		\
	X(TO, "to", 1, " ADDR|FIRST-LAST",				\
	    "destination, or a range of numbers used in turn"		\
	    LOAD_HELP_INDENT "(default +14155550000-+14155559999)")	\
	X(TEXT, "text", 1, " TEXT",					\
	    "the message, UTF-8 (default \"carrierlab load test "	\
	    "message\")")						\
	X(LENGTH, "length", 1, " N",					\
	    "instead of --text: N characters of filler text")		\
	X(ENCODING, "encoding", 1, " gsm7|ucs2|latin1|auto",		\
	    "data_coding of the text (default auto: GSM-7 when every"	\
	    LOAD_HELP_INDENT "character has a code, else UCS-2)")	\
	X(SEGMENTS, "segments", 1, " udh|sar|payload",			\
	    "how a message longer than one SMS travels: parts with a"	\
	    LOAD_HELP_INDENT "UDH (default), parts with sar_* TLVs, or one" \
	    LOAD_HELP_INDENT "submit_sm with message_payload")		\
	X(RECEIPTS, "receipts", 0, "",					\
	    "ask for receipts (registered_delivery 1) and wait for them;" \
	    LOAD_HELP_INDENT "the default when a trx or rx session can " \
	    "receive them")						\
	X(NO_RECEIPTS, "no-receipts", 0, "", "registered_delivery 0")	\
	X(RECEIPT_TIMEOUT, "receipt-timeout", 1, " DURATION",		\
	    "a receipt not in this long after its submit is missing"	\
	    LOAD_HELP_INDENT "(default 30s; units us, ms, s, m, h)")	\
	X(RESPONSE_TIMEOUT, "response-timeout", 1, " DURATION",		\
	    "a submit_sm unanswered this long has no response "	\
	    "(default 30s)")						\
	X(JSON, "json", 0, "", "the report as JSON (docs/load.md has the " \
	    "schema)")							\
	X(QUIET, "quiet", 0, "",					\
	    "no text report and no progress; --json still prints")	\
	X(PROGRESS, "progress", 0, "",					\
	    "a progress line on stderr (default: when it is a "	\
	    "terminal)")						\
	X(NO_PROGRESS, "no-progress", 0, "", "no progress line")	\
	X(LOG_LEVEL, "log-level", 1, " LEVEL",				\
	    "error, warn (default), info or debug")			\
	X(HELP, "help", 0, "", "this text")

enum load_option {
	LOAD_OPT_NONE = 256,	/* above every character getopt returns */
#define LOAD_OPT_ENUM(id, name, arg, meta, help)	LOAD_OPT_##id,
	LOAD_OPTIONS(LOAD_OPT_ENUM)
#undef LOAD_OPT_ENUM
};

static const struct option load_longopts[] = {
#define LOAD_OPT_ROW(id, name, arg, meta, help) \
	{ name, arg ? required_argument : no_argument, NULL, LOAD_OPT_##id },
	LOAD_OPTIONS(LOAD_OPT_ROW)
#undef LOAD_OPT_ROW
	{ NULL, 0, NULL, 0 },
};

struct load_opts {
	struct load_config	 cfg;
	int			 receipts;	/* -1: by bind type */
	int			 json;
	int			 quiet;
	int			 progress;	/* -1: if stderr is a tty */
};

struct load_run {
	struct event_base	*base;
	struct clock		*clock;
	struct load		*load;
	const struct load_opts	*o;
	struct clock_timer	*t_progress;
	int			 tty;
	int			 progress_shown;
	uint64_t		 last_sent;
	int64_t			 last_at;
};

/* ---- parsing ---- */

#define LOAD_PROG	"carrierlab load"

static int
load_parse_unsigned(const char *opt, const char *s, unsigned min,
    unsigned max, unsigned *v)
{
	uint64_t x;

	if (cli_u64(LOAD_PROG, opt, s, min, max, &x) == -1)
		return -1;
	*v = (unsigned)x;
	return 0;
}

/* Sets the log threshold from a name; -1 for an unknown one. */
static int
load_log_level(const char *s)
{
	enum log_level level;

	if (log_level_parse(s, &level) == -1)
		return -1;
	log_set_level(level);
	return 0;
}

static int
load_parse_name(const char *opt, const char *s, int (*parse)(const char *),
    int *v)
{
	if ((*v = parse(s)) == -1)
		return cli_fail(LOAD_PROG, opt, "\"%s\" is not one of the choices "
		    "(see --help)", s);
	return 0;
}

/* 0, 1 when --help was printed, -1 for a usage error (reported). */
static int
load_parse_one(struct load_opts *o, int ch, const char *opt, char *arg)
{
	struct load_config *c = &o->cfg;
	uint64_t n;
	char *end;
	int v;

	switch (ch) {
	case LOAD_OPT_CONNECT: c->connect = arg; return 0;
	case LOAD_OPT_TLS: c->tls = 1; return 0;
	case LOAD_OPT_SYSTEM_ID: c->system_id = arg; return 0;
	case LOAD_OPT_PASSWORD: c->password = arg; return 0;
	case LOAD_OPT_FROM: c->from = arg; return 0;
	case LOAD_OPT_TO: c->to = arg; return 0;
	case LOAD_OPT_TEXT: c->text = arg; return 0;
	case LOAD_OPT_RECEIPTS: o->receipts = 1; return 0;
	case LOAD_OPT_NO_RECEIPTS: o->receipts = 0; return 0;
	case LOAD_OPT_JSON: o->json = 1; return 0;
	case LOAD_OPT_QUIET: o->quiet = 1; return 0;
	case LOAD_OPT_PROGRESS: o->progress = 1; return 0;
	case LOAD_OPT_NO_PROGRESS: o->progress = 0; return 0;
	case LOAD_OPT_BIND:
		if (load_parse_name(opt, arg, load_bind_parse, &v) == -1)
			return -1;
		c->bind = (enum load_bind)v;
		return 0;
	case LOAD_OPT_ENCODING:
		if (load_parse_name(opt, arg, load_encoding_parse, &v) == -1)
			return -1;
		c->encoding = (enum load_encoding)v;
		return 0;
	case LOAD_OPT_SEGMENTS:
		if (load_parse_name(opt, arg, load_segmenting_parse, &v) == -1)
			return -1;
		c->segmenting = (enum load_segmenting)v;
		return 0;
	case LOAD_OPT_SESSIONS:
		return load_parse_unsigned(opt, arg, 1, 10000, &c->sessions);
	case LOAD_OPT_RX_SESSIONS:
		return load_parse_unsigned(opt, arg, 0, 10000,
		    &c->rx_sessions);
	case LOAD_OPT_WINDOW:
		return load_parse_unsigned(opt, arg, 1, 100000, &c->window);
	case LOAD_OPT_COUNT:
		return cli_u64(LOAD_PROG, opt, arg, 1, UINT64_C(1) << 53,
		    &c->count);
	case LOAD_OPT_LENGTH:
		if (cli_u64(LOAD_PROG, opt, arg, 1, 65535, &n) == -1)
			return -1;
		c->text = NULL;
		c->length = (size_t)n;
		return 0;
	case LOAD_OPT_RATE:
		c->rate = strtod(arg, &end);
		if (end == arg || *end != '\0' || !(c->rate >= 0) ||
		    c->rate > 1e9)
			return cli_fail(LOAD_PROG, opt, "\"%s\" is not a rate from 0 "
			    "to 1e9", arg);
		return 0;
	case LOAD_OPT_RECEIPT_TIMEOUT:
		return cli_duration(LOAD_PROG, opt, arg, 0, &c->receipt_timeout);
	case LOAD_OPT_RESPONSE_TIMEOUT:
		return cli_duration(LOAD_PROG, opt, arg, 0, &c->response_timeout);
	case LOAD_OPT_HELP:
		printf("usage: carrierlab %s %s\n\n%s", cmd_load_entry.name,
		    cmd_load_entry.usage, cmd_load_entry.help);
		return 1;
	case LOAD_OPT_LOG_LEVEL:
		if (load_log_level(arg) == -1)
			return cli_fail(LOAD_PROG, opt, "\"%s\": error, warn, info or "
			    "debug", arg);
		return 0;
	default:
		return -1;
	}
}

/* As load_parse_one(), for the whole command line. */
static int
load_parse(int argc, char **argv, struct load_opts *o)
{
	int ch, index, rc, text = 0, length = 0;

	memset(o, 0, sizeof *o);
	load_config_default(&o->cfg);
	o->receipts = -1;
	o->progress = -1;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", load_longopts, &index)) !=
	    -1) {
		if (ch == '?' || ch == ':') {
			fprintf(stderr, "carrierlab load: %s: unknown option "
			    "or missing argument (see --help)\n",
			    argv[optind - 1]);
			return -1;
		}
		text |= ch == LOAD_OPT_TEXT;
		length |= ch == LOAD_OPT_LENGTH;
		if ((rc = load_parse_one(o, ch, load_longopts[index].name,
		    optarg)) != 0)
			return rc;
	}
	if (optind < argc) {
		fprintf(stderr, "carrierlab load: unexpected argument \"%s\"\n",
		    argv[optind]);
		return -1;
	}
	if (text && length) {
		fprintf(stderr, "carrierlab load: --text or --length, not "
		    "both\n");
		return -1;
	}
	if (o->receipts == -1)
		o->receipts = o->cfg.bind == LOAD_BIND_TRX ||
		    o->cfg.rx_sessions > 0;
	o->cfg.receipts = o->receipts;
	return 0;
}

/* ---- numbers for the report ---- */

static const double load_percentiles[] = { 50, 90, 99, 99.9 };
static const char *const load_percentile_keys[] = { "p50", "p90", "p99",
    "p99_9" };
#define LOAD_NPERCENTILES (sizeof load_percentiles / sizeof load_percentiles[0])

static double
load_seconds(int64_t from, int64_t to)
{
	return from > 0 && to > from ? (double)(to - from) / 1e6 : 0.0;
}

static double
load_per_second(uint64_t n, double seconds)
{
	return seconds > 0 ? (double)n / seconds : 0.0;
}

static double
load_ms(int64_t usec)
{
	return (double)usec / 1000.0;
}

static const char *
load_status_label(uint32_t status, char *buf, size_t len)
{
	const char *name = smpp_status_name(status);

	if (name != NULL)
		return name;
	snprintf(buf, len, "0x%08x", status);
	return buf;
}

/* The stat word of a receipts_by_state index; 0 is the unrecognised. */
static const char *
load_stat_label(int state)
{
	const char *w = state > 0 ?
	    smpp_receipt_stat_word((enum smpp_receipt_stat)state) : NULL;

	return w != NULL ? w : "UNRECOGNISED";
}

struct load_times {
	double		 elapsed;	/* start to end */
	double		 submit;	/* start to the last response */
	double		 receipt;	/* start to the last receipt */
};

static void
load_times(const struct load_stats *st, struct load_times *t)
{
	t->elapsed = load_seconds(st->start, st->end);
	t->submit = load_seconds(st->start, st->last_response);
	t->receipt = load_seconds(st->start, st->last_receipt);
}

/* ---- the text report ---- */

static void
load_text_latency(FILE *f, const char *label, const struct histogram *h)
{
	size_t i;

	if (histogram_count(h) == 0) {
		fprintf(f, "%-18s %s\n", label, "-");
		return;
	}
	fprintf(f, "%-18s", label);
	for (i = 0; i < LOAD_NPERCENTILES; i++)
		fprintf(f, " %9.3f", load_ms(histogram_percentile(h,
		    load_percentiles[i])));
	fprintf(f, " %9.3f\n", load_ms(histogram_max(h)));
}

static void
load_text_header(FILE *f, const struct load *l, const struct load_opts *o)
{
	const struct load_message_info *mi = load_message_info(l);
	const struct load_config *c = &o->cfg;

	fprintf(f, "carrierlab load: %s%s, %u %s session%s", c->connect,
	    c->tls ? " (tls)" : "", c->sessions, load_bind_name(c->bind),
	    c->sessions == 1 ? "" : "s");
	if (c->rx_sessions > 0)
		fprintf(f, " + %u rx", c->rx_sessions);
	fprintf(f, ", window %u, ", c->window);
	if (c->rate > 0)
		fprintf(f, "%g messages/s\n", c->rate);
	else
		fprintf(f, "unpaced\n");
	fprintf(f, "message: %zu characters, %s, %zu octets, %u submit_sm "
	    "(%zu SMS, %s); receipts %s\n\n", mi->characters,
	    load_encoding_name(mi->encoding), mi->octets, mi->parts, mi->sms,
	    load_segmenting_name(c->segmenting), c->receipts ? "on" : "off");
}

static void
load_text_counts(FILE *f, const struct load_stats *st, int receipts)
{
	char buf[16];
	size_t i;
	int s;

	fprintf(f, "submitted        %" PRIu64 " messages in %" PRIu64
	    " submit_sm\n", st->messages_sent, st->parts_sent);
	fprintf(f, "responses        %" PRIu64 "\n", st->responses);
	for (i = 0; i < st->nstatus; i++)
		fprintf(f, "  %-20s %10" PRIu64 "\n", load_status_label(
		    st->status[i].status, buf, sizeof buf),
		    st->status[i].count);
	if (st->status_other > 0)
		fprintf(f, "  %-20s %10" PRIu64 "\n", "(other statuses)",
		    st->status_other);
	fprintf(f, "no response      %" PRIu64 "\n", st->no_response);
	fprintf(f, "accepted         %" PRIu64 " messages\n",
	    st->messages_accepted);
	if (!receipts && st->receipts == 0)
		return;
	fprintf(f, "receipts         %" PRIu64 " of %" PRIu64 " expected, %"
	    PRIu64 " missing, %" PRIu64 " unmatched\n", st->receipts_matched,
	    st->receipts_expected, st->receipts_missing,
	    st->receipts_unmatched);
	for (s = 1; s <= 8; s++)
		if (st->receipts_by_state[s] > 0)
			fprintf(f, "  %-20s %10" PRIu64 "\n",
			    load_stat_label(s), st->receipts_by_state[s]);
	if (st->receipts_by_state[0] > 0)
		fprintf(f, "  %-20s %10" PRIu64 "\n", load_stat_label(0),
		    st->receipts_by_state[0]);
}

static void
load_report_text(FILE *f, const struct load *l, const struct load_opts *o)
{
	const struct load_stats *st = load_stats(l);
	struct load_times t;

	load_times(st, &t);
	load_text_header(f, l, o);
	load_text_counts(f, st, o->cfg.receipts);
	if (st->mo > 0)
		fprintf(f, "mo               %" PRIu64 "\n", st->mo);
	fprintf(f, "elapsed          %.3f s (last response at %.3f s)\n",
	    t.elapsed, t.submit);
	fprintf(f, "throughput       %.0f submit_sm/s, %.0f messages/s",
	    load_per_second(st->responses, t.submit),
	    load_per_second(st->messages_sent, t.submit));
	if (o->cfg.receipts)
		fprintf(f, ", %.0f receipts/s", load_per_second(
		    st->receipts_matched, t.receipt));
	fprintf(f, "\n\nlatency (ms)             p50       p90       p99     "
	    "p99.9       max\n");
	load_text_latency(f, "submit->response", &st->response_latency);
	if (o->cfg.receipts)
		load_text_latency(f, "submit->receipt", &st->receipt_latency);
	if (st->error[0] != '\0')
		fprintf(f, "\nerror: %s\n", st->error);
	if (st->interrupted)
		fprintf(f, "\ninterrupted\n");
}

/* ---- the JSON report ---- */

static json_t *
load_json_latency(const struct histogram *h)
{
	json_t *o = json_object();
	size_t i;

	json_object_set_new(o, "count", json_integer(
	    (json_int_t)histogram_count(h)));
	json_object_set_new(o, "min", json_real(load_ms(histogram_min(h))));
	json_object_set_new(o, "mean", json_real(histogram_mean(h) / 1000.0));
	for (i = 0; i < LOAD_NPERCENTILES; i++)
		json_object_set_new(o, load_percentile_keys[i], json_real(
		    load_ms(histogram_percentile(h, load_percentiles[i]))));
	json_object_set_new(o, "max", json_real(load_ms(histogram_max(h))));
	return o;
}

static json_t *
load_json_config(const struct load *l, const struct load_opts *o)
{
	const struct load_message_info *mi = load_message_info(l);
	const struct load_config *c = &o->cfg;

	return json_pack("{s:s, s:b, s:s, s:s, s:i, s:i, s:i, s:f, s:I, "
	    "s:{s:s, s:i, s:I, s:I, s:i, s:I, s:s}, s:b, s:f, s:f}",
	    "connect", c->connect, "tls", c->tls, "system_id", c->system_id,
	    "bind", load_bind_name(c->bind), "sessions", (int)c->sessions,
	    "rx_sessions", (int)c->rx_sessions, "window", (int)c->window,
	    "rate", c->rate, "count", (json_int_t)c->count,
	    "message", "encoding", load_encoding_name(mi->encoding),
	    "data_coding", (int)mi->data_coding,
	    "characters", (json_int_t)mi->characters,
	    "octets", (json_int_t)mi->octets, "parts", (int)mi->parts,
	    "sms", (json_int_t)mi->sms,
	    "segments", load_segmenting_name(c->segmenting),
	    "receipts", c->receipts,
	    "receipt_timeout_s", (double)c->receipt_timeout / 1e6,
	    "response_timeout_s", (double)c->response_timeout / 1e6);
}

static json_t *
load_json_submits(const struct load_stats *st)
{
	json_t *by = json_object();
	char buf[16];
	size_t i;

	for (i = 0; i < st->nstatus; i++)
		json_object_set_new(by, load_status_label(st->status[i].status,
		    buf, sizeof buf), json_integer(
		    (json_int_t)st->status[i].count));
	if (st->status_other > 0)
		json_object_set_new(by, "other", json_integer(
		    (json_int_t)st->status_other));
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
	    "sent", (json_int_t)st->parts_sent,
	    "unsent", (json_int_t)st->parts_unsent,
	    "responses", (json_int_t)st->responses,
	    "no_response", (json_int_t)st->no_response,
	    "generic_nack", (json_int_t)st->generic_nacks,
	    "accepted", (json_int_t)st->parts_accepted,
	    "by_status", by);
}

static json_t *
load_json_receipts(const struct load_stats *st)
{
	json_t *by = json_object();
	int s;

	for (s = 1; s <= 8; s++)
		json_object_set_new(by, load_stat_label(s), json_integer(
		    (json_int_t)st->receipts_by_state[s]));
	json_object_set_new(by, load_stat_label(0), json_integer(
	    (json_int_t)st->receipts_by_state[0]));
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
	    "received", (json_int_t)st->receipts,
	    "expected", (json_int_t)st->receipts_expected,
	    "matched", (json_int_t)st->receipts_matched,
	    "missing", (json_int_t)st->receipts_missing,
	    "unmatched", (json_int_t)st->receipts_unmatched,
	    "intermediate", (json_int_t)st->receipts_intermediate,
	    "before_response", (json_int_t)st->receipts_early,
	    "id_other_base", (json_int_t)st->receipts_converted,
	    "by_stat", by);
}

static void
load_report_json(FILE *f, const struct load *l, const struct load_opts *o)
{
	const struct load_stats *st = load_stats(l);
	struct load_times t;
	json_t *r;

	load_times(st, &t);
	r = json_pack("{s:i, s:o, s:{s:I, s:I, s:I}, s:o, s:o, s:I, "
	    "s:{s:i, s:i}, s:f, s:f, s:f, s:{s:f, s:f, s:f}, "
	    "s:{s:o, s:o}, s:b, s:s?, s:i}",
	    "version", LOAD_JSON_VERSION,
	    "config", load_json_config(l, o),
	    "messages", "requested", (json_int_t)o->cfg.count,
	    "submitted", (json_int_t)st->messages_sent,
	    "accepted", (json_int_t)st->messages_accepted,
	    "submit_sm", load_json_submits(st),
	    "receipts", load_json_receipts(st),
	    "mo", (json_int_t)st->mo,
	    "sessions", "opened", (int)(o->cfg.sessions +
	    o->cfg.rx_sessions), "lost", (int)st->sessions_lost,
	    "elapsed_s", t.elapsed, "submit_elapsed_s", t.submit,
	    "receipt_elapsed_s", t.receipt,
	    "throughput", "submit_sm_per_s", load_per_second(st->responses,
	    t.submit), "messages_per_s", load_per_second(st->messages_sent,
	    t.submit), "receipts_per_s", load_per_second(st->receipts_matched,
	    t.receipt),
	    "latency_ms", "submit_response", load_json_latency(
	    &st->response_latency), "submit_receipt", load_json_latency(
	    &st->receipt_latency),
	    "interrupted", st->interrupted,
	    "error", st->error[0] != '\0' ? st->error : NULL,
	    "exit_status", load_exit_status(l));
	if (r == NULL) {
		fprintf(stderr, "carrierlab load: cannot build the JSON "
		    "report\n");
		return;
	}
	json_dumpf(r, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(9));
	fputc('\n', f);
	json_decref(r);
}

/* ---- progress ---- */

static void
load_progress_clear(struct load_run *r)
{
	if (r->tty && r->progress_shown)
		fputs("\r\033[K", stderr);
	r->progress_shown = 0;
}

static void
load_progress(struct clock_timer *t, void *arg)
{
	struct load_run *r = arg;
	const struct load_stats *st = load_stats(r->load);
	int64_t now = clock_now(r->clock);
	int64_t since = r->last_at > 0 ? r->last_at : st->start;
	char receipts[48] = "";
	double rate = 0;

	if (since > 0 && now > since)
		rate = (double)(st->messages_sent - r->last_sent) * 1e6 /
		    (double)(now - since);
	r->last_sent = st->messages_sent;
	r->last_at = st->start > 0 ? now : 0;
	if (r->o->cfg.receipts)
		snprintf(receipts, sizeof receipts, " %" PRIu64 " receipts,",
		    st->receipts_matched);
	fprintf(stderr, "%s%" PRIu64 "/%" PRIu64 " sent, %" PRIu64
	    " answered,%s %" PRIu64 " in flight, %.0f/s, p99 %.3f ms%s",
	    r->tty ? "\r\033[K" : "", st->messages_sent, r->o->cfg.count,
	    st->responses + st->no_response, receipts,
	    load_in_flight(r->load), rate,
	    load_ms(histogram_percentile(&st->response_latency, 99)),
	    r->tty ? "" : "\n");
	fflush(stderr);
	r->progress_shown = 1;
	clock_timer_add(t, r->tty ? LOAD_PROGRESS_TTY_USEC :
	    LOAD_PROGRESS_LOG_USEC);
}

/* ---- the run ---- */

static void
load_done(struct load *l, void *arg)
{
	struct load_run *r = arg;

	(void)l;
	event_base_loopbreak(r->base);
}

static void
load_signal(evutil_socket_t sig, short what, void *arg)
{
	struct load_run *r = arg;

	(void)what;
	log_info("load signal=%d", (int)sig);
	load_stop(r->load);
}

static int
load_execute(struct load_run *r, const struct load_opts *o)
{
	struct event *sigint, *sigterm;
	char err[512];

	if ((r->load = load_new(r->base, r->clock, &o->cfg, err,
	    sizeof err)) == NULL) {
		fprintf(stderr, "carrierlab load: %s\n", err);
		return 2;
	}
	sigint = evsignal_new(r->base, SIGINT, load_signal, r);
	sigterm = evsignal_new(r->base, SIGTERM, load_signal, r);
	event_add(sigint, NULL);
	event_add(sigterm, NULL);
	r->tty = isatty(STDERR_FILENO);
	if (!o->quiet && (o->progress == 1 || (o->progress == -1 && r->tty))) {
		r->t_progress = clock_timer_new(r->clock, load_progress, r);
		clock_timer_add(r->t_progress, r->tty ?
		    LOAD_PROGRESS_TTY_USEC : LOAD_PROGRESS_LOG_USEC);
	}
	load_start(r->load, load_done, r);
	event_base_dispatch(r->base);
	clock_timer_free(r->t_progress);
	load_progress_clear(r);
	event_free(sigint);
	event_free(sigterm);
	if (o->json)
		load_report_json(stdout, r->load, o);
	else if (!o->quiet)
		load_report_text(stdout, r->load, o);
	fflush(stdout);
	return load_exit_status(r->load);
}

static int
cmd_load_exec(int argc, char **argv)
{
	struct load_opts o;
	struct load_run r;
	int rc;

	log_set_level(LOG_LEVEL_WARN);
	if ((rc = load_parse(argc, argv, &o)) != 0)
		return rc == 1 ? 0 : 2;	/* 1: --help was printed */
	signal(SIGPIPE, SIG_IGN);
	log_route_libevent();
	memset(&r, 0, sizeof r);
	r.o = &o;
	r.base = event_base_new();
	r.clock = clock_new(r.base, CLOCK_MODE_REAL, 0, 1.0);
	rc = load_execute(&r, &o);
	load_free(r.load);
	clock_free(r.clock);
	event_base_free(r.base);
	return rc;
}

const struct cmd_entry cmd_load_entry = {
	.name = "load",
	.usage = "[OPTIONS]",
	.summary = "load an SMSC and report throughput and latency tails",
	.help =
	    "Binds N sessions to an SMSC, submits --count messages at --rate "
	    "or as fast as\nthe window allows, waits for their receipts, and "
	    "prints what came back:\nresponses by status, receipts by stat, "
	    "throughput, and latency percentiles\n(p50/p90/p99/p99.9/max) "
	    "for submit->response and submit->receipt.\nSee docs/load.md.\n\n"
	    "Options:\n"
#define LOAD_OPT_HELP(id, name, arg, meta, help) \
	    "  --" name meta LOAD_HELP_INDENT help "\n"
	    LOAD_OPTIONS(LOAD_OPT_HELP)
#undef LOAD_OPT_HELP
	    "\nExit status: 0 when every message was sent and answered and, "
	    "with receipts,\nevery accepted part got its receipt in time; 1 "
	    "otherwise; 2 for a usage\nerror. SIGINT stops sending (and "
	    "waiting for receipts); a second one ends\nat once.\n",
	.exec = cmd_load_exec,
};
