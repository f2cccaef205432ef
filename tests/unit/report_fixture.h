/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSC_TEST_REPORT_FIXTURE_H
#define VMSC_TEST_REPORT_FIXTURE_H

/*
 * Fixed result sets for the report tests, and golden-file helpers.
 * Golden files live in tests/data/report/; run a test with
 * VMSC_UPDATE_GOLDEN=1 to rewrite them after an intended change, then
 * review the diff.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vmsnapcheck/report.h"
#include "vmsnapcheck/result.h"

#ifndef VMSC_TEST_DATA
#error "VMSC_TEST_DATA must name tests/data"
#endif

/* 2024-05-01T12:00:00Z */
#define FIXTURE_EPOCH "1714564800"

static inline void fixture_env(void)
{
	setenv("SOURCE_DATE_EPOCH", FIXTURE_EPOCH, 1);
}

static inline struct vmsc_vm_result *fixture_vm(struct vmsc_result *r, size_t vc,
						const char *name, const char *moid,
						const char *power, const char *guest)
{
	struct vmsc_vm_result *vm = vmsc_result_add_vm(r, vc, name, moid);

	assert_non_null(vm);
	assert_int_equal(vmsc_vm_result_set_power_state(vm, power), 0);
	assert_int_equal(vmsc_vm_result_set_guest_id(vm, guest), 0);
	return vm;
}

static inline struct vmsc_finding *fixture_finding(struct vmsc_vm_result *vm, const char *rule,
						   enum vmsc_severity sev, const char *msg,
						   const char *remedy)
{
	struct vmsc_finding *f = vmsc_vm_result_add_finding(vm, rule, sev, msg, remedy);

	assert_non_null(f);
	return f;
}

static inline void fixture_waive(struct vmsc_finding *f, const char *name, const char *reason,
				 const char *expires, bool expired)
{
	f->waiver = vmsc_waiver_ref_new(name, reason, expires, expired);
	assert_non_null(f->waiver);
	f->waived = !expired;
}

/* Sets a VM's expected (and probed) consistency and the rule ids, a NULL-ended
 * list of static strings, that limit it. */
static inline void fixture_consistency(struct vmsc_vm_result *vm, enum vmsc_level expected,
				       enum vmsc_level probed, ...)
{
	va_list ap;
	const char *id;

	vm->consistency.ceiling = expected;
	vm->consistency.expected = expected;
	vm->consistency.probed = probed;
	va_start(ap, probed);
	while ((id = va_arg(ap, const char *)))
		assert_int_equal(vmsc_consistency_add_limit(&vm->consistency, id), 0);
	va_end(ap);
}

/*
 * One vCenter, every VM status, every consistency level (and none for the
 * skipped and the unknown VM), a probed level, a waived and an expired waiver, a UTF-8
 * name, VMs added out of order.
 */
static inline struct vmsc_result *fixture_basic(void)
{
	struct vmsc_result *r;
	struct vmsc_vm_result *vm;
	struct vmsc_finding *f;
	size_t vc;

	fixture_env();
	r = vmsc_result_new();
	assert_non_null(r);
	vc = vmsc_result_add_vcenter(r, "https://vc01.example.com/sdk", "vc01.example.com");
	assert_int_equal(vc, 0);
	assert_int_equal(vmsc_vcenter_result_set_about(&r->vcenters[vc], "8.0.2", "8.0.2.0",
						       "VMware vCenter Server 8.0.2 build-22385739"),
			 0);
	r->vcenters[vc].duration = 1.25;
	r->duration = 1.5;

	vm = fixture_vm(r, vc, "web-01", "vm-101", "poweredOn", "ubuntu64Guest");
	fixture_consistency(vm, VMSC_LEVEL_FILESYSTEM, VMSC_LEVEL_UNSET, VMSC_LIMIT_GUEST_OS, NULL);

	vm = fixture_vm(r, vc, "sql-01", "vm-102", "poweredOn", "windows2019srv_64Guest");
	fixture_consistency(vm, VMSC_LEVEL_APPLICATION, VMSC_LEVEL_FILESYSTEM, VMSC_LIMIT_GUEST_OS,
			    NULL);
	fixture_finding(vm, "snapshot-age", VMSC_SEV_WARNING,
			"oldest snapshot \"before upgrade\" is 120 hours old (limit 72)",
			"Delete or consolidate snapshots older than the limit.");
	f = fixture_finding(vm, "independent-disk", VMSC_SEV_ERROR,
			    "Hard disk 2 is independent_persistent",
			    "Change the disk mode to dependent (the VM must be powered off).");
	fixture_waive(f, "old-exception", "migration pending", "2024-01-31", true);

	vm = fixture_vm(r, vc, "app-02", "vm-103", "poweredOn", "rhel8_64Guest");
	fixture_consistency(vm, VMSC_LEVEL_FILESYSTEM, VMSC_LEVEL_UNSET, VMSC_LIMIT_GUEST_OS, NULL);
	fixture_finding(vm, "tools-outdated", VMSC_SEV_WARNING,
			"VMware Tools 11.0.5 is older than supported (guestToolsSupportedOld)",
			"Upgrade VMware Tools.");
	f = fixture_finding(vm, "rdm-physical", VMSC_SEV_ERROR,
			    "Hard disk 3 is a physical-mode RDM",
			    "Back the data up in the guest, or use a virtual-mode RDM.");
	fixture_waive(f, "sql-legacy-rdm", "clustered SQL, backed up in-guest (CHG-1234)",
		      "2027-03-31", false);

	vm = fixture_vm(r, vc, "tmpl-base", "vm-104", "poweredOff", "ubuntu64Guest");
	vm->status = VMSC_STATUS_SKIPPED;
	assert_int_equal(vmsc_vm_result_set_reason(vm, "template"), 0);

	vm = fixture_vm(r, vc, "db-03", "vm-105", NULL, NULL);
	vm->status = VMSC_STATUS_UNKNOWN;
	assert_int_equal(vmsc_vm_result_set_reason(vm, "could not read config.hardware.device: "
							"NoPermission"), 0);

	vm = fixture_vm(r, vc, "\xc3\x9c" "bung-vm", "vm-106", "poweredOn", "debian12_64Guest");
	fixture_consistency(vm, VMSC_LEVEL_FILESYSTEM, VMSC_LEVEL_UNSET, VMSC_LIMIT_GUEST_OS, NULL);
	f = fixture_finding(vm, "guest-disk-space", VMSC_SEV_WARNING,
			    "/var has 4% free (limit 10%)", "Free space on /var.");
	fixture_waive(f, "scratch", "scratch disk, rebuilt nightly", "2026-12-31", false);

	vm = fixture_vm(r, vc, "file-04", "vm-107", "poweredOn", "windows2019srv_64Guest");
	fixture_consistency(vm, VMSC_LEVEL_CRASH, VMSC_LEVEL_UNSET, "tools-not-running", NULL);
	f = fixture_finding(vm, "tools-not-running", VMSC_SEV_ERROR, "VMware Tools is not running",
			    "Start VMware Tools in the guest.");
	f->cap = VMSC_LEVEL_CRASH;

	/* a waived finding still caps the level (a waiver never changes the truth) */
	vm = fixture_vm(r, vc, "ft-05", "vm-108", "poweredOn", "rhel8_64Guest");
	fixture_consistency(vm, VMSC_LEVEL_NONE, VMSC_LEVEL_UNSET, "fault-tolerance",
			    "passthrough-device", NULL);
	f = fixture_finding(vm, "fault-tolerance", VMSC_SEV_ERROR,
			    "Fault Tolerance is running", "Turn Fault Tolerance off to back up.");
	f->cap = VMSC_LEVEL_NONE;
	f = fixture_finding(vm, "passthrough-device", VMSC_SEV_ERROR,
			    "PCI device 0 is a passthrough device", "Remove the passthrough device.");
	f->cap = VMSC_LEVEL_NONE;
	fixture_waive(f, "gpu-host", "GPU render node, rebuilt from images", "2027-01-31", false);

	vmsc_result_finish(r);
	return r;
}

/*
 * Names and messages every format must escape: quotes, backslashes,
 * newlines, '|', ',', a leading '=', control characters, invalid UTF-8;
 * two vCenters (added in reverse order), one unreachable; an incomplete run.
 */
static inline struct vmsc_result *fixture_nasty(void)
{
	struct vmsc_result *r;
	struct vmsc_vm_result *vm;
	size_t a, b;

	fixture_env();
	r = vmsc_result_new();
	assert_non_null(r);
	b = vmsc_result_add_vcenter(r, "https://vc02.example.com/sdk", "vc02.example.com");
	a = vmsc_result_add_vcenter(r, "https://vc01.example.com/sdk", "vc01.example.com");
	assert_int_equal(vmsc_vcenter_result_set_about(&r->vcenters[a], "7.0.3", "7.0.3.0", NULL),
			 0);
	assert_int_equal(vmsc_vcenter_result_set_error(&r->vcenters[b],
						       "connection to 'vc02.example.com' refused"),
			 0);

	vm = fixture_vm(r, a, "say \"hi\" \\ bye", "vm-1", "poweredOn", "otherGuest");
	fixture_consistency(vm, VMSC_LEVEL_NONE, VMSC_LEVEL_UNSET, "snapshot-count", NULL);
	fixture_finding(vm, "snapshot-count", VMSC_SEV_ERROR,
			"32 snapshots, chain 32 deep\nsecond line", "=HYPERLINK(\"x\")");
	vm = fixture_vm(r, a, "pipe|name,comma", "vm-2", "poweredOn", "otherGuest");
	fixture_consistency(vm, VMSC_LEVEL_CRASH, VMSC_LEVEL_CRASH, "tools-not-running", NULL);
	fixture_finding(vm, "tools-not-running", VMSC_SEV_ERROR,
			"VMware Tools not running", "+start Tools; -restart @once");
	vm = fixture_vm(r, a, "=cmd|' /C calc'!A0", "vm-3", "poweredOn", "otherGuest");
	fixture_finding(vm, "fault-tolerance", VMSC_SEV_ERROR, "tab\there, bell\a, esc\x1b[31m",
			"bad utf-8: \xff\xfe end");
	fixture_vm(r, a, "multi\nline", "vm-4", "poweredOn", "otherGuest");
	vmsc_result_mark_incomplete(r, "interrupted by SIGTERM");
	vmsc_result_finish(r);
	return r;
}

/* Renders a report into a malloc'd string. */
static inline char *render(vmsc_report_fn fn, const struct vmsc_result *r, bool color,
			   bool verbose)
{
	struct vmsc_report_options o = { .color = color, .verbose = verbose,
					 .tool_version = "0.1.0" };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(fn(r, &o, f), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static inline char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	int c;

	if (!f)
		return NULL;
	m = open_memstream(&buf, &len);
	assert_non_null(m);
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(f);
	fclose(m);
	return buf;
}

/* Compares with tests/data/report/NAME; VMSC_UPDATE_GOLDEN=1 rewrites it. */
static inline void assert_golden(const char *actual, const char *name)
{
	char path[1024];
	char *expected;

	snprintf(path, sizeof(path), "%s/report/%s", VMSC_TEST_DATA, name);
	if (getenv("VMSC_UPDATE_GOLDEN")) {
		FILE *f = fopen(path, "wb");

		assert_non_null(f);
		fputs(actual, f);
		assert_int_equal(fclose(f), 0);
		return;
	}
	expected = slurp(path);
	if (!expected)
		fail_msg("missing golden file %s", path);
	if (strcmp(expected, actual) != 0) {
		print_error("--- expected (%s)\n%s\n--- actual\n%s\n", path, expected, actual);
		free(expected);
		fail_msg("output differs from %s", path);
	}
	free(expected);
}

#endif
