/* SPDX-License-Identifier: GPL-2.0-or-later */
/* --baseline: reading an earlier report (each way it can be wrong) and
 * matching this run's findings against it; --fail-on new's status. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "vmsnapcheck/baseline.h"

#define HEAD "{\"schemaVersion\": 1, \"generated\": \"2024-04-30T12:00:00Z\", \"status\": \"error\", " \
	     "\"exitCode\": 2, \"vcenters\": [{\"name\": \"vc01.example.com\"}], \"summary\": {}, "

static struct vmsc_baseline *parse(const char *text, struct vmsc_error *err)
{
	memset(err, 0, sizeof(*err));
	return vmsc_baseline_parse(text, strlen(text), "old.json", err);
}

static void expect_error(const char *text, const char *message)
{
	struct vmsc_error err;

	assert_null(parse(text, &err));
	assert_int_equal(err.code, VMSC_E_CONFIG);
	assert_string_equal(err.message, message);
}

#define GIVE "give the JSON report of an earlier run (-f json -o FILE)"

static void test_baseline_bad_files(void **state)
{
	struct vmsc_error err = { 0 };
	char dir[] = "/tmp/vmsc-baseline-XXXXXX", path[64];

	(void)state;
	expect_error("", "baseline 'old.json' is not JSON (line 1: '[' or '{' expected near end of "
		     "file): " GIVE);
	expect_error("vmsnapcheck: connection refused\n",
		     "baseline 'old.json' is not JSON (line 1: '[' or '{' expected near 'vmsnapcheck'): " GIVE);
	expect_error("[]", "baseline 'old.json' is not a vmsnapcheck JSON report (the top level is not "
		     "an object): " GIVE);
	expect_error("{\"vms\": []}", "baseline 'old.json' is not a vmsnapcheck JSON report (no "
		     "'schemaVersion'): " GIVE);
	expect_error("{\"schemaVersion\": 2, \"vms\": []}",
		     "baseline 'old.json' has schemaVersion 2, this vmsnapcheck reads 1: " GIVE
		     " with this version");
	/* a facts file (--save-facts) has schemaVersion 1, vcenters and vms too */
	expect_error("{\"schemaVersion\": 1, \"vms\": [], \"vcenters\": []}",
		     "baseline 'old.json' is not a report (no 'summary' or 'status'; a facts file?): " GIVE);
	expect_error(HEAD "\"vms\": {}}", "baseline 'old.json' is not a vmsnapcheck JSON report "
		     "('vms' is not an array): " GIVE);
	expect_error("{\"schemaVersion\": 1, \"status\": \"ok\", \"summary\": {}, \"vcenters\": [{}], "
		     "\"vms\": []}", "baseline 'old.json' is not a vmsnapcheck JSON report "
		     "(vcenters[0] has no 'name'): " GIVE);
	expect_error(HEAD "\"vms\": [{\"vcenter\": \"vc01.example.com\", \"findings\": []}]}",
		     "baseline 'old.json' is not a vmsnapcheck JSON report (vms[0] lacks 'vcenter', "
		     "'moid' or 'findings'): " GIVE);
	expect_error(HEAD "\"vms\": [{\"vcenter\": \"v\", \"moid\": \"vm-1\", \"findings\": "
		     "[{\"severity\": \"error\"}]}]}", "baseline 'old.json' is not a vmsnapcheck "
		     "JSON report (vms[0].findings[0] lacks 'rule' or 'severity'): " GIVE);
	expect_error(HEAD "\"vms\": [], \"vms\": []}", "baseline 'old.json' is not JSON (line 1: "
		     "duplicate object key near '\"vms\"'): " GIVE);
	/* the size is checked before anything is parsed */
	assert_null(vmsc_baseline_parse("{}", VMSC_BASELINE_MAX_BYTES + 1, "big.json", &err));
	assert_string_equal(err.message, "baseline 'big.json' is larger than 64 MiB: " GIVE);

	assert_null(vmsc_baseline_load("/nonexistent/old.json", &err));
	assert_int_equal(err.code, VMSC_E_IO);
	assert_string_equal(err.message, "cannot read baseline '/nonexistent/old.json': No such "
			    "file or directory: " GIVE);
	assert_non_null(mkdtemp(dir));
	assert_null(vmsc_baseline_load(dir, &err));
	assert_int_equal(err.code, VMSC_E_IO);
	snprintf(path, sizeof(path), "%s/r.json", dir);
	{
		FILE *f = fopen(path, "w");
		struct vmsc_baseline *b;

		assert_non_null(f);
		fputs(HEAD "\"vms\": []}", f);
		fclose(f);
		b = vmsc_baseline_load(path, &err);
		assert_non_null(b);
		assert_true(vmsc_baseline_has_vcenter(b, "VC01.example.com"));
		assert_false(vmsc_baseline_has_vcenter(b, "vc02.example.com"));
		vmsc_baseline_free(b);
	}
	unlink(path);
	rmdir(dir);
}

/* The baseline of the matching tests: vc01, VMs vm-1..vm-6. */
static const char BASELINE[] = HEAD "\"vms\": ["
	/* vm-1: unchanged, exact */
	"{\"vcenter\": \"vc01.example.com\", \"name\": \"web-01\", \"moid\": \"vm-1\", \"findings\": ["
	"  {\"rule\": \"tools-outdated\", \"severity\": \"warning\", \"message\": \"Tools old\"}]},"
	/* vm-2: renamed since (old-name), one disk of two fixed, age grew */
	"{\"vcenter\": \"vc01.example.com\", \"name\": \"old-name\", \"moid\": \"vm-2\", \"findings\": ["
	"  {\"rule\": \"independent-disk\", \"severity\": \"error\", \"message\": \"Hard disk 2\"},"
	"  {\"rule\": \"independent-disk\", \"severity\": \"error\", \"message\": \"Hard disk 3\"},"
	"  {\"rule\": \"snapshot-age\", \"severity\": \"warning\", \"message\": \"120 hours\"}]},"
	/* vm-3: skipped now: proves nothing */
	"{\"vcenter\": \"vc01.example.com\", \"name\": \"off\", \"moid\": \"vm-3\", \"findings\": ["
	"  {\"rule\": \"tools-not-running\", \"severity\": \"error\", \"message\": \"not running\"}]},"
	/* vm-4: gone (deleted or out of scope): listed nowhere */
	"{\"vcenter\": \"vc01.example.com\", \"name\": \"gone\", \"moid\": \"vm-4\", \"findings\": ["
	"  {\"rule\": \"fault-tolerance\", \"severity\": \"error\", \"message\": \"FT\"}]},"
	/* vm-5: fixed: resolved */
	"{\"vcenter\": \"VC01.example.com\", \"name\": \"fixed\", \"moid\": \"vm-5\", \"findings\": ["
	"  {\"rule\": \"tools-not-running\", \"severity\": \"error\", \"message\": \"not running\"}]},"
	/* another vCenter's vm-1: not this run's */
	"{\"vcenter\": \"vc09.example.com\", \"name\": \"web-01\", \"moid\": \"vm-1\", \"findings\": ["
	"  {\"rule\": \"snapshot-count\", \"severity\": \"error\", \"message\": \"many\"}]}"
	"]}";

static struct vmsc_vm_result *vm_with(struct vmsc_result *r, const char *name, const char *moid)
{
	struct vmsc_vm_result *vm = vmsc_result_add_vm(r, 0, name, moid);

	assert_non_null(vm);
	return vm;
}

static void add(struct vmsc_vm_result *vm, const char *rule, enum vmsc_severity sev,
		const char *msg)
{
	assert_non_null(vmsc_vm_result_add_finding(vm, rule, sev, msg, "fix"));
}

static struct vmsc_result *current(void)
{
	struct vmsc_result *r = vmsc_result_new();
	struct vmsc_vm_result *vm;

	assert_non_null(r);
	assert_int_equal(vmsc_result_add_vcenter(r, "https://vc01.example.com/sdk",
						 "vc01.example.com"), 0);
	vm = vm_with(r, "web-01", "vm-1");
	add(vm, "tools-outdated", VMSC_SEV_WARNING, "Tools old");
	vm = vm_with(r, "new-name", "vm-2");
	add(vm, "independent-disk", VMSC_SEV_ERROR, "Hard disk 3");
	add(vm, "snapshot-age", VMSC_SEV_WARNING, "144 hours");
	add(vm, "snapshot-age", VMSC_SEV_WARNING, "a second one");
	vm = vm_with(r, "off", "vm-3");
	vm->status = VMSC_STATUS_SKIPPED;
	vm = vm_with(r, "fixed", "vm-5");
	vm = vm_with(r, "brand-new", "vm-6");
	add(vm, "fault-tolerance", VMSC_SEV_ERROR, "FT");
	return r;
}

static const struct vmsc_finding *finding(const struct vmsc_result *r, const char *moid,
					  const char *message)
{
	for (size_t i = 0; i < r->n_vms; i++)
		for (size_t j = 0; j < r->vms[i].n_findings; j++)
			if (!strcmp(r->vms[i].moid, moid) &&
			    !strcmp(r->vms[i].findings[j].message, message))
				return &r->vms[i].findings[j];
	fail_msg("no finding %s on %s", message, moid);
	return NULL;
}

static void test_baseline_matching(void **state)
{
	struct vmsc_error err;
	struct vmsc_baseline *b = parse(BASELINE, &err);
	struct vmsc_result *r = current();

	(void)state;
	assert_non_null(b);
	/* without a baseline nothing is marked */
	assert_int_equal(finding(r, "vm-1", "Tools old")->change, VMSC_CHANGE_NONE);
	assert_int_equal(vmsc_baseline_apply(b, r, &err), 0);
	vmsc_result_finish(r);
	assert_true(r->compared);
	assert_string_equal(r->baseline_generated, "2024-04-30T12:00:00Z");
	assert_int_equal(finding(r, "vm-1", "Tools old")->change, VMSC_CHANGE_UNCHANGED);
	/* renamed: matched by moid; disk 3 exactly, the grown age by rule */
	assert_int_equal(finding(r, "vm-2", "Hard disk 3")->change, VMSC_CHANGE_UNCHANGED);
	assert_int_equal(finding(r, "vm-2", "144 hours")->change, VMSC_CHANGE_UNCHANGED);
	/* one baseline finding answers for one current finding */
	assert_int_equal(finding(r, "vm-2", "a second one")->change, VMSC_CHANGE_NEW);
	assert_int_equal(finding(r, "vm-6", "FT")->change, VMSC_CHANGE_NEW);
	assert_int_equal(r->summary.new_findings, 2);

	/* resolved: disk 2 of the renamed VM (under its new name) and vm-5; not
	 * the skipped vm-3, the vanished vm-4 or the other vCenter's vm-1 */
	assert_int_equal(r->n_resolved, 2);
	assert_int_equal(r->summary.resolved, 2);
	assert_string_equal(r->resolved[0].vm, "fixed");
	assert_string_equal(r->resolved[0].moid, "vm-5");
	assert_string_equal(r->resolved[0].vcenter, "vc01.example.com");
	assert_string_equal(r->resolved[0].rule, "tools-not-running");
	assert_int_equal(r->resolved[0].severity, VMSC_SEV_ERROR);
	assert_string_equal(r->resolved[1].vm, "new-name");
	assert_string_equal(r->resolved[1].message, "Hard disk 2");
	/* the default exit code still counts every finding */
	assert_int_equal(r->exit_code, 2);
	vmsc_result_free(r);
	vmsc_baseline_free(b);
}

static void test_baseline_other_inventory(void **state)
{
	struct vmsc_error err;
	struct vmsc_baseline *b = parse(BASELINE, &err);
	struct vmsc_result *r = vmsc_result_new();

	(void)state;
	assert_non_null(b);
	assert_int_equal(vmsc_result_add_vcenter(r, "https://vc02.example.com/sdk",
						 "vc02.example.com"), 0);
	vm_with(r, "web-01", "vm-1");
	assert_int_equal(vmsc_baseline_apply(b, r, &err), -1);
	assert_int_equal(err.code, VMSC_E_CONFIG);
	assert_string_equal(err.message, "baseline 'old.json' is from another inventory (vCenters "
			    "'vc01.example.com', this run 'vc02.example.com'): give a report of the "
			    "same vCenters");
	assert_false(r->compared);
	vmsc_result_free(r);
	vmsc_baseline_free(b);
}

static int exit_code_for(void (*change)(struct vmsc_result *r))
{
	struct vmsc_error err;
	struct vmsc_baseline *b = parse(BASELINE, &err);
	struct vmsc_result *r = current();
	int rc;

	assert_non_null(b);
	r->fail_on_new = true;
	if (change)
		change(r);
	assert_int_equal(vmsc_baseline_apply(b, r, &err), 0);
	vmsc_result_finish(r);
	rc = r->exit_code;
	assert_int_equal(rc, vmsc_status_exit_code(r->status));
	vmsc_result_free(r);
	vmsc_baseline_free(b);
	return rc;
}

static void drop_new_error(struct vmsc_result *r)
{
	vmsc_vm_result_remove_findings(&r->vms[4], "fault-tolerance");
}

static void only_unchanged(struct vmsc_result *r)
{
	drop_new_error(r);
	/* the second snapshot-age (new) goes too */
	r->vms[1].n_findings = 2;
	free(r->vms[1].findings[2].message);
	free(r->vms[1].findings[2].remedy);
}

static void waive_new(struct vmsc_result *r)
{
	only_unchanged(r);
	add(&r->vms[4], "fault-tolerance", VMSC_SEV_ERROR, "FT");
	r->vms[4].findings[0].waived = true;
}

static void unknown_vm(struct vmsc_result *r)
{
	only_unchanged(r);
	r->vms[3].status = VMSC_STATUS_UNKNOWN;
}

static void incomplete(struct vmsc_result *r)
{
	only_unchanged(r);
	vmsc_result_mark_incomplete(r, "not every vCenter could be read");
}

static void vcenter_error(struct vmsc_result *r)
{
	only_unchanged(r);
	assert_int_equal(vmsc_vcenter_result_set_error(&r->vcenters[0], "timeout"), 0);
}

/* --fail-on new: new unwaived findings decide 0/1/2; what could not be
 * read still gives 3. */
static void test_baseline_fail_on_new(void **state)
{
	(void)state;
	assert_int_equal(exit_code_for(NULL), 2);           /* a new error */
	assert_int_equal(exit_code_for(drop_new_error), 1); /* a new warning beside old errors */
	assert_int_equal(exit_code_for(only_unchanged), 0); /* old errors only */
	assert_int_equal(exit_code_for(waive_new), 0);
	assert_int_equal(exit_code_for(unknown_vm), 3);
	assert_int_equal(exit_code_for(incomplete), 3);
	assert_int_equal(exit_code_for(vcenter_error), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_baseline_bad_files),
		cmocka_unit_test(test_baseline_matching),
		cmocka_unit_test(test_baseline_other_inventory),
		cmocka_unit_test(test_baseline_fail_on_new),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
