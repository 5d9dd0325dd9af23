#!/usr/bin/env bash
# The ceiling of dynamic batching on a model, in process (bench/java/DjlBatchBench.java): the DJL
# TorchScript engine as the server drives it (DjlEngine runners, one intra-op thread), rows/s at
# batch 1, 8, 16, 32 and 64 in alternating rounds; the ceiling is rows/s(64) / rows/s(1). Then
# 2 runners x 1 thread (two calling threads) against 1 runner x 2 threads at batch 1 and 64.
# Run it under `flock /tmp/mvn.lock` (no build or other benchmark beside it); about 2 minutes.
# Usage: bench/batching-ceiling.sh [ROUNDS=3] [SECONDS=3] [MODEL_DIR=examples/mlp_heavy/torchscript]
# BENCH_JAVA_OPTS=-Dbench.mode=shapes: graph optimizer on (padded) vs off (free sizes) instead.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=${1:-3}; seconds=${2:-3}; model=${3:-$root/examples/mlp_heavy/torchscript}
jar="$(ls "$root"/server/target/mlserve-server-*.jar 2>/dev/null | grep -v -e '-tests.jar' \
  -e '-sources.jar' | head -n 1 || true)"
[ -n "$jar" ] && [ -d "$root/server/target/lib" ] \
  || { echo "bench: build first: mvn -B -q -DskipTests package" >&2; exit 1; }
exec java -Dai.djl.offline=true -DOPT_OUT_TRACKING=true ${BENCH_JAVA_OPTS:-} \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$jar:$root/server/target/lib/*" "$root/bench/java/DjlBatchBench.java" \
  "$model" "$rounds" "$seconds"
