/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "vmsnapcheck/str.h"

int vmsc_str_set(char **dst, const char *src)
{
	char *copy = NULL;

	if (src && !(copy = strdup(src)))
		return -1;
	free(*dst);
	*dst = copy;
	return 0;
}
