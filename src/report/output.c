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
 * Atomic files: every file the tool writes (-o FILE, --save-facts FILE).
 * A cron job's reader (node_exporter, a CI step) must see either the old
 * file or the new one, never half of one: write ".FILE.tmpXXXXXX" in the
 * same directory (same file system, and a name that does not end in FILE's
 * suffix, so the textfile collector skips it), fsync, chmod, rename over
 * FILE, fsync the directory.  mkstemp opens with O_EXCL: a symlink planted
 * at the temp name is never followed, and the name cannot be predicted.
 *
 * Temp paths in progress also live in static slots, and
 * vmsc_output_abort() removes them with unlink(2) alone (async-signal-safe).
 * The tool's own signal handlers only set a flag, and every writer is
 * aborted through vmsc_atomic_file_abort() on the way out, so today only
 * the tests call it; it is there for an embedder that must exit from a
 * handler.  A run has at most two files open at once (facts and report).
 */

#define N_SLOTS 4

struct vmsc_atomic_file {
	char *path;
	char dir[PATH_MAX];
	FILE *f;
	int slot;                     /* -1: written in place (a device or FIFO) */
};

static char tmp_paths[N_SLOTS][PATH_MAX];
static volatile sig_atomic_t tmp_active[N_SLOTS];

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
	    strlen(path) + sizeof("/..tmpXXXXXX") > PATH_MAX)
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

static void release_slot(struct vmsc_atomic_file *af)
{
	if (af->slot >= 0 && tmp_active[af->slot]) {
		unlink(tmp_paths[af->slot]);
		tmp_active[af->slot] = 0;
	}
	af->slot = -1;
}

static void atomic_free(struct vmsc_atomic_file *af)
{
	if (af->f)
		fclose(af->f);
	release_slot(af);
	free(af->path);
	free(af);
}

struct vmsc_atomic_file *vmsc_atomic_file_open(const char *path, struct vmsc_error *err)
{
	struct vmsc_atomic_file *af;
	const char *base;
	int fd, slot = -1;

	if (vmsc_output_check(path, err) < 0)
		return NULL;
	af = calloc(1, sizeof(*af));
	if (!af || !(af->path = strdup(path))) {
		free(af);
		vmsc_error_set(err, VMSC_E_NOMEM, "out of memory");
		return NULL;
	}
	af->slot = -1;
	split_path(path, af->dir, sizeof(af->dir), &base);
	if (is_special(path)) {
		af->f = fopen(path, "w");
		if (!af->f) {
			vmsc_error_set(err, VMSC_E_IO, "cannot write '%s': %s", path, strerror(errno));
			goto fail;
		}
		return af;
	}
	for (int i = 0; i < N_SLOTS && slot < 0; i++)
		if (!tmp_active[i])
			slot = i;
	if (slot < 0) {
		vmsc_error_set(err, VMSC_E_INTERNAL, "cannot write '%s': too many files open", path);
		goto fail;
	}
	if (snprintf(tmp_paths[slot], PATH_MAX, "%s/.%s.tmpXXXXXX", af->dir, base) >= PATH_MAX) {
		vmsc_error_set(err, VMSC_E_IO, "cannot write '%s': name too long", path);
		goto fail;
	}
	/* Active before mkstemp: a signal in between then unlinks a name that
	 * does not exist yet, instead of leaking the file. */
	af->slot = slot;
	tmp_active[slot] = 1;
	fd = mkstemp(tmp_paths[slot]);
	if (fd < 0) {
		tmp_active[slot] = 0;
		vmsc_error_set(err, VMSC_E_IO, "cannot write '%s': creating a temporary file in '%s': %s",
			       path, af->dir, strerror(errno));
		goto fail;
	}
	if (fchmod(fd, output_mode(path)) < 0 || !(af->f = fdopen(fd, "w"))) {
		vmsc_error_set(err, VMSC_E_IO, "cannot write '%s': %s", path, strerror(errno));
		close(fd);
		goto fail;
	}
	return af;
fail:
	atomic_free(af);
	return NULL;
}

FILE *vmsc_atomic_file_stream(struct vmsc_atomic_file *af)
{
	return af->f;
}

int vmsc_atomic_file_commit(struct vmsc_atomic_file *af, struct vmsc_error *err)
{
	int ret = -1, saved;

	if (fflush(af->f) == EOF || ferror(af->f)) {
		vmsc_error_set(err, VMSC_E_IO, "cannot write '%s': %s", af->path, strerror(errno));
		goto out;
	}
	if (af->slot < 0) {
		saved = fclose(af->f);
		af->f = NULL;
		if (saved == EOF) {
			vmsc_error_set(err, VMSC_E_IO, "cannot write '%s': %s", af->path,
				       strerror(errno));
			goto out;
		}
		ret = 0;
		goto out;
	}
	if (fsync(fileno(af->f)) < 0) {
		vmsc_error_set(err, VMSC_E_IO, "cannot write '%s': fsync: %s", af->path,
			       strerror(errno));
		goto out;
	}
	saved = fclose(af->f);
	af->f = NULL;
	if (saved == EOF) {
		vmsc_error_set(err, VMSC_E_IO, "cannot write '%s': %s", af->path, strerror(errno));
		goto out;
	}
	if (rename(tmp_paths[af->slot], af->path) < 0) {
		vmsc_error_set(err, VMSC_E_IO, "cannot write '%s': rename: %s", af->path,
			       strerror(errno));
		goto out;
	}
	tmp_active[af->slot] = 0;
	if (sync_dir(af->dir) < 0) {
		vmsc_error_set(err, VMSC_E_IO, "wrote '%s' but could not sync '%s': %s", af->path,
			       af->dir, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	atomic_free(af);
	return ret;
}

void vmsc_atomic_file_abort(struct vmsc_atomic_file *af)
{
	if (af)
		atomic_free(af);
}

int vmsc_output_write(const char *path, const struct vmsc_report_format *fmt,
		      const struct vmsc_result *r, const struct vmsc_report_options *o,
		      struct vmsc_error *err)
{
	struct vmsc_atomic_file *af = vmsc_atomic_file_open(path, err);
	int saved;

	if (!af)
		return -1;
	errno = 0;
	if (fmt->write(r, o, af->f) < 0 || fflush(af->f) == EOF || ferror(af->f)) {
		saved = errno;
		vmsc_error_set(err, VMSC_E_IO, "cannot write '%s': %s report failed: %s", path,
			       fmt->name, saved ? strerror(saved) : "out of memory or write error");
		vmsc_atomic_file_abort(af);
		return -1;
	}
	return vmsc_atomic_file_commit(af, err);
}

void vmsc_output_abort(void)
{
	for (int i = 0; i < N_SLOTS; i++) {
		if (tmp_active[i]) {
			tmp_active[i] = 0;
			unlink(tmp_paths[i]);
		}
	}
}
