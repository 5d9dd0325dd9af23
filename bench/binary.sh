#!/usr/bin/env bash
# JSON vs binary on the same server in the same run (issue 17), measured with wrk:
#   /v2 infer    POST /v2/models/curve_forecaster/infer, one row [1,24]: JSON ("data") vs Triton's
#                binary tensor data extension (binary_data_size in, binary_data_output out);
#                CONCURRENCY connections
#   bulk         POST /api/v1/batch, BATCH_ROWS rows per request: JSON "instances" vs
#                application/octet-stream rows (binary predictions back); BATCH_CONCURRENCY
#                connections
# States alternate over ROUNDS rounds (each: WARMUP s discarded, then DURATION s measured), so a
# slow or fast spell of the shared host touches both sides of a ratio. Server CPU per request or
# item: the server process's utime+stime (/proc/PID/stat) over the measured window, divided by
# what it answered. Generator and server share the machine's cores.
# Needs: wrk, python3. Writes $OUT_DIR/binary.md (and wrk outputs under $OUT_DIR/binary/).
# Then the two bulk states again on a second server started with --max-batch-size BULK_MAX_BATCH
# (the engine's per-call cost, not the format, bounds bulk items/s at the manifest's 64 rows).
# Settings: CONCURRENCY=64 BATCH_ROWS=1000 BATCH_CONCURRENCY=8 ROUNDS=2 WARMUP=10 DURATION=12
#   BATCH_WARMUP=20 BULK_MAX_BATCH=1024 OUT_DIR=bench/out
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
CONCURRENCY="${CONCURRENCY:-64}"; BATCH_ROWS="${BATCH_ROWS:-1000}"
BATCH_CONCURRENCY="${BATCH_CONCURRENCY:-8}"; ROUNDS="${ROUNDS:-2}"
WARMUP="${WARMUP:-10}"; DURATION="${DURATION:-12}"; BATCH_WARMUP="${BATCH_WARMUP:-20}"
BULK_MAX_BATCH="${BULK_MAX_BATCH:-1024}"
OUT_DIR="${OUT_DIR:-$root/bench/out}"
out="$OUT_DIR/binary"
mkdir -p "$out"
. "$root/bench/lib.sh"
for tool in wrk python3; do
  command -v "$tool" >/dev/null || die "needs $tool (apt-get install wrk python3)"
done
bench_init binary
log="$out/server.log"
start_demo "$log" "$store/s"

# Bodies: the same rows each way; binary bodies are read by wrk from files (bytes, not text).
python3 - "$store" "$BATCH_ROWS" <<'PY'
import json, random, struct, sys
d, rows = sys.argv[1], int(sys.argv[2])
curve = [60, 59, 58, 57, 58, 60, 62, 64, 66, 68, 70, 71, 70, 68, 66, 64, 62, 61, 60, 61, 62, 64, 66, 67]
le = lambda vals: b''.join(struct.pack('<f', v) for v in vals)
oip_json = json.dumps({"inputs": [{"name": "curve", "shape": [1, 24], "datatype": "FP32", "data": curve}]})
head = json.dumps({"inputs": [{"name": "curve", "shape": [1, 24], "datatype": "FP32",
                               "parameters": {"binary_data_size": 96}}],
                   "parameters": {"binary_data_output": True}}).encode()
open(d + '/oip.bin', 'wb').write(head + le(curve))
random.seed(1)
inst = [[round(45 + random.random() * 30, 3) for _ in range(24)] for _ in range(rows)]
open(d + '/batch.bin', 'wb').write(b''.join(le(r) for r in inst))
def lua(ctype, body=None, path=None, headers=()):
    s = 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "%s"\n' % ctype
    for k, v in headers:
        s += 'wrk.headers["%s"] = "%s"\n' % (k, v)
    if path:
        s += 'local f = assert(io.open("%s", "rb"))\nwrk.body = f:read("*all")\nf:close()\n' % path
    else:
        s += 'wrk.body = [==[' + body + ']==]\n'
    return s
open(d + '/oip-json.lua', 'w').write(lua('application/json', oip_json))
open(d + '/oip-binary.lua', 'w').write(lua('application/octet-stream', path=d + '/oip.bin',
    headers=[('Inference-Header-Content-Length', str(len(head)))]))
open(d + '/batch-json.lua', 'w').write(lua('application/json',
    json.dumps({"model": "curve_forecaster", "instances": inst})))
open(d + '/batch-binary.lua', 'w').write(lua('application/octet-stream', path=d + '/batch.bin'))
PY

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$DEMO_PID/stat"; }
hz="$(getconf CLK_TCK)"
oip="http://127.0.0.1:$HPORT/v2/models/curve_forecaster/infer"
batch="http://127.0.0.1:$HPORT/api/v1/batch"

# measure STATE ROUND URL CONNECTIONS WARMUP: one warm-up run, then a measured one with the
# server's CPU ticks before and after.
measure() {
  local s="$1" r="$2" url="$3" c="$4" w="$5" t0 t1
  local script="${s%-mb}"
  [ "$script" = batch-binary ] && url="$url?model=curve_forecaster"
  wrk -t1 -c"$c" -d"${w}s" -s "$store/$script.lua" "$url" > /dev/null
  t0="$(cpu_ticks)"
  wrk -t1 -c"$c" -d"${DURATION}s" --latency -s "$store/$script.lua" "$url" > "$out/$s.$r.txt"
  t1="$(cpu_ticks)"
  echo "$(( t1 - t0 ))" > "$out/$s.$r.cpu"
}
for r in $(seq "$ROUNDS"); do
  measure oip-json "$r" "$oip" "$CONCURRENCY" "$WARMUP"
  measure oip-binary "$r" "$oip" "$CONCURRENCY" "$WARMUP"
  measure batch-json "$r" "$batch" "$BATCH_CONCURRENCY" "$BATCH_WARMUP"
  measure batch-binary "$r" "$batch" "$BATCH_CONCURRENCY" "$BATCH_WARMUP"
done
stop_demo
start_demo "$out/server-mb.log" "$store/s-mb" --max-batch-size "$BULK_MAX_BATCH"
batch="http://127.0.0.1:$HPORT/api/v1/batch"
for r in $(seq "$ROUNDS"); do
  measure batch-json-mb "$r" "$batch" "$BATCH_CONCURRENCY" "$BATCH_WARMUP"
  measure batch-binary-mb "$r" "$batch" "$BATCH_CONCURRENCY" "$BATCH_WARMUP"
done

python3 - "$out" "$ROUNDS" "$BATCH_ROWS" "$hz" "$CONCURRENCY" "$BATCH_CONCURRENCY" "$BULK_MAX_BATCH" <<'PY' | tee "$OUT_DIR/binary.md"
import re, statistics, sys
out, rounds, rows, hz, conc, bconc, mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6], sys.argv[7]
def run(s, r):
    t = open(f'{out}/{s}.{r}.txt').read()
    rps = float(re.search(r'Requests/sec:\s+([\d.]+)', t).group(1))
    n = int(re.search(r'(\d+) requests in', t).group(1))
    def ms(p):
        v = re.search(r'\s' + p + r'%\s+([\d.]+)(us|ms|s)', t)
        return float(v.group(1)) * {'us': 0.001, 'ms': 1, 's': 1000}[v.group(2)]
    bad = re.search(r'Non-2xx or 3xx responses: (\d+)', t)
    cpu_us = int(open(f'{out}/{s}.{r}.cpu').read()) * 1e6 / hz
    return dict(rps=rps, p50=ms('50'), p99=ms('99'), bad=int(bad.group(1)) if bad else 0, cpu=cpu_us / n)
res = {s: [run(s, r) for r in range(1, rounds + 1)] for s in ('oip-json', 'oip-binary', 'batch-json', 'batch-binary', 'batch-json-mb', 'batch-binary-mb')}
med = lambda s, k: statistics.median(x[k] for x in res[s])
per = lambda s: rows if s.startswith('batch') else 1
label = {'oip-json': f'/v2 infer, JSON (1 row, {conc} conns)', 'oip-binary': f'/v2 infer, binary extension (1 row, {conc} conns)',
         'batch-json': f'/api/v1/batch, JSON ({rows} rows, {bconc} conns)', 'batch-binary': f'/api/v1/batch, octet-stream ({rows} rows, {bconc} conns)',
         'batch-json-mb': f'/api/v1/batch, JSON, --max-batch-size {mb}', 'batch-binary-mb': f'/api/v1/batch, octet-stream, --max-batch-size {mb}'}
print('| request | requests/s | items/s | server CPU µs/request | µs/item | p50 | p99 | non-2xx |')
print('|---|---:|---:|---:|---:|---:|---:|---:|')
for s in res:
    print(f"| {label[s]} | {med(s, 'rps'):,.0f} | {med(s, 'rps') * per(s):,.0f} | {med(s, 'cpu'):,.1f} | {med(s, 'cpu') / per(s):.2f} | {med(s, 'p50'):.2f} ms | {med(s, 'p99'):.2f} ms | {sum(x['bad'] for x in res[s])} |")
print()
for a, b, what in (('oip-json', 'oip-binary', '/v2 infer'), ('batch-json', 'batch-binary', 'bulk'), ('batch-json-mb', 'batch-binary-mb', f'bulk at max batch {mb}')):
    ratios = [y['rps'] / x['rps'] for x, y in zip(res[a], res[b])]
    cpus = [x['cpu'] / y['cpu'] for x, y in zip(res[a], res[b])]
    print(f"- {what}: binary/JSON throughput per round {', '.join(f'{v:.2f}' for v in ratios)} (median {statistics.median(ratios):.2f}); "
          f"JSON/binary server CPU per request {', '.join(f'{v:.2f}' for v in cpus)}")
PY
{
  echo "- Machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1); $(java -version 2>&1 | head -n 1)"
  run_notes
  echo "- $ROUNDS rounds, states alternating; each run ${WARMUP} s warm-up (${BATCH_WARMUP} s for bulk), discarded, then ${DURATION} s measured; medians over rounds."
} | tee -a "$OUT_DIR/binary.md"
