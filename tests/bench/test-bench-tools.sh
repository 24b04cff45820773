#!/bin/sh
# The gateway benchmark's tools count right (tests/bench/gwbench.am):
# http-load sends known small runs to callback-sink, posing as the
# gateway's status callbacks (--form MessageStatus=..&MessageSid=SM{n}) and
# as Kannel's delivery reports (--kannel, --form id=..&type=..), and the
# counters and the JSON of both tools must match what was sent. No timing
# is asserted. JSON is read with node (a ./bootstrap package).
set -eu

if [ -z "${top_srcdir:-}" ]; then
	top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
fi
top_builddir=${top_builddir:-$top_srcdir}
load=$top_builddir/tests/bench/http-load
sink=$top_builddir/tests/bench/callback-sink
name=test-bench-tools
tmp=$(mktemp -d)
sink_pid=""

fail() {
	printf '%s: FAIL: %s\n' "$name" "$*" >&2
	exit 1
}

cleanup() {
	st=$?
	if [ -n "$sink_pid" ]; then
		kill "$sink_pid" 2>/dev/null || true
		wait "$sink_pid" 2>/dev/null || true
	fi
	if [ "$st" -ne 0 ]; then
		for f in "$tmp"/*.json "$tmp"/*.err; do
			[ -f "$f" ] && { echo "--- $f"; cat "$f"; } >&2
		done
	fi
	rm -rf "$tmp"
	exit "$st"
}
trap cleanup EXIT INT TERM

if ! command -v node >/dev/null 2>&1; then
	printf '%s: SKIP: node is not installed (apt-get install nodejs)\n' \
	    "$name"
	exit 77
fi

# check FILE 'JS expression on j' DESCRIPTION: the expression must be true.
check() {
	node -e '
const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
if (!eval(process.argv[2])) process.exit(1);' "$1" "$2" ||
	    fail "$3: $2 is false for $1"
}

# Waits up to 10 s for FILE to exist and be non-empty.
wait_file() {
	i=0
	while [ ! -s "$1" ]; do
		i=$((i + 1))
		[ "$i" -le 100 ] || fail "$1 did not appear"
		sleep 0.1
	done
}

# True while PID runs (a zombie, exited but not waited for, is not).
alive() {
	kill -0 "$1" 2>/dev/null || return 1
	_st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	_st=${_st##*) }
	case $_st in
	Z* | X*) return 1 ;;
	esac
	return 0
}

# Waits up to 10 s for the sink to exit; its status in sink_status.
wait_sink() {
	i=0
	while alive "$sink_pid"; do
		i=$((i + 1))
		[ "$i" -le 100 ] || fail "callback-sink did not stop"
		sleep 0.1
	done
	sink_status=0
	wait "$sink_pid" || sink_status=$?
	sink_pid=""
}

start_sink() {	# name, options...
	n=$1
	shift
	"$sink" --ready-file "$tmp/$n.ready" --log "$tmp/$n.log" --json \
	    --timeout 60s "$@" >"$tmp/$n.json" 2>"$tmp/$n.err" &
	sink_pid=$!
	wait_file "$tmp/$n.ready"
	addr=$(sed 's/.*"address": "\([^"]*\)".*/\1/' "$tmp/$n.ready")
}

# 1. Twilio creates posing as final callbacks: the sink stops by itself at
#    --expect, every request and every final is counted once.
start_sink s1 --expect 200
"$load" --url "http://$addr" --auth ACaaa:secret --count 200 \
    --connections 4 --form MessageStatus=delivered \
    --form 'MessageSid=SM{n}' --json >"$tmp/l1.json" 2>"$tmp/l1.err" ||
    fail "http-load exited $? on a clean run"
wait_sink
[ "$sink_status" -eq 0 ] || fail "callback-sink exited $sink_status"
check "$tmp/l1.json" 'j.version === 1 && j.mode === "twilio"' "load mode"
check "$tmp/l1.json" 'j.requests === 200 && j.sent === 200 &&
    j.responses === 200 && j.created === 200 && j.failed === 0' "load counts"
check "$tmp/l1.json" 'JSON.stringify(j.by_status) === "{\"200\":200}"' \
    "load by_status"
check "$tmp/l1.json" 'j.latency_ms.count === 200 &&
    j.latency_ms.min <= j.latency_ms.p50 && j.latency_ms.p50 <=
    j.latency_ms.p99 && j.latency_ms.p99 <= j.latency_ms.max' "load latency"
check "$tmp/l1.json" 'j.finished_at >= j.started_at && j.elapsed_s >= 0 &&
    j.throughput.created_per_s > 0' "load times"
check "$tmp/s1.json" 'j.requests === 200 && j.methods.POST === 200 &&
    j.callbacks === 200 && j.unparsed === 0' "sink counts"
check "$tmp/s1.json" 'j.by_status.delivered === 200 &&
    j.final.distinct === 200 && j.final.duplicates === 0 && j.reached' \
    "sink finals"
check "$tmp/s1.json" 'j.first_callback_at > 0 &&
    j.last_final_at >= j.first_final_at' "sink times"
# Each tool's own CPU time, for the benchmark's split.
check "$tmp/l1.json" 'typeof j.cpu_s === "number" && j.cpu_s > 0 &&
    j.cpu_s < j.elapsed_s + 60' "load cpu_s"
check "$tmp/s1.json" 'typeof j.cpu_s === "number" && j.cpu_s > 0 &&
    j.cpu_s < 60' "sink cpu_s"
# The request as sent: the path, Basic auth, the form and the To range.
first=$(grep -c '' "$tmp/s1.log")
[ "$first" -eq 200 ] || fail "the sink logged $first requests, not 200"
grep -qx 'POST /2010-04-01/Accounts/ACaaa/Messages.json Basic QUNhYWE6c2VjcmV0 To=%2B14155550007&From=%2B14155550100&Body=carrierlab%20bench%207&MessageStatus=delivered&MessageSid=SM7' \
    "$tmp/s1.log" || fail "request 7 is not as expected: $(sed -n 8p \
    "$tmp/s1.log")"

# 2. Non-final and duplicate finals; the sink reports on SIGTERM.
start_sink s2
"$load" --url "http://$addr" --auth ACaaa:secret --count 100 \
    --connections 3 --to +447700900000-+447700900009 --body 'x {n} y' \
    --form MessageStatus=sent --form 'MessageSid=SM{n}' --json \
    >"$tmp/l2a.json" 2>"$tmp/l2a.err" || fail "http-load (sent) exited $?"
"$load" --url "http://$addr" --auth ACaaa:secret --count 100 \
    --form MessageStatus=undelivered --form 'MessageSid=SM{n}' --json \
    >"$tmp/l2b.json" 2>"$tmp/l2b.err" || fail "http-load (undelivered)"
"$load" --url "http://$addr" --auth ACaaa:secret --count 40 \
    --form MessageStatus=failed --form 'MessageSid=SM{n}' --json \
    >"$tmp/l2c.json" 2>"$tmp/l2c.err" || fail "http-load (failed)"
"$load" --url "http://$addr" --auth ACaaa:secret --count 10 \
    --form Other=1 --json >"$tmp/l2d.json" 2>"$tmp/l2d.err" ||
    fail "http-load (not a callback)"
kill -TERM "$sink_pid"
wait_sink
[ "$sink_status" -eq 0 ] || fail "callback-sink exited $sink_status on TERM"
check "$tmp/s2.json" 'j.requests === 250 && j.callbacks === 240 &&
    j.unparsed === 10' "sink counts"
check "$tmp/s2.json" 'j.by_status.sent === 100 &&
    j.by_status.undelivered === 100 && j.by_status.failed === 40' \
    "sink by_status"
check "$tmp/s2.json" 'j.final.distinct === 100 &&
    j.final.duplicates === 40 && !j.reached' "sink duplicates"
grep -q '^POST [^ ]* Basic [^ ]* To=%2B447700900003&From=%2B14155550100&Body=x%2013%20y&' \
    "$tmp/s2.log" || fail "the To range wraps and {n} fills the body"

# 3. Kannel's sendsms at a fixed rate posing as delivery reports (GET):
#    the dlr-url carries the id and Kannel's %d.
start_sink s3 --expect 150
"$load" --kannel --url "http://$addr" --auth tester:foobar --count 150 \
    --rate 3000 --connections 8 --status-callback "http://$addr/dlr" \
    --form 'id=K{n}' --form type=1 --json >"$tmp/l3.json" \
    2>"$tmp/l3.err" || fail "http-load --kannel exited $?"
wait_sink
check "$tmp/l3.json" 'j.mode === "kannel" && j.rate === 3000 &&
    j.created === 150 && j.latency_ms.count === 150' "kannel load"
check "$tmp/s3.json" 'j.methods.GET === 150 && j.final.distinct === 150 &&
    j.by_status.delivered === 150 && j.reached' "kannel sink"
grep -q '^GET /cgi-bin/sendsms?username=tester&password=foobar&from=%2B14155550100&to=%2B14155550042&text=carrierlab%20bench%2042&dlr-mask=31&dlr-url=http%3A%2F%2F[0-9.]*%3A[0-9]*%2Fdlr%3Fid%3D42%26type%3D%25d&id=K42&type=1 - $' \
    "$tmp/s3.log" || fail "the sendsms request is not as expected"

# 4. Nothing listening: every request fails, exit 1; a usage error is 2.
"$sink" --listen 127.0.0.1:0 --ready-file "$tmp/gone.ready" --timeout 1s \
    >/dev/null &
gone_pid=$!
wait_file "$tmp/gone.ready"
gone=$(sed 's/.*"address": "\([^"]*\)".*/\1/' "$tmp/gone.ready")
wait "$gone_pid" || true
st=0
"$load" --url "http://$gone" --auth ACaaa:secret --count 5 --connections 2 \
    --timeout 5s --json >"$tmp/l4.json" 2>"$tmp/l4.err" || st=$?
[ "$st" -eq 1 ] || fail "http-load exited $st against a closed port, not 1"
check "$tmp/l4.json" 'j.created === 0 && j.failed === 5 &&
    j.responses === 0' "failed counts"
st=0
"$load" --count 0 >/dev/null 2>&1 || st=$?
[ "$st" -eq 2 ] || fail "http-load --count 0 exited $st, not 2"
st=0
"$load" --to 12-3 --auth a:b >/dev/null 2>&1 || st=$?
[ "$st" -eq 2 ] || fail "http-load --to 12-3 exited $st, not 2"

echo "$name: PASS"
