#!/usr/bin/env bash
# Hot reload under load: one `bin/mlserve demo` on 127.0.0.1, a second version (1.1.0, the same
# artifact) registered through the admin API, then
#   1. steady state: open-loop gRPC load at GRPC_RATE and REST /api/v1/predict at REST_RATE
#      together, STEADY seconds (after WARMUP);
#   2. reloads: the same two loads while `loadtest reload` promotes 1.1.0 and rolls it back
#      CYCLES times (2 x CYCLES swaps), one admin call every INTERVAL.
# Reports failed requests (the target is zero), which versions answered, and p99 while reloading
# against steady state (target: at most 2x). Generator and server share the machine's cores.
# Settings: GRPC_RATE=2000 REST_RATE=500 CYCLES=25 INTERVAL=500ms STEADY=20s WARMUP=15s OUT_DIR=bench/out
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
GRPC_RATE="${GRPC_RATE:-2000}"; REST_RATE="${REST_RATE:-500}"; CYCLES="${CYCLES:-25}"
INTERVAL="${INTERVAL:-500ms}"; STEADY="${STEADY:-20s}"; WARMUP="${WARMUP:-15s}"
OUT_DIR="${OUT_DIR:-$root/bench/out}"
out="$OUT_DIR/reload"
mkdir -p "$out"
store="$(mktemp -d "${TMPDIR:-/tmp}/mlserve-reload-bench.XXXXXX")"
log="$out/server.log"
bin/mlserve demo --grpc-port 0 --http-port 0 --bind 127.0.0.1 --store "$store/s" \
  --guard-window-seconds 0 > "$log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$store"' EXIT
for _ in $(seq 300); do grep -q "ready grpc_port" "$log" && break; sleep 1; done
gport="$(sed -n 's/^mlserve: ready grpc_port=\([0-9]*\).*/\1/p' "$log")"
hport="$(sed -n 's/^mlserve: ready .*http_port=\([0-9]*\).*/\1/p' "$log")"
[ -n "$gport" ] && [ -n "$hport" ] || { echo "server did not start; see $log" >&2; exit 1; }
bin/mlctl --server "127.0.0.1:$gport" register --model curve_forecaster --version 1.1.0 \
  --artifact examples/curve_forecaster/model.pt > "$out/register.txt"

field() { sed -n "s/^ *\"$2\" *: *\"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" "$out/$1.json" | head -n 1; }
secs() { echo "$1" | awk '{ v = $1; if (v ~ /ms$/) { sub(/ms$/, "", v); v /= 1000 } else sub(/s$/, "", v); print v }'; }

# 1. steady state
bin/loadtest run --quiet --slo none --target "grpc://127.0.0.1:$gport" --rate "$GRPC_RATE" \
  --duration "$STEADY" --warmup "$WARMUP" --json "$out/steady-grpc.json" > "$out/steady-grpc.txt" 2>&1 &
a=$!
bin/loadtest run --quiet --slo none --target "http://127.0.0.1:$hport" --rate "$REST_RATE" \
  --duration "$STEADY" --warmup "$WARMUP" --json "$out/steady-rest.json" > "$out/steady-rest.txt" 2>&1 &
b=$!
wait $a || true; wait $b || true

# 2. the same load while Production flips 2 x CYCLES times
window="$(awk -v i="$(secs "$INTERVAL")" -v c="$CYCLES" 'BEGIN { printf "%ds", i * (2 * c + 1) + 1 }')"
bin/loadtest run --quiet --slo none --target "http://127.0.0.1:$hport" --rate "$REST_RATE" \
  --duration "$window" --warmup 0s --json "$out/reload-rest.json" > "$out/reload-rest.txt" 2>&1 &
b=$!
rc=0
bin/loadtest reload --quiet --target "grpc://127.0.0.1:$gport" --rate "$GRPC_RATE" \
  --promote-version 1.1.0 --cycles "$CYCLES" --interval "$INTERVAL" \
  --json "$out/reload-grpc.json" > "$out/reload-grpc.txt" 2>&1 || rc=$?
wait $b || true
swaps="$(grep -c 'now serving' "$log" || true)"

{
  echo "| phase | transport | rate req/s | requests | failed | p50 | p99 | max |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|"
  for n in steady-grpc steady-rest reload-grpc reload-rest; do
    awk -v n="$n" -v r="$(field $n throughput_rps)" -v q="$(field $n requests)" \
      -v f="$(field $n failed)" -v p50="$(field $n p50_us)" -v p99="$(field $n p99_us)" \
      -v mx="$(field $n max_us)" 'BEGIN { split(n, a, "-");
        printf "| %s | %s | %.0f | %s | %s | %.2f ms | %.2f ms | %.2f ms |\n", a[1], a[2], r, q, f,
          p50 / 1000, p99 / 1000, mx / 1000 }'
  done
  echo
  for t in grpc rest; do
    awk -v t="$t" -v s="$(field steady-$t p99_us)" -v r="$(field reload-$t p99_us)" \
      'BEGIN { printf "- %s p99 while reloading / steady: %.2fx\n", t, r / s }'
  done
  echo "- Swaps done by the server: $swaps (initial load included); loadtest reload exit code: $rc"
  echo "- Versions that answered (gRPC): $(grep -i -A3 'answer' "$out/reload-grpc.txt" | tr -s ' ' | tr '\n' ' ' | cut -c1-200)"
  echo "- Machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1); $(java -version 2>&1 | head -n 1)"
  echo "- Date: $(date -u +%Y-%m-%dT%H:%M:%SZ); commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "- Open loop; $CYCLES promote+rollback cycles, one admin call every $INTERVAL; generator and server share the cores."
} | tee "$OUT_DIR/reload.md"
