#!/bin/sh
# Every curl example of README.md works as written. Each fenced code block
# that calls curl runs as a shell script, as a reader would paste it (its
# variables, pipes and comments included), against a fresh `carrierlab
# serve` on the default scenario, with localhost:8080 and 127.0.0.1:8080
# rewritten to the listener's ephemeral port (the carriers' fixed ports
# are made ephemeral too, so the test runs beside anything else). Blocks
# run in README order. Every curl call must exit 0 with a 2xx answer,
# and every block must exit 0. Then SIGTERM must stop serve with status 0.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/common.sh"
. "$top_srcdir/tests/interop/serve-common.sh"

command -v curl >/dev/null 2>&1 ||
    interop_skip "curl is not installed (apt-get install curl)"
command -v node >/dev/null 2>&1 ||
    interop_skip "node is not installed (apt-get install nodejs)"
interop_init

# The fenced blocks that call curl, one file each (block.1, block.2, ...).
awk -v dir="$interop_tmp" '
/^[ \t]*```/ {
	if (inblock && text ~ /(^|[^a-z_-])curl[ \t]/)
		printf "%s", text > (dir "/block." ++n)
	inblock = !inblock
	text = ""
	next
}
inblock { text = text $0 "\n" }
END { print n + 0 > (dir "/blocks") }
' "$top_srcdir/README.md"
nblocks=$(cat "$interop_tmp/blocks")
[ "$nblocks" -gt 0 ] || interop_fail "no curl example found in README.md"
interop_log "$nblocks blocks of README.md call curl"

# The default scenario with every listener on an ephemeral port. --explain
# writes the gateway's routes out, each to its carrier's fixed port: they
# are left out, so that serve makes them from the carriers again.
"$CARRIERLAB" check --explain --default >"$interop_tmp/default.json" ||
    interop_fail "carrierlab check --explain --default failed"
node -e '
const fs = require("fs");
const s = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
for (const c of s.carriers)
	c.listen = c.listen.map((l) => typeof l === "string" ? "127.0.0.1:0" :
	    Object.assign(l, {address: "127.0.0.1:0"}));
if (s.gateway)
	delete s.gateway.routes;
fs.writeFileSync(process.argv[2], JSON.stringify(s, null, 2));
' "$interop_tmp/default.json" "$interop_tmp/scenario.json" ||
    interop_fail "cannot rewrite the default scenario's ports"
serve_start "$interop_tmp/scenario.json"
api=$(serve_http)
serve_wait_bound

# curl as the blocks see it: the real one, whose exit status and HTTP
# status are checked and logged (a failure inside $(...) or a pipe would
# not stop the block, so it is written to $interop_tmp/failures).
cat >"$interop_tmp/curl.sh" <<'EOS'
curl() {
	_rc=0
	command curl -w '%{stderr}readme-curl-http-code=%{http_code}\n' "$@" \
	    2>"$README_TMP/curl.err" || _rc=$?
	_code=$(sed -n 's/^readme-curl-http-code=//p' "$README_TMP/curl.err" |
	    tail -n 1)
	grep -v '^readme-curl-http-code=' "$README_TMP/curl.err" >&2 || :
	echo "curl $* -> exit $_rc, HTTP ${_code:-none}" >>"$README_TMP/calls"
	case $_rc:$_code in
	0:2[0-9][0-9]) return 0 ;;
	esac
	echo "curl $*: exit $_rc, HTTP ${_code:-none}, not 0 and 2xx" \
	    >>"$README_TMP/failures"
	return 1
}
EOS
README_TMP=$interop_tmp
export README_TMP
: >"$interop_tmp/calls"
: >"$interop_tmp/failures"

i=0
while [ "$i" -lt "$nblocks" ]; do
	i=$((i + 1))
	block=$interop_tmp/block.$i
	if grep -q '^[ \t]*\(\$[ \t]*\)\{0,1\}\./carrierlab' "$block"; then
		interop_fail "README block $i mixes ./carrierlab and curl; it" \
		    "cannot be run against the test's serve: $(cat "$block")"
	fi
	sed -e "s#localhost:8080#$api#g" -e "s#127\.0\.0\.1:8080#$api#g" \
	    "$block" >"$block.sh"
	interop_log "block $i:"
	sed 's/^/    /' "$block"
	rc=0
	(cd "$interop_tmp" && sh -c ". ./curl.sh; set -e; . '$block.sh'") \
	    >"$block.out" 2>"$block.err" || rc=$?
	if [ "$rc" -ne 0 ] || [ -s "$interop_tmp/failures" ]; then
		echo "--- calls ---" >&2
		cat "$interop_tmp/calls" >&2
		echo "--- output ---" >&2
		head -c 3000 "$block.out" >&2
		echo >&2
		cat "$block.err" >&2
		interop_fail "README block $i exited $rc: $(cat \
		    "$interop_tmp/failures")"
	fi
done
ncalls=$(wc -l <"$interop_tmp/calls")
[ "$ncalls" -gt 0 ] || interop_fail "the blocks called curl 0 times"

serve_stop
interop_log "PASS: $ncalls curl calls in $nblocks blocks"
