/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "vmsnapcheck/explain.h"
#include "vmsnapcheck/rules.h"

/* docs/rules.md, embedded by cmake/embed.cmake */
extern const char vmsc_rules_doc[];
extern const unsigned long vmsc_rules_doc_len;

char *vmsc_explain_text(const char *rule)
{
	char heading[128];
	const char *start, *end;
	size_t n;

	if (!rule || snprintf(heading, sizeof(heading), "\n## %s\n", rule) >= (int)sizeof(heading))
		return NULL;
	start = strstr(vmsc_rules_doc, heading);
	if (!start)
		return NULL;
	start += strlen(heading);
	end = strstr(start, "\n## ");
	n = end ? (size_t)(end - start) : strlen(start);
	while (n && (start[n - 1] == '\n' || start[n - 1] == ' '))
		n--;
	while (n && *start == '\n')
		start++, n--;
	return strndup(start, n);
}

/* Markdown's emphasis means nothing on a terminal. */
static void print_plain(const char *text, FILE *out)
{
	for (const char *p = text; *p; p++) {
		if (p[0] == '*' && p[1] == '*') {
			p++;
			continue;
		}
		fputc(*p, out);
	}
	fputc('\n', out);
}

/* Edit distance, for "did you mean". */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), *row = calloc(lb + 1, sizeof(*row)), d;

	if (!row)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	d = row[lb];
	free(row);
	return d;
}

static void suggest(const char *rule, FILE *err)
{
	size_t n, shown = 0, best = (size_t)-1;
	const struct vmsc_rule *rules = vmsc_rules(&n);

	for (size_t i = 0; i < n; i++) {
		size_t d = distance(rule, rules[i].id);

		if (d < best)
			best = d;
	}
	fprintf(err, "vmsnapcheck: unknown rule '%s'", rule);
	for (size_t i = 0; i < n && shown < 3; i++) {
		size_t d = distance(rule, rules[i].id);

		/* close in spelling, or a part of the id ("enableuuid") */
		if ((d == best && d <= strlen(rules[i].id) / 3 + 1) ||
		    (strlen(rule) >= 4 && strstr(rules[i].id, rule))) {
			fprintf(err, "%s'%s'", shown ? ", " : ": did you mean ", rules[i].id);
			shown++;
		}
	}
	fprintf(err, "%s(vmsnapcheck explain lists them)\n", shown ? "? " : ": ");
}

int vmsc_explain(const char *rule, FILE *out, FILE *err)
{
	size_t n;
	const struct vmsc_rule *rules = vmsc_rules(&n);
	char *text;

	if (!rule) {
		fprintf(out, "%-28s %-8s %-11s %s\n", "RULE", "SEVERITY", "CAP", "TITLE");
		for (size_t i = 0; i < n; i++)
			fprintf(out, "%-28s %-8s %-11s %s\n", rules[i].id,
				vmsc_severity_name(rules[i].severity),
				rules[i].cap ? vmsc_level_name(rules[i].cap) : "-", rules[i].title);
		fputs("\n'vmsnapcheck explain RULE' tells what a rule checks, why it matters and how "
		      "to fix it.\n", out);
		return 0;
	}
	if (!vmsc_rule_find(rule)) {
		suggest(rule, err);
		return 3;
	}
	text = vmsc_explain_text(rule);
	if (!text) {
		/* test_docs makes sure this cannot happen in a release */
		fprintf(err, "vmsnapcheck: rule '%s' has no documentation in this build\n", rule);
		return 3;
	}
	fprintf(out, "%s — %s\n\n", rule, vmsc_rule_find(rule)->title);
	print_plain(text, out);
	free(text);
	return 0;
}
