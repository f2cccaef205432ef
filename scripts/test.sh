#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The whole test suite: install what is missing, build, run CTest (unit +
# simulator integration), then again under ASan/UBSan.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}

"$root/scripts/deps.sh" --test
BUILD_DIR=$build "$root/scripts/build.sh"
(cd "$build" && ctest --output-on-failure -j 2)

if [ "${VMSC_SKIP_SANITIZE:-0}" != 1 ]; then
	BUILD_DIR=$build-asan BUILD_TYPE=Debug "$root/scripts/build.sh" -DVMSC_SANITIZE=ON
	(cd "$build-asan" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j 2)
fi
