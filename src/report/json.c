/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "report/util.h"
#include "vmsnapcheck/report.h"

/*
 * JSON report, schemaVersion 1 (docs/output.md).  Keys keep the documented
 * order (JSON_PRESERVE_ORDER); optional keys ("reason", "error", "waiver",
 * "incomplete") are left out when unset, absent strings are null.
 * Bump schemaVersion only when a key changes meaning or disappears.
 */

#define JSON_SCHEMA_VERSION 1

/* jansson refuses invalid UTF-8 (a message truncated mid-character, say):
 * repair such a string rather than losing the report. */
static json_t *jstr(const char *s)
{
	json_t *v;
	char *clean;

	if (!s)
		return json_null();
	v = json_string(s);
	if (v)
		return v;
	clean = vmsc_rpt_clean(s, 0);
	if (!clean)
		return NULL;
	v = json_string(clean);
	free(clean);
	return v;
}

/* json_object_set_new() frees the value even when it fails. */
static int set(json_t *obj, const char *key, json_t *v)
{
	if (!v)
		return -1;
	return json_object_set_new(obj, key, v);
}

static json_t *waiver_json(const struct vmsc_waiver_ref *w)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (set(o, "name", jstr(w->name)) < 0 || set(o, "reason", jstr(w->reason)) < 0 ||
	    set(o, "expires", jstr(w->expires)) < 0 || set(o, "expired", json_boolean(w->expired)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *finding_json(const struct vmsc_finding *f)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (set(o, "rule", jstr(f->rule)) < 0 ||
	    set(o, "severity", json_string(vmsc_severity_name(f->severity))) < 0 ||
	    set(o, "message", jstr(f->message)) < 0 || set(o, "remedy", jstr(f->remedy)) < 0 ||
	    set(o, "waived", json_boolean(f->waived)) < 0 ||
	    (f->waiver && set(o, "waiver", waiver_json(f->waiver)) < 0) ||
	    (f->change && set(o, "change", json_string(f->change == VMSC_CHANGE_NEW
								? "new" : "unchanged")) < 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *level_json(enum vmsc_level l)
{
	return l ? json_string(vmsc_level_name(l)) : json_null();
}

/* {"expected": LEVEL|null, "limitedBy": [ids], "probed"?: LEVEL} */
static json_t *consistency_json(const struct vmsc_consistency *c)
{
	json_t *o = json_object();
	json_t *limits = json_array();
	json_t *ret = NULL;

	if (!o || !limits)
		goto out;
	for (size_t i = 0; i < c->n_limited_by; i++)
		if (json_array_append_new(limits, jstr(c->limited_by[i])) < 0)
			goto out;
	if (set(o, "expected", level_json(c->expected)) < 0 ||
	    json_object_set(o, "limitedBy", limits) < 0 ||
	    (c->probed && set(o, "probed", level_json(c->probed)) < 0))
		goto out;
	ret = json_incref(o);
out:
	json_decref(limits);
	json_decref(o);
	return ret;
}

/* --guest: {"checked": bool, "reason"?: "..."} (docs/output.md) */
static json_t *guest_json(const struct vmsc_vm_result *vm)
{
	json_t *g = json_object();

	if (!g)
		return NULL;
	if (set(g, "checked", json_boolean(vm->guest_checked)) < 0 ||
	    (!vm->guest_checked &&
	     set(g, "reason", jstr(vm->guest_reason ? vm->guest_reason : "not checked")) < 0)) {
		json_decref(g);
		return NULL;
	}
	return g;
}

static json_t *vm_json(const struct vmsc_result *r, const struct vmsc_vm_result *vm)
{
	json_t *o = json_object();
	json_t *findings = json_array();
	json_t *ret = NULL;
	size_t i;

	if (!o || !findings)
		goto out;
	if (set(o, "vcenter", jstr(vmsc_rpt_vcenter_name(r, vm))) < 0 ||
	    set(o, "name", jstr(vm->name)) < 0 || set(o, "moid", jstr(vm->moid)) < 0 ||
	    set(o, "status", json_string(vmsc_status_name(vm->status))) < 0 ||
	    (vm->reason && set(o, "reason", jstr(vm->reason)) < 0) ||
	    set(o, "powerState", jstr(vm->power_state)) < 0 ||
	    set(o, "guestId", jstr(vm->guest_id)) < 0 ||
	    set(o, "consistency", consistency_json(&vm->consistency)) < 0 ||
	    (r->guest && vm->guest_asked && set(o, "guest", guest_json(vm)) < 0))
		goto out;
	for (i = 0; i < vm->n_findings; i++)
		if (json_array_append_new(findings, finding_json(&vm->findings[i])) < 0)
			goto out;
	if (json_object_set(o, "findings", findings) < 0)
		goto out;
	ret = json_incref(o);
out:
	json_decref(findings);
	json_decref(o);
	return ret;
}

static json_t *vcenter_json(const struct vmsc_vcenter_result *vc)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (set(o, "url", jstr(vc->url)) < 0 || set(o, "name", jstr(vc->name)) < 0 ||
	    set(o, "version", jstr(vc->version)) < 0 ||
	    set(o, "apiVersion", jstr(vc->api_version)) < 0 ||
	    set(o, "status", json_string(vmsc_status_name(vc->status))) < 0 ||
	    (vc->error && set(o, "error", jstr(vc->error)) < 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *summary_json(const struct vmsc_summary *s)
{
	/* VMs per expected level, best first; skipped and unknown VMs have none */
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I}}",
			 "vms", (json_int_t)s->vms, "ok", (json_int_t)s->ok,
			 "warning", (json_int_t)s->warning, "error", (json_int_t)s->error,
			 "unknown", (json_int_t)s->unknown, "skipped", (json_int_t)s->skipped,
			 "waived", (json_int_t)s->waived, "consistency",
			 "application", (json_int_t)s->consistency[VMSC_LEVEL_APPLICATION],
			 "filesystem", (json_int_t)s->consistency[VMSC_LEVEL_FILESYSTEM],
			 "crash", (json_int_t)s->consistency[VMSC_LEVEL_CRASH],
			 "none", (json_int_t)s->consistency[VMSC_LEVEL_NONE]);
}

/* --baseline: summary.new, summary.resolved and the top-level "resolved"
 * list, only when compared (without a baseline the bytes stay as they were). */
static int compared_json(const struct vmsc_result *r, json_t *root)
{
	json_t *sum = json_object_get(root, "summary"), *list = json_array();

	if (set(root, "resolved", list) < 0 ||
	    set(sum, "new", json_integer((json_int_t)r->summary.new_findings)) < 0 ||
	    set(sum, "resolved", json_integer((json_int_t)r->summary.resolved)) < 0)
		return -1;
	for (size_t i = 0; i < r->n_resolved; i++) {
		const struct vmsc_resolved *x = &r->resolved[i];
		json_t *o = json_object();

		if (json_array_append_new(list, o) < 0 || set(o, "vcenter", jstr(x->vcenter)) < 0 ||
		    set(o, "vm", jstr(x->vm)) < 0 || set(o, "moid", jstr(x->moid)) < 0 ||
		    set(o, "rule", jstr(x->rule)) < 0 ||
		    set(o, "severity", json_string(vmsc_severity_name(x->severity))) < 0 ||
		    set(o, "message", jstr(x->message)) < 0)
			return -1;
	}
	return 0;
}

/* Everything but "vms", which comes last and is written VM by VM. */
static json_t *head_json(const struct vmsc_result *r)
{
	json_t *root = json_object();
	json_t *vcenters = json_array();
	json_t *ret = NULL;
	char generated[32];
	size_t i;

	if (!root || !vcenters)
		goto out;
	vmsc_rpt_rfc3339(r->generated, generated, sizeof(generated));
	if (set(root, "schemaVersion", json_integer(JSON_SCHEMA_VERSION)) < 0 ||
	    set(root, "generated", json_string(generated)) < 0 ||
	    set(root, "status", json_string(vmsc_status_name(r->status))) < 0 ||
	    set(root, "exitCode", json_integer(r->exit_code)) < 0)
		goto out;
	/* Not in the base shape: present only when the run could not finish,
	 * so a partial report never looks complete. */
	if (r->incomplete &&
	    set(root, "incomplete",
		jstr(r->incomplete_reason ? r->incomplete_reason : "the run did not finish")) < 0)
		goto out;
	/* Also only when set: names and globs given that matched no VM. */
	if (r->n_unmatched) {
		json_t *u = json_array();

		if (set(root, "unmatched", u) < 0)
			goto out;
		for (i = 0; i < r->n_unmatched; i++)
			if (json_array_append_new(u, jstr(r->unmatched[i])) < 0)
				goto out;
	}
	for (i = 0; i < r->n_vcenters; i++)
		if (json_array_append_new(vcenters, vcenter_json(&r->vcenters[i])) < 0)
			goto out;
	if (json_object_set(root, "vcenters", vcenters) < 0 ||
	    set(root, "summary", summary_json(&r->summary)) < 0)
		goto out;
	if (r->compared && compared_json(r, root) < 0)
		goto out;
	ret = json_incref(root);
out:
	json_decref(vcenters);
	json_decref(root);
	return ret;
}

/* Writes a value as it would appear `indent` columns deep in the document. */
static int dump_indented(const json_t *v, size_t indent, FILE *out)
{
	char *text = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	int rc = 0;

	if (!text)
		return -1;
	/* strings never hold a raw newline: every line is one of the dump's */
	for (char *line = text, *nl; line && rc == 0; line = nl ? nl + 1 : NULL) {
		size_t n;

		nl = strchr(line, '\n');
		n = nl ? (size_t)(nl - line) : strlen(line);
		if ((line != text && fprintf(out, "\n%*s", (int)indent, "") < 0) ||
		    (n && fwrite(line, 1, n, out) != n))
			rc = -1;
	}
	free(text);
	return rc;
}

/*
 * The document as jansson would indent it, but the VMs go out one by one:
 * a tree of 10,000 VMs would cost more memory than the whole check.
 */
int vmsc_report_json(const struct vmsc_result *r, const struct vmsc_report_options *o, FILE *out)
{
	json_t *head = head_json(r);
	char *text = NULL;
	size_t len;
	int ret = -1;

	(void)o;
	if (!head || !(text = json_dumps(head, JSON_INDENT(2) | JSON_PRESERVE_ORDER)))
		goto out;
	/* drop the closing "\n}" to go on with "vms" */
	len = strlen(text);
	if (len < 2 || text[len - 1] != '}')
		goto out;
	text[len - 1] = '\0';
	while (len > 1 && text[len - 2] == '\n')
		text[--len - 1] = '\0';
	if (fputs(text, out) == EOF || fputs(",\n  \"vms\": [", out) == EOF)
		goto out;
	for (size_t i = 0; i < r->n_vms; i++) {
		json_t *vm = vm_json(r, &r->vms[i]);
		int rc = vm && fputs(i ? ",\n    " : "\n    ", out) != EOF ? dump_indented(vm, 4, out) : -1;

		json_decref(vm);
		if (rc < 0)
			goto out;
	}
	if (fputs(r->n_vms ? "\n  ]\n}\n" : "]\n}\n", out) == EOF || ferror(out))
		goto out;
	ret = 0;
out:
	free(text);
	json_decref(head);
	return ret;
}
