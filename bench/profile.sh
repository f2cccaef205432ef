#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Where vmsnapcheck's CPU goes at 10,000 VMs: a perf profile of one run
# against the bundled simulator, summed by component. See bench/README.md.
#
#   bench/profile.sh               VMS=10000, writes bench/results/profile-<date>.md
#
# Needs linux-perf, and root or kernel.perf_event_paranoid <= 1. Run
# bench/run.sh (or scripts/build.sh) first. GZIP=1 profiles against -gzip.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
VMS=${VMS:-10000}
GZIP=${GZIP:-0}
results=${RESULTS_DIR:-$root/bench/results}
vmsc=$build/vmsnapcheck
work=$build/bench/work
stamp=$(date -u +%Y%m%d-%H%M%S)
command -v perf >/dev/null || { echo "profile.sh: perf not found (apt-get install linux-perf)" >&2; exit 1; }
[ -x "$vmsc" ] && [ -x "$build/vcsim/vcsim-fixture" ] || BUILD_DIR=$build "$root/scripts/build.sh" >/dev/null
mkdir -p "$work" "$results"
tmp=/dev/shm
[ -d "$tmp" ] && [ -w "$tmp" ] || tmp=$work
simtmp=$(mktemp -d "$tmp/vmsc-profile-sim.XXXXXX")
envf=$work/profile.env
trap '"$root/tests/integration/vcsim.sh" stop "$envf" || true; rm -rf "$simtmp"' EXIT
trap 'exit 130' INT TERM

pwfile=$work/password
(umask 077 && printf 'bench-password\n' >"$pwfile")
extra=()
[ "$GZIP" = 1 ] && extra=(-gzip)
"$root/tests/integration/vcsim.sh" start "$build/vcsim/vcsim-fixture" "$envf" -vms "$VMS" -quiet \
	-tmpdir "$simtmp" "${extra[@]}"
# shellcheck disable=SC1090
. "$envf"

# -o - and the shell's >/dev/null: vmsnapcheck -o FILE replaces FILE by rename,
# and as root "-o /dev/null" would replace the device node with a regular file.
run() {
	"$vmsc" --no-config -s "$VCSIM_URL" -u bench --password-file "$pwfile" --cacert "$VCSIM_CERT" \
		-f json -o - "$@" </dev/null >/dev/null || [ $? -le 2 ]
}
run -q # warm the simulator's caches and the page cache once
/usr/bin/time -f '%e s wall, %U s user, %S s sys, %M KiB peak RSS' -o "$work/profile.time" \
	perf record -q -F 1999 -o "$work/perf.data" -- "$vmsc" --no-config -s "$VCSIM_URL" -u bench \
	--password-file "$pwfile" --cacert "$VCSIM_CERT" -f json -o - -q </dev/null >/dev/null || true

perf report -i "$work/perf.data" --stdio --no-children --sort dso,sym -q 2>/dev/null |
	sed -n 's/^ *\([0-9.]*\)% *\([^ ]*\) *\[\(.\)\] *\(.*\)$/\1\t\2\t\3\t\4/p' >"$work/perf.tsv"

# components: gSOAP = its runtime library and the serialisers soapcpp2
# generated into our binary (soap_* symbols); libxml2 = property values;
# transport = libcurl + OpenSSL; kernel; libc (malloc, memcpy, string
# functions called from every part); ours = the rest of vmsnapcheck.
bucket() {
	awk -F'\t' '{
		d = $2; s = $4; b = "other"
		if ($3 == "k" || d ~ /kernel/) b = "kernel (syscalls, loopback TCP, page faults)"
		else if (d ~ /gsoap/) b = "gSOAP runtime (libgsoapssl)"
		else if (d ~ /vmsnapcheck/ && s ~ /^soap_/) b = "gSOAP generated serialisers (soapC.c)"
		else if (d ~ /libxml2/) b = "libxml2 (property values, xmlTextReader)"
		else if (d ~ /libcurl|libssl|libcrypto|libnghttp|libz\.|libbrotli|libzstd/) b = "libcurl + TLS + zlib"
		else if (d ~ /libc[.-]|libc$|ld-linux/) b = "libc (malloc, memcpy, str*)"
		else if (d ~ /jansson/) b = "libjansson (JSON report)"
		else if (d ~ /vmsnapcheck/) b = "vmsnapcheck (facts, rules, report)"
		t[b] += $1
	} END { for (b in t) printf "%6.1f%%  %s\n", t[b], b }' "$work/perf.tsv" | sort -rn
}

{
	echo "# Where vmsnapcheck's CPU goes, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "$VMS VMs$([ "$GZIP" = 1 ] && echo ", gzip"), one run under \`perf record -F 1999\`: $(tail -n 1 "$work/profile.time")."
	echo "$(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), load average before: $(cut -d' ' -f1-3 /proc/loadavg)."
	echo "$("$vmsc" --version | head -1) ($(cd "$root" && git describe --always --dirty 2>/dev/null || echo "no git"))."
	echo
	echo "Share of samples by component (self time; libc time is not attributed to its callers):"
	echo
	echo '```'
	bucket
	echo '```'
	echo
	echo "Top 30 symbols:"
	echo
	echo '```'
	head -30 "$work/perf.tsv" | awk -F'\t' '{ printf "%6.2f%%  %-28s %s\n", $1, $2, $4 }'
	echo '```'
} | tee "$results/profile-$stamp.md"
