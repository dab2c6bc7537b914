#!/usr/bin/env bash
# t4110: `run --sample-rate`: Poisson sampling by bytes gives unbiased
# estimates. A program (tests/native/sample_leaks.c, two threads) leaks
# known amounts at four sites (48-byte blocks, 100-4,095 bytes, 64 KiB,
# realloc-grown 1-8 KiB) with churn beside them, and prints its own count.
# Sampled at 4 KiB (each leak site holds 2,300+ sample points, so the
# estimate's standard error is at most 2.1%), every site's live bytes and
# blocks are within 10% of the program's count and of an exact run; the
# churn sites' live bytes are exactly 0 (a sampled block's free takes off
# the weight its allocation added) and their allocation counts within 10%.
# The trace records the rate, and report (text and --json) says the numbers
# are estimates.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
build_native sample_leaks sample_leaks.c -pthread
"$TEST_TMP/sample_leaks" 2 100000 >"$TEST_TMP/truth" || fail "the test program failed"

# per_site JSON: "SITE live_bytes live_blocks allocations" per marked call line, summed over the
# stacks that pass through it (each stack once), from report --json with every stack shown.
per_site() {
	node -e '
const fs = require("fs");
const r = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
const src = fs.readFileSync(process.argv[2], "utf8").split("\n");
const marks = {};
src.forEach((l, i) => { const m = l.match(/SITE (\w+) \*\//); if (m) (marks[m[1]] ||= []).push(i + 1); });
const seen = new Set(), sum = {};
for (const s of r.sites) for (const st of s.stacks) {
	if (seen.has(st.id)) continue;
	seen.add(st.id);
	for (const [name, lines] of Object.entries(marks))
		if (st.frames.some((f) => f.file && f.file.endsWith("sample_leaks.c") && lines.includes(f.line))) {
			const t = (sum[name] ||= [0, 0, 0]);
			t[0] += st.live_bytes; t[1] += st.live_blocks; t[2] += st.allocations;
		}
}
for (const name of Object.keys(marks).sort()) console.log(name, ...(sum[name] || [0, 0, 0]));' "$1" "$NATIVE_SRC/sample_leaks.c"
}

# within PCT A B: |A - B| <= PCT% of B
within() {
	awk -v p="$1" -v a="$2" -v b="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= p / 100 * b) }'
}

expect_status 0 "$LEAKHOUND" run -q -o "$TEST_TMP/exact.lhtrace" -- "$TEST_TMP/sample_leaks" 2 100000
expect_status 0 "$LEAKHOUND" report --json --top 1000 --stacks 1000 "$TEST_TMP/exact.lhtrace"
cp "$TEST_TMP/out" "$TEST_TMP/exact.json"
[ "$(json_get "$TEST_TMP/exact.json" '`${r.estimates} ${r.sample_rate_bytes}`')" = "false 0" ] || fail "an exact trace is reported as estimates"
per_site "$TEST_TMP/exact.json" >"$TEST_TMP/exact.sites"

expect_status 0 "$LEAKHOUND" run -q --sample-rate 4K -o "$TEST_TMP/s.lhtrace" -- "$TEST_TMP/sample_leaks" 2 100000
cmp -s "$TEST_TMP/out" "$TEST_TMP/truth" || fail "stdout changed under sampling: $(cat "$TEST_TMP/out")"
expect_status 0 "$LEAKHOUND" report --json --top 1000 --stacks 1000 "$TEST_TMP/s.lhtrace"
cp "$TEST_TMP/out" "$TEST_TMP/s.json"
[ "$(json_get "$TEST_TMP/s.json" '`${r.estimates} ${r.sample_rate_bytes}`')" = "true 4096" ] || fail "the sampled trace does not say estimates at 4096: $(json_get "$TEST_TMP/s.json" '`${r.estimates} ${r.sample_rate_bytes}`')"
per_site "$TEST_TMP/s.json" >"$TEST_TMP/s.sites"

for site in leak_small leak_mixed leak_large leak_grown; do
	read -r _ bytes blocks < <(grep "^$site " "$TEST_TMP/truth")
	read -r _ ex_bytes ex_blocks _ < <(grep "^$site " "$TEST_TMP/exact.sites")
	read -r _ s_bytes s_blocks _ < <(grep "^$site " "$TEST_TMP/s.sites")
	[ "$ex_bytes $ex_blocks" = "$bytes $blocks" ] || fail "$site exact: $ex_bytes B in $ex_blocks blocks, the program leaked $bytes in $blocks"
	within 10 "$s_bytes" "$bytes" || fail "$site sampled: $s_bytes B, more than 10% off the program's $bytes (exact run: $ex_bytes)"
	within 10 "$s_blocks" "$blocks" || fail "$site sampled: $s_blocks blocks, more than 10% off the program's $blocks"
	within 10 "$s_bytes" "$ex_bytes" || fail "$site sampled: $s_bytes B, more than 10% off the exact run's $ex_bytes"
done
read -r _ churn_allocs < <(grep "^churn " "$TEST_TMP/truth")
read -r _ ex_bytes _ ex_allocs < <(grep "^churn " "$TEST_TMP/exact.sites")
read -r _ s_bytes _ s_allocs < <(grep "^churn " "$TEST_TMP/s.sites")
[ "$ex_bytes $ex_allocs" = "0 $churn_allocs" ] || fail "churn exact: $ex_bytes B live, $ex_allocs allocations (program: $churn_allocs)"
[ "$s_bytes" = 0 ] || fail "churn sampled: $s_bytes B live after every block was freed"
within 10 "$s_allocs" "$churn_allocs" || fail "churn sampled: $s_allocs allocations, more than 10% off the program's $churn_allocs"

expect_status 0 "$LEAKHOUND" report --top 3 "$TEST_TMP/s.lhtrace"
grep -q "ESTIMATES: sampled, one allocation per 4.00 KiB" "$TEST_TMP/out" || fail "text report does not say estimates: $(head -4 "$TEST_TMP/out")"
expect_status 0 "$LEAKHOUND" report --top 3 "$TEST_TMP/exact.lhtrace"
! grep -q ESTIMATES "$TEST_TMP/out" || fail "text report of an exact trace says estimates"

# The production rate: the program's output is unchanged and the trace says 512 KiB.
expect_status 0 "$LEAKHOUND" run -q --sample-rate 512K -o "$TEST_TMP/p.lhtrace" -- "$TEST_TMP/sample_leaks" 2 20000
expect_status 0 "$LEAKHOUND" report --json "$TEST_TMP/p.lhtrace"
[ "$(json_get "$TEST_TMP/out" r.sample_rate_bytes)" = 524288 ] || fail "512K is not 524288 in the trace"
# Exports say so too: folded on stderr, pprof in its comment and period (go tool pprof reads them back).
expect_status 0 "$LEAKHOUND" report --format folded "$TEST_TMP/p.lhtrace"
grep -q "values are estimates" "$TEST_TMP/err" || fail "folded export of a sampled trace: $(cat "$TEST_TMP/err")"
if command -v go >/dev/null; then
	expect_status 0 "$LEAKHOUND" report --format pprof --output "$TEST_TMP/p.pb.gz" "$TEST_TMP/p.lhtrace"
	expect_status 0 go tool pprof -raw "$TEST_TMP/p.pb.gz"
	grep -q "estimates" "$TEST_TMP/out" || fail "pprof comment of a sampled trace: $(head -5 "$TEST_TMP/out")"
	grep -q "Period: 524288" "$TEST_TMP/out" || fail "pprof period of a sampled trace: $(head -5 "$TEST_TMP/out")"
fi

# The allocation API's own checks (alignment, errno, usable sizes, realloc keeping contents,
# glibc's blocks) hold when some blocks are sampled (with a header) and others are glibc's
# as they are, realloc moving blocks between the two: rates of 1 byte (all but size 0
# sampled), 256 and 64K.
build_native alloc_api alloc_api.c
rc=0
"$TEST_TMP/alloc_api" >"$TEST_TMP/api.out" || rc=$?
[ $rc -eq 5 ] || fail "alloc_api itself exits $rc, not 5"
for rate in 1 256 64K; do
	expect_status 5 "$LEAKHOUND" run -q -f --sample-rate $rate -o "$TEST_TMP/api.lhtrace" -- "$TEST_TMP/alloc_api"
	cmp -s "$TEST_TMP/api.out" "$TEST_TMP/out" || fail "alloc_api at --sample-rate $rate: $(diff "$TEST_TMP/api.out" "$TEST_TMP/out")"
	expect_status 0 "$LEAKHOUND" report --json "$TEST_TMP/api.lhtrace"
done

expect_status 3 "$LEAKHOUND" run --sample-rate 4K --leak-check -- true
grep -q "do not go together" "$TEST_TMP/err" || fail "--sample-rate with --leak-check: $(cat "$TEST_TMP/err")"
expect_status 3 "$LEAKHOUND" run --sample-rate 0 -- true
expect_status 3 "$LEAKHOUND" run --sample-rate lots -- true
exit 0
