#!/usr/bin/env bash
# t7030: leakhound redact. A node program plants secrets everywhere a heap
# keeps text (string values, class, property, function and variable names,
# a symbol, a regexp, a Map key, WeakMap key and value classes, a quoted
# property name, its own file name) and grows over
# three snapshots. Redacted with one key file: no byte of a secret is left,
# and summary, top (both retention rules, by object and by class), diff,
# trend and check give the original's numbers (same-numbers.js). With
# --keep-names the names stay and the contents still go. The same key gives
# the same file; another key another one.
. "$(dirname "$0")/lib.sh"
command -v node >/dev/null || skip "node is not installed"
cd "$TEST_TMP"
cat >plant-secretfile-mike.js <<'JS'
class SecretClassAlpha { constructor(i) { this.secretPropertyBravo = 'SECRET-VALUE-charlie-' + i; this.n = i; } }
function secretFunctionDelta() { const secretVariableEcho = 'SECRET-closure-foxtrot'; return () => secretVariableEcho; }
class SecretKeyIndia {}
class SecretValueJuliet {}
globalThis.keep = [];
const wm = new WeakMap();
const pending = {};
globalThis.pending = pending;
// Plain objects with long property names, several shapes: DevTools names their classes by the
// properties, cut at 120 characters, so the redacted names must keep their lengths.
const props = ['secretLongPropertyNameNovemberOne', 'secretLongPropertyNameOscarTwo', 'secretLongPropertyNamePapaThree',
	'secretLongPropertyNameQuebecFour', 'secretLongPropertyNameRomeoFive', 'x'];
for (let snap = 0; snap < 3; snap++) {
	for (let i = 0; i < 400; i++) keep.push(new SecretClassAlpha(snap * 400 + i));
	for (let i = 0; i < 300; i++) {
		const o = {};
		for (const p of props.slice(i % 3, 3 + (i % 4))) o[p] = i;
		keep.push(o);
	}
	// Keys with digits: check groups the objects under them as one holder ('secretReply-*').
	for (let i = 0; i < 50; i++) pending['secretReply-' + (snap * 50 + i)] = new SecretValueJuliet();
	keep.push(secretFunctionDelta(), Symbol('SECRET-symbol-golf'), /SECRET-regexp-hotel/);
	const k = new SecretKeyIndia();
	wm.set(k, new SecretValueJuliet());
	keep.push(k, new Map([['SECRET-mapkey-kilo' + snap, 1]]), { 'secret-quoted,name-lima': 1 });
	require('v8').writeHeapSnapshot(`s${snap}.heapsnapshot`);
}
keep.push(wm);
JS
node plant-secretfile-mike.js || fail "node could not write the snapshots"
head -c 32 /dev/urandom >key
head -c 32 /dev/urandom >other.key
for i in 0 1 2; do
	expect_status 0 "$LEAKHOUND" redact --key-file key s$i.heapsnapshot r$i.heapsnapshot
	grep -q "strings replaced" "$TEST_TMP/err" || fail "redact: no closing line: $(cat "$TEST_TMP/err")"
	expect_status 0 "$LEAKHOUND" redact --keep-names --key-file key s$i.heapsnapshot k$i.heapsnapshot
done

# (V8 names BigInts and heap numbers by type, not value: nothing of them to plant.)
secrets=(secret alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo)
contents=(SECRET-VALUE charlie foxtrot golf hotel kilo)
for w in "${secrets[@]}"; do
	grep -qi -- "$w" s0.heapsnapshot s1.heapsnapshot s2.heapsnapshot || fail "the originals do not hold '$w' (the test plants nothing)"
	for i in 0 1 2; do
		! grep -qi -- "$w" r$i.heapsnapshot || fail "r$i.heapsnapshot still holds '$w': $(grep -oi ".\{0,40\}$w.\{0,40\}" r$i.heapsnapshot | head -3)"
	done
done
for w in "${contents[@]}"; do
	! grep -qi -- "$w" k2.heapsnapshot || fail "--keep-names kept the content '$w': $(grep -oi ".\{0,40\}$w.\{0,40\}" k2.heapsnapshot | head -3)"
done
for w in SecretClassAlpha secretPropertyBravo secretFunctionDelta secretVariableEcho; do
	grep -q "\"$w\"" k2.heapsnapshot || fail "--keep-names lost the name $w"
done

# same COMMAND ARGS...: the command's --json on the originals and on each redacted series give the same numbers.
same() {
	local series a args
	expect_status "$status" "$LEAKHOUND" "$@" --json
	cp "$TEST_TMP/out" original.json
	for series in r k; do
		args=()
		for a in "$@"; do
			[[ $a =~ ^s([0-9])\.heapsnapshot$ ]] && a="$series${BASH_REMATCH[1]}.heapsnapshot"
			args+=("$a")
		done
		expect_status "$status" "$LEAKHOUND" "${args[@]}" --json
		cp "$TEST_TMP/out" redacted.json
		node "$LEAKHOUND_ROOT/tests/e2e/same-numbers.js" original.json redacted.json file_bytes json_bytes other_sections time per_second \
			>problems || fail "$* on the $series series: $(cat problems)"
	done
}
status=0
same summary --top 1000000 s2.heapsnapshot
same top --all s2.heapsnapshot
same top --all --retention memlab s2.heapsnapshot
same top --by class --all s2.heapsnapshot
same diff --top 1000 s0.heapsnapshot s2.heapsnapshot
same trend --top 100000 s0.heapsnapshot s1.heapsnapshot s2.heapsnapshot
status=1
same check s0.heapsnapshot s1.heapsnapshot s2.heapsnapshot
grep -q "\"id\": \"accumulation\"" original.json || fail "check found no accumulation in the original: the comparison is empty"

# One key, one result; another key, other names.
expect_status 0 "$LEAKHOUND" redact --key-file key s2.heapsnapshot again.heapsnapshot
cmp -s again.heapsnapshot r2.heapsnapshot || fail "the same key gave a different file"
expect_status 0 "$LEAKHOUND" redact --key-file other.key s2.heapsnapshot other.heapsnapshot
! cmp -s other.heapsnapshot r2.heapsnapshot || fail "another key gave the same file"
expect_status 0 "$LEAKHOUND" redact s2.heapsnapshot random.heapsnapshot
grep -q "random key" "$TEST_TMP/err" || fail "no word on the random key: $(cat "$TEST_TMP/err")"

# Refusals: an existing OUT, a short key, bad input (no OUT left behind).
expect_status 3 "$LEAKHOUND" redact --key-file key s2.heapsnapshot r2.heapsnapshot
head -c 8 /dev/urandom >short.key
expect_status 2 "$LEAKHOUND" redact --key-file short.key s2.heapsnapshot x.heapsnapshot
head -c 5000 s2.heapsnapshot >cut.heapsnapshot
expect_status 2 "$LEAKHOUND" redact --key-file key cut.heapsnapshot x.heapsnapshot
grep -q "cut.heapsnapshot" "$TEST_TMP/err" || fail "bad input: $(cat "$TEST_TMP/err")"
[ ! -e x.heapsnapshot ] || fail "a failed redact left its output"
[ -z "$(ls | grep '\.tmp')" ] || fail "a temporary file was left: $(ls)"
exit 0
