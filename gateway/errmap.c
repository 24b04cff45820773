/*
 * Carrier outcomes to Twilio error codes: a route's error_rules first,
 * then the default table of errmap.def. The lifecycle asks here what a
 * submit refusal or a receipt means; outbound asks whether a receipt is
 * final.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "gateway/gateway-internal.h"
#include "smpp/smpp.h"

/* Statuses a row may name: the message statuses, and two of the table's. */
enum gw_errmap_status {
	GW_ERRMAP_S_FAILED = GW_STATUS_FAILED,
	GW_ERRMAP_S_UNDELIVERED = GW_STATUS_UNDELIVERED,
	GW_ERRMAP_S_DELIVERED = GW_STATUS_DELIVERED,
	GW_ERRMAP_S_BY_STAT = -1,	/* the default for the kind */
	GW_ERRMAP_S_PENDING = -2,	/* a receipt that is not final */
};

static const struct gateway_error_rule gw_errmap_defaults[] = {
#define GW_ERRMAP_SUBMIT(cs, st, code, again)				\
	{ .kind = GATEWAY_OUTCOME_SUBMIT, .command_status = SMPP_##cs,	\
	  .network_type = -1, .network_code = -1, .error_code = code,	\
	  .status = GW_ERRMAP_S_##st, .retry = again },
#define GW_ERRMAP_RECEIPT(word, e, st, code)				\
	{ .kind = GATEWAY_OUTCOME_RECEIPT, .stat = word, .err = e,	\
	  .network_type = -1, .network_code = -1, .error_code = code,	\
	  .status = GW_ERRMAP_S_##st },
#define GW_ERRMAP_NETWORK(type, nc, st, code)				\
	{ .kind = GATEWAY_OUTCOME_NETWORK, .network_type = type,	\
	  .network_code = nc, .error_code = code,			\
	  .status = GW_ERRMAP_S_##st },
#include "gateway/errmap.def"
#undef GW_ERRMAP_SUBMIT
#undef GW_ERRMAP_RECEIPT
#undef GW_ERRMAP_NETWORK
};

#define GW_ERRMAP_NDEFAULTS \
	(sizeof gw_errmap_defaults / sizeof gw_errmap_defaults[0])
#define GW_ERRMAP_UNKNOWN	30008

static const struct gateway_error_rule *
gw_errmap_submit_find(const struct gateway_error_rule *rules, size_t n,
    uint32_t command_status)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (rules[i].kind == GATEWAY_OUTCOME_SUBMIT &&
		    rules[i].command_status == command_status)
			return &rules[i];
	return NULL;
}

int
gw_errmap_submit(const struct gateway_route *route, uint32_t command_status,
    int *status, int *retry)
{
	const struct gateway_error_rule *r = NULL;

	if (route != NULL)
		r = gw_errmap_submit_find(route->error_rules,
		    route->nerror_rules, command_status);
	if (r == NULL)
		r = gw_errmap_submit_find(gw_errmap_defaults,
		    GW_ERRMAP_NDEFAULTS, command_status);
	*retry = r != NULL && r->retry;
	/* A refused submit never reached a handset: failed, not
	 * undelivered, unless a rule says otherwise. */
	*status = r != NULL && r->status >= 0 ? r->status : GW_STATUS_FAILED;
	if (*retry)
		return 0;
	return r != NULL && r->error_code != 0 ? r->error_code :
	    GW_ERRMAP_UNKNOWN;
}

/* The status a final receipt gets when its rule names none. */
static int
gw_errmap_by_stat(const struct gw_receipt *rc)
{
	if (strcasecmp(rc->stat, "DELIVRD") == 0)
		return GW_STATUS_DELIVERED;
	return strcasecmp(rc->stat, "REJECTD") == 0 ? GW_STATUS_FAILED :
	    GW_STATUS_UNDELIVERED;
}

/* Whether stat is DELIVRD or a word that is not final. */
static int
gw_errmap_not_failure(const struct gw_receipt *rc)
{
	return strcasecmp(rc->stat, "DELIVRD") == 0 ||
	    strcasecmp(rc->stat, "ENROUTE") == 0 ||
	    strcasecmp(rc->stat, "ACCEPTD") == 0;
}

static int
gw_errmap_rule_matches(const struct gateway_error_rule *r,
    const struct gw_receipt *rc)
{
	switch (r->kind) {
	case GATEWAY_OUTCOME_RECEIPT:
		return (r->stat[0] == '\0' ||
		    strcasecmp(r->stat, rc->stat) == 0) &&
		    (r->err[0] == '\0' || strcmp(r->err, rc->err) == 0);
	case GATEWAY_OUTCOME_NETWORK:
		if (rc->network_type < 0 || gw_errmap_not_failure(rc))
			return 0;
		return (r->network_type < 0 ||
		    r->network_type == rc->network_type) &&
		    (r->network_code < 0 ||
		    r->network_code == rc->network_code);
	default:
		return 0;
	}
}

static const struct gateway_error_rule *
gw_errmap_receipt_find(const struct gateway_error_rule *rules, size_t n,
    const struct gw_receipt *rc)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (gw_errmap_rule_matches(&rules[i], rc))
			return &rules[i];
	return NULL;
}

int
gw_errmap_receipt(const struct gateway_route *route,
    const struct gw_receipt *rc, int *status)
{
	const struct gateway_error_rule *r = NULL;

	if (route != NULL)
		r = gw_errmap_receipt_find(route->error_rules,
		    route->nerror_rules, rc);
	if (r == NULL)
		r = gw_errmap_receipt_find(gw_errmap_defaults,
		    GW_ERRMAP_NDEFAULTS, rc);
	if (r == NULL) {
		/* A stat word no row knows: treated as final, so the
		 * message does not wait for a receipt that may never
		 * come. */
		*status = gw_errmap_by_stat(rc);
		return GW_ERRMAP_UNKNOWN;
	}
	if (r->status == GW_ERRMAP_S_PENDING) {
		*status = -1;
		return 0;
	}
	*status = r->status >= 0 ? r->status : gw_errmap_by_stat(rc);
	if (*status == GW_STATUS_DELIVERED)
		return 0;
	return r->error_code;
}
