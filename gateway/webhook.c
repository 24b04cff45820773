/*
 * Status callbacks: each is a row of the store's outbox, written in the
 * same batch as the status change that caused it and sent only once that
 * batch is durable, so a callback is neither lost nor invented by a
 * crash. A 2xx answer deletes the row; a failure records the attempt and
 * the time of the next one (cfg.callback_backoff doubling up to
 * cfg.callback_backoff_max); after cfg.callback_retries retries the row
 * is dropped, logged and counted.
 *
 * Order: Twilio does not promise it, but a receiver that sees
 * "delivered" before "sent" is confused for nothing, so the callbacks of
 * one message form a FIFO and only its head is sent; the next starts
 * when the head succeeded or was dropped.
 *
 * Memory: at most cfg.callback_memory_max callbacks are held here; when
 * the receiver is slower than the traffic, the rest wait in the outbox
 * only and are read back a page at a time, oldest first, as these drain
 * (see struct gw_webhooks).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "gateway/gateway-internal.h"
#include "gateway/store.h"
#include "gateway/webhook-internal.h"
#include "gateway/webhook.h"

#define WH_CALLBACK_STATES(X)						\
	X(UNCOMMITTED,	"uncommitted")	/* its batch not durable yet */	\
	X(WAITING,	"waiting")	/* behind its message's head */	\
	X(SCHEDULED,	"scheduled")	/* timer to row.next_at */	\
	X(SENDING,	"sending")	/* an attempt on the wire */

enum wh_callback_state {
#define WH_CALLBACK_STATE_ENUM(name, text) WH_CB_##name,
	WH_CALLBACK_STATES(WH_CALLBACK_STATE_ENUM)
#undef WH_CALLBACK_STATE_ENUM
};

static const char *const wh_callback_state_names[] = {
#define WH_CALLBACK_STATE_NAME(name, text) text,
	WH_CALLBACK_STATES(WH_CALLBACK_STATE_NAME)
#undef WH_CALLBACK_STATE_NAME
};

struct wh_callback {
	struct gw_webhooks	*wh;
	struct wh_fifo		*fifo;
	struct gw_callback_row	 row;		/* owns url and params */
	enum wh_callback_state	 state;
	int			 durable;
	struct clock_timer	*timer;
	TAILQ_ENTRY(wh_callback) entry;
};

static int
wh_fifo_cmp(const struct wh_fifo *a, const struct wh_fifo *b)
{
	return strcmp(a->message_sid, b->message_sid);
}

TREE_GENERATE_STATIC(wh_fifo_tree, wh_fifo, entry, wh_fifo_cmp);

static void	wh_callback_next(struct wh_callback *);
static void	wh_reload_due(struct clock_timer *, void *);
static void	wh_reload_maybe(struct gw_webhooks *);
static int	wh_spill(struct gw_webhooks *,
		    const struct gw_callback_row *);

struct gw_webhooks *
gw_webhooks_new(struct gateway *gw)
{
	struct gw_webhooks *wh = xcalloc(1, sizeof *wh);
	char err[256];

	wh->gw = gw;
	wh->memory_max = gw->cfg.callback_memory_max > 0 ?
	    gw->cfg.callback_memory_max : GW_WEBHOOK_MEMORY_MAX;
	wh->reload = clock_timer_new(gw->clock, wh_reload_due, wh);

	wh->client = gw_http_client_new(gw->base, gw->cfg.callback_timeout,
	    gw->cfg.callback_connections);
	if ((!gw->cfg.callback_tls_verify || gw->cfg.callback_tls_ca[0] !=
	    '\0') && gw_http_client_set_tls(wh->client,
	    gw->cfg.callback_tls_verify, gw->cfg.callback_tls_ca[0] != '\0' ?
	    gw->cfg.callback_tls_ca : NULL, err, sizeof err) == -1)
		log_warnx("webhook tls-setup-failed ca=\"%s\" error=\"%s\" "
		    "(https callbacks will fail)", gw->cfg.callback_tls_ca, err);
	if (!gw->cfg.callback_in_loop &&
	    clock_mode(gw->clock) == CLOCK_MODE_REAL)
		gw_http_client_use_thread(wh->client);
	RB_INIT(&wh->fifos);
	TAILQ_INIT(&wh->inbound);
	return wh;
}

static void
wh_callback_enter_state(struct wh_callback *cb, enum wh_callback_state s)
{
	log_debug("webhook %s callback id=%lld state %s -> %s",
	    cb->row.message_sid, (long long)cb->row.id,
	    wh_callback_state_names[cb->state], wh_callback_state_names[s]);
	cb->state = s;
}

static void
wh_callback_free(struct wh_callback *cb)
{
	clock_timer_free(cb->timer);
	gw_callback_row_clear(&cb->row);
	free(cb);
}

void
gw_webhooks_free(struct gw_webhooks *wh)
{
	struct wh_fifo		*f;
	struct wh_callback	*cb;

	if (wh == NULL)
		return;
	wh->freeing = 1;
	/* Callbacks still waiting for their batch hold our pointer in the
	 * store: let the store run them now, while we exist. */
	if (wh->gw->store != NULL && gw_store_pending(wh->gw->store) > 0)
		gw_store_commit(wh->gw->store);
	gw_http_client_free(wh->client);
	clock_timer_free(wh->reload);
	while ((f = RB_ROOT(&wh->fifos)) != NULL) {
		RB_REMOVE(wh_fifo_tree, &wh->fifos, f);
		while ((cb = TAILQ_FIRST(&f->callbacks)) != NULL) {
			TAILQ_REMOVE(&f->callbacks, cb, entry);
			wh_callback_free(cb);
		}
		free(f);
	}
	gw_webhook_inbound_free_all(wh);
	free(wh);
}

size_t
gw_webhooks_pending(const struct gw_webhooks *wh)
{
	return wh->ncallbacks + wh->nspilled + wh->ninbound;
}

size_t
gw_webhooks_in_flight(const struct gw_webhooks *wh)
{
	return gw_http_client_in_flight(wh->client);
}

/* The delay before attempt number attempts + 1 (attempts >= 1). */
static int64_t
wh_backoff(const struct gateway_config *cfg, unsigned attempts)
{
	int64_t		delay = cfg->callback_backoff > 0 ?
			    cfg->callback_backoff : 1;
	int64_t		max = cfg->callback_backoff_max > delay ?
			    cfg->callback_backoff_max : delay;
	unsigned	i;

	for (i = 1; i < attempts && delay < max; i++)
		delay = delay > max / 2 ? max : delay * 2;
	return delay < max ? delay : max;
}

/* Spilled rows wait: read the next page once memory drained to half. */
static void
wh_reload_maybe(struct gw_webhooks *wh)
{
	if (!wh->spilling || wh->freeing || clock_timer_pending(wh->reload) ||
	    wh->ncallbacks > wh->memory_max / 2)
		return;
	/* From the loop, never from inside a completion or a resume. */
	clock_timer_add(wh->reload, 0);
}

/* Removes cb from its message's FIFO and starts the next one. */
static void
wh_callback_finish(struct wh_callback *cb)
{
	struct gw_webhooks	*wh = cb->wh;
	struct wh_fifo		*f = cb->fifo;
	struct wh_callback	*next;

	TAILQ_REMOVE(&f->callbacks, cb, entry);
	wh->ncallbacks--;
	wh_callback_free(cb);
	wh_reload_maybe(wh);
	if ((next = TAILQ_FIRST(&f->callbacks)) == NULL) {
		RB_REMOVE(wh_fifo_tree, &wh->fifos, f);
		free(f);
		return;
	}
	if (next->durable)
		wh_callback_next(next);
}

static void
wh_callback_drop(struct wh_callback *cb, const char *why)
{
	struct gateway *gw = cb->wh->gw;

	log_warnx("webhook %s callback dropped id=%lld url=%s attempts=%u "
	    "reason=\"%s\"", cb->row.message_sid, (long long)cb->row.id,
	    cb->row.url, cb->row.attempts, why);
	gw->metrics.callbacks_dropped++;
	if (cb->durable)
		gw_store_delete_callback(gw->store, cb->row.id);
	wh_callback_finish(cb);
}

static void
wh_callback_done(const struct gw_http_result *r, void *arg)
{
	struct wh_callback	*cb = arg;
	struct gateway		*gw = cb->wh->gw;
	char			 why[200];

	cb->row.attempts++;
	if (r->status >= 200 && r->status <= 299) {
		log_info("webhook %s callback sent id=%lld url=%s status=%d "
		    "attempts=%u", cb->row.message_sid, (long long)cb->row.id,
		    cb->row.url, r->status, cb->row.attempts);
		gw->metrics.callbacks_sent++;
		gw_store_delete_callback(gw->store, cb->row.id);
		wh_callback_finish(cb);
		return;
	}
	gw->metrics.callbacks_failed++;
	if (r->status != 0)
		snprintf(why, sizeof why, "HTTP %d (11200)", r->status);
	else
		snprintf(why, sizeof why, "%s", r->error);
	if (cb->row.attempts > gw->cfg.callback_retries) {
		wh_callback_drop(cb, why);
		return;
	}
	cb->row.next_at = clock_now(gw->clock) +
	    wh_backoff(&gw->cfg, cb->row.attempts);
	log_info("webhook %s callback failed id=%lld url=%s attempts=%u "
	    "reason=\"%s\" retry_in_ms=%lld", cb->row.message_sid,
	    (long long)cb->row.id, cb->row.url, cb->row.attempts, why,
	    (long long)((cb->row.next_at - clock_now(gw->clock)) / 1000));
	gw_store_update_callback(gw->store, cb->row.id, cb->row.attempts,
	    cb->row.next_at);
	wh_callback_next(cb);
}

static void
wh_callback_send(struct wh_callback *cb)
{
	struct gateway			*gw = cb->wh->gw;
	const struct gateway_account	*acct;
	struct gw_http_request		 r;
	char				 token[64], err[256];

	if ((acct = gw_account_find(gw, cb->row.account_sid)) == NULL) {
		wh_callback_drop(cb, "account unknown: cannot sign");
		return;
	}
	/* The same for every attempt, so the receiver can tell retries. */
	snprintf(token, sizeof token, "%s-%lld", cb->row.message_sid,
	    (long long)cb->row.id);
	r.method = cb->row.method;
	r.url = cb->row.url;
	r.params = cb->row.params;
	r.token = acct->token;
	r.idempotency = token;
	wh_callback_enter_state(cb, WH_CB_SENDING);
	if (gw_http_client_send(cb->wh->client, &r, wh_callback_done, cb, err,
	    sizeof err) == -1)
		wh_callback_drop(cb, err);
}

static void
wh_callback_due(struct clock_timer *t, void *arg)
{
	(void)t;
	wh_callback_send(arg);
}

/* The head of a FIFO, durable: send now or when next_at comes. */
static void
wh_callback_next(struct wh_callback *cb)
{
	struct gateway	*gw = cb->wh->gw;
	int64_t		 wait = cb->row.next_at - clock_now(gw->clock);

	if (cb->wh->freeing)
		return;
	if (wait <= 0) {
		wh_callback_send(cb);
		return;
	}
	if (cb->timer == NULL)
		cb->timer = clock_timer_new(gw->clock, wh_callback_due, cb);
	wh_callback_enter_state(cb, WH_CB_SCHEDULED);
	clock_timer_add(cb->timer, wait);
}

/* Appends cb to its message's FIFO; 1 when it is the head. */
static int
wh_callback_enqueue(struct gw_webhooks *wh, struct wh_callback *cb)
{
	struct wh_fifo	 key, *f;

	snprintf(key.message_sid, sizeof key.message_sid, "%s",
	    cb->row.message_sid);
	if ((f = RB_FIND(wh_fifo_tree, &wh->fifos, &key)) == NULL) {
		f = xcalloc(1, sizeof *f);
		memcpy(f->message_sid, key.message_sid, sizeof f->message_sid);
		TAILQ_INIT(&f->callbacks);
		RB_INSERT(wh_fifo_tree, &wh->fifos, f);
	}
	cb->wh = wh;
	cb->fifo = f;
	TAILQ_INSERT_TAIL(&f->callbacks, cb, entry);
	if (++wh->ncallbacks > wh->ncallbacks_peak)
		wh->ncallbacks_peak = wh->ncallbacks;
	if (cb->row.id > wh->loaded_to)
		wh->loaded_to = cb->row.id;
	return TAILQ_FIRST(&f->callbacks) == cb;
}

/* The store committed (ok) or rolled back the batch holding the row. */
static void
wh_callback_durable(void *arg, int ok)
{
	struct wh_callback *cb = arg;

	if (!ok) {
		wh_callback_drop(cb, "the store's batch was rolled back");
		return;
	}
	cb->durable = 1;
	wh_callback_enter_state(cb, WH_CB_WAITING);
	if (TAILQ_FIRST(&cb->fifo->callbacks) == cb)
		wh_callback_next(cb);
}

/* twilio-api.md §5.1, in the order of Twilio's own captures. */
static char *
wh_status_params(const struct gw_message *m, const char *raw_dlr_done_date)
{
	struct evbuffer	*b = evbuffer_new();
	const char	*status = gw_status_name(m->status);
	const char	*text;
	char		 code[16];

	if (b == NULL)
		fatalx("webhook evbuffer_new failed");
	gw_http_form_add(b, "MessageStatus", status);
	gw_http_form_add(b, "ApiVersion", "2010-04-01");
	gw_http_form_add(b, "SmsSid", m->sid);
	gw_http_form_add(b, "SmsStatus", status);
	gw_http_form_add(b, "To", m->to);
	gw_http_form_add(b, "From", m->from);
	gw_http_form_add(b, "MessageSid", m->sid);
	gw_http_form_add(b, "AccountSid", m->account_sid);
	if (m->service_sid[0] != '\0')
		gw_http_form_add(b, "MessagingServiceSid", m->service_sid);
	if (m->error_code != 0) {
		snprintf(code, sizeof code, "%d", m->error_code);
		gw_http_form_add(b, "ErrorCode", code);
		if ((text = gw_error_description(m->error_code)) != NULL)
			gw_http_form_add(b, "ErrorMessage", text);
	}
	if (raw_dlr_done_date != NULL && raw_dlr_done_date[0] != '\0' &&
	    (m->status == GW_STATUS_DELIVERED ||
	    m->status == GW_STATUS_UNDELIVERED))
		gw_http_form_add(b, "RawDlrDoneDate", raw_dlr_done_date);
	text = gw_http_form_take(b);
	evbuffer_free(b);
	return (char *)text;
}

void
gw_webhook_status(struct gw_webhooks *wh, const struct gw_message *m,
    const char *url, const char *raw_dlr_done_date)
{
	struct gateway		*gw = wh->gw;
	struct wh_callback	*cb;

	if (url == NULL || url[0] == '\0')
		return;
	cb = xcalloc(1, sizeof *cb);
	snprintf(cb->row.kind, sizeof cb->row.kind, "status");
	snprintf(cb->row.message_sid, sizeof cb->row.message_sid, "%s",
	    m->sid);
	snprintf(cb->row.account_sid, sizeof cb->row.account_sid, "%s",
	    m->account_sid);
	cb->row.url = xstrdup(url);
	snprintf(cb->row.method, sizeof cb->row.method, "POST");
	cb->row.params = wh_status_params(m, raw_dlr_done_date);
	cb->row.created_at = cb->row.next_at = clock_now(gw->clock);
	cb->state = WH_CB_UNCOMMITTED;
	if (gw_store_add_callback(gw->store, &cb->row) == -1) {
		log_warnx("webhook %s callback lost status=%s: the store "
		    "refused it", m->sid, gw_status_name(m->status));
		gw->metrics.callbacks_dropped++;
		wh_callback_free(cb);
		return;
	}
	if (wh_spill(wh, &cb->row)) {
		wh_callback_free(cb);
		return;
	}
	wh_callback_enqueue(wh, cb);
	log_debug("webhook %s callback queued id=%lld status=%s url=%s",
	    m->sid, (long long)cb->row.id, gw_status_name(m->status), url);
	gw_store_when_durable_later(gw->store, wh_callback_durable, cb);
}

/*
 * 1 when row (in the outbox already) must stay there only: memory is
 * full, or earlier rows still wait there (a later one must not overtake
 * them).
 */
static int
wh_spill(struct gw_webhooks *wh, const struct gw_callback_row *row)
{
	if (!wh->spilling && wh->ncallbacks < wh->memory_max)
		return 0;
	if (!wh->spilling)
		log_info("webhook spilling pending=%zu memory_max=%zu "
		    "first_id=%lld (the rest wait in the outbox)",
		    wh->ncallbacks, wh->memory_max, (long long)row->id);
	wh->spilling = 1;
	wh->nspilled++;
	log_debug("webhook %s callback spilled id=%lld", row->message_sid,
	    (long long)row->id);
	wh_reload_maybe(wh);
	return 1;
}

static void	wh_callback_resume(struct gw_webhooks *,
		    struct gw_callback_row *);

void
gw_webhook_resume(struct gw_webhooks *wh, struct gw_callback_row *row)
{
	if (wh_spill(wh, row)) {
		gw_callback_row_clear(row);
		return;
	}
	wh_callback_resume(wh, row);
}

/* A row read back from the outbox: durable, waiting for its turn. */
static void
wh_callback_resume(struct gw_webhooks *wh, struct gw_callback_row *row)
{
	struct wh_callback *cb = xcalloc(1, sizeof *cb);

	cb->row = *row;
	row->url = NULL;
	row->params = NULL;
	cb->durable = 1;
	cb->state = WH_CB_WAITING;
	log_debug("webhook %s callback resumed id=%lld attempts=%u url=%s",
	    cb->row.message_sid, (long long)cb->row.id, cb->row.attempts,
	    cb->row.url);
	if (wh_callback_enqueue(wh, cb))
		wh_callback_next(cb);
}

static void
wh_reload_row(struct gw_callback_row *row, void *arg)
{
	struct gw_webhooks *wh = arg;

	/* Every row spilled was counted when it spilled: none left out
	 * there once the count is back to 0. */
	if (wh->nspilled > 0 && --wh->nspilled == 0)
		wh->spilling = 0;
	wh_callback_resume(wh, row);
}

/* The next page of spilled rows, oldest first, up to the limit. */
static void
wh_reload_due(struct clock_timer *t, void *arg)
{
	struct gw_webhooks	*wh = arg;
	size_t			 want;
	int			 n;

	(void)t;
	if (!wh->spilling || wh->freeing ||
	    wh->ncallbacks >= wh->memory_max)
		return;
	want = wh->memory_max - wh->ncallbacks;
	n = gw_store_load_callbacks_after(wh->gw->store, wh->loaded_to, want,
	    wh_reload_row, wh);
	if (n == -1) {
		log_warnx("webhook reload failed after_id=%lld error=\"%s\" "
		    "(retrying in 1 s)", (long long)wh->loaded_to,
		    gw_store_error(wh->gw->store));
		clock_timer_add(wh->reload, CLOCK_USEC_PER_SEC);
		return;
	}
	log_info("webhook reloaded callbacks=%d memory=%zu spilled=%zu",
	    n, wh->ncallbacks, wh->nspilled);
	if ((size_t)n < want) {
		/* The outbox holds nothing more beyond loaded_to (a row of
		 * a rolled-back batch never got there: count afresh). */
		wh->spilling = 0;
		wh->nspilled = 0;
		return;
	}
	wh_reload_maybe(wh);
}
