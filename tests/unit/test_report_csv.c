/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "report_fixture.h"

static void test_report_csv_basic(void **state)
{
	struct vmsc_result *r = fixture_basic();
	char *out = render(vmsc_report_csv, r, false, false);

	(void)state;
	assert_golden(out, "csv-basic.csv");
	free(out);
	vmsc_result_free(r);
}

static void test_report_csv_escaping(void **state)
{
	struct vmsc_result *r = fixture_nasty();
	char *out = render(vmsc_report_csv, r, false, false);

	(void)state;
	assert_golden(out, "csv-nasty.csv");
	free(out);
	vmsc_result_free(r);
}

/* One cell at a time: quoting (RFC 4180) and the formula guard. */
static void test_report_csv_cells(void **state)
{
	static const struct {
		const char *name;
		const char *cell;
	} cases[] = {
		{ "plain", "plain" },
		{ "a,b", "\"a,b\"" },
		{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
		{ "two\nlines", "\"two\nlines\"" },
		{ "cr\rhere", "\"cr\rhere\"" },
		{ "=1+2", "'=1+2" },
		{ "+1", "'+1" },
		{ "-1", "'-1" },
		{ "@SUM(A1)", "'@SUM(A1)" },
		{ "\tx", "'\tx" },
		{ "\rx", "\"'\rx\"" },
		{ "=HYPERLINK(\"x\",\"y\")", "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"" },
		{ "a=b", "a=b" },
		{ "\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vmsc_result *r;
		char *out, want[256];

		fixture_env();
		r = vmsc_result_new();
		vmsc_result_add_vcenter(r, "u", "vc");
		fixture_vm(r, 0, cases[i].name, "vm-1", "poweredOn", NULL);
		vmsc_result_finish(r);
		out = render(vmsc_report_csv, r, false, false);
		snprintf(want, sizeof(want),
			 "vcenter,vm,moid,status,rule,severity,waived,message,remedy,"
			 "consistency\r\n"
			 "vc,%s,vm-1,ok,,,,,,\r\n", cases[i].cell);
		assert_string_equal(out, want);
		free(out);
		vmsc_result_free(r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_csv_basic),
		cmocka_unit_test(test_report_csv_escaping),
		cmocka_unit_test(test_report_csv_cells),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
