#!/usr/bin/env bash
# t1012: names from the input never reach the terminal as control
# characters. A real Node heap whose property and string names hold escape
# sequences (ESC ] title BEL, ESC [ 2J, a line break), a hand-written one
# whose class name holds one (and a C1 CSI), and a real native trace whose
# source file name holds one: summary, top --by class, show, path, diff,
# report and run --leak-check print them escaped (\x1b, \u009b, \x0a) and
# the JSON keeps them whole.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
export LC_ALL=C.UTF-8
command -v node >/dev/null || skip "node is not installed"

# no_controls FILE WHAT: FILE holds no control byte but '\n' (and no C1 control).
no_controls() {
	if LC_ALL=C grep -naP '[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$1" >"$TEST_TMP/bad"; then
		fail "$2: raw control characters reach the output: $(od -c "$TEST_TMP/bad" | head -5)"
	fi
}

# check_text WHAT SHOWN CMD...: CMD exits 0, its output has no control characters and shows SHOWN.
check_text() {
	local what=$1 shown=$2
	shift 2
	expect_status 0 "$@"
	no_controls "$TEST_TMP/out" "$what"
	grep -qF "$shown" "$TEST_TMP/out" || fail "$what: '$shown' is not shown: $(head -c 3000 "$TEST_TMP/out")"
}

# A real heap: a property name with an escape sequence and a line break, and
# a string holding one (V8 writes strings' C1 controls as nothing: see below).
node_snapshot "$TEST_TMP/evil.heapsnapshot" '
const name = "\x1b]0;owned\x07\x1b[2JEvil";
class Marker {}
globalThis.holder = { [name + "\nfake line"]: new Marker(), text: JSON.parse(JSON.stringify(name + " in a string")) };'
expect_status 0 "$LEAKHOUND" top --json --all "$TEST_TMP/evil.heapsnapshot"
ids=$(node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1]));
const one = (f) => { const o = j.objects.filter(f); if (o.length !== 1) throw new Error(o.length + " matches"); return o[0]; };
const marker = one((o) => o.class === "Marker");
console.log(marker.id, marker.dominator_id, one((o) => o.name === "\x1b]0;owned\x07\x1b[2JEvil in a string" && o.distance < 100).id)' \
	"$TEST_TMP/out") || fail "the JSON does not keep the names whole"
read -r marker holder string <<<"$ids"
shown='\x1b]0;owned\x07\x1b[2JEvil'
check_text "path to the Marker" "$shown\x0afake line" "$LEAKHOUND" path "$TEST_TMP/evil.heapsnapshot" "@$marker"
check_text "show the holder" "$shown\x0afake line" "$LEAKHOUND" show "$TEST_TMP/evil.heapsnapshot" "@$holder"
check_text "show the string" "$shown in a string" "$LEAKHOUND" show "$TEST_TMP/evil.heapsnapshot" "@$string"

# A class name V8 would not write but a file can hold (the tiny snapshot of
# lib-tiny.sh, its object "Foo" renamed): summary, top --by class, diff.
. "$(dirname "$0")/lib-tiny.sh"
export LC_ALL=C.UTF-8
printf '%s' "${base/'"Foo"'/'"\u001b]0;owned\u0007\u001b[2J\u009b31mEvil"'}" >"$TEST_TMP/class.heapsnapshot"
shown='\x1b]0;owned\x07\x1b[2J\u009b31mEvil'
check_text summary "$shown" "$LEAKHOUND" summary "$TEST_TMP/class.heapsnapshot"
check_text "top --by class" "$shown" "$LEAKHOUND" top --by class "$TEST_TMP/class.heapsnapshot"
t=$(cat "$TEST_TMP/class.heapsnapshot")
printf '%s' "${t/,3,3,5,32,/,3,3,9,32,}" >"$TEST_TMP/class-after.heapsnapshot" # the object freed, another made
check_text diff "$shown" "$LEAKHOUND" diff "$TEST_TMP/class.heapsnapshot" "$TEST_TMP/class-after.heapsnapshot"
expect_status 0 "$LEAKHOUND" top --by class --json "$TEST_TMP/class.heapsnapshot"
node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1]));
if (!j.classes.some((c) => c.class === "\x1b]0;owned\x07\x1b[2J\u009b31mEvil")) throw new Error("lost")' "$TEST_TMP/out" ||
	fail "top --json does not keep the class name whole"

# A native trace: the leak's source file has an escape sequence in its name,
# which DWARF records and report prints as the frame's file.
native_prereqs
src="$TEST_TMP/$(printf 'evil\033]0;owned\007.c')"
cp "$NATIVE_SRC/leak.c" "$src"
gcc -O2 -g -o "$TEST_TMP/leak" "$src" || fail "cannot build the leak program"
expect_status 3 "$LEAKHOUND" run -o "$TEST_TMP/t.lhtrace" --leak-check -- "$TEST_TMP/leak" 20
no_controls "$TEST_TMP/err" "run --leak-check"
grep -qF 'evil\x1b]0;owned\x07.c' "$TEST_TMP/err" || fail "run --leak-check: the file is not shown escaped: $(cat "$TEST_TMP/err")"
expect_status 0 "$LEAKHOUND" report "$TEST_TMP/t.lhtrace"
no_controls "$TEST_TMP/out" report
grep -qF 'evil\x1b]0;owned\x07.c' "$TEST_TMP/out" || fail "report: the file is not shown escaped: $(cat "$TEST_TMP/out")"
expect_status 0 "$LEAKHOUND" report --json "$TEST_TMP/t.lhtrace"
[ "$(json_get "$TEST_TMP/out" 'r.sites[0].site.file.endsWith("evil\x1b]0;owned\x07.c")')" = true ] ||
	fail "report --json does not keep the file name whole"
