#!/usr/bin/env bash
# The dashboard history's sampler: CPU per tick with 20 models x 3 versions of fixture metrics
# (fed directly, no engine) and the bytes per day its history takes on disk, at 10 s and 1 min.
# Uses the classes and the test classpath of a server test run of the history package, e.g.
#   flock /tmp/mvn.lock mvn -B -q -o -pl server -am test -Dtest=MetricsSamplerTest \
#     -Dsurefire.failIfNoSpecifiedTests=false
# then: bench/history.sh [SECONDS=3600] [REQUESTS_PER_VERSION_PER_SECOND=50]
set -euo pipefail
cd "$(dirname "$0")/.."
report=server/target/surefire-reports/TEST-io.mlserve.server.history.MetricsSamplerTest.xml
if [ ! -f "$report" ]; then
  echo "history bench: run the server's MetricsSamplerTest first (see the header)" >&2
  exit 2
fi
cp="$(/usr/bin/python3 -c 'import re,sys; print(re.search(r"name=\"surefire.test.class.path\" value=\"([^\"]*)\"", open(sys.argv[1]).read()).group(1))' "$report")"
java -cp "$cp" io.mlserve.server.history.HistoryBench "${1:-3600}" "${2:-50}"
