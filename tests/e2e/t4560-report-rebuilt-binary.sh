#!/usr/bin/env bash
# t4560: the trace records each module's build-id (from its note, as
# mapped), size and mtime. A binary rebuilt after the run (its lines
# moved) used to give the new build's file:line with no warning; now
# report says the file is not the one that ran and leaves its frames
# unnamed (module+offset). Without a build-id, size and mtime decide; a
# deleted binary is named as gone.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
cp "$NATIVE_SRC/leak.c" "$TEST_TMP/leak.c"
line=$(grep -nF '/* LEAK-SITE */' "$TEST_TMP/leak.c" | cut -d: -f1)
gcc -O2 -g -Wl,--build-id -o "$TEST_TMP/leak" "$TEST_TMP/leak.c" || fail "cannot build leak.c"
expect_status 3 "$LEAKHOUND" run -q -o "$TEST_TMP/t.lhtrace" -- "$TEST_TMP/leak" 5 # leak exits 3
expect_status 0 "$LEAKHOUND" report --json "$TEST_TMP/t.lhtrace"
[ "$(json_get "$TEST_TMP/out" "r.sites.filter(s => s.site && s.site.function === 'leak_one').map(s => s.site.line).join()")" = "$line" ] || fail "before the rebuild: $(json_get "$TEST_TMP/out" 'JSON.stringify(r.sites.map(s => s.site))')"
[ ! -s "$TEST_TMP/err" ] || fail "a warning for an unchanged binary: $(cat "$TEST_TMP/err")"

# Rebuilt with three more lines on top: another build-id, the leak three lines lower.
{ printf '\n\n\n'; cat "$NATIVE_SRC/leak.c"; } >"$TEST_TMP/leak.c"
gcc -O2 -g -Wl,--build-id -o "$TEST_TMP/leak" "$TEST_TMP/leak.c" || fail "cannot rebuild leak.c"
expect_status 0 "$LEAKHOUND" report --json "$TEST_TMP/t.lhtrace"
grep -q "warning: $TEST_TMP/leak is not the file that ran (its build-id differs)" "$TEST_TMP/err" || fail "no warning: $(cat "$TEST_TMP/err")"
[ "$(json_get "$TEST_TMP/out" 'r.sites.every(s => !s.site || s.site.line === 0 || s.site.module !== "leak")')" = true ] ||
	fail "a frame of the rebuilt binary has a line: $(json_get "$TEST_TMP/out" 'JSON.stringify(r.sites.map(s => s.site))')"

# No build-id: size and mtime.
gcc -O2 -g -Wl,--build-id=none -o "$TEST_TMP/plain" "$NATIVE_SRC/leak.c" || fail "cannot build leak.c without a build-id"
expect_status 3 "$LEAKHOUND" run -q -o "$TEST_TMP/p.lhtrace" -- "$TEST_TMP/plain" 5
expect_status 0 "$LEAKHOUND" report "$TEST_TMP/p.lhtrace"
[ ! -s "$TEST_TMP/err" ] || fail "a warning for an unchanged binary without build-id: $(cat "$TEST_TMP/err")"
touch -d '2001-01-01' "$TEST_TMP/plain"
expect_status 0 "$LEAKHOUND" report "$TEST_TMP/p.lhtrace"
grep -q "plain is not the file that ran (no build-id, and its size or time differs)" "$TEST_TMP/err" || fail "touched: $(cat "$TEST_TMP/err")"
rm "$TEST_TMP/plain"
expect_status 0 "$LEAKHOUND" report "$TEST_TMP/p.lhtrace"
grep -q "plain is not the file that ran (the file is gone)" "$TEST_TMP/err" || fail "deleted: $(cat "$TEST_TMP/err")"
exit 0
