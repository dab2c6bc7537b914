#!/usr/bin/env bash
# t4090: `leakhound run` on tests/native/alloc_api.c, the malloc family's
# corners: the aligned family up to 1 MiB alignments, realloc of aligned
# blocks, realloc growth and shrinking, blocks from __libc_malloc (never
# seen by the shims), free(NULL), overflowing sizes (ENOMEM), bad
# alignments (EINVAL). The program checks its blocks itself; its stdout and
# exit status (5) must be the same under tracking, and the report must
# charge each leak_* function exactly the bytes it leaks (worked out in the
# program's opening comment): 10,267 bytes in 9 blocks.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
build_native alloc_api alloc_api.c

rc=0
"$TEST_TMP/alloc_api" >"$TEST_TMP/plain.out" || rc=$?
[ $rc -eq 5 ] || fail "the test program itself exits $rc, not 5: $(grep FAIL "$TEST_TMP/plain.out")"

expect_status 5 "$LEAKHOUND" run -o "$TEST_TMP/t.lhtrace" -- "$TEST_TMP/alloc_api"
cmp -s "$TEST_TMP/plain.out" "$TEST_TMP/out" || fail "stdout changed under tracking: $(diff "$TEST_TMP/plain.out" "$TEST_TMP/out")"

expect_status 0 "$LEAKHOUND" report --json --top 1000 "$TEST_TMP/t.lhtrace"
cp "$TEST_TMP/out" "$TEST_TMP/report.json"
j() { json_get "$TEST_TMP/report.json" "$1"; }
[ "$(j r.complete)" = true ] || fail "trace of a normal exit is not complete"
# fn NAME FIELD: FIELD summed over the sites in function NAME.
fn() { j "r.sites.filter(s => s.site && s.site.function === '$1').reduce((a, s) => a + s.$2, 0)"; }
for want in leak_memalign:1000 leak_aligned_alloc:640 leak_posix_memalign:3000 leak_valloc:5000 \
	leak_pvalloc:100 leak_realloc_aligned:300 leak_realloc_grow:50 leak_calloc:100 leak_reallocarray:77; do
	name=${want%%:*} bytes=${want#*:}
	[ "$(fn "$name" live_bytes)" = "$bytes" ] || fail "$name: live bytes $(fn "$name" live_bytes), expected $bytes"
	[ "$(fn "$name" live_blocks)" = 1 ] || fail "$name: live blocks $(fn "$name" live_blocks), expected 1"
done
# The reallocs: each move frees the old block at its own site and allocates anew.
[ "$(fn leak_realloc_grow allocations)" = 3 ] || fail "leak_realloc_grow allocations: $(fn leak_realloc_grow allocations)"
[ "$(fn leak_realloc_grow frees)" = 2 ] || fail "leak_realloc_grow frees: $(fn leak_realloc_grow frees)"
[ "$(fn leak_realloc_aligned allocations)" = 2 ] || fail "leak_realloc_aligned allocations: $(fn leak_realloc_aligned allocations)"
leaks='r.sites.filter(s => s.site && /^leak_/.test(s.site.function))'
[ "$(j "$leaks.reduce((a, s) => a + s.live_bytes, 0)")" = 10267 ] || fail "leaked bytes: $(j "$leaks.reduce((a, s) => a + s.live_bytes, 0)")"
[ "$(j "$leaks.reduce((a, s) => a + s.live_blocks, 0)")" = 9 ] || fail "leaked blocks: $(j "$leaks.reduce((a, s) => a + s.live_blocks, 0)")"
# corners() frees everything it allocates, but for stdout's buffer (made by its first printf).
[ "$(j "r.sites.filter(s => s.site && s.site.function === 'corners' && s.live_bytes > 0).length <= 1")" = true ] ||
	fail "corners() holds memory: $(j "JSON.stringify(r.sites.filter(s => s.site && s.site.function === 'corners' && s.live_bytes > 0))")"
exit 0
