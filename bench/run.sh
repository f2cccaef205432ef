#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The benchmark: vmsnapcheck side by side with a govmomi client, a naive
# one-request-per-VM client and an xmllint --stream parse floor, against the
# bundled vCenter simulator with generated inventories. See bench/README.md.
#
#   bench/run.sh                 REPEAT=3, 1,000 and 10,000 VMs, 9–10 min on 2 busy cores
#
# Environment: INVENTORIES ("default realistic": the simulator's -vms shapes,
# and -realistic ones, with extraConfig in keyed and whole mode and without
# extraConfig), REPEAT (3), SIZES ("1000 10000"), NAIVE_RUNS_LARGE (1: runs
# of the naive client at sizes above 1,000; 0 = extrapolate from the smallest
# size), MULTI_VMS (1000: VMs per simulator for the three-vCenter run; 0 = skip),
# GZIP (1: also measure with the simulator's -gzip; GZIP_GOVMOMI_RUNS_LARGE=1
# run of govmomi there above 1,000 VMs), BUILD_DIR (build),
# RESULTS_DIR (bench/results), BENCH_TMP (/dev/shm if writable: captured pages,
# simulator datastores). Not part of CI.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
REPEAT=${REPEAT:-3}
[ "$REPEAT" -ge 1 ] 2>/dev/null || { echo "bench: REPEAT must be a number >= 1" >&2; exit 2; }
SIZES=${SIZES:-"1000 10000"}
INVENTORIES=${INVENTORIES:-"default realistic"}
inv_on() { printf '%s\n' $INVENTORIES | grep -qx "$1"; }
NAIVE_RUNS_LARGE=${NAIVE_RUNS_LARGE:-1}
MULTI_VMS=${MULTI_VMS:-1000}
GZIP=${GZIP:-1}
GZIP_GOVMOMI_RUNS_LARGE=${GZIP_GOVMOMI_RUNS_LARGE:-1}
PAGE=500 # vmsnapcheck's default maxObjects; the capture client asks the same
results=${RESULTS_DIR:-$root/bench/results}
if [ -z "${BENCH_TMP:-}" ]; then
	if [ -d /dev/shm ] && [ -w /dev/shm ]; then BENCH_TMP=/dev/shm; else BENCH_TMP=$build/bench; fi
fi

vmsc=$build/vmsnapcheck
fixture=$build/vcsim/vcsim-fixture
client=$build/bench/vmsc-bench-client
work=$build/bench/work
stamp=$(date -u +%Y%m%d-%H%M%S)
runs_csv=$work/runs-$stamp.csv
t_start=$(date +%s)

say() { echo "bench: $*" >&2; }
die() { say "$*"; exit 1; }
devnull_ok() { [ -c /dev/null ] || die "/dev/null is not a character device: restore it (mknod -m 666 /dev/null c 1 3) before benchmarking"; }
devnull_ok

# --- prerequisites ----------------------------------------------------------

if [ ! -x /usr/bin/time ] || ! command -v xmllint >/dev/null || ! command -v go >/dev/null; then
	want="time libxml2-utils golang-go golang-github-vmware-govmomi-dev"
	if [ "$(id -u)" -ne 0 ]; then
		die "missing tools: run sudo apt-get install --no-install-recommends $want"
	fi
	say "installing $want"
	DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $want >/dev/null
fi
if [ ! -x "$vmsc" ] || [ ! -x "$fixture" ]; then
	say "building vmsnapcheck and the simulator (scripts/build.sh)"
	BUILD_DIR=$build "$root/scripts/build.sh" >/dev/null
fi

# The Go clients, in GOPATH mode against Debian's govmomi, like tests/vcsim/build.sh.
mkdir -p "$build/bench/gocache" "$build/bench/gotmp" "$work" "$results"
if [ ! -x "$client" ] || [ "$root/bench/client/main.go" -nt "$client" ]; then
	say "building the Go clients (~2 min cold)"
	(cd "$root/bench/client" && env GO111MODULE=off GOPATH="${VCSIM_GOPATH:-/usr/share/gocode}" \
		GOCACHE="$build/bench/gocache" GOTMPDIR="$build/bench/gotmp" GOFLAGS= GOPROXY=off \
		GOTOOLCHAIN=local CGO_ENABLED=0 HOME="${HOME:-$build/bench}" \
		go build -p 2 -trimpath -o "$client.tmp" . && mv -f "$client.tmp" "$client")
fi

pwfile=$work/password
(umask 077 && printf 'bench-password\n' >"$pwfile")
cap=$(mktemp -d "$BENCH_TMP/vmsc-bench-capture.XXXXXX")
simtmp=$(mktemp -d "$BENCH_TMP/vmsc-bench-sim.XXXXXX")

SIMS=""
declare -A PID_OF # request log -> simulator pid
cleanup() {
	for e in $SIMS; do "$root/tests/integration/vcsim.sh" stop "$e" || true; done
	rm -rf "$cap" "$simtmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_sim NAME VMS [fixture args]: sets SIM_URL, SIM_CERT, SIM_LOG, SIM_ENV
start_sim() {
	local name=$1 n=$2
	shift 2
	SIM_ENV=$work/$name.env SIM_LOG=$work/$name.requests
	: >"$SIM_LOG"
	local t0
	t0=$(date +%s.%N)
	"$root/tests/integration/vcsim.sh" start "$fixture" "$SIM_ENV" -vms "$n" -quiet \
		-tmpdir "$simtmp" -request-log "$SIM_LOG" "$@"
	SIMS="$SIMS $SIM_ENV"
	# shellcheck disable=SC1090
	. "$SIM_ENV"
	SIM_URL=$VCSIM_URL SIM_CERT=$VCSIM_CERT
	PID_OF[$SIM_LOG]=$VCSIM_PID
	say "simulator $name: $n VMs $* ready in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s"
}

stop_sim() { # stop_sim ENVFILE
	"$root/tests/integration/vcsim.sh" stop "$1"
	SIMS=$(printf '%s\n' $SIMS | grep -vxF "$1" | tr '\n' ' ' || true)
}

# --- measuring --------------------------------------------------------------

echo "vms,client,run,wall_s,user_s,sys_s,cpu_s,rss_kib,requests,bytes,sim_cpu_s,exit" >"$runs_csv"
hz=$(getconf CLK_TCK)

sim_ticks() { # sim_ticks LOGS: user+sys clock ticks of those logs' simulators so far
	local l t=0 f
	for l in $1; do
		# fields after the ")" of comm: state is 1, utime 12, stime 13
		f=$(sed 's/.*) //' "/proc/${PID_OF[$l]}/stat")
		t=$((t + $(echo "$f" | cut -d' ' -f12) + $(echo "$f" | cut -d' ' -f13)))
	done
	echo "$t"
}

# timed LOGS CMD...: runs CMD under /usr/bin/time (output in $work/last.*)
# after emptying the simulators' request logs; sets WALL UT ST CPU RSS RC,
# REQS (requests the simulators saw) and SIMCPU (their CPU seconds meanwhile).
timed() {
	local logs=$1 l t0 t1
	shift
	for l in $logs; do : >"$l"; done
	t0=$(sim_ticks "$logs")
	set +e
	/usr/bin/time -f '%e %U %S %M' -o "$work/last.time" "$@" >"${TIMED_OUT:-$work/last.out}" \
		2>"$work/last.err" </dev/null
	RC=$?
	set -e
	t1=$(sim_ticks "$logs")
	read -r WALL UT ST RSS < <(tail -n 1 "$work/last.time")
	CPU=$(awk -v u="$UT" -v s="$ST" 'BEGIN{printf "%.2f", u+s}')
	SIMCPU=$(awk -v t=$((t1 - t0)) -v hz="$hz" 'BEGIN{printf "%.2f", t/hz}')
	REQS=0
	for l in $logs; do REQS=$((REQS + $(wc -l <"$l"))); done
}

record() { # record VMS CLIENT RUN BYTES
	echo "$1,$2,$3,$WALL,$UT,$ST,$CPU,$RSS,$REQS,$4,$SIMCPU,$RC" >>"$runs_csv"
	say "$(printf '%6s %-27s run %s: wall %6ss cpu %6ss rss %7s KiB, %5s requests, %9s bytes, sim cpu %6ss, exit %s' \
		"$1" "$2" "$3" "$WALL" "$CPU" "$RSS" "$REQS" "$4" "$SIMCPU" "$RC")"
}

vmsc_bytes() { # "(N in all, X KiB received)" lines of -v, summed over vCenters, in bytes
	sed -n 's/.* in all, \([0-9][0-9]*\) KiB received).*/\1/p' "$1" | awk '{s+=$1} END{print s*1024}'
}

# run_vmsc VMS LABEL RUN CACERT LOGS URL...: vmsnapcheck over one or more
# simulators. -v, not -q: -v prints the request counts and bytes received per
# vCenter (-q would silence them); nothing else goes to stderr. The report goes
# to stdout (-o -), discarded by the shell: never "-o /dev/null", which
# vmsnapcheck replaces atomically (temp file + rename) like any output file --
# as root that turns /dev/null into a regular file for the whole machine.
run_vmsc() {
	local n=$1 label=$2 run=$3 cacert=$4 logs=$5 args=() u
	shift 5
	for u in "$@"; do args+=(-s "$u"); done
	# VMSC_EXTRA=whole: VMSNAPCHECK_EXTRA_CONFIG=whole, the old whole-property mode
	local pre=()
	[ -n "${VMSC_EXTRA:-}" ] && pre=(env "VMSNAPCHECK_EXTRA_CONFIG=$VMSC_EXTRA")
	TIMED_OUT=/dev/null timed "$logs" "${pre[@]}" "$vmsc" --no-config "${args[@]}" -u bench \
		--password-file "$pwfile" --cacert "$cacert" -f json -o - -v
	# 2 = findings (normal: the generated inventory has errors); 3 = failed
	if [ "$RC" -gt 2 ]; then
		say "vmsnapcheck failed (exit $RC):"
		sed 's/^/  /' "$work/last.err" | head -20 >&2
	fi
	record "$n" "$label" "$run" "$(vmsc_bytes "$work/last.err")"
}

run_go() { # run_go VMS LABEL RUN MODE [args]: against $SIM_URL
	local n=$1 label=$2 run=$3 mode=$4
	shift 4
	timed "$SIM_LOG" "$client" -mode "$mode" -url "$SIM_URL" -u bench -password-file "$pwfile" \
		-cacert "$SIM_CERT" -paths "$PATHS" "$@"
	if [ "$RC" -ne 0 ]; then
		say "$mode client failed (exit $RC):"
		sed 's/^/  /' "$work/last.err" | head -20 >&2
	fi
	record "$n" "$label" "$run" "$(sed -n 's/.* bytes=\([0-9]*\).*/\1/p' "$work/last.out")"
}

run_xmllint() { # run_xmllint VMS RUN [PREFIX]
	timed "" xmllint --stream --noout "$cap"/page-*.xml
	[ "$RC" -eq 0 ] || say "xmllint failed (exit $RC)"
	record "$1" "${3:-}xmllint --stream" "$2" "$CAP_BYTES"
}

capture_pages() { # the parse floor's input: the pages vmsnapcheck's requests get (not timed)
	rm -f "$cap"/page-*.xml
	timed "$SIM_LOG" "$client" -mode capture -capture-dir "$cap" -max-objects "$PAGE" \
		-url "$SIM_URL" -u bench -password-file "$pwfile" -cacert "$SIM_CERT" -paths "$PATHS"
	[ "$RC" -eq 0 ] || die "capturing the pages failed: $(cat "$work/last.err")"
	CAP_BYTES=$(cat "$cap"/page-*.xml | wc -c)
	say "captured $(find "$cap" -name 'page-*.xml' | wc -l) pages, $CAP_BYTES bytes"
}

declare -A SHAPE # inventory -> what its VMs carry (bench client -mode shape, not timed)
shape() { # shape INVENTORY: once, at the first size (VM i is the same at every size)
	[ -n "${SHAPE[$1]:-}" ] && return 0
	SHAPE[$1]=$("$client" -mode shape -url "$SIM_URL" -u bench -password-file "$pwfile" -cacert "$SIM_CERT" \
		-paths name 2>&1 | sed -n 's/^shape //p' || true)
	say "inventory $1: ${SHAPE[$1]}"
}

# The property paths: what vmsnapcheck itself asks for (its --debug trace:
# the pathSet of the VM page request, the longest one: the Datastore view and
# the keyed-path check come before it), so every client fetches the same.
# The fallback is today's list (the rules' paths in src/rules/rules.c).
FALLBACK_PATHS="name,runtime.powerState,runtime.connectionState,config.template,config.guestId,\
guest.guestFamily,config.guestFullName,guest.toolsVersionStatus2,guest.toolsVersion,guest.toolsRunningStatus,\
runtime.toolsInstallerMounted,capability.quiescedSnapshotsSupported,capability.snapshotOperationsSupported,\
config.flags.snapshotDisabled,config.flags.snapshotLocked,disabledMethod,config.extraConfig[\"snapshot.quiesce\"],\
config.flags.diskUuidEnabled,config.extraConfig[\"disk.EnableUUID\"],config.hardware.device,config.ftInfo,\
runtime.faultToleranceState,snapshot,config.extraConfig[\"snapshot.maxSnapshots\"],runtime.consolidationNeeded,\
guest.disk,config.version,config.keyId,runtime.question"
extract_paths() {
	local p
	p=$("$vmsc" --no-config -s "$SIM_URL" -u bench --password-file "$pwfile" --cacert "$SIM_CERT" \
		-f json -o - --debug 2>&1 >/dev/null </dev/null |
		grep -o '<[A-Za-z0-9_]*:\{0,1\}\(type\|pathSet\)>[^<]*' |
		awk -F'>' '/type$/ || $1 ~ /type$/ { if (n > best) { best = n; bp = cur } n = 0; cur = ""; next }
			{ cur = cur (n++ ? "," : "") $2 } END { if (n > best) bp = cur; print bp }') || true
	if [ -n "$p" ]; then
		PATHS=$p PATHS_FROM="vmsnapcheck --debug (the pathSet of its VM pages)"
	else
		say "could not read the pathSet from vmsnapcheck --debug; using the built-in list"
		PATHS=$FALLBACK_PATHS PATHS_FROM="built-in list (src/rules/rules.c); --debug extraction failed"
	fi
}

load() { cut -d' ' -f1-3 /proc/loadavg; }

# --- the runs ---------------------------------------------------------------

LOAD_BEFORE=$(load)
first=1
max_size=$(printf '%s\n' $SIZES | sort -n | tail -1)
min_size=$(printf '%s\n' $SIZES | sort -n | head -1)
PATHS=""
first_paths() {
	if [ "$first" = 1 ]; then
		extract_paths
		say "property paths ($(echo "$PATHS" | tr , '\n' | wc -l)): $PATHS"
		first=0
	fi
}
for n in $SIZES; do
	naive_runs=$REPEAT
	[ "$n" -gt 1000 ] && naive_runs=$NAIVE_RUNS_LARGE

	if inv_on realistic; then
		# -realistic: 150-300 extraConfig keys (1-3 guestinfo blobs of 8-32 KB),
		# 15-25 devices, 2-6 disks, 1-4 snapshots; the same VMs again with
		# -no-extra-config: the reference cost of a VM without any setting
		start_sim "real-$n" "$n" -realistic
		r_env=$SIM_ENV r_url=$SIM_URL r_log=$SIM_LOG r_cert=$SIM_CERT
		# both simulators start before anything is timed: a 10k simulator
		# keeps a core busy for seconds after "ready" (Go's GC after the build)
		start_sim "noec-$n" "$n" -realistic -no-extra-config
		x_env=$SIM_ENV x_url=$SIM_URL x_log=$SIM_LOG x_cert=$SIM_CERT
		shape "realistic, -no-extra-config"
		SIM_URL=$r_url SIM_LOG=$r_log SIM_CERT=$r_cert
		first_paths
		shape realistic
		capture_pages
		for r in $(seq 1 "$REPEAT"); do
			run_vmsc "$n" "realistic vmsnapcheck" "$r" "$r_cert" "$r_log" "$r_url"
			cp "$r_log" "$work/real-vmsc-requests-$n"
			VMSC_EXTRA=whole run_vmsc "$n" "realistic vmsnapcheck whole-extraConfig" "$r" "$r_cert" "$r_log" "$r_url"
			run_vmsc "$n" "realistic vmsnapcheck no-extraConfig" "$r" "$x_cert" "$x_log" "$x_url"
			run_go "$n" "realistic govmomi" "$r" govmomi
			grep -q 'keyed_values=[1-9]' "$work/last.out" || say "govmomi client: no keyed value came back ($(cat "$work/last.out"))"
			run_xmllint "$n" "$r" "realistic "
			if [ "$r" -le "$naive_runs" ]; then
				run_go "$n" "realistic naive" "$r" naive
			fi
		done
		stop_sim "$x_env"
		stop_sim "$r_env"
	fi

	inv_on default || continue
	start_sim "plain-$n" "$n"
	main_env=$SIM_ENV main_url=$SIM_URL main_log=$SIM_LOG main_cert=$SIM_CERT
	first_paths
	shape default
	capture_pages
	for r in $(seq 1 "$REPEAT"); do
		run_vmsc "$n" vmsnapcheck "$r" "$SIM_CERT" "$SIM_LOG" "$SIM_URL"
		cp "$SIM_LOG" "$work/vmsc-requests-$n"
		run_go "$n" govmomi "$r" govmomi
		run_xmllint "$n" "$r"
		if [ "$r" -le "$naive_runs" ]; then
			run_go "$n" naive "$r" naive
		fi
	done

	if [ "$n" = "$MULTI_VMS" ]; then
		# three vCenters: one vmsnapcheck with -s three times, and the three
		# single runs it replaces (their sum is what a sequential run costs)
		# (each simulator has its own self-signed certificate: one CA bundle)
		urls=("$main_url") logs=("$main_log") certs=("$main_cert") envs=()
		for x in b c; do
			start_sim "multi-$x-$n" "$n"
			urls+=("$SIM_URL") logs+=("$SIM_LOG") certs+=("$SIM_CERT") envs+=("$SIM_ENV")
		done
		cat "${certs[@]}" >"$work/multi-ca.pem"
		for r in $(seq 1 "$REPEAT"); do
			run_vmsc "$((3 * n))" "vmsnapcheck -s x3" "$r" "$work/multi-ca.pem" "${logs[*]}" "${urls[@]}"
			w=0 c=0 m=0 q=0 by=0 sc=0 rcs=0
			for i in 0 1 2; do
				run_vmsc "$n" "vmsnapcheck single" "$r" "${certs[$i]}" "${logs[$i]}" "${urls[$i]}"
				w=$(awk -v a="$w" -v b="$WALL" 'BEGIN{print a+b}')
				c=$(awk -v a="$c" -v b="$CPU" 'BEGIN{print a+b}')
				sc=$(awk -v a="$sc" -v b="$SIMCPU" 'BEGIN{print a+b}')
				[ "$RSS" -gt "$m" ] && m=$RSS
				q=$((q + REQS))
				by=$((by + $(tail -n 1 "$runs_csv" | cut -d, -f10)))
				[ "$RC" -gt "$rcs" ] && rcs=$RC
			done
			WALL=$w UT="" ST="" CPU=$c RSS=$m REQS=$q SIMCPU=$sc RC=$rcs
			record "$((3 * n))" "vmsnapcheck 3 singles (sum)" "$r" "$by"
		done
		for e in "${envs[@]}"; do stop_sim "$e"; done
	fi
	stop_sim "$main_env"

	if [ "$GZIP" = 1 ]; then
		start_sim "gzip-$n" "$n" -gzip
		gz_go_runs=$REPEAT
		[ "$n" -gt 1000 ] && gz_go_runs=$GZIP_GOVMOMI_RUNS_LARGE
		for r in $(seq 1 "$REPEAT"); do
			run_vmsc "$n" "vmsnapcheck (gzip)" "$r" "$SIM_CERT" "$SIM_LOG" "$SIM_URL"
			if [ "$r" -le "$gz_go_runs" ]; then
				run_go "$n" "govmomi (gzip)" "$r" govmomi
			fi
		done
		stop_sim "$SIM_ENV"
	fi
done
LOAD_AFTER=$(load)
devnull_ok
t_total=$(($(date +%s) - t_start))

# --- the report -------------------------------------------------------------

out_md=$results/results-$stamp.md
out_csv=$results/results-$stamp.csv
cp "$runs_csv" "$results/results-$stamp-runs.csv"

# medians per (vms, client), in first-seen order
awk -F, 'NR > 1 {
	k = $1 SUBSEP $2
	if (!(k in n)) { order[++nk] = k }
	i = ++n[k]
	for (f = 4; f <= 11; f++) v[k, f, i] = $f
	if (!((k, $12) in seen)) { seen[k, $12] = 1; ex[k] = ex[k] (nex[k]++ ? "/" : "") $12 }
}
function median(k, f,   m, i, j, t, a) {
	m = n[k]
	for (i = 1; i <= m; i++) a[i] = v[k, f, i]
	for (i = 2; i <= m; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
	if (a[1] == "") return ""
	return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
}
END {
	print "vms,client,runs,wall_s,user_s,sys_s,cpu_s,rss_kib,requests,kib_received,sim_cpu_s,exit,bytes_per_vm"
	for (o = 1; o <= nk; o++) {
		k = order[o]; split(k, kk, SUBSEP)
		b = median(k, 10)
		printf "%s,%s,%d,%s,%s,%s,%s,%s,%s,%d,%s,%s,%d\n", kk[1], kk[2], n[k], median(k, 4), median(k, 5),
			median(k, 6), median(k, 7), median(k, 8), median(k, 9), b / 1024, median(k, 11), ex[k], b / kk[1]
	}
}' "$runs_csv" >"$out_csv"

get() { # get VMS CLIENT COLUMN (from the medians CSV)
	awk -F, -v n="$1" -v c="$2" -v col="$3" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
		$1 == n && $2 == c { print $h[col]; exit }' "$out_csv"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "n/a"; else printf "%.2f", a / b }'; }
verdict() { # verdict VALUE OP LIMIT -> met / MISSED
	awk -v a="$1" -v op="$2" -v b="$3" 'BEGIN { if (a == "n/a" || a == "") { print "n/a"; exit }
		ok = (op == "<=") ? (a + 0 <= b + 0) : (a + 0 >= b + 0); print ok ? "met" : "**missed**" }'
}

cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
os=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")
pkgver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "?"; }

{
	echo "# vmsnapcheck benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "\`bench/run.sh\` (INVENTORIES=\"$INVENTORIES\", REPEAT=$REPEAT, SIZES=\"$SIZES\", NAIVE_RUNS_LARGE=$NAIVE_RUNS_LARGE, MULTI_VMS=$MULTI_VMS, GZIP=$GZIP), ${t_total} s in all."
	echo "Medians of the runs; every figure below comes from this one invocation."
	echo
	echo "## Machine"
	echo
	echo "- CPU: $(nproc) online CPUs, $cpu_model"
	echo "- memory: $mem; OS: $os; kernel $(uname -r) $(uname -m)"
	echo "- load average (1/5/15 min) before: $LOAD_BEFORE, after: $LOAD_AFTER (other work on the machine makes figures noisy)"
	echo "- $("$vmsc" --version 2>&1 | head -1) ($(cd "$root" && git describe --always --dirty 2>/dev/null || echo "no git")), $(grep -m1 '^CMAKE_BUILD_TYPE' "$build/CMakeCache.txt" 2>/dev/null | cut -d= -f2 || echo "?") build"
	echo "- gsoap $(pkgver gsoap), libcurl $(pkgver libcurl4-openssl-dev), libxml2 $(pkgver libxml2), openssl $(pkgver libssl3)"
	echo "- $(go version 2>/dev/null | sed 's/^go version //'), govmomi $(pkgver golang-github-vmware-govmomi-dev), xmllint $(xmllint --version 2>&1 | head -1 | sed 's/.*version //')"
	echo "- simulator: tests/vcsim fixture, \`-vms N\` (seed 1), datastores in $BENCH_TMP"
	echo "- nice: $(nice) (the benchmark's own niceness; other work on the machine runs beside it)"
	echo
	echo "Inventories (per VM, min-max (mean), from the first size; VM i is the same at every size):"
	echo
	for i in default realistic "realistic, -no-extra-config"; do
		inv_on "${i%%,*}" || continue
		echo "- **$i**$(case $i in default) echo " (\`-vms N\`)";; realistic) echo " (\`-vms N -realistic\`)";; *) echo " (\`-vms N -realistic -no-extra-config\`: the reference for bytes per VM)";; esac): ${SHAPE[$i]:-n/a}" |
			sed 's/ \([a-z_0-9]*\)=/; \1 /g; s/: vms=[0-9]*;/:/; s/extraConfig_keys/extraConfig keys/; s/blobs_8k/values of 8 KB+/'
	done
	echo
	echo "Property paths ($(echo "$PATHS" | tr , '\n' | wc -l), from $PATHS_FROM): \`$(echo "$PATHS" | sed 's/,/, /g')\`" " (\`VMSNAPCHECK_EXTRA_CONFIG=whole\` asks \`config.extraConfig\` instead of the keyed ones)"
	echo
	echo "## Results"
	echo
	echo "| VMs | client | runs | wall s | CPU s (user+sys) | peak RSS MiB | requests | KiB received | bytes / VM | simulator CPU s | exit |"
	echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
	awk -F, 'NR > 1 { printf "| %s | %s | %s | %s | %s | %.1f | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $7, $8 / 1024, $9, $10, $13, $11, $12 }' "$out_csv"
	echo
	echo "- vmsnapcheck: \`vmsnapcheck --no-config -s URL -u bench --password-file F --cacert CERT -f json -o - -v >/dev/null\`"
	echo "  (exit 2 = findings, the normal result on this inventory; 3 would be a failure). CPU and RSS are the client's"
	echo "  alone (\`/usr/bin/time\`), requests are counted by the simulator, KiB received as each client reports"
	echo "  response bodies (compressed size with gzip). xmllint's KiB are the captured pages it parses."
	if [ "$NAIVE_RUNS_LARGE" = 0 ]; then
		echo "- naive: run at $min_size VMs only (NAIVE_RUNS_LARGE=0); at larger sizes extrapolate linearly."
	else
		echo "- naive: $REPEAT runs at 1,000 VMs or fewer, $NAIVE_RUNS_LARGE above (one request per VM takes minutes)."
	fi
	[ "$GZIP" = 1 ] && echo "- (gzip): a second simulator with \`-gzip\`; govmomi (gzip) runs $GZIP_GOVMOMI_RUNS_LARGE time(s) above 1,000 VMs."
	echo "- simulator CPU s: what the simulator(s) spent meanwhile; the wall time includes it (one machine, $(nproc) CPUs)."
	if inv_on realistic; then
		echo "- realistic: vmsnapcheck as is (keyed extraConfig paths after its per-vCenter check); *whole-extraConfig* ="
		echo "  \`VMSNAPCHECK_EXTRA_CONFIG=whole\` (the old mode); *no-extraConfig* = vmsnapcheck against the same VMs"
		echo "  served with \`-no-extra-config\` (its check finds no setting and reads the empty whole property)."
		echo "  govmomi asks the same keyed paths: its property collector sends and decodes them like any path, but"
		echo "  \`mo.VirtualMachine\` has no field for them (\`LoadObjectContent\` skips unknown names), so the client"
		echo "  reads the \`ObjectContent\` and takes those values from its propSet."
	fi
	echo
	for n in $SIZES; do
		for f in vmsc real-vmsc; do
			[ -f "$work/$f-requests-$n" ] || continue
			echo "vmsnapcheck's requests at $n VMs$([ $f = real-vmsc ] && echo " (realistic)"): $(sort "$work/$f-requests-$n" | uniq -c | awk '{printf "%s%s %s", sep, $2, $1; sep = ", "}')"
			echo
		done
	done

	if printf '%s\n' $SIZES | grep -qx "$MULTI_VMS"; then
		m3=$((3 * MULTI_VMS))
		row() { # row LABEL VMS CLIENT
			echo "| $1 | $(get "$2" "$3" wall_s) | $(get "$2" "$3" cpu_s) | $(awk -v r="$(get "$2" "$3" rss_kib)" 'BEGIN { printf "%.1f", r / 1024 }') | $(get "$2" "$3" requests) | $(get "$2" "$3" sim_cpu_s) |"
		}
		echo "## Three vCenters at once"
		echo
		echo "Three simulators of $MULTI_VMS VMs each (${REPEAT} runs, medians):"
		echo
		echo "| | wall s | CPU s | peak RSS MiB | requests | simulators' CPU s |"
		echo "|---|---:|---:|---:|---:|---:|"
		row "one \`vmsnapcheck -s A -s B -s C\`" "$m3" "vmsnapcheck -s x3"
		row "the three single runs, summed" "$m3" "vmsnapcheck 3 singles (sum)"
		row "one single run (median of $((3 * REPEAT)))" "$MULTI_VMS" "vmsnapcheck single"
		echo
		echo "Wall of one -s x3 run / sum of the single runs: **$(ratio "$(get "$m3" "vmsnapcheck -s x3" wall_s)" \
			"$(get "$m3" "vmsnapcheck 3 singles (sum)" wall_s)")**; CPU: $(ratio "$(get "$m3" "vmsnapcheck -s x3" cpu_s)" \
			"$(get "$m3" "vmsnapcheck 3 singles (sum)" cpu_s)"). Near 1.0 the vCenters are checked one after another"
		echo "(less only the process start-up saved); fully concurrent checks would approach 1/3, but here the three"
		echo "simulators share the same $(nproc) CPUs with the client, so expect no better than about $(awk -v c="$(nproc)" 'BEGIN { printf "%.2f", (c >= 3) ? 1 / 3 : 1 / c }')."
		echo
	fi

	N=$max_size
	if inv_on realistic; then
		kb=$(get "$N" "realistic vmsnapcheck" bytes_per_vm) xb=$(get "$N" "realistic vmsnapcheck no-extraConfig" bytes_per_vm)
		wb=$(get "$N" "realistic vmsnapcheck whole-extraConfig" bytes_per_vm)
		ks=$(get "$N" "realistic vmsnapcheck" sim_cpu_s) ws=$(get "$N" "realistic vmsnapcheck whole-extraConfig" sim_cpu_s)
		echo "## Targets at $N VMs: extraConfig (realistic inventory, issue 15)"
		echo
		echo "| target | measured | |"
		echo "|---|---|---|"
		x=$(ratio "$kb" "$xb")
		echo "| bytes received per VM ≤ 1.5× the same VMs without extraConfig | $kb B / $xb B = $x× (whole extraConfig: $wb B, $(ratio "$wb" "$xb")×) | $(verdict "$x" "<=" 1.5) |"
		x=$(ratio "$ks" "$ws")
		echo "| simulator CPU per run ≤ 0.5× the whole-extraConfig mode | $ks s / $ws s = $x× | $(verdict "$x" "<=" 0.5) |"
		echo
	fi
	targets() { # targets PREFIX TITLE: bench/README.md's targets for one inventory
		local P=$1
		vw=$(get "$N" "${P}vmsnapcheck" wall_s) vc=$(get "$N" "${P}vmsnapcheck" cpu_s) vr=$(get "$N" "${P}vmsnapcheck" rss_kib)
		gw=$(get "$N" "${P}govmomi" wall_s) gc=$(get "$N" "${P}govmomi" cpu_s)
		xc=$(get "$N" "${P}xmllint --stream" cpu_s)
		nw=$(get "$N" "${P}naive" wall_s) nnote="measured"
		if [ -z "$nw" ]; then
			nw=$(awk -v w="$(get "$min_size" "${P}naive" wall_s)" -v a="$min_size" -v b="$N" 'BEGIN { if (w != "") print w * b / a }')
			nnote="extrapolated from $min_size VMs"
		fi
		r1=$(get "$min_size" "${P}vmsnapcheck" rss_kib)
		q1=$(get "$min_size" "${P}vmsnapcheck" requests) qN=$(get "$N" "${P}vmsnapcheck" requests)
		qmax=$((q1 + (N - min_size + PAGE - 1) / PAGE))
		echo "## Targets at $N VMs: $2"
		echo
		echo "| target | measured | |"
		echo "|---|---|---|"
		x=$(ratio "$vw" "$gw")
		echo "| wall ≤ 0.5× govmomi | $vw s / $gw s = $x× | $(verdict "$x" "<=" 0.5) |"
		x=$(ratio "$vc" "$gc")
		echo "| client CPU ≤ 0.3× govmomi | $vc s / $gc s = $x× | $(verdict "$x" "<=" 0.3) |"
		x=$(ratio "$vc" "$xc")
		echo "| client CPU ≤ 2× xmllint --stream over the same bytes | $vc s / $xc s = $x× | $(verdict "$x" "<=" 2) |"
		x=$(ratio "$nw" "$vw")
		echo "| ≥ 10× faster than the naive client | $nw s ($nnote) / $vw s = $x× | $(verdict "$x" ">=" 10) |"
		x=$(awk -v r="$vr" 'BEGIN { printf "%.1f", r / 1024 }')
		echo "| peak RSS ≤ 32 MiB at $N | $x MiB | $(verdict "$x" "<=" 32) |"
		if [ "$min_size" != "$max_size" ]; then
			x=$(ratio "$vr" "$r1")
			echo "| RSS($N) ≤ 1.5× RSS($min_size) | $vr KiB / $r1 KiB = $x× | $(verdict "$x" "<=" 1.5) |"
			echo "| no per-VM requests: only pages of $PAGE grow | $q1 requests at $min_size, $qN at $N (at most $qmax) | $(verdict "$qN" "<=" "$qmax") |"
		fi
		echo
	}
	inv_on default && targets "" "default inventory (with the Datastore view)"
	inv_on realistic && targets "realistic " "realistic inventory (keyed extraConfig)"
	echo "Per-run figures: [results-$stamp-runs.csv](results-$stamp-runs.csv); medians: [results-$stamp.csv](results-$stamp.csv)."
} >"$out_md"
cp "$out_md" "$results/latest.md"
say "done in ${t_total} s: $out_md"
cat "$out_md"
