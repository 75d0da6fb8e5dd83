#!/usr/bin/env python3
"""Instructions per request, counted by callgrind: a repeatable cost figure
on a machine where others compete for the cores (wall-clock rates are not).

usage: cost.py --bin SELFSERVE --seed-dir DIR --database-url URL [--requests N]
               [--warmup N] [--endpoints healthz,get,list,invoices,assign]

The database must have been seeded by `seed` with run.sh's organisation and
purchaser (DIR is the seed's --out-dir). The server runs under
`valgrind --tool=callgrind` with one worker; each endpoint gets WARMUP
unmeasured requests (prepared statements, caches), then the counters are
zeroed, REQUESTS requests are sent one after another on one keep-alive
connection, and the counters are dumped. Prints, per endpoint, instructions
(Ir) per request and the ratio of /healthz's cost to it: the server's share
of the "x /healthz" figure, without wrk's and the kernel's.
"""
import argparse
import glob
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

ORG = "0b9c2f4e-1d7a-4c3b-8e5f-6a7b8c9d0e1f"
PURCHASER = "5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"
SECRET = "bench-secret-bench-secret-bench-secret-0123456789"


def env_file(path):
    out = {}
    for line in open(path):
        if "=" in line:
            k, v = line.strip().split("=", 1)
            out[k] = v
    return out


def lines(path):
    return [l.strip() for l in open(path) if l.strip()]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--seed-dir", required=True)
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument("--endpoints", default="healthz,get,list,invoices,assign")
    ap.add_argument("--write-offset", type=int, default=0,
                    help="first (subscription, member) pair for assign")
    ap.add_argument("--keep", help="folder for the callgrind dumps (kept)")
    args = ap.parse_args()

    seed = env_file(os.path.join(args.seed_dir, "seed.env"))
    work = args.keep or tempfile.mkdtemp(prefix="selfserve-cost.")
    os.makedirs(work, exist_ok=True)
    port = free_port()
    env = dict(os.environ, DATABASE_URL=args.database_url, SELFSERVE_DATA_DIR=work,
               SELFSERVE_JWT_SECRET=SECRET, SELFSERVE_BILLING_INTERVAL_SECS="0",
               RUST_LOG="warn", SELFSERVE_BIND=f"127.0.0.1:{port}", SELFSERVE_WORKERS="1",
               SELFSERVE_RATE_LIMIT_WRITES="off", SELFSERVE_RATE_LIMIT_READS="off",
               SELFSERVE_METRICS_BIND="off",
               SELFSERVE_CATALOG=os.path.join(os.path.dirname(__file__), "..", "..", "catalog.toml"))
    token = subprocess.check_output(
        [args.bin, "token", "--org", ORG, "--user", PURCHASER, "--name", "Bench Purchaser",
         "--email", "purchaser@bench.example.com", "--ttl", "7200"], env=env, text=True).strip()
    out_file = os.path.join(work, "callgrind.out.%p")
    log = open(os.path.join(work, "server.log"), "ab")
    server = subprocess.Popen(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}", "--dump-instr=no",
         "--collect-jumps=no", args.bin, "serve"],
        env=env, stdout=log, stderr=log, start_new_session=True)
    try:
        wait_ready(port, server)
        auth = {"Authorization": f"Bearer {token}"}
        members = lines(os.path.join(args.seed_dir, "members.txt"))
        targets = lines(os.path.join(args.seed_dir, "write-subscriptions.txt"))
        pair = [args.write_offset]

        def assign(conn):
            i = pair[0]
            pair[0] += 1
            sub = targets[i % len(targets)]
            user = members[(i // len(targets)) % len(members)]
            body = json.dumps({"user_ids": [user]})
            return request(conn, "POST", f"/v1/subscriptions/{sub}/assignments", body,
                           dict(auth, **{"Content-Type": "application/json"}))

        endpoints = {
            "healthz": ("GET /healthz", lambda c: request(c, "GET", "/healthz", None, {})),
            "get": ("GET /v1/subscriptions/{id}",
                    lambda c: request(c, "GET", f"/v1/subscriptions/{seed['SEED_SUBSCRIPTION']}", None, auth)),
            "list": ("GET /v1/subscriptions?limit=25",
                     lambda c: request(c, "GET", "/v1/subscriptions?limit=25", None, auth)),
            "invoices": ("GET /v1/invoices", lambda c: request(c, "GET", "/v1/invoices", None, auth)),
            "assign": ("POST …/assignments (1 user)", assign),
        }
        results = []
        for key in args.endpoints.split(","):
            name, send = endpoints[key]
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            for _ in range(args.warmup):
                send(conn)
            before = dump(server.pid, work)
            for _ in range(args.requests):
                send(conn)
            after = dump(server.pid, work)
            conn.close()
            results.append((name, (after - before) / args.requests))
        base = results[0][1] if results and results[0][0] == "GET /healthz" else None
        print(f"| endpoint | Ir/request | x /healthz (server only) |")
        print("|---|---:|---:|")
        for name, ir in results:
            ratio = f"{base / ir:.2f}" if base else ""
            print(f"| `{name}` | {ir:,.0f} | {ratio} |")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    return 0


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_ready(port, server, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("server exited before it was ready")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/readyz")
            if c.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("server not ready in time")


def request(conn, method, path, body, headers):
    conn.request(method, path, body=body, headers=headers)
    res = conn.getresponse()
    res.read()
    if res.status >= 300:
        raise SystemExit(f"{method} {path} answered {res.status}")


def dump(pid, work):
    """Dumps callgrind's counters so far; returns the cumulative Ir of the process."""
    subprocess.run(["callgrind_control", "-d", str(pid)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
    total = 0
    for path in glob.glob(os.path.join(work, f"callgrind.out.{pid}*")):
        with open(path) as f:
            for line in f:
                m = re.match(r"(?:summary|totals):\s+(\d+)", line)
                if m:
                    total += int(m.group(1))
                    break
    return total


if __name__ == "__main__":
    sys.exit(main())
