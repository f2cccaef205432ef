#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Configures and builds into $BUILD_DIR (default: build/). Extra args go to cmake.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} "$@" >/dev/null
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)"
