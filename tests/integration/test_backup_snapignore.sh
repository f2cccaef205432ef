#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# [backup] (backup-age, custom attributes and notes) and [thresholds]
# snapshot_ignore against the demo inventory, with a config file.
. "$(dirname "$0")/lib.sh"

pw=$(password_file demo.pw 'demo-pw')
start_sim demo -scenario "$SRC_DIR/tests/vcsim/scenarios/demo.json" \
	-username demo@vsphere.local -password-file "$pw" -request-log "$WORK_DIR/requests.log"
conn="-s $SIM_URL -u demo@vsphere.local --password-file $pw --cacert $SIM_CERT"

# rules and messages of one VM in the last JSON report
vm_rules() { jq -r --arg n "$1" '[.vms[] | select(.name == $n) | .findings[].rule] | join(",")' "$OUT"; }
vm_msg() { jq -r --arg n "$1" --arg r "$2" '.vms[] | select(.name == $n) | .findings[] | select(.rule == $r) | .message' "$OUT"; }

# --- backup-age from a custom attribute
cfg=$WORK_DIR/backup.ini
printf '[backup]\nattribute = Last Backup\n' >"$cfg"
: >"$WORK_DIR/requests.log"
# shellcheck disable=SC2086
vmsc_cfg --config "$cfg" $conn -f json 'backup-age-*'
[ "$(vm_rules backup-age-fresh-01)" = "" ] && ok "fresh backup: no finding" ||
	fail "fresh backup: $(vm_rules backup-age-fresh-01)"
vm_msg backup-age-stale-01 backup-age | grep -Eq '^last backup 2 days ago .*custom attribute .Last Backup.*max_age_hours = 26' &&
	ok "stale backup: backup-age" || fail "stale backup: '$(vm_msg backup-age-stale-01 backup-age)'"
[ "$(vm_msg backup-age-none-01 backup-age)" = "no backup recorded (custom attribute 'Last Backup' is not set on this VM)" ] &&
	ok "no backup attribute: no backup recorded" || fail "none: '$(vm_msg backup-age-none-01 backup-age)'"
[ "$(grep -c '^RetrievePropertiesEx' "$WORK_DIR/requests.log")" -le 4 ] &&
	ok "custom attribute definitions: no per-VM requests" || fail "requests: $(sort "$WORK_DIR/requests.log" | uniq -c)"

# saved facts carry the values by name; offline evaluation agrees
# shellcheck disable=SC2086
SOURCE_DATE_EPOCH=1700000000 vmsc_cfg --config "$cfg" $conn -f json --save-facts "$WORK_DIR/facts.json" 'backup-age-*'
cp "$OUT" "$WORK_DIR/online.json"
jq -e '.vms[] | select(.name == "backup-age-fresh-01") | .customValues["Last Backup"] | test("^[0-9]{4}-")' \
	"$WORK_DIR/facts.json" >/dev/null && ok "facts: customValues by name" || fail "facts lack customValues"
SOURCE_DATE_EPOCH=1700000000 vmsc_cfg --config "$cfg" --facts "$WORK_DIR/facts.json" -f json
if [ "$(jq -S .vms "$OUT")" = "$(jq -S .vms "$WORK_DIR/online.json")" ]; then
	ok "offline backup-age equals online"; else fail "offline backup-age differs"; fi

# an attribute the vCenter does not have: one notice
printf '[backup]\nattribute = Last Backup Time\n' >"$cfg"
# shellcheck disable=SC2086
vmsc_cfg --config "$cfg" $conn -f json 'backup-age-fresh-01'
expect_err "custom attribute 'Last Backup Time' does not exist" "missing attribute: notice"
[ "$(grep -c 'does not exist' "$ERR")" -eq 1 ] && ok "one notice per vCenter" || fail "notices: $(cat "$ERR")"

# --- backup-age from the notes (no zone: UTC)
printf '[backup]\nnotes_regex = Last backup: (.*)\n' >"$cfg"
# shellcheck disable=SC2086
vmsc_cfg --config "$cfg" $conn -f json 'backup-age-notes-01' 'backup-age-fresh-01'
vm_msg backup-age-notes-01 backup-age | grep -Eq '^last backup (29|30) hours ago .*from the notes' &&
	ok "notes: stale backup" || fail "notes: '$(vm_msg backup-age-notes-01 backup-age)'"
vm_msg backup-age-fresh-01 backup-age | grep -q 'no backup recorded (the notes have no match' &&
	ok "notes: none recorded" || fail "notes none: '$(vm_msg backup-age-fresh-01 backup-age)'"

# --- snapshot_ignore
printf '[thresholds]\nsnapshot_ignore = VEEAM BACKUP TEMPORARY SNAPSHOT, TSM-VM*\n' >"$cfg"
# shellcheck disable=SC2086
vmsc_cfg --config "$cfg" $conn -f json 'snap-veeam-*' 'snap-sprawl-01'
[ "$(vm_rules snap-veeam-01)" = "" ] && ok "a running backup's snapshot is ignored" ||
	fail "snap-veeam-01: $(vm_rules snap-veeam-01)"
vm_msg snap-veeam-left-01 snapshot-age | grep -q "a backup snapshot left behind" &&
	ok "a left-behind backup snapshot counts again" || fail "left: '$(vm_msg snap-veeam-left-01 snapshot-age)'"
[ "$(vm_rules snap-sprawl-01)" = "snapshot-count" ] && ok "other snapshots still count" ||
	fail "snap-sprawl-01: $(vm_rules snap-sprawl-01)"
finish
