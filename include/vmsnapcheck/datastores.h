/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSNAPCHECK_DATASTORES_H
#define VMSNAPCHECK_DATASTORES_H

#include <stddef.h>

#include "vmsnapcheck/facts.h"

/*
 * The datastores of one vCenter (datastore-low-space), read once per run
 * through a Datastore ContainerView and looked up by moid while the VMs are
 * judged.  Plain data, like the VM facts; saved in the facts file's
 * vCenter entry ("datastores").
 */

struct vmsc_datastore {
	char *moid;                 /* e.g. datastore-12 */
	char *name;                 /* decoded like VM names */
	long long capacity;         /* summary.capacity, bytes; -1 when absent */
	long long free_space;       /* summary.freeSpace, bytes; -1 when absent */
	enum vmsc_tri accessible;   /* summary.accessible; UNSET = unknown */
};

struct vmsc_datastores;

/* The datastore record (docs/facts.md **datastore**), for reader and facts files. */
extern const struct vmsc_fact_record vmsc_datastore_fact_record;

struct vmsc_datastores *vmsc_datastores_new(void);
void vmsc_datastores_free(struct vmsc_datastores *t);
/* Takes what *d owns (leaves it zeroed); a datastore without a moid is
 * dropped, a repeated moid replaces the earlier one.  0 or -1 (out of memory;
 * *d is released then). */
int vmsc_datastores_add(struct vmsc_datastores *t, struct vmsc_datastore *d);
const struct vmsc_datastore *vmsc_datastores_find(const struct vmsc_datastores *t,
						  const char *moid);
size_t vmsc_datastores_count(const struct vmsc_datastores *t);
/* The i-th datastore in the order added (for writing facts files). */
const struct vmsc_datastore *vmsc_datastores_at(const struct vmsc_datastores *t, size_t i);

#endif
