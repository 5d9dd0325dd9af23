#!/usr/bin/env bash
# gRPC throughput with live drift sampling on vs off, and the memory drift monitoring adds per
# served version (docs/benchmarks.md, issue 14: goal on/off throughput >= 0.97).
#
# Drift is a startup setting, so each measurement starts `bin/mlserve demo` on one demo store
# (curve_forecaster 1.0.0 in Production), either as shipped (drift on: every request sampled,
# 4 rows at most, a 1000-row window) with --drift-interval 5s (so windows are compared during
# the measurement, not only sampled), or with --no-drift; warms it, measures ModelInfer, reads
# the server's RSS, the exact bytes the drift windows hold (mlserve_drift_memory_bytes on
# /metrics) and the drift report, and stops it. The states alternate (on, off, off, on, ...)
# so the machine's drift favours neither.
#
# Usage: flock /tmp/mvn.lock bench/drift.sh   (holding the Maven lock keeps builds off the cores)
#   Settings: CONCURRENCY=64 DURATION=15s WARMUP=20s CLIENT_WARMUP=5s ROUNDS=3
#   OUT_DIR=bench/out/drift LOADTEST_JAVA_OPTS="-Xms512m -Xmx512m -XX:+UseParallelGC"
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

CONCURRENCY="${CONCURRENCY:-64}"; DURATION="${DURATION:-15s}"; WARMUP="${WARMUP:-20s}"
CLIENT_WARMUP="${CLIENT_WARMUP:-5s}"; ROUNDS="${ROUNDS:-3}"
OUT_DIR="${OUT_DIR:-$root/bench/out/drift}"
LOADTEST_JAVA_OPTS="${LOADTEST_JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC}"
MODEL=curve_forecaster
mkdir -p "$OUT_DIR"
. bench/lib.sh

bench_init drift
loadtest_classpath

# run STATE ROUND: one server start in STATE (on|off), warmed, measured, inspected, stopped.
run() {
  local flags=(--drift-interval 5s)
  [ "$1" = off ] && flags=(--no-drift)
  log="$OUT_DIR/server.$1.$2.log"
  start_demo "$log" "$store" "${flags[@]}" || die "server did not start"
  grpc_load "$WARMUP" 0s "$OUT_DIR/warmup.$1.$2.json" "$OUT_DIR/warmup.$1.$2.txt"
  grpc_load "$DURATION" "$CLIENT_WARMUP" "$OUT_DIR/$1.$2.json" "$OUT_DIR/$1.$2.txt"
  awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$DEMO_PID/status" > "$OUT_DIR/$1.$2.rss"
  curl -s "127.0.0.1:$HPORT/metrics" | awk '/^mlserve_drift_memory_bytes / { print $2 }' \
    > "$OUT_DIR/$1.$2.driftbytes"
  curl -s "127.0.0.1:$HPORT/api/v1/models/$MODEL/drift" > "$OUT_DIR/$1.$2.drift.json"
  stop_demo
}

for r in $(seq "$ROUNDS"); do
  if [ $((r % 2)) -eq 1 ]; then run on "$r"; run off "$r"; else run off "$r"; run on "$r"; fi
  echo "bench: round $r/$ROUNDS: on $(grep -m 1 throughput "$OUT_DIR/on.$r.txt" | sed 's/^ *//');" \
    "off $(grep -m 1 throughput "$OUT_DIR/off.$r.txt" | sed 's/^ *//')" >&2
done

{
  ab_table off "drift off (--no-drift)" on "drift on (every request sampled)" "on / off"
  rss_on="$(cat "$OUT_DIR"/on.*.rss | median)"; rss_off="$(cat "$OUT_DIR"/off.*.rss | median)"
  /usr/bin/python3 - "$OUT_DIR" "$ROUNDS" "$rss_on" "$rss_off" <<'PY'
import json, sys
d, rounds, rss_on, rss_off = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
for r in range(1, rounds + 1):
    rep = json.load(open(f"{d}/on.{r}.drift.json"))
    b = open(f"{d}/on.{r}.driftbytes").read().strip()
    for v in rep["versions"]:
        print(f"- round {r}, drift on: {v['window']['sampled_rows']:,} rows sampled, window "
              f"{v['window']['rows']} of {v['window']['capacity']} rows, reference "
              f"{v['reference']['source']} ({v['reference']['rows']} rows), drifted share "
              f"{v['drifted_share']}, max PSI {v['feature_psi_max']}; drift memory {b} bytes; "
              f"status: {v['status']}")
print(f"- Server RSS after the run, median: drift on {rss_on / 2**20:.1f} MiB, off "
      f"{rss_off / 2**20:.1f} MiB (difference {(rss_on - rss_off) / 2**20:+.1f} MiB; RSS of a"
      " JVM moves by more than this between runs, so the exact figure is the gauge above)")
PY
  run_notes
  echo "- Load: closed loop, $CONCURRENCY in flight, one FP32 row [1,24] per ModelInfer to Production 1.0.0;" \
    "each measurement on a fresh server warmed $WARMUP; $ROUNDS rounds of $DURATION per state" \
    "(client warm-up $CLIENT_WARMUP)"
} | tee "$OUT_DIR/drift.md"
