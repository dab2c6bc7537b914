#!/usr/bin/env bash
# bench/trend.sh [MB] [COUNT] - `leakhound trend` over COUNT (default 5)
# snapshots of about MB megabytes each (default 500) written by one growing
# Node process, against `leakhound summary` of one of them: time and peak
# RSS, to show that a series costs about the memory of one snapshot.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
mb=${1:-500}
count=${2:-5}
dir="$here/data/series-${mb}mb"
make -s -C "$root" all >/dev/null
if [ ! -f "$dir/s$count.heapsnapshot" ]; then
	mkdir -p "$dir"
	node --max-old-space-size=16384 "$here/gen-heap.js" --target-mb "$mb" --series "$count" --out "$dir/s" >&2
fi
files=()
for i in $(seq 1 "$count"); do files+=("$dir/s$i.heapsnapshot"); done
cat "${files[@]}" >/dev/null
run() {
	local label=$1 t
	shift
	t=$(mktemp)
	taskset -c 0 /usr/bin/time -v -o "$t" "$@" >/dev/null
	awk -v l="$label" -F': ' '/Elapsed/ { e = $2 } /User time/ { u = $2 } /System time/ { s = $2 }
		/Maximum resident/ { r = $2 / 1024 } END { printf "%-34s cpu %6.2f s  wall %8s  peak RSS %6.0f MB\n", l, u + s, e, r }' "$t"
	rm -f "$t"
}
echo "$count snapshots of $(du -m "${files[0]}" | cut -f1) MB each:"
run "summary (one snapshot)" "$root/build/leakhound" summary "${files[-1]}"
run "trend ($count snapshots)" "$root/build/leakhound" trend "${files[@]}"
run "check ($count snapshots)" "$root/build/leakhound" check "${files[@]}" || true
