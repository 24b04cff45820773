/*
 * A scenario's "timeline" as the loader leaves it and the runtime
 * (scenarios/timeline.c) reads it: one struct scenario_action per item,
 * in file order, everything the action needs already checked and
 * resolved (the switch descriptor and its parsed parameters, the
 * carrier profile a "set" makes, the service's account, the sender's
 * sid), so that nothing is looked up by name while the run goes on
 * except the running carrier itself.
 *
 * The kinds are one table (SCENARIO_ACTIONS): its key in the file, the
 * kind of engine_note() it makes and whether "for" may undo it.
 */
#ifndef CARRIERLAB_SCENARIOS_TIMELINE_H
#define CARRIERLAB_SCENARIOS_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "carriers/carrier.h"
#include "carriers/fault.h"
#include "carriers/profile.h"
#include "gateway/gateway.h"

/*
 * X(ENUM, key, note kind, undoable): key is the member of an item that
 * makes it this kind ("set" is a carrier's or a service's by the target
 * next to it, so the loader tells them apart).
 */
#define SCENARIO_ACTIONS(X)						\
	X(FAULT,	  "fault",	    "fault",   1)			\
	X(QUIRK,	  "quirk",	    "quirk",   1)			\
	X(CARRIER_SET,	  "set",	    "carrier", 1)			\
	X(MO,		  "mo",		    "mo",      0)			\
	X(SERVICE_SET,	  "set",	    "service", 1)			\
	X(REMOVE_SENDER,  "remove_sender",  "sender",  1)			\
	X(GATEWAY,	  "gateway",	    "gateway", 0)			\
	X(CLICK,	  "click",	    "click",   0)			\
	X(LINK_SHORTENER, "link_shortener", "links",   1)

enum scenario_action_kind {
	SCENARIO_ACTION_NONE,
#define X(e, key, note, undo) SCENARIO_ACTION_##e,
	SCENARIO_ACTIONS(X)
#undef X
	SCENARIO_NACTIONS
};

/* The item's key, note kind and undoability of a kind. */
const char	*scenario_action_key(enum scenario_action_kind);
const char	*scenario_action_note(enum scenario_action_kind);
int		 scenario_action_undoable(enum scenario_action_kind);

#define SCENARIO_ACTION_COMMENT_MAX	1024
#define SCENARIO_MO_BODY_MAX		1601	/* 1600 octets, the NUL */

/* One "Name": "value" of a service's "set", as the form will carry it. */
struct scenario_service_param {
	char		 name[32];		/* "StickySender" */
	char		 value[GATEWAY_URL_MAX];	/* "false" */
};

struct scenario_action {
	enum scenario_action_kind kind;
	int64_t		 at;			/* usec from the start */
	int64_t		 for_usec;		/* 0: not undone */
	char		 comment[SCENARIO_ACTION_COMMENT_MAX];

	/* fault, quirk, carrier set: the carrier by name. */
	char		 carrier[CARRIER_NAME_MAX];
	/* fault, quirk: the switch, its parameters as given (a deep copy,
	 * NULL: none) and parsed, or off to switch it off. */
	char		 fault[32];
	char		 quirk[32];
	const struct carrier_switch *sw;
	json_t		*params;
	struct carrier_switch_args args;
	int		 off;

	/* set: as given (a deep copy); a carrier's makes profile, the
	 * carrier's profile of the file with the keys of set applied, for
	 * their values (malloc'd; its rules share the compiled regexes of
	 * the scenario's profile, so it is freed without
	 * carrier_profile_release()); a service's makes service_params, the
	 * members of its v1 form (malloc'd). */
	json_t		*set;
	struct carrier_profile *profile;
	struct scenario_service_param *service_params;
	size_t		 nservice_params;

	/* mo: as carrier_mo_inject() takes it (body points at mo_body). */
	char		 mo_carrier[CARRIER_NAME_MAX];
	struct carrier_mo mo;
	char		 mo_body[SCENARIO_MO_BODY_MAX];

	/* service set, remove_sender: the service (remove_sender names it
	 * as pool) and its account (sid, auth token), resolved from the
	 * gateway's lists. */
	char		 service[GATEWAY_SID_SIZE];
	char		 pool[GATEWAY_SID_SIZE];
	char		 account_sid[GATEWAY_SID_SIZE];
	char		 token[GATEWAY_TOKEN_MAX];
	/* remove_sender: as given (a number or a sid), its sid, kind and
	 * number. */
	char		 sender[GATEWAY_NUMBER_MAX];
	char		 sender_sid[GATEWAY_SID_SIZE];
	enum gateway_sender_kind sender_kind;
	char		 sender_number[GATEWAY_NUMBER_MAX];

	char		 gateway[16];		/* "restart" */
	char		 click_to[GATEWAY_NUMBER_MAX];
	char		 link_shortener[16];	/* "outage" */
};

/*
 * What a carrier's set makes of the profile the carrier runs with: out
 * is running with the members of the keys of a->set taken from
 * a->profile, the rest (listeners bound since, an earlier set's keys)
 * as they are.
 */
void		 scenario_action_profile(const struct scenario_action *a,
		    const struct carrier_profile *running,
		    struct carrier_profile *out);

/*
 * The v1 path segment of a pool's list a sender kind is in
 * ("PhoneNumbers", "ShortCodes", "AlphaSenders") and the parameter that
 * adds one back ("PhoneNumberSid", "ShortCodeSid", "AlphaSender").
 */
const char	*scenario_sender_list(enum gateway_sender_kind);
const char	*scenario_sender_param(enum gateway_sender_kind);

/*
 * The codes of the gateway's links in a message body, in order: a
 * shortened link https://DOMAIN/CODE (ten letters and digits), or the
 * same served by path, BASE/l/CODE, and a media link BASE/m/CODE (seven).
 * Fills up to cap codes, returns how many. (The click action.)
 */
#define TIMELINE_CODE_SIZE	16
size_t		 timeline_link_codes(const char *body,
		    char (*codes)[TIMELINE_CODE_SIZE], size_t cap);

#endif
