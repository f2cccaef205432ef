/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * Virtual hardware rules (config.hardware.device).  Disks a snapshot cannot
 * cover (independent, physical raw, multi-writer, shared SCSI bus) and
 * devices that block snapshots (passthrough, SR-IOV).  Messages name the
 * disk by label and file, the controller by label, type and bus.
 */

#include <stdio.h>

#include "rules/checks.h"

static const struct vmsc_controller *find_controller(const struct vmsc_vm_facts *f, int key)
{
	size_t i;

	if (key < 0)
		return NULL;
	for (i = 0; i < f->n_controllers; i++)
		if (f->controllers[i].key == key)
			return &f->controllers[i];
	return NULL;
}

int vmsc_check_quiesce_ide_disk(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	char dn[512], cn[256];
	size_t i;

	if (!vmsc_vm_facts_is_windows(f))
		return 0;
	for (i = 0; i < f->n_disks; i++) {
		const struct vmsc_disk *d = &f->disks[i];
		const struct vmsc_controller *c = find_controller(f, d->controller_key);

		if (!c || c->kind != VMSC_CONTROLLER_IDE)
			continue;
		if (vmsc_rule_report(ctx, ctx->rule->severity,
				     "disk %s is on IDE controller %s: no application-consistent "
				     "quiescing", vmsc_rule_disk_name(d, dn, sizeof(dn)),
				     vmsc_rule_controller_name(c, cn, sizeof(cn))) < 0)
			return -1;
	}
	return 0;
}

int vmsc_check_independent_disk(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	char dn[512];
	size_t i;

	for (i = 0; i < f->n_disks; i++) {
		const struct vmsc_disk *d = &f->disks[i];

		if (!vmsc_str_is(d->disk_mode, "independent_persistent") &&
		    !vmsc_str_is(d->disk_mode, "independent_nonpersistent"))
			continue;
		/* vCenter reports physical RDMs and raw disks as independent too;
		 * rdm-physical names the real cause once */
		if ((d->backing_kind == VMSC_BACKING_RDM &&
		     vmsc_str_is(d->compatibility_mode, "physicalMode")) ||
		    d->backing_kind == VMSC_BACKING_RAW_DISK ||
		    d->backing_kind == VMSC_BACKING_PARTITIONED_RAW)
			continue;
		if (vmsc_rule_report(ctx, ctx->rule->severity,
				     "disk %s has disk mode %s: left out of every snapshot",
				     vmsc_rule_disk_name(d, dn, sizeof(dn)), d->disk_mode) < 0)
			return -1;
	}
	return 0;
}

int vmsc_check_rdm_physical(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	char dn[512];
	size_t i;
	int rc = 0;

	for (i = 0; i < f->n_disks && rc == 0; i++) {
		const struct vmsc_disk *d = &f->disks[i];

		switch (d->backing_kind) {
		case VMSC_BACKING_RDM:
			if (!vmsc_str_is(d->compatibility_mode, "physicalMode"))
				break;
			rc = vmsc_rule_report(ctx, ctx->rule->severity,
					      "disk %s is a raw device mapping in physical "
					      "compatibility mode (physicalMode): snapshots cannot "
					      "include it", vmsc_rule_disk_name(d, dn, sizeof(dn)));
			break;
		case VMSC_BACKING_RAW_DISK:
		case VMSC_BACKING_PARTITIONED_RAW:
			rc = vmsc_rule_report(ctx, ctx->rule->severity,
					      "disk %s has a raw disk backing (%s): snapshots cannot "
					      "include it", vmsc_rule_disk_name(d, dn, sizeof(dn)),
					      d->backing_type ? d->backing_type
							      : vmsc_backing_kind_name(d->backing_kind));
			break;
		default:
			break;
		}
	}
	return rc;
}

int vmsc_check_multi_writer_disk(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	char dn[512];
	size_t i;

	for (i = 0; i < f->n_disks; i++) {
		const struct vmsc_disk *d = &f->disks[i];

		if (!vmsc_str_is(d->sharing, "sharingMultiWriter"))
			continue;
		if (vmsc_rule_report(ctx, ctx->rule->severity,
				     "disk %s is shared with multi-writer (sharingMultiWriter): "
				     "snapshots are not supported", vmsc_rule_disk_name(d, dn, sizeof(dn))) < 0)
			return -1;
	}
	return 0;
}

int vmsc_check_scsi_bus_sharing(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	char cn[256];
	size_t i;

	for (i = 0; i < f->n_controllers; i++) {
		const struct vmsc_controller *c = &f->controllers[i];

		if (c->kind != VMSC_CONTROLLER_SCSI)
			continue;
		if (!vmsc_str_is(c->shared_bus, "physicalSharing") &&
		    !vmsc_str_is(c->shared_bus, "virtualSharing"))
			continue;
		if (vmsc_rule_report(ctx, ctx->rule->severity,
				     "SCSI controller %s has bus sharing %s: snapshots are not "
				     "supported", vmsc_rule_controller_name(c, cn, sizeof(cn)),
				     c->shared_bus) < 0)
			return -1;
	}
	return 0;
}

int vmsc_check_passthrough_device(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	static const struct {
		const char *type;
		const char *what;
	} blocking[] = {
		{ "VirtualPCIPassthrough", "a PCI passthrough device (DirectPath I/O or vGPU)" },
		{ "VirtualSriovEthernetCard", "an SR-IOV network adapter" },
	};
	char name[300];
	size_t i, j;

	for (i = 0; i < f->n_devices; i++) {
		const struct vmsc_device *d = &f->devices[i];

		for (j = 0; j < sizeof(blocking) / sizeof(blocking[0]); j++) {
			if (!vmsc_str_is(d->type, blocking[j].type))
				continue;
			if (d->label && *d->label)
				snprintf(name, sizeof(name), "'%s' (%s)", d->label, d->type);
			else
				snprintf(name, sizeof(name), "%s", d->type);
			if (vmsc_rule_report(ctx, ctx->rule->severity,
					     "%s is %s: snapshots are not supported", name,
					     blocking[j].what) < 0)
				return -1;
		}
	}
	return 0;
}
