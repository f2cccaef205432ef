/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSNAPCHECK_ERROR_H
#define VMSNAPCHECK_ERROR_H

/*
 * One error type for every layer: functions return 0 / -1 and fill a
 * struct vmsc_error.  Only main() turns it into a message and exit code.
 */

enum vmsc_errcode {
	VMSC_OK = 0,
	VMSC_E_USAGE,             /* bad command line */
	VMSC_E_CONFIG,            /* bad config / facts file */
	VMSC_E_IO,                /* local file problems */
	VMSC_E_NOMEM,
	VMSC_E_RESOLVE,           /* host name did not resolve */
	VMSC_E_CONNECT,           /* TCP connect failed */
	VMSC_E_TLS,               /* certificate / handshake */
	VMSC_E_TIMEOUT,
	VMSC_E_HTTP,              /* unexpected HTTP status */
	VMSC_E_PROTOCOL,          /* unreadable reply */
	VMSC_E_LOGIN,             /* InvalidLogin */
	VMSC_E_NOT_AUTHENTICATED, /* session expired */
	VMSC_E_NO_PERMISSION,
	VMSC_E_FAULT,             /* any other vSphere fault */
	VMSC_E_NOT_FOUND,         /* scope entity / VM glob matched nothing */
	VMSC_E_INTERRUPTED,       /* SIGINT / SIGTERM */
	VMSC_E_INTERNAL,
};

struct vmsc_error {
	enum vmsc_errcode code;
	char message[1024];
	/* A vSphere fault's vim25 type ("InvalidGuestLogin") and, for
	 * NoPermission, the missing privilegeId: set by the vSphere client,
	 * cleared by vmsc_error_set, so callers branch on the type rather than
	 * parse the message. */
	char fault[64];
	char privilege[128];
};

const char *vmsc_errcode_name(enum vmsc_errcode code);

/* Sets code and message; returns -1 so callers can `return vmsc_error_set(...)`. */
int vmsc_error_set(struct vmsc_error *err, enum vmsc_errcode code,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));

void vmsc_error_clear(struct vmsc_error *err);
/* VMSC_E_NOMEM "out of memory"; returns -1. */
int vmsc_error_nomem(struct vmsc_error *err);

#endif
