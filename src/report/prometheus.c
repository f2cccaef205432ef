/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "report/util.h"
#include "vmsnapcheck/report.h"

/*
 * Prometheus text exposition format (0.0.4) for node_exporter's textfile
 * collector.  The collector rejects a whole file that repeats a series, so
 * per-VM series carry the moid (VM names are unique only per folder) and a
 * VM's findings are reported once per (rule, severity).
 */

static const enum vmsc_status all_statuses[] = {
	VMSC_STATUS_OK, VMSC_STATUS_WARNING, VMSC_STATUS_ERROR,
	VMSC_STATUS_UNKNOWN, VMSC_STATUS_SKIPPED,
};

struct prom_ctx {
	FILE *out;
	bool failed;        /* out of memory */
};

static void family(struct prom_ctx *c, const char *name, const char *help)
{
	fprintf(c->out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* Writes `,name="value"` (or without the comma for the first label) with
 * the exposition format's escapes; label values must be valid UTF-8. */
static void label(struct prom_ctx *c, bool first, const char *name, const char *value)
{
	char *clean = vmsc_rpt_clean(value, 0);
	const char *p;

	if (!clean) {
		c->failed = true;
		return;
	}
	fprintf(c->out, "%s%s=\"", first ? "" : ",", name);
	for (p = clean; *p; p++) {
		switch (*p) {
		case '\\': fputs("\\\\", c->out); break;
		case '"': fputs("\\\"", c->out); break;
		case '\n': fputs("\\n", c->out); break;
		default: fputc(*p, c->out); break;
		}
	}
	fputc('"', c->out);
	free(clean);
}

static void vm_labels(struct prom_ctx *c, const struct vmsc_result *r,
		      const struct vmsc_vm_result *vm)
{
	label(c, true, "vcenter", vmsc_rpt_vcenter_name(r, vm));
	label(c, false, "vm", vm->name);
	label(c, false, "moid", vm->moid);
}

static bool finding_seen_before(const struct vmsc_vm_result *vm, size_t i)
{
	const struct vmsc_finding *f = &vm->findings[i];
	size_t j;

	for (j = 0; j < i; j++) {
		const struct vmsc_finding *g = &vm->findings[j];

		if (!g->waived && g->severity == f->severity &&
		    strcmp(g->rule ? g->rule : "", f->rule ? f->rule : "") == 0)
			return true;
	}
	return false;
}

/* Whether every vCenter was read and the run finished. */
static bool run_succeeded(const struct vmsc_result *r)
{
	size_t i;

	if (r->incomplete || r->n_unmatched)
		return false;
	for (i = 0; i < r->n_vcenters; i++)
		if (r->vcenters[i].error)
			return false;
	return true;
}

int vmsc_report_prometheus(const struct vmsc_result *r, const struct vmsc_report_options *o,
			   FILE *out)
{
	struct prom_ctx c = { .out = out };
	size_t i, j, k;

	(void)o;
	family(&c, "vmsnapcheck_up", "Whether the vCenter could be read (1) or not (0).");
	for (i = 0; i < r->n_vcenters; i++) {
		fputs("vmsnapcheck_up{", out);
		label(&c, true, "vcenter", r->vcenters[i].name);
		fprintf(out, "} %d\n", r->vcenters[i].error ? 0 : 1);
	}

	family(&c, "vmsnapcheck_vms", "Number of VMs per vCenter and status.");
	for (i = 0; i < r->n_vcenters; i++) {
		for (k = 0; k < sizeof(all_statuses) / sizeof(all_statuses[0]); k++) {
			size_t n = 0;

			for (j = 0; j < r->n_vms; j++)
				n += r->vms[j].vcenter == i && r->vms[j].status == all_statuses[k];
			fputs("vmsnapcheck_vms{", out);
			label(&c, true, "vcenter", r->vcenters[i].name);
			label(&c, false, "status", vmsc_status_name(all_statuses[k]));
			fprintf(out, "} %zu\n", n);
		}
	}

	family(&c, "vmsnapcheck_vm_status",
	       "Status of a VM: ok, warning, error, unknown or skipped (always 1).");
	for (i = 0; i < r->n_vms; i++) {
		fputs("vmsnapcheck_vm_status{", out);
		vm_labels(&c, r, &r->vms[i]);
		label(&c, false, "status", vmsc_status_name(r->vms[i].status));
		fputs("} 1\n", out);
	}

	family(&c, "vmsnapcheck_vm_finding",
	       "An unwaived finding of a rule on a VM (always 1, once per rule and severity).");
	for (i = 0; i < r->n_vms; i++) {
		const struct vmsc_vm_result *vm = &r->vms[i];

		for (j = 0; j < vm->n_findings; j++) {
			const struct vmsc_finding *f = &vm->findings[j];

			if (f->waived || finding_seen_before(vm, j))
				continue;
			fputs("vmsnapcheck_vm_finding{", out);
			vm_labels(&c, r, vm);
			label(&c, false, "rule", f->rule);
			label(&c, false, "severity", vmsc_severity_name(f->severity));
			fputs("} 1\n", out);
		}
	}

	/* Evaluated VMs only: a skipped or unknown VM has no expected level. */
	family(&c, "vmsnapcheck_vm_consistency",
	       "Expected snapshot consistency of a VM: application, filesystem, crash or none "
	       "(always 1).");
	for (i = 0; i < r->n_vms; i++) {
		const char *level = vmsc_level_name(r->vms[i].consistency.expected);

		if (!level)
			continue;
		fputs("vmsnapcheck_vm_consistency{", out);
		vm_labels(&c, r, &r->vms[i]);
		label(&c, false, "level", level);
		fputs("} 1\n", out);
	}

	if (r->n_unmatched) {
		family(&c, "vmsnapcheck_unmatched",
		       "A VM name or glob given that matched no VM (always 1).");
		for (i = 0; i < r->n_unmatched; i++) {
			fputs("vmsnapcheck_unmatched{", out);
			label(&c, true, "name", r->unmatched[i]);
			fputs("} 1\n", out);
		}
	}

	family(&c, "vmsnapcheck_run_duration_seconds", "Wall time of the whole run in seconds.");
	fprintf(out, "vmsnapcheck_run_duration_seconds %.3f\n", r->duration);

	/* Only a run that read everything counts as a success: alert when this
	 * goes stale (a failed run leaves the previous file in place). */
	if (run_succeeded(r)) {
		family(&c, "vmsnapcheck_last_success_timestamp_seconds",
		       "Unix time of the last run that read every vCenter completely.");
		fprintf(out, "vmsnapcheck_last_success_timestamp_seconds %lld\n",
			(long long)r->generated);
	}

	if (c.failed || ferror(out))
		return -1;
	return 0;
}
