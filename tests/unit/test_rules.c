/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vmsnapcheck/rules.h"

/* 2024-05-10T12:00:00Z: the server clock in every test. */
#define NOW ((time_t)1715342400)
#define HOUR 3600
#define GIB (1024LL * 1024 * 1024)

struct t {
	struct vmsc_vm_facts *f;
	struct vmsc_config cfg;
	struct vmsc_result *r;
	struct vmsc_vm_result *vm;
	time_t now;
	bool include_powered_off;
	size_t matches[8];            /* waiver match counters */
	const struct vmsc_datastores *datastores;
};

static struct vmsc_eval eval_of(struct t *t)
{
	return (struct vmsc_eval){ .config = &t->cfg, .now = t->now,
				   .include_powered_off = t->include_powered_off,
				   .waiver_matches = t->matches, .datastores = t->datastores };
}

/* --- building facts ------------------------------------------------------- */

static char *xdup(const char *s)
{
	char *c = s ? strdup(s) : NULL;

	if (s)
		assert_non_null(c);
	return c;
}

static void set(char **field, const char *value)
{
	free(*field);
	*field = xdup(value);
}

static struct vmsc_controller *add_controller(struct vmsc_vm_facts *f, int key, int bus,
					      const char *type, const char *shared_bus,
					      const char *label)
{
	struct vmsc_controller *c;

	f->controllers = realloc(f->controllers, (f->n_controllers + 1) * sizeof(*c));
	assert_non_null(f->controllers);
	c = &f->controllers[f->n_controllers++];
	memset(c, 0, sizeof(*c));
	c->key = key;
	c->bus_number = bus;
	c->type = xdup(type);
	c->kind = vmsc_controller_kind_from_type(type);
	c->shared_bus = xdup(shared_bus);
	c->label = xdup(label);
	return c;
}

static struct vmsc_disk *add_disk(struct vmsc_vm_facts *f, const char *label, int controller_key,
				  const char *backing_type, const char *mode, const char *file)
{
	struct vmsc_disk *d;

	f->disks = realloc(f->disks, (f->n_disks + 1) * sizeof(*d));
	assert_non_null(f->disks);
	d = &f->disks[f->n_disks++];
	memset(d, 0, sizeof(*d));
	d->label = xdup(label);
	d->key = 2000 + (int)f->n_disks;
	d->controller_key = controller_key;
	d->unit_number = (int)f->n_disks - 1;
	d->backing_type = xdup(backing_type);
	d->backing_kind = vmsc_backing_kind_from_type(backing_type);
	d->disk_mode = xdup(mode);
	d->sharing = xdup("sharingNone");
	d->file_name = xdup(file);
	d->capacity_bytes = 40 * GIB;
	return d;
}

static void add_device(struct vmsc_vm_facts *f, const char *type, const char *label)
{
	f->devices = realloc(f->devices, (f->n_devices + 1) * sizeof(*f->devices));
	assert_non_null(f->devices);
	f->devices[f->n_devices].type = xdup(type);
	f->devices[f->n_devices].label = xdup(label);
	f->n_devices++;
}

static void add_volume(struct vmsc_vm_facts *f, const char *path, const char *fs,
		       long long capacity, long long free_space)
{
	struct vmsc_guest_volume *v;

	f->volumes = realloc(f->volumes, (f->n_volumes + 1) * sizeof(*v));
	assert_non_null(f->volumes);
	v = &f->volumes[f->n_volumes++];
	v->path = xdup(path);
	v->fs_type = xdup(fs);
	v->capacity = capacity;
	v->free_space = free_space;
}

static void add_extra(struct vmsc_vm_facts *f, const char *key, const char *value)
{
	f->extra_config = realloc(f->extra_config, (f->n_extra_config + 1) *
				  sizeof(*f->extra_config));
	assert_non_null(f->extra_config);
	f->extra_config[f->n_extra_config].key = xdup(key);
	f->extra_config[f->n_extra_config].value = xdup(value);
	f->n_extra_config++;
}

static void add_unreadable(struct vmsc_vm_facts *f, const char *path, const char *fault,
			   const char *message)
{
	struct vmsc_unreadable *u;

	f->unreadable = realloc(f->unreadable, (f->n_unreadable + 1) * sizeof(*u));
	assert_non_null(f->unreadable);
	u = &f->unreadable[f->n_unreadable++];
	u->path = xdup(path);
	u->fault = xdup(fault);
	u->message = xdup(message);
}

static void add_disabled_method(struct vmsc_vm_facts *f, const char *method)
{
	f->disabled_methods = realloc(f->disabled_methods, (f->n_disabled_methods + 1) *
				      sizeof(char *));
	assert_non_null(f->disabled_methods);
	f->disabled_methods[f->n_disabled_methods++] = xdup(method);
}

static void set_snapshots(struct vmsc_vm_facts *f, int count, int depth, time_t oldest,
			  const char *oldest_name)
{
	f->snapshots.count = count;
	f->snapshots.max_depth = depth;
	f->snapshots.oldest_time = oldest;
	set(&f->snapshots.oldest_name, oldest_name);
	f->snapshots.newest_time = oldest;
	set(&f->snapshots.newest_name, oldest_name);
}

/* A powered-on Linux VM with nothing wrong. */
static struct vmsc_vm_facts *healthy_vm(void)
{
	struct vmsc_vm_facts *f = vmsc_vm_facts_new();

	assert_non_null(f);
	f->vcenter = xdup("vc01.example.com");
	f->moid = xdup("vm-42");
	f->name = xdup("app-01");
	f->connection_state = xdup("connected");
	f->power_state = xdup("poweredOn");
	f->template_vm = VMSC_TRI_FALSE;
	f->guest_id = xdup("rhel8_64Guest");
	f->guest_family = xdup("linuxGuest");
	f->tools_version_status = xdup("guestToolsCurrent");
	f->tools_running_status = xdup("guestToolsRunning");
	f->tools_version = xdup("12352");
	f->tools_installer_mounted = VMSC_TRI_FALSE;
	f->snapshot_operations_supported = VMSC_TRI_TRUE;
	f->quiesced_snapshots_supported = VMSC_TRI_TRUE;
	f->snapshot_disabled = VMSC_TRI_FALSE;
	f->snapshot_locked = VMSC_TRI_FALSE;
	f->disk_uuid_enabled = VMSC_TRI_TRUE;
	f->hardware_read = VMSC_TRI_TRUE;
	add_controller(f, 1000, 0, "ParaVirtualSCSIController", "noSharing", "SCSI controller 0");
	add_controller(f, 200, 0, "VirtualIDEController", NULL, "IDE 0");
	add_disk(f, "Hard disk 1", 1000, "VirtualDiskFlatVer2BackingInfo", "persistent",
		 "[ds1] app-01/app-01.vmdk");
	f->consolidation_needed = VMSC_TRI_FALSE;
	add_volume(f, "/", "ext4", 50 * GIB, 25 * GIB);
	add_volume(f, "/mnt/cdrom", "iso9660", 4 * GIB, 0);
	f->read_at = NOW;
	return f;
}

static void make_windows(struct vmsc_vm_facts *f)
{
	set(&f->guest_id, "windows2019srv_64Guest");
	set(&f->guest_family, "windowsGuest");
	set(&f->volumes[0].path, "C:\\");
	set(&f->volumes[0].fs_type, "NTFS");
}

/* --- running -------------------------------------------------------------- */

static int setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	t->f = healthy_vm();
	vmsc_config_init(&t->cfg);
	t->r = vmsc_result_new();
	t->now = NOW;
	*state = t;
	return t->r ? 0 : -1;
}

static int teardown(void **state)
{
	struct t *t = *state;

	vmsc_vm_facts_free(t->f);
	vmsc_config_release(&t->cfg);
	vmsc_result_free(t->r);
	free(t);
	return 0;
}

static struct vmsc_vm_result *run(struct t *t)
{
	size_t vc = vmsc_result_add_vcenter(t->r, "https://vc01.example.com/sdk",
					    "vc01.example.com");

	assert_true(vc != (size_t)-1);
	t->vm = vmsc_result_add_vm(t->r, vc, t->f->name, t->f->moid);
	assert_non_null(t->vm);
	struct vmsc_eval ev = eval_of(t);

	assert_true(t->cfg.n_waivers <= 8);
	assert_int_equal(vmsc_rules_evaluate(&ev, t->f, t->vm), 0);
	return t->vm;
}

static void load_config(struct t *t, const char *ini)
{
	struct vmsc_error err = { 0 };

	vmsc_config_release(&t->cfg);
	vmsc_config_init(&t->cfg);
	if (vmsc_config_load_string(&t->cfg, ini, "test.ini", &err) < 0 ||
	    vmsc_rules_check_config(&t->cfg, &err) < 0)
		fail_msg("config: %s", err.message);
}

static size_t count(const struct vmsc_vm_result *vm, const char *rule)
{
	size_t i, n = 0;

	for (i = 0; i < vm->n_findings; i++)
		if (strcmp(vm->findings[i].rule, rule) == 0)
			n++;
	return n;
}

/* The nth finding of `rule`; fails the test when there is none. */
static const struct vmsc_finding *nth(const struct vmsc_vm_result *vm, const char *rule, size_t n)
{
	size_t i;

	for (i = 0; i < vm->n_findings; i++)
		if (strcmp(vm->findings[i].rule, rule) == 0 && n-- == 0)
			return &vm->findings[i];
	fail_msg("no finding %s", rule);
	return NULL;
}

static const struct vmsc_finding *only(const struct vmsc_vm_result *vm, const char *rule)
{
	assert_int_equal(vm->n_findings, 1);
	return nth(vm, rule, 0);
}

static void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("'%s' does not contain '%s'", haystack, needle);
}

static void assert_clean(const struct vmsc_vm_result *vm)
{
	size_t i;

	for (i = 0; i < vm->n_findings; i++)
		print_error("unexpected finding %s: %s\n", vm->findings[i].rule,
			    vm->findings[i].message);
	assert_int_equal(vm->n_findings, 0);
	assert_int_equal(vm->status, VMSC_STATUS_OK);
}

/* --- the table ------------------------------------------------------------ */

static void test_rules_table(void **state)
{
	/* ids, severities and caps are the contract (docs/rules.md) */
	static const struct {
		const char *id;
		enum vmsc_severity sev;
		enum vmsc_level cap;
	} want[] = {
		{ "tools-not-installed", VMSC_SEV_ERROR, VMSC_LEVEL_CRASH },
		{ "tools-not-running", VMSC_SEV_ERROR, VMSC_LEVEL_CRASH },
		{ "tools-outdated", VMSC_SEV_WARNING, VMSC_LEVEL_UNSET },
		{ "tools-unsupported", VMSC_SEV_ERROR, VMSC_LEVEL_CRASH },
		{ "tools-upgrade-in-progress", VMSC_SEV_ERROR, VMSC_LEVEL_CRASH },
		{ "quiesce-disabled", VMSC_SEV_ERROR, VMSC_LEVEL_CRASH },
		{ "quiesce-enableuuid", VMSC_SEV_WARNING, VMSC_LEVEL_FILESYSTEM },
		{ "quiesce-ide-disk", VMSC_SEV_WARNING, VMSC_LEVEL_FILESYSTEM },
		{ "independent-disk", VMSC_SEV_ERROR, VMSC_LEVEL_UNSET },
		{ "rdm-physical", VMSC_SEV_ERROR, VMSC_LEVEL_UNSET },
		{ "multi-writer-disk", VMSC_SEV_ERROR, VMSC_LEVEL_NONE },
		{ "scsi-bus-sharing", VMSC_SEV_ERROR, VMSC_LEVEL_NONE },
		{ "passthrough-device", VMSC_SEV_ERROR, VMSC_LEVEL_NONE },
		{ "fault-tolerance", VMSC_SEV_ERROR, VMSC_LEVEL_NONE },
		{ "snapshot-count", VMSC_SEV_WARNING, VMSC_LEVEL_UNSET },
		{ "snapshot-age", VMSC_SEV_WARNING, VMSC_LEVEL_UNSET },
		{ "snapshot-limit", VMSC_SEV_ERROR, VMSC_LEVEL_NONE },
		{ "consolidation-needed", VMSC_SEV_ERROR, VMSC_LEVEL_UNSET },
		{ "guest-disk-space", VMSC_SEV_WARNING, VMSC_LEVEL_UNSET },
		{ "vm-inaccessible", VMSC_SEV_ERROR, VMSC_LEVEL_NONE },
		{ "datastore-low-space", VMSC_SEV_WARNING, VMSC_LEVEL_UNSET },
		{ "backup-age", VMSC_SEV_WARNING, VMSC_LEVEL_UNSET },
		{ "quiesce-nvme-sata-disk", VMSC_SEV_WARNING, VMSC_LEVEL_FILESYSTEM },
		{ "scsi-slots-short", VMSC_SEV_WARNING, VMSC_LEVEL_FILESYSTEM },
		{ "encrypted-vm", VMSC_SEV_WARNING, VMSC_LEVEL_FILESYSTEM },
		{ "too-many-volumes", VMSC_SEV_WARNING, VMSC_LEVEL_CRASH },
		{ "vm-question-pending", VMSC_SEV_ERROR, VMSC_LEVEL_NONE },
		{ "nvdimm-no-snapshot-mode", VMSC_SEV_ERROR, VMSC_LEVEL_NONE },
		{ "unmanaged-delta-disk", VMSC_SEV_ERROR, VMSC_LEVEL_UNSET },
		{ "cbt-disabled", VMSC_SEV_WARNING, VMSC_LEVEL_UNSET },
		{ "vss-writer-failed", VMSC_SEV_ERROR, VMSC_LEVEL_CRASH },
		{ "vss-service-disabled", VMSC_SEV_ERROR, VMSC_LEVEL_CRASH },
		{ "vmware-vss-missing", VMSC_SEV_ERROR, VMSC_LEVEL_FILESYSTEM },
		{ "vss-foreign-provider", VMSC_SEV_WARNING, VMSC_LEVEL_UNSET },
		{ "tools-conf-quiescing-off", VMSC_SEV_ERROR, VMSC_LEVEL_FILESYSTEM },
		{ "vss-event-errors", VMSC_SEV_WARNING, VMSC_LEVEL_UNSET },
		{ "freeze-script-not-executable", VMSC_SEV_ERROR, VMSC_LEVEL_UNSET },
		{ "guest-not-elevated", VMSC_SEV_WARNING, VMSC_LEVEL_UNSET },
		{ "guest-login-failed", VMSC_SEV_WARNING, VMSC_LEVEL_UNSET },
		{ "consistency-below-required", VMSC_SEV_ERROR, VMSC_LEVEL_UNSET },
		{ "recent-snapshot-failure", VMSC_SEV_WARNING, VMSC_LEVEL_UNSET },
		{ "probe-failed", VMSC_SEV_ERROR, VMSC_LEVEL_CRASH },
		{ "probe-downgraded", VMSC_SEV_WARNING, VMSC_LEVEL_UNSET },
	};
	const struct vmsc_rule *rules;
	size_t n, i, j;

	(void)state;
	rules = vmsc_rules(&n);
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < n; i++) {
		const struct vmsc_rule *r = &rules[i];

		assert_string_equal(r->id, want[i].id);
		assert_int_equal(r->severity, want[i].sev);
		assert_int_equal(r->cap, want[i].cap);
		assert_ptr_equal(vmsc_rule_find(r->id), r);
		assert_non_null(r->title);
		assert_non_null(r->remedy);
		/* One line, actionable. */
		assert_null(strchr(r->remedy, '\n'));
		if (r->flags & VMSC_RULE_EXTERNAL) {
			assert_null(r->check);
			continue;
		}
		if (r->flags & VMSC_RULE_GUEST) {
			/* judged on guest facts, reads no vim25 path */
			assert_non_null(r->check);
			assert_null(r->paths);
			continue;
		}
		assert_non_null(r->check);
		assert_non_null(r->paths);
		assert_non_null(r->paths[0]);
		for (j = 0; r->paths[j]; j++)
			assert_null(strchr(r->paths[j], ' '));
	}
	assert_null(vmsc_rule_find("no-such-rule"));
	assert_null(vmsc_rule_find(NULL));
	assert_int_equal(vmsc_rule_find("guest-disk-space")->flags, VMSC_RULE_NEEDS_RUNNING_GUEST);
	assert_int_equal(vmsc_rule_find("snapshot-count")->flags, 0);
}

static void test_rules_healthy_vm(void **state)
{
	struct t *t = *state;
	struct vmsc_vm_result *vm = run(t);

	assert_clean(vm);
	assert_null(vm->reason);
	assert_string_equal(vm->power_state, "poweredOn");
	assert_string_equal(vm->guest_id, "rhel8_64Guest");
}

static void test_rules_healthy_windows_vm(void **state)
{
	struct t *t = *state;

	make_windows(t->f);
	assert_clean(run(t));
}

/* --- tools ---------------------------------------------------------------- */

static void test_rules_tools_not_installed(void **state)
{
	struct t *t = *state;
	const struct vmsc_finding *fi;

	set(&t->f->tools_version_status, "guestToolsNotInstalled");
	set(&t->f->tools_running_status, "guestToolsNotRunning");
	set(&t->f->tools_version, "0");
	fi = only(run(t), "tools-not-installed");
	assert_int_equal(fi->severity, VMSC_SEV_ERROR);
	assert_contains(fi->message, "VMware Tools not installed");
	assert_string_equal(fi->remedy, vmsc_rule_find("tools-not-installed")->remedy);
	assert_int_equal(t->vm->status, VMSC_STATUS_ERROR);
}

static void test_rules_tools_status_absent(void **state)
{
	struct t *t = *state;

	/* Tools not reporting: unknown, never a finding. */
	set(&t->f->tools_version_status, NULL);
	set(&t->f->tools_running_status, NULL);
	set(&t->f->tools_version, NULL);
	assert_clean(run(t));
	/* Not running, but whether Tools are installed is unknown. */
	set(&t->f->tools_running_status, "guestToolsNotRunning");
	assert_clean(run(t));
}

static void test_rules_tools_status_unknown_value(void **state)
{
	struct t *t = *state;

	set(&t->f->tools_version_status, "guestToolsFromTheFuture");
	assert_clean(run(t));
	set(&t->f->tools_version_status, "");
	set(&t->f->tools_running_status, "guestToolsNotRunning");
	assert_clean(run(t));
	set(&t->f->tools_version_status, "guestToolsCurrent");
	set(&t->f->tools_running_status, "guestToolsSleeping");
	assert_clean(run(t));
}

static void test_rules_tools_not_running(void **state)
{
	struct t *t = *state;
	const struct vmsc_finding *fi;

	set(&t->f->tools_running_status, "guestToolsNotRunning");
	fi = only(run(t), "tools-not-running");
	assert_string_equal(fi->message, "VMware Tools 12.2.0 installed but not running "
			    "(guest.toolsRunningStatus = guestToolsNotRunning)");
	assert_int_equal(fi->severity, VMSC_SEV_ERROR);

	/* Starting up counts as running. */
	set(&t->f->tools_running_status, "guestToolsExecutingScripts");
	assert_clean(run(t));

	/* Not installed: tools-not-installed says it, not tools-not-running. */
	set(&t->f->tools_running_status, "guestToolsNotRunning");
	set(&t->f->tools_version_status, "guestToolsNotInstalled");
	only(run(t), "tools-not-installed");
}

static void test_rules_tools_not_running_needs_power_on(void **state)
{
	struct t *t = *state;

	set(&t->f->tools_running_status, "guestToolsNotRunning");
	set(&t->f->power_state, NULL); /* unknown power state: evaluated, but not "on" */
	assert_clean(run(t));
	set(&t->f->power_state, "poweredOff");
	t->include_powered_off = true;
	assert_clean(run(t));
}

static void test_rules_tools_outdated(void **state)
{
	static const char *const fine[] = { "guestToolsCurrent", "guestToolsUnmanaged",
					    "guestToolsSupportedNew" };
	struct t *t = *state;
	const struct vmsc_finding *fi;
	size_t i;

	set(&t->f->tools_version_status, "guestToolsSupportedOld");
	set(&t->f->tools_version, "11333");
	fi = only(run(t), "tools-outdated");
	assert_string_equal(fi->message, "VMware Tools 11.2.5 outdated (guestToolsSupportedOld)");
	assert_int_equal(fi->severity, VMSC_SEV_WARNING);
	assert_int_equal(t->vm->status, VMSC_STATUS_WARNING);

	set(&t->f->tools_version_status, "guestToolsNeedUpgrade");
	set(&t->f->tools_version, NULL);
	fi = only(run(t), "tools-outdated");
	assert_string_equal(fi->message, "VMware Tools outdated (guestToolsNeedUpgrade)");

	for (i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
		set(&t->f->tools_version_status, fine[i]);
		assert_clean(run(t));
	}
}

static void test_rules_tools_unsupported(void **state)
{
	static const struct {
		const char *status, *message;
	} cases[] = {
		{ "guestToolsTooOld", "VMware Tools 9.4.0 too old for this host (guestToolsTooOld)" },
		{ "guestToolsTooNew",
		  "VMware Tools 9.4.0 newer than this host supports (guestToolsTooNew)" },
		{ "guestToolsBlacklisted",
		  "VMware Tools 9.4.0 blocklisted for known problems (guestToolsBlacklisted)" },
	};
	struct t *t = *state;
	const struct vmsc_finding *fi;
	size_t i;

	set(&t->f->tools_version, "9344");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		set(&t->f->tools_version_status, cases[i].status);
		fi = only(run(t), "tools-unsupported");
		assert_string_equal(fi->message, cases[i].message);
		assert_int_equal(fi->severity, VMSC_SEV_ERROR);
	}
}

static void test_rules_tools_upgrade_in_progress(void **state)
{
	struct t *t = *state;
	const struct vmsc_finding *fi;

	t->f->tools_installer_mounted = VMSC_TRI_TRUE;
	fi = only(run(t), "tools-upgrade-in-progress");
	assert_contains(fi->message, "VMware Tools installer mounted");
	assert_int_equal(fi->severity, VMSC_SEV_ERROR);
	t->f->tools_installer_mounted = VMSC_TRI_UNSET;
	assert_clean(run(t));
}

/* --- quiescing -------------------------------------------------------------- */

static void test_rules_quiesce_disabled_capabilities(void **state)
{
	struct t *t = *state;

	t->f->quiesced_snapshots_supported = VMSC_TRI_FALSE;
	assert_string_equal(only(run(t), "quiesce-disabled")->message,
			    "quiesced snapshots not supported "
			    "(capability.quiescedSnapshotsSupported = false)");
	t->f->quiesced_snapshots_supported = VMSC_TRI_TRUE;
	t->f->snapshot_operations_supported = VMSC_TRI_FALSE;
	assert_string_equal(only(run(t), "quiesce-disabled")->message,
			    "snapshot operations not supported "
			    "(capability.snapshotOperationsSupported = false)");
	/* Unknown capabilities are not a finding. */
	t->f->snapshot_operations_supported = VMSC_TRI_UNSET;
	t->f->quiesced_snapshots_supported = VMSC_TRI_UNSET;
	assert_clean(run(t));
}

static void test_rules_quiesce_disabled_flags(void **state)
{
	struct t *t = *state;
	struct vmsc_vm_result *vm;

	t->f->snapshot_disabled = VMSC_TRI_TRUE;
	assert_string_equal(only(run(t), "quiesce-disabled")->message,
			    "snapshots disabled (config.flags.snapshotDisabled = true)");
	t->f->snapshot_disabled = VMSC_TRI_UNSET;
	t->f->snapshot_locked = VMSC_TRI_TRUE;
	assert_string_equal(only(run(t), "quiesce-disabled")->message,
			    "snapshots locked (config.flags.snapshotLocked = true)");
	/* Each cause is its own finding. */
	t->f->snapshot_disabled = VMSC_TRI_TRUE;
	vm = run(t);
	assert_int_equal(count(vm, "quiesce-disabled"), 2);
}

static void test_rules_quiesce_disabled_methods(void **state)
{
	struct t *t = *state;

	add_disabled_method(t->f, "MigrateVM_Task");
	add_disabled_method(t->f, "RevertToCurrentSnapshot_Task");
	assert_clean(run(t));
	add_disabled_method(t->f, "CreateSnapshotEx_Task");
	add_disabled_method(t->f, "CreateSnapshot_Task");
	assert_string_equal(only(run(t), "quiesce-disabled")->message,
			    "vCenter has disabled snapshot creation on this VM (disabledMethod: "
			    "CreateSnapshot_Task, CreateSnapshotEx_Task), usually while a backup "
			    "or another solution works on it");
}

static void test_rules_quiesce_disabled_extra_config(void **state)
{
	struct t *t = *state;

	add_extra(t->f, "snapshot.quiesce", "TRUE");
	add_extra(t->f, "snapshot.maxSnapshots", "5");
	assert_clean(run(t));
	set(&t->f->extra_config[0].value, "FALSE");
	assert_string_equal(only(run(t), "quiesce-disabled")->message,
			    "quiescing turned off (extraConfig snapshot.quiesce = FALSE)");
	assert_int_equal(only(t->vm, "quiesce-disabled")->cap, VMSC_LEVEL_CRASH);
	assert_string_equal(t->vm->consistency.limited_by[0], "quiesce-disabled");
	/* snapshot.maxSnapshots is snapshot-limit's now */
	set(&t->f->extra_config[0].value, "true");
	set(&t->f->extra_config[1].value, "0");
	assert_int_equal(count(run(t), "quiesce-disabled"), 0);
	assert_string_equal(only(t->vm, "snapshot-limit")->message,
			    "snapshots forbidden (extraConfig snapshot.maxSnapshots = 0)");
	set(&t->f->extra_config[1].value, "zero");
	assert_clean(run(t));
}

static void test_rules_quiesce_disabled_causes(void **state)
{
	struct t *t = *state;
	const struct vmsc_finding *fi;
	struct vmsc_vm_result *vm;

	/* quiescing only: crash-consistent snapshots still work */
	t->f->quiesced_snapshots_supported = VMSC_TRI_FALSE;
	vm = run(t);
	fi = only(vm, "quiesce-disabled");
	assert_int_equal(fi->cap, VMSC_LEVEL_CRASH);
	assert_non_null(strstr(fi->remedy, "VMware Tools"));
	assert_null(strstr(fi->remedy, "Re-enable snapshots"));
	assert_int_equal(vm->consistency.expected, VMSC_LEVEL_CRASH);

	/* no snapshot at all: each cause with its own remedy */
	t->f->quiesced_snapshots_supported = VMSC_TRI_TRUE;
	t->f->snapshot_locked = VMSC_TRI_TRUE;
	vm = run(t);
	fi = only(vm, "quiesce-disabled");
	assert_int_equal(fi->cap, VMSC_LEVEL_NONE);
	assert_non_null(strstr(fi->remedy, "snapshotLocked"));
	assert_int_equal(vm->consistency.expected, VMSC_LEVEL_NONE);
}

static void test_rules_snapshot_limit(void **state)
{
	struct t *t = *state;
	struct vmsc_vm_result *vm;

	add_extra(t->f, "snapshot.maxSnapshots", "2");
	set_snapshots(t->f, 1, 1, NOW - HOUR, "s");
	assert_clean(run(t));
	set_snapshots(t->f, 2, 2, NOW - HOUR, "s");
	vm = run(t);
	assert_string_equal(only(vm, "snapshot-limit")->message,
			    "2 snapshots already, at the limit extraConfig snapshot.maxSnapshots = 2: "
			    "the next snapshot is refused");
	assert_int_equal(vm->status, VMSC_STATUS_ERROR);
	assert_int_equal(vm->consistency.expected, VMSC_LEVEL_NONE);
	set(&t->f->extra_config[0].value, "-1");
	assert_clean(run(t));
	set(&t->f->extra_config[0].value, "");
	assert_clean(run(t));
}

/* --- expected consistency ------------------------------------------------------ */

static void expect_level(struct vmsc_vm_result *vm, enum vmsc_level level, const char *limits)
{
	char got[256] = "";

	for (size_t i = 0; i < vm->consistency.n_limited_by; i++) {
		strcat(got, i ? "," : "");
		strcat(got, vm->consistency.limited_by[i]);
	}
	if (vm->consistency.expected != level || strcmp(got, limits) != 0)
		fail_msg("expected %s [%s], got %s [%s]", vmsc_level_name(level), limits,
			 vmsc_level_name(vm->consistency.expected), got);
}

static void test_rules_consistency_ceiling(void **state)
{
	static const struct {
		const char *guest_id, *full_name, *family;
		enum vmsc_level level;
	} cases[] = {
		{ "otherLinux64Guest", NULL, "linuxGuest", VMSC_LEVEL_FILESYSTEM },
		{ "rhel9_64Guest", "Red Hat Enterprise Linux 9 Server", NULL, VMSC_LEVEL_FILESYSTEM },
		{ "windows2019srv_64Guest", NULL, NULL, VMSC_LEVEL_APPLICATION },
		{ "windows2019srvNext_64Guest", NULL, NULL, VMSC_LEVEL_APPLICATION },
		{ "windows9Server64Guest", NULL, NULL, VMSC_LEVEL_APPLICATION },
		{ "winNetStandard64Guest", NULL, NULL, VMSC_LEVEL_APPLICATION },
		{ "winLonghorn64Guest", NULL, NULL, VMSC_LEVEL_APPLICATION },
		{ "windows9_64Guest", NULL, NULL, VMSC_LEVEL_FILESYSTEM },
		{ "windows11_64Guest", NULL, NULL, VMSC_LEVEL_FILESYSTEM },
		{ "windows7_64Guest", NULL, NULL, VMSC_LEVEL_FILESYSTEM },
		{ "winXPProGuest", NULL, NULL, VMSC_LEVEL_FILESYSTEM },
		/* generic ids: the full name decides */
		{ "windowsGuest", "Microsoft Windows Server 2025", NULL, VMSC_LEVEL_APPLICATION },
		{ "windowsGuest", "Microsoft Windows 10", NULL, VMSC_LEVEL_FILESYSTEM },
		{ "otherGuest64", "Microsoft Windows Server 2022 (64-bit)", "windowsGuest",
		  VMSC_LEVEL_APPLICATION },
	};
	struct t *t = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vmsc_vm_result *vm;

		set(&t->f->guest_id, cases[i].guest_id);
		set(&t->f->guest_full_name, cases[i].full_name);
		set(&t->f->guest_family, cases[i].family);
		t->f->disk_uuid_enabled = VMSC_TRI_TRUE;
		vm = run(t);
		if (vm->consistency.expected != cases[i].level)
			fail_msg("%s / %s: expected %s, got %s", cases[i].guest_id,
				 cases[i].full_name ? cases[i].full_name : "-",
				 vmsc_level_name(cases[i].level),
				 vmsc_level_name(vm->consistency.expected));
		expect_level(vm, cases[i].level, "guest-os");
	}
}

static void test_rules_consistency_caps(void **state)
{
	struct t *t = *state;
	struct vmsc_vm_result *vm;

	make_windows(t->f);
	set(&t->f->guest_id, "windows2019srv_64Guest");
	t->f->disk_uuid_enabled = VMSC_TRI_TRUE;
	expect_level(run(t), VMSC_LEVEL_APPLICATION, "guest-os");

	t->f->disk_uuid_enabled = VMSC_TRI_FALSE;
	expect_level(run(t), VMSC_LEVEL_FILESYSTEM, "quiesce-enableuuid");

	/* the lowest cap wins, and only the rules at that level are named */
	set(&t->f->tools_running_status, "guestToolsNotRunning");
	expect_level(run(t), VMSC_LEVEL_CRASH, "tools-not-running");
	t->f->snapshot_disabled = VMSC_TRI_TRUE;
	expect_level(run(t), VMSC_LEVEL_NONE, "quiesce-disabled");

	/* rules without a cap leave the level alone */
	t->f->snapshot_disabled = VMSC_TRI_FALSE;
	set(&t->f->tools_running_status, "guestToolsRunning");
	t->f->disk_uuid_enabled = VMSC_TRI_TRUE;
	set(&t->f->disks[0].disk_mode, "independent_persistent");
	vm = run(t);
	assert_int_equal(count(vm, "independent-disk"), 1);
	expect_level(vm, VMSC_LEVEL_APPLICATION, "guest-os");
}

static void test_rules_consistency_waived_still_counts(void **state)
{
	struct t *t = *state;
	struct vmsc_vm_result *vm;

	load_config(t, "[waiver \"w\"]\nvm = *\nrule = tools-not-running\nreason = r\n"
		       "expires = 2099-12-31\n");
	set(&t->f->tools_running_status, "guestToolsNotRunning");
	vm = run(t);
	assert_true(only(vm, "tools-not-running")->waived);
	assert_int_equal(vm->status, VMSC_STATUS_OK);
	expect_level(vm, VMSC_LEVEL_CRASH, "tools-not-running");
}

static void test_rules_consistency_not_evaluated(void **state)
{
	struct t *t = *state;
	struct vmsc_vm_result *vm;

	set(&t->f->power_state, "poweredOff");
	vm = run(t);
	assert_int_equal(vm->status, VMSC_STATUS_SKIPPED);
	assert_int_equal(vm->consistency.expected, VMSC_LEVEL_UNSET);
	assert_int_equal(vm->consistency.n_limited_by, 0);

	set(&t->f->power_state, "poweredOn");
	add_unreadable(t->f, "snapshot", "NoPermission", NULL);
	vm = run(t);
	assert_int_equal(vm->status, VMSC_STATUS_UNKNOWN);
	assert_int_equal(vm->consistency.expected, VMSC_LEVEL_UNSET);
}

static void test_rules_consistency_required(void **state)
{
	struct t *t = *state;
	struct vmsc_vm_result *vm;
	const struct vmsc_finding *fi;

	load_config(t, "[require \"app-*\"]\nconsistency = application\n"
		       "[require \"web-*\"]\nvm = app-01\nconsistency = crash\n");
	/* Linux reaches filesystem at best: below the first section's level */
	vm = run(t);
	fi = only(vm, "consistency-below-required");
	assert_int_equal(fi->severity, VMSC_SEV_ERROR);
	assert_string_equal(fi->message,
			    "requires application-consistent backups ([require \"app-*\"] at "
			    "test.ini:1), expected filesystem: limited by guest-os");
	assert_int_equal(vm->status, VMSC_STATUS_ERROR);

	/* evaluating again replaces the finding, never adds a second */
	assert_int_equal(vmsc_rules_settle(&(struct vmsc_eval){ .config = &t->cfg, .now = NOW },
					   "vc01.example.com", vm), 0);
	assert_int_equal(count(vm, "consistency-below-required"), 1);

	/* --require beats the sections */
	t->cfg.require_all = VMSC_LEVEL_CRASH;
	assert_clean(run(t));
	t->cfg.require_all = VMSC_LEVEL_FILESYSTEM;
	set(&t->f->tools_running_status, "guestToolsNotRunning");
	fi = nth(run(t), "consistency-below-required", 0);
	assert_int_equal(t->vm->n_findings, 2);
	assert_string_equal(fi->message, "requires filesystem-consistent backups (--require), "
			    "expected crash: limited by tools-not-running");

	/* a waiver covers it like any finding */
	t->cfg.require_all = 0;
	load_config(t, "[require \"*\"]\nconsistency = application\n"
		       "[waiver \"w\"]\nvm = *\nrule = consistency-below-required\nreason = r\n"
		       "expires = 2099-12-31\n");
	set(&t->f->tools_running_status, "guestToolsRunning");
	vm = run(t);
	assert_true(only(vm, "consistency-below-required")->waived);
	assert_int_equal(vm->status, VMSC_STATUS_OK);
}

static void test_rules_consistency_required_unmatched(void **state)
{
	struct t *t = *state;

	/* sections that match nothing, or ask for no more than expected */
	load_config(t, "[require \"db-*\"]\nconsistency = application\n"
		       "[require \"app-*\"]\nconsistency = filesystem\n");
	assert_clean(run(t));
}

static void test_rules_quiesce_enableuuid(void **state)
{
	struct t *t = *state;
	const struct vmsc_finding *fi;

	make_windows(t->f);
	t->f->disk_uuid_enabled = VMSC_TRI_FALSE;
	fi = only(run(t), "quiesce-enableuuid");
	assert_int_equal(fi->severity, VMSC_SEV_WARNING);
	assert_string_equal(fi->message, "Windows guest with disk UUIDs off "
			    "(config.flags.diskUuidEnabled = false): file-system quiescing only, "
			    "no VSS application quiescing");

	/* The flag wins over extraConfig when reported. */
	add_extra(t->f, "disk.EnableUUID", "TRUE");
	only(run(t), "quiesce-enableuuid");

	t->f->disk_uuid_enabled = VMSC_TRI_UNSET;
	assert_clean(run(t));
	set(&t->f->extra_config[0].value, "true");
	assert_clean(run(t));
	set(&t->f->extra_config[0].value, "FALSE");
	assert_contains(only(run(t), "quiesce-enableuuid")->message,
			"(extraConfig disk.EnableUUID = FALSE)");
	set(&t->f->extra_config[0].key, "guestinfo.other");
	assert_contains(only(run(t), "quiesce-enableuuid")->message,
			"(extraConfig disk.EnableUUID not set)");
}

static void test_rules_quiesce_enableuuid_not_windows(void **state)
{
	struct t *t = *state;

	t->f->disk_uuid_enabled = VMSC_TRI_FALSE;
	assert_clean(run(t));
	/* Windows by guestId alone (powered off: no guestFamily). */
	set(&t->f->guest_family, NULL);
	set(&t->f->guest_id, "windows9_64Guest");
	only(run(t), "quiesce-enableuuid");
	/* Windows by guestFamily alone. */
	set(&t->f->guest_id, "otherGuest64");
	set(&t->f->guest_family, "windowsGuest");
	only(run(t), "quiesce-enableuuid");
}

static void test_rules_quiesce_ide_disk(void **state)
{
	struct t *t = *state;
	const struct vmsc_finding *fi;

	add_disk(t->f, "Hard disk 2", 200, "VirtualDiskFlatVer2BackingInfo", "persistent",
		 "[ds1] app-01/app-01_1.vmdk");
	/* Linux: IDE is fine for file-system quiescing. */
	assert_clean(run(t));

	make_windows(t->f);
	fi = only(run(t), "quiesce-ide-disk");
	assert_int_equal(fi->severity, VMSC_SEV_WARNING);
	assert_string_equal(fi->message, "disk 'Hard disk 2' ([ds1] app-01/app-01_1.vmdk) is on "
			    "IDE controller 'IDE 0' (VirtualIDEController, bus 0): no "
			    "application-consistent quiescing");

	/* Without a controller label, the type and bus name it. */
	set(&t->f->controllers[1].label, NULL);
	assert_contains(only(run(t), "quiesce-ide-disk")->message,
			"on IDE controller VirtualIDEController (bus 0)");

	/* A disk whose controller is not in the facts is not guessed at. */
	t->f->disks[1].controller_key = 4242;
	assert_clean(run(t));
	t->f->disks[1].controller_key = -1;
	assert_clean(run(t));
}

/* --- disks and devices -------------------------------------------------------- */

static void test_rules_independent_disk(void **state)
{
	struct t *t = *state;
	const struct vmsc_finding *fi;

	set(&t->f->disks[0].disk_mode, "independent_persistent");
	fi = only(run(t), "independent-disk");
	assert_int_equal(fi->severity, VMSC_SEV_ERROR);
	assert_string_equal(fi->message, "disk 'Hard disk 1' ([ds1] app-01/app-01.vmdk) has disk "
			    "mode independent_persistent: left out of every snapshot");
	set(&t->f->disks[0].disk_mode, "independent_nonpersistent");
	assert_contains(only(run(t), "independent-disk")->message, "independent_nonpersistent");
	/* Absent diskMode = persistent. */
	set(&t->f->disks[0].disk_mode, NULL);
	assert_clean(run(t));
	set(&t->f->disks[0].disk_mode, "nonpersistent");
	assert_clean(run(t));
}

static void test_rules_independent_disk_each(void **state)
{
	struct t *t = *state;
	struct vmsc_vm_result *vm;

	add_disk(t->f, "Hard disk 2", 1000, "VirtualDiskFlatVer2BackingInfo",
		 "independent_persistent", NULL);
	add_disk(t->f, NULL, 1000, "VirtualDiskFlatVer2BackingInfo", "independent_persistent",
		 NULL);
	vm = run(t);
	assert_int_equal(count(vm, "independent-disk"), 2);
	assert_string_equal(nth(vm, "independent-disk", 0)->message,
			    "disk 'Hard disk 2' has disk mode independent_persistent: left out of "
			    "every snapshot");
	assert_contains(nth(vm, "independent-disk", 1)->message, "disk 'disk 2003'");
}

static void test_rules_rdm_physical(void **state)
{
	struct t *t = *state;
	struct vmsc_disk *d;
	const struct vmsc_finding *fi;

	d = add_disk(t->f, "Hard disk 2", 1000, "VirtualDiskRawDiskMappingVer1BackingInfo",
		     "persistent", "[ds1] app-01/app-01_rdm.vmdk");
	d->compatibility_mode = xdup("virtualMode");
	assert_clean(run(t));
	set(&t->f->disks[1].compatibility_mode, "physicalMode");
	set(&t->f->disks[1].disk_mode, "independent_persistent");
	fi = nth(run(t), "rdm-physical", 0);
	assert_int_equal(fi->severity, VMSC_SEV_ERROR);
	assert_string_equal(fi->message, "disk 'Hard disk 2' ([ds1] app-01/app-01_rdm.vmdk) is a "
			    "raw device mapping in physical compatibility mode (physicalMode): "
			    "snapshots cannot include it");
	/* vCenter reports a physical RDM as independent too: one finding, its cause. */
	assert_int_equal(count(t->vm, "independent-disk"), 0);
	/* an independent virtual-mode RDM is still left out of snapshots */
	set(&t->f->disks[1].compatibility_mode, "virtualMode");
	run(t);
	assert_int_equal(count(t->vm, "independent-disk"), 1);
	assert_int_equal(count(t->vm, "rdm-physical"), 0);
	/* Unknown compatibility mode: no guess. */
	set(&t->f->disks[1].compatibility_mode, NULL);
	set(&t->f->disks[1].disk_mode, "persistent");
	assert_clean(run(t));
}

static void test_rules_rdm_raw_backings(void **state)
{
	struct t *t = *state;
	struct vmsc_vm_result *vm;

	add_disk(t->f, "Hard disk 2", 1000, "VirtualDiskRawDiskVer2BackingInfo", NULL, NULL);
	add_disk(t->f, "Hard disk 3", 1000, "VirtualDiskPartitionedRawDiskVer2BackingInfo", NULL,
		 NULL);
	vm = run(t);
	assert_int_equal(vm->n_findings, 2);
	assert_string_equal(nth(vm, "rdm-physical", 0)->message,
			    "disk 'Hard disk 2' has a raw disk backing "
			    "(VirtualDiskRawDiskVer2BackingInfo): snapshots cannot include it");
	assert_contains(nth(vm, "rdm-physical", 1)->message,
			"(VirtualDiskPartitionedRawDiskVer2BackingInfo)");
}

static void test_rules_multi_writer_disk(void **state)
{
	struct t *t = *state;
	const struct vmsc_finding *fi;

	set(&t->f->disks[0].sharing, "sharingMultiWriter");
	fi = only(run(t), "multi-writer-disk");
	assert_int_equal(fi->severity, VMSC_SEV_ERROR);
	assert_string_equal(fi->message, "disk 'Hard disk 1' ([ds1] app-01/app-01.vmdk) is shared "
			    "with multi-writer (sharingMultiWriter): snapshots are not supported");
	set(&t->f->disks[0].sharing, NULL);
	assert_clean(run(t));
}

static void test_rules_scsi_bus_sharing(void **state)
{
	struct t *t = *state;
	const struct vmsc_finding *fi;

	add_controller(t->f, 1001, 1, "VirtualLsiLogicSASController", "physicalSharing",
		       "SCSI controller 1");
	fi = only(run(t), "scsi-bus-sharing");
	assert_int_equal(fi->severity, VMSC_SEV_ERROR);
	assert_string_equal(fi->message, "SCSI controller 'SCSI controller 1' "
			    "(VirtualLsiLogicSASController, bus 1) has bus sharing "
			    "physicalSharing: snapshots are not supported");
	set(&t->f->controllers[2].shared_bus, "virtualSharing");
	set(&t->f->controllers[2].label, NULL);
	assert_contains(only(run(t), "scsi-bus-sharing")->message,
			"SCSI controller VirtualLsiLogicSASController (bus 1) has bus sharing "
			"virtualSharing");
	set(&t->f->controllers[2].shared_bus, "noSharing");
	assert_clean(run(t));
	set(&t->f->controllers[2].shared_bus, NULL);
	assert_clean(run(t));
}

static void test_rules_scsi_bus_sharing_all_types(void **state)
{
	static const char *const types[] = { "ParaVirtualSCSIController",
					     "VirtualLsiLogicController",
					     "VirtualLsiLogicSASController",
					     "VirtualBusLogicController" };
	struct t *t = *state;
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		set(&t->f->controllers[0].type, types[i]);
		t->f->controllers[0].kind = vmsc_controller_kind_from_type(types[i]);
		set(&t->f->controllers[0].shared_bus, "physicalSharing");
		only(run(t), "scsi-bus-sharing");
	}
	/* Only SCSI controllers share a bus. */
	set(&t->f->controllers[1].shared_bus, "physicalSharing");
	set(&t->f->controllers[0].shared_bus, "noSharing");
	assert_clean(run(t));
}

static void test_rules_passthrough_device(void **state)
{
	struct t *t = *state;
	struct vmsc_vm_result *vm;

	add_device(t->f, "VirtualUSB", "USB 1");
	assert_clean(run(t));
	add_device(t->f, "VirtualPCIPassthrough", "PCI device 0");
	add_device(t->f, "VirtualSriovEthernetCard", NULL);
	vm = run(t);
	assert_int_equal(vm->n_findings, 2);
	assert_string_equal(nth(vm, "passthrough-device", 0)->message,
			    "'PCI device 0' (VirtualPCIPassthrough) is a PCI passthrough device "
			    "(DirectPath I/O or vGPU): snapshots are not supported");
	assert_string_equal(nth(vm, "passthrough-device", 1)->message,
			    "VirtualSriovEthernetCard is an SR-IOV network adapter: snapshots are "
			    "not supported");
	assert_int_equal(nth(vm, "passthrough-device", 0)->severity, VMSC_SEV_ERROR);
}

static void test_rules_fault_tolerance(void **state)
{
	struct t *t = *state;
	const struct vmsc_finding *fi;

	set(&t->f->ft_state, "notConfigured");
	assert_clean(run(t));
	set(&t->f->ft_state, "");
	assert_clean(run(t));
	set(&t->f->ft_state, "running");
	fi = only(run(t), "fault-tolerance");
	assert_int_equal(fi->severity, VMSC_SEV_ERROR);
	assert_string_equal(fi->message,
			    "Fault Tolerance configured (runtime.faultToleranceState = running)");
	set(&t->f->ft_state, NULL);
	t->f->ft_configured = VMSC_TRI_TRUE;
	assert_string_equal(only(run(t), "fault-tolerance")->message,
			    "Fault Tolerance configured (config.ftInfo is set)");
}

/* --- snapshots ----------------------------------------------------------------- */

static void test_rules_snapshot_count(void **state)
{
	struct t *t = *state;
	const struct vmsc_finding *fi;

	set_snapshots(t->f, 3, 3, NOW - HOUR, "daily");
	assert_clean(run(t));
	set_snapshots(t->f, 4, 2, NOW - HOUR, "daily");
	fi = only(run(t), "snapshot-count");
	assert_int_equal(fi->severity, VMSC_SEV_WARNING);
	assert_string_equal(fi->message, "4 snapshots, more than max_snapshots = 3 (oldest "
			    "'daily')");
}

static void test_rules_snapshot_count_threshold(void **state)
{
	struct t *t = *state;

	load_config(t, "[thresholds]\nmax_snapshots = 5\n");
	set_snapshots(t->f, 5, 5, NOW - HOUR, "a");
	assert_clean(run(t));
	set_snapshots(t->f, 6, 6, NOW - HOUR, "a");
	assert_contains(only(run(t), "snapshot-count")->message, "more than max_snapshots = 5");
	/* 0: any snapshot is too many. */
	t->cfg.thresholds.max_snapshots = 0;
	set_snapshots(t->f, 1, 1, NOW - HOUR, NULL);
	assert_string_equal(only(run(t), "snapshot-count")->message,
			    "1 snapshots, more than max_snapshots = 0 (oldest unnamed)");
}

static void test_rules_snapshot_count_chain_depth(void **state)
{
	struct t *t = *state;
	const struct vmsc_finding *fi;

	load_config(t, "[thresholds]\nmax_snapshots = 100\n");
	set_snapshots(t->f, 30, 30, NOW - HOUR, "base");
	assert_clean(run(t));
	set_snapshots(t->f, 31, 31, NOW - HOUR, "base");
	fi = only(run(t), "snapshot-count");
	assert_int_equal(fi->severity, VMSC_SEV_ERROR);
	assert_string_equal(fi->message, "snapshot chain 31 deep (31 snapshots, oldest 'base'): "
			    "vSphere allows at most 32, the next snapshot may fail");
	assert_int_equal(t->vm->status, VMSC_STATUS_ERROR);
}

static void test_rules_snapshot_count_override_pins_escalation(void **state)
{
	struct t *t = *state;

	load_config(t, "[rule \"snapshot-count\"]\nseverity = warning\n");
	set_snapshots(t->f, 40, 32, NOW - HOUR, "base");
	assert_int_equal(only(run(t), "snapshot-count")->severity, VMSC_SEV_WARNING);
	assert_int_equal(t->vm->status, VMSC_STATUS_WARNING);
}

static void test_rules_snapshot_age(void **state)
{
	struct t *t = *state;
	const struct vmsc_finding *fi;

	/* Exactly at the limit is not older than it. */
	set_snapshots(t->f, 1, 1, NOW - 72 * HOUR, "before-upgrade");
	assert_clean(run(t));
	set_snapshots(t->f, 1, 1, NOW - 72 * HOUR - 1, "before-upgrade");
	fi = only(run(t), "snapshot-age");
	assert_int_equal(fi->severity, VMSC_SEV_WARNING);
	assert_string_equal(fi->message, "snapshot 'before-upgrade' is 3 days old (created "
			    "2024-05-07 11:59 UTC), more than max_snapshot_age_hours = 72");
	set_snapshots(t->f, 2, 2, NOW - 12 * 24 * HOUR, "old");
	assert_contains(only(run(t), "snapshot-age")->message, "'old' is 12 days old");
}

static void test_rules_snapshot_age_threshold(void **state)
{
	struct t *t = *state;

	load_config(t, "[thresholds]\nmax_snapshot_age_hours = 24\n");
	set_snapshots(t->f, 1, 1, NOW - 30 * HOUR, "s1");
	assert_string_equal(only(run(t), "snapshot-age")->message,
			    "snapshot 's1' is 30 hours old (created 2024-05-09 06:00 UTC), more "
			    "than max_snapshot_age_hours = 24");
	/* Server clock unknown: no age is computed. */
	t->now = 0;
	assert_clean(run(t));
	/* A snapshot from the future (clock skew) is not old. */
	t->now = NOW;
	set_snapshots(t->f, 1, 1, NOW + 10 * HOUR, "s1");
	assert_clean(run(t));
	/* No snapshots. */
	set_snapshots(t->f, 0, 0, 0, NULL);
	assert_clean(run(t));
}

static void test_rules_consolidation_needed(void **state)
{
	struct t *t = *state;
	const struct vmsc_finding *fi;

	t->f->consolidation_needed = VMSC_TRI_TRUE;
	fi = only(run(t), "consolidation-needed");
	assert_int_equal(fi->severity, VMSC_SEV_ERROR);
	assert_contains(fi->message, "runtime.consolidationNeeded = true");
	t->f->consolidation_needed = VMSC_TRI_UNSET;
	assert_clean(run(t));
}

/* --- [thresholds] snapshot_ignore ------------------------------------------------ */

#define VEEAM "VEEAM BACKUP TEMPORARY SNAPSHOT"

/* Appends a snapshot to the list and keeps the summary in step with it. */
static void add_snapshot(struct vmsc_vm_facts *f, const char *name, time_t created, int depth)
{
	struct vmsc_snapshot_summary *s = &f->snapshots;
	struct vmsc_snapshot *e;

	s->list = realloc(s->list, (s->n_list + 1) * sizeof(*e));
	assert_non_null(s->list);
	e = &s->list[s->n_list++];
	memset(e, 0, sizeof(*e));
	e->name = xdup(name);
	e->created = created;
	e->depth = depth;
	e->quiesced = VMSC_TRI_TRUE;
	s->count++;
	if (depth > s->max_depth)
		s->max_depth = depth;
	if (created > 0 && (!s->oldest_time || created < s->oldest_time)) {
		s->oldest_time = created;
		set(&s->oldest_name, name);
	}
	if (created >= s->newest_time) {
		s->newest_time = created;
		set(&s->newest_name, name);
	}
}

static void test_rules_snapshot_ignore_young(void **state)
{
	struct t *t = *state;

	add_snapshot(t->f, "daily-1", NOW - 30 * HOUR, 1);
	add_snapshot(t->f, "daily-2", NOW - 20 * HOUR, 2);
	add_snapshot(t->f, "daily-3", NOW - 10 * HOUR, 3);
	add_snapshot(t->f, VEEAM, NOW - 2 * HOUR, 4);
	/* without the ignore list the backup's snapshot is the fourth */
	assert_string_equal(only(run(t), "snapshot-count")->message,
			    "4 snapshots, more than max_snapshots = 3 (oldest 'daily-1')");
	load_config(t, "[thresholds]\nsnapshot_ignore = " VEEAM ", TSM-VM*\n");
	assert_clean(run(t));
	/* the other glob: TSM's snapshot, the VEEAM one counts */
	set(&t->f->snapshots.list[3].name, "TSM-VM-4711");
	assert_clean(run(t));
	/* just below the limit it is still ignored */
	t->f->snapshots.list[3].created = NOW - 24 * HOUR + 1;
	assert_clean(run(t));
}

static void test_rules_snapshot_ignore_old(void **state)
{
	struct t *t = *state;
	const struct vmsc_finding *fi;

	load_config(t, "[thresholds]\nsnapshot_ignore = VEEAM*\n");
	add_snapshot(t->f, VEEAM, NOW - 80 * HOUR, 1);
	/* left behind: it counts again, and the message says what it is */
	fi = only(run(t), "snapshot-age");
	assert_string_equal(fi->message, "snapshot '" VEEAM "' is 3 days old (created "
			    "2024-05-07 04:00 UTC), more than max_snapshot_age_hours = 72: a backup "
			    "snapshot left behind (older than snapshot_ignore_max_age_hours = 24)");
	add_snapshot(t->f, "daily-1", NOW - 3 * HOUR, 2);
	add_snapshot(t->f, "daily-2", NOW - 2 * HOUR, 3);
	add_snapshot(t->f, "daily-3", NOW - 1 * HOUR, 4);
	run(t);
	assert_string_equal(nth(t->vm, "snapshot-count", 0)->message,
			    "4 snapshots, more than max_snapshots = 3 (oldest '" VEEAM "'), "
			    "including '" VEEAM "', a backup snapshot left behind for 3 days");
	/* exactly at snapshot_ignore_max_age_hours it counts again */
	t->f->snapshots.list[0].created = NOW - 24 * HOUR;
	t->f->snapshots.oldest_time = NOW - 24 * HOUR;
	assert_contains(only(run(t), "snapshot-count")->message,
			"a backup snapshot left behind for 24 hours");
	/* a shorter ignore window */
	load_config(t, "[thresholds]\nsnapshot_ignore = VEEAM*\nsnapshot_ignore_max_age_hours = 48\n");
	assert_clean(run(t));
}

static void test_rules_snapshot_ignore_not_matching(void **state)
{
	struct t *t = *state;

	/* globs are case-sensitive and match the whole name */
	load_config(t, "[thresholds]\nsnapshot_ignore = " VEEAM "\n");
	add_snapshot(t->f, "veeam backup temporary snapshot", NOW - HOUR, 1);
	add_snapshot(t->f, VEEAM " 2", NOW - HOUR, 2);
	add_snapshot(t->f, "a", NOW - HOUR, 3);
	add_snapshot(t->f, "b", NOW - HOUR, 4);
	assert_contains(only(run(t), "snapshot-count")->message, "4 snapshots");
	/* a matching snapshot of unknown age is never ignored */
	set(&t->f->snapshots.list[0].name, VEEAM);
	t->f->snapshots.list[0].created = 0;
	assert_contains(only(run(t), "snapshot-count")->message,
			"including '" VEEAM "', a backup snapshot of unknown age");
	/* neither without a server clock */
	t->f->snapshots.list[0].created = NOW - HOUR;
	t->now = 0;
	assert_contains(only(run(t), "snapshot-count")->message, "4 snapshots");
}

static void test_rules_snapshot_ignore_oldest(void **state)
{
	struct t *t = *state;

	/* the ignored snapshot is the oldest: the age is the next one's */
	load_config(t, "[thresholds]\nsnapshot_ignore = " VEEAM "\nmax_snapshot_age_hours = 4\n");
	add_snapshot(t->f, VEEAM, NOW - 10 * HOUR, 1);
	add_snapshot(t->f, "manual", NOW - 5 * HOUR, 2);
	assert_contains(only(run(t), "snapshot-age")->message,
			"snapshot 'manual' is 5 hours old");
	t->f->snapshots.list[1].created = NOW - 3 * HOUR;
	assert_clean(run(t));
}

static void test_rules_snapshot_ignore_without_list(void **state)
{
	struct t *t = *state;

	/* facts files from before the list: nothing can be ignored */
	load_config(t, "[thresholds]\nsnapshot_ignore = " VEEAM "\n");
	set_snapshots(t->f, 4, 4, NOW - HOUR, VEEAM);
	assert_contains(only(run(t), "snapshot-count")->message, "4 snapshots");
	/* snapshots beyond the list's cap are counted */
	add_snapshot(t->f, VEEAM, NOW - HOUR, 1);
	t->f->snapshots.count = 5;
	assert_contains(only(run(t), "snapshot-count")->message, "4 snapshots");
	/* the chain limit counts every snapshot, ignored ones too */
	t->f->snapshots.max_depth = 31;
	assert_int_equal(only(run(t), "snapshot-count")->severity, VMSC_SEV_ERROR);
}

/* --- backup-age ------------------------------------------------------------------ */

static void set_custom(struct vmsc_vm_facts *f, const char *name, const char *value)
{
	struct vmsc_option *o;

	f->custom_values = realloc(f->custom_values, (f->n_custom_values + 1) * sizeof(*o));
	assert_non_null(f->custom_values);
	o = &f->custom_values[f->n_custom_values++];
	o->key = xdup(name);
	o->value = xdup(value);
}

#define BACKUP_ATTR "[backup]\nattribute = Last Backup\n"

static bool has_path(const char **paths, size_t n, const char *p); /* property paths, below */

static void expect_backup_ok(struct t *t, const char *value)
{
	set(&t->f->custom_values[0].value, value);
	run(t);
	if (t->vm->n_findings)
		fail_msg("'%s': %s", value, t->vm->findings[0].message);
}

static const char *backup_message(struct t *t, const char *value)
{
	set(&t->f->custom_values[0].value, value);
	return only(run(t), "backup-age")->message;
}

static void test_rules_backup_age_disabled(void **state)
{
	struct t *t = *state;
	const char **paths;
	size_t n;

	/* without [backup] the rule does not run, nor is customValue asked for */
	set_custom(t->f, "Last Backup", "2020-01-01T00:00:00Z");
	assert_clean(run(t));
	assert_false(vmsc_rule_enabled(&t->cfg, "backup-age"));
	paths = vmsc_rules_property_paths(&t->cfg, false, &n);
	assert_false(has_path(paths, n, "customValue"));
	assert_false(has_path(paths, n, "config.annotation"));
	free(paths);
	/* with it, only the property its config names */
	load_config(t, BACKUP_ATTR);
	paths = vmsc_rules_property_paths(&t->cfg, false, &n);
	assert_true(has_path(paths, n, "customValue"));
	assert_false(has_path(paths, n, "config.annotation"));
	free(paths);
	load_config(t, "[backup]\nnotes_regex = Last backup: (.*)\n");
	paths = vmsc_rules_property_paths(&t->cfg, false, &n);
	assert_false(has_path(paths, n, "customValue"));
	assert_true(has_path(paths, n, "config.annotation"));
	free(paths);
	/* and off again when [rule] says so */
	load_config(t, BACKUP_ATTR "[rule \"backup-age\"]\nenabled = false\n");
	assert_clean(run(t));
}

static void test_rules_backup_age_attribute(void **state)
{
	struct t *t = *state;
	const struct vmsc_finding *fi;

	load_config(t, BACKUP_ATTR);
	set_custom(t->f, "Owner", "ops");
	/* absent */
	fi = only(run(t), "backup-age");
	assert_int_equal(fi->severity, VMSC_SEV_WARNING);
	assert_int_equal(fi->cap, VMSC_LEVEL_UNSET);
	assert_string_equal(fi->message, "no backup recorded (custom attribute 'Last Backup' is "
			    "not set on this VM)");
	set_custom(t->f, "last backup", "2024-05-10T01:00:00Z"); /* names are case-sensitive */
	assert_contains(only(run(t), "backup-age")->message, "no backup recorded");
	set(&t->f->custom_values[1].key, "Last Backup");
	assert_clean(run(t));
	/* stale; exactly at the limit is not older */
	set(&t->f->custom_values[1].value, "2024-05-09T09:00:00Z");
	assert_string_equal(only(run(t), "backup-age")->message,
			    "last backup 27 hours ago (2024-05-09 09:00 UTC, from the custom "
			    "attribute 'Last Backup'), more than max_age_hours = 26");
	set(&t->f->custom_values[1].value, "2024-05-09T10:00:00Z");
	assert_clean(run(t));
	load_config(t, BACKUP_ATTR "max_age_hours = 200\n");
	set(&t->f->custom_values[1].value, "2024-05-01T00:00:00Z");
	assert_contains(only(run(t), "backup-age")->message, "last backup 9 days ago");
	/* an empty value is none; a time ahead of the server's is not old */
	set(&t->f->custom_values[1].value, " ");
	assert_contains(only(run(t), "backup-age")->message, "no backup recorded");
	set(&t->f->custom_values[1].value, "2024-06-01T00:00:00Z");
	assert_clean(run(t));
	/* no server clock: no age */
	set(&t->f->custom_values[1].value, "2020-06-01T00:00:00Z");
	t->now = 0;
	assert_clean(run(t));
}

static void test_rules_backup_age_iso8601(void **state)
{
	struct t *t = *state;

	load_config(t, BACKUP_ATTR);
	set_custom(t->f, "Last Backup", "");
	/* zones: 11:00+02:00 is 09:00Z (27 h), 11:00-02:00 is 13:00Z (23 h) */
	assert_contains(backup_message(t, "2024-05-09T11:00:00+02:00"), "27 hours ago");
	assert_contains(backup_message(t, "2024-05-09T11:00:00+0200"), "27 hours ago");
	assert_contains(backup_message(t, "2024-05-09T11:00+02"), "27 hours ago");
	expect_backup_ok(t, "2024-05-09T11:00:00-02:00");
	/* no zone: UTC */
	assert_contains(backup_message(t, "2024-05-09 09:30:00"), "26 hours ago");
	expect_backup_ok(t, "2024-05-09 10:30");
	expect_backup_ok(t, "2024-05-10T01:00:05.123456Z");
	expect_backup_ok(t, "2024-05-10t01:00:05z\n");
	/* a date alone is its midnight, UTC */
	assert_contains(backup_message(t, "2024-05-09"), "36 hours ago");
	/* not a time */
	assert_string_equal(backup_message(t, "yesterday"),
			    "backup time 'yesterday' in the custom attribute 'Last Backup' is not "
			    "an ISO 8601 time (set time_format)");
	assert_contains(backup_message(t, "2024-13-01T00:00:00Z"), "is not an ISO 8601 time");
	assert_contains(backup_message(t, "2024-05-10T01:00:00Z (job 7)"), "is not an ISO");
	assert_contains(backup_message(t, "10.05.2024 01:00"), "'10.05.2024 01:00'");
	/* quoted on one line */
	assert_contains(backup_message(t, "a\nb"), "'a b'");
}

static void test_rules_backup_age_time_format(void **state)
{
	struct t *t = *state;

	load_config(t, BACKUP_ATTR "time_format = %d.%m.%Y %H:%M\n");
	set_custom(t->f, "Last Backup", "");
	assert_contains(backup_message(t, "09.05.2024 09:00"),
			"last backup 27 hours ago (2024-05-09 09:00 UTC");
	expect_backup_ok(t, "09.05.2024 11:00");
	expect_backup_ok(t, "09.05.2024 11:00  ");
	assert_string_equal(backup_message(t, "2024-05-09T11:00:00Z"),
			    "backup time '2024-05-09T11:00:00Z' in the custom attribute 'Last "
			    "Backup' does not match time_format '%d.%m.%Y %H:%M'");
	/* %z gives the zone; 14:00 +0500 is 09:00Z */
	load_config(t, BACKUP_ATTR "time_format = %Y-%m-%d %H:%M %z\n");
	assert_contains(backup_message(t, "2024-05-09 14:00 +0500"), "27 hours ago");
	expect_backup_ok(t, "2024-05-09 14:00 +0000");
	/* US style with AM/PM */
	load_config(t, BACKUP_ATTR "time_format = %m/%d/%Y %I:%M:%S %p\n");
	assert_contains(backup_message(t, "5/9/2024 9:00:00 AM"), "27 hours ago");
	expect_backup_ok(t, "5/10/2024 1:00:05 AM");
}

static void test_rules_backup_age_notes(void **state)
{
	struct t *t = *state;
	const struct vmsc_finding *fi;

	load_config(t, "[backup]\nnotes_regex = Last backup: (.*)\n");
	fi = only(run(t), "backup-age");
	assert_string_equal(fi->message, "no backup recorded (the notes have no match for "
			    "notes_regex)");
	set(&t->f->annotation, "owner: ops\nLast backup: 2024-05-10T01:00:05Z\nmore notes");
	assert_clean(run(t));
	set(&t->f->annotation, "Last backup: 2024-05-07T01:00:05Z\r\n");
	assert_string_equal(only(run(t), "backup-age")->message,
			    "last backup 3 days ago (2024-05-07 01:00 UTC, from the notes), more "
			    "than max_age_hours = 26");
	set(&t->f->annotation, "Last backup: never");
	assert_string_equal(only(run(t), "backup-age")->message,
			    "backup time 'never' in the notes is not an ISO 8601 time (set "
			    "time_format)");
	set(&t->f->annotation, "no record here");
	assert_contains(only(run(t), "backup-age")->message, "no backup recorded");
	/* a custom attribute is not looked at with notes_regex */
	set_custom(t->f, "Last Backup", "2024-05-10T01:00:05Z");
	assert_contains(only(run(t), "backup-age")->message, "no backup recorded");
}

/* --- guest ----------------------------------------------------------------------- */

static void test_rules_guest_disk_space(void **state)
{
	struct t *t = *state;
	const struct vmsc_finding *fi;

	/* Exactly 10% free is not below 10%. */
	t->f->volumes[0].capacity = 100 * GIB;
	t->f->volumes[0].free_space = 10 * GIB;
	assert_clean(run(t));
	t->f->volumes[0].free_space = 10 * GIB - 1;
	fi = only(run(t), "guest-disk-space");
	assert_int_equal(fi->severity, VMSC_SEV_WARNING);
	/* 9.99999...% is shown truncated, never rounded up to the limit. */
	assert_string_equal(fi->message, "volume '/' has 9.9% free (9.9 GiB of 100.0 GiB), below "
			    "min_guest_free_percent = 10%");
	t->f->volumes[0].free_space = 512LL * 1024 * 1024;
	assert_string_equal(only(run(t), "guest-disk-space")->message,
			    "volume '/' has 0.5% free (512.0 MiB of 100.0 GiB), below "
			    "min_guest_free_percent = 10%");
}

static void test_rules_guest_disk_space_ignored_volumes(void **state)
{
	struct t *t = *state;

	add_volume(t->f, "/boot/efi", "vfat", 0, 0);
	add_volume(t->f, "D:\\", "UDF", 8 * GIB, 0);
	add_volume(t->f, "/snap/core/1", "SquashFS", GIB, 0);
	add_volume(t->f, "/mnt/iso", "ISO9660", GIB, 0);
	add_volume(t->f, "/unknown-free", "xfs", GIB, -1);
	assert_clean(run(t));
	/* An unreported filesystem type is still checked. */
	add_volume(t->f, "/data", NULL, 100 * GIB, GIB);
	assert_contains(only(run(t), "guest-disk-space")->message, "volume '/data' has 1.0% free");
}

static void test_rules_guest_disk_space_threshold(void **state)
{
	struct t *t = *state;
	struct vmsc_vm_result *vm;

	load_config(t, "[thresholds]\nmin_guest_free_percent = 60\n");
	add_volume(t->f, "/var", "xfs", 200 * GIB, 120 * GIB);
	vm = run(t);
	/* "/" has 50% free, "/var" exactly 60%. */
	assert_int_equal(count(vm, "guest-disk-space"), 1);
	assert_contains(nth(vm, "guest-disk-space", 0)->message, "volume '/' has 50.0% free");
	t->cfg.thresholds.min_guest_free_percent = 0;
	assert_clean(run(t));
}

/* --- datastores ------------------------------------------------------------------ */

static void add_datastore(struct vmsc_datastores *ds, const char *moid, const char *name,
			  long long capacity, long long free_space)
{
	struct vmsc_datastore d = { .moid = xdup(moid), .name = xdup(name), .capacity = capacity,
				    .free_space = free_space, .accessible = VMSC_TRI_TRUE };

	assert_int_equal(vmsc_datastores_add(ds, &d), 0);
}

static void test_rules_datastore_low_space(void **state)
{
	struct t *t = *state;
	struct vmsc_datastores *ds = vmsc_datastores_new();
	const struct vmsc_finding *fi;

	assert_non_null(ds);
	/* 40 GiB disk on ds1: 10% of 1000 GiB = 100 GiB, 20% of 40 GiB = 8 GiB */
	t->f->disks[0].datastore = xdup("datastore-1");
	add_datastore(ds, "datastore-1", "ds1", 1000 * GIB, 100 * GIB);
	/* not read (NULL table): nothing, whatever the facts */
	assert_clean(run(t));
	t->datastores = ds;
	/* exactly at the limit is not below it */
	assert_clean(run(t));
	add_datastore(ds, "datastore-1", "ds1", 1000 * GIB, 100 * GIB - 1);
	fi = only(run(t), "datastore-low-space");
	assert_int_equal(fi->severity, VMSC_SEV_WARNING);
	assert_string_equal(fi->message,
			    "datastore 'ds1' has 99.9 GB free (9.9% of 1000.0 GB); wanted: "
			    "datastore_min_free_percent = 10% free and a snapshot reserve of 8.0 GB "
			    "(snapshot_reserve_percent = 20% of the VM's 40.0 GB on it)");
	/* 15% free is enough, until the VM's snapshot reserve outgrows it */
	add_datastore(ds, "datastore-1", "ds1", 100 * GIB, 15 * GIB);
	assert_clean(run(t));
	add_disk(t->f, "Hard disk 2", 1000, "VirtualDiskFlatVer2BackingInfo", "persistent",
		 "[ds1] app-01/app-01_1.vmdk")->datastore = xdup("datastore-1");
	/* 80 GiB provisioned: 16 GiB wanted, one finding for both disks */
	assert_contains(only(run(t), "datastore-low-space")->message,
			"a snapshot reserve of 16.0 GB (snapshot_reserve_percent = 20% of the VM's "
			"80.0 GB on it)");
	t->datastores = NULL;
	vmsc_datastores_free(ds);
}

static void test_rules_datastore_low_space_not_judged(void **state)
{
	struct t *t = *state;
	struct vmsc_datastores *ds = vmsc_datastores_new();
	struct vmsc_vm_result *vm;

	assert_non_null(ds);
	t->datastores = ds;
	/* a disk without a datastore, one on a datastore not read, one whose
	 * datastore has no capacity or free space reported */
	add_datastore(ds, "datastore-9", "unknown-size", 0, 0);
	add_datastore(ds, "datastore-8", "no-free", 100 * GIB, -1);
	add_disk(t->f, "Hard disk 2", 1000, "VirtualDiskFlatVer2BackingInfo", "persistent",
		 "[x] a.vmdk")->datastore = xdup("datastore-404");
	add_disk(t->f, "Hard disk 3", 1000, "VirtualDiskFlatVer2BackingInfo", "persistent",
		 "[x] b.vmdk")->datastore = xdup("datastore-9");
	add_disk(t->f, "Hard disk 4", 1000, "VirtualDiskFlatVer2BackingInfo", "persistent",
		 "[x] c.vmdk")->datastore = xdup("datastore-8");
	assert_clean(run(t));
	/* two full datastores: one finding each; thresholds from [thresholds] */
	add_datastore(ds, "datastore-1", "ds1", 100 * GIB, GIB);
	add_datastore(ds, "datastore-2", "ds2", 100 * GIB, 30 * GIB);
	t->f->disks[0].datastore = xdup("datastore-1");
	free(t->f->disks[1].datastore);
	t->f->disks[1].datastore = xdup("datastore-2");
	vm = run(t);
	assert_int_equal(count(vm, "datastore-low-space"), 1);
	load_config(t, "[thresholds]\ndatastore_min_free_percent = 40\n"
		    "snapshot_reserve_percent = 0\n");
	vm = run(t);
	assert_int_equal(count(vm, "datastore-low-space"), 2);
	assert_contains(nth(vm, "datastore-low-space", 1)->message, "datastore 'ds2' has 30.0 GB");
	t->datastores = NULL;
	vmsc_datastores_free(ds);
}

static void test_rules_vm_inaccessible(void **state)
{
	static const char *const bad[] = { "disconnected", "orphaned", "inaccessible", "invalid" };
	struct t *t = *state;
	const struct vmsc_finding *fi;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		set(&t->f->connection_state, bad[i]);
		fi = only(run(t), "vm-inaccessible");
		assert_int_equal(fi->severity, VMSC_SEV_ERROR);
		assert_contains(fi->message, bad[i]);
	}
	assert_string_equal(fi->message,
			    "VM is invalid (runtime.connectionState = invalid): it cannot be "
			    "backed up");
	set(&t->f->connection_state, "someNewState");
	assert_clean(run(t));
	set(&t->f->connection_state, NULL);
	assert_clean(run(t));
}

static void test_rules_vm_inaccessible_powered_off(void **state)
{
	struct t *t = *state;
	struct vmsc_vm_result *vm;

	/* Not skipped although powered off; only rules that need no guest run. */
	set(&t->f->connection_state, "orphaned");
	set(&t->f->power_state, "poweredOff");
	set(&t->f->tools_version_status, "guestToolsNotInstalled");
	set_snapshots(t->f, 5, 5, NOW - HOUR, "x");
	vm = run(t);
	assert_int_not_equal(vm->status, VMSC_STATUS_SKIPPED);
	assert_int_equal(count(vm, "vm-inaccessible"), 1);
	assert_int_equal(count(vm, "snapshot-count"), 1);
	assert_int_equal(count(vm, "tools-not-installed"), 0);
	assert_int_equal(vm->n_findings, 2);
	assert_int_equal(vm->status, VMSC_STATUS_ERROR);
	/* Even a powered-on disconnected VM's guest facts are stale. */
	set(&t->f->power_state, "poweredOn");
	assert_int_equal(count(run(t), "tools-not-installed"), 0);
}

/* --- catalogue, second part (vmconfig.c) ------------------------------------- */

static void test_rules_quiesce_nvme_sata_disk(void **state)
{
	struct t *t = *state;
	struct vmsc_vm_result *vm;

	add_controller(t->f, 31000, 0, "VirtualNVMEController", NULL, "NVME controller 0");
	add_controller(t->f, 15000, 0, "VirtualAHCIController", NULL, "SATA controller 0");
	add_disk(t->f, "Hard disk 2", 31000, "VirtualDiskFlatVer2BackingInfo", "persistent",
		 "[ds1] app-01/app-01_1.vmdk");
	add_disk(t->f, "Hard disk 3", 15000, "VirtualDiskFlatVer2BackingInfo", "persistent",
		 "[ds1] app-01/app-01_2.vmdk");
	/* Linux: file-system quiescing works on any controller. */
	assert_clean(run(t));

	make_windows(t->f);
	vm = run(t);
	assert_int_equal(count(vm, "quiesce-nvme-sata-disk"), 2);
	assert_int_equal(vm->n_findings, 2);
	assert_int_equal(nth(vm, "quiesce-nvme-sata-disk", 0)->cap, VMSC_LEVEL_FILESYSTEM);
	assert_string_equal(nth(vm, "quiesce-nvme-sata-disk", 0)->message,
			    "disk 'Hard disk 2' ([ds1] app-01/app-01_1.vmdk) is on NVMe controller "
			    "'NVME controller 0' (VirtualNVMEController, bus 0): no "
			    "application-consistent quiescing");
	assert_contains(nth(vm, "quiesce-nvme-sata-disk", 1)->message,
			"is on SATA controller 'SATA controller 0' (VirtualAHCIController, bus 0)");

	/* Windows Server 2022 from 20348.2582 quiesces NVMe disks, not SATA ones. */
	set(&t->f->guest_detailed_data, "architecture='X86' bitness='64' buildNumber='20348' "
	    "distroName='Windows' familyName='Windows' kernelVersion='20348.2582' "
	    "prettyName='Windows Server 2022, 64-bit (Build 20348.2582)'");
	assert_contains(only(run(t), "quiesce-nvme-sata-disk")->message, "SATA controller");
	set(&t->f->guest_detailed_data, "buildNumber='20348' kernelVersion='20348.2581' "
	    "prettyName='Windows Server 2022, 64-bit (Build 20348.2581)'");
	assert_int_equal(count(run(t), "quiesce-nvme-sata-disk"), 2);
	/* 2025 from 26100.7171; the revision may come from prettyName alone */
	set(&t->f->guest_detailed_data, "buildNumber='26100' "
	    "prettyName='Windows Server 2025, 64-bit (Build 26100.7171)'");
	assert_int_equal(count(run(t), "quiesce-nvme-sata-disk"), 1);
	set(&t->f->guest_detailed_data, "buildNumber='26100' kernelVersion='26100.7170' "
	    "prettyName='Windows Server 2025, 64-bit (Build 26100.7170)'");
	assert_int_equal(count(run(t), "quiesce-nvme-sata-disk"), 2);
	/* build 26100 is Windows 11 24H2 too: not a server, not exempt */
	set(&t->f->guest_detailed_data, "buildNumber='26100' kernelVersion='26100.8000' "
	    "prettyName='Windows 11 Enterprise, 64-bit (Build 26100.8000)'");
	assert_int_equal(count(run(t), "quiesce-nvme-sata-disk"), 2);
	/* no revision: not exempt */
	set(&t->f->guest_detailed_data, "buildNumber='20348' prettyName='Windows Server 2022'");
	assert_int_equal(count(run(t), "quiesce-nvme-sata-disk"), 2);
	set(&t->f->guest_detailed_data, "garbage");
	assert_int_equal(count(run(t), "quiesce-nvme-sata-disk"), 2);
}

static void test_rules_scsi_slots_short(void **state)
{
	struct t *t = *state;
	struct vmsc_controller *c = &t->f->controllers[0];
	const struct vmsc_finding *fi;

	set(&c->type, "VirtualLsiLogicSASController");
	for (int i = 2; i <= 8; i++)
		add_disk(t->f, "Hard disk n", 1000, "VirtualDiskFlatVer2BackingInfo", "persistent",
			 "[ds1] app-01/app-01_n.vmdk");
	c = &t->f->controllers[0];
	c->used_units = 8;
	/* Linux: not a VSS matter. */
	assert_clean(run(t));

	make_windows(t->f);
	fi = only(run(t), "scsi-slots-short");
	assert_int_equal(fi->severity, VMSC_SEV_WARNING);
	assert_int_equal(fi->cap, VMSC_LEVEL_FILESYSTEM);
	assert_string_equal(fi->message, "8 disks but 7 free units on 1 SCSI controller: "
			    "application-consistent quiescing needs a free SCSI unit per disk");

	/* 15 units (0-15 without 7): 7 used leave 8 free, enough. */
	c->used_units = 7;
	assert_clean(run(t));
	/* Other devices on the controller count too. */
	c->used_units = 9;
	assert_contains(only(run(t), "scsi-slots-short")->message, "6 free units");
	/* Unknown used units: its disks are counted (8 of 15). */
	c->used_units = -1;
	assert_contains(only(run(t), "scsi-slots-short")->message, "7 free units");

	/* ParaVirtual: 63 units from hardware version 14, 15 before. */
	set(&c->type, "ParaVirtualSCSIController");
	c->used_units = 8;
	assert_clean(run(t));
	set(&t->f->hardware_version, "vmx-14");
	assert_clean(run(t));
	set(&t->f->hardware_version, "vmx-13");
	only(run(t), "scsi-slots-short");

	/* A second controller's free units add up. */
	add_controller(t->f, 1001, 1, "VirtualLsiLogicController", "noSharing", "SCSI controller 1");
	assert_clean(run(t));

	/* No SCSI controller at all: the IDE/NVMe/SATA rules speak for the disks. */
	t->f->controllers[0].kind = VMSC_CONTROLLER_SATA;
	t->f->controllers[2].kind = VMSC_CONTROLLER_OTHER;
	assert_int_equal(count(run(t), "scsi-slots-short"), 0);
	t->f->controllers[0].kind = VMSC_CONTROLLER_SCSI;
	t->f->controllers[2].kind = VMSC_CONTROLLER_SCSI;

	/* Device facts unknown: nothing to say. */
	t->f->hardware_read = VMSC_TRI_UNSET;
	t->f->controllers[2].used_units = 15;
	assert_clean(run(t));
	t->f->hardware_read = VMSC_TRI_TRUE;
	assert_contains(only(run(t), "scsi-slots-short")->message,
			"7 free units on 2 SCSI controllers");
}

static void test_rules_encrypted_vm(void **state)
{
	struct t *t = *state;
	struct vmsc_vm_result *vm;

	t->f->encrypted = VMSC_TRI_TRUE;
	set(&t->f->disks[0].key_id, "6ff2c3b0-1b5e-4a57-9d8f-0b0b2a4d7f1e");
	add_device(t->f, "VirtualTPM", "Virtual TPM");
	/* Linux: file-system quiescing is all it gets anyway. */
	assert_clean(run(t));

	make_windows(t->f);
	vm = run(t);
	assert_int_equal(vm->n_findings, 3);
	assert_int_equal(nth(vm, "encrypted-vm", 0)->cap, VMSC_LEVEL_FILESYSTEM);
	assert_string_equal(nth(vm, "encrypted-vm", 0)->message, "the VM is encrypted (config.keyId "
			    "is set): no application-consistent quiescing");
	assert_string_equal(nth(vm, "encrypted-vm", 1)->message, "disk 'Hard disk 1' ([ds1] "
			    "app-01/app-01.vmdk) is encrypted: no application-consistent quiescing");
	assert_string_equal(nth(vm, "encrypted-vm", 2)->message, "virtual TPM 'Virtual TPM' "
			    "(VirtualTPM) makes the VM an encrypted one: no application-consistent "
			    "quiescing");

	t->f->encrypted = VMSC_TRI_UNSET;
	set(&t->f->disks[0].key_id, NULL);
	only(run(t), "encrypted-vm");
	set(&t->f->devices[0].type, "VirtualPCIPassthroughDummy");
	assert_clean(run(t));
}

static void test_rules_too_many_volumes(void **state)
{
	struct t *t = *state;
	const struct vmsc_finding *fi;
	char path[32];

	make_windows(t->f);
	/* two volumes already (C:\ and a CD); 64 in all is the VSS limit */
	for (int i = 0; i < 62; i++) {
		snprintf(path, sizeof(path), "E:\\mnt\\v%d\\", i);
		add_volume(t->f, path, "NTFS", 10 * GIB, 5 * GIB);
	}
	assert_clean(run(t));
	add_volume(t->f, "F:\\", "NTFS", 10 * GIB, 5 * GIB);
	fi = only(run(t), "too-many-volumes");
	assert_int_equal(fi->severity, VMSC_SEV_WARNING);
	assert_int_equal(fi->cap, VMSC_LEVEL_CRASH);
	assert_string_equal(fi->message, "the guest reports 65 volumes: a VSS snapshot set holds "
			    "at most 64");
	/* Linux has no VSS */
	set(&t->f->guest_id, "rhel8_64Guest");
	set(&t->f->guest_family, "linuxGuest");
	assert_clean(run(t));
}

static void test_rules_vm_question_pending(void **state)
{
	struct t *t = *state;
	const struct vmsc_finding *fi;
	char long_q[400];

	set(&t->f->question_text, "");
	assert_clean(run(t));
	set(&t->f->question_text, "msg.hbacommon.outofspace:There is no more space for virtual "
	    "disk 'app-01-000001.vmdk'.\n  You might be able to continue\tthis session by "
	    "freeing disk space.\r\n");
	fi = only(run(t), "vm-question-pending");
	assert_int_equal(fi->severity, VMSC_SEV_ERROR);
	assert_int_equal(fi->cap, VMSC_LEVEL_NONE);
	assert_string_equal(fi->message, "the VM waits for an answer to a question: "
			    "\"msg.hbacommon.outofspace:There is no more space for virtual disk "
			    "'app-01-000001.vmdk'. You might be able to continue this session by "
			    "freeing disk space.\"");

	/* bounded, never cut inside a UTF-8 sequence */
	memset(long_q, 'a', 199);
	strcpy(long_q + 199, "\xc3\xa9 and more");
	set(&t->f->question_text, long_q);
	fi = only(run(t), "vm-question-pending");
	assert_int_equal(strlen(fi->message), strlen("the VM waits for an answer to a question: "
						     "\"\"") + 199 + 3);
	assert_contains(fi->message, "aaa...\"");
}

static void test_rules_nvdimm_no_snapshot_mode(void **state)
{
	struct t *t = *state;
	const struct vmsc_finding *fi;

	add_device(t->f, "VirtualNVDIMM", "NVDIMM 1");
	fi = only(run(t), "nvdimm-no-snapshot-mode");
	assert_int_equal(fi->severity, VMSC_SEV_ERROR);
	assert_int_equal(fi->cap, VMSC_LEVEL_NONE);
	assert_string_equal(fi->message, "NVDIMM 'NVDIMM 1' (VirtualNVDIMM) and no "
			    "config.pmem.snapshotMode: snapshots of the VM fail");
	set(&t->f->pmem_snapshot_mode, "independent_eraseonrevert");
	assert_clean(run(t));

	/* a server too old to be asked: unknown, no finding */
	set(&t->f->pmem_snapshot_mode, NULL);
	t->f->not_requested = calloc(1, sizeof(char *));
	assert_non_null(t->f->not_requested);
	t->f->not_requested[0] = xdup("config.pmem");
	t->f->n_not_requested = 1;
	assert_clean(run(t));
}

static void test_rules_unmanaged_delta_disk(void **state)
{
	struct t *t = *state;
	const struct vmsc_finding *fi;

	set(&t->f->disks[0].file_name, "[ds1] app-01/app-01-000001.vmdk");
	set(&t->f->disks[0].parent_file_name, "[ds1] app-01/app-01.vmdk");
	fi = only(run(t), "unmanaged-delta-disk");
	assert_int_equal(fi->severity, VMSC_SEV_ERROR);
	assert_int_equal(fi->cap, VMSC_LEVEL_UNSET);
	assert_string_equal(fi->message, "disk 'Hard disk 1' ([ds1] app-01/app-01-000001.vmdk) is "
			    "a delta disk of [ds1] app-01/app-01.vmdk but the VM has no snapshots: "
			    "vCenter does not show this chain");
	/* with a snapshot the delta is vCenter's own */
	set_snapshots(t->f, 1, 1, NOW - HOUR, "before-patch");
	assert_clean(run(t));
}

static void test_rules_cbt_disabled(void **state)
{
	struct t *t = *state;
	const struct vmsc_finding *fi;

	t->f->cbt_enabled = VMSC_TRI_FALSE;
	/* off by default */
	assert_clean(run(t));
	load_config(t, "[rule \"cbt-disabled\"]\nenabled = true\n");
	fi = only(run(t), "cbt-disabled");
	assert_int_equal(fi->severity, VMSC_SEV_WARNING);
	assert_int_equal(fi->cap, VMSC_LEVEL_UNSET);
	assert_string_equal(fi->message, "changed block tracking is off "
			    "(config.changeTrackingEnabled false): incremental backups read whole "
			    "disks");
	t->f->cbt_enabled = VMSC_TRI_UNSET;
	assert_clean(run(t));
	t->f->cbt_enabled = VMSC_TRI_TRUE;
	assert_clean(run(t));
}

/* Properties newer than the server's API are left out (design.md). */
static void test_rules_property_since(void **state)
{
	(void)state;
	assert_string_equal(vmsc_property_since("config.pmem"), "7.0.3.0");
	assert_string_equal(vmsc_property_since("config.pmem.snapshotMode"), "7.0.3.0");
	assert_string_equal(vmsc_property_since("guest.guestDetailedData"), "8.0.2.0");
	assert_null(vmsc_property_since("config.pmemx"));
	assert_null(vmsc_property_since("guest.disk"));
	assert_true(vmsc_api_older("6.5", "7.0.3.0"));
	assert_true(vmsc_api_older("7.0.2.0", "7.0.3.0"));
	assert_true(vmsc_api_older("8.0", "8.0.2.0"));
	assert_false(vmsc_api_older("7.0.3.0", "7.0.3.0"));
	assert_false(vmsc_api_older("7.0.3", "7.0.3.0"));
	assert_false(vmsc_api_older("8.0.3.0", "8.0.2.0"));
	assert_false(vmsc_api_older("9.0.0.0", "8.0.2.0"));
	assert_false(vmsc_api_older(NULL, "8.0.2.0"));
	assert_false(vmsc_api_older("bogus", "8.0.2.0"));
	assert_false(vmsc_api_older("6.5", NULL));
}

/* --- skipped / unknown ------------------------------------------------------- */

static void test_rules_skip_template(void **state)
{
	struct t *t = *state;
	struct vmsc_vm_result *vm;

	t->f->template_vm = VMSC_TRI_TRUE;
	set(&t->f->power_state, "poweredOff");
	set(&t->f->tools_version_status, "guestToolsNotInstalled");
	t->include_powered_off = true;
	vm = run(t);
	assert_int_equal(vm->status, VMSC_STATUS_SKIPPED);
	assert_string_equal(vm->reason, "template");
	assert_int_equal(vm->n_findings, 0);
	assert_string_equal(vm->power_state, "poweredOff");
}

static void test_rules_skip_powered_off(void **state)
{
	struct t *t = *state;
	struct vmsc_vm_result *vm;

	set(&t->f->power_state, "poweredOff");
	t->f->consolidation_needed = VMSC_TRI_TRUE;
	vm = run(t);
	assert_int_equal(vm->status, VMSC_STATUS_SKIPPED);
	assert_string_equal(vm->reason, "powered off");
	assert_int_equal(vm->n_findings, 0);
	set(&t->f->power_state, "suspended");
	vm = run(t);
	assert_int_equal(vm->status, VMSC_STATUS_SKIPPED);
	assert_string_equal(vm->reason, "suspended");
}

static void test_rules_include_powered_off(void **state)
{
	struct t *t = *state;
	struct vmsc_vm_result *vm;

	t->include_powered_off = true;
	set(&t->f->power_state, "poweredOff");
	/* Guest facts of a powered-off VM are stale or absent: not judged. */
	set(&t->f->tools_version_status, "guestToolsNotInstalled");
	set(&t->f->tools_running_status, "guestToolsNotRunning");
	t->f->tools_installer_mounted = VMSC_TRI_TRUE;
	t->f->volumes[0].free_space = 0;
	set_snapshots(t->f, 4, 4, NOW - 100 * HOUR, "old");
	set(&t->f->disks[0].disk_mode, "independent_persistent");
	vm = run(t);
	assert_null(vm->reason);
	assert_int_equal(count(vm, "snapshot-count"), 1);
	assert_int_equal(count(vm, "snapshot-age"), 1);
	assert_int_equal(count(vm, "independent-disk"), 1);
	assert_int_equal(vm->n_findings, 3);
	assert_int_equal(vm->status, VMSC_STATUS_ERROR);

	set(&t->f->power_state, "suspended");
	assert_int_equal(run(t)->n_findings, 3);
}

static void test_rules_unknown_unreadable(void **state)
{
	struct t *t = *state;
	struct vmsc_vm_result *vm;

	add_unreadable(t->f, "snapshot", "NoPermission", NULL);
	add_unreadable(t->f, "config.hardware.device", "NoPermission", NULL);
	set(&t->f->tools_version_status, "guestToolsSupportedOld");
	/* Absent because unreadable: must not read as "no snapshots" = fine. */
	vm = run(t);
	assert_int_equal(vm->status, VMSC_STATUS_UNKNOWN);
	assert_string_equal(vm->reason, "cannot read snapshot, config.hardware.device: "
			    "NoPermission");
	/* What could be read is still reported. */
	assert_int_equal(count(vm, "tools-outdated"), 1);
	assert_int_equal(vm->n_findings, 1);
}

static void test_rules_unknown_several_faults(void **state)
{
	struct t *t = *state;
	struct vmsc_vm_result *vm;

	add_unreadable(t->f, "guest.disk", "InvalidProperty", NULL);
	add_unreadable(t->f, "snapshot", "NoPermission", "System.Read");
	add_unreadable(t->f, "runtime.consolidationNeeded", NULL, NULL);
	add_unreadable(t->f, "disabledMethod", "NoPermission", "System.Read");
	vm = run(t);
	assert_int_equal(vm->status, VMSC_STATUS_UNKNOWN);
	assert_string_equal(vm->reason, "cannot read guest.disk: InvalidProperty; snapshot, "
			    "disabledMethod: NoPermission (System.Read); "
			    "runtime.consolidationNeeded: unknown fault");
}

static void test_rules_unknown_decisive_property(void **state)
{
	struct t *t = *state;
	struct vmsc_vm_result *vm;

	add_unreadable(t->f, "guest.disk", "NoPermission", NULL);
	add_unreadable(t->f, "runtime.powerState", "NoPermission", NULL);
	set(&t->f->tools_version_status, "guestToolsNotInstalled");
	vm = run(t);
	assert_int_equal(vm->status, VMSC_STATUS_UNKNOWN);
	assert_string_equal(vm->reason, "cannot read guest.disk, runtime.powerState: NoPermission");
	assert_int_equal(vm->n_findings, 0);
}

static void test_rules_unknown_parent_path(void **state)
{
	struct t *t = *state;
	struct vmsc_vm_result *vm;

	/* "config" as a whole covers every config.* path. */
	add_unreadable(t->f, "config", "NoPermission", NULL);
	set(&t->f->disks[0].disk_mode, "independent_persistent");
	vm = run(t);
	assert_int_equal(vm->status, VMSC_STATUS_UNKNOWN);
	assert_string_equal(vm->reason, "cannot read config: NoPermission");
	assert_int_equal(count(vm, "independent-disk"), 0);
}

static void test_rules_unreadable_but_not_needed(void **state)
{
	struct t *t = *state;
	struct vmsc_vm_result *vm;

	/* The only rules reading guest.disk are off: nothing is unknown. */
	load_config(t, "[rule \"guest-disk-space\"]\nenabled = false\n"
		       "[rule \"too-many-volumes\"]\nenabled = false\n");
	add_unreadable(t->f, "guest.disk", "NoPermission", NULL);
	vm = run(t);
	assert_clean(vm);
	assert_null(vm->reason);

	/* Skipped VMs are not evaluated, so what they lack does not matter. */
	add_unreadable(t->f, "snapshot", "NoPermission", NULL);
	set(&t->f->power_state, "poweredOff");
	vm = run(t);
	assert_int_equal(vm->status, VMSC_STATUS_SKIPPED);
	assert_string_equal(vm->reason, "powered off");
}

static void test_rules_unreadable_guest_powered_off(void **state)
{
	struct t *t = *state;

	/* A powered-off VM's guest.* is not judged, so it need not be readable. */
	add_unreadable(t->f, "guest.disk", "NoPermission", NULL);
	add_unreadable(t->f, "guest.toolsVersionStatus2", "NoPermission", NULL);
	set(&t->f->power_state, "poweredOff");
	t->include_powered_off = true;
	assert_clean(run(t));
	/* Powered on, the same gaps make it unknown. */
	set(&t->f->power_state, "poweredOn");
	assert_int_equal(run(t)->status, VMSC_STATUS_UNKNOWN);
	assert_string_equal(t->vm->reason,
			    "cannot read guest.disk, guest.toolsVersionStatus2: NoPermission");
}

/* --- configuration ------------------------------------------------------------ */

static void test_rules_severity_override(void **state)
{
	struct t *t = *state;
	const struct vmsc_finding *fi;

	load_config(t, "[rule \"guest-disk-space\"]\nseverity = error\n"
		       "[rule \"independent-disk\"]\nseverity = warning\n");
	t->f->volumes[0].free_space = 0;
	set(&t->f->disks[0].disk_mode, "independent_persistent");
	run(t);
	fi = nth(t->vm, "guest-disk-space", 0);
	assert_int_equal(fi->severity, VMSC_SEV_ERROR);
	fi = nth(t->vm, "independent-disk", 0);
	assert_int_equal(fi->severity, VMSC_SEV_WARNING);
	assert_int_equal(t->vm->status, VMSC_STATUS_ERROR);
}

static void test_rules_disabled_rule(void **state)
{
	struct t *t = *state;

	load_config(t, "[rule \"consolidation-needed\"]\nenabled = false\n");
	t->f->consolidation_needed = VMSC_TRI_TRUE;
	assert_clean(run(t));
}

static void test_rules_null_config(void **state)
{
	struct t *t = *state;
	struct vmsc_vm_result *vm;
	size_t vc = vmsc_result_add_vcenter(t->r, "u", "vc01.example.com");

	set_snapshots(t->f, 4, 4, NOW - 73 * HOUR, "s");
	vm = vmsc_result_add_vm(t->r, vc, t->f->name, t->f->moid);
	assert_int_equal(vmsc_rules_evaluate(&(struct vmsc_eval){ .now = NOW }, t->f, vm), 0);
	assert_int_equal(count(vm, "snapshot-count"), 1);
	assert_int_equal(count(vm, "snapshot-age"), 1);
}

static void test_rules_waivers(void **state)
{
	struct t *t = *state;
	struct vmsc_vm_result *vm;
	const struct vmsc_finding *fi;

	load_config(t, "[waiver \"legacy\"]\nvm = app-*\nrule = independent-disk\n"
		       "reason = CHG-1\nexpires = 2099-12-31\n"
		       "[waiver \"old\"]\nvm = *\nrule = guest-disk-space\nreason = CHG-2\n"
		       "expires = 2024-05-01\n");
	set(&t->f->disks[0].disk_mode, "independent_persistent");
	vm = run(t);
	fi = only(vm, "independent-disk");
	assert_true(fi->waived);
	assert_string_equal(fi->waiver->name, "legacy");
	assert_false(fi->waiver->expired);
	assert_int_equal(vm->status, VMSC_STATUS_OK);
	assert_int_equal(t->matches[0], 1);

	t->f->volumes[0].free_space = 0;
	vm = run(t);
	fi = nth(vm, "guest-disk-space", 0);
	assert_false(fi->waived);
	assert_non_null(fi->waiver);
	assert_true(fi->waiver->expired);
	assert_string_equal(fi->waiver->expires, "2024-05-01");
	assert_int_equal(vm->status, VMSC_STATUS_WARNING);
}

static void test_rules_report_external(void **state)
{
	struct t *t = *state;
	struct vmsc_vm_result *vm;
	const struct vmsc_finding *fi;

	struct vmsc_eval ev = eval_of(t);

	vm = run(t);
	assert_int_equal(vmsc_rules_report_external(&ev, "recent-snapshot-failure",
						    VMSC_SEV_ERROR, "vc01.example.com", vm,
						    "snapshot '%s' failed", "nightly"), 0);
	fi = only(vm, "recent-snapshot-failure");
	assert_int_equal(fi->severity, VMSC_SEV_ERROR);
	assert_string_equal(fi->message, "snapshot 'nightly' failed");
	assert_string_equal(fi->remedy, vmsc_rule_find("recent-snapshot-failure")->remedy);
	assert_int_equal(vm->status, VMSC_STATUS_ERROR);
	assert_int_equal(vmsc_rules_report_external(&ev, "no-such-rule", VMSC_SEV_ERROR, NULL, vm,
						    "x"), -1);
}

static void test_rules_report_external_config(void **state)
{
	struct t *t = *state;
	struct vmsc_vm_result *vm;

	load_config(t, "[rule \"probe-failed\"]\nenabled = false\n"
		       "[rule \"recent-snapshot-failure\"]\nseverity = warning\n"
		       "[waiver \"w\"]\nvm = app-01\nrule = *\nreason = known\n"
		       "expires = 2099-01-01\nvcenter = VC01.example.com\n");
	struct vmsc_eval ev;

	vm = run(t);
	ev = eval_of(t);
	assert_int_equal(vmsc_rules_report_external(&ev, "probe-failed", VMSC_SEV_ERROR,
						    "vc01.example.com", vm, "fault"), 0);
	assert_int_equal(vm->n_findings, 0);
	assert_int_equal(vmsc_rules_report_external(&ev, "recent-snapshot-failure",
						    VMSC_SEV_ERROR, "vc01.example.com", vm,
						    "failed"), 0);
	assert_int_equal(t->matches[0], 1);
	assert_int_equal(only(vm, "recent-snapshot-failure")->severity, VMSC_SEV_WARNING);
	assert_true(vm->findings[0].waived);
	assert_int_equal(vm->status, VMSC_STATUS_OK);
}

/* --- guest operations (--guest) ------------------------------------------- */

/* Runs the VM rules, then the guest rules on `g`. */
static struct vmsc_vm_result *run_guest(struct t *t, const struct vmsc_guest_facts *g)
{
	struct vmsc_vm_result *vm = run(t);
	struct vmsc_eval ev = eval_of(t);

	assert_int_equal(vmsc_rules_evaluate_guest(&ev, "vc01.example.com", g, vm), 0);
	return vm;
}

/* A Windows guest where everything was read and is fine. */
static void healthy_guest(struct vmsc_guest_facts *g)
{
	vmsc_guest_facts_init(g);
	g->windows = true;
	g->start[VMSC_GUEST_SVC_VSS] = 3;
	g->start[VMSC_GUEST_SVC_SWPRV] = 3;
	g->start[VMSC_GUEST_SVC_EVENTSYSTEM] = 2;
	g->start[VMSC_GUEST_SVC_VMVSS] = 3;
	g->providers_read = true;
	assert_int_equal(vmsc_guest_add_provider(g, "{b5946137-7b9f-4925-af80-51abd60b20d5}",
						 "Microsoft Software Shadow Copy provider 1.0"), 0);
	vmsc_guest_parse_tools_conf(NULL, g);
	g->elevated = VMSC_TRI_TRUE;
	assert_int_equal(vmsc_guest_parse_writers("Writer name: 'System Writer'\n   Id: {1}\n"
						  "   Inst: {2}\n   State: [1] Stable\n"
						  "   Last error: No error\n", g), 0);
	g->events_read = true;
	g->history_days = 7;
}

static void test_rules_guest_healthy(void **state)
{
	struct t *t = *state;
	struct vmsc_guest_facts g;

	make_windows(t->f);
	healthy_guest(&g);
	assert_clean(run_guest(t, &g));
	assert_int_equal(t->vm->consistency.expected, VMSC_LEVEL_APPLICATION);
	/* nothing read: nothing judged */
	vmsc_guest_facts_release(&g);
	assert_clean(run_guest(t, &g));
}

static void test_rules_vss_writer_failed(void **state)
{
	struct t *t = *state;
	struct vmsc_guest_facts g;
	const struct vmsc_finding *fi;

	make_windows(t->f);
	healthy_guest(&g);
	assert_int_equal(vmsc_guest_parse_writers(
				 "Writer name: 'SqlServerWriter'\n   Id: {1}\n   Inst: {2}\n"
				 "   State: [8] Failed\n   Last error: Retryable error\n", &g), 0);
	fi = only(run_guest(t, &g), "vss-writer-failed");
	assert_int_equal(fi->severity, VMSC_SEV_ERROR);
	assert_string_equal(fi->message, "VSS writer 'SqlServerWriter' failed: state [8] Failed, "
					 "last error: Retryable error");
	assert_int_equal(fi->cap, VMSC_LEVEL_CRASH);
	assert_int_equal(t->vm->consistency.expected, VMSC_LEVEL_CRASH);
	assert_string_equal(t->vm->consistency.limited_by[0], "vss-writer-failed");
	assert_int_equal(t->vm->status, VMSC_STATUS_ERROR);
	vmsc_guest_facts_release(&g);
}

static void test_rules_vss_service_disabled(void **state)
{
	struct t *t = *state;
	struct vmsc_guest_facts g;

	make_windows(t->f);
	healthy_guest(&g);
	g.start[VMSC_GUEST_SVC_SWPRV] = 4;
	g.start[VMSC_GUEST_SVC_EVENTSYSTEM] = 4;
	g.start[VMSC_GUEST_SVC_VMVSS] = 4; /* not one of the three: vmvss has its own rule */
	run_guest(t, &g);
	assert_int_equal(t->vm->n_findings, 2);
	assert_contains(nth(t->vm, "vss-service-disabled", 0)->message, "swprv");
	assert_contains(nth(t->vm, "vss-service-disabled", 1)->message, "EventSystem");
	assert_int_equal(t->vm->consistency.expected, VMSC_LEVEL_CRASH);
	vmsc_guest_facts_release(&g);
}

static void test_rules_vmware_vss_missing(void **state)
{
	struct t *t = *state;
	struct vmsc_guest_facts g;

	make_windows(t->f);
	healthy_guest(&g);
	g.start[VMSC_GUEST_SVC_VMVSS] = VMSC_GUEST_START_MISSING;
	assert_contains(only(run_guest(t, &g), "vmware-vss-missing")->message, "vmvss");
	assert_int_equal(t->vm->consistency.expected, VMSC_LEVEL_FILESYSTEM);
	/* not read: no finding */
	vmsc_vm_result_remove_findings(t->vm, "vmware-vss-missing");
	g.start[VMSC_GUEST_SVC_VMVSS] = VMSC_GUEST_START_UNKNOWN;
	assert_int_equal(vmsc_rules_evaluate_guest(&(struct vmsc_eval){ .config = &t->cfg,
									.now = t->now },
						   "vc01.example.com", &g, t->vm), 0);
	assert_int_equal(t->vm->n_findings, 0);
	vmsc_guest_facts_release(&g);
}

static void test_rules_vss_foreign_provider(void **state)
{
	struct t *t = *state;
	struct vmsc_guest_facts g;
	const struct vmsc_finding *fi;

	make_windows(t->f);
	healthy_guest(&g);
	assert_int_equal(vmsc_guest_add_provider(&g, "{564d7761-0000-0000-0000-000000000001}",
						 "VMware Snapshot Provider"), 0);
	assert_int_equal(vmsc_guest_add_provider(&g, "{12345678-0000-0000-0000-000000000000}",
						 "Acme Hardware Provider"), 0);
	fi = only(run_guest(t, &g), "vss-foreign-provider");
	assert_int_equal(fi->severity, VMSC_SEV_WARNING);
	assert_contains(fi->message, "'Acme Hardware Provider' {12345678-");
	assert_int_equal(t->vm->consistency.expected, VMSC_LEVEL_APPLICATION);
	vmsc_guest_facts_release(&g);
}

static void test_rules_tools_conf_quiescing_off(void **state)
{
	struct t *t = *state;
	struct vmsc_guest_facts g;

	make_windows(t->f);
	healthy_guest(&g);
	vmsc_guest_parse_tools_conf("[vmbackup]\nvss.disableAppQuiescing = true\n", &g);
	assert_contains(only(run_guest(t, &g), "tools-conf-quiescing-off")->message,
			"vss.disableAppQuiescing = true");
	assert_int_equal(t->vm->consistency.expected, VMSC_LEVEL_FILESYSTEM);
	vmsc_guest_facts_release(&g);
}

static void test_rules_tools_conf_quiescing_off_crash(void **state)
{
	struct t *t = *state;
	struct vmsc_guest_facts g;
	const struct vmsc_finding *fi;

	/* Linux: enableSyncDriver = false means no freeze at all */
	vmsc_guest_facts_init(&g);
	vmsc_guest_parse_tools_conf("[vmbackup]\nenableSyncDriver = false\n"
				    "vss.disableAppQuiescing = true\n", &g);
	fi = only(run_guest(t, &g), "tools-conf-quiescing-off");
	assert_contains(fi->message, "/etc/vmware-tools/tools.conf: [vmbackup] enableSyncDriver");
	assert_int_equal(fi->cap, VMSC_LEVEL_CRASH);
	assert_int_equal(t->vm->consistency.expected, VMSC_LEVEL_CRASH);
	vmsc_guest_facts_release(&g);
}

static void test_rules_tools_conf_enable_vss_false(void **state)
{
	struct t *t = *state;
	struct vmsc_guest_facts g;

	make_windows(t->f);
	healthy_guest(&g);
	vmsc_guest_parse_tools_conf("[vmbackup]\nenableVSS = false\n", &g);
	assert_int_equal(only(run_guest(t, &g), "tools-conf-quiescing-off")->cap,
			 VMSC_LEVEL_CRASH);
	assert_int_equal(t->vm->consistency.expected, VMSC_LEVEL_CRASH);
	vmsc_guest_facts_release(&g);
}

static void test_rules_vss_event_errors(void **state)
{
	static const char txt[] =
		"Event[0]:\n  Log Name: Application\n  Source: VSS\n  Date: x\n  Event ID: 8193\n"
		"  Task: N/A\n  Level: Error\n  Opcode: N/A\n  Keyword: Classic\n  User: N/A\n"
		"  User Name: N/A\n  Computer: c\n  Description: \n"
		"Volume Shadow Copy Service error: Unexpected error.\n";
	struct t *t = *state;
	struct vmsc_guest_facts g;
	const struct vmsc_finding *fi;

	make_windows(t->f);
	healthy_guest(&g);
	assert_int_equal(vmsc_guest_parse_events(txt, "Application", &g), 0);
	fi = only(run_guest(t, &g), "vss-event-errors");
	assert_string_equal(fi->message, "1 VSS, volsnap or VMware Tools error event in the last 7 "
					 "days: Application VSS 8193 \"Volume Shadow Copy Service "
					 "error: Unexpected error.\"");
	assert_int_equal(t->vm->consistency.expected, VMSC_LEVEL_APPLICATION);
	vmsc_guest_facts_release(&g);
}

static void test_rules_freeze_script_not_executable(void **state)
{
	struct t *t = *state;
	struct vmsc_guest_facts g;

	vmsc_guest_facts_init(&g);
	g.scripts_read = true;
	assert_int_equal(vmsc_guest_add_script(&g, "/usr/sbin/pre-freeze-script", 0644), 0);
	assert_int_equal(vmsc_guest_add_script(&g, "/etc/vmware-tools/backupScripts.d/db", 0755),
			 0);
	assert_string_equal(only(run_guest(t, &g), "freeze-script-not-executable")->message,
			    "freeze script /usr/sbin/pre-freeze-script is not executable (mode "
			    "0644)");
	vmsc_guest_facts_release(&g);
}

static void test_rules_guest_not_elevated(void **state)
{
	struct t *t = *state;
	struct vmsc_guest_facts g;

	make_windows(t->f);
	healthy_guest(&g);
	g.elevated = VMSC_TRI_FALSE;
	assert_int_equal(only(run_guest(t, &g), "guest-not-elevated")->severity,
			 VMSC_SEV_WARNING);
	vmsc_guest_facts_release(&g);
}

static void test_rules_guest_login_failed(void **state)
{
	struct t *t = *state;
	struct vmsc_guest_facts g;

	vmsc_guest_facts_init(&g);
	g.login_failed = true;
	g.login_user = strdup("CORP\\backupcheck");
	assert_contains(only(run_guest(t, &g), "guest-login-failed")->message,
			"CORP\\backupcheck (InvalidGuestLogin)");
	assert_int_equal(t->vm->status, VMSC_STATUS_WARNING);
	vmsc_guest_facts_release(&g);
}

/* Guest findings are ordinary findings: waived, and never run by
 * vmsc_rules_evaluate() nor on skipped VMs. */
static void test_rules_guest_waived_and_skipped(void **state)
{
	struct t *t = *state;
	struct vmsc_guest_facts g;

	load_config(t, "[waiver \"w\"]\nvm = app-*\nrule = vss-writer-failed\nreason = known\n"
		       "expires = 2099-01-01\n");
	make_windows(t->f);
	healthy_guest(&g);
	g.writers[0].failed = true;
	run_guest(t, &g);
	assert_true(only(t->vm, "vss-writer-failed")->waived);
	assert_int_equal(t->vm->status, VMSC_STATUS_OK);
	/* the cap counts, waived or not */
	assert_int_equal(t->vm->consistency.expected, VMSC_LEVEL_CRASH);
	assert_int_equal(t->matches[0], 1);

	set(&t->f->power_state, "poweredOff");
	run_guest(t, &g);
	assert_int_equal(t->vm->status, VMSC_STATUS_SKIPPED);
	assert_int_equal(t->vm->n_findings, 0);
	vmsc_guest_facts_release(&g);
}

/* --- property paths ----------------------------------------------------------- */

static bool has_path(const char **paths, size_t n, const char *p)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(paths[i], p) == 0)
			return true;
	return false;
}

static void test_rules_property_paths(void **state)
{
	static const char *const expected[] = {
		"name", "runtime.powerState", "runtime.connectionState", "config.template",
		"config.guestId", "config.guestFullName", "guest.toolsVersionStatus2", "guest.toolsRunningStatus",
		"guest.toolsVersion", "runtime.toolsInstallerMounted",
		"capability.quiescedSnapshotsSupported", "capability.snapshotOperationsSupported",
		"config.flags.snapshotDisabled", "config.flags.snapshotLocked",
		"config.flags.diskUuidEnabled", "disabledMethod",
		"config.extraConfig[\"snapshot.quiesce\"]", "config.extraConfig[\"disk.EnableUUID\"]",
		"config.extraConfig[\"snapshot.maxSnapshots\"]", "guest.guestFamily", "config.hardware.device", "config.ftInfo",
		"runtime.faultToleranceState", "snapshot", "runtime.consolidationNeeded",
		"guest.disk",
		/* catalogue, second part (cbt-disabled is off by default) */
		"guest.guestDetailedData", "config.version", "config.keyId", "runtime.question",
		"config.pmem",
	};
	struct t *t = *state;
	const char **paths;
	const struct vmsc_rule *rules;
	size_t n, i, j, nrules, distinct = 0;

	paths = vmsc_rules_property_paths(&t->cfg, false, &n);
	assert_non_null(paths);
	assert_int_equal(n, sizeof(expected) / sizeof(expected[0]));
	assert_null(paths[n]);
	for (i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
		if (!has_path(paths, n, expected[i]))
			fail_msg("missing path %s", expected[i]);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			assert_string_not_equal(paths[i], paths[j]);
	free(paths);

	/* Every path of every rule, however many the table grows to. */
	paths = vmsc_rules_property_paths(&t->cfg, true, &n);
	rules = vmsc_rules(&nrules);
	for (i = 0; i < nrules; i++)
		for (const char *const *p = rules[i].paths; p && *p; p++)
			if (!has_path(paths, n, *p))
				fail_msg("rule %s: path %s not asked for", rules[i].id, *p);
	for (i = 0; i < n; i++)
		distinct += !has_path(paths, i, paths[i]);
	assert_int_equal(distinct, n);
	free(paths);

	/* Only what the enabled rules need. */
	load_config(t, "[rule \"guest-disk-space\"]\nenabled = false\n"
		       "[rule \"too-many-volumes\"]\nenabled = false\n"
		       "[rule \"snapshot-count\"]\nenabled = false\n");
	paths = vmsc_rules_property_paths(&t->cfg, false, &n);
	assert_false(has_path(paths, n, "guest.disk"));
	assert_true(has_path(paths, n, "snapshot")); /* snapshot-age still needs it */
	free(paths);
	paths = vmsc_rules_property_paths(&t->cfg, true, &n);
	assert_true(has_path(paths, n, "guest.disk"));
	assert_string_equal(paths[0], "name");
	free(paths);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

/* --save-facts asks the server for every property the facts table reads. */
static void test_rules_save_facts_paths(void **state)
{
	const struct vmsc_fact_record *rec = &vmsc_vm_fact_record;
	size_t n, i;
	const char **paths = vmsc_rules_property_paths(NULL, true, &n);
	int missing = 0;

	(void)state;
	assert_non_null(paths);
	for (i = 0; i < rec->n_fields; i++) {
		if (rec->fields[i].path && !has_path(paths, n, rec->fields[i].path)) {
			print_error("'%s' (%s) is never asked for\n", rec->fields[i].path,
				    rec->fields[i].json);
			missing++;
		}
	}
	free(paths);
	assert_int_equal(missing, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_rules_table),
		T(test_rules_healthy_vm),
		T(test_rules_healthy_windows_vm),
		T(test_rules_tools_not_installed),
		T(test_rules_tools_status_absent),
		T(test_rules_tools_status_unknown_value),
		T(test_rules_tools_not_running),
		T(test_rules_tools_not_running_needs_power_on),
		T(test_rules_tools_outdated),
		T(test_rules_tools_unsupported),
		T(test_rules_tools_upgrade_in_progress),
		T(test_rules_quiesce_disabled_capabilities),
		T(test_rules_quiesce_disabled_flags),
		T(test_rules_quiesce_disabled_methods),
		T(test_rules_quiesce_disabled_extra_config),
		T(test_rules_quiesce_disabled_causes),
		T(test_rules_snapshot_limit),
		T(test_rules_consistency_ceiling),
		T(test_rules_consistency_caps),
		T(test_rules_consistency_waived_still_counts),
		T(test_rules_consistency_not_evaluated),
		T(test_rules_consistency_required),
		T(test_rules_consistency_required_unmatched),
		T(test_rules_quiesce_enableuuid),
		T(test_rules_quiesce_enableuuid_not_windows),
		T(test_rules_quiesce_ide_disk),
		T(test_rules_independent_disk),
		T(test_rules_independent_disk_each),
		T(test_rules_rdm_physical),
		T(test_rules_rdm_raw_backings),
		T(test_rules_multi_writer_disk),
		T(test_rules_scsi_bus_sharing),
		T(test_rules_scsi_bus_sharing_all_types),
		T(test_rules_passthrough_device),
		T(test_rules_fault_tolerance),
		T(test_rules_snapshot_count),
		T(test_rules_snapshot_count_threshold),
		T(test_rules_snapshot_count_chain_depth),
		T(test_rules_snapshot_count_override_pins_escalation),
		T(test_rules_snapshot_age),
		T(test_rules_snapshot_age_threshold),
		T(test_rules_consolidation_needed),
		T(test_rules_snapshot_ignore_young),
		T(test_rules_snapshot_ignore_old),
		T(test_rules_snapshot_ignore_not_matching),
		T(test_rules_snapshot_ignore_oldest),
		T(test_rules_snapshot_ignore_without_list),
		T(test_rules_backup_age_disabled),
		T(test_rules_backup_age_attribute),
		T(test_rules_backup_age_iso8601),
		T(test_rules_backup_age_time_format),
		T(test_rules_backup_age_notes),
		T(test_rules_guest_disk_space),
		T(test_rules_guest_disk_space_ignored_volumes),
		T(test_rules_guest_disk_space_threshold),
		T(test_rules_datastore_low_space),
		T(test_rules_datastore_low_space_not_judged),
		T(test_rules_vm_inaccessible),
		T(test_rules_vm_inaccessible_powered_off),
		T(test_rules_quiesce_nvme_sata_disk),
		T(test_rules_scsi_slots_short),
		T(test_rules_encrypted_vm),
		T(test_rules_too_many_volumes),
		T(test_rules_vm_question_pending),
		T(test_rules_nvdimm_no_snapshot_mode),
		T(test_rules_unmanaged_delta_disk),
		T(test_rules_cbt_disabled),
		T(test_rules_property_since),
		T(test_rules_skip_template),
		T(test_rules_skip_powered_off),
		T(test_rules_include_powered_off),
		T(test_rules_unknown_unreadable),
		T(test_rules_unknown_several_faults),
		T(test_rules_unknown_decisive_property),
		T(test_rules_unknown_parent_path),
		T(test_rules_unreadable_but_not_needed),
		T(test_rules_unreadable_guest_powered_off),
		T(test_rules_severity_override),
		T(test_rules_disabled_rule),
		T(test_rules_null_config),
		T(test_rules_waivers),
		T(test_rules_report_external),
		T(test_rules_report_external_config),
		T(test_rules_guest_healthy),
		T(test_rules_vss_writer_failed),
		T(test_rules_vss_service_disabled),
		T(test_rules_vmware_vss_missing),
		T(test_rules_vss_foreign_provider),
		T(test_rules_tools_conf_quiescing_off),
		T(test_rules_tools_conf_quiescing_off_crash),
		T(test_rules_tools_conf_enable_vss_false),
		T(test_rules_vss_event_errors),
		T(test_rules_freeze_script_not_executable),
		T(test_rules_guest_not_elevated),
		T(test_rules_guest_login_failed),
		T(test_rules_guest_waived_and_skipped),
		T(test_rules_property_paths),
		T(test_rules_save_facts_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
