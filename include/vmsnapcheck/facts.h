/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSNAPCHECK_FACTS_H
#define VMSNAPCHECK_FACTS_H

#include <stddef.h>
#include <time.h>

/*
 * Plain facts about one VM, as read from vSphere (or a facts file).
 * No type of the SOAP, HTTP or XML libraries appears here (core stays plain C).
 *
 * Absent properties: strings are NULL, tri-states VMSC_TRI_UNSET, lists
 * empty.  What "absent" means for each fact is documented per field; a
 * property that could not be *read* (missingSet) is listed in `unreadable`
 * instead and makes the VM unknown.
 */

enum vmsc_tri {
	VMSC_TRI_UNSET = 0,
	VMSC_TRI_FALSE,
	VMSC_TRI_TRUE,
};

enum vmsc_backing_kind {
	VMSC_BACKING_OTHER = 0,         /* unknown / newer backing type */
	VMSC_BACKING_FLAT,              /* VirtualDiskFlatVer1/2BackingInfo */
	VMSC_BACKING_SPARSE,            /* VirtualDiskSparseVer1/2BackingInfo */
	VMSC_BACKING_SESPARSE,          /* VirtualDiskSeSparseBackingInfo */
	VMSC_BACKING_RDM,               /* VirtualDiskRawDiskMappingVer1BackingInfo */
	VMSC_BACKING_RAW_DISK,          /* VirtualDiskRawDiskVer2BackingInfo */
	VMSC_BACKING_PARTITIONED_RAW,   /* VirtualDiskPartitionedRawDiskVer2BackingInfo */
};

enum vmsc_controller_kind {
	VMSC_CONTROLLER_OTHER = 0,
	VMSC_CONTROLLER_SCSI,
	VMSC_CONTROLLER_IDE,
	VMSC_CONTROLLER_SATA,
	VMSC_CONTROLLER_NVME,
};

struct vmsc_disk {
	char *label;                /* deviceInfo.label, e.g. "Hard disk 2" */
	int key;
	int controller_key;         /* -1 when absent */
	int unit_number;            /* -1 when absent */
	char *backing_type;         /* vim25 type name of the backing */
	enum vmsc_backing_kind backing_kind;
	char *disk_mode;            /* backing.diskMode; NULL = absent (persistent) */
	char *compatibility_mode;   /* RDM only: physicalMode / virtualMode */
	char *sharing;              /* backing.sharing; NULL = sharingNone */
	char *file_name;            /* backing.fileName */
	long long capacity_bytes;   /* -1 when absent */
	char *datastore;            /* backing.datastore moid; NULL when absent (RDM LUNs may have one) */
	char *parent_file_name;     /* backing.parent.fileName: a delta disk's parent; NULL = none */
	char *key_id;               /* backing.keyId.keyId: the disk is encrypted; NULL = not */
};

struct vmsc_controller {
	int key;
	int bus_number;
	char *type;                 /* vim25 type name, e.g. ParaVirtualSCSIController */
	enum vmsc_controller_kind kind;
	char *shared_bus;           /* SCSI only: noSharing / virtualSharing / physicalSharing */
	char *label;                /* deviceInfo.label, e.g. "SCSI controller 1"; may be NULL */
	int used_units;             /* devices of any kind on it (controllerKey); -1 = unknown */
};

/* Devices that matter to snapshots; others are not kept. */
struct vmsc_device {
	char *type;                 /* VirtualPCIPassthrough, VirtualSriovEthernetCard, VirtualTPM,
				     * VirtualNVDIMM */
	char *label;
};

struct vmsc_option {
	char *key;
	char *value;
};

struct vmsc_guest_volume {
	char *path;                 /* diskPath */
	char *fs_type;              /* filesystemType; NULL if not reported */
	long long capacity;         /* bytes */
	long long free_space;       /* bytes */
};

/* One snapshot of the tree, for the rules that look at names
 * ([thresholds] snapshot_ignore); the summary stays the authority on counts. */
struct vmsc_snapshot {
	char *name;
	time_t created;             /* createTime; 0 = absent */
	int depth;                  /* in its chain, root = 1 */
	enum vmsc_tri quiesced;
};

/* At most this many snapshots are listed (in tree order, depth first); the
 * summary still counts every one.  Chains stop at 32, but trees can be wider. */
#define VMSC_SNAPSHOT_LIST_MAX 128

/* Summary of the `snapshot` property; count 0 = no snapshots (property unset). */
struct vmsc_snapshot_summary {
	int count;
	int max_depth;              /* longest chain, root = 1 */
	int quiesced_count;
	time_t oldest_time;         /* 0 when count == 0 */
	char *oldest_name;
	time_t newest_time;
	char *newest_name;
	char *current_name;         /* currentSnapshot's name, if resolvable */
	/* the first VMSC_SNAPSHOT_LIST_MAX snapshots; none in facts files
	 * written before the list existed (nothing is ignored then) */
	struct vmsc_snapshot *list;
	size_t n_list;
};

/* A property in missingSet: it exists but could not be read. */
struct vmsc_unreadable {
	char *path;
	char *fault;                /* vim25 fault type, e.g. NoPermission */
	char *message;              /* localized message or privilege id, may be NULL */
};

struct vmsc_vm_facts {
	char *vcenter;              /* host name of the vCenter it came from */
	char *moid;                 /* e.g. vm-42 */
	char *name;                 /* decoded (%2f -> /, %5c -> \, %25 -> %) */

	char *connection_state;     /* runtime.connectionState; NULL = unknown */
	char *power_state;          /* runtime.powerState */
	enum vmsc_tri template_vm;  /* config.template; UNSET = not a template */

	char *guest_id;             /* config.guestId */
	char *guest_full_name;      /* config.guestFullName */
	char *guest_family;         /* guest.guestFamily; NULL when Tools do not report */

	char *tools_version_status; /* guest.toolsVersionStatus2; NULL = unknown */
	char *tools_running_status; /* guest.toolsRunningStatus; NULL = unknown */
	char *tools_version;        /* guest.toolsVersion */
	enum vmsc_tri guest_operations_ready; /* guest.guestOperationsReady (asked with --guest);
					       * UNSET = not asked or not reported */
	enum vmsc_tri tools_installer_mounted; /* runtime.toolsInstallerMounted */

	enum vmsc_tri snapshot_operations_supported; /* capability.* ; UNSET = unknown */
	enum vmsc_tri quiesced_snapshots_supported;
	enum vmsc_tri snapshot_disabled;  /* config.flags.snapshotDisabled; UNSET = false */
	enum vmsc_tri snapshot_locked;    /* config.flags.snapshotLocked; UNSET = false */
	enum vmsc_tri disk_uuid_enabled;  /* config.flags.diskUuidEnabled; UNSET = see extraConfig */

	char **disabled_methods;    /* disabledMethod */
	size_t n_disabled_methods;

	/* config.extraConfig, only the keys that matter (see vmsc_facts_extra_config_wanted) */
	struct vmsc_option *extra_config;
	size_t n_extra_config;

	struct vmsc_disk *disks;    /* config.hardware.device, VirtualDisk only */
	size_t n_disks;
	struct vmsc_controller *controllers;
	size_t n_controllers;
	struct vmsc_device *devices;
	size_t n_devices;
	enum vmsc_tri hardware_read; /* TRUE when config.hardware.device was present */

	enum vmsc_tri ft_configured; /* config.ftInfo set; UNSET = not configured */
	char *ft_state;              /* runtime.faultToleranceState; NULL = notConfigured */

	struct vmsc_snapshot_summary snapshots;

	enum vmsc_tri consolidation_needed; /* runtime.consolidationNeeded; UNSET = false */

	struct vmsc_guest_volume *volumes; /* guest.disk */
	size_t n_volumes;

	/* Where backup software records its last run (backup-age). */
	char *annotation;           /* config.annotation (the notes); NULL = none */
	/* customValue, by the custom attribute's name (the vCenter's
	 * CustomFieldsManager.field); values of unknown keys are not kept */
	struct vmsc_option *custom_values;
	size_t n_custom_values;
	/* rules2: second-part rule facts (docs/facts.md) */
	char *hardware_version;     /* config.version, e.g. "vmx-19" */
	char *guest_detailed_data;  /* guest.guestDetailedData (API 8.0.2.0+) */
	enum vmsc_tri encrypted;    /* config.keyId set; UNSET = not encrypted */
	char *question_text;        /* runtime.question's text; NULL = no question pending */
	char *pmem_snapshot_mode;   /* config.pmem.snapshotMode (API 7.0.3.0+); NULL = unset */
	enum vmsc_tri cbt_enabled;  /* config.changeTrackingEnabled; UNSET = unknown */
	/* Paths left out because the server's API is older (vmsc_property_since) */
	char **not_requested;
	size_t n_not_requested;

	struct vmsc_unreadable *unreadable;
	size_t n_unreadable;

	time_t read_at;             /* server time the facts were read at */
};

/*
 * The field table (src/core/facts_fields.c): one row per fact, in facts-file
 * key order.  It drives the SOAP reader for plain values (src/vsphere/values.c),
 * the facts-file writer and loader (facts_json.c), releasing (facts.c) and
 * the docs check (tests/unit/test_facts.c), so a plain fact is one struct
 * field plus one row.  docs/hacking.md "Adding a fact" says how.
 */
enum vmsc_fact_type {
	VMSC_FACT_STRING,       /* char *; NULL = absent */
	VMSC_FACT_TRI,          /* enum vmsc_tri; UNSET = absent */
	VMSC_FACT_INT,          /* int; `absent` = absent */
	VMSC_FACT_LLONG,        /* long long; `absent` = absent */
	VMSC_FACT_TIME,         /* time_t; 0 = absent */
	VMSC_FACT_KIND,         /* int-sized enum written by name (see struct vmsc_fact_kind) */
	VMSC_FACT_STRINGS,      /* char ** + size_t count; empty = absent */
	VMSC_FACT_OPTIONS,      /* struct vmsc_option * + size_t count, a JSON object of strings */
	VMSC_FACT_LIST,         /* array of `record` + size_t count; empty = absent */
	VMSC_FACT_OBJECT,       /* an embedded `record`; absent when every field is */
};

/* Row flags. */
#define VMSC_FACT_REQUIRED      0x1u /* the loader refuses a record without it */
#define VMSC_FACT_OMIT_NEGATIVE 0x2u /* INT/LLONG: a negative value is absent, not written */
#define VMSC_FACT_VSPHERE_NAME  0x4u /* STRING: decoded with vmsc_name_decode; empty keeps the old value */
#define VMSC_FACT_PRESENCE      0x8u /* TRI: TRUE when the property holds anything, else UNSET */
#define VMSC_FACT_DERIVED      0x10u /* set by the dedicated reader of its path (values.c) */

/* An enum kept by name in facts files, derived from a vim25 type name when
 * the name is unknown (a newer file). */
struct vmsc_fact_kind {
	const char *(*name)(int kind);
	int (*from_name)(const char *name);     /* -1 when unknown */
	int (*from_type)(const char *vim_type);
	size_t type_offset;                     /* the char * holding the vim25 type */
};

struct vmsc_fact_field;

/* A record: the VM itself, or the element of a LIST / the struct of an OBJECT. */
struct vmsc_fact_record {
	const char *name;                       /* "disk": its **disk** table in docs/facts.md */
	size_t size;
	const struct vmsc_fact_field *fields;
	size_t n_fields;
};

struct vmsc_fact_field {
	const char *json;       /* key in facts files */
	const char *path;       /* vim25 property path (relative in records); NULL when none */
	enum vmsc_fact_type type;
	unsigned flags;
	size_t offset;          /* of the field in its record */
	size_t count_offset;    /* STRINGS, OPTIONS, LIST: the size_t count */
	long long min;          /* INT, LLONG: the least value a facts file may hold */
	long long absent;       /* INT, LLONG: the value when the key is absent */
	const struct vmsc_fact_record *record;  /* LIST, OBJECT */
	const struct vmsc_fact_kind *kind;      /* KIND */
};

/* The field `fd` describes, in record `obj`, as a `type *`. */
#define VMSC_FACT_AT(obj, fd, type) ((type *)(void *)((char *)(obj) + (fd)->offset))
#define VMSC_FACT_COUNT(obj, fd) ((size_t *)(void *)((char *)(obj) + (fd)->count_offset))

/* struct vmsc_vm_facts itself. */
extern const struct vmsc_fact_record vmsc_vm_fact_record;

/* Sets the INT/LLONG fields of a zeroed record to their absent value. */
void vmsc_fact_record_init(const struct vmsc_fact_record *rec, void *obj);
/* Frees what a record owns (not obj itself), per the table. */
void vmsc_fact_record_release(const struct vmsc_fact_record *rec, void *obj);
/* Whether a field holds its absent value (not written to facts files). */
int vmsc_fact_field_absent(const struct vmsc_fact_field *fd, const void *obj);

/* Allocates an empty facts record (all absent) or returns NULL. */
struct vmsc_vm_facts *vmsc_vm_facts_new(void);
/* Releases what the record owns, leaving it zeroed; for records in arrays. */
void vmsc_vm_facts_release(struct vmsc_vm_facts *f);
/* Releases and frees; accepts NULL. */
void vmsc_vm_facts_free(struct vmsc_vm_facts *f);

/* Value of an extraConfig key (case-insensitive key match) or NULL. */
const char *vmsc_vm_facts_extra_config(const struct vmsc_vm_facts *f, const char *key);
/* Whether an extraConfig key is kept in facts (the fetch layer filters with this). */
int vmsc_facts_extra_config_wanted(const char *key);

/* Decodes vSphere's name escaping (%2f %5c %25, any case) in place. */
void vmsc_name_decode(char *name);

/* The least about.apiVersion that has a property path ("7.0.3.0"), NULL when
 * every supported server has it; a path below a listed one counts too. */
const char *vmsc_property_since(const char *path);
/* Whether API version `api` ("6.5", "8.0.2.0") is older than `since`;
 * an absent or unparsable `api` is not (the property is asked for). */
int vmsc_api_older(const char *api, const char *since);
/* Whether the fetch left `path` out for this VM (its server's API is older). */
int vmsc_vm_facts_not_requested(const struct vmsc_vm_facts *f, const char *path);

/* Whether the guest is Windows (guestId starts with "win" or guestFamily windowsGuest). */
int vmsc_vm_facts_is_windows(const struct vmsc_vm_facts *f);

const char *vmsc_backing_kind_name(enum vmsc_backing_kind k);
enum vmsc_backing_kind vmsc_backing_kind_from_type(const char *vim_type);
const char *vmsc_controller_kind_name(enum vmsc_controller_kind k);
enum vmsc_controller_kind vmsc_controller_kind_from_type(const char *vim_type);
/* Inverse of the _name() functions (facts files); -1 for an unknown name. */
int vmsc_backing_kind_from_name(const char *name);
int vmsc_controller_kind_from_name(const char *name);
const char *vmsc_tri_name(enum vmsc_tri t);

/* RFC 3339 / xsd:dateTime with a zone (Z or ±HH:MM), fractions dropped;
 * 0, or -1 when malformed. */
int vmsc_time_parse_rfc3339(const char *s, time_t *out); /* "unset" / "false" / "true" */

#endif
