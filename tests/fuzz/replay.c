/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Runs a fuzz harness without libFuzzer: each file argument (or each file
 * in a directory argument, dotfiles skipped, in name order) goes through
 * LLVMFuzzerTestOneInput once.  Built with the normal compiler in the
 * normal build, so CTest re-checks the seed corpora and every recorded
 * crash (tests/fuzz/regressions/) under ASan/UBSan in the sanitizer build.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_util.h"

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (len == cap) {
			uint8_t *grown;

			cap = cap ? cap * 2 : 4096;
			if (!(grown = realloc(buf, cap)))
				abort();
			buf = grown;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "replay: %s: read error\n", path);
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
	/* libFuzzer hands out a heap copy of exactly `len` bytes: so do we, so
	 * ASan sees a read past the end of the input */
	{
		uint8_t *exact = malloc(len ? len : 1);

		if (!exact)
			abort();
		if (len)
			memcpy(exact, buf, len);
		free(buf);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int skip_dotfiles(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

int main(int argc, char **argv)
{
	size_t inputs = 0;
	int failed = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct dirent **names;
		struct stat st;
		int n;

		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			failed = 1;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (run_file(argv[i]) < 0)
				failed = 1;
			else
				inputs++;
			continue;
		}
		n = scandir(argv[i], &names, skip_dotfiles, by_name);
		if (n < 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			failed = 1;
			continue;
		}
		for (int j = 0; j < n; j++) {
			char *path;

			if (asprintf(&path, "%s/%s", argv[i], names[j]->d_name) < 0)
				abort();
			if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
				if (run_file(path) < 0)
					failed = 1;
				else
					inputs++;
			}
			free(path);
			free(names[j]);
		}
		free(names);
	}
	printf("replayed %zu inputs%s\n", inputs, failed ? ", some could not be read" : "");
	return failed;
}
