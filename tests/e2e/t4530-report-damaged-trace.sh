#!/usr/bin/env bash
# t4530: a damaged trace. A flipped byte inside a batch is found by the
# batch's checksum: `report` reads the trace up to that batch, says
# DAMAGED with the batch's byte offset, and exits 2 naming the offset (it
# used to print wrong numbers, silently). A damaged header is named as
# such, a consistent header with a wrong header_size or version as what it
# is. The batch offsets are found by a walk of the documented layout in
# node, not by leakhound.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
build_native leak leak.c
expect_status 3 "$LEAKHOUND" run -q -o "$TEST_TMP/t.lhtrace" --interval 10ms -- "$TEST_TMP/leak" 300 1 # leak exits 3

# Batch offsets (docs/trace-format.md): header of header_size bytes, then
# per batch a BATCH record (u32 type 6, u32 size 16, u64 bytes, u32 crc, u32 0) and its bytes.
node -e '
const b = require("fs").readFileSync(process.argv[1]);
let off = b.readUInt32LE(12), out = [];
while (off + 24 <= b.length) {
	if (b.readUInt32LE(off) !== 6) throw new Error("no batch at " + off);
	out.push(off);
	off += 24 + Number(b.readBigUInt64LE(off + 8));
}
console.log(out.join(" "));' "$TEST_TMP/t.lhtrace" >"$TEST_TMP/batches"
read -r -a batches <"$TEST_TMP/batches"
n=${#batches[@]}
[ "$n" -ge 6 ] || fail "only $n batches"
expect_status 0 "$LEAKHOUND" report --json "$TEST_TMP/t.lhtrace"
[ "$(json_get "$TEST_TMP/out" "r.snapshots === $n && r.damaged_at === null")" = true ] || fail "intact trace: $(head -c 300 "$TEST_TMP/out")"

# Flip one byte in the middle of batch k (its last 8 bytes are a snapshot's or a stack's).
flip() { # flip FILE OFFSET
	node -e 'const fs = require("fs"), f = process.argv[1], b = fs.readFileSync(f); b[+process.argv[2]] ^= 0x40; fs.writeFileSync(f, b);' "$1" "$2"
}
k=$((n / 2))
cp "$TEST_TMP/t.lhtrace" "$TEST_TMP/d.lhtrace"
flip "$TEST_TMP/d.lhtrace" $((batches[k + 1] - 8))
expect_status 2 "$LEAKHOUND" report --json "$TEST_TMP/d.lhtrace"
[ "$(json_get "$TEST_TMP/out" "r.snapshots === $k && r.damaged_at === ${batches[k]}")" = true ] ||
	fail "damaged at batch $k (byte ${batches[k]}): $(head -c 300 "$TEST_TMP/out")"
grep -q "d.lhtrace: byte ${batches[k]}: damaged: the batch's checksum does not match" "$TEST_TMP/err" || fail "stderr: $(cat "$TEST_TMP/err")"
expect_status 2 "$LEAKHOUND" report "$TEST_TMP/d.lhtrace"
grep -q "DAMAGED at byte ${batches[k]}" "$TEST_TMP/out" || fail "text report: $(head -5 "$TEST_TMP/out")"

# The header: a flipped header_size is damage; a consistent one with a wrong size or version is named.
cp "$TEST_TMP/t.lhtrace" "$TEST_TMP/h.lhtrace"
flip "$TEST_TMP/h.lhtrace" 13
expect_status 2 "$LEAKHOUND" report "$TEST_TMP/h.lhtrace"
grep -q "byte 8: trace header damaged (its checksum does not match)" "$TEST_TMP/err" || fail "flipped header_size: $(cat "$TEST_TMP/err")"
reheader() { # reheader FILE FIELD_OFFSET VALUE: sets a u32 and the header's CRC-32 (zlib's, at byte 60)
	node -e '
const fs = require("fs"), zlib = require("zlib"), f = process.argv[1], b = fs.readFileSync(f);
b.writeUInt32LE(+process.argv[3], +process.argv[2]);
b.writeUInt32LE(0, 60);
b.writeUInt32LE(zlib.crc32(b.subarray(0, 64)), 60);
fs.writeFileSync(f, b);' "$@"
}
node -e 'require("zlib").crc32' 2>/dev/null || skip "node has no zlib.crc32 (node 20.15 or later)"
cp "$TEST_TMP/t.lhtrace" "$TEST_TMP/s.lhtrace"
reheader "$TEST_TMP/s.lhtrace" 12 320
expect_status 2 "$LEAKHOUND" report "$TEST_TMP/s.lhtrace"
grep -q "corrupt trace header: header_size 320" "$TEST_TMP/err" || fail "header_size 320: $(cat "$TEST_TMP/err")"
cp "$TEST_TMP/t.lhtrace" "$TEST_TMP/v.lhtrace"
reheader "$TEST_TMP/v.lhtrace" 8 99
expect_status 2 "$LEAKHOUND" report "$TEST_TMP/v.lhtrace"
grep -q "unsupported trace version 99" "$TEST_TMP/err" || fail "version 99: $(cat "$TEST_TMP/err")"
exit 0
