/*
 * gateway/errors.def: every code once, an HTTP status and a title on each
 * row, and gw_error_set / gw_error_description / gw_error_http_status
 * reading the table.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "gateway/api.h"
#include "gateway/gateway-internal.h"

START_TEST(test_table_sane)
{
	const char *title, *other;
	int code, status, code2, status2;
	size_t i, j;

	for (i = 0; (title = gw_error_table_row(i, &code, &status)) != NULL;
	    i++) {
		ck_assert_msg(code > 0, "row %zu: code %d", i, code);
		ck_assert_msg(status >= 400 && status <= 599,
		    "code %d: status %d", code, status);
		ck_assert_msg(title[0] != '\0', "code %d: no title", code);
		ck_assert_msg(strlen(title) < sizeof(((struct gw_error *)0)
		    ->message), "code %d: title too long", code);
		for (j = i + 1; (other = gw_error_table_row(j, &code2,
		    &status2)) != NULL; j++)
			ck_assert_msg(code != code2, "code %d twice", code);
	}
	ck_assert_uint_gt(i, 100);
}
END_TEST

/* The codes the API and the lifecycle answer with, and their status. */
static const struct {
	int	code;
	int	status;
} used[] = {
	{ 400, 400 }, { 20003, 401 }, { 20004, 405 }, { 20007, 400 },
	{ 20009, 400 }, { 20404, 404 }, { 20413, 413 }, { 20414, 414 },
	{ 20429, 429 }, { 20500, 500 }, { 20503, 503 }, { 21211, 400 },
	{ 21212, 400 }, { 21602, 400 }, { 21603, 400 }, { 21604, 400 },
	{ 21606, 400 }, { 21609, 400 }, { 21610, 400 }, { 21612, 400 },
	{ 21617, 400 }, { 21620, 400 }, { 21623, 400 }, { 21654, 400 },
	{ 21655, 400 }, { 21701, 400 }, { 21702, 400 }, { 21703, 400 },
	{ 21704, 400 }, { 21705, 400 }, { 30400, 400 }, { 30409, 400 },
	{ 35111, 400 }, { 35114, 400 }, { 35118, 400 }, { 35126, 400 },
	{ 90007, 400 }, { 30001, 400 }, { 30003, 400 }, { 30007, 400 },
	{ 30008, 400 }, { 30036, 400 }, { 30410, 400 },
};

START_TEST(test_used_codes)
{
	int code = used[_i].code;

	ck_assert_ptr_nonnull(gw_error_description(code));
	ck_assert_int_eq(gw_error_http_status(code), used[_i].status);
}
END_TEST

START_TEST(test_lookups)
{
	struct gw_error e;

	ck_assert_str_eq(gw_error_description(30003),
	    "Unreachable destination handset");
	ck_assert_str_eq(gw_error_description(30036),
	    "Validity Period Expired");
	ck_assert_ptr_null(gw_error_description(12345));
	ck_assert_int_eq(gw_error_http_status(12345), 500);

	gw_error_set(&e, 21211, "The 'To' number %s is not a valid phone "
	    "number.", "+1");
	ck_assert_int_eq(e.code, 21211);
	ck_assert_int_eq(e.http_status, 400);
	ck_assert_str_eq(e.message,
	    "The 'To' number +1 is not a valid phone number.");

	gw_error_set(&e, 30409, NULL);
	ck_assert_str_eq(e.message, "This message cannot be canceled");
	gw_error_set(&e, 12345, NULL);
	ck_assert_int_eq(e.http_status, 500);
	ck_assert_str_eq(e.message, "Internal Server Error");
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("gw_errors");
	TCase	*tc = tcase_create("table");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_table_sane);
	tcase_add_loop_test(tc, test_used_codes, 0,
	    (int)(sizeof used / sizeof used[0]));
	tcase_add_test(tc, test_lookups);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
