/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSNAPCHECK_DOCTOR_H
#define VMSNAPCHECK_DOCTOR_H

#include <stdbool.h>
#include <stdio.h>

#include "vmsnapcheck/cli.h"

/*
 * Checks each server step by step (name resolution, TCP, TLS, SOAP, API
 * version, login, privileges, clock skew) and prints OK/WARN/FAIL with a
 * hint.  `probe`: the snapshot privileges are required, not just advised.
 * Returns the exit code: 0 when nothing failed, 3 otherwise.
 */
int vmsc_doctor(const struct vmsc_options *o, bool probe, bool color, FILE *out);

#endif
