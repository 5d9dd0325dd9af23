#!/usr/bin/env bash
# Runs every command of README.md's fenced bash blocks, in order, against one `bin/mlserve demo`,
# and fails if any exits non-zero. Run by `mvn -B verify` (loadtest's ReadmeCommandsIT) and on
# its own: .ci/readme-commands.sh [README.md]
#
# - The demo is started here with free ports (--grpc-port 0 --http-port 0) on 127.0.0.1 and
#   --store models, in a scratch directory that mirrors the repository through symlinks, so
#   that `--store models` in the README is the demo's store and nothing is written to the
#   checkout. The one rewrite of a command: localhost:8500 and localhost:8080 become the bound
#   ports.
# - A command is the lines up to where bash sees a complete command (continuations, quotes
#   spanning lines); comment-only lines are dropped. Blocks are ```bash or ```sh, indented or not.
# - The commands that cannot run here are in SKIP below, each with its reason, and are printed
#   as SKIP. Everything else runs with a timeout of $README_CMD_TIMEOUT seconds (default 90).
# - Bounded: the demo must be ready within $README_DEMO_WAIT seconds (default 120); on exit the
#   demo is stopped (SIGTERM, then SIGKILL after 20 s) and the scratch directory removed.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readme="${1:-$root/README.md}"
cmd_timeout="${README_CMD_TIMEOUT:-90}"
demo_wait="${README_DEMO_WAIT:-120}"

# Commands that cannot run in a test: an extended regex on the command's text, then the reason.
SKIP=(
  '^bin/mlserve demo([[:space:]]|$)'  'long-running server: this script starts the demo itself (free ports, --store models)'
  '^bin/mlserve serve([[:space:]]|$)' 'long-running server (runs until Ctrl-C); the demo stands in for it'
  '^mvn([[:space:]]|$)'               'the build itself: this script runs inside `mvn -B verify`'
  '^docker([[:space:]]|$)'            'needs Docker and the image `docker build` makes (minutes): not part of the test suite'
  '[[:space:]]--follow([[:space:]]|$)' 'follows the event stream until Ctrl-C'
  '^kubectl (apply|rollout|get|port-forward)([[:space:]]|$)' 'needs a Kubernetes cluster (none is reachable from the test suite)'
  '^helm([[:space:]]|$)'              'needs Helm and a Kubernetes cluster'
  '^deploy/local/'                    'starts 3 replicas and HAProxy on fixed ports for minutes: run by hand (docs/benchmarks.md has its figures)'
)
if ! command -v kubectl >/dev/null 2>&1; then
  SKIP+=('^kubectl([[:space:]]|$)' 'kubectl is not installed on this machine')
fi
if ! command -v grpcurl >/dev/null 2>&1; then
  SKIP+=('^grpcurl([[:space:]]|$)' 'grpcurl is not installed on this machine')
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/mlserve-readme.XXXXXX")"
demo_pid=""
cleanup() {
  if [ -n "$demo_pid" ] && kill -0 "$demo_pid" 2>/dev/null; then
    kill -TERM "$demo_pid" 2>/dev/null
    for _ in $(seq 1 40); do
      kill -0 "$demo_pid" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$demo_pid" 2>/dev/null; then
      echo "readme: the demo did not stop within 20 s of SIGTERM; killing it" >&2
      kill -KILL "$demo_pid" 2>/dev/null
    fi
    wait "$demo_pid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The scratch directory: every top-level entry of the repository, linked; `models` is the demo's.
mkdir -p "$work/run"
for entry in "$root"/*; do
  name="$(basename "$entry")"
  [ "$name" = models ] || ln -s "$entry" "$work/run/$name"
done
cd "$work/run" || exit 1

# --- the commands ---------------------------------------------------------------------------
commands=()
extract() {
  local in_block=0 indent="" pending="" line stripped
  while IFS= read -r line || [ -n "$line" ]; do
    if [ "$in_block" = 0 ]; then
      if [[ "$line" =~ ^([[:space:]]*)\`\`\`(bash|sh|shell)[[:space:]]*$ ]]; then
        in_block=1
        indent="${BASH_REMATCH[1]}"
        pending=""
      fi
      continue
    fi
    if [[ "$line" =~ ^[[:space:]]*\`\`\`[[:space:]]*$ ]]; then
      if [ -n "$pending" ]; then
        echo "readme: unterminated command at the end of a block: $pending" >&2
        return 1
      fi
      in_block=0
      continue
    fi
    stripped="${line#"$indent"}"
    if [ -z "$pending" ]; then
      [[ "$stripped" =~ ^[[:space:]]*(#|$) ]] && continue
      pending="$stripped"
    else
      pending="$pending"$'\n'"$stripped"
    fi
    # Complete when it does not end in a continuation and bash parses it.
    if [[ ! "$pending" =~ \\$ ]] && bash -n -c "$pending" 2>/dev/null; then
      commands+=("$pending")
      pending=""
    fi
  done < "$readme"
  if [ "$in_block" = 1 ]; then
    echo "readme: a fenced block is not closed" >&2
    return 1
  fi
}
extract || exit 1
if [ "${#commands[@]}" -eq 0 ]; then
  echo "readme: no commands found in $readme" >&2
  exit 1
fi

skip_reason() {
  local i
  for ((i = 0; i < ${#SKIP[@]}; i += 2)); do
    if [[ "$1" =~ ${SKIP[i]} ]]; then
      echo "${SKIP[i + 1]}"
      return 0
    fi
  done
  return 1
}

# --- the demo -------------------------------------------------------------------------------
unset MLSERVE_ADMIN_TOKEN MLSERVE_STORE
demo_log="$work/demo.log"
bin/mlserve demo --grpc-port 0 --http-port 0 --bind 127.0.0.1 --store models >"$demo_log" 2>&1 &
demo_pid=$!
grpc_port="" http_port=""
for _ in $(seq 1 $((demo_wait * 2))); do
  if read -r grpc_port http_port < <(sed -n \
      's/^mlserve: ready grpc_port=\([0-9]*\) http_port=\([0-9]*\)$/\1 \2/p' "$demo_log"); then
    [ -n "$grpc_port" ] && break
  fi
  if ! kill -0 "$demo_pid" 2>/dev/null; then
    echo "readme: the demo exited before it was ready:" >&2
    cat "$demo_log" >&2
    exit 1
  fi
  sleep 0.5
done
if [ -z "$grpc_port" ]; then
  echo "readme: the demo was not ready within ${demo_wait} s:" >&2
  cat "$demo_log" >&2
  exit 1
fi
echo "readme: demo ready (gRPC $grpc_port, HTTP $http_port); ${#commands[@]} commands from $readme"

# --- run them -------------------------------------------------------------------------------
failed=0 ran=0 skipped=0 n=0
for cmd in "${commands[@]}"; do
  n=$((n + 1))
  first_line="${cmd%%$'\n'*}"
  if reason="$(skip_reason "$cmd")"; then
    skipped=$((skipped + 1))
    echo "SKIP [$n] $first_line"
    echo "          reason: $reason"
    continue
  fi
  run="${cmd//localhost:8500/localhost:$grpc_port}"
  run="${run//localhost:8080/localhost:$http_port}"
  ran=$((ran + 1))
  log="$work/cmd-$n.log"
  start=$SECONDS
  timeout -k 5 "$cmd_timeout" bash -c "$run" >"$log" 2>&1 </dev/null
  rc=$?
  took=$((SECONDS - start))
  if [ "$rc" = 0 ]; then
    echo "PASS [$n] (${took}s) $first_line"
  else
    failed=$((failed + 1))
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
      echo "FAIL [$n] timed out after ${cmd_timeout}s: $cmd"
    else
      echo "FAIL [$n] exit $rc: $cmd"
    fi
    sed 's/^/          | /' "$log" | tail -n 40
  fi
  if ! kill -0 "$demo_pid" 2>/dev/null; then
    echo "readme: the demo died during command $n:" >&2
    tail -n 40 "$demo_log" >&2
    exit 1
  fi
done

echo "readme: $ran ran, $((ran - failed)) passed, $failed failed, $skipped skipped (reasons above)"
[ "$failed" = 0 ]
