#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Starts and stops the simulator fixture by PID.
#   vcsim.sh start BIN ENVFILE [fixture args...]   waits until it serves
#   vcsim.sh stop ENVFILE
set -eu

case "${1:-}" in
start)
	bin=$2 envfile=$3
	shift 3
	rm -f "$envfile"
	log=$envfile.log
	"$bin" -env-file "$envfile" "$@" >"$log" 2>&1 &
	pid=$!
	echo "$pid" >"$envfile.pid"
	i=0
	# 10k-VM inventories take ~20 s to build; allow for a slow machine
	while [ ! -s "$envfile" ]; do
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "vcsim.sh: simulator exited early:" >&2
			cat "$log" >&2
			exit 1
		fi
		i=$((i + 1))
		if [ "$i" -gt 1200 ]; then
			echo "vcsim.sh: simulator not ready after 120 s" >&2
			kill "$pid" 2>/dev/null || true
			exit 1
		fi
		sleep 0.1
	done
	;;
stop)
	envfile=$2
	[ -f "$envfile.pid" ] || exit 0
	pid=$(cat "$envfile.pid")
	kill -TERM "$pid" 2>/dev/null || true
	i=0
	while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL "$pid" 2>/dev/null || true
	rm -f "$envfile" "$envfile.pid"
	;;
*)
	echo "usage: vcsim.sh start BIN ENVFILE [args] | stop ENVFILE" >&2
	exit 2
	;;
esac
