#!/usr/bin/env bash
# Outside check of Triton compatibility: generates Python stubs from Triton's PUBLISHED
# grpc_service.proto and model_config.proto (not ours) and calls every method of
# GRPCInferenceService against a running server, then the REST extension routes; prints what
# worked and the status of what did not.
#
#   tools/triton-outside-check.sh PROTO_DIR [GRPC_TARGET] [HTTP_BASE] [MODEL]
#     PROTO_DIR    a directory holding Triton's grpc_service.proto and model_config.proto
#                  (from triton-inference-server/common, protobuf/); they are not in this repo
#     GRPC_TARGET  host:port of the gRPC listener (default 127.0.0.1:8500, the demo's)
#     HTTP_BASE    base URL of the REST listener (default http://127.0.0.1:8080)
#     MODEL        the model to use (default: the first model the server's stats list, else
#                  curve_forecaster)
#
# Needs Debian's python3-grpc-tools (`apt-get install python3-grpc-tools`); runs
# /usr/bin/python3. Exit status: 0 when the six base methods work, 1 otherwise; the extension
# methods are reported, not judged (a server lists what it implements in ServerMetadata).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
protos="${1:?usage: $0 PROTO_DIR [GRPC_TARGET] [HTTP_BASE] [MODEL]}"
for f in grpc_service.proto model_config.proto; do
  [ -f "$protos/$f" ] || { echo "missing $protos/$f (Triton's published proto)" >&2; exit 2; }
done
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
/usr/bin/python3 -m grpc_tools.protoc -I "$protos" --python_out="$out" --grpc_python_out="$out" \
  grpc_service.proto model_config.proto
PYTHONPATH="$out" exec /usr/bin/python3 "$here/triton_outside_check.py" \
  "${2:-127.0.0.1:8500}" "${3:-http://127.0.0.1:8080}" "${4:-}"
