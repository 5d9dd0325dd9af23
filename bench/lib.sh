# Shared by the bench scripts (source it): start a demo server, build request bodies.

# start_demo LOG STORE [extra mlserve flags...]: starts `bin/mlserve demo` on 127.0.0.1 with free
# ports; sets DEMO_PID, GPORT, HPORT. The caller owns cleanup (kill -TERM "$DEMO_PID").
start_demo() {
  local log="$1" store="$2"; shift 2
  bin/mlserve demo --grpc-port 0 --http-port 0 --bind 127.0.0.1 --store "$store" "$@" > "$log" 2>&1 &
  DEMO_PID=$!
  for _ in $(seq 300); do grep -q "ready grpc_port" "$log" && break; sleep 1; done
  GPORT="$(sed -n 's/^mlserve: ready grpc_port=\([0-9]*\).*/\1/p' "$log")"
  HPORT="$(sed -n 's/^mlserve: ready .*http_port=\([0-9]*\).*/\1/p' "$log")"
  [ -n "$GPORT" ] && [ -n "$HPORT" ] || { echo "server did not start; see $log" >&2; return 1; }
}

# write_bodies DIR [BATCH_ROWS]: DIR/grpc.bin (a gRPC-framed ModelInferRequest, typed FP32),
# DIR/predict.json, and wrk scripts DIR/predict.lua and, with BATCH_ROWS, DIR/batch.lua.
write_bodies() {
  python3 - "$1" "${2:-0}" <<'PY'
import json, random, struct, sys
d, rows = sys.argv[1], int(sys.argv[2])
def varint(n):
    out = b''
    while True:
        b, n = n & 0x7f, n >> 7
        out += bytes([b | 0x80]) if n else bytes([b])
        if not n:
            return out
def ld(num, b):
    return varint((num << 3) | 2) + varint(len(b)) + b
curve = [60, 59, 58, 57, 58, 60, 62, 64, 66, 68, 70, 71, 70, 68, 66, 64, 62, 61, 60, 61, 62, 64, 66, 67]
tensor = (ld(1, b'curve') + ld(2, b'FP32') + ld(3, varint(1) + varint(24))
          + ld(5, ld(6, b''.join(struct.pack('<f', v) for v in curve))))
req = ld(1, b'curve_forecaster') + ld(5, tensor)
open(d + '/grpc.bin', 'wb').write(b'\x00' + struct.pack('>I', len(req)) + req)
predict = json.dumps({"model": "curve_forecaster", "input": curve})
open(d + '/predict.json', 'w').write(predict)
def lua(body):
    return ('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
            'wrk.body = [==[' + body + ']==]\n')
open(d + '/predict.lua', 'w').write(lua(predict))
if rows:
    random.seed(1)
    inst = [[round(45 + random.random() * 30, 3) for _ in range(24)] for _ in range(rows)]
    open(d + '/batch.lua', 'w').write(lua(json.dumps({"model": "curve_forecaster", "instances": inst})))
PY
}
