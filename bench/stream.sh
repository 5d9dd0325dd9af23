#!/usr/bin/env bash
# gRPC ModelInfer vs ModelStreamInfer on the demo model, in one run (docs/benchmarks.md): builds
# the server's test classes, then runs io.mlserve.server.triton.StreamInferBench, which starts a
# real server on a loopback port and a closed-loop client in the same JVM, and measures unary
# calls and one stream in alternation (see its Javadoc).
#
# Usage: bench/stream.sh            (from anywhere; needs java 17 and mvn with a populated ~/.m2)
# Settings (environment): CONCURRENCY=64 RUN_SECONDS=10 WARMUP=10 ROUNDS=3
#   MVN="flock /tmp/mvn.lock mvn" (build command)  BENCH_JAVA_OPTS="-Xms1g -Xmx1g"
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
MVN="${MVN:-mvn}"
cp_file="$(mktemp "${TMPDIR:-/tmp}/mlserve-stream-bench-cp.XXXXXX")"
trap 'rm -f "$cp_file"' EXIT
# shellcheck disable=SC2086
$MVN -B -q -o -pl server -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >/dev/null
# shellcheck disable=SC2086
java ${BENCH_JAVA_OPTS:--Xms1g -Xmx1g} -Dai.djl.offline=true -DOPT_OUT_TRACKING=true \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -Dconcurrency="${CONCURRENCY:-64}" -Dseconds="${RUN_SECONDS:-10}" \
  -DwarmupSeconds="${WARMUP:-10}" -Drounds="${ROUNDS:-3}" \
  -cp "server/target/test-classes:server/target/classes:registry-admin/target/classes:proto/target/classes:$(cat "$cp_file")" \
  io.mlserve.server.triton.StreamInferBench
