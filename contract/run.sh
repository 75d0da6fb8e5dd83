#!/usr/bin/env bash
# Contract tooling: checks openapi/openapi.json and the live service against it.
#
#   1. openapi-spec-validator   the document is valid OpenAPI 3.1
#   2. Redocly CLI lint         contract/redocly.yaml, 0 problems
#   3. a fresh server           target/debug/selfserve on a temp SQLite file
#   4. Schemathesis             property-based and stateful tests, all checks
#   5. TypeScript               openapi-typescript types + a typed client, tsc --strict
#   6. Python                   openapi-python-client package + the seed flow against the server
#   7. Swagger UI               Debian's chromium, Authorize + Try it out + Execute
#
# Tools are installed on first use, pinned, into .tools/ (git-ignored):
# PyPI into .tools/venv, npm into .tools/node, chromium from Debian's apt.
# Runs from anywhere: `bash contract/run.sh`. Prints one closing line,
# `contract: N passed, M failed`, and exits non-zero when a step failed.
#
# Knobs (environment):
#   CONTRACT_MAX_EXAMPLES  Schemathesis test cases per operation (default 50)
#   CONTRACT_SEED          Schemathesis seed (default fixed, for repeatable CI);
#                          `random` lets Schemathesis pick one and print it
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
CONTRACT="$ROOT/contract"
SPEC="openapi/openapi.json"

# ---- pinned tools -----------------------------------------------------------
PY_PACKAGES=(
    "openapi-spec-validator==0.9.0"
    "schemathesis==4.32.5"
    "openapi-python-client==0.29.1"
)
NPM_PACKAGES=(
    "@redocly/cli@2.77.0"
    "openapi-typescript@7.13.0"
    "typescript@5.9.3"
    "playwright-core@1.65.1"
)
NODE_MIN="20.19.0" # @redocly/cli 2.x: node >= 20.19 (or >= 22.12)
VENV="$ROOT/.tools/venv"
NODE_DIR="$ROOT/.tools/node"
NODE_BIN="$NODE_DIR/node_modules/.bin"
CHROMIUM="/usr/bin/chromium"

MAX_EXAMPLES="${CONTRACT_MAX_EXAMPLES:-50}"
SEED="${CONTRACT_SEED:-20261123}"

# ---- the test server's fixed configuration -----------------------------------
JWT_SECRET="contract-run-test-secret-not-for-production-0001"
FINGERPRINT_KEY="contract-run-card-fingerprint-key-not-for-production"
ORG_ID="0b9c2f4e-1d7a-4c3b-8e5f-6a7b8c9d0e1f"
ADMIN_ID="5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"
MEMBER_ID="7e8f9a0b-1c2d-4e3f-9a4b-5c6d7e8f9a0b"

# ---- bookkeeping --------------------------------------------------------------
PASSED=0
FAILED=0
SKIPPED=0
SUMMARY=()
SERVER_PID=""
SERVER_ENV=()
PORT=""
SERVER_DIR=""
BASE_URL=""
ADMIN_TOKEN=""
MEMBER_TOKEN=""
TOOLS_OK=false
STARTED=$SECONDS

say() { printf '%s\n' "$*"; }
banner() { printf '\n==> %s\n' "$*"; }

record() { # name outcome seconds [note]
    local name=$1 outcome=$2 secs=$3 note=${4:-}
    case "$outcome" in
        passed) PASSED=$((PASSED + 1)) ;;
        failed) FAILED=$((FAILED + 1)) ;;
        skipped) SKIPPED=$((SKIPPED + 1)) ;;
    esac
    SUMMARY+=("$(printf '  %-8s %-22s %4ss%s' "$outcome" "$name" "$secs" "${note:+  ($note)}")")
}

# Runs "$@" in a subshell with errexit on, so that any failing command fails
# the step without ending the script; records the outcome.
run_step() { # name command...
    local name=$1 start=$SECONDS rc
    shift
    banner "$name"
    set +e
    (set -e; "$@")
    rc=$?
    set -e
    if [[ $rc -eq 0 ]]; then
        record "$name" passed $((SECONDS - start))
    else
        say "contract: step '$name' failed (exit $rc)" >&2
        record "$name" failed $((SECONDS - start))
    fi
    return 0
}

skip_step() { # name reason
    banner "$1"
    say "skipped: $2"
    record "$1" skipped 0 "$2"
}

cleanup() {
    local rc=$?
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ -n "$SERVER_DIR" && -d "$SERVER_DIR" ]]; then
        if [[ $FAILED -gt 0 || $rc -ne 0 ]] && [[ -s "$SERVER_DIR/server.log" ]]; then
            # Warnings and errors first (the access log alone would bury them), then the tail.
            printf '\n==> server log: WARN/ERROR lines (last 30)\n' >&2
            grep -E ' (WARN|ERROR) ' "$SERVER_DIR/server.log" | tail -n 30 >&2 || true
            printf '\n==> server log: last 20 lines\n' >&2
            tail -n 20 "$SERVER_DIR/server.log" >&2 || true
        fi
        rm -rf "$SERVER_DIR"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

version_ge() { # a b: a >= b (dotted numbers)
    [[ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" == "$2" ]]
}

apt_install() { # packages...: install from Debian, running apt-get update only if needed
    local sudo=()
    [[ $(id -u) -eq 0 ]] || sudo=(sudo -n)
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get install -y -q "$@" \
        || { "${sudo[@]}" apt-get update -q && "${sudo[@]}" apt-get install -y -q "$@"; }
}

# ---- step: tools ----------------------------------------------------------------
install_python_tools() {
    local stamp="$VENV/.contract-pins" want
    want="$(printf '%s\n' "${PY_PACKAGES[@]}")"
    if [[ -x "$VENV/bin/schemathesis" && -x "$VENV/bin/openapi-spec-validator" && -x "$VENV/bin/openapi-python-client" ]] \
        && [[ "$(cat "$stamp" 2>/dev/null)" == "$want" ]]; then
        say "python tools: cached in .tools/venv (${PY_PACKAGES[*]})"
        return 0
    fi
    command -v python3 >/dev/null || apt_install python3 python3-venv
    if [[ ! -x "$VENV/bin/python" ]]; then
        python3 -m venv "$VENV" 2>/dev/null || { rm -rf "$VENV"; apt_install python3-venv; python3 -m venv "$VENV"; }
    fi
    say "python tools: installing ${PY_PACKAGES[*]} into .tools/venv"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${PY_PACKAGES[@]}"
    printf '%s\n' "$want" >"$stamp"
}

install_node_tools() {
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        apt_install nodejs npm
    fi
    local have
    have="$(node -p 'process.versions.node')"
    version_ge "$have" "$NODE_MIN" || { say "node $have is too old: the pinned @redocly/cli needs >= $NODE_MIN" >&2; return 1; }
    local stamp="$NODE_DIR/.contract-pins" want
    want="$(printf '%s\n' "${NPM_PACKAGES[@]}")"
    if [[ -x "$NODE_BIN/redocly" && -x "$NODE_BIN/openapi-typescript" && -x "$NODE_BIN/tsc" \
        && -d "$NODE_DIR/node_modules/playwright-core" ]] && [[ "$(cat "$stamp" 2>/dev/null)" == "$want" ]]; then
        say "node tools: cached in .tools/node (${NPM_PACKAGES[*]}; node $have)"
        return 0
    fi
    say "node tools: installing ${NPM_PACKAGES[*]} into .tools/node (node $have)"
    mkdir -p "$NODE_DIR"
    # playwright-core never downloads a browser on install; Debian's chromium is used.
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix "$NODE_DIR" --save-exact \
        --no-audit --no-fund --loglevel=error "${NPM_PACKAGES[@]}"
    printf '%s\n' "$want" >"$stamp"
}

install_chromium() {
    if [[ -x "$CHROMIUM" ]]; then
        say "chromium: $("$CHROMIUM" --version 2>/dev/null || echo present)"
        return 0
    fi
    say "chromium: installing Debian's chromium"
    apt_install chromium
    [[ -x "$CHROMIUM" ]]
}

step_tools() {
    install_python_tools
    install_node_tools
}

# ---- step: validate ---------------------------------------------------------------
step_validate() {
    # On failure the validator prints the whole document: keep each line short.
    "$VENV/bin/openapi-spec-validator" "$SPEC" 2>&1 | cut -c1-400
}

# ---- step: lint ---------------------------------------------------------------------
step_lint() {
    # The sed drops Redocly's boxed Node.js 20 end-of-life notice.
    REDOCLY_TELEMETRY=off NO_UPDATE_NOTIFIER=1 "$NODE_BIN/redocly" lint "$SPEC" \
        --config "$CONTRACT/redocly.yaml" --format=stylish 2>&1 | sed '/[╔║╚]/d'
}

# ---- step: server (runs in this shell: later steps need its variables) -----------------
http_ok() { # url
    curl -fsS --max-time 2 -o /dev/null "$1" 2>/dev/null
}

# The server and `selfserve token` see only the test configuration.
server_env() {
    SERVER_ENV=(
        env -i PATH="$PATH" HOME="${HOME:-/tmp}" LANG=C.UTF-8 NO_COLOR=1 RUST_LOG=info
        SELFSERVE_BIND="127.0.0.1:$PORT"
        DATABASE_URL="$SERVER_DIR/selfserve.db"
        SELFSERVE_DATA_DIR="$SERVER_DIR"
        SELFSERVE_JWT_SECRET="$JWT_SECRET"
        SELFSERVE_CARD_FINGERPRINT_KEY="$FINGERPRINT_KEY"
        SELFSERVE_CATALOG="$ROOT/catalog.toml"
        SELFSERVE_BILLING_INTERVAL_SECS=0
        SELFSERVE_LOG_FORMAT=text
        SELFSERVE_RATE_LIMIT_WRITES=off
        SELFSERVE_RATE_LIMIT_READS=off
        SELFSERVE_METRICS_BIND=off
    )
}

start_server() {
    local bin="$ROOT/target/debug/selfserve"
    if [[ ! -x "$bin" ]]; then
        say "building target/debug/selfserve (cargo build -q -p api --bin selfserve)"
        cargo build -q -p api --bin selfserve || return 1
    fi
    SERVER_DIR="$(mktemp -d "${TMPDIR:-/tmp}/selfserve-contract.XXXXXX")" || return 1
    PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')" \
        && [[ -n "$PORT" ]] || return 1
    BASE_URL="http://127.0.0.1:$PORT"
    server_env

    # A binary older than the contract tests something else than the committed document.
    if ! (cd "$SERVER_DIR" && "${SERVER_ENV[@]}" "$bin" openapi --check --output "$ROOT/$SPEC") >/dev/null 2>&1; then
        say "warning: target/debug/selfserve does not generate $SPEC (stale binary or stale contract);"
        say "         the server is tested against the committed contract anyway (rebuild: cargo build -p api)"
    fi

    (cd "$SERVER_DIR" && exec "${SERVER_ENV[@]}" "$bin" serve >"$SERVER_DIR/server.log" 2>&1) &
    SERVER_PID=$!
    local _
    for _ in $(seq 1 120); do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            say "the server exited during start" >&2
            return 1
        fi
        http_ok "$BASE_URL/readyz" && break
        sleep 0.25
    done
    http_ok "$BASE_URL/readyz" || { say "no 200 from $BASE_URL/readyz within 30 s" >&2; return 1; }

    ADMIN_TOKEN="$(cd "$SERVER_DIR" && "${SERVER_ENV[@]}" "$bin" token --org "$ORG_ID" --user "$ADMIN_ID" --admin \
        --name "Contract Admin" --email contract-admin@example.com)" || return 1
    MEMBER_TOKEN="$(cd "$SERVER_DIR" && "${SERVER_ENV[@]}" "$bin" token --org "$ORG_ID" --user "$MEMBER_ID" \
        --name "Contract Member" --email contract-member@example.com)" || return 1
    curl -fsS --max-time 5 -o /dev/null -H "Authorization: Bearer $ADMIN_TOKEN" "$BASE_URL/v1/me" \
        || { say "the admin token is refused by GET /v1/me" >&2; return 1; }
    curl -fsS --max-time 5 -o /dev/null -H "Authorization: Bearer $MEMBER_TOKEN" "$BASE_URL/v1/me" \
        || { say "the member token is refused by GET /v1/me" >&2; return 1; }
    say "server: $BASE_URL (pid $SERVER_PID, data in $SERVER_DIR), admin and member tokens minted"
}

# ---- step: schemathesis -------------------------------------------------------------------
api() { # method path [json]: one admin request to the test server; prints the body
    local args=(-fsS --max-time 10 -X "$1" -H "Authorization: Bearer $ADMIN_TOKEN")
    [[ $# -lt 3 ]] || args+=(-H "Content-Type: application/json" --data "$3")
    curl "${args[@]}" "$BASE_URL$2"
}

json_id() { # [first]: reads JSON on stdin, prints .id (or .data[0].id)
    python3 -c 'import json, sys; d = json.load(sys.stdin); print((d["data"][0] if sys.argv[1:] else d)["id"])' "$@"
}

# Ids that exist, so that generated requests get past "no such id" (schemathesis.toml):
# the catalog's products, and what the admin creates here: a card, a billing
# profile, a member, two paid subscriptions (with their invoices; two members
# hold licenses of the first), a trial and a webhook endpoint.
seed_test_data() {
    local dir="$CONTRACT/.generated/schemathesis" address card account profile user p1 p2 p3 subs
    mkdir -p "$dir"
    python3 -c '
import json, sys, tomllib
with open(sys.argv[1], "rb") as f:
    for product in tomllib.load(f)["products"]:
        print(json.dumps(product["id"]))
' "$ROOT/catalog.toml" >"$dir/products.dict"
    { read -r p1; read -r p2; read -r p3; } < <(tr -d '"' <"$dir/products.dict")
    address='{"line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"}'
    card="$(api POST /v1/payment-methods "{\"card\": {\"number\": \"4000 0566 5566 5556\", \"exp_month\": 12, \"exp_year\": 2034, \"cvc\": \"123\", \"holder_name\": \"Contract Admin\"}, \"billing_address\": $address}" | json_id)"
    account="$(api GET /v1/billing-accounts | json_id first)"
    profile="$(api POST "/v1/billing-accounts/$account/billing-profiles" "{\"name\": \"Contract\", \"bill_to\": $address, \"invoice_email\": \"ap@example.com\", \"payment_method_id\": \"$card\"}" | json_id)"
    user="$(api POST /v1/users '{"display_name": "Contract Colleague", "email": "colleague@example.com"}' | json_id)"
    subs=(
        "$(api POST /v1/subscriptions "{\"product_id\": \"$p1\", \"license_count\": 10, \"billing_frequency\": \"monthly\", \"billing_profile_id\": \"$profile\", \"payment_method_id\": \"$card\"}" | json_id)"
        "$(api POST /v1/subscriptions "{\"product_id\": \"$p3\", \"license_count\": 20, \"billing_frequency\": \"annual\", \"billing_profile_id\": \"$profile\", \"payment_method_id\": \"$card\"}" | json_id)"
        "$(api POST /v1/subscriptions "{\"product_id\": \"$p2\", \"license_count\": 5, \"trial\": true}" | json_id)"
    )
    api POST "/v1/subscriptions/${subs[0]}/assignments" "{\"user_ids\": [\"$MEMBER_ID\", \"$user\"]}" >/dev/null
    # A public literal address: nothing resolved; the server's worker sends there only for events.
    api POST /v1/admin/webhook-endpoints '{"url": "https://93.184.216.34/contract", "events": ["*"], "description": "Contract receiver"}' \
        | json_id >"$dir/webhook-endpoints.raw"
    printf '"%s"\n' "$(cat "$dir/webhook-endpoints.raw")" >"$dir/webhook-endpoints.dict"
    printf '"%s"\n' "$card" >"$dir/payment-methods.dict"
    printf '"%s"\n' "$account" >"$dir/billing-accounts.dict"
    printf '"%s"\n' "$profile" >"$dir/billing-profiles.dict"
    printf '"%s"\n' "$ADMIN_ID" "$MEMBER_ID" "$user" >"$dir/users.dict"
    printf '"%s"\n' "${subs[@]}" >"$dir/subscriptions.dict"
    api GET /v1/invoices | python3 -c 'import json, sys; [print(json.dumps(i["id"])) for i in json.load(sys.stdin)["data"]]' >"$dir/invoices.dict"
    if [[ ! -s "$dir/invoices.dict" ]]; then # a dictionary may not be empty
        say "warning: the paid subscriptions produced no invoice; invoice ids are drawn at random"
        printf '"%s"\n' "00000000-0000-4000-8000-000000000000" >"$dir/invoices.dict"
    fi
    say "test data: $(grep -c . "$dir/products.dict") catalog products; as the admin: a card, a billing profile, a member,"
    say "           ${#subs[@]} subscriptions (2 paid, 1 trial), $(grep -c . "$dir/invoices.dict") invoice(s)"
}

write_wfc_auth() { # file: the two identities, in the Web Fuzzing Commons auth format
    ADMIN_TOKEN="$ADMIN_TOKEN" MEMBER_TOKEN="$MEMBER_TOKEN" python3 -c '
import json, os, sys
identity = lambda name, token: {"name": name, "fixedHeaders": [{"name": "Authorization", "value": "Bearer " + token}]}
doc = {"schemaVersion": "1.0", "auth": [identity("admin", os.environ["ADMIN_TOKEN"]), identity("member", os.environ["MEMBER_TOKEN"])]}
with open(sys.argv[1], "w") as f:
    json.dump(doc, f)
' "$1"
}

step_schemathesis() {
    local wfc="$SERVER_DIR/wfc-auth.json" log="$SERVER_DIR/forgiven.jsonl" rc=0
    rm -rf "$ROOT/target/schemathesis"
    seed_test_data
    write_wfc_auth "$wfc"
    local args=(
        run "$ROOT/$SPEC"
        --url "$BASE_URL"
        --checks all
        # these three are replaced by the wrappers in contract/schemathesis_hooks.py
        --exclude-checks positive_data_acceptance,negative_data_rejection,response_schema_conformance
        --phases examples,coverage,fuzzing,stateful
        --max-examples "$MAX_EXAMPLES"
        --request-timeout 10
        # one worker: with two, Hypothesis' concurrent ast.parse calls can trip CPython 3.11's
        # "AST constructor recursion depth mismatch" (a SystemError, the run errors out)
        --workers 1
        --report junit --report-dir "$ROOT/target/schemathesis"
    )
    [[ "$SEED" == "random" ]] || args+=(--seed "$SEED")
    say "schemathesis: ${MAX_EXAMPLES} examples per operation, seed ${SEED}, as admin (member as peer)"
    (
        cd "$SERVER_DIR" # Hypothesis and Schemathesis keep their scratch files here
        CONTRACT_DIR="$CONTRACT" CONTRACT_WFC="$wfc" CONTRACT_ST_LOG="$log" CONTRACT_SPEC="$ROOT/$SPEC" \
            HYPOTHESIS_STORAGE_DIRECTORY="$SERVER_DIR/hypothesis" \
            timeout 600 "$VENV/bin/schemathesis" --config-file "$CONTRACT/schemathesis.toml" "${args[@]}"
    ) || rc=$?
    echo
    python3 "$CONTRACT/schemathesis_report.py" "$log" "$CONTRACT/schemathesis_hooks.py"
    return "$rc"
}

# ---- step: typescript ------------------------------------------------------------------------
step_typescript() {
    local out="$CONTRACT/.generated"
    mkdir -p "$out"
    "$NODE_BIN/openapi-typescript" "$ROOT/$SPEC" --output "$out/api.d.ts"
    say "tsc --noEmit --strict (contract/ts/tsconfig.json)"
    "$NODE_BIN/tsc" -p "$CONTRACT/ts/tsconfig.json" --noEmit --strict
    if [[ -z "$SERVER_PID" ]]; then
        say "no server: the compiled client is not run"
        return 0
    fi
    rm -rf "$out/ts-out"
    "$NODE_BIN/tsc" -p "$CONTRACT/ts/tsconfig.json" --strict --noEmit false --outDir "$out/ts-out"
    printf '{ "type": "module" }\n' >"$out/ts-out/package.json"
    CONTRACT_BASE_URL="$BASE_URL" CONTRACT_TOKEN="$MEMBER_TOKEN" timeout 60 node "$CONTRACT/ts/smoke.mjs"
}

# ---- step: python ----------------------------------------------------------------------------
# A client package generated from the contract, then the seed flow (contract/python/seed_flow.py)
# using only that package: buy 100, total 105, assign 20, 21 refused, cancel, invoices.
step_python() {
    local out="$CONTRACT/.generated/python"
    rm -rf "$out"
    mkdir -p "$out"
    printf 'project_name_override: selfserve-client\npackage_name_override: selfserve_client\npost_hooks: []\n' >"$out/config.yaml"
    (cd "$out" && timeout 180 "$VENV/bin/openapi-python-client" generate --path "$ROOT/$SPEC" --config config.yaml --meta none \
        --output-path selfserve_client) >"$out/generate.log" 2>&1
    say "openapi-python-client: $(grep -c '^WARNING' "$out/generate.log" || true) warning(s) (see contract/.generated/python/generate.log)"
    [[ -d "$out/selfserve_client" ]] || { say "openapi-python-client generated nothing" >&2; return 1; }
    # An organisation of its own: Schemathesis may have changed the shared one's policies.
    local bin="$ROOT/target/debug/selfserve" org admin member
    org="$(python3 -c 'import uuid; print(uuid.uuid4())')"
    admin="$(cd "$SERVER_DIR" && "${SERVER_ENV[@]}" "$bin" token --org "$org" --user "$(python3 -c 'import uuid; print(uuid.uuid4())')" \
        --admin --name "Seed Admin" --email seed-admin@example.com)" || return 1
    member="$(cd "$SERVER_DIR" && "${SERVER_ENV[@]}" "$bin" token --org "$org" --user "$(python3 -c 'import uuid; print(uuid.uuid4())')" \
        --name "Seed Member" --email seed-member@example.com)" || return 1
    PYTHONPATH="$out" timeout 120 "$VENV/bin/python" "$CONTRACT/python/seed_flow.py" "$BASE_URL" "$admin" "$member"
}

# ---- step: swagger-ui --------------------------------------------------------------------------
step_swagger_ui() {
    install_chromium
    CONTRACT_BASE_URL="$BASE_URL" CONTRACT_TOKEN="$ADMIN_TOKEN" CHROMIUM="$CHROMIUM" \
        CONTRACT_SCREENSHOT="$ROOT/target/swagger-ui.png" \
        timeout 180 node "$CONTRACT/browser/swagger.mjs"
}

# ---- main -----------------------------------------------------------------------------------------
run_step tools step_tools
[[ ${SUMMARY[-1]} == *passed* ]] && TOOLS_OK=true

if $TOOLS_OK; then
    run_step spec-validator step_validate
    run_step redocly-lint step_lint
else
    skip_step spec-validator "tools missing"
    skip_step redocly-lint "tools missing"
fi

banner server
server_start=$SECONDS
if start_server; then
    record server passed $((SECONDS - server_start))
    SERVER_OK=true
else
    say "contract: step 'server' failed" >&2
    record server failed $((SECONDS - server_start))
    SERVER_OK=false
fi

if $TOOLS_OK && $SERVER_OK; then
    run_step schemathesis step_schemathesis
else
    skip_step schemathesis "needs the tools and the server"
fi
if $TOOLS_OK; then
    run_step typescript step_typescript
else
    skip_step typescript "tools missing"
fi
if $TOOLS_OK && $SERVER_OK; then
    run_step python step_python
else
    skip_step python "needs the tools and the server"
fi
if $TOOLS_OK && $SERVER_OK; then
    run_step swagger-ui step_swagger_ui
else
    skip_step swagger-ui "needs the tools and the server"
fi

banner "summary ($((SECONDS - STARTED)) s)"
printf '%s\n' "${SUMMARY[@]}"
closing="contract: $PASSED passed, $FAILED failed"
[[ $SKIPPED -eq 0 ]] || closing+=", $SKIPPED skipped"
say "$closing"
[[ $FAILED -eq 0 && $SKIPPED -eq 0 ]]
