/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * The field table: what each fact is called in facts files, which vim25
 * property it comes from, its type and where it lives.  Row order is the
 * key order of facts files (and the order the loader checks them in, which
 * decides which error is reported first): add a row next to its kin, never
 * move existing ones.
 * docs/hacking.md "Adding a fact" says what else a new fact needs.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vmsnapcheck/facts.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* KIND fields are read and written through an int. */
_Static_assert(sizeof(enum vmsc_backing_kind) == sizeof(int), "enum size");
_Static_assert(sizeof(enum vmsc_controller_kind) == sizeof(int), "enum size");

/* Rows; `T` is the record's struct type. */
#define F_STR(T, json, path, field, flags) \
	{ json, path, VMSC_FACT_STRING, flags, offsetof(T, field), 0, 0, 0, NULL, NULL }
#define F_TRI(T, json, path, field, flags) \
	{ json, path, VMSC_FACT_TRI, flags, offsetof(T, field), 0, 0, 0, NULL, NULL }
#define F_TIME(T, json, path, field) \
	{ json, path, VMSC_FACT_TIME, 0, offsetof(T, field), 0, 0, 0, NULL, NULL }
#define F_INT(T, json, path, field, flags, min, absent) \
	{ json, path, VMSC_FACT_INT, flags, offsetof(T, field), 0, min, absent, NULL, NULL }
#define F_LLONG(T, json, path, field, flags, min, absent) \
	{ json, path, VMSC_FACT_LLONG, flags, offsetof(T, field), 0, min, absent, NULL, NULL }
#define F_KIND(T, json, path, field, kind) \
	{ json, path, VMSC_FACT_KIND, 0, offsetof(T, field), 0, 0, 0, NULL, kind }
#define F_STRINGS(T, json, path, field, count) \
	{ json, path, VMSC_FACT_STRINGS, 0, offsetof(T, field), offsetof(T, count), 0, 0, NULL, NULL }
#define F_OPTIONS(T, json, path, field, count) \
	{ json, path, VMSC_FACT_OPTIONS, 0, offsetof(T, field), offsetof(T, count), 0, 0, NULL, NULL }
#define F_LIST(T, json, path, field, count, rec) \
	{ json, path, VMSC_FACT_LIST, 0, offsetof(T, field), offsetof(T, count), 0, 0, rec, NULL }
#define F_OBJECT(T, json, path, field, rec) \
	{ json, path, VMSC_FACT_OBJECT, 0, offsetof(T, field), 0, 0, 0, rec, NULL }

/* --- kinds ---------------------------------------------------------------- */

static const char *backing_name(int k)
{
	return vmsc_backing_kind_name((enum vmsc_backing_kind)k);
}

static int backing_from_type(const char *t)
{
	return (int)vmsc_backing_kind_from_type(t);
}

static const char *controller_name(int k)
{
	return vmsc_controller_kind_name((enum vmsc_controller_kind)k);
}

static int controller_from_type(const char *t)
{
	return (int)vmsc_controller_kind_from_type(t);
}

static const struct vmsc_fact_kind backing_kind = {
	backing_name, vmsc_backing_kind_from_name, backing_from_type,
	offsetof(struct vmsc_disk, backing_type),
};

static const struct vmsc_fact_kind controller_kind = {
	controller_name, vmsc_controller_kind_from_name, controller_from_type,
	offsetof(struct vmsc_controller, type),
};

/* --- records inside a VM ---------------------------------------------------- */

#define T struct vmsc_disk
static const struct vmsc_fact_field disk_fields[] = {
	F_STR(T, "label", "deviceInfo.label", label, 0),
	F_INT(T, "key", "key", key, 0, INT_MIN, 0),
	F_INT(T, "controllerKey", "controllerKey", controller_key, VMSC_FACT_OMIT_NEGATIVE, -1, -1),
	F_INT(T, "unitNumber", "unitNumber", unit_number, VMSC_FACT_OMIT_NEGATIVE, -1, -1),
	F_STR(T, "backingType", NULL, backing_type, 0),
	F_KIND(T, "backingKind", NULL, backing_kind, &backing_kind),
	F_STR(T, "diskMode", "backing.diskMode", disk_mode, 0),
	F_STR(T, "compatibilityMode", "backing.compatibilityMode", compatibility_mode, 0),
	F_STR(T, "sharing", "backing.sharing", sharing, 0),
	F_STR(T, "fileName", "backing.fileName", file_name, 0),
	F_LLONG(T, "capacityBytes", "capacityInBytes", capacity_bytes, VMSC_FACT_OMIT_NEGATIVE,
		-1, -1),
	F_STR(T, "datastore", "backing.datastore", datastore, 0),
	F_STR(T, "parentFileName", "backing.parent.fileName", parent_file_name, 0),
	F_STR(T, "keyId", "backing.keyId.keyId", key_id, 0),
};
#undef T

/* values.c reads a missing busNumber as -1; absent reads back as 0 (docs/facts.md) */
#define T struct vmsc_controller
static const struct vmsc_fact_field controller_fields[] = {
	F_INT(T, "key", "key", key, 0, INT_MIN, 0),
	F_INT(T, "busNumber", "busNumber", bus_number, VMSC_FACT_OMIT_NEGATIVE, 0, 0),
	F_STR(T, "type", NULL, type, 0),
	F_KIND(T, "kind", NULL, kind, &controller_kind),
	F_STR(T, "sharedBus", "sharedBus", shared_bus, 0),
	F_STR(T, "label", "deviceInfo.label", label, 0),
	/* counted by values.c from every device's controllerKey */
	F_INT(T, "usedUnits", NULL, used_units, VMSC_FACT_OMIT_NEGATIVE, -1, -1),
};
#undef T

#define T struct vmsc_device
static const struct vmsc_fact_field device_fields[] = {
	F_STR(T, "type", NULL, type, 0),
	F_STR(T, "label", "deviceInfo.label", label, 0),
};
#undef T

/* An absent freeSpace is unknown (-1): the guest-disk-space rule skips it. */
#define T struct vmsc_guest_volume
static const struct vmsc_fact_field volume_fields[] = {
	F_STR(T, "path", "diskPath", path, 0),
	F_STR(T, "fsType", "filesystemType", fs_type, 0),
	F_LLONG(T, "capacity", "capacity", capacity, 0, LLONG_MIN, 0),
	F_LLONG(T, "freeSpace", "freeSpace", free_space, 0, LLONG_MIN, -1),
};
#undef T

#define T struct vmsc_unreadable
static const struct vmsc_fact_field unreadable_fields[] = {
	F_STR(T, "path", "path", path, VMSC_FACT_REQUIRED),
	F_STR(T, "fault", "fault", fault, 0),
	F_STR(T, "message", NULL, message, 0),
};
#undef T

#define T struct vmsc_snapshot
static const struct vmsc_fact_field snapshot_item_fields[] = {
	F_STR(T, "name", "name", name, 0),
	F_TIME(T, "createTime", "createTime", created),
	F_INT(T, "depth", NULL, depth, 0, 0, 0),
	F_TRI(T, "quiesced", "quiesced", quiesced, 0),
};
#undef T

static const struct vmsc_fact_record snapshot_item_record = {
	"snapshot", sizeof(struct vmsc_snapshot), snapshot_item_fields,
	N(snapshot_item_fields),
};

#define T struct vmsc_snapshot_summary
static const struct vmsc_fact_field snapshot_fields[] = {
	F_INT(T, "count", NULL, count, 0, 0, 0),
	F_INT(T, "maxDepth", NULL, max_depth, 0, 0, 0),
	F_INT(T, "quiescedCount", NULL, quiesced_count, 0, 0, 0),
	F_TIME(T, "oldestTime", NULL, oldest_time),
	F_STR(T, "oldestName", NULL, oldest_name, 0),
	F_TIME(T, "newestTime", NULL, newest_time),
	F_STR(T, "newestName", NULL, newest_name, 0),
	F_STR(T, "currentName", "currentSnapshot", current_name, 0),
	F_LIST(T, "list", "rootSnapshotList", list, n_list, &snapshot_item_record),
};
#undef T

#define RECORD(name, type, fields) { name, sizeof(type), fields, N(fields) }

static const struct vmsc_fact_record disk_record = RECORD("disk", struct vmsc_disk, disk_fields);
static const struct vmsc_fact_record controller_record =
	RECORD("controller", struct vmsc_controller, controller_fields);
static const struct vmsc_fact_record device_record =
	RECORD("device", struct vmsc_device, device_fields);
static const struct vmsc_fact_record volume_record =
	RECORD("volume", struct vmsc_guest_volume, volume_fields);
static const struct vmsc_fact_record unreadable_record =
	RECORD("unreadable", struct vmsc_unreadable, unreadable_fields);
static const struct vmsc_fact_record snapshot_record =
	RECORD("snapshots", struct vmsc_snapshot_summary, snapshot_fields);

/* --- the VM ------------------------------------------------------------------ */

/*
 * Top-level INT/LLONG facts must be absent at 0: records are zeroed by
 * whoever makes them (test_facts.c checks).  A path on a STRING, TRI,
 * INT, LLONG, TIME or STRINGS row is all values.c needs to read it;
 * other types, and VMSC_FACT_DERIVED rows, have a dedicated reader there.
 */
#define T struct vmsc_vm_facts
static const struct vmsc_fact_field vm_fields[] = {
	F_STR(T, "vcenter", NULL, vcenter, VMSC_FACT_REQUIRED),
	F_STR(T, "moid", NULL, moid, VMSC_FACT_REQUIRED),
	F_STR(T, "name", "name", name, VMSC_FACT_REQUIRED | VMSC_FACT_VSPHERE_NAME),
	F_STR(T, "connectionState", "runtime.connectionState", connection_state, 0),
	F_STR(T, "powerState", "runtime.powerState", power_state, 0),
	F_TRI(T, "template", "config.template", template_vm, 0),
	F_STR(T, "guestId", "config.guestId", guest_id, 0),
	F_STR(T, "guestFullName", "config.guestFullName", guest_full_name, 0),
	F_STR(T, "guestFamily", "guest.guestFamily", guest_family, 0),
	F_STR(T, "toolsVersionStatus2", "guest.toolsVersionStatus2", tools_version_status, 0),
	F_STR(T, "toolsRunningStatus", "guest.toolsRunningStatus", tools_running_status, 0),
	F_STR(T, "toolsVersion", "guest.toolsVersion", tools_version, 0),
	F_TRI(T, "guestOperationsReady", "guest.guestOperationsReady", guest_operations_ready, 0),
	F_TRI(T, "toolsInstallerMounted", "runtime.toolsInstallerMounted",
	      tools_installer_mounted, 0),
	F_TRI(T, "snapshotOperationsSupported", "capability.snapshotOperationsSupported",
	      snapshot_operations_supported, 0),
	F_TRI(T, "quiescedSnapshotsSupported", "capability.quiescedSnapshotsSupported",
	      quiesced_snapshots_supported, 0),
	F_TRI(T, "snapshotDisabled", "config.flags.snapshotDisabled", snapshot_disabled, 0),
	F_TRI(T, "snapshotLocked", "config.flags.snapshotLocked", snapshot_locked, 0),
	F_TRI(T, "diskUuidEnabled", "config.flags.diskUuidEnabled", disk_uuid_enabled, 0),
	F_STRINGS(T, "disabledMethods", "disabledMethod", disabled_methods, n_disabled_methods),
	F_OPTIONS(T, "extraConfig", "config.extraConfig", extra_config, n_extra_config),
	F_TRI(T, "hardwareRead", "config.hardware.device", hardware_read, VMSC_FACT_DERIVED),
	F_LIST(T, "disks", "config.hardware.device", disks, n_disks, &disk_record),
	F_LIST(T, "controllers", "config.hardware.device", controllers, n_controllers,
	       &controller_record),
	F_LIST(T, "devices", "config.hardware.device", devices, n_devices, &device_record),
	F_TRI(T, "ftConfigured", "config.ftInfo", ft_configured, VMSC_FACT_PRESENCE),
	F_STR(T, "faultToleranceState", "runtime.faultToleranceState", ft_state, 0),
	F_OBJECT(T, "snapshots", "snapshot", snapshots, &snapshot_record),
	F_TRI(T, "consolidationNeeded", "runtime.consolidationNeeded", consolidation_needed, 0),
	F_LIST(T, "volumes", "guest.disk", volumes, n_volumes, &volume_record),
	F_STR(T, "annotation", "config.annotation", annotation, 0),
	F_OPTIONS(T, "customValues", "customValue", custom_values, n_custom_values),
	/* rules2: second-part rule facts */
	F_STR(T, "hardwareVersion", "config.version", hardware_version, 0),
	F_STR(T, "guestDetailedData", "guest.guestDetailedData", guest_detailed_data, 0),
	F_TRI(T, "encrypted", "config.keyId", encrypted, VMSC_FACT_PRESENCE),
	F_STR(T, "questionText", "runtime.question", question_text, VMSC_FACT_DERIVED),
	F_STR(T, "pmemSnapshotMode", "config.pmem", pmem_snapshot_mode, VMSC_FACT_DERIVED),
	F_TRI(T, "changeTrackingEnabled", "config.changeTrackingEnabled", cbt_enabled, 0),
	F_STRINGS(T, "notRequested", NULL, not_requested, n_not_requested),
	F_LIST(T, "unreadable", NULL, unreadable, n_unreadable, &unreadable_record),
	F_TIME(T, "readAt", NULL, read_at),
};
#undef T

const struct vmsc_fact_record vmsc_vm_fact_record = RECORD("vm", struct vmsc_vm_facts, vm_fields);

/* --- walking records ---------------------------------------------------------- */

void vmsc_fact_record_init(const struct vmsc_fact_record *rec, void *obj)
{
	for (size_t i = 0; i < rec->n_fields; i++) {
		const struct vmsc_fact_field *fd = &rec->fields[i];

		if (fd->type == VMSC_FACT_INT)
			*VMSC_FACT_AT(obj, fd, int) = (int)fd->absent;
		else if (fd->type == VMSC_FACT_LLONG)
			*VMSC_FACT_AT(obj, fd, long long) = fd->absent;
		else if (fd->type == VMSC_FACT_OBJECT)
			vmsc_fact_record_init(fd->record, VMSC_FACT_AT(obj, fd, char));
	}
}

void vmsc_fact_record_release(const struct vmsc_fact_record *rec, void *obj)
{
	for (size_t i = 0; i < rec->n_fields; i++) {
		const struct vmsc_fact_field *fd = &rec->fields[i];
		size_t n, j;

		switch (fd->type) {
		case VMSC_FACT_STRING:
			free(*VMSC_FACT_AT(obj, fd, char *));
			break;
		case VMSC_FACT_STRINGS: {
			char **v = *VMSC_FACT_AT(obj, fd, char **);

			for (n = *VMSC_FACT_COUNT(obj, fd), j = 0; v && j < n; j++)
				free(v[j]);
			free(v);
			break;
		}
		case VMSC_FACT_OPTIONS: {
			struct vmsc_option *o = *VMSC_FACT_AT(obj, fd, struct vmsc_option *);

			for (n = *VMSC_FACT_COUNT(obj, fd), j = 0; o && j < n; j++) {
				free(o[j].key);
				free(o[j].value);
			}
			free(o);
			break;
		}
		case VMSC_FACT_LIST: {
			char *a = *VMSC_FACT_AT(obj, fd, char *);

			for (n = *VMSC_FACT_COUNT(obj, fd), j = 0; a && j < n; j++)
				vmsc_fact_record_release(fd->record, a + j * fd->record->size);
			free(a);
			break;
		}
		case VMSC_FACT_OBJECT:
			vmsc_fact_record_release(fd->record, VMSC_FACT_AT(obj, fd, char));
			break;
		case VMSC_FACT_TRI:
		case VMSC_FACT_INT:
		case VMSC_FACT_LLONG:
		case VMSC_FACT_TIME:
		case VMSC_FACT_KIND:
			break;
		}
	}
}

int vmsc_fact_field_absent(const struct vmsc_fact_field *fd, const void *obj)
{
	char *o = (char *)obj; /* VMSC_FACT_AT casts; nothing is written */

	switch (fd->type) {
	case VMSC_FACT_STRING:
		return *VMSC_FACT_AT(o, fd, char *) == NULL;
	case VMSC_FACT_TRI:
		return *VMSC_FACT_AT(o, fd, enum vmsc_tri) == VMSC_TRI_UNSET;
	case VMSC_FACT_INT: {
		int v = *VMSC_FACT_AT(o, fd, int);

		return (fd->flags & VMSC_FACT_OMIT_NEGATIVE) ? v < 0 : v == fd->absent;
	}
	case VMSC_FACT_LLONG: {
		long long v = *VMSC_FACT_AT(o, fd, long long);

		return (fd->flags & VMSC_FACT_OMIT_NEGATIVE) ? v < 0 : v == fd->absent;
	}
	case VMSC_FACT_TIME:
		return *VMSC_FACT_AT(o, fd, time_t) == 0;
	case VMSC_FACT_KIND:
		return *VMSC_FACT_AT(o, fd, int) == 0;
	case VMSC_FACT_STRINGS:
	case VMSC_FACT_OPTIONS:
	case VMSC_FACT_LIST:
		return *VMSC_FACT_COUNT(o, fd) == 0;
	case VMSC_FACT_OBJECT:
		for (size_t i = 0; i < fd->record->n_fields; i++)
			if (!vmsc_fact_field_absent(&fd->record->fields[i], VMSC_FACT_AT(o, fd, char)))
				return 0;
		return 1;
	}
	return 1;
}
