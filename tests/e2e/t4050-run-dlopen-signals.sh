#!/usr/bin/env bash
# t4050: a shared object dlopen'd after start-up leaks: the report names
# its source line (its module was recorded when it was loaded); signal
# handlers that allocate do not disturb tracking. Then `report` itself
# under valgrind: no leaks, no invalid reads.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
build_native libplugin.so plugin.c -shared -fPIC
build_native dlopen dlopen.c -ldl
line=$(leak_line plugin.c)

expect_status 0 "$LEAKHOUND" run -q -o "$TEST_TMP/t.lhtrace" --interval 20ms -- "$TEST_TMP/dlopen" "$TEST_TMP/libplugin.so"
[ "$(cat "$TEST_TMP/out")" = "called the plugin 400 times" ] || fail "stdout: $(cat "$TEST_TMP/out")"
expect_status 0 "$LEAKHOUND" report --json "$TEST_TMP/t.lhtrace"
cp "$TEST_TMP/out" "$TEST_TMP/report.json"
j() { json_get "$TEST_TMP/report.json" "$1"; }
[ "$(j r.sites[0].site.module)" = libplugin.so ] || fail "top site: $(j 'JSON.stringify(r.sites[0].site)')"
[ "$(j 'r.sites[0].site.file.endsWith("plugin.c")')" = true ] || fail "top site file: $(j r.sites[0].site.file)"
[ "$(j r.sites[0].site.line)" = "$line" ] || fail "top site line $(j r.sites[0].site.line), expected $line"
[ "$(j r.sites[0].live_bytes)" = 9600 ] || fail "leaked bytes $(j r.sites[0].live_bytes), expected 400 x 24"
[ "$(j 'r.sites.filter(s => s.site && s.site.function === "on_usr1").reduce((a, s) => a + s.live_bytes, 0)')" = 0 ] ||
	fail "the signal handler's blocks are still live"

case "$LEAKHOUND" in
*build-asan*) exit 0 ;; # valgrind and AddressSanitizer do not mix
esac
command -v valgrind >/dev/null || exit 0
rc=0
valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
	--log-file="$TEST_TMP/vg.log" "$LEAKHOUND" report --json "$TEST_TMP/t.lhtrace" >/dev/null 2>&1 || rc=$?
[ $rc -eq 0 ] && [ ! -s "$TEST_TMP/vg.log" ] || fail "report under valgrind: exit $rc -- $(head -c 3000 "$TEST_TMP/vg.log")"
exit 0
