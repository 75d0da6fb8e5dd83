#!/usr/bin/env bash
# Profiling helper: one endpoint, one server, one database — for timing
# experiments (a changed index in a copy of the database, a different pool
# size, -c1 vs -c64 ...).
#
#   bench/probe.sh DATABASE_URL PATH [wrk options...]
#   bench/probe.sh /tmp/x/selfserve.db /v1/invoices -c1 -d5s
#   SELFSERVE_DB_POOL_SIZE=1 bench/probe.sh DB write          # the assign-one-user Lua run
#
# The database must have been seeded by bench/seed (org and purchaser of
# run.sh); for PATH=write the seed's out-dir (the database's folder, or
# PROBE_SEED_DIR) must hold write-subscriptions.txt and members.txt, and
# PROBE_OFFSET picks the first (subscription, member) pair (default 0).
# Server environment overrides (SELFSERVE_*) pass through. Prints wrk's output
# plus one line: rps p50 p99 non2xx.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
URL="$1"; PATH_="$2"; shift 2
WRK_ARGS=("$@")
[ ${#WRK_ARGS[@]} -gt 0 ] || WRK_ARGS=(-t2 -c64 -d5s)
ORG="0b9c2f4e-1d7a-4c3b-8e5f-6a7b8c9d0e1f"
PURCHASER="5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"
BIN="${SELFSERVE_BIN:-$ROOT/target/release/selfserve}"
DIR="$(mktemp -d /tmp/selfserve-probe.XXXXXX)"
PID=""
cleanup() {
  [ -n "$PID" ] && { kill -TERM "$PID" 2>/dev/null || true; sleep 0.5; kill -KILL "$PID" 2>/dev/null || true; }
  rm -rf "$DIR"
}
trap cleanup EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export DATABASE_URL="$URL" SELFSERVE_DATA_DIR="$DIR" SELFSERVE_BIND="127.0.0.1:$PORT" \
  SELFSERVE_JWT_SECRET="bench-secret-bench-secret-bench-secret-0123456789" \
  SELFSERVE_BILLING_INTERVAL_SECS=0 RUST_LOG="${RUST_LOG:-warn}" SELFSERVE_CATALOG="$ROOT/catalog.toml"
out=$(python3 "$ROOT/bench/lib/serve.py" "$DIR/server.log" "$PORT" 60 -- "$BIN" serve) || { cat "$DIR/server.log" >&2; exit 1; }
PID="${out%% *}"
echo "ready in ${out##* } ms" >&2
TOKEN=$("$BIN" token --org "$ORG" --user "$PURCHASER" --name "Bench Purchaser" --email purchaser@bench.example.com)
# Max resident memory and thread count of the server while wrk runs.
( max=0; thr=0; for _ in $(seq 600); do
    [ -r /proc/$PID/status ] || break
    r=$(awk '/^VmRSS:/ {print $2}' /proc/$PID/status); t=$(awk '/^Threads:/ {print $2}' /proc/$PID/status)
    [ "${r:-0}" -gt "$max" ] && max=$r; [ "${t:-0}" -gt "$thr" ] && thr=$t
    echo "$max $thr" > "$DIR/rss"; sleep 0.2
  done ) &
SAMPLER=$!
if [ "$PATH_" = write ]; then
  SEED_DIR="${PROBE_SEED_DIR:-$(dirname "$URL")}"
  BENCH_TOKEN="$TOKEN" BENCH_WRITE_SUBS="$SEED_DIR/write-subscriptions.txt" BENCH_MEMBERS="$SEED_DIR/members.txt" \
    BENCH_THREADS=2 BENCH_OFFSET="${PROBE_OFFSET:-0}" \
    timeout 120 wrk --latency "${WRK_ARGS[@]}" -s "$ROOT/bench/assign.lua" "http://127.0.0.1:$PORT" | tee "$DIR/wrk.txt"
else
  timeout 120 wrk --latency "${WRK_ARGS[@]}" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$PATH_" | tee "$DIR/wrk.txt"
fi
kill "$SAMPLER" 2>/dev/null || true
read -r RSS THREADS < "$DIR/rss" || true
export PROBE_RSS_KIB="${RSS:-0}" PROBE_THREADS="${THREADS:-0}"
python3 - "$DIR/wrk.txt" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
def ms(v):
    n, u = re.match(r"([\d.]+)(us|ms|s)", v).groups(); n = float(n)
    return n / 1000 if u == "us" else n if u == "ms" else n * 1000
rps = re.search(r"Requests/sec:\s+([\d.]+)", t).group(1)
p50 = ms(re.search(r"^\s+50%\s+(\S+)", t, re.M).group(1)); p99 = ms(re.search(r"^\s+99%\s+(\S+)", t, re.M).group(1))
bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", t)
import os
rss = int(os.environ.get("PROBE_RSS_KIB", "0")) / 1024
print(f"PROBE rps={float(rps):.0f} p50={p50:.2f}ms p99={p99:.2f}ms non2xx={bad.group(1) if bad else 0} "
      f"max_rss={rss:.1f}MiB max_threads={os.environ.get('PROBE_THREADS', '0')}")
PY
