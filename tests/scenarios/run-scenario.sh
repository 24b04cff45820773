#!/bin/sh
# One scenario of the library (scenarios/library/*.json), run as a user
# would: `carrierlab run FILE --junit`, in the virtual time the file asks
# for. It passes when the run's verdict is pass (exit 0) and the JUnit
# file it wrote parses and agrees (no failure, a testcase per
# expectation). The summary table is the test's log; its last line gives
# the wall-clock time the run took (docs/scenarios.md lists them).
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
file=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/carrierlab-scenario.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

grep -q '"clock": *"virtual"' "$file" || {
	echo "$file: the library runs in virtual time (\"clock\": \"virtual\")"
	exit 1
}
status=0
"$top_builddir/carrierlab" run --no-progress --timing \
    --junit "$tmp/junit.xml" "$file" || status=$?
if [ "$status" -ne 0 ]; then
	echo "$file: carrierlab run exited $status"
	exit 1
fi
python3 - "$tmp/junit.xml" "$file" <<'PY' || exit 1
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cases = root.findall(".//testcase")
bad = [c.get("name") for c in cases
       if c.find("failure") is not None or c.find("error") is not None]
want = len(json.load(open(sys.argv[2])).get("expect", []))
if bad or len(cases) != want:
    print("junit: %d testcases (want %d), failing: %s" % (len(cases), want, bad))
    sys.exit(1)
PY
