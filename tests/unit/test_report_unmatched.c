/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A VM name or glob that matched no VM (`vmsnapcheck web-01 wbe-01`) makes
 * the run unknown, and every format names it: a report that drops it
 * silently looks like a clean check of what the user asked for.
 */
#include <jansson.h>

#include "report_fixture.h"

static struct vmsc_result *one_healthy_two_unmatched(void)
{
	struct vmsc_result *r;

	fixture_env();
	r = vmsc_result_new();
	assert_non_null(r);
	assert_int_not_equal(vmsc_result_add_vcenter(r, "https://vc/sdk", "vc"), (size_t)-1);
	fixture_vm(r, 0, "web-01", "vm-1", "poweredOn", "ubuntu64Guest");
	assert_int_equal(vmsc_result_add_unmatched(r, "wbe-01"), 0);
	assert_int_equal(vmsc_result_add_unmatched(r, "db-*"), 0);
	vmsc_result_finish(r);
	return r;
}

static void test_report_unmatched_result(void **state)
{
	struct vmsc_result *r = one_healthy_two_unmatched();

	(void)state;
	assert_int_equal(r->status, VMSC_STATUS_UNKNOWN);
	assert_int_equal(r->exit_code, 3);
	assert_int_equal(r->n_unmatched, 2);
	/* finishing again (after more changes) keeps it unknown */
	vmsc_result_finish(r);
	assert_int_equal(r->exit_code, 3);
	vmsc_result_free(r);
}

static void test_report_unmatched_text(void **state)
{
	struct vmsc_result *r = one_healthy_two_unmatched();
	char *out = render(vmsc_report_text, r, false, false);

	(void)state;
	assert_non_null(strstr(out, "no VM matches 'wbe-01', 'db-*': check the spelling "
				    "(globs are case-sensitive) or the scope\n"));
	free(out);
	vmsc_result_free(r);
}

static void test_report_unmatched_json(void **state)
{
	struct vmsc_result *r = one_healthy_two_unmatched();
	char *out = render(vmsc_report_json, r, false, false);
	json_error_t jerr;
	json_t *root = json_loads(out, 0, &jerr), *u;

	(void)state;
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root, "status")), "unknown");
	assert_int_equal(json_integer_value(json_object_get(root, "exitCode")), 3);
	u = json_object_get(root, "unmatched");
	assert_true(json_is_array(u));
	assert_int_equal(json_array_size(u), 2);
	assert_string_equal(json_string_value(json_array_get(u, 0)), "wbe-01");
	assert_string_equal(json_string_value(json_array_get(u, 1)), "db-*");
	json_decref(root);
	free(out);
	vmsc_result_free(r);
}

static void test_report_unmatched_csv(void **state)
{
	struct vmsc_result *r = one_healthy_two_unmatched();
	char *out = render(vmsc_report_csv, r, false, false);

	(void)state;
	assert_non_null(strstr(out, "\r\n,wbe-01,,unknown,,,,no VM matches 'wbe-01',,\r\n"));
	assert_non_null(strstr(out, "\r\n,db-*,,unknown,,,,no VM matches 'db-*',,\r\n"));
	free(out);
	vmsc_result_free(r);
}

static void test_report_unmatched_junit(void **state)
{
	struct vmsc_result *r = one_healthy_two_unmatched();
	char *out = render(vmsc_report_junit, r, false, false);

	(void)state;
	assert_non_null(strstr(out, "<testsuites name=\"vmsnapcheck\" tests=\"3\" failures=\"0\" "
				    "errors=\"2\""));
	assert_non_null(strstr(out, "<testcase classname=\"vmsnapcheck\" name=\"wbe-01\""));
	assert_non_null(strstr(out, "<error type=\"unmatched\" message=\"no VM matches 'wbe-01'\""));
	assert_non_null(strstr(out, "<testcase classname=\"vmsnapcheck\" name=\"db-*\""));
	free(out);
	vmsc_result_free(r);
}

static void test_report_unmatched_nagios(void **state)
{
	struct vmsc_result *r = one_healthy_two_unmatched();
	char *out = render(vmsc_report_nagios, r, false, false);

	(void)state;
	assert_true(strncmp(out, "VMSNAPCHECK UNKNOWN - no VM matches 'wbe-01', 'db-*'; 1 of 1 VMs "
				 "ready", 70) == 0);
	free(out);
	vmsc_result_free(r);
}

static void test_report_unmatched_prometheus(void **state)
{
	struct vmsc_result *r = one_healthy_two_unmatched();
	char *out = render(vmsc_report_prometheus, r, false, false);

	(void)state;
	assert_non_null(strstr(out, "\nvmsnapcheck_unmatched{name=\"wbe-01\"} 1\n"
				    "vmsnapcheck_unmatched{name=\"db-*\"} 1\n"));
	/* not a successful run: the staleness alert must fire */
	assert_null(strstr(out, "vmsnapcheck_last_success_timestamp_seconds "));
	free(out);
	vmsc_result_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_unmatched_result),
		cmocka_unit_test(test_report_unmatched_text),
		cmocka_unit_test(test_report_unmatched_json),
		cmocka_unit_test(test_report_unmatched_csv),
		cmocka_unit_test(test_report_unmatched_junit),
		cmocka_unit_test(test_report_unmatched_nagios),
		cmocka_unit_test(test_report_unmatched_prometheus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
