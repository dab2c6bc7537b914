#!/usr/bin/env bash
# bench/native.sh - the native tracker's overhead: an allocation-heavy C
# program (-O2 -g, no frame pointers; ~6 million malloc/free pairs through
# 5-15-frame stacks from 8 sites) run plain, under `leakhound run`, under
# heaptrack and under valgrind memcheck (each if installed), with wall-time
# and peak-RSS ratios against plain. Also times `leakhound report` on the
# trace.
#   PAIRS=6000000   malloc/free pairs
#   VALGRIND=0      skip memcheck (slow: ~25x)
#   RUNS=3          best-of-N wall time
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/${LEAKHOUND_BUILD:-build}"
pairs=${PAIRS:-6000000}
runs=${RUNS:-3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/leakhound-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
[ -x "$build/leakhound" ] && [ -f "$build/libleakhound-preload.so" ] || { echo "build first: make" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (Debian package time)" >&2; exit 1; }

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

# measure NAME CMD...: best-of-$runs wall seconds and the max RSS (KiB) of that run.
declare -A wall rss
measure() {
	local name=$1
	shift
	local best="" best_rss=0
	for _ in $(seq "$runs"); do
		/usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err" || { echo "$name failed: $(tail -3 "$tmp/err")" >&2; return 0; }
		read -r secs kib <"$tmp/time"
		if [ -z "$best" ] || awk "BEGIN{exit !($secs < $best)}"; then best=$secs best_rss=$kib; fi
	done
	wall[$name]=$best
	rss[$name]=$best_rss
}

measure plain "$tmp/work" "$pairs"
measure leakhound "$build/leakhound" run -q -o "$tmp/w.lhtrace" -- "$tmp/work" "$pairs"
command -v heaptrack >/dev/null && measure heaptrack heaptrack -r -o "$tmp/ht" "$tmp/work" "$pairs"
if [ "${VALGRIND:-1}" != 0 ] && command -v valgrind >/dev/null; then
	runs=1 measure memcheck valgrind --tool=memcheck --leak-check=full -q "$tmp/work" "$pairs"
fi

printf '%s malloc/free pairs (C, -O2, no frame pointers)\n' "$pairs"
printf '  %-10s %9s %8s %11s %8s\n' tool wall_s ratio peak_rss_MB ratio
for name in plain leakhound heaptrack memcheck; do
	[ -n "${wall[$name]:-}" ] || continue
	awk -v n="$name" -v w="${wall[$name]}" -v pw="${wall[plain]}" -v r="${rss[$name]}" -v pr="${rss[plain]}" \
		'BEGIN { printf "  %-10s %9.2f %7.1fx %11.1f %7.1fx\n", n, w, w / pw, r / 1024, r / pr }'
done
start=$(date +%s.%N)
"$build/leakhound" report "$tmp/w.lhtrace" >/dev/null
/usr/bin/time -f "%e %M" -o "$tmp/time" "$build/leakhound" report "$tmp/w.lhtrace" >/dev/null
read -r secs kib <"$tmp/time"
printf '  report of the leakhound trace (%s bytes): %.2f s, %.1f MB peak RSS\n' "$(stat -c %s "$tmp/w.lhtrace")" "$secs" "$(awk -v k="$kib" 'BEGIN{print k/1024}')"
