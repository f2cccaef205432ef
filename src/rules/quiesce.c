/* SPDX-License-Identifier: GPL-2.0-or-later */

/* Whether the VM may take a (quiesced) snapshot at all, and whether Windows
 * can quiesce applications through VSS. */

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/checks.h"

/* Both create methods: backup products use either. */
static const char *const create_methods[] = { "CreateSnapshot_Task", "CreateSnapshotEx_Task" };

static int report_disabled_methods(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	char list[128] = "";
	size_t i, j;

	for (i = 0; i < sizeof(create_methods) / sizeof(create_methods[0]); i++) {
		for (j = 0; j < f->n_disabled_methods; j++) {
			if (!vmsc_str_is(f->disabled_methods[j], create_methods[i]))
				continue;
			if (*list)
				strcat(list, ", ");
			strcat(list, create_methods[i]);
			break;
		}
	}
	if (!*list)
		return 0;
	return vmsc_rule_report_as(ctx, ctx->rule->severity, VMSC_LEVEL_NONE,
				   "Wait for the backup or solution that holds the VM to finish; if "
				   "none does, restart the vCenter services or ask VMware support to "
				   "clear the disabled methods.",
				   "vCenter has disabled snapshot creation on this VM (disabledMethod: "
				   "%s), usually while a backup or another solution works on it", list);
}

/*
 * Each cause costs a different level and has its own fix: snapshots that
 * cannot be taken at all leave no backup ("none"); a VM that only cannot
 * be quiesced still gets crash-consistent ones.
 */
int vmsc_check_quiesce_disabled(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	enum vmsc_severity sev = ctx->rule->severity;
	const char *v;

	/* capability.* UNSET = unknown (no finding); flags UNSET = false. */
	if (f->quiesced_snapshots_supported == VMSC_TRI_FALSE &&
	    vmsc_rule_report_as(ctx, sev, VMSC_LEVEL_CRASH,
				"Make sure VMware Tools runs in the guest and the VM's host and "
				"hardware version support quiescing; the capability is re-read "
				"once Tools report in.",
				"quiesced snapshots not supported "
				"(capability.quiescedSnapshotsSupported = false)") < 0)
		return -1;
	if (f->snapshot_operations_supported == VMSC_TRI_FALSE &&
	    vmsc_rule_report_as(ctx, sev, VMSC_LEVEL_NONE,
				"Find what prevents snapshots on this VM (its host, its disks or a "
				"solution managing it) in vCenter's VM summary and fix it.",
				"snapshot operations not supported "
				"(capability.snapshotOperationsSupported = false)") < 0)
		return -1;
	if (f->snapshot_disabled == VMSC_TRI_TRUE &&
	    vmsc_rule_report_as(ctx, sev, VMSC_LEVEL_NONE,
				"Re-enable snapshots: remove the setting that sets "
				"config.flags.snapshotDisabled (with the VM powered off), or ask "
				"the solution that set it.",
				"snapshots disabled (config.flags.snapshotDisabled = true)") < 0)
		return -1;
	if (f->snapshot_locked == VMSC_TRI_TRUE &&
	    vmsc_rule_report_as(ctx, sev, VMSC_LEVEL_NONE,
				"Unlock snapshots: clear config.flags.snapshotLocked (with the VM "
				"powered off), or ask the solution that locked them.",
				"snapshots locked (config.flags.snapshotLocked = true)") < 0)
		return -1;
	if (report_disabled_methods(f, ctx) < 0)
		return -1;
	/* Not a documented VMX setting (quiescing is chosen per snapshot call),
	 * but the seed script marks VMs with it: honour the marker. */
	v = vmsc_vm_facts_extra_config(f, "snapshot.quiesce");
	if (v && strcasecmp(v, "false") == 0 &&
	    vmsc_rule_report_as(ctx, sev, VMSC_LEVEL_CRASH,
				"Remove the advanced setting snapshot.quiesce (or set it to TRUE) "
				"with the VM powered off.",
				"quiescing turned off (extraConfig snapshot.quiesce = %s)", v) < 0)
		return -1;
	return 0;
}

int vmsc_check_quiesce_enableuuid(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	const char *v;

	if (!vmsc_vm_facts_is_windows(f))
		return 0;
	/* config.flags.diskUuidEnabled reflects disk.EnableUUID; extraConfig is
	 * only consulted when the flag is not reported. */
	if (f->disk_uuid_enabled == VMSC_TRI_TRUE)
		return 0;
	if (f->disk_uuid_enabled == VMSC_TRI_FALSE)
		return vmsc_rule_report(ctx, ctx->rule->severity,
					"Windows guest with disk UUIDs off "
					"(config.flags.diskUuidEnabled = false): file-system "
					"quiescing only, no VSS application quiescing");
	v = vmsc_vm_facts_extra_config(f, "disk.EnableUUID");
	if (v && strcasecmp(v, "true") == 0)
		return 0;
	if (v)
		return vmsc_rule_report(ctx, ctx->rule->severity,
					"Windows guest with disk UUIDs off (extraConfig "
					"disk.EnableUUID = %s): file-system quiescing only, no VSS "
					"application quiescing", v);
	return vmsc_rule_report(ctx, ctx->rule->severity,
				"Windows guest with disk UUIDs off (extraConfig disk.EnableUUID "
				"not set): file-system quiescing only, no VSS application "
				"quiescing");
}
