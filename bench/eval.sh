#!/usr/bin/env bash
# Offline evaluation speed and memory: `mlctl evaluate --store` on the demo model (the real
# engine, as a server runs it) over a generated dataset of ROWS rows (default 2,000,000) of
# 24-tenor curves, an .npz written by /usr/bin/python3 + numpy into a temp dir, then added to a
# temp store beside two registrations of the demo model (1.0.0 Production, 1.1.0 the candidate).
# Prints rows/s of the evaluation itself (its started_at..finished_at: dataset read, engine,
# metrics; model loading included) and of the whole command (JVM start included), for
#   1. the candidate alone (--baseline none),
#   2. the candidate and the Production baseline (each row through both),
#   3. the candidate alone with a small heap (SMALL_HEAP, default -Xmx96m) on a data file
#      larger than that heap: memory is bounded by one batch, not the dataset.
# Usage: bench/eval.sh [ROWS]   (hold /tmp/mvn.lock around it on a shared machine)
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-${ROWS:-2000000}}"
small_heap="${SMALL_HEAP:--Xmx96m}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

/usr/bin/python3 - "$tmp/bench.npz" "$rows" <<'PY'
import sys
import numpy as np
path, n = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(20261129)
x = (60 + 5 * rng.standard_normal((n, 24))).astype(np.float32)
y = (x + 0.5 * rng.standard_normal((n, 24))).astype(np.float32)
np.savez(path, input=x, label=y)
PY
echo "dataset: $rows rows, $(du -m "$tmp/bench.npz" | cut -f1) MiB npz"

m=examples/curve_forecaster
store="$tmp/store"
ctl() { bin/mlctl --store "$store" --actor bench "$@"; }
for v in 1.0.0 1.1.0; do
  ctl register --model curve_forecaster --version "$v" --artifact "$m/model.pt" \
    --signature "$m/model.json" --examples "$m/examples.json" > /dev/null
done
ctl promote --model curve_forecaster --version 1.0.0 --stage Production > /dev/null
ctl dataset add --model curve_forecaster --name bench --file "$tmp/bench.npz" > /dev/null

measure() {
  local label="$1"; shift
  local t0 t1
  t0="$(date +%s.%N)"
  ctl --output json evaluate --model curve_forecaster --version 1.1.0 --dataset bench "$@" \
    > "$tmp/out.json" 2> "$tmp/err.txt" || { cat "$tmp/err.txt" >&2; exit 1; }
  t1="$(date +%s.%N)"
  /usr/bin/python3 - "$tmp/out.json" "$label" "$t0" "$t1" <<'PY'
import json, sys
from datetime import datetime
e = json.load(open(sys.argv[1]))
label, t0, t1 = sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
def ts(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
secs = ts(e["finished_at"]) - ts(e["started_at"])
rows = e["dataset"]["rows"]
print(f"{label}: {rows} rows in {secs:.2f} s = {rows / secs:,.0f} rows/s"
      f" (whole command {t1 - t0:.2f} s = {rows / (t1 - t0):,.0f} rows/s),"
      f" baseline {e['baseline_version']}, candidate mae {e['candidate']['metrics']['mae']:.4f}")
PY
}

measure "candidate only        " --baseline none
measure "candidate + baseline  "
MLCTL_JAVA_OPTS="$small_heap" measure "candidate only $small_heap" --baseline none
