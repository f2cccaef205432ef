/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A server URL as given to -s, GOVC_URL or a --server-file line, through
 * vmsc_server_url_parse and vmsc_server_url_parse_auth.  A URL that parses
 * yields a normalised one which must parse again to itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "vmsnapcheck/cli.h"

static void check_parsed(const struct vmsc_server_url *u)
{
	struct vmsc_server_url again;
	struct vmsc_error err = { 0 };

	FUZZ_CHECK(u->host && *u->host);
	FUZZ_CHECK(u->path && u->path[0] == '/');
	FUZZ_CHECK(u->url && !strncmp(u->url, "https://", 8));
	FUZZ_CHECK(u->port > 0 && u->port <= 65535);
	/* the normalised form is a fixed point */
	if (vmsc_server_url_parse(&again, u->url, &err) < 0) {
		fprintf(stderr, "normalised URL '%s' does not parse: %s\n", u->url, err.message);
		abort();
	}
	FUZZ_CHECK(!strcmp(again.url, u->url));
	FUZZ_CHECK(!strcmp(again.host, u->host));
	FUZZ_CHECK(again.port == u->port);
	FUZZ_CHECK(!strcmp(again.path, u->path));
	vmsc_server_url_release(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstring(data, size);
	struct vmsc_server_url u;
	struct vmsc_error err = { 0 };
	char *user = NULL, *password = NULL;

	if (vmsc_server_url_parse(&u, text, &err) == 0) {
		check_parsed(&u);
		vmsc_server_url_release(&u);
	} else {
		FUZZ_CHECK(err.code != VMSC_OK && err.message[0]);
	}

	memset(&err, 0, sizeof(err));
	if (vmsc_server_url_parse_auth(&u, text, &user, &password, &err) == 0) {
		check_parsed(&u);
		/* empty userinfo parts are handed out as NULL */
		FUZZ_CHECK(!user || *user);
		FUZZ_CHECK(!password || *password);
		vmsc_server_url_release(&u);
	} else {
		FUZZ_CHECK(err.code != VMSC_OK && err.message[0]);
		FUZZ_CHECK(!user && !password);
	}
	free(user);
	vmsc_password_free(password);
	free(text);
	return 0;
}
