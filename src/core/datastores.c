/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <limits.h>
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

/* Datastores in the order added, and an open-addressing index on the moid
 * (a vCenter has hundreds, not millions). */
struct vmsc_datastores {
	struct vmsc_datastore *items;
	size_t n, cap;
	size_t *slots;              /* index + 1; 0 = empty */
	size_t n_slots;
};

struct vmsc_datastores *vmsc_datastores_new(void)
{
	return calloc(1, sizeof(struct vmsc_datastores));
}

void vmsc_datastores_free(struct vmsc_datastores *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		vmsc_fact_record_release(&vmsc_datastore_fact_record, &t->items[i]);
	free(t->items);
	free(t->slots);
	free(t);
}

static size_t *slot(size_t *slots, size_t n_slots, const struct vmsc_datastore *items,
		    const char *moid)
{
	size_t i = vmsc_hash_str(moid) % n_slots;

	while (slots[i] && strcmp(items[slots[i] - 1].moid, moid))
		i = (i + 1) % n_slots;
	return &slots[i];
}

static int reindex(struct vmsc_datastores *t, size_t n_slots)
{
	size_t *slots = calloc(n_slots, sizeof(*slots));

	if (!slots)
		return -1;
	for (size_t i = 0; i < t->n; i++)
		*slot(slots, n_slots, t->items, t->items[i].moid) = i + 1;
	free(t->slots);
	t->slots = slots;
	t->n_slots = n_slots;
	return 0;
}

int vmsc_datastores_add(struct vmsc_datastores *t, struct vmsc_datastore *d)
{
	size_t *s;

	if (!d->moid) {
		vmsc_fact_record_release(&vmsc_datastore_fact_record, d);
		memset(d, 0, sizeof(*d));
		return 0;
	}
	if ((t->n + 1) * 2 > t->n_slots && reindex(t, t->n_slots ? t->n_slots * 2 : 64) < 0)
		goto nomem;
	s = slot(t->slots, t->n_slots, t->items, d->moid);
	if (*s) {
		vmsc_fact_record_release(&vmsc_datastore_fact_record, &t->items[*s - 1]);
		t->items[*s - 1] = *d;
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
		*s = t->n;
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
	size_t s;

	if (!t || !moid || !t->n_slots)
		return NULL;
	s = *slot(t->slots, t->n_slots, t->items, moid);
	return s ? &t->items[s - 1] : NULL;
}

size_t vmsc_datastores_count(const struct vmsc_datastores *t)
{
	return t ? t->n : 0;
}

const struct vmsc_datastore *vmsc_datastores_at(const struct vmsc_datastores *t, size_t i)
{
	return t && i < t->n ? &t->items[i] : NULL;
}
