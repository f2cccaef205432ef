/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSNAPCHECK_CONSISTENCY_H
#define VMSNAPCHECK_CONSISTENCY_H

#include <stddef.h>

/*
 * The consistency a VM's backup snapshot can reach, worst first, so that
 * "lower" compares as "worse" (docs/rules.md, "Expected consistency"):
 *  application  VSS writers take part (Windows Server guests)
 *  filesystem   guest file systems flushed and frozen, no application writers
 *  crash        a snapshot without quiescing
 *  none         no snapshot can be taken
 * UNSET is "no level": a rule without a cap, or a VM that was not evaluated.
 */
enum vmsc_level {
	VMSC_LEVEL_UNSET = 0,
	VMSC_LEVEL_NONE,
	VMSC_LEVEL_CRASH,
	VMSC_LEVEL_FILESYSTEM,
	VMSC_LEVEL_APPLICATION,
};

/* What a VM's report says about it. */
struct vmsc_consistency {
	enum vmsc_level ceiling;      /* the guest's best (UNSET: not evaluated) */
	enum vmsc_level expected;     /* UNSET = null: skipped or unknown VM */
	enum vmsc_level probed;       /* UNSET unless --probe measured it */
	const char **limited_by;      /* static rule ids (or "guest-os") that set it */
	size_t n_limited_by;
};

/* The reason given when nothing but the guest OS limits the level. */
#define VMSC_LIMIT_GUEST_OS "guest-os"

/* "application", "filesystem", "crash", "none"; NULL for UNSET. */
const char *vmsc_level_name(enum vmsc_level l);
/* Inverse of vmsc_level_name (exact, lowercase); -1 for anything else. */
int vmsc_level_from_name(const char *name);
/* Frees limited_by and zeroes the record. */
void vmsc_consistency_release(struct vmsc_consistency *c);
/* Adds a reason once; 0 or -1 when out of memory. */
int vmsc_consistency_add_limit(struct vmsc_consistency *c, const char *id);

#endif
