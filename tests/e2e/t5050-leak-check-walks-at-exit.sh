#!/usr/bin/env bash
# t5050: `run --leak-check` on a program whose threads walk the loader's
# list (dl_iterate_phdr) throughout, up to its exit (tests/native/
# walk_at_exit.c). The check at exit stops them for good, and the final
# batch then walks the list itself: a thread stopped inside a walk holds
# glibc's lock on it. Before the stop waited for walks to end, half the
# runs hung. Five runs: each exits 0 within the timeout, its trace is
# complete and its final leak check finds the one block main lost, 100
# bytes definitely lost from the marked line.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
build_native walk_at_exit walk_at_exit.c -pthread
line=$(leak_line walk_at_exit.c)

for run in 1 2 3 4 5; do
	expect_status 0 timeout 60 "$LEAKHOUND" run -q --leak-check -f -o "$TEST_TMP/t.lhtrace" -- "$TEST_TMP/walk_at_exit"
	expect_status 0 "$LEAKHOUND" report --json "$TEST_TMP/t.lhtrace"
	cp "$TEST_TMP/out" "$TEST_TMP/report.json"
	[ "$(json_get "$TEST_TMP/report.json" r.complete)" = true ] || fail "run $run: the trace is not complete"
	got=$(json_get "$TEST_TMP/report.json" '(c => c.summary.definitely_lost.bytes + "/" + c.summary.definitely_lost.blocks)(r.leak_checks.find(c => c.final))')
	[ "$got" = "100/1" ] || fail "run $run: definitely lost $got (bytes/blocks), expected 100/1"
	site=$(json_get "$TEST_TMP/report.json" '(c => c.records.filter(x => x.kind === "definitely_lost").map(x => x.frames[0].function + ":" + x.frames[0].line).join(" "))(r.leak_checks.find(c => c.final))')
	[ "$site" = "main:$line" ] || fail "run $run: the lost block is charged to '$site', expected main:$line"
done
exit 0
