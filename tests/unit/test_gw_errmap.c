/*
 * gateway/errmap: every row of the default table as a case, the
 * fallbacks, and a route's error_rules taking precedence.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/gateway-internal.h"
#include "smpp/smpp.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

static const struct {
	uint32_t	 command_status;
	int		 status;
	int		 code;
	int		 retry;
} submit_cases[] = {
	{ SMPP_ESME_RTHROTTLED,		GW_STATUS_FAILED,	0,	1 },
	{ SMPP_ESME_RMSGQFUL,		GW_STATUS_FAILED,	0,	1 },
	{ SMPP_ESME_RX_T_APPN,		GW_STATUS_FAILED,	0,	1 },
	{ SMPP_ESME_RSUBMITFAIL,	GW_STATUS_FAILED,	30008,	0 },
	{ SMPP_ESME_RSYSERR,		GW_STATUS_FAILED,	30008,	0 },
	{ SMPP_ESME_RX_P_APPN,		GW_STATUS_FAILED,	30007,	0 },
	{ SMPP_ESME_RX_R_APPN,		GW_STATUS_FAILED,	30007,	0 },
	{ SMPP_ESME_RINVDSTADR,		GW_STATUS_FAILED,	30005,	0 },
	{ SMPP_ESME_RINVDSTTON,		GW_STATUS_FAILED,	30005,	0 },
	{ SMPP_ESME_RINVDSTNPI,		GW_STATUS_FAILED,	30005,	0 },
	{ SMPP_ESME_RINVSRCADR,		GW_STATUS_FAILED,	30008,	0 },
	/* Anything else: failed, unknown error. */
	{ SMPP_ESME_RINVMSGLEN,		GW_STATUS_FAILED,	30008,	0 },
	{ 0x00000400,			GW_STATUS_FAILED,	30008,	0 },
};

START_TEST(test_submit_defaults)
{
	int status, retry, code;

	code = gw_errmap_submit(NULL, submit_cases[_i].command_status,
	    &status, &retry);
	ck_assert_msg(code == submit_cases[_i].code &&
	    status == submit_cases[_i].status &&
	    retry == submit_cases[_i].retry,
	    "case %d (0x%08x): code %d status %d retry %d", _i,
	    (unsigned)submit_cases[_i].command_status, code, status, retry);
}
END_TEST

#define NONE	-1, -1

static const struct {
	const char	*stat;
	const char	*err;
	int		 network_type;
	int		 network_code;
	int		 status;		/* -1: not final */
	int		 code;
} receipt_cases[] = {
	{ "ENROUTE", "000", NONE,	-1,			0 },
	{ "ACCEPTD", "000", NONE,	-1,			0 },
	{ "DELIVRD", "000", NONE,	GW_STATUS_DELIVERED,	0 },
	{ "delivrd", "000", NONE,	GW_STATUS_DELIVERED,	0 },
	/* A network code on a delivered receipt changes nothing. */
	{ "DELIVRD", "000", 3, 1,	GW_STATUS_DELIVERED,	0 },
	/* GSM MAP causes in network_error_code. */
	{ "UNDELIV", "000", 3, 1,	GW_STATUS_UNDELIVERED,	30005 },
	{ "UNDELIV", "000", 3, 5,	GW_STATUS_UNDELIVERED,	30005 },
	{ "UNDELIV", "000", 3, 6,	GW_STATUS_UNDELIVERED,	30003 },
	{ "UNDELIV", "000", 3, 27,	GW_STATUS_UNDELIVERED,	30003 },
	{ "UNDELIV", "000", 3, 31,	GW_STATUS_UNDELIVERED,	30003 },
	{ "UNDELIV", "000", 3, 32,	GW_STATUS_UNDELIVERED,	30003 },
	{ "UNDELIV", "000", 3, 13,	GW_STATUS_UNDELIVERED,	30004 },
	{ "UNDELIV", "000", 3, 11,	GW_STATUS_UNDELIVERED,	30006 },
	{ "UNDELIV", "000", 3, 10,	GW_STATUS_UNDELIVERED,	30006 },
	{ "UNDELIV", "000", 3, 21,	GW_STATUS_UNDELIVERED,	30011 },
	{ "UNDELIV", "000", 3, 34,	GW_STATUS_UNDELIVERED,	30008 },
	{ "UNDELIV", "000", 7, 0x65,	GW_STATUS_UNDELIVERED,	30007 },
	{ "UNDELIV", "000", 7, 0x66,	GW_STATUS_UNDELIVERED,	30007 },
	/* The network code outranks err; REJECTD makes it failed. */
	{ "UNDELIV", "013", 3, 1,	GW_STATUS_UNDELIVERED,	30005 },
	{ "REJECTD", "000", 3, 13,	GW_STATUS_FAILED,	30004 },
	/* An unknown network code falls through to err, then stat. */
	{ "UNDELIV", "000", 3, 999,	GW_STATUS_UNDELIVERED,	30003 },
	/* MAP causes in err. */
	{ "UNDELIV", "001", NONE,	GW_STATUS_UNDELIVERED,	30005 },
	{ "UNDELIV", "005", NONE,	GW_STATUS_UNDELIVERED,	30005 },
	{ "UNDELIV", "006", NONE,	GW_STATUS_UNDELIVERED,	30003 },
	{ "UNDELIV", "027", NONE,	GW_STATUS_UNDELIVERED,	30003 },
	{ "UNDELIV", "013", NONE,	GW_STATUS_UNDELIVERED,	30004 },
	{ "UNDELIV", "011", NONE,	GW_STATUS_UNDELIVERED,	30006 },
	{ "UNDELIV", "021", NONE,	GW_STATUS_UNDELIVERED,	30011 },
	/* Stat words alone. */
	{ "UNDELIV", "000", NONE,	GW_STATUS_UNDELIVERED,	30003 },
	{ "UNDELIV", "",    NONE,	GW_STATUS_UNDELIVERED,	30003 },
	{ "EXPIRED", "000", NONE,	GW_STATUS_UNDELIVERED,	30003 },
	{ "DELETED", "000", NONE,	GW_STATUS_UNDELIVERED,	30008 },
	{ "REJECTD", "000", NONE,	GW_STATUS_FAILED,	30007 },
	{ "UNKNOWN", "000", NONE,	GW_STATUS_UNDELIVERED,	30008 },
	/* A word no row knows: final, unknown error. */
	{ "BADSTAT", "000", NONE,	GW_STATUS_UNDELIVERED,	30008 },
};

static void
receipt_fill(struct gw_receipt *rc, const char *stat, const char *err,
    int type, int code)
{
	memset(rc, 0, sizeof *rc);
	snprintf(rc->stat, sizeof rc->stat, "%s", stat);
	snprintf(rc->err, sizeof rc->err, "%s", err);
	rc->network_type = type;
	rc->network_code = code;
}

START_TEST(test_receipt_defaults)
{
	struct gw_receipt rc;
	int status = 12345, code;

	receipt_fill(&rc, receipt_cases[_i].stat, receipt_cases[_i].err,
	    receipt_cases[_i].network_type, receipt_cases[_i].network_code);
	code = gw_errmap_receipt(NULL, &rc, &status);
	ck_assert_msg(code == receipt_cases[_i].code &&
	    status == receipt_cases[_i].status,
	    "case %d (%s err %s net %d/%d): code %d status %d", _i,
	    receipt_cases[_i].stat, receipt_cases[_i].err,
	    receipt_cases[_i].network_type, receipt_cases[_i].network_code,
	    code, status);
}
END_TEST

/* A route's rules come first; what they leave alone keeps the table. */
START_TEST(test_route_overrides)
{
	struct gateway_error_rule rules[3];
	struct gateway_route route;
	struct gw_receipt rc;
	int status, retry, code;

	memset(&route, 0, sizeof route);
	memset(rules, 0, sizeof rules);
	rules[0].kind = GATEWAY_OUTCOME_SUBMIT;
	rules[0].command_status = SMPP_ESME_RINVSRCADR;
	rules[0].error_code = 30032;
	rules[0].status = -1;
	rules[1].kind = GATEWAY_OUTCOME_NETWORK;
	rules[1].network_type = 3;
	rules[1].network_code = 1;
	rules[1].error_code = 30003;
	rules[1].status = -1;
	rules[2].kind = GATEWAY_OUTCOME_RECEIPT;
	snprintf(rules[2].stat, sizeof rules[2].stat, "EXPIRED");
	rules[2].network_type = rules[2].network_code = -1;
	rules[2].error_code = 30036;
	rules[2].status = GW_STATUS_FAILED;
	route.error_rules = rules;
	route.nerror_rules = 3;

	code = gw_errmap_submit(&route, SMPP_ESME_RINVSRCADR, &status, &retry);
	ck_assert_int_eq(code, 30032);
	ck_assert_int_eq(status, GW_STATUS_FAILED);
	ck_assert_int_eq(retry, 0);
	code = gw_errmap_submit(&route, SMPP_ESME_RTHROTTLED, &status, &retry);
	ck_assert_int_eq(retry, 1);

	receipt_fill(&rc, "UNDELIV", "000", 3, 1);
	ck_assert_int_eq(gw_errmap_receipt(&route, &rc, &status), 30003);
	ck_assert_int_eq(status, GW_STATUS_UNDELIVERED);
	receipt_fill(&rc, "EXPIRED", "000", -1, -1);
	ck_assert_int_eq(gw_errmap_receipt(&route, &rc, &status), 30036);
	ck_assert_int_eq(status, GW_STATUS_FAILED);
	receipt_fill(&rc, "UNDELIV", "000", 3, 13);
	ck_assert_int_eq(gw_errmap_receipt(&route, &rc, &status), 30004);
}
END_TEST

static Suite *
errmap_suite(void)
{
	Suite	*s = suite_create("gw_errmap");
	TCase	*tc = tcase_create("errmap");

	tcase_add_loop_test(tc, test_submit_defaults, 0, nitems(submit_cases));
	tcase_add_loop_test(tc, test_receipt_defaults, 0,
	    nitems(receipt_cases));
	tcase_add_test(tc, test_route_overrides);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(errmap_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
