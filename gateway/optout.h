/*
 * Advanced Opt-Out (twilio-api.md §11): inbound single-word keywords
 * (case-insensitive, trimmed) opt a handset out of (STOP, STOPALL,
 * UNSUBSCRIBE, CANCEL, END, QUIT) or back into (START, YES, UNSTOP) a
 * service's whole pool, or of a number in no service; HELP and INFO ask
 * for help. Each is answered with the service's reply (Twilio's default
 * texts; per service custom keywords and replies, per language and per
 * country; STOP, START and HELP can never be removed). Opt-outs are
 * persisted (the store's objects, kind "optout") and checked when a
 * message is created (21610).
 *
 * The configuration comes from the scenario (gateway_service.opt_out,
 * gateway.h) and from the admin API (/sim/services/{MG}/opt-out, through
 * gateway_optout_get / gateway_optout_put of gateway.h).
 */
#ifndef CARRIERLAB_GATEWAY_OPTOUT_H
#define CARRIERLAB_GATEWAY_OPTOUT_H

#include <stddef.h>

#include "gateway/gateway.h"

struct gateway;
struct gw_optouts;

enum gw_optout_type {
	GW_OPTOUT_NONE,		/* not a keyword */
	GW_OPTOUT_STOP,		/* opt-out */
	GW_OPTOUT_START,	/* opt-in */
	GW_OPTOUT_HELP,
};
/* "STOP", "START", "HELP" (the OptOutType parameter), NULL for NONE. */
const char	*gw_optout_type_name(enum gw_optout_type);
/* "opt_out", "opt_in", "help": the class's name in the JSON settings,
 * NULL out of range; parse: -1 for an unknown name. */
const char	*gw_optout_class_name(enum gateway_optout_class);
int		 gw_optout_class_parse(const char *name);

/*
 * What body means under cfg (NULL: the defaults), applying nothing. A
 * keyword is the whole body but for surrounding white space and trailing
 * '.' or '!', in any case ("STOP PLEASE" is none). The service's custom
 * keywords come first, then the default ones it did not remove. keyword
 * gets the match in upper case and language its language ("en" for the
 * defaults); both "" for NONE.
 */
enum gw_optout_type gw_optout_classify(const struct gateway_optout *cfg,
		    const char *body, char keyword[GATEWAY_OPTOUT_KEYWORD_MAX],
		    char language[GATEWAY_OPTOUT_LANGUAGE_MAX]);

/*
 * The reply to a keyword of type in language (of the keyword) from a
 * handset in country (ISO alpha-2, "" unknown) under cfg (NULL: the
 * defaults): the class's override for the language (exact, then its
 * primary subtag: "pt-BR" finds "pt"), else the country's, else the
 * class's text, Twilio's default unless set. NULL when the class's reply
 * is disabled or type is NONE. The text is cfg's (or static).
 */
const char	*gw_optout_reply_text(const struct gateway_optout *cfg,
		    enum gw_optout_type type, const char *language,
		    const char *country);

/* Opens the registry (loads the store's opt-outs and the scenario's
 * configurations); NULL with err filled on failure. */
struct gw_optouts *gw_optouts_open(struct gateway *, char *err,
		    size_t errlen);
void		 gw_optouts_free(struct gw_optouts *);

/*
 * 1 when handset opted out of what sends from sender: the service
 * (service_sid not "" : its whole pool), the service whose pool holds
 * sender (a From given without MessagingServiceSid), or the number alone
 * (an opt-out sent to it while in no service). 0 otherwise. At most three
 * lookups in a red-black tree: O(log n) on every create.
 */
int		 gw_optout_blocked(struct gw_optouts *, const char *account_sid,
		    const char *service_sid, const char *sender,
		    const char *handset);

/* The settings the registry applies to a service (the scenario's, or
 * the admin API's since): NULL means the defaults. */
const struct gateway_optout *gw_optout_config(struct gw_optouts *,
		    const char *service_sid);
/* Opt-outs recorded now (the running count, for tests and metrics). */
size_t		 gw_optout_count(const struct gw_optouts *);

/* What an inbound message meant. */
struct gw_optout_result {
	enum gw_optout_type type;
	char		 keyword[32];	/* as matched, upper case */
	char		 language[8];	/* of the keyword / reply, "en" */
	char		*reply;		/* text to send back; NULL: none.
					   Free with gw_optout_result_clear */
};
void		 gw_optout_result_clear(struct gw_optout_result *);

/*
 * Classifies an inbound body from handset to our number `to` (in service
 * service_sid, "" none) and applies it: STOP records the opt-out
 * (persisted), START removes it. r->reply is the confirmation to send
 * back from `to`. Returns r->type.
 */
enum gw_optout_type gw_optout_inbound(struct gw_optouts *,
		    const char *account_sid, const char *service_sid,
		    const char *to, const char *handset, const char *body,
		    struct gw_optout_result *r);

#endif
