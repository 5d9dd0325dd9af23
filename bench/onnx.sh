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

# register MODEL DIR ARTIFACT [MANIFEST]: as an operator would, then promote to Production.
register() {
  local sig=()
  [ -n "${4:-}" ] && sig=(--signature "$4" --examples "$2/examples.json")
  bin/mlctl --store "$store" register --model "$1" --version 1.0.0 --artifact "$2/$3" "${sig[@]}" \
    >>"$OUT_DIR/register.log" 2>&1 || { cat "$OUT_DIR/register.log" >&2; die "register $1 failed"; }
  bin/mlctl --store "$store" promote --model "$1" --version 1.0.0 --stage Production \
    >>"$OUT_DIR/register.log" 2>&1 || { cat "$OUT_DIR/register.log" >&2; die "promote $1 failed"; }
}
: >"$OUT_DIR/register.log"
gbm=examples/sklearn_forecaster/gbm
sed 's/"max_batch_size": 64/"max_batch_size": 1/' "$gbm/model.json" >"$store/gbm-nobatch.json"
grep -q '"max_batch_size": 1,' "$store/gbm-nobatch.json" || die "no max_batch_size in $gbm/model.json"
register price_gbm "$gbm" model.onnx
register price_gbm_nobatch "$gbm" model.onnx "$store/gbm-nobatch.json"
register mlp_heavy_ts examples/mlp_heavy/torchscript model.pt
register mlp_heavy_onnx examples/mlp_heavy/onnx model.onnx

bin/mlserve serve --store "$store" --grpc-port 0 --http-port 0 --bind 127.0.0.1 >"$log" 2>&1 &
DEMO_PID=$!
for _ in $(seq "$READY_TIMEOUT"); do
  grep -q "ready grpc_port" "$log" && break
  kill -0 "$DEMO_PID" 2>/dev/null || { tail -n 40 "$log" >&2; die "the server exited (see $log)"; }
  sleep 1
done
GPORT="$(sed -n 's/^mlserve: ready grpc_port=\([0-9]*\).*/\1/p' "$log")"
[ -n "$GPORT" ] || die "the server was not ready within ${READY_TIMEOUT}s (see $log)"
echo "bench: server ready on 127.0.0.1:$GPORT" >&2

# run MODEL ROWS DURATION WARMUP NAME: one closed-loop run; NAME.json / NAME.txt in OUT_DIR.
run() {
  # shellcheck disable=SC2086
  java $LOADTEST_JAVA_OPTS -cp "$lt_cp" io.mlserve.loadtest.LoadTest run \
    --target "127.0.0.1:$GPORT" --model "$1" --batch-size "$2" --concurrency "$CONCURRENCY" \
    --duration "$3" --warmup "$4" --slo none --quiet --json "$OUT_DIR/$5.json" >"$OUT_DIR/$5.txt" \
    || die "load on $1 (batch $2) failed: $(tail -n 3 "$OUT_DIR/$5.txt")"
}
pairs=("price_gbm_nobatch:1 price_gbm:1" "mlp_heavy_ts:1 mlp_heavy_onnx:1"
       "mlp_heavy_ts:$MLP_BATCH mlp_heavy_onnx:$MLP_BATCH")
for p in "${pairs[@]}"; do
  for s in $p; do
    echo "bench: warming ${s%:*} (batch ${s#*:}) for $WARMUP" >&2
    run "${s%:*}" "${s#*:}" "$WARMUP" 0s "${s%:*}-b${s#*:}.warmup"
  done
done
for r in $(seq "$ROUNDS"); do
  for p in "${pairs[@]}"; do
    for s in $p; do
      run "${s%:*}" "${s#*:}" "$DURATION" "$CLIENT_WARMUP" "${s%:*}-b${s#*:}.$r"
      echo "bench: round $r/$ROUNDS ${s%:*} batch ${s#*:}: $(json_field \
        "$OUT_DIR/${s%:*}-b${s#*:}.$r.json" throughput_rps) req/s" >&2
    done
  done
done
stop_demo

# --- report: per pair, median req/s, rows/s, p50, p99 of each side, and the per-round ratio
cpu_model="$(grep -m 1 '^model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"
field_median() { for r in $(seq "$ROUNDS"); do json_field "$OUT_DIR/$1.$r.json" "$2"; done | median; }
{
  echo "| model (rows per request) | req/s (median of $ROUNDS) | rows/s | p50 | p99 | ratio to the row above, per round (median) |"
  echo "|---|---:|---:|---:|---:|---|"
  for p in "${pairs[@]}"; do
    set -- $p
    for s in "$1" "$2"; do
      name="${s%:*}-b${s#*:}"
      rps="$(field_median "$name" throughput_rps)"
      ratio=""
      if [ "$s" = "$2" ]; then
        base="${1%:*}-b${1#*:}"
        ratios="$(for r in $(seq "$ROUNDS"); do
          awk -v a="$(json_field "$OUT_DIR/$name.$r.json" throughput_rps)" \
            -v b="$(json_field "$OUT_DIR/$base.$r.json" throughput_rps)" 'BEGIN { printf "%.2f\n", a / b }'
        done)"
        ratio="x$(echo "$ratios" | paste -sd ' ' | sed 's/ /, x/g') (x$(echo "$ratios" | median))"
      fi
      awk -v m="${s%:*}" -v b="${s#*:}" -v r="$rps" -v a="$(field_median "$name" p50_us)" \
        -v c="$(field_median "$name" p99_us)" -v x="$ratio" \
        'BEGIN { printf "| %s (%d) | %.0f | %.0f | %.2f ms | %.2f ms | %s |\n", m, b, r, r * b, a / 1000, c / 1000, x }'
    done
  done
  echo
  echo "- Machine: $(nproc) CPUs, ${cpu_model:-unknown CPU}; JDK: $(java -version 2>&1 | head -n 1)"
  echo "- Load: closed loop, $CONCURRENCY requests in flight over one gRPC channel (typed FP32)," \
    "each model warmed $WARMUP, then $ROUNDS rounds of $DURATION per model (client warm-up" \
    "$CLIENT_WARMUP), models in alternation; serving per manifest: 2 instances, 1 intra-op thread each"
  run_notes
  echo "- Reproduce: bench/onnx.sh (JSON per model and round in bench/out/onnx/)"
} | tee "$OUT_DIR/onnx.md"
