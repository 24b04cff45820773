/*
 * Traffic towards the ESMEs: delivery receipts and MO messages.
 *
 * Every item lives in the store's outbox until the ESME acknowledges it,
 * so a restart loses none. In memory an item is in one of three places:
 * the tree of scheduled items ordered by (due, id) under one clock timer;
 * the held list, when it is due but no receiver of its system_id is bound
 * or every receiver's window is full; or in flight on a session. A bind
 * or an opened window kicks the held items of its system_id. An error
 * response or a timeout reschedules the item with exponential backoff.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "carriers/carrier-internal.h"
#include "smpp/receipt.h"
#include "smpp/text.h"

static void	carrier_outbox_dispatch(struct carrier_outbox_entry *);

static int
carrier_outbox_cmp(struct carrier_outbox_entry *a,
    struct carrier_outbox_entry *b)
{
	if (a->item.due != b->item.due)
		return a->item.due < b->item.due ? -1 : 1;
	if (a->item.id != b->item.id)
		return a->item.id < b->item.id ? -1 : 1;
	return 0;
}

TREE_GENERATE_STATIC(carrier_outbox_tree, carrier_outbox_entry, tree,
    carrier_outbox_cmp)

static void
carrier_outbox_arm(struct carrier *c)
{
	struct carrier_outbox_entry *e = RB_MIN(carrier_outbox_tree,
	    &c->outbox);
	int64_t delay;

	if (e == NULL) {
		clock_timer_del(c->outbox_timer);
		return;
	}
	delay = e->item.due - carrier_now(c);
	clock_timer_add(c->outbox_timer, delay > 0 ? delay : 0);
}

static void
carrier_outbox_schedule(struct carrier_outbox_entry *e)
{
	struct carrier *c = e->carrier;

	e->where = CARRIER_OUTBOX_SCHEDULED;
	RB_INSERT(carrier_outbox_tree, &c->outbox, e);
	carrier_outbox_arm(c);
}

static void
carrier_outbox_hold(struct carrier_outbox_entry *e)
{
	e->where = CARRIER_OUTBOX_HELD;
	TAILQ_INSERT_TAIL(&e->carrier->held, e, held);
}

/* Forgets the entry; with drop it also leaves the store. */
static void
carrier_outbox_done(struct carrier_outbox_entry *e, int drop)
{
	struct carrier *c = e->carrier;

	if (e->where == CARRIER_OUTBOX_SCHEDULED)
		RB_REMOVE(carrier_outbox_tree, &c->outbox, e);
	else if (e->where == CARRIER_OUTBOX_HELD)
		TAILQ_REMOVE(&c->held, e, held);
	else if (e->where == CARRIER_OUTBOX_INFLIGHT)
		TAILQ_REMOVE(&c->inflight, e, held);
	if (drop && carrier_store_outbox_delete(c->env.store,
	    e->item.id) == -1)
		log_warnx("%s store-failed error=\"%s\"", c->p->name,
		    carrier_store_error(c->env.store));
	c->outbox_pending--;
	carrier_outbox_item_release(&e->item);
	free(e);
}

#define CARRIER_KICK_IDS	8

/*
 * Due entries go out at once while nothing is held; behind held ones they
 * queue, so receipts leave in the order they fell due. Only the system_ids
 * of the entries queued here can have something new to send, so only
 * those are kicked (every one when there are many): a walk of the whole
 * held list at every timer made a full deliver window quadratic.
 */
static void
carrier_outbox_fire(struct clock_timer *t, void *arg)
{
	struct carrier *c = arg;
	struct carrier_outbox_entry *e;
	int64_t now = carrier_now(c);
	char ids[CARRIER_KICK_IDS][sizeof e->item.system_id];
	size_t nids = 0, i;
	int many = 0;

	(void)t;
	while ((e = RB_MIN(carrier_outbox_tree, &c->outbox)) != NULL &&
	    e->item.due <= now) {
		RB_REMOVE(carrier_outbox_tree, &c->outbox, e);
		e->where = CARRIER_OUTBOX_LOOSE;
		if (TAILQ_EMPTY(&c->held)) {
			carrier_outbox_dispatch(e);
			continue;
		}
		carrier_outbox_hold(e);
		for (i = 0; i < nids; i++)
			if (strcmp(ids[i], e->item.system_id) == 0)
				break;
		if (i < nids)
			continue;
		if (nids == CARRIER_KICK_IDS)
			many = 1;
		else
			memcpy(ids[nids++], e->item.system_id, sizeof ids[0]);
	}
	if (many)
		carrier_outbox_kick(c, NULL);
	else
		for (i = 0; i < nids; i++)
			carrier_outbox_kick(c, ids[i]);
	carrier_outbox_arm(c);
}

static struct carrier_outbox_entry *
carrier_outbox_entry_new(struct carrier *c,
    const struct carrier_outbox_item *item)
{
	struct carrier_outbox_entry *e = xcalloc(1, sizeof *e);

	e->carrier = c;
	e->item = *item;
	if (item->pdu != NULL) {
		e->item.pdu = xmalloc(item->pdu_len);
		memcpy(e->item.pdu, item->pdu, item->pdu_len);
	}
	c->outbox_pending++;
	return e;
}

static void
carrier_outbox_load(const struct carrier_outbox_item *item, void *arg)
{
	carrier_outbox_schedule(carrier_outbox_entry_new(arg, item));
}

int
carrier_outbox_init(struct carrier *c, char *err, size_t errlen)
{
	RB_INIT(&c->outbox);
	TAILQ_INIT(&c->held);
	TAILQ_INIT(&c->inflight);
	c->outbox_timer = clock_timer_new(c->env.clock, carrier_outbox_fire,
	    c);
	if (carrier_store_outbox_foreach(c->env.store, c->p->name,
	    carrier_outbox_load, c) == -1) {
		snprintf(err, errlen, "%s: store: %s", c->p->name,
		    carrier_store_error(c->env.store));
		return -1;
	}
	if (c->outbox_pending > 0)
		log_info("%s outbox-loaded items=%zu", c->p->name,
		    c->outbox_pending);
	return 0;
}

void
carrier_outbox_free(struct carrier *c)
{
	struct carrier_outbox_entry *e;

	clock_timer_free(c->outbox_timer);
	c->outbox_timer = NULL;
	while ((e = RB_MIN(carrier_outbox_tree, &c->outbox)) != NULL)
		carrier_outbox_done(e, 0);
	while ((e = TAILQ_FIRST(&c->held)) != NULL)
		carrier_outbox_done(e, 0);
	/* Their sessions are freed next, without calling back; the store
	 * keeps the items for the next start. */
	while ((e = TAILQ_FIRST(&c->inflight)) != NULL)
		carrier_outbox_done(e, 0);
}

static void	carrier_receipt_view_fill(struct carrier_receipt_view *,
		    const struct carrier_message *);

static struct carrier_outbox_entry *
carrier_outbox_put(struct carrier *c, struct carrier_outbox_item *item)
{
	if (carrier_store_outbox_add(c->env.store, item) == -1) {
		log_warnx("%s store-failed error=\"%s\"", c->p->name,
		    carrier_store_error(c->env.store));
		return NULL;
	}
	return carrier_outbox_entry_new(c, item);
}

int
carrier_outbox_add(struct carrier *c, struct carrier_outbox_item *item)
{
	struct carrier_outbox_entry *e = carrier_outbox_put(c, item);

	if (e == NULL)
		return -1;
	carrier_outbox_schedule(e);
	return 0;
}

int
carrier_outbox_add_receipt(struct carrier *c,
    struct carrier_outbox_item *item, const struct carrier_message *m)
{
	struct carrier_outbox_entry *e = carrier_outbox_put(c, item);

	if (e == NULL)
		return -1;
	carrier_receipt_view_fill(&e->view, m);
	e->has_view = 1;
	carrier_outbox_schedule(e);
	return 0;
}

void
carrier_outbox_cancel_message(struct carrier *c, const char *id)
{
	struct carrier_outbox_entry *e, *next;

	for (e = RB_MIN(carrier_outbox_tree, &c->outbox); e != NULL;
	    e = next) {
		next = RB_NEXT(carrier_outbox_tree, &c->outbox, e);
		if (e->item.kind == CARRIER_OUTBOX_RECEIPT &&
		    strcmp(e->item.message_id, id) == 0)
			carrier_outbox_done(e, 0);
	}
	TAILQ_FOREACH_SAFE(e, &c->held, held, next)
		if (e->item.kind == CARRIER_OUTBOX_RECEIPT &&
		    strcmp(e->item.message_id, id) == 0)
			carrier_outbox_done(e, 0);
	carrier_store_outbox_delete_message(c->env.store, c->p->name, id);
	carrier_outbox_arm(c);
}

size_t
carrier_outbox_held(const struct carrier *c)
{
	const struct carrier_outbox_entry *e;
	size_t n = 0;

	TAILQ_FOREACH(e, &c->held, held)
		n++;
	return n;
}

size_t
carrier_outbox_inflight(const struct carrier *c)
{
	const struct carrier_outbox_entry *e;
	size_t n = 0;

	TAILQ_FOREACH(e, &c->inflight, held)
		n++;
	return n;
}

/* ---- building the PDU ---- */

/* The first characters of the message, as plain ASCII for the text:
 * field (receipts go out in the default alphabet). */
static void
carrier_receipt_text(const struct carrier_message *m, char *out, size_t cap)
{
	char utf8[1024];
	size_t n = 0, i, j = 0, skip = 0;

	if ((m->esm_class & SMPP_ESM_UDHI) && m->sm_length > 0)
		skip = (size_t)m->short_message[0] + 1;
	if (skip > m->sm_length ||
	    smpp_text_decode(m->data_coding, m->short_message + skip,
	    m->sm_length - skip, utf8, sizeof utf8 - 1, &n, NULL) !=
	    SMPP_TEXT_OK)
		n = 0;
	for (i = 0; i < n && j + 1 < cap && j < SMPP_RECEIPT_TEXT_CHARS;
	    i++) {
		unsigned char ch = (unsigned char)utf8[i];

		if ((ch & 0xC0) == 0x80)
			continue;	/* continuation: one '?' per char */
		out[j++] = ch >= 0x20 && ch < 0x7F ? (char)ch : '?';
	}
	out[j] = '\0';
}

static void
carrier_public_id(const char *id, char *out, size_t len)
{
	size_t n = strcspn(id, "/");

	if (len == 0)
		return;
	if (n >= len)
		n = len - 1;
	memcpy(out, id, n);
	out[n] = '\0';
}

static void
carrier_receipt_view_fill(struct carrier_receipt_view *v,
    const struct carrier_message *m)
{
	v->seq = m->seq;
	v->submit_at = m->submit_at;
	v->done_at = m->done_at;
	memcpy(v->source_addr, m->source_addr, sizeof v->source_addr);
	memcpy(v->destination_addr, m->destination_addr,
	    sizeof v->destination_addr);
	v->source_ton = m->source_ton;
	v->source_npi = m->source_npi;
	v->dest_ton = m->dest_ton;
	v->dest_npi = m->dest_npi;
	memcpy(v->err, m->err, sizeof v->err);
	v->has_nec = m->has_nec != 0;
	v->nec_type = m->nec_type;
	v->nec_code = m->nec_code;
	carrier_receipt_text(m, v->text, sizeof v->text);
}

/*
 * The id a receipt names: the one the submit response gave (for every
 * destination of a submit_multi, its first's), or that message's seq in
 * the receipt_id_format quirk's format.
 */
static void
carrier_receipt_id(struct carrier *c, const char *message_id,
    const struct carrier_receipt_view *m, char *out, size_t len)
{
	const struct carrier_switch_args *q = carrier_quirk(c,
	    CARRIER_QUIRK_RECEIPT_ID_FORMAT);
	struct carrier_message *first;
	uint64_t seq = m->seq;

	carrier_public_id(message_id, out, len);
	if (q == NULL)
		return;
	if (strcmp(out, message_id) != 0) {
		first = xmalloc(sizeof *first);
		if (carrier_store_message_get(c->env.store, c->p->name, out,
		    first) == 0)
			seq = first->seq;
		free(first);
	}
	carrier_id_format(c->p, c->env.seed, q->format, q->width, seq, out,
	    len);
}

/* The Appendix B text of a receipt, stat words as the quirk says. */
static int
carrier_receipt_text_build(struct carrier *c,
    const struct carrier_receipt_view *m,
    const struct carrier_outbox_item *it, struct smpp_receipt *r, char *out,
    size_t cap, size_t *len)
{
	const struct carrier_switch_args *words = carrier_quirk(c,
	    CARRIER_QUIRK_STAT_WORDS);
	int final = it->state != SMPP_RECEIPT_STAT_ENROUTE;

	memset(r, 0, sizeof *r);
	carrier_receipt_id(c, it->message_id, m, r->id, sizeof r->id);
	strlcpy(r->dlvrd,
	    it->state == SMPP_RECEIPT_STAT_DELIVRD ? "001" : "000",
	    sizeof r->dlvrd);
	r->submit_date.valid = 1;
	r->submit_date.usec = m->submit_at;
	r->done_date.valid = 1;
	r->done_date.usec = final ? m->done_at : carrier_now(c);
	r->state = it->state;
	if (words != NULL && it->state > 0 && it->state < CARRIER_NSTATES)
		strlcpy(r->stat, words->words[it->state], sizeof r->stat);
	strlcpy(r->err, final ? m->err : "000", sizeof r->err);
	strlcpy(r->text, m->text, sizeof r->text);
	return smpp_receipt_build(r, NULL, out, cap, len) == SMPP_RECEIPT_OK ?
	    0 : -1;
}

/*
 * The body both receipt commands share: from the handset to the sender,
 * and esm_class. deliver_sm and data_sm spell these fields alike but size
 * them differently, so one macro serves both structs.
 */
#define CARRIER_RECEIPT_ADDRESSES(d, m, esm) do {			\
	(d)->source_addr_ton = (m)->dest_ton;				\
	(d)->source_addr_npi = (m)->dest_npi;				\
	strlcpy((d)->source_addr, (m)->destination_addr,		\
	    sizeof (d)->source_addr);					\
	(d)->dest_addr_ton = (m)->source_ton;				\
	(d)->dest_addr_npi = (m)->source_npi;				\
	strlcpy((d)->destination_addr, (m)->source_addr,		\
	    sizeof (d)->destination_addr);				\
	(d)->esm_class = (esm);						\
} while (0)

static void
carrier_receipt_init(struct smpp_pdu *pdu,
    const struct carrier_receipt_view *m, int as_data_sm, uint8_t esm_class)
{
	if (as_data_sm) {
		smpp_pdu_init(pdu, SMPP_CMD_data_sm, 0);
		CARRIER_RECEIPT_ADDRESSES(&pdu->u.data_sm, m, esm_class);
	} else {
		smpp_pdu_init(pdu, SMPP_CMD_deliver_sm, 0);
		CARRIER_RECEIPT_ADDRESSES(&pdu->u.deliver_sm, m, esm_class);
	}
}

/* receipted_message_id, message_state and network_error_code, unless
 * the no_receipt_tlvs quirk is on; then the vendor_tlvs quirk's. */
static void
carrier_receipt_tlvs(struct carrier *c, const struct carrier_receipt_view *m,
    const struct smpp_receipt *r, int final, struct smpp_pdu *pdu)
{
	const struct carrier_switch_args *v = carrier_quirk(c,
	    CARRIER_QUIRK_VENDOR_TLVS);
	uint8_t nec[3];
	size_t i;

	if (carrier_quirk(c, CARRIER_QUIRK_NO_RECEIPT_TLVS) == NULL) {
		smpp_pdu_add_tlv_str(pdu, SMPP_TLV_receipted_message_id,
		    r->id);
		smpp_pdu_add_tlv_int(pdu, SMPP_TLV_message_state,
		    (uint32_t)r->state);
		if (final && m->has_nec) {
			nec[0] = m->nec_type;
			nec[1] = (uint8_t)(m->nec_code >> 8);
			nec[2] = (uint8_t)m->nec_code;
			smpp_pdu_add_tlv(pdu, SMPP_TLV_network_error_code,
			    nec, 3);
		}
	}
	for (i = 0; v != NULL && i < v->ntlvs; i++)
		smpp_pdu_add_tlv(pdu, v->tlvs[i].tag, v->tlvs[i].value,
		    v->tlvs[i].length);
}

/* The entry's view, or one made from its message read back. */
static const struct carrier_receipt_view *
carrier_receipt_view(struct carrier *c, const struct carrier_outbox_entry *e,
    struct carrier_receipt_view *tmp)
{
	struct carrier_message *m;
	int rc;

	if (e->has_view)
		return &e->view;
	m = xmalloc(sizeof *m);
	rc = carrier_store_message_get(c->env.store, c->p->name,
	    e->item.message_id, m);
	if (rc == 0)
		carrier_receipt_view_fill(tmp, m);
	free(m);
	return rc == 0 ? tmp : NULL;
}

static int
carrier_receipt_pdu(struct carrier *c, const struct carrier_outbox_entry *e,
    struct smpp_pdu *pdu)
{
	const struct carrier_outbox_item *it = &e->item;
	const struct carrier_receipt_view *m;
	struct carrier_receipt_view tmp;
	struct smpp_receipt r;
	int final = it->state != SMPP_RECEIPT_STAT_ENROUTE;
	int as_data_sm = carrier_quirk(c, CARRIER_QUIRK_RECEIPTS_AS_DATA_SM) !=
	    NULL;
	char text[SMPP_MAX_SM + 1];
	size_t len = 0;

	if ((m = carrier_receipt_view(c, e, &tmp)) == NULL)
		return -1;
	carrier_receipt_init(pdu, m, as_data_sm, final ?
	    SMPP_ESM_TYPE_RECEIPT : SMPP_ESM_TYPE_INTERMEDIATE);
	if (carrier_receipt_text_build(c, m, it, &r, text, sizeof text,
	    &len) == -1)
		return -1;
	if (as_data_sm)
		smpp_pdu_add_tlv(pdu, SMPP_TLV_message_payload, text,
		    (uint16_t)len);
	else {
		memcpy(pdu->u.deliver_sm.short_message, text, len);
		pdu->u.deliver_sm.sm_length = (uint8_t)len;
	}
	carrier_receipt_tlvs(c, m, &r, final, pdu);
	return 0;
}

static int
carrier_outbox_pdu(struct carrier *c, const struct carrier_outbox_entry *e,
    struct smpp_pdu *pdu)
{
	const struct carrier_outbox_item *it = &e->item;
	struct smpp_error err;

	if (it->kind == CARRIER_OUTBOX_RECEIPT)
		return carrier_receipt_pdu(c, e, pdu);
	smpp_pdu_init(pdu, SMPP_CMD_deliver_sm, 0);
	if (smpp_pdu_decode(pdu, it->pdu, it->pdu_len, NULL, &err) != SMPP_OK)
		return -1;
	return 0;
}

/* ---- sending ---- */

static void carrier_outbox_sent(struct smpp_session *,
    const struct smpp_pdu *, enum smpp_session_failure, void *);

/* Bound receivers of system_id, round robin from c->rr. */
static size_t
carrier_receivers(struct carrier *c, const char *system_id,
    struct carrier_bind **out, size_t cap)
{
	struct carrier_bind *b;
	size_t n = 0;
	enum smpp_session_state st;

	TAILQ_FOREACH(b, &c->binds, entry) {
		if (b->session == NULL || b->muted || n == cap ||
		    strcmp(b->system_id, system_id) != 0)
			continue;
		st = smpp_session_state(b->session);
		if (st == SMPP_STATE_BOUND_RX || st == SMPP_STATE_BOUND_TRX)
			out[n++] = b;
	}
	return n;
}

/* A duplicate's response: whatever the ESME says, nothing follows. */
static void
carrier_outbox_dup_sent(struct smpp_session *s, const struct smpp_pdu *resp,
    enum smpp_session_failure fail, void *arg)
{
	(void)s;
	(void)resp;
	(void)fail;
	(void)arg;
}

/* duplicate_receipts: the same receipt again, right behind the first
 * (when the window has room for it). */
static void
carrier_outbox_duplicate(struct carrier_outbox_entry *e, struct
    carrier_bind *b, struct smpp_pdu *pdu)
{
	struct carrier *c = e->carrier;
	const struct carrier_switch_args *f = carrier_fault(c,
	    CARRIER_FAULT_DUPLICATE_RECEIPTS);

	if (f == NULL || e->item.kind != CARRIER_OUTBOX_RECEIPT ||
	    !carrier_fault_dice(c, f->share))
		return;
	if (smpp_session_send(b->session, pdu, carrier_outbox_dup_sent,
	    NULL) == 0) {
		c->receipts_duplicated++;
		b->n.receipts_sent++;
	}
}

static int
carrier_outbox_send(struct carrier_outbox_entry *e, struct smpp_pdu *pdu)
{
	struct carrier *c = e->carrier;
	struct carrier_bind *rx[64], *b;
	size_t n = carrier_receivers(c, e->item.system_id, rx, 64), i;

	for (i = 0; i < n; i++) {
		b = rx[(c->rr + i) % n];
		if (smpp_session_send(b->session, pdu, carrier_outbox_sent,
		    e) == 0) {
			c->rr++;
			e->where = CARRIER_OUTBOX_INFLIGHT;
			TAILQ_INSERT_TAIL(&c->inflight, e, held);
			e->sent_at = carrier_now(c);
			if (e->item.kind == CARRIER_OUTBOX_RECEIPT)
				b->n.receipts_sent++;
			else
				b->n.mo_sent++;
			carrier_outbox_duplicate(e, b, pdu);
			return 0;
		}
	}
	return -1;
}

/* A receiver of system_id whose window has room for one more. */
static int
carrier_receiver_ready(struct carrier *c, const char *system_id)
{
	struct carrier_bind *rx[64];
	size_t n = carrier_receivers(c, system_id, rx, 64), i;
	unsigned window = c->p->deliver_window > 0 ? c->p->deliver_window : 1;

	for (i = 0; i < n; i++)
		if (smpp_session_outstanding(rx[i]->session) < window)
			return 1;
	return 0;
}

/* Sends the entry, or holds it; builds the PDU only when it can go. */
static void
carrier_outbox_dispatch(struct carrier_outbox_entry *e)
{
	struct carrier *c = e->carrier;
	struct smpp_pdu *pdu;

	if (carrier_fault(c, CARRIER_FAULT_STOP_RECEIPTS) != NULL ||
	    !carrier_receiver_ready(c, e->item.system_id)) {
		/* Released in this order by carrier_outbox_kick(). */
		carrier_outbox_hold(e);
		return;
	}
	pdu = carrier_pdu_get(c);
	if (carrier_outbox_pdu(c, e, pdu) == -1) {
		log_warnx("%s outbox-drop id=%lld message_id=%s reason=unbuildable",
		    c->p->name, (long long)e->item.id, e->item.message_id);
		smpp_pdu_release(pdu);
		carrier_pdu_put(c, pdu);
		carrier_outbox_done(e, 1);
		return;
	}
	if (carrier_outbox_send(e, pdu) == -1)
		carrier_outbox_hold(e);
	smpp_pdu_release(pdu);
	carrier_pdu_put(c, pdu);
}

static int64_t
carrier_backoff(const struct carrier_profile *p, unsigned attempts)
{
	int64_t d = p->resend_initial > 0 ? p->resend_initial : 1000000;
	unsigned i;

	for (i = 1; i < attempts && d < p->resend_max; i++)
		d *= 2;
	return p->resend_max > 0 && d > p->resend_max ? p->resend_max : d;
}

static void
carrier_outbox_retry(struct carrier_outbox_entry *e, const char *why)
{
	struct carrier *c = e->carrier;
	const struct carrier_profile *p = c->p;

	e->item.attempts++;
	if (p->resend_attempts != 0 && e->item.attempts >= p->resend_attempts) {
		log_warnx("%s outbox-drop id=%lld system_id=%s attempts=%u "
		    "reason=\"%s\"", p->name, (long long)e->item.id,
		    e->item.system_id, e->item.attempts, why);
		c->receipts_dropped++;
		carrier_outbox_done(e, 1);
		return;
	}
	e->item.due = carrier_now(c) + carrier_backoff(p, e->item.attempts);
	log_info("%s outbox-retry id=%lld system_id=%s attempts=%u "
	    "reason=\"%s\"", p->name, (long long)e->item.id, e->item.system_id,
	    e->item.attempts, why);
	carrier_store_outbox_update(c->env.store, e->item.id, e->item.due,
	    e->item.attempts);
	carrier_outbox_schedule(e);
}

static void
carrier_outbox_sent(struct smpp_session *s, const struct smpp_pdu *resp,
    enum smpp_session_failure fail, void *arg)
{
	struct carrier_outbox_entry *e = arg;
	struct carrier *c = e->carrier;
	struct carrier_bind *b = smpp_session_arg(s);
	char why[64], sid[sizeof e->item.system_id];

	TAILQ_REMOVE(&c->inflight, e, held);
	e->where = CARRIER_OUTBOX_LOOSE;
	memcpy(sid, e->item.system_id, sizeof sid);

	if (fail == SMPP_FAIL_NONE && resp->command_status == 0) {
		if (e->item.kind == CARRIER_OUTBOX_RECEIPT) {
			b->n.receipts_acked++;
			carrier_histogram_add(&c->receipt_rtt,
			    carrier_now(c) - e->sent_at);
		}
		carrier_outbox_done(e, 1);
		/* A slot of the deliver window is free again. */
		carrier_outbox_kick(c, sid);
		return;
	}
	b->n.deliver_failed++;
	if (fail == SMPP_FAIL_CLOSED) {
		/* Not the ESME's refusal: wait for the next receiver. */
		carrier_outbox_hold(e);
		carrier_outbox_kick(c, e->item.system_id);
		return;
	}
	if (fail == SMPP_FAIL_TIMEOUT)
		snprintf(why, sizeof why, "no response");
	else
		strlcpy(why, smpp_status_name(resp->command_status),
		    sizeof why);
	carrier_outbox_retry(e, why);
	carrier_outbox_kick(c, sid);
}

/*
 * Sends held entries of system_id (every system_id when NULL) in order,
 * until no receiver has room. An entry that fails to go is held again at
 * the tail, so the walk ends at the tail it started with.
 */
void
carrier_outbox_kick(struct carrier *c, const char *system_id)
{
	struct carrier_outbox_entry *e, *next, *last;

	if (carrier_fault(c, CARRIER_FAULT_STOP_RECEIPTS) != NULL ||
	    (last = TAILQ_LAST(&c->held, carrier_outbox_list)) == NULL)
		return;
	for (e = TAILQ_FIRST(&c->held); e != NULL; e = next) {
		next = e == last ? NULL : TAILQ_NEXT(e, held);
		if (system_id != NULL &&
		    strcmp(e->item.system_id, system_id) != 0)
			continue;
		if (!carrier_receiver_ready(c, e->item.system_id)) {
			if (system_id != NULL)
				break;
			continue;
		}
		TAILQ_REMOVE(&c->held, e, held);
		e->where = CARRIER_OUTBOX_LOOSE;
		carrier_outbox_dispatch(e);
	}
}
