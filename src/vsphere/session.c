/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The vSphere session: gSOAP context over the curl plugin, the one execute
 * path with fault mapping, login / re-login / logout and CurrentTime.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "curlapi.h"
#include "internal.h"
#include "vim25.nsmap"

/* Sent before about.apiVersion is known, as govmomi does with its own. */
#define BOOTSTRAP_ACTION "urn:vim25/6.7"
#define RETRIES_503 2

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void about_release(struct vmsc_vsphere_about *a)
{
	free(a->name);
	free(a->full_name);
	free(a->version);
	free(a->build);
	free(a->api_type);
	free(a->api_version);
	free(a->instance_uuid);
	memset(a, 0, sizeof(*a));
}

struct vmsc_vsphere *vmsc_vsphere_new(const struct vmsc_vsphere_options *o, struct vmsc_error *err)
{
	struct vmsc_vsphere *c = calloc(1, sizeof(*c));

	if (!c) {
		vmsc_error_set(err, VMSC_E_NOMEM, "out of memory");
		return NULL;
	}
	c->opts = *o;
	if (vmsc_transport_init(&c->tr, &c->opts, err) < 0 || vmsc_stream_init(c, err) < 0)
		goto fail;
	/* UTF-8 strings: VM names are UTF-8 and must not become &#x...; */
	c->soap = soap_new1(SOAP_C_UTFSTRING | SOAP_XML_NOTYPE);
	if (!c->soap) {
		vmsc_error_set(err, VMSC_E_NOMEM, "out of memory");
		goto fail;
	}
	soap_set_namespaces(c->soap, namespaces);
	if (soap_register_plugin_arg(c->soap, soap_curl, c->tr.curl) != SOAP_OK ||
	    vmsc_wipe_install(c) < 0) {
		vmsc_error_set(err, VMSC_E_INTERNAL, "cannot register the gSOAP curl plugin");
		goto fail;
	}
	c->action = strdup(BOOTSTRAP_ACTION);
	if (!c->action) {
		vmsc_error_set(err, VMSC_E_NOMEM, "out of memory");
		goto fail;
	}
	return c;
fail:
	vmsc_vsphere_free(c);
	return NULL;
}

void vmsc_vsphere_free(struct vmsc_vsphere *c)
{
	if (!c)
		return;
	if (c->soap) {
		vmsc_wipe_pending(c->soap);
		soap_destroy(c->soap);
		soap_end(c->soap);
		soap_free(c->soap); /* the plugin does not own our CURL handle */
	}
	if (c->reader)
		xmlFreeTextReader(c->reader);
	vmsc_transport_release(&c->tr);
	vmsc_stream_release(c);
	free(c->action);
	free(c->property_collector);
	free(c->view_manager);
	free(c->root_folder);
	free(c->session_manager);
	free(c->search_index);
	free(c->authorization_manager);
	free(c->task_manager);
	free(c->calib_key);
	free(c->custom_fields_manager);
	free(c->guest_operations_manager);
	for (size_t i = 0; i < c->n_custom_fields; i++)
		free(c->custom_fields[i].name);
	free(c->custom_fields);
	free(c->session_key);
	about_release(&c->about);
	free(c);
}

const struct vmsc_vsphere_about *vmsc_vsphere_get_about(const struct vmsc_vsphere *c)
{
	return &c->about;
}

size_t vmsc_vsphere_get_request_counts(const struct vmsc_vsphere *c,
				       struct vmsc_request_count *out, size_t max)
{
	size_t n = c->n_counts < max ? c->n_counts : max;

	memcpy(out, c->counts, n * sizeof(*out));
	return n;
}

unsigned long long vmsc_vsphere_get_bytes_received(const struct vmsc_vsphere *c)
{
	return c->tr.total_received;
}

void vmsc_count_request(struct vmsc_vsphere *c, const char *op)
{
	for (size_t i = 0; i < c->n_counts; i++) {
		if (strcmp(c->counts[i].op, op) == 0) {
			c->counts[i].count++;
			return;
		}
	}
	if (c->n_counts < VMSC_MAX_OPS) {
		c->counts[c->n_counts].op = op;
		c->counts[c->n_counts].count = 1;
		c->n_counts++;
	}
}

/* ---- failure mapping ------------------------------------------------- */

/* The curl plugin reports transport errors as a sender fault whose string is
 * curl_easy_strerror(code); recover the code from it. */
static CURLcode curl_code_of(const char *faultstring)
{
	if (!faultstring)
		return CURLE_OK;
	for (int i = 1; i < CURL_LAST; i++)
		if (strcmp(faultstring, curl_easy_strerror((CURLcode)i)) == 0)
			return (CURLcode)i;
	return CURLE_OK;
}

static const char *curl_detail(struct soap *soap)
{
	struct soap_curl_data *d = soap_lookup_plugin(soap, soap_curl_id);

	return d && d->buf[0] ? d->buf : NULL;
}

static enum vmsc_errcode map_curl(struct vmsc_vsphere *c, struct soap *soap,
				  const struct vmsc_transport *tr, const char *op, CURLcode code,
				  struct vmsc_error *err)
{
	const struct vmsc_vsphere_options *o = &c->opts;
	const char *detail = curl_detail(soap);
	long timeout = o->timeout > 0 ? o->timeout : 60;

	switch (code) {
	case CURLE_COULDNT_RESOLVE_HOST:
		vmsc_error_set(err, VMSC_E_RESOLVE,
			       "cannot resolve '%s': check the server name or DNS", o->host);
		return VMSC_E_RESOLVE;
	case CURLE_COULDNT_CONNECT:
		vmsc_error_set(err, VMSC_E_CONNECT,
			       "cannot connect to '%s' port %d: %s; check the address, the port "
			       "and firewalls", o->host, o->port,
			       detail ? (strstr(detail, "refused") ? "connection refused" : detail)
				      : "connection failed");
		return VMSC_E_CONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		vmsc_error_set(err, VMSC_E_TIMEOUT,
			       "no answer from '%s' port %d to %s within %ld s; the server may be "
			       "overloaded, raise --timeout or check the network", o->host, o->port,
			       op, timeout);
		return VMSC_E_TIMEOUT;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
		if (tr->pin_mismatch) {
			vmsc_error_set(err, VMSC_E_TLS,
				       "certificate of '%s' does not match --thumbprint: the server "
				       "presented SHA-256 %s; nothing was sent", o->host,
				       tr->peer_sha256[0] ? tr->peer_sha256 : "(unknown)");
		} else if (code == CURLE_SSL_CACERT_BADFILE) {
			vmsc_error_set(err, VMSC_E_TLS, "cannot read CA certificates from '%s'",
				       o->cacert ? o->cacert : "(system store)");
		} else if (tr->verify_error || code == CURLE_PEER_FAILED_VERIFICATION) {
			vmsc_error_set(err, VMSC_E_TLS,
				       "certificate of '%s' is not trusted (%s), SHA-256 fingerprint %s; "
				       "use --cacert FILE with its CA, --thumbprint %s to pin it, or -k to "
				       "skip verification", o->host,
				       tr->verify_error ? X509_verify_cert_error_string(tr->verify_error)
							  : (detail ? detail : "verification failed"),
				       tr->peer_sha256[0] ? tr->peer_sha256 : "(unknown)",
				       tr->peer_sha256[0] ? tr->peer_sha256 : "FINGERPRINT");
		} else {
			vmsc_error_set(err, VMSC_E_TLS, "TLS handshake with '%s' port %d failed: %s",
				       o->host, o->port, detail ? detail : curl_easy_strerror(code));
		}
		return VMSC_E_TLS;
	case CURLE_ABORTED_BY_CALLBACK:
		if (tr->interrupted) {
			vmsc_error_set(err, VMSC_E_INTERRUPTED, "interrupted during %s", op);
			return VMSC_E_INTERRUPTED;
		}
		vmsc_error_set(err, VMSC_E_PROTOCOL,
			       "unreadable reply to %s from '%s': larger than %zu MiB, aborted",
			       op, o->host, tr->max_bytes >> 20);
		return VMSC_E_PROTOCOL;
	case CURLE_PARTIAL_FILE:
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_BAD_CONTENT_ENCODING:
		vmsc_error_set(err, VMSC_E_PROTOCOL, "unreadable reply to %s from '%s': %s", op,
			       o->host, detail ? detail : curl_easy_strerror(code));
		return VMSC_E_PROTOCOL;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		vmsc_error_set(err, VMSC_E_USAGE, "invalid server URL '%s'", o->url);
		return VMSC_E_USAGE;
	default:
		vmsc_error_set(err, VMSC_E_PROTOCOL, "connection to '%s' failed during %s: %s",
			       o->host, op, detail ? detail : curl_easy_strerror(code));
		return VMSC_E_PROTOCOL;
	}
}

static enum vmsc_errcode map_fault(struct vmsc_vsphere *c, struct soap *soap, const char *op,
				   struct vmsc_error *err)
{
	const char *fstring = soap->fault ? soap->fault->faultstring : NULL;
	const char *detail = soap->fault && soap->fault->detail ? soap->fault->detail->__any : NULL;
	char *type = NULL, *msg = NULL;
	enum vmsc_errcode code;

	vmsc_values_read_fault(&c->reader, detail, &type, &msg);
	if (!type) {
		code = VMSC_E_FAULT;
		vmsc_error_set(err, code, "'%s' refused %s: %s", c->opts.host, op,
			       fstring ? fstring : "unknown SOAP fault");
	} else if (strcmp(type, "InvalidLogin") == 0) {
		code = VMSC_E_LOGIN;
		vmsc_error_set(err, code, "login failed for '%s' at '%s': incorrect user name or password",
			       c->opts.username ? c->opts.username : "", c->opts.host);
	} else if (strcmp(type, "NotAuthenticated") == 0) {
		code = VMSC_E_NOT_AUTHENTICATED;
		vmsc_error_set(err, code, "session at '%s' is no longer authenticated (%s)",
			       c->opts.host, op);
	} else if (strcmp(type, "NoPermission") == 0) {
		code = VMSC_E_NO_PERMISSION;
		vmsc_error_set(err, code, "permission denied at '%s' for %s%s%s: %s", c->opts.host, op,
			       msg ? ", missing privilege " : "", msg ? msg : "",
			       fstring ? fstring : "no permission");
	} else {
		code = VMSC_E_FAULT;
		vmsc_error_set(err, code, "'%s' refused %s: %s%s%s", c->opts.host, op, type,
			       fstring && *fstring ? ": " : "", fstring && *fstring ? fstring : "");
	}
	/* after vmsc_error_set, which clears them */
	if (type)
		snprintf(err->fault, sizeof(err->fault), "%s", type);
	if (type && code == VMSC_E_NO_PERMISSION && msg && !strchr(msg, ' '))
		snprintf(err->privilege, sizeof(err->privilege), "%s", msg);
	free(type);
	free(msg);
	return code;
}

/* A failed call (soap->error) on the connection it ran on, as an error. */
static enum vmsc_errcode map_failure(struct vmsc_vsphere *c, struct soap *soap,
				     const struct vmsc_transport *tr, const char *op,
				     struct vmsc_error *err)
{
	const char *fstring = soap->fault ? soap->fault->faultstring : NULL;
	CURLcode cc = curl_code_of(fstring);

	if (cc != CURLE_OK)
		return map_curl(c, soap, tr, op, cc, err);
	if (tr->interrupted)
		return vmsc_error_set(err, VMSC_E_INTERRUPTED, "interrupted during %s", op),
		       VMSC_E_INTERRUPTED;
	if (soap->error == SOAP_FAULT && soap->fault && soap->fault->detail &&
	    soap->fault->detail->__any && strcmp(soap->fault->detail->__any, "origin: soap_curl plugin"))
		return map_fault(c, soap, op, err);
	if (soap->error == SOAP_FAULT && fstring && soap->status == 500 && soap->fault->faultcode)
		return map_fault(c, soap, op, err);
	/* HTTP status other than 2xx / 400 / 500: gSOAP sets error = status */
	if (soap->error >= 300 && soap->error < 600) {
		vmsc_error_set(err, VMSC_E_HTTP, "'%s' answered %s with '%s'", c->opts.host, op,
			       tr->status_line[0] ? tr->status_line : "an HTTP error");
		return VMSC_E_HTTP;
	}
	if (soap->status >= 300 && soap->status != 500) {
		vmsc_error_set(err, VMSC_E_HTTP, "'%s' answered %s with '%s'", c->opts.host, op,
			       tr->status_line);
		return VMSC_E_HTTP;
	}
	if (soap->status == 500 && tr->status_line[0]) {
		vmsc_error_set(err, VMSC_E_HTTP, "'%s' answered %s with '%s' and no SOAP fault",
			       c->opts.host, op, tr->status_line);
		return VMSC_E_HTTP;
	}
	if (soap->error == SOAP_EOM)
		return vmsc_error_set(err, VMSC_E_NOMEM, "out of memory reading the reply to %s", op),
		       VMSC_E_NOMEM;
	vmsc_error_set(err, VMSC_E_PROTOCOL,
		       "unreadable reply to %s from '%s' (%s, gSOAP error %d): is this a vSphere SDK "
		       "endpoint?", op, c->opts.host,
		       soap->error == SOAP_EOF ? "truncated" :
		       soap->error == SOAP_TAG_MISMATCH || soap->error == SOAP_NO_TAG ? "unexpected XML" :
		       "not valid SOAP", soap->error);
	return VMSC_E_PROTOCOL;
}

/*
 * The connection went away in the middle of the exchange (a load balancer or
 * an idle timeout cut it): *detail gets curl's words for it.  A server that
 * answered badly is not this.
 */
static bool connection_dropped(struct soap *soap, char *detail, size_t size)
{
	const char *d;

	switch (curl_code_of(soap->fault ? soap->fault->faultstring : NULL)) {
	case CURLE_PARTIAL_FILE:
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		d = curl_detail(soap);
		snprintf(detail, size, "%s", d ? d : soap->fault->faultstring);
		return true;
	default:
		return false;
	}
}

int vmsc_call(struct vmsc_vsphere *c, const char *op, vmsc_invoke_fn fn, void *req, void *resp,
	      unsigned flags, struct vmsc_error *err)
{
	int retries_503 = (flags & VMSC_CALL_READ) ? RETRIES_503 : 0;

	c->restart = VMSC_RESTART_NONE;
	for (;;) {
		enum vmsc_errcode code;
		char detail[256];
		bool dropped;
		int rc;

		if (c->opts.interrupted && *c->opts.interrupted)
			return vmsc_error_set(err, VMSC_E_INTERRUPTED, "interrupted before %s", op);
		vmsc_count_request(c, op);
		vmsc_transport_begin(&c->tr);
		/* a page asked ahead ran on another lane: fn says so */
		c->call_soap = c->soap;
		c->call_tr = &c->tr;
		rc = fn(c, req, resp);
		c->tr.total_received += (unsigned long long)c->tr.received;
		if (rc == SOAP_OK) {
			/* a 503 or expiry met on the way is no error of this call */
			vmsc_error_clear(err);
			return 0;
		}
		if (rc == VMSC_SOAP_STOPPED) {
			soap_curl_reset(c->call_soap);
			return -1;
		}
		code = map_failure(c, c->call_soap, c->call_tr, op, err);
		dropped = connection_dropped(c->call_soap, detail, sizeof(detail));
		vmsc_wipe_pending(c->call_soap);
		soap_curl_reset(c->call_soap);
		if (code == VMSC_E_HTTP && retries_503 > 0 && strstr(c->call_tr->status_line, " 503")) {
			/* vCenter answers 503 while services restart: back off briefly */
			sleep((unsigned)(RETRIES_503 - retries_503 + 1));
			retries_503--;
			continue;
		}
		if (code == VMSC_E_NOT_AUTHENTICATED && !(flags & VMSC_CALL_NO_RELOGIN) && !c->relogged) {
			struct vmsc_error lerr;

			if (vmsc_relogin(c, &lerr) < 0) {
				*err = lerr;
				return -1;
			}
			if (flags & VMSC_CALL_SESSION_BOUND) {
				c->restart = VMSC_RESTART_RELOGIN;
				return vmsc_error_set(err, VMSC_E_NOT_AUTHENTICATED,
						      "session at '%s' expired during %s; logged in "
						      "again, starting the retrieval over", c->opts.host, op);
			}
			continue;
		}
		/* part of the reply may have been read already, and the token it
		 * continued is spent: the caller starts over, on new connections */
		if (dropped && (flags & VMSC_CALL_SESSION_BOUND) && !c->reconnected) {
			c->reconnected = true;
			c->restart = VMSC_RESTART_RECONNECT;
			c->tr.fresh = true;
			vmsc_stream_fresh(c);
			return vmsc_error_set(err, code,
					      "connection to '%s' dropped during %s (%s); starting the "
					      "retrieval over on a new connection", c->opts.host, op, detail);
		}
		if (dropped && (flags & VMSC_CALL_SESSION_BOUND))
			return vmsc_error_set(err, code,
					      "connection to '%s' dropped again during %s (%s) after "
					      "starting over on a new connection; check proxies, load "
					      "balancers and their idle timeouts between here and the vCenter",
					      c->opts.host, op, detail);
		if (code == VMSC_E_NOT_AUTHENTICATED && c->relogged)
			vmsc_error_set(err, VMSC_E_NOT_AUTHENTICATED,
				       "session at '%s' expired again during %s after logging in again; "
				       "check the session timeout of the vCenter", c->opts.host, op);
		return -1;
	}
}

/* ---- operations ------------------------------------------------------ */

struct vim__ManagedObjectReference *vmsc_moref(struct soap *soap, const char *type,
					       const char *value)
{
	struct vim__ManagedObjectReference *m = soap_malloc(soap, sizeof(*m));

	if (!m)
		return NULL;
	m->type = soap_strdup(soap, type);
	m->__item = soap_strdup(soap, value);
	return m;
}

VMSC_INVOKER(invoke_service_content, RetrieveServiceContent)
VMSC_INVOKER(invoke_login, Login)
VMSC_INVOKER(invoke_logout, Logout)
VMSC_INVOKER(invoke_current_time, CurrentTime)

static int retrieve_service_content(struct vmsc_vsphere *c, struct vmsc_error *err)
{
	struct _vim__RetrieveServiceContent req = { 0 };
	struct _vim__RetrieveServiceContentResponse resp = { 0 };
	struct vim__ServiceContent *sc;
	struct vim__AboutInfo *a;
	int rc = -1;

	req._USCOREthis = vmsc_moref(c->soap, "ServiceInstance", "ServiceInstance");
	if (!req._USCOREthis)
		return vmsc_error_set(err, VMSC_E_NOMEM, "out of memory");
	if (vmsc_call(c, "RetrieveServiceContent", invoke_service_content, &req, &resp,
		      VMSC_CALL_READ | VMSC_CALL_NO_RELOGIN, err) < 0)
		goto out;
	sc = resp.returnval;
	if (!sc || !sc->propertyCollector || !sc->viewManager || !sc->rootFolder ||
	    !sc->sessionManager || !sc->about || !sc->about->apiVersion) {
		vmsc_error_set(err, VMSC_E_PROTOCOL,
			       "unreadable reply to RetrieveServiceContent from '%s': no service "
			       "content; is this a vCenter or ESXi SDK endpoint?", c->opts.host);
		goto out;
	}
	a = sc->about;
	c->property_collector = dup_or_null(sc->propertyCollector->__item);
	c->view_manager = dup_or_null(sc->viewManager->__item);
	c->root_folder = dup_or_null(sc->rootFolder->__item);
	c->session_manager = dup_or_null(sc->sessionManager->__item);
	c->search_index = sc->searchIndex ? dup_or_null(sc->searchIndex->__item) : NULL;
	c->task_manager = sc->taskManager ? dup_or_null(sc->taskManager->__item) : NULL;
	c->custom_fields_manager = sc->customFieldsManager ?
				   dup_or_null(sc->customFieldsManager->__item) : NULL;
	c->guest_operations_manager = sc->guestOperationsManager ?
				      dup_or_null(sc->guestOperationsManager->__item) : NULL;
	c->authorization_manager = sc->authorizationManager ?
				   dup_or_null(sc->authorizationManager->__item) : NULL;
	c->about.name = dup_or_null(a->name);
	c->about.full_name = dup_or_null(a->fullName);
	c->about.version = dup_or_null(a->version);
	c->about.build = dup_or_null(a->build);
	c->about.api_type = dup_or_null(a->apiType);
	c->about.api_version = dup_or_null(a->apiVersion);
	c->about.instance_uuid = dup_or_null(a->instanceUuid);
	free(c->action);
	/* The server expects its own API version in SOAPAction. */
	if (asprintf(&c->action, "urn:vim25/%s", a->apiVersion) < 0) {
		c->action = NULL;
		vmsc_error_set(err, VMSC_E_NOMEM, "out of memory");
		goto out;
	}
	if (!c->property_collector || !c->view_manager || !c->root_folder || !c->session_manager ||
	    !c->about.api_version) {
		vmsc_error_set(err, VMSC_E_NOMEM, "out of memory");
		goto out;
	}
	rc = 0;
out:
	soap_end(c->soap);
	return rc;
}

static int login(struct vmsc_vsphere *c, struct vmsc_error *err)
{
	struct _vim__Login req = { 0 };
	struct _vim__LoginResponse resp = { 0 };
	int rc;

	if (!c->opts.username || !*c->opts.username)
		return vmsc_error_set(err, VMSC_E_USAGE,
				      "no user name for '%s': use -u, VMSNAPCHECK_USERNAME or the config file",
				      c->opts.host);
	if (!c->opts.password || !*c->opts.password)
		return vmsc_error_set(err, VMSC_E_USAGE, "no password for '%s'", c->opts.host);
	req._USCOREthis = vmsc_moref(c->soap, "SessionManager", c->session_manager);
	/* gSOAP serialises from these pointers; the password is not copied */
	req.userName = (char *)c->opts.username;
	req.password = (char *)c->opts.password;
	rc = vmsc_call(c, "Login", invoke_login, &req, &resp, VMSC_CALL_READ | VMSC_CALL_NO_RELOGIN, err);
	if (rc == 0) {
		c->logged_in = true;
		free(c->session_key);
		c->session_key = resp.returnval ? dup_or_null(resp.returnval->key) : NULL;
	}
	/* gSOAP keeps the serialised request in its buffers: clear them */
	vmsc_wipe_sent(c->soap);
	soap_end(c->soap);
	return rc;
}

int vmsc_relogin(struct vmsc_vsphere *c, struct vmsc_error *err)
{
	c->relogged = true;
	c->logged_in = false;
	/* A second Login on a live session is refused: start a fresh one. */
	vmsc_transport_drop_cookies(&c->tr);
	return login(c, err);
}

int vmsc_vsphere_connect(struct vmsc_vsphere *c, struct vmsc_error *err)
{
	if (retrieve_service_content(c, err) < 0)
		return -1;
	return login(c, err);
}

int vmsc_vsphere_lookup_service(struct vmsc_vsphere *c, struct vmsc_error *err)
{
	return retrieve_service_content(c, err);
}

void vmsc_vsphere_set_password(struct vmsc_vsphere *c, const char *password)
{
	c->opts.password = password;
}

int vmsc_vsphere_login(struct vmsc_vsphere *c, struct vmsc_error *err)
{
	if (!c->session_manager)
		return vmsc_error_set(err, VMSC_E_INTERNAL, "login before service content");
	return login(c, err);
}

VMSC_INVOKER(invoke_has_privilege, HasPrivilegeOnEntities)

int vmsc_vsphere_lookup_privileges(struct vmsc_vsphere *c, const char *const *privs, size_t n,
				   bool *granted, struct vmsc_error *err)
{
	struct _vim__HasPrivilegeOnEntities req = { 0 };
	struct _vim__HasPrivilegeOnEntitiesResponse resp = { 0 };
	int rc = -1;

	if (!c->authorization_manager || !c->session_key)
		return vmsc_error_set(err, VMSC_E_FAULT, "'%s' has no AuthorizationManager",
				      c->opts.host);
	for (size_t i = 0; i < n; i++)
		granted[i] = false;
	req._USCOREthis = vmsc_moref(c->soap, "AuthorizationManager", c->authorization_manager);
	req.__sizeentity = 1;
	req.entity = vmsc_moref(c->soap, "Folder", c->root_folder);
	req.sessionId = c->session_key;
	req.__sizeprivId = (int)n;
	req.privId = (char **)privs;
	if (vmsc_call(c, "HasPrivilegeOnEntities", invoke_has_privilege, &req, &resp, VMSC_CALL_READ,
		      err) < 0)
		goto out;
	for (int e = 0; e < resp.__sizereturnval; e++) {
		const struct vim__EntityPrivilege *ep = &resp.returnval[e];

		for (int j = 0; j < ep->__sizeprivAvailability; j++)
			for (size_t i = 0; i < n; i++)
				if (ep->privAvailability[j].privId &&
				    !strcmp(ep->privAvailability[j].privId, privs[i]))
					granted[i] = ep->privAvailability[j].isGranted == true_;
	}
	rc = 0;
out:
	soap_end(c->soap);
	return rc;
}

void vmsc_vsphere_logout(struct vmsc_vsphere *c)
{
	struct _vim__Logout req = { 0 };
	struct _vim__LogoutResponse resp = { 0 };
	struct vmsc_error err;
	volatile sig_atomic_t *saved = c->opts.interrupted;

	if (!c->logged_in)
		return;
	/* log out even after SIGINT: that is the point of catching it */
	c->opts.interrupted = NULL;
	c->tr.interrupted = false;
	req._USCOREthis = vmsc_moref(c->soap, "SessionManager", c->session_manager);
	(void)vmsc_call(c, "Logout", invoke_logout, &req, &resp, VMSC_CALL_NO_RELOGIN, &err);
	c->logged_in = false;
	c->opts.interrupted = saved;
	soap_end(c->soap);
}

int vmsc_vsphere_lookup_time(struct vmsc_vsphere *c, time_t *now, struct vmsc_error *err)
{
	struct _vim__CurrentTime req = { 0 };
	struct _vim__CurrentTimeResponse resp = { 0 };
	int rc = -1;

	req._USCOREthis = vmsc_moref(c->soap, "ServiceInstance", "ServiceInstance");
	if (vmsc_call(c, "CurrentTime", invoke_current_time, &req, &resp, VMSC_CALL_READ, err) < 0)
		goto out;
	*now = resp.returnval ? vmsc_parse_datetime(resp.returnval) : (time_t)-1;
	if (*now == (time_t)-1) {
		vmsc_error_set(err, VMSC_E_PROTOCOL, "unreadable reply to CurrentTime from '%s'",
			       c->opts.host);
		goto out;
	}
	rc = 0;
out:
	soap_end(c->soap);
	return rc;
}
