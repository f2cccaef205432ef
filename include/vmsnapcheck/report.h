/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSNAPCHECK_REPORT_H
#define VMSNAPCHECK_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "vmsnapcheck/error.h"
#include "vmsnapcheck/result.h"

struct vmsc_report_options {
	bool color;                   /* ANSI colour (text only) */
	bool verbose;                 /* text: list healthy VMs too */
	const char *tool_version;
	const char *docs_url;         /* html: rules documentation, NULL = VMSC_REPORT_DOCS_URL */
};

/* The rules documentation the Debian package installs; html links each
 * finding to its "## rule-id" heading there (--docs-url changes it). */
#define VMSC_REPORT_DOCS_URL "file:///usr/share/doc/vmsnapcheck/rules.md"

/* Every writer takes the same result and a FILE; returns 0 or -1 on write error. */
typedef int (*vmsc_report_fn)(const struct vmsc_result *r, const struct vmsc_report_options *o,
			      FILE *out);

struct vmsc_report_format {
	const char *name;             /* text, json, junit, nagios, prometheus, csv, html */
	vmsc_report_fn write;
};

const struct vmsc_report_format *vmsc_report_formats(size_t *n);
const struct vmsc_report_format *vmsc_report_format_find(const char *name);

int vmsc_report_text(const struct vmsc_result *r, const struct vmsc_report_options *o, FILE *out);
int vmsc_report_json(const struct vmsc_result *r, const struct vmsc_report_options *o, FILE *out);
int vmsc_report_junit(const struct vmsc_result *r, const struct vmsc_report_options *o, FILE *out);
int vmsc_report_nagios(const struct vmsc_result *r, const struct vmsc_report_options *o, FILE *out);
int vmsc_report_prometheus(const struct vmsc_result *r, const struct vmsc_report_options *o, FILE *out);
int vmsc_report_csv(const struct vmsc_result *r, const struct vmsc_report_options *o, FILE *out);
int vmsc_report_html(const struct vmsc_result *r, const struct vmsc_report_options *o, FILE *out);

/*
 * Atomic output file (-o): check early that the directory is writable,
 * write to a temp file in the same directory, fsync, chmod (0644 & ~umask,
 * or the old file's mode), rename.  On failure the old file stays.
 */
int vmsc_output_check(const char *path, struct vmsc_error *err);
int vmsc_output_write(const char *path, const struct vmsc_report_format *fmt,
		      const struct vmsc_result *r, const struct vmsc_report_options *o,
		      struct vmsc_error *err);

/*
 * The same writer for a file written piece by piece (--save-facts): open
 * makes the temp file (after vmsc_output_check), the caller writes to the
 * stream, commit fsyncs, renames and frees; abort (NULL is fine) removes
 * the temp file, keeps the old file and frees.  A device or FIFO is written
 * in place.
 */
struct vmsc_atomic_file;
struct vmsc_atomic_file *vmsc_atomic_file_open(const char *path, struct vmsc_error *err);
FILE *vmsc_atomic_file_stream(struct vmsc_atomic_file *af);
int vmsc_atomic_file_commit(struct vmsc_atomic_file *af, struct vmsc_error *err);
void vmsc_atomic_file_abort(struct vmsc_atomic_file *af);

/* Removes every temp file still in progress; async-signal-safe.  The tool
 * itself aborts its files on the way out (only the tests call this). */
void vmsc_output_abort(void);

#endif
