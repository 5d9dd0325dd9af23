#!/usr/bin/env bash
# Reproducible gRPC benchmark behind docs/benchmarks.md: how close mlserve's ModelInfer path
# gets to a bare grpc-java echo server, with dynamic batching on and off.
#
# For each server it starts it on a free port on 127.0.0.1, waits for its ready line, runs a
# closed-loop load test (loadtest `run`), stops the server, then prints a markdown table.
#   echo                 bare grpc-java server answering ModelInfer with its input (the ceiling)
#   mlserve-batching     bin/mlserve demo, batching as the manifest says (max batch 64, delay 0)
#   mlserve-no-batching  bin/mlserve demo --batching off (max batch 1)
#
# Usage: bench/grpc-batching.sh            (from anywhere; needs java 17 and, if unbuilt, mvn)
# Settings (environment):
#   CONCURRENCY=64 CHANNELS=1 DURATION=20s WARMUP=15s FEATURES=24 MODEL=curve_forecaster
#   SERVERS="echo mlserve-batching mlserve-no-batching"   (a subset runs only those)
#   OUT_DIR=bench/out  READY_TIMEOUT=300 (seconds a server may take to print its ready line)
#   LOADTEST_JAVA_OPTS="-Xms512m -Xmx512m -XX:+UseParallelGC"  ECHO_JAVA_OPTS=""
#   MLSERVE_ARGS (extra server flags, e.g. "--instances 2")  MLSERVE_JAVA_OPTS (read by bin/mlserve)  MVN=mvn (build command, e.g. "flock /tmp/mvn.lock mvn")
# Results: $OUT_DIR/<server>.json (loadtest JSON), <server>.txt (summary), <server>.server.log,
# and grpc-batching.md (the table printed at the end).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

CONCURRENCY="${CONCURRENCY:-64}"
CHANNELS="${CHANNELS:-1}"
DURATION="${DURATION:-20s}"
WARMUP="${WARMUP:-15s}"
FEATURES="${FEATURES:-24}"
MODEL="${MODEL:-curve_forecaster}"
SERVERS="${SERVERS:-echo mlserve-batching mlserve-no-batching}"
OUT_DIR="${OUT_DIR:-$root/bench/out}"
READY_TIMEOUT="${READY_TIMEOUT:-300}"
LOADTEST_JAVA_OPTS="${LOADTEST_JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC}"
ECHO_JAVA_OPTS="${ECHO_JAVA_OPTS:-}"
MVN="${MVN:-mvn}"

server_pid=""
store_dir=""

cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
  if [ -n "$store_dir" ]; then
    rm -rf "$store_dir"
    store_dir=""
  fi
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

die() {
  echo "bench: $*" >&2
  exit 1
}

# --- build (only what is missing) ---------------------------------------------------------
need_server=false
for s in $SERVERS; do
  case "$s" in
    echo) ;;
    mlserve-batching|mlserve-no-batching) need_server=true ;;
    *) die "unknown server '$s' in SERVERS (echo, mlserve-batching, mlserve-no-batching)" ;;
  esac
done
if [ ! -d loadtest/target/lib ] || { $need_server && [ ! -d server/target/lib ]; }; then
  echo "bench: building (mvn -B -q -DskipTests package)..." >&2
  $MVN -B -q -DskipTests package >&2
fi
loadtest_jar="$(ls loadtest/target/mlserve-loadtest-*.jar 2>/dev/null \
  | grep -v -e '-tests.jar' -e '-sources.jar' | head -n 1 || true)"
[ -n "$loadtest_jar" ] || die "no loadtest/target/mlserve-loadtest-*.jar after the build"
loadtest_cp="$loadtest_jar:loadtest/target/lib/*"

mkdir -p "$OUT_DIR"

# --- one server: start, wait for "<who>: ready grpc_port=N", load, stop -------------------
# start_server LOG COMMAND...  sets server_pid and port.
start_server() {
  local log="$1"
  shift
  "$@" >"$log" 2>&1 &
  server_pid=$!
  local deadline=$((SECONDS + READY_TIMEOUT))
  port=""
  while [ -z "$port" ]; do
    port="$(sed -n 's/^[a-z]*: ready grpc_port=\([0-9][0-9]*\).*$/\1/p' "$log" | head -n 1)"
    [ -n "$port" ] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
      tail -n 40 "$log" >&2
      die "server exited before its ready line (log: $log)"
    fi
    [ "$SECONDS" -lt "$deadline" ] || die "no ready line within ${READY_TIMEOUT}s (log: $log)"
    sleep 0.2
  done
}

declare -A rc_of
run_one() {
  local name="$1"
  local log="$OUT_DIR/$name.server.log"
  echo "bench: == $name ==" >&2
  case "$name" in
    echo)
      # shellcheck disable=SC2086  # word splitting of the opts is intended
      start_server "$log" java $ECHO_JAVA_OPTS -cp "$loadtest_cp" \
        io.mlserve.loadtest.EchoServer --port 0 --bind 127.0.0.1
      ;;
    mlserve-batching|mlserve-no-batching)
      store_dir="$(mktemp -d "${TMPDIR:-/tmp}/mlserve-bench-store.XXXXXX")"
      local batching=on
      [ "$name" = mlserve-no-batching ] && batching=off
      start_server "$log" bin/mlserve demo --grpc-port 0 --http-port 0 --bind 127.0.0.1 \
        --store "$store_dir" --batching "$batching" ${MLSERVE_ARGS:-}
      ;;
  esac
  echo "bench: $name ready on 127.0.0.1:$port" >&2
  local rc=0
  # shellcheck disable=SC2086
  java $LOADTEST_JAVA_OPTS -cp "$loadtest_cp" io.mlserve.loadtest.LoadTest run \
    --target "127.0.0.1:$port" --model "$MODEL" --features "$FEATURES" \
    --concurrency "$CONCURRENCY" --channels "$CHANNELS" \
    --duration "$DURATION" --warmup "$WARMUP" \
    --json "$OUT_DIR/$name.json" >"$OUT_DIR/$name.txt" || rc=$?
  cat "$OUT_DIR/$name.txt" >&2
  rc_of[$name]=$rc
  cleanup
}

for s in $SERVERS; do
  rm -f "$OUT_DIR/$s.json"
  run_one "$s"
done

# --- report -------------------------------------------------------------------------------
json_field() { # FILE FIELD -> the value of a numeric field of our one-field-per-line JSON
  sed -n "s/^  \"$2\": \([0-9.]*\),\$/\1/p" "$1"
}
ms() { awk -v us="$1" 'BEGIN { printf "%.2f ms", us / 1000 }'; }

label() {
  case "$1" in
    echo) echo "echo (bare grpc-java, no model)" ;;
    mlserve-batching) echo "mlserve, batching on (max batch 64, delay 0)" ;;
    mlserve-no-batching) echo "mlserve, batching off" ;;
  esac
}

echo_rps=""
[ -f "$OUT_DIR/echo.json" ] && echo_rps="$(json_field "$OUT_DIR/echo.json" throughput_rps)"

cpu_model="$(grep -m 1 '^model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"
{
  echo "### gRPC ModelInfer, closed loop, $CONCURRENCY in flight over $CHANNELS channel(s)"
  echo
  echo "| server | throughput req/s | % of echo | p50 | p99 |"
  echo "|---|---:|---:|---:|---:|"
  for s in $SERVERS; do
    f="$OUT_DIR/$s.json"
    if [ ! -f "$f" ] || [ "${rc_of[$s]:-1}" -ne 0 ]; then
      echo "| $(label "$s") | FAILED (exit ${rc_of[$s]:-?}, see $OUT_DIR/$s.txt) | | | |"
      continue
    fi
    rps="$(json_field "$f" throughput_rps)"
    pct="n/a"
    if [ -n "$echo_rps" ]; then
      pct="$(awk -v a="$rps" -v b="$echo_rps" 'BEGIN { printf "%.0f%%", 100 * a / b }')"
    fi
    echo "| $(label "$s") | $(awk -v r="$rps" 'BEGIN { printf "%.0f", r }') | $pct" \
      "| $(ms "$(json_field "$f" p50_us)") | $(ms "$(json_field "$f" p99_us)") |"
  done
  echo
  echo "- Machine: $(nproc) CPUs, ${cpu_model:-unknown CPU}; $(uname -sr)"
  echo "- JDK: $(java -version 2>&1 | head -n 1)"
  echo "- Date: $(date -u +%Y-%m-%dT%H:%M:%SZ); commit $(git rev-parse --short HEAD 2>/dev/null \
    || echo unknown)"
  echo "- Load: model $MODEL, one FP32 row [1,$FEATURES] per request (typed contents)," \
    "$CONCURRENCY requests in flight, $CHANNELS channel(s), $WARMUP warm-up then $DURATION" \
    "measured; loadtest JVM: $LOADTEST_JAVA_OPTS"
  echo "- Client and server run on the same machine and share its $(nproc) cores, so each" \
    "number is a ratio against the echo server under the same conditions, not a capacity claim."
  echo "- Reproduce: bench/grpc-batching.sh (JSON per server in bench/out/)"
} | tee "$OUT_DIR/grpc-batching.md"

for s in $SERVERS; do
  [ "${rc_of[$s]:-1}" -eq 0 ] || exit 1
done
