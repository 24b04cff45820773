/*
 * gateway/signature: X-Twilio-Signature against the vector of
 * twilio-api.md §6 and against digests computed independently with
 * `openssl dgst -sha1 -hmac TOKEN -binary | base64` over the expected
 * signed text (written out in each case).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <event2/buffer.h>

#include "gateway/webhook-internal.h"
#include "gateway/webhook.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_PARAMS	8

struct signature_case {
	const char	*what;
	const char	*token;
	const char	*url;
	int		 post;			/* 0: params NULL (GET) */
	const char	*params[MAX_PARAMS][2];	/* in the order given */
	const char	*expected;
};

static const struct signature_case cases[] = {
	{ "twilio-api.md §6 vector", "12345",
	  "https://mycompany.com/myapp.php?foo=1&bar=2", 1,
	  { { "CallSid", "CA1234567890ABCDE" }, { "Caller", "+12349013030" },
	    { "Digits", "1234" }, { "From", "+12349013030" },
	    { "To", "+18005551212" } },
	  "0/KCTR6DLpKmkAf8muzZqo1nDgQ=" },
	{ "the same parameters given in another order", "12345",
	  "https://mycompany.com/myapp.php?foo=1&bar=2", 1,
	  { { "To", "+18005551212" }, { "Digits", "1234" },
	    { "From", "+12349013030" }, { "CallSid", "CA1234567890ABCDE" },
	    { "Caller", "+12349013030" } },
	  "0/KCTR6DLpKmkAf8muzZqo1nDgQ=" },
	/* GET: the URL with its query, nothing appended. */
	{ "GET signs the URL with the query only", "secret",
	  "http://127.0.0.1:8000/inbound?From=%2B15005550006&Body=hi+there", 0,
	  { { NULL, NULL } }, "i+R+sxdVYzz5bNK30hA9Q/Us0wQ=" },
	/* Signed: ...cbAalphaAbetaB1MediaUrlhttp://a/1MediaUrlhttp://b/2 */
	{ "multi-valued names: values sorted, a repeated pair once",
	  "secret", "https://example.com/cb", 1,
	  { { "MediaUrl", "http://b/2" }, { "A", "beta" }, { "B", "1" },
	    { "A", "alpha" }, { "MediaUrl", "http://a/1" },
	    { "A", "alpha" } },
	  "GVOKqCrnHucAY1iDgFi4oX+SGYA=" },
	{ "no parameters at all", "secret", "https://example.com/cb", 1,
	  { { NULL, NULL } }, "krEaMaXu6XU0tNYLRBXQNDL0JaU=" },
	{ "UTF-8 values are signed as bytes", "tok",
	  "https://example.com/cb", 1,
	  { { "Body", "caf\xc3\xa9 & \xc3\xbcn\xc3\xaf" "code" } },
	  "ODZ5OxBxQw4ZYb2t1/qUqhovsts=" },
};

/* The case's parameters as the POST body the client sends. */
static char *
case_form(const struct signature_case *c)
{
	struct evbuffer	*b = evbuffer_new();
	char		*form;
	size_t		 i;

	for (i = 0; i < MAX_PARAMS && c->params[i][0] != NULL; i++)
		gw_http_form_add(b, c->params[i][0], c->params[i][1]);
	form = gw_http_form_take(b);
	evbuffer_free(b);
	return form;
}

/* One signature from a signer of its own. */
static void
sign(const char *token, const char *url, const char *form, char out[29])
{
	struct gw_signer *s = gw_signer_new();

	gw_signer_sign(s, token, url, form, out);
	gw_signer_free(s);
}

START_TEST(test_signature_table)
{
	const struct signature_case	*c = &cases[_i];
	char				 out[29], *form = case_form(c);

	memset(out, 'x', sizeof out);
	sign(c->token, c->url, c->post ? form : NULL, out);
	ck_assert_msg(strcmp(out, c->expected) == 0, "%s: got %s, want %s",
	    c->what, out, c->expected);
	ck_assert_uint_eq(strlen(out), 28);
	free(form);
}
END_TEST

/*
 * One signer over every case twice, in turn: a token's HMAC, keyed once
 * and started again for each signature, gives what a fresh one gives,
 * whichever token signed before it.
 */
START_TEST(test_signer_reuse)
{
	struct gw_signer	*s = gw_signer_new();
	char			 out[29], *form;
	size_t			 round, i;

	for (round = 0; round < 2; round++)
		for (i = 0; i < nitems(cases); i++) {
			form = case_form(&cases[i]);
			gw_signer_sign(s, cases[i].token, cases[i].url,
			    cases[i].post ? form : NULL, out);
			ck_assert_msg(strcmp(out, cases[i].expected) == 0,
			    "round %zu, %s: got %s, want %s", round,
			    cases[i].what, out, cases[i].expected);
			free(form);
		}
	gw_signer_free(s);
}
END_TEST

/* A form written by another client: escapes in names and values, "+"
 * for a space, a pair without "=" (an empty value) and an empty pair. */
START_TEST(test_signature_form_decoding)
{
	char	a[29], b[29];

	/* Signed: ...cbAalphaAbetaB1MediaUrlhttp://a/1MediaUrlhttp://b/2 */
	sign("secret", "https://example.com/cb", "Media%55rl="
	    "http%3A%2F%2Fb%2F2&A=beta&B=1&A=alpha&&MediaUrl=http://a/1&"
	    "A=alpha", a);
	ck_assert_str_eq(a, "GVOKqCrnHucAY1iDgFi4oX+SGYA=");
	sign("tok", "https://example.com/cb", "Body=caf%C3%A9+%26+"
	    "%C3%BCn%C3%AFcode", b);
	ck_assert_str_eq(b, "ODZ5OxBxQw4ZYb2t1/qUqhovsts=");
	sign("secret", "https://example.com/cb", "A", a);
	sign("secret", "https://example.com/cb", "A=", b);
	ck_assert_str_eq(a, b);
}
END_TEST

/* A different token or URL changes the signature. */
START_TEST(test_signature_depends_on_key_and_url)
{
	char	a[29], b[29], c[29];

	sign("12345", "https://example.com/a", NULL, a);
	sign("12346", "https://example.com/a", NULL, b);
	sign("12345", "https://example.com:443/a", NULL, c);
	ck_assert_str_ne(a, b);
	ck_assert_str_ne(a, c);
}
END_TEST

static Suite *
signature_suite(void)
{
	Suite	*s = suite_create("signature");
	TCase	*tc = tcase_create("signature");

	tcase_add_loop_test(tc, test_signature_table, 0, nitems(cases));
	tcase_add_test(tc, test_signature_depends_on_key_and_url);
	tcase_add_test(tc, test_signer_reuse);
	tcase_add_test(tc, test_signature_form_decoding);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(signature_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
