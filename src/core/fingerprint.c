/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <stdio.h>

#include "vmsnapcheck/fingerprint.h"

void vmsc_fingerprint_format(const unsigned char *md, size_t len, char *out, size_t outlen)
{
	size_t pos = 0;

	if (!outlen)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < len && pos + 4 <= outlen; i++)
		pos += (size_t)snprintf(out + pos, outlen - pos, i ? ":%02X" : "%02X", md[i]);
}

int vmsc_fingerprint_parse(const char *text, unsigned char out[VMSC_FINGERPRINT_MAX])
{
	size_t n = 0;
	int hi = -1;

	for (const char *p = text; *p; p++) {
		int v;

		if (*p == ':' || *p == ' ')
			continue;
		if (!isxdigit((unsigned char)*p) || n >= VMSC_FINGERPRINT_MAX)
			return -1;
		v = isdigit((unsigned char)*p) ? *p - '0' : tolower((unsigned char)*p) - 'a' + 10;
		if (hi < 0) {
			hi = v;
		} else {
			out[n++] = (unsigned char)(hi << 4 | v);
			hi = -1;
		}
	}
	return hi >= 0 || (n != 20 && n != 32) ? -1 : (int)n;
}
