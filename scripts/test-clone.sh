#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Guard for issue 16: the tests that run something as another user (CTest
# label other-user, e.g. test_errors dropping to nobody) must pass from a
# checkout that user cannot enter: root's 0700 home, any mktemp -d.  This
# copies the working tree (tracked and untracked, not ignored files) into a
# fresh 0700 mktemp -d, builds there only what those tests need, and runs them.
# Cheap: no unit tests, and the simulator's go build cache is seeded from
# $BUILD_DIR (default build/) when that has one.
#   scripts/test-clone.sh            exit 0: passed; 1: failed or skipped
# VMSC_ALLOW_SKIP=1 accepts a skipped test (e.g. not run as root).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}

top=$(mktemp -d)
trap 'chmod -R u+w "$top" 2>/dev/null; rm -rf "$top"' EXIT
trap 'exit 130' INT TERM
chmod 700 "$top"
src=$top/vmsnapcheck
mkdir "$src"
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git -C "$root" ls-files -z -c -o --exclude-standard |
		tar -C "$root" --null --ignore-failed-read -T - -cf - | tar -C "$src" -xf -
else
	tar -C "$root" --exclude='./build*' -cf - . | tar -C "$src" -xf -
fi
if [ -d "$build/vcsim/gocache" ]; then
	mkdir -p "$src/build/vcsim"
	cp -a "$build/vcsim/gocache" "$src/build/vcsim/"
fi

echo "test-clone: other-user tests from $src (under a 0700 directory)"
quiet() { "$@" >"$top/build.log" 2>&1 || { cat "$top/build.log" >&2; exit 1; }; }
quiet cmake -S "$src" -B "$src/build" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}"
targets="vmsnapcheck password_memory"
# no such target when the simulator cannot be built: the tests then skip
grep -q '^vcsim_fixture:' "$src/build/Makefile" 2>/dev/null && targets="$targets vcsim_fixture"
# shellcheck disable=SC2086
quiet cmake --build "$src/build" -j "$(nproc 2>/dev/null || echo 2)" --target $targets

log=$src/build/ctest.log
set +e
(cd "$src/build" && ctest --output-on-failure --no-tests=error -L other-user) >"$log" 2>&1
rc=$?
set -e
cat "$log"
[ "$rc" -eq 0 ] || { echo "test-clone: failed from a clone under a 0700 directory" >&2; exit 1; }
"$root/scripts/ctest-skips.sh" "$log" || exit 1
echo "test-clone: passed from a clone under a 0700 directory"
