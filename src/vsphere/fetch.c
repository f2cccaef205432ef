/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fetching VMs: scope → ContainerView → RetrievePropertiesEx pages.
 * Each page is turned into facts, handed to the caller and freed before
 * the next one is asked for, so memory follows the page size, not the
 * inventory.  Requests never grow per VM.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "vmsnapcheck/datastores.h"
#include "vmsnapcheck/hash.h"

#define DEFAULT_PAGE 500

/* The TraversalSpec must carry xsi:type, which our header never types (see
 * vim25.h); a default namespace makes the unprefixed QName resolve to
 * urn:vim25, the form vCenter and govmomi both accept. */
static const char view_traversal[] =
	"<vim:selectSet xmlns=\"urn:vim25\" xsi:type=\"TraversalSpec\">"
	"<name>traverseView</name><type>ContainerView</type><path>view</path>"
	"<skip>false</skip></vim:selectSet>";

/* ---- invocations ----------------------------------------------------- */

VMSC_INVOKER(invoke_find, FindByInventoryPath)
VMSC_INVOKER(invoke_create_view, CreateContainerView)
VMSC_INVOKER(invoke_destroy_view, DestroyView)

VMSC_INVOKER(invoke_cancel, CancelRetrievePropertiesEx)

/* ---- scope ----------------------------------------------------------- */

/* Resolves an inventory path to "Type:value" (malloc'd), or NULL + error. */
static char *find_by_path(struct vmsc_vsphere *c, const char *path, const char *what,
			  struct vmsc_error *err)
{
	struct _vim__FindByInventoryPath req = { 0 };
	struct _vim__FindByInventoryPathResponse resp = { 0 };
	char *ref = NULL;

	if (!c->search_index) {
		vmsc_error_set(err, VMSC_E_FAULT, "'%s' has no SearchIndex: cannot resolve %s '%s'",
			       c->opts.host, what, path);
		return NULL;
	}
	req._USCOREthis = vmsc_moref(c->soap, "SearchIndex", c->search_index);
	req.inventoryPath = soap_strdup(c->soap, path);
	if (vmsc_call(c, "FindByInventoryPath", invoke_find, &req, &resp, VMSC_CALL_READ, err) == 0) {
		if (resp.returnval && resp.returnval->__item) {
			/* keep the type: servers look morefs up by type and value */
			if (asprintf(&ref, "%s:%s", resp.returnval->type ? resp.returnval->type : "Folder",
				     resp.returnval->__item) < 0)
				ref = NULL;
		} else {
			vmsc_error_set(err, VMSC_E_NOT_FOUND, "%s '%s' not found at '%s'", what, path,
				       c->opts.host);
		}
	}
	soap_end(c->soap);
	return ref;
}

char *vmsc_resolve_scope(struct vmsc_vsphere *c, const struct vmsc_fetch_spec *s,
			 struct vmsc_error *err)
{
	char *path = NULL, *ref;
	const char *what;
	int n;

	if (s->folder) {
		what = "folder";
		/* a full inventory path ("DC0/vm/prod") or one below the datacenter's vm folder */
		n = s->datacenter ? asprintf(&path, "%s/vm/%s", s->datacenter, s->folder)
				  : asprintf(&path, "%s", s->folder);
	} else if (s->cluster) {
		what = "cluster";
		if (!s->datacenter && !strchr(s->cluster, '/')) {
			vmsc_error_set(err, VMSC_E_USAGE,
				       "--cluster '%s' needs --datacenter (or give DC/host/CLUSTER)",
				       s->cluster);
			return NULL;
		}
		n = s->datacenter ? asprintf(&path, "%s/host/%s", s->datacenter, s->cluster)
				  : asprintf(&path, "%s", s->cluster);
	} else if (s->datacenter) {
		what = "datacenter";
		n = asprintf(&path, "%s", s->datacenter);
	} else {
		if (asprintf(&ref, "Folder:%s", c->root_folder) < 0)
			ref = NULL;
		if (!ref)
			vmsc_error_set(err, VMSC_E_NOMEM, "out of memory");
		return ref;
	}
	if (n < 0) {
		vmsc_error_set(err, VMSC_E_NOMEM, "out of memory");
		return NULL;
	}
	ref = find_by_path(c, path, what, err);
	free(path);
	return ref;
}

/* Request names of the Datastore view, apart in -v counts and the tests. */
#define DS_OP(op) op " (datastores)"

static char *create_view(struct vmsc_vsphere *c, const char *root, const char *of,
			 struct vmsc_error *err)
{
	struct _vim__CreateContainerView req = { 0 };
	struct _vim__CreateContainerViewResponse resp = { 0 };
	char *type = (char *)of;
	char *view = NULL;
	const char *colon = strchr(root, ':');
	char *root_type = strndup(root, colon ? (size_t)(colon - root) : 0);

	if (!root_type || !colon) {
		free(root_type);
		vmsc_error_set(err, VMSC_E_NOMEM, "out of memory");
		return NULL;
	}

	req._USCOREthis = vmsc_moref(c->soap, "ViewManager", c->view_manager);
	req.container = vmsc_moref(c->soap, root_type, colon + 1);
	free(root_type);
	req.__sizetype = 1;
	req.type = &type;
	req.recursive = true_;
	if (vmsc_call(c, strcmp(of, "Datastore") ? "CreateContainerView"
						  : DS_OP("CreateContainerView"),
		      invoke_create_view, &req, &resp, VMSC_CALL_READ, err) == 0) {
		if (resp.returnval && resp.returnval->__item)
			view = strdup(resp.returnval->__item);
		else
			vmsc_error_set(err, VMSC_E_PROTOCOL,
				       "unreadable reply to CreateContainerView from '%s'", c->opts.host);
	}
	soap_end(c->soap);
	return view;
}

static void destroy_view(struct vmsc_vsphere *c, const char *view, const char *op)
{
	struct _vim__DestroyView req = { 0 };
	struct _vim__DestroyViewResponse resp = { 0 };
	struct vmsc_error err;

	if (!view || !c->logged_in)
		return;
	req._USCOREthis = vmsc_moref(c->soap, "ContainerView", view);
	(void)vmsc_call(c, op, invoke_destroy_view, &req, &resp, VMSC_CALL_NO_RELOGIN, &err);
	soap_end(c->soap);
}

static void cancel_retrieve(struct vmsc_vsphere *c, const char *token, const char *op)
{
	struct _vim__CancelRetrievePropertiesEx req = { 0 };
	struct _vim__CancelRetrievePropertiesExResponse resp = { 0 };
	struct vmsc_error err;

	if (!token || !c->logged_in)
		return;
	req._USCOREthis = vmsc_moref(c->soap, "PropertyCollector", c->property_collector);
	req.token = soap_strdup(c->soap, token);
	(void)vmsc_call(c, op, invoke_cancel, &req, &resp, VMSC_CALL_NO_RELOGIN, &err);
	soap_end(c->soap);
}

/* ---- paging ---------------------------------------------------------- */

/* The managed object type a retrieval reads, what its objects are read
 * into (NULL: VM facts) and the names its requests are counted under. */
struct object_kind {
	const char *type;
	const struct vmsc_fact_record *record;
	const char *first_op, *next_op, *cancel_op, *destroy_op;
};

static const struct object_kind vm_kind = {
	"VirtualMachine", NULL, "RetrievePropertiesEx", "ContinueRetrievePropertiesEx",
	"CancelRetrievePropertiesEx", "DestroyView",
};

static const struct object_kind datastore_kind = {
	"Datastore", &vmsc_datastore_fact_record, DS_OP("RetrievePropertiesEx"),
	DS_OP("ContinueRetrievePropertiesEx"), DS_OP("CancelRetrievePropertiesEx"),
	DS_OP("DestroyView"),
};

/* What one retrieval asks: over the view, or over a list of VM morefs. */
struct retrieval {
	const struct object_kind *kind;  /* NULL: VMs */
	const char *view;
	char **vms;
	size_t n_vms;
	const char *const *paths;
	size_t n_paths;
	int page_size;
};

/* Where a retrieval's VMs go: each as it is read, then a flush per page. */
struct sink {
	vmsc_object_fn object;
	int (*flush)(void *ud);
	void *ud;
};

/* One page request, streamed (stream.c); vmsc_call may send it again. */
struct page_call {
	struct vmsc_vsphere *c;
	struct _vim__RetrievePropertiesEx *first; /* NULL: Continue with `token` */
	const char *token;
	const struct sink *sink;
	char *next_token;
	bool no_prefetch;             /* a calibration reads one page, not the next */
};

/* The next page is asked for while this one is still being read. */
static void ask_next(void *ud, const char *token)
{
	struct page_call *pc = ud;

	if (!pc->no_prefetch)
		vmsc_stream_prefetch(pc->c, token);
}

static int recv_first(struct soap *soap)
{
	struct _vim__RetrievePropertiesExResponse resp;

	return soap_recv___vim__RetrievePropertiesEx(soap, &resp);
}

static int recv_next(struct soap *soap)
{
	struct _vim__ContinueRetrievePropertiesExResponse resp;

	return soap_recv___vim__ContinueRetrievePropertiesEx(soap, &resp);
}

static int invoke_page(struct vmsc_vsphere *c, void *req, void *resp)
{
	struct page_call *pc = req;
	int rc;

	(void)resp;
	free(pc->next_token);
	pc->next_token = NULL;
	if (!pc->first) {
		rc = vmsc_stream_take(c, pc->token, "ContinueRetrievePropertiesExResponse",
				      pc->sink->object, pc->sink->ud, &pc->next_token, ask_next, pc,
				      recv_next);
		if (rc != VMSC_SOAP_NO_PREFETCH)
			return rc;
	}
	if (pc->first) {
		rc = soap_send___vim__RetrievePropertiesEx(c->soap, c->opts.url, c->action, pc->first);
	} else {
		struct _vim__ContinueRetrievePropertiesEx next = { 0 };

		next._USCOREthis = vmsc_moref(c->soap, "PropertyCollector", c->property_collector);
		next.token = soap_strdup(c->soap, pc->token);
		rc = soap_send___vim__ContinueRetrievePropertiesEx(c->soap, c->opts.url, c->action,
								   &next);
	}
	if (rc != SOAP_OK)
		return rc;
	return vmsc_stream_receive(c, pc->first ? "RetrievePropertiesExResponse"
						: "ContinueRetrievePropertiesExResponse",
				   pc->sink->object, pc->sink->ud, &pc->next_token, ask_next, pc,
				   pc->first ? recv_first : recv_next);
}

static int send_first(struct vmsc_vsphere *c, const struct retrieval *rq, struct page_call *pc,
		      struct vmsc_error *err)
{
	struct _vim__RetrievePropertiesEx req = { 0 };
	struct vim__PropertyFilterSpec spec = { 0 };
	struct vim__PropertySpec prop = { 0 };
	struct vim__RetrieveOptions opts = { 0 };
	int max = rq->page_size;
	size_t n_obj = rq->view ? 1 : rq->n_vms;
	struct vim__ObjectSpec *objs = soap_malloc(c->soap, n_obj * sizeof(*objs));
	enum xsd__boolean *yes = soap_malloc(c->soap, sizeof(*yes));

	if (!objs || !yes)
		return vmsc_error_set(err, VMSC_E_NOMEM, "out of memory");
	*yes = true_;
	prop.type = (char *)rq->kind->type;
	prop.__sizepathSet = (int)rq->n_paths;
	prop.pathSet = (char **)rq->paths;
	memset(objs, 0, n_obj * sizeof(*objs));
	if (rq->view) {
		objs[0].obj = vmsc_moref(c->soap, "ContainerView", rq->view);
		objs[0].skip = yes;
		objs[0].__any = (char *)view_traversal;
	} else {
		for (size_t i = 0; i < rq->n_vms; i++)
			objs[i].obj = vmsc_moref(c->soap, rq->kind->type, rq->vms[i]);
	}
	spec.__sizepropSet = 1;
	spec.propSet = &prop;
	spec.__sizeobjectSet = (int)n_obj;
	spec.objectSet = objs;
	opts.maxObjects = &max;
	req._USCOREthis = vmsc_moref(c->soap, "PropertyCollector", c->property_collector);
	req.__sizespecSet = 1;
	req.specSet = &spec;
	req.options = &opts;
	pc->first = &req;
	return vmsc_call(c, rq->kind->first_op, invoke_page, pc, NULL,
			 VMSC_CALL_READ | VMSC_CALL_SESSION_BOUND, err);
}

static int send_next(struct vmsc_vsphere *c, const struct retrieval *rq, const char *token,
		     struct page_call *pc, struct vmsc_error *err)
{
	pc->first = NULL;
	pc->token = token;
	return vmsc_call(c, rq->kind->next_op, invoke_page, pc, NULL,
			 VMSC_CALL_READ | VMSC_CALL_SESSION_BOUND, err);
}

/*
 * Runs one paged retrieval to its end.  Returns 0, or -1; *restart says
 * whether the caller should start over (see vmsc_call).
 */
static int retrieve_all(struct vmsc_vsphere *c, const struct retrieval *in, const struct sink *sink,
			enum vmsc_restart *restart, struct vmsc_error *err)
{
	struct page_call pc = { .c = c, .sink = sink };
	struct retrieval with_kind = *in;
	const struct retrieval *rq = &with_kind;
	char *token = NULL;
	int rc = -1;
	bool first = true;

	if (!with_kind.kind)
		with_kind.kind = &vm_kind;
	/* the reader (values.c) and dropped prefetches (stream.c) follow the kind */
	c->read_record = rq->kind->record;
	c->continue_op = rq->kind->next_op;
	*restart = VMSC_RESTART_NONE;
	for (;;) {
		int call = first ? send_first(c, rq, &pc, err) : send_next(c, rq, token, &pc, err);

		first = false;
		if (call < 0) {
			*restart = c->restart;
			goto out;
		}
		free(token);
		token = pc.next_token;
		pc.next_token = NULL;
		/* this page's requests and replies are freed before the next is asked for */
		soap_end(c->soap);
		if (sink->flush && sink->flush(sink->ud) < 0)
			goto out;
		if (!token)
			break;
	}
	rc = 0;
out:
	vmsc_stream_drop(c);
	free(pc.next_token);
	if (token) {
		/* a restart's token is gone with its session, or spent by the cut reply */
		if (rc < 0 && err->code != VMSC_E_NOT_AUTHENTICATED && *restart == VMSC_RESTART_NONE)
			cancel_retrieve(c, token, rq->kind->cancel_op);
		free(token);
	}
	soap_end(c->soap);
	c->read_record = NULL;
	c->continue_op = NULL;
	return rc;
}

/* ---- keyed paths: config.extraConfig["KEY"] --------------------------- */

/*
 * The rules read a few extraConfig keys; a VM carries hundreds, some of
 * them tens of kilobytes (guestinfo.*).  Keyed paths ask for those keys
 * only, but a server that does not understand them faults the request or
 * lists them in every VM's missingSet, which would read as "not set"
 * everywhere: a missed finding.  So before the first keyed fetch, one VM
 * is asked both ways (constant cost): its whole extraConfig (the first VM
 * of the view that has any key, of at most CALIB_VMS), then one of the keys
 * it has, by keyed path.  Only a value back means keyed paths work; a
 * fault, a missingSet or no VM to decide with falls back to the whole
 * property.  VMSNAPCHECK_EXTRA_CONFIG=whole forces the fallback (bench/);
 * =keyed trusts keyed paths without asking (tests that count requests).
 */
#define CALIB_VMS 3

static const struct object_kind calib_kind = {
	"VirtualMachine", NULL, "RetrievePropertiesEx (keyed paths)",
	"ContinueRetrievePropertiesEx (keyed paths)", "CancelRetrievePropertiesEx (keyed paths)",
	"DestroyView",
};

struct calib {
	char *moid;                   /* the VM whose key calib_key is */
};

static int calib_object(void *ud, void *obj)
{
	struct calib *cb = ud;
	struct vmsc_vm_facts *f = obj;

	/* the key (values.c) was read from this VM's extraConfig */
	if (!cb->moid)
		cb->moid = f->moid;
	else
		free(f->moid);
	f->moid = NULL;
	vmsc_vm_facts_release(f);
	return 0;
}

/* One page of a retrieval, no page asked ahead; *token: the rest. */
static int calib_page(struct vmsc_vsphere *c, const struct retrieval *rq, const char *token,
		      const struct sink *sink, char **next, struct vmsc_error *err)
{
	struct page_call pc = { .c = c, .sink = sink, .no_prefetch = true };
	int rc = token ? send_next(c, rq, token, &pc, err) : send_first(c, rq, &pc, err);

	*next = pc.next_token;
	soap_end(c->soap);
	vmsc_stream_drop(c);
	return rc;
}

/* Finds out whether the server answers keyed paths; sets c->keyed. */
static void calibrate(struct vmsc_vsphere *c, const char *view)
{
	static const char *const whole[] = { "config.extraConfig" };
	struct calib cb = { 0 };
	const struct sink sink = { .object = calib_object, .ud = &cb };
	struct retrieval rq = { .kind = &calib_kind, .view = view, .paths = whole, .n_paths = 1,
				.page_size = 1 };
	struct vmsc_error err = { 0 };
	char *token = NULL, *next = NULL, *keyed = NULL;
	const char *why = NULL;
	int rc = 0;

	c->read_record = NULL;
	c->continue_op = calib_kind.next_op;
	c->calib_capture = true;
	free(c->calib_key);
	c->calib_key = NULL;
	for (int i = 0; i < CALIB_VMS && !c->calib_key; i++) {
		free(cb.moid);
		cb.moid = NULL;
		rc = calib_page(c, &rq, token, &sink, &next, &err);
		free(token);
		token = next;
		if (rc < 0 || !token)
			break;
	}
	c->calib_capture = false;
	if (token && rc == 0)
		cancel_retrieve(c, token, calib_kind.cancel_op);
	free(token);
	if (rc < 0) {
		why = err.message;
	} else if (!c->calib_key || !cb.moid) {
		why = "no VM with an advanced setting to try them on";
	} else if (asprintf(&keyed, VMSC_EXTRA_CONFIG "[\"%s\"]", c->calib_key) < 0) {
		keyed = NULL;
		why = "out of memory";
	} else {
		const char *one[] = { keyed };
		struct retrieval kq = { .kind = &calib_kind, .vms = &cb.moid, .n_vms = 1,
					.paths = one, .n_paths = 1, .page_size = 1 };

		c->keyed_values = 0;
		if (calib_page(c, &kq, NULL, &sink, &next, &err) < 0)
			why = err.message;
		else if (c->keyed_values == 0)
			why = "they come back unanswered";
		if (next)
			cancel_retrieve(c, next, calib_kind.cancel_op);
		free(next);
	}
	c->keyed = why ? VMSC_KEYED_NO : VMSC_KEYED_YES;
	c->restart = VMSC_RESTART_NONE;
	c->continue_op = NULL;
	if (why && c->opts.verbose)
		fprintf(stderr, "vmsnapcheck: %s: keyed property paths not answered (%s): "
			"reading the whole config.extraConfig\n", c->opts.name ? c->opts.name : c->opts.host,
			why);
	free(keyed);
	free(cb.moid);
}

/*
 * Rewrites paths[0..*n) for this server: keyed paths go when the whole
 * property is asked anyway (--save-facts) or the server does not answer
 * them, then replaced by the whole property once.
 */
static void settle_keyed(struct vmsc_vsphere *c, const char *view, const char **paths, size_t *n)
{
	bool keyed = false, whole = false;
	size_t k = 0;
	const char *force = getenv("VMSNAPCHECK_EXTRA_CONFIG");

	for (size_t i = 0; i < *n; i++) {
		keyed |= vmsc_keyed_path(paths[i]);
		whole |= !strcmp(paths[i], VMSC_EXTRA_CONFIG);
	}
	if (!keyed)
		return;
	if (!whole && c->keyed == VMSC_KEYED_UNKNOWN) {
		if (force && !strcmp(force, "whole")) {
			c->keyed = VMSC_KEYED_NO;
			if (c->opts.verbose)
				fprintf(stderr, "vmsnapcheck: VMSNAPCHECK_EXTRA_CONFIG=whole: "
					"reading the whole config.extraConfig\n");
		} else if (force && !strcmp(force, "keyed")) {
			c->keyed = VMSC_KEYED_YES;
		} else {
			calibrate(c, view);
		}
	}
	if (!whole && c->keyed == VMSC_KEYED_YES)
		return;
	for (size_t i = 0; i < *n; i++) {
		if (!vmsc_keyed_path(paths[i]))
			paths[k++] = paths[i];
		else if (!whole)
			paths[k++] = VMSC_EXTRA_CONFIG, whole = true;
	}
	*n = k;
}

/* ---- name pass (globs) ----------------------------------------------- */

struct name_pass {
	const struct vmsc_fetch_spec *spec;
	const struct vmsc_map *done;  /* delivered before a restart: not asked again */
	char **matches;
	size_t n, cap;
	struct vmsc_error *err;
};

static int name_object(void *ud, void *obj)
{
	struct name_pass *np = ud;
	struct vmsc_vm_facts *f = obj;
	int rc = 0;

	/* a VM without a readable name is known by its moid, in reports too */
	if (f->moid && !vmsc_map_has(np->done, f->moid) &&
	    np->spec->want(np->spec->want_ud, f->name ? f->name : f->moid)) {
		if (np->n == np->cap) {
			size_t cap = np->cap ? np->cap * 2 : 64;
			char **m = realloc(np->matches, cap * sizeof(*m));

			if (!m) {
				rc = vmsc_error_set(np->err, VMSC_E_NOMEM, "out of memory");
				goto out;
			}
			np->matches = m;
			np->cap = cap;
		}
		np->matches[np->n++] = f->moid;
		f->moid = NULL;
	}
out:
	vmsc_vm_facts_release(f);
	return rc;
}

static void name_pass_release(struct name_pass *np)
{
	for (size_t i = 0; i < np->n; i++)
		free(np->matches[i]);
	free(np->matches);
	np->matches = NULL;
	np->n = np->cap = 0;
}

/* ---- full pass ------------------------------------------------------- */

/* VMs go to the caller in small batches: memory follows the batch, not the page. */
#define BATCH 64

struct full_pass {
	const struct vmsc_fetch_spec *spec;
	vmsc_page_fn fn;
	void *ud;
	struct vmsc_map *done;        /* moids delivered: never reported twice */
	long delivered;
	const char *vcenter;
	struct vmsc_vm_facts batch[BATCH];
	size_t n;
	struct vmsc_error *err;
	const char **skipped;           /* paths the server's API is too old for */
	size_t n_skipped;
};

static void full_drop(struct full_pass *fp)
{
	for (size_t i = 0; i < fp->n; i++)
		vmsc_vm_facts_release(&fp->batch[i]);
	fp->n = 0;
}

static int full_flush(void *ud)
{
	struct full_pass *fp = ud;
	int rc = 0;

	if (!fp->n)
		return 0;
	if (fp->fn(fp->ud, fp->batch, fp->n) != 0) {
		rc = vmsc_error_set(fp->err, VMSC_E_INTERRUPTED, "stopped while reading VMs");
		goto out;
	}
	/* delivered: a restart after re-login must not report them again */
	for (size_t i = 0; i < fp->n; i++)
		if (!vmsc_map_slot(fp->done, fp->batch[i].moid, true)) {
			rc = vmsc_error_set(fp->err, VMSC_E_NOMEM, "out of memory");
			goto out;
		}
	fp->delivered += (long)fp->n;
out:
	full_drop(fp);
	return rc;
}

static int full_object(void *ud, void *obj)
{
	struct full_pass *fp = ud;
	struct vmsc_vm_facts *f = obj;

	/* after a restart, VMs already reported are skipped */
	if (!f->moid || vmsc_map_has(fp->done, f->moid)) {
		vmsc_vm_facts_release(f);
		return 0;
	}
	f->read_at = fp->spec->now;
	if (fp->n_skipped && !f->not_requested) {
		f->not_requested = calloc(fp->n_skipped, sizeof(char *));
		for (size_t i = 0; f->not_requested && i < fp->n_skipped; i++) {
			if (!(f->not_requested[i] = strdup(fp->skipped[i])))
				break;
			f->n_not_requested++;
		}
	}
	if ((fp->n_skipped && f->n_not_requested != fp->n_skipped) ||
	    !(f->vcenter = strdup(fp->vcenter)) || (!f->name && !(f->name = strdup(f->moid)))) {
		vmsc_vm_facts_release(f);
		return vmsc_error_set(fp->err, VMSC_E_NOMEM, "out of memory reading VM properties");
	}
	fp->batch[fp->n++] = *f;
	return fp->n == BATCH ? full_flush(fp) : 0;
}

/* One go at the whole fetch over `view`: the name pass first with globs. */
static int fetch_once(struct vmsc_vsphere *c, const char *view, const struct vmsc_fetch_spec *spec,
		      const char **paths, size_t n_paths, int page, struct name_pass *np,
		      struct full_pass *fp, enum vmsc_restart *restart, struct vmsc_error *err)
{
	const struct sink full_sink = { .object = full_object, .flush = full_flush, .ud = fp };
	const struct sink name_sink = { .object = name_object, .ud = np };
	struct retrieval rq = { .paths = paths, .n_paths = n_paths, .page_size = page };
	static const char *const name_only[] = { "name" };
	struct retrieval nq = { .view = view, .paths = name_only, .n_paths = 1, .page_size = page };

	if (!spec->want) {
		rq.view = view;
		return retrieve_all(c, &rq, &full_sink, restart, err);
	}
	name_pass_release(np);
	if (retrieve_all(c, &nq, &name_sink, restart, err) < 0)
		return -1;
	/* full properties for the matches only, a page of morefs at a time */
	for (size_t off = 0; off < np->n; off += (size_t)page) {
		rq.vms = np->matches + off;
		rq.n_vms = np->n - off < (size_t)page ? np->n - off : (size_t)page;
		if (retrieve_all(c, &rq, &full_sink, restart, err) < 0)
			return -1;
	}
	return 0;
}

/* Re-login once and new connections once: at most two restarts. */
#define MAX_ATTEMPTS 3

/*
 * After a failed attempt: whether to start the retrieval over (a re-login or
 * a new connection, at most MAX_ATTEMPTS tries).  The run will then be
 * complete, so what happened is a notice, not an error; after a re-login the
 * view died with the old session: it is forgotten, not destroyed.
 */
static bool try_again(struct vmsc_vsphere *c, enum vmsc_restart restart, int attempt,
		      char **view, char **root, struct vmsc_error *err)
{
	if (restart == VMSC_RESTART_NONE || attempt == MAX_ATTEMPTS)
		return false;
	if (!c->opts.quiet)
		fprintf(stderr, "vmsnapcheck: %s\n", err->message);
	vmsc_error_clear(err);
	if (restart == VMSC_RESTART_RELOGIN) {
		free(*view);
		free(*root);
		*view = *root = NULL;
	}
	return true;
}

long vmsc_vsphere_fetch_vms(struct vmsc_vsphere *c, const struct vmsc_fetch_spec *spec,
			    vmsc_page_fn fn, void *ud, struct vmsc_error *err)
{
	struct full_pass *fp = calloc(1, sizeof(*fp));
	struct name_pass np = { .spec = spec, .err = err };
	const char **paths = NULL;
	char *root = NULL, *view = NULL;
	int page = spec->page_size > 0 ? spec->page_size : DEFAULT_PAGE;
	long ret = -1;
	size_t k = 1;

	vmsc_error_clear(err);
	/* "name" is always asked, first */
	paths = calloc(spec->n_paths + 1, sizeof(*paths));
	if (fp) {
		fp->done = vmsc_map_new();
		fp->skipped = calloc(spec->n_paths + 1, sizeof(*fp->skipped));
	}
	if (!paths || !fp || !fp->done || !fp->skipped) {
		free(paths);
		if (fp) {
			vmsc_map_free(fp->done, NULL);
			free(fp->skipped);
		}
		free(fp);
		vmsc_error_set(err, VMSC_E_NOMEM, "out of memory");
		return -1;
	}
	paths[0] = "name";
	for (size_t i = 0; i < spec->n_paths; i++) {
		if (!strcmp(spec->paths[i], "name"))
			continue;
		/* an InvalidProperty for every VM otherwise; the rules see it in notRequested */
		if (vmsc_api_older(c->about.api_version, vmsc_property_since(spec->paths[i])))
			fp->skipped[fp->n_skipped++] = spec->paths[i];
		else
			paths[k++] = spec->paths[i];
	}
	fp->spec = spec;
	fp->fn = fn;
	fp->ud = ud;
	fp->vcenter = c->opts.name ? c->opts.name : c->opts.host;
	fp->err = err;
	np.done = fp->done;
	for (int attempt = 1;; attempt++) {
		enum vmsc_restart restart = VMSC_RESTART_NONE;

		/* after a dropped connection the session, and so the view, live on */
		if (!view && (!(root = vmsc_resolve_scope(c, spec, err)) ||
			      !(view = create_view(c, root, "VirtualMachine", err))))
			goto out;
		settle_keyed(c, view, paths, &k);
		if (fetch_once(c, view, spec, paths, k, page, &np, fp, &restart, err) == 0) {
			ret = fp->delivered;
			break;
		}
		if (!try_again(c, restart, attempt, &view, &root, err))
			goto out;
		/* VMs read but not handed over yet are read again */
		full_drop(fp);
	}
out:
	destroy_view(c, view, "DestroyView");
	free(view);
	free(root);
	free(paths);
	name_pass_release(&np);
	full_drop(fp);
	vmsc_map_free(fp->done, NULL);
	free(fp->skipped);
	free(fp);
	return ret;
}

/* ---- the Datastore view (datastore-low-space) ------------------------ */

struct datastore_pass {
	struct vmsc_datastores *table;
	struct vmsc_error *err;
};

static int datastore_object(void *ud, void *obj)
{
	struct datastore_pass *dp = ud;

	/* a datastore read again after a restart replaces the first copy */
	if (vmsc_datastores_add(dp->table, obj) < 0)
		return vmsc_error_set(dp->err, VMSC_E_NOMEM, "out of memory reading datastores");
	return 0;
}

long vmsc_vsphere_fetch_datastores(struct vmsc_vsphere *c, const struct vmsc_fetch_spec *spec,
				   struct vmsc_datastores *table, struct vmsc_error *err)
{
	static const char *const paths[] = {
		"name", "summary.capacity", "summary.freeSpace", "summary.accessible",
	};
	struct datastore_pass dp = { .table = table, .err = err };
	const struct sink sink = { .object = datastore_object, .ud = &dp };
	struct retrieval rq = { .kind = &datastore_kind, .paths = paths,
				.n_paths = sizeof(paths) / sizeof(paths[0]),
				.page_size = spec->page_size > 0 ? spec->page_size : DEFAULT_PAGE };
	/* Datastores live under the datacenter, not under a cluster or a VM
	 * folder: the view is rooted at the datacenter when one is given, else
	 * at the root.  Only those holding the selected VMs' disks are used. */
	struct vmsc_fetch_spec where = { .datacenter = spec->datacenter };
	char *root = NULL, *view = NULL;
	long ret = -1;

	vmsc_error_clear(err);
	for (int attempt = 1;; attempt++) {
		enum vmsc_restart restart = VMSC_RESTART_NONE;

		if (!view && (!(root = vmsc_resolve_scope(c, &where, err)) ||
			      !(view = create_view(c, root, "Datastore", err))))
			goto out;
		rq.view = view;
		if (retrieve_all(c, &rq, &sink, &restart, err) == 0) {
			ret = (long)vmsc_datastores_count(table);
			break;
		}
		if (!try_again(c, restart, attempt, &view, &root, err))
			goto out;
	}
out:
	destroy_view(c, view, datastore_kind.destroy_op);
	free(view);
	free(root);
	return ret;
}
