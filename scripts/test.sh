#!/usr/bin/env bash
# `make test`: every test, against a throwaway PostgreSQL.
#
#   scripts/test.sh [--no-swift] [--no-e2e] [PYTEST ARGS…]
#
# Installs what is missing, builds (tests included), starts a private PostgreSQL
# cluster in a temporary folder (fsync off), then runs `swift test` (unit and store
# tests; they read DATABASE_URL) and `pytest tests/` (end-to-end and browser tests
# through the real nginx, scribe-fcgi and scribe-worker). The cluster is removed
# whatever happens. Exits non-zero if anything failed.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$root"

run_swift=1
run_e2e=1
pytest_args=()
for arg in "$@"; do
    case "$arg" in
        --no-swift) run_swift=0 ;;
        --no-e2e) run_e2e=0 ;;
        *) pytest_args+=("$arg") ;;
    esac
done

say() { printf '\ntest: %s\n' "$*"; }

scripts/install-deps.sh --test

say "building"
swift build --build-tests
SCRIBE_BIN_DIR=$(swift build --show-bin-path)
export SCRIBE_BIN_DIR

pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/scribe-test-pg.XXXXXX")
cleanup() {
    scripts/pg.sh stop "$pg_dir" || true
    rm -rf "$pg_dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "starting PostgreSQL in $pg_dir"
scripts/pg.sh start "$pg_dir" 5432 --ephemeral
DATABASE_URL=$(scripts/pg.sh url "$pg_dir" 5432)
export DATABASE_URL

failed=()

if [ "$run_swift" = 1 ]; then
    say "swift test"
    # Swift Testing runs tests in parallel within the process by default.
    swift test --skip-build || failed+=("swift test")
fi

if [ "$run_e2e" = 1 ]; then
    say "pytest tests/"
    # A hung test must not eat CI's time: the whole run is bounded.
    status=0
    timeout --kill-after=30 900 python3 -m pytest -q tests/ "${pytest_args[@]}" || status=$?
    case "$status" in
        0) ;;
        124 | 137) failed+=("pytest (timed out after 15 minutes)") ;;
        5) failed+=("pytest (no test collected)") ;;
        *) failed+=("pytest") ;;
    esac
fi

if [ ${#failed[@]} -gt 0 ]; then
    say "FAILED: ${failed[*]}"
    exit 1
fi
say "all passed"
