#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Server-side scope, several vCenters in one report, config file and waivers.
. "$(dirname "$0")/lib.sh"

pw=$(password_file scope.pw 'scope-pw')
start_sim second -vms 5
second=$SIM_URL second_cert=$SIM_CERT
start_sim scope -scenario "$SRC_DIR/tests/vcsim/scenarios/demo.json" -username ops -password-file "$pw"
conn="-s $SIM_URL -u ops --password-file $pw --cacert $SIM_CERT"

names() { jq -r '[.vms[].name] | join(",")' "$OUT"; }

vmsc $conn -f json --datacenter DC1
[ "$(names)" = "dc1-web-01" ] && ok "--datacenter DC1" || fail "--datacenter DC1 gave '$(names)'"
vmsc $conn -f json --datacenter DC0 --folder prod/sql
[ "$(names)" = "sql-01" ] && ok "--datacenter + --folder" || fail "--folder gave '$(names)'"
vmsc $conn -f json --folder DC0/vm/prod
[ "$(names)" = "sql-01" ] && ok "--folder with a full inventory path" || fail "full --folder gave '$(names)'"
vmsc $conn -f json --datacenter DC0
jq -e '[.vms[].name] | index("dc1-web-01") == null and length > 30' "$OUT" >/dev/null &&
	ok "--datacenter DC0 leaves DC1 out" || fail "--datacenter DC0 gave '$(names)'"
vmsc $conn -f json --datacenter NOPE
expect_rc 3 "unknown datacenter"
expect_err "datacenter 'NOPE' not found" "unknown datacenter named"

# two vCenters, one report; each simulator has its own certificate, so -k here
vmsc -s "$SIM_URL" -s "$second" -u ops --password-file "$pw" -k -f json
expect_rc 2 "two vCenters exit by the worst finding"
jq -e '(.vcenters | length) == 2 and ([.vms[].vcenter] | unique | length) == 2
       and (.vms | length) == (.summary.vms)' "$OUT" >/dev/null &&
	ok "two vCenters in one report" || fail "two vCenters: $(jq -c .vcenters "$OUT")"
vmsc -s "$SIM_URL" -s https://127.0.0.1:1/sdk -u ops --password-file "$pw" -k -f json
expect_rc 3 "an unreachable vCenter makes the run unknown"
jq -e '(.vcenters | map(select(.error != null)) | length) == 1 and (.vms | length) > 30
       and .status == "unknown"' "$OUT" >/dev/null &&
	ok "the reachable vCenter is still reported" || fail "partial report: $(jq -c .vcenters "$OUT")"

# a mistyped name beside a right one: exit 3 and every format names it
vmsc $conn web-01 wbe-01
expect_rc 3 "a mistyped VM name makes the run unknown"
expect_err "no VM matches 'wbe-01': check the spelling" "stderr names the unmatched name"
grep -q "no VM matches 'wbe-01'" "$OUT" && ok "text report names the unmatched name" || fail "text lacks the unmatched name"
vmsc $conn -q web-01 wbe-01
expect_err "no VM matches 'wbe-01'" "-q still says which name matched nothing"
vmsc $conn -f json web-01 wbe-01 'nope-*'
jq -e '.unmatched == ["wbe-01", "nope-*"] and .status == "unknown" and .exitCode == 3
       and ([.vms[].name] == ["web-01"])' "$OUT" >/dev/null &&
	ok "json: unmatched names, status unknown" || fail "json unmatched: $(jq -c '{unmatched, status}' "$OUT")"
vmsc $conn -f nagios web-01 wbe-01
expect_rc 3 "nagios exits 3 for a mistyped name"
head -1 "$OUT" | grep -q "^VMSNAPCHECK UNKNOWN - no VM matches 'wbe-01'" && ok "nagios names it" ||
	fail "nagios: $(head -1 "$OUT")"
vmsc $conn -f csv web-01 wbe-01
grep -q "^,wbe-01,,unknown,,,,no VM matches 'wbe-01'," "$OUT" && ok "csv names it" || fail "csv lacks the unmatched row"
vmsc $conn -f junit web-01 wbe-01
grep -q '<error type="unmatched" message="no VM matches '"'wbe-01'"'"' "$OUT" && ok "junit names it" ||
	fail "junit lacks the unmatched error"
vmsc $conn -f prometheus web-01 wbe-01
grep -q '^vmsnapcheck_unmatched{name="wbe-01"} 1$' "$OUT" && ok "prometheus names it" || fail "prometheus lacks it"
# matched on one vCenter is enough
vmsc -s "$SIM_URL" -s "$second" -u ops --password-file "$pw" -k -f json web-01
jq -e '.unmatched == null' "$OUT" >/dev/null && ok "a name matched on one of two vCenters is matched" ||
	fail "matched name reported unmatched: $(jq -c .unmatched "$OUT")"

# nothing read: one line on stderr, no table of zeros (also with -q)
for q in "" -q; do
	vmsc -s https://127.0.0.1:1/sdk -u ops --password-file "$pw" -t 5 $q
	expect_rc 3 "unreachable vCenter $q"
	expect_err_lines 1 "unreachable vCenter $q: one line on stderr"
	[ ! -s "$OUT" ] && ok "unreachable vCenter $q: no text report" || fail "unreachable vCenter $q: stdout not empty"
done
vmsc -s https://127.0.0.1:1/sdk -u ops --password-file "$pw" -t 5 -f json
jq -e '.status == "unknown" and (.vcenters[0].error | length > 0)' "$OUT" >/dev/null &&
	ok "unreachable vCenter: json still reports it" || fail "unreachable vCenter: no json report"

# local problems are refused before connecting, as usage errors
vmsc $conn --probe web-01
expect_rc 3 "--probe without --yes off a terminal"
expect_err "vmsnapcheck: --probe changes VMs and stdin is not a terminal: pass --yes to confirm" "--probe asks for --yes"
expect_err_lines 1 "--probe without --yes: one line"
[ ! -s "$OUT" ] && ok "--probe without --yes: no report" || fail "--probe without --yes printed a report"
open_pw=$WORK_DIR/open.pw
printf 'scope-pw\n' >"$open_pw" && chmod 644 "$open_pw"
vmsc -s "$SIM_URL" -u ops --password-file "$open_pw" --cacert "$SIM_CERT"
expect_rc 3 "password file readable by others"
expect_err "vmsnapcheck: password file '$open_pw' is readable by others (mode 0644): chmod 600" "open password file named"
expect_err_lines 1 "open password file: one line"
[ ! -s "$OUT" ] && ok "open password file: no report" || fail "open password file printed a report"

# config: thresholds, rule overrides, waivers
cfg=$WORK_DIR/config.ini
cat >"$cfg" <<INI
[thresholds]
max_snapshots = 10

[rule "guest-disk-space"]
severity = error

[rule "tools-outdated"]
enabled = false

[waiver "legacy rdm"]
vm = rdm-*
rule = rdm-physical
reason = clustered SQL, backed up in-guest (CHG-1234)
expires = 2099-12-31

[waiver "unused"]
vm = no-such-vm-*
rule = *
reason = matches nothing on purpose
expires = 2099-12-31

[waiver "old bus sharing"]
vm = busshare-01
rule = *
reason = was accepted once
expires = 2020-01-01
INI
"$VMSC_BIN" --config "$cfg" $conn -f json >"$WORK_DIR/cfg.json" 2>"$WORK_DIR/cfg.err" || true
OUT=$WORK_DIR/cfg.json ERR=$WORK_DIR/cfg.err
jq -e '.vms[] | select(.name == "snap-sprawl-01") | .status == "ok"' "$OUT" >/dev/null &&
	ok "threshold max_snapshots applied" || fail "max_snapshots not applied"
jq -e '.vms[] | select(.name == "disk-full-01") | .status == "error" and .findings[0].severity == "error"' \
	"$OUT" >/dev/null && ok "severity override applied" || fail "severity override not applied"
jq -e '.vms[] | select(.name == "tools-old-01") | .status == "ok" and (.findings | length) == 0' \
	"$OUT" >/dev/null && ok "disabled rule does not run" || fail "disabled rule ran"
jq -e '.vms[] | select(.name == "rdm-phys-01") | .status == "ok" and .findings[0].waived
       and .findings[0].waiver.name == "legacy rdm"' "$OUT" >/dev/null &&
	ok "active waiver waives, finding still reported" || fail "waiver not applied"
jq -e '.vms[] | select(.name == "busshare-01") | .status == "error" and (.findings[0].waived | not)
       and .findings[0].waiver.expired' "$OUT" >/dev/null &&
	ok "expired waiver no longer waives and says so" || fail "expired waiver mishandled"
jq -e '.summary.waived == 1' "$OUT" >/dev/null && ok "summary counts waived" || fail "summary.waived wrong"

vmsc_cfg --config "$cfg" $conn -f json -v
expect_err "waiver 'unused' (" "-v names a waiver that matched nothing"
grep -q "waiver 'legacy rdm'.*matched no finding" "$ERR" && fail "-v flags a used waiver" ||
	ok "-v is quiet about used waivers"
vmsc_cfg --config "$cfg" $conn -f json -v web-01
grep -q "waiver '\(legacy rdm\|unused\)'.*matched" "$ERR" &&
	fail "-v flags a waiver whose VMs are out of scope: $(grep matched "$ERR")" ||
	ok "-v is quiet about waivers for VMs out of scope"

printf '[thresholds]\nmax_snapshots = many\n' >"$WORK_DIR/bad.ini"
vmsc_cfg --config "$WORK_DIR/bad.ini" $conn
expect_rc 3 "broken config exits 3"
expect_err "bad.ini:2:" "broken config names file:line"
vmsc_cfg --config "$WORK_DIR/missing.ini" $conn
expect_rc 3 "missing config exits 3"
expect_err "missing.ini" "missing config named"
finish
