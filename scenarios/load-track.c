/*
 * What became of each message `carrierlab load` sent: the slots messages
 * live in, the ids awaiting receipts, the receipts, the responses and the
 * receipt deadlines. See load.c for the life of a message.
 *
 * Anything here that resolves a message's last part may end the run
 * (load_check_done()); callers touch nothing of the message after it.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/hash.h"
#include "common/histogram.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "scenarios/load-internal.h"
#include "smpp/receipt.h"
#include "smpp/session.h"
#include "smpp/smpp.h"

#define LOAD_POOL_CHUNK		1024	/* message slots per allocation */

static int
load_part_cmp(struct load_part *a, struct load_part *b)
{
	if (a->hash != b->hash)
		return a->hash < b->hash ? -1 : 1;
	return strcmp(a->id, b->id);
}

static int
load_early_cmp(struct load_early *a, struct load_early *b)
{
	return strcmp(a->id, b->id);
}

TREE_GENERATE_STATIC(load_ids, load_part, entry, load_part_cmp)
TREE_GENERATE_STATIC(load_earlies, load_early, entry, load_early_cmp)

/* ---- the slot pool ---- */

static struct load_msg *
load_msg_new(struct load *l)
{
	struct load_msg *m;
	char *chunk;
	size_t i;

	if (l->free == NULL) {
		chunk = xreallocarray(NULL, LOAD_POOL_CHUNK, l->slot_size);
		l->chunks = xreallocarray(l->chunks, l->nchunks + 1,
		    sizeof *l->chunks);
		l->chunks[l->nchunks++] = chunk;
		for (i = LOAD_POOL_CHUNK; i-- > 0;) {
			m = (struct load_msg *)(chunk + i * l->slot_size);
			m->free_next = l->free;
			l->free = m;
		}
	}
	m = l->free;
	l->free = m->free_next;
	l->in_use++;
	return m;
}

void
load_msg_begin(struct load *l, struct load_session *ls)
{
	struct load_msg *m = load_msg_new(l);
	unsigned k;

	m->index = l->next_index++;
	m->sent = 0;
	m->nparts = l->msg.info.parts;
	m->ndone = m->nok = 0;
	m->in_live = m->expired = 0;
	for (k = 0; k < m->nparts; k++) {
		m->part[k].msg = m;
		m->part[k].id = NULL;
		m->part[k].same = NULL;
		m->part[k].state = LOAD_PART_UNSENT;
	}
	ls->cur = m;
	ls->next_part = 0;
}

/* Every part resolved: the slot goes back to the pool. */
static void
load_msg_end(struct load *l, struct load_msg *m)
{
	if (m->in_live) {
		TAILQ_REMOVE(&l->live, m, live);
		m->in_live = 0;
	}
	m->free_next = l->free;
	l->free = m;
	l->in_use--;
	load_check_done(l);
}

static void
load_part_id_free(struct load_part *p)
{
	if (p->id != NULL && p->id != p->idbuf)
		free(p->id);
	p->id = NULL;
}

static void
load_part_done(struct load *l, struct load_part *p)
{
	struct load_msg *m = p->msg;

	p->state = LOAD_PART_DONE;
	load_part_id_free(p);
	if (++m->ndone == m->nparts)
		load_msg_end(l, m);
}

void
load_part_sent(struct load *l, struct load_msg *m, struct load_part *p,
    int64_t now)
{
	p->sent = now;
	p->state = LOAD_PART_SENT;
	l->outstanding++;
	l->st.parts_sent++;
	if (p != &m->part[0])
		return;
	m->sent = now;
	l->st.messages_sent++;
	if (l->stopping)
		m->expired = 1;		/* the receipts are given up on */
	else if (l->cfg.receipts) {
		TAILQ_INSERT_TAIL(&l->live, m, live);
		m->in_live = 1;
		load_expire_arm(l);
	}
}

/* ---- message ids ---- */

/* Lower case, leading zeros gone ("0" stays), at most LOAD_ID_MAX. */
static void
load_id_canon(const char *in, size_t len, char *out)
{
	size_t i = 0, n = 0;

	len = strnlen(in, len);
	while (i + 1 < len && in[i] == '0')
		i++;
	for (; i < len && n < LOAD_ID_MAX; i++)
		out[n++] = (char)(in[i] >= 'A' && in[i] <= 'Z' ?
		    in[i] - 'A' + 'a' : in[i]);
	out[n] = '\0';
}

/*
 * The same number written in the other base: decimal digits read and
 * written in hex (to_hex), or hex digits read and written in decimal.
 * 0 when id is not such a number (or overflows 64 bits).
 */
static int
load_id_rebase(const char *id, int to_hex, char *out, size_t cap)
{
	unsigned base = to_hex ? 10 : 16;
	uint64_t v = 0;
	unsigned d;
	const char *p;

	if (*id == '\0')
		return 0;
	for (p = id; *p != '\0'; p++) {
		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (!to_hex && *p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else
			return 0;
		if (v > (UINT64_MAX - d) / base)
			return 0;
		v = v * base + d;
	}
	snprintf(out, cap, to_hex ? "%" PRIx64 : "%" PRIu64, v);
	return strcmp(out, id) != 0;
}

static struct load_part *
load_ids_get(struct load *l, char *key)
{
	struct load_part find;

	find.id = key;
	find.hash = hash_str(HASH_FNV_OFFSET, key);
	return RB_FIND(load_ids, &l->ids, &find);
}

/*
 * The part awaiting a receipt for key (canonical), the first of those
 * given the same id; *converted is set when it took the other base.
 */
static struct load_part *
load_ids_find(struct load *l, char *key, int *converted)
{
	char other[LOAD_ID_MAX + 1];
	struct load_part *p;
	int to_hex;

	*converted = 0;
	if ((p = load_ids_get(l, key)) != NULL)
		return p;
	for (to_hex = 1; to_hex >= 0; to_hex--) {
		if (!load_id_rebase(key, to_hex, other, sizeof other) ||
		    (p = load_ids_get(l, other)) == NULL)
			continue;
		if (smpp_receipt_id_match(p->id, strlen(p->id), key,
		    strlen(key), SMPP_ID_HEX_DEC | SMPP_ID_DEC_HEX) ==
		    SMPP_ID_DIFFERENT)
			continue;
		*converted = 1;
		return p;
	}
	return NULL;
}

static void
load_ids_insert(struct load *l, struct load_part *p)
{
	struct load_part *head, *q;

	p->same = NULL;
	if ((head = RB_INSERT(load_ids, &l->ids, p)) == NULL)
		return;
	for (q = head; q->same != NULL; q = q->same)
		;
	q->same = p;
}

/* Takes p out of the tree (or out of its head's chain). */
static void
load_ids_remove(struct load *l, struct load_part *p)
{
	struct load_part *head = RB_FIND(load_ids, &l->ids, p), *q;

	if (head == p) {
		RB_REMOVE(load_ids, &l->ids, p);
		if (p->same != NULL)
			RB_INSERT(load_ids, &l->ids, p->same);
	} else if (head != NULL) {
		for (q = head; q->same != NULL && q->same != p; q = q->same)
			;
		if (q->same == p)
			q->same = p->same;
	}
	p->same = NULL;
}

static void
load_part_set_id(struct load_part *p, const char *key)
{
	size_t n = strlen(key) + 1;

	p->id = n <= sizeof p->idbuf ? p->idbuf : xmalloc(n);
	memcpy(p->id, key, n);
	p->hash = hash_str(HASH_FNV_OFFSET, key);
}

/* ---- receipts ---- */

static struct load_early *
load_early_get(struct load *l, const char *key)
{
	struct load_early find;

	snprintf(find.id, sizeof find.id, "%s", key);
	return RB_FIND(load_earlies, &l->early, &find);
}

static void
load_early_drop(struct load *l, struct load_early *e)
{
	RB_REMOVE(load_earlies, &l->early, e);
	TAILQ_REMOVE(&l->early_order, e, order);
	free(e);
}

/* A receipt for an id we do not know yet: it may be ahead of its
 * submit_sm_resp. Kept for receipt_timeout. */
static void
load_early_add(struct load *l, const char *key, int64_t now)
{
	struct load_early *e;

	if (!l->cfg.receipts || l->finishing) {
		log_debug("load receipt-unmatched id=%s", key);
		l->st.receipts_unmatched++;
		return;
	}
	e = xmalloc(sizeof *e);
	snprintf(e->id, sizeof e->id, "%s", key);
	e->at = now;
	if (RB_INSERT(load_earlies, &l->early, e) != NULL) {
		free(e);			/* a second one: no use */
		log_debug("load receipt-unmatched id=%s", key);
		l->st.receipts_unmatched++;
		return;
	}
	TAILQ_INSERT_TAIL(&l->early_order, e, order);
	load_expire_arm(l);
}

/* The early receipt for an accepted part's id, in either base. */
static struct load_early *
load_early_find(struct load *l, const char *key, int *converted)
{
	char other[LOAD_ID_MAX + 1];
	struct load_early *e;
	int to_hex;

	*converted = 0;
	if (RB_EMPTY(&l->early))
		return NULL;
	if ((e = load_early_get(l, key)) != NULL)
		return e;
	for (to_hex = 1; to_hex >= 0; to_hex--) {
		if (load_id_rebase(key, to_hex, other, sizeof other) &&
		    (e = load_early_get(l, other)) != NULL) {
			*converted = 1;
			return e;
		}
	}
	return NULL;
}

static void
load_receipt_matched(struct load *l, struct load_part *p, int64_t at,
    int converted)
{
	l->st.receipts_matched++;
	l->st.receipts_converted += converted != 0;
	histogram_add(&l->st.receipt_latency, at - p->sent);
	load_part_done(l, p);
}

/*
 * The receipted id and message_state: the TLVs when present (no text to
 * parse), else what the Appendix B text says. *state is -1 when unknown.
 */
static void
load_receipt_fields(const struct smpp_pdu *req, char *id, int *state)
{
	const struct smpp_tlv *t;
	struct smpp_receipt r;
	const uint8_t *text;
	size_t len;

	id[0] = '\0';
	*state = -1;
	if ((t = smpp_pdu_find_tlv(req, SMPP_TLV_receipted_message_id)) != NULL)
		load_id_canon((const char *)smpp_tlv_value(req, t), t->length,
		    id);
	if ((t = smpp_pdu_find_tlv(req, SMPP_TLV_message_state)) != NULL)
		*state = (int)t->num;
	if (id[0] != '\0' && *state >= 0)
		return;
	if ((t = smpp_pdu_find_tlv(req, SMPP_TLV_message_payload)) != NULL) {
		text = smpp_tlv_value(req, t);
		len = t->length;
	} else if (req->command_id == SMPP_CMD_deliver_sm) {
		text = req->u.deliver_sm.short_message;
		len = req->u.deliver_sm.sm_length;
	} else
		return;
	if (smpp_receipt_parse((const char *)text, len, &r) != SMPP_RECEIPT_OK)
		return;
	if (id[0] == '\0')
		load_id_canon(r.id, sizeof r.id, id);
	if (*state < 0)
		*state = r.state;
}

void
load_receipt(struct load *l, const struct smpp_pdu *req, uint8_t esm_class)
{
	char key[LOAD_ID_MAX + 1];
	int64_t now = clock_now(l->clock);
	struct load_part *p;
	int state, converted;

	load_receipt_fields(req, key, &state);
	l->st.receipts++;
	l->st.last_receipt = now;
	l->st.receipts_by_state[state >= SMPP_STATE_ENROUTE &&
	    state <= SMPP_STATE_REJECTED ? state : 0]++;
	if (state == SMPP_STATE_ENROUTE || (esm_class & SMPP_ESM_TYPE_MASK) ==
	    SMPP_ESM_TYPE_INTERMEDIATE) {
		l->st.receipts_intermediate++;
		return;
	}
	if (key[0] == '\0') {
		l->st.receipts_unmatched++;
		return;
	}
	if ((p = load_ids_find(l, key, &converted)) == NULL) {
		load_early_add(l, key, now);
		return;
	}
	load_ids_remove(l, p);
	load_receipt_matched(l, p, now, converted);
}

/* ---- responses ---- */

static void
load_count_status(struct load_stats *st, uint32_t status)
{
	size_t i;

	for (i = 0; i < st->nstatus; i++)
		if (st->status[i].status == status) {
			st->status[i].count++;
			return;
		}
	if (st->nstatus == LOAD_MAX_STATUSES) {
		st->status_other++;
		return;
	}
	st->status[st->nstatus].status = status;
	st->status[st->nstatus++].count = 1;
}

/* An ESME_ROK: the part now awaits its receipt, or has it already. */
static void
load_accepted(struct load *l, struct load_part *p, const char *message_id)
{
	struct load_msg *m = p->msg;
	char key[LOAD_ID_MAX + 1];
	struct load_early *e;
	int64_t at;
	int converted;

	l->st.parts_accepted++;
	if (++m->nok == l->msg.info.parts)
		l->st.messages_accepted++;
	if (!l->cfg.receipts) {
		load_part_done(l, p);
		return;
	}
	l->st.receipts_expected++;
	if (m->expired) {
		l->st.receipts_missing++;
		load_part_done(l, p);
		return;
	}
	load_id_canon(message_id, LOAD_ID_MAX + 1, key);
	if ((e = load_early_find(l, key, &converted)) != NULL) {
		/* Dropped first: the match may end the run, which frees
		 * every early receipt. */
		at = e->at;
		load_early_drop(l, e);
		l->st.receipts_early++;
		load_receipt_matched(l, p, at, converted);
		return;
	}
	load_part_set_id(p, key);
	p->state = LOAD_PART_WAITING;
	load_ids_insert(l, p);
}

void
load_response(struct smpp_session *s, const struct smpp_pdu *resp,
    enum smpp_session_failure fail, void *arg)
{
	struct load_part *p = arg;
	struct load_session *ls = smpp_session_arg(s);
	struct load *l = ls->load;
	int64_t now = clock_now(l->clock);

	l->outstanding--;
	if (resp == NULL) {
		l->st.no_response++;
		load_part_done(l, p);
		return;
	}
	l->st.responses++;
	l->st.last_response = now;
	histogram_add(&l->st.response_latency, now - p->sent);
	load_count_status(&l->st, resp->command_status);
	if (fail == SMPP_FAIL_NACK)
		l->st.generic_nacks++;
	if (fail != SMPP_FAIL_NONE || resp->command_status != SMPP_ESME_ROK)
		load_part_done(l, p);
	else
		load_accepted(l, p, resp->u.submit_sm_resp.message_id);
}

/* ---- receipt deadlines ---- */

/* Gives up on m's receipts; parts still unanswered learn it later. */
void
load_msg_expire(struct load *l, struct load_msg *m)
{
	struct load_part *p;
	unsigned k;

	TAILQ_REMOVE(&l->live, m, live);
	m->in_live = 0;
	m->expired = 1;
	for (k = 0; k < m->nparts; k++) {
		p = &m->part[k];
		if (p->state != LOAD_PART_WAITING)
			continue;
		load_ids_remove(l, p);
		load_part_id_free(p);
		p->state = LOAD_PART_DONE;
		l->st.receipts_missing++;
		m->ndone++;
	}
	if (m->nparts > 0 && m->ndone == m->nparts)
		load_msg_end(l, m);
}

void
load_expire_arm(struct load *l)
{
	struct load_msg *m = TAILQ_FIRST(&l->live);
	struct load_early *e = TAILQ_FIRST(&l->early_order);
	int64_t at = INT64_MAX;

	if (clock_timer_pending(l->t_expire) || l->finishing)
		return;
	if (m != NULL)
		at = m->sent;
	if (e != NULL && e->at < at)
		at = e->at;
	if (at != INT64_MAX)
		clock_timer_add(l->t_expire, at + l->cfg.receipt_timeout -
		    clock_now(l->clock));
}

void
load_expire_fire(struct clock_timer *t, void *arg)
{
	struct load *l = arg;
	int64_t limit = clock_now(l->clock) - l->cfg.receipt_timeout;
	struct load_early *e;
	struct load_msg *m;

	(void)t;
	while ((e = TAILQ_FIRST(&l->early_order)) != NULL && e->at <= limit) {
		log_debug("load receipt-unmatched id=%s", e->id);
		l->st.receipts_unmatched++;
		load_early_drop(l, e);
	}
	while ((m = TAILQ_FIRST(&l->live)) != NULL && m->sent <= limit)
		load_msg_expire(l, m);
	load_expire_arm(l);
}

/*
 * The session cannot go on with its message: the parts not sent stay
 * unsent (a message not begun on the wire just goes back to the pool).
 */
void
load_msg_abandon(struct load *l, struct load_session *ls)
{
	struct load_msg *m = ls->cur;

	ls->cur = NULL;
	if (ls->next_part > 0)
		l->st.parts_unsent += m->nparts - ls->next_part;
	m->nparts = ls->next_part;
	if (m->ndone == m->nparts)
		load_msg_end(l, m);
}

/* ---- the end ---- */

/* Receipts still held for an id never seen are unmatched after all. */
void
load_early_flush(struct load *l)
{
	struct load_early *e;

	while ((e = TAILQ_FIRST(&l->early_order)) != NULL) {
		log_debug("load receipt-unmatched id=%s", e->id);
		l->st.receipts_unmatched++;
		load_early_drop(l, e);
	}
}

void
load_track_release(struct load *l)
{
	struct load_part *p, *q;
	size_t c;

	while ((p = RB_MIN(load_ids, &l->ids)) != NULL) {
		RB_REMOVE(load_ids, &l->ids, p);
		for (; p != NULL; p = q) {
			q = p->same;
			load_part_id_free(p);
		}
	}
	load_early_flush(l);
	for (c = 0; c < l->nchunks; c++)
		free(l->chunks[c]);
	free(l->chunks);
	l->chunks = NULL;
	l->nchunks = 0;
}
