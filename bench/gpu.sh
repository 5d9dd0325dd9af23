#!/usr/bin/env bash
# ONNX GPU serving, checked and measured end to end (docs/benchmarks.md, "ONNX Runtime engine").
# Needs a Linux machine with an NVIDIA GPU and its driver (nvidia-smi), CUDA 12 and cuDNN 9 as
# ONNX Runtime's CUDA execution provider wants them, and the server built with the GPU runtime
# (`mvn -Pgpu ...`, done here). On a machine without a GPU it says so and exits 2.
#
# One `bin/mlserve serve` over a fresh store with the heavy MLP's ONNX artifact
# (examples/mlp_heavy/onnx) registered twice: mlp_gpu (serving.device gpu0; CPU fallback not
# allowed, so a missing CUDA provider fails the registration with the reason) and mlp_cpu
# (device cpu). Checks: both answer the golden examples (tolerance 1e-3 on the GPU: TF32 math),
# /readyz and /metrics name gpu0 for mlp_gpu. Then closed-loop gRPC runs in alternation, ROUNDS
# rounds, at 1 and MLP_BATCH rows per request: the GPU/CPU throughput ratio per round.
# Settings: CONCURRENCY=16 DURATION=10s WARMUP=10s CLIENT_WARMUP=3s ROUNDS=3 MLP_BATCH=64
#   OUT_DIR=bench/out  MVN=mvn  READY_TIMEOUT=300  LOADTEST_JAVA_OPTS
# Results: $OUT_DIR/gpu/*.json|txt, server.log, gpu.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
. bench/lib.sh
. bench/lib-serve.sh

if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "bench/gpu.sh: no NVIDIA GPU here (nvidia-smi not found): ONNX GPU serving needs a CUDA" \
    "machine; nothing was measured" >&2
  exit 2
fi
if ! gpus="$(nvidia-smi -L 2>&1)" || ! grep -q '^GPU 0' <<<"$gpus"; then
  echo "bench/gpu.sh: nvidia-smi finds no usable GPU ($gpus); nothing was measured" >&2
  exit 2
fi
echo "bench: $(head -n 1 <<<"$gpus")" >&2

CONCURRENCY="${CONCURRENCY:-16}"; DURATION="${DURATION:-10s}"; WARMUP="${WARMUP:-10s}"
CLIENT_WARMUP="${CLIENT_WARMUP:-3s}"; ROUNDS="${ROUNDS:-3}"; MLP_BATCH="${MLP_BATCH:-64}"
READY_TIMEOUT="${READY_TIMEOUT:-300}"; MVN="${MVN:-mvn}"
LOADTEST_JAVA_OPTS="${LOADTEST_JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC}"
OUT_DIR="${OUT_DIR:-$root/bench/out}/gpu"
mkdir -p "$OUT_DIR"
log="$OUT_DIR/server.log"

echo "bench: building with the GPU runtime (mvn -Pgpu -DskipTests package)..." >&2
$MVN -B -q -Pgpu -DskipTests -pl server,loadtest -am package >&2
loadtest_classpath
bench_init gpu

mlp=examples/mlp_heavy/onnx
sed 's/"device": "cpu"/"device": "gpu0"/' "$mlp/model.json" >"$store/gpu.json"
grep -q '"device": "gpu0"' "$store/gpu.json" || die "no \"device\" in $mlp/model.json"
sed 's/^{"tolerance":[^,]*,/{"tolerance":0.001,/' "$mlp/examples.json" >"$store/gpu-examples.json"
: >"$OUT_DIR/register.log"
for m in mlp_gpu mlp_cpu; do
  manifest="$mlp/model.json" examples="$mlp/examples.json"
  [ "$m" = mlp_gpu ] && manifest="$store/gpu.json" examples="$store/gpu-examples.json"
  register_promote "$store" "$m" "$mlp/model.onnx" "$manifest" "$examples"
done

start_serve "$log" "$store"

curl -sS --fail-with-body "http://127.0.0.1:$HPORT/readyz" >"$OUT_DIR/readyz.json" \
  || die "/readyz: $(cat "$OUT_DIR/readyz.json")"
grep -q 'gpu0' "$OUT_DIR/readyz.json" || die "/readyz does not name gpu0: $(cat "$OUT_DIR/readyz.json")"
curl -sS "http://127.0.0.1:$HPORT/metrics" | grep 'gpu0' >"$OUT_DIR/metrics-device.txt" \
  || die "/metrics has no series naming gpu0"
echo "bench: /readyz and /metrics name gpu0" >&2

for b in 1 "$MLP_BATCH"; do
  for m in mlp_cpu mlp_gpu; do model_run "$m" "$b" "$WARMUP" 0s "$m-b$b.warmup"; done
done
for r in $(seq "$ROUNDS"); do
  for b in 1 "$MLP_BATCH"; do
    for m in mlp_cpu mlp_gpu; do model_run "$m" "$b" "$DURATION" "$CLIENT_WARMUP" "$m-b$b.$r"; done
  done
done
stop_demo

{
  echo "| model (rows per request) | req/s (median of $ROUNDS) | rows/s | p50 | p99 | mlp_gpu / mlp_cpu throughput, per round |"
  echo "|---|---:|---:|---:|---:|---|"
  for b in 1 "$MLP_BATCH"; do
    ratio_row mlp_cpu "$b" "" "mlp_cpu-b$b"
    ratio_row mlp_gpu "$b" "mlp_cpu-b$b" "mlp_gpu-b$b"
  done
  echo
  echo "- GPU: $(head -n 1 <<<"$gpus"); $(nproc) CPUs; closed loop, $CONCURRENCY in flight"
  run_notes
  echo "- Reproduce: bench/gpu.sh (JSON per model and round in bench/out/gpu/)"
} | tee "$OUT_DIR/gpu.md"
