/* SPDX-License-Identifier: GPL-2.0-or-later */

/* Snapshot state rules: existing snapshots, leftover deltas, Fault Tolerance. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rules/checks.h"

/* vSphere supports chains of up to 32 snapshots: at 31 the next backup
 * snapshot is the last one possible, so we call it an error there. */
#define SNAPSHOT_CHAIN_ERROR_DEPTH 31

int vmsc_check_fault_tolerance(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	/* No faultToleranceState (or notConfigured) and no config.ftInfo = no FT. */
	if (f->ft_state && *f->ft_state && !vmsc_str_is(f->ft_state, "notConfigured"))
		return vmsc_rule_report(ctx, ctx->rule->severity,
					"Fault Tolerance configured (runtime.faultToleranceState = "
					"%s)", f->ft_state);
	if (f->ft_configured == VMSC_TRI_TRUE)
		return vmsc_rule_report(ctx, ctx->rule->severity,
					"Fault Tolerance configured (config.ftInfo is set)");
	return 0;
}

static const char *quoted_or(const char *name, const char *fallback, char *buf, size_t size)
{
	if (name && *name)
		snprintf(buf, size, "'%s'", name);
	else
		snprintf(buf, size, "%s", fallback);
	return buf;
}

int vmsc_check_snapshot_count(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	const struct vmsc_snapshot_summary *s = &f->snapshots;
	int max = vmsc_rule_thresholds(ctx)->max_snapshots;
	char oldest[300];

	quoted_or(s->oldest_name, "unnamed", oldest, sizeof(oldest));
	if (s->max_depth >= SNAPSHOT_CHAIN_ERROR_DEPTH)
		return vmsc_rule_report_as(ctx, VMSC_SEV_ERROR, VMSC_LEVEL_NONE, NULL,
					   "snapshot chain %d deep (%d snapshots, oldest %s): vSphere "
					   "allows at most 32, the next snapshot may fail",
					   s->max_depth, s->count, oldest);
	if (s->count > max)
		return vmsc_rule_report(ctx, ctx->rule->severity,
					"%d snapshots, more than max_snapshots = %d (oldest %s)",
					s->count, max, oldest);
	return 0;
}

/* "5 days" from 2 days on, "30 hours" below. */
static void format_age(long long seconds, char *buf, size_t size)
{
	long long hours = seconds / 3600;

	if (hours >= 48)
		snprintf(buf, size, "%lld days", hours / 24);
	else
		snprintf(buf, size, "%lld hours", hours);
}

int vmsc_check_snapshot_age(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	const struct vmsc_snapshot_summary *s = &f->snapshots;
	long long limit = (long long)vmsc_rule_thresholds(ctx)->max_snapshot_age_hours * 3600;
	long long age;
	char age_text[64], created[64], name[300];
	struct tm tm;

	if (s->count <= 0 || s->oldest_time <= 0 || ctx->now <= 0)
		return 0;
	/* Server clock on both sides: a skewed local clock cannot make or hide
	 * an old snapshot. */
	age = (long long)ctx->now - (long long)s->oldest_time;
	if (age <= limit)
		return 0;
	format_age(age, age_text, sizeof(age_text));
	if (gmtime_r(&s->oldest_time, &tm))
		strftime(created, sizeof(created), "%Y-%m-%d %H:%M UTC", &tm);
	else
		snprintf(created, sizeof(created), "?");
	return vmsc_rule_report(ctx, ctx->rule->severity,
				"snapshot %s is %s old (created %s), more than "
				"max_snapshot_age_hours = %d",
				quoted_or(s->oldest_name, "(unnamed)", name, sizeof(name)), age_text,
				created, vmsc_rule_thresholds(ctx)->max_snapshot_age_hours);
}

int vmsc_check_consolidation_needed(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	if (f->consolidation_needed != VMSC_TRI_TRUE)
		return 0;
	return vmsc_rule_report(ctx, ctx->rule->severity,
				"disk consolidation needed (runtime.consolidationNeeded = true): "
				"delta disks left over from a failed snapshot removal");
}

/* snapshot.maxSnapshots is the VMX limit on a VM's snapshots: at or below
 * the current count the backup's snapshot is refused (0 forbids them all). */
int vmsc_check_snapshot_limit(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	const char *v = vmsc_vm_facts_extra_config(f, "snapshot.maxSnapshots");
	char *end;
	long max;

	if (!v || !*v)
		return 0;
	errno = 0;
	max = strtol(v, &end, 10);
	if (errno || *end || max < 0 || max > f->snapshots.count)
		return 0;
	if (max == 0)
		return vmsc_rule_report(ctx, ctx->rule->severity,
					"snapshots forbidden (extraConfig snapshot.maxSnapshots = %s)",
					v);
	return vmsc_rule_report(ctx, ctx->rule->severity,
				"%d snapshots already, at the limit extraConfig "
				"snapshot.maxSnapshots = %s: the next snapshot is refused",
				f->snapshots.count, v);
}
