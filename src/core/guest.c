/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * Guest facts and the parsers of what guest commands print (docs/guest.md).
 * Windows localizes vssadmin and wevtutil: the parsers key on the layout and
 * on numbers (the bracketed writer state, event ids), never on English words
 * alone.
 */

#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vmsnapcheck/guest.h"

static const char *const service_keys[VMSC_GUEST_N_SVC] = {
	"VSS", "swprv", "EventSystem", "vmvss",
};

const char *vmsc_guest_service_key(enum vmsc_guest_service s)
{
	return (unsigned)s < VMSC_GUEST_N_SVC ? service_keys[s] : NULL;
}

void vmsc_guest_facts_init(struct vmsc_guest_facts *g)
{
	size_t i;

	memset(g, 0, sizeof(*g));
	for (i = 0; i < VMSC_GUEST_N_SVC; i++)
		g->start[i] = VMSC_GUEST_START_UNKNOWN;
}

void vmsc_guest_facts_release(struct vmsc_guest_facts *g)
{
	size_t i;

	if (!g)
		return;
	for (i = 0; i < g->n_providers; i++) {
		free(g->providers[i].key);
		free(g->providers[i].name);
	}
	free(g->providers);
	for (i = 0; i < g->n_writers; i++) {
		free(g->writers[i].name);
		free(g->writers[i].state_text);
		free(g->writers[i].last_error);
	}
	free(g->writers);
	for (i = 0; i < g->n_events; i++) {
		free(g->events[i].log);
		free(g->events[i].source);
		free(g->events[i].first_line);
	}
	free(g->events);
	for (i = 0; i < g->n_scripts; i++)
		free(g->scripts[i].path);
	free(g->scripts);
	free(g->login_user);
	vmsc_guest_facts_init(g);
}

/* --- text ----------------------------------------------------------------- */

static bool valid_utf8(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n, k;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (i + n >= len)
			return false;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		/* overlong, surrogates, beyond U+10FFFF */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

/* CP850 bytes to UTF-8 with iconv; NULL when iconv has no CP850 or memory is out. */
static char *from_cp850(const char *in, size_t len)
{
	iconv_t cd = iconv_open("UTF-8", "CP850");
	size_t cap = len * 3 + 1, left_in = len, left_out = cap - 1;
	char *out, *src = (char *)in, *dst;

	if (cd == (iconv_t)-1)
		return NULL;
	out = malloc(cap);
	if (!out) {
		iconv_close(cd);
		return NULL;
	}
	dst = out;
	while (left_in > 0) {
		if (iconv(cd, &src, &left_in, &dst, &left_out) != (size_t)-1)
			break;
		if (errno != EILSEQ && errno != EINVAL)
			break;
		/* CP850 maps every byte; be safe anyway: '?' for what it cannot. */
		*dst++ = '?';
		left_out--;
		src++;
		left_in--;
	}
	*dst = '\0';
	iconv_close(cd);
	return out;
}

char *vmsc_guest_text_utf8(const char *bytes, size_t len)
{
	char *raw, *txt;
	size_t i, j;

	if (!bytes)
		len = 0;
	raw = malloc(len + 1);
	if (!raw)
		return NULL;
	/* Drop NULs and the CR of CR LF so the rest is plain lines. */
	for (i = j = 0; i < len; i++) {
		if (bytes[i] == '\0' || (bytes[i] == '\r' && i + 1 < len && bytes[i + 1] == '\n'))
			continue;
		raw[j++] = bytes[i];
	}
	raw[j] = '\0';
	if (valid_utf8((const unsigned char *)raw, j))
		return raw;
	txt = from_cp850(raw, j);
	if (!txt) {
		/* No iconv: keep ASCII, '?' for the rest, still valid UTF-8. */
		for (i = 0; i < j; i++)
			if ((unsigned char)raw[i] >= 0x80)
				raw[i] = '?';
		return raw;
	}
	free(raw);
	return txt;
}

/* --- line helpers ----------------------------------------------------------- */

/* Splits text in place into lines; returns them in a malloc'd array. */
static char **split_lines(char *text, size_t *n)
{
	char **lines = NULL, *p = text;
	size_t cap = 0;

	*n = 0;
	while (p && *p) {
		char *nl = strchr(p, '\n');

		if (*n + 1 >= cap) {
			size_t ncap = cap ? cap * 2 : 64;
			char **grown = realloc(lines, ncap * sizeof(*grown));

			if (!grown) {
				free(lines);
				*n = 0;
				return NULL;
			}
			lines = grown;
			cap = ncap;
		}
		if (nl)
			*nl = '\0';
		lines[(*n)++] = p;
		p = nl ? nl + 1 : NULL;
	}
	if (!lines)
		lines = calloc(1, sizeof(*lines));
	return lines;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static bool indented(const char *line)
{
	return line[0] == ' ' || line[0] == '\t';
}

static bool blank(const char *line)
{
	for (; *line; line++)
		if (!isspace((unsigned char)*line))
			return false;
	return true;
}

/* The value after the first ':' (trimmed), or NULL. */
static char *value_after_colon(char *line)
{
	char *c = strchr(line, ':');

	return c ? trim(c + 1) : NULL;
}

/* Quote marks vssadmin uses around a writer name in some language. */
static const char *const quotes[] = {
	"'", "\"", "\xe2\x80\x9e" /* „ */, "\xe2\x80\x9c" /* " */, "\xe2\x80\x9d" /* " */,
	"\xc2\xab" /* « */, "\xc2\xbb" /* » */, "\xe2\x80\x98" /* ' */, "\xe2\x80\x99" /* ' */,
};

static size_t quote_at(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(quotes) / sizeof(quotes[0]); i++)
		if (strncmp(s, quotes[i], strlen(quotes[i])) == 0)
			return strlen(quotes[i]);
	return 0;
}

static size_t quote_before(const char *s, size_t len)
{
	size_t i, q;

	for (i = 0; i < sizeof(quotes) / sizeof(quotes[0]); i++) {
		q = strlen(quotes[i]);
		if (len >= q && strncmp(s + len - q, quotes[i], q) == 0)
			return q;
	}
	return 0;
}

static char *unquote_dup(const char *v)
{
	size_t len = strlen(v), q = quote_at(v), e;

	if (q && len > q) {
		e = quote_before(v + q, len - q);
		return strndup(v + q, len - q - e);
	}
	return strdup(v);
}

/* "[n]" somewhere in the line: n, with *rest after the ']'; -1 if none. */
static int bracket_number(char *line, char **rest)
{
	char *p = line;

	while ((p = strchr(p, '[')) != NULL) {
		char *end;
		long v;

		if (isdigit((unsigned char)p[1])) {
			v = strtol(p + 1, &end, 10);
			if (*end == ']' && v >= 0 && v < 1000) {
				*rest = trim(end + 1);
				return (int)v;
			}
		}
		p++;
	}
	return -1;
}

/* --- vssadmin list writers ------------------------------------------------ */

/*
 * "No error" as localized Windows prints it.  en and de match the samples in
 * tests/data/guest (written in the documented layout, not captured from a
 * machine); the others are as commonly quoted and unverified here.  An
 * unknown language falls back to the majority rule in decide_failed().
 */
static const char *const no_error_texts[] = {
	"No error", "Kein Fehler", "Aucune erreur", "Sin error", "Nessun errore", "Geen fout",
	"Nenhum erro", "Inget fel", "Ingen fejl", "Ingen feil", "Ei virhett\xc3\xa4",
	"Bez chyby", "Brak b\xc5\x82\xc4\x99\x64\xc3\xb3w", "Nincs hiba",
};

bool vmsc_guest_no_error_text(const char *s)
{
	size_t i;

	if (!s)
		return false;
	for (i = 0; i < sizeof(no_error_texts) / sizeof(no_error_texts[0]); i++)
		if (strcasecmp(s, no_error_texts[i]) == 0)
			return true;
	return false;
}

/*
 * Failed: a state from 6 (failed at identify) to 15, or a last error that is
 * not "no error".  "No error" is a known localized text, or — for a language
 * the list lacks — the text that most writers in the stable state [1] share
 * (at least two of them, and more than half of the writers with a last-error
 * line): a healthy system prints the same "no error" for nearly every writer.
 * A writer without a last-error line is decided by its state alone.
 */
static void decide_failed(struct vmsc_guest_facts *g)
{
	const char *common = NULL;
	size_t best = 0, with_error = 0, i, j;

	for (i = 0; i < g->n_writers; i++) {
		size_t same = 0;

		if (!g->writers[i].last_error)
			continue;
		with_error++;
		if (g->writers[i].state != 1)
			continue;
		for (j = 0; j < g->n_writers; j++)
			if (g->writers[j].state == 1 && g->writers[j].last_error &&
			    strcmp(g->writers[j].last_error, g->writers[i].last_error) == 0)
				same++;
		if (same > best) {
			best = same;
			common = g->writers[i].last_error;
		}
	}
	if (best < 2 || best * 2 <= with_error)
		common = NULL;
	for (i = 0; i < g->n_writers; i++) {
		struct vmsc_guest_writer *w = &g->writers[i];

		if (w->state >= 6 && w->state <= 15)
			w->failed = true;
		else if (!w->last_error || vmsc_guest_no_error_text(w->last_error))
			w->failed = false;
		else
			w->failed = !(common && strcmp(w->last_error, common) == 0);
	}
}

static struct vmsc_guest_writer *add_writer(struct vmsc_guest_facts *g, const char *name)
{
	struct vmsc_guest_writer *grown = realloc(g->writers, (g->n_writers + 1) * sizeof(*grown));
	struct vmsc_guest_writer *w;

	if (!grown)
		return NULL;
	g->writers = grown;
	w = &g->writers[g->n_writers];
	memset(w, 0, sizeof(*w));
	w->state = -1;
	w->name = unquote_dup(name);
	if (!w->name)
		return NULL;
	g->n_writers++;
	return w;
}

/* A writer's header: at the left margin, "label: value", and either the
 * value is quoted or the next line is indented and holds a {GUID}. */
static bool writer_header(char **lines, size_t n, size_t i, char **value)
{
	char *line = lines[i], *v;

	if (indented(line) || blank(line) || !strchr(line, ':'))
		return false;
	v = strchr(line, ':') + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	if (!*v)
		return false;
	if (!quote_at(v) && !(i + 1 < n && indented(lines[i + 1]) && strchr(lines[i + 1], '{')))
		return false;
	*value = v;
	return true;
}

int vmsc_guest_parse_writers(const char *text, struct vmsc_guest_facts *g)
{
	char *copy, **lines, *value;
	size_t n, i;
	int rc = -1;

	if (!text)
		return 0;
	copy = strdup(text);
	if (!copy)
		return -1;
	lines = split_lines(copy, &n);
	if (!lines)
		goto out;
	for (i = 0; i < n; i++) {
		struct vmsc_guest_writer *w;
		bool after_state = false;

		if (!writer_header(lines, n, i, &value))
			continue;
		w = add_writer(g, trim(value));
		if (!w)
			goto out;
		for (i++; i < n && indented(lines[i]) && !blank(lines[i]); i++) {
			char *rest = NULL;
			int st;

			if (after_state) {
				/* The line after the state is the last error. */
				char *v = value_after_colon(lines[i]);

				if (v && !w->last_error && !(w->last_error = strdup(v)))
					goto out;
				after_state = false;
				continue;
			}
			st = bracket_number(lines[i], &rest);
			if (st >= 0 && w->state < 0) {
				w->state = st;
				if (*rest && !(w->state_text = strdup(rest)))
					goto out;
				after_state = true;
			}
		}
		i--;
	}
	decide_failed(g);
	if (g->n_writers)
		g->writers_read = true;
	rc = 0;
out:
	free(lines);
	free(copy);
	return rc;
}

/* --- whoami /groups --------------------------------------------------------- */

void vmsc_guest_parse_whoami(const char *text, struct vmsc_guest_facts *g)
{
	const char *p = text;
	bool label = false;

	if (!text)
		return;
	/* Mandatory Label SIDs are S-1-16-<level>; High is 12288. */
	while ((p = strstr(p, "S-1-16-")) != NULL) {
		const char *d = p + 7;
		size_t k = strspn(d, "0123456789");

		if (k) {
			label = true;
			if (k == 5 && strncmp(d, "12288", 5) == 0) {
				g->elevated = VMSC_TRI_TRUE;
				return;
			}
		}
		p = d;
	}
	if (label)
		g->elevated = VMSC_TRI_FALSE;
}

/* --- wevtutil qe /f:text ---------------------------------------------------- */

static bool event_source_wanted(const char *src)
{
	static const char *const parts[] = { "vss", "volsnap", "vmware", "vmtools" };
	size_t i;

	for (i = 0; src && i < sizeof(parts) / sizeof(parts[0]); i++)
		if (strcasestr(src, parts[i]))
			return true;
	return false;
}

/* "Event[0]:" in any language: a word, "[digits]", ':' at the margin. */
static bool event_header(const char *line)
{
	const char *b = strchr(line, '['), *e;

	if (indented(line) || !b || b == line)
		return false;
	e = b + 1;
	if (!isdigit((unsigned char)*e))
		return false;
	while (isdigit((unsigned char)*e))
		e++;
	return e[0] == ']' && e[1] == ':' && blank(e + 2);
}

static int add_event(struct vmsc_guest_facts *g, const char *log, const char *source, long id,
		     const char *first)
{
	struct vmsc_guest_event *grown = realloc(g->events, (g->n_events + 1) * sizeof(*grown));
	struct vmsc_guest_event *e;

	if (!grown)
		return -1;
	g->events = grown;
	e = &g->events[g->n_events];
	memset(e, 0, sizeof(*e));
	e->id = id;
	if (!(e->log = strdup(log ? log : "")) || !(e->source = strdup(source ? source : "")) ||
	    (first && !(e->first_line = strdup(first)))) {
		free(e->log);
		free(e->source);
		free(e->first_line);
		return -1;
	}
	g->n_events++;
	return 0;
}

/*
 * wevtutil's text format: "Event[n]:", then indented "Label: value" lines
 * in a fixed order (Log Name, Source, Date, Event ID, Task, Level, Opcode,
 * Keyword, User, User Name, Computer, Description), then the description at
 * the margin.  Labels are localized, the order is not: source is the second
 * field, the event id the fourth.
 */
int vmsc_guest_parse_events(const char *text, const char *log, struct vmsc_guest_facts *g)
{
	char *copy, **lines;
	size_t n, i;
	bool any_header = false, any_text = false;
	int rc = -1;

	if (!text)
		return 0;
	copy = strdup(text);
	if (!copy)
		return -1;
	lines = split_lines(copy, &n);
	if (!lines)
		goto out;
	for (i = 0; i < n; i++) {
		char *source = NULL, *first = NULL, *last_value = NULL;
		long id = -1;
		size_t field = 0;

		if (!blank(lines[i]))
			any_text = true;
		if (!event_header(lines[i]))
			continue;
		any_header = true;
		for (i++; i < n && !event_header(lines[i]); i++) {
			char *v;

			if (indented(lines[i]) && !first) {
				v = value_after_colon(lines[i]);
				if (!v)
					continue;
				if (field == 1)
					source = v;
				else if (field == 3) {
					char *end;
					long x = strtol(v, &end, 10);

					if (end != v && *end == '\0')
						id = x;
				}
				last_value = v;
				field++;
			} else if (!first && !blank(lines[i])) {
				first = trim(lines[i]);
			}
		}
		i--;
		/* A description on the Description line itself. */
		if (!first && field >= 12 && last_value && *last_value)
			first = last_value;
		if (id >= 0 && event_source_wanted(source) &&
		    add_event(g, log, source, id, first) < 0)
			goto out;
	}
	if (any_header || !any_text)
		g->events_read = true;
	rc = 0;
out:
	free(lines);
	free(copy);
	return rc;
}

/* --- tools.conf -------------------------------------------------------------- */

static enum vmsc_tri parse_bool(const char *v)
{
	if (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0)
		return VMSC_TRI_TRUE;
	if (strcasecmp(v, "false") == 0 || strcmp(v, "0") == 0)
		return VMSC_TRI_FALSE;
	return VMSC_TRI_UNSET;
}

/* GKeyFile syntax (what vmtoolsd reads): [group], key = value, # comments;
 * groups and keys are case-sensitive as in Tools. */
void vmsc_guest_parse_tools_conf(const char *text, struct vmsc_guest_facts *g)
{
	const char *p = text;
	bool in_vmbackup = false;

	g->tools_conf_read = true;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[512], *s, *eq, *key, *val;

		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		p = nl ? nl + 1 : NULL;
		s = trim(line);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *e = strchr(s, ']');

			if (e) {
				*e = '\0';
				in_vmbackup = strcmp(trim(s + 1), "vmbackup") == 0;
			}
			continue;
		}
		if (!in_vmbackup || !(eq = strchr(s, '=')))
			continue;
		*eq = '\0';
		key = trim(s);
		val = trim(eq + 1);
		if (strcmp(key, "vss.disableAppQuiescing") == 0)
			g->disable_app_quiescing = parse_bool(val);
		else if (strcmp(key, "enableVSS") == 0)
			g->enable_vss = parse_bool(val);
		else if (strcmp(key, "enableSyncDriver") == 0)
			g->enable_sync_driver = parse_bool(val);
	}
}

/* --- registry, scripts ---------------------------------------------------- */

int vmsc_guest_add_provider(struct vmsc_guest_facts *g, const char *key, const char *name)
{
	struct vmsc_guest_provider *grown =
		realloc(g->providers, (g->n_providers + 1) * sizeof(*grown));
	struct vmsc_guest_provider *p;

	if (!grown)
		return -1;
	g->providers = grown;
	p = &g->providers[g->n_providers];
	p->key = strdup(key ? key : "");
	p->name = name ? strdup(name) : NULL;
	if (!p->key || (name && !p->name)) {
		free(p->key);
		free(p->name);
		return -1;
	}
	g->n_providers++;
	return 0;
}

int vmsc_guest_add_script(struct vmsc_guest_facts *g, const char *path, unsigned mode)
{
	struct vmsc_guest_script *grown = realloc(g->scripts, (g->n_scripts + 1) * sizeof(*grown));

	if (!grown)
		return -1;
	g->scripts = grown;
	g->scripts[g->n_scripts].path = strdup(path);
	if (!g->scripts[g->n_scripts].path)
		return -1;
	g->scripts[g->n_scripts].mode = mode;
	g->n_scripts++;
	return 0;
}

/* Microsoft Software Shadow Copy provider 1.0 has this GUID on every
 * Windows since Server 2003; VMware's provider names itself "VMware ...". */
#define MS_SOFTWARE_PROVIDER "{b5946137-7b9f-4925-af80-51abd60b20d5}"

bool vmsc_guest_provider_known(const struct vmsc_guest_provider *p)
{
	if (p->key && strcasecmp(p->key, MS_SOFTWARE_PROVIDER) == 0)
		return true;
	return p->name && strncasecmp(p->name, "VMware", 6) == 0;
}
