#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The password stays in one buffer only, and in none once wiped: scanned in
# the memory of a process that logs in (the first try answered with 503),
# pages, logs in again and logs out
# (tests/integration/password_memory.c), with and without --debug.
. "$(dirname "$0")/lib.sh"

: "${PASSWORD_MEMORY_BIN:?}"
secret='Zq9&x<pW"m3-Kv7'\''nB' # the constant in password_memory.c
pw=$(password_file memory.pw "$secret")
start_sim memory -vms 120 -username ops -password-file "$pw" \
	-fault notauth:ContinueRetrievePropertiesEx:1 -fault http503:Login:1

run() { # run what [env...]
	what=$1
	shift
	OUT=$WORK_DIR/memory.out ERR=$WORK_DIR/memory.err
	set +e
	env "$@" "$PASSWORD_MEMORY_BIN" "$SIM_URL" "$SIM_CERT" ops "$pw" >"$OUT" 2>"$ERR"
	RC=$?
	set -e
	cat "$OUT"
	expect_rc 0 "$what: no stray copy of the password at any step"
}

run "plain run"
run "--debug run" PASSWORD_MEMORY_DEBUG=1
grep -q 'Login' "$ERR" && ok "--debug run traced SOAP" || fail "--debug run printed no trace"
finish
