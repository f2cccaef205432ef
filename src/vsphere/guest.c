/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest Operations (--guest; docs/guest.md, design.md "Guest operations"):
 * what runs inside a guest through VMware Tools, read-only first.  The
 * managers are found through GuestOperationsManager's properties.  Requests
 * are literal XML after _this (vim25.h says why); the guest password is in
 * them only for the call and wiped after it.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "internal.h"
#include "vmsnapcheck/guest.h"

#define NS "xmlns=\"urn:vim25\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
#define MAX_OUTPUT (4u * 1024 * 1024)

struct gctx {
	struct vmsc_vsphere *c;
	const char *vm;
	const char *user;
	const char *password;
	char *auth;                   /* literal <vm/><auth/>, wiped and freed at the end */
	time_t deadline;
	/* the ESXi host serving this VM's file transfers, looked up once */
	bool host_known;
	char *host_thumbprint;        /* its summary.config.sslThumbprint, NULL if none */
	bool host_failed;             /* a transfer from it failed: err says why */
	struct vmsc_error *err;
};

static char *xml_escape(const char *s)
{
	size_t n = 0;
	char *out, *o;

	for (const char *p = s; *p; p++)
		n += *p == '&' ? 5 : (*p == '<' || *p == '>') ? 4 : *p == '"' ? 6 : 1;
	out = o = malloc(n + 1);
	if (!out)
		return NULL;
	for (; *s; s++) {
		switch (*s) {
		case '&': o = stpcpy(o, "&amp;"); break;
		case '<': o = stpcpy(o, "&lt;"); break;
		case '>': o = stpcpy(o, "&gt;"); break;
		case '"': o = stpcpy(o, "&quot;"); break;
		default: *o++ = *s;
		}
	}
	*o = '\0';
	return out;
}

/*
 * A string holding the guest password, in one buffer of its exact size:
 * vasprintf() grows its buffer by malloc, copy and free, and the freed
 * blocks would keep pieces of the password (nothing wipes them).
 */
static char *print_secret(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *print_secret(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !(s = malloc((size_t)n + 1)))
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* ---- calls -------------------------------------------------------------- */

#define INVOKER(op)                                                                     \
	static int invoke_##op(struct vmsc_vsphere *c, void *req, void *resp)          \
	{                                                                               \
		return soap_call___vim__##op(c->soap, c->opts.url, c->action, req, resp); \
	}
INVOKER(ValidateCredentialsInGuest)
INVOKER(ListRegistryValuesInGuest)
INVOKER(ListRegistryKeysInGuest)
INVOKER(InitiateFileTransferFromGuest)
INVOKER(CreateTemporaryFileInGuest)
INVOKER(DeleteFileInGuest)
INVOKER(StartProgramInGuest)
INVOKER(ListProcessesInGuest)
INVOKER(TerminateProcessInGuest)
INVOKER(ListFilesInGuest)

/* One guest op on manager `mgr`: body = auth + params.  Replies stay in the
 * soap arena until the caller's soap_end. */
static int guest_call(struct gctx *g, const char *op, vmsc_invoke_fn fn, const char *mgr_type,
		      const char *mgr, const char *params, struct _vim__GuestOpResponse *resp)
{
	struct _vim__GuestOp req = { 0 };
	char *body = NULL;
	int rc;

	memset(resp, 0, sizeof(*resp));
	if (!(body = print_secret("%s%s", g->auth, params ? params : "")))
		return vmsc_error_nomem(g->err);
	req._USCOREthis = vmsc_moref(g->c->soap, mgr_type, mgr);
	req.__any = body;
	rc = vmsc_call(g->c, op, fn, &req, resp, 0, g->err);
	/* the reply is parsed from the soap arena, not from soap->buf */
	vmsc_wipe_sent(g->c->soap);
	explicit_bzero(body, strlen(body));
	free(body);
	return rc;
}

/* The vim25 fault type of the last failed call ("" when it was no fault):
 * map_fault puts it in err->fault. */
static void fault_type(const struct vmsc_error *err, const char *op, char *out, size_t size)
{
	(void)op;
	snprintf(out, size, "%s", err->fault);
}

/* ---- literal XML replies ------------------------------------------------- */

/* A returnval as gSOAP keeps it: the element's content, which is text
 * (a path, a pid) or several sibling elements, so it is parsed inside a
 * wrapper element <r>; the document's root is that wrapper. */
static xmlDocPtr parse_fragment(const char *xml)
{
	char *wrapped = NULL;
	xmlDocPtr d;

	if (!xml || asprintf(&wrapped, "<r xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
				       "%s</r>", xml) < 0)
		return NULL;
	d = xmlReadMemory(wrapped, (int)strlen(wrapped), "reply.xml", NULL,
			  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	free(wrapped);
	return d;
}

/* First descendant element with this local name (depth first). */
static xmlNodePtr find(xmlNodePtr n, const char *name)
{
	for (; n; n = n->next) {
		xmlNodePtr hit;

		if (n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name))
			return n;
		if ((hit = find(n->children, name)))
			return hit;
	}
	return NULL;
}

static char *text_of(xmlNodePtr n)
{
	xmlChar *t = n ? xmlNodeGetContent(n) : NULL;
	char *s = t ? strdup((const char *)t) : NULL;

	xmlFree(t);
	return s;
}

/* ---- managers ------------------------------------------------------------ */

struct managers {
	char *auth, *file, *process, *registry;
};

static void managers_release(struct managers *m)
{
	free(m->auth);
	free(m->file);
	free(m->process);
	free(m->registry);
}

static int find_managers(struct vmsc_vsphere *c, struct managers *m, struct vmsc_error *err)
{
	static const char *const paths[] = { "authManager", "fileManager", "processManager",
					     "guestWindowsRegistryManager" };
	struct vim__ObjectContent *oc;
	int rc = -1;

	if (!c->guest_operations_manager)
		return vmsc_error_set(err, VMSC_E_FAULT, "'%s' has no GuestOperationsManager: "
				      "guest operations are not supported there", c->opts.host);
	if (vmsc_retrieve_one(c, "GuestOperationsManager", c->guest_operations_manager, paths, 4,
			      &oc, err) < 0)
		goto out;
	for (int i = 0; oc && i < oc->__sizepropSet; i++) {
		const struct vim__DynamicProperty *p = &oc->propSet[i];
		char **slot = NULL;
		xmlDocPtr d;

		if (!p->name || !p->__any)
			continue;
		if (!strcmp(p->name, "authManager"))
			slot = &m->auth;
		else if (!strcmp(p->name, "fileManager"))
			slot = &m->file;
		else if (!strcmp(p->name, "processManager"))
			slot = &m->process;
		else if (!strcmp(p->name, "guestWindowsRegistryManager"))
			slot = &m->registry;
		if (!slot || !(d = parse_fragment(p->__any)))
			continue;
		free(*slot);
		*slot = text_of(xmlDocGetRootElement(d));
		xmlFreeDoc(d);
	}
	rc = 0;
	if (!m->auth || !m->file || !m->process)
		rc = vmsc_error_set(err, VMSC_E_FAULT, "'%s' did not name the guest managers",
				    c->opts.host);
out:
	soap_end(c->soap);
	return rc;
}

/* ---- file transfer ------------------------------------------------------- */

/* A transfer URL names host "*" (https://HOST:443/guestFile?id=.. with HOST = *):
 * that is the host:port we are connected to. */
static char *transfer_url(struct vmsc_vsphere *c, const char *url)
{
	const char *star = strstr(url, "://*");
	const char *scheme_end = strstr(c->opts.url, "://");
	const char *host, *host_end, *rest;
	char *out = NULL;

	if (!star || !scheme_end)
		return strdup(url);
	host = scheme_end + 3;
	host_end = host + strcspn(host, "/");
	rest = star + 4;
	/* keep the server's port only when the URL gives none */
	if (*rest == ':') {
		const char *colon = memrchr(host, ':', (size_t)(host_end - host));

		if (colon && !memchr(colon, ']', (size_t)(host_end - colon)))
			host_end = colon;
	}
	if (asprintf(&out, "%.*s://%.*s%s", (int)(star - url), url, (int)(host_end - host), host,
		     rest) < 0)
		return NULL;
	return out;
}

/* One scalar property of one object; *out NULL when the server has none. */
static int read_scalar(struct gctx *g, const char *type, const char *moid, const char *path,
		       char **out)
{
	const char *paths[] = { path };
	struct vim__ObjectContent *oc;
	int rc;

	*out = NULL;
	rc = vmsc_retrieve_one(g->c, type, moid, paths, 1, &oc, g->err);
	for (int i = 0; rc == 0 && oc && i < oc->__sizepropSet; i++)
		if (oc->propSet[i].name && !strcmp(oc->propSet[i].name, path) &&
		    oc->propSet[i].__any && !(*out = vmsc_values_scalar(g->c, oc->propSet[i].__any)))
			rc = vmsc_error_nomem(g->err);
	soap_end(g->c->soap);
	if (*out && !**out) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

/*
 * The thumbprint vCenter reports for the host that runs the VM: two reads,
 * once per VM and only when its transfers go to a host (with -k, never).
 * A user who may not read the host gets none: CA trust is then the only
 * way, and the TLS message says vCenter reported none.
 */
static int host_thumbprint(struct gctx *g)
{
	char *host = NULL;
	int rc = 0;

	if (g->host_known || g->c->opts.insecure)
		return 0;
	g->host_known = true;
	if (read_scalar(g, "VirtualMachine", g->vm, "runtime.host", &host) < 0 ||
	    (host && read_scalar(g, "HostSystem", host, "summary.config.sslThumbprint",
				 &g->host_thumbprint) < 0)) {
		if (g->err->code == VMSC_E_NOMEM || g->err->code == VMSC_E_INTERRUPTED)
			rc = -1;
		else
			vmsc_error_clear(g->err);
	}
	free(host);
	return rc;
}

/* InitiateFileTransferFromGuest + GET.  1 = no such file (FileNotFound). */
static int fetch_file(struct gctx *g, const struct managers *m, const char *path, char **text)
{
	struct _vim__GuestOpResponse resp;
	char *ep = xml_escape(path), *params = NULL, *url = NULL, *full = NULL, *esx = NULL;
	unsigned char *data = NULL;
	size_t len = 0;
	xmlDocPtr d = NULL;
	int rc = -1;

	*text = NULL;
	if (!ep || asprintf(&params, "<guestFilePath " NS ">%s</guestFilePath>", ep) < 0) {
		params = NULL;
		vmsc_error_nomem(g->err);
		goto out;
	}
	if (guest_call(g, "InitiateFileTransferFromGuest", invoke_InitiateFileTransferFromGuest,
		       "GuestFileManager", m->file, params, &resp) < 0) {
		char type[64];

		fault_type(g->err, "InitiateFileTransferFromGuest", type, sizeof(type));
		if (!strcmp(type, "FileNotFound"))
			rc = 1;
		goto out;
	}
	if (resp.__sizereturnval > 0 && (d = parse_fragment(resp.returnval[0])))
		url = text_of(find(xmlDocGetRootElement(d), "url"));
	if (!url) {
		vmsc_error_set(g->err, VMSC_E_PROTOCOL, "'%s' gave no URL for %s", g->c->opts.host,
			       path);
		goto out;
	}
	full = transfer_url(g->c, url);
	if (!full) {
		vmsc_error_nomem(g->err);
		goto out;
	}
	esx = vmsc_url_other_host(full, g->c->opts.url);
	if (esx && host_thumbprint(g) < 0)
		goto out;
	if (vmsc_vsphere_download_url(g->c, full, esx, g->host_thumbprint, g->deadline, MAX_OUTPUT,
				      &data, &len, g->err) < 0) {
		g->host_failed = esx != NULL;
		goto out;
	}
	*text = vmsc_guest_text_utf8((const char *)data, len);
	rc = *text ? 0 : vmsc_error_nomem(g->err);
out:
	soap_end(g->c->soap);
	if (d)
		xmlFreeDoc(d);
	free(data);
	free(esx);
	free(full);
	free(url);
	free(params);
	free(ep);
	return rc;
}

/* ---- registry ------------------------------------------------------------ */

#define SERVICES "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\"

/* Values of one key: calls fn(name, value) for each.  1 = no such key. */
static int reg_values(struct gctx *g, const struct managers *m, const char *key,
		      int (*fn)(void *ud, const char *name, const char *value), void *ud)
{
	struct _vim__GuestOpResponse resp;
	char *ek = xml_escape(key), *params = NULL;
	int rc = -1;

	if (!ek || asprintf(&params,
			    "<keyName " NS "><registryPath>%s</registryPath>"
			    "<wowBitness>WOWNative</wowBitness></keyName>"
			    "<expandStrings " NS ">false</expandStrings>", ek) < 0) {
		params = NULL;
		vmsc_error_nomem(g->err);
		goto out;
	}
	if (guest_call(g, "ListRegistryValuesInGuest", invoke_ListRegistryValuesInGuest,
		       "GuestWindowsRegistryManager", m->registry, params, &resp) < 0) {
		char type[64];

		fault_type(g->err, "ListRegistryValuesInGuest", type, sizeof(type));
		if (!strcmp(type, "GuestRegistryKeyInvalid"))
			rc = 1;
		goto out;
	}
	rc = 0;
	for (int i = 0; i < resp.__sizereturnval && rc == 0; i++) {
		xmlDocPtr d = parse_fragment(resp.returnval[i]);
		xmlNodePtr root = d ? xmlDocGetRootElement(d) : NULL;
		xmlNodePtr nm = root ? find(root->children, "name") : NULL;
		xmlNodePtr inner = nm ? find(nm->children, "name") : NULL;
		xmlNodePtr data = root ? find(root->children, "data") : NULL;
		char *name = inner ? text_of(inner) : strdup("");
		char *value = data ? text_of(find(data->children, "value")) : NULL;

		if (name && fn(ud, name, value) < 0)
			rc = vmsc_error_nomem(g->err);
		free(name);
		free(value);
		if (d)
			xmlFreeDoc(d);
	}
out:
	soap_end(g->c->soap);
	free(params);
	free(ek);
	return rc;
}

struct one_value {
	const char *want;
	char *value;
};

static int take_value(void *ud, const char *name, const char *value)
{
	struct one_value *v = ud;

	if (!strcasecmp(name, v->want) && !v->value && value)
		return (v->value = strdup(value)) ? 0 : -1;
	return 0;
}

static int read_services(struct gctx *g, const struct managers *m, struct vmsc_guest_facts *f)
{
	for (int s = 0; s < VMSC_GUEST_N_SVC; s++) {
		struct one_value v = { .want = "Start" };
		char key[256];
		int rc;

		snprintf(key, sizeof(key), SERVICES "%s", vmsc_guest_service_key(s));
		rc = reg_values(g, m, key, take_value, &v);
		if (rc < 0)
			return -1;
		if (rc == 1)
			f->start[s] = VMSC_GUEST_START_MISSING;
		else if (v.value)
			f->start[s] = atoi(v.value);
		free(v.value);
	}
	return 0;
}

static int read_providers(struct gctx *g, const struct managers *m, struct vmsc_guest_facts *f)
{
	struct _vim__GuestOpResponse resp;
	static const char params[] =
		"<keyName " NS "><registryPath>" SERVICES "VSS\\Providers</registryPath>"
		"<wowBitness>WOWNative</wowBitness></keyName>"
		"<recursive " NS ">false</recursive>";
	char **keys = NULL;
	int n = 0, rc = -1;

	if (guest_call(g, "ListRegistryKeysInGuest", invoke_ListRegistryKeysInGuest,
		       "GuestWindowsRegistryManager", m->registry, params, &resp) < 0) {
		char type[64];

		fault_type(g->err, "ListRegistryKeysInGuest", type, sizeof(type));
		soap_end(g->c->soap);
		return !strcmp(type, "GuestRegistryKeyInvalid") ? 0 : -1;
	}
	keys = calloc((size_t)resp.__sizereturnval + 1, sizeof(*keys));
	for (int i = 0; keys && i < resp.__sizereturnval; i++) {
		xmlDocPtr d = parse_fragment(resp.returnval[i]);

		if (d) {
			char *p = text_of(find(xmlDocGetRootElement(d), "registryPath"));

			if (p)
				keys[n++] = p;
			xmlFreeDoc(d);
		}
	}
	soap_end(g->c->soap);
	if (!keys)
		return vmsc_error_nomem(g->err);
	for (int i = 0; i < n; i++) {
		struct one_value v = { .want = "" };
		const char *leaf = strrchr(keys[i], '\\');

		if (reg_values(g, m, keys[i], take_value, &v) < 0) {
			free(v.value);
			goto out;
		}
		if (vmsc_guest_add_provider(f, leaf ? leaf + 1 : keys[i], v.value) < 0) {
			free(v.value);
			vmsc_error_nomem(g->err);
			goto out;
		}
		free(v.value);
	}
	f->providers_read = true;
	rc = 0;
out:
	for (int i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	return rc;
}

/* ---- commands (Windows) -------------------------------------------------- */

static int temp_file(struct gctx *g, const struct managers *m, const char *suffix, char **path)
{
	struct _vim__GuestOpResponse resp;
	char params[256];
	int rc = -1;

	*path = NULL;
	snprintf(params, sizeof(params),
		 "<prefix " NS ">vmsnapcheck-</prefix><suffix " NS ">%s</suffix>", suffix);
	if (guest_call(g, "CreateTemporaryFileInGuest", invoke_CreateTemporaryFileInGuest,
		       "GuestFileManager", m->file, params, &resp) == 0 && resp.__sizereturnval > 0) {
		xmlDocPtr d = parse_fragment(resp.returnval[0]);

		*path = d ? text_of(xmlDocGetRootElement(d)) : NULL;
		if (d)
			xmlFreeDoc(d);
		rc = *path ? 0 : vmsc_error_nomem(g->err);
	}
	soap_end(g->c->soap);
	return rc;
}

static void delete_file(struct gctx *g, const struct managers *m, const char *path)
{
	struct _vim__GuestOpResponse resp;
	/* clean-up never replaces the error that made us clean up */
	struct vmsc_error *caller = g->err, ignored = { 0 };
	char *ep = path ? xml_escape(path) : NULL, *params = NULL;

	if (ep && asprintf(&params, "<filePath " NS ">%s</filePath>", ep) >= 0) {
		g->err = &ignored;
		(void)guest_call(g, "DeleteFileInGuest", invoke_DeleteFileInGuest,
				 "GuestFileManager", m->file, params, &resp);
		soap_end(g->c->soap);
		free(params);
	}
	g->err = caller;
	free(ep);
}

/* Whether the process has ended (1), runs (0), or the call failed (-1). */
static int process_ended(struct gctx *g, const struct managers *m, long pid, int *exit_code)
{
	struct _vim__GuestOpResponse resp;
	char params[128];
	int rc = -1;

	snprintf(params, sizeof(params), "<pids " NS ">%ld</pids>", pid);
	if (guest_call(g, "ListProcessesInGuest", invoke_ListProcessesInGuest,
		       "GuestProcessManager", m->process, params, &resp) == 0) {
		rc = 0;
		if (resp.__sizereturnval > 0) {
			xmlDocPtr d = parse_fragment(resp.returnval[0]);
			xmlNodePtr root = d ? xmlDocGetRootElement(d) : NULL;

			if (root && find(root->children, "endTime")) {
				char *x = text_of(find(root->children, "exitCode"));

				*exit_code = x ? atoi(x) : -1;
				free(x);
				rc = 1;
			}
			if (d)
				xmlFreeDoc(d);
		}
	}
	soap_end(g->c->soap);
	return rc;
}

static void terminate(struct gctx *g, const struct managers *m, long pid)
{
	struct _vim__GuestOpResponse resp;
	struct vmsc_error *caller = g->err, ignored = { 0 };
	char params[128];

	snprintf(params, sizeof(params), "<pid " NS ">%ld</pid>", pid);
	g->err = &ignored;
	(void)guest_call(g, "TerminateProcessInGuest", invoke_TerminateProcessInGuest,
			 "GuestProcessManager", m->process, params, &resp);
	soap_end(g->c->soap);
	g->err = caller;
}

/*
 * Runs `command` through cmd.exe with stdout/stderr in two temporary files,
 * polls until it ends (from the start: Tools keep the exit code only
 * minutes), fetches both, and deletes both whatever happened.  0 with *out
 * (UTF-8), 2 on timeout, -1 on error.
 */
static int run_command(struct gctx *g, const struct managers *m, const char *command, char **out,
		       int *exit_code)
{
	struct _vim__GuestOpResponse resp;
	char *fout = NULL, *ferr = NULL, *args = NULL, *eargs = NULL, *params = NULL, *errtext = NULL;
	long pid = -1;
	int rc = -1, ended = 0;

	*out = NULL;
	if (temp_file(g, m, ".out", &fout) < 0 || temp_file(g, m, ".err", &ferr) < 0)
		goto out;
	if (asprintf(&args, "/c %s 1> \"%s\" 2> \"%s\"", command, fout, ferr) < 0) {
		args = NULL;
		vmsc_error_nomem(g->err);
		goto out;
	}
	eargs = xml_escape(args);
	if (!eargs || asprintf(&params,
			       "<spec " NS " xsi:type=\"GuestProgramSpec\">"
			       "<programPath>C:\\Windows\\System32\\cmd.exe</programPath>"
			       "<arguments>%s</arguments></spec>", eargs) < 0) {
		params = NULL;
		vmsc_error_nomem(g->err);
		goto out;
	}
	if (guest_call(g, "StartProgramInGuest", invoke_StartProgramInGuest, "GuestProcessManager",
		       m->process, params, &resp) == 0 && resp.__sizereturnval > 0) {
		xmlDocPtr d = parse_fragment(resp.returnval[0]);
		char *p = d ? text_of(xmlDocGetRootElement(d)) : NULL;

		pid = p ? atol(p) : -1;
		free(p);
		if (d)
			xmlFreeDoc(d);
	}
	soap_end(g->c->soap);
	if (pid < 0)
		goto out;
	while ((ended = process_ended(g, m, pid, exit_code)) == 0) {
		struct timespec pause = { 0, 500000000 };

		if (time(NULL) >= g->deadline) {
			terminate(g, m, pid);
			rc = 2;
			goto out;
		}
		nanosleep(&pause, NULL);
	}
	if (ended < 0)
		goto out;
	rc = fetch_file(g, m, fout, out);
	if (rc == 0)
		(void)fetch_file(g, m, ferr, &errtext);
	if (rc == 1)
		rc = -1;
out:
	/* always: also after a timeout or a failed fetch */
	if (fout)
		delete_file(g, m, fout);
	if (ferr)
		delete_file(g, m, ferr);
	free(errtext);
	free(fout);
	free(ferr);
	free(args);
	free(eargs);
	free(params);
	return rc;
}

/* ---- Linux freeze scripts -------------------------------------------------- */

/* Adds each file ListFilesInGuest lists at `path` that has POSIX permissions. */
static int list_scripts(struct gctx *g, const struct managers *m, const char *path, bool dir,
			struct vmsc_guest_facts *f)
{
	struct _vim__GuestOpResponse resp;
	char *ep = xml_escape(path), *params = NULL;
	int rc = -1;

	if (!ep || asprintf(&params, "<filePath " NS ">%s</filePath>", ep) < 0) {
		free(ep);
		return vmsc_error_nomem(g->err);
	}
	if (guest_call(g, "ListFilesInGuest", invoke_ListFilesInGuest, "GuestFileManager", m->file,
		       params, &resp) < 0) {
		char type[64];

		fault_type(g->err, "ListFilesInGuest", type, sizeof(type));
		rc = !strcmp(type, "FileNotFound") ? 0 : -1;
		goto out;
	}
	rc = 0;
	for (int i = 0; i < resp.__sizereturnval && rc == 0; i++) {
		xmlDocPtr d = parse_fragment(resp.returnval[i]);
		xmlNodePtr root = d ? xmlDocGetRootElement(d) : NULL;

		for (xmlNodePtr fi = root ? root->children : NULL; fi; fi = fi->next) {
			char *name, *type, *perm, *full = NULL;

			if (fi->type != XML_ELEMENT_NODE || strcmp((const char *)fi->name, "files"))
				continue;
			name = text_of(find(fi->children, "path"));
			type = text_of(find(fi->children, "type"));
			perm = text_of(find(fi->children, "permissions"));
			if (name && perm && (!type || !strcmp(type, "file")) &&
			    strcmp(name, ".") && strcmp(name, "..")) {
				/* a file lists itself by its name, a directory
				 * its entries by theirs */
				if (name[0] == '/' || !dir)
					full = strdup(name[0] == '/' ? name : path);
				else if (asprintf(&full, "%s/%s", path, name) < 0)
					full = NULL;
				if (!full || vmsc_guest_add_script(f, full, (unsigned)strtoul(perm, NULL, 10)) < 0)
					rc = vmsc_error_nomem(g->err);
			}
			free(full);
			free(name);
			free(type);
			free(perm);
		}
		if (d)
			xmlFreeDoc(d);
	}
out:
	soap_end(g->c->soap);
	free(params);
	free(ep);
	return rc;
}

/* ---- the whole check ------------------------------------------------------- */

static const char *reason_for(const char *type, const struct vmsc_error *err, char *buf,
			      size_t size)
{
	if (!strcmp(type, "InvalidGuestLogin"))
		return "login refused (InvalidGuestLogin): check the guest user name and password";
	if (!strcmp(type, "NoPermission")) {
		snprintf(buf, size, "privilege missing: %s",
			 err->privilege[0] ? err->privilege : "unknown (NoPermission)");
		return buf;
	}
	if (!strcmp(type, "OperationDisabledByGuest"))
		return "guest operations disabled in the guest (OperationDisabledByGuest)";
	if (!strcmp(type, "GuestOperationsUnavailable"))
		return "guest operations unavailable: VMware Tools not ready (GuestOperationsUnavailable)";
	if (!strcmp(type, "GuestComponentsOutOfDate"))
		return "VMware Tools too old for guest operations (GuestComponentsOutOfDate)";
	if (!strcmp(type, "TooManyGuestLogons"))
		return "too many guest logons (TooManyGuestLogons)";
	snprintf(buf, size, "guest operation failed: %s", err->message);
	return buf;
}

int vmsc_vsphere_guest_check(struct vmsc_vsphere *c, const char *vm, bool windows,
			     const char *user, const char *password, int timeout, int history_days,
			     struct vmsc_guest_facts *f, char **reason, struct vmsc_error *err)
{
	struct managers m = { 0 };
	struct gctx g = { .c = c, .vm = vm, .user = user, .password = password, .err = err };
	char *eu = xml_escape(user ? user : ""), *ep = xml_escape(password ? password : "");
	char *text = NULL, buf[1200], type[64];
	const char *why = NULL;
	int rc = -1, exit_code = 0, r;
	struct _vim__GuestOpResponse resp;

	*reason = NULL;
	g.deadline = time(NULL) + (timeout > 0 ? timeout : 60);
	f->windows = windows;
	f->history_days = history_days;
	if (!eu || !ep ||
	    !(g.auth = print_secret("<vm " NS " type=\"VirtualMachine\">%s</vm>"
				    "<auth " NS " xsi:type=\"NamePasswordAuthentication\">"
				    "<interactiveSession>false</interactiveSession>"
				    "<username>%s</username><password>%s</password></auth>",
				    vm, eu, ep))) {
		vmsc_error_nomem(err);
		goto out;
	}
	if (find_managers(c, &m, err) < 0)
		goto out;
	if (guest_call(&g, "ValidateCredentialsInGuest", invoke_ValidateCredentialsInGuest,
		       "GuestAuthManager", m.auth, NULL, &resp) < 0) {
		soap_end(c->soap);
		fault_type(err, "ValidateCredentialsInGuest", type, sizeof(type));
		if (!type[0])
			goto out;
		if (!strcmp(type, "InvalidGuestLogin")) {
			f->login_failed = true;
			f->login_user = strdup(user ? user : "");
		}
		why = reason_for(type, err, buf, sizeof(buf));
		goto not_checked;
	}
	soap_end(c->soap);

	if (windows) {
		static const char *const logs[] = { "Application", "System" };

		if (m.registry && (read_services(&g, &m, f) < 0 || read_providers(&g, &m, f) < 0))
			goto op_failed;
		r = fetch_file(&g, &m, "C:\\ProgramData\\VMware\\VMware Tools\\tools.conf", &text);
		if (r < 0)
			goto op_failed;
		vmsc_guest_parse_tools_conf(text, f);
		free(text);
		text = NULL;
		r = run_command(&g, &m, "whoami /groups", &text, &exit_code);
		if (r == 2)
			goto timed_out;
		if (r < 0)
			goto op_failed;
		vmsc_guest_parse_whoami(text, f);
		free(text);
		text = NULL;
		if (f->elevated != VMSC_TRI_FALSE) {
			r = run_command(&g, &m, "vssadmin list writers", &text, &exit_code);
			if (r == 2)
				goto timed_out;
			if (r < 0 || vmsc_guest_parse_writers(text, f) < 0)
				goto op_failed;
			free(text);
			text = NULL;
			for (size_t i = 0; i < 2; i++) {
				char cmd[512];

				snprintf(cmd, sizeof(cmd),
					 "wevtutil qe %s /q:\"*[System[(Level=1 or Level=2) and "
					 "TimeCreated[timediff(@SystemTime) <= %lld]]]\" /f:text /rd:true "
					 "/c:200", logs[i],
					 (long long)(history_days > 0 ? history_days : 7) * 86400000LL);
				r = run_command(&g, &m, cmd, &text, &exit_code);
				if (r == 2)
					goto timed_out;
				if (r < 0)
					goto op_failed;
				if (exit_code == 0 && vmsc_guest_parse_events(text, logs[i], f) < 0)
					goto op_failed;
				free(text);
				text = NULL;
			}
		}
	} else {
		static const char *const scripts[] = { "/usr/sbin/pre-freeze-script",
						       "/usr/sbin/post-thaw-script",
						       "/etc/vmware-tools/backupScripts.d" };

		r = fetch_file(&g, &m, "/etc/vmware-tools/tools.conf", &text);
		if (r < 0)
			goto op_failed;
		vmsc_guest_parse_tools_conf(text, f);
		free(text);
		text = NULL;
		for (size_t i = 0; i < 3; i++)
			if (list_scripts(&g, &m, scripts[i], i == 2, f) < 0)
				goto op_failed;
		f->scripts_read = true;
	}
	rc = 0;
	goto out;
timed_out:
	snprintf(buf, sizeof(buf), "timed out after %d s", timeout > 0 ? timeout : 60);
	why = buf;
	goto not_checked;
op_failed:
	if (err->code == VMSC_E_NOMEM || err->code == VMSC_E_INTERRUPTED)
		goto out;
	fault_type(err, "", type, sizeof(type));
	/* the ESXi host's own words (unreachable, certificate) are the reason */
	why = g.host_failed ? err->message : reason_for(type[0] ? type : "", err, buf, sizeof(buf));
not_checked:
	*reason = strdup(why);
	rc = *reason ? 1 : vmsc_error_nomem(err);
out:
	free(text);
	if (g.auth) {
		explicit_bzero(g.auth, strlen(g.auth));
		free(g.auth);
	}
	if (ep) {
		explicit_bzero(ep, strlen(ep));
		free(ep);
	}
	free(eu);
	free(g.host_thumbprint);
	managers_release(&m);
	return rc;
}
