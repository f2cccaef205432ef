/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "vmsnapcheck/facts_json.h"

#define T0 ((time_t)1715342400) /* 2024-05-10T12:00:00Z */

/* --- building ------------------------------------------------------------------ */

static char *xdup(const char *s)
{
	char *c = strdup(s);

	assert_non_null(c);
	return c;
}

static void *alloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	assert_non_null(p);
	return p;
}

/* Every field set, each to a value that differs from its absent meaning. */
static struct vmsc_vm_facts *full_facts(void)
{
	struct vmsc_vm_facts *f = vmsc_vm_facts_new();

	assert_non_null(f);
	f->vcenter = xdup("vc01.example.com");
	f->moid = xdup("vm-42");
	f->name = xdup("sql/01 \"prod\" caf\xc3\xa9");
	f->connection_state = xdup("connected");
	f->power_state = xdup("poweredOn");
	f->template_vm = VMSC_TRI_FALSE;
	f->guest_id = xdup("windows2019srv_64Guest");
	f->guest_full_name = xdup("Microsoft Windows Server 2019 (64-bit)");
	f->guest_family = xdup("windowsGuest");
	f->tools_version_status = xdup("guestToolsSupportedOld");
	f->tools_running_status = xdup("guestToolsRunning");
	f->tools_version = xdup("11333");
	f->tools_installer_mounted = VMSC_TRI_TRUE;
	f->snapshot_operations_supported = VMSC_TRI_TRUE;
	f->quiesced_snapshots_supported = VMSC_TRI_FALSE;
	f->snapshot_disabled = VMSC_TRI_TRUE;
	f->snapshot_locked = VMSC_TRI_FALSE;
	f->disk_uuid_enabled = VMSC_TRI_FALSE;

	f->n_disabled_methods = 2;
	f->disabled_methods = alloc(2, sizeof(char *));
	f->disabled_methods[0] = xdup("CreateSnapshot_Task");
	f->disabled_methods[1] = xdup("MigrateVM_Task");

	f->n_extra_config = 2;
	f->extra_config = alloc(2, sizeof(*f->extra_config));
	f->extra_config[0].key = xdup("disk.EnableUUID");
	f->extra_config[0].value = xdup("FALSE");
	f->extra_config[1].key = xdup("snapshot.maxSnapshots");
	f->extra_config[1].value = xdup("0");

	f->n_disks = 2;
	f->disks = alloc(2, sizeof(*f->disks));
	f->disks[0].label = xdup("Hard disk 1");
	f->disks[0].key = 2000;
	f->disks[0].controller_key = 1000;
	f->disks[0].unit_number = 0;
	f->disks[0].backing_type = xdup("VirtualDiskFlatVer2BackingInfo");
	f->disks[0].backing_kind = VMSC_BACKING_FLAT;
	f->disks[0].disk_mode = xdup("independent_persistent");
	f->disks[0].sharing = xdup("sharingMultiWriter");
	f->disks[0].file_name = xdup("[ds1] sql/sql.vmdk");
	f->disks[0].capacity_bytes = 5000000000000LL; /* beyond 32 bits */
	f->disks[1].label = xdup("Hard disk 2");
	f->disks[1].key = 2001;
	f->disks[1].controller_key = 200;
	f->disks[1].unit_number = 1;
	f->disks[1].backing_type = xdup("VirtualDiskRawDiskMappingVer1BackingInfo");
	f->disks[1].backing_kind = VMSC_BACKING_RDM;
	f->disks[1].disk_mode = xdup("persistent");
	f->disks[1].compatibility_mode = xdup("physicalMode");
	f->disks[1].sharing = xdup("sharingNone");
	f->disks[1].file_name = xdup("[ds1] sql/rdm.vmdk");
	f->disks[1].capacity_bytes = 0;

	f->n_controllers = 2;
	f->controllers = alloc(2, sizeof(*f->controllers));
	f->controllers[0].key = 1000;
	f->controllers[0].bus_number = 0;
	f->controllers[0].type = xdup("ParaVirtualSCSIController");
	f->controllers[0].kind = VMSC_CONTROLLER_SCSI;
	f->controllers[0].shared_bus = xdup("physicalSharing");
	f->controllers[0].label = xdup("SCSI controller 0");
	f->controllers[1].key = 200;
	f->controllers[1].bus_number = 1;
	f->controllers[1].type = xdup("VirtualIDEController");
	f->controllers[1].kind = VMSC_CONTROLLER_IDE;
	f->controllers[1].label = xdup("IDE 1");

	f->n_devices = 2;
	f->devices = alloc(2, sizeof(*f->devices));
	f->devices[0].type = xdup("VirtualPCIPassthrough");
	f->devices[0].label = xdup("PCI device 0");
	f->devices[1].type = xdup("VirtualSriovEthernetCard");
	f->devices[1].label = xdup("Network adapter 2");
	f->hardware_read = VMSC_TRI_TRUE;

	f->ft_configured = VMSC_TRI_TRUE;
	f->ft_state = xdup("running");

	f->snapshots.count = 4;
	f->snapshots.max_depth = 3;
	f->snapshots.quiesced_count = 1;
	f->snapshots.oldest_time = T0 - 86400 * 10;
	f->snapshots.oldest_name = xdup("before-upgrade");
	f->snapshots.newest_time = T0 - 3600;
	f->snapshots.newest_name = xdup("nightly");
	f->snapshots.current_name = xdup("nightly");

	f->consolidation_needed = VMSC_TRI_TRUE;

	f->n_volumes = 2;
	f->volumes = alloc(2, sizeof(*f->volumes));
	f->volumes[0].path = xdup("C:\\");
	f->volumes[0].fs_type = xdup("NTFS");
	f->volumes[0].capacity = 107374182400LL;
	f->volumes[0].free_space = 1073741824LL;
	f->volumes[1].path = xdup("D:\\");
	f->volumes[1].capacity = 0;
	f->volumes[1].free_space = 0;

	f->n_unreadable = 2;
	f->unreadable = alloc(2, sizeof(*f->unreadable));
	f->unreadable[0].path = xdup("guest.disk");
	f->unreadable[0].fault = xdup("NoPermission");
	f->unreadable[0].message = xdup("System.Read");
	f->unreadable[1].path = xdup("snapshot");

	f->read_at = T0;
	return f;
}

/* --- collecting ---------------------------------------------------------------- */

struct collected {
	struct vmsc_vm_facts *vms[8];
	size_t n_vms;
	struct vmsc_facts_vcenter vcs[4];
	char *vc_strings[4][5];
	size_t n_vcs;
	int stop_after;   /* stop at this VM (1-based); 0 = never */
};

static int on_vcenter(void *ud, const struct vmsc_facts_vcenter *vc)
{
	struct collected *c = ud;
	const char *src[5] = { vc->url, vc->name, vc->version, vc->api_version, vc->product };
	size_t i;

	assert_true(c->n_vcs < 4);
	/* The strings only live during the call: copy them. */
	for (i = 0; i < 5; i++)
		c->vc_strings[c->n_vcs][i] = src[i] ? xdup(src[i]) : NULL;
	c->vcs[c->n_vcs] = (struct vmsc_facts_vcenter){
		.url = c->vc_strings[c->n_vcs][0], .name = c->vc_strings[c->n_vcs][1],
		.version = c->vc_strings[c->n_vcs][2], .api_version = c->vc_strings[c->n_vcs][3],
		.product = c->vc_strings[c->n_vcs][4], .captured_at = vc->captured_at,
	};
	c->n_vcs++;
	return 0;
}

static int on_vm(void *ud, struct vmsc_vm_facts *f)
{
	struct collected *c = ud;

	assert_true(c->n_vms < 8);
	c->vms[c->n_vms++] = f;
	return c->stop_after && (int)c->n_vms >= c->stop_after;
}

static void collected_release(struct collected *c)
{
	size_t i, j;

	for (i = 0; i < c->n_vms; i++)
		vmsc_vm_facts_free(c->vms[i]);
	for (i = 0; i < c->n_vcs; i++)
		for (j = 0; j < 5; j++)
			free(c->vc_strings[i][j]);
	memset(c, 0, sizeof(*c));
}

static int load(const char *json, struct collected *c, struct vmsc_error *err)
{
	struct vmsc_facts_visitor v = { .vcenter = on_vcenter, .vm = on_vm, .ud = c };

	vmsc_error_clear(err);
	return vmsc_facts_load_string(json, "facts.json", &v, err);
}

static void expect_error(const char *json, const char *message)
{
	struct collected c = { 0 };
	struct vmsc_error err;

	if (load(json, &c, &err) == 0)
		fail_msg("accepted: %s", json);
	assert_int_equal(err.code, VMSC_E_CONFIG);
	assert_string_equal(err.message, message);
	collected_release(&c);
}

/* A document around one VM object. */
static char *doc_with_vm(const char *vm_fields)
{
	char *s = NULL;

	assert_true(asprintf(&s, "{\"schemaVersion\":1,\"vcenters\":[],\"vms\":[{\"vcenter\":\"vc\","
			     "\"moid\":\"vm-1\",\"name\":\"app-01\"%s%s}]}",
			     *vm_fields ? "," : "", vm_fields) > 0);
	return s;
}

static void expect_vm_error(const char *vm_fields, const char *message)
{
	char *doc = doc_with_vm(vm_fields);

	expect_error(doc, message);
	free(doc);
}

/* --- comparing ------------------------------------------------------------------- */

static void same_str(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void assert_facts_equal(const struct vmsc_vm_facts *a, const struct vmsc_vm_facts *b)
{
	size_t i;

	same_str(a->vcenter, b->vcenter);
	same_str(a->moid, b->moid);
	same_str(a->name, b->name);
	same_str(a->connection_state, b->connection_state);
	same_str(a->power_state, b->power_state);
	assert_int_equal(a->template_vm, b->template_vm);
	same_str(a->guest_id, b->guest_id);
	same_str(a->guest_full_name, b->guest_full_name);
	same_str(a->guest_family, b->guest_family);
	same_str(a->tools_version_status, b->tools_version_status);
	same_str(a->tools_running_status, b->tools_running_status);
	same_str(a->tools_version, b->tools_version);
	assert_int_equal(a->tools_installer_mounted, b->tools_installer_mounted);
	assert_int_equal(a->snapshot_operations_supported, b->snapshot_operations_supported);
	assert_int_equal(a->quiesced_snapshots_supported, b->quiesced_snapshots_supported);
	assert_int_equal(a->snapshot_disabled, b->snapshot_disabled);
	assert_int_equal(a->snapshot_locked, b->snapshot_locked);
	assert_int_equal(a->disk_uuid_enabled, b->disk_uuid_enabled);
	assert_int_equal(a->n_disabled_methods, b->n_disabled_methods);
	for (i = 0; i < a->n_disabled_methods; i++)
		same_str(a->disabled_methods[i], b->disabled_methods[i]);
	assert_int_equal(a->n_extra_config, b->n_extra_config);
	for (i = 0; i < a->n_extra_config; i++) {
		same_str(a->extra_config[i].key, b->extra_config[i].key);
		same_str(a->extra_config[i].value, b->extra_config[i].value);
	}
	assert_int_equal(a->n_disks, b->n_disks);
	for (i = 0; i < a->n_disks; i++) {
		const struct vmsc_disk *x = &a->disks[i], *y = &b->disks[i];

		same_str(x->label, y->label);
		assert_int_equal(x->key, y->key);
		assert_int_equal(x->controller_key, y->controller_key);
		assert_int_equal(x->unit_number, y->unit_number);
		same_str(x->backing_type, y->backing_type);
		assert_int_equal(x->backing_kind, y->backing_kind);
		same_str(x->disk_mode, y->disk_mode);
		same_str(x->compatibility_mode, y->compatibility_mode);
		same_str(x->sharing, y->sharing);
		same_str(x->file_name, y->file_name);
		assert_int_equal(x->capacity_bytes, y->capacity_bytes);
	}
	assert_int_equal(a->n_controllers, b->n_controllers);
	for (i = 0; i < a->n_controllers; i++) {
		const struct vmsc_controller *x = &a->controllers[i], *y = &b->controllers[i];

		assert_int_equal(x->key, y->key);
		assert_int_equal(x->bus_number, y->bus_number);
		same_str(x->type, y->type);
		assert_int_equal(x->kind, y->kind);
		same_str(x->shared_bus, y->shared_bus);
		same_str(x->label, y->label);
	}
	assert_int_equal(a->n_devices, b->n_devices);
	for (i = 0; i < a->n_devices; i++) {
		same_str(a->devices[i].type, b->devices[i].type);
		same_str(a->devices[i].label, b->devices[i].label);
	}
	assert_int_equal(a->hardware_read, b->hardware_read);
	assert_int_equal(a->ft_configured, b->ft_configured);
	same_str(a->ft_state, b->ft_state);
	assert_int_equal(a->snapshots.count, b->snapshots.count);
	assert_int_equal(a->snapshots.max_depth, b->snapshots.max_depth);
	assert_int_equal(a->snapshots.quiesced_count, b->snapshots.quiesced_count);
	assert_int_equal(a->snapshots.oldest_time, b->snapshots.oldest_time);
	same_str(a->snapshots.oldest_name, b->snapshots.oldest_name);
	assert_int_equal(a->snapshots.newest_time, b->snapshots.newest_time);
	same_str(a->snapshots.newest_name, b->snapshots.newest_name);
	same_str(a->snapshots.current_name, b->snapshots.current_name);
	assert_int_equal(a->consolidation_needed, b->consolidation_needed);
	assert_int_equal(a->n_volumes, b->n_volumes);
	for (i = 0; i < a->n_volumes; i++) {
		same_str(a->volumes[i].path, b->volumes[i].path);
		same_str(a->volumes[i].fs_type, b->volumes[i].fs_type);
		assert_int_equal(a->volumes[i].capacity, b->volumes[i].capacity);
		assert_int_equal(a->volumes[i].free_space, b->volumes[i].free_space);
	}
	assert_int_equal(a->n_unreadable, b->n_unreadable);
	for (i = 0; i < a->n_unreadable; i++) {
		same_str(a->unreadable[i].path, b->unreadable[i].path);
		same_str(a->unreadable[i].fault, b->unreadable[i].fault);
		same_str(a->unreadable[i].message, b->unreadable[i].message);
	}
	assert_int_equal(a->read_at, b->read_at);
}

/* Writes the VMs and one vCenter into a malloc'd string. */
static char *write_doc(struct vmsc_vm_facts **vms, size_t n)
{
	static const struct vmsc_facts_vcenter vc = {
		.url = "https://vc01.example.com/sdk", .name = "vc01.example.com",
		.version = "8.0.2", .api_version = "8.0.2.0",
		.product = "VMware vCenter Server 8.0.2", .captured_at = T0 + 5,
	};
	struct vmsc_facts_writer *w;
	struct vmsc_error err = { 0 };
	char *buf = NULL;
	size_t len = 0, i;
	FILE *m = open_memstream(&buf, &len);

	assert_non_null(m);
	w = vmsc_facts_writer_new(m);
	assert_non_null(w);
	for (i = 0; i < n; i++)
		assert_int_equal(vmsc_facts_writer_add_vm(w, vms[i]), 0);
	if (vmsc_facts_writer_finish(w, &vc, 1, &err) < 0)
		fail_msg("%s", err.message);
	vmsc_facts_writer_free(w);
	assert_int_equal(fclose(m), 0);
	return buf;
}

/* --- round trips ---------------------------------------------------------------- */

static void test_facts_json_round_trip(void **state)
{
	struct vmsc_vm_facts *vms[2] = { full_facts(), vmsc_vm_facts_new() };
	struct collected c = { 0 };
	struct vmsc_error err;
	char *doc, *again;

	(void)state;
	/* The second VM is as empty as a VM can be. */
	vms[1]->vcenter = xdup("vc01.example.com");
	vms[1]->moid = xdup("vm-43");
	vms[1]->name = xdup("empty");

	doc = write_doc(vms, 2);
	if (load(doc, &c, &err) < 0)
		fail_msg("%s\n%s", err.message, doc);
	assert_int_equal(c.n_vms, 2);
	assert_facts_equal(vms[0], c.vms[0]);
	assert_facts_equal(vms[1], c.vms[1]);

	assert_int_equal(c.n_vcs, 1);
	assert_string_equal(c.vcs[0].url, "https://vc01.example.com/sdk");
	assert_string_equal(c.vcs[0].name, "vc01.example.com");
	assert_string_equal(c.vcs[0].version, "8.0.2");
	assert_string_equal(c.vcs[0].api_version, "8.0.2.0");
	assert_string_equal(c.vcs[0].product, "VMware vCenter Server 8.0.2");
	assert_int_equal(c.vcs[0].captured_at, T0 + 5);

	/* Written again, byte for byte the same. */
	again = write_doc(c.vms, 2);
	assert_string_equal(doc, again);

	free(doc);
	free(again);
	collected_release(&c);
	vmsc_vm_facts_free(vms[0]);
	vmsc_vm_facts_free(vms[1]);
}

/* --- every row of the field table, whatever it is --------------------------------- */

/* Sets every field of a record to a value that is not absent, by type. */
static void fill_record(const struct vmsc_fact_record *rec, void *obj)
{
	for (size_t i = 0; i < rec->n_fields; i++) {
		const struct vmsc_fact_field *fd = &rec->fields[i];
		char buf[128];
		char **sv;
		struct vmsc_option *ov;
		char *arr;

		snprintf(buf, sizeof(buf), "v-%s-%zu", fd->json, i);
		switch (fd->type) {
		case VMSC_FACT_STRING:
			*VMSC_FACT_AT(obj, fd, char *) = xdup(buf);
			break;
		case VMSC_FACT_TRI:
			*VMSC_FACT_AT(obj, fd, enum vmsc_tri) =
				i % 2 ? VMSC_TRI_TRUE : VMSC_TRI_FALSE;
			break;
		case VMSC_FACT_INT:
			*VMSC_FACT_AT(obj, fd, int) = (int)(fd->absent + 7 + (long long)i);
			break;
		case VMSC_FACT_LLONG:
			*VMSC_FACT_AT(obj, fd, long long) = fd->absent + 5000000000LL + (long long)i;
			break;
		case VMSC_FACT_TIME:
			*VMSC_FACT_AT(obj, fd, time_t) = T0 + (time_t)i;
			break;
		case VMSC_FACT_KIND:
			*VMSC_FACT_AT(obj, fd, int) = 1;
			break;
		case VMSC_FACT_STRINGS:
			sv = alloc(2, sizeof(*sv));
			sv[0] = xdup(buf);
			sv[1] = xdup("second");
			*VMSC_FACT_AT(obj, fd, char **) = sv;
			*VMSC_FACT_COUNT(obj, fd) = 2;
			break;
		case VMSC_FACT_OPTIONS:
			ov = alloc(1, sizeof(*ov));
			ov->key = xdup(buf);
			ov->value = xdup("value");
			*VMSC_FACT_AT(obj, fd, struct vmsc_option *) = ov;
			*VMSC_FACT_COUNT(obj, fd) = 1;
			break;
		case VMSC_FACT_LIST:
			arr = alloc(2, fd->record->size);
			fill_record(fd->record, arr);
			fill_record(fd->record, arr + fd->record->size);
			*VMSC_FACT_AT(obj, fd, char *) = arr;
			*VMSC_FACT_COUNT(obj, fd) = 2;
			break;
		case VMSC_FACT_OBJECT:
			fill_record(fd->record, VMSC_FACT_AT(obj, fd, char));
			break;
		}
	}
}

static void assert_record_equal(const struct vmsc_fact_record *rec, const void *a, const void *b)
{
	char *x = (char *)a, *y = (char *)b;

	for (size_t i = 0; i < rec->n_fields; i++) {
		const struct vmsc_fact_field *fd = &rec->fields[i];
		size_t n, j;

		switch (fd->type) {
		case VMSC_FACT_STRING:
			same_str(*VMSC_FACT_AT(x, fd, char *), *VMSC_FACT_AT(y, fd, char *));
			break;
		case VMSC_FACT_TRI:
			assert_int_equal(*VMSC_FACT_AT(x, fd, enum vmsc_tri),
					 *VMSC_FACT_AT(y, fd, enum vmsc_tri));
			break;
		case VMSC_FACT_INT:
		case VMSC_FACT_KIND:
			assert_int_equal(*VMSC_FACT_AT(x, fd, int), *VMSC_FACT_AT(y, fd, int));
			break;
		case VMSC_FACT_LLONG:
			assert_true(*VMSC_FACT_AT(x, fd, long long) == *VMSC_FACT_AT(y, fd, long long));
			break;
		case VMSC_FACT_TIME:
			assert_true(*VMSC_FACT_AT(x, fd, time_t) == *VMSC_FACT_AT(y, fd, time_t));
			break;
		case VMSC_FACT_STRINGS:
			n = *VMSC_FACT_COUNT(x, fd);
			assert_int_equal(n, *VMSC_FACT_COUNT(y, fd));
			for (j = 0; j < n; j++)
				same_str((*VMSC_FACT_AT(x, fd, char **))[j],
					 (*VMSC_FACT_AT(y, fd, char **))[j]);
			break;
		case VMSC_FACT_OPTIONS:
			n = *VMSC_FACT_COUNT(x, fd);
			assert_int_equal(n, *VMSC_FACT_COUNT(y, fd));
			for (j = 0; j < n; j++) {
				same_str((*VMSC_FACT_AT(x, fd, struct vmsc_option *))[j].key,
					 (*VMSC_FACT_AT(y, fd, struct vmsc_option *))[j].key);
				same_str((*VMSC_FACT_AT(x, fd, struct vmsc_option *))[j].value,
					 (*VMSC_FACT_AT(y, fd, struct vmsc_option *))[j].value);
			}
			break;
		case VMSC_FACT_LIST:
			n = *VMSC_FACT_COUNT(x, fd);
			assert_int_equal(n, *VMSC_FACT_COUNT(y, fd));
			for (j = 0; j < n; j++)
				assert_record_equal(fd->record,
						    *VMSC_FACT_AT(x, fd, char *) + j * fd->record->size,
						    *VMSC_FACT_AT(y, fd, char *) + j * fd->record->size);
			break;
		case VMSC_FACT_OBJECT:
			assert_record_equal(fd->record, VMSC_FACT_AT(x, fd, char),
					    VMSC_FACT_AT(y, fd, char));
			break;
		}
	}
}

/* A new row is written, read back and released without another line of code:
 * fill every field the table names, by type alone, and round-trip it. */
static void test_facts_json_every_table_row(void **state)
{
	struct vmsc_vm_facts *f = vmsc_vm_facts_new();
	const struct vmsc_fact_record *rec = &vmsc_vm_fact_record;
	struct collected c = { 0 };
	struct vmsc_error err;
	char *doc, *again, key[128];

	(void)state;
	assert_non_null(f);
	fill_record(rec, f);
	doc = write_doc(&f, 1);
	for (size_t i = 0; i < rec->n_fields; i++) {
		snprintf(key, sizeof(key), "\"%s\":", rec->fields[i].json);
		if (!strstr(doc, key))
			fail_msg("'%s' not written:\n%s", rec->fields[i].json, doc);
	}
	if (load(doc, &c, &err) < 0)
		fail_msg("%s\n%s", err.message, doc);
	assert_int_equal(c.n_vms, 1);
	assert_record_equal(rec, f, c.vms[0]);
	assert_facts_equal(f, c.vms[0]);
	again = write_doc(c.vms, 1);
	assert_string_equal(doc, again);
	free(doc);
	free(again);
	collected_release(&c);
	vmsc_vm_facts_free(f);
}

static void test_facts_json_format(void **state)
{
	struct vmsc_vm_facts *f = vmsc_vm_facts_new();
	char *doc;

	(void)state;
	f->vcenter = xdup("vc");
	f->moid = xdup("vm-1");
	f->name = xdup("a");
	f->template_vm = VMSC_TRI_TRUE;
	f->snapshots.count = 1;
	f->snapshots.oldest_time = T0;
	f->read_at = T0;
	doc = write_doc(&f, 1);
	/* One VM per line, absent facts left out, tri-states as booleans, times
	 * as RFC 3339 UTC. */
	assert_string_equal(doc,
			    "{\"schemaVersion\":1,\"vms\":[\n"
			    "{\"vcenter\":\"vc\",\"moid\":\"vm-1\",\"name\":\"a\",\"template\":true,"
			    "\"snapshots\":{\"count\":1,\"maxDepth\":0,\"quiescedCount\":0,"
			    "\"oldestTime\":\"2024-05-10T12:00:00Z\"},"
			    "\"readAt\":\"2024-05-10T12:00:00Z\"}\n"
			    "],\"vcenters\":[{\"url\":\"https://vc01.example.com/sdk\","
			    "\"name\":\"vc01.example.com\",\"version\":\"8.0.2\","
			    "\"apiVersion\":\"8.0.2.0\",\"product\":\"VMware vCenter Server 8.0.2\","
			    "\"capturedAt\":\"2024-05-10T12:00:05Z\"}]}\n");
	free(doc);
	vmsc_vm_facts_free(f);
}

static void test_facts_json_no_vms(void **state)
{
	struct collected c = { 0 };
	struct vmsc_error err;
	char *doc = write_doc(NULL, 0);

	(void)state;
	assert_string_equal(doc, "{\"schemaVersion\":1,\"vms\":[],\"vcenters\":[{\"url\":"
			    "\"https://vc01.example.com/sdk\",\"name\":\"vc01.example.com\","
			    "\"version\":\"8.0.2\",\"apiVersion\":\"8.0.2.0\",\"product\":"
			    "\"VMware vCenter Server 8.0.2\",\"capturedAt\":"
			    "\"2024-05-10T12:00:05Z\"}]}\n");
	assert_int_equal(load(doc, &c, &err), 0);
	assert_int_equal(c.n_vms, 0);
	assert_int_equal(c.n_vcs, 1);
	collected_release(&c);
	free(doc);
}

static void test_facts_json_absent_defaults(void **state)
{
	struct collected c = { 0 };
	struct vmsc_error err;
	char *doc = doc_with_vm("\"disks\":[{\"label\":\"Hard disk 1\",\"backingType\":"
				"\"VirtualDiskSeSparseBackingInfo\"}],\"controllers\":[{\"type\":"
				"\"VirtualAHCIController\",\"busNumber\":2}],\"volumes\":"
				"[{\"path\":\"/\"}],\"powerState\":null,\"template\":null");

	(void)state;
	if (load(doc, &c, &err) < 0)
		fail_msg("%s", err.message);
	assert_int_equal(c.n_vms, 1);
	/* -1 means absent for these; kinds are derived from the type names. */
	assert_int_equal(c.vms[0]->disks[0].controller_key, -1);
	assert_int_equal(c.vms[0]->disks[0].unit_number, -1);
	assert_int_equal(c.vms[0]->disks[0].capacity_bytes, -1);
	assert_int_equal(c.vms[0]->disks[0].backing_kind, VMSC_BACKING_SESPARSE);
	assert_int_equal(c.vms[0]->controllers[0].kind, VMSC_CONTROLLER_SATA);
	assert_int_equal(c.vms[0]->controllers[0].bus_number, 2);
	assert_int_equal(c.vms[0]->volumes[0].free_space, -1);
	assert_null(c.vms[0]->power_state);
	assert_int_equal(c.vms[0]->template_vm, VMSC_TRI_UNSET);
	assert_int_equal(c.vms[0]->read_at, 0);
	collected_release(&c);
	free(doc);
}

static void test_facts_json_forward_compatible(void **state)
{
	struct collected c = { 0 };
	struct vmsc_error err;
	/* Unknown keys and kinds from a newer writer are ignored / derived. */
	char *doc = doc_with_vm("\"newFact\":{\"x\":[1,2]},\"disks\":[{\"key\":1,"
				"\"backingType\":\"VirtualDiskFlatVer2BackingInfo\","
				"\"backingKind\":\"quantum\",\"futureField\":true}]");

	(void)state;
	if (load(doc, &c, &err) < 0)
		fail_msg("%s", err.message);
	assert_int_equal(c.vms[0]->disks[0].backing_kind, VMSC_BACKING_FLAT);
	collected_release(&c);
	free(doc);
}

static void test_facts_json_times(void **state)
{
	static const struct {
		const char *text;
		time_t t;
	} cases[] = {
		{ "2024-05-10T12:00:00Z", T0 },
		{ "2024-05-10t12:00:00z", T0 },
		{ "2024-05-10T12:00:00.123456Z", T0 },
		{ "2024-05-10T14:00:00+02:00", T0 },
		{ "2024-05-10T07:30:00-04:30", T0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct collected c = { 0 };
		struct vmsc_error err;
		char fields[128], *doc;

		snprintf(fields, sizeof(fields), "\"readAt\":\"%s\"", cases[i].text);
		doc = doc_with_vm(fields);
		if (load(doc, &c, &err) < 0)
			fail_msg("%s: %s", cases[i].text, err.message);
		assert_int_equal(c.vms[0]->read_at, cases[i].t);
		collected_release(&c);
		free(doc);
	}
	expect_vm_error("\"readAt\":\"2024-05-10 12:00:00\"",
			"facts.json: vm 'app-01' (vms[0]): 'readAt' is not an RFC 3339 time "
			"('2024-05-10 12:00:00'), e.g. 2024-05-01T12:00:00Z");
	expect_vm_error("\"snapshots\":{\"oldestTime\":\"2024-13-10T12:00:00Z\"}",
			"facts.json: vm 'app-01' (vms[0]): 'snapshots.oldestTime' is not an RFC "
			"3339 time ('2024-13-10T12:00:00Z'), e.g. 2024-05-01T12:00:00Z");
	expect_vm_error("\"readAt\":1715342400",
			"facts.json: vm 'app-01' (vms[0]): 'readAt' must be a string, not an "
			"integer");
}

/* --- malformed input ------------------------------------------------------------ */

static void test_facts_json_malformed_document(void **state)
{
	struct collected c = { 0 };
	struct vmsc_error err;

	(void)state;
	assert_int_equal(load("{\"schemaVersion\":1,", &c, &err), -1);
	assert_int_equal(err.code, VMSC_E_CONFIG);
	assert_true(strncmp(err.message, "facts.json:1:", 13) == 0);
	assert_non_null(strstr(err.message, "invalid JSON"));

	assert_int_equal(load("{\"schemaVersion\":1,\"schemaVersion\":1,\"vms\":[],"
			      "\"vcenters\":[]}", &c, &err), -1);
	assert_non_null(strstr(err.message, "duplicate"));

	/* Strings are C strings: an embedded NUL is refused. */
	assert_int_equal(load("{\"schemaVersion\":1,\"vms\":[{\"name\":\"a\\u0000b\"}],"
			      "\"vcenters\":[]}", &c, &err), -1);
	assert_true(strncmp(err.message, "facts.json:1:", 13) == 0);

	expect_error("[]", "facts.json: not a facts file (the top level must be an object)");
	expect_error("{\"vms\":[],\"vcenters\":[]}",
		     "facts.json: not a facts file ('schemaVersion' missing or not an integer)");
	expect_error("{\"schemaVersion\":\"1\",\"vms\":[],\"vcenters\":[]}",
		     "facts.json: not a facts file ('schemaVersion' missing or not an integer)");
	expect_error("{\"schemaVersion\":2,\"vms\":[],\"vcenters\":[]}",
		     "facts.json: unsupported schemaVersion 2 (this vmsnapcheck reads 1)");
	expect_error("{\"schemaVersion\":1,\"vms\":{},\"vcenters\":[]}",
		     "facts.json: 'vms' must be an array");
	expect_error("{\"schemaVersion\":1,\"vms\":[]}", "facts.json: 'vcenters' must be an array");
	expect_error("{\"schemaVersion\":1,\"vms\":[42],\"vcenters\":[]}",
		     "facts.json: vms[0] must be an object, not an integer");
	expect_error("{\"schemaVersion\":1,\"vms\":[],\"vcenters\":[[]]}",
		     "facts.json: vcenters[0] must be an object, not an array");
	expect_error("{\"schemaVersion\":1,\"vms\":[],\"vcenters\":[{\"name\":7}]}",
		     "facts.json: vcenters[0]: 'name' must be a string, not an integer");
}

static void test_facts_json_malformed_vm(void **state)
{
	(void)state;
	expect_error("{\"schemaVersion\":1,\"vcenters\":[],\"vms\":[{\"vcenter\":\"vc\","
		     "\"moid\":\"vm-1\"}]}", "facts.json: vms[0]: 'name' is missing");
	expect_error("{\"schemaVersion\":1,\"vcenters\":[],\"vms\":[{\"name\":\"a\","
		     "\"moid\":\"vm-1\"}]}", "facts.json: vm 'a' (vms[0]): 'vcenter' is missing");
	expect_error("{\"schemaVersion\":1,\"vcenters\":[],\"vms\":[{\"name\":\"a\","
		     "\"vcenter\":\"v\",\"moid\":5}]}",
		     "facts.json: vm 'a' (vms[0]): 'moid' must be a string, not an integer");
	expect_vm_error("\"template\":\"yes\"",
			"facts.json: vm 'app-01' (vms[0]): 'template' must be true or false, not "
			"a string");
	expect_vm_error("\"powerState\":true",
			"facts.json: vm 'app-01' (vms[0]): 'powerState' must be a string, not a "
			"boolean");
	expect_vm_error("\"disks\":[{\"key\":1},{\"key\":2,\"capacityBytes\":\"40G\"}]",
			"facts.json: vm 'app-01' (vms[0]): 'disks[1].capacityBytes' must be an "
			"integer, not a string");
	expect_vm_error("\"disks\":[{\"key\":1.5}]",
			"facts.json: vm 'app-01' (vms[0]): 'disks[0].key' must be an integer, not "
			"a number");
	expect_vm_error("\"disks\":[{\"key\":4294967296}]",
			"facts.json: vm 'app-01' (vms[0]): 'disks[0].key' is out of range "
			"(-2147483648 to 2147483647)");
	expect_vm_error("\"disks\":[\"Hard disk 1\"]",
			"facts.json: vm 'app-01' (vms[0]): 'disks[0]' must be an object, not a "
			"string");
	expect_vm_error("\"disks\":{}",
			"facts.json: vm 'app-01' (vms[0]): 'disks' must be an array, not an "
			"object");
	expect_vm_error("\"controllers\":[{\"busNumber\":-1}]",
			"facts.json: vm 'app-01' (vms[0]): 'controllers[0].busNumber' is out of "
			"range (0 to 2147483647)");
	expect_vm_error("\"devices\":[{\"type\":[]}]",
			"facts.json: vm 'app-01' (vms[0]): 'devices[0].type' must be a string, not "
			"an array");
	expect_vm_error("\"volumes\":[{\"path\":\"/\",\"freeSpace\":true}]",
			"facts.json: vm 'app-01' (vms[0]): 'volumes[0].freeSpace' must be an "
			"integer, not a boolean");
	expect_vm_error("\"extraConfig\":{\"disk.EnableUUID\":true}",
			"facts.json: vm 'app-01' (vms[0]): 'extraConfig.disk.EnableUUID' must be a "
			"string, not a boolean");
	expect_vm_error("\"extraConfig\":[]",
			"facts.json: vm 'app-01' (vms[0]): 'extraConfig' must be an object, not an "
			"array");
	expect_vm_error("\"disabledMethods\":[\"CreateSnapshot_Task\",3]",
			"facts.json: vm 'app-01' (vms[0]): 'disabledMethods[1]' must be a string, "
			"not an integer");
	expect_vm_error("\"snapshots\":{\"count\":-1}",
			"facts.json: vm 'app-01' (vms[0]): 'snapshots.count' is out of range (0 to "
			"2147483647)");
	expect_vm_error("\"snapshots\":3",
			"facts.json: vm 'app-01' (vms[0]): 'snapshots' must be an object, not an "
			"integer");
	expect_vm_error("\"unreadable\":[{\"fault\":\"NoPermission\"}]",
			"facts.json: vm 'app-01' (vms[0]): 'unreadable[0]' needs a 'path'");
}

static void test_facts_json_visitor_stops(void **state)
{
	struct vmsc_vm_facts *vms[3] = { full_facts(), full_facts(), full_facts() };
	struct collected c = { .stop_after = 2 };
	struct vmsc_error err;
	char *doc = write_doc(vms, 3);

	(void)state;
	assert_int_equal(load(doc, &c, &err), -1);
	assert_int_equal(err.code, VMSC_E_INTERRUPTED);
	assert_string_equal(err.message, "facts.json: loading stopped");
	/* The visitor got (and owns) exactly the VMs it saw. */
	assert_int_equal(c.n_vms, 2);
	collected_release(&c);
	free(doc);
	for (size_t i = 0; i < 3; i++)
		vmsc_vm_facts_free(vms[i]);
}

static void test_facts_json_load_file(void **state)
{
	struct vmsc_vm_facts *f = full_facts();
	char path[] = "/tmp/vmsc-test-facts-XXXXXX";
	struct vmsc_facts_visitor v;
	struct collected c = { 0 };
	struct vmsc_error err = { 0 };
	char *doc = write_doc(&f, 1);
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, doc, strlen(doc)), (ssize_t)strlen(doc));
	close(fd);
	v = (struct vmsc_facts_visitor){ .vcenter = on_vcenter, .vm = on_vm, .ud = &c };
	assert_int_equal(vmsc_facts_load(path, &v, &err), 0);
	assert_int_equal(c.n_vms, 1);
	assert_facts_equal(f, c.vms[0]);
	unlink(path);

	assert_int_equal(vmsc_facts_load(path, &v, &err), -1);
	assert_int_equal(err.code, VMSC_E_IO);
	assert_non_null(strstr(err.message, "No such file or directory"));

	collected_release(&c);
	vmsc_vm_facts_free(f);
	free(doc);
}

static void test_facts_json_write_error(void **state)
{
	struct vmsc_vm_facts *f = full_facts();
	struct vmsc_facts_writer *w;
	struct vmsc_error err = { 0 };
	FILE *full = fopen("/dev/full", "w");

	(void)state;
	if (!full) {
		print_message("skip: cannot open /dev/full\n");
		skip();
	}
	setvbuf(full, NULL, _IONBF, 0);
	w = vmsc_facts_writer_new(full);
	assert_non_null(w);
	assert_int_equal(vmsc_facts_writer_add_vm(w, f), -1);
	assert_int_equal(vmsc_facts_writer_finish(w, NULL, 0, &err), -1);
	assert_int_equal(err.code, VMSC_E_IO);
	vmsc_facts_writer_free(w);
	fclose(full);
	vmsc_vm_facts_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_facts_json_round_trip),
		cmocka_unit_test(test_facts_json_every_table_row),
		cmocka_unit_test(test_facts_json_format),
		cmocka_unit_test(test_facts_json_no_vms),
		cmocka_unit_test(test_facts_json_absent_defaults),
		cmocka_unit_test(test_facts_json_forward_compatible),
		cmocka_unit_test(test_facts_json_times),
		cmocka_unit_test(test_facts_json_malformed_document),
		cmocka_unit_test(test_facts_json_malformed_vm),
		cmocka_unit_test(test_facts_json_visitor_stops),
		cmocka_unit_test(test_facts_json_load_file),
		cmocka_unit_test(test_facts_json_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
