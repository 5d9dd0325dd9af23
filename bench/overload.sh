#!/usr/bin/env bash
# Overload benchmark behind docs/benchmarks.md (issue 10, item 8): the latency of the requests a
# server ADMITS when offered twice what it can serve, against its latency at half of that.
#
# One demo server (bin/mlserve demo, curve_forecaster, 127.0.0.1, free ports) per setting:
#   1. warm it with WARMUP of closed-loop load (JIT, batch shapes);
#   2. capacity, as the standard table defines it: the highest open-loop rate served with
#      p99 <= P99 (bin/loadtest sweep from SWEEP_START, x SWEEP_FACTOR per step, short steps);
#      CAPACITY=N skips this and uses N req/s; CAPACITY=closed takes the throughput of a closed
#      loop instead (CLOSED_CONCURRENCY requests in flight for CLOSED_DURATION: the most served);
#   3. open loop (bin/loadtest run --rate, latency from each request's intended send time) at
#      LOW x capacity and HIGH x capacity, DURATION each after RUN_WARMUP.
# The admitted latency is that of the successful requests only (result.json's ok_p50_us /
# ok_p99_us): refusals are fast and would pull the percentiles of all requests down.
# SETTINGS: one server each, a name made of parts joined by "-": "default" (as shipped: the
# manifest's queue_timeout_us default), "notime" (the count-only queue of before:
# --queue-timeout-us 60000000), "tNNNN" (--queue-timeout-us NNNN), "off" (--batching off: one
# engine call per request, so that the model, not the transport, is what saturates), "base" (the
# server jar BASE_JAR, e.g. a copy of an earlier build, with this checkout's dependencies).
#
# PIN=1: the server runs on CPU SERVER_CPUS only (taskset, and the JVM told it has that many
# processors, so that its pools are sized for them) and the generator on GEN_CPUS only, so that
# the capacity is that of the server's CPUs and the generator does not take them (on a 2-CPU
# machine: SERVER_CPUS=1, GEN_CPUS=0). Each phase also reports the CPU the server used.
#
# The whole run holds /tmp/mvn.lock (flock), so no build runs beside it on the shared machine;
# the server and the generator are built first if needed, under the same lock.
# Usage: bench/overload.sh   Settings: SETTINGS="default notime" LOW=0.5 HIGH=2 DURATION=20s
#   RUN_WARMUP=5s WARMUP=15s CAPACITY= P99=10ms SWEEP_START=1000 SWEEP_FACTOR=1.5 SWEEP_STEP=5s
#   SWEEP_STEP_WARMUP=3s OUT_DIR=bench/out GRPC=1 (0: REST) PIN=0 SERVER_CPUS=1 GEN_CPUS=0
#   EXTRA= (more mlserve flags for every setting) MODEL=demo ROWS=16
# MODEL=heavy: instead of the demo, `bin/mlserve serve` over a store holding examples/mlp_heavy
# (TorchScript 24-1024-1024-24) with max_batch_size ROWS and one instance, loaded with requests
# of ROWS rows: one engine call per request, far dearer than the request's transport, so that at
# a rate the generator sends with ease the engine is what saturates.
# Output: $OUT_DIR/overload/*.json (loadtest results), overload.md (the table, also printed).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
. bench/lib.sh
bench_hold_lock "$@"

SETTINGS="${SETTINGS:-default notime}"; LOW="${LOW:-0.5}"; HIGH="${HIGH:-2}"
DURATION="${DURATION:-20s}"; RUN_WARMUP="${RUN_WARMUP:-5s}"; WARMUP="${WARMUP:-15s}"
CAPACITY="${CAPACITY:-}"; GRPC="${GRPC:-1}"; P99="${P99:-10ms}"
SWEEP_START="${SWEEP_START:-1000}"; SWEEP_FACTOR="${SWEEP_FACTOR:-1.5}"
SWEEP_STEP="${SWEEP_STEP:-5s}"; SWEEP_STEP_WARMUP="${SWEEP_STEP_WARMUP:-3s}"
OUT_DIR="${OUT_DIR:-$root/bench/out}"; out="$OUT_DIR/overload"; BASE_JAR="${BASE_JAR:-}"
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
CLOSED_CONCURRENCY="${CLOSED_CONCURRENCY:-16}"; CLOSED_DURATION="${CLOSED_DURATION:-10s}"
MODEL="${MODEL:-demo}"; ROWS="${ROWS:-16}"
load=()
[ "$MODEL" = heavy ] && load=(--model mlp_heavy --batch-size "$ROWS")
PIN="${PIN:-0}"; SERVER_CPUS="${SERVER_CPUS:-1}"; GEN_CPUS="${GEN_CPUS:-0}"; EXTRA="${EXTRA:-}"
gen=()
if [ "$PIN" = 1 ]; then
  ncpu() { "$PY" -c 'import sys; n=0
for p in sys.argv[1].split(","):
    a,_,b=p.partition("-"); n+=int(b or a)-int(a)+1
print(n)' "$1"; }
  export DEMO_PREFIX="taskset -c $SERVER_CPUS"
  export MLSERVE_JAVA_OPTS="${MLSERVE_JAVA_OPTS:-} -XX:ActiveProcessorCount=$(ncpu "$SERVER_CPUS")"
  gen=(taskset -c "$GEN_CPUS")
fi
mkdir -p "$out"
. bench/lib-serve.sh

bench_traps  # the server and each setting's store go on any exit
bench_build

# Busy and total ticks of CPU $1 so far (/proc/stat: all but idle and iowait are busy).
cpu_ticks() { awk -v c="cpu$1" '$1 == c {t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t}' /proc/stat; }
# CPU ticks (user + system) the server process used so far.
server_cpu_ticks() { awk '{print $14 + $15}' "/proc/$DEMO_PID/stat"; }
# The server's own p99 of the queue wait and of enqueue-to-result over one phase, from /metrics
# dumps before and after it: the upper bound (le) of the histogram bucket holding the 99th
# percentile of the phase's requests (after the generator's warm-up), e.g. "<= 5 ms / <= 10 ms".
server_p99() {
  "$PY" - "$1" "$2" <<'PY'
import re, sys
def buckets(path):
    got = {}
    for line in open(path):
        m = re.match(r'mlserve_request_duration_seconds_bucket\{(.*)\} (\S+)', line)
        if m:
            ph = re.search(r'phase="(\w+)"', m.group(1)).group(1)
            le = re.search(r'le="([^"]+)"', m.group(1)).group(1)
            key = (ph, float(le))
            got[key] = got.get(key, 0) + float(m.group(2))
    return got
a, b = buckets(sys.argv[1]), buckets(sys.argv[2])
def p99(phase):
    d = sorted((le, b[k] - a.get(k, 0)) for k in b if k[0] == phase for le in [k[1]])
    if not d or d[-1][1] == 0:
        return "?"
    total = d[-1][1]
    for le, c in d:
        if c >= 0.99 * total:
            return f"<= {le*1e3:g} ms" if le != float("inf") else "> 10 s"
print(p99("queue") + " / " + p99("total"))
PY
}
# secs DURATION [PLUS]: a loadtest duration (500ms, 5s, 2m) in seconds, plus PLUS.
secs() { "$PY" -c 'import re,sys; v,u=re.fullmatch(r"([0-9.]+)(ms|s|m)",sys.argv[1]).groups(); print(float(v)*{"ms":.001,"s":1,"m":60}[u]+float(sys.argv[2]))' "$1" "${2:-0}"; }
field() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
errors() { "$PY" -c 'import json,sys; e=json.load(open(sys.argv[1]))["errors"]; print(", ".join(f"{k} {v}" for k,v in e.items()) or "none")' "$1"; }

# What else is running: on a shared machine a busy neighbour skews every number.
load0="$(cut -d' ' -f1-3 /proc/loadavg)"
busy0="$(ps -eo pcpu=,comm= --sort=-pcpu | awk -v me="$$" '$1 >= 20 {printf "%s%s %s%%", sep, $2, $1; sep=", "}')"
rows=()
for setting in $SETTINGS; do
  flags=(); base_cp=""
  for part in ${setting//-/ }; do
    case "$part" in
      default) ;;
      base) base_cp="$BASE_JAR:$root/server/target/lib/*" ;;
      notime) flags+=(--queue-timeout-us 60000000) ;;
      t[0-9]*) flags+=(--queue-timeout-us "${part#t}") ;;
      off) flags+=(--batching off) ;;
      *) echo "bench: unknown setting $setting" >&2; exit 2 ;;
    esac
  done
  echo "bench: == $setting ${flags[*]:-} ==" >&2
  store="$(mktemp -d "${TMPDIR:-/tmp}/mlserve-overload.XXXXXX")"
  # shellcheck disable=SC2086
  if [ -n "$base_cp" ]; then export MLSERVE_CLASSPATH="$base_cp"; else unset MLSERVE_CLASSPATH; fi
  if [ "$MODEL" = heavy ]; then
    # The heavy MLP, one request of ROWS rows per batch (max_batch_size ROWS: no batching across
    # requests), one instance: the engine, not the transport, is what saturates.
    "$PY" - examples/mlp_heavy/torchscript/model.json "$store.json" "$ROWS" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["serving"].update(max_batch_size=int(sys.argv[3]), instances=1, threads_per_instance=1)
json.dump(m, open(sys.argv[2], "w"))
PY
    OUT_DIR="$out" register_promote "$store" mlp_heavy examples/mlp_heavy/torchscript/model.pt \
      "$store.json" examples/mlp_heavy/torchscript/examples.json
    rm -f "$store.json"
    start_serve "$out/$setting.server.log" "$store" "${flags[@]}" $EXTRA
  else
    start_demo "$out/$setting.server.log" "$store" "${flags[@]}" $EXTRA
  fi
  if [ "$GRPC" = 1 ]; then target="grpc://127.0.0.1:$GPORT"; else target="http://127.0.0.1:$HPORT"; fi
  "${gen[@]}" bin/loadtest run --target "$target" "${load[@]}" --concurrency 16 --duration "$WARMUP" --warmup 0s \
    --slo none --quiet >/dev/null 2>&1 || true
  cap="$CAPACITY"
  if [ "$cap" = closed ]; then
    # The capacity as the most the server serves: a closed loop of CLOSED_CONCURRENCY requests
    # in flight for CLOSED_DURATION (after the warm-up), its throughput.
    "${gen[@]}" bin/loadtest run --target "$target" "${load[@]}" --concurrency "$CLOSED_CONCURRENCY" \
      --duration "$CLOSED_DURATION" --warmup 0s --slo none --quiet --json "$out/$setting.closed.json" \
      >/dev/null 2>&1 || true
    cap="$(field "$out/$setting.closed.json" throughput_rps | cut -d. -f1)"
  elif [ -z "$cap" ]; then
    # The capacity, as in the standard table: the highest open-loop rate served with p99 <= P99.
    "${gen[@]}" bin/loadtest sweep --target "$target" "${load[@]}" --p99 "$P99" --start-rate "$SWEEP_START" \
      --factor "$SWEEP_FACTOR" --step-duration "$SWEEP_STEP" --step-warmup "$SWEEP_STEP_WARMUP" \
      --quiet >"$out/$setting.sweep.txt" 2>&1 || true
    cap="$(sed -n 's/^Highest sustainable rate: \([0-9]*\) req\/s.*/\1/p' "$out/$setting.sweep.txt")"
    [ -n "$cap" ] || { echo "bench: no capacity found; see $out/$setting.sweep.txt" >&2; exit 1; }
  fi
  for factor in "$LOW" "$HIGH"; do
    rate="$("$PY" -c "print(int($cap * $factor))")"
    json="$out/$setting.x$factor.json"
    rc=0
    # The server's view starts when the generator's warm-up ends (its JVM takes about a second).
    (sleep "$(secs "$RUN_WARMUP" 1.5)"
     curl -s "127.0.0.1:$HPORT/metrics" > "$out/$setting.x$factor.before.txt" || true) &
    snap=$!; BENCH_PIDS="$snap"  # stopped by bench_cleanup if the run is interrupted
    cpu0="$(server_cpu_ticks)"; t0="$(date +%s.%N)"; g0=($(cpu_ticks "${GEN_CPUS%%[,-]*}"))
    "${gen[@]}" bin/loadtest run --target "$target" "${load[@]}" --rate "$rate" --duration "$DURATION" \
      --warmup "$RUN_WARMUP" --slo none --quiet --json "$json" >/dev/null || rc=$?
    wait "$snap" || true
    BENCH_PIDS=""
    cpu1="$(server_cpu_ticks)"; t1="$(date +%s.%N)"; g1=($(cpu_ticks "${GEN_CPUS%%[,-]*}"))
    genbusy="$("$PY" -c "print(f'{(${g1[0]}-${g0[0]})/max(1,${g1[1]}-${g0[1]}):.2f}')")"
    busy="$("$PY" -c "print(f'{($cpu1-$cpu0)/$(getconf CLK_TCK)/($t1-$t0):.2f}')")"
    curl -s "127.0.0.1:$HPORT/metrics" > "$out/$setting.x$factor.after.txt" || true
    srv="$(server_p99 "$out/$setting.x$factor.before.txt" "$out/$setting.x$factor.after.txt")"
    behind="$(field "$json" generator_behind)"
    rows+=("| $setting | $cap | ${factor}x = $rate | $(field "$json" throughput_rps | cut -d. -f1) \
| $(field "$json" ok_p50_us) / $(field "$json" ok_p99_us) | $(field "$json" p99_us) \
| $(field "$json" failed) of $(field "$json" requests) ($(errors "$json")) \
| $([ "$behind" = True ] && echo "yes (exit $rc)" || echo no) | $busy | $genbusy | $srv |")
    eval "p99_${setting//[^a-z0-9]/_}_$(echo "$factor" | tr . _)=$(field "$json" ok_p99_us)"
  done
  # Where the time went, seen from the server (cumulative over this server's whole run): refused
  # and timed-out counts, and the p99 of the queue wait and of enqueue-to-result.
  curl -s "127.0.0.1:$HPORT/metrics" > "$out/$setting.metrics.txt" || true
  grep -E '^mlserve_requests_(rejected|queue_timeout)_total|^mlserve_request_latency_seconds.*phase="(queue|total)".*quantile="0.99"' \
    "$out/$setting.metrics.txt" | sed "s/^/bench: $setting server: /" >&2 || true
  bench_cleanup
done

cpu="$(grep -m 1 '^model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"
{
  echo "### Overload: admitted latency at ${HIGH}x capacity vs ${LOW}x ($([ "$GRPC" = 1 ] && echo gRPC || echo REST), $([ "$MODEL" = heavy ] && echo "mlp_heavy, $ROWS rows a request" || echo "the demo"))"
  echo
  echo "| setting | capacity req/s | offered | served req/s | admitted p50 / p99 (us) | p99 of all (us) | refused | generator behind | server CPUs busy | CPU $GEN_CPUS busy | server queue / total p99 |"
  echo "|---|---:|---:|---:|---:|---:|---|---|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
  echo
  for setting in $SETTINGS; do
    v="${setting//[^a-z0-9]/_}"; lo="p99_${v}_$(echo "$LOW" | tr . _)"; hi="p99_${v}_$(echo "$HIGH" | tr . _)"
    echo "- $setting: admitted p99 at ${HIGH}x / p99 at ${LOW}x = $("$PY" -c "print(f'{${!hi}/max(1,${!lo}):.2f}')") (goal <= 5)"
  done
  if [ "$PIN" = 1 ]; then
    echo "- Machine: $(nproc) CPUs, ${cpu:-unknown CPU}; server pinned to CPU(s) $SERVER_CPUS ($MLSERVE_JAVA_OPTS), generator to $GEN_CPUS;"
  else
    echo "- Machine: $(nproc) CPUs, ${cpu:-unknown CPU}; generator and server share them;"
  fi
  echo "  load average at the start: $load0; other processes' CPU at the start: ${busy0:-none}"
  echo "- Date: $(date -u +%Y-%m-%dT%H:%M:%SZ); commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with local changes)')"
  echo "- Command: MODEL=$MODEL ROWS=$ROWS PIN=$PIN SETTINGS=\"$SETTINGS\" CAPACITY=$CAPACITY EXTRA=\"$EXTRA\" LOW=$LOW HIGH=$HIGH DURATION=$DURATION bench/overload.sh"
} | tee "$out/../overload.md"
