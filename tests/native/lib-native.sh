# Helpers for the native tracker's end-to-end tests (tests/e2e/t4*.sh);
# source it after tests/e2e/lib.sh.
PRELOAD_LIB="$(dirname "$LEAKHOUND")/libleakhound-preload.so"
NATIVE_SRC="$LEAKHOUND_ROOT/tests/native"

# native_prereqs [g++]: skips without the compilers; fails without the library.
native_prereqs() {
	command -v gcc >/dev/null || skip "gcc is not installed"
	[ "${1:-}" != g++ ] || command -v g++ >/dev/null || skip "g++ is not installed"
	command -v node >/dev/null || skip "node is not installed (used to read --json)"
	[ -f "$PRELOAD_LIB" ] || fail "no preload library at $PRELOAD_LIB (make builds it)"
}

# build_native OUT SRC [FLAGS...]: compiles tests/native/SRC into $TEST_TMP/OUT at -O2 -g.
build_native() {
	local out=$1 src=$2
	shift 2
	local cc=gcc
	[[ $src == *.cpp ]] && cc=g++
	$cc -O2 -g -o "$TEST_TMP/$out" "$NATIVE_SRC/$src" "$@" || fail "cannot build $src"
}

# leak_line SRC: the line number of the LEAK-SITE marker in tests/native/SRC.
leak_line() {
	grep -nF -e '/* LEAK-SITE */' -e '// LEAK-SITE' "$NATIVE_SRC/$1" | head -1 | cut -d: -f1
}

# json_get FILE EXPR: evaluates the JS expression EXPR with `r` the parsed JSON in FILE.
json_get() {
	node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(eval(process.argv[2]))' "$1" "$2"
}

# run_fork_threads [walk]: runs tests/native/fork_threads (built by the caller) under
# `run --children` and checks its twenty children: none hangs, and child k's own trace
# (TEST_TMP/t.lhtrace.PID) holds exactly its leak, 10 + k blocks of 100 bytes, so the
# traces hold 10..29 blocks, one each; returns the traces in `children`.
run_fork_threads() {
	rm -f "$TEST_TMP"/t.lhtrace*
	expect_status 0 timeout 120 "$LEAKHOUND" run -q --children -o "$TEST_TMP/t.lhtrace" --interval 10ms -- "$TEST_TMP/fork_threads" "$@"
	[ "$(cat "$TEST_TMP/out")" = "20 of 20 children exited 0" ] || fail "stdout: $(cat "$TEST_TMP/out")"
	children=("$TEST_TMP"/t.lhtrace.*)
	[ ${#children[@]} -eq 20 ] || fail "expected 20 child traces, found ${#children[@]}"
	local t blocks=() leak="r.sites.filter(s => s.site && s.site.function === 'child_leak')"
	for t in "${children[@]}"; do
		expect_status 0 "$LEAKHOUND" report --json --top 50 "$t"
		cp "$TEST_TMP/out" "$t.json"
		[ "$(json_get "$t.json" r.complete)" = true ] || fail "$t: not complete (the child exits normally)"
		[ "$(json_get "$t.json" "$leak.reduce((a, s) => a + s.live_bytes, 0) === 100 * $leak.reduce((a, s) => a + s.live_blocks, 0)")" = true ] ||
			fail "$t: child_leak's bytes are not 100 per block"
		blocks+=("$(json_get "$t.json" "$leak.reduce((a, s) => a + s.live_blocks, 0)")")
	done
	[ "$(printf '%s\n' "${blocks[@]}" | sort -n | tr '\n' ' ')" = "$(seq 10 29 | tr '\n' ' ')" ] ||
		fail "child_leak blocks per child: ${blocks[*]}, expected 10..29 once each"
}
