#!/bin/sh
# Interop: Wireshark's SMPP dissector (another implementation we did not
# write) reads every PDU of a node-smpp.js session with `carrierlab smsc`,
# captured on lo: no malformed packet and no expert error, and the capture
# holds the commands of the session, so an empty capture cannot pass. See
# docs/interop.md.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/common.sh"

interop_need_node
command -v tshark >/dev/null 2>&1 ||
    interop_skip "tshark is not installed (apt-get install tshark)"

interop_init
interop_write_scenario "$interop_tmp/scenario.json"
interop_start_smsc "$interop_tmp/scenario.json"

plain=$(interop_listen alpha plain)
port=${plain##*:}
api=$(interop_http)
cap=$interop_tmp/cap.pcapng

# Reads the capture with the smsc's port decoded as SMPP; tshark's stderr
# (a warning when run as root, reading errors) goes to read.err.
ts_read() {
	tshark -r "$cap" -d "tcp.port==$port,smpp" "$@" 2>>"$interop_tmp/read.err"
}

# Start capturing; wait until tshark says it is, or fails.
tshark -i lo -f "tcp port $port" -w "$cap" \
    >"$interop_tmp/tshark.out" 2>"$interop_tmp/tshark.err" &
tshark_pid=$!
deadline=$(($(date +%s) + 20))
while ! grep -q "Capturing on" "$interop_tmp/tshark.err"; do
	if ! interop_alive "$tshark_pid"; then
		interop_wait_exit "$tshark_pid" 1 || true
		tshark_pid=""
		if grep -qi -e "permission" -e "not permitted" \
		    -e "capabilit" -e "no interfaces" "$interop_tmp/tshark.err"; then
			interop_skip "tshark may not capture on lo here:" \
			    "$(tr '\n' ' ' <"$interop_tmp/tshark.err")"
		fi
		interop_fail "tshark exited (status $interop_status) before" \
		    "capturing: $(tr '\n' ' ' <"$interop_tmp/tshark.err")"
	fi
	if [ "$(date +%s)" -ge "$deadline" ]; then
		interop_fail "tshark did not start capturing within 20 s"
	fi
	sleep 0.1
done
interop_log "tshark capturing on lo, tcp port $port"

# The session; no TLS here, so that every PDU can be dissected.
interop_run_node_smpp "${plain%:*}" "$port" "http://$api" ||
    interop_fail "node-smpp.js failed (its first FAIL line above says where)"

# dumpcap writes packets out in batches: wait until the session's last PDU
# (unbind_resp) is in the file before stopping the capture.
deadline=$(($(date +%s) + 20))
while [ -z "$(ts_read -Y 'smpp.command_id == 0x80000006')" ]; do
	if [ "$(date +%s)" -ge "$deadline" ]; then
		interop_fail "no unbind_resp in the capture 20 s after the session"
	fi
	sleep 0.1
done
kill -INT "$tshark_pid"
interop_wait_exit "$tshark_pid" 20 ||
    interop_fail "tshark still running 20 s after SIGINT"
tshark_pid=""
[ "$interop_status" -eq 0 ] ||
    interop_fail "tshark exited with status $interop_status"

interop_stop_smsc

# 1. Nothing malformed, no expert error.
bad=$(ts_read -Y '_ws.malformed || _ws.expert.severity >= "Error"') ||
    interop_fail "tshark could not read the capture (see read.err below)"
if [ -n "$bad" ]; then
	ts_read -Y '_ws.malformed || _ws.expert.severity >= "Error"' -V >&2 || true
	interop_fail "Wireshark finds malformed or erroneous packets:
$bad"
fi
interop_log "no malformed packet, no expert error"

# 2. The session's commands are there (one field per frame, several
# PDUs in one frame comma-separated).
ts_read -Y smpp -T fields -e smpp.command_id >"$interop_tmp/ids" ||
    interop_fail "tshark could not list the SMPP commands"
tr ',' '\n' <"$interop_tmp/ids" | sed '/^$/d' >"$interop_tmp/ids1"
interop_log "SMPP commands in the capture: $(sort "$interop_tmp/ids1" |
    uniq -c | tr -s ' \n' ' ')"

# count ID: how many PDUs with command_id ID.
count() {
	grep -cx "$1" "$interop_tmp/ids1" || true
}

# expect ID NAME MIN: at least MIN PDUs of ID.
expect() {
	n=$(count "$1")
	if [ "$n" -lt "$3" ]; then
		interop_fail "capture has $n $2 ($1), expected at least $3"
	fi
}

# 3 binds (bad password, unknown system_id, good), 7 submits (A, B, the
# UCS-2 one, 3 parts, C), 2 receipts + 1 MO.
expect 0x00000009 bind_transceiver 3
expect 0x80000009 bind_transceiver_resp 3
expect 0x00000015 enquire_link 1
expect 0x80000015 enquire_link_resp 1
expect 0x00000004 submit_sm 7
expect 0x80000004 submit_sm_resp 7
expect 0x00000005 deliver_sm 3
expect 0x80000005 deliver_sm_resp 3
expect 0x00000006 unbind 1
expect 0x80000006 unbind_resp 1
[ "$(count 0x80000000)" -eq 0 ] ||
    interop_fail "capture has generic_nack PDUs"

# The three bind answers, as Wireshark reads their command_status.
st=$(ts_read -Y 'smpp.command_id == 0x80000009' -T fields \
    -e smpp.command_status | tr ',' '\n' | sed '/^$/d' | sort | tr '\n' ' ')
case $st in
"0x00000000 0x0000000e 0x0000000f ") ;;
*) interop_fail "bind_transceiver_resp statuses are '$st'," \
    "expected 0x00000000 0x0000000e 0x0000000f" ;;
esac

# Receipts: deliver_sm carrying a receipted_message_id TLV.
nr=$(ts_read -Y 'smpp.command_id == 0x00000005 && smpp.receipted_message_id' \
    -T fields -e frame.number | sed '/^$/d' | wc -l)
[ "$nr" -ge 2 ] ||
    interop_fail "Wireshark sees $nr deliver_sm with receipted_message_id," \
    "expected at least 2"

interop_log "PASS"
