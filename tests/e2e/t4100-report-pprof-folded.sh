#!/usr/bin/env bash
# t4100: `report --format pprof` read by `go tool pprof`, and `--format folded`:
# a program that counts its own allocations (tests/native/known_totals.c)
# prints, per function, the bytes and blocks it left live and allocated;
# pprof's four sample types and the folded sums must equal those counts,
# per function and in total, and equal report --json. The executable's
# mapping carries the build-id readelf finds in it.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
command -v go >/dev/null || skip "go (Debian's golang-go, installed by scripts/setup-deps.sh --tests) is not installed: no go tool pprof"
export GOCACHE="$TEST_TMP/gocache" GOFLAGS=-mod=mod HOME="${HOME:-$TEST_TMP}"
build_native known_totals known_totals.c

"$TEST_TMP/known_totals" >"$TEST_TMP/expected" || fail "known_totals failed on its own"
# expected FUNCTION FIELD: FIELD 2..5 = live bytes, live blocks, allocated bytes, allocations.
expected() { awk -v f="$1" -v k="$2" '$1 == f { print $k }' "$TEST_TMP/expected"; }
total() { awk -v k="$1" '{ s += $k } END { print s }' "$TEST_TMP/expected"; }
functions=$(cut -d' ' -f1 "$TEST_TMP/expected")

expect_status 0 "$LEAKHOUND" run -q -o "$TEST_TMP/t.lhtrace" --interval 20ms -- "$TEST_TMP/known_totals"
cmp -s "$TEST_TMP/out" "$TEST_TMP/expected" || fail "the program counted differently under tracking"
expect_status 0 "$LEAKHOUND" report --format pprof --output "$TEST_TMP/t.pb.gz" "$TEST_TMP/t.lhtrace"
[ ! -s "$TEST_TMP/out" ] || fail "--output still wrote to stdout"
gzip -t "$TEST_TMP/t.pb.gz" || fail "the profile is not gzip'd"
expect_status 0 "$LEAKHOUND" report --json --top 1000 "$TEST_TMP/t.lhtrace"
cp "$TEST_TMP/out" "$TEST_TMP/report.json"
j() { json_get "$TEST_TMP/report.json" "$1"; }

# pprof_top INDEX: "FUNCTION FLAT" lines and a "TOTAL N" line from go tool pprof -top, in plain units.
pprof_top() {
	go tool pprof -symbolize=none -top -nodecount=1000 -sample_index="$1" -unit=B "$TEST_TMP/t.pb.gz" \
		>"$TEST_TMP/top.$1" 2>"$TEST_TMP/top.$1.err" || fail "go tool pprof -sample_index=$1: $(cat "$TEST_TMP/top.$1.err")"
	sed -n 's/.*Total samples = \([0-9]*\)B.*/TOTAL \1/p' "$TEST_TMP/top.$1"
	awk '/flat%/ { on = 1; next } on && NF >= 6 { v = $1; sub(/B$/, "", v); print $6, v }' "$TEST_TMP/top.$1"
}
field=2
for index in inuse_space inuse_objects alloc_space alloc_objects; do
	top=$(pprof_top $index)
	want=$(total $field)
	got=$(awk '$1 == "TOTAL" { print $2 }' <<<"$top")
	[ "$got" = "$want" ] || fail "pprof $index total $got, the program's own count is $want"
	for f in $functions; do
		got=$(awk -v f="$f" '$1 == f { s = $2 } END { print s + 0 }' <<<"$top") # pprof leaves out zeros
		[ "$got" = "$(expected "$f" $field)" ] || fail "pprof $index of $f: $got, the program counted $(expected "$f" $field)"
	done
	# The same numbers as folded stacks, summed per innermost frame.
	expect_status 0 "$LEAKHOUND" report --format folded --sample $index "$TEST_TMP/t.lhtrace"
	grep -vqE '^[^ ;][^;]*(;[^;]+)* [1-9][0-9]*$' "$TEST_TMP/out" && fail "folded $index: a malformed line: $(grep -vE ' [1-9][0-9]*$' "$TEST_TMP/out" | head -1)"
	for f in $functions; do
		got=$(awk -v f="$f" '{ n = split($0, a, " "); v = a[n]; sub(/ [0-9]+$/, ""); k = split($0, fr, ";"); if (fr[k] == f) s += v } END { print s + 0 }' "$TEST_TMP/out")
		want=$(expected "$f" $field)
		[ "$got" = "$want" ] || fail "folded $index of $f: $got, the program counted $want"
	done
	got=$(awk '{ s += $NF } END { print s + 0 }' "$TEST_TMP/out")
	[ "$got" = "$(total $field)" ] || fail "folded $index total $got, expected $(total $field)"
	grep -q '^_start;.*;main;leak_large [0-9]*$' "$TEST_TMP/out" || fail "folded $index: no _start..main;leak_large stack"
	field=$((field + 1))
done

# The same as report --json: the trace's totals and each site's numbers.
[ "$(j r.live_bytes)" = "$(total 2)" ] || fail "report --json live_bytes $(j r.live_bytes), pprof and the program say $(total 2)"
[ "$(j r.allocations)" = "$(total 5)" ] || fail "report --json allocations $(j r.allocations), expected $(total 5)"
# A function's sites (one per line that allocates: grow has two) summed.
for f in $functions; do
	sum="k => r.sites.filter(s => s.site && s.site.function === '$f').reduce((a, s) => a + s[k], 0)"
	got=$(j "['live_bytes', 'live_blocks', 'allocated_bytes', 'allocations'].map($sum).join(' ')")
	[ "$got" = "$(expected "$f" 2) $(expected "$f" 3) $(expected "$f" 4) $(expected "$f" 5)" ] ||
		fail "report --json for $f: $got, the program counted $(expected "$f" 2) $(expected "$f" 3) $(expected "$f" 4) $(expected "$f" 5)"
done

# Mappings, functions and lines: the executable's build-id (from readelf), leak_small at its malloc line.
go tool pprof -symbolize=none -raw "$TEST_TMP/t.pb.gz" >"$TEST_TMP/raw" 2>&1 || fail "pprof -raw: $(cat "$TEST_TMP/raw")"
build_id=$(readelf -n "$TEST_TMP/known_totals" | sed -n 's/.*Build ID: \([0-9a-f]*\).*/\1/p')
[ -n "$build_id" ] || fail "readelf found no build-id in the test program"
grep -qE "^1: 0x[0-9a-f]+/0x[0-9a-f]+/0x0 $TEST_TMP/known_totals $build_id \[FN\]\[FL\]\[LN\]" "$TEST_TMP/raw" ||
	fail "the first mapping is not the program with build-id $build_id: $(grep -A3 '^Mappings' "$TEST_TMP/raw")"
line=$(grep -n 'keep\[kept++\] = malloc(n);' "$NATIVE_SRC/known_totals.c" | head -1 | cut -d: -f1)
grep -qE " leak_small .*/tests/native/known_totals.c:$line " "$TEST_TMP/raw" || fail "leak_small is not at known_totals.c:$line: $(grep leak_small "$TEST_TMP/raw")"

# --sample picks the type pprof shows without -sample_index.
expect_status 0 "$LEAKHOUND" report --format pprof --sample alloc_objects --output "$TEST_TMP/a.pb.gz" "$TEST_TMP/t.lhtrace"
go tool pprof -symbolize=none -top "$TEST_TMP/a.pb.gz" 2>&1 | grep -q '^Type: alloc_objects' || fail "--sample alloc_objects is not the default type"
# Standard output works too (a pipe).
"$LEAKHOUND" report --format pprof "$TEST_TMP/t.lhtrace" | gzip -dc | cmp -s - <(gzip -dc "$TEST_TMP/t.pb.gz") ||
	fail "the profile on stdout differs from --output's"

expect_status 3 "$LEAKHOUND" report --format svg "$TEST_TMP/t.lhtrace"
expect_status 3 "$LEAKHOUND" report --json --format folded "$TEST_TMP/t.lhtrace"
expect_status 3 "$LEAKHOUND" report --format folded --sample bytes "$TEST_TMP/t.lhtrace"
expect_status 2 "$LEAKHOUND" report --format pprof --output "$TEST_TMP/x.pb.gz" "$TEST_TMP/missing.lhtrace"
[ ! -e "$TEST_TMP/x.pb.gz" ] || fail "bad input left an output file"
expect_status 4 "$LEAKHOUND" report --format folded --output "$TEST_TMP/no/such/dir/x" "$TEST_TMP/t.lhtrace"
exit 0
