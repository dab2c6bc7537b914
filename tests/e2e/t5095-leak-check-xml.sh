#!/usr/bin/env bash
# t5095: run --leak-check --xml FILE writes what valgrind --xml=yes writes
# for the same program (Memcheck's XML, protocol 4): for four programs of
# tests/native/leakcheck (lost lists with indirect tails, interior
# pointers, cycles, trees), the same <error>s: kind, leakedbytes,
# leakedblocks, the record's text ("N (d direct, i indirect) bytes in M
# blocks are ... in loss record _ of n": the position aside, see below)
# and the allocating function, file and line (Memcheck's own malloc frame
# aside); and the same document around them (protocolversion 4,
# protocoltool memcheck, FINISHED status).
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
command -v valgrind >/dev/null || skip "valgrind is not installed"
cd "$TEST_TMP"
for name in lists interior cycles trees; do
	gcc -O0 -g -pthread -o "$name" "$NATIVE_SRC/leakcheck/$name.c" || fail "cannot build $name.c"
	rc=0
	valgrind -q --leak-check=full --show-leak-kinds=all --xml=yes --xml-file="$name.vg.xml" "./$name" >/dev/null 2>&1 || rc=$?
	[ -s "$name.vg.xml" ] || fail "$name: valgrind wrote no XML (exit $rc)"
	"$LEAKHOUND" run -q --leak-check --show-kinds all --interval 1440m --xml "$name.lh.xml" -o "$name.lhtrace" -- "./$name" \
		>/dev/null 2>"$name.err" || true
	[ -s "$name.lh.xml" ] || fail "$name: no XML from leakhound: $(tail -3 "$name.err")"
	node - "$name.vg.xml" "$name.lh.xml" <<'JS' || fail "$name: leakhound's XML differs from valgrind's"
const fs = require('fs');
const [vg, lh] = process.argv.slice(2).map(f => fs.readFileSync(f, 'utf8'));
const tag = (s, t) => { const m = s.match(new RegExp(`<${t}>([^<]*)</${t}>`)); return m && m[1]; };
function errors(doc) {
	return [...doc.matchAll(/<error>([^]*?)<\/error>/g)].map(m => {
		const e = m[1];
		const frames = [...e.matchAll(/<frame>([^]*?)<\/frame>/g)].map(f => f[1])
			.filter(f => !/vgpreload|<fn>(malloc|calloc|realloc)<\/fn>/.test(f));
		const f = frames[0] || '';
		// The record's position is left out: with equal totals Memcheck 3.19 puts a possibly lost record
		// before a definite one (interior.c), leakhound the reverse (leak_report.c's sort) - a known difference.
		return [tag(e, 'kind'), tag(e, 'leakedbytes'), tag(e, 'leakedblocks'), tag(e, 'text').replace(/record \d+ of/, 'record _ of'),
			tag(f, 'fn'), tag(f, 'file'), tag(f, 'line')].join(' | ');
	}).sort();
}
const bad = [];
for (const d of [vg, lh]) {
	if (tag(d, 'protocolversion') !== '4' || tag(d, 'protocoltool') !== 'memcheck') bad.push('header');
	if (!/<state>FINISHED<\/state>/.test(d) || !/<\/valgrindoutput>\s*$/.test(d)) bad.push('status or end');
}
const a = errors(vg), b = errors(lh);
if (!a.length) bad.push('valgrind reported no leak errors: the comparison is empty');
if (JSON.stringify(a) !== JSON.stringify(b)) bad.push('valgrind:\n  ' + a.join('\n  ') + '\nleakhound:\n  ' + b.join('\n  '));
if (bad.length) { console.log(bad.join('\n')); process.exit(1); }
JS
done
expect_status 3 "$LEAKHOUND" run --xml x.xml -- true
exit 0
