#!/usr/bin/env bash
# t4080: the preload library's own unwinder (src/native/unwind.c) against
# libunwind's unw_backtrace on the same stacks, in programs built -O2
# -fomit-frame-pointer: C (recursion, alloca, a 70 KB frame, callee-saved
# registers, qsort's callback, varargs, raised signals, a coroutine's
# stack, a handler on the alternate signal stack, a profiling timer
# interrupting any instruction, a thread, a dlopen'd plugin) and C++
# (virtual calls, templates, std::function, std::sort, a destructor run by
# an exception, a catch block, std::thread). Every frame must be equal, of
# the memoised captures too (hits included: two callers with one frame
# size make starts that differ only further up), and the synchronous
# captures must not have been handed to libunwind (which would make them
# equal trivially). Then the known depth end to end: a
# leak at the bottom of 21 nested calls to descend() is reported with
# exactly 21 descend frames (names from the DWARF, not from an unwinder).
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs g++
[ "$(uname -m)" = x86_64 ] || skip "leakhound's own unwinder is x86-64 only (elsewhere it is libunwind)"
echo "#include <libunwind.h>" | gcc -E -x c - >/dev/null 2>&1 || skip "libunwind-dev is not installed (the reference unwinder)"

flags=(-O2 -g -fomit-frame-pointer -D_GNU_SOURCE -I"$LEAKHOUND_ROOT/src/native")
unwinder="$LEAKHOUND_ROOT/src/native/unwind.c"
gcc "${flags[@]}" -shared -fPIC -o "$TEST_TMP/plugin.so" "$NATIVE_SRC/deep_stack_plugin.c" || fail "cannot build the plugin"
gcc "${flags[@]}" -rdynamic -o "$TEST_TMP/deep_stack" "$NATIVE_SRC/deep_stack.c" "$NATIVE_SRC/unwind_check.c" \
	"$unwinder" -lunwind -lpthread || fail "cannot build deep_stack"
gcc "${flags[@]}" -c -o "$TEST_TMP/unwind_check.o" "$NATIVE_SRC/unwind_check.c" || fail "cannot build unwind_check.c"
gcc "${flags[@]}" -c -o "$TEST_TMP/unwind.o" "$unwinder" || fail "cannot build unwind.c"
g++ -O2 -g -fomit-frame-pointer -o "$TEST_TMP/deep_stack_cxx" "$NATIVE_SRC/deep_stack_cxx.cpp" \
	"$TEST_TMP/unwind_check.o" "$TEST_TMP/unwind.o" -lunwind -lpthread || fail "cannot build deep_stack_cxx"

# counts LINE: "captures mismatches fallbacks async_mismatches async_captures" from a report line.
counts() { sed -n 's|.*: captures \([0-9]*\) mismatches \([0-9]*\) fallbacks \([0-9]*\) async \([0-9]*\)/\([0-9]*\) .*|\1 \2 \3 \4 \5|p' <<<"$1"; }

expect_status 0 "$TEST_TMP/deep_stack" check "$TEST_TMP/plugin.so"
c=$(cat "$TEST_TMP/out")
read -r captures mismatches fallbacks async_bad async <<<"$(counts "$c")"
[ -n "$async" ] || fail "C: no report line: $c"
[ "$captures" -ge 100 ] && [ "$mismatches" = 0 ] || fail "C: too few captures, or mismatches: $c"
[ "$fallbacks" = 0 ] || fail "C: captures handed to libunwind: $c"
[ "$async_bad" = 0 ] && [ "$async" -ge 20 ] || fail "C: the profiling timer's captures differ or are too few: $c"
# Memoised captures: the repeated ones (via_a/via_b, three rounds) hit, and every hit gave libunwind's frames.
read -r memo_hits memo_bad <<<"$(sed -n 's|.* memo hits \([0-9]*\) mismatches \([0-9]*\)$|\1 \2|p' <<<"$c")"
[ "${memo_bad:-x}" = 0 ] || fail "C: memoised captures differ from libunwind's: $c"
[ "$memo_hits" -ge 10 ] || fail "C: too few memo hits (the repeated captures should hit): $c"

expect_status 0 "$TEST_TMP/deep_stack_cxx"
cxx=$(cat "$TEST_TMP/out")
read -r captures mismatches fallbacks async_bad async <<<"$(counts "$cxx")"
[ -n "$async" ] || fail "C++: no report line: $cxx"
[ "$captures" -ge 50 ] && [ "$mismatches" = 0 ] || fail "C++: too few captures, or mismatches: $cxx"
[ "$fallbacks" = 0 ] || fail "C++: captures handed to libunwind: $cxx"
[[ $cxx == *" memo hits "*" mismatches 0" ]] || fail "C++: memoised captures differ from libunwind's: $cxx"

gcc -O2 -g -fomit-frame-pointer -o "$TEST_TMP/deep_leak" "$NATIVE_SRC/deep_stack.c" "$NATIVE_SRC/unwind_check.c" \
	"$unwinder" -lunwind -lpthread -D_GNU_SOURCE -I"$LEAKHOUND_ROOT/src/native" || fail "cannot build deep_leak"
line=$(leak_line deep_stack.c)
expect_status 0 "$LEAKHOUND" run -q -o "$TEST_TMP/t.lhtrace" -- "$TEST_TMP/deep_leak" leak 20
expect_status 0 "$LEAKHOUND" report --json --stacks 5 "$TEST_TMP/t.lhtrace"
cp "$TEST_TMP/out" "$TEST_TMP/report.json"
j() { json_get "$TEST_TMP/report.json" "$1"; }
[ "$(j r.sites[0].site.function)" = leak_bottom ] || fail "top site: $(j 'JSON.stringify(r.sites[0].site)')"
[ "$(j r.sites[0].site.line)" = "$line" ] || fail "top site line $(j r.sites[0].site.line), expected $line"
[ "$(j r.sites[0].live_bytes)" = 2400 ] || fail "leaked bytes $(j r.sites[0].live_bytes), expected 100 x 24"
[ "$(j r.sites[0].stacks.length)" = 1 ] || fail "the leak has $(j r.sites[0].stacks.length) stacks, expected 1"
frames=$(j 'r.sites[0].stacks[0].frames.map(f => f.function).join(" ")')
[ "$(grep -o '\bdescend\b' <<<"$frames" | wc -l)" = 21 ] || fail "expected 21 descend frames: $frames"
[[ $frames == "leak_bottom descend "*" descend main "* ]] || fail "frames out of order: $frames"
exit 0
