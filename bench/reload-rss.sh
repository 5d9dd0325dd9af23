#!/usr/bin/env bash
# Native memory across hot reloads: loads, warms, health-checks and unloads the demo model
# CYCLES times in one process (what every reload does) and prints the process's resident
# memory at checkpoints. Issue target: RSS after 200 cycles within 10% of RSS after 10.
# Usage: bench/reload-rss.sh            (env CYCLES=200, OUT_DIR=bench/out)
# The Java heap is fixed and pre-touched (MLSERVE_JAVA_OPTS below) so that what moves is native
# memory (libtorch modules, tensors, direct buffers) and not the heap growing into its -Xmx.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
CYCLES="${CYCLES:-200}"
OUT_DIR="${OUT_DIR:-$root/bench/out}"
mkdir -p "$OUT_DIR"
export MLSERVE_JAVA_OPTS="${MLSERVE_JAVA_OPTS:--Xms256m -Xmx256m -XX:+AlwaysPreTouch -XX:+UseSerialGC}"
out="$OUT_DIR/reload-rss.csv"
bin/mlserve soak-reload --cycles "$CYCLES" --checkpoints "1,10,50,100,150,$CYCLES" 2>/dev/null \
  | grep -E '^(cycle|[0-9]+,)' > "$out"
cat "$out"
rss10="$(awk -F, '$1==10 {print $2}' "$out")"
rssN="$(awk -F, -v n="$CYCLES" '$1==n {print $2}' "$out")"
awk -v a="$rss10" -v b="$rssN" -v n="$CYCLES" 'BEGIN {
  d = (b - a) / a * 100;
  printf "RSS after 10 cycles: %.1f MiB; after %d: %.1f MiB (%+.1f%%) -> %s\n", a, n, b, d,
    (d <= 10 ? "within 10%" : "OVER 10%") }'
