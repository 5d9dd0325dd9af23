#!/usr/bin/env bash
# How fast a failing canary loses its traffic (docs/benchmarks.md, issue 12): the time from the
# candidate's first failed answer to its weight reaching 0.
#
# Starts `bin/mlserve demo` (curve_forecaster 1.0.0 in Production; its rollout controller ticks
# every second), registers the canary_errors fixture (the demo network, but it fails a batch with
# a negative first value) as 2.0.0, then runs RUNS runs on the same server. Each run: a steady
# REST load (bench/rollout_client.py: RATE requests/s, unversioned, one in BAD_EVERY with a
# negative first value) starts; `bin/mlctl --store rollout start` rolls 2.0.0 out with
# --steps 5,25,50,100 --bake BAKE --min-requests MIN_REQUESTS; the run ends once the server
# serves the split with 2.0.0 at 0 and the load has gone on for TAIL seconds. From the client's
# answers (epoch ms) and the store's events.jsonl (the server's timestamps, same clock):
#   first fail -> abort   the first failed answer to the rollout_aborted event (the record's
#                         split has the candidate at 0 from that write on)
#   first fail -> last    the first failed answer to the last answer from 2.0.0, failed or not
#                         (the server has applied the new split: afterwards the stable version
#                         answers every request, negatives included)
# and start -> first fail (the rollout_step "started" event to the first failure).
#
# Usage: bench/rollout.sh   Settings: RUNS=5 RATE=400 THREADS=8 BAD_EVERY=5 BAKE=30s
#   MIN_REQUESTS=20 TAIL=1 OUT_DIR=bench/out/rollout
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

RUNS="${RUNS:-5}"; RATE="${RATE:-400}"; THREADS="${THREADS:-8}"; BAD_EVERY="${BAD_EVERY:-5}"
BAKE="${BAKE:-30s}"; MIN_REQUESTS="${MIN_REQUESTS:-20}"; TAIL="${TAIL:-1}"
OUT_DIR="${OUT_DIR:-$root/bench/out/rollout}"
MODEL=curve_forecaster
PY=/usr/bin/python3
mkdir -p "$OUT_DIR"
. bench/lib.sh

bench_init rollout
log="$OUT_DIR/server.log"
start_demo "$log" "$store" || die "server did not start"
bin/mlctl --store "$store" register --model "$MODEL" --version 2.0.0 \
  --artifact server/src/test/resources/models/canary_errors.pt >/dev/null

for r in $(seq "$RUNS"); do
  rm -f "$OUT_DIR/stop" "$OUT_DIR/ready"
  "$PY" bench/rollout_client.py "$HPORT" "$RATE" "$THREADS" "$BAD_EVERY" 120 "$OUT_DIR/stop" \
    "$OUT_DIR/ready" "$OUT_DIR/answers.$r.csv" &
  BENCH_PIDS="$!"
  for _ in $(seq 300); do [ -e "$OUT_DIR/ready" ] && break; sleep 0.1; done
  [ -e "$OUT_DIR/ready" ] || die "the load did not start"
  bin/mlctl --store "$store" rollout start --model "$MODEL" --version 2.0.0 --steps 5,25,50,100 \
    --bake "$BAKE" --min-requests "$MIN_REQUESTS" --reason "bench run $r" >/dev/null
  await_line "traffic split 1.0.0=100,2.0.0=0 in effect" "$r" 120
  sleep "$TAIL"  # the load goes on, to show the failures have stopped
  touch "$OUT_DIR/stop"
  wait "$BENCH_PIDS" || die "the load client failed"
  BENCH_PIDS=""
  echo "bench: run $r/$RUNS done" >&2
done
cp "$store/events.jsonl" "$OUT_DIR/events.jsonl"
stop_demo

"$PY" - "$OUT_DIR" "$RUNS" <<'PY' | tee "$OUT_DIR/rollout.md"
import json, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
events = [json.loads(l) for l in open(out + "/events.jsonl") if l.strip()]
started = [e for e in events if e["event_type"] == "ml.model.rollout_step.v1"
           and e.get("action") == "started"]
aborted = [e for e in events if e["event_type"] == "ml.model.rollout_aborted.v1"]
rows = []
print("| run | start -> first fail | first fail -> abort (weight 0 in the record) |"
      " first fail -> last answer from 2.0.0 | failed / answered | abort reason |")
print("|---:|---:|---:|---:|---:|---|")
for r in range(runs):
    answers = [l.strip().split(",") for l in open("%s/answers.%d.csv" % (out, r + 1))]
    fails = sorted(int(a[0]) for a in answers if a[1] != "200")
    last = max([int(a[0]) for a in answers if a[2] == "2.0.0"] + fails)
    t0, ta = started[r]["timestamp"], aborted[r]["timestamp"]
    row = (fails[0] - t0, ta - fails[0], last - fails[0])
    rows.append(row)
    print("| %d | %d ms | %d ms | %d ms | %d / %d | %s |" % (r + 1, row[0], row[1], row[2],
          len(fails), len(answers), aborted[r]["reason"]))
print()
for name, i in [("start -> first fail", 0), ("first fail -> abort", 1),
                ("first fail -> last answer from 2.0.0", 2)]:
    v = [row[i] for row in rows]
    print("- %s: median %d ms, max %d ms (min %d ms)" % (name, statistics.median(v), max(v),
                                                        min(v)))
PY
{
  run_notes
  echo "- Load: $RATE unversioned REST predicts/s on a fixed schedule from $THREADS client threads," \
    "one in $BAD_EVERY with a negative first value; rollout --steps 5,25,50,100 --bake $BAKE" \
    "--min-requests $MIN_REQUESTS (other thresholds default); controller tick 1 s; $RUNS runs on one server"
} | tee -a "$OUT_DIR/rollout.md"
