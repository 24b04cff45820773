/*
 * A simulated carrier: listeners, TLS, sessions and binds. Requests that
 * carry messages go to carrier-submit.c; traffic towards the ESME lives in
 * carrier-outbox.c.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "carriers/carrier-internal.h"

static void	carrier_session_request(struct smpp_session *,
		    const struct smpp_pdu *, void *);
static void	carrier_session_trace(struct smpp_session *,
		    enum smpp_direction, const uint8_t *, size_t,
		    const struct smpp_pdu *, void *);
static void	carrier_session_writable(struct smpp_session *, void *);
static void	carrier_session_closed(struct smpp_session *, const char *,
		    void *);

static const struct smpp_session_callbacks carrier_session_cbs = {
	.request = carrier_session_request,
	.trace = carrier_session_trace,
	.writable = carrier_session_writable,
	.closed = carrier_session_closed,
};

const double carrier_hist_bounds[CARRIER_HIST_BUCKETS] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10,
};

int64_t
carrier_now(const struct carrier *c)
{
	return clock_now(c->env.clock);
}

/* Refills by elapsed time; the burst is one second of rate, at least one
 * segment, so a steady sender at the limit is never refused. */
int
carrier_bucket_take(struct carrier_bucket *b, int64_t now, double amount)
{
	double burst;

	if (b->rate <= 0)
		return 0;
	burst = b->rate > 1 ? b->rate : 1;
	if (b->last == 0)
		b->tokens = burst;
	else if (now > b->last)
		b->tokens += b->rate * (double)(now - b->last) / 1e6;
	if (b->tokens > burst)
		b->tokens = burst;
	b->last = now;
	if (b->tokens + 1e-9 < amount)
		return -1;
	b->tokens -= amount;
	return 0;
}

void
carrier_histogram_add(struct carrier_histogram *h, int64_t usec)
{
	double s = (double)usec / 1e6;
	size_t i;

	for (i = 0; i < CARRIER_HIST_BUCKETS; i++)
		if (s <= carrier_hist_bounds[i])
			h->bucket[i]++;
	h->count++;
	h->sum += s;
}

static int
carrier_counter_cmp(struct carrier_counter *a, struct carrier_counter *b)
{
	if (a->dir != b->dir)
		return a->dir < b->dir ? -1 : 1;
	if (a->command_id != b->command_id)
		return a->command_id < b->command_id ? -1 : 1;
	if (a->status != b->status)
		return a->status < b->status ? -1 : 1;
	return 0;
}

TREE_GENERATE_STATIC(carrier_counter_tree, carrier_counter, entry,
    carrier_counter_cmp)

void
carrier_count_pdu(struct carrier *c, enum smpp_direction dir,
    uint32_t command_id, uint32_t status)
{
	struct carrier_counter key, *n;

	key.dir = dir;
	key.command_id = command_id;
	key.status = status;
	n = RB_FIND(carrier_counter_tree, &c->counters, &key);
	if (n == NULL) {
		n = xcalloc(1, sizeof *n);
		*n = key;
		RB_INSERT(carrier_counter_tree, &c->counters, n);
	}
	n->count++;
}

void
carrier_counters_foreach(struct carrier *c,
    void (*fn)(const struct carrier_counter *, void *), void *arg)
{
	struct carrier_counter *n;

	RB_FOREACH(n, carrier_counter_tree, &c->counters)
		fn(n, arg);
}

struct carrier_bind *
carrier_bind_find(struct carrier *c, unsigned id)
{
	struct carrier_bind *b;

	TAILQ_FOREACH(b, &c->binds, entry)
		if (b->id == id)
			return b;
	TAILQ_FOREACH(b, &c->closed, entry)
		if (b->id == id)
			return b;
	return NULL;
}

/*
 * A few PDU structs kept for reuse: a struct smpp_pdu is some 20 KB, and
 * every submit needs one for its response and every receipt one more.
 * Structs given back must hold no heap storage (released or moved).
 */
struct smpp_pdu *
carrier_pdu_get(struct carrier *c)
{
	if (c->nspare > 0)
		return c->spare[--c->nspare];
	return xmalloc(sizeof(struct smpp_pdu));
}

void
carrier_pdu_put(struct carrier *c, struct smpp_pdu *pdu)
{
	if (c->nspare < CARRIER_PDU_SPARE)
		c->spare[c->nspare++] = pdu;
	else
		free(pdu);
}

/* ---- responses, now or after the submit latency ---- */

/* A submit response's error: with a body only under the quirk. */
static void
carrier_error_body(struct smpp_pdu *resp)
{
	switch (resp->command_id) {
	case SMPP_CMD_submit_multi_resp:
		resp->u.submit_multi_resp.no_unsuccess = 0;
		/* FALLTHROUGH */
	case SMPP_CMD_submit_sm_resp:
	case SMPP_CMD_data_sm_resp:
		/* The three start with message_id; empty it. */
		resp->u.submit_sm_resp.message_id[0] = '\0';
		resp->has_body = 1;
		break;
	default:
		break;
	}
}

static void
carrier_send_response(struct carrier_bind *b, struct smpp_pdu *resp,
    int64_t received_at)
{
	if (b->session == NULL || b->muted)
		return;		/* closed, or silenced by the blackhole */
	if (resp->command_status != 0 && carrier_quirk(b->carrier,
	    CARRIER_QUIRK_ERROR_RESPONSE_BODY) != NULL)
		carrier_error_body(resp);
	if (smpp_session_respond(b->session, resp) == -1)
		log_warnx("%s respond-failed command=%s seq=%u errno=%d",
		    b->name, smpp_command_name(resp->command_id),
		    resp->sequence_number, errno);
	if (received_at > 0 &&
	    resp->command_id == smpp_response_id(SMPP_CMD_submit_sm))
		carrier_histogram_add(&b->carrier->submit_latency,
		    carrier_now(b->carrier) - received_at);
}

static void
carrier_delayed_free(struct carrier_delayed *d)
{
	TAILQ_REMOVE(&d->carrier->delayed, d, entry);
	clock_timer_free(d->timer);
	smpp_pdu_release(d->resp);
	carrier_pdu_put(d->carrier, d->resp);
	free(d);
}

static void
carrier_delayed_fire(struct clock_timer *t, void *arg)
{
	struct carrier_delayed *d = arg;

	(void)t;
	carrier_send_response(d->bind, d->resp, d->received_at);
	carrier_delayed_free(d);
}

/* Takes ownership of resp's storage (resp itself may be on the stack). */
void
carrier_respond(struct carrier_bind *b, struct smpp_pdu *resp, int64_t delay,
    int64_t received_at)
{
	struct carrier *c = b->carrier;
	struct carrier_delayed *d;

	if (delay <= 0) {
		carrier_send_response(b, resp, received_at);
		smpp_pdu_release(resp);
		return;
	}
	d = xcalloc(1, sizeof *d);
	d->carrier = c;
	d->bind = b;
	d->received_at = received_at;
	d->resp = carrier_pdu_get(c);
	memcpy(d->resp, resp, sizeof *resp);	/* moves the heap storage */
	d->timer = clock_timer_new(c->env.clock, carrier_delayed_fire, d);
	TAILQ_INSERT_TAIL(&c->delayed, d, entry);
	clock_timer_add(d->timer, delay);
}

void
carrier_respond_status_after(struct carrier_bind *b,
    const struct smpp_pdu *req, uint32_t status, int64_t delay)
{
	struct smpp_pdu *resp = carrier_pdu_get(b->carrier);
	uint32_t id = smpp_response_id(req->command_id);

	if (smpp_command_lookup(id) == NULL)
		id = SMPP_CMD_generic_nack;
	smpp_pdu_init(resp, id, req->sequence_number);
	resp->command_status = status;
	/* Error responses go without a body, as SPEC34 4.x allows. */
	resp->has_body = status == 0;
	carrier_respond(b, resp, delay, 0);
	carrier_pdu_put(b->carrier, resp);
}

void
carrier_respond_status(struct carrier_bind *b, const struct smpp_pdu *req,
    uint32_t status)
{
	carrier_respond_status_after(b, req, status, 0);
}

/* ---- what faults need of the fault stream ---- */

int
carrier_fault_dice(struct carrier *c, double share)
{
	if (share >= 1)
		return 1;
	return rng_unit(&c->fault_rng) < share;
}

int64_t
carrier_fault_latency(struct carrier *c)
{
	const struct carrier_switch_args *a = carrier_fault(c,
	    CARRIER_FAULT_LATENCY);

	return a != NULL ? carrier_dist_sample(&a->add, &c->fault_rng) : 0;
}

/* ---- binds ---- */

static const struct carrier_account *
carrier_account_find(const struct carrier *c, const char *system_id)
{
	size_t i;

	for (i = 0; i < c->p->naccounts; i++)
		if (strcmp(c->p->accounts[i].system_id, system_id) == 0)
			return &c->p->accounts[i];
	return NULL;
}

static unsigned
carrier_bind_type(uint32_t command_id)
{
	switch (command_id) {
	case SMPP_CMD_bind_transmitter:
		return CARRIER_BIND_TX;
	case SMPP_CMD_bind_receiver:
		return CARRIER_BIND_RX;
	default:
		return CARRIER_BIND_TRX;
	}
}

const char *
carrier_bind_type_name(unsigned type)
{
	switch (type) {
	case CARRIER_BIND_TX:
		return "tx";
	case CARRIER_BIND_RX:
		return "rx";
	case CARRIER_BIND_TRX:
		return "trx";
	default:
		return "none";
	}
}

static unsigned
carrier_binds_of(const struct carrier *c, const char *system_id)
{
	const struct carrier_bind *b;
	unsigned n = 0;

	/* A session unbinding no longer counts against max_binds. */
	TAILQ_FOREACH(b, &c->binds, entry)
		if (b->type != 0 && b->session != NULL &&
		    (smpp_session_state_mask(smpp_session_state(b->session)) &
		    SMPP_S_BOUND) && strcmp(b->system_id, system_id) == 0)
			n++;
	return n;
}

/* The bind_resp status for a bind request, checked as SPEC34 orders. */
static uint32_t
carrier_bind_check(struct carrier_bind *b, const struct smpp_pdu *req,
    const struct smpp_body_bind_transmitter *body)
{
	struct carrier *c = b->carrier;
	const struct carrier_switch_args *f;
	const struct carrier_account *a;
	unsigned type = carrier_bind_type(req->command_id);

	(void)req;
	if ((f = carrier_fault(c, CARRIER_FAULT_REFUSE_BINDS)) != NULL)
		return f->status;
	a = carrier_account_find(c, body->system_id);
	if (a == NULL)
		return SMPP_ESME_RINVSYSID;
	if (strcmp(a->password, body->password) != 0)
		return SMPP_ESME_RINVPASWD;
	if ((a->bind_types & type) == 0)
		return SMPP_ESME_RBINDFAIL;
	if (a->max_binds != 0 && carrier_binds_of(c, a->system_id) >=
	    a->max_binds)
		return c->p->too_many_binds;
	return 0;
}

/* ---- dropping and silencing sessions (faults) ---- */

/* Closes the session without unbind; responses still waiting for their
 * latency are forgotten, as the line that carried them is gone. */
static void
carrier_bind_drop(struct carrier_bind *b, const char *reason)
{
	struct carrier *c = b->carrier;
	struct carrier_delayed *d, *next;

	if (b->session == NULL)
		return;
	TAILQ_FOREACH_SAFE(d, &c->delayed, entry, next)
		if (d->bind == b)
			carrier_delayed_free(d);
	if (b->drop_timer != NULL)
		clock_timer_del(b->drop_timer);
	log_info("%s drop reason=\"%s\" unanswered=%u", b->name, reason,
	    smpp_session_unanswered(b->session));
	smpp_session_close(b->session, reason);
}

static void
carrier_bind_drop_fire(struct clock_timer *t, void *arg)
{
	(void)t;
	carrier_bind_drop(arg, "fault drop_after_bind");
}

/* drop_after_bind: closes a bind now (returns 1) or after the fault's
 * delay (returns 0: it is bound until then). */
static int
carrier_bind_drop_later(struct carrier_bind *b)
{
	const struct carrier_switch_args *f = carrier_fault(b->carrier,
	    CARRIER_FAULT_DROP_AFTER_BIND);

	if (f == NULL)
		return 0;
	if (f->delay <= 0) {
		carrier_bind_drop(b, "fault drop_after_bind");
		return 1;
	}
	if (b->drop_timer == NULL)
		b->drop_timer = clock_timer_new(b->carrier->env.clock,
		    carrier_bind_drop_fire, b);
	clock_timer_add(b->drop_timer, f->delay);
	return 0;
}

unsigned
carrier_binds_drop(struct carrier *c, const char *reason, int muted_only)
{
	struct carrier_bind *b;
	unsigned n = 0;

	TAILQ_FOREACH(b, &c->binds, entry) {
		if (b->session == NULL || (muted_only && !b->muted))
			continue;
		carrier_bind_drop(b, reason);
		n++;
	}
	return n;
}

static void
carrier_bind_mute(struct carrier_bind *b)
{
	if (b->session == NULL || b->muted)
		return;
	b->muted = 1;
	smpp_session_set_mute(b->session, 1);
	log_info("%s muted reason=blackhole", b->name);
}

void
carrier_binds_mute(struct carrier *c)
{
	struct carrier_bind *b;

	TAILQ_FOREACH(b, &c->binds, entry)
		carrier_bind_mute(b);
}

static void
carrier_bind_request(struct carrier_bind *b, const struct smpp_pdu *req)
{
	/* The three bind bodies share one layout (commands.def). */
	const struct smpp_body_bind_transmitter *body =
	    &req->u.bind_transmitter;
	struct smpp_pdu *resp = carrier_pdu_get(b->carrier);
	uint32_t status = carrier_bind_check(b, req, body);
	unsigned type = carrier_bind_type(req->command_id);

	smpp_pdu_init(resp, smpp_response_id(req->command_id),
	    req->sequence_number);
	resp->command_status = status;
	resp->has_body = status == 0;
	/* bind_*_resp bodies share the system_id field layout too. */
	snprintf(resp->u.bind_transmitter_resp.system_id,
	    sizeof resp->u.bind_transmitter_resp.system_id, "%.15s",
	    b->carrier->p->name);
	if (status == 0 && body->interface_version >= SMPP_VERSION_34)
		smpp_pdu_add_tlv_int(resp, SMPP_TLV_sc_interface_version,
		    SMPP_VERSION_34);
	log_info("%s bind system_id=%s type=%s peer=%s tls=%d status=%s",
	    b->name, body->system_id, carrier_bind_type_name(type), b->peer,
	    b->tls, smpp_status_name(status));
	if (status == 0) {
		snprintf(b->system_id, sizeof b->system_id, "%s",
		    body->system_id);
		b->type = type;
		b->bound_at = carrier_now(b->carrier);
	}
	carrier_respond(b, resp, 0, 0);
	carrier_pdu_put(b->carrier, resp);
	if (status == 0 && carrier_bind_drop_later(b))
		return;
	if (status == 0 && type != CARRIER_BIND_TX)
		carrier_outbox_kick(b->carrier, b->system_id);
}

/* ---- session callbacks ---- */

static void
carrier_session_request(struct smpp_session *s, const struct smpp_pdu *req,
    void *arg)
{
	struct carrier_bind *b = arg;

	(void)s;
	if (b->muted) {
		/* The blackhole reads everything and answers nothing. */
		log_debug("%s blackhole command=%s seq=%u", b->name,
		    smpp_command_name(req->command_id),
		    req->sequence_number);
		return;
	}
	switch (req->command_id) {
	case SMPP_CMD_bind_transmitter:
	case SMPP_CMD_bind_receiver:
	case SMPP_CMD_bind_transceiver:
		carrier_bind_request(b, req);
		break;
	case SMPP_CMD_submit_sm:
	case SMPP_CMD_data_sm:
	case SMPP_CMD_submit_multi:
	case SMPP_CMD_query_sm:
	case SMPP_CMD_cancel_sm:
	case SMPP_CMD_replace_sm:
		carrier_submit_request(b, req);
		break;
	default:
		/* broadcast_sm and friends (5.0): not offered by this SMSC. */
		carrier_respond_status(b, req, SMPP_ESME_RINVCMDID);
		break;
	}
}

static void
carrier_capture_add(struct carrier_bind *b, enum smpp_direction dir,
    const uint8_t *raw, size_t len)
{
	size_t limit = b->carrier->p->capture_limit, n;
	struct carrier_capture *cap;

	if (limit == 0)
		return;
	/*
	 * The ring grows as PDUs come, up to the limit, so an idle bind
	 * keeps a few slots, not capture_limit of them; it only wraps once
	 * full, so slot (index - 1) % limit holds both ways.
	 */
	if (b->cap_next == b->cap_cap && b->cap_cap < limit) {
		n = b->cap_cap == 0 ? 8 : b->cap_cap * 2;
		if (n > limit)
			n = limit;
		b->cap = xreallocarray(b->cap, n, sizeof *b->cap);
		memset(b->cap + b->cap_cap, 0,
		    (n - b->cap_cap) * sizeof *b->cap);
		b->cap_cap = n;
	}
	cap = &b->cap[b->cap_next % limit];
	free(cap->raw);
	cap->index = ++b->cap_next;
	cap->time = carrier_now(b->carrier);
	cap->dir = dir;
	cap->len = (uint32_t)len;
	cap->raw = xmalloc(len > 0 ? len : 1);
	memcpy(cap->raw, raw, len);
	if (b->cap_count < limit)
		b->cap_count++;
}

static void
carrier_session_trace(struct smpp_session *s, enum smpp_direction dir,
    const uint8_t *raw, size_t len, const struct smpp_pdu *pdu, void *arg)
{
	struct carrier_bind *b = arg;
	uint32_t id = 0, status = 0;

	(void)s;
	if (dir == SMPP_DIR_IN)
		b->n.pdus_in++;
	else
		b->n.pdus_out++;
	if (pdu != NULL) {
		id = pdu->command_id;
		status = pdu->command_status;
	}
	carrier_count_pdu(b->carrier, dir, id, status);
	carrier_capture_add(b, dir, raw, len);
}

static void
carrier_session_writable(struct smpp_session *s, void *arg)
{
	struct carrier_bind *b = arg;

	(void)s;
	if (b->type != 0)
		carrier_outbox_kick(b->carrier, b->system_id);
}

static void
carrier_bind_free(struct carrier_bind *b)
{
	size_t i;

	for (i = 0; i < b->cap_cap; i++)
		free(b->cap[i].raw);
	free(b->cap);
	clock_timer_free(b->drop_timer);
	free(b);
}

/* Keeps the bind for /sim/ inspection, dropping the oldest kept. */
static void
carrier_bind_retire(struct carrier *c, struct carrier_bind *b)
{
	struct carrier_bind *old;

	TAILQ_REMOVE(&c->binds, b, entry);
	TAILQ_INSERT_HEAD(&c->closed, b, entry);
	if (++c->nclosed > CARRIER_CLOSED_KEEP) {
		old = TAILQ_LAST(&c->closed, carrier_bind_list);
		TAILQ_REMOVE(&c->closed, old, entry);
		c->nclosed--;
		carrier_bind_free(old);
	}
}

static void
carrier_session_closed(struct smpp_session *s, const char *reason, void *arg)
{
	struct carrier_bind *b = arg;
	struct carrier *c = b->carrier;
	struct carrier_delayed *d, *next;

	(void)s;
	b->session = NULL;
	b->closed_at = carrier_now(c);
	clock_timer_free(b->drop_timer);
	b->drop_timer = NULL;
	snprintf(b->close_reason, sizeof b->close_reason, "%s", reason);
	TAILQ_FOREACH_SAFE(d, &c->delayed, entry, next)
		if (d->bind == b)
			carrier_delayed_free(d);
	carrier_bind_retire(c, b);
}

/* ---- listeners ---- */

static void
carrier_session_config(const struct carrier *c,
    struct smpp_session_config *cfg)
{
	smpp_session_config_default(cfg);
	cfg->window = c->p->deliver_window > 0 ? c->p->deliver_window : 1;
	cfg->response_timeout = c->p->response_timeout;
	cfg->enquire_link_interval = c->p->enquire_link_interval;
	cfg->inactivity_timeout = c->p->inactivity_timeout;
	cfg->session_init_timeout = c->p->session_init_timeout;
}

static void
carrier_peer_name(const struct sockaddr *sa, char *out, size_t len)
{
	char host[64];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		evutil_inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
		snprintf(out, len, "%s:%u", host, ntohs(in->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		evutil_inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
		snprintf(out, len, "[%s]:%u", host, ntohs(in6->sin6_port));
	} else
		snprintf(out, len, "unknown");
}

static void
carrier_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct carrier_listener *cl = arg;
	struct carrier *c = cl->carrier;
	struct event_base *base = evconnlistener_get_base(l);
	struct smpp_session_config cfg;
	struct bufferevent *bev;
	struct carrier_bind *b;
	int one = 1;

	(void)salen;
	/* A receipt right after a response must not wait for the ESME's
	 * delayed ACK (Nagle): SMSCs answer at once, and a virtual clock
	 * would jump while the PDU waits in the kernel. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (cl->tls)
		bev = bufferevent_openssl_socket_new(base, fd,
		    SSL_new(cl->ssl), BUFFEREVENT_SSL_ACCEPTING,
		    BEV_OPT_CLOSE_ON_FREE);
	else
		bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		log_warnx("%s accept-failed reason=bufferevent", c->p->name);
		evutil_closesocket(fd);
		return;
	}
	b = xcalloc(1, sizeof *b);
	b->carrier = c;
	b->id = ++c->next_bind_id;
	b->tls = cl->tls;
	b->opened_at = carrier_now(c);
	b->bucket.rate = c->p->max_mps_bind;
	snprintf(b->name, sizeof b->name, "%s/b%u", c->p->name, b->id);
	carrier_peer_name(sa, b->peer, sizeof b->peer);
	TAILQ_INSERT_TAIL(&c->binds, b, entry);
	carrier_session_config(c, &cfg);
	b->session = smpp_session_new(c->env.clock, bev, SMPP_ROLE_SMSC, &cfg,
	    &carrier_session_cbs, b, b->name);
	log_info("%s connect peer=%s listener=%s tls=%d", b->name, b->peer,
	    cl->address, cl->tls);
	if (carrier_fault(c, CARRIER_FAULT_BLACKHOLE) != NULL)
		carrier_bind_mute(b);
}

/* A throwaway P-256 certificate for "tls": true without files. */
static int
carrier_tls_self_signed(SSL_CTX *ctx, const char *cn)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *name;
	int ok = 0;

	if (key == NULL || x == NULL)
		goto out;
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 3650L * 86400);
	X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, name);
	if (X509_sign(x, key, EVP_sha256()) > 0 &&
	    SSL_CTX_use_certificate(ctx, x) == 1 &&
	    SSL_CTX_use_PrivateKey(ctx, key) == 1)
		ok = 1;
out:
	X509_free(x);
	EVP_PKEY_free(key);
	return ok ? 0 : -1;
}

static SSL_CTX *
carrier_tls_context(const struct carrier *c, const struct carrier_listen *ls,
    char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	int rc;

	if (ctx == NULL) {
		snprintf(err, errlen, "tls: cannot create context");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (ls->cert[0] == '\0')
		rc = carrier_tls_self_signed(ctx, c->p->name);
	else
		rc = SSL_CTX_use_certificate_chain_file(ctx, ls->cert) == 1 &&
		    SSL_CTX_use_PrivateKey_file(ctx, ls->key,
		    SSL_FILETYPE_PEM) == 1 &&
		    SSL_CTX_check_private_key(ctx) == 1 ? 0 : -1;
	if (rc == -1) {
		snprintf(err, errlen, "listen %s: tls: %s", ls->address,
		    ERR_reason_error_string(ERR_get_error()) != NULL ?
		    ERR_reason_error_string(ERR_peek_last_error()) :
		    "cannot load certificate");
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/*
 * "host:port" or "[v6]:port" into a sockaddr. libevent's parser refuses
 * port 0, which means "any free port" here, so the port is set apart.
 */
static int
carrier_parse_address(const char *address, struct sockaddr_storage *ss,
    int *len)
{
	const char *colon = strrchr(address, ':');
	char host[CARRIER_ADDR_MAX], *end;
	unsigned long port;

	if (colon == NULL || colon == address || colon[1] == '\0' ||
	    (size_t)(colon - address) >= sizeof host)
		return -1;
	port = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || port > 65535)
		return -1;
	memcpy(host, address, (size_t)(colon - address));
	host[colon - address] = '\0';
	if (evutil_parse_sockaddr_port(host, (struct sockaddr *)ss, len) == -1)
		return -1;
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)(void *)ss)->sin_port =
		    htons((uint16_t)port);
	else
		((struct sockaddr_in6 *)(void *)ss)->sin6_port =
		    htons((uint16_t)port);
	return 0;
}

static int
carrier_listener_bind(struct carrier_listener *cl,
    const struct sockaddr_storage *ss, int len, const char *address,
    char *err, size_t errlen)
{
	cl->listener = evconnlistener_new_bind(cl->carrier->env.base,
	    carrier_accept, cl, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 128,
	    (const struct sockaddr *)ss, len);
	if (cl->listener == NULL) {
		snprintf(err, errlen, "listen %s: %s", address,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static int
carrier_listen(struct carrier *c, const struct carrier_listen *ls,
    struct carrier_listener *cl, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof ss;
	int len = sizeof ss;

	memset(&ss, 0, sizeof ss);
	if (carrier_parse_address(ls->address, &ss, &len) == -1) {
		snprintf(err, errlen, "listen %s: not host:port", ls->address);
		return -1;
	}
	cl->carrier = c;
	cl->tls = ls->tls;
	if (ls->tls && (cl->ssl = carrier_tls_context(c, ls, err,
	    errlen)) == NULL)
		return -1;
	if (carrier_listener_bind(cl, &ss, len, ls->address, err,
	    errlen) == -1)
		return -1;
	getsockname(evconnlistener_get_fd(cl->listener),
	    (struct sockaddr *)&ss, &sslen);
	carrier_peer_name((struct sockaddr *)&ss, cl->address,
	    sizeof cl->address);
	log_info("%s listen address=%s tls=%d", c->p->name, cl->address,
	    cl->tls);
	return 0;
}

void
carrier_listeners_close(struct carrier *c)
{
	size_t i;

	for (i = 0; i < c->nlisteners; i++) {
		if (c->listeners[i].listener == NULL)
			continue;
		evconnlistener_free(c->listeners[i].listener);
		c->listeners[i].listener = NULL;
		log_info("%s listen-closed address=%s", c->p->name,
		    c->listeners[i].address);
	}
}

/* On the addresses as first bound, so a port 0 listener keeps its port. */
int
carrier_listeners_open(struct carrier *c, char *err, size_t errlen)
{
	struct carrier_listener *cl;
	struct sockaddr_storage ss;
	int len, rc = 0;
	size_t i;

	for (i = 0; i < c->nlisteners; i++) {
		cl = &c->listeners[i];
		if (cl->listener != NULL)
			continue;
		len = sizeof ss;
		memset(&ss, 0, sizeof ss);
		if (carrier_parse_address(cl->address, &ss, &len) == -1) {
			snprintf(err, errlen, "listen %s: not host:port",
			    cl->address);
			rc = -1;
			continue;
		}
		if (carrier_listener_bind(cl, &ss, len, cl->address, err,
		    errlen) == -1) {
			rc = -1;
			continue;
		}
		log_info("%s listen address=%s tls=%d", c->p->name,
		    cl->address, cl->tls);
	}
	return rc;
}

/* ---- lifecycle ---- */

struct carrier *
carrier_start(const struct carrier_env *env,
    const struct carrier_profile *p, char *err, size_t errlen)
{
	struct carrier *c = xcalloc(1, sizeof *c);
	size_t i;

	c->env = *env;
	c->p = p;
	c->bucket.rate = p->max_mps;
	TAILQ_INIT(&c->binds);
	TAILQ_INIT(&c->closed);
	TAILQ_INIT(&c->delayed);
	RB_INIT(&c->counters);
	/* The fault stream: seeded like the model's, apart from them. */
	rng_seed(&c->fault_rng, carrier_message_key(p, env->seed, 0) ^
	    UINT64_C(0x6661756c74));		/* "fault" */
	carrier_switches_init(c);
	for (i = 0; i < p->nlisten; i++) {
		if (carrier_listen(c, &p->listen[i], &c->listeners[i], err,
		    errlen) == -1) {
			c->nlisteners = i + 1;
			carrier_free(c);
			return NULL;
		}
		c->nlisteners = i + 1;
	}
	if (carrier_outbox_init(c, err, errlen) == -1) {
		carrier_free(c);
		return NULL;
	}
	carrier_switches_start(c);
	return c;
}

void
carrier_free(struct carrier *c)
{
	struct carrier_bind *b;
	struct carrier_delayed *d;
	struct carrier_counter *n;
	size_t i;

	if (c == NULL)
		return;
	while ((d = TAILQ_FIRST(&c->delayed)) != NULL)
		carrier_delayed_free(d);
	carrier_outbox_free(c);
	/*
	 * Sessions free themselves from the loop after their closed
	 * callback, which would then find the carrier gone: detach them by
	 * closing now and dropping our side of the bind list first.
	 */
	while ((b = TAILQ_FIRST(&c->binds)) != NULL) {
		TAILQ_REMOVE(&c->binds, b, entry);
		if (b->session != NULL)
			smpp_session_free(b->session);
		carrier_bind_free(b);
	}
	while ((b = TAILQ_FIRST(&c->closed)) != NULL) {
		TAILQ_REMOVE(&c->closed, b, entry);
		carrier_bind_free(b);
	}
	for (i = 0; i < c->nlisteners; i++) {
		if (c->listeners[i].listener != NULL)
			evconnlistener_free(c->listeners[i].listener);
		SSL_CTX_free(c->listeners[i].ssl);
	}
	while (c->nspare > 0)
		free(c->spare[--c->nspare]);
	while ((n = RB_ROOT(&c->counters)) != NULL) {
		RB_REMOVE(carrier_counter_tree, &c->counters, n);
		free(n);
	}
	carrier_switches_free(c);
	free(c);
}

const char *
carrier_name(const struct carrier *c)
{
	return c->p->name;
}

const struct carrier_profile *
carrier_profile(const struct carrier *c)
{
	return c->p;
}

unsigned
carrier_bound_count(const struct carrier *c)
{
	const struct carrier_bind *b;
	unsigned n = 0;

	TAILQ_FOREACH(b, &c->binds, entry)
		if (b->type != 0)
			n++;
	return n;
}

int
carrier_busy(const struct carrier *c)
{
	const struct carrier_bind *b;

	if (!TAILQ_EMPTY(&c->delayed))
		return 1;
	/* A session the blackhole silenced never answers: not busy. */
	TAILQ_FOREACH(b, &c->binds, entry)
		if (b->session != NULL && !b->muted &&
		    smpp_session_busy(b->session))
			return 1;
	return 0;
}

size_t
carrier_listen_addresses(const struct carrier *c, const char **addr,
    int *tls, size_t cap)
{
	size_t i;

	for (i = 0; i < c->nlisteners && i < cap; i++) {
		addr[i] = c->listeners[i].address;
		tls[i] = c->listeners[i].tls;
	}
	return i;
}
