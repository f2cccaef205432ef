/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The config as the rules layer reads it: rule ids checked against the
 * table after loading, waivers applied to findings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vmsnapcheck/config.h"
#include "vmsnapcheck/rules.h"

static size_t matches[8];

static int apply(const struct vmsc_config *cfg, const char *vcenter, struct vmsc_vm_result *vm,
		 time_t now)
{
	struct vmsc_eval ev = { .config = cfg, .now = now, .waiver_matches = matches };

	return vmsc_rules_apply_waivers(&ev, vcenter, vm);
}

static void expect_ok(const char *text, struct vmsc_config *cfg)
{
	struct vmsc_error err = { 0 };

	memset(matches, 0, sizeof(matches));
	vmsc_config_init(cfg);
	if (vmsc_config_load_string(cfg, text, "test.ini", &err) < 0 ||
	    vmsc_rules_check_config(cfg, &err) < 0)
		fail_msg("rejected: %s", err.message);
}

static void expect_error(const char *text, const char *message)
{
	struct vmsc_config cfg;
	struct vmsc_error err = { 0 };

	vmsc_config_init(&cfg);
	assert_int_equal(vmsc_config_load_string(&cfg, text, "test.ini", &err), 0);
	assert_int_equal(vmsc_rules_check_config(&cfg, &err), -1);
	assert_int_equal(err.code, VMSC_E_CONFIG);
	assert_string_equal(err.message, message);
	vmsc_config_release(&cfg);
}

/* --- rule ids -------------------------------------------------------------------- */

static void test_unknown_rule_ids(void **state)
{
	(void)state;
	expect_error("[rule \"no-such-rule\"]\nenabled = false\n",
		     "test.ini:1: unknown rule 'no-such-rule' (vmsnapcheck --list-rules lists them)");
	expect_error("[thresholds]\nmax_snapshots = 2\n\n[rule \"snapshot-count\"]\n"
		     "enabled = false\n[rule \"tools-outdatd\"]\nseverity = error\n",
		     "test.ini:6: unknown rule 'tools-outdatd' (vmsnapcheck --list-rules lists them)");
	expect_error("[waiver \"w\"]\nvm = x\nrule = rdm\nreason = r\nexpires = 2099-01-01\n",
		     "test.ini:3: unknown rule 'rdm' for 'rule' (vmsnapcheck --list-rules lists "
		     "them, or use * for all)");
}

static void test_known_rule_ids(void **state)
{
	struct vmsc_config cfg;

	(void)state;
	expect_ok("[rule \"guest-disk-space\"]\nseverity = error\n"
		  "[waiver \"w\"]\nvm = x\nrule = *\nreason = r\nexpires = 2099-01-01\n"
		  "[waiver \"v\"]\nvm = x\nrule = rdm-physical\nreason = r\n"
		  "expires = 2099-01-01\n", &cfg);
	vmsc_config_release(&cfg);
}

/* --- waivers ------------------------------------------------------------------- */

struct w {
	struct vmsc_config cfg;
	struct vmsc_result *r;
};

static struct vmsc_vm_result *vm_with(struct vmsc_result *r, const char *name,
				      const char *rule1, const char *rule2)
{
	struct vmsc_vm_result *vm = vmsc_result_add_vm(r, 0, name, "vm-1");

	assert_non_null(vm);
	assert_non_null(vmsc_vm_result_add_finding(vm, rule1, VMSC_SEV_ERROR, "m1", "r1"));
	if (rule2)
		assert_non_null(vmsc_vm_result_add_finding(vm, rule2, VMSC_SEV_WARNING, "m2",
							   "r2"));
	vmsc_vm_result_update_status(vm);
	return vm;
}

static time_t local_time(int y, int m, int d, int hh, int mm, int ss)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = hh,
			 .tm_min = mm, .tm_sec = ss, .tm_isdst = -1 };

	return mktime(&tm);
}

static void test_waiver_active_and_expired(void **state)
{
	struct vmsc_config cfg;
	struct vmsc_result *r = vmsc_result_new();
	struct vmsc_vm_result *vm;
	time_t last = local_time(2027, 3, 31, 23, 59, 59);

	(void)state;
	expect_ok("[waiver \"sql-legacy-rdm\"]\nvm = sql-legacy-*\nrule = rdm-physical\n"
		  "reason = in-guest backup\nexpires = 2027-03-31\n", &cfg);
	assert_int_equal(cfg.waivers[0].expires_end, last + 1);

	/* Waives through the end of the day, local time. */
	vm = vm_with(r, "sql-legacy-01", "rdm-physical", "snapshot-age");
	assert_int_equal(apply(&cfg, "vc01", vm, last), 0);
	assert_true(vm->findings[0].waived);
	assert_non_null(vm->findings[0].waiver);
	assert_string_equal(vm->findings[0].waiver->name, "sql-legacy-rdm");
	assert_string_equal(vm->findings[0].waiver->reason, "in-guest backup");
	assert_string_equal(vm->findings[0].waiver->expires, "2027-03-31");
	assert_false(vm->findings[0].waiver->expired);
	/* Other rules are not covered. */
	assert_false(vm->findings[1].waived);
	assert_null(vm->findings[1].waiver);
	assert_int_equal(vm->status, VMSC_STATUS_WARNING);
	assert_int_equal(matches[0], 1);

	/* A second later it has expired: attached, but no longer waiving. */
	vm = vm_with(r, "sql-legacy-02", "rdm-physical", NULL);
	assert_int_equal(apply(&cfg, "vc01", vm, last + 1), 0);
	assert_false(vm->findings[0].waived);
	assert_non_null(vm->findings[0].waiver);
	assert_true(vm->findings[0].waiver->expired);
	assert_int_equal(vm->status, VMSC_STATUS_ERROR);
	assert_int_equal(matches[0], 2);

	/* Applying again changes nothing. */
	assert_int_equal(apply(&cfg, "vc01", vm, last), 0);
	assert_false(vm->findings[0].waived);
	assert_int_equal(matches[0], 2);

	vmsc_result_free(r);
	vmsc_config_release(&cfg);
}

static void test_waiver_any_unexpired_wins(void **state)
{
	struct vmsc_config cfg;
	struct vmsc_result *r = vmsc_result_new();
	struct vmsc_vm_result *vm;

	(void)state;
	expect_ok("[waiver \"old\"]\nvm = *\nrule = *\nreason = a\nexpires = 2020-01-01\n"
		  "[waiver \"new\"]\nvm = db-*\nrule = snapshot-age\nreason = b\n"
		  "expires = 2099-01-01\n", &cfg);
	vm = vm_with(r, "db-01", "snapshot-age", "independent-disk");
	assert_int_equal(apply(&cfg, NULL, vm, local_time(2024, 6, 1, 0, 0,
									       0)), 0);
	assert_true(vm->findings[0].waived);
	assert_string_equal(vm->findings[0].waiver->name, "new");
	assert_false(vm->findings[1].waived);
	assert_string_equal(vm->findings[1].waiver->name, "old");
	assert_true(vm->findings[1].waiver->expired);
	assert_int_equal(matches[0], 1);
	assert_int_equal(matches[1], 1);
	vmsc_result_free(r);
	vmsc_config_release(&cfg);
}

static void test_waiver_vcenter(void **state)
{
	struct vmsc_config cfg;
	struct vmsc_result *r = vmsc_result_new();
	struct vmsc_vm_result *vm;
	time_t now = local_time(2024, 6, 1, 12, 0, 0);

	(void)state;
	expect_ok("[waiver \"vc1\"]\nvm = *\nrule = *\nreason = a\nexpires = 2099-01-01\n"
		  "vcenter = vc01.example.com\n", &cfg);
	vm = vm_with(r, "a", "snapshot-age", NULL);
	assert_int_equal(apply(&cfg, "vc02.example.com", vm, now), 0);
	assert_false(vm->findings[0].waived);
	assert_null(vm->findings[0].waiver);
	/* Unknown vCenter: a vCenter-specific waiver does not apply. */
	assert_int_equal(apply(&cfg, NULL, vm, now), 0);
	assert_null(vm->findings[0].waiver);
	/* Host names compare case-insensitively. */
	assert_int_equal(apply(&cfg, "VC01.Example.COM", vm, now), 0);
	assert_true(vm->findings[0].waived);
	assert_int_equal(vm->status, VMSC_STATUS_OK);
	vmsc_result_free(r);
	vmsc_config_release(&cfg);
}

static void test_waiver_glob(void **state)
{
	static const struct {
		const char *glob, *name;
		bool match;
	} cases[] = {
		{ "sql-*", "sql-01", true },
		{ "sql-*", "SQL-01", false },            /* case-sensitive */
		{ "sql-??", "sql-01", true },
		{ "sql-??", "sql-001", false },
		{ "sql-[0-9]*", "sql-7x", true },
		{ "*", "dept/app\\x", true },            /* decoded names: '/' is ordinary */
		{ "dept/*", "dept/app", true },
		{ "app-01", "app-01", true },
		{ "app-01", "app-010", false },
	};
	struct vmsc_result *r = vmsc_result_new();
	time_t now = local_time(2024, 6, 1, 12, 0, 0);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vmsc_config cfg;
		struct vmsc_vm_result *vm;
		char text[256];

		snprintf(text, sizeof(text), "[waiver \"g\"]\nvm = %s\nrule = snapshot-age\n"
			 "reason = r\nexpires = 2099-01-01\n", cases[i].glob);
		expect_ok(text, &cfg);
		vm = vm_with(r, cases[i].name, "snapshot-age", NULL);
		assert_int_equal(apply(&cfg, "vc", vm, now), 0);
		if (vm->findings[0].waived != cases[i].match)
			fail_msg("glob '%s' on '%s': expected %d", cases[i].glob, cases[i].name,
				 cases[i].match);
		vmsc_config_release(&cfg);
	}
	vmsc_result_free(r);
}

static void test_waiver_keeps_unknown_status(void **state)
{
	struct vmsc_config cfg;
	struct vmsc_result *r = vmsc_result_new();
	struct vmsc_vm_result *vm;

	(void)state;
	expect_ok("[waiver \"all\"]\nvm = *\nrule = *\nreason = r\nexpires = 2099-01-01\n", &cfg);
	vm = vm_with(r, "x", "tools-outdated", NULL);
	vm->status = VMSC_STATUS_UNKNOWN;
	assert_int_equal(apply(&cfg, "vc", vm, 0), 0);
	assert_true(vm->findings[0].waived);
	assert_int_equal(vm->status, VMSC_STATUS_UNKNOWN);
	assert_int_equal(apply(NULL, "vc", vm, 0), 0);
	vmsc_result_free(r);
	vmsc_config_release(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_rule_ids),
		cmocka_unit_test(test_known_rule_ids),
		cmocka_unit_test(test_waiver_active_and_expired),
		cmocka_unit_test(test_waiver_any_unexpired_wins),
		cmocka_unit_test(test_waiver_vcenter),
		cmocka_unit_test(test_waiver_glob),
		cmocka_unit_test(test_waiver_keeps_unknown_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
