#!/usr/bin/env bash
# t5090: `run --leak-check` basics on tests/native/leak_basics.c, with the
# expected figures worked out by hand from the program:
#   midrun: a SIGUSR2 check mid-run sees 3 x 100 B definitely lost and the
#     50 B global still reachable; the check at exit (the global freed, a
#     64 B -> 32 B list leaked) sees 364 B in 4 blocks definitely lost (the
#     list head's record "96 (64 direct, 32 indirect)"), 32 B in 1 block
#     indirectly lost. Checks are listed in time order, the last final.
#   clean: a final check with zeros; --error-exitcode then leaves status 0.
#   fork: the child frees and reallocs blocks it inherited (exits 0 if all
#     went well); the parent's check sees only its own 40 B leak.
#   threads: a thread still sleeping at exit keeps its 48 B block on its
#     stack (still reachable: it was stopped and its stack read from its
#     SP); main's 24 B are definitely lost; the thread's DTV is possibly
#     lost (1 block; its size depends on the loaded TLS modules).
#   overflow: 48 bytes written into a 24 B block overwrite the next block's
#     header: the check says so (heap_corrupt, a warning) and still counts
#     the blocks before it: the 10 B leak, the 24 B block in a global.
# --error-exitcode N gives N when blocks are definitely or indirectly lost.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
build_native leak_basics leak_basics.c -pthread

# run_mode MODE [RUN-OPTIONS...]: leakhound run --leak-check; JSON report in $TEST_TMP/MODE.json.
run_mode() {
	local mode=$1 status=0
	shift
	"$LEAKHOUND" run --leak-check --quiet --interval 1440m "$@" -o "$TEST_TMP/$mode.lhtrace" -- \
		"$TEST_TMP/leak_basics" "$mode" >"$TEST_TMP/$mode.out" 2>"$TEST_TMP/$mode.err" || status=$?
	echo $status >"$TEST_TMP/$mode.status"
	"$LEAKHOUND" report --json "$TEST_TMP/$mode.lhtrace" >"$TEST_TMP/$mode.json" || fail "report --json failed ($mode)"
}
status_of() { cat "$TEST_TMP/$1.status"; }
j() { json_get "$TEST_TMP/$1.json" "$2"; }
# summary MODE CHECK: "definite/indirect/possible/reachable" as bytes:blocks.
summary() {
	j "$1" "(s => ['definitely_lost','indirectly_lost','possibly_lost','still_reachable'].map(k => s[k].bytes + ':' + s[k].blocks).join('/'))(r.leak_checks[$2].summary)"
}

run_mode midrun --error-exitcode 42
[ "$(status_of midrun)" = 42 ] || fail "midrun: exit status $(status_of midrun), expected 42 (blocks were lost)"
[ "$(j midrun 'r.leak_checks.length')" = 2 ] || fail "midrun: $(j midrun 'r.leak_checks.length') checks, expected 2"
[ "$(j midrun 'r.leak_checks.map(c => c.final).join()')" = false,true ] || fail "midrun: final flags $(j midrun 'r.leak_checks.map(c => c.final).join()')"
[ "$(j midrun 'r.leak_checks[0].time_ns <= r.leak_checks[1].time_ns')" = true ] || fail "midrun: checks not in time order"
[ "$(summary midrun 0)" = "300:3/0:0/0:0/50:1" ] || fail "midrun: mid-run check $(summary midrun 0)"
[ "$(summary midrun 1)" = "364:4/32:1/0:0/0:0" ] || fail "midrun: final check $(summary midrun 1)"
head=$(j midrun 'JSON.stringify(r.leak_checks[1].records.filter(x => x.indirect_bytes > 0).map(x => [x.kind, x.bytes, x.blocks, x.direct_bytes, x.indirect_bytes, x.frames[0].function]))')
[ "$head" = '[["definitely_lost",96,1,64,32,"midrun"]]' ] || fail "midrun: list head record $head"
grep -qx '96 (64 direct, 32 indirect) bytes in 1 blocks are definitely lost in loss record [0-9] of 5' "$TEST_TMP/midrun.err" ||
	fail "midrun: no Memcheck-style record line for the list head: $(cat "$TEST_TMP/midrun.err")"
for line in '   definitely lost: 364 bytes in 4 blocks' '   indirectly lost: 32 bytes in 1 blocks' \
	'     possibly lost: 0 bytes in 0 blocks' '   still reachable: 0 bytes in 0 blocks'; do
	grep -qxF "$line" "$TEST_TMP/midrun.err" || fail "midrun: no '$line' on stderr: $(cat "$TEST_TMP/midrun.err")"
done
"$LEAKHOUND" report "$TEST_TMP/midrun.lhtrace" >"$TEST_TMP/midrun.txt" || fail "report (text) failed"
grep -q 'on request (SIGUSR2)' "$TEST_TMP/midrun.txt" || fail "report does not list the mid-run check"

run_mode clean --error-exitcode 42
[ "$(status_of clean)" = 0 ] || fail "clean: exit status $(status_of clean), expected 0"
[ "$(j clean 'r.leak_checks.length + ":" + r.leak_checks[0].final')" = 1:true ] || fail "clean: checks $(j clean 'JSON.stringify(r.leak_checks)')"
[ "$(summary clean 0)" = "0:0/0:0/0:0/0:0" ] || fail "clean: $(summary clean 0)"
[ "$(j clean 'r.leak_checks[0].records.length')" = 0 ] || fail "clean: loss records where nothing is live"

run_mode fork
[ "$(status_of fork)" = 0 ] || fail "fork: exit status $(status_of fork) (1: the child could not free or realloc an inherited block)"
[ "$(summary fork 0)" = "40:1/0:0/0:0/0:0" ] || fail "fork: $(summary fork 0)"

run_mode threads
[ "$(status_of threads)" = 0 ] || fail "threads: exit status $(status_of threads)"
got=$(j threads "(s => [s.definitely_lost.bytes, s.definitely_lost.blocks, s.indirectly_lost.blocks, s.possibly_lost.blocks, s.still_reachable.bytes, s.still_reachable.blocks].join())(r.leak_checks[0].summary)")
[ "$got" = 24,1,0,1,48,1 ] || fail "threads: $got, expected 24 B/1 definite, 0 indirect, 1 possible (DTV), 48 B/1 reachable"
[ "$(j threads 'r.leak_checks[0].threads_not_stopped')" = 0 ] || fail "threads: the sleeping thread was not stopped"

run_mode overflow
[ "$(j overflow 'r.leak_checks[0].heap_corrupt')" = true ] || fail "overflow: the overwritten header went unnoticed"
[ "$(summary overflow 0)" = "10:1/0:0/0:0/24:1" ] || fail "overflow: $(summary overflow 0)"
grep -q 'overwrote a block header' "$TEST_TMP/overflow.err" || fail "overflow: no warning on stderr"
exit 0
