#!/usr/bin/env bash
# `make run`: Scribe on this machine, documenting its own repository.
#
# Builds, starts a private PostgreSQL under var/pg (unless DATABASE_URL is set),
# migrates, makes an organisation "dev" with an admin dev@localhost, registers this
# project's folder as a repository, starts scribe-fcgi and nginx on 127.0.0.1:8080
# (SCRIBE_PORT to change it), asks for documentation and follows the job. Then it
# stays up until Ctrl-C, which stops everything it started. SCRIBE_BIN_DIR skips the
# build and takes the binaries from that folder.
#
# Everything lives under var/: pg/ (database), data/ (SCRIBE_DATA_DIR), run/ (socket),
# nginx/, logs/, secret.key (SCRIBE_SECRET_KEY, made once), dev.token (the API token).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$root"

port=${SCRIBE_PORT:-8080}
pg_port=${SCRIBE_PG_PORT:-5432}
var=$root/var
base=http://127.0.0.1:$port

say() { printf 'run: %s\n' "$*"; }
die() { printf 'run: %s\n' "$*" >&2; exit 1; }

# --- stop what this script started, once, however it ends ---------------------------
fcgi_pid=''
started_pg=0
started_nginx=0
cleaned=0
cleanup() {
    [ "$cleaned" = 1 ] && return
    cleaned=1
    trap '' INT TERM
    if [ -n "$fcgi_pid" ] && kill -0 "$fcgi_pid" 2>/dev/null; then
        say "stopping scribe-fcgi"
        kill -TERM "$fcgi_pid" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$fcgi_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$fcgi_pid" 2>/dev/null || true
    fi
    rm -f "$var/run/scribe-fcgi.pid"
    if [ "$started_nginx" = 1 ]; then
        say "stopping nginx"
        scripts/nginx.sh stop "$var/nginx" || true
    fi
    if [ "$started_pg" = 1 ]; then
        say "stopping PostgreSQL"
        scripts/pg.sh stop "$var/pg" "$pg_port" || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- JSON and HTTP helpers --------------------------------------------------------------
# json FIELD[.FIELD…] < body: prints that field ('' when missing or null).
json() {
    python3 -c '
import json, sys
try:
    value = json.load(sys.stdin)
    for key in sys.argv[1].split("."):
        value = value.get(key) if isinstance(value, dict) else None
except ValueError:
    value = None
print("" if value is None else value)
' "$1"
}

# api METHOD PATH [JSON]: prints the body, then the HTTP status on a line of its own.
# The token goes to curl on its standard input, never on its command line.
api() {
    local args=(-sS -X "$1" --max-time 15 -w '\n%{http_code}')
    [ $# -ge 3 ] && args+=(-H 'Content-Type: application/json' --data-binary "$3")
    printf 'header = "Authorization: Bearer %s"\n' "${token:-}" | curl --config - "${args[@]}" "$base$2"
}
body_of() { sed '$d' <<<"$1"; }
status_of() { tail -n 1 <<<"$1"; }

# --- build --------------------------------------------------------------------------------
scripts/install-deps.sh
if [ -n "${SCRIBE_BIN_DIR:-}" ]; then
    bin=$SCRIBE_BIN_DIR    # binaries built elsewhere (a release build, say)
else
    say "building"
    swift build
    bin=$(swift build --show-bin-path)
fi
for exe in scribe scribe-fcgi scribe-worker; do
    [ -x "$bin/$exe" ] || die "$bin/$exe is missing after swift build"
done

mkdir -p "$var/data" "$var/run" "$var/logs"

if [ -f "$var/run/scribe-fcgi.pid" ] && kill -0 "$(cat "$var/run/scribe-fcgi.pid")" 2>/dev/null; then
    die "scribe-fcgi already runs from $var (pid $(cat "$var/run/scribe-fcgi.pid")): is 'make run' open elsewhere?"
fi

# --- configuration ---------------------------------------------------------------------------
if [ -z "${SCRIBE_SECRET_KEY:-}" ]; then
    if [ ! -s "$var/secret.key" ]; then
        (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$var/secret.key")
        say "made a new secret key in var/secret.key"
    fi
    SCRIBE_SECRET_KEY=$(<"$var/secret.key")
fi
export SCRIBE_SECRET_KEY
export SCRIBE_DATA_DIR=$var/data
export SCRIBE_SOCKET=$var/run/scribe-fcgi.sock
export SCRIBE_ALLOW_LOCAL_REPOS=1
export SCRIBE_LOG_LEVEL=${SCRIBE_LOG_LEVEL:-info}

if [ -z "${DATABASE_URL:-}" ]; then
    say "starting PostgreSQL in var/pg"
    scripts/pg.sh start "$var/pg" "$pg_port"
    started_pg=1
    DATABASE_URL=$(scripts/pg.sh url "$var/pg" "$pg_port")
fi
export DATABASE_URL

say "migrating"
"$bin/scribe" migrate

# --- serve ------------------------------------------------------------------------------------
say "starting scribe-fcgi (log: var/logs/scribe-fcgi.log)"
"$bin/scribe-fcgi" </dev/null >>"$var/logs/scribe-fcgi.log" 2>&1 &
fcgi_pid=$!
echo "$fcgi_pid" >"$var/run/scribe-fcgi.pid"

say "starting nginx on $base"
scripts/nginx.sh start "$var/nginx" "$port" "$SCRIBE_SOCKET" "$SCRIBE_DATA_DIR" "$root/static"
started_nginx=1

ready=0
deadline=$((SECONDS + 30))
while [ "$SECONDS" -lt "$deadline" ]; do
    kill -0 "$fcgi_pid" 2>/dev/null || break
    if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$base/api/health")" = 200 ]; then
        ready=1
        break
    fi
    sleep 0.1
done
if [ "$ready" != 1 ]; then
    tail -n 20 "$var/logs/scribe-fcgi.log" >&2 || true
    die "scribe-fcgi did not answer /api/health"
fi

# --- a user, a token, a repository -----------------------------------------------------------
token=''
if [ -s "$var/dev.token" ]; then
    token=$(<"$var/dev.token")
    [ "$(status_of "$(api GET /api/me)")" = 200 ] || token=''
fi
if [ -z "$token" ]; then
    if ! token=$("$bin/scribe" user create --org dev --email dev@localhost --admin 2>>"$var/logs/cli.log"); then
        token=$("$bin/scribe" token create --email dev@localhost)
    fi
    (umask 077 && printf '%s\n' "$token" >"$var/dev.token")
fi

# `scribe repo add` prints the id, also of a repository registered before.
if ! repo_id=$("$bin/scribe" repo add "$root" --org dev 2>>"$var/logs/cli.log"); then
    repo_id=$(api GET /api/repositories | sed '$d' | python3 -c '
import json, sys
for repo in json.load(sys.stdin).get("repositories", []):
    if repo.get("url") in (sys.argv[1], "file://" + sys.argv[1]):
        print(repo["id"])
        break
' "$root")
    [ -n "$repo_id" ] || die "could not register $root (see var/logs/cli.log)"
fi
say "repository $root is $repo_id"

# --- a job, followed to its end -----------------------------------------------------------------
answer=$(api POST /api/documentation/jobs "{\"repository_id\": \"$repo_id\"}")
case "$(status_of "$answer")" in
    202) job_id=$(body_of "$answer" | json id) ;;
    409) job_id=$(body_of "$answer" | json job_id); say "a job was already active" ;;
    *) die "enqueue failed: $(status_of "$answer") $(body_of "$answer")" ;;
esac
[ -n "$job_id" ] || die "no job id in: $(body_of "$answer")"
say "job $job_id"

last=''
deadline=$((SECONDS + 900))
status=''
while [ "$SECONDS" -lt "$deadline" ]; do
    answer=$(api GET "/api/documentation/jobs/$job_id") || true
    if [ "$(status_of "$answer")" = 200 ]; then
        line=$(body_of "$answer" | python3 -c '
import json, sys
j = json.load(sys.stdin)
status, step = j["status"], j.get("current_step") or ""
objects = "%s/%s" % (j.get("processed_objects") or 0, j.get("total_objects") or 0)
print("%s\t[%3d%%] %-9s %7s  %s" % (status, j.get("progress") or 0, status, objects, step))
')
        status=${line%%$'\t'*}
        if [ "${line#*$'\t'}" != "$last" ]; then
            last=${line#*$'\t'}
            printf '  %s\n' "$last"
        fi
        case "$status" in completed | failed | cancelled) break ;; esac
    fi
    kill -0 "$fcgi_pid" 2>/dev/null || break
    sleep 1
done
if [ "$status" = failed ]; then
    say "the job failed: $(api GET "/api/documentation/jobs/$job_id" | sed '$d' | json error_message)"
fi

cat <<EOF

  Scribe runs at  $base/
  API token       $token
  (also in var/dev.token; logs in var/logs/)

  Ctrl-C stops scribe-fcgi, nginx and the private PostgreSQL.
EOF

# Until Ctrl-C, or until scribe-fcgi ends on its own.
wait "$fcgi_pid" || true
say "scribe-fcgi exited; the end of its log:"
tail -n 20 "$var/logs/scribe-fcgi.log" >&2 || true
exit 1
