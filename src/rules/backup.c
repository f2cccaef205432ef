/* SPDX-License-Identifier: GPL-2.0-or-later */

/* backup-age: the last backup time the backup software recorded on the VM
 * (a custom attribute, or a line in the notes), per [backup]. */

#define _GNU_SOURCE
#include <ctype.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rules/checks.h"

/* Digits at *p, exactly n of them; -1 when not. */
static int digits(const char **p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
	}
	return v;
}

/*
 * ISO 8601 / RFC 3339 as backup products write it: YYYY-MM-DD, then
 * optionally T or a space and HH:MM[:SS[.fraction]], then optionally Z,
 * ±HH:MM, ±HHMM or ±HH.  No zone reads as UTC.  0, or -1.
 */
static int parse_iso8601(const char *s, time_t *out)
{
	struct tm tm = { 0 };
	const char *p = s;
	long off = 0;
	int v;

	if ((tm.tm_year = digits(&p, 4)) < 0 || *p++ != '-' || (tm.tm_mon = digits(&p, 2)) < 1 ||
	    *p++ != '-' || (tm.tm_mday = digits(&p, 2)) < 1)
		return -1;
	if ((*p == 'T' || *p == 't' || *p == ' ') && isdigit((unsigned char)p[1])) {
		p++;
		if ((tm.tm_hour = digits(&p, 2)) < 0 || *p++ != ':' || (tm.tm_min = digits(&p, 2)) < 0)
			return -1;
		if (*p == ':') {
			p++;
			if ((tm.tm_sec = digits(&p, 2)) < 0)
				return -1;
			if (*p == '.' || *p == ',') {
				for (p++; isdigit((unsigned char)*p); p++)
					;
			}
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1;
			int mm = 0;

			if ((v = digits(&p, 2)) < 0)
				return -1;
			if (*p == ':')
				p++;
			if (isdigit((unsigned char)*p) && (mm = digits(&p, 2)) < 0)
				return -1;
			off = sign * (v * 3600L + mm * 60L);
		}
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p || tm.tm_mon > 12 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 60)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*out = timegm(&tm) - off;
	return 0;
}

/* With a strptime(3) format; a zone only through %z, else UTC.  0, or -1. */
static int parse_with_format(const char *s, const char *fmt, time_t *out)
{
	struct tm tm = { 0 };
	const char *end;
	long off;

	tm.tm_mday = 1;
	end = strptime(s, fmt, &tm);
	if (!end)
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	if (*end)
		return -1;
	/* glibc's %z sets tm_gmtoff; timegm ignores it and resets it, so read it first */
	off = tm.tm_gmtoff;
	*out = timegm(&tm) - off;
	return 0;
}

/* The value's text from the notes: capture group 1 of notes_regex (the whole
 * match when the pattern has no group).  malloc'd, NULL when there is none;
 * *nomem on allocation failure. */
static char *from_notes(const char *notes, const char *pattern, bool *nomem)
{
	regex_t re;
	regmatch_t m[2];
	char *v = NULL;

	*nomem = false;
	if (!notes || regcomp(&re, pattern, REG_EXTENDED | REG_NEWLINE) != 0)
		return NULL;
	if (regexec(&re, notes, 2, m, 0) == 0) {
		regmatch_t *g = m[1].rm_so >= 0 ? &m[1] : &m[0];

		v = strndup(notes + g->rm_so, (size_t)(g->rm_eo - g->rm_so));
		*nomem = !v;
	}
	regfree(&re);
	return v;
}

/* A value quoted in a one-line message: control characters become spaces,
 * long ones are cut. */
static void one_line(const char *v, char *buf, size_t size)
{
	size_t n = 0;

	for (; *v && n + 4 < size; v++)
		buf[n++] = iscntrl((unsigned char)*v) ? ' ' : *v;
	if (*v) {
		/* never half a UTF-8 character */
		if (((unsigned char)*v & 0xC0) == 0x80) {
			while (n > 0 && ((unsigned char)buf[n - 1] & 0xC0) == 0x80)
				n--;
			if (n > 0)
				n--;
		}
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
}

static void format_age(long long seconds, char *buf, size_t size)
{
	long long hours = seconds / 3600;

	if (hours >= 48)
		snprintf(buf, size, "%lld days", hours / 24);
	else
		snprintf(buf, size, "%lld hours", hours);
}

int vmsc_check_backup_age(const struct vmsc_vm_facts *f, struct vmsc_rule_ctx *ctx)
{
	const struct vmsc_backup *b = ctx->config ? &ctx->config->backup : NULL;
	const char *value = NULL;
	char *owned = NULL, where[300], age[64], when[64];
	time_t t;
	struct tm tm;
	bool nomem = false;
	int rc, parsed;

	if (!b || !b->line)
		return 0;
	if (b->attribute) {
		for (size_t i = 0; i < f->n_custom_values; i++)
			if (!strcmp(f->custom_values[i].key, b->attribute))
				value = f->custom_values[i].value;
		snprintf(where, sizeof(where), "custom attribute '%s'", b->attribute);
	} else {
		value = owned = from_notes(f->annotation, b->notes_regex, &nomem);
		if (nomem)
			return -1;
		snprintf(where, sizeof(where), "notes");
	}
	while (value && isspace((unsigned char)*value))
		value++;
	if (!value || !*value) {
		free(owned);
		return b->attribute
		       ? vmsc_rule_report(ctx, ctx->rule->severity, "no backup recorded (custom "
					  "attribute '%s' is not set on this VM)", b->attribute)
		       : vmsc_rule_report(ctx, ctx->rule->severity, "no backup recorded (the "
					  "notes have no match for notes_regex)");
	}
	parsed = b->time_format ? parse_with_format(value, b->time_format, &t)
				: parse_iso8601(value, &t);
	if (parsed < 0) {
		char shown[100];

		one_line(value, shown, sizeof(shown));
		value = shown;
		rc = b->time_format
		     ? vmsc_rule_report(ctx, ctx->rule->severity,
					"backup time '%s' in the %s does not match time_format "
					"'%s'", value, where, b->time_format)
		     : vmsc_rule_report(ctx, ctx->rule->severity,
					"backup time '%s' in the %s is not an ISO 8601 time (set "
					"time_format)", value, where);
		free(owned);
		return rc;
	}
	free(owned);
	/* the server's clock, as for snapshots; a time ahead of it is not old */
	if (ctx->now <= 0 || (long long)ctx->now - (long long)t <= (long long)b->max_age_hours * 3600)
		return 0;
	format_age((long long)ctx->now - (long long)t, age, sizeof(age));
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
	else
		snprintf(when, sizeof(when), "?");
	return vmsc_rule_report(ctx, ctx->rule->severity,
				"last backup %s ago (%s, from the %s), more than max_age_hours = %d",
				age, when, where, b->max_age_hours);
}
