/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Recorded RetrievePropertiesEx responses → facts, through the reader that
 * reads pages as they arrive (values.c): unknown device, backing, value and
 * fault types must not hide the known facts; a broken reply never reads as
 * a whole one.
 */
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

#include "vsphere/internal.h"

#define MAX_VMS 8

struct parsed {
	struct vmsc_vsphere c;
	xmlTextReaderPtr r;
	struct vmsc_vm_facts vms[MAX_VMS];
	size_t n;
	char *token;
	char *text;
	int rc;
	size_t token_seen_at;           /* objects read when the token was told, +1 */
};

static void told_token(void *ud, const char *token)
{
	struct parsed *p = ud;

	assert_non_null(token);
	p->token_seen_at = p->n + 1;
}

static int keep(void *ud, void *obj)
{
	struct parsed *p = ud;
	struct vmsc_vm_facts *f = obj;

	if (p->n == MAX_VMS) {
		vmsc_vm_facts_release(f);
		return -1;
	}
	p->vms[p->n++] = *f;
	return 0;
}

static char *slurp(const char *name)
{
	char path[1024];
	FILE *f;
	long n;
	char *buf;

	snprintf(path, sizeof(path), "%s/%s", VMSC_TEST_DATA, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void parse_text(struct parsed *p, size_t len)
{
	p->r = xmlReaderForMemory(p->text, (int)len, NULL, NULL, XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	assert_non_null(p->r);
	p->rc = vmsc_values_read_result(&p->c, p->r, "RetrievePropertiesExResponse", keep, p,
					&p->token, told_token, p);
}

static void parse_file(struct parsed *p, const char *name)
{
	memset(p, 0, sizeof(*p));
	p->text = slurp(name);
	parse_text(p, strlen(p->text));
}

static void parsed_release(struct parsed *p)
{
	if (p->c.reader)
		xmlFreeTextReader(p->c.reader);
	xmlFreeTextReader(p->r);
	for (size_t i = 0; i < p->n; i++)
		vmsc_vm_facts_release(&p->vms[i]);
	free(p->token);
	free(p->text);
}

static const struct vmsc_disk *disk_by_label(const struct vmsc_vm_facts *f, const char *label)
{
	for (size_t i = 0; i < f->n_disks; i++)
		if (f->disks[i].label && !strcmp(f->disks[i].label, label))
			return &f->disks[i];
	return NULL;
}

static void test_values_unknown_types_keep_known_facts(void **state)
{
	struct parsed p;
	struct vmsc_vm_facts f;
	const struct vmsc_disk *d;

	(void)state;
	parse_file(&p, "retrieve_unknown_types.xml");
	assert_int_equal(p.rc, VMSC_READ_OK);
	assert_non_null(p.token);
	assert_string_equal(p.token, "page-2");
	assert_int_equal(p.n, 2);
	/* told before any VM: the next page can be asked while this one is read */
	assert_int_equal(p.token_seen_at, 1);

	f = p.vms[0];
	assert_string_equal(f.moid, "vm-101");
	assert_string_equal(f.name, "backup/test & 100%");
	assert_string_equal(f.power_state, "poweredOn");
	assert_string_equal(f.connection_state, "connected");
	assert_int_equal(f.template_vm, VMSC_TRI_FALSE);
	assert_string_equal(f.guest_id, "windows2019srv_64Guest");
	assert_string_equal(f.tools_version_status, "guestToolsSupportedOld");
	assert_string_equal(f.tools_running_status, "guestToolsRunning");
	assert_int_equal(f.tools_installer_mounted, VMSC_TRI_TRUE);
	assert_int_equal(f.disk_uuid_enabled, VMSC_TRI_FALSE);
	assert_int_equal(f.quiesced_snapshots_supported, VMSC_TRI_TRUE);
	assert_int_equal(f.snapshot_operations_supported, VMSC_TRI_UNSET);
	assert_int_equal(f.consolidation_needed, VMSC_TRI_TRUE);
	/* <propSet> without <val>: unset, not configured */
	assert_int_equal(f.ft_configured, VMSC_TRI_UNSET);

	assert_int_equal(f.n_disabled_methods, 2);
	assert_string_equal(f.disabled_methods[1], "CreateSnapshot_Task");

	/* extraConfig: only the keys that matter, an unknown OptionValue subtype too */
	assert_string_equal(vmsc_vm_facts_extra_config(&f, "disk.enableuuid"), "FALSE");
	assert_string_equal(vmsc_vm_facts_extra_config(&f, "snapshot.quiesce"), "false");
	assert_null(vmsc_vm_facts_extra_config(&f, "svga.present"));

	/* devices: unknown device type skipped, unknown backing still read */
	assert_int_equal(f.n_disks, 3);
	assert_int_equal(f.hardware_read, VMSC_TRI_TRUE);
	d = disk_by_label(&f, "Hard disk 1");
	assert_non_null(d);
	assert_int_equal(d->backing_kind, VMSC_BACKING_FLAT);
	/* the parent backing's mode and sharing belong to the parent, not the disk */
	assert_string_equal(d->disk_mode, "persistent");
	assert_string_equal(d->sharing, "sharingNone");
	assert_int_equal(d->controller_key, 1000);
	assert_int_equal(d->unit_number, 0);
	assert_true(d->capacity_bytes == 42949672960LL);
	d = disk_by_label(&f, "Hard disk 2");
	assert_non_null(d);
	assert_int_equal(d->backing_kind, VMSC_BACKING_OTHER);
	assert_string_equal(d->backing_type, "VirtualDiskQuantumBackingInfo");
	assert_string_equal(d->disk_mode, "independent_persistent");
	assert_string_equal(d->sharing, "sharingMultiWriter");
	assert_true(d->capacity_bytes == 1073741824LL);
	d = disk_by_label(&f, "Hard disk 3");
	assert_non_null(d);
	assert_int_equal(d->backing_kind, VMSC_BACKING_RDM);
	assert_string_equal(d->compatibility_mode, "physicalMode");
	assert_int_equal(d->controller_key, 200);

	assert_int_equal(f.n_controllers, 2);
	assert_int_equal(f.controllers[0].kind, VMSC_CONTROLLER_IDE);
	assert_int_equal(f.controllers[0].key, 200);
	assert_int_equal(f.controllers[1].kind, VMSC_CONTROLLER_SCSI);
	assert_string_equal(f.controllers[1].shared_bus, "physicalSharing");
	assert_int_equal(f.controllers[1].bus_number, 0);

	assert_int_equal(f.n_devices, 1);
	assert_string_equal(f.devices[0].type, "VirtualPCIPassthrough");
	assert_string_equal(f.devices[0].label, "PCI device 0");

	assert_int_equal(f.n_volumes, 2);
	assert_string_equal(f.volumes[0].path, "C:\\");
	assert_string_equal(f.volumes[0].fs_type, "NTFS");
	assert_true(f.volumes[0].capacity == 107374182400LL);
	assert_true(f.volumes[0].free_space == 5368709120LL);
	assert_string_equal(f.volumes[1].path, "D:\\");
	assert_null(f.volumes[1].fs_type);

	/* snapshot tree: 4 nodes, chain of 3, two roots */
	assert_int_equal(f.snapshots.count, 4);
	assert_int_equal(f.snapshots.max_depth, 3);
	assert_int_equal(f.snapshots.quiesced_count, 2);
	assert_string_equal(f.snapshots.oldest_name, "base");
	assert_int_equal((long long)f.snapshots.oldest_time, 1793527200LL); /* 2026-11-01T10:00:00Z */
	assert_string_equal(f.snapshots.newest_name, "latest");
	assert_string_equal(f.snapshots.current_name, "latest");

	assert_int_equal(f.n_unreadable, 0);

	f = p.vms[1];
	assert_string_equal(f.name, "restricted-01");
	assert_string_equal(f.ft_state, "running");
	assert_int_equal(f.ft_configured, VMSC_TRI_TRUE);
	assert_int_equal(f.n_unreadable, 2);
	assert_string_equal(f.unreadable[0].path, "snapshot");
	assert_string_equal(f.unreadable[0].fault, "NoPermission");
	assert_string_equal(f.unreadable[0].message, "System.View");
	assert_string_equal(f.unreadable[1].fault, "SomeFutureFault");
	assert_int_equal(f.snapshots.count, 0);
	parsed_release(&p);
}

/* The second catalogue part's facts: new device types, backing parent and
 * keyId, data-object values read for one child (question, pmem). */
static void test_values_second_part_facts(void **state)
{
	struct parsed p;
	struct vmsc_vm_facts f;
	const struct vmsc_disk *d;

	(void)state;
	parse_file(&p, "retrieve_second_part.xml");
	assert_int_equal(p.rc, VMSC_READ_OK);
	assert_int_equal(p.n, 2);

	f = p.vms[0];
	assert_string_equal(f.hardware_version, "vmx-14");
	assert_non_null(strstr(f.guest_detailed_data, "kernelVersion='20348.2582'"));
	assert_int_equal(f.encrypted, VMSC_TRI_TRUE);
	assert_string_equal(f.question_text, "msg.hbacommon.outofspace:There is no more space for "
			    "virtual disk 'win-nvme-01-000001.vmdk'.\nYou might be able to continue "
			    "this session by freeing disk space.");
	assert_string_equal(f.pmem_snapshot_mode, "independent_eraseonrevert");
	assert_int_equal(f.cbt_enabled, VMSC_TRI_FALSE);

	assert_int_equal(f.n_disks, 2);
	d = disk_by_label(&f, "Hard disk 1");
	assert_non_null(d);
	/* the disk's own file and key, not its parent's */
	assert_string_equal(d->file_name, "[ds1] win-nvme-01/win-nvme-01-000001.vmdk");
	assert_string_equal(d->parent_file_name, "[ds1] win-nvme-01/win-nvme-01.vmdk");
	assert_string_equal(d->key_id, "11111111-2222-3333-4444-555555555555");
	d = disk_by_label(&f, "Hard disk 2");
	assert_non_null(d);
	assert_null(d->parent_file_name);
	assert_null(d->key_id);
	assert_int_equal(d->controller_key, 31000);

	/* controllers, with every device on them counted (the tape type is unknown,
	 * the CD-ROM comes before its controller) */
	assert_int_equal(f.n_controllers, 3);
	assert_int_equal(f.controllers[0].kind, VMSC_CONTROLLER_SCSI);
	assert_int_equal(f.controllers[0].used_units, 2);
	assert_int_equal(f.controllers[1].kind, VMSC_CONTROLLER_NVME);
	assert_string_equal(f.controllers[1].type, "VirtualNVMEController");
	assert_int_equal(f.controllers[1].used_units, 1);
	assert_int_equal(f.controllers[2].kind, VMSC_CONTROLLER_SATA);
	assert_string_equal(f.controllers[2].type, "VirtualAHCIController");
	assert_int_equal(f.controllers[2].key, 15000);
	assert_int_equal(f.controllers[2].used_units, 1);

	assert_int_equal(f.n_devices, 2);
	assert_string_equal(f.devices[0].type, "VirtualTPM");
	assert_string_equal(f.devices[0].label, "Virtual TPM");
	assert_string_equal(f.devices[1].type, "VirtualNVDIMM");
	assert_string_equal(f.devices[1].label, "NVDIMM 1");

	f = p.vms[1];
	assert_int_equal(f.encrypted, VMSC_TRI_UNSET);
	/* a question without text still waits */
	assert_string_equal(f.question_text, "(no question text)");
	assert_null(f.pmem_snapshot_mode);
	assert_int_equal(f.cbt_enabled, VMSC_TRI_TRUE);
	assert_null(f.hardware_version);
	parsed_release(&p);
}

/* Cut anywhere, a reply reads as broken, never as a shorter whole one. */
static void test_values_truncated_response_fails(void **state)
{
	struct parsed p;
	size_t len;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.text = slurp("retrieve_unknown_types.xml");
	len = strlen(p.text);
	for (size_t cut = 0; cut < len - 1; cut += 37) {
		parse_text(&p, cut);
		assert_int_not_equal(p.rc, VMSC_READ_OK);
		assert_null(p.token);
		xmlFreeTextReader(p.r);
		for (size_t i = 0; i < p.n; i++)
			vmsc_vm_facts_release(&p.vms[i]);
		p.n = 0;
	}
	p.r = NULL;
	parsed_release(&p);
}

/* The same bytes in another namespace, or another reply, are not a page. */
static void test_values_wrong_reply(void **state)
{
	static const char *const replies[] = {
		"<?xml version=\"1.0\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\">"
		"<soapenv:Body><RetrievePropertiesExResponse xmlns=\"urn:elsewhere\"><returnval>"
		"<objects><obj type=\"VirtualMachine\">vm-1</obj></objects></returnval>"
		"</RetrievePropertiesExResponse></soapenv:Body></soapenv:Envelope>",
		"<?xml version=\"1.0\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\">"
		"<soapenv:Body><LoginResponse xmlns=\"urn:vim25\"/></soapenv:Body></soapenv:Envelope>",
		"<Envelope><Body><RetrievePropertiesExResponse xmlns=\"urn:vim25\"/></Body></Envelope>",
		"<?xml version=\"1.0\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\">"
		"<soapenv:Body></soapenv:Body></soapenv:Envelope>",
	};
	struct parsed p;

	(void)state;
	for (size_t i = 0; i < sizeof(replies) / sizeof(replies[0]); i++) {
		memset(&p, 0, sizeof(p));
		p.text = strdup(replies[i]);
		parse_text(&p, strlen(p.text));
		assert_int_equal(p.rc, VMSC_READ_UNEXPECTED);
		assert_int_equal(p.n, 0);
		parsed_release(&p);
	}
	/* a fault is told apart, for the caller to read */
	memset(&p, 0, sizeof(p));
	p.text = strdup("<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\">"
			"<soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode>"
			"</soapenv:Fault></soapenv:Body></soapenv:Envelope>");
	parse_text(&p, strlen(p.text));
	assert_int_equal(p.rc, VMSC_READ_FAULT);
	parsed_release(&p);
}

static void test_values_datetime(void **state)
{
	(void)state;
	assert_int_equal((long long)vmsc_parse_datetime("1970-01-01T00:00:00Z"), 0);
	assert_int_equal((long long)vmsc_parse_datetime("2026-11-20T08:00:00+01:00"),
			 (long long)vmsc_parse_datetime("2026-11-20T07:00:00Z"));
	assert_int_equal((long long)vmsc_parse_datetime("2026-11-20T07:00:00.999999Z"),
			 (long long)vmsc_parse_datetime("2026-11-20T07:00:00Z"));
	assert_int_equal((long long)vmsc_parse_datetime("2026-13-20T07:00:00Z"), -1);
	assert_int_equal((long long)vmsc_parse_datetime("yesterday"), -1);
	assert_int_equal((long long)vmsc_parse_datetime(NULL), -1);
}

static void test_values_fault_detail(void **state)
{
	xmlTextReaderPtr r = NULL;
	char *type, *msg;

	(void)state;
	vmsc_values_read_fault(&r, "<InvalidLoginFault xmlns=\"urn:vim25\" xsi:type=\"InvalidLogin\">"
				  "</InvalidLoginFault>", &type, &msg);
	assert_string_equal(type, "InvalidLogin");
	assert_null(msg);
	free(type);
	vmsc_values_read_fault(&r, "<NotAuthenticatedFault xmlns=\"urn:vim25\"><object>x</object>"
				  "<privilegeId>System.View</privilegeId></NotAuthenticatedFault>",
			       &type, &msg);
	assert_string_equal(type, "NotAuthenticated");
	assert_string_equal(msg, "System.View");
	free(type);
	free(msg);
	vmsc_values_read_fault(&r, "not xml at all <", &type, &msg);
	assert_null(type);
	vmsc_values_read_fault(&r, NULL, &type, &msg);
	assert_null(type);
	xmlFreeTextReader(r);
}

/* --- the field table drives the reader -------------------------------------- */

#define REPLY_HEAD \
	"<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" " \
	"xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>" \
	"<RetrievePropertiesExResponse xmlns=\"urn:vim25\"><returnval><objects>" \
	"<obj type=\"VirtualMachine\">vm-7</obj><propSet><name>"
#define REPLY_TAIL \
	"</propSet></objects></returnval></RetrievePropertiesExResponse></soapenv:Body>" \
	"</soapenv:Envelope>"

/* One VM with one property; *debug gets what the reader said on stderr. */
static void parse_property(struct parsed *p, const char *path, const char *val, char *debug,
			   size_t size)
{
	FILE *tmp = tmpfile();
	int saved = dup(2);
	size_t n;

	assert_non_null(tmp);
	memset(p, 0, sizeof(*p));
	assert_true(asprintf(&p->text, REPLY_HEAD "%s</name>%s" REPLY_TAIL, path, val) > 0);
	p->c.opts.debug = true;
	fflush(stderr);
	assert_true(dup2(fileno(tmp), 2) >= 0);
	parse_text(p, strlen(p->text));
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(debug, 1, size - 1, tmp);
	debug[n] = '\0';
	fclose(tmp);
	assert_int_equal(p->rc, VMSC_READ_OK);
	assert_int_equal(p->n, 1);
}

/* Every vim25 path in the table is read by something, none is ignored. */
static void test_values_every_table_path_read(void **state)
{
	const struct vmsc_fact_record *rec = &vmsc_vm_fact_record;
	char debug[4096];
	struct parsed p;

	(void)state;
	for (size_t i = 0; i < rec->n_fields; i++) {
		if (!rec->fields[i].path)
			continue;
		parse_property(&p, rec->fields[i].path, "<val>x</val>", debug, sizeof(debug));
		if (strstr(debug, "ignoring property"))
			fail_msg("values.c ignores '%s' (row '%s')", rec->fields[i].path,
				 rec->fields[i].json);
		parsed_release(&p);
	}
	/* and the check can fail */
	parse_property(&p, "config.noSuchThing", "<val>x</val>", debug, sizeof(debug));
	assert_non_null(strstr(debug, "ignoring property 'config.noSuchThing'"));
	parsed_release(&p);
}

/* A plain row is read by its type alone: one row is all a new fact needs. */
static void test_values_plain_rows_by_type(void **state)
{
	const struct vmsc_fact_record *rec = &vmsc_vm_fact_record;
	char debug[4096];
	struct parsed p;
	size_t tested = 0;

	(void)state;
	for (size_t i = 0; i < rec->n_fields; i++) {
		const struct vmsc_fact_field *fd = &rec->fields[i];
		const char *val = NULL;
		struct vmsc_vm_facts *f;

		if (!fd->path || (fd->flags & VMSC_FACT_DERIVED))
			continue;
		if (fd->flags & VMSC_FACT_PRESENCE)
			val = "<val xsi:type=\"X\"><a>1</a></val>";
		else if (fd->type == VMSC_FACT_STRING)
			val = "<val xsi:type=\"xsd:string\">a%2fb &amp; c</val>";
		else if (fd->type == VMSC_FACT_TRI)
			val = "<val xsi:type=\"xsd:boolean\">true</val>";
		else if (fd->type == VMSC_FACT_INT || fd->type == VMSC_FACT_LLONG)
			val = "<val xsi:type=\"xsd:int\">42</val>";
		else if (fd->type == VMSC_FACT_TIME)
			val = "<val xsi:type=\"xsd:dateTime\">2024-05-01T12:00:00Z</val>";
		else if (fd->type == VMSC_FACT_STRINGS)
			val = "<val xsi:type=\"ArrayOfString\"><string>a</string><string>b</string></val>";
		if (!val)
			continue;
		parse_property(&p, fd->path, val, debug, sizeof(debug));
		f = &p.vms[0];
		switch (fd->type) {
		case VMSC_FACT_STRING:
			assert_string_equal(*VMSC_FACT_AT(f, fd, char *),
					    (fd->flags & VMSC_FACT_VSPHERE_NAME) ? "a/b & c"
										 : "a%2fb & c");
			break;
		case VMSC_FACT_TRI:
			assert_int_equal(*VMSC_FACT_AT(f, fd, enum vmsc_tri), VMSC_TRI_TRUE);
			break;
		case VMSC_FACT_INT:
			assert_int_equal(*VMSC_FACT_AT(f, fd, int), 42);
			break;
		case VMSC_FACT_LLONG:
			assert_true(*VMSC_FACT_AT(f, fd, long long) == 42);
			break;
		case VMSC_FACT_TIME:
			assert_true(*VMSC_FACT_AT(f, fd, time_t) == 1714564800);
			break;
		case VMSC_FACT_STRINGS:
			assert_int_equal(*VMSC_FACT_COUNT(f, fd), 2);
			assert_string_equal((*VMSC_FACT_AT(f, fd, char **))[1], "b");
			break;
		default:
			break;
		}
		tested++;
		parsed_release(&p);

		/* no value: absent (an empty enum too) */
		parse_property(&p, fd->path, "<val/>", debug, sizeof(debug));
		if (!(fd->flags & VMSC_FACT_VSPHERE_NAME))
			assert_true(vmsc_fact_field_absent(fd, &p.vms[0]));
		parsed_release(&p);
	}
	assert_true(tested >= 18);
}

/* --- snapshot list, custom attributes ------------------------------------------ */

/* The snapshot tree's nodes are listed, depth first, with their depth. */
static void test_values_snapshot_list(void **state)
{
	struct parsed p;
	const struct vmsc_snapshot_summary *s;

	(void)state;
	parse_file(&p, "retrieve_unknown_types.xml");
	assert_int_equal(p.rc, VMSC_READ_OK);
	s = &p.vms[0].snapshots;
	assert_int_equal(s->n_list, (size_t)s->count);
	for (size_t i = 0; i < s->n_list; i++) {
		assert_non_null(s->list[i].name);
		assert_true(s->list[i].depth >= 1 && s->list[i].depth <= s->max_depth);
		assert_true(s->list[i].created > 0);
		if (!strcmp(s->list[i].name, "base")) {
			assert_int_equal(s->list[i].depth, 1);
			assert_int_equal((long long)s->list[i].created, 1793527200LL);
		}
	}
	parsed_release(&p);
}

/* customValue keys are named by the vCenter's definitions (VM and global
 * ones); values of unknown keys are dropped; a later value replaces one. */
/* Keyed paths: the OptionValue itself, into the same extraConfig facts; a key
 * the VM lacks (missingSet, InvalidProperty) is not set, other faults unreadable. */
static void test_values_keyed_paths(void **state)
{
	struct parsed p;

	(void)state;
	parse_file(&p, "retrieve_keyed_paths.xml");
	assert_int_equal(p.rc, VMSC_READ_OK);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.vms[0].n_extra_config, 2);
	assert_string_equal(vmsc_vm_facts_extra_config(&p.vms[0], "disk.EnableUUID"), "FALSE");
	assert_string_equal(vmsc_vm_facts_extra_config(&p.vms[0], "snapshot.maxSnapshots"), "0");
	assert_null(vmsc_vm_facts_extra_config(&p.vms[0], "snapshot.quiesce"));
	assert_int_equal(p.vms[0].n_unreadable, 0);
	assert_int_equal(p.c.keyed_values, 2);
	assert_int_equal(p.vms[1].n_extra_config, 0);
	assert_int_equal(p.vms[1].n_unreadable, 1);
	assert_string_equal(p.vms[1].unreadable[0].path, "config.extraConfig[\"disk.EnableUUID\"]");
	assert_string_equal(p.vms[1].unreadable[0].fault, "NoPermission");
	parsed_release(&p);
}

static void test_values_custom_values(void **state)
{
	static const char defs[] =
		"<val xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
		"xsi:type=\"ArrayOfCustomFieldDef\">"
		"<CustomFieldDef><key>101</key><name>Last Backup</name><type>string</type>"
		"<managedObjectType>VirtualMachine</managedObjectType></CustomFieldDef>"
		"<CustomFieldDef><key>102</key><name>Owner</name><type>string</type></CustomFieldDef>"
		"<CustomFieldDef><key>103</key><name>Rack</name><type>string</type>"
		"<managedObjectType>HostSystem</managedObjectType></CustomFieldDef>"
		"<CustomFieldDef><key>x</key><name>Broken</name></CustomFieldDef></val>";
	static const char val[] =
		"<val xsi:type=\"ArrayOfCustomFieldValue\">"
		"<CustomFieldValue xsi:type=\"CustomFieldStringValue\"><key>101</key>"
		"<value>2024-05-10T01:00:05Z</value></CustomFieldValue>"
		"<CustomFieldValue xsi:type=\"CustomFieldStringValue\"><key>102</key>"
		"<value>ops &amp; dev</value></CustomFieldValue>"
		"<CustomFieldValue xsi:type=\"CustomFieldStringValue\"><key>103</key>"
		"<value>r1</value></CustomFieldValue>"
		"<CustomFieldValue xsi:type=\"CustomFieldStringValue\"><key>999</key>"
		"<value>unknown</value></CustomFieldValue>"
		"<CustomFieldValue xsi:type=\"CustomFieldStringValue\"><key>102</key>"
		"<value>ops</value></CustomFieldValue>"
		"<CustomFieldValue xsi:type=\"NewerValueType\"><key>101</key></CustomFieldValue>"
		"</val>";
	struct parsed p;
	const struct vmsc_vm_facts *f;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(vmsc_values_read_custom_fields(&p.c, defs), 0);
	assert_int_equal(p.c.n_custom_fields, 2);
	assert_true(asprintf(&p.text, REPLY_HEAD "customValue</name>%s" REPLY_TAIL, val) > 0);
	parse_text(&p, strlen(p.text));
	assert_int_equal(p.rc, VMSC_READ_OK);
	f = &p.vms[0];
	assert_int_equal(f->n_custom_values, 2);
	assert_string_equal(f->custom_values[0].key, "Last Backup");
	assert_string_equal(f->custom_values[0].value, ""); /* the later, valueless one */
	assert_string_equal(f->custom_values[1].key, "Owner");
	assert_string_equal(f->custom_values[1].value, "ops");
	parsed_release(&p);
	for (size_t i = 0; i < p.c.n_custom_fields; i++)
		free(p.c.custom_fields[i].name);
	free(p.c.custom_fields);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_unknown_types_keep_known_facts),
		cmocka_unit_test(test_values_second_part_facts),
		cmocka_unit_test(test_values_truncated_response_fails),
		cmocka_unit_test(test_values_wrong_reply),
		cmocka_unit_test(test_values_datetime),
		cmocka_unit_test(test_values_fault_detail),
		cmocka_unit_test(test_values_every_table_path_read),
		cmocka_unit_test(test_values_plain_rows_by_type),
		cmocka_unit_test(test_values_snapshot_list),
		cmocka_unit_test(test_values_custom_values),
		cmocka_unit_test(test_values_keyed_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
