/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libcurl set-up for the gSOAP curl plugin: TLS policy, certificate
 * pinning inside the handshake, one place for timeouts, a response byte
 * cap, the session cookie, and the --debug trace with secrets masked.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "internal.h"
#include "vmsnapcheck/fingerprint.h"

#define CONNECT_TIMEOUT_MAX 10L
#define DEFAULT_TIMEOUT 60L
#define DEFAULT_MAX_BYTES (256u * 1024u * 1024u)

static int ex_index = -1;

/* Whether the leaf's SHA-1 (20-byte pin) or SHA-256 (32) is `pin`. */
static bool leaf_matches(X509 *cert, const unsigned char *pin, size_t pin_len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;

	return X509_digest(cert, pin_len == 20 ? EVP_sha1() : EVP_sha256(), md, &len) &&
	       len == pin_len && memcmp(md, pin, len) == 0;
}

/*
 * An ESXi host's certificate: its leaf matching the thumbprint vCenter
 * reports for the host is enough (vCenter was verified, so its word is);
 * otherwise the chain must verify and the leaf must name the host.  Errors
 * above the leaf are remembered and let through, so that a self-signed
 * host certificate still reaches the thumbprint comparison.
 */
static int verify_host_cb(struct vmsc_transport *t, int preverify_ok, X509_STORE_CTX *store,
			  X509 *cert, int depth)
{
	if (depth != 0) {
		if (!preverify_ok && !t->chain_error)
			t->chain_error = X509_STORE_CTX_get_error(store);
		return 1;
	}
	if (t->host_pin_len && leaf_matches(cert, t->host_pin, t->host_pin_len)) {
		X509_STORE_CTX_set_error(store, X509_V_OK);
		return 1;
	}
	if (t->chain_error || !preverify_ok) {
		if (!t->verify_error)
			t->verify_error = t->chain_error ? t->chain_error : X509_STORE_CTX_get_error(store);
		return 0;
	}
	/* curl's own name check is off in this mode (a thumbprint match needs none) */
	if (X509_check_host(cert, t->check_host, 0, 0, NULL) != 1 &&
	    X509_check_ip_asc(cert, t->check_host, 0) != 1) {
		t->verify_error = X509_V_ERR_HOSTNAME_MISMATCH;
		X509_STORE_CTX_set_error(store, X509_V_ERR_HOSTNAME_MISMATCH);
		return 0;
	}
	return 1;
}

/*
 * Runs for each certificate of the chain.  The leaf's SHA-256 is kept for
 * the "untrusted certificate" message; with a pin, the leaf must match it
 * and CA trust no longer matters (govc's --thumbprint semantics).
 */
static int verify_cb(int preverify_ok, X509_STORE_CTX *store)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
	SSL_CTX *ctx = ssl ? SSL_get_SSL_CTX(ssl) : NULL;
	struct vmsc_transport *t = ctx ? SSL_CTX_get_ex_data(ctx, ex_index) : NULL;
	X509 *cert = X509_STORE_CTX_get_current_cert(store);
	int depth = X509_STORE_CTX_get_error_depth(store);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;

	if (!t || !cert)
		return preverify_ok;
	if (depth == 0) {
		if (X509_digest(cert, EVP_sha256(), md, &len))
			vmsc_fingerprint_format(md, len, t->peer_sha256, sizeof(t->peer_sha256));
		if (!preverify_ok && !t->verify_error && !t->host_mode)
			t->verify_error = X509_STORE_CTX_get_error(store);
	}
	if (t->host_mode)
		return verify_host_cb(t, preverify_ok, store, cert, depth);
	if (!t->pin_len) {
		if (!preverify_ok && !t->verify_error)
			t->verify_error = X509_STORE_CTX_get_error(store);
		return preverify_ok;
	}
	if (depth != 0)
		return 1;
	if (!leaf_matches(cert, t->pin, t->pin_len)) {
		t->pin_mismatch = true;
		return 0;
	}
	X509_STORE_CTX_set_error(store, X509_V_OK);
	return 1;
}

static CURLcode ssl_ctx_cb(CURL *curl, void *sslctx, void *userptr)
{
	SSL_CTX *ctx = sslctx;
	struct vmsc_transport *t = userptr;

	(void)curl;
	SSL_CTX_set_ex_data(ctx, ex_index, t);
	/* With a pin, curl's own verification is off; ours decides. */
	if (t->pin_len)
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_cb);
	else
		SSL_CTX_set_verify(ctx, SSL_CTX_get_verify_mode(ctx), verify_cb);
	return CURLE_OK;
}

static int xferinfo_cb(void *userp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct vmsc_transport *t = userp;

	(void)dltotal;
	(void)ultotal;
	(void)ulnow;
	t->received = dlnow;
	/* CURLOPT_MAXFILESIZE only sees Content-Length; chunked replies need this. */
	if ((size_t)dlnow > t->max_bytes) {
		t->over_cap = true;
		return 1;
	}
	if (t->opts->interrupted && *t->opts->interrupted) {
		t->interrupted = true;
		return 1;
	}
	return 0;
}

static size_t header_cb(char *buf, size_t size, size_t nitems, void *userp)
{
	struct vmsc_transport *t = userp;
	size_t n = size * nitems;

	if (n > 5 && memcmp(buf, "HTTP/", 5) == 0) {
		size_t len = n < sizeof(t->status_line) - 1 ? n : sizeof(t->status_line) - 1;

		memcpy(t->status_line, buf, len);
		while (len && (t->status_line[len - 1] == '\n' || t->status_line[len - 1] == '\r'))
			len--;
		t->status_line[len] = '\0';
	}
	return n;
}

/* ---- --debug trace ---------------------------------------------------- */

/*
 * One character of XML text at s (len > 0): an entity or character
 * reference stands for the character it names.  *width gets the bytes it
 * takes; -1 for a reference naming more than a byte (never in a secret).
 */
static int xml_char(const char *s, size_t len, size_t *width)
{
	static const struct { const char *ref; size_t n; char c; } named[] = {
		{ "&amp;", 5, '&' }, { "&lt;", 4, '<' }, { "&gt;", 4, '>' },
		{ "&quot;", 6, '"' }, { "&apos;", 6, '\'' },
	};
	size_t i;
	unsigned v = 0;
	bool hex;

	*width = 1;
	if (s[0] != '&')
		return (unsigned char)s[0];
	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		if (len >= named[i].n && !memcmp(s, named[i].ref, named[i].n)) {
			*width = named[i].n;
			return (unsigned char)named[i].c;
		}
	}
	/* &#34; &#x22; ...: how some serialisers write quotes and controls */
	if (len < 4 || s[1] != '#')
		return '&';
	hex = s[2] == 'x';
	for (i = hex ? 3 : 2; i < len && i < 12 && s[i] != ';'; i++) {
		if (hex ? !isxdigit((unsigned char)s[i]) : !isdigit((unsigned char)s[i]))
			return '&';
		v = v * (hex ? 16 : 10) +
		    (unsigned)(isdigit((unsigned char)s[i]) ? s[i] - '0'
							    : tolower((unsigned char)s[i]) - 'a' + 10);
	}
	if (i >= len || s[i] != ';' || i == (hex ? 3u : 2u))
		return '&';
	*width = i + 1;
	return v < 256 ? (int)v : -1;
}

/*
 * Stars out the secret wherever it appears, raw or XML-escaped in any mix
 * of entity and character references.  Matches against the borrowed
 * password itself: no escaped copy of it is ever built.
 */
static void mask_secret(char *s, size_t len, const char *secret)
{
	size_t sl = secret ? strlen(secret) : 0;

	if (!sl)
		return;
	for (size_t i = 0; i < len; i++) {
		size_t j = i, k = 0, w;

		/* raw first: a raw secret may itself contain "&amp;" */
		if (len - i >= sl && !memcmp(s + i, secret, sl)) {
			memset(s + i, '*', sl);
			i += sl - 1;
			continue;
		}
		while (k < sl && j < len && xml_char(s + j, len - j, &w) == (unsigned char)secret[k]) {
			j += w;
			k++;
		}
		if (k == sl) {
			memset(s + i, '*', j - i);
			i = j - 1;
		}
	}
}

/* Masks a header's value after "Name:" up to the end of the line. */
static void mask_header(char *s, size_t len, const char *name)
{
	size_t nl = strlen(name);

	for (size_t i = 0; i + nl <= len; i++) {
		if ((i == 0 || s[i - 1] == '\n') && strncasecmp(s + i, name, nl) == 0) {
			size_t j = i + nl;

			while (j < len && s[j] == ' ')
				j++;
			while (j < len && s[j] != '\r' && s[j] != '\n' && s[j] != ';')
				s[j++] = '*';
		}
	}
}

/* Masks the text of every <...key> element (any prefix). */
static void mask_element(char *s, const char *tail)
{
	for (char *p = strstr(s, tail); p; p = strstr(p + 1, tail)) {
		if (p == s || (p[-1] != '<' && p[-1] != ':'))
			continue;
		/* skip closing tags */
		char *open = p - 1;
		while (open > s && *open != '<')
			open--;
		if (open[1] == '/')
			continue;
		for (char *q = p + strlen(tail); *q && *q != '<'; q++)
			*q = '*';
	}
}

static int debug_cb(CURL *curl, curl_infotype type, char *data, size_t size, void *userp)
{
	struct vmsc_transport *t = userp;
	const char *prefix;
	char *copy;

	(void)curl;
	switch (type) {
	case CURLINFO_TEXT: prefix = "* "; break;
	case CURLINFO_HEADER_IN: prefix = "< "; break;
	case CURLINFO_HEADER_OUT: prefix = "> "; break;
	case CURLINFO_DATA_IN: prefix = "<< "; break;
	case CURLINFO_DATA_OUT: prefix = ">> "; break;
	default: return 0;
	}
	copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	mask_secret(copy, size, t->opts->password);
	mask_header(copy, size, "Cookie:");
	mask_header(copy, size, "Set-Cookie:");
	/* guest operations carry the guest password in <password> (guest.c) */
	if (type == CURLINFO_DATA_OUT)
		mask_element(copy, "password>");
	/* curl's own notes ("Added cookie vmware_soap_session=...") carry the value too */
	if (type == CURLINFO_TEXT && strcasestr(copy, "cookie"))
		for (char *p = strchr(copy, '='); p && *p && *p != '\n'; p++)
			*p = '*';
	/* the session key in LoginResponse may equal the cookie value */
	if (type == CURLINFO_DATA_IN && strstr(copy, "LoginResponse"))
		mask_element(copy, "key>");
	fprintf(stderr, "%s%s%s", prefix, copy, size && copy[size - 1] == '\n' ? "" : "\n");
	explicit_bzero(copy, size); /* a form mask_secret() does not know */
	free(copy);
	return 0;
}

static int parse_thumbprint(struct vmsc_transport *t, const char *fp, struct vmsc_error *err)
{
	int n = vmsc_fingerprint_parse(fp, t->pin);

	if (n < 0)
		return vmsc_error_set(err, VMSC_E_USAGE,
				      "invalid thumbprint '%s': expected a SHA-256 (32 bytes) or SHA-1 "
				      "(20 bytes) fingerprint in hex, e.g. AB:CD:...", fp);
	t->pin_len = (size_t)n;
	return 0;
}

int vmsc_vsphere_global_init(void)
{
	if (vmsc_wipe_global_init(CURL_GLOBAL_DEFAULT) < 0)
		return -1;
	xmlInitParser();
	if (ex_index < 0)
		ex_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	return ex_index < 0 ? -1 : 0;
}

void vmsc_vsphere_global_cleanup(void)
{
	xmlCleanupParser();
	curl_global_cleanup();
}

int vmsc_transport_init(struct vmsc_transport *t, const struct vmsc_vsphere_options *o,
			struct vmsc_error *err)
{
	long timeout = o->timeout > 0 ? o->timeout : DEFAULT_TIMEOUT;
	CURL *h;

	memset(t, 0, sizeof(*t));
	t->opts = o;
	t->max_bytes = o->max_response_bytes ? o->max_response_bytes : DEFAULT_MAX_BYTES;
	if (ex_index < 0)
		ex_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	if (o->thumbprint && parse_thumbprint(t, o->thumbprint, err) < 0)
		return -1;
	h = curl_easy_init();
	if (!h)
		return vmsc_error_set(err, VMSC_E_NOMEM, "cannot initialise libcurl");
	t->curl = h;

	/* Timeouts live here only: the plugin would override these from
	 * soap->*_timeout, which we leave at 0. */
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, timeout < CONNECT_TIMEOUT_MAX ? timeout : CONNECT_TIMEOUT_MAX);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout);
	/* a stalled peer is caught before the full timeout on long transfers */
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, timeout);

	curl_easy_setopt(h, CURLOPT_COOKIEFILE, ""); /* keep vmware_soap_session in memory */
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, t);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, t);

	if (o->insecure || t->pin_len) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	} else {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
		if (o->cacert)
			curl_easy_setopt(h, CURLOPT_CAINFO, o->cacert);
	}
	if (curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, ssl_ctx_cb) != CURLE_OK) {
		if (t->pin_len)
			return vmsc_error_set(err, VMSC_E_TLS,
					      "this libcurl cannot check certificates itself; "
					      "--thumbprint needs libcurl built with OpenSSL");
	} else {
		curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, t);
	}
	if (o->debug) {
		curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
		curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, debug_cb);
		curl_easy_setopt(h, CURLOPT_DEBUGDATA, t);
	}
	return 0;
}

int vmsc_transport_for_host(struct vmsc_transport *t, const char *host, const char *thumbprint,
			    struct vmsc_error *err)
{
	int n;

	t->host_mode = true;
	t->pin_len = 0;
	t->host_pin_len = 0;
	snprintf(t->check_host, sizeof(t->check_host), "%s", host);
	if (thumbprint && *thumbprint) {
		n = vmsc_fingerprint_parse(thumbprint, t->host_pin);
		if (n < 0)
			return vmsc_error_set(err, VMSC_E_PROTOCOL,
					      "vCenter reports an unreadable certificate thumbprint "
					      "'%s' for ESXi host '%s'", thumbprint, host);
		t->host_pin_len = (size_t)n;
	}
	if (t->opts->insecure)
		return 0;
	/* the CA store is loaded (VERIFYPEER); the name is checked in verify_host_cb */
	curl_easy_setopt(t->curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(t->curl, CURLOPT_SSL_VERIFYHOST, 0L);
	if (t->opts->cacert)
		curl_easy_setopt(t->curl, CURLOPT_CAINFO, t->opts->cacert);
	return 0;
}

void vmsc_transport_begin(struct vmsc_transport *t)
{
	t->received = 0;
	t->over_cap = false;
	t->status_line[0] = '\0';
	/* after a drop the pool may hold connections a middlebox already killed */
	if (t->curl)
		curl_easy_setopt(t->curl, CURLOPT_FRESH_CONNECT, t->fresh ? 1L : 0L);
	t->fresh = false;
}

void vmsc_transport_drop_cookies(struct vmsc_transport *t)
{
	if (t->curl)
		curl_easy_setopt(t->curl, CURLOPT_COOKIELIST, "ALL");
}

void vmsc_transport_release(struct vmsc_transport *t)
{
	if (t->curl)
		curl_easy_cleanup(t->curl);
	curl_slist_free_all(t->resolve);
	memset(t, 0, sizeof(*t));
}
