/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSNAPCHECK_FACTS_JSON_H
#define VMSNAPCHECK_FACTS_JSON_H

#include <stdio.h>
#include <time.h>

#include "vmsnapcheck/datastores.h"
#include "vmsnapcheck/error.h"
#include "vmsnapcheck/facts.h"

/*
 * Facts files (--save-facts / --facts): JSON, written one VM at a time so
 * memory stays flat.  Shape (docs/facts.md):
 *   {"schemaVersion":1, "vcenters":[{"url","name","version","apiVersion","product","capturedAt",
 *                                    "datastores"?:[{datastore...}]}],
 *    "vms":[ {facts...}, ... ]}
 */

struct vmsc_facts_vcenter {
	const char *url;
	const char *name;
	const char *version;
	const char *api_version;
	const char *product;
	time_t captured_at;          /* server time */
	/* The datastores read (datastore-low-space), key "datastores"; NULL =
	 * not read.  Loading: handed to the vcenter visitor, which owns it. */
	struct vmsc_datastores *datastores;
};

struct vmsc_facts_writer;

/* Starts a facts document on `out` (not closed by the writer). */
struct vmsc_facts_writer *vmsc_facts_writer_new(FILE *out);
int vmsc_facts_writer_add_vm(struct vmsc_facts_writer *w, const struct vmsc_vm_facts *f);
/* vCenters are written at the end, after every VM (their capture time is known then). */
int vmsc_facts_writer_finish(struct vmsc_facts_writer *w, const struct vmsc_facts_vcenter *vcs,
			     size_t n_vcs, struct vmsc_error *err);
void vmsc_facts_writer_free(struct vmsc_facts_writer *w);

/* Called once per vCenter, then once per VM. Return non-zero to stop.
 * vc->datastores (when not NULL) belongs to the vcenter callback. */
struct vmsc_facts_visitor {
	int (*vcenter)(void *ud, const struct vmsc_facts_vcenter *vc);
	int (*vm)(void *ud, struct vmsc_vm_facts *f); /* f is owned by the callee */
	void *ud;
};

int vmsc_facts_load(const char *path, const struct vmsc_facts_visitor *v, struct vmsc_error *err);
int vmsc_facts_load_string(const char *json, const char *name, const struct vmsc_facts_visitor *v,
			   struct vmsc_error *err);

#endif
