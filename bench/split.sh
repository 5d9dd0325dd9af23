#!/usr/bin/env bash
# gRPC throughput with a 50/50 traffic split vs no split, on one server in the same run
# (docs/benchmarks.md, issue 11: goal split/no-split >= 0.97).
#
# Starts `bin/mlserve demo` (curve_forecaster 1.0.0 in Production, 1.1.0 in Staging: the same
# network), warms it, then runs ROUNDS rounds; each round measures unversioned ModelInfer with
# no split, sets `1.0.0=50,1.1.0=50` with `bin/mlctl --store` (another process, as a user
# would), waits for the server's "traffic split ... in effect" line, measures again, and clears
# the split. Measuring both states in alternation keeps the machine's drift out of the ratio;
# the table gives each state's median throughput and the median of the per-round ratios.
#
# Usage: bench/split.sh   Settings: CONCURRENCY=64 DURATION=15s WARMUP=30s CLIENT_WARMUP=5s
#   ROUNDS=3 OUT_DIR=bench/out READY_TIMEOUT=300 MVN=mvn
#   LOADTEST_JAVA_OPTS="-Xms512m -Xmx512m -XX:+UseParallelGC"
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

CONCURRENCY="${CONCURRENCY:-64}"; DURATION="${DURATION:-15s}"; WARMUP="${WARMUP:-30s}"
CLIENT_WARMUP="${CLIENT_WARMUP:-5s}"; ROUNDS="${ROUNDS:-3}"
OUT_DIR="${OUT_DIR:-$root/bench/out/split}"; READY_TIMEOUT="${READY_TIMEOUT:-300}"
LOADTEST_JAVA_OPTS="${LOADTEST_JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC}"
MVN="${MVN:-mvn}"; export MVN
MODEL=curve_forecaster
mkdir -p "$OUT_DIR"
. bench/lib.sh

bench_init split

loadtest_classpath
log="$OUT_DIR/server.log"
start_demo "$log" "$store" || die "server did not start"

echo "bench: warming for $WARMUP" >&2
grpc_load "$WARMUP" 0s "$OUT_DIR/warmup.json" "$OUT_DIR/warmup.txt" || die "warm-up failed"
for r in $(seq "$ROUNDS"); do
  grpc_load "$DURATION" "$CLIENT_WARMUP" "$OUT_DIR/none.$r.json" "$OUT_DIR/none.$r.txt"
  bin/mlctl --store "$store" traffic set --model "$MODEL" --split 1.0.0=50,1.1.0=50 \
    --reason "bench round $r" >/dev/null
  await_line "traffic split 1.0.0=50,1.1.0=50 in effect" "$r"
  grpc_load "$DURATION" "$CLIENT_WARMUP" "$OUT_DIR/split.$r.json" "$OUT_DIR/split.$r.txt"
  bin/mlctl --store "$store" traffic clear --model "$MODEL" --reason "bench round $r" >/dev/null
  await_line "traffic split cleared" "$r"
  echo "bench: round $r/$ROUNDS: none $(grep -m 1 throughput "$OUT_DIR/none.$r.txt" | sed 's/^ *//');" \
    "split $(grep -m 1 throughput "$OUT_DIR/split.$r.txt" | sed 's/^ *//')" >&2
done
stop_demo

{
  ab_table none "no split (all to 1.0.0)" split "split 1.0.0=50,1.1.0=50" "split / no split"
  run_notes
  echo "- Load: closed loop, $CONCURRENCY in flight, one FP32 row [1,24] per unversioned ModelInfer;" \
    "server warmed $WARMUP; $ROUNDS rounds of $DURATION per state (client warm-up $CLIENT_WARMUP)"
} | tee "$OUT_DIR/split.md"
