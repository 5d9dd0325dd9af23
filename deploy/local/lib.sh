# Functions shared by deploy/local/up.sh and deploy/local/bench.sh: N mlserve replicas on one
# store, on loopback, behind HAProxy. Source it; set the variables below first if the defaults
# do not suit.
#   LOCAL_DIR  run directory: store, logs, haproxy.cfg, pids (default: deploy/local/run)
#   REPLICAS   number of replicas (default 3)
#   GRPC_PORT / HTTP_PORT  the balancer's ports (default 8500 / 8080); replica i listens on
#              GRPC_PORT+i and HTTP_PORT+i
#   DRAIN_DELAY  each replica's --drain-delay-seconds (default 2: 4 health checks of 500 ms)
# HAProxy's statistics page (CSV: append ;csv) is on 127.0.0.1:HTTP_PORT+99.
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOCAL_DIR="${LOCAL_DIR:-$home/deploy/local/run}"
REPLICAS="${REPLICAS:-3}"
GRPC_PORT="${GRPC_PORT:-8500}"
HTTP_PORT="${HTTP_PORT:-8080}"
DRAIN_DELAY="${DRAIN_DELAY:-2}"
STORE="$LOCAL_DIR/store"

local_log() { echo "local: $*" >&2; }

# Starts replica $1 (1-based) in the background; its log is $LOCAL_DIR/replica-$1.log.
start_replica() {
  local i=$1
  mkdir -p "$LOCAL_DIR"
  # Every replica runs the demo command on the same store: the first creates it, the others
  # serve it as it is (and so the same flags and intervals apply to all of them).
  setsid "$home/bin/mlserve" demo --store "$STORE" --bind 127.0.0.1 \
    --grpc-port $((GRPC_PORT + i)) --http-port $((HTTP_PORT + i)) \
    --drain-delay-seconds "$DRAIN_DELAY" >"$LOCAL_DIR/replica-$i.log" 2>&1 &
  echo $! >"$LOCAL_DIR/replica-$i.pid"
  disown $! 2>/dev/null || true # stop_replica waits for it; no "Killed" notice from the shell
}

# Waits until replica $1 answers /readyz with 200 (at most $2 seconds, default 180).
wait_ready() {
  local i=$1 limit=${2:-180} t=0
  while [ "$t" -lt $((limit * 2)) ]; do
    if curl -fsS -o /dev/null "http://127.0.0.1:$((HTTP_PORT + i))/readyz" 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "$(cat "$LOCAL_DIR/replica-$i.pid")" 2>/dev/null; then
      local_log "replica $i exited; its log:"; tail -n 20 "$LOCAL_DIR/replica-$i.log" >&2
      return 1
    fi
    sleep 0.5; t=$((t + 1))
  done
  local_log "replica $i not ready after ${limit}s"; return 1
}

# Stops replica $1 with signal $2 (TERM: graceful; KILL) and waits for it to exit (60 s).
stop_replica() {
  local i=$1 sig=${2:-TERM} pid
  pid="$(cat "$LOCAL_DIR/replica-$i.pid" 2>/dev/null || true)"
  [ -n "$pid" ] || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  for _ in $(seq 1 120); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    local_log "replica $i did not exit after SIG$sig; killing it"; kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$LOCAL_DIR/replica-$i.pid"
}

# Writes $LOCAL_DIR/haproxy.cfg: gRPC (HTTP/2 cleartext, balanced per request) and HTTP, both
# health-checked through each replica's /readyz over HTTP/1.1 (the gRPC servers' checks need
# `check-proto h1` on the server line: with `proto h2` alone HAProxy 2.6 speaks HTTP/2 to the
# REST port and the check fails with "Socket error"), and starts HAProxy in the background.
start_haproxy() {
  command -v haproxy >/dev/null 2>&1 || {
    local_log "haproxy is not installed (Debian: apt-get install haproxy)"; return 1; }
  local cfg="$LOCAL_DIR/haproxy.cfg" i
  {
    cat <<CFG
global
    maxconn 4096
    log stderr format short local0 notice

defaults
    mode http
    log global
    option httplog
    timeout connect 1s
    timeout client 60s
    timeout server 60s
    # A request refused or cut off by a replica that is stopping or died (connection refused,
    # closed or reset before any answer, 503) is sent again to another replica.
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response junk-response 503
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter 500ms fastinter 250ms downinter 500ms fall 1 rise 2

# HAProxy's own counters (CSV at /;csv): retries, redispatches, errors per replica.
listen stats
    bind 127.0.0.1:$((HTTP_PORT + 99))
    stats enable
    stats uri /
    stats refresh 5s

frontend grpc
    bind 127.0.0.1:$GRPC_PORT proto h2
    default_backend replicas_grpc

frontend http
    bind 127.0.0.1:$HTTP_PORT
    default_backend replicas_http

backend replicas_grpc
    balance roundrobin
CFG
    for i in $(seq 1 "$REPLICAS"); do
      echo "    server r$i 127.0.0.1:$((GRPC_PORT + i)) proto h2 check port $((HTTP_PORT + i)) check-proto h1"
    done
    printf '\nbackend replicas_http\n    balance roundrobin\n'
    for i in $(seq 1 "$REPLICAS"); do
      echo "    server r$i 127.0.0.1:$((HTTP_PORT + i)) check"
    done
  } >"$cfg"
  haproxy -c -q -f "$cfg" >/dev/null 2>&1 || { haproxy -c -f "$cfg" >&2; return 1; }
  setsid haproxy -f "$cfg" -db >"$LOCAL_DIR/haproxy.log" 2>&1 &
  echo $! >"$LOCAL_DIR/haproxy.pid"
}

stop_haproxy() {
  local pid
  pid="$(cat "$LOCAL_DIR/haproxy.pid" 2>/dev/null || true)"
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
  rm -f "$LOCAL_DIR/haproxy.pid"
}

# Starts everything: replica 1 first (it creates the store), then the others and HAProxy.
start_all() {
  mkdir -p "$LOCAL_DIR"
  start_replica 1 && wait_ready 1 || return 1
  for i in $(seq 2 "$REPLICAS"); do start_replica "$i"; done
  for i in $(seq 2 "$REPLICAS"); do wait_ready "$i" || return 1; done
  start_haproxy || return 1
  for _ in $(seq 1 40); do
    curl -fsS -o /dev/null "http://127.0.0.1:$HTTP_PORT/readyz" 2>/dev/null && return 0
    sleep 0.25
  done
  local_log "HAProxy does not answer on $HTTP_PORT"; return 1
}

stop_all() {
  stop_haproxy
  for i in $(seq 1 "$REPLICAS"); do stop_replica "$i" TERM & done
  wait
}
