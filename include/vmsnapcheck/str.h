/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSNAPCHECK_STR_H
#define VMSNAPCHECK_STR_H

/* Small string helpers every layer uses (src/core/str.c). */

/* Replaces *dst with a copy of src (NULL clears it); 0, or -1 when out of
 * memory (then *dst is unchanged). */
int vmsc_str_set(char **dst, const char *src);

#endif
