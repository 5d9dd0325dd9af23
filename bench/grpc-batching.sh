#!/usr/bin/env bash
# Reproducible gRPC benchmark behind docs/benchmarks.md: how close mlserve's ModelInfer path
# gets to a bare grpc-java echo server, with dynamic batching on and off.
#
# It starts every server on a free port on 127.0.0.1 and waits for their ready lines, warms each
# with WARMUP of load (the JIT of a server keeps improving for tens of seconds), then runs ROUNDS
# rounds; a round measures each server in turn with a closed-loop load test (loadtest `run`, a
# fresh client JVM warmed for CLIENT_WARMUP). Measuring the servers in alternation, round after
# round, keeps slow drift of the shared machine out of the ratios: the table gives each server's
# median throughput and the median of its per-round ratios to the echo server.
#   echo                 bare grpc-java server answering ModelInfer with its input (the ceiling)
#   mlserve-batching     bin/mlserve demo, batching as the manifest says (max batch 64, delay 0)
#   mlserve-no-batching  bin/mlserve demo --batching off (max batch 1)
#   mlserve-jar-LABEL    as mlserve-batching, but the server classes from $JAR_DIR/LABEL.jar
#                        (a server jar built at another commit: builds compared in one run)
#
# Usage: bench/grpc-batching.sh            (from anywhere; needs java 17 and, if unbuilt, mvn)
# Settings (environment):
#   CONCURRENCY=64 CHANNELS=1 DURATION=15s WARMUP=30s CLIENT_WARMUP=5s ROUNDS=3
#   FEATURES=24 MODEL=curve_forecaster
#   SERVERS="echo mlserve-batching mlserve-no-batching"   (a subset runs only those)
#   JAR_DIR (for mlserve-jar-LABEL)  MLSERVE_ARGS_LABEL (extra flags of mlserve-jar-LABEL only; a
#   label's other characters than letters, digits and _ become _)  OUT_DIR=bench/out  READY_TIMEOUT=300 (seconds a server may take to print its ready line)
#   LOADTEST_JAVA_OPTS="-Xms512m -Xmx512m -XX:+UseParallelGC"  ECHO_JAVA_OPTS=""
#   MLSERVE_ARGS (extra server flags, e.g. "--instances 2")  MLSERVE_JAVA_OPTS (read by bin/mlserve)  MVN=mvn (build command, e.g. "flock /tmp/mvn.lock mvn")
# Server CPU: during each measured run the script reads the server process's CPU time (utime +
# stime of /proc/<pid>/stat, all threads) at CLIENT_WARMUP + 1.5 s and again CPU_WINDOW later
# (default: DURATION - 3 s, inside the measured phase), and divides the CPU rate by the run's
# throughput: server CPU us per request. Per-thread CPU over the same window, grouped by thread
# name, goes to <server>.<round>.threads.txt.
# Results: $OUT_DIR/<server>.<round>.json (loadtest JSON), <server>.<round>.txt (summary),
# <server>.<round>.cpu (CPU us/request), <server>.server.log, and grpc-batching.md (the table
# printed at the end).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

CONCURRENCY="${CONCURRENCY:-64}"
CHANNELS="${CHANNELS:-1}"
DURATION="${DURATION:-15s}"
WARMUP="${WARMUP:-30s}"
CLIENT_WARMUP="${CLIENT_WARMUP:-5s}"
ROUNDS="${ROUNDS:-3}"
FEATURES="${FEATURES:-24}"
MODEL="${MODEL:-curve_forecaster}"
SERVERS="${SERVERS:-echo mlserve-batching mlserve-no-batching}"
OUT_DIR="${OUT_DIR:-$root/bench/out}"
READY_TIMEOUT="${READY_TIMEOUT:-300}"
LOADTEST_JAVA_OPTS="${LOADTEST_JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC}"
ECHO_JAVA_OPTS="${ECHO_JAVA_OPTS:-}"
MVN="${MVN:-mvn}"

pids=()
stores=()

cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  pids=()
  local d
  for d in "${stores[@]}"; do
    rm -rf "$d"
  done
  stores=()
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

die() {
  echo "bench: $*" >&2
  exit 1
}

# --- build (only what is missing) ---------------------------------------------------------
need_server=false
for s in $SERVERS; do
  case "$s" in
    echo) ;;
    mlserve-batching|mlserve-no-batching) need_server=true ;;
    mlserve-jar-*)
      need_server=true
      [ -f "${JAR_DIR:-}/${s#mlserve-jar-}.jar" ] || die "$s: no ${JAR_DIR:-\$JAR_DIR}/${s#mlserve-jar-}.jar"
      ;;
    *) die "unknown server '$s' in SERVERS (echo, mlserve-batching, mlserve-no-batching, mlserve-jar-LABEL)" ;;
  esac
done
if [ ! -d loadtest/target/lib ] || { $need_server && [ ! -d server/target/lib ]; }; then
  echo "bench: building (mvn -B -q -DskipTests package)..." >&2
  $MVN -B -q -DskipTests package >&2
fi
loadtest_jar="$(ls loadtest/target/mlserve-loadtest-*.jar 2>/dev/null \
  | grep -v -e '-tests.jar' -e '-sources.jar' | head -n 1 || true)"
[ -n "$loadtest_jar" ] || die "no loadtest/target/mlserve-loadtest-*.jar after the build"
loadtest_cp="$loadtest_jar:loadtest/target/lib/*"

mkdir -p "$OUT_DIR"

# --- servers: start each, wait for "<who>: ready grpc_port=N" --------------------------------
# start_server NAME LOG COMMAND...  records the pid and sets port_of[NAME].
declare -A port_of
declare -A pid_of
start_server() {
  local name="$1" log="$2"
  shift 2
  # The log exists before the wait below reads it (the child opens its redirect only once it
  # runs, and a failed read would end this script under set -e -o pipefail).
  : >"$log"
  "$@" >"$log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  local deadline=$((SECONDS + READY_TIMEOUT))
  local port=""
  while [ -z "$port" ]; do
    port="$(sed -n 's/^[a-z]*: ready grpc_port=\([0-9][0-9]*\).*$/\1/p' "$log" | head -n 1)"
    [ -n "$port" ] && break
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 40 "$log" >&2
      die "$name exited before its ready line (log: $log)"
    fi
    [ "$SECONDS" -lt "$deadline" ] || die "no ready line from $name within ${READY_TIMEOUT}s (log: $log)"
    sleep 0.2
  done
  port_of[$name]="$port"
  pid_of[$name]="$pid"
  echo "bench: $name ready on 127.0.0.1:$port" >&2
}

for s in $SERVERS; do
  log="$OUT_DIR/$s.server.log"
  case "$s" in
    echo)
      # shellcheck disable=SC2086  # word splitting of the opts is intended
      start_server "$s" "$log" java $ECHO_JAVA_OPTS -cp "$loadtest_cp" \
        io.mlserve.loadtest.EchoServer --port 0 --bind 127.0.0.1
      ;;
    mlserve-batching|mlserve-no-batching|mlserve-jar-*)
      store="$(mktemp -d "${TMPDIR:-/tmp}/mlserve-bench-store.XXXXXX")"
      stores+=("$store")
      batching=on
      [ "$s" = mlserve-no-batching ] && batching=off
      cp=""
      extra=""
      if [[ "$s" == mlserve-jar-* ]]; then
        cp="$JAR_DIR/${s#mlserve-jar-}.jar:$root/server/target/lib/*"
        # Per-build flags: MLSERVE_ARGS_<LABEL> (other characters of the label as _).
        label="${s#mlserve-jar-}"
        extra_var="MLSERVE_ARGS_${label//[^A-Za-z0-9_]/_}"
        extra="${!extra_var:-}"
      fi
      # shellcheck disable=SC2086
      MLSERVE_CLASSPATH="${cp:-${MLSERVE_CLASSPATH:-}}" start_server "$s" "$log" bin/mlserve demo --grpc-port 0 --http-port 0 --bind 127.0.0.1 \
        --store "$store" --batching "$batching" ${MLSERVE_ARGS:-} $extra
      ;;
  esac
done

json_field() { # FILE FIELD -> the value of a numeric field of our one-field-per-line JSON
  sed -n "s/^  \"$2\": \([0-9.]*\),\$/\1/p" "$1"
}
# seconds of a duration given as N or Ns
secs() { echo "${1%s}"; }
# proc_ticks PID: CPU clock ticks (user + system) the process has used, all threads
proc_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
# thread_ticks PID: "name ticks" per live thread (digits stripped from names, so pools group)
thread_ticks() {
  local t
  for t in /proc/"$1"/task/*/stat; do
    sed -n 's/^[0-9]* (\(.*\)) [A-Za-z] \(.*\)$/\1 \2/p' "$t" 2>/dev/null \
      | awk '{ n = $1; for (i = 2; i <= NF - 49; i++) n = n "_" $i; gsub(/[0-9]+/, "N", n);
               t = NF - 49; print n, $(t + 11) + $(t + 12) }'
  done
}
CLK_TCK="$(getconf CLK_TCK)"
CPU_WINDOW="${CPU_WINDOW:-$(( $(secs "$DURATION") - 3 ))}"

# load NAME DURATION WARMUP JSON TXT [CPU]: one closed-loop run against a server; returns its
# exit code. With CPU (a file), writes the server's CPU us per request over a window inside the
# measured phase to it, and the per-thread split to CPU's .threads.txt twin.
load() {
  # shellcheck disable=SC2086
  java $LOADTEST_JAVA_OPTS -cp "$loadtest_cp" io.mlserve.loadtest.LoadTest run \
    --target "127.0.0.1:${port_of[$1]}" --model "$MODEL" --features "$FEATURES" \
    --concurrency "$CONCURRENCY" --channels "$CHANNELS" \
    --duration "$2" --warmup "$3" --slo none --json "$4" >"$5" &
  local lp=$! rc=0
  if [ -n "${6:-}" ]; then
    local pid="${pid_of[$1]}" t0 t1 th0 th1
    sleep "$(awk -v w="$(secs "$3")" 'BEGIN { print w + 1.5 }')"
    t0="$(proc_ticks "$pid")"
    th0="$(thread_ticks "$pid")"
    sleep "$CPU_WINDOW"
    t1="$(proc_ticks "$pid")"
    th1="$(thread_ticks "$pid")"
    wait "$lp" || rc=$?
    if [ "$rc" -eq 0 ]; then
      local rps
      rps="$(json_field "$4" throughput_rps)"
      awk -v d="$((t1 - t0))" -v hz="$CLK_TCK" -v w="$CPU_WINDOW" -v rps="$rps" \
        'BEGIN { printf "%.1f\n", d / hz / w * 1e6 / rps }' >"$6"
      # the same without the JIT compiler threads (warm-up work, not the request path's)
      local jit
      jit="$(awk 'FNR == NR { if ($1 ~ /CompilerThre/) a += $2; next }
                  { if ($1 ~ /CompilerThre/) b += $2 } END { print b - a }' \
        <(echo "$th0") <(echo "$th1"))"
      awk -v d="$((t1 - t0 - jit))" -v hz="$CLK_TCK" -v w="$CPU_WINDOW" -v rps="$rps" \
        'BEGIN { printf "%.1f\n", d / hz / w * 1e6 / rps }' >"${6%.cpu}.nojit"
      # per thread group: CPU us per request over the same window (threads alive at both ends)
      awk -v hz="$CLK_TCK" -v w="$CPU_WINDOW" -v rps="$rps" '
        FNR == NR { a[$1] += $2; next } { b[$1] += $2 }
        END { for (k in b) if ((b[k] - a[k]) > 0) printf "%-40s %6.2f us/request\n", k,
              (b[k] - a[k]) / hz / w * 1e6 / rps }' <(echo "$th0") <(echo "$th1") \
        | sort -k2 -g -r >"${6%.cpu}.threads.txt"
    fi
    return "$rc"
  fi
  wait "$lp" || rc=$?
  return "$rc"
}

for s in $SERVERS; do
  echo "bench: warming $s for $WARMUP" >&2
  load "$s" "$WARMUP" 0s "$OUT_DIR/$s.warmup.json" "$OUT_DIR/$s.warmup.txt" \
    || die "warm-up of $s failed (see $OUT_DIR/$s.warmup.txt)"
done

declare -A rc_of
for r in $(seq "$ROUNDS"); do
  for s in $SERVERS; do
    rm -f "$OUT_DIR/$s.$r.json" "$OUT_DIR/$s.$r.cpu" "$OUT_DIR/$s.$r.nojit"
    rc=0
    load "$s" "$DURATION" "$CLIENT_WARMUP" "$OUT_DIR/$s.$r.json" "$OUT_DIR/$s.$r.txt" \
      "$OUT_DIR/$s.$r.cpu" || rc=$?
    [ "$rc" -eq 0 ] || rc_of[$s]=$rc
    echo "bench: round $r/$ROUNDS $s: $(grep -m 1 'throughput' "$OUT_DIR/$s.$r.txt" \
      | sed 's/^ *//'), server CPU $(cat "$OUT_DIR/$s.$r.cpu" 2>/dev/null || echo '?') us/request" \
      "($(cat "$OUT_DIR/$s.$r.nojit" 2>/dev/null || echo '?') without JIT threads)" >&2
  done
done
cleanup

# --- report -------------------------------------------------------------------------------
ms() { awk -v us="$1" 'BEGIN { printf "%.2f ms", us / 1000 }'; }

label() {
  case "$1" in
    echo) echo "echo (bare grpc-java, no model)" ;;
    mlserve-batching) echo "mlserve, batching on (max batch 64, delay 0)" ;;
    mlserve-no-batching) echo "mlserve, batching off" ;;
    mlserve-jar-*)
      local v="MLSERVE_ARGS_${1#mlserve-jar-}"
      v="${v//[^A-Za-z0-9_]/_}"
      echo "mlserve ${1#mlserve-jar-}, batching on${!v:+ (${!v})}" ;;
  esac
}

# median of the numbers on stdin (one per line)
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit; print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# rps_of NAME ROUND -> that round's throughput (empty when the run failed)
rps_of() {
  [ -f "$OUT_DIR/$1.$2.json" ] && json_field "$OUT_DIR/$1.$2.json" throughput_rps
}

# cpu_of NAME ROUND [EXT] -> the server's CPU us per request in that round (EXT nojit: without
# the JIT compiler threads)
cpu_of() { cat "$OUT_DIR/$1.$2.${3:-cpu}" 2>/dev/null; }

cpu_model="$(grep -m 1 '^model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"
{
  echo "### gRPC ModelInfer, closed loop, $CONCURRENCY in flight over $CHANNELS channel(s)"
  echo
  echo "| server | throughput req/s (median of $ROUNDS) | % of echo: median (each round) | p50 | p99 | server CPU µs/request: median (each round) | x echo's: median (each round) | without JIT threads: µs/request | x echo's |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  for s in $SERVERS; do
    if [ -n "${rc_of[$s]:-}" ]; then
      echo "| $(label "$s") | FAILED (exit ${rc_of[$s]}, see $OUT_DIR/$s.*.txt) | | | | | | | |"
      continue
    fi
    rps="$(for r in $(seq "$ROUNDS"); do rps_of "$s" "$r"; done | median)"
    # the round whose throughput is closest to the median gives the latencies
    best=1
    for r in $(seq "$ROUNDS"); do
      if awk -v a="$(rps_of "$s" "$r")" -v b="$(rps_of "$s" "$best")" -v m="$rps" \
          'BEGIN { d1 = a - m; d2 = b - m; exit !((d1 < 0 ? -d1 : d1) < (d2 < 0 ? -d2 : d2)) }'; then
        best=$r
      fi
    done
    pct="n/a"
    ratios=""
    if [[ " $SERVERS " == *" echo "* ]] && [ -z "${rc_of[echo]:-}" ]; then
      ratios="$(for r in $(seq "$ROUNDS"); do
        awk -v a="$(rps_of "$s" "$r")" -v b="$(rps_of echo "$r")" 'BEGIN { printf "%.0f\n", 100 * a / b }'
      done)"
      pct="$(echo "$ratios" | median)%"
      [ "$ROUNDS" -gt 1 ] && pct="$pct ($(echo "$ratios" | paste -sd ' ' | sed 's/ /, /g'))"
    fi
    cpu_cells=""
    for ext in cpu nojit; do
      cpus="$(for r in $(seq "$ROUNDS"); do cpu_of "$s" "$r" "$ext"; done)"
      cpu="$(echo "$cpus" | median)"
      [ "$ROUNDS" -gt 1 ] && cpu="$cpu ($(echo "$cpus" | paste -sd ' ' | sed 's/ /, /g'))"
      xcpu="n/a"
      if [[ " $SERVERS " == *" echo "* ]] && [ -z "${rc_of[echo]:-}" ]; then
        xs="$(for r in $(seq "$ROUNDS"); do
          awk -v a="$(cpu_of "$s" "$r" "$ext")" -v b="$(cpu_of echo "$r" "$ext")" \
            'BEGIN { printf "%.2f\n", a / b }'
        done)"
        xcpu="$(echo "$xs" | median)"
        [ "$ROUNDS" -gt 1 ] && xcpu="$xcpu ($(echo "$xs" | paste -sd ' ' | sed 's/ /, /g'))"
      fi
      cpu_cells="$cpu_cells | $cpu | $xcpu"
    done
    f="$OUT_DIR/$s.$best.json"
    echo "| $(label "$s") | $(awk -v r="$rps" 'BEGIN { printf "%.0f", r }') | $pct" \
      "| $(ms "$(json_field "$f" p50_us)") | $(ms "$(json_field "$f" p99_us)")$cpu_cells |"
  done
  echo
  echo "- Machine: $(nproc) CPUs, ${cpu_model:-unknown CPU}; $(uname -sr)"
  echo "- JDK: $(java -version 2>&1 | head -n 1)"
  echo "- Date: $(date -u +%Y-%m-%dT%H:%M:%SZ); commit $(git rev-parse --short HEAD 2>/dev/null \
    || echo unknown)"
  echo "- Load: model $MODEL, one FP32 row [1,$FEATURES] per request (typed contents)," \
    "$CONCURRENCY requests in flight, $CHANNELS channel(s); each server warmed with $WARMUP of" \
    "load, then $ROUNDS rounds of $DURATION measured per server (client warm-up $CLIENT_WARMUP)," \
    "servers in alternation; loadtest JVM: $LOADTEST_JAVA_OPTS"
  echo "- Server CPU: utime + stime of the server process over ${CPU_WINDOW} s inside each" \
    "measured run, divided by the run's throughput (per-thread split: bench/out/*.threads.txt);" \
    "'without JIT threads' leaves out the C1/C2 compiler threads' CPU over the same window"
  echo "- Client and server run on the same machine and share its $(nproc) cores, so each" \
    "number is a ratio against the echo server under the same conditions, not a capacity claim."
  echo "- Reproduce: bench/grpc-batching.sh (JSON per server and round in bench/out/)"
} | tee "$OUT_DIR/grpc-batching.md"

for s in $SERVERS; do
  [ -z "${rc_of[$s]:-}" ] || exit 1
done
