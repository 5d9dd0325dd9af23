#!/usr/bin/env bash
# Steady gRPC load through HAProxy in front of 3 replicas on one store, while
#   (a) 10 promotions happen (loadtest reload: 5 x promote 1.1.0 to Production + roll back),
#   (b) one replica is stopped gracefully (SIGTERM, --drain-delay-seconds) and restarted,
#   (c) one replica is killed with SIGKILL and restarted;
# between (a) and (b), 20 promotions through each replica in turn, timed until all serve them
# (deploy/local/propagation.sh);
# and reports the failed requests of each phase. Needs haproxy and curl (Debian packages).
# Usage: deploy/local/bench.sh [RATE=300] [PHASE_SECONDS=40]
# Output: bench/out/local-<time>/ (summary.txt, each phase's loadtest report, replica logs).
set -uo pipefail
rate=${1:-300}
phase=${2:-40}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export LOCAL_DIR="$root/bench/out/local-$(date -u +%Y%m%dT%H%M%S)"
export GRPC_PORT="${GRPC_PORT:-18500}" HTTP_PORT="${HTTP_PORT:-18080}"
source "$root/deploy/local/lib.sh"
mkdir -p "$LOCAL_DIR"
summary="$LOCAL_DIR/summary.txt"
trap 'stop_all' EXIT

field() { # field FILE NAME: a top-level number from a loadtest result.json
  sed -n "s/^  \"$2\": \([0-9.]*\).*/\1/p" "$1" | head -n 1
}
report() { # report NAME DIR
  local r="$2/result.json"
  if [ ! -f "$r" ]; then echo "$1: no result ($2)" | tee -a "$summary"; return; fi
  printf '%-34s requests %8s  failed %5s  errors %s\n' "$1" "$(field "$r" requests)" \
    "$(field "$r" failed)" "$(sed -n 's/^  "errors": \(.*\),$/\1/p' "$r")" | tee -a "$summary"
}

start_all || { local_log "start failed; logs in $LOCAL_DIR"; exit 1; }
target="grpc://127.0.0.1:$GRPC_PORT"
echo "rate $rate req/s, phases of ${phase}s, $REPLICAS replicas behind HAProxy ($target)" \
  | tee "$summary"
"$root/bin/loadtest" run --target "$target" --rate "$rate" --duration 10s --warmup 2s \
  --slo none --max-lag 2s --out "$LOCAL_DIR/warmup" >/dev/null 2>&1

# (a) promotions through the balancer (each admin call lands on some replica; all follow the log).
"$root/bin/loadtest" reload --target "$target" --rate "$rate" --promote-version 1.1.0 \
  --cycles 5 --interval 3s --max-lag 2s --out "$LOCAL_DIR/a-promotions" \
  >"$LOCAL_DIR/a-promotions.txt" 2>&1
report "(a) 10 promotions" "$LOCAL_DIR/a-promotions"

# Propagation: 20 promotions, each through another replica's admin API, until all serve it.
"$root/deploy/local/propagation.sh" 20 >"$LOCAL_DIR/propagation.txt" 2>&1
tail -n 1 "$LOCAL_DIR/propagation.txt" | sed 's/^/propagation: /' | tee -a "$summary"

# (b) and (c): one replica stopped 10 s into a steady run, restarted at once.
disrupt() { # disrupt NAME REPLICA SIGNAL
  local dir="$LOCAL_DIR/$1"
  "$root/bin/loadtest" run --target "$target" --rate "$rate" --duration "${phase}s" \
    --warmup 1s --slo none --max-lag 2s --out "$dir" >"$dir.txt" 2>&1 &
  local lt=$!
  sleep 10
  local t0; t0=$(date +%s.%N)
  stop_replica "$2" "$3"
  start_replica "$2"
  wait_ready "$2" 240
  echo "$1: replica $2 SIG$3 at +10 s, ready again after $(echo "$(date +%s.%N) - $t0" | bc) s" \
    >>"$summary"
  wait "$lt"
}
disrupt b-sigterm 2 TERM
report "(b) SIGTERM + restart of replica 2" "$LOCAL_DIR/b-sigterm"
disrupt c-sigkill 3 KILL
report "(c) SIGKILL + restart of replica 3" "$LOCAL_DIR/c-sigkill"
# HAProxy's counters over the whole run: what it retried or sent elsewhere hides from clients.
stats="$(curl -fsS "http://127.0.0.1:$((HTTP_PORT + 99))/;csv" 2>/dev/null)"
echo "$stats" >"$LOCAL_DIR/haproxy-stats.csv"
echo "$stats" | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
  $2 == "BACKEND" { printf "haproxy %-14s requests %s  connection errors %s  response errors %s  retries %s  redispatches %s\n",
    $1, $col["stot"], $col["econ"], $col["eresp"], $col["wretr"], $col["wredis"] }' | tee -a "$summary"
echo "summary: $summary"
