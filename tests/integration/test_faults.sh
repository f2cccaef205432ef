#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The fault matrix: every way a server can fail gives exit 3 and one clear
# line, never a hang, a crash or a report that looks complete.
. "$(dirname "$0")/lib.sh"

pw=$(password_file faults.pw 'fault-pw')
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

start_faulty expire1 notauth:ContinueRetrievePropertiesEx:2
vmsc $conn -f json --page-size 100
[ "$RC" -eq 2 ] && ok "session expiry mid-paging: logs in again, completes (exit 2)" || fail "expiry: exit $RC"
n=$(jq '.vms | length' "$OUT" 2>/dev/null || echo 0)
[ "$n" -eq 342 ] && ok "expiry: all 342 VMs, none twice" || fail "expiry: $n VMs"
[ "$(count Login)" -eq 2 ] && ok "expiry: exactly one re-login" || fail "expiry: $(count Login) logins"
expect_err_lines 1 "expiry: one line on stderr"
expect_err "expired during ContinueRetrievePropertiesEx" "expiry: a notice says so"
[ "$(count RetrievePropertiesEx)" -eq 2 ] && ok "expiry: the retrieval started over once" ||
	fail "expiry: $(count RetrievePropertiesEx) RetrievePropertiesEx"

start_faulty expire2 notauth:ContinueRetrievePropertiesEx:1 notauth:ContinueRetrievePropertiesEx:2
vmsc $conn -f json --page-size 100
expect_rc 3 "second expiry"
expect_err "expired again" "second expiry explained"

# With VM globs or --exclude a name-only pass runs first.  An expiry there
# (or in the pass over the matches) starts over too: the run ends by its
# findings, exactly as a run without the expiry, with one notice (not with -q).
# expiry_case WHAT FAULT [ARGS...]
expiry_case() {
	what=$1 fault=$2
	shift 2
	start_faulty "exp-$what" "$fault"
	vmsc $conn -f json --page-size 100 "$@"
	got_rc=$RC logins=$(count Login)
	cp "$OUT" "$WORK_DIR/expired.json"
	cp "$ERR" "$WORK_DIR/expired.err"
	# the fault fired once: the same run again is the reference
	vmsc $conn -f json --page-size 100 "$@"
	ref_rc=$RC
	RC=$got_rc OUT=$WORK_DIR/expired.json ERR=$WORK_DIR/expired.err
	[ "$RC" -le 2 ] && [ "$RC" -eq "$ref_rc" ] && ok "$what: exit by findings ($RC)" ||
		fail "$what: exit $RC, without the expiry $ref_rc"
	jq -e '.vcenters[0].error == null and .vcenters[0].status != "unknown"' "$OUT" >/dev/null &&
		ok "$what: no vCenter error" || fail "$what: vCenter marked $(jq -c '.vcenters[0]' "$OUT")"
	a=$(jq -c '[.vms[] | [.moid, .status]] | sort' "$OUT")
	b=$(jq -c '[.vms[] | [.moid, .status]] | sort' "$WORK_DIR/out.txt")
	[ -n "$a" ] && [ "$a" = "$b" ] && [ "$(jq '[.vms[].moid] | unique | length' "$OUT")" -eq \
		"$(jq '.vms | length' "$OUT")" ] && ok "$what: same VMs as without the expiry, none twice" ||
		fail "$what: VMs differ from the run without the expiry"
	[ "$logins" -eq 2 ] && ok "$what: exactly one re-login" || fail "$what: $logins logins"
}
expiry_case glob notauth:ContinueRetrievePropertiesEx:2 'web-*'
expect_err_lines 1 "glob expiry: one line on stderr"
expect_err "expired during ContinueRetrievePropertiesEx" "glob expiry: a notice says so"
expiry_case exclude notauth:ContinueRetrievePropertiesEx:2 --exclude 'vm-0*' --connections 1
expect_err_lines 1 "--exclude expiry: one line on stderr"
# 342 VMs: the name pass is RetrievePropertiesEx #1, the matches #2-#5
expiry_case matches notauth:RetrievePropertiesEx:3 '*'
expect_err_lines 1 "expiry in the pass over the matches: one line on stderr"
expiry_case quiet notauth:ContinueRetrievePropertiesEx:2 -q 'web-*'
expect_err_lines 0 "-q: no notice"

start_faulty noperm 'nopermission:tools-*'
vmsc $conn -f json
expect_rc 3 "NoPermission on some VMs"
u=$(jq '[.vms[] | select(.status == "unknown")] | length' "$OUT")
[ "$u" -eq 4 ] && ok "the 4 unreadable VMs are unknown" || fail "$u unknown VMs"
jq -e '[.vms[] | select(.status == "unknown") | .reason | test("NoPermission")] | all' "$OUT" >/dev/null &&
	ok "unknown VMs name the fault" || fail "unknown VMs lack the fault"
jq -e '.status == "unknown" and (.vms | length) == 342' "$OUT" >/dev/null &&
	ok "the rest still reported, run unknown" || fail "noperm report wrong"

start_faulty stall stall:RetrievePropertiesEx
t0=$(date +%s)
vmsc $conn -t 3
t1=$(date +%s)
expect_rc 3 "stalled server"
[ $((t1 - t0)) -lt 15 ] && ok "stall ends after the timeout ($((t1 - t0)) s)" || fail "stall took $((t1 - t0)) s"
expect_err "no answer from '127.0.0.1'" "stall explained"
[ "$(count Logout)" -eq 1 ] && ok "logged out after the stall" || fail "no Logout after stall"

start_faulty h500 http500:RetrievePropertiesEx
vmsc $conn
expect_rc 3 "HTTP 500 with HTML"
expect_err "HTTP/1.1 500" "status line quoted"
expect_err_lines 1 "HTTP 500: one line"

start_faulty h503 http503:Login:1
vmsc $conn 'web-01'
expect_rc 0 "one HTTP 503 on Login is retried"
start_faulty h503b http503:RetrievePropertiesEx:9
vmsc $conn
expect_rc 3 "persistent HTTP 503"
expect_err "503" "503 quoted"
[ "$(count RetrievePropertiesEx)" -eq 3 ] && ok "503: bounded retries (3 attempts)" ||
	fail "503: $(count RetrievePropertiesEx) attempts"

# (truncate: the connection drops every time; one restart, see test_dropped.sh)
for kind in truncate garbage wrongns; do
	start_faulty "$kind" "$kind:RetrievePropertiesEx"
	vmsc $conn -f json
	expect_rc 3 "$kind reply"
	if [ "$kind" = truncate ]; then
		expect_err "dropped again during RetrievePropertiesEx" "$kind: dropped connection"
	else
		expect_err "unreadable reply to RetrievePropertiesEx" "$kind: unreadable reply"
	fi
	[ -s "$OUT" ] && jq -e '.status == "unknown"' "$OUT" >/dev/null && ok "$kind: report says unknown" ||
		fail "$kind: report not marked unknown"
done

# the same on a page asked ahead (the second Continue is asked while the first is read);
# a page cut once is read again: test_dropped.sh
for kind in truncate garbage wrongns; do
	[ "$kind" = truncate ] && continue
	start_faulty "ahead-$kind" "$kind:ContinueRetrievePropertiesEx:2"
	vmsc $conn -f json --page-size 50
	expect_rc 3 "$kind reply to a page asked ahead"
	expect_err "unreadable reply to ContinueRetrievePropertiesEx" "ahead-$kind: unreadable reply"
	jq -e '.status == "unknown"' "$OUT" >/dev/null && ok "ahead-$kind: report says unknown" ||
		fail "ahead-$kind: report not marked unknown"
done
start_faulty ahead503 http503:ContinueRetrievePropertiesEx:1
vmsc $conn -f json --page-size 50
[ "$RC" -eq 2 ] && [ "$(jq '.vms | length' "$OUT")" -eq 342 ] &&
	ok "a 503 on a page asked ahead is retried: all 342 VMs" || fail "ahead 503: exit $RC"

start_faulty endless endless:RetrievePropertiesEx
VMSNAPCHECK_MAX_RESPONSE_MB=8 vmsc $conn -t 60
expect_rc 3 "endless reply"
expect_err "larger than 8 MiB" "endless reply capped"

# SIGINT mid-run: logs out, leaves the previous -o file alone, exit 3
start_faulty sigint stall:RetrievePropertiesEx
echo previous >"$WORK_DIR/keep.json"
interrupt_when true $conn -f json -o "$WORK_DIR/keep.json" -t 30
expect_rc 3 "SIGINT"
[ "$(cat "$WORK_DIR/keep.json")" = previous ] && ok "previous -o file untouched" || fail "-o file changed"
[ "$(count Logout)" -eq 1 ] && ok "logged out after SIGINT" || fail "no Logout after SIGINT"
ls -a "$WORK_DIR" | grep -q '^\.keep.json' && fail "temp file left" || ok "no temp file left"

# --debug masks the password (raw and XML-escaped) and the session cookie
secret='p&ss<w"rd'
dpw=$(password_file debug.pw "$secret")
start_sim debug $scen -username ops -password-file "$dpw"
vmsc -s "$SIM_URL" -u ops --password-file "$dpw" --cacert "$SIM_CERT" --debug web-01
expect_rc 0 "--debug run"
grep -q 'Login' "$ERR" && ok "--debug traces SOAP" || fail "--debug printed no trace"
if grep -qF -e "$secret" -e 'p&amp;ss&lt;w' "$ERR"; then fail "password in the debug trace"; else
	ok "password masked (raw and escaped)"; fi
if grep -Eq 'vmware_soap_session=[^*; ]*[A-Za-z0-9]' "$ERR"; then fail "cookie in the debug trace"; else
	ok "session cookie masked"; fi
finish
