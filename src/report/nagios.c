/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "report/util.h"
#include "vmsnapcheck/report.h"

/*
 * Nagios / Icinga plugin output: one status line with perfdata, then long
 * output with one line per vCenter error and per failing VM, worst first.
 * Nagios keeps 4 KB of plugin output, so the whole output stays within
 * NAGIOS_MAX_OUTPUT bytes and ends with "... and N more" when lines had to
 * be dropped.  '|' separates perfdata, so a '|' in any name or message is
 * written as '/'; control characters become '?' (one line per item).
 */

#define NAGIOS_MAX_OUTPUT 4000   /* bytes, all lines and newlines included */
#define NAGIOS_MAX_SUMMARY 1000  /* status text of the first line, before perfdata */
#define NAGIOS_MAX_LINE 300      /* one long-output line */
#define NAGIOS_MAX_NAME 64       /* a VM name inside the first line */
#define NAGIOS_WORST_VMS 3       /* VMs named in the first line */

static const char *state_name(enum vmsc_status s)
{
	switch (s) {
	case VMSC_STATUS_OK:
	case VMSC_STATUS_SKIPPED: return "OK";
	case VMSC_STATUS_WARNING: return "WARNING";
	case VMSC_STATUS_ERROR: return "CRITICAL";
	case VMSC_STATUS_UNKNOWN: return "UNKNOWN";
	}
	return "UNKNOWN";
}

/* Appends s cleaned for one line of plugin output, at most `max` bytes
 * (cut at a character boundary, marked with "..."). */
static void add_clean(struct vmsc_rpt_buf *b, const char *s, size_t max)
{
	char *clean = vmsc_rpt_clean(s, VMSC_CLEAN_CONTROL);
	size_t n;
	char *p;

	if (!clean) {
		b->oom = true;
		return;
	}
	for (p = clean; *p; p++)
		if (*p == '|')
			*p = '/';
	n = strlen(clean);
	if (n > max) {
		vmsc_rpt_buf_addn(b, clean, vmsc_rpt_utf8_prefix(clean, max > 3 ? max - 3 : 0));
		vmsc_rpt_buf_add(b, "...");
	} else {
		vmsc_rpt_buf_addn(b, clean, n);
	}
	free(clean);
}

/* Failing VMs are listed unknown first, then error, then warning; within a
 * status in report order. */
static const enum vmsc_status bad_order[] = {
	VMSC_STATUS_UNKNOWN, VMSC_STATUS_ERROR, VMSC_STATUS_WARNING,
};

/* What makes a VM fail, in a few words: its reason, or its rule ids. */
static void add_vm_detail(struct vmsc_rpt_buf *b, const struct vmsc_vm_result *vm, size_t max)
{
	struct vmsc_rpt_buf d;
	size_t i, j;

	vmsc_rpt_buf_init(&d);
	if (vm->status == VMSC_STATUS_UNKNOWN && vm->reason) {
		vmsc_rpt_buf_add(&d, vm->reason);
	} else {
		for (i = 0; i < vm->n_findings; i++) {
			const struct vmsc_finding *f = &vm->findings[i];
			bool seen = false;

			if (f->waived)
				continue;
			for (j = 0; j < i && !seen; j++)
				seen = !vm->findings[j].waived && vm->findings[j].rule && f->rule &&
				       strcmp(vm->findings[j].rule, f->rule) == 0;
			if (seen)
				continue;
			if (d.len)
				vmsc_rpt_buf_add(&d, ", ");
			vmsc_rpt_buf_add(&d, f->rule);
		}
	}
	if (d.oom)
		b->oom = true;
	else
		add_clean(b, d.s ? d.s : vmsc_status_name(vm->status), max);
	vmsc_rpt_buf_release(&d);
}

static void summary_text(struct vmsc_rpt_buf *b, const struct vmsc_result *r)
{
	const struct vmsc_summary *s = &r->summary;
	size_t bad = s->warning + s->error + s->unknown;
	size_t i, k, named = 0;

	for (i = 0; i < r->n_vcenters; i++) {
		if (!r->vcenters[i].error)
			continue;
		vmsc_rpt_buf_add(b, "vCenter ");
		add_clean(b, r->vcenters[i].name, NAGIOS_MAX_NAME);
		vmsc_rpt_buf_add(b, ": ");
		add_clean(b, r->vcenters[i].error, 200);
		vmsc_rpt_buf_add(b, "; ");
	}
	if (r->n_unmatched) {
		struct vmsc_rpt_buf msg;

		vmsc_rpt_buf_init(&msg);
		vmsc_rpt_unmatched(&msg, r);
		if (msg.oom)
			b->oom = true;
		else
			add_clean(b, msg.s, 400);
		vmsc_rpt_buf_release(&msg);
		vmsc_rpt_buf_add(b, "; ");
	}
	if (r->incomplete) {
		vmsc_rpt_buf_add(b, "run incomplete: ");
		add_clean(b, r->incomplete_reason ? r->incomplete_reason : "the run did not finish",
			  200);
		vmsc_rpt_buf_add(b, "; ");
	}

	if (bad == 0) {
		if (s->vms == 0)
			vmsc_rpt_buf_add(b, "no VMs checked");
		else
			vmsc_rpt_buf_addf(b, "%zu of %zu VMs ready for quiesced snapshots", s->ok,
					  s->vms);
		if (s->skipped)
			vmsc_rpt_buf_addf(b, ", %zu skipped", s->skipped);
		if (s->waived)
			vmsc_rpt_buf_addf(b, ", %zu finding%s waived", s->waived,
					  s->waived == 1 ? "" : "s");
		return;
	}

	vmsc_rpt_buf_addf(b, "%zu of %zu VMs not ready for quiesced snapshots: ", bad, s->vms);
	for (k = 0; k < sizeof(bad_order) / sizeof(bad_order[0]); k++) {
		for (i = 0; i < r->n_vms && named < NAGIOS_WORST_VMS; i++) {
			const struct vmsc_vm_result *vm = &r->vms[i];
			const struct vmsc_finding *worst;

			if (vm->status != bad_order[k])
				continue;
			if (named++)
				vmsc_rpt_buf_add(b, ", ");
			add_clean(b, vm->name, NAGIOS_MAX_NAME);
			worst = vmsc_rpt_worst_finding(vm);
			vmsc_rpt_buf_add(b, " (");
			if (vm->status == VMSC_STATUS_UNKNOWN || !worst || !worst->rule)
				vmsc_rpt_buf_add(b, vmsc_status_name(vm->status));
			else
				add_clean(b, worst->rule, NAGIOS_MAX_NAME);
			vmsc_rpt_buf_add(b, ")");
		}
	}
	if (bad > named)
		vmsc_rpt_buf_addf(b, " and %zu more", bad - named);
}

static void first_line(struct vmsc_rpt_buf *b, const struct vmsc_result *r)
{
	const struct vmsc_summary *s = &r->summary;
	struct vmsc_rpt_buf sum;

	vmsc_rpt_buf_init(&sum);
	summary_text(&sum, r);
	if (sum.oom) {
		b->oom = true;
		goto out;
	}
	if (sum.len > NAGIOS_MAX_SUMMARY) {
		vmsc_rpt_buf_truncate(&sum, vmsc_rpt_utf8_prefix(sum.s, NAGIOS_MAX_SUMMARY - 3));
		vmsc_rpt_buf_add(&sum, "...");
	}
	/* then VMs per expected consistency level, best first */
	vmsc_rpt_buf_addf(b, "VMSNAPCHECK %s - %s | vms=%zu ok=%zu warning=%zu error=%zu "
			  "unknown=%zu skipped=%zu application=%zu filesystem=%zu crash=%zu "
			  "none=%zu time=%.3fs\n",
			  state_name(r->status), sum.s ? sum.s : "", s->vms, s->ok, s->warning,
			  s->error, s->unknown, s->skipped,
			  s->consistency[VMSC_LEVEL_APPLICATION],
			  s->consistency[VMSC_LEVEL_FILESYSTEM], s->consistency[VMSC_LEVEL_CRASH],
			  s->consistency[VMSC_LEVEL_NONE], r->duration);
out:
	vmsc_rpt_buf_release(&sum);
}

/* Long-output lines in order: vCenter errors, then failing VMs worst first. */
static size_t count_lines(const struct vmsc_result *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->n_vcenters; i++)
		n += r->vcenters[i].error != NULL;
	return n + r->summary.warning + r->summary.error + r->summary.unknown;
}

static void nth_line(struct vmsc_rpt_buf *b, const struct vmsc_result *r, size_t n)
{
	size_t i, k;

	for (i = 0; i < r->n_vcenters; i++) {
		if (!r->vcenters[i].error)
			continue;
		if (n-- == 0) {
			vmsc_rpt_buf_add(b, "[unknown] vCenter ");
			add_clean(b, r->vcenters[i].name, NAGIOS_MAX_NAME);
			vmsc_rpt_buf_add(b, ": ");
			add_clean(b, r->vcenters[i].error, NAGIOS_MAX_LINE / 2);
			return;
		}
	}
	for (k = 0; k < sizeof(bad_order) / sizeof(bad_order[0]); k++) {
		for (i = 0; i < r->n_vms; i++) {
			const struct vmsc_vm_result *vm = &r->vms[i];

			if (vm->status != bad_order[k] || n-- != 0)
				continue;
			vmsc_rpt_buf_addf(b, "[%s] ", vmsc_status_name(vm->status));
			add_clean(b, vm->name, NAGIOS_MAX_LINE / 3);
			if (r->n_vcenters > 1) {
				vmsc_rpt_buf_add(b, " (");
				add_clean(b, vmsc_rpt_vcenter_name(r, vm), NAGIOS_MAX_NAME);
				vmsc_rpt_buf_add(b, ")");
			}
			vmsc_rpt_buf_add(b, ": ");
			add_vm_detail(b, vm, NAGIOS_MAX_LINE / 3);
			return;
		}
	}
}

int vmsc_report_nagios(const struct vmsc_result *r, const struct vmsc_report_options *o,
		       FILE *out)
{
	struct vmsc_rpt_buf b, line;
	size_t total = count_lines(r);
	size_t i;
	int ret = -1;

	(void)o;
	vmsc_rpt_buf_init(&b);
	vmsc_rpt_buf_init(&line);
	first_line(&b, r);

	/* Long lines are generated one at a time: a 10k-VM outage must not
	 * build megabytes only to drop them. */
	for (i = 0; i < total && !b.oom; i++) {
		/* Room for the "... and N more" line if more lines follow. */
		size_t reserve = i + 1 < total ? 32 : 0;

		vmsc_rpt_buf_truncate(&line, 0);
		nth_line(&line, r, i);
		if (line.oom) {
			b.oom = true;
			break;
		}
		if (b.len + line.len + 1 + reserve > NAGIOS_MAX_OUTPUT) {
			vmsc_rpt_buf_addf(&b, "... and %zu more\n", total - i);
			break;
		}
		vmsc_rpt_buf_addn(&b, line.s ? line.s : "", line.len);
		vmsc_rpt_buf_add(&b, "\n");
	}
	if (b.oom)
		goto out;
	if (fwrite(b.s, 1, b.len, out) != b.len || ferror(out))
		goto out;
	ret = 0;
out:
	vmsc_rpt_buf_release(&line);
	vmsc_rpt_buf_release(&b);
	return ret;
}
