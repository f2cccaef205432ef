/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --baseline FILE: an earlier JSON report, read back to tell new findings
 * from unchanged ones and to list the resolved ones.  The matching is
 * described in vmsnapcheck/baseline.h and docs/output.md.  Only what the
 * matching needs is kept; the JSON tree is freed once read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <jansson.h>

#include "vmsnapcheck/baseline.h"

#define REPORT_SCHEMA_VERSION 1
#define GIVE_REPORT "give the JSON report of an earlier run (-f json -o FILE)"

struct bl_finding {
	char *vcenter;
	char *moid;
	char *rule;
	char *message;
	enum vmsc_severity severity;
};

struct vmsc_baseline {
	char *name;                   /* the file, for messages */
	char *generated;
	char **vcenters;
	size_t n_vcenters;
	struct bl_finding *findings;  /* sorted by vCenter (case-insensitive), moid, rule, message */
	size_t n_findings;
};

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int cmp_key(const char *vca, const char *moida, const char *vcb, const char *moidb)
{
	int c = strcasecmp(vca, vcb);

	return c ? c : strcmp(moida, moidb);
}

static int cmp_bl_finding(const void *pa, const void *pb)
{
	const struct bl_finding *a = pa, *b = pb;
	int c;

	if ((c = cmp_key(a->vcenter, a->moid, b->vcenter, b->moid)) != 0)
		return c;
	if ((c = cmp_str(a->rule, b->rule)) != 0)
		return c;
	return cmp_str(a->message, b->message);
}

void vmsc_baseline_free(struct vmsc_baseline *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n_findings; i++) {
		free(b->findings[i].vcenter);
		free(b->findings[i].moid);
		free(b->findings[i].rule);
		free(b->findings[i].message);
	}
	free(b->findings);
	for (size_t i = 0; i < b->n_vcenters; i++)
		free(b->vcenters[i]);
	free(b->vcenters);
	free(b->generated);
	free(b->name);
	free(b);
}

/* "baseline 'F' is not a vmsnapcheck JSON report (WHAT): give ..." */
static int not_report(struct vmsc_error *err, const char *name, const char *what)
{
	return vmsc_error_set(err, VMSC_E_CONFIG,
			      "baseline '%s' is not a vmsnapcheck JSON report (%s): " GIVE_REPORT,
			      name, what);
}

static const char *str_of(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static int add_finding(struct vmsc_baseline *b, size_t *cap, const char *vc, const char *moid,
		       const char *rule, const char *message, enum vmsc_severity sev)
{
	struct bl_finding *f;

	if (b->n_findings == *cap) {
		size_t n = *cap ? *cap * 2 : 64;
		void *p = realloc(b->findings, n * sizeof(*b->findings));

		if (!p)
			return -1;
		b->findings = p;
		*cap = n;
	}
	f = &b->findings[b->n_findings];
	memset(f, 0, sizeof(*f));
	f->severity = sev;
	if (!(f->vcenter = strdup(vc)) || !(f->moid = strdup(moid)) || !(f->rule = strdup(rule)) ||
	    !(f->message = strdup(message ? message : ""))) {
		free(f->vcenter);
		free(f->moid);
		free(f->rule);
		free(f->message);
		return -1;
	}
	b->n_findings++;
	return 0;
}

static int read_vcenters(struct vmsc_baseline *b, json_t *vcs, struct vmsc_error *err)
{
	char what[96];

	b->vcenters = calloc(json_array_size(vcs) + 1, sizeof(*b->vcenters));
	if (!b->vcenters)
		return vmsc_error_nomem(err);
	for (size_t i = 0; i < json_array_size(vcs); i++) {
		const char *name = str_of(json_array_get(vcs, i), "name");

		if (!name) {
			snprintf(what, sizeof(what), "vcenters[%zu] has no 'name'", i);
			return not_report(err, b->name, what);
		}
		if (!(b->vcenters[b->n_vcenters++] = strdup(name)))
			return vmsc_error_nomem(err);
	}
	return 0;
}

static int read_vms(struct vmsc_baseline *b, json_t *vms, struct vmsc_error *err)
{
	size_t cap = 0;
	char what[96];

	for (size_t i = 0; i < json_array_size(vms); i++) {
		json_t *vm = json_array_get(vms, i), *findings = json_object_get(vm, "findings");
		const char *vc = str_of(vm, "vcenter"), *moid = str_of(vm, "moid");

		if (!json_is_object(vm) || !vc || !moid || !json_is_array(findings)) {
			snprintf(what, sizeof(what), "vms[%zu] lacks 'vcenter', 'moid' or 'findings'", i);
			return not_report(err, b->name, what);
		}
		for (size_t j = 0; j < json_array_size(findings); j++) {
			json_t *f = json_array_get(findings, j);
			const char *rule = str_of(f, "rule"), *sev = str_of(f, "severity");
			const char *msg = str_of(f, "message");

			if (!rule || !sev || (strcmp(sev, "error") && strcmp(sev, "warning"))) {
				snprintf(what, sizeof(what),
					 "vms[%zu].findings[%zu] lacks 'rule' or 'severity'", i, j);
				return not_report(err, b->name, what);
			}
			if (add_finding(b, &cap, vc, moid, rule, msg,
					strcmp(sev, "error") ? VMSC_SEV_WARNING : VMSC_SEV_ERROR) < 0)
				return vmsc_error_nomem(err);
		}
	}
	if (b->n_findings > 1)
		qsort(b->findings, b->n_findings, sizeof(*b->findings), cmp_bl_finding);
	return 0;
}

static int read_doc(struct vmsc_baseline *b, json_t *doc, struct vmsc_error *err)
{
	json_t *ver = json_object_get(doc, "schemaVersion");
	json_t *vms = json_object_get(doc, "vms"), *vcs = json_object_get(doc, "vcenters");
	const char *generated = str_of(doc, "generated");

	if (!json_is_object(doc))
		return not_report(err, b->name, "the top level is not an object");
	if (!json_is_integer(ver))
		return not_report(err, b->name, "no 'schemaVersion'");
	if (json_integer_value(ver) != REPORT_SCHEMA_VERSION)
		return vmsc_error_set(err, VMSC_E_CONFIG,
				      "baseline '%s' has schemaVersion %lld, this vmsnapcheck reads %d: "
				      GIVE_REPORT " with this version", b->name,
				      (long long)json_integer_value(ver), REPORT_SCHEMA_VERSION);
	/* facts files (--save-facts) share schemaVersion, vcenters and vms */
	if (!json_is_object(json_object_get(doc, "summary")) || !str_of(doc, "status"))
		return vmsc_error_set(err, VMSC_E_CONFIG,
				      "baseline '%s' is not a report (no 'summary' or 'status'; a facts "
				      "file?): " GIVE_REPORT, b->name);
	if (!json_is_array(vcs))
		return not_report(err, b->name, "'vcenters' is not an array");
	if (!json_is_array(vms))
		return not_report(err, b->name, "'vms' is not an array");
	if (generated && !(b->generated = strdup(generated)))
		return vmsc_error_nomem(err);
	if (read_vcenters(b, vcs, err) < 0)
		return -1;
	return read_vms(b, vms, err);
}

struct vmsc_baseline *vmsc_baseline_parse(const char *text, size_t len, const char *name,
					  struct vmsc_error *err)
{
	struct vmsc_baseline *b = calloc(1, sizeof(*b));
	json_error_t je;
	json_t *doc = NULL;

	if (!b || !(b->name = strdup(name ? name : "baseline"))) {
		free(b);
		vmsc_error_nomem(err);
		return NULL;
	}
	if (len > VMSC_BASELINE_MAX_BYTES) {
		vmsc_error_set(err, VMSC_E_CONFIG, "baseline '%s' is larger than %u MiB: " GIVE_REPORT,
			       b->name, VMSC_BASELINE_MAX_BYTES >> 20);
		goto fail;
	}
	/* two "findings" in one VM would make either answer wrong */
	doc = json_loadb(text ? text : "", text ? len : 0, JSON_REJECT_DUPLICATES, &je);
	if (!doc) {
		vmsc_error_set(err, VMSC_E_CONFIG, "baseline '%s' is not JSON (line %d: %s): " GIVE_REPORT,
			       b->name, je.line, je.text);
		goto fail;
	}
	if (read_doc(b, doc, err) < 0)
		goto fail;
	json_decref(doc);
	return b;
fail:
	json_decref(doc);
	vmsc_baseline_free(b);
	return NULL;
}

struct vmsc_baseline *vmsc_baseline_load(const char *path, struct vmsc_error *err)
{
	FILE *fp = fopen(path, "rb");
	struct vmsc_baseline *b = NULL;
	struct stat st;
	char *buf = NULL;
	size_t len = 0, cap = 0;

	if (!fp) {
		vmsc_error_set(err, VMSC_E_IO, "cannot read baseline '%s': %s: " GIVE_REPORT, path,
			       strerror(errno));
		return NULL;
	}
	if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		vmsc_error_set(err, VMSC_E_IO, "cannot read baseline '%s': it is a directory: "
			       GIVE_REPORT, path);
		goto out;
	}
	/* read at most one byte past the limit: a pipe has no size to stat */
	for (;;) {
		size_t n;

		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 1u << 16;
			char *p;

			if (ncap > VMSC_BASELINE_MAX_BYTES + 1)
				ncap = VMSC_BASELINE_MAX_BYTES + 1;
			if (ncap == cap)
				break;
			if (!(p = realloc(buf, ncap))) {
				vmsc_error_nomem(err);
				goto out;
			}
			buf = p;
			cap = ncap;
		}
		n = fread(buf + len, 1, cap - len, fp);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(fp)) {
		vmsc_error_set(err, VMSC_E_IO, "cannot read baseline '%s': %s: " GIVE_REPORT, path,
			       strerror(errno));
		goto out;
	}
	b = vmsc_baseline_parse(buf, len, path, err);
out:
	free(buf);
	fclose(fp);
	return b;
}

bool vmsc_baseline_has_vcenter(const struct vmsc_baseline *b, const char *name)
{
	for (size_t i = 0; b && name && i < b->n_vcenters; i++)
		if (!strcasecmp(b->vcenters[i], name))
			return true;
	return false;
}

/* First finding of (vc, moid) in the sorted list; *end one past the last. */
static size_t find_range(const struct vmsc_baseline *b, const char *vc, const char *moid,
			 size_t *end)
{
	size_t lo = 0, hi = b->n_findings;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_key(b->findings[mid].vcenter, b->findings[mid].moid, vc, moid) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (hi = lo; hi < b->n_findings &&
		      !cmp_key(b->findings[hi].vcenter, b->findings[hi].moid, vc, moid); hi++)
		;
	*end = hi;
	return lo;
}

static int cmp_resolved(const void *pa, const void *pb)
{
	const struct vmsc_resolved *a = pa, *b = pb;
	int c;

	if ((c = cmp_str(a->vcenter, b->vcenter)) != 0 || (c = cmp_str(a->vm, b->vm)) != 0 ||
	    (c = cmp_str(a->moid, b->moid)) != 0)
		return c;
	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	if ((c = cmp_str(a->rule, b->rule)) != 0)
		return c;
	return cmp_str(a->message, b->message);
}

static int add_resolved(struct vmsc_result *r, size_t *cap, const char *vc,
			const struct vmsc_vm_result *vm, const struct bl_finding *f)
{
	struct vmsc_resolved *x;

	if (r->n_resolved == *cap) {
		size_t n = *cap ? *cap * 2 : 16;
		void *p = realloc(r->resolved, n * sizeof(*r->resolved));

		if (!p)
			return -1;
		r->resolved = p;
		*cap = n;
	}
	x = &r->resolved[r->n_resolved++];
	memset(x, 0, sizeof(*x));
	x->severity = f->severity;
	if (!(x->vcenter = strdup(vc)) || !(x->vm = strdup(vm->name)) ||
	    !(x->moid = strdup(vm->moid)) || !(x->rule = strdup(f->rule)) ||
	    !(x->message = strdup(f->message)))
		return -1; /* vmsc_result_clear_resolved frees what was copied */
	return 0;
}

/* "'a', 'b'" into buf, as much as fits. */
static void name_list(char *buf, size_t size, char *const *names, size_t n)
{
	size_t len = 0;

	buf[0] = 0;
	for (size_t i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s'%s'", i ? ", " : "", names[i]);
	if (!n)
		snprintf(buf, size, "none");
}

static int other_inventory(const struct vmsc_baseline *b, const struct vmsc_result *r,
			   struct vmsc_error *err)
{
	char theirs[256], ours[256];
	char **names = calloc(r->n_vcenters + 1, sizeof(*names));

	if (!names)
		return vmsc_error_nomem(err);
	for (size_t i = 0; i < r->n_vcenters; i++)
		names[i] = r->vcenters[i].name;
	name_list(theirs, sizeof(theirs), b->vcenters, b->n_vcenters);
	name_list(ours, sizeof(ours), names, r->n_vcenters);
	free(names);
	return vmsc_error_set(err, VMSC_E_CONFIG,
			      "baseline '%s' is from another inventory (vCenters %s, this run %s): "
			      "give a report of the same vCenters", b->name, theirs, ours);
}

int vmsc_baseline_apply(const struct vmsc_baseline *b, struct vmsc_result *r,
			struct vmsc_error *err)
{
	bool common = false, *used = NULL;
	size_t cap = 0;

	for (size_t i = 0; i < r->n_vcenters && !common; i++)
		common = vmsc_baseline_has_vcenter(b, r->vcenters[i].name);
	if (!common)
		return other_inventory(b, r, err);
	if (b->n_findings && !(used = calloc(b->n_findings, sizeof(*used))))
		return vmsc_error_nomem(err);
	vmsc_result_clear_resolved(r);
	for (size_t i = 0; i < r->n_vms; i++) {
		struct vmsc_vm_result *vm = &r->vms[i];
		const char *vc = vm->vcenter < r->n_vcenters ? r->vcenters[vm->vcenter].name : "";
		size_t end, lo = find_range(b, vc, vm->moid, &end);

		/* 1: same rule and message; 2: same rule; else new */
		for (size_t j = 0; j < vm->n_findings; j++)
			vm->findings[j].change = VMSC_CHANGE_NEW;
		for (int pass = 1; pass <= 2; pass++)
			for (size_t j = 0; j < vm->n_findings; j++) {
				struct vmsc_finding *f = &vm->findings[j];

				if (f->change != VMSC_CHANGE_NEW)
					continue;
				for (size_t k = lo; k < end; k++) {
					const struct bl_finding *o = &b->findings[k];

					if (used[k] || cmp_str(o->rule, f->rule) ||
					    (pass == 1 && cmp_str(o->message, f->message)))
						continue;
					used[k] = true;
					f->change = VMSC_CHANGE_UNCHANGED;
					break;
				}
			}
		if (vm->status == VMSC_STATUS_SKIPPED || vm->status == VMSC_STATUS_UNKNOWN)
			continue;
		for (size_t k = lo; k < end; k++) {
			if (used[k])
				continue;
			used[k] = true; /* once, even if a VM shows up twice */
			if (add_resolved(r, &cap, vc, vm, &b->findings[k]) < 0) {
				free(used);
				vmsc_result_clear_resolved(r);
				return vmsc_error_nomem(err);
			}
		}
	}
	free(used);
	if (r->n_resolved > 1)
		qsort(r->resolved, r->n_resolved, sizeof(*r->resolved), cmp_resolved);
	free(r->baseline_generated);
	r->baseline_generated = b->generated ? strdup(b->generated) : NULL;
	r->compared = true;
	return 0;
}
