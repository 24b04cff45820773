/*
 * What the API may do to a message after creating it: cancel a
 * scheduled one, redact the body, delete a finished one.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "gateway/gateway-internal.h"
#include "gateway/lifecycle-internal.h"
#include "gateway/store.h"

static void
gw_not_found(struct gw_error *e, const char *account, const char *sid)
{
	gw_error_set(e, 20404, "The requested resource /2010-04-01/Accounts/"
	    "%s/Messages/%s.json was not found", account, sid);
}

/* The active message, checked against the account. */
static struct gw_message *
gw_active_of(struct gateway *gw, const char *account, const char *sid)
{
	struct gw_message *m = gw_active_find(gw, sid);

	if (m != NULL && strcmp(m->account_sid, account) != 0)
		return NULL;
	return m;
}

int
gw_lifecycle_cancel(struct gateway *gw, const char *account,
    const char *sid, struct gw_error *e)
{
	struct gw_message *m = gw_active_of(gw, account, sid), *stored;
	int found;

	if (m != NULL && m->status == GW_STATUS_SCHEDULED) {
		gw_transition(gw, m, GW_STATUS_CANCELED, 0, "canceled", NULL);
		return 0;
	}
	if (m == NULL) {
		found = gw_store_get_message(gw->store, account, sid, &stored);
		if (found == 1)
			gw_message_free(stored);
		if (found != 1) {
			gw_not_found(e, account, sid);
			return -1;
		}
	}
	gw_error_set(e, 30409, "Message %s cannot be canceled: it is not "
	    "scheduled", sid);
	return -1;
}

int
gw_lifecycle_redact(struct gateway *gw, const char *account,
    const char *sid, struct gw_error *e)
{
	struct gw_message *m = gw_active_of(gw, account, sid);
	int rc = 0;

	if (m != NULL) {
		gw_message_set_body(m, "");
		gw_store_put_message(gw->store, m);
		return 0;
	}
	if (gw_store_get_message(gw->store, account, sid, &m) != 1) {
		gw_not_found(e, account, sid);
		return -1;
	}
	gw_message_set_body(m, "");
	if (gw_store_put_message(gw->store, m) == -1) {
		gw_error_set(e, 20500, NULL);
		rc = -1;
	}
	gw_store_add_event(gw->store, sid, gw_status_name(m->status),
	    m->error_code, m->date_updated, "body redacted");
	gw_message_free(m);
	return rc;
}

int
gw_lifecycle_delete(struct gateway *gw, const char *account,
    const char *sid, struct gw_error *e)
{
	struct gw_message *m;

	if (gw_active_of(gw, account, sid) != NULL) {
		gw_error_set(e, 20009, "Cannot delete message %s before it "
		    "is complete", sid);
		return -1;
	}
	if (gw_store_get_message(gw->store, account, sid, &m) != 1) {
		gw_not_found(e, account, sid);
		return -1;
	}
	gw_message_free(m);
	if (gw_store_delete_message(gw->store, account, sid) == -1) {
		gw_error_set(e, 20500, NULL);
		return -1;
	}
	log_info("%s deleted", sid);
	return 0;
}
