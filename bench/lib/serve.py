#!/usr/bin/env python3
"""Start a selfserve server in the background and measure start-to-ready.

usage: serve.py LOGFILE PORT TIMEOUT_SECS -- COMMAND [ARGS...]

Spawns COMMAND (its own session, output appended to LOGFILE), then polls
GET /readyz on 127.0.0.1:PORT every millisecond over a raw socket until it
answers 200. Prints "<pid> <milliseconds from spawn to the first 200>" and
exits 0, leaving the server running. Exits 1 (killing the server) when it
dies or is not ready within TIMEOUT_SECS.
"""
import os
import signal
import socket
import subprocess
import sys
import time


def main() -> int:
    log_path, port, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    cmd = sys.argv[sys.argv.index("--") + 1:]
    log = open(log_path, "ab")
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = t0 + timeout
    request = b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            print(f"{proc.pid} exited with {proc.returncode} before ready", file=sys.stderr)
            return 1
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1.0) as s:
                s.sendall(request)
                head = s.recv(32)
            if head.startswith(b"HTTP/1.1 200"):
                ms = (time.monotonic() - t0) * 1000.0
                print(f"{proc.pid} {ms:.1f}")
                return 0
        except OSError:
            pass
        time.sleep(0.001)
    print(f"{proc.pid} not ready within {timeout}s", file=sys.stderr)
    try:
        os.kill(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    return 1


if __name__ == "__main__":
    sys.exit(main())
