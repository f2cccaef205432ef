/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "report_fixture.h"

static void test_report_text_basic(void **state)
{
	struct vmsc_result *r = fixture_basic();
	char *out = render(vmsc_report_text, r, false, false);

	(void)state;
	assert_golden(out, "text-basic.txt");
	assert_null(strchr(out, '\033'));
	free(out);
	vmsc_result_free(r);
}

static void test_report_text_verbose(void **state)
{
	struct vmsc_result *r = fixture_basic();
	char *out = render(vmsc_report_text, r, false, true);

	(void)state;
	assert_golden(out, "text-basic-verbose.txt");
	free(out);
	vmsc_result_free(r);
}

static void test_report_text_color(void **state)
{
	struct vmsc_result *r = fixture_basic();
	char *out = render(vmsc_report_text, r, true, true);

	(void)state;
	assert_golden(out, "text-basic-color.txt");
	assert_non_null(strstr(out, "\033[31merror\033[0m  "));
	assert_non_null(strstr(out, "\033[32mok\033[0m     "));
	free(out);
	vmsc_result_free(r);
}

static void test_report_text_escaping(void **state)
{
	struct vmsc_result *r = fixture_nasty();
	char *out = render(vmsc_report_text, r, false, true);
	const char *p;

	(void)state;
	assert_golden(out, "text-nasty.txt");
	/* Names and messages cannot inject terminal controls or lines. */
	for (p = out; *p; p++)
		assert_true(*p == '\n' || (unsigned char)*p >= 0x20);
	assert_null(strchr(out, '\x7f'));
	free(out);
	vmsc_result_free(r);
}

/* Columns line up by code points, not bytes. */
static void test_report_text_utf8_width(void **state)
{
	static const char *const names[] = {
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", /* 5 code points, 10 bytes */
		"abcdefg",
		"\xe6\x97\xa5\xe6\x9c\xac",                 /* 2 code points, 6 bytes */
	};
	struct vmsc_result *r;
	char *out, *line, *save = NULL;
	size_t i, col = 0;

	(void)state;
	fixture_env();
	r = vmsc_result_new();
	vmsc_result_add_vcenter(r, "u", "vc");
	for (i = 0; i < 3; i++)
		fixture_vm(r, 0, names[i], "vm-1", "poweredOn", NULL);
	vmsc_result_finish(r);
	out = render(vmsc_report_text, r, false, true);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *power = strstr(line, "POWER");
		size_t cps = 0;
		const char *p;

		if (!power)
			power = strstr(line, "poweredOn");
		if (!power)
			continue;
		for (p = line; p < power; p++)
			cps += ((unsigned char)*p & 0xC0) != 0x80;
		if (col == 0)
			col = cps;
		assert_int_equal(cps, col);
	}
	assert_int_equal(col, strlen("STATUS  ") + strlen("abcdefg  "));
	free(out);
	vmsc_result_free(r);
}

static void test_report_text_all_ok(void **state)
{
	struct vmsc_result *r;
	struct vmsc_vm_result *vm;
	char *out;

	(void)state;
	fixture_env();
	r = vmsc_result_new();
	vmsc_result_add_vcenter(r, "u", "vc");
	fixture_vm(r, 0, "a", "vm-1", "poweredOn", NULL);
	vm = fixture_vm(r, 0, "b", "vm-2", "poweredOff", NULL);
	vm->status = VMSC_STATUS_SKIPPED;
	vmsc_result_finish(r);
	out = render(vmsc_report_text, r, false, false);
	assert_string_equal(out, "2 VMs: 1 ok, 0 warning, 0 error, 0 unknown, 1 skipped\n");
	free(out);
	vmsc_result_free(r);
}

/* A VM named on the command line shows in the table even when it is
 * skipped or ok, with its reason; without -v. */
static void test_report_text_named_vm_shown(void **state)
{
	struct vmsc_result *r;
	struct vmsc_vm_result *vm;
	char *out;

	(void)state;
	fixture_env();
	r = vmsc_result_new();
	vmsc_result_add_vcenter(r, "https://vc/sdk", "vc");
	vm = fixture_vm(r, 0, "tmpl-01", "vm-9", "poweredOff", NULL);
	vm->status = VMSC_STATUS_SKIPPED;
	vm->named = true;
	vmsc_vm_result_set_reason(vm, "template");
	fixture_vm(r, 0, "other-01", "vm-8", "poweredOff", NULL)->status = VMSC_STATUS_SKIPPED;
	vmsc_result_finish(r);
	out = render(vmsc_report_text, r, false, false);
	assert_non_null(strstr(out, "tmpl-01"));
	assert_non_null(strstr(out, "template"));
	assert_null(strstr(out, "other-01"));
	free(out);
	vmsc_result_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_text_named_vm_shown),
		cmocka_unit_test(test_report_text_basic),
		cmocka_unit_test(test_report_text_verbose),
		cmocka_unit_test(test_report_text_color),
		cmocka_unit_test(test_report_text_escaping),
		cmocka_unit_test(test_report_text_utf8_width),
		cmocka_unit_test(test_report_text_all_ok),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
