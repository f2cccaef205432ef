#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds the libFuzzer harnesses (clang, ASan + UBSan) in $FUZZ_BUILD_DIR
# (default build-fuzz/) and runs each for $FUZZ_SECONDS (default 60).
#   scripts/fuzz.sh                     every harness
#   scripts/fuzz.sh fuzz_config ...     only these
#   FUZZ_SECONDS=600 FUZZ_JOBS=2 scripts/fuzz.sh fuzz_soap_response
# The committed seed corpus (tests/fuzz/corpus/<harness>/) and the recorded
# crashes (tests/fuzz/regressions/<harness>/) are read, never written: new
# inputs go to $FUZZ_WORK_DIR/<harness>/corpus (default: <build>/fuzz-work),
# crashes to $FUZZ_WORK_DIR/<harness>/crash-*.  Exits 1 when a harness fails.
# FUZZ_SKIP_BUILD=1 runs what is built (e.g. two harnesses at once, after
# one build); FUZZ_ARGS adds libFuzzer options.
# See tests/fuzz/README.md.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-1}
work=${FUZZ_WORK_DIR:-$build/fuzz-work}
all="fuzz_soap_response fuzz_facts_json fuzz_config fuzz_server_url fuzz_guest_output"

# Largest input per harness: a few RetrievePropertiesEx objects, a few VMs
# of facts, a config file, one URL, a guest command's output.
max_len() {
	case $1 in
	fuzz_soap_response) echo 16384 ;;
	fuzz_facts_json) echo 8192 ;;
	fuzz_config) echo 4096 ;;
	fuzz_server_url) echo 256 ;;
	fuzz_guest_output) echo 8192 ;;
	*) echo "fuzz.sh: unknown harness '$1' (one of: $all)" >&2; exit 2 ;;
	esac
}

harnesses=${*:-$all}
for h in $harnesses; do max_len "$h" >/dev/null; done

if [ "${FUZZ_SKIP_BUILD:-0}" != 1 ]; then
	CC=${CC:-clang} cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DVMSC_FUZZ=ON -DVMSC_TESTS=OFF >/dev/null
	cmake --build "$build" --target fuzz -j "$(nproc 2>/dev/null || echo 2)"
fi

artifacts() { ls "$1"/crash-* "$1"/leak-* "$1"/timeout-* "$1"/oom-* 2>/dev/null | wc -l; }

failed=""
for h in $harnesses; do
	dir=$work/$h
	mkdir -p "$dir/corpus"
	log=$dir/fuzz.log
	before=$(artifacts "$dir")
	echo "fuzz.sh: $h for ${seconds}s (max_len $(max_len "$h"), log $log)"
	set -- "$dir/corpus" "$root/tests/fuzz/corpus/$h"
	[ -d "$root/tests/fuzz/regressions/$h" ] && set -- "$@" "$root/tests/fuzz/regressions/$h"
	[ -f "$root/tests/fuzz/$h.dict" ] && set -- -dict="$root/tests/fuzz/$h.dict" "$@"
	# -fork keeps going past a crash when FUZZ_JOBS > 1; with one job the
	# first crash stops the run, which is what CI wants.
	if [ "$jobs" -gt 1 ]; then
		set -- -fork="$jobs" -ignore_crashes=1 "$@"
	fi
	# shellcheck disable=SC2086
	if ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
		UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
		"$build/tests/fuzz/$h" -max_total_time="$seconds" -max_len="$(max_len "$h")" \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$dir/" \
		${FUZZ_ARGS:-} "$@" >"$log" 2>&1; then
		# one process: final stats; fork mode: the last status line
		{ grep -E '^stat::number_of_executed_units|^stat::new_units_added' "$log" ||
			grep -E '^#[0-9]+:' "$log" | tail -n 1; } | sed "s/^/fuzz.sh: $h: /"
	else
		echo "fuzz.sh: $h FAILED; last lines of $log:" >&2
		tail -n 60 "$log" >&2
		failed="$failed $h"
	fi
	if [ "$(artifacts "$dir")" -gt "$before" ]; then
		echo "fuzz.sh: $h: new crash inputs in $dir/ (tests/fuzz/README.md says how to keep" \
			"them as regressions)" >&2
		case " $failed " in *" $h "*) ;; *) failed="$failed $h" ;; esac
	fi
done
if [ -n "$failed" ]; then
	echo "fuzz.sh: failed:$failed" >&2
	exit 1
fi
echo "fuzz.sh: no crashes"
