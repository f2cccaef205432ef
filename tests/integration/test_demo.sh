#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The demo inventory: every VM gets exactly the findings it was built for,
# in every output format the foundation has, over HTTPS with --cacert.
. "$(dirname "$0")/lib.sh"

pw=$(password_file demo.pw 'demo&<pw>')
start_sim demo -scenario "$SRC_DIR/tests/vcsim/scenarios/demo.json" \
	-username demo@vsphere.local -password-file "$pw"
conn="-s $SIM_URL -u demo@vsphere.local --password-file $pw --cacert $SIM_CERT"

# shellcheck disable=SC2086
vmsc $conn -f json
expect_rc 2 "demo report exits 2 (errors found)"
# consistency (the expected level, null when not evaluated) is compared
# wherever demo.expected.json gives one
diff=$(jq -n --slurpfile a "$OUT" --slurpfile e "$SRC_DIR/tests/vcsim/scenarios/demo.expected.json" '
  ($a[0].vms | map({key: .name, value: {status, rules: ([.findings[].rule] | unique),
                                        consistency: .consistency.expected}})
   | from_entries) as $act
  | ($e[0] | with_entries(.value = ({status: .value.status, rules: (.value.rules | unique)}
      + if .value | has("consistency") then {consistency: .value.consistency} else {} end)))
    as $exp
  | [($exp | keys[]) as $k
       | select($act[$k] == null or ($act[$k] | with_entries(select(.key as $f | $exp[$k] | has($f))))
                != $exp[$k])
       | {vm: $k, expected: $exp[$k], actual: $act[$k]}]
  + [($act | keys[]) as $k | select($exp[$k] == null) | {vm: $k, unexpected: $act[$k]}]')
if [ "$diff" = "[]" ]; then ok "every demo VM has exactly its expected findings and consistency"; else
	fail "demo findings differ: $diff"; fi
# the demo shows every level, and skipped VMs have none
jq -e '[.vms[].consistency.expected] as $l
       | ["application", "filesystem", "crash", "none"] | all(. as $x | $l | index($x) != null)' \
	"$OUT" >/dev/null && ok "demo has a VM of every consistency level" ||
	fail "demo lacks a consistency level"
jq -e '[.vms[] | select(.status == "skipped" or .status == "unknown")
        | select(.consistency.expected != null or (.consistency.limitedBy | length) > 0)] == []
       and .summary.consistency.application + .summary.consistency.filesystem
           + .summary.consistency.crash + .summary.consistency.none
           == .summary.vms - .summary.skipped - .summary.unknown' "$OUT" >/dev/null &&
	ok "consistency null for skipped VMs; summary counts add up" ||
	fail "consistency of skipped VMs or summary counts wrong"
jq -e '.vms[] | select(.name == "win-nouuid-01") | .consistency
       == {"expected": "filesystem", "limitedBy": ["quiesce-enableuuid"]}' "$OUT" >/dev/null &&
	ok "limitedBy names the capping rule" || fail "win-nouuid-01 consistency wrong"
cp "$OUT" "$WORK_DIR/demo.json"

# every finding carries a message and a remedy
n=$(jq '[.vms[].findings[] | select((.message | length) == 0 or (.remedy | length) == 0)] | length' "$OUT")
[ "$n" -eq 0 ] && ok "findings have messages and remedies" || fail "$n findings lack message or remedy"
jq -e '.schemaVersion == 1 and .exitCode == 2 and .status == "error"
       and (.vcenters | length) == 1 and .vcenters[0].apiVersion != null
       and .summary.vms == (.vms | length)' "$OUT" >/dev/null &&
	ok "json envelope" || fail "json envelope"
# names are decoded and UTF-8 survives
jq -e '[.vms[].name] | index("finance-ü-01") != null and index("backup/test") != null' "$OUT" \
	>/dev/null && ok "UTF-8 and escaped names decoded" || fail "names not decoded"

# deterministic apart from time
SOURCE_DATE_EPOCH=1700000000 vmsc $conn -f json
cp "$OUT" "$WORK_DIR/a.json"
SOURCE_DATE_EPOCH=1700000000 vmsc $conn -f json --page-size 3
if cmp -s "$OUT" "$WORK_DIR/a.json"; then ok "two runs (different page sizes) are identical"; else
	fail "reports differ between runs"; fi

# text: table, remedies, summary line
vmsc $conn
expect_rc 2 "text report exits 2"
grep -q "fix: " "$OUT" && ok "text shows remedies" || fail "no remedies in text"
grep -Eq '^[0-9]+ VMs: [0-9]+ ok, [0-9]+ warning, [0-9]+ error, [0-9]+ unknown, [0-9]+ skipped' "$OUT" &&
	ok "text summary line" || fail "no summary line"
grep -q "$(printf '\033')" "$OUT" && fail "colour escapes in non-TTY output" || ok "no colour when not a TTY"
head -1 "$OUT" | grep -Eq '^STATUS +VM +POWER +CONSISTENCY +FINDINGS$' &&
	ok "text table has a CONSISTENCY column" || fail "text header: $(head -1 "$OUT")"
grep -Eq '^error +tools-stopped-01 +poweredOn +crash +1$' "$OUT" &&
	ok "text shows the level of a VM" || fail "text lacks tools-stopped-01's level"

# globs: only matching VMs, fetched after a name-only pass
vmsc $conn -f json 'tools-*' --exclude 'tools-old-*'
names=$(jq -r '[.vms[].name] | join(",")' "$OUT")
[ "$names" = "tools-stopped-01,tools-tooold-01,tools-upgrading-01" ] &&
	ok "glob + exclude select VMs" || fail "glob selection gave '$names'"
vmsc $conn -f json 'web-01'
expect_rc 0 "a healthy VM alone exits 0"
vmsc $conn 'no-such-vm-*'
expect_rc 3 "a glob matching nothing exits 3"
expect_err "no VM matches" "says no VM matched"

# facts round trip: --save-facts, then --facts offline gives the same report
SOURCE_DATE_EPOCH=1700000000 vmsc $conn -f json --save-facts "$WORK_DIR/facts.json"
cp "$OUT" "$WORK_DIR/online.json"
SOURCE_DATE_EPOCH=1700000000 vmsc --facts "$WORK_DIR/facts.json" -f json
expect_rc 2 "offline evaluation exits like the online one"
if jq -S 'del(.vcenters[].status) | .vms' "$OUT" | cmp -s - "$(jq -S 'del(.vcenters[].status) | .vms' "$WORK_DIR/online.json" >"$WORK_DIR/on.vms"; echo "$WORK_DIR/on.vms")"; then
	ok "offline report equals online report"
else
	fail "offline report differs"
fi

# datastore-low-space: the datastore and both figures; saved with the facts
msg=$(jq -r '.vms[] | select(.name == "ds-full-01") | .findings[0].message' "$OUT")
case $msg in
"datastore 'ds-full' has 20.0 GB free (4.0% of 500.0 GB)"*"snapshot reserve of 20.0 GB"*)
	ok "datastore-low-space names the datastore, free GB and %, reserve GB" ;;
*) fail "datastore-low-space message: $msg" ;;
esac
jq -e '.vcenters[0].datastores | map(select(.name == "ds-full" and .freeSpace == 21474836480))
       | length == 1' "$WORK_DIR/facts.json" >/dev/null &&
	ok "--save-facts keeps the datastores" || fail "facts file lacks the datastores"
finish
