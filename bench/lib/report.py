#!/usr/bin/env python3
"""The report of bench/run.sh: the results table, the notes, and one table of
every performance target of issue #16 with the measured value, the ratio and
PASS/MISS.

usage: report.py RESULTS_TSV NOTES_TXT GIT_REV SCALE DURATION REPEAT
"""
import csv
import datetime
import os
import platform
import subprocess
import sys

GET = "GET /v1/subscriptions/{id}"
LIST = "GET /v1/subscriptions?limit=25"
INVOICES = "GET /v1/invoices"
WRITE = "POST /v1/subscriptions/{id}/assignments (1 user)"
START = "start-to-ready (median ms)"


def machine():
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = f", {int(line.split()[1]) / 1024 / 1024:.0f} GiB"
                break
    except OSError:
        pass
    pg = ""
    try:
        url = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        pg = subprocess.run(["psql", url, "-qAtc", "SHOW server_version"], capture_output=True,
                            text=True, timeout=5).stdout.strip()
        pg = f"; PostgreSQL {pg}" if pg else ""
    except (OSError, subprocess.SubprocessError):
        pass
    return f"{os.cpu_count()} vCPU {cpu}{mem}, Linux {platform.release()}{pg}"


def main() -> int:
    results, notes, rev = sys.argv[1], sys.argv[2], sys.argv[3]
    scale, duration, repeat = sys.argv[4] == "1", sys.argv[5], int(sys.argv[6])
    rows = list(csv.DictReader(open(results), delimiter="\t"))
    by = {(r["backend"], r["dataset"], r["endpoint"]): r for r in rows}
    backends = sorted({r["backend"] for r in rows})

    now = datetime.datetime.now(datetime.timezone.utc)
    print()
    print(f"## Results {now:%Y-%m-%d %H:%M} UTC, commit {rev}")
    print()
    print(f"Machine: {machine()}. wrk -t2 -c64 -d{duration}s on the same cores, "
          f"{repeat} measured run(s) per endpoint (medians).")
    print()
    print("| backend | dataset | endpoint | requests/s | p50 ms | p99 ms | x /healthz | non-2xx | max RSS MiB |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        if r["endpoint"] == START:
            continue
        print(f"| {r['backend']} | {r['dataset']} | `{r['endpoint']}` | {r['rps']} | {r['p50_ms']} "
              f"| {r['p99_ms']} | {r['ratio']} | {r['non2xx']} | {r['rss_mib']} |")
    print()
    for line in open(notes):
        print("- " + line.strip())

    targets = []  # (target, backend, goal, measured, ok)

    def add(target, backend, goal, measured, ok):
        targets.append((target, backend, goal, measured, ok))

    def rps(r):
        return float(r["rps"])

    def p99(r):
        return float(r["p99_ms"])

    def ratio(r):
        return float(r["ratio"])

    r = by.get(("sqlite", "small", GET))
    if r:
        add(f"`{GET}` throughput", "sqlite", ">= 0.50 x /healthz",
            f"{ratio(r):.2f} x ({rps(r):,.0f} req/s)", ratio(r) >= 0.5)
        add(f"`{GET}` p99, 64 connections", "sqlite", "< 10 ms", f"{p99(r):.1f} ms", p99(r) < 10)
    for endpoint in (LIST, INVOICES):
        r = by.get(("sqlite", "small", endpoint))
        if not r:
            continue
        add(f"`{endpoint}` throughput", "sqlite", ">= 0.35 x /healthz",
            f"{ratio(r):.2f} x ({rps(r):,.0f} req/s)", ratio(r) >= 0.35)
        add(f"`{endpoint}` p99", "sqlite", "< 15 ms", f"{p99(r):.1f} ms", p99(r) < 15)
        g = by.get(("sqlite", "big", endpoint))
        if g:
            slower = rps(r) / max(rps(g), 1e-9)
            add(f"`{endpoint}` at 100k/1M: throughput", "sqlite", "within 1.5 x of 1k",
                f"{slower:.2f} x slower ({rps(g):,.0f} req/s)", slower <= 1.5)
            longer = p99(g) / max(p99(r), 1e-9)
            add(f"`{endpoint}` at 100k/1M: p99", "sqlite", "within 1.5 x of 1k",
                f"{longer:.2f} x ({p99(g):.1f} ms)", longer <= 1.5)
    for backend, goal_rps, goal_p99 in (("sqlite", 3000, 50), ("postgres", 1500, 100)):
        r = by.get((backend, "small", WRITE))
        if r:
            add("assign one user, 64 connections: throughput", backend, f">= {goal_rps:,} req/s",
                f"{rps(r):,.0f} req/s", rps(r) >= goal_rps)
            add("assign one user, 64 connections: p99", backend, f"< {goal_p99} ms",
                f"{p99(r):.1f} ms", p99(r) < goal_p99)
    for backend in backends:
        rss = [float(r["rss_mib"]) for r in rows if r["backend"] == backend and r["rss_mib"]]
        if rss:
            add("RSS under load (max over the run)", backend, "< 64 MiB", f"{max(rss):.1f} MiB",
                max(rss) < 64)
        starts = [float(r["rps"]) for r in rows if r["backend"] == backend and r["endpoint"] == START]
        if starts:
            add("start to ready (median per dataset, worst)", backend, "< 100 ms",
                f"{max(starts):.1f} ms", max(starts) < 100)

    print()
    print("### Targets")
    print()
    print("| target | backend | goal | measured | |")
    print("|---|---|---|---|---|")
    for target, backend, goal, measured, ok in targets:
        print(f"| {target} | {backend} | {goal} | {measured} | {'PASS' if ok else '**MISS**'} |")
    missed = sum(1 for t in targets if not t[4])
    print()
    print(f"{len(targets) - missed} of {len(targets)} targets PASS" + ("" if scale else
          " (no 100k/1M dataset in this run: --quick or --no-scale)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
