#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# One command for a new user: install what is missing, build, start the
# bundled vCenter simulator with the demo inventory and check it.
# Extra arguments go to vmsnapcheck (e.g. -f json, -v, 'sql-*').
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}

"$root/scripts/deps.sh" --demo >&2
# build chatter to stderr: stdout is the report (./scripts/demo.sh -f json | jq)
BUILD_DIR=$build "$root/scripts/build.sh" >&2

envfile=$build/demo-vcsim.env
pwfile=$build/demo-password
# git does not keep file modes, and vmsnapcheck refuses readable password files
(umask 077 && printf 'demo-password-123\n' >"$pwfile")
"$root/tests/integration/vcsim.sh" start "$build/vcsim/vcsim-fixture" "$envfile" \
	-scenario "$root/tests/vcsim/scenarios/demo.json" -username demo@vsphere.local \
	-password-file "$pwfile"
trap '"$root/tests/integration/vcsim.sh" stop "$envfile"' EXIT INT TERM
. "$envfile"

echo "vCenter simulator at $VCSIM_URL (user demo@vsphere.local)" >&2
set +e
"$build/vmsnapcheck" --no-config -s "$VCSIM_URL" -u demo@vsphere.local \
	--password-file "$pwfile" --cacert "$VCSIM_CERT" "$@"
rc=$?
echo "vmsnapcheck exited with $rc (0 ok, 1 warning, 2 error, 3 unknown)" >&2
exit $rc
