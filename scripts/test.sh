#!/usr/bin/env bash
# The test command: the whole workspace on SQLite, then again on PostgreSQL
# when TEST_DATABASE_URL names a server (one fresh schema per test there).
# Tests named `postgres_only_*` / `sqlite_only_*` exercise one backend's own
# failure modes; they are filtered out (and reported so) on the other pass.
set -euo pipefail
cd "$(dirname "$0")/.."

# Checked up front: the harness quietly falls back to SQLite for any other URL,
# which would make the "PostgreSQL" pass a second SQLite pass.
case "${TEST_DATABASE_URL:-}" in
    "" | postgres://* | postgresql://*) ;;
    *)
        echo "TEST_DATABASE_URL must be a postgres:// URL" >&2
        exit 2
        ;;
esac

# The invoice PDF tests read PDFs with poppler's pdftotext; install it on a
# fresh Debian machine (as root, as on the project's machines and CI).
if ! command -v pdftotext >/dev/null 2>&1; then
    echo "==> installing poppler-utils (pdftotext) for the invoice PDF tests"
    if [[ "$(id -u)" == "0" ]]; then
        apt-get update -qq && apt-get install -y -qq poppler-utils
    else
        sudo apt-get update -qq && sudo apt-get install -y -qq poppler-utils
    fi
fi

echo "==> tests on SQLite (a fresh database file per test)"
# Unset for this pass even when exported, so it really is SQLite.
env -u TEST_DATABASE_URL cargo test --workspace -- --skip postgres_only_

if [[ -n "${TEST_DATABASE_URL:-}" ]]; then
    # Name the target without the query string or any password in the URL.
    echo "==> tests on PostgreSQL (a fresh schema per test in ${TEST_DATABASE_URL%%\?*})" \
        | sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#'
    export TEST_DATABASE_URL
    cargo test --workspace -- --skip sqlite_only_
else
    echo "PostgreSQL run skipped: TEST_DATABASE_URL is not set"
fi
