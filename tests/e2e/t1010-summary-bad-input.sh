#!/usr/bin/env bash
# t1010: bad input through `leakhound summary`: exit 2, exactly one stderr
# line naming the file and the byte offset (hand-computed from the file's
# own text), nothing on stdout. Bad command lines exit 3.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-tiny.sh"

# variant OLD NEW: base with the first OLD replaced by NEW.
variant() {
	[[ "$base" == *"$1"* ]] || fail "variant: '$1' not in the base snapshot"
	printf '%s' "${base/"$1"/"$2"}"
}

# bad NAME TEXT PATTERN: writes TEXT to NAME and expects it rejected with PATTERN.
bad() {
	printf '%s' "$2" >"$TEST_TMP/$1"
	expect_bad_input "$TEST_TMP/$1" "$3"
	grep -q '^leakhound: ' "$TEST_TMP/err" || fail "$1: the error line does not start with 'leakhound: '"
}

printf '%s' "$base" >"$TEST_TMP/good.heapsnapshot"
expect_status 0 "$LEAKHOUND" summary --json "$TEST_TMP/good.heapsnapshot"

# Truncated at three places: the error is at the cut, and says so.
for needle in '"nodes":[9,1,1,0,2,0,0
,9,2,' '"(GC ro' '"edges":[1,1,7
,2'; do
	cut=$(($(offset "$base" "$needle") + ${#needle}))
	bad "cut-$cut.heapsnapshot" "${base:0:cut}" "byte $cut: unexpected end of input"
done

# Malformed JSON.
t=$(variant $'\n,9,2,3,0,1,0,0' $'\n 9,2,3,0,1,0,0')
bad missing-comma.heapsnapshot "$t" "byte $(offset "$t" ' 9,2,3' | awk '{print $1+1}'): expected ',' or ']'"
t=$(variant '"samples":[]' '"samples":[nul]')
bad bad-literal.heapsnapshot "$t" "byte $(offset "$t" 'nul]'): expected a JSON value"
bad trailing-garbage.heapsnapshot "$base}x" "byte ${#base}: unexpected data after"
bad elf.heapsnapshot $'\x7fELF\x02\x01\x01' "byte 0: not a V8 heap snapshot"
bad empty.heapsnapshot '' "byte 0: not a V8 heap snapshot"
bad array.heapsnapshot '[]' "byte 0: not a V8 heap snapshot"

# Numbers V8 never writes.
t=$(variant ',2,4,7,24,' ',2,4,7,-24,')
bad negative.heapsnapshot "$t" "byte $(offset "$t" '-24'): .*negative"
t=$(variant ',2,4,7,24,' ',2,4,7,24.5,')
o=$(offset "$t" '24.5')
bad fraction.heapsnapshot "$t" "byte ($o|$((o + 2))): .*fraction"
t=$(variant ',2,4,7,24,' ',2,4,7,99999999999999999999,')
bad overflow.heapsnapshot "$t" "byte $(offset "$t" '99999999999999999999'): .*64 bits"

# Structure that does not add up.
bad node-count.heapsnapshot "$(variant '"node_count":4' '"node_count":5')" "byte [0-9]+: .*node_count is 5"
bad edge-count.heapsnapshot "$(variant '"edge_count":3' '"edge_count":2')" "byte [0-9]+: .*edge_count is 2"
t=$(variant ',2,5,21' ',2,5,22')
bad to-node.heapsnapshot "$t" "byte $(($(offset "$t" ',2,5,22') + 5)): .*to_node 22"
bad node-type.heapsnapshot "$(variant ',3,3,5,32' ',15,3,5,32')" "byte [0-9]+: .*type 15"
bad name-index.heapsnapshot "$(variant ',3,3,5,32' ',3,9,5,32')" "byte [0-9]+: .*string table"
bad no-strings.heapsnapshot "$(variant ',
"strings":["<dummy>","","(GC roots)","Foo","hello","x"]' '')" "byte [0-9]+: .*no 'strings' section"
bad no-id-field.heapsnapshot "$(variant '"id",' '')" "byte [0-9]+: .*'id'"
bad duplicate-nodes.heapsnapshot "$(variant '"samples":[]' '"samples":[],"nodes":[]')" "byte [0-9]+: .*duplicate 'nodes'"

# gzip: cut short, and with a broken checksum.
printf '%s' "$base" | gzip -c >"$TEST_TMP/good.heapsnapshot.gz"
size=$(wc -c <"$TEST_TMP/good.heapsnapshot.gz")
head -c $((size / 2)) "$TEST_TMP/good.heapsnapshot.gz" >"$TEST_TMP/cut.heapsnapshot.gz"
expect_bad_input "$TEST_TMP/cut.heapsnapshot.gz" "compressed byte [0-9]+: gzip stream is truncated"
{ head -c $((size - 8)) "$TEST_TMP/good.heapsnapshot.gz"; printf '\xde\xad\xbe\xef'; tail -c 4 "$TEST_TMP/good.heapsnapshot.gz"; } \
	>"$TEST_TMP/crc.heapsnapshot.gz"
expect_bad_input "$TEST_TMP/crc.heapsnapshot.gz" "compressed byte [0-9]+: corrupt gzip"

# Files that are not there or not files: named, with no byte offset.
expect_bad_input "$TEST_TMP/missing.heapsnapshot" "cannot open"
mkdir "$TEST_TMP/dir.heapsnapshot"
expect_bad_input "$TEST_TMP/dir.heapsnapshot" "directory"

# --json changes nothing for bad input.
expect_status 2 "$LEAKHOUND" summary --json "$TEST_TMP/to-node.heapsnapshot"
[ ! -s "$TEST_TMP/out" ] && [ "$(wc -l <"$TEST_TMP/err")" -eq 1 ] || fail "--json: bad input wrote to stdout or more than one line"

# Standard input is named "-".
rc=0
printf '[]' | "$LEAKHOUND" summary - >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
[ $rc -eq 2 ] || fail "bad stdin: exit $rc"
[ "$(cat "$TEST_TMP/err")" = "leakhound: -: byte 0: not a V8 heap snapshot: expected a JSON object ('{') at the start" ] ||
	fail "bad stdin: $(cat "$TEST_TMP/err")"
[ ! -s "$TEST_TMP/out" ] || fail "bad stdin: output on stdout"

# --lenient keeps the bad edge, counts it and says so.
expect_status 0 "$LEAKHOUND" summary --json --lenient "$TEST_TMP/to-node.heapsnapshot"
node -e '
const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
if (j.totals.bad_edges !== 1) throw new Error("bad_edges " + j.totals.bad_edges);
const f = j.findings.find((x) => x.id === "bad-edges");
if (!f || f.edges !== 1 || f.node_id !== null) throw new Error("no bad-edges finding: " + JSON.stringify(j.findings));' \
	"$TEST_TMP/out" || fail "--lenient"

# Bad command lines: exit 3, a message on stderr, nothing on stdout.
usage() {
	expect_status 3 "$@"
	[ -s "$TEST_TMP/err" ] || fail "no message for: $*"
	[ ! -s "$TEST_TMP/out" ] || fail "output on stdout for: $*"
}
good="$TEST_TMP/good.heapsnapshot"
usage "$LEAKHOUND"
usage "$LEAKHOUND" frobnicate
usage "$LEAKHOUND" summary
usage "$LEAKHOUND" summary "$good" "$good"
usage "$LEAKHOUND" summary --top 0 "$good"
usage "$LEAKHOUND" summary --top -1 "$good"
usage "$LEAKHOUND" summary --top abc "$good"
usage "$LEAKHOUND" summary --top 5x "$good"
usage "$LEAKHOUND" summary --top 1000001 "$good"
usage "$LEAKHOUND" summary --top
usage "$LEAKHOUND" summary --handle-scope-edges -5 "$good"
usage "$LEAKHOUND" summary --global-handles-edges lots "$good"
usage "$LEAKHOUND" summary --no-such-option "$good"
# A usage error is reported before the file is read.
usage "$LEAKHOUND" summary --top 0 "$TEST_TMP/missing.heapsnapshot"
grep -q -- "--top" "$TEST_TMP/err" || fail "the usage error does not name --top: $(cat "$TEST_TMP/err")"

# --help is not an error.
expect_status 0 "$LEAKHOUND" summary --help
grep -q "usage: leakhound summary" "$TEST_TMP/out" || fail "summary --help prints no usage"
