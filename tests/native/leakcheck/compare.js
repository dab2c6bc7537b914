// compare.js - reads Memcheck's leak report and leakhound's, for the leak
// check's differential tests (tests/e2e/t5000 to t5030).
//
//   node compare.js expect SRC VG_LOG
//       Memcheck against the facts written in SRC by hand: its LEAK SUMMARY
//       equals the "EXPECT definitely=B/N indirectly=.. possibly=.. reachable=..
//       [lost=B]" line (B "?" where the allocator decides the bytes; lost= is
//       definitely + indirectly), and its definitely-lost records are
//       allocated on exactly the lines marked LEAK-SITE (on some of them,
//       with "DIFFERENCE lost-split").
//   node compare.js leakhound SRC VG_LOG VG_STDOUT LH_JSON LH_STDERR LH_STDOUT
//       leakhound against Memcheck: the four categories of the final check
//       (JSON and the LEAK SUMMARY on stderr) in bytes and blocks, the blocks
//       "reachable via heuristic" (JSON), and each site of each kind with its
//       direct and indirect bytes and blocks (a live thread's DTV aside: its
//       size differs, see below, and it is in the summary); each definitely-lost
//       record of the text on stderr, unsummed (Memcheck's split into
//       records); the JSON comparisons also for a mid-run check, when SRC
//       has an EXPECT-MIDRUN line.
//   node compare.js summaries LABEL VG_LOG LH_JSON LH_STDERR
//       For a program without sources here: the four categories and the
//       heuristic sub-totals of the checks at exit only.
//
// Prints one line per disagreement and exits 1 if there is any.
//
// A site is the first frame of a loss record in the program's own source
// file (the frames above it are the allocator's: malloc, operator new,
// strdup), named function@file:line, with C++ parameter lists dropped
// (Memcheck prints "build()"). Records are summed per kind and site on both
// sides, since the two tools may split records differently below that frame
// (the definitely-lost records of the text on stderr are compared unsummed).
//
// Pinned differences:
// - the glibc DTV of a thread alive at exit is possibly lost for both, but
//   its size counts the modules with TLS, and the preload library brings its
//   own (dtv.h). The program prints the size it sees ("dtv: N bytes") in
//   each run, and leakhound's possibly-lost bytes are expected to differ
//   from Memcheck's by exactly the difference;
// - "DIFFERENCE lost-split" in SRC: cycles in reused memory, whose leaders
//   (lowest addresses) each allocator places its own way (cycles_reused.c).
//   Definitely and indirectly lost blocks, and their bytes together, must
//   agree; the bytes of each, and the sites of those two kinds, are not
//   compared.
'use strict';
const fs = require('fs');
const path = require('path');

const CATEGORIES = ['definitely_lost', 'indirectly_lost', 'possibly_lost', 'still_reachable'];
const SHORT = { definitely: 'definitely_lost', indirectly: 'indirectly_lost', possibly: 'possibly_lost', reachable: 'still_reachable' };
const problems = [];

const number = (s) => Number(String(s).replace(/,/g, ''));
const categoryOf = (words) => words.replace(/ /g, '_');
const functionName = (f) => (f || '').replace(/\(.*\)\s*(const)?$/, '').trim();

function emptySummary() {
	const s = {};
	for (const c of CATEGORIES) s[c] = { bytes: 0, blocks: 0 };
	return s;
}

// The summary lines, with or without Memcheck's "==PID==" prefix; missing lines are 0.
function summaryFromText(text) {
	const s = emptySummary();
	const re = /^(?:==\d+==)?\s+(definitely lost|indirectly lost|possibly lost|still reachable): ([\d,]+) bytes in ([\d,]+) blocks/gm;
	for (const m of text.matchAll(re)) s[categoryOf(m[1])] = { bytes: number(m[2]), blocks: number(m[3]) };
	return s;
}

// Memcheck's "of which reachable via heuristic" lines: { name: {bytes, blocks} }.
function heuristicsFromText(text) {
	const h = {};
	const re = /^==\d+==\s+(stdstring|length64|newarray|multipleinheritance)\s*: ([\d,]+) bytes in ([\d,]+) blocks/gm;
	for (const m of text.matchAll(re)) h[m[1]] = { bytes: number(m[2]), blocks: number(m[3]) };
	return h;
}

function compareHeuristics(label, want, got) {
	for (const name of new Set([...Object.keys(want), ...Object.keys(got || {})])) {
		const w = want[name] || { bytes: 0, blocks: 0 }, g = (got || {})[name] || { bytes: 0, blocks: 0 };
		if (Number(g.bytes) !== w.bytes || Number(g.blocks) !== w.blocks)
			problems.push(`${label} reachable via heuristic ${name}: Memcheck ${w.bytes} B in ${w.blocks} blocks, ` +
				`leakhound ${g.bytes} B in ${g.blocks} blocks`);
	}
}

// Loss records in Memcheck's text (leakhound's stderr has the same, without
// the "==PID==" prefix): header line, then "at"/"by" frame lines.
function memcheckRecords(text) {
	const records = [];
	let current = null;
	const header = /^(?:==\d+== )?([\d,]+)(?: \(([\d,]+) direct, ([\d,]+) indirect\))? bytes in ([\d,]+) blocks are (definitely lost|indirectly lost|possibly lost|still reachable) in loss record/;
	const frame = /^(?:==\d+==)?\s+(?:at|by) 0x[0-9A-Fa-f]+: (.*) \(([^():]+):(\d+)\)$/;
	for (const line of text.split('\n')) {
		const h = header.exec(line);
		if (h) {
			const bytes = number(h[1]);
			current = {
				kind: categoryOf(h[5]), blocks: number(h[4]), frames: [],
				direct_bytes: h[2] === undefined ? bytes : number(h[2]),
				indirect_bytes: h[3] === undefined ? 0 : number(h[3]),
			};
			records.push(current);
			continue;
		}
		const f = current && frame.exec(line);
		if (f) current.frames.push({ function: f[1], file: f[2], line: number(f[3]) });
		else if (current && !/^(?:==\d+==)?\s+(at|by) /.test(line)) current = null;
	}
	return records;
}

function kindOf(kind) {
	const k = String(kind).toLowerCase();
	if (k.includes('indirect')) return 'indirectly_lost';
	if (k.includes('definite')) return 'definitely_lost';
	if (k.includes('possibl')) return 'possibly_lost';
	if (k.includes('reachable')) return 'still_reachable';
	return k;
}

function siteOf(record, source) {
	const own = (record.frames || []).find((f) => f && f.file && path.basename(f.file) === source);
	return own ? `${functionName(own.function)}@${source}:${own.line}` : '(no frame in ' + source + ')';
}

// glibc's DTV of a live thread: its size differs by design (dtv.h), so its
// record is compared through the summary only.
const isDtv = (record) => (record.frames || []).some((f) => f && /allocate_dtv|_dl_allocate_tls/.test(f.function || ''));

// Records of the kinds given summed per site: { "kind site": {direct, indirect, blocks} }.
function sitesOf(records, source, kinds) {
	const sites = {};
	for (const r of records) {
		const kind = kindOf(r.kind);
		if (!kinds.includes(kind) || isDtv(r)) continue;
		const key = `${kind.replace('_', ' ')} ${siteOf(r, source)}`;
		const s = (sites[key] = sites[key] || { direct: 0, indirect: 0, blocks: 0 });
		s.direct += Number(r.direct_bytes);
		s.indirect += Number(r.indirect_bytes);
		s.blocks += Number(r.blocks);
	}
	return sites;
}

const definiteSites = (records, source) => sitesOf(records, source, ['definitely_lost']);

// want[c].bytes === null: bytes not compared; want.lost: definitely + indirectly bytes.
function compareSummaries(label, want, got) {
	for (const c of CATEGORIES) {
		const w = want[c], g = got && got[c];
		if (!g || (w.bytes !== null && Number(g.bytes) !== w.bytes) || Number(g.blocks) !== w.blocks)
			problems.push(`${label} ${c}: expected ${w.bytes === null ? '?' : w.bytes} B in ${w.blocks} blocks, got ` +
				(g ? `${g.bytes} B in ${g.blocks} blocks` : 'nothing'));
	}
	if (want.lost === undefined || !got || !got.definitely_lost || !got.indirectly_lost) return;
	const lost = Number(got.definitely_lost.bytes) + Number(got.indirectly_lost.bytes);
	if (lost !== want.lost)
		problems.push(`${label} definitely + indirectly lost: expected ${want.lost} B, got ${lost} B`);
}

// The definitely-lost records one by one (not summed per site), as text lines.
function compareRecordLines(label, want, got, source) {
	const lines = (records) => records.filter((r) => kindOf(r.kind) === 'definitely_lost')
		.map((r) => `${siteOf(r, source)} ${r.direct_bytes} direct + ${r.indirect_bytes} indirect B in ${r.blocks} blocks`).sort();
	const w = lines(want), g = lines(got);
	if (w.join('\n') !== g.join('\n'))
		problems.push(`${label} definitely-lost records on stderr: Memcheck [${w.join('; ')}], leakhound [${g.join('; ')}]`);
}

function compareSites(label, want, got) {
	const show = (s) => (s ? `${s.direct} direct + ${s.indirect} indirect B in ${s.blocks} blocks` : 'no record');
	for (const key of new Set([...Object.keys(want), ...Object.keys(got)])) {
		const w = want[key], g = got[key];
		if (!w || !g || w.direct !== g.direct || w.indirect !== g.indirect || w.blocks !== g.blocks)
			problems.push(`${label} ${key}: Memcheck ${show(w)}, leakhound ${show(g)}`);
	}
}

// The "EXPECT..." line named tag (EXPECT, or EXPECT-MIDRUN for the mid-run check), or null.
function expectedFromSource(text, tag) {
	const m = new RegExp(`${tag}((?: \\w+=[\\d?]+(?:/\\d+)?)+)`).exec(text);
	if (!m) return null;
	const s = emptySummary();
	for (const [, name, bytes, blocks] of m[1].matchAll(/(\w+)=([\d?]+)(?:\/(\d+))?/g)) {
		if (name === 'lost') s.lost = Number(bytes);
		else if (!SHORT[name] || blocks === undefined) throw new Error(`${tag}: bad ${name}=`);
		else s[SHORT[name]] = { bytes: bytes === '?' ? null : Number(bytes), blocks: Number(blocks) };
	}
	return s;
}

const splitDiffers = (text) => /DIFFERENCE lost-split/.test(text);

function leakSiteLines(text) {
	return text.split('\n').flatMap((l, i) => (/(\/\*|\/\/) LEAK-SITE/.test(l) ? [i + 1] : []));
}

// The DTV sizes the program printed, summed (one line per live thread).
function dtvBytes(stdout) {
	return [...stdout.matchAll(/^dtv: (\d+) bytes$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

// Memcheck's leak checks in order (a mid-run one, then the one at exit),
// each the records printed before its LEAK SUMMARY and the summary lines
// after it. "All heap blocks were freed" is one check with nothing.
function memcheckChecks(log) {
	const parts = log.split(/^==\d+== LEAK SUMMARY:$/m);
	if (parts.length === 1) return [{ summary: emptySummary(), heuristics: {}, records: [] }];
	return parts.slice(0, -1).map((before, k) => ({
		summary: summaryFromText(parts[k + 1]),
		heuristics: heuristicsFromText(parts[k + 1]),
		records: memcheckRecords(before),
	}));
}

function checkMemcheck(srcPath, vgLog) {
	const source = path.basename(srcPath);
	const text = fs.readFileSync(srcPath, 'utf8');
	const log = fs.readFileSync(vgLog, 'utf8');
	if (!/LEAK SUMMARY:|All heap blocks were freed/.test(log)) problems.push(`${source}: no leak summary in Memcheck's log`);
	const expected = [expectedFromSource(text, 'EXPECT-MIDRUN'), expectedFromSource(text, 'EXPECT')].filter(Boolean);
	const checks = memcheckChecks(log);
	if (checks.length !== expected.length) {
		problems.push(`${source}: Memcheck made ${checks.length} leak checks, the EXPECT lines say ${expected.length}`);
		return;
	}
	expected.forEach((e, k) => compareSummaries(`${source}: Memcheck check ${k + 1} vs EXPECT,`, e, checks[k].summary));
	const lines = Object.keys(definiteSites(checks[checks.length - 1].records, source)).map((k) => Number(k.split(':').pop()));
	const marked = leakSiteLines(text);
	const ok = splitDiffers(text)
		? lines.length > 0 && lines.every((l) => marked.includes(l))
		: lines.length === new Set(lines).size && [...lines].sort().join() === [...marked].sort().join();
	if (!ok)
		problems.push(`${source}: Memcheck's definitely-lost lines [${lines}] are not the LEAK-SITE lines [${marked}]`);
}

// One leakhound check (JSON) against one of Memcheck's; returns what was expected.
function compareCheck(label, source, memcheck, check, split, dtvDelta) {
	const want = JSON.parse(JSON.stringify(memcheck.summary));
	if (split) {
		want.lost = want.definitely_lost.bytes + want.indirectly_lost.bytes;
		want.definitely_lost.bytes = want.indirectly_lost.bytes = null;
	}
	want.possibly_lost.bytes += dtvDelta;
	compareSummaries(`${label} JSON vs Memcheck,`, want, check.summary);
	compareHeuristics(label, memcheck.heuristics, check.summary && check.summary.reachable_via_heuristic);
	const kinds = split ? ['possibly_lost', 'still_reachable'] : CATEGORIES;
	compareSites(label, sitesOf(memcheck.records, source, kinds), sitesOf(check.records || [], source, kinds));
	return want;
}

function checkLeakhound(srcPath, vgLog, vgStdout, lhJson, lhStderr, lhStdout) {
	const source = path.basename(srcPath);
	const text = fs.readFileSync(srcPath, 'utf8');
	const split = splitDiffers(text);
	const memcheck = memcheckChecks(fs.readFileSync(vgLog, 'utf8'));
	const dtvDelta = dtvBytes(fs.readFileSync(lhStdout, 'utf8')) - dtvBytes(fs.readFileSync(vgStdout, 'utf8'));
	const report = JSON.parse(fs.readFileSync(lhJson, 'utf8'));
	const checks = (Array.isArray(report.leak_checks) ? report.leak_checks : []).filter((c) => c);
	const final = checks.filter((c) => c.final === true), midrun = checks.filter((c) => c.final !== true);
	if (final.length !== 1 || midrun.length !== memcheck.length - 1) {
		problems.push(`${source}: leakhound's JSON has ${final.length} final and ${midrun.length} mid-run leak checks, ` +
			`Memcheck made ${memcheck.length - 1} mid-run check(s) and one at exit`);
		return;
	}
	midrun.forEach((c, k) => compareCheck(`${source}: mid-run check ${k + 1}:`, source, memcheck[k], c, split, dtvDelta));
	const want = compareCheck(`${source}:`, source, memcheck[memcheck.length - 1], final[0], split, dtvDelta);
	const stderr = fs.readFileSync(lhStderr, 'utf8');
	if (!/LEAK SUMMARY:/.test(stderr)) problems.push(`${source}: no LEAK SUMMARY on leakhound's stderr`);
	else compareSummaries(`${source}: leakhound stderr vs Memcheck,`, want, summaryFromText(stderr));
	if (!split) compareRecordLines(`${source}:`, memcheck[memcheck.length - 1].records, memcheckRecords(stderr), source);
}

function checkSummaries(label, vgLog, lhJson, lhStderr) {
	const log = fs.readFileSync(vgLog, 'utf8');
	if (!/LEAK SUMMARY:|All heap blocks were freed/.test(log)) {
		problems.push(`${label}: no leak summary in Memcheck's log`);
		return;
	}
	const memcheck = memcheckChecks(log);
	const want = memcheck[memcheck.length - 1];
	const report = JSON.parse(fs.readFileSync(lhJson, 'utf8'));
	const final = (Array.isArray(report.leak_checks) ? report.leak_checks : []).filter((c) => c && c.final === true);
	if (final.length !== 1) {
		problems.push(`${label}: leakhound's JSON has ${final.length} final leak checks, expected 1`);
		return;
	}
	compareSummaries(`${label}: leakhound JSON vs Memcheck,`, want.summary, final[0].summary);
	compareHeuristics(`${label}:`, want.heuristics, final[0].summary && final[0].summary.reachable_via_heuristic);
	compareSummaries(`${label}: leakhound stderr vs Memcheck,`, want.summary, summaryFromText(fs.readFileSync(lhStderr, 'utf8')));
}

function main(argv) {
	const [mode, ...args] = argv;
	if (mode === 'expect' && args.length === 2) checkMemcheck(...args);
	else if (mode === 'leakhound' && args.length === 6) checkLeakhound(...args);
	else if (mode === 'summaries' && args.length === 4) checkSummaries(...args);
	else {
		console.error('usage: compare.js expect SRC VG_LOG | leakhound SRC VG_LOG VG_STDOUT LH_JSON LH_STDERR LH_STDOUT' +
			' | summaries LABEL VG_LOG LH_JSON LH_STDERR');
		process.exit(2);
	}
	for (const p of problems) console.log(p);
	process.exit(problems.length ? 1 : 0);
}

main(process.argv.slice(2));
