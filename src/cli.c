/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Command line, environment and config file into one struct vmsc_options.
 *
 * Each source only fills what the ones before it left unset:
 *   command line > environment > --config FILE or the default config file.
 *
 * To add an option: an OPT_ id, a row in cli_options[] (sorted by long name;
 * test_cli checks it), a case in set_option(), a line in vmsc_cli_usage()
 * and a description in docs/vmsnapcheck.1 (test_cli checks that too).
 * Formats come from the report table (src/report/report.c), not from here.
 *
 * There is no password option on purpose: argv is world-readable through
 * /proc and ps.  `--password` and `-p` exist only to say where passwords
 * come from, without echoing what was given.
 */
#define _GNU_SOURCE /* asprintf, getopt_long, explicit_bzero */
#include "vmsnapcheck/cli.h"
#include "vmsnapcheck/consistency.h"
#include "vmsnapcheck/report.h"
#include "vmsnapcheck/rules.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define TRY_HELP "try 'vmsnapcheck --help'"
#define NO_GUEST_PASSWORD_OPTION                                                     \
	"there is no guest password option: guest passwords are read from "        \
	"--guest-password-file, VMSNAPCHECK_GUEST_PASSWORD or [guest] password_file"
#define NO_PASSWORD_OPTION                                                         \
	"there is no password option: passwords are read from --password-file, " \
	"VMSNAPCHECK_PASSWORD or the prompt"

#define DEFAULT_TIMEOUT 60
#define TIMEOUT_MAX 3600
#define DEFAULT_PAGE_SIZE 500
#define PAGE_SIZE_MAX 10000
/* Far beyond any real password; bounds the stack buffers that hold one. */

enum opt_id {
	OPT_CACERT = 256, /* above every short option letter */
	OPT_CLUSTER,
	OPT_COLOR,
	OPT_CONFIG,
	OPT_DATACENTER,
	OPT_DEBUG,
	OPT_DOCS_URL,
	OPT_EXCLUDE,
	OPT_FACTS,
	OPT_FOLDER,
	OPT_FORCE,
	OPT_FORMAT,
	OPT_HELP,
	OPT_HISTORY_DAYS,
	OPT_INCLUDE_POWERED_OFF,
	OPT_INSECURE,
	OPT_LIST_RULES,
	OPT_NO_CONFIG,
	OPT_OUTPUT,
	OPT_PAGE_SIZE,
	OPT_CONNECTIONS,
	OPT_PASSWORD,
	OPT_PASSWORD_FILE,
	OPT_PROBE,
	OPT_PROBE_LIMIT,
	OPT_PROBE_TIMEOUT,
	OPT_QUIET,
	OPT_REQUIRE,
	OPT_SAVE_FACTS,
	OPT_SERVER,
	OPT_SERVER_FILE,
	OPT_THUMBPRINT,
	OPT_TIMEOUT,
	OPT_USERNAME,
	OPT_VERBOSE,
	OPT_VERSION,
	OPT_YES,
	/* --guest (docs/guest.md) */
	OPT_GUEST,
	OPT_GUEST_PARALLEL,
	OPT_GUEST_PASSWORD,
	OPT_GUEST_PASSWORD_FILE,
	OPT_GUEST_TIMEOUT,
	OPT_GUEST_USER,
	OPT_BASELINE,
	OPT_FAIL_ON,
};

struct cli_option {
	const char *name; /* long name; the table is sorted by it */
	char letter;      /* short form, 0 for none */
	char alias;       /* second short form (-H, as Nagios plugins spell it) */
	int has_arg;
	enum opt_id id;
};

static const struct cli_option cli_options[] = {
	{ "baseline", 0, 0, required_argument, OPT_BASELINE },
	{ "cacert", 0, 0, required_argument, OPT_CACERT },
	{ "cluster", 0, 0, required_argument, OPT_CLUSTER },
	{ "color", 0, 0, required_argument, OPT_COLOR },
	{ "config", 0, 0, required_argument, OPT_CONFIG },
	{ "connections", 0, 0, required_argument, OPT_CONNECTIONS },
	{ "datacenter", 0, 0, required_argument, OPT_DATACENTER },
	{ "debug", 0, 0, no_argument, OPT_DEBUG },
	{ "docs-url", 0, 0, required_argument, OPT_DOCS_URL },
	{ "exclude", 0, 0, required_argument, OPT_EXCLUDE },
	{ "facts", 0, 0, required_argument, OPT_FACTS },
	{ "fail-on", 0, 0, required_argument, OPT_FAIL_ON },
	{ "folder", 0, 0, required_argument, OPT_FOLDER },
	{ "force", 0, 0, no_argument, OPT_FORCE },
	{ "format", 'f', 0, required_argument, OPT_FORMAT },
	{ "guest", 0, 0, no_argument, OPT_GUEST },
	{ "guest-parallel", 0, 0, required_argument, OPT_GUEST_PARALLEL },
	/* refused, as --password is */
	{ "guest-password", 0, 0, required_argument, OPT_GUEST_PASSWORD },
	{ "guest-password-file", 0, 0, required_argument, OPT_GUEST_PASSWORD_FILE },
	{ "guest-timeout", 0, 0, required_argument, OPT_GUEST_TIMEOUT },
	{ "guest-user", 0, 0, required_argument, OPT_GUEST_USER },
	{ "help", 'h', 0, no_argument, OPT_HELP },
	{ "history-days", 0, 0, required_argument, OPT_HISTORY_DAYS },
	{ "include-powered-off", 0, 0, no_argument, OPT_INCLUDE_POWERED_OFF },
	{ "insecure", 'k', 0, no_argument, OPT_INSECURE },
	{ "list-rules", 0, 0, no_argument, OPT_LIST_RULES },
	{ "no-config", 0, 0, no_argument, OPT_NO_CONFIG },
	{ "output", 'o', 0, required_argument, OPT_OUTPUT },
	{ "page-size", 0, 0, required_argument, OPT_PAGE_SIZE },
	/* Refused.  An exact entry also stops getopt from taking `--password`
	 * as an abbreviation of --password-file, and takes its value along so
	 * it never becomes a VM glob. */
	{ "password", 0, 0, required_argument, OPT_PASSWORD },
	{ "password-file", 0, 0, required_argument, OPT_PASSWORD_FILE },
	{ "probe", 0, 0, no_argument, OPT_PROBE },
	{ "probe-limit", 0, 0, required_argument, OPT_PROBE_LIMIT },
	{ "probe-timeout", 0, 0, required_argument, OPT_PROBE_TIMEOUT },
	{ "quiet", 'q', 0, no_argument, OPT_QUIET },
	{ "require", 0, 0, required_argument, OPT_REQUIRE },
	{ "save-facts", 0, 0, required_argument, OPT_SAVE_FACTS },
	{ "server", 's', 'H', required_argument, OPT_SERVER },
	{ "server-file", 0, 0, required_argument, OPT_SERVER_FILE },
	{ "thumbprint", 0, 0, required_argument, OPT_THUMBPRINT },
	{ "timeout", 't', 0, required_argument, OPT_TIMEOUT },
	{ "username", 'u', 0, required_argument, OPT_USERNAME },
	{ "verbose", 'v', 0, no_argument, OPT_VERBOSE },
	{ "version", 'V', 0, no_argument, OPT_VERSION },
	{ "yes", 'y', 0, no_argument, OPT_YES },
};

#define N_OPTIONS (sizeof cli_options / sizeof cli_options[0])

/* What only parsing needs to know: which source set what. */
struct parse_state {
	bool doctor;
	bool help;
	bool version;
	bool list_rules;
	bool color_set;
	bool servers_from_cli;
	bool user_explicit;           /* -u or VMSNAPCHECK_USERNAME */
	struct vmsc_server_url govc;  /* GOVC_URL, when it parsed */
	bool govc_ok;
	bool govc_has_password;
	char *govc_user;
};

/* Names. */

const char *vmsc_color_mode_name(enum vmsc_color_mode mode)
{
	switch (mode) {
	case VMSC_COLOR_AUTO: return "auto";
	case VMSC_COLOR_ALWAYS: return "always";
	case VMSC_COLOR_NEVER: return "never";
	}
	return "?";
}

const char *vmsc_command_name(enum vmsc_command cmd)
{
	switch (cmd) {
	case VMSC_CMD_CHECK: return "check";
	case VMSC_CMD_DOCTOR: return "doctor";
	case VMSC_CMD_HELP: return "help";
	case VMSC_CMD_VERSION: return "version";
	case VMSC_CMD_LIST_RULES: return "list-rules";
	}
	return "?";
}

/* Puts "where: " in front of the message already in err. */
static int error_prefix(struct vmsc_error *err, enum vmsc_errcode code, const char *where)
{
	char msg[sizeof err->message];

	if (!where || err->code == VMSC_E_NOMEM)
		return -1;
	memcpy(msg, err->message, sizeof msg);
	return vmsc_error_set(err, code, "%s: %s", where, msg);
}

const char *vmsc_cli_env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static int set_string(char **dst, const char *value, struct vmsc_error *err)
{
	char *copy = strdup(value);

	if (!copy)
		return vmsc_error_nomem(err);
	free(*dst);
	*dst = copy;
	return 0;
}

static int append_string(char ***list, size_t *n, const char *value, struct vmsc_error *err)
{
	char **grown;
	char *copy = strdup(value);

	if (!copy)
		return vmsc_error_nomem(err);
	grown = realloc(*list, (*n + 1) * sizeof **list);
	if (!grown) {
		free(copy);
		return vmsc_error_nomem(err);
	}
	grown[(*n)++] = copy;
	*list = grown;
	return 0;
}

static void free_strings(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

/* Digits only (strtol alone would take " +12"); -1 when out of [min, max]. */
static int parse_int(const char *s, long min, long max, int *out)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

/* Like Go's strconv.ParseBool, which govc uses for GOVC_INSECURE, plus yes/no/on/off. */
static int parse_bool(const char *s)
{
	static const char *const yes[] = { "1", "t", "true", "yes", "on" };
	static const char *const no[] = { "0", "f", "false", "no", "off" };

	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	}
	return -1;
}

/* `path` as seen from the file that named it: relative paths in a config or
 * server file mean beside that file, not in whatever directory cron starts in. */
static char *path_beside(const char *file, const char *path)
{
	const char *slash = strrchr(file, '/');
	char *out;

	if (path[0] == '/' || !slash)
		return strdup(path);
	if (asprintf(&out, "%.*s/%s", (int)(slash - file), file, path) < 0)
		return NULL;
	return out;
}

const char *vmsc_server_username(const struct vmsc_options *o, const struct vmsc_server *server)
{
	if (server && server->username)
		return server->username;
	return o->username;
}

/* Servers. */

static void server_release(struct vmsc_server *s)
{
	vmsc_server_url_release(&s->url);
	free(s->username);
	free(s->password_file);
}

/*
 * Adds a server from `text`; `where` goes in front of messages (NULL on the
 * command line).  A password in the URL is refused: only GOVC_URL may carry
 * one (govc compatibility, handled apart), elsewhere it would sit in argv or
 * in a file whose mode nobody checks.
 */
static int add_server(struct vmsc_options *o, const char *text, const char *where,
		      const char *user, const char *password_file, struct vmsc_error *err)
{
	struct vmsc_server s = { 0 }, *grown;
	char *url_user = NULL, *url_pw = NULL;
	int ret = -1;

	if (vmsc_server_url_parse_auth(&s.url, text, &url_user, &url_pw, err) < 0) {
		error_prefix(err, VMSC_E_USAGE, where);
		goto out;
	}
	if (url_pw) {
		vmsc_error_set(err, VMSC_E_USAGE, "server '%s': no passwords in URLs: passwords "
			       "are read from --password-file, VMSNAPCHECK_PASSWORD or the prompt",
			       s.url.url);
		error_prefix(err, VMSC_E_USAGE, where);
		goto out;
	}
	for (size_t i = 0; i < o->n_servers; i++) {
		if (strcmp(o->servers[i].url.url, s.url.url) == 0) {
			vmsc_error_set(err, VMSC_E_USAGE,
				       "server '%s' is given twice: check it once", s.url.url);
			error_prefix(err, VMSC_E_USAGE, where);
			goto out;
		}
	}
	if (user)
		s.username = strdup(user);
	else
		s.username = url_user, url_user = NULL;
	if (password_file)
		s.password_file = strdup(password_file);
	if ((user && !s.username) || (password_file && !s.password_file)) {
		vmsc_error_nomem(err);
		goto out;
	}
	grown = realloc(o->servers, (o->n_servers + 1) * sizeof *o->servers);
	if (!grown) {
		vmsc_error_nomem(err);
		goto out;
	}
	o->servers = grown;
	o->servers[o->n_servers++] = s;
	memset(&s, 0, sizeof s);
	ret = 0;
out:
	server_release(&s);
	free(url_user);
	vmsc_password_free(url_pw);
	return ret;
}

/* Lines "URL [user|-] [password-file]"; `#` starts a comment. */
static int read_server_file(struct vmsc_options *o, const char *path, struct vmsc_error *err)
{
	FILE *f;
	char *line = NULL, *where = NULL, *pwfile = NULL;
	size_t cap = 0, before = o->n_servers;
	int lineno = 0, ret = -1;

	f = fopen(path, "re");
	if (!f)
		return vmsc_error_set(err, VMSC_E_IO, "cannot read server file '%s': %s", path,
				      strerror(errno));
	while (getline(&line, &cap, f) >= 0) {
		char *fields[3], *tok, *save = NULL;
		int n = 0;

		lineno++;
		free(where);
		if (asprintf(&where, "%s:%d", path, lineno) < 0) {
			where = NULL;
			vmsc_error_nomem(err);
			goto out;
		}
		for (tok = strtok_r(line, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save)) {
			if (tok[0] == '#')
				break;
			if (n == 3) {
				vmsc_error_set(err, VMSC_E_CONFIG,
					       "%s: too many fields: expected 'URL [user] [password-file]'",
					       where);
				goto out;
			}
			fields[n++] = tok;
		}
		if (n == 0)
			continue;
		free(pwfile);
		pwfile = NULL;
		if (n > 2 && !(pwfile = path_beside(path, fields[2]))) {
			vmsc_error_nomem(err);
			goto out;
		}
		if (add_server(o, fields[0], where, n > 1 && strcmp(fields[1], "-") ? fields[1] : NULL,
			       pwfile, err) < 0) {
			if (err->code == VMSC_E_USAGE)
				err->code = VMSC_E_CONFIG;
			goto out;
		}
	}
	if (ferror(f)) {
		vmsc_error_set(err, VMSC_E_IO, "cannot read server file '%s': %s", path,
			       strerror(errno));
		goto out;
	}
	if (o->n_servers == before) {
		vmsc_error_set(err, VMSC_E_CONFIG,
			       "server file '%s' lists no servers: put one 'URL [user] [password-file]' per line",
			       path);
		goto out;
	}
	ret = 0;
out:
	free(line);
	free(where);
	free(pwfile);
	fclose(f);
	return ret;
}

/* Options. */

void vmsc_options_init(struct vmsc_options *o)
{
	memset(o, 0, sizeof *o);
	o->command = VMSC_CMD_CHECK;
	o->insecure = -1;
	o->format = strdup("text"); /* NULL is caught by vmsc_cli_parse */
	o->timeout = DEFAULT_TIMEOUT;
	o->page_size = DEFAULT_PAGE_SIZE;
	o->connections = 2;
	o->probe_limit = 5;
	o->probe_timeout = 600;
	o->color = VMSC_COLOR_AUTO;
	o->guest_timeout = 60;
	o->guest_parallel = 4;
	vmsc_config_init(&o->config);
}

void vmsc_options_release(struct vmsc_options *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->n_servers; i++)
		server_release(&o->servers[i]);
	free(o->servers);
	free(o->server_file);
	free(o->username);
	free(o->password_file);
	free(o->cacert);
	free(o->thumbprint);
	free(o->datacenter);
	free(o->cluster);
	free(o->folder);
	free_strings(o->globs, o->n_globs);
	free_strings(o->excludes, o->n_excludes);
	free(o->config_file);
	free(o->format);
	free(o->output);
	free(o->docs_url);
	free(o->baseline);
	free(o->save_facts);
	free(o->facts);
	free(o->guest_user);
	free(o->guest_password_file);
	vmsc_config_release(&o->config);
	memset(o, 0, sizeof *o);
}

static const struct cli_option *option_by_id(int id)
{
	for (size_t i = 0; i < N_OPTIONS; i++)
		if ((int)cli_options[i].id == id)
			return &cli_options[i];
	return NULL;
}

static int id_by_letter(int c)
{
	for (size_t i = 0; i < N_OPTIONS; i++)
		if (cli_options[i].letter == c || cli_options[i].alias == c)
			return (int)cli_options[i].id;
	return 0;
}

/* "-:" = non-options come back in order as 1 (so POSIXLY_CORRECT changes
 * nothing), and ':' = missing values are ours to report. */
static void build_getopt(struct option *longopts, char *shortopts)
{
	size_t k = 0;

	shortopts[k++] = '-';
	shortopts[k++] = ':';
	for (size_t i = 0; i < N_OPTIONS; i++) {
		const struct cli_option *c = &cli_options[i];
		const char letters[2] = { c->letter, c->alias };

		longopts[i] = (struct option){ c->name, c->has_arg, NULL, (int)c->id };
		for (size_t j = 0; j < 2; j++) {
			if (!letters[j])
				continue;
			shortopts[k++] = letters[j];
			if (c->has_arg == required_argument)
				shortopts[k++] = ':';
		}
	}
	longopts[N_OPTIONS] = (struct option){ 0 };
	shortopts[k] = 0;
}

/* --pass, --passw, --passwd ...: someone is trying to give a password. */
static bool password_like(const char *name, size_t n)
{
	return (n >= 4 && strncmp(name, "password", n) == 0 && n <= 8) ||
	       (n == 6 && strncmp(name, "passwd", 6) == 0) || (n == 2 && strncmp(name, "pw", 2) == 0);
}

/* Messages for what getopt refused.  Never show what follows '=': it may be
 * a password. */
static int option_error(int c, const char *arg, struct vmsc_error *err)
{
	const struct cli_option *opt = optopt >= 256 ? option_by_id(optopt) : NULL;
	size_t n;

	if (optopt == 'p' || (opt && opt->id == OPT_PASSWORD))
		return vmsc_error_set(err, VMSC_E_USAGE, NO_PASSWORD_OPTION);
	if (opt && opt->id == OPT_GUEST_PASSWORD)
		return vmsc_error_set(err, VMSC_E_USAGE, NO_GUEST_PASSWORD_OPTION);
	if (c == ':') {
		if (opt)
			return vmsc_error_set(err, VMSC_E_USAGE,
					      "option '--%s' needs a value; " TRY_HELP, opt->name);
		return vmsc_error_set(err, VMSC_E_USAGE, "option '-%c' needs a value; " TRY_HELP,
				      optopt);
	}
	if (opt)
		return vmsc_error_set(err, VMSC_E_USAGE, "option '--%s' takes no value; " TRY_HELP,
				      opt->name);
	if (optopt)
		return vmsc_error_set(err, VMSC_E_USAGE, "unknown option '-%c'; " TRY_HELP,
				      isprint(optopt) ? optopt : '?');
	if (!arg || strncmp(arg, "--", 2) != 0)
		return vmsc_error_set(err, VMSC_E_USAGE, "unknown option; " TRY_HELP);
	arg += 2;
	n = strcspn(arg, "=");
	if (password_like(arg, n))
		return vmsc_error_set(err, VMSC_E_USAGE, NO_PASSWORD_OPTION);
	/* --guest-pass (else ambiguous), --guest-passwd, --guest-pw */
	if (n > 6 && strncmp(arg, "guest-", 6) == 0 && password_like(arg + 6, n - 6))
		return vmsc_error_set(err, VMSC_E_USAGE, NO_GUEST_PASSWORD_OPTION);

	char could[256] = "";
	size_t matches = 0, len = 0;

	for (size_t i = 0; i < N_OPTIONS; i++) {
		if (cli_options[i].id == OPT_PASSWORD || cli_options[i].id == OPT_GUEST_PASSWORD ||
		    strncmp(cli_options[i].name, arg, n) != 0)
			continue;
		int w = snprintf(could + len, sizeof could - len, "%s'--%s'", matches ? ", " : "",
				 cli_options[i].name);
		if (w > 0 && (size_t)w < sizeof could - len)
			len += (size_t)w;
		matches++;
	}
	if (matches > 1)
		return vmsc_error_set(err, VMSC_E_USAGE, "ambiguous option '--%.*s': could be %s",
				      (int)n, arg, could);
	return vmsc_error_set(err, VMSC_E_USAGE, "unknown option '--%.*s'; " TRY_HELP, (int)n, arg);
}

/* "text, json, ... or csv" from the report table. */
static void format_names(char *buf, size_t size)
{
	size_t n, len = 0;
	const struct vmsc_report_format *f = vmsc_report_formats(&n);

	buf[0] = 0;
	for (size_t i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
					i == 0 ? "" : i + 1 == n ? " or " : ", ", f[i].name);
}

static int set_option(struct vmsc_options *o, struct parse_state *st, int id, const char *arg,
		      struct vmsc_error *err)
{
	const struct cli_option *opt = option_by_id(id);

	if (!opt)
		return vmsc_error_set(err, VMSC_E_INTERNAL, "option %d is not in the table", id);
	if (id == OPT_PASSWORD)
		return vmsc_error_set(err, VMSC_E_USAGE, NO_PASSWORD_OPTION);
	if (id == OPT_GUEST_PASSWORD)
		return vmsc_error_set(err, VMSC_E_USAGE, NO_GUEST_PASSWORD_OPTION);
	if (opt->has_arg == required_argument && !*arg)
		return vmsc_error_set(err, VMSC_E_USAGE, "option '--%s' needs a non-empty value",
				      opt->name);

	switch ((enum opt_id)id) {
	case OPT_CACERT:
		return set_string(&o->cacert, arg, err);
	case OPT_CLUSTER:
		return set_string(&o->cluster, arg, err);
	case OPT_COLOR:
		if (strcmp(arg, "auto") == 0)
			o->color = VMSC_COLOR_AUTO;
		else if (strcmp(arg, "always") == 0)
			o->color = VMSC_COLOR_ALWAYS;
		else if (strcmp(arg, "never") == 0)
			o->color = VMSC_COLOR_NEVER;
		else
			return vmsc_error_set(err, VMSC_E_USAGE,
					      "bad color mode '%s': use auto, always or never", arg);
		st->color_set = true;
		return 0;
	case OPT_CONFIG:
		return set_string(&o->config_file, arg, err);
	case OPT_DATACENTER:
		return set_string(&o->datacenter, arg, err);
	case OPT_DEBUG:
		o->debug = true;
		return 0;
	case OPT_DOCS_URL:
		return set_string(&o->docs_url, arg, err);
	case OPT_EXCLUDE:
		return append_string(&o->excludes, &o->n_excludes, arg, err);
	case OPT_FACTS:
		return set_string(&o->facts, arg, err);
	case OPT_FOLDER:
		return set_string(&o->folder, arg, err);
	case OPT_FORMAT: {
		char names[256];

		if (vmsc_report_format_find(arg))
			return set_string(&o->format, arg, err);
		format_names(names, sizeof names);
		return vmsc_error_set(err, VMSC_E_USAGE, "unknown format '%s': use %s", arg, names);
	}
	case OPT_HELP:
		st->help = true;
		return 0;
	case OPT_INCLUDE_POWERED_OFF:
		o->include_powered_off = true;
		return 0;
	case OPT_INSECURE:
		o->insecure = 1;
		return 0;
	case OPT_LIST_RULES:
		st->list_rules = true;
		return 0;
	case OPT_NO_CONFIG:
		o->no_config = true;
		return 0;
	case OPT_OUTPUT:
		if (strcmp(arg, "-") == 0) {
			free(o->output);
			o->output = NULL;
			return 0;
		}
		return set_string(&o->output, arg, err);
	case OPT_PAGE_SIZE:
		if (parse_int(arg, 1, PAGE_SIZE_MAX, &o->page_size) < 0)
			return vmsc_error_set(err, VMSC_E_USAGE,
					      "bad page size '%s': use a number from 1 to %d", arg,
					      PAGE_SIZE_MAX);
		return 0;
	case OPT_CONNECTIONS:
		if (parse_int(arg, 1, 2, &o->connections) < 0)
			return vmsc_error_set(err, VMSC_E_USAGE,
					      "bad connection count '%s': use 1 (one page at a time) or 2 "
					      "(the next page is asked for while one is read)", arg);
		return 0;
	case OPT_PASSWORD:
		return vmsc_error_set(err, VMSC_E_USAGE, NO_PASSWORD_OPTION);
	case OPT_PROBE:
		o->probe = true;
		return 0;
	case OPT_PROBE_LIMIT:
		if (parse_int(arg, 1, 100, &o->probe_limit) < 0)
			return vmsc_error_set(err, VMSC_E_USAGE,
					      "bad --probe-limit '%s': use a number from 1 to 100", arg);
		return 0;
	case OPT_PROBE_TIMEOUT:
		if (parse_int(arg, 1, 86400, &o->probe_timeout) < 0)
			return vmsc_error_set(err, VMSC_E_USAGE,
					      "bad --probe-timeout '%s': use seconds from 1 to 86400", arg);
		return 0;
	case OPT_FORCE:
		o->force = true;
		return 0;
	case OPT_YES:
		o->yes = true;
		return 0;
	case OPT_BASELINE:
		return set_string(&o->baseline, arg, err);
	case OPT_FAIL_ON:
		if (strcmp(arg, "all") && strcmp(arg, "new"))
			return vmsc_error_set(err, VMSC_E_USAGE,
					      "bad --fail-on '%s': use all (every unwaived finding, the "
					      "default) or new (only those new since --baseline)", arg);
		o->fail_on_new = !strcmp(arg, "new");
		return 0;
	case OPT_HISTORY_DAYS:
		if (parse_int(arg, 1, 3650, &o->history_days) < 0)
			return vmsc_error_set(err, VMSC_E_USAGE,
					      "bad --history-days '%s': use a number from 1 to 3650", arg);
		return 0;
	case OPT_PASSWORD_FILE:
		return set_string(&o->password_file, arg, err);
	case OPT_QUIET:
		o->quiet++;
		return 0;
	case OPT_REQUIRE: {
		int level = vmsc_level_from_name(arg);

		if (level < 0)
			return vmsc_error_set(err, VMSC_E_USAGE,
					      "bad --require level '%s': use application, filesystem, "
					      "crash or none", arg);
		o->config.require_all = level; /* the config file never sets it */
		return 0;
	}
	case OPT_SAVE_FACTS:
		return set_string(&o->save_facts, arg, err);
	case OPT_SERVER:
		st->servers_from_cli = true;
		return add_server(o, arg, NULL, NULL, NULL, err);
	case OPT_SERVER_FILE:
		st->servers_from_cli = true;
		if (set_string(&o->server_file, arg, err) < 0)
			return -1;
		return read_server_file(o, arg, err);
	case OPT_THUMBPRINT:
		return set_string(&o->thumbprint, arg, err);
	case OPT_TIMEOUT:
		if (parse_int(arg, 1, TIMEOUT_MAX, &o->timeout) < 0)
			return vmsc_error_set(err, VMSC_E_USAGE,
					      "bad timeout '%s': use a whole number of seconds from 1 to %d",
					      arg, TIMEOUT_MAX);
		return 0;
	case OPT_USERNAME:
		return set_string(&o->username, arg, err);
	case OPT_VERBOSE:
		o->verbose++;
		return 0;
	case OPT_VERSION:
		st->version = true;
		return 0;
	case OPT_GUEST:
		o->guest = true;
		return 0;
	case OPT_GUEST_PARALLEL:
		if (parse_int(arg, 1, 64, &o->guest_parallel) < 0)
			return vmsc_error_set(err, VMSC_E_USAGE,
					      "bad --guest-parallel '%s': use a number from 1 to 64", arg);
		return 0;
	case OPT_GUEST_PASSWORD:
		return vmsc_error_set(err, VMSC_E_USAGE, NO_GUEST_PASSWORD_OPTION);
	case OPT_GUEST_PASSWORD_FILE:
		return set_string(&o->guest_password_file, arg, err);
	case OPT_GUEST_TIMEOUT:
		if (parse_int(arg, 1, 86400, &o->guest_timeout) < 0)
			return vmsc_error_set(err, VMSC_E_USAGE,
					      "bad --guest-timeout '%s': use seconds from 1 to 86400", arg);
		return 0;
	case OPT_GUEST_USER:
		return set_string(&o->guest_user, arg, err);
	}
	return vmsc_error_set(err, VMSC_E_INTERNAL, "option '--%s' is not handled", opt->name);
}

static int add_glob(struct vmsc_options *o, const char *glob, struct vmsc_error *err)
{
	if (!*glob)
		return vmsc_error_set(err, VMSC_E_USAGE,
				      "empty VM name pattern: give a glob such as 'sql-*'");
	return append_string(&o->globs, &o->n_globs, glob, err);
}

/* Environment: fills what the command line left unset. */
static int apply_env(struct vmsc_options *o, struct parse_state *st, struct vmsc_error *err)
{
	const char *govc_url = vmsc_cli_env("GOVC_URL"), *v;
	struct vmsc_error govc_err = { 0 };
	char *pw = NULL;
	int b;

	/* GOVC_URL may carry user:password@ as govc allows; the password is only
	 * noted here and read again by vmsc_password_read(). */
	if (govc_url) {
		if (vmsc_server_url_parse_auth(&st->govc, govc_url, &st->govc_user, &pw, &govc_err) == 0)
			st->govc_ok = true;
		st->govc_has_password = pw != NULL;
		vmsc_password_free(pw);
	}

	if (o->n_servers == 0 && !o->facts) {
		if ((v = vmsc_cli_env("VMSNAPCHECK_SERVER"))) {
			if (add_server(o, v, "VMSNAPCHECK_SERVER", NULL, NULL, err) < 0)
				return -1;
		} else if (govc_url) {
			if (!st->govc_ok) {
				*err = govc_err;
				return error_prefix(err, VMSC_E_USAGE, "GOVC_URL");
			}
			if (add_server(o, st->govc.url, "GOVC_URL", NULL, NULL, err) < 0)
				return -1;
		}
	}

	if (!o->username && (v = vmsc_cli_env("VMSNAPCHECK_USERNAME")) && set_string(&o->username, v, err) < 0)
		return -1;
	st->user_explicit = o->username != NULL;
	/* As in govc, the user in GOVC_URL beats GOVC_USERNAME; it belongs to that server only. */
	for (size_t i = 0; st->govc_ok && i < o->n_servers; i++) {
		struct vmsc_server *s = &o->servers[i];

		if (strcmp(s->url.url, st->govc.url) != 0)
			continue;
		if (st->govc_user && !st->user_explicit && !s->username &&
		    !(s->username = strdup(st->govc_user)))
			return vmsc_error_nomem(err);
		if (st->govc_has_password)
			o->password_from_env = true;
	}
	if (!o->username && (v = vmsc_cli_env("GOVC_USERNAME")) && set_string(&o->username, v, err) < 0)
		return -1;
	if (vmsc_cli_env("VMSNAPCHECK_PASSWORD") || vmsc_cli_env("GOVC_PASSWORD"))
		o->password_from_env = true;

	if (o->insecure < 0 && (v = vmsc_cli_env("GOVC_INSECURE"))) {
		if ((b = parse_bool(v)) < 0)
			return vmsc_error_set(err, VMSC_E_USAGE,
					      "GOVC_INSECURE='%s' is not a boolean: use 1 or 0", v);
		o->insecure = b;
	}
	if (!o->cacert && (v = vmsc_cli_env("GOVC_TLS_CA_CERTS")) && set_string(&o->cacert, v, err) < 0)
		return -1;
	/* https://no-color.org: present and not empty; --color still wins. */
	if (!st->color_set && vmsc_cli_env("NO_COLOR"))
		o->color = VMSC_COLOR_NEVER;
	return 0;
}

static int fill_path(char **dst, const char *config, const char *value, struct vmsc_error *err)
{
	if (*dst || !value)
		return 0;
	if (!(*dst = path_beside(config, value)))
		return vmsc_error_nomem(err);
	return 0;
}

/* One config file: --config FILE replaces the default one, it is not layered on it. */
static int apply_config(struct vmsc_options *o, struct vmsc_error *err)
{
	struct vmsc_config *c = &o->config;
	char *path = NULL;
	int ret = -1;

	if (o->no_config)
		return 0;
	path = o->config_file ? strdup(o->config_file) : vmsc_config_default_path();
	if (!path)
		return o->config_file ? vmsc_error_nomem(err) : 0;
	if (vmsc_config_load(c, path, err) < 0 || vmsc_rules_check_config(c, err) < 0)
		goto out;

	if (o->n_servers == 0 && !o->facts && c->server &&
	    add_server(o, c->server, path, NULL, NULL, err) < 0) {
		err->code = VMSC_E_CONFIG;
		goto out;
	}
	if (!o->username && c->username && set_string(&o->username, c->username, err) < 0)
		goto out;
	/* A password in the environment beats the config's password file. */
	if (!o->password_from_env && fill_path(&o->password_file, path, c->password_file, err) < 0)
		goto out;
	if (fill_path(&o->cacert, path, c->cacert, err) < 0)
		goto out;
	if (!o->thumbprint && c->thumbprint && set_string(&o->thumbprint, c->thumbprint, err) < 0)
		goto out;
	if (o->insecure < 0 && c->insecure >= 0)
		o->insecure = c->insecure;
	/* [guest] password files, like [connection]'s, are beside the config */
	for (size_t i = 0; i < c->n_guest_logins; i++) {
		char *pf = c->guest_logins[i].password_file;

		if (pf && pf[0] != '/') {
			c->guest_logins[i].password_file = NULL;
			if (fill_path(&c->guest_logins[i].password_file, path, pf, err) < 0) {
				c->guest_logins[i].password_file = pf;
				goto out;
			}
			free(pf);
		}
	}
	ret = 0;
out:
	free(path);
	return ret;
}

/* What a run needs, said once here rather than as a failed login later. */
static int check_required(const struct vmsc_options *o, struct vmsc_error *err)
{
	if (o->command == VMSC_CMD_LIST_RULES || o->facts)
		return 0;
	if (o->n_servers == 0)
		return vmsc_error_set(err, VMSC_E_USAGE,
				      "no server: use -s URL, VMSNAPCHECK_SERVER or GOVC_URL, "
				      "or 'server' in the config file");
	if (o->command != VMSC_CMD_CHECK)
		return 0; /* doctor reports a missing user name as one of its steps */
	for (size_t i = 0; i < o->n_servers; i++)
		if (!vmsc_server_username(o, &o->servers[i]))
			return vmsc_error_set(err, VMSC_E_USAGE,
					      "no user name for '%s': use -u USER, "
					      "VMSNAPCHECK_USERNAME or GOVC_USERNAME",
					      o->servers[i].url.url);
	return 0;
}

int vmsc_cli_parse(struct vmsc_options *o, int argc, char **argv, struct vmsc_error *err)
{
	struct option longopts[N_OPTIONS + 1];
	char shortopts[3 + 4 * N_OPTIONS];
	struct parse_state st = { 0 };
	int c, ret = -1;

	vmsc_error_clear(err);
	if (!o->format) {
		vmsc_error_nomem(err);
		goto out;
	}
	build_getopt(longopts, shortopts);

	/* `doctor` is a command only in first place: `vmsnapcheck -- doctor`
	 * checks a VM named doctor. */
	if (argc > 1 && strcmp(argv[1], "doctor") == 0) {
		st.doctor = true;
		argc--;
		argv++;
	}
	opterr = 0;
	optind = 0; /* glibc: 0 starts afresh, so parsing twice (tests) works */
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c == 1) {
			if (add_glob(o, optarg, err) < 0)
				goto out;
		} else if (c == '?' || c == ':') {
			option_error(c, optind > 0 && optind <= argc ? argv[optind - 1] : NULL, err);
			goto out;
		} else if (set_option(o, &st, c < 256 ? id_by_letter(c) : c, optarg, err) < 0) {
			goto out;
		}
	}
	for (; optind < argc; optind++)
		if (add_glob(o, argv[optind], err) < 0)
			goto out;

	o->command = st.help ? VMSC_CMD_HELP
		   : st.version ? VMSC_CMD_VERSION
		   : st.list_rules ? VMSC_CMD_LIST_RULES
		   : st.doctor ? VMSC_CMD_DOCTOR : VMSC_CMD_CHECK;
	if (o->command == VMSC_CMD_HELP || o->command == VMSC_CMD_VERSION) {
		ret = 0;
		goto out;
	}
	if (o->command == VMSC_CMD_DOCTOR && o->n_globs) {
		vmsc_error_set(err, VMSC_E_USAGE, "'doctor' takes no VM names: run "
			       "'vmsnapcheck doctor [options]', or 'vmsnapcheck -- doctor' for a VM named doctor");
		goto out;
	}
	if (o->command == VMSC_CMD_DOCTOR && o->facts) {
		vmsc_error_set(err, VMSC_E_USAGE,
			       "'doctor' checks a server connection: drop '--facts'");
		goto out;
	}
	if (o->config_file && o->no_config) {
		vmsc_error_set(err, VMSC_E_USAGE,
			       "'--config' and '--no-config' contradict each other: use one");
		goto out;
	}
	if (o->facts && o->save_facts) {
		vmsc_error_set(err, VMSC_E_USAGE,
			       "'--facts' reads saved facts, '--save-facts' saves them from a server: use one");
		goto out;
	}
	if (!o->guest && (o->guest_user || o->guest_password_file)) {
		vmsc_error_set(err, VMSC_E_USAGE,
			       "'--guest-user' and '--guest-password-file' are for guest checks: add '--guest'");
		goto out;
	}
	if (o->guest && o->guest_password_file && !o->guest_user) {
		vmsc_error_set(err, VMSC_E_USAGE,
			       "'--guest-password-file' needs '--guest-user USER'");
		goto out;
	}
	if (o->guest && o->facts) {
		vmsc_error_set(err, VMSC_E_USAGE,
			       "'--guest' runs checks inside live guests: it cannot work with '--facts'");
		goto out;
	}
	if (o->facts && st.servers_from_cli) {
		vmsc_error_set(err, VMSC_E_USAGE,
			       "'--facts' checks saved facts without a server: drop '--server'");
		goto out;
	}
	if (o->fail_on_new && !o->baseline) {
		vmsc_error_set(err, VMSC_E_USAGE, "'--fail-on new' counts findings that are new since "
			       "an earlier report: add '--baseline FILE'");
		goto out;
	}
	if (apply_env(o, &st, err) < 0 || apply_config(o, err) < 0)
		goto out;
	if (o->insecure < 0)
		o->insecure = 0;
	if (check_required(o, err) < 0)
		goto out;
	ret = 0;
out:
	vmsc_server_url_release(&st.govc);
	free(st.govc_user);
	return ret;
}

const char *vmsc_cli_option_name(size_t i)
{
	return i < N_OPTIONS ? cli_options[i].name : NULL;
}

/* Help. */

void vmsc_cli_usage(FILE *out)
{
	char names[256];

	fputs("Usage: vmsnapcheck [options] [VM-GLOB...]\n"
	      "       vmsnapcheck doctor [options]\n"
	      "       vmsnapcheck explain [RULE]\n"
	      "Check whether vSphere VMs can take quiesced (application-consistent) snapshots.\n"
	      "VM-GLOBs are fnmatch(3) patterns on VM names; without any, every VM is checked.\n"
	      "'doctor' (first argument only) checks the connection step by step.\n"
	      "\n"
	      "Connection:\n"
	      "  -s, -H, --server URL      HOST[:PORT], https://HOST[:PORT][/sdk] or\n"
	      "                            [V6ADDR]:PORT; repeat for several vCenters\n"
	      "                            (env VMSNAPCHECK_SERVER, else GOVC_URL)\n"
	      "      --server-file FILE    'URL [USER|-] [PASSWORD-FILE]' per line, # comments\n"
	      "  -u, --username USER       (env VMSNAPCHECK_USERNAME, else GOVC_USERNAME)\n"
	      "      --password-file FILE  mode 0600, one line; else env VMSNAPCHECK_PASSWORD,\n"
	      "                            GOVC_PASSWORD, else a prompt on a terminal;\n"
	      "                            there is no password option\n"
	      "  -k, --insecure            do not verify the TLS certificate (GOVC_INSECURE=1)\n"
	      "      --cacert FILE         CA certificates to trust (GOVC_TLS_CA_CERTS)\n"
	      "      --thumbprint FP       pin the server certificate by its fingerprint\n"
	      "  -t, --timeout SEC         per request, 1 to 3600 (default 60)\n"
	      "      --page-size N         VMs per page, 1 to 10000 (default 500)\n"
	      "      --connections N       per vCenter: 2 asks for the next page while one\n"
	      "                            is read (default), 1 keeps to one connection\n"
	      "\n"
	      "Scope:\n"
	      "      --datacenter NAME     only VMs in this datacenter\n"
	      "      --cluster NAME        only VMs in this cluster\n"
	      "      --folder PATH         only VMs under this folder\n"
	      "      --exclude GLOB        skip VMs whose name matches GLOB (repeatable)\n"
	      "      --include-powered-off also check powered-off and suspended VMs\n"
	      "\n"
	      "Output:\n",
	      out);
	format_names(names, sizeof names);
	fprintf(out, "  -f, --format FORMAT       %s\n"
		"                            (default %s)\n", names, vmsc_report_formats(NULL)->name);
	fputs("  -o, --output FILE         write the report to FILE, replaced atomically\n"
	      "                            ('-' = standard output)\n"
	      "      --color WHEN          auto, always or never (NO_COLOR means never)\n"
	      "      --docs-url URL        html: where the rules documentation is (default\n"
	      "                            " VMSC_REPORT_DOCS_URL ")\n"
	      "      --baseline FILE       compare with an earlier JSON report: mark new\n"
	      "                            findings, list the resolved ones\n"
	      "      --fail-on WHAT        all (default) or new: with new, the exit code\n"
	      "                            comes from new unwaived findings only\n"
	      "  -q, --quiet               no notices or progress; errors still shown\n"
	      "  -v, --verbose             list healthy VMs and count requests (repeatable)\n"
	      "      --debug               log each SOAP exchange to stderr, secrets masked\n"
	      "\n"
	      "Config and facts:\n"
	      "      --config FILE         read FILE instead of $XDG_CONFIG_HOME/vmsnapcheck/\n"
	      "                            config.ini or /etc/vmsnapcheck.ini\n"
	      "      --no-config           read no config file\n"
	      "      --save-facts FILE     also save the facts read from the servers (JSON)\n"
	      "      --facts FILE          check saved facts offline, without a server\n"
	      "      --list-rules          list the rules and exit\n"
	      "      --history-days N      look back N days for failed snapshot tasks\n"
	      "                            (default 7, config history_days)\n"
	      "      --require LEVEL       every selected VM needs LEVEL consistency:\n"
	      "                            application, filesystem, crash or none\n"
	      "                            (beats the config's [require] sections)\n"
	      "\n"
	      "Inside the guest (opt-in; docs/guest.md):\n"
	      "      --guest               also check inside powered-on guests through\n"
	      "                            vSphere Guest Operations (VMware Tools)\n"
	      "      --guest-user USER     guest account for every VM (else the config's\n"
	      "                            [guest \"GLOB\"] sections)\n"
	      "      --guest-password-file FILE  mode 0600, one line; else env\n"
	      "                            VMSNAPCHECK_GUEST_PASSWORD\n"
	      "      --guest-timeout SEC   per VM (default 60)\n"
	      "      --guest-parallel N    guests checked at once (default 4)\n"
	      "\n"
	      "Test snapshot (changes the VMs; opt-in, VM-GLOB required):\n"
	      "      --probe               take a quiesced snapshot of each selected VM, then\n"
	      "                            remove it; failures become 'probe-failed' findings\n"
	      "  -y, --yes                 do not ask for confirmation (needed without a TTY)\n"
	      "      --probe-limit N       refuse more than N VMs (default 5)\n"
	      "      --probe-timeout SEC   deadline per snapshot task (default 600)\n"
	      "      --force               probe even VMs whose findings predict a failure\n"
	      "\n"
	      "  -V, --version             print the version and exit\n"
	      "  -h, --help                print this help and exit\n"
	      "\n"
	      "Precedence: command line, then environment, then the config file.\n"
	      "\n"
	      "Exit status:\n"
	      "  0  every VM ok, skipped or waived\n"
	      "  1  a warning\n"
	      "  2  an error\n"
	      "  3  unknown: bad usage or config, connection, TLS, login or timeout failure,\n"
	      "     a VM or vCenter that could not be read, no VM matching the globs\n"
	      "  With --fail-on new, 1 and 2 come from findings new since --baseline only.\n",
	      out);
}

/* VMSNAPCHECK_MAX_RESPONSE_MB caps one reply (default 256 MiB; a page of
 * 500 VMs is ~4 MB): a broken or hostile server cannot exhaust memory. */
static size_t max_response_bytes(void)
{
	const char *v = getenv("VMSNAPCHECK_MAX_RESPONSE_MB");
	char *end;
	unsigned long mb;

	if (!v || !*v)
		return 0;
	mb = strtoul(v, &end, 10);
	if (*end || mb == 0 || mb > 4096)
		return 0;
	return (size_t)mb << 20;
}

void vmsc_cli_vsphere_options(const struct vmsc_options *o, const struct vmsc_server *server,
			      struct vmsc_vsphere_options *vo)
{
	memset(vo, 0, sizeof(*vo));
	vo->url = server->url.url;
	vo->host = server->url.host;
	vo->port = server->url.port;
	vo->username = vmsc_server_username(o, server);
	vo->insecure = o->insecure;
	vo->cacert = o->cacert;
	vo->thumbprint = o->thumbprint;
	vo->timeout = o->timeout;
	vo->max_response_bytes = max_response_bytes();
	vo->debug = o->debug;
	vo->connections = o->connections;
}
