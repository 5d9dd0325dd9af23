#!/usr/bin/env bash
# REST vs gRPC on the same server in the same run, and /api/v1/batch items per second, measured
# with lean C load generators (the JVM's HTTP client saturates long before the server does):
#   gRPC  ModelInfer, one row [1,24]: h2load, 1 connection, CONCURRENCY streams
#   REST  POST /api/v1/predict, one row: wrk, CONCURRENCY connections
#   REST  POST /api/v1/batch, BATCH_ROWS rows per request: wrk, BATCH_CONCURRENCY connections
# One `bin/mlserve demo` on 127.0.0.1; each row gets a WARMUP run first (discarded), then DURATION
# measured. Generator and server share the machine's cores. Writes $OUT_DIR/rest.md.
# Needs: apt-get install wrk nghttp2-client (h2load), python3 (to build the request bodies).
# Settings: CONCURRENCY=64 BATCH_ROWS=1000 BATCH_CONCURRENCY=8 DURATION=20 WARMUP=15
#   BATCH_WARMUP=40 (the batch path's JIT keeps improving for tens of seconds after the predict
#   rows ran: 435k -> 490k -> 517k items/s in consecutive 10 s runs) OUT_DIR=bench/out
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
CONCURRENCY="${CONCURRENCY:-64}"; BATCH_ROWS="${BATCH_ROWS:-1000}"
BATCH_CONCURRENCY="${BATCH_CONCURRENCY:-8}"; DURATION="${DURATION:-20}"; WARMUP="${WARMUP:-15}"
BATCH_WARMUP="${BATCH_WARMUP:-40}"
OUT_DIR="${OUT_DIR:-$root/bench/out}"
out="$OUT_DIR/rest"
mkdir -p "$out"
for tool in wrk h2load python3; do
  command -v "$tool" >/dev/null || { echo "bench/rest.sh needs $tool (apt-get install wrk nghttp2-client python3)" >&2; exit 1; }
done
store="$(mktemp -d "${TMPDIR:-/tmp}/mlserve-rest-bench.XXXXXX")"
log="$out/server.log"
. "$root/bench/lib.sh"
trap 'rc=$?; kill -TERM $DEMO_PID 2>/dev/null; wait $DEMO_PID 2>/dev/null; rm -rf "$store"; exit $rc' EXIT
start_demo "$log" "$store/s"
gport="$GPORT"; hport="$HPORT"

write_bodies "$store" "$BATCH_ROWS"

h2() { # seconds, logfile
  h2load -D "$1" -c 1 -m "$CONCURRENCY" -d "$store/grpc.bin" -H 'content-type: application/grpc' \
    -H 'te: trailers' ${2:+--log-file "$2"} \
    "http://127.0.0.1:$gport/inference.GRPCInferenceService/ModelInfer"
}
h2 "$WARMUP" > /dev/null
h2 "$DURATION" "$out/grpc.log" > "$out/grpc.txt"
wrk -t1 -c"$CONCURRENCY" -d"${WARMUP}s" -s "$store/predict.lua" "http://127.0.0.1:$hport/api/v1/predict" > /dev/null
wrk -t1 -c"$CONCURRENCY" -d"${DURATION}s" --latency -s "$store/predict.lua" \
  "http://127.0.0.1:$hport/api/v1/predict" > "$out/rest-predict.txt"
wrk -t1 -c"$BATCH_CONCURRENCY" -d"${BATCH_WARMUP}s" -s "$store/batch.lua" "http://127.0.0.1:$hport/api/v1/batch" > /dev/null
wrk -t1 -c"$BATCH_CONCURRENCY" -d"${DURATION}s" --latency -s "$store/batch.lua" \
  "http://127.0.0.1:$hport/api/v1/batch" > "$out/rest-batch.txt"

python3 - "$out" "$CONCURRENCY" "$BATCH_CONCURRENCY" "$BATCH_ROWS" <<'PY' | tee "$OUT_DIR/rest.md"
import re, sys
out, conc, bconc, rows = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
g = open(out + '/grpc.txt').read()
grps = float(re.search(r'finished in [\d.]+s, ([\d.]+) req/s', g).group(1))
m = re.search(r'requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored', g)
gfail = int(m.group(4)) + int(m.group(5))
lat = sorted(int(l.split('\t')[2]) for l in open(out + '/grpc.log') if l.strip())
pct = lambda p: lat[min(len(lat) - 1, int(p / 100 * len(lat)))] / 1000.0
def wrk(name):
    t = open(out + '/' + name + '.txt').read()
    rps = float(re.search(r'Requests/sec:\s+([\d.]+)', t).group(1))
    def ms(p):
        v = re.search(r'\s' + p + r'%\s+([\d.]+)(us|ms|s)', t)
        return float(v.group(1)) * {'us': 0.001, 'ms': 1, 's': 1000}[v.group(2)]
    bad = re.search(r'Non-2xx or 3xx responses: (\d+)', t)
    errs = re.search(r'Socket errors: .*', t)
    return rps, ms('50'), ms('99'), (int(bad.group(1)) if bad else 0), errs.group(0) if errs else ''
print('| endpoint | generator | in flight | requests/s | items/s | p50 | p99 | failed |')
print('|---|---|---:|---:|---:|---:|---:|---:|')
print(f'| gRPC ModelInfer | h2load | {conc} | {grps:,.0f} | {grps:,.0f} | {pct(50):.2f} ms | {pct(99):.2f} ms | {gfail} |')
p = wrk('rest-predict')
print(f'| REST /api/v1/predict | wrk | {conc} | {p[0]:,.0f} | {p[0]:,.0f} | {p[1]:.2f} ms | {p[2]:.2f} ms | {p[3]} |')
b = wrk('rest-batch')
print(f'| REST /api/v1/batch ({rows} rows) | wrk | {bconc} | {b[0]:,.0f} | {b[0] * rows:,.0f} | {b[1]:.2f} ms | {b[2]:.2f} ms | {b[3]} |')
print()
print(f'- REST predict throughput = {100 * p[0] / grps:.0f}% of gRPC (target: at least 50%)')
print(f'- /api/v1/batch: {b[0] * rows:,.0f} items/s (target: 500,000)')
for e in (p[4], b[4]):
    if e:
        print('- wrk: ' + e)
PY
{
  echo "- Machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1); $(java -version 2>&1 | head -n 1)"
  echo "- Date: $(date -u +%Y-%m-%dT%H:%M:%SZ); commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "- ${WARMUP} s warm-up per row (${BATCH_WARMUP} s for the batch row; discarded), then ${DURATION} s measured; generator and server share the cores."
} | tee -a "$OUT_DIR/rest.md"
