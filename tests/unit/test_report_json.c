/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <jansson.h>

#include "report_fixture.h"

static void test_report_json_basic(void **state)
{
	struct vmsc_result *r = fixture_basic();
	char *out = render(vmsc_report_json, r, true, true);

	(void)state;
	assert_golden(out, "json-basic.json");
	free(out);
	vmsc_result_free(r);
}

static void test_report_json_escaping(void **state)
{
	struct vmsc_result *r = fixture_nasty();
	char *out = render(vmsc_report_json, r, false, false);

	(void)state;
	assert_golden(out, "json-nasty.json");
	free(out);
	vmsc_result_free(r);
}

/* What a consumer reads back: the documented keys, values round-trip. */
static void test_report_json_parses_back(void **state)
{
	struct vmsc_result *r = fixture_nasty();
	char *out = render(vmsc_report_json, r, false, false);
	json_error_t jerr;
	json_t *root = json_loads(out, 0, &jerr);
	json_t *vm, *f;

	(void)state;
	assert_non_null(root);
	assert_int_equal(json_integer_value(json_object_get(root, "schemaVersion")), 1);
	assert_string_equal(json_string_value(json_object_get(root, "generated")),
			    "2024-05-01T12:00:00Z");
	assert_string_equal(json_string_value(json_object_get(root, "status")), "unknown");
	assert_int_equal(json_integer_value(json_object_get(root, "exitCode")), 3);
	assert_string_equal(json_string_value(json_object_get(root, "incomplete")),
			    "interrupted by SIGTERM");
	vm = json_array_get(json_object_get(root, "vms"), 3);
	assert_string_equal(json_string_value(json_object_get(vm, "name")), "say \"hi\" \\ bye");
	assert_string_equal(json_string_value(json_object_get(vm, "vcenter")), "vc01.example.com");
	f = json_array_get(json_object_get(vm, "findings"), 0);
	assert_string_equal(json_string_value(json_object_get(f, "message")),
			    "32 snapshots, chain 32 deep\nsecond line");
	assert_true(json_is_false(json_object_get(f, "waived")));
	assert_null(json_object_get(f, "waiver"));
	/* Invalid UTF-8 is repaired, not fatal. */
	vm = json_array_get(json_object_get(root, "vms"), 0);
	f = json_array_get(json_object_get(vm, "findings"), 0);
	assert_string_equal(json_string_value(json_object_get(f, "remedy")),
			    "bad utf-8: \xef\xbf\xbd\xef\xbf\xbd end");
	json_decref(root);
	free(out);
	vmsc_result_free(r);
}

static void test_report_json_complete_has_no_incomplete_key(void **state)
{
	struct vmsc_result *r = fixture_basic();
	char *out = render(vmsc_report_json, r, false, false);
	json_t *root = json_loads(out, 0, NULL);
	const char *key;
	json_t *v;
	static const char *const keys[] = {
		"schemaVersion", "generated", "status", "exitCode", "vcenters", "summary", "vms",
	};
	size_t i = 0;

	(void)state;
	assert_non_null(root);
	/* json_loads keeps insertion order for iteration in jansson >= 2.8. */
	json_object_foreach(root, key, v) {
		assert_true(i < sizeof(keys) / sizeof(keys[0]));
		assert_string_equal(key, keys[i++]);
	}
	assert_int_equal(i, sizeof(keys) / sizeof(keys[0]));
	json_decref(root);
	free(out);
	vmsc_result_free(r);
}

static json_t *vm_named(json_t *root, const char *name)
{
	size_t i;
	json_t *vm;

	json_array_foreach(json_object_get(root, "vms"), i, vm)
		if (strcmp(json_string_value(json_object_get(vm, "name")), name) == 0)
			return vm;
	fail_msg("no VM %s", name);
	return NULL;
}

/* consistency: expected level or null, limitedBy, probed only when measured;
 * summary counts VMs per level. */
static void test_report_json_consistency(void **state)
{
	struct vmsc_result *r = fixture_basic();
	char *out = render(vmsc_report_json, r, false, false);
	json_t *root = json_loads(out, 0, NULL);
	json_t *c, *sum;

	(void)state;
	assert_non_null(root);
	c = json_object_get(vm_named(root, "sql-01"), "consistency");
	assert_string_equal(json_string_value(json_object_get(c, "expected")), "application");
	assert_string_equal(json_string_value(json_object_get(c, "probed")), "filesystem");
	assert_int_equal(json_array_size(json_object_get(c, "limitedBy")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(c, "limitedBy"), 0)),
			    "guest-os");
	c = json_object_get(vm_named(root, "ft-05"), "consistency");
	assert_string_equal(json_string_value(json_object_get(c, "expected")), "none");
	assert_null(json_object_get(c, "probed"));
	assert_string_equal(json_string_value(json_array_get(json_object_get(c, "limitedBy"), 1)),
			    "passthrough-device");
	c = json_object_get(vm_named(root, "file-04"), "consistency");
	assert_string_equal(json_string_value(json_object_get(c, "expected")), "crash");
	/* skipped and unknown VMs: null, nothing limits what was not evaluated */
	c = json_object_get(vm_named(root, "tmpl-base"), "consistency");
	assert_true(json_is_null(json_object_get(c, "expected")));
	assert_int_equal(json_array_size(json_object_get(c, "limitedBy")), 0);
	c = json_object_get(vm_named(root, "db-03"), "consistency");
	assert_true(json_is_null(json_object_get(c, "expected")));
	sum = json_object_get(json_object_get(root, "summary"), "consistency");
	assert_int_equal(json_integer_value(json_object_get(sum, "application")), 1);
	assert_int_equal(json_integer_value(json_object_get(sum, "filesystem")), 3);
	assert_int_equal(json_integer_value(json_object_get(sum, "crash")), 1);
	assert_int_equal(json_integer_value(json_object_get(sum, "none")), 1);
	json_decref(root);
	free(out);
	vmsc_result_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_json_basic),
		cmocka_unit_test(test_report_json_escaping),
		cmocka_unit_test(test_report_json_parses_back),
		cmocka_unit_test(test_report_json_complete_has_no_incomplete_key),
		cmocka_unit_test(test_report_json_consistency),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
