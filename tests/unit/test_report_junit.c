/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "report_fixture.h"

static xmlDocPtr parse(const char *xml)
{
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "junit.xml", NULL,
				      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);

	assert_non_null(doc);
	return doc;
}

static size_t count_children(xmlNodePtr n, const char *name)
{
	size_t c = 0;

	for (n = n->children; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, BAD_CAST name) == 0)
			c++;
	return c;
}

static xmlNodePtr child(xmlNodePtr n, const char *name, size_t index)
{
	for (n = n->children; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, BAD_CAST name) == 0 &&
		    index-- == 0)
			return n;
	return NULL;
}

static xmlNodePtr first_element(xmlNodePtr n)
{
	for (n = n->children; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			return n;
	fail_msg("no child element");
	return NULL;
}

static void assert_prop(xmlNodePtr n, const char *name, const char *want)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST name);

	assert_non_null(v);
	assert_string_equal((const char *)v, want);
	xmlFree(v);
}

static void test_report_junit_basic(void **state)
{
	struct vmsc_result *r = fixture_basic();
	char *out = render(vmsc_report_junit, r, false, false);
	xmlDocPtr doc;
	xmlNodePtr root, suite, tc, props;
	size_t i;

	(void)state;
	assert_golden(out, "junit-basic.xml");
	doc = parse(out);
	root = xmlDocGetRootElement(doc);
	assert_string_equal((const char *)root->name, "testsuites");
	assert_int_equal(count_children(root, "testsuite"), 1);
	suite = child(root, "testsuite", 0);
	assert_prop(suite, "name", "vc01.example.com");
	assert_prop(suite, "tests", "8");
	assert_prop(suite, "failures", "4");
	assert_prop(suite, "errors", "1");
	assert_prop(suite, "skipped", "1");
	assert_int_equal(count_children(suite, "testcase"), 8);
	/* Exactly one <failure> per failing testcase, whatever its findings. */
	for (i = 0; i < 8; i++) {
		tc = child(suite, "testcase", i);
		assert_prop(tc, "classname", "vc01.example.com");
		assert_true(count_children(tc, "failure") <= 1);
	}
	tc = child(suite, "testcase", 4);
	assert_prop(tc, "name", "sql-01");
	assert_prop(child(tc, "failure", 0), "type", "independent-disk");
	assert_prop(child(tc, "failure", 0), "message",
		    "independent-disk: Hard disk 2 is independent_persistent (+1 more)");
	/* the expected consistency as properties, first in the testcase */
	assert_string_equal((const char *)first_element(tc)->name, "properties");
	props = child(tc, "properties", 0);
	assert_int_equal(count_children(props, "property"), 3);
	assert_prop(child(props, "property", 0), "name", "consistency");
	assert_prop(child(props, "property", 0), "value", "application");
	assert_prop(child(props, "property", 1), "name", "limitedBy");
	assert_prop(child(props, "property", 1), "value", "guest-os");
	assert_prop(child(props, "property", 2), "name", "probed");
	assert_prop(child(props, "property", 2), "value", "filesystem");
	tc = child(suite, "testcase", 3);
	assert_prop(tc, "name", "ft-05");
	assert_prop(child(child(tc, "properties", 0), "property", 1), "value",
		    "fault-tolerance,passthrough-device");
	/* a skipped or unknown VM has no expected level: no properties */
	tc = child(suite, "testcase", 5);
	assert_prop(tc, "name", "tmpl-base");
	assert_int_equal(count_children(tc, "properties"), 0);
	tc = child(suite, "testcase", 1);
	assert_prop(tc, "name", "db-03");
	assert_int_equal(count_children(tc, "properties"), 0);
	xmlFreeDoc(doc);
	free(out);
	vmsc_result_free(r);
}

static void test_report_junit_escaping(void **state)
{
	struct vmsc_result *r = fixture_nasty();
	char *out = render(vmsc_report_junit, r, false, false);
	xmlDocPtr doc;
	xmlNodePtr root, suite, tc;
	xmlChar *text;

	(void)state;
	assert_golden(out, "junit-nasty.xml");
	/* Well-formed despite quotes, control characters and invalid UTF-8. */
	doc = parse(out);
	root = xmlDocGetRootElement(doc);
	assert_prop(root, "tests", "6");
	assert_prop(root, "failures", "3");
	assert_prop(root, "errors", "2");
	assert_int_equal(count_children(root, "testsuite"), 3);

	suite = child(root, "testsuite", 0);
	tc = child(suite, "testcase", 3);
	assert_prop(tc, "name", "say \"hi\" \\ bye");
	text = xmlNodeGetContent(child(tc, "failure", 0));
	assert_string_equal((const char *)text,
			    "[error] snapshot-count: 32 snapshots, chain 32 deep\nsecond line\n"
			    "    fix: =HYPERLINK(\"x\")\n");
	xmlFree(text);

	/* The unreachable vCenter is a testcase with an <error>. */
	suite = child(root, "testsuite", 1);
	assert_prop(suite, "name", "vc02.example.com");
	tc = child(suite, "testcase", 0);
	assert_prop(tc, "name", "vCenter connection");
	assert_prop(child(tc, "error", 0), "message", "connection to 'vc02.example.com' refused");

	/* And so is the unfinished run. */
	suite = child(root, "testsuite", 2);
	assert_prop(suite, "name", "vmsnapcheck");
	assert_prop(child(child(suite, "testcase", 0), "error", 0), "message",
		    "interrupted by SIGTERM");
	xmlFreeDoc(doc);
	free(out);
	vmsc_result_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_junit_basic),
		cmocka_unit_test(test_report_junit_escaping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
