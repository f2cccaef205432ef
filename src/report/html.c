/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "report/util.h"
#include "vmsnapcheck/report.h"

/*
 * HTML report: one self-contained page (docs/output.md) for people, e.g. as
 * the body of a daily mail.  Nothing is fetched: CSS, SVG bars and a little
 * script are inline, and a Content-Security-Policy forbids every load, so a
 * mail client or an offline browser shows it as it is.  Readable without
 * the script, which only adds filtering and sorting.  Every string that
 * comes from a server or the config is escaped; one <tr data-vm> per VM.
 */

/* The only script the page may run: the policy allows it by its hash
 * (CSP 'sha256-...'), so even a string that slipped through unescaped could
 * not run.  Changing a byte of SCRIPT means recomputing SCRIPT_SHA256:
 *   python3 -c 'import hashlib,base64,sys; print(base64.b64encode(
 *     hashlib.sha256(sys.stdin.buffer.read()).digest()).decode())' < script
 * tests/integration/test_html.sh checks both (and that the script ran). */
static const char SCRIPT[] =
	"(function () {\n"
	"  var t = document.getElementById('vms'), bar = document.getElementById('controls');\n"
	"  if (!t || !bar || !t.tBodies.length) return;\n"
	"  var body = t.tBodies[0], rows = Array.prototype.slice.call(body.rows);\n"
	"  var q = document.createElement('input'), s = document.createElement('select');\n"
	"  var n = document.createElement('span');\n"
	"  q.type = 'search'; q.placeholder = 'filter: VM, vCenter, rule, text';\n"
	"  q.setAttribute('aria-label', 'filter VMs');\n"
	"  s.setAttribute('aria-label', 'status');\n"
	"  ['', 'failing', 'unknown', 'error', 'warning', 'ok', 'skipped'].forEach(function (v) {\n"
	"    var o = document.createElement('option');\n"
	"    o.value = v; o.textContent = v || 'every status'; s.appendChild(o);\n"
	"  });\n"
	"  function apply() {\n"
	"    var text = q.value.toLowerCase(), st = s.value, shown = 0;\n"
	"    rows.forEach(function (r) {\n"
	"      var d = r.getAttribute('data-status');\n"
	"      var keep = (!st || d === st || (st === 'failing' && d !== 'ok' && d !== 'skipped')) &&\n"
	"        (!text || r.textContent.toLowerCase().indexOf(text) >= 0);\n"
	"      r.hidden = !keep;\n"
	"      if (keep) shown++;\n"
	"    });\n"
	"    n.textContent = shown + ' of ' + rows.length + ' VMs shown';\n"
	"  }\n"
	"  q.addEventListener('input', apply);\n"
	"  s.addEventListener('change', apply);\n"
	"  bar.appendChild(q); bar.appendChild(s); bar.appendChild(n);\n"
	"  bar.hidden = false;\n"
	"  apply();\n"
	"  Array.prototype.forEach.call(t.tHead.rows[0].cells, function (th, i) {\n"
	"    var dir = 1;\n"
	"    function sort() {\n"
	"      function key(r) { var c = r.cells[i]; return c.getAttribute('data-sort') || c.textContent; }\n"
	"      rows.sort(function (a, b) {\n"
	"        return dir * key(a).localeCompare(key(b), undefined, { numeric: true });\n"
	"      });\n"
	"      rows.forEach(function (r) { body.appendChild(r); });\n"
	"      th.setAttribute('aria-sort', dir > 0 ? 'ascending' : 'descending');\n"
	"      dir = -dir;\n"
	"    }\n"
	"    th.tabIndex = 0;\n"
	"    th.className += ' sortable';\n"
	"    th.addEventListener('click', sort);\n"
	"    th.addEventListener('keydown', function (e) { if (e.key === 'Enter') sort(); });\n"
	"  });\n"
	"  document.documentElement.setAttribute('data-js', 'on');\n"
	"})();\n";
#define SCRIPT_SHA256 "L5w4/cqL+zG22ihTWKiU1jMjtyO3Cf0tv3k4C0F6XoI="

/* Colours by status and level; light and dark, A4 print. */
static const char STYLE[] =
	":root { color-scheme: light dark; --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0;\n"
	"  --card: #f6f8fa; --link: #0969da; --ok: #1a7f37; --warning: #9a6700; --error: #cf222e;\n"
	"  --unknown: #8250df; --skipped: #6e7781; --application: #1a7f37; --filesystem: #0969da;\n"
	"  --crash: #bc4c00; --none: #cf222e; --unset: #6e7781; }\n"
	"@media (prefers-color-scheme: dark) {\n"
	"  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --card: #151b23;\n"
	"    --link: #4493f8; --ok: #3fb950; --warning: #d29922; --error: #f85149; --unknown: #ab7df8;\n"
	"    --skipped: #9198a1; --application: #3fb950; --filesystem: #4493f8; --crash: #db6d28;\n"
	"    --none: #f85149; --unset: #9198a1; }\n"
	"}\n"
	"* { box-sizing: border-box; }\n"
	"body { margin: 0 auto; padding: 1rem 1.5rem; max-width: 84rem; background: var(--bg); color: var(--fg);\n"
	"  font: 14px/1.45 system-ui, -apple-system, \"Segoe UI\", Roboto, \"Noto Sans\", sans-serif; }\n"
	"h1 { font-size: 1.5rem; margin: 0 0 .25rem; }\n"
	"h2 { font-size: 1.05rem; margin: 0 0 .5rem; }\n"
	"a { color: var(--link); }\n"
	".meta { color: var(--muted); margin: 0 0 1rem; }\n"
	".note { border-left: 4px solid var(--unknown); background: var(--card); padding: .5rem .75rem; margin: 0 0 1rem; }\n"
	".cards { display: flex; flex-wrap: wrap; gap: 1rem; margin-bottom: 1.25rem; }\n"
	".card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem;\n"
	"  flex: 1 1 20rem; min-width: 0; }\n"
	"table { border-collapse: collapse; }\n"
	"th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; }\n"
	".card table.chart { width: 100%; }\n"
	".card th, .card td { padding: .15rem .4rem; }\n"
	"td.n { text-align: right; font-variant-numeric: tabular-nums; }\n"
	"td.bar { width: 100%; }\n"
	"td.bar svg { display: block; width: 100%; max-width: 200px; height: 14px; }\n"
	"rect.ok { fill: var(--ok); } rect.warning { fill: var(--warning); } rect.error { fill: var(--error); }\n"
	"rect.unknown { fill: var(--unknown); } rect.skipped { fill: var(--skipped); }\n"
	"rect.application { fill: var(--application); } rect.filesystem { fill: var(--filesystem); }\n"
	"rect.crash { fill: var(--crash); } rect.none { fill: var(--none); } rect.unset { fill: var(--unset); }\n"
	"#vms { width: 100%; border-top: 1px solid var(--line); }\n"
	"#vms thead th { border-bottom: 2px solid var(--line); white-space: nowrap; }\n"
	"#vms tbody tr { border-bottom: 1px solid var(--line); }\n"
	"#vms td.name { font-weight: 600; overflow-wrap: break-word; white-space: pre-line; }\n"
	".st { display: inline-block; min-width: 4.5rem; padding: 0 .4rem; border-radius: 3px; color: #fff;\n"
	"  font-weight: 600; text-align: center; }\n"
	".st.ok { background: var(--ok); } .st.warning { background: var(--warning); }\n"
	".st.error { background: var(--error); } .st.unknown { background: var(--unknown); }\n"
	".st.skipped { background: var(--skipped); }\n"
	"@media (prefers-color-scheme: dark) { .st { color: #0d1117; } }\n"
	".lvl.application { color: var(--application); } .lvl.filesystem { color: var(--filesystem); }\n"
	".lvl.crash { color: var(--crash); } .lvl.none { color: var(--none); } .lvl.unset { color: var(--muted); }\n"
	"ul.findings { margin: 0; padding: 0; list-style: none; }\n"
	"ul.findings li { margin: 0 0 .35rem; }\n"
	"ul.findings li.waived { opacity: .65; }\n"
	".sev { font-weight: 600; text-transform: uppercase; font-size: .75rem; }\n"
	".sev.error { color: var(--error); } .sev.warning { color: var(--warning); }\n"
	".msg, .fix, .waiver, .reason { white-space: pre-line; overflow-wrap: anywhere; }\n"
	".fix, .waiver, .reason, .muted { color: var(--muted); }\n"
	"#controls { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: 0 0 .5rem; }\n"
	"#controls[hidden] { display: none; }\n"
	"#controls input, #controls select { font: inherit; padding: .2rem .4rem; }\n"
	"#controls input { flex: 0 1 22rem; }\n"
	"th.sortable { cursor: pointer; }\n"
	"footer { color: var(--muted); margin-top: 1.5rem; font-size: .85rem; }\n"
	"@page { size: A4; margin: 12mm 10mm; }\n"
	"@media print {\n"
	"  :root { --bg: #fff; --fg: #000; --muted: #444; --card: #fff; --line: #999; --link: #000; }\n"
	"  body { max-width: none; padding: 0; font-size: 9pt; }\n"
	"  #controls { display: none; }\n"
	"  .card { break-inside: avoid; }\n"
	"  #vms thead { display: table-header-group; }\n"
	"  #vms tr { break-inside: avoid; }\n"
	"  .st { color: #fff; -webkit-print-color-adjust: exact; print-color-adjust: exact; }\n"
	"  a { text-decoration: none; }\n"
	"}\n";

#define TOP_RULES 10
#define BAR_WIDTH 200

struct html_ctx {
	const struct vmsc_result *r;
	const char *docs_url;
	FILE *out;
	bool failed;        /* out of memory */
};

static void put(struct html_ctx *c, const char *s)
{
	fputs(s, c->out);
}

/* Text and attribute values alike: & < > " ' become references, and
 * characters no document may hold become '?'. */
static void esc(struct html_ctx *c, const char *s)
{
	char *clean = vmsc_rpt_clean(s, VMSC_CLEAN_XML);
	const char *p;

	if (!clean) {
		c->failed = true;
		return;
	}
	for (p = clean; *p; p++) {
		switch (*p) {
		case '&': put(c, "&amp;"); break;
		case '<': put(c, "&lt;"); break;
		case '>': put(c, "&gt;"); break;
		case '"': put(c, "&quot;"); break;
		case '\'': put(c, "&#39;"); break;
		default: fputc(*p, c->out); break;
		}
	}
	free(clean);
}

/* The anchor GitHub and most markdown renderers give "## id": lowercase,
 * spaces to '-', other punctuation dropped.  Rule ids are already that. */
static void rule_href(struct html_ctx *c, const char *rule)
{
	const char *p;

	esc(c, c->docs_url);
	fputc('#', c->out);
	for (p = rule ? rule : ""; *p; p++) {
		char ch = *p;

		if (ch >= 'A' && ch <= 'Z')
			fputc(ch - 'A' + 'a', c->out);
		else if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
			 ch == '_')
			fputc(ch, c->out);
		else if (ch == ' ')
			fputc('-', c->out);
	}
}

static void rule_link(struct html_ctx *c, const char *rule)
{
	put(c, "<a class=\"rule\" href=\"");
	rule_href(c, rule);
	put(c, "\">");
	esc(c, rule);
	put(c, "</a>");
}

/* Failing VMs first, the worst first (as Nagios lists them); skipped last. */
static int status_rank(enum vmsc_status s)
{
	switch (s) {
	case VMSC_STATUS_UNKNOWN: return 0;
	case VMSC_STATUS_ERROR: return 1;
	case VMSC_STATUS_WARNING: return 2;
	case VMSC_STATUS_OK: return 3;
	case VMSC_STATUS_SKIPPED: return 4;
	}
	return 5;
}

static void status_badge(struct html_ctx *c, enum vmsc_status s)
{
	fprintf(c->out, "<span class=\"st %s\">%s</span>", vmsc_status_name(s),
		vmsc_status_name(s));
}

/* One row of a bar chart: label, count, and an SVG bar scaled to the
 * largest count.  Clients that strip SVG (some webmail) keep the numbers. */
static void chart_row(struct html_ctx *c, const char *key, const char *label, size_t n,
		      size_t max)
{
	size_t w = max ? n * BAR_WIDTH / max : 0;

	if (n && !w)
		w = 1;
	fprintf(c->out,
		"<tr data-key=\"%s\"><th scope=\"row\">%s</th><td class=\"n\" data-count=\"%s\">%zu</td>"
		"<td class=\"bar\"><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d 14\" "
		"width=\"%d\" height=\"14\" preserveAspectRatio=\"xMinYMid meet\" aria-hidden=\"true\">"
		"<rect class=\"%s\" x=\"0\" y=\"1\" width=\"%zu\" height=\"12\" rx=\"2\"/></svg></td></tr>\n",
		key, label, key, n, BAR_WIDTH, BAR_WIDTH, key, w);
}

static size_t max_of(const size_t *v, size_t n)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		if (v[i] > m)
			m = v[i];
	return m;
}

static void status_chart(struct html_ctx *c)
{
	const struct vmsc_summary *s = &c->r->summary;
	const size_t v[] = { s->ok, s->warning, s->error, s->unknown, s->skipped };
	const enum vmsc_status st[] = { VMSC_STATUS_OK, VMSC_STATUS_WARNING, VMSC_STATUS_ERROR,
					VMSC_STATUS_UNKNOWN, VMSC_STATUS_SKIPPED };
	size_t max = max_of(v, 5);

	fprintf(c->out, "<div class=\"card\"><h2>%zu VM%s by status</h2>\n"
		"<table class=\"chart\" id=\"chart-status\">\n", s->vms, s->vms == 1 ? "" : "s");
	for (size_t i = 0; i < 5; i++)
		chart_row(c, vmsc_status_name(st[i]), vmsc_status_name(st[i]), v[i], max);
	put(c, "</table>\n");
	if (s->waived)
		fprintf(c->out, "<p class=\"muted\">%zu finding%s waived</p>\n", s->waived,
			s->waived == 1 ? "" : "s");
	put(c, "</div>\n");
}

/* Expected consistency (the prediction); skipped and unknown VMs have none. */
static void consistency_chart(struct html_ctx *c)
{
	const enum vmsc_level lv[] = { VMSC_LEVEL_APPLICATION, VMSC_LEVEL_FILESYSTEM,
				       VMSC_LEVEL_CRASH, VMSC_LEVEL_NONE, VMSC_LEVEL_UNSET };
	size_t v[5] = { 0 };
	size_t max;

	for (size_t i = 0; i < c->r->n_vms; i++)
		for (size_t k = 0; k < 5; k++)
			if (c->r->vms[i].consistency.expected == lv[k])
				v[k]++;
	max = max_of(v, 5);
	put(c, "<div class=\"card\"><h2>Expected snapshot consistency</h2>\n"
	       "<table class=\"chart\" id=\"chart-consistency\">\n");
	for (size_t k = 0; k < 4; k++)
		chart_row(c, vmsc_level_name(lv[k]), vmsc_level_name(lv[k]), v[k], max);
	chart_row(c, "unset", "not evaluated", v[4], max);
	put(c, "</table></div>\n");
}

struct rule_count {
	const char *rule;
	size_t findings, vms;
};

static int rule_count_cmp(const void *a, const void *b)
{
	const struct rule_count *x = a, *y = b;

	if (x->vms != y->vms)
		return x->vms < y->vms ? 1 : -1;
	if (x->findings != y->findings)
		return x->findings < y->findings ? 1 : -1;
	return strcmp(x->rule, y->rule);
}

/* The rules with the most VMs failing them (unwaived findings). */
static void top_rules(struct html_ctx *c)
{
	const struct vmsc_result *r = c->r;
	struct rule_count *rc = NULL;
	size_t n = 0, cap = 0, i, j, k;

	for (i = 0; i < r->n_vms; i++) {
		const struct vmsc_vm_result *vm = &r->vms[i];

		for (j = 0; j < vm->n_findings; j++) {
			const struct vmsc_finding *f = &vm->findings[j];
			bool seen = false;

			if (f->waived || !f->rule)
				continue;
			for (k = 0; k < j; k++)
				if (!vm->findings[k].waived && vm->findings[k].rule &&
				    !strcmp(vm->findings[k].rule, f->rule))
					seen = true;
			for (k = 0; k < n && strcmp(rc[k].rule, f->rule); k++)
				;
			if (k == n) {
				if (n == cap) {
					struct rule_count *g = realloc(rc, (cap = cap ? 2 * cap : 16) * sizeof *rc);

					if (!g) {
						c->failed = true;
						free(rc);
						return;
					}
					rc = g;
				}
				rc[n++] = (struct rule_count){ f->rule, 0, 0 };
			}
			rc[k].findings++;
			if (!seen)
				rc[k].vms++;
		}
	}
	put(c, "<div class=\"card\"><h2>Rules that fire most</h2>\n");
	if (!n) {
		put(c, "<p class=\"muted\">No unwaived findings.</p></div>\n");
		free(rc);
		return;
	}
	qsort(rc, n, sizeof *rc, rule_count_cmp);
	put(c, "<table id=\"top-rules\">\n<thead><tr><th>rule</th><th>VMs</th><th>findings</th>"
	       "</tr></thead>\n<tbody>\n");
	for (i = 0; i < n && i < TOP_RULES; i++) {
		put(c, "<tr><td>");
		rule_link(c, rc[i].rule);
		fprintf(c->out, "</td><td class=\"n\">%zu</td><td class=\"n\">%zu</td></tr>\n",
			rc[i].vms, rc[i].findings);
	}
	put(c, "</tbody></table>\n");
	if (n > TOP_RULES)
		fprintf(c->out, "<p class=\"muted\">and %zu more</p>\n", n - TOP_RULES);
	put(c, "</div>\n");
	free(rc);
}

static void vcenters(struct html_ctx *c)
{
	const struct vmsc_result *r = c->r;

	put(c, "<div class=\"card\"><h2>vCenters</h2>\n");
	if (!r->n_vcenters) {
		put(c, "<p class=\"muted\">None.</p></div>\n");
		return;
	}
	put(c, "<table id=\"vcenters\">\n<thead><tr><th>status</th><th>vCenter</th>"
	       "<th>version</th><th>VMs</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < r->n_vcenters; i++) {
		const struct vmsc_vcenter_result *vc = &r->vcenters[i];
		size_t vms = 0;

		for (size_t k = 0; k < r->n_vms; k++)
			vms += r->vms[k].vcenter == i;
		fprintf(c->out, "<tr data-vcenter=\"");
		esc(c, vc->name);
		fprintf(c->out, "\" data-status=\"%s\"><td>", vmsc_status_name(vc->status));
		status_badge(c, vc->status);
		put(c, "</td><td>");
		esc(c, vc->name);
		put(c, "</td><td>");
		esc(c, vc->version ? vc->version : "-");
		fprintf(c->out, "</td><td class=\"n\">%zu</td></tr>\n", vms);
		if (vc->error) {
			put(c, "<tr><td></td><td colspan=\"3\" class=\"reason\">");
			esc(c, vc->error);
			put(c, "</td></tr>\n");
		}
	}
	put(c, "</tbody></table></div>\n");
}

static void finding(struct html_ctx *c, const struct vmsc_finding *f)
{
	const char *sev = vmsc_severity_name(f->severity);

	fprintf(c->out, "<li class=\"%s%s\"", sev, f->waived ? " waived" : "");
	if (f->change)
		fprintf(c->out, " data-change=\"%s\"",
			f->change == VMSC_CHANGE_NEW ? "new" : "unchanged");
	fprintf(c->out, "><span class=\"sev %s\">%s</span> ", sev, sev);
	if (f->change == VMSC_CHANGE_NEW)
		put(c, "<span class=\"chg\">new</span> ");
	rule_link(c, f->rule);
	put(c, ": <span class=\"msg\">");
	esc(c, f->message);
	put(c, "</span>");
	if (f->remedy && *f->remedy) {
		put(c, "<div class=\"fix\">Fix: ");
		esc(c, f->remedy);
		put(c, "</div>");
	}
	if (f->waiver && f->waived) {
		put(c, "<div class=\"waiver\">Waived by ");
		esc(c, f->waiver->name);
		put(c, " until ");
		esc(c, f->waiver->expires);
		put(c, ": ");
		esc(c, f->waiver->reason);
		put(c, "</div>");
	} else if (f->waived) {
		put(c, "<div class=\"waiver\">Waived</div>");
	} else if (f->waiver && f->waiver->expired) {
		put(c, "<div class=\"waiver\">Waiver ");
		esc(c, f->waiver->name);
		put(c, " expired ");
		esc(c, f->waiver->expires);
		put(c, "</div>");
	}
	put(c, "</li>\n");
}

static void vm_row(struct html_ctx *c, const struct vmsc_vm_result *vm)
{
	const char *level = vmsc_level_name(vm->consistency.expected);
	const char *status = vmsc_status_name(vm->status);
	size_t active = vmsc_vm_result_active_findings(vm);
	size_t j;

	put(c, "<tr data-vm=\"");
	esc(c, vm->name);
	fprintf(c->out, "\" data-status=\"%s\" data-consistency=\"%s\">", status,
		level ? level : "");
	fprintf(c->out, "<td data-sort=\"%d\">", status_rank(vm->status));
	status_badge(c, vm->status);
	put(c, "</td><td class=\"name\">");
	esc(c, vm->name);
	put(c, "</td><td>");
	esc(c, vmsc_rpt_vcenter_name(c->r, vm));
	put(c, "</td><td>");
	esc(c, vm->power_state ? vm->power_state : "-");
	fprintf(c->out, "</td><td data-sort=\"%d\"><span class=\"lvl %s\">%s</span></td>",
		(int)vm->consistency.expected, level ? level : "unset", level ? level : "-");
	fprintf(c->out, "<td data-sort=\"%zu\">", active);
	if (vm->reason) {
		fprintf(c->out, "<div class=\"reason\">%s: ", status);
		esc(c, vm->reason);
		put(c, "</div>");
	}
	if (vm->guest_asked && !vm->guest_checked) {
		put(c, "<div class=\"reason guest\">guest not checked: ");
		esc(c, vm->guest_reason ? vm->guest_reason : "not checked");
		put(c, "</div>");
	}
	if (vm->n_findings) {
		put(c, "<ul class=\"findings\">\n");
		/* What needs fixing first, then what is waived. */
		for (j = 0; j < vm->n_findings; j++)
			if (!vm->findings[j].waived)
				finding(c, &vm->findings[j]);
		for (j = 0; j < vm->n_findings; j++)
			if (vm->findings[j].waived)
				finding(c, &vm->findings[j]);
		put(c, "</ul>");
	} else if (!vm->reason && !(vm->guest_asked && !vm->guest_checked)) {
		put(c, "<span class=\"muted\">none</span>");
	}
	put(c, "</td></tr>\n");
}

struct vm_order {
	int rank;
	size_t index;
};

static int vm_order_cmp(const void *a, const void *b)
{
	const struct vm_order *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank - y->rank;
	return x->index < y->index ? -1 : x->index > y->index;
}

static void vm_table(struct html_ctx *c)
{
	const struct vmsc_result *r = c->r;
	struct vm_order *order = NULL;
	size_t i;

	put(c, "<h2>VMs</h2>\n<div id=\"controls\" hidden></div>\n");
	if (r->n_vms && !(order = malloc(r->n_vms * sizeof *order))) {
		c->failed = true;
		return;
	}
	for (i = 0; i < r->n_vms; i++)
		order[i] = (struct vm_order){ status_rank(r->vms[i].status), i };
	if (r->n_vms)
		qsort(order, r->n_vms, sizeof *order, vm_order_cmp);
	put(c, "<table id=\"vms\">\n<thead><tr><th>status</th><th>VM</th><th>vCenter</th>"
	       "<th>power</th><th>expected</th><th>findings</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < r->n_vms; i++)
		vm_row(c, &r->vms[order[i].index]);
	put(c, "</tbody></table>\n");
	free(order);
}

/* --baseline only (without one the page keeps its bytes): the badge's style,
 * in a second inline <style> the policy allows like the first. */
static const char COMPARED_STYLE[] =
	".chg { display: inline-block; padding: 0 .35rem; border-radius: 3px; background: var(--link);\n"
	"  color: #fff; font-weight: 600; text-transform: uppercase; font-size: .7rem; }\n"
	"@media (prefers-color-scheme: dark) { .chg { color: #0d1117; } }\n"
	"#resolved td { border-bottom: 1px solid var(--line); }\n";

/* The counts against the baseline, under the run line. */
static void compared_meta(struct html_ctx *c)
{
	const struct vmsc_result *r = c->r;

	fprintf(c->out, "<p class=\"meta\" id=\"baseline\" data-new=\"%zu\" data-resolved=\"%zu\">"
		"Since the baseline", r->summary.new_findings, r->summary.resolved);
	if (r->baseline_generated) {
		put(c, " of ");
		esc(c, r->baseline_generated);
	}
	fprintf(c->out, ": %zu new finding%s, %zu resolved.</p>\n", r->summary.new_findings,
		r->summary.new_findings == 1 ? "" : "s", r->summary.resolved);
}

/* Findings of the baseline that are gone, one <tr data-resolved-vm data-rule> each. */
static void resolved_section(struct html_ctx *c)
{
	const struct vmsc_result *r = c->r;

	put(c, "<h2>Resolved since the baseline</h2>\n");
	if (!r->n_resolved) {
		put(c, "<p class=\"muted\" id=\"resolved-none\">None.</p>\n");
		return;
	}
	put(c, "<table id=\"resolved\">\n<thead><tr><th>VM</th><th>vCenter</th><th>severity</th>"
	       "<th>finding</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < r->n_resolved; i++) {
		const struct vmsc_resolved *x = &r->resolved[i];
		const char *sev = vmsc_severity_name(x->severity);

		/* not data-vm: that is one row per VM of this run */
		put(c, "<tr data-resolved-vm=\"");
		esc(c, x->vm);
		put(c, "\" data-rule=\"");
		esc(c, x->rule);
		put(c, "\"><td class=\"name\">");
		esc(c, x->vm);
		put(c, "</td><td>");
		esc(c, x->vcenter);
		fprintf(c->out, "</td><td><span class=\"sev %s\">%s</span></td><td>", sev, sev);
		rule_link(c, x->rule);
		put(c, ": <span class=\"msg\">");
		esc(c, x->message);
		put(c, "</span></td></tr>\n");
	}
	put(c, "</tbody></table>\n");
}

/* Run incomplete, names that matched nothing: the page must not look whole. */
static void notes(struct html_ctx *c)
{
	const struct vmsc_result *r = c->r;

	if (r->incomplete) {
		put(c, "<p class=\"note\" id=\"incomplete\"><strong>Run incomplete:</strong> ");
		esc(c, r->incomplete_reason ? r->incomplete_reason : "the run did not finish");
		put(c, " (this report is partial)</p>\n");
	}
	if (r->n_unmatched) {
		struct vmsc_rpt_buf msg;

		vmsc_rpt_buf_init(&msg);
		vmsc_rpt_unmatched(&msg, r);
		if (msg.oom) {
			c->failed = true;
		} else {
			put(c, "<p class=\"note\" id=\"unmatched\">");
			esc(c, msg.s);
			put(c, ": " VMSC_RPT_UNMATCHED_HINT "</p>\n");
		}
		vmsc_rpt_buf_release(&msg);
	}
}

int vmsc_report_html(const struct vmsc_result *r, const struct vmsc_report_options *o, FILE *out)
{
	struct html_ctx c = { .r = r, .out = out };
	const char *status = vmsc_status_name(r->status);
	char when[32], iso[32];

	c.docs_url = o && o->docs_url && *o->docs_url ? o->docs_url : VMSC_REPORT_DOCS_URL;
	vmsc_rpt_rfc3339(r->generated, iso, sizeof iso);
	/* 2024-05-01T12:00:00Z -> 2024-05-01 12:00 UTC */
	snprintf(when, sizeof when, "%.10s %.5s UTC", iso, iso + 11);

	put(&c, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		"style-src 'unsafe-inline'; script-src '" "sha256-" SCRIPT_SHA256 "'; "
		"base-uri 'none'; form-action 'none'\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		"<meta name=\"color-scheme\" content=\"light dark\">\n");
	put(&c, "<meta name=\"generator\" content=\"vmsnapcheck");
	if (o && o->tool_version) {
		put(&c, " ");
		esc(&c, o->tool_version);
	}
	fprintf(out, "\">\n<title>vmsnapcheck: %s, %zu VM%s, %s</title>\n<style>\n", status,
		r->summary.vms, r->summary.vms == 1 ? "" : "s", when);
	put(&c, STYLE);
	if (r->compared) {
		put(&c, "</style>\n<style>\n");
		put(&c, COMPARED_STYLE);
	}
	put(&c, "</style>\n</head>\n<body>\n<header>\n<h1>vmsnapcheck report ");
	status_badge(&c, r->status);
	fprintf(out, "</h1>\n<p class=\"meta\" id=\"run\" data-status=\"%s\" data-exit-code=\"%d\">"
		"Run at <time datetime=\"%s\">%s</time>", status, r->exit_code, iso, when);
	if (r->duration > 0)
		fprintf(out, ", took %.2f s", r->duration);
	fprintf(out, "; exit code %d.</p>\n", r->exit_code);
	if (r->compared)
		compared_meta(&c);
	put(&c, "</header>\n");
	notes(&c);
	put(&c, "<section class=\"cards\" id=\"summary\">\n");
	vcenters(&c);
	status_chart(&c);
	consistency_chart(&c);
	top_rules(&c);
	put(&c, "</section>\n<main>\n");
	vm_table(&c);
	if (r->compared)
		resolved_section(&c);
	put(&c, "</main>\n<footer>vmsnapcheck");
	if (o && o->tool_version) {
		put(&c, " ");
		esc(&c, o->tool_version);
	}
	put(&c, ". Rules: <a href=\"");
	esc(&c, c.docs_url);
	put(&c, "\">");
	esc(&c, c.docs_url);
	put(&c, "</a>.</footer>\n<script>");
	put(&c, SCRIPT);
	put(&c, "</script>\n</body>\n</html>\n");
	if (c.failed || ferror(out))
		return -1;
	return 0;
}
