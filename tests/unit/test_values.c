/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Recorded RetrievePropertiesEx responses → facts, through the reader that
 * reads pages as they arrive (values.c): unknown device, backing, value and
 * fault types must not hide the known facts; a broken reply never reads as
 * a whole one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int keep(void *ud, struct vmsc_vm_facts *f)
{
	struct parsed *p = ud;

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_unknown_types_keep_known_facts),
		cmocka_unit_test(test_values_truncated_response_fails),
		cmocka_unit_test(test_values_wrong_reply),
		cmocka_unit_test(test_values_datetime),
		cmocka_unit_test(test_values_fault_detail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
