#!/usr/bin/env bash
# t4095: a signal handler's frees are charged even when the signal
# interrupts a shim of the same thread (the tracker's reentrancy guard
# held): tests/native/signal_free.c frees its 7 pool blocks from SIGPROF
# while its main loop allocates, so pool_alloc must end with 0 live bytes,
# 7 allocations and 7 frees (by hand: the program frees every pool block).
# The same program, run several times, must also behave as it does plain.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
build_native signal_free signal_free.c

"$TEST_TMP/signal_free" >"$TEST_TMP/plain.out" || fail "the test program itself failed"
for round in 1 2 3; do
	expect_status 0 "$LEAKHOUND" run -f -o "$TEST_TMP/t.lhtrace" -- "$TEST_TMP/signal_free"
	cmp -s "$TEST_TMP/plain.out" "$TEST_TMP/out" || fail "stdout changed under tracking: $(cat "$TEST_TMP/out")"
	expect_status 0 "$LEAKHOUND" report --json --top 1000 "$TEST_TMP/t.lhtrace"
	cp "$TEST_TMP/out" "$TEST_TMP/report.json"
	j() { json_get "$TEST_TMP/report.json" "$1"; }
	pool="r.sites.filter(s => s.site && s.site.function === 'pool_alloc')"
	got=$(j "[$pool.reduce((a, s) => a + s.live_bytes, 0), $pool.reduce((a, s) => a + s.allocations, 0), $pool.reduce((a, s) => a + s.frees, 0)].join(' ')")
	[ "$got" = "0 7 7" ] || fail "round $round: pool_alloc live bytes, allocations, frees: $got (expected 0 7 7)"
done
exit 0
