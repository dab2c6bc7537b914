#!/usr/bin/env bash
# t5020: the pinned difference at _exit() and abort(). Memcheck checks for
# leaks at the exit_group system call and at a fatal signal; leakhound only
# on a normal exit (return from main, exit()), as its README says: it runs
# its check from the exit path, which _exit() and a fatal signal skip.
# Memcheck's summary is first checked against the figures in exits.c;
# then leakhound must say there was no check, leave none in the trace, and
# pass on the program's status. If leakhound learns to check there, this
# test fails: compare with Memcheck instead.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
command -v valgrind >/dev/null || skip "valgrind is not installed"
src="$NATIVE_SRC/leakcheck/exits/exits.c"
gcc -O0 -g -o "$TEST_TMP/exits" "$src" || fail "cannot build exits.c"

# Each way out, with the status both tools give the program.
for way in _exit:0 abort:134; do
	mode=${way%%:*} status=${way##*:} rc=0
	valgrind --leak-check=full --show-leak-kinds=all --log-file="$TEST_TMP/$mode.vg" "$TEST_TMP/exits" "$mode" 2>/dev/null || rc=$?
	[ $rc -eq "$status" ] || fail "$mode: exits $rc under valgrind, expected $status"
	node "$LEAKHOUND_ROOT/tests/native/leakcheck/compare.js" expect "$src" "$TEST_TMP/$mode.vg" >"$TEST_TMP/problems" ||
		fail "$mode: Memcheck does not report what exits.c says: $(cat "$TEST_TMP/problems")"
	expect_status "$status" "$LEAKHOUND" run --leak-check -o "$TEST_TMP/$mode.lhtrace" -- "$TEST_TMP/exits" "$mode"
	grep -q "no leak check at exit" "$TEST_TMP/err" || fail "$mode: leakhound does not say it made no check: $(cat "$TEST_TMP/err")"
	! grep -q "LEAK SUMMARY" "$TEST_TMP/err" || fail "$mode: leakhound now checks at $mode: compare it with Memcheck here"
	expect_status 0 "$LEAKHOUND" report --json "$TEST_TMP/$mode.lhtrace"
	[ "$(json_get "$TEST_TMP/out" '(r.leak_checks || []).length')" = 0 ] || fail "$mode: leak checks in the trace: $(cat "$TEST_TMP/out" | head -c 400)"
done
exit 0
