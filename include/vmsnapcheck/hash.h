/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSNAPCHECK_HASH_H
#define VMSNAPCHECK_HASH_H

#include <stddef.h>

/* FNV-1a over a string: for the small open-addressing tables keyed by moid. */
static inline size_t vmsc_hash_str(const char *s)
{
	size_t h = (size_t)1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * (size_t)1099511628211ull;
	return h;
}

#endif
