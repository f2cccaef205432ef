/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where does the password live?  Runs the same steps as a check (read the
 * password file, log in after a 503, page through VMs, log in again after
 * an expired session, log out, wipe) and after each step scans this process's own
 * writable memory for the password and its XML-escaped forms.  While the
 * password is held there must be exactly one copy (the buffer we own);
 * afterwards, none: not in freed gSOAP blocks, libcurl's upload buffer,
 * OpenSSL's record buffers or stdio.
 *
 *   password_memory URL CACERT USER PASSWORD-FILE
 *
 * The password itself is the constant below (read-only data, never scanned);
 * the caller writes it to PASSWORD-FILE.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmsnapcheck/cli.h"
#include "vmsnapcheck/vsphere.h"

static const char secret[] = "Zq9&x<pW\"m3-Kv7'nB";
/* as serialisers write it: text content, and with quotes escaped too */
static const char *const needles[] = {
	secret,
	"Zq9&amp;x&lt;pW\"m3-Kv7'nB",
	"Zq9&amp;x&lt;pW&quot;m3-Kv7&apos;nB",
	"Zq9&amp;x&lt;pW&#34;m3-Kv7&#39;nB",
};
#define N_NEEDLES (sizeof needles / sizeof needles[0])
#define CHUNK (1u << 20)

static unsigned char *chunk; /* mmap'd, skipped by the scan */
static int failures;

struct hit {
	unsigned long addr;
	size_t needle;
};

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
			size_t want = hi - at < CHUNK ? hi - at : CHUNK;
			ssize_t got = pread(mem, chunk, want, (off_t)at);

			if (got <= 0)
				break;
			for (size_t k = 0; k < N_NEEDLES; k++) {
				size_t len = strlen(needles[k]);
				unsigned char *p = chunk, *end = chunk + got;

				while ((p = memmem(p, (size_t)(end - p), needles[k], len))) {
					if (n < max)
						hits[n] = (struct hit){ at + (unsigned long)(p - chunk), k };
					n++;
					p++;
				}
			}
			/* a needle across two chunks is found by overlapping them */
			at += (size_t)got == want && at + (size_t)got < hi ? (size_t)got - 64 : (size_t)got;
		}
	}
	fclose(maps);
	close(mem);
	return n;
}

/* Exactly one raw copy at `owned` (NULL: none at all). */
static void expect_copies(const char *step, const char *owned)
{
	struct hit hits[32];
	size_t n = scan(hits, 32), bad = 0;

	for (size_t i = 0; i < n && i < 32; i++) {
		if (owned && hits[i].needle == 0 && hits[i].addr == (unsigned long)owned)
			continue;
		bad++;
		fprintf(stderr, "  copy %zu: form %zu at %#lx\n", i, hits[i].needle, hits[i].addr);
	}
	if (owned && n == bad) {
		printf("FAIL - %s: our own buffer no longer holds the password\n", step);
		failures++;
	} else if (bad || n > 32) {
		printf("FAIL - %s: %zu stray cop%s of the password in memory\n", step,
		       n - (owned ? 1 : 0), n - (owned ? 1 : 0) == 1 ? "y" : "ies");
		failures++;
	} else {
		printf("ok - %s: %s\n", step, owned ? "one copy, ours" : "no copy");
	}
}

static int count_vms(void *ud, struct vmsc_vm_facts *vms, size_t n)
{
	(void)vms;
	*(size_t *)ud += n;
	return 0;
}

int main(int argc, char **argv)
{
	struct vmsc_options o;
	struct vmsc_server server = { 0 };
	struct vmsc_vsphere_options vo = { 0 };
	struct vmsc_error err = { 0 };
	struct vmsc_vsphere *c;
	struct vmsc_fetch_spec spec = { 0 };
	static const char *const paths[] = { "runtime.powerState", "config.extraConfig" };
	size_t vms = 0;
	char *pw;
	bool debug = getenv("PASSWORD_MEMORY_DEBUG") != NULL;

	if (argc != 5) {
		fprintf(stderr, "usage: password_memory URL CACERT USER PASSWORD-FILE\n");
		return 2;
	}
	chunk = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (chunk == MAP_FAILED || vmsc_vsphere_global_init() < 0)
		return 2;
	vmsc_options_init(&o);

	/* from the environment: once read, the environment's copy is wiped */
	setenv("VMSNAPCHECK_PASSWORD", secret, 1);
	pw = vmsc_password_read(&o, &server, &err);
	if (!pw || strcmp(pw, secret) != 0) {
		fprintf(stderr, "password_memory: VMSNAPCHECK_PASSWORD not read\n");
		return 2;
	}
	vmsc_password_forget_env();
	expect_copies("password from the environment, environment wiped", pw);
	if (getenv("VMSNAPCHECK_PASSWORD")) {
		printf("FAIL - VMSNAPCHECK_PASSWORD still set\n");
		failures++;
	}
	vmsc_password_free(pw);
	expect_copies("environment password freed", NULL);

	o.password_file = strdup(argv[4]);
	pw = vmsc_password_read(&o, &server, &err);
	if (!pw || strcmp(pw, secret) != 0) {
		fprintf(stderr, "password_memory: %s\n", pw ? "wrong password in the file" : err.message);
		return 2;
	}
	expect_copies("password read", pw);

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
	expect_copies("after RetrieveServiceContent", pw);
	/* the simulator answers the first Login with 503: sent twice */
	if (vmsc_vsphere_login(c, &err) < 0) {
		fprintf(stderr, "password_memory: %s\n", err.message);
		return 2;
	}
	expect_copies("after Login", pw);

	/* the simulator expires the session once on the way: one re-login */
	spec.paths = paths;
	spec.n_paths = 2;
	spec.page_size = 50;
	if (vmsc_vsphere_fetch_vms(c, &spec, count_vms, &vms, &err) < 0) {
		fprintf(stderr, "password_memory: %s\n", err.message);
		return 2;
	}
	printf("# %zu VMs read\n", vms);
	expect_copies("after paging and a re-login", pw);

	vmsc_vsphere_logout(c);
	vmsc_vsphere_free(c);
	vmsc_password_free(pw);
	vmsc_options_release(&o);
	expect_copies("after logout and wipe", NULL);
	vmsc_vsphere_global_cleanup();
	expect_copies("after global clean-up", NULL);
	munmap(chunk, CHUNK);
	return failures ? 1 : 0;
}
