#!/usr/bin/env bash
# t4020: four threads allocating at once (malloc, calloc, realloc, free,
# and frees on another thread than the allocation): exact per-site totals.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
build_native threads threads.c -pthread
line=$(leak_line threads.c)

expect_status 0 "$LEAKHOUND" run -q -o "$TEST_TMP/t.lhtrace" --interval 20ms -- "$TEST_TMP/threads"
[ "$(cat "$TEST_TMP/out")" = "threads done" ] || fail "stdout: $(cat "$TEST_TMP/out")"
expect_status 0 "$LEAKHOUND" report --json --top 50 "$TEST_TMP/t.lhtrace"
cp "$TEST_TMP/out" "$TEST_TMP/report.json"
j() { json_get "$TEST_TMP/report.json" "$1"; }
[ "$(j r.sites[0].site.line)" = "$line" ] || fail "top site: $(j 'JSON.stringify(r.sites[0].site)')"
[ "$(j r.sites[0].live_bytes)" = 64000 ] || fail "leaked bytes $(j r.sites[0].live_bytes), expected 4 x 250 x 64"
[ "$(j r.sites[0].live_blocks)" = 1000 ] || fail "leaked blocks $(j r.sites[0].live_blocks)"
worker='r.sites.filter(s => s.site && s.site.function === "worker")'
# calloc'd blocks freed by main, and 100 malloc+realloc+free per iteration: nothing live.
[ "$(j "$worker.reduce((a, s) => a + s.live_bytes, 0)")" = 0 ] || fail "worker sites still live: $(j "JSON.stringify($worker)")"
[ "$(j "$worker.reduce((a, s) => a + s.allocations, 0)")" = 201000 ] ||
	fail "worker allocations: $(j "$worker.reduce((a, s) => a + s.allocations, 0)"), expected 4 x 250 x (1 + 2 x 100)"
exit 0
