/* SPDX-License-Identifier: GPL-2.0-or-later */

/* Snapshot state rules: existing snapshots, leftover deltas, Fault Tolerance. */

#define _GNU_SOURCE
#include <errno.h>
#include <fnmatch.h>
#include <stdbool.h>
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

/* "5 days" from 2 days on, "30 hours" below. */
static void format_age(long long seconds, char *buf, size_t size)
{
	long long hours = seconds / 3600;

	if (hours >= 48)
		snprintf(buf, size, "%lld days", hours / 24);
	else
		snprintf(buf, size, "%lld hours", hours);
}

/* --- [thresholds] snapshot_ignore ------------------------------------------ */

/* The first snapshot_ignore glob the name matches, or NULL. */
static const char *ignore_glob(const struct vmsc_thresholds *t, const char *name)
{
	for (size_t i = 0; name && i < t->n_snapshot_ignore; i++)
		if (fnmatch(t->snapshot_ignore[i], name, 0) == 0)
			return t->snapshot_ignore[i];
	return NULL;
}

/* A backup's own snapshot while its backup may still run: its name matches
 * a glob and it is younger than snapshot_ignore_max_age_hours by the server
 * clock.  Without a createTime (or a server time) its age is unknown, and
 * an unknown age never hides a snapshot. */
static bool snapshot_ignored(const struct vmsc_rule_ctx *ctx, const char *name, time_t created)
{
	const struct vmsc_thresholds *t = vmsc_rule_thresholds(ctx);

	if (!ignore_glob(t, name) || created <= 0 || ctx->now <= 0)
		return false;
	return (long long)ctx->now - (long long)created <
	       (long long)t->snapshot_ignore_max_age_hours * 3600;
}

/* What counts for snapshot-count and snapshot-age once the ignored
 * snapshots are set aside. */
struct counted {
	int count;
	time_t oldest_time;
	const char *oldest_name;
	const struct vmsc_snapshot *left_behind; /* the oldest matching one that counts again */
};

/*
 * From the summary, and from the list where a snapshot is ignored.  Facts
 * without a list (older facts files) ignore nothing.  Snapshots beyond the
 * list's cap are not named, so they are counted.  The oldest is the
 * summary's unless that one is ignored; then the oldest counted one of the
 * list (an ignored oldest is younger than the ignore limit, so every
 * snapshot is).
 */
static void count_snapshots(const struct vmsc_vm_facts *f, const struct vmsc_rule_ctx *ctx,
			    struct counted *c)
{
	const struct vmsc_snapshot_summary *s = &f->snapshots;
	const struct vmsc_thresholds *t = vmsc_rule_thresholds(ctx);
	bool oldest_ignored = false;

	c->count = s->count > (int)s->n_list ? s->count : (int)s->n_list;
	c->oldest_time = s->oldest_time;
	c->oldest_name = s->oldest_name;
	c->left_behind = NULL;
	if (!t->n_snapshot_ignore || !s->n_list)
		return;
	for (size_t i = 0; i < s->n_list; i++) {
		const struct vmsc_snapshot *e = &s->list[i];

		if (snapshot_ignored(ctx, e->name, e->created)) {
			c->count--;
			if (e->created == s->oldest_time && vmsc_str_is(e->name, s->oldest_name))
				oldest_ignored = true;
		} else if (ignore_glob(t, e->name) &&
			   (!c->left_behind || (e->created > 0 && e->created < c->left_behind->created))) {
			c->left_behind = e;
		}
	}
	if (!oldest_ignored)
		return;
	c->oldest_time = 0;
	c->oldest_name = NULL;
	for (size_t i = 0; i < s->n_list; i++) {
		const struct vmsc_snapshot *e = &s->list[i];

		if (e->created > 0 && !snapshot_ignored(ctx, e->name, e->created) &&
		    (!c->oldest_time || e->created < c->oldest_time)) {
			c->oldest_time = e->created;
			c->oldest_name = e->name;
		}
	}
}

/* ", including 'VEEAM BACKUP TEMPORARY SNAPSHOT', a backup snapshot left
 * behind for 3 days" when a snapshot matching snapshot_ignore counts again. */
static void left_behind_text(const struct vmsc_rule_ctx *ctx, const struct counted *c, char *buf,
			     size_t size)
{
	char age[64];

	buf[0] = '\0';
	if (!c->left_behind)
		return;
	if (c->left_behind->created > 0 && ctx->now > 0) {
		format_age((long long)ctx->now - (long long)c->left_behind->created, age,
			   sizeof(age));
		snprintf(buf, size, ", including '%s', a backup snapshot left behind for %s",
			 c->left_behind->name, age);
	} else {
		snprintf(buf, size, ", including '%s', a backup snapshot of unknown age",
			 c->left_behind->name);
	}
}

int vmsc_check_snapshot_count(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	const struct vmsc_snapshot_summary *s = &f->snapshots;
	int max = vmsc_rule_thresholds(ctx)->max_snapshots;
	struct counted c;
	char oldest[300], left[400];

	/* vSphere's chain limit counts every snapshot, a backup's own too */
	quoted_or(s->oldest_name, "unnamed", oldest, sizeof(oldest));
	if (s->max_depth >= SNAPSHOT_CHAIN_ERROR_DEPTH)
		return vmsc_rule_report_as(ctx, VMSC_SEV_ERROR, VMSC_LEVEL_NONE, NULL,
					   "snapshot chain %d deep (%d snapshots, oldest %s): vSphere "
					   "allows at most 32, the next snapshot may fail",
					   s->max_depth, s->count, oldest);
	count_snapshots(f, ctx, &c);
	if (c.count <= max)
		return 0;
	quoted_or(c.oldest_name, "unnamed", oldest, sizeof(oldest));
	left_behind_text(ctx, &c, left, sizeof(left));
	return vmsc_rule_report(ctx, ctx->rule->severity,
				"%d snapshots, more than max_snapshots = %d (oldest %s)%s",
				c.count, max, oldest, left);
}

int vmsc_check_snapshot_age(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	const struct vmsc_thresholds *t = vmsc_rule_thresholds(ctx);
	long long limit = (long long)t->max_snapshot_age_hours * 3600;
	long long age;
	struct counted c;
	char age_text[64], created[64], name[300], left[200];
	struct tm tm;

	if (f->snapshots.count <= 0 || ctx->now <= 0)
		return 0;
	count_snapshots(f, ctx, &c);
	if (c.count <= 0 || c.oldest_time <= 0)
		return 0;
	/* Server clock on both sides: a skewed local clock cannot make or hide
	 * an old snapshot. */
	age = (long long)ctx->now - (long long)c.oldest_time;
	if (age <= limit)
		return 0;
	format_age(age, age_text, sizeof(age_text));
	if (gmtime_r(&c.oldest_time, &tm))
		strftime(created, sizeof(created), "%Y-%m-%d %H:%M UTC", &tm);
	else
		snprintf(created, sizeof(created), "?");
	left[0] = '\0';
	if (ignore_glob(t, c.oldest_name))
		snprintf(left, sizeof(left), ": a backup snapshot left behind (older than "
			 "snapshot_ignore_max_age_hours = %d)", t->snapshot_ignore_max_age_hours);
	return vmsc_rule_report(ctx, ctx->rule->severity,
				"snapshot %s is %s old (created %s), more than "
				"max_snapshot_age_hours = %d%s",
				quoted_or(c.oldest_name, "(unnamed)", name, sizeof(name)), age_text,
				created, t->max_snapshot_age_hours, left);
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
