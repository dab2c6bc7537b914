#!/usr/bin/env bash
# t4500: the tracker holds no descriptor the program can close or meet, and
# says when it could not write. (1) A daemon-style program closes every
# descriptor and opens its own files at 3 and 4, then allocates through
# frames libunwind must walk (and validate): its files keep exactly what it
# wrote (libunwind's validation pipe used to be 3 and 4), and the trace,
# whose descriptor the program closed too, is complete with its leak.
# (2) Under RLIMIT_NOFILE 5 with room above it, the program gets every
# descriptor below the limit and its dlopen works; no batch is lost.
# (3) With no room above the limit (5:5) the program still gets them all,
# and the batches that found no descriptor are counted and reported.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
[ "$(uname -m)" = x86_64 ] || skip "the test program's frames are x86-64 assembly"
command -v prlimit >/dev/null || skip "prlimit (util-linux) is not installed"
build_native daemon_fds daemon_fds.c -ldl

expect_status 0 "$LEAKHOUND" run -o "$TEST_TMP/t.lhtrace" --interval 10ms -- "$TEST_TMP/daemon_fds" close-all "$TEST_TMP/own"
[ "$(cat "$TEST_TMP/own.verdict")" = "files intact" ] || fail "the program's files: $(cat "$TEST_TMP/own.verdict")"
expect_status 0 "$LEAKHOUND" report --json "$TEST_TMP/t.lhtrace"
cp "$TEST_TMP/out" "$TEST_TMP/r.json"
j() { json_get "$TEST_TMP/r.json" "$1"; }
[ "$(j r.complete)" = true ] || fail "trace not complete"
[ "$(j r.batches_lost)" = 0 ] || fail "$(j r.batches_lost) batches lost"
[ "$(j "r.sites.filter(s => s.site && s.site.function === 'expr_alloc').map(s => s.live_blocks + ':' + s.live_bytes).join()")" = "10:1000" ] ||
	fail "expr_alloc's leak: $(j 'JSON.stringify(r.sites.map(s => [s.site && s.site.function, s.live_blocks]))')"

# (2) Room above the soft limit: all of 3 and 4 are the program's.
expect_status 0 prlimit --nofile=5:64 "$LEAKHOUND" run -o "$TEST_TMP/f.lhtrace" --interval 10ms -- "$TEST_TMP/daemon_fds" fill
[ "$(cat "$TEST_TMP/out")" = "$(printf 'held 2\ndlopen ok')" ] || fail "under nofile 5:64: $(cat "$TEST_TMP/out")"
grep -q "could not be written" "$TEST_TMP/err" && fail "batches lost with a descriptor held: $(cat "$TEST_TMP/err")"
expect_status 0 "$LEAKHOUND" report --json "$TEST_TMP/f.lhtrace"
[ "$(json_get "$TEST_TMP/out" 'r.complete && r.batches_lost === 0')" = true ] || fail "nofile 5:64 trace: $(head -c 300 "$TEST_TMP/out")"

# (3) No room: nothing is held; while the program holds every descriptor the batches wait, counted.
expect_status 0 prlimit --nofile=5:5 "$LEAKHOUND" run -o "$TEST_TMP/g.lhtrace" --interval 10ms -- "$TEST_TMP/daemon_fds" fill
grep -q "dlopen ok" "$TEST_TMP/out" || fail "under nofile 5:5: $(cat "$TEST_TMP/out")"
grep -qE "[0-9]+ of the tracker's batches could not be written" "$TEST_TMP/err" || fail "lost batches not reported: $(cat "$TEST_TMP/err")"
expect_status 0 "$LEAKHOUND" report --json "$TEST_TMP/g.lhtrace"
[ "$(json_get "$TEST_TMP/out" 'r.complete && r.batches_lost > 0')" = true ] || fail "nofile 5:5 trace: $(head -c 300 "$TEST_TMP/out")"
exit 0
