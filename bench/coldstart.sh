#!/usr/bin/env bash
# Issue 19 goal 3: cold start of `bin/mlserve demo --store DIR` from a built checkout, from process
# start to the first 200 answer of POST /api/v1/predict (polled every ~10 ms), median of ROUNDS
# (default 5) runs of each mode, the modes alternating within each round:
#   fresh        DIR absent: the README's first command, which creates the store
#   reuse        DIR made by an earlier run: a re-run
#   nocds-*      the same without the class-data archive (MLSERVE_CDS_ARCHIVE=)
#   before-*     without the archive and without starting libtorch ahead of the first load
#                (-Dmlserve.engine.preload.off=true): the start as it was before issue 19
#   base-*       with BASE=<another built checkout> (e.g. the commit before this work): its
#                launcher, instead of before-*
# Run it holding the build lock (nothing else may run beside it):
#   flock /tmp/mvn.lock bench/coldstart.sh [ROUNDS]
# Needs a built checkout (mvn -B -q package -DskipTests makes server/target/mlserve.jsa too). Each
# run's log (every server line with its time since the start) lands in $OUT_DIR (default: a new
# temporary directory).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}"
[ -f server/target/mlserve.jsa ] \
  || echo "bench: server/target/mlserve.jsa is missing: fresh/reuse run without an archive" >&2
if [ -n "${BASE:-}" ]; then
  export COLDSTART_HOME_BASE="$BASE"
  modes="base-fresh,nocds-fresh,fresh,base-reuse,nocds-reuse,reuse"
else
  modes="before-fresh,nocds-fresh,fresh,before-reuse,nocds-reuse,reuse"
fi
export COLDSTART_ENV_NOCDS="MLSERVE_CDS_ARCHIVE="
export COLDSTART_ENV_BEFORE="MLSERVE_CDS_ARCHIVE= MLSERVE_JAVA_OPTS=-Dmlserve.engine.preload.off=true"
OUT_DIR="${OUT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/mlserve-coldstart-out.XXXXXX")}"
echo "bench: cold start, $rounds rounds of $modes; logs in $OUT_DIR" >&2
/usr/bin/python3 bench/coldstart.py "$OUT_DIR" "$rounds" "$modes"
echo "- Date: $(date -u +%Y-%m-%dT%H:%M:%SZ); commit $(git rev-parse --short HEAD); $(nproc) CPUs;" \
  "run holding /tmp/mvn.lock"
