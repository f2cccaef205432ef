/* SPDX-License-Identifier: GPL-2.0-or-later */

/* Room for snapshot delta disks on the datastores holding the VM's disks. */

#include <string.h>

#include "rules/checks.h"
#include "vmsnapcheck/datastores.h"

#define GB (1024.0 * 1024.0 * 1024.0) /* as the vSphere Client counts a "GB" */

/* a * pct < b * 100 without overflow for any datastore size */
static int below(long long have, long long of, int pct)
{
	return (long double)have * 100 < (long double)of * pct;
}

static double truncated(double v)
{
	/* "9.99" never prints as "10.0" below a limit of 10 */
	return (double)(long long)(v * 10) / 10;
}

int vmsc_check_datastore_low_space(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	const struct vmsc_thresholds *th = vmsc_rule_thresholds(ctx);
	size_t i, j;

	if (!ctx->datastores)
		return 0;
	for (i = 0; i < f->n_disks; i++) {
		const char *moid = f->disks[i].datastore;
		const struct vmsc_datastore *ds;
		long long provisioned = 0;
		double reserve;
		bool seen = false;

		if (!moid)
			continue;
		/* one finding per datastore, however many disks sit on it */
		for (j = 0; j < i && !seen; j++)
			seen = f->disks[j].datastore && !strcmp(f->disks[j].datastore, moid);
		ds = vmsc_datastores_find(ctx->datastores, moid);
		if (seen || !ds || ds->capacity <= 0 || ds->free_space < 0)
			continue;
		for (j = i; j < f->n_disks; j++)
			if (f->disks[j].datastore && !strcmp(f->disks[j].datastore, moid) &&
			    f->disks[j].capacity_bytes > 0)
				provisioned += f->disks[j].capacity_bytes;
		if (!below(ds->free_space, ds->capacity, th->datastore_min_free_percent) &&
		    !below(ds->free_space, provisioned, th->snapshot_reserve_percent))
			continue;
		reserve = (double)provisioned * th->snapshot_reserve_percent / 100 / GB;
		if (vmsc_rule_report(ctx, ctx->rule->severity,
				     "datastore '%s' has %.1f GB free (%.1f%% of %.1f GB); wanted: "
				     "datastore_min_free_percent = %d%% free and a snapshot reserve "
				     "of %.1f GB (snapshot_reserve_percent = %d%% of the VM's "
				     "%.1f GB on it)",
				     ds->name ? ds->name : moid, truncated((double)ds->free_space / GB),
				     truncated((double)ds->free_space * 100 / (double)ds->capacity),
				     truncated((double)ds->capacity / GB),
				     th->datastore_min_free_percent, reserve,
				     th->snapshot_reserve_percent,
				     truncated((double)provisioned / GB)) < 0)
			return -1;
	}
	return 0;
}
