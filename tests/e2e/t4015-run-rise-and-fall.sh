#!/usr/bin/env bash
# t4015: memory that climbs steeply and is all freed before exit is no leak:
# `report` ranks the small steady leak first, and the buffer that rose and
# fell back below it, although its least-squares slope is far larger.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
build_native rise_fall rise_fall.c
line=$(leak_line rise_fall.c)

expect_status 0 "$LEAKHOUND" run -q -o "$TEST_TMP/t.lhtrace" --interval 50ms -- "$TEST_TMP/rise_fall" 120 10
expect_status 0 "$LEAKHOUND" report --json "$TEST_TMP/t.lhtrace"
cp "$TEST_TMP/out" "$TEST_TMP/report.json"
j() { json_get "$TEST_TMP/report.json" "$1"; }
hold='r.sites.find(s => s.site && s.site.function === "hold_buffer")'
[ "$(j "$hold.live_bytes")" = 0 ] || fail "hold_buffer live at end: $(j "$hold.live_bytes")"
[ "$(j "$hold.peak_bytes > 1000000")" = true ] || fail "hold_buffer never held its MiBs: $(j "$hold.peak_bytes")"
# The premise: the buffer's slope is larger than the leak's (it fell only at the last snapshot).
[ "$(j "$hold.growth_bytes_per_s > r.sites[0].growth_bytes_per_s")" = true ] ||
	fail "premise: hold_buffer's slope $(j "$hold.growth_bytes_per_s") is not above the leak's"
[ "$(j r.sites[0].site.function)" = leak_slowly ] || fail "first site: $(j 'JSON.stringify(r.sites[0].site)')"
[ "$(j r.sites[0].site.line)" = "$line" ] || fail "first site line $(j r.sites[0].site.line), expected $line"
[ "$(j r.sites[0].live_bytes)" = $((120 * 64)) ] || fail "leaked bytes $(j r.sites[0].live_bytes)"
