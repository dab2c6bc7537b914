#!/usr/bin/env bash
# t4037: `run --children` follows forked children of a process whose other
# threads walk the loader's list throughout (dl_iterate_phdr, as C++
# exception unwinding and plugin loaders do; tests/native/fork_walker.c),
# their callbacks allocating now and then. glibc does not reset that list's
# lock in a child, and a tracked child walks the list at its first
# allocation: no child may hang (before the preload library bracketed the
# program's walks, most runs hung), and child k's own trace holds exactly
# its leak, 10 + k blocks of 100 bytes (so the 20 traces hold 10..29 blocks,
# one each). Three runs, since a fork lands inside a walk only by chance.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
build_native fork_walker fork_walker.c -pthread

j() { json_get "$TEST_TMP/report.json" "$1"; }
for run in 1 2 3; do
	rm -f "$TEST_TMP"/t.lhtrace*
	expect_status 0 timeout 60 "$LEAKHOUND" run -q --children -o "$TEST_TMP/t.lhtrace" --interval 10ms -- "$TEST_TMP/fork_walker"
	[ "$(cat "$TEST_TMP/out")" = "20 of 20 children exited 0" ] || fail "run $run: stdout: $(cat "$TEST_TMP/out")"
	children=("$TEST_TMP"/t.lhtrace.*)
	[ ${#children[@]} -eq 20 ] || fail "run $run: expected 20 child traces, found ${#children[@]}"
	blocks=()
	for t in "${children[@]}"; do
		expect_status 0 "$LEAKHOUND" report --json --top 50 "$t"
		cp "$TEST_TMP/out" "$TEST_TMP/report.json"
		[ "$(j r.complete)" = true ] || fail "$t: not complete (the child exits normally)"
		leak="r.sites.filter(s => s.site && s.site.function === 'child_leak')"
		[ "$(j "$leak.reduce((a, s) => a + s.live_bytes, 0) === 100 * $leak.reduce((a, s) => a + s.live_blocks, 0)")" = true ] ||
			fail "$t: child_leak's bytes are not 100 per block"
		blocks+=("$(j "$leak.reduce((a, s) => a + s.live_blocks, 0)")")
	done
	[ "$(printf '%s\n' "${blocks[@]}" | sort -n | tr '\n' ' ')" = "$(seq 10 29 | tr '\n' ' ')" ] ||
		fail "run $run: child_leak blocks per child: ${blocks[*]}, expected 10..29 once each"
done
exit 0
