#!/usr/bin/env bash
# gRPC throughput and p99 with a 100% shadow vs none, on one server in the same run
# (docs/benchmarks.md, issue 12: goal shadow/none throughput >= 0.90 on 2 shared cores).
#
# Starts `bin/mlserve demo` (curve_forecaster 1.0.0 in Production, 1.1.0 in Staging: the same
# network), warms it, then runs ROUNDS rounds; each round measures ModelInfer with no shadow,
# starts a 100% shadow of 1.1.0 (REST PUT /api/v1/models/curve_forecaster/shadow), waits for the
# server's "shadow ... started" line, measures again, and stops the shadow. Both states in
# alternation keep the machine's drift out of the ratio.
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

store="$(mktemp -d "${TMPDIR:-/tmp}/mlserve-shadow-bench.XXXXXX")"
DEMO_PID=""
cleanup() {
  if [ -n "$DEMO_PID" ]; then
    kill -TERM "$DEMO_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$DEMO_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$DEMO_PID" 2>/dev/null || true
    wait "$DEMO_PID" 2>/dev/null || true
  fi
  rm -rf "$store"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
die() { echo "bench: $*" >&2; exit 1; }

bin/loadtest --version >/dev/null  # builds the generator if needed
lt_cp="$(ls loadtest/target/mlserve-loadtest-*.jar | grep -v -e '-tests.jar' -e '-sources.jar' | head -n 1):loadtest/target/lib/*"
log="$OUT_DIR/server.log"
start_demo "$log" "$store" || die "server did not start"

load() { # DURATION WARMUP JSON TXT
  java $LOADTEST_JAVA_OPTS -cp "$lt_cp" io.mlserve.loadtest.LoadTest run \
    --target "127.0.0.1:$GPORT" --model "$MODEL" --features 24 --concurrency "$CONCURRENCY" \
    --duration "$1" --warmup "$2" --slo none --json "$3" >"$4"
}
# await_line PATTERN COUNT: until the server log has COUNT lines matching PATTERN
await_line() {
  for _ in $(seq 600); do
    [ "$(grep -c -- "$1" "$log" || true)" -ge "$2" ] && return 0
    sleep 0.1
  done
  die "no '$1' line in $log within 60 s"
}

echo "bench: warming for $WARMUP" >&2
load "$WARMUP" 0s "$OUT_DIR/warmup.json" "$OUT_DIR/warmup.txt" || die "warm-up failed"
for r in $(seq "$ROUNDS"); do
  load "$DURATION" "$CLIENT_WARMUP" "$OUT_DIR/none.$r.json" "$OUT_DIR/none.$r.txt"
  curl -sf -X PUT "127.0.0.1:$HPORT/api/v1/models/$MODEL/shadow" -H 'Content-Type: application/json' \
    -d '{"version":"1.1.0","sample":1.0}' >/dev/null
  await_line "shadow 1.1.0 (sample 1" "$r"
  load "$DURATION" "$CLIENT_WARMUP" "$OUT_DIR/shadow.$r.json" "$OUT_DIR/shadow.$r.txt"
  curl -s "127.0.0.1:$HPORT/api/v1/models/$MODEL/shadow" > "$OUT_DIR/report.$r.json"
  curl -sf -X DELETE "127.0.0.1:$HPORT/api/v1/models/$MODEL/shadow" >/dev/null
  await_line "shadow 1.1.0 stopped" "$r"
  echo "bench: round $r/$ROUNDS: none $(grep -m 1 throughput "$OUT_DIR/none.$r.txt" | sed 's/^ *//');" \
    "shadow $(grep -m 1 throughput "$OUT_DIR/shadow.$r.txt" | sed 's/^ *//')" >&2
done
cleanup
DEMO_PID=""

json_field() { sed -n "s/^  \"$2\": \([0-9.]*\),\$/\1/p" "$1"; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit; print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
{
  echo "| state | throughput (req/s, median) | p50 | p99 |"
  echo "|---|---:|---:|---:|"
  for s in none shadow; do
    rps="$(for r in $(seq "$ROUNDS"); do json_field "$OUT_DIR/$s.$r.json" throughput_rps; done | median)"
    p50="$(for r in $(seq "$ROUNDS"); do json_field "$OUT_DIR/$s.$r.json" p50_us; done | median)"
    p99="$(for r in $(seq "$ROUNDS"); do json_field "$OUT_DIR/$s.$r.json" p99_us; done | median)"
    label=$([ "$s" = none ] && echo "no shadow" || echo "100% shadow of 1.1.0")
    awk -v l="$label" -v r="$rps" -v a="$p50" -v b="$p99" \
      'BEGIN { printf "| %s | %.0f | %.2f ms | %.2f ms |\n", l, r, a / 1000, b / 1000 }'
  done
  ratios="$(for r in $(seq "$ROUNDS"); do
    awk -v a="$(json_field "$OUT_DIR/shadow.$r.json" throughput_rps)" \
      -v b="$(json_field "$OUT_DIR/none.$r.json" throughput_rps)" 'BEGIN { printf "%.3f\n", a / b }'
  done)"
  echo
  echo "- shadow / no shadow, per round: $(echo "$ratios" | paste -sd ' ' | sed 's/ /, /g');" \
    "median $(echo "$ratios" | median)"
  echo "- Date: $(date -u +%Y-%m-%dT%H:%M:%SZ); commit $(git rev-parse --short HEAD); $(nproc) CPUs shared by server and generator"
  echo "- Load: closed loop, $CONCURRENCY in flight, one FP32 row [1,24] per ModelInfer to Production 1.0.0;" \
    "server warmed $WARMUP; $ROUNDS rounds of $DURATION per state (client warm-up $CLIENT_WARMUP)"
} | tee "$OUT_DIR/shadow.md"
