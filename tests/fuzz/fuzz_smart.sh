#!/bin/sh
exec "$top_srcdir/tests/fuzz/run-fuzzer.sh" smart
