/* SPDX-License-Identifier: GPL-2.0-or-later */

/* recent-snapshot-failure: judged from the task history read before the VMs
 * (src/vsphere/tasks.c folds it per VM into core/history.c). */

#include <time.h>

#include "vmsnapcheck/history.h"
#include "rules/checks.h"

int vmsc_rules_report_history(const struct vmsc_eval *ev, const struct vmsc_history_vm *h,
			      const char *vcenter, struct vmsc_vm_result *vm)
{
	const struct vmsc_thresholds *th =
		ev->config ? &ev->config->thresholds : &vmsc_thresholds_default;
	char when[40];
	struct tm tm;

	if (!h || !h->failures || vm->status == VMSC_STATUS_SKIPPED ||
	    vm->status == VMSC_STATUS_UNKNOWN)
		return 0;
	gmtime_r(&h->fail_time, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
	/* The last attempt failing means the next backup will likely fail too. */
	return vmsc_rules_report_external(
		ev, "recent-snapshot-failure", h->last_failed ? VMSC_SEV_ERROR : VMSC_SEV_WARNING,
		vcenter, vm,
		"%d of %d snapshot attempts in the last %d days failed, the latest at %s%s%s%s: %s%s%s%s",
		h->failures, h->attempts, th->history_days, when,
		h->fail_user ? " (started by '" : "", h->fail_user ? h->fail_user : "",
		h->fail_user ? "')" : "", h->fail_fault ? h->fail_fault : "error",
		h->fail_message ? ": " : "", h->fail_message ? h->fail_message : "",
		h->last_failed ? "; the last attempt failed" : "; a later attempt succeeded");
}
