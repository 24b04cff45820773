#!/bin/bash
# The SMSC benchmark of docs/performance.md: `carrierlab load` against
# `carrierlab smsc` and, in the same run, against an SMSC written with the
# npm `smpp` package (tests/interop/node-smsc.js), one TRX bind, window
# 100, receipts on. Prints one line per run and the medians with their
# ratio. Not part of `make check`: numbers are for a quiet machine.
#
#   tests/bench/bench-smsc.sh [COUNT [RUNS]]     default 200000 3
#   CARRIERLAB=path/to/carrierlab tests/bench/bench-smsc.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
bin=${CARRIERLAB:-$here/carrierlab}
count=${1:-200000}
runs=${2:-3}
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

# One carrier, no capture, receipts at once, windows of 100 both ways.
cat > "$work/bench.json" <<JSON
{"name": "bench", "seed": 1,
 "carriers": [{"name": "bench", "listen": ["127.0.0.1:0"],
   "receipt_delay": "0ms", "capture_limit": 0, "window": 100,
   "session": {"deliver_window": 100}}]}
JSON

wait_file() {	# path, seconds
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	echo "bench: $1 did not appear" >&2
	return 1
}

field() {	# json file, python expression on j
	python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"
}

run_load() {	# host:port, output json
	"$bin" load --connect "$1" --count "$count" --window 100 --receipts \
	    --no-progress --json >"$2" 2>/dev/null || true
	local ok
	ok=$(field "$2" 'j["receipts"]["missing"] == 0 and j["submit_sm"]["by_status"].get("ESME_ROK", 0) == j["submit_sm"]["sent"]')
	[ "$ok" = True ] || { echo "bench: a run lost messages or receipts" >&2; cat "$2" >&2; exit 1; }
	field "$2" '"%.0f" % j["throughput"]["messages_per_s"]'
}

carrierlab_run() {
	local dir=$work/c$1 pid addr
	mkdir -p "$dir"
	"$bin" smsc "$work/bench.json" --http none --db "$dir/db" \
	    --ready-file "$dir/ready" --log-level warn 2>"$dir/log" &
	pid=$!
	pids+=("$pid")
	wait_file "$dir/ready" 20
	addr=$(field "$dir/ready" 'j["carriers"][0]["listen"][0]["address"]')
	run_load "$addr" "$dir/load.json"
	kill "$pid"
	wait "$pid" 2>/dev/null || true
}

node_run() {
	local dir=$work/n$1 pid port
	mkdir -p "$dir"
	node "$here/tests/interop/node-smsc.js" --port 0 >"$dir/port" \
	    2>"$dir/log" &
	pid=$!
	pids+=("$pid")
	wait_file "$dir/port" 20
	port=$(head -1 "$dir/port")
	run_load "127.0.0.1:$port" "$dir/load.json"
	kill "$pid"
	wait "$pid" 2>/dev/null || true
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "carrierlab load -> SMSC: $count messages, 1 trx bind, window 100, receipts on"
: >"$work/c.txt"
: >"$work/n.txt"
for ((r = 1; r <= runs; r++)); do
	c=$(carrierlab_run "$r")
	n=$(node_run "$r")
	echo "run $r: carrierlab smsc $c msg/s, node smpp smsc $n msg/s"
	echo "$c" >>"$work/c.txt"
	echo "$n" >>"$work/n.txt"
done
c=$(median <"$work/c.txt")
n=$(median <"$work/n.txt")
echo "median: carrierlab smsc $c msg/s, node smpp smsc $n msg/s, ratio $(python3 -c "print('%.1f' % ($c / $n))")x"
