#!/usr/bin/env bash
# t1030: `leakhound summary` frees what it allocates and reads no
# uninitialised memory, under valgrind: text and --json on a real snapshot
# (plain, and gzip'd through a pipe), the error paths on bad input, and a
# gzip'd snapshot of more than 2^20 nodes (its columns grow while read).
. "$(dirname "$0")/lib.sh"
case "$LEAKHOUND" in
*build-asan*) skip "valgrind and AddressSanitizer do not mix (LEAKHOUND is the ASan build)" ;;
esac
command -v valgrind >/dev/null || skip "valgrind is not installed"
command -v node >/dev/null || skip "node is not installed"

snap="$TEST_TMP/small.heapsnapshot"
node_snapshot "$snap" 'globalThis.keep = Array.from({length: 1000}, (_, i) => ({i, s: "v" + i}));'
gzip -c "$snap" >"$snap.gz"
printf '{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count"],"node_types":[["synthetic"]],' >"$TEST_TMP/bad.heapsnapshot"
printf '"edge_fields":["type","name_or_index","to_node"],"edge_types":[["element"]]},"node_count":1,"edge_count":1},' >>"$TEST_TMP/bad.heapsnapshot"
printf '"nodes":[0,0,1,0,1],"edges":[0,1,3],"strings":[""]}' >>"$TEST_TMP/bad.heapsnapshot" # to_node 3: not a node offset

# vg STATUS ARGS...: runs leakhound under valgrind, expecting STATUS (99 = a valgrind error).
vg() {
	local want=$1 rc=0
	shift
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
		--log-file="$TEST_TMP/vg.log" "$LEAKHOUND" "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
	[ $rc -ne 99 ] || fail "valgrind reports errors for: leakhound $* -- $(head -c 3000 "$TEST_TMP/vg.log")"
	[ $rc -eq "$want" ] || fail "exit $rc, expected $want, for: leakhound $* -- $(head -c 500 "$TEST_TMP/err")"
	[ ! -s "$TEST_TMP/vg.log" ] || fail "valgrind output for: leakhound $* -- $(head -c 3000 "$TEST_TMP/vg.log")"
}

vg 0 summary "$snap"
grep -q '^Totals' "$TEST_TMP/out" || fail "no text report under valgrind"
vg 2 summary "$TEST_TMP/bad.heapsnapshot"
grep -q "to_node 3" "$TEST_TMP/err" || fail "bad input under valgrind: $(cat "$TEST_TMP/err")"
vg 0 summary --json --lenient "$TEST_TMP/bad.heapsnapshot"
vg 2 summary --json "$TEST_TMP/missing.heapsnapshot"

# --json, gzip'd, piped.
rc=0
# shellcheck disable=SC2002 # cat: stdin must be a pipe, not a file
cat "$snap.gz" | valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
	--log-file="$TEST_TMP/vg.log" "$LEAKHOUND" summary --json - >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
[ $rc -eq 0 ] && [ ! -s "$TEST_TMP/vg.log" ] || fail "stdin under valgrind: exit $rc -- $(head -c 3000 "$TEST_TMP/vg.log")"
node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$TEST_TMP/out" || fail "--json under valgrind is not JSON"

# More than 2^20 nodes from a gzip stream: the reader grows its columns, the
# optional detachedness column included (node 1 is detached, all others 0).
node -e '
const n = (1 << 20) + 4096, rows = [];
for (let i = 0; i < n; i++) rows.push(`8,1,${2 * i + 1},8,0,${i === 1 ? 2 : 0}`);
const text = `{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","detachedness"],` +
  `"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic"]],` +
  `"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal",` +
  `"hidden","shortcut","weak"]]},"node_count":${n},"edge_count":0},"nodes":[${rows.join(",")}],"edges":[],` +
  `"strings":["<dummy>","<div>"]}`;
require("fs").writeFileSync(process.argv[1], require("zlib").gzipSync(text, {level: 1}));' "$TEST_TMP/grown.heapsnapshot.gz"
vg 0 summary --json --top 3 "$TEST_TMP/grown.heapsnapshot.gz"
node -e '
const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const c = Object.fromEntries(j.top_classes_by_count.map((r) => [r.class, r.count]));
if (c["<div>"] !== (1 << 20) + 4095 || c["Detached <div>"] !== 1) throw new Error(JSON.stringify(c));' "$TEST_TMP/out" ||
	fail "the grown snapshot is not classed 1 detached <div> and the rest attached"
