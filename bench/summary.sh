#!/usr/bin/env bash
# Benchmark of `leakhound summary` (the snapshot reader) against its peers:
# memlab's getFullHeapFromFile and a plain JSON.parse.
#
#   bench/summary.sh [SIZES_MB...]        default: 100 500 1500
#
# For each size N it makes bench/data/heap-<N>mb.heapsnapshot with
# gen-heap.js (or shapes-<N>mb.heapsnapshot with gen-heap-shapes.js, see
# BENCH_GEN) unless it is already there (cached), warms the page cache with
# `cat FILE >/dev/null`, then runs each tool once, pinned to core 0 with
# `taskset -c 0`, under `/usr/bin/time -v`. For the smallest size it also
# runs leakhound on a gzip -1 copy (cached too). It prints one aligned table;
# the raw rows also go to bench/data/summary-last.tsv.
#
# Environment:
#   LEAKHOUND=PATH          binary to test (default: build/leakhound, built with make)
#   BENCH_SKIP_MEMLAB_MB=N  skip memlab for files of N MB or more (e.g. 1000)
#   BENCH_SKIP_JSONPARSE=1  skip the JSON.parse reader
#   BENCH_NODE_HEAP_MB=N    --max-old-space-size for the node tools (default 16384)
#   BENCH_DATA=DIR          where snapshots are kept (default bench/data)
#   BENCH_GEN=NAME          the generator: gen-heap (default; files heap-<N>mb.*) or
#                           shapes (gen-heap-shapes.js; files shapes-<N>mb.*)
#   BENCH_CPU=N             core to pin the tools to (default 0)
#   BENCH_RUNS=N            run each tool N times; report the best wall time
#                           and the highest peak RSS (default 1)
set -u

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
DATA=${BENCH_DATA:-$BENCH_DIR/data}
NODE_HEAP_MB=${BENCH_NODE_HEAP_MB:-16384}
CPU=${BENCH_CPU:-0}
SKIP_MEMLAB_MB=${BENCH_SKIP_MEMLAB_MB:-}
SKIP_JSONPARSE=${BENCH_SKIP_JSONPARSE:-}
RUNS=${BENCH_RUNS:-1}
case ${BENCH_GEN:-gen-heap} in
  gen-heap) GEN=gen-heap.js PREFIX=heap;;
  shapes) GEN=gen-heap-shapes.js PREFIX=shapes;;
  *) echo "summary.sh: BENCH_GEN must be gen-heap or shapes" >&2; exit 2;;
esac
case $RUNS in ''|*[!0-9]*|0) echo "summary.sh: BENCH_RUNS must be a positive whole number" >&2; exit 2;; esac

if [ $# -gt 0 ]; then SIZES=("$@"); else SIZES=(100 500 1500); fi
for s in "${SIZES[@]}"; do
  case $s in ''|*[!0-9]*) echo "summary.sh: size must be a whole number of MB: $s" >&2; exit 2;; esac
done

mkdir -p "$DATA" || exit 1
SCRATCH=$DATA/tmp
mkdir -p "$SCRATCH"
RUNDIR=$(mktemp -d "$SCRATCH/run.XXXXXX")
trap 'rm -rf "$RUNDIR"' EXIT

log() { echo "summary.sh: $*" >&2; }

# ---- tools this script needs ----------------------------------------------
if [ ! -x /usr/bin/time ]; then
  log "/usr/bin/time missing: installing Debian package 'time'"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y time >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y time >/dev/null 2>&1; }
  fi
  [ -x /usr/bin/time ] || { log "cannot install 'time' (apt-get install time)"; exit 1; }
fi
command -v taskset >/dev/null || { log "taskset missing (Debian package util-linux)"; exit 1; }
command -v node >/dev/null || { log "node missing"; exit 1; }

if [ ! -d "$BENCH_DIR/node_modules/@memlab/heap-analysis" ]; then
  log "installing memlab into bench/node_modules (npm ci)"
  (cd "$BENCH_DIR" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund >"$DATA/npm-ci.log" 2>&1) \
    || log "npm ci failed (see $DATA/npm-ci.log): memlab rows will fail"
fi

# ---- leakhound binary -----------------------------------------------------
LH_BUILD_ERR=
if [ -n "${LEAKHOUND:-}" ]; then
  LH=$LEAKHOUND
  [ -x "$LH" ] || LH_BUILD_ERR="LEAKHOUND=$LH is not executable"
else
  LH=$ROOT/build/leakhound
  log "building leakhound (make -C $ROOT build/leakhound)"
  if ! make -C "$ROOT" build/leakhound >"$DATA/build.log" 2>&1; then
    log "make build/leakhound failed; trying plain make"
    make -C "$ROOT" >>"$DATA/build.log" 2>&1
  fi
  if [ ! -x "$LH" ]; then
    LH_BUILD_ERR="build failed (see ${DATA#"$ROOT"/}/build.log)"
    log "leakhound: $LH_BUILD_ERR"
    tail -n 5 "$DATA/build.log" | sed 's/^/  make: /' >&2
  fi
fi

# ---- helpers --------------------------------------------------------------
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

gen_heap() {  # gen_heap N FILE
  local n=$1 out=$2 tmp="$2.partial"
  log "generating $out with $GEN (~$n MB; about $((n / 10 + 5)) s, RAM ~5x the file size)"
  if node --max-old-space-size="$NODE_HEAP_MB" "$BENCH_DIR/$GEN" --target-mb "$n" --out "$tmp" \
       >"$out.gen.json" 2>"$out.gen.log"; then
    mv "$tmp" "$out"
  else
    rm -f "$tmp"
    log "generation failed:"; tail -n 5 "$out.gen.log" >&2
    return 1
  fi
}

# run_tool NAME FILE CMD... : runs CMD pinned, under /usr/bin/time -v; appends
# a row to $ROWS: file bytes tool status wall rss reason
ROWS=$RUNDIR/rows.tsv
: >"$ROWS"
run_tool() {
  local tool=$1 file=$2 bytes=$3; shift 3
  local tv=$RUNDIR/time.txt out=$RUNDIR/out.txt err=$RUNDIR/err.txt
  local r t0 t1 rc=0 w rss=0 m c cpu=0 wall="" reason=""
  for ((r = 1; r <= RUNS; r++)); do
    if [ "$RUNS" -gt 1 ]; then log "$tool: $(basename "$file") (run $r/$RUNS)"; else log "$tool: $(basename "$file")"; fi
    cat "$file" >/dev/null   # warm page cache
    t0=$(date +%s%N)
    taskset -c "$CPU" /usr/bin/time -v -o "$tv" "$@" >"$out" 2>"$err" </dev/null
    rc=$?
    t1=$(date +%s%N)
    w=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    if [ $rc -ne 0 ]; then
      wall=$w
      if grep -q 'terminated by signal' "$tv" 2>/dev/null; then
        reason=$(grep -o 'terminated by signal [0-9]*' "$tv" | head -n1)
        grep -q 'signal 9' "$tv" && reason="$reason (killed: out of memory?)"
      else
        reason=$(grep -o 'failed: .*' "$err" | head -n1 | sed 's/^failed: //')
        [ -n "$reason" ] || reason=$(grep -v '^\s*$' "$err" | grep -v '^.\[K' | tail -n1)
        [ -n "$reason" ] || reason="exit status $rc"
      fi
      reason=$(printf '%s' "$reason" | tr '\t\r\n' '   ' | cut -c1-70)
      log "  failed after ${w}s: $reason"
      break
    fi
    m=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tv" 2>/dev/null)
    c=$(awk -F': ' '/User time \(seconds\)|System time \(seconds\)/ { t += $2 } END { printf "%.2f", t }' "$tv" 2>/dev/null)
    log "  ${w}s wall, ${c}s CPU, peak RSS $((${m:-0} / 1024)) MB"
    # best (lowest) wall time over the runs, with that run's CPU time; highest peak RSS
    if [ -z "$wall" ] || awk -v a="$w" -v b="$wall" 'BEGIN { exit !(a < b) }'; then wall=$w; cpu=$c; fi
    [ "${m:-0}" -gt "$rss" ] && rss=${m:-0}
  done
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(basename "$file")" "$bytes" "$tool" "$rc" "$wall" "$rss" "$reason" "$cpu" >>"$ROWS"
  # keep the tools' own output of the last run of each tool for inspection
  cp "$out" "$DATA/last-$tool.out" 2>/dev/null; cp "$err" "$DATA/last-$tool.err" 2>/dev/null
}

fail_row() {  # fail_row FILE BYTES TOOL REASON
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(basename "$1")" "$2" "$3" 1 0 0 "$4" 0 >>"$ROWS"
}

# ---- the runs -------------------------------------------------------------
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
SMALLEST=$(printf '%s\n' "${SIZES[@]}" | sort -n | head -n1)
NODEFLAGS=(--max-old-space-size="$NODE_HEAP_MB")
export BENCH_SCRATCH=$SCRATCH

for n in "${SIZES[@]}"; do
  f=$DATA/$PREFIX-${n}mb.heapsnapshot
  if [ ! -s "$f" ]; then
    gen_heap "$n" "$f" || { fail_row "$f" 0 generate "$GEN failed"; continue; }
  fi
  bytes=$(stat -c %s "$f")
  cat "$f" >/dev/null   # warm page cache: every tool reads from memory

  if [ -n "$LH_BUILD_ERR" ]; then fail_row "$f" "$bytes" leakhound "$LH_BUILD_ERR"
  else run_tool leakhound "$f" "$bytes" "$LH" summary "$f"; fi

  if [ -n "$SKIP_MEMLAB_MB" ] && [ "$n" -ge "$SKIP_MEMLAB_MB" ]; then
    fail_row "$f" "$bytes" memlab "skipped (BENCH_SKIP_MEMLAB_MB=$SKIP_MEMLAB_MB)"
  else
    run_tool memlab "$f" "$bytes" node "${NODEFLAGS[@]}" "$BENCH_DIR/memlab-load.js" "$f"
  fi

  if [ -n "$SKIP_JSONPARSE" ]; then
    fail_row "$f" "$bytes" JSON.parse "skipped (BENCH_SKIP_JSONPARSE)"
  else
    run_tool JSON.parse "$f" "$bytes" node "${NODEFLAGS[@]}" "$BENCH_DIR/jsonparse-load.js" "$f"
  fi

  if [ "$n" = "$SMALLEST" ]; then
    gz=$f.gz
    if [ ! -s "$gz" ] || [ "$f" -nt "$gz" ]; then
      log "compressing $(basename "$f") with gzip -1"
      gzip -1 -c "$f" >"$gz.partial" && mv "$gz.partial" "$gz"
    fi
    # MB/s for the .gz row is over the uncompressed size (the same snapshot).
    if [ -n "$LH_BUILD_ERR" ]; then fail_row "$gz" "$bytes" leakhound "$LH_BUILD_ERR"
    else run_tool leakhound "$gz" "$bytes" "$LH" summary "$gz"; fi
  fi
done

cp "$ROWS" "$DATA/summary-last.tsv"

# ---- table ----------------------------------------------------------------
echo
echo "leakhound summary vs peers ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, pinned to core $CPU, warm page cache, best of $RUNS run(s))"
echo "load average at start: $LOAD0; at end: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews the times)"
awk -F'\t' '
  { file[NR]=$1; bytes[NR]=$2; tool[NR]=$3; rc[NR]=$4; wall[NR]=$5; rss[NR]=$6; why[NR]=$7; cpu[NR]=$8
    if ($3 == "leakhound" && $4 == 0) lh[$1] = $5 }
  END {
    fmt = "%-28s %9s  %-10s %8s %8s %8s %11s %9s %12s\n"
    printf fmt, "file", "size MB", "tool", "wall s", "cpu s", "MB/s", "peak RSS MB", "RSS/file", "vs leakhound"
    printf fmt, "----", "-------", "----", "------", "-----", "----", "-----------", "--------", "------------"
    for (i = 1; i <= NR; i++) {
      mbsz = bytes[i] / 1048576
      shown = mbsz
      if (file[i] ~ /\.gz$/) { cmd = "stat -c %s \"'"$DATA"'/" file[i] "\""; cmd | getline gzb; close(cmd); shown = gzb / 1048576 }
      if (rc[i] != 0) {
        printf "%-28s %9.1f  %-10s failed: %s\n", file[i], shown, tool[i], why[i]
        continue
      }
      base = file[i]; sub(/\.gz$/, "", base)
      ref = (file[i] in lh) ? lh[file[i]] : ""
      if (tool[i] == "leakhound" && file[i] ~ /\.gz$/ && (base in lh)) ref = lh[base]
      vs = (ref != "" && ref > 0) ? sprintf("%.1fx", wall[i] / ref) : "-"
      printf "%-28s %9.1f  %-10s %8.2f %8.2f %8.0f %11.0f %9.2f %12s\n", file[i], shown, tool[i], wall[i], cpu[i],
        (wall[i] > 0 ? mbsz / wall[i] : 0), rss[i] / 1024, (rss[i] * 1024) / (bytes[i] > 0 ? bytes[i] : 1), vs
    }
  }' "$ROWS"
echo
echo "MB = 2^20 bytes. MB/s (from wall time) and RSS/file use the uncompressed snapshot size (also for .gz rows)."
echo "cpu s = user + system time of the tool; less affected than wall time by other work on the machine."
echo "vs leakhound = tool wall time / leakhound wall time on the same snapshot (higher = leakhound faster)."
