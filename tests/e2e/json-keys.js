// json-keys.js DOC COMMAND JSON...: checks COMMAND's --json outputs against docs/json.md
// (t7020): every key written is documented, and every documented key (not marked †) is
// written by at least one output. Prints the differences; exits 1 if there are any.
'use strict';
const fs = require('fs');
const [docPath, command, ...files] = process.argv.slice(2);

// The doc: "## `cmd`" and "### Shape `name`" sections of "- `key`, `key` (`shape`) †: text" items.
const sections = {}, shapes = {};
let current = null;
for (const line of fs.readFileSync(docPath, 'utf8').split('\n')) {
	let m;
	if ((m = /^### Shape `([^`]+)`/.exec(line))) current = shapes[m[1]] = [];
	else if ((m = /^## `([^`]+)`/.exec(line))) current = sections[m[1]] = [];
	else if (/^#/.test(line)) current = null;
	else if (current && line.startsWith('- ')) {
		const head = line.slice(2).split(/: /)[0];
		const shape = /\(`([^`]+)`\)/.exec(head);
		const keys = [...head.replace(/\(`[^`]+`\)/, '').matchAll(/`([^`]+)`/g)].map(k => k[1]);
		for (const key of keys) current.push({ key, shape: shape && shape[1], optional: head.includes('†') });
	}
}
if (!sections[command]) { console.log(`docs/json.md has no section for ${command}`); process.exit(1); }

// Documented paths, shapes expanded; "a[]" is the key "a", its items' keys are "a[].b".
const documented = new Map();
function add(prefix, items, optional) {
	for (const it of items) {
		const path = prefix ? `${prefix}.${it.key}` : it.key;
		documented.set(path.replace(/(\[\])+$/, ''), optional || it.optional);
		if (it.shape) {
			if (!shapes[it.shape]) { console.log(`unknown shape ${it.shape}`); process.exit(1); }
			add(path, shapes[it.shape], optional || it.optional);
		}
	}
}
add('', sections[command], false);

const seen = new Set();
function walk(v, path) {
	if (Array.isArray(v)) { for (const x of v) walk(x, path + '[]'); return; }
	if (v && typeof v === 'object')
		for (const k of Object.keys(v)) { const p = path ? `${path}.${k}` : k; seen.add(p); walk(v[k], p); }
}
for (const f of files) walk(JSON.parse(fs.readFileSync(f, 'utf8')), '');

const problems = [];
for (const p of [...seen].sort()) if (!documented.has(p)) problems.push(`${command}: '${p}' is written but not documented`);
for (const [p, optional] of documented) if (!optional && !seen.has(p)) problems.push(`${command}: '${p}' is documented but never written`);
console.log(problems.join('\n'));
process.exit(problems.length ? 1 : 0);
