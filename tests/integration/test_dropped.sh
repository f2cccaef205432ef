#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A connection dropped in the middle of a page (load balancers and idle
# timeouts in front of vCenter do this): the retrieval starts over once on a
# new connection, same session, no VM twice, one notice; a second drop is
# exit 3 with one clear line.  Both --connections modes.
. "$(dirname "$0")/lib.sh"

# The faults here are placed by request number on the VM view's requests:
# the Datastore view (datastore-low-space, read first) is left out of them.
nods=$WORK_DIR/no-datastores.ini
printf '[rule "datastore-low-space"]\nenabled = false\n' >"$nods"
vmsc() { vmsc_cfg --config "$nods" "$@"; }

pw=$(password_file dropped.pw 'drop-pw')
log=$WORK_DIR/requests.log
scen="-scenario $SRC_DIR/tests/vcsim/scenarios/demo.json"

# start_faulty NAME FAULT...: a simulator with the given -fault specs
start_faulty() {
	n=$1
	shift
	args=""
	for f in "$@"; do args="$args -fault $f"; done
	: >"$log"
	# shellcheck disable=SC2086
	start_sim "$n" -vms 300 $scen -request-log "$log" $args
	conn="-s $SIM_URL -u ops --password-file $pw --cacert $SIM_CERT"
}
count() { grep -c "^$1\$" "$log" || true; }

# cut_once WHAT FAULT [ARGS...]: the page is cut once (truncate: full
# Content-Length, half the body, connection closed); compared to the same
# run again on the same simulator, where the fault no longer fires.
cut_once() {
	what=$1 fault=$2
	shift 2
	start_faulty "$what" "$fault"
	vmsc $conn -f json --page-size 50 "$@"
	got_rc=$RC logins=$(count Login) firsts=$(count RetrievePropertiesEx)
	cp "$OUT" "$WORK_DIR/cut.json"
	cp "$ERR" "$WORK_DIR/cut.err"
	vmsc $conn -f json --page-size 50 "$@"
	ref_rc=$RC
	RC=$got_rc OUT=$WORK_DIR/cut.json ERR=$WORK_DIR/cut.err
	[ "$RC" -le 2 ] && [ "$RC" -eq "$ref_rc" ] && ok "$what: exit by findings ($RC)" ||
		fail "$what: exit $RC, without the cut $ref_rc"
	jq -e '.vcenters[0].error == null and .vcenters[0].status != "unknown"' "$OUT" >/dev/null &&
		ok "$what: no vCenter error" || fail "$what: vCenter marked $(jq -c '.vcenters[0]' "$OUT")"
	a=$(jq -c '[.vms[] | [.moid, .status]] | sort' "$OUT")
	b=$(jq -c '[.vms[] | [.moid, .status]] | sort' "$WORK_DIR/out.txt")
	[ -n "$a" ] && [ "$a" = "$b" ] && [ "$(jq '[.vms[].moid] | unique | length' "$OUT")" -eq \
		"$(jq '.vms | length' "$OUT")" ] && ok "$what: same VMs as without the cut, none twice" ||
		fail "$what: VMs differ from the run without the cut"
	[ "$logins" -eq 1 ] && ok "$what: same session (one Login)" || fail "$what: $logins logins"
	[ "$firsts" -ge 2 ] && ok "$what: the retrieval started over" ||
		fail "$what: $firsts RetrievePropertiesEx"
}

for k in 1 2; do
	cut_once "cut-c$k" truncate:ContinueRetrievePropertiesEx:2 --connections "$k"
	expect_err_lines 1 "cut-c$k: one line on stderr"
	expect_err "dropped during ContinueRetrievePropertiesEx" "cut-c$k: a notice says so"
done
# the first page (always on the first connection)
cut_once cut-first truncate:RetrievePropertiesEx:1
expect_err_lines 1 "cut-first: one line on stderr"
# the name-only pass of a glob run
cut_once cut-glob truncate:ContinueRetrievePropertiesEx:2 'vm-00[0-2]*'
expect_err_lines 1 "cut-glob: one line on stderr"
cut_once cut-quiet truncate:ContinueRetrievePropertiesEx:2 -q
expect_err_lines 0 "cut-quiet: -q, no notice"

# a new TCP/TLS connection after the cut, even where one is still open
start_faulty cut-fresh truncate:ContinueRetrievePropertiesEx:2
vmsc $conn -f json --page-size 50 --debug
# what the first request after the notice went out on
next=$(awk '/dropped during/ { seen = 1; next }
	seen && /^\* (Connected to|Re-using existing connection)/ { print $2; exit }' "$ERR")
[ "$RC" -le 2 ] && [ "$next" = Connected ] && ok "cut: started over on a new connection" ||
	fail "cut: exit $RC, after the notice: '$next'"

# cut every time: one restart (its notice), then exit 3 with one clear line
for k in 1 2; do
	start_faulty "cut-always-c$k" truncate:ContinueRetrievePropertiesEx
	vmsc $conn -f json --page-size 50 --connections "$k"
	expect_rc 3 "cut-always-c$k: a second drop"
	expect_err_lines 2 "cut-always-c$k: the notice and the error on stderr"
	expect_err "dropped again during ContinueRetrievePropertiesEx" "cut-always-c$k: explained"
	[ "$(count RetrievePropertiesEx)" -eq 2 ] && ok "cut-always-c$k: started over only once" ||
		fail "cut-always-c$k: $(count RetrievePropertiesEx) RetrievePropertiesEx"
	jq -e '.status == "unknown"' "$OUT" >/dev/null && ok "cut-always-c$k: report says unknown" ||
		fail "cut-always-c$k: report not marked unknown"
done
start_faulty cut-always-quiet truncate:RetrievePropertiesEx
vmsc $conn -f json -q
expect_rc 3 "cut-always -q: a second drop"
expect_err_lines 1 "cut-always -q: only the error"
expect_err "dropped again during RetrievePropertiesEx" "cut-always -q: explained"
finish
