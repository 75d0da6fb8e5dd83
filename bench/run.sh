#!/usr/bin/env bash
# Load benchmark of the selfserve service: release build, seeded data, wrk;
# ends with one table of every performance target (issue #16): the measured
# value, the goal, the ratio and PASS/MISS.
#
#   bench/run.sh                 # SQLite + PostgreSQL (when reachable), 1k and 100k/1M datasets (~5 min)
#   bench/run.sh --quick         # 1k dataset only, shorter runs (~1.5 min): a smoke test, not the figures
#
# Options:
#   --quick             1k dataset only, --duration 4 --warmup 1 --restarts 3
#   --no-scale          skip the 100k subscriptions / 1M assignments dataset
#   --duration SECS     wrk duration per endpoint (default 8)
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

SCALE=1
DURATION=8
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
    --no-scale) SCALE=0 ;;
    --quick) SCALE=0; DURATION=4; WARMUP=1; RESTARTS=3 ;;
    --duration) DURATION="$2"; shift ;;
    --backends) BACKENDS="$2"; shift ;;
    --no-build) BUILD=0 ;;
    --restarts) RESTARTS="$2"; shift ;;
    --warmup) WARMUP="$2"; shift ;;
    --repeat) REPEAT="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
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

# run_dataset BACKEND DATASET SUBS ASSIGNMENTS USERS SCOPE
# SCOPE "all": every endpoint; "lists": /healthz and the two lists (what the
# big dataset is for: list figures at 100k/1M against the 1k ones).
run_dataset() {
  local backend=$1 dataset=$2 subs=$3 assignments=$4 users=$5 scope=$6
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
  [ "$scope" = all ] && bench_one "$backend" "$dataset" "GET /v1/subscriptions/{id}" "$pid" -- -H "$auth" "$base/v1/subscriptions/$SEED_SUBSCRIPTION"
  bench_one "$backend" "$dataset" "GET /v1/subscriptions?limit=25" "$pid" -- -H "$auth" "$base/v1/subscriptions?limit=25"
  bench_one "$backend" "$dataset" "GET /v1/invoices" "$pid" -- -H "$auth" "$base/v1/invoices"
  if [ "$scope" = all ]; then
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
  fi
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
  run_dataset "$backend" small 1000 1000 20000 all
  if [ "$SCALE" = 1 ]; then
    run_dataset "$backend" big 100000 1000000 20000 lists
  fi
done

# ---- report -------------------------------------------------------------------
python3 "$ROOT/bench/lib/report.py" "$RESULTS" "$NOTES" "$GIT_REV" "$SCALE" "$DURATION" "$REPEAT"
if [ -n "$OUT" ]; then cp "$RESULTS" "$OUT"; log "results written to $OUT"; fi
