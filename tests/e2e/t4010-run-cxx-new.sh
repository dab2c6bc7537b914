#!/usr/bin/env bash
# t4010: a C++ program leaking through `new`: the site is the caller of
# operator new (not libstdc++), with the exact bytes; std::string and
# std::vector churn is freed.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs g++
build_native cxx_new cxx_new.cpp
line=$(leak_line cxx_new.cpp)

expect_status 0 "$LEAKHOUND" run -q -o "$TEST_TMP/t.lhtrace" --interval 50ms -- "$TEST_TMP/cxx_new"
[ "$(cat "$TEST_TMP/out")" = "made 500 nodes, 10000 strings" ] || fail "stdout: $(cat "$TEST_TMP/out")"
[ ! -s "$TEST_TMP/err" ] || fail "run -q wrote to stderr: $(cat "$TEST_TMP/err")"
expect_status 0 "$LEAKHOUND" report --json "$TEST_TMP/t.lhtrace"
cp "$TEST_TMP/out" "$TEST_TMP/report.json"
j() { json_get "$TEST_TMP/report.json" "$1"; }
[ "$(j 'r.sites[0].site.file.endsWith("cxx_new.cpp")')" = true ] || fail "top site: $(j 'JSON.stringify(r.sites[0].site)')"
[ "$(j r.sites[0].site.line)" = "$line" ] || fail "top site line $(j r.sites[0].site.line), expected $line"
[ "$(j r.sites[0].live_bytes)" = 28000 ] || fail "leaked bytes $(j r.sites[0].live_bytes), expected 500 x 56"
[ "$(j r.sites[0].live_blocks)" = 500 ] || fail "leaked blocks $(j r.sites[0].live_blocks)"
# The stack under the site starts in libstdc++'s operator new.
[ "$(j 'r.sites[0].stacks[0].frames[0].module.startsWith("libstdc++")')" = true ] ||
	fail "innermost frame is not operator new: $(j 'JSON.stringify(r.sites[0].stacks[0].frames[0])')"
[ "$(j 'r.sites.filter(s => s.site && /churn/.test(s.site.function)).every(s => s.live_bytes === 0)')" = true ] ||
	fail "string/vector churn left live bytes"
exit 0
