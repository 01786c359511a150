#!/usr/bin/env bash
# The LLM generator's benchmark: a 50-module job against the OpenAI-compatible stand-in
# (tests/standins/llm.py) answering after a fixed delay, through the real stack (nginx,
# scribe-fcgi, scribe-worker, PostgreSQL). Prints the generation phase's wall time against the
# ideal 50 × 3 layers × delay / concurrency, and their ratio (goal: under 1.2).
#
#   scripts/bench-llm.sh [--modules N] [--delay SECONDS] [--concurrency N]
#
# Builds what is missing (SCRIBE_BIN_DIR skips the build), starts a private PostgreSQL under a
# temporary folder (removed at the end, whatever happens). Needs nginx, git and python3, as the
# end-to-end tests do (scripts/install-deps.sh --test).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$root"

say() { printf 'bench-llm: %s\n' "$*" >&2; }

if [ -z "${SCRIBE_BIN_DIR:-}" ]; then
    say "building (debug)"
    for product in scribe scribe-fcgi scribe-worker; do
        swift build --product "$product" >&2
    done
    SCRIBE_BIN_DIR=$(swift build --show-bin-path)
fi
export SCRIBE_BIN_DIR

tmp=$(mktemp -d "${TMPDIR:-/tmp}/scribe-bench-llm.XXXXXX")
# A folder of its own: as root, pg.sh hands it to the postgres user.
pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/scribe-bench-llm-pg.XXXXXX")
pg_port=$((56000 + RANDOM % 1000))  # names the socket only: the cluster listens on no TCP port
cleanup() {
    scripts/pg.sh stop "$pg_dir" "$pg_port" >/dev/null 2>&1 || true
    rm -rf "$tmp" "$pg_dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "starting PostgreSQL in $pg_dir"
scripts/pg.sh start "$pg_dir" "$pg_port" --ephemeral >&2
DATABASE_URL=$(scripts/pg.sh url "$pg_dir" "$pg_port")
export DATABASE_URL

say "running a job (this takes about modules x 3 x delay / concurrency seconds, plus setup)"
python3 scripts/bench_llm.py --work-dir "$tmp" "$@"
