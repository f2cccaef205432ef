/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a quiesced test snapshot achieved.  The VDDK Programming Guide
 * ("Application-Consistent Backup and Restore") says to check the VSS
 * manifest zip: only the backup components document (backup.xml) means
 * file-system quiescing, writer manifests too mean application quiescing.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vmsnapcheck/probe_level.h"

#define ZIP_MAX_NAMES 4096
#define EOCD_SIG 0x06054b50u
#define CDH_SIG 0x02014b50u
#define EOCD_LEN 22u
#define CDH_LEN 46u

bool vmsc_manifest_is_writer(const char *name)
{
	const char *base = name ? strrchr(name, '/') : NULL;
	size_t len;

	if (!name)
		return false;
	base = base ? base + 1 : name;
	if (strchr(base, '\\'))
		base = strrchr(base, '\\') + 1;
	len = strlen(base);
	if (len < 7 || strncasecmp(base, "wm", 2) || strcasecmp(base + len - 4, ".xml"))
		return false;
	/* wm0.xml, wm12.xml: digits only between the two */
	for (size_t i = 2; i < len - 4; i++)
		if (!isdigit((unsigned char)base[i]))
			return false;
	return true;
}

static size_t count_writers(const struct vmsc_probe_evidence *e)
{
	size_t n = 0;

	for (size_t i = 0; i < e->n_names; i++)
		if (vmsc_manifest_is_writer(e->names[i]))
			n++;
	return n;
}

enum vmsc_level vmsc_probe_level(const struct vmsc_probe_evidence *e)
{
	if (!e->quiesced)
		return VMSC_LEVEL_CRASH;
	switch (e->manifest) {
	case VMSC_MANIFEST_NONE:
		return VMSC_LEVEL_FILESYSTEM;
	case VMSC_MANIFEST_LISTED:
		return count_writers(e) ? VMSC_LEVEL_APPLICATION : VMSC_LEVEL_FILESYSTEM;
	case VMSC_MANIFEST_UNREADABLE:
		break;
	}
	return VMSC_LEVEL_UNSET;
}

void vmsc_probe_evidence_describe(const struct vmsc_probe_evidence *e, char *buf, size_t len)
{
	size_t w;

	if (!e->quiesced) {
		snprintf(buf, len, "the snapshot is not quiesced");
		return;
	}
	switch (e->manifest) {
	case VMSC_MANIFEST_NONE:
		snprintf(buf, len, "quiesced, but without a VSS manifest");
		break;
	case VMSC_MANIFEST_LISTED:
		w = count_writers(e);
		if (w)
			snprintf(buf, len, "quiesced, VSS manifest with %zu writer manifest%s", w,
				 w == 1 ? "" : "s");
		else
			snprintf(buf, len, "quiesced, VSS manifest without writer manifests "
				 "(backup components document only)");
		break;
	case VMSC_MANIFEST_UNREADABLE:
		snprintf(buf, len, "quiesced, VSS manifest unreadable");
		break;
	}
}

static uint32_t le16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
	return le16(p) | le16(p + 2) << 16;
}

void vmsc_zip_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int vmsc_zip_names(const unsigned char *buf, size_t len, char ***names, size_t *n)
{
	const unsigned char *eocd = NULL;
	size_t entries, cd_size, cd_off, pos;
	char **out;

	*names = NULL;
	*n = 0;
	if (!buf || len < EOCD_LEN)
		return -1;
	/* the end record sits before a comment of at most 64 KiB */
	for (size_t i = len - EOCD_LEN + 1; i-- > 0 && len - i <= EOCD_LEN + 0xffffu;) {
		if (le32(buf + i) == EOCD_SIG && i + EOCD_LEN + le16(buf + i + 20) == len) {
			eocd = buf + i;
			break;
		}
	}
	if (!eocd)
		return -1;
	entries = le16(eocd + 10);
	cd_size = le32(eocd + 12);
	cd_off = le32(eocd + 16);
	/* ZIP64 markers, multi-disk archives: not what a VSS manifest is */
	if (le16(eocd + 4) || le16(eocd + 6) || entries == 0xffffu || cd_off == 0xffffffffu ||
	    entries > ZIP_MAX_NAMES || cd_off > (size_t)(eocd - buf) ||
	    cd_size > (size_t)(eocd - buf) - cd_off)
		return -1;
	out = calloc(entries ? entries : 1, sizeof(*out));
	if (!out)
		return -1;
	pos = cd_off;
	for (size_t i = 0; i < entries; i++) {
		size_t name_len, extra, comment, end = cd_off + cd_size;

		if (end - pos < CDH_LEN || le32(buf + pos) != CDH_SIG)
			goto bad;
		name_len = le16(buf + pos + 28);
		extra = le16(buf + pos + 30);
		comment = le16(buf + pos + 32);
		if (end - pos - CDH_LEN < name_len + extra + comment)
			goto bad;
		out[i] = strndup((const char *)buf + pos + CDH_LEN, name_len);
		if (!out[i] || strlen(out[i]) != name_len)
			goto bad;
		*n = i + 1;
		pos += CDH_LEN + name_len + extra + comment;
	}
	*names = out;
	return 0;
bad:
	vmsc_zip_names_free(out, entries);
	*n = 0;
	return -1;
}
