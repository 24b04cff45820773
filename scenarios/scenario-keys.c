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
	{ .name = "from", .type = &scn_type_prefix,
	  .off = offsetof(struct carrier_rule, from_prefix),
	  .size = CARRIER_PREFIX_MAX, .min = 1,
	  .range = "'+' and digits, up to 21",
	  .help = "Condition: source address starts with this ('+' "
	  "ignored): a sender, e.g. a short code" },
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

/* ---- The gateway side: accounts, numbers, services, routes. ---- */

#define GA(f)		offsetof(struct gateway_account, f)
#define GASIZE(f)	sizeof(((struct gateway_account *)0)->f)
#define GK(f)		offsetof(struct gateway_api_key, f)
#define GKSIZE(f)	sizeof(((struct gateway_api_key *)0)->f)
#define GN(f)		offsetof(struct gateway_number, f)
#define GNSIZE(f)	sizeof(((struct gateway_number *)0)->f)
#define GS(f)		offsetof(struct gateway_service, f)
#define GSSIZE(f)	sizeof(((struct gateway_service *)0)->f)
#define GR(f)		offsetof(struct gateway_route, f)
#define GRSIZE(f)	sizeof(((struct gateway_route *)0)->f)
#define GD(f)		offsetof(struct gateway_destination_alpha, f)
#define GDSIZE(f)	sizeof(((struct gateway_destination_alpha *)0)->f)
#define GE(f)		offsetof(struct gateway_error_rule, f)
#define GESIZE(f)	sizeof(((struct gateway_error_rule *)0)->f)
#define SEC		INT64_C(1000000)

static const char *const ac_prefix[] = { "AC", NULL };
static const char *const sk_prefix[] = { "SK", NULL };
static const char *const mg_prefix[] = { "MG", NULL };
static const char *const number_prefixes[] = { "PN", "SC", "AI", NULL };
static const char *const method_words[] = { "GET", "POST", NULL };
static const char *const usecase_words[] = {
	"notifications", "marketing", "verification", "discussion", "poll",
	"undeclared", NULL,
};
static const char *const synchronous_words[] = {
	/* Indexed by GATEWAY_SYNC_*. */
	"off", "normal", "full", NULL,
};

static const struct gateway_account gw_account_default = { .nkeys = 0 };
static const struct gateway_api_key gw_api_key_default = { .sid = "" };
static const struct gateway_number gw_number_default = {
	.kind = (enum gateway_sender_kind)4,	/* from the number */
	.sms_method = "POST",
	.sms_fallback_method = "POST",
};
static const struct gateway_service gw_service_default = {
	.inbound_method = "POST",
	.fallback_method = "POST",
	.sticky_sender = 1,
	.mms_converter = 1,
	.smart_encoding = 1,
	.area_code_geomatch = 1,
	.fallback_to_long_code = 1,
	.use_inbound_webhook_on_number = 0,
	.validity_period = 36000,
	.usecase = "undeclared",
};
static const struct gateway_route gw_route_default = {
	.tls_verify = 1,
	.bind = GATEWAY_BIND_TRX,
	.sessions = 1,
	.window = 10,
	.response_timeout = 30 * SEC,
	.enquire_link = 30 * SEC,
	.reconnect_min = 1 * SEC,
	.reconnect_max = 60 * SEC,
	.submit_retries = 2,
	.retry_pause = 1 * SEC,
	.accepts_kinds = (1u << GATEWAY_SENDER_LONG_CODE) |
	    (1u << GATEWAY_SENDER_SHORT_CODE) |
	    (1u << GATEWAY_SENDER_TOLL_FREE) |
	    (1u << GATEWAY_SENDER_ALPHANUMERIC),
	.accepts_mms = 0,
};
static const struct gateway_error_rule gw_rule_default = {
	.kind = GATEWAY_OUTCOME_SUBMIT,
	.network_type = -1,
	.network_code = -1,
	.status = -1,
};

static const struct scn_key gw_api_key_keys[] = {
	{ .name = "sid", .type = &scn_type_sid, .off = GK(sid),
	  .choices = sk_prefix, .flags = SCN_REQUIRED,
	  .range = "SK and 32 hex digits, unique",
	  .help = "The key's sid: the username of Basic auth" },
	{ .name = "secret", .type = &scn_type_string, .off = GK(secret),
	  .size = GKSIZE(secret), .min = 1, .flags = SCN_REQUIRED,
	  .range = "1-127 characters",
	  .help = "The key's secret: the password of Basic auth" },
	{ .name = "friendly_name", .type = &scn_type_string,
	  .off = GK(friendly_name), .size = GKSIZE(friendly_name),
	  .range = "up to 63 characters", .help = "Shown by the API" },
	{ .name = NULL },
};

static const struct scn_key gw_account_keys[] = {
	{ .name = "sid", .type = &scn_type_sid, .off = GA(sid),
	  .choices = ac_prefix, .flags = SCN_REQUIRED,
	  .range = "AC and 32 hex digits, unique",
	  .help = "The account's sid: in API paths and the username of Basic "
	  "auth" },
	{ .name = "auth_token", .type = &scn_type_string, .off = GA(token),
	  .size = GASIZE(token), .min = 1, .flags = SCN_REQUIRED,
	  .range = "1-127 characters",
	  .help = "The password of Basic auth; also signs webhooks "
	  "(X-Twilio-Signature)" },
	{ .name = "friendly_name", .type = &scn_type_string,
	  .off = GA(friendly_name), .size = GASIZE(friendly_name),
	  .range = "up to 63 characters", .help = "Shown by the API" },
	{ .name = "api_keys", .type = &scn_type_list, .sub = gw_api_key_keys,
	  .off = GA(keys), .count_off = GA(nkeys),
	  .size = sizeof(struct gateway_api_key), .max = 32, .item = "[]",
	  .item_default = &gw_api_key_default, .range = "up to 32",
	  .help = "API keys that authenticate as this account" },
	{ .name = NULL },
};

static const struct scn_key gw_number_keys[] = {
	{ .name = "sid", .type = &scn_type_sid, .off = GN(sid),
	  .choices = number_prefixes, .range = "PN, SC or AI (as kind) and "
	  "32 hex digits",
	  .help = "none: derived from account and number (the same on every "
	  "run)" },
	{ .name = "account", .type = &scn_type_sid, .off = GN(account_sid),
	  .choices = ac_prefix, .range = "a sid of accounts",
	  .help = "The owner; none: the first account" },
	{ .name = "number", .type = &scn_type_string, .off = GN(number),
	  .size = GNSIZE(number), .min = 1, .flags = SCN_REQUIRED,
	  .range = "E.164, 3-8 digits or up to 11 alphanumerics; unique",
	  .help = "The sender: \"+14155550100\", \"55555\", \"CARRIERLAB\"" },
	{ .name = "kind", .type = &scn_type_sender_kind, .off = GN(kind),
	  .range = "long_code, short_code, toll_free or alphanumeric",
	  .help = "none: from the number (+1 800, 833, 844, 855, 866, 877 "
	  "and 888 are toll_free)" },
	{ .name = "country", .type = &scn_type_number_country,
	  .off = GN(country), .range = "two letters (ISO 3166)",
	  .help = "none: from the calling code (+1 US, +44 GB, +49 DE, ...); "
	  "required for short codes and alphanumeric senders" },
	{ .name = "capabilities", .type = &scn_type_capabilities,
	  .off = GN(capabilities), .range = "\"SMS\", \"MMS\", \"Voice\"",
	  .help = "none: SMS and MMS for US and CA long codes and toll-free, "
	  "else SMS" },
	{ .name = "friendly_name", .type = &scn_type_string,
	  .off = GN(friendly_name), .size = GNSIZE(friendly_name),
	  .range = "up to 63 characters", .help = "Shown by the API" },
	{ .name = "sms_url", .type = &scn_type_url, .off = GN(sms_url),
	  .size = GNSIZE(sms_url), .range = "http(s) URL",
	  .help = "Webhook of messages to this number" },
	{ .name = "sms_method", .type = &scn_type_method,
	  .off = GN(sms_method), .size = GNSIZE(sms_method),
	  .choices = method_words, .range = "\"GET\" or \"POST\"",
	  .help = "Method of sms_url" },
	{ .name = "sms_fallback_url", .type = &scn_type_url,
	  .off = GN(sms_fallback_url), .size = GNSIZE(sms_fallback_url),
	  .range = "http(s) URL",
	  .help = "Called when sms_url fails or answers bad TwiML" },
	{ .name = "sms_fallback_method", .type = &scn_type_method,
	  .off = GN(sms_fallback_method), .size = GNSIZE(sms_fallback_method),
	  .choices = method_words, .range = "\"GET\" or \"POST\"",
	  .help = "Method of sms_fallback_url" },
	{ .name = "status_callback", .type = &scn_type_url,
	  .off = GN(status_callback), .size = GNSIZE(status_callback),
	  .range = "http(s) URL",
	  .help = "Status callbacks of messages sent from this number without "
	  "one of their own" },
	{ .name = NULL },
};

static const struct scn_key gw_destination_alpha_keys[] = {
	{ .name = "alpha_sender", .type = &scn_type_string, .off = GD(alpha),
	  .size = GDSIZE(alpha), .min = 1, .flags = SCN_REQUIRED,
	  .range = "1-11 of A-Z a-z 0-9 space - + _ &, not only digits",
	  .help = "The alphanumeric sender" },
	{ .name = "iso_country_code", .type = &scn_type_country,
	  .off = GD(iso_country_code), .size = GDSIZE(iso_country_code),
	  .range = "two-letter country code; none: every country",
	  .help = "The destination country it is for" },
	{ .name = NULL },
};

static const struct scn_key gw_service_keys[] = {
	{ .name = "sid", .type = &scn_type_sid, .off = GS(sid),
	  .choices = mg_prefix, .flags = SCN_REQUIRED,
	  .range = "MG and 32 hex digits, unique",
	  .help = "The service's sid: MessagingServiceSid" },
	{ .name = "account", .type = &scn_type_sid, .off = GS(account_sid),
	  .choices = ac_prefix, .range = "a sid of accounts",
	  .help = "The owner; none: the first account" },
	{ .name = "friendly_name", .type = &scn_type_string,
	  .off = GS(friendly_name), .size = GSSIZE(friendly_name),
	  .range = "up to 63 characters", .help = "Shown by the API" },
	{ .name = "inbound_request_url", .type = &scn_type_url,
	  .off = GS(inbound_request_url), .size = GSSIZE(inbound_request_url),
	  .range = "http(s) URL",
	  .help = "Webhook of messages to the pool's numbers" },
	{ .name = "inbound_method", .type = &scn_type_method,
	  .off = GS(inbound_method), .size = GSSIZE(inbound_method),
	  .choices = method_words, .range = "\"GET\" or \"POST\"",
	  .help = "Method of inbound_request_url" },
	{ .name = "fallback_url", .type = &scn_type_url,
	  .off = GS(fallback_url), .size = GSSIZE(fallback_url),
	  .range = "http(s) URL",
	  .help = "Called when inbound_request_url fails" },
	{ .name = "fallback_method", .type = &scn_type_method,
	  .off = GS(fallback_method), .size = GSSIZE(fallback_method),
	  .choices = method_words, .range = "\"GET\" or \"POST\"",
	  .help = "Method of fallback_url" },
	{ .name = "status_callback", .type = &scn_type_url,
	  .off = GS(status_callback), .size = GSSIZE(status_callback),
	  .range = "http(s) URL",
	  .help = "Status callbacks of the service's messages without one of "
	  "their own" },
	{ .name = "sticky_sender", .type = &scn_type_bool,
	  .off = GS(sticky_sender),
	  .help = "The same From for each To, once chosen" },
	{ .name = "mms_converter", .type = &scn_type_bool,
	  .off = GS(mms_converter),
	  .help = "MMS to carriers that lack it go as SMS with a link" },
	{ .name = "smart_encoding", .type = &scn_type_bool,
	  .off = GS(smart_encoding),
	  .help = "Unicode look-alikes are replaced so the body stays GSM-7" },
	{ .name = "area_code_geomatch", .type = &scn_type_bool,
	  .off = GS(area_code_geomatch),
	  .help = "Prefer a From in the To's area code" },
	{ .name = "fallback_to_long_code", .type = &scn_type_bool,
	  .off = GS(fallback_to_long_code),
	  .help = "A short code the route refuses falls back to a long code" },
	{ .name = "use_inbound_webhook_on_number", .type = &scn_type_bool,
	  .off = GS(use_inbound_webhook_on_number),
	  .help = "Inbound messages go to the number's sms_url, not the "
	  "service's" },
	{ .name = "validity_period", .type = &scn_type_uint,
	  .off = GS(validity_period), .size = GSSIZE(validity_period),
	  .min = 1, .max = 36000,
	  .help = "Seconds a message may wait in the queue (else failed, "
	  "30036)" },
	{ .name = "usecase", .type = &scn_type_choice, .off = GS(usecase),
	  .size = GSSIZE(usecase), .choices = usecase_words,
	  .range = "notifications, marketing, verification, discussion, "
	  "poll or undeclared",
	  .help = "As the API shows it" },
	{ .name = "senders", .type = &scn_type_strings, .off = GS(senders),
	  .count_off = GS(nsenders), .size = GATEWAY_SID_SIZE, .max = 400,
	  .range = "up to 400 numbers or sids of numbers",
	  .help = "The pool: numbers of \"numbers\" of the same account, by "
	  "number or sid; each in one service at most" },
	{ .name = "destination_alpha_senders", .type = &scn_type_list,
	  .sub = gw_destination_alpha_keys, .off = GS(destination_alphas),
	  .count_off = GS(ndestination_alphas),
	  .size = sizeof(struct gateway_destination_alpha), .max = 400,
	  .item = "[]", .item_check = scn_destination_alpha_check,
	  .range = "up to 400",
	  .help = "Alphanumeric senders for one destination country (or for "
	  "all): chosen before the pool's AlphaSender" },
	{ .name = "opt_out", .type = &scn_type_optout, .off = GS(opt_out),
	  .sub = scn_optout_keys, .item_default = &scn_optout_default,
	  .range = "{keywords, removed, replies}",
	  .help = "Advanced Opt-Out: custom keywords, removed defaults and "
	  "replies per language and country (see Advanced Opt-Out); none: "
	  "Twilio's defaults" },
	{ .name = NULL },
};

static const struct scn_key gw_receipt_keys[] = {
	{ .name = "stat", .type = &scn_type_stat_word, .off = GE(stat),
	  .size = GESIZE(stat), .min = 1, .flags = SCN_REQUIRED,
	  .range = "1-15 characters, no space or ':'",
	  .help = "The receipt's stat word (\"UNDELIV\")" },
	{ .name = "err", .type = &scn_type_err, .off = GE(err),
	  .range = "three digits",
	  .help = "The receipt's err field; none: any" },
	{ .name = NULL },
};

static const struct scn_key gw_network_keys[] = {
	{ .name = "type", .type = &scn_type_any_int, .off = GE(network_type),
	  .max = 255, .range = "0-255",
	  .help = "network_error_code's type octet; none: any" },
	{ .name = "code", .type = &scn_type_any_int, .off = GE(network_code),
	  .max = 65535, .range = "0-65535",
	  .help = "network_error_code's error code; none: any" },
	{ .name = NULL },
};

static const struct scn_key gw_error_keys[] = {
	{ .name = "submit_status", .type = &scn_type_status,
	  .off = GE(command_status), .range = "an error status name",
	  .help = "Matches a submit_sm_resp with this command_status" },
	{ .name = "receipt", .type = &scn_type_rule_receipt,
	  .sub = gw_receipt_keys, .range = "{stat, err}",
	  .help = "Matches a receipt" },
	{ .name = "network_error_code", .type = &scn_type_rule_network,
	  .sub = gw_network_keys, .range = "{type, code}",
	  .help = "Matches a receipt's network_error_code TLV" },
	{ .name = "error_code", .type = &scn_type_uint, .off = GE(error_code),
	  .size = GESIZE(error_code), .max = 99999,
	  .help = "The Twilio ErrorCode of the message; 0: none" },
	{ .name = "status", .type = &scn_type_route_status, .off = GE(status),
	  .range = "\"undelivered\" or \"failed\"",
	  .help = "The message's status; none: failed for submit_status, "
	  "undelivered for receipts" },
	{ .name = "retry", .type = &scn_type_bool, .off = GE(retry),
	  .help = "submit_status only: submit again later instead (throttled, "
	  "queue full)" },
	{ .name = NULL },
};

static const struct scn_key gw_reconnect_keys[] = {
	{ .name = "min", .type = &scn_type_duration, .off = GR(reconnect_min),
	  .flags = SCN_POSITIVE,
	  .help = "First wait before connecting again" },
	{ .name = "max", .type = &scn_type_duration, .off = GR(reconnect_max),
	  .range = "min or more", .help = "Ceiling of the doubling wait" },
	{ .name = NULL },
};

#define ACCEPTS_BIT(k)	(1u << GATEWAY_SENDER_##k)

static const struct scn_key gw_accepts_keys[] = {
	{ .name = "short_code", .type = &scn_type_bit,
	  .off = GR(accepts_kinds), .mask = ACCEPTS_BIT(SHORT_CODE),
	  .help = "Route short code senders here" },
	{ .name = "long_code", .type = &scn_type_bit,
	  .off = GR(accepts_kinds), .mask = ACCEPTS_BIT(LONG_CODE),
	  .help = "Route long code senders here" },
	{ .name = "toll_free", .type = &scn_type_bit,
	  .off = GR(accepts_kinds), .mask = ACCEPTS_BIT(TOLL_FREE),
	  .help = "Route toll-free senders here" },
	{ .name = "alphanumeric", .type = &scn_type_bit,
	  .off = GR(accepts_kinds), .mask = ACCEPTS_BIT(ALPHANUMERIC),
	  .help = "Route alphanumeric senders here" },
	{ .name = "mms", .type = &scn_type_bool, .off = GR(accepts_mms),
	  .help = "The carrier takes MMS; else MMS is converted or refused" },
	{ .name = NULL },
};

static const struct scn_key gw_route_keys[] = {
	{ .name = "name", .type = &scn_type_name, .off = GR(name),
	  .size = GRSIZE(name), .min = 1, .flags = SCN_REQUIRED,
	  .range = "1-63 of A-Z a-z 0-9 . _ -, unique",
	  .help = "The route's name in logs, metrics and messages" },
	{ .name = "connect", .type = &scn_type_hostport, .off = GR(address),
	  .size = GRSIZE(address), .min = 1, .flags = SCN_REQUIRED,
	  .range = "host:port", .help = "The carrier's SMPP address" },
	{ .name = "tls", .type = &scn_type_bool, .off = GR(tls),
	  .help = "SMPP over TLS" },
	{ .name = "tls_verify", .type = &scn_type_bool, .off = GR(tls_verify),
	  .help = "Check the carrier's certificate and host name" },
	{ .name = "tls_ca", .type = &scn_type_ca_path, .off = GR(tls_ca),
	  .size = GRSIZE(tls_ca), .flags = SCN_READABLE,
	  .range = "a readable file",
	  .help = "PEM CA file to verify with; none: the system's" },
	{ .name = "system_id", .type = &scn_type_string, .off = GR(system_id),
	  .size = GRSIZE(system_id), .min = 1, .flags = SCN_REQUIRED,
	  .range = "1-15 characters", .help = "The bind's system_id" },
	{ .name = "password", .type = &scn_type_string, .off = GR(password),
	  .size = GRSIZE(password), .range = "0-8 characters",
	  .help = "The bind's password" },
	{ .name = "system_type", .type = &scn_type_string,
	  .off = GR(system_type), .size = GRSIZE(system_type),
	  .range = "0-12 characters", .help = "The bind's system_type" },
	{ .name = "bind", .type = &scn_type_route_bind, .off = GR(bind),
	  .range = "\"trx\" or \"tx+rx\"",
	  .help = "One transceiver per session, or a transmitter and a "
	  "receiver" },
	{ .name = "sessions", .type = &scn_type_uint, .off = GR(sessions),
	  .size = GRSIZE(sessions), .min = 1, .max = 64,
	  .help = "Sessions (binds) kept open" },
	{ .name = "window", .type = &scn_type_uint, .off = GR(window),
	  .size = GRSIZE(window), .min = 1, .max = 100000,
	  .help = "Unanswered submits per session" },
	{ .name = "throughput", .type = &scn_type_number,
	  .off = GR(throughput), .max = 1e6,
	  .help = "Submits per second over all sessions; 0: no limit" },
	{ .name = "response_timeout", .type = &scn_type_duration,
	  .off = GR(response_timeout), .flags = SCN_POSITIVE,
	  .help = "Wait for a response before the request counts as lost" },
	{ .name = "enquire_link", .type = &scn_type_duration,
	  .off = GR(enquire_link),
	  .help = "enquire_link interval on an idle session; 0: off" },
	{ .name = "reconnect", .type = &scn_type_object,
	  .sub = gw_reconnect_keys,
	  .help = "Waits between connection attempts, doubling" },
	{ .name = "submit_retries", .type = &scn_type_uint,
	  .off = GR(submit_retries), .size = GRSIZE(submit_retries),
	  .max = 100,
	  .help = "Submits again after a response timeout, then failed "
	  "(30410)" },
	{ .name = "retry_pause", .type = &scn_type_duration,
	  .off = GR(retry_pause), .flags = SCN_POSITIVE,
	  .help = "Wait before submitting again after a throttling status" },
	{ .name = "prefixes", .type = &scn_type_strings, .off = GR(prefixes),
	  .count_off = GR(nprefixes), .size = GATEWAY_PREFIX_MAX, .max = 256,
	  .item_check = scn_route_prefix_check,
	  .range = "up to 256; '+' and up to 20 digits",
	  .help = "Destinations served, longest match wins; \"+\": any" },
	{ .name = "accepts", .type = &scn_type_object, .sub = gw_accepts_keys,
	  .help = "Sender kinds and MMS the carrier takes" },
	{ .name = "errors", .type = &scn_type_list, .sub = gw_error_keys,
	  .off = GR(error_rules), .count_off = GR(nerror_rules),
	  .size = sizeof(struct gateway_error_rule), .max = 64, .item = "[]",
	  .item_default = &gw_rule_default,
	  .item_check = scn_error_rule_check,
	  .range = "up to 64, first match wins",
	  .help = "Carrier outcomes to Twilio errors, before the built-in "
	  "table" },
	{ .name = NULL },
};

static int
callbacks_check(struct scn_ctx *c, const struct scn_key *k, void *base)
{
	const struct scenario *s = base;

	if (s->gateway.callback_backoff_max < s->gateway.callback_backoff)
		return scn_fail(c, "backoff_max is below backoff");
	return 0;
}

static const struct scn_key gw_callback_keys[] = {
	{ .name = "timeout", .type = &scn_type_duration,
	  .off = SC(gateway.callback_timeout), .flags = SCN_POSITIVE,
	  .help = "Wait for the callback's answer, per attempt" },
	{ .name = "retries", .type = &scn_type_uint,
	  .off = SC(gateway.callback_retries),
	  .size = SCSIZE(gateway.callback_retries), .max = 100,
	  .help = "Attempts after the first failed one" },
	{ .name = "backoff", .type = &scn_type_duration,
	  .off = SC(gateway.callback_backoff), .flags = SCN_POSITIVE,
	  .help = "Wait before the first retry; doubles each retry" },
	{ .name = "backoff_max", .type = &scn_type_duration,
	  .off = SC(gateway.callback_backoff_max), .range = "backoff or more",
	  .help = "Ceiling of the doubling wait" },
	{ .name = "connections", .type = &scn_type_uint,
	  .off = SC(gateway.callback_connections),
	  .size = SCSIZE(gateway.callback_connections), .min = 1, .max = 256,
	  .help = "Keep-alive connections per receiver host; more carry more "
	  "callbacks at once" },
	{ .name = "memory_max", .type = &scn_type_uint,
	  .off = SC(gateway.callback_memory_max),
	  .size = SCSIZE(gateway.callback_memory_max), .min = 1,
	  .max = 10000000,
	  .help = "Status callbacks held in memory at most; more wait in the "
	  "store's outbox and are read back in order" },
	{ .name = "tls_verify", .type = &scn_type_bool,
	  .off = SC(gateway.callback_tls_verify),
	  .help = "For https callback URLs: check the receiver's certificate "
	  "and host name" },
	{ .name = "tls_ca", .type = &scn_type_ca_path,
	  .off = SC(gateway.callback_tls_ca),
	  .size = SCSIZE(gateway.callback_tls_ca), .flags = SCN_READABLE,
	  .range = "a readable file",
	  .help = "PEM CA file to verify https receivers with; none: the "
	  "system's" },
	{ .name = NULL },
};

static const struct scn_key gw_keys[] = {
	{ .name = "routes", .type = &scn_type_routes, .sub = gw_route_keys,
	  .off = SC(gateway.routes), .count_off = SC(gateway.nroutes),
	  .size = sizeof(struct gateway_route), .max = 64, .item = "[]",
	  .item_default = &gw_route_default, .item_check = scn_route_check,
	  .range = "up to 64, names unique",
	  .help = "SMPP routes to carriers; none: one per simulated carrier "
	  "(see Routes)" },
	{ .name = "callbacks", .type = &scn_type_object,
	  .sub = gw_callback_keys, .check = callbacks_check,
	  .help = "Status callback attempts and https" },
	{ .name = "synchronous", .type = &scn_type_word,
	  .off = SC(gateway.synchronous), .choices = synchronous_words,
	  .range = "\"off\", \"normal\" or \"full\"",
	  .help = "sqlite synchronous: every level keeps a 201 through kill -9; "
	  "normal also the file through an OS crash, full every commit "
	  "through a power loss" },
	{ .name = "max_body", .type = &scn_type_size,
	  .off = SC(gateway.max_body), .range = "1KiB-1GiB",
	  .help = "Largest API request body (else 413)" },
	{ .name = "sticky_ttl", .type = &scn_type_duration,
	  .off = SC(gateway.sticky_ttl), .flags = SCN_POSITIVE,
	  .help = "A sticky sender mapping unused this long expires (clock "
	  "time)" },
	{ .name = "fallback_codes", .type = &scn_type_codes,
	  .off = SC(gateway.fallback_codes),
	  .size = SCSIZE(gateway.fallback_codes), .min = 30001, .max = 30999,
	  .range = "up to 15 codes 30001-30999",
	  .help = "Errors of an undelivered short-code message that send it "
	  "again from a long code (service fallback_to_long_code); none: "
	  "the default list" },
	{ .name = "link_shortener_outage", .type = &scn_type_bool,
	  .off = SC(gateway.link_shortener_outage),
	  .help = "The link shortener is down: ShortenUrls sends the links "
	  "as they are (PUT /sim/link-shortener/outage switches it)" },
	{ .name = "api_max_pending", .type = &scn_type_uint,
	  .off = SC(gateway.api_max_pending),
	  .size = SCSIZE(gateway.api_max_pending), .min = 1, .max = 1000000,
	  .help = "API requests held at once waiting for the store; more are "
	  "refused" },
	{ .name = NULL },
};

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
	{ .name = "accounts", .type = &scn_type_list, .sub = gw_account_keys,
	  .off = SC(gateway.accounts), .count_off = SC(gateway.naccounts),
	  .size = sizeof(struct gateway_account), .max = 100, .item = "[]",
	  .item_default = &gw_account_default, .range = "up to 100, sids "
	  "unique", .help = "Accounts of the API (Basic auth)" },
	{ .name = "numbers", .type = &scn_type_list, .sub = gw_number_keys,
	  .off = SC(gateway.numbers), .count_off = SC(gateway.nnumbers),
	  .size = sizeof(struct gateway_number), .max = 10000, .item = "[]",
	  .item_default = &gw_number_default,
	  .item_check = scn_number_item_check,
	  .range = "up to 10000, numbers and sids unique",
	  .help = "Phone numbers, short codes and alphanumeric senders the "
	  "accounts own" },
	{ .name = "services", .type = &scn_type_list, .sub = gw_service_keys,
	  .off = SC(gateway.services), .count_off = SC(gateway.nservices),
	  .size = sizeof(struct gateway_service), .max = 1000, .item = "[]",
	  .item_default = &gw_service_default,
	  .range = "up to 1000, sids unique",
	  .help = "Messaging Services and their sender pools" },
	{ .name = "link_domains", .type = &scn_type_list,
	  .sub = scn_link_domain_keys, .off = SC(gateway.link_domains),
	  .count_off = SC(gateway.nlink_domains),
	  .size = sizeof(struct gateway_link_domain), .max = 100,
	  .item = "[]", .item_default = &scn_link_domain_default,
	  .item_check = scn_link_domain_check,
	  .range = "up to 100, sids and domains unique",
	  .help = "Link Shortening domains: name, Domain Config and the "
	  "services that shorten on them" },
	{ .name = "countries", .type = &scn_type_countries,
	  .off = SC(gateway), .sub = NULL,
	  .range = "{\"GB\": {...}, ...}",
	  .help = "Country rules for alphanumeric senders, over the built-in "
	  "table (data/countries.csv): \"alpha\", \"alpha_preregistration\"" },
	{ .name = "gateway", .type = &scn_type_object, .sub = gw_keys,
	  .help = "Routes, callbacks and the store of the gateway" },
	{ .name = "timeline", .type = &scn_type_timeline,
	  .sub = scn_timeline_keys, .item = "[]",
	  .item_default = &scn_action_default,
	  .range = "up to 10000 actions",
	  .help = "What happens when: carrier faults, quirks and settings, "
	  "MO messages, service changes, a gateway crash, link clicks "
	  "(docs/scenarios.md, Timeline)" },
	{ .name = "traffic", .type = &scn_type_traffic,
	  .sub = scn_traffic_keys, .item = "[]",
	  .item_default = &scn_traffic_default,
	  .range = "up to 1000 generators",
	  .help = "Messages sent during the run, through the API or SMPP "
	  "(docs/scenarios.md, Traffic)" },
	{ .name = "expect", .type = &scn_type_expect,
	  .sub = scn_expect_keys, .item = "[]",
	  .item_default = &scn_expect_default,
	  .range = "up to 1000 expectations",
	  .help = "What must hold, at the end or at a time: the verdict of "
	  "`carrierlab run` (docs/scenarios.md, Expectations)" },
	{ .name = "duration", .type = &scn_type_duration, .off = SC(duration),
	  .size = SCSIZE(duration),
	  .help = "`carrierlab run` stops exactly this long after the start; "
	  "0: once everything has settled" },
	{ .name = "max_duration", .type = &scn_type_duration,
	  .off = SC(max_duration), .size = SCSIZE(max_duration),
	  .flags = SCN_POSITIVE,
	  .help = "A run that has not settled by then stops there (its "
	  "expectations still evaluated)" },
	{ .name = "comment", .type = &scn_type_string, .off = SC(comment),
	  .size = SCSIZE(comment), .range = "up to 4095 characters",
	  .help = "Free text for the reader; ignored" },
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
	gateway_config_defaults(&s->gateway);
	s->gateway.seed = s->seed;
	s->gateway.sticky_ttl = 365 * 86400 * SEC;
	s->gateway_routes_derived = 1;
	s->max_duration = 86400 * SEC;
}
