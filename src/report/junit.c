/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "report/util.h"
#include "vmsnapcheck/report.h"

/*
 * JUnit XML: one <testsuite> per vCenter, one <testcase> per VM.  A VM with
 * unwaived findings gets exactly one <failure> (many readers keep only one
 * per testcase): type = its worst rule, message = one line, text = every
 * finding with its remedy.  libxml2 escapes; we only drop characters XML 1.0
 * cannot carry at all (and make one-line attributes one line).
 */

static const char *nz(const char *s)
{
	return s ? s : "";
}

struct junit_counts {
	size_t tests, failures, errors, skipped;
};

static int attr(xmlTextWriterPtr w, const char *name, const char *value, unsigned flags)
{
	char *clean = vmsc_rpt_clean(value, flags | VMSC_CLEAN_XML);
	int rc;

	if (!clean)
		return -1;
	rc = xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST clean);
	free(clean);
	return rc < 0 ? -1 : 0;
}

static int attr_size(xmlTextWriterPtr w, const char *name, size_t v)
{
	return xmlTextWriterWriteFormatAttribute(w, BAD_CAST name, "%zu", v) < 0 ? -1 : 0;
}

static int attr_time(xmlTextWriterPtr w, double seconds)
{
	return xmlTextWriterWriteFormatAttribute(w, BAD_CAST "time", "%.3f", seconds) < 0 ? -1 : 0;
}

static int text(xmlTextWriterPtr w, const char *s)
{
	char *clean = vmsc_rpt_clean(s, VMSC_CLEAN_XML);
	int rc;

	if (!clean)
		return -1;
	rc = xmlTextWriterWriteString(w, BAD_CAST clean);
	free(clean);
	return rc < 0 ? -1 : 0;
}

static void count_vm(struct junit_counts *c, const struct vmsc_vm_result *vm)
{
	c->tests++;
	switch (vm->status) {
	case VMSC_STATUS_WARNING:
	case VMSC_STATUS_ERROR: c->failures++; break;
	case VMSC_STATUS_UNKNOWN: c->errors++; break;
	case VMSC_STATUS_SKIPPED: c->skipped++; break;
	case VMSC_STATUS_OK: break;
	}
}

static void count_vcenter(struct junit_counts *c, const struct vmsc_result *r, size_t vci)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	if (r->vcenters[vci].error) {
		c->tests++;
		c->errors++;
	}
	for (i = 0; i < r->n_vms; i++)
		if (r->vms[i].vcenter == vci)
			count_vm(c, &r->vms[i]);
}

/* Every finding with its remedy; waived ones say so. */
static void findings_text(struct vmsc_rpt_buf *b, const struct vmsc_vm_result *vm)
{
	size_t i;

	if (vm->reason)
		vmsc_rpt_buf_addf(b, "%s: %s\n", vmsc_status_name(vm->status), vm->reason);
	/* Unwaived findings first (worst first), then waived ones. */
	for (i = 0; i < 2 * vm->n_findings; i++) {
		const struct vmsc_finding *f = &vm->findings[i % vm->n_findings];

		if (f->waived != (i >= vm->n_findings))
			continue;
		vmsc_rpt_buf_addf(b, "[%s] %s: %s", vmsc_severity_name(f->severity), nz(f->rule),
				  nz(f->message));
		if (f->waived && f->waiver)
			vmsc_rpt_buf_addf(b, " (waived by %s until %s: %s)", nz(f->waiver->name),
					  nz(f->waiver->expires), nz(f->waiver->reason));
		else if (f->waived)
			vmsc_rpt_buf_add(b, " (waived)");
		else if (f->waiver && f->waiver->expired)
			vmsc_rpt_buf_addf(b, " (waiver %s expired %s)", nz(f->waiver->name),
					  nz(f->waiver->expires));
		vmsc_rpt_buf_add(b, "\n");
		if (!f->waived && f->remedy && *f->remedy)
			vmsc_rpt_buf_addf(b, "    fix: %s\n", f->remedy);
	}
}

/* "rule: message" of the worst finding, "(+N more)" when there are others. */
static void summary_line(struct vmsc_rpt_buf *b, const struct vmsc_vm_result *vm)
{
	const struct vmsc_finding *worst = vmsc_rpt_worst_finding(vm);
	size_t active = vmsc_vm_result_active_findings(vm);

	if (vm->status == VMSC_STATUS_UNKNOWN && vm->reason) {
		vmsc_rpt_buf_add(b, vm->reason);
		return;
	}
	if (!worst) {
		vmsc_rpt_buf_add(b, vmsc_status_name(vm->status));
		return;
	}
	vmsc_rpt_buf_addf(b, "%s: %s", nz(worst->rule), nz(worst->message));
	if (active > 1)
		vmsc_rpt_buf_addf(b, " (+%zu more)", active - 1);
}

static int write_problem(xmlTextWriterPtr w, const char *element, const char *type,
			 const struct vmsc_vm_result *vm)
{
	struct vmsc_rpt_buf msg, body;
	int ret = -1;

	vmsc_rpt_buf_init(&msg);
	vmsc_rpt_buf_init(&body);
	summary_line(&msg, vm);
	findings_text(&body, vm);
	if (msg.oom || body.oom)
		goto out;
	if (xmlTextWriterStartElement(w, BAD_CAST element) < 0 ||
	    attr(w, "type", type, VMSC_CLEAN_CONTROL) < 0 ||
	    attr(w, "message", msg.s ? msg.s : "", VMSC_CLEAN_CONTROL) < 0 ||
	    (body.len && text(w, body.s) < 0) ||
	    xmlTextWriterEndElement(w) < 0)
		goto out;
	ret = 0;
out:
	vmsc_rpt_buf_release(&msg);
	vmsc_rpt_buf_release(&body);
	return ret;
}

static int property(xmlTextWriterPtr w, const char *name, const char *value)
{
	if (xmlTextWriterStartElement(w, BAD_CAST "property") < 0 ||
	    attr(w, "name", name, 0) < 0 || attr(w, "value", value, VMSC_CLEAN_CONTROL) < 0 ||
	    xmlTextWriterEndElement(w) < 0)
		return -1;
	return 0;
}

/* <properties> with the expected consistency, what limits it and the probed
 * level; none for a VM without an expected level (skipped, unknown). */
static int write_consistency(xmlTextWriterPtr w, const struct vmsc_consistency *c)
{
	struct vmsc_rpt_buf limits;
	int ret = -1;

	if (!c->expected)
		return 0;
	vmsc_rpt_buf_init(&limits);
	for (size_t i = 0; i < c->n_limited_by; i++) {
		if (i)
			vmsc_rpt_buf_add(&limits, ",");
		vmsc_rpt_buf_add(&limits, c->limited_by[i]);
	}
	if (limits.oom || xmlTextWriterStartElement(w, BAD_CAST "properties") < 0 ||
	    property(w, "consistency", vmsc_level_name(c->expected)) < 0 ||
	    property(w, "limitedBy", limits.s ? limits.s : "") < 0 ||
	    (c->probed && property(w, "probed", vmsc_level_name(c->probed)) < 0) ||
	    xmlTextWriterEndElement(w) < 0)
		goto out;
	ret = 0;
out:
	vmsc_rpt_buf_release(&limits);
	return ret;
}

static int write_vm(xmlTextWriterPtr w, const char *vcname, const struct vmsc_vm_result *vm)
{
	const struct vmsc_finding *worst = vmsc_rpt_worst_finding(vm);

	/* properties come first in a testcase (pytest's and Jenkins' order) */
	if (xmlTextWriterStartElement(w, BAD_CAST "testcase") < 0 ||
	    attr(w, "classname", vcname, VMSC_CLEAN_CONTROL) < 0 ||
	    attr(w, "name", vm->name, VMSC_CLEAN_CONTROL) < 0 ||
	    write_consistency(w, &vm->consistency) < 0)
		return -1;
	switch (vm->status) {
	case VMSC_STATUS_WARNING:
	case VMSC_STATUS_ERROR:
		if (write_problem(w, "failure", worst && worst->rule ? worst->rule : "finding",
				  vm) < 0)
			return -1;
		break;
	case VMSC_STATUS_UNKNOWN:
		if (write_problem(w, "error", "unknown", vm) < 0)
			return -1;
		break;
	case VMSC_STATUS_SKIPPED:
		if (xmlTextWriterStartElement(w, BAD_CAST "skipped") < 0 ||
		    attr(w, "message", vm->reason ? vm->reason : "skipped", VMSC_CLEAN_CONTROL) < 0 ||
		    xmlTextWriterEndElement(w) < 0)
			return -1;
		break;
	case VMSC_STATUS_OK:
		break;
	}
	return xmlTextWriterEndElement(w) < 0 ? -1 : 0;
}

/* A testcase standing for the connection to a vCenter (or the run). */
static int write_error_case(xmlTextWriterPtr w, const char *classname, const char *name,
			    const char *type, const char *message)
{
	if (xmlTextWriterStartElement(w, BAD_CAST "testcase") < 0 ||
	    attr(w, "classname", classname, VMSC_CLEAN_CONTROL) < 0 ||
	    attr(w, "name", name, VMSC_CLEAN_CONTROL) < 0 ||
	    xmlTextWriterStartElement(w, BAD_CAST "error") < 0 ||
	    attr(w, "type", type, VMSC_CLEAN_CONTROL) < 0 ||
	    attr(w, "message", message, VMSC_CLEAN_CONTROL) < 0 ||
	    xmlTextWriterEndElement(w) < 0 || xmlTextWriterEndElement(w) < 0)
		return -1;
	return 0;
}

static int start_suite(xmlTextWriterPtr w, const char *name, const struct junit_counts *c,
		       double seconds, const char *timestamp)
{
	if (xmlTextWriterStartElement(w, BAD_CAST "testsuite") < 0 ||
	    attr(w, "name", name, VMSC_CLEAN_CONTROL) < 0 || attr_size(w, "tests", c->tests) < 0 ||
	    attr_size(w, "failures", c->failures) < 0 || attr_size(w, "errors", c->errors) < 0 ||
	    attr_size(w, "skipped", c->skipped) < 0 || attr_time(w, seconds) < 0 ||
	    attr(w, "timestamp", timestamp, 0) < 0)
		return -1;
	return 0;
}

static int write_suites(xmlTextWriterPtr w, const struct vmsc_result *r)
{
	struct junit_counts total = { 0 }, c;
	char timestamp[32];
	size_t i, j;

	/* JUnit's timestamp is an ISO 8601 local date-time without zone: use UTC. */
	vmsc_rpt_rfc3339(r->generated, timestamp, sizeof(timestamp));
	timestamp[strcspn(timestamp, "Z")] = '\0';

	for (i = 0; i < r->n_vcenters; i++) {
		count_vcenter(&c, r, i);
		total.tests += c.tests;
		total.failures += c.failures;
		total.errors += c.errors;
		total.skipped += c.skipped;
	}
	if (r->incomplete) {
		total.tests++;
		total.errors++;
	}
	total.tests += r->n_unmatched;
	total.errors += r->n_unmatched;

	if (xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0 ||
	    xmlTextWriterStartElement(w, BAD_CAST "testsuites") < 0 ||
	    attr(w, "name", "vmsnapcheck", 0) < 0 || attr_size(w, "tests", total.tests) < 0 ||
	    attr_size(w, "failures", total.failures) < 0 ||
	    attr_size(w, "errors", total.errors) < 0 ||
	    attr_size(w, "skipped", total.skipped) < 0 || attr_time(w, r->duration) < 0)
		return -1;

	for (i = 0; i < r->n_vcenters; i++) {
		const struct vmsc_vcenter_result *vc = &r->vcenters[i];

		count_vcenter(&c, r, i);
		if (start_suite(w, vc->name, &c, vc->duration, timestamp) < 0)
			return -1;
		if (vc->error &&
		    write_error_case(w, vc->name, "vCenter connection", "vcenter", vc->error) < 0)
			return -1;
		for (j = 0; j < r->n_vms; j++)
			if (r->vms[j].vcenter == i && write_vm(w, vc->name, &r->vms[j]) < 0)
				return -1;
		if (xmlTextWriterEndElement(w) < 0)
			return -1;
	}

	/* The run itself: one error per name or glob that matched no VM, and
	 * one when the run did not finish. */
	if (r->incomplete || r->n_unmatched) {
		c = (struct junit_counts){ .tests = r->n_unmatched + r->incomplete,
					   .errors = r->n_unmatched + r->incomplete };
		if (start_suite(w, "vmsnapcheck", &c, r->duration, timestamp) < 0)
			return -1;
		for (j = 0; j < r->n_unmatched; j++) {
			struct vmsc_rpt_buf msg;
			int rc;

			vmsc_rpt_buf_init(&msg);
			vmsc_rpt_buf_addf(&msg, "no VM matches '%s'", r->unmatched[j]);
			rc = msg.oom ? -1
				     : write_error_case(w, "vmsnapcheck", r->unmatched[j], "unmatched",
							msg.s);
			vmsc_rpt_buf_release(&msg);
			if (rc < 0)
				return -1;
		}
		if (r->incomplete &&
		    write_error_case(w, "vmsnapcheck", "run complete", "incomplete",
				     r->incomplete_reason ? r->incomplete_reason
							  : "the run did not finish") < 0)
			return -1;
		if (xmlTextWriterEndElement(w) < 0)
			return -1;
	}
	if (xmlTextWriterEndDocument(w) < 0)
		return -1;
	return 0;
}

int vmsc_report_junit(const struct vmsc_result *r, const struct vmsc_report_options *o, FILE *out)
{
	xmlOutputBufferPtr buf = NULL;
	xmlTextWriterPtr w = NULL;
	int ret = -1;

	(void)o;
	/* The output buffer writes to `out` without closing it. */
	buf = xmlOutputBufferCreateFile(out, NULL);
	if (!buf)
		goto out;
	w = xmlNewTextWriter(buf);
	if (!w) {
		xmlOutputBufferClose(buf);
		goto out;
	}
	if (xmlTextWriterSetIndent(w, 1) < 0 || xmlTextWriterSetIndentString(w, BAD_CAST "  ") < 0)
		goto out;
	if (write_suites(w, r) < 0)
		goto out;
	if (xmlTextWriterFlush(w) < 0)
		goto out;
	ret = 0;
out:
	/* Freeing the writer closes (and flushes) its output buffer. */
	xmlFreeTextWriter(w);
	if (ret == 0 && (fflush(out) == EOF || ferror(out)))
		ret = -1;
	return ret;
}
