/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmsnapcheck/report.h"

/*
 * Atomic report files (-o FILE).  A cron job's reader (node_exporter, a CI
 * step) must see either the old file or the new one, never half of one:
 * write ".FILE.tmpXXXXXX" in the same directory (same file system, and a
 * name that does not end in FILE's suffix, so the textfile collector skips
 * it), fsync, chmod, rename over FILE, fsync the directory.
 *
 * The temp path lives in a static buffer so a signal handler can remove it
 * with vmsc_output_abort(): only unlink(2), which is async-signal-safe.
 */

static char tmp_path[PATH_MAX];
static volatile sig_atomic_t tmp_active;

/* Splits path into its directory ("." when none) and base name. */
static int split_path(const char *path, char *dir, size_t dir_size, const char **base)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (!slash) {
		*base = path;
		snprintf(dir, dir_size, ".");
		return 0;
	}
	*base = slash + 1;
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= dir_size)
		return -1;
	memcpy(dir, path, n);
	dir[n] = '\0';
	return 0;
}

int vmsc_output_check(const char *path, struct vmsc_error *err)
{
	char dir[PATH_MAX];
	const char *base;
	struct stat st;

	if (!path || !*path)
		return vmsc_error_set(err, VMSC_E_USAGE, "output file name is empty");
	if (split_path(path, dir, sizeof(dir), &base) < 0 ||
	    strlen(path) + sizeof("/..tmpXXXXXX") > sizeof(tmp_path))
		return vmsc_error_set(err, VMSC_E_IO, "cannot write '%s': name too long", path);
	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return vmsc_error_set(err, VMSC_E_IO, "cannot write '%s': is a directory", path);
	if (stat(dir, &st) < 0 && errno == ENOENT)
		return vmsc_error_set(err, VMSC_E_IO,
				      "cannot write '%s': directory '%s' does not exist", path, dir);
	if (stat(dir, &st) < 0)
		return vmsc_error_set(err, VMSC_E_IO, "cannot write '%s': directory '%s': %s",
				      path, dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return vmsc_error_set(err, VMSC_E_IO, "cannot write '%s': '%s' is not a directory",
				      path, dir);
	if (access(dir, W_OK | X_OK) < 0)
		return vmsc_error_set(err, VMSC_E_IO,
				      "cannot write '%s': cannot create files in '%s': %s", path,
				      dir, strerror(errno));
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return vmsc_error_set(err, VMSC_E_IO, "cannot write '%s': is a directory", path);
	return 0;
}

/* /dev/null, /dev/stdout, a FIFO: renaming over them would replace the
 * device node itself, so such targets are written in place. */
static bool is_special(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

static int write_special(const char *path, const struct vmsc_report_format *fmt,
			 const struct vmsc_result *r, const struct vmsc_report_options *o,
			 struct vmsc_error *err)
{
	FILE *f = fopen(path, "w");
	int rc;

	if (!f)
		return vmsc_error_set(err, VMSC_E_IO, "cannot write '%s': %s", path, strerror(errno));
	rc = fmt->write(r, o, f);
	if (fclose(f) != 0 || rc < 0)
		return vmsc_error_set(err, VMSC_E_IO, "cannot write '%s': %s", path, strerror(errno));
	return 0;
}

/* The old file's permissions, else 0644 less the umask. */
static mode_t output_mode(const char *path)
{
	struct stat st;
	mode_t mask;

	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		return st.st_mode & 07777;
	mask = umask(0);
	umask(mask);
	return 0644 & ~mask;
}

/* Makes the rename durable; a file system that cannot sync directories
 * (EINVAL) is not an error. */
static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0)
		return 0;
	if (fsync(fd) < 0 && errno != EINVAL && errno != EROFS)
		ret = -1;
	close(fd);
	return ret;
}

int vmsc_output_write(const char *path, const struct vmsc_report_format *fmt,
		      const struct vmsc_result *r, const struct vmsc_report_options *o,
		      struct vmsc_error *err)
{
	char dir[PATH_MAX];
	const char *base;
	FILE *f = NULL;
	int fd = -1;
	int ret = -1;
	int saved;

	if (vmsc_output_check(path, err) < 0)
		return -1;
	if (is_special(path))
		return write_special(path, fmt, r, o, err);
	split_path(path, dir, sizeof(dir), &base);
	if (snprintf(tmp_path, sizeof(tmp_path), "%s/.%s.tmpXXXXXX", dir, base) >=
	    (int)sizeof(tmp_path))
		return vmsc_error_set(err, VMSC_E_IO, "cannot write '%s': name too long", path);
	/* Set before mkstemp: a signal in between then unlinks a name that
	 * does not exist yet, instead of leaking the file. */
	tmp_active = 1;
	fd = mkstemp(tmp_path);
	if (fd < 0) {
		tmp_active = 0;
		vmsc_error_set(err, VMSC_E_IO, "cannot write '%s': creating a temporary file in '%s': %s",
			       path, dir, strerror(errno));
		goto out;
	}
	if (fchmod(fd, output_mode(path)) < 0) {
		vmsc_error_set(err, VMSC_E_IO, "cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
	f = fdopen(fd, "w");
	if (!f) {
		vmsc_error_set(err, VMSC_E_IO, "cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
	fd = -1;

	errno = 0;
	if (fmt->write(r, o, f) < 0 || fflush(f) == EOF || ferror(f)) {
		saved = errno;
		vmsc_error_set(err, VMSC_E_IO, "cannot write '%s': %s report failed: %s", path,
			       fmt->name, saved ? strerror(saved) : "out of memory or write error");
		goto out;
	}
	if (fsync(fileno(f)) < 0) {
		vmsc_error_set(err, VMSC_E_IO, "cannot write '%s': fsync: %s", path,
			       strerror(errno));
		goto out;
	}
	saved = fclose(f);
	f = NULL;
	if (saved == EOF) {
		vmsc_error_set(err, VMSC_E_IO, "cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
	if (rename(tmp_path, path) < 0) {
		vmsc_error_set(err, VMSC_E_IO, "cannot write '%s': rename: %s", path,
			       strerror(errno));
		goto out;
	}
	tmp_active = 0;
	if (sync_dir(dir) < 0) {
		vmsc_error_set(err, VMSC_E_IO, "wrote '%s' but could not sync '%s': %s", path, dir,
			       strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd);
	if (tmp_active) {
		unlink(tmp_path);
		tmp_active = 0;
	}
	return ret;
}

void vmsc_output_abort(void)
{
	if (tmp_active) {
		tmp_active = 0;
		unlink(tmp_path);
	}
}
