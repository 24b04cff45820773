/*
 * TwiML replies to inbound-message webhooks (twilio-api.md §5.3): a small,
 * strict, bounded parser for the subset the gateway acts on. There is no
 * XML library among our dependencies, and a reply is untrusted input from
 * any web server, so this reads only what TwiML needs: the XML
 * declaration, processing instructions and comments (skipped), elements
 * with attributes in single or double quotes, character data with the
 * five predefined entities and numeric references, CDATA sections. A
 * DOCTYPE is refused, so no entity can expand. Unknown verbs are skipped
 * with everything inside them, but they must still be well formed.
 *
 * Bounds: 64 KiB of input (Twilio's 11750), 32 levels of nesting, names
 * of 64 bytes, 32 attributes per element, 10 messages of 10 media each.
 * The input must be UTF-8 without NUL bytes.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "gateway/webhook.h"

#define TWIML_MAX_SIZE		65536
#define TWIML_MAX_DEPTH		32
#define TWIML_NAME_MAX		64
#define TWIML_MAX_ATTRS		32

/* What an open element means to the reply. */
enum twiml_role {
	TWIML_RESPONSE,
	TWIML_MESSAGE,
	TWIML_BODY,
	TWIML_MEDIA,
	TWIML_SKIP,		/* an unknown verb or anything inside one */
};

/* Text gathered for the open <Message> or its open <Body>/<Media>. */
struct twiml_text {
	char		*buf;
	size_t		 len;
	size_t		 cap;
};

struct twiml_element {
	char		 name[TWIML_NAME_MAX + 1];
	enum twiml_role	 role;
	unsigned	 line;
};

struct twiml_parser {
	const char		*p;
	const char		*end;
	unsigned		 line;
	struct gw_twiml		*out;
	char			*err;
	size_t			 errlen;
	struct twiml_element	 stack[TWIML_MAX_DEPTH];
	size_t			 depth;
	int			 root_done;
	struct gw_twiml_message	*msg;		/* the open <Message> */
	int			 msg_has_body;
	struct twiml_text	 direct;	/* <Message>'s own text */
	struct twiml_text	 leaf;		/* the open <Body>/<Media> */
};

static int
twiml_fail(struct twiml_parser *tp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
twiml_fail(struct twiml_parser *tp, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (tp->errlen == 0)
		return -1;
	n = snprintf(tp->err, tp->errlen, "line %u: ", tp->line);
	if (n >= 0 && (size_t)n < tp->errlen) {
		va_start(ap, fmt);
		vsnprintf(tp->err + n, tp->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static void
twiml_text_add(struct twiml_text *t, const char *s, size_t len)
{
	if (t->len + len + 1 > t->cap) {
		t->cap = t->len + len + 1 > 64 ? (t->len + len + 1) * 2 : 64;
		t->buf = xreallocarray(t->buf, t->cap, 1);
	}
	memcpy(t->buf + t->len, s, len);
	t->len += len;
	t->buf[t->len] = '\0';
}

static int
twiml_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
twiml_blank(const char *s, size_t len)
{
	while (len > 0 && twiml_space(*s))
		s++, len--;
	return len == 0;
}

/* A heap copy of t without the whitespace around it. */
static char *
twiml_text_trimmed(const struct twiml_text *t)
{
	const char	*s = t->buf != NULL ? t->buf : "";
	size_t		 len = t->len;

	while (len > 0 && twiml_space(*s))
		s++, len--;
	while (len > 0 && twiml_space(s[len - 1]))
		len--;
	return xstrndup(s, len);
}

/* Moves past n bytes, counting lines. */
static void
twiml_advance(struct twiml_parser *tp, size_t n)
{
	const char *stop = tp->p + n;

	for (; tp->p < stop; tp->p++)
		if (*tp->p == '\n')
			tp->line++;
}

static int
twiml_starts(const struct twiml_parser *tp, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(tp->end - tp->p) >= n && memcmp(tp->p, s, n) == 0;
}

/* The offset of needle from p, or -1. */
static long
twiml_find(const struct twiml_parser *tp, const char *needle)
{
	size_t		 n = strlen(needle);
	const char	*s;

	for (s = tp->p; (size_t)(tp->end - s) >= n; s++)
		if (memcmp(s, needle, n) == 0)
			return (long)(s - tp->p);
	return -1;
}

/* Well-formed UTF-8 without NUL, overlongs or surrogates. */
static int
twiml_check_utf8(struct twiml_parser *tp)
{
	const unsigned char	*s = (const unsigned char *)tp->p;
	const unsigned char	*end = (const unsigned char *)tp->end;
	unsigned		 line = 1, need, cp, min;

	while (s < end) {
		if (*s == '\0')
			return tp->line = line, twiml_fail(tp, "NUL byte");
		if (*s == '\n')
			line++;
		if (*s < 0x80) {
			s++;
			continue;
		}
		if (*s >= 0xc2 && *s <= 0xdf)
			need = 1, cp = *s & 0x1f, min = 0x80;
		else if (*s >= 0xe0 && *s <= 0xef)
			need = 2, cp = *s & 0x0f, min = 0x800;
		else if (*s >= 0xf0 && *s <= 0xf4)
			need = 3, cp = *s & 0x07, min = 0x10000;
		else
			return tp->line = line, twiml_fail(tp, "invalid UTF-8");
		if ((size_t)(end - s) <= need)
			return tp->line = line, twiml_fail(tp, "invalid UTF-8");
		for (s++; need > 0; need--, s++) {
			if ((*s & 0xc0) != 0x80)
				return tp->line = line,
				    twiml_fail(tp, "invalid UTF-8");
			cp = (cp << 6) | (*s & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return tp->line = line, twiml_fail(tp, "invalid UTF-8");
	}
	return 0;
}

static size_t
twiml_utf8_put(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* &#65; or &#x41;: name is what lies between '&' and ';'. */
static int
twiml_char_ref(struct twiml_parser *tp, const char *name, size_t len,
    char out[4], size_t *outlen)
{
	uint32_t	cp = 0;
	size_t		i = 1;
	int		hex = len > 1 && name[1] == 'x', digit;

	if (hex)
		i = 2;
	if (i >= len || len - i > 8)
		return twiml_fail(tp, "bad character reference &%.*s;",
		    (int)len, name);
	for (; i < len; i++) {
		if (name[i] >= '0' && name[i] <= '9')
			digit = name[i] - '0';
		else if (hex && name[i] >= 'a' && name[i] <= 'f')
			digit = name[i] - 'a' + 10;
		else if (hex && name[i] >= 'A' && name[i] <= 'F')
			digit = name[i] - 'A' + 10;
		else
			return twiml_fail(tp, "bad character reference "
			    "&%.*s;", (int)len, name);
		cp = cp * (hex ? 16 : 10) + (uint32_t)digit;
	}
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
	    (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r'))
		return twiml_fail(tp, "character reference &%.*s; is not "
		    "an XML character", (int)len, name);
	*outlen = twiml_utf8_put(cp, out);
	return 0;
}

/* Decodes one reference at s ('&'); *used is its length. */
static int
twiml_entity(struct twiml_parser *tp, const char *s, size_t avail,
    char out[4], size_t *outlen, size_t *used)
{
	static const struct {
		const char	*name;
		char		 c;
	} named[] = {
		{ "lt", '<' }, { "gt", '>' }, { "amp", '&' },
		{ "quot", '"' }, { "apos", '\'' },
	};
	const char	*semi;
	size_t		 len, i;

	semi = memchr(s, ';', avail < 12 ? avail : 12);
	if (semi == NULL)
		return twiml_fail(tp, "'&' is not the start of an entity "
		    "reference");
	len = (size_t)(semi - s) - 1;
	*used = len + 2;
	if (len > 0 && s[1] == '#')
		return twiml_char_ref(tp, s + 1, len, out, outlen);
	for (i = 0; i < sizeof named / sizeof named[0]; i++)
		if (strlen(named[i].name) == len &&
		    memcmp(named[i].name, s + 1, len) == 0) {
			out[0] = named[i].c;
			*outlen = 1;
			return 0;
		}
	return twiml_fail(tp, "unknown entity &%.*s;", (int)len, s + 1);
}

/* Appends s decoded to dst (NULL: only checks it). */
static int
twiml_decode(struct twiml_parser *tp, const char *s, size_t len,
    struct twiml_text *dst)
{
	const char	*amp;
	char		 ch[4];
	size_t		 chlen = 0, used = 0, run;

	while (len > 0) {
		amp = memchr(s, '&', len);
		run = amp != NULL ? (size_t)(amp - s) : len;
		if (dst != NULL)
			twiml_text_add(dst, s, run);
		s += run, len -= run;
		if (len == 0)
			break;
		if (twiml_entity(tp, s, len, ch, &chlen, &used) == -1)
			return -1;
		if (dst != NULL)
			twiml_text_add(dst, ch, chlen);
		s += used, len -= used;
	}
	return 0;
}

/* Character data (decoded unless cdata) for the innermost element. */
static int
twiml_chars(struct twiml_parser *tp, const char *s, size_t len, int cdata)
{
	struct twiml_text	*dst = NULL;
	enum twiml_role		 role;

	if (tp->depth == 0 || tp->stack[tp->depth - 1].role == TWIML_RESPONSE) {
		if (!twiml_blank(s, len))
			return twiml_fail(tp, tp->depth == 0 ?
			    "text outside <Response>" :
			    "text in <Response> outside a verb");
		return 0;
	}
	role = tp->stack[tp->depth - 1].role;
	if (role == TWIML_MESSAGE)
		dst = &tp->direct;
	else if (role == TWIML_BODY || role == TWIML_MEDIA)
		dst = &tp->leaf;
	if (cdata) {
		if (dst != NULL)
			twiml_text_add(dst, s, len);
		return 0;
	}
	return twiml_decode(tp, s, len, dst);
}

static int
twiml_name_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
	    c == ':' || (unsigned char)c >= 0x80;
}

static int
twiml_name_char(char c)
{
	return twiml_name_start(c) || (c >= '0' && c <= '9') || c == '-' ||
	    c == '.';
}

/* Reads a name at p into out; -1 when there is none or it is too long. */
static int
twiml_name(struct twiml_parser *tp, char out[TWIML_NAME_MAX + 1],
    const char *what)
{
	size_t n = 0;

	if (tp->p >= tp->end || !twiml_name_start(*tp->p))
		return twiml_fail(tp, "expected %s name", what);
	while (tp->p + n < tp->end && twiml_name_char(tp->p[n]))
		n++;
	if (n > TWIML_NAME_MAX)
		return twiml_fail(tp, "%s name longer than %d bytes", what,
		    TWIML_NAME_MAX);
	memcpy(out, tp->p, n);
	out[n] = '\0';
	tp->p += n;
	return 0;
}

static size_t
twiml_skip_space(struct twiml_parser *tp)
{
	size_t n = 0;

	while (tp->p + n < tp->end && twiml_space(tp->p[n]))
		n++;
	twiml_advance(tp, n);
	return n;
}

/* The role an element named name takes under the open element. */
static int
twiml_role(struct twiml_parser *tp, const char *name, enum twiml_role *role)
{
	enum twiml_role parent;

	if (tp->depth == TWIML_MAX_DEPTH)
		return twiml_fail(tp, "elements nested deeper than %d",
		    TWIML_MAX_DEPTH);
	if (tp->depth == 0) {
		if (tp->root_done)
			return twiml_fail(tp, "second root element <%s>", name);
		if (strcmp(name, "Response") != 0)
			return twiml_fail(tp, "the root element is <%s>, not "
			    "<Response>", name);
		*role = TWIML_RESPONSE;
		return 0;
	}
	parent = tp->stack[tp->depth - 1].role;
	*role = TWIML_SKIP;
	if (parent == TWIML_RESPONSE && strcmp(name, "Message") == 0) {
		if (tp->out->nmessages == GW_TWIML_MAX_MESSAGES)
			return twiml_fail(tp, "more than %d <Message> verbs "
			    "(14109)", GW_TWIML_MAX_MESSAGES);
		*role = TWIML_MESSAGE;
	} else if (parent == TWIML_MESSAGE && strcmp(name, "Body") == 0) {
		if (tp->msg_has_body)
			return twiml_fail(tp, "second <Body> in <Message>");
		*role = TWIML_BODY;
	} else if (parent == TWIML_MESSAGE && strcmp(name, "Media") == 0) {
		if (tp->msg->nmedia == GW_TWIML_MAX_MEDIA)
			return twiml_fail(tp, "more than %d <Media> in "
			    "<Message>", GW_TWIML_MAX_MEDIA);
		*role = TWIML_MEDIA;
	} else if (parent == TWIML_BODY || parent == TWIML_MEDIA)
		return twiml_fail(tp, "element <%s> inside <%s>", name,
		    tp->stack[tp->depth - 1].name);
	return 0;
}

static void
twiml_push(struct twiml_parser *tp, const char *name, enum twiml_role role,
    unsigned line)
{
	struct twiml_element *e = &tp->stack[tp->depth++];

	snprintf(e->name, sizeof e->name, "%s", name);
	e->role = role;
	e->line = line;
	if (role == TWIML_MESSAGE) {
		tp->msg = &tp->out->messages[tp->out->nmessages++];
		tp->msg_has_body = 0;
		tp->direct.len = 0;
	} else if (role == TWIML_BODY || role == TWIML_MEDIA)
		tp->leaf.len = 0;
}

/* An attribute of <Message> the reply uses; others are ignored. */
static void
twiml_message_attr(struct twiml_parser *tp, const char *name,
    const struct twiml_text *value)
{
	char **slot = NULL;

	if (strcmp(name, "to") == 0)
		slot = &tp->msg->to;
	else if (strcmp(name, "from") == 0)
		slot = &tp->msg->from;
	else if (strcmp(name, "statusCallback") == 0)
		slot = &tp->msg->status_callback;
	if (slot == NULL || value->len == 0)
		return;
	free(*slot);
	*slot = twiml_text_trimmed(value);
}

/* One name="value" at p; seen holds the names met in this tag. */
static int
twiml_attribute(struct twiml_parser *tp, enum twiml_role role,
    char seen[][TWIML_NAME_MAX + 1], size_t *nseen)
{
	struct twiml_text	 value = { NULL, 0, 0 };
	char			 name[TWIML_NAME_MAX + 1];
	const char		*close;
	char			 quote;
	size_t			 i, len;
	int			 rv;

	if (twiml_name(tp, name, "attribute") == -1)
		return -1;
	for (i = 0; i < *nseen; i++)
		if (strcmp(seen[i], name) == 0)
			return twiml_fail(tp, "attribute %s given twice", name);
	if (*nseen == TWIML_MAX_ATTRS)
		return twiml_fail(tp, "more than %d attributes",
		    TWIML_MAX_ATTRS);
	memcpy(seen[(*nseen)++], name, sizeof name);
	twiml_skip_space(tp);
	if (tp->p >= tp->end || *tp->p != '=')
		return twiml_fail(tp, "expected '=' after attribute %s", name);
	tp->p++;
	twiml_skip_space(tp);
	if (tp->p >= tp->end || (*tp->p != '"' && *tp->p != '\''))
		return twiml_fail(tp, "value of attribute %s not quoted", name);
	quote = *tp->p++;
	close = memchr(tp->p, quote, (size_t)(tp->end - tp->p));
	if (close == NULL)
		return twiml_fail(tp, "value of attribute %s not closed", name);
	len = (size_t)(close - tp->p);
	if (memchr(tp->p, '<', len) != NULL)
		return twiml_fail(tp, "'<' in the value of attribute %s", name);
	rv = twiml_decode(tp, tp->p, len, &value);
	if (rv == 0 && role == TWIML_MESSAGE)
		twiml_message_attr(tp, name, &value);
	free(value.buf);
	twiml_advance(tp, len + 1);
	return rv;
}

/* What closing an element means; e is the element being closed. */
static int
twiml_close(struct twiml_parser *tp, const struct twiml_element *e)
{
	struct gw_twiml_message *m = tp->msg;

	switch (e->role) {
	case TWIML_RESPONSE:
		tp->root_done = 1;
		break;
	case TWIML_MESSAGE:
		if (tp->msg_has_body &&
		    !twiml_blank(tp->direct.buf, tp->direct.len))
			return twiml_fail(tp, "<Message> has both text and "
			    "<Body>");
		if (!tp->msg_has_body)
			m->body = twiml_text_trimmed(&tp->direct);
		tp->msg = NULL;
		break;
	case TWIML_BODY:
		m->body = twiml_text_trimmed(&tp->leaf);
		tp->msg_has_body = 1;
		break;
	case TWIML_MEDIA:
		m->media[m->nmedia] = twiml_text_trimmed(&tp->leaf);
		if (m->media[m->nmedia][0] == '\0') {
			free(m->media[m->nmedia]);
			m->media[m->nmedia] = NULL;
			return twiml_fail(tp, "empty <Media>");
		}
		m->nmedia++;
		break;
	case TWIML_SKIP:
		break;
	}
	return 0;
}

static int
twiml_pop(struct twiml_parser *tp)
{
	struct twiml_element e = tp->stack[--tp->depth];

	return twiml_close(tp, &e);
}

/* <Name attr="v" ...> or <Name .../>; p is past '<'. */
static int
twiml_start_tag(struct twiml_parser *tp)
{
	char		 name[TWIML_NAME_MAX + 1];
	char		 seen[TWIML_MAX_ATTRS][TWIML_NAME_MAX + 1];
	size_t		 nseen = 0;
	unsigned	 line = tp->line;
	enum twiml_role	 role;

	if (twiml_name(tp, name, "element") == -1 ||
	    twiml_role(tp, name, &role) == -1)
		return -1;
	twiml_push(tp, name, role, line);
	for (;;) {
		size_t spaced = twiml_skip_space(tp);

		if (tp->p >= tp->end)
			return twiml_fail(tp, "tag <%s> not closed", name);
		if (*tp->p == '>') {
			tp->p++;
			return 0;
		}
		if (twiml_starts(tp, "/>")) {
			tp->p += 2;
			return twiml_pop(tp);
		}
		if (spaced == 0)
			return twiml_fail(tp, "expected space, '>' or '/>' "
			    "in <%s>", name);
		if (twiml_attribute(tp, role, seen, &nseen) == -1)
			return -1;
	}
}

/* </Name>; p is past "</". */
static int
twiml_end_tag(struct twiml_parser *tp)
{
	char			 name[TWIML_NAME_MAX + 1];
	struct twiml_element	*open;

	if (twiml_name(tp, name, "element") == -1)
		return -1;
	twiml_skip_space(tp);
	if (tp->p >= tp->end || *tp->p != '>')
		return twiml_fail(tp, "end tag </%s> not closed", name);
	tp->p++;
	if (tp->depth == 0)
		return twiml_fail(tp, "</%s> without an open element", name);
	open = &tp->stack[tp->depth - 1];
	if (strcmp(open->name, name) != 0)
		return twiml_fail(tp, "</%s> closes <%s> of line %u", name,
		    open->name, open->line);
	return twiml_pop(tp);
}

/* Skips from p past the end marker; what names the construct. */
static int
twiml_skip_to(struct twiml_parser *tp, const char *end, const char *what)
{
	long off = twiml_find(tp, end);

	if (off < 0)
		return twiml_fail(tp, "%s not closed", what);
	twiml_advance(tp, (size_t)off + strlen(end));
	return 0;
}

static int
twiml_markup(struct twiml_parser *tp, const char *start)
{
	long off;

	if (twiml_starts(tp, "<?")) {
		if (twiml_starts(tp, "<?xml") && tp->p != start &&
		    (tp->p + 5 == tp->end || twiml_space(tp->p[5]) ||
		    tp->p[5] == '?'))
			return twiml_fail(tp, "XML declaration not at the "
			    "start of the document");
		return twiml_skip_to(tp, "?>", "processing instruction");
	}
	if (twiml_starts(tp, "<!--"))
		return twiml_skip_to(tp, "-->", "comment");
	if (twiml_starts(tp, "<![CDATA[")) {
		twiml_advance(tp, 9);
		if ((off = twiml_find(tp, "]]>")) < 0)
			return twiml_fail(tp, "CDATA section not closed");
		if (twiml_chars(tp, tp->p, (size_t)off, 1) == -1)
			return -1;
		twiml_advance(tp, (size_t)off + 3);
		return 0;
	}
	if (twiml_starts(tp, "<!"))
		return twiml_fail(tp, "DOCTYPE and markup declarations are "
		    "not allowed");
	if (twiml_starts(tp, "</")) {
		tp->p += 2;
		return twiml_end_tag(tp);
	}
	tp->p++;
	return twiml_start_tag(tp);
}

static int
twiml_document(struct twiml_parser *tp)
{
	const char	*start, *lt;
	size_t		 len;

	if (twiml_starts(tp, "\xef\xbb\xbf"))
		tp->p += 3;
	start = tp->p;
	while (tp->p < tp->end) {
		if (*tp->p == '<') {
			if (twiml_markup(tp, start) == -1)
				return -1;
			continue;
		}
		lt = memchr(tp->p, '<', (size_t)(tp->end - tp->p));
		len = lt != NULL ? (size_t)(lt - tp->p) : (size_t)(tp->end -
		    tp->p);
		if (twiml_chars(tp, tp->p, len, 0) == -1)
			return -1;
		twiml_advance(tp, len);
	}
	if (tp->depth > 0) {
		tp->line = tp->stack[tp->depth - 1].line;
		return twiml_fail(tp, "<%s> not closed",
		    tp->stack[tp->depth - 1].name);
	}
	if (!tp->root_done)
		return twiml_fail(tp, "no <Response> element");
	return 0;
}

int
gw_twiml_parse(const char *xml, size_t len, struct gw_twiml *out, char *err,
    size_t errlen)
{
	struct twiml_parser	tp;
	int			rv;

	memset(out, 0, sizeof *out);
	memset(&tp, 0, sizeof tp);
	tp.p = xml;
	tp.end = xml + len;
	tp.line = 1;
	tp.out = out;
	tp.err = err;
	tp.errlen = errlen;
	if (errlen > 0)
		err[0] = '\0';
	if (len > TWIML_MAX_SIZE) {
		snprintf(err, errlen, "TwiML response body too large (11750): "
		    "%zu bytes, the limit is %d", len, TWIML_MAX_SIZE);
		return -1;
	}
	rv = twiml_check_utf8(&tp);
	if (rv == 0)
		rv = twiml_document(&tp);
	free(tp.direct.buf);
	free(tp.leaf.buf);
	if (rv == -1)
		gw_twiml_clear(out);
	return rv;
}

void
gw_twiml_clear(struct gw_twiml *t)
{
	size_t i, j;

	for (i = 0; i < t->nmessages; i++) {
		struct gw_twiml_message *m = &t->messages[i];

		free(m->to);
		free(m->from);
		free(m->body);
		free(m->status_callback);
		for (j = 0; j < m->nmedia; j++)
			free(m->media[j]);
	}
	memset(t, 0, sizeof *t);
}
