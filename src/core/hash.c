/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "vmsnapcheck/hash.h"

/* Open addressing, at most half full. */
struct entry {
	char *key;
	void *value;
};

struct vmsc_map {
	struct entry *slots;
	size_t cap, n;
};

/* FNV-1a */
static size_t hash_str(const char *s)
{
	size_t h = (size_t)1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * (size_t)1099511628211ull;
	return h;
}

static struct entry *find(struct entry *slots, size_t cap, const char *key)
{
	size_t i = hash_str(key) % cap;

	while (slots[i].key && strcmp(slots[i].key, key))
		i = (i + 1) % cap;
	return &slots[i];
}

struct vmsc_map *vmsc_map_new(void)
{
	return calloc(1, sizeof(struct vmsc_map));
}

void vmsc_map_free(struct vmsc_map *m, void (*free_value)(void *value))
{
	if (!m)
		return;
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->slots[i].key)
			continue;
		free(m->slots[i].key);
		if (free_value)
			free_value(m->slots[i].value);
	}
	free(m->slots);
	free(m);
}

static int grow(struct vmsc_map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	struct entry *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -1;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			*find(slots, cap, m->slots[i].key) = m->slots[i];
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

void **vmsc_map_slot(struct vmsc_map *m, const char *key, bool create)
{
	struct entry *e;

	if (!m || !key)
		return NULL;
	if (m->cap) {
		e = find(m->slots, m->cap, key);
		if (e->key)
			return &e->value;
	}
	if (!create)
		return NULL;
	if ((m->n + 1) * 2 > m->cap && grow(m) < 0)
		return NULL;
	e = find(m->slots, m->cap, key);
	if (!(e->key = strdup(key)))
		return NULL;
	e->value = NULL;
	m->n++;
	return &e->value;
}

void *vmsc_map_get(const struct vmsc_map *m, const char *key)
{
	void **v = vmsc_map_slot((struct vmsc_map *)m, key, false);

	return v ? *v : NULL;
}

bool vmsc_map_has(const struct vmsc_map *m, const char *key)
{
	return vmsc_map_slot((struct vmsc_map *)m, key, false) != NULL;
}

size_t vmsc_map_count(const struct vmsc_map *m)
{
	return m ? m->n : 0;
}
