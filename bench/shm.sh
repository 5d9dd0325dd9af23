#!/usr/bin/env bash
# gRPC ModelInfer with a large tensor (ROWS x 24 FP32 in and out) as raw bytes versus through
# system shared memory (Triton's extension), against one demo server on 127.0.0.1: the harness
# io.mlserve.loadtest.ShmBench alternates the two modes for ROUNDS rounds of SECONDS each after a
# warm-up, checks once that both give the same bytes, and prints a markdown table (req/s, p50/p99,
# server and client CPU per request). It creates its regions under /dev/shm and removes them.
#
# Usage: MVN="flock /tmp/mvn.lock mvn" bench/shm.sh   (builds server and loadtest when needed)
# Settings (environment): ROWS=1000 DURATION_S=10 WARMUP_S=20 CONCURRENCY=2 ROUNDS=3 OUT_DIR=bench/out
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
. bench/lib.sh

ROWS="${ROWS:-1000}"
SECONDS_EACH="${DURATION_S:-10}"
CONCURRENCY="${CONCURRENCY:-2}"
ROUNDS="${ROUNDS:-3}"
WARMUP_S="${WARMUP_S:-20}"
OUT_DIR="${OUT_DIR:-$root/bench/out}"
mkdir -p "$OUT_DIR"

bench_init shm
log="$OUT_DIR/shm.server.log"
# max batch 1024 so that one request of ROWS rows is one batch; shared memory is on by default
# (no admin token).
start_demo "$log" "$store" --max-batch-size 1024
loadtest_classpath
java -Xms512m -Xmx1g -XX:+UseParallelGC -cp "$lt_cp" io.mlserve.loadtest.ShmBench \
  127.0.0.1 "$GPORT" "$DEMO_PID" "$ROWS" "$SECONDS_EACH" "$CONCURRENCY" "$ROUNDS" "$WARMUP_S" \
  | tee "$OUT_DIR/shm.md"
run_notes | tee -a "$OUT_DIR/shm.md"
