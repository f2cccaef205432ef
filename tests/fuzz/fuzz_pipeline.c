/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_pipeline.h"
#include "fuzz_util.h"
#include "vmsnapcheck/facts_json.h"
#include "vmsnapcheck/report.h"
#include "vmsnapcheck/result.h"
#include "vmsnapcheck/rules.h"

#define FUZZ_NOW ((time_t)1800000000) /* 2027-01-15, after most times in the seeds */

static FILE *devnull(void)
{
	static FILE *null;

	if (!null && !(null = fopen("/dev/null", "w")))
		abort();
	return null;
}

void fuzz_evaluate_and_report(struct vmsc_vm_facts *const *vms, size_t n)
{
	struct vmsc_result *r = vmsc_result_new();
	struct vmsc_report_options ro = { .color = true, .verbose = true, .tool_version = "fuzz" };
	const struct vmsc_report_format *fmts;
	size_t vc, n_fmts;

	if (!r)
		abort();
	vc = vmsc_result_add_vcenter(r, "https://vc.fuzz/sdk", "vc.fuzz");
	FUZZ_CHECK(vc != (size_t)-1);
	for (size_t i = 0; i < n; i++) {
		const struct vmsc_vm_facts *f = vms[i];
		struct vmsc_vm_result *vm;

		vm = vmsc_result_add_vm(r, vc, f->name ? f->name : (f->moid ? f->moid : "?"),
					f->moid ? f->moid : "?");
		FUZZ_CHECK(vm != NULL);
		/* both ways a powered-off VM can go: skipped, or the offline rules */
		struct vmsc_eval ev = { .now = f->read_at ? f->read_at : FUZZ_NOW,
					.include_powered_off = i % 2 };

		FUZZ_CHECK(vmsc_rules_evaluate(&ev, f, vm) == 0);
	}
	vmsc_result_finish(r);
	fmts = vmsc_report_formats(&n_fmts);
	for (size_t i = 0; i < n_fmts; i++) {
		ro.color = i % 2 == 0;
		fmts[i].write(r, &ro, devnull());
	}
	vmsc_result_free(r);
}

struct reload {
	struct vmsc_vm_facts *const *expect;
	size_t n_expect;
	size_t seen;
};

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static int reload_vm(void *ud, struct vmsc_vm_facts *f)
{
	struct reload *rl = ud;

	FUZZ_CHECK(rl->seen < rl->n_expect);
	FUZZ_CHECK(same(f->vcenter, rl->expect[rl->seen]->vcenter));
	FUZZ_CHECK(same(f->moid, rl->expect[rl->seen]->moid));
	FUZZ_CHECK(same(f->name, rl->expect[rl->seen]->name));
	FUZZ_CHECK(f->n_disks == rl->expect[rl->seen]->n_disks);
	FUZZ_CHECK(f->snapshots.count == rl->expect[rl->seen]->snapshots.count);
	rl->seen++;
	vmsc_vm_facts_free(f);
	return 0;
}

void fuzz_facts_roundtrip(struct vmsc_vm_facts *const *vms, size_t n)
{
	struct vmsc_facts_vcenter vc = { .url = "https://vc.fuzz/sdk", .name = "vc.fuzz",
					 .version = "8.0.2", .api_version = "8.0.2.0",
					 .product = "fuzz", .captured_at = FUZZ_NOW };
	struct vmsc_facts_visitor v = { NULL, reload_vm, NULL };
	struct vmsc_facts_writer *w;
	struct vmsc_error err = { 0 };
	struct reload rl = { vms, n, 0 };
	char *buf = NULL;
	size_t len = 0;
	bool written = true;
	FILE *mem = open_memstream(&buf, &len);

	if (!mem)
		abort();
	w = vmsc_facts_writer_new(mem);
	FUZZ_CHECK(w != NULL);
	for (size_t i = 0; i < n; i++) {
		/* the loader insists on these: the tool always sets them */
		if (!vms[i]->vcenter || !vms[i]->moid || !vms[i]->name) {
			written = false;
			break;
		}
		if (vmsc_facts_writer_add_vm(w, vms[i]) < 0) {
			written = false; /* e.g. a name that is not UTF-8: an error, not a crash */
			break;
		}
	}
	if (vmsc_facts_writer_finish(w, &vc, 1, &err) < 0)
		written = false;
	vmsc_facts_writer_free(w);
	fclose(mem);
	if (written) {
		v.ud = &rl;
		if (vmsc_facts_load_string(buf, "roundtrip", &v, &err) < 0) {
			fprintf(stderr, "facts written by the writer do not load: %s\n%s\n",
				err.message, buf);
			abort();
		}
		FUZZ_CHECK(rl.seen == n);
	}
	free(buf);
}
