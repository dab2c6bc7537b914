#!/usr/bin/env bash
# bench/native.sh - the native tracker's overhead, in two cases, each run
# plain and under the tools (each if installed) with wall-time, CPU-time and
# peak-RSS ratios against plain.
#
# tracking: an allocation-heavy C program (-O2 -g, no frame pointers; ~6
# million malloc/free pairs through 5-15-frame stacks from 8 sites) under
# `leakhound run` (with and without --leak-check), heaptrack and valgrind
# memcheck (--leak-check=full); then times `leakhound report` on the trace.
#
# node: node running a JS workload heavy in native allocation (JSON,
# Buffers, zlib deflate/inflate; about 190 malloc-family calls per round,
# so the default 100,000 rounds make ~19 million) plain, under `leakhound
# run`, heaptrack and memcheck. Target (issue 9): leakhound at most 1.5x
# plain.
#
# leakcheck: a heap of a few million live blocks at exit, in lists of 1,000
# nodes of 24-64 bytes: a quarter of the lists lost (heads definitely,
# tails indirectly lost), a quarter lost but pointed into by every 16th node
# of the next list (possibly lost), half reachable from a global array. Run
# plain, under `leakhound run` (to tell the tracking's cost from the
# check's), `leakhound run --leak-check` and `valgrind --leak-check=full`
# (one run); twice: allocating only (leakhound's worst case: all its cost is
# per allocation, Memcheck's is per instruction), then with PASSES walks
# over the reachable lists. Prints both LEAK SUMMARYs (they should agree)
# and leakhound's scan time (scan_ns of the final check in its JSON).
# Target (issue 6): >= 10x faster than Memcheck end to end; a few million
# blocks scanned in under 1 s.
#
# cchurn, cxx, unique (issue 20's workloads, each plain and under `leakhound
# run`, `leakhound run --sample-rate 512K`, heaptrack -r, LSan as a preload
# and Memcheck, with each tool's trace size):
#   cchurn  C, -O2 no frame pointers: PAIRS malloc/free pairs through
#           mutually recursive functions, 5-15 frames deep, from 8 sites;
#   cxx     C++ -O2: two threads churning std::map<std::string,
#           std::vector<int>> (CXX_ROUNDS=900000 inserts/erases each, ~4.8M
#           allocations in all at the default);
#   unique  C++ -O2: UNIQUE allocations, each from a call stack of its own
#           (a 20-level walk whose every level is one of two functions, by
#           the bits of the allocation's index).
# Targets (issue 20): exact <= 2x plain on cchurn and cxx, <= 3x on unique,
# node <= 1.05x; --sample-rate 512K <= 1.05x everywhere; trace and memory
# no larger than heaptrack's.
#
#   CASES="tracking node leakcheck cchurn cxx unique"   which cases to run
#   PAIRS=6000000                malloc/free pairs (tracking)
#   ROUNDS=100000                iterations of the node workload
#   BLOCKS=3000000               live blocks at exit (leakcheck)
#   PASSES=50                    walks over the heap in the second leakcheck run
#   VALGRIND=0                   skip memcheck (slow: ~25x)
#   RUNS=3                       best-of-N wall time (the tools that are not Memcheck)
#   PEERS=0                      leakhound only (cchurn, cxx, unique): to compare builds
#   SAMPLE_RATE=512K             the --sample-rate rows' rate
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/${LEAKHOUND_BUILD:-build}"
cases=${CASES:-tracking node leakcheck cchurn cxx unique}
cxx_rounds=${CXX_ROUNDS:-900000}
unique=${UNIQUE:-1000000}
sample_rate=${SAMPLE_RATE:-512K}
lsan=/usr/lib/x86_64-linux-gnu/liblsan.so.0
rounds=${ROUNDS:-100000}
pairs=${PAIRS:-6000000}
blocks=${BLOCKS:-3000000}
passes=${PASSES:-50}
runs=${RUNS:-3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/leakhound-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
[ -x "$build/leakhound" ] && [ -f "$build/libleakhound-preload.so" ] || { echo "build first: make" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (Debian package time)" >&2; exit 1; }

# measure NAME CMD...: best-of-$runs wall seconds, with the CPU seconds (user
# + system, steadier than wall time on a shared machine) and max RSS (KiB)
# of that run; the command's stderr is kept in $tmp/NAME.err.
declare -A wall cpu rss
measure() {
	local name=$1
	shift
	local best="" best_cpu=0 best_rss=0 secs kib user sys
	for _ in $(seq "$runs"); do
		/usr/bin/time -f "%e %M %U %S" -o "$tmp/time" "$@" >/dev/null 2>"$tmp/$name.err" ||
			{ echo "$name failed: $(tail -3 "$tmp/$name.err")" >&2; return 0; }
		read -r secs kib user sys <"$tmp/time"
		if [ -z "$best" ] || awk "BEGIN{exit !($secs < $best)}"; then
			best=$secs best_rss=$kib best_cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN{print u + s}')
		fi
	done
	wall[$name]=$best
	cpu[$name]=$best_cpu
	rss[$name]=$best_rss
}

# print_table PLAIN NAME...: the rows measured, as ratios to PLAIN.
print_table() {
	local plain=$1 name
	shift
	printf '  %-20s %9s %8s %8s %8s %11s %8s\n' tool wall_s ratio cpu_s ratio peak_rss_MB ratio
	for name in "$@"; do
		[ -n "${wall[$name]:-}" ] || continue
		awk -v n="$name" -v w="${wall[$name]}" -v pw="${wall[$plain]}" -v c="${cpu[$name]}" -v pc="${cpu[$plain]}" \
			-v r="${rss[$name]}" -v pr="${rss[$plain]}" \
			'BEGIN { printf "  %-20s %9.2f %7.1fx %8.2f %7.1fx %11.1f %7.1fx\n", n, w, w / pw, c, c / pc, r / 1024, r / pr }'
	done
}

memcheck_wanted() {
	[ "${VALGRIND:-1}" != 0 ] && command -v valgrind >/dev/null
}

tracking_case() {
	cat >"$tmp/work.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static void *volatile keep[4096];
static size_t live;
#define LEVEL(n, next) __attribute__((noinline)) static void f##n(size_t i, int d) { \
	if (d > 0) { next(i, d - 1); keep[(i * 7) & 4095] = keep[(i * 7) & 4095]; return; } \
	size_t k = (i * 2654435761u) & 4095; \
	free(keep[k]); \
	keep[k] = malloc(16 + (i % 8) * 24 + n); \
	if (i % 1000 == 0) live++; }
static void f9(size_t i, int d) { (void)i; (void)d; }
LEVEL(8, f9) LEVEL(7, f8) LEVEL(6, f7) LEVEL(5, f6) LEVEL(4, f5) LEVEL(3, f4) LEVEL(2, f3) LEVEL(1, f2) LEVEL(0, f1)
typedef void (*site_fn)(size_t, int);
#define SITE(s) __attribute__((noinline)) static void site##s(size_t i) { f0(i, (int)((i >> 3) % 9)); }
SITE(0) SITE(1) SITE(2) SITE(3) SITE(4) SITE(5) SITE(6) SITE(7)
static void (*const sites[8])(size_t) = { site0, site1, site2, site3, site4, site5, site6, site7 };
int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 6000000;
	for (size_t i = 0; i < n; i++)
		sites[i % 8](i);
	for (size_t k = 0; k < 4096; k++)
		free(keep[k]);
	printf("%zu\n", live);
	return 0;
}
C
	gcc -O2 -g -fomit-frame-pointer -o "$tmp/work" "$tmp/work.c"
	measure plain "$tmp/work" "$pairs"
	measure leakhound "$build/leakhound" run -q -f -o "$tmp/w.lhtrace" -- "$tmp/work" "$pairs"
	measure leakhound-check "$build/leakhound" run -q -f --leak-check -o "$tmp/wc.lhtrace" -- "$tmp/work" "$pairs"
	measure leakhound-sampled "$build/leakhound" run -q -f --sample-rate "$sample_rate" -o "$tmp/ws.lhtrace" -- "$tmp/work" "$pairs"
	command -v heaptrack >/dev/null && measure heaptrack heaptrack -r -o "$tmp/ht" "$tmp/work" "$pairs"
	memcheck_wanted && runs=1 measure memcheck valgrind --tool=memcheck --leak-check=full -q "$tmp/work" "$pairs"

	printf '%s malloc/free pairs (C, -O2, no frame pointers)\n' "$pairs"
	print_table plain plain leakhound leakhound-check leakhound-sampled heaptrack memcheck
	[ -f "$tmp/w.lhtrace" ] || return 0
	"$build/leakhound" report "$tmp/w.lhtrace" >/dev/null
	/usr/bin/time -f "%e %M" -o "$tmp/time" "$build/leakhound" report "$tmp/w.lhtrace" >/dev/null
	read -r secs kib <"$tmp/time"
	printf '  report of the leakhound trace (%s bytes): %.2f s, %.1f MB peak RSS\n' "$(stat -c %s "$tmp/w.lhtrace")" "$secs" "$(awk -v k="$kib" 'BEGIN{print k/1024}')"
}

node_case() {
	command -v node >/dev/null || { echo "node case: node is not installed" >&2; return 0; }
	cat >"$tmp/work.js" <<'JS'
const zlib = require('zlib');
const rounds = Number(process.argv[2] || 20000);
let keep = [], total = 0;
for (let i = 0; i < rounds; i++) {
	const obj = { id: i, name: 'item' + i, tags: ['a', 'b', String(i % 97)], nested: { x: i * 3, y: [i, i + 1, i + 2] } };
	const json = JSON.stringify(obj);
	const buf = Buffer.from(json.repeat(4));
	const back = zlib.inflateSync(zlib.deflateSync(buf));
	total += JSON.parse(back.toString().slice(0, json.length)).id + Buffer.alloc(64 + (i % 512)).length + buf.toString('hex').length;
	keep.push(Buffer.allocUnsafe(100 + (i % 200)));
	if (keep.length > 500) keep = [];
}
console.log(total);
JS
	measure node-plain node "$tmp/work.js" "$rounds"
	measure node-leakhound "$build/leakhound" run -q -f -o "$tmp/n.lhtrace" -- node "$tmp/work.js" "$rounds"
	measure node-sampled "$build/leakhound" run -q -f --sample-rate "$sample_rate" -o "$tmp/ns.lhtrace" -- node "$tmp/work.js" "$rounds"
	command -v heaptrack >/dev/null && measure node-heaptrack heaptrack -r -o "$tmp/nht" node "$tmp/work.js" "$rounds"
	memcheck_wanted && runs=1 measure node-memcheck valgrind --tool=memcheck -q node "$tmp/work.js" "$rounds"
	printf 'node: %s rounds of JSON, Buffers and zlib\n' "$rounds"
	print_table node-plain node-plain node-leakhound node-sampled node-heaptrack node-memcheck
	[ -f "$tmp/n.lhtrace" ] && "$build/leakhound" report --json "$tmp/n.lhtrace" |
		node -e 'let s = ""; process.stdin.on("data", (d) => s += d).on("end", () => console.log(`  allocation calls tracked: ${JSON.parse(s).allocations}`));'
	return 0
}

# leakcheck_row PASSES: the heap program with PASSES walks over its
# reachable lists, plain and under each tool.
leakcheck_row() {
	local passes=$1 name
	measure "plain-$passes" "$tmp/heap" "$blocks" "$passes"
	measure "leakhound-$passes" "$build/leakhound" run -q -f -o "$tmp/h0.lhtrace" -- "$tmp/heap" "$blocks" "$passes"
	measure "leakhound-check-$passes" "$build/leakhound" run -f --leak-check -o "$tmp/h.lhtrace" -- "$tmp/heap" "$blocks" "$passes"
	memcheck_wanted && runs=1 measure "memcheck-$passes" valgrind --leak-check=full "$tmp/heap" "$blocks" "$passes"
	printf '%s live blocks at exit, %s walks over the reachable half (C, -O2)\n' "$blocks" "$passes"
	print_table "plain-$passes" "plain-$passes" "leakhound-$passes" "leakhound-check-$passes" "memcheck-$passes"
	for name in "leakhound-check-$passes" "memcheck-$passes"; do
		[ -n "${wall[$name]:-}" ] || continue
		echo "  $name:"
		grep -E '(definitely|indirectly|possibly) lost:|still reachable:' "$tmp/$name.err" | sed -E 's/^==[0-9]+== *//; s/^ */    /' || true
	done
	[ -n "${wall[leakhound-check-$passes]:-}" ] || return 0
	"$build/leakhound" report --json "$tmp/h.lhtrace" >"$tmp/h.json"
	node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
		const c = (r.leak_checks || []).find((k) => k.final);
		if (c && c.scan_ns !== undefined) console.log(`  leakhound scan at exit: ${(c.scan_ns / 1e6).toFixed(0)} ms (threads stopped, roots and heap scanned, blocks classified)`);' "$tmp/h.json"
}

leakcheck_case() {
	cat >"$tmp/heap.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#define PER_LIST 1000
struct node { struct node *next; void *interior; long payload[]; };
struct node **heads; /* not static: -O2 would drop the stores to an array nobody reads */
/* List l by l % 4: 0 lost (head definitely, tail indirectly lost); 1 lost,
 * but list l+1 points 16 bytes into its head (possibly lost, all of it);
 * 2 and 3 reachable from heads[]. Then `passes` walks over the reachable
 * lists, reading each node: work that is not allocation. */
int main(int argc, char **argv)
{
	size_t blocks = argc > 1 ? strtoull(argv[1], NULL, 10) : 3000000;
	int passes = argc > 2 ? atoi(argv[2]) : 0;
	size_t lists = blocks / PER_LIST, sum = 0;
	heads = calloc(lists, sizeof *heads);
	struct node *previous_head = NULL;
	for (size_t l = 0; l < lists; l++) {
		struct node *head = NULL;
		for (size_t i = 0; i < PER_LIST; i++) {
			struct node *n = malloc(sizeof *n + 8 * ((l + i) % 6 + 1));
			n->next = head;
			n->interior = l % 4 == 2 && i % 16 == 0 ? (char *)previous_head + 16 : NULL;
			n->payload[0] = (long)i;
			head = n;
		}
		if (l % 4 >= 2)
			heads[l] = head;
		previous_head = head;
	}
	for (int p = 0; p < passes; p++)
		for (size_t l = 0; l < lists; l++)
			for (struct node *n = heads[l]; n; n = n->next)
				sum += (size_t)n->payload[0];
	printf("%zu lists of %d blocks, %zu\n", lists, PER_LIST, sum);
	return 0;
}
C
	gcc -O2 -g -o "$tmp/heap" "$tmp/heap.c"
	leakcheck_row 0
	leakcheck_row "$passes"
}

# peer_rows CASE CMD...: CMD plain and under each tool, then the table (ratios to plain)
# and the size of each tool's trace.
peer_rows() {
	local case=$1 name
	shift
	measure "$case-plain" "$@"
	measure "$case-leakhound" "$build/leakhound" run -q -f -o "$tmp/$case.lhtrace" -- "$@"
	measure "$case-sampled" "$build/leakhound" run -q -f --sample-rate "$sample_rate" -o "$tmp/$case-s.lhtrace" -- "$@"
	if [ "${PEERS:-1}" != 0 ] && command -v heaptrack >/dev/null; then
		rm -f "$tmp/$case-ht"*
		measure "$case-heaptrack" heaptrack -r -o "$tmp/$case-ht" "$@"
	fi
	[ "${PEERS:-1}" != 0 ] && [ -f "$lsan" ] && LSAN_OPTIONS=detect_leaks=1:exitcode=0 measure "$case-lsan" env LD_PRELOAD="$lsan" "$@"
	[ "${PEERS:-1}" != 0 ] && memcheck_wanted && runs=1 measure "$case-memcheck" valgrind --tool=memcheck --leak-check=full -q "$@"
	print_table "$case-plain" "$case-plain" "$case-leakhound" "$case-sampled" "$case-heaptrack" "$case-lsan" "$case-memcheck"
	local ht
	ht=$(cat "$tmp/$case-ht"* 2>/dev/null | wc -c || true)
	printf '  trace bytes: leakhound %s, --sample-rate %s %s, heaptrack -r %s\n' "$(stat -c %s "$tmp/$case.lhtrace" 2>/dev/null)" \
		"$sample_rate" "$(stat -c %s "$tmp/$case-s.lhtrace" 2>/dev/null)" "$ht"
	if [ -f "$tmp/$case.lhtrace" ]; then
		/usr/bin/time -f "%e %M" -o "$tmp/time" "$build/leakhound" report "$tmp/$case.lhtrace" >/dev/null
		read -r secs kib <"$tmp/time"
		printf '  report of the leakhound trace: %.2f s, %.1f MB peak RSS\n' "$secs" "$(awk -v k="$kib" 'BEGIN{print k/1024}')"
	fi
}

cchurn_case() {
	cat >"$tmp/cchurn.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
static void *volatile keep[4096];
static volatile size_t sink;
static void ping(size_t i, int d);
__attribute__((noinline)) static void leaf(size_t i)
{
	size_t k = (i * 2654435761u) & 4095;
	free(keep[k]);
	keep[k] = malloc(16 + (i % 8) * 24);
}
/* Mutual recursion; the store after each call keeps it from being a tail call. */
__attribute__((noinline)) static void pong(size_t i, int d)
{
	if (d <= 0)
		leaf(i);
	else
		ping(i, d - 1);
	sink += (size_t)d;
}
__attribute__((noinline)) static void ping(size_t i, int d)
{
	if (d <= 0)
		leaf(i);
	else
		pong(i ^ 1, d - 1);
	sink += (size_t)d;
}
#define SITE(s) __attribute__((noinline)) static void site##s(size_t i) { (i & 1 ? ping : pong)(i, 1 + (int)((i >> 3) % 11)); sink++; }
SITE(0) SITE(1) SITE(2) SITE(3) SITE(4) SITE(5) SITE(6) SITE(7)
static void (*const sites[8])(size_t) = { site0, site1, site2, site3, site4, site5, site6, site7 };
int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 6000000;
	for (size_t i = 0; i < n; i++)
		sites[i % 8](i);
	for (size_t k = 0; k < 4096; k++)
		free(keep[k]);
	printf("%zu\n", sink);
	return 0;
}
C
	gcc -O2 -g -fomit-frame-pointer -o "$tmp/cchurn" "$tmp/cchurn.c"
	printf '%s malloc/free pairs through mutual recursion, 5-15 frames (C, -O2, no frame pointers)\n' "$pairs"
	peer_rows cchurn "$tmp/cchurn" "$pairs"
}

cxx_case() {
	command -v g++ >/dev/null || { echo "cxx case: g++ is not installed" >&2; return 0; }
	cat >"$tmp/cxx.cpp" <<'CXX'
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>
#include <vector>
static void churn(unsigned seed, long rounds, size_t *out)
{
	std::map<std::string, std::vector<int>> m;
	unsigned x = seed;
	for (long i = 0; i < rounds; i++) {
		x = x * 1103515245u + 12345u;
		std::string key = "a-key-longer-than-sso-" + std::to_string(x % 4096);
		if (x & 0x10000) {
			auto &v = m[key];
			for (unsigned k = 0; k < (x >> 20) % 12; k++)
				v.push_back((int)k);
		} else {
			m.erase(key);
		}
	}
	*out = m.size();
}
int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 400000;
	size_t a = 0, b = 0;
	std::thread t1(churn, 1u, rounds, &a), t2(churn, 2u, rounds, &b);
	t1.join();
	t2.join();
	printf("%zu\n", a + b);
	return 0;
}
CXX
	g++ -O2 -g -pthread -o "$tmp/cxx" "$tmp/cxx.cpp"
	printf 'C++ std::map<std::string, std::vector<int>> churn, 2 threads x %s rounds (-O2)\n' "$cxx_rounds"
	peer_rows cxx "$tmp/cxx" "$cxx_rounds"
}

unique_case() {
	command -v g++ >/dev/null || { echo "unique case: g++ is not installed" >&2; return 0; }
	cat >"$tmp/unique.cpp" <<'CXX'
#include <cstdio>
#include <cstdlib>
#include <string>
static std::string *keep[1024];
static volatile unsigned sink;
template <int D> struct level;
/* Two functions per level: the call at each level is one or the other by bit D of i, so each i below 2^20 has a stack of its own. */
template <int D> struct level {
	__attribute__((noinline)) static void a(unsigned i) { (i >> D & 1 ? level<D - 1>::a : level<D - 1>::b)(i); sink++; }
	__attribute__((noinline)) static void b(unsigned i) { (i >> D & 1 ? level<D - 1>::a : level<D - 1>::b)(i); sink += 2; }
};
template <> struct level<-1> {
	__attribute__((noinline)) static void a(unsigned i) { delete keep[i % 1024]; keep[i % 1024] = new std::string(40 + i % 17, 'x'); }
	__attribute__((noinline)) static void b(unsigned i) { delete keep[i % 1024]; keep[i % 1024] = new std::string(40 + i % 23, 'y'); }
};
int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)atol(argv[1]) : 1000000;
	for (unsigned i = 0; i < n; i++)
		level<19>::a(i);
	for (auto *s : keep)
		delete s;
	printf("%u\n", sink);
	return 0;
}
CXX
	g++ -O2 -g -o "$tmp/unique" "$tmp/unique.cpp"
	printf 'C++, %s allocations each from a call stack of its own (22 frames, -O2)\n' "$unique"
	peer_rows unique "$tmp/unique" "$unique"
}

for c in $cases; do
	case $c in
	tracking) tracking_case ;;
	node) node_case ;;
	leakcheck) leakcheck_case ;;
	cchurn) cchurn_case ;;
	cxx) cxx_case ;;
	unique) unique_case ;;
	*) echo "unknown case $c (tracking, node, leakcheck, cchurn, cxx, unique)" >&2; exit 2 ;;
	esac
done
