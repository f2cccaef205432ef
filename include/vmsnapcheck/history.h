/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSNAPCHECK_HISTORY_H
#define VMSNAPCHECK_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/*
 * Snapshot-creation attempts per VM, folded from vCenter's task history
 * (recent-snapshot-failure).  Only VirtualMachine.createSnapshot tasks are
 * kept: vim25's TaskFilterSpec cannot filter by method on the server.
 */

#define VMSC_SNAPSHOT_TASK "VirtualMachine.createSnapshot"

struct vmsc_history_vm {
	char *moid;
	int failures;
	int attempts;
	time_t last_time;             /* the latest attempt */
	bool last_failed;
	time_t fail_time;             /* the latest failure */
	char *fail_user;
	char *fail_fault;
	char *fail_message;
};

struct vmsc_history;

struct vmsc_history *vmsc_history_new(void);
void vmsc_history_free(struct vmsc_history *h);

/* Folds one task in; tasks of other kinds or states are ignored.  0 or -1. */
int vmsc_history_add(struct vmsc_history *h, const char *vm, const char *description_id,
		     const char *state, time_t when, const char *user, const char *fault,
		     const char *message);
const struct vmsc_history_vm *vmsc_history_find(const struct vmsc_history *h, const char *vm);
size_t vmsc_history_count(const struct vmsc_history *h);

#endif
