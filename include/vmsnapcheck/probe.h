/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSNAPCHECK_PROBE_H
#define VMSNAPCHECK_PROBE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "vmsnapcheck/config.h"
#include "vmsnapcheck/error.h"
#include "vmsnapcheck/result.h"
#include "vmsnapcheck/rules.h"
#include "vmsnapcheck/vsphere.h"

struct vmsc_probe_options {
	int limit;                    /* refuse more VMs than this */
	int timeout;                  /* seconds per task */
	bool yes;                     /* no confirmation */
	bool force;                   /* probe despite blocking findings */
	bool quiet;
};

/*
 * Probes the powered-on VMs of vCenter `vcenter` in `r` (already checked):
 * create a quiesced snapshot, wait, remove exactly it.  Failures, timeouts
 * and leftovers become probe-failed findings.  Returns 0, or -1 when the
 * probe was refused (limit, no confirmation) — then nothing was changed.
 */
int vmsc_probe_run(struct vmsc_vsphere *c, struct vmsc_result *r, size_t vcenter,
		   const struct vmsc_eval *ev, const struct vmsc_probe_options *po,
		   volatile sig_atomic_t *interrupted, struct vmsc_error *err);

#endif
