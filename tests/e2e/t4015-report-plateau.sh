#!/usr/bin/env bash
# t4015: `report` ranks by sustained growth. tests/native/plateau.c fills a
# cache at 64 KiB a step for the first 60% of its steps and then holds it,
# while leak_one() keeps 8 KiB every step to the end. Over the whole run the
# cache's slope is the steeper (checked: so a whole-run ranking puts it
# first); over the last third it is flat. report --json: the first site is
# leak_one's line, trend "growing", with the program's leaked bytes live at
# the end; fill_cache's site ranks below it with trend "stopped" and the
# program's cached bytes; the text report says its growth stopped.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
build_native plateau plateau.c
leak=$(leak_line plateau.c)
cache=$(grep -nF '/* CACHE-SITE */' "$NATIVE_SRC/plateau.c" | cut -d: -f1)

expect_status 0 "$LEAKHOUND" run -o "$TEST_TMP/t.lhtrace" --interval 50ms -- "$TEST_TMP/plateau" 100 20
read -r _ leaked _ cached _ <"$TEST_TMP/out"
expect_status 0 "$LEAKHOUND" report --json "$TEST_TMP/t.lhtrace"
cp "$TEST_TMP/out" "$TEST_TMP/report.json"
j() { json_get "$TEST_TMP/report.json" "$1"; }
c="r.sites.findIndex(s => s.site && s.site.line === $cache)"
[ "$(j 'r.sites[0].site.function')" = leak_one ] || fail "first site: $(j 'JSON.stringify(r.sites[0].site)')"
[ "$(j 'r.sites[0].site.line')" = "$leak" ] || fail "first site line $(j 'r.sites[0].site.line'), expected $leak"
[ "$(j 'r.sites[0].trend')" = growing ] || fail "leak trend: $(j 'r.sites[0].trend')"
[ "$(j 'r.sites[0].live_bytes')" = "$leaked" ] || fail "leak live bytes $(j 'r.sites[0].live_bytes'), the program kept $leaked"
[ "$(j "$c > 0")" = true ] || fail "cache site rank $(j "$c")"
[ "$(j "r.sites[$c].trend")" = stopped ] || fail "cache trend: $(j "r.sites[$c].trend")"
[ "$(j "r.sites[$c].live_bytes")" = "$cached" ] || fail "cache live bytes $(j "r.sites[$c].live_bytes"), the program kept $cached"
[ "$(j "r.sites[$c].growth_bytes_per_s > r.sites[0].growth_bytes_per_s")" = true ] ||
	fail "the cache's whole-run slope is not the steeper: the test shows nothing"
[ "$(j "r.sites[0].late_growth_bytes_per_s > 4 * Math.abs(r.sites[$c].late_growth_bytes_per_s)")" = true ] ||
	fail "late slopes: leak $(j 'r.sites[0].late_growth_bytes_per_s'), cache $(j "r.sites[$c].late_growth_bytes_per_s")"

expect_status 0 "$LEAKHOUND" report "$TEST_TMP/t.lhtrace"
grep -A1 -E "^#[0-9]+ fill_cache " "$TEST_TMP/out" | grep -q "growth stopped" || fail "text: no 'growth stopped' under fill_cache: $(grep -A1 fill_cache "$TEST_TMP/out")"
exit 0
