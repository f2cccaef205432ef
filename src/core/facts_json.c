/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * Facts files (docs/facts.md).  The writer streams: one json_dumpf() per VM,
 * the enclosing brackets and commas written by hand, so memory stays flat
 * however many VMs are saved.  The loader reads the whole document with
 * jansson and hands the visitor one vmsc_vm_facts at a time.
 *
 * Absent facts are absent keys (a JSON null reads as absent too): NULL
 * strings, UNSET tri-states, -1 ints that mean "absent", empty lists and
 * zero times are not written.  The loader is strict about types (a wrong
 * type is an error naming the VM and the field) but ignores keys it does
 * not know, so a newer vmsnapcheck can add facts without breaking older
 * readers; a change in meaning bumps schemaVersion instead.
 *
 * Both directions walk the field table (facts_fields.c): its rows give the
 * keys, their order and types, so a new fact needs no code here.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "vmsnapcheck/facts_json.h"

#define FACTS_SCHEMA_VERSION 1

/* --- time ---------------------------------------------------------------- */

/* The times RFC 3339 can write: years 0000 to 9999 (the parser keeps to them). */
#define TIME_MIN ((time_t)-62167219200LL) /* 0000-01-01T00:00:00Z */
#define TIME_MAX ((time_t)253402300799LL) /* 9999-12-31T23:59:59Z */

static void format_time(time_t t, char *buf, size_t size)
{
	struct tm tm;

	/* Not strftime's %Y: glibc writes year 278 as "278", which no parser
	 * takes.  The moduli change nothing in range; they tell the compiler
	 * how long the fields are. */
	if (t < TIME_MIN || t > TIME_MAX || !gmtime_r(&t, &tm))
		snprintf(buf, size, "1970-01-01T00:00:00Z");
	else
		snprintf(buf, size, "%04u-%02u-%02uT%02u:%02u:%02uZ",
			 (unsigned)(tm.tm_year + 1900) % 10000u, (unsigned)tm.tm_mon % 12u + 1u,
			 (unsigned)tm.tm_mday % 32u, (unsigned)tm.tm_hour % 24u,
			 (unsigned)tm.tm_min % 60u, (unsigned)tm.tm_sec % 61u);
}

static int digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* RFC 3339: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM); fractions dropped. */
int vmsc_time_parse_rfc3339(const char *s, time_t *out)
{
	struct tm tm = { 0 };
	int y, mo, d, h, mi, sec, oh, om, sign;
	const char *p;
	time_t t;

	if (strlen(s) < 20 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
	    digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' ||
	    digits(s + 17, 2, &sec))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	p = s + 19;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return -1;
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		oh = om = 0;
		sign = 1;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && !digits(p + 1, 2, &oh) &&
		   p[3] == ':' && !digits(p + 4, 2, &om) && oh < 24 && om < 60) {
		sign = *p == '-' ? -1 : 1;
	} else {
		return -1;
	}
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	t -= sign * (oh * 3600 + om * 60);
	/* "0000-01-01T00:00:00+01:00" is in year -1: nothing can write it back */
	if (t < TIME_MIN || t > TIME_MAX)
		return -1;
	*out = t;
	return 0;
}

/* --- building JSON ------------------------------------------------------- */

/* Adds `value` under `key`; a NULL value (allocation or invalid UTF-8)
 * marks the build failed.  Returns 0 or -1. */
static int put(json_t *obj, const char *key, json_t *value)
{
	if (!value)
		return -1;
	return json_object_set_new(obj, key, value);
}

static int put_str(json_t *obj, const char *key, const char *s)
{
	return s ? put(obj, key, json_string(s)) : 0;
}

static int put_tri(json_t *obj, const char *key, enum vmsc_tri t)
{
	if (t == VMSC_TRI_UNSET)
		return 0;
	return put(obj, key, json_boolean(t == VMSC_TRI_TRUE));
}

static int put_int(json_t *obj, const char *key, long long v)
{
	return put(obj, key, json_integer(v));
}

static int put_time(json_t *obj, const char *key, time_t t)
{
	char buf[32];

	if (t == 0)
		return 0;
	format_time(t, buf, sizeof(buf));
	return put(obj, key, json_string(buf));
}

/* Puts field `fd` of record `obj` under its key; nothing when it is absent. */
static int put_field(json_t *o, const struct vmsc_fact_field *fd, const void *obj);

/* A record as an object; NULL when a value could not be built. */
static json_t *record_json(const struct vmsc_fact_record *rec, const void *obj)
{
	json_t *o = json_object();
	int rc = 0;

	if (!o)
		return NULL;
	for (size_t i = 0; i < rec->n_fields; i++)
		rc |= put_field(o, &rec->fields[i], obj);
	if (rc) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int put_strings(json_t *o, const char *key, char *const *v, size_t n)
{
	json_t *a;

	if (n == 0)
		return 0;
	if (!(a = json_array()))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (json_array_append_new(a, json_string(v[i])) < 0) {
			json_decref(a);
			return -1;
		}
	}
	return put(o, key, a);
}

static int put_options(json_t *o, const char *key, const struct vmsc_option *opt, size_t n)
{
	json_t *ec;
	int rc = 0;

	if (n == 0)
		return 0;
	if (!(ec = json_object()))
		rc = -1;
	for (size_t i = 0; ec && i < n; i++)
		rc |= put(ec, opt[i].key ? opt[i].key : "",
			  json_string(opt[i].value ? opt[i].value : ""));
	return rc | put(o, key, ec);
}

static int put_records(json_t *o, const struct vmsc_fact_field *fd, const char *arr, size_t n)
{
	json_t *a;

	if (n == 0)
		return 0;
	if (!(a = json_array()))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (json_array_append_new(a, record_json(fd->record,
							 arr + i * fd->record->size)) < 0) {
			json_decref(a);
			return -1;
		}
	}
	return put(o, fd->json, a);
}

static int put_field(json_t *o, const struct vmsc_fact_field *fd, const void *obj)
{
	char *p = (char *)obj; /* VMSC_FACT_AT casts; nothing is written */
	long long v;

	switch (fd->type) {
	case VMSC_FACT_STRING:
		return put_str(o, fd->json, *VMSC_FACT_AT(p, fd, char *));
	case VMSC_FACT_TRI:
		return put_tri(o, fd->json, *VMSC_FACT_AT(p, fd, enum vmsc_tri));
	case VMSC_FACT_INT:
	case VMSC_FACT_LLONG:
		/* ints are written even at their absent value, unless negative is absent */
		v = fd->type == VMSC_FACT_INT ? *VMSC_FACT_AT(p, fd, int)
					      : *VMSC_FACT_AT(p, fd, long long);
		if ((fd->flags & VMSC_FACT_OMIT_NEGATIVE) && v < 0)
			return 0;
		return put_int(o, fd->json, v);
	case VMSC_FACT_TIME:
		return put_time(o, fd->json, *VMSC_FACT_AT(p, fd, time_t));
	case VMSC_FACT_KIND:
		return put_str(o, fd->json, fd->kind->name(*VMSC_FACT_AT(p, fd, int)));
	case VMSC_FACT_STRINGS:
		return put_strings(o, fd->json, *VMSC_FACT_AT(p, fd, char **),
				   *VMSC_FACT_COUNT(p, fd));
	case VMSC_FACT_OPTIONS:
		return put_options(o, fd->json, *VMSC_FACT_AT(p, fd, struct vmsc_option *),
				   *VMSC_FACT_COUNT(p, fd));
	case VMSC_FACT_LIST:
		return put_records(o, fd, *VMSC_FACT_AT(p, fd, char *), *VMSC_FACT_COUNT(p, fd));
	case VMSC_FACT_OBJECT:
		if (vmsc_fact_field_absent(fd, obj))
			return 0;
		return put(o, fd->json, record_json(fd->record, VMSC_FACT_AT(p, fd, char)));
	}
	return -1;
}

static json_t *vm_json(const struct vmsc_vm_facts *f)
{
	return record_json(&vmsc_vm_fact_record, f);
}

/* --- writer -------------------------------------------------------------- */

struct vmsc_facts_writer {
	FILE *out;
	size_t n_vms;
	int failed;         /* a VM could not be converted or written */
};

#define DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER)

struct vmsc_facts_writer *vmsc_facts_writer_new(FILE *out)
{
	struct vmsc_facts_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->out = out;
	/* One VM per line: greppable and diffable, yet valid JSON as a whole. */
	if (fprintf(out, "{\"schemaVersion\":%d,\"vms\":[", FACTS_SCHEMA_VERSION) < 0)
		w->failed = 1;
	return w;
}

int vmsc_facts_writer_add_vm(struct vmsc_facts_writer *w, const struct vmsc_vm_facts *f)
{
	json_t *o = vm_json(f);
	int rc = -1;

	if (!o)
		goto out;
	if (fputs(w->n_vms ? ",\n" : "\n", w->out) < 0 || json_dumpf(o, w->out, DUMP_FLAGS) < 0)
		goto out;
	w->n_vms++;
	rc = 0;
out:
	if (rc < 0)
		w->failed = 1;
	json_decref(o);
	return rc;
}

int vmsc_facts_writer_finish(struct vmsc_facts_writer *w, const struct vmsc_facts_vcenter *vcs,
			     size_t n_vcs, struct vmsc_error *err)
{
	json_t *a = json_array(), *o;
	size_t i;
	int rc = -1;

	if (!a) {
		vmsc_error_set(err, VMSC_E_NOMEM, "writing facts: out of memory");
		goto out;
	}
	for (i = 0; i < n_vcs; i++) {
		int bad = 0;

		if (!(o = json_object()) || json_array_append_new(a, o) < 0) {
			vmsc_error_set(err, VMSC_E_NOMEM, "writing facts: out of memory");
			goto out;
		}
		bad |= put_str(o, "url", vcs[i].url);
		bad |= put_str(o, "name", vcs[i].name);
		bad |= put_str(o, "version", vcs[i].version);
		bad |= put_str(o, "apiVersion", vcs[i].api_version);
		bad |= put_str(o, "product", vcs[i].product);
		bad |= put_time(o, "capturedAt", vcs[i].captured_at);
		if (vcs[i].datastores) {
			json_t *ds = json_array();

			bad |= put(o, "datastores", ds);
			for (size_t j = 0; ds && j < vmsc_datastores_count(vcs[i].datastores); j++) {
				json_t *d = record_json(&vmsc_datastore_fact_record,
							vmsc_datastores_at(vcs[i].datastores, j));

				bad |= !d || json_array_append_new(ds, d) < 0;
			}
		}
		if (bad) {
			vmsc_error_set(err, VMSC_E_INTERNAL,
				       "writing facts: vCenter '%s' has a field that is not UTF-8",
				       vcs[i].name ? vcs[i].name : "?");
			goto out;
		}
	}
	if (w->failed) {
		vmsc_error_set(err, VMSC_E_IO,
			       "writing facts: a VM could not be written (out of memory, a name "
			       "that is not UTF-8, or a write error)");
		goto out;
	}
	if (fputs(w->n_vms ? "\n],\"vcenters\":" : "],\"vcenters\":", w->out) < 0 ||
	    json_dumpf(a, w->out, DUMP_FLAGS) < 0 || fputs("}\n", w->out) < 0 ||
	    fflush(w->out) != 0 || ferror(w->out)) {
		vmsc_error_set(err, VMSC_E_IO, "writing facts: %s", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	json_decref(a);
	return rc;
}

void vmsc_facts_writer_free(struct vmsc_facts_writer *w)
{
	free(w);
}

/* --- loader -------------------------------------------------------------- */

struct loader {
	const char *file;
	struct vmsc_error *err;
	char where[320];      /* "vm 'sql-01' (vms[3])" */
};

static int bad(struct loader *l, const char *field, const char *what, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(struct loader *l, const char *field, const char *what, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, what);
	vsnprintf(msg, sizeof(msg), what, ap);
	va_end(ap);
	return vmsc_error_set(l->err, VMSC_E_CONFIG, "%s: %s: '%s' %s", l->file, l->where, field,
			      msg);
}

static int nomem(struct loader *l)
{
	return vmsc_error_set(l->err, VMSC_E_NOMEM, "%s: out of memory", l->file);
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "something else";
}

/* snprintf for names in messages: a name cut short is still a fine name. */
static const char *name_f(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static const char *name_f(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return buf;
}

/* `prefix` + key, e.g. "disks[1]." + "label". */
static const char *field_name(char *buf, size_t size, const char *prefix, const char *key)
{
	snprintf(buf, size, "%s%s", prefix, key);
	return buf;
}

/* The value under key, or NULL when absent or null. */
static json_t *get(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return v && !json_is_null(v) ? v : NULL;
}

static int load_str(struct loader *l, json_t *obj, const char *prefix, const char *key,
		    char **out)
{
	json_t *v = get(obj, key);
	char fb[128];

	if (!v)
		return 0;
	field_name(fb, sizeof(fb), prefix, key);
	if (!json_is_string(v))
		return bad(l, fb, "must be a string, not %s", type_name(v));
	free(*out);
	if (!(*out = strdup(json_string_value(v))))
		return nomem(l);
	return 0;
}

static int load_tri(struct loader *l, json_t *obj, const char *prefix, const char *key,
		    enum vmsc_tri *out)
{
	json_t *v = get(obj, key);
	char fb[128];

	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return bad(l, field_name(fb, sizeof(fb), prefix, key),
			   "must be true or false, not %s", type_name(v));
	*out = json_is_true(v) ? VMSC_TRI_TRUE : VMSC_TRI_FALSE;
	return 0;
}

static int load_ll(struct loader *l, json_t *obj, const char *prefix, const char *key,
		   long long min, long long max, long long *out)
{
	json_t *v = get(obj, key);
	char fb[128];

	if (!v)
		return 0;
	field_name(fb, sizeof(fb), prefix, key);
	if (!json_is_integer(v))
		return bad(l, fb, "must be an integer, not %s", type_name(v));
	if (json_integer_value(v) < min || json_integer_value(v) > max)
		return bad(l, fb, "is out of range (%lld to %lld)", min, max);
	*out = json_integer_value(v);
	return 0;
}

static int load_int(struct loader *l, json_t *obj, const char *prefix, const char *key, int min,
		    int *out)
{
	long long v = *out;

	if (load_ll(l, obj, prefix, key, min, INT_MAX, &v) < 0)
		return -1;
	*out = (int)v;
	return 0;
}

static int load_time(struct loader *l, json_t *obj, const char *prefix, const char *key,
		     time_t *out)
{
	char *s = NULL, fb[128];
	int rc = 0;

	if (load_str(l, obj, prefix, key, &s) < 0)
		return -1;
	if (s && vmsc_time_parse_rfc3339(s, out) < 0)
		rc = bad(l, field_name(fb, sizeof(fb), prefix, key),
			 "is not an RFC 3339 time ('%s'), e.g. 2024-05-01T12:00:00Z", s);
	free(s);
	return rc;
}

/* The array under `json` in obj and its size (absent or null = empty); *rc
 * = -1 when it is something else.  `key` is its full name for messages
 * ("snapshots.list" inside a record). */
static json_t *get_array(struct loader *l, json_t *obj, const char *json, const char *key,
			 size_t *n, int *rc)
{
	json_t *v = get(obj, json);

	*n = 0;
	*rc = 0;
	if (!v)
		return NULL;
	if (!json_is_array(v)) {
		*rc = bad(l, key, "must be an array, not %s", type_name(v));
		return NULL;
	}
	*n = json_array_size(v);
	return v;
}

static int check_object(struct loader *l, json_t *v, const char *key, size_t i)
{
	char fb[128];

	if (json_is_object(v))
		return 0;
	name_f(fb, sizeof(fb), "%s[%zu]", key, i);
	return bad(l, fb, "must be an object, not %s", type_name(v));
}

static int load_record(struct loader *l, json_t *obj, const char *prefix, const char *self,
		       const struct vmsc_fact_record *rec, void *p);

static int load_strings(struct loader *l, json_t *obj, const char *prefix,
			const struct vmsc_fact_field *fd, void *p)
{
	char fb[64], key[128];
	size_t n, i;
	int rc;
	char ***out = VMSC_FACT_AT(p, fd, char **);
	size_t *count = VMSC_FACT_COUNT(p, fd);
	json_t *a, *v;

	a = get_array(l, obj, fd->json, field_name(key, sizeof(key), prefix, fd->json), &n, &rc);
	if (rc < 0 || !n)
		return rc;
	if (!(*out = calloc(n, sizeof(**out))))
		return nomem(l);
	for (i = 0; i < n; i++) {
		v = json_array_get(a, i);
		name_f(fb, sizeof(fb), "%s[%zu]", key, i);
		if (!json_is_string(v))
			return bad(l, fb, "must be a string, not %s", type_name(v));
		if (!((*out)[i] = strdup(json_string_value(v))))
			return nomem(l);
		(*count)++;
	}
	return 0;
}

static int load_options(struct loader *l, json_t *obj, const char *prefix,
			const struct vmsc_fact_field *fd, void *p)
{
	struct vmsc_option **out = VMSC_FACT_AT(p, fd, struct vmsc_option *);
	size_t *count = VMSC_FACT_COUNT(p, fd);
	json_t *ec = get(obj, fd->json), *v;
	const char *key;
	char fb[300], name[128];
	size_t n;

	if (!ec)
		return 0;
	field_name(name, sizeof(name), prefix, fd->json);
	if (!json_is_object(ec))
		return bad(l, name, "must be an object, not %s", type_name(ec));
	if (!(n = json_object_size(ec)))
		return 0;
	if (!(*out = calloc(n, sizeof(**out))))
		return nomem(l);
	json_object_foreach(ec, key, v) {
		struct vmsc_option *o = &(*out)[*count];

		if (!json_is_string(v)) {
			name_f(fb, sizeof(fb), "%s.%s", name, key);
			return bad(l, fb, "must be a string, not %s", type_name(v));
		}
		(*count)++;
		if (!(o->key = strdup(key)) || !(o->value = strdup(json_string_value(v))))
			return nomem(l);
	}
	return 0;
}

static int load_records(struct loader *l, json_t *obj, const char *prefix,
			const struct vmsc_fact_field *fd, void *p)
{
	const struct vmsc_fact_record *rec = fd->record;
	char **out = VMSC_FACT_AT(p, fd, char *);
	size_t *count = VMSC_FACT_COUNT(p, fd);
	char pre[64], self[64], key[128];
	size_t n, i;
	int rc;
	json_t *a, *v;

	a = get_array(l, obj, fd->json, field_name(key, sizeof(key), prefix, fd->json), &n, &rc);
	if (rc < 0 || !n)
		return rc;
	if (!(*out = calloc(n, rec->size)))
		return nomem(l);
	for (i = 0; i < n; i++) {
		char *elem = *out + i * rec->size;

		/* counted first: what a failed element holds is released with the VM */
		(*count)++;
		vmsc_fact_record_init(rec, elem);
		v = json_array_get(a, i);
		name_f(pre, sizeof(pre), "%s[%zu].", key, i);
		name_f(self, sizeof(self), "%s[%zu]", key, i);
		if (check_object(l, v, key, i) < 0 || load_record(l, v, pre, self, rec, elem) < 0)
			return -1;
	}
	return 0;
}

static int load_object(struct loader *l, json_t *obj, const char *prefix,
		       const struct vmsc_fact_field *fd, void *p)
{
	json_t *v = get(obj, fd->json);
	char pre[64], self[64];

	if (!v)
		return 0;
	name_f(self, sizeof(self), "%s%s", prefix, fd->json);
	if (!json_is_object(v))
		return bad(l, self, "must be an object, not %s", type_name(v));
	name_f(pre, sizeof(pre), "%s.", self);
	return load_record(l, v, pre, self, fd->record, VMSC_FACT_AT(p, fd, char));
}

static int load_kind(struct loader *l, json_t *obj, const char *prefix,
		     const struct vmsc_fact_field *fd, void *p)
{
	char *name = NULL;

	if (load_str(l, obj, prefix, fd->json, &name) < 0) {
		free(name);
		return -1;
	}
	/* -1 (unknown or absent) is derived from the type once the record is read */
	*VMSC_FACT_AT(p, fd, int) = fd->kind->from_name(name);
	free(name);
	return 0;
}

static int load_field(struct loader *l, json_t *obj, const char *prefix,
		      const struct vmsc_fact_field *fd, void *p)
{
	long long v;

	switch (fd->type) {
	case VMSC_FACT_STRING:
		return load_str(l, obj, prefix, fd->json, VMSC_FACT_AT(p, fd, char *));
	case VMSC_FACT_TRI:
		return load_tri(l, obj, prefix, fd->json, VMSC_FACT_AT(p, fd, enum vmsc_tri));
	case VMSC_FACT_INT:
		return load_int(l, obj, prefix, fd->json, (int)fd->min, VMSC_FACT_AT(p, fd, int));
	case VMSC_FACT_LLONG:
		v = *VMSC_FACT_AT(p, fd, long long);
		if (load_ll(l, obj, prefix, fd->json, fd->min, LLONG_MAX, &v) < 0)
			return -1;
		*VMSC_FACT_AT(p, fd, long long) = v;
		return 0;
	case VMSC_FACT_TIME:
		return load_time(l, obj, prefix, fd->json, VMSC_FACT_AT(p, fd, time_t));
	case VMSC_FACT_KIND:
		return load_kind(l, obj, prefix, fd, p);
	case VMSC_FACT_STRINGS:
		return load_strings(l, obj, prefix, fd, p);
	case VMSC_FACT_OPTIONS:
		return load_options(l, obj, prefix, fd, p);
	case VMSC_FACT_LIST:
		return load_records(l, obj, prefix, fd, p);
	case VMSC_FACT_OBJECT:
		return load_object(l, obj, prefix, fd, p);
	}
	return -1;
}

/*
 * Loads the fields of `rec` from object `obj` into p.  `self` names a
 * nested record ("unreadable[2]") in messages; at the top level (NULL) a
 * missing required key is reported at once, as the VM's identity.
 */
static int load_record(struct loader *l, json_t *obj, const char *prefix, const char *self,
		       const struct vmsc_fact_record *rec, void *p)
{
	const struct vmsc_fact_field *fd;
	size_t i;

	for (i = 0; i < rec->n_fields; i++) {
		fd = &rec->fields[i];
		if (load_field(l, obj, prefix, fd, p) < 0)
			return -1;
		if (!self && (fd->flags & VMSC_FACT_REQUIRED) && !vmsc_fact_field_absent(fd, p))
			continue;
		if (!self && (fd->flags & VMSC_FACT_REQUIRED))
			return bad(l, fd->json, "is missing");
	}
	for (i = 0; i < rec->n_fields; i++) {
		fd = &rec->fields[i];
		if (fd->type == VMSC_FACT_KIND && *VMSC_FACT_AT(p, fd, int) < 0)
			*VMSC_FACT_AT(p, fd, int) =
				fd->kind->from_type(*(char **)(void *)((char *)p + fd->kind->type_offset));
		if (self && (fd->flags & VMSC_FACT_REQUIRED) && vmsc_fact_field_absent(fd, p))
			return bad(l, self, "needs a '%s'", fd->json);
	}
	return 0;
}

static int load_vm(struct loader *l, json_t *obj, size_t index, struct vmsc_vm_facts *f)
{
	json_t *name = json_object_get(obj, "name");

	if (name && json_is_string(name))
		snprintf(l->where, sizeof(l->where), "vm '%s' (vms[%zu])", json_string_value(name),
			 index);
	else
		snprintf(l->where, sizeof(l->where), "vms[%zu]", index);
	if (!json_is_object(obj))
		return vmsc_error_set(l->err, VMSC_E_CONFIG, "%s: %s must be an object, not %s",
				      l->file, l->where, type_name(obj));

	return load_record(l, obj, "", NULL, &vmsc_vm_fact_record, f);
}

/* A vCenter's "datastores" (optional) into a new table in *out. */
static int load_datastores(struct loader *l, json_t *vc, struct vmsc_datastores **out)
{
	char pre[64], self[64];
	size_t n, i;
	int rc;
	json_t *a = get_array(l, vc, "datastores", "datastores", &n, &rc);

	*out = NULL;
	if (rc < 0 || !a)
		return rc;
	if (!(*out = vmsc_datastores_new()))
		return nomem(l);
	for (i = 0; i < n; i++) {
		struct vmsc_datastore d = { 0 };
		json_t *e = json_array_get(a, i);

		vmsc_fact_record_init(&vmsc_datastore_fact_record, &d);
		name_f(pre, sizeof(pre), "datastores[%zu].", i);
		name_f(self, sizeof(self), "datastores[%zu]", i);
		if (check_object(l, e, "datastores", i) < 0 ||
		    load_record(l, e, pre, self, &vmsc_datastore_fact_record, &d) < 0) {
			vmsc_fact_record_release(&vmsc_datastore_fact_record, &d);
			goto fail;
		}
		if (vmsc_datastores_add(*out, &d) < 0) {
			nomem(l);
			goto fail;
		}
	}
	return 0;
fail:
	vmsc_datastores_free(*out);
	*out = NULL;
	return -1;
}

static int visit_vcenters(struct loader *l, json_t *vcs, const struct vmsc_facts_visitor *v)
{
	size_t i;

	for (i = 0; i < json_array_size(vcs); i++) {
		json_t *o = json_array_get(vcs, i);
		char *s[5] = { NULL };
		struct vmsc_facts_vcenter vc = { 0 };
		int rc = -1, j;

		snprintf(l->where, sizeof(l->where), "vcenters[%zu]", i);
		if (!json_is_object(o)) {
			vmsc_error_set(l->err, VMSC_E_CONFIG, "%s: %s must be an object, not %s",
				       l->file, l->where, type_name(o));
			return -1;
		}
		if (load_str(l, o, "", "url", &s[0]) < 0 || load_str(l, o, "", "name", &s[1]) < 0 ||
		    load_str(l, o, "", "version", &s[2]) < 0 ||
		    load_str(l, o, "", "apiVersion", &s[3]) < 0 ||
		    load_str(l, o, "", "product", &s[4]) < 0 ||
		    load_time(l, o, "", "capturedAt", &vc.captured_at) < 0)
			goto next;
		vc.url = s[0];
		vc.name = s[1];
		vc.version = s[2];
		vc.api_version = s[3];
		vc.product = s[4];
		if (load_datastores(l, o, &vc.datastores) < 0)
			goto next;
		if (!v->vcenter)
			vmsc_datastores_free(vc.datastores);
		if (v->vcenter && v->vcenter(v->ud, &vc) != 0) {
			vmsc_error_set(l->err, VMSC_E_INTERRUPTED, "%s: loading stopped", l->file);
			goto next;
		}
		rc = 0;
next:
		for (j = 0; j < 5; j++)
			free(s[j]);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int visit(struct loader *l, json_t *doc, const struct vmsc_facts_visitor *v)
{
	json_t *ver, *vms, *vcs;
	size_t i;

	if (!json_is_object(doc))
		return vmsc_error_set(l->err, VMSC_E_CONFIG,
				      "%s: not a facts file (the top level must be an object)",
				      l->file);
	ver = json_object_get(doc, "schemaVersion");
	if (!ver || !json_is_integer(ver))
		return vmsc_error_set(l->err, VMSC_E_CONFIG,
				      "%s: not a facts file ('schemaVersion' missing or not an "
				      "integer)", l->file);
	if (json_integer_value(ver) != FACTS_SCHEMA_VERSION)
		return vmsc_error_set(l->err, VMSC_E_CONFIG,
				      "%s: unsupported schemaVersion %lld (this vmsnapcheck reads %d)",
				      l->file, (long long)json_integer_value(ver),
				      FACTS_SCHEMA_VERSION);
	vms = json_object_get(doc, "vms");
	vcs = json_object_get(doc, "vcenters");
	if (!vms || !json_is_array(vms))
		return vmsc_error_set(l->err, VMSC_E_CONFIG, "%s: 'vms' must be an array", l->file);
	if (!vcs || !json_is_array(vcs))
		return vmsc_error_set(l->err, VMSC_E_CONFIG, "%s: 'vcenters' must be an array",
				      l->file);

	if (visit_vcenters(l, vcs, v) < 0)
		return -1;
	for (i = 0; i < json_array_size(vms); i++) {
		struct vmsc_vm_facts *f = vmsc_vm_facts_new();

		if (!f)
			return nomem(l);
		if (load_vm(l, json_array_get(vms, i), i, f) < 0) {
			vmsc_vm_facts_free(f);
			return -1;
		}
		if (!v->vm) {
			vmsc_vm_facts_free(f);
			continue;
		}
		/* The visitor owns f from here, also when it stops. */
		if (v->vm(v->ud, f) != 0)
			return vmsc_error_set(l->err, VMSC_E_INTERRUPTED, "%s: loading stopped",
					      l->file);
	}
	return 0;
}

static int load_error(struct loader *l, const json_error_t *je)
{
	if (je->line > 0)
		return vmsc_error_set(l->err, VMSC_E_CONFIG, "%s:%d:%d: invalid JSON: %s", l->file,
				      je->line, je->column, je->text);
	return vmsc_error_set(l->err, VMSC_E_CONFIG, "%s: invalid JSON: %s", l->file, je->text);
}

/* Duplicate keys are refused: with two "powerState"s, which one is true?
 * Without JSON_ALLOW_NUL, jansson refuses "\u0000": strings are C strings. */
#define LOAD_FLAGS JSON_REJECT_DUPLICATES

int vmsc_facts_load_string(const char *json, const char *name, const struct vmsc_facts_visitor *v,
			   struct vmsc_error *err)
{
	struct loader l = { .file = name ? name : "facts", .err = err };
	json_error_t je;
	json_t *doc = json_loads(json ? json : "", LOAD_FLAGS, &je);
	int rc;

	if (!doc)
		return load_error(&l, &je);
	rc = visit(&l, doc, v);
	json_decref(doc);
	return rc;
}

int vmsc_facts_load(const char *path, const struct vmsc_facts_visitor *v, struct vmsc_error *err)
{
	struct loader l = { .file = path, .err = err };
	json_error_t je;
	json_t *doc;
	FILE *fp = fopen(path, "rb");
	int rc;

	if (!fp)
		return vmsc_error_set(err, VMSC_E_IO, "cannot open facts file '%s': %s", path,
				      strerror(errno));
	doc = json_loadf(fp, LOAD_FLAGS, &je);
	fclose(fp);
	if (!doc)
		return load_error(&l, &je);
	rc = visit(&l, doc, v);
	json_decref(doc);
	return rc;
}
