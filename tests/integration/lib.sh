# SPDX-License-Identifier: GPL-2.0-or-later
# Shared helpers for the integration tests (sourced; POSIX sh + jq).
# Environment from CTest: VMSC_BIN, VCSIM_BIN, SRC_DIR, WORK_DIR, and
# VMSC_NO_SIM (why the simulator could not be built, when it could not).
#
# A test that cannot run exits 77 with one "skip - REASON" line (CTest's
# SKIP_RETURN_CODE: "Not Run / Skipped"), never 0: skip_test, require_cmd.
# A test that can run all but some checks calls skip_part; finish then exits
# 77 unless something failed.
set -eu

: "${VMSC_BIN:?}" "${VCSIM_BIN:?}" "${SRC_DIR:?}" "${WORK_DIR:?}"
# Keyed extraConfig paths without the calibration's requests, so tests that
# count or fault requests by number see only the fetch's; test_keyed_paths.sh
# unsets it to test the calibration against each kind of server.
VMSNAPCHECK_EXTRA_CONFIG=keyed
export VMSNAPCHECK_EXTRA_CONFIG
SIMS=""
SCRATCH=""
FAILS=0
PASSES=0
SKIPS=""

# skip_test REASON: this whole test cannot run here.
skip_test() {
	echo "skip - $*"
	exit 77
}

# require_cmd COMMAND DEBIAN_PACKAGE: skips the test when COMMAND is missing.
require_cmd() {
	command -v "$1" >/dev/null 2>&1 ||
		skip_test "$1 is not installed (Debian package $2; scripts/deps.sh --test installs it)"
}

# skip_part REASON: one check of this test cannot run here; the others go on.
skip_part() {
	echo "skip - $*"
	SKIPS="${SKIPS:+$SKIPS; }$*"
}

[ -z "${VMSC_NO_SIM:-}" ] || skip_test "$VMSC_NO_SIM"
require_cmd jq jq
mkdir -p "$WORK_DIR"

cleanup() {
	for e in $SIMS; do
		"$SRC_DIR/tests/integration/vcsim.sh" stop "$e" || true
	done
	for d in $SCRATCH; do
		chmod -R u+w "$d" 2>/dev/null || true
		rm -rf "$d"
	done
}
trap cleanup EXIT INT TERM

# scratch_dir: sets SCRATCH_DIR to a new directory under /tmp that every user
# may enter (0711: not list), whatever the mode of the checkout, the build
# tree or $TMPDIR (issue 16); removed on exit. For checks run as another user.
scratch_dir() {
	SCRATCH_DIR=$(mktemp -d /tmp/vmsc-test.XXXXXX)
	SCRATCH="$SCRATCH $SCRATCH_DIR"
	chmod 711 "$SCRATCH_DIR"
}

# start_sim NAME [fixture args...]: starts a private simulator, sources its env
# into SIM_URL, SIM_CERT, SIM_SHA256, SIM_SHA1.
start_sim() {
	name=$1
	shift
	envfile=$WORK_DIR/$name.env
	"$SRC_DIR/tests/integration/vcsim.sh" start "$VCSIM_BIN" "$envfile" "$@"
	SIMS="$SIMS $envfile"
	. "$envfile"
	SIM_URL=$VCSIM_URL SIM_CERT=$VCSIM_CERT SIM_SHA256=$VCSIM_SHA256 SIM_SHA1=$VCSIM_SHA1
}

# wrong_thumbprint FP: FP with another first digit, never FP itself (putting
# '00' in place of the first two changed nothing for one certificate in 256).
wrong_thumbprint() {
	case $1 in
	0*) echo "1${1#?}" ;;
	*) echo "0${1#?}" ;;
	esac
}

# password_file NAME VALUE: a 0600 file holding VALUE.
password_file() {
	(umask 077 && printf '%s\n' "$2" >"$WORK_DIR/$1")
	echo "$WORK_DIR/$1"
}

# vmsc ARGS...: runs vmsnapcheck, output in $OUT/$ERR files, exit code in $RC.
vmsc() {
	OUT=$WORK_DIR/out.txt ERR=$WORK_DIR/err.txt
	set +e
	"$VMSC_BIN" --no-config "$@" >"$OUT" 2>"$ERR" </dev/null
	RC=$?
	set -e
}

# vmsc_cfg ARGS...: like vmsc, without --no-config (for --config tests).
vmsc_cfg() {
	OUT=$WORK_DIR/out.txt ERR=$WORK_DIR/err.txt
	set +e
	"$VMSC_BIN" "$@" >"$OUT" 2>"$ERR" </dev/null
	RC=$?
	set -e
}

# interrupt_when 'CONDITION' ARGS...: runs vmsnapcheck in the background, sends
# SIGINT a second after CONDITION (a shell test, polled for up to 10 s) holds;
# output in $OUT/$ERR, exit code in $RC.
interrupt_when() {
	cond=$1
	shift
	OUT=$WORK_DIR/out.txt ERR=$WORK_DIR/err.txt
	set +e
	"$VMSC_BIN" --no-config "$@" >"$OUT" 2>"$ERR" </dev/null &
	pid=$!
	i=0
	while ! eval "$cond" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	sleep 1
	kill -INT "$pid"
	wait "$pid"
	RC=$?
	set -e
}

ok() { PASSES=$((PASSES + 1)); echo "ok - $*"; }
fail() {
	FAILS=$((FAILS + 1))
	echo "FAIL - $*"
	[ -f "${OUT:-/dev/null}" ] && sed 's/^/  stdout: /' "$OUT" | head -40
	[ -f "${ERR:-/dev/null}" ] && sed 's/^/  stderr: /' "$ERR" | head -20
	return 0
}

expect_rc() { # expect_rc N what
	if [ "$RC" -eq "$1" ]; then ok "$2 (exit $RC)"; else fail "$2: exit $RC, expected $1"; fi
}

expect_err() { # expect_err 'fixed string' what
	if grep -qF -- "$1" "$ERR"; then ok "$2"; else fail "$2: stderr lacks '$1'"; fi
}

expect_err_lines() { # expect_err_lines N what: exactly N lines on stderr
	n=$(wc -l <"$ERR")
	if [ "$n" -eq "$1" ]; then ok "$2"; else fail "$2: $n stderr lines, expected $1"; fi
}

finish() {
	echo "$PASSES passed, $FAILS failed"
	[ "$FAILS" -eq 0 ] || exit 1
	[ -z "$SKIPS" ] || skip_test "$SKIPS"
}
