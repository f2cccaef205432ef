/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmsnapcheck/result.h"
#include "vmsnapcheck/str.h"

/* Arrays without a capacity field start at `first` (a power of two) and
 * double whenever their length reaches a power of two, so the capacity is
 * implied by the length. */
static int grow_from(void **arr, size_t n, size_t elem, size_t first)
{
	size_t cap;
	void *p;

	if (n == 0)
		cap = first;
	else if (n >= first && (n & (n - 1)) == 0)
		cap = n * 2;
	else
		return 0;
	if (cap < n || cap > SIZE_MAX / elem)
		return -1;
	p = realloc(*arr, cap * elem);
	if (!p)
		return -1;
	*arr = p;
	return 0;
}

static int grow_implied(void **arr, size_t n, size_t elem)
{
	return grow_from(arr, n, elem, 4);
}

/* Most VMs have no finding or one: a 10,000-VM result keeps every VM's
 * array, so it grows from one. */
static int grow_findings(struct vmsc_vm_result *vm)
{
	void *arr = vm->findings;

	if (grow_from(&arr, vm->n_findings, sizeof(*vm->findings), 1) < 0)
		return -1;
	vm->findings = arr;
	return 0;
}

static int cmp_str(const char *a, const char *b)
{
	/* strcmp compares as unsigned char: byte order is code point order
	 * for UTF-8. */
	return strcmp(a ? a : "", b ? b : "");
}

struct vmsc_result *vmsc_result_new(void)
{
	struct vmsc_result *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->generated = vmsc_report_time();
	r->status = VMSC_STATUS_OK;
	return r;
}

static void vcenter_release(struct vmsc_vcenter_result *vc)
{
	free(vc->url);
	free(vc->name);
	free(vc->version);
	free(vc->api_version);
	free(vc->product);
	free(vc->error);
	memset(vc, 0, sizeof(*vc));
}

void vmsc_result_free(struct vmsc_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n_vcenters; i++)
		vcenter_release(&r->vcenters[i]);
	free(r->vcenters);
	for (i = 0; i < r->n_vms; i++)
		vmsc_vm_result_release(&r->vms[i]);
	free(r->vms);
	free(r->incomplete_reason);
	for (i = 0; i < r->n_unmatched; i++)
		free(r->unmatched[i]);
	free(r->unmatched);
	vmsc_result_clear_resolved(r);
	free(r->baseline_generated);
	free(r);
}

size_t vmsc_result_add_vcenter(struct vmsc_result *r, const char *url, const char *name)
{
	struct vmsc_vcenter_result *vc;
	void *arr = r->vcenters;

	if (grow_implied(&arr, r->n_vcenters, sizeof(*vc)) < 0)
		return (size_t)-1;
	r->vcenters = arr;
	vc = &r->vcenters[r->n_vcenters];
	memset(vc, 0, sizeof(*vc));
	vc->url = strdup(url ? url : "");
	vc->name = strdup(name ? name : (url ? url : ""));
	if (!vc->url || !vc->name) {
		vcenter_release(vc);
		return (size_t)-1;
	}
	vc->status = VMSC_STATUS_OK;
	return r->n_vcenters++;
}

int vmsc_vcenter_result_set_error(struct vmsc_vcenter_result *vc, const char *msg)
{
	return vmsc_str_set(&vc->error, msg ? msg : "unknown error");
}

int vmsc_vcenter_result_set_about(struct vmsc_vcenter_result *vc, const char *version,
				  const char *api_version, const char *product)
{
	if (version && vmsc_str_set(&vc->version, version) < 0)
		return -1;
	if (api_version && vmsc_str_set(&vc->api_version, api_version) < 0)
		return -1;
	if (product && vmsc_str_set(&vc->product, product) < 0)
		return -1;
	return 0;
}

struct vmsc_vm_result *vmsc_result_add_vm(struct vmsc_result *r, size_t vcenter,
					  const char *name, const char *moid)
{
	struct vmsc_vm_result *vm;

	if (r->n_vms == r->cap_vms) {
		size_t cap = r->cap_vms ? r->cap_vms * 2 : 64;
		void *p;

		if (cap < r->cap_vms || cap > SIZE_MAX / sizeof(*vm))
			return NULL;
		p = realloc(r->vms, cap * sizeof(*vm));
		if (!p)
			return NULL;
		r->vms = p;
		r->cap_vms = cap;
	}
	vm = &r->vms[r->n_vms];
	memset(vm, 0, sizeof(*vm));
	vm->vcenter = vcenter;
	vm->status = VMSC_STATUS_OK;
	vm->name = strdup(name ? name : "");
	vm->moid = strdup(moid ? moid : "");
	if (!vm->name || !vm->moid) {
		vmsc_vm_result_release(vm);
		return NULL;
	}
	r->n_vms++;
	return vm;
}

/* The next finding's slot, zeroed, with its rule and severity; the caller
 * fills message and remedy, then counts it.  NULL when out of memory. */
static struct vmsc_finding *next_finding(struct vmsc_vm_result *vm, const char *rule,
					 enum vmsc_severity sev)
{
	struct vmsc_finding *f;

	if (grow_findings(vm) < 0)
		return NULL;
	f = &vm->findings[vm->n_findings];
	memset(f, 0, sizeof(*f));
	f->rule = rule;
	f->severity = sev;
	return f;
}

struct vmsc_finding *vmsc_vm_result_add_finding(struct vmsc_vm_result *vm, const char *rule,
						enum vmsc_severity sev, const char *message,
						const char *remedy)
{
	struct vmsc_finding *f = next_finding(vm, rule, sev);

	if (!f || vmsc_str_set(&f->message, message) < 0)
		return NULL;
	if (vmsc_str_set(&f->remedy, remedy) < 0) {
		free(f->message);
		return NULL;
	}
	vm->n_findings++;
	return f;
}

struct vmsc_finding *vmsc_vm_result_take_finding(struct vmsc_vm_result *vm, const char *rule,
						 enum vmsc_severity sev, char *message,
						 const char *remedy)
{
	struct vmsc_finding *f = message ? next_finding(vm, rule, sev) : NULL;

	if (!f) {
		free(message);
		return NULL;
	}
	f->message = message;
	f->remedy = (char *)remedy;
	f->remedy_static = true;
	vm->n_findings++;
	return f;
}

int vmsc_vm_result_set_reason(struct vmsc_vm_result *vm, const char *reason)
{
	return vmsc_str_set(&vm->reason, reason);
}

int vmsc_vm_result_set_power_state(struct vmsc_vm_result *vm, const char *power_state)
{
	return vmsc_str_set(&vm->power_state, power_state);
}

int vmsc_vm_result_set_guest_id(struct vmsc_vm_result *vm, const char *guest_id)
{
	return vmsc_str_set(&vm->guest_id, guest_id);
}

size_t vmsc_vm_result_active_findings(const struct vmsc_vm_result *vm)
{
	size_t i, n = 0;

	for (i = 0; i < vm->n_findings; i++)
		if (!vm->findings[i].waived)
			n++;
	return n;
}

void vmsc_vm_result_update_status(struct vmsc_vm_result *vm)
{
	enum vmsc_status st = VMSC_STATUS_OK;
	size_t i;

	if (vm->status == VMSC_STATUS_SKIPPED || vm->status == VMSC_STATUS_UNKNOWN)
		return;
	for (i = 0; i < vm->n_findings; i++) {
		const struct vmsc_finding *f = &vm->findings[i];

		if (f->waived)
			continue;
		st = vmsc_status_worse(st, f->severity == VMSC_SEV_ERROR ? VMSC_STATUS_ERROR
									 : VMSC_STATUS_WARNING);
	}
	vm->status = st;
}

void vmsc_vm_result_remove_findings(struct vmsc_vm_result *vm, const char *rule)
{
	size_t i, kept = 0;

	for (i = 0; i < vm->n_findings; i++) {
		struct vmsc_finding *f = &vm->findings[i];

		if (strcmp(f->rule, rule) != 0) {
			vm->findings[kept++] = *f;
			continue;
		}
		free(f->message);
		if (!f->remedy_static)
			free(f->remedy);
		vmsc_waiver_ref_free(f->waiver);
	}
	vm->n_findings = kept;
}

void vmsc_vm_result_release(struct vmsc_vm_result *vm)
{
	size_t i;

	if (!vm)
		return;
	for (i = 0; i < vm->n_findings; i++) {
		free(vm->findings[i].message);
		if (!vm->findings[i].remedy_static)
			free(vm->findings[i].remedy);
		vmsc_waiver_ref_free(vm->findings[i].waiver);
	}
	free(vm->findings);
	vmsc_consistency_release(&vm->consistency);
	free(vm->name);
	free(vm->moid);
	free(vm->reason);
	free(vm->power_state);
	free(vm->guest_id);
	free(vm->guest_reason);
	memset(vm, 0, sizeof(*vm));
}

struct vmsc_waiver_ref *vmsc_waiver_ref_new(const char *name, const char *reason,
					    const char *expires, bool expired)
{
	struct vmsc_waiver_ref *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	if (vmsc_str_set(&w->name, name) < 0 || vmsc_str_set(&w->reason, reason) < 0 ||
	    vmsc_str_set(&w->expires, expires) < 0) {
		vmsc_waiver_ref_free(w);
		return NULL;
	}
	w->expired = expired;
	return w;
}

void vmsc_waiver_ref_free(struct vmsc_waiver_ref *w)
{
	if (!w)
		return;
	free(w->name);
	free(w->reason);
	free(w->expires);
	free(w);
}

/* --- finishing ------------------------------------------------------------ */

static int cmp_finding(const void *pa, const void *pb)
{
	const struct vmsc_finding *a = pa, *b = pb;
	int c;

	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	if ((c = cmp_str(a->rule, b->rule)) != 0)
		return c;
	if ((c = cmp_str(a->message, b->message)) != 0)
		return c;
	/* Only ties on every shown field remain: keep them deterministic. */
	if (a->waived != b->waived)
		return a->waived ? 1 : -1;
	if ((c = cmp_str(a->remedy, b->remedy)) != 0)
		return c;
	return cmp_str(a->waiver ? a->waiver->name : NULL, b->waiver ? b->waiver->name : NULL);
}

static int cmp_vm(const void *pa, const void *pb)
{
	const struct vmsc_vm_result *a = pa, *b = pb;
	int c;

	if (a->vcenter != b->vcenter)
		return a->vcenter < b->vcenter ? -1 : 1;
	if ((c = cmp_str(a->name, b->name)) != 0)
		return c;
	return cmp_str(a->moid, b->moid);
}

struct vc_slot {
	struct vmsc_vcenter_result vc;
	size_t old;
};

static int cmp_vc_slot(const void *pa, const void *pb)
{
	const struct vc_slot *a = pa, *b = pb;
	int c;

	if ((c = cmp_str(a->vc.name, b->vc.name)) != 0)
		return c;
	if ((c = cmp_str(a->vc.url, b->vc.url)) != 0)
		return c;
	return a->old < b->old ? -1 : a->old > b->old;
}

/* Sorts vCenters by name and renumbers VM->vCenter indices.  Without memory
 * it leaves the order as added, which is still deterministic. */
static void sort_vcenters(struct vmsc_result *r)
{
	struct vc_slot *slots = NULL;
	size_t *map = NULL;
	size_t i;

	if (r->n_vcenters < 2)
		return;
	slots = calloc(r->n_vcenters, sizeof(*slots));
	map = calloc(r->n_vcenters, sizeof(*map));
	if (!slots || !map)
		goto out;
	for (i = 0; i < r->n_vcenters; i++) {
		slots[i].vc = r->vcenters[i];
		slots[i].old = i;
	}
	qsort(slots, r->n_vcenters, sizeof(*slots), cmp_vc_slot);
	for (i = 0; i < r->n_vcenters; i++) {
		r->vcenters[i] = slots[i].vc;
		map[slots[i].old] = i;
	}
	for (i = 0; i < r->n_vms; i++)
		if (r->vms[i].vcenter < r->n_vcenters)
			r->vms[i].vcenter = map[r->vms[i].vcenter];
out:
	free(slots);
	free(map);
}

/* --fail-on new: what is new and unwaived decides; what could not be read
 * still makes the run unknown (it proves nothing either way). */
static enum vmsc_status status_from_new(const struct vmsc_result *r)
{
	enum vmsc_status st = VMSC_STATUS_OK;

	for (size_t i = 0; i < r->n_vcenters; i++)
		if (r->vcenters[i].error)
			st = VMSC_STATUS_UNKNOWN;
	for (size_t i = 0; i < r->n_vms; i++) {
		const struct vmsc_vm_result *vm = &r->vms[i];

		if (vm->status == VMSC_STATUS_UNKNOWN)
			st = vmsc_status_worse(st, VMSC_STATUS_UNKNOWN);
		if (vm->status == VMSC_STATUS_SKIPPED)
			continue;
		for (size_t j = 0; j < vm->n_findings; j++) {
			const struct vmsc_finding *f = &vm->findings[j];

			if (!f->waived && f->change == VMSC_CHANGE_NEW)
				st = vmsc_status_worse(st, f->severity == VMSC_SEV_ERROR
								   ? VMSC_STATUS_ERROR
								   : VMSC_STATUS_WARNING);
		}
	}
	return st;
}

void vmsc_result_finish(struct vmsc_result *r)
{
	struct vmsc_summary *s = &r->summary;
	size_t i, j;

	sort_vcenters(r);
	for (i = 0; i < r->n_vms; i++) {
		struct vmsc_vm_result *vm = &r->vms[i];

		if (vm->n_findings > 1)
			qsort(vm->findings, vm->n_findings, sizeof(*vm->findings), cmp_finding);
		vmsc_vm_result_update_status(vm);
	}
	if (r->n_vms > 1)
		qsort(r->vms, r->n_vms, sizeof(*r->vms), cmp_vm);

	for (i = 0; i < r->n_vcenters; i++)
		r->vcenters[i].status = VMSC_STATUS_OK;
	memset(s, 0, sizeof(*s));
	for (i = 0; i < r->n_vms; i++) {
		const struct vmsc_vm_result *vm = &r->vms[i];

		s->vms++;
		switch (vm->status) {
		case VMSC_STATUS_OK: s->ok++; break;
		case VMSC_STATUS_WARNING: s->warning++; break;
		case VMSC_STATUS_ERROR: s->error++; break;
		case VMSC_STATUS_UNKNOWN: s->unknown++; break;
		case VMSC_STATUS_SKIPPED: s->skipped++; break;
		}
		if ((size_t)vm->consistency.expected <= VMSC_LEVEL_APPLICATION)
			s->consistency[vm->consistency.expected]++;
		for (j = 0; j < vm->n_findings; j++) {
			if (vm->findings[j].waived)
				s->waived++;
			if (vm->findings[j].change == VMSC_CHANGE_NEW)
				s->new_findings++;
		}
		if (vm->vcenter < r->n_vcenters) {
			struct vmsc_vcenter_result *vc = &r->vcenters[vm->vcenter];

			vc->status = vmsc_status_worse(vc->status, vm->status);
		}
	}

	r->status = VMSC_STATUS_OK;
	for (i = 0; i < r->n_vcenters; i++) {
		struct vmsc_vcenter_result *vc = &r->vcenters[i];

		/* Only skipped VMs leave a vCenter OK, never "skipped". */
		if (vc->status == VMSC_STATUS_SKIPPED)
			vc->status = VMSC_STATUS_OK;
		if (vc->error)
			vc->status = VMSC_STATUS_UNKNOWN;
		r->status = vmsc_status_worse(r->status, vc->status);
	}
	/* VMs pointing at no vCenter still count. */
	for (i = 0; i < r->n_vms; i++)
		if (r->vms[i].vcenter >= r->n_vcenters && r->vms[i].status != VMSC_STATUS_SKIPPED)
			r->status = vmsc_status_worse(r->status, r->vms[i].status);
	s->resolved = r->n_resolved;
	if (r->fail_on_new && r->compared)
		r->status = status_from_new(r);
	if (r->incomplete || r->n_unmatched)
		r->status = VMSC_STATUS_UNKNOWN;
	r->exit_code = vmsc_status_exit_code(r->status);

	if (vmsc_report_reproducible()) {
		r->duration = 0;
		for (i = 0; i < r->n_vcenters; i++)
			r->vcenters[i].duration = 0;
	}
}

int vmsc_result_merge(struct vmsc_result *dst, struct vmsc_result *src)
{
	size_t base = dst->n_vcenters;

	for (size_t i = 0; i < src->n_vcenters; i++) {
		void *arr = dst->vcenters;

		if (grow_implied(&arr, dst->n_vcenters, sizeof(*dst->vcenters)) < 0)
			return -1;
		dst->vcenters = arr;
		dst->vcenters[dst->n_vcenters++] = src->vcenters[i];
		memset(&src->vcenters[i], 0, sizeof(src->vcenters[i]));
	}
	if (src->n_vms && !dst->n_vms) {
		/* the first vCenter's VMs: take its array, no second copy */
		struct vmsc_vm_result *vms = dst->vms;
		size_t cap = dst->cap_vms;

		dst->vms = src->vms;
		dst->cap_vms = src->cap_vms;
		src->vms = vms;
		src->cap_vms = cap;
		for (size_t i = 0; i < src->n_vms; i++)
			dst->vms[i].vcenter += base;
		dst->n_vms = src->n_vms;
		src->n_vms = 0;
	}
	if (src->n_vms && dst->n_vms + src->n_vms > dst->cap_vms) {
		size_t cap = dst->cap_vms ? dst->cap_vms : 16;
		struct vmsc_vm_result *vms;

		while (cap < dst->n_vms + src->n_vms)
			cap *= 2;
		vms = realloc(dst->vms, cap * sizeof(*vms));
		if (!vms)
			return -1;
		dst->vms = vms;
		dst->cap_vms = cap;
	}
	for (size_t i = 0; i < src->n_vms; i++) {
		dst->vms[dst->n_vms] = src->vms[i];
		dst->vms[dst->n_vms].vcenter += base;
		dst->n_vms++;
	}
	src->n_vms = 0;
	if (src->incomplete)
		vmsc_result_mark_incomplete(dst, src->incomplete_reason);
	return 0;
}

int vmsc_result_add_unmatched(struct vmsc_result *r, const char *glob)
{
	void *arr = r->unmatched;
	char *copy;

	if (grow_implied(&arr, r->n_unmatched, sizeof(*r->unmatched)) < 0)
		return -1;
	r->unmatched = arr;
	copy = strdup(glob ? glob : "");
	if (!copy)
		return -1;
	r->unmatched[r->n_unmatched++] = copy;
	r->status = VMSC_STATUS_UNKNOWN;
	r->exit_code = 3;
	return 0;
}

void vmsc_result_mark_incomplete(struct vmsc_result *r, const char *why)
{
	r->incomplete = true;
	if (!r->incomplete_reason)
		/* Without memory the run is still marked; only the reason is lost. */
		r->incomplete_reason = strdup(why ? why : "the run did not finish");
	r->status = VMSC_STATUS_UNKNOWN;
	r->exit_code = 3;
}

void vmsc_result_clear_resolved(struct vmsc_result *r)
{
	for (size_t i = 0; i < r->n_resolved; i++) {
		struct vmsc_resolved *x = &r->resolved[i];

		free(x->vcenter);
		free(x->vm);
		free(x->moid);
		free(x->rule);
		free(x->message);
	}
	free(r->resolved);
	r->resolved = NULL;
	r->n_resolved = 0;
}

/* --- names ---------------------------------------------------------------- */

const char *vmsc_status_name(enum vmsc_status s)
{
	switch (s) {
	case VMSC_STATUS_OK: return "ok";
	case VMSC_STATUS_WARNING: return "warning";
	case VMSC_STATUS_ERROR: return "error";
	case VMSC_STATUS_UNKNOWN: return "unknown";
	case VMSC_STATUS_SKIPPED: return "skipped";
	}
	return "unknown";
}

const char *vmsc_severity_name(enum vmsc_severity s)
{
	return s == VMSC_SEV_ERROR ? "error" : "warning";
}

int vmsc_status_exit_code(enum vmsc_status s)
{
	switch (s) {
	case VMSC_STATUS_OK:
	case VMSC_STATUS_SKIPPED: return 0;
	case VMSC_STATUS_WARNING: return 1;
	case VMSC_STATUS_ERROR: return 2;
	case VMSC_STATUS_UNKNOWN: return 3;
	}
	return 3;
}

/* skipped < ok < warning < error < unknown */
static int status_rank(enum vmsc_status s)
{
	switch (s) {
	case VMSC_STATUS_SKIPPED: return 0;
	case VMSC_STATUS_OK: return 1;
	case VMSC_STATUS_WARNING: return 2;
	case VMSC_STATUS_ERROR: return 3;
	case VMSC_STATUS_UNKNOWN: return 4;
	}
	return 4;
}

enum vmsc_status vmsc_status_worse(enum vmsc_status a, enum vmsc_status b)
{
	return status_rank(b) > status_rank(a) ? b : a;
}

/* --- time ----------------------------------------------------------------- */

/* SOURCE_DATE_EPOCH as in reproducible-builds.org: a decimal count of
 * seconds; an invalid value is ignored. */
static int source_date_epoch(time_t *t)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < 0)
		return -1;
	*t = (time_t)v;
	return 0;
}

time_t vmsc_report_time(void)
{
	time_t t;

	if (source_date_epoch(&t) == 0)
		return t;
	return time(NULL);
}

bool vmsc_report_reproducible(void)
{
	time_t t;

	return source_date_epoch(&t) == 0;
}
