/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSNAPCHECK_FINGERPRINT_H
#define VMSNAPCHECK_FINGERPRINT_H

#include <stddef.h>

/*
 * Certificate fingerprints as admins see them (AB:CD:..., as govc and the
 * vSphere client print them) and as --thumbprint takes them.
 */

#define VMSC_FINGERPRINT_MAX 32       /* SHA-256 */
#define VMSC_FINGERPRINT_TEXT (VMSC_FINGERPRINT_MAX * 3)

/* Upper-case hex pairs joined by ':' (truncated to fit outlen). */
void vmsc_fingerprint_format(const unsigned char *md, size_t len, char *out, size_t outlen);

/* Hex with optional ':' or ' ' separators, either case, into bytes.
 * Returns the byte count, 20 (SHA-1) or 32 (SHA-256), or -1 when malformed. */
int vmsc_fingerprint_parse(const char *text, unsigned char out[VMSC_FINGERPRINT_MAX]);

#endif
