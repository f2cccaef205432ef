#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Failures to get an answer: exit 3 and one clear line naming cause and remedy.
. "$(dirname "$0")/lib.sh"

pw=$(password_file right.pw 'right-pw')
bad=$(password_file wrong.pw 'wrong-pw')
start_sim errors -scenario "$SRC_DIR/tests/vcsim/scenarios/demo.json" \
	-username ops@vsphere.local -password-file "$pw"
host=127.0.0.1

vmsc -s "$SIM_URL" -u ops@vsphere.local --password-file "$bad" --cacert "$SIM_CERT"
expect_rc 3 "wrong password"
expect_err "vmsnapcheck: login failed for 'ops@vsphere.local' at '$host': incorrect user name or password" \
	"wrong password message"
expect_err_lines 1 "wrong password: one line"

vmsc -s "$SIM_URL" -u ops@vsphere.local --password-file "$pw"
expect_rc 3 "self-signed certificate without trust"
expect_err "is not trusted" "untrusted certificate named"
expect_err "$SIM_SHA256" "fingerprint printed"
expect_err "--cacert" "names --cacert"
expect_err "--thumbprint" "names --thumbprint"
expect_err "-k" "names -k"
expect_err_lines 1 "untrusted certificate: one line"

vmsc -s "$SIM_URL" -u ops@vsphere.local --password-file "$pw" --thumbprint "$SIM_SHA256" web-01
expect_rc 0 "SHA-256 thumbprint pins the certificate"
vmsc -s "$SIM_URL" -u ops@vsphere.local --password-file "$pw" --thumbprint "$SIM_SHA1" web-01
expect_rc 0 "SHA-1 thumbprint (govc known_hosts form) pins the certificate"
wrong=$(wrong_thumbprint "$SIM_SHA256")
vmsc -s "$SIM_URL" -u ops@vsphere.local --password-file "$pw" --thumbprint "$wrong"
expect_rc 3 "thumbprint mismatch"
expect_err "does not match --thumbprint" "mismatch named"

vmsc -s "$SIM_URL" -u ops@vsphere.local --password-file "$pw" -k web-01
expect_rc 0 "-k skips verification"
GOVC_INSECURE=1 GOVC_URL=$SIM_URL GOVC_USERNAME=ops@vsphere.local GOVC_PASSWORD=right-pw \
	vmsc web-01
expect_rc 0 "govc environment variables"

# a port nobody listens on: find one by binding and closing
port=1
vmsc -s "https://127.0.0.1:$port/sdk" -u ops@vsphere.local --password-file "$pw" -t 5
expect_rc 3 "unreachable port"
expect_err "cannot connect to '127.0.0.1' port $port" "unreachable port named"
expect_err_lines 1 "unreachable port: one line"

vmsc -s "https://no-such-host.invalid/sdk" -u ops@vsphere.local --password-file "$pw" -t 5
expect_rc 3 "unresolvable host"
expect_err "no-such-host.invalid" "host named"

vmsc -s "$SIM_URL" -u ops@vsphere.local --password-file "$pw" --cacert "$SIM_CERT" \
	-o "$WORK_DIR/no/such/dir/report.json" -f json
expect_rc 3 "-o into a missing directory"

# a read-only directory: needs an unprivileged user (root may write anywhere).
# As root the check drops to nobody, in a scratch directory under /tmp with a
# copy of the binary: nobody may not reach the checkout or the build tree
# (a clone under root's 0700 home or a mktemp -d, issue 16).
as_nobody() { (cd "$SCRATCH_DIR" && exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"); }
readonly_check() { # readonly_check BIN [RUNNER...]: -o into the 0555 $ro
	bin=$1
	shift
	set +e
	VMSNAPCHECK_PASSWORD=x "$@" "$bin" --no-config -s https://127.0.0.1:1/sdk -u ops \
		-o "$ro/report.json" >"$WORK_DIR/out.txt" 2>"$WORK_DIR/err.txt" </dev/null
	RC=$?
	set -e
	OUT=$WORK_DIR/out.txt ERR=$WORK_DIR/err.txt
	expect_rc 3 "-o into a read-only directory"
	expect_err "cannot create files in" "read-only directory named"
	grep -q "cannot connect" "$ERR" && fail "connected before checking -o" ||
		ok "-o checked before connecting"
}
scratch_dir
ro=$SCRATCH_DIR/readonly
mkdir "$ro"
chmod 555 "$ro"
if [ "$(id -u)" -ne 0 ]; then
	if [ -w "$ro" ]; then
		skip_part "read-only directory check: uid $(id -u) may write into a 0555 directory"
	else
		readonly_check "$VMSC_BIN"
	fi
elif ! command -v setpriv >/dev/null 2>&1; then
	skip_part "read-only directory check: setpriv is not installed (Debian package util-linux)"
else
	cp "$VMSC_BIN" "$SCRATCH_DIR/vmsnapcheck"
	chmod 755 "$SCRATCH_DIR/vmsnapcheck"
	if as_nobody "$SCRATCH_DIR/vmsnapcheck" --version >"$WORK_DIR/out.txt" 2>"$WORK_DIR/err.txt"; then
		readonly_check "$SCRATCH_DIR/vmsnapcheck" as_nobody
	else
		OUT=$WORK_DIR/out.txt ERR=$WORK_DIR/err.txt
		fail "nobody cannot run $SCRATCH_DIR/vmsnapcheck"
	fi
fi

vmsc -s "$SIM_URL" -u ops@vsphere.local --password-file "$pw" --cacert "$SIM_CERT" -f yaml
expect_rc 3 "unknown format"

vmsc -s "$SIM_URL" -u ops@vsphere.local --password "x"
expect_rc 3 "--password does not exist"
grep -q '"x"\|'"'x'" "$ERR" && fail "password echoed" || ok "password not echoed"
finish
