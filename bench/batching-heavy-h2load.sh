#!/usr/bin/env bash
# Batching on vs off on the heavy MLP (issue 19, goal 1) with h2load (nghttp2-client, C) as the
# gRPC load generator instead of the project's JVM generator, which took about one of this
# machine's two cores in bench/batching-heavy.sh. Each server in SERVERS (a build of the server:
# builds are compared in one run) holds the fixture twice (off: max_batch_size 1; on: the
# manifest's max batch 64, max_queue_delay_us 0; 2 instances x 1 thread each); STATES are
# SERVER:off|on, measured in that order every round. h2load: CONNS x STREAMS one-row ModelInfer
# calls in flight (INFLIGHT, e.g. 4x16 = 64), 2 s warm-up + DURATION each. With EXTRA_INFLIGHT
# (e.g. 4x32) the EXTRA_STATES are measured again at that many calls in flight, in their own
# alternating rounds. Rows per batch: the servers' /metrics histogram mlserve_batch_size,
# scraped around each configuration's rounds. h2load counts HTTP/2 answers only (a gRPC error is
# an HTTP 200 with a grpc-status trailer), so each server's per-outcome counters are printed at
# the end: every request must be "ok" (a few "cancelled" are h2load closing streams at the end).
# Throughput counts ok answers only (h2load's rate times the share of ok answers in the server's
# counters). Server CPU per request (from /proc, over each run with its 2 s warm-up) is split into the batcher
# worker threads and the rest (transport, serving). Run it under `flock /tmp/mvn.lock`; about 2
# minutes for the defaults. Needs h2load (Debian
# nghttp2-client) and a built server/target/lib.
# Usage: bench/batching-heavy-h2load.sh
# Settings: DURATION=8 ROUNDS=3 WARMUP=$DURATION (s per state before the rounds) OUT_DIR=bench/out
#   INFLIGHT=4x16 STATES="tree:off tree:on"
#   SERVERS="tree": "tree" is this checkout's server/target jar, any other LABEL $JAR_DIR/LABEL.jar
#   (a server jar built at another commit, run on this checkout's server/target/lib);
#   JAVA_OPTS_LABEL: extra JVM flags of that server only (e.g. -Dai.djl.pytorch.graph_optimizer=true)
#   EXTRA_INFLIGHT="" EXTRA_STATES="$STATES"
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
. bench/lib.sh
. bench/lib-serve.sh
READY_TIMEOUT="${READY_TIMEOUT:-300}"; DURATION="${DURATION:-8}"; ROUNDS="${ROUNDS:-3}"
WARMUP="${WARMUP:-$DURATION}"
SERVERS="${SERVERS:-tree}"; STATES="${STATES:-tree:off tree:on}"; INFLIGHT="${INFLIGHT:-4x16}"
EXTRA_INFLIGHT="${EXTRA_INFLIGHT:-}"; EXTRA_STATES="${EXTRA_STATES:-$STATES}"
command -v h2load >/dev/null || die "h2load not found (apt-get install nghttp2-client)"
[ -d server/target/lib ] || die "build first: mvn -B -q -DskipTests -pl server -am package"
fixture=examples/mlp_heavy/torchscript
OUT_DIR="${OUT_DIR:-$root/bench/out}/batching-heavy-h2load"; mkdir -p "$OUT_DIR"
bench_init batching-heavy-h2load
mkdir -p "$store/registered"
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
  register_promote "$store/registered" "heavy_$s" "$fixture/model.pt" "$store/$s.json" \
    "$fixture/examples.json"
  /usr/bin/python3 bench/grpc_infer_body.py "heavy_$s" >"$OUT_DIR/heavy_$s.bin"
done

declare -A GPORT_OF HPORT_OF PID_OF
for label in $SERVERS; do
  if [ "$label" = tree ]; then
    jar="$(ls server/target/mlserve-server-*.jar | grep -v -e '-tests.jar' -e '-sources.jar' | head -n 1)"
  else
    jar="${JAR_DIR:?JAR_DIR names the folder of LABEL.jar}/$label.jar"
  fi
  [ -f "$jar" ] || die "no server jar $jar"
  cp -a "$store/registered" "$store/$label"
  opts="JAVA_OPTS_$label"
  MLSERVE_CLASSPATH="$jar:$root/server/target/lib/*" MLSERVE_JAVA_OPTS="${!opts:-}" \
    start_serve "$OUT_DIR/server-$label.log" "$store/$label"
  GPORT_OF[$label]="$GPORT"; HPORT_OF[$label]="$HPORT"; PID_OF[$label]="$DEMO_PID"
  BENCH_PIDS="$BENCH_PIDS $DEMO_PID"; DEMO_PID=""
done

hz="$(getconf CLK_TCK)"
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/${PID_OF[$1]}/stat"; }
# answers SERVER MODE: "ok other" answer counts of the state's model so far (other: every outcome
# but ok and cancelled, e.g. resource_exhausted when the queue sheds; h2load counts those as 200s).
answers() {
  curl -sf "http://127.0.0.1:${HPORT_OF[$1]}/metrics" | awk -v m="model=\"heavy_$2\"" '
    /^mlserve_requests_total\{/ && index($0, m) {
      if (index($0, "outcome=\"ok\"")) ok += $NF
      else if (!index($0, "outcome=\"cancelled\"")) other += $NF
    }
    END { print ok + 0, other + 0 }'
}

# worker_ticks SERVER: CPU ticks of the server's batcher worker threads (the engine's calls and
# the batching around them); the rest of the server's CPU is transport and serving.
worker_ticks() {
  local t sum=0 v
  for t in /proc/"${PID_OF[$1]}"/task/*; do
    case "$(cat "$t/comm" 2>/dev/null)" in
      batcher-*) v="$(sed 's/^.*) //' "$t/stat" 2>/dev/null | awk '{ print $12 + $13 }')"
        sum=$((sum + ${v:-0})) ;;
    esac
  done
  echo "$sum"
}
# load SERVER:MODE CONNSxSTREAMS SECONDS: one h2load run; prints its output.
load() {
  local label="${1%%:*}" mode="${1#*:}"
  h2load -c "${2%x*}" -m "${2#*x}" -t 1 -D "$3" --warm-up-time=2 \
    -H 'content-type: application/grpc' -H 'te: trailers' -d "$OUT_DIR/heavy_$mode.bin" \
    "http://127.0.0.1:${GPORT_OF[$label]}/inference.GRPCInferenceService/ModelInfer"
}
scrape() {
  local label
  for label in $SERVERS; do
    curl -sf "http://127.0.0.1:${HPORT_OF[$label]}/metrics" >"$OUT_DIR/metrics-$label.$1" \
      || die "no /metrics from $label"
  done
}
# distribution SERVER:MODE CONFIG: "| batches | shares of 1, 2, 3-4, ..., 33-64 | mean rows |"
distribution() {
  local label="${1%%:*}" model="heavy_${1#*:}" b="$OUT_DIR/metrics-${1%%:*}.$2.before"
  local a="$OUT_DIR/metrics-${1%%:*}.$2.after" pat
  pat="s/^mlserve_batch_size_bucket{model=\"$model\",version=\"1.0.0\",le=\"\([^\"]*\)\"} \([0-9]*\)$/\1 \2/p"
  paste -d ' ' <(sed -n "$pat" "$b") <(sed -n "$pat" "$a") \
    | awk -v sum0="$(sed -n "s/^mlserve_batch_size_sum{model=\"$model\".*} //p" "$b")" \
        -v sum1="$(sed -n "s/^mlserve_batch_size_sum{model=\"$model\".*} //p" "$a")" '
      { c[NR] = $4 - $2 }
      END {
        total = c[NR]; if (total == 0) { print "| no batches |"; exit }
        line = "| " total; prev = 0
        for (i = 1; i <= 7; i++) {   # le = 1, 2, 4, ..., 64
          line = line sprintf(" | %.1f%%", 100 * (c[i] - prev) / total); prev = c[i]
        }
        printf "%s | %.1f |\n", line, (sum1 - sum0) / total
      }'
}

# config NAME CONNSxSTREAMS "STATES" [WARM]: with WARM, a warm-up run of each state first; then
# ROUNDS alternating rounds; results in $OUT_DIR/NAME.rounds ("state round rps cores
# worker-cores").
config() {
  local name="$1" inflight="$2" states="$3" s r out c0 c1 w0 w1 rps cores workers a0 a1 ok
  if [ -n "${4:-}" ]; then
    for s in $states; do load "$s" "$inflight" "$WARMUP" >/dev/null; done
  fi
  scrape "$name.before"
  : >"$OUT_DIR/$name.rounds"
  for r in $(seq "$ROUNDS"); do
    for s in $states; do
      a0="$(answers "${s%%:*}" "${s#*:}")"
      c0="$(cpu_ticks "${s%%:*}")"; w0="$(worker_ticks "${s%%:*}")"
      out="$(load "$s" "$inflight" "$DURATION")"
      c1="$(cpu_ticks "${s%%:*}")"; w1="$(worker_ticks "${s%%:*}")"
      a1="$(answers "${s%%:*}" "${s#*:}")"
      # req/s of ok answers only: h2load's rate times the run's share of ok answers
      ok="$(echo "$a0 $a1" | awk '{ ok = $3 - $1; no = $4 - $2; print (ok + no) ? ok / (ok + no) : 1 }')"
      [ "$ok" = 1 ] || echo "$name round $r $s: only a share $ok of the answers were ok" >&2
      rps="$(echo "$out" | sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p')"
      rps="$(awk -v r="$rps" -v k="$ok" 'BEGIN { printf "%.2f", r * k }')"
      cores="$(awk -v t="$((c1 - c0))" -v hz="$hz" -v d="$DURATION" \
        'BEGIN { printf "%.2f", t / hz / (d + 2) }')"
      workers="$(awk -v t="$((w1 - w0))" -v hz="$hz" -v d="$DURATION" \
        'BEGIN { printf "%.2f", t / hz / (d + 2) }')"
      echo "$s $r $rps $cores $workers" >>"$OUT_DIR/$name.rounds"
      echo "$name round $r $s: $rps req/s; server CPU $cores cores ($workers in batcher workers);" \
        "$(echo "$out" | grep -m 1 '^requests:')" >&2
    done
  done
  scrape "$name.after"
}

# report NAME CONNSxSTREAMS "STATES": the markdown tables of one configuration; ratios are over
# the first state's throughput in the same round.
report() {
  local name="$1" inflight="$2" states="$3" base="${3%% *}" s
  echo "#### $((${inflight%x*} * ${inflight#*x})) calls in flight ($inflight), $ROUNDS rounds of ${DURATION} s"
  echo
  echo "| state | req/s per round | req/s (median) | / $base, per round (median) | server cores | server CPU us/request | of which batcher workers | rest of the server |"
  echo "|---|---|---:|---|---:|---:|---:|---:|"
  for s in $states; do
    awk -v s="$s" -v base="$base" '
      $1 == base { b[$2] = $3 }
      $1 == s { n++; r[n] = $2; v[n] = $3; c[n] = $4; w[n] = $5 }
      function med(a, k,   t, i, j, x) {
        for (i = 1; i <= k; i++) t[i] = a[i]
        for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (t[j] < t[i]) { x = t[i]; t[i] = t[j]; t[j] = x }
        return (k % 2) ? t[(k + 1) / 2] : (t[k / 2] + t[k / 2 + 1]) / 2
      }
      END {
        per = ""; ratios = ""
        for (i = 1; i <= n; i++) {
          per = per (i > 1 ? " / " : "") sprintf("%.0f", v[i])
          q[i] = v[i] / b[r[i]]; ratios = ratios (i > 1 ? ", " : "") sprintf("x%.2f", q[i])
          u[i] = c[i] * 1e6 / v[i]; e[i] = w[i] * 1e6 / v[i]; o[i] = u[i] - e[i]
        }
        printf "| %s | %s | %.0f | %s (**x%.2f**) | %.2f | %.0f | %.0f | %.0f |\n", s, per,
          med(v, n), ratios, med(q, n), med(c, n), med(u, n), med(e, n), med(o, n)
      }' "$OUT_DIR/$name.rounds"
  done
  echo
  echo "| state | batches | 1 | 2 | 3-4 | 5-8 | 9-16 | 17-32 | 33-64 | mean rows |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for s in $states; do
    echo "| $s $(distribution "$s" "$name")"
  done
  echo
}

config main "$INFLIGHT" "$STATES" warm
# the servers are warm by then; each run still has h2load's 2 s warm-up
[ -z "$EXTRA_INFLIGHT" ] || config extra "$EXTRA_INFLIGHT" "$EXTRA_STATES"
scrape final
for label in $SERVERS; do   # every request must be ok (or cancelled: h2load's end)
  echo "$label: $(grep -E '^mlserve_requests_total\{model="heavy' "$OUT_DIR/metrics-$label.final" \
    | sed 's/^mlserve_requests_total//' | grep -v ' 0$' | paste -sd ' ' -)" >&2
done
{
  report main "$INFLIGHT" "$STATES"
  [ -z "$EXTRA_INFLIGHT" ] || report extra "$EXTRA_INFLIGHT" "$EXTRA_STATES"
  echo "- $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD), servers: $SERVERS;" \
    "$(nproc) CPUs shared by the servers and h2load; held flock /tmp/mvn.lock"
} | tee "$OUT_DIR/report.md"
stop_demo
