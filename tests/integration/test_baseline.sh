#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --baseline FILE and --fail-on new: one night's JSON report is the next
# night's baseline. The simulator serves baseline-before.json, then, on the
# same port (the same vCenter name), baseline-after.json: one VM fixed
# (resolved), one broken (new), one renamed with the same moid (unchanged),
# one of two independent disks fixed (one unchanged, one resolved).
. "$(dirname "$0")/lib.sh"

pw=$(password_file bl.pw 'bl-pw')
scen=$SRC_DIR/tests/vcsim/scenarios
start_sim before -scenario "$scen/baseline-before.json" -username ops -password-file "$pw"
before_env=$WORK_DIR/before.env
conn="-s $SIM_URL -u ops --password-file $pw --cacert $SIM_CERT"
base=$WORK_DIR/base.json

vmsc $conn -f json -o "$base" --save-facts "$WORK_DIR/facts.json"
expect_rc 2 "the night before: db-01 and files-01 have errors"

# --- bad baselines: one line, exit 3, before any server is asked ---------
# (port 1 refuses connections: a second stderr line would mean it was tried)
nowhere="-s https://127.0.0.1:1/sdk -u ops --password-file $pw"
bad() { # bad FILE 'message part' what
	vmsc $nowhere -f json --baseline "$1"
	expect_rc 3 "$3: exit 3"
	expect_err "vmsnapcheck: " "$3: says so"
	expect_err "$2" "$3: names the problem"
	expect_err_lines 1 "$3: one line, no connection tried"
	[ ! -s "$OUT" ] && ok "$3: no report" || fail "$3: a report was written"
}
bad "$WORK_DIR/missing.json" "cannot read baseline '$WORK_DIR/missing.json': No such file or directory" "missing baseline"
printf 'STATUS  VM\n' >"$WORK_DIR/text.txt"
bad "$WORK_DIR/text.txt" "baseline '$WORK_DIR/text.txt' is not JSON (line 1:" "a text report"
bad "$WORK_DIR/facts.json" "baseline '$WORK_DIR/facts.json' is not a report (no 'summary' or 'status'; a facts file?)" "a facts file"
jq '.schemaVersion = 2' "$base" >"$WORK_DIR/v2.json"
bad "$WORK_DIR/v2.json" "baseline '$WORK_DIR/v2.json' has schemaVersion 2, this vmsnapcheck reads 1" "schemaVersion 2"
jq '.vcenters[].name = "vc-other.example.com" | .vms[].vcenter = "vc-other.example.com"' "$base" >"$WORK_DIR/other.json"
bad "$WORK_DIR/other.json" "baseline '$WORK_DIR/other.json' is from another inventory (vCenters 'vc-other.example.com', this run '127.0.0.1:1')" "another inventory"

vmsc $conn --fail-on new
expect_rc 3 "--fail-on new without --baseline"
expect_err "'--fail-on new' counts findings that are new since an earlier report: add '--baseline FILE'" "--fail-on new names what it needs"
vmsc $conn --baseline "$base" --fail-on some
expect_rc 3 "--fail-on with a bad value"
expect_err "bad --fail-on 'some': use all" "--fail-on names its values"

# --- the next night: same port, so the same vCenter name -----------------
port=${SIM_URL#https://127.0.0.1:}
port=${port%%/*}
"$SRC_DIR/tests/integration/vcsim.sh" stop "$before_env"
start_sim after -scenario "$scen/baseline-after.json" -username ops -password-file "$pw" -listen "127.0.0.1:$port"
conn="-s $SIM_URL -u ops --password-file $pw --cacert $SIM_CERT"

vmsc $conn -f json --baseline "$base"
expect_rc 2 "default --fail-on all: every unwaived finding counts"
cp "$OUT" "$WORK_DIR/after.json"
change() { jq -r --arg vm "$1" --arg m "$2" \
	'[.vms[] | select(.name == $vm) | .findings[] | select(.message | contains($m)) | .change] | join(",")' "$WORK_DIR/after.json"; }
[ "$(change web-01 'not running')" = new ] && ok "web-01: Tools stopped since: new" || fail "web-01: '$(change web-01 'not running')'"
[ "$(change app-01-renamed outdated)" = unchanged ] && ok "renamed VM, same moid: unchanged" ||
	fail "app-01-renamed: '$(change app-01-renamed outdated)'"
[ "$(change files-01 'Hard disk 3')" = unchanged ] && ok "files-01 disk 3 still independent: unchanged" ||
	fail "files-01: '$(change files-01 'Hard disk 3')'"
jq -e '[.resolved[] | [.vm, .rule]] == [["db-01", "tools-not-running"], ["files-01", "independent-disk"]]
       and (.resolved[1].message | test("Hard disk 2"))' "$WORK_DIR/after.json" >/dev/null &&
	ok "resolved: db-01's Tools and files-01's disk 2" || fail "resolved: $(jq -c .resolved "$WORK_DIR/after.json")"
jq -e '.summary.new == 1 and .summary.resolved == 2 and .status == "error" and .exitCode == 2
       and (.resolved[0] | keys) == ["message", "moid", "rule", "severity", "vcenter", "vm"]' "$WORK_DIR/after.json" >/dev/null &&
	ok "summary counts new and resolved" || fail "summary: $(jq -c .summary "$WORK_DIR/after.json")"

vmsc $conn -f json --baseline "$base" --fail-on new
expect_rc 2 "--fail-on new: web-01's new error"
vmsc $conn -f json --baseline "$WORK_DIR/after.json" --fail-on new
expect_rc 0 "--fail-on new against tonight's own report: nothing new, exit 0"
jq -e '.status == "ok" and .exitCode == 0 and .summary.new == 0 and .resolved == []
       and .summary.error == 2 and ([.vms[].findings[].change] | unique) == ["unchanged"]' "$OUT" >/dev/null &&
	ok "--fail-on new: status ok, the findings still reported, all unchanged" || fail "json: $(jq -c '.status, .summary' "$OUT")"
vmsc $conn -f json --baseline "$WORK_DIR/after.json"
expect_rc 2 "the same without --fail-on new: exit 2"

vmsc $conn --baseline "$base"
expect_rc 2 "text"
grep -q "^  \[error\] NEW tools-not-running: " "$OUT" && ok "text: the new finding is tagged NEW" || fail "text lacks the NEW tag"
[ "$(grep -c ' NEW ' "$OUT")" -eq 1 ] && ok "text: only it" || fail "text: $(grep -c ' NEW ' "$OUT") NEW tags"
sed -n '/^Resolved since the baseline of /,/^$/p' "$OUT" | grep -q "^  db-01: \[error\] tools-not-running: " &&
	ok "text: resolved listed after the table" || fail "text lacks the resolved list"
tail -1 "$OUT" | grep -q "; 1 new, 2 resolved since the baseline$" && ok "text: summary line" || fail "text summary: $(tail -1 "$OUT")"

vmsc $conn -f html --baseline "$base"
expect_rc 2 "html"
[ "$(grep -c 'data-change="new"' "$OUT")" -eq 1 ] && [ "$(grep -c '<tr data-resolved-vm=' "$OUT")" -eq 2 ] &&
	grep -q 'id="baseline" data-new="1" data-resolved="2"' "$OUT" && grep -q '<h2>Resolved since the baseline</h2>' "$OUT" &&
	ok "html: a badge on the new finding, the resolved section" || fail "html lacks the changes"
[ "$(grep -c '<tr data-vm=' "$OUT")" -eq 5 ] && ok "html: still one data-vm row per VM" || fail "html: $(grep -c '<tr data-vm=' "$OUT") VM rows"

# --facts: the vCenter names come from the file, so another inventory is
# found after the run: the error line, exit 3, and a report marked incomplete
vmsc --facts "$WORK_DIR/facts.json" -f json --baseline "$WORK_DIR/other.json"
expect_rc 3 "--facts with another inventory's baseline"
expect_err "is from another inventory" "--facts: says so"
jq -e '.status == "unknown" and .exitCode == 3 and (.incomplete | test("another inventory"))
       and has("resolved") == false' "$OUT" >/dev/null &&
	ok "--facts: the report is incomplete, nothing compared" || fail "--facts report: $(jq -c '.status, .incomplete' "$OUT")"
vmsc --facts "$WORK_DIR/facts.json" -f json --baseline "$base"
expect_rc 2 "--facts with its own night's report"
jq -e '.summary.new == 0 and .summary.resolved == 0' "$OUT" >/dev/null && ok "--facts: nothing new" || fail "--facts: $(jq -c .summary "$OUT")"
finish
