#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --guest when vCenter sends the file transfers to the ESXi host that runs the
# VM (issue 13, docs/guest.md "File transfers"): the simulator's
# -guest-transfers host modes serve them from a second listener with its own
# certificate, whose SHA-1 the HostSystems report. The host is trusted
# through that thumbprint or a CA, never through vCenter's --thumbprint pin;
# no vCenter cookie goes to it (the host answers 400 to one); an untrusted or
# unreachable host is a clear reason, not a hang, and the VM keeps its
# vCenter-side result.
. "$(dirname "$0")/lib.sh"
require_cmd jq jq

vcpw=$(password_file vcpw x)
gpw=$(password_file guestpw guest-pw)
vms="guest-win-writer-failed-01 guest-linux-freeze-noexec-01"
cfg=$WORK_DIR/config.ini
printf '[guest "guest-linux-*"]\nusername = backupcheck\npassword_file = %s\n\n' "$gpw" >"$cfg"
printf '[guest "guest-*"]\nusername = CORP\\backupcheck\npassword_file = %s\n' "$gpw" >>"$cfg"

# guest SERVER-OPTIONS...: --guest on both VMs, credentials from $cfg
guest() {
	vmsc_cfg --config "$cfg" -u ops --password-file "$vcpw" --guest -f json "$@" $vms
}

# checked_with_rules WHAT: both VMs checked, their guest rules found (their
# findings need a transfer each: command output, tools.conf)
checked_with_rules() {
	if jq -e '
		([.vms[] | select(.name == "guest-win-writer-failed-01")][0] |
			.guest.checked and ([.findings[].rule] | index("vss-writer-failed"))) and
		([.vms[] | select(.name == "guest-linux-freeze-noexec-01")][0] |
			.guest.checked and ([.findings[].rule] | index("freeze-script-not-executable")))' \
		"$OUT" >/dev/null; then
		ok "$1: both guests checked through the host, their guest findings there"
	else
		fail "$1: $(jq -c '[.vms[] | {name, guest, rules: [.findings[].rule]}]' "$OUT") $(cat "$ERR")"
	fi
}

# not_checked_with REASON WHAT: both VMs not checked, the reason naming the
# host, their vCenter-side result kept
not_checked_with() {
	if jq -e --arg r "$1" '[.vms[] | .guest.checked == false and (.guest.reason | contains($r)) and
			(.consistency.expected != null)] | length == 2 and all' "$OUT" >/dev/null; then
		ok "$2: not checked, reason '$1 ...'"
	else
		fail "$2: $(jq -c '[.vms[] | {name, guest}]' "$OUT") $(cat "$ERR")"
	fi
}

no_temp_files() {
	n=$(curl -sS --cacert "$SIM_CERT" "${SIM_URL%/sdk}/vcsim/guest-temp-files" | jq -r '.live | length')
	[ "$n" = 0 ] && ok "$1: no temporary file left in any guest" || fail "$1: $n temporary files left"
}

# ---- the host's thumbprint as vCenter reports it
log=$WORK_DIR/host.log
: >"$log"
start_sim host -scenario "$SRC_DIR/tests/vcsim/scenarios/demo.json" -guest-transfers host \
	-request-log "$log"
guest -s "$SIM_URL" --cacert "$SIM_CERT"
expect_rc 2 "--cacert with vCenter's certificate only"
checked_with_rules "the host's own certificate, trusted by the thumbprint vCenter reports"
grep -qx 'GET /guestFile (host)' "$log" && ok "the transfers went to the host" ||
	fail "no transfer on the host listener: $(sort "$log" | uniq -c | tr '\n' ' ')"
grep -qx 'GET /guestFile' "$log" && fail "a transfer went to vCenter instead of the host" || true
no_temp_files "host mode"

guest -s "$SIM_URL" --thumbprint "$SIM_SHA256"
expect_rc 2 "--thumbprint pins vCenter"
checked_with_rules "--thumbprint (vCenter's pin) and the host's reported thumbprint"

# --debug: the cookie never goes to the host (it answers 400 to one: covered
# by the checks above), and the guest password is masked
vmsc_cfg --config "$cfg" -u ops --password-file "$vcpw" --guest -f json -s "$SIM_URL" --cacert "$SIM_CERT" \
	--debug guest-linux-freeze-noexec-01
grep -q 'guest-pw' "$ERR" && fail "--debug shows the guest password" ||
	ok "--debug with host transfers: no guest password"
grep -q 'Connected to 127.0.0.1' "$ERR" && ok "--debug shows the transfer connection" ||
	fail "--debug: no connection line"

# ---- a host certificate matching neither a CA nor the reported thumbprint
start_sim wrong -scenario "$SRC_DIR/tests/vcsim/scenarios/demo.json" -guest-transfers host-wrong-thumbprint
[ "$VCSIM_HOST_REPORTED_SHA1" != "$VCSIM_HOST_SHA1" ] || fail "fixture: the reported thumbprint is right"
guest -s "$SIM_URL" --cacert "$SIM_CERT"
expect_rc 0 "an untrusted host: the VMs keep their vCenter-side results (ok)"
not_checked_with "the certificate of ESXi host '127.0.0.1' (guest file transfers) is neither signed by a trusted CA" \
	"wrong thumbprint, no CA"
jq -e --arg t "$VCSIM_HOST_REPORTED_SHA1" '.vms[0].guest.reason | contains($t)' "$OUT" >/dev/null &&
	ok "the reason shows the thumbprint vCenter reported" || fail "reason: $(jq -r '.vms[0].guest.reason' "$OUT")"
no_temp_files "after the refused transfers"
guest -s "$SIM_URL" --cacert "$SIM_CERT" -f text
grep -q "guest not checked: the certificate of ESXi host '127.0.0.1'" "$OUT" &&
	ok "text shows the host's certificate as the reason" || fail "text: $(cat "$OUT")"

bundle=$WORK_DIR/bundle.pem
cat "$SIM_CERT" "$VCSIM_HOST_CERT" >"$bundle"
guest -s "$SIM_URL" --cacert "$bundle"
expect_rc 2 "--cacert with the host's CA"
checked_with_rules "a CA in --cacert trusts the host despite a wrong reported thumbprint"

guest -s "$SIM_URL" -k
expect_rc 2 "-k"
checked_with_rules "-k: no certificate check"

# vCenter's pin is not the host's: with --thumbprint and a wrong reported one
guest -s "$SIM_URL" --thumbprint "$SIM_SHA256"
not_checked_with "is neither signed by a trusted CA" "--thumbprint does not vouch for the host"

# ---- a CA-trusted certificate that names another host: refused for the name
start_sim misnamed -scenario "$SRC_DIR/tests/vcsim/scenarios/demo.json" -guest-transfers host-misnamed
cat "$SIM_CERT" "$VCSIM_HOST_CERT" >"$bundle"
guest -s "$SIM_URL" --cacert "$bundle"
not_checked_with "the certificate of ESXi host 'localhost' (guest file transfers) does not name it" \
	"a CA-trusted certificate naming another host"
guest -s "$SIM_URL" -k
checked_with_rules "-k: the misnamed host is not checked"

# ---- a host that cannot be reached: a reason, quickly
start_sim down -scenario "$SRC_DIR/tests/vcsim/scenarios/demo.json" -guest-transfers host-unreachable
t0=$(date +%s)
guest -s "$SIM_URL" --cacert "$SIM_CERT"
t1=$(date +%s)
expect_rc 0 "an unreachable host: the VMs keep their vCenter-side results (ok)"
not_checked_with "cannot reach ESXi host '127.0.0.1' for guest file transfers" "unreachable host"
[ $((t1 - t0)) -lt 30 ] && ok "unreachable host: done in $((t1 - t0)) s" ||
	fail "unreachable host took $((t1 - t0)) s"
no_temp_files "after the unreachable host"

# a host that takes the connection and never answers: --guest-timeout bounds
# each VM; with a budget longer than the connect timeout, the host's verdict
# is kept for the run, so the next VM on it does not wait again
port=${VCSIM_HOST_URL##*:}
accepted=$WORK_DIR/accepted
python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
    with open(sys.argv[2], "w") as f: f.write("%d\n" % len(conns))
' "$port" "$accepted" &
silent=$!
sleep 1
t0=$(date +%s)
guest -s "$SIM_URL" --cacert "$SIM_CERT" --guest-timeout 4
t1=$(date +%s)
not_checked_with "cannot reach ESXi host '127.0.0.1'" "a silent host"
[ $((t1 - t0)) -lt 8 ] && ok "a silent host: --guest-timeout 4 done in $((t1 - t0)) s" ||
	fail "a silent host took $((t1 - t0)) s with --guest-timeout 4"
before=$(cat "$accepted")
t0=$(date +%s)
guest -s "$SIM_URL" --cacert "$SIM_CERT" --guest-timeout 30 --guest-parallel 1
t1=$(date +%s)
kill "$silent" 2>/dev/null || true
wait "$silent" 2>/dev/null || true
not_checked_with "cannot reach ESXi host '127.0.0.1'" "a silent host, one lane"
tries=$(($(cat "$accepted") - before))
[ "$tries" = 1 ] && [ $((t1 - t0)) -lt 18 ] &&
	ok "a silent host: tried once for both VMs ($((t1 - t0)) s)" ||
	fail "a silent host: $tries connections, $((t1 - t0)) s for two VMs on one lane"
no_temp_files "after the silent host"

finish
