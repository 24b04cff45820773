/*
 * Segmentation, UDH parsing and reassembly of concatenated messages.
 */
#include "config.h"

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smpp/segment.h"
#include "smpp/text.h"

#define GSM_ESC		0x1b

#define IEI_CONCAT8	0x00
#define IEI_PORT8	0x04
#define IEI_PORT16	0x05
#define IEI_CONCAT16	0x08

static const char *const segment_status_names[] = {
#define SEGMENT_STATUS_NAME(name, text) [SMPP_SEGMENT_##name] = text,
	SMPP_SEGMENT_STATUS_TABLE(SEGMENT_STATUS_NAME)
#undef SEGMENT_STATUS_NAME
};

static const char *const reasm_status_names[] = {
#define REASM_STATUS_NAME(name, text) [SMPP_REASM_##name] = text,
	SMPP_REASM_STATUS_TABLE(REASM_STATUS_NAME)
#undef REASM_STATUS_NAME
};

const char *
smpp_segment_status_name(enum smpp_segment_status st)
{
	if ((size_t)st >= sizeof(segment_status_names) /
	    sizeof(segment_status_names[0]) || segment_status_names[st] == NULL)
		return "unknown status";
	return segment_status_names[st];
}

const char *
smpp_reasm_status_name(enum smpp_reasm_status st)
{
	if ((size_t)st >= sizeof(reasm_status_names) /
	    sizeof(reasm_status_names[0]) || reasm_status_names[st] == NULL)
		return "unknown status";
	return reasm_status_names[st];
}

enum smpp_segment_unit
smpp_segment_unit_for(uint8_t data_coding)
{
	switch (smpp_text_charset(data_coding)) {
	case SMPP_CHARSET_GSM:
		return SMPP_UNIT_SEPTET;
	case SMPP_CHARSET_UCS2:
		return SMPP_UNIT_UCS2;
	default:
		return SMPP_UNIT_OCTET;
	}
}

/* Units per SMS: single, 6-octet UDH part, 7-octet UDH part. */
static const size_t segment_limits[3][3] = {
	[SMPP_UNIT_SEPTET] =	{ 160, 153, 152 },
	[SMPP_UNIT_OCTET] =	{ 140, 134, 133 },
	[SMPP_UNIT_UCS2] =	{ 70, 67, 66 },
};

/*
 * Octets of the indivisible unit at body[i]: an ESC pair, a surrogate
 * pair, or one unit. A trailing ESC or an unpaired surrogate stands alone.
 */
static size_t
segment_atom(const uint8_t *body, size_t len, size_t i,
    enum smpp_segment_unit unit)
{
	switch (unit) {
	case SMPP_UNIT_SEPTET:
		return body[i] == GSM_ESC && len - i >= 2 ? 2 : 1;
	case SMPP_UNIT_UCS2:
		if (len - i >= 4 && (body[i] & 0xfc) == 0xd8 &&
		    (body[i + 2] & 0xfc) == 0xdc)
			return 4;
		return 2;
	default:
		return 1;
	}
}

static void
segment_write_udh(struct smpp_segment_part *p, enum smpp_segment_method m)
{
	uint8_t	*u = p->udh;

	if (m == SMPP_SPLIT_UDH8) {
		u[0] = 5;
		u[1] = IEI_CONCAT8;
		u[2] = 3;
		u[3] = (uint8_t)p->ref;
		u[4] = p->total;
		u[5] = p->seq;
		p->udh_len = 6;
	} else if (m == SMPP_SPLIT_UDH16) {
		u[0] = 6;
		u[1] = IEI_CONCAT16;
		u[2] = 4;
		u[3] = (uint8_t)(p->ref >> 8);
		u[4] = (uint8_t)p->ref;
		u[5] = p->total;
		u[6] = p->seq;
		p->udh_len = 7;
	}
}

/*
 * Walks the body in parts of at most per_part units and returns the part
 * count. When parts is not NULL, fills the first min(count, cap)
 * descriptors with total (which the caller learned from a counting walk)
 * and their UDH.
 */
static size_t
segment_walk(const uint8_t *body, size_t len, enum smpp_segment_unit unit,
    enum smpp_segment_method method, size_t per_part, uint16_t ref,
    size_t total, struct smpp_segment_part *parts, size_t cap)
{
	size_t	unit_octets = unit == SMPP_UNIT_UCS2 ? 2 : 1;
	size_t	i = 0, start = 0, used = 0, count = 0, atom, atom_units;
	struct smpp_segment_part *p;

	while (i <= len) {
		atom = i < len ? segment_atom(body, len, i, unit) : 0;
		atom_units = atom / unit_octets;
		if (i == len || used + atom_units > per_part) {
			if (parts != NULL && count < cap) {
				p = &parts[count];
				memset(p, 0, sizeof(*p));
				p->seq = (uint8_t)(count + 1);
				p->total = (uint8_t)total;
				p->ref = method == SMPP_SPLIT_UDH8 ?
				    (uint16_t)(ref & 0xff) : ref;
				p->offset = start;
				p->length = i - start;
				p->units = used;
				segment_write_udh(p, method);
			}
			count++;
			start = i;
			used = 0;
			if (i == len)
				break;
		}
		used += atom_units;
		i += atom;
	}
	return count;
}

static enum smpp_segment_status
segment_check_body(const uint8_t *body, size_t len,
    enum smpp_segment_unit unit)
{
	size_t	i;

	if (unit == SMPP_UNIT_UCS2 && len % 2 != 0)
		return SMPP_SEGMENT_BAD_INPUT;
	if (unit == SMPP_UNIT_SEPTET) {
		for (i = 0; i < len; i++)
			if (body[i] > 0x7f)
				return SMPP_SEGMENT_BAD_INPUT;
	}
	return SMPP_SEGMENT_OK;
}

enum smpp_segment_status
smpp_segment_split(const uint8_t *body, size_t len,
    enum smpp_segment_unit unit, enum smpp_segment_method method,
    uint16_t ref, struct smpp_segment_part *parts, size_t cap,
    size_t *nparts)
{
	enum smpp_segment_status st;
	size_t	unit_octets = unit == SMPP_UNIT_UCS2 ? 2 : 1;
	size_t	count, per_part;

	*nparts = 0;
	if ((st = segment_check_body(body, len, unit)) != SMPP_SEGMENT_OK)
		return st;
	if (method == SMPP_SPLIT_PAYLOAD && len > SMPP_PAYLOAD_MAX)
		return SMPP_SEGMENT_TOO_LONG;
	if (method == SMPP_SPLIT_PAYLOAD ||
	    len / unit_octets <= segment_limits[unit][0]) {
		/* One part, no UDH: a walk with an unreachable limit. */
		per_part = SIZE_MAX;
		method = SMPP_SPLIT_SAR;
	} else if (method == SMPP_SPLIT_UDH16)
		per_part = segment_limits[unit][2];
	else
		per_part = segment_limits[unit][1];

	count = segment_walk(body, len, unit, method, per_part, ref, 0,
	    NULL, 0);
	*nparts = count;
	if (count > SMPP_SEGMENT_MAX_PARTS)
		return SMPP_SEGMENT_TOO_MANY_PARTS;
	if (parts == NULL)
		return SMPP_SEGMENT_OK;
	segment_walk(body, len, unit, method, per_part, ref, count, parts,
	    cap);
	if (count > cap)
		return SMPP_SEGMENT_NO_ROOM;
	return SMPP_SEGMENT_OK;
}

/* Applies one concatenation or port IE; the last occurrence wins. */
static void
udh_apply_ie(struct smpp_udh *udh, uint8_t iei, const uint8_t *d,
    uint8_t iedl)
{
	switch (iei) {
	case IEI_CONCAT8:
	case IEI_CONCAT16:
		udh->concat = 0;
		udh->concat_invalid = 1;
		if (iedl != (iei == IEI_CONCAT8 ? 3 : 4))
			break;
		if (iei == IEI_CONCAT8)
			udh->ref = d[0];
		else
			udh->ref = (uint16_t)(d[0] << 8 | d[1]);
		udh->ref16 = iei == IEI_CONCAT16;
		udh->total = d[iedl - 2];
		udh->seq = d[iedl - 1];
		if (udh->total == 0 || udh->seq == 0 || udh->seq > udh->total)
			break;
		udh->concat = 1;
		udh->concat_invalid = 0;
		break;
	case IEI_PORT8:
	case IEI_PORT16:
		udh->ports = 0;
		udh->ports_invalid = 1;
		if (iedl != (iei == IEI_PORT8 ? 2 : 4))
			break;
		if (iei == IEI_PORT8) {
			udh->dest_port = d[0];
			udh->orig_port = d[1];
		} else {
			udh->dest_port = (uint16_t)(d[0] << 8 | d[1]);
			udh->orig_port = (uint16_t)(d[2] << 8 | d[3]);
		}
		udh->ports = iei == IEI_PORT8 ? 8 : 16;
		udh->ports_invalid = 0;
		break;
	default:
		break;
	}
}

enum smpp_segment_status
smpp_udh_parse(const uint8_t *sm, size_t len, struct smpp_udh *udh)
{
	size_t	end, i;
	uint8_t	iei, iedl;

	memset(udh, 0, sizeof(*udh));
	if (len < 1 || (size_t)sm[0] + 1 > len)
		return SMPP_SEGMENT_UDH_TRUNCATED;
	end = (size_t)sm[0] + 1;
	udh->length = end;
	udh->fill_bits = smpp_gsm_fill_bits(end);
	udh->septets = (8 * end + udh->fill_bits) / 7;
	for (i = 1; i < end; i += 2 + (size_t)iedl) {
		if (end - i < 2)
			return SMPP_SEGMENT_UDH_BAD_IE;
		iei = sm[i];
		iedl = sm[i + 1];
		if (iedl > end - i - 2)
			return SMPP_SEGMENT_UDH_BAD_IE;
		udh_apply_ie(udh, iei, sm + i + 2, iedl);
		udh->ie_count++;
	}
	return SMPP_SEGMENT_OK;
}

static int
reasm_has(const struct smpp_reasm *r, unsigned int seq)
{
	return (r->present[seq >> 3] >> (seq & 7)) & 1;
}

void
smpp_reasm_init(struct smpp_reasm *r, uint8_t *buf, size_t cap)
{
	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->cap = buf == NULL ? 0 : cap;
}

enum smpp_reasm_status
smpp_reasm_add(struct smpp_reasm *r, uint8_t seq, uint8_t total,
    const uint8_t *data, size_t len)
{
	if (seq == 0 || total == 0)
		return SMPP_REASM_OUT_OF_RANGE;
	if (r->total != 0 && total != r->total)
		return SMPP_REASM_TOTAL_MISMATCH;
	if (seq > total)
		return SMPP_REASM_OUT_OF_RANGE;
	if (reasm_has(r, seq)) {
		if (r->part[seq - 1].length == len && (len == 0 ||
		    memcmp(r->buf + r->part[seq - 1].offset, data, len) == 0))
			return SMPP_REASM_DUPLICATE;
		return SMPP_REASM_CONFLICT;
	}
	if (len > r->cap - r->used || r->used + len > UINT32_MAX)
		return SMPP_REASM_NO_ROOM;
	if (len > 0)
		memcpy(r->buf + r->used, data, len);
	r->part[seq - 1].offset = (uint32_t)r->used;
	r->part[seq - 1].length = (uint32_t)len;
	r->used += len;
	r->total = total;
	r->count++;
	r->present[seq >> 3] |= (uint8_t)(1u << (seq & 7));
	return SMPP_REASM_OK;
}

int
smpp_reasm_complete(const struct smpp_reasm *r)
{
	return r->total != 0 && r->count == r->total;
}

size_t
smpp_reasm_missing(const struct smpp_reasm *r, uint8_t *seqs, size_t cap)
{
	unsigned int	seq;
	size_t		n = 0;

	for (seq = 1; seq <= r->total; seq++) {
		if (reasm_has(r, seq))
			continue;
		if (n < cap)
			seqs[n] = (uint8_t)seq;
		n++;
	}
	return n;
}

size_t
smpp_reasm_length(const struct smpp_reasm *r)
{
	return r->used;
}

enum smpp_reasm_status
smpp_reasm_concat(const struct smpp_reasm *r, uint8_t *out, size_t cap,
    size_t *outlen)
{
	size_t		o = 0;
	unsigned int	i;

	*outlen = 0;
	if (!smpp_reasm_complete(r))
		return SMPP_REASM_INCOMPLETE;
	if (r->used > cap)
		return SMPP_REASM_NO_ROOM;
	for (i = 0; i < r->total; i++) {
		if (r->part[i].length > 0)
			memcpy(out + o, r->buf + r->part[i].offset,
			    r->part[i].length);
		o += r->part[i].length;
	}
	*outlen = o;
	return SMPP_REASM_OK;
}

/* The multi-message table. */

struct reasm_entry {
	LIST_ENTRY(reasm_entry)	 hash_link;
	TAILQ_ENTRY(reasm_entry) age_link;
	uint64_t		 touched;
	uint16_t		 ref;
	const char		*destination;	/* points into key[] */
	struct smpp_reasm	 r;		/* r.buf is malloc'd */
	char			 key[];		/* source NUL destination NUL */
};

LIST_HEAD(reasm_bucket, reasm_entry);
TAILQ_HEAD(reasm_age, reasm_entry);

struct smpp_reasm_table {
	struct reasm_bucket	*buckets;
	size_t			 nbuckets;	/* a power of two */
	struct reasm_age	 age;		/* least recently added first */
	size_t			 count;
	size_t			 max_messages;
	size_t			 max_octets;
};

/* FNV-1a over both addresses (with their NULs) and the reference. */
static uint32_t
reasm_hash(const char *source, const char *destination, uint16_t ref)
{
	uint32_t	h = 2166136261u;
	const char	*s;

	for (s = source; ; s++) {
		h = (h ^ (uint8_t)*s) * 16777619u;
		if (*s == '\0')
			break;
	}
	for (s = destination; ; s++) {
		h = (h ^ (uint8_t)*s) * 16777619u;
		if (*s == '\0')
			break;
	}
	h = (h ^ (ref >> 8)) * 16777619u;
	h = (h ^ (ref & 0xff)) * 16777619u;
	return h;
}

static struct reasm_entry *
reasm_lookup(const struct smpp_reasm_table *t, const char *source,
    const char *destination, uint16_t ref, uint32_t h)
{
	struct reasm_entry	*e;

	LIST_FOREACH(e, &t->buckets[h & (t->nbuckets - 1)], hash_link) {
		if (e->ref == ref &&
		    strcmp(e->key, source) == 0 &&
		    strcmp(e->destination, destination) == 0)
			return e;
	}
	return NULL;
}

static void
reasm_entry_free(struct smpp_reasm_table *t, struct reasm_entry *e)
{
	LIST_REMOVE(e, hash_link);
	TAILQ_REMOVE(&t->age, e, age_link);
	t->count--;
	free(e->r.buf);
	free(e);
}

enum smpp_reasm_status
smpp_reasm_table_create(struct smpp_reasm_table **tp, size_t max_messages,
    size_t max_message_octets)
{
	struct smpp_reasm_table	*t;
	size_t			 n = 16, i;

	*tp = NULL;
	while (n < max_messages && n < ((size_t)1 << 20))
		n <<= 1;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return SMPP_REASM_NO_MEMORY;
	if ((t->buckets = calloc(n, sizeof(*t->buckets))) == NULL) {
		free(t);
		return SMPP_REASM_NO_MEMORY;
	}
	for (i = 0; i < n; i++)
		LIST_INIT(&t->buckets[i]);
	t->nbuckets = n;
	TAILQ_INIT(&t->age);
	t->max_messages = max_messages;
	t->max_octets = max_message_octets;
	*tp = t;
	return SMPP_REASM_OK;
}

void
smpp_reasm_table_free(struct smpp_reasm_table *t)
{
	if (t == NULL)
		return;
	while (!TAILQ_EMPTY(&t->age))
		reasm_entry_free(t, TAILQ_FIRST(&t->age));
	free(t->buckets);
	free(t);
}

size_t
smpp_reasm_table_count(const struct smpp_reasm_table *t)
{
	return t->count;
}

static struct reasm_entry *
reasm_entry_new(struct smpp_reasm_table *t, const char *source,
    const char *destination, uint16_t ref, uint32_t h)
{
	struct reasm_entry	*e;
	size_t			 slen = strlen(source);
	size_t			 dlen = strlen(destination);

	if ((e = malloc(sizeof(*e) + slen + dlen + 2)) == NULL)
		return NULL;
	memset(e, 0, sizeof(*e));
	memcpy(e->key, source, slen + 1);
	memcpy(e->key + slen + 1, destination, dlen + 1);
	e->destination = e->key + slen + 1;
	e->ref = ref;
	smpp_reasm_init(&e->r, NULL, 0);
	LIST_INSERT_HEAD(&t->buckets[h & (t->nbuckets - 1)], e, hash_link);
	TAILQ_INSERT_TAIL(&t->age, e, age_link);
	t->count++;
	return e;
}

/*
 * Makes room in e's buffer for len more octets, up to the table's limit.
 * The first allocation guesses total parts of this part's size.
 */
static enum smpp_reasm_status
reasm_entry_grow(struct smpp_reasm_table *t, struct reasm_entry *e,
    size_t len, uint8_t total)
{
	struct smpp_reasm	*r = &e->r;
	size_t			 need, ncap;
	uint8_t			*nbuf;

	if (len > t->max_octets || r->used > t->max_octets - len)
		return SMPP_REASM_NO_ROOM;
	need = r->used + len;
	if (r->cap == 0)
		ncap = len <= t->max_octets / total ? len * total :
		    t->max_octets;
	else
		ncap = r->cap <= t->max_octets / 2 ? r->cap * 2 :
		    t->max_octets;
	if (ncap < need)
		ncap = need;
	if ((nbuf = realloc(r->buf, ncap)) == NULL)
		return SMPP_REASM_NO_MEMORY;
	r->buf = nbuf;
	r->cap = ncap;
	return SMPP_REASM_OK;
}

enum smpp_reasm_status
smpp_reasm_table_add(struct smpp_reasm_table *t, const char *source,
    const char *destination, uint16_t ref, uint8_t seq, uint8_t total,
    const uint8_t *data, size_t len, uint64_t now,
    const struct smpp_reasm **msg)
{
	enum smpp_reasm_status	 st;
	struct reasm_entry	*e;
	uint32_t		 h = reasm_hash(source, destination, ref);
	int			 created = 0;

	if (msg != NULL)
		*msg = NULL;
	if ((e = reasm_lookup(t, source, destination, ref, h)) == NULL) {
		if (seq == 0 || total == 0 || seq > total)
			return SMPP_REASM_OUT_OF_RANGE;
		if (t->count >= t->max_messages)
			return SMPP_REASM_TABLE_FULL;
		if ((e = reasm_entry_new(t, source, destination, ref,
		    h)) == NULL)
			return SMPP_REASM_NO_MEMORY;
		created = 1;
	}
	st = smpp_reasm_add(&e->r, seq, total, data, len);
	if (st == SMPP_REASM_NO_ROOM &&
	    (st = reasm_entry_grow(t, e, len, total)) == SMPP_REASM_OK)
		st = smpp_reasm_add(&e->r, seq, total, data, len);
	if (st != SMPP_REASM_OK && created) {
		reasm_entry_free(t, e);
		return st;
	}
	if (st == SMPP_REASM_OK) {
		e->touched = now;
		TAILQ_REMOVE(&t->age, e, age_link);
		TAILQ_INSERT_TAIL(&t->age, e, age_link);
	}
	if (msg != NULL)
		*msg = &e->r;
	return st;
}

const struct smpp_reasm *
smpp_reasm_table_find(const struct smpp_reasm_table *t, const char *source,
    const char *destination, uint16_t ref)
{
	struct reasm_entry	*e;

	e = reasm_lookup(t, source, destination, ref,
	    reasm_hash(source, destination, ref));
	return e == NULL ? NULL : &e->r;
}

enum smpp_reasm_status
smpp_reasm_table_take(struct smpp_reasm_table *t, const char *source,
    const char *destination, uint16_t ref, uint8_t *out, size_t cap,
    size_t *outlen)
{
	enum smpp_reasm_status	 st;
	struct reasm_entry	*e;

	*outlen = 0;
	e = reasm_lookup(t, source, destination, ref,
	    reasm_hash(source, destination, ref));
	if (e == NULL)
		return SMPP_REASM_NOT_FOUND;
	if ((st = smpp_reasm_concat(&e->r, out, cap, outlen)) != SMPP_REASM_OK)
		return st;
	reasm_entry_free(t, e);
	return SMPP_REASM_OK;
}

enum smpp_reasm_status
smpp_reasm_table_remove(struct smpp_reasm_table *t, const char *source,
    const char *destination, uint16_t ref)
{
	struct reasm_entry	*e;

	e = reasm_lookup(t, source, destination, ref,
	    reasm_hash(source, destination, ref));
	if (e == NULL)
		return SMPP_REASM_NOT_FOUND;
	reasm_entry_free(t, e);
	return SMPP_REASM_OK;
}

size_t
smpp_reasm_table_expire(struct smpp_reasm_table *t, uint64_t before,
    smpp_reasm_expire_cb *fn, void *arg)
{
	struct reasm_entry	*e;
	size_t			 n = 0;

	while ((e = TAILQ_FIRST(&t->age)) != NULL && e->touched < before) {
		if (fn != NULL)
			fn(e->key, e->destination, e->ref, &e->r, arg);
		reasm_entry_free(t, e);
		n++;
	}
	return n;
}
