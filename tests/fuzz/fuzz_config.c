/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A config file (INI) through vmsc_config_load_string, then what the tool
 * does with a loaded config: rule switches and severities for every rule,
 * and waivers applied to a VM with one finding of each rule.  A config
 * that fails to load is only released (the tool exits): it may hold half
 * a section.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "vmsnapcheck/config.h"
#include "vmsnapcheck/result.h"
#include "vmsnapcheck/rules.h"

static void apply(struct vmsc_config *cfg, const char *vcenter, const char *vm_name, time_t now)
{
	struct vmsc_vm_result vm = { 0 };
	const struct vmsc_rule *rules;
	size_t n;

	rules = vmsc_rules(&n);
	if (!(vm.name = strdup(vm_name)) || !(vm.moid = strdup("vm-1")))
		abort();
	for (size_t i = 0; i < n; i++) {
		enum vmsc_severity sev;

		(void)vmsc_rule_enabled(cfg, rules[i].id);
		sev = vmsc_config_rule_severity(cfg, rules[i].id, rules[i].severity);
		FUZZ_CHECK(sev == VMSC_SEV_WARNING || sev == VMSC_SEV_ERROR);
		FUZZ_CHECK(vmsc_vm_result_add_finding(&vm, rules[i].id, sev, "message", "remedy"));
	}
	{
		size_t *matches = calloc(cfg->n_waivers + 1, sizeof(*matches));
		struct vmsc_eval ev = { .config = cfg, .now = now, .waiver_matches = matches };

		if (!matches)
			abort();
		FUZZ_CHECK(vmsc_rules_apply_waivers(&ev, vcenter, &vm) == 0);
		free(matches);
	}
	for (size_t i = 0; i < vm.n_findings; i++)
		if (vm.findings[i].waived)
			FUZZ_CHECK(vm.findings[i].waiver && !vm.findings[i].waiver->expired);
	vmsc_vm_result_release(&vm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstring(data, size);
	struct vmsc_config cfg;
	struct vmsc_error err = { 0 };
	int rc;

	vmsc_config_init(&cfg);
	rc = vmsc_config_load_string(&cfg, text, "fuzz.ini", &err);
	if (rc == 0)
		rc = vmsc_rules_check_config(&cfg, &err);
	if (rc < 0) {
		FUZZ_CHECK(err.code != VMSC_OK && err.message[0]);
	} else {
		FUZZ_CHECK(cfg.thresholds.max_snapshots >= 0);
		FUZZ_CHECK(cfg.thresholds.history_days >= 1);
		for (size_t i = 0; i < cfg.n_waivers; i++)
			FUZZ_CHECK(cfg.waivers[i].vm_glob && cfg.waivers[i].rule &&
				   cfg.waivers[i].reason && cfg.waivers[i].expires);
		/* names the seeds' waivers match, and ones they do not */
		apply(&cfg, "vc01.example.com", "sql-legacy-01", (time_t)1800000000);
		apply(&cfg, "vc02", "web/01 %", (time_t)0);
	}
	vmsc_config_release(&cfg);
	free(text);
	return 0;
}
