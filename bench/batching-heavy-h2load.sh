#!/usr/bin/env bash
# Batching on vs off on the heavy MLP (issue 19, goal 1) with h2load (nghttp2-client, C) as the
# gRPC load generator instead of the project's JVM generator, which took about one of this
# machine's two cores in bench/batching-heavy.sh. One `bin/mlserve serve` holds both states
# (off: max_batch_size 1; on: the manifest's max batch 64, max_queue_delay_us 0; 2 instances x 1
# thread each); rounds alternate. h2load: 4 connections x 16 streams = 64 ModelInfer calls of one
# row in flight, 2 s warm-up + DURATION each. h2load counts HTTP/2 answers only (a gRPC error is
# an HTTP 200 with a grpc-status trailer), so the server's per-outcome counters are printed at
# the end: every request must be "ok" (a few "cancelled" are h2load closing streams at the end).
# Run it under `flock /tmp/mvn.lock`; about 2 minutes. Needs h2load (Debian nghttp2-client).
# Usage: bench/batching-heavy-h2load.sh   Settings: DURATION=8 ROUNDS=3 OUT_DIR=bench/out
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
. bench/lib.sh
. bench/lib-serve.sh
READY_TIMEOUT="${READY_TIMEOUT:-300}"; MVN="${MVN:-mvn}"; DURATION="${DURATION:-8}"
ROUNDS="${ROUNDS:-3}"
command -v h2load >/dev/null || die "h2load not found (apt-get install nghttp2-client)"
fixture=examples/mlp_heavy/torchscript
OUT_DIR="${OUT_DIR:-$root/bench/out}/batching-heavy-h2load"; mkdir -p "$OUT_DIR"
bench_init batching-heavy-h2load
for s in off on; do
  /usr/bin/python3 - "$fixture/model.json" "$store/$s.json" "$s" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); s = m["serving"]
if sys.argv[3] == "off":
    s["max_batch_size"] = 1
else:
    s["max_queue_delay_us"] = 0
json.dump(m, open(sys.argv[2], "w"), indent=2)
PY
  register_promote "$store" "heavy_$s" "$fixture/model.pt" "$store/$s.json" "$fixture/examples.json"
  /usr/bin/python3 bench/grpc_infer_body.py "heavy_$s" >"$OUT_DIR/heavy_$s.bin"
done
start_serve "$OUT_DIR/server.log" "$store"
hz="$(getconf CLK_TCK)"
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$DEMO_PID/stat"; }
load() {
  h2load -c 4 -m 16 -t 1 -D "$2" --warm-up-time=2 -H 'content-type: application/grpc' \
    -H 'te: trailers' -d "$OUT_DIR/heavy_$1.bin" \
    "http://127.0.0.1:$GPORT/inference.GRPCInferenceService/ModelInfer"
}
for s in off on; do load "$s" "$DURATION" >/dev/null; done   # warm-up of each state
for r in $(seq "$ROUNDS"); do
  for s in off on; do
    c0="$(cpu_ticks)"; out="$(load "$s" "$DURATION")"; c1="$(cpu_ticks)"
    rps="$(echo "$out" | sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p')"
    echo "round $r $s: $rps req/s; server CPU $(awk -v t="$((c1 - c0))" -v hz="$hz" \
      -v d="$DURATION" 'BEGIN { printf "%.2f", t / hz / (d + 2) }') cores;" \
      "$(echo "$out" | grep -m 1 '^requests:')"
  done
done | tee "$OUT_DIR/rounds.txt"
curl -sf "http://127.0.0.1:$HPORT/metrics" \
  | grep -E '^mlserve_requests_total\{model="heavy.*outcome="(ok|cancelled)"|^mlserve_batch_size_(sum|count)\{model="heavy' \
  | tee "$OUT_DIR/metrics.txt"
stop_demo
