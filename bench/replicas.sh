#!/usr/bin/env bash
# Two replicas on one PostgreSQL (docs/scaling.md, step 1): seeds a fresh
# database, starts two servers on it, drives reads and assign-one-user writes
# at both at once (wrk -c32 each), then checks that assigned_count equals the
# assignment rows everywhere and that every write answered 2xx.
#
#   bench/replicas.sh [--duration SECS] [--no-build]
#
# PostgreSQL: postgres@127.0.0.1:5432 (BENCH_PG_ADMIN_URL overrides); the
# database selfserve_replicas_<random> is dropped at exit.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DURATION=8
BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="$2"; shift ;;
    --no-build) BUILD=0 ;;
    *) echo "replicas.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
PG_ADMIN_URL="${BENCH_PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
SECRET="bench-secret-bench-secret-bench-secret-0123456789"
ORG="0b9c2f4e-1d7a-4c3b-8e5f-6a7b8c9d0e1f"
PURCHASER="5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"
BIN="$ROOT/target/release/selfserve"
SEED="$ROOT/target/release/seed"
WORK="$(mktemp -d /tmp/selfserve-replicas.XXXXXX)"
DB="selfserve_replicas_$(printf '%04x%04x' $RANDOM $RANDOM)"
URL="${PG_ADMIN_URL%/*}/$DB"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true; done
  timeout 30 psql "$PG_ADMIN_URL" -qAtc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
log() { printf '[replicas] %s\n' "$*" >&2; }

if [ "$BUILD" = 1 ]; then timeout 3600 cargo build --release -q -p api -p seed; fi
timeout 30 psql "$PG_ADMIN_URL" -qAtc "CREATE DATABASE $DB" >/dev/null
timeout 600 "$SEED" --database-url "$URL" --org "$ORG" --purchaser "$PURCHASER" --subscriptions 1000 \
  --assignments 1000 --users 20000 --write-capacity 200000 --catalog "$ROOT/catalog.toml" --out-dir "$WORK" 2>/dev/null
# shellcheck disable=SC1091
. "$WORK/seed.env"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
env_of() {
  echo "DATABASE_URL=$URL" "SELFSERVE_DATA_DIR=$WORK" "SELFSERVE_JWT_SECRET=$SECRET" \
    "SELFSERVE_BILLING_INTERVAL_SECS=0" "RUST_LOG=warn" "SELFSERVE_BIND=127.0.0.1:$1" \
    "SELFSERVE_CATALOG=$ROOT/catalog.toml" "SELFSERVE_RATE_LIMIT_WRITES=off" "SELFSERVE_METRICS_BIND=off"
}
PORTS=("$(free_port)" "$(free_port)")
for port in "${PORTS[@]}"; do
  # shellcheck disable=SC2046
  out="$(env $(env_of "$port") python3 "$ROOT/bench/lib/serve.py" "$WORK/server-$port.log" "$port" 60 -- "$BIN" serve)"
  PIDS+=("${out%% *}")
  log "replica on $port ready in ${out##* } ms"
done
# shellcheck disable=SC2046
TOKEN=$(env $(env_of "${PORTS[0]}") "$BIN" token --org "$ORG" --user "$PURCHASER" --name "Bench Purchaser" \
  --email purchaser@bench.example.com --ttl 7200)

# run NAME OFFSETS... → wrk at both replicas at once, -c32 each; prints the sum.
run() {
  local name=$1; shift
  local i=0 pids=() slug
  slug=$(printf '%s' "$name" | tr -c 'a-zA-Z0-9' '_')
  for port in "${PORTS[@]}"; do
    if [ "$name" = write ]; then
      BENCH_TOKEN="$TOKEN" BENCH_WRITE_SUBS="$WORK/write-subscriptions.txt" BENCH_MEMBERS="$WORK/members.txt" \
        BENCH_THREADS=1 BENCH_OFFSET=$(( i * 100000 )) \
        timeout $((DURATION + 60)) wrk -t1 -c32 -d"${DURATION}s" --latency -s "$ROOT/bench/assign.lua" \
        "http://127.0.0.1:$port" > "$WORK/wrk-$slug-$port.txt" &
    else
      timeout $((DURATION + 60)) wrk -t1 -c32 -d"${DURATION}s" --latency -H "Authorization: Bearer $TOKEN" \
        "http://127.0.0.1:$port$name" > "$WORK/wrk-$slug-$port.txt" 2>&1 &
    fi
    pids+=($!); i=$((i + 1))
  done
  wait "${pids[@]}"
  python3 - "$name" "$WORK"/wrk-"$slug"-*.txt <<'PY'
import re, sys
total, p99s, bad = 0.0, [], 0
for path in sys.argv[2:]:
    t = open(path).read()
    total += float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
    v, u = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)", t, re.M).groups()
    p99s.append(float(v) / 1000 if u == "us" else float(v) if u == "ms" else float(v) * 1000)
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", t)
    bad += int(m.group(1)) if m else 0
print(f"| `{sys.argv[1]}` | {total:,.0f} | {max(p99s):.1f} | {bad} |")
PY
}
echo "| two replicas, one PostgreSQL | requests/s (sum) | worst p99 ms | non-2xx |"
echo "|---|---:|---:|---:|"
run "/v1/subscriptions/$SEED_SUBSCRIPTION"
run "/v1/subscriptions?limit=25"
before=$(psql "$URL" -qAtc "SELECT count(*) FROM license_assignments")
run write
after=$(psql "$URL" -qAtc "SELECT count(*) FROM license_assignments")
drift=$(psql "$URL" -qAtc "SELECT count(*) FROM subscriptions s WHERE s.assigned_count <> (SELECT count(*) FROM license_assignments a WHERE a.subscription_id = s.id)")
echo
echo "The write run added $((after - before)) assignments; subscriptions whose assigned_count differs from their rows: $drift"
[ "$drift" = 0 ] || { echo "DRIFT" >&2; exit 1; }
