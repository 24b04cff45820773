/*
 * Finding a key path in the scenario's source text, so that an error about
 * a value ("must be between 0 and 1") carries the line and column of that
 * value as a syntax error does. jansson keeps no positions, so we scan the
 * text again; it has already parsed, so the scan trusts its shape and only
 * needs to stay inside the buffer.
 */
#include "config.h"

#include <string.h>

#include "scenarios/scenario-internal.h"

struct scan {
	const char	*s;
	size_t		 len;
	size_t		 pos;
};

static void
scan_ws(struct scan *t)
{
	while (t->pos < t->len && strchr(" \t\r\n", t->s[t->pos]) != NULL &&
	    t->s[t->pos] != '\0')
		t->pos++;
}

/* Past the string that starts at pos (on its opening quote). */
static void
scan_string(struct scan *t)
{
	for (t->pos++; t->pos < t->len; t->pos++) {
		if (t->s[t->pos] == '\\')
			t->pos++;
		else if (t->s[t->pos] == '"') {
			t->pos++;
			return;
		}
	}
}

/* Past one value, containers included, without recursion. */
static void
scan_value(struct scan *t)
{
	size_t depth = 0;

	while (t->pos < t->len) {
		char ch = t->s[t->pos];

		if (ch == '"')
			scan_string(t);
		else if (ch == '{' || ch == '[') {
			depth++;
			t->pos++;
		} else if (ch == '}' || ch == ']') {
			if (depth == 0)
				return;		/* the end of our container */
			depth--;
			t->pos++;
		} else if (ch == ',' && depth == 0)
			return;
		else
			t->pos++;
		if (depth == 0 && (ch == '"' || ch == '}' || ch == ']'))
			return;
	}
}

/*
 * Does the string at pos spell key? Escapes are compared as the character
 * they stand for only when simple; keys that need \u escapes are rare and
 * merely lose their position.
 */
static int
scan_key_is(const struct scan *t, const char *key)
{
	size_t	p = t->pos + 1, klen = strlen(key), i = 0;

	for (; p < t->len && t->s[p] != '"'; p++, i++) {
		char ch = t->s[p];

		if (ch == '\\' && p + 1 < t->len)
			ch = t->s[++p];
		if (i >= klen || key[i] != ch)
			return 0;
	}
	return i == klen;
}

/* Moves to the member key of the object at pos; 0 if found. */
static int
scan_member(struct scan *t, const char *key)
{
	t->pos++;			/* '{' */
	for (;;) {
		scan_ws(t);
		if (t->pos >= t->len || t->s[t->pos] != '"')
			return -1;
		if (scan_key_is(t, key))
			return 0;
		scan_string(t);
		scan_ws(t);
		t->pos++;		/* ':' */
		scan_ws(t);
		scan_value(t);
		scan_ws(t);
		if (t->pos >= t->len || t->s[t->pos] != ',')
			return -1;
		t->pos++;
	}
}

/* Moves to element index of the array at pos; 0 if found. */
static int
scan_element(struct scan *t, size_t index)
{
	size_t i;

	t->pos++;			/* '[' */
	for (i = 0;; i++) {
		scan_ws(t);
		if (t->pos >= t->len || t->s[t->pos] == ']')
			return -1;
		if (i == index)
			return 0;
		scan_value(t);
		scan_ws(t);
		if (t->pos >= t->len || t->s[t->pos] != ',')
			return -1;
		t->pos++;
	}
}

/*
 * One step down the path from the value at pos. A member's position is
 * its key, so "unknown key" points at the key; the walk then goes on to
 * the value. On a miss pos stays at the deepest part found.
 */
static int
scan_step(struct scan *t, const struct scn_seg *seg, int last)
{
	size_t	keep = t->pos;
	char	open = seg->key != NULL ? '{' : '[';

	if (t->pos >= t->len || t->s[t->pos] != open)
		return -1;
	if ((seg->key != NULL ? scan_member(t, seg->key) :
	    scan_element(t, seg->index)) == -1) {
		t->pos = keep;
		return -1;
	}
	if (seg->key != NULL && !last) {
		scan_string(t);
		scan_ws(t);
		t->pos++;		/* ':' */
		scan_ws(t);
	}
	return 0;
}

void
scn_locate(const char *text, size_t len, const struct scn_seg *segs,
    size_t nsegs, int *line, int *column)
{
	struct scan	t = { text, len, 0 };
	size_t		i;

	scan_ws(&t);
	for (i = 0; i < nsegs; i++)
		if (scan_step(&t, &segs[i], i + 1 == nsegs) == -1)
			break;
	if (t.pos > len)
		t.pos = len;
	*line = 1;
	*column = 1;
	/* Columns count characters, as jansson's do: skip UTF-8 tails. */
	for (i = 0; i < t.pos; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*column = 1;
		} else if (((unsigned char)text[i] & 0xC0) != 0x80)
			(*column)++;
	}
}
