#!/usr/bin/env bash
# ONNX serving benchmark behind docs/benchmarks.md ("ONNX Runtime engine"). One `bin/mlserve serve`
# on 127.0.0.1 over a fresh store holding, each registered with `bin/mlctl register --artifact`
# (format detected from the file) and promoted to Production:
#   price_gbm          examples/sklearn_forecaster/gbm (TreeEnsembleRegressor), max batch 64
#   price_gbm_nobatch  the same artifact with serving.max_batch_size 1 (batching off)
#   mlp_heavy_ts       examples/mlp_heavy/torchscript/model.pt  (24-1024-1024-24 MLP, TorchScript)
#   mlp_heavy_onnx     examples/mlp_heavy/onnx/model.onnx       (the same weights, ONNX)
# Then closed-loop gRPC ModelInfer runs (loadtest `run`, its own JVM) in alternation, ROUNDS
# rounds, so every figure is a ratio of two states measured in the same run on the same server:
#   1. price_gbm vs price_gbm_nobatch, one row per request: batching on / off;
#   2. mlp_heavy_onnx vs mlp_heavy_ts at 1 row per request and at 64 rows per request.
# Usage: bench/onnx.sh   (needs java 17; builds with $MVN when server/ or loadtest/ is unbuilt)
# Settings: CONCURRENCY=16 DURATION=10s WARMUP=10s CLIENT_WARMUP=3s ROUNDS=3 MLP_BATCH=64
#   OUT_DIR=bench/out  MVN=mvn (e.g. "flock /tmp/mvn.lock mvn")  READY_TIMEOUT=300
#   LOADTEST_JAVA_OPTS="-Xms512m -Xmx512m -XX:+UseParallelGC"  MLSERVE_JAVA_OPTS (bin/mlserve)
# Results: $OUT_DIR/onnx/<model>-b<rows>.<round>.json|txt, server.log, onnx.md (the tables).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
. bench/lib.sh
. bench/lib-serve.sh

CONCURRENCY="${CONCURRENCY:-16}"; DURATION="${DURATION:-10s}"; WARMUP="${WARMUP:-10s}"
CLIENT_WARMUP="${CLIENT_WARMUP:-3s}"; ROUNDS="${ROUNDS:-3}"; MLP_BATCH="${MLP_BATCH:-64}"
READY_TIMEOUT="${READY_TIMEOUT:-300}"; MVN="${MVN:-mvn}"
LOADTEST_JAVA_OPTS="${LOADTEST_JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC}"
OUT_DIR="${OUT_DIR:-$root/bench/out}/onnx"
mkdir -p "$OUT_DIR"
log="$OUT_DIR/server.log"

if [ ! -d server/target/lib ] || [ ! -d loadtest/target/lib ]; then
  echo "bench: building (mvn -B -q -DskipTests package)..." >&2
  $MVN -B -q -DskipTests -pl server,loadtest -am package >&2
fi
loadtest_classpath
bench_init onnx

: >"$OUT_DIR/register.log"
gbm=examples/sklearn_forecaster/gbm
sed 's/"max_batch_size": 64/"max_batch_size": 1/' "$gbm/model.json" >"$store/gbm-nobatch.json"
grep -q '"max_batch_size": 1,' "$store/gbm-nobatch.json" || die "no max_batch_size in $gbm/model.json"
register_promote "$store" price_gbm "$gbm/model.onnx"
register_promote "$store" price_gbm_nobatch "$gbm/model.onnx" "$store/gbm-nobatch.json" \
  "$gbm/examples.json"
register_promote "$store" mlp_heavy_ts examples/mlp_heavy/torchscript/model.pt
register_promote "$store" mlp_heavy_onnx examples/mlp_heavy/onnx/model.onnx

start_serve "$log" "$store"

pairs=("price_gbm_nobatch:1 price_gbm:1" "mlp_heavy_ts:1 mlp_heavy_onnx:1"
       "mlp_heavy_ts:$MLP_BATCH mlp_heavy_onnx:$MLP_BATCH")
for p in "${pairs[@]}"; do
  for s in $p; do
    echo "bench: warming ${s%:*} (batch ${s#*:}) for $WARMUP" >&2
    model_run "${s%:*}" "${s#*:}" "$WARMUP" 0s "${s%:*}-b${s#*:}.warmup"
  done
done
for r in $(seq "$ROUNDS"); do
  for p in "${pairs[@]}"; do
    for s in $p; do
      model_run "${s%:*}" "${s#*:}" "$DURATION" "$CLIENT_WARMUP" "${s%:*}-b${s#*:}.$r"
      echo "bench: round $r/$ROUNDS ${s%:*} batch ${s#*:}: $(json_field \
        "$OUT_DIR/${s%:*}-b${s#*:}.$r.json" throughput_rps) req/s" >&2
    done
  done
done
stop_demo

# --- report: per pair, median req/s, rows/s, p50, p99 of each side, and the per-round ratio
cpu_model="$(grep -m 1 '^model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"
{
  echo "| model (rows per request) | req/s (median of $ROUNDS) | rows/s | p50 | p99 | throughput / the row above's, per round |"
  echo "|---|---:|---:|---:|---:|---|"
  for p in "${pairs[@]}"; do
    set -- $p
    ratio_row "${1%:*}" "${1#*:}" "" "${1%:*}-b${1#*:}"
    ratio_row "${2%:*}" "${2#*:}" "${1%:*}-b${1#*:}" "${2%:*}-b${2#*:}"
  done
  echo
  echo "- Machine: $(nproc) CPUs, ${cpu_model:-unknown CPU}; JDK: $(java -version 2>&1 | head -n 1)"
  echo "- Load: closed loop, $CONCURRENCY requests in flight over one gRPC channel (typed FP32)," \
    "each model warmed $WARMUP, then $ROUNDS rounds of $DURATION per model (client warm-up" \
    "$CLIENT_WARMUP), models in alternation; serving per manifest: 2 instances, 1 intra-op thread each"
  run_notes
  echo "- Reproduce: bench/onnx.sh (JSON per model and round in bench/out/onnx/)"
} | tee "$OUT_DIR/onnx.md"
