/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which transfer URLs name another server than the one connected to
 * (guest file transfers from an ESXi host: its own TLS trust, no cookie). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vsphere/internal.h"

static void other_host(void **state)
{
	static const struct {
		const char *url, *server, *want; /* want NULL: the same server */
	} cases[] = {
		{ "https://vc.example.com/guestFile?id=1", "https://vc.example.com/sdk", NULL },
		{ "https://VC.example.com:443/guestFile?id=1", "https://vc.example.com/sdk", NULL },
		{ "https://127.0.0.1:8989/guestFile", "https://127.0.0.1:8989/sdk", NULL },
		{ "https://esx01.example.com/guestFile?id=1", "https://vc.example.com/sdk",
		  "esx01.example.com" },
		{ "https://esx01.example.com:443/guestFile", "https://vc.example.com:443/sdk",
		  "esx01.example.com" },
		/* another port is another server */
		{ "https://127.0.0.1:9443/guestFile", "https://127.0.0.1:8989/sdk", "127.0.0.1" },
		{ "https://[fd00::5]/guestFile", "https://vc.example.com/sdk", "fd00::5" },
		{ "https://[fd00::5]:443/guestFile", "https://[FD00::5]/sdk", NULL },
		/* not an absolute URL: nothing to compare (the download fails itself) */
		{ "/guestFile?id=1", "https://vc.example.com/sdk", NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = vmsc_url_other_host(cases[i].url, cases[i].server);

		if (cases[i].want) {
			assert_non_null(got);
			assert_string_equal(got, cases[i].want);
		} else {
			assert_null(got);
		}
		free(got);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(other_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
