/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSC_FUZZ_UTIL_H
#define VMSC_FUZZ_UTIL_H

/* Shared by the libFuzzer harnesses (tests/fuzz/fuzz_*.c). */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The parsers under test take C strings: a NUL-terminated private copy
 * (an embedded NUL simply ends the text early, as it would in a file read
 * with the same API). */
static inline char *fuzz_cstring(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* A property the code must keep whatever the input: print and abort, so
 * libFuzzer records the input as a crash. */
#define FUZZ_CHECK(cond)                                                                     \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, \
				#cond);                                                      \
			abort();                                                             \
		}                                                                            \
	} while (0)

#endif
