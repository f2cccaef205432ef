/* SPDX-License-Identifier: GPL-2.0-or-later */
/* src/explain.c: `vmsnapcheck explain` prints docs/rules.md's own entries. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vmsnapcheck/explain.h"
#include "vmsnapcheck/rules.h"

static char *run(const char *rule, int *rc, char **err_text)
{
	char *out = NULL, *err = NULL;
	size_t on = 0, en = 0;
	FILE *o = open_memstream(&out, &on), *e = open_memstream(&err, &en);

	assert_non_null(o);
	assert_non_null(e);
	*rc = vmsc_explain(rule, o, e);
	fclose(o);
	fclose(e);
	*err_text = err;
	return out;
}

static void test_explain_every_rule(void **state)
{
	size_t n;
	const struct vmsc_rule *rules = vmsc_rules(&n);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		char *err, *out;
		int rc;

		out = run(rules[i].id, &rc, &err);
		assert_int_equal(rc, 0);
		assert_string_equal(err, "");
		/* what it checks, its cap, the fix and where that comes from */
		if (!strstr(out, "Checks") || !strstr(out, "Consistency cap:") ||
		    !strstr(out, "Fix") || !strstr(out, "Source"))
			fail_msg("explain %s lacks a part:\n%s", rules[i].id, out);
		assert_non_null(strstr(out, rules[i].title));
		assert_null(strstr(out, "**"));
		/* one entry, not the next rule's too */
		assert_null(strstr(out, "\n## "));
		free(out);
		free(err);
	}
}

static void test_explain_list_and_unknown(void **state)
{
	char *err, *out;
	int rc;

	(void)state;
	out = run(NULL, &rc, &err);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "quiesce-enableuuid"));
	assert_non_null(strstr(out, "filesystem"));
	free(out);
	free(err);

	out = run("tools-outdatd", &rc, &err);
	assert_int_equal(rc, 3);
	assert_string_equal(out, "");
	assert_string_equal(err, "vmsnapcheck: unknown rule 'tools-outdatd': did you mean "
			    "'tools-outdated'? (vmsnapcheck explain lists them)\n");
	free(out);
	free(err);

	out = run("enableuuid", &rc, &err);
	assert_int_equal(rc, 3);
	assert_non_null(strstr(err, "did you mean 'quiesce-enableuuid'?"));
	free(out);
	free(err);

	out = run("zzzzzzzzzzzzzzzzzzzzzzzzzzzz", &rc, &err);
	assert_int_equal(rc, 3);
	assert_string_equal(err, "vmsnapcheck: unknown rule 'zzzzzzzzzzzzzzzzzzzzzzzzzzzz': "
			    "(vmsnapcheck explain lists them)\n");
	free(out);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_explain_every_rule),
		cmocka_unit_test(test_explain_list_and_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
