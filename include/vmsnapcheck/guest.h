/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSNAPCHECK_GUEST_H
#define VMSNAPCHECK_GUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "vmsnapcheck/facts.h"

/*
 * What --guest learnt inside one guest (docs/guest.md), as plain C: filled
 * by the vSphere client (src/vsphere/guest.c) through the parsers below and
 * read by the guest rules (src/rules/guest_ops.c).  Everything a command
 * printed is kept as valid UTF-8 (vmsc_guest_text_utf8).  "Not read" is
 * never a finding: each part has its own *_read flag.
 */

/* The services whose Start value matters, in vmsc_guest_facts.start[]. */
enum vmsc_guest_service {
	VMSC_GUEST_SVC_VSS = 0,      /* Volume Shadow Copy */
	VMSC_GUEST_SVC_SWPRV,        /* Microsoft Software Shadow Copy Provider */
	VMSC_GUEST_SVC_EVENTSYSTEM,  /* COM+ Event System (VSS needs it) */
	VMSC_GUEST_SVC_VMVSS,        /* VMware Snapshot Provider (Tools' VSS support) */
	VMSC_GUEST_N_SVC,
};

/* A service's Start value when not a number 0..4. */
#define VMSC_GUEST_START_UNKNOWN (-1) /* not read */
#define VMSC_GUEST_START_MISSING (-2) /* the service's key does not exist */
#define VMSC_GUEST_START_DISABLED 4

struct vmsc_guest_writer {
	char *name;
	int state;                  /* the bracketed number; -1 when absent */
	char *state_text;           /* the localized word after it, or NULL */
	char *last_error;           /* as printed, or NULL when there is no such line */
	bool failed;                /* decided by vmsc_guest_parse_writers */
};

struct vmsc_guest_event {
	char *log;                  /* "Application", "System" */
	char *source;               /* provider name */
	long id;                    /* event id */
	char *first_line;           /* the description's first non-empty line, or NULL */
};

struct vmsc_guest_provider {
	char *key;                  /* subkey name, usually {GUID} */
	char *name;                 /* its default value, or NULL */
};

struct vmsc_guest_script {
	char *path;
	unsigned mode;              /* POSIX permission bits */
};

struct vmsc_guest_facts {
	bool windows;

	/* Registry (Windows): Start of each service, VMSC_GUEST_START_* otherwise. */
	int start[VMSC_GUEST_N_SVC];
	bool providers_read;
	struct vmsc_guest_provider *providers;
	size_t n_providers;

	/* tools.conf [vmbackup]: read (also when absent = defaults). */
	bool tools_conf_read;
	enum vmsc_tri disable_app_quiescing;
	enum vmsc_tri enable_vss;
	enum vmsc_tri enable_sync_driver;

	/* whoami /groups: TRUE with S-1-16-12288, FALSE with another integrity
	 * level, UNSET when not run or unreadable. */
	enum vmsc_tri elevated;

	bool writers_read;
	struct vmsc_guest_writer *writers;
	size_t n_writers;

	bool events_read;
	struct vmsc_guest_event *events;
	size_t n_events;
	int history_days;           /* the window the events were asked for */

	/* Linux freeze scripts that exist. */
	bool scripts_read;
	struct vmsc_guest_script *scripts;
	size_t n_scripts;

	/* ValidateCredentialsInGuest said InvalidGuestLogin (guest-login-failed). */
	bool login_failed;
	char *login_user;
};

void vmsc_guest_facts_init(struct vmsc_guest_facts *g);
void vmsc_guest_facts_release(struct vmsc_guest_facts *g);

/* The registry key name under HKLM\SYSTEM\CurrentControlSet\Services. */
const char *vmsc_guest_service_key(enum vmsc_guest_service s);

/*
 * Guest command output is in the guest's OEM code page (CP437, CP850 ...),
 * not UTF-8.  Returns a malloc'd NUL-terminated copy that is valid UTF-8:
 * the bytes themselves when they already are, else decoded as CP850 (whose
 * letters are those of CP437 where the two differ least for Western
 * languages); NUL bytes are dropped, CR LF becomes LF.  NULL when out of memory.
 */
char *vmsc_guest_text_utf8(const char *bytes, size_t len);

/*
 * Parsers.  Each takes text already made UTF-8, keys on structure and numbers
 * rather than on English words, and returns 0, or -1 when out of memory.
 * Parsing nothing recognisable is not an error: it leaves the part unread
 * (writers_read false and so on) so no rule fires on it.
 */

/* `vssadmin list writers`: a block per writer, "<label>: 'name'" at the
 * left margin, then indented lines: two {GUID}s, the state "[n] word", the
 * last error. */
int vmsc_guest_parse_writers(const char *text, struct vmsc_guest_facts *g);
/* Whether a writer's "last error" text means no error (known localized
 * strings, case-insensitive). */
bool vmsc_guest_no_error_text(const char *s);

/* `whoami /groups`: sets g->elevated. */
void vmsc_guest_parse_whoami(const char *text, struct vmsc_guest_facts *g);

/* `wevtutil qe LOG /f:text`: appends the events from VSS, volsnap, vmvss
 * and VMware Tools; sets events_read when the text was wevtutil's format
 * (also with no event at all). */
int vmsc_guest_parse_events(const char *text, const char *log, struct vmsc_guest_facts *g);

/* tools.conf: [vmbackup] vss.disableAppQuiescing, enableVSS,
 * enableSyncDriver; `text` NULL = no tools.conf (defaults).  Sets
 * tools_conf_read. */
void vmsc_guest_parse_tools_conf(const char *text, struct vmsc_guest_facts *g);

/* Registry results. */
int vmsc_guest_add_provider(struct vmsc_guest_facts *g, const char *key, const char *name);
/* Freeze scripts (Linux): one that exists, with its permission bits. */
int vmsc_guest_add_script(struct vmsc_guest_facts *g, const char *path, unsigned mode);

/* Known VSS providers that never stand in the way: Microsoft's software
 * provider and VMware's snapshot provider. */
bool vmsc_guest_provider_known(const struct vmsc_guest_provider *p);

#endif
