/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSNAPCHECK_REPORT_UTIL_H
#define VMSNAPCHECK_REPORT_UTIL_H

/*
 * Helpers shared by the report writers (internal, not part of the API):
 * text sanitising, UTF-8 width, timestamps, a growable string.  No format
 * logic lives here.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "vmsnapcheck/result.h"

/* vmsc_rpt_clean() always repairs UTF-8 (invalid bytes -> U+FFFD); flags add: */
#define VMSC_CLEAN_CONTROL 0x1u /* tab, CR, LF -> ' '; other C0, DEL, C1 controls -> '?' */
#define VMSC_CLEAN_XML     0x2u /* characters XML 1.0 forbids -> '?' (tab, LF, CR kept) */

/* A malloc'd cleaned copy of s (NULL gives ""), or NULL without memory. */
char *vmsc_rpt_clean(const char *s, unsigned flags);

/* Display width as the number of code points (not bytes). */
size_t vmsc_rpt_width(const char *s);

/* Length of the longest prefix of s that is at most max bytes and does not
 * split a UTF-8 character. */
size_t vmsc_rpt_utf8_prefix(const char *s, size_t max);

/* RFC 3339 UTC, e.g. 2024-05-01T12:00:00Z; buf needs 21 bytes. */
void vmsc_rpt_rfc3339(time_t t, char *buf, size_t size);

/* The first unwaived finding (findings are sorted worst first), or NULL. */
const struct vmsc_finding *vmsc_rpt_worst_finding(const struct vmsc_vm_result *vm);

/* The vCenter name of a VM ("" when its index is out of range). */
const char *vmsc_rpt_vcenter_name(const struct vmsc_result *r, const struct vmsc_vm_result *vm);

struct vmsc_rpt_buf;
/* "no VM matches 'a', 'b'" for the names and globs that matched nothing
 * (r->n_unmatched > 0), the same words in every format. */
void vmsc_rpt_unmatched(struct vmsc_rpt_buf *b, const struct vmsc_result *r);
/* What to try about them, after the sentence above. */
#define VMSC_RPT_UNMATCHED_HINT "check the spelling (globs are case-sensitive) or the scope"

/* A growable string; after an allocation failure `oom` is set and further
 * appends do nothing. */
struct vmsc_rpt_buf {
	char *s;
	size_t len;
	size_t cap;
	bool oom;
};

void vmsc_rpt_buf_init(struct vmsc_rpt_buf *b);
void vmsc_rpt_buf_release(struct vmsc_rpt_buf *b);
void vmsc_rpt_buf_add(struct vmsc_rpt_buf *b, const char *s);
void vmsc_rpt_buf_addn(struct vmsc_rpt_buf *b, const char *s, size_t n);
void vmsc_rpt_buf_addf(struct vmsc_rpt_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void vmsc_rpt_buf_truncate(struct vmsc_rpt_buf *b, size_t len);

#endif
