/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSNAPCHECK_TEST_UTIL_H
#define VMSNAPCHECK_TEST_UTIL_H

/* Helpers the unit tests share; include after <cmocka.h>. */

#include <stdio.h>
#include <stdlib.h>

/* The whole file, NUL-terminated (malloc'd); its size in *len when len is
 * not NULL.  Fails the test when it cannot be read or is empty. */
static inline char *test_read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	if (!fp)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n > 0);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	if (len)
		*len = (size_t)n;
	return buf;
}

#endif
