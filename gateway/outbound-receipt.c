/*
 * Receipts: the index of accepted parts by the id their submit_sm_resp
 * gave, and the deliver_sm (or data_sm) receipts looked up in it.
 *
 * Carriers name a message in its receipt in another form than in the
 * submit response more often than one would hope: hex there and decimal
 * here, upper case, leading zeros (smpp-facts 5.3). So each accepted id
 * is indexed three ways, each a red-black tree, O(log n) per receipt:
 *   - under its string folded to lower case (the exact string wins over
 *     one that differs only in case);
 *   - when it reads as a decimal number, under that number (base DEC);
 *   - when it reads as a hex number, under that number (base HEX).
 * A receipt's id is tried in the order of enum gw_ob_match: the same
 * string, the string ignoring case, the same number in the same base
 * (decimal, then hex: leading zeros and case do not count), then the
 * same number across bases (submit hex and receipt decimal, then the
 * reverse). The first rule that finds a part decides, so an ambiguity
 * ("10" accepted, "16" accepted, a receipt for "10") is resolved in
 * favour of the exact string; among parts equal under one rule the
 * oldest wins. The rule used is logged at debug and counted.
 *
 * Except once a route has shown its habit: a carrier that answers in
 * decimal and writes receipts in hex (or the reverse) makes that
 * ambiguity the rule, not the exception -- its receipt "10" is for
 * accepted id 16, not 10. After GW_OB_LEARN_CROSS receipts matched only
 * across bases, and more of them than matched a telling same-base rule,
 * the route tries that cross-base rule first.
 *
 * A receipt may come before the response that gives its id (a
 * receipt-first SMSC, or only another session's bytes read first): it is
 * held and tried again at each response (struct gw_ob_early). While
 * submits are unanswered, a cross-base rule the route has not shown is
 * not trusted: under load, decimal "16" before its response would be
 * taken by the accepted hex "10" of another message.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "gateway/outbound-internal.h"
#include "smpp/receipt.h"
#include "smpp/smpp.h"

static const char *const gw_ob_match_names[] = {
#define GW_OB_MATCH_NAME(name, text)	text,
	GW_OB_MATCHES(GW_OB_MATCH_NAME)
#undef GW_OB_MATCH_NAME
};

const char *
gw_ob_match_name(enum gw_ob_match m)
{
	if ((unsigned)m >= GW_OB_MATCH_COUNT)
		return "unknown";
	return gw_ob_match_names[m];
}

static int
gw_ob_strkey_cmp(struct gw_ob_strkey *a, struct gw_ob_strkey *b)
{
	int c = strcmp(a->folded, b->folded);

	if (c != 0)
		return c;
	return a->serial < b->serial ? -1 : a->serial > b->serial;
}

static int
gw_ob_numkey_cmp(struct gw_ob_numkey *a, struct gw_ob_numkey *b)
{
	if (a->value != b->value)
		return a->value < b->value ? -1 : 1;
	if (a->base != b->base)
		return a->base < b->base ? -1 : 1;
	return a->serial < b->serial ? -1 : a->serial > b->serial;
}

TREE_GENERATE_STATIC(gw_ob_strs, gw_ob_strkey, entry, gw_ob_strkey_cmp)
TREE_GENERATE_STATIC(gw_ob_nums, gw_ob_numkey, entry, gw_ob_numkey_cmp)

/* The number s reads as in base 10 or 16: 1, or 0 when it is none (a
 * character outside the base, empty, or above 64 bits). */
static int
gw_ob_id_number(const char *s, unsigned base, uint64_t *v)
{
	unsigned d;

	*v = 0;
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && isxdigit((unsigned char)*s))
			d = (unsigned)(tolower((unsigned char)*s) - 'a' + 10);
		else
			return 0;
		if (*v > (UINT64_MAX - d) / base)
			return 0;
		*v = *v * base + d;
	}
	return 1;
}

static char *
gw_ob_fold(const char *s)
{
	char *f = xstrdup(s), *p;

	for (p = f; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return f;
}

void
gw_ob_index_add(struct gw_outbound *ob, struct gw_ob_msg *om, size_t k)
{
	struct gw_ob_part *p = &om->parts[k];
	const char *id = om->m->parts[k].smsc_id;
	uint64_t serial = ++ob->serial;

	gw_ob_index_del(ob, om, k);
	p->str.msg = p->dec.msg = p->hex.msg = om;
	p->str.part = p->dec.part = p->hex.part = k;
	p->str.serial = p->dec.serial = p->hex.serial = serial;
	p->str.folded = gw_ob_fold(id);
	RB_INSERT(gw_ob_strs, &ob->strs, &p->str);
	p->dec.base = GW_OB_BASE_DEC;
	if ((p->has_dec = gw_ob_id_number(id, 10, &p->dec.value)))
		RB_INSERT(gw_ob_nums, &ob->nums, &p->dec);
	p->hex.base = GW_OB_BASE_HEX;
	if ((p->has_hex = gw_ob_id_number(id, 16, &p->hex.value)))
		RB_INSERT(gw_ob_nums, &ob->nums, &p->hex);
	p->indexed = 1;
}

void
gw_ob_index_del(struct gw_outbound *ob, struct gw_ob_msg *om, size_t k)
{
	struct gw_ob_part *p = &om->parts[k];

	if (!p->indexed)
		return;
	RB_REMOVE(gw_ob_strs, &ob->strs, &p->str);
	free(p->str.folded);
	p->str.folded = NULL;
	if (p->has_dec)
		RB_REMOVE(gw_ob_nums, &ob->nums, &p->dec);
	if (p->has_hex)
		RB_REMOVE(gw_ob_nums, &ob->nums, &p->hex);
	p->indexed = p->has_dec = p->has_hex = 0;
}

/* The oldest part under (value, base), or NULL. */
static struct gw_ob_numkey *
gw_ob_nums_find(struct gw_outbound *ob, uint64_t value, enum gw_ob_base base)
{
	struct gw_ob_numkey find, *n;

	find.value = value;
	find.base = base;
	find.serial = 0;
	n = RB_NFIND(gw_ob_nums, &ob->nums, &find);
	return n != NULL && n->value == value && n->base == base ? n : NULL;
}

/* The part whose id is id, else one that differs only in case. */
static struct gw_ob_strkey *
gw_ob_strs_find(struct gw_outbound *ob, const char *id,
    enum gw_ob_match *how)
{
	struct gw_ob_strkey find, *first, *n;

	find.folded = gw_ob_fold(id);
	find.serial = 0;
	first = RB_NFIND(gw_ob_strs, &ob->strs, &find);
	for (n = first; n != NULL && strcmp(n->folded, find.folded) == 0;
	    n = RB_NEXT(gw_ob_strs, &ob->strs, n)) {
		if (strcmp(n->msg->m->parts[n->part].smsc_id, id) == 0) {
			*how = GW_OB_MATCH_SAME;
			free(find.folded);
			return n;
		}
	}
	if (first != NULL && strcmp(first->folded, find.folded) != 0)
		first = NULL;
	free(find.folded);
	*how = GW_OB_MATCH_CASE;
	return first;
}

/*
 * The cross-base rule the route has shown, or GW_OB_MATCH_COUNT. Every
 * receipt that matched within its base counts against it, the exact
 * string first: a route whose ids agree is not taught otherwise by a
 * few receipts that came before their responses.
 */
static enum gw_ob_match
gw_ob_learned(const struct gw_outbound *ob)
{
	uint64_t same = ob->matched[GW_OB_MATCH_SAME] +
	    ob->matched[GW_OB_MATCH_CASE] + ob->matched[GW_OB_MATCH_DEC_DEC] +
	    ob->matched[GW_OB_MATCH_HEX_HEX];
	enum gw_ob_match m = ob->matched[GW_OB_MATCH_DEC_HEX] >=
	    ob->matched[GW_OB_MATCH_HEX_DEC] ? GW_OB_MATCH_DEC_HEX :
	    GW_OB_MATCH_HEX_DEC;

	if (ob->matched[m] >= GW_OB_LEARN_CROSS && ob->matched[m] > same)
		return m;
	return GW_OB_MATCH_COUNT;
}

struct gw_ob_msg *
gw_ob_index_find(struct gw_outbound *ob, const char *id, size_t *part,
    enum gw_ob_match *how)
{
	static const struct {
		unsigned		 receipt_base;
		enum gw_ob_base		 accepted;
		enum gw_ob_match	 how;
	} numeric[] = {
		{ 10, GW_OB_BASE_DEC, GW_OB_MATCH_DEC_DEC },
		{ 16, GW_OB_BASE_HEX, GW_OB_MATCH_HEX_HEX },
		{ 10, GW_OB_BASE_HEX, GW_OB_MATCH_HEX_DEC },
		{ 16, GW_OB_BASE_DEC, GW_OB_MATCH_DEC_HEX },
	};
	struct gw_ob_strkey *sk;
	struct gw_ob_numkey *nk;
	enum gw_ob_match learned = gw_ob_learned(ob);
	uint64_t v;
	size_t i;

	for (i = 0; learned != GW_OB_MATCH_COUNT &&
	    i < sizeof numeric / sizeof numeric[0]; i++) {
		if (numeric[i].how != learned ||
		    !gw_ob_id_number(id, numeric[i].receipt_base, &v) ||
		    (nk = gw_ob_nums_find(ob, v, numeric[i].accepted)) == NULL)
			continue;
		*how = learned;
		*part = nk->part;
		return nk->msg;
	}
	if ((sk = gw_ob_strs_find(ob, id, how)) != NULL) {
		*part = sk->part;
		return sk->msg;
	}
	for (i = 0; i < sizeof numeric / sizeof numeric[0]; i++) {
		if (!gw_ob_id_number(id, numeric[i].receipt_base, &v) ||
		    (nk = gw_ob_nums_find(ob, v, numeric[i].accepted)) == NULL)
			continue;
		*how = numeric[i].how;
		*part = nk->part;
		return nk->msg;
	}
	return NULL;
}

/* ---- receipts ---- */

int
gw_ob_is_receipt(const struct smpp_pdu *req)
{
	uint8_t esm = req->command_id == SMPP_CMD_data_sm ?
	    req->u.data_sm.esm_class : req->u.deliver_sm.esm_class;

	esm &= SMPP_ESM_TYPE_MASK;
	return esm == SMPP_ESM_TYPE_RECEIPT ||
	    esm == SMPP_ESM_TYPE_INTERMEDIATE ||
	    smpp_pdu_find_tlv(req, SMPP_TLV_receipted_message_id) != NULL;
}

/* The receipt text: message_payload, else short_message. */
static int
gw_ob_receipt_text(const struct smpp_pdu *req, struct smpp_receipt *r)
{
	const struct smpp_tlv *t;

	if ((t = smpp_pdu_find_tlv(req, SMPP_TLV_message_payload)) != NULL)
		return smpp_receipt_parse((const char *)smpp_tlv_value(req, t),
		    t->length, r) == SMPP_RECEIPT_OK;
	if (req->command_id == SMPP_CMD_deliver_sm)
		return smpp_receipt_parse(
		    (const char *)req->u.deliver_sm.short_message,
		    req->u.deliver_sm.sm_length, r) == SMPP_RECEIPT_OK;
	return 0;
}

/*
 * The receipt's fields: id and stat from the TLVs when present (what
 * the text says otherwise), err and done date from the text, the
 * network_error_code from its TLV.
 */
static void
gw_ob_receipt_fields(const struct smpp_pdu *req, char *id, size_t idcap,
    struct gw_receipt *rc)
{
	const struct smpp_tlv *t;
	const uint8_t *v;
	struct smpp_receipt r;
	const char *word;
	int text = gw_ob_receipt_text(req, &r);

	memset(rc, 0, sizeof *rc);
	rc->network_type = rc->network_code = -1;
	id[0] = '\0';
	if ((t = smpp_pdu_find_tlv(req, SMPP_TLV_receipted_message_id)) != NULL)
		snprintf(id, idcap, "%.*s", (int)t->length,
		    (const char *)smpp_tlv_value(req, t));
	else if (text)
		snprintf(id, idcap, "%s", r.id);
	if ((t = smpp_pdu_find_tlv(req, SMPP_TLV_message_state)) != NULL &&
	    (word = smpp_receipt_stat_word((enum smpp_receipt_stat)t->num)) !=
	    NULL)
		strlcpy(rc->stat, word, sizeof rc->stat);
	else if (text && r.stat[0] != '\0')
		strlcpy(rc->stat, r.stat, sizeof rc->stat);
	else
		strlcpy(rc->stat, "UNKNOWN", sizeof rc->stat);
	if (text) {
		strlcpy(rc->err, r.err, sizeof rc->err);
		strlcpy(rc->done_raw, r.done_date.digits, sizeof rc->done_raw);
		rc->done_at = r.done_date.valid ? r.done_date.usec : 0;
	}
	if ((t = smpp_pdu_find_tlv(req, SMPP_TLV_network_error_code)) != NULL &&
	    t->length == 3) {
		v = smpp_tlv_value(req, t);
		rc->network_type = v[0];
		rc->network_code = (v[1] << 8) | v[2];
	}
}

static void
gw_ob_receipt_unmatched(struct gw_outbound *ob, const char *id,
    const char *stat)
{
	ob->receipts_unmatched++;
	ob->gw->metrics.receipts_unmatched++;
	log_info("%s receipt-unmatched id=\"%s\" stat=%s", ob->route->name,
	    id, stat);
}

/*
 * Applies a receipt to the part its id names; 0 when none matches, or
 * when only a cross-base rule the route has not shown does and guessing
 * is not allowed yet.
 */
static int
gw_ob_receipt_apply(struct gw_outbound *ob, const char *id,
    const struct gw_receipt *rc, int guess)
{
	struct gw_ob_msg *om;
	enum gw_ob_match how;
	size_t k;
	int status;

	if (id[0] == '\0' || (om = gw_ob_index_find(ob, id, &k, &how)) == NULL)
		return 0;
	if (!guess && (how == GW_OB_MATCH_HEX_DEC ||
	    how == GW_OB_MATCH_DEC_HEX) && how != gw_ob_learned(ob))
		return 0;
	ob->matched[how]++;
	log_debug("%s receipt id=\"%s\" sid=%s part=%zu smsc_id=\"%s\" "
	    "match=%s stat=%s err=%s", ob->route->name, id, om->sid, k,
	    om->m->parts[k].smsc_id, gw_ob_match_name(how), rc->stat, rc->err);
	gw_errmap_receipt(ob->route, rc, &status);
	if (status != -1) {
		/* Final: the part leaves the index before the lifecycle,
		 * which may end (and free) the message. */
		if (om->parts[k].submitted_at != 0)	/* not recovered */
			histogram_add(ob->receipt_latency,
			    clock_now(ob->gw->clock) -
			    om->parts[k].submitted_at);
		gw_ob_index_del(ob, om, k);
	}
	gw_lifecycle_receipt(ob->gw, om->m, k, rc);
	return 1;
}

/* Held receipts past their time (or beyond the cap) are unmatched. */
static void
gw_ob_early_expire(struct gw_outbound *ob)
{
	struct gw_ob_early *e;
	int64_t now = clock_now(ob->gw->clock);

	while ((e = TAILQ_FIRST(&ob->early)) != NULL &&
	    (now - e->at >= GW_OB_EARLY_TTL || ob->nearly > GW_OB_EARLY_MAX)) {
		TAILQ_REMOVE(&ob->early, e, entry);
		ob->nearly--;
		if (gw_ob_receipt_apply(ob, e->id, &e->rc, 1))
			ob->early_matched++;
		else
			gw_ob_receipt_unmatched(ob, e->id, e->rc.stat);
		free(e);
	}
	if ((e = TAILQ_FIRST(&ob->early)) != NULL)
		clock_timer_add(ob->t_early, e->at + GW_OB_EARLY_TTL - now);
}

static void
gw_ob_early_timer(struct clock_timer *t, void *arg)
{
	(void)t;
	gw_ob_early_expire(arg);
}

void
gw_ob_early_init(struct gw_outbound *ob)
{
	TAILQ_INIT(&ob->early);
	ob->t_early = clock_timer_new(ob->gw->clock, gw_ob_early_timer, ob);
}

void
gw_ob_early_free(struct gw_outbound *ob)
{
	struct gw_ob_early *e;

	while ((e = TAILQ_FIRST(&ob->early)) != NULL) {
		TAILQ_REMOVE(&ob->early, e, entry);
		free(e);
	}
	ob->nearly = 0;
	clock_timer_free(ob->t_early);
	ob->t_early = NULL;
}

static void
gw_ob_early_hold(struct gw_outbound *ob, const char *id,
    const struct gw_receipt *rc)
{
	struct gw_ob_early *e = xcalloc(1, sizeof *e);

	strlcpy(e->id, id, sizeof e->id);
	e->rc = *rc;
	e->at = clock_now(ob->gw->clock);
	e->resp_mark = ob->responses;
	e->wait = ob->in_flight;
	TAILQ_INSERT_TAIL(&ob->early, e, entry);
	ob->nearly++;
	log_debug("%s receipt-early id=\"%s\" stat=%s held=%zu",
	    ob->route->name, id, rc->stat, ob->nearly);
	gw_ob_early_expire(ob);
}

void
gw_ob_early_match(struct gw_outbound *ob)
{
	struct gw_ob_early *e, *next;

	/* Usually empty; short when a carrier answers receipt-first. */
	TAILQ_FOREACH_SAFE(e, &ob->early, entry, next) {
		if (!gw_ob_receipt_apply(ob, e->id, &e->rc, ob->in_flight == 0 ||
		    ob->responses - e->resp_mark >= e->wait))
			continue;
		TAILQ_REMOVE(&ob->early, e, entry);
		ob->nearly--;
		ob->early_matched++;
		free(e);
	}
}

void
gw_ob_receipt(struct gw_outbound *ob, const struct smpp_pdu *req)
{
	char id[SMPP_RECEIPT_ID_MAX + 1];
	struct gw_receipt rc;

	gw_ob_receipt_fields(req, id, sizeof id, &rc);
	if (gw_ob_receipt_apply(ob, id, &rc, ob->in_flight == 0))
		return;
	/* Its submit_sm_resp may still be on the way. */
	if (id[0] != '\0' && ob->in_flight > 0) {
		gw_ob_early_hold(ob, id, &rc);
		return;
	}
	gw_ob_receipt_unmatched(ob, id, rc.stat);
}
