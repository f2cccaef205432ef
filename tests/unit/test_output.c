/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report_fixture.h"

static char dir[64];
static char path[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/vmsc-output-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/out.prom", dir);
	return 0;
}

static int teardown(void **state)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[512];

	(void)state;
	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
			unlink(p);
		}
	closedir(d);
	rmdir(dir);
	return 0;
}

/* Names in the test directory other than out.prom; the first in *first. */
static size_t stray_files(char *first, size_t size)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    !strcmp(e->d_name, "out.prom"))
			continue;
		if (n++ == 0 && first)
			snprintf(first, size, "%s", e->d_name);
	}
	closedir(d);
	return n;
}

static void write_file(const char *p, const char *text, mode_t mode)
{
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(p, mode), 0);
}

static const struct vmsc_report_options opts = { .tool_version = "0.1.0" };

static void test_output_writes_file(void **state)
{
	const struct vmsc_report_format *fmt = vmsc_report_format_find("prometheus");
	struct vmsc_result *r = fixture_basic();
	struct vmsc_error err = { 0 };
	char *want = render(fmt->write, r, false, false);
	char *got;
	struct stat st;
	mode_t old = umask(027);

	(void)state;
	assert_int_equal(vmsc_output_check(path, &err), 0);
	assert_int_equal(vmsc_output_write(path, fmt, r, &opts, &err), 0);
	umask(old);
	got = slurp(path);
	assert_non_null(got);
	assert_string_equal(got, want);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(stray_files(NULL, 0), 0);
	free(got);
	free(want);
	vmsc_result_free(r);
}

static void test_output_keeps_old_mode(void **state)
{
	struct vmsc_result *r = fixture_basic();
	struct vmsc_error err = { 0 };
	struct stat st;

	(void)state;
	write_file(path, "old\n", 0600);
	assert_int_equal(vmsc_output_write(path, vmsc_report_format_find("json"), r, &opts, &err),
			 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	vmsc_result_free(r);
}

static int broken_write(const struct vmsc_result *r, const struct vmsc_report_options *o,
			FILE *out)
{
	(void)r;
	(void)o;
	fputs("half a rep", out);
	errno = ENOSPC;
	return -1;
}

static void test_output_failure_keeps_old_file(void **state)
{
	const struct vmsc_report_format broken = { "broken", broken_write };
	struct vmsc_result *r = fixture_basic();
	struct vmsc_error err = { 0 };
	char want[512];
	char *got;
	struct stat st;

	(void)state;
	write_file(path, "previous report\n", 0644);
	assert_int_equal(vmsc_output_write(path, &broken, r, &opts, &err), -1);
	assert_int_equal(err.code, VMSC_E_IO);
	snprintf(want, sizeof(want), "cannot write '%s': broken report failed: %s", path,
		 strerror(ENOSPC));
	assert_string_equal(err.message, want);
	got = slurp(path);
	assert_string_equal(got, "previous report\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(stray_files(NULL, 0), 0);
	free(got);
	vmsc_result_free(r);
}

static void test_output_missing_dir(void **state)
{
	struct vmsc_result *r = fixture_basic();
	struct vmsc_error err = { 0 };
	char p[256], want[512];

	(void)state;
	snprintf(p, sizeof(p), "%s/no-such-dir/out.json", dir);
	assert_int_equal(vmsc_output_check(p, &err), -1);
	assert_int_equal(err.code, VMSC_E_IO);
	snprintf(want, sizeof(want), "cannot write '%s': directory '%s/no-such-dir' does not exist",
		 p, dir);
	assert_string_equal(err.message, want);
	vmsc_error_clear(&err);
	assert_int_equal(vmsc_output_write(p, vmsc_report_format_find("json"), r, &opts, &err), -1);
	assert_string_equal(err.message, want);
	vmsc_result_free(r);
}

static void test_output_is_directory(void **state)
{
	struct vmsc_error err = { 0 };
	char want[512];

	(void)state;
	assert_int_equal(vmsc_output_check(dir, &err), -1);
	snprintf(want, sizeof(want), "cannot write '%s': is a directory", dir);
	assert_string_equal(err.message, want);
	snprintf(want, sizeof(want), "%s/", dir);
	assert_int_equal(vmsc_output_check(want, &err), -1);
	assert_int_equal(vmsc_output_check("", &err), -1);
	assert_int_equal(err.code, VMSC_E_USAGE);
}

static void test_output_relative_path(void **state)
{
	struct vmsc_result *r = fixture_basic();
	struct vmsc_error err = { 0 };
	char cwd[512];
	struct stat st;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(vmsc_output_write("out.prom", vmsc_report_format_find("csv"), r, &opts,
					   &err), 0);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(stat(path, &st), 0);
	vmsc_result_free(r);
}

/* While writing: one temp file, hidden, not ending in ".prom" (the textfile
 * collector reads *.prom); vmsc_output_abort() removes it. */
static int aborting_write(const struct vmsc_result *r, const struct vmsc_report_options *o,
			  FILE *out)
{
	char name[256];

	(void)r;
	(void)o;
	fputs("partial", out);
	assert_int_equal(stray_files(name, sizeof(name)), 1);
	assert_true(strncmp(name, ".out.prom.tmp", 13) == 0);
	assert_int_equal(strlen(name), 13 + 6);
	vmsc_output_abort();
	assert_int_equal(stray_files(NULL, 0), 0);
	vmsc_output_abort();
	return -1;
}

static void test_output_abort_removes_temp(void **state)
{
	const struct vmsc_report_format aborting = { "aborting", aborting_write };
	struct vmsc_result *r = fixture_basic();
	struct vmsc_error err = { 0 };
	struct stat st;

	(void)state;
	assert_int_equal(vmsc_output_write(path, &aborting, r, &opts, &err), -1);
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(stray_files(NULL, 0), 0);
	vmsc_output_abort();
	vmsc_result_free(r);
}

static void test_output_format_table(void **state)
{
	static const char *const names[] = { "text", "json", "junit", "nagios", "prometheus",
					     "csv", "html" };
	const struct vmsc_report_format *f;
	size_t n, i;

	(void)state;
	f = vmsc_report_formats(&n);
	assert_int_equal(n, sizeof(names) / sizeof(names[0]));
	for (i = 0; i < n; i++) {
		assert_string_equal(f[i].name, names[i]);
		assert_ptr_equal(vmsc_report_format_find(names[i]), &f[i]);
	}
	assert_null(vmsc_report_format_find("xml"));
	assert_null(vmsc_report_format_find(NULL));
}

/* --save-facts used to open FILE.tmp.PID with fopen("w"): a symlink planted
 * there was followed.  The one writer makes its temp with mkstemp (O_EXCL)
 * and never opens a name it did not create. */
static void test_atomic_file_ignores_planted_symlinks(void **state)
{
	struct vmsc_atomic_file *af;
	struct vmsc_error err = { 0 };
	char link[256], victim[256];
	char *got;
	struct stat st;

	(void)state;
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	for (long pid = (long)getpid() - 2; pid <= (long)getpid() + 2; pid++) {
		snprintf(link, sizeof(link), "%s.tmp.%ld", path, pid);
		assert_int_equal(symlink(victim, link), 0);
	}
	af = vmsc_atomic_file_open(path, &err);
	assert_non_null(af);
	fputs("facts\n", vmsc_atomic_file_stream(af));
	assert_int_equal(vmsc_atomic_file_commit(af, &err), 0);
	assert_int_equal(lstat(victim, &st), -1);
	got = slurp(path);
	assert_string_equal(got, "facts\n");
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	/* the planted links are left alone, nothing else remains */
	assert_int_equal(stray_files(NULL, 0), 5);
	free(got);
}

static void test_atomic_file_keeps_mode_and_aborts(void **state)
{
	struct vmsc_atomic_file *af;
	struct vmsc_error err = { 0 };
	struct stat st;
	char *got;

	(void)state;
	write_file(path, "old\n", 0640);
	af = vmsc_atomic_file_open(path, &err);
	assert_non_null(af);
	fputs("half", vmsc_atomic_file_stream(af));
	vmsc_atomic_file_abort(af);
	got = slurp(path);
	assert_string_equal(got, "old\n");
	free(got);
	assert_int_equal(stray_files(NULL, 0), 0);

	af = vmsc_atomic_file_open(path, &err);
	assert_non_null(af);
	fputs("new\n", vmsc_atomic_file_stream(af));
	assert_int_equal(vmsc_atomic_file_commit(af, &err), 0);
	got = slurp(path);
	assert_string_equal(got, "new\n");
	free(got);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(stray_files(NULL, 0), 0);
	vmsc_atomic_file_abort(NULL);
}

/* -o and --save-facts share one check: the same message for a missing directory. */
static void test_atomic_file_missing_dir(void **state)
{
	struct vmsc_error err = { 0 };
	char p[256], want[512];

	(void)state;
	snprintf(p, sizeof(p), "%s/no-such-dir/facts.json", dir);
	assert_null(vmsc_atomic_file_open(p, &err));
	snprintf(want, sizeof(want), "cannot write '%s': directory '%s/no-such-dir' does not exist",
		 p, dir);
	assert_string_equal(err.message, want);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_output_writes_file),
		T(test_output_keeps_old_mode),
		T(test_output_failure_keeps_old_file),
		T(test_output_missing_dir),
		T(test_output_is_directory),
		T(test_output_relative_path),
		T(test_output_abort_removes_temp),
		T(test_atomic_file_ignores_planted_symlinks),
		T(test_atomic_file_keeps_mode_and_aborts),
		T(test_atomic_file_missing_dir),
		cmocka_unit_test(test_output_format_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
