/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSNAPCHECK_HASH_H
#define VMSNAPCHECK_HASH_H

#include <stdbool.h>
#include <stddef.h>

/*
 * One hash table for everything keyed by moid (delivered VMs, task history,
 * datastores): string keys, copied; a pointer value per key, owned by the
 * caller unless vmsc_map_free() is given a function to free it.
 */
struct vmsc_map;

struct vmsc_map *vmsc_map_new(void);
void vmsc_map_free(struct vmsc_map *m, void (*free_value)(void *value));

/* The value's slot for `key`: with `create`, a missing key is added with a
 * NULL value.  NULL when missing (and not created) or out of memory. */
void **vmsc_map_slot(struct vmsc_map *m, const char *key, bool create);
/* The value of `key`, NULL when missing.  `m` may be NULL. */
void *vmsc_map_get(const struct vmsc_map *m, const char *key);
bool vmsc_map_has(const struct vmsc_map *m, const char *key);
size_t vmsc_map_count(const struct vmsc_map *m);

#endif
