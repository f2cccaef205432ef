/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The level a probe reached (probe-downgraded): from the quiesced flag and
 * the names in the VSS manifest zip. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vmsnapcheck/probe_level.h"

/* ---- a stored (uncompressed, empty-bodied) zip built in memory -------- */

struct zbuf {
	unsigned char b[8192];
	size_t n;
};

static void put16(struct zbuf *z, unsigned v)
{
	z->b[z->n++] = v & 0xff;
	z->b[z->n++] = (v >> 8) & 0xff;
}

static void put32(struct zbuf *z, uint32_t v)
{
	put16(z, v & 0xffff);
	put16(z, v >> 16);
}

static void put(struct zbuf *z, const char *s)
{
	memcpy(z->b + z->n, s, strlen(s));
	z->n += strlen(s);
}

static void make_zip(struct zbuf *z, const char *const *names, size_t n, const char *comment)
{
	uint32_t offs[16], cd;

	z->n = 0;
	for (size_t i = 0; i < n; i++) {
		offs[i] = (uint32_t)z->n;
		put32(z, 0x04034b50);
		put16(z, 20); put16(z, 0); put16(z, 0); put16(z, 0); put16(z, 0);
		put32(z, 0); put32(z, 0); put32(z, 0);
		put16(z, (unsigned)strlen(names[i])); put16(z, 0);
		put(z, names[i]);
	}
	cd = (uint32_t)z->n;
	for (size_t i = 0; i < n; i++) {
		put32(z, 0x02014b50);
		put16(z, 20); put16(z, 20); put16(z, 0); put16(z, 0); put16(z, 0); put16(z, 0);
		put32(z, 0); put32(z, 0); put32(z, 0);
		put16(z, (unsigned)strlen(names[i])); put16(z, 0); put16(z, 0);
		put16(z, 0); put16(z, 0); put32(z, 0);
		put32(z, offs[i]);
		put(z, names[i]);
	}
	put32(z, 0x06054b50);
	put16(z, 0); put16(z, 0);
	put16(z, (unsigned)n); put16(z, (unsigned)n);
	put32(z, (uint32_t)z->n - cd - 4 - 4 - 4 + 0); /* fixed below */
	put32(z, cd);
	put16(z, (unsigned)strlen(comment));
	put(z, comment);
	/* central directory size: from its start to the end record */
	{
		size_t eocd = z->n - strlen(comment) - 22;
		uint32_t size = (uint32_t)(eocd - cd);

		z->b[eocd + 12] = size & 0xff;
		z->b[eocd + 13] = (size >> 8) & 0xff;
		z->b[eocd + 14] = (size >> 16) & 0xff;
		z->b[eocd + 15] = size >> 24;
	}
}

static enum vmsc_level level_of_zip(bool quiesced, const char *const *names, size_t n)
{
	struct zbuf z;
	char **got = NULL;
	size_t n_got = 0;
	struct vmsc_probe_evidence e = { .quiesced = quiesced };
	enum vmsc_level l;

	make_zip(&z, names, n, "");
	assert_int_equal(vmsc_zip_names(z.b, z.n, &got, &n_got), 0);
	assert_int_equal(n_got, n);
	e.manifest = VMSC_MANIFEST_LISTED;
	e.names = (const char *const *)got;
	e.n_names = n_got;
	l = vmsc_probe_level(&e);
	vmsc_zip_names_free(got, n_got);
	return l;
}

static void test_not_quiesced_is_crash(void **state)
{
	const char *names[] = { "backup.xml", "wm0.xml" };
	struct vmsc_probe_evidence e = { .quiesced = false };

	(void)state;
	assert_int_equal(vmsc_probe_level(&e), VMSC_LEVEL_CRASH);
	/* a manifest does not make an unquiesced snapshot any better */
	assert_int_equal(level_of_zip(false, names, 2), VMSC_LEVEL_CRASH);
}

static void test_backup_xml_only_is_filesystem(void **state)
{
	const char *names[] = { "backup.xml" };

	(void)state;
	assert_int_equal(level_of_zip(true, names, 1), VMSC_LEVEL_FILESYSTEM);
}

static void test_writer_manifests_are_application(void **state)
{
	const char *names[] = { "backup.xml", "wm0.xml", "WM12.XML" };
	const char *in_folder[] = { "vss/backup.xml", "vss/wm1.xml" };

	(void)state;
	assert_int_equal(level_of_zip(true, names, 3), VMSC_LEVEL_APPLICATION);
	assert_int_equal(level_of_zip(true, in_folder, 2), VMSC_LEVEL_APPLICATION);
}

static void test_quiesced_without_manifest_is_filesystem(void **state)
{
	struct vmsc_probe_evidence e = { .quiesced = true, .manifest = VMSC_MANIFEST_NONE };

	(void)state;
	assert_int_equal(vmsc_probe_level(&e), VMSC_LEVEL_FILESYSTEM);
}

static void test_unreadable_manifest_tells_nothing(void **state)
{
	struct vmsc_probe_evidence e = { .quiesced = true, .manifest = VMSC_MANIFEST_UNREADABLE };

	(void)state;
	assert_int_equal(vmsc_probe_level(&e), VMSC_LEVEL_UNSET);
}

static void test_writer_names(void **state)
{
	(void)state;
	assert_true(vmsc_manifest_is_writer("wm0.xml"));
	assert_true(vmsc_manifest_is_writer("Wm3.Xml"));
	assert_true(vmsc_manifest_is_writer("dir/wm10.xml"));
	assert_false(vmsc_manifest_is_writer("backup.xml"));
	assert_false(vmsc_manifest_is_writer("wm.xml"));
	assert_false(vmsc_manifest_is_writer("wmx.xml"));
	assert_false(vmsc_manifest_is_writer("wm1.xml.bak"));
	assert_false(vmsc_manifest_is_writer("wm1/backup.xml"));
	assert_false(vmsc_manifest_is_writer(NULL));
}

static void test_describe(void **state)
{
	const char *names[] = { "backup.xml", "wm0.xml", "wm1.xml" };
	struct vmsc_probe_evidence e = { .quiesced = true, .manifest = VMSC_MANIFEST_LISTED,
					 .names = names, .n_names = 3 };
	char buf[160];

	(void)state;
	vmsc_probe_evidence_describe(&e, buf, sizeof(buf));
	assert_string_equal(buf, "quiesced, VSS manifest with 2 writer manifests");
	e.n_names = 1;
	vmsc_probe_evidence_describe(&e, buf, sizeof(buf));
	assert_non_null(strstr(buf, "backup components document only"));
	e.quiesced = false;
	vmsc_probe_evidence_describe(&e, buf, sizeof(buf));
	assert_string_equal(buf, "the snapshot is not quiesced");
}

static void test_zip_with_comment_and_garbage(void **state)
{
	const char *names[] = { "backup.xml", "wm0.xml" };
	struct zbuf z;
	char **got = NULL;
	size_t n = 0;

	(void)state;
	make_zip(&z, names, 2, "made by a test");
	assert_int_equal(vmsc_zip_names(z.b, z.n, &got, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(got[0], "backup.xml");
	assert_string_equal(got[1], "wm0.xml");
	vmsc_zip_names_free(got, n);

	/* cut anywhere: never read past the buffer, never a success */
	for (size_t cut = 0; cut < z.n; cut++) {
		assert_int_equal(vmsc_zip_names(z.b, cut, &got, &n), -1);
		assert_null(got);
		assert_int_equal(n, 0);
	}
	/* a central directory pointing past its end record */
	make_zip(&z, names, 2, "");
	z.b[z.n - 22 + 16] = 0xff;
	assert_int_equal(vmsc_zip_names(z.b, z.n, &got, &n), -1);
	assert_int_equal(vmsc_zip_names((const unsigned char *)"<html>not found</html>", 22,
					&got, &n), -1);
	assert_int_equal(vmsc_zip_names(NULL, 0, &got, &n), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_quiesced_is_crash),
		cmocka_unit_test(test_backup_xml_only_is_filesystem),
		cmocka_unit_test(test_writer_manifests_are_application),
		cmocka_unit_test(test_quiesced_without_manifest_is_filesystem),
		cmocka_unit_test(test_unreadable_manifest_tells_nothing),
		cmocka_unit_test(test_writer_names),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_zip_with_comment_and_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
