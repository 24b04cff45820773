#!/bin/sh
# Interop: the npm `smpp` package (a client we did not write) runs a full
# session against `carrierlab smsc` over plain TCP and over TLS: refused
# and accepted binds, enquire_link, submits with and without receipts,
# UCS-2, a concatenated message, the server's capture of what it decoded,
# an MO via the control API, unbind. Then SIGTERM must stop smsc with
# status 0. See docs/interop.md.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/common.sh"

interop_need_node
interop_init
interop_write_scenario "$interop_tmp/scenario.json" tls
interop_start_smsc "$interop_tmp/scenario.json"

plain=$(interop_listen alpha plain)
tls=$(interop_listen alpha tls)
api=$(interop_http)

interop_run_node_smpp "${plain%:*}" "${plain##*:}" "http://$api" "${tls##*:}" ||
    interop_fail "node-smpp.js failed (its first FAIL line above says where)"

interop_stop_smsc
interop_log "PASS"
