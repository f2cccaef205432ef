/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <unistd.h>

#include "report_fixture.h"

/* Runs `promtool check metrics` on the text when promtool is installed
 * (Debian package prometheus); returns its exit status, or -1 to skip. */
static int promtool_check(const char *text)
{
	char path[] = "/tmp/vmsc-prom-XXXXXX";
	char cmd[256];
	FILE *f;
	int fd, rc;

	if (system("command -v promtool >/dev/null 2>&1") != 0)
		return -1;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), "promtool check metrics < %s", path);
	rc = system(cmd);
	unlink(path);
	return rc;
}

static void test_report_prometheus_basic(void **state)
{
	struct vmsc_result *r = fixture_basic();
	char *out = render(vmsc_report_prometheus, r, false, false);

	(void)state;
	assert_golden(out, "prometheus-basic.txt");
	free(out);
	vmsc_result_free(r);
}

static void test_report_prometheus_escaping(void **state)
{
	struct vmsc_result *r = fixture_nasty();
	char *out = render(vmsc_report_prometheus, r, false, false);

	(void)state;
	assert_golden(out, "prometheus-nasty.txt");
	assert_non_null(strstr(out, "vm=\"say \\\"hi\\\" \\\\ bye\""));
	/* A failed run has no last-success sample: the metric goes stale. */
	assert_null(strstr(out, "vmsnapcheck_last_success_timestamp_seconds"));
	free(out);
	vmsc_result_free(r);
}

static void test_report_prometheus_promtool(void **state)
{
	struct vmsc_result *basic = fixture_basic();
	struct vmsc_result *nasty = fixture_nasty();
	char *a = render(vmsc_report_prometheus, basic, false, false);
	char *b = render(vmsc_report_prometheus, nasty, false, false);
	int rc;

	(void)state;
	rc = promtool_check(a);
	if (rc >= 0) {
		assert_int_equal(rc, 0);
		assert_int_equal(promtool_check(b), 0);
	}
	free(a);
	free(b);
	vmsc_result_free(basic);
	vmsc_result_free(nasty);
	if (rc < 0) {
		print_message("skip: promtool is not installed (Debian package prometheus)\n");
		skip();
	}
}

/* Two findings of one rule on one VM, and two VMs with one name: every
 * series stays unique (the textfile collector rejects duplicates). */
static void test_report_prometheus_unique_series(void **state)
{
	struct vmsc_result *r;
	struct vmsc_vm_result *vm;
	char *out;

	(void)state;
	fixture_env();
	r = vmsc_result_new();
	vmsc_result_add_vcenter(r, "https://vc/sdk", "vc");
	vm = fixture_vm(r, 0, "twin", "vm-1", "poweredOn", NULL);
	fixture_finding(vm, "independent-disk", VMSC_SEV_ERROR, "Hard disk 1", "r");
	fixture_finding(vm, "independent-disk", VMSC_SEV_ERROR, "Hard disk 2", "r");
	vm = fixture_vm(r, 0, "twin", "vm-2", "poweredOn", NULL);
	/* one consistency series per evaluated VM: vm-1 has no level */
	fixture_consistency(vm, VMSC_LEVEL_APPLICATION, VMSC_LEVEL_UNSET, VMSC_LIMIT_GUEST_OS, NULL);
	vmsc_result_finish(r);
	out = render(vmsc_report_prometheus, r, false, false);
	assert_string_equal(out,
		"# HELP vmsnapcheck_up Whether the vCenter could be read (1) or not (0).\n"
		"# TYPE vmsnapcheck_up gauge\n"
		"vmsnapcheck_up{vcenter=\"vc\"} 1\n"
		"# HELP vmsnapcheck_vms Number of VMs per vCenter and status.\n"
		"# TYPE vmsnapcheck_vms gauge\n"
		"vmsnapcheck_vms{vcenter=\"vc\",status=\"ok\"} 1\n"
		"vmsnapcheck_vms{vcenter=\"vc\",status=\"warning\"} 0\n"
		"vmsnapcheck_vms{vcenter=\"vc\",status=\"error\"} 1\n"
		"vmsnapcheck_vms{vcenter=\"vc\",status=\"unknown\"} 0\n"
		"vmsnapcheck_vms{vcenter=\"vc\",status=\"skipped\"} 0\n"
		"# HELP vmsnapcheck_vm_status Status of a VM: ok, warning, error, unknown or "
		"skipped (always 1).\n"
		"# TYPE vmsnapcheck_vm_status gauge\n"
		"vmsnapcheck_vm_status{vcenter=\"vc\",vm=\"twin\",moid=\"vm-1\",status=\"error\"} 1\n"
		"vmsnapcheck_vm_status{vcenter=\"vc\",vm=\"twin\",moid=\"vm-2\",status=\"ok\"} 1\n"
		"# HELP vmsnapcheck_vm_finding An unwaived finding of a rule on a VM (always 1, once "
		"per rule and severity).\n"
		"# TYPE vmsnapcheck_vm_finding gauge\n"
		"vmsnapcheck_vm_finding{vcenter=\"vc\",vm=\"twin\",moid=\"vm-1\","
		"rule=\"independent-disk\",severity=\"error\"} 1\n"
		"# HELP vmsnapcheck_vm_consistency Expected snapshot consistency of a VM: "
		"application, filesystem, crash or none (always 1).\n"
		"# TYPE vmsnapcheck_vm_consistency gauge\n"
		"vmsnapcheck_vm_consistency{vcenter=\"vc\",vm=\"twin\",moid=\"vm-2\","
		"level=\"application\"} 1\n"
		"# HELP vmsnapcheck_run_duration_seconds Wall time of the whole run in seconds.\n"
		"# TYPE vmsnapcheck_run_duration_seconds gauge\n"
		"vmsnapcheck_run_duration_seconds 0.000\n"
		"# HELP vmsnapcheck_last_success_timestamp_seconds Unix time of the last run that "
		"read every vCenter completely.\n"
		"# TYPE vmsnapcheck_last_success_timestamp_seconds gauge\n"
		"vmsnapcheck_last_success_timestamp_seconds " FIXTURE_EPOCH "\n");
	free(out);
	vmsc_result_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_prometheus_basic),
		cmocka_unit_test(test_report_prometheus_escaping),
		cmocka_unit_test(test_report_prometheus_promtool),
		cmocka_unit_test(test_report_prometheus_unique_series),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
