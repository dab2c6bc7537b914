#!/usr/bin/env bash
# t4570: programs linked with jemalloc, tcmalloc or mimalloc, or with
# jemalloc in the user's LD_PRELOAD, run unchanged and are tracked. With
# jemalloc (which does not define glibc's __libc_* names) the tracker took
# blocks from glibc and the program measured them with jemalloc's
# malloc_usable_size: it crashed at once (redis-server did). Each program
# keeps 100 blocks of 5000 bytes from keep_site: the trace must say so.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
line=$(leak_line allocators.c)
check() { # check NAME [ENV...]: runs TEST_TMP/NAME under run, checks output, status and the kept blocks
	local name=$1
	shift
	rm -f "$TEST_TMP/$name.lhtrace"
	expect_status 0 env "$@" "$LEAKHOUND" run -q -o "$TEST_TMP/$name.lhtrace" -- "$TEST_TMP/$name"
	[ "$(cat "$TEST_TMP/out")" = "usable ok" ] || fail "$name: $(cat "$TEST_TMP/out") $(cat "$TEST_TMP/err")"
	expect_status 0 "$LEAKHOUND" report --json "$TEST_TMP/$name.lhtrace"
	[ "$(json_get "$TEST_TMP/out" "r.complete && r.sites.filter(s => s.site && s.site.line === $line).map(s => s.live_blocks + ':' + s.live_bytes).join()")" = "100:500000" ] ||
		fail "$name: kept blocks $(json_get "$TEST_TMP/out" 'JSON.stringify(r.sites.map(s => [s.site && s.site.function, s.live_blocks, s.live_bytes]))')"
	tested+=("$name")
}
tested=()
build_native glibc allocators.c
check glibc
for lib in jemalloc tcmalloc mimalloc; do
	gcc -O2 -g -o "$TEST_TMP/$lib" "$NATIVE_SRC/allocators.c" -l$lib 2>/dev/null || continue
	check $lib
done
jemalloc_so=$(ldconfig -p | awk '/libjemalloc.so.2 /{so = $NF} END {print so}') # no early exit: SIGPIPE under pipefail
# The user's LD_PRELOAD reaches leakhound itself too, which an ASan build (make asan) refuses.
ldd "$LEAKHOUND" >"$TEST_TMP/ldd" || true
if [ -n "$jemalloc_so" ] && ! grep -q libasan "$TEST_TMP/ldd"; then
	check glibc LD_PRELOAD="$jemalloc_so"
fi
[ ${#tested[@]} -gt 1 ] || skip "no other allocator installed (scripts/setup-deps.sh --tests installs jemalloc, tcmalloc, mimalloc)"
exit 0
