#!/usr/bin/env bash
# t6070: what watch and report DIR refuse, each with one line and its exit
# status: a directory that is not a watch, a timeline cut in a row's middle
# (the row is dropped, not misread) or with a malformed row (exit 2, naming
# the byte), a program that cannot start (exit 2), bad options (exit 3).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-watch.sh"
mkdir -p "$TEST_TMP/empty"
expect_status 2 "$LEAKHOUND" report "$TEST_TMP/empty"
grep -q "not a watch directory" "$TEST_TMP/err" || fail "report of an empty directory: $(cat "$TEST_TMP/err")"
[ ! -s "$TEST_TMP/out" ] || fail "output for an empty directory"

expect_status 2 "$LEAKHOUND" watch --quiet -o "$TEST_TMP/nope" -- "$TEST_TMP/no-such-program"
[ "$(wc -l <"$TEST_TMP/err")" -ge 1 ] && grep -q "no sample" "$TEST_TMP/err" || fail "a program that cannot start: $(cat "$TEST_TMP/err")"

expect_status 3 "$LEAKHOUND" watch --interval 1ms -- true
expect_status 3 "$LEAKHOUND" watch --snapshots many -- true
expect_status 3 "$LEAKHOUND" watch --quiet

# A real watch of a short program, then its timeline damaged.
"$LEAKHOUND" watch --quiet --warmup 0 --snapshots 0 -o "$TEST_TMP/w" -- node -e 'setTimeout(() => {}, 3000)' >/dev/null ||
	[ $? -le 1 ] || fail "watch of a short program failed"
rows=$(wc -l <"$TEST_TMP/w/timeline.tsv")
[ "$rows" -ge 2 ] || fail "$rows samples in 3 s"
cp -r "$TEST_TMP/w" "$TEST_TMP/cut"
head -c -7 "$TEST_TMP/w/timeline.tsv" >"$TEST_TMP/cut/timeline.tsv"
"$LEAKHOUND" report --json "$TEST_TMP/cut" >"$TEST_TMP/cut.json" || [ $? -le 1 ] || fail "report of a cut timeline failed"
node -e 'const v = JSON.parse(require("fs").readFileSync(process.argv[1])); if (v.samples.length !== Number(process.argv[2]) - 1) process.exit(1)' \
	"$TEST_TMP/cut.json" "$rows" || fail "the cut row was not dropped"
cp -r "$TEST_TMP/w" "$TEST_TMP/bad"
printf '1.0\tx\n' >>"$TEST_TMP/bad/timeline.tsv"
expect_status 2 "$LEAKHOUND" report "$TEST_TMP/bad"
[ "$(wc -l <"$TEST_TMP/err")" -eq 1 ] && grep -q "bad: byte [0-9]*: timeline.tsv" "$TEST_TMP/err" ||
	fail "a malformed timeline row: $(cat "$TEST_TMP/err")"
