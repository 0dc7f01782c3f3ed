#!/usr/bin/env bash
# Starts moto in server mode in the background, waits until it answers, and prints its endpoint.
# It runs moto through serve.py beside this script, which is `moto_server -H 127.0.0.1 -p PORT`
# handling one request at a time: moto's DynamoDB transactions are not safe under concurrent
# requests (see serve.py).
#
#   MOTO_PORT     port to listen on (default 5055); the host is always 127.0.0.1
#   MOTO_PIDFILE  where to write the server's PID (default ${TMPDIR:-/tmp}/moto-$MOTO_PORT.pid)
#   MOTO_LOG      where the server writes its log (default ${TMPDIR:-/tmp}/moto-$MOTO_PORT.log)
#   PYTHON        the Python that has moto installed (default python3)
#
# Install first with: python3 -m pip install -r infra/moto/requirements.txt
# Stop it with infra/moto/stop.sh (it kills the PID in MOTO_PIDFILE, nothing else).
#
# It prints the endpoint (http://127.0.0.1:5055) on stdout, for the variables the code reads:
#   export AWS_ENDPOINT_URL_DYNAMODB="$(infra/moto/start.sh)"   # infra/admin (or its -endpoint flag)
#   export OPEN311_TEST_AWS_ENDPOINT=http://127.0.0.1:5055      # go test and infra/bench use this
#                                                               # moto instead of starting their own
set -euo pipefail

port="${MOTO_PORT:-5055}"
pidfile="${MOTO_PIDFILE:-${TMPDIR:-/tmp}/moto-$port.pid}"
log="${MOTO_LOG:-${TMPDIR:-/tmp}/moto-$port.log}"
endpoint="http://127.0.0.1:$port"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-python3}"
if ! "$python" -c 'import moto.server, flask' >/dev/null 2>&1; then
	echo "moto server not installed for $python: pip install -r infra/moto/requirements.txt" >&2
	exit 1
fi
if [[ -s "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
	echo "moto already running with PID $(cat "$pidfile") (pidfile $pidfile)" >&2
	exit 1
fi

"$python" "$here/serve.py" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
pid=$!
echo "$pid" >"$pidfile"

for _ in $(seq 1 150); do
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "moto_server exited during start; log $log:" >&2
		tail -n 20 "$log" >&2 || true
		rm -f "$pidfile"
		exit 1
	fi
	if curl -s -o /dev/null --max-time 1 "$endpoint/moto-api/"; then
		stop="infra/moto/stop.sh"
		[[ "$port" == 5055 ]] || stop="MOTO_PORT=$port $stop"
		echo "moto is running on $endpoint (PID $pid, log $log); stop it with $stop" >&2
		echo "for infra/admin: export AWS_ENDPOINT_URL_DYNAMODB=$endpoint (or give -endpoint $endpoint)" >&2
		echo "$endpoint"
		exit 0
	fi
	sleep 0.2
done
echo "moto_server did not answer on $endpoint within 30s; log $log" >&2
kill "$pid" 2>/dev/null || true
rm -f "$pidfile"
exit 1
