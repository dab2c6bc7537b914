// same-numbers.js A.json B.json [IGNORED_KEY...]: whether two --json documents hold the same
// numbers (t7030): the same keys, and equal numbers, booleans and nulls at every place, strings
// aside (names are what redaction changes). Arrays are compared as multisets of their items'
// numbers, since rows that tie are ordered by name. IGNORED_KEY: keys compared by presence only
// (the file's size on disk, its modification time). Prints the first differences; exits 1.
'use strict';
const fs = require('fs');
const [a, b, ...ignored] = process.argv.slice(2);
const skip = new Set(ignored);
// The numbers of a value as a canonical string: strings become "s", keys are sorted, arrays sorted.
function sig(v) {
	if (typeof v === 'string') return '"s"';
	if (Array.isArray(v)) return '[' + v.map(sig).sort().join(',') + ']';
	if (v && typeof v === 'object')
		return '{' + Object.keys(v).sort().map(k => JSON.stringify(k) + ':' + (skip.has(k) ? '_' : sig(v[k]))).join(',') + '}';
	return JSON.stringify(v);
}
const problems = [];
function compare(x, y, path) {
	if (problems.length > 5) return;
	if (sig(x) === sig(y)) return;
	if (Array.isArray(x) && Array.isArray(y)) {
		if (x.length !== y.length) return problems.push(`${path}: ${x.length} items, ${y.length} after`);
		const xs = x.map(sig).sort(), ys = y.map(sig).sort();
		for (let i = 0; i < xs.length; i++)
			if (xs[i] !== ys[i]) return problems.push(`${path}[]: ${xs[i].slice(0, 300)}\n  after: ${ys[i].slice(0, 300)}`);
		return;
	}
	if (x && y && typeof x === 'object' && typeof y === 'object') {
		for (const k of new Set([...Object.keys(x), ...Object.keys(y)]))
			if (!skip.has(k)) compare(x[k], y[k], `${path}.${k}`);
		return;
	}
	problems.push(`${path}: ${JSON.stringify(x)} before, ${JSON.stringify(y)} after`);
}
compare(JSON.parse(fs.readFileSync(a, 'utf8')), JSON.parse(fs.readFileSync(b, 'utf8')), '');
console.log(problems.join('\n'));
process.exit(problems.length ? 1 : 0);
