# Shared by bench/onnx.sh and bench/gpu.sh (source it after bench/lib.sh): a `bin/mlserve serve`
# over a store the script filled, and closed-loop gRPC runs against its models.

# start_serve LOG STORE: starts `bin/mlserve serve` on 127.0.0.1 with free ports; waits up to
# $READY_TIMEOUT s for its ready line; sets DEMO_PID (stopped by lib.sh's stop_demo), GPORT, HPORT.
# DEMO_PREFIX: words run before bin/mlserve (e.g. "taskset -c 1"). Extra mlserve flags: $3...
start_serve() {
  local log="$1"
  local store="$2"; shift 2
  ${DEMO_PREFIX:-} bin/mlserve serve --store "$store" --grpc-port 0 --http-port 0 --bind 127.0.0.1 \
    "$@" >"$log" 2>&1 &
  DEMO_PID=$!
  for _ in $(seq "${READY_TIMEOUT:-300}"); do
    grep -q "ready grpc_port" "$log" && break
    kill -0 "$DEMO_PID" 2>/dev/null || { tail -n 40 "$log" >&2; die "the server exited (see $log)"; }
    sleep 1
  done
  GPORT="$(sed -n 's/^mlserve: ready grpc_port=\([0-9]*\).*/\1/p' "$log")"
  HPORT="$(sed -n 's/^mlserve: ready .*http_port=\([0-9]*\).*/\1/p' "$log")"
  [ -n "$GPORT" ] || die "the server was not ready within ${READY_TIMEOUT:-300}s (see $log)"
  echo "bench: server ready on 127.0.0.1:$GPORT (HTTP $HPORT)" >&2
}

# model_run MODEL ROWS DURATION WARMUP NAME: one closed-loop gRPC run of $CONCURRENCY requests
# of ROWS rows in flight against MODEL; $OUT_DIR/NAME.json and NAME.txt (needs lt_cp).
model_run() {
  # shellcheck disable=SC2086
  java $LOADTEST_JAVA_OPTS -cp "$lt_cp" io.mlserve.loadtest.LoadTest run \
    --target "127.0.0.1:$GPORT" --model "$1" --batch-size "$2" --concurrency "$CONCURRENCY" \
    --duration "$3" --warmup "$4" --slo none --quiet --json "$OUT_DIR/$5.json" >"$OUT_DIR/$5.txt" \
    || die "load on $1 (batch $2) failed: $(tail -n 3 "$OUT_DIR/$5.txt")"
}

# ratio_row MODEL ROWS BASE_NAME|"" NAME: a markdown row of NAME's median req/s, rows/s, p50 and
# p99 over $ROUNDS rounds and, with a BASE_NAME, NAME/BASE_NAME throughput per round (median).
ratio_row() {
  local r ratios ratio="" rps p50 p99
  rps="$(for r in $(seq "$ROUNDS"); do json_field "$OUT_DIR/$4.$r.json" throughput_rps; done | median)"
  p50="$(for r in $(seq "$ROUNDS"); do json_field "$OUT_DIR/$4.$r.json" p50_us; done | median)"
  p99="$(for r in $(seq "$ROUNDS"); do json_field "$OUT_DIR/$4.$r.json" p99_us; done | median)"
  if [ -n "$3" ]; then
    ratios="$(for r in $(seq "$ROUNDS"); do
      awk -v a="$(json_field "$OUT_DIR/$4.$r.json" throughput_rps)" \
        -v b="$(json_field "$OUT_DIR/$3.$r.json" throughput_rps)" 'BEGIN { printf "%.2f\n", a / b }'
    done)"
    ratio="x$(echo "$ratios" | paste -sd ' ' | sed 's/ /, x/g') (median x$(echo "$ratios" | median))"
  fi
  awk -v m="$1" -v b="$2" -v r="$rps" -v a="$p50" -v c="$p99" -v x="$ratio" \
    'BEGIN { printf "| %s (%d) | %.0f | %.0f | %.2f ms | %.2f ms | %s |\n", m, b, r, r * b, a / 1000, c / 1000, x }'
}

# register_promote STORE MODEL ARTIFACT [MANIFEST EXAMPLES]: `bin/mlctl register` as an operator
# would (the format from the file; model.json and examples.json beside the artifact unless
# given), then promote to Production; output to $OUT_DIR/register.log.
register_promote() {
  local more=()
  [ -n "${4:-}" ] && more=(--signature "$4" --examples "$5")
  bin/mlctl --store "$1" register --model "$2" --version 1.0.0 --artifact "$3" "${more[@]}" \
    >>"$OUT_DIR/register.log" 2>&1 || { cat "$OUT_DIR/register.log" >&2; die "register $2 failed"; }
  bin/mlctl --store "$1" promote --model "$2" --version 1.0.0 --stage Production \
    >>"$OUT_DIR/register.log" 2>&1 || { cat "$OUT_DIR/register.log" >&2; die "promote $2 failed"; }
}
