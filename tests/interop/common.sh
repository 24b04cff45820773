# Helpers for the interop tests (tests/interop/*.sh), sourced by them; POSIX
# sh. Each test gets its own temporary directory, scenario, `carrierlab
# smsc` on ephemeral 127.0.0.1 ports and logs, so tests can run in parallel.
#
#   interop_init                  temp dir $interop_tmp + cleanup trap
#   interop_need_node             skip (77) without node or the npm smpp
#   interop_skip REASON           exit 77, or fail if CARRIERLAB_REQUIRE_INTEROP
#   interop_fail REASON           exit 1
#   interop_write_scenario FILE [tls]
#   interop_start_smsc FILE       start smsc, wait for its ready file
#   interop_listen CARRIER plain|tls   "127.0.0.1:PORT" from the ready file
#   interop_http                  "127.0.0.1:PORT" of the control API
#   interop_stop_smsc             SIGTERM; must exit 0 within 10 s
#   interop_alive PID / interop_wait_exit PID SECONDS
#
# Waits poll every 0.1 s against a deadline; nothing sleeps a fixed time
# in place of a wait. The EXIT trap stops whatever is still running (smsc,
# tshark), prints the smsc log on failure and removes the temp dir.

set -eu

if [ -z "${top_srcdir:-}" ]; then
	top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
fi
if [ -z "${top_builddir:-}" ]; then
	top_builddir=$top_srcdir
fi
CARRIERLAB=$top_builddir/carrierlab
interop_name=$(basename "$0" .sh)
interop_tmp=""
smsc_pid=""
tshark_pid=""
interop_status=0

interop_log() {
	printf '%s: %s\n' "$interop_name" "$*"
}

interop_fail() {
	printf '%s: FAIL: %s\n' "$interop_name" "$*" >&2
	exit 1
}

interop_skip() {
	if [ -n "${CARRIERLAB_REQUIRE_INTEROP:-}" ]; then
		interop_fail "$* (CARRIERLAB_REQUIRE_INTEROP is set: a" \
		    "missing peer is a failure, not a skip)"
	fi
	printf '%s: SKIP: %s\n' "$interop_name" "$*"
	exit 77
}

# node, and the `smpp` package where node-smpp.js will look for it (the
# node_modules of the source tree or a parent, or NODE_PATH).
interop_need_node() {
	command -v node >/dev/null 2>&1 ||
	    interop_skip "node is not installed (apt-get install nodejs)"
	node -e 'require.resolve("smpp", {paths: [process.argv[1]]})' \
	    "$top_srcdir/tests/interop" >/dev/null 2>&1 ||
	    interop_skip "the npm package smpp is not installed" \
	    "(run \`npm ci\` in $top_srcdir, or ./bootstrap)"
}

# True while PID runs (a zombie, exited but not yet waited for, is not).
interop_alive() {
	kill -0 "$1" 2>/dev/null || return 1
	if [ -r "/proc/$1/stat" ]; then
		_st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
		_st=${_st##*) }
		case $_st in
		Z* | X*) return 1 ;;
		esac
	fi
	return 0
}

# Waits up to SECONDS for child PID to exit; sets interop_status to its
# exit status. Returns 1 if it is still running at the deadline.
interop_wait_exit() {
	_deadline=$(($(date +%s) + $2))
	while interop_alive "$1"; do
		if [ "$(date +%s)" -ge "$_deadline" ]; then
			return 1
		fi
		sleep 0.1
	done
	interop_status=0
	wait "$1" || interop_status=$?
	return 0
}

interop_cleanup() {
	_rc=$?
	set +e
	if [ -n "$tshark_pid" ]; then
		kill -INT "$tshark_pid" 2>/dev/null
		interop_wait_exit "$tshark_pid" 10 ||
		    kill -KILL "$tshark_pid" 2>/dev/null
	fi
	if [ -n "$smsc_pid" ]; then
		kill -TERM "$smsc_pid" 2>/dev/null
		if ! interop_wait_exit "$smsc_pid" 10; then
			kill -KILL "$smsc_pid" 2>/dev/null
			wait "$smsc_pid" 2>/dev/null
		fi
	fi
	if [ "$_rc" -ne 0 ] && [ "$_rc" -ne 77 ] && [ -n "$interop_tmp" ]; then
		for _f in "$interop_tmp"/smsc.log "$interop_tmp"/tshark.err \
		    "$interop_tmp"/read.err; do
			[ -s "$_f" ] || continue
			echo "--- last lines of ${_f##*/} ---" >&2
			tail -n 60 "$_f" >&2
		done
	fi
	if [ -n "$interop_tmp" ]; then
		rm -rf "$interop_tmp"
	fi
	exit "$_rc"
}

interop_init() {
	interop_tmp=$(mktemp -d "${TMPDIR:-/tmp}/carrierlab-$interop_name.XXXXXX")
	trap interop_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	if [ ! -x "$CARRIERLAB" ]; then
		interop_fail "$CARRIERLAB is not built"
	fi
}

# One carrier "alpha" on an ephemeral port (and a second, TLS listener with
# a self-signed certificate when $2 is "tls"), account test/test, every
# message delivered with a receipt after 50 ms.
interop_write_scenario() {
	_listen='{"address": "127.0.0.1:0"}'
	if [ "${2:-}" = tls ]; then
		_listen="$_listen, {\"address\": \"127.0.0.1:0\", \"tls\": true}"
	fi
	cat >"$1" <<EOF
{
  "name": "interop $interop_name",
  "seed": 7,
  "carriers": [
    {
      "name": "alpha",
      "listen": [$_listen],
      "accounts": [{"system_id": "test", "password": "test"}],
      "receipt_delay": "50ms",
      "outcomes": {"DELIVRD": 1}
    }
  ]
}
EOF
}

# Starts `carrierlab smsc SCENARIO` in the background and waits (20 s at
# most) for the ready file it writes once every listener is up.
interop_start_smsc() {
	_ready=$interop_tmp/ready.json
	rm -f "$_ready"
	"$CARRIERLAB" smsc "$1" --http 127.0.0.1:0 --db "$interop_tmp/smsc.db" \
	    --seed 7 --ready-file "$_ready" --log-level debug \
	    >"$interop_tmp/smsc.log" 2>&1 &
	smsc_pid=$!
	_deadline=$(($(date +%s) + 20))
	while [ ! -f "$_ready" ]; do
		if ! interop_alive "$smsc_pid"; then
			interop_status=0
			wait "$smsc_pid" || interop_status=$?
			smsc_pid=""
			interop_fail "carrierlab smsc exited with status" \
			    "$interop_status before writing its ready file"
		fi
		if [ "$(date +%s)" -ge "$_deadline" ]; then
			interop_fail "carrierlab smsc wrote no ready file within 20 s"
		fi
		sleep 0.1
	done
	_pid=$(interop_ready_get 'r.pid')
	if [ "$_pid" != "$smsc_pid" ]; then
		interop_fail "ready file pid $_pid is not the smsc's ($smsc_pid)"
	fi
	interop_log "smsc ready: $(tr -s ' \n' ' ' <"$_ready")"
}

# Prints the value of a JS expression over the ready file's JSON (r).
interop_ready_get() {
	node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const v = eval(process.argv[2]);
if (v === undefined || v === null || v === "") {
	console.error("ready file: no " + process.argv[2] + " in " + JSON.stringify(r));
	process.exit(1);
}
console.log(String(v));
' "$interop_tmp/ready.json" "$1" ||
	    interop_fail "cannot read $1 from the ready file"
}

# Address of carrier $1's first plain ($2 = plain) or TLS listener.
interop_listen() {
	_want=false
	[ "$2" = tls ] && _want=true
	_addr=$(interop_ready_get "(r.carriers.find((c) => c.name === '$1') || {listen: []}).listen.filter((l) => !!l.tls === $_want).map((l) => l.address)[0]")
	case $_addr in
	127.0.0.1:0 | *:) interop_fail "carrier $1 listens on $_addr, not a real port" ;;
	127.0.0.1:*) ;;
	*) interop_fail "carrier $1 listens on $_addr, not 127.0.0.1" ;;
	esac
	echo "$_addr"
}

interop_http() {
	_addr=$(interop_ready_get 'r.http')
	case $_addr in
	127.0.0.1:0 | *:) interop_fail "control API on $_addr, not a real port" ;;
	127.0.0.1:*) ;;
	*) interop_fail "control API on $_addr, not 127.0.0.1" ;;
	esac
	echo "$_addr"
}

# SIGTERM must stop smsc with status 0 within 10 s.
interop_stop_smsc() {
	kill -TERM "$smsc_pid" 2>/dev/null ||
	    interop_fail "carrierlab smsc died before the end of the test"
	if ! interop_wait_exit "$smsc_pid" 10; then
		interop_fail "carrierlab smsc still running 10 s after SIGTERM"
	fi
	smsc_pid=""
	if [ "$interop_status" -ne 0 ]; then
		interop_fail "carrierlab smsc exited with status $interop_status" \
		    "after SIGTERM (expected 0)"
	fi
	interop_log "smsc stopped by SIGTERM, status 0"
}

# Runs node-smpp.js against HOST PORT HTTP_BASE [TLS_PORT]; 150 s at most
# (each of its steps has its own, shorter deadline).
interop_run_node_smpp() {
	if command -v timeout >/dev/null 2>&1; then
		timeout -k 5 150 node "$top_srcdir/tests/interop/node-smpp.js" "$@"
	else
		node "$top_srcdir/tests/interop/node-smpp.js" "$@"
	fi
}
