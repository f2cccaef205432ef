/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Folding task history into per-VM snapshot attempts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "vmsnapcheck/history.h"

static void test_history_last_attempt_decides(void **state)
{
	struct vmsc_history *h = vmsc_history_new();
	const struct vmsc_history_vm *v;

	(void)state;
	assert_non_null(h);
	/* arrival order is not time order */
	assert_int_equal(vmsc_history_add(h, "vm-1", VMSC_SNAPSHOT_TASK, "success", 300, "svc", NULL,
					  NULL), 0);
	assert_int_equal(vmsc_history_add(h, "vm-1", VMSC_SNAPSHOT_TASK, "error", 100, "VSPHERE.LOCAL\\svc",
					  "ApplicationQuiesceFault", "quiescing failed"), 0);
	assert_int_equal(vmsc_history_add(h, "vm-1", VMSC_SNAPSHOT_TASK, "error", 50, "old",
					  "OldFault", "older"), 0);
	v = vmsc_history_find(h, "vm-1");
	assert_non_null(v);
	assert_int_equal(v->attempts, 3);
	assert_int_equal(v->failures, 2);
	assert_false(v->last_failed);
	assert_int_equal((int)v->fail_time, 100);
	assert_string_equal(v->fail_user, "VSPHERE.LOCAL\\svc");
	assert_string_equal(v->fail_fault, "ApplicationQuiesceFault");
	assert_string_equal(v->fail_message, "quiescing failed");

	assert_int_equal(vmsc_history_add(h, "vm-1", VMSC_SNAPSHOT_TASK, "error", 400, NULL, NULL, NULL), 0);
	v = vmsc_history_find(h, "vm-1");
	assert_true(v->last_failed);
	assert_null(v->fail_user);
	vmsc_history_free(h);
}

static void test_history_ignores_other_tasks(void **state)
{
	struct vmsc_history *h = vmsc_history_new();

	(void)state;
	assert_int_equal(vmsc_history_add(h, "vm-2", "VirtualMachine.powerOn", "error", 1, NULL, NULL,
					  NULL), 0);
	assert_int_equal(vmsc_history_add(h, "vm-2", VMSC_SNAPSHOT_TASK, "running", 1, NULL, NULL,
					  NULL), 0);
	assert_int_equal(vmsc_history_add(h, NULL, VMSC_SNAPSHOT_TASK, "error", 1, NULL, NULL, NULL), 0);
	assert_null(vmsc_history_find(h, "vm-2"));
	assert_int_equal((int)vmsc_history_count(h), 0);
	assert_null(vmsc_history_find(NULL, "vm-2"));
	vmsc_history_free(h);
}

static void test_history_many_vms(void **state)
{
	struct vmsc_history *h = vmsc_history_new();
	char id[32];

	(void)state;
	for (int i = 0; i < 5000; i++) {
		snprintf(id, sizeof(id), "vm-%d", i);
		assert_int_equal(vmsc_history_add(h, id, VMSC_SNAPSHOT_TASK, i % 3 ? "success" : "error",
						  i, NULL, NULL, NULL), 0);
	}
	assert_int_equal((int)vmsc_history_count(h), 5000);
	for (int i = 0; i < 5000; i += 7) {
		snprintf(id, sizeof(id), "vm-%d", i);
		assert_int_equal(vmsc_history_find(h, id)->failures, i % 3 ? 0 : 1);
	}
	vmsc_history_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_history_last_attempt_decides),
		cmocka_unit_test(test_history_ignores_other_tasks),
		cmocka_unit_test(test_history_many_vms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
