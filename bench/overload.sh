#!/usr/bin/env bash
# Overload benchmark behind docs/benchmarks.md (issue 10, item 8): the latency of the requests a
# server ADMITS when offered twice what it can serve, against its latency at half of that.
#
# One demo server (bin/mlserve demo, curve_forecaster, 127.0.0.1, free ports) per setting:
#   1. warm it with WARMUP of closed-loop load (JIT, batch shapes);
#   2. capacity, as the standard table defines it: the highest open-loop rate served with
#      p99 <= P99 (bin/loadtest sweep from SWEEP_START, x SWEEP_FACTOR per step, short steps);
#      CAPACITY=N skips this and uses N req/s;
#   3. open loop (bin/loadtest run --rate, latency from each request's intended send time) at
#      LOW x capacity and HIGH x capacity, DURATION each after RUN_WARMUP.
# The admitted latency is that of the successful requests only (result.json's ok_p50_us /
# ok_p99_us): refusals are fast and would pull the percentiles of all requests down.
# SETTINGS: one server each, a name made of parts joined by "-": "default" (as shipped: the
# manifest's queue_timeout_us default), "notime" (the count-only queue of before:
# --queue-timeout-us 60000000), "tNNNN" (--queue-timeout-us NNNN), "off" (--batching off: one
# engine call per request, so that the model, not the transport, is what saturates).
#
# The whole run holds /tmp/mvn.lock (flock), so no build runs beside it on the shared machine;
# the server and the generator are built first if needed, under the same lock.
# Usage: bench/overload.sh   Settings: SETTINGS="default notime" LOW=0.5 HIGH=2 DURATION=20s
#   RUN_WARMUP=5s WARMUP=15s CAPACITY= P99=10ms SWEEP_START=1000 SWEEP_FACTOR=1.5 SWEEP_STEP=5s
#   SWEEP_STEP_WARMUP=3s OUT_DIR=bench/out GRPC=1 (0: REST)
# Output: $OUT_DIR/overload/*.json (loadtest results), overload.md (the table, also printed).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [ -z "${OVERLOAD_LOCK_HELD:-}" ]; then
  exec env OVERLOAD_LOCK_HELD=1 flock /tmp/mvn.lock "$0" "$@"
fi

SETTINGS="${SETTINGS:-default notime}"; LOW="${LOW:-0.5}"; HIGH="${HIGH:-2}"
DURATION="${DURATION:-20s}"; RUN_WARMUP="${RUN_WARMUP:-5s}"; WARMUP="${WARMUP:-15s}"
CAPACITY="${CAPACITY:-}"; GRPC="${GRPC:-1}"; P99="${P99:-10ms}"
SWEEP_START="${SWEEP_START:-1000}"; SWEEP_FACTOR="${SWEEP_FACTOR:-1.5}"
SWEEP_STEP="${SWEEP_STEP:-5s}"; SWEEP_STEP_WARMUP="${SWEEP_STEP_WARMUP:-3s}"
OUT_DIR="${OUT_DIR:-$root/bench/out}"; out="$OUT_DIR/overload"
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
mkdir -p "$out"
export MVN=mvn  # we hold the lock: a build started from here must not wait for it
. bench/lib.sh

DEMO_PID=""; store=""
cleanup() {
  if [ -n "$DEMO_PID" ] && kill -0 "$DEMO_PID" 2>/dev/null; then
    kill -TERM "$DEMO_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$DEMO_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$DEMO_PID" 2>/dev/null || true
    wait "$DEMO_PID" 2>/dev/null || true
  fi
  DEMO_PID=""
  [ -n "$store" ] && rm -rf "$store"
  store=""
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

bin/loadtest --version >/dev/null     # builds the generator if needed
bin/mlserve --version >/dev/null 2>&1 || true  # builds the server if needed

field() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
errors() { "$PY" -c 'import json,sys; e=json.load(open(sys.argv[1]))["errors"]; print(", ".join(f"{k} {v}" for k,v in e.items()) or "none")' "$1"; }

# What else is running: on a shared machine a busy neighbour skews every number.
load0="$(cut -d' ' -f1-3 /proc/loadavg)"
busy0="$(ps -eo pcpu=,comm= --sort=-pcpu | awk -v me="$$" '$1 >= 20 {printf "%s%s %s%%", sep, $2, $1; sep=", "}')"
rows=()
for setting in $SETTINGS; do
  flags=()
  for part in ${setting//-/ }; do
    case "$part" in
      default) ;;
      notime) flags+=(--queue-timeout-us 60000000) ;;
      t[0-9]*) flags+=(--queue-timeout-us "${part#t}") ;;
      off) flags+=(--batching off) ;;
      *) echo "bench: unknown setting $setting" >&2; exit 2 ;;
    esac
  done
  echo "bench: == $setting ${flags[*]:-} ==" >&2
  store="$(mktemp -d "${TMPDIR:-/tmp}/mlserve-overload.XXXXXX")"
  start_demo "$out/$setting.server.log" "$store" "${flags[@]}"
  if [ "$GRPC" = 1 ]; then target="grpc://127.0.0.1:$GPORT"; else target="http://127.0.0.1:$HPORT"; fi
  bin/loadtest run --target "$target" --concurrency 16 --duration "$WARMUP" --warmup 0s \
    --slo none --quiet >/dev/null 2>&1 || true
  cap="$CAPACITY"
  if [ -z "$cap" ]; then
    # The capacity, as in the standard table: the highest open-loop rate served with p99 <= P99.
    bin/loadtest sweep --target "$target" --p99 "$P99" --start-rate "$SWEEP_START" \
      --factor "$SWEEP_FACTOR" --step-duration "$SWEEP_STEP" --step-warmup "$SWEEP_STEP_WARMUP" \
      --quiet >"$out/$setting.sweep.txt" 2>&1 || true
    cap="$(sed -n 's/^Highest sustainable rate: \([0-9]*\) req\/s.*/\1/p' "$out/$setting.sweep.txt")"
    [ -n "$cap" ] || { echo "bench: no capacity found; see $out/$setting.sweep.txt" >&2; exit 1; }
  fi
  for factor in "$LOW" "$HIGH"; do
    rate="$("$PY" -c "print(int($cap * $factor))")"
    json="$out/$setting.x$factor.json"
    rc=0
    bin/loadtest run --target "$target" --rate "$rate" --duration "$DURATION" \
      --warmup "$RUN_WARMUP" --slo none --quiet --json "$json" >/dev/null || rc=$?
    behind="$(field "$json" generator_behind)"
    rows+=("| $setting | $cap | ${factor}x = $rate | $(field "$json" throughput_rps | cut -d. -f1) \
| $(field "$json" ok_p50_us) / $(field "$json" ok_p99_us) | $(field "$json" p99_us) \
| $(field "$json" failed) of $(field "$json" requests) ($(errors "$json")) \
| $([ "$behind" = True ] && echo "yes (exit $rc)" || echo no) |")
    eval "p99_${setting//[^a-z0-9]/_}_$(echo "$factor" | tr . _)=$(field "$json" ok_p99_us)"
  done
  # Where the time went, seen from the server (cumulative over this server's whole run): refused
  # and timed-out counts, and the p99 of the queue wait and of enqueue-to-result.
  curl -s "127.0.0.1:$HPORT/metrics" > "$out/$setting.metrics.txt" || true
  grep -E '^mlserve_requests_(rejected|queue_timeout)_total|^mlserve_request_latency_seconds.*phase="(queue|total)".*quantile="0.99"' \
    "$out/$setting.metrics.txt" | sed "s/^/bench: $setting server: /" >&2 || true
  cleanup
done

cpu="$(grep -m 1 '^model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"
{
  echo "### Overload: admitted latency at ${HIGH}x capacity vs ${LOW}x ($([ "$GRPC" = 1 ] && echo gRPC || echo REST))"
  echo
  echo "| setting | capacity req/s | offered | served req/s | admitted p50 / p99 (us) | p99 of all (us) | refused | generator behind |"
  echo "|---|---:|---:|---:|---:|---:|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  for setting in $SETTINGS; do
    v="${setting//[^a-z0-9]/_}"; lo="p99_${v}_$(echo "$LOW" | tr . _)"; hi="p99_${v}_$(echo "$HIGH" | tr . _)"
    echo "- $setting: admitted p99 at ${HIGH}x / p99 at ${LOW}x = $("$PY" -c "print(f'{${!hi}/max(1,${!lo}):.2f}')") (goal <= 5)"
  done
  echo "- Machine: $(nproc) CPUs, ${cpu:-unknown CPU}; generator and server share them;"
  echo "  load average at the start: $load0; other processes' CPU at the start: ${busy0:-none}"
  echo "- Date: $(date -u +%Y-%m-%dT%H:%M:%SZ); commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with local changes)')"
  echo "- Command: SETTINGS=\"$SETTINGS\" LOW=$LOW HIGH=$HIGH DURATION=$DURATION bench/overload.sh"
} | tee "$out/../overload.md"
