#!/usr/bin/env bash
# t4580: the tracker under load, in CI with the rest: 64 threads allocating,
# reallocating and freeing through a few stacks while the main thread
# signals them (interrupting the shims) and forks children that allocate and
# exit. The program finishes, the trace is complete, and each thread's 20
# lost blocks are there exactly (64 x 20 x 48 B); again with --children
# (every child traced) and with --leak-check (all 1280 lost).
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
build_native stress stress.c -pthread
line=$(leak_line stress.c)
kept() { json_get "$1" "r.sites.filter(s => s.site && s.site.line === $line).map(s => s.live_blocks + ':' + s.live_bytes).join()"; }
for mode in plain children; do
	flags=()
	[ $mode = children ] && flags=(--children)
	rm -f "$TEST_TMP"/t.lhtrace*
	expect_status 0 timeout 300 "$LEAKHOUND" run -q "${flags[@]}" --interval 50ms -o "$TEST_TMP/t.lhtrace" -- "$TEST_TMP/stress"
	[ "$(cat "$TEST_TMP/out")" = "threads done, 1 signals, 1 forks" ] || fail "$mode: $(cat "$TEST_TMP/out")"
	expect_status 0 "$LEAKHOUND" report --json "$TEST_TMP/t.lhtrace"
	cp "$TEST_TMP/out" "$TEST_TMP/r.json"
	[ "$(json_get "$TEST_TMP/r.json" r.complete)" = true ] || fail "$mode: trace not complete"
	[ "$(kept "$TEST_TMP/r.json")" = "1280:61440" ] || fail "$mode: kept $(kept "$TEST_TMP/r.json")"
done
children=$(ls "$TEST_TMP"/t.lhtrace.* | wc -l)
[ "$children" -ge 1 ] || fail "--children: no child trace"
expect_status 0 timeout 300 "$LEAKHOUND" run -q --leak-check --show-kinds definite -o "$TEST_TMP/l.lhtrace" -- "$TEST_TMP/stress"
grep -q "definitely lost: 61,440 bytes in 1,280 blocks" "$TEST_TMP/err" || fail "leak check: $(grep -A2 'LEAK SUMMARY' "$TEST_TMP/err")"
exit 0
