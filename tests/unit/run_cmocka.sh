#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs one cmocka test executable for CTest. cmocka exits 0 when a test calls
# skip(); this exits 77 instead (SKIP_RETURN_CODE: CTest shows "Not Run /
# Skipped", not "Passed") with one line naming the skipped tests. A failure
# stays a failure.
#   run_cmocka.sh EXECUTABLE [ARGS...]
set -u
log=$(mktemp "${TMPDIR:-/tmp}/vmsc-cmocka.XXXXXX") || exit 1
trap 'rm -f "$log"' EXIT
CMOCKA_MESSAGE_OUTPUT=stdout "$@" >"$log" 2>&1
rc=$?
cat "$log"
[ "$rc" -eq 0 ] || exit "$rc"
skipped=$(sed -n 's/^\[  SKIPPED \] \([^ ][^ ]*\)$/\1/p' "$log" | sort -u | tr '\n' ' ')
if [ -n "$skipped" ]; then
	echo "skip - $(basename "$1"): skipped: $skipped"
	exit 77
fi
exit 0
