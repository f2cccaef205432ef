/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSNAPCHECK_VSPHERE_H
#define VMSNAPCHECK_VSPHERE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "vmsnapcheck/error.h"
#include "vmsnapcheck/facts.h"

/*
 * The vSphere client.  gSOAP, libcurl and libxml2 stay behind this header:
 * what comes out are plain facts.  Naming: vmsc_vsphere_lookup_* ask the
 * server, vmsc_vsphere_get_* read what is already known.
 */

struct vmsc_vsphere;

struct vmsc_vsphere_options {
	const char *url;              /* https://host[:port]/sdk */
	const char *host;             /* for messages */
	const char *name;             /* the vCenter's name in facts and reports (host[:port]) */
	int port;
	const char *username;
	const char *password;         /* borrowed: must outlive the client (re-login) */
	bool insecure;
	const char *cacert;
	const char *thumbprint;       /* SHA-256 or SHA-1, hex, colons optional */
	int timeout;                  /* seconds for one request; 0 = 60 */
	size_t max_response_bytes;    /* 0 = 256 MiB */
	bool debug;                   /* SOAP trace on stderr, secrets masked */
	bool quiet;                   /* no notices on stderr (-q); errors still returned */
	bool verbose;                 /* -v: notices about how the server is read */
	int connections;              /* 1: no page asked ahead; else the next page
	                               * goes out on a second connection */
	volatile sig_atomic_t *interrupted; /* set by a signal handler: abort transfers */
	struct vmsc_esx_verdicts *esx_verdicts; /* optional, shared by the guest lanes */
};

/*
 * ESXi hosts that could not serve guest file transfers in this run (not
 * reachable, certificate refused), shared by the guest lanes of a run: the
 * next VM on such a host gets the same reason at once instead of waiting
 * out its own timeout.  Thread-safe.
 */
struct vmsc_esx_verdicts;
struct vmsc_esx_verdicts *vmsc_esx_verdicts_new(void);
void vmsc_esx_verdicts_free(struct vmsc_esx_verdicts *v);

struct vmsc_vsphere_about {
	char *name;                   /* about.name */
	char *full_name;
	char *version;
	char *build;
	char *api_type;               /* VirtualCenter / HostAgent */
	char *api_version;
	char *instance_uuid;
};

/* Requests sent so far, by operation (for -v and the "no per-VM requests" tests). */
struct vmsc_request_count {
	const char *op;
	unsigned count;
};

/* Process-wide set-up of libcurl, libxml2 and OpenSSL; call once before
 * any thread creates a client.  0, or -1. */
int vmsc_vsphere_global_init(void);
void vmsc_vsphere_global_cleanup(void);

struct vmsc_vsphere *vmsc_vsphere_new(const struct vmsc_vsphere_options *o, struct vmsc_error *err);
void vmsc_vsphere_free(struct vmsc_vsphere *c);

/* RetrieveServiceContent + Login. */
int vmsc_vsphere_connect(struct vmsc_vsphere *c, struct vmsc_error *err);
/* The two halves of connect, for the doctor's step-by-step report. */
int vmsc_vsphere_lookup_service(struct vmsc_vsphere *c, struct vmsc_error *err);
int vmsc_vsphere_login(struct vmsc_vsphere *c, struct vmsc_error *err);
/* For a client made before the password was read (borrowed, as in options). */
void vmsc_vsphere_set_password(struct vmsc_vsphere *c, const char *password);

/* Whether this session holds each privilege on the root folder (granted[i]). */
int vmsc_vsphere_lookup_privileges(struct vmsc_vsphere *c, const char *const *privs, size_t n,
				   bool *granted, struct vmsc_error *err);
/* Best effort; safe to call when not logged in. */
void vmsc_vsphere_logout(struct vmsc_vsphere *c);

const struct vmsc_vsphere_about *vmsc_vsphere_get_about(const struct vmsc_vsphere *c);
int vmsc_vsphere_lookup_time(struct vmsc_vsphere *c, time_t *now, struct vmsc_error *err);

/* Fills up to max entries; returns how many kinds were used. */
size_t vmsc_vsphere_get_request_counts(const struct vmsc_vsphere *c,
				       struct vmsc_request_count *out, size_t max);
unsigned long long vmsc_vsphere_get_bytes_received(const struct vmsc_vsphere *c);

struct vmsc_fetch_spec {
	const char *const *paths;     /* property paths to fetch (besides name) */
	size_t n_paths;
	const char *datacenter;       /* scope, resolved on the server */
	const char *cluster;
	const char *folder;
	int page_size;                /* maxObjects; 0 = 500 */
	/* Optional name filter (globs): called with the decoded name during a
	 * cheap name-only pass; return true to fetch the VM in full. */
	bool (*want)(void *ud, const char *name);
	void *want_ud;
	time_t now;                   /* server time, stamped into facts.read_at */
};

/* Called once per page; the facts are freed after it returns.  Non-zero stops. */
typedef int (*vmsc_page_fn)(void *ud, struct vmsc_vm_facts *vms, size_t n);

/*
 * ContainerView (scope root, recursive, VirtualMachine) + paged
 * RetrievePropertiesEx / ContinueRetrievePropertiesEx.  Requests do not grow
 * per VM.  Returns the number of VMs delivered, or -1.
 */
long vmsc_vsphere_fetch_vms(struct vmsc_vsphere *c, const struct vmsc_fetch_spec *spec,
			    vmsc_page_fn fn, void *ud, struct vmsc_error *err);

/*
 * The Datastore objects (datastore-low-space): a second ContainerView of
 * type Datastore, rooted at spec->datacenter or the root folder, read in
 * pages like the VMs (name, summary.capacity, summary.freeSpace,
 * summary.accessible) into `table`.  Its requests are counted apart
 * ("... (datastores)").  Returns the number of datastores, or -1.
 */
struct vmsc_datastores;
long vmsc_vsphere_fetch_datastores(struct vmsc_vsphere *c, const struct vmsc_fetch_spec *spec,
				   struct vmsc_datastores *table, struct vmsc_error *err);

/* ---- tasks: the opt-in quiesced test snapshot (--probe) ------------- */

struct vmsc_task_info {
	char *state;                  /* queued, running, success, error */
	char *fault;                  /* vim25 fault type when state is error */
	char *message;                /* its localized message */
	char *result;                 /* moref value of the result (e.g. the snapshot) */
	bool cancelled;
};

void vmsc_task_info_release(struct vmsc_task_info *t);

/* Starts CreateSnapshot_Task (memory off); *task gets the task moref. */
int vmsc_vsphere_create_snapshot(struct vmsc_vsphere *c, const char *vm, const char *name,
				 const char *description, bool quiesce, char **task,
				 struct vmsc_error *err);
/* Starts RemoveSnapshot_Task for one snapshot (children kept, consolidate). */
int vmsc_vsphere_remove_snapshot(struct vmsc_vsphere *c, const char *snapshot, char **task,
				 struct vmsc_error *err);
int vmsc_vsphere_cancel_task(struct vmsc_vsphere *c, const char *task, struct vmsc_error *err);
/* Polls the task until it succeeds or fails, or `deadline` (time(NULL)
 * based) passes.  Returns 0 when it finished (see info->state), 1 on the
 * deadline or an interrupt, -1 when the task cannot be read. */
int vmsc_vsphere_wait_task(struct vmsc_vsphere *c, const char *task, time_t deadline,
			   struct vmsc_task_info *info, struct vmsc_error *err);

struct vmsc_snapshot_ref {
	char *moref;
	char *name;
	time_t created;
};

/* The VM's snapshots whose name starts with `prefix` (all when NULL). */
int vmsc_vsphere_lookup_snapshots(struct vmsc_vsphere *c, const char *vm, const char *prefix,
				  struct vmsc_snapshot_ref **out, size_t *n, struct vmsc_error *err);
void vmsc_snapshot_refs_free(struct vmsc_snapshot_ref *refs, size_t n);

/* What the server recorded about one snapshot (the probe's level). */
struct vmsc_snapshot_record {
	bool found;                   /* the snapshot is in the VM's tree */
	bool quiesced;                /* VirtualMachineSnapshotTree.quiesced */
	char *manifest;               /* "[ds] path" of its VSS manifest zip; NULL: none */
	char *datacenter;             /* inventory path of the VM's datacenter; NULL: unknown */
};

/* One RetrievePropertiesEx: the VM's snapshot tree and snapshot directory,
 * and its ancestors up to the datacenter. */
int vmsc_vsphere_lookup_snapshot_record(struct vmsc_vsphere *c, const char *vm,
					const char *snapshot, struct vmsc_snapshot_record *rec,
					struct vmsc_error *err);
void vmsc_snapshot_record_release(struct vmsc_snapshot_record *rec);

/*
 * GET of a datastore file ("[ds] dir/file") through the datastore HTTP file
 * access (https://host/folder/dir/file?dcPath=DC&dsName=ds) with this
 * session's cookie and TLS policy.  More than `max` bytes is an error.
 * *data (malloc'd) and *len on success; 0, or -1.
 */
int vmsc_vsphere_download_datastore_file(struct vmsc_vsphere *c, const char *datacenter,
					 const char *ds_path, size_t max, unsigned char **data,
					 size_t *len, struct vmsc_error *err);

/*
 * --guest on one powered-on VM (moid `vm`): validates the guest credentials,
 * reads the registry, tools.conf, runs whoami / vssadmin / wevtutil
 * (Windows) or lists the freeze scripts (Linux), within `timeout` seconds,
 * into `f` (vmsc_guest_facts_init'ed by the caller).  Every temporary file
 * it makes in the guest is deleted again, whatever happens.  0 = checked;
 * 1 = not checked, *reason (malloc'd) says why (InvalidGuestLogin also sets
 * f->login_failed); -1 = error in *err (out of memory, interrupted, the
 * server gone).
 */
struct vmsc_guest_facts;
int vmsc_vsphere_guest_check(struct vmsc_vsphere *c, const char *vm, bool windows,
			     const char *user, const char *password, int timeout, int history_days,
			     struct vmsc_guest_facts *f, char **reason, struct vmsc_error *err);

/* Whether a signal aborts requests (cleanup after SIGINT must not be). */
void vmsc_vsphere_set_interruptible(struct vmsc_vsphere *c, bool on);

/* ---- custom attributes (backup-age) --------------------------------- */

/* Reads the vCenter's custom attribute definitions (CustomFieldsManager's
 * `field`, one request) so that VM facts name their customValue entries;
 * call before vmsc_vsphere_fetch_vms asks for customValue.  Without them
 * (this failed, or was not called) customValue entries are dropped.  0, or
 * -1 (a server without a CustomFieldsManager: VMSC_E_FAULT). */
int vmsc_vsphere_read_custom_fields(struct vmsc_vsphere *c, struct vmsc_error *err);
/* Whether a custom attribute of that name (case-sensitive) exists for VMs. */
bool vmsc_vsphere_has_custom_field(const struct vmsc_vsphere *c, const char *name);

/* ---- task history (recent-snapshot-failure) ------------------------- */

struct vmsc_task_record {
	const char *vm;               /* entity moref value */
	const char *description_id;   /* e.g. VirtualMachine.createSnapshot */
	const char *state;            /* success / error / ... */
	time_t time;                  /* completeTime, else startTime, else queueTime */
	const char *user;             /* reason.userName, may be NULL */
	const char *fault;            /* error's fault type, may be NULL */
	const char *message;          /* error's localized message, may be NULL */
};

typedef int (*vmsc_task_fn)(void *ud, const struct vmsc_task_record *t);

/*
 * Reads finished tasks (success and error) since `since` under the scope
 * root of `spec` (recursively) with a TaskHistoryCollector, in pages.
 * Returns 0, or -1; err->code VMSC_E_NOT_SUPPORTED-like faults come back as
 * VMSC_E_FAULT with the fault type in the message.
 */
int vmsc_vsphere_read_task_history(struct vmsc_vsphere *c, const struct vmsc_fetch_spec *spec,
				   time_t since, vmsc_task_fn fn, void *ud, struct vmsc_error *err);

#endif
