/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSNAPCHECK_RULES_H
#define VMSNAPCHECK_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "vmsnapcheck/config.h"
#include "vmsnapcheck/consistency.h"
#include "vmsnapcheck/datastores.h"
#include "vmsnapcheck/error.h"
#include "vmsnapcheck/facts.h"
#include "vmsnapcheck/guest.h"
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
/* A finding of this rule makes a quiesced test snapshot pointless: --probe
 * skips the VM and names the rule. */
#define VMSC_RULE_BLOCKS_PROBE 0x4u
/* Runs only when [rule "ID"] enabled = true (cbt-disabled). */
#define VMSC_RULE_OFF_BY_DEFAULT 0x8u
/* Runs only with a [backup] section (backup-age). */
#define VMSC_RULE_NEEDS_BACKUP_CONFIG 0x10u
/* Judges what --guest learnt inside the guest (struct vmsc_guest_facts in
 * ctx->guest; the check's facts argument is NULL): only
 * vmsc_rules_evaluate_guest() runs it.  It reads no vim25 path. */
#define VMSC_RULE_GUEST 0x20u

/*
 * What one evaluation needs besides the facts.  The config is read-only, so
 * vCenters are evaluated in parallel without a lock; each job counts its
 * waiver matches in its own array and the caller adds them up after.
 */
struct vmsc_eval {
	const struct vmsc_config *config; /* NULL: defaults, no waivers */
	time_t now;                       /* server time */
	bool include_powered_off;
	size_t *waiver_matches;           /* config->n_waivers counters, or NULL */
	/* The vCenter's datastores (datastore-low-space); NULL = not read. */
	const struct vmsc_datastores *datastores;
};

struct vmsc_rule_ctx {
	const struct vmsc_config *config;
	time_t now;                   /* server time */
	const struct vmsc_rule *rule;
	struct vmsc_vm_result *out;
	const struct vmsc_datastores *datastores; /* NULL = not read */
	const struct vmsc_guest_facts *guest;     /* VMSC_RULE_GUEST checks only */
};

struct vmsc_rule {
	const char *id;
	enum vmsc_severity severity;
	/* The consistency a finding limits the VM to (UNSET: none); a check
	 * may give one finding a lower cap (vmsc_rule_report_capped). */
	enum vmsc_level cap;
	const char *title;
	unsigned flags;
	const char *const *paths;     /* NULL-terminated vim25 property paths */
	/* Adds findings through vmsc_rule_report(); returns 0 or -1 on allocation failure. */
	int (*check)(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx);
	const char *remedy;
};

const struct vmsc_rule *vmsc_rules(size_t *n);
const struct vmsc_rule *vmsc_rule_find(const char *id);
/* Whether the rule runs under this config (its [rule] section, else its
 * default); an unknown id is off.  `cfg` may be NULL. */
bool vmsc_rule_enabled(const struct vmsc_config *cfg, const char *id);

/* Emits a finding of ctx->rule with the configured severity (or `sev` when
 * the rule escalates, e.g. snapshot-count) and a printf-style message. */
int vmsc_rule_report(struct vmsc_rule_ctx *ctx, enum vmsc_severity sev, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The same with this finding's own cap (UNSET: the rule's) and remedy (NULL:
 * the rule's), for rules whose causes differ in what they cost and how they
 * are fixed (quiesce-disabled).  The remedy must be static text (a literal):
 * the finding points at it. */
int vmsc_rule_report_as(struct vmsc_rule_ctx *ctx, enum vmsc_severity sev, enum vmsc_level cap,
			const char *remedy, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* For rules evaluated elsewhere (VMSC_RULE_EXTERNAL): adds a finding of
 * rule `id` to `vm` unless the rule is disabled, with the configured
 * severity (or `sev`), the rule's remedy, then re-applies waivers (idempotent)
 * and updates the status.  Returns 0 (also when disabled) or -1 on
 * allocation failure or an unknown id. */
int vmsc_rules_report_external(const struct vmsc_eval *ev, const char *id, enum vmsc_severity sev,
			       const char *vcenter, struct vmsc_vm_result *vm, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* The guest's consistency ceiling (docs/rules.md, "Expected consistency"). */
enum vmsc_level vmsc_rules_guest_ceiling(const struct vmsc_vm_facts *f);

/* Recomputes the VM's expected consistency from its findings (waived ones
 * too) and, where a [require] section or --require asks for more, adds the
 * consistency-below-required finding (replacing an earlier one).  Called
 * after every change to a VM's findings; idempotent.  0 or -1. */
int vmsc_rules_settle(const struct vmsc_eval *ev, const char *vcenter, struct vmsc_vm_result *vm);

/* The level required of a VM (UNSET: none) and, when a [require] section
 * set it, that section's index in *from (else SIZE_MAX). */
enum vmsc_level vmsc_rules_required_level(const struct vmsc_config *cfg, const char *vm,
					  size_t *from);

/* recent-snapshot-failure from the VM's folded task history (NULL: no
 * attempts); skipped and unknown VMs get nothing.  0 or -1. */
struct vmsc_history_vm;
int vmsc_rules_report_history(const struct vmsc_eval *ev, const struct vmsc_history_vm *h,
			      const char *vcenter, struct vmsc_vm_result *vm);

/* The first unwaived finding of a VMSC_RULE_BLOCKS_PROBE rule, or NULL. */
const char *vmsc_rules_probe_blocker(const struct vmsc_vm_result *vm);

/* Applies the config's waivers to the VM's findings: marks waived ones,
 * attaches the waiver (also an expired one, with expired = true), counts
 * matches in ev->waiver_matches, then updates the VM status.  ev->now
 * decides expiry.  Idempotent. */
int vmsc_rules_apply_waivers(const struct vmsc_eval *ev, const char *vcenter,
			     struct vmsc_vm_result *vm);

/* Checks a loaded config's rule ids ([rule "ID"], waiver `rule =`) against
 * the table: VMSC_E_CONFIG "FILE:LINE: unknown rule ..." for the first
 * unknown one. */
int vmsc_rules_check_config(const struct vmsc_config *cfg, struct vmsc_error *err);

/* Property paths the enabled rules need, plus the ones every run needs
 * (name, power/connection state, template).  `all` = every rule's paths
 * (--save-facts).  A malloc'd NULL-terminated array of static strings (free
 * it), each path once, count in *n; NULL when out of memory. */
const char **vmsc_rules_property_paths(const struct vmsc_config *cfg, bool all, size_t *n);

/*
 * Evaluates one VM into `out` (already added to the result with name/moid):
 * sets power_state/guest_id, marks it unknown when properties were
 * unreadable, skipped for templates and (unless include_powered_off)
 * powered-off/suspended VMs, runs enabled rules, applies waivers via
 * vmsc_rules_apply_waivers() and sets the status.  The order of these
 * decisions (and why) is documented above its definition in src/rules/rules.c
 * and in docs/rules.md.
 */
int vmsc_rules_evaluate(const struct vmsc_eval *ev, const struct vmsc_vm_facts *f,
			struct vmsc_vm_result *out);

/*
 * The guest rules (VMSC_RULE_GUEST) on what --guest learnt in the VM's
 * guest: adds their findings to `vm` (already evaluated by
 * vmsc_rules_evaluate), applies waivers and settles the expected
 * consistency, so guest findings cap it.  Skipped and unknown VMs get
 * nothing.  0 or -1 when out of memory.
 */
int vmsc_rules_evaluate_guest(const struct vmsc_eval *ev, const char *vcenter,
			      const struct vmsc_guest_facts *g, struct vmsc_vm_result *vm);

#endif
