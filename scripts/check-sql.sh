#!/usr/bin/env bash
# The rule "SQL only in ScribeStore": no Swift file outside Sources/ScribeStore holds SQL text or calls a
# connection's raw query. `make lint` runs it, and so does a test (tests/e2e/test_layout.py).
#
#   scripts/check-sql.sh [ROOT]     exit 0 if the rule holds, 1 with the offending lines if not
set -euo pipefail

root=${1:-$(cd "$(dirname "$0")/.." && pwd -P)}
cd "$root"

# Statements as they start inside a string literal, LISTEN/NOTIFY, and the raw calls of `Connection`.
pattern='"[^"]*\b(SELECT|INSERT[[:space:]]+INTO|UPDATE[[:space:]]+[a-z_]+[[:space:]]+SET|DELETE[[:space:]]+FROM|LISTEN|NOTIFY|pg_notify|BEGIN|COMMIT|ROLLBACK|CREATE[[:space:]]+(TABLE|INDEX|DATABASE))\b|^[[:space:]]*(SELECT|INSERT|UPDATE|DELETE|WITH)[[:space:]].*\b(FROM|INTO|SET|AS)\b|\.(query|execute)\([[:space:]]*"'

hits=$(grep -rnE --include='*.swift' "$pattern" Sources | grep -v '^Sources/ScribeStore/' || true)
if [ -n "$hits" ]; then
    echo "SQL outside Sources/ScribeStore (add a store method instead):" >&2
    echo "$hits" >&2
    exit 1
fi
echo "check-sql: SQL only in Sources/ScribeStore"
