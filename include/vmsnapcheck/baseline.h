/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSNAPCHECK_BASELINE_H
#define VMSNAPCHECK_BASELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "vmsnapcheck/error.h"
#include "vmsnapcheck/result.h"

/*
 * --baseline FILE: an earlier JSON report (schemaVersion 1, as -f json
 * writes it) that this run's findings are compared with (docs/output.md,
 * "Changes since a baseline").
 *
 * Matching, per VM by (vCenter name, case-insensitive; moid), so a renamed
 * VM keeps its findings:
 *   1. a finding with the same rule and the same message is unchanged;
 *   2. of the rest, a finding with the same rule is unchanged (a message
 *      that changed, "120 hours old" -> "144 hours old"), one baseline
 *      finding for one current finding;
 *   3. what is left of this run is new; what is left of the baseline is
 *      resolved, but only for VMs this run evaluated (ok, warning, error):
 *      a VM now skipped, unknown, out of scope, deleted or on a vCenter not
 *      read proves nothing and lists nothing.
 */

#define VMSC_BASELINE_MAX_BYTES (64u << 20)

struct vmsc_baseline;

/* Reads and checks FILE; NULL with err (VMSC_E_IO, VMSC_E_CONFIG, VMSC_E_NOMEM)
 * naming the file and what is wrong. */
struct vmsc_baseline *vmsc_baseline_load(const char *path, struct vmsc_error *err);
/* The same from memory; `name` stands for the file in messages. */
struct vmsc_baseline *vmsc_baseline_parse(const char *text, size_t len, const char *name,
					  struct vmsc_error *err);
void vmsc_baseline_free(struct vmsc_baseline *b);

/* Whether the baseline has a vCenter of this name (case-insensitive). */
bool vmsc_baseline_has_vcenter(const struct vmsc_baseline *b, const char *name);

/*
 * Marks every finding of r new or unchanged, fills r->resolved and sets
 * r->compared (call before vmsc_result_finish, which counts them).  -1 with
 * err when the baseline has no vCenter in common with r (VMSC_E_CONFIG:
 * another inventory; r is left as it was) or without memory.
 */
int vmsc_baseline_apply(const struct vmsc_baseline *b, struct vmsc_result *r,
			struct vmsc_error *err);

#endif
