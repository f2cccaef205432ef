/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * Rules of the catalogue's second part that read the VM's configuration:
 * disk controllers VSS cannot use (NVMe, SATA), free SCSI units, encryption,
 * the guest's volume count, a pending question, NVDIMM snapshot mode,
 * unmanaged delta disks and changed block tracking.  Like every check, an
 * absent or unknown value never produces a finding.
 */

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/checks.h"

static const char *device_name(const struct vmsc_device *d, char *buf, size_t size)
{
	if (d->label && *d->label)
		snprintf(buf, size, "'%s' (%s)", d->label, d->type);
	else
		snprintf(buf, size, "%s", d->type);
	return buf;
}

static const struct vmsc_controller *find_controller(const struct vmsc_vm_facts *f, int key)
{
	if (key < 0)
		return NULL;
	for (size_t i = 0; i < f->n_controllers; i++)
		if (f->controllers[i].key == key)
			return &f->controllers[i];
	return NULL;
}

/* --- quiesce-nvme-sata-disk ------------------------------------------------ */

/* The value of key='value' in guest.guestDetailedData, copied into buf; NULL when absent. */
static const char *detail(const char *dd, const char *key, char *buf, size_t size)
{
	size_t kl = strlen(key);

	for (const char *p = dd; (p = strstr(p, key)) != NULL; p += kl) {
		const char *v, *end;

		if ((p != dd && p[-1] != ' ') || strncmp(p + kl, "='", 2))
			continue;
		v = p + kl + 2;
		end = strchr(v, '\'');
		if (!end || (size_t)(end - v) >= size)
			return NULL;
		memcpy(buf, v, (size_t)(end - v));
		buf[end - v] = '\0';
		return buf;
	}
	return NULL;
}

/* "20348.2582" -> revision 2582 when it starts with the build; -1 otherwise. */
static long revision_of(const char *s, long build)
{
	char *end;
	long b, r;

	if (!s)
		return -1;
	b = strtol(s, &end, 10);
	if (end == s || b != build || *end != '.')
		return -1;
	s = end + 1;
	r = strtol(s, &end, 10);
	return end == s ? -1 : r;
}

/*
 * Windows Server 2022 from 20348.2582 and 2025 from 26100.7171 quiesce NVMe
 * disks (design.md).  Needs guest.guestDetailedData (API 8.0.2.0): without
 * it, or without a revision in it, a disk is not exempt.
 */
static int nvme_exempt(const struct vmsc_vm_facts *f)
{
	char build_s[32], kernel[64], pretty[256];
	const char *pr, *b;
	long build, rev = -1, min_rev;

	if (!f->guest_detailed_data ||
	    !detail(f->guest_detailed_data, "buildNumber", build_s, sizeof(build_s)))
		return 0;
	build = strtol(build_s, NULL, 10);
	if (build == 20348)
		min_rev = 2582;
	else if (build == 26100)
		min_rev = 7171;
	else
		return 0;
	/* build 26100 is Windows 11 24H2 too: only the Server editions */
	pr = detail(f->guest_detailed_data, "prettyName", pretty, sizeof(pretty));
	if (!pr || !strstr(pr, "Server"))
		return 0;
	rev = revision_of(detail(f->guest_detailed_data, "kernelVersion", kernel, sizeof(kernel)),
			  build);
	if (rev < 0 && (b = strstr(pr, "Build ")) != NULL)
		rev = revision_of(b + 6, build);
	return rev >= min_rev;
}

int vmsc_check_quiesce_nvme_sata_disk(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	char dn[512], cn[256];

	if (!vmsc_vm_facts_is_windows(f))
		return 0;
	for (size_t i = 0; i < f->n_disks; i++) {
		const struct vmsc_disk *d = &f->disks[i];
		const struct vmsc_controller *c = find_controller(f, d->controller_key);

		if (!c || (c->kind != VMSC_CONTROLLER_NVME && c->kind != VMSC_CONTROLLER_SATA))
			continue;
		if (c->kind == VMSC_CONTROLLER_NVME && nvme_exempt(f))
			continue;
		if (vmsc_rule_report(ctx, ctx->rule->severity,
				     "disk %s is on %s controller %s: no application-consistent "
				     "quiescing", vmsc_rule_disk_name(d, dn, sizeof(dn)),
				     c->kind == VMSC_CONTROLLER_NVME ? "NVMe" : "SATA",
				     vmsc_rule_controller_name(c, cn, sizeof(cn))) < 0)
			return -1;
	}
	return 0;
}

/* --- scsi-slots-short ---------------------------------------------------- */

/* "vmx-14" -> 14; -1 when absent or not of that form. */
static int hardware_version(const char *v)
{
	char *end;
	long n;

	if (!v || strncmp(v, "vmx-", 4))
		return -1;
	n = strtol(v + 4, &end, 10);
	return end == v + 4 || *end || n < 0 || n > 1000 ? -1 : (int)n;
}

/* Units a SCSI controller offers: 0-15, or 0-63 for a ParaVirtual one on
 * hardware version 14 or later, unit 7 being the controller's own. */
static int scsi_units(const struct vmsc_controller *c, int hw)
{
	/* an unknown hardware version gives the benefit of the doubt */
	if (vmsc_str_is(c->type, "ParaVirtualSCSIController") && (hw < 0 || hw >= 14))
		return 63;
	return 15;
}

int vmsc_check_scsi_slots_short(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	int hw = hardware_version(f->hardware_version);
	long free_units = 0;
	size_t n_scsi = 0;

	if (!vmsc_vm_facts_is_windows(f) || f->hardware_read != VMSC_TRI_TRUE || !f->n_disks)
		return 0;
	for (size_t i = 0; i < f->n_controllers; i++) {
		const struct vmsc_controller *c = &f->controllers[i];
		int used = c->used_units;

		if (c->kind != VMSC_CONTROLLER_SCSI)
			continue;
		n_scsi++;
		/* unknown (an older facts file): its disks are a lower bound */
		if (used < 0)
			for (size_t j = used = 0; j < f->n_disks; j++)
				used += f->disks[j].controller_key == c->key;
		if (used < scsi_units(c, hw))
			free_units += scsi_units(c, hw) - used;
	}
	/* without any, the disks are on IDE, SATA or NVMe: those rules say so */
	if (!n_scsi || free_units >= (long)f->n_disks)
		return 0;
	return vmsc_rule_report(ctx, ctx->rule->severity,
				"%zu disks but %ld free units on %zu SCSI controller%s: "
				"application-consistent quiescing needs a free SCSI unit per disk",
				f->n_disks, free_units, n_scsi, n_scsi == 1 ? "" : "s") < 0 ? -1 : 0;
}

/* --- encrypted-vm -------------------------------------------------------- */

int vmsc_check_encrypted_vm(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	char name[512];

	if (!vmsc_vm_facts_is_windows(f))
		return 0;
	if (f->encrypted == VMSC_TRI_TRUE &&
	    vmsc_rule_report(ctx, ctx->rule->severity, "the VM is encrypted (config.keyId is "
			     "set): no application-consistent quiescing") < 0)
		return -1;
	for (size_t i = 0; i < f->n_disks; i++)
		if (f->disks[i].key_id && *f->disks[i].key_id &&
		    vmsc_rule_report(ctx, ctx->rule->severity, "disk %s is encrypted: no "
				     "application-consistent quiescing",
				     vmsc_rule_disk_name(&f->disks[i], name, sizeof(name))) < 0)
			return -1;
	for (size_t i = 0; i < f->n_devices; i++)
		if (vmsc_str_is(f->devices[i].type, "VirtualTPM") &&
		    vmsc_rule_report(ctx, ctx->rule->severity, "virtual TPM %s makes the VM an "
				     "encrypted one: no application-consistent quiescing",
				     device_name(&f->devices[i], name, sizeof(name))) < 0)
			return -1;
	return 0;
}

/* --- too-many-volumes ---------------------------------------------------- */

#define VSS_MAX_VOLUMES 64

int vmsc_check_too_many_volumes(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	if (!vmsc_vm_facts_is_windows(f) || f->n_volumes <= VSS_MAX_VOLUMES)
		return 0;
	return vmsc_rule_report(ctx, ctx->rule->severity,
				"the guest reports %zu volumes: a VSS snapshot set holds at most %d",
				f->n_volumes, VSS_MAX_VOLUMES) < 0 ? -1 : 0;
}

/* --- vm-question-pending ------------------------------------------------- */

#define QUESTION_MAX 200

int vmsc_check_vm_question_pending(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	char q[QUESTION_MAX + 4];
	size_t n = 0;
	bool space = false, cut = false;

	if (!f->question_text || !*f->question_text)
		return 0;
	/* one line: runs of white space and control characters become one space */
	for (const unsigned char *p = (const unsigned char *)f->question_text; *p; p++) {
		if (isspace(*p) || iscntrl(*p)) {
			space = n > 0;
			continue;
		}
		if (n + (space ? 2 : 1) > QUESTION_MAX) {
			cut = true;
			break;
		}
		if (space)
			q[n++] = ' ';
		space = false;
		q[n++] = (char)*p;
	}
	if (cut) {
		/* never end inside a UTF-8 sequence: drop a trailing partial one */
		while (n > 0 && ((unsigned char)q[n - 1] & 0xC0) == 0x80)
			n--;
		if (n > 0 && (unsigned char)q[n - 1] >= 0xC0)
			n--;
		memcpy(q + n, "...", 3);
		n += 3;
	}
	q[n] = '\0';
	return vmsc_rule_report(ctx, ctx->rule->severity,
				"the VM waits for an answer to a question: \"%s\"", q) < 0 ? -1 : 0;
}

/* --- nvdimm-no-snapshot-mode --------------------------------------------- */

int vmsc_check_nvdimm_no_snapshot_mode(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	char name[300];

	/* an older server was not asked: unknown, not unset */
	if (f->pmem_snapshot_mode || vmsc_vm_facts_not_requested(f, "config.pmem"))
		return 0;
	for (size_t i = 0; i < f->n_devices; i++)
		if (vmsc_str_is(f->devices[i].type, "VirtualNVDIMM"))
			return vmsc_rule_report(ctx, ctx->rule->severity,
						"NVDIMM %s and no config.pmem.snapshotMode: "
						"snapshots of the VM fail",
						device_name(&f->devices[i], name, sizeof(name))) < 0
			       ? -1 : 0;
	return 0;
}

/* --- unmanaged-delta-disk ------------------------------------------------ */

int vmsc_check_unmanaged_delta_disk(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	char dn[512];

	if (f->snapshots.count > 0)
		return 0;
	for (size_t i = 0; i < f->n_disks; i++) {
		const struct vmsc_disk *d = &f->disks[i];

		if (!d->parent_file_name || !*d->parent_file_name)
			continue;
		if (vmsc_rule_report(ctx, ctx->rule->severity,
				     "disk %s is a delta disk of %s but the VM has no snapshots: "
				     "vCenter does not show this chain", vmsc_rule_disk_name(d, dn, sizeof(dn)),
				     d->parent_file_name) < 0)
			return -1;
	}
	return 0;
}

/* --- cbt-disabled -------------------------------------------------------- */

int vmsc_check_cbt_disabled(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	if (f->cbt_enabled != VMSC_TRI_FALSE)
		return 0;
	return vmsc_rule_report(ctx, ctx->rule->severity,
				"changed block tracking is off (config.changeTrackingEnabled "
				"false): incremental backups read whole disks") < 0 ? -1 : 0;
}
