#!/usr/bin/env python3
"""Crash safety of `rigshift serve`: kill -9 at random moments, restart, lose nothing, do nothing twice.

The daemon runs the small test site on the simulated backend at 3600x. A client submits jobs with
idempotency keys and resubmits any whose answer it did not get. The daemon is killed with SIGKILL
KILLS times at random moments (some by the daemon itself at a fault point between recording and
acting: RIGSHIFT_FAULT), restarted each time on the same state directory. At the end it checks:
  - every job acknowledged with 201 is in the store exactly once (one job per idempotency key) and
    is queued, running or done;
  - the backend's own journal never applied a key twice, never started a job that was running,
    and never ran two runs of one job at once;
  - SQLite's integrity check passes on the store and the journal;
  - SIGTERM stops the daemon cleanly (exit 0).
Usage: crash_test.py RIGSHIFT_BINARY FLEET [KILLS]
"""
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Daemon:
    def __init__(self, binary, fleet, state, port, fault=None):
        env = dict(os.environ)
        if fault:
            env["RIGSHIFT_FAULT"] = fault
        else:
            env.pop("RIGSHIFT_FAULT", None)
        self.log = open(os.path.join(state, "serve.log"), "ab")
        self.proc = subprocess.Popen(
            [binary, "serve", fleet, "--state-dir", state, "--listen", f"127.0.0.1:{port}",
             "--speed", "3600", "--from", "2023-06-01", "--epoch", "5"],
            stdout=self.log, stderr=self.log, env=env)
        self.base = f"http://127.0.0.1:{port}"

    def wait_ready(self, timeout=30):
        end = time.time() + timeout
        while time.time() < end:
            if self.proc.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(self.base + "/readyz", timeout=1) as r:
                    if r.status == 200:
                        return True
            except Exception:
                pass
            time.sleep(0.02)
        return False

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.log.close()


def request(base, token, method, path, body=None, headers=None, timeout=2):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + token)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, json.loads(r.read() or b"null")


def submit(base, token, key, rng):
    spec = {
        "name": key,
        "gpus": rng.choice([1, 1, 2, 4, 6, 8]),
        "duration_hours": rng.choice([0.5, 1, 2, 4, 8]),
        "price_usd_per_gpu_hour": rng.choice([0.3, 0.8, 2.0]),
        "preemptible": rng.choice(["checkpoint", "checkpoint", "free", "never"]),
    }
    return request(base, token, "POST", "/v1/jobs", spec, {"Idempotency-Key": key})


def check_journal(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "journal integrity"
    keys = set()
    running = {}       # job -> devices
    device_job = {}
    problems = []
    for seq, kind, key, body in db.execute("SELECT seq, kind, key, body FROM journal ORDER BY seq"):
        b = json.loads(body)
        if kind == "apply":
            if key in keys:
                problems.append(f"key {key} applied twice")
            keys.add(key)
            a = b["action"]
            if b.get("outcome") != "applied":
                if "already running" in b.get("detail", ""):
                    problems.append(f"row {seq}: the controller asked to start a running job: {b['detail']}")
                continue
            if a["kind"] == 0:  # start
                job = a["job"]["id"]
                if job in running:
                    problems.append(f"row {seq}: job {job} started while running")
                running[job] = a["devices"]
                for d in a["devices"]:
                    device_job[d] = job
            elif a["kind"] == 1:  # stop
                for d in running.pop(a["job_id"], []):
                    device_job.pop(d, None)
        elif kind == "end":
            for d in running.pop(b["job"], []):
                device_job.pop(d, None)
        elif kind == "fail":
            job = device_job.get(b["device"])
            if job is not None:
                for d in running.pop(job, []):
                    device_job.pop(d, None)
    db.close()
    return len(keys), problems


def main():
    binary, fleet = sys.argv[1], sys.argv[2]
    kills = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    rng = random.Random(int(os.environ.get("RIGSHIFT_CRASH_SEED", "1")))
    state = tempfile.mkdtemp(prefix="rigshift-crash-")
    port = free_port()
    acked = {}    # key -> job id
    unsure = []   # keys whose answer was lost
    next_key = 0
    fault_kills = 0
    for i in range(kills):
        # A third of the runs die at the fault point between record and act, the rest by SIGKILL
        # from outside at a random moment.
        fault = "after_record:0.3" if i % 3 == 2 else None
        d = Daemon(binary, fleet, state, port, fault)
        if not d.wait_ready():
            if d.proc.poll() is not None and d.proc.returncode == -signal.SIGKILL and fault:
                fault_kills += 1
                d.kill()
                continue
            d.kill()
            print(open(os.path.join(state, "serve.log"), errors="replace").read()[-4000:])
            print(f"FAIL: daemon not ready on run {i}")
            return 1
        token = open(os.path.join(state, "operator.token")).read().strip()
        deadline = time.time() + rng.uniform(0.05, 0.6)
        retry, unsure = unsure, []
        while time.time() < deadline and d.proc.poll() is None:
            if retry:
                key = retry.pop()
            else:
                key = f"job-{next_key}"
                next_key += 1
            try:
                status, body = submit(d.base, token, key, random.Random(key))
                if status in (200, 201):
                    if key in acked and acked[key] != body["id"]:
                        print(f"FAIL: key {key} gave job {acked[key]} then {body['id']}")
                        return 1
                    acked[key] = body["id"]
            except Exception:
                unsure.append(key)
        unsure.extend(retry)
        if d.proc.poll() is not None and d.proc.returncode == -signal.SIGKILL:
            fault_kills += 1
        d.kill()

    # A last run: resubmit what is unsure, let the fleet work, then stop with SIGTERM.
    d = Daemon(binary, fleet, state, port)
    if not d.wait_ready():
        print("FAIL: daemon not ready after the kills")
        return 1
    token = open(os.path.join(state, "operator.token")).read().strip()
    for key in unsure:
        status, body = submit(d.base, token, key, random.Random(key))
        acked[key] = body["id"]
    time.sleep(1.0)
    jobs = {}
    after = None
    while True:
        path = "/v1/jobs?limit=100" + (f"&after={after}" if after else "")
        _, page = request(d.base, token, "GET", path)
        for j in page["items"]:
            jobs[j["id"]] = j
        if not page.get("next"):
            break
        after = page["next"]
    d.proc.send_signal(signal.SIGTERM)
    rc = d.proc.wait(timeout=30)
    d.log.close()
    problems = []
    if rc != 0:
        problems.append(f"SIGTERM exit code {rc}")
    names = {}
    for j in jobs.values():
        names.setdefault(j["name"], []).append(j["id"])
    for key, jid in acked.items():
        if jid not in jobs:
            problems.append(f"acknowledged job {jid} ({key}) is lost")
        elif jobs[jid]["state"] not in ("queued", "running", "completed"):
            problems.append(f"job {jid} is {jobs[jid]['state']}")
        if len(names.get(key, [])) != 1:
            problems.append(f"key {key} has jobs {names.get(key)}")
    store = sqlite3.connect(f"file:{os.path.join(state, 'rigshift.db')}?mode=ro", uri=True)
    if store.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
        problems.append("store integrity check failed")
    store.close()
    applied, jp = check_journal(os.path.join(state, "backend.db"))
    problems += jp
    done = sum(1 for j in jobs.values() if j["state"] == "completed")
    print(f"{kills} kills ({fault_kills} at the fault point), {len(acked)} jobs acknowledged, "
          f"{len(jobs)} in the store, {done} completed, {applied} actions applied")
    if problems:
        for p in problems[:40]:
            print("FAIL:", p)
        return 1
    print("crash test: 1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
