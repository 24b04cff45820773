#!/bin/bash
# The gateway benchmark of docs/performance.md ("Gateway end to end",
# issue 5's targets), in one run so the figures share the machine's state:
#
#  (a) http-load -> carrierlab serve -> the carrier -> callback-sink:
#      messages per second, first create to the last final status
#      callback, counted only if every message's final callback arrived,
#      and serve's CPU time (all its threads) per message, then split:
#      serve's threads, http-load, callback-sink;
#  (b) the same without StatusCallback: creates per second, and messages
#      per second from the first create to the last delivered (the
#      newest "delivered" status in the gateway's store);
#  (c) http-load at a fixed 1,000 messages/s for 30 s (open loop): the
#      create latency percentiles, p99 the target;
#  (d) serve's resident size (VmRSS) sampled each second over a long run
#      (1,000,000 messages by default) with the callbacks still pending:
#      it must stay flat;
#  (e) Kannel (bearerbox + smsbox, Debian's `kannel`) bound to `carrierlab
#      smsc` running the same carrier: sendsms GET -> SMSC -> dlr-url to
#      callback-sink, messages per second with every final DLR, and the
#      ratio (a)/(e).
#
# Everything runs on this machine (2 cores): load generator, gateway,
# carrier and callback receiver share them. Not part of `make check`.
#
#   tests/bench/bench-gateway.sh [options]
#     --count N           messages in (a), (b) (default 100000)
#     --kannel-count N    messages in (e) (default 20000)
#     --memory-count N    messages in (d) (default 1000000)
#     --memory-rate R     (d)'s rate, open loop; 0 (default): as fast as
#                         the connections allow
#     --latency-rate R    (c)'s rate (default 1000)
#     --latency-time D    (c)'s duration (default 30s)
#     --connections N     http-load's connections in (a)-(d) (default 64)
#     --parts LETTERS     which parts to run (default abcde)
#     --json PATH         the figures as JSON too
#   CARRIERLAB=path/to/carrierlab overrides the binary; BENCH_KEEP=1 keeps
#   the work directory (logs, the tools' JSON, the RSS samples).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
bin=${CARRIERLAB:-$here/carrierlab}
load=$here/tests/bench/http-load
sink=$here/tests/bench/callback-sink
scenario=$here/tests/bench/gateway-bench.json
count=100000
kannel_count=20000
memory_count=1000000
memory_rate=0
latency_rate=1000
latency_time=30s
connections=64
parts=abcde
json_out=""

usage() {
	sed -n '/^#   tests/,/^#   the work/p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--count) count=$2; shift 2 ;;
	--kannel-count) kannel_count=$2; shift 2 ;;
	--memory-count) memory_count=$2; shift 2 ;;
	--memory-rate) memory_rate=$2; shift 2 ;;
	--latency-rate) latency_rate=$2; shift 2 ;;
	--latency-time) latency_time=$2; shift 2 ;;
	--connections) connections=$2; shift 2 ;;
	--parts) parts=$2; shift 2 ;;
	--json) json_out=$2; shift 2 ;;
	*) usage ;;
	esac
done

for t in "$bin" "$load" "$sink"; do
	[ -x "$t" ] || { echo "bench: $t is not built (./bootstrap)" >&2; exit 1; }
done
for c in python3 curl; do
	command -v "$c" >/dev/null ||
	    { echo "bench: $c is needed (apt-get install $c)" >&2; exit 1; }
done

# http-load and callback-sink are evhttp programs: some forty small
# allocations a request, more of one size than glibc's per-thread cache
# holds (7), so the rest take malloc's slow path, a fifth of the sink's
# time. A deeper cache keeps the load generator and the receiver from
# weighing on the gateway's two cores more than a web server would; serve
# (and Kannel) run as they are.
helper_tunables=glibc.malloc.tcache_count=1024
http_load() { GLIBC_TUNABLES=$helper_tunables "$load" "$@"; }

work=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if [ -n "${BENCH_KEEP:-}" ]; then echo "bench: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

from=+14155550100
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

# True while PID runs (a zombie, exited but not yet waited for, is not).
alive() {
	local st
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	st=${st##*) }
	[[ $st != [ZX]* ]]
}

stop() {	# pid, seconds before SIGKILL
	local i
	kill "$1" 2>/dev/null || return 0
	for ((i = 0; i < $2 * 10; i++)); do
		alive "$1" || { wait "$1" 2>/dev/null || true; return 0; }
		sleep 0.1
	done
	echo "bench: pid $1 did not stop in $2 s; killing it" >&2
	kill -9 "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# Each thread's CPU so far (utime + stime, clock ticks) as "name ticks"
# lines; the process's first thread, the event loop, is "loop" (the
# others name themselves: gw-store, carrier-store, webhooks).
thread_ticks() {
	local t st name
	for t in /proc/"$1"/task/*; do
		st=$(cat "$t/stat" 2>/dev/null) || continue
		st=${st##*) }
		name=loop
		[ "${t##*/}" = "$1" ] || name=$(cat "$t/comm")
		echo "$name $(echo "$st" | awk '{print $12 + $13}')"
	done
}

# Microseconds of CPU a message between two thread_ticks files: serve's
# in all, "|", then by thread and the tools' own (cpu_s of their JSON):
# "220|loop 144, gw-store 68, ...". CPU time moves much less than
# throughput when others load the machine.
cpu_split() {	# before, after, messages, http-load json, [sink json]
	python3 - "$@" <<'PY'
import json, os, sys
tick = os.sysconf("SC_CLK_TCK")
def ticks(path):
    d = {}
    for line in open(path):
        name, n = line.rsplit(" ", 1)
        d[name] = d.get(name, 0) + int(n)
    return d
a, b, n = ticks(sys.argv[1]), ticks(sys.argv[2]), int(sys.argv[3])
us = lambda t: "%.0f" % (t * 1e6 / n)
serve = {k: (b[k] - a.get(k, 0)) / tick for k in b}
parts = ["%s %s" % (k, us(serve[k]))
         for k in sorted(serve, key=lambda k: (k != "loop", k))]
tools = [("http-load", sys.argv[4])] + \
    ([("callback-sink", sys.argv[5])] if len(sys.argv) > 5 else [])
for name, path in tools:
    parts.append("%s %s" % (name, us(json.load(open(path)).get("cpu_s", 0))))
print(us(sum(serve.values())) + "|" + ", ".join(parts))
PY
}

# ---- carrierlab serve ----

serve_pid=""
serve_http=""

# The scenario with a free port for the carrier in place of 2799 (a route
# the scenario spells out needs the carrier's port), the account for Basic
# auth, the sender, and the sessions the gateway binds.
account=""
sessions=1
bench_scenario() {	# output path
	local port
	port=$(free_port)
	sed "s/127\.0\.0\.1:2799/127.0.0.1:$port/g" "$scenario" >"$1"
	if [ -z "$account" ]; then
		account=$(field "$scenario" 'j["accounts"][0]["sid"] + ":" + j["accounts"][0]["auth_token"]')
		from=$(field "$scenario" 'j["numbers"][0]["number"]')
		sessions=$(field "$scenario" 'sum(r.get("sessions", 1) for r in j["gateway"]["routes"])')
	fi
}

serve_start() {	# dir
	local dir=$1
	mkdir -p "$dir"
	bench_scenario "$dir/bench.json"
	"$bin" serve "$dir/bench.json" --http 127.0.0.1:0 --db "$dir/gw.db" \
	    --smsc-db "$dir/smsc.db" --ready-file "$dir/ready" \
	    --log-level warn 2>"$dir/serve.log" &
	serve_pid=$!
	pids+=("$serve_pid")
	wait_file "$dir/ready" 30
	serve_http=$(field "$dir/ready" 'j["http"] if isinstance(j["http"], str) else j["http"]["address"]')
	serve_wait_bound "$dir"
}

# The gateway's sessions to the carrier are bound before the clock starts.
serve_wait_bound() {
	local i n
	for ((i = 0; i < 300; i++)); do
		n=$(curl -sf "http://$serve_http/metrics" |
		    awk '/^carrierlab_gateway_sessions\{.*state="bound"/ {s += $2} END {print s + 0}')
		[ "$n" -ge "$sessions" ] && return 0
		sleep 0.1
	done
	echo "bench: the gateway did not bind to the carrier; log:" >&2
	cat "$1/serve.log" >&2
	exit 1
}

serve_stop() {
	stop "$serve_pid" 20
	serve_pid=""
}

sink_start() {	# dir, expected finals
	GLIBC_TUNABLES=$helper_tunables \
	    "$sink" --ready-file "$1/sink.ready" --expect "$2" --timeout 30m \
	    --json >"$1/sink.json" 2>"$1/sink.err" &
	sink_pid=$!
	pids+=("$sink_pid")
	wait_file "$1/sink.ready" 10
	sink_url=$(field "$1/sink.ready" 'j["url"]')
}

# A process that died early fails the run with its status and log.
check_alive() {	# pid, name, log
	alive "$1" && return 0
	local st=0
	wait "$1" 2>/dev/null || st=$?
	echo "bench: $2 exited early with status $st; its log:" >&2
	tail -n 30 "$3" >&2 || true
	exit 1
}

sink_wait() {	# dir; fails unless every final arrived
	while alive "$sink_pid"; do
		[ -z "$serve_pid" ] || check_alive "$serve_pid" "carrierlab serve" \
		    "$1/serve.log"
		sleep 0.2
	done
	wait "$sink_pid" || true
	if [ "$(field "$1/sink.json" 'j["reached"]')" != True ]; then
		echo "bench: not every final status callback arrived" >&2
		cat "$1/sink.json" >&2
		exit 1
	fi
}

load_check() {	# load json, expected creates
	if [ "$(field "$1" 'j["created"]')" != "$2" ]; then
		echo "bench: not every create got a 2xx" >&2
		cat "$1" >&2
		exit 1
	fi
}

# (a) create -> submit -> receipt -> every status callback.
part_a() {
	local dir=$work/a
	serve_start "$dir"
	sink_start "$dir" "$count"
	thread_ticks "$serve_pid" >"$dir/threads0"
	http_load --url "http://$serve_http" --auth "$account" --from "$from" \
	    --count "$count" --connections "$connections" \
	    --status-callback "$sink_url" --json >"$dir/load.json"
	load_check "$dir/load.json" "$count"
	sink_wait "$dir"
	thread_ticks "$serve_pid" >"$dir/threads1"
	serve_stop
	a_split=$(cpu_split "$dir/threads0" "$dir/threads1" "$count" \
	    "$dir/load.json" "$dir/sink.json")
	a_cpu=${a_split%%|*} a_split=${a_split#*|}
	a_rate=$(python3 -c 'import json,sys
l=json.load(open(sys.argv[1])); s=json.load(open(sys.argv[2]))
print("%.0f" % (s["final"]["distinct"] / ((s["last_final_at"] - l["started_at"]) / 1e6)))' \
	    "$dir/load.json" "$dir/sink.json")
	a_created=$(field "$dir/load.json" '"%.0f" % j["throughput"]["created_per_s"]')
	a_callbacks=$(field "$dir/sink.json" 'j["callbacks"]')
	echo "(a) serve, status callbacks: $a_rate msg/s end to end" \
	    "($count messages, creates at $a_created/s, $a_callbacks callbacks" \
	    "received, every final one; serve's CPU $a_cpu us a message)"
	echo "    CPU us a message: $a_split"
}

delivered() {
	curl -sf "http://$serve_http/metrics" |
	    awk '/^carrierlab_gateway_messages_total\{status="delivered"\}/ {print $2}'
}

# When the last message was delivered: the newest "delivered" event
# in the gateway's store (microseconds of the wall clock).
last_delivered() {	# db
	python3 -c 'import sqlite3, sys
d = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
(at,) = d.execute("SELECT max(at) FROM message_events"
    " WHERE status = \x27delivered\x27").fetchone()
if at is None:
    sys.exit("bench: no delivered event in " + sys.argv[1])
print(at)' "$1"
}

# (b) the same without callbacks: the delivered count from /metrics,
# the end from the store.
part_b() {
	local dir=$work/b n=0 i
	serve_start "$dir"
	thread_ticks "$serve_pid" >"$dir/threads0"
	http_load --url "http://$serve_http" --auth "$account" --from "$from" \
	    --count "$count" --connections "$connections" --json \
	    >"$dir/load.json"
	load_check "$dir/load.json" "$count"
	for ((i = 0; i < 6000; i++)); do
		n=$(delivered)
		[ "${n:-0}" -ge "$count" ] && break
		sleep 0.05
	done
	thread_ticks "$serve_pid" >"$dir/threads1"
	serve_stop
	[ "${n:-0}" -ge "$count" ] ||
	    { echo "bench: only $n of $count delivered" >&2; exit 1; }
	# The end is the last delivered status as the gateway recorded it
	# (its clock is the wall clock, as http-load's), not the moment the
	# poll above saw the count: that one is up to a poll late.
	local done_at
	done_at=$(last_delivered "$dir/gw.db")
	b_split=$(cpu_split "$dir/threads0" "$dir/threads1" "$count" \
	    "$dir/load.json")
	b_cpu=${b_split%%|*} b_split=${b_split#*|}
	b_created=$(field "$dir/load.json" '"%.0f" % j["throughput"]["created_per_s"]')
	b_rate=$(python3 -c 'import json,sys
l=json.load(open(sys.argv[1]))
print("%.0f" % (int(sys.argv[3]) / ((int(sys.argv[2]) - l["started_at"]) / 1e6)))' \
	    "$dir/load.json" "$done_at" "$count")
	echo "(b) serve, no callbacks: created $b_created msg/s," \
	    "created and delivered $b_rate msg/s ($count messages; serve's" \
	    "CPU $b_cpu us a message)"
	echo "    CPU us a message: $b_split"
}

# (c) open loop at a fixed rate: create latency.
part_c() {
	local dir=$work/c n
	serve_start "$dir"
	sink_start "$dir" 0
	http_load --url "http://$serve_http" --auth "$account" --from "$from" \
	    --rate "$latency_rate" --duration "$latency_time" \
	    --connections "$connections" \
	    --status-callback "$sink_url" --json >"$dir/load.json"
	n=$(field "$dir/load.json" 'j["requests"]')
	load_check "$dir/load.json" "$n"
	stop "$sink_pid" 5
	serve_stop
	c_p99=$(field "$dir/load.json" '"%.2f" % j["latency_ms"]["p99"]')
	c_line=$(field "$dir/load.json" '"p50 %.2f, p90 %.2f, p99 %.2f, p99.9 %.2f, max %.2f ms; %d sent behind schedule" % (j["latency_ms"]["p50"], j["latency_ms"]["p90"], j["latency_ms"]["p99"], j["latency_ms"]["p99_9"], j["latency_ms"]["max"], j["behind_schedule"])')
	echo "(c) $latency_rate msg/s for $latency_time, callbacks on: create" \
	    "latency $c_line"
}

# One /metrics scrape: "delivered pending-callbacks".
gauges() {
	curl -sf "http://$serve_http/metrics" | awk '
	    /^carrierlab_gateway_messages_total\{status="delivered"\}/ {d = $2}
	    /^carrierlab_gateway_callbacks_pending / {p = $2}
	    END {print d + 0, p + 0}'
}

# (d) VmRSS each second over a long run with callbacks, beside the
# delivered count and the callbacks not yet answered.
part_d() {
	local dir=$work/d rss g rate=()
	serve_start "$dir"
	sink_start "$dir" "$memory_count"
	: >"$dir/rss"
	(
		while alive "$serve_pid"; do
			rss=$(awk '/^VmRSS/ {print $2}' "/proc/$serve_pid/status" 2>/dev/null) || break
			g=$(gauges || echo "0 0")
			echo "$(date +%s) ${g:-0 0} ${rss:-0}" >>"$dir/rss"
			sleep 1
		done
	) &
	local sampler=$!
	pids+=("$sampler")
	[ "$memory_rate" = 0 ] || rate=(--rate "$memory_rate")
	http_load --url "http://$serve_http" --auth "$account" --from "$from" \
	    --count "$memory_count" --connections "$connections" "${rate[@]}" \
	    --status-callback "$sink_url" --json >"$dir/load.json"
	load_check "$dir/load.json" "$memory_count"
	sink_wait "$dir"
	sleep 2
	kill "$sampler" 2>/dev/null || true
	serve_stop
	d_line=$(python3 - "$dir/rss" "$memory_count" <<'PY'
import sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
total = int(sys.argv[2])
def at(frac):
    for row in rows:
        if row[1] >= frac * total:
            return row
    return rows[-1]
marks = [0.1, 0.25, 0.5, 0.75, 1.0]
print("; ".join("%d%%: %.0f MiB, %d callbacks pending" %
                (f * 100, at(f)[3] / 1024, at(f)[2]) for f in marks) +
      "; every callback answered: %.0f MiB; max %.0f MiB; %d samples" %
      (rows[-1][3] / 1024, max(r[3] for r in rows) / 1024, len(rows)))
PY
)
	[ -z "$json_out" ] || cp "$dir/rss" "${json_out%.json}.rss"
	local pace="as fast as $connections connections allow"
	[ "$memory_rate" = 0 ] || pace="$memory_rate msg/s"
	echo "(d) serve VmRSS over $memory_count messages ($pace), when N%" \
	    "were delivered: $d_line"
}

# ---- Kannel ----

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

kannel_install() {
	command -v bearerbox >/dev/null && command -v smsbox >/dev/null &&
	    return 0
	[ -x /usr/sbin/bearerbox ] && [ -x /usr/sbin/smsbox ] && return 0
	[ "$(id -u)" -eq 0 ] || return 1
	echo "bench: installing Debian's kannel" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q --no-install-recommends kannel >&2 ||
	    { apt-get update -q >&2 &&
	    apt-get install -y -q --no-install-recommends kannel >&2; }
}

kannel_online() {	# admin port
	local s
	s=$(curl -sf "http://127.0.0.1:$1/status.txt?password=bench") || return 1
	grep -q 'SMPP:.*(online' <<<"$s" && grep -q 'smsbox:.*on-line' <<<"$s"
}

# (e) Kannel's sendsms -> SMSC -> dlr-url path against `carrierlab smsc`.
part_e() {
	local dir=$work/e smsc addr admin box sendsms bb sb i
	if ! kannel_install; then
		echo "(e) Kannel: SKIPPED, the kannel package could not be" \
		    "installed (apt-get install kannel, as root)"
		return 0
	fi
	PATH=$PATH:/usr/sbin
	mkdir -p "$dir"
	bench_scenario "$dir/bench.json"
	"$bin" smsc "$dir/bench.json" --http none --db "$dir/smsc.db" \
	    --ready-file "$dir/smsc.ready" --log-level warn 2>"$dir/smsc.log" &
	smsc=$!
	pids+=("$smsc")
	wait_file "$dir/smsc.ready" 20
	addr=$(field "$dir/smsc.ready" 'j["carriers"][0]["listen"][0]["address"]')
	admin=$(free_port); box=$(free_port); sendsms=$(free_port)
	sed -e "s|@ADMIN_PORT@|$admin|; s|@SMSBOX_PORT@|$box|g" \
	    -e "s|@SENDSMS_PORT@|$sendsms|; s|@WORK@|$dir|g" \
	    -e "s|@SMSC_PORT@|${addr##*:}|" \
	    -e "s|@SYSTEM_ID@|$(field "$scenario" 'j["carriers"][0]["accounts"][0]["system_id"]')|" \
	    -e "s|@PASSWORD@|$(field "$scenario" 'j["carriers"][0]["accounts"][0]["password"]')|" \
	    -e "s|@WINDOW@|100|; s|@USER@|bench|; s|@PASS@|bench|" \
	    "$here/tests/bench/kannel.conf.in" >"$dir/kannel.conf"
	bearerbox "$dir/kannel.conf" >"$dir/bearerbox.out" 2>&1 &
	bb=$!
	pids+=("$bb")
	# smsbox gives up when bearerbox is not listening yet.
	for ((i = 0; i < 300; i++)); do
		curl -sf "http://127.0.0.1:$admin/status.txt?password=bench" \
		    >/dev/null && break
		sleep 0.1
	done
	smsbox "$dir/kannel.conf" >"$dir/smsbox.out" 2>&1 &
	sb=$!
	pids+=("$sb")
	for ((i = 0; i < 300; i++)); do
		kannel_online "$admin" && break
		sleep 0.1
	done
	if ! kannel_online "$admin"; then
		echo "bench: Kannel did not come up:" >&2
		tail -n 20 "$dir"/*.out "$dir"/*.log >&2 || true
		exit 1
	fi
	sink_start "$dir" "$kannel_count"
	http_load --kannel --url "http://127.0.0.1:$sendsms" --auth bench:bench \
	    --from "$from" --count "$kannel_count" --connections 32 \
	    --status-callback "${sink_url}dlr" --dlr-mask 31 --json \
	    >"$dir/load.json"
	load_check "$dir/load.json" "$kannel_count"
	sink_wait "$dir"
	stop "$sb" 20
	stop "$bb" 20
	stop "$smsc" 10
	e_rate=$(python3 -c 'import json,sys
l=json.load(open(sys.argv[1])); s=json.load(open(sys.argv[2]))
print("%.0f" % (s["final"]["distinct"] / ((s["last_final_at"] - l["started_at"]) / 1e6)))' \
	    "$dir/load.json" "$dir/sink.json")
	e_created=$(field "$dir/load.json" '"%.0f" % j["throughput"]["created_per_s"]')
	e_callbacks=$(field "$dir/sink.json" 'j["callbacks"]')
	echo "(e) Kannel $(dpkg-query -W -f='${Version}' kannel 2>/dev/null)" \
	    "sendsms -> carrierlab smsc -> dlr-url: $e_rate msg/s end to end" \
	    "($kannel_count messages, sendsms at $e_created/s, $e_callbacks" \
	    "DLRs received, every final one)"
}

# The whole machine's CPU from /proc/stat: "total idle steal" in ticks
# (idle with iowait).
cpu_times() {
	awk '/^cpu / {print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9, $5 + $6, $9}' \
	    /proc/stat
}

# What the machine did during a part, beside its figures: idle cores
# and the time the hypervisor gave to other guests (steal). A part that
# misses its target with a high steal met a busy host, not a slow path.
machine_line() {	# part, "before", "after"
	local line
	line=$(python3 -c 'import sys
a, b = sys.argv[1].split(), sys.argv[2].split()
t, i, s = (int(y) - int(x) for x, y in zip(a, b))
if t > 0:
    print("%.0f %.1f" % (100 * i / t, 100 * s / t))' "$2" "$3")
	[ -n "$line" ] || return 0
	echo "    ($1) machine: idle ${line% *}%, steal ${line#* }% of its" \
	    "CPUs (/proc/stat)"
	[ "$1" != c ] || c_steal=${line#* }
}

a_rate="" b_rate="" b_created="" c_p99="" d_line="" e_rate="" a_cpu="" b_cpu=""
c_steal=""
a_split="" b_split=""
echo "gateway end to end on $(nproc) cores, load average $(loadavg) at start;" \
    "$("$bin" --version | sed -n 2p)"
# (a) and (e) back to back, for the ratio; the long (d) last.
for p in a e b c d; do
	if [[ $parts == *$p* ]]; then
		s0=$(cpu_times)
		"part_$p"
		machine_line "$p" "$s0" "$(cpu_times)"
	fi
done
if [ -n "$a_rate" ] && [ -n "$e_rate" ]; then
	echo "ratio carrierlab/Kannel, messages/s with every callback:" \
	    "$(python3 -c "print('%.1f' % ($a_rate / $e_rate))")x"
fi
echo "load average $(loadavg) at the end"
if [ -n "$json_out" ]; then
	python3 - "$json_out" <<PY
import json, sys
def num(s):
    return float(s) if s else None
def split(s):	# "loop 144, gw-store 68" -> {"loop": 144, "gw-store": 68}
    return {k: float(v) for k, v in
            (p.rsplit(" ", 1) for p in s.split(", "))} if s else None
json.dump({"callbacks_msg_per_s": num("$a_rate"),
           "callbacks_serve_cpu_us_per_msg": num("$a_cpu"),
           "no_callbacks_serve_cpu_us_per_msg": num("$b_cpu"),
           "callbacks_cpu_us_per_msg": split("$a_split"),
           "no_callbacks_cpu_us_per_msg": split("$b_split"),
           "no_callbacks_created_per_s": num("$b_created"),
           "no_callbacks_delivered_msg_per_s": num("$b_rate"),
           "p99_create_ms_at_rate": num("$c_p99"),
           "steal_percent_during_c": num("$c_steal"),
           "memory": "$d_line" or None,
           "kannel_msg_per_s": num("$e_rate")},
          open(sys.argv[1], "w"), indent=2)
PY
fi
