#!/usr/bin/env bash
# t1011: input that is not a plain file, or that declares less than it
# holds: memory stays within what the header declares, nothing hangs, the
# error names the cause (file, byte offset), exit 2. Also what gzip(1)
# accepts (zero padding, concatenated members) and the smaller points of
# issue 17: duplicate header keys, usage lines, --top on the GC roots.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-tiny.sh"

# $base in three pieces: the header, the nodes array, the rest.
header=${base#\{}
header=${header%%,$'\n''"nodes"'*}
nodes='"nodes":'${base#*'"nodes":'}
nodes=${nodes%%,$'\n''"edges"'*}
rest=${base#*"$nodes",$'\n'}
[ "{$header,"$'\n'"$nodes,"$'\n'"$rest" = "$base" ] || fail "the pieces do not make up the base snapshot"

# peak_rss_kb CMD...: runs CMD (status and output as expect_status), prints its peak RSS in KiB.
peak_rss_kb() {
	/usr/bin/time -f '%M' -o "$TEST_TMP/rss" "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || true
	tail -1 "$TEST_TMP/rss"
}

printf '%s' "$base" >"$TEST_TMP/good.heapsnapshot"
expect_status 0 "$LEAKHOUND" summary "$TEST_TMP/good.heapsnapshot"

# 1. Arrays far longer than the header's counts, gzip'd (60 MB of JSON in
# 60 KB): the reader stops at the first record past node_count, the 5th,
# whose first value is 13 + 3 * 14 + 1 bytes into the array.
many=$TEST_TMP/many.heapsnapshot.gz
{
	printf '{%s,\n"nodes":[9,1,1,0,2,0,0' "$header"
	awk 'BEGIN { for (i = 0; i < 4000000; i++) printf ",9,2,3,0,0,0,0" }'
	printf '],\n%s' "$rest"
} | gzip -c >"$many"
array=$(($(offset "$base" '"nodes":[') + 9))
expect_bad_input "$many" "byte $((array + 13 + 3 * 14 + 1)): snapshot.node_count is 4 but the nodes array holds more nodes"
# The same arrays with the header after them: refused where they start, not parked.
before=$TEST_TMP/before.heapsnapshot.gz
{
	printf '{"nodes":[9,1,1,0,2,0,0'
	awk 'BEGIN { for (i = 0; i < 4000000; i++) printf ",9,2,3,0,0,0,0" }'
	printf '],\n%s,\n%s' "$header" "$rest"
} | gzip -c >"$before"
expect_bad_input "$before" "byte 9: the 'nodes' array comes before the snapshot header"
# Through a pipe as well.
rc=0
gzip -dc "$before" | "$LEAKHOUND" summary - >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
[ $rc -eq 2 ] && grep -q "^leakhound: -: byte 9: the 'nodes' array comes before" "$TEST_TMP/err" ||
	fail "piped array before the header: exit $rc, $(cat "$TEST_TMP/err")"
# Uncompressed on disk the file's size bounds what is parked, so it still reads.
printf '{%s,\n%s,\n%s' "$nodes" "$header" "$rest" >"$TEST_TMP/before.heapsnapshot"
expect_status 0 "$LEAKHOUND" summary "$TEST_TMP/before.heapsnapshot"
# Memory: before the bound, these two took 175 MB and 1 GB.
if [ -x /usr/bin/time ] && [[ "$LEAKHOUND" != *asan* ]]; then
	for f in "$many" "$before"; do
		kb=$(peak_rss_kb "$LEAKHOUND" summary "$f")
		[ "$kb" -lt 65536 ] || fail "$f: peak RSS $kb KiB, expected under 64 MiB"
	done
fi

# 2. Not a file: /dev/zero as a trace is refused before any reading; a FIFO
# with no writer does not hang either command; a pipe on stdin still reads.
expect_status 2 timeout 20 "$LEAKHOUND" report /dev/zero
grep -qx "leakhound: /dev/zero: not a regular file: a trace is read from the file 'leakhound run' wrote" "$TEST_TMP/err" ||
	fail "report /dev/zero: $(cat "$TEST_TMP/err")"
mkfifo "$TEST_TMP/fifo"
expect_status 2 timeout 20 "$LEAKHOUND" summary "$TEST_TMP/fifo"
grep -q "fifo: is a FIFO with nothing written to it" "$TEST_TMP/err" || fail "summary FIFO: $(cat "$TEST_TMP/err")"
expect_status 2 timeout 20 "$LEAKHOUND" report "$TEST_TMP/fifo"
grep -q "fifo: not a regular file" "$TEST_TMP/err" || fail "report FIFO: $(cat "$TEST_TMP/err")"
expect_status 0 timeout 20 "$LEAKHOUND" summary <(cat "$TEST_TMP/good.heapsnapshot")

# 3. An edge_count that does not fit is the cause named, not the sums it breaks.
t=${base/,9,2,3,0,1,0,0/,9,2,3,0,4294967297,0,0}
printf '%s' "$t" >"$TEST_TMP/ec.heapsnapshot"
expect_bad_input "$TEST_TMP/ec.heapsnapshot" "byte $(offset "$t" '4294967297'): edge_count 4294967297 does not fit in 32 bits"
t=${base/'"edge_count":3'/'"edge_count":4294967296'}
printf '%s' "$t" >"$TEST_TMP/ec2.heapsnapshot"
expect_bad_input "$TEST_TMP/ec2.heapsnapshot" "snapshot.edge_count 4294967296 is beyond"

# 4. A header key given twice: which value would V8 have meant?
for key in node_count edge_count trace_function_count; do
	t=${base/"\"$key\":"/"\"$key\":0,\"$key\":"}
	printf '%s' "$t" >"$TEST_TMP/dup.heapsnapshot"
	expect_bad_input "$TEST_TMP/dup.heapsnapshot" \
		"byte $(($(offset "$t" "0,\"$key\":") + 5 + ${#key})): duplicate snapshot.$key"
done

# 5. gzip: zero padding after the last member and concatenated members read
# as gzip -dc reads them; anything else after the padding is corrupt.
gzip -c "$TEST_TMP/good.heapsnapshot" >"$TEST_TMP/g.gz"
{ cat "$TEST_TMP/g.gz"; head -c 4096 /dev/zero; } >"$TEST_TMP/padded.heapsnapshot.gz"
gzip -t "$TEST_TMP/padded.heapsnapshot.gz" || fail "gzip itself rejects the padded file"
expect_status 0 "$LEAKHOUND" summary --json "$TEST_TMP/padded.heapsnapshot.gz"
{ printf '%s' "${base:0:100}" | gzip -c; printf '%s' "${base:100}" | gzip -c; head -c 10 /dev/zero; } \
	>"$TEST_TMP/members.heapsnapshot.gz"
expect_status 0 "$LEAKHOUND" summary --json "$TEST_TMP/members.heapsnapshot.gz"
size=$(wc -c <"$TEST_TMP/g.gz")
{ cat "$TEST_TMP/g.gz"; head -c 10 /dev/zero; printf x; } >"$TEST_TMP/junk.heapsnapshot.gz"
expect_bad_input "$TEST_TMP/junk.heapsnapshot.gz" "compressed byte $((size + 10)): data after the zero padding"

# 6. trend and check with too few files print their own usage line.
expect_status 3 "$LEAKHOUND" trend "$TEST_TMP/good.heapsnapshot"
grep -q "usage: leakhound trend " "$TEST_TMP/err" || fail "trend usage: $(cat "$TEST_TMP/err")"
expect_status 3 "$LEAKHOUND" check "$TEST_TMP/good.heapsnapshot" "$TEST_TMP/good.heapsnapshot"
grep -q "usage: leakhound check " "$TEST_TMP/err" || fail "check usage: $(cat "$TEST_TMP/err")"

# 7. --top limits the GC roots table: 40 sub-roots, sub-root i (1-based) with
# i % 7 + 1 edges to the last node; the three with most (7 edges) are 6, 13, 20.
node -e '
const n = 40, fields = 7;
const names = ["", "(GC roots)", "leaf"];
const nodes = [9, 0, 1, 0, 1, 0, 0, 9, 1, 3, 0, n, 0, 0];
const edges = [1, 1, fields];
for (let i = 1; i <= n; i++) {
	names.push("(root " + i + ")");
	nodes.push(9, names.length - 1, 3 + 2 * i, 0, i % 7 + 1, 0, 0);
	edges.push(1, i, (1 + i) * fields);
}
for (let i = 1; i <= n; i++)
	for (let k = 0; k < i % 7 + 1; k++) edges.push(1, k + 1, (n + 2) * fields);
nodes.push(3, 2, 999, 8, 0, 0, 0);
const meta = JSON.parse(process.argv[2]);
const s = { snapshot: { meta, node_count: nodes.length / fields, edge_count: edges.length / 3 }, nodes, edges, strings: names };
require("fs").writeFileSync(process.argv[1], JSON.stringify(s));' "$TEST_TMP/roots.heapsnapshot" "$meta"
expect_status 0 "$LEAKHOUND" summary --top 3 "$TEST_TMP/roots.heapsnapshot"
sed -n '/^GC roots/,/^$/p' "$TEST_TMP/out" >"$TEST_TMP/roots"
[ "$(grep -c '(root ' "$TEST_TMP/roots")" -eq 3 ] || fail "--top 3 shows $(grep -c '(root ' "$TEST_TMP/roots") GC roots"
for i in 6 13 20; do
	grep -qE "^ +$i +\(root $i\) +7 " "$TEST_TMP/roots" || fail "root $i missing: $(cat "$TEST_TMP/roots")"
done
grep -q "37 more with fewer edges" "$TEST_TMP/roots" || fail "no count of the roots left out: $(cat "$TEST_TMP/roots")"
expect_status 0 "$LEAKHOUND" summary --json --top 3 "$TEST_TMP/roots.heapsnapshot"
node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1]));
if (j.gc_roots.length !== 40) throw new Error("json gc_roots " + j.gc_roots.length)' "$TEST_TMP/out" || fail "--json lost GC roots"

# 8. Totals do not wrap: self sizes may sum to 2^63-1 bytes (here 2^63-1-24
# and 24) and no more; two nodes of 2^63 bytes used to show a total of 0 B.
t=${base/,3,3,5,32,/,3,3,5,9223372036854775783,}
printf '%s' "$t" >"$TEST_TMP/most.heapsnapshot"
expect_status 0 "$LEAKHOUND" summary "$TEST_TMP/most.heapsnapshot"
grep -qE '^  self size .*\(9,223,372,036,854,775,807 bytes\)' "$TEST_TMP/out" || fail "total self size: $(grep 'self size' "$TEST_TMP/out")"
t=${base/,3,3,5,32,/,3,3,5,9223372036854775784,}
printf '%s' "$t" >"$TEST_TMP/past.heapsnapshot"
expect_bad_input "$TEST_TMP/past.heapsnapshot" "byte $(offset "$t" ',24,' | awk '{print $1+1}'): node 3's self_size 24 takes the nodes' total past 2\^63-1 bytes"
t=${base/,3,3,5,32,/,3,3,5,9223372036854775808,}
t=${t/,2,4,7,24,/,2,4,7,9223372036854775808,}
printf '%s' "$t" >"$TEST_TMP/wrap.heapsnapshot"
expect_bad_input "$TEST_TMP/wrap.heapsnapshot" "byte $(offset "$t" '9223372036854775808'): node 2's self_size"
