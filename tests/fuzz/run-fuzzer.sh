#!/bin/sh
# Runs one libFuzzer target for a bounded time on a scratch copy of its seed
# corpus, so `make check` never writes into the source tree.
#   run-fuzzer.sh NAME   runs tests/fuzz/fuzz_NAME on tests/fuzz/corpus/NAME
# FUZZ_SECONDS (default 20) bounds the run.
set -eu
name=$1
target="${top_builddir:-.}/tests/fuzz/fuzz_$name"
seeds="${top_srcdir:-.}/tests/fuzz/corpus/$name"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
if [ -d "$seeds" ]; then
	cp "$seeds"/* "$work/corpus/" 2>/dev/null || true
fi
"$target" -max_total_time="${FUZZ_SECONDS:-20}" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/" "$work/corpus" 2>"$work/log" || {
	cat "$work/log" >&2
	for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do
		[ -f "$f" ] && { echo "reproducer $f:"; od -A x -t x1z "$f"; }
	done
	exit 1
}
grep -E 'stat::number_of_executed_units|Done' "$work/log" || true
