/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "vmsnapcheck/hash.h"
#include "vmsnapcheck/history.h"
#include "vmsnapcheck/str.h"

/* Open addressing on the moid; VMs with snapshot tasks are few. */
struct vmsc_history {
	struct vmsc_history_vm *slots;
	size_t cap, n;
};

struct vmsc_history *vmsc_history_new(void)
{
	return calloc(1, sizeof(struct vmsc_history));
}

static void vm_release(struct vmsc_history_vm *v)
{
	free(v->moid);
	free(v->fail_user);
	free(v->fail_fault);
	free(v->fail_message);
}

void vmsc_history_free(struct vmsc_history *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->cap; i++)
		if (h->slots[i].moid)
			vm_release(&h->slots[i]);
	free(h->slots);
	free(h);
}

static struct vmsc_history_vm *slot(struct vmsc_history_vm *slots, size_t cap, const char *vm)
{
	size_t i = vmsc_hash_str(vm) % cap;

	while (slots[i].moid && strcmp(slots[i].moid, vm))
		i = (i + 1) % cap;
	return &slots[i];
}

static int grow(struct vmsc_history *h)
{
	size_t cap = h->cap ? h->cap * 2 : 64;
	struct vmsc_history_vm *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -1;
	for (size_t i = 0; i < h->cap; i++)
		if (h->slots[i].moid)
			*slot(slots, cap, h->slots[i].moid) = h->slots[i];
	free(h->slots);
	h->slots = slots;
	h->cap = cap;
	return 0;
}

int vmsc_history_add(struct vmsc_history *h, const char *vm, const char *description_id,
		     const char *state, time_t when, const char *user, const char *fault,
		     const char *message)
{
	struct vmsc_history_vm *v;
	bool failed;

	if (!vm || !description_id || strcmp(description_id, VMSC_SNAPSHOT_TASK) || !state)
		return 0;
	failed = !strcmp(state, "error");
	if (!failed && strcmp(state, "success"))
		return 0;
	if ((h->n + 1) * 2 > h->cap && grow(h) < 0)
		return -1;
	v = slot(h->slots, h->cap, vm);
	if (!v->moid) {
		if (!(v->moid = strdup(vm)))
			return -1;
		h->n++;
	}
	v->attempts++;
	if (when >= v->last_time) {
		v->last_time = when;
		v->last_failed = failed;
	}
	if (failed) {
		v->failures++;
		if (when >= v->fail_time) {
			v->fail_time = when;
			if (vmsc_str_set(&v->fail_user, user) < 0 ||
			    vmsc_str_set(&v->fail_fault, fault) < 0 ||
			    vmsc_str_set(&v->fail_message, message) < 0)
				return -1;
		}
	}
	return 0;
}

const struct vmsc_history_vm *vmsc_history_find(const struct vmsc_history *h, const char *vm)
{
	const struct vmsc_history_vm *v;

	if (!h || !h->cap || !vm)
		return NULL;
	v = slot(h->slots, h->cap, vm);
	return v->moid ? v : NULL;
}

size_t vmsc_history_count(const struct vmsc_history *h)
{
	return h ? h->n : 0;
}
