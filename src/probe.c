/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --probe: a real quiesced snapshot of a few selected VMs, then removal of
 * exactly that snapshot.  It changes production VMs, so it is opt-in,
 * capped, confirmed, and cleans up after failures, timeouts and signals.
 * A snapshot it created and could not remove is reported loudly by name.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vmsnapcheck/probe.h"
#include "vmsnapcheck/probe_level.h"
#include "vmsnapcheck/rules.h"

#define PROBE_PREFIX "vmsnapcheck-probe-"
#define SETTLE_SECONDS 60
/* VSS manifests hold XML metadata only: a few KiB to a few MiB */
#define MANIFEST_MAX_BYTES (32u * 1024u * 1024u)

static bool powered_on(const struct vmsc_vm_result *vm)
{
	return vm->power_state && !strcmp(vm->power_state, "poweredOn");
}

/* Powered on, evaluated, on this vCenter; `why` gets a blocking rule id. */
static bool eligible(const struct vmsc_vm_result *vm, size_t vcenter, const char **why)
{
	*why = NULL;
	if (vm->vcenter != vcenter || vm->status == VMSC_STATUS_SKIPPED ||
	    vm->status == VMSC_STATUS_UNKNOWN || !powered_on(vm))
		return false;
	*why = vmsc_rules_probe_blocker(vm);
	return true;
}

static void fmt_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm);
}

static double elapsed(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (t1.tv_nsec - t0->tv_nsec) / 1e9;
}

struct probe {
	struct vmsc_vsphere *c;
	struct vmsc_result *r;
	const struct vmsc_eval *ev;
	const struct vmsc_probe_options *po;
	const char *vcenter;
};

static int finding(struct probe *p, struct vmsc_vm_result *vm, enum vmsc_severity sev,
		   const char *msg)
{
	return vmsc_rules_report_external(p->ev, "probe-failed", sev, p->vcenter, vm, "%s", msg);
}

/* Removes one snapshot and waits; returns 0, or -1 with *why filled. */
static int remove_snapshot(struct probe *p, const char *snapshot, char *why, size_t len)
{
	struct vmsc_task_info info = { 0 };
	struct vmsc_error err = { 0 };
	char *task = NULL;
	int rc = -1, w;

	if (vmsc_vsphere_remove_snapshot(p->c, snapshot, &task, &err) < 0) {
		snprintf(why, len, "%s", err.message);
		return -1;
	}
	w = vmsc_vsphere_wait_task(p->c, task, time(NULL) + p->po->timeout, &info, &err);
	if (w < 0)
		snprintf(why, len, "%s", err.message);
	else if (w > 0)
		snprintf(why, len, "removal did not finish within %d s", p->po->timeout);
	else if (strcmp(info.state, "success"))
		snprintf(why, len, "%s: %s", info.fault ? info.fault : "error",
			 info.message ? info.message : "no message");
	else
		rc = 0;
	vmsc_task_info_release(&info);
	free(task);
	return rc;
}

/*
 * What the test snapshot achieved, read before it is removed: its quiesced
 * flag and, where it has one, the names inside its VSS manifest zip.  The
 * level goes into vm->consistency.probed; less than expected is
 * probe-downgraded.  A level that cannot be told is only a notice.
 */
static void measure(struct probe *p, struct vmsc_vm_result *vm, const char *snapshot)
{
	struct vmsc_snapshot_record rec = { 0 };
	struct vmsc_probe_evidence ev = { 0 };
	struct vmsc_error err = { 0 };
	unsigned char *zip = NULL;
	char **names = NULL;
	size_t len = 0, n = 0;
	char how[160], why[1100] = "";
	enum vmsc_level got, want = vm->consistency.expected;

	if (vmsc_vsphere_lookup_snapshot_record(p->c, vm->moid, snapshot, &rec, &err) < 0 ||
	    !rec.found) {
		fprintf(stderr, "vmsnapcheck: probe '%s': cannot read the test snapshot's level: %s\n",
			vm->name, rec.found || err.message[0] ? err.message : "the snapshot is gone");
		goto out;
	}
	ev.quiesced = rec.quiesced;
	if (rec.quiesced && rec.manifest) {
		ev.manifest = VMSC_MANIFEST_UNREADABLE;
		if (!rec.datacenter)
			snprintf(why, sizeof(why), "the VM's datacenter is unknown");
		else if (vmsc_vsphere_download_datastore_file(p->c, rec.datacenter, rec.manifest,
							      MANIFEST_MAX_BYTES, &zip, &len, &err) < 0)
			snprintf(why, sizeof(why), "%s", err.message);
		else if (vmsc_zip_names(zip, len, &names, &n) < 0)
			snprintf(why, sizeof(why), "not a zip archive");
		else
			ev.manifest = VMSC_MANIFEST_LISTED;
		ev.names = (const char *const *)names;
		ev.n_names = n;
	}
	got = vmsc_probe_level(&ev);
	if (got == VMSC_LEVEL_UNSET) {
		fprintf(stderr, "vmsnapcheck: probe '%s': cannot tell the level the test snapshot "
			"reached: VSS manifest '%s': %s\n", vm->name, rec.manifest, why);
		goto out;
	}
	vm->consistency.probed = got;
	vmsc_probe_evidence_describe(&ev, how, sizeof(how));
	if (want != VMSC_LEVEL_UNSET && got < want)
		vmsc_rules_report_external(p->ev, "probe-downgraded", VMSC_SEV_WARNING, p->vcenter, vm,
					   "the test snapshot reached %s, less than the expected %s: "
					   "%s", vmsc_level_name(got), vmsc_level_name(want), how);
	else if (!p->po->quiet)
		fprintf(stderr, "vmsnapcheck: probe '%s': the test snapshot reached %s (%s)\n",
			vm->name, vmsc_level_name(got), how);
out:
	vmsc_zip_names_free(names, n);
	free(zip);
	vmsc_snapshot_record_release(&rec);
}

/* After a failed or abandoned task: remove whatever snapshot of ours appeared. */
static void clean_up_named(struct probe *p, struct vmsc_vm_result *vm, const char *name)
{
	struct vmsc_snapshot_ref *refs = NULL;
	struct vmsc_error err = { 0 };
	size_t n = 0;
	char why[1100], msg[2048];

	if (vmsc_vsphere_lookup_snapshots(p->c, vm->moid, name, &refs, &n, &err) < 0) {
		snprintf(msg, sizeof(msg), "cannot check whether probe snapshot '%s' exists: %s; "
			 "check the VM's snapshots by hand", name, err.message);
		fprintf(stderr, "vmsnapcheck: '%s': %s\n", vm->name, msg);
		finding(p, vm, VMSC_SEV_ERROR, msg);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(refs[i].name, name))
			continue;
		if (remove_snapshot(p, refs[i].moref, why, sizeof(why)) < 0) {
			snprintf(msg, sizeof(msg), "probe snapshot '%s' (%s) could NOT be removed: %s; "
				 "remove it by hand (Snapshots > Manage Snapshots)", name,
				 refs[i].moref, why);
			fprintf(stderr, "vmsnapcheck: '%s': %s\n", vm->name, msg);
			finding(p, vm, VMSC_SEV_ERROR, msg);
		}
	}
	vmsc_snapshot_refs_free(refs, n);
}

static void probe_vm(struct probe *p, struct vmsc_vm_result *vm, volatile sig_atomic_t *interrupted)
{
	struct vmsc_task_info info = { 0 };
	struct vmsc_error err = { 0 };
	struct vmsc_snapshot_ref *refs = NULL;
	struct timespec t0;
	char name[64], when[40], msg[2048], why[1100];
	char *task = NULL;
	size_t n = 0;
	time_t wall = time(NULL);
	struct tm tm;
	int w;

	/* never multiply leftovers of an interrupted run */
	if (vmsc_vsphere_lookup_snapshots(p->c, vm->moid, PROBE_PREFIX, &refs, &n, &err) < 0) {
		snprintf(msg, sizeof(msg), "not probed: cannot read its snapshots: %s", err.message);
		finding(p, vm, VMSC_SEV_ERROR, msg);
		return;
	}
	if (n) {
		fmt_time(refs[0].created, when, sizeof(when));
		snprintf(msg, sizeof(msg), "leftover probe snapshot '%s' (%s, created %s) from an "
			 "interrupted run: not probed again; remove that snapshot", refs[0].name,
			 refs[0].moref, when);
		finding(p, vm, VMSC_SEV_WARNING, msg);
		vmsc_snapshot_refs_free(refs, n);
		return;
	}
	gmtime_r(&wall, &tm);
	strftime(name, sizeof(name), PROBE_PREFIX "%Y%m%dT%H%M%SZ", &tm);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (vmsc_vsphere_create_snapshot(p->c, vm->moid, name,
					 "quiesced test snapshot by vmsnapcheck --probe; safe to delete",
					 true, &task, &err) < 0) {
		snprintf(msg, sizeof(msg), "quiesced test snapshot refused: %s", err.message);
		finding(p, vm, VMSC_SEV_ERROR, msg);
		goto cleanup;
	}
	w = vmsc_vsphere_wait_task(p->c, task, time(NULL) + p->po->timeout, &info, &err);
	if (w == 0 && !strcmp(info.state, "success") && info.result) {
		double created = elapsed(&t0);

		measure(p, vm, info.result);
		/* a signal during the measurement must not keep the snapshot */
		vmsc_vsphere_set_interruptible(p->c, false);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (remove_snapshot(p, info.result, why, sizeof(why)) < 0) {
			snprintf(msg, sizeof(msg), "quiesced test snapshot succeeded, but probe snapshot "
				 "'%s' (%s) could NOT be removed: %s; remove it by hand", name,
				 info.result, why);
			fprintf(stderr, "vmsnapcheck: '%s': %s\n", vm->name, msg);
			finding(p, vm, VMSC_SEV_ERROR, msg);
		} else if (!p->po->quiet) {
			fprintf(stderr, "vmsnapcheck: probe '%s': quiesced snapshot taken in %.1f s, "
				"removed in %.1f s\n", vm->name, created, elapsed(&t0));
		}
		goto out;
	}
	if (w == 0) {
		snprintf(msg, sizeof(msg), "quiesced test snapshot failed after %.0f s: %s: %s",
			 elapsed(&t0), info.fault ? info.fault : "error",
			 info.message ? info.message : "no message");
		finding(p, vm, VMSC_SEV_ERROR, msg);
	} else {
		/* deadline, interrupt or unreadable task: stop it, let it settle */
		struct vmsc_error cerr = { 0 };

		vmsc_vsphere_set_interruptible(p->c, false);
		vmsc_vsphere_cancel_task(p->c, task, &cerr);
		vmsc_vsphere_wait_task(p->c, task, time(NULL) + SETTLE_SECONDS, &info, &cerr);
		if (w < 0)
			snprintf(msg, sizeof(msg), "cannot follow the snapshot task: %s", err.message);
		else if (interrupted && *interrupted)
			snprintf(msg, sizeof(msg), "interrupted; the snapshot task was cancelled");
		else
			snprintf(msg, sizeof(msg), "quiesced test snapshot did not finish within %d s; "
				 "the task was cancelled", p->po->timeout);
		finding(p, vm, VMSC_SEV_ERROR, msg);
	}
cleanup:
	vmsc_vsphere_set_interruptible(p->c, false);
	clean_up_named(p, vm, name);
out:
	vmsc_vsphere_set_interruptible(p->c, true);
	vmsc_task_info_release(&info);
	free(task);
}

static bool confirm(const struct probe *p, size_t n)
{
	FILE *tty;
	char line[16] = "";
	bool yes;

	if (p->po->yes)
		return true;
	if (!isatty(STDIN_FILENO))
		return false;
	tty = fopen("/dev/tty", "r+");
	if (!tty)
		return false;
	fprintf(tty, "Take and remove a quiesced test snapshot of these %zu VMs on '%s'? [y/N] ", n,
		p->vcenter);
	fflush(tty);
	yes = fgets(line, sizeof(line), tty) && (line[0] == 'y' || line[0] == 'Y');
	fclose(tty);
	return yes;
}

int vmsc_probe_run(struct vmsc_vsphere *c, struct vmsc_result *r, size_t vcenter,
		   const struct vmsc_eval *ev, const struct vmsc_probe_options *po,
		   volatile sig_atomic_t *interrupted, struct vmsc_error *err)
{
	struct probe p = { .c = c, .r = r, .ev = ev, .po = po,
			   .vcenter = r->vcenters[vcenter].name };
	size_t n = 0;

	for (size_t i = 0; i < r->n_vms; i++) {
		struct vmsc_vm_result *vm = &r->vms[i];
		const char *why;

		if (!eligible(vm, vcenter, &why))
			continue;
		if (why && !po->force) {
			if (!po->quiet)
				fprintf(stderr, "vmsnapcheck: not probing '%s': it has a %s finding "
					"(fix it, or use --force)\n", vm->name, why);
			continue;
		}
		n++;
	}
	if (n == 0) {
		if (!po->quiet)
			fprintf(stderr, "vmsnapcheck: no VM on '%s' to probe\n", p.vcenter);
		return 0;
	}
	if (n > (size_t)po->limit)
		return vmsc_error_set(err, VMSC_E_USAGE,
				      "refusing to probe %zu VMs on '%s': more than --probe-limit %d; "
				      "narrow the VM names or raise the limit", n, p.vcenter, po->limit);
	fprintf(stderr, "vmsnapcheck: quiesced test snapshot (then removal) of %zu VM%s on '%s':",
		n, n == 1 ? "" : "s", p.vcenter);
	for (size_t i = 0; i < r->n_vms; i++) {
		const char *why;

		if (eligible(&r->vms[i], vcenter, &why) && (po->force || !why))
			fprintf(stderr, " %s", r->vms[i].name);
	}
	fputc('\n', stderr);
	if (!confirm(&p, n))
		return vmsc_error_set(err, VMSC_E_USAGE, po->yes || isatty(STDIN_FILENO) ?
				      "probe not confirmed: nothing was changed" :
				      "--probe changes VMs: confirm on a terminal or pass --yes");
	for (size_t i = 0; i < r->n_vms && !(interrupted && *interrupted); i++) {
		const char *why;

		if (eligible(&r->vms[i], vcenter, &why) && (po->force || !why))
			probe_vm(&p, &r->vms[i], interrupted);
	}
	return 0;
}
