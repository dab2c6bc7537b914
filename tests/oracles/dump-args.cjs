// dump-args.cjs - the command line both oracles (devtools/dump.mjs,
// memlab/dump.js) take: FILE, --out, --format json|ndjson (by default from
// --out's extension), --quiet, plus each oracle's own boolean flags.
'use strict';

// makeUsage(script, synopsis): a function that prints an optional message and
// the usage line to stderr, then exits 2.
function makeUsage(script, synopsis) {
  return (msg) => {
    if (msg) process.stderr.write(`${script}: ${msg}\n`);
    process.stderr.write(`usage: node ${script} ${synopsis}\n`);
    process.exit(2);
  };
}

// parseDumpArgs(argv, usage, flags): flags maps an option to [key, value set
// when given]; every key starts at the opposite value.
function parseDumpArgs(argv, usage, flags = {}) {
  const opts = {file: null, out: null, format: null, quiet: false};
  for (const [key, value] of Object.values(flags)) opts[key] = !value;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out' || a === '-o') {
      opts.out = argv[++i];
    } else if (a === '--format') {
      opts.format = argv[++i];
    } else if (Object.hasOwn(flags, a)) {
      opts[flags[a][0]] = flags[a][1];
    } else if (a === '--quiet' || a === '-q') {
      opts.quiet = true;
    } else if (a === '--help' || a === '-h') {
      usage();
    } else if (a.startsWith('-')) {
      usage('unknown option ' + a);
    } else if (!opts.file) {
      opts.file = a;
    } else {
      usage('extra argument ' + a);
    }
  }
  if (!opts.file) usage('no FILE');
  opts.format ??= (opts.out && /\.ndjson$/.test(opts.out)) ? 'ndjson' : 'json';
  if (opts.format !== 'json' && opts.format !== 'ndjson') usage('--format must be json or ndjson');
  return opts;
}

module.exports = {makeUsage, parseDumpArgs};
