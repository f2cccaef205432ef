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

static json_t *disk_json(const void *p)
{
	const struct vmsc_disk *d = p;
	json_t *o = json_object();
	int rc = 0;

	if (!o)
		return NULL;
	rc |= put_str(o, "label", d->label);
	rc |= put_int(o, "key", d->key);
	if (d->controller_key >= 0)
		rc |= put_int(o, "controllerKey", d->controller_key);
	if (d->unit_number >= 0)
		rc |= put_int(o, "unitNumber", d->unit_number);
	rc |= put_str(o, "backingType", d->backing_type);
	rc |= put_str(o, "backingKind", vmsc_backing_kind_name(d->backing_kind));
	rc |= put_str(o, "diskMode", d->disk_mode);
	rc |= put_str(o, "compatibilityMode", d->compatibility_mode);
	rc |= put_str(o, "sharing", d->sharing);
	rc |= put_str(o, "fileName", d->file_name);
	if (d->capacity_bytes >= 0)
		rc |= put_int(o, "capacityBytes", d->capacity_bytes);
	if (rc) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *controller_json(const void *p)
{
	const struct vmsc_controller *c = p;
	json_t *o = json_object();
	int rc = 0;

	if (!o)
		return NULL;
	rc |= put_int(o, "key", c->key);
	/* values.c reads a missing busNumber as -1; absent reads back as 0 (docs/facts.md) */
	if (c->bus_number >= 0)
		rc |= put_int(o, "busNumber", c->bus_number);
	rc |= put_str(o, "type", c->type);
	rc |= put_str(o, "kind", vmsc_controller_kind_name(c->kind));
	rc |= put_str(o, "sharedBus", c->shared_bus);
	rc |= put_str(o, "label", c->label);
	if (rc) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *device_json(const void *p)
{
	const struct vmsc_device *d = p;
	json_t *o = json_object();

	if (!o || put_str(o, "type", d->type) || put_str(o, "label", d->label)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *volume_json(const void *p)
{
	const struct vmsc_guest_volume *v = p;
	json_t *o = json_object();

	if (!o || put_str(o, "path", v->path) || put_str(o, "fsType", v->fs_type) ||
	    put_int(o, "capacity", v->capacity) || put_int(o, "freeSpace", v->free_space)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *unreadable_json(const void *p)
{
	const struct vmsc_unreadable *u = p;
	json_t *o = json_object();

	if (!o || put_str(o, "path", u->path) || put_str(o, "fault", u->fault) ||
	    put_str(o, "message", u->message)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *snapshots_json(const struct vmsc_snapshot_summary *s)
{
	json_t *o = json_object();
	int rc = 0;

	if (!o)
		return NULL;
	rc |= put_int(o, "count", s->count);
	rc |= put_int(o, "maxDepth", s->max_depth);
	rc |= put_int(o, "quiescedCount", s->quiesced_count);
	rc |= put_time(o, "oldestTime", s->oldest_time);
	rc |= put_str(o, "oldestName", s->oldest_name);
	rc |= put_time(o, "newestTime", s->newest_time);
	rc |= put_str(o, "newestName", s->newest_name);
	rc |= put_str(o, "currentName", s->current_name);
	if (rc) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int snapshots_empty(const struct vmsc_snapshot_summary *s)
{
	return !s->count && !s->max_depth && !s->quiesced_count && !s->oldest_time &&
	       !s->oldest_name && !s->newest_time && !s->newest_name && !s->current_name;
}

/* Puts an array of `make`(element) under `key`; nothing when the list is
 * empty. */
static int put_list(json_t *obj, const char *key, const void *arr, size_t n, size_t elem,
		    json_t *(*make)(const void *))
{
	json_t *a;
	size_t i;

	if (n == 0)
		return 0;
	if (!(a = json_array()))
		return -1;
	for (i = 0; i < n; i++) {
		if (json_array_append_new(a, make((const char *)arr + i * elem)) < 0) {
			json_decref(a);
			return -1;
		}
	}
	return put(obj, key, a);
}

static json_t *string_json(const void *p)
{
	return json_string(*(char *const *)p);
}

static json_t *vm_json(const struct vmsc_vm_facts *f)
{
	json_t *o = json_object(), *ec;
	size_t i;
	int rc = 0;

	if (!o)
		return NULL;
	rc |= put_str(o, "vcenter", f->vcenter);
	rc |= put_str(o, "moid", f->moid);
	rc |= put_str(o, "name", f->name);
	rc |= put_str(o, "connectionState", f->connection_state);
	rc |= put_str(o, "powerState", f->power_state);
	rc |= put_tri(o, "template", f->template_vm);
	rc |= put_str(o, "guestId", f->guest_id);
	rc |= put_str(o, "guestFullName", f->guest_full_name);
	rc |= put_str(o, "guestFamily", f->guest_family);
	rc |= put_str(o, "toolsVersionStatus2", f->tools_version_status);
	rc |= put_str(o, "toolsRunningStatus", f->tools_running_status);
	rc |= put_str(o, "toolsVersion", f->tools_version);
	rc |= put_tri(o, "toolsInstallerMounted", f->tools_installer_mounted);
	rc |= put_tri(o, "snapshotOperationsSupported", f->snapshot_operations_supported);
	rc |= put_tri(o, "quiescedSnapshotsSupported", f->quiesced_snapshots_supported);
	rc |= put_tri(o, "snapshotDisabled", f->snapshot_disabled);
	rc |= put_tri(o, "snapshotLocked", f->snapshot_locked);
	rc |= put_tri(o, "diskUuidEnabled", f->disk_uuid_enabled);
	rc |= put_list(o, "disabledMethods", f->disabled_methods, f->n_disabled_methods,
		       sizeof(*f->disabled_methods), string_json);
	if (f->n_extra_config) {
		if (!(ec = json_object()))
			rc = -1;
		for (i = 0; ec && i < f->n_extra_config; i++)
			rc |= put(ec, f->extra_config[i].key ? f->extra_config[i].key : "",
				  json_string(f->extra_config[i].value ? f->extra_config[i].value
								       : ""));
		rc |= put(o, "extraConfig", ec);
	}
	rc |= put_tri(o, "hardwareRead", f->hardware_read);
	rc |= put_list(o, "disks", f->disks, f->n_disks,
		       sizeof(*f->disks), disk_json);
	rc |= put_list(o, "controllers", f->controllers, f->n_controllers,
		       sizeof(*f->controllers), controller_json);
	rc |= put_list(o, "devices", f->devices, f->n_devices,
		       sizeof(*f->devices), device_json);
	rc |= put_tri(o, "ftConfigured", f->ft_configured);
	rc |= put_str(o, "faultToleranceState", f->ft_state);
	if (!snapshots_empty(&f->snapshots))
		rc |= put(o, "snapshots", snapshots_json(&f->snapshots));
	rc |= put_tri(o, "consolidationNeeded", f->consolidation_needed);
	rc |= put_list(o, "volumes", f->volumes, f->n_volumes,
		       sizeof(*f->volumes), volume_json);
	rc |= put_list(o, "unreadable", f->unreadable, f->n_unreadable,
		       sizeof(*f->unreadable), unreadable_json);
	rc |= put_time(o, "readAt", f->read_at);
	if (rc) {
		json_decref(o);
		return NULL;
	}
	return o;
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

static int load_required_str(struct loader *l, json_t *obj, const char *key, char **out)
{
	if (load_str(l, obj, "", key, out) < 0)
		return -1;
	if (!*out)
		return bad(l, key, "is missing");
	return 0;
}

static int load_tri(struct loader *l, json_t *obj, const char *key, enum vmsc_tri *out)
{
	json_t *v = get(obj, key);

	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return bad(l, key, "must be true or false, not %s", type_name(v));
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

/* The array under key and its size (absent or null = empty); *rc = -1
 * when it is something else. */
static json_t *get_array(struct loader *l, json_t *obj, const char *key, size_t *n, int *rc)
{
	json_t *v = get(obj, key);

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
	snprintf(fb, sizeof(fb), "%s[%zu]", key, i);
	return bad(l, fb, "must be an object, not %s", type_name(v));
}

static int load_disks(struct loader *l, json_t *obj, struct vmsc_vm_facts *f)
{
	char pre[64];
	size_t n, i;
	int rc, kind;
	long long cap;
	json_t *a = get_array(l, obj, "disks", &n, &rc), *v;

	if (rc < 0 || !n)
		return rc;
	if (!(f->disks = calloc(n, sizeof(*f->disks))))
		return nomem(l);
	for (i = 0; i < n; i++) {
		struct vmsc_disk *d = &f->disks[i];
		char *kind_name = NULL;

		f->n_disks++;
		d->controller_key = -1;
		d->unit_number = -1;
		d->capacity_bytes = -1;
		v = json_array_get(a, i);
		snprintf(pre, sizeof(pre), "disks[%zu].", i);
		cap = -1;
		if (check_object(l, v, "disks", i) < 0 || load_str(l, v, pre, "label", &d->label) < 0 ||
		    load_int(l, v, pre, "key", INT_MIN, &d->key) < 0 ||
		    load_int(l, v, pre, "controllerKey", -1, &d->controller_key) < 0 ||
		    load_int(l, v, pre, "unitNumber", -1, &d->unit_number) < 0 ||
		    load_str(l, v, pre, "backingType", &d->backing_type) < 0 ||
		    load_str(l, v, pre, "backingKind", &kind_name) < 0 ||
		    load_str(l, v, pre, "diskMode", &d->disk_mode) < 0 ||
		    load_str(l, v, pre, "compatibilityMode", &d->compatibility_mode) < 0 ||
		    load_str(l, v, pre, "sharing", &d->sharing) < 0 ||
		    load_str(l, v, pre, "fileName", &d->file_name) < 0 ||
		    load_ll(l, v, pre, "capacityBytes", -1, LLONG_MAX, &cap) < 0) {
			free(kind_name);
			return -1;
		}
		d->capacity_bytes = cap;
		/* A kind this version does not know is derived from the type. */
		kind = vmsc_backing_kind_from_name(kind_name);
		d->backing_kind = kind >= 0 ? (enum vmsc_backing_kind)kind
					    : vmsc_backing_kind_from_type(d->backing_type);
		free(kind_name);
	}
	return 0;
}

static int load_controllers(struct loader *l, json_t *obj, struct vmsc_vm_facts *f)
{
	char pre[64];
	size_t n, i;
	int rc, kind;
	json_t *a = get_array(l, obj, "controllers", &n, &rc), *v;

	if (rc < 0 || !n)
		return rc;
	if (!(f->controllers = calloc(n, sizeof(*f->controllers))))
		return nomem(l);
	for (i = 0; i < n; i++) {
		struct vmsc_controller *c = &f->controllers[i];
		char *kind_name = NULL;

		f->n_controllers++;
		v = json_array_get(a, i);
		snprintf(pre, sizeof(pre), "controllers[%zu].", i);
		if (check_object(l, v, "controllers", i) < 0 ||
		    load_int(l, v, pre, "key", INT_MIN, &c->key) < 0 ||
		    load_int(l, v, pre, "busNumber", 0, &c->bus_number) < 0 ||
		    load_str(l, v, pre, "type", &c->type) < 0 ||
		    load_str(l, v, pre, "kind", &kind_name) < 0 ||
		    load_str(l, v, pre, "sharedBus", &c->shared_bus) < 0 ||
		    load_str(l, v, pre, "label", &c->label) < 0) {
			free(kind_name);
			return -1;
		}
		kind = vmsc_controller_kind_from_name(kind_name);
		c->kind = kind >= 0 ? (enum vmsc_controller_kind)kind
				    : vmsc_controller_kind_from_type(c->type);
		free(kind_name);
	}
	return 0;
}

static int load_devices(struct loader *l, json_t *obj, struct vmsc_vm_facts *f)
{
	char pre[64];
	size_t n, i;
	int rc;
	json_t *a = get_array(l, obj, "devices", &n, &rc), *v;

	if (rc < 0 || !n)
		return rc;
	if (!(f->devices = calloc(n, sizeof(*f->devices))))
		return nomem(l);
	for (i = 0; i < n; i++) {
		f->n_devices++;
		v = json_array_get(a, i);
		snprintf(pre, sizeof(pre), "devices[%zu].", i);
		if (check_object(l, v, "devices", i) < 0 ||
		    load_str(l, v, pre, "type", &f->devices[i].type) < 0 ||
		    load_str(l, v, pre, "label", &f->devices[i].label) < 0)
			return -1;
	}
	return 0;
}

static int load_volumes(struct loader *l, json_t *obj, struct vmsc_vm_facts *f)
{
	char pre[64];
	size_t n, i;
	int rc;
	json_t *a = get_array(l, obj, "volumes", &n, &rc), *v;

	if (rc < 0 || !n)
		return rc;
	if (!(f->volumes = calloc(n, sizeof(*f->volumes))))
		return nomem(l);
	for (i = 0; i < n; i++) {
		struct vmsc_guest_volume *g = &f->volumes[i];

		f->n_volumes++;
		g->free_space = -1; /* unknown: the rule skips the volume */
		v = json_array_get(a, i);
		snprintf(pre, sizeof(pre), "volumes[%zu].", i);
		if (check_object(l, v, "volumes", i) < 0 ||
		    load_str(l, v, pre, "path", &g->path) < 0 ||
		    load_str(l, v, pre, "fsType", &g->fs_type) < 0 ||
		    load_ll(l, v, pre, "capacity", LLONG_MIN, LLONG_MAX, &g->capacity) < 0 ||
		    load_ll(l, v, pre, "freeSpace", LLONG_MIN, LLONG_MAX, &g->free_space) < 0)
			return -1;
	}
	return 0;
}

static int load_unreadable(struct loader *l, json_t *obj, struct vmsc_vm_facts *f)
{
	char pre[64];
	size_t n, i;
	int rc;
	json_t *a = get_array(l, obj, "unreadable", &n, &rc), *v;

	if (rc < 0 || !n)
		return rc;
	if (!(f->unreadable = calloc(n, sizeof(*f->unreadable))))
		return nomem(l);
	for (i = 0; i < n; i++) {
		struct vmsc_unreadable *u = &f->unreadable[i];

		f->n_unreadable++;
		v = json_array_get(a, i);
		snprintf(pre, sizeof(pre), "unreadable[%zu].", i);
		if (check_object(l, v, "unreadable", i) < 0 ||
		    load_str(l, v, pre, "path", &u->path) < 0 ||
		    load_str(l, v, pre, "fault", &u->fault) < 0 ||
		    load_str(l, v, pre, "message", &u->message) < 0)
			return -1;
		if (!u->path) {
			snprintf(pre, sizeof(pre), "unreadable[%zu]", i);
			return bad(l, pre, "needs a 'path'");
		}
	}
	return 0;
}

static int load_disabled_methods(struct loader *l, json_t *obj, struct vmsc_vm_facts *f)
{
	char fb[64];
	size_t n, i;
	int rc;
	json_t *a = get_array(l, obj, "disabledMethods", &n, &rc), *v;

	if (rc < 0 || !n)
		return rc;
	if (!(f->disabled_methods = calloc(n, sizeof(*f->disabled_methods))))
		return nomem(l);
	for (i = 0; i < n; i++) {
		v = json_array_get(a, i);
		snprintf(fb, sizeof(fb), "disabledMethods[%zu]", i);
		if (!json_is_string(v))
			return bad(l, fb, "must be a string, not %s", type_name(v));
		if (!(f->disabled_methods[i] = strdup(json_string_value(v))))
			return nomem(l);
		f->n_disabled_methods++;
	}
	return 0;
}

static int load_extra_config(struct loader *l, json_t *obj, struct vmsc_vm_facts *f)
{
	json_t *ec = get(obj, "extraConfig"), *v;
	const char *key;
	char fb[300];
	size_t n;

	if (!ec)
		return 0;
	if (!json_is_object(ec))
		return bad(l, "extraConfig", "must be an object, not %s", type_name(ec));
	if (!(n = json_object_size(ec)))
		return 0;
	if (!(f->extra_config = calloc(n, sizeof(*f->extra_config))))
		return nomem(l);
	json_object_foreach(ec, key, v) {
		struct vmsc_option *o = &f->extra_config[f->n_extra_config];

		if (!json_is_string(v)) {
			snprintf(fb, sizeof(fb), "extraConfig.%s", key);
			return bad(l, fb, "must be a string, not %s", type_name(v));
		}
		f->n_extra_config++;
		if (!(o->key = strdup(key)) || !(o->value = strdup(json_string_value(v))))
			return nomem(l);
	}
	return 0;
}

static int load_snapshots(struct loader *l, json_t *obj, struct vmsc_vm_facts *f)
{
	struct vmsc_snapshot_summary *s = &f->snapshots;
	json_t *v = get(obj, "snapshots");
	const char *pre = "snapshots.";

	if (!v)
		return 0;
	if (!json_is_object(v))
		return bad(l, "snapshots", "must be an object, not %s", type_name(v));
	if (load_int(l, v, pre, "count", 0, &s->count) < 0 ||
	    load_int(l, v, pre, "maxDepth", 0, &s->max_depth) < 0 ||
	    load_int(l, v, pre, "quiescedCount", 0, &s->quiesced_count) < 0 ||
	    load_time(l, v, pre, "oldestTime", &s->oldest_time) < 0 ||
	    load_str(l, v, pre, "oldestName", &s->oldest_name) < 0 ||
	    load_time(l, v, pre, "newestTime", &s->newest_time) < 0 ||
	    load_str(l, v, pre, "newestName", &s->newest_name) < 0 ||
	    load_str(l, v, pre, "currentName", &s->current_name) < 0)
		return -1;
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

	if (load_required_str(l, obj, "vcenter", &f->vcenter) < 0 ||
	    load_required_str(l, obj, "moid", &f->moid) < 0 ||
	    load_required_str(l, obj, "name", &f->name) < 0 ||
	    load_str(l, obj, "", "connectionState", &f->connection_state) < 0 ||
	    load_str(l, obj, "", "powerState", &f->power_state) < 0 ||
	    load_tri(l, obj, "template", &f->template_vm) < 0 ||
	    load_str(l, obj, "", "guestId", &f->guest_id) < 0 ||
	    load_str(l, obj, "", "guestFullName", &f->guest_full_name) < 0 ||
	    load_str(l, obj, "", "guestFamily", &f->guest_family) < 0 ||
	    load_str(l, obj, "", "toolsVersionStatus2", &f->tools_version_status) < 0 ||
	    load_str(l, obj, "", "toolsRunningStatus", &f->tools_running_status) < 0 ||
	    load_str(l, obj, "", "toolsVersion", &f->tools_version) < 0 ||
	    load_tri(l, obj, "toolsInstallerMounted", &f->tools_installer_mounted) < 0 ||
	    load_tri(l, obj, "snapshotOperationsSupported", &f->snapshot_operations_supported) < 0 ||
	    load_tri(l, obj, "quiescedSnapshotsSupported", &f->quiesced_snapshots_supported) < 0 ||
	    load_tri(l, obj, "snapshotDisabled", &f->snapshot_disabled) < 0 ||
	    load_tri(l, obj, "snapshotLocked", &f->snapshot_locked) < 0 ||
	    load_tri(l, obj, "diskUuidEnabled", &f->disk_uuid_enabled) < 0 ||
	    load_disabled_methods(l, obj, f) < 0 || load_extra_config(l, obj, f) < 0 ||
	    load_tri(l, obj, "hardwareRead", &f->hardware_read) < 0 || load_disks(l, obj, f) < 0 ||
	    load_controllers(l, obj, f) < 0 || load_devices(l, obj, f) < 0 ||
	    load_tri(l, obj, "ftConfigured", &f->ft_configured) < 0 ||
	    load_str(l, obj, "", "faultToleranceState", &f->ft_state) < 0 ||
	    load_snapshots(l, obj, f) < 0 ||
	    load_tri(l, obj, "consolidationNeeded", &f->consolidation_needed) < 0 ||
	    load_volumes(l, obj, f) < 0 || load_unreadable(l, obj, f) < 0 ||
	    load_time(l, obj, "", "readAt", &f->read_at) < 0)
		return -1;
	return 0;
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
