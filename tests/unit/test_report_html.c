/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "report_fixture.h"

/*
 * The HTML page: exact output (golden files), one <tr data-vm> per VM in
 * the documented order, every server string escaped, links to the rules
 * documentation.  tests/integration/test_html.sh renders it in Chromium.
 */

static char *render_html(const struct vmsc_result *r, const char *docs_url)
{
	struct vmsc_report_options o = { .tool_version = "0.1.0", .docs_url = docs_url };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(vmsc_report_html(r, &o, f), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static struct vmsc_vm_result *vm_named(struct vmsc_result *r, const char *name)
{
	for (size_t i = 0; i < r->n_vms; i++)
		if (!strcmp(r->vms[i].name, name))
			return &r->vms[i];
	fail_msg("no VM '%s' in the fixture", name);
	return NULL;
}

/* fixture_basic with expected levels as the rules would set them (skipped
 * and unknown VMs have none). */
static struct vmsc_result *basic_with_levels(void)
{
	struct vmsc_result *r = fixture_basic();

	vm_named(r, "web-01")->consistency.expected = VMSC_LEVEL_FILESYSTEM;
	vm_named(r, "sql-01")->consistency.expected = VMSC_LEVEL_APPLICATION;
	vm_named(r, "app-02")->consistency.expected = VMSC_LEVEL_CRASH;
	vm_named(r, "\xc3\x9c" "bung-vm")->consistency.expected = VMSC_LEVEL_FILESYSTEM;
	return r;
}

/* fixture_nasty plus names that are markup. */
static struct vmsc_result *nasty_with_markup(void)
{
	struct vmsc_result *r = fixture_nasty();
	struct vmsc_vm_result *vm;

	vm = fixture_vm(r, 0, "<script>alert(1)</script>", "vm-5", "poweredOn", "otherGuest");
	fixture_finding(vm, "tools-not-running", VMSC_SEV_ERROR,
			"VMware Tools not running in <b>\"x\"</b> & 'y'", "<img src=x onerror=alert(1)>");
	vm->consistency.expected = VMSC_LEVEL_NONE;
	fixture_vm(r, 0, "acc-\xc3\xbcmlaut & <co>, \"q\"", "vm-6", "poweredOn", "otherGuest");
	vmsc_result_finish(r);
	return r;
}

static void test_report_html_basic(void **state)
{
	struct vmsc_result *r = basic_with_levels();
	char *out = render_html(r, NULL);

	(void)state;
	assert_golden(out, "html-basic.html");
	free(out);
	vmsc_result_free(r);
}

static void test_report_html_escaping(void **state)
{
	struct vmsc_result *r = nasty_with_markup();
	char *out = render_html(r, "https://example.com/docs/rules.md?a=1&b=\"2\"");

	(void)state;
	assert_golden(out, "html-nasty.html");
	free(out);
	vmsc_result_free(r);
}

/* Counts non-overlapping occurrences. */
static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void test_report_html_markup_is_text(void **state)
{
	struct vmsc_result *r = nasty_with_markup();
	char *out = render_html(r, "https://example.com/docs/rules.md?a=1&b=\"2\"");

	(void)state;
	/* our script is the only one, and no server string opens a tag */
	assert_int_equal(count(out, "<script"), 1);
	assert_null(strstr(out, "<img"));
	assert_null(strstr(out, "<b>"));
	assert_non_null(strstr(out, "<tr data-vm=\"&lt;script&gt;alert(1)&lt;/script&gt;\" "
				    "data-status=\"error\" data-consistency=\"none\">"));
	assert_non_null(strstr(out, "<td class=\"name\">acc-\xc3\xbcmlaut &amp; &lt;co&gt;, "
				    "&quot;q&quot;</td>"));
	assert_non_null(strstr(out, "VMware Tools not running in &lt;b&gt;&quot;x&quot;&lt;/b&gt; "
				    "&amp; &#39;y&#39;"));
	/* the docs URL is an attribute value like any other */
	assert_non_null(strstr(out, "href=\"https://example.com/docs/rules.md?a=1&amp;b=&quot;2&quot;"
				    "#tools-not-running\""));
	/* control characters cannot reach the page; invalid UTF-8 is repaired */
	assert_null(strchr(out, '\a'));
	assert_null(strchr(out, '\x1b'));
	assert_null(strstr(out, "\xff"));
	free(out);
	vmsc_result_free(r);
}

/* Every VM is one row, failing VMs first (unknown, error, warning), then ok,
 * then skipped; the same result gives the same bytes. */
static void test_report_html_rows(void **state)
{
	struct vmsc_result *r = basic_with_levels();
	char *out = render_html(r, NULL), *again = render_html(r, NULL);
	static const char *const order[] = {
		"<tr data-vm=\"db-03\" data-status=\"unknown\" data-consistency=\"\">",
		"<tr data-vm=\"sql-01\" data-status=\"error\" data-consistency=\"application\">",
		"<tr data-vm=\"app-02\" data-status=\"warning\" data-consistency=\"crash\">",
		"<tr data-vm=\"web-01\" data-status=\"ok\" data-consistency=\"filesystem\">",
		"<tr data-vm=\"\xc3\x9c" "bung-vm\" data-status=\"ok\" data-consistency=\"filesystem\">",
		"<tr data-vm=\"tmpl-base\" data-status=\"skipped\" data-consistency=\"\">",
	};
	const char *at = out;

	(void)state;
	assert_int_equal(count(out, "<tr data-vm="), r->n_vms);
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		const char *p = strstr(at, order[i]);

		if (!p)
			fail_msg("row %zu out of order or missing: %s", i, order[i]);
		at = p + 1;
	}
	assert_string_equal(out, again);
	/* the default links are the installed docs, anchors as "## id" gives them */
	assert_non_null(strstr(out, "href=\"file:///usr/share/doc/vmsnapcheck/rules.md#rdm-physical\""));
	/* summary counts and levels, machine-readable */
	assert_non_null(strstr(out, "<td class=\"n\" data-count=\"ok\">2</td>"));
	assert_non_null(strstr(out, "<td class=\"n\" data-count=\"warning\">1</td>"));
	assert_non_null(strstr(out, "<td class=\"n\" data-count=\"filesystem\">2</td>"));
	assert_non_null(strstr(out, "<td class=\"n\" data-count=\"unset\">2</td>"));
	/* nothing to fetch: a policy that forbids it, and no URL but the links */
	assert_non_null(strstr(out, "default-src 'none'"));
	assert_null(strstr(out, "src="));
	assert_null(strstr(out, "url("));
	assert_null(strstr(out, "@import"));
	assert_non_null(strstr(out, "@page { size: A4;"));
	assert_non_null(strstr(out, "prefers-color-scheme: dark"));
	free(again);
	free(out);
	vmsc_result_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_html_basic),
		cmocka_unit_test(test_report_html_escaping),
		cmocka_unit_test(test_report_html_markup_is_text),
		cmocka_unit_test(test_report_html_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
