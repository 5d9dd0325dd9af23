# Shared by the bench scripts (source it): start a demo server, build request bodies.

# start_demo LOG STORE [extra mlserve flags...]: starts `bin/mlserve demo` on 127.0.0.1 with free
# ports; sets DEMO_PID, GPORT, HPORT. The caller owns cleanup (kill -TERM "$DEMO_PID").
# DEMO_PREFIX: words run before bin/mlserve (e.g. "taskset -c 1" to pin the server to a CPU).
start_demo() {
  local log="$1" store="$2"; shift 2
  ${DEMO_PREFIX:-} bin/mlserve demo --grpc-port 0 --http-port 0 --bind 127.0.0.1 --store "$store" "$@" > "$log" 2>&1 &
  DEMO_PID=$!
  for _ in $(seq 300); do grep -q "ready grpc_port" "$log" && break; sleep 1; done
  GPORT="$(sed -n 's/^mlserve: ready grpc_port=\([0-9]*\).*/\1/p' "$log")"
  HPORT="$(sed -n 's/^mlserve: ready .*http_port=\([0-9]*\).*/\1/p' "$log")"
  [ -n "$GPORT" ] && [ -n "$HPORT" ] || { echo "server did not start; see $log" >&2; return 1; }
}

# write_bodies DIR [BATCH_ROWS]: DIR/grpc.bin (a gRPC-framed ModelInferRequest, typed FP32),
# DIR/predict.json, and wrk scripts DIR/predict.lua and, with BATCH_ROWS, DIR/batch.lua.
write_bodies() {
  python3 - "$1" "${2:-0}" <<'PY'
import json, random, struct, sys
d, rows = sys.argv[1], int(sys.argv[2])
def varint(n):
    out = b''
    while True:
        b, n = n & 0x7f, n >> 7
        out += bytes([b | 0x80]) if n else bytes([b])
        if not n:
            return out
def ld(num, b):
    return varint((num << 3) | 2) + varint(len(b)) + b
curve = [60, 59, 58, 57, 58, 60, 62, 64, 66, 68, 70, 71, 70, 68, 66, 64, 62, 61, 60, 61, 62, 64, 66, 67]
tensor = (ld(1, b'curve') + ld(2, b'FP32') + ld(3, varint(1) + varint(24))
          + ld(5, ld(6, b''.join(struct.pack('<f', v) for v in curve))))
req = ld(1, b'curve_forecaster') + ld(5, tensor)
open(d + '/grpc.bin', 'wb').write(b'\x00' + struct.pack('>I', len(req)) + req)
predict = json.dumps({"model": "curve_forecaster", "input": curve})
open(d + '/predict.json', 'w').write(predict)
def lua(body):
    return ('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
            'wrk.body = [==[' + body + ']==]\n')
open(d + '/predict.lua', 'w').write(lua(predict))
if rows:
    random.seed(1)
    inst = [[round(45 + random.random() * 30, 3) for _ in range(24)] for _ in range(rows)]
    open(d + '/batch.lua', 'w').write(lua(json.dumps({"model": "curve_forecaster", "instances": inst})))
PY
}

# die MESSAGE: says why on stderr and exits 1.
die() { echo "bench: $*" >&2; exit 1; }

# bench_init NAME: a fresh temporary store in $store, and traps that stop the demo server
# (DEMO_PID) and the processes in BENCH_PIDS and remove the store on any exit.
bench_init() {
  bench_traps
  store="$(mktemp -d "${TMPDIR:-/tmp}/mlserve-$1-bench.XXXXXX")"
}

# bench_traps: the traps of bench_init without a store yet: a script that makes one store per
# setting sets $store itself and calls bench_cleanup after each setting.
bench_traps() {
  DEMO_PID=""; BENCH_PIDS=""; store=""
  trap bench_cleanup EXIT
  trap 'bench_cleanup; exit 130' INT
  trap 'bench_cleanup; exit 143' TERM
}

# bench_hold_lock "$@": re-runs the calling script under `flock /tmp/mvn.lock` unless an
# ancestor already holds it (BENCH_LOCK_HELD), so that no build or other benchmark runs beside
# it on the shared machine; builds started from inside then run mvn directly (MVN=mvn), as
# waiting for the lock this script holds would never end. Run such a script plainly, or under
# a lock of your own as `flock /tmp/mvn.lock env BENCH_LOCK_HELD=1 bench/x.sh` (a second flock
# of the same file inside the first would wait for ever).
bench_hold_lock() {
  if [ -z "${BENCH_LOCK_HELD:-}" ]; then
    exec env BENCH_LOCK_HELD=1 flock /tmp/mvn.lock "$0" "$@"
  fi
  export MVN=mvn
}

# bench_build: builds the load generator and the server if their jars are missing or stale.
bench_build() {
  bin/loadtest --version >/dev/null
  bin/mlserve --version >/dev/null 2>&1 || true
}

# stop_pid PID: SIGTERM, up to 10 s for it to go, then SIGKILL; reaps it.
stop_pid() {
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# stop_demo: stops the demo server (and BENCH_PIDS) if running; the store stays.
stop_demo() {
  local p
  for p in $BENCH_PIDS; do stop_pid "$p"; done
  BENCH_PIDS=""
  if [ -n "${DEMO_PID:-}" ]; then stop_pid "$DEMO_PID"; fi
  DEMO_PID=""
}

# bench_cleanup: stop_demo, then removes the store ($store) if there is one.
bench_cleanup() {
  stop_demo
  if [ -n "${store:-}" ]; then rm -rf "$store"; fi
  store=""
}

# loadtest_classpath: builds the load generator if needed; sets lt_cp.
loadtest_classpath() {
  bin/loadtest --version >/dev/null
  lt_cp="$(ls loadtest/target/mlserve-loadtest-*.jar | grep -v -e '-tests.jar' -e '-sources.jar' | head -n 1):loadtest/target/lib/*"
}

# grpc_load DURATION WARMUP JSON TXT: a closed-loop gRPC run of $CONCURRENCY unversioned
# ModelInfer calls in flight against $MODEL on 127.0.0.1:$GPORT (needs lt_cp, see
# loadtest_classpath; $LOADTEST_JAVA_OPTS for the generator's JVM).
grpc_load() {
  java $LOADTEST_JAVA_OPTS -cp "$lt_cp" io.mlserve.loadtest.LoadTest run \
    --target "127.0.0.1:$GPORT" --model "$MODEL" --features 24 --concurrency "$CONCURRENCY" \
    --duration "$1" --warmup "$2" --slo none --json "$3" >"$4"
}

# await_line PATTERN COUNT [SECONDS]: until the server log $log has COUNT lines matching PATTERN
# (fixed string); dies after SECONDS (default 60).
await_line() {
  local tries=$(( ${3:-60} * 10 ))
  for _ in $(seq "$tries"); do
    [ "$(grep -cF -- "$1" "$log" || true)" -ge "$2" ] && return 0
    sleep 0.1
  done
  die "no '$1' line in $log within ${3:-60} s"
}

# json_field FILE FIELD: a numeric field of the generator's one-field-per-line JSON.
json_field() { sed -n "s/^  \"$2\": \([0-9.]*\),\$/\1/p" "$1"; }

# median: the median of the numbers on stdin, one a line.
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit; print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# ab_table BASE BASE_LABEL OTHER OTHER_LABEL RATIO_NAME: the markdown table of two states measured
# in alternation over $ROUNDS rounds ($OUT_DIR/<state>.<round>.json): median throughput, p50 and
# p99 per state, then OTHER/BASE throughput per round and its median.
ab_table() {
  local s label rps p50 p99 ratios r
  echo "| state | throughput (req/s, median) | p50 | p99 |"
  echo "|---|---:|---:|---:|"
  for s in "$1" "$3"; do
    rps="$(for r in $(seq "$ROUNDS"); do json_field "$OUT_DIR/$s.$r.json" throughput_rps; done | median)"
    p50="$(for r in $(seq "$ROUNDS"); do json_field "$OUT_DIR/$s.$r.json" p50_us; done | median)"
    p99="$(for r in $(seq "$ROUNDS"); do json_field "$OUT_DIR/$s.$r.json" p99_us; done | median)"
    label=$([ "$s" = "$1" ] && echo "$2" || echo "$4")
    awk -v l="$label" -v r="$rps" -v a="$p50" -v b="$p99" \
      'BEGIN { printf "| %s | %.0f | %.2f ms | %.2f ms |\n", l, r, a / 1000, b / 1000 }'
  done
  ratios="$(for r in $(seq "$ROUNDS"); do
    awk -v a="$(json_field "$OUT_DIR/$3.$r.json" throughput_rps)" \
      -v b="$(json_field "$OUT_DIR/$1.$r.json" throughput_rps)" 'BEGIN { printf "%.3f\n", a / b }'
  done)"
  echo
  echo "- $5, per round: $(echo "$ratios" | paste -sd ' ' | sed 's/ /, /g');" \
    "median $(echo "$ratios" | median)"
}

# run_notes: the date, commit and CPU line every table ends with.
run_notes() {
  echo "- Date: $(date -u +%Y-%m-%dT%H:%M:%SZ); commit $(git rev-parse --short HEAD); $(nproc) CPUs shared by server and generator"
}
