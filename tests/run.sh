#!/usr/bin/env bash
# Runs every unit test binary (cmocka) and every end-to-end script, then
# prints one closing line: "N passed, N failed, N skipped".
#   LEAKHOUND_BUILD   build folder holding leakhound and the unit tests (default: build)
#   TESTS             a substring: run only the tests whose name contains it
# An e2e script passes with exit 0, is skipped with exit 77, fails otherwise.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/${LEAKHOUND_BUILD:-build}"
export LEAKHOUND="$build/leakhound"
export LEAKHOUND_ROOT="$root"
filter="${TESTS:-}"
passed=0 failed=0 skipped=0
failures=()

for bin in "$build"/tests/unit/test_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	[[ -n "$filter" && "$name" != *"$filter"* ]] && continue
	out=$("$bin" 2>&1)
	rc=$?
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ $rc -ne 0 ]; then
		[ -z "$f" ] && failed=$((failed + 1))
		failures+=("$name")
		printf '%s\n' "$out" | sed 's/^/    /'
	fi
	echo "unit  $name: ${p:-0} passed, ${f:-0} failed"
done

for t in "$root"/tests/e2e/t[0-9]*.sh; do
	name=$(basename "$t" .sh)
	[[ -n "$filter" && "$name" != *"$filter"* ]] && continue
	start=$(date +%s)
	out=$(bash "$t" 2>&1)
	rc=$?
	secs=$(($(date +%s) - start))
	case $rc in
	0) passed=$((passed + 1)); echo "e2e   $name: ok (${secs}s)" ;;
	77) skipped=$((skipped + 1)); echo "e2e   $name: skipped: $(printf '%s\n' "$out" | tail -1)" ;;
	*) failed=$((failed + 1)); failures+=("$name"); echo "e2e   $name: FAILED (exit $rc)"
	   printf '%s\n' "$out" | tail -30 | sed 's/^/    /' ;;
	esac
done

[ ${#failures[@]} -gt 0 ] && echo "failed: ${failures[*]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ] && [ $passed -gt 0 ]
