/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSNAPCHECK_CONFIG_H
#define VMSNAPCHECK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "vmsnapcheck/error.h"
#include "vmsnapcheck/result.h"

/* Config file (INI), see design.md "Config file". */

struct vmsc_thresholds {
	int max_snapshots;            /* default 3 */
	int max_snapshot_age_hours;   /* default 72 */
	int min_guest_free_percent;   /* default 10 */
	int history_days;             /* default 7 */
};

struct vmsc_rule_setting {
	const char *rule;             /* static id from the rule table */
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
	int line;
	size_t matches;               /* findings it matched during this run */
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

	char *path;                   /* file it was read from, NULL for defaults */
};

/* Defaults: thresholds as in design.md, nothing else set. */
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

/* Whether a rule is enabled, and its effective severity (override or default). */
bool vmsc_config_rule_enabled(const struct vmsc_config *cfg, const char *rule);
enum vmsc_severity vmsc_config_rule_severity(const struct vmsc_config *cfg, const char *rule,
					     enum vmsc_severity dflt);

/* Applies waivers to the VM's findings: marks waived ones, attaches the waiver
 * (also an expired one, with expired = true), counts matches, then updates
 * the VM status.  `now` decides expiry. */
int vmsc_config_apply_waivers(struct vmsc_config *cfg, const char *vcenter,
			      struct vmsc_vm_result *vm, time_t now);

#endif
