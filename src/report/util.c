/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/util.h"

/* Decodes one UTF-8 character; returns its length and sets *cp, or returns
 * 1 with *cp = -1 for an invalid byte (overlong forms, surrogates and
 * values past U+10FFFF are invalid, as in RFC 3629). */
static size_t utf8_decode(const unsigned char *s, long *cp)
{
	unsigned char c = s[0];
	size_t len, i;
	long v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xE0) == 0xC0) {
		len = 2; v = c & 0x1F; min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		len = 3; v = c & 0x0F; min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		len = 4; v = c & 0x07; min = 0x10000;
	} else {
		*cp = -1;
		return 1;
	}
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*cp = -1;
			return 1;
		}
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
		*cp = -1;
		return 1;
	}
	*cp = v;
	return len;
}

static bool is_control(long cp)
{
	return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F);
}

static bool xml_forbidden(long cp)
{
	if (cp < 0x20)
		return cp != '\t' && cp != '\n' && cp != '\r';
	return cp == 0xFFFE || cp == 0xFFFF;
}

char *vmsc_rpt_clean(const char *s, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p);
	/* Worst case: every byte becomes U+FFFD (3 bytes). */
	char *out = malloc(n * 3 + 1);
	size_t o = 0;

	if (!out)
		return NULL;
	while (*p) {
		long cp;
		size_t len = utf8_decode(p, &cp);

		if (cp < 0) {
			memcpy(out + o, "\xEF\xBF\xBD", 3);
			o += 3;
		} else if ((flags & VMSC_CLEAN_CONTROL) && is_control(cp)) {
			/* Tab and line breaks keep the words apart. */
			out[o++] = cp == '\t' || cp == '\n' || cp == '\r' ? ' ' : '?';
		} else if ((flags & VMSC_CLEAN_XML) && xml_forbidden(cp)) {
			out[o++] = '?';
		} else {
			memcpy(out + o, p, len);
			o += len;
		}
		p += len;
	}
	out[o] = '\0';
	return out;
}

size_t vmsc_rpt_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t w = 0;

	while (*p) {
		long cp;

		p += utf8_decode(p, &cp);
		w++;
	}
	return w;
}

size_t vmsc_rpt_utf8_prefix(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	while (p[n]) {
		long cp;
		size_t len = utf8_decode(p + n, &cp);

		if (n + len > max)
			break;
		n += len;
	}
	return n;
}

void vmsc_rpt_rfc3339(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "1970-01-01T00:00:00Z");
}

const struct vmsc_finding *vmsc_rpt_worst_finding(const struct vmsc_vm_result *vm)
{
	size_t i;

	for (i = 0; i < vm->n_findings; i++)
		if (!vm->findings[i].waived)
			return &vm->findings[i];
	return NULL;
}

const char *vmsc_rpt_vcenter_name(const struct vmsc_result *r, const struct vmsc_vm_result *vm)
{
	if (vm->vcenter >= r->n_vcenters || !r->vcenters[vm->vcenter].name)
		return "";
	return r->vcenters[vm->vcenter].name;
}

void vmsc_rpt_buf_init(struct vmsc_rpt_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void vmsc_rpt_buf_release(struct vmsc_rpt_buf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

static bool buf_reserve(struct vmsc_rpt_buf *b, size_t extra)
{
	size_t cap;
	char *p;

	if (b->oom)
		return false;
	if (b->len + extra + 1 <= b->cap)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1) {
		if (cap > (size_t)-1 / 2) {
			b->oom = true;
			return false;
		}
		cap *= 2;
	}
	p = realloc(b->s, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->s = p;
	b->cap = cap;
	return true;
}

void vmsc_rpt_buf_addn(struct vmsc_rpt_buf *b, const char *s, size_t n)
{
	if (!buf_reserve(b, n))
		return;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void vmsc_rpt_buf_add(struct vmsc_rpt_buf *b, const char *s)
{
	vmsc_rpt_buf_addn(b, s ? s : "", strlen(s ? s : ""));
}

void vmsc_rpt_buf_addf(struct vmsc_rpt_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if (!buf_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void vmsc_rpt_buf_truncate(struct vmsc_rpt_buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->s[len] = '\0';
	}
}

void vmsc_rpt_unmatched(struct vmsc_rpt_buf *b, const struct vmsc_result *r)
{
	vmsc_rpt_buf_add(b, "no VM matches ");
	for (size_t i = 0; i < r->n_unmatched; i++)
		vmsc_rpt_buf_addf(b, "%s'%s'", i ? ", " : "", r->unmatched[i]);
}
