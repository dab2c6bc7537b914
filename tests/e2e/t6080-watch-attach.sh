#!/usr/bin/env bash
# t6080: watch --pid attaches to a node already running (the Map-cache
# service, started without leakhound): SIGUSR1 opens its inspector, the
# timeline and snapshots come over the DevTools protocol; the verdict names
# Session and its path through sessionCache, says native parts are not seen,
# and exits 1; the program runs on afterwards, and its inspector port is
# closed again. Parts plus unexplained add up to the RSS growth (native
# memory, unseen here, is in unexplained, so its size is not asserted).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-watch.sh"
port_open() { node -e 'require("net").connect(9229, "127.0.0.1").on("connect", () => process.exit(0)).on("error", () => process.exit(1))'; }
port_open && skip "port 9229 is in use on this machine"

node "$WATCH_DIR/service.js" map 20 60000 "$TEST_TMP/at.log" &
target=$!
# The service is waited for before its log's folder goes: it may still be
# writing, and rm's "Directory not empty" would fail the test (set -e holds in traps).
trap 'kill "$target" 2>/dev/null || true; wait "$target" 2>/dev/null || true; rm -rf "$TEST_TMP"' EXIT
sleep 1
status=0
"$LEAKHOUND" watch --json --quiet --warmup 2s --duration 24s --min-growth 2M -o "$TEST_TMP/at" --pid "$target" >"$TEST_TMP/at.json" 2>"$TEST_TMP/at.err" || status=$?
[ "$status" -eq 1 ] || fail "expected exit 1, got $status: $(head -c 600 "$TEST_TMP/at.err")"
kill -0 "$target" 2>/dev/null || fail "the program did not survive the watch"
port_open && fail "the inspector port is still open after the watch"
node -e '
const w = require(process.env.CHECK);
const v = w.load(process.argv[1]);
const bad = [];
if (v.mode !== "attach" || v.native) bad.push(`mode ${v.mode}, native ${v.native}`);
const growth = v.rss_end_bytes - v.rss_start_bytes;
const sum = v.attribution.reduce((s, a) => s + a.growth_bytes, 0);
if (sum + v.unexplained_bytes !== growth) bad.push("parts and unexplained do not add up to the RSS growth");
for (const p of ["native-malloc", "allocator-retained"]) if (w.part(v, p).known) bad.push(`${p} claims to be known`);
const f = v.findings.find((x) => x.id === "js-heap-growth");
if (!f || !f.explanation.includes("Session") || !/sessionCache -> Map/.test(f.explanation))
  bad.push("no js-heap finding naming Session and sessionCache: " + JSON.stringify(v.findings));
if (!v.findings.some((x) => x.id === "native-unseen" && /attached/.test(x.title))) bad.push("the verdict does not say native parts are unseen");
if (v.snapshots.length < 2) bad.push(`${v.snapshots.length} snapshots`);
if (!/service\.js map/.test(v.command)) bad.push("command: " + v.command);
w.finish(bad);' "$TEST_TMP/at.json" || fail "watch --pid's verdict"
