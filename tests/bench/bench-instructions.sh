#!/bin/bash
# Instructions a message, by thread, for bench (b)'s path (create ->
# submit_sm -> receipt -> delivered, no callbacks), counted by valgrind's
# callgrind: the same figure on a busy machine as on an idle one, so a
# change to the hot path can be weighed where wall-clock runs (whose CPU
# a message moves by 20% within an hour) cannot tell 5% apart. It counts
# user-space instructions only: the kernel's share (system calls, the
# loopback TCP stack) is not in it. See docs/performance.md.
#
# Two runs, of --small and --large messages; each thread's instructions
# in the larger minus the smaller, divided by the difference, leave out
# start-up and shutdown.
#
#   tests/bench/bench-instructions.sh [--small N] [--large N] [--connections N]
#   CARRIERLAB=path/to/carrierlab overrides the binary; BENCH_KEEP=1 keeps
#   the work directory (callgrind's files, to read with callgrind_annotate).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
bin=${CARRIERLAB:-$here/carrierlab}
load=$here/tests/bench/http-load
scenario=$here/tests/bench/gateway-bench.json
small=1000
large=4000
connections=16

while [ $# -gt 0 ]; do
	case $1 in
	--small) small=$2; shift 2 ;;
	--large) large=$2; shift 2 ;;
	--connections) connections=$2; shift 2 ;;
	*) sed -n '/^#   tests/,/^#   the work/p' "$0" | sed 's/^# \{0,1\}//' >&2
	   exit 2 ;;
	esac
done
[ "$large" -gt "$small" ] || { echo "bench: --large must exceed --small" >&2; exit 2; }
for t in "$bin" "$load"; do
	[ -x "$t" ] || { echo "bench: $t is not built (./bootstrap)" >&2; exit 1; }
done
for c in valgrind callgrind_annotate python3 curl; do
	command -v "$c" >/dev/null ||
	    { echo "bench: $c is needed (apt-get install valgrind python3 curl)" >&2; exit 1; }
done

work=$(mktemp -d)
vg=""
cleanup() {
	[ -z "$vg" ] || kill -9 "$vg" 2>/dev/null || true
	wait 2>/dev/null || true
	if [ -n "${BENCH_KEEP:-}" ]; then echo "bench: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

field() {	# json file, python expression on j
	python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"
}

metric() {	# address, awk pattern: the sum of the matching samples
	curl -sf "http://$1/metrics" | awk "$2"' {s += $2} END {print s + 0}'
}

# One run under callgrind: count messages; leaves dir/cg.out.PID-NN.
run() {	# dir, count
	local dir=$1 n=$2 port http i
	mkdir -p "$dir"
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	sed "s/127\.0\.0\.1:2799/127.0.0.1:$port/g" "$scenario" >"$dir/bench.json"
	valgrind --tool=callgrind --separate-threads=yes \
	    --callgrind-out-file="$dir/cg.out.%p" "$bin" serve "$dir/bench.json" \
	    --http 127.0.0.1:0 --db "$dir/gw.db" --smsc-db "$dir/smsc.db" \
	    --ready-file "$dir/ready" --log-level warn 2>"$dir/serve.log" &
	vg=$!
	for ((i = 0; i < 1200; i++)); do
		[ -s "$dir/ready" ] && break
		sleep 0.1
	done
	[ -s "$dir/ready" ] || { cat "$dir/serve.log" >&2; echo "bench: serve did not start" >&2; exit 1; }
	http=$(field "$dir/ready" 'j["http"] if isinstance(j["http"], str) else j["http"]["address"]')
	for ((i = 0; i < 1200; i++)); do
		[ "$(metric "$http" '/^carrierlab_gateway_sessions\{.*state="bound"/')" -ge 1 ] && break
		sleep 0.1
	done
	"$load" --url "http://$http" \
	    --auth "$(field "$scenario" 'j["accounts"][0]["sid"] + ":" + j["accounts"][0]["auth_token"]')" \
	    --from "$(field "$scenario" 'j["numbers"][0]["number"]')" \
	    --count "$n" --connections "$connections" --json >"$dir/load.json"
	for ((i = 0; i < 3000; i++)); do
		[ "$(metric "$http" '/^carrierlab_gateway_messages_total\{status="delivered"\}/')" -ge "$n" ] && break
		sleep 0.1
	done
	[ "$(metric "$http" '/^carrierlab_gateway_messages_total\{status="delivered"\}/')" -ge "$n" ] ||
	    { echo "bench: not every message was delivered" >&2; exit 1; }
	kill -INT "$vg"
	wait "$vg" || true
	vg=""
}

# "thread instructions" lines of a run: the loop is thread 1, the
# others by the function they start in.
threads() {	# dir
	local f name
	for f in "$1"/cg.out.*-*; do
		case $(grep -m1 -o 'fn=([0-9]*) [a-z_]*store_worker' "$f" | awk '{print $2}') in
		gw_store_worker) name=gw-store ;;
		store_worker) name=carrier-store ;;
		*) name=loop; [ "${f##*-}" = 01 ] || name="thread-${f##*-}" ;;
		esac
		echo "$name $(awk '/^(summary|totals):/ {print $2; exit}' "$f")"
	done
}

run "$work/small" "$small"
run "$work/large" "$large"
threads "$work/small" | sort >"$work/small.txt"
threads "$work/large" | sort >"$work/large.txt"
echo "(b) path under callgrind, $connections connections: instructions a message ($large - $small messages)"
join "$work/small.txt" "$work/large.txt" |
    awk -v d=$((large - small)) '{printf "    %-14s %8.0f\n", $1, ($3 - $2) / d; t += ($3 - $2) / d}
	END {printf "    %-14s %8.0f\n", "all", t}'
