/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * Expected consistency (docs/rules.md, "Expected consistency"): a VM starts
 * from its guest's ceiling and every finding may cap it; the expected level
 * is the lowest, waived findings included (a waiver changes the status,
 * never the prediction).  Then the level a [require] section or --require
 * asks for is held against it.
 */

#define _GNU_SOURCE
#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/checks.h"

/*
 * Windows guest ids of client releases (XP to 12): VSS application
 * quiescing is for server releases (VDDK programming guide, "Working with
 * Microsoft Shadow Copy").  From govmomi's VirtualMachineGuestOsIdentifier
 * plus the ids of later vSphere releases.
 */
static const char *const windows_client_ids[] = {
	"win31Guest", "win95Guest", "win98Guest", "winMeGuest", "win2000ProGuest",
	"winXPHomeGuest", "winXPProGuest", "winXPPro64Guest", "winVistaGuest", "winVista64Guest",
	"windows7Guest", "windows7_64Guest", "windows8Guest", "windows8_64Guest", "windows9Guest",
	"windows9_64Guest", "windows11_64Guest", "windows12_64Guest",
};

/* Server ids: winNet*, winLonghorn*, windows*Server64Guest, *srv*, the
 * Windows 2000 servers and Hyper-V Server. */
static bool windows_server_id(const char *id)
{
	return strncmp(id, "winNet", 6) == 0 || strncmp(id, "winLonghorn", 11) == 0 ||
	       strstr(id, "Server") || strstr(id, "srv") || strstr(id, "Serv") ||
	       strcmp(id, "windowsHyperVGuest") == 0;
}

enum vmsc_level vmsc_rules_guest_ceiling(const struct vmsc_vm_facts *f)
{
	const char *id = f->guest_id;
	size_t i;

	if (!vmsc_vm_facts_is_windows(f))
		return VMSC_LEVEL_FILESYSTEM; /* sync driver / fsfreeze; app-level only via scripts */
	if (id && strncasecmp(id, "win", 3) == 0) {
		for (i = 0; i < sizeof(windows_client_ids) / sizeof(windows_client_ids[0]); i++)
			if (strcmp(id, windows_client_ids[i]) == 0)
				return VMSC_LEVEL_FILESYSTEM;
		if (windows_server_id(id))
			return VMSC_LEVEL_APPLICATION;
	}
	/* A generic id (windowsGuest, winNTGuest, otherGuest with Windows
	 * running): the configured full name says which edition. */
	return f->guest_full_name && strstr(f->guest_full_name, "Server")
		       ? VMSC_LEVEL_APPLICATION : VMSC_LEVEL_FILESYSTEM;
}

static bool require_matches(const struct vmsc_require *r, const char *vm)
{
	for (size_t g = 0; g < r->n_globs; g++)
		if (fnmatch(r->globs[g], vm ? vm : "", 0) == 0)
			return true;
	return false;
}

enum vmsc_level vmsc_rules_required_level(const struct vmsc_config *cfg, const char *vm,
					  size_t *from)
{
	*from = SIZE_MAX;
	if (!cfg)
		return VMSC_LEVEL_UNSET;
	if (cfg->require_all)
		return (enum vmsc_level)cfg->require_all;
	for (size_t i = 0; i < cfg->n_requires; i++) {
		if (require_matches(&cfg->requires[i], vm)) {
			*from = i;
			return (enum vmsc_level)cfg->requires[i].level;
		}
	}
	return VMSC_LEVEL_UNSET;
}

static int compare_ids(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int expected_level(struct vmsc_vm_result *vm)
{
	struct vmsc_consistency *c = &vm->consistency;
	enum vmsc_level level = c->ceiling;
	size_t i;

	c->n_limited_by = 0;
	c->expected = VMSC_LEVEL_UNSET;
	if (vm->status == VMSC_STATUS_SKIPPED || vm->status == VMSC_STATUS_UNKNOWN ||
	    !c->ceiling)
		return 0;
	for (i = 0; i < vm->n_findings; i++)
		if (vm->findings[i].cap && vm->findings[i].cap < level)
			level = vm->findings[i].cap;
	for (i = 0; i < vm->n_findings; i++)
		if (vm->findings[i].cap == level &&
		    vmsc_consistency_add_limit(c, vm->findings[i].rule) < 0)
			return -1;
	if (c->n_limited_by == 0 && vmsc_consistency_add_limit(c, VMSC_LIMIT_GUEST_OS) < 0)
		return -1;
	qsort(c->limited_by, c->n_limited_by, sizeof(*c->limited_by), compare_ids);
	c->expected = level;
	return 0;
}

static int below_required(const struct vmsc_eval *ev, const char *vcenter,
			  struct vmsc_vm_result *vm)
{
	const struct vmsc_config *cfg = ev->config;
	const struct vmsc_consistency *c = &vm->consistency;
	const struct vmsc_rule *rule = vmsc_rule_find("consistency-below-required");
	enum vmsc_level want;
	struct vmsc_finding *f;
	char *msg = NULL, *limits = NULL, *where = NULL;
	size_t from, len = 0;
	FILE *m;
	int rc = -1;

	vmsc_vm_result_remove_findings(vm, rule->id);
	want = vmsc_rules_required_level(cfg, vm->name, &from);
	if (!want || !c->expected || c->expected >= want ||
	    !vmsc_rule_enabled(cfg, rule->id))
		return 0;
	if (!(m = open_memstream(&limits, &len)))
		return -1;
	for (size_t i = 0; i < c->n_limited_by; i++)
		fprintf(m, "%s%s", i ? ", " : "", c->limited_by[i]);
	if (fclose(m) != 0)
		goto out;
	if (from == SIZE_MAX ? asprintf(&where, "--require") < 0
			     : asprintf(&where, "[require \"%s\"] at %s:%d",
					cfg->requires[from].globs[0],
					cfg->path ? cfg->path : "config", cfg->requires[from].line) < 0) {
		where = NULL;
		goto out;
	}
	if (asprintf(&msg, "requires %s-consistent backups (%s), expected %s: limited by %s",
		     vmsc_level_name(want), where, vmsc_level_name(c->expected), limits) < 0) {
		msg = NULL;
		goto out;
	}
	f = vmsc_vm_result_take_finding(vm, rule->id,
					vmsc_config_rule_severity(cfg, rule->id, rule->severity), msg,
					rule->remedy);
	msg = NULL; /* taken */
	if (f && vmsc_rules_apply_waivers(ev, vcenter, vm) == 0)
		rc = 0;
out:
	free(msg);
	free(limits);
	free(where);
	return rc;
}

int vmsc_rules_settle(const struct vmsc_eval *ev, const char *vcenter, struct vmsc_vm_result *vm)
{
	if (expected_level(vm) < 0 || below_required(ev, vcenter, vm) < 0)
		return -1;
	vmsc_vm_result_update_status(vm);
	return 0;
}
