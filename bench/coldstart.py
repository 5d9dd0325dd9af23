"""Cold start of `bin/mlserve demo`: process start to the first 200 answer (see bench/coldstart.sh).

Starts the launcher, polls POST /api/v1/predict every ~10 ms on one kept-alive connection (a
refused or reset connection is retried on a new one), and records, relative to the moment the
launcher is spawned: each line the server prints (for the breakdown), the first 200 answer, and
the ready line. Then stops the server (SIGTERM, SIGKILL after 20 s) before the next run.

usage: coldstart.py OUT_DIR ROUNDS MODE[,MODE...]
  MODE [VARIANT-]fresh: `demo --store DIR` with DIR absent (the README's first run, which
       creates the store)
  MODE [VARIANT-]reuse: `demo --store DIR` with DIR made by an earlier run of that mode (a
       re-run; the run that made it is not counted)
The modes alternate within each round, so their ratios are measured side by side. A VARIANT is
configured by environment variables:
  COLDSTART_HOME_<VARIANT>  the checkout whose bin/mlserve runs (default: the current directory)
  COLDSTART_ENV_<VARIANT>   NAME=VALUE ... set for the launcher (e.g. MLSERVE_CDS_ARCHIVE=)
"""
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BODY = json.dumps({"model": "curve_forecaster", "input": [
    60, 59, 58, 57, 58, 60, 62, 64, 66, 68, 70, 71, 70, 68, 66, 64, 62, 61, 60, 61, 62, 64, 66,
    67]}).encode()
POLL_S = 0.010
LIMIT_S = 60.0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def poll_once(conn_box, port):
    """One predict call; returns the HTTP status, or None when nothing answered."""
    try:
        if conn_box[0] is None:
            conn_box[0] = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn = conn_box[0]
        conn.request("POST", "/api/v1/predict", BODY, {"Content-Type": "application/json"})
        resp = conn.getresponse()
        resp.read()
        return resp.status
    except (OSError, http.client.HTTPException):
        if conn_box[0] is not None:
            conn_box[0].close()
        conn_box[0] = None
        return None


def cpu_seconds(pid):
    """User + system CPU seconds the process has used so far (None when it is gone)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def thread_cpu(pid):
    """{thread name: CPU seconds} of the process's threads so far, by name (summed)."""
    out = {}
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return out
    for tid in tids:
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                raw = f.read()
        except OSError:
            continue
        name = raw[raw.index("(") + 1:raw.rindex(")")]
        fields = raw.rsplit(")", 1)[1].split()
        out[name] = out.get(name, 0) + (int(fields[11]) + int(fields[12])) / os.sysconf(
            "SC_CLK_TCK")
    return out


def one_run(store, mode, log_path):
    gport, hport = free_port(), free_port()
    variant = mode.split("-")[0].upper() if "-" in mode else ""
    env = dict(os.environ)
    for assignment in os.environ.get("COLDSTART_ENV_" + variant, "").split():
        name, _, value = assignment.partition("=")
        env[name] = value
    home = os.environ.get("COLDSTART_HOME_" + variant, ".")
    cmd = [os.path.join(home, "bin/mlserve"), "demo", "--store", store, "--bind", "127.0.0.1",
           "--grpc-port", str(gport), "--http-port", str(hport)]
    lines = []
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)

    def reader():
        for raw in proc.stdout:
            lines.append((time.monotonic() - t0, raw.decode(errors="replace").rstrip("\n")))

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    first_200 = None
    cpu_at_200 = None
    threads_at_200 = {}
    first_status = {}
    conn_box = [None]
    try:
        while time.monotonic() - t0 < LIMIT_S and proc.poll() is None:
            status = poll_once(conn_box, hport)
            now = time.monotonic() - t0
            if status is not None and status not in first_status:
                first_status[status] = now
            if status == 200:
                first_200 = now
                cpu_at_200 = cpu_seconds(proc.pid)
                threads_at_200 = thread_cpu(proc.pid)
                break
            time.sleep(POLL_S)
    finally:
        if conn_box[0] is not None:
            conn_box[0].close()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        t.join(5)
    ready = next((s for s, l in lines if l.startswith("mlserve: ready ")), None)
    with open(log_path, "w") as f:
        for s, l in lines:
            f.write("%8.3f %s\n" % (s, l))
        f.write("first statuses: %s\n" % {k: round(v, 3) for k, v in first_status.items()})
        # The server's CPU time up to its first answer: near 2x the wall time means the 2 CPUs
        # were the limit; far below it, something waited.
        f.write("server CPU seconds at the first 200: %s\n"
                % ("-" if cpu_at_200 is None else "%.2f" % cpu_at_200))
        f.write("thread CPU seconds at the first 200: %s\n" % ", ".join(
            "%s %.2f" % (n, c) for n, c in sorted(threads_at_200.items(), key=lambda x: -x[1])
            if c >= 0.02))
    return first_200, ready


def main():
    out_dir, rounds, modes = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(",")
    os.makedirs(out_dir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="mlserve-coldstart-")
    results = {m: [] for m in modes}
    try:
        reused = {}
        for m in modes:
            if m.endswith("reuse"):
                # A store an earlier demo made (this setup run is not counted).
                reused[m] = os.path.join(tmp, "reuse-" + m)
                one_run(reused[m], m, os.path.join(out_dir, m + ".setup.log"))
        for r in range(1, rounds + 1):
            for m in modes:
                store = reused.get(m) or os.path.join(tmp, "fresh-%s-%d" % (m, r))
                first, ready = one_run(store, m, os.path.join(out_dir, "%s.%d.log" % (m, r)))
                if first is None:
                    sys.exit("coldstart: %s round %d: no 200 answer within %.0f s; see %s"
                             % (m, r, LIMIT_S, os.path.join(out_dir, "%s.%d.log" % (m, r))))
                results[m].append((first, ready))
                print("round %d %-14s first 200 %.3f s  ready line %s" % (
                    r, m, first, "%.3f s" % ready if ready is not None else "-"), flush=True)
                if not reused.get(m):
                    shutil.rmtree(store, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    print("| mode | first 200 answer, median (s) | runs (s) |")
    print("|---|---:|---|")
    for m in modes:
        firsts = [f for f, _ in results[m]]
        print("| %s | %.2f | %s |" % (m, statistics.median(firsts),
                                      ", ".join("%.2f" % f for f in firsts)))
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main()
