/* SPDX-License-Identifier: GPL-2.0-or-later */
/* src/core/guest.c: parsers of guest command output, English and German,
 * as Windows prints it (CRLF, OEM code page CP850). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_util.h"

#include "vmsnapcheck/guest.h"

#define GUEST_DATA VMSC_TEST_DATA "/guest/"

/* A sample as the guest's bytes, made UTF-8 as the client does. */
static char *sample(const char *name)
{
	char path[512], *raw, *txt;
	size_t len;

	snprintf(path, sizeof(path), GUEST_DATA "%s", name);
	raw = test_read_file(path, &len);
	txt = vmsc_guest_text_utf8(raw, len);
	free(raw);
	assert_non_null(txt);
	return txt;
}

static void test_guest_text_utf8(void **state)
{
	char *s;

	(void)state;
	/* valid UTF-8 stays, CR LF becomes LF */
	s = vmsc_guest_text_utf8("gr\xc3\xbc\xc3\x9f\r\nx", 9);
	assert_string_equal(s, "gr\xc3\xbc\xc3\x9f\nx");
	free(s);
	/* CP850: 0x81 is u-umlaut, 0xe1 sharp s */
	s = vmsc_guest_text_utf8("Zeit\x81" "berschreitung \xe1", 20);
	assert_string_equal(s, "Zeit\xc3\xbc" "berschreitung \xc3\x9f");
	free(s);
	/* NUL bytes (UTF-16 output read as bytes) are dropped */
	s = vmsc_guest_text_utf8("a\0b\0", 4);
	assert_string_equal(s, "ab");
	free(s);
	/* a truncated sequence is not UTF-8: decoded as CP850 */
	s = vmsc_guest_text_utf8("x\xc3", 2);
	assert_string_equal(s, "x\xe2\x94\x9c");
	free(s);
	s = vmsc_guest_text_utf8(NULL, 0);
	assert_string_equal(s, "");
	free(s);
}

static const struct vmsc_guest_writer *writer(const struct vmsc_guest_facts *g, const char *name)
{
	size_t i;

	for (i = 0; i < g->n_writers; i++)
		if (strcmp(g->writers[i].name, name) == 0)
			return &g->writers[i];
	fail_msg("no writer %s", name);
	return NULL;
}

static void test_guest_writers_en(void **state)
{
	struct vmsc_guest_facts g;
	char *txt = sample("vssadmin-writers-en-mixed.txt");
	const struct vmsc_guest_writer *w;

	(void)state;
	vmsc_guest_facts_init(&g);
	assert_int_equal(vmsc_guest_parse_writers(txt, &g), 0);
	assert_true(g.writers_read);
	assert_int_equal(g.n_writers, 6);
	w = writer(&g, "Task Scheduler Writer");
	assert_int_equal(w->state, 1);
	assert_string_equal(w->state_text, "Stable");
	assert_string_equal(w->last_error, "No error");
	assert_false(w->failed);
	w = writer(&g, "SqlServerWriter");
	assert_int_equal(w->state, 8);
	assert_string_equal(w->last_error, "Retryable error");
	assert_true(w->failed);
	/* stable, but its last error says the last backup failed */
	w = writer(&g, "System Writer");
	assert_int_equal(w->state, 1);
	assert_true(w->failed);
	/* [5]: a backup in progress, not a failure */
	w = writer(&g, "WMI Writer");
	assert_int_equal(w->state, 5);
	assert_false(w->failed);
	vmsc_guest_facts_release(&g);
	free(txt);
}

static void test_guest_writers_de(void **state)
{
	struct vmsc_guest_facts g;
	char *txt = sample("vssadmin-writers-de-mixed.txt");
	const struct vmsc_guest_writer *w;

	(void)state;
	vmsc_guest_facts_init(&g);
	assert_int_equal(vmsc_guest_parse_writers(txt, &g), 0);
	assert_int_equal(g.n_writers, 4);
	w = writer(&g, "Registry Writer");
	assert_int_equal(w->state, 1);
	assert_string_equal(w->last_error, "Kein Fehler");
	assert_false(w->failed);
	w = writer(&g, "Microsoft Exchange Writer");
	assert_int_equal(w->state, 9);
	assert_string_equal(w->state_text, "Fehlgeschlagen");
	/* CP850 decoded */
	assert_string_equal(w->last_error, "Zeit\xc3\xbc" "berschreitung");
	assert_true(w->failed);
	vmsc_guest_facts_release(&g);
	free(txt);
}

/* A language whose "no error" the list lacks: the text most stable writers
 * share is taken as "no error"; a different one is a failure. */
static void test_guest_writers_unknown_language(void **state)
{
	static const char txt[] =
		"Nome del writer: 'A'\n   Id: {1}\n   Inst: {2}\n   Stato: [1] Stabile\n"
		"   Ultimo errore: Niente\n\n"
		"Nome del writer: 'B'\n   Id: {1}\n   Inst: {2}\n   Stato: [1] Stabile\n"
		"   Ultimo errore: Niente\n\n"
		"Nome del writer: 'C'\n   Id: {1}\n   Inst: {2}\n   Stato: [1] Stabile\n"
		"   Ultimo errore: Errore ripetibile\n\n"
		"Nome del writer: 'D'\n   Id: {1}\n   Inst: {2}\n   Stato: [1] Stabile\n";
	struct vmsc_guest_facts g;

	(void)state;
	vmsc_guest_facts_init(&g);
	assert_int_equal(vmsc_guest_parse_writers(txt, &g), 0);
	assert_int_equal(g.n_writers, 4);
	assert_false(writer(&g, "A")->failed);
	assert_false(writer(&g, "B")->failed);
	assert_true(writer(&g, "C")->failed);
	/* no last-error line: the state decides */
	assert_null(writer(&g, "D")->last_error);
	assert_false(writer(&g, "D")->failed);
	vmsc_guest_facts_release(&g);
}

static void test_guest_writers_not_vssadmin(void **state)
{
	struct vmsc_guest_facts g;

	(void)state;
	vmsc_guest_facts_init(&g);
	/* what an unelevated run prints: nothing to decide with */
	assert_int_equal(vmsc_guest_parse_writers(
				 "vssadmin 1.1 - Volume Shadow Copy Service administrative "
				 "command-line tool\n(C) Copyright 2001-2013 Microsoft Corp.\n\n"
				 "Error: You don't have the correct permissions to run this "
				 "command.  Please run this utility from a command\nwindow that has "
				 "elevated administrator privileges.\n", &g), 0);
	assert_false(g.writers_read);
	assert_int_equal(g.n_writers, 0);
	vmsc_guest_facts_release(&g);
}

static void test_guest_whoami(void **state)
{
	struct vmsc_guest_facts g;
	char *txt;

	(void)state;
	vmsc_guest_facts_init(&g);
	txt = sample("whoami-groups-en.txt");
	vmsc_guest_parse_whoami(txt, &g);
	assert_int_equal(g.elevated, VMSC_TRI_TRUE);
	free(txt);
	vmsc_guest_facts_init(&g);
	txt = sample("whoami-groups-medium-de.txt");
	vmsc_guest_parse_whoami(txt, &g);
	assert_int_equal(g.elevated, VMSC_TRI_FALSE);
	free(txt);
	vmsc_guest_facts_init(&g);
	vmsc_guest_parse_whoami("S-1-16-122880 is no High level\n", &g);
	assert_int_equal(g.elevated, VMSC_TRI_FALSE);
	vmsc_guest_facts_init(&g);
	vmsc_guest_parse_whoami("'whoami' is not recognized\n", &g);
	assert_int_equal(g.elevated, VMSC_TRI_UNSET);
}

static void test_guest_events_en(void **state)
{
	struct vmsc_guest_facts g;
	char *txt = sample("wevtutil-application-en.txt");

	(void)state;
	vmsc_guest_facts_init(&g);
	assert_int_equal(vmsc_guest_parse_events(txt, "Application", &g), 0);
	assert_true(g.events_read);
	/* MSSQLSERVER is not a VSS, volsnap or Tools source */
	assert_int_equal(g.n_events, 2);
	assert_string_equal(g.events[0].source, "VSS");
	assert_int_equal(g.events[0].id, 8193);
	assert_string_equal(g.events[0].log, "Application");
	assert_non_null(strstr(g.events[0].first_line, "Volume Shadow Copy Service error"));
	assert_string_equal(g.events[1].source, "VMware Tools");
	assert_int_equal(g.events[1].id, 1000);
	assert_string_equal(g.events[1].first_line,
			    "[vmbackup] Error while waiting for VSS writers to freeze.");
	vmsc_guest_facts_release(&g);
	free(txt);
}

static void test_guest_events_de(void **state)
{
	struct vmsc_guest_facts g;
	char *txt = sample("wevtutil-system-de.txt");

	(void)state;
	vmsc_guest_facts_init(&g);
	assert_int_equal(vmsc_guest_parse_events(txt, "System", &g), 0);
	assert_int_equal(g.n_events, 1);
	assert_string_equal(g.events[0].source, "volsnap");
	assert_int_equal(g.events[0].id, 25);
	assert_non_null(strstr(g.events[0].first_line, "gel\xc3\xb6scht"));
	vmsc_guest_facts_release(&g);
	/* no events: wevtutil prints nothing, which is read */
	vmsc_guest_facts_init(&g);
	assert_int_equal(vmsc_guest_parse_events("\n", "System", &g), 0);
	assert_true(g.events_read);
	assert_int_equal(g.n_events, 0);
	vmsc_guest_facts_init(&g);
	assert_int_equal(vmsc_guest_parse_events("Failed to open channel\n", "System", &g), 0);
	assert_false(g.events_read);
	free(txt);
}

static void test_guest_tools_conf(void **state)
{
	struct vmsc_guest_facts g;

	(void)state;
	vmsc_guest_facts_init(&g);
	vmsc_guest_parse_tools_conf("# comment\n[logging]\nenableVSS = false\n"
				    "[vmbackup]\r\nvss.disableAppQuiescing = true\r\n"
				    "enableSyncDriver=0\n", &g);
	assert_true(g.tools_conf_read);
	assert_int_equal(g.disable_app_quiescing, VMSC_TRI_TRUE);
	/* enableVSS of another group does not count */
	assert_int_equal(g.enable_vss, VMSC_TRI_UNSET);
	assert_int_equal(g.enable_sync_driver, VMSC_TRI_FALSE);
	vmsc_guest_facts_init(&g);
	vmsc_guest_parse_tools_conf(NULL, &g);
	assert_true(g.tools_conf_read);
	assert_int_equal(g.disable_app_quiescing, VMSC_TRI_UNSET);
	vmsc_guest_facts_init(&g);
	vmsc_guest_parse_tools_conf("[vmbackup]\nenableVSS = FALSE\n", &g);
	assert_int_equal(g.enable_vss, VMSC_TRI_FALSE);
}

static void test_guest_registry(void **state)
{
	struct vmsc_guest_facts g;

	(void)state;
	vmsc_guest_facts_init(&g);
	assert_int_equal(g.start[VMSC_GUEST_SVC_VSS], VMSC_GUEST_START_UNKNOWN);
	assert_string_equal(vmsc_guest_service_key(VMSC_GUEST_SVC_EVENTSYSTEM), "EventSystem");
	assert_int_equal(vmsc_guest_add_provider(&g, "{b5946137-7b9f-4925-af80-51abd60b20d5}",
						 "Microsoft Software Shadow Copy provider 1.0"), 0);
	assert_int_equal(vmsc_guest_add_provider(&g, "{564d7761-7d3c-4b4f-9e28-0b5d8dbaa1f2}",
						 "VMware Snapshot Provider"), 0);
	assert_int_equal(vmsc_guest_add_provider(&g, "{12345678-0000-0000-0000-000000000000}",
						 "Acme Hardware Provider"), 0);
	assert_true(vmsc_guest_provider_known(&g.providers[0]));
	assert_true(vmsc_guest_provider_known(&g.providers[1]));
	assert_false(vmsc_guest_provider_known(&g.providers[2]));
	assert_int_equal(vmsc_guest_add_script(&g, "/usr/sbin/pre-freeze-script", 0644), 0);
	assert_int_equal(g.scripts[0].mode, 0644);
	vmsc_guest_facts_release(&g);
	assert_int_equal(g.n_providers, 0);
}

#define T(f) cmocka_unit_test(f)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_guest_text_utf8),
		T(test_guest_writers_en),
		T(test_guest_writers_de),
		T(test_guest_writers_unknown_language),
		T(test_guest_writers_not_vssadmin),
		T(test_guest_whoami),
		T(test_guest_events_en),
		T(test_guest_events_de),
		T(test_guest_tools_conf),
		T(test_guest_registry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
