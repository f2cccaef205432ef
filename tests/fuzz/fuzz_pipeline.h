/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSC_FUZZ_PIPELINE_H
#define VMSC_FUZZ_PIPELINE_H

#include <stddef.h>

#include "vmsnapcheck/facts.h"

/*
 * What happens to facts after they are read, in the tool: rules, every
 * report format, and the --save-facts / --facts round trip.  Shared by the
 * harnesses whose input ends up as facts (SOAP replies, facts files).
 */

/* Evaluates the rules on each VM (defaults, no config) and writes every
 * report format to /dev/null. */
void fuzz_evaluate_and_report(struct vmsc_vm_facts *const *vms, size_t n);

/* Writes the VMs as a facts file and reads it back: when writing succeeds,
 * reading must succeed too and give the same VMs (vcenter, moid, name) in
 * the same order.  Aborts otherwise. */
void fuzz_facts_roundtrip(struct vmsc_vm_facts *const *vms, size_t n);

#endif
