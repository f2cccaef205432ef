#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs the Debian packages vmsnapcheck needs to build and test.
# As root it runs apt-get itself; otherwise it prints the command to run.
set -eu

BUILD_PKGS="cmake gcc make pkg-config gsoap libgsoap-dev libcurl4-openssl-dev libxml2-dev
libjansson-dev libinih-dev libssl-dev"
# the bundled simulator and the build of the test tree it lives in (scripts/demo.sh:
# not the browser, fuzzers and linters of the whole test set)
SIM_PKGS="golang-go golang-github-vmware-govmomi-dev ca-certificates libcmocka-dev jq"
TEST_PKGS="$SIM_PKGS libxml2-utils
prometheus clang libclang-rt-14-dev valgrind ca-certificates python3 util-linux git tar
lintian dpkg-dev systemd man-db bash-completion chromium"

want="$BUILD_PKGS"
case "${1:-}" in
--test) want="$BUILD_PKGS $TEST_PKGS" ;;
--demo) want="$BUILD_PKGS $SIM_PKGS" ;;
esac

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "vmsnapcheck: missing Debian packages:$missing" >&2
	echo "run: sudo apt-get install --no-install-recommends$missing" >&2
	exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# --no-install-recommends: prometheus is only here for promtool
apt-get install -y -q --no-install-recommends $missing >/dev/null
