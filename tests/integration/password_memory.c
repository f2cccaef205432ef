/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where do the passwords live?  Runs the same steps as a check (read the
 * password file, log in after a 503, page through VMs, log in again after
 * an expired session, log out, wipe) and after each step scans this
 * process's own writable memory for the password, raw or XML-escaped in any
 * mix of entity and character references.  While a password is held there
 * must be exactly one copy (the buffer we own); afterwards, none: not in
 * freed gSOAP blocks, libcurl's upload buffer, OpenSSL's record buffers or
 * stdio.
 *
 * With GUEST-PASSWORD-FILE (a simulator with tests/vcsim/scenarios/
 * guest-memory.json) the guest password of --guest too: read from the
 * environment and from the file, then the guest checks of each of that
 * scenario's VMs, each stopping after a different step (validation, registry
 * reads, file transfer, temporary files and commands, a terminated command,
 * a refused password), each followed by a scan for both passwords.
 *
 *   password_memory URL CACERT USER PASSWORD-FILE [GUEST-PASSWORD-FILE]
 *
 * The passwords themselves are the constants below (read-only data, never
 * scanned); the caller writes them to the files.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmsnapcheck/cli.h"
#include "vmsnapcheck/facts.h"
#include "vmsnapcheck/guest.h"
#include "vmsnapcheck/vsphere.h"

/* Each starts with three plain characters: the scan looks for those, then
 * decodes what follows. */
static const char secret[] = "Zq9&x<pW\"m3-Kv7'nB";
static const char guest_secret[] = "Gq4&y<rT\"k8>Jw2'mC"; /* guest-memory.json's */

enum { VC, GUEST, N_SECRETS };
static const char *const secrets[N_SECRETS] = { secret, guest_secret };
static const char *const secret_names[N_SECRETS] = { "password", "guest password" };

#define CHUNK (1u << 20)
/* longer than any escaped form: 18 characters of at most "&#x00027;" */
#define OVERLAP 256u

static unsigned char *chunk; /* mmap'd, skipped by the scan */
static int failures;

struct hit {
	unsigned long addr;
	int secret;
	bool escaped;
};

/* One character at s: a raw byte or an XML entity / character reference
 * (&amp; &#38; &#x26;).  Returns it, *width its length; -1 = none. */
static int xml_char(const unsigned char *s, size_t len, size_t *width)
{
	static const struct {
		const char *name;
		char c;
	} named[] = { { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' },
		      { "&apos;", '\'' } };
	unsigned v = 0;
	size_t i;
	bool hex;

	if (!len)
		return -1;
	*width = 1;
	if (s[0] != '&')
		return s[0];
	for (i = 0; i < sizeof named / sizeof named[0]; i++) {
		size_t n = strlen(named[i].name);

		if (len >= n && !memcmp(s, named[i].name, n)) {
			*width = n;
			return named[i].c;
		}
	}
	if (len < 4 || s[1] != '#')
		return '&';
	hex = s[2] == 'x' || s[2] == 'X';
	for (i = hex ? 3 : 2; i < len && i < 12 && s[i] != ';'; i++) {
		if (hex ? !isxdigit(s[i]) : !isdigit(s[i]))
			return '&';
		v = v * (hex ? 16 : 10) + (unsigned)(isdigit(s[i]) ? s[i] - '0' : tolower(s[i]) - 'a' + 10);
	}
	if (i >= len || s[i] != ';' || i == (hex ? 3u : 2u))
		return '&';
	*width = i + 1;
	return v < 256 ? (int)v : -1;
}

/* Whether the secret starts at p, raw (0) or escaped (1); -1: not there.
 * An entity that decodes to the expected character wins over a raw '&'. */
static int match_at(const unsigned char *p, const unsigned char *end, const char *want)
{
	bool escaped = false;

	for (; *want; want++) {
		size_t w;
		int c = xml_char(p, (size_t)(end - p), &w);

		if (c == (unsigned char)*want && w > 1) {
			escaped = true;
		} else if (p < end && *p == (unsigned char)*want) {
			w = 1;
		} else {
			return -1;
		}
		p += w;
	}
	return escaped;
}

/*
 * Reads memory through /proc/self/mem, not by dereferencing: freed and
 * poisoned memory must be readable under ASan too.  Regions above 1 GiB are
 * sanitizer shadow or reservations, never heap.
 */
static size_t scan(struct hit *hits, size_t max)
{
	FILE *maps = fopen("/proc/self/maps", "r");
	int mem = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
	char line[512];
	size_t n = 0;

	if (!maps || mem < 0) {
		perror("password_memory: /proc/self");
		exit(2);
	}
	while (fgets(line, sizeof line, maps)) {
		unsigned long lo, hi;
		char perms[8];

		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 || perms[0] != 'r' ||
		    perms[1] != 'w' || strstr(line, "[vvar]") || strstr(line, "[vsyscall]"))
			continue;
		if (hi - lo > (1ul << 30) || lo == (unsigned long)chunk)
			continue;
		for (unsigned long at = lo; at < hi;) {
			size_t want = hi - at < CHUNK ? hi - at : CHUNK, step;
			ssize_t got = pread(mem, chunk, want, (off_t)at);

			if (got <= 0)
				break;
			/* a copy across two chunks is found by overlapping them;
			 * one inside the overlap is counted in the next chunk only */
			step = (size_t)got == want && at + (size_t)got < hi ? (size_t)got - OVERLAP
									    : (size_t)got;
			for (int k = 0; k < N_SECRETS; k++) {
				unsigned char *p = chunk, *end = chunk + got;

				while ((p = memmem(p, (size_t)(end - p), secrets[k], 3))) {
					int form = (size_t)(p - chunk) < step ? match_at(p, end, secrets[k]) : -1;

					if (form >= 0) {
						if (n < max)
							hits[n] = (struct hit){ at + (unsigned long)(p - chunk), k,
										form == 1 };
						n++;
					}
					p++;
				}
			}
			at += step;
		}
	}
	fclose(maps);
	close(mem);
	return n;
}

/* What precedes a stray copy, printable: says which buffer it is in. */
static void show_context(unsigned long addr)
{
	unsigned char before[96];
	int mem = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
	ssize_t got = mem < 0 ? -1 : pread(mem, before, sizeof before, (off_t)(addr - sizeof before));

	if (got == (ssize_t)sizeof before) {
		fprintf(stderr, "    after: \"");
		for (size_t i = 0; i < sizeof before; i++)
			fputc(isprint(before[i]) ? before[i] : '.', stderr);
		fprintf(stderr, "\"\n");
	}
	if (mem >= 0)
		close(mem);
}

/* Exactly one raw copy of each secret at owned[k] (NULL: none at all). */
static void expect_copies(const char *step, const char *owned_pw, const char *owned_guest)
{
	const char *owned[N_SECRETS] = { owned_pw, owned_guest };
	struct hit hits[32];
	size_t n = scan(hits, 32), bad[N_SECRETS] = { 0 }, ours[N_SECRETS] = { 0 };
	bool failed = false;

	for (size_t i = 0; i < n && i < 32; i++) {
		int k = hits[i].secret;

		if (owned[k] && !hits[i].escaped && hits[i].addr == (unsigned long)owned[k]) {
			ours[k]++;
			continue;
		}
		bad[k]++;
		fprintf(stderr, "  %s: %s copy at %#lx\n", secret_names[k],
			hits[i].escaped ? "escaped" : "raw", hits[i].addr);
		show_context(hits[i].addr);
	}
	for (int k = 0; k < N_SECRETS; k++) {
		if (owned[k] && !ours[k]) {
			printf("FAIL - %s: our own buffer no longer holds the %s\n", step,
			       secret_names[k]);
			failed = true;
		}
		if (bad[k]) {
			printf("FAIL - %s: %zu stray cop%s of the %s in memory\n", step, bad[k],
			       bad[k] == 1 ? "y" : "ies", secret_names[k]);
			failed = true;
		}
	}
	if (n > 32) {
		printf("FAIL - %s: %zu copies of the passwords in memory\n", step, n);
		failed = true;
	}
	if (failed)
		failures++;
	else
		printf("ok - %s: %s\n", step,
		       owned_pw && owned_guest ? "one copy of each, ours"
		       : owned_pw             ? "one copy, ours"
		       : owned_guest          ? "no vCenter password; one guest password, ours"
					      : "no copy");
}

struct guest_vm {
	char *moid, *name;
	bool windows;
};

struct vm_list {
	size_t n;
	struct guest_vm *vms; /* with GUEST-PASSWORD-FILE only */
	bool keep;
};

static int count_vms(void *ud, struct vmsc_vm_facts *vms, size_t n)
{
	struct vm_list *l = ud;

	for (size_t i = 0; l->keep && i < n; i++) {
		struct guest_vm *v = realloc(l->vms, (l->n + i + 1) * sizeof(*v));

		if (!v)
			return -1;
		l->vms = v;
		v[l->n + i] = (struct guest_vm){ strdup(vms[i].moid), strdup(vms[i].name),
						 vmsc_vm_facts_is_windows(&vms[i]) };
	}
	l->n += n;
	return 0;
}

/* guest-memory.json's VMs: how far each one's checks get. */
static const struct {
	const char *name;
	const char *reason; /* the start of the reason; NULL = checked */
	const char *steps;
} guest_vms[] = {
	{ "mem-win-badpw-01", "login refused (InvalidGuestLogin)", "password refused by the guest" },
	{ "mem-win-query-only-01", "privilege missing: VirtualMachine.GuestOperations.Modify",
	  "validated, registry read, transfer refused" },
	{ "mem-win-noexec-01", "privilege missing: VirtualMachine.GuestOperations.Execute",
	  "validated, registry read, tools.conf transferred, temporary files made, start "
	  "refused, files deleted" },
	{ "mem-win-ok-01", NULL,
	  "validated, registry read, tools.conf transferred, four commands run with temporary "
	  "files, their output transferred, files deleted" },
	{ "mem-win-hang-01", "timed out after 2 s",
	  "validated, registry read, a hanging command terminated, files deleted" },
	{ "mem-linux-ok-01", NULL, "validated, tools.conf transferred, freeze scripts listed" },
};
#define N_GUEST_VMS (sizeof guest_vms / sizeof guest_vms[0])

static void guest_steps(struct vmsc_vsphere *c, const struct vm_list *l, const char *pw,
			const char *gpw)
{
	for (size_t i = 0; i < N_GUEST_VMS; i++) {
		const struct guest_vm *vm = NULL;
		struct vmsc_guest_facts f;
		struct vmsc_error err = { 0 };
		char *reason = NULL, step[512];
		int rc;

		for (size_t j = 0; j < l->n && !vm; j++)
			if (l->vms[j].name && !strcmp(l->vms[j].name, guest_vms[i].name))
				vm = &l->vms[j];
		if (!vm) {
			printf("FAIL - %s: not in the inventory (the scenario is guest-memory.json)\n",
			       guest_vms[i].name);
			failures++;
			continue;
		}
		vmsc_guest_facts_init(&f);
		rc = vmsc_vsphere_guest_check(c, vm->moid, vm->windows,
					      vm->windows ? "CORP\\backupcheck" : "backupcheck", gpw, 2,
					      7, &f, &reason, &err);
		/* the steps must really have run, else the scan proves nothing */
		if (rc < 0 || (guest_vms[i].reason ? rc != 1 || !reason ||
							 strncmp(reason, guest_vms[i].reason,
								 strlen(guest_vms[i].reason))
						   : rc != 0)) {
			printf("FAIL - %s: rc %d, reason '%s', error '%s'; expected %s\n",
			       guest_vms[i].name, rc, reason ? reason : "", err.message,
			       guest_vms[i].reason ? guest_vms[i].reason : "checked");
			failures++;
		}
		vmsc_guest_facts_release(&f);
		free(reason);
		snprintf(step, sizeof step, "guest %s: %s", guest_vms[i].name, guest_vms[i].steps);
		expect_copies(step, pw, gpw);
	}
}

int main(int argc, char **argv)
{
	struct vmsc_options o;
	struct vmsc_server server = { 0 };
	struct vmsc_vsphere_options vo = { 0 };
	struct vmsc_error err = { 0 };
	struct vmsc_vsphere *c;
	struct vmsc_fetch_spec spec = { 0 };
	static const char *const paths[] = { "runtime.powerState", "config.extraConfig",
					     "config.guestId", "guest.guestFamily" };
	struct vm_list vms = { 0 };
	char *pw, *gpw = NULL;
	bool debug = getenv("PASSWORD_MEMORY_DEBUG") != NULL;
	const char *guest_file = argc == 6 ? argv[5] : NULL;

	if (argc != 5 && argc != 6) {
		fprintf(stderr,
			"usage: password_memory URL CACERT USER PASSWORD-FILE [GUEST-PASSWORD-FILE]\n");
		return 2;
	}
	chunk = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (chunk == MAP_FAILED || vmsc_vsphere_global_init() < 0)
		return 2;
	vmsc_options_init(&o);

	/* from the environment: once read, the environment's copy is wiped */
	setenv("VMSNAPCHECK_PASSWORD", secret, 1);
	if (guest_file)
		setenv("VMSNAPCHECK_GUEST_PASSWORD", guest_secret, 1);
	pw = vmsc_password_read(&o, &server, &err);
	if (!pw || strcmp(pw, secret) != 0) {
		fprintf(stderr, "password_memory: VMSNAPCHECK_PASSWORD not read\n");
		return 2;
	}
	if (guest_file) {
		gpw = vmsc_guest_password_read(NULL, &err);
		if (!gpw || strcmp(gpw, guest_secret) != 0) {
			fprintf(stderr, "password_memory: VMSNAPCHECK_GUEST_PASSWORD not read\n");
			return 2;
		}
	}
	vmsc_password_forget_env();
	expect_copies(guest_file ? "passwords from the environment, environment wiped"
				 : "password from the environment, environment wiped",
		      pw, gpw);
	if (getenv("VMSNAPCHECK_PASSWORD") || getenv("VMSNAPCHECK_GUEST_PASSWORD")) {
		printf("FAIL - VMSNAPCHECK_PASSWORD or VMSNAPCHECK_GUEST_PASSWORD still set\n");
		failures++;
	}
	vmsc_password_free(pw);
	vmsc_password_free(gpw);
	gpw = NULL;
	expect_copies("environment passwords freed", NULL, NULL);

	o.password_file = strdup(argv[4]);
	pw = vmsc_password_read(&o, &server, &err);
	if (!pw || strcmp(pw, secret) != 0) {
		fprintf(stderr, "password_memory: %s\n", pw ? "wrong password in the file" : err.message);
		return 2;
	}
	expect_copies("password read", pw, NULL);
	if (guest_file) {
		gpw = vmsc_guest_password_read(guest_file, &err);
		if (!gpw || strcmp(gpw, guest_secret) != 0) {
			fprintf(stderr, "password_memory: %s\n",
				gpw ? "wrong guest password in the file" : err.message);
			return 2;
		}
		expect_copies("guest password read", pw, gpw);
	}

	vo.url = argv[1];
	vo.host = "simulator";
	vo.cacert = argv[2];
	vo.username = argv[3];
	vo.password = pw;
	vo.debug = debug;
	c = vmsc_vsphere_new(&vo, &err);
	if (!c || vmsc_vsphere_lookup_service(c, &err) < 0) {
		fprintf(stderr, "password_memory: %s\n", err.message);
		return 2;
	}
	expect_copies("after RetrieveServiceContent", pw, gpw);
	/* the simulator answers the first Login with 503: sent twice */
	if (vmsc_vsphere_login(c, &err) < 0) {
		fprintf(stderr, "password_memory: %s\n", err.message);
		return 2;
	}
	expect_copies("after Login", pw, gpw);

	/* the simulator expires the session once on the way: one re-login */
	spec.paths = paths;
	spec.n_paths = sizeof paths / sizeof paths[0];
	spec.page_size = 50;
	vms.keep = guest_file != NULL;
	if (vmsc_vsphere_fetch_vms(c, &spec, count_vms, &vms, &err) < 0) {
		fprintf(stderr, "password_memory: %s\n", err.message);
		return 2;
	}
	printf("# %zu VMs read\n", vms.n);
	expect_copies("after paging and a re-login", pw, gpw);

	if (guest_file)
		guest_steps(c, &vms, pw, gpw);

	vmsc_vsphere_logout(c);
	vmsc_vsphere_free(c);
	vmsc_password_free(pw);
	vmsc_password_free(gpw);
	vmsc_options_release(&o);
	for (size_t i = 0; vms.vms && i < vms.n; i++) {
		free(vms.vms[i].moid);
		free(vms.vms[i].name);
	}
	free(vms.vms);
	expect_copies("after logout and wipe", NULL, NULL);
	vmsc_vsphere_global_cleanup();
	expect_copies("after global clean-up", NULL, NULL);
	munmap(chunk, CHUNK);
	return failures ? 1 : 0;
}
