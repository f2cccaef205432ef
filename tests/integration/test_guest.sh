#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --guest (issue 13, docs/guest.md) against the simulator's guest-* VMs: every
# guest rule and every reason a guest could not be checked, the guest object
# or column in every format, no temporary file left in any guest (also after
# the hanging command), the guest password never on stderr with --debug, and
# nothing guest-related asked for without --guest.
. "$(dirname "$0")/lib.sh"
require_cmd curl curl

log=$WORK_DIR/requests.log
: >"$log"
start_sim guest -scenario "$SRC_DIR/tests/vcsim/scenarios/demo.json" -request-log "$log"
base=${SIM_URL%/sdk}
vcpw=$(password_file vcpw x)
gpw=$(password_file guestpw guest-pw)
conn="-s $SIM_URL --cacert $SIM_CERT -u ops --password-file $vcpw"

# live_temp_files: the simulator's count of temporary files still in guests
live_temp_files() {
	curl -sS --cacert "$SIM_CERT" "$base/vcsim/guest-temp-files" | jq -r '.live | length'
}
expect_no_temp_files() { # expect_no_temp_files what
	n=$(live_temp_files)
	[ "$n" = 0 ] && ok "$1: no temporary file left in any guest" ||
		fail "$1: $n temporary files left: $(curl -sS --cacert "$SIM_CERT" "$base/vcsim/guest-temp-files")"
}
guest_ops_in_log() { grep -cE 'InGuest$' "$log" || true; }

# ---- without --guest nothing runs in a guest, and no report says "guest"
vmsc $conn -f json 'guest-*'
[ "$(guest_ops_in_log)" = 0 ] && ok "without --guest: no guest operation requested" ||
	fail "without --guest: $(guest_ops_in_log) guest operations in the request log"
grep -q guestOperationsReady "$log" && fail "guest.guestOperationsReady asked without --guest" || true
jq -e '[.vms[] | has("guest")] | any | not' "$OUT" >/dev/null &&
	ok "without --guest: no guest object in JSON" || fail "guest object without --guest"
vmsc $conn -f csv 'guest-*'
head -1 "$OUT" | tr -d '\r' | grep -q ',consistency$' && ok "without --guest: no guest column in CSV" ||
	fail "CSV header without --guest: $(head -1 "$OUT")"

# ---- the guest credentials: a config beside its (relative) password file
cfgdir=$WORK_DIR/cfg
mkdir -p "$cfgdir"
(umask 077 && printf 'guest-pw\n' >"$cfgdir/guest.pw")
cat >"$cfgdir/config.ini" <<'EOF'
[guest "guest-linux-*"]
username = backupcheck
password_file = guest.pw

[guest "guest-*"]
username = CORP\backupcheck
password_file = guest.pw

[waiver "known-foreign-provider"]
vm = guest-win-foreign-provider-01
rule = vss-foreign-provider
reason = the Contoso provider stays until the SAN migration (CHG-4711)
expires = 2099-12-31
EOF

: >"$log"
vmsc_cfg --config "$cfgdir/config.ini" $conn --guest --guest-timeout 3 -f json 'guest-*'
expect_rc 2 "--guest on the guest-* VMs"
cp "$OUT" "$WORK_DIR/guest.json"
expect_no_temp_files "after every outcome, the hanging command included"
[ "$(guest_ops_in_log)" -gt 0 ] && ok "--guest: guest operations requested" ||
	fail "--guest: no guest operation in the request log"
grep -q '^TerminateProcessInGuest$' "$log" && ok "the hanging command was terminated" ||
	fail "no TerminateProcessInGuest for the hanging command"

# VM  checked  rules  (reason substring when not checked)
while IFS='|' read -r vm checked rules reason; do
	got=$(jq -c --arg vm "$vm" '.vms[] | select(.name == $vm) |
		[.guest.checked, ([.findings[].rule] | join(",")), (.guest.reason // "")]' "$WORK_DIR/guest.json")
	want_rules=$(jq -c --arg vm "$vm" '.vms[] | select(.name == $vm) | [.findings[].rule] | join(",")' \
		"$WORK_DIR/guest.json")
	if [ "$(echo "$got" | jq '.[0]')" = "$checked" ] && [ "$want_rules" = "\"$rules\"" ] &&
		echo "$got" | jq -r '.[2]' | grep -qF -- "$reason"; then
		ok "$vm: checked=$checked rules=[$rules]${reason:+ reason '$reason'}"
	else
		fail "$vm: got $got, want checked=$checked rules=[$rules] reason '$reason'"
	fi
done <<'EOF'
guest-win-ok-01|true||
guest-win-de-ok-01|true||
guest-linux-ok-01|true||
guest-win-writer-failed-01|true|vss-writer-failed|
guest-win-de-writer-failed-01|true|vss-writer-failed|
guest-win-vss-disabled-01|true|vss-service-disabled|
guest-win-novmvss-01|true|vmware-vss-missing|
guest-win-foreign-provider-01|true|vss-foreign-provider|
guest-win-quiesce-off-01|true|tools-conf-quiescing-off|
guest-win-events-01|true|vss-event-errors|
guest-win-not-elevated-01|true|guest-not-elevated|
guest-linux-freeze-noexec-01|true|freeze-script-not-executable|
guest-linux-syncdriver-off-01|true|tools-conf-quiescing-off|
guest-win-badpw-01|false|guest-login-failed|login refused (InvalidGuestLogin)
guest-win-notready-01|false||not ready: guest.guestOperationsReady is false
guest-win-opdisabled-01|false||(OperationDisabledByGuest)
guest-win-unavailable-01|false||(GuestOperationsUnavailable)
guest-win-outdated-01|false||(GuestComponentsOutOfDate)
guest-win-logons-01|false||(TooManyGuestLogons)
guest-win-noexec-01|false||privilege missing: VirtualMachine.GuestOperations.Execute
guest-win-hang-01|false||timed out after 3 s
EOF

# guest findings cap the expected consistency, are waivable and counted
jq -e '.vms[] | select(.name == "guest-win-writer-failed-01") | .consistency.expected == "crash"' \
	"$WORK_DIR/guest.json" >/dev/null && ok "vss-writer-failed caps the expected level at crash" ||
	fail "vss-writer-failed did not cap: $(jq -c '.vms[] | select(.name == "guest-win-writer-failed-01") | .consistency' "$WORK_DIR/guest.json")"
jq -e '.vms[] | select(.name == "guest-linux-freeze-noexec-01") | .findings[0].message | contains("/usr/sbin/pre-freeze-script ")' \
	"$WORK_DIR/guest.json" >/dev/null && ok "freeze-script-not-executable names the script's path" ||
	fail "freeze script message: $(jq -c '.vms[] | select(.name == "guest-linux-freeze-noexec-01") | .findings' "$WORK_DIR/guest.json")"
jq -e '.vms[] | select(.name == "guest-win-foreign-provider-01") | .status == "ok" and .findings[0].waived' \
	"$WORK_DIR/guest.json" >/dev/null && ok "a guest finding is waivable" || fail "guest finding not waived"
jq -e '.summary.waived == 1 and .summary.error == 7 and .summary.warning == 3' "$WORK_DIR/guest.json" >/dev/null &&
	ok "guest findings counted in the summary" || fail "summary: $(jq -c .summary "$WORK_DIR/guest.json")"

# ---- every format shows the guest outcome
vmsc_cfg --config "$cfgdir/config.ini" $conn --guest --guest-timeout 2 -f csv 'guest-*'
tr -d '\r' <"$OUT" >"$WORK_DIR/guest.csv"
head -1 "$WORK_DIR/guest.csv" | grep -q ',consistency,guest$' && ok "CSV: guest column after consistency" ||
	fail "CSV header: $(head -1 "$OUT")"
grep -q '^[^,]*,guest-win-ok-01,.*,checked$' "$WORK_DIR/guest.csv" && ok "CSV: checked" || fail "CSV: guest-win-ok-01 not 'checked'"
grep -q '^[^,]*,guest-win-hang-01,.*,timed out after 2 s$' "$WORK_DIR/guest.csv" && ok "CSV: the reason" ||
	fail "CSV: no reason for guest-win-hang-01"
grep -q ',vss-writer-failed,error,' "$OUT" && ok "CSV: guest findings are rows" || fail "CSV: no vss-writer-failed row"
expect_no_temp_files "csv run"

vmsc_cfg --config "$cfgdir/config.ini" $conn --guest --guest-timeout 2 'guest-*'
grep -q '^  guest not checked: privilege missing: VirtualMachine.GuestOperations.Execute$' "$OUT" &&
	ok "text: the reason under the VM" || fail "text: no privilege reason"
grep -q 'vss-writer-failed' "$OUT" && ok "text: guest findings" || fail "text: no vss-writer-failed"

html=$WORK_DIR/guest.html
vmsc_cfg --config "$cfgdir/config.ini" $conn --guest --guest-timeout 2 -f html -o "$html" 'guest-*'
grep -q 'guest not checked: timed out after 2 s' "$html" && ok "html: the reason" || fail "html: no reason"
grep -q 'vss-writer-failed' "$html" && ok "html: guest findings" || fail "html: no vss-writer-failed"

for fmt in junit nagios prometheus; do
	vmsc_cfg --config "$cfgdir/config.ini" $conn --guest --guest-timeout 2 -f $fmt 'guest-win-writer-failed-01'
	grep -q 'vss-writer-failed' "$OUT" && ok "$fmt: guest findings" || fail "$fmt: no vss-writer-failed"
done
expect_no_temp_files "after every format"

# ---- --guest-user and the password from the environment, wiped from /proc
set +e
VMSNAPCHECK_GUEST_PASSWORD=guest-pw "$VMSC_BIN" --no-config $conn --guest --guest-user 'CORP\backupcheck' \
	-f json guest-win-ok-01 >"$WORK_DIR/out.txt" 2>"$WORK_DIR/err.txt" </dev/null
RC=$?
set -e
OUT=$WORK_DIR/out.txt ERR=$WORK_DIR/err.txt
expect_rc 0 "--guest-user with VMSNAPCHECK_GUEST_PASSWORD"
jq -e '.vms[0].guest.checked' "$OUT" >/dev/null && ok "checked with the environment's password" ||
	fail "not checked: $(jq -c '.vms[0].guest' "$OUT")"

vmsc $conn --guest --guest-user 'CORP\backupcheck' --guest-password-file "$gpw" --debug guest-win-writer-failed-01
grep -q 'ValidateCredentialsInGuest' "$ERR" && ok "--debug shows the guest operations" || fail "--debug: no guest operation"
grep -q 'guest-pw' "$ERR" && fail "--debug output holds the guest password" || ok "--debug never shows the guest password"
expect_no_temp_files "--debug run"
# every path, with the config's passwords: refused logins, faults, transfers, the terminated command
vmsc_cfg --config "$cfgdir/config.ini" $conn --guest --guest-timeout 2 --debug -f json 'guest-*'
grep -q 'TerminateProcessInGuest' "$ERR" && grep -q 'InvalidGuestLogin' "$ERR" &&
	ok "--debug on every guest VM traced the faults and the terminated command" ||
	fail "--debug on every guest VM: no TerminateProcessInGuest or InvalidGuestLogin in the trace"
grep -q 'guest-pw' "$ERR" && fail "--debug on every guest VM: the guest password in the trace" ||
	ok "--debug on every guest VM never shows the guest password"
expect_no_temp_files "--debug run on every guest VM"

# ---- no credentials; the options' own errors
vmsc $conn --guest -f json guest-win-ok-01
jq -e '.vms[0].guest.checked == false and (.vms[0].guest.reason | startswith("no guest credentials"))' "$OUT" >/dev/null &&
	ok "no credentials for the VM: its reason" || fail "no credentials: $(jq -c '.vms[0].guest' "$OUT")"
jq -e '.vms[0].status == "ok"' "$OUT" >/dev/null && ok "keeps its vCenter-side result" || fail "status changed"
for form in --guest-password=secret --guest-pass=secret --guest-pw=secret; do
	vmsc $conn --guest $form guest-win-ok-01
	expect_rc 3 "$form is refused"
	expect_err "vmsnapcheck: there is no guest password option: guest passwords are read from --guest-password-file, VMSNAPCHECK_GUEST_PASSWORD or [guest] password_file" \
		"$form: says where guest passwords come from"
	grep -q secret "$ERR" && fail "$form: the refused value is echoed" || ok "$form: without echoing the value"
done
vmsc $conn --guest-user x guest-win-ok-01
expect_rc 3 "--guest-user without --guest"
vmsc $conn --guest --guest-user x guest-win-ok-01
expect_rc 3 "--guest-user without any guest password"
expect_err "no guest password" "says where guest passwords come from"

# powered-off and skipped VMs are not asked
vmsc $conn --guest --include-powered-off -f json off-01
jq -e '.vms[0] | has("guest") | not' "$OUT" >/dev/null && ok "a powered-off VM gets no guest object" ||
	fail "off-01: $(jq -c '.vms[0]' "$OUT")"

finish
