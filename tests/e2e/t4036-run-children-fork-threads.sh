#!/usr/bin/env bash
# t4036: `run --children` follows forked children of a process whose other
# threads allocate throughout (tests/native/fork_threads.c): no child hangs
# on a lock inherited from the fork, and child k's own trace holds exactly
# its leak, 10 + k blocks of 100 bytes (so the 20 traces hold 10..29
# blocks, one each), with nothing of the churning threads left live.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
build_native fork_threads fork_threads.c -pthread

expect_status 0 timeout 120 "$LEAKHOUND" run -q --children -o "$TEST_TMP/t.lhtrace" --interval 10ms -- "$TEST_TMP/fork_threads"
[ "$(cat "$TEST_TMP/out")" = "20 of 20 children exited 0" ] || fail "stdout: $(cat "$TEST_TMP/out")"
children=("$TEST_TMP"/t.lhtrace.*)
[ ${#children[@]} -eq 20 ] || fail "expected 20 child traces, found ${#children[@]}"
j() { json_get "$TEST_TMP/report.json" "$1"; }
blocks=()
for t in "${children[@]}"; do
	expect_status 0 "$LEAKHOUND" report --json --top 50 "$t"
	cp "$TEST_TMP/out" "$TEST_TMP/report.json"
	[ "$(j r.complete)" = true ] || fail "$t: not complete (the child exits normally)"
	leak="r.sites.filter(s => s.site && s.site.function === 'child_leak')"
	[ "$(j "$leak.reduce((a, s) => a + s.live_bytes, 0) === 100 * $leak.reduce((a, s) => a + s.live_blocks, 0)")" = true ] ||
		fail "$t: child_leak's bytes are not 100 per block"
	blocks+=("$(j "$leak.reduce((a, s) => a + s.live_blocks, 0)")")
	[ "$(j "r.sites.filter(s => s.site && s.site.function === 'churn').reduce((a, s) => a + s.live_blocks, 0) <= $((4))")" = true ] ||
		fail "$t: churn holds more than one block per thread"
done
[ "$(printf '%s\n' "${blocks[@]}" | sort -n | tr '\n' ' ')" = "$(seq 10 29 | tr '\n' ' ')" ] ||
	fail "child_leak blocks per child: ${blocks[*]}, expected 10..29 once each"
exit 0
