/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A RetrievePropertiesEx reply, as bytes, through what the tool does with
 * one: the reader that reads pages as they arrive (vmsc_values_read_result,
 * fed from memory instead of libcurl), fetch.c's handling of each VM, then
 * the rules, every report format and the --save-facts / --facts round trip.
 * Replies that are not a page go where stream.c sends them: gSOAP's
 * deserialiser, and a SOAP fault's detail to vmsc_values_read_fault.  The
 * raw bytes are also read as a fault detail and as a scalar value.
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

struct page {
	struct vmsc_vm_facts *vms[MAX_VMS];
	size_t n;
};

/* as fetch.c asks the next page: with a token that is not empty */
static void told_token(void *ud, const char *token)
{
	(void)ud;
	FUZZ_CHECK(token && *token);
}

/* as fetch.c's full pass takes each VM */
static int take(void *ud, void *obj)
{
	struct page *pg = ud;
	struct vmsc_vm_facts *f = obj;
	struct vmsc_vm_facts *copy;

	if (!f->moid || pg->n == MAX_VMS) {
		vmsc_vm_facts_release(f);
		return 0;
	}
	if (!(copy = vmsc_vm_facts_new()))
		abort();
	*copy = *f;
	if (!(copy->vcenter = strdup("vc.fuzz")))
		abort();
	copy->read_at = (time_t)1800000000;
	if (!copy->name && !(copy->name = strdup(copy->moid)))
		abort();
	/* a VM always has something to show: its name, else its moid */
	FUZZ_CHECK(*copy->name || !*copy->moid);
	pg->vms[pg->n++] = copy;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstring(data, size);
	struct _vim__RetrievePropertiesExResponse resp;
	struct vmsc_vsphere c;
	struct page pg = { .n = 0 };
	xmlTextReaderPtr r;
	char *token = NULL, *scalar;
	int rc;

	memset(&c, 0, sizeof(c));
	r = xmlReaderForMemory(text, (int)strlen(text), NULL, NULL,
			       XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NONET);
	if (!r)
		abort();
	rc = vmsc_values_read_result(&c, r, "RetrievePropertiesExResponse", take, &pg, &token,
				     told_token, NULL);
	FUZZ_CHECK(rc != VMSC_READ_NOMEM && rc != VMSC_READ_STOPPED);
	FUZZ_CHECK(rc == VMSC_READ_OK || token == NULL);
	xmlFreeTextReader(r);
	if (rc == VMSC_READ_OK) {
		fuzz_evaluate_and_report(pg.vms, pg.n);
		fuzz_facts_roundtrip(pg.vms, pg.n);
	}
	for (size_t i = 0; i < pg.n; i++)
		vmsc_vm_facts_free(pg.vms[i]);
	free(token);

	if (rc == VMSC_READ_FAULT || rc == VMSC_READ_UNEXPECTED) {
		struct soap *soap = soap_new1(SOAP_C_UTFSTRING | SOAP_XML_NOTYPE);

		if (!soap)
			abort();
		soap_set_namespaces(soap, namespaces);
		soap->is = text;
		memset(&resp, 0, sizeof(resp));
		if (soap_recv___vim__RetrievePropertiesEx(soap, &resp) == SOAP_FAULT && soap->fault) {
			if (soap->fault->detail)
				read_fault(&c, soap->fault->detail->__any);
			if (soap->fault->SOAP_ENV__Detail)
				read_fault(&c, soap->fault->SOAP_ENV__Detail->__any);
		}
		soap_destroy(soap);
		soap_end(soap);
		soap_free(soap);
	}
	/* a reader that has seen all of the above, on the raw bytes */
	read_fault(&c, text);
	scalar = vmsc_values_scalar(&c, text);
	free(scalar);

	if (c.reader)
		xmlFreeTextReader(c.reader);
	free(text);
	return 0;
}
