#!/usr/bin/env bash
# t4036: `run --children` follows forked children of a process whose other
# threads allocate throughout (tests/native/fork_threads.c): no child hangs
# on a lock inherited from the fork, and child k's own trace holds exactly
# its leak, 10 + k blocks of 100 bytes (so the 20 traces hold 10..29
# blocks, one each), with nothing of the churning threads left live.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
build_native fork_threads fork_threads.c -pthread

run_fork_threads
for t in "${children[@]}"; do
	[ "$(json_get "$t.json" "r.sites.filter(s => s.site && s.site.function === 'churn').reduce((a, s) => a + s.live_blocks, 0) <= 4")" = true ] ||
		fail "$t: churn holds more than one block per thread"
done
exit 0
