/* SPDX-License-Identifier: GPL-2.0-or-later */
/* src/core/hash.c: the moid map. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "vmsnapcheck/hash.h"

static int freed;

static void count_free(void *v)
{
	freed++;
	free(v);
}

static void test_map_grows_and_finds(void **state)
{
	struct vmsc_map *m = vmsc_map_new();
	char key[32];

	(void)state;
	assert_non_null(m);
	assert_null(vmsc_map_get(m, "vm-1"));
	assert_false(vmsc_map_has(m, "vm-1"));
	assert_null(vmsc_map_slot(m, "vm-1", false));
	for (int i = 0; i < 5000; i++) {
		void **slot;

		snprintf(key, sizeof(key), "vm-%d", i);
		slot = vmsc_map_slot(m, key, true);
		assert_non_null(slot);
		assert_null(*slot);
		*slot = malloc(1);
	}
	assert_int_equal(vmsc_map_count(m), 5000);
	/* the same key again is the same slot */
	assert_ptr_equal(vmsc_map_slot(m, "vm-42", true), vmsc_map_slot(m, "vm-42", false));
	assert_int_equal(vmsc_map_count(m), 5000);
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "vm-%d", i);
		assert_true(vmsc_map_has(m, key));
	}
	assert_false(vmsc_map_has(m, "vm-5000"));
	assert_false(vmsc_map_has(NULL, "vm-1"));
	freed = 0;
	vmsc_map_free(m, count_free);
	assert_int_equal(freed, 5000);
	vmsc_map_free(NULL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_grows_and_finds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
