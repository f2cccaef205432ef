/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vmsnapcheck/facts.h"

struct vmsc_vm_facts *vmsc_vm_facts_new(void)
{
	return calloc(1, sizeof(struct vmsc_vm_facts));
}

void vmsc_vm_facts_release(struct vmsc_vm_facts *f)
{
	if (!f)
		return;
	/* the field table knows every pointer the record owns */
	vmsc_fact_record_release(&vmsc_vm_fact_record, f);
	memset(f, 0, sizeof(*f));
}

void vmsc_vm_facts_free(struct vmsc_vm_facts *f)
{
	if (!f)
		return;
	vmsc_vm_facts_release(f);
	free(f);
}

const char *vmsc_vm_facts_extra_config(const struct vmsc_vm_facts *f, const char *key)
{
	size_t i;

	if (!f || !key)
		return NULL;
	/* VMX keys are case-insensitive: "disk.enableUUID" is the same setting. */
	for (i = 0; i < f->n_extra_config; i++)
		if (f->extra_config[i].key && strcasecmp(f->extra_config[i].key, key) == 0)
			return f->extra_config[i].value;
	return NULL;
}

/*
 * extraConfig is an allowlist, not a denylist: a VM carries hundreds of
 * keys, and some hold secrets (guestinfo.* often carries cloud-init user
 * data or passwords).  Keeping only what a rule or a person debugging
 * quiescing needs keeps memory flat and keeps facts files safe to share.
 *   disk.EnableUUID       - Windows VSS application quiescing (quiesce-enableuuid)
 *   snapshot.*            - snapshot.maxSnapshots = 0 disables snapshots, other
 *                           snapshot.* keys change their behaviour, and the seed
 *                           script's snapshot.quiesce marker (quiesce-disabled)
 *   vmbackup.*            - settings of the VMware Tools backup (quiescing) plugin
 *   tools.upgrade.policy  - explains a Tools installer that mounts at power cycle
 */
static const char *const wanted_exact[] = {
	"disk.EnableUUID",
	"tools.upgrade.policy",
};

static const char *const wanted_prefix[] = {
	"snapshot.",
	"vmbackup.",
};

int vmsc_facts_extra_config_wanted(const char *key)
{
	size_t i;

	if (!key)
		return 0;
	for (i = 0; i < sizeof(wanted_exact) / sizeof(wanted_exact[0]); i++)
		if (strcasecmp(key, wanted_exact[i]) == 0)
			return 1;
	for (i = 0; i < sizeof(wanted_prefix) / sizeof(wanted_prefix[0]); i++)
		if (strncasecmp(key, wanted_prefix[i], strlen(wanted_prefix[i])) == 0)
			return 1;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void vmsc_name_decode(char *name)
{
	char *r, *w;

	if (!name)
		return;
	/* Only the three escapes vSphere produces are decoded: a literal
	 * "%41" in a name stays as typed. */
	for (r = w = name; *r; ) {
		if (r[0] == '%' && hexval(r[1]) >= 0 && hexval(r[2]) >= 0) {
			int c = hexval(r[1]) * 16 + hexval(r[2]);

			if (c == '/' || c == '\\' || c == '%') {
				*w++ = (char)c;
				r += 3;
				continue;
			}
		}
		*w++ = *r++;
	}
	*w = '\0';
}

int vmsc_vm_facts_is_windows(const struct vmsc_vm_facts *f)
{
	if (!f)
		return 0;
	/* guestId is configured (known when powered off); guestFamily comes from
	 * running Tools and catches VMs configured with a wrong guest OS. */
	if (f->guest_id && strncasecmp(f->guest_id, "win", 3) == 0)
		return 1;
	if (f->guest_family && strcmp(f->guest_family, "windowsGuest") == 0)
		return 1;
	return 0;
}

/*
 * Properties newer than some servers' API: asking for one there gets an
 * InvalidProperty for every VM (the VMs would read as unknown), so the fetch
 * leaves it out and the rules that need it do not check it (design.md).
 */
static const struct {
	const char *path;
	const char *since;
} property_since[] = {
	{ "config.pmem", "7.0.3.0" },
	{ "guest.guestDetailedData", "8.0.2.0" },
};

const char *vmsc_property_since(const char *path)
{
	if (!path)
		return NULL;
	for (size_t i = 0; i < sizeof(property_since) / sizeof(property_since[0]); i++) {
		size_t n = strlen(property_since[i].path);

		if (!strncmp(path, property_since[i].path, n) && (!path[n] || path[n] == '.'))
			return property_since[i].since;
	}
	return NULL;
}

/* Next dotted component of a version, or -1 past the end / on junk. */
static long version_part(const char **s)
{
	char *end;
	long v;

	if (!**s)
		return -1;
	v = strtol(*s, &end, 10);
	if (end == *s || v < 0)
		return -2;
	*s = *end == '.' ? end + 1 : end;
	return v;
}

int vmsc_api_older(const char *api, const char *since)
{
	if (!api || !since || !*api)
		return 0;
	for (;;) {
		long a = version_part(&api), b = version_part(&since);

		if (a == -2 || b == -2)
			return 0;       /* unparsable: ask, as for an unknown server */
		if (a < 0 && b < 0)
			return 0;
		if (a < 0)
			a = 0;          /* "8.0" == "8.0.0.0" */
		if (b < 0)
			b = 0;
		if (a != b)
			return a < b;
	}
}

int vmsc_vm_facts_not_requested(const struct vmsc_vm_facts *f, const char *path)
{
	for (size_t i = 0; f && path && i < f->n_not_requested; i++)
		if (f->not_requested[i] && !strcmp(f->not_requested[i], path))
			return 1;
	return 0;
}

/* A type name as it may arrive: "VirtualIDEController" or "vim25:VirtualIDEController". */
static const char *strip_prefix(const char *type)
{
	const char *colon = strrchr(type, ':');

	return colon ? colon + 1 : type;
}

struct kind_row {
	const char *type;
	int kind;
};

static const struct kind_row backing_types[] = {
	{ "VirtualDiskFlatVer1BackingInfo", VMSC_BACKING_FLAT },
	{ "VirtualDiskFlatVer2BackingInfo", VMSC_BACKING_FLAT },
	{ "VirtualDiskSparseVer1BackingInfo", VMSC_BACKING_SPARSE },
	{ "VirtualDiskSparseVer2BackingInfo", VMSC_BACKING_SPARSE },
	{ "VirtualDiskSeSparseBackingInfo", VMSC_BACKING_SESPARSE },
	{ "VirtualDiskRawDiskMappingVer1BackingInfo", VMSC_BACKING_RDM },
	{ "VirtualDiskRawDiskVer2BackingInfo", VMSC_BACKING_RAW_DISK },
	{ "VirtualDiskPartitionedRawDiskVer2BackingInfo", VMSC_BACKING_PARTITIONED_RAW },
};

/* The controller types ESXi creates; the abstract bases (VirtualSCSIController,
 * VirtualSATAController) are listed too in case a server sends them. */
static const struct kind_row controller_types[] = {
	{ "ParaVirtualSCSIController", VMSC_CONTROLLER_SCSI },
	{ "VirtualLsiLogicController", VMSC_CONTROLLER_SCSI },
	{ "VirtualLsiLogicSASController", VMSC_CONTROLLER_SCSI },
	{ "VirtualBusLogicController", VMSC_CONTROLLER_SCSI },
	{ "VirtualSCSIController", VMSC_CONTROLLER_SCSI },
	{ "VirtualIDEController", VMSC_CONTROLLER_IDE },
	{ "VirtualAHCIController", VMSC_CONTROLLER_SATA },
	{ "VirtualSATAController", VMSC_CONTROLLER_SATA },
	{ "VirtualNVMEController", VMSC_CONTROLLER_NVME },
};

static int kind_lookup(const struct kind_row *rows, size_t n, const char *type)
{
	size_t i;

	if (!type)
		return 0;
	type = strip_prefix(type);
	for (i = 0; i < n; i++)
		if (strcmp(rows[i].type, type) == 0)
			return rows[i].kind;
	return 0;
}

static const char *const backing_names[] = {
	[VMSC_BACKING_OTHER] = "other",
	[VMSC_BACKING_FLAT] = "flat",
	[VMSC_BACKING_SPARSE] = "sparse",
	[VMSC_BACKING_SESPARSE] = "sesparse",
	[VMSC_BACKING_RDM] = "rdm",
	[VMSC_BACKING_RAW_DISK] = "raw-disk",
	[VMSC_BACKING_PARTITIONED_RAW] = "partitioned-raw-disk",
};

static const char *const controller_names[] = {
	[VMSC_CONTROLLER_OTHER] = "other",
	[VMSC_CONTROLLER_SCSI] = "scsi",
	[VMSC_CONTROLLER_IDE] = "ide",
	[VMSC_CONTROLLER_SATA] = "sata",
	[VMSC_CONTROLLER_NVME] = "nvme",
};

const char *vmsc_backing_kind_name(enum vmsc_backing_kind k)
{
	if ((size_t)k >= sizeof(backing_names) / sizeof(backing_names[0]))
		return "other";
	return backing_names[k];
}

enum vmsc_backing_kind vmsc_backing_kind_from_type(const char *vim_type)
{
	return kind_lookup(backing_types, sizeof(backing_types) / sizeof(backing_types[0]),
			   vim_type);
}

int vmsc_backing_kind_from_name(const char *name)
{
	size_t i;

	for (i = 0; name && i < sizeof(backing_names) / sizeof(backing_names[0]); i++)
		if (strcmp(backing_names[i], name) == 0)
			return (int)i;
	return -1;
}

const char *vmsc_controller_kind_name(enum vmsc_controller_kind k)
{
	if ((size_t)k >= sizeof(controller_names) / sizeof(controller_names[0]))
		return "other";
	return controller_names[k];
}

enum vmsc_controller_kind vmsc_controller_kind_from_type(const char *vim_type)
{
	return kind_lookup(controller_types,
			   sizeof(controller_types) / sizeof(controller_types[0]), vim_type);
}

int vmsc_controller_kind_from_name(const char *name)
{
	size_t i;

	for (i = 0; name && i < sizeof(controller_names) / sizeof(controller_names[0]); i++)
		if (strcmp(controller_names[i], name) == 0)
			return (int)i;
	return -1;
}

const char *vmsc_tri_name(enum vmsc_tri t)
{
	switch (t) {
	case VMSC_TRI_FALSE: return "false";
	case VMSC_TRI_TRUE: return "true";
	case VMSC_TRI_UNSET: break;
	}
	return "unset";
}
