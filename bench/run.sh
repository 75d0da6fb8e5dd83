#!/usr/bin/env bash
# Load benchmark of the selfserve service: release build, seeded data, wrk.
#
#   bench/run.sh                 # 1,000-row dataset, SQLite (+ PostgreSQL when reachable)
#   bench/run.sh --scale         # also the 100k subscriptions / 1M assignments dataset
#
# Options:
#   --scale             also run the big dataset (list p99 big vs small)
#   --duration SECS     wrk duration per endpoint (default 10)
#   --backends LIST     sqlite,postgres (default: sqlite, plus postgres when reachable)
#   --no-build          use the binaries already in target/release
#   --restarts N        start-to-ready samples per dataset (default 5)
#   --warmup SECS       unmeasured wrk run before each measured one (default 2)
#   --repeat N          measured wrk runs per endpoint; the table shows medians (default 1)
#   --out FILE          also write the results (TSV) to FILE
#
# PostgreSQL: postgres@127.0.0.1:5432 (override with BENCH_PG_ADMIN_URL, a URL of
# an existing database to run CREATE/DROP DATABASE from). A fresh database
# selfserve_bench_<random> is created per dataset and dropped at exit.
# Only 127.0.0.1 is used. Every wait and loop is bounded.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SCALE=0
DURATION=10
BACKENDS=""
BUILD=1
RESTARTS=5
WARMUP=2
REPEAT=1
WRITE_STRIDE=0
OUT=""
THREADS=2
CONNECTIONS=64
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) SCALE=1 ;;
    --duration) DURATION="$2"; shift ;;
    --backends) BACKENDS="$2"; shift ;;
    --no-build) BUILD=0 ;;
    --restarts) RESTARTS="$2"; shift ;;
    --warmup) WARMUP="$2"; shift ;;
    --repeat) REPEAT="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

PG_ADMIN_URL="${BENCH_PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
JWT_SECRET="bench-secret-bench-secret-bench-secret-0123456789"
ORG="0b9c2f4e-1d7a-4c3b-8e5f-6a7b8c9d0e1f"
PURCHASER="5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"
BIN="$ROOT/target/release/selfserve"
SEED="$ROOT/target/release/seed"

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

WORK="$(mktemp -d /tmp/selfserve-bench.XXXXXX)"
SERVER_PID=""
PG_DBS=()
cleanup() {
  local rc=$?
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  for db in "${PG_DBS[@]:-}"; do
    [ -n "$db" ] && timeout 30 psql "$PG_ADMIN_URL" -qAtc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  done
  if [ "${BENCH_KEEP:-0}" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The source the binaries are built from (before the build: others may commit meanwhile).
GIT_REV="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
[ -n "$(git status --porcelain -- api persistence domain migrations 2>/dev/null)" ] && GIT_REV="$GIT_REV (+ uncommitted changes)"
[ "$BUILD" = 1 ] || GIT_REV="$GIT_REV (binaries not rebuilt: --no-build)"

# ---- build and tools ----------------------------------------------------------
if [ "$BUILD" = 1 ]; then
  log "cargo build --release -p api -p seed (cold: ~5 minutes on 2 cores)"
  timeout 3600 cargo build --release -q -p api -p seed || die "build"
fi
[ -x "$BIN" ] && [ -x "$SEED" ] || die "missing $BIN or $SEED (run without --no-build)"
if ! command -v wrk >/dev/null 2>&1; then
  log "installing wrk from Debian"
  timeout 300 apt-get install -y -q wrk >/dev/null 2>&1 \
    || { timeout 300 apt-get update -q >/dev/null && timeout 300 apt-get install -y -q wrk >/dev/null; } \
    || die "cannot install wrk"
fi
command -v python3 >/dev/null || die "python3 is needed"

pg_reachable() {
  command -v psql >/dev/null 2>&1 && timeout 5 psql "$PG_ADMIN_URL" -qAtc 'SELECT 1' >/dev/null 2>&1
}
if [ -z "$BACKENDS" ]; then
  BACKENDS=sqlite
  if pg_reachable; then BACKENDS="sqlite,postgres"; else log "PostgreSQL not reachable at 127.0.0.1:5432: SQLite only"; fi
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# ---- one server ---------------------------------------------------------------
# server_env DIR URL PORT: the environment the server and `selfserve token` share.
server_env() {
  echo "DATABASE_URL=$2" "SELFSERVE_DATA_DIR=$1" "SELFSERVE_JWT_SECRET=$JWT_SECRET" \
    "SELFSERVE_BILLING_INTERVAL_SECS=0" "RUST_LOG=warn" "SELFSERVE_BIND=127.0.0.1:$3" \
    "SELFSERVE_CATALOG=$ROOT/catalog.toml" \
    "SELFSERVE_RATE_LIMIT_WRITES=off" "SELFSERVE_RATE_LIMIT_READS=off" "SELFSERVE_METRICS_BIND=off"
}

# start_server DIR URL PORT → sets SERVER_PID, READY_MS
start_server() {
  local out
  # shellcheck disable=SC2046
  out="$(env $(server_env "$1" "$2" "$3") python3 "$ROOT/bench/lib/serve.py" "$1/server.log" "$3" 60 -- "$BIN" serve)" \
    || { tail -20 "$1/server.log" >&2; die "server did not get ready"; }
  SERVER_PID="${out%% *}"
  READY_MS="${out##* }"
}

stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

# wrk output → "rps p50_ms p99_ms non2xx errors"
parse_wrk() {
  python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(v):
    m = re.match(r"([\d.]+)(us|ms|s|m)", v)
    n, u = float(m.group(1)), m.group(2)
    return n / 1000 if u == "us" else n if u == "ms" else n * 1000 if u == "s" else n * 60000
rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
p50 = re.search(r"^\s+50%\s+(\S+)", text, re.M)
p99 = re.search(r"^\s+99%\s+(\S+)", text, re.M)
non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
errs = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
print(f"{float(rps.group(1)) if rps else 0:.0f}",
      f"{ms(p50.group(1)) if p50 else 0:.2f}", f"{ms(p99.group(1)) if p99 else 0:.2f}",
      non2xx.group(1) if non2xx else 0,
      sum(int(x) for x in errs.groups()) if errs else 0)
PY
}

# sample_rss PID SECONDS FILE: max VmRSS (KiB) seen while the load runs
sample_rss() {
  local pid=$1 secs=$2 file=$3 max=0 v end
  end=$(( $(date +%s) + secs ))
  while [ "$(date +%s)" -lt "$end" ] && [ -r "/proc/$pid/status" ]; do
    v=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ "${v:-0}" -gt "$max" ] && max=$v
    echo "$max" > "$file"
    sleep 0.2
  done
}

RESULTS="$WORK/results.tsv"
printf 'backend\tdataset\tendpoint\trps\tp50_ms\tp99_ms\tnon2xx\terrors\tratio\trss_mib\truns_rps\n' > "$RESULTS"
NOTES="$WORK/notes.txt"
: > "$NOTES"

# bench_one BACKEND DATASET NAME PID -- wrk args...
# Runs wrk REPEAT times (after one unmeasured warm-up); records the median of
# requests/s, of p50 and of p99 over the repeats, and the largest VmRSS seen.
# For the write path, repeat r starts at pair offset r * WRITE_STRIDE.
bench_one() {
  local backend=$1 dataset=$2 name=$3 pid=$4; shift 5
  local slug; slug=$(echo "$name" | tr -c 'a-zA-Z0-9' '_' | tr -s '_' | sed 's/^_//; s/_$//')
  local out="$WORK/wrk-$backend-$dataset-$slug" rssf="$WORK/rss.$$"
  # Warm-up (not measured): connections, caches, prepared statements.
  BENCH_OFFSET=$WARMUP_OFFSET timeout $((WARMUP + 60)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "$@" > "$out.warmup.txt" 2>&1 \
    || { cat "$out.warmup.txt" >&2; die "wrk warm-up $name"; }
  echo 0 > "$rssf"
  sample_rss "$pid" $(( (DURATION + 2) * REPEAT + 5 )) "$rssf" &
  local sampler=$! r runs=()
  for r in $(seq 0 $((REPEAT - 1))); do
    BENCH_OFFSET=$((r * WRITE_STRIDE)) timeout $((DURATION + 60)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s --latency "$@" > "$out.$r.txt" 2>&1 \
      || { cat "$out.$r.txt" >&2; die "wrk $name"; }
    runs+=("$(parse_wrk "$out.$r.txt")")
  done
  kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
  local rss; rss=$(cat "$rssf"); rm -f "$rssf"
  read -r rps p50 p99 non2xx errors spread < <(python3 - "${runs[@]}" <<'PY'
import statistics as st, sys
runs = [list(map(float, r.split())) for r in sys.argv[1:]]
col = lambda i: [r[i] for r in runs]
med = lambda i: st.median(col(i))
spread = "/".join(f"{v:.0f}" for v in col(0))
print(f"{med(0):.0f} {med(1):.2f} {med(2):.2f} {sum(col(3)):.0f} {sum(col(4)):.0f} {spread}")
PY
)
  local ratio="1.00"
  [ -n "${HEALTHZ_RPS:-}" ] && [ "$HEALTHZ_RPS" != 0 ] && ratio=$(python3 -c "print(f'{$rps/$HEALTHZ_RPS:.2f}')")
  [ "$name" = "GET /healthz" ] && HEALTHZ_RPS=$rps
  local rss_mib; rss_mib=$(python3 -c "print(f'{$rss/1024:.1f}')")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$backend" "$dataset" "$name" "$rps" "$p50" "$p99" "$non2xx" "$errors" "$ratio" "$rss_mib" "$spread" >> "$RESULTS"
  log "$(printf '%-8s %-6s %-44s %8s req/s  p50 %7s ms  p99 %7s ms  x%-5s non2xx %s  rss %s MiB  (runs: %s req/s)' \
    "$backend" "$dataset" "$name" "$rps" "$p50" "$p99" "$ratio" "$non2xx" "$rss_mib" "$spread")"
}

sql() { # sql BACKEND URL QUERY → first column of rows
  if [ "$1" = sqlite ]; then timeout 60 sqlite3 "$2" "$3"; else timeout 60 psql "$2" -qAtc "$3"; fi
}

# run_dataset BACKEND DATASET SUBS ASSIGNMENTS USERS
run_dataset() {
  local backend=$1 dataset=$2 subs=$3 assignments=$4 users=$5
  local dir="$WORK/$backend-$dataset" url port
  mkdir -p "$dir"
  if [ "$backend" = sqlite ]; then
    url="$dir/selfserve.db"
  else
    local db="selfserve_bench_$(printf '%04x%04x%04x' $RANDOM $RANDOM $RANDOM)"
    timeout 30 psql "$PG_ADMIN_URL" -qAtc "CREATE DATABASE $db" >/dev/null || die "CREATE DATABASE $db"
    PG_DBS+=("$db")
    url="${PG_ADMIN_URL%/*}/$db"
  fi
  log "$backend/$dataset: seeding $subs subscriptions, $assignments assignments, $users users"
  timeout 1800 "$SEED" --database-url "$url" --org "$ORG" --purchaser "$PURCHASER" \
    --subscriptions "$subs" --assignments "$assignments" --users "$users" --write-capacity "$WRITE_CAPACITY" \
    --catalog "$ROOT/catalog.toml" --out-dir "$dir" 2> >(tee "$dir/seed.log" >&2) || die "seed"
  # shellcheck disable=SC1091
  . "$dir/seed.env"
  echo "$backend $dataset seed: $SEED_SUBSCRIPTIONS subscriptions, $SEED_ASSIGNMENTS assignments, $SEED_INVOICES invoices, $SEED_USERS users in ${SEED_SECONDS}s" >> "$NOTES"

  port=$(free_port)
  start_server "$dir" "$url" "$port"
  local pid=$SERVER_PID base="http://127.0.0.1:$port"
  log "$backend/$dataset: server $pid ready in ${READY_MS} ms (first start after seeding)"
  local token
  # shellcheck disable=SC2046
  token=$(env $(server_env "$dir" "$url" "$port") "$BIN" token --org "$ORG" --user "$PURCHASER" \
    --name "Bench Purchaser" --email purchaser@bench.example.com --ttl 7200) || die "token"

  # Every endpoint answers 200 before it is measured.
  for path in /healthz "/v1/subscriptions/$SEED_SUBSCRIPTION" "/v1/subscriptions?limit=25" /v1/invoices; do
    local code
    code=$(curl -s -m 10 -o "$dir/check.json" -w '%{http_code}' -H "Authorization: Bearer $token" "$base$path")
    [ "$code" = 200 ] || { cat "$dir/check.json" >&2; die "GET $path answered $code"; }
  done
  local listed; listed=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["data"]))' "$dir/check.json")
  echo "$backend $dataset: GET /v1/invoices returns $listed invoices on the first page" >> "$NOTES"

  HEALTHZ_RPS=""
  WARMUP_OFFSET=0
  local auth="Authorization: Bearer $token"
  bench_one "$backend" "$dataset" "GET /healthz" "$pid" -- "$base/healthz"
  bench_one "$backend" "$dataset" "GET /v1/subscriptions/{id}" "$pid" -- -H "$auth" "$base/v1/subscriptions/$SEED_SUBSCRIPTION"
  bench_one "$backend" "$dataset" "GET /v1/subscriptions?limit=25" "$pid" -- -H "$auth" "$base/v1/subscriptions?limit=25"
  bench_one "$backend" "$dataset" "GET /v1/invoices" "$pid" -- -H "$auth" "$base/v1/invoices"
  # The write warm-up takes (subscription, member) pairs from the far end of the range.
  WARMUP_OFFSET=$(( $(wc -l < "$dir/write-subscriptions.txt") * SEED_WRITE_LICENSES - 25000 ))
  [ "$WARMUP_OFFSET" -gt 0 ] || WARMUP_OFFSET=0
  local before; before=$(sql "$backend" "$url" "SELECT count(*) FROM license_assignments")
  BENCH_TOKEN="$token" BENCH_WRITE_SUBS="$dir/write-subscriptions.txt" BENCH_MEMBERS="$dir/members.txt" BENCH_THREADS="$THREADS" \
    bench_one "$backend" "$dataset" "POST /v1/subscriptions/{id}/assignments (1 user)" "$pid" -- -s "$ROOT/bench/assign.lua" "$base"
  local after; after=$(sql "$backend" "$url" "SELECT count(*) FROM license_assignments")
  local drift; drift=$(sql "$backend" "$url" "SELECT count(*) FROM subscriptions s WHERE s.assigned_count <> (SELECT count(*) FROM license_assignments a WHERE a.subscription_id = s.id)")
  echo "$backend $dataset: the write run added $((after - before)) assignment rows; subscriptions whose assigned_count differs from their rows: $drift" >> "$NOTES"
  [ "$drift" = 0 ] || die "assigned_count drift after the write run"
  stop_server

  # Start to ready on the existing database, several times.
  local samples=()
  for _ in $(seq "$RESTARTS"); do
    port=$(free_port)
    start_server "$dir" "$url" "$port"
    samples+=("$READY_MS")
    stop_server
  done
  local summary; summary=$(python3 -c 'import sys,statistics as s; v=sorted(map(float,sys.argv[1:])); print(f"median {s.median(v):.1f} ms, min {v[0]:.1f}, max {v[-1]:.1f} ({len(v)} starts)")' "${samples[@]}")
  printf '%s\t%s\t%s\t%s\t\t\t\t\t\t\t\n' "$backend" "$dataset" "start-to-ready (median ms)" \
    "$(python3 -c 'import sys,statistics as s; print(f"{s.median(map(float,sys.argv[1:])):.1f}")' "${samples[@]}")" >> "$RESULTS"
  echo "$backend $dataset: start to ready on the existing database: $summary" >> "$NOTES"
  log "$backend/$dataset: start to ready: $summary"
}

# Every measured write request takes a new (subscription, member) pair: room for
# 6,000 requests/s in each repeat, plus a warm-up zone at the end of the range.
WRITE_STRIDE=$((6000 * DURATION))
WRITE_CAPACITY=$((WRITE_STRIDE * REPEAT + 30000))

log "commit $GIT_REV; wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s; backends: $BACKENDS; scale: $SCALE"

IFS=',' read -r -a BACKEND_LIST <<< "$BACKENDS"
for backend in "${BACKEND_LIST[@]}"; do
  case "$backend" in sqlite|postgres) ;; *) die "unknown backend $backend" ;; esac
  run_dataset "$backend" small 1000 1000 20000
  if [ "$SCALE" = 1 ]; then
    run_dataset "$backend" big 100000 1000000 20000
  fi
done

# ---- report -------------------------------------------------------------------
python3 - "$RESULTS" "$NOTES" "$GIT_REV" "$SCALE" "$DURATION" "$REPEAT" <<'PY'
import csv, sys, datetime
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
rev, scale, duration, repeat = sys.argv[3], sys.argv[4] == "1", sys.argv[5], int(sys.argv[6])
by = {(r["backend"], r["dataset"], r["endpoint"]): r for r in rows}
print()
print(f"## Results {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, commit {rev}")
print(f"wrk -t2 -c64 -d{duration}s, {repeat} measured run(s) per endpoint (medians)")
print()
print("| backend | dataset | endpoint | requests/s | p50 ms | p99 ms | x /healthz | non-2xx | max RSS MiB | runs req/s |")
print("|---|---|---|---:|---:|---:|---:|---:|---:|---|")
for r in rows:
    if r["endpoint"].startswith("start-to-ready"):
        continue
    print(f"| {r['backend']} | {r['dataset']} | `{r['endpoint']}` | {r['rps']} | {r['p50_ms']} | {r['p99_ms']} "
          f"| {r['ratio']} | {r['non2xx']} | {r['rss_mib']} | {r.get('runs_rps') or ''} |")
print()
for line in open(sys.argv[2]):
    print("- " + line.strip())
backends = sorted({r["backend"] for r in rows})
if scale:
    print()
    print("| backend | list endpoint | p99 1k rows | p99 100k/1M rows | ratio |")
    print("|---|---|---:|---:|---:|")
    for b in backends:
        for e in ("GET /v1/subscriptions?limit=25", "GET /v1/invoices"):
            s, g = by.get((b, "small", e)), by.get((b, "big", e))
            if s and g and float(s["p99_ms"]) > 0:
                print(f"| {b} | `{e}` | {s['p99_ms']} | {g['p99_ms']} | {float(g['p99_ms'])/float(s['p99_ms']):.2f} |")
print()
print("Targets:")
def verdict(ok):
    return "MET" if ok else "MISSED"
get = "GET /v1/subscriptions/{id}"
write = "POST /v1/subscriptions/{id}/assignments (1 user)"
r = by.get(("sqlite", "small", get))
if r:
    ok = float(r["ratio"]) >= 0.5 and float(r["p99_ms"]) < 10
    print(f"- {verdict(ok)}: SQLite GET /v1/subscriptions/{{id}} >= 0.5 x /healthz with p99 < 10 ms: x{r['ratio']}, p99 {r['p99_ms']} ms")
for b, goal in (("sqlite", 3000), ("postgres", 1500)):
    r = by.get((b, "small", write))
    if r:
        print(f"- {verdict(float(r['rps']) >= goal)}: {b} assign-one-user >= {goal} req/s: {r['rps']} req/s")
if scale:
    for b in backends:
        for e in ("GET /v1/subscriptions?limit=25", "GET /v1/invoices"):
            s, g = by.get((b, "small", e)), by.get((b, "big", e))
            if s and g:
                q = float(g["p99_ms"]) / max(float(s["p99_ms"]), 1e-9)
                print(f"- {verdict(q <= 1.5)}: {b} {e} p99 100k/1M <= 1.5 x p99 1k: {q:.2f} x")
for r in rows:
    if r["endpoint"].startswith("start-to-ready"):
        print(f"- {verdict(float(r['rps']) < 200)}: {r['backend']}/{r['dataset']} start to ready < 200 ms: median {r['rps']} ms")
for b in backends:
    for d in ("small", "big"):
        vals = [float(r["rss_mib"]) for r in rows if r["backend"] == b and r["dataset"] == d and r["rss_mib"]]
        if vals:
            print(f"- {verdict(max(vals) < 64)}: {b}/{d} RSS under load < 64 MiB: max {max(vals):.1f} MiB")
PY
if [ -n "$OUT" ]; then cp "$RESULTS" "$OUT"; log "results written to $OUT"; fi
