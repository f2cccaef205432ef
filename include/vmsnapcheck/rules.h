/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSNAPCHECK_RULES_H
#define VMSNAPCHECK_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "vmsnapcheck/config.h"
#include "vmsnapcheck/facts.h"
#include "vmsnapcheck/result.h"

/*
 * The rule table.  A rule is a row: id, default severity, title, whether it
 * needs a running guest, the property paths it reads, its check and remedy.
 * See src/rules/rules.c for how to add one.
 */

#define VMSC_RULE_NEEDS_RUNNING_GUEST 0x1u
/* Evaluated outside the rule engine (task history, --probe): the row gives
 * id, severity, title and remedy; `check` is NULL and vmsc_rules_evaluate()
 * skips it.  Report with vmsc_rules_report_external(). */
#define VMSC_RULE_EXTERNAL 0x2u

struct vmsc_rule_ctx {
	const struct vmsc_config *config;
	time_t now;                   /* server time */
	const struct vmsc_rule *rule;
	struct vmsc_vm_result *out;
};

struct vmsc_rule {
	const char *id;
	enum vmsc_severity severity;
	const char *title;
	unsigned flags;
	const char *const *paths;     /* NULL-terminated vim25 property paths */
	/* Adds findings through vmsc_rule_report(); returns 0 or -1 on allocation failure. */
	int (*check)(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx);
	const char *remedy;
};

const struct vmsc_rule *vmsc_rules(size_t *n);
const struct vmsc_rule *vmsc_rule_find(const char *id);

/* Emits a finding of ctx->rule with the configured severity (or `sev` when
 * the rule escalates, e.g. snapshot-count) and a printf-style message. */
int vmsc_rule_report(struct vmsc_rule_ctx *ctx, enum vmsc_severity sev, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* For rules evaluated elsewhere (VMSC_RULE_EXTERNAL): adds a finding of
 * rule `id` to `vm` unless the rule is disabled, with the configured
 * severity (or `sev`), the rule's remedy, then re-applies waivers (idempotent)
 * and updates the status.  Returns 0 (also when disabled) or -1 on
 * allocation failure or an unknown id. */
int vmsc_rules_report_external(struct vmsc_config *cfg, const char *id, enum vmsc_severity sev,
			       time_t now, const char *vcenter, struct vmsc_vm_result *vm,
			       const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* Property paths the enabled rules need, plus the ones every run needs
 * (name, power/connection state, template).  `all` = every rule's paths
 * (--save-facts).  Fills up to `max` pointers to static strings; returns
 * the total count, which may exceed `max` (like snprintf). */
size_t vmsc_rules_property_paths(const struct vmsc_config *cfg, bool all,
				 const char **paths, size_t max);

/*
 * Evaluates one VM into `out` (already added to the result with name/moid):
 * sets power_state/guest_id, marks it unknown when properties were
 * unreadable, skipped for templates and (unless include_powered_off)
 * powered-off/suspended VMs, runs enabled rules, applies waivers via
 * vmsc_config_apply_waivers() and sets the status.  The order of these
 * decisions (and why) is documented above its definition in src/rules/rules.c
 * and in docs/rules.md.  `cfg` may be NULL (defaults, no waivers).
 */
int vmsc_rules_evaluate(const struct vmsc_vm_facts *f, struct vmsc_config *cfg, time_t now,
			bool include_powered_off, struct vmsc_vm_result *out);

#endif
