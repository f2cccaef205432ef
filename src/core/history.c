/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "vmsnapcheck/hash.h"
#include "vmsnapcheck/history.h"
#include "vmsnapcheck/str.h"

/* VMs with snapshot tasks, by moid. */
struct vmsc_history {
	struct vmsc_map *vms;
};

struct vmsc_history *vmsc_history_new(void)
{
	struct vmsc_history *h = calloc(1, sizeof(*h));

	if (h && !(h->vms = vmsc_map_new())) {
		free(h);
		return NULL;
	}
	return h;
}

static void vm_free(void *p)
{
	struct vmsc_history_vm *v = p;

	free(v->moid);
	free(v->fail_user);
	free(v->fail_fault);
	free(v->fail_message);
	free(v);
}

void vmsc_history_free(struct vmsc_history *h)
{
	if (!h)
		return;
	vmsc_map_free(h->vms, vm_free);
	free(h);
}

int vmsc_history_add(struct vmsc_history *h, const char *vm, const char *description_id,
		     const char *state, time_t when, const char *user, const char *fault,
		     const char *message)
{
	struct vmsc_history_vm *v = NULL;
	void **slot;
	bool failed;

	if (!vm || !description_id || strcmp(description_id, VMSC_SNAPSHOT_TASK) || !state)
		return 0;
	failed = !strcmp(state, "error");
	if (!failed && strcmp(state, "success"))
		return 0;
	slot = vmsc_map_slot(h->vms, vm, true);
	if (!slot)
		return -1;
	if (!*slot) {
		if (!(v = calloc(1, sizeof(*v))) || !(v->moid = strdup(vm))) {
			free(v);
			return -1;
		}
		*slot = v;
	}
	v = *slot;
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
	return h ? vmsc_map_get(h->vms, vm) : NULL;
}

size_t vmsc_history_count(const struct vmsc_history *h)
{
	return h ? vmsc_map_count(h->vms) : 0;
}
