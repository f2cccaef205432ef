/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * Server URLs through libcurl's URL API (CURLU): curl does the parsing,
 * percent-decoding and port checks; this file adds what vSphere needs
 * (https only, /sdk by default, no query) and messages that say what to
 * type instead.  The one thing curl reads differently from govc is the
 * userinfo: curl ends it at the first '@', govc (Go's net/url) at the
 * last, and vSphere user names contain '@' — so the earlier ones are
 * escaped before curl sees the URL.
 */

#define _GNU_SOURCE
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "internal.h"
#include "vmsnapcheck/url.h"

#define DEFAULT_PORT 443
#define DEFAULT_PATH "/sdk"

/* The authority of `text`: after "scheme://" (if any), up to / ? #. */
static const char *authority(const char *text, const char **end)
{
	const char *scheme = strstr(text, "://");
	const char *start = scheme ? scheme + 3 : text;

	*end = start + strcspn(start, "/?#");
	return start;
}

/* The last '@' of the authority, or NULL. */
static const char *userinfo_end(const char *text)
{
	const char *end, *start = authority(text, &end);

	return memrchr(start, '@', (size_t)(end - start));
}

bool vmsc_url_password_span(const char *text, size_t *off, size_t *len)
{
	const char *end, *start = authority(text, &end);
	const char *at = memrchr(start, '@', (size_t)(end - start));
	const char *colon = at ? memchr(start, ':', (size_t)(at - start)) : NULL;

	if (!colon)
		return false;
	*off = (size_t)(colon + 1 - text);
	*len = (size_t)(at - colon - 1);
	return true;
}

/* A copy of `text` fit for messages: the password becomes ***. */
static char *for_messages(const char *text)
{
	size_t off, len;
	char *out;

	if (!vmsc_url_password_span(text, &off, &len))
		return strdup(text);
	if (asprintf(&out, "%.*s***%s", (int)off, text, text + off + len) < 0)
		return NULL;
	return out;
}

/* `text` with every '@' of the userinfo but the last as %40. */
static char *escape_userinfo(const char *text)
{
	const char *at = userinfo_end(text), *end, *start = authority(text, &end);
	size_t extra = 0;
	char *out, *o;

	for (const char *p = start; at && p < at; p++)
		extra += *p == '@' ? 2 : 0;
	if (!(out = malloc(strlen(text) + extra + 1)))
		return NULL;
	o = out;
	for (const char *p = text; *p; p++) {
		if (*p == '@' && at && p >= start && p < at) {
			memcpy(o, "%40", 3);
			o += 3;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

/* curl keeps a '%' without two hex digits as it is: in a userinfo it is a
 * typo, and a password with it would fail to log in for no clear reason. */
static bool userinfo_escapes_ok(const char *text)
{
	const char *at = userinfo_end(text), *end, *start = authority(text, &end);

	for (const char *p = start; at && p < at; p++)
		if (*p == '%' && !(isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])))
			return false;
	return true;
}

static void wipe_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* The port as written (for messages): after the host's last ':'. */
static void raw_port(const char *text, char *buf, size_t size)
{
	const char *end, *start = authority(text, &end), *at = userinfo_end(text);
	const char *host = at ? at + 1 : start;
	const char *bracket = memchr(host, ']', (size_t)(end - host));
	const char *colon = memrchr(bracket ? bracket : host, ':',
				    (size_t)(end - (bracket ? bracket : host)));

	snprintf(buf, size, "%.*s", colon ? (int)(end - colon - 1) : 0, colon ? colon + 1 : "");
}

/* A host as vSphere can be named: letters, digits, - . _ (and IPv6 in []). */
static bool host_ok(const char *host, char *bad)
{
	for (const char *c = host; *c; c++) {
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '.' && *c != '_') {
			*bad = *c;
			return false;
		}
	}
	return true;
}

static int usage(struct vmsc_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int usage(struct vmsc_error *err, const char *fmt, ...)
{
	char msg[sizeof(err->message)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return vmsc_error_set(err, VMSC_E_USAGE, "%s", msg);
}

/* curl's verdict on the URL as a whole, in words that say what to type. */
static int set_failed(CURLUcode rc, const char *text, const char *shown, struct vmsc_error *err)
{
	const char *end, *start = authority(text, &end), *at = userinfo_end(text);
	const char *host = at ? at + 1 : start;
	size_t hlen = strcspn(host, ":/?#");
	char port[16], bad = 0;

	switch (rc) {
	case CURLUE_OUT_OF_MEMORY:
		return vmsc_error_nomem(err);
	case CURLUE_BAD_PORT_NUMBER:
		raw_port(text, port, sizeof(port));
		return usage(err, "server '%s': bad port '%s': use 1 to 65535", shown, port);
	case CURLUE_NO_HOST:
		return usage(err, "server '%s': no host name: use " VMSC_URL_FORM, shown);
	case CURLUE_BAD_IPV6:
		return usage(err, "server '%s': bad IPv6 address in brackets: use e.g. "
			     "'[fd00::1]:443'", shown);
	case CURLUE_BAD_HOSTNAME: {
		char *h = strndup(host, hlen);

		if (!h)
			return vmsc_error_nomem(err);
		if (!host_ok(h, &bad)) {
			usage(err, "server '%s': bad character '%c' in host name '%s'", shown, bad, h);
			free(h);
			return -1;
		}
		free(h);
		return usage(err, "server '%s': bad host name: use " VMSC_URL_FORM, shown);
	}
	default:
		return usage(err, "server '%s': not a URL curl can read (%s): use " VMSC_URL_FORM,
			     shown, curl_url_strerror(rc));
	}
}

/* Checks before curl: what it would accept, or explain worse. */
static int precheck(const char *text, const char *shown, struct vmsc_error *err)
{
	const char *scheme = strstr(text, "://"), *end, *start = authority(text, &end);
	const char *at = userinfo_end(text), *hp = at ? at + 1 : start, *colon;
	size_t n;

	for (const char *p = text; *p; p++)
		if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
			return usage(err, "server '%s': spaces and control characters are not "
				     "allowed in a URL", shown);
	/* curl takes "https:/x" as a scheme with one slash; we would not */
	n = strspn(text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");
	if (n && text[n] == ':' && text[n + 1] == '/' && !scheme)
		return usage(err, "server '%s': a scheme needs '://': use " VMSC_URL_FORM, shown);
	if (scheme) {
		n = (size_t)(scheme - text);
		if (n == 4 && strncasecmp(text, "http", 4) == 0)
			return usage(err, "server '%s': vSphere needs https: use 'https://%s'", shown,
				     strstr(shown, "://") + 3);
		if (n != 5 || strncasecmp(text, "https", 5) != 0)
			return usage(err, "server '%s': unsupported scheme '%.*s': use " VMSC_URL_FORM,
				     shown, (int)n, text);
	}
	if (strpbrk(end, "?#"))
		return usage(err, "server '%s': a query or fragment is not allowed: use "
			     VMSC_URL_FORM, shown);
	/* a bare IPv6 address can't tell its last group from a port */
	colon = *hp != '[' ? memchr(hp, ':', (size_t)(end - hp)) : NULL;
	if (colon && memchr(colon + 1, ':', (size_t)(end - colon - 1)))
		return usage(err, "server '%s': put an IPv6 address in brackets: '[%.*s]'", shown,
			     (int)(end - hp), hp);
	if (*hp == '[') {
		const char *close = memchr(hp, ']', (size_t)(end - hp));

		if (!close)
			return usage(err, "server '%s': missing ']' after the IPv6 address", shown);
		if (close + 1 < end && close[1] != ':')
			return usage(err, "server '%s': unexpected '%c' after the IPv6 address", shown,
				     close[1]);
	}
	/* curl decodes %XX in a host name, after its IPv4 normalisation: the
	 * result would not parse to itself ("%39" -> "9" -> "0.0.0.9") */
	if (*hp != '[' && memchr(hp, '%', (size_t)(end - hp)))
		return usage(err, "server '%s': bad character '%%' in host name: use " VMSC_URL_FORM,
			     shown);
	/* curl reads "https:///sdk" as host "sdk" */
	if (hp == end || *hp == ':')
		return usage(err, "server '%s': no host name: use " VMSC_URL_FORM, shown);
	if (!userinfo_escapes_ok(text))
		return usage(err, "server '%s': bad %%-escape in the user name or password", shown);
	return 0;
}

/* One part, NULL when absent (and that is fine), -1 on a real error. */
static int get_part(CURLU *h, CURLUPart part, unsigned flags, char **out)
{
	CURLUcode rc = curl_url_get(h, part, out, flags);

	if (rc == CURLUE_OK)
		return 0;
	*out = NULL;
	switch (rc) {
	case CURLUE_NO_USER:
	case CURLUE_NO_PASSWORD:
	case CURLUE_NO_PORT:
	case CURLUE_NO_QUERY:
	case CURLUE_NO_FRAGMENT:
		return 0;
	default:
		return -1;
	}
}

int vmsc_server_url_parse_auth(struct vmsc_server_url *u, const char *text, char **user,
			       char **password, struct vmsc_error *err)
{
	char *shown = NULL, *escaped = NULL, *host = NULL, *port = NULL, *path = NULL;
	char *ui_user = NULL, *ui_pw = NULL, *end, bad;
	CURLU *h = NULL;
	CURLUcode rc;
	int ret = -1, w;
	long portnum = DEFAULT_PORT;
	bool v6 = false;
	size_t n;

	memset(u, 0, sizeof(*u));
	if (user)
		*user = NULL;
	if (password)
		*password = NULL;
	if (!text || !*text)
		return usage(err, "server URL is empty: use " VMSC_URL_FORM);
	if (!(shown = for_messages(text)) || !(escaped = escape_userinfo(text)) ||
	    !(h = curl_url())) {
		vmsc_error_nomem(err);
		goto out;
	}
	if (precheck(text, shown, err) < 0)
		goto out;
	rc = curl_url_set(h, CURLUPART_URL, escaped, CURLU_DEFAULT_SCHEME);
	if (rc != CURLUE_OK) {
		set_failed(rc, text, shown, err);
		goto out;
	}
	if (get_part(h, CURLUPART_HOST, 0, &host) < 0 || get_part(h, CURLUPART_PORT, 0, &port) < 0 ||
	    get_part(h, CURLUPART_PATH, 0, &path) < 0) {
		vmsc_error_nomem(err);
		goto out;
	}
	/* decoding rejects control characters (%00, %0a) */
	if (get_part(h, CURLUPART_USER, CURLU_URLDECODE, &ui_user) < 0 ||
	    get_part(h, CURLUPART_PASSWORD, CURLU_URLDECODE, &ui_pw) < 0) {
		usage(err, "server '%s': bad %%-escape in the user name or password", shown);
		goto out;
	}
	if (!host || !*host) {
		usage(err, "server '%s': no host name: use " VMSC_URL_FORM, shown);
		goto out;
	}
	if (host[0] == '[') {
		v6 = true;
		n = strlen(host);
		memmove(host, host + 1, n - 2);
		host[n - 2] = '\0';
	} else if (!host_ok(host, &bad)) {
		usage(err, "server '%s': bad character '%c' in host name '%s'", shown, bad, host);
		goto out;
	}
	for (char *c = host; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	if (port) {
		portnum = strtol(port, &end, 10);
		if (*end || portnum < 1 || portnum > 65535) {
			usage(err, "server '%s': bad port '%s': use 1 to 65535", shown, port);
			goto out;
		}
	}
	/* "/sdk/" and "/sdk" are the same endpoint; "/" alone means the default */
	n = path ? strlen(path) : 0;
	while (n > 0 && path[n - 1] == '/')
		path[--n] = '\0';
	if (!n) {
		curl_free(path);
		path = NULL;
	}
	u->path = strdup(path ? path : DEFAULT_PATH);
	u->host = strdup(host);
	if (portnum != DEFAULT_PORT)
		w = asprintf(&u->url, "https://%s%s%s:%ld%s", v6 ? "[" : "", host, v6 ? "]" : "",
			     portnum, u->path ? u->path : "");
	else
		w = asprintf(&u->url, "https://%s%s%s%s", v6 ? "[" : "", host, v6 ? "]" : "",
			     u->path ? u->path : "");
	if (w < 0)
		u->url = NULL;
	if (!u->path || !u->host || !u->url) {
		vmsc_error_nomem(err);
		goto out;
	}
	u->port = (int)portnum;
	if (user && ui_user && *ui_user && !(*user = strdup(ui_user))) {
		vmsc_error_nomem(err);
		goto out;
	}
	if (password && ui_pw && *ui_pw && !(*password = strdup(ui_pw))) {
		vmsc_error_nomem(err);
		goto out;
	}
	ret = 0;
out:
	if (ret < 0) {
		vmsc_server_url_release(u);
		if (user) {
			free(*user);
			*user = NULL;
		}
	}
	if (ui_pw)
		explicit_bzero(ui_pw, strlen(ui_pw));
	if (ret < 0 && password && *password) {
		wipe_free(*password);
		*password = NULL;
	}
	/* curl's copy of the URL holds the password too */
	if (escaped)
		explicit_bzero(escaped, strlen(escaped));
	free(escaped);
	free(shown);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(ui_user);
	curl_free(ui_pw);
	curl_url_cleanup(h);
	return ret;
}

int vmsc_server_url_parse(struct vmsc_server_url *u, const char *text, struct vmsc_error *err)
{
	return vmsc_server_url_parse_auth(u, text, NULL, NULL, err);
}

void vmsc_server_url_release(struct vmsc_server_url *u)
{
	if (!u)
		return;
	free(u->host);
	free(u->path);
	free(u->url);
	memset(u, 0, sizeof(*u));
}

/* Host and port of an absolute https URL (the port defaulted); -1 when it
 * is not one. */
static int host_port(const char *url, char **host, char **port)
{
	CURLU *h = curl_url();
	int rc = -1;

	*host = *port = NULL;
	if (h && curl_url_set(h, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_HOST, host, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_PORT, port, CURLU_DEFAULT_PORT) == CURLUE_OK)
		rc = 0;
	curl_url_cleanup(h);
	if (rc < 0) {
		curl_free(*host);
		curl_free(*port);
		*host = *port = NULL;
	}
	return rc;
}

char *vmsc_url_other_host(const char *url, const char *server_url)
{
	char *h1, *p1, *h2, *p2, *out = NULL;

	if (host_port(url, &h1, &p1) < 0)
		return NULL;
	if (host_port(server_url, &h2, &p2) < 0 || strcasecmp(h1, h2) != 0 || strcmp(p1, p2) != 0) {
		size_t n = strlen(h1);

		/* IPv6 literals come bracketed; certificates name them bare */
		out = h1[0] == '[' && n > 2 ? strndup(h1 + 1, n - 2) : strdup(h1);
	}
	curl_free(h1);
	curl_free(p1);
	curl_free(h2);
	curl_free(p2);
	return out;
}
