#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The consistency a group of VMs needs: [require "GLOB"] sections and
# --require LEVEL on the demo inventory. A VM expected below its required
# level gets consistency-below-required (an error naming both levels and the
# rules in the way); one that reaches it gets nothing; --require wins.
. "$(dirname "$0")/lib.sh"

pw=$(password_file req.pw 'req-pw')
start_sim require -scenario "$SRC_DIR/tests/vcsim/scenarios/demo.json" -username ops -password-file "$pw"
conn="-s $SIM_URL -u ops --password-file $pw --cacert $SIM_CERT"
rule=consistency-below-required

# finding MESSAGE-OF VM: the message of VM's consistency-below-required, or ""
finding() {
	jq -r --arg vm "$1" --arg r "$rule" \
		'[.vms[] | select(.name == $vm) | .findings[] | select(.rule == $r) | .message] | join("|")' "$OUT"
}

# healthy and warning-only VMs: without a requirement nothing is an error
vmsc $conn -f json sql-01 app-win-01 web-01
expect_rc 0 "no requirement: healthy VMs exit 0"
[ "$(jq "[.vms[].findings[] | select(.rule == \"$rule\")] | length" "$OUT")" -eq 0 ] &&
	ok "no requirement, no $rule" || fail "$rule without a requirement"

# [require "GLOB"]: sql-* need application (rhel guest: filesystem), app-*
# need application (Windows Server with disk UUIDs: reaches it), web-* crash
cfg=$WORK_DIR/require.ini
cat >"$cfg" <<'INI'
[require "sql-*"]
consistency = application
[require "app-*"]
consistency = application
[require "web-*"]
vm = tools-*
consistency = crash
INI
vmsc_cfg --config "$cfg" $conn -f json sql-01 app-win-01 web-01 tools-stopped-01 win-nouuid-01
expect_rc 2 "[require] below the level exits 2"
want="requires application-consistent backups ([require \"sql-*\"] at $cfg:1), expected filesystem: limited by guest-os"
[ "$(finding sql-01)" = "$want" ] && ok "sql-01: $rule names both levels, the section and the limit" ||
	fail "sql-01 message '$(finding sql-01)'"
jq -e --arg r "$rule" '.vms[] | select(.name == "sql-01") | .status == "error"
       and .consistency.expected == "filesystem"
       and ([.findings[] | select(.rule == $r) | .severity] == ["error"])' "$OUT" >/dev/null &&
	ok "sql-01: error, expected level unchanged" || fail "sql-01 status or level wrong"
for vm in app-win-01 web-01 tools-stopped-01 win-nouuid-01; do
	[ -z "$(finding $vm)" ] && ok "$vm meets its requirement (or has none)" || fail "$vm: $(finding $vm)"
done

# --require LEVEL: every selected VM; beats the [require] sections
vmsc $conn -f json --require application win-nouuid-01 app-win-01
expect_rc 2 "--require application: a filesystem VM makes it exit 2"
[ "$(finding win-nouuid-01)" = "requires application-consistent backups (--require), expected filesystem: limited by quiesce-enableuuid" ] &&
	ok "--require: message names the option and the limiting rule" ||
	fail "win-nouuid-01 message '$(finding win-nouuid-01)'"
[ -z "$(finding app-win-01)" ] && ok "--require: app-win-01 reaches application" || fail "app-win-01: $(finding app-win-01)"
vmsc $conn -f json --require filesystem win-nouuid-01
expect_rc 1 "--require filesystem: only the VM's own warning (exit 1)"
vmsc $conn -f json --require crash ft-01 tools-stopped-01
[ "$(finding ft-01)" = "requires crash-consistent backups (--require), expected none: limited by fault-tolerance" ] &&
	ok "--require crash: ft-01 (none) is below" || fail "ft-01 message '$(finding ft-01)'"
[ -z "$(finding tools-stopped-01)" ] && ok "--require crash: tools-stopped-01 reaches crash" ||
	fail "tools-stopped-01: $(finding tools-stopped-01)"
vmsc_cfg --config "$cfg" $conn -f json --require filesystem sql-01
expect_rc 0 "--require filesystem beats [require \"sql-*\"] application"

# other formats say it too
vmsc $conn -f nagios --require application sql-01
expect_rc 2 "nagios: CRITICAL"
head -1 "$OUT" | grep -q "^VMSNAPCHECK CRITICAL - .*sql-01 ($rule).* filesystem=1 " &&
	ok "nagios names the rule, perfdata counts the level" || fail "nagios: $(head -1 "$OUT")"
vmsc $conn -f csv --require application sql-01
tr -d '\r' <"$OUT" | grep -q ",sql-01,.*,$rule,error,false,.*,filesystem$" && ok "csv row with the rule and the level" ||
	fail "csv lacks the $rule row"

# a waiver waives the finding, never the prediction
cat >"$WORK_DIR/waive.ini" <<'INI'
[require "sql-*"]
consistency = application
[waiver "sql-on-linux"]
vm = sql-01
rule = consistency-below-required
reason = PostgreSQL, freeze scripts do the application part
expires = 2099-12-31
INI
vmsc_cfg --config "$WORK_DIR/waive.ini" $conn -f json sql-01
expect_rc 0 "a waived $rule exits 0"
jq -e --arg r "$rule" '.vms[0] | .consistency.expected == "filesystem"
       and ([.findings[] | select(.rule == $r) | .waived] == [true])' "$OUT" >/dev/null &&
	ok "waived, still expected filesystem" || fail "waiver changed the prediction"

# bad levels are usage or config errors (exit 3) naming the valid ones
vmsc $conn --require app sql-01
expect_rc 3 "--require with a bad level"
expect_err "vmsnapcheck: bad --require level 'app': use application, filesystem, crash or none" \
	"--require names the valid levels"
printf '[require "x-*"]\nconsistency = best\n' >"$WORK_DIR/bad.ini"
vmsc_cfg --config "$WORK_DIR/bad.ini" $conn sql-01
expect_rc 3 "[require] with a bad level"
expect_err "$WORK_DIR/bad.ini:2:" "the config error names file and line"
finish
