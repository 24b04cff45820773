#!/bin/sh
# carrierlab run and check as a user meets them, with real processes:
#   - exit statuses: 0 pass, 1 an expectation failed, 2 an invalid file
#     (run and check alike), one invalid file per kind of error with its
#     exact message;
#   - determinism: two virtual runs of tests/scenarios/run-random.json
#     with the same seed give the same summary, JUnit and HTML, byte for
#     byte, and the same store (every message's sid, from, to, body with
#     its short link, status, error code and timestamps, every event);
#     another seed another store;
#   - the JUnit and HTML outputs of a run of two files parsed back;
#   - `carrierlab serve FILE` plays the file's timeline (a fault on after
#     a second, off a second later), seen through /sim/.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/common.sh"
. "$top_srcdir/tests/interop/serve-common.sh"

command -v python3 >/dev/null 2>&1 ||
    interop_skip "python3 is not installed (apt-get install python3)"
interop_init
T=$interop_tmp
S=$top_srcdir/tests/scenarios

# ---- exit statuses and invalid files ----

status_of() {
	_st=0
	"$@" >"$T/out" 2>"$T/err" || _st=$?
	echo "$_st"
}

st=$(status_of "$CARRIERLAB" run --no-progress "$S/run-fail.json")
[ "$st" = 1 ] || interop_fail "a failing expectation: exit $st, not 1"
grep -q '^FAIL: 1 of 2 expectations failed$' "$T/out" ||
    interop_fail "no FAIL verdict line: $(cat "$T/out")"
st=$(status_of "$CARRIERLAB" run --no-progress --quiet "$S/run-random.json")
[ "$st" = 0 ] || interop_fail "run-random.json: exit $st, not 0"
[ ! -s "$T/out" ] || interop_fail "--quiet printed: $(cat "$T/out")"
st=$(status_of "$CARRIERLAB" run --no-such-option x.json)
[ "$st" = 2 ] || interop_fail "a bad option: exit $st, not 2"

B='"accounts": [{"sid": "AC00000000000000000000000000000000",
 "auth_token": "test"}], "numbers": [{"number": "+14155550100"}],
 "carriers": [{"name": "a", "listen": ["127.0.0.1:0"]}]'
# name | file body | the error's path and reason (after FILE:LINE:COL: )
while IFS='|' read -r name body want; do
	[ -n "$name" ] || continue
	printf '%s\n' "$body" | sed "s/BASE/$(printf '%s' "$B" |
	    tr '\n' ' ' | sed 's/[&/\]/\\&/g')/" >"$T/$name.json"
	for cmd in run check; do
		st=$(status_of "$CARRIERLAB" "$cmd" "$T/$name.json")
		[ "$st" = 2 ] ||
		    interop_fail "$cmd $name.json: exit $st, not 2"
		got=$(sed -n 's/^[^:]*:[0-9]*:[0-9]*: //p' "$T/err")
		[ "$got" = "$want" ] ||
		    interop_fail "$cmd $name.json: \"$got\", not \"$want\""
		grep -q "^$T/$name.json:[0-9]*:[0-9]*: " "$T/err" ||
		    interop_fail "$cmd $name.json: no FILE:LINE:COLUMN"
	done
	[ ! -s "$T/out" ] || interop_fail "$name.json: stdout not empty"
done <<'EOF'
syntax|{"carriers": [}|unexpected token near '}'
topkey|{BASE, "timelime": []}|timelime: unknown key (did you mean "timeline"?)
tl-carrier|{BASE, "timeline": [{"at": "1s", "carrier": "b", "fault": "refuse_binds"}]}|timeline[0].carrier: unknown carrier "b" (carriers: a)
tl-fault|{BASE, "timeline": [{"at": "1s", "carrier": "a", "fault": "refuse_bind"}]}|timeline[0].fault: unknown fault "refuse_bind" (faults: refuse_binds, close_listener, drop_connections, drop_after_bind, blackhole, submit_errors, latency, stop_receipts, duplicate_receipts)
tl-two|{BASE, "timeline": [{"at": "1s", "carrier": "a", "fault": "refuse_binds", "gateway": "restart"}]}|timeline[0]: two actions, "fault" and "gateway": an item holds one
tl-params|{BASE, "timeline": [{"at": "1s", "carrier": "a", "fault": "submit_errors", "params": {"share": 2}}]}|timeline[0].params.share: must be a number between 0 and 1
tr-service|{BASE, "traffic": [{"service": "MG00000000000000000000000000000001", "to": "+14155551000", "count": 1}]}|traffic[0].service: no service MG00000000000000000000000000000001 in "services"
tr-range|{BASE, "traffic": [{"from": "+14155550100", "to": {"range": ["+14155551000", "+1415555"]}, "count": 1}]}|traffic[0].to.range[1]: has 7 digits, FIRST has 11
ex-status|{BASE, "expect": [{"messages": {"status": "deliverd"}, "count": 1}]}|expect[0].messages.status: "deliverd" is not a message status (accepted, scheduled, queued, sending, sent, delivered, undelivered, failed, receiving, received, canceled, read, partially_delivered)
ex-traffic|{BASE, "expect": [{"traffic": "nope", "accepted": 1}]}|expect[0].traffic: "nope" is not a traffic generator of this scenario
ex-two|{BASE, "expect": [{"messages": {}, "count": 1, "ratio": 1}]}|expect[0].ratio: an expectation has one measure (it already has "count")
ex-cmp|{BASE, "expect": [{"messages": {}, "count": "about 5"}]}|expect[0].count: "about 5": not a comparison (an operator ==, !=, >=, <=, > or < and a value)
ex-at|{BASE, "expect": [{"at": "soon", "messages": {}, "count": 1}]}|expect[0].at: "soon" is not a duration (a number and a unit: 250ms, 1.5s, 5m, 4h, 90d)
EOF
# Every error of a file, not only the first: a bad top-level key or item
# of a top-level list does not hide the next one (within one item the
# first error ends it; the checks across lists wait for a clean file).
cat >"$T/multi.json" <<'EOF'
{
  "accounts": [{"sid": "AC00000000000000000000000000000000", "auth_token": "test"}],
  "carriers": [{"name": "a", "listen": ["127.0.0.1:0"], "outcomes": {"DELIVRD": 2}, "window": -1},
               {"name": "b", "listen": ["127.0.0.1:0"], "recept_delay": "1s"}],
  "timeline": [{"at": "soon", "gateway": "restart"}],
  "traffic": [{"count": 0, "to": "+1415"}],
  "expect": [{"messages": {"status": "deliverd"}, "count": 1}],
  "seed": -4
}
EOF
for cmd in run check; do
	st=$(status_of "$CARRIERLAB" "$cmd" "$T/multi.json")
	[ "$st" = 2 ] || interop_fail "$cmd multi.json: exit $st, not 2"
	got=$(sed -n 's/^[^:]*:\([0-9]*:[0-9]*\): \([^:]*\):.*/\1 \2/p' "$T/err" |
	    tr '\n' ' ')
	want="3:70 carriers[0].outcomes.DELIVRD 4:57 carriers[1].recept_delay 5:17 timeline[0].at 6:16 traffic[0].count 7:28 expect[0].messages.status 8:3 seed "
	[ "$got" = "$want" ] ||
	    interop_fail "$cmd multi.json: errors \"$got\", not \"$want\""
done

# Several files, one invalid: nothing runs.
st=$(status_of "$CARRIERLAB" run "$S/run-random.json" "$T/ex-cmp.json")
[ "$st" = 2 ] && [ ! -s "$T/out" ] ||
    interop_fail "one invalid file of two: exit $st, output $(cat "$T/out")"
interop_log "exit statuses and $(ls "$T"/*.json | wc -l) invalid files ok"

# ---- determinism ----

run_random() {	# DIR SEED
	mkdir -p "$1"
	"$CARRIERLAB" run --no-progress --dir "$1/stores" --seed "$2" \
	    --junit "$1/junit.xml" --report "$1/report.html" \
	    "$S/run-random.json" >"$1/summary.txt" ||
	    interop_fail "run-random.json --seed $2 failed: $(cat "$1/summary.txt")"
	python3 - "$1/stores/gateway.db" >"$1/store.txt" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for row in db.execute('SELECT sid, "from", "to", body, status, '
        'error_code, date_created, date_sent, date_updated, route, parts '
        'FROM messages ORDER BY sid'):
    print(row)
for row in db.execute("SELECT sid, status, error_code, at, detail "
        "FROM message_events ORDER BY sid, id"):
    print(row)
PY
}
run_random "$T/a" 11
run_random "$T/b" 11
run_random "$T/c" 12
for f in summary.txt junit.xml report.html store.txt; do
	cmp -s "$T/a/$f" "$T/b/$f" ||
	    interop_fail "same seed, different $f: $(diff "$T/a/$f" "$T/b/$f" | head -5)"
done
[ "$(wc -l <"$T/a/store.txt")" -gt 300 ] ||
    interop_fail "the store of run-random.json is too small to compare"
! cmp -s "$T/a/store.txt" "$T/c/store.txt" ||
    interop_fail "seeds 11 and 12 gave the same store"
interop_log "determinism ok: $(wc -l <"$T/a/store.txt") rows the same"

# ---- JUnit and HTML parsed back ----

st=$(status_of "$CARRIERLAB" run --no-progress --junit "$T/two.xml" \
    --report "$T/two.html" "$S/run-random.json" "$S/run-fail.json")
[ "$st" = 1 ] || interop_fail "two files, one failing: exit $st, not 1"
python3 - "$T/two.xml" "$T/two.html" <<'PY' || interop_fail "outputs"
import sys, xml.etree.ElementTree as ET
from html.parser import HTMLParser
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
suites = root.findall("testsuite")
assert [s.get("name") for s in suites] == ["random outcomes",
    "a failing expectation"], [s.get("name") for s in suites]
assert [len(s.findall("testcase")) for s in suites] == [3, 2]
assert root.get("tests") == "5" and root.get("failures") == "1", root.attrib
fail = suites[1].findall("testcase")[1].find("failure")
assert fail is not None and "why: there is no such message" in fail.text
class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text = {}, []
    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        for k, v in attrs:
            assert k not in ("src",) and not k.startswith("on"), (tag, k)
            if k == "href":
                assert v.startswith("#"), v
    def handle_data(self, d):
        self.text.append(d)
page = Page()
page.feed(open(sys.argv[2]).read())
text = " ".join(page.text)
assert "script" not in page.tags, "a script"
assert page.tags.get("svg", 0) >= 2, page.tags
assert "random outcomes" in text and "a failing expectation" in text
assert "<b>&amp;</b>" not in open(sys.argv[2]).read()
assert text.count("PASS") >= 4 and text.count("FAIL") >= 2, text
PY
interop_log "JUnit and HTML of two runs parsed"

# ---- serve FILE plays the timeline ----

serve_start "$S/run-serve.json"
http=$(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["http"])' "$interop_tmp/ready.json")
faults() {
	python3 -c 'import json, sys, urllib.request
print(",".join(f["name"] for f in json.load(urllib.request.urlopen(
    "http://%s/sim/carriers/a/faults" % sys.argv[1]))["faults"]))' "$1"
}
wait_faults() {	# WANT
	_deadline=$(($(date +%s) + 10))
	while [ "$(faults "$http")" != "$1" ]; do
		[ "$(date +%s)" -lt "$_deadline" ] ||
		    interop_fail "faults of carrier a: \"$(faults "$http")\", not \"$1\""
		sleep 0.05
	done
}
wait_faults refuse_binds
wait_faults ""
grep -q 'timeline.*refuse_binds' "$interop_tmp/smsc.log" ||
    interop_fail "serve logged no timeline action"
serve_stop
interop_log "serve FILE played its timeline"
