#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The real binary under valgrind against the demo inventory: no invalid
# memory use and no definite leaks, for a JSON report, a -v run with globs
# (name-only pass, request counts) and an offline --facts run.  Skipped (exit
# 77) when valgrind is missing or the binary is built with ASan (they do not mix).
. "$(dirname "$0")/lib.sh"

require_cmd valgrind valgrind
if grep -qa __asan_init "$VMSC_BIN"; then
	skip_test "$VMSC_BIN is built with AddressSanitizer; valgrind cannot run it"
fi

pw=$(password_file valgrind.pw 'demo&<pw>')
start_sim valgrind -scenario "$SRC_DIR/tests/vcsim/scenarios/demo.json" \
	-username demo@vsphere.local -password-file "$pw"
conn="-s $SIM_URL -u demo@vsphere.local --password-file $pw --cacert $SIM_CERT"

# vg NAME ARGS...: vmsnapcheck under valgrind; log in $WORK_DIR/NAME.vg, exit code in $RC.
vg() {
	name=$1
	shift
	VG_LOG=$WORK_DIR/$name.vg OUT=$WORK_DIR/$name.out ERR=$WORK_DIR/$name.err
	set +e
	valgrind --leak-check=full --error-exitcode=99 --errors-for-leak-kinds=definite \
		--log-file="$VG_LOG" "$VMSC_BIN" --no-config "$@" >"$OUT" 2>"$ERR" </dev/null
	RC=$?
	set -e
}

# expect_clean WHAT EXPECTED_RC: valgrind found nothing, the run ended as without it.
expect_clean() {
	if [ "$RC" -eq 99 ]; then
		fail "$1: valgrind reported errors"
		sed 's/^/  valgrind: /' "$VG_LOG" | grep -v '^  valgrind: ==[0-9]*== *$' | head -60
		return 0
	fi
	ok "$1: no valgrind errors (exit $RC)"
	if grep -Eq 'definitely lost: 0 bytes|no leaks are possible' "$VG_LOG"; then
		ok "$1: definitely lost: 0"
	else
		fail "$1: leak summary: $(grep -E 'definitely lost' "$VG_LOG" || echo none)"
	fi
	[ "$RC" -eq "$2" ] && ok "$1: exit $RC as without valgrind" || fail "$1: exit $RC, expected $2"
}

# shellcheck disable=SC2086
vg json $conn -f json --save-facts "$WORK_DIR/facts.json"
expect_clean "json report" 2
jq -e '.vms | length > 0' "$OUT" >/dev/null && ok "json report has VMs" || fail "no VMs in json"

# shellcheck disable=SC2086
vg globs $conn -v 'tools-*' 'web-0?' --exclude 'tools-old-*'
expect_clean "-v run with globs" 2
grep -q 'web-01' "$OUT" && ok "-v lists the healthy VM" || fail "web-01 not in -v output"
grep -q 'requests to' "$ERR" && ok "-v prints request counts" || fail "no request counts"

vg facts --facts "$WORK_DIR/facts.json" -f junit
expect_clean "offline --facts run" 2

finish
