#!/usr/bin/env bash
# gRPC throughput and p99 with a 100% shadow vs none, on one server in the same run
# (docs/benchmarks.md, issue 12: goal shadow/none throughput >= 0.90 on 2 shared cores).
#
# Starts `bin/mlserve demo` (curve_forecaster 1.0.0 in Production, 1.1.0 in Staging: the same
# network), warms it, then runs ROUNDS rounds; each round measures ModelInfer with no shadow,
# starts a 100% shadow of 1.1.0 (REST PUT /api/v1/models/curve_forecaster/shadow), waits for the
# server's "shadow ... started" line, measures again, and stops the shadow. Both states in
# alternation keep the machine's drift out of the ratio.
#
# Usage: bench/shadow.sh   Settings: CONCURRENCY=64 DURATION=15s WARMUP=30s CLIENT_WARMUP=5s
#   ROUNDS=3 OUT_DIR=bench/out READY_TIMEOUT=300 MVN=mvn
#   LOADTEST_JAVA_OPTS="-Xms512m -Xmx512m -XX:+UseParallelGC"
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

CONCURRENCY="${CONCURRENCY:-64}"; DURATION="${DURATION:-15s}"; WARMUP="${WARMUP:-30s}"
CLIENT_WARMUP="${CLIENT_WARMUP:-5s}"; ROUNDS="${ROUNDS:-3}"
OUT_DIR="${OUT_DIR:-$root/bench/out/shadow}"; READY_TIMEOUT="${READY_TIMEOUT:-300}"
LOADTEST_JAVA_OPTS="${LOADTEST_JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC}"
MVN="${MVN:-mvn}"; export MVN
MODEL=curve_forecaster
mkdir -p "$OUT_DIR"
. bench/lib.sh

bench_init shadow

loadtest_classpath
log="$OUT_DIR/server.log"
start_demo "$log" "$store" || die "server did not start"

echo "bench: warming for $WARMUP" >&2
grpc_load "$WARMUP" 0s "$OUT_DIR/warmup.json" "$OUT_DIR/warmup.txt" || die "warm-up failed"
for r in $(seq "$ROUNDS"); do
  grpc_load "$DURATION" "$CLIENT_WARMUP" "$OUT_DIR/none.$r.json" "$OUT_DIR/none.$r.txt"
  curl -sf -X PUT "127.0.0.1:$HPORT/api/v1/models/$MODEL/shadow" -H 'Content-Type: application/json' \
    -d '{"version":"1.1.0","sample":1.0}' >/dev/null
  await_line "shadow 1.1.0 (sample 1" "$r"
  grpc_load "$DURATION" "$CLIENT_WARMUP" "$OUT_DIR/shadow.$r.json" "$OUT_DIR/shadow.$r.txt"
  curl -s "127.0.0.1:$HPORT/api/v1/models/$MODEL/shadow" > "$OUT_DIR/report.$r.json"
  curl -sf -X DELETE "127.0.0.1:$HPORT/api/v1/models/$MODEL/shadow" >/dev/null
  await_line "shadow 1.1.0 stopped" "$r"
  echo "bench: round $r/$ROUNDS: none $(grep -m 1 throughput "$OUT_DIR/none.$r.txt" | sed 's/^ *//');" \
    "shadow $(grep -m 1 throughput "$OUT_DIR/shadow.$r.txt" | sed 's/^ *//')" >&2
done
stop_demo

{
  ab_table none "no shadow" shadow "100% shadow of 1.1.0" "shadow / no shadow"
  run_notes
  echo "- Load: closed loop, $CONCURRENCY in flight, one FP32 row [1,24] per ModelInfer to Production 1.0.0;" \
    "server warmed $WARMUP; $ROUNDS rounds of $DURATION per state (client warm-up $CLIENT_WARMUP)"
} | tee "$OUT_DIR/shadow.md"
