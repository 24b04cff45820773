#!/bin/sh
# The JUnit XML and the HTML page of the hand-built reports of
# tests/unit/report_sample.c, written by test_report_write and parsed
# back by python3's XML and HTML parsers: the counts CI reads, the hostile strings
# coming back as they went in, one table row per expectation, an inline
# SVG per chart and nothing loaded from elsewhere. Skipped (77) without
# python3.
set -eu
if ! command -v python3 >/dev/null 2>&1; then
	echo "python3 not found: skipped"
	exit 77
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/test_report.XXXXXX")
trap 'rm -rf "$dir"' EXIT
"${top_builddir:-.}/tests/unit/test_report_write" "$dir"
exec python3 - "$dir" <<'EOF'
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

d = sys.argv[1]
failures = []

def check(cond, what):
    if not cond:
        failures.append(what)

# ---- JUnit ----
root = ET.parse(d + "/junit.xml").getroot()
check(root.tag == "testsuites", "root is testsuites")
check((root.get("tests"), root.get("failures"), root.get("errors")) ==
      ("8", "3", "1"), "testsuites counts: %r" % root.attrib)
suites = root.findall("testsuite")
check(len(suites) == 4, "4 testsuites")
check(sum(len(s.findall("testcase")) for s in suites) == 8, "8 testcases")
for s in suites:
    cases = s.findall("testcase")
    check(int(s.get("tests")) == len(cases), "suite tests= " + s.get("name"))
    check(int(s.get("failures")) ==
          sum(len(c.findall("failure")) for c in cases),
          "suite failures= " + s.get("name"))
    check(int(s.get("errors")) == sum(len(c.findall("error")) for c in cases),
          "suite errors= " + s.get("name"))
check(len(root.findall(".//failure")) == 3, "3 failures")
check(len(root.findall(".//error")) == 1, "1 error")
check([s.get("time") for s in suites] == ["14412.000", "90.000", "1.500",
      "0.000"], "suite times are clock seconds")
hostile = suites[2]
check(hostile.get("name") == "</script><script>alert(1)</script>",
      "hostile name round-trips: %r" % hostile.get("name"))
case = hostile.find("testcase")
check(case.get("name") == "<b>bold</b> & \"q\" 'a'", "hostile testcase name")
check(case.get("classname") == "<x>&\"", "classname is the file's base")
f = case.find("failure")
check(f.get("message") == "expected ]]>, got " + "\ufffd" * 6,
      "hostile failure message: %r" % f.get("message"))
check(f.text == "<![CDATA[ ]]> </failure> \r\n\t tab\n"
      "why: </td></tr></table>", "hostile failure text: %r" % f.text)
check(suites[3].find("testcase/error").get("message") ==
      "cannot listen on 127.0.0.1:2775: Address in use", "error message")

# ---- HTML ----
VOID = {"meta", "br", "hr", "img", "input", "link"}

class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.sections = []	# per run: rows of table.expect, svgs
        self.table = None
        self.in_tbody = False
        self.h2 = None
        self.problems = []

    def attrs_ok(self, tag, attrs):
        for k, v in attrs:
            v = v or ""
            if k == "src" or (k == "href" and not v.startswith("#")):
                self.problems.append("external %s=%r on <%s>" % (k, v, tag))
            if k.startswith("on"):
                self.problems.append("handler %s on <%s>" % (k, tag))
            if "url(" in v:
                self.problems.append("url( in %s" % k)
        if tag in ("script", "link", "img", "iframe", "object", "embed"):
            self.problems.append("<%s>" % tag)

    def handle_starttag(self, tag, attrs):
        self.attrs_ok(tag, attrs)
        a = dict(attrs)
        if tag == "section":
            self.sections.append({"rows": [], "svg": 0, "h2": ""})
        if tag == "svg" and self.sections:
            self.sections[-1]["svg"] += 1
        if tag == "table":
            self.table = a.get("class")
        if tag == "tbody":
            self.in_tbody = True
        if tag == "tr" and self.in_tbody and self.table == "expect":
            self.sections[-1]["rows"].append(a.get("class"))
        if tag == "h2":
            self.h2 = ""
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.attrs_ok(tag, attrs)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append("</%s> closes %r" % (tag, self.stack[-3:]))
            return
        self.stack.pop()
        if tag == "tbody":
            self.in_tbody = False
        if tag == "h2":
            self.sections[-1]["h2"] = self.h2
            self.h2 = None

    def handle_data(self, data):
        if self.h2 is not None:
            self.h2 += data
        if self.stack and self.stack[-1] == "style":
            if "url(" in data or "@import" in data:
                self.problems.append("external resource in <style>")

def parse(path):
    p = Page()
    with open(path, encoding="utf-8") as fh:
        p.feed(fh.read())
    p.close()
    check(not p.problems, "%s: %s" % (path, p.problems))
    check(p.stack == [], "%s: unclosed %r" % (path, p.stack))
    return p

p = parse(d + "/report.html")
check(len(p.sections) == 4, "4 runs on the page")
check([s["rows"] for s in p.sections] == [["pass", "pass"],
      ["pass", "fail", "fail"], ["fail", "pass"], []],
      "one row per expectation: %r" % [s["rows"] for s in p.sections])
check(all(s["svg"] >= 1 for s in p.sections), "an SVG chart per run")
check(p.sections[2]["h2"] == "</script><script>alert(1)</script> FAIL",
      "hostile heading round-trips: %r" % p.sections[2]["h2"])
import os
big = parse(d + "/big.html")
check(big.sections[0]["svg"] == 5, "big: all routes, 3 routes, no route")
check(os.path.getsize(d + "/big.html") < 300 * 1024, "big page size")

for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
EOF
