/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSNAPCHECK_RULES_CHECKS_H
#define VMSNAPCHECK_RULES_CHECKS_H

/*
 * Check functions of the rule table (src/rules/rules.c), one file per group:
 * tools.c, quiesce.c, devices.c, snapshots.c, guest.c, vmconfig.c.  Internal to
 * src/rules/.  Each is a pure function of the facts and ctx->config that
 * adds findings through vmsc_rule_report() and returns 0, or -1 when out of
 * memory.
 */

#include "vmsnapcheck/rules.h"

typedef int vmsc_check_fn(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx);

/* tools.c */
vmsc_check_fn vmsc_check_tools_not_installed;
vmsc_check_fn vmsc_check_tools_not_running;
vmsc_check_fn vmsc_check_tools_outdated;
vmsc_check_fn vmsc_check_tools_unsupported;
vmsc_check_fn vmsc_check_tools_upgrade_in_progress;

/* quiesce.c */
vmsc_check_fn vmsc_check_quiesce_disabled;
vmsc_check_fn vmsc_check_quiesce_enableuuid;

/* devices.c */
vmsc_check_fn vmsc_check_quiesce_ide_disk;
vmsc_check_fn vmsc_check_independent_disk;
vmsc_check_fn vmsc_check_rdm_physical;
vmsc_check_fn vmsc_check_multi_writer_disk;
vmsc_check_fn vmsc_check_scsi_bus_sharing;
vmsc_check_fn vmsc_check_passthrough_device;

/* snapshots.c */
vmsc_check_fn vmsc_check_fault_tolerance;
vmsc_check_fn vmsc_check_snapshot_count;
vmsc_check_fn vmsc_check_snapshot_age;
vmsc_check_fn vmsc_check_consolidation_needed;
vmsc_check_fn vmsc_check_snapshot_limit;

/* backup.c */
vmsc_check_fn vmsc_check_backup_age;

/* guest.c */
vmsc_check_fn vmsc_check_guest_disk_space;
vmsc_check_fn vmsc_check_vm_inaccessible;
/* datastores.c */
vmsc_check_fn vmsc_check_datastore_low_space;

/* vmconfig.c (catalogue, second part) */
vmsc_check_fn vmsc_check_quiesce_nvme_sata_disk;
vmsc_check_fn vmsc_check_scsi_slots_short;
vmsc_check_fn vmsc_check_encrypted_vm;
vmsc_check_fn vmsc_check_too_many_volumes;
vmsc_check_fn vmsc_check_vm_question_pending;
vmsc_check_fn vmsc_check_nvdimm_no_snapshot_mode;
vmsc_check_fn vmsc_check_unmanaged_delta_disk;
vmsc_check_fn vmsc_check_cbt_disabled;

/* guest_ops.c: VMSC_RULE_GUEST checks, reading ctx->guest (f is NULL) */
vmsc_check_fn vmsc_check_vss_writer_failed;
vmsc_check_fn vmsc_check_vss_service_disabled;
vmsc_check_fn vmsc_check_vmware_vss_missing;
vmsc_check_fn vmsc_check_vss_foreign_provider;
vmsc_check_fn vmsc_check_tools_conf_quiescing_off;
vmsc_check_fn vmsc_check_vss_event_errors;
vmsc_check_fn vmsc_check_freeze_script_not_executable;
vmsc_check_fn vmsc_check_guest_not_elevated;
vmsc_check_fn vmsc_check_guest_login_failed;

/* Helpers shared by the checks (rules.c). */
const struct vmsc_thresholds *vmsc_rule_thresholds(const struct vmsc_rule_ctx *ctx);
/* How findings name a disk and a controller (into buf, which is returned). */
const char *vmsc_rule_disk_name(const struct vmsc_disk *d, char *buf, size_t size);
const char *vmsc_rule_controller_name(const struct vmsc_controller *c, char *buf, size_t size);
/* Whether the string is set and equal to `value` (vim25 enums are case-sensitive). */
int vmsc_str_is(const char *s, const char *value);
/* Whether a runtime.connectionState value means the VM cannot be backed up. */
int vmsc_connection_state_bad(const char *state);

#endif
