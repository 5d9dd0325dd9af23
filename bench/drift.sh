#!/usr/bin/env bash
# gRPC throughput with live drift sampling on vs off, and the memory drift monitoring adds per
# served version (docs/benchmarks.md, issue 14: goal on/off throughput >= 0.97).
#
# Drift is a startup setting, so two `bin/mlserve demo` servers run side by side (each on its
# own demo store: curve_forecaster 1.0.0 in Production): one as shipped (drift on: every request
# sampled, at most 4 rows a request, a 1000-row window) with --drift-interval 5s so that windows
# are also compared during the measurement, and one with --no-drift. Both are warmed, then
# ROUNDS rounds measure ModelInfer against each in turn (odd rounds: on first), so JIT state and
# the machine's drift favour neither; only the measured server has load. Per measurement it also
# reads the server's CPU time (/proc/PID/stat) and the requests it answered (/metrics), for the
# CPU each request costs; at the end, the exact bytes the drift windows hold
# (mlserve_drift_memory_bytes), both servers' RSS, and the drift report.
#
# Usage: flock /tmp/mvn.lock bench/drift.sh   (holding the Maven lock keeps builds off the cores)
#   Settings: CONCURRENCY=64 DURATION=15s WARMUP=40s CLIENT_WARMUP=5s ROUNDS=5
#   OUT_DIR=bench/out/drift LOADTEST_JAVA_OPTS="-Xms512m -Xmx512m -XX:+UseParallelGC"
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

CONCURRENCY="${CONCURRENCY:-64}"; DURATION="${DURATION:-15s}"; WARMUP="${WARMUP:-40s}"
CLIENT_WARMUP="${CLIENT_WARMUP:-5s}"; ROUNDS="${ROUNDS:-5}"
OUT_DIR="${OUT_DIR:-$root/bench/out/drift}"
LOADTEST_JAVA_OPTS="${LOADTEST_JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC}"
MODEL=curve_forecaster
mkdir -p "$OUT_DIR"
. bench/lib.sh

bench_init drift
loadtest_classpath

declare -A PID GP HP
for s in on off; do
  flags=(--drift-interval 5s)
  [ "$s" = off ] && flags=(--no-drift)
  start_demo "$OUT_DIR/server.$s.log" "$store/$s" "${flags[@]}" || die "server $s did not start"
  PID[$s]="$DEMO_PID"; GP[$s]="$GPORT"; HP[$s]="$HPORT"
  BENCH_PIDS="$BENCH_PIDS $DEMO_PID"; DEMO_PID=""
done

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/${PID[$1]}/stat"; }
served() {
  curl -s "127.0.0.1:${HP[$1]}/metrics" | awk '/^mlserve_requests_total\{/ && /version="1.0.0"/ { s += $NF } END { printf "%d\n", s }'
}
# measure STATE ROUND: one load run against STATE's server, with its CPU and requests around it.
measure() {
  local t0 n0
  GPORT="${GP[$1]}"
  t0="$(cpu_ticks "$1")"; n0="$(served "$1")"
  grpc_load "$DURATION" "$CLIENT_WARMUP" "$OUT_DIR/$1.$2.json" "$OUT_DIR/$1.$2.txt"
  echo "$(( $(cpu_ticks "$1") - t0 )) $(( $(served "$1") - n0 ))" > "$OUT_DIR/$1.$2.cpu"
}

for s in on off; do
  echo "bench: warming drift $s for $WARMUP" >&2
  GPORT="${GP[$s]}"
  grpc_load "$WARMUP" 0s "$OUT_DIR/warmup.$s.json" "$OUT_DIR/warmup.$s.txt" || die "warm-up failed"
done
for r in $(seq "$ROUNDS"); do
  if [ $((r % 2)) -eq 1 ]; then measure on "$r"; measure off "$r"; else measure off "$r"; measure on "$r"; fi
  echo "bench: round $r/$ROUNDS: on $(grep -m 1 throughput "$OUT_DIR/on.$r.txt" | sed 's/^ *//');" \
    "off $(grep -m 1 throughput "$OUT_DIR/off.$r.txt" | sed 's/^ *//')" >&2
done
for s in on off; do
  awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/${PID[$s]}/status" > "$OUT_DIR/$s.rss"
done
curl -s "127.0.0.1:${HP[on]}/metrics" | awk '/^mlserve_drift_memory_bytes / { print $2 }' \
  > "$OUT_DIR/on.driftbytes"
curl -s "127.0.0.1:${HP[on]}/api/v1/models/$MODEL/drift" > "$OUT_DIR/on.drift.json"
stop_demo

{
  ab_table off "drift off (--no-drift)" on "drift on (every request sampled)" "on / off"
  /usr/bin/python3 - "$OUT_DIR" "$ROUNDS" "$(getconf CLK_TCK)" <<'PY'
import json, sys
d, rounds, hz = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
def us(state, r):
    t, n = (float(x) for x in open(f"{d}/{state}.{r}.cpu").read().split())
    return t / hz * 1e6 / max(n, 1)
print("- server CPU per request (us), off / on, per round: " + ", ".join(
    f"{us('off', r):.1f} / {us('on', r):.1f}" for r in range(1, rounds + 1)))
rep = json.load(open(f"{d}/on.drift.json"))
b = int(open(f"{d}/on.driftbytes").read().strip())
rss = {s: int(open(f"{d}/{s}.rss").read().strip()) for s in ("on", "off")}
for v in rep["versions"]:
    w = v["window"]
    print(f"- drift on, after the run: {w['sampled_rows']:,} rows sampled, window {w['rows']} of "
          f"{w['capacity']} rows, reference {v['reference']['source']} "
          f"({v['reference']['rows']} rows), drifted share {v['drifted_share']}, max PSI "
          f"{v['feature_psi_max']:.4f}; status: {v['status']}")
print(f"- drift memory (mlserve_drift_memory_bytes, one served version): {b:,} bytes; server RSS"
      f" after the run: on {rss['on'] / 2**20:.1f} MiB, off {rss['off'] / 2**20:.1f} MiB")
PY
  run_notes
  echo "- Load: closed loop, $CONCURRENCY in flight, one FP32 row [1,24] per ModelInfer to Production 1.0.0;" \
    "both servers warmed $WARMUP; $ROUNDS rounds of $DURATION per state (client warm-up $CLIENT_WARMUP)"
} | tee "$OUT_DIR/drift.md"
