#!/usr/bin/env bash
# Worker autoscaling benchmark behind docs/benchmarks.md (issue 18): a load stepping
# LOW -> HIGH -> LOW req/s (open loop, gRPC ModelInfer, curve_forecaster) against the demo, once
# with autoscaling on (--min-instances MIN --max-instances MAX) and once with the manifest's
# fixed instances (2). Per phase: offered and served req/s, p50/p99 of the successful requests,
# failures and refusals, the server's CPU (utime+stime from /proc/<pid>/stat over the phase);
# over the whole run: the workers, sampled from /metrics (mlserve_instances) every SAMPLE s,
# drawn as an SVG (SVG=docs/autoscale-workers-$MODEL.svg).
#
# Each setting gets its own demo server (bin/mlserve demo, 127.0.0.1, free ports), WARMUP of
# closed-loop load first (JIT), then the three phases of PHASE each, back to back (a phase is
# one bin/loadtest run; its JVM start, about a second, is in the phase's wall time and CPU).
#
# The whole run holds /tmp/mvn.lock (flock), so no build runs beside it on the shared machine;
# the server and the generator are built first if needed, under the same lock.
# MODEL=heavy runs the same against the heavy MLP (examples/mlp_heavy/torchscript, registered
# with bin/mlctl into a fresh store and served by bin/mlserve serve; fixed: its manifest's 2),
# where the workers, not the transport, are the bottleneck.
# Usage: bench/autoscale.sh   Settings: LOW=200 HIGH=20000 PHASE=30s WARMUP=5s MIN=1 MAX=4 MODEL=demo
#   SCALE_FLAGS="--scale-down-window-ms 10000" SAMPLE=0.5 SETTINGS="scaling fixed"
#   OUT_DIR=bench/out SVG=docs/autoscale-workers-$MODEL.svg
# Output: $OUT_DIR/autoscale-$MODEL/* (loadtest results, samples, server logs), autoscale-$MODEL.md (the
# table, also printed), and the SVG.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
. bench/lib.sh
bench_hold_lock "$@"

LOW="${LOW:-200}"; HIGH="${HIGH:-20000}"; PHASE="${PHASE:-30s}"; WARMUP="${WARMUP:-5s}"
MIN="${MIN:-1}"; MAX="${MAX:-4}"; SAMPLE="${SAMPLE:-0.5}"
SCALE_FLAGS="${SCALE_FLAGS:---scale-down-window-ms 10000}"
SETTINGS="${SETTINGS:-scaling fixed}"; MODEL="${MODEL:-demo}"
case "$MODEL" in
  demo) served=curve_forecaster ;;
  heavy) served=mlp_heavy_ts ;;
  *) echo "bench: MODEL must be demo or heavy" >&2; exit 2 ;;
esac
OUT_DIR="${OUT_DIR:-$root/bench/out}"; out="$OUT_DIR/autoscale-$MODEL"
SVG="${SVG:-$root/docs/autoscale-workers-$MODEL.svg}"
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
mkdir -p "$out"
rm -f "$out"/*.samples.tsv "$out"/*.phases.tsv

bench_traps  # the sampler (BENCH_PIDS), the server and each setting's store go on any exit
bench_build

field() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
errors() { "$PY" -c 'import json,sys; e=json.load(open(sys.argv[1]))["errors"]; print(", ".join(f"{k} {v}" for k,v in e.items()) or "none")' "$1"; }
now() { date +%s.%N; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz="$(getconf CLK_TCK)"

# sampler SETTING T0: every SAMPLE s, "seconds-since-T0 workers" of the served version.
sampler() {
  local m
  while kill -0 "$DEMO_PID" 2>/dev/null; do
    m="$(curl -s --max-time 2 "127.0.0.1:$HPORT/metrics" \
      | sed -n "s/^mlserve_instances{model=\"$served\",version=\"1.0.0\"} \([0-9]*\)\$/\1/p")"
    [ -n "$m" ] && echo "$(awk -v a="$(now)" -v b="$2" 'BEGIN { printf "%.2f", a - b }') $m" \
      >>"$out/$1.samples.tsv"
    sleep "$SAMPLE"
  done
}

load0="$(cut -d' ' -f1-3 /proc/loadavg)"
busy0="$(ps -eo pcpu=,comm= --sort=-pcpu | awk '$1 >= 20 {printf "%s%s %s%%", sep, $2, $1; sep=", "}')"
rows=()
for setting in $SETTINGS; do
  case "$setting" in
    scaling) flags=(--min-instances "$MIN" --max-instances "$MAX" $SCALE_FLAGS) ;;
    fixed) flags=() ;;
    *) echo "bench: unknown setting $setting" >&2; exit 2 ;;
  esac
  echo "bench: == $setting ${flags[*]:-} ==" >&2
  store="$(mktemp -d "${TMPDIR:-/tmp}/mlserve-autoscale.XXXXXX")"
  if [ "$MODEL" = demo ]; then
    start_demo "$out/$setting.server.log" "$store" "${flags[@]}"
  else
    for cmd in "register --model $served --version 1.0.0 --artifact examples/mlp_heavy/torchscript/model.pt" \
        "promote --model $served --version 1.0.0 --stage Production"; do
      # shellcheck disable=SC2086
      bin/mlctl --store "$store" $cmd >>"$out/$setting.register.log" 2>&1 || die "mlctl $cmd failed"
    done
    log="$out/$setting.server.log"
    bin/mlserve serve --store "$store" --grpc-port 0 --http-port 0 --bind 127.0.0.1 "${flags[@]}" \
      >"$log" 2>&1 &
    DEMO_PID=$!
    await_line "mlserve: ready grpc_port" 1 300
    GPORT="$(sed -n 's/^mlserve: ready grpc_port=\([0-9]*\).*/\1/p' "$log")"
    HPORT="$(sed -n 's/^mlserve: ready .*http_port=\([0-9]*\).*/\1/p' "$log")"
  fi
  target="grpc://127.0.0.1:$GPORT"
  bin/loadtest run --target "$target" --model "$served" --concurrency 16 --duration "$WARMUP" --warmup 0s \
    --slo none --quiet >/dev/null 2>&1 || true
  t0="$(now)"
  sampler "$setting" "$t0" &
  BENCH_PIDS=$!
  phase=0
  for rate in "$LOW" "$HIGH" "$LOW"; do
    phase=$((phase + 1))
    json="$out/$setting.phase$phase.json"
    start="$(now)"; c0="$(cpu_ticks "$DEMO_PID")"
    rc=0
    bin/loadtest run --target "$target" --model "$served" --rate "$rate" --duration "$PHASE" --warmup 0s \
      --slo none --quiet --json "$json" >"$out/$setting.phase$phase.txt" 2>&1 || rc=$?
    end="$(now)"; c1="$(cpu_ticks "$DEMO_PID")"
    echo "$phase $rate $(awk -v a="$start" -v b="$t0" 'BEGIN { printf "%.2f", a - b }') \
$(awk -v a="$end" -v b="$t0" 'BEGIN { printf "%.2f", a - b }')" >>"$out/$setting.phases.tsv"
    cores="$(awk -v c="$((c1 - c0))" -v h="$hz" -v a="$start" -v b="$end" \
      'BEGIN { printf "%.2f", c / h / (b - a) }')"
    workers="$(awk -v a="$(awk -v a="$start" -v b="$t0" 'BEGIN { print a - b }')" \
      -v b="$(awk -v a="$end" -v b="$t0" 'BEGIN { print a - b }')" \
      '$1 >= a && $1 <= b { if (lo == "" || $2 < lo) lo = $2; if ($2 > hi) hi = $2; n++; s += $2 }
       END { if (n) printf "%d-%d (mean %.1f)", lo, hi, s / n; else print "?" }' \
      "$out/$setting.samples.tsv" 2>/dev/null || echo "?")"
    if [ ! -s "$json" ]; then
      rows+=("| $setting | $phase | $rate | (no result: exit $rc, see $out/$setting.phase$phase.txt) | | | | $cores | $workers | |")
      continue
    fi
    behind="$(field "$json" generator_behind)"
    ok=$(( $(field "$json" requests) - $(field "$json" failed) ))
    rows+=("| $setting | $phase | $rate | $ok in $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s = \
$(awk -v n="$ok" -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", n / (b - a) }') \
| $(awk -v v="$(field "$json" ok_p50_us)" 'BEGIN { printf "%.2f", v / 1000 }') \
| $(awk -v v="$(field "$json" ok_p99_us)" 'BEGIN { printf "%.2f", v / 1000 }') \
| $(field "$json" failed) of $(field "$json" requests) ($(errors "$json")) \
| $([ "$behind" = True ] && echo "yes (exit $rc)" || echo no) | $cores | $workers |")
  done
  grep -E "adding a worker|removing a worker" "$out/$setting.server.log" \
    | sed "s/^/bench: $setting: /" >&2 || true
  bench_cleanup
done

"$PY" - "$out" "$SVG" $SETTINGS <<'PY'
# Workers over time, one step line per setting, the phases shaded; a plain SVG (no libraries).
import sys
out, svg, settings = sys.argv[1], sys.argv[2], sys.argv[3:]
colours = {"scaling": "#1f77b4", "fixed": "#888888"}
series, phases = {}, []
for s in settings:
    try:
        series[s] = [tuple(map(float, l.split())) for l in open(f"{out}/{s}.samples.tsv") if l.strip()]
    except FileNotFoundError:
        series[s] = []
    if not phases:
        try:
            phases = [l.split() for l in open(f"{out}/{s}.phases.tsv") if l.strip()]
        except FileNotFoundError:
            pass
tmax = max([p[-1][0] for p in series.values() if p] + [float(ph[3]) for ph in phases] + [1])
wmax = max([w for p in series.values() for _, w in p] + [4])
W, H, L, R, T, B = 760, 280, 50, 20, 30, 40
x = lambda t: L + (W - L - R) * t / tmax
y = lambda w: T + (H - T - B) * (1 - w / (wmax + 0.5))
e = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
     f'<rect width="{W}" height="{H}" fill="white"/>']
for i, ph in enumerate(phases):
    a, b = float(ph[2]), float(ph[3])
    e.append(f'<rect x="{x(a):.1f}" y="{T}" width="{x(b) - x(a):.1f}" height="{H - T - B}" fill="{"#f3f3f3" if i % 2 == 0 else "#e4ecf7"}"/>')
    e.append(f'<text x="{(x(a) + x(b)) / 2:.1f}" y="{T - 8}" text-anchor="middle">{int(ph[1]):,} req/s</text>')
for w in range(0, int(wmax) + 1):
    e.append(f'<line x1="{L}" x2="{W - R}" y1="{y(w):.1f}" y2="{y(w):.1f}" stroke="#ccc"/>')
    e.append(f'<text x="{L - 8}" y="{y(w) + 4:.1f}" text-anchor="end">{w}</text>')
step = 10 if tmax <= 150 else 20
for t in range(0, int(tmax) + 1, step):
    e.append(f'<text x="{x(t):.1f}" y="{H - B + 16}" text-anchor="middle">{t}</text>')
e.append(f'<text x="{(L + W - R) / 2}" y="{H - 6}" text-anchor="middle">seconds since the first phase began</text>')
e.append(f'<text x="14" y="{(T + H - B) / 2}" text-anchor="middle" transform="rotate(-90 14 {(T + H - B) / 2})">workers</text>')
for k, (s, pts) in enumerate(series.items()):
    if not pts:
        continue
    d, prev = [], None
    for t, w in pts:
        if prev is not None:
            d.append(f"{x(t):.1f},{y(prev):.1f}")
        d.append(f"{x(t):.1f},{y(w):.1f}")
        prev = w
    dash = ' stroke-dasharray="6,4"' if s == "fixed" else ""
    off = 0 if s != "fixed" else 2  # keep equal counts visible side by side
    e.append(f'<polyline fill="none" stroke="{colours.get(s, "black")}" stroke-width="2.5"{dash} transform="translate(0,{off})" points="{" ".join(d)}"/>')
    e.append(f'<text x="{W - R - 4}" y="{T + 16 + 16 * k}" text-anchor="end" fill="{colours.get(s, "black")}">{s}</text>')
e.append("</svg>")
open(svg, "w").write("\n".join(e) + "\n")
PY

cpu="$(grep -m 1 '^model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"
{
  echo "### Autoscaling: $served, $LOW -> $HIGH -> $LOW req/s, workers $MIN-$MAX vs fixed 2"
  echo
  echo "| setting | phase | offered req/s | served: ok requests in wall time = req/s | p50 (ms) | p99 (ms) | failed (why) | generator behind | server CPU (cores) | workers (min-max, mean) |"
  echo "|---|---:|---:|---:|---:|---:|---|---|---:|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "- p50/p99: successful requests only, from each request's intended send time (open loop)."
  echo "- Wall time: the phase's bin/loadtest run, its JVM start (about 1 s) included; longer than"
  echo "  PHASE when the generator fell behind (it holds at most 10,000 requests in flight)."
  echo "- Workers over time: $(basename "$SVG") (sampled from /metrics every ${SAMPLE} s)."
  echo "- Machine: $(nproc) CPUs, ${cpu:-unknown CPU}; generator and server share them;"
  echo "  load average at the start: $load0; other processes' CPU at the start: ${busy0:-none}"
  echo "- Date: $(date -u +%Y-%m-%dT%H:%M:%SZ); commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with local changes)')"
  echo "- Command: MODEL=$MODEL LOW=$LOW HIGH=$HIGH PHASE=$PHASE MIN=$MIN MAX=$MAX SCALE_FLAGS=\"$SCALE_FLAGS\" bench/autoscale.sh (held /tmp/mvn.lock throughout)"
} | tee "$OUT_DIR/autoscale-$MODEL.md"
