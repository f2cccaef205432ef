/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A facts file (--facts) through vmsc_facts_load_string, then what the
 * tool does with its VMs offline: the rules and every report format; the
 * VMs are also written back as a facts file and read again, which must
 * give the same VMs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_pipeline.h"
#include "fuzz_util.h"
#include "vmsnapcheck/facts_json.h"

#define MAX_VMS 64

struct collect {
	struct vmsc_vm_facts *vms[MAX_VMS];
	size_t n;
	size_t vcenters;
};

static int on_vcenter(void *ud, const struct vmsc_facts_vcenter *vc)
{
	struct collect *c = ud;
	volatile size_t sink = 0;

	/* every string the loader hands out must be readable (ASan checks) */
	sink += vc->url ? strlen(vc->url) : 0;
	sink += vc->name ? strlen(vc->name) : 0;
	sink += vc->product ? strlen(vc->product) : 0;
	(void)sink;
	c->vcenters++;
	return 0;
}

static int on_vm(void *ud, struct vmsc_vm_facts *f)
{
	struct collect *c = ud;

	/* the loader's contract: these three are always there */
	FUZZ_CHECK(f->vcenter && f->moid && f->name);
	if (c->n < MAX_VMS)
		c->vms[c->n++] = f;
	else
		vmsc_vm_facts_free(f);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstring(data, size);
	struct collect c = { .n = 0 };
	struct vmsc_facts_visitor v = { on_vcenter, on_vm, &c };
	struct vmsc_error err = { 0 };

	if (vmsc_facts_load_string(text, "fuzz.json", &v, &err) < 0)
		FUZZ_CHECK(err.code != VMSC_OK && err.message[0]);
	/* also the VMs read before an error: main evaluates them as they come */
	fuzz_evaluate_and_report(c.vms, c.n);
	fuzz_facts_roundtrip(c.vms, c.n);
	for (size_t i = 0; i < c.n; i++)
		vmsc_vm_facts_free(c.vms[i]);
	free(text);
	return 0;
}
