/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSNAPCHECK_RESULT_H
#define VMSNAPCHECK_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "vmsnapcheck/consistency.h"

/*
 * The one result model every report format reads: vCenters, VMs, findings.
 * Containers own what is appended to them; every string is a private copy.
 */

enum vmsc_severity {
	VMSC_SEV_WARNING = 1,
	VMSC_SEV_ERROR = 2,
};

/* Ordered by badness for ok..unknown; skipped stands apart. */
/* A finding against an earlier report (--baseline, src/core/baseline.c). */
enum vmsc_change {
	VMSC_CHANGE_NONE = 0,       /* no baseline */
	VMSC_CHANGE_NEW,
	VMSC_CHANGE_UNCHANGED,
};

enum vmsc_status {
	VMSC_STATUS_OK = 0,
	VMSC_STATUS_WARNING,
	VMSC_STATUS_ERROR,
	VMSC_STATUS_UNKNOWN,
	VMSC_STATUS_SKIPPED,
};

struct vmsc_waiver_ref {
	char *name;
	char *reason;
	char *expires;              /* YYYY-MM-DD as written */
	bool expired;
};

struct vmsc_finding {
	const char *rule;           /* static rule id */
	enum vmsc_severity severity;
	char *message;
	char *remedy;
	bool remedy_static;         /* remedy is static text (a rule's), not freed */
	bool waived;
	struct vmsc_waiver_ref *waiver; /* set when a waiver matched (waived or expired) */
	enum vmsc_level cap;        /* the consistency it limits the VM to; UNSET = none */
	enum vmsc_change change;    /* against --baseline; NONE without one */
};

struct vmsc_vm_result {
	size_t vcenter;             /* index into vmsc_result.vcenters */
	char *name;
	char *moid;
	enum vmsc_status status;
	char *reason;               /* why skipped / unknown; NULL otherwise */
	bool named;                 /* named exactly on the command line (no glob):
				     * the text table always shows it */
	char *power_state;
	char *guest_id;
	struct vmsc_finding *findings;
	size_t n_findings;
	struct vmsc_consistency consistency;
	/* --guest: asked = selected for guest checks (powered on, evaluated);
	 * checked = they ran; guest_reason = why not (NULL when checked) */
	bool guest_asked;
	bool guest_checked;
	char *guest_reason;
};

struct vmsc_vcenter_result {
	char *url;
	char *name;                 /* host name as shown in reports */
	char *version;              /* about.version */
	char *api_version;          /* about.apiVersion */
	char *product;              /* about.fullName */
	enum vmsc_status status;    /* worst of its VMs; UNKNOWN when error is set */
	char *error;                /* why it could not be (fully) read */
	double duration;            /* seconds spent on this vCenter */
};

struct vmsc_summary {
	size_t vms, ok, warning, error, unknown, skipped, waived;
	/* VMs per expected consistency, indexed by enum vmsc_level; [UNSET]
	 * counts the VMs without one (skipped, unknown) */
	size_t consistency[VMSC_LEVEL_APPLICATION + 1];
	/* with a baseline: findings marked new (waived ones too), findings resolved */
	size_t new_findings, resolved;
};

/* A baseline finding that is gone (--baseline); every string is a copy. */
struct vmsc_resolved {
	char *vcenter;              /* this run's name of the vCenter */
	char *vm;                   /* the VM's name in this run (it may have been renamed) */
	char *moid;
	char *rule;
	enum vmsc_severity severity;
	char *message;              /* as the baseline had it */
};

struct vmsc_result {
	struct vmsc_vcenter_result *vcenters;
	size_t n_vcenters;
	struct vmsc_vm_result *vms;
	size_t n_vms;
	size_t cap_vms;

	time_t generated;           /* honours SOURCE_DATE_EPOCH */
	double duration;            /* seconds; 0 when SOURCE_DATE_EPOCH is set */
	bool guest;                 /* --guest: reports show each VM's guest outcome */
	bool incomplete;            /* the run could not finish: never OK */
	char *incomplete_reason;
	char **unmatched;           /* VM names/globs given that matched no VM: never OK */
	size_t n_unmatched;

	/* --baseline: set by vmsc_baseline_apply() (vmsnapcheck/baseline.h) */
	bool compared;              /* findings carry a change; reports show it */
	char *baseline_generated;   /* the baseline's "generated", as written */
	struct vmsc_resolved *resolved;
	size_t n_resolved;
	bool fail_on_new;           /* --fail-on new: status and exit code from new
				     * unwaived findings (see vmsc_result_finish) */

	/* filled by vmsc_result_finish() */
	struct vmsc_summary summary;
	enum vmsc_status status;
	int exit_code;
};

struct vmsc_result *vmsc_result_new(void);
void vmsc_result_free(struct vmsc_result *r);

/* Returns the new vCenter's index, or (size_t)-1 on allocation failure.
 * vmsc_result_finish() sorts vCenters by name: indices (and pointers) taken
 * before it are invalid after it. */
size_t vmsc_result_add_vcenter(struct vmsc_result *r, const char *url, const char *name);
/* Replaces the error (a copy); 0 or -1. */
int vmsc_vcenter_result_set_error(struct vmsc_vcenter_result *vc, const char *msg);
/* Copies about.version / apiVersion / fullName (NULL leaves a field unset); 0 or -1. */
int vmsc_vcenter_result_set_about(struct vmsc_vcenter_result *vc, const char *version,
				  const char *api_version, const char *product);

/* Appends an empty VM (status OK); NULL on allocation failure. The pointer is
 * valid until the next add. */
struct vmsc_vm_result *vmsc_result_add_vm(struct vmsc_result *r, size_t vcenter,
					  const char *name, const char *moid);

/* Appends a finding (copies message and remedy); NULL on allocation failure. */
struct vmsc_finding *vmsc_vm_result_add_finding(struct vmsc_vm_result *vm, const char *rule,
						enum vmsc_severity sev, const char *message,
						const char *remedy);
/* The same, but takes `message` (malloc'd; freed on failure too) and points
 * at `remedy`, static text that outlives the result (a rule's): a big
 * inventory's findings need not each carry a copy of it. */
struct vmsc_finding *vmsc_vm_result_take_finding(struct vmsc_vm_result *vm, const char *rule,
						 enum vmsc_severity sev, char *message,
						 const char *remedy);
int vmsc_vm_result_set_reason(struct vmsc_vm_result *vm, const char *reason);
/* Copies runtime.powerState / config.guestId (NULL clears); 0 or -1. */
int vmsc_vm_result_set_power_state(struct vmsc_vm_result *vm, const char *power_state);
int vmsc_vm_result_set_guest_id(struct vmsc_vm_result *vm, const char *guest_id);
/* Removes every finding of `rule` (a static id). */
void vmsc_vm_result_remove_findings(struct vmsc_vm_result *vm, const char *rule);
/* Number of findings that are not waived. */
size_t vmsc_vm_result_active_findings(const struct vmsc_vm_result *vm);
/* Recomputes vm->status from unwaived findings unless it is SKIPPED or UNKNOWN. */
void vmsc_vm_result_update_status(struct vmsc_vm_result *vm);
void vmsc_vm_result_release(struct vmsc_vm_result *vm);

/* A finding owns its waiver ref: vmsc_vm_result_release() frees it. */
struct vmsc_waiver_ref *vmsc_waiver_ref_new(const char *name, const char *reason,
					    const char *expires, bool expired);
void vmsc_waiver_ref_free(struct vmsc_waiver_ref *w);

/* Sorts vCenters (name, then URL, by bytes) and VMs (vCenter, name by bytes,
 * moid), sorts findings (severity desc, rule, message), recomputes VM
 * statuses, computes vCenter statuses, summary, overall status and exit
 * code.  With fail_on_new after a baseline, the overall status comes from
 * new unwaived findings only, plus unknown VMs, vCenter errors, unmatched
 * names and an incomplete run (still unknown); VM and vCenter statuses and
 * the counts stay as they are.  With SOURCE_DATE_EPOCH set, it zeroes every duration so reports
 * are byte-identical.  May be called again after more changes. */
void vmsc_result_finish(struct vmsc_result *r);
/* Marks the run incomplete (status unknown, exit 3); the first reason stays. */
void vmsc_result_mark_incomplete(struct vmsc_result *r, const char *why);

/* Frees the resolved list (vmsc_baseline_apply fills it). */
void vmsc_result_clear_resolved(struct vmsc_result *r);

/* Records a VM name or glob the user gave that matched no VM on any vCenter
 * (a copy); the run's status becomes unknown (exit 3).  0 or -1. */
int vmsc_result_add_unmatched(struct vmsc_result *r, const char *glob);

/* Moves src's vCenters and VMs to the end of dst (before finish); src keeps
 * only empty shells and must still be freed.  0, or -1 on allocation failure. */
int vmsc_result_merge(struct vmsc_result *dst, struct vmsc_result *src);

const char *vmsc_status_name(enum vmsc_status s);       /* ok, warning, error, unknown, skipped */
const char *vmsc_severity_name(enum vmsc_severity s);   /* warning, error */
int vmsc_status_exit_code(enum vmsc_status s);          /* 0 1 2 3 (skipped: 0) */
enum vmsc_status vmsc_status_worse(enum vmsc_status a, enum vmsc_status b);

/* Current time honouring SOURCE_DATE_EPOCH (for deterministic reports). */
time_t vmsc_report_time(void);
/* Whether SOURCE_DATE_EPOCH is set to a valid value. */
bool vmsc_report_reproducible(void);

#endif
