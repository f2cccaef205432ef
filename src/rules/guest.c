/* SPDX-License-Identifier: GPL-2.0-or-later */

/* Guest volumes and the VM's reachability. */

#include <limits.h>
#include <stdio.h>
#include <strings.h>

#include "rules/checks.h"

/* Read-only image file systems: always full, never written by VSS or a
 * freeze script. */
static const char *const readonly_fs[] = { "iso9660", "squashfs", "udf" };

static int fs_ignored(const char *fs)
{
	size_t i;

	for (i = 0; fs && i < sizeof(readonly_fs) / sizeof(readonly_fs[0]); i++)
		if (strcasecmp(fs, readonly_fs[i]) == 0)
			return 1;
	return 0;
}

/* "812 MiB", "2.1 GiB", "1.5 TiB": truncated, never rounded up. */
static void format_bytes(long long b, char *buf, size_t size)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)b;
	size_t u = 0;

	if (b < 1024) {
		snprintf(buf, size, "%lld B", b);
		return;
	}
	v /= 1024;
	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, "%.1f %s", (double)(long long)(v * 10) / 10, units[u]);
}

/* free/capacity < min/100, decided in integers so exactly at the limit is
 * not below it; only volumes beyond 92 PB fall back to long double. */
static int below_percent(long long free_space, long long capacity, int min)
{
	if (free_space <= LLONG_MAX / 100 && capacity <= LLONG_MAX / 100)
		return free_space * 100 < (long long)min * capacity;
	return (long double)free_space * 100 < (long double)min * capacity;
}

int vmsc_check_guest_disk_space(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	int min = vmsc_rule_thresholds(ctx)->min_guest_free_percent;
	char free_text[32], cap_text[32];
	size_t i;

	for (i = 0; i < f->n_volumes; i++) {
		const struct vmsc_guest_volume *v = &f->volumes[i];
		double pct;

		if (v->capacity <= 0 || v->free_space < 0 || fs_ignored(v->fs_type))
			continue;
		if (!below_percent(v->free_space, v->capacity, min))
			continue;
		pct = (double)v->free_space * 100 / (double)v->capacity;
		format_bytes(v->free_space, free_text, sizeof(free_text));
		format_bytes(v->capacity, cap_text, sizeof(cap_text));
		/* Truncate so "9.99%" never prints as "10.0%" below a 10% limit. */
		if (vmsc_rule_report(ctx, ctx->rule->severity,
				     "volume '%s' has %.1f%% free (%s of %s), below "
				     "min_guest_free_percent = %d%%",
				     v->path ? v->path : "?", (double)(long long)(pct * 10) / 10,
				     free_text, cap_text, min) < 0)
			return -1;
	}
	return 0;
}

int vmsc_check_vm_inaccessible(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	if (!vmsc_connection_state_bad(f->connection_state))
		return 0;
	return vmsc_rule_report(ctx, ctx->rule->severity,
				"VM is %s (runtime.connectionState = %s): it cannot be backed up",
				f->connection_state, f->connection_state);
}
