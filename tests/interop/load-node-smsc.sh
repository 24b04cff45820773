#!/bin/sh
# Interop: `carrierlab load` as the client of an SMSC written elsewhere,
# tests/interop/node-smsc.js on the npm `smpp` package. 500 messages must
# all be answered ESME_ROK and all receipted (matched by the
# receipted_message_id TLV); then again with the SMSC answering submits
# with hex ids while its receipts say decimal, and once more with every
# receipt sent ahead of its submit_sm_resp: load must match them all.
# See docs/load.md.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/common.sh"

COUNT=500
node_pid=""

interop_need_node
interop_init

# interop_cleanup (common.sh) knows nothing of our node process: stop it
# first, then hand over with the exit status intact.
load_cleanup() {
	_lrc=$?
	if [ -n "$node_pid" ]; then
		kill -TERM "$node_pid" 2>/dev/null
		interop_wait_exit "$node_pid" 10 || kill -KILL "$node_pid" 2>/dev/null
	fi
	if [ "$_lrc" -ne 0 ] && [ "$_lrc" -ne 77 ] && [ -s "$interop_tmp/node.log" ]; then
		echo "--- node-smsc.js stderr ---" >&2
		tail -n 40 "$interop_tmp/node.log" >&2
	fi
	(exit "$_lrc")
	interop_cleanup
}
trap load_cleanup EXIT

# Starts node-smsc.js with the given flags; sets node_port once it prints
# the port it listens on (20 s at most).
start_node() {
	: >"$interop_tmp/node.port"
	node "$top_srcdir/tests/interop/node-smsc.js" "$@" \
	    >"$interop_tmp/node.port" 2>"$interop_tmp/node.log" &
	node_pid=$!
	_deadline=$(($(date +%s) + 20))
	while [ ! -s "$interop_tmp/node.port" ]; do
		interop_alive "$node_pid" ||
		    interop_fail "node-smsc.js exited before listening"
		[ "$(date +%s)" -lt "$_deadline" ] ||
		    interop_fail "node-smsc.js printed no port within 20 s"
		sleep 0.1
	done
	node_port=$(head -n 1 "$interop_tmp/node.port")
	case $node_port in
	'' | *[!0-9]*) interop_fail "node-smsc.js printed \"$node_port\", not a port" ;;
	esac
	interop_log "node-smsc.js $* listening on 127.0.0.1:$node_port"
}

stop_node() {
	kill -TERM "$node_pid" 2>/dev/null ||
	    interop_fail "node-smsc.js died before the end of the test"
	interop_wait_exit "$node_pid" 10 ||
	    interop_fail "node-smsc.js still running 10 s after SIGTERM"
	node_pid=""
	interop_log "$(cat "$interop_tmp/node.log")"
}

# Runs carrierlab load against node-smsc.js; its JSON report goes to $1.
run_load() {
	_out=$1
	shift
	_status=0
	if command -v timeout >/dev/null 2>&1; then
		timeout -k 5 120 "$CARRIERLAB" load --connect "127.0.0.1:$node_port" \
		    --count "$COUNT" --no-progress --json "$@" >"$_out" \
		    2>"$interop_tmp/load.err" || _status=$?
	else
		"$CARRIERLAB" load --connect "127.0.0.1:$node_port" --count "$COUNT" \
		    --no-progress --json "$@" >"$_out" 2>"$interop_tmp/load.err" ||
		    _status=$?
	fi
	if [ "$_status" -ne 0 ]; then
		cat "$interop_tmp/load.err" "$_out" >&2
		interop_fail "carrierlab load exited with status $_status"
	fi
}

# check_report FILE 'path' value ...: each path of the report has value.
check_report() {
	node -e '
const fs = require("fs");
const r = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
const want = process.argv.slice(2);
let bad = 0;
for (let i = 0; i < want.length; i += 2) {
	const got = want[i].split(".").reduce((o, k) => o === undefined ? o : o[k], r);
	if (String(got) !== want[i + 1]) {
		console.error(want[i] + ": " + JSON.stringify(got) + ", expected " + want[i + 1]);
		bad = 1;
	}
}
const l = r.latency_ms.submit_response;
if (!(l.p50 <= l.p90 && l.p90 <= l.p99 && l.p99 <= l.max && l.max > 0)) {
	console.error("submit_response percentiles out of order: " + JSON.stringify(l));
	bad = 1;
}
process.exit(bad);
' "$@" || interop_fail "report $1 is not as expected"
}

start_node
run_load "$interop_tmp/plain.json"
check_report "$interop_tmp/plain.json" \
    messages.submitted $COUNT \
    submit_sm.by_status.ESME_ROK $COUNT \
    submit_sm.no_response 0 \
    receipts.matched $COUNT \
    receipts.by_stat.DELIVRD $COUNT \
    receipts.missing 0 \
    receipts.unmatched 0 \
    exit_status 0
interop_log "$COUNT submits answered and receipted"
stop_node

# Ids 1 to 9 read the same in both bases; every later one needs the
# second look-up.
start_node --hex-ids
run_load "$interop_tmp/hex.json"
check_report "$interop_tmp/hex.json" \
    submit_sm.by_status.ESME_ROK $COUNT \
    receipts.matched $COUNT \
    receipts.id_other_base $((COUNT - 9)) \
    receipts.missing 0
interop_log "hex submit_sm_resp ids matched to decimal receipts"
stop_node

# Every receipt ahead of its submit_sm_resp: held until the id is known.
start_node --receipt-first
run_load "$interop_tmp/first.json"
check_report "$interop_tmp/first.json" \
    submit_sm.by_status.ESME_ROK $COUNT \
    receipts.matched $COUNT \
    receipts.before_response $COUNT \
    receipts.unmatched 0
interop_log "receipts ahead of their submit_sm_resp matched"
stop_node
interop_log "PASS"
