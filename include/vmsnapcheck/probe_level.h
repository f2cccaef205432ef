/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSNAPCHECK_PROBE_LEVEL_H
#define VMSNAPCHECK_PROBE_LEVEL_H

#include <stdbool.h>
#include <stddef.h>

#include "vmsnapcheck/consistency.h"

/*
 * The level a quiesced test snapshot actually reached, decided from what
 * the server recorded (docs/rules.md, probe-downgraded).  Plain data in,
 * a level out: no server needed to test it.
 */

enum vmsc_manifest_state {
	VMSC_MANIFEST_NONE = 0,       /* the snapshot records no VSS manifest */
	VMSC_MANIFEST_LISTED,         /* its zip was read: names below */
	VMSC_MANIFEST_UNREADABLE,     /* recorded, but not downloaded or not a zip */
};

struct vmsc_probe_evidence {
	bool quiesced;                /* VirtualMachineSnapshotTree.quiesced */
	enum vmsc_manifest_state manifest;
	const char *const *names;     /* file names inside the manifest zip */
	size_t n_names;
};

/* A VSS writer manifest inside vss-manifest.zip: wm<N>.xml (any case, any
 * folder inside the zip). */
bool vmsc_manifest_is_writer(const char *name);

/*
 * crash when not quiesced; application when the manifest holds a writer
 * manifest; filesystem when quiesced without one (backup.xml only, or no
 * manifest recorded); UNSET when a recorded manifest could not be read
 * (the level cannot be told).
 */
enum vmsc_level vmsc_probe_level(const struct vmsc_probe_evidence *e);

/* One line for messages: "quiesced, VSS manifest with 3 writer manifests". */
void vmsc_probe_evidence_describe(const struct vmsc_probe_evidence *e, char *buf, size_t len);

/*
 * The member names of a zip archive, from its central directory (names are
 * stored uncompressed there, so nothing is inflated).  *names gets a
 * malloc'd array of malloc'd strings.  0, or -1 when it is not a readable
 * zip (or out of memory).  At most 4096 names.
 */
int vmsc_zip_names(const unsigned char *buf, size_t len, char ***names, size_t *n);
void vmsc_zip_names_free(char **names, size_t n);

#endif
