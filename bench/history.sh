#!/usr/bin/env bash
# The dashboard history's sampler: CPU per tick with 20 models x 3 versions of fixture metrics
# (fed directly, no engine) and the bytes per day its history takes on disk, at 10 s and 1 min.
# Needs the server's test classes (any server test run builds them). Usage:
#   flock /tmp/mvn.lock bench/history.sh [SECONDS=3600] [REQUESTS_PER_VERSION_PER_SECOND=50]
set -euo pipefail
cd "$(dirname "$0")/.."
cp_file="$(mktemp)"
trap 'rm -f "$cp_file"' EXIT
mvn -B -q -o -pl server dependency:build-classpath -Dmdep.outputFile="$cp_file" \
  -Dmdep.includeScope=test > /dev/null
cp="server/target/test-classes:server/target/classes:registry-admin/target/classes:proto/target/classes:$(cat "$cp_file")"
java -cp "$cp" io.mlserve.server.history.HistoryBench "${1:-3600}" "${2:-50}"
