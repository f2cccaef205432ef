/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "vmsnapcheck/consistency.h"

static const char *const level_names[] = {
	[VMSC_LEVEL_NONE] = "none",
	[VMSC_LEVEL_CRASH] = "crash",
	[VMSC_LEVEL_FILESYSTEM] = "filesystem",
	[VMSC_LEVEL_APPLICATION] = "application",
};

const char *vmsc_level_name(enum vmsc_level l)
{
	if (l <= VMSC_LEVEL_UNSET || l > VMSC_LEVEL_APPLICATION)
		return NULL;
	return level_names[l];
}

int vmsc_level_from_name(const char *name)
{
	for (int l = VMSC_LEVEL_NONE; name && l <= VMSC_LEVEL_APPLICATION; l++)
		if (strcmp(level_names[l], name) == 0)
			return l;
	return -1;
}

void vmsc_consistency_release(struct vmsc_consistency *c)
{
	free(c->limited_by);
	memset(c, 0, sizeof(*c));
}

int vmsc_consistency_add_limit(struct vmsc_consistency *c, const char *id)
{
	const char **grown;

	for (size_t i = 0; i < c->n_limited_by; i++)
		if (strcmp(c->limited_by[i], id) == 0)
			return 0;
	grown = realloc(c->limited_by, (c->n_limited_by + 1) * sizeof(*grown));
	if (!grown)
		return -1;
	c->limited_by = grown;
	c->limited_by[c->n_limited_by++] = id;
	return 0;
}
