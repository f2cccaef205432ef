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
	volatile sig_atomic_t *interrupted; /* set by a signal handler: abort transfers */
};

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

#endif
