/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmsnapcheck/datastores.h"
#include "vmsnapcheck/hash.h"

#define T struct vmsc_datastore
static const struct vmsc_fact_field datastore_fields[] = {
	{ "moid", NULL, VMSC_FACT_STRING, VMSC_FACT_REQUIRED, offsetof(T, moid), 0, 0, 0, NULL,
	  NULL },
	{ "name", "name", VMSC_FACT_STRING, VMSC_FACT_VSPHERE_NAME, offsetof(T, name), 0, 0, 0,
	  NULL, NULL },
	{ "capacity", "summary.capacity", VMSC_FACT_LLONG, VMSC_FACT_OMIT_NEGATIVE,
	  offsetof(T, capacity), 0, -1, -1, NULL, NULL },
	{ "freeSpace", "summary.freeSpace", VMSC_FACT_LLONG, VMSC_FACT_OMIT_NEGATIVE,
	  offsetof(T, free_space), 0, -1, -1, NULL, NULL },
	{ "accessible", "summary.accessible", VMSC_FACT_TRI, 0, offsetof(T, accessible), 0, 0, 0,
	  NULL, NULL },
};
#undef T

const struct vmsc_fact_record vmsc_datastore_fact_record = {
	"datastore", sizeof(struct vmsc_datastore), datastore_fields,
	sizeof(datastore_fields) / sizeof(datastore_fields[0]),
};

/* Datastores in the order added, indexed by moid (the map holds index + 1). */
struct vmsc_datastores {
	struct vmsc_datastore *items;
	size_t n, cap;
	struct vmsc_map *index;
};

struct vmsc_datastores *vmsc_datastores_new(void)
{
	struct vmsc_datastores *t = calloc(1, sizeof(*t));

	if (t && !(t->index = vmsc_map_new())) {
		free(t);
		return NULL;
	}
	return t;
}

void vmsc_datastores_free(struct vmsc_datastores *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		vmsc_fact_record_release(&vmsc_datastore_fact_record, &t->items[i]);
	free(t->items);
	vmsc_map_free(t->index, NULL);
	free(t);
}

int vmsc_datastores_add(struct vmsc_datastores *t, struct vmsc_datastore *d)
{
	void **s;

	if (!d->moid) {
		vmsc_fact_record_release(&vmsc_datastore_fact_record, d);
		memset(d, 0, sizeof(*d));
		return 0;
	}
	if (!(s = vmsc_map_slot(t->index, d->moid, true)))
		goto nomem;
	if (*s) {
		size_t at = (size_t)(uintptr_t)*s - 1;

		vmsc_fact_record_release(&vmsc_datastore_fact_record, &t->items[at]);
		t->items[at] = *d;
	} else {
		if (t->n == t->cap) {
			size_t cap = t->cap ? t->cap * 2 : 32;
			struct vmsc_datastore *items = realloc(t->items, cap * sizeof(*items));

			if (!items)
				goto nomem;
			t->items = items;
			t->cap = cap;
		}
		t->items[t->n++] = *d;
		*s = (void *)(uintptr_t)t->n;
	}
	memset(d, 0, sizeof(*d));
	return 0;
nomem:
	vmsc_fact_record_release(&vmsc_datastore_fact_record, d);
	memset(d, 0, sizeof(*d));
	return -1;
}

const struct vmsc_datastore *vmsc_datastores_find(const struct vmsc_datastores *t,
						  const char *moid)
{
	size_t at = t ? (size_t)(uintptr_t)vmsc_map_get(t->index, moid) : 0;

	return at ? &t->items[at - 1] : NULL;
}

size_t vmsc_datastores_count(const struct vmsc_datastores *t)
{
	return t ? t->n : 0;
}

const struct vmsc_datastore *vmsc_datastores_at(const struct vmsc_datastores *t, size_t i)
{
	return t && i < t->n ? &t->items[i] : NULL;
}
