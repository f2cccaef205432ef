/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSNAPCHECK_EXPLAIN_H
#define VMSNAPCHECK_EXPLAIN_H

#include <stdio.h>

/*
 * `vmsnapcheck explain [RULE]`: a rule's entry of docs/rules.md, compiled
 * into the binary from that very file (what it checks, why, the fix, its
 * sources, its consistency cap); without RULE, the list of rules.  An
 * unknown rule is an error naming the closest ids.  Returns the exit code
 * (0, or 3 with one line on `err`).
 */
int vmsc_explain(const char *rule, FILE *out, FILE *err);

/* The entry of `rule` in docs/rules.md as compiled in (malloc'd, without
 * its heading), NULL when it has none. */
char *vmsc_explain_text(const char *rule);

#endif
