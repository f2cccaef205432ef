/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vmsnapcheck/facts.h"

static void check_decode(const char *in, const char *want)
{
	char *s = strdup(in);

	assert_non_null(s);
	vmsc_name_decode(s);
	assert_string_equal(s, want);
	free(s);
}

static void test_facts_name_decode(void **state)
{
	(void)state;
	check_decode("plain", "plain");
	check_decode("a%2fb", "a/b");
	check_decode("a%2Fb%5Cc%5cd", "a/b\\c\\d");
	check_decode("100%25", "100%");
	/* %25 decodes once: "%252f" is a literal "%2f" in the VM's name. */
	check_decode("x%252fy", "x%2fy");
	/* Only the three escapes vSphere produces. */
	check_decode("%41%20", "%41%20");
	check_decode("trailing%2", "trailing%2");
	check_decode("%", "%");
	check_decode("", "");
	check_decode("caf\xc3\xa9%2f", "caf\xc3\xa9/");
	vmsc_name_decode(NULL);
}

static void test_facts_backing_kinds(void **state)
{
	static const struct {
		const char *type;
		enum vmsc_backing_kind kind;
	} cases[] = {
		{ "VirtualDiskFlatVer1BackingInfo", VMSC_BACKING_FLAT },
		{ "VirtualDiskFlatVer2BackingInfo", VMSC_BACKING_FLAT },
		{ "VirtualDiskSparseVer1BackingInfo", VMSC_BACKING_SPARSE },
		{ "VirtualDiskSparseVer2BackingInfo", VMSC_BACKING_SPARSE },
		{ "VirtualDiskSeSparseBackingInfo", VMSC_BACKING_SESPARSE },
		{ "VirtualDiskRawDiskMappingVer1BackingInfo", VMSC_BACKING_RDM },
		{ "VirtualDiskRawDiskVer2BackingInfo", VMSC_BACKING_RAW_DISK },
		{ "VirtualDiskPartitionedRawDiskVer2BackingInfo", VMSC_BACKING_PARTITIONED_RAW },
		{ "vim25:VirtualDiskFlatVer2BackingInfo", VMSC_BACKING_FLAT },
		{ "VirtualDiskLocalPMemBackingInfo", VMSC_BACKING_OTHER },
		{ "VirtualDiskSomethingFromTheFuture", VMSC_BACKING_OTHER },
		{ "", VMSC_BACKING_OTHER },
		{ NULL, VMSC_BACKING_OTHER },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(vmsc_backing_kind_from_type(cases[i].type), cases[i].kind);
	assert_string_equal(vmsc_backing_kind_name(VMSC_BACKING_OTHER), "other");
	assert_string_equal(vmsc_backing_kind_name(VMSC_BACKING_FLAT), "flat");
	assert_string_equal(vmsc_backing_kind_name(VMSC_BACKING_RDM), "rdm");
	assert_string_equal(vmsc_backing_kind_name(VMSC_BACKING_RAW_DISK), "raw-disk");
	assert_string_equal(vmsc_backing_kind_name((enum vmsc_backing_kind)99), "other");
	/* Every name maps back to its kind. */
	for (i = VMSC_BACKING_OTHER; i <= VMSC_BACKING_PARTITIONED_RAW; i++)
		assert_int_equal(vmsc_backing_kind_from_name(vmsc_backing_kind_name(i)), (int)i);
	assert_int_equal(vmsc_backing_kind_from_name("floppy"), -1);
	assert_int_equal(vmsc_backing_kind_from_name(NULL), -1);
}

static void test_facts_controller_kinds(void **state)
{
	static const struct {
		const char *type;
		enum vmsc_controller_kind kind;
	} cases[] = {
		{ "ParaVirtualSCSIController", VMSC_CONTROLLER_SCSI },
		{ "VirtualLsiLogicController", VMSC_CONTROLLER_SCSI },
		{ "VirtualLsiLogicSASController", VMSC_CONTROLLER_SCSI },
		{ "VirtualBusLogicController", VMSC_CONTROLLER_SCSI },
		{ "VirtualIDEController", VMSC_CONTROLLER_IDE },
		{ "VirtualAHCIController", VMSC_CONTROLLER_SATA },
		{ "VirtualNVMEController", VMSC_CONTROLLER_NVME },
		{ "VirtualUSBXHCIController", VMSC_CONTROLLER_OTHER },
		{ "VirtualPCIController", VMSC_CONTROLLER_OTHER },
		{ "virtualidecontroller", VMSC_CONTROLLER_OTHER },
		{ NULL, VMSC_CONTROLLER_OTHER },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(vmsc_controller_kind_from_type(cases[i].type), cases[i].kind);
	assert_string_equal(vmsc_controller_kind_name(VMSC_CONTROLLER_SCSI), "scsi");
	assert_string_equal(vmsc_controller_kind_name(VMSC_CONTROLLER_IDE), "ide");
	assert_string_equal(vmsc_controller_kind_name(VMSC_CONTROLLER_SATA), "sata");
	assert_string_equal(vmsc_controller_kind_name(VMSC_CONTROLLER_NVME), "nvme");
	assert_string_equal(vmsc_controller_kind_name(VMSC_CONTROLLER_OTHER), "other");
	for (i = VMSC_CONTROLLER_OTHER; i <= VMSC_CONTROLLER_NVME; i++)
		assert_int_equal(vmsc_controller_kind_from_name(vmsc_controller_kind_name(i)),
				 (int)i);
	assert_int_equal(vmsc_controller_kind_from_name("usb"), -1);
}

static void test_facts_tri_names(void **state)
{
	(void)state;
	assert_string_equal(vmsc_tri_name(VMSC_TRI_UNSET), "unset");
	assert_string_equal(vmsc_tri_name(VMSC_TRI_FALSE), "false");
	assert_string_equal(vmsc_tri_name(VMSC_TRI_TRUE), "true");
}

static void test_facts_is_windows(void **state)
{
	struct vmsc_vm_facts f = { 0 };

	(void)state;
	assert_false(vmsc_vm_facts_is_windows(&f));
	assert_false(vmsc_vm_facts_is_windows(NULL));
	f.guest_id = "windows2019srv_64Guest";
	assert_true(vmsc_vm_facts_is_windows(&f));
	f.guest_id = "winNetStandardGuest";
	assert_true(vmsc_vm_facts_is_windows(&f));
	f.guest_id = "rhel8_64Guest";
	assert_false(vmsc_vm_facts_is_windows(&f));
	f.guest_family = "linuxGuest";
	assert_false(vmsc_vm_facts_is_windows(&f));
	/* A VM configured as "other" whose running Tools report Windows. */
	f.guest_id = "otherGuest64";
	f.guest_family = "windowsGuest";
	assert_true(vmsc_vm_facts_is_windows(&f));
	f.guest_id = NULL;
	assert_true(vmsc_vm_facts_is_windows(&f));
	f.guest_family = "darwinGuestFamily";
	assert_false(vmsc_vm_facts_is_windows(&f));
}

static void test_facts_extra_config(void **state)
{
	struct vmsc_vm_facts *f = vmsc_vm_facts_new();

	(void)state;
	assert_non_null(f);
	assert_null(vmsc_vm_facts_extra_config(f, "disk.EnableUUID"));
	f->extra_config = calloc(2, sizeof(*f->extra_config));
	assert_non_null(f->extra_config);
	f->extra_config[0].key = strdup("disk.EnableUUID");
	f->extra_config[0].value = strdup("TRUE");
	f->extra_config[1].key = strdup("snapshot.maxSnapshots");
	f->extra_config[1].value = strdup("0");
	f->n_extra_config = 2;
	assert_string_equal(vmsc_vm_facts_extra_config(f, "disk.enableuuid"), "TRUE");
	assert_string_equal(vmsc_vm_facts_extra_config(f, "SNAPSHOT.MAXSNAPSHOTS"), "0");
	assert_null(vmsc_vm_facts_extra_config(f, "guestinfo.userdata"));
	assert_null(vmsc_vm_facts_extra_config(f, NULL));
	assert_null(vmsc_vm_facts_extra_config(NULL, "x"));
	vmsc_vm_facts_free(f);
	vmsc_vm_facts_free(NULL);
}

static void test_facts_extra_config_wanted(void **state)
{
	(void)state;
	assert_true(vmsc_facts_extra_config_wanted("disk.EnableUUID"));
	assert_true(vmsc_facts_extra_config_wanted("disk.enableUUID"));
	assert_true(vmsc_facts_extra_config_wanted("snapshot.maxSnapshots"));
	assert_true(vmsc_facts_extra_config_wanted("snapshot.quiesce"));
	assert_true(vmsc_facts_extra_config_wanted("vmbackup.scriptTimeout"));
	assert_true(vmsc_facts_extra_config_wanted("tools.upgrade.policy"));
	/* Secrets and noise stay out of facts. */
	assert_false(vmsc_facts_extra_config_wanted("guestinfo.userdata"));
	assert_false(vmsc_facts_extra_config_wanted("guestinfo.metadata"));
	assert_false(vmsc_facts_extra_config_wanted("nvram"));
	assert_false(vmsc_facts_extra_config_wanted("tools.syncTime"));
	assert_false(vmsc_facts_extra_config_wanted("snapshot"));
	assert_false(vmsc_facts_extra_config_wanted("disk.EnableUUIDx"));
	assert_false(vmsc_facts_extra_config_wanted(""));
	assert_false(vmsc_facts_extra_config_wanted(NULL));
}

static void test_facts_release_zeroes(void **state)
{
	struct vmsc_vm_facts f = { 0 };

	(void)state;
	f.name = strdup("vm");
	f.disks = calloc(1, sizeof(*f.disks));
	f.disks[0].label = strdup("Hard disk 1");
	f.n_disks = 1;
	f.controllers = calloc(1, sizeof(*f.controllers));
	f.controllers[0].label = strdup("SCSI controller 0");
	f.n_controllers = 1;
	f.disabled_methods = calloc(1, sizeof(char *));
	f.disabled_methods[0] = strdup("CreateSnapshot_Task");
	f.n_disabled_methods = 1;
	f.snapshots.oldest_name = strdup("s");
	f.read_at = 42;
	vmsc_vm_facts_release(&f);
	assert_null(f.name);
	assert_null(f.disks);
	assert_int_equal(f.n_disks, 0);
	assert_int_equal(f.read_at, 0);
	vmsc_vm_facts_release(&f); /* twice is harmless */
	vmsc_vm_facts_release(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_facts_name_decode),
		cmocka_unit_test(test_facts_backing_kinds),
		cmocka_unit_test(test_facts_controller_kinds),
		cmocka_unit_test(test_facts_tri_names),
		cmocka_unit_test(test_facts_is_windows),
		cmocka_unit_test(test_facts_extra_config),
		cmocka_unit_test(test_facts_extra_config_wanted),
		cmocka_unit_test(test_facts_release_zeroes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
