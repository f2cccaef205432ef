/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * Config file (README.md and docs/vmsnapcheck.1), parsed with inih.
 *
 * Debian's libinih is built with INI_HANDLER_LINENO 0 (the handler gets no
 * line number), INI_MAX_LINE 200 and INI_ALLOW_MULTILINE 1.  So we feed it
 * through ini_parse_stream() with our own reader, which:
 *  - counts lines, so every error says FILE:LINE;
 *  - refuses lines longer than inih's buffer, which fgets-style reading
 *    would silently split into two lines;
 *  - strips leading whitespace, so an indented line is an ordinary line and
 *    never a continuation glued onto the previous value ("  rule = x" after
 *    "vm = y" would otherwise make vm "y rule = x");
 *  - parses section headers itself (inih truncates them at 50 characters
 *    and does not report empty sections), and checks each line's syntax
 *    before inih sees it so the message can say what is wrong.
 * Parsing stops at the first error: one precise message beats a list whose
 * later entries are consequences of the first.
 */

#define _GNU_SOURCE
#include <ctype.h>
#include <regex.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "vmsnapcheck/config.h"
#include "vmsnapcheck/consistency.h"

#define CONFIG_MAX_BYTES (1024 * 1024)

/* --- defaults ------------------------------------------------------------ */

const struct vmsc_thresholds vmsc_thresholds_default = {
	.max_snapshots = 3,
	.max_snapshot_age_hours = 72,
	.min_guest_free_percent = 10,
	.history_days = 7,
	.snapshot_ignore_max_age_hours = 24,
	.datastore_min_free_percent = 10,
	.snapshot_reserve_percent = 20,
};

void vmsc_config_init(struct vmsc_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->insecure = -1;
	cfg->thresholds = vmsc_thresholds_default;
	cfg->backup.max_age_hours = 26;
}

static void waiver_release(struct vmsc_waiver *w)
{
	free(w->name);
	free(w->vm_glob);
	free(w->rule);
	free(w->reason);
	free(w->expires);
	free(w->vcenter);
}

void vmsc_config_release(struct vmsc_config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	free(cfg->server);
	free(cfg->username);
	free(cfg->password_file);
	free(cfg->cacert);
	free(cfg->thumbprint);
	for (i = 0; i < cfg->n_rules; i++)
		free(cfg->rules[i].rule);
	free(cfg->rules);
	for (i = 0; i < cfg->n_waivers; i++)
		waiver_release(&cfg->waivers[i]);
	free(cfg->waivers);
	for (i = 0; i < cfg->n_requires; i++) {
		for (size_t g = 0; g < cfg->requires[i].n_globs; g++)
			free(cfg->requires[i].globs[g]);
		free(cfg->requires[i].globs);
	}
	free(cfg->requires);
	for (i = 0; i < cfg->thresholds.n_snapshot_ignore; i++)
		free(cfg->thresholds.snapshot_ignore[i]);
	free(cfg->thresholds.snapshot_ignore);
	free(cfg->backup.attribute);
	free(cfg->backup.notes_regex);
	free(cfg->backup.time_format);
	for (i = 0; i < cfg->n_guest_logins; i++) {
		free(cfg->guest_logins[i].glob);
		free(cfg->guest_logins[i].username);
		free(cfg->guest_logins[i].password_file);
	}
	free(cfg->guest_logins);
	free(cfg->path);
	memset(cfg, 0, sizeof(*cfg));
}

/* --- key tables ---------------------------------------------------------- */

enum value_type {
	VT_STRING,      /* char *, non-empty */
	VT_TRISTATE,    /* int -1/0/1: true | false */
	VT_BOOL,        /* bool: true | false */
	VT_INT,         /* int in [min, max] */
	VT_SEVERITY,    /* int: error | warning */
	VT_RULE_OR_ALL, /* char *: a rule id or "*" */
	VT_DATE,        /* char * YYYY-MM-DD, plus waiver expires_end */
	VT_LEVEL,       /* int: a consistency level name */
	VT_GLOB_MORE,   /* struct vmsc_require globs: appends, may repeat */
	VT_GLOB_LIST,   /* char ** + size_t after it: "GLOB[, GLOB...]" */
	VT_REGEX,       /* char *: a POSIX ERE with exactly one capture group */
};

struct key_def {
	const char *name;
	enum value_type type;
	size_t offset;   /* into the section's target struct */
	int min, max;
};

#define MAX_KEYS 8

static const struct key_def connection_keys[] = {
	{ "server", VT_STRING, offsetof(struct vmsc_config, server), 0, 0 },
	{ "username", VT_STRING, offsetof(struct vmsc_config, username), 0, 0 },
	{ "password_file", VT_STRING, offsetof(struct vmsc_config, password_file), 0, 0 },
	{ "cacert", VT_STRING, offsetof(struct vmsc_config, cacert), 0, 0 },
	{ "thumbprint", VT_STRING, offsetof(struct vmsc_config, thumbprint), 0, 0 },
	{ "insecure", VT_TRISTATE, offsetof(struct vmsc_config, insecure), 0, 0 },
	{ NULL, 0, 0, 0, 0 },
};

#define THRESHOLD(field) \
	(offsetof(struct vmsc_config, thresholds) + offsetof(struct vmsc_thresholds, field))

static const struct key_def threshold_keys[] = {
	{ "max_snapshots", VT_INT, THRESHOLD(max_snapshots), 0, 1000 },
	{ "max_snapshot_age_hours", VT_INT, THRESHOLD(max_snapshot_age_hours), 0, 87600 },
	{ "min_guest_free_percent", VT_INT, THRESHOLD(min_guest_free_percent), 0, 100 },
	{ "history_days", VT_INT, THRESHOLD(history_days), 1, 3650 },
	{ "snapshot_ignore", VT_GLOB_LIST, THRESHOLD(snapshot_ignore), 0, 0 },
	{ "snapshot_ignore_max_age_hours", VT_INT, THRESHOLD(snapshot_ignore_max_age_hours), 0,
	  87600 },
	{ "datastore_min_free_percent", VT_INT, THRESHOLD(datastore_min_free_percent), 0, 100 },
	{ "snapshot_reserve_percent", VT_INT, THRESHOLD(snapshot_reserve_percent), 0, 1000 },
	{ NULL, 0, 0, 0, 0 },
};

/* VT_GLOB_LIST finds the count right after the list. */
_Static_assert(offsetof(struct vmsc_thresholds, n_snapshot_ignore) ==
		       offsetof(struct vmsc_thresholds, snapshot_ignore) + sizeof(char **),
	       "snapshot_ignore's count must follow it");

#define BACKUP(field) (offsetof(struct vmsc_config, backup) + offsetof(struct vmsc_backup, field))

static const struct key_def backup_keys[] = {
	{ "attribute", VT_STRING, BACKUP(attribute), 0, 0 },
	{ "notes_regex", VT_REGEX, BACKUP(notes_regex), 0, 0 },
	{ "time_format", VT_STRING, BACKUP(time_format), 0, 0 },
	{ "max_age_hours", VT_INT, BACKUP(max_age_hours), 1, 87600 },
	{ NULL, 0, 0, 0, 0 },
};

static const struct key_def guest_keys[] = {
	{ "username", VT_STRING, offsetof(struct vmsc_guest_login, username), 0, 0 },
	{ "password_file", VT_STRING, offsetof(struct vmsc_guest_login, password_file), 0, 0 },
	{ NULL, 0, 0, 0, 0 },
};

static const struct key_def rule_keys[] = {
	{ "severity", VT_SEVERITY, offsetof(struct vmsc_rule_setting, severity), 0, 0 },
	{ "enabled", VT_BOOL, offsetof(struct vmsc_rule_setting, enabled), 0, 0 },
	{ NULL, 0, 0, 0, 0 },
};

/* Order matters: a waiver missing several keys names the first one missing. */
static const struct key_def waiver_keys[] = {
	{ "vm", VT_STRING, offsetof(struct vmsc_waiver, vm_glob), 0, 0 },
	{ "rule", VT_RULE_OR_ALL, offsetof(struct vmsc_waiver, rule), 0, 0 },
	{ "reason", VT_STRING, offsetof(struct vmsc_waiver, reason), 0, 0 },
	{ "expires", VT_DATE, offsetof(struct vmsc_waiver, expires), 0, 0 },
	{ "vcenter", VT_STRING, offsetof(struct vmsc_waiver, vcenter), 0, 0 },
	{ NULL, 0, 0, 0, 0 },
};

/* Keys of waiver_keys a waiver must have (everything but vcenter). */
#define WAIVER_REQUIRED 4

static const struct key_def require_keys[] = {
	{ "consistency", VT_LEVEL, offsetof(struct vmsc_require, level), 0, 0 },
	{ "vm", VT_GLOB_MORE, 0, 0, 0 },
	{ NULL, 0, 0, 0, 0 },
};

enum section_kind {
	SEC_NONE, SEC_CONNECTION, SEC_THRESHOLDS, SEC_BACKUP, SEC_RULE, SEC_WAIVER, SEC_REQUIRE,
	SEC_GUEST, SEC_KINDS
};

struct section_def {
	const char *name;
	enum section_kind kind;
	const struct key_def *keys;
	const char *arg;   /* what the quoted name is: NULL for unnamed sections */
	const char *form;  /* the header's form, for messages */
	const char *example;
};

static const struct section_def sections[] = {
	{ "connection", SEC_CONNECTION, connection_keys, NULL, NULL, NULL },
	{ "thresholds", SEC_THRESHOLDS, threshold_keys, NULL, NULL, NULL },
	{ "rule", SEC_RULE, rule_keys, "rule id", "[rule \"ID\"]", "[rule \"guest-disk-space\"]" },
	{ "waiver", SEC_WAIVER, waiver_keys, "name", "[waiver \"NAME\"]",
	  "[waiver \"sql-legacy-rdm\"]" },
	{ "require", SEC_REQUIRE, require_keys, "VM-name glob", "[require \"GLOB\"]",
	  "[require \"sql-*\"]" },
	{ "backup", SEC_BACKUP, backup_keys, NULL, NULL, NULL },
	{ "guest", SEC_GUEST, guest_keys, "VM-name glob", "[guest \"GLOB\"]", "[guest \"win-*\"]" },
};

/* --- parser state -------------------------------------------------------- */

struct parser {
	struct vmsc_config *cfg;
	const char *file;
	struct vmsc_error *err;
	int err_line;                 /* line of the first error; 0 = none */

	const char *text;
	size_t len, pos;
	int lineno;

	const struct section_def *sec;
	char *sec_title;              /* "[rule \"x\"]" as written, for messages */
	int sec_line;
	size_t target;                /* index into cfg->rules / cfg->waivers */
	int seen[MAX_KEYS];           /* line each key was set on, 0 = not yet */
	int unnamed_line[SEC_KINDS];  /* where each unnamed section was, 0 = not yet */
};

static int add_glob(struct vmsc_require *r, const char *glob)
{
	char **grown = realloc(r->globs, (r->n_globs + 1) * sizeof(*grown));

	if (!grown)
		return -1;
	r->globs = grown;
	if (!(r->globs[r->n_globs] = strdup(glob)))
		return -1;
	r->n_globs++;
	return 0;
}

static int fail(struct parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct parser *p, int line, const char *fmt, ...)
{
	char msg[sizeof(p->err->message)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!p->err_line) {
		p->err_line = line > 0 ? line : 1;
		vmsc_error_set(p->err, VMSC_E_CONFIG, "%s:%d: %s", p->file, line, msg);
	}
	return -1;
}

static int fail_nomem(struct parser *p)
{
	if (!p->err_line) {
		p->err_line = p->lineno > 0 ? p->lineno : 1;
		vmsc_error_set(p->err, VMSC_E_NOMEM, "%s: out of memory", p->file);
	}
	return -1;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* --- sections ------------------------------------------------------------ */

/* End of a section: a waiver must be complete. */
static int section_end(struct parser *p)
{
	const struct vmsc_waiver *w;
	int i;

	if (p->sec && p->sec->kind == SEC_REQUIRE && !p->seen[0])
		return fail(p, p->sec_line, "section '%s' has no 'consistency' (application, "
			    "filesystem, crash or none)", p->sec_title);
	if (p->sec && p->sec->kind == SEC_GUEST && !p->seen[0])
		return fail(p, p->sec_line, "section '%s' has no 'username'", p->sec_title);
	if (p->sec && p->sec->kind == SEC_BACKUP && !p->seen[0] == !p->seen[1])
		return fail(p, p->sec_line, "section '[backup]' needs one of 'attribute' (a custom "
			    "attribute's name) or 'notes_regex' (a pattern on the notes), not %s",
			    p->seen[0] ? "both" : "neither");
	if (!p->sec || p->sec->kind != SEC_WAIVER)
		return 0;
	w = &p->cfg->waivers[p->target];
	for (i = 0; i < WAIVER_REQUIRED; i++)
		if (!p->seen[i])
			return fail(p, p->sec_line, "waiver '%s' has no '%s'", w->name,
				    waiver_keys[i].name);
	return 0;
}

static int begin_rule(struct parser *p, const char *id)
{
	struct vmsc_rule_setting *arr;
	char *copy;
	size_t i;

	for (i = 0; i < p->cfg->n_rules; i++)
		if (strcmp(p->cfg->rules[i].rule, id) == 0)
			return fail(p, p->lineno, "section '%s' repeated (first on line %d)",
				    p->sec_title, p->cfg->rules[i].line);
	arr = realloc(p->cfg->rules, (p->cfg->n_rules + 1) * sizeof(*arr));
	if (!arr)
		return fail_nomem(p);
	p->cfg->rules = arr;
	if (!(copy = strdup(id)))
		return fail_nomem(p);
	p->target = p->cfg->n_rules++;
	arr[p->target] = (struct vmsc_rule_setting){ .rule = copy, .enabled = true,
						     .severity = 0, .line = p->lineno };
	return 0;
}

static int begin_waiver(struct parser *p, const char *name)
{
	struct vmsc_waiver *arr;
	size_t i;

	for (i = 0; i < p->cfg->n_waivers; i++)
		if (strcmp(p->cfg->waivers[i].name, name) == 0)
			return fail(p, p->lineno, "section '%s' repeated (first on line %d)",
				    p->sec_title, p->cfg->waivers[i].line);
	arr = realloc(p->cfg->waivers, (p->cfg->n_waivers + 1) * sizeof(*arr));
	if (!arr)
		return fail_nomem(p);
	p->cfg->waivers = arr;
	p->target = p->cfg->n_waivers;
	memset(&arr[p->target], 0, sizeof(arr[p->target]));
	arr[p->target].line = p->lineno;
	if (!(arr[p->target].name = strdup(name)))
		return fail_nomem(p);
	p->cfg->n_waivers++;
	return 0;
}

static int begin_require(struct parser *p, const char *glob)
{
	struct vmsc_require *arr;

	arr = realloc(p->cfg->requires, (p->cfg->n_requires + 1) * sizeof(*arr));
	if (!arr)
		return fail_nomem(p);
	p->cfg->requires = arr;
	p->target = p->cfg->n_requires;
	memset(&arr[p->target], 0, sizeof(arr[p->target]));
	arr[p->target].line = p->lineno;
	p->cfg->n_requires++;
	return add_glob(&arr[p->target], glob) < 0 ? fail_nomem(p) : 0;
}

static int begin_guest(struct parser *p, const char *glob)
{
	struct vmsc_guest_login *arr;

	arr = realloc(p->cfg->guest_logins, (p->cfg->n_guest_logins + 1) * sizeof(*arr));
	if (!arr)
		return fail_nomem(p);
	p->cfg->guest_logins = arr;
	p->target = p->cfg->n_guest_logins;
	memset(&arr[p->target], 0, sizeof(arr[p->target]));
	arr[p->target].line = p->lineno;
	p->cfg->n_guest_logins++;
	return (arr[p->target].glob = strdup(glob)) ? 0 : fail_nomem(p);
}

/* `inner` is the text between '[' and ']'. */
static int begin_section(struct parser *p, char *inner)
{
	const struct section_def *def = NULL;
	char *word, *arg, *q;
	size_t i, wlen;
	int *first, rc;

	if (section_end(p) < 0)
		return -1;
	p->sec = NULL;
	memset(p->seen, 0, sizeof(p->seen));
	p->sec_line = p->lineno;
	free(p->sec_title);
	if (asprintf(&p->sec_title, "[%s]", inner) < 0) {
		p->sec_title = NULL;
		return fail_nomem(p);
	}

	word = trim(inner);
	wlen = strcspn(word, " \t");
	arg = trim(word + wlen);
	word[wlen] = '\0';
	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (strcmp(sections[i].name, word) == 0)
			def = &sections[i];
	if (!def)
		return fail(p, p->lineno, "unknown section '%s'", p->sec_title);

	if (!def->arg) {
		if (*arg)
			return fail(p, p->lineno, "section '[%s]' takes no name", def->name);
		first = &p->unnamed_line[def->kind];
		if (*first)
			return fail(p, p->lineno, "section '[%s]' repeated (first on line %d)",
				    def->name, *first);
		*first = p->lineno;
		if (def->kind == SEC_BACKUP)
			p->cfg->backup.line = p->lineno;
		p->sec = def;
		return 0;
	}

	if (!*arg)
		return fail(p, p->lineno, "section '[%s]' needs a %s, e.g. %s", def->name, def->arg,
			    def->example);
	q = arg + strlen(arg) - 1;
	if (arg[0] != '"' || q == arg || *q != '"' || memchr(arg + 1, '"', q - arg - 1))
		return fail(p, p->lineno, "invalid section header '%s': expected %s", p->sec_title,
			    def->form);
	*q = '\0';
	arg = trim(arg + 1);
	if (!*arg)
		return fail(p, p->lineno, "section '[%s]' needs a %s, e.g. %s", def->name, def->arg,
			    def->example);
	switch (def->kind) {
	case SEC_RULE: rc = begin_rule(p, arg); break;
	case SEC_WAIVER: rc = begin_waiver(p, arg); break;
	case SEC_GUEST: rc = begin_guest(p, arg); break;
	default: rc = begin_require(p, arg); break;
	}
	if (rc < 0)
		return -1;
	p->sec = def;
	return 0;
}

/* --- values -------------------------------------------------------------- */

static int parse_bool(const char *v, int *out)
{
	if (strcasecmp(v, "true") == 0)
		*out = 1;
	else if (strcasecmp(v, "false") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/* YYYY-MM-DD -> the first second of the next day, local time. */
static int parse_date(const char *v, time_t *end)
{
	struct tm tm = { 0 };
	int y, m, d, i;

	if (strlen(v) != 10 || v[4] != '-' || v[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)v[i]))
			return -1;
	y = atoi(v);
	m = atoi(v + 5);
	d = atoi(v + 8);
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	/* mktime normalises day 32 into the next month; tm_isdst = -1 lets it
	 * pick daylight saving time for that date. */
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d + 1;
	tm.tm_isdst = -1;
	*end = mktime(&tm);
	return *end == (time_t)-1 ? -1 : 0;
}

/* "a, b ,c" -> {"a", "b", "c"}; empty items are an error. */
static int set_list(struct parser *p, char ***list, size_t *n, const char *v)
{
	const char *s = v;

	while (*s) {
		size_t len = strcspn(s, ",");
		char **grown, *item;

		while (len && (*s == ' ' || *s == '\t'))
			s++, len--;
		while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		if (!len)
			return fail(p, p->lineno, "empty item in the list '%s'", v);
		if (!(item = strndup(s, len)))
			return fail_nomem(p);
		if (!(grown = realloc(*list, (*n + 1) * sizeof(*grown)))) {
			free(item);
			return fail_nomem(p);
		}
		*list = grown;
		(*list)[(*n)++] = item;
		s += strcspn(s, ",");
		if (*s == ',')
			s++;
	}
	return 0;
}

static void *section_target(struct parser *p)
{
	switch (p->sec->kind) {
	case SEC_RULE: return &p->cfg->rules[p->target];
	case SEC_WAIVER: return &p->cfg->waivers[p->target];
	case SEC_REQUIRE: return &p->cfg->requires[p->target];
	case SEC_GUEST: return &p->cfg->guest_logins[p->target];
	default: return p->cfg;
	}
}

static int set_value(struct parser *p, const struct key_def *k, const char *v)
{
	char *base = section_target(p);
	void *field = base + k->offset;
	char *copy, *end;
	long n;
	int b;

	switch (k->type) {
	case VT_STRING:
	case VT_RULE_OR_ALL:
	case VT_DATE:
		if (k->type == VT_RULE_OR_ALL)
			((struct vmsc_waiver *)base)->rule_line = p->lineno;
		if (k->type == VT_DATE &&
		    parse_date(v, &((struct vmsc_waiver *)base)->expires_end) < 0)
			return fail(p, p->lineno,
				    "invalid date '%s' for '%s': expected YYYY-MM-DD", v, k->name);
		if (!(copy = strdup(v)))
			return fail_nomem(p);
		free(*(char **)field);
		*(char **)field = copy;
		return 0;
	case VT_TRISTATE:
	case VT_BOOL:
		if (parse_bool(v, &b) < 0)
			return fail(p, p->lineno, "invalid value '%s' for '%s': expected true or false",
				    v, k->name);
		if (k->type == VT_BOOL)
			*(bool *)field = b;
		else
			*(int *)field = b;
		return 0;
	case VT_SEVERITY:
		if (strcasecmp(v, "error") == 0)
			*(int *)field = VMSC_SEV_ERROR;
		else if (strcasecmp(v, "warning") == 0)
			*(int *)field = VMSC_SEV_WARNING;
		else
			return fail(p, p->lineno,
				    "invalid value '%s' for '%s': expected error or warning", v,
				    k->name);
		return 0;
	case VT_LEVEL:
		if ((b = vmsc_level_from_name(v)) < 0)
			return fail(p, p->lineno, "invalid value '%s' for '%s': expected application, "
				    "filesystem, crash or none", v, k->name);
		*(int *)field = b;
		return 0;
	case VT_GLOB_MORE:
		return add_glob((struct vmsc_require *)base, v) < 0 ? fail_nomem(p) : 0;
	case VT_GLOB_LIST:
		return set_list(p, (char ***)field, (size_t *)((char *)field + sizeof(char **)), v);
	case VT_REGEX: {
		regex_t re;
		int bad = regcomp(&re, v, REG_EXTENDED);
		size_t groups = bad ? 0 : re.re_nsub;

		if (!bad)
			regfree(&re);
		if (bad)
			return fail(p, p->lineno, "invalid value for '%s': not a POSIX extended "
				    "regular expression", k->name);
		if (groups != 1)
			return fail(p, p->lineno, "invalid value for '%s': needs exactly one "
				    "capture group (the time), has %zu", k->name, groups);
		if (!(copy = strdup(v)))
			return fail_nomem(p);
		free(*(char **)field);
		*(char **)field = copy;
		return 0;
	}
	case VT_INT:
		errno = 0;
		n = strtol(v, &end, 10);
		/* strtol accepts leading blanks and '+': a threshold is digits. */
		if (!(isdigit((unsigned char)v[0]) || (v[0] == '-' && isdigit((unsigned char)v[1]))) ||
		    *end)
			return fail(p, p->lineno,
				    "invalid value '%s' for '%s': expected an integer from %d to %d",
				    v, k->name, k->min, k->max);
		if (errno == ERANGE || n < k->min || n > k->max)
			return fail(p, p->lineno,
				    "value '%s' for '%s' is out of range: expected an integer from "
				    "%d to %d", v, k->name, k->min, k->max);
		*(int *)field = (int)n;
		return 0;
	}
	return fail(p, p->lineno, "internal error: key type");
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parser *p = user;
	const struct key_def *k;
	char *v = NULL;
	size_t len;
	int i, rc = 0;

	(void)section; /* ours is complete; inih's is cut at 50 characters */
	if (p->err_line)
		return 0;
	if (!p->sec) {
		fail(p, p->lineno, "'%s' outside any section", name);
		return 0;
	}
	for (i = 0, k = p->sec->keys; k->name; k++, i++)
		if (strcmp(k->name, name) == 0)
			break;
	if (!k->name) {
		fail(p, p->lineno, "unknown key '%s' in '%s'", name, p->sec_title);
		return 0;
	}
	if (p->seen[i] && k->type != VT_GLOB_MORE) {
		fail(p, p->lineno, "'%s' repeated (first on line %d)", name, p->seen[i]);
		return 0;
	}
	p->seen[i] = p->lineno;

	if (!(v = strdup(value)))
		return fail_nomem(p), 0;
	/* One pair of surrounding double quotes is dropped: `vm = "sql-*"` must
	 * not become a glob that silently matches nothing. */
	len = strlen(v);
	if (len >= 2 && v[0] == '"' && v[len - 1] == '"') {
		memmove(v, v + 1, len - 2);
		v[len - 2] = '\0';
	}
	if (!*v)
		rc = fail(p, p->lineno, "empty value for '%s'", name);
	else
		rc = set_value(p, k, v);
	free(v);
	return rc == 0;
}

/* --- reader -------------------------------------------------------------- */

/* inih's find_chars_or_comment: the first of `chars`, or a ';' after
 * whitespace (an inline comment), or the end. */
static const char *find_chars_or_comment(const char *s, const char *chars)
{
	int was_space = 0;

	while (*s && !strchr(chars, *s) && !(was_space && *s == ';')) {
		was_space = isspace((unsigned char)*s);
		s++;
	}
	return s;
}

/* Checks one stripped line; handles section headers.  0 = hand it to inih. */
static int check_line(struct parser *p, char *line)
{
	const char *end;
	char *inner, *rest;

	if (!*line || *line == ';' || *line == '#')
		return 0;
	if (*line == '[') {
		end = find_chars_or_comment(line + 1, "]");
		if (*end != ']')
			return fail(p, p->lineno, "missing ']' in section header");
		rest = (char *)end + 1;
		while (*rest == ' ' || *rest == '\t')
			rest++;
		if (*rest && *rest != ';' && *rest != '#')
			return fail(p, p->lineno, "unexpected text after section header");
		inner = strndup(line + 1, (size_t)(end - line - 1));
		if (!inner)
			return fail_nomem(p);
		if (begin_section(p, inner) < 0) {
			free(inner);
			return -1;
		}
		free(inner);
		return 0;
	}
	end = find_chars_or_comment(line, "=:");
	if (*end != '=' && *end != ':')
		return fail(p, p->lineno, "expected 'key = value', '[section]' or a comment");
	if (end == line || strspn(line, " \t") == (size_t)(end - line))
		return fail(p, p->lineno, "missing key name before '%c'", *end);
	return 0;
}

static char *reader(char *str, int num, void *stream)
{
	struct parser *p = stream;
	const char *line, *nl;
	size_t len, raw;
	char *start;

	if (p->err_line || p->pos >= p->len)
		return NULL;
	line = p->text + p->pos;
	nl = memchr(line, '\n', p->len - p->pos);
	raw = nl ? (size_t)(nl - line) : p->len - p->pos;
	p->pos += raw + (nl ? 1 : 0);
	p->lineno++;

	len = raw;
	if (len && line[len - 1] == '\r')
		len--;
	if (memchr(line, '\0', len)) {
		fail(p, p->lineno, "line contains a NUL byte");
		return NULL;
	}
	/* inih needs room for the terminating NUL in its num-byte buffer. */
	if (len > (size_t)num - 1) {
		fail(p, p->lineno, "line too long (%zu characters, at most %d)", len, num - 1);
		return NULL;
	}
	memcpy(str, line, len);
	str[len] = '\0';
	start = str;
	if (p->lineno == 1 && strncmp(start, "\xEF\xBB\xBF", 3) == 0)
		start += 3; /* UTF-8 BOM */
	while (*start == ' ' || *start == '\t')
		start++;
	if (start != str)
		memmove(str, start, strlen(start) + 1);
	if (check_line(p, str) < 0)
		return NULL;
	return str;
}

/* --- loading ------------------------------------------------------------- */

static int parse_buffer(struct vmsc_config *cfg, const char *text, size_t len, const char *file,
			struct vmsc_error *err)
{
	struct parser p = { .cfg = cfg, .file = file, .err = err, .text = text, .len = len };
	char *path;
	int ret;

	ret = ini_parse_stream(reader, &p, handler, &p);
	if (!p.err_line && ret == 0)
		section_end(&p);
	if (!p.err_line && ret == -2)
		fail_nomem(&p);
	if (!p.err_line && ret != 0)
		/* Not reached unless inih finds something check_line() missed. */
		fail(&p, ret > 0 ? ret : p.lineno, "syntax error");
	free(p.sec_title);
	if (p.err_line)
		return -1;
	if (!(path = strdup(file)))
		return vmsc_error_set(err, VMSC_E_NOMEM, "%s: out of memory", file);
	free(cfg->path);
	cfg->path = path;
	return 0;
}

int vmsc_config_load_string(struct vmsc_config *cfg, const char *text, const char *name,
			    struct vmsc_error *err)
{
	return parse_buffer(cfg, text ? text : "", text ? strlen(text) : 0, name ? name : "config",
			    err);
}

int vmsc_config_load(struct vmsc_config *cfg, const char *path, struct vmsc_error *err)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t len;
	int rc = -1;

	if (!fp)
		return vmsc_error_set(err, VMSC_E_CONFIG, "cannot open config file '%s': %s", path,
				      strerror(errno));
	if (!(buf = malloc(CONFIG_MAX_BYTES + 1))) {
		vmsc_error_set(err, VMSC_E_NOMEM, "%s: out of memory", path);
		goto out;
	}
	len = fread(buf, 1, CONFIG_MAX_BYTES + 1, fp);
	if (ferror(fp)) {
		vmsc_error_set(err, VMSC_E_CONFIG, "cannot read config file '%s': %s", path,
			       strerror(errno));
		goto out;
	}
	if (len > CONFIG_MAX_BYTES) {
		vmsc_error_set(err, VMSC_E_CONFIG, "%s: file too large (more than %d bytes)", path,
			       CONFIG_MAX_BYTES);
		goto out;
	}
	rc = parse_buffer(cfg, buf, len, path, err);
out:
	free(buf);
	fclose(fp);
	return rc;
}

char *vmsc_config_default_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	struct stat st;
	char *path = NULL;

	/* XDG: a relative XDG_CONFIG_HOME is invalid and ignored. */
	if (xdg && xdg[0] == '/') {
		if (asprintf(&path, "%s/vmsnapcheck/config.ini", xdg) < 0)
			path = NULL;
	} else if (home && *home) {
		if (asprintf(&path, "%s/.config/vmsnapcheck/config.ini", home) < 0)
			path = NULL;
	}
	/* An existing file that cannot be read is returned: loading it then
	 * says why, instead of the settings silently not applying. */
	if (path && stat(path, &st) == 0)
		return path;
	free(path);
	if (stat("/etc/vmsnapcheck.ini", &st) == 0)
		return strdup("/etc/vmsnapcheck.ini");
	return NULL;
}

/* --- lookups ------------------------------------------------------------- */

static const struct vmsc_rule_setting *rule_setting(const struct vmsc_config *cfg,
						    const char *rule)
{
	size_t i;

	if (!cfg || !rule)
		return NULL;
	for (i = 0; i < cfg->n_rules; i++)
		if (strcmp(cfg->rules[i].rule, rule) == 0)
			return &cfg->rules[i];
	return NULL;
}

bool vmsc_config_rule_enabled(const struct vmsc_config *cfg, const char *rule, bool dflt)
{
	const struct vmsc_rule_setting *s = rule_setting(cfg, rule);

	return s ? s->enabled : dflt;
}

enum vmsc_severity vmsc_config_rule_severity(const struct vmsc_config *cfg, const char *rule,
					     enum vmsc_severity dflt)
{
	const struct vmsc_rule_setting *s = rule_setting(cfg, rule);

	return s && s->severity ? (enum vmsc_severity)s->severity : dflt;
}

const char *vmsc_config_key(size_t i, const char **section)
{
	for (size_t k = 0; k < sizeof(sections) / sizeof(sections[0]); k++)
		for (const struct key_def *d = sections[k].keys; d->name; d++)
			if (i-- == 0) {
				*section = sections[k].name;
				return d->name;
			}
	return NULL;
}
