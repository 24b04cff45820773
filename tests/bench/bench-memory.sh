#!/bin/bash
# Memory of `carrierlab smsc` (docs/performance.md): resident size per idle
# bind, with N binds held open (tests/bench/hold-binds.py), and per
# in-flight message, with COUNT messages accepted whose receipts are a
# minute away. Not part of `make check`.
#
#   tests/bench/bench-memory.sh [BINDS [COUNT]]      default 10000 200000
#   CARRIERLAB=path/to/carrierlab tests/bench/bench-memory.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
bin=${CARRIERLAB:-$here/carrierlab}
binds=${1:-10000}
count=${2:-200000}
work=$(mktemp -d)
smsc=""
cleanup() {
	[ -n "$smsc" ] && kill "$smsc" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
# Each bind is a socket on both sides.
ulimit -n $((binds * 2 + 1024)) 2>/dev/null || ulimit -n "$(ulimit -Hn)"

rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

start() {	# scenario json text
	echo "$1" >"$work/s.json"
	rm -f "$work/ready" "$work/db"*
	"$bin" smsc "$work/s.json" --http none --db "$work/db" \
	    --ready-file "$work/ready" --log-level warn 2>"$work/log" &
	smsc=$!
	for ((i = 0; i < 200; i++)); do
		[ -s "$work/ready" ] && break
		sleep 0.1
	done
	addr=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['carriers'][0]['listen'][0]['address'])" "$work/ready")
}

stop() { kill "$smsc"; wait "$smsc" 2>/dev/null || true; smsc=""; }

# Idle binds: no enquire_link, no session-init timer, to hold them still.
start '{"name": "mem", "carriers": [{"name": "mem", "listen": ["127.0.0.1:0"],
  "session": {"enquire_link": "0s", "session_init_timeout": "0s"}}]}'
before=$(rss "$smsc")
mkfifo "$work/hold"
python3 "$here/tests/bench/hold-binds.py" "$addr" "$binds" <"$work/hold" \
    >"$work/hold.out" &
exec 7>"$work/hold"
for ((i = 0; i < 1200; i++)); do
	grep -q bound "$work/hold.out" 2>/dev/null && break
	sleep 0.1
done
grep -q "bound $binds" "$work/hold.out" || { echo "bench: binds failed" >&2; cat "$work/hold.out" >&2; exit 1; }
after=$(rss "$smsc")
echo "idle binds: $binds held, RSS $before KiB -> $after KiB, $(( (after - before) * 1024 / binds )) bytes per bind"
exec 7>&-
stop

# In-flight messages: accepted, receipts a minute away.
start '{"name": "mem", "carriers": [{"name": "mem", "listen": ["127.0.0.1:0"],
  "receipt_delay": "60s", "capture_limit": 0, "session": {"deliver_window": 100}}]}'
before=$(rss "$smsc")
"$bin" load --connect "$addr" --count "$count" --window 100 --receipts \
    --receipt-timeout 3s --no-progress --json >"$work/load.json" || true
after=$(rss "$smsc")
echo "in flight: $count messages awaiting receipts, RSS $before KiB -> $after KiB, $(( (after - before) * 1024 / count )) bytes per message"
stop
