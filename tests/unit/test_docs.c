/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_util.h"

#include "vmsnapcheck/rules.h"

#define RULES_MD VMSC_TEST_DATA "/../../docs/rules.md"

/* Whether `text` has the line "## <id>" exactly. */
static int has_heading(const char *text, const char *id)
{
	size_t n = strlen(id);
	const char *p = text;

	while ((p = strstr(p, "## ")) != NULL) {
		int at_line_start = p == text || p[-1] == '\n';

		if (at_line_start && strncmp(p + 3, id, n) == 0 &&
		    (p[3 + n] == '\n' || p[3 + n] == '\0'))
			return 1;
		p += 3;
	}
	return 0;
}

static void test_docs_every_rule_documented(void **state)
{
	const struct vmsc_rule *rules;
	char *text = test_read_file(RULES_MD, NULL);
	size_t n, i;
	int missing = 0;

	(void)state;
	rules = vmsc_rules(&n);
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		if (!has_heading(text, rules[i].id)) {
			print_error("docs/rules.md has no '## %s' heading\n", rules[i].id);
			missing++;
		}
	}
	free(text);
	assert_int_equal(missing, 0);
}

static void test_docs_no_unknown_rule_headings(void **state)
{
	char *text = test_read_file(RULES_MD, NULL);
	char *line, *save = NULL;
	int unknown = 0;

	(void)state;
	/* Every "## x" heading that looks like a rule id names a rule: a renamed
	 * rule must not leave its old section behind. */
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *id = line + 3;

		if (strncmp(line, "## ", 3) != 0 || strspn(id, "abcdefghijklmnopqrstuvwxyz-") !=
							      strlen(id))
			continue;
		if (!vmsc_rule_find(id)) {
			print_error("docs/rules.md documents unknown rule '%s'\n", id);
			unknown++;
		}
	}
	free(text);
	assert_int_equal(unknown, 0);
}

/* The section's "**Consistency cap:** `LEVEL`" agrees with the table. */
static void test_docs_caps(void **state)
{
	const struct vmsc_rule *rules;
	char *text = test_read_file(RULES_MD, NULL);
	size_t n, i;
	int wrong = 0;

	(void)state;
	rules = vmsc_rules(&n);
	for (i = 0; i < n; i++) {
		const char *want = rules[i].cap ? vmsc_level_name(rules[i].cap) : "-";
		char heading[128], *sec, *end, *cap;

		snprintf(heading, sizeof(heading), "\n## %s\n", rules[i].id);
		sec = strstr(text, heading);
		if (!sec)
			continue; /* test_docs_every_rule_documented says so */
		end = strstr(sec + 1, "\n## ");
		cap = strstr(sec, "**Consistency cap:** `");
		if (!cap || (end && cap > end) ||
		    strncmp(cap + strlen("**Consistency cap:** `"), want, strlen(want)) != 0 ||
		    cap[strlen("**Consistency cap:** `") + strlen(want)] != '`') {
			print_error("docs/rules.md: '%s' needs \"**Consistency cap:** `%s`\"\n",
				    rules[i].id, want);
			wrong++;
		}
	}
	free(text);
	assert_int_equal(wrong, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docs_every_rule_documented),
		cmocka_unit_test(test_docs_no_unknown_rule_headings),
		cmocka_unit_test(test_docs_caps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
