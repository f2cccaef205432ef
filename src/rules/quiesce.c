/* SPDX-License-Identifier: GPL-2.0-or-later */

/* Whether the VM may take a (quiesced) snapshot at all, and whether Windows
 * can quiesce applications through VSS. */

#include <errno.h>
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
	return vmsc_rule_report(ctx, ctx->rule->severity,
				"vCenter has disabled snapshot creation on this VM (disabledMethod: "
				"%s), usually while a backup or another solution works on it", list);
}

/* snapshot.maxSnapshots = 0 is the VMX way to forbid snapshots of a VM. */
static int max_snapshots_zero(const char *value)
{
	char *end;
	long v;

	if (!value || !*value)
		return 0;
	errno = 0;
	v = strtol(value, &end, 10);
	return !errno && *end == '\0' && v == 0;
}

int vmsc_check_quiesce_disabled(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	enum vmsc_severity sev = ctx->rule->severity;
	const char *v;

	/* capability.* UNSET = unknown (no finding); flags UNSET = false. */
	if (f->quiesced_snapshots_supported == VMSC_TRI_FALSE &&
	    vmsc_rule_report(ctx, sev, "quiesced snapshots not supported "
			     "(capability.quiescedSnapshotsSupported = false)") < 0)
		return -1;
	if (f->snapshot_operations_supported == VMSC_TRI_FALSE &&
	    vmsc_rule_report(ctx, sev, "snapshot operations not supported "
			     "(capability.snapshotOperationsSupported = false)") < 0)
		return -1;
	if (f->snapshot_disabled == VMSC_TRI_TRUE &&
	    vmsc_rule_report(ctx, sev, "snapshots disabled "
			     "(config.flags.snapshotDisabled = true)") < 0)
		return -1;
	if (f->snapshot_locked == VMSC_TRI_TRUE &&
	    vmsc_rule_report(ctx, sev, "snapshots locked (config.flags.snapshotLocked = true)") < 0)
		return -1;
	if (report_disabled_methods(f, ctx) < 0)
		return -1;
	/* Not a documented VMX setting (quiescing is chosen per snapshot call),
	 * but the seed script marks VMs with it: honour the marker. */
	v = vmsc_vm_facts_extra_config(f, "snapshot.quiesce");
	if (v && strcasecmp(v, "false") == 0 &&
	    vmsc_rule_report(ctx, sev, "quiescing turned off (extraConfig snapshot.quiesce = %s)",
			     v) < 0)
		return -1;
	v = vmsc_vm_facts_extra_config(f, "snapshot.maxSnapshots");
	if (max_snapshots_zero(v) &&
	    vmsc_rule_report(ctx, sev, "snapshots forbidden (extraConfig snapshot.maxSnapshots = "
			     "%s)", v) < 0)
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
