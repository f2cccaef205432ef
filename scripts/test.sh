#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The whole test suite: install what is missing, build, run CTest (unit +
# simulator integration + valgrind), again under ASan/UBSan, then each
# libFuzzer harness briefly.  VMSC_SKIP_SANITIZE=1 / VMSC_SKIP_FUZZ=1 skip those.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
# ctest's status does not survive tee (dash has no pipefail): the logs decide
rm -f "$build/ctest.log" "$build-asan/ctest.log"

"$root/scripts/deps.sh" --test
BUILD_DIR=$build "$root/scripts/build.sh"
(cd "$build" && ctest --output-on-failure -j 2) | tee "$build/ctest.log"

if [ "${VMSC_SKIP_SANITIZE:-0}" != 1 ]; then
	BUILD_DIR=$build-asan BUILD_TYPE=Debug "$root/scripts/build.sh" -DVMSC_SANITIZE=ON
	(cd "$build-asan" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j 2) | tee "$build-asan/ctest.log"
fi

# a short libFuzzer run per parser (tests/fuzz/README.md for longer ones)
if [ "${VMSC_SKIP_FUZZ:-0}" != 1 ]; then
	FUZZ_BUILD_DIR=$build-fuzz FUZZ_SECONDS=${FUZZ_SECONDS:-30} "$root/scripts/fuzz.sh"
fi

# one closing line for whoever reads the end of this output
total=0
for log in "$build/ctest.log" "$build-asan/ctest.log"; do
	[ -f "$log" ] || continue
	line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -1)
	[ -n "$line" ] || { echo "no CTest summary in $log" >&2; exit 1; }
	failed=$(echo "$line" | sed -E 's/.* ([0-9]+) tests failed.*/\1/')
	[ "$failed" -eq 0 ] || { echo "$line" >&2; exit 1; }
	total=$((total + $(echo "$line" | sed -E 's/.*out of ([0-9]+)/\1/')))
done
echo "$total passed, 0 failed"
