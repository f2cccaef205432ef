/* SPDX-License-Identifier: GPL-2.0-or-later */
/* --baseline in the reports: the basic fixture compared with an earlier
 * report of the same vCenter (golden files *-baseline.*), and what readers
 * take from the JSON. */
#include <jansson.h>

#include "report_fixture.h"
#include "vmsnapcheck/baseline.h"

/* Yesterday's report of fixture_basic's vCenter: app-02 was named app-02-old
 * (same moid), sql-01's snapshot was younger and it had no independent
 * disk, web-01 had too many snapshots, ft-05 no passthrough device, and
 * tmpl-base (skipped now) and a deleted VM had findings. */
static const char BASELINE[] =
	"{\"schemaVersion\": 1, \"generated\": \"2024-04-30T12:00:00Z\", \"status\": \"error\", "
	"\"exitCode\": 2, \"vcenters\": [{\"url\": \"https://vc01.example.com/sdk\", "
	"\"name\": \"vc01.example.com\"}], \"summary\": {\"vms\": 9}, \"vms\": ["
	"{\"vcenter\": \"vc01.example.com\", \"name\": \"web-01\", \"moid\": \"vm-101\", \"findings\": ["
	" {\"rule\": \"snapshot-count\", \"severity\": \"warning\", \"message\": \"12 snapshots (limit 8)\"}]},"
	"{\"vcenter\": \"vc01.example.com\", \"name\": \"sql-01\", \"moid\": \"vm-102\", \"findings\": ["
	" {\"rule\": \"snapshot-age\", \"severity\": \"warning\", "
	"  \"message\": \"oldest snapshot \\\"before upgrade\\\" is 96 hours old (limit 72)\"}]},"
	"{\"vcenter\": \"vc01.example.com\", \"name\": \"app-02-old\", \"moid\": \"vm-103\", \"findings\": ["
	" {\"rule\": \"tools-outdated\", \"severity\": \"warning\", "
	"  \"message\": \"VMware Tools 11.0.5 is older than supported (guestToolsSupportedOld)\"},"
	" {\"rule\": \"rdm-physical\", \"severity\": \"error\", \"message\": \"Hard disk 3 is a physical-mode RDM\"}]},"
	"{\"vcenter\": \"vc01.example.com\", \"name\": \"tmpl-base\", \"moid\": \"vm-104\", \"findings\": ["
	" {\"rule\": \"tools-outdated\", \"severity\": \"warning\", \"message\": \"old\"}]},"
	"{\"vcenter\": \"vc01.example.com\", \"name\": \"\\u00dcbung-vm\", \"moid\": \"vm-106\", \"findings\": ["
	" {\"rule\": \"guest-disk-space\", \"severity\": \"warning\", \"message\": \"/var has 4% free (limit 10%)\"}]},"
	"{\"vcenter\": \"vc01.example.com\", \"name\": \"file-04\", \"moid\": \"vm-107\", \"findings\": ["
	" {\"rule\": \"tools-not-running\", \"severity\": \"error\", \"message\": \"VMware Tools is not running\"}]},"
	"{\"vcenter\": \"vc01.example.com\", \"name\": \"ft-05\", \"moid\": \"vm-108\", \"findings\": ["
	" {\"rule\": \"fault-tolerance\", \"severity\": \"error\", \"message\": \"Fault Tolerance is running\"}]},"
	"{\"vcenter\": \"vc01.example.com\", \"name\": \"deleted\", \"moid\": \"vm-100\", \"findings\": ["
	" {\"rule\": \"fault-tolerance\", \"severity\": \"error\", \"message\": \"Fault Tolerance is running\"}]}"
	"]}";

static struct vmsc_result *compared(bool fail_on_new)
{
	struct vmsc_result *r = fixture_basic();
	struct vmsc_error err = { 0 };
	struct vmsc_baseline *b = vmsc_baseline_parse(BASELINE, strlen(BASELINE), "old.json", &err);

	if (!b)
		fail_msg("%s", err.message);
	r->fail_on_new = fail_on_new;
	assert_int_equal(vmsc_baseline_apply(b, r, &err), 0);
	vmsc_result_finish(r);
	vmsc_baseline_free(b);
	return r;
}

static void test_report_baseline_golden(void **state)
{
	struct vmsc_result *r = compared(false);
	char *out;

	(void)state;
	out = render(vmsc_report_json, r, false, false);
	assert_golden(out, "json-baseline.json");
	free(out);
	out = render(vmsc_report_text, r, false, false);
	assert_golden(out, "text-baseline.txt");
	free(out);
	out = render(vmsc_report_html, r, false, false);
	assert_golden(out, "html-baseline.html");
	free(out);
	vmsc_result_free(r);
}

static json_t *finding_of(json_t *root, const char *vm, const char *rule)
{
	size_t i, j;
	json_t *v, *f;

	json_array_foreach(json_object_get(root, "vms"), i, v) {
		if (strcmp(json_string_value(json_object_get(v, "name")), vm))
			continue;
		json_array_foreach(json_object_get(v, "findings"), j, f)
			if (!strcmp(json_string_value(json_object_get(f, "rule")), rule))
				return f;
	}
	fail_msg("no %s on %s", rule, vm);
	return NULL;
}

static const char *change_of(json_t *root, const char *vm, const char *rule)
{
	return json_string_value(json_object_get(finding_of(root, vm, rule), "change"));
}

static void test_report_baseline_json(void **state)
{
	struct vmsc_result *r = compared(false);
	char *out = render(vmsc_report_json, r, false, false);
	json_t *root = json_loads(out, 0, NULL), *res, *sum;

	(void)state;
	assert_non_null(root);
	assert_string_equal(change_of(root, "app-02", "tools-outdated"), "unchanged");
	assert_string_equal(change_of(root, "app-02", "rdm-physical"), "unchanged");
	assert_string_equal(change_of(root, "sql-01", "snapshot-age"), "unchanged");
	assert_string_equal(change_of(root, "sql-01", "independent-disk"), "new");
	assert_string_equal(change_of(root, "ft-05", "passthrough-device"), "new");
	assert_string_equal(change_of(root, "file-04", "tools-not-running"), "unchanged");
	sum = json_object_get(root, "summary");
	assert_int_equal(json_integer_value(json_object_get(sum, "new")), 2);
	assert_int_equal(json_integer_value(json_object_get(sum, "resolved")), 1);
	res = json_object_get(root, "resolved");
	assert_int_equal(json_array_size(res), 1);
	res = json_array_get(res, 0);
	assert_string_equal(json_string_value(json_object_get(res, "vcenter")), "vc01.example.com");
	assert_string_equal(json_string_value(json_object_get(res, "vm")), "web-01");
	assert_string_equal(json_string_value(json_object_get(res, "moid")), "vm-101");
	assert_string_equal(json_string_value(json_object_get(res, "rule")), "snapshot-count");
	assert_string_equal(json_string_value(json_object_get(res, "severity")), "warning");
	assert_string_equal(json_string_value(json_object_get(res, "message")), "12 snapshots (limit 8)");
	assert_int_equal(json_integer_value(json_object_get(root, "exitCode")), 3); /* db-03 */
	json_decref(root);
	free(out);
	vmsc_result_free(r);

	/* --fail-on new: the unknown db-03 still makes it 3 (test_baseline.c
	 * holds the 0/1/2 cases) */
	r = compared(true);
	assert_int_equal(r->exit_code, 3);
	assert_int_equal(r->status, VMSC_STATUS_UNKNOWN);
	vmsc_result_free(r);
}

/* Without a baseline no format gains a byte (the other goldens hold it);
 * with one, formats outside the contract stay as they were. */
static void test_report_baseline_other_formats_unchanged(void **state)
{
	static const vmsc_report_fn fns[] = { vmsc_report_csv, vmsc_report_junit,
					      vmsc_report_prometheus };
	struct vmsc_result *plain = fixture_basic(), *r = compared(false);

	(void)state;
	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		char *a = render(fns[i], plain, false, false), *b = render(fns[i], r, false, false);

		assert_string_equal(a, b);
		free(a);
		free(b);
	}
	vmsc_result_free(plain);
	vmsc_result_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_baseline_golden),
		cmocka_unit_test(test_report_baseline_json),
		cmocka_unit_test(test_report_baseline_other_formats_unchanged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
