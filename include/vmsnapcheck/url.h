/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSNAPCHECK_URL_H
#define VMSNAPCHECK_URL_H

#include <stdbool.h>
#include <stddef.h>

#include "vmsnapcheck/error.h"

/*
 * Server URLs as -s, GOVC_URL, the config and --server-file give them:
 * host, host:port, https://host[:port][/path], [v6]:port, with an optional
 * user[:password]@ (the last '@' ends it: user names look like
 * ops@vsphere.local).  Parsed by libcurl's URL API in src/vsphere/url.c;
 * this header has no curl type.
 */

/* A parsed server: scheme is always https. */
struct vmsc_server_url {
	char *host;                   /* lowercase, without brackets for IPv6 */
	int port;                     /* 443 by default */
	char *path;                   /* "/sdk" by default */
	char *url;                    /* normalised https://host[:port]/path */
};

#define VMSC_URL_FORM "https://HOST[:PORT][/sdk]"

/* Parses `text`; the userinfo is stripped.  Messages never show a password. */
int vmsc_server_url_parse(struct vmsc_server_url *u, const char *text, struct vmsc_error *err);
/*
 * Same, and hands out the percent-decoded userinfo (malloc'd, NULL when
 * absent or empty; either pointer may be NULL to discard).  *password must
 * be wiped before it is freed (vmsc_password_free()).
 */
int vmsc_server_url_parse_auth(struct vmsc_server_url *u, const char *text, char **user,
			       char **password, struct vmsc_error *err);
void vmsc_server_url_release(struct vmsc_server_url *u);

/* Where the password of `text`'s userinfo is (it may be empty): the one
 * scanner of raw URLs, for masking them.  False when there is none. */
bool vmsc_url_password_span(const char *text, size_t *off, size_t *len);

#endif
