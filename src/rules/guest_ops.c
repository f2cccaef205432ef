/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * Checks on what --guest learnt inside the guest (VMSC_RULE_GUEST; see
 * docs/guest.md and docs/rules.md).  Each reads ctx->guest, never the VM
 * facts, and stays silent on a part that was not read.
 */

#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/checks.h"

static const char *const service_names[VMSC_GUEST_N_SVC] = {
	"Volume Shadow Copy", "Microsoft Software Shadow Copy Provider", "COM+ Event System",
	"VMware Snapshot Provider",
};

int vmsc_check_vss_writer_failed(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	const struct vmsc_guest_facts *g = ctx->guest;
	size_t i;

	(void)f;
	for (i = 0; g && g->writers_read && i < g->n_writers; i++) {
		const struct vmsc_guest_writer *w = &g->writers[i];

		if (!w->failed)
			continue;
		if (vmsc_rule_report(ctx, ctx->rule->severity,
				     "VSS writer '%s' failed: state [%d]%s%s, last error: %s", w->name,
				     w->state, w->state_text ? " " : "",
				     w->state_text ? w->state_text : "",
				     w->last_error ? w->last_error : "(none)") < 0)
			return -1;
	}
	return 0;
}

int vmsc_check_vss_service_disabled(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	static const enum vmsc_guest_service needed[] = {
		VMSC_GUEST_SVC_VSS, VMSC_GUEST_SVC_SWPRV, VMSC_GUEST_SVC_EVENTSYSTEM,
	};
	const struct vmsc_guest_facts *g = ctx->guest;
	size_t i;

	(void)f;
	for (i = 0; g && i < sizeof(needed) / sizeof(needed[0]); i++) {
		if (g->start[needed[i]] != VMSC_GUEST_START_DISABLED)
			continue;
		if (vmsc_rule_report(ctx, ctx->rule->severity,
				     "service %s (%s) is disabled (Start = 4): no VSS snapshot can "
				     "be taken", vmsc_guest_service_key(needed[i]),
				     service_names[needed[i]]) < 0)
			return -1;
	}
	return 0;
}

int vmsc_check_vmware_vss_missing(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	const struct vmsc_guest_facts *g = ctx->guest;

	(void)f;
	if (!g || !g->windows || g->start[VMSC_GUEST_SVC_VMVSS] != VMSC_GUEST_START_MISSING)
		return 0;
	return vmsc_rule_report(ctx, ctx->rule->severity,
				"no vmvss service (VMware Snapshot Provider): VMware Tools is "
				"installed without its VSS support, so only file-system "
				"quiescing is possible");
}

int vmsc_check_vss_foreign_provider(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	const struct vmsc_guest_facts *g = ctx->guest;
	size_t i;

	(void)f;
	for (i = 0; g && g->providers_read && i < g->n_providers; i++) {
		const struct vmsc_guest_provider *p = &g->providers[i];

		if (vmsc_guest_provider_known(p))
			continue;
		if (vmsc_rule_report(ctx, ctx->rule->severity,
				     "third-party VSS provider '%s' %s is installed",
				     p->name && *p->name ? p->name : "(unnamed)", p->key) < 0)
			return -1;
	}
	return 0;
}

int vmsc_check_tools_conf_quiescing_off(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	const struct vmsc_guest_facts *g = ctx->guest;
	const char *path;

	(void)f;
	if (!g || !g->tools_conf_read)
		return 0;
	path = g->windows ? "C:\\ProgramData\\VMware\\VMware Tools\\tools.conf"
			  : "/etc/vmware-tools/tools.conf";
	if (g->windows && g->enable_vss == VMSC_TRI_FALSE &&
	    vmsc_rule_report_as(ctx, ctx->rule->severity, VMSC_LEVEL_CRASH, NULL,
				"%s: [vmbackup] enableVSS = false: no quiescing at all", path) < 0)
		return -1;
	if (!g->windows && g->enable_sync_driver == VMSC_TRI_FALSE &&
	    vmsc_rule_report_as(ctx, ctx->rule->severity, VMSC_LEVEL_CRASH, NULL,
				"%s: [vmbackup] enableSyncDriver = false: file systems are not "
				"frozen", path) < 0)
		return -1;
	if (g->windows && g->disable_app_quiescing == VMSC_TRI_TRUE &&
	    vmsc_rule_report(ctx, ctx->rule->severity,
			     "%s: [vmbackup] vss.disableAppQuiescing = true: file-system "
			     "quiescing only, no application writers", path) < 0)
		return -1;
	return 0;
}

/* At most this many events are named; the message says how many more. */
#define EVENTS_NAMED 5

int vmsc_check_vss_event_errors(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	const struct vmsc_guest_facts *g = ctx->guest;
	char *msg = NULL;
	size_t len = 0, i;
	FILE *m;
	int rc;

	(void)f;
	if (!g || !g->events_read || !g->n_events)
		return 0;
	m = open_memstream(&msg, &len);
	if (!m)
		return -1;
	fprintf(m, "%zu VSS, volsnap or VMware Tools error event%s", g->n_events,
		g->n_events == 1 ? "" : "s");
	if (g->history_days > 0)
		fprintf(m, " in the last %d day%s", g->history_days, g->history_days == 1 ? "" : "s");
	for (i = 0; i < g->n_events && i < EVENTS_NAMED; i++) {
		const struct vmsc_guest_event *e = &g->events[i];

		fprintf(m, "%s %s %s %ld", i ? ";" : ":", e->log, e->source, e->id);
		if (e->first_line)
			fprintf(m, " \"%s\"", e->first_line);
	}
	if (g->n_events > EVENTS_NAMED)
		fprintf(m, "; and %zu more", g->n_events - EVENTS_NAMED);
	if (fclose(m) != 0) {
		free(msg);
		return -1;
	}
	rc = vmsc_rule_report(ctx, ctx->rule->severity, "%s", msg);
	free(msg);
	return rc;
}

int vmsc_check_freeze_script_not_executable(const struct vmsc_vm_facts *f,
					    struct vmsc_rule_ctx *ctx)
{
	const struct vmsc_guest_facts *g = ctx->guest;
	size_t i;

	(void)f;
	for (i = 0; g && g->scripts_read && i < g->n_scripts; i++) {
		const struct vmsc_guest_script *s = &g->scripts[i];

		if (s->mode & 0111)
			continue;
		if (vmsc_rule_report(ctx, ctx->rule->severity,
				     "freeze script %s is not executable (mode %04o)", s->path,
				     s->mode & 07777) < 0)
			return -1;
	}
	return 0;
}

int vmsc_check_guest_not_elevated(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	const struct vmsc_guest_facts *g = ctx->guest;

	(void)f;
	if (!g || g->elevated != VMSC_TRI_FALSE)
		return 0;
	return vmsc_rule_report(ctx, ctx->rule->severity,
				"the guest account's token is not elevated (no High Mandatory "
				"Level, S-1-16-12288): VSS writers and the event logs were not "
				"checked");
}

int vmsc_check_guest_login_failed(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	const struct vmsc_guest_facts *g = ctx->guest;

	(void)f;
	if (!g || !g->login_failed)
		return 0;
	return vmsc_rule_report(ctx, ctx->rule->severity,
				"the guest refused the login of %s (InvalidGuestLogin): nothing "
				"was checked inside the guest",
				g->login_user && *g->login_user ? g->login_user : "the guest user");
}
