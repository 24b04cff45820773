/*
 * gateway/twiml: a table of valid documents with the messages they hold,
 * and a table of broken ones with the error each must give.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "gateway/webhook.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* One expected <Message>: NULL to/from/callback mean "not given". */
struct twiml_expect {
	const char	*to;
	const char	*from;
	const char	*body;
	const char	*status_callback;
	const char	*media[3];
};

struct twiml_valid {
	const char		*what;
	const char		*xml;
	size_t			 nmessages;
	struct twiml_expect	 messages[3];
};

static const struct twiml_valid valid[] = {
	{ "empty <Response/>", "<Response/>", 0, { { 0 } } },
	{ "empty <Response></Response> with a declaration",
	  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response></Response>\n",
	  0, { { 0 } } },
	{ "text directly in <Message>",
	  "<Response><Message>Thanks!</Message></Response>", 1,
	  { { NULL, NULL, "Thanks!", NULL, { NULL } } } },
	{ "twilio-api.md §5.3 example, <Redirect> skipped",
	  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	  "<Response>\n"
	  "  <Message to=\"+14155550100\" from=\"+14155550199\" "
	  "action=\"https://a.example/x\" method=\"POST\" "
	  "statusCallback=\"https://cb.example/s\">\n"
	  "    <Body>Thanks!</Body>\n"
	  "    <Media>https://example.com/a.jpg</Media>\n"
	  "  </Message>\n"
	  "  <Redirect method=\"POST\">https://r.example/</Redirect>\n"
	  "</Response>\n", 1,
	  { { "+14155550100", "+14155550199", "Thanks!",
	      "https://cb.example/s", { "https://example.com/a.jpg" } } } },
	{ "entities, numeric references and single quotes",
	  "<Response><Message to='+1&#52;15'>a &lt;b&gt; &amp; &quot;c&quot; "
	  "&apos;d&apos; &#233;&#x20AC;&#x1F600;</Message></Response>", 1,
	  { { "+1415", NULL, "a <b> & \"c\" 'd' \xc3\xa9\xe2\x82\xac"
	      "\xf0\x9f\x98\x80", NULL, { NULL } } } },
	{ "CDATA is taken as is, comments anywhere",
	  "<!-- before --><Response><!-- in --><Message><Body>"
	  "<![CDATA[<b>&amp;</b>]]> x<!-- mid -->y</Body></Message>"
	  "</Response><!-- after -->", 1,
	  { { NULL, NULL, "<b>&amp;</b> xy", NULL, { NULL } } } },
	{ "unknown verbs skipped with their children, even a <Message>",
	  "<Response><Dial><Number>1</Number><Message>no</Message></Dial>"
	  "<Message>yes<Unknown a='1'>ignored</Unknown></Message>"
	  "<Sms/></Response>", 1,
	  { { NULL, NULL, "yes", NULL, { NULL } } } },
	{ "several messages, media without body, whitespace around",
	  "\xef\xbb\xbf<Response>\r\n <Message>  one  </Message>\n"
	  " <Message><Media> http://m/1 </Media><Media>http://m/2</Media>"
	  "</Message>\n <Message/>\n</Response>", 3,
	  { { NULL, NULL, "one", NULL, { NULL } },
	    { NULL, NULL, "", NULL, { "http://m/1", "http://m/2" } },
	    { NULL, NULL, "", NULL, { NULL } } } },
	{ "spaces inside tags and around '='",
	  "<Response >\n<Message\n to = \"+1\"\tfrom='+2' >hi</Message >"
	  "</Response\n>", 1, { { "+1", "+2", "hi", NULL, { NULL } } } },
	{ "other processing instructions are skipped",
	  "<?xml version='1.0'?><?xml-stylesheet href='x'?><Response>"
	  "<?pi inside?><Message>x</Message></Response>", 1,
	  { { NULL, NULL, "x", NULL, { NULL } } } },
};

struct twiml_broken {
	const char	*what;
	const char	*xml;
	const char	*error;		/* the whole error text */
};

static const struct twiml_broken broken[] = {
	{ "empty document", "", "line 1: no <Response> element" },
	{ "only whitespace", "  \n ", "line 2: no <Response> element" },
	{ "wrong root", "<Reply/>",
	  "line 1: the root element is <Reply>, not <Response>" },
	{ "unclosed <Message>", "<Response>\n\n<Message>hi\n</Response>",
	  "line 4: </Response> closes <Message> of line 3" },
	{ "document ends inside <Message>",
	  "<Response>\n<Message>\n<Body>x</Body>\n",
	  "line 2: <Message> not closed" },
	{ "end tag without start", "<Response/></Message>",
	  "line 1: </Message> without an open element" },
	{ "second root", "<Response/><Response/>",
	  "line 1: second root element <Response>" },
	{ "text outside the root", "<Response/>x",
	  "line 1: text outside <Response>" },
	{ "text in <Response>", "<Response>hello</Response>",
	  "line 1: text in <Response> outside a verb" },
	{ "unknown entity", "<Response><Message>&nbsp;</Message></Response>",
	  "line 1: unknown entity &nbsp;" },
	{ "bare ampersand", "<Response><Message>a & b</Message></Response>",
	  "line 1: '&' is not the start of an entity reference" },
	{ "reference to NUL", "<Response><Message>&#0;</Message></Response>",
	  "line 1: character reference &#0; is not an XML character" },
	{ "reference to a surrogate",
	  "<Response><Message>&#xD800;</Message></Response>",
	  "line 1: character reference &#xD800; is not an XML character" },
	{ "bad reference", "<Response><Message>&#x;</Message></Response>",
	  "line 1: bad character reference &#x;" },
	{ "DOCTYPE refused",
	  "<!DOCTYPE r [<!ENTITY a \"b\">]><Response/>",
	  "line 1: DOCTYPE and markup declarations are not allowed" },
	{ "declaration not first", "\n<?xml version='1.0'?><Response/>",
	  "line 2: XML declaration not at the start of the document" },
	{ "unclosed comment", "<Response><!-- x </Response>",
	  "line 1: comment not closed" },
	{ "unclosed CDATA", "<Response><Message><![CDATA[x</Message>",
	  "line 1: CDATA section not closed" },
	{ "unquoted attribute", "<Response><Message to=+1>x</Message>"
	  "</Response>", "line 1: value of attribute to not quoted" },
	{ "attribute twice", "<Response><Message to='1' to='2'/></Response>",
	  "line 1: attribute to given twice" },
	{ "'<' in an attribute", "<Response><Message to='<'/></Response>",
	  "line 1: '<' in the value of attribute to" },
	{ "attributes without space", "<Response><Message to='1'from='2'/>"
	  "</Response>", "line 1: expected space, '>' or '/>' in <Message>" },
	{ "tag never closed", "<Response><Message to='1'",
	  "line 1: tag <Message> not closed" },
	{ "two bodies", "<Response><Message><Body>a</Body><Body>b</Body>"
	  "</Message></Response>", "line 1: second <Body> in <Message>" },
	{ "body and text", "<Response><Message>x<Body>a</Body></Message>"
	  "</Response>", "line 1: <Message> has both text and <Body>" },
	{ "element inside <Body>", "<Response><Message><Body><b>x</b></Body>"
	  "</Message></Response>", "line 1: element <b> inside <Body>" },
	{ "empty <Media>", "<Response><Message><Media> </Media></Message>"
	  "</Response>", "line 1: empty <Media>" },
	{ "NUL byte", "<Response>\n\0</Response>", "line 2: NUL byte" },
	{ "invalid UTF-8", "<Response><Message>\xc3\x28</Message></Response>",
	  "line 1: invalid UTF-8" },
	{ "overlong UTF-8", "<Response><Message>\xc0\xaf</Message>"
	  "</Response>", "line 1: invalid UTF-8" },
	{ "bad element name", "<Response><1/></Response>",
	  "line 1: expected element name" },
};

static void
expect_message(const struct gw_twiml_message *m, const struct twiml_expect *e,
    const char *what)
{
	size_t n;

	if (e->to == NULL)
		ck_assert_msg(m->to == NULL, "%s: to %s", what, m->to);
	else
		ck_assert_str_eq(m->to, e->to);
	if (e->from == NULL)
		ck_assert_msg(m->from == NULL, "%s: from %s", what, m->from);
	else
		ck_assert_str_eq(m->from, e->from);
	ck_assert_ptr_nonnull(m->body);
	ck_assert_msg(strcmp(m->body, e->body) == 0, "%s: body \"%s\", want "
	    "\"%s\"", what, m->body, e->body);
	if (e->status_callback == NULL)
		ck_assert_ptr_null(m->status_callback);
	else
		ck_assert_str_eq(m->status_callback, e->status_callback);
	for (n = 0; n < nitems(e->media) && e->media[n] != NULL; n++)
		ck_assert_str_eq(m->media[n], e->media[n]);
	ck_assert_uint_eq(m->nmedia, n);
}

START_TEST(test_twiml_valid)
{
	const struct twiml_valid	*c = &valid[_i];
	struct gw_twiml			 t;
	char				 err[256];
	size_t				 i;

	ck_assert_msg(gw_twiml_parse(c->xml, strlen(c->xml), &t, err,
	    sizeof err) == 0, "%s: %s", c->what, err);
	ck_assert_msg(t.nmessages == c->nmessages, "%s: %zu messages",
	    c->what, t.nmessages);
	for (i = 0; i < t.nmessages; i++)
		expect_message(&t.messages[i], &c->messages[i], c->what);
	gw_twiml_clear(&t);
	ck_assert_uint_eq(t.nmessages, 0);
}
END_TEST

START_TEST(test_twiml_broken)
{
	const struct twiml_broken	*c = &broken[_i];
	struct gw_twiml			 t;
	char				 err[256];
	size_t				 len = strlen(c->xml);

	if (strcmp(c->what, "NUL byte") == 0)
		len = sizeof "<Response>\n\0</Response>" - 1;
	ck_assert_msg(gw_twiml_parse(c->xml, len, &t, err, sizeof err) == -1,
	    "%s: parsed", c->what);
	ck_assert_msg(strcmp(err, c->error) == 0, "%s: error \"%s\", want "
	    "\"%s\"", c->what, err, c->error);
	ck_assert_uint_eq(t.nmessages, 0);
}
END_TEST

/* Bounds: 10 messages, 10 media, 64 KiB, 32 levels. */
START_TEST(test_twiml_limits)
{
	struct gw_twiml	 t;
	char		 err[256], *big;
	size_t		 i, len, cap = 70000;

	big = malloc(cap);
	len = (size_t)snprintf(big, cap, "<Response>");
	for (i = 0; i < 11; i++)
		len += (size_t)snprintf(big + len, cap - len, "<Message>%zu"
		    "</Message>", i);
	snprintf(big + len, cap - len, "</Response>");
	ck_assert_int_eq(gw_twiml_parse(big, strlen(big), &t, err,
	    sizeof err), -1);
	ck_assert_str_eq(err, "line 1: more than 10 <Message> verbs (14109)");

	len = (size_t)snprintf(big, cap, "<Response><Message>");
	for (i = 0; i < 11; i++)
		len += (size_t)snprintf(big + len, cap - len, "<Media>u%zu"
		    "</Media>", i);
	snprintf(big + len, cap - len, "</Message></Response>");
	ck_assert_int_eq(gw_twiml_parse(big, strlen(big), &t, err,
	    sizeof err), -1);
	ck_assert_str_eq(err, "line 1: more than 10 <Media> in <Message>");

	len = (size_t)snprintf(big, cap, "<Response>");
	for (i = 0; i < 40; i++)
		len += (size_t)snprintf(big + len, cap - len, "<a>");
	ck_assert_int_eq(gw_twiml_parse(big, len, &t, err, sizeof err), -1);
	ck_assert_str_eq(err, "line 1: elements nested deeper than 32");

	/* 64 KiB exactly is accepted; one byte more is not. */
	len = (size_t)snprintf(big, cap, "<Response><Message>");
	memset(big + len, 'x', 65536 - len - 21);
	memcpy(big + 65536 - 21, "</Message></Response>", 21);
	ck_assert_msg(gw_twiml_parse(big, 65536, &t, err, sizeof err) == 0,
	    "%s", err);
	ck_assert_uint_eq(strlen(t.messages[0].body), 65536 - 19 - 21);
	gw_twiml_clear(&t);
	ck_assert_int_eq(gw_twiml_parse(big, 65537, &t, err, sizeof err), -1);
	ck_assert_str_eq(err, "TwiML response body too large (11750): 65537 "
	    "bytes, the limit is 65536");
	free(big);
}
END_TEST

static Suite *
twiml_suite(void)
{
	Suite	*s = suite_create("twiml");
	TCase	*tc = tcase_create("twiml");

	tcase_add_loop_test(tc, test_twiml_valid, 0, nitems(valid));
	tcase_add_loop_test(tc, test_twiml_broken, 0, nitems(broken));
	tcase_add_test(tc, test_twiml_limits);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(twiml_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
