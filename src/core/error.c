/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vmsnapcheck/error.h"

static const char *const errcode_names[] = {
	[VMSC_OK] = "ok",
	[VMSC_E_USAGE] = "usage",
	[VMSC_E_CONFIG] = "config",
	[VMSC_E_IO] = "io",
	[VMSC_E_NOMEM] = "nomem",
	[VMSC_E_RESOLVE] = "resolve",
	[VMSC_E_CONNECT] = "connect",
	[VMSC_E_TLS] = "tls",
	[VMSC_E_TIMEOUT] = "timeout",
	[VMSC_E_HTTP] = "http",
	[VMSC_E_PROTOCOL] = "protocol",
	[VMSC_E_LOGIN] = "login",
	[VMSC_E_NOT_AUTHENTICATED] = "not-authenticated",
	[VMSC_E_NO_PERMISSION] = "no-permission",
	[VMSC_E_FAULT] = "fault",
	[VMSC_E_NOT_FOUND] = "not-found",
	[VMSC_E_INTERRUPTED] = "interrupted",
	[VMSC_E_INTERNAL] = "internal",
};

const char *vmsc_errcode_name(enum vmsc_errcode code)
{
	if ((size_t)code >= sizeof(errcode_names) / sizeof(errcode_names[0]) ||
	    !errcode_names[code])
		return "unknown";
	return errcode_names[code];
}

/* Cuts a truncated message back to a UTF-8 character boundary, so reports
 * never carry half a character. */
static void trim_partial_utf8(char *s, size_t len)
{
	size_t i = len;
	size_t need;
	unsigned char lead;

	while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0)
		return;
	lead = (unsigned char)s[i - 1];
	if (lead < 0x80)
		return;
	if ((lead & 0xE0) == 0xC0)
		need = 2;
	else if ((lead & 0xF0) == 0xE0)
		need = 3;
	else if ((lead & 0xF8) == 0xF0)
		need = 4;
	else
		return;
	if (len - (i - 1) < need)
		s[i - 1] = '\0';
}

int vmsc_error_set(struct vmsc_error *err, enum vmsc_errcode code, const char *fmt, ...)
{
	/* Formatted into a local buffer first: callers may pass err->message
	 * as an argument to prefix it ("reading 'x': %s"). */
	char buf[sizeof(err->message)];
	va_list ap;
	int n;

	if (!err)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		buf[0] = '\0';
	else if ((size_t)n >= sizeof(buf))
		trim_partial_utf8(buf, sizeof(buf) - 1);
	err->code = code;
	err->fault[0] = err->privilege[0] = '\0';
	/* only the string: the rest of buf is stale stack, which may hold
	 * whatever deeper calls left there (a Login request, say) */
	memcpy(err->message, buf, strlen(buf) + 1);
	return -1;
}

void vmsc_error_clear(struct vmsc_error *err)
{
	if (!err)
		return;
	err->code = VMSC_OK;
	err->message[0] = '\0';
	err->fault[0] = err->privilege[0] = '\0';
}

int vmsc_error_nomem(struct vmsc_error *err)
{
	return vmsc_error_set(err, VMSC_E_NOMEM, "out of memory");
}
