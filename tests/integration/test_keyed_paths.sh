#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# extraConfig keys by keyed path (config.extraConfig["KEY"]): the same
# findings as the whole property against a server that answers them, and
# against one that lists them in every missingSet or refuses them (the
# calibration falls back, with a notice under -v).  docs/properties.md.
. "$(dirname "$0")/lib.sh"
unset VMSNAPCHECK_EXTRA_CONFIG

pw=$(password_file keyed.pw secret)
demo="$SRC_DIR/tests/vcsim/scenarios/demo.json"
log=$WORK_DIR/requests.log
findings() { jq -S '[.vms[] | {name, status, rules: ([.findings[].rule] | sort)}]' "$1"; }

# the reference: the whole property, forced
start_sim whole -scenario "$demo" -request-log "$log"
conn="-s $SIM_URL -u user --password-file $pw --cacert $SIM_CERT"
VMSNAPCHECK_EXTRA_CONFIG=whole vmsc $conn -f json -v
expect_rc 2 "whole extraConfig: demo report"
expect_err "VMSNAPCHECK_EXTRA_CONFIG=whole" "forcing the whole property is said under -v"
findings "$OUT" >"$WORK_DIR/whole.json"
whole_kib=$(grep -o '[0-9.]* KiB received' "$ERR" | awk '{print $1}')

for mode in vcenter missingset fault; do
	start_sim "$mode" -scenario "$demo" -keyed-paths "$mode" -request-log "$log"
	conn="-s $SIM_URL -u user --password-file $pw --cacert $SIM_CERT"
	: >"$log"
	vmsc $conn -f json -v
	expect_rc 2 "$mode: demo report"
	findings "$OUT" >"$WORK_DIR/$mode.json"
	if cmp -s "$WORK_DIR/$mode.json" "$WORK_DIR/whole.json"; then
		ok "$mode: the same findings as the whole extraConfig"
	else
		fail "$mode: findings differ: $(diff "$WORK_DIR/whole.json" "$WORK_DIR/$mode.json" | head -20)"
	fi
	expect_err "RetrievePropertiesEx (keyed paths) 2" "$mode: calibration in two requests"
	# constant cost: two small requests and a cancel, whatever the inventory
	n=$(grep -c '^RetrievePropertiesEx$' "$log" || true)
	[ "$n" -eq 4 ] && ok "$mode: 2 fetches + 2 calibration requests" || fail "$mode: $n RetrievePropertiesEx"
	kib=$(grep -o '[0-9.]* KiB received' "$ERR" | awk '{print $1}')
	case $mode in
	vcenter)
		grep -q "keyed property paths not answered" "$ERR" &&
			fail "vcenter: fell back" || ok "vcenter: keyed paths used"
		awk -v a="$kib" -v b="$whole_kib" 'BEGIN { exit !(a < b) }' &&
			ok "vcenter: fewer bytes ($kib KiB) than the whole property ($whole_kib KiB)" ||
			fail "vcenter: $kib KiB, whole $whole_kib KiB"
		# the simulator lists a key a VM lacks in its missingSet (InvalidProperty):
		# "not set", so no VM became unknown (the findings above are the same)
		u=$(jq '[.vms[] | select(.status == "unknown")] | length' "$OUT")
		[ "$u" -eq "$(jq '[.[] | select(.status == "unknown")] | length' "$WORK_DIR/whole.json")" ] &&
			ok "vcenter: a missing key is not set, not unreadable" || fail "vcenter: $u unknown"
		;;
	*)
		expect_err "keyed property paths not answered" "$mode: the fallback is said under -v"
		vmsc $conn -f json
		[ -s "$ERR" ] && fail "$mode: a notice without -v: $(cat "$ERR")" ||
			ok "$mode: no notice without -v"
		;;
	esac
done

# NoPermission on a keyed path is unreadable (the VM is unknown), not "not set"
start_sim noperm -scenario "$demo" -fault 'nopermission:web-01'
conn="-s $SIM_URL -u user --password-file $pw --cacert $SIM_CERT"
vmsc $conn -f json
u0=$(jq '[.[] | select(.status == "unknown")] | length' "$WORK_DIR/whole.json")
u=$(jq '[.vms[] | select(.status == "unknown")] | length' "$OUT")
[ "$u" -eq $((u0 + 1)) ] && ok "NoPermission on keyed paths: the VM is unknown" ||
	fail "NoPermission: $u unknown VMs, $u0 without the fault"
finish
