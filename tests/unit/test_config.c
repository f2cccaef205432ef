/* SPDX-License-Identifier: GPL-2.0-or-later */
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

#include "vmsnapcheck/config.h"
#include "vmsnapcheck/consistency.h"

/* --- helpers ------------------------------------------------------------------- */

static int parse(struct vmsc_config *cfg, const char *text, struct vmsc_error *err)
{
	vmsc_config_init(cfg);
	vmsc_error_clear(err);
	return vmsc_config_load_string(cfg, text, "test.ini", err);
}

/* Parses `text`, expects failure with exactly `message`. */
static void expect_error(const char *text, const char *message)
{
	struct vmsc_config cfg;
	struct vmsc_error err;

	if (parse(&cfg, text, &err) == 0)
		fail_msg("accepted:\n%s", text);
	assert_int_equal(err.code, VMSC_E_CONFIG);
	assert_string_equal(err.message, message);
	vmsc_config_release(&cfg);
}

static void expect_ok(const char *text, struct vmsc_config *cfg)
{
	struct vmsc_error err;

	if (parse(cfg, text, &err) < 0)
		fail_msg("rejected: %s", err.message);
}

static const char *const waiver_ok = "vm = x\nrule = *\nreason = r\nexpires = 2099-01-01\n";

/* --- valid files --------------------------------------------------------------- */

static const char full_config[] =
	"; vmsnapcheck config\n"
	"# comments both ways\n"
	"\n"
	"[connection]                     ; optional\n"
	"server = https://vc01.example.com\n"
	"username = svc-backupcheck@vsphere.local\n"
	"password_file = /etc/vmsnapcheck/password     ; must not be readable by others\n"
	"cacert = /etc/ssl/certs/vc01-ca.pem\n"
	"thumbprint = 9C:4F:AA\n"
	"insecure = false\n"
	"\n"
	"[thresholds]\n"
	"max_snapshots = 5\n"
	"max_snapshot_age_hours = 48\n"
	"min_guest_free_percent = 15\n"
	"history_days = 14\n"
	"\n"
	"[rule \"guest-disk-space\"]        ; per-rule overrides\n"
	"severity = error\n"
	"enabled = true\n"
	"\n"
	"[rule \"tools-outdated\"]\n"
	"enabled = false\n"
	"\n"
	"[waiver \"sql-legacy-rdm\"]\n"
	"vm = sql-legacy-*\n"
	"rule = rdm-physical\n"
	"reason = clustered SQL on physical RDM, backed up in-guest (CHG-1234)\n"
	"expires = 2027-03-31\n"
	"vcenter = vc01.example.com\n";

static void test_config_defaults(void **state)
{
	struct vmsc_config cfg;

	(void)state;
	vmsc_config_init(&cfg);
	assert_int_equal(cfg.thresholds.max_snapshots, 3);
	assert_int_equal(cfg.thresholds.max_snapshot_age_hours, 72);
	assert_int_equal(cfg.thresholds.min_guest_free_percent, 10);
	assert_int_equal(cfg.thresholds.history_days, 7);
	assert_int_equal(cfg.insecure, -1);
	assert_null(cfg.server);
	assert_null(cfg.path);
	assert_int_equal(cfg.n_rules, 0);
	assert_int_equal(cfg.n_waivers, 0);
	vmsc_config_release(&cfg);
	vmsc_config_release(NULL);
}

static void test_config_valid_file(void **state)
{
	struct vmsc_config cfg;
	const struct vmsc_waiver *w;

	(void)state;
	expect_ok(full_config, &cfg);
	assert_string_equal(cfg.path, "test.ini");
	assert_string_equal(cfg.server, "https://vc01.example.com");
	assert_string_equal(cfg.username, "svc-backupcheck@vsphere.local");
	assert_string_equal(cfg.password_file, "/etc/vmsnapcheck/password");
	assert_string_equal(cfg.cacert, "/etc/ssl/certs/vc01-ca.pem");
	assert_string_equal(cfg.thumbprint, "9C:4F:AA");
	assert_int_equal(cfg.insecure, 0);
	assert_int_equal(cfg.thresholds.max_snapshots, 5);
	assert_int_equal(cfg.thresholds.max_snapshot_age_hours, 48);
	assert_int_equal(cfg.thresholds.min_guest_free_percent, 15);
	assert_int_equal(cfg.thresholds.history_days, 14);

	assert_int_equal(cfg.n_rules, 2);
	assert_string_equal(cfg.rules[0].rule, "guest-disk-space");
	assert_int_equal(cfg.rules[0].severity, VMSC_SEV_ERROR);
	assert_true(cfg.rules[0].enabled);
	assert_int_equal(cfg.rules[0].line, 18);
	assert_string_equal(cfg.rules[1].rule, "tools-outdated");
	assert_false(cfg.rules[1].enabled);
	assert_int_equal(cfg.rules[1].severity, 0);

	assert_int_equal(cfg.n_waivers, 1);
	w = &cfg.waivers[0];
	assert_string_equal(w->name, "sql-legacy-rdm");
	assert_string_equal(w->vm_glob, "sql-legacy-*");
	assert_string_equal(w->rule, "rdm-physical");
	assert_string_equal(w->reason,
			    "clustered SQL on physical RDM, backed up in-guest (CHG-1234)");
	assert_string_equal(w->expires, "2027-03-31");
	assert_string_equal(w->vcenter, "vc01.example.com");
	assert_int_equal(w->line, 25);
	assert_int_equal(w->rule_line, 27);
	vmsc_config_release(&cfg);
}

static void test_config_empty(void **state)
{
	struct vmsc_config cfg;

	(void)state;
	expect_ok("", &cfg);
	assert_int_equal(cfg.thresholds.max_snapshots, 3);
	vmsc_config_release(&cfg);
	expect_ok("\n\n; nothing\n[thresholds]\n", &cfg);
	vmsc_config_release(&cfg);
}

static void test_config_syntax_details(void **state)
{
	struct vmsc_config cfg;

	(void)state;
	/* Indentation is harmless and never continues the previous value;
	 * CRLF, a BOM, ':' separators, quotes and inline comments are fine. */
	expect_ok("\xEF\xBB\xBF[waiver \"w\"]\r\n"
		  "  vm = \"sql-*\"\r\n"
		  "\trule: independent-disk\r\n"
		  "  reason = see CHG-1; really ; inline comment\r\n"
		  "  expires = 2099-01-01\r\n"
		  "[thresholds]\n"
		  "    max_snapshots=0\n"
		  "[connection]\n"
		  "insecure = TRUE\n"
		  "server = vc01\n", &cfg);
	assert_string_equal(cfg.waivers[0].vm_glob, "sql-*");
	assert_string_equal(cfg.waivers[0].rule, "independent-disk");
	assert_string_equal(cfg.waivers[0].reason, "see CHG-1; really");
	assert_int_equal(cfg.thresholds.max_snapshots, 0);
	assert_int_equal(cfg.insecure, 1);
	assert_string_equal(cfg.server, "vc01");
	vmsc_config_release(&cfg);
}

static void test_config_long_names(void **state)
{
	struct vmsc_config cfg;
	char text[512];
	const char *name = "a waiver name that is much longer than inih's fifty character limit";

	(void)state;
	/* inih cuts section names at 50 characters; ours are whole. */
	snprintf(text, sizeof(text), "[waiver \"%s\"]\n%s", name, waiver_ok);
	expect_ok(text, &cfg);
	assert_string_equal(cfg.waivers[0].name, name);
	vmsc_config_release(&cfg);
}

static void test_config_line_length(void **state)
{
	struct vmsc_config cfg;
	char text[512], reason[256];

	(void)state;
	/* "reason = " is 9 characters: 190 more make 199, inih's limit. */
	memset(reason, 'r', 190);
	reason[190] = '\0';
	snprintf(text, sizeof(text), "[waiver \"w\"]\nvm = x\nrule = *\nreason = %s\n"
		 "expires = 2099-01-01\n", reason);
	expect_ok(text, &cfg);
	assert_int_equal(strlen(cfg.waivers[0].reason), 190);
	vmsc_config_release(&cfg);

	/* One more would be split silently by an fgets reader. */
	snprintf(text, sizeof(text), "[waiver \"w\"]\nvm = x\nrule = *\nreason = %sr\n"
		 "expires = 2099-01-01\n", reason);
	expect_error(text, "test.ini:4: line too long (200 characters, at most 199)");
}

/* --- errors, with their exact text ----------------------------------------------- */

static void test_config_error_sections(void **state)
{
	(void)state;
	expect_error("[thresholds]\nmax_snapshots = 2\n[foo]\n",
		     "test.ini:3: unknown section '[foo]'");
	expect_error("[rule]\n", "test.ini:1: section '[rule]' needs a rule id, e.g. "
		     "[rule \"guest-disk-space\"]");
	expect_error("[waiver \"\"]\n", "test.ini:1: section '[waiver]' needs a name, e.g. "
		     "[waiver \"sql-legacy-rdm\"]");
	expect_error("[rule guest-disk-space]\n", "test.ini:1: invalid section header "
		     "'[rule guest-disk-space]': expected [rule \"ID\"]");
	expect_error("[waiver \"a\"b\"]\n", "test.ini:1: invalid section header "
		     "'[waiver \"a\"b\"]': expected [waiver \"NAME\"]");
	expect_error("[connection \"vc01\"]\n",
		     "test.ini:1: section '[connection]' takes no name");
	expect_error("\n[thresholds]\n[connection]\n[thresholds]\n",
		     "test.ini:4: section '[thresholds]' repeated (first on line 2)");
	expect_error("[rule \"snapshot-age\"]\n[rule \"snapshot-age\"]\n",
		     "test.ini:2: section '[rule \"snapshot-age\"]' repeated (first on line 1)");
	expect_error("[thresholds\n", "test.ini:1: missing ']' in section header");
	expect_error("[thresholds] max_snapshots = 3\n",
		     "test.ini:1: unexpected text after section header");
	/* An empty unknown section is still an error (inih would not report it). */
	expect_error("[Thresholds]\n", "test.ini:1: unknown section '[Thresholds]'");
}

static void test_config_error_keys(void **state)
{
	(void)state;
	expect_error("max_snapshots = 3\n", "test.ini:1: 'max_snapshots' outside any section");
	expect_error("[thresholds]\nmax_snapshot = 3\n",
		     "test.ini:2: unknown key 'max_snapshot' in '[thresholds]'");
	expect_error("[connection]\npassword = secret\n",
		     "test.ini:2: unknown key 'password' in '[connection]'");
	expect_error("[rule \"tools-outdated\"]\nseverity = error\nthreshold = 1\n",
		     "test.ini:3: unknown key 'threshold' in '[rule \"tools-outdated\"]'");
	expect_error("[thresholds]\nmax_snapshots = 3\n\nmax_snapshots = 4\n",
		     "test.ini:4: 'max_snapshots' repeated (first on line 2)");
	expect_error("[connection]\nserver = a\n  server = b\n",
		     "test.ini:3: 'server' repeated (first on line 2)");
	expect_error("[connection]\nserver =\n", "test.ini:2: empty value for 'server'");
	expect_error("[connection]\nserver = \"\"\n", "test.ini:2: empty value for 'server'");
	expect_error("[connection]\njust some words\n",
		     "test.ini:2: expected 'key = value', '[section]' or a comment");
	expect_error("[connection]\n= value\n", "test.ini:2: missing key name before '='");
}

static void test_config_error_values(void **state)
{
	(void)state;
	expect_error("[thresholds]\nmax_snapshots = three\n",
		     "test.ini:2: invalid value 'three' for 'max_snapshots': expected an integer "
		     "from 0 to 1000");
	expect_error("[thresholds]\nmax_snapshots = 3.5\n",
		     "test.ini:2: invalid value '3.5' for 'max_snapshots': expected an integer "
		     "from 0 to 1000");
	expect_error("[thresholds]\nmax_snapshots = +3\n",
		     "test.ini:2: invalid value '+3' for 'max_snapshots': expected an integer "
		     "from 0 to 1000");
	expect_error("[thresholds]\nmax_snapshots = -1\n",
		     "test.ini:2: value '-1' for 'max_snapshots' is out of range: expected an "
		     "integer from 0 to 1000");
	expect_error("[thresholds]\nmin_guest_free_percent = 101\n",
		     "test.ini:2: value '101' for 'min_guest_free_percent' is out of range: "
		     "expected an integer from 0 to 100");
	expect_error("[thresholds]\nhistory_days = 0\n",
		     "test.ini:2: value '0' for 'history_days' is out of range: expected an "
		     "integer from 1 to 3650");
	expect_error("[thresholds]\nmax_snapshot_age_hours = 99999999999999999999\n",
		     "test.ini:2: value '99999999999999999999' for 'max_snapshot_age_hours' is out "
		     "of range: expected an integer from 0 to 87600");
	expect_error("[connection]\ninsecure = yes\n",
		     "test.ini:2: invalid value 'yes' for 'insecure': expected true or false");
	expect_error("[rule \"snapshot-age\"]\nenabled = 0\n",
		     "test.ini:2: invalid value '0' for 'enabled': expected true or false");
	expect_error("[rule \"snapshot-age\"]\nseverity = critical\n",
		     "test.ini:2: invalid value 'critical' for 'severity': expected error or "
		     "warning");
}

static void test_config_error_waivers(void **state)
{
	(void)state;
	expect_error("[waiver \"w\"]\nvm = x\nrule = *\nexpires = 2099-01-01\n",
		     "test.ini:1: waiver 'w' has no 'reason'");
	expect_error("[waiver \"w\"]\nvm = x\nrule = *\nreason = r\n[thresholds]\n",
		     "test.ini:1: waiver 'w' has no 'expires'");
	expect_error("\n[waiver \"w\"]\nrule = *\nreason = r\nexpires = 2099-01-01\n",
		     "test.ini:2: waiver 'w' has no 'vm'");
	expect_error("[waiver \"w\"]\nvm = x\nreason = r\nexpires = 2099-01-01\n",
		     "test.ini:1: waiver 'w' has no 'rule'");
	expect_error("[waiver \"w\"]\n", "test.ini:1: waiver 'w' has no 'vm'");
	expect_error("[waiver \"w\"]\nvm = x\nrule = *\nreason = r\nexpires = 2027-02-29\n",
		     "test.ini:5: invalid date '2027-02-29' for 'expires': expected YYYY-MM-DD");
	expect_error("[waiver \"w\"]\nvm = x\nrule = *\nreason = r\nexpires = 31.03.2027\n",
		     "test.ini:5: invalid date '31.03.2027' for 'expires': expected YYYY-MM-DD");
	expect_error("[waiver \"w\"]\nvm = x\nrule = *\nreason = r\nexpires = 2027-3-31\n",
		     "test.ini:5: invalid date '2027-3-31' for 'expires': expected YYYY-MM-DD");
	expect_error("[waiver \"w\"]\nvm = x\nrule = *\nreason = r\nexpires = 2027-13-01\n",
		     "test.ini:5: invalid date '2027-13-01' for 'expires': expected YYYY-MM-DD");
	expect_error("[waiver \"w\"]\nvm = x\nrule = *\nreason = r\nexpires = 2099-01-01\n"
		     "[waiver \"w\"]\n",
		     "test.ini:6: section '[waiver \"w\"]' repeated (first on line 1)");
}

static void test_config_leap_day(void **state)
{
	struct vmsc_config cfg;

	(void)state;
	expect_ok("[waiver \"w\"]\nvm = x\nrule = *\nreason = r\nexpires = 2028-02-29\n", &cfg);
	vmsc_config_release(&cfg);
}

static void test_config_first_error_wins(void **state)
{
	(void)state;
	/* Parsing stops at the first error; a later one is not reported. */
	expect_error("[thresholds]\nmax_snapshots = x\nfoo = 1\n[bar]\n",
		     "test.ini:2: invalid value 'x' for 'max_snapshots': expected an integer from "
		     "0 to 1000");
}

/* --- files ----------------------------------------------------------------------- */

static char *write_temp(const char *content, size_t len)
{
	char *path = strdup("/tmp/vmsc-test-config-XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, len), (ssize_t)len);
	close(fd);
	return path;
}

static void test_config_load_file(void **state)
{
	static const char with_nul[] = "[thresholds]\nmax_snapshots = 1\0\n";
	struct vmsc_config cfg;
	struct vmsc_error err = { 0 };
	char *path = write_temp(full_config, strlen(full_config));
	char want[300];

	(void)state;
	vmsc_config_init(&cfg);
	assert_int_equal(vmsc_config_load(&cfg, path, &err), 0);
	assert_string_equal(cfg.path, path);
	assert_int_equal(cfg.thresholds.max_snapshots, 5);
	vmsc_config_release(&cfg);
	unlink(path);
	free(path);

	path = write_temp(with_nul, sizeof(with_nul) - 1);
	vmsc_config_init(&cfg);
	assert_int_equal(vmsc_config_load(&cfg, path, &err), -1);
	snprintf(want, sizeof(want), "%s:2: line contains a NUL byte", path);
	assert_string_equal(err.message, want);
	vmsc_config_release(&cfg);
	unlink(path);
	free(path);

	vmsc_config_init(&cfg);
	assert_int_equal(vmsc_config_load(&cfg, "/nonexistent/vmsnapcheck.ini", &err), -1);
	assert_int_equal(err.code, VMSC_E_CONFIG);
	assert_string_equal(err.message, "cannot open config file '/nonexistent/vmsnapcheck.ini': "
			    "No such file or directory");
	vmsc_config_release(&cfg);
}

static void test_config_default_path(void **state)
{
	char dir[] = "/tmp/vmsc-test-xdg-XXXXXX";
	char sub[256], file[512], want_home[512];
	char *old_xdg = getenv("XDG_CONFIG_HOME") ? strdup(getenv("XDG_CONFIG_HOME")) : NULL;
	char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	struct stat st;
	int have_etc = stat("/etc/vmsnapcheck.ini", &st) == 0;
	char *p;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/vmsnapcheck", dir);
	snprintf(file, sizeof(file), "%s/config.ini", sub);

	setenv("XDG_CONFIG_HOME", dir, 1);
	p = vmsc_config_default_path();
	if (have_etc)
		assert_string_equal(p, "/etc/vmsnapcheck.ini");
	else
		assert_null(p);
	free(p);

	assert_int_equal(mkdir(sub, 0700), 0);
	fp = fopen(file, "w");
	assert_non_null(fp);
	fclose(fp);
	p = vmsc_config_default_path();
	assert_string_equal(p, file);
	free(p);

	/* Unset or relative XDG_CONFIG_HOME: $HOME/.config. */
	unsetenv("XDG_CONFIG_HOME");
	setenv("HOME", dir, 1);
	snprintf(want_home, sizeof(want_home), "%s/.config/vmsnapcheck", dir);
	snprintf(sub, sizeof(sub), "%s/.config", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(mkdir(want_home, 0700), 0);
	strcat(want_home, "/config.ini");
	fp = fopen(want_home, "w");
	assert_non_null(fp);
	fclose(fp);
	setenv("XDG_CONFIG_HOME", "relative/dir", 1);
	p = vmsc_config_default_path();
	assert_string_equal(p, want_home);
	free(p);

	unlink(want_home);
	unlink(file);
	snprintf(sub, sizeof(sub), "%s/.config/vmsnapcheck", dir);
	rmdir(sub);
	snprintf(sub, sizeof(sub), "%s/.config", dir);
	rmdir(sub);
	snprintf(sub, sizeof(sub), "%s/vmsnapcheck", dir);
	rmdir(sub);
	rmdir(dir);
	if (old_xdg)
		setenv("XDG_CONFIG_HOME", old_xdg, 1);
	else
		unsetenv("XDG_CONFIG_HOME");
	if (old_home)
		setenv("HOME", old_home, 1);
	free(old_xdg);
	free(old_home);
}

/* --- precedence helpers -------------------------------------------------------- */

static void test_config_rule_settings(void **state)
{
	struct vmsc_config cfg;

	(void)state;
	expect_ok(full_config, &cfg);
	assert_true(vmsc_config_rule_enabled(&cfg, "guest-disk-space", false));
	assert_false(vmsc_config_rule_enabled(&cfg, "tools-outdated", true));
	assert_true(vmsc_config_rule_enabled(&cfg, "snapshot-age", true));
	assert_false(vmsc_config_rule_enabled(&cfg, "snapshot-age", false));
	assert_true(vmsc_config_rule_enabled(NULL, "snapshot-age", true));
	assert_int_equal(vmsc_config_rule_severity(&cfg, "guest-disk-space", VMSC_SEV_WARNING),
			 VMSC_SEV_ERROR);
	/* No severity set: the default (or the escalation the rule asks for). */
	assert_int_equal(vmsc_config_rule_severity(&cfg, "tools-outdated", VMSC_SEV_WARNING),
			 VMSC_SEV_WARNING);
	assert_int_equal(vmsc_config_rule_severity(&cfg, "snapshot-count", VMSC_SEV_ERROR),
			 VMSC_SEV_ERROR);
	assert_int_equal(vmsc_config_rule_severity(NULL, "snapshot-count", VMSC_SEV_WARNING),
			 VMSC_SEV_WARNING);
	vmsc_config_release(&cfg);
}

static void test_config_require(void **state)
{
	struct vmsc_config cfg;

	(void)state;
	expect_ok("[require \"sql-*\"]          ; first match wins\n"
		  "consistency = application\nvm = exch-*\nvm = dc-0[12]\n"
		  "[require \"web-*\"]\nconsistency = crash\n", &cfg);
	assert_int_equal(cfg.n_requires, 2);
	assert_int_equal(cfg.requires[0].n_globs, 3);
	assert_string_equal(cfg.requires[0].globs[0], "sql-*");
	assert_string_equal(cfg.requires[0].globs[2], "dc-0[12]");
	assert_int_equal(cfg.requires[0].level, VMSC_LEVEL_APPLICATION);
	assert_int_equal(cfg.requires[0].line, 1);
	assert_int_equal(cfg.requires[1].level, VMSC_LEVEL_CRASH);
	assert_int_equal(cfg.require_all, 0);
	vmsc_config_release(&cfg);

	expect_error("[require \"sql-*\"]\nconsistency = app\n",
		     "test.ini:2: invalid value 'app' for 'consistency': expected application, "
		     "filesystem, crash or none");
	expect_error("[require \"sql-*\"]\nvm = x\n[thresholds]\n",
		     "test.ini:1: section '[require \"sql-*\"]' has no 'consistency' "
		     "(application, filesystem, crash or none)");
	expect_error("[require \"sql-*\"]\nconsistency = crash\nconsistency = none\n",
		     "test.ini:3: 'consistency' repeated (first on line 2)");
	expect_error("[require]\nconsistency = crash\n",
		     "test.ini:1: section '[require]' needs a VM-name glob, e.g. [require \"sql-*\"]");
	expect_error("[require sql]\n",
		     "test.ini:1: invalid section header '[require sql]': expected "
		     "[require \"GLOB\"]");
}

static void test_config_turn2_keys(void **state)
{
	struct vmsc_config cfg;

	(void)state;
	expect_ok("", &cfg);
	assert_int_equal(cfg.thresholds.snapshot_ignore_max_age_hours, 24);
	assert_int_equal(cfg.thresholds.datastore_min_free_percent, 10);
	assert_int_equal(cfg.thresholds.snapshot_reserve_percent, 20);
	assert_int_equal(cfg.backup.max_age_hours, 26);
	assert_int_equal(cfg.backup.line, 0);
	vmsc_config_release(&cfg);

	expect_ok("[thresholds]\nsnapshot_ignore = VEEAM BACKUP TEMPORARY SNAPSHOT, TSM-VM*\n"
		  "snapshot_ignore_max_age_hours = 12\ndatastore_min_free_percent = 5\n"
		  "snapshot_reserve_percent = 30\n"
		  "[backup]\nnotes_regex = Last backup: ([0-9-]+)\ntime_format = %Y-%m-%d\n"
		  "max_age_hours = 50\n"
		  "[guest \"win-*\"]\nusername = CORP\\backupcheck\n"
		  "password_file = /etc/vmsnapcheck/guest.pw\n", &cfg);
	assert_int_equal(cfg.thresholds.n_snapshot_ignore, 2);
	assert_string_equal(cfg.thresholds.snapshot_ignore[0], "VEEAM BACKUP TEMPORARY SNAPSHOT");
	assert_string_equal(cfg.thresholds.snapshot_ignore[1], "TSM-VM*");
	assert_int_equal(cfg.thresholds.snapshot_ignore_max_age_hours, 12);
	assert_int_equal(cfg.thresholds.datastore_min_free_percent, 5);
	assert_int_equal(cfg.thresholds.snapshot_reserve_percent, 30);
	assert_string_equal(cfg.backup.notes_regex, "Last backup: ([0-9-]+)");
	assert_string_equal(cfg.backup.time_format, "%Y-%m-%d");
	assert_int_equal(cfg.backup.max_age_hours, 50);
	assert_int_equal(cfg.backup.line, 6);
	assert_int_equal(cfg.n_guest_logins, 1);
	assert_string_equal(cfg.guest_logins[0].glob, "win-*");
	assert_string_equal(cfg.guest_logins[0].username, "CORP\\backupcheck");
	assert_string_equal(cfg.guest_logins[0].password_file, "/etc/vmsnapcheck/guest.pw");
	vmsc_config_release(&cfg);

	expect_error("[thresholds]\nsnapshot_ignore = a,,b\n",
		     "test.ini:2: empty item in the list 'a,,b'");
	expect_error("[backup]\nmax_age_hours = 3\n",
		     "test.ini:1: section '[backup]' needs one of 'attribute' (a custom attribute's "
		     "name) or 'notes_regex' (a pattern on the notes), not neither");
	expect_error("[backup]\nattribute = Last Backup\nnotes_regex = (x)\n",
		     "test.ini:1: section '[backup]' needs one of 'attribute' (a custom attribute's "
		     "name) or 'notes_regex' (a pattern on the notes), not both");
	expect_error("[backup]\nnotes_regex = Last backup: .*\n",
		     "test.ini:2: invalid value for 'notes_regex': needs exactly one capture group "
		     "(the time), has 0");
	expect_error("[backup]\nnotes_regex = ([\n",
		     "test.ini:2: invalid value for 'notes_regex': not a POSIX extended regular "
		     "expression");
	expect_error("[guest \"*\"]\npassword_file = /x\n",
		     "test.ini:1: section '[guest \"*\"]' has no 'username'");
	expect_error("[backup]\nattribute = a\n[backup]\n",
		     "test.ini:3: section '[backup]' repeated (first on line 1)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_defaults),
		cmocka_unit_test(test_config_valid_file),
		cmocka_unit_test(test_config_empty),
		cmocka_unit_test(test_config_syntax_details),
		cmocka_unit_test(test_config_long_names),
		cmocka_unit_test(test_config_line_length),
		cmocka_unit_test(test_config_error_sections),
		cmocka_unit_test(test_config_error_keys),
		cmocka_unit_test(test_config_error_values),
		cmocka_unit_test(test_config_error_waivers),
		cmocka_unit_test(test_config_leap_day),
		cmocka_unit_test(test_config_first_error_wins),
		cmocka_unit_test(test_config_load_file),
		cmocka_unit_test(test_config_default_path),
		cmocka_unit_test(test_config_rule_settings),
		cmocka_unit_test(test_config_require),
		cmocka_unit_test(test_config_turn2_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
