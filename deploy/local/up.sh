#!/usr/bin/env bash
# Starts 3 mlserve replicas on one store (deploy/local/run/store, the demo's models) on loopback
# and HAProxy in front of them: gRPC on 127.0.0.1:8500 (balanced per request over HTTP/2) and
# HTTP on 127.0.0.1:8080, each replica health-checked through /readyz every 500 ms. Runs until
# Ctrl-C, then stops everything gracefully. The README's commands work against it as against
# one demo. Variables: see deploy/local/lib.sh (REPLICAS, GRPC_PORT, HTTP_PORT, LOCAL_DIR).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'stop_all; local_log "stopped"' EXIT
trap 'exit 0' INT TERM
start_all
local_log "ready: gRPC 127.0.0.1:$GRPC_PORT, HTTP 127.0.0.1:$HTTP_PORT -> $REPLICAS replicas" \
  "(gRPC $((GRPC_PORT + 1))..$((GRPC_PORT + REPLICAS)), HTTP $((HTTP_PORT + 1))..$((HTTP_PORT + REPLICAS)));" \
  "store $STORE; logs in $LOCAL_DIR; Ctrl-C stops"
while :; do sleep 1; done
