#!/usr/bin/env bash
# Stops the moto server that infra/moto/start.sh started, by the PID in its pidfile.
# Takes the same MOTO_PORT and MOTO_PIDFILE as start.sh.
set -euo pipefail

port="${MOTO_PORT:-5055}"
pidfile="${MOTO_PIDFILE:-${TMPDIR:-/tmp}/moto-$port.pid}"

if [[ ! -s "$pidfile" ]]; then
	echo "no pidfile $pidfile: nothing to stop" >&2
	exit 0
fi
pid="$(cat "$pidfile")"
if kill "$pid" 2>/dev/null; then
	for _ in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
fi
rm -f "$pidfile"
