/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "vmsnapcheck/report.h"

/*
 * The report formats.  To add one: write src/report/<name>.c with a single
 * entry point taking (result, options, FILE *), declare it in report.h,
 * add a row here, document it in docs/output.md and add
 * tests/unit/test_report_<name>.c with its exact expected output.
 * The first row is the default.
 */
static const struct vmsc_report_format formats[] = {
	{ "text", vmsc_report_text },
	{ "json", vmsc_report_json },
	{ "junit", vmsc_report_junit },
	{ "nagios", vmsc_report_nagios },
	{ "prometheus", vmsc_report_prometheus },
	{ "csv", vmsc_report_csv },
	{ "html", vmsc_report_html },
};

const struct vmsc_report_format *vmsc_report_formats(size_t *n)
{
	if (n)
		*n = sizeof(formats) / sizeof(formats[0]);
	return formats;
}

const struct vmsc_report_format *vmsc_report_format_find(const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(formats[i].name, name) == 0)
			return &formats[i];
	return NULL;
}
