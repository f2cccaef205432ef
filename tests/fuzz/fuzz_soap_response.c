/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A RetrievePropertiesEx reply, as bytes, through what the tool does with
 * one: gSOAP's generated deserialiser (soap->is instead of the curl
 * plugin), the name-only pass (vmsc_values_scalar), values.c on every
 * object, then the rules, every report format and the --save-facts /
 * --facts round trip.  A SOAP fault goes where session.c sends it:
 * vmsc_values_read_fault on the captured detail.  The raw bytes are also
 * read as a fault detail, the way missingSet faults are.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_pipeline.h"
#include "fuzz_util.h"
#include "vsphere/internal.h"

#define MAX_VMS 64

static void read_fault(struct vmsc_vsphere *c, const char *xml)
{
	char *type, *msg;

	vmsc_values_read_fault(&c->reader, xml, &type, &msg);
	free(type);
	free(msg);
}

static void read_objects(struct vmsc_vsphere *c, struct vim__ObjectContent *objs, int n)
{
	struct vmsc_vm_facts *vms[MAX_VMS];
	size_t count = 0;

	for (int i = 0; i < n; i++) {
		struct vim__ObjectContent *oc = &objs[i];
		struct vmsc_vm_facts *f;

		/* the name-only pass (VM globs) */
		for (int j = 0; j < oc->__sizepropSet; j++) {
			const struct vim__DynamicProperty *p = &oc->propSet[j];

			if (p->name && !strcmp(p->name, "name") && p->__any && *p->__any) {
				char *name = vmsc_values_scalar(c, p->__any);

				if (name)
					vmsc_name_decode(name);
				free(name);
				break;
			}
		}
		/* the full pass, as fetch.c does it */
		if (!oc->obj || !oc->obj->__item)
			continue;
		if (!(f = vmsc_vm_facts_new()))
			abort();
		FUZZ_CHECK(vmsc_values_read_object(c, oc, f) == 0);
		if (!(f->vcenter = strdup("vc.fuzz")))
			abort();
		f->read_at = (time_t)1800000000;
		if (!f->name && !(f->name = strdup(f->moid)))
			abort();
		/* a VM always has something to show: its name, else its moid */
		FUZZ_CHECK(*f->name || !*f->moid);
		if (count < MAX_VMS)
			vms[count++] = f;
		else
			vmsc_vm_facts_free(f);
	}
	fuzz_evaluate_and_report(vms, count);
	fuzz_facts_roundtrip(vms, count);
	for (size_t i = 0; i < count; i++)
		vmsc_vm_facts_free(vms[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstring(data, size);
	struct _vim__RetrievePropertiesExResponse resp;
	struct vmsc_vsphere c;
	struct soap *soap;
	int rc;

	memset(&c, 0, sizeof(c));
	memset(&resp, 0, sizeof(resp));
	/* the flags session.c uses */
	soap = soap_new1(SOAP_C_UTFSTRING | SOAP_XML_NOTYPE);
	if (!soap)
		abort();
	soap_set_namespaces(soap, namespaces);
	soap->is = text;
	c.soap = soap;
	rc = soap_recv___vim__RetrievePropertiesEx(soap, &resp);
	if (rc == SOAP_OK && resp.returnval) {
		read_objects(&c, resp.returnval->objects, resp.returnval->__sizeobjects);
	} else if (rc == SOAP_FAULT && soap->fault) {
		if (soap->fault->detail)
			read_fault(&c, soap->fault->detail->__any);
		if (soap->fault->SOAP_ENV__Detail)
			read_fault(&c, soap->fault->SOAP_ENV__Detail->__any);
	}
	/* a reader that has seen all of the above, on the raw bytes */
	read_fault(&c, text);

	if (c.reader)
		xmlFreeTextReader(c.reader);
	soap_destroy(soap);
	soap_end(soap);
	soap_free(soap);
	free(text);
	return 0;
}
