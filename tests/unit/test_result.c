/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vmsnapcheck/result.h"

static struct vmsc_result *new_result(void)
{
	struct vmsc_result *r;

	unsetenv("SOURCE_DATE_EPOCH");
	r = vmsc_result_new();
	assert_non_null(r);
	return r;
}

static struct vmsc_vm_result *add_vm(struct vmsc_result *r, size_t vc, const char *name,
				     const char *moid)
{
	struct vmsc_vm_result *vm = vmsc_result_add_vm(r, vc, name, moid);

	assert_non_null(vm);
	return vm;
}

static void test_result_sort_names_by_bytes(void **state)
{
	static const char *const added[] = {
		"b", "a", "Z", "\xc3\xa9t\xc3\xa9", "e", "\xc3\xa4", "_x", "a",
	};
	/* Byte order: uppercase < '_' < lowercase < every multi-byte character;
	 * U+00E4 (C3 A4) < U+00E9 (C3 A9). */
	static const char *const sorted[] = {
		"Z", "_x", "a", "a", "b", "e", "\xc3\xa4", "\xc3\xa9t\xc3\xa9",
	};
	struct vmsc_result *r = new_result();
	size_t vc = vmsc_result_add_vcenter(r, "https://vc/sdk", "vc");
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(added) / sizeof(added[0]); i++) {
		char moid[16];

		/* The two "a" VMs: moid decides, by bytes ("vm-10" < "vm-9"). */
		snprintf(moid, sizeof(moid), "vm-%zu", i == 1 ? (size_t)9 : i + 3);
		add_vm(r, vc, added[i], moid);
	}
	vmsc_result_finish(r);
	assert_int_equal(r->n_vms, sizeof(sorted) / sizeof(sorted[0]));
	for (i = 0; i < r->n_vms; i++)
		assert_string_equal(r->vms[i].name, sorted[i]);
	assert_string_equal(r->vms[2].moid, "vm-10");
	assert_string_equal(r->vms[3].moid, "vm-9");
	vmsc_result_free(r);
}

static void test_result_sort_vcenters_and_remap(void **state)
{
	struct vmsc_result *r = new_result();
	size_t b = vmsc_result_add_vcenter(r, "https://b/sdk", "b.example.com");
	size_t a = vmsc_result_add_vcenter(r, "https://a/sdk", "a.example.com");
	struct vmsc_vm_result *vm;

	(void)state;
	assert_int_equal(b, 0);
	assert_int_equal(a, 1);
	add_vm(r, b, "alpha", "vm-1");
	vm = add_vm(r, a, "zulu", "vm-2");
	vmsc_vm_result_add_finding(vm, "consolidation-needed", VMSC_SEV_ERROR, "m", "r");
	assert_int_equal(vmsc_vcenter_result_set_error(&r->vcenters[b], "timed out"), 0);
	vmsc_result_finish(r);

	assert_string_equal(r->vcenters[0].name, "a.example.com");
	assert_string_equal(r->vcenters[1].name, "b.example.com");
	assert_string_equal(r->vms[0].name, "zulu");
	assert_int_equal(r->vms[0].vcenter, 0);
	assert_string_equal(r->vms[1].name, "alpha");
	assert_int_equal(r->vms[1].vcenter, 1);
	assert_int_equal(r->vcenters[0].status, VMSC_STATUS_ERROR);
	assert_int_equal(r->vcenters[1].status, VMSC_STATUS_UNKNOWN);
	assert_string_equal(r->vcenters[1].error, "timed out");
	assert_int_equal(r->status, VMSC_STATUS_UNKNOWN);
	assert_int_equal(r->exit_code, 3);
	vmsc_result_free(r);
}

static void test_result_sort_findings(void **state)
{
	struct vmsc_result *r = new_result();
	size_t vc = vmsc_result_add_vcenter(r, "u", "vc");
	struct vmsc_vm_result *vm = add_vm(r, vc, "vm", "vm-1");

	(void)state;
	vmsc_vm_result_add_finding(vm, "snapshot-age", VMSC_SEV_WARNING, "b", NULL);
	vmsc_vm_result_add_finding(vm, "independent-disk", VMSC_SEV_ERROR, "Hard disk 2", NULL);
	vmsc_vm_result_add_finding(vm, "guest-disk-space", VMSC_SEV_WARNING, "/var", NULL);
	vmsc_vm_result_add_finding(vm, "independent-disk", VMSC_SEV_ERROR, "Hard disk 1", NULL);
	vmsc_vm_result_add_finding(vm, "snapshot-age", VMSC_SEV_WARNING, "a", NULL);
	vmsc_result_finish(r);
	vm = &r->vms[0];
	assert_int_equal(vm->n_findings, 5);
	assert_string_equal(vm->findings[0].message, "Hard disk 1");
	assert_string_equal(vm->findings[1].message, "Hard disk 2");
	assert_string_equal(vm->findings[2].rule, "guest-disk-space");
	assert_string_equal(vm->findings[3].message, "a");
	assert_string_equal(vm->findings[4].message, "b");
	assert_null(vm->findings[4].remedy);
	vmsc_result_free(r);
}

static void test_result_waived_does_not_raise_status(void **state)
{
	struct vmsc_result *r = new_result();
	size_t vc = vmsc_result_add_vcenter(r, "u", "vc");
	struct vmsc_vm_result *vm = add_vm(r, vc, "vm", "vm-1");
	struct vmsc_finding *f;

	(void)state;
	f = vmsc_vm_result_add_finding(vm, "rdm-physical", VMSC_SEV_ERROR, "m", "r");
	f->waived = true;
	f->waiver = vmsc_waiver_ref_new("w", "because", "2099-01-01", false);
	f = vmsc_vm_result_add_finding(vm, "tools-outdated", VMSC_SEV_WARNING, "m", "r");
	f->waived = true;
	vmsc_vm_result_update_status(vm);
	assert_int_equal(vm->status, VMSC_STATUS_OK);
	assert_int_equal(vmsc_vm_result_active_findings(vm), 0);

	vmsc_result_finish(r);
	assert_int_equal(r->status, VMSC_STATUS_OK);
	assert_int_equal(r->exit_code, 0);
	assert_int_equal(r->summary.ok, 1);
	assert_int_equal(r->summary.waived, 2);
	vmsc_result_free(r);
}

static void test_result_expired_waiver_counts(void **state)
{
	struct vmsc_result *r = new_result();
	size_t vc = vmsc_result_add_vcenter(r, "u", "vc");
	struct vmsc_vm_result *vm = add_vm(r, vc, "vm", "vm-1");
	struct vmsc_finding *f;

	(void)state;
	f = vmsc_vm_result_add_finding(vm, "tools-outdated", VMSC_SEV_WARNING, "m", "r");
	f->waiver = vmsc_waiver_ref_new("w", "because", "2020-01-01", true);
	vmsc_result_finish(r);
	assert_int_equal(r->vms[0].status, VMSC_STATUS_WARNING);
	assert_int_equal(r->summary.waived, 0);
	assert_int_equal(r->exit_code, 1);
	vmsc_result_free(r);
}

static void test_result_status_and_exit_codes(void **state)
{
	struct {
		enum vmsc_status vm_status;       /* preset (skipped / unknown) or OK */
		int severity;                     /* 0 none, else a finding of it */
		enum vmsc_status want_status;
		int want_exit;
	} cases[] = {
		{ VMSC_STATUS_OK, 0, VMSC_STATUS_OK, 0 },
		{ VMSC_STATUS_SKIPPED, 0, VMSC_STATUS_OK, 0 },
		{ VMSC_STATUS_SKIPPED, VMSC_SEV_ERROR, VMSC_STATUS_OK, 0 },
		{ VMSC_STATUS_OK, VMSC_SEV_WARNING, VMSC_STATUS_WARNING, 1 },
		{ VMSC_STATUS_OK, VMSC_SEV_ERROR, VMSC_STATUS_ERROR, 2 },
		{ VMSC_STATUS_UNKNOWN, 0, VMSC_STATUS_UNKNOWN, 3 },
		{ VMSC_STATUS_UNKNOWN, VMSC_SEV_WARNING, VMSC_STATUS_UNKNOWN, 3 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vmsc_result *r = new_result();
		size_t vc = vmsc_result_add_vcenter(r, "u", "vc");
		struct vmsc_vm_result *vm;

		add_vm(r, vc, "healthy", "vm-1");
		vm = add_vm(r, vc, "subject", "vm-2");
		vm->status = cases[i].vm_status;
		if (cases[i].severity)
			vmsc_vm_result_add_finding(vm, "x", cases[i].severity, "m", "r");
		vmsc_result_finish(r);
		assert_int_equal(r->status, cases[i].want_status);
		assert_int_equal(r->exit_code, cases[i].want_exit);
		assert_int_equal(r->vcenters[0].status, cases[i].want_status);
		/* Skipped and unknown stay as set. */
		if (cases[i].vm_status != VMSC_STATUS_OK)
			assert_int_equal(r->vms[1].status, cases[i].vm_status);
		vmsc_result_free(r);
	}
}

static void test_result_summary(void **state)
{
	struct vmsc_result *r = new_result();
	size_t vc = vmsc_result_add_vcenter(r, "u", "vc");
	struct vmsc_vm_result *vm;
	struct vmsc_finding *f;

	(void)state;
	add_vm(r, vc, "ok", "vm-1");
	vm = add_vm(r, vc, "warn", "vm-2");
	vmsc_vm_result_add_finding(vm, "a", VMSC_SEV_WARNING, "m", "r");
	f = vmsc_vm_result_add_finding(vm, "b", VMSC_SEV_ERROR, "m", "r");
	f->waived = true;
	vm = add_vm(r, vc, "err", "vm-3");
	vmsc_vm_result_add_finding(vm, "a", VMSC_SEV_WARNING, "m", "r");
	vmsc_vm_result_add_finding(vm, "b", VMSC_SEV_ERROR, "m", "r");
	vm = add_vm(r, vc, "unk", "vm-4");
	vm->status = VMSC_STATUS_UNKNOWN;
	vm = add_vm(r, vc, "skip1", "vm-5");
	vm->status = VMSC_STATUS_SKIPPED;
	vm = add_vm(r, vc, "skip2", "vm-6");
	vm->status = VMSC_STATUS_SKIPPED;
	vmsc_result_finish(r);
	assert_int_equal(r->summary.vms, 6);
	assert_int_equal(r->summary.ok, 1);
	assert_int_equal(r->summary.warning, 1);
	assert_int_equal(r->summary.error, 1);
	assert_int_equal(r->summary.unknown, 1);
	assert_int_equal(r->summary.skipped, 2);
	assert_int_equal(r->summary.waived, 1);

	/* finish() is repeatable: counts are recomputed, not added. */
	vmsc_result_finish(r);
	assert_int_equal(r->summary.vms, 6);
	assert_int_equal(r->summary.skipped, 2);
	vmsc_result_free(r);
}

static void test_result_incomplete_never_ok(void **state)
{
	struct vmsc_result *r = new_result();

	(void)state;
	vmsc_result_mark_incomplete(r, "interrupted");
	vmsc_result_mark_incomplete(r, "second reason is ignored");
	vmsc_result_finish(r);
	assert_true(r->incomplete);
	assert_string_equal(r->incomplete_reason, "interrupted");
	assert_int_equal(r->status, VMSC_STATUS_UNKNOWN);
	assert_int_equal(r->exit_code, 3);
	vmsc_result_free(r);

	/* Even with every VM healthy. */
	r = new_result();
	add_vm(r, vmsc_result_add_vcenter(r, "u", "vc"), "vm", "vm-1");
	vmsc_result_finish(r);
	assert_int_equal(r->exit_code, 0);
	vmsc_result_mark_incomplete(r, NULL);
	vmsc_result_finish(r);
	assert_int_equal(r->status, VMSC_STATUS_UNKNOWN);
	assert_int_equal(r->exit_code, 3);
	assert_string_equal(r->incomplete_reason, "the run did not finish");
	vmsc_result_free(r);
}

static void test_result_vcenter_error_is_unknown(void **state)
{
	struct vmsc_result *r = new_result();
	size_t vc = vmsc_result_add_vcenter(r, "u", "vc");

	(void)state;
	assert_int_equal(vmsc_vcenter_result_set_error(&r->vcenters[vc], "login failed"), 0);
	vmsc_result_finish(r);
	assert_int_equal(r->vcenters[0].status, VMSC_STATUS_UNKNOWN);
	assert_int_equal(r->exit_code, 3);
	vmsc_result_free(r);
}

static void test_result_no_vms_is_ok(void **state)
{
	struct vmsc_result *r = new_result();

	(void)state;
	vmsc_result_add_vcenter(r, "u", "vc");
	vmsc_result_finish(r);
	assert_int_equal(r->status, VMSC_STATUS_OK);
	assert_int_equal(r->exit_code, 0);
	assert_int_equal(r->summary.vms, 0);
	vmsc_result_free(r);
}

static void test_result_growth(void **state)
{
	struct vmsc_result *r = new_result();
	size_t vc = 0, i;
	char name[32];

	(void)state;
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "vc%02zu", 39 - i);
		vc = vmsc_result_add_vcenter(r, name, name);
		assert_int_equal(vc, i);
	}
	for (i = 0; i < 5000; i++) {
		struct vmsc_vm_result *vm;
		size_t j;

		snprintf(name, sizeof(name), "vm%05zu", 4999 - i);
		vm = add_vm(r, i % 40, name, name);
		for (j = 0; j < i % 7; j++)
			assert_non_null(vmsc_vm_result_add_finding(vm, "r", VMSC_SEV_WARNING, name,
								   "fix"));
	}
	assert_true(r->cap_vms >= 5000);
	vmsc_result_finish(r);
	for (i = 1; i < r->n_vms; i++) {
		const struct vmsc_vm_result *p = &r->vms[i - 1], *q = &r->vms[i];

		assert_true(p->vcenter < q->vcenter ||
			    (p->vcenter == q->vcenter && strcmp(p->name, q->name) < 0));
	}
	/* vc00 was added last and sorts first; its VMs keep following it. */
	assert_string_equal(r->vcenters[0].name, "vc00");
	assert_string_equal(r->vms[0].name, "vm00000");
	vmsc_result_free(r);
}

static void test_result_copies_strings(void **state)
{
	struct vmsc_result *r = new_result();
	char name[] = "original";
	struct vmsc_vm_result *vm;
	struct vmsc_finding *f;

	(void)state;
	vm = add_vm(r, vmsc_result_add_vcenter(r, name, name), name, name);
	f = vmsc_vm_result_add_finding(vm, "x", VMSC_SEV_ERROR, name, name);
	assert_int_equal(vmsc_vm_result_set_reason(vm, name), 0);
	memcpy(name, "changed!", sizeof(name));
	assert_string_equal(vm->name, "original");
	assert_string_equal(vm->reason, "original");
	assert_string_equal(f->message, "original");
	assert_string_equal(r->vcenters[0].url, "original");
	assert_int_equal(vmsc_vm_result_set_reason(vm, NULL), 0);
	assert_null(vm->reason);
	vmsc_result_free(r);
	vmsc_result_free(NULL);
}

/* take_finding keeps the message it is given and points at a static remedy:
 * removing, sorting and freeing must not free the remedy (valgrind, ASan). */
static void test_result_take_finding(void **state)
{
	static const char remedy[] = "static remedy";
	struct vmsc_result *r = new_result();
	struct vmsc_vm_result *vm;
	struct vmsc_finding *f;
	char *msg = strdup("taken");

	(void)state;
	vm = add_vm(r, vmsc_result_add_vcenter(r, "u", "vc"), "vm", "vm-1");
	f = vmsc_vm_result_take_finding(vm, "b-rule", VMSC_SEV_WARNING, msg, remedy);
	assert_non_null(f);
	assert_ptr_equal(f->message, msg);
	assert_ptr_equal(f->remedy, remedy);
	assert_non_null(vmsc_vm_result_add_finding(vm, "a-rule", VMSC_SEV_WARNING, "copied", remedy));
	assert_non_null(vmsc_vm_result_take_finding(vm, "c-rule", VMSC_SEV_ERROR, strdup("gone"),
						    remedy));
	vmsc_vm_result_remove_findings(vm, "c-rule");
	assert_null(vmsc_vm_result_take_finding(vm, "d-rule", VMSC_SEV_ERROR, NULL, remedy));
	/* past the capacity the removal left (arrays grow from one finding) */
	for (int i = 0; i < 5; i++)
		assert_non_null(vmsc_vm_result_take_finding(vm, "e-rule", VMSC_SEV_WARNING,
							    strdup("more"), remedy));
	vmsc_result_finish(r);
	vm = &r->vms[0];
	assert_int_equal(vm->n_findings, 7);
	assert_string_equal(vm->findings[6].message, "more");
	assert_string_equal(vm->findings[0].rule, "a-rule");
	assert_ptr_not_equal(vm->findings[0].remedy, remedy);
	assert_ptr_equal(vm->findings[1].remedy, remedy);
	assert_string_equal(vm->findings[1].message, "taken");
	vmsc_result_free(r);
}

/* Merging into an empty result takes the VM array; a second merge appends. */
static void test_result_merge(void **state)
{
	struct vmsc_result *dst = new_result(), *a = new_result(), *b = new_result();
	struct vmsc_vm_result *arr;

	(void)state;
	add_vm(a, vmsc_result_add_vcenter(a, "ua", "a"), "vm-a", "vm-1");
	assert_non_null(vmsc_vm_result_add_finding(&a->vms[0], "x", VMSC_SEV_ERROR, "m", "r"));
	add_vm(b, vmsc_result_add_vcenter(b, "ub", "b"), "vm-b", "vm-2");
	arr = a->vms;
	assert_int_equal(vmsc_result_merge(dst, a), 0);
	assert_ptr_equal(dst->vms, arr);
	assert_int_equal(a->n_vms, 0);
	assert_int_equal(vmsc_result_merge(dst, b), 0);
	assert_int_equal(dst->n_vcenters, 2);
	assert_int_equal(dst->n_vms, 2);
	assert_int_equal(dst->vms[0].vcenter, 0);
	assert_int_equal(dst->vms[1].vcenter, 1);
	assert_string_equal(dst->vms[1].name, "vm-b");
	assert_string_equal(dst->vms[0].findings[0].message, "m");
	vmsc_result_free(a);
	vmsc_result_free(b);
	vmsc_result_finish(dst);
	assert_string_equal(dst->vms[0].name, "vm-a");
	vmsc_result_free(dst);
}

static void test_result_names(void **state)
{
	(void)state;
	assert_string_equal(vmsc_status_name(VMSC_STATUS_OK), "ok");
	assert_string_equal(vmsc_status_name(VMSC_STATUS_WARNING), "warning");
	assert_string_equal(vmsc_status_name(VMSC_STATUS_ERROR), "error");
	assert_string_equal(vmsc_status_name(VMSC_STATUS_UNKNOWN), "unknown");
	assert_string_equal(vmsc_status_name(VMSC_STATUS_SKIPPED), "skipped");
	assert_string_equal(vmsc_severity_name(VMSC_SEV_WARNING), "warning");
	assert_string_equal(vmsc_severity_name(VMSC_SEV_ERROR), "error");
	assert_int_equal(vmsc_status_exit_code(VMSC_STATUS_SKIPPED), 0);
	assert_int_equal(vmsc_status_exit_code(VMSC_STATUS_UNKNOWN), 3);
	assert_int_equal(vmsc_status_worse(VMSC_STATUS_SKIPPED, VMSC_STATUS_OK), VMSC_STATUS_OK);
	assert_int_equal(vmsc_status_worse(VMSC_STATUS_UNKNOWN, VMSC_STATUS_ERROR),
			 VMSC_STATUS_UNKNOWN);
	assert_int_equal(vmsc_status_worse(VMSC_STATUS_WARNING, VMSC_STATUS_ERROR),
			 VMSC_STATUS_ERROR);
}

static void test_result_source_date_epoch(void **state)
{
	struct vmsc_result *r;
	size_t vc;

	(void)state;
	setenv("SOURCE_DATE_EPOCH", "1714564800", 1);
	assert_int_equal(vmsc_report_time(), 1714564800);
	assert_true(vmsc_report_reproducible());
	r = vmsc_result_new();
	assert_int_equal(r->generated, 1714564800);
	vc = vmsc_result_add_vcenter(r, "u", "vc");
	r->duration = 3.5;
	r->vcenters[vc].duration = 2.5;
	vmsc_result_finish(r);
	assert_true(r->duration == 0.0);
	assert_true(r->vcenters[0].duration == 0.0);
	vmsc_result_free(r);

	setenv("SOURCE_DATE_EPOCH", "12abc", 1);
	assert_false(vmsc_report_reproducible());
	assert_true(vmsc_report_time() > 1714564800);
	unsetenv("SOURCE_DATE_EPOCH");
	assert_false(vmsc_report_reproducible());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result_sort_names_by_bytes),
		cmocka_unit_test(test_result_sort_vcenters_and_remap),
		cmocka_unit_test(test_result_sort_findings),
		cmocka_unit_test(test_result_waived_does_not_raise_status),
		cmocka_unit_test(test_result_expired_waiver_counts),
		cmocka_unit_test(test_result_status_and_exit_codes),
		cmocka_unit_test(test_result_summary),
		cmocka_unit_test(test_result_incomplete_never_ok),
		cmocka_unit_test(test_result_vcenter_error_is_unknown),
		cmocka_unit_test(test_result_no_vms_is_ok),
		cmocka_unit_test(test_result_growth),
		cmocka_unit_test(test_result_copies_strings),
		cmocka_unit_test(test_result_take_finding),
		cmocka_unit_test(test_result_merge),
		cmocka_unit_test(test_result_names),
		cmocka_unit_test(test_result_source_date_epoch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
