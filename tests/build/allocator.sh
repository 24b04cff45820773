#!/bin/sh
# The allocator carrierlab was configured with is the one it runs with:
# `carrierlab --version` names it, and the dynamic linker binds malloc,
# free, calloc and realloc -- for the program and for every library it
# loads (libevent, sqlite, OpenSSL, jansson) -- to jemalloc when configure
# chose jemalloc, and never to it otherwise. A dropped link flag, or a
# link order that lets the C library's malloc win, fails here.
set -u
top_builddir=${top_builddir:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=$top_builddir/carrierlab
fail() { echo "FAIL: $*" >&2; exit 1; }

want=$(sed -n 's/^#define CARRIERLAB_ALLOCATOR "\(.*\)"$/\1/p' \
    "$top_builddir/config.h")
[ -n "$want" ] || fail "config.h names no CARRIERLAB_ALLOCATOR"

version=$("$bin" --version) || fail "carrierlab --version failed"
echo "$version"
echo "$version" | sed -n 2p | grep -q "^allocator: $want (.\+)\$" ||
    fail "--version does not say allocator: $want"

# LD_DEBUG=bindings: one line a symbol bound, naming the object that
# asked and the library that supplied it; LD_BIND_NOW binds them all at
# start, not at first call.
bindings=$(LD_BIND_NOW=1 LD_DEBUG=bindings "$bin" --version 2>&1 >/dev/null |
    grep -E "binding file .* to .*: normal symbol .(malloc|free|calloc|realloc)'")
echo "$bindings" | grep -q "binding file $bin \[0\]" ||
    fail "no binding of malloc or free seen for $bin"
echo "$bindings" | grep -q "binding file .*libevent" ||
    fail "no binding of malloc or free seen for libevent"
echo "$bindings"
case $want in
jemalloc)
	echo "$bindings" | grep -v 'libjemalloc' &&
	    fail "an allocation function binds outside jemalloc"
	;;
libc)
	echo "$bindings" | grep 'libjemalloc' &&
	    fail "jemalloc in a build configured without it"
	;;
*)	fail "unknown allocator $want" ;;
esac
exit 0
