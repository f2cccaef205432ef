/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "report/util.h"
#include "vmsnapcheck/report.h"

/*
 * Human-readable report: one aligned row per VM worth showing, its findings
 * indented below, vCenter errors, then one summary line.  Widths count code
 * points, so UTF-8 names line up (East Asian wide characters still count 1).
 * Control characters in names and messages are printed as '?': a VM name
 * must not be able to move the cursor or recolour the terminal.
 */

#define COL_GAP 2

struct text_ctx {
	const struct vmsc_result *r;
	const struct vmsc_report_options *o;
	FILE *out;
	bool multi_vc;      /* more than one vCenter: add a VCENTER column */
	bool failed;        /* out of memory */
};

static const char *status_color(enum vmsc_status s)
{
	switch (s) {
	case VMSC_STATUS_OK: return "\033[32m";
	case VMSC_STATUS_WARNING: return "\033[33m";
	case VMSC_STATUS_ERROR: return "\033[31m";
	case VMSC_STATUS_UNKNOWN: return "\033[35m";
	case VMSC_STATUS_SKIPPED: return "\033[2m";
	}
	return "";
}

static enum vmsc_status severity_status(enum vmsc_severity sev)
{
	return sev == VMSC_SEV_ERROR ? VMSC_STATUS_ERROR : VMSC_STATUS_WARNING;
}

static void put_clean(struct text_ctx *c, const char *s)
{
	char *clean = vmsc_rpt_clean(s, VMSC_CLEAN_CONTROL);

	if (!clean) {
		c->failed = true;
		return;
	}
	fputs(clean, c->out);
	free(clean);
}

/* Starts colour for a status if enabled; returns the reset sequence. */
static const char *color_on(struct text_ctx *c, enum vmsc_status s)
{
	if (!c->o || !c->o->color)
		return "";
	fputs(status_color(s), c->out);
	return "\033[0m";
}

static void pad(struct text_ctx *c, size_t used, size_t width)
{
	for (; used < width + COL_GAP; used++)
		fputc(' ', c->out);
}

static bool vm_shown(const struct text_ctx *c, const struct vmsc_vm_result *vm)
{
	bool verbose = c->o && c->o->verbose;

	if (vm->named)
		return true;
	/* --guest that could not look inside: the reason is news even when ok */
	if (vm->guest_asked && !vm->guest_checked)
		return true;
	switch (vm->status) {
	case VMSC_STATUS_OK:
	case VMSC_STATUS_SKIPPED:
		return verbose;
	default:
		return true;
	}
}

/* "2", "1 (+1 waived)", "-" for skipped VMs. */
static void findings_cell(const struct vmsc_vm_result *vm, char *buf, size_t size)
{
	size_t active = vmsc_vm_result_active_findings(vm);
	size_t waived = vm->n_findings - active;

	if (vm->status == VMSC_STATUS_SKIPPED && vm->n_findings == 0)
		snprintf(buf, size, "-");
	else if (waived)
		snprintf(buf, size, "%zu (+%zu waived)", active, waived);
	else
		snprintf(buf, size, "%zu", active);
}

/* The expected level's word, "-" when there is none (skipped, unknown). */
static const char *consistency_cell(const struct vmsc_vm_result *vm)
{
	const char *name = vmsc_level_name(vm->consistency.expected);

	return name ? name : "-";
}

static void write_finding(struct text_ctx *c, const struct vmsc_finding *f)
{
	const char *reset;

	fputs("  [", c->out);
	reset = color_on(c, f->waived ? VMSC_STATUS_SKIPPED : severity_status(f->severity));
	fputs(vmsc_severity_name(f->severity), c->out);
	fputs(reset, c->out);
	fputs("] ", c->out);
	if (f->change == VMSC_CHANGE_NEW)
		fputs(c->o && c->o->color ? "\033[1mNEW\033[0m " : "NEW ", c->out);
	put_clean(c, f->rule);
	fputs(": ", c->out);
	put_clean(c, f->message);
	if (f->waiver && f->waived) {
		fputs(" (waived by ", c->out);
		put_clean(c, f->waiver->name);
		fputs(" until ", c->out);
		put_clean(c, f->waiver->expires);
		fputs(": ", c->out);
		put_clean(c, f->waiver->reason);
		fputc(')', c->out);
	} else if (f->waived) {
		fputs(" (waived)", c->out);
	} else if (f->waiver && f->waiver->expired) {
		fputs(" (waiver ", c->out);
		put_clean(c, f->waiver->name);
		fputs(" expired ", c->out);
		put_clean(c, f->waiver->expires);
		fputc(')', c->out);
	}
	fputc('\n', c->out);
	if (!f->waived && f->remedy && *f->remedy) {
		fputs("      fix: ", c->out);
		put_clean(c, f->remedy);
		fputc('\n', c->out);
	}
}

static void write_table(struct text_ctx *c)
{
	const struct vmsc_result *r = c->r;
	size_t w_status = strlen("STATUS"), w_vc = strlen("VCENTER");
	size_t w_vm = strlen("VM"), w_power = strlen("POWER");
	size_t w_cons = strlen("CONSISTENCY");
	size_t i, j, shown = 0;
	char cell[64];

	for (i = 0; i < r->n_vms; i++) {
		const struct vmsc_vm_result *vm = &r->vms[i];
		size_t w;

		if (!vm_shown(c, vm))
			continue;
		shown++;
		if ((w = strlen(vmsc_status_name(vm->status))) > w_status)
			w_status = w;
		if ((w = vmsc_rpt_width(vmsc_rpt_vcenter_name(r, vm))) > w_vc)
			w_vc = w;
		if ((w = vmsc_rpt_width(vm->name)) > w_vm)
			w_vm = w;
		if ((w = vmsc_rpt_width(vm->power_state ? vm->power_state : "-")) > w_power)
			w_power = w;
		if ((w = strlen(consistency_cell(vm))) > w_cons)
			w_cons = w;
	}
	if (!shown)
		return;

	fputs("STATUS", c->out);
	pad(c, strlen("STATUS"), w_status);
	if (c->multi_vc) {
		fputs("VCENTER", c->out);
		pad(c, strlen("VCENTER"), w_vc);
	}
	fputs("VM", c->out);
	pad(c, strlen("VM"), w_vm);
	fputs("POWER", c->out);
	pad(c, strlen("POWER"), w_power);
	fputs("CONSISTENCY", c->out);
	pad(c, strlen("CONSISTENCY"), w_cons);
	fputs("FINDINGS\n", c->out);

	for (i = 0; i < r->n_vms; i++) {
		const struct vmsc_vm_result *vm = &r->vms[i];
		const char *power = vm->power_state ? vm->power_state : "-";
		const char *reset;

		if (!vm_shown(c, vm))
			continue;
		reset = color_on(c, vm->status);
		fputs(vmsc_status_name(vm->status), c->out);
		fputs(reset, c->out);
		pad(c, strlen(vmsc_status_name(vm->status)), w_status);
		if (c->multi_vc) {
			put_clean(c, vmsc_rpt_vcenter_name(r, vm));
			pad(c, vmsc_rpt_width(vmsc_rpt_vcenter_name(r, vm)), w_vc);
		}
		put_clean(c, vm->name);
		pad(c, vmsc_rpt_width(vm->name), w_vm);
		put_clean(c, power);
		pad(c, vmsc_rpt_width(power), w_power);
		fputs(consistency_cell(vm), c->out);
		pad(c, strlen(consistency_cell(vm)), w_cons);
		findings_cell(vm, cell, sizeof(cell));
		fputs(cell, c->out);
		fputc('\n', c->out);

		if ((vm->status == VMSC_STATUS_SKIPPED || vm->status == VMSC_STATUS_UNKNOWN) &&
		    vm->reason) {
			fprintf(c->out, "  %s: ", vmsc_status_name(vm->status));
			put_clean(c, vm->reason);
			fputc('\n', c->out);
		}
		if (vm->guest_asked && !vm->guest_checked) {
			fputs("  guest not checked: ", c->out);
			put_clean(c, vm->guest_reason ? vm->guest_reason : "not checked");
			fputc('\n', c->out);
		}
		/* What needs fixing first, then what is waived. */
		for (j = 0; j < vm->n_findings; j++)
			if (!vm->findings[j].waived)
				write_finding(c, &vm->findings[j]);
		for (j = 0; j < vm->n_findings; j++)
			if (vm->findings[j].waived)
				write_finding(c, &vm->findings[j]);
	}
	fputc('\n', c->out);
}

static void write_summary(struct text_ctx *c)
{
	const struct vmsc_summary *s = &c->r->summary;

	fprintf(c->out, "%zu VM%s: %zu ok, %zu warning, %zu error, %zu unknown, %zu skipped",
		s->vms, s->vms == 1 ? "" : "s", s->ok, s->warning, s->error, s->unknown,
		s->skipped);
	if (s->waived)
		fprintf(c->out, " (%zu finding%s waived)", s->waived, s->waived == 1 ? "" : "s");
	if (c->r->compared)
		fprintf(c->out, "; %zu new, %zu resolved since the baseline", s->new_findings,
			s->resolved);
	fputc('\n', c->out);
}

/* --baseline: what is gone, after the table ("  VM: [SEVERITY] RULE: MESSAGE"). */
static void write_resolved(struct text_ctx *c)
{
	const struct vmsc_result *r = c->r;

	if (!r->n_resolved)
		return;
	fprintf(c->out, "Resolved since the baseline");
	if (r->baseline_generated) {
		fputs(" of ", c->out);
		put_clean(c, r->baseline_generated);
	}
	fputs(":\n", c->out);
	for (size_t i = 0; i < r->n_resolved; i++) {
		const struct vmsc_resolved *x = &r->resolved[i];

		fputs("  ", c->out);
		put_clean(c, x->vm);
		if (c->multi_vc) {
			fputs(" (", c->out);
			put_clean(c, x->vcenter);
			fputc(')', c->out);
		}
		fprintf(c->out, ": [%s] ", vmsc_severity_name(x->severity));
		put_clean(c, x->rule);
		fputs(": ", c->out);
		put_clean(c, x->message);
		fputc('\n', c->out);
	}
	fputc('\n', c->out);
}

int vmsc_report_text(const struct vmsc_result *r, const struct vmsc_report_options *o, FILE *out)
{
	struct text_ctx c = { .r = r, .o = o, .out = out, .multi_vc = r->n_vcenters > 1 };
	bool notes = false;
	size_t i;

	write_table(&c);
	write_resolved(&c);

	for (i = 0; i < r->n_vcenters; i++) {
		const struct vmsc_vcenter_result *vc = &r->vcenters[i];
		const char *reset;

		if (!vc->error)
			continue;
		reset = color_on(&c, VMSC_STATUS_UNKNOWN);
		fputs("vCenter ", out);
		put_clean(&c, vc->name);
		fputs(reset, out);
		fputs(": ", out);
		put_clean(&c, vc->error);
		fputc('\n', out);
		notes = true;
	}
	if (r->n_unmatched) {
		struct vmsc_rpt_buf msg;
		const char *reset = color_on(&c, VMSC_STATUS_UNKNOWN);

		vmsc_rpt_buf_init(&msg);
		vmsc_rpt_unmatched(&msg, r);
		if (msg.oom)
			c.failed = true;
		else
			put_clean(&c, msg.s);
		fputs(reset, out);
		fputs(": " VMSC_RPT_UNMATCHED_HINT "\n", out);
		vmsc_rpt_buf_release(&msg);
		notes = true;
	}
	if (r->incomplete) {
		const char *reset = color_on(&c, VMSC_STATUS_UNKNOWN);

		fputs("run incomplete", out);
		fputs(reset, out);
		fputs(": ", out);
		put_clean(&c, r->incomplete_reason ? r->incomplete_reason : "the run did not finish");
		fputs(" (this report is partial)\n", out);
		notes = true;
	}
	if (notes)
		fputc('\n', out);

	write_summary(&c);
	if (c.failed || ferror(out))
		return -1;
	return 0;
}
