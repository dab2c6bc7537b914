#!/usr/bin/env bash
# t5030: the pinned difference for a thread that blocks every signal (node
# has one). Memcheck reads every thread's stack from its stack pointer up;
# leakhound cannot stop such a thread, so it reads its whole stack, as its
# README says, and a stale pointer below the thread's stack pointer keeps a
# block still reachable that Memcheck calls definitely lost. Memcheck's
# summary is first checked against the figures in unstoppable.c; then
# leakhound must report exactly that block moved from definitely lost to
# still reachable (the DTV's size aside, see compare.js), and say that a
# thread did not stop.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
command -v valgrind >/dev/null || skip "valgrind is not installed"
src="$NATIVE_SRC/leakcheck/unstoppable/unstoppable.c"
gcc -O0 -g -pthread -o "$TEST_TMP/unstoppable" "$src" || fail "cannot build unstoppable.c"

rc=0
valgrind --leak-check=full --show-leak-kinds=all --log-file="$TEST_TMP/vg.log" "$TEST_TMP/unstoppable" >"$TEST_TMP/vg.out" || rc=$?
[ $rc -eq 0 ] || fail "unstoppable exits $rc under valgrind"
node "$LEAKHOUND_ROOT/tests/native/leakcheck/compare.js" expect "$src" "$TEST_TMP/vg.log" >"$TEST_TMP/problems" ||
	fail "Memcheck does not report what unstoppable.c says: $(cat "$TEST_TMP/problems")"

expect_status 0 "$LEAKHOUND" run --leak-check --interval 1440m -o "$TEST_TMP/t.lhtrace" -- "$TEST_TMP/unstoppable"
cp "$TEST_TMP/out" "$TEST_TMP/lh.out"
grep -q "did not stop" "$TEST_TMP/err" || fail "leakhound does not say a thread did not stop: $(cat "$TEST_TMP/err")"
expect_status 0 "$LEAKHOUND" report --json "$TEST_TMP/t.lhtrace"
dtv_vg=$(sed -n 's/^dtv: \([0-9]*\) bytes$/\1/p' "$TEST_TMP/vg.out")
dtv_lh=$(sed -n 's/^dtv: \([0-9]*\) bytes$/\1/p' "$TEST_TMP/lh.out")
got=$(json_get "$TEST_TMP/out" '(c => ["definitely_lost", "indirectly_lost", "possibly_lost", "still_reachable"].map(k => c.summary[k].bytes + "/" + c.summary[k].blocks).join(" ") + " " + c.threads_not_stopped)(r.leak_checks.find(c => c.final))')
[ "$got" = "0/0 0/0 $((272 + dtv_lh - dtv_vg))/1 100/1 1" ] ||
	fail "leakhound: $got (definitely indirectly possibly reachable, threads not stopped); expected the 100-byte block still reachable"
exit 0
