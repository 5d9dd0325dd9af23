#!/usr/bin/env bash
# How soon every replica serves a new Production version: N promotions (default 20), each made
# through a different replica's REST admin API in turn (1.1.0 and 1.0.0 alternately), and for
# each the time from the admin call's answer until every replica's /readyz reports the new
# Production version (polled round-robin over the replicas, about every 10-20 ms). Prints
# each promotion's lag and the distribution. Needs the replicas of deploy/local/up.sh (or
# bench.sh) running: same LOCAL_DIR/HTTP_PORT/REPLICAS variables.
# Usage: deploy/local/propagation.sh [N=20]
set -uo pipefail
n=${1:-20}
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
model=curve_forecaster
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
production() { # production REPLICA: the version /readyz reports for $model
  curl -fsS --max-time 2 "http://127.0.0.1:$((HTTP_PORT + $1))/readyz" 2>/dev/null \
    | grep -o "\"name\":\"$model\",\"version\":\"[^\"]*\"" | sed 's/.*"version":"\([^"]*\)"/\1/'
}
lags=()
for k in $(seq 1 "$n"); do
  if [ $((k % 2)) -eq 1 ]; then target=1.1.0; else target=1.0.0; fi
  via=$(( (k - 1) % REPLICAS + 1 ))
  out="$(curl -sS --max-time 30 -X POST \
    "http://127.0.0.1:$((HTTP_PORT + via))/api/v1/models/$model/versions/$target/promote" \
    -H 'Content-Type: application/json' \
    -d "{\"stage\":\"Production\",\"reason\":\"propagation $k\"}" -w ' %{http_code}')"
  t0=$(now_ms)
  case "$out" in *" 200") ;; *) echo "promotion $k via replica $via failed: $out" >&2; exit 1 ;; esac
  pending=$(seq 1 "$REPLICAS")
  lag=""
  while [ -n "$pending" ]; do
    left=""
    for r in $pending; do
      [ "$(production "$r")" = "$target" ] || left="$left $r"
    done
    pending="$left"
    if [ $(( $(now_ms) - t0 )) -gt 30000 ]; then
      echo "promotion $k: replicas$pending not on $target after 30 s" >&2; exit 1
    fi
  done
  lag=$(( $(now_ms) - t0 ))
  lags+=("$lag")
  echo "promotion $k: $target via replica $via, on all $REPLICAS replicas after $lag ms"
  sleep 0.5
done
printf '%s\n' "${lags[@]}" | sort -n | awk '{ v[NR] = $1 } END {
  printf "lag over %d promotions: min %d ms, p50 %d ms, p90 %d ms, max %d ms\n",
    NR, v[1], v[int((NR + 1) / 2)], v[int(NR * 0.9 + 0.5)], v[NR] }'
