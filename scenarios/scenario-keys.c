/*
 * Every key of a scenario file, one row each: name, type, where the value
 * goes, range, and help. The parser reads files by these rows, `carrierlab
 * check --explain` prints a scenario by them, and `carrierlab check
 * --keys` prints them as the tables of docs/scenarios.md. Defaults are not
 * written here: they are whatever carrier_profile_default() and
 * scn_scenario_defaults() set, and the docs print them from there.
 *
 * A key is added by adding its row (and, for a new kind of value, a type).
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "scenarios/scenario-internal.h"
#include "smpp/smpp.h"

#define CP(f)		offsetof(struct carrier_profile, f)
#define CPSIZE(f)	sizeof(((struct carrier_profile *)0)->f)
#define SC(f)		offsetof(struct scenario, f)
#define SCSIZE(f)	sizeof(((struct scenario *)0)->f)

/* What each array item starts as, before its own keys are read. */
static const struct carrier_listen listen_default = { .tls = 0 };
static const struct carrier_account account_default = {
	.bind_types = CARRIER_BIND_ALL,
	.max_binds = 0,
};
static const struct carrier_outcome outcome_default = { .err = "000" };
/* err stays empty until the rule turns out to have an outcome. */
static const struct carrier_rule rule_default = { .submit_status = 0 };

static const char *const bind_fail_words[] = {
	"ESME_RALYBND", "ESME_RBINDFAIL", NULL,
};
static const char *const window_full_words[] = {
	"ESME_RMSGQFUL", "ESME_RTHROTTLED", NULL,
};
static const char *const clock_words[] = {
	/* In the order of enum clock_mode. */
	"real", "virtual", NULL,
};

static const struct scn_key tls_keys[] = {
	{ .name = "cert", .type = &scn_type_path,
	  .off = offsetof(struct carrier_listen, cert),
	  .size = CARRIER_PATH_MAX, .flags = SCN_READABLE,
	  .range = "a readable file",
	  .help = "PEM certificate (chain), relative to the scenario file; "
	  "needs key" },
	{ .name = "key", .type = &scn_type_path,
	  .off = offsetof(struct carrier_listen, key),
	  .size = CARRIER_PATH_MAX, .flags = SCN_READABLE,
	  .range = "a readable file",
	  .help = "PEM private key of cert, relative to the scenario file" },
	{ .name = NULL },
};

static const struct scn_key listen_keys[] = {
	{ .name = "address", .type = &scn_type_hostport,
	  .off = offsetof(struct carrier_listen, address),
	  .size = CARRIER_ADDR_MAX, .min = 1, .flags = SCN_REQUIRED,
	  .range = "host:port, port 0-65535",
	  .help = "Address to listen on; an IPv6 host in brackets; port 0 "
	  "takes any free port" },
	{ .name = "tls", .type = &scn_type_tls, .sub = tls_keys,
	  .range = "true, false or {cert, key}",
	  .help = "SMPP over TLS; true alone makes a self-signed certificate "
	  "at start" },
	{ .name = NULL },
};

static const struct scn_key account_keys[] = {
	{ .name = "system_id", .type = &scn_type_string,
	  .off = offsetof(struct carrier_account, system_id),
	  .size = sizeof(((struct carrier_account *)0)->system_id),
	  .min = 1, .flags = SCN_REQUIRED,
	  .range = "1-15 characters, unique in the carrier",
	  .help = "The bind's system_id" },
	{ .name = "password", .type = &scn_type_string,
	  .off = offsetof(struct carrier_account, password),
	  .size = sizeof(((struct carrier_account *)0)->password),
	  .range = "0-8 characters",
	  .help = "The bind's password" },
	{ .name = "bind_types", .type = &scn_type_bind_types,
	  .off = offsetof(struct carrier_account, bind_types),
	  .range = "\"tx\", \"rx\", \"trx\"",
	  .help = "Bind commands this account may use" },
	{ .name = "max_binds", .type = &scn_type_uint,
	  .off = offsetof(struct carrier_account, max_binds),
	  .size = sizeof(unsigned), .max = 100000,
	  .help = "Binds of this account at once; 0: no limit" },
	{ .name = NULL },
};

/* Sender kinds as smpp/address.h classifies source_addr. */
static const struct scn_key accepts_keys[] = {
	{ .name = "short_code", .type = &scn_type_bit, .off = CP(senders),
	  .mask = CARRIER_SENDER_SHORT_CODE,
	  .help = "Takes short code senders (else ESME_RINVSRCADR)" },
	{ .name = "long_code", .type = &scn_type_bit, .off = CP(senders),
	  .mask = CARRIER_SENDER_LONG_CODE,
	  .help = "Takes long code (ordinary number) senders" },
	{ .name = "toll_free", .type = &scn_type_bit, .off = CP(senders),
	  .mask = CARRIER_SENDER_TOLL_FREE,
	  .help = "Takes North American toll-free senders" },
	{ .name = "alphanumeric", .type = &scn_type_bit, .off = CP(senders),
	  .mask = CARRIER_SENDER_ALPHANUMERIC,
	  .help = "Takes alphanumeric sender ids" },
	{ .name = "mms", .type = &scn_type_bool, .off = CP(mms),
	  .help = "Takes MMS; the gateway converts MMS to SMS with a link "
	  "for carriers that do not" },
	{ .name = NULL },
};

static const struct scn_key outcome_keys[] = {
	{ .name = "p", .type = &scn_type_number,
	  .off = offsetof(struct carrier_outcome, p), .min = 0, .max = 1,
	  .flags = SCN_REQUIRED, .help = "Probability" },
	{ .name = "err", .type = &scn_type_err,
	  .off = offsetof(struct carrier_outcome, err),
	  .range = "three digits", .help = "The receipt's err field" },
	{ .name = "network_error_code", .type = &scn_type_nec, .off = 0,
	  .range = "{\"type\", \"code\"} or 6 hex digits",
	  .help = "The receipt's network_error_code TLV (type octet, 2-octet "
	  "code); none: left out" },
	{ .name = NULL },
};

#define FINAL_STATS "DELIVRD, UNDELIV, EXPIRED, REJECTD, DELETED, " \
	"UNKNOWN, ACCEPTD"

static const struct scn_key rule_keys[] = {
	{ .name = "to", .type = &scn_type_prefix,
	  .off = offsetof(struct carrier_rule, to_prefix),
	  .size = CARRIER_PREFIX_MAX, .min = 1,
	  .range = "'+' and digits, up to 21",
	  .help = "Condition: destination starts with this ('+' ignored)" },
	{ .name = "to_matches", .type = &scn_type_regex_to,
	  .range = "POSIX extended regex",
	  .help = "Condition: destination matches; \"(?i)\" in front "
	  "ignores case" },
	{ .name = "body_matches", .type = &scn_type_regex_body,
	  .range = "POSIX extended regex",
	  .help = "Condition: decoded text matches; \"(?i)\" in front "
	  "ignores case" },
	{ .name = "submit_status", .type = &scn_type_status,
	  .off = offsetof(struct carrier_rule, submit_status),
	  .range = "an error status name",
	  .help = "Effect: the submit is refused with this status" },
	{ .name = "outcome", .type = &scn_type_stat,
	  .off = offsetof(struct carrier_rule, outcome.state),
	  .range = FINAL_STATS,
	  .help = "Effect: the message ends in this state" },
	{ .name = "err", .type = &scn_type_err,
	  .off = offsetof(struct carrier_rule, outcome.err),
	  .range = "three digits",
	  .help = "The outcome's err field (default \"000\")" },
	{ .name = "network_error_code", .type = &scn_type_nec,
	  .off = offsetof(struct carrier_rule, outcome),
	  .range = "{\"type\", \"code\"} or 6 hex digits",
	  .help = "The outcome's network_error_code TLV" },
	{ .name = "delay", .type = &scn_type_rule_delay,
	  .range = "0 or more",
	  .help = "The outcome's receipt delay, instead of receipt_delay" },
	{ .name = NULL },
};

static int
retry_check(struct scn_ctx *c, const struct scn_key *k, void *base)
{
	const struct carrier_profile *p = base;

	if (p->resend_max < p->resend_initial)
		return scn_fail(c, "max is below initial");
	return 0;
}

static const struct scn_key retry_keys[] = {
	{ .name = "initial", .type = &scn_type_duration,
	  .off = CP(resend_initial), .flags = SCN_POSITIVE,
	  .range = "more than 0",
	  .help = "First wait before resending a receipt or MO the ESME "
	  "did not take" },
	{ .name = "max", .type = &scn_type_duration, .off = CP(resend_max),
	  .range = "initial or more",
	  .help = "Ceiling of the doubling wait" },
	{ .name = "attempts", .type = &scn_type_uint,
	  .off = CP(resend_attempts), .size = CPSIZE(resend_attempts),
	  .max = 1000000, .help = "Sends before it is dropped; 0: never "
	  "dropped" },
	{ .name = NULL },
};

static const struct scn_key session_keys[] = {
	{ .name = "enquire_link", .type = &scn_type_duration,
	  .off = CP(enquire_link_interval),
	  .help = "Interval of our enquire_link on an idle bind; 0: off" },
	{ .name = "inactivity_timeout", .type = &scn_type_duration,
	  .off = CP(inactivity_timeout),
	  .help = "Unbinds a session with no traffic this long; 0: off" },
	{ .name = "session_init_timeout", .type = &scn_type_duration,
	  .off = CP(session_init_timeout),
	  .help = "Closes a connection not bound within this; 0: off" },
	{ .name = "response_timeout", .type = &scn_type_duration,
	  .off = CP(response_timeout),
	  .help = "Wait for a deliver_sm_resp before resending; 0: off" },
	{ .name = "deliver_window", .type = &scn_type_uint,
	  .off = CP(deliver_window), .size = CPSIZE(deliver_window),
	  .min = 1, .max = 100000,
	  .help = "Our unanswered deliver_sm per bind" },
	{ .name = NULL },
};

const struct scn_key scn_carrier_keys[] = {
	{ .name = "name", .type = &scn_type_name, .off = CP(name),
	  .size = CPSIZE(name), .min = 1, .flags = SCN_REQUIRED,
	  .range = "1-63 of A-Z a-z 0-9 . _ -, unique",
	  .help = "The carrier's name in logs, metrics and /sim/ routes" },
	{ .name = "country", .type = &scn_type_country, .off = CP(country),
	  .size = CPSIZE(country), .range = "two letters (ISO 3166) or \"\"",
	  .help = "Country of the carrier's network" },
	{ .name = "seed", .type = &scn_type_uint, .off = CP(seed),
	  .size = CPSIZE(seed), .max = 9.3e18, .range = "0 or more",
	  .help = "Mixed with the scenario's seed: a new value reshuffles "
	  "this carrier's dice only" },
	{ .name = "listen", .type = &scn_type_listen, .sub = listen_keys,
	  .item = "[]", .item_default = &listen_default,
	  .flags = SCN_REQUIRED, .range = "1-8 listeners, ports unique",
	  .help = "Where ESMEs connect: \"host:port\" or {address, tls}" },
	{ .name = "accounts", .type = &scn_type_accounts, .sub = account_keys,
	  .item = "[]", .item_default = &account_default,
	  .range = "1-32 accounts",
	  .help = "Who may bind; replaces the default account" },
	{ .name = "on_too_many_binds", .type = &scn_type_status,
	  .off = CP(too_many_binds), .choices = bind_fail_words,
	  .range = "ESME_RALYBND or ESME_RBINDFAIL",
	  .help = "bind_resp status beyond an account's max_binds" },
	{ .name = "accepts", .type = &scn_type_object, .sub = accepts_keys,
	  .help = "Sender kinds and MMS taken; members left out keep their "
	  "default" },
	{ .name = "data_codings", .type = &scn_type_codings,
	  .range = "0-255 each",
	  .help = "data_coding values taken (else ESME_RINVDCS)" },
	{ .name = "max_length", .type = &scn_type_uint, .off = CP(max_length),
	  .size = CPSIZE(max_length), .min = 1, .max = 65535,
	  .help = "Octets of short_message or message_payload (else "
	  "ESME_RINVMSGLEN)" },
	{ .name = "max_segments", .type = &scn_type_uint,
	  .off = CP(max_segments), .size = CPSIZE(max_segments), .max = 255,
	  .help = "Segments of one concatenated message; 0: no limit" },
	{ .name = "serves", .type = &scn_type_prefixes,
	  .range = "up to 64 prefixes, '+' and digits",
	  .help = "Destination prefixes delivered to (else ESME_RINVDSTADR); "
	  "empty: all" },
	{ .name = "window", .type = &scn_type_uint, .off = CP(window),
	  .size = CPSIZE(window), .min = 1, .max = 100000,
	  .help = "Unanswered submits allowed per bind" },
	{ .name = "on_window_full", .type = &scn_type_status,
	  .off = CP(on_window_full), .choices = window_full_words,
	  .range = "ESME_RMSGQFUL or ESME_RTHROTTLED",
	  .help = "Status of a submit beyond the window" },
	{ .name = "max_mps_bind", .type = &scn_type_number,
	  .off = CP(max_mps_bind), .max = 1e6,
	  .help = "Segments per second per bind; 0: no limit" },
	{ .name = "max_mps", .type = &scn_type_number, .off = CP(max_mps),
	  .max = 1e6, .help = "Segments per second for the carrier; 0: no "
	  "limit" },
	{ .name = "submit_latency", .type = &scn_type_dist,
	  .off = CP(submit_latency),
	  .help = "Time from submit_sm to its response" },
	{ .name = "submit_errors", .type = &scn_type_submit_errors,
	  .range = "{STATUS: 0-1}, sum at most 1",
	  .help = "Error responses to submits by probability; the rest are "
	  "accepted" },
	{ .name = "outcomes", .type = &scn_type_outcomes, .sub = outcome_keys,
	  .item = ".STAT", .item_default = &outcome_default,
	  .range = "{STAT: 0-1}, sum at most 1",
	  .help = "Final states by probability (" FINAL_STATS "); the rest "
	  "is DELIVRD" },
	{ .name = "receipt_delay", .type = &scn_type_dist,
	  .off = CP(receipt_delay),
	  .help = "Time from submit to the final state and its receipt" },
	{ .name = "intermediate_delay", .type = &scn_type_dist,
	  .off = CP(intermediate_delay),
	  .help = "Time from submit to the ENROUTE receipt, when asked for" },
	{ .name = "default_validity", .type = &scn_type_duration,
	  .off = CP(default_validity),
	  .help = "Validity of a submit that gives none; 0: never expires" },
	{ .name = "rules", .type = &scn_type_rules, .sub = rule_keys,
	  .item = "[]", .item_default = &rule_default,
	  .range = "up to 32, first match wins",
	  .help = "Deterministic fates: conditions and one effect" },
	{ .name = "receipt_retry", .type = &scn_type_object, .sub = retry_keys,
	  .check = retry_check,
	  .help = "Resending receipts and MO the ESME does not answer" },
	{ .name = "session", .type = &scn_type_object, .sub = session_keys,
	  .help = "SMPP session timers and our deliver_sm window" },
	{ .name = "capture_limit", .type = &scn_type_uint,
	  .off = CP(capture_limit), .size = CPSIZE(capture_limit),
	  .max = 1000000, .help = "PDUs kept per bind for /sim/ captures; 0: "
	  "none" },
	{ .name = "faults", .type = &scn_type_faults,
	  .range = "up to 16 {name, parameters}",
	  .help = "Fault modes on from the start (see Faults and quirks)" },
	{ .name = "quirks", .type = &scn_type_quirks,
	  .range = "{QUIRK: parameters or true}",
	  .help = "Interop quirks on from the start (see Faults and "
	  "quirks)" },
	{ .name = NULL },
};

static const struct scn_key clock_keys[] = {
	{ .name = "mode", .type = &scn_type_word, .off = SC(clock),
	  .choices = clock_words, .range = "\"real\" or \"virtual\"",
	  .help = "virtual: time jumps to the next timer when all is idle" },
	{ .name = "start", .type = &scn_type_timestamp, .off = SC(clock_start),
	  .range = "RFC 3339 UTC time",
	  .help = "Time at start; none: the wall clock" },
	{ .name = "speed", .type = &scn_type_number, .off = SC(speed),
	  .max = 1e6, .flags = SCN_POSITIVE, .range = "more than 0",
	  .help = "Real mode: clock seconds per real second" },
	{ .name = NULL },
};

/* Keys of the full format that later versions bring. */
#define RESERVED(n) { .name = n, .type = &scn_type_reserved, \
	.flags = SCN_RESERVED, .help = "Not supported in this version" }

const struct scn_key scn_top_keys[] = {
	{ .name = "name", .type = &scn_type_string, .off = SC(name),
	  .size = SCSIZE(name), .range = "up to 127 characters",
	  .help = "The scenario's name in reports" },
	{ .name = "description", .type = &scn_type_string,
	  .off = SC(description), .size = SCSIZE(description),
	  .range = "up to 511 characters",
	  .help = "What the scenario shows" },
	{ .name = "seed", .type = &scn_type_uint, .off = SC(seed),
	  .size = SCSIZE(seed), .max = 9.3e18, .range = "0 or more",
	  .help = "Seeds every random draw: same seed, same run" },
	{ .name = "clock", .type = &scn_type_clock, .sub = clock_keys,
	  .range = "\"real\", \"virtual\" or {mode, start, speed}",
	  .help = "The simulation clock" },
	{ .name = "http", .type = &scn_type_hostport, .off = SC(http),
	  .size = SCSIZE(http), .min = 1, .range = "host:port",
	  .help = "The HTTP listener: API, /sim/ and /metrics" },
	{ .name = "admin_token", .type = &scn_type_string,
	  .off = SC(admin_token), .size = SCSIZE(admin_token),
	  .range = "up to 127 characters",
	  .help = "Opens /sim/ routes off loopback; \"\": none" },
	{ .name = "state", .type = &scn_type_path, .off = SC(state),
	  .size = SCSIZE(state), .range = "a path",
	  .help = "sqlite database, relative to the scenario file; \"\": "
	  "the command's default" },
	{ .name = "carriers", .type = &scn_type_carriers,
	  .flags = SCN_REQUIRED, .range = "1-64, names and ports unique",
	  .help = "The simulated carriers (carrier keys below)" },
	RESERVED("gateway"),
	RESERVED("numbers"),
	RESERVED("services"),
	RESERVED("timeline"),
	RESERVED("traffic"),
	RESERVED("expect"),
	{ .name = NULL },
};

void
scn_scenario_defaults(struct scenario *s)
{
	memset(s, 0, sizeof *s);
	s->seed = 1;
	s->clock = CLOCK_MODE_REAL;
	s->clock_start = 0;
	s->speed = 1;
	snprintf(s->http, sizeof s->http, "127.0.0.1:8080");
}
