/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a guest sends back under --guest (vssadmin, wevtutil, whoami
 * output, tools.conf): bytes a compromised or broken guest controls
 * entirely, read by a tool that holds vCenter credentials.  The first byte
 * picks the parser (0 writers, 1 events, 2 whoami, 3 tools.conf, else all),
 * the rest are the guest's raw bytes, made UTF-8 as guest.c does.  Then
 * the guest rules judge the facts.  Properties: the text and every finding
 * message are valid UTF-8 (reports must stay parseable whatever the guest
 * printed), and each parsed writer has a name.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "vmsnapcheck/guest.h"
#include "vmsnapcheck/result.h"
#include "vmsnapcheck/rules.h"

static bool valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2
			 : (*p & 0xF8) == 0xF0 ? 3 : 4;

		if (n == 4 || (n == 1 && *p < 0xC2))
			return false;
		for (size_t i = 1; i <= n; i++)
			if ((p[i] & 0xC0) != 0x80)
				return false;
		p += n + 1;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmsc_guest_facts g;
	struct vmsc_vm_result vm = { 0 };
	struct vmsc_eval ev = { .now = 1764720000 };
	unsigned which = size ? data[0] : 255;
	char *text;

	if (size)
		data++, size--;
	text = vmsc_guest_text_utf8((const char *)data, size);
	FUZZ_CHECK(text != NULL);
	FUZZ_CHECK(valid_utf8(text));
	vmsc_guest_facts_init(&g);
	g.windows = which != 3;
	g.history_days = 7;
	if (which == 0 || which > 3)
		FUZZ_CHECK(vmsc_guest_parse_writers(text, &g) == 0);
	if (which == 1 || which > 3) {
		FUZZ_CHECK(vmsc_guest_parse_events(text, "Application", &g) == 0);
		FUZZ_CHECK(vmsc_guest_parse_events(text, "System", &g) == 0);
	}
	if (which == 2 || which > 3)
		vmsc_guest_parse_whoami(text, &g);
	if (which == 3 || which > 3)
		vmsc_guest_parse_tools_conf(text, &g);
	for (size_t i = 0; i < g.n_writers; i++)
		FUZZ_CHECK(g.writers[i].name && valid_utf8(g.writers[i].name));

	if (!(vm.name = strdup("guest-fuzz-01")) || !(vm.moid = strdup("vm-1")))
		abort();
	vm.status = VMSC_STATUS_OK;
	FUZZ_CHECK(vmsc_rules_evaluate_guest(&ev, "vc.example.com", &g, &vm) == 0);
	for (size_t i = 0; i < vm.n_findings; i++)
		FUZZ_CHECK(vm.findings[i].message && valid_utf8(vm.findings[i].message));
	vmsc_vm_result_release(&vm);
	vmsc_guest_facts_release(&g);
	free(text);
	return 0;
}
