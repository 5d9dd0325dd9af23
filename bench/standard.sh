#!/usr/bin/env bash
# The standard benchmark table of docs/benchmarks.md, on this machine, written to
# $OUT_DIR/standard.md. Generator and server share the machine's cores (2 here): every number
# is "server plus a lean generator on the same cores", stated as such in the table's notes.
#
# Rows (each: fresh server on 127.0.0.1, free ports, open loop unless noted):
#   echo gRPC             bare grpc-java echo, same payload (the transport ceiling)
#   gRPC batching on/off  bin/mlserve demo --batching on|off, OIP ModelInfer
#   REST batching on/off  same servers, POST /api/v1/predict
# For each: `loadtest sweep` (highest rate with p99 <= P99, default 10 ms) and `loadtest run`
# at the seed SLO (p95=120ms@150rps).
# Usage: bench/standard.sh   Settings: P99=10ms START_RATE=500 FACTOR=1.4 STEP=8s STEP_WARMUP=6s PREWARM=15s
#   SLO_DURATION=20s SLO_WARMUP=10s OUT_DIR=bench/out READY_TIMEOUT=300 MVN=mvn
#   ROWS="echo-grpc grpc-on grpc-off rest-on rest-off"
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

P99="${P99:-10ms}"; START_RATE="${START_RATE:-500}"; FACTOR="${FACTOR:-1.4}"
STEP="${STEP:-8s}"; STEP_WARMUP="${STEP_WARMUP:-6s}"; PREWARM="${PREWARM:-15s}"
SLO="${SLO:-p95=120ms@150rps}"; SLO_DURATION="${SLO_DURATION:-20s}"; SLO_WARMUP="${SLO_WARMUP:-10s}"
OUT_DIR="${OUT_DIR:-$root/bench/out}"; READY_TIMEOUT="${READY_TIMEOUT:-300}"; MVN="${MVN:-mvn}"
ROWS="${ROWS:-echo-grpc grpc-on grpc-off rest-on rest-off}"
export MVN
mkdir -p "$OUT_DIR/standard"

server_pid=""; store_dir=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
  [ -n "$store_dir" ] && rm -rf "$store_dir"
  store_dir=""
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
die() { echo "bench: $*" >&2; exit 1; }

bin/loadtest --version >/dev/null  # builds the generator if needed
lt_cp="$(ls loadtest/target/mlserve-loadtest-*.jar | grep -v -e '-tests.jar' -e '-sources.jar' | head -n 1):loadtest/target/lib/*"

# start_server LOG CMD... -> sets server_pid, grpc_port, http_port (either line form).
start_server() {
  local log="$1"; shift
  "$@" >"$log" 2>&1 &
  server_pid=$!
  local deadline=$((SECONDS + READY_TIMEOUT))
  grpc_port=""; http_port=""
  while [ -z "$grpc_port" ]; do
    grpc_port="$(sed -n 's/^[a-z]*: ready .*grpc_port=\([0-9][0-9]*\).*$/\1/p' "$log" | head -n 1)"
    if ! kill -0 "$server_pid" 2>/dev/null; then tail -n 40 "$log" >&2; die "server died ($log)"; fi
    [ "$SECONDS" -lt "$deadline" ] || die "no ready line within ${READY_TIMEOUT}s ($log)"
    [ -n "$grpc_port" ] || sleep 0.2
  done
  sleep 0.5
  http_port="$(sed -n 's/^.*http_port=\([0-9][0-9]*\).*$/\1/p' "$log" | head -n 1)"
  [ -n "$http_port" ] || http_port="$(sed -n 's/^mlserve: HTTP listening on .*:\([0-9][0-9]*\).*$/\1/p' "$log" | head -n 1)"
}

declare -A best slo
for row in $ROWS; do
  echo "bench: == $row ==" >&2
  case "$row" in
    echo-grpc) start_server "$OUT_DIR/standard/$row.server.log" java -cp "$lt_cp" \
        io.mlserve.loadtest.EchoServer --port 0 --bind 127.0.0.1 ;;
    grpc-on|grpc-off|rest-on|rest-off)
      store_dir="$(mktemp -d "${TMPDIR:-/tmp}/mlserve-bench-store.XXXXXX")"
      start_server "$OUT_DIR/standard/$row.server.log" bin/mlserve demo --grpc-port 0 \
        --http-port 0 --bind 127.0.0.1 --store "$store_dir" --batching "${row#*-}" ;;
    *) die "unknown row $row" ;;
  esac
  case "$row" in
    rest-*) [ -n "$http_port" ] || die "$row: no HTTP port in the server's log"
      target="http://127.0.0.1:$http_port" ;;
    *) target="grpc://127.0.0.1:$grpc_port" ;;
  esac
  # Warm the server (JIT, batch shapes) before the first step counts: on two shared cores a cold
  # server fails even the first step.
  bin/loadtest run --target "$target" --concurrency 16 --duration "$PREWARM" --warmup 0s \
    --slo none --quiet >/dev/null 2>&1 || true
  rc=0
  bin/loadtest sweep --target "$target" --p99 "$P99" --start-rate "$START_RATE" \
    --factor "$FACTOR" --step-duration "$STEP" --step-warmup "$STEP_WARMUP" --quiet \
    --out "$OUT_DIR/standard/$row-sweep" >"$OUT_DIR/standard/$row-sweep.txt" || rc=$?
  best[$row]="$(sed -n 's/^Highest sustainable rate: \([0-9]*\) req\/s.*/\1/p' \
    "$OUT_DIR/standard/$row-sweep.txt")"
  [ -n "${best[$row]}" ] || best[$row]="none (exit $rc)"
  grep -q "generator, not the server" "$OUT_DIR/standard/$row-sweep.txt" \
    && best[$row]="${best[$row]} (generator-limited)"
  rc=0
  bin/loadtest run --target "$target" --slo "$SLO" --duration "$SLO_DURATION" \
    --warmup "$SLO_WARMUP" --quiet --out "$OUT_DIR/standard/$row-slo" \
    >"$OUT_DIR/standard/$row-slo.txt" || rc=$?
  slo[$row]="$( [ "$rc" -eq 0 ] && echo met || echo "missed (exit $rc)")"
  slo[$row]="${slo[$row]}, p95 $(sed -n 's/^  "p95_us": \([0-9]*\),$/\1/p' \
    "$OUT_DIR/standard/$row-slo/result.json" | awk '{printf "%.2f ms", $1/1000}')"
  cleanup
done

label() {
  case "$1" in
    echo-grpc) echo "gRPC echo (bare grpc-java, same payload)" ;;
    grpc-on) echo "mlserve gRPC, batching on" ;; grpc-off) echo "mlserve gRPC, batching off" ;;
    rest-on) echo "mlserve REST /api/v1/predict, batching on" ;;
    rest-off) echo "mlserve REST /api/v1/predict, batching off" ;;
  esac
}
cpu="$(grep -m 1 '^model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"
{
  echo "### Standard benchmark: highest rate with p99 <= $P99, and the seed SLO ($SLO)"
  echo
  echo "| server | highest rate with p99 <= $P99 (req/s) | seed SLO $SLO |"
  echo "|---|---:|---|"
  for row in $ROWS; do echo "| $(label "$row") | ${best[$row]} | ${slo[$row]} |"; done
  echo
  echo "- Machine: $(nproc) CPUs, ${cpu:-unknown CPU}; $(uname -sr)"
  echo "- JDK: $(java -version 2>&1 | head -n 1)"
  echo "- Date: $(date -u +%Y-%m-%dT%H:%M:%SZ); commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "- Generator and server share these $(nproc) cores: the generator's CPU is taken from the"
  echo "  server's. It sleeps between sends (no spinning), sends pre-built requests from fixed"
  echo "  pools and records into HdrHistogram recorders without allocating; a step where it fell"
  echo "  behind its schedule is marked generator-limited rather than counted as server latency."
  echo "- Open loop, latency from each request's intended send time (no coordinated omission),"
  echo "  errors counted in the distribution. Sweep: start $START_RATE req/s, x$FACTOR per step,"
  echo "  $STEP_WARMUP warm-up + $STEP per step, 2 bisection steps; SLO run: $SLO_WARMUP + $SLO_DURATION."
  echo "- Per-row reports (JSON, HdrHistogram log, HTML): $OUT_DIR/standard/. Closed-loop"
  echo "  throughput vs echo: bench/grpc-batching.sh."
} | tee "$OUT_DIR/standard.md"
