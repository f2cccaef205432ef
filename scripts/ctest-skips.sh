#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Reads a CTest log: exit 1 and name them when tests did not run (skipped,
# i.e. exit 77, or disabled), other than the ones allowed by name.  Their
# reasons come from Testing/Temporary/LastTest.log next to CTEST_LOG.
#   scripts/ctest-skips.sh BUILD_DIR/CTEST_LOG [ALLOWED_TEST...]
# VMSC_ALLOW_SKIP=1: report them, exit 0.
set -eu
log=$1
shift
# "The following tests did not run:" then lines "\t 27 - integration/x (Skipped)"
notrun=$(sed -n '/^The following tests did not run:/,/^[^[:space:]]/s/^[[:space:]]*[0-9][0-9]* - \([^ ]*\) (\(.*\))$/\1 (\2)/p' "$log")
bad=""
while IFS= read -r line; do
	[ -n "$line" ] || continue
	allowed=0
	for t in "$@"; do
		[ "${line%% *}" = "$t" ] && allowed=1
	done
	if [ "$allowed" -eq 1 ]; then
		echo "expected skip: $line"
	else
		bad="$bad
  $line"
	fi
done <<EOT
$notrun
EOT
[ -n "$bad" ] || exit 0
echo "tests did not run in $log:$bad" >&2
# the reason each gave: its "skip - ..." line
last=$(dirname "$log")/Testing/Temporary/LastTest.log
[ -f "$last" ] && grep -h '^skip - ' "$last" | sort -u | sed 's/^/  /' >&2 || true
if [ "${VMSC_ALLOW_SKIP:-0}" = 1 ]; then
	echo "VMSC_ALLOW_SKIP=1: accepted" >&2
	exit 0
fi
echo "every test must run (scripts/deps.sh --test installs what they need; run as root); VMSC_ALLOW_SKIP=1 accepts skips" >&2
exit 1
