/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "report_fixture.h"

static void test_report_nagios_basic(void **state)
{
	struct vmsc_result *r = fixture_basic();
	char *out = render(vmsc_report_nagios, r, false, false);

	(void)state;
	assert_golden(out, "nagios-basic.txt");
	free(out);
	vmsc_result_free(r);
}

static void test_report_nagios_escaping(void **state)
{
	struct vmsc_result *r = fixture_nasty();
	char *out = render(vmsc_report_nagios, r, false, false);
	const char *p;
	size_t pipes = 0;

	(void)state;
	assert_golden(out, "nagios-nasty.txt");
	/* The only '|' is the perfdata separator; control characters are gone. */
	for (p = out; *p; p++) {
		pipes += *p == '|';
		assert_true(*p == '\n' || (unsigned char)*p >= 0x20);
	}
	assert_int_equal(pipes, 1);
	free(out);
	vmsc_result_free(r);
}

static struct vmsc_result *one_vm(enum vmsc_severity sev, bool waived, bool skipped)
{
	struct vmsc_result *r;
	struct vmsc_vm_result *vm;
	struct vmsc_finding *f;

	fixture_env();
	r = vmsc_result_new();
	vmsc_result_add_vcenter(r, "https://vc/sdk", "vc");
	fixture_vm(r, 0, "healthy", "vm-1", "poweredOn", NULL);
	vm = fixture_vm(r, 0, "subject", "vm-2", "poweredOn", NULL);
	if (sev) {
		f = fixture_finding(vm, "tools-outdated", sev, "m", "fix");
		if (waived)
			fixture_waive(f, "w", "reason", "2099-12-31", false);
	}
	if (skipped) {
		vm->status = VMSC_STATUS_SKIPPED;
		vmsc_vm_result_set_reason(vm, "powered off");
	}
	vmsc_result_finish(r);
	return r;
}

static void test_report_nagios_states(void **state)
{
	struct {
		int sev;
		bool waived, skipped;
		const char *want;
	} cases[] = {
		{ 0, false, false,
		  "VMSNAPCHECK OK - 2 of 2 VMs ready for quiesced snapshots | vms=2 ok=2 warning=0 "
		  "error=0 unknown=0 skipped=0 application=0 filesystem=0 crash=0 none=0 time=0.000s\n" },
		{ VMSC_SEV_ERROR, true, false,
		  "VMSNAPCHECK OK - 2 of 2 VMs ready for quiesced snapshots, 1 finding waived | "
		  "vms=2 ok=2 warning=0 error=0 unknown=0 skipped=0 application=0 filesystem=0 crash=0 none=0 time=0.000s\n" },
		{ 0, false, true,
		  "VMSNAPCHECK OK - 1 of 2 VMs ready for quiesced snapshots, 1 skipped | vms=2 ok=1 "
		  "warning=0 error=0 unknown=0 skipped=1 application=0 filesystem=0 crash=0 none=0 time=0.000s\n" },
		{ VMSC_SEV_WARNING, false, false,
		  "VMSNAPCHECK WARNING - 1 of 2 VMs not ready for quiesced snapshots: subject "
		  "(tools-outdated) | vms=2 ok=1 warning=1 error=0 unknown=0 skipped=0 application=0 filesystem=0 crash=0 none=0 time=0.000s\n"
		  "[warning] subject: tools-outdated\n" },
		{ VMSC_SEV_ERROR, false, false,
		  "VMSNAPCHECK CRITICAL - 1 of 2 VMs not ready for quiesced snapshots: subject "
		  "(tools-outdated) | vms=2 ok=1 warning=0 error=1 unknown=0 skipped=0 application=0 filesystem=0 crash=0 none=0 time=0.000s\n"
		  "[error] subject: tools-outdated\n" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vmsc_result *r = one_vm(cases[i].sev, cases[i].waived, cases[i].skipped);
		char *out = render(vmsc_report_nagios, r, false, false);

		assert_string_equal(out, cases[i].want);
		free(out);
		vmsc_result_free(r);
	}
}

static void test_report_nagios_no_vms(void **state)
{
	struct vmsc_result *r;
	char *out;

	(void)state;
	fixture_env();
	r = vmsc_result_new();
	vmsc_result_finish(r);
	out = render(vmsc_report_nagios, r, false, false);
	assert_string_equal(out, "VMSNAPCHECK OK - no VMs checked | vms=0 ok=0 warning=0 error=0 "
				 "unknown=0 skipped=0 application=0 filesystem=0 crash=0 none=0 time=0.000s\n");
	free(out);
	vmsc_result_free(r);
}

/* 2,000 failing VMs with long names: output stays within 4 KB and says how
 * many lines were left out. */
static void test_report_nagios_4k_cap(void **state)
{
	struct vmsc_result *r;
	char *out, *line, *save = NULL, name[512];
	size_t i, lines = 0, more = 0;

	(void)state;
	fixture_env();
	r = vmsc_result_new();
	vmsc_result_add_vcenter(r, "https://vc/sdk", "vc");
	vmsc_vcenter_result_set_error(&r->vcenters[0], "partly read: session expired");
	for (i = 0; i < 2000; i++) {
		struct vmsc_vm_result *vm;

		snprintf(name, sizeof(name), "vm-%04zu-%0300d", i, 0);
		vm = fixture_vm(r, 0, name, name, "poweredOn", NULL);
		fixture_finding(vm, "independent-disk", VMSC_SEV_ERROR, "m", "r");
		fixture_finding(vm, "snapshot-age", VMSC_SEV_WARNING, "m", "r");
	}
	vmsc_result_finish(r);
	out = render(vmsc_report_nagios, r, false, false);
	assert_true(strlen(out) <= 4000);
	assert_true(strncmp(out, "VMSNAPCHECK UNKNOWN - vCenter vc: partly read: session expired; "
				 "2000 of 2000 VMs not ready for quiesced snapshots: vm-0000-",
			    118) == 0);
	assert_non_null(strstr(out, " and 1997 more | vms=2000 ok=0 warning=0 error=2000 "));
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		assert_true(strlen(line) <= 1200);
		if (sscanf(line, "... and %zu more", &more) == 1)
			break;
		lines++;
	}
	/* Status line + vCenter line + the VM lines that fit, then the rest. */
	assert_true(lines > 3);
	assert_int_equal((lines - 1) + more, 1 + 2000);
	free(out);
	vmsc_result_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_nagios_basic),
		cmocka_unit_test(test_report_nagios_escaping),
		cmocka_unit_test(test_report_nagios_states),
		cmocka_unit_test(test_report_nagios_no_vms),
		cmocka_unit_test(test_report_nagios_4k_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
