#!/usr/bin/env bash
# t4000: `leakhound run` + `report` on a C program (-O2 -g, no frame
# pointers) with a known leak: the top site is the leaking file:line with
# the exact bytes and blocks, freed churn shows nothing live, and the
# program's stdout and exit status are unchanged by tracking.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
build_native leak leak.c
line=$(leak_line leak.c)

rc=0
"$TEST_TMP/leak" 300 >"$TEST_TMP/plain.out" || rc=$?
[ $rc -eq 3 ] || fail "the test program itself exits $rc, not 3"

expect_status 3 "$LEAKHOUND" run -o "$TEST_TMP/t.lhtrace" --interval 50ms -- "$TEST_TMP/leak" 300
cmp -s "$TEST_TMP/plain.out" "$TEST_TMP/out" || fail "stdout changed under tracking: $(cat "$TEST_TMP/out")"
grep -q "trace written to" "$TEST_TMP/err" || fail "no closing line on stderr: $(cat "$TEST_TMP/err")"

expect_status 0 "$LEAKHOUND" report --json "$TEST_TMP/t.lhtrace"
cp "$TEST_TMP/out" "$TEST_TMP/report.json"
j() { json_get "$TEST_TMP/report.json" "$1"; }
[ "$(j r.complete)" = true ] || fail "trace of a normal exit is not complete"
[ "$(j 'r.sites[0].site.file.endsWith("tests/native/leak.c")')" = true ] || fail "top site is not leak.c: $(j 'JSON.stringify(r.sites[0].site)')"
[ "$(j r.sites[0].site.line)" = "$line" ] || fail "top site line $(j r.sites[0].site.line), expected $line"
[ "$(j r.sites[0].site.function)" = leak_one ] || fail "top site function: $(j r.sites[0].site.function)"
[ "$(j r.sites[0].live_bytes)" = 30000 ] || fail "leaked bytes $(j r.sites[0].live_bytes), expected 30000"
[ "$(j r.sites[0].live_blocks)" = 300 ] || fail "leaked blocks $(j r.sites[0].live_blocks), expected 300"
[ "$(j r.sites[0].allocations)" = 300 ] || fail "allocations $(j r.sites[0].allocations), expected 300"
[ "$(j 'r.sites[0].growth_bytes_per_s > 0')" = true ] || fail "no growth for the leak"
# churn(): 300 x 200 malloc/free pairs, nothing live.
churn='r.sites.find(s => s.site && s.site.function === "churn")'
[ "$(j "$churn.allocations")" = 60000 ] || fail "churn allocations: $(j "$churn.allocations")"
[ "$(j "$churn.frees")" = 60000 ] || fail "churn frees: $(j "$churn.frees")"
[ "$(j "$churn.live_bytes")" = 0 ] || fail "churn live bytes: $(j "$churn.live_bytes")"
# Each churn malloc is freed before its thread allocates again: all 60,000 are temporary; no leak is.
[ "$(j "$churn.temporary_allocations")" = 60000 ] || fail "churn temporaries: $(j "$churn.temporary_allocations")"
[ "$(j r.sites[0].temporary_allocations)" = 0 ] || fail "leak temporaries: $(j r.sites[0].temporary_allocations)"
[ "$(j r.temporary_allocations)" = 60000 ] || fail "total temporaries: $(j r.temporary_allocations)"
[ "$(j 'r.live_bytes >= 30000 && r.peak_bytes >= r.live_bytes')" = true ] || fail "totals: $(j 'r.live_bytes + " " + r.peak_bytes')"

expect_status 0 "$LEAKHOUND" report --top 3 "$TEST_TMP/t.lhtrace"
first=$(grep -m1 -E '^ +1 ' "$TEST_TMP/out")
[[ $first == *"leak.c:$line"* && $first == *"30,000"* ]] || fail "text report's first site: $first"
grep -q "complete: the program exited normally" "$TEST_TMP/out" || fail "text report: no completeness line"

# --min-growth: the leak grew by exactly 30,000 bytes, so it stays at that threshold and goes one byte past it.
expect_status 0 "$LEAKHOUND" report --json --min-growth 30000 "$TEST_TMP/t.lhtrace"
grep -q "leak.c" "$TEST_TMP/out" || fail "--min-growth 30000 dropped the 30,000-byte leak"
expect_status 0 "$LEAKHOUND" report --json --min-growth 30001 "$TEST_TMP/t.lhtrace"
! grep -q "\"line\": $line" "$TEST_TMP/out" || fail "--min-growth 30001 kept the 30,000-byte leak"
expect_status 3 "$LEAKHOUND" report --min-growth lots "$TEST_TMP/t.lhtrace"

# Bad input and bad command lines.
echo "not a trace" >"$TEST_TMP/bad.lhtrace"
expect_status 2 "$LEAKHOUND" report "$TEST_TMP/bad.lhtrace"
grep -q "not a leakhound trace" "$TEST_TMP/err" || fail "bad magic: $(cat "$TEST_TMP/err")"
head -c 40 "$TEST_TMP/t.lhtrace" >"$TEST_TMP/short.lhtrace"
expect_status 2 "$LEAKHOUND" report "$TEST_TMP/short.lhtrace"
expect_status 2 "$LEAKHOUND" report "$TEST_TMP/missing.lhtrace"
expect_status 3 "$LEAKHOUND" report --top 0 "$TEST_TMP/t.lhtrace"
expect_status 3 "$LEAKHOUND" run -o "$TEST_TMP/x.lhtrace"
expect_status 3 "$LEAKHOUND" run --interval fast -- true
expect_status 127 "$LEAKHOUND" run -o "$TEST_TMP/x.lhtrace" -- "$TEST_TMP/no-such-program"
grep -q "cannot run" "$TEST_TMP/err" || fail "missing program: $(cat "$TEST_TMP/err")"
exit 0
