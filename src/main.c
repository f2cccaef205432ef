/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vmsnapcheck: can every VM get a clean, quiesced snapshot?
 *
 * The driver: options → for each vCenter (login, fetch pages, evaluate,
 * logout) → one result → one report.  Only this file exits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fnmatch.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vmsnapcheck/baseline.h"
#include "vmsnapcheck/cli.h"
#include "vmsnapcheck/config.h"
#include "vmsnapcheck/doctor.h"
#include "vmsnapcheck/facts_json.h"
#include "vmsnapcheck/guest.h"
#include "vmsnapcheck/str.h"
#include "vmsnapcheck/datastores.h"
#include "vmsnapcheck/explain.h"
#include "vmsnapcheck/history.h"
#include "vmsnapcheck/pool.h"
#include "vmsnapcheck/probe.h"
#include "vmsnapcheck/report.h"
#include "vmsnapcheck/result.h"
#include "vmsnapcheck/rules.h"
#include "vmsnapcheck/vsphere.h"

#include "git_version.h"

#ifndef VMSC_VERSION
#define VMSC_VERSION "0.0.0"
#endif

#define EXIT_UNKNOWN 3
#define MAX_PARALLEL 4            /* vCenters checked at once */

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* A process holding a password leaves no core file behind. */
static void no_core_dumps(void)
{
	struct rlimit rl = { 0, 0 };

	setrlimit(RLIMIT_CORE, &rl);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

static void say_error(const struct vmsc_error *err)
{
	fprintf(stderr, "vmsnapcheck: %s\n", err->message);
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the run --------------------------------------------------------- */

/* What all vCenters of one run share; `lock` guards the facts writer and progress. */
struct run {
	struct vmsc_options *o;
	struct vmsc_result *result;
	struct vmsc_facts_writer *facts_out;
	struct vmsc_atomic_file *facts_file;
	pthread_mutex_t lock;
	long vms_seen;
	size_t *waiver_matches;       /* every job's, added up after */
	double started;
	bool local_error;             /* refused before any server was asked: no report */
	/* --guest: the guest passwords, read before any server is asked */
	char *guest_password;         /* --guest-user's */
	char **guest_login_passwords; /* per config [guest "GLOB"] section */
	bool progress;
	bool progress_shown;
	struct vmsc_error err;
};

/* One vCenter's share of the run: its own client and result, merged after. */
struct job {
	struct run *run;
	const struct vmsc_server *server;
	struct vmsc_result *result;
	size_t vcenter;
	time_t now;
	size_t *glob_hits;
	char *password;
	struct vmsc_history *history;  /* NULL: recent-snapshot-failure not checked */
	/* --facts: each vCenter's datastores, by its index in the result */
	struct vmsc_datastores **offline_ds;
	size_t n_offline_ds;
	struct vmsc_eval ev;           /* its own waiver counters: no lock to evaluate */
	struct vmsc_facts_vcenter fvc;
	struct guest_item *guest_items; /* --guest: VMs whose guests are checked */
	size_t n_guest_items;
	struct vmsc_error err;
	int rc;
};

/* ---- --guest ----------------------------------------------------------- */

/* One VM to check inside (docs/guest.md); filled by a lane, judged after. */
struct guest_item {
	size_t vm;                    /* index into the job's result->vms */
	char *moid;
	char *name;
	bool windows;
	const char *user;             /* borrowed from the options or config */
	const char *password;         /* borrowed from struct run */
	struct vmsc_guest_facts facts;
	char *reason;                 /* not checked: why */
	int rc;                       /* 0 checked, 1 not checked */
};

/* One worker with its own logged-in client: a client is not thread-safe. */
struct guest_lane {
	struct job *job;
	pthread_mutex_t *lock;
	size_t *next;
	struct vmsc_esx_verdicts *esx_verdicts;
};

/* The guest account for a VM: --guest-user, else the first [guest "GLOB"]
 * section whose glob matches.  false: none. */
static bool guest_login_for(const struct run *run, const char *name, const char **user,
			    const char **password)
{
	const struct vmsc_options *o = run->o;

	if (o->guest_user) {
		*user = o->guest_user;
		*password = run->guest_password;
		return true;
	}
	for (size_t i = 0; i < o->config.n_guest_logins; i++) {
		const struct vmsc_guest_login *l = &o->config.guest_logins[i];

		if (fnmatch(l->glob, name, 0) != 0)
			continue;
		*user = l->username;
		*password = run->guest_login_passwords ? run->guest_login_passwords[i] : NULL;
		return *user && *password;
	}
	return false;
}

/* Reads the guest passwords while the environment still has them. */
static int read_guest_passwords(struct run *run)
{
	const struct vmsc_options *o = run->o;
	const struct vmsc_config *cfg = &o->config;

	if (!o->guest)
		return 0;
	if (o->guest_user) {
		run->guest_password = vmsc_guest_password_read(o->guest_password_file, &run->err);
		return run->guest_password ? 0 : -1;
	}
	run->guest_login_passwords = calloc(cfg->n_guest_logins + 1, sizeof(char *));
	if (!run->guest_login_passwords)
		return vmsc_error_nomem(&run->err);
	for (size_t i = 0; i < cfg->n_guest_logins; i++) {
		const struct vmsc_guest_login *l = &cfg->guest_logins[i];
		char msg[sizeof(run->err.message)];

		if (!l->username)
			continue;
		run->guest_login_passwords[i] = vmsc_guest_password_read(l->password_file, &run->err);
		if (!run->guest_login_passwords[i]) {
			memcpy(msg, run->err.message, sizeof(msg));
			return vmsc_error_set(&run->err, run->err.code, "[guest \"%s\"] (user %s): %s",
					      l->glob, l->username, msg);
		}
	}
	return 0;
}

static void forget_guest_passwords(struct run *run)
{
	vmsc_password_free(run->guest_password);
	run->guest_password = NULL;
	for (size_t i = 0; run->guest_login_passwords && i < run->o->config.n_guest_logins; i++)
		vmsc_password_free(run->guest_login_passwords[i]);
	free(run->guest_login_passwords);
	run->guest_login_passwords = NULL;
}

/*
 * During evaluation: a powered-on, evaluated VM is asked for; it becomes an
 * item when Tools say guest operations are ready and there is an account
 * for it, else it gets its reason now.
 */
static int guest_select(struct job *job, const struct vmsc_vm_facts *f, struct vmsc_vm_result *vm)
{
	struct guest_item *items, *it;
	const char *user = NULL, *password = NULL;

	if (vm->status == VMSC_STATUS_SKIPPED || vm->status == VMSC_STATUS_UNKNOWN ||
	    !f->power_state || strcmp(f->power_state, "poweredOn"))
		return 0;
	vm->guest_asked = true;
	if (f->guest_operations_ready != VMSC_TRI_TRUE)
		return vmsc_str_set(&vm->guest_reason,
				    f->guest_operations_ready == VMSC_TRI_FALSE
					    ? "not ready: guest.guestOperationsReady is false (VMware "
					      "Tools not running or not ready for guest operations)"
					    : "not ready: the server does not report "
					      "guest.guestOperationsReady");
	if (!guest_login_for(job->run, vm->name, &user, &password))
		return vmsc_str_set(&vm->guest_reason,
				    "no guest credentials for this VM: add a [guest \"GLOB\"] section "
				    "with username and password_file, or use --guest-user");
	items = realloc(job->guest_items, (job->n_guest_items + 1) * sizeof(*items));
	if (!items)
		return -1;
	job->guest_items = items;
	it = &items[job->n_guest_items];
	memset(it, 0, sizeof(*it));
	it->vm = (size_t)(vm - job->result->vms);
	it->moid = strdup(vm->moid);
	it->name = strdup(vm->name);
	it->windows = vmsc_vm_facts_is_windows(f);
	it->user = user;
	it->password = password;
	vmsc_guest_facts_init(&it->facts);
	if (!it->moid || !it->name) {
		free(it->moid);
		free(it->name);
		return -1;
	}
	job->n_guest_items++;
	return 0;
}

static void guest_lane_run(void *arg)
{
	struct guest_lane *lane = arg;
	struct job *job = lane->job;
	const struct vmsc_options *o = job->run->o;
	struct vmsc_vsphere_options vo;
	struct vmsc_vsphere *c = NULL;
	struct vmsc_error err = { 0 };
	char *lane_error = NULL;

	vmsc_cli_vsphere_options(o, job->server, &vo);
	vo.name = job->result->vcenters[job->vcenter].name;
	vo.password = job->password;
	vo.interrupted = &interrupted;
	vo.quiet = true;
	vo.esx_verdicts = lane->esx_verdicts;
	c = vmsc_vsphere_new(&vo, &err);
	if (!c || vmsc_vsphere_connect(c, &err) < 0)
		lane_error = strdup(err.message);
	for (;;) {
		struct guest_item *it;
		size_t i;

		pthread_mutex_lock(lane->lock);
		i = (*lane->next)++;
		pthread_mutex_unlock(lane->lock);
		if (i >= job->n_guest_items)
			break;
		it = &job->guest_items[i];
		it->rc = 1;
		if (interrupted) {
			it->reason = strdup("interrupted before the guest checks");
			continue;
		}
		if (lane_error) {
			if (asprintf(&it->reason, "guest checks not run: %s", lane_error) < 0)
				it->reason = NULL;
			continue;
		}
		vmsc_error_clear(&err);
		it->rc = vmsc_vsphere_guest_check(c, it->moid, it->windows, it->user, it->password,
						  o->guest_timeout,
						  o->config.thresholds.history_days, &it->facts,
						  &it->reason, &err);
		if (it->rc < 0) {
			/* the server gone or out of memory: this VM's reason, not the run's */
			it->rc = 1;
			free(it->reason);
			if (asprintf(&it->reason, "guest checks failed: %s", err.message) < 0)
				it->reason = NULL;
		}
	}
	free(lane_error);
	if (c)
		vmsc_vsphere_logout(c);
	vmsc_vsphere_free(c);
}

/*
 * After the VM pages: the selected guests, up to --guest-parallel at once,
 * each lane with its own session; then, in this thread alone (waiver
 * counters), their facts judged by the guest rules.
 */
static int guest_run(struct job *job)
{
	const struct vmsc_options *o = job->run->o;
	const char *vc = job->result->vcenters[job->vcenter].name;
	size_t n_lanes = (size_t)(o->guest_parallel > 0 ? o->guest_parallel : 1), next = 0;
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct vmsc_esx_verdicts *verdicts;
	struct guest_lane *lanes;
	int rc = 0;

	if (job->n_guest_items == 0)
		return 0;
	if (n_lanes > job->n_guest_items)
		n_lanes = job->n_guest_items;
	lanes = calloc(n_lanes, sizeof(*lanes));
	verdicts = vmsc_esx_verdicts_new();
	if (!lanes || !verdicts) {
		free(lanes);
		vmsc_esx_verdicts_free(verdicts);
		return vmsc_error_nomem(&job->err);
	}
	for (size_t i = 0; i < n_lanes; i++)
		lanes[i] = (struct guest_lane){ .job = job, .lock = &lock, .next = &next,
						.esx_verdicts = verdicts };
	vmsc_pool_run(lanes, n_lanes, sizeof(*lanes), n_lanes, guest_lane_run, NULL);
	free(lanes);
	vmsc_esx_verdicts_free(verdicts);
	job->ev.now = job->now;
	for (size_t i = 0; i < job->n_guest_items && rc == 0; i++) {
		struct guest_item *it = &job->guest_items[i];
		struct vmsc_vm_result *vm = &job->result->vms[it->vm];

		vm->guest_checked = it->rc == 0;
		if (it->rc != 0 && vmsc_str_set(&vm->guest_reason,
						 it->reason ? it->reason : "guest checks not run") < 0)
			rc = vmsc_error_nomem(&job->err);
		/* InvalidGuestLogin is a finding (guest-login-failed); other
		 * partial reads are not judged */
		if (rc == 0 && (it->rc == 0 || it->facts.login_failed) &&
		    vmsc_rules_evaluate_guest(&job->ev, vc, &it->facts, vm) < 0)
			rc = vmsc_error_nomem(&job->err);
	}
	pthread_mutex_destroy(&lock);
	return rc;
}

static void guest_items_free(struct job *job)
{
	for (size_t i = 0; i < job->n_guest_items; i++) {
		struct guest_item *it = &job->guest_items[i];

		vmsc_guest_facts_release(&it->facts);
		free(it->moid);
		free(it->name);
		free(it->reason);
	}
	free(job->guest_items);
	job->guest_items = NULL;
	job->n_guest_items = 0;
}

static bool glob_wanted(void *ud, const char *name)
{
	struct job *job = ud;
	const struct vmsc_options *o = job->run->o;
	bool want = o->n_globs == 0;

	for (size_t i = 0; i < o->n_excludes; i++)
		if (fnmatch(o->excludes[i], name, 0) == 0)
			return false;
	for (size_t i = 0; i < o->n_globs; i++) {
		if (fnmatch(o->globs[i], name, 0) == 0) {
			job->glob_hits[i]++;
			want = true;
		}
	}
	return want;
}

/* Caller holds run->lock (or runs alone). */
static void show_progress(struct run *run, bool final)
{
	if (!run->progress)
		return;
	if (!final && now_seconds() - run->started < 1.0)
		return;
	if (final) {
		if (run->progress_shown)
			fputs("\r\033[K", stderr);
		return;
	}
	fprintf(stderr, "\r\033[K%ld VMs fetched and evaluated", run->vms_seen);
	run->progress_shown = true;
}

/* Evaluates one VM's facts into the job's result. */
static int evaluate(struct job *job, const struct vmsc_vm_facts *f, time_t now)
{
	struct vmsc_vm_result *vm;

	vm = vmsc_result_add_vm(job->result, job->vcenter, f->name ? f->name : f->moid, f->moid);
	if (!vm)
		return vmsc_error_set(&job->err, VMSC_E_NOMEM, "out of memory");
	/* a VM the user named (not matched by a glob) is always shown, with its reason */
	for (size_t i = 0; i < job->run->o->n_globs && !vm->named; i++)
		vm->named = !strpbrk(job->run->o->globs[i], "*?[") &&
			    !strcmp(job->run->o->globs[i], vm->name);
	job->ev.now = now;
	if (vmsc_rules_evaluate(&job->ev, f, vm) < 0 ||
	    (job->history &&
	     vmsc_rules_report_history(&job->ev, vmsc_history_find(job->history, vm->moid),
				       job->result->vcenters[job->vcenter].name, vm) < 0))
		return vmsc_error_set(&job->err, VMSC_E_NOMEM, "out of memory evaluating '%s'", vm->name);
	if (job->run->o->guest && guest_select(job, f, vm) < 0)
		return vmsc_error_set(&job->err, VMSC_E_NOMEM, "out of memory evaluating '%s'", vm->name);
	return 0;
}

static int on_page(void *ud, struct vmsc_vm_facts *vms, size_t n)
{
	struct job *job = ud;
	struct run *run = job->run;
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++)
		rc = evaluate(job, &vms[i], job->now);
	pthread_mutex_lock(&run->lock);
	for (size_t i = 0; i < n && rc == 0 && run->facts_out; i++) {
		if (vmsc_facts_writer_add_vm(run->facts_out, &vms[i]) < 0)
			rc = vmsc_error_set(&job->err, VMSC_E_IO, "cannot write facts to '%s'",
					    run->o->save_facts);
	}
	run->vms_seen += (long)n;
	show_progress(run, false);
	pthread_mutex_unlock(&run->lock);
	if (rc < 0)
		return -1;
	return interrupted ? 1 : 0;
}

/*
 * design.md: a property newer than the server's API is not asked for (the
 * fetch leaves it out) and the rule that needs it says so once per run.
 * Only with -v: scripts count stderr lines, and facts files keep the same
 * knowledge in each VM's notRequested.
 */
static void note_not_requested(const struct vmsc_options *o, const char *vc, const char *api,
			       const char *const *paths, size_t n)
{
	const struct vmsc_rule *rules;
	size_t nr;

	if (o->quiet > 0 || !o->verbose)
		return;
	rules = vmsc_rules(&nr);
	for (size_t i = 0; i < n; i++) {
		const char *since = vmsc_property_since(paths[i]);

		if (!vmsc_api_older(api, since))
			continue;
		for (size_t r = 0; r < nr; r++) {
			const char *const *p = rules[r].paths;

			if (!vmsc_rule_enabled(&o->config, rules[r].id))
				continue;
			while (p && *p && strcmp(*p, paths[i]))
				p++;
			if (p && *p)
				fprintf(stderr, "vmsnapcheck: note: %s speaks vSphere API %s, older than "
					"%s: %s is not read there, so rule %s goes without it "
					"(see docs/rules.md)\n", vc, api, since, paths[i], rules[r].id);
		}
	}
}

static void print_request_counts(const struct vmsc_vsphere *c, const char *host)
{
	struct vmsc_request_count counts[32];
	size_t n = vmsc_vsphere_get_request_counts(c, counts, 32);
	unsigned total = 0;

	fprintf(stderr, "vmsnapcheck: requests to '%s':", host);
	for (size_t i = 0; i < n; i++) {
		fprintf(stderr, "%s %s %u", i ? "," : "", counts[i].op, counts[i].count);
		total += counts[i].count;
	}
	fprintf(stderr, " (%u in all, %llu KiB received)\n", total,
		vmsc_vsphere_get_bytes_received(c) / 1024);
}

static int on_task(void *ud, const struct vmsc_task_record *t)
{
	struct job *job = ud;

	return vmsc_history_add(job->history, t->vm, t->description_id, t->state, t->time, t->user,
				t->fault, t->message);
}

/* Task history first, so each page's VMs can be judged as they arrive.  A
 * server without a TaskHistoryCollector only loses this one rule. */
static void read_history(struct job *job, struct vmsc_vsphere *c, const struct vmsc_fetch_spec *spec)
{
	const struct vmsc_options *o = job->run->o;
	struct vmsc_error err = { 0 };
	time_t since = job->now - (time_t)o->config.thresholds.history_days * 86400;

	job->history = vmsc_history_new();
	if (!job->history)
		return;
	if (vmsc_vsphere_read_task_history(c, spec, since, on_task, job, &err) < 0) {
		if (!o->quiet)
			fprintf(stderr, "vmsnapcheck: task history not available at '%s' (%s); "
				"recent-snapshot-failure not checked\n",
				job->result->vcenters[job->vcenter].name, err.message);
		vmsc_history_free(job->history);
		job->history = NULL;
	}
}

/* Datastores before the VMs too (datastore-low-space), kept in fvc for
 * --save-facts.  Unreadable ones only cost this one rule. */
static void read_datastores(struct job *job, struct vmsc_vsphere *c,
			    const struct vmsc_fetch_spec *spec)
{
	const struct vmsc_options *o = job->run->o;
	struct vmsc_error err = { 0 };

	if (!(job->fvc.datastores = vmsc_datastores_new()))
		return;
	if (vmsc_vsphere_fetch_datastores(c, spec, job->fvc.datastores, &err) < 0) {
		if (!o->quiet)
			fprintf(stderr, "vmsnapcheck: datastores not readable at '%s' (%s); "
				"datastore-low-space not checked\n",
				job->result->vcenters[job->vcenter].name, err.message);
		vmsc_datastores_free(job->fvc.datastores);
		job->fvc.datastores = NULL;
	}
	job->ev.datastores = job->fvc.datastores;
}

/* Custom attribute names, once per vCenter, when VM pages ask for
 * customValue (backup-age with `attribute`, or --save-facts).  Without them
 * the VMs' custom values are not kept: backup-age then finds none. */
static void read_custom_fields(struct job *job, struct vmsc_vsphere *c, const char **paths)
{
	const struct vmsc_options *o = job->run->o;
	const char *vc = job->result->vcenters[job->vcenter].name;
	const char *attr = o->config.backup.attribute;
	struct vmsc_error err = { 0 };
	size_t i;

	for (i = 0; paths[i] && strcmp(paths[i], "customValue"); i++)
		;
	if (!paths[i])
		return;
	if (vmsc_vsphere_read_custom_fields(c, &err) < 0) {
		if (!o->quiet)
			fprintf(stderr, "vmsnapcheck: custom attributes not readable at '%s' (%s); "
				"backup-age finds no backup recorded there\n", vc, err.message);
		return;
	}
	if (attr && vmsc_rule_enabled(&o->config, "backup-age") &&
	    !vmsc_vsphere_has_custom_field(c, attr) && !o->quiet)
		fprintf(stderr, "vmsnapcheck: custom attribute '%s' does not exist at '%s' (names "
			"are case-sensitive); backup-age reports every VM there as 'no backup "
			"recorded': check [backup] attribute\n", attr, vc);
}

static void check_server(void *arg)
{
	struct job *job = arg;
	struct run *run = job->run;
	const struct vmsc_server *server = job->server;
	struct vmsc_options *o = run->o;
	struct vmsc_vsphere_options vo = { 0 };
	struct vmsc_vsphere *c = NULL;
	struct vmsc_fetch_spec spec = { 0 };
	const char **paths = NULL;
	struct vmsc_error err = { 0 };
	double t0 = now_seconds();
	struct vmsc_vcenter_result *vc = &job->result->vcenters[job->vcenter];
	int rc = -1;

	vmsc_cli_vsphere_options(o, server, &vo);
	vo.name = vc->name;
	vo.password = job->password;
	vo.interrupted = &interrupted;
	vo.quiet = o->quiet > 0;
	vo.verbose = o->verbose > 0 && !o->quiet;
	c = vmsc_vsphere_new(&vo, &err);
	if (!c || vmsc_vsphere_connect(c, &err) < 0)
		goto out;
	{
		const struct vmsc_vsphere_about *a = vmsc_vsphere_get_about(c);

		vmsc_vcenter_result_set_about(vc, a->version, a->api_version, a->full_name);
		/* the facts writer needs these after the client is gone */
		job->fvc.version = a->version ? strdup(a->version) : NULL;
		job->fvc.api_version = a->api_version ? strdup(a->api_version) : NULL;
		job->fvc.product = a->full_name ? strdup(a->full_name) : NULL;
	}
	/* ages are judged by the server's clock, not ours */
	if (vmsc_vsphere_lookup_time(c, &job->now, &err) < 0)
		goto out;
	job->fvc.captured_at = job->now;

	paths = vmsc_rules_property_paths(&o->config, o->save_facts != NULL, &spec.n_paths);
	if (!paths) {
		vmsc_error_set(&err, VMSC_E_NOMEM, "out of memory");
		goto out;
	}
	if (o->guest) {
		/* asked only with --guest (or --save-facts, which asks for every fact) */
		size_t k;
		const char **grown;

		for (k = 0; k < spec.n_paths && strcmp(paths[k], "guest.guestOperationsReady"); k++)
			;
		if (k == spec.n_paths) {
			grown = realloc(paths, (spec.n_paths + 2) * sizeof(*paths));
			if (!grown) {
				vmsc_error_set(&err, VMSC_E_NOMEM, "out of memory");
				goto out;
			}
			paths = grown;
			paths[spec.n_paths++] = "guest.guestOperationsReady";
			paths[spec.n_paths] = NULL;
		}
	}
	spec.paths = paths;
	note_not_requested(o, vc->name, vmsc_vsphere_get_about(c)->api_version, paths, spec.n_paths);
	spec.datacenter = o->datacenter;
	spec.cluster = o->cluster;
	spec.folder = o->folder;
	spec.page_size = o->page_size;
	spec.now = job->now;
	if (o->n_globs || o->n_excludes) {
		spec.want = glob_wanted;
		spec.want_ud = job;
	}
	if (vmsc_rule_enabled(&o->config, "recent-snapshot-failure"))
		read_history(job, c, &spec);
	if (vmsc_rule_enabled(&o->config, "datastore-low-space") || o->save_facts)
		read_datastores(job, c, &spec);
	read_custom_fields(job, c, paths);
	if (vmsc_vsphere_fetch_vms(c, &spec, on_page, job, &err) < 0) {
		if (job->err.code != VMSC_OK)
			err = job->err;
		goto out;
	}
	if (o->guest && guest_run(job) < 0) {
		err = job->err;
		goto out;
	}
	if (o->probe) {
		struct vmsc_probe_options po = { .limit = o->probe_limit, .timeout = o->probe_timeout,
						 .yes = o->yes, .force = o->force, .quiet = o->quiet > 0 };

		job->ev.now = job->now;
		if (vmsc_probe_run(c, job->result, job->vcenter, &job->ev, &po, &interrupted, &err) < 0)
			goto out;
	}
	rc = 0;
out:
	/* Reads are done: no re-login can need the password any more (Logout
	 * does not).  Wiped in place; the client's borrowed pointer now sees
	 * "", and run_check() frees the buffer. */
	explicit_bzero(job->password, strlen(job->password));
	if (c) {
		vmsc_vsphere_logout(c);
		if (o->verbose && !o->quiet)
			print_request_counts(c, vc->name);
	}
	if (rc < 0) {
		if (interrupted && err.code != VMSC_E_INTERRUPTED)
			vmsc_error_set(&err, VMSC_E_INTERRUPTED, "interrupted");
		/* a web server that is not the SDK endpoint: most often a wrong path */
		if (err.code == VMSC_E_HTTP && strstr(err.message, " 404 ")) {
			char msg[sizeof(err.message)];

			memcpy(msg, err.message, sizeof(msg));
			vmsc_error_set(&err, VMSC_E_HTTP, "%s: check the URL path: vSphere answers at "
				       "'/sdk' (https://%s/sdk)", msg, vc->name);
		}
		vmsc_vcenter_result_set_error(vc, err.message);
		job->err = err;
		say_error(&err);
	}
	vc->duration = now_seconds() - t0;
	free(paths);
	vmsc_vsphere_free(c);
	vmsc_history_free(job->history);
	job->history = NULL;
	guest_items_free(job);
	job->rc = rc;
}

/* ---- offline: --facts FILE ------------------------------------------- */

static int offline_vcenter(void *ud, const struct vmsc_facts_vcenter *vc)
{
	struct job *job = ud;
	size_t idx = vmsc_result_add_vcenter(job->result, vc->url ? vc->url : vc->name, vc->name);

	if (idx == (size_t)-1)
		return -1;
	vmsc_vcenter_result_set_about(&job->result->vcenters[idx], vc->version, vc->api_version,
				      vc->product);
	/* taken: judged with this vCenter's VMs */
	if (idx >= job->n_offline_ds) {
		struct vmsc_datastores **ds = realloc(job->offline_ds, (idx + 1) * sizeof(*ds));

		if (!ds) {
			vmsc_datastores_free(vc->datastores);
			return -1;
		}
		memset(ds + job->n_offline_ds, 0, (idx + 1 - job->n_offline_ds) * sizeof(*ds));
		job->offline_ds = ds;
		job->n_offline_ds = idx + 1;
	}
	vmsc_datastores_free(job->offline_ds[idx]);
	job->offline_ds[idx] = vc->datastores;
	return 0;
}

static int offline_vm(void *ud, struct vmsc_vm_facts *f)
{
	struct job *job = ud;
	const struct vmsc_options *o = job->run->o;
	struct vmsc_result *r = job->result;
	size_t idx = (size_t)-1;
	int rc;

	if ((o->n_globs || o->n_excludes) && !glob_wanted(job, f->name ? f->name : "")) {
		vmsc_vm_facts_free(f);
		return 0;
	}
	for (size_t i = 0; i < r->n_vcenters && idx == (size_t)-1; i++)
		if (f->vcenter && r->vcenters[i].name && !strcmp(r->vcenters[i].name, f->vcenter))
			idx = i;
	if (idx == (size_t)-1)
		idx = vmsc_result_add_vcenter(r, f->vcenter ? f->vcenter : "unknown",
					      f->vcenter ? f->vcenter : "unknown");
	if (idx == (size_t)-1) {
		vmsc_vm_facts_free(f);
		return -1;
	}
	job->vcenter = idx;
	job->ev.datastores = idx < job->n_offline_ds ? job->offline_ds[idx] : NULL;
	/* offline, "now" is when the facts were captured */
	rc = evaluate(job, f, f->read_at ? f->read_at : vmsc_report_time());
	vmsc_vm_facts_free(f);
	return rc;
}

/* ---- --list-rules ---------------------------------------------------- */

static int list_rules(const struct vmsc_options *o)
{
	size_t n;
	const struct vmsc_rule *rules = vmsc_rules(&n);

	if (o->format && !strcmp(o->format, "json")) {
		json_t *arr = json_array();

		for (size_t i = 0; i < n; i++) {
			json_t *r = json_object();

			json_object_set_new(r, "id", json_string(rules[i].id));
			json_object_set_new(r, "severity",
					    json_string(vmsc_severity_name(vmsc_config_rule_severity(
						    &o->config, rules[i].id, rules[i].severity))));
			json_object_set_new(r, "enabled",
					    json_boolean(vmsc_rule_enabled(&o->config, rules[i].id)));
			json_object_set_new(r, "title", json_string(rules[i].title));
			json_object_set_new(r, "consistencyCap",
					    rules[i].cap ? json_string(vmsc_level_name(rules[i].cap))
							 : json_null());
			json_object_set_new(r, "needsRunningGuest",
					    json_boolean(rules[i].flags & VMSC_RULE_NEEDS_RUNNING_GUEST));
			json_object_set_new(r, "remedy", json_string(rules[i].remedy));
			json_array_append_new(arr, r);
		}
		json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(arr);
		return 0;
	}
	printf("%-28s %-8s %-11s %s\n", "RULE", "SEVERITY", "CAP", "TITLE");
	for (size_t i = 0; i < n; i++)
		printf("%-28s %-8s %-11s %s%s\n", rules[i].id,
		       vmsc_severity_name(vmsc_config_rule_severity(&o->config, rules[i].id,
								    rules[i].severity)),
		       rules[i].cap ? vmsc_level_name(rules[i].cap) : "-", rules[i].title,
		       vmsc_rule_enabled(&o->config, rules[i].id) ? "" : " (disabled)");
	return 0;
}

/* ---- output ---------------------------------------------------------- */

static bool want_color(const struct vmsc_options *o)
{
	const char *term = getenv("TERM");

	if (o->color == VMSC_COLOR_ALWAYS)
		return true;
	if (o->color == VMSC_COLOR_NEVER || o->output)
		return false;
	return isatty(STDOUT_FILENO) && !(term && !strcmp(term, "dumb"));
}

/* --save-facts goes through the same atomic writer as -o. */
static int open_facts_out(struct run *run)
{
	run->facts_file = vmsc_atomic_file_open(run->o->save_facts, &run->err);
	if (!run->facts_file)
		return -1;
	run->facts_out = vmsc_facts_writer_new(vmsc_atomic_file_stream(run->facts_file));
	return run->facts_out ? 0 : vmsc_error_set(&run->err, VMSC_E_NOMEM, "out of memory");
}

/* keep: finish the document and put it in place; else the old file stays. */
static int close_facts_out(struct run *run, const struct vmsc_facts_vcenter *fvcs, size_t n,
			   bool keep)
{
	int rc = 0;

	if (!run->facts_file)
		return 0;
	if (keep && vmsc_facts_writer_finish(run->facts_out, fvcs, n, &run->err) < 0)
		rc = -1;
	vmsc_facts_writer_free(run->facts_out);
	run->facts_out = NULL;
	if (keep && rc == 0)
		rc = vmsc_atomic_file_commit(run->facts_file, &run->err);
	else
		vmsc_atomic_file_abort(run->facts_file);
	run->facts_file = NULL;
	return rc;
}

/* Whether the waiver's VM glob (and vCenter) fits a VM that was checked:
 * a waiver for VMs outside this run's scope has nothing to say. */
static bool waiver_in_scope(const struct vmsc_waiver *w, const struct vmsc_result *r)
{
	for (size_t i = 0; i < r->n_vms; i++) {
		const struct vmsc_vm_result *vm = &r->vms[i];
		const char *vc = vm->vcenter < r->n_vcenters ? r->vcenters[vm->vcenter].name : "";

		if (fnmatch(w->vm_glob, vm->name, 0) == 0 &&
		    (!w->vcenter || !strcasecmp(w->vcenter, vc)))
			return true;
	}
	return false;
}

/* -v: waivers that did nothing this run, and those about to lapse. */
static void report_waivers(const struct vmsc_options *o, const struct vmsc_result *r,
			   const size_t *matches, time_t now)
{
	const struct vmsc_config *cfg = &o->config;
	/* with a narrowed scope, a waiver for VMs left out is not stale */
	bool scoped = o->n_globs || o->n_excludes || o->datacenter || o->cluster || o->folder;

	for (size_t i = 0; i < cfg->n_waivers; i++) {
		const struct vmsc_waiver *w = &cfg->waivers[i];
		bool in_scope = matches[i] == 0 && waiver_in_scope(w, r);

		if (matches[i] == 0 && (in_scope || !scoped))
			fprintf(stderr, "vmsnapcheck: waiver '%s' (%s:%d) matched %s\n", w->name,
				cfg->path ? cfg->path : "config", w->line,
				in_scope ? "no finding" : "no VM: check its 'vm' glob");
		if (w->expires_end > now && w->expires_end - now <= 14 * 24 * 3600)
			fprintf(stderr, "vmsnapcheck: waiver '%s' (%s:%d) expires after %s\n", w->name,
				cfg->path ? cfg->path : "config", w->line, w->expires);
		else if (w->expires_end <= now && matches[i])
			fprintf(stderr, "vmsnapcheck: waiver '%s' (%s:%d) expired after %s and no longer "
				"waives\n", w->name, cfg->path ? cfg->path : "config", w->line, w->expires);
	}
}

/* The vCenter's name in reports.  Several simulators or ESXi hosts may
 * share a host name: keep the port. */
static void server_name(const struct vmsc_server *srv, char *name, size_t size)
{
	if (srv->url.port == 443)
		snprintf(name, size, "%s", srv->url.host);
	else
		snprintf(name, size, strchr(srv->url.host, ':') ? "[%s]:%d" : "%s:%d",
			 srv->url.host, srv->url.port);
}

/*
 * --baseline: read and checked before any server is asked, like -o.  With
 * servers the names their reports will carry are known already, so a
 * baseline of other vCenters is refused here too; with --facts that waits
 * for the file (vmsc_baseline_apply).
 */
static struct vmsc_baseline *load_baseline(const struct vmsc_options *o, struct vmsc_error *err)
{
	struct vmsc_baseline *b = vmsc_baseline_load(o->baseline, err);
	struct vmsc_result *probe;
	char name[300];

	if (!b || o->facts || !o->n_servers)
		return b;
	for (size_t i = 0; i < o->n_servers; i++) {
		server_name(&o->servers[i], name, sizeof(name));
		if (vmsc_baseline_has_vcenter(b, name))
			return b;
	}
	/* the message lists both sides, as after a run */
	probe = vmsc_result_new();
	for (size_t i = 0; probe && i < o->n_servers; i++) {
		server_name(&o->servers[i], name, sizeof(name));
		vmsc_result_add_vcenter(probe, o->servers[i].url.url, name);
	}
	if (!probe || vmsc_baseline_apply(b, probe, err) == 0)
		vmsc_error_nomem(err);
	vmsc_result_free(probe);
	vmsc_baseline_free(b);
	return NULL;
}

/* A server whose password could be read, while not interrupted. */
static bool job_runnable(const void *arg)
{
	const struct job *job = arg;

	return job->password && !interrupted;
}

/*
 * Checks every server, up to MAX_PARALLEL at once: each has its own client
 * and result, merged in command-line order afterwards.  Passwords are read
 * first, one after another, since a prompt needs the terminal to itself.
 * Returns -1 when any vCenter could not be read.
 */
static int run_servers(struct run *run, struct job *jobs, size_t *glob_hits)
{
	const struct vmsc_options *o = run->o;
	int rc = 0;

	no_core_dumps();
	for (size_t i = 0; i < o->n_servers; i++) {
		struct job *job = &jobs[i];
		const struct vmsc_server *srv = &o->servers[i];
		char name[300];

		job->run = run;
		job->server = srv;
		job->fvc.url = srv->url.url;
		job->result = vmsc_result_new();
		job->glob_hits = calloc(o->n_globs + 1, sizeof(*job->glob_hits));
		job->ev = (struct vmsc_eval){ .config = &o->config,
					      .include_powered_off = o->include_powered_off,
					      .waiver_matches = calloc(o->config.n_waivers + 1,
								       sizeof(size_t)) };
		if (!job->result || !job->glob_hits || !job->ev.waiver_matches)
			return vmsc_error_set(&run->err, VMSC_E_NOMEM, "out of memory");
		server_name(srv, name, sizeof(name));
		job->vcenter = vmsc_result_add_vcenter(job->result, srv->url.url, name);
		if (job->vcenter == (size_t)-1)
			return vmsc_error_set(&run->err, VMSC_E_NOMEM, "out of memory");
		job->fvc.name = job->result->vcenters[job->vcenter].name;
		if (interrupted)
			return vmsc_error_set(&run->err, VMSC_E_INTERRUPTED, "interrupted");
		/* A password that cannot be read (no source, a file others can
		 * read) is a local problem: refused before any server is asked,
		 * not reported as that vCenter's failure. */
		job->password = vmsc_password_read(o, srv, &job->err);
		if (!job->password) {
			run->err = job->err;
			run->local_error = true;
			return -1;
		}
	}
	if (read_guest_passwords(run) < 0) {
		run->local_error = true;
		return -1;
	}
	vmsc_password_forget_env();
	/* probes ask for confirmation per vCenter: one at a time */
	vmsc_pool_run(jobs, o->n_servers, sizeof(*jobs), o->probe ? 1 : MAX_PARALLEL, check_server,
		      job_runnable);
	forget_guest_passwords(run);
	for (size_t i = 0; i < o->n_servers; i++) {
		if (jobs[i].rc < 0 || !jobs[i].password)
			rc = -1;
		for (size_t g = 0; g < o->n_globs; g++)
			glob_hits[g] += jobs[i].glob_hits[g];
		for (size_t w = 0; w < o->config.n_waivers; w++)
			run->waiver_matches[w] += jobs[i].ev.waiver_matches[w];
		if (vmsc_result_merge(run->result, jobs[i].result) < 0)
			return vmsc_error_set(&run->err, VMSC_E_NOMEM, "out of memory");
	}
	return rc;
}

static int run_check(struct vmsc_options *o)
{
	struct run run = { .o = o };
	struct vmsc_report_options ro = { 0 };
	const struct vmsc_report_format *fmt;
	struct vmsc_facts_vcenter *fvcs = NULL;
	struct job *jobs = NULL;
	size_t *glob_hits = NULL;
	struct vmsc_error err = { 0 };
	struct vmsc_baseline *baseline = NULL;
	int exit_code = EXIT_UNKNOWN;
	bool failed = false;

	pthread_mutex_init(&run.lock, NULL);

	fmt = vmsc_report_format_find(o->format ? o->format : "text");
	if (!fmt) {
		fprintf(stderr, "vmsnapcheck: unknown format '%s'\n", o->format);
		return EXIT_UNKNOWN;
	}
	/* a bad -o or --save-facts path fails before anything is asked of a server */
	if ((o->output && vmsc_output_check(o->output, &err) < 0) ||
	    (o->save_facts && vmsc_output_check(o->save_facts, &err) < 0)) {
		say_error(&err);
		return EXIT_UNKNOWN;
	}
	if (o->probe && (o->n_globs == 0 || o->facts)) {
		fprintf(stderr, "vmsnapcheck: --probe takes a real snapshot: name the VMs to probe "
			"(VM-GLOB arguments) and a server\n");
		return EXIT_UNKNOWN;
	}
	/* nobody can answer the confirmation: say so before connecting */
	if (o->probe && !o->yes && !isatty(STDIN_FILENO)) {
		fprintf(stderr, "vmsnapcheck: --probe changes VMs and stdin is not a terminal: "
			"pass --yes to confirm\n");
		return EXIT_UNKNOWN;
	}
	if (o->history_days > 0)
		o->config.thresholds.history_days = o->history_days;
	if (!o->facts && o->n_servers == 0) {
		fprintf(stderr, "vmsnapcheck: no server: use -s HOST, VMSNAPCHECK_SERVER or GOVC_URL "
			"(or --facts FILE)\n");
		return EXIT_UNKNOWN;
	}
	if (o->baseline && !(baseline = load_baseline(o, &err))) {
		say_error(&err);
		pthread_mutex_destroy(&run.lock);
		return EXIT_UNKNOWN;
	}
	run.result = vmsc_result_new();
	run.waiver_matches = calloc(o->config.n_waivers + 1, sizeof(*run.waiver_matches));
	glob_hits = calloc(o->n_globs + 1, sizeof(*glob_hits));
	fvcs = calloc(o->n_servers + 1, sizeof(*fvcs));
	jobs = calloc(o->n_servers + 1, sizeof(*jobs));
	if (!run.result || !run.waiver_matches || !glob_hits || !fvcs || !jobs) {
		fprintf(stderr, "vmsnapcheck: out of memory\n");
		goto out;
	}
	run.result->guest = o->guest;
	run.started = now_seconds();
	run.progress = !o->quiet && isatty(STDERR_FILENO) && !o->debug;
	if (o->save_facts && open_facts_out(&run) < 0) {
		say_error(&run.err);
		goto out;
	}

	if (o->facts) {
		struct job job = { .run = &run, .result = run.result, .glob_hits = glob_hits,
				   .ev = { .config = &o->config,
					   .include_powered_off = o->include_powered_off,
					   .waiver_matches = run.waiver_matches } };
		struct vmsc_facts_visitor v = { offline_vcenter, offline_vm, &job };

		int loaded = vmsc_facts_load(o->facts, &v, &err);

		for (size_t i = 0; i < job.n_offline_ds; i++)
			vmsc_datastores_free(job.offline_ds[i]);
		free(job.offline_ds);
		if (loaded < 0) {
			say_error(&err);
			goto out;
		}
	} else if (run_servers(&run, jobs, glob_hits) < 0) {
		if (run.local_error || run.err.code != VMSC_OK) {
			say_error(&run.err);
			goto out;
		}
		failed = true;
	}
	for (size_t i = 0; i < o->n_servers; i++)
		fvcs[i] = jobs[i].fvc;
	show_progress(&run, true);
	if (interrupted) {
		fprintf(stderr, "vmsnapcheck: interrupted; no report written\n");
		close_facts_out(&run, fvcs, o->n_servers, false);
		goto out;
	}
	if (close_facts_out(&run, fvcs, o->n_servers, true) < 0) {
		say_error(&run.err);
		failed = true;
	}

	/* Every name or glob given must match a VM on some vCenter: a typo
	 * beside a right name would otherwise pass as a clean check.  When a
	 * vCenter could not be read, a miss proves nothing. */
	if (!failed) {
		char list[512] = "";
		size_t len = 0;

		for (size_t i = 0; i < o->n_globs; i++) {
			if (glob_hits[i])
				continue;
			if (vmsc_result_add_unmatched(run.result, o->globs[i]) < 0) {
				fprintf(stderr, "vmsnapcheck: out of memory\n");
				goto out;
			}
			if (len < sizeof(list))
				len += (size_t)snprintf(list + len, sizeof(list) - len, "%s'%s'",
							len ? ", " : "", o->globs[i]);
		}
		if (run.result->n_unmatched)
			fprintf(stderr, "vmsnapcheck: no VM matches %s: check the spelling (globs are "
				"case-sensitive) or the scope\n", list);
	}
	if (failed)
		vmsc_result_mark_incomplete(run.result, "not every vCenter could be read");
	/* a baseline that does not fit leaves a report no format shows as OK */
	if (baseline) {
		run.result->fail_on_new = o->fail_on_new;
		if (vmsc_baseline_apply(baseline, run.result, &err) < 0) {
			say_error(&err);
			vmsc_result_mark_incomplete(run.result, err.message);
		}
	}
	if (o->verbose && !o->quiet)
		report_waivers(o, run.result, run.waiver_matches, vmsc_report_time());
	run.result->duration = now_seconds() - run.started;
	vmsc_result_finish(run.result);

	/* Nothing read at all: the one line per vCenter already on stderr says
	 * it; a text table of zeros would only repeat it.  Machine formats
	 * still get their (unknown) report. */
	if (failed && run.result->n_vms == 0 && !o->output && !strcmp(fmt->name, "text")) {
		exit_code = EXIT_UNKNOWN;
		goto out;
	}
	ro.color = want_color(o);
	ro.verbose = o->verbose > 0;
	ro.tool_version = VMSC_VERSION;
	ro.docs_url = o->docs_url;
	if (o->output) {
		/* a failed run keeps the previous metrics file: staleness is the alert */
		if (failed && !strcmp(fmt->name, "prometheus")) {
			fprintf(stderr, "vmsnapcheck: run incomplete; '%s' left as it was\n", o->output);
		} else if (vmsc_output_write(o->output, fmt, run.result, &ro, &err) < 0) {
			say_error(&err);
			goto out;
		}
	} else if (fmt->write(run.result, &ro, stdout) < 0 || fflush(stdout) != 0) {
		fprintf(stderr, "vmsnapcheck: cannot write the report: %s\n", strerror(errno));
		goto out;
	}
	exit_code = run.result->exit_code;
out:
	if (run.facts_file)
		close_facts_out(&run, fvcs, o->n_servers, false);
	if (jobs)
		for (size_t i = 0; i < o->n_servers; i++) {
			free((char *)jobs[i].fvc.version);
			free((char *)jobs[i].fvc.api_version);
			free((char *)jobs[i].fvc.product);
			vmsc_datastores_free(jobs[i].fvc.datastores);
			free(jobs[i].glob_hits);
			free(jobs[i].ev.waiver_matches);
			vmsc_result_free(jobs[i].result);
			vmsc_password_free(jobs[i].password);
		}
	free(jobs);
	free(fvcs);
	free(glob_hits);
	free(run.waiver_matches);
	vmsc_result_free(run.result);
	forget_guest_passwords(&run);
	vmsc_baseline_free(baseline);
	pthread_mutex_destroy(&run.lock);
	return exit_code;
}

int main(int argc, char **argv)
{
	struct vmsc_options o;
	struct vmsc_error err = { 0 };
	int rc;

	/* `explain` is a command only in first place, and asks no server */
	if (argc > 1 && strcmp(argv[1], "explain") == 0) {
		if (argc > 3) {
			fprintf(stderr, "vmsnapcheck: 'explain' takes one rule id: run "
				"'vmsnapcheck explain RULE', or 'vmsnapcheck explain' for the list\n");
			return EXIT_UNKNOWN;
		}
		return vmsc_explain(argc == 3 ? argv[2] : NULL, stdout, stderr);
	}
	install_signals();
	if (vmsc_vsphere_global_init() < 0) {
		fprintf(stderr, "vmsnapcheck: cannot initialise libcurl/OpenSSL\n");
		return EXIT_UNKNOWN;
	}
	vmsc_options_init(&o);
	if (vmsc_cli_parse(&o, argc, argv, &err) < 0) {
		say_error(&err);
		if (err.code == VMSC_E_USAGE && !strstr(err.message, "--help"))
			fprintf(stderr, "try 'vmsnapcheck --help'\n");
		vmsc_options_release(&o);
		return EXIT_UNKNOWN;
	}
	switch (o.command) {
	case VMSC_CMD_HELP:
		vmsc_cli_usage(stdout);
		rc = 0;
		break;
	case VMSC_CMD_VERSION:
		/* a build from a checkout names its commit too */
		if (*VMSC_GIT_DESCRIBE && strcmp(VMSC_GIT_DESCRIBE, VMSC_VERSION) != 0)
			printf("vmsnapcheck %s (git %s)\n", VMSC_VERSION, VMSC_GIT_DESCRIBE);
		else
			printf("vmsnapcheck %s\n", VMSC_VERSION);
		rc = 0;
		break;
	case VMSC_CMD_LIST_RULES:
		rc = list_rules(&o);
		break;
	case VMSC_CMD_DOCTOR:
		rc = vmsc_doctor(&o, o.probe, want_color(&o), stdout);
		break;
	default:
		rc = run_check(&o);
		break;
	}
	vmsc_options_release(&o);
	vmsc_vsphere_global_cleanup();
	return rc;
}
