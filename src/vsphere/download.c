/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Datastore files over HTTP (the probe's VSS manifest): GET
 * https://host/folder/PATH?dcPath=DC&dsName=DS, the "datastore HTTP file
 * access" of the vSphere Web Services SDK Programming Guide.  Its own curl
 * handle, set up like every other (transport.c: TLS policy, pinning,
 * timeouts, --debug masking) and sharing the connection pool and cookies,
 * so the request carries the SOAP session's vmware_soap_session cookie.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pthread.h>

#include <openssl/x509.h>

#include "internal.h"
#include "vmsnapcheck/hash.h"

struct sink {
	unsigned char *buf;
	size_t len, cap, max;
	bool over;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct sink *s = ud;
	size_t n = size * nmemb;

	if (n > s->max - s->len) {
		s->over = true;
		return 0;
	}
	if (s->len + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 16384;
		unsigned char *b;

		while (cap < s->len + n + 1)
			cap *= 2;
		b = realloc(s->buf, cap);
		if (!b)
			return 0;
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, ptr, n);
	s->len += n;
	return n;
}

/* "[ds] dir/file" into ds and "dir/file"; false when it is not one. */
static bool split_ds_path(const char *p, char **ds, char **rel)
{
	const char *close = p[0] == '[' ? strchr(p, ']') : NULL;
	const char *r;

	if (!close || close == p + 1)
		return false;
	for (r = close + 1; *r == ' '; r++)
		;
	while (*r == '/')
		r++;
	if (!*r)
		return false;
	*ds = strndup(p + 1, (size_t)(close - p - 1));
	*rel = strdup(r);
	return *ds && *rel;
}

/* Escapes each path segment, keeping the slashes. */
static char *escape_path(CURL *h, const char *rel)
{
	size_t cap = strlen(rel) * 3 + 1;
	char *out = malloc(cap), *copy = strdup(rel), *save = NULL;

	if (!out || !copy) {
		free(out);
		free(copy);
		return NULL;
	}
	out[0] = '\0';
	for (char *seg = strtok_r(copy, "/", &save); seg; seg = strtok_r(NULL, "/", &save)) {
		char *e = curl_easy_escape(h, seg, 0);

		if (!e) {
			free(out);
			out = NULL;
			break;
		}
		if (out[0])
			strcat(out, "/");
		strcat(out, e);
		curl_free(e);
	}
	free(copy);
	return out;
}

static size_t ignore_headers(char *buf, size_t size, size_t nitems, void *ud)
{
	(void)buf;
	(void)ud;
	return size * nitems;
}

struct esx_verdict {
	enum vmsc_errcode code;
	char message[];
};

/* Host names (lower case) to an earlier VM's verdict on them. */
struct vmsc_esx_verdicts {
	pthread_mutex_t lock;
	struct vmsc_map *hosts;
};

struct vmsc_esx_verdicts *vmsc_esx_verdicts_new(void)
{
	struct vmsc_esx_verdicts *v = calloc(1, sizeof(*v));

	if (v && !(v->hosts = vmsc_map_new())) {
		free(v);
		return NULL;
	}
	if (v)
		pthread_mutex_init(&v->lock, NULL);
	return v;
}

void vmsc_esx_verdicts_free(struct vmsc_esx_verdicts *v)
{
	if (!v)
		return;
	vmsc_map_free(v->hosts, free);
	pthread_mutex_destroy(&v->lock);
	free(v);
}

/* DNS names compare without case; false when the name is too long to keep. */
static bool host_key(const char *host, char *key, size_t size)
{
	size_t n = strlen(host);

	if (n >= size)
		return false;
	for (size_t i = 0; i <= n; i++)
		key[i] = (char)tolower((unsigned char)host[i]);
	return true;
}

/* An earlier VM's verdict on `host` into err: true when there is one. */
static bool verdict_known(struct vmsc_esx_verdicts *v, const char *host, struct vmsc_error *err)
{
	const struct esx_verdict *e;
	char key[256];

	if (!v || !host_key(host, key, sizeof(key)))
		return false;
	pthread_mutex_lock(&v->lock);
	e = vmsc_map_get(v->hosts, key);
	if (e)
		vmsc_error_set(err, e->code, "%s", e->message);
	pthread_mutex_unlock(&v->lock);
	return e != NULL;
}

/* Best effort: a verdict not kept only costs the next VM its own try. */
static void verdict_keep(struct vmsc_esx_verdicts *v, const char *host, const struct vmsc_error *err)
{
	size_t n = strlen(err->message) + 1;
	struct esx_verdict *e;
	char key[256];
	void **slot;

	if (!v || !host_key(host, key, sizeof(key)) || !(e = malloc(sizeof(*e) + n)))
		return;
	e->code = err->code;
	memcpy(e->message, err->message, n);
	pthread_mutex_lock(&v->lock);
	slot = vmsc_map_slot(v->hosts, key, true);
	if (slot && !*slot) {
		*slot = e;
		e = NULL;
	}
	pthread_mutex_unlock(&v->lock);
	free(e);
}

/* Why an ESXi host's certificate was refused, for the VM's reason. */
static void host_tls_error(const struct vmsc_transport *t, const char *host, const char *thumbprint,
			   struct vmsc_error *err)
{
	if (t->verify_error == X509_V_ERR_HOSTNAME_MISMATCH)
		vmsc_error_set(err, VMSC_E_TLS,
			       "the certificate of ESXi host '%s' (guest file transfers) does not "
			       "name it and is not the one vCenter reports for the host: use -k, or "
			       "reach the host by the name in its certificate", host);
	else if (thumbprint && *thumbprint)
		vmsc_error_set(err, VMSC_E_TLS,
			       "the certificate of ESXi host '%s' (guest file transfers) is neither "
			       "signed by a trusted CA (%s) nor the one vCenter reports for the host "
			       "(SHA-1 %s; this one: SHA-256 %s): add the hosts' CA to --cacert, or "
			       "use -k", host, X509_verify_cert_error_string(t->verify_error),
			       thumbprint, t->peer_sha256[0] ? t->peer_sha256 : "unknown");
	else
		vmsc_error_set(err, VMSC_E_TLS,
			       "the certificate of ESXi host '%s' (guest file transfers) is not "
			       "signed by a trusted CA (%s), and vCenter reports no thumbprint for "
			       "the host (reading it needs System.Read on the host): add the hosts' "
			       "CA to --cacert, or use -k", host,
			       X509_verify_cert_error_string(t->verify_error));
}

/*
 * GET `url`; what = for messages.  esx_host NULL: on the connected server,
 * with its session cookie and TLS policy.  Otherwise an ESXi host: the
 * ticket in the URL is the authorisation there, so no vCenter cookie (nor
 * its pooled connections) goes along.
 */
static int download(struct vmsc_vsphere *c, const char *url, const char *esx_host,
		    const char *esx_thumbprint, time_t deadline, const char *what, const char *op,
		    size_t max, unsigned char **data, size_t *len, struct vmsc_error *err)
{
	const char *server = esx_host ? esx_host : c->opts.host;
	struct vmsc_transport t;
	struct sink s = { .max = max };
	long status = 0;
	double tls_done = 0;
	bool short_budget = false;
	CURLcode cc;
	int rc = -1;

	*data = NULL;
	*len = 0;
	if (vmsc_transport_init(&t, &c->opts, err) < 0)
		return -1;
	if (esx_host && (verdict_known(c->opts.esx_verdicts, esx_host, err) ||
			 vmsc_transport_for_host(&t, esx_host, esx_thumbprint, err) < 0)) {
		vmsc_transport_release(&t);
		return -1;
	}
	t.max_bytes = max;
	if (deadline) {
		/* the caller's budget (--guest-timeout) bounds connect and transfer */
		long left = (long)(deadline - time(NULL));
		long usual = c->opts.timeout > 0 ? c->opts.timeout : 60;

		left = left < 1 ? 1 : left;
		if (left < usual) {
			curl_easy_setopt(t.curl, CURLOPT_TIMEOUT, left);
			curl_easy_setopt(t.curl, CURLOPT_CONNECTTIMEOUT, left < 10 ? left : 10L);
		}
		/* a connection cut short by this VM's budget says nothing of the host */
		short_budget = left < 10;
	}
	if (c->share && !esx_host)
		curl_easy_setopt(t.curl, CURLOPT_SHARE, c->share);
	curl_easy_setopt(t.curl, CURLOPT_URL, url);
	curl_easy_setopt(t.curl, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(t.curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(t.curl, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(t.curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max);
	curl_easy_setopt(t.curl, CURLOPT_FORBID_REUSE, 1L);
	if (!c->opts.debug)
		curl_easy_setopt(t.curl, CURLOPT_HEADERFUNCTION, ignore_headers);
	vmsc_count_request(c, op);
	cc = curl_easy_perform(t.curl);
	c->tr.total_received += (unsigned long long)s.len;
	curl_easy_getinfo(t.curl, CURLINFO_RESPONSE_CODE, &status);
	if (s.over || t.over_cap || cc == CURLE_FILESIZE_EXCEEDED) {
		vmsc_error_set(err, VMSC_E_PROTOCOL, "'%s' on '%s' is larger than %zu bytes", what,
			       server, max);
	} else if (t.interrupted) {
		vmsc_error_set(err, VMSC_E_INTERRUPTED, "interrupted");
	} else if (esx_host && cc != CURLE_OK && t.verify_error) {
		host_tls_error(&t, esx_host, esx_thumbprint, err);
		verdict_keep(c->opts.esx_verdicts, esx_host, err);
	} else if (esx_host && cc != CURLE_OK) {
		vmsc_error_set(err, VMSC_E_CONNECT,
			       "cannot reach ESXi host '%s' for guest file transfers: %s (vCenter "
			       "sends them to the host that runs the VM: allow HTTPS from here to it)",
			       esx_host, curl_easy_strerror(cc));
		/* no TLS session came up: the host, not this transfer, is the problem */
		curl_easy_getinfo(t.curl, CURLINFO_APPCONNECT_TIME, &tls_done);
		if (tls_done <= 0 && !(short_budget && cc == CURLE_OPERATION_TIMEDOUT))
			verdict_keep(c->opts.esx_verdicts, esx_host, err);
	} else if (cc != CURLE_OK) {
		vmsc_error_set(err, VMSC_E_CONNECT, "cannot download '%s' from '%s': %s", what,
			       server, curl_easy_strerror(cc));
	} else if (status != 200) {
		vmsc_error_set(err, VMSC_E_HTTP, "cannot download '%s' from '%s': HTTP %ld", what,
			       server, status);
	} else {
		*data = s.buf;
		*len = s.len;
		s.buf = NULL;
		rc = 0;
	}
	free(s.buf);
	vmsc_transport_release(&t);
	return rc;
}

int vmsc_vsphere_download_url(struct vmsc_vsphere *c, const char *url, const char *esx_host,
			      const char *esx_thumbprint, time_t deadline, size_t max,
			      unsigned char **data, size_t *len, struct vmsc_error *err)
{
	return download(c, url, esx_host, esx_thumbprint, deadline, "guest file", "GET /guestFile",
			max, data, len, err);
}

int vmsc_vsphere_download_datastore_file(struct vmsc_vsphere *c, const char *datacenter,
					 const char *ds_path, size_t max, unsigned char **data,
					 size_t *len, struct vmsc_error *err)
{
	char *ds = NULL, *rel = NULL, *path = NULL, *edc = NULL, *eds = NULL, *url = NULL;
	const char *scheme_end = strstr(c->opts.url, "://");
	const char *host_end = scheme_end ? strchr(scheme_end + 3, '/') : NULL;
	int host_len = host_end ? (int)(host_end - c->opts.url) : (int)strlen(c->opts.url);
	int rc = -1;

	*data = NULL;
	*len = 0;
	if (!split_ds_path(ds_path, &ds, &rel)) {
		free(ds);
		free(rel);
		return vmsc_error_set(err, VMSC_E_PROTOCOL, "'%s' is not a datastore path", ds_path);
	}
	/* curl >= 7.82 escapes without a handle */
	path = escape_path(NULL, rel);
	edc = curl_easy_escape(NULL, datacenter, 0);
	eds = curl_easy_escape(NULL, ds, 0);
	if (!path || !edc || !eds ||
	    asprintf(&url, "%.*s/folder/%s?dcPath=%s&dsName=%s", host_len, c->opts.url, path, edc,
		     eds) < 0) {
		url = NULL;
		vmsc_error_set(err, VMSC_E_NOMEM, "out of memory");
	} else {
		rc = download(c, url, NULL, NULL, 0, ds_path, "GET /folder", max, data, len, err);
	}
	free(url);
	if (edc)
		curl_free(edc);
	if (eds)
		curl_free(eds);
	free(path);
	free(ds);
	free(rel);
	return rc;
}
