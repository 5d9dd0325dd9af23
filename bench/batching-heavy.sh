#!/usr/bin/env bash
# Dynamic batching on a compute-heavy model (issue 19, goal 1): batching on vs off on
# examples/mlp_heavy/torchscript (24-1024-1024-24 MLP, TorchScript), measured in alternating
# rounds on ONE `bin/mlserve serve`, so each ratio compares states measured seconds apart. The
# same artifact is registered once per state, each under its own name with its own serving
# settings (2 instances x 1 intra-op thread, max batch 64 unless the state says otherwise):
#   off       max_batch_size 1 (batching off)
#   on        the manifest as committed (max batch 64, max_queue_delay_us from the manifest)
#   on-nodelay  max batch 64, max_queue_delay_us 0 (batch only what is queued; no waiting)
#   on-fixed  max batch 64, a fixed max_queue_delay_us of $FIXED_DELAY_US
#   on-1x2    max batch 64, 1 instance x 2 intra-op threads
# Closed loop: $CONCURRENCY gRPC ModelInfer calls of one row in flight (loadtest `run`, its own JVM).
# The rows per batch the server formed in each state over the measured rounds come from the
# server's /metrics histogram (mlserve_batch_size), scraped before and after the rounds; the
# server's CPU per request (utime + stime of its process over each run, over the rows it ran) shows
# what batching saves the server, apart from the load generator that shares the machine.
# Run it under `flock /tmp/mvn.lock` (no build or other benchmark beside it); ~4 minutes with the
# defaults.
# Usage: bench/batching-heavy.sh
# Settings: STATES="off on" CONCURRENCY=64 DURATION=8s WARMUP=8s CLIENT_WARMUP=2s ROUNDS=3
#   FIXED_DELAY_US=2000 OUT_DIR=bench/out  MVN=mvn  READY_TIMEOUT=300
#   LOADTEST_JAVA_OPTS="-Xms512m -Xmx512m -XX:+UseParallelGC"  MLSERVE_JAVA_OPTS (bin/mlserve)
# Results: $OUT_DIR/batching-heavy/<state>.<round>.json|txt, server.log, metrics.{before,after},
# batching-heavy.md (the tables).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
. bench/lib.sh
. bench/lib-serve.sh

STATES="${STATES:-off on}"; CONCURRENCY="${CONCURRENCY:-64}"; DURATION="${DURATION:-8s}"
WARMUP="${WARMUP:-8s}"; CLIENT_WARMUP="${CLIENT_WARMUP:-2s}"; ROUNDS="${ROUNDS:-3}"
FIXED_DELAY_US="${FIXED_DELAY_US:-2000}"; READY_TIMEOUT="${READY_TIMEOUT:-300}"; MVN="${MVN:-mvn}"
LOADTEST_JAVA_OPTS="${LOADTEST_JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC}"
OUT_DIR="${OUT_DIR:-$root/bench/out}/batching-heavy"
mkdir -p "$OUT_DIR"
log="$OUT_DIR/server.log"
fixture=examples/mlp_heavy/torchscript

if [ ! -d server/target/lib ] || [ ! -d loadtest/target/lib ]; then
  echo "bench: building (mvn -B -q -DskipTests package)..." >&2
  $MVN -B -q -DskipTests -pl server,loadtest -am package >&2
fi
loadtest_classpath
bench_init batching-heavy

# model_of STATE: the name the state's copy of the model is registered under.
model_of() { echo "heavy_${1//-/_}"; }

# manifest STATE OUT: the fixture's manifest with the state's serving settings.
manifest() {
  /usr/bin/python3 - "$fixture/model.json" "$2" "$1" "$FIXED_DELAY_US" <<'PY'
import json, sys
src, out, state, fixed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
m = json.load(open(src))
s = m["serving"]
if state == "off":
    s["max_batch_size"] = 1
elif state == "on":
    pass
elif state == "on-nodelay":
    s["max_queue_delay_us"] = 0
elif state == "on-fixed":
    s["max_queue_delay_us"] = fixed
elif state == "on-1x2":
    s["instances"] = 1
    s["threads_per_instance"] = 2
else:
    sys.exit("unknown state " + state + " (off, on, on-nodelay, on-fixed, on-1x2)")
json.dump(m, open(out, "w"), indent=2)
PY
}

: >"$OUT_DIR/register.log"
for s in $STATES; do
  manifest "$s" "$store/$s.json" || die "bad state '$s'"
  register_promote "$store" "$(model_of "$s")" "$fixture/model.pt" "$store/$s.json" \
    "$fixture/examples.json"
done
start_serve "$log" "$store"

for s in $STATES; do
  echo "bench: warming $s for $WARMUP" >&2
  model_run "$(model_of "$s")" 1 "$WARMUP" 0s "$s.warmup"
done
# cpu_ticks: the server's user + system CPU so far, in clock ticks (bin/mlserve execs java).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$DEMO_PID/stat"; }
# rows_run STATE: rows the state's model has run on the engine so far (from /metrics).
rows_run() {
  curl -sf "http://127.0.0.1:$HPORT/metrics" \
    | sed -n "s/^mlserve_batch_size_sum{model=\"$(model_of "$1")\".*} //p"
}
hz="$(getconf CLK_TCK)"
curl -sf "http://127.0.0.1:$HPORT/metrics" >"$OUT_DIR/metrics.before" || die "no /metrics"
: >"$OUT_DIR/cpu.txt"
for r in $(seq "$ROUNDS"); do
  for s in $STATES; do
    c0="$(cpu_ticks)"; n0="$(rows_run "$s")"
    model_run "$(model_of "$s")" 1 "$DURATION" "$CLIENT_WARMUP" "$s.$r"
    c1="$(cpu_ticks)"; n1="$(rows_run "$s")"
    # server CPU per request over the whole run (client warm-up included): one row a request
    echo "$s $r $(awk -v c="$((c1 - c0))" -v n="$((n1 - n0))" -v hz="$hz" \
      'BEGIN { printf "%.1f", n ? c * 1e6 / hz / n : 0 }')" >>"$OUT_DIR/cpu.txt"
    echo "bench: round $r/$ROUNDS $s: $(json_field "$OUT_DIR/$s.$r.json" throughput_rps) req/s," \
      "server CPU $(tail -n 1 "$OUT_DIR/cpu.txt" | cut -d' ' -f3) us/request" >&2
  done
done
curl -sf "http://127.0.0.1:$HPORT/metrics" >"$OUT_DIR/metrics.after" || die "no /metrics"
stop_demo

# buckets STATE FILE: "le count" lines of the state's mlserve_batch_size histogram.
buckets() {
  sed -n "s/^mlserve_batch_size_bucket{model=\"$(model_of "$1")\",version=\"1.0.0\",le=\"\([^\"]*\)\"} \([0-9]*\)$/\1 \2/p" "$2"
}

# distribution STATE: the share of batches of each size range over the measured rounds, and the
# mean rows per batch.
distribution() {
  paste -d ' ' <(buckets "$1" "$OUT_DIR/metrics.before") <(buckets "$1" "$OUT_DIR/metrics.after") \
    | awk -v s="$1" -v sum0="$(sed -n "s/^mlserve_batch_size_sum{model=\"$(model_of "$1")\".*} //p" "$OUT_DIR/metrics.before")" \
        -v sum1="$(sed -n "s/^mlserve_batch_size_sum{model=\"$(model_of "$1")\".*} //p" "$OUT_DIR/metrics.after")" '
      { le[NR] = $1; c[NR] = $4 - $2 }
      END {
        total = c[NR]; if (total == 0) { print "| " s " | no batches |"; exit }
        line = "| " s " | " total
        prev = 0
        for (i = 1; i <= 7; i++) {   # le = 1, 2, 4, ..., 64
          line = line sprintf(" | %.1f%%", 100 * (c[i] - prev) / total); prev = c[i]
        }
        printf "%s | %.1f |\n", line, (sum1 - sum0) / total
      }'
}

first="${STATES%% *}"
cpu_model="$(grep -m 1 '^model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"
{
  echo "| state | req/s (median of $ROUNDS) | p50 | p99 | throughput / $first's, per round | server CPU us/request (median) | $first's / this, per round |"
  echo "|---|---:|---:|---:|---|---:|---|"
  for s in $STATES; do
    rps="$(for r in $(seq "$ROUNDS"); do json_field "$OUT_DIR/$s.$r.json" throughput_rps; done | median)"
    p50="$(for r in $(seq "$ROUNDS"); do json_field "$OUT_DIR/$s.$r.json" p50_us; done | median)"
    p99="$(for r in $(seq "$ROUNDS"); do json_field "$OUT_DIR/$s.$r.json" p99_us; done | median)"
    ratios="$(for r in $(seq "$ROUNDS"); do
      awk -v a="$(json_field "$OUT_DIR/$s.$r.json" throughput_rps)" \
        -v b="$(json_field "$OUT_DIR/$first.$r.json" throughput_rps)" 'BEGIN { printf "%.2f\n", a / b }'
    done)"
    cpu_of() { awk -v s="$1" -v r="$2" '$1 == s && $2 == r { print $3 }' "$OUT_DIR/cpu.txt"; }
    cpu="$(for r in $(seq "$ROUNDS"); do cpu_of "$s" "$r"; done | median)"
    cratios="$(for r in $(seq "$ROUNDS"); do
      awk -v a="$(cpu_of "$first" "$r")" -v b="$(cpu_of "$s" "$r")" 'BEGIN { printf "%.2f\n", a / b }'
    done)"
    awk -v l="$s" -v r="$rps" -v a="$p50" -v c="$p99" -v u="$cpu" \
      -v x="x$(echo "$ratios" | paste -sd ' ' | sed 's/ /, x/g') (median **x$(echo "$ratios" | median)**)" \
      -v y="x$(echo "$cratios" | paste -sd ' ' | sed 's/ /, x/g') (median **x$(echo "$cratios" | median)**)" \
      'BEGIN { printf "| %s | %.0f | %.2f ms | %.2f ms | %s | %.0f | %s |\n", l, r, a / 1000, c / 1000, x, u, y }'
  done
  echo
  echo "Rows per batch formed over the measured rounds (share of batches; from /metrics):"
  echo
  echo "| state | batches | 1 | 2 | 3-4 | 5-8 | 9-16 | 17-32 | 33-64 | mean rows |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for s in $STATES; do distribution "$s"; done
  echo
  echo "- Machine: $(nproc) CPUs, ${cpu_model:-unknown CPU}; JDK: $(java -version 2>&1 | head -n 1)"
  echo "- Load: closed loop, $CONCURRENCY one-row requests in flight over one gRPC channel (typed" \
    "FP32), each state warmed $WARMUP, then $ROUNDS rounds of $DURATION per state (client warm-up" \
    "$CLIENT_WARMUP), states in alternation; fixed delay (on-fixed) $FIXED_DELAY_US us"
  run_notes
  echo "- Reproduce: flock /tmp/mvn.lock bench/batching-heavy.sh (JSON per state and round in" \
    "bench/out/batching-heavy/)"
} | tee "$OUT_DIR/batching-heavy.md"
