#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "smpp/timefmt.h"
#include "smpp/receipt.h"

#define RECEIPT_SHOWN_MAX	20	/* characters of a bad value shown */

static const char *const receipt_field_names[] = {
#define RECEIPT_FIELD_NAME(tag, name)	[SMPP_RECEIPT_FIELD_##tag] = name,
	SMPP_RECEIPT_FIELDS(RECEIPT_FIELD_NAME)
#undef RECEIPT_FIELD_NAME
};

static const struct {
	const char		*word;
	enum smpp_receipt_stat	 state;
} receipt_stats[] = {
#define RECEIPT_STAT_ROW(word, state) { #word, SMPP_RECEIPT_STAT_##word },
	SMPP_RECEIPT_STATS(RECEIPT_STAT_ROW)
#undef RECEIPT_STAT_ROW
};
#define RECEIPT_NSTATS	(sizeof(receipt_stats) / sizeof(receipt_stats[0]))

/*
 * Field names as they may appear. A dated name is followed by "date",
 * joined by nothing, one '_' or blanks.
 */
#define RECEIPT_LABEL(name, field, dated) \
	{ name, sizeof(name) - 1, SMPP_RECEIPT_FIELD_##field, dated }
static const struct {
	const char		*name;
	size_t			 len;
	enum smpp_receipt_field	 field;
	int			 dated;
} receipt_labels[] = {
	RECEIPT_LABEL("id", ID, 0),
	RECEIPT_LABEL("sub", SUB, 0),
	RECEIPT_LABEL("dlvrd", DLVRD, 0),
	RECEIPT_LABEL("submit", SUBMIT_DATE, 1),
	RECEIPT_LABEL("done", DONE_DATE, 1),
	RECEIPT_LABEL("stat", STAT, 0),
	RECEIPT_LABEL("err", ERR, 0),
	RECEIPT_LABEL("text", TEXT, 0),
};
#undef RECEIPT_LABEL
#define RECEIPT_NLABELS	\
	(sizeof(receipt_labels) / sizeof(receipt_labels[0]))

const char *
smpp_receipt_field_name(enum smpp_receipt_field field)
{
	if ((unsigned)field >= SMPP_RECEIPT_FIELD_COUNT)
		return "unknown";
	return receipt_field_names[field];
}

const char *
smpp_receipt_stat_word(enum smpp_receipt_stat state)
{
	size_t	i;

	for (i = 0; i < RECEIPT_NSTATS; i++)
		if (receipt_stats[i].state == state)
			return receipt_stats[i].word;
	return NULL;
}

static int
receipt_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	    c == '\v' || c == '\f';
}

static char
receipt_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* ASCII comparison without case of n bytes; 1 if equal. */
static int
receipt_same_nocase(const char *a, const char *b, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (receipt_lower(a[i]) != receipt_lower(b[i]))
			return 0;
	return 1;
}

static int
receipt_all_digits(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int
receipt_has_space(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (receipt_space(s[i]))
			return 1;
	return 0;
}

/* Length of the text: up to len, or up to a NUL inside it. */
static size_t
receipt_textlen(const char *s, size_t len)
{
	const char	*nul;

	if (s == NULL)
		return 0;
	nul = memchr(s, '\0', len);
	return nul != NULL ? (size_t)(nul - s) : len;
}

enum smpp_receipt_stat
smpp_receipt_stat_state(const char *word, size_t len)
{
	size_t	i;

	len = receipt_textlen(word, len);
	for (i = 0; i < RECEIPT_NSTATS; i++)
		if (strlen(receipt_stats[i].word) == len &&
		    receipt_same_nocase(word, receipt_stats[i].word, len))
			return receipt_stats[i].state;
	return SMPP_RECEIPT_STAT_UNRECOGNISED;
}

/* Copies up to cap - 1 bytes and a NUL; returns 1 if v was cut. */
static int
receipt_copy(char *dst, size_t cap, const char *v, size_t n)
{
	int	cut = n > cap - 1;

	if (cut)
		n = cap - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
	return cut;
}

/* A value fit to be quoted in a reason: printable, bounded. */
static void
receipt_quote(char *out, size_t cap, const char *v, size_t n)
{
	size_t	i;

	if (n > RECEIPT_SHOWN_MAX)
		n = RECEIPT_SHOWN_MAX;
	for (i = 0; i < n && i + 1 < cap; i++)
		out[i] = (v[i] >= 0x20 && v[i] < 0x7f) ? v[i] : '?';
	out[i] = '\0';
}

static void receipt_problem(struct smpp_receipt *, enum smpp_receipt_field,
    enum smpp_receipt_problem_kind, const char *, ...)
    __attribute__((format(printf, 4, 5)));

/* Records a problem: always its field's bit, the entry while room lasts. */
static void
receipt_problem(struct smpp_receipt *r, enum smpp_receipt_field field,
    enum smpp_receipt_problem_kind kind, const char *fmt, ...)
{
	struct smpp_receipt_problem	*p;
	va_list				 ap;
	size_t				 n = 0;

	r->problem_fields |= 1u << field;
	if (r->nproblems >= SMPP_RECEIPT_PROBLEMS_MAX)
		return;
	p = &r->problems[r->nproblems++];
	p->field = field;
	p->kind = kind;
	if (field != SMPP_RECEIPT_FIELD_OTHER)
		n = (size_t)snprintf(p->reason, sizeof(p->reason), "%s: ",
		    smpp_receipt_field_name(field));
	va_start(ap, fmt);
	vsnprintf(p->reason + n, sizeof(p->reason) - n, fmt, ap);
	va_end(ap);
}

/*
 * Whether a field name starts at s[i]; if so, *field is set and *value is
 * where its value starts, just past the ':'.
 */
static int
receipt_label(const char *s, size_t len, size_t i,
    enum smpp_receipt_field *field, size_t *value)
{
	size_t	k, j, n;
	char	c = receipt_lower(s[i]);

	for (k = 0; k < RECEIPT_NLABELS; k++) {
		n = receipt_labels[k].len;
		if (c != receipt_labels[k].name[0] || len - i < n ||
		    !receipt_same_nocase(s + i, receipt_labels[k].name, n))
			continue;
		j = i + n;
		if (receipt_labels[k].dated) {
			if (j < len && s[j] == '_')
				j++;
			else
				while (j < len && (s[j] == ' ' || s[j] == '\t'))
					j++;
			if (len - j < 4 ||
			    !receipt_same_nocase(s + j, "date", 4))
				continue;
			j += 4;
		}
		if (j < len && s[j] == ':') {
			*field = receipt_labels[k].field;
			*value = j + 1;
			return 1;
		}
	}
	return 0;
}

static void
receipt_take_date(struct smpp_receipt *r, enum smpp_receipt_field f,
    struct smpp_receipt_date *d, const char *v, size_t n)
{
	struct smpp_time_error	err;
	char			shown[RECEIPT_SHOWN_MAX + 1];
	size_t			i;

	receipt_copy(d->digits, sizeof(d->digits), v, n);
	if (n == 0) {
		receipt_problem(r, f, SMPP_RECEIPT_PROBLEM_EMPTY, "empty");
		return;
	}
	if (!receipt_all_digits(v, n)) {
		receipt_quote(shown, sizeof(shown), v, n);
		receipt_problem(r, f, SMPP_RECEIPT_PROBLEM_NOT_DECIMAL,
		    "'%s' not decimal", shown);
		return;
	}
	for (i = 0; i < n && v[i] == '0'; i++)
		;
	if (i == n)
		return;		/* all zeros: "unknown", not a mistake */
	if (n != 10 && n != 12 && n != 14) {
		receipt_problem(r, f, SMPP_RECEIPT_PROBLEM_LENGTH,
		    "%zu digits", n);
		return;
	}
	if (smpp_time_parse_digits(v, n, &d->usec, &err) == -1) {
		receipt_problem(r, f, SMPP_RECEIPT_PROBLEM_DATE, "%s",
		    err.reason);
		return;
	}
	d->valid = 1;
}

/*
 * Keeps a word-like value (id, sub, dlvrd, stat, err) and reports what
 * is wrong with it: one problem per field, the most telling.
 */
static void
receipt_take_word(struct smpp_receipt *r, enum smpp_receipt_field f,
    char *dst, size_t cap, const char *v, size_t n)
{
	char	shown[RECEIPT_SHOWN_MAX + 1];
	int	cut;

	cut = receipt_copy(dst, cap, v, n);
	if (f == SMPP_RECEIPT_FIELD_STAT)
		r->state = smpp_receipt_stat_state(v, n);
	if (n == 0)
		receipt_problem(r, f, SMPP_RECEIPT_PROBLEM_EMPTY, "empty");
	else if ((f == SMPP_RECEIPT_FIELD_SUB ||
	    f == SMPP_RECEIPT_FIELD_DLVRD) && !receipt_all_digits(v, n)) {
		receipt_quote(shown, sizeof(shown), v, n);
		receipt_problem(r, f, SMPP_RECEIPT_PROBLEM_NOT_DECIMAL,
		    "'%s' not decimal", shown);
	} else if (cut)
		receipt_problem(r, f, SMPP_RECEIPT_PROBLEM_CUT,
		    "longer than %zu, cut", cap - 1);
	else if (f == SMPP_RECEIPT_FIELD_STAT &&
	    r->state == SMPP_RECEIPT_STAT_UNRECOGNISED) {
		receipt_quote(shown, sizeof(shown), v, n);
		receipt_problem(r, f, SMPP_RECEIPT_PROBLEM_WORD,
		    "unknown word %s", shown);
	}
	else if (f != SMPP_RECEIPT_FIELD_ID && f != SMPP_RECEIPT_FIELD_STAT &&
	    n > 3)
		receipt_problem(r, f, SMPP_RECEIPT_PROBLEM_LENGTH,
		    "longer than 3");
}

/* The rest of the input, less line ends, which a cut may also expose. */
static void
receipt_take_text(struct smpp_receipt *r, const char *v, size_t n)
{
	while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n'))
		n--;
	if (receipt_copy(r->text, sizeof(r->text), v, n)) {
		receipt_problem(r, SMPP_RECEIPT_FIELD_TEXT,
		    SMPP_RECEIPT_PROBLEM_CUT, "longer than %zu, cut",
		    sizeof(r->text) - 1);
		n = strlen(r->text);
		while (n > 0 && (r->text[n - 1] == '\r' ||
		    r->text[n - 1] == '\n'))
			r->text[--n] = '\0';
	}
}

static void
receipt_take(struct smpp_receipt *r, enum smpp_receipt_field f,
    const char *v, size_t n)
{
	if (r->present & (1u << f)) {
		receipt_problem(r, f, SMPP_RECEIPT_PROBLEM_TWICE,
		    "given twice, first kept");
		return;
	}
	r->present |= 1u << f;
	switch (f) {
	case SMPP_RECEIPT_FIELD_ID:
		receipt_take_word(r, f, r->id, sizeof(r->id), v, n);
		break;
	case SMPP_RECEIPT_FIELD_SUB:
		receipt_take_word(r, f, r->sub, sizeof(r->sub), v, n);
		break;
	case SMPP_RECEIPT_FIELD_DLVRD:
		receipt_take_word(r, f, r->dlvrd, sizeof(r->dlvrd), v, n);
		break;
	case SMPP_RECEIPT_FIELD_SUBMIT_DATE:
		receipt_take_date(r, f, &r->submit_date, v, n);
		break;
	case SMPP_RECEIPT_FIELD_DONE_DATE:
		receipt_take_date(r, f, &r->done_date, v, n);
		break;
	case SMPP_RECEIPT_FIELD_STAT:
		receipt_take_word(r, f, r->stat, sizeof(r->stat), v, n);
		break;
	case SMPP_RECEIPT_FIELD_ERR:
		receipt_take_word(r, f, r->err, sizeof(r->err), v, n);
		break;
	case SMPP_RECEIPT_FIELD_TEXT:
		receipt_take_text(r, v, n);
		break;
	default:
		break;
	}
}

/* A token that is no known field: name it if it looks like one. */
static void
receipt_stray(struct smpp_receipt *r, const char *v, size_t n)
{
	char		 shown[RECEIPT_SHOWN_MAX + 1];
	const char	*colon = memchr(v, ':', n);

	if (colon != NULL && colon > v) {
		receipt_quote(shown, sizeof(shown), v, (size_t)(colon - v));
		receipt_problem(r, SMPP_RECEIPT_FIELD_OTHER,
		    SMPP_RECEIPT_PROBLEM_STRAY, "unknown field '%s'", shown);
	} else {
		receipt_quote(shown, sizeof(shown), v, n);
		receipt_problem(r, SMPP_RECEIPT_FIELD_OTHER,
		    SMPP_RECEIPT_PROBLEM_STRAY, "unexpected text '%s'", shown);
	}
}

enum smpp_receipt_result
smpp_receipt_parse(const char *s, size_t len, struct smpp_receipt *r)
{
	enum smpp_receipt_field	field;
	size_t			i = 0, start, end;

	memset(r, 0, sizeof(*r));
	r->state = SMPP_RECEIPT_STAT_UNRECOGNISED;
	len = receipt_textlen(s, len);

	while (i < len) {
		if (receipt_space(s[i])) {
			i++;
			continue;
		}
		if (!receipt_label(s, len, i, &field, &start)) {
			end = i;
			while (end < len && !receipt_space(s[end]))
				end++;
			receipt_stray(r, s + i, end - i);
			i = end;
			continue;
		}
		if (field == SMPP_RECEIPT_FIELD_TEXT) {
			receipt_take(r, field, s + start, len - start);
			break;
		}
		for (end = start; end < len && !receipt_space(s[end]); end++)
			;
		receipt_take(r, field, s + start, end - start);
		i = end;
	}
	return r->present != 0 ? SMPP_RECEIPT_OK : SMPP_RECEIPT_NOT_RECEIPT;
}

/* Appends to a caller's buffer, remembering when it ran out of room. */
struct receipt_writer {
	char	*buf;
	size_t	 cap;
	size_t	 len;
	int	 full;
};

static void
receipt_put(struct receipt_writer *w, const char *s, size_t n)
{
	if (w->full || w->cap - w->len <= n) {
		w->full = 1;
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void
receipt_puts(struct receipt_writer *w, const char *s)
{
	receipt_put(w, s, strlen(s));
}

/* Starts a field: the separating blank and the label. */
static void
receipt_put_label(struct receipt_writer *w, const char *label)
{
	if (w->len > 0)
		receipt_puts(w, " ");
	receipt_puts(w, label);
}

/* A word value: NUL-terminated in its array, free of white space. */
static int
receipt_put_word(struct receipt_writer *w, const char *label,
    const char *v, size_t cap, const char *fallback)
{
	size_t	n = strnlen(v, cap);

	if (n == 0) {
		if (fallback == NULL)
			return -1;
		v = fallback;
		n = strlen(fallback);
	}
	if (receipt_has_space(v, n))
		return -1;
	receipt_put_label(w, label);
	receipt_put(w, v, n);
	return 0;
}

static int
receipt_put_date(struct receipt_writer *w,
    const struct smpp_receipt_format *fmt, const char *name,
    const struct smpp_receipt_date *d, int digits)
{
	static const char	*const sep[] = {
		[SMPP_RECEIPT_DATE_LABEL_SPACE] = " ",
		[SMPP_RECEIPT_DATE_LABEL_UNDERSCORE] = "_",
		[SMPP_RECEIPT_DATE_LABEL_JOINED] = "",
	};
	char			 value[SMPP_RECEIPT_DATE_MAX + 1];
	size_t			 n;

	if ((unsigned)fmt->date_label >= sizeof(sep) / sizeof(sep[0]))
		return -1;
	if (d->valid) {
		if (smpp_time_format_digits(d->usec, digits, value,
		    sizeof(value)) == -1)
			return -1;
	} else if ((n = strnlen(d->digits, sizeof(d->digits))) > 0) {
		if (n == sizeof(d->digits) || receipt_has_space(d->digits, n))
			return -1;
		memcpy(value, d->digits, n + 1);
	} else {
		memset(value, '0', (size_t)digits);
		value[digits] = '\0';
	}
	if (w->len > 0)
		receipt_puts(w, " ");
	receipt_puts(w, name);
	receipt_puts(w, sep[fmt->date_label]);
	receipt_puts(w, "date:");
	receipt_puts(w, value);
	return 0;
}

/* The first chars UTF-8 characters of text (continuation bytes ride along). */
static void
receipt_put_text(struct receipt_writer *w, const char *label,
    const char *text, size_t cap, int chars)
{
	size_t	n = strnlen(text, cap), end;
	int	seen = 0;

	for (end = 0; end < n; end++) {
		if (((unsigned char)text[end] & 0xc0) == 0x80)
			continue;
		if (seen++ == chars)
			break;
	}
	receipt_put_label(w, label);
	receipt_put(w, text, end);
}

static int
receipt_build_fields(struct receipt_writer *w, const struct smpp_receipt *r,
    const struct smpp_receipt_format *fmt)
{
	const char	*stat = smpp_receipt_stat_word(r->state);
	int		 digits = fmt->date_digits ? fmt->date_digits : 10;
	unsigned	 omit = fmt->omit;

	if (digits != 10 && digits != 12 && digits != 14)
		return -1;
	if (!(omit & 1u << SMPP_RECEIPT_FIELD_ID) &&
	    receipt_put_word(w, "id:", r->id, sizeof(r->id), NULL) == -1)
		return -1;
	if (!(omit & 1u << SMPP_RECEIPT_FIELD_SUB) &&
	    receipt_put_word(w, "sub:", r->sub, sizeof(r->sub), "001") == -1)
		return -1;
	if (!(omit & 1u << SMPP_RECEIPT_FIELD_DLVRD) &&
	    receipt_put_word(w, "dlvrd:", r->dlvrd, sizeof(r->dlvrd),
	    "001") == -1)
		return -1;
	if (!(omit & 1u << SMPP_RECEIPT_FIELD_SUBMIT_DATE) &&
	    receipt_put_date(w, fmt, "submit", &r->submit_date, digits) == -1)
		return -1;
	if (!(omit & 1u << SMPP_RECEIPT_FIELD_DONE_DATE) &&
	    receipt_put_date(w, fmt, "done", &r->done_date, digits) == -1)
		return -1;
	if (!(omit & 1u << SMPP_RECEIPT_FIELD_STAT) &&
	    receipt_put_word(w, "stat:", r->stat, sizeof(r->stat), stat) == -1)
		return -1;
	if (!(omit & 1u << SMPP_RECEIPT_FIELD_ERR) &&
	    receipt_put_word(w, "err:", r->err, sizeof(r->err), "000") == -1)
		return -1;
	if (!(omit & 1u << SMPP_RECEIPT_FIELD_TEXT))
		receipt_put_text(w, fmt->capital_text ? "Text:" : "text:",
		    r->text, sizeof(r->text), fmt->text_chars < 1 ?
		    SMPP_RECEIPT_TEXT_CHARS : fmt->text_chars);
	return 0;
}

enum smpp_receipt_result
smpp_receipt_build(const struct smpp_receipt *r,
    const struct smpp_receipt_format *fmt, char *out, size_t cap,
    size_t *outlen)
{
	static const struct smpp_receipt_format	 zero;
	struct receipt_writer			 w = { out, cap, 0, 0 };
	enum smpp_receipt_result		 rv = SMPP_RECEIPT_OK;

	if (outlen != NULL)
		*outlen = 0;
	if (cap == 0)
		return SMPP_RECEIPT_NO_SPACE;
	out[0] = '\0';
	if (fmt == NULL)
		fmt = &zero;
	if (receipt_build_fields(&w, r, fmt) == -1)
		rv = SMPP_RECEIPT_BAD_FIELD;
	else if (w.full)
		rv = SMPP_RECEIPT_NO_SPACE;
	if (rv != SMPP_RECEIPT_OK) {
		out[0] = '\0';
		return rv;
	}
	if (outlen != NULL)
		*outlen = w.len;
	return SMPP_RECEIPT_OK;
}

/* Reads s as an unsigned number in base 10 or 16; -1 if it is none. */
static int
receipt_id_number(const char *s, size_t n, unsigned base, uint64_t *value)
{
	uint64_t	v = 0;
	unsigned	d;
	size_t		i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		char c = receipt_lower(s[i]);

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else
			return -1;
		if (v > (UINT64_MAX - d) / base)
			return -1;
		v = v * base + d;
	}
	*value = v;
	return 0;
}

/* Whether a in base_a and b in base_b are the same number. */
static int
receipt_id_same_number(const char *a, size_t alen, unsigned base_a,
    const char *b, size_t blen, unsigned base_b)
{
	uint64_t	x, y;

	return receipt_id_number(a, alen, base_a, &x) == 0 &&
	    receipt_id_number(b, blen, base_b, &y) == 0 && x == y;
}

enum smpp_id_match
smpp_receipt_id_match(const char *a, size_t alen, const char *b, size_t blen,
    unsigned rules)
{
	alen = receipt_textlen(a, alen);
	blen = receipt_textlen(b, blen);
	if (alen == 0 || blen == 0)
		return SMPP_ID_DIFFERENT;
	if (alen == blen && memcmp(a, b, alen) == 0)
		return SMPP_ID_SAME;
	if ((rules & SMPP_ID_CASE) && alen == blen &&
	    receipt_same_nocase(a, b, alen))
		return SMPP_ID_CASE;
	if ((rules & SMPP_ID_DEC_DEC) &&
	    receipt_id_same_number(a, alen, 10, b, blen, 10))
		return SMPP_ID_DEC_DEC;
	if ((rules & SMPP_ID_HEX_HEX) &&
	    receipt_id_same_number(a, alen, 16, b, blen, 16))
		return SMPP_ID_HEX_HEX;
	if ((rules & SMPP_ID_HEX_DEC) &&
	    receipt_id_same_number(a, alen, 16, b, blen, 10))
		return SMPP_ID_HEX_DEC;
	if ((rules & SMPP_ID_DEC_HEX) &&
	    receipt_id_same_number(a, alen, 10, b, blen, 16))
		return SMPP_ID_DEC_HEX;
	return SMPP_ID_DIFFERENT;
}
