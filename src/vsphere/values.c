/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Property values: each DynamicProperty's <val> arrives as literal XML
 * (see vim25.h for why) and is read here into plain facts with libxml2's
 * streaming reader.  Unknown element and xsi:type names are skipped, so a
 * newer vSphere release never breaks a page.
 *
 * The captured fragments lack the namespace declarations of their
 * ancestors (a real vCenter declares xsi on the Envelope), so xsi:type is
 * recognised by its namespace *or* by an unbound "<prefix>:type" qname, and
 * elements are matched by local name only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "internal.h"
#include "vmsnapcheck/str.h"

#define XSI_NS "http://www.w3.org/2001/XMLSchema-instance"
#define READER_OPTIONS (XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NONET)
#define MAX_PATH 512
#define MAX_DEPTH 64

/* ---- small helpers --------------------------------------------------- */

time_t vmsc_parse_datetime(const char *s)
{
	time_t t;

	if (!s || vmsc_time_parse_rfc3339(s, &t) < 0)
		return (time_t)-1;
	return t;
}

static int decode_entities(char *s)
{
	char *w = s;

	for (char *r = s; *r;) {
		if (*r != '&') {
			*w++ = *r++;
			continue;
		}
		if (!strncmp(r, "&amp;", 5)) { *w++ = '&'; r += 5; }
		else if (!strncmp(r, "&lt;", 4)) { *w++ = '<'; r += 4; }
		else if (!strncmp(r, "&gt;", 4)) { *w++ = '>'; r += 4; }
		else if (!strncmp(r, "&quot;", 6)) { *w++ = '"'; r += 6; }
		else if (!strncmp(r, "&apos;", 6)) { *w++ = '\''; r += 6; }
		else return -1; /* numeric references: let libxml2 do it */
	}
	*w = '\0';
	return 0;
}

/*
 * Fast path for scalar values (<val xsi:type="xsd:string">text</val>):
 * most properties are scalars and a reader set-up per value costs more than
 * the value.  Returns a malloc'd string, or NULL with *fallback set when the
 * content is not plain text.
 */
static char *scalar_fast(const char *xml, bool *fallback)
{
	const char *gt, *end;
	char *s;

	*fallback = false;
	gt = strchr(xml, '>');
	if (!gt) {
		*fallback = true;
		return NULL;
	}
	if (gt > xml && gt[-1] == '/')
		return strdup("");
	end = strrchr(gt, '<');
	if (!end || end[1] != '/' || memchr(gt + 1, '<', (size_t)(end - gt - 1))) {
		*fallback = true;
		return NULL;
	}
	s = strndup(gt + 1, (size_t)(end - gt - 1));
	if (s && decode_entities(s) < 0) {
		free(s);
		*fallback = true;
		return NULL;
	}
	return s;
}

static xmlTextReaderPtr reader_open(xmlTextReaderPtr *reader, const char *xml)
{
	int len = (int)strlen(xml);

	if (!*reader) {
		*reader = xmlReaderForMemory(xml, len, NULL, "UTF-8", READER_OPTIONS);
		return *reader;
	}
	if (xmlReaderNewMemory(*reader, xml, len, NULL, "UTF-8", READER_OPTIONS) < 0)
		return NULL;
	return *reader;
}

/* xsi:type of the current element, prefix stripped; malloc'd or NULL. */
static char *xsi_type(xmlTextReaderPtr r)
{
	char *type = NULL;

	if (!xmlTextReaderHasAttributes(r))
		return NULL;
	while (xmlTextReaderMoveToNextAttribute(r) == 1) {
		const char *name = (const char *)xmlTextReaderConstName(r);
		const char *ns = (const char *)xmlTextReaderConstNamespaceUri(r);
		const char *colon = strchr(name, ':');
		bool is_xsi = false;

		if (ns && strcmp(ns, XSI_NS) == 0)
			is_xsi = strcmp((const char *)xmlTextReaderConstLocalName(r), "type") == 0;
		else if (!ns && colon && strcmp(colon + 1, "type") == 0 && strncmp(name, "xmlns", 5))
			is_xsi = true; /* prefix declared on an ancestor we never saw */
		if (is_xsi) {
			const char *v = (const char *)xmlTextReaderConstValue(r);
			const char *vc = v ? strchr(v, ':') : NULL;

			type = strdup(vc ? vc + 1 : (v ? v : ""));
			break;
		}
	}
	xmlTextReaderMoveToElement(r);
	return type;
}

/* Local name; with unbound prefixes libxml2 may keep "p:name" as the name. */
static const char *local_name(xmlTextReaderPtr r)
{
	const char *n = (const char *)xmlTextReaderConstLocalName(r);
	const char *c = n ? strchr(n, ':') : NULL;

	return c ? c + 1 : n;
}

/* ---- a small streaming walker ---------------------------------------- */

/*
 * Walks a <val> fragment and reports element starts, text and element ends
 * with the path of local names below <val> ("VirtualDevice/backing/diskMode").
 */
struct walker {
	xmlTextReaderPtr r;
	char path[MAX_PATH];
	size_t len_at[MAX_DEPTH + 1];
	int depth;                      /* depth below <val>; 0 = val itself */
	int (*start)(void *ud, const char *path, int depth, const char *type);
	int (*text)(void *ud, const char *path, int depth, const char *text);
	int (*end)(void *ud, const char *path, int depth);
	void *ud;
	int types_below;                /* xsi:type is read for depths below this (it costs) */
};

static void walker_set_depth(struct walker *w, int depth, const char *name)
{
	/* deeper than MAX_DEPTH, paths stop growing: no reader needs them */
	size_t len = depth <= 1 ? 0 : w->len_at[depth - 1 > MAX_DEPTH ? MAX_DEPTH : depth - 1];
	size_t nl = strlen(name);

	if (depth > MAX_DEPTH || len + nl + 2 > sizeof(w->path)) {
		w->len_at[depth > MAX_DEPTH ? MAX_DEPTH : depth] = len;
		return;
	}
	if (len)
		w->path[len++] = '/';
	memcpy(w->path + len, name, nl);
	len += nl;
	w->path[len] = '\0';
	w->len_at[depth] = len;
}

static void walker_trim(struct walker *w, int depth)
{
	size_t len = depth <= 0 ? 0 : w->len_at[depth > MAX_DEPTH ? MAX_DEPTH : depth];

	w->path[len] = '\0';
}

/*
 * Walks the element the reader stands on (a <val>, <fault>, ...) to its end.
 * Returns 0 when read to its end, -1 on allocation failure in a callback,
 * 1 when the XML broke off or was malformed (what was read stays).
 */
static int walk(struct walker *w)
{
	xmlTextReaderPtr r = w->r;
	int base = xmlTextReaderDepth(r), ret;
	bool empty = xmlTextReaderIsEmptyElement(r) == 1;
	char *t = w->types_below > 0 ? xsi_type(r) : NULL;

	w->path[0] = '\0';
	w->depth = 0;
	ret = w->start ? w->start(w->ud, w->path, 0, t) : 0;
	free(t);
	if (ret < 0)
		return -1;
	if (empty)
		return w->end && w->end(w->ud, w->path, 0) < 0 ? -1 : 0;
	while ((ret = xmlTextReaderRead(r)) == 1) {
		int type = xmlTextReaderNodeType(r);
		int d = xmlTextReaderDepth(r) - base;

		if (type == XML_READER_TYPE_ELEMENT) {
			empty = xmlTextReaderIsEmptyElement(r) == 1;
			t = d < w->types_below ? xsi_type(r) : NULL;
			walker_set_depth(w, d, local_name(r));
			w->depth = d;
			if (w->start && w->start(w->ud, w->path, d, t) < 0) {
				free(t);
				return -1;
			}
			free(t);
			if (empty && w->end && w->end(w->ud, w->path, d) < 0)
				return -1;
			if (empty)
				walker_trim(w, d - 1);
		} else if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA) {
			const char *v = (const char *)xmlTextReaderConstValue(r);

			walker_trim(w, d - 1);
			if (w->text && v && w->text(w->ud, w->path, d - 1, v) < 0)
				return -1;
		} else if (type == XML_READER_TYPE_END_ELEMENT) {
			walker_trim(w, d);
			if (w->end && w->end(w->ud, w->path, d) < 0)
				return -1;
			if (d == 0)
				return 0;
			walker_trim(w, d - 1);
		}
	}
	return 1;
}

/* A captured fragment: walks its first element, then checks the rest. */
static int walk_fragment(xmlTextReaderPtr *slot, const char *xml, struct walker *w)
{
	xmlTextReaderPtr r = reader_open(slot, xml);
	int ret, rc;

	if (!r)
		return -1;
	while ((ret = xmlTextReaderRead(r)) == 1 && xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT)
		;
	if (ret != 1)
		return ret == 0 ? 0 : 1;
	w->r = r;
	if ((rc = walk(w)) != 0)
		return rc;
	while ((ret = xmlTextReaderRead(r)) == 1)
		;
	return ret == 0 ? 0 : 1;
}

/*
 * Where a value comes from: a captured fragment (xml), or the reader of a
 * whole reply standing on the value's <val> (r).  In a whole reply a broken
 * value means a broken reply: 1 goes up to the caller.
 */
struct value_in {
	const char *xml;
	xmlTextReaderPtr r;
};

static int run_walker(struct vmsc_vsphere *c, struct walker *w, const struct value_in *in,
		      const char *what, const struct vmsc_vm_facts *f)
{
	int rc;

	if (in->r) {
		w->r = in->r;
		return walk(w);
	}
	rc = walk_fragment(&c->reader, in->xml, w);
	if (rc > 0 && c->opts.debug)
		fprintf(stderr, "vmsnapcheck: debug: %s: malformed value of '%s', kept what was read\n",
			f->moid ? f->moid : "?", what);
	return rc < 0 ? -1 : 0;
}

/* Skips the element the reader stands on: 0, or 1 when the reply broke off. */
static int skip_element(xmlTextReaderPtr r)
{
	int base = xmlTextReaderDepth(r), ret;

	if (xmlTextReaderIsEmptyElement(r) == 1)
		return 0;
	while ((ret = xmlTextReaderRead(r)) == 1)
		if (xmlTextReaderNodeType(r) == XML_READER_TYPE_END_ELEMENT &&
		    xmlTextReaderDepth(r) == base)
			return 0;
	return 1;
}

/*
 * Text of the element the reader stands on, malloc'd ("" when empty).
 * NULL with *bad set when the reply broke off, without on allocation failure.
 */
static char *element_text(xmlTextReaderPtr r, bool *bad)
{
	int base = xmlTextReaderDepth(r), ret;
	char *s = NULL;
	size_t len = 0;

	*bad = false;
	if (xmlTextReaderIsEmptyElement(r) == 1)
		return strdup("");
	while ((ret = xmlTextReaderRead(r)) == 1) {
		int type = xmlTextReaderNodeType(r);

		if (type == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth(r) == base)
			return s ? s : strdup("");
		if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
		    type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE) {
			const char *v = (const char *)xmlTextReaderConstValue(r);
			size_t n = v ? strlen(v) : 0;
			char *grown = realloc(s, len + n + 1);

			if (!grown) {
				free(s);
				return NULL;
			}
			s = grown;
			memcpy(s + len, v ? v : "", n);
			len += n;
			s[len] = '\0';
		}
	}
	free(s);
	*bad = true;
	return NULL;
}

/* Appends one zeroed element to a facts array. */
static void *grow(void **arr, size_t *n, size_t size)
{
	void *p = realloc(*arr, (*n + 1) * size);

	if (!p)
		return NULL;
	*arr = p;
	p = (char *)p + *n * size;
	memset(p, 0, size);
	(*n)++;
	return p;
}

static enum vmsc_tri parse_bool(const char *v)
{
	if (!v)
		return VMSC_TRI_UNSET;
	if (!strcmp(v, "true") || !strcmp(v, "1"))
		return VMSC_TRI_TRUE;
	if (!strcmp(v, "false") || !strcmp(v, "0"))
		return VMSC_TRI_FALSE;
	return VMSC_TRI_UNSET;
}

static long long parse_ll(const char *v)
{
	char *end;
	long long n = strtoll(v, &end, 10);

	return (end == v) ? -1 : n;
}

/* ---- scalars --------------------------------------------------------- */

/* Text of a scalar <val>, via the fast path or the reader. */
char *vmsc_values_scalar(struct vmsc_vsphere *c, const char *xml)
{
	bool fallback;
	char *s = scalar_fast(xml, &fallback);
	xmlTextReaderPtr r;

	if (!fallback)
		return s;
	r = reader_open(&c->reader, xml);
	if (!r)
		return NULL;
	while (xmlTextReaderRead(r) == 1) {
		if (xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT) {
			xmlChar *t = xmlTextReaderReadString(r);

			s = t ? strdup((const char *)t) : strdup("");
			xmlFree(t);
			return s;
		}
	}
	/* not an element at all: an unreadable value reads as absent (""),
	 * only allocation failure returns NULL */
	return strdup("");
}

/* An integer value; `absent` when the text is not one that fits. */
static long long parse_int(const char *v, long long min, long long max, long long absent)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(v, &end, 10);
	while (end != v && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
		end++;
	if (end == v || *end || errno || n < min || n > max)
		return absent;
	return n;
}

/* Stores a plain value's text (taking it) in the field the table names. */
static int apply_scalar(const struct vmsc_fact_field *fd, char *v, void *f)
{
	char **sp = VMSC_FACT_AT(f, fd, char *);
	time_t t;

	switch (fd->type) {
	case VMSC_FACT_STRING:
		if (fd->flags & VMSC_FACT_VSPHERE_NAME) {
			/* an unreadable name reads as absent: the caller falls back to the moid */
			if (!*v)
				break;
			vmsc_name_decode(v);
		} else if (!*v) {
			/* an empty enum (the simulator's unset faultToleranceState) means absent */
			free(*sp);
			*sp = NULL;
			break;
		}
		free(*sp);
		*sp = v;
		return 0;
	case VMSC_FACT_TRI:
		*VMSC_FACT_AT(f, fd, enum vmsc_tri) = parse_bool(v);
		break;
	case VMSC_FACT_INT:
		*VMSC_FACT_AT(f, fd, int) = (int)parse_int(v, INT_MIN, INT_MAX, fd->absent);
		break;
	case VMSC_FACT_LLONG:
		*VMSC_FACT_AT(f, fd, long long) = parse_int(v, LLONG_MIN, LLONG_MAX, fd->absent);
		break;
	case VMSC_FACT_TIME:
		t = vmsc_parse_datetime(v);
		*VMSC_FACT_AT(f, fd, time_t) = t == (time_t)-1 ? 0 : t;
		break;
	default:
		break;
	}
	free(v);
	return 0;
}

/* ---- config.hardware.device ------------------------------------------ */

struct device_walk {
	struct vmsc_vsphere *c;
	struct vmsc_vm_facts *f;
	char *type, *backing_type, *label, *disk_mode, *compat, *sharing, *file_name, *shared_bus;
	char *datastore;
	char *parent_file, *key_id;
	long long key, controller_key, unit, bus, capacity_bytes, capacity_kb;
	bool kept;                      /* a device type the facts keep (device_end) */
	int failed;
	/* controllerKey of every device seen, for each controller's used units */
	int *attached;
	size_t n_attached;
};

static void device_reset(struct device_walk *d)
{
	free(d->type);
	free(d->backing_type);
	free(d->label);
	free(d->disk_mode);
	free(d->compat);
	free(d->sharing);
	free(d->file_name);
	free(d->shared_bus);
	free(d->datastore);
	free(d->parent_file);
	free(d->key_id);
	d->datastore = NULL;
	d->type = d->backing_type = d->label = d->disk_mode = d->compat = NULL;
	d->sharing = d->file_name = d->shared_bus = d->parent_file = d->key_id = NULL;
	d->key = d->controller_key = d->unit = d->bus = d->capacity_bytes = d->capacity_kb = -1;
	d->kept = false;
}

static bool is_special_device(const char *type)
{
	return type && (!strcmp(type, "VirtualPCIPassthrough") ||
			!strcmp(type, "VirtualSriovEthernetCard") ||
			!strcmp(type, "VirtualTPM") || !strcmp(type, "VirtualNVDIMM"));
}

static int device_start(void *ud, const char *path, int depth, const char *type)
{
	struct device_walk *d = ud;

	if (depth == 1) {
		device_reset(d);
		if (type && !(d->type = strdup(type)))
			return -1;
		d->kept = type && (!strcmp(type, "VirtualDisk") ||
				   vmsc_controller_kind_from_type(type) != VMSC_CONTROLLER_OTHER ||
				   is_special_device(type));
	} else if (depth == 2 && type && strcmp(path + strcspn(path, "/"), "/backing") == 0) {
		/* a repeated <backing> (malformed) replaces the first */
		return vmsc_str_set(&d->backing_type, type);
	}
	return 0;
}

/* Text below a device's backing, `rel` the path below it. */
static int backing_text(struct device_walk *d, const char *rel, const char *v)
{
	switch (rel[0]) {
	case 'd':
		if (!strcmp(rel, "diskMode"))
			return vmsc_str_set(&d->disk_mode, v);
		if (!strcmp(rel, "datastore"))
			return vmsc_str_set(&d->datastore, v);
		break;
	case 'c':
		if (!strcmp(rel, "compatibilityMode"))
			return vmsc_str_set(&d->compat, v);
		break;
	case 's':
		if (!strcmp(rel, "sharing"))
			return vmsc_str_set(&d->sharing, v);
		break;
	case 'f':
		if (!strcmp(rel, "fileName"))
			return vmsc_str_set(&d->file_name, v);
		break;
	case 'p':
		if (*v && !strcmp(rel, "parent/fileName"))
			return vmsc_str_set(&d->parent_file, v);
		break;
	case 'k':
		if (*v && !strcmp(rel, "keyId/keyId"))
			return vmsc_str_set(&d->key_id, v);
		break;
	default:
		break;
	}
	return 0;
}

static int device_text(void *ud, const char *path, int depth, const char *v)
{
	struct device_walk *d = ud;
	const char *rel = strchr(path, '/');

	if (depth < 2 || !rel)
		return 0;
	rel++;
	/* of the other devices only where they attach counts */
	if (!d->kept) {
		if (!strcmp(rel, "controllerKey"))
			d->controller_key = parse_ll(v);
		return 0;
	}
	/* by first letter: a disk's text nodes are many, their paths few */
	switch (rel[0]) {
	case 'k':
		if (!strcmp(rel, "key"))
			d->key = parse_ll(v);
		break;
	case 'd':
		if (!strcmp(rel, "deviceInfo/label"))
			return vmsc_str_set(&d->label, v);
		break;
	case 'c':
		if (!strcmp(rel, "controllerKey"))
			d->controller_key = parse_ll(v);
		else if (!strcmp(rel, "capacityInBytes"))
			d->capacity_bytes = parse_ll(v);
		else if (!strcmp(rel, "capacityInKB"))
			d->capacity_kb = parse_ll(v);
		break;
	case 'u':
		if (!strcmp(rel, "unitNumber"))
			d->unit = parse_ll(v);
		break;
	case 's':
		if (!strcmp(rel, "sharedBus"))
			return vmsc_str_set(&d->shared_bus, v);
		break;
	case 'b':
		if (!strcmp(rel, "busNumber"))
			d->bus = parse_ll(v);
		else if (!strncmp(rel, "backing/", 8))
			return backing_text(d, rel + 8, v);
		break;
	default:
		break;
	}
	return 0;
}

static int device_end(void *ud, const char *path, int depth)
{
	struct device_walk *d = ud;
	struct vmsc_vm_facts *f = d->f;
	enum vmsc_controller_kind ck;

	(void)path;
	if (depth != 1)
		return 0;
	if (d->controller_key >= 0 && d->controller_key <= INT_MAX) {
		int *grown = realloc(d->attached, (d->n_attached + 1) * sizeof(*grown));

		if (!grown)
			return -1;
		d->attached = grown;
		d->attached[d->n_attached++] = (int)d->controller_key;
	}
	if (!d->type)
		return 0;
	if (!strcmp(d->type, "VirtualDisk")) {
		struct vmsc_disk *disk = grow((void **)&f->disks, &f->n_disks, sizeof(*disk));

		if (!disk)
			return -1;
		disk->key = (int)d->key;
		disk->controller_key = (int)d->controller_key;
		disk->unit_number = (int)d->unit;
		disk->label = d->label;
		disk->backing_type = d->backing_type;
		disk->backing_kind = vmsc_backing_kind_from_type(d->backing_type);
		disk->disk_mode = d->disk_mode;
		disk->compatibility_mode = d->compat;
		disk->sharing = d->sharing;
		disk->file_name = d->file_name;
		disk->datastore = d->datastore;
		d->datastore = NULL;
		disk->parent_file_name = d->parent_file;
		disk->key_id = d->key_id;
		d->parent_file = d->key_id = NULL;
		/* capacityInKB from a hostile or broken reply must not overflow */
		disk->capacity_bytes = d->capacity_bytes >= 0 ? d->capacity_bytes
				       : (d->capacity_kb >= 0 && d->capacity_kb <= LLONG_MAX / 1024)
				       ? d->capacity_kb * 1024 : -1;
		d->label = d->backing_type = d->disk_mode = d->compat = d->sharing = d->file_name = NULL;
		if (disk->backing_kind == VMSC_BACKING_OTHER && d->c->opts.debug)
			fprintf(stderr, "vmsnapcheck: debug: %s: disk '%s' has backing type '%s' "
				"this version does not know; mode and sharing are still read\n",
				f->moid ? f->moid : "?", disk->label ? disk->label : "?",
				disk->backing_type ? disk->backing_type : "(none)");
	} else if ((ck = vmsc_controller_kind_from_type(d->type)) != VMSC_CONTROLLER_OTHER) {
		struct vmsc_controller *ctl = grow((void **)&f->controllers, &f->n_controllers,
						   sizeof(*ctl));

		if (!ctl)
			return -1;
		ctl->key = (int)d->key;
		ctl->bus_number = (int)d->bus;
		ctl->type = d->type;
		ctl->kind = ck;
		ctl->shared_bus = d->shared_bus;
		ctl->label = d->label;
		d->type = d->shared_bus = d->label = NULL;
	} else if (is_special_device(d->type)) {
		struct vmsc_device *dev = grow((void **)&f->devices, &f->n_devices, sizeof(*dev));

		if (!dev)
			return -1;
		dev->type = d->type;
		dev->label = d->label;
		d->type = d->label = NULL;
	}
	device_reset(d);
	return 0;
}

static int read_devices(struct vmsc_vsphere *c, const struct value_in *in, struct vmsc_vm_facts *f)
{
	struct device_walk d = { .c = c, .f = f };
	struct walker w = { .start = device_start, .text = device_text, .end = device_end, .ud = &d,
			    .types_below = 3 }; /* the device and its backing */
	int rc;

	device_reset(&d);
	f->hardware_read = VMSC_TRI_TRUE;
	rc = run_walker(c, &w, in, "config.hardware.device", f);
	device_reset(&d);
	/* devices may come before or after their controller: count at the end */
	for (size_t i = 0; i < f->n_controllers; i++) {
		f->controllers[i].used_units = 0;
		for (size_t j = 0; j < d.n_attached; j++)
			f->controllers[i].used_units += d.attached[j] == f->controllers[i].key;
	}
	free(d.attached);
	return rc;
}

/* ---- config.extraConfig ---------------------------------------------- */

/* The whole property is an ArrayOfOptionValue (an OptionValue at depth 1);
 * a keyed path's value is one OptionValue (base 0). */
struct option_walk {
	struct vmsc_vsphere *c;
	struct vmsc_vm_facts *f;
	int base;
	char *key, *value;
};

/* A key a keyed path can name as it is: the calibration asks for one. */
static bool plain_key(const char *k)
{
	if (!*k || strlen(k) > 64)
		return false;
	for (; *k; k++)
		if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
		      (*k >= '0' && *k <= '9') || *k == '.' || *k == '_' || *k == '-'))
			return false;
	return true;
}

static int option_text(void *ud, const char *path, int depth, const char *v)
{
	struct option_walk *o = ud;
	const char *last = strrchr(path, '/');

	if (depth != o->base + 1)
		return 0;
	last = last ? last + 1 : path;
	if (!strcmp(last, "key"))
		return vmsc_str_set(&o->key, v);
	if (!strcmp(last, "value"))
		return vmsc_str_set(&o->value, v);
	return 0;
}

static int option_end(void *ud, const char *path, int depth)
{
	struct option_walk *o = ud;
	struct vmsc_option *opt;

	(void)path;
	if (depth != o->base)
		return 0;
	if (o->key && o->base == 0)
		o->c->keyed_values++;
	if (o->key && o->c->calib_capture && !o->c->calib_key && plain_key(o->key) &&
	    !(o->c->calib_key = strdup(o->key)))
		return -1;
	if (o->key && vmsc_facts_extra_config_wanted(o->key)) {
		opt = grow((void **)&o->f->extra_config, &o->f->n_extra_config, sizeof(*opt));
		if (!opt)
			return -1;
		opt->key = o->key;
		opt->value = o->value ? o->value : strdup("");
		if (!opt->value)
			return -1;
		o->key = o->value = NULL;
	}
	free(o->key);
	free(o->value);
	o->key = o->value = NULL;
	return 0;
}

static int read_options(struct vmsc_vsphere *c, const struct value_in *in, struct vmsc_vm_facts *f,
			int base, const char *what)
{
	struct option_walk o = { .c = c, .f = f, .base = base };
	struct walker w = { .text = option_text, .end = option_end, .ud = &o };
	int rc = run_walker(c, &w, in, what, f);

	free(o.key);
	free(o.value);
	return rc;
}

static int read_extra_config(struct vmsc_vsphere *c, const struct value_in *in, struct vmsc_vm_facts *f)
{
	return read_options(c, in, f, 1, "config.extraConfig");
}

/* config.extraConfig["KEY"]: the OptionValue itself, kept like one of the
 * whole property's (same allowlist), so facts do not depend on the way. */
static int read_keyed_option(struct vmsc_vsphere *c, const struct value_in *in,
			     struct vmsc_vm_facts *f)
{
	return read_options(c, in, f, 0, "config.extraConfig[...]");
}

/* ---- lists of strings (disabledMethod) ----------------------------- */

struct strings_walk {
	struct vmsc_vm_facts *f;
	const struct vmsc_fact_field *fd;
};

static int string_text(void *ud, const char *path, int depth, const char *v)
{
	struct strings_walk *sw = ud;
	char **slot;

	(void)path;
	if (depth != 1)
		return 0;
	slot = grow((void **)VMSC_FACT_AT(sw->f, sw->fd, char **), VMSC_FACT_COUNT(sw->f, sw->fd),
		    sizeof(*slot));
	if (!slot)
		return -1;
	*slot = strdup(v);
	return *slot ? 0 : -1;
}

static int read_strings(struct vmsc_vsphere *c, const struct value_in *in, struct vmsc_vm_facts *f,
			const struct vmsc_fact_field *fd)
{
	struct strings_walk sw = { .f = f, .fd = fd };
	struct walker w = { .text = string_text, .ud = &sw };

	return run_walker(c, &w, in, fd->path, f);
}

/* ---- guest.disk ------------------------------------------------------ */

struct volume_walk {
	struct vmsc_vm_facts *f;
	struct vmsc_guest_volume cur;
};

static int volume_start(void *ud, const char *path, int depth, const char *type)
{
	struct volume_walk *v = ud;

	(void)path;
	(void)type;
	if (depth == 1) {
		memset(&v->cur, 0, sizeof(v->cur));
		v->cur.capacity = v->cur.free_space = -1;
	}
	return 0;
}

static int volume_text(void *ud, const char *path, int depth, const char *t)
{
	struct volume_walk *v = ud;
	const char *rel = strchr(path, '/');

	if (depth != 2 || !rel)
		return 0;
	rel++;
	if (!strcmp(rel, "diskPath")) return vmsc_str_set(&v->cur.path, t);
	if (!strcmp(rel, "filesystemType")) return vmsc_str_set(&v->cur.fs_type, t);
	if (!strcmp(rel, "capacity")) v->cur.capacity = parse_ll(t);
	else if (!strcmp(rel, "freeSpace")) v->cur.free_space = parse_ll(t);
	return 0;
}

static int volume_end(void *ud, const char *path, int depth)
{
	struct volume_walk *v = ud;
	struct vmsc_guest_volume *slot;

	(void)path;
	if (depth != 1)
		return 0;
	slot = grow((void **)&v->f->volumes, &v->f->n_volumes, sizeof(*slot));
	if (!slot) {
		free(v->cur.path);
		free(v->cur.fs_type);
		memset(&v->cur, 0, sizeof(v->cur));
		return -1;
	}
	*slot = v->cur;
	memset(&v->cur, 0, sizeof(v->cur));
	return 0;
}

static int read_volumes(struct vmsc_vsphere *c, const struct value_in *in, struct vmsc_vm_facts *f)
{
	struct volume_walk v = { .f = f };
	struct walker w = { .start = volume_start, .text = volume_text, .end = volume_end, .ud = &v };
	int rc = run_walker(c, &w, in, "guest.disk", f);

	free(v.cur.path);
	free(v.cur.fs_type);
	return rc;
}

/* ---- snapshot trees ---------------------------------------------------- */

/*
 * One walker for VirtualMachineSnapshotInfo: each rootSnapshotList /
 * childSnapshotList element is a node; `node` is called when it ends, with
 * its nesting level (root = 1).  Summaries and the probe's clean-up both
 * build on it.
 */
struct snap_node {
	char *name;
	char *moref;
	time_t created;
	bool quiesced;
	char *backup_manifest;          /* VSS manifest zip (quiesced Windows snapshots) */
};

struct snap_tree {
	struct snap_node *stack;
	size_t cap;
	int level;
	char *current;                  /* currentSnapshot moref */
	int (*node)(void *ud, struct snap_node *n, int level);
	void *ud;
};

static bool is_snapshot_list(const char *path)
{
	const char *last = strrchr(path, '/');

	last = last ? last + 1 : path;
	return !strcmp(last, "rootSnapshotList") || !strcmp(last, "childSnapshotList");
}

static int snap_start(void *ud, const char *path, int depth, const char *type)
{
	struct snap_tree *s = ud;

	(void)depth;
	(void)type;
	if (!is_snapshot_list(path))
		return 0;
	if ((size_t)s->level + 1 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct snap_node *n = realloc(s->stack, cap * sizeof(*n));

		if (!n)
			return -1;
		s->stack = n;
		s->cap = cap;
	}
	memset(&s->stack[s->level], 0, sizeof(s->stack[0]));
	s->level++;
	return 0;
}

static int snap_text(void *ud, const char *path, int depth, const char *v)
{
	struct snap_tree *s = ud;
	const char *last = strrchr(path, '/');
	const char *seg = path;
	struct snap_node *n;

	if (depth == 1 && !strcmp(path, "currentSnapshot"))
		return vmsc_str_set(&s->current, v);
	if (!last || s->level == 0)
		return 0;
	/* only direct children of the innermost *SnapshotList element */
	for (const char *p = path; p < last; p++)
		if (*p == '/')
			seg = p + 1;
	if (strncmp(seg, "rootSnapshotList/", 17) && strncmp(seg, "childSnapshotList/", 18))
		return 0;
	n = &s->stack[s->level - 1];
	last++;
	if (!strcmp(last, "name"))
		return vmsc_str_set(&n->name, v);
	if (!strcmp(last, "snapshot"))
		return vmsc_str_set(&n->moref, v);
	if (!strcmp(last, "createTime"))
		n->created = vmsc_parse_datetime(v);
	else if (!strcmp(last, "quiesced"))
		n->quiesced = !strcmp(v, "true");
	else if (!strcmp(last, "backupManifest"))
		return vmsc_str_set(&n->backup_manifest, v);
	return 0;
}

static int snap_end(void *ud, const char *path, int depth)
{
	struct snap_tree *s = ud;
	struct snap_node *n;
	int rc;

	(void)depth;
	if (!is_snapshot_list(path) || s->level == 0)
		return 0;
	n = &s->stack[s->level - 1];
	rc = s->node(s->ud, n, s->level);
	free(n->name);
	free(n->moref);
	free(n->backup_manifest);
	s->level--;
	return rc;
}

static int walk_snapshots(struct vmsc_vsphere *c, const struct value_in *in, struct snap_tree *s,
			  const struct vmsc_vm_facts *f)
{
	struct walker w = { .start = snap_start, .text = snap_text, .end = snap_end, .ud = s };
	int rc = run_walker(c, &w, in, "snapshot", f);

	while (s->level > 0) {
		s->level--;
		free(s->stack[s->level].name);
		free(s->stack[s->level].moref);
		free(s->stack[s->level].backup_manifest);
	}
	free(s->stack);
	free(s->current);
	return rc;
}

/* snapshot → the facts' summary */
struct snap_summary {
	struct vmsc_snapshot_summary *sum;
	const struct snap_tree *tree;
	char *current_name;
};

static int summary_node(void *ud, struct snap_node *n, int level)
{
	struct snap_summary *ss = ud;
	struct vmsc_snapshot_summary *sum = ss->sum;

	sum->count++;
	if (level > sum->max_depth)
		sum->max_depth = level;
	if (n->quiesced)
		sum->quiesced_count++;
	if (n->created > 0 && (!sum->oldest_time || n->created < sum->oldest_time)) {
		sum->oldest_time = n->created;
		free(sum->oldest_name);
		sum->oldest_name = n->name ? strdup(n->name) : NULL;
	}
	if (n->created > 0 && n->created >= sum->newest_time) {
		sum->newest_time = n->created;
		free(sum->newest_name);
		sum->newest_name = n->name ? strdup(n->name) : NULL;
	}
	if (ss->tree->current && n->moref && !strcmp(ss->tree->current, n->moref) && n->name) {
		free(ss->current_name);
		ss->current_name = strdup(n->name);
	}
	/* names for snapshot_ignore, bounded: a wide tree must not grow a page */
	if (sum->n_list < VMSC_SNAPSHOT_LIST_MAX) {
		struct vmsc_snapshot *item = grow((void **)&sum->list, &sum->n_list, sizeof(*item));

		if (!item)
			return -1;
		item->name = n->name;
		n->name = NULL;
		item->created = n->created > 0 ? n->created : 0; /* malformed (-1) is absent */
		item->depth = level;
		item->quiesced = n->quiesced ? VMSC_TRI_TRUE : VMSC_TRI_FALSE;
	}
	return 0;
}

static int read_snapshots(struct vmsc_vsphere *c, const struct value_in *in, struct vmsc_vm_facts *f)
{
	struct snap_tree tree = { .node = summary_node };
	struct snap_summary ss = { .sum = &f->snapshots, .tree = &tree };
	int rc;

	tree.ud = &ss;
	rc = walk_snapshots(c, in, &tree, f);
	free(f->snapshots.current_name);
	f->snapshots.current_name = ss.current_name;
	return rc;
}

/* snapshot → the list of snapshots whose name starts with a prefix (probe clean-up) */
struct snap_list {
	const char *prefix;
	struct vmsc_snapshot_ref **out;
	size_t *n;
};

static int list_node(void *ud, struct snap_node *node, int level)
{
	struct snap_list *l = ud;
	struct vmsc_snapshot_ref *ref;

	(void)level;
	if (!node->name || !node->moref ||
	    (l->prefix && strncmp(node->name, l->prefix, strlen(l->prefix))))
		return 0;
	ref = grow((void **)l->out, l->n, sizeof(*ref));
	if (!ref)
		return -1;
	ref->moref = node->moref;
	ref->name = node->name;
	ref->created = node->created;
	node->moref = node->name = NULL;
	return 0;
}

int vmsc_values_read_snapshot_list(struct vmsc_vsphere *c, const char *xml, const char *prefix,
				   struct vmsc_snapshot_ref **out, size_t *n)
{
	struct snap_list l = { .prefix = prefix, .out = out, .n = n };
	struct snap_tree tree = { .node = list_node, .ud = &l };
	struct vmsc_vm_facts dummy = { 0 };
	struct value_in in = { .xml = xml };

	return walk_snapshots(c, &in, &tree, &dummy);
}

/* snapshot → what one snapshot recorded (the probe's level) */
struct snap_find {
	const char *moref;
	struct vmsc_snapshot_record *rec;
};

static int find_node(void *ud, struct snap_node *node, int level)
{
	struct snap_find *f = ud;

	(void)level;
	if (!node->moref || strcmp(node->moref, f->moref))
		return 0;
	f->rec->found = true;
	f->rec->quiesced = node->quiesced;
	free(f->rec->manifest);
	f->rec->manifest = node->backup_manifest;
	node->backup_manifest = NULL;
	return 0;
}

int vmsc_values_read_snapshot_record(struct vmsc_vsphere *c, const char *xml, const char *snapshot,
				     struct vmsc_snapshot_record *rec)
{
	struct snap_find f = { .moref = snapshot, .rec = rec };
	struct snap_tree tree = { .node = find_node, .ud = &f };
	struct vmsc_vm_facts dummy = { 0 };
	struct value_in in = { .xml = xml };

	return walk_snapshots(c, &in, &tree, &dummy);
}

/* ---- custom attributes ------------------------------------------------- */

struct field_walk {
	struct vmsc_vsphere *c;
	char *key, *name, *type;
};

static int field_text(void *ud, const char *path, int depth, const char *v)
{
	struct field_walk *fw = ud;
	const char *rel = strchr(path, '/');

	if (depth != 2 || !rel)
		return 0;
	rel++;
	if (!strcmp(rel, "key")) return vmsc_str_set(&fw->key, v);
	if (!strcmp(rel, "name")) return vmsc_str_set(&fw->name, v);
	if (!strcmp(rel, "managedObjectType")) return vmsc_str_set(&fw->type, v);
	return 0;
}

static int field_end(void *ud, const char *path, int depth)
{
	struct field_walk *fw = ud;
	struct vmsc_custom_field *slot;
	long long key;
	int rc = 0;

	(void)path;
	if (depth != 1)
		return 0;
	key = fw->key ? parse_int(fw->key, INT_MIN, INT_MAX, LLONG_MIN) : LLONG_MIN;
	/* a definition for hosts or clusters never names a VM's value */
	if (key != LLONG_MIN && fw->name && (!fw->type || !*fw->type ||
					      !strcmp(fw->type, "VirtualMachine"))) {
		slot = grow((void **)&fw->c->custom_fields, &fw->c->n_custom_fields, sizeof(*slot));
		if (slot) {
			slot->key = (int)key;
			slot->name = fw->name;
			fw->name = NULL;
		} else {
			rc = -1;
		}
	}
	free(fw->key);
	free(fw->name);
	free(fw->type);
	fw->key = fw->name = fw->type = NULL;
	return rc;
}

int vmsc_values_read_custom_fields(struct vmsc_vsphere *c, const char *xml)
{
	struct field_walk fw = { .c = c };
	struct walker w = { .text = field_text, .end = field_end, .ud = &fw };
	struct vmsc_vm_facts dummy = { 0 };
	int rc = run_walker(c, &w, &(struct value_in){ .xml = xml }, "field", &dummy);

	free(fw.key);
	free(fw.name);
	free(fw.type);
	return rc;
}

/* customValue: CustomFieldStringValue {key, value}, kept by the key's name */
struct custom_walk {
	struct vmsc_vsphere *c;
	struct vmsc_vm_facts *f;
	char *key, *value;
};

static int custom_text(void *ud, const char *path, int depth, const char *v)
{
	struct custom_walk *cw = ud;
	const char *rel = strchr(path, '/');

	if (depth != 2 || !rel)
		return 0;
	if (!strcmp(rel, "/key"))
		return vmsc_str_set(&cw->key, v);
	if (!strcmp(rel, "/value"))
		return vmsc_str_set(&cw->value, v);
	return 0;
}

static const char *custom_field_name(const struct vmsc_vsphere *c, const char *key)
{
	long long k = key ? parse_int(key, INT_MIN, INT_MAX, LLONG_MIN) : LLONG_MIN;

	for (size_t i = 0; k != LLONG_MIN && i < c->n_custom_fields; i++)
		if (c->custom_fields[i].key == k)
			return c->custom_fields[i].name;
	return NULL;
}

static int custom_end(void *ud, const char *path, int depth)
{
	struct custom_walk *cw = ud;
	struct vmsc_vm_facts *f = cw->f;
	const char *name;
	struct vmsc_option *opt = NULL;
	int rc = 0;

	(void)path;
	if (depth != 1)
		return 0;
	if ((name = custom_field_name(cw->c, cw->key))) {
		/* one value per attribute: a later one replaces it */
		for (size_t i = 0; i < f->n_custom_values && !opt; i++)
			if (!strcmp(f->custom_values[i].key, name))
				opt = &f->custom_values[i];
		if (!opt && (opt = grow((void **)&f->custom_values, &f->n_custom_values,
					sizeof(*opt))) && !(opt->key = strdup(name))) {
			f->n_custom_values--;
			opt = NULL;
		}
		if (opt) {
			free(opt->value);
			opt->value = cw->value ? cw->value : strdup("");
			cw->value = NULL;
		}
		rc = opt && opt->value ? 0 : -1;
	}
	free(cw->key);
	free(cw->value);
	cw->key = cw->value = NULL;
	return rc;
}

static int read_custom_values(struct vmsc_vsphere *c, const struct value_in *in,
			      struct vmsc_vm_facts *f)
{
	struct custom_walk cw = { .c = c, .f = f };
	struct walker w = { .text = custom_text, .end = custom_end, .ud = &cw };
	int rc = run_walker(c, &w, in, "customValue", f);

	free(cw.key);
	free(cw.value);
	return rc;
}

/* ---- task history ----------------------------------------------------- */

struct task_walk {
	char *entity, *entity_type, *description_id, *state, *user, *fault, *message;
	time_t queued, started, completed;
};

static int task_start(void *ud, const char *path, int depth, const char *type)
{
	struct task_walk *t = ud;

	if (depth == 2 && !strcmp(path, "error/fault") && type && !t->fault)
		return vmsc_str_set(&t->fault, type);
	return 0;
}

static int task_text(void *ud, const char *path, int depth, const char *v)
{
	struct task_walk *t = ud;

	(void)depth;
	if (!strcmp(path, "entity")) return vmsc_str_set(&t->entity, v);
	if (!strcmp(path, "descriptionId")) return vmsc_str_set(&t->description_id, v);
	if (!strcmp(path, "state")) return vmsc_str_set(&t->state, v);
	if (!strcmp(path, "reason/userName")) return vmsc_str_set(&t->user, v);
	if (!strcmp(path, "error/localizedMessage")) return vmsc_str_set(&t->message, v);
	if (!strcmp(path, "queueTime")) t->queued = vmsc_parse_datetime(v);
	else if (!strcmp(path, "startTime")) t->started = vmsc_parse_datetime(v);
	else if (!strcmp(path, "completeTime")) t->completed = vmsc_parse_datetime(v);
	return 0;
}

int vmsc_values_read_task(struct vmsc_vsphere *c, const char *content, vmsc_task_fn fn, void *ud)
{
	struct task_walk t = { 0 };
	struct walker w = { .start = task_start, .text = task_text, .ud = &t, .types_below = 3 };
	struct vmsc_vm_facts dummy = { 0 };
	struct vmsc_task_record rec = { 0 };
	char *xml = NULL;
	int rc = -1;

	/* gSOAP keeps the returnval's content only: give it a root again */
	if (asprintf(&xml, "<TaskInfo>%s</TaskInfo>", content) < 0)
		return -1;
	if (run_walker(c, &w, &(struct value_in){ .xml = xml }, "TaskInfo", &dummy) < 0)
		goto out;
	rec.vm = t.entity;
	rec.description_id = t.description_id;
	rec.state = t.state;
	rec.time = t.completed > 0 ? t.completed : t.started > 0 ? t.started : t.queued;
	rec.user = t.user;
	rec.fault = t.fault;
	rec.message = t.message;
	rc = (t.entity && t.description_id && t.state) ? (fn(ud, &rec) ? -1 : 0) : 0;
out:
	free(xml);
	free(t.entity);
	free(t.entity_type);
	free(t.description_id);
	free(t.state);
	free(t.user);
	free(t.fault);
	free(t.message);
	return rc;
}

/* ---- set or not (config.ftInfo) ------------------------------------ */

static int presence_start(void *ud, const char *path, int depth, const char *type)
{
	(void)path;
	(void)type;
	if (depth > 0)
		*(bool *)ud = true;
	return 0;
}

static int presence_text(void *ud, const char *path, int depth, const char *v)
{
	(void)path;
	(void)depth;
	if (*v)
		*(bool *)ud = true;
	return 0;
}

static int read_presence(struct vmsc_vsphere *c, const struct value_in *in, struct vmsc_vm_facts *f,
			 const struct vmsc_fact_field *fd)
{
	bool set = false;
	struct walker w = { .start = presence_start, .text = presence_text, .ud = &set };
	int rc = run_walker(c, &w, in, fd->path, f);

	/* child elements or text: set; an empty <val/> means unset */
	*VMSC_FACT_AT(f, fd, enum vmsc_tri) = set ? VMSC_TRI_TRUE : VMSC_TRI_UNSET;
	return rc;
}

/* ---- runtime.question, config.pmem ------------------------------------ */

/* One child's text of a data object value: question.text, pmem.snapshotMode. */
struct child_walk {
	const char *child;
	char *text;
	bool present;
};

static int child_start(void *ud, const char *path, int depth, const char *type)
{
	(void)path;
	(void)type;
	if (depth == 0)
		((struct child_walk *)ud)->present = true;
	return 0;
}

static int child_text(void *ud, const char *path, int depth, const char *v)
{
	struct child_walk *cw = ud;

	if (depth != 1 || strcmp(path, cw->child) || !*v)
		return 0;
	return vmsc_str_set(&cw->text, v);
}

static int read_child(struct vmsc_vsphere *c, const struct value_in *in, const char *what,
		      const char *child, char **out, const char *present_text,
		      struct vmsc_vm_facts *f)
{
	struct child_walk cw = { .child = child };
	struct walker w = { .start = child_start, .text = child_text, .ud = &cw };
	int rc = run_walker(c, &w, in, what, f);

	if (rc < 0) {
		free(cw.text);
		return rc;
	}
	/* a question without text still waits for an answer */
	if (!cw.text && cw.present && present_text && !(cw.text = strdup(present_text)))
		return -1;
	free(*out);
	*out = cw.text;
	return rc;
}

static int read_question(struct vmsc_vsphere *c, const struct value_in *in, struct vmsc_vm_facts *f)
{
	return read_child(c, in, "runtime.question", "text", &f->question_text,
			  "(no question text)", f);
}

static int read_pmem(struct vmsc_vsphere *c, const struct value_in *in, struct vmsc_vm_facts *f)
{
	return read_child(c, in, "config.pmem", "snapshotMode", &f->pmem_snapshot_mode, NULL, f);
}

/* ---- dispatch -------------------------------------------------------- */

typedef int (*value_reader)(struct vmsc_vsphere *c, const struct value_in *in,
			    struct vmsc_vm_facts *f);

/* Properties read into composite facts; plain ones are found in the field table. */
struct complex_prop {
	const char *path;
	value_reader read;
};

static const struct complex_prop complex_props[] = {
	{ "config.hardware.device", read_devices },
	{ "config.extraConfig", read_extra_config },
	{ "guest.disk", read_volumes },
	{ "snapshot", read_snapshots },
	{ "customValue", read_custom_values },
	{ "runtime.question", read_question },
	{ "config.pmem", read_pmem },
};

/* The table row a property is read into by type alone, or NULL. */
static const struct vmsc_fact_field *plain_field(const char *path)
{
	const struct vmsc_fact_record *rec = &vmsc_vm_fact_record;

	for (size_t i = 0; i < rec->n_fields; i++) {
		const struct vmsc_fact_field *fd = &rec->fields[i];

		if (!fd->path || (fd->flags & VMSC_FACT_DERIVED) || strcmp(fd->path, path))
			continue;
		switch (fd->type) {
		case VMSC_FACT_STRING:
		case VMSC_FACT_TRI:
		case VMSC_FACT_INT:
		case VMSC_FACT_LLONG:
		case VMSC_FACT_TIME:
		case VMSC_FACT_STRINGS:
			return fd;
		default:
			break;
		}
	}
	return NULL;
}

/* How a property is read: found from its name alone (route_of). */
enum prop_kind {
	PROP_IGNORED = 1, PROP_KEYED, PROP_COMPLEX, PROP_FIELD,
};

static enum prop_kind route_of(const char *name, const void **target)
{
	const struct vmsc_fact_field *fd;

	*target = NULL;
	if (vmsc_keyed_path(name))
		return PROP_KEYED;
	for (size_t i = 0; i < sizeof(complex_props) / sizeof(complex_props[0]); i++)
		if (!strcmp(name, complex_props[i].path)) {
			*target = &complex_props[i];
			return PROP_COMPLEX;
		}
	if (!(fd = plain_field(name)))
		return PROP_IGNORED;
	*target = fd;
	return PROP_FIELD;
}

/* route_of, remembered per connection in a small open-addressed table. */
static enum prop_kind route(struct vmsc_vsphere *c, const char *name, const void **target)
{
	size_t len = strlen(name), h = 2166136261u;
	struct vmsc_prop_route *slot = NULL;
	enum prop_kind kind;

	if (len >= VMSC_PROP_NAME_MAX)
		return route_of(name, target);
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619u;
	for (size_t i = 0; i < VMSC_PROP_ROUTES; i++) {
		slot = &c->routes[(h + i) & (VMSC_PROP_ROUTES - 1)];
		if (!slot->name[0])
			break;
		if (!strcmp(slot->name, name)) {
			*target = slot->target;
			return (enum prop_kind)slot->kind;
		}
		slot = NULL;
	}
	kind = route_of(name, target);
	if (slot) {
		memcpy(slot->name, name, len + 1);
		slot->kind = (int)kind;
		slot->target = *target;
	}
	return kind;
}

/* 0, -1 on allocation failure, 1 when a whole reply broke off in the value. */
static int read_property(struct vmsc_vsphere *c, const char *name, const struct value_in *in,
			 struct vmsc_vm_facts *f)
{
	const void *target;
	enum prop_kind kind = route(c, name, &target);
	const struct vmsc_fact_field *fd = target;

	if (kind == PROP_KEYED)
		return read_keyed_option(c, in, f);
	if (kind == PROP_COMPLEX)
		return ((const struct complex_prop *)target)->read(c, in, f);
	if (kind == PROP_FIELD && fd->type == VMSC_FACT_STRINGS)
		return read_strings(c, in, f, fd);
	if (kind == PROP_FIELD && (fd->flags & VMSC_FACT_PRESENCE))
		return read_presence(c, in, f, fd);
	if (kind == PROP_FIELD) {
		bool bad = false;
		char *v = in->r ? element_text(in->r, &bad) : vmsc_values_scalar(c, in->xml);

		if (!v)
			return bad ? 1 : -1;
		return apply_scalar(fd, v, f);
	}
	if (c->opts.debug)
		fprintf(stderr, "vmsnapcheck: debug: %s: ignoring property '%s'\n",
			f->moid ? f->moid : "?", name);
	return in->r ? skip_element(in->r) : 0;
}

/* ---- faults ---------------------------------------------------------- */

struct fault_walk {
	char *type, *privilege, *localized;
};

static int fault_start(void *ud, const char *path, int depth, const char *type)
{
	struct fault_walk *fw = ud;

	(void)path;
	(void)depth;
	/* the wrapper's own type says nothing about the fault */
	if (!fw->type && type && strcmp(type, "LocalizedMethodFault"))
		return vmsc_str_set(&fw->type, type);
	return 0;
}

static int fault_text(void *ud, const char *path, int depth, const char *v)
{
	struct fault_walk *fw = ud;
	const char *last = strrchr(path, '/');

	(void)depth;
	last = last ? last + 1 : path;
	if (!*v)
		return 0;
	if (!strcmp(last, "privilegeId"))
		return vmsc_str_set(&fw->privilege, v);
	if (!strcmp(last, "localizedMessage"))
		return vmsc_str_set(&fw->localized, v);
	return 0;
}

/* A privilege names what is missing better than the localized message. */
static void fault_result(struct fault_walk *fw, char **type, char **message)
{
	*type = fw->type;
	*message = fw->privilege ? fw->privilege : fw->localized;
	if (fw->privilege)
		free(fw->localized);
}

void vmsc_values_read_fault(xmlTextReaderPtr *reader, const char *xml, char **type, char **message)
{
	struct fault_walk fw = { 0 };
	struct walker w = { .start = fault_start, .text = fault_text, .ud = &fw,
			    .types_below = INT_MAX };
	xmlTextReaderPtr r;

	*type = NULL;
	*message = NULL;
	if (!xml || !*xml)
		return;
	(void)walk_fragment(reader, xml, &w);
	/* a detail element without xsi:type: <InvalidLoginFault> names the type */
	if (!fw.type) {
		r = reader_open(reader, xml);
		while (r && xmlTextReaderRead(r) == 1) {
			if (xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT) {
				const char *n = local_name(r);
				size_t len = n ? strlen(n) : 0;

				if (len > 5 && !strcmp(n + len - 5, "Fault"))
					fw.type = strndup(n, len - 5);
				break;
			}
		}
	}
	fault_result(&fw, type, message);
}

/* ---- a whole RetrievePropertiesEx reply, as it arrives ----------------- */

#define SOAP_ENV_NS "http://schemas.xmlsoap.org/soap/envelope/"
#define VIM25_NS "urn:vim25"

/*
 * Steps to the next child element of the element at depth `parent`.
 * 1 = on a child, 0 = the parent ended, -1 = the reply broke off.
 */
static int next_child(xmlTextReaderPtr r, int parent)
{
	int ret;

	while ((ret = xmlTextReaderRead(r)) == 1) {
		int type = xmlTextReaderNodeType(r), d = xmlTextReaderDepth(r);

		if (type == XML_READER_TYPE_END_ELEMENT && d == parent)
			return 0;
		if (type == XML_READER_TYPE_ELEMENT && d == parent + 1)
			return 1;
	}
	return -1;
}

static bool is(xmlTextReaderPtr r, const char *name)
{
	return strcmp(local_name(r), name) == 0;
}

static bool in_ns(xmlTextReaderPtr r, const char *ns)
{
	const char *u = (const char *)xmlTextReaderConstNamespaceUri(r);

	return u && strcmp(u, ns) == 0;
}

/* Text of a child element into *dst (replacing it): 0, -1, or 1 (broken). */
static int take_text(xmlTextReaderPtr r, char **dst)
{
	bool bad;
	char *v = element_text(r, &bad);

	if (!v)
		return bad ? 1 : -1;
	free(*dst);
	*dst = v;
	return 0;
}

static int read_prop_set(struct vmsc_vsphere *c, xmlTextReaderPtr r, struct vmsc_vm_facts *f)
{
	int depth = xmlTextReaderDepth(r), rc = 0, step = 0;
	char *name = NULL;

	if (xmlTextReaderIsEmptyElement(r) == 1)
		return 0;
	while (rc == 0 && (step = next_child(r, depth)) == 1) {
		if (is(r, "name"))
			rc = take_text(r, &name);
		else if (is(r, "val") && name)
			rc = read_property(c, name, &(struct value_in){ .r = r }, f);
		else
			rc = skip_element(r);
	}
	free(name);
	return rc ? rc : step < 0 ? 1 : 0;
}

static int read_missing_set(xmlTextReaderPtr r, struct vmsc_vm_facts *f)
{
	int depth = xmlTextReaderDepth(r), rc = 0, step = 0;
	struct fault_walk fw = { 0 };
	char *path = NULL, *type, *message;
	struct vmsc_unreadable *u;

	if (xmlTextReaderIsEmptyElement(r) == 1)
		return 0;
	while (rc == 0 && (step = next_child(r, depth)) == 1) {
		if (is(r, "path")) {
			rc = take_text(r, &path);
		} else if (is(r, "fault")) {
			struct walker w = { .r = r, .start = fault_start, .text = fault_text, .ud = &fw,
					    .types_below = INT_MAX };

			rc = walk(&w);
		} else {
			rc = skip_element(r);
		}
	}
	fault_result(&fw, &type, &message);
	if (!rc && step < 0)
		rc = 1;
	/* a keyed path the VM lacks: the key is not set (fetch.c asks keyed
	 * paths only of a server known to answer them) */
	if (!rc && path && vmsc_keyed_path(path) && type && !strcmp(type, "InvalidProperty")) {
		free(path);
		free(type);
		free(message);
		return 0;
	}
	if (!rc) {
		u = grow((void **)&f->unreadable, &f->n_unreadable, sizeof(*u));
		if (u) {
			/* owned by the facts from here, released with them */
			u->path = path ? path : strdup("?");
			u->fault = type ? type : strdup("unknown fault");
			u->message = message;
			return u->path && u->fault ? 0 : -1;
		}
		rc = -1;
	}
	free(path);
	free(type);
	free(message);
	return rc;
}

static int read_object(struct vmsc_vsphere *c, xmlTextReaderPtr r, struct vmsc_vm_facts *f)
{
	int depth = xmlTextReaderDepth(r), rc = 0, step = 0;

	if (xmlTextReaderIsEmptyElement(r) == 1)
		return 0;
	while (rc == 0 && (step = next_child(r, depth)) == 1) {
		if (is(r, "obj"))
			rc = take_text(r, &f->moid);
		else if (is(r, "propSet"))
			rc = read_prop_set(c, r, f);
		else if (is(r, "missingSet"))
			rc = read_missing_set(r, f);
		else
			rc = skip_element(r);
	}
	return rc ? rc : step < 0 ? 1 : 0;
}

/* ---- objects of a plain record (the Datastore view) ------------------- */

/* A row of `rec` read by type alone, by its vim25 path, or its moid row. */
static const struct vmsc_fact_field *record_field(const struct vmsc_fact_record *rec,
						  const char *path, const char *json)
{
	for (size_t i = 0; i < rec->n_fields; i++) {
		const struct vmsc_fact_field *fd = &rec->fields[i];

		bool match = path ? fd->path && !strcmp(fd->path, path)
				  : !fd->path && json && !strcmp(fd->json, json);

		if (match)
			return fd->type == VMSC_FACT_STRING || fd->type == VMSC_FACT_TRI ||
			       fd->type == VMSC_FACT_INT || fd->type == VMSC_FACT_LLONG ||
			       fd->type == VMSC_FACT_TIME ? fd : NULL;
	}
	return NULL;
}

/* Text of the element the reader stands on into the record's row, or skipped. */
static int read_record_value(xmlTextReaderPtr r, const struct vmsc_fact_field *fd, void *obj)
{
	bool bad = false;
	char *v;

	if (!fd)
		return skip_element(r);
	if (!(v = element_text(r, &bad)))
		return bad ? 1 : -1;
	return apply_scalar(fd, v, obj);
}

/* One <objects> into a plain record: unreadable properties stay absent. */
static int read_record_object(xmlTextReaderPtr r, const struct vmsc_fact_record *rec, void *obj)
{
	int depth = xmlTextReaderDepth(r), rc = 0, step = 0;

	if (xmlTextReaderIsEmptyElement(r) == 1)
		return 0;
	while (rc == 0 && (step = next_child(r, depth)) == 1) {
		if (is(r, "obj")) {
			rc = read_record_value(r, record_field(rec, NULL, "moid"), obj);
		} else if (is(r, "propSet") && xmlTextReaderIsEmptyElement(r) != 1) {
			int pd = xmlTextReaderDepth(r);
			char *name = NULL;

			while (rc == 0 && (step = next_child(r, pd)) == 1) {
				if (is(r, "name"))
					rc = take_text(r, &name);
				else if (is(r, "val") && name)
					rc = read_record_value(r, record_field(rec, name, NULL), obj);
				else
					rc = skip_element(r);
			}
			free(name);
			if (rc == 0 && step < 0)
				rc = 1;
		} else {
			rc = skip_element(r);
		}
	}
	return rc ? rc : step < 0 ? 1 : 0;
}

static int read_one(struct vmsc_vsphere *c, xmlTextReaderPtr r, vmsc_object_fn fn, void *ud)
{
	const struct vmsc_fact_record *rec = c->read_record;
	int rc;

	if (rec) {
		void *obj = calloc(1, rec->size);

		if (!obj)
			return VMSC_READ_NOMEM;
		vmsc_fact_record_init(rec, obj);
		rc = read_record_object(r, rec, obj);
		if (rc == VMSC_READ_OK)
			rc = fn(ud, obj) < 0 ? VMSC_READ_STOPPED : VMSC_READ_OK;
		else
			vmsc_fact_record_release(rec, obj);
		free(obj);
		return rc;
	}
	{
		struct vmsc_vm_facts f = { 0 };

		rc = read_object(c, r, &f);
		if (rc == VMSC_READ_OK)
			rc = fn(ud, &f) < 0 ? VMSC_READ_STOPPED : VMSC_READ_OK;
		else
			vmsc_vm_facts_release(&f);
	}
	return rc;
}

int vmsc_values_read_result(struct vmsc_vsphere *c, xmlTextReaderPtr r, const char *response,
			    vmsc_object_fn fn, void *ud, char **token, vmsc_token_fn token_fn,
			    void *token_ud)
{
	int step = 0, rc = VMSC_READ_OK;
	bool seen_body = false;

	*token = NULL;
	if (next_child(r, -1) != 1)
		return VMSC_READ_BROKEN;
	if (!is(r, "Envelope") || !in_ns(r, SOAP_ENV_NS))
		return VMSC_READ_UNEXPECTED;
	while (rc == VMSC_READ_OK && (step = next_child(r, 0)) == 1) {
		if (!is(r, "Body") || seen_body) {
			rc = skip_element(r) ? VMSC_READ_BROKEN : VMSC_READ_OK;
			continue;
		}
		seen_body = true;
		if ((step = next_child(r, 1)) != 1)
			return step < 0 ? VMSC_READ_BROKEN : VMSC_READ_UNEXPECTED;
		if (is(r, "Fault") && in_ns(r, SOAP_ENV_NS))
			return VMSC_READ_FAULT;
		if (!is(r, response) || !in_ns(r, VIM25_NS))
			return VMSC_READ_UNEXPECTED;
		/* returnval: token?, objects* */
		while (rc == VMSC_READ_OK && (step = next_child(r, 2)) == 1) {
			if (!is(r, "returnval")) {
				rc = skip_element(r) ? VMSC_READ_BROKEN : VMSC_READ_OK;
				continue;
			}
			if (xmlTextReaderIsEmptyElement(r) == 1)
				continue;
			while (rc == VMSC_READ_OK && (step = next_child(r, 3)) == 1) {
				if (is(r, "token")) {
					rc = take_text(r, token);
					/* first in the reply: the next page can be asked now */
					if (rc == VMSC_READ_OK && token_fn && **token)
						token_fn(token_ud, *token);
				} else if (is(r, "objects")) {
					rc = read_one(c, r, fn, ud);
				} else {
					rc = skip_element(r);
				}
				rc = rc > 0 ? VMSC_READ_BROKEN : rc;
			}
			if (rc == VMSC_READ_OK && step < 0)
				rc = VMSC_READ_BROKEN;
		}
		if (rc == VMSC_READ_OK && step < 0)
			rc = VMSC_READ_BROKEN;
	}
	if (rc == VMSC_READ_OK && step < 0)
		rc = VMSC_READ_BROKEN;
	/* nothing may follow the envelope, and it must have been whole */
	if (rc == VMSC_READ_OK && (!seen_body || xmlTextReaderRead(r) != 0))
		rc = seen_body ? VMSC_READ_BROKEN : VMSC_READ_UNEXPECTED;
	if (rc != VMSC_READ_OK) {
		free(*token);
		*token = NULL;
	}
	return rc;
}
