/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tasks: the quiesced test snapshot (--probe) and the task history behind
 * recent-snapshot-failure.  Task state is polled through the
 * PropertyCollector; history is read in pages from a TaskHistoryCollector.
 * Both keep polymorphic parts (faults, results, reasons) as literal XML.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define HISTORY_PAGE 500
#define POLL_MIN_MS 200
#define POLL_MAX_MS 2000

void vmsc_task_info_release(struct vmsc_task_info *t)
{
	free(t->state);
	free(t->fault);
	free(t->message);
	free(t->result);
	memset(t, 0, sizeof(*t));
}

void vmsc_vsphere_set_interruptible(struct vmsc_vsphere *c, bool on)
{
	static volatile sig_atomic_t never;

	if (on) {
		if (c->saved_interrupted)
			c->opts.interrupted = c->saved_interrupted;
	} else {
		if (c->opts.interrupted != &never)
			c->saved_interrupted = c->opts.interrupted;
		c->opts.interrupted = &never;
		c->tr.interrupted = false;
	}
}

/* ---- invocations ---------------------------------------------------- */

VMSC_INVOKER(invoke_create, CreateSnapshot_USCORETask)
VMSC_INVOKER(invoke_remove, RemoveSnapshot_USCORETask)
VMSC_INVOKER(invoke_cancel, CancelTask)
VMSC_INVOKER(invoke_retrieve, RetrievePropertiesEx)
VMSC_INVOKER(invoke_collector, CreateCollectorForTasks)
VMSC_INVOKER(invoke_read_next, ReadNextTasks)
VMSC_INVOKER(invoke_destroy, DestroyCollector)

static int task_moref_out(struct vmsc_vsphere *c, const struct vim__ManagedObjectReference *m,
			  const char *op, char **task, struct vmsc_error *err)
{
	if (!m || !m->__item)
		return vmsc_error_set(err, VMSC_E_PROTOCOL, "unreadable reply to %s from '%s': no task",
				      op, c->opts.host);
	*task = strdup(m->__item);
	return *task ? 0 : vmsc_error_set(err, VMSC_E_NOMEM, "out of memory");
}

int vmsc_vsphere_create_snapshot(struct vmsc_vsphere *c, const char *vm, const char *name,
				 const char *description, bool quiesce, char **task,
				 struct vmsc_error *err)
{
	struct _vim__CreateSnapshot_USCORETask req = { 0 };
	struct _vim__CreateSnapshot_USCORETaskResponse resp = { 0 };
	int rc;

	req._USCOREthis = vmsc_moref(c->soap, "VirtualMachine", vm);
	req.name = (char *)name;
	req.description = (char *)description;
	req.memory = false_;
	req.quiesce = quiesce ? true_ : false_;
	/* never retried: a second CreateSnapshot_Task would make a second snapshot */
	rc = vmsc_call(c, "CreateSnapshot_Task", invoke_create, &req, &resp, 0, err);
	if (rc == 0)
		rc = task_moref_out(c, resp.returnval, "CreateSnapshot_Task", task, err);
	soap_end(c->soap);
	return rc;
}

int vmsc_vsphere_remove_snapshot(struct vmsc_vsphere *c, const char *snapshot, char **task,
				 struct vmsc_error *err)
{
	struct _vim__RemoveSnapshot_USCORETask req = { 0 };
	struct _vim__RemoveSnapshot_USCORETaskResponse resp = { 0 };
	enum xsd__boolean yes = true_;
	int rc;

	req._USCOREthis = vmsc_moref(c->soap, "VirtualMachineSnapshot", snapshot);
	req.removeChildren = false_;
	req.consolidate = &yes;
	rc = vmsc_call(c, "RemoveSnapshot_Task", invoke_remove, &req, &resp, 0, err);
	if (rc == 0)
		rc = task_moref_out(c, resp.returnval, "RemoveSnapshot_Task", task, err);
	soap_end(c->soap);
	return rc;
}

int vmsc_vsphere_cancel_task(struct vmsc_vsphere *c, const char *task, struct vmsc_error *err)
{
	struct _vim__CancelTask req = { 0 };
	struct _vim__CancelTaskResponse resp = { 0 };
	int rc;

	req._USCOREthis = vmsc_moref(c->soap, "Task", task);
	rc = vmsc_call(c, "CancelTask", invoke_cancel, &req, &resp, 0, err);
	soap_end(c->soap);
	return rc;
}

/* RetrievePropertiesEx for one object; the reply stays in the soap arena
 * until the caller's soap_end(). */
static int retrieve_one(struct vmsc_vsphere *c, const char *type, const char *moid,
			const char *const *paths, int n, struct vim__ObjectContent **oc,
			struct vmsc_error *err)
{
	struct _vim__RetrievePropertiesEx req = { 0 };
	struct _vim__RetrievePropertiesExResponse resp = { 0 };
	struct vim__PropertyFilterSpec spec = { 0 };
	struct vim__PropertySpec prop = { 0 };
	struct vim__ObjectSpec obj = { 0 };
	struct vim__RetrieveOptions opts = { 0 };

	*oc = NULL;
	prop.type = (char *)type;
	prop.__sizepathSet = n;
	prop.pathSet = (char **)paths;
	obj.obj = vmsc_moref(c->soap, type, moid);
	spec.__sizepropSet = 1;
	spec.propSet = &prop;
	spec.__sizeobjectSet = 1;
	spec.objectSet = &obj;
	req._USCOREthis = vmsc_moref(c->soap, "PropertyCollector", c->property_collector);
	req.__sizespecSet = 1;
	req.specSet = &spec;
	req.options = &opts;
	if (vmsc_call(c, "RetrievePropertiesEx", invoke_retrieve, &req, &resp, VMSC_CALL_READ, err) < 0)
		return -1;
	if (resp.returnval && resp.returnval->__sizeobjects > 0)
		*oc = &resp.returnval->objects[0];
	return 0;
}

int vmsc_retrieve_one(struct vmsc_vsphere *c, const char *type, const char *moid,
		      const char *const *paths, int n, struct vim__ObjectContent **oc,
		      struct vmsc_error *err)
{
	return retrieve_one(c, type, moid, paths, n, oc, err);
}

static int lookup_task(struct vmsc_vsphere *c, const char *task, struct vmsc_task_info *info,
		       struct vmsc_error *err)
{
	static const char *const paths[] = { "info.state", "info.error", "info.result",
					     "info.cancelled" };
	struct vim__ObjectContent *oc;
	int rc = -1;

	vmsc_task_info_release(info);
	if (retrieve_one(c, "Task", task, paths, 4, &oc, err) < 0)
		goto out;
	if (!oc) {
		vmsc_error_set(err, VMSC_E_NOT_FOUND, "task '%s' is gone from '%s'", task, c->opts.host);
		goto out;
	}
	for (int i = 0; i < oc->__sizepropSet; i++) {
		const struct vim__DynamicProperty *p = &oc->propSet[i];

		if (!p->name || !p->__any || !*p->__any)
			continue;
		if (!strcmp(p->name, "info.state")) {
			info->state = vmsc_values_scalar(c, p->__any);
		} else if (!strcmp(p->name, "info.result")) {
			info->result = vmsc_values_scalar(c, p->__any);
		} else if (!strcmp(p->name, "info.cancelled")) {
			char *v = vmsc_values_scalar(c, p->__any);

			info->cancelled = v && !strcmp(v, "true");
			free(v);
		} else if (!strcmp(p->name, "info.error")) {
			vmsc_values_read_fault(&c->reader, p->__any, &info->fault, &info->message);
		}
	}
	if (!info->state) {
		vmsc_error_set(err, VMSC_E_PROTOCOL, "task '%s' at '%s' has no state", task,
			       c->opts.host);
		goto out;
	}
	rc = 0;
out:
	soap_end(c->soap);
	return rc;
}

int vmsc_vsphere_wait_task(struct vmsc_vsphere *c, const char *task, time_t deadline,
			   struct vmsc_task_info *info, struct vmsc_error *err)
{
	int delay = POLL_MIN_MS;

	for (;;) {
		if (lookup_task(c, task, info, err) < 0)
			return -1;
		if (!strcmp(info->state, "success") || !strcmp(info->state, "error"))
			return 0;
		if (time(NULL) >= deadline || (c->opts.interrupted && *c->opts.interrupted))
			return 1;
		usleep((useconds_t)delay * 1000);
		delay = delay * 2 > POLL_MAX_MS ? POLL_MAX_MS : delay * 2;
	}
}

int vmsc_vsphere_lookup_snapshots(struct vmsc_vsphere *c, const char *vm, const char *prefix,
				  struct vmsc_snapshot_ref **out, size_t *n, struct vmsc_error *err)
{
	static const char *const paths[] = { "snapshot" };
	struct vim__ObjectContent *oc;
	int rc = -1;

	*out = NULL;
	*n = 0;
	if (retrieve_one(c, "VirtualMachine", vm, paths, 1, &oc, err) < 0)
		goto out;
	rc = 0;
	for (int i = 0; oc && i < oc->__sizepropSet; i++)
		if (oc->propSet[i].name && !strcmp(oc->propSet[i].name, "snapshot") &&
		    oc->propSet[i].__any && *oc->propSet[i].__any &&
		    vmsc_values_read_snapshot_list(c, oc->propSet[i].__any, prefix, out, n) < 0)
			rc = vmsc_error_set(err, VMSC_E_NOMEM, "out of memory");
out:
	soap_end(c->soap);
	return rc;
}

/* ---- what the probe's snapshot achieved --------------------------------- */

/* From the VM up through its parents (folders, the datacenter, ...). */
static const char up_traversal[] =
	"<vim:selectSet xmlns=\"urn:vim25\" xsi:type=\"TraversalSpec\">"
	"<name>up</name><type>ManagedEntity</type><path>parent</path><skip>false</skip>"
	"<selectSet><name>up</name></selectSet></vim:selectSet>";

struct ancestor {
	const char *type, *moid;
	char *name, *parent;
};

void vmsc_snapshot_record_release(struct vmsc_snapshot_record *rec)
{
	free(rec->manifest);
	free(rec->datacenter);
	memset(rec, 0, sizeof(*rec));
}

/* "DC0", or "Folder/DC0" for a datacenter inside folders below the root. */
static char *datacenter_path(struct vmsc_vsphere *c, const struct ancestor *a, int n)
{
	const struct ancestor *dc = NULL, *cur;
	char *path = NULL;

	for (int i = 0; i < n && !dc; i++)
		if (a[i].type && !strcmp(a[i].type, "Datacenter") && a[i].name)
			dc = &a[i];
	if (!dc || !(path = strdup(dc->name)))
		return NULL;
	for (cur = dc; cur->parent && (!c->root_folder || strcmp(cur->parent, c->root_folder));) {
		const struct ancestor *up = NULL;
		char *longer;

		for (int i = 0; i < n && !up; i++)
			if (a[i].moid && !strcmp(a[i].moid, cur->parent) && a[i].name && &a[i] != cur)
				up = &a[i];
		if (!up || asprintf(&longer, "%s/%s", up->name, path) < 0)
			break;
		free(path);
		path = longer;
		cur = up;
		if (strlen(path) > 4096) /* a parent loop would never end */
			break;
	}
	return path;
}

/* backupManifest is documented as relative to the snapshot directory;
 * vCenter is seen to send a full "[ds] path" too. */
static char *manifest_path(const char *manifest, const char *snapdir)
{
	char *full;

	if (manifest[0] == '[' || !snapdir || !*snapdir)
		return strdup(manifest);
	if (asprintf(&full, "%s%s%s", snapdir, snapdir[strlen(snapdir) - 1] == '/' ? "" : "/",
		     manifest) < 0)
		return NULL;
	return full;
}

int vmsc_vsphere_lookup_snapshot_record(struct vmsc_vsphere *c, const char *vm,
					const char *snapshot, struct vmsc_snapshot_record *rec,
					struct vmsc_error *err)
{
	static const char *vm_paths[] = { "snapshot", "config.files.snapshotDirectory" };
	static const char *up_paths[] = { "name", "parent" };
	struct _vim__RetrievePropertiesEx req = { 0 };
	struct _vim__RetrievePropertiesExResponse resp = { 0 };
	struct vim__PropertyFilterSpec spec = { 0 };
	struct vim__PropertySpec props[3] = {
		{ .type = "VirtualMachine", .__sizepathSet = 2, .pathSet = (char **)vm_paths },
		{ .type = "Folder", .__sizepathSet = 2, .pathSet = (char **)up_paths },
		{ .type = "Datacenter", .__sizepathSet = 2, .pathSet = (char **)up_paths },
	};
	struct vim__ObjectSpec obj = { 0 };
	struct vim__RetrieveOptions opts = { 0 };
	struct ancestor *anc = NULL;
	char *snapdir = NULL, *manifest = NULL;
	int n_anc = 0, rc = -1;

	memset(rec, 0, sizeof(*rec));
	obj.obj = vmsc_moref(c->soap, "VirtualMachine", vm);
	obj.__any = (char *)up_traversal;
	spec.__sizepropSet = 3;
	spec.propSet = props;
	spec.__sizeobjectSet = 1;
	spec.objectSet = &obj;
	req._USCOREthis = vmsc_moref(c->soap, "PropertyCollector", c->property_collector);
	req.__sizespecSet = 1;
	req.specSet = &spec;
	req.options = &opts;
	if (vmsc_call(c, "RetrievePropertiesEx", invoke_retrieve, &req, &resp, VMSC_CALL_READ, err) < 0)
		goto out;
	if (resp.returnval && resp.returnval->__sizeobjects > 0 &&
	    !(anc = calloc((size_t)resp.returnval->__sizeobjects, sizeof(*anc)))) {
		vmsc_error_set(err, VMSC_E_NOMEM, "out of memory");
		goto out;
	}
	for (int i = 0; resp.returnval && i < resp.returnval->__sizeobjects; i++) {
		const struct vim__ObjectContent *oc = &resp.returnval->objects[i];
		bool is_vm = oc->obj && oc->obj->type && !strcmp(oc->obj->type, "VirtualMachine");
		struct ancestor *a = &anc[n_anc++];

		a->type = oc->obj ? oc->obj->type : NULL;
		a->moid = oc->obj ? oc->obj->__item : NULL;
		for (int j = 0; j < oc->__sizepropSet; j++) {
			const struct vim__DynamicProperty *p = &oc->propSet[j];
			char **dst = NULL;

			if (!p->name || !p->__any || !*p->__any)
				continue;
			if (is_vm && !strcmp(p->name, "snapshot")) {
				if (vmsc_values_read_snapshot_record(c, p->__any, snapshot, rec) < 0) {
					vmsc_error_set(err, VMSC_E_NOMEM, "out of memory");
					goto out;
				}
				continue;
			}
			if (is_vm && !strcmp(p->name, "config.files.snapshotDirectory"))
				dst = &snapdir;
			else if (!is_vm && !strcmp(p->name, "name"))
				dst = &a->name;
			else if (!is_vm && !strcmp(p->name, "parent"))
				dst = &a->parent;
			if (dst) {
				free(*dst);
				*dst = vmsc_values_scalar(c, p->__any);
			}
		}
	}
	rec->datacenter = datacenter_path(c, anc, n_anc);
	if (rec->manifest && *rec->manifest) {
		manifest = manifest_path(rec->manifest, snapdir);
		free(rec->manifest);
		rec->manifest = manifest;
	} else {
		free(rec->manifest);
		rec->manifest = NULL;
	}
	rc = 0;
out:
	for (int i = 0; i < n_anc; i++) {
		free(anc[i].name);
		free(anc[i].parent);
	}
	free(anc);
	free(snapdir);
	soap_end(c->soap);
	if (rc < 0)
		vmsc_snapshot_record_release(rec);
	return rc;
}

void vmsc_snapshot_refs_free(struct vmsc_snapshot_ref *refs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(refs[i].moref);
		free(refs[i].name);
	}
	free(refs);
}

/* ---- custom attribute definitions ---------------------------------------- */

int vmsc_vsphere_read_custom_fields(struct vmsc_vsphere *c, struct vmsc_error *err)
{
	static const char *const paths[] = { "field" };
	struct vim__ObjectContent *oc;
	int rc = -1;

	if (c->custom_fields_read)
		return 0;
	if (!c->custom_fields_manager)
		return vmsc_error_set(err, VMSC_E_FAULT, "'%s' has no CustomFieldsManager: "
				      "NotSupported", c->opts.host);
	if (retrieve_one(c, "CustomFieldsManager", c->custom_fields_manager, paths, 1, &oc,
			 err) < 0)
		goto out;
	rc = 0;
	for (int i = 0; oc && i < oc->__sizepropSet; i++)
		if (oc->propSet[i].name && !strcmp(oc->propSet[i].name, "field") &&
		    oc->propSet[i].__any && *oc->propSet[i].__any &&
		    vmsc_values_read_custom_fields(c, oc->propSet[i].__any) < 0)
			rc = vmsc_error_set(err, VMSC_E_NOMEM, "out of memory");
	c->custom_fields_read = rc == 0;
out:
	soap_end(c->soap);
	return rc;
}

bool vmsc_vsphere_has_custom_field(const struct vmsc_vsphere *c, const char *name)
{
	for (size_t i = 0; name && i < c->n_custom_fields; i++)
		if (!strcmp(c->custom_fields[i].name, name))
			return true;
	return false;
}

/* ---- history --------------------------------------------------------- */

static char *format_time(time_t t)
{
	struct tm tm;
	char buf[32];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return strdup(buf);
}

static void destroy_collector(struct vmsc_vsphere *c, const char *collector)
{
	struct _vim__DestroyCollector req = { 0 };
	struct _vim__DestroyCollectorResponse resp = { 0 };
	struct vmsc_error err;

	req._USCOREthis = vmsc_moref(c->soap, "TaskHistoryCollector", collector);
	(void)vmsc_call(c, "DestroyCollector", invoke_destroy, &req, &resp, VMSC_CALL_NO_RELOGIN, &err);
	soap_end(c->soap);
}

int vmsc_vsphere_read_task_history(struct vmsc_vsphere *c, const struct vmsc_fetch_spec *spec,
				   time_t since, vmsc_task_fn fn, void *ud, struct vmsc_error *err)
{
	struct _vim__CreateCollectorForTasks creq = { 0 };
	struct _vim__CreateCollectorForTasksResponse cresp = { 0 };
	struct vim__TaskFilterSpec filter = { 0 };
	struct vim__TaskFilterSpecByEntity by_entity = { 0 };
	struct vim__TaskFilterSpecByTime by_time = { 0 };
	char *states[] = { "success", "error" };
	char *root = NULL, *begin = NULL, *collector = NULL;
	const char *colon;
	int rc = -1;

	if (!c->task_manager)
		return vmsc_error_set(err, VMSC_E_FAULT, "'%s' has no TaskManager: NotSupported",
				      c->opts.host);
	root = vmsc_resolve_scope(c, spec, err);
	begin = format_time(since);
	if (!root || !begin)
		goto out;
	colon = strchr(root, ':');
	*(char *)colon = '\0';
	by_entity.entity = vmsc_moref(c->soap, root, colon + 1);
	by_entity.recursion = "all";
	by_time.timeType = "queuedTime";
	by_time.beginTime = begin;
	filter.entity = &by_entity;
	filter.time = &by_time;
	filter.__sizestate = 2;
	filter.state = states;
	creq._USCOREthis = vmsc_moref(c->soap, "TaskManager", c->task_manager);
	creq.filter = &filter;
	if (vmsc_call(c, "CreateCollectorForTasks", invoke_collector, &creq, &cresp, VMSC_CALL_READ,
		      err) < 0)
		goto out;
	if (!cresp.returnval || !cresp.returnval->__item ||
	    !(collector = strdup(cresp.returnval->__item))) {
		vmsc_error_set(err, VMSC_E_PROTOCOL, "unreadable reply to CreateCollectorForTasks");
		goto out;
	}
	soap_end(c->soap);
	for (;;) {
		struct _vim__ReadNextTasks req = { 0 };
		struct _vim__ReadNextTasksResponse resp = { 0 };

		req._USCOREthis = vmsc_moref(c->soap, "TaskHistoryCollector", collector);
		req.maxCount = HISTORY_PAGE;
		if (vmsc_call(c, "ReadNextTasks", invoke_read_next, &req, &resp, VMSC_CALL_READ, err) < 0)
			goto out;
		if (resp.__sizereturnval == 0)
			break;
		for (int i = 0; i < resp.__sizereturnval; i++)
			if (resp.returnval[i] && vmsc_values_read_task(c, resp.returnval[i], fn, ud) < 0) {
				vmsc_error_set(err, VMSC_E_INTERRUPTED, "stopped reading task history");
				goto out;
			}
		soap_end(c->soap);
	}
	rc = 0;
out:
	soap_end(c->soap);
	if (collector)
		destroy_collector(c, collector);
	free(collector);
	free(begin);
	free(root);
	return rc;
}
