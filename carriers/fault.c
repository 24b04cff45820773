/*
 * The fault modes of a carrier, one descriptor each: its parameters and
 * what switching it on and off does. Most faults are flags that the code
 * of binds, submits and the outbox reads (carrier_fault() in
 * carrier-internal.h, one bit test); apply and undo are for the faults
 * that act on the carrier as a whole, such as its listeners and sessions.
 * What a client sees of each is in docs/scenarios.md.
 */
#include "config.h"

#include <stddef.h>

#include "common/log.h"
#include "carriers/carrier-internal.h"

#define A(f)	offsetof(struct carrier_switch_args, f)

static int
close_listener_apply(struct carrier *c, const struct carrier_switch_args *a,
    char *err, size_t errlen)
{
	carrier_listeners_close(c);
	return 0;
}

static int
close_listener_undo(struct carrier *c, char *err, size_t errlen)
{
	return carrier_listeners_open(c, err, errlen);
}

static int
drop_connections_apply(struct carrier *c, const struct carrier_switch_args *a,
    char *err, size_t errlen)
{
	unsigned n = carrier_binds_drop(c, "fault drop_connections", 0);

	log_info("%s drop-connections sessions=%u", c->p->name, n);
	return 0;
}

static int
blackhole_apply(struct carrier *c, const struct carrier_switch_args *a,
    char *err, size_t errlen)
{
	carrier_binds_mute(c);
	return 0;
}

/* What it silenced holds requests that can never be answered now. */
static int
blackhole_undo(struct carrier *c, char *err, size_t errlen)
{
	unsigned n = carrier_binds_drop(c, "fault blackhole cleared", 1);

	log_info("%s blackhole-closed sessions=%u", c->p->name, n);
	return 0;
}

static int
stop_receipts_undo(struct carrier *c, char *err, size_t errlen)
{
	log_info("%s outbox-release held=%zu", c->p->name,
	    carrier_outbox_held(c));
	carrier_outbox_kick(c, NULL);
	return 0;
}

static const struct carrier_param refuse_binds_params[] = {
	{ .name = "status", .type = CARRIER_PARAM_STATUS, .off = A(status),
	  .def = "\"ESME_RBINDFAIL\"",
	  .help = "The command_status of every bind_resp" },
	{ .name = NULL },
};

static const struct carrier_param drop_after_bind_params[] = {
	{ .name = "after", .type = CARRIER_PARAM_DURATION, .off = A(delay),
	  .def = "\"0s\"",
	  .help = "Time from the bind_resp to the close" },
	{ .name = NULL },
};

static const struct carrier_param submit_errors_params[] = {
	{ .name = "status", .type = CARRIER_PARAM_STATUS, .off = A(status),
	  .def = "\"ESME_RSYSERR\"",
	  .help = "The command_status of the refused submits" },
	{ .name = "share", .type = CARRIER_PARAM_SHARE, .off = A(share),
	  .def = "1", .help = "The share of submits refused, drawn from the "
	  "carrier's seeded stream; 1: all" },
	{ .name = NULL },
};

static const struct carrier_param latency_params[] = {
	{ .name = "add", .type = CARRIER_PARAM_DIST, .off = A(add),
	  .def = "\"1s\"",
	  .help = "Added to the time before each response" },
	{ .name = NULL },
};

static const struct carrier_param duplicate_receipts_params[] = {
	{ .name = "share", .type = CARRIER_PARAM_SHARE, .off = A(share),
	  .def = "1", .help = "The share of receipts sent twice; 1: all" },
	{ .name = NULL },
};

const struct carrier_switch carrier_faults[CARRIER_NFAULTS] = {
	[CARRIER_FAULT_REFUSE_BINDS] = {
		.name = "refuse_binds", .kind = CARRIER_SWITCH_FAULT,
		.id = CARRIER_FAULT_REFUSE_BINDS,
		.params = refuse_binds_params,
		.summary = "Every bind is answered with status, before its "
		    "credentials are checked; bound sessions stay",
	},
	[CARRIER_FAULT_CLOSE_LISTENER] = {
		.name = "close_listener", .kind = CARRIER_SWITCH_FAULT,
		.id = CARRIER_FAULT_CLOSE_LISTENER,
		.apply = close_listener_apply, .undo = close_listener_undo,
		.summary = "The listening sockets are closed: a connect is "
		    "refused (ECONNREFUSED); open sessions stay. Cleared, "
		    "the carrier listens again on the same addresses and "
		    "ports",
	},
	[CARRIER_FAULT_DROP_CONNECTIONS] = {
		.name = "drop_connections", .kind = CARRIER_SWITCH_FAULT,
		.id = CARRIER_FAULT_DROP_CONNECTIONS, .oneshot = 1,
		.apply = drop_connections_apply,
		.summary = "Once, when set: every connection, bound or not, "
		    "is closed without unbind, requests in its window left "
		    "unanswered. It is never on, so there is nothing to "
		    "clear",
	},
	[CARRIER_FAULT_DROP_AFTER_BIND] = {
		.name = "drop_after_bind", .kind = CARRIER_SWITCH_FAULT,
		.id = CARRIER_FAULT_DROP_AFTER_BIND,
		.params = drop_after_bind_params,
		.summary = "While on, a session that binds gets its "
		    "bind_resp (ESME_ROK) and is closed without unbind "
		    "after; sessions bound before stay",
	},
	[CARRIER_FAULT_BLACKHOLE] = {
		.name = "blackhole", .kind = CARRIER_SWITCH_FAULT,
		.id = CARRIER_FAULT_BLACKHOLE,
		.apply = blackhole_apply, .undo = blackhole_undo,
		.summary = "Every connection, open or new, is accepted and "
		    "read but never answered: no bind_resp, "
		    "enquire_link_resp, generic_nack, response, receipt or "
		    "MO. Cleared, the connections it silenced are closed",
	},
	[CARRIER_FAULT_SUBMIT_ERRORS] = {
		.name = "submit_errors", .kind = CARRIER_SWITCH_FAULT,
		.id = CARRIER_FAULT_SUBMIT_ERRORS,
		.params = submit_errors_params,
		.summary = "submit_sm, data_sm and submit_multi that pass the "
		    "window and throughput checks are answered with status "
		    "(share of them); nothing is stored, no receipt follows",
	},
	[CARRIER_FAULT_LATENCY] = {
		.name = "latency", .kind = CARRIER_SWITCH_FAULT,
		.id = CARRIER_FAULT_LATENCY, .params = latency_params,
		.summary = "Each response to submit_sm, data_sm, submit_multi, "
		    "query_sm, cancel_sm and replace_sm waits add longer; "
		    "receipts still come after their response",
	},
	[CARRIER_FAULT_STOP_RECEIPTS] = {
		.name = "stop_receipts", .kind = CARRIER_SWITCH_FAULT,
		.id = CARRIER_FAULT_STOP_RECEIPTS,
		.undo = stop_receipts_undo,
		.summary = "Receipts and MO messages that fall due are held "
		    "in the outbox (durable) instead of sent; cleared, they "
		    "go out in the order they fell due",
	},
	[CARRIER_FAULT_DUPLICATE_RECEIPTS] = {
		.name = "duplicate_receipts", .kind = CARRIER_SWITCH_FAULT,
		.id = CARRIER_FAULT_DUPLICATE_RECEIPTS,
		.params = duplicate_receipts_params,
		.summary = "Each receipt (share of them) is sent twice, the "
		    "copy right after the original with its own "
		    "sequence_number",
	},
};
