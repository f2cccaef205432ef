/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "vmsnapcheck/error.h"

static void test_error_set_formats(void **state)
{
	struct vmsc_error err = { 0 };

	(void)state;
	assert_int_equal(vmsc_error_set(&err, VMSC_E_LOGIN, "login failed for '%s' at '%s'",
					"ops@vsphere.local", "vc01"), -1);
	assert_int_equal(err.code, VMSC_E_LOGIN);
	assert_string_equal(err.message, "login failed for 'ops@vsphere.local' at 'vc01'");
	vmsc_error_clear(&err);
	assert_int_equal(err.code, VMSC_OK);
	assert_string_equal(err.message, "");
	vmsc_error_clear(NULL);
	assert_int_equal(vmsc_error_set(NULL, VMSC_E_IO, "x"), -1);
}

static void test_error_set_prefixes_own_message(void **state)
{
	struct vmsc_error err = { 0 };

	(void)state;
	vmsc_error_set(&err, VMSC_E_TIMEOUT, "no reply in %d s", 60);
	vmsc_error_set(&err, err.code, "RetrieveServiceContent at 'vc01': %s", err.message);
	assert_int_equal(err.code, VMSC_E_TIMEOUT);
	assert_string_equal(err.message, "RetrieveServiceContent at 'vc01': no reply in 60 s");
}

static void test_error_truncates_at_utf8_boundary(void **state)
{
	struct vmsc_error err = { 0 };
	char arg[2000];
	size_t i, len;

	(void)state;
	/* "xy" then two-byte characters: 1023 bytes end inside one. */
	arg[0] = 'x';
	arg[1] = 'y';
	for (i = 2; i + 2 < sizeof(arg); i += 2) {
		arg[i] = (char)0xC3;
		arg[i + 1] = (char)0xA9;
	}
	arg[i] = '\0';
	vmsc_error_set(&err, VMSC_E_FAULT, "%s", arg);
	len = strlen(err.message);
	assert_int_equal(len, 1022);
	assert_int_equal((unsigned char)err.message[len - 1], 0xA9);
}

static void test_error_names(void **state)
{
	int c;

	(void)state;
	assert_string_equal(vmsc_errcode_name(VMSC_OK), "ok");
	assert_string_equal(vmsc_errcode_name(VMSC_E_NOT_AUTHENTICATED), "not-authenticated");
	assert_string_equal(vmsc_errcode_name(VMSC_E_INTERNAL), "internal");
	assert_string_equal(vmsc_errcode_name((enum vmsc_errcode)999), "unknown");
	for (c = VMSC_OK; c <= VMSC_E_INTERNAL; c++)
		assert_string_not_equal(vmsc_errcode_name((enum vmsc_errcode)c), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_set_formats),
		cmocka_unit_test(test_error_set_prefixes_own_message),
		cmocka_unit_test(test_error_truncates_at_utf8_boundary),
		cmocka_unit_test(test_error_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
