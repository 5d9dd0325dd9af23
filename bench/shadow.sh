#!/usr/bin/env bash
# gRPC throughput and p99 with a 100% shadow vs none, on one server in the same run
# (docs/benchmarks.md, issue 12: goal shadow/none throughput >= 0.90 on 2 shared cores).
#
# Starts `bin/mlserve demo` (curve_forecaster 1.0.0 in Production, 1.1.0 in Staging: the same
# network), warms it, then runs ROUNDS rounds; each round measures ModelInfer with no shadow,
# starts a 100% shadow of 1.1.0 (REST PUT /api/v1/models/curve_forecaster/shadow), waits for the
# server's "shadow ... started" line, measures again, and stops the shadow (even rounds: the
# shadow first). Both states in alternation keep the machine's drift out of the ratio. Per measurement it also reads the
# server's CPU time (/proc/PID/stat) and the requests it answered (/metrics), for the CPU each
# primary request costs with and without the shadow, and per round the shadow's report: copies
# compared and dropped (the shadow runs at background priority and yields when the cores are
# saturated).
#
# Usage: bench/shadow.sh   Settings: CONCURRENCY=64 DURATION=15s WARMUP=30s CLIENT_WARMUP=5s
#   ROUNDS=3 OUT_DIR=bench/out READY_TIMEOUT=300 MVN=mvn
#   LOADTEST_JAVA_OPTS="-Xms512m -Xmx512m -XX:+UseParallelGC"
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

CONCURRENCY="${CONCURRENCY:-64}"; DURATION="${DURATION:-15s}"; WARMUP="${WARMUP:-30s}"
CLIENT_WARMUP="${CLIENT_WARMUP:-5s}"; ROUNDS="${ROUNDS:-3}"
OUT_DIR="${OUT_DIR:-$root/bench/out/shadow}"; READY_TIMEOUT="${READY_TIMEOUT:-300}"
LOADTEST_JAVA_OPTS="${LOADTEST_JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC}"
MVN="${MVN:-mvn}"; export MVN
MODEL=curve_forecaster
mkdir -p "$OUT_DIR"
. bench/lib.sh

bench_init shadow

loadtest_classpath
log="$OUT_DIR/server.log"
start_demo "$log" "$store" || die "server did not start"

# cpu_ticks: the server's user+system CPU time so far, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$DEMO_PID/stat"; }
# served: the Production version's requests so far, from /metrics.
served() {
  curl -s "127.0.0.1:$HPORT/metrics" | awk '/^mlserve_requests_total\{/ && /model="curve_forecaster"/ && /version="1.0.0"/ { s += $NF } END { printf "%d\n", s }'
}
# measure STATE ROUND: one load run, with the server's CPU and request counts around it.
measure() {
  local t0 n0
  t0="$(cpu_ticks)"; n0="$(served)"
  grpc_load "$DURATION" "$CLIENT_WARMUP" "$OUT_DIR/$1.$2.json" "$OUT_DIR/$1.$2.txt"
  echo "$(( $(cpu_ticks) - t0 )) $(( $(served) - n0 ))" > "$OUT_DIR/$1.$2.cpu"
}

echo "bench: warming for $WARMUP" >&2
grpc_load "$WARMUP" 0s "$OUT_DIR/warmup.json" "$OUT_DIR/warmup.txt" || die "warm-up failed"
# with_shadow ROUND: starts the shadow, measures, keeps its report, stops it.
with_shadow() {
  curl -sf -X PUT "127.0.0.1:$HPORT/api/v1/models/$MODEL/shadow" -H 'Content-Type: application/json' \
    -d '{"version":"1.1.0","sample":1.0}' >/dev/null
  await_line "shadow 1.1.0 (sample 1" "$1"
  measure shadow "$1"
  curl -s "127.0.0.1:$HPORT/api/v1/models/$MODEL/shadow" > "$OUT_DIR/report.$1.json"
  curl -sf -X DELETE "127.0.0.1:$HPORT/api/v1/models/$MODEL/shadow" >/dev/null
  await_line "shadow 1.1.0 stopped" "$1"
}
for r in $(seq "$ROUNDS"); do
  # The order alternates, so a trend (JIT, the machine's drift) favours neither state.
  if [ $((r % 2)) -eq 1 ]; then measure none "$r"; with_shadow "$r"; else with_shadow "$r"; measure none "$r"; fi
  echo "bench: round $r/$ROUNDS: none $(grep -m 1 throughput "$OUT_DIR/none.$r.txt" | sed 's/^ *//');" \
    "shadow $(grep -m 1 throughput "$OUT_DIR/shadow.$r.txt" | sed 's/^ *//')" >&2
done
stop_demo

{
  ab_table none "no shadow" shadow "100% shadow of 1.1.0" "shadow / no shadow"
  hz="$(getconf CLK_TCK)"
  for r in $(seq "$ROUNDS"); do
    read -r tn nn < "$OUT_DIR/none.$r.cpu"; read -r ts ns < "$OUT_DIR/shadow.$r.cpu"
    /usr/bin/python3 - "$OUT_DIR/report.$r.json" "$tn" "$nn" "$ts" "$ns" "$hz" "$r" <<'PY'
import json, sys
rep = json.load(open(sys.argv[1]))
tn, nn, ts, ns, hz, r = (float(x) for x in sys.argv[2:8])
none_us = tn / hz * 1e6 / max(nn, 1)
shadow_us = ts / hz * 1e6 / max(ns, 1)
offered = rep["mirrored"] + rep["dropped"]
extra = (ts / hz * 1e6 - none_us * ns) / max(rep["compared"], 1)
print(f"- round {int(r)}: server CPU per primary request {none_us:.1f} us without the shadow, "
      f"{shadow_us:.1f} us with it; the shadow compared {rep['compared']:,} of {offered:,} copies "
      f"({100 * rep['compared'] / max(offered, 1):.0f}%), dropped {rep['dropped']:,}, errors "
      f"{rep['errors']}, timeouts {rep['timeouts']}, agreement {rep['agreement_ratio']}; "
      f"its latency p50 {rep['latency_ms']['p50']} ms / p99 {rep['latency_ms']['p99']} ms; "
      f"CPU per compared copy {extra:.1f} us")
PY
  done
  run_notes
  echo "- Load: closed loop, $CONCURRENCY in flight, one FP32 row [1,24] per ModelInfer to Production 1.0.0;" \
    "server warmed $WARMUP; $ROUNDS rounds of $DURATION per state (client warm-up $CLIENT_WARMUP)"
} | tee "$OUT_DIR/shadow.md"
