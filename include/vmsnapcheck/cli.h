/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSNAPCHECK_CLI_H
#define VMSNAPCHECK_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "vmsnapcheck/config.h"
#include "vmsnapcheck/error.h"
#include "vmsnapcheck/url.h"
#include "vmsnapcheck/vsphere.h"

/*
 * Command line, environment and config merged into one options struct.
 * Precedence: command line > environment > --config FILE > default config
 * files.  There is deliberately no password option.
 */

enum vmsc_color_mode { VMSC_COLOR_AUTO = 0, VMSC_COLOR_ALWAYS, VMSC_COLOR_NEVER };

enum vmsc_command { VMSC_CMD_CHECK = 0, VMSC_CMD_DOCTOR, VMSC_CMD_HELP, VMSC_CMD_VERSION,
		    VMSC_CMD_LIST_RULES };

/* "auto", "always", "never" / "check", "doctor", "help", "version", "list-rules". */
const char *vmsc_color_mode_name(enum vmsc_color_mode mode);
const char *vmsc_command_name(enum vmsc_command cmd);

struct vmsc_server {
	struct vmsc_server_url url;
	char *username;               /* NULL = the global one; see vmsc_server_username() */
	char *password_file;          /* NULL = the global source */
};

struct vmsc_options {
	enum vmsc_command command;

	struct vmsc_server *servers;
	size_t n_servers;
	char *server_file;
	char *username;
	char *password_file;
	bool password_from_env;       /* VMSNAPCHECK_PASSWORD / GOVC_PASSWORD was set, or
				       * GOVC_URL carries a password for one of the servers */
	int insecure;                 /* 0/1 after vmsc_cli_parse (-1 = unset while parsing) */
	char *cacert;
	char *thumbprint;

	char *datacenter;
	char *cluster;
	char *folder;
	char **globs;
	size_t n_globs;
	char **excludes;
	size_t n_excludes;
	bool include_powered_off;

	char *config_file;
	bool no_config;
	char *format;                 /* validated; "text" unless -f (set even when parsing fails
				       * later, so usage errors can be printed in that format) */
	char *output;                 /* NULL = stdout */
	char *docs_url;               /* html: rules documentation base URL; NULL = default */
	char *baseline;               /* --baseline FILE: an earlier JSON report */
	bool fail_on_new;             /* --fail-on new (needs --baseline) */
	int timeout;                  /* seconds per request, default 60 */
	int page_size;                /* default 500 */
	int connections;              /* per vCenter, 1 or 2 (default) */
	enum vmsc_color_mode color;
	int quiet;
	int verbose;
	bool debug;

	bool probe;                   /* quiesced test snapshot of the selected VMs */
	bool yes;                     /* no confirmation prompt for --probe */
	bool force;                   /* probe despite blocking findings */
	int probe_limit;              /* default 5 */
	int probe_timeout;            /* seconds per task, default 600 */
	int history_days;             /* 0 = config's history_days */

	char *save_facts;
	char *facts;                  /* evaluate offline, no server */

	/* --guest: checks inside powered-on guests (docs/guest.md) */
	bool guest;
	char *guest_user;             /* NULL: the config's [guest "GLOB"] sections */
	char *guest_password_file;    /* NULL: VMSNAPCHECK_GUEST_PASSWORD */
	int guest_timeout;            /* seconds per VM, default 60 */
	int guest_parallel;           /* default 4 */

	struct vmsc_config config;    /* thresholds, rules, waivers; --require sets
				       * config.require_all */
};

void vmsc_options_init(struct vmsc_options *o);
void vmsc_options_release(struct vmsc_options *o);

/*
 * Parses argv and the environment (`envp`-style lookups through getenv),
 * then loads the config file unless --no-config, filling what the command
 * line and environment left unset.  Errors: VMSC_E_USAGE or VMSC_E_CONFIG
 * (VMSC_E_IO for an unreadable --server-file, VMSC_E_NOMEM).  argv may be
 * permuted (getopt).  For -h/-V it stops after the command line: no
 * environment, no config.  For check and doctor it also insists on a server
 * (unless --facts), and for check on a user name for every server, so main
 * need not.
 */
int vmsc_cli_parse(struct vmsc_options *o, int argc, char **argv, struct vmsc_error *err);

/* The i-th long option's name, NULL past the last (for the docs test). */
const char *vmsc_cli_option_name(size_t i);

/* Usage text for -h. */
void vmsc_cli_usage(FILE *out);


/*
 * The connection options for `server` as the command line, environment and
 * config set them (TLS, timeout, user, VMSNAPCHECK_MAX_RESPONSE_MB); the
 * caller adds the password, display name and interrupt flag.
 */
void vmsc_cli_vsphere_options(const struct vmsc_options *o, const struct vmsc_server *server,
			      struct vmsc_vsphere_options *vo);

/* An environment variable, NULL when unset or empty (as NO_COLOR asks). */
const char *vmsc_cli_env(const char *name);

/* The user name to log in to `server` with: its own, else the global one (may be NULL). */
const char *vmsc_server_username(const struct vmsc_options *o, const struct vmsc_server *server);

/*
 * Reads the password for `server` (its own file, else the global file, else
 * VMSNAPCHECK_PASSWORD, else the password in GOVC_URL when it names this
 * server, else GOVC_PASSWORD, else a no-echo prompt when stdin is a TTY).
 * Refuses a file readable by group/others.  The buffer is malloc'd;
 * free it with vmsc_password_free(), which wipes it.
 *
 * The prompt reads /dev/tty (stdin when that cannot be opened) with echo
 * off.  SIGINT, SIGTERM, SIGHUP and SIGQUIT restore the terminal at once;
 * the function then puts back the caller's handlers, re-raises the signal
 * and fails with VMSC_E_INTERRUPTED.  `server` may be NULL.
 */
char *vmsc_password_read(const struct vmsc_options *o, const struct vmsc_server *server,
			 struct vmsc_error *err);
void vmsc_password_free(char *pw);
/* Wipes passwords from the environment once they have been read. */
void vmsc_password_forget_env(void);

/*
 * A guest password (--guest): from `file` when given (the rules of
 * --password-file), else VMSNAPCHECK_GUEST_PASSWORD; never a prompt.  NULL
 * with *err when there is none.  Free with vmsc_password_free().
 * vmsc_password_forget_env() wipes VMSNAPCHECK_GUEST_PASSWORD too.
 */
char *vmsc_guest_password_read(const char *file, struct vmsc_error *err);

#endif
