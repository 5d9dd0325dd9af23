#!/usr/bin/env bash
# REST vs gRPC on the same server in the same run, and /api/v1/batch items per second.
# One `bin/mlserve demo` on 127.0.0.1 (free ports); closed loop:
#   1. gRPC ModelInfer, one row [1,24], CONCURRENCY in flight
#   2. REST POST /api/v1/predict, one row, CONCURRENCY in flight
#   3. REST POST /api/v1/batch, BATCH_ROWS rows per request, BATCH_CONCURRENCY in flight
# Generator and server share the machine's cores. Writes $OUT_DIR/rest.md.
# Settings: CONCURRENCY=64 BATCH_ROWS=1000 BATCH_CONCURRENCY=4 DURATION=20s WARMUP=15s OUT_DIR=bench/out
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
CONCURRENCY="${CONCURRENCY:-64}"; BATCH_ROWS="${BATCH_ROWS:-1000}"
BATCH_CONCURRENCY="${BATCH_CONCURRENCY:-4}"; DURATION="${DURATION:-20s}"; WARMUP="${WARMUP:-15s}"
OUT_DIR="${OUT_DIR:-$root/bench/out}"
mkdir -p "$OUT_DIR/rest"
store="$(mktemp -d "${TMPDIR:-/tmp}/mlserve-rest-bench.XXXXXX")"
log="$OUT_DIR/rest/server.log"
bin/mlserve demo --grpc-port 0 --http-port 0 --bind 127.0.0.1 --store "$store/s" > "$log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$store"' EXIT
for _ in $(seq 300); do grep -q "ready grpc_port" "$log" && break; sleep 1; done
gport="$(sed -n 's/^mlserve: ready grpc_port=\([0-9]*\).*/\1/p' "$log")"
hport="$(sed -n 's/^mlserve: ready .*http_port=\([0-9]*\).*/\1/p' "$log")"
[ -n "$gport" ] && [ -n "$hport" ] || { echo "server did not start; see $log" >&2; exit 1; }

run() { # name, loadtest args...
  local name="$1"; shift
  bin/loadtest run --quiet --slo none --duration "$DURATION" --warmup "$WARMUP" \
    --json "$OUT_DIR/rest/$name.json" "$@" > "$OUT_DIR/rest/$name.txt" 2>&1 || true
}
field() { sed -n "s/^ *\"$2\" *: *\"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" "$OUT_DIR/rest/$1.json" | head -n 1; }
run grpc --target "grpc://127.0.0.1:$gport" --concurrency "$CONCURRENCY"
run rest-predict --target "http://127.0.0.1:$hport" --concurrency "$CONCURRENCY"
run rest-batch --target "http://127.0.0.1:$hport" --http-api batch --batch-size "$BATCH_ROWS" \
  --concurrency "$BATCH_CONCURRENCY"

g="$(field grpc throughput_rps)"; r="$(field rest-predict throughput_rps)"; b="$(field rest-batch throughput_rps)"
{
  echo "| endpoint | in flight | requests/s | items/s | p50 | p99 | errors |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for n in grpc rest-predict rest-batch; do
    rows=1; c="$CONCURRENCY"
    [ "$n" = rest-batch ] && rows="$BATCH_ROWS" && c="$BATCH_CONCURRENCY"
    t="$(field $n throughput_rps)"
    awk -v n="$n" -v c="$c" -v t="$t" -v rows="$rows" -v p50="$(field $n p50_us)" \
      -v p99="$(field $n p99_us)" -v f="$(field $n failed)" \
      'BEGIN { printf "| %s | %s | %.0f | %.0f | %.2f ms | %.2f ms | %s |\n", n, c, t, t * rows, p50 / 1000, p99 / 1000, f }'
  done
  echo
  awk -v r="$r" -v g="$g" 'BEGIN { printf "- REST predict / gRPC throughput: %.0f%%\n", r * 100 / g }'
  echo "- Machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1); $(java -version 2>&1 | head -n 1)"
  echo "- Date: $(date -u +%Y-%m-%dT%H:%M:%SZ); commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "- Closed loop, ${WARMUP} warm-up then ${DURATION} measured per row; generator and server share the cores."
} | tee "$OUT_DIR/rest.md"
