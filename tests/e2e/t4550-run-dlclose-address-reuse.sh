#!/usr/bin/env bash
# t4550: modules have a lifetime. libreuse_a.so leaks 5 blocks and is
# dlclosed; libreuse_b.so, the same code under other names, is then mapped
# at the same address and leaks 3. Each leak is reported as its own
# library's function, in report and in the leak check (a's used to be
# named as b's), and frames keep the addresses the process saw.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
for who in a b; do
	gcc -O2 -g -fPIC -shared -DWHO=$who -o "$TEST_TMP/libreuse_$who.so" "$NATIVE_SRC/reuse_lib.c" || fail "cannot build libreuse_$who.so"
done
build_native reuse_main reuse_main.c -ldl
line=$(leak_line reuse_lib.c)

expect_status 0 "$LEAKHOUND" run --leak-check --show-kinds all -o "$TEST_TMP/t.lhtrace" --interval 1s -- "$TEST_TMP/reuse_main" "$TEST_TMP"
[ "$(cat "$TEST_TMP/out")" = "same address" ] || skip "the loader did not map libreuse_b.so where libreuse_a.so was: $(cat "$TEST_TMP/out")"
cp "$TEST_TMP/err" "$TEST_TMP/check.txt"
expect_status 0 "$LEAKHOUND" report --json --top 20 "$TEST_TMP/t.lhtrace"
cp "$TEST_TMP/out" "$TEST_TMP/r.json"
j() { json_get "$TEST_TMP/r.json" "$1"; }
site() { j "r.sites.filter(s => s.site && s.site.function === '$1' && s.site.line === $line).map(s => s.live_blocks).join()"; }
[ "$(site leak_from_a)" = 5 ] || fail "leak_from_a: $(j 'JSON.stringify(r.sites.map(s => [s.site && s.site.function, s.live_blocks]))')"
[ "$(site leak_from_b)" = 3 ] || fail "leak_from_b: $(j 'JSON.stringify(r.sites.map(s => [s.site && s.site.function, s.live_blocks]))')"
# The same address in both: a's frame shows the address the process saw, not a moved one.
[ "$(j "r.sites.filter(s => s.site && /^leak_from_/.test(s.site.function)).map(s => s.site.address).reduce((a, x) => a && x.length < 16, true)")" = true ] ||
	fail "frame addresses: $(j "JSON.stringify(r.sites.map(s => s.site && s.site.address))")"
# The leak check at exit names each library's blocks by its own function.
for who in a:5 b:3; do
	grep -A1 -E "^[0-9,]+ bytes in ${who#*:} blocks are (definitely|possibly) lost|still reachable" "$TEST_TMP/check.txt" |
		grep -q "leak_from_${who%:*}" || fail "leak check: no record of ${who#*:} blocks in leak_from_${who%:*}: $(cat "$TEST_TMP/check.txt")"
done
exit 0
