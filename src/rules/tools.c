/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * VMware Tools rules.  Quiescing is done by Tools inside the guest (the VSS
 * requester on Windows, the freeze/thaw sync driver and scripts elsewhere):
 * without working Tools a "quiesced" snapshot fails or silently is not one.
 *
 * Only guest.toolsVersionStatus2 and guest.toolsRunningStatus are read;
 * the deprecated guest.toolsStatus conflates both.  An absent status means
 * "unknown" and an unrecognised value (a newer server's enum) is ignored:
 * neither ever produces a finding.
 */

#include <stdio.h>
#include <stdlib.h>

#include "rules/checks.h"

/* "VMware Tools 12.2.0" or "VMware Tools" when the version is not reported.
 * guest.toolsVersion encodes major * 1024 + minor * 32 + patch; a value that
 * is not a number is shown as it came. */
static const char *tools_name(const struct vmsc_vm_facts *f, char *buf, size_t size)
{
	unsigned long v;
	char *end;

	if (f->tools_version && *f->tools_version && !vmsc_str_is(f->tools_version, "0")) {
		v = strtoul(f->tools_version, &end, 10);
		if (*end || f->tools_version[0] < '0' || f->tools_version[0] > '9')
			snprintf(buf, size, "VMware Tools %s", f->tools_version);
		else
			snprintf(buf, size, "VMware Tools %lu.%lu.%lu", v >> 10, (v >> 5) & 31, v & 31);
	} else
		snprintf(buf, size, "VMware Tools");
	return buf;
}

int vmsc_check_tools_not_installed(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	if (!vmsc_str_is(f->tools_version_status, "guestToolsNotInstalled"))
		return 0;
	return vmsc_rule_report(ctx, ctx->rule->severity,
				"VMware Tools not installed (guest.toolsVersionStatus2 = "
				"guestToolsNotInstalled): no quiescing at all");
}

int vmsc_check_tools_not_running(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	char name[128];

	/* Installed means a reported status other than NotInstalled; an absent
	 * status (unknown) is not evidence of an installation. */
	if (!vmsc_str_is(f->power_state, "poweredOn") || !f->tools_version_status ||
	    !*f->tools_version_status ||
	    vmsc_str_is(f->tools_version_status, "guestToolsNotInstalled"))
		return 0;
	if (!vmsc_str_is(f->tools_running_status, "guestToolsNotRunning"))
		return 0;
	return vmsc_rule_report(ctx, ctx->rule->severity,
				"%s installed but not running (guest.toolsRunningStatus = "
				"guestToolsNotRunning)", tools_name(f, name, sizeof(name)));
}

int vmsc_check_tools_outdated(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	char name[128];

	/* guestToolsNeedUpgrade comes from servers older than the SupportedOld
	 * split; Unmanaged (OS-packaged open-vm-tools), Current and SupportedNew
	 * are fine. */
	if (!vmsc_str_is(f->tools_version_status, "guestToolsSupportedOld") &&
	    !vmsc_str_is(f->tools_version_status, "guestToolsNeedUpgrade"))
		return 0;
	return vmsc_rule_report(ctx, ctx->rule->severity, "%s outdated (%s)",
				tools_name(f, name, sizeof(name)), f->tools_version_status);
}

int vmsc_check_tools_unsupported(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	static const struct {
		const char *status;
		const char *what;
	} bad[] = {
		{ "guestToolsTooOld", "too old for this host" },
		{ "guestToolsTooNew", "newer than this host supports" },
		{ "guestToolsBlacklisted", "blocklisted for known problems" },
	};
	char name[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (vmsc_str_is(f->tools_version_status, bad[i].status))
			return vmsc_rule_report(ctx, ctx->rule->severity, "%s %s (%s)",
						tools_name(f, name, sizeof(name)), bad[i].what,
						bad[i].status);
	return 0;
}

int vmsc_check_tools_upgrade_in_progress(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	if (f->tools_installer_mounted != VMSC_TRI_TRUE)
		return 0;
	return vmsc_rule_report(ctx, ctx->rule->severity,
				"VMware Tools installer mounted (runtime.toolsInstallerMounted = "
				"true): an upgrade is under way or the ISO was left mounted");
}
