#!/usr/bin/env bash
# t4510: `run` never passes a check that did not happen for a clean one.
# A program exiting with 126 or more still gets its leak check and
# --error-exitcode; a static binary (no dynamic loader: nothing preloaded)
# is said to be untracked, and why, and fails --error-exitcode; so does a
# full disk that ate the trace's final batch; a double-forking daemon
# without --children is said to have forked untracked children.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
build_native exit_ways exit_ways.c
R=("$LEAKHOUND" run --leak-check --error-exitcode 9 -f -o "$TEST_TMP/t.lhtrace" --)

# Exit statuses 126 and 200 are the program's, not a failed start: the check runs
# (9 of the 10 blocks are lost; sink still points at the last).
for st in 126 200; do
	expect_status 9 "${R[@]}" "$TEST_TMP/exit_ways" exit $st
	grep -q "definitely lost: 900 bytes in 9 blocks" "$TEST_TMP/err" || fail "exit $st: no leak check: $(cat "$TEST_TMP/err")"
done
expect_status 127 "${R[@]}" "$TEST_TMP/no-such-program"
grep -q "cannot run" "$TEST_TMP/err" || fail "a missing program: $(cat "$TEST_TMP/err")"

# A static binary: nothing can be tracked.
if printf 'int main(void){return 0;}\n' | gcc -static -x c -o "$TEST_TMP/static" - 2>/dev/null; then
	expect_status 9 "${R[@]}" "$TEST_TMP/static"
	grep -q "nothing was tracked.*statically linked" "$TEST_TMP/err" || fail "static: $(cat "$TEST_TMP/err")"
	grep -q "trace written" "$TEST_TMP/err" && fail "static: says the trace was written"
	expect_status 0 "$LEAKHOUND" run -o "$TEST_TMP/s.lhtrace" -- "$TEST_TMP/static"
	grep -q "nothing was tracked.*statically linked" "$TEST_TMP/err" || fail "static without --leak-check: $(cat "$TEST_TMP/err")"
fi

# A double-forking daemon without --children.
expect_status 0 "$LEAKHOUND" run -o "$TEST_TMP/d.lhtrace" -- "$TEST_TMP/exit_ways" daemon "$TEST_TMP/daemon.done"
grep -q "forked 1 child process, not tracked.*--children" "$TEST_TMP/err" || fail "daemon: $(cat "$TEST_TMP/err")"
expect_status 0 "$LEAKHOUND" report --json "$TEST_TMP/d.lhtrace"
[ "$(json_get "$TEST_TMP/out" r.forks_untracked)" = 1 ] || fail "forks_untracked: $(json_get "$TEST_TMP/out" r.forks_untracked)"
expect_status 0 "$LEAKHOUND" report "$TEST_TMP/d.lhtrace"
grep -q "forked 1 children, not tracked" "$TEST_TMP/out" || fail "report does not say it forked"

# A full disk: a 64 KiB tmpfs, filled up to 8 KiB before the run.
if [ "$(id -u)" = 0 ] && mkdir -p "$TEST_TMP/small" && mount -t tmpfs -o size=64k none "$TEST_TMP/small" 2>/dev/null; then
	trap 'umount "$TEST_TMP/small"; rm -rf "$TEST_TMP"' EXIT
	dd if=/dev/zero of="$TEST_TMP/small/fill" bs=4k count=14 2>/dev/null
	R=("$LEAKHOUND" run --leak-check --error-exitcode 9 --interval 10ms -f -o "$TEST_TMP/small/t.lhtrace" --)
	expect_status 9 "${R[@]}" "$TEST_TMP/exit_ways" wait "$TEST_TMP/w" &
	for i in $(seq 100); do [ -s "$TEST_TMP/w.pid" ] && break; sleep 0.05; done
	# What the program allocated so far fits; the disk then fills before the final batch.
	dd if=/dev/zero of="$TEST_TMP/small/fill2" bs=1k count=64 2>/dev/null || true
	touch "$TEST_TMP/w.go"
	wait $! || fail "a full disk: $(cat "$TEST_TMP/err")"
	grep -q "no leak check at exit" "$TEST_TMP/err" || fail "a full disk: $(cat "$TEST_TMP/err")"
	grep -q "INCOMPLETE although" "$TEST_TMP/err" || fail "a full disk, no INCOMPLETE: $(cat "$TEST_TMP/err")"
fi
exit 0
