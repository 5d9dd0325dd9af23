#!/usr/bin/env bash
# Hot reload under load. One `bin/mlserve demo` on 127.0.0.1 (guard off), whose second version
# 1.1.0 (the same artifact, in Staging) is the one swapped in, then, with lean C generators
# (h2load) at a constant rate over gRPC and REST together:
#   1. steady state, STEADY seconds (after WARMUP seconds discarded);
#   2. the same load while `loadtest reload` (1 req/s of its own) promotes 1.1.0 and rolls it back
#      CYCLES times through the admin gRPC API, one call every INTERVAL.
# Failed requests come from the server's own counters (every outcome but ok, before vs after):
# h2load cannot see a gRPC status. Reports p99 while reloading against steady state (target at
# most 2x). Generator and server share the machine's cores.
# Needs: apt-get install nghttp2-client (h2load), python3.
# Settings: GRPC_RATE=2000 REST_RATE=500 CYCLES=25 INTERVAL=500ms STEADY=20 WARMUP=15 OUT_DIR=bench/out
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
GRPC_RATE="${GRPC_RATE:-2000}"; REST_RATE="${REST_RATE:-500}"; CYCLES="${CYCLES:-25}"
INTERVAL="${INTERVAL:-500ms}"; STEADY="${STEADY:-20}"; WARMUP="${WARMUP:-15}"
OUT_DIR="${OUT_DIR:-$root/bench/out}"
out="$OUT_DIR/reload"
mkdir -p "$out"
for tool in h2load python3 curl; do
  command -v "$tool" >/dev/null || { echo "bench/reload.sh needs $tool" >&2; exit 1; }
done
store="$(mktemp -d "${TMPDIR:-/tmp}/mlserve-reload-bench.XXXXXX")"
log="$out/server.log"
. "$root/bench/lib.sh"
trap 'kill -TERM $DEMO_PID 2>/dev/null; wait $DEMO_PID 2>/dev/null; rm -rf "$store"' EXIT
start_demo "$log" "$store/s" --guard-window-seconds 0
gport="$GPORT"; hport="$HPORT"
# The demo registers curve_forecaster 1.1.0 (the same artifact) in Staging: that is the version
# promoted and rolled back below.

write_bodies "$store"

load() { # seconds, log prefix ("" = discard): gRPC and REST at their rates, together
  local g=() r=()
  [ -n "$2" ] && g=(--log-file "$2-grpc.log") && r=(--log-file "$2-rest.log")
  h2load -D "$1" -c 4 -m 16 --rps "$(( GRPC_RATE / 4 ))" -d "$store/grpc.bin" \
    -H 'content-type: application/grpc' -H 'te: trailers' "${g[@]}" \
    "http://127.0.0.1:$gport/inference.GRPCInferenceService/ModelInfer" > "${2:-/dev/null}${2:+-grpc.txt}" &
  local a=$!
  h2load --h1 -D "$1" -c 8 --rps "$(( REST_RATE / 8 ))" -d "$store/predict.json" \
    -H 'content-type: application/json' "${r[@]}" \
    "http://127.0.0.1:$hport/api/v1/predict" > "${2:-/dev/null}${2:+-rest.txt}"
  wait $a
}
failures() { curl -s "http://127.0.0.1:$hport/metrics" \
  | awk '/^mlserve_requests_total\{/ && !/outcome="(ok|cancelled)"/ { s += $2 } END { print s + 0 }'; }
outcomes() { curl -s "http://127.0.0.1:$hport/metrics" | grep '^mlserve_requests_total{' \
  | grep -v ' 0$' || true; }

load "$WARMUP" ""
f0="$(failures)"
load "$STEADY" "$out/steady"
f1="$(failures)"
secs="$(python3 -c "
import re,sys; v='$INTERVAL'; n=float(re.sub('[a-z]+','',v)); n=n/1000 if v.endswith('ms') else n
print(int(n*(2*$CYCLES+1))+2)")"
bin/loadtest reload --quiet --target "grpc://127.0.0.1:$gport" --rate 1 --promote-version 1.1.0 \
  --cycles "$CYCLES" --interval "$INTERVAL" --json "$out/reload-admin.json" \
  > "$out/reload-admin.txt" 2>&1 &
flipper=$!
load "$secs" "$out/reload"
rc=0; wait $flipper || rc=$?
f2="$(failures)"
outcomes > "$out/outcomes.txt"
swaps="$(grep -c 'now serving' "$log" || true)"

python3 - "$out" "$((f1 - f0))" "$((f2 - f1))" "$swaps" "$rc" "$GRPC_RATE" "$REST_RATE" <<'PY' | tee "$OUT_DIR/reload.md"
import sys
out, fs, fr, swaps, rc, grate, rrate = sys.argv[1:8]
def lat(name):
    v = sorted(int(l.split('\t')[2]) for l in open(f'{out}/{name}.log') if l.strip())
    bad = sum(1 for l in open(f'{out}/{name}.log') if l.strip() and l.split('\t')[1] != '200')
    p = lambda q: v[min(len(v) - 1, int(q / 100 * len(v)))] / 1000.0
    return len(v), bad, p(50), p(99), v[-1] / 1000.0
print('| phase | transport | rate req/s | requests | non-200 | p50 | p99 | max |')
print('|---|---|---:|---:|---:|---:|---:|---:|')
res = {}
for phase in ('steady', 'reload'):
    for t, rate in (('grpc', grate), ('rest', rrate)):
        n, bad, p50, p99, mx = res[(phase, t)] = lat(f'{phase}-{t}')
        print(f'| {phase} | {t} | {rate} | {n} | {bad} | {p50:.2f} ms | {p99:.2f} ms | {mx:.2f} ms |')
print()
for t in ('grpc', 'rest'):
    print(f'- {t}: p99 while reloading / steady = {res[("reload", t)][3] / res[("steady", t)][3]:.2f}x (target: at most 2x)')
print(f'- Failed requests by the server\'s counters: {fs} in steady state, {fr} while reloading (target: 0)')
print(f'- Swaps the server made: {swaps} (the initial load included); admin driver exit code {rc}')
PY
sed 's/^/- server counter: /' "$out/outcomes.txt" | tee -a "$OUT_DIR/reload.md"
grep -E "versions|admin .*(failed|error)" "$out/reload-admin.txt" | sed 's/^ */- loadtest reload: /' | tee -a "$OUT_DIR/reload.md"
{
  echo "- Machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1); $(java -version 2>&1 | head -n 1)"
  echo "- Date: $(date -u +%Y-%m-%dT%H:%M:%SZ); commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "- h2load at constant rate (gRPC: 4 connections x 16 streams; REST: 8 HTTP/1.1 connections); $CYCLES promote+rollback cycles, one admin call every $INTERVAL; generator and server share the cores."
} | tee -a "$OUT_DIR/reload.md"
