/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSNAPCHECK_CONFIG_H
#define VMSNAPCHECK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "vmsnapcheck/error.h"
#include "vmsnapcheck/result.h"

/* Config file (INI), see README.md and docs/vmsnapcheck.1. */

/* Plain data: the config layer knows no rule.  Rule ids are checked against
 * the rule table after loading (vmsc_rules_check_config), waivers are
 * applied by the rules layer. */

struct vmsc_thresholds {
	int max_snapshots;
	int max_snapshot_age_hours;
	int min_guest_free_percent;
	int history_days;
	char **snapshot_ignore;       /* snapshot-name globs (backup software's own) */
	size_t n_snapshot_ignore;
	int snapshot_ignore_max_age_hours; /* older ignored snapshots count again */
	int datastore_min_free_percent;
	int snapshot_reserve_percent; /* of the VM's provisioned size on a datastore */
};

/* [backup]: where the backup software records its last run (backup-age). */
struct vmsc_backup {
	char *attribute;              /* a custom attribute's name, or */
	char *notes_regex;            /* a POSIX ERE on the notes with one capture group */
	char *time_format;            /* strptime(3); NULL = RFC 3339 / ISO 8601 */
	int max_age_hours;
	int line;                     /* of the section; 0 = no [backup]: rule off */
};

/* [guest "GLOB"]: guest credentials for --guest (first match wins). */
struct vmsc_guest_login {
	char *glob;
	char *username;
	char *password_file;
	int line;
};

/* The defaults, in one place (README.md and docs/vmsnapcheck.1). */
extern const struct vmsc_thresholds vmsc_thresholds_default;

struct vmsc_rule_setting {
	char *rule;                   /* rule id as written; checked after loading */
	bool enabled;
	int severity;                 /* 0 = rule default, else enum vmsc_severity */
	int line;
};

struct vmsc_waiver {
	char *name;
	char *vm_glob;                /* fnmatch(3), case-sensitive, on the decoded name */
	char *rule;                   /* rule id or "*" */
	char *reason;
	char *expires;                /* YYYY-MM-DD */
	time_t expires_end;           /* first second after that day (local time) */
	char *vcenter;                /* optional */
	int line;                     /* of its section */
	int rule_line;                /* of its `rule =` key */
};

/* [require "GLOB"]: the consistency level the matching VMs need. */
struct vmsc_require {
	char **globs;                 /* the section's name, then each `vm =` */
	size_t n_globs;
	int level;                    /* enum vmsc_level */
	int line;
};

struct vmsc_config {
	/* [connection]; NULL when not set */
	char *server;
	char *username;
	char *password_file;
	char *cacert;
	char *thumbprint;
	int insecure;                 /* -1 unset, 0, 1 */

	struct vmsc_thresholds thresholds;

	struct vmsc_rule_setting *rules;
	size_t n_rules;

	struct vmsc_waiver *waivers;
	size_t n_waivers;

	struct vmsc_require *requires; /* first match wins */
	size_t n_requires;
	int require_all;              /* --require LEVEL (enum vmsc_level), beats [require] */

	struct vmsc_backup backup;

	struct vmsc_guest_login *guest_logins;
	size_t n_guest_logins;

	char *path;                   /* file it was read from, NULL for defaults */
};

/* Defaults: thresholds as README.md documents them, nothing else set. */
void vmsc_config_init(struct vmsc_config *cfg);
void vmsc_config_release(struct vmsc_config *cfg);

/* Parses an INI file into cfg (which must be initialised).  Errors are
 * VMSC_E_CONFIG with "FILE:LINE: what is wrong" (the first error only); cfg
 * then holds what was read before it and must still be released. */
int vmsc_config_load(struct vmsc_config *cfg, const char *path, struct vmsc_error *err);
/* Same, from a string (for tests); `name` is used in messages. */
int vmsc_config_load_string(struct vmsc_config *cfg, const char *text, const char *name,
			    struct vmsc_error *err);

/* Finds the default config file (XDG_CONFIG_HOME/vmsnapcheck/config.ini, or
 * $HOME/.config/vmsnapcheck/config.ini when XDG_CONFIG_HOME is unset or not
 * absolute, then /etc/vmsnapcheck.ini); returns a malloc'd path or NULL when
 * none exists. */
char *vmsc_config_default_path(void);
/* The i-th key any section accepts (and its section), NULL past the last:
 * for the test that holds the docs to the tables. */
const char *vmsc_config_key(size_t i, const char **section);

/* A rule's [rule "ID"] enabled (else `dflt`: the rules layer knows which rules
 * are off by default) and its effective severity (override or `dflt`). */
bool vmsc_config_rule_enabled(const struct vmsc_config *cfg, const char *rule, bool dflt);
enum vmsc_severity vmsc_config_rule_severity(const struct vmsc_config *cfg, const char *rule,
					     enum vmsc_severity dflt);


#endif
