#!/usr/bin/env bash
# bench/top.sh [SIZES...] - `leakhound top` (parse + dominators + retained sizes)
# against DevTools' own heap snapshot worker (tests/oracles/devtools) and
# memlab 2.0.5 (getFullHeapFromFile) on the same files, in one run, each on
# one core under /usr/bin/time -v. Prints wall and CPU seconds (and the
# system part of CPU: mostly the kernel zeroing fresh pages, which on a VM
# can swing from run to run), peak RSS, and the peers' CPU time over
# leakhound's. Snapshots come from bench/summary.sh's cache
# ($BENCH_DATA, default bench/data: heap-<N>mb.heapsnapshot, or
# shapes-<N>mb.heapsnapshot with BENCH_GEN=shapes; generated if missing).
#   LEAKHOUND=PATH          binary to test (default: build/leakhound, built with make)
#   BENCH_CPU=LIST          cores to pin every tool to (taskset -c; default 0)
#   BENCH_SKIP_PEERS_MB=N   run the peers only on files below N MB
#   BENCH_WARM=1            just before each tool, a throwaway process touches
#                           and frees 4x the file's size in fresh memory. This
#                           VM hands memory freed for a few seconds back to
#                           its host, and the next first touch of it then costs
#                           ~1.7 s per GB of system time (0.12 vs 0.82 s for
#                           leakhound on 500 MB, same work): warm runs measure
#                           the tools on a machine whose memory stays backed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
data=${BENCH_DATA:-$here/data}
case ${BENCH_GEN:-gen-heap} in
	gen-heap) prefix=heap ;;
	shapes) prefix=shapes ;;
	*) echo "top.sh: BENCH_GEN must be gen-heap or shapes" >&2; exit 2 ;;
esac
sizes=("${@:-100 500 1500}")
read -r -a sizes <<<"${sizes[*]}"
skip_peers_mb=${BENCH_SKIP_PEERS_MB:-100000}
warm=${BENCH_WARM:-0}

lh=${LEAKHOUND:-$root/build/leakhound}
cpu=${BENCH_CPU:-0}
[ -n "${LEAKHOUND:-}" ] || make -s -C "$root" all >/dev/null
[ -d "$here/node_modules" ] || (cd "$here" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null)
node "$root/tests/oracles/devtools/build.mjs" >/dev/null

# warm_memory MB: touch and free MB of memory in a throwaway process (see BENCH_WARM).
warm_memory() {
	node -e 'const mb = Number(process.argv[1]), held = [];
for (let i = 0; i < mb; i += 1024) held.push(Buffer.alloc(Math.min(1024, mb - i) * 1048576, 1));' "$1"
}

# measure LABEL CMD...: prints "LABEL wall cpu rss_mib sys" or "LABEL failed"; warms memory first if asked.
measure() {
	local label=$1 t
	shift
	t=$(mktemp)
	[ "$warm" = 0 ] || warm_memory "$warm_mb"
	if taskset -c "$cpu" /usr/bin/time -v -o "$t" "$@" >/dev/null 2>"$t.err"; then
		awk -v l="$label" -F': ' '
			/Elapsed \(wall clock\)/ { n = split($2, p, ":"); w = (n == 3) ? p[1] * 3600 + p[2] * 60 + p[3] : p[1] * 60 + p[2] }
			/User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident/ { r = $2 / 1024 }
			END { printf "%s %.2f %.2f %.1f %.2f\n", l, w, u + s, r, s }' "$t"
	else
		echo "$label failed: $(tail -1 "$t.err")"
	fi
	rm -f "$t" "$t.err"
}

printf '%-28s %-10s %8s %8s %8s %9s %9s %10s\n' file tool "wall s" "cpu s" "sys s" "RSS MiB" "RSS/file" "x leakhound"
for n in "${sizes[@]}"; do
	f="$data/$prefix-${n}mb.heapsnapshot"
	[ -f "$f" ] || bash "$here/summary.sh" "$n" >/dev/null
	cat "$f" >/dev/null
	warm_mb=$((4 * $(stat -c %s "$f") >> 20))
	rows=("$(measure leakhound "$lh" top "$f")")
	if [ "$n" -lt "$skip_peers_mb" ]; then
		rows+=("$(measure devtools node --max-old-space-size=16384 "$root/tests/oracles/devtools/dump.mjs" -q --no-class "$f" --out /dev/null)")
		rows+=("$(TMPDIR=$(mktemp -d) measure memlab node --max-old-space-size=16384 "$here/memlab-load.js" "$f")")
	fi
	base=$(echo "${rows[0]}" | awk '{ print $3 }')
	file_mib=$(stat -c %s "$f" | awk '{ print $1 / 1048576 }')
	for row in "${rows[@]}"; do
		echo "$row" | awk -v f="$(basename "$f")" -v b="$base" -v size="$file_mib" '
			$2 == "failed:" { printf "%-28s %-10s %s\n", f, $1, $0; next }
			{ printf "%-28s %-10s %8s %8s %8s %9s %9.3f %10.1f\n", f, $1, $2, $3, $5, $4, $4 / size, ($3 > 0 && b > 0) ? $3 / b : 0 }'
	done
done
