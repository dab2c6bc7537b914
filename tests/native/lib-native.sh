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
