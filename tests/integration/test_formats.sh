#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Every report format on the demo inventory, each checked by a real reader:
# jq, xmllint, promtool, Python's csv module; exit codes per status; -o.
. "$(dirname "$0")/lib.sh"
require_cmd xmllint libxml2-utils
require_cmd promtool prometheus
require_cmd python3 python3

pw=$(password_file fmt.pw 'fmt-pw')
start_sim formats -scenario "$SRC_DIR/tests/vcsim/scenarios/demo.json" -username ops -password-file "$pw"
conn="-s $SIM_URL -u ops --password-file $pw --cacert $SIM_CERT"

vmsc $conn -f json
cp "$OUT" "$WORK_DIR/demo.json"
nvms=$(jq '.vms | length' "$WORK_DIR/demo.json")
nfail=$(jq '[.vms[] | select([.findings[] | select(.waived | not)] | length > 0)] | length' "$WORK_DIR/demo.json")
nskip=$(jq '[.vms[] | select(.status == "skipped")] | length' "$WORK_DIR/demo.json")

# JUnit: well-formed, one testcase per VM, exactly one failure per failing VM
vmsc $conn -f junit -o "$WORK_DIR/results.xml"
expect_rc 2 "junit run exits 2"
if xmllint --noout "$WORK_DIR/results.xml" 2>"$WORK_DIR/xmllint.err"; then ok "junit is well-formed"; else
	fail "junit not well-formed: $(cat "$WORK_DIR/xmllint.err")"; fi
tc=$(xmllint --xpath 'count(//testsuite/testcase)' "$WORK_DIR/results.xml")
[ "$tc" -eq "$nvms" ] && ok "junit: $tc testcases" || fail "junit: $tc testcases, $nvms VMs"
fl=$(xmllint --xpath 'count(//testcase/failure)' "$WORK_DIR/results.xml")
[ "$fl" -eq "$nfail" ] && ok "junit: $fl failures" || fail "junit: $fl failures, $nfail failing VMs"
multi=$(xmllint --xpath 'count(//testcase[count(failure) > 1])' "$WORK_DIR/results.xml")
[ "$multi" -eq 0 ] && ok "junit: at most one failure per testcase" || fail "junit: $multi testcases with several failures"
sk=$(xmllint --xpath 'count(//testcase/skipped)' "$WORK_DIR/results.xml")
[ "$sk" -eq "$nskip" ] && ok "junit: $sk skipped" || fail "junit: $sk skipped, expected $nskip"
typ=$(xmllint --xpath 'string(//testcase[@name="rdm-phys-01"]/failure/@type)' "$WORK_DIR/results.xml")
[ "$typ" = "rdm-physical" ] && ok "junit failure type is the worst rule" || fail "junit failure type '$typ'"

# Prometheus: promtool accepts it, readable by others, one status series per VM
umask 022
vmsc $conn -f prometheus -o "$WORK_DIR/vmsnap.prom"
expect_rc 2 "prometheus run exits 2"
if promtool check metrics <"$WORK_DIR/vmsnap.prom" >"$WORK_DIR/promtool.out" 2>&1; then
	ok "promtool check metrics passes"; else fail "promtool: $(cat "$WORK_DIR/promtool.out")"; fi
mode=$(stat -c %a "$WORK_DIR/vmsnap.prom")
[ "$mode" = 644 ] && ok "metrics file mode 644" || fail "metrics file mode $mode"
ns=$(grep -c '^vmsnapcheck_vm_status{' "$WORK_DIR/vmsnap.prom")
[ "$ns" -eq "$nvms" ] && ok "one vm_status series per VM" || fail "$ns vm_status series for $nvms VMs"
grep -q '^vmsnapcheck_up{vcenter="127.0.0.1:[0-9]*"} 1' "$WORK_DIR/vmsnap.prom" && ok "vmsnapcheck_up 1" ||
	fail "no vmsnapcheck_up 1"
grep -q '^vmsnapcheck_last_success_timestamp_seconds ' "$WORK_DIR/vmsnap.prom" && ok "last success metric" ||
	fail "no last success metric"
ls -a "$WORK_DIR" | grep -q 'tmp' && fail "temp file left behind" || ok "no temp file left"
# a failed run keeps the previous metrics file
cp "$WORK_DIR/vmsnap.prom" "$WORK_DIR/before.prom"
vmsc -s https://127.0.0.1:1/sdk -u ops --password-file "$pw" -f prometheus -o "$WORK_DIR/vmsnap.prom"
expect_rc 3 "failed prometheus run exits 3"
cmp -s "$WORK_DIR/vmsnap.prom" "$WORK_DIR/before.prom" && ok "failed run keeps the previous metrics" ||
	fail "failed run replaced the metrics file"

# -o and --save-facts to a device write in place, never replace the node
vmsc $conn -f json -o /dev/null --save-facts /dev/null
expect_rc 2 "-o /dev/null"
[ -c /dev/null ] && ok "/dev/null is still a device" || fail "/dev/null was replaced"

# --save-facts never follows a symlink planted where a temp name could be
# predicted (it used to open FILE.tmp.PID with fopen "w"): plant one at
# FILE.tmp.N for the next few hundred PIDs, each pointing at its own victim.
# One ln(1) for all of them, so the PIDs are not used up by the planting.
sf=$WORK_DIR/saved-facts victims=$WORK_DIR/victims
rm -rf "$sf" "$victims" && mkdir "$sf" "$victims"
last=$(cat /proc/sys/kernel/ns_last_pid)
n=$((last + 1)) targets=""
while [ $n -le $((last + 400)) ]; do targets="$targets $victims/facts.json.tmp.$n"; n=$((n + 1)); done
# shellcheck disable=SC2086
ln -s $targets "$sf/"
vmsc $conn -f json -o /dev/null --save-facts "$sf/facts.json"
expect_rc 2 "--save-facts beside planted symlinks"
if [ -n "$(ls -A "$victims")" ]; then fail "--save-facts followed a planted symlink: $(ls "$victims" | head -3)"
else ok "--save-facts follows no planted symlink"; fi
[ -f "$sf/facts.json" ] && [ ! -L "$sf/facts.json" ] && jq -e '.vms | length > 0' "$sf/facts.json" >/dev/null &&
	ok "--save-facts wrote the facts" || fail "--save-facts wrote no facts"
strays=$(ls -A "$sf" | grep -v '^facts\.json\(\.tmp\.[0-9]*\)\?$' | grep -c . || true)
[ "$strays" -eq 0 ] && ok "--save-facts leaves no temp file" || fail "--save-facts left $strays stray files"
# the old file's mode is kept
chmod 600 "$sf/facts.json"
vmsc $conn -f json -o /dev/null --save-facts "$sf/facts.json"
mode=$(stat -c %a "$sf/facts.json")
[ "$mode" = 600 ] && ok "--save-facts keeps the old file's mode" || fail "--save-facts mode $mode, expected 600"
# a missing directory: the same message as for -o, before any server is asked
vmsc $conn -f json --save-facts "$sf/no-such-dir/facts.json"
expect_rc 3 "--save-facts into a missing directory"
expect_err "cannot write '$sf/no-such-dir/facts.json': directory '$sf/no-such-dir' does not exist" "--save-facts names the missing directory"
expect_err_lines 1 "--save-facts into a missing directory: one line"

# Nagios: status line, perfdata, exit code, size cap
vmsc $conn -f nagios
expect_rc 2 "nagios exits 2 (CRITICAL)"
head -1 "$OUT" | grep -q '^VMSNAPCHECK CRITICAL - .*| .*vms='"$nvms"' ' && ok "nagios status line + perfdata" ||
	fail "nagios line: $(head -1 "$OUT")"
sz=$(wc -c <"$OUT")
[ "$sz" -lt 4096 ] && ok "nagios output under 4 KB ($sz)" || fail "nagios output $sz bytes"
vmsc $conn -f nagios 'snap-*'
expect_rc 1 "nagios WARNING exits 1"
head -1 "$OUT" | grep -q '^VMSNAPCHECK WARNING - ' && ok "nagios WARNING line" || fail "nagios: $(head -1 "$OUT")"
vmsc $conn -f nagios 'web-01'
expect_rc 0 "nagios OK exits 0"
head -1 "$OUT" | grep -q '^VMSNAPCHECK OK - ' && ok "nagios OK line" || fail "nagios: $(head -1 "$OUT")"

# CSV: parsed back, header, every VM present
vmsc $conn -f csv -o "$WORK_DIR/report.csv"
expect_rc 2 "csv exits 2"
if python3 - "$WORK_DIR/report.csv" "$nvms" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8')))
assert rows[0] == ['vcenter','vm','moid','status','rule','severity','waived','message','remedy',
                   'consistency'], rows[0]
vms = {r[2] for r in rows[1:]}
assert len(vms) == int(sys.argv[2]), (len(vms), sys.argv[2])
assert all(len(r) == 10 for r in rows), 'ragged rows'
assert any(r[1] == 'finance-ü-01' for r in rows), 'utf-8 name'
PY
then ok "csv parses with header and every VM"; else fail "csv did not parse as expected"; fi

# Consistency: every format says the same as the JSON report of the same inventory
jq -r '.vms[] | "\(.moid) \(.consistency.expected // "-")"' "$WORK_DIR/demo.json" | sort >"$WORK_DIR/cons.json.txt"
if python3 - "$WORK_DIR/report.csv" <<'PY' | sort | cmp -s - "$WORK_DIR/cons.json.txt"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8')))
seen = {}
for r in rows[1:]:
    if r[2]:
        assert seen.setdefault(r[2], r[9]) == r[9], ('one level per VM', r)
for moid, level in seen.items():
    print(moid, level or '-')
PY
then ok "csv consistency column matches json"; else fail "csv consistency differs from json"; fi
jq -r '.vms[] | select(.consistency.expected) | "\(.moid) \(.consistency.expected)"' "$WORK_DIR/demo.json" |
	sort >"$WORK_DIR/cons.prom.want"
sed -n 's/^vmsnapcheck_vm_consistency{.*moid="\([^"]*\)",level="\([a-z]*\)"} 1$/\1 \2/p' \
	"$WORK_DIR/vmsnap.prom" | sort >"$WORK_DIR/cons.prom.got"
if [ -s "$WORK_DIR/cons.prom.got" ] && cmp -s "$WORK_DIR/cons.prom.got" "$WORK_DIR/cons.prom.want"; then
	ok "prometheus vm_consistency matches json (evaluated VMs only)"
else fail "prometheus vm_consistency differs: $(diff "$WORK_DIR/cons.prom.want" "$WORK_DIR/cons.prom.got" | head -5)"; fi
jq -r '.vms[] | "\(.name)\t\(.consistency.expected // "")\t\(.consistency.limitedBy | join(","))"' \
	"$WORK_DIR/demo.json" | sort >"$WORK_DIR/cons.junit.want"
# (demo VM names hold no quote, so they can go into an XPath literal)
n=0 bad=0
while IFS="$(printf '\t')" read -r name level limits; do
	n=$((n + 1))
	got=$(xmllint --xpath "string(//testcase[@name='$name']/properties/property[@name='consistency']/@value)" "$WORK_DIR/results.xml")
	gotl=$(xmllint --xpath "string(//testcase[@name='$name']/properties/property[@name='limitedBy']/@value)" "$WORK_DIR/results.xml")
	[ "$got" = "$level" ] && [ "$gotl" = "$limits" ] || { bad=$((bad + 1)); echo "junit $name: '$got' '$gotl', want '$level' '$limits'"; }
done <"$WORK_DIR/cons.junit.want"
[ "$bad" -eq 0 ] && [ "$n" -eq "$nvms" ] && ok "junit consistency properties match json" ||
	fail "junit consistency properties differ for $bad VMs"
vmsc $conn -f nagios
perf=$(head -1 "$OUT" | sed 's/.*| //')
want=$(jq -r '.summary.consistency | "application=\(.application) filesystem=\(.filesystem) crash=\(.crash) none=\(.none)"' "$WORK_DIR/demo.json")
case "$perf" in *"$want time="*) ok "nagios perfdata counts per level";; *) fail "nagios perfdata '$perf', want '$want'";; esac

# text: an unknown format and colour forcing
vmsc $conn --color always 'rdm-*'
grep -q "$(printf '\033')" "$OUT" && ok "--color always colours" || fail "--color always gave no colour"
NO_COLOR=1 vmsc $conn 'rdm-*'
grep -q "$(printf '\033')" "$OUT" && fail "NO_COLOR ignored" || ok "NO_COLOR honoured"

# --list-rules: every rule id of the catalogue
vmsc --list-rules -f json
for id in tools-not-installed tools-not-running tools-outdated tools-unsupported \
	tools-upgrade-in-progress quiesce-disabled quiesce-enableuuid quiesce-ide-disk \
	independent-disk rdm-physical multi-writer-disk scsi-bus-sharing passthrough-device \
	fault-tolerance snapshot-count snapshot-age consolidation-needed guest-disk-space \
	vm-inaccessible; do
	jq -e --arg id "$id" 'map(.id) | index($id) != null' "$OUT" >/dev/null || fail "--list-rules lacks $id"
done
ok "--list-rules lists the catalogue"
finish
