"""Steady REST load for bench/rollout.sh: THREADS threads, each sending unversioned
/api/v1/predict requests for curve_forecaster on a fixed schedule (RATE/THREADS a second each;
a late thread sends at once and keeps its schedule), every BAD_EVERY-th request of a thread with
a negative first value. Each answer is written to OUT as "recv_ms,status,version" (epoch ms, the
same clock as the server's event timestamps). Stops when STOP_FILE exists or after MAX_SECONDS;
writes READY_FILE once every thread has had an answer.

Usage: rollout_client.py PORT RATE THREADS BAD_EVERY MAX_SECONDS STOP_FILE READY_FILE OUT
"""
import http.client
import json
import os
import sys
import threading
import time

port, rate, threads, bad_every, max_s = (int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]),
                                         int(sys.argv[4]), float(sys.argv[5]))
stop_file, ready_file, out = sys.argv[6], sys.argv[7], sys.argv[8]
CURVE = [60, 59, 58, 57, 58, 60, 62, 64, 66, 68, 70, 71, 70, 68, 66, 64, 62, 61, 60, 61, 62, 64,
         66, 67]
GOOD = json.dumps({"model": "curve_forecaster", "input": CURVE})
BAD = json.dumps({"model": "curve_forecaster", "input": [-1] + CURVE[1:]})
answers = []  # (recv_ms, status, version); list.append is atomic under the GIL
answered = [0] * threads
deadline = time.monotonic() + max_s
stopped = threading.Event()


def run(t):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    interval = threads / rate
    nxt = time.monotonic() + interval * t / threads
    i = 0
    while not stopped.is_set() and time.monotonic() < deadline:
        wait = nxt - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        nxt += interval
        body = BAD if bad_every > 0 and i % bad_every == bad_every - 1 else GOOD
        i += 1
        try:
            conn.request("POST", "/api/v1/predict", body, {"Content-Type": "application/json"})
            r = conn.getresponse()
            data = r.read()
            status = r.status
            version = json.loads(data).get("version", "") if status == 200 else ""
        except (OSError, http.client.HTTPException, ValueError):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            status, version = 0, ""
        answers.append((int(time.time() * 1000), status, version))
        answered[t] += 1


workers = [threading.Thread(target=run, args=(t,), daemon=True) for t in range(threads)]
for w in workers:
    w.start()
ready = False
while any(w.is_alive() for w in workers):
    if not ready and all(answered):
        open(ready_file, "w").close()
        ready = True
    if os.path.exists(stop_file):
        stopped.set()
    time.sleep(0.05)
with open(out, "w") as f:
    for a in answers:
        f.write("%d,%d,%s\n" % a)
