/* SPDX-License-Identifier: GPL-2.0-or-later */
/* src/cli.c: URLs, options, environment and config precedence, server
 * files, password files.  Every test starts from a clean environment. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "vmsnapcheck/cli.h"
#include "vmsnapcheck/config.h"
#include "vmsnapcheck/report.h"

static char tmpdir[] = "/tmp/vmsc-test-cli-XXXXXX";

static const char *const env_vars[] = {
	"VMSNAPCHECK_SERVER", "VMSNAPCHECK_USERNAME", "VMSNAPCHECK_PASSWORD", "GOVC_URL",
	"GOVC_USERNAME",      "GOVC_PASSWORD",        "GOVC_INSECURE",        "GOVC_TLS_CA_CERTS",
	"NO_COLOR",           "POSIXLY_CORRECT",
};

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int group_setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* No stray variable from the developer's shell, and no default config file. */
static int test_setup(void **state)
{
	char xdg[512];

	(void)state;
	for (size_t i = 0; i < sizeof env_vars / sizeof env_vars[0]; i++)
		unsetenv(env_vars[i]);
	snprintf(xdg, sizeof xdg, "%s/no-xdg", tmpdir);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	return 0;
}

/* Writes tmpdir/name with the given mode; returns a static path. */
static const char *write_file(const char *name, const char *content, mode_t mode)
{
	static char paths[8][512];
	static int next;
	char *path = paths[next++ % 8];
	FILE *f;

	snprintf(path, 512, "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

static int parse_argv(struct vmsc_options *o, struct vmsc_error *err, const char *const *args)
{
	char *argv[64];
	int argc = 0, rc;

	while (args[argc]) {
		assert_true(argc < 63);
		argv[argc] = strdup(args[argc]);
		argc++;
	}
	argv[argc] = NULL;
	vmsc_options_init(o);
	memset(err, 0, sizeof *err);
	rc = vmsc_cli_parse(o, argc, argv, err);
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	return rc;
}

/* PARSE(&o, &err, "-s", "vc01") parses "vmsnapcheck -s vc01"; the caller releases o. */
#define PARSE(o, err, ...) parse_argv(o, err, (const char *const[]){ "vmsnapcheck", __VA_ARGS__, NULL })

/* Parses, expects failure with exactly `msg`, releases. */
#define PARSE_FAILS(want_code, msg, ...)                                      \
	do {                                                             \
		struct vmsc_options o_;                                  \
		struct vmsc_error e_;                                    \
		assert_int_equal(PARSE(&o_, &e_, __VA_ARGS__), -1);      \
		assert_string_equal(e_.message, msg);                    \
		assert_int_equal(e_.code, want_code);                       \
		vmsc_options_release(&o_);                               \
	} while (0)

/* URLs */

static void test_cli_url_valid(void **state)
{
	static const struct {
		const char *text, *host;
		int port;
		const char *path, *url;
	} cases[] = {
		{ "vc01", "vc01", 443, "/sdk", "https://vc01/sdk" },
		{ "vc01:8443", "vc01", 8443, "/sdk", "https://vc01:8443/sdk" },
		{ "vc01:443", "vc01", 443, "/sdk", "https://vc01/sdk" },
		{ "https://vc01", "vc01", 443, "/sdk", "https://vc01/sdk" },
		{ "https://vc01/", "vc01", 443, "/sdk", "https://vc01/sdk" },
		{ "https://vc01:8989/sdk", "vc01", 8989, "/sdk", "https://vc01:8989/sdk" },
		{ "https://vc01/sdk/", "vc01", 443, "/sdk", "https://vc01/sdk" },
		{ "https://vc01.example.com/custom/sdk", "vc01.example.com", 443, "/custom/sdk",
		  "https://vc01.example.com/custom/sdk" },
		{ "HTTPS://VC01.Example.COM", "vc01.example.com", 443, "/sdk",
		  "https://vc01.example.com/sdk" },
		{ "10.0.0.5", "10.0.0.5", 443, "/sdk", "https://10.0.0.5/sdk" },
		{ "[fd00::1]:8443", "fd00::1", 8443, "/sdk", "https://[fd00::1]:8443/sdk" },
		{ "[FD00::1]", "fd00::1", 443, "/sdk", "https://[fd00::1]/sdk" },
		{ "https://[::1]:8989/sdk", "::1", 8989, "/sdk", "https://[::1]:8989/sdk" },
		{ "https://user:secret@vc01/sdk", "vc01", 443, "/sdk", "https://vc01/sdk" },
		{ "ops@vsphere.local@vc01:9443", "vc01", 9443, "/sdk", "https://vc01:9443/sdk" },
		{ "https://vc01:65535", "vc01", 65535, "/sdk", "https://vc01:65535/sdk" },
	};
	struct vmsc_server_url u;
	struct vmsc_error err;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (vmsc_server_url_parse(&u, cases[i].text, &err) < 0)
			fail_msg("'%s': %s", cases[i].text, err.message);
		assert_string_equal(u.host, cases[i].host);
		assert_int_equal(u.port, cases[i].port);
		assert_string_equal(u.path, cases[i].path);
		assert_string_equal(u.url, cases[i].url);
		vmsc_server_url_release(&u);
	}
}

static void test_cli_url_invalid(void **state)
{
	static const struct {
		const char *text, *message;
	} cases[] = {
		{ "", "server URL is empty: use https://HOST[:PORT][/sdk]" },
		{ "http://vc01/sdk", "server 'http://vc01/sdk': vSphere needs https: use 'https://vc01/sdk'" },
		{ "HTTP://vc01", "server 'HTTP://vc01': vSphere needs https: use 'https://vc01'" },
		{ "ftp://vc01", "server 'ftp://vc01': unsupported scheme 'ftp': use https://HOST[:PORT][/sdk]" },
		{ "https://", "server 'https://': no host name: use https://HOST[:PORT][/sdk]" },
		{ "https:///sdk", "server 'https:///sdk': no host name: use https://HOST[:PORT][/sdk]" },
		{ ":443", "server ':443': no host name: use https://HOST[:PORT][/sdk]" },
		{ "user@", "server 'user@': no host name: use https://HOST[:PORT][/sdk]" },
		{ "vc01:", "server 'vc01:': bad port '': use 1 to 65535" },
		{ "vc01:0", "server 'vc01:0': bad port '0': use 1 to 65535" },
		{ "vc01:65536", "server 'vc01:65536': bad port '65536': use 1 to 65535" },
		{ "vc01:44x", "server 'vc01:44x': bad port '44x': use 1 to 65535" },
		{ "https://vc01:-1/sdk", "server 'https://vc01:-1/sdk': bad port '-1': use 1 to 65535" },
		{ "vc 01", "server 'vc 01': spaces and control characters are not allowed in a URL" },
		{ " vc01", "server ' vc01': spaces and control characters are not allowed in a URL" },
		{ "vc01!", "server 'vc01!': bad character '!' in host name 'vc01!'" },
		{ "%39", "server '%39': bad character '%' in host name: use https://HOST[:PORT][/sdk]" },
		{ "https:/vc01", "server 'https:/vc01': a scheme needs '://': use https://HOST[:PORT][/sdk]" },
		{ "https://vc01/sdk?x=1", "server 'https://vc01/sdk?x=1': a query or fragment is not allowed: use https://HOST[:PORT][/sdk]" },
		{ "::1", "server '::1': put an IPv6 address in brackets: '[::1]'" },
		{ "fd00::1:8443", "server 'fd00::1:8443': put an IPv6 address in brackets: '[fd00::1:8443]'" },
		{ "[::1", "server '[::1': missing ']' after the IPv6 address" },
		{ "[zz::1]:443", "server '[zz::1]:443': bad IPv6 address in brackets: use e.g. '[fd00::1]:443'" },
		{ "[::1]x", "server '[::1]x': unexpected 'x' after the IPv6 address" },
		{ "[::1]:", "server '[::1]:': bad port '': use 1 to 65535" },
		/* the password never shows */
		{ "https://u:s3cret@vc01:99999", "server 'https://u:***@vc01:99999': bad port '99999': use 1 to 65535" },
		{ "http://u:s3cret@vc01", "server 'http://u:***@vc01': vSphere needs https: use 'https://u:***@vc01'" },
		{ "https://u:s3%zz@vc01", "server 'https://u:***@vc01': bad %-escape in the user name or password" },
	};
	struct vmsc_server_url u;
	struct vmsc_error err;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		vmsc_error_clear(&err);
		if (vmsc_server_url_parse(&u, cases[i].text, &err) == 0)
			fail_msg("'%s' was accepted as %s", cases[i].text, u.url);
		assert_string_equal(err.message, cases[i].message);
		assert_int_equal(err.code, VMSC_E_USAGE);
		assert_null(u.url);
	}
}

static void test_cli_url_userinfo(void **state)
{
	struct vmsc_server_url u;
	struct vmsc_error err;
	char *user, *pw;

	(void)state;
	assert_int_equal(vmsc_server_url_parse_auth(&u, "https://ops%40vsphere.local:p%3Ass@w0rd@vc01:8989",
						    &user, &pw, &err), 0);
	assert_string_equal(user, "ops@vsphere.local");
	assert_string_equal(pw, "p:ss@w0rd");
	assert_string_equal(u.url, "https://vc01:8989/sdk");
	free(user);
	vmsc_password_free(pw);
	vmsc_server_url_release(&u);

	/* the last '@' ends the userinfo, the first ':' the user */
	assert_int_equal(vmsc_server_url_parse_auth(&u, "ops@vsphere.local:pw@vc01", &user, &pw, &err), 0);
	assert_string_equal(user, "ops@vsphere.local");
	assert_string_equal(pw, "pw");
	free(user);
	vmsc_password_free(pw);
	vmsc_server_url_release(&u);

	assert_int_equal(vmsc_server_url_parse_auth(&u, "admin@vc01", &user, &pw, &err), 0);
	assert_string_equal(user, "admin");
	assert_null(pw);
	free(user);
	vmsc_server_url_release(&u);

	assert_int_equal(vmsc_server_url_parse_auth(&u, "vc01", &user, &pw, &err), 0);
	assert_null(user);
	assert_null(pw);
	vmsc_server_url_release(&u);
}

/* Options */

static void test_cli_defaults(void **state)
{
	struct vmsc_options o;
	struct vmsc_error err;

	(void)state;
	assert_int_equal(PARSE(&o, &err, "-s", "vc01", "-u", "ops", "--no-config"), 0);
	assert_int_equal(o.command, VMSC_CMD_CHECK);
	assert_string_equal(o.format, "text");
	assert_int_equal(o.timeout, 60);
	assert_int_equal(o.page_size, 500);
	assert_int_equal(o.connections, 2);
	assert_int_equal(o.color, VMSC_COLOR_AUTO);
	assert_int_equal(o.insecure, 0);
	assert_int_equal(o.quiet, 0);
	assert_int_equal(o.verbose, 0);
	assert_false(o.debug);
	assert_false(o.password_from_env);
	assert_null(o.output);
	assert_null(o.password_file);
	assert_int_equal(o.n_globs, 0);
	assert_int_equal(o.config.thresholds.max_snapshots, 3);
	vmsc_options_release(&o);
}

static void test_cli_all_options(void **state)
{
	struct vmsc_options o;
	struct vmsc_error err;

	(void)state;
	assert_int_equal(PARSE(&o, &err, "--server=vc01", "--username", "ops", "--password-file", "/pw",
			       "-k", "--cacert", "/ca.pem", "--thumbprint", "AB:CD", "--datacenter", "DC1",
			       "--cluster", "C1", "--folder", "/DC1/vm/prod", "--exclude", "tmp-*",
			       "--exclude=test-*", "--include-powered-off", "--no-config", "-f", "json",
			       "-o", "out.json", "-t", "3600", "--page-size", "10000", "--connections", "1",
			       "--color", "always", "-q", "-vv", "--verbose", "--debug", "--save-facts", "facts.json", "sql-*"),
			 0);
	assert_int_equal(o.n_servers, 1);
	assert_string_equal(o.username, "ops");
	assert_string_equal(o.password_file, "/pw");
	assert_int_equal(o.insecure, 1);
	assert_string_equal(o.cacert, "/ca.pem");
	assert_string_equal(o.thumbprint, "AB:CD");
	assert_string_equal(o.datacenter, "DC1");
	assert_string_equal(o.cluster, "C1");
	assert_string_equal(o.folder, "/DC1/vm/prod");
	assert_int_equal(o.n_excludes, 2);
	assert_string_equal(o.excludes[0], "tmp-*");
	assert_string_equal(o.excludes[1], "test-*");
	assert_true(o.include_powered_off);
	assert_true(o.no_config);
	assert_string_equal(o.format, "json");
	assert_string_equal(o.output, "out.json");
	assert_int_equal(o.timeout, 3600);
	assert_int_equal(o.page_size, 10000);
	assert_int_equal(o.connections, 1);
	assert_int_equal(o.color, VMSC_COLOR_ALWAYS);
	assert_int_equal(o.quiet, 1);
	assert_int_equal(o.verbose, 3);
	assert_true(o.debug);
	assert_string_equal(o.save_facts, "facts.json");
	assert_int_equal(o.n_globs, 1);
	assert_string_equal(o.globs[0], "sql-*");
	vmsc_options_release(&o);

	/* -o - is standard output; a later -o wins */
	assert_int_equal(PARSE(&o, &err, "--facts", "f.json", "--no-config", "-o", "x", "-o", "-"), 0);
	assert_null(o.output);
	assert_string_equal(o.facts, "f.json");
	assert_int_equal(o.n_servers, 0);
	vmsc_options_release(&o);
}

static void test_cli_repeated_server(void **state)
{
	struct vmsc_options o;
	struct vmsc_error err;

	(void)state;
	assert_int_equal(PARSE(&o, &err, "-s", "vc01", "-H", "https://vc02:8443", "--server",
			       "admin@[fd00::2]", "-u", "ops", "--no-config"), 0);
	assert_int_equal(o.n_servers, 3);
	assert_string_equal(o.servers[0].url.url, "https://vc01/sdk");
	assert_string_equal(o.servers[1].url.url, "https://vc02:8443/sdk");
	assert_string_equal(o.servers[2].url.url, "https://[fd00::2]/sdk");
	assert_null(o.servers[0].username);
	assert_string_equal(o.servers[2].username, "admin");
	assert_string_equal(vmsc_server_username(&o, &o.servers[0]), "ops");
	assert_string_equal(vmsc_server_username(&o, &o.servers[2]), "admin");
	vmsc_options_release(&o);

	PARSE_FAILS(VMSC_E_USAGE, "server 'https://vc01/sdk' is given twice: check it once",
		    "-s", "vc01", "-s", "https://VC01:443/sdk/", "-u", "ops", "--no-config");
	PARSE_FAILS(VMSC_E_USAGE, "server 'vc01:0': bad port '0': use 1 to 65535", "-s", "vc01:0");
	PARSE_FAILS(VMSC_E_USAGE,
		    "server 'https://vc01/sdk': no passwords in URLs: passwords are read from "
		    "--password-file, VMSNAPCHECK_PASSWORD or the prompt",
		    "-s", "https://ops:s3cret@vc01");
}

static void test_cli_globs_and_double_dash(void **state)
{
	struct vmsc_options o;
	struct vmsc_error err;

	(void)state;
	/* globs between options, in order; after `--` everything is a glob */
	assert_int_equal(PARSE(&o, &err, "sql-*", "-s", "vc01", "web-?", "-u", "ops", "--no-config",
			       "--", "-odd-name", "--debug", "doctor"), 0);
	assert_int_equal(o.n_globs, 5);
	assert_string_equal(o.globs[0], "sql-*");
	assert_string_equal(o.globs[1], "web-?");
	assert_string_equal(o.globs[2], "-odd-name");
	assert_string_equal(o.globs[3], "--debug");
	assert_string_equal(o.globs[4], "doctor");
	assert_false(o.debug);
	assert_int_equal(o.command, VMSC_CMD_CHECK);
	vmsc_options_release(&o);

	/* POSIXLY_CORRECT must not turn later options into globs */
	setenv("POSIXLY_CORRECT", "1", 1);
	assert_int_equal(PARSE(&o, &err, "sql-*", "-s", "vc01", "-u", "ops", "--no-config"), 0);
	assert_int_equal(o.n_globs, 1);
	assert_int_equal(o.n_servers, 1);
	vmsc_options_release(&o);
	unsetenv("POSIXLY_CORRECT");

	PARSE_FAILS(VMSC_E_USAGE, "empty VM name pattern: give a glob such as 'sql-*'", "");
}

static void test_cli_doctor_only_first(void **state)
{
	struct vmsc_options o;
	struct vmsc_error err;

	(void)state;
	assert_int_equal(PARSE(&o, &err, "doctor", "-s", "vc01", "--no-config"), 0);
	assert_int_equal(o.command, VMSC_CMD_DOCTOR);
	assert_int_equal(o.n_globs, 0);
	vmsc_options_release(&o);

	assert_int_equal(PARSE(&o, &err, "-s", "vc01", "-u", "ops", "--no-config", "doctor"), 0);
	assert_int_equal(o.command, VMSC_CMD_CHECK);
	assert_int_equal(o.n_globs, 1);
	assert_string_equal(o.globs[0], "doctor");
	vmsc_options_release(&o);

	assert_int_equal(PARSE(&o, &err, "--", "doctor", "-s"), -1);
	assert_string_equal(err.message, "no server: use -s URL, VMSNAPCHECK_SERVER or GOVC_URL, "
					 "or 'server' in the config file");
	assert_int_equal(o.n_globs, 2);
	assert_string_equal(o.globs[0], "doctor");
	vmsc_options_release(&o);

	PARSE_FAILS(VMSC_E_USAGE,
		    "'doctor' takes no VM names: run 'vmsnapcheck doctor [options]', or "
		    "'vmsnapcheck -- doctor' for a VM named doctor",
		    "doctor", "-s", "vc01", "sql-*");
	PARSE_FAILS(VMSC_E_USAGE, "'doctor' checks a server connection: drop '--facts'",
		    "doctor", "--facts", "f.json");
}

static void test_cli_bad_values(void **state)
{
	(void)state;
	PARSE_FAILS(VMSC_E_USAGE, "unknown format 'xml': use text, json, junit, nagios, prometheus, csv or html",
		    "-f", "xml");
	PARSE_FAILS(VMSC_E_USAGE, "unknown format 'JSON': use text, json, junit, nagios, prometheus, csv or html",
		    "--format=JSON");
	PARSE_FAILS(VMSC_E_USAGE, "bad timeout '0': use a whole number of seconds from 1 to 3600",
		    "-t", "0");
	PARSE_FAILS(VMSC_E_USAGE, "bad timeout '3601': use a whole number of seconds from 1 to 3600",
		    "-t", "3601");
	PARSE_FAILS(VMSC_E_USAGE, "bad timeout '-5': use a whole number of seconds from 1 to 3600",
		    "--timeout=-5");
	PARSE_FAILS(VMSC_E_USAGE, "bad timeout '10s': use a whole number of seconds from 1 to 3600",
		    "-t", "10s");
	PARSE_FAILS(VMSC_E_USAGE, "bad timeout ' 10': use a whole number of seconds from 1 to 3600",
		    "-t", " 10");
	PARSE_FAILS(VMSC_E_USAGE, "bad timeout '99999999999999999999': use a whole number of seconds from 1 to 3600",
		    "-t", "99999999999999999999");
	PARSE_FAILS(VMSC_E_USAGE, "bad page size '0': use a number from 1 to 10000", "--page-size", "0");
	PARSE_FAILS(VMSC_E_USAGE, "bad page size '10001': use a number from 1 to 10000",
		    "--page-size", "10001");
	PARSE_FAILS(VMSC_E_USAGE, "bad color mode 'yes': use auto, always or never", "--color", "yes");
	PARSE_FAILS(VMSC_E_USAGE, "option '--username' needs a non-empty value", "-u", "");
	PARSE_FAILS(VMSC_E_USAGE, "'--config' and '--no-config' contradict each other: use one",
		    "--config", "x.ini", "--no-config");
	PARSE_FAILS(VMSC_E_USAGE,
		    "'--facts' reads saved facts, '--save-facts' saves them from a server: use one",
		    "--facts", "a.json", "--save-facts", "b.json");
	PARSE_FAILS(VMSC_E_USAGE, "'--facts' checks saved facts without a server: drop '--server'",
		    "--facts", "a.json", "-s", "vc01");
}

static void test_cli_format_kept_on_later_error(void **state)
{
	struct vmsc_options o;
	struct vmsc_error err;

	(void)state;
	/* main can print the usage error as a Nagios UNKNOWN line */
	assert_int_equal(PARSE(&o, &err, "-f", "nagios", "-t", "0"), -1);
	assert_string_equal(o.format, "nagios");
	vmsc_options_release(&o);
}

static void test_cli_unknown_option(void **state)
{
	(void)state;
	PARSE_FAILS(VMSC_E_USAGE, "unknown option '--foo'; try 'vmsnapcheck --help'", "--foo");
	PARSE_FAILS(VMSC_E_USAGE, "unknown option '--foo'; try 'vmsnapcheck --help'", "--foo=bar");
	PARSE_FAILS(VMSC_E_USAGE, "unknown option '-x'; try 'vmsnapcheck --help'", "-x");
	PARSE_FAILS(VMSC_E_USAGE, "unknown option '-x'; try 'vmsnapcheck --help'", "-kx");
	PARSE_FAILS(VMSC_E_USAGE, "option '--debug' takes no value; try 'vmsnapcheck --help'",
		    "--debug=1");
	PARSE_FAILS(VMSC_E_USAGE, "option '-s' needs a value; try 'vmsnapcheck --help'", "-s");
	PARSE_FAILS(VMSC_E_USAGE, "option '--server' needs a value; try 'vmsnapcheck --help'",
		    "--server");
	PARSE_FAILS(VMSC_E_USAGE, "option '--timeout' needs a value; try 'vmsnapcheck --help'",
		    "-s", "vc01", "--time");
	PARSE_FAILS(VMSC_E_USAGE,
		    "ambiguous option '--in': could be '--include-powered-off', '--insecure'", "--in");
}

static void test_cli_abbreviations(void **state)
{
	struct vmsc_options o;
	struct vmsc_error err;

	(void)state;
	assert_int_equal(PARSE(&o, &err, "-s", "vc01", "--dat=DC1", "--user", "ops", "--no-conf",
			       "--insec"), 0);
	assert_string_equal(o.datacenter, "DC1");
	assert_string_equal(o.username, "ops");
	assert_int_equal(o.insecure, 1);
	vmsc_options_release(&o);
}

static void test_cli_password_option_rejected(void **state)
{
	static const char *const forms[][2] = {
		{ "--password", "s3cret" }, { "--password=s3cret", NULL }, { "-p", "s3cret" },
		{ "-ps3cret", NULL },       { "--pass=s3cret", NULL },     { "--passw", "s3cret" },
		{ "--passwd=s3cret", NULL }, { "--pw=s3cret", NULL },      { "--password", NULL },
	};
	struct vmsc_options o;
	struct vmsc_error err;

	(void)state;
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		const char *args[] = { "vmsnapcheck", "-s", "vc01", forms[i][0], forms[i][1], NULL };

		assert_int_equal(parse_argv(&o, &err, args), -1);
		assert_int_equal(err.code, VMSC_E_USAGE);
		assert_string_equal(err.message,
				    "there is no password option: passwords are read from "
				    "--password-file, VMSNAPCHECK_PASSWORD or the prompt");
		assert_null(strstr(err.message, "s3cret"));
		vmsc_options_release(&o);
	}
	/* --password-file is still reachable, also abbreviated */
	assert_int_equal(PARSE(&o, &err, "--password-f", "/pw", "--list-rules", "--no-config"), 0);
	assert_string_equal(o.password_file, "/pw");
	vmsc_options_release(&o);
}

/* As for the vCenter password: every spelling of a guest password option is
 * refused with the same message, never echoing the value. */
static void test_cli_guest_password_option_rejected(void **state)
{
	static const char *const forms[][2] = {
		{ "--guest-password", "s3cret" }, { "--guest-password=s3cret", NULL },
		{ "--guest-pass=s3cret", NULL },  { "--guest-passw", "s3cret" },
		{ "--guest-passwd=s3cret", NULL }, { "--guest-pw=s3cret", NULL },
		{ "--guest-password", NULL },
	};
	struct vmsc_options o;
	struct vmsc_error err;

	(void)state;
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		const char *args[] = { "vmsnapcheck", "-s", "vc01", "--guest", forms[i][0], forms[i][1],
				       NULL };

		assert_int_equal(parse_argv(&o, &err, args), -1);
		assert_int_equal(err.code, VMSC_E_USAGE);
		assert_string_equal(err.message,
				    "there is no guest password option: guest passwords are read from "
				    "--guest-password-file, VMSNAPCHECK_GUEST_PASSWORD or [guest] "
				    "password_file");
		vmsc_options_release(&o);
	}
	/* --guest-password-file is still reachable, also abbreviated */
	assert_int_equal(PARSE(&o, &err, "-s", "vc01", "-u", "ops", "--no-config", "--guest",
			       "--guest-user", "x", "--guest-password-f", "/gpw"), 0);
	assert_string_equal(o.guest_password_file, "/gpw");
	vmsc_options_release(&o);
	/* an ambiguous abbreviation does not offer the refused option */
	assert_int_equal(PARSE(&o, &err, "-s", "vc01", "--no-config", "--guest-"), -1);
	assert_null(strstr(err.message, "'--guest-password'"));
	vmsc_options_release(&o);
}

static void test_cli_help_version_list_rules(void **state)
{
	struct vmsc_options o;
	struct vmsc_error err;

	(void)state;
	/* no server needed, and no environment or config is read */
	setenv("GOVC_INSECURE", "maybe", 1);
	assert_int_equal(PARSE(&o, &err, "-h"), 0);
	assert_int_equal(o.command, VMSC_CMD_HELP);
	vmsc_options_release(&o);
	assert_int_equal(PARSE(&o, &err, "--version", "--config", "/nonexistent.ini"), 0);
	assert_int_equal(o.command, VMSC_CMD_VERSION);
	vmsc_options_release(&o);
	assert_int_equal(PARSE(&o, &err, "doctor", "--help"), 0);
	assert_int_equal(o.command, VMSC_CMD_HELP);
	vmsc_options_release(&o);
	unsetenv("GOVC_INSECURE");

	assert_int_equal(PARSE(&o, &err, "--list-rules", "--no-config"), 0);
	assert_int_equal(o.command, VMSC_CMD_LIST_RULES);
	vmsc_options_release(&o);
	PARSE_FAILS(VMSC_E_USAGE, "unknown option '--bogus'; try 'vmsnapcheck --help'", "-h", "--bogus");
}

static void test_cli_required(void **state)
{
	struct vmsc_options o;
	struct vmsc_error err;

	(void)state;
	PARSE_FAILS(VMSC_E_USAGE,
		    "no server: use -s URL, VMSNAPCHECK_SERVER or GOVC_URL, or 'server' in the config file",
		    "--no-config");
	PARSE_FAILS(VMSC_E_USAGE,
		    "no user name for 'https://vc02/sdk': use -u USER, VMSNAPCHECK_USERNAME or GOVC_USERNAME",
		    "-s", "admin@vc01", "-s", "vc02", "--no-config");
	/* doctor reports a missing user name itself */
	assert_int_equal(PARSE(&o, &err, "doctor", "-s", "vc01", "--no-config"), 0);
	vmsc_options_release(&o);
	assert_int_equal(PARSE(&o, &err, "--facts", "f.json", "--no-config"), 0);
	vmsc_options_release(&o);
}

/* Environment */

static void test_cli_env_server_precedence(void **state)
{
	struct vmsc_options o;
	struct vmsc_error err;

	(void)state;
	setenv("GOVC_URL", "https://govc-vc/sdk", 1);
	setenv("VMSNAPCHECK_USERNAME", "ops", 1);
	assert_int_equal(PARSE(&o, &err, "--no-config"), 0);
	assert_int_equal(o.n_servers, 1);
	assert_string_equal(o.servers[0].url.url, "https://govc-vc/sdk");
	vmsc_options_release(&o);

	setenv("VMSNAPCHECK_SERVER", "vmsc-vc:8443", 1);
	assert_int_equal(PARSE(&o, &err, "--no-config"), 0);
	assert_int_equal(o.n_servers, 1);
	assert_string_equal(o.servers[0].url.url, "https://vmsc-vc:8443/sdk");
	vmsc_options_release(&o);

	assert_int_equal(PARSE(&o, &err, "-s", "cli-vc", "--no-config"), 0);
	assert_int_equal(o.n_servers, 1);
	assert_string_equal(o.servers[0].url.url, "https://cli-vc/sdk");
	vmsc_options_release(&o);

	setenv("VMSNAPCHECK_SERVER", "http://vmsc-vc", 1);
	PARSE_FAILS(VMSC_E_USAGE,
		    "VMSNAPCHECK_SERVER: server 'http://vmsc-vc': vSphere needs https: use 'https://vmsc-vc'",
		    "--no-config");
	/* an unusable variable that is not used does no harm */
	assert_int_equal(PARSE(&o, &err, "-s", "cli-vc", "--no-config"), 0);
	vmsc_options_release(&o);
}

/* Once read, passwords leave the environment; GOVC_URL keeps its server. */
static void test_cli_forget_env(void **state)
{
	(void)state;
	setenv("VMSNAPCHECK_PASSWORD", "s3cret", 1);
	setenv("GOVC_PASSWORD", "other", 1);
	setenv("GOVC_URL", "https://svc%40vsphere.local:p:w@vc01:8443/sdk?x=@", 1);
	vmsc_password_forget_env();
	assert_null(getenv("VMSNAPCHECK_PASSWORD"));
	assert_null(getenv("GOVC_PASSWORD"));
	assert_string_equal(getenv("GOVC_URL"), "https://svc%40vsphere.local:***@vc01:8443/sdk?x=@");
	setenv("GOVC_URL", "vc01/sdk", 1);
	vmsc_password_forget_env();
	assert_string_equal(getenv("GOVC_URL"), "vc01/sdk");
	unsetenv("GOVC_URL");
}

static void test_cli_env_govc_url(void **state)
{
	struct vmsc_options o;
	struct vmsc_error err;
	char *pw;

	(void)state;
	setenv("GOVC_URL", "svc%40vsphere.local:from-url@vc01", 1);
	assert_int_equal(PARSE(&o, &err, "--no-config"), 0);
	assert_int_equal(o.n_servers, 1);
	assert_string_equal(o.servers[0].url.url, "https://vc01/sdk");
	assert_string_equal(vmsc_server_username(&o, &o.servers[0]), "svc@vsphere.local");
	assert_true(o.password_from_env);
	pw = vmsc_password_read(&o, &o.servers[0], &err);
	assert_non_null(pw);
	assert_string_equal(pw, "from-url");
	vmsc_password_free(pw);
	vmsc_options_release(&o);

	/* the user in GOVC_URL beats GOVC_USERNAME, loses to VMSNAPCHECK_USERNAME and -u */
	setenv("GOVC_USERNAME", "govc-user", 1);
	assert_int_equal(PARSE(&o, &err, "--no-config"), 0);
	assert_string_equal(vmsc_server_username(&o, &o.servers[0]), "svc@vsphere.local");
	vmsc_options_release(&o);
	setenv("VMSNAPCHECK_USERNAME", "vmsc-user", 1);
	assert_int_equal(PARSE(&o, &err, "--no-config"), 0);
	assert_string_equal(vmsc_server_username(&o, &o.servers[0]), "vmsc-user");
	vmsc_options_release(&o);
	assert_int_equal(PARSE(&o, &err, "-u", "cli-user", "--no-config"), 0);
	assert_string_equal(vmsc_server_username(&o, &o.servers[0]), "cli-user");
	vmsc_options_release(&o);

	/* the password in GOVC_URL beats GOVC_PASSWORD, loses to VMSNAPCHECK_PASSWORD */
	setenv("GOVC_PASSWORD", "from-govc-password", 1);
	assert_int_equal(PARSE(&o, &err, "--no-config"), 0);
	pw = vmsc_password_read(&o, &o.servers[0], &err);
	assert_string_equal(pw, "from-url");
	vmsc_password_free(pw);
	setenv("VMSNAPCHECK_PASSWORD", "from-vmsc-password", 1);
	pw = vmsc_password_read(&o, &o.servers[0], &err);
	assert_string_equal(pw, "from-vmsc-password");
	vmsc_password_free(pw);
	vmsc_options_release(&o);
	unsetenv("VMSNAPCHECK_PASSWORD");

	/* GOVC_URL's credentials belong to its server only */
	assert_int_equal(PARSE(&o, &err, "-s", "vc02", "--no-config"), 0);
	assert_string_equal(vmsc_server_username(&o, &o.servers[0]), "vmsc-user");
	pw = vmsc_password_read(&o, &o.servers[0], &err);
	assert_string_equal(pw, "from-govc-password");
	vmsc_password_free(pw);
	vmsc_options_release(&o);

	setenv("GOVC_URL", "http://u:s3cret@vc01", 1);
	PARSE_FAILS(VMSC_E_USAGE,
		    "GOVC_URL: server 'http://u:***@vc01': vSphere needs https: use 'https://u:***@vc01'",
		    "--no-config");
}

static void test_cli_env_username_precedence(void **state)
{
	struct vmsc_options o;
	struct vmsc_error err;

	(void)state;
	setenv("GOVC_USERNAME", "govc-user", 1);
	assert_int_equal(PARSE(&o, &err, "-s", "vc01", "--no-config"), 0);
	assert_string_equal(o.username, "govc-user");
	vmsc_options_release(&o);
	setenv("VMSNAPCHECK_USERNAME", "vmsc-user", 1);
	assert_int_equal(PARSE(&o, &err, "-s", "vc01", "--no-config"), 0);
	assert_string_equal(o.username, "vmsc-user");
	vmsc_options_release(&o);
	assert_int_equal(PARSE(&o, &err, "-s", "vc01", "-u", "cli-user", "--no-config"), 0);
	assert_string_equal(o.username, "cli-user");
	vmsc_options_release(&o);
}

static void test_cli_env_tls_and_color(void **state)
{
	struct vmsc_options o;
	struct vmsc_error err;

	(void)state;
	setenv("VMSNAPCHECK_SERVER", "vc01", 1);
	setenv("VMSNAPCHECK_USERNAME", "ops", 1);
	setenv("GOVC_INSECURE", "true", 1);
	setenv("GOVC_TLS_CA_CERTS", "/env/ca.pem", 1);
	setenv("NO_COLOR", "1", 1);
	assert_int_equal(PARSE(&o, &err, "--no-config"), 0);
	assert_int_equal(o.insecure, 1);
	assert_string_equal(o.cacert, "/env/ca.pem");
	assert_int_equal(o.color, VMSC_COLOR_NEVER);
	vmsc_options_release(&o);

	assert_int_equal(PARSE(&o, &err, "--no-config", "--cacert", "/cli/ca.pem", "--color", "always"), 0);
	assert_string_equal(o.cacert, "/cli/ca.pem");
	assert_int_equal(o.color, VMSC_COLOR_ALWAYS);
	vmsc_options_release(&o);

	setenv("GOVC_INSECURE", "0", 1);
	setenv("NO_COLOR", "", 1); /* empty means unset, says no-color.org */
	assert_int_equal(PARSE(&o, &err, "--no-config"), 0);
	assert_int_equal(o.insecure, 0);
	assert_int_equal(o.color, VMSC_COLOR_AUTO);
	vmsc_options_release(&o);

	setenv("GOVC_INSECURE", "maybe", 1);
	PARSE_FAILS(VMSC_E_USAGE, "GOVC_INSECURE='maybe' is not a boolean: use 1 or 0", "--no-config");
	assert_int_equal(PARSE(&o, &err, "-k", "--no-config"), 0); /* -k wins, the variable is not read */
	vmsc_options_release(&o);
}

/* Config file */

static void test_cli_config_lowest(void **state)
{
	struct vmsc_options o;
	struct vmsc_error err;
	char expect[600];
	const char *cfg = write_file("lowest.ini",
				     "[connection]\n"
				     "server = https://cfg-vc:9443\n"
				     "username = cfg-user\n"
				     "password_file = secrets/pw\n"
				     "cacert = /cfg/ca.pem\n"
				     "thumbprint = 9C:4F\n"
				     "insecure = true\n",
				     0644);

	(void)state;
	assert_int_equal(PARSE(&o, &err, "--config", cfg), 0);
	assert_int_equal(o.n_servers, 1);
	assert_string_equal(o.servers[0].url.url, "https://cfg-vc:9443/sdk");
	assert_string_equal(o.username, "cfg-user");
	snprintf(expect, sizeof expect, "%s/secrets/pw", tmpdir); /* beside the config file */
	assert_string_equal(o.password_file, expect);
	assert_string_equal(o.cacert, "/cfg/ca.pem");
	assert_string_equal(o.thumbprint, "9C:4F");
	assert_int_equal(o.insecure, 1);
	vmsc_options_release(&o);

	/* environment beats the config file */
	setenv("VMSNAPCHECK_SERVER", "env-vc", 1);
	setenv("GOVC_USERNAME", "env-user", 1);
	setenv("GOVC_INSECURE", "0", 1);
	setenv("GOVC_TLS_CA_CERTS", "/env/ca.pem", 1);
	setenv("VMSNAPCHECK_PASSWORD", "x", 1);
	assert_int_equal(PARSE(&o, &err, "--config", cfg), 0);
	assert_string_equal(o.servers[0].url.url, "https://env-vc/sdk");
	assert_string_equal(o.username, "env-user");
	assert_int_equal(o.insecure, 0);
	assert_string_equal(o.cacert, "/env/ca.pem");
	assert_true(o.password_from_env);
	assert_null(o.password_file); /* an env password beats the config's file */
	vmsc_options_release(&o);

	/* the command line beats both */
	assert_int_equal(PARSE(&o, &err, "--config", cfg, "-s", "cli-vc", "-u", "cli-user",
			       "--thumbprint", "AA:BB", "--password-file", "/cli/pw"), 0);
	assert_string_equal(o.servers[0].url.url, "https://cli-vc/sdk");
	assert_string_equal(o.username, "cli-user");
	assert_string_equal(o.thumbprint, "AA:BB");
	assert_string_equal(o.password_file, "/cli/pw");
	vmsc_options_release(&o);
}

static void test_cli_config_default_path(void **state)
{
	struct vmsc_options o;
	struct vmsc_error err;
	char dir[512];

	(void)state;
	snprintf(dir, sizeof dir, "%s/xdg", tmpdir);
	mkdir(dir, 0700);
	snprintf(dir, sizeof dir, "%s/xdg/vmsnapcheck", tmpdir);
	mkdir(dir, 0700);
	write_file("xdg/vmsnapcheck/config.ini", "[connection]\nserver = xdg-vc\nusername = xdg-user\n", 0600);
	snprintf(dir, sizeof dir, "%s/xdg", tmpdir);
	setenv("XDG_CONFIG_HOME", dir, 1);

	assert_int_equal(parse_argv(&o, &err, (const char *const[]){ "vmsnapcheck", NULL }), 0);
	assert_string_equal(o.servers[0].url.url, "https://xdg-vc/sdk");
	assert_string_equal(o.username, "xdg-user");
	vmsc_options_release(&o);

	/* --config replaces the default file rather than layering on it */
	const char *other = write_file("other.ini", "[connection]\nserver = other-vc\n", 0644);
	assert_int_equal(PARSE(&o, &err, "--config", other, "-u", "ops"), 0);
	assert_string_equal(o.servers[0].url.url, "https://other-vc/sdk");
	assert_string_equal(o.username, "ops");
	vmsc_options_release(&o);

	PARSE_FAILS(VMSC_E_USAGE,
		    "no server: use -s URL, VMSNAPCHECK_SERVER or GOVC_URL, or 'server' in the config file",
		    "--no-config");

	const char *bad = write_file("bad-server.ini", "[connection]\nserver = http://x\n", 0644);
	char expect[800];
	snprintf(expect, sizeof expect, "%s: server 'http://x': vSphere needs https: use 'https://x'", bad);
	PARSE_FAILS(VMSC_E_CONFIG, expect, "--config", bad, "-u", "ops");
}

/* Server file */

static void test_cli_server_file(void **state)
{
	struct vmsc_options o;
	struct vmsc_error err;
	char expect[800];
	const char *sf = write_file("servers.txt",
				    "# vCenters to check\n"
				    "\n"
				    "https://vc01.example.com/sdk\n"
				    "   vc02:8443   backup@vsphere.local   # comment after fields\n"
				    "[fd00::3]  -  pw/vc03\n"
				    "vc04 ops /abs/pw\r\n",
				    0644);

	(void)state;
	assert_int_equal(PARSE(&o, &err, "-s", "vc00", "--server-file", sf, "-u", "ops", "--no-config"), 0);
	assert_string_equal(o.server_file, sf);
	assert_int_equal(o.n_servers, 5);
	assert_string_equal(o.servers[0].url.url, "https://vc00/sdk");
	assert_string_equal(o.servers[1].url.url, "https://vc01.example.com/sdk");
	assert_null(o.servers[1].username);
	assert_null(o.servers[1].password_file);
	assert_string_equal(o.servers[2].url.url, "https://vc02:8443/sdk");
	assert_string_equal(o.servers[2].username, "backup@vsphere.local");
	assert_string_equal(o.servers[3].url.url, "https://[fd00::3]/sdk");
	assert_null(o.servers[3].username);
	snprintf(expect, sizeof expect, "%s/pw/vc03", tmpdir);
	assert_string_equal(o.servers[3].password_file, expect);
	assert_string_equal(o.servers[4].username, "ops");
	assert_string_equal(o.servers[4].password_file, "/abs/pw");
	vmsc_options_release(&o);

	sf = write_file("too-many.txt", "vc01\nvc02 user pw extra\n", 0644);
	snprintf(expect, sizeof expect, "%s:2: too many fields: expected 'URL [user] [password-file]'", sf);
	PARSE_FAILS(VMSC_E_CONFIG, expect, "--server-file", sf);

	sf = write_file("bad-url.txt", "# header\nhttp://vc01\n", 0644);
	snprintf(expect, sizeof expect, "%s:2: server 'http://vc01': vSphere needs https: use 'https://vc01'", sf);
	PARSE_FAILS(VMSC_E_CONFIG, expect, "--server-file", sf);

	sf = write_file("with-pw.txt", "https://u:s3cret@vc01\n", 0644);
	snprintf(expect, sizeof expect,
		 "%s:1: server 'https://vc01/sdk': no passwords in URLs: passwords are read from "
		 "--password-file, VMSNAPCHECK_PASSWORD or the prompt", sf);
	PARSE_FAILS(VMSC_E_CONFIG, expect, "--server-file", sf);

	sf = write_file("dup.txt", "vc01\nhttps://vc01/sdk\n", 0644);
	snprintf(expect, sizeof expect, "%s:2: server 'https://vc01/sdk' is given twice: check it once", sf);
	PARSE_FAILS(VMSC_E_CONFIG, expect, "--server-file", sf);

	sf = write_file("empty.txt", "# nothing yet\n\n", 0644);
	snprintf(expect, sizeof expect,
		 "server file '%s' lists no servers: put one 'URL [user] [password-file]' per line", sf);
	PARSE_FAILS(VMSC_E_CONFIG, expect, "--server-file", sf);

	PARSE_FAILS(VMSC_E_IO, "cannot read server file '/nonexistent/servers': No such file or directory",
		    "--server-file", "/nonexistent/servers");
}

/* Passwords */

static char *read_pw(const char *path, struct vmsc_error *err)
{
	struct vmsc_options o;
	char *pw;

	vmsc_options_init(&o);
	o.password_file = strdup(path);
	vmsc_error_clear(err);
	pw = vmsc_password_read(&o, NULL, err);
	vmsc_options_release(&o);
	return pw;
}

static void test_cli_password_file_mode(void **state)
{
	struct vmsc_error err;
	char expect[800];
	const char *f;
	char *pw;

	(void)state;
	f = write_file("pw-0600", "s3cret\n", 0600);
	pw = read_pw(f, &err);
	assert_non_null(pw);
	assert_string_equal(pw, "s3cret");
	vmsc_password_free(pw);

	f = write_file("pw-0400", "s3cret", 0400);
	pw = read_pw(f, &err);
	assert_string_equal(pw, "s3cret");
	vmsc_password_free(pw);

	f = write_file("pw-0644", "s3cret\n", 0644);
	assert_null(read_pw(f, &err));
	snprintf(expect, sizeof expect, "password file '%s' is readable by others (mode 0644): chmod 600 '%s'", f, f);
	assert_string_equal(err.message, expect);
	assert_null(strstr(err.message, "s3cret"));

	f = write_file("pw-0640", "s3cret\n", 0640);
	assert_null(read_pw(f, &err));
	snprintf(expect, sizeof expect, "password file '%s' is readable by others (mode 0640): chmod 600 '%s'", f, f);
	assert_string_equal(err.message, expect);

	f = write_file("pw-0620", "s3cret\n", 0620);
	assert_null(read_pw(f, &err));
	snprintf(expect, sizeof expect, "password file '%s' is writable by others (mode 0620): chmod 600 '%s'", f, f);
	assert_string_equal(err.message, expect);

	assert_null(read_pw("/nonexistent/pw", &err));
	assert_string_equal(err.message, "cannot open password file '/nonexistent/pw': No such file or directory");
	assert_int_equal(err.code, VMSC_E_IO);
}

static void test_cli_password_file_content(void **state)
{
	static const struct {
		const char *content, *password, *error;
	} cases[] = {
		{ "s3cret\n", "s3cret", NULL },
		{ "s3cret\r\n", "s3cret", NULL },
		{ "s3cret", "s3cret", NULL },
		{ " spaces kept \n", " spaces kept ", NULL },
		{ "s3cret\n\n", NULL, "holds more than one line: put only the password in it" },
		{ "line1\nline2\n", NULL, "holds more than one line: put only the password in it" },
		{ "", NULL, "is empty: put the password in it" },
		{ "\n", NULL, "is empty: put the password in it" },
		{ "\r\n", NULL, "is empty: put the password in it" },
	};
	struct vmsc_error err;
	char expect[800];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *f = write_file("pw-content", cases[i].content, 0600);
		char *pw = read_pw(f, &err);

		if (cases[i].password) {
			if (!pw)
				fail_msg("case %zu: %s", i, err.message);
			assert_string_equal(pw, cases[i].password);
		} else {
			assert_null(pw);
			snprintf(expect, sizeof expect, "password file '%s' %s", f, cases[i].error);
			assert_string_equal(err.message, expect);
		}
		vmsc_password_free(pw);
	}

	char big[1100];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = 0;
	const char *f = write_file("pw-big", big, 0600);
	assert_null(read_pw(f, &err));
	snprintf(expect, sizeof expect, "password file '%s' is too long: put only the password in it", f);
	assert_string_equal(err.message, expect);
}

static void test_cli_password_sources(void **state)
{
	struct vmsc_options o;
	struct vmsc_error err;
	const char *global = write_file("pw-global", "global\n", 0600);
	const char *own = write_file("pw-own", "own\n", 0600);
	const char *sf;
	char line[1200];
	char *pw;
	int saved_stdin, devnull;

	(void)state;
	snprintf(line, sizeof line, "vc01 ops %s\nvc02 ops\n", own);
	sf = write_file("servers-pw.txt", line, 0644);
	setenv("VMSNAPCHECK_PASSWORD", "from-env", 1);
	assert_int_equal(PARSE(&o, &err, "--server-file", sf, "--password-file", global, "--no-config"), 0);
	pw = vmsc_password_read(&o, &o.servers[0], &err);
	assert_string_equal(pw, "own");
	vmsc_password_free(pw);
	pw = vmsc_password_read(&o, &o.servers[1], &err);
	assert_string_equal(pw, "global");
	vmsc_password_free(pw);
	vmsc_options_release(&o);

	assert_int_equal(PARSE(&o, &err, "-s", "vc02", "-u", "ops", "--no-config"), 0);
	assert_true(o.password_from_env);
	pw = vmsc_password_read(&o, &o.servers[0], &err);
	assert_string_equal(pw, "from-env");
	vmsc_password_free(pw);
	unsetenv("VMSNAPCHECK_PASSWORD");
	setenv("GOVC_PASSWORD", "from-govc", 1);
	pw = vmsc_password_read(&o, &o.servers[0], &err);
	assert_string_equal(pw, "from-govc");
	vmsc_password_free(pw);
	unsetenv("GOVC_PASSWORD");

	/* nothing left and no terminal: say what to do, never hang */
	fflush(stdin);
	saved_stdin = dup(STDIN_FILENO);
	devnull = open("/dev/null", O_RDONLY);
	assert_true(saved_stdin >= 0 && devnull >= 0);
	dup2(devnull, STDIN_FILENO);
	pw = vmsc_password_read(&o, &o.servers[0], &err);
	dup2(saved_stdin, STDIN_FILENO);
	close(saved_stdin);
	close(devnull);
	assert_null(pw);
	assert_string_equal(err.message,
			    "no password: use --password-file, VMSNAPCHECK_PASSWORD or run on a terminal");
	vmsc_options_release(&o);
}

/* Help and names */

/* --require LEVEL: one level for every selected VM, beside the config's
 * [require] sections (consistency.c lets it win); a bad level names the
 * valid ones. */
static void test_cli_require(void **state)
{
	static const struct {
		const char *arg;
		enum vmsc_level level;
	} levels[] = {
		{ "application", VMSC_LEVEL_APPLICATION },
		{ "filesystem", VMSC_LEVEL_FILESYSTEM },
		{ "crash", VMSC_LEVEL_CRASH },
		{ "none", VMSC_LEVEL_NONE },
	};
	struct vmsc_options o;
	struct vmsc_error err;
	const char *cfg = write_file("require.ini",
				     "[require \"sql-*\"]\n"
				     "consistency = application\n",
				     0644);

	(void)state;
	assert_int_equal(PARSE(&o, &err, "-s", "vc01", "-u", "u"), 0);
	assert_int_equal(o.config.require_all, VMSC_LEVEL_UNSET);
	vmsc_options_release(&o);
	for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
		assert_int_equal(PARSE(&o, &err, "-s", "vc01", "-u", "u", "--require", levels[i].arg),
				 0);
		assert_int_equal(o.config.require_all, levels[i].level);
		vmsc_options_release(&o);
	}
	/* the config file is read after the command line and keeps it */
	assert_int_equal(PARSE(&o, &err, "-s", "vc01", "-u", "u", "--config", cfg,
			       "--require=crash"), 0);
	assert_int_equal(o.config.require_all, VMSC_LEVEL_CRASH);
	assert_int_equal(o.config.n_requires, 1);
	vmsc_options_release(&o);
	PARSE_FAILS(VMSC_E_USAGE,
		    "bad --require level 'Application': use application, filesystem, crash or none",
		    "-s", "vc01", "-u", "u", "--require", "Application");
	PARSE_FAILS(VMSC_E_USAGE,
		    "bad --require level 'app': use application, filesystem, crash or none",
		    "-s", "vc01", "-u", "u", "--require", "app");
	PARSE_FAILS(VMSC_E_USAGE, "option '--require' needs a non-empty value", "--require", "");
}

static void test_cli_usage(void **state)
{
	static const char *const listed[] = {
		"--server", "-H", "--server-file", "--username", "--password-file", "--insecure",
		"--cacert", "--thumbprint", "--datacenter", "--cluster", "--folder", "--exclude",
		"--include-powered-off", "--list-rules", "--config", "--no-config", "--format",
		"--output", "--timeout", "--page-size", "--color", "--quiet", "--verbose", "--debug",
		"--save-facts", "--facts", "--version", "--help", "doctor", "Exit status",
		"--require",
		"VMSNAPCHECK_PASSWORD", "GOVC_URL", "NO_COLOR",
	};
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	assert_non_null(f);
	vmsc_cli_usage(f);
	fclose(f);
	for (size_t i = 0; i < sizeof listed / sizeof listed[0]; i++)
		if (!strstr(text, listed[i]))
			fail_msg("usage does not mention '%s'", listed[i]);
	assert_null(strstr(text, "--password "));
	for (char *p = text, *nl; (nl = strchr(p, '\n')); p = nl + 1)
		assert_true(nl - p < 80);
	free(text);
}

static void test_cli_names(void **state)
{
	(void)state;
	assert_string_equal(vmsc_command_name(VMSC_CMD_CHECK), "check");
	assert_string_equal(vmsc_command_name(VMSC_CMD_DOCTOR), "doctor");
	assert_string_equal(vmsc_command_name(VMSC_CMD_LIST_RULES), "list-rules");
	assert_string_equal(vmsc_color_mode_name(VMSC_COLOR_NEVER), "never");
	assert_string_equal(vmsc_color_mode_name(VMSC_COLOR_AUTO), "auto");
}

static char *read_doc(const char *name)
{
	char path[1024];
	FILE *f;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int c;

	snprintf(path, sizeof path, "%s/../../%s", VMSC_TEST_DATA, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(f);
	fclose(m);
	return buf;
}

/* `word` in `text` not as part of a longer name ([a-z_-] on either side). */
static bool has_word(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = text; (p = strstr(p, word)); p++) {
		char before = p == text ? ' ' : p[-1], after = p[n];

		if (!strchr("abcdefghijklmnopqrstuvwxyz_", before) &&
		    !strchr("abcdefghijklmnopqrstuvwxyz_-\\", after ? after : ' '))
			return true;
		if (!after)
			break;
	}
	return false;
}

/* The option table, the config key tables, the report table, the man page
 * and the README say the same: every long option and every config key is
 * in docs/vmsnapcheck.1, every config key in README.md, every format in
 * the usage and the man page. */
static void test_cli_docs_hold_tables(void **state)
{
	char *man = read_doc("docs/vmsnapcheck.1"), *readme = read_doc("README.md");
	char *usage = NULL, want[128];
	size_t len = 0, n, missing = 0;
	const struct vmsc_report_format *fmts = vmsc_report_formats(&n);
	const char *name, *section;
	FILE *f = open_memstream(&usage, &len);

	(void)state;
	vmsc_cli_usage(f);
	fclose(f);
	for (size_t i = 0; (name = vmsc_cli_option_name(i)); i++) {
		if (!strcmp(name, "password"))
			continue; /* refused on purpose, documented as absent */
		/* troff spells --page-size as \-\-page\-size */
		size_t k = (size_t)snprintf(want, sizeof want, "\\-\\-");
		for (const char *c = name; *c && k + 3 < sizeof want; c++) {
			if (*c == '-')
				want[k++] = '\\';
			want[k++] = *c;
		}
		want[k] = 0;
		if (!has_word(man, want)) {
			print_error("docs/vmsnapcheck.1 does not describe '--%s'\n", name);
			missing++;
		}
	}
	/* config keys: in the man page's own section, not just as an option */
	char *conf = strstr(man, ".SH CONFIGURATION FILE"), *end;

	assert_non_null(conf);
	if ((end = strstr(conf + 1, "\n.SH ")))
		end[1] = 0;
	for (size_t i = 0; (name = vmsc_config_key(i, &section)); i++) {
		if (!has_word(conf, name)) {
			print_error("docs/vmsnapcheck.1 lacks config key [%s] %s\n", section, name);
			missing++;
		}
		if (!has_word(readme, name)) {
			print_error("README.md lacks config key [%s] %s\n", section, name);
			missing++;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (!has_word(usage, fmts[i].name) || !has_word(man, fmts[i].name)) {
			print_error("format '%s' missing from the usage or the man page\n", fmts[i].name);
			missing++;
		}
	}
	/* the short forms and '-o -' each have a description */
	for (size_t i = 0; i < 4; i++) {
		static const char *const shorts[] = { ".BR \\-u \", \" \\-\\-username",
						      ".BR \\-V \", \" \\-\\-version",
						      ".BR \\-h \", \" \\-\\-help",
						      ".B \\-o \\-" };
		const char *p = strstr(man, shorts[i]), *next;

		/* a description: a text line follows before the next .TP/.SH */
		if (p && (p = strchr(p, '\n')) && p[1] != '.' && p[1] != '\0')
			continue;
		next = shorts[i];
		print_error("docs/vmsnapcheck.1 has no description for '%s'\n", next);
		missing++;
	}
	/* the table is sorted by long name, as cli.c says */
	for (size_t i = 1; vmsc_cli_option_name(i); i++)
		if (strcmp(vmsc_cli_option_name(i - 1), vmsc_cli_option_name(i)) >= 0) {
			print_error("option table not sorted at '--%s'\n", vmsc_cli_option_name(i));
			missing++;
		}
	free(man);
	free(readme);
	free(usage);
	assert_int_equal(missing, 0);
}

/* --guest: defaults, values, and the refused password option */
static void test_cli_guest(void **state)
{
	struct vmsc_options o;
	struct vmsc_error err;

	(void)state;
	assert_int_equal(PARSE(&o, &err, "-s", "vc01", "-u", "ops", "--no-config"), 0);
	assert_false(o.guest);
	assert_int_equal(o.guest_timeout, 60);
	assert_int_equal(o.guest_parallel, 4);
	vmsc_options_release(&o);
	assert_int_equal(PARSE(&o, &err, "-s", "vc01", "-u", "ops", "--no-config", "--guest",
			       "--guest-user", "CORP\\x", "--guest-password-file", "/p",
			       "--guest-timeout", "5", "--guest-parallel", "2"), 0);
	assert_true(o.guest);
	assert_string_equal(o.guest_user, "CORP\\x");
	assert_string_equal(o.guest_password_file, "/p");
	assert_int_equal(o.guest_timeout, 5);
	assert_int_equal(o.guest_parallel, 2);
	vmsc_options_release(&o);
	assert_int_equal(PARSE(&o, &err, "-s", "vc01", "-u", "ops", "--no-config", "--guest",
			       "--guest-password=s3cret"), -1);
	assert_non_null(strstr(err.message, "no guest password option"));
	assert_null(strstr(err.message, "s3cret"));
	vmsc_options_release(&o);
	assert_int_equal(PARSE(&o, &err, "-s", "vc01", "-u", "ops", "--no-config",
			       "--guest-user", "x"), -1);
	assert_non_null(strstr(err.message, "add '--guest'"));
	vmsc_options_release(&o);
	assert_int_equal(PARSE(&o, &err, "-s", "vc01", "-u", "ops", "--no-config", "--guest",
			       "--guest-parallel", "0"), -1);
	vmsc_options_release(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_cli_url_valid, test_setup),
		cmocka_unit_test_setup(test_cli_url_invalid, test_setup),
		cmocka_unit_test_setup(test_cli_url_userinfo, test_setup),
		cmocka_unit_test_setup(test_cli_defaults, test_setup),
		cmocka_unit_test_setup(test_cli_all_options, test_setup),
		cmocka_unit_test_setup(test_cli_repeated_server, test_setup),
		cmocka_unit_test_setup(test_cli_globs_and_double_dash, test_setup),
		cmocka_unit_test_setup(test_cli_doctor_only_first, test_setup),
		cmocka_unit_test_setup(test_cli_bad_values, test_setup),
		cmocka_unit_test_setup(test_cli_guest, test_setup),
		cmocka_unit_test_setup(test_cli_format_kept_on_later_error, test_setup),
		cmocka_unit_test_setup(test_cli_unknown_option, test_setup),
		cmocka_unit_test_setup(test_cli_abbreviations, test_setup),
		cmocka_unit_test_setup(test_cli_password_option_rejected, test_setup),
		cmocka_unit_test_setup(test_cli_guest_password_option_rejected, test_setup),
		cmocka_unit_test_setup(test_cli_help_version_list_rules, test_setup),
		cmocka_unit_test_setup(test_cli_required, test_setup),
		cmocka_unit_test_setup(test_cli_env_server_precedence, test_setup),
		cmocka_unit_test_setup(test_cli_env_govc_url, test_setup),
		cmocka_unit_test_setup(test_cli_env_username_precedence, test_setup),
		cmocka_unit_test_setup(test_cli_env_tls_and_color, test_setup),
		cmocka_unit_test_setup(test_cli_config_lowest, test_setup),
		cmocka_unit_test_setup(test_cli_config_default_path, test_setup),
		cmocka_unit_test_setup(test_cli_server_file, test_setup),
		cmocka_unit_test_setup(test_cli_password_file_mode, test_setup),
		cmocka_unit_test_setup(test_cli_password_file_content, test_setup),
		cmocka_unit_test_setup(test_cli_password_sources, test_setup),
		cmocka_unit_test_setup(test_cli_require, test_setup),
		cmocka_unit_test_setup(test_cli_usage, test_setup),
		cmocka_unit_test_setup(test_cli_forget_env, test_setup),
		cmocka_unit_test_setup(test_cli_names, test_setup),
		cmocka_unit_test(test_cli_docs_hold_tables),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
