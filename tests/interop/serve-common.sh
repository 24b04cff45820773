# Helpers for the interop tests that run `carrierlab serve` (twilio.sh,
# readme-curl.sh), sourced after common.sh, whose temp dir, skip rules and
# cleanup they use: serve's pid goes in $smsc_pid and its log in
# $interop_tmp/smsc.log, so common.sh's EXIT trap stops it and prints the
# log when the test fails.
#
#   serve_need_node_module NAME    skip (77) without node or the npm NAME
#   serve_start SCENARIO           start serve, wait for its ready file
#   serve_http                     "127.0.0.1:PORT" of its HTTP listener
#   serve_wait_bound               every carrier has a bound session
#   serve_stop                     SIGTERM; must exit 0 within 20 s

serve_need_node_module() {
	command -v node >/dev/null 2>&1 ||
	    interop_skip "node is not installed (apt-get install nodejs)"
	node -e 'require.resolve(process.argv[1], {paths: [process.argv[2]]})' \
	    "$1" "$top_srcdir/tests/interop" >/dev/null 2>&1 ||
	    interop_skip "the npm package $1 is not installed" \
	    "(run \`npm ci\` in $top_srcdir, or ./bootstrap)"
}

# Starts `carrierlab serve SCENARIO` on ephemeral ports with its databases
# in the temp dir and waits (20 s at most) for the ready file.
serve_start() {
	_ready=$interop_tmp/ready.json
	rm -f "$_ready"
	"$CARRIERLAB" serve "$1" --http 127.0.0.1:0 \
	    --db "$interop_tmp/gateway.db" --smsc-db "$interop_tmp/smsc.db" \
	    --ready-file "$_ready" --log-level debug \
	    >"$interop_tmp/smsc.log" 2>&1 &
	smsc_pid=$!
	_deadline=$(($(date +%s) + 20))
	while [ ! -f "$_ready" ]; do
		if ! interop_alive "$smsc_pid"; then
			interop_status=0
			wait "$smsc_pid" || interop_status=$?
			smsc_pid=""
			interop_fail "carrierlab serve exited with status" \
			    "$interop_status before writing its ready file"
		fi
		if [ "$(date +%s)" -ge "$_deadline" ]; then
			interop_fail "carrierlab serve wrote no ready file" \
			    "within 20 s"
		fi
		sleep 0.1
	done
	interop_log "serve ready: $(tr -s ' \n' ' ' <"$_ready")"
}

serve_http() {
	_addr=$(interop_ready_get 'r.http || r.api')
	case $_addr in
	127.0.0.1:0 | *:) interop_fail "HTTP listener on $_addr, not a real port" ;;
	127.0.0.1:*) ;;
	*) interop_fail "HTTP listener on $_addr, not 127.0.0.1" ;;
	esac
	echo "$_addr"
}

# Polls /sim/carriers (20 s at most) until every carrier counts a bound
# session: the gateway's.
serve_wait_bound() {
	_api=$(serve_http)
	_deadline=$(($(date +%s) + 20))
	while :; do
		_all=$(curl -s "http://$_api/sim/carriers" | node -e '
let s = "";
process.stdin.on("data", (d) => { s += d; });
process.stdin.on("end", () => {
	try {
		const c = JSON.parse(s).carriers;
		console.log(c.length > 0 && c.every((x) => x.counters.bound > 0) ?
		    "yes" : "no");
	} catch (e) {
		console.log("no");
	}
});') || _all=no
		[ "$_all" = yes ] && return 0
		if [ "$(date +%s)" -ge "$_deadline" ]; then
			interop_fail "the gateway has not bound to every" \
			    "carrier within 20 s"
		fi
		sleep 0.1
	done
}

serve_stop() {
	kill -TERM "$smsc_pid" 2>/dev/null ||
	    interop_fail "carrierlab serve died before the end of the test"
	if ! interop_wait_exit "$smsc_pid" 20; then
		interop_fail "carrierlab serve still running 20 s after SIGTERM"
	fi
	smsc_pid=""
	if [ "$interop_status" -ne 0 ]; then
		interop_fail "carrierlab serve exited with status" \
		    "$interop_status after SIGTERM (expected 0)"
	fi
	interop_log "serve stopped by SIGTERM, status 0"
}
