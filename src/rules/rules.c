/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * The rule table and the engine that runs it.  How to add a rule, and what
 * else it touches: docs/hacking.md, "Adding a rule".  Rule ids are a
 * contract (waivers, config sections, dashboards, tests): never rename one.
 */

#define _GNU_SOURCE
#include <fnmatch.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/checks.h"
#include "vmsnapcheck/str.h"

/* --- property paths ------------------------------------------------------ */

/* Every evaluation needs these: the VM's identity, whether it is skipped,
 * and the guest (reports show its id; the consistency ceiling depends on it). */
static const char *const base_paths[] = {
	"name", "runtime.powerState", "runtime.connectionState", "config.template",
	"config.guestId", "guest.guestFamily", "config.guestFullName", NULL,
};


/* An unreadable one of these leaves nothing to decide with: the VM is unknown. */
static const char *const decisive_paths[] = {
	"name", "runtime.powerState", "config.template", NULL,
};

static const char *const tools_status_paths[] = {
	"guest.toolsVersionStatus2", "guest.toolsVersion", NULL,
};
static const char *const tools_running_paths[] = {
	"guest.toolsRunningStatus", "guest.toolsVersionStatus2", "guest.toolsVersion", NULL,
};
static const char *const tools_installer_paths[] = { "runtime.toolsInstallerMounted", NULL };
/* extraConfig keys are asked by keyed path, not the whole property (hundreds
 * of keys, some tens of KB): the fetch layer falls back to the whole one on a
 * server that does not answer keyed paths (docs/properties.md). */
#define EXTRA_CONFIG_KEY(k) "config.extraConfig[\"" k "\"]"
static const char *const quiesce_disabled_paths[] = {
	"capability.quiescedSnapshotsSupported", "capability.snapshotOperationsSupported",
	"config.flags.snapshotDisabled", "config.flags.snapshotLocked", "disabledMethod",
	EXTRA_CONFIG_KEY("snapshot.quiesce"), NULL,
};
static const char *const enableuuid_paths[] = {
	"config.guestId", "guest.guestFamily", "config.flags.diskUuidEnabled",
	EXTRA_CONFIG_KEY("disk.EnableUUID"), NULL,
};
static const char *const ide_paths[] = {
	"config.guestId", "guest.guestFamily", "config.hardware.device", NULL,
};
static const char *const device_paths[] = { "config.hardware.device", NULL };
static const char *const ft_paths[] = { "config.ftInfo", "runtime.faultToleranceState", NULL };
static const char *const snapshot_paths[] = { "snapshot", NULL };
static const char *const snapshot_limit_paths[] = {
	EXTRA_CONFIG_KEY("snapshot.maxSnapshots"), "snapshot", NULL,
};
static const char *const consolidation_paths[] = { "runtime.consolidationNeeded", NULL };
static const char *const guest_disk_paths[] = { "guest.disk", NULL };
static const char *const connection_paths[] = { "runtime.connectionState", NULL };
/* datastore-low-space: the disks' datastores and sizes (the datastores
 * themselves come from a Datastore view, see vmsc_vsphere_fetch_datastores) */
static const char *const datastore_paths[] = { "config.hardware.device", NULL };
/* backup-age reads one of these, as [backup] says (rule_paths) */
static const char *const backup_paths[] = { "customValue", "config.annotation", NULL };
static const char *const backup_attribute_paths[] = { "customValue", NULL };
static const char *const backup_notes_paths[] = { "config.annotation", NULL };
/* catalogue, second part (vmconfig.c) */
static const char *const nvme_sata_paths[] = {
	"config.guestId", "guest.guestFamily", "config.hardware.device",
	"guest.guestDetailedData", NULL,
};
static const char *const scsi_slots_paths[] = {
	"config.guestId", "guest.guestFamily", "config.hardware.device", "config.version", NULL,
};
static const char *const encrypted_paths[] = {
	"config.guestId", "guest.guestFamily", "config.keyId", "config.hardware.device", NULL,
};
static const char *const volumes_paths[] = {
	"config.guestId", "guest.guestFamily", "guest.disk", NULL,
};
static const char *const question_paths[] = { "runtime.question", NULL };
static const char *const nvdimm_paths[] = { "config.hardware.device", "config.pmem", NULL };
static const char *const delta_paths[] = { "snapshot", "config.hardware.device", NULL };
static const char *const cbt_paths[] = { "config.changeTrackingEnabled", NULL };

/* --- the table ----------------------------------------------------------- */

static const struct vmsc_rule rule_table[] = {
	{ "tools-not-installed", VMSC_SEV_ERROR, VMSC_LEVEL_CRASH, "VMware Tools not installed",
	  VMSC_RULE_NEEDS_RUNNING_GUEST | VMSC_RULE_BLOCKS_PROBE, tools_status_paths,
	  vmsc_check_tools_not_installed,
	  "Install VMware Tools, or the distribution's open-vm-tools package, in the guest." },
	{ "tools-not-running", VMSC_SEV_ERROR, VMSC_LEVEL_CRASH, "VMware Tools not running",
	  VMSC_RULE_NEEDS_RUNNING_GUEST | VMSC_RULE_BLOCKS_PROBE, tools_running_paths,
	  vmsc_check_tools_not_running,
	  "Start the VMware Tools service in the guest (vmtoolsd, or \"VMware Tools\" on "
	  "Windows) and set it to start automatically." },
	{ "tools-outdated", VMSC_SEV_WARNING, VMSC_LEVEL_UNSET, "VMware Tools outdated",
	  VMSC_RULE_NEEDS_RUNNING_GUEST, tools_status_paths, vmsc_check_tools_outdated,
	  "Upgrade VMware Tools (or open-vm-tools) to the version bundled with the host." },
	{ "tools-unsupported", VMSC_SEV_ERROR, VMSC_LEVEL_CRASH,
	  "VMware Tools version not supported",
	  VMSC_RULE_NEEDS_RUNNING_GUEST, tools_status_paths, vmsc_check_tools_unsupported,
	  "Install a VMware Tools version this ESXi host supports (see the VMware Product "
	  "Interoperability Matrix)." },
	{ "tools-upgrade-in-progress", VMSC_SEV_ERROR, VMSC_LEVEL_CRASH,
	  "VMware Tools installer mounted",
	  VMSC_RULE_NEEDS_RUNNING_GUEST, tools_installer_paths,
	  vmsc_check_tools_upgrade_in_progress,
	  "Let the Tools upgrade finish, or unmount the installer (Guest OS > Unmount VMware "
	  "Tools Installer)." },
	{ "quiesce-disabled", VMSC_SEV_ERROR, VMSC_LEVEL_CRASH,
	  "Quiesced snapshots disabled", VMSC_RULE_BLOCKS_PROBE,
	  quiesce_disabled_paths, vmsc_check_quiesce_disabled,
	  "See the finding's own remedy: each cause is fixed differently." },
	{ "quiesce-enableuuid", VMSC_SEV_WARNING, VMSC_LEVEL_FILESYSTEM,
	  "Disk UUIDs off: no VSS application quiescing",
	  0, enableuuid_paths, vmsc_check_quiesce_enableuuid,
	  "Power the VM off, set the advanced setting disk.EnableUUID = TRUE, and power it on." },
	{ "quiesce-ide-disk", VMSC_SEV_WARNING, VMSC_LEVEL_FILESYSTEM,
	  "Disk on an IDE controller", 0, ide_paths,
	  vmsc_check_quiesce_ide_disk,
	  "Move the disk to a SCSI controller (e.g. VMware Paravirtual) so VSS can quiesce "
	  "applications." },
	{ "independent-disk", VMSC_SEV_ERROR, VMSC_LEVEL_UNSET,
	  "Independent disk", VMSC_RULE_BLOCKS_PROBE, device_paths,
	  vmsc_check_independent_disk,
	  "With the VM powered off, change the disk mode to Dependent, or waive the rule if the "
	  "disk is deliberately left out of backups." },
	{ "rdm-physical", VMSC_SEV_ERROR, VMSC_LEVEL_UNSET,
	  "Physical raw disk", VMSC_RULE_BLOCKS_PROBE, device_paths,
	  vmsc_check_rdm_physical,
	  "Convert the disk to a virtual-mode RDM or a VMDK, or back it up in-guest and add a "
	  "waiver." },
	{ "multi-writer-disk", VMSC_SEV_ERROR, VMSC_LEVEL_NONE,
	  "Multi-writer disk", 0, device_paths,
	  vmsc_check_multi_writer_disk,
	  "Turn multi-writer sharing off, or back the shared data up in-guest and add a "
	  "waiver." },
	{ "scsi-bus-sharing", VMSC_SEV_ERROR, VMSC_LEVEL_NONE, "SCSI bus sharing", 0, device_paths,
	  vmsc_check_scsi_bus_sharing,
	  "Set the controller's SCSI bus sharing to None, or back the clustered disks up "
	  "in-guest and add a waiver." },
	{ "passthrough-device", VMSC_SEV_ERROR, VMSC_LEVEL_NONE,
	  "Passthrough or SR-IOV device", 0, device_paths,
	  vmsc_check_passthrough_device,
	  "Remove the passthrough or SR-IOV device, or back the VM up in-guest and add a "
	  "waiver." },
	{ "fault-tolerance", VMSC_SEV_ERROR, VMSC_LEVEL_NONE,
	  "Fault Tolerance configured", 0, ft_paths,
	  vmsc_check_fault_tolerance,
	  "Turn Fault Tolerance off, or use a backup method your backup product supports for FT "
	  "VMs and add a waiver." },
	{ "snapshot-count", VMSC_SEV_WARNING, VMSC_LEVEL_UNSET,
	  "Too many snapshots", 0, snapshot_paths,
	  vmsc_check_snapshot_count,
	  "Delete the snapshots nobody needs (Snapshots > Manage Snapshots > Delete)." },
	{ "snapshot-age", VMSC_SEV_WARNING, VMSC_LEVEL_UNSET, "Old snapshot", 0, snapshot_paths,
	  vmsc_check_snapshot_age,
	  "Delete the snapshot once nobody needs it: snapshots are not backups and grow every "
	  "day." },
	{ "snapshot-limit", VMSC_SEV_ERROR, VMSC_LEVEL_NONE, "Snapshot limit reached", 0,
	  snapshot_limit_paths, vmsc_check_snapshot_limit,
	  "With the VM powered off, remove the advanced setting snapshot.maxSnapshots or raise "
	  "it above the number of snapshots the VM keeps, or delete snapshots." },
	{ "consolidation-needed", VMSC_SEV_ERROR, VMSC_LEVEL_UNSET, "Disk consolidation needed", 0,
	  consolidation_paths, vmsc_check_consolidation_needed,
	  "Run Snapshots > Consolidate; if it fails, release the disks a backup proxy still "
	  "holds and retry." },
	{ "guest-disk-space", VMSC_SEV_WARNING, VMSC_LEVEL_UNSET, "Guest volume low on space",
	  VMSC_RULE_NEEDS_RUNNING_GUEST, guest_disk_paths, vmsc_check_guest_disk_space,
	  "Free space on the volume or grow it: VSS shadow copies and freeze scripts need "
	  "room." },
	{ "vm-inaccessible", VMSC_SEV_ERROR, VMSC_LEVEL_NONE,
	  "VM not accessible", 0, connection_paths,
	  vmsc_check_vm_inaccessible,
	  "Reconnect its host or restore access to its datastore, or remove the orphaned VM "
	  "from the inventory." },
	{ "datastore-low-space", VMSC_SEV_WARNING, VMSC_LEVEL_UNSET,
	  "Datastore low on space for snapshots", 0, datastore_paths,
	  vmsc_check_datastore_low_space,
	  "Free space on the datastore (remove old snapshots, move or shrink VMs) or grow it: "
	  "snapshot delta disks grow on the datastore of each disk while the backup runs." },
	{ "backup-age", VMSC_SEV_WARNING, VMSC_LEVEL_UNSET, "Last backup too old",
	  VMSC_RULE_NEEDS_BACKUP_CONFIG, backup_paths, vmsc_check_backup_age,
	  "Find out why the backup job skips this VM (its job log), or add the VM to a "
	  "backup job; see docs/rules.md if the recorded time is not read right." },
	{ "quiesce-nvme-sata-disk", VMSC_SEV_WARNING, VMSC_LEVEL_FILESYSTEM,
	  "Disk on an NVMe or SATA controller", 0, nvme_sata_paths,
	  vmsc_check_quiesce_nvme_sata_disk,
	  "Move the disk to a SCSI controller (e.g. VMware Paravirtual) so VSS can quiesce "
	  "applications; NVMe disks also work on Windows Server 2022 from build 20348.2582 "
	  "and 2025 from 26100.7171." },
	{ "scsi-slots-short", VMSC_SEV_WARNING, VMSC_LEVEL_FILESYSTEM,
	  "Too few free SCSI units", 0, scsi_slots_paths, vmsc_check_scsi_slots_short,
	  "Add a SCSI controller (VMware Paravirtual holds 63 disks from hardware version 14) "
	  "so there is a free SCSI unit per disk." },
	{ "encrypted-vm", VMSC_SEV_WARNING, VMSC_LEVEL_FILESYSTEM,
	  "Encrypted VM", 0, encrypted_paths, vmsc_check_encrypted_vm,
	  "Accept file-system consistency, or quiesce applications in-guest (pre-freeze "
	  "scripts, the application's own backup) and waive the rule." },
	{ "too-many-volumes", VMSC_SEV_WARNING, VMSC_LEVEL_CRASH,
	  "More than 64 guest volumes", VMSC_RULE_NEEDS_RUNNING_GUEST, volumes_paths,
	  vmsc_check_too_many_volumes,
	  "Reduce the guest's volumes to 64 or fewer, or back the extra ones up in-guest." },
	{ "vm-question-pending", VMSC_SEV_ERROR, VMSC_LEVEL_NONE,
	  "VM waits for an answer", 0, question_paths, vmsc_check_vm_question_pending,
	  "Answer the question (vSphere Client: the VM's summary, or govc vm.question); "
	  "free datastore space first if it is about the redo log." },
	{ "nvdimm-no-snapshot-mode", VMSC_SEV_ERROR, VMSC_LEVEL_NONE,
	  "NVDIMM without a snapshot mode", 0, nvdimm_paths,
	  vmsc_check_nvdimm_no_snapshot_mode,
	  "With the VM powered off, set its PMem snapshot mode "
	  "(config.pmem.snapshotMode = independent_eraseonrevert), or remove the NVDIMM." },
	{ "unmanaged-delta-disk", VMSC_SEV_ERROR, VMSC_LEVEL_UNSET,
	  "Delta disk without a snapshot", 0, delta_paths, vmsc_check_unmanaged_delta_disk,
	  "Take a snapshot and then Delete All so vCenter folds the delta into its parent; "
	  "find out first what left it (often a backup proxy that failed)." },
	{ "cbt-disabled", VMSC_SEV_WARNING, VMSC_LEVEL_UNSET,
	  "Changed block tracking off", VMSC_RULE_OFF_BY_DEFAULT, cbt_paths,
	  vmsc_check_cbt_disabled,
	  "Enable CBT (ctkEnabled) with the VM powered off or through your backup product, "
	  "then take and delete a snapshot so it takes effect." },
	/* Guest operations (--guest, src/rules/guest_ops.c) */
	{ "vss-writer-failed", VMSC_SEV_ERROR, VMSC_LEVEL_CRASH, "VSS writer failed",
	  VMSC_RULE_GUEST, NULL, vmsc_check_vss_writer_failed,
	  "Restart the writer's service (vssadmin list writers names it; see docs/rules.md for "
	  "the usual ones) or reboot the guest, then read the Application log for its cause." },
	{ "vss-service-disabled", VMSC_SEV_ERROR, VMSC_LEVEL_CRASH, "VSS service disabled",
	  VMSC_RULE_GUEST, NULL, vmsc_check_vss_service_disabled,
	  "Set the service's startup type back to Manual (VSS, swprv) or Automatic "
	  "(EventSystem) in services.msc, or with sc config NAME start= demand." },
	{ "vmware-vss-missing", VMSC_SEV_ERROR, VMSC_LEVEL_FILESYSTEM,
	  "VMware Tools without VSS support", VMSC_RULE_GUEST, NULL,
	  vmsc_check_vmware_vss_missing,
	  "Modify the VMware Tools installation (Programs and Features > VMware Tools > Change) "
	  "and add the Volume Shadow Copy Services Support component." },
	{ "vss-foreign-provider", VMSC_SEV_WARNING, VMSC_LEVEL_UNSET, "Third-party VSS provider",
	  VMSC_RULE_GUEST, NULL, vmsc_check_vss_foreign_provider,
	  "Make sure the provider belongs to software still in use and does not take part in "
	  "VMware's snapshots; uninstall it otherwise (vssadmin list providers)." },
	{ "tools-conf-quiescing-off", VMSC_SEV_ERROR, VMSC_LEVEL_FILESYSTEM,
	  "Quiescing turned off in tools.conf", VMSC_RULE_GUEST, NULL,
	  vmsc_check_tools_conf_quiescing_off,
	  "Remove the setting from the [vmbackup] section of tools.conf (or set it to its "
	  "default) and restart the VMware Tools service." },
	{ "vss-event-errors", VMSC_SEV_WARNING, VMSC_LEVEL_UNSET, "Recent VSS errors in the guest",
	  VMSC_RULE_GUEST, NULL, vmsc_check_vss_event_errors,
	  "Read the named events in the guest's Event Viewer and fix their cause; they often "
	  "name a failed writer or a full shadow copy storage area." },
	{ "freeze-script-not-executable", VMSC_SEV_ERROR, VMSC_LEVEL_UNSET,
	  "Freeze script not executable", VMSC_RULE_GUEST, NULL,
	  vmsc_check_freeze_script_not_executable,
	  "Make the script executable (chmod 755 PATH) and owned by root, or remove it." },
	{ "guest-not-elevated", VMSC_SEV_WARNING, VMSC_LEVEL_UNSET,
	  "Guest account not elevated", VMSC_RULE_GUEST, NULL, vmsc_check_guest_not_elevated,
	  "Use a guest account in the local Administrators group whose token is not filtered by "
	  "UAC (the built-in Administrator, or a domain account with "
	  "LocalAccountTokenFilterPolicy = 1); see docs/guest.md." },
	{ "guest-login-failed", VMSC_SEV_WARNING, VMSC_LEVEL_UNSET, "Guest login refused",
	  VMSC_RULE_GUEST, NULL, vmsc_check_guest_login_failed,
	  "Check the guest user and password ([guest \"GLOB\"] section or --guest-user and "
	  "--guest-password-file) and that the account may log on to this guest." },
	{ "consistency-below-required", VMSC_SEV_ERROR, VMSC_LEVEL_UNSET,
	  "Consistency below the required level", VMSC_RULE_EXTERNAL, NULL, NULL,
	  "Fix the rules that limit the level (listed in the message and under "
	  "consistency.limitedBy), or lower the [require] level for this VM if that is "
	  "acceptable." },
	{ "recent-snapshot-failure", VMSC_SEV_WARNING, VMSC_LEVEL_UNSET, "Recent snapshot failure",
	  VMSC_RULE_EXTERNAL, NULL, NULL,
	  "Read the failed task's error in vCenter (Monitor > Tasks and Events) and fix its "
	  "cause; other findings often name it." },
	{ "probe-failed", VMSC_SEV_ERROR, VMSC_LEVEL_CRASH, "Quiesced test snapshot failed",
	  VMSC_RULE_EXTERNAL | VMSC_RULE_NEEDS_RUNNING_GUEST, NULL, NULL,
	  "Fix the cause named in the fault (often also a tools-*, quiesce-*, independent-disk or "
	  "rdm-physical finding on this VM; see docs/rules.md), then run the probe again." },
	{ "probe-downgraded", VMSC_SEV_WARNING, VMSC_LEVEL_UNSET,
	  "Test snapshot below the expected level", VMSC_RULE_EXTERNAL | VMSC_RULE_NEEDS_RUNNING_GUEST,
	  NULL, NULL,
	  "Not quiesced: check that VMware Tools run and the VM's vmware.log. No writer "
	  "manifests: check the VSS writers in the guest (vssadmin list writers) and the "
	  "VMware Snapshot Provider service, then run the probe again." },
};

#define N_RULES (sizeof(rule_table) / sizeof(rule_table[0]))

const struct vmsc_rule *vmsc_rules(size_t *n)
{
	if (n)
		*n = N_RULES;
	return rule_table;
}

const struct vmsc_rule *vmsc_rule_find(const char *id)
{
	size_t i;

	if (!id)
		return NULL;
	for (i = 0; i < N_RULES; i++)
		if (strcmp(rule_table[i].id, id) == 0)
			return &rule_table[i];
	return NULL;
}

bool vmsc_rule_enabled(const struct vmsc_config *cfg, const char *id)
{
	const struct vmsc_rule *rule = vmsc_rule_find(id);
	bool dflt;

	if (!rule)
		return false;
	dflt = !(rule->flags & VMSC_RULE_OFF_BY_DEFAULT) &&
	       (!(rule->flags & VMSC_RULE_NEEDS_BACKUP_CONFIG) || (cfg && cfg->backup.line));
	return vmsc_config_rule_enabled(cfg, rule->id, dflt);
}

/* The paths a rule reads under this config: backup-age reads only where
 * [backup] says the time is, so customValue is asked for only when needed.
 * `cfg` NULL: every path (--save-facts). */
static const char *const *rule_paths(const struct vmsc_rule *rule, const struct vmsc_config *cfg)
{
	if (rule->paths == backup_paths && cfg && cfg->backup.line)
		return cfg->backup.attribute ? backup_attribute_paths : backup_notes_paths;
	return rule->paths;
}

/* --- helpers for the checks ---------------------------------------------- */

const struct vmsc_thresholds *vmsc_rule_thresholds(const struct vmsc_rule_ctx *ctx)
{
	return ctx->config ? &ctx->config->thresholds : &vmsc_thresholds_default;
}

/* "'Hard disk 2' ([ds1] vm/vm_1.vmdk)", or "'Hard disk 2'" without a file. */
const char *vmsc_rule_disk_name(const struct vmsc_disk *d, char *buf, size_t size)
{
	char key[32];
	const char *label = d->label;

	if (!label || !*label) {
		snprintf(key, sizeof(key), "disk %d", d->key);
		label = key;
	}
	if (d->file_name && *d->file_name)
		snprintf(buf, size, "'%s' (%s)", label, d->file_name);
	else
		snprintf(buf, size, "'%s'", label);
	return buf;
}

/* "'SCSI controller 1' (ParaVirtualSCSIController, bus 1)", or
 * "ParaVirtualSCSIController (bus 1)" when the label is not known. */
const char *vmsc_rule_controller_name(const struct vmsc_controller *c, char *buf, size_t size)
{
	const char *type = c->type && *c->type ? c->type : vmsc_controller_kind_name(c->kind);

	if (c->label && *c->label)
		snprintf(buf, size, "'%s' (%s, bus %d)", c->label, type, c->bus_number);
	else
		snprintf(buf, size, "%s (bus %d)", type, c->bus_number);
	return buf;
}

int vmsc_str_is(const char *s, const char *value)
{
	return s && strcmp(s, value) == 0;
}

int vmsc_connection_state_bad(const char *state)
{
	static const char *const bad[] = { "disconnected", "orphaned", "inaccessible", "invalid" };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (vmsc_str_is(state, bad[i]))
			return 1;
	return 0;
}

/* Takes `message`; every remedy here is static text (the rule's, or a
 * literal of its check), pointed at rather than copied. */
static int add_finding(struct vmsc_vm_result *vm, const struct vmsc_rule *rule,
		       enum vmsc_severity sev, enum vmsc_level cap, const char *remedy,
		       char *message)
{
	struct vmsc_finding *f = vmsc_vm_result_take_finding(vm, rule->id, sev, message,
							     remedy ? remedy : rule->remedy);

	if (!f)
		return -1;
	f->cap = cap ? cap : rule->cap;
	return 0;
}

static int report_va(struct vmsc_rule_ctx *ctx, enum vmsc_severity sev, enum vmsc_level cap,
		     const char *remedy, const char *fmt, va_list ap)
{
	char *msg = NULL;

	if (vasprintf(&msg, fmt, ap) < 0)
		return -1;
	/* A configured severity pins every finding of the rule, escalations too. */
	sev = vmsc_config_rule_severity(ctx->config, ctx->rule->id, sev);
	return add_finding(ctx->out, ctx->rule, sev, cap, remedy, msg);
}

int vmsc_rule_report(struct vmsc_rule_ctx *ctx, enum vmsc_severity sev, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = report_va(ctx, sev, VMSC_LEVEL_UNSET, NULL, fmt, ap);
	va_end(ap);
	return rc;
}

int vmsc_rule_report_as(struct vmsc_rule_ctx *ctx, enum vmsc_severity sev, enum vmsc_level cap,
			const char *remedy, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = report_va(ctx, sev, cap, remedy, fmt, ap);
	va_end(ap);
	return rc;
}

int vmsc_rules_report_external(const struct vmsc_eval *ev, const char *id, enum vmsc_severity sev,
			       const char *vcenter, struct vmsc_vm_result *vm, const char *fmt, ...)
{
	const struct vmsc_config *cfg = ev->config;
	const struct vmsc_rule *rule = vmsc_rule_find(id);
	char *msg = NULL;
	va_list ap;
	int n, rc = -1;

	if (!rule)
		return -1;
	if (!vmsc_rule_enabled(cfg, id))
		return 0;
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	rc = add_finding(vm, rule, vmsc_config_rule_severity(cfg, id, sev), VMSC_LEVEL_UNSET, NULL,
			 msg);
	msg = NULL; /* taken */
	if (rc < 0)
		goto out;
	rc = -1;
	if (vmsc_rules_apply_waivers(ev, vcenter, vm) < 0 || vmsc_rules_settle(ev, vcenter, vm) < 0)
		goto out;
	rc = 0;
out:
	free(msg);
	return rc;
}

const char *vmsc_rules_probe_blocker(const struct vmsc_vm_result *vm)
{
	size_t i;

	for (i = 0; i < vm->n_findings; i++) {
		const struct vmsc_rule *rule = vmsc_rule_find(vm->findings[i].rule);

		if (!vm->findings[i].waived && rule && (rule->flags & VMSC_RULE_BLOCKS_PROBE))
			return rule->id;
	}
	return NULL;
}

/* --- config ↔ rule table ------------------------------------------------- */

int vmsc_rules_check_config(const struct vmsc_config *cfg, struct vmsc_error *err)
{
	const char *file = cfg->path ? cfg->path : "config";
	size_t i;

	for (i = 0; i < cfg->n_rules; i++)
		if (!vmsc_rule_find(cfg->rules[i].rule))
			return vmsc_error_set(err, VMSC_E_CONFIG,
					      "%s:%d: unknown rule '%s' (vmsnapcheck --list-rules "
					      "lists them)", file, cfg->rules[i].line,
					      cfg->rules[i].rule);
	for (i = 0; i < cfg->n_waivers; i++) {
		const struct vmsc_waiver *w = &cfg->waivers[i];

		if (w->rule && strcmp(w->rule, "*") != 0 && !vmsc_rule_find(w->rule))
			return vmsc_error_set(err, VMSC_E_CONFIG,
					      "%s:%d: unknown rule '%s' for 'rule' (vmsnapcheck "
					      "--list-rules lists them, or use * for all)", file,
					      w->rule_line, w->rule);
	}
	return 0;
}

/* --- waivers -------------------------------------------------------------- */

static bool waiver_matches(const struct vmsc_waiver *w, const char *vcenter, const char *vm,
			   const char *rule)
{
	if (strcmp(w->rule, "*") != 0 && strcmp(w->rule, rule) != 0)
		return false;
	/* Host names are case-insensitive; a vCenter-specific waiver never
	 * matches a VM whose vCenter is not known. */
	if (w->vcenter && (!vcenter || strcasecmp(w->vcenter, vcenter) != 0))
		return false;
	return fnmatch(w->vm_glob, vm ? vm : "", 0) == 0;
}

int vmsc_rules_apply_waivers(const struct vmsc_eval *ev, const char *vcenter,
			     struct vmsc_vm_result *vm)
{
	const struct vmsc_config *cfg = ev->config;
	size_t i, j;

	if (!cfg || !vm)
		return 0;
	for (i = 0; i < vm->n_findings; i++) {
		struct vmsc_finding *f = &vm->findings[i];
		const struct vmsc_waiver *w;
		size_t active = SIZE_MAX, expired = SIZE_MAX, pick;

		/* Already decided by an earlier call: applying twice changes nothing. */
		if (f->waiver || f->waived)
			continue;
		for (j = 0; j < cfg->n_waivers && active == SIZE_MAX; j++) {
			w = &cfg->waivers[j];
			if (!waiver_matches(w, vcenter, vm->name, f->rule))
				continue;
			if (ev->now < w->expires_end)
				active = j;
			else if (expired == SIZE_MAX)
				expired = j;
		}
		pick = active != SIZE_MAX ? active : expired;
		if (pick == SIZE_MAX)
			continue;
		w = &cfg->waivers[pick];
		f->waiver = vmsc_waiver_ref_new(w->name, w->reason, w->expires, active == SIZE_MAX);
		if (!f->waiver)
			return -1;
		f->waived = active != SIZE_MAX;
		if (ev->waiver_matches)
			ev->waiver_matches[pick]++;
	}
	vmsc_vm_result_update_status(vm);
	return 0;
}

/* --- property paths ------------------------------------------------------ */

/* Appends the paths not yet in the list; the list grows as needed, so no
 * table size can overrun it.  0 or -1 on allocation failure. */
static int add_paths(const char *const *src, const char ***all, size_t *n, size_t *cap)
{
	size_t i;

	for (; src && *src; src++) {
		for (i = 0; i < *n; i++)
			if (strcmp((*all)[i], *src) == 0)
				break;
		if (i < *n)
			continue;
		if (*n + 1 >= *cap) {
			size_t ncap = *cap ? *cap * 2 : 32;
			const char **grown = realloc(*all, ncap * sizeof(*grown));

			if (!grown)
				return -1;
			*all = grown;
			*cap = ncap;
		}
		(*all)[(*n)++] = *src;
		(*all)[*n] = NULL;
	}
	return 0;
}

const char **vmsc_rules_property_paths(const struct vmsc_config *cfg, bool all, size_t *n)
{
	const char **paths = NULL;
	size_t cap = 0, i;
	int rc;

	*n = 0;
	rc = add_paths(base_paths, &paths, n, &cap);
	for (i = 0; i < N_RULES && rc == 0; i++)
		if (all || vmsc_rule_enabled(cfg, rule_table[i].id))
			rc = add_paths(rule_paths(&rule_table[i], all ? NULL : cfg), &paths, n, &cap);
	/* --save-facts: every property the facts table keeps, read by a rule or not */
	for (i = 0; all && rc == 0 && i < vmsc_vm_fact_record.n_fields; i++) {
		const char *one[] = { vmsc_vm_fact_record.fields[i].path, NULL };

		rc = add_paths(one, &paths, n, &cap);
	}
	if (rc < 0) {
		free(paths);
		*n = 0;
		return NULL;
	}
	return paths;
}

/* --- evaluation ---------------------------------------------------------- */

/* Whether two property paths overlap: equal, or one is a parent of the
 * other ("config" covers "config.flags.snapshotDisabled", and
 * "config.extraConfig" covers "config.extraConfig[\"disk.EnableUUID\"]"). */
static int path_overlaps(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la == lb)
		return strcmp(a, b) == 0;
	if (la < lb)
		return strncmp(a, b, la) == 0 && (b[la] == '.' || b[la] == '[');
	return strncmp(a, b, lb) == 0 && (a[lb] == '.' || a[lb] == '[');
}

static int paths_overlap(const char *const *paths, const char *path)
{
	for (; paths && *paths; paths++)
		if (path_overlaps(*paths, path))
			return 1;
	return 0;
}

static void append_fault(FILE *m, const struct vmsc_unreadable *u)
{
	fputs(u->fault && *u->fault ? u->fault : "unknown fault", m);
	if (u->message && *u->message)
		fprintf(m, " (%s)", u->message);
}

static int same_fault(const struct vmsc_unreadable *a, const struct vmsc_unreadable *b)
{
	return strcmp(a->fault ? a->fault : "", b->fault ? b->fault : "") == 0 &&
	       strcmp(a->message ? a->message : "", b->message ? b->message : "") == 0;
}

/* "cannot read snapshot, config.hardware.device: NoPermission; guest.disk:
 * InvalidProperty" from the marked entries, grouped by fault in order. */
static char *unreadable_reason(const struct vmsc_vm_facts *f, const unsigned char *marked)
{
	char *s = NULL;
	size_t len = 0, i, j;
	int groups = 0;
	FILE *m = open_memstream(&s, &len);

	if (!m)
		return NULL;
	fputs("cannot read ", m);
	for (i = 0; i < f->n_unreadable; i++) {
		int paths = 0;

		if (!marked[i])
			continue;
		for (j = 0; j < i; j++)
			if (marked[j] && same_fault(&f->unreadable[j], &f->unreadable[i]))
				break;
		if (j < i)
			continue; /* already listed with its group */
		if (groups++)
			fputs("; ", m);
		for (j = i; j < f->n_unreadable; j++) {
			if (!marked[j] || !same_fault(&f->unreadable[j], &f->unreadable[i]))
				continue;
			fprintf(m, "%s%s", paths++ ? ", " : "",
				f->unreadable[j].path ? f->unreadable[j].path : "?");
		}
		fputs(": ", m);
		append_fault(m, &f->unreadable[i]);
	}
	if (fclose(m) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

static int mark_unreadable(const struct vmsc_vm_facts *f, const char *const *paths,
			   unsigned char *marked)
{
	size_t i;
	int hit = 0;

	for (i = 0; i < f->n_unreadable; i++) {
		if (f->unreadable[i].path && paths_overlap(paths, f->unreadable[i].path)) {
			marked[i] = 1;
			hit = 1;
		}
	}
	return hit;
}

static int set_unknown(const struct vmsc_vm_facts *f, const unsigned char *marked,
		       struct vmsc_vm_result *out)
{
	char *reason = unreadable_reason(f, marked);
	int rc;

	if (!reason)
		return -1;
	rc = vmsc_vm_result_set_reason(out, reason);
	free(reason);
	out->status = VMSC_STATUS_UNKNOWN;
	return rc;
}

/*
 * Order of decisions, and why:
 *  1. name/power state/template unreadable: nothing to decide with -> unknown.
 *  2. templates are skipped ("template"); they cannot run or be quiesced.
 *  3. a VM whose connectionState is disconnected/orphaned/inaccessible/invalid
 *     is never skipped for its power state: vCenter reports a stale or
 *     default power state for such VMs, and "cannot be backed up at all"
 *     must not hide behind "powered off".  Its guest is unreachable, so only
 *     the rules without VMSC_RULE_NEEDS_RUNNING_GUEST run (vm-inaccessible
 *     among them).
 *  4. poweredOff/suspended VMs are skipped ("powered off"/"suspended"), or
 *     with include_powered_off evaluated by the rules that need no running
 *     guest.  An absent power state is evaluated like a powered-on VM.
 *  5. a rule whose property path is unreadable does not run; the VM becomes
 *     unknown with a reason naming the paths and faults.  The other rules
 *     still run, so their findings are shown too.  Unreadable paths that no
 *     running rule needs are ignored.
 */
int vmsc_rules_evaluate(const struct vmsc_eval *ev, const struct vmsc_vm_facts *f,
			struct vmsc_vm_result *out)
{
	const struct vmsc_config *cfg = ev->config;
	struct vmsc_rule_ctx ctx = { .config = cfg, .now = ev->now, .out = out,
				     .datastores = ev->datastores };
	unsigned char *marked = NULL;
	bool guest_running = true, blocked = false;
	size_t i;
	int rc = -1;

	if (vmsc_str_set(&out->power_state, f->power_state) < 0 ||
	    vmsc_str_set(&out->guest_id, f->guest_id) < 0)
		goto out;
	if (f->n_unreadable && !(marked = calloc(f->n_unreadable, 1)))
		goto out;

	if (f->n_unreadable && mark_unreadable(f, decisive_paths, marked)) {
		/* Name every unreadable property: nothing was evaluated. */
		memset(marked, 1, f->n_unreadable);
		if (set_unknown(f, marked, out) < 0)
			goto out;
		rc = 0;
		goto out;
	}
	if (f->template_vm == VMSC_TRI_TRUE) {
		out->status = VMSC_STATUS_SKIPPED;
		rc = vmsc_vm_result_set_reason(out, "template");
		goto out;
	}
	if (vmsc_connection_state_bad(f->connection_state)) {
		guest_running = false;
	} else if (vmsc_str_is(f->power_state, "poweredOff") ||
		   vmsc_str_is(f->power_state, "suspended")) {
		if (!ev->include_powered_off) {
			out->status = VMSC_STATUS_SKIPPED;
			rc = vmsc_vm_result_set_reason(out, vmsc_str_is(f->power_state, "suspended")
								    ? "suspended" : "powered off");
			goto out;
		}
		guest_running = false;
	}

	out->consistency.ceiling = vmsc_rules_guest_ceiling(f);
	for (i = 0; i < N_RULES; i++) {
		const struct vmsc_rule *rule = &rule_table[i];

		if (!rule->check || (rule->flags & VMSC_RULE_GUEST) ||
		    !vmsc_rule_enabled(cfg, rule->id))
			continue;
		if ((rule->flags & VMSC_RULE_NEEDS_RUNNING_GUEST) && !guest_running)
			continue;
		if (f->n_unreadable && mark_unreadable(f, rule_paths(rule, cfg), marked)) {
			blocked = true;
			continue;
		}
		ctx.rule = rule;
		if (rule->check(f, &ctx) < 0)
			goto out;
	}
	if (blocked && set_unknown(f, marked, out) < 0)
		goto out;
	if (vmsc_rules_apply_waivers(ev, f->vcenter, out) < 0 ||
	    vmsc_rules_settle(ev, f->vcenter, out) < 0)
		goto out;
	rc = 0;
out:
	free(marked);
	return rc;
}

int vmsc_rules_evaluate_guest(const struct vmsc_eval *ev, const char *vcenter,
			      const struct vmsc_guest_facts *g, struct vmsc_vm_result *vm)
{
	struct vmsc_rule_ctx ctx = { .config = ev->config, .now = ev->now, .out = vm,
				     .datastores = ev->datastores, .guest = g };
	size_t i;

	if (!g || vm->status == VMSC_STATUS_SKIPPED || vm->status == VMSC_STATUS_UNKNOWN)
		return 0;
	for (i = 0; i < N_RULES; i++) {
		const struct vmsc_rule *rule = &rule_table[i];

		if (!(rule->flags & VMSC_RULE_GUEST) || !vmsc_rule_enabled(ev->config, rule->id))
			continue;
		ctx.rule = rule;
		if (rule->check(NULL, &ctx) < 0)
			return -1;
	}
	if (vmsc_rules_apply_waivers(ev, vcenter, vm) < 0 || vmsc_rules_settle(ev, vcenter, vm) < 0)
		return -1;
	return 0;
}
