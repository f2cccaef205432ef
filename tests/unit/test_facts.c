/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_util.h"

#include "vmsnapcheck/datastores.h"
#include "vmsnapcheck/facts.h"

static void check_decode(const char *in, const char *want)
{
	char *s = strdup(in);

	assert_non_null(s);
	vmsc_name_decode(s);
	assert_string_equal(s, want);
	free(s);
}

static void test_facts_name_decode(void **state)
{
	(void)state;
	check_decode("plain", "plain");
	check_decode("a%2fb", "a/b");
	check_decode("a%2Fb%5Cc%5cd", "a/b\\c\\d");
	check_decode("100%25", "100%");
	/* %25 decodes once: "%252f" is a literal "%2f" in the VM's name. */
	check_decode("x%252fy", "x%2fy");
	/* Only the three escapes vSphere produces. */
	check_decode("%41%20", "%41%20");
	check_decode("trailing%2", "trailing%2");
	check_decode("%", "%");
	check_decode("", "");
	check_decode("caf\xc3\xa9%2f", "caf\xc3\xa9/");
	vmsc_name_decode(NULL);
}

static void test_facts_backing_kinds(void **state)
{
	static const struct {
		const char *type;
		enum vmsc_backing_kind kind;
	} cases[] = {
		{ "VirtualDiskFlatVer1BackingInfo", VMSC_BACKING_FLAT },
		{ "VirtualDiskFlatVer2BackingInfo", VMSC_BACKING_FLAT },
		{ "VirtualDiskSparseVer1BackingInfo", VMSC_BACKING_SPARSE },
		{ "VirtualDiskSparseVer2BackingInfo", VMSC_BACKING_SPARSE },
		{ "VirtualDiskSeSparseBackingInfo", VMSC_BACKING_SESPARSE },
		{ "VirtualDiskRawDiskMappingVer1BackingInfo", VMSC_BACKING_RDM },
		{ "VirtualDiskRawDiskVer2BackingInfo", VMSC_BACKING_RAW_DISK },
		{ "VirtualDiskPartitionedRawDiskVer2BackingInfo", VMSC_BACKING_PARTITIONED_RAW },
		{ "vim25:VirtualDiskFlatVer2BackingInfo", VMSC_BACKING_FLAT },
		{ "VirtualDiskLocalPMemBackingInfo", VMSC_BACKING_OTHER },
		{ "VirtualDiskSomethingFromTheFuture", VMSC_BACKING_OTHER },
		{ "", VMSC_BACKING_OTHER },
		{ NULL, VMSC_BACKING_OTHER },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(vmsc_backing_kind_from_type(cases[i].type), cases[i].kind);
	assert_string_equal(vmsc_backing_kind_name(VMSC_BACKING_OTHER), "other");
	assert_string_equal(vmsc_backing_kind_name(VMSC_BACKING_FLAT), "flat");
	assert_string_equal(vmsc_backing_kind_name(VMSC_BACKING_RDM), "rdm");
	assert_string_equal(vmsc_backing_kind_name(VMSC_BACKING_RAW_DISK), "raw-disk");
	assert_string_equal(vmsc_backing_kind_name((enum vmsc_backing_kind)99), "other");
	/* Every name maps back to its kind. */
	for (i = VMSC_BACKING_OTHER; i <= VMSC_BACKING_PARTITIONED_RAW; i++)
		assert_int_equal(vmsc_backing_kind_from_name(vmsc_backing_kind_name(i)), (int)i);
	assert_int_equal(vmsc_backing_kind_from_name("floppy"), -1);
	assert_int_equal(vmsc_backing_kind_from_name(NULL), -1);
}

static void test_facts_controller_kinds(void **state)
{
	static const struct {
		const char *type;
		enum vmsc_controller_kind kind;
	} cases[] = {
		{ "ParaVirtualSCSIController", VMSC_CONTROLLER_SCSI },
		{ "VirtualLsiLogicController", VMSC_CONTROLLER_SCSI },
		{ "VirtualLsiLogicSASController", VMSC_CONTROLLER_SCSI },
		{ "VirtualBusLogicController", VMSC_CONTROLLER_SCSI },
		{ "VirtualIDEController", VMSC_CONTROLLER_IDE },
		{ "VirtualAHCIController", VMSC_CONTROLLER_SATA },
		{ "VirtualNVMEController", VMSC_CONTROLLER_NVME },
		{ "VirtualUSBXHCIController", VMSC_CONTROLLER_OTHER },
		{ "VirtualPCIController", VMSC_CONTROLLER_OTHER },
		{ "virtualidecontroller", VMSC_CONTROLLER_OTHER },
		{ NULL, VMSC_CONTROLLER_OTHER },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(vmsc_controller_kind_from_type(cases[i].type), cases[i].kind);
	assert_string_equal(vmsc_controller_kind_name(VMSC_CONTROLLER_SCSI), "scsi");
	assert_string_equal(vmsc_controller_kind_name(VMSC_CONTROLLER_IDE), "ide");
	assert_string_equal(vmsc_controller_kind_name(VMSC_CONTROLLER_SATA), "sata");
	assert_string_equal(vmsc_controller_kind_name(VMSC_CONTROLLER_NVME), "nvme");
	assert_string_equal(vmsc_controller_kind_name(VMSC_CONTROLLER_OTHER), "other");
	for (i = VMSC_CONTROLLER_OTHER; i <= VMSC_CONTROLLER_NVME; i++)
		assert_int_equal(vmsc_controller_kind_from_name(vmsc_controller_kind_name(i)),
				 (int)i);
	assert_int_equal(vmsc_controller_kind_from_name("usb"), -1);
}

static void test_facts_tri_names(void **state)
{
	(void)state;
	assert_string_equal(vmsc_tri_name(VMSC_TRI_UNSET), "unset");
	assert_string_equal(vmsc_tri_name(VMSC_TRI_FALSE), "false");
	assert_string_equal(vmsc_tri_name(VMSC_TRI_TRUE), "true");
}

static void test_facts_is_windows(void **state)
{
	struct vmsc_vm_facts f = { 0 };

	(void)state;
	assert_false(vmsc_vm_facts_is_windows(&f));
	assert_false(vmsc_vm_facts_is_windows(NULL));
	f.guest_id = "windows2019srv_64Guest";
	assert_true(vmsc_vm_facts_is_windows(&f));
	f.guest_id = "winNetStandardGuest";
	assert_true(vmsc_vm_facts_is_windows(&f));
	f.guest_id = "rhel8_64Guest";
	assert_false(vmsc_vm_facts_is_windows(&f));
	f.guest_family = "linuxGuest";
	assert_false(vmsc_vm_facts_is_windows(&f));
	/* A VM configured as "other" whose running Tools report Windows. */
	f.guest_id = "otherGuest64";
	f.guest_family = "windowsGuest";
	assert_true(vmsc_vm_facts_is_windows(&f));
	f.guest_id = NULL;
	assert_true(vmsc_vm_facts_is_windows(&f));
	f.guest_family = "darwinGuestFamily";
	assert_false(vmsc_vm_facts_is_windows(&f));
}

static void test_facts_extra_config(void **state)
{
	struct vmsc_vm_facts *f = vmsc_vm_facts_new();

	(void)state;
	assert_non_null(f);
	assert_null(vmsc_vm_facts_extra_config(f, "disk.EnableUUID"));
	f->extra_config = calloc(2, sizeof(*f->extra_config));
	assert_non_null(f->extra_config);
	f->extra_config[0].key = strdup("disk.EnableUUID");
	f->extra_config[0].value = strdup("TRUE");
	f->extra_config[1].key = strdup("snapshot.maxSnapshots");
	f->extra_config[1].value = strdup("0");
	f->n_extra_config = 2;
	assert_string_equal(vmsc_vm_facts_extra_config(f, "disk.enableuuid"), "TRUE");
	assert_string_equal(vmsc_vm_facts_extra_config(f, "SNAPSHOT.MAXSNAPSHOTS"), "0");
	assert_null(vmsc_vm_facts_extra_config(f, "guestinfo.userdata"));
	assert_null(vmsc_vm_facts_extra_config(f, NULL));
	assert_null(vmsc_vm_facts_extra_config(NULL, "x"));
	vmsc_vm_facts_free(f);
	vmsc_vm_facts_free(NULL);
}

static void test_facts_extra_config_wanted(void **state)
{
	(void)state;
	assert_true(vmsc_facts_extra_config_wanted("disk.EnableUUID"));
	assert_true(vmsc_facts_extra_config_wanted("disk.enableUUID"));
	assert_true(vmsc_facts_extra_config_wanted("snapshot.maxSnapshots"));
	assert_true(vmsc_facts_extra_config_wanted("snapshot.quiesce"));
	assert_true(vmsc_facts_extra_config_wanted("vmbackup.scriptTimeout"));
	assert_true(vmsc_facts_extra_config_wanted("tools.upgrade.policy"));
	/* Secrets and noise stay out of facts. */
	assert_false(vmsc_facts_extra_config_wanted("guestinfo.userdata"));
	assert_false(vmsc_facts_extra_config_wanted("guestinfo.metadata"));
	assert_false(vmsc_facts_extra_config_wanted("nvram"));
	assert_false(vmsc_facts_extra_config_wanted("tools.syncTime"));
	assert_false(vmsc_facts_extra_config_wanted("snapshot"));
	assert_false(vmsc_facts_extra_config_wanted("disk.EnableUUIDx"));
	assert_false(vmsc_facts_extra_config_wanted(""));
	assert_false(vmsc_facts_extra_config_wanted(NULL));
}

static void test_facts_release_zeroes(void **state)
{
	struct vmsc_vm_facts f = { 0 };

	(void)state;
	f.name = strdup("vm");
	f.disks = calloc(1, sizeof(*f.disks));
	f.disks[0].label = strdup("Hard disk 1");
	f.n_disks = 1;
	f.controllers = calloc(1, sizeof(*f.controllers));
	f.controllers[0].label = strdup("SCSI controller 0");
	f.n_controllers = 1;
	f.disabled_methods = calloc(1, sizeof(char *));
	f.disabled_methods[0] = strdup("CreateSnapshot_Task");
	f.n_disabled_methods = 1;
	f.snapshots.oldest_name = strdup("s");
	f.read_at = 42;
	vmsc_vm_facts_release(&f);
	assert_null(f.name);
	assert_null(f.disks);
	assert_int_equal(f.n_disks, 0);
	assert_int_equal(f.read_at, 0);
	vmsc_vm_facts_release(&f); /* twice is harmless */
	vmsc_vm_facts_release(NULL);
}

/* --- the field table ------------------------------------------------------- */

#define FACTS_MD VMSC_TEST_DATA "/../../docs/facts.md"

/* The type column docs/facts.md gives a field. */
static void doc_type(const struct vmsc_fact_field *fd, char *buf, size_t size)
{
	const char *t = "?";

	switch (fd->type) {
	case VMSC_FACT_STRING: t = "string"; break;
	case VMSC_FACT_TRI: t = "bool"; break;
	case VMSC_FACT_INT:
	case VMSC_FACT_LLONG: t = "int"; break;
	case VMSC_FACT_TIME: t = "time"; break;
	case VMSC_FACT_KIND: t = "string"; break;
	case VMSC_FACT_STRINGS: t = "[string]"; break;
	case VMSC_FACT_OPTIONS: t = "{string: string}"; break;
	case VMSC_FACT_OBJECT: t = "object"; break;
	case VMSC_FACT_LIST:
		snprintf(buf, size, "[%s]", fd->record->name);
		return;
	}
	snprintf(buf, size, "%s%s", t, (fd->flags & VMSC_FACT_REQUIRED) ? ", required" : "");
}

/* The lines of a record's section: "## `vms[]`" for the VM, "**disk**" for
 * a disk, up to the next heading.  Copied into a new string. */
static char *doc_section(const char *md, const struct vmsc_fact_record *rec)
{
	char head[64];
	const char *start, *end, *p;
	char *out;

	if (strcmp(rec->name, "vm") == 0)
		snprintf(head, sizeof(head), "\n## `vms[]`\n");
	else
		snprintf(head, sizeof(head), "\n**%s**", rec->name);
	start = strstr(md, head);
	if (!start)
		return NULL;
	start += strlen(head);
	end = start + strlen(start);
	for (p = start; (p = strchr(p, '\n')) != NULL; p++) {
		if (strncmp(p + 1, "**", 2) == 0 || strncmp(p + 1, "## ", 3) == 0) {
			end = p;
			break;
		}
	}
	out = strndup(start, (size_t)(end - start));
	assert_non_null(out);
	return out;
}

/* The table row "| `key` | type | source | absent |" of a section, as its cells. */
static int doc_row(const char *section, const char *key, char cells[4][256])
{
	char want[128];
	const char *p, *eol;
	size_t i = 0;

	snprintf(want, sizeof(want), "\n| `%s` |", key);
	p = strstr(section, want);
	if (!p)
		return 0;
	p += 2;
	eol = strchr(p, '\n');
	if (!eol)
		eol = p + strlen(p);
	while (i < 4 && p < eol) {
		const char *bar = memchr(p, '|', (size_t)(eol - p));
		size_t n;

		if (!bar)
			bar = eol;
		while (*p == ' ')
			p++;
		n = (size_t)(bar - p);
		while (n > 0 && p[n - 1] == ' ')
			n--;
		snprintf(cells[i++], 256, "%.*s", (int)n, p);
		p = bar + 1;
	}
	return i >= 3;
}

static int check_record_documented(const char *md, const struct vmsc_fact_record *rec)
{
	char *section = doc_section(md, rec), cells[4][256], type[64], src[128], key[128];
	const char *p;
	int bad = 0;

	if (!section) {
		print_error("docs/facts.md has no section for '%s' records\n", rec->name);
		return 1;
	}
	for (size_t i = 0; i < rec->n_fields; i++) {
		const struct vmsc_fact_field *fd = &rec->fields[i];

		if (!doc_row(section, fd->json, cells)) {
			print_error("docs/facts.md: %s: no row for '%s'\n", rec->name, fd->json);
			bad++;
			continue;
		}
		doc_type(fd, type, sizeof(type));
		if (strcmp(cells[1], type) != 0) {
			print_error("docs/facts.md: %s.%s: type '%s', the table says '%s'\n",
				    rec->name, fd->json, cells[1], type);
			bad++;
		}
		snprintf(src, sizeof(src), "`%s`", fd->path ? fd->path : "");
		if (fd->path && !strstr(cells[2], src)) {
			print_error("docs/facts.md: %s.%s: source does not name %s\n", rec->name,
				    fd->json, src);
			bad++;
		}
		if (fd->type == VMSC_FACT_LIST || fd->type == VMSC_FACT_OBJECT)
			bad += check_record_documented(md, fd->record);
	}
	/* and no row for a field that is gone */
	for (p = section; (p = strstr(p, "\n| `")) != NULL; p++) {
		const char *q = p + 4, *tick = strchr(q, '`');
		size_t i;

		assert_non_null(tick);
		snprintf(key, sizeof(key), "%.*s", (int)(tick - q), q);
		for (i = 0; i < rec->n_fields; i++)
			if (strcmp(rec->fields[i].json, key) == 0)
				break;
		if (i == rec->n_fields) {
			print_error("docs/facts.md: %s: row '%s' is not in the field table\n",
				    rec->name, key);
			bad++;
		}
	}
	free(section);
	return bad;
}

static void test_facts_table_documented(void **state)
{
	char *md = test_read_file(FACTS_MD, NULL);

	(void)state;
	assert_int_equal(check_record_documented(md, &vmsc_vm_fact_record), 0);
	assert_int_equal(check_record_documented(md, &vmsc_datastore_fact_record), 0);
	free(md);
}

static int check_record_sane(const struct vmsc_fact_record *rec, int top)
{
	int bad = 0;

	assert_non_null(rec->name);
	assert_true(rec->size > 0);
	for (size_t i = 0; i < rec->n_fields; i++) {
		const struct vmsc_fact_field *fd = &rec->fields[i];

		assert_non_null(fd->json);
		for (size_t j = 0; j < i; j++)
			if (strcmp(rec->fields[j].json, fd->json) == 0) {
				print_error("%s: key '%s' twice\n", rec->name, fd->json);
				bad++;
			}
		if (fd->offset >= rec->size) {
			print_error("%s.%s: offset outside the record\n", rec->name, fd->json);
			bad++;
		}
		switch (fd->type) {
		case VMSC_FACT_INT:
		case VMSC_FACT_LLONG:
			/* records are zeroed by whoever makes them (values.c, callers) */
			if (top && fd->absent != 0) {
				print_error("vm.%s: a VM's int facts must be absent at 0\n", fd->json);
				bad++;
			}
			if (fd->absent < fd->min) {
				print_error("%s.%s: absent below min\n", rec->name, fd->json);
				bad++;
			}
			break;
		case VMSC_FACT_KIND:
			assert_non_null(fd->kind);
			break;
		case VMSC_FACT_STRINGS:
		case VMSC_FACT_OPTIONS:
			assert_true(fd->count_offset != fd->offset);
			break;
		case VMSC_FACT_LIST:
			assert_true(fd->count_offset != fd->offset);
			/* fall through */
		case VMSC_FACT_OBJECT:
			assert_non_null(fd->record);
			bad += check_record_sane(fd->record, 0);
			break;
		default:
			break;
		}
		if ((fd->flags & VMSC_FACT_PRESENCE) && fd->type != VMSC_FACT_TRI) {
			print_error("%s.%s: PRESENCE needs a tri-state\n", rec->name, fd->json);
			bad++;
		}
	}
	return bad;
}

static void test_facts_table_sane(void **state)
{
	(void)state;
	assert_int_equal(check_record_sane(&vmsc_vm_fact_record, 1), 0);
}

/* What a zeroed record holds is absent, field by field. */
static void test_facts_table_zero_is_absent(void **state)
{
	struct vmsc_vm_facts f = { 0 };
	const struct vmsc_fact_record *rec = &vmsc_vm_fact_record;

	(void)state;
	for (size_t i = 0; i < rec->n_fields; i++)
		if (!(rec->fields[i].flags & VMSC_FACT_OMIT_NEGATIVE))
			assert_true(vmsc_fact_field_absent(&rec->fields[i], &f));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_facts_name_decode),
		cmocka_unit_test(test_facts_backing_kinds),
		cmocka_unit_test(test_facts_controller_kinds),
		cmocka_unit_test(test_facts_tri_names),
		cmocka_unit_test(test_facts_is_windows),
		cmocka_unit_test(test_facts_extra_config),
		cmocka_unit_test(test_facts_extra_config_wanted),
		cmocka_unit_test(test_facts_release_zeroes),
		cmocka_unit_test(test_facts_table_documented),
		cmocka_unit_test(test_facts_table_sane),
		cmocka_unit_test(test_facts_table_zero_is_absent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
