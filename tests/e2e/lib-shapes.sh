# Helpers for the tests on tests/e2e/leak-shapes.js series; source after lib.sh.

# run_shapes SPEC...: writes the series into $TEST_TMP, their JSON lines into $TEST_TMP/series.jsonl.
run_shapes() {
	node --single-threaded --expose-gc "$LEAKHOUND_ROOT/tests/e2e/leak-shapes.js" "$TEST_TMP" "$@" >"$TEST_TMP/series.jsonl" ||
		fail "leak-shapes.js failed"
	[ "$(wc -l <"$TEST_TMP/series.jsonl")" -eq $# ] || fail "expected $# series"
}

# series_of LINE: sets `name` and the array `files` from one JSON line of run_shapes.
series_of() {
	name=$(node -e 'console.log(JSON.parse(process.argv[1]).series)' "$1")
	mapfile -t files < <(node -e 'for (const f of JSON.parse(process.argv[1]).files) console.log(f)' "$1")
}
