#!/bin/sh
# Interop: the official Twilio helper library for Node.js (npm `twilio`,
# pinned in package-lock.json) against `carrierlab serve`, with only the
# base URLs of its api and messaging domains changed (twilio.js says what
# it checks). Then SIGTERM must stop serve with status 0.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/common.sh"
. "$top_srcdir/tests/interop/serve-common.sh"

serve_need_node_module twilio
interop_init
serve_start "$top_srcdir/tests/scenarios/serve-interop.json"
api=$(serve_http)

if command -v timeout >/dev/null 2>&1; then
	run="timeout -k 5 150"
else
	run=""
fi
$run node "$top_srcdir/tests/interop/twilio.js" "http://$api" \
    AC0123456789abcdef0123456789abcdef interop-token-7 +14155550100 \
    MG0123456789abcdef0123456789abcdef ||
    interop_fail "twilio.js failed (its FAIL line above says where)"

serve_stop
interop_log "PASS"
