#!/usr/bin/env bash
# ONNX Runtime through its Java API directly (mlserve's engine) vs through DJL's OnnxRuntime
# engine (ai.djl.onnxruntime:onnxruntime-engine 0.36.0, which wraps the same ORT 1.21.1): one
# thread, one intra-op thread each, alternating rounds, rows/s at batch 1 and 64 on
# examples/mlp_heavy/onnx/model.onnx (24 -> 1024 -> 1024 -> 24). The DJL engine jar is fetched into
# the local Maven repository once (mvn dependency:get); nothing else is added to the build.
# Usage: bench/onnx-api.sh [ROUNDS=3] [SECONDS=5] [MODEL=examples/mlp_heavy/onnx/model.onnx]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=${1:-3}; seconds=${2:-5}; model=${3:-$root/examples/mlp_heavy/onnx/model.onnx}
repo="${MAVEN_REPO:-$HOME/.m2/repository}"   # the local Maven repository
jar="$repo/ai/djl/onnxruntime/onnxruntime-engine/0.36.0/onnxruntime-engine-0.36.0.jar"
[ -f "$jar" ] || mvn -B -q dependency:get -Dartifact=ai.djl.onnxruntime:onnxruntime-engine:0.36.0 >&2
[ -d "$root/server/target/lib" ] || (cd "$root" && mvn -B -q -DskipTests -pl server -am package)
exec java -Dai.djl.offline=true -DOPT_OUT_TRACKING=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$root/server/target/lib/*:$jar" "$root/bench/java/OnnxApiBench.java" \
  "$model" 24 "$rounds" "$seconds"
