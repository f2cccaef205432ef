#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The password stays in one buffer only, and in none once wiped: scanned in
# the memory of a process that logs in (the first try answered with 503),
# pages, logs in again and logs out
# (tests/integration/password_memory.c), with and without --debug.  Then the
# same for the guest password (issue 13) through the guest checks of
# tests/vcsim/scenarios/guest-memory.json's VMs, and --debug's trace of
# them holds no form of it.
. "$(dirname "$0")/lib.sh"

: "${PASSWORD_MEMORY_BIN:?}"
secret='Zq9&x<pW"m3-Kv7'\''nB'       # the constants in password_memory.c
guest_secret='Gq4&y<rT"k8>Jw2'\''mC' # and in guest-memory.json
pw=$(password_file memory.pw "$secret")
gpw=$(password_file memory-guest.pw "$guest_secret")
start_sim memory -vms 120 -username ops -password-file "$pw" \
	-fault notauth:ContinueRetrievePropertiesEx:1 -fault http503:Login:1

run() { # run what [env...]
	what=$1
	shift
	OUT=$WORK_DIR/memory.out ERR=$WORK_DIR/memory.err
	set +e
	env "$@" "$PASSWORD_MEMORY_BIN" "$SIM_URL" "$SIM_CERT" ops "$pw" $GUEST_ARG >"$OUT" 2>"$ERR"
	RC=$?
	set -e
	cat "$OUT"
	expect_rc 0 "$what: no stray copy of the password at any step"
}

GUEST_ARG=
run "plain run"
run "--debug run" PASSWORD_MEMORY_DEBUG=1
grep -q 'Login' "$ERR" && ok "--debug run traced SOAP" || fail "--debug run printed no trace"

# ---- the guest password
start_sim guest-memory -scenario "$SRC_DIR/tests/vcsim/scenarios/guest-memory.json" -username ops \
	-password-file "$pw" -fault notauth:ContinueRetrievePropertiesEx:1 -fault http503:Login:1
GUEST_ARG=$gpw
run "guest run"
run "guest --debug run" PASSWORD_MEMORY_DEBUG=1
for op in ValidateCredentialsInGuest ListRegistryValuesInGuest InitiateFileTransferFromGuest \
	CreateTemporaryFileInGuest StartProgramInGuest TerminateProcessInGuest DeleteFileInGuest \
	ListFilesInGuest; do
	grep -q "$op" "$ERR" || fail "guest --debug run: no $op in the trace"
done
grep -q 'GET /guestFile' "$ERR" && ok "guest --debug run traced every guest operation and the transfers" ||
	fail "guest --debug run: no transfer GET in the trace"
# in any form: raw, XML-escaped (its first characters are plain), URL-encoded
if grep -q -e 'Gq4' -e 'Zq9' "$ERR"; then
	fail "guest --debug run: a password in the trace: $(grep -n -e Gq4 -e Zq9 "$ERR" | head -3)"
else
	ok "guest --debug run: neither password in the trace"
fi
grep -q '<password>\*\*\*' "$ERR" && ok "guest --debug run: <password> masked" ||
	fail "guest --debug run: no masked <password>"
finish
