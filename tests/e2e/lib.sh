# Helpers for the end-to-end tests; source it first. Each test is a bash
# script that exits 0 on success, 77 to skip (say why on the last line),
# anything else on failure, after printing what went wrong.
set -euo pipefail
: "${LEAKHOUND:?run through tests/run.sh, or set LEAKHOUND to the binary}"
: "${LEAKHOUND_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/leakhound-test.XXXXXX")
trap 'rm -rf "$TEST_TMP"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "$*"
	exit 77
}

# expect_status CODE CMD...: runs CMD, saving stdout/stderr to $TEST_TMP/out and /err.
expect_status() {
	local want=$1
	shift
	local rc=0
	"$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
	[ "$rc" -eq "$want" ] || fail "expected exit $want, got $rc from: $* -- stderr: $(head -c 600 "$TEST_TMP/err")"
}

# expect_bad_input FILE PATTERN: leakhound summary FILE exits 2 with one stderr
# line naming the file, a byte offset, and matching PATTERN (grep -E), and no stdout.
expect_bad_input() {
	local file=$1 pattern=$2
	expect_status 2 "$LEAKHOUND" summary "$file"
	[ "$(wc -l <"$TEST_TMP/err")" -eq 1 ] || fail "expected one error line for $file, got: $(cat "$TEST_TMP/err")"
	grep -qF "$file" "$TEST_TMP/err" || fail "error does not name the file: $(cat "$TEST_TMP/err")"
	grep -qE "$pattern" "$TEST_TMP/err" || fail "error for $file does not match /$pattern/: $(cat "$TEST_TMP/err")"
	[ ! -s "$TEST_TMP/out" ] || fail "bad input $file produced output on stdout"
}

# node_snapshot OUT JS: runs JS in node, then writes a heap snapshot to OUT.
node_snapshot() {
	local out=$1 js=$2
	node -e "$js
require('v8').writeHeapSnapshot(process.argv[1]);" "$out" >/dev/null
}
