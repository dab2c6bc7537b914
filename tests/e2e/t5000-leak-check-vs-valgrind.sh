#!/usr/bin/env bash
# t5000: `leakhound run --leak-check` against Valgrind Memcheck on the
# programs in tests/native/leakcheck/ (one Memcheck rule each, built -O0 -g).
# Each program first runs under `valgrind --leak-check=full
# --show-leak-kinds=all`, whose LEAK SUMMARY must equal the figures written
# by hand in the program (its EXPECT line) and whose definitely-lost records
# must name the lines marked LEAK-SITE: that checks the programs and this
# harness. Then under leakhound: the final check's four categories (JSON and
# the LEAK SUMMARY on stderr) must equal Memcheck's in bytes and blocks, and
# each definitely-lost site (function, file:line, direct and indirect bytes,
# blocks) must be Memcheck's; midrun.c also compares a check asked for
# while it runs (SIGUSR2 / VALGRIND_DO_LEAK_CHECK). Two pinned differences,
# explained in compare.js: the size of a live thread's DTV, and which member
# of a cycle in reused memory is definitely lost. Last, --error-exitcode.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs g++
command -v valgrind >/dev/null || skip "valgrind is not installed"
[ -f /usr/include/valgrind/memcheck.h ] || skip "valgrind's headers are not installed (midrun.c needs valgrind/memcheck.h)"
LEAKCHECK_SRC="$NATIVE_SRC/leakcheck"
COMPARE="$LEAKCHECK_SRC/compare.js"

# build_leakcheck SRC: compiles tests/native/leakcheck/SRC to $TEST_TMP/NAME
# at -O0 (the programs rely on it; see scrub.h). The C++ program needs the
# old std::string ABI for Memcheck's stdstring heuristic.
build_leakcheck() {
	local src=$1 name=${1%.*}
	case $src in
	*.cpp) g++ -O0 -g -D_GLIBCXX_USE_CXX11_ABI=0 -o "$TEST_TMP/$name" "$LEAKCHECK_SRC/$src" ;;
	*) gcc -O0 -g -pthread -o "$TEST_TMP/$name" "$LEAKCHECK_SRC/$src" ;;
	esac || fail "cannot build $src"
}

# memcheck SRC: runs the program under Memcheck and checks it against SRC.
memcheck() {
	local src=$1 name=${1%.*} rc=0
	valgrind --leak-check=full --show-leak-kinds=all --log-file="$TEST_TMP/$name.vg.log" \
		"$TEST_TMP/$name" >"$TEST_TMP/$name.vg.out" 2>"$TEST_TMP/$name.vg.err" || rc=$?
	[ $rc -eq 0 ] || fail "$src exits $rc under valgrind: $(cat "$TEST_TMP/$name.vg.err")"
	node "$COMPARE" expect "$LEAKCHECK_SRC/$src" "$TEST_TMP/$name.vg.log" >"$TEST_TMP/$name.problems" ||
		fail "Memcheck does not report what $src says it must:
$(cat "$TEST_TMP/$name.problems")"
}

# against_leakhound SRC: runs the program under leakhound and writes how it
# disagrees with Memcheck's log to $TEST_TMP/NAME.disagreements.
against_leakhound() {
	local name=${1%.*}
	compare_with_leakhound "$1" >"$TEST_TMP/$name.disagreements" || true
}

compare_with_leakhound() {
	local src=$1 name=${1%.*} rc=0
	# No periodic snapshots: midrun.c takes the trace file's growth for its check's.
	"$LEAKHOUND" run --leak-check --interval 1440m -o "$TEST_TMP/$name.lhtrace" -- "$TEST_TMP/$name" \
		>"$TEST_TMP/$name.lh.out" 2>"$TEST_TMP/$name.lh.err" || rc=$?
	[ $rc -eq 0 ] || { echo "$src: leakhound run exits $rc: $(tail -5 "$TEST_TMP/$name.lh.err")"; return; }
	"$LEAKHOUND" report --json "$TEST_TMP/$name.lhtrace" >"$TEST_TMP/$name.json" 2>"$TEST_TMP/$name.report.err" ||
		{ echo "$src: leakhound report fails: $(cat "$TEST_TMP/$name.report.err")"; return; }
	node "$COMPARE" leakhound "$LEAKCHECK_SRC/$src" "$TEST_TMP/$name.vg.log" "$TEST_TMP/$name.vg.out" \
		"$TEST_TMP/$name.json" "$TEST_TMP/$name.lh.err" "$TEST_TMP/$name.lh.out"
}

programs=()
for path in "$LEAKCHECK_SRC"/*.c "$LEAKCHECK_SRC"/*.cpp; do
	programs+=("$(basename "$path")")
done
[ ${#programs[@]} -ge 10 ] || fail "only ${#programs[@]} programs in $LEAKCHECK_SRC"

# two_at_a_time FUNCTION: FUNCTION SRC for every program, two at once (two
# cores; Memcheck takes a second or more a program). Fails with the first
# failure.
two_at_a_time() {
	local fn=$1 src pids=()
	for src in "${programs[@]}"; do
		("$fn" "$src") &
		pids+=($!)
		[ ${#pids[@]} -lt 2 ] || { wait "${pids[0]}" || exit 1; pids=("${pids[@]:1}"); }
	done
	for pid in "${pids[@]}"; do
		wait "$pid" || exit 1
	done
}

two_at_a_time build_leakcheck
two_at_a_time memcheck

two_at_a_time against_leakhound
cat "$TEST_TMP"/*.disagreements >"$TEST_TMP/disagreements"
[ ! -s "$TEST_TMP/disagreements" ] || fail "leakhound and Memcheck disagree:
$(cat "$TEST_TMP/disagreements")"

# --error-exitcode: lists.c loses blocks; tls.c only has possibly lost and
# still reachable ones, so it keeps its own status.
expect_status 42 "$LEAKHOUND" run --leak-check --error-exitcode 42 -o "$TEST_TMP/e.lhtrace" -- "$TEST_TMP/lists"
expect_status 0 "$LEAKHOUND" run --leak-check --error-exitcode 42 -f -o "$TEST_TMP/e.lhtrace" -- "$TEST_TMP/tls"
exit 0
