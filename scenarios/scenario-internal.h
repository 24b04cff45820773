/*
 * Inside the scenario loader: the key tables and the machinery that walks
 * them. Not for other modules; scenarios/scenario.h is the contract.
 *
 * Every key a scenario may hold is one row (struct scn_key): its name,
 * its value type, where the value goes (an offset into the struct being
 * filled), its range and its help. The parser walks the rows, --explain
 * prints a loaded scenario through them and --keys prints them as the
 * markdown table of docs/scenarios.md, so the three cannot disagree. A
 * type (struct scn_type) is a parse and a show function: parse checks a
 * JSON value and stores it, show turns the stored value back into JSON
 * that parses to the same value.
 */
#ifndef CARRIERLAB_SCENARIOS_SCENARIO_INTERNAL_H
#define CARRIERLAB_SCENARIOS_SCENARIO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "common/duration.h"
#include "scenarios/scenario.h"

#define SCN_DEPTH_MAX		16	/* deepest key path we track */
#define SCN_MAX_CARRIERS	64
#define SCN_TEXT_MAX		(16 * 1024 * 1024)	/* scenario file size */
/* Ten years: far beyond any timer, far below int64 overflow. */
#define SCN_DURATION_MAX	DURATION_MAX

/* One step of a key path: an object member or an array index. */
struct scn_seg {
	const char	*key;		/* NULL: index */
	size_t		 index;
};

/*
 * The state of one load. The path is kept as segments so an error can be
 * both written out ("carriers[1].outcomes.DELIVRD") and found again in the
 * source text for its line and column.
 */
struct scn_ctx {
	struct scenario_error	*err;
	const char		*text;		/* the JSON, for line numbers */
	size_t			 textlen;
	const char		*dir;		/* relative paths start here */
	struct scn_seg		 segs[SCN_DEPTH_MAX];
	size_t			 nsegs;
	/*
	 * Collecting (scenario_check_file()): every error goes here too, and
	 * a walk goes on past a bad member or item to find the next; NULL:
	 * the first error stops the load.
	 */
	struct scenario_error	*errs;
	size_t			 nerrs;
	size_t			 errcap;
};

struct scn_key;

struct scn_type {
	const char	*name;		/* for the docs: "duration" */
	/* Checks v and stores it at base + key->off; -1 after scn_fail(). */
	int		(*parse)(struct scn_ctx *, const struct scn_key *,
			    json_t *v, void *base);
	/* The stored value as JSON (new reference); NULL: not set, left
	 * out of --explain. */
	json_t		*(*show)(const struct scn_key *, const void *base);
};

#define SCN_REQUIRED	0x01	/* must be given */
#define SCN_RESERVED	0x02	/* a later version's key: refused */
#define SCN_POSITIVE	0x04	/* numbers, durations: more than 0 */
#define SCN_READABLE	0x08	/* paths: a file we can read, checked now */

struct scn_key {
	const char		*name;
	const struct scn_type	*type;
	size_t			 off;		/* of the value in base */
	size_t			 size;		/* of the field: strings,
						   integers */
	double			 min;		/* numbers; strings: length */
	double			 max;
	unsigned		 flags;		/* SCN_* */
	unsigned		 mask;		/* flag bits (accepts) */
	const char *const	*choices;	/* words allowed, NULL-ended */
	const struct scn_key	*sub;		/* members of an object or of
						   each array item */
	const void		*item_default;	/* what an array item starts
						   as (sub's base) */
	const char		*item;		/* docs: "[]" or ".STAT" */
	int			(*check)(struct scn_ctx *,
				    const struct scn_key *, void *base);
					/* after the value is stored */
	const char		*range;		/* docs, when min/max do not
						   say it */
	const char		*help;
	/* Lists (scn_type_list, scn_type_strings): off is the array
	 * pointer, count_off its size_t count, size an item's size. */
	size_t			 count_off;
	/* Lists: called for each item once its keys are read, with the
	 * path at the item ([i]); v is the item's JSON. */
	int			(*item_check)(struct scn_ctx *,
				    const struct scn_key *, json_t *v,
				    void *item);
};

/* The tables (scenario-keys.c). */
extern const struct scn_key scn_top_keys[];
extern const struct scn_key scn_carrier_keys[];
/* The scenario a file gets before any key is read. */
void	 scn_scenario_defaults(struct scenario *);

/*
 * Plain value types (scenario-types.c). The opt_ ones, the flag and the
 * tristate are left out of --explain when not given.
 */
/* What a tristate boolean or an opt_word holds when not given. */
#define SCN_UNSET	(-1)
extern const struct scn_type scn_type_object;
extern const struct scn_type scn_type_string;
/* A string, shown only when not empty. */
extern const struct scn_type scn_type_opt_string;
/* One of k->choices, kept as the word in a k->size buffer. */
extern const struct scn_type scn_type_choice;
/* The same for an HTTP method ("GET" or "POST"). */
extern const struct scn_type scn_type_method;
/* One of k->choices kept as the word, shown only when not empty. */
extern const struct scn_type scn_type_opt_choice;
/* A JSON object kept as a deep copy (a json_t * the owner frees). */
extern const struct scn_type scn_type_json;
extern const struct scn_type scn_type_name;
extern const struct scn_type scn_type_country;
extern const struct scn_type scn_type_hostport;
extern const struct scn_type scn_type_path;
extern const struct scn_type scn_type_uint;
/* An unsigned like scn_type_uint, shown only when not 0. */
extern const struct scn_type scn_type_opt_uint;
extern const struct scn_type scn_type_number;
extern const struct scn_type scn_type_bool;
/* A boolean in an int, shown only when true. */
extern const struct scn_type scn_type_flag;
/* A boolean in an int that is SCN_UNSET until given, shown when given. */
extern const struct scn_type scn_type_tristate;
extern const struct scn_type scn_type_bit;
extern const struct scn_type scn_type_word;
/* One of k->choices as its index in an int; SCN_UNSET is not shown. */
extern const struct scn_type scn_type_opt_word;
extern const struct scn_type scn_type_status;
extern const struct scn_type scn_type_reserved;
/* Shows of a char array at k->off: as it is, or only when not empty. */
json_t	*scn_string_show(const struct scn_key *, const void *base);
json_t	*scn_nonempty_show(const struct scn_key *, const void *base);

/* Time values (scenario-time.c). */
extern const struct scn_type scn_type_duration;
extern const struct scn_type scn_type_dist;
extern const struct scn_type scn_type_timestamp;

/* A carrier's listeners, accounts and reach (scenario-carrier.c). */
extern const struct scn_type scn_type_listen;
extern const struct scn_type scn_type_tls;
extern const struct scn_type scn_type_accounts;
extern const struct scn_type scn_type_bind_types;
extern const struct scn_type scn_type_codings;
extern const struct scn_type scn_type_prefix;
extern const struct scn_type scn_type_prefixes;

/* A message's fate (scenario-fate.c, scenario-rules.c). */
extern const struct scn_type scn_type_submit_errors;
extern const struct scn_type scn_type_outcomes;
extern const struct scn_type scn_type_stat;
extern const struct scn_type scn_type_err;
extern const struct scn_type scn_type_nec;
extern const struct scn_type scn_type_rules;
extern const struct scn_type scn_type_regex_to;
extern const struct scn_type scn_type_regex_body;
extern const struct scn_type scn_type_rule_delay;

/* Faults and quirks on from the start (scenario-faults.c). */
extern const struct scn_type scn_type_faults;
extern const struct scn_type scn_type_quirks;
/*
 * Reads params for sw into *args; an error names the parameter's path
 * below the current one ("carriers[0].faults[1].tlvs[0].tag").
 */
struct carrier_switch;
struct carrier_switch_args;
int	 scn_switch_params(struct scn_ctx *, const struct carrier_switch *sw,
	    json_t *params, struct carrier_switch_args *args);

/*
 * Arrays of structs and of strings (scenario-list.c): an array of
 * k->min..k->max items of k->size bytes each, at the pointer at k->off
 * with its count at k->count_off. Struct items start as k->item_default
 * and are read by k->sub; string items are k->size bytes with the NUL.
 * The array is freed by whoever releases base (scenario_release()).
 */
extern const struct scn_type scn_type_list;
extern const struct scn_type scn_type_strings;

/* The Twilio side: accounts, numbers, services (scenario-accounts.c). */
extern const struct scn_type scn_type_sid;
extern const struct scn_type scn_type_url;
extern const struct scn_type scn_type_sender_kind;
extern const struct scn_type scn_type_capabilities;
extern const struct scn_type scn_type_number_country;
/* The account or service of sid in g, or NULL. */
const struct gateway_account *scn_account_find(const struct gateway_config *,
	    const char *sid);
const struct gateway_service *scn_service_find(const struct gateway_config *,
	    const char *sid);
int	 scn_number_item_check(struct scn_ctx *, const struct scn_key *,
	    json_t *, void *);
/*
 * After every key is read: accounts of numbers and services, derived
 * sids, senders resolved to sids, routes derived from the carriers when
 * the scenario gives none, and the checks across lists.
 */
int	 scn_gateway_finish(struct scn_ctx *, struct scenario *);
void	 scn_gateway_release(struct gateway_config *);

/* The gateway object (scenario-gateway.c). */
extern const struct scn_type scn_type_size;
extern const struct scn_type scn_type_route_bind;
extern const struct scn_type scn_type_route_status;
extern const struct scn_type scn_type_any_int;
extern const struct scn_type scn_type_rule_receipt;
extern const struct scn_type scn_type_rule_network;
extern const struct scn_type scn_type_stat_word;
extern const struct scn_type scn_type_ca_path;
extern const struct scn_type scn_type_routes;
int	 scn_route_prefix_check(struct scn_ctx *, const struct scn_key *,
	    json_t *, void *);
int	 scn_error_rule_check(struct scn_ctx *, const struct scn_key *,
	    json_t *, void *);
int	 scn_route_check(struct scn_ctx *, const struct scn_key *,
	    json_t *, void *);
/* scenario-world.c: country rules and lists of Twilio codes. */
extern const struct scn_type scn_type_countries;
extern const struct scn_type scn_type_codes;
/* A destination_alpha_senders item: the alpha is a valid sender. */
int	 scn_destination_alpha_check(struct scn_ctx *,
	    const struct scn_key *, json_t *, void *item);
/* services[].opt_out (scenario-optout.c): read by the gateway's own
 * reader; the member rows and the defaults they show are for the docs. */
extern const struct scn_type scn_type_optout;
extern const struct scn_key scn_optout_keys[];
extern const struct gateway_optout scn_optout_default;
/* scenario-links.c: link_domains items, and their release. */
extern const struct scn_key scn_link_domain_keys[];
extern const struct gateway_link_domain scn_link_domain_default;
int	 scn_link_domain_check(struct scn_ctx *, const struct scn_key *,
	    json_t *, void *item);
void	 scn_link_domains_release(struct gateway_config *);
/* One route per carrier, when the scenario gives no gateway.routes. */
void	 scn_routes_derive(struct scenario *);

/* Types of top-level keys (scenario.c). */
extern const struct scn_type scn_type_clock;
extern const struct scn_type scn_type_carriers;

/*
 * What `carrierlab run` drives, one file each: scenario-timeline.c,
 * scenario-traffic.c, scenario-expect.c. The type reads the top-level
 * array into the scenario (s->timeline, ...); the rows are the members of
 * an item, for the docs (--keys), and the default is what an item starts
 * as. finish runs after every other key is read, for the checks that
 * name carriers, services, numbers or traffic; release frees the array.
 */
struct scenario_action;
struct scenario_traffic;
struct scenario_expect;
extern const struct scn_type scn_type_timeline;
extern const struct scn_type scn_type_traffic;
extern const struct scn_type scn_type_expect;
extern const struct scn_key scn_timeline_keys[];
extern const struct scn_key scn_traffic_keys[];
extern const struct scn_key scn_expect_keys[];
extern const struct scenario_action scn_action_default;
extern const struct scenario_traffic scn_traffic_default;
extern const struct scenario_expect scn_expect_default;
int	 scn_timeline_finish(struct scn_ctx *, struct scenario *);
int	 scn_traffic_finish(struct scn_ctx *, struct scenario *);
int	 scn_expect_finish(struct scn_ctx *, struct scenario *);
void	 scn_timeline_release(struct scenario *);
void	 scn_traffic_release(struct scenario *);
void	 scn_expect_release(struct scenario *);

/* Walking (scenario-walk.c). */
/* A collecting load goes on after an error at this depth (see there). */
int	 scn_collect_here(const struct scn_ctx *, size_t depth);
void	 scn_push_key(struct scn_ctx *, const char *);
void	 scn_push_index(struct scn_ctx *, size_t);
void	 scn_pop(struct scn_ctx *);
/* Records reason at the current path and returns -1. */
int	 scn_fail(struct scn_ctx *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* The same at member key of the current path. */
int	 scn_fail_at(struct scn_ctx *, const char *key, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* The row called name in table, or NULL. */
const struct scn_key *scn_key_find(const struct scn_key *table,
	    const char *name);
/* Reads the members of object v by the rows of table into base. */
/*
 * Walks a JSON array of min..max items, calling item() for each with the
 * path at [i]; stops at the first that fails. Anything else fails with
 * "must be an array of 1 to MAX WHAT" (or "at most MAX WHAT" when min is
 * 0).
 */
struct carrier_profile;
/* What an array item of a carrier key needs: its key and the profile. */
struct scn_item_arg {
	const struct scn_key	*k;
	struct carrier_profile	*p;
};
int	 scn_walk_array(struct scn_ctx *, json_t *v, size_t min, size_t max,
	    const char *what,
	    int (*item)(struct scn_ctx *, size_t, json_t *, void *), void *arg);
int	 scn_walk(struct scn_ctx *, const struct scn_key *table, json_t *v,
	    void *base);
/* Every row of table that has a value, as a JSON object. */
json_t	*scn_show_table(const struct scn_key *table, const void *base);
/* Writes a JSON string v into buf (size bytes, NUL included): length
 * between key->min and size - 1. */
int	 scn_get_string(struct scn_ctx *, const struct scn_key *, json_t *v,
	    char *buf, size_t size);
/* A JSON integer between lo and hi. */
int	 scn_get_int(struct scn_ctx *, json_t *v, long long lo, long long hi,
	    long long *out);

/* A command_status as its name, or hex (scenario-types.c). */
json_t	*scn_status_json(uint32_t);

/* Durations and their text (scenario-time.c). */
int	 scn_get_duration(struct scn_ctx *, json_t *v, int64_t *usec);
json_t	*scn_duration_json(int64_t usec);

/* Line and column of the value at segs in text (scenario-locate.c). */
void	 scn_locate(const char *text, size_t len, const struct scn_seg *,
	    size_t nsegs, int *line, int *column);

/* The docs and --explain (scenario-docs.c). */
void	 scn_keys_markdown(FILE *);
void	 scn_switches_markdown(FILE *);

/* scenarios/default-json.c, generated from scenarios/default.json. */
extern const unsigned char scenario_default_bytes[];

#endif
