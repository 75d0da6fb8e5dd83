#!/usr/bin/env bash
# Crash-safety check: concurrent buys, assignments and license-count changes,
# SIGKILL of the server mid-load, restart on the same database, then proof that
# every acknowledged write survived and every invariant holds (see
# bench/lib/crash.py for the list of checks C1-C10; C10: every outbox event reaches a webhook receiver).
#
#   bench/crash.sh                       # SQLite, plus PostgreSQL when reachable
#   bench/crash.sh --rounds 5 --no-build
#
# Options: --rounds N (kill/restart cycles, default 3), --clients N (default 8),
# --backends sqlite,postgres, --no-build, --seed N (replay a run), --self-test
# (afterwards, damage the data on purpose and require the checks to catch it).
# Exits non-zero on any violation. Bounded: each backend's run is killed after
# 15 minutes; PostgreSQL databases selfserve_crash_<random> are dropped at exit.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

BUILD=1
BACKENDS=""
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) BUILD=0 ;;
    --backends) BACKENDS="$2"; shift ;;
    --rounds|--clients|--seed|--min-load|--max-load) EXTRA+=("$1" "$2"); shift ;;
    --self-test) EXTRA+=("$1") ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "crash.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

PG_ADMIN_URL="${BENCH_PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
BIN="$ROOT/target/release/selfserve"
log() { printf '[crash.sh %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

WORK="$(mktemp -d /tmp/selfserve-crash.XXXXXX)"
PG_DBS=()
cleanup() {
  local rc=$?
  for db in "${PG_DBS[@]:-}"; do
    [ -n "$db" ] && timeout 30 psql "$PG_ADMIN_URL" -qAtc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  done
  if [ "${BENCH_KEEP:-0}" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$BUILD" = 1 ]; then
  log "cargo build --release -p api"
  timeout 3600 cargo build --release -q -p api
fi
[ -x "$BIN" ] || { log "missing $BIN"; exit 1; }
command -v python3 >/dev/null || { log "python3 is needed"; exit 1; }

if [ -z "$BACKENDS" ]; then
  BACKENDS=sqlite
  if command -v psql >/dev/null && timeout 5 psql "$PG_ADMIN_URL" -qAtc 'SELECT 1' >/dev/null 2>&1; then
    BACKENDS="sqlite,postgres"
  else
    log "PostgreSQL not reachable at 127.0.0.1:5432: SQLite only"
  fi
fi

# The load must not meet per-user rate limits; no metrics listener (crash.py's
# server inherits this environment).
export SELFSERVE_RATE_LIMIT_WRITES=off SELFSERVE_RATE_LIMIT_READS=off SELFSERVE_METRICS_BIND=off

FAILED=0
IFS=',' read -r -a LIST <<< "$BACKENDS"
for backend in "${LIST[@]}"; do
  dir="$WORK/$backend"
  mkdir -p "$dir"
  case "$backend" in
    sqlite) url="$dir/selfserve.db" ;;
    postgres)
      db="selfserve_crash_$(printf '%04x%04x%04x' $RANDOM $RANDOM $RANDOM)"
      timeout 30 psql "$PG_ADMIN_URL" -qAtc "CREATE DATABASE $db" >/dev/null
      PG_DBS+=("$db")
      url="${PG_ADMIN_URL%/*}/$db" ;;
    *) log "unknown backend $backend"; exit 2 ;;
  esac
  if ! timeout 900 python3 "$ROOT/bench/lib/crash.py" --bin "$BIN" --database-url "$url" \
      --data-dir "$dir" --catalog "$ROOT/catalog.toml" "${EXTRA[@]}"; then
    FAILED=1
    log "$backend: FAILED (server log: $dir/server.log)"
    [ "${BENCH_KEEP:-0}" = 1 ] || tail -30 "$dir/server.log" >&2 || true
  fi
done
exit $FAILED
