/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "report/util.h"
#include "vmsnapcheck/report.h"

/*
 * CSV (RFC 4180): CRLF line ends, a cell is quoted when it holds a comma,
 * quote, CR or LF, quotes are doubled.  One row per finding, one per VM
 * without findings (its reason in `message`), one per vCenter error and one
 * for an incomplete run, so a partial file never looks complete.
 *
 * Formula injection (OWASP "CSV Injection"): a cell starting with = + - @
 * tab or CR is prefixed with ' so spreadsheets show it as text.
 */

#define CSV_COLUMNS 11 /* the last, `guest`, only with --guest */

struct csv_ctx {
	FILE *out;
	bool failed;
	size_t columns;            /* CSV_COLUMNS, or one fewer without --guest */
};

/* --guest: "checked", or why the guest checks did not run; empty when the
 * VM was not asked (powered off, skipped). */
static const char *guest_cell(const struct vmsc_vm_result *vm)
{
	if (!vm->guest_asked)
		return "";
	return vm->guest_checked ? "checked" : vm->guest_reason ? vm->guest_reason : "not checked";
}

static void cell(struct csv_ctx *c, const char *value, bool last)
{
	char *clean = vmsc_rpt_clean(value, 0);
	const char *p;
	bool quote;

	if (!clean) {
		c->failed = true;
		return;
	}
	quote = strpbrk(clean, ",\"\r\n") != NULL;
	if (quote)
		fputc('"', c->out);
	if (strchr("=+-@\t\r", clean[0]) && clean[0] != '\0')
		fputc('\'', c->out);
	for (p = clean; *p; p++) {
		if (*p == '"')
			fputc('"', c->out);
		fputc(*p, c->out);
	}
	if (quote)
		fputc('"', c->out);
	fputs(last ? "\r\n" : ",", c->out);
	free(clean);
}

static void row(struct csv_ctx *c, const char *const cells[CSV_COLUMNS])
{
	size_t i;

	for (i = 0; i < c->columns; i++)
		cell(c, cells[i], i + 1 == c->columns);
}

static void vm_rows(struct csv_ctx *c, const struct vmsc_result *r,
		    const struct vmsc_vm_result *vm)
{
	const char *vcenter = vmsc_rpt_vcenter_name(r, vm);
	const char *status = vmsc_status_name(vm->status);
	const char *level = vmsc_level_name(vm->consistency.expected); /* NULL: empty */
	size_t i;

	if (vm->n_findings == 0) {
		const char *cells[CSV_COLUMNS] = {
			vcenter, vm->name, vm->moid, status, "", "", "", vm->reason, "", level,
			guest_cell(vm),
		};

		row(c, cells);
		return;
	}
	for (i = 0; i < vm->n_findings; i++) {
		const struct vmsc_finding *f = &vm->findings[i];
		const char *cells[CSV_COLUMNS] = {
			vcenter, vm->name, vm->moid, status, f->rule,
			vmsc_severity_name(f->severity), f->waived ? "true" : "false",
			f->message, f->remedy, level, guest_cell(vm),
		};

		row(c, cells);
	}
}

int vmsc_report_csv(const struct vmsc_result *r, const struct vmsc_report_options *o, FILE *out)
{
	static const char *const header[CSV_COLUMNS] = {
		"vcenter", "vm", "moid", "status", "rule", "severity", "waived", "message", "remedy",
		"consistency", "guest",
	};
	struct csv_ctx c = { .out = out, .columns = r->guest ? CSV_COLUMNS : CSV_COLUMNS - 1 };
	size_t i;

	(void)o;
	row(&c, header);
	for (i = 0; i < r->n_vcenters; i++) {
		const struct vmsc_vcenter_result *vc = &r->vcenters[i];
		const char *cells[CSV_COLUMNS] = {
			vc->name, "", "", vmsc_status_name(VMSC_STATUS_UNKNOWN), "", "", "",
			vc->error, "",
		};

		if (vc->error)
			row(&c, cells);
	}
	for (i = 0; i < r->n_vms; i++)
		vm_rows(&c, r, &r->vms[i]);
	/* a name or glob that matched nothing: a row of its own, in the vm column */
	for (i = 0; i < r->n_unmatched; i++) {
		struct vmsc_rpt_buf msg;
		const char *cells[CSV_COLUMNS] = {
			"", r->unmatched[i], "", vmsc_status_name(VMSC_STATUS_UNKNOWN), "", "", "",
			NULL, "",
		};

		vmsc_rpt_buf_init(&msg);
		vmsc_rpt_buf_addf(&msg, "no VM matches '%s'", r->unmatched[i]);
		cells[7] = msg.s;
		if (msg.oom)
			c.failed = true;
		else
			row(&c, cells);
		vmsc_rpt_buf_release(&msg);
	}
	if (r->incomplete) {
		struct vmsc_rpt_buf msg;
		const char *cells[CSV_COLUMNS] = {
			"", "", "", vmsc_status_name(VMSC_STATUS_UNKNOWN), "", "", "", NULL, "",
		};

		vmsc_rpt_buf_init(&msg);
		vmsc_rpt_buf_addf(&msg, "run incomplete: %s",
				  r->incomplete_reason ? r->incomplete_reason
						       : "the run did not finish");
		cells[7] = msg.s;
		if (msg.oom)
			c.failed = true;
		else
			row(&c, cells);
		vmsc_rpt_buf_release(&msg);
	}
	if (c.failed || ferror(out))
		return -1;
	return 0;
}
