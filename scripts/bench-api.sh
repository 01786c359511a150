#!/usr/bin/env bash
# The API's hot paths against nginx's own ceiling, measured in one run with wrk.
#
#   scripts/bench-api.sh
#
# Starts a stack of its own under a temporary folder: a private PostgreSQL
# (scripts/pg.sh, --ephemeral), scribe-fcgi built with `swift build -c release`
# into .build-bench (dispatcher off), nginx (scripts/nginx.sh), a user, a local git repository and one
# completed job (run by `scribe dispatch`). Then, with wrk -t2 -c32 -d10s, it
# measures in this order:
#
#   static     nginx sending a small file of static/ (the baseline)
#   c-hello    a C libfcgi program answering a fixed 304 (scripts/bench/fcgi-hello.c): the FastCGI floor
#   job-304    GET /api/documentation/jobs/{id} with the current ETag (from memory: no query)
#   c-row      a C libfcgi + libpq program answering the same job row as JSON (scripts/bench/fcgi-row.c)
#   job-200    the same GET without a current ETag: the rendered copy, from memory
#   job-miss   GET of a different job of a 200,000-job history each time: the cache misses, one query
#   health     GET /api/health (no token)
#   jobs-10, jobs-200k     GET /api/documentation/jobs?limit=10 in an organisation of 10 jobs,
#                          then in one of 200,000 jobs
#   repos-10, repos-20k    GET /api/repositories?limit=10 with 10, then 20,000 repositories
#   webhooks   GET /api/organisation/webhooks (an administrator's list of one webhook: one indexed query)
#   push       POST /api/hooks/github: 2,000 signed pushes of distinct commits of the documented
#              branch, each moving the repository's one queued job to its commit (the debounce)
#   push-401   the same pushes with a wrong signature (refused after the lookup and the HMAC)
#   page-static  nginx sending a job's index.html as a static file (the page baseline)
#   page       GET /api/repositories/{id}/pages/index.html: one query, then nginx sends the
#              same file from the host's page cache (X-Accel-Redirect)
#
# and, with plain HTTP requests one after another, the cost of a page's cold first read (the
# cache file removed before each request: the page comes from PostgreSQL, is checked against
# its hash and written) against a warm one.
#
# Then pickup latency (created -> running, from the jobs' own timestamps): a scribe-fcgi with its
# dispatcher on (SCRIBE_MAX_WORKERS, 4 by default) is started, one signed push queues one job alone
# (the baseline), then 20 signed pushes sent at once queue 20 jobs of 20 repositories; p50 and
# p99 of each are printed and compared.
#
# Both C programs are built by this script (cc, pkg-config fcgi libpq) and served by an nginx of
# their own with the same configuration. It prints the build it measured, req/s, p50 and p99 for
# each case, the ratio to the static baseline and to each case's own baseline, and the database
# transactions PostgreSQL counted during each case per request (from pg_stat_database).
# Everything is stopped and removed at the end.
#
# Environment: SCRIBE_BIN_DIR (skip the build, take binaries from there),
# BENCH_SWIFT_FLAGS (extra `swift build` flags; see the build section below),
# BENCH_THREADS (2), BENCH_CONNECTIONS (32), BENCH_DURATION (10s),
# BENCH_FCGI_THREADS (scribe-fcgi's accept threads, 4), BENCH_STATIC_PATH
# (/favicon.svg), BENCH_KEEP=1 (keep the temporary folder and its logs).
# Needs wrk (Debian package `wrk`; installed when missing and run as root), nginx,
# PostgreSQL, git, curl and python3 (scripts/install-deps.sh).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$root"

threads=${BENCH_THREADS:-2}
connections=${BENCH_CONNECTIONS:-32}
duration=${BENCH_DURATION:-10s}
fcgi_threads=${BENCH_FCGI_THREADS:-4}
static_path=${BENCH_STATIC_PATH:-/favicon.svg}
# Backends report their statistics at most every second and within 10 s of going
# idle (PostgreSQL 15), so each count is read that long after its run.
stats_settle=11

say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# --- tools ----------------------------------------------------------------------------------
if ! command -v wrk >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing wrk (Debian package wrk)"
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk >/dev/null 2>&1 || {
            apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk >/dev/null
        } || die "could not install wrk"
    else
        die "wrk is missing: as root run \`apt-get install -y wrk\` (Debian package wrk), then run this again"
    fi
fi
for tool in curl python3 git; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (scripts/install-deps.sh)"
done

# --- build ----------------------------------------------------------------------------------
# A release build in a scratch folder of its own, so that BENCH_SWIFT_FLAGS (extra flags,
# none by default) never invalidate .build/release. (Swift 6.3.1's optimizer spent minutes
# in loop-invariant code motion on loops without an exit; the code no longer has any, and
# BENCH_SWIFT_FLAGS='-Xswiftc -Xllvm -Xswiftc -sil-disable-pass=loop-invariant-code-motion'
# is the workaround should one come back.)
if [ -n "${SCRIBE_BIN_DIR:-}" ]; then
    bin=$SCRIBE_BIN_DIR
else
    read -r -a swift_flags <<<"${BENCH_SWIFT_FLAGS-}"
    scratch=$root/.build-bench
    for product in scribe-fcgi scribe scribe-worker; do
        scripts/fetch-grammars.sh >&2
        say "building $product (swift build -c release ${swift_flags[*]})"
        swift build -c release --scratch-path "$scratch" "${swift_flags[@]}" --product "$product" >&2
    done
    bin=$(swift build -c release --scratch-path "$scratch" "${swift_flags[@]}" --show-bin-path)
fi
for exe in scribe scribe-fcgi scribe-worker; do
    [ -x "$bin/$exe" ] || die "$bin/$exe is missing"
done

# --- stop what this script started, however it ends -----------------------------------------
# The postgres user must be able to reach the cluster's folder (pg.sh runs it as postgres
# when we are root): the folder is world-searchable, its contents private where it matters.
tmp=$(mktemp -d /tmp/scribe-bench.XXXXXX)
chmod 755 "$tmp"
mkdir -m 700 "$tmp/private"
fcgi_pid=''
c_pids=()
started_pg=0
c_nginx=()
started_nginx=0
cleaned=0
cleanup() {
    [ "$cleaned" = 1 ] && return
    cleaned=1
    trap '' INT TERM
    # Out of bash's job table, so that the processes killed below are not reported as "Killed".
    disown -a 2>/dev/null || true
    if [ -n "$fcgi_pid" ] && kill -0 "$fcgi_pid" 2>/dev/null; then
        kill -TERM "$fcgi_pid" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$fcgi_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$fcgi_pid" 2>/dev/null || true
    fi
    # libfcgi's SIGTERM handler only sets a flag: the C baselines are killed outright.
    for pid in "${c_pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    for prefix in "${c_nginx[@]}"; do scripts/nginx.sh stop "$prefix" || true; done
    [ "$started_nginx" = 1 ] && { scripts/nginx.sh stop "$tmp/nginx" || true; }
    [ "$started_pg" = 1 ] && { scripts/pg.sh stop "$tmp/pg" 55432 || true; }
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        say "kept $tmp"
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- PostgreSQL, schema, user ---------------------------------------------------------------
say "starting PostgreSQL under $tmp/pg"
scripts/pg.sh start "$tmp/pg" 55432 --ephemeral
started_pg=1
database_url=$(scripts/pg.sh url "$tmp/pg" 55432)
pg_sock=$tmp/pg/sock
psql_stat() {
    psql -X -q -t -A -h "$pg_sock" -p 55432 -U postgres -d postgres \
        -c "SELECT sum(xact_commit + xact_rollback) FROM pg_stat_database"
}

# scribe's environment: this script's settings only, none of the caller's SCRIBE_*.
while IFS='=' read -r name _; do
    case "$name" in SCRIBE_*) unset "$name" ;; esac
done < <(env)
export DATABASE_URL=$database_url
export SCRIBE_DATA_DIR=$tmp/data
export SCRIBE_SOCKET=$tmp/run/scribe-fcgi.sock
export SCRIBE_SECRET_KEY
SCRIBE_SECRET_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
export SCRIBE_ALLOW_LOCAL_REPOS=1
export SCRIBE_DISPATCHER=0 # no background queries: the job runs through `scribe dispatch`
export SCRIBE_FCGI_THREADS=$fcgi_threads
export SCRIBE_WORKER_PATH=$bin/scribe-worker
export SCRIBE_GITHUB_API=http://127.0.0.1:9
export SCRIBE_LOG_LEVEL=warning
mkdir -p "$tmp/data" "$tmp/run" "$tmp/logs"

"$bin/scribe" migrate >/dev/null
token=$("$bin/scribe" user create --org bench --email bench@localhost --admin)
[ -n "$token" ] || die "scribe user create printed no token"

# --- a small repository to document ---------------------------------------------------------
repo=$tmp/repo
mkdir -p "$repo/core" "$repo/storage"
printf '# bench\n\nA project to benchmark Scribe with.\n' >"$repo/README.md"
for m in core storage; do
    printf '"""The %s module."""\n' "$m" >"$repo/$m/__init__.py"
    printf 'def %s_entry(value):\n    """Returns value."""\n    return value\n' "$m" >"$repo/$m/api.py"
done
git_q() { GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null git -C "$repo" -c user.name=Bench -c user.email=bench@scribe.invalid "$@" >/dev/null; }
git_q init -q -b main
git_q add -A
git_q commit -q -m "Initial commit"

# --- scribe-fcgi and nginx ------------------------------------------------------------------
say "starting scribe-fcgi ($fcgi_threads threads) and nginx"
"$bin/scribe-fcgi" </dev/null >"$tmp/logs/scribe-fcgi.log" 2>&1 &
fcgi_pid=$!
for _ in $(seq 200); do
    [ -S "$SCRIBE_SOCKET" ] && break
    kill -0 "$fcgi_pid" 2>/dev/null || { cat "$tmp/logs/scribe-fcgi.log" >&2; die "scribe-fcgi exited"; }
    sleep 0.05
done
[ -S "$SCRIBE_SOCKET" ] || die "scribe-fcgi made no socket"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# A copy of static/, so that a page can be served as a plain static file too (the page baseline).
cp -r "$root/static" "$tmp/static"
scripts/nginx.sh start "$tmp/nginx" "$port" "$SCRIBE_SOCKET" "$tmp/data" "$tmp/static"
started_nginx=1
base=http://127.0.0.1:$port

# api METHOD PATH [JSON] [extra curl args…]: body, then the status on a line of its own.
# The token reaches curl on its standard input, not its command line.
api() {
    local method=$1 path=$2 data=${3:-}
    shift $(($# < 3 ? $# : 3))
    local args=(-sS -X "$method" --max-time 15 -w '\n%{http_code}' "$@")
    [ -n "$data" ] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
    printf 'header = "Authorization: Bearer %s"\n' "$token" | curl --config - "${args[@]}" "$base$path"
}
field() { python3 -c 'import json, sys; print(json.loads(sys.stdin.read().rstrip("\n").rsplit("\n", 1)[0]).get(sys.argv[1]) or "")' "$1"; }

for _ in $(seq 100); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/api/health")" = 200 ] && break
    sleep 0.1
done

# --- one completed job ------------------------------------------------------------------------
out=$(api POST /api/repositories "{\"url\": \"$repo\"}")
[ "$(tail -n1 <<<"$out")" = 201 ] || die "POST /api/repositories: $out"
repo_id=$(field id <<<"$out")
out=$(api POST /api/documentation/jobs "{\"repository_id\": \"$repo_id\"}")
[ "$(tail -n1 <<<"$out")" = 202 ] || die "POST /api/documentation/jobs: $out"
job_id=$(field id <<<"$out")
say "running job $job_id (scribe dispatch)"
"$bin/scribe" dispatch >"$tmp/logs/dispatch.log" 2>&1 || { cat "$tmp/logs/dispatch.log" >&2; die "scribe dispatch failed"; }
out=$(api GET "/api/documentation/jobs/$job_id" '' -D "$tmp/private/headers")
status=$(field status <<<"$out")
[ "$status" = completed ] || die "the job is $status, not completed: $out"
etag=$(tr -d '\r' <"$tmp/private/headers" | sed -n 's/^[Ee][Tt][Aa][Gg]: //p')
[ -n "$etag" ] || die "GET job gave no ETag"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$base$static_path")" = 200 ] || die "nginx does not serve $static_path"
# The 304 really is a 304, and the stale tag a 200.
out=$(api GET "/api/documentation/jobs/$job_id" '' -H "If-None-Match: $etag")
[ "$(tail -n1 <<<"$out")" = 304 ] || die "GET job with its ETag: $(tail -n1 <<<"$out"), not 304"
out=$(api GET "/api/documentation/jobs/$job_id" '' -H 'If-None-Match: "stale"')
[ "$(tail -n1 <<<"$out")" = 200 ] || die "GET job with a stale ETag: $(tail -n1 <<<"$out"), not 200"

# A page, read once through the API (which fills the host's cache), and the same bytes as a static file.
page_path=/api/repositories/$repo_id/pages/index.html
api GET "$page_path" '' -o "$tmp/private/page" -D "$tmp/private/page-headers" >/dev/null
page_hash=$(tr -d '\r"' <"$tmp/private/page-headers" | sed -n 's/^[Ee][Tt][Aa][Gg]: //p')
cache_file=$tmp/data/docs/cache/${page_hash:0:2}/$page_hash
[ -f "$cache_file" ] || die "GET $page_path did not fill the page cache"
[ "$(sha256sum <"$cache_file" | cut -d' ' -f1)" = "$page_hash" ] || die "the cached page does not match its ETag"
cp "$cache_file" "$tmp/static/bench-page.html"

# A webhook of the organisation, registered after the job so that nothing is sent to it.
out=$(api POST /api/organisation/webhooks '{"url": "https://hooks.example.com/bench"}')
[ "$(tail -n1 <<<"$out")" = 201 ] || die "POST /api/organisation/webhooks: $(tail -n1 <<<"$out")"

# --- a large history beside a small one ---------------------------------------------------------
# 20,000 repositories and 200,000 finished jobs in one organisation, 10 and 10 in another, made with
# plain SQL (then ANALYZE), so each list is measured against the same list at 10.
big_token=$("$bin/scribe" user create --org big --email big@localhost --admin)
small_token=$("$bin/scribe" user create --org small --email small@localhost --admin)
[ -n "$big_token" ] && [ -n "$small_token" ] || die "scribe user create printed no token"
say "loading 20,000 repositories and 200,000 jobs"
history_sql() { # ORG REPOSITORIES JOBS
    cat <<SQL
INSERT INTO repositories (organisation_id, url, name, created_at)
SELECT o.id, 'https://github.com/$1/r' || i, 'r' || i, now() - ($2 - i) * interval '1 minute'
FROM organisations o, generate_series(1, $2) i WHERE o.name = '$1';
WITH o AS (SELECT id FROM organisations WHERE name = '$1'),
     r AS (SELECT array_agg(id ORDER BY created_at, id) AS a FROM repositories WHERE organisation_id = (SELECT id FROM o))
INSERT INTO jobs (organisation_id, repository_id, status, progress, current_step, created_at, started_at, finished_at)
SELECT (SELECT id FROM o), r.a[i % $2 + 1], 'completed', 100, 'Completed', now() - ($3 - i) * interval '10 seconds', now(), now()
FROM r, generate_series(1, $3) i;
SQL
}
{ history_sql big 20000 200000; history_sql small 10 10; echo "ANALYZE;"; } | psql -X -q -v ON_ERROR_STOP=1 "$database_url" >/dev/null
# The jobs the miss case walks through, in random order.
psql -X -q -t -A "$database_url" \
    -c "SELECT j.id FROM jobs j JOIN organisations o ON o.id = j.organisation_id WHERE o.name = 'big' ORDER BY random()" \
    >"$tmp/private/ids"
[ "$(wc -l <"$tmp/private/ids")" -ge 200000 ] || die "the history was not loaded"

# --- the C baselines --------------------------------------------------------------------------
say "building the C baselines (scripts/bench/fcgi-hello.c, fcgi-row.c)"
read -r -a fcgi_flags <<<"$(pkg-config --cflags --libs fcgi)"
read -r -a pq_flags <<<"$(pkg-config --cflags --libs libpq)"
cc -O2 -Wall -o "$tmp/fcgi-hello" scripts/bench/fcgi-hello.c "${fcgi_flags[@]}" -lpthread
cc -O2 -Wall -o "$tmp/fcgi-row" scripts/bench/fcgi-row.c "${fcgi_flags[@]}" "${pq_flags[@]}" -lpthread
"$tmp/fcgi-hello" "$tmp/run/hello.sock" "$fcgi_threads" </dev/null >"$tmp/logs/fcgi-hello.log" 2>&1 &
c_pids+=($!)
BENCH_ROW_ID=$job_id "$tmp/fcgi-row" "$tmp/run/row.sock" "$fcgi_threads" </dev/null >"$tmp/logs/fcgi-row.log" 2>&1 &
c_pids+=($!)
for sock in hello row; do
    for _ in $(seq 100); do [ -S "$tmp/run/$sock.sock" ] && break; sleep 0.05; done
    [ -S "$tmp/run/$sock.sock" ] || die "the C baseline $sock made no socket: $(cat "$tmp/logs/fcgi-$sock.log")"
done
hello_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
row_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
scripts/nginx.sh start "$tmp/nginx-hello" "$hello_port" "$tmp/run/hello.sock" "$tmp/data" "$root/static"
c_nginx+=("$tmp/nginx-hello")
scripts/nginx.sh start "$tmp/nginx-row" "$row_port" "$tmp/run/row.sock" "$tmp/data" "$root/static"
c_nginx+=("$tmp/nginx-row")
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$hello_port/api/documentation/jobs/$job_id")" = 304 ] \
    || die "the C hello does not answer 304"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$row_port/api/documentation/jobs/$job_id")" = 200 ] \
    || die "the C row fetch does not answer 200"

# --- wrk --------------------------------------------------------------------------------------
# Headers come from the environment, so that the token is in no file and no argv.
cat >"$tmp/private/headers.lua" <<'LUA'
local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end
local tag = os.getenv("BENCH_IF_NONE_MATCH")
if tag and tag ~= "" then wrk.headers["If-None-Match"] = tag end

-- With BENCH_IDS, each request asks for the next job of that list; each thread starts elsewhere in it.
local ids_file = os.getenv("BENCH_IDS")
if ids_file and ids_file ~= "" then
    local ids = {}
    for line in io.lines(ids_file) do ids[#ids + 1] = line end
    local threads = 0
    setup = function(thread)
        thread:set("offset", threads * 100003)
        threads = threads + 1
    end
    local i = nil
    request = function()
        i = (i or offset or 0) + 1
        return wrk.format(nil, "/api/documentation/jobs/" .. ids[(i % #ids) + 1])
    end
end

-- With BENCH_PUSHES, each request is the next signed push of that file (signature TAB body per line).
local pushes_file = os.getenv("BENCH_PUSHES")
if pushes_file and pushes_file ~= "" then
    local pushes = {}
    for line in io.lines(pushes_file) do
        local sig, body = line:match("^([^\t]*)\t(.*)$")
        pushes[#pushes + 1] = {sig = sig, body = body}
    end
    local n = 0
    request = function()
        n = n + 1
        local p = pushes[(n % #pushes) + 1]
        return wrk.format("POST", "/api/hooks/github", {
            ["Content-Type"] = "application/json", ["X-GitHub-Event"] = "push", ["X-Hub-Signature-256"] = p.sig,
        }, p.body)
    end
end

-- One line for the caller to parse: requests, req/s, p50 and p99 (ms), non-2xx/3xx, socket errors.
done = function(summary, latency, requests)
    local e = summary.errors
    io.write(string.format("RESULT %d %.1f %.3f %.3f %d %d\n", summary.requests,
        summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
        e.status, e.connect + e.read + e.write + e.timeout))
end
LUA

# run NAME URL [TOKEN] [IF-NONE-MATCH] [IDS] [PUSHES]: one wrk run; appends "NAME requests rps p50 p99 bad xacts" to $tmp/results.
run() {
    local name=$1 url=$2 before after line
    say "wrk -t$threads -c$connections -d$duration $name"
    before=$(psql_stat)
    line=$(BENCH_TOKEN=${3:-} BENCH_IF_NONE_MATCH=${4:-} BENCH_IDS=${5:-} BENCH_PUSHES=${6:-} wrk -t"$threads" -c"$connections" -d"$duration" \
        -s "$tmp/private/headers.lua" "$url" | tee "$tmp/logs/wrk-$name.txt" | sed -n 's/^RESULT //p')
    [ -n "$line" ] || die "wrk printed no result for $name: $(cat "$tmp/logs/wrk-$name.txt")"
    sleep "$stats_settle"
    after=$(psql_stat)
    echo "$name $line $((after - before))" >>"$tmp/results"
}

# The same wait with no load: what the database counts by itself in one case's time.
say "measuring the database's idle transactions (${stats_settle}s + $duration)"
before=$(psql_stat)
sleep "$(python3 -c 'import sys; d = sys.argv[1]; print(float(d[:-1]) * {"s": 1, "m": 60}[d[-1]] if d[-1] in "sm" else float(d))' "$duration")"
sleep "$stats_settle"
echo "idle $(( $(psql_stat) - before ))" >"$tmp/results.idle"

: >"$tmp/results"
run static "$base$static_path"
run c-hello "http://127.0.0.1:$hello_port/api/documentation/jobs/$job_id"
run job-304 "$base/api/documentation/jobs/$job_id" "$token" "$etag"
run c-row "http://127.0.0.1:$row_port/api/documentation/jobs/$job_id"
run job-200 "$base/api/documentation/jobs/$job_id" "$token" '"stale"'
run job-miss "$base/api/documentation/jobs/" "$big_token" '' "$tmp/private/ids"
run health "$base/api/health"
run jobs-10 "$base/api/documentation/jobs?limit=10" "$small_token"
run jobs-200k "$base/api/documentation/jobs?limit=10" "$big_token"
run repos-10 "$base/api/repositories?limit=10" "$small_token"
run repos-20k "$base/api/repositories?limit=10" "$big_token"
run webhooks "$base/api/organisation/webhooks" "$token"

# --- the push path ------------------------------------------------------------------------------
# The secret goes to curl and python through files and the environment, never argv.
push_secret=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
printf '{"secret": "%s"}' "$push_secret" >"$tmp/private/push-secret.json"
out=$(api PUT "/api/repositories/$repo_id/push-secret" "@$tmp/private/push-secret.json")
[ "$(tail -n1 <<<"$out")" = 200 ] || die "PUT push-secret: $out"
# signed_pushes URL COUNT [WRONG]: lines "signature TAB body" of pushes of distinct made-up commits.
signed_pushes() {
    BENCH_PUSH_SECRET=$push_secret python3 - "$@" <<'PY'
import hashlib, hmac, json, os, sys
url, count = sys.argv[1], int(sys.argv[2])
secret = (os.environ["BENCH_PUSH_SECRET"] + ("-wrong" if len(sys.argv) > 3 else "")).encode()
for i in range(count):
    after = hashlib.sha1(f"{url} {i}".encode()).hexdigest()
    body = json.dumps({"ref": "refs/heads/main", "after": after, "deleted": False,
                       "repository": {"clone_url": url, "html_url": url, "full_name": "bench/repo", "default_branch": "main"}},
                      separators=(",", ":"))
    print("sha256=" + hmac.new(secret, body.encode(), hashlib.sha256).hexdigest() + "\t" + body)
PY
}
signed_pushes "$repo" 2000 >"$tmp/private/pushes"
signed_pushes "$repo" 2000 wrong >"$tmp/private/pushes-wrong"
line=$(head -n1 "$tmp/private/pushes")
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -H 'X-GitHub-Event: push' \
    -H "X-Hub-Signature-256: ${line%%$'\t'*}" --data-binary "${line#*$'\t'}" "$base/api/hooks/github")
[ "$code" = 202 ] || die "a signed push answered $code, not 202"
run push "$base/api/hooks/github" '' '' '' "$tmp/private/pushes"
run push-401 "$base/api/hooks/github" '' '' '' "$tmp/private/pushes-wrong"
queued=$(psql -X -q -t -A "$database_url" -c "SELECT count(*) FROM jobs WHERE repository_id = '$repo_id' AND status = 'queued'")
[ "$queued" = 1 ] || die "the pushes left $queued queued jobs, not 1"
# That job's commits are made up: it is cancelled before a dispatcher could run it.
psql -X -q "$database_url" -c "UPDATE jobs SET status = 'cancelled', finished_at = now() WHERE status = 'queued'" >/dev/null

# What was measured: the binaries' build and the source they came from.
build_mode=$(basename "$(dirname "$bin/scribe-fcgi")")
case "$bin" in */release | */release/) build_mode=release ;; */debug | */debug/) build_mode=debug ;; *) build_mode="from $bin" ;; esac
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- Sources 2>/dev/null || commit="$commit with uncommitted changes"
echo "$build_mode $commit" >"$tmp/results.build"
run page-static "$base/bench-page.html"
run page "$base$page_path" "$token"

# --- a page's cold first read against a warm one ------------------------------------------------
say "timing cold and warm page reads (200 each)"
BENCH_TOKEN=$token python3 - "$port" "$page_path" "$cache_file" >"$tmp/results.cold" <<'PY'
import http.client, os, statistics, sys, time
port, path, cache_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]
headers = {"Authorization": "Bearer " + os.environ["BENCH_TOKEN"]}
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
def read(cold):
    if cold:
        os.unlink(cache_file)
    t0 = time.perf_counter()
    conn.request("GET", path, headers=headers)
    r = conn.getresponse()
    body = r.read()
    elapsed = (time.perf_counter() - t0) * 1000
    assert r.status == 200 and body, r.status
    return elapsed
for cold in (False, True):
    times = [read(cold) for _ in range(200)]
    print("cold" if cold else "warm", f"{statistics.median(times):.3f}", f"{statistics.mean(times):.3f}",
          f"{sorted(times)[int(len(times) * 0.99) - 1]:.3f}")
PY

# --- pickup latency: created -> running -----------------------------------------------------------
say "pickup latency: one job alone, then 20 queued at once by 20 signed pushes"
head_commit=$(git -C "$repo" rev-parse HEAD)
pick_ids=()
for i in $(seq 0 20); do
    cp -r "$repo" "$tmp/pick$i"
    out=$(api POST /api/repositories "{\"url\": \"$tmp/pick$i\"}")
    [ "$(tail -n1 <<<"$out")" = 201 ] || die "POST /api/repositories: $out"
    pick_ids+=("$(field id <<<"$out")")
    out=$(api PUT "/api/repositories/${pick_ids[$i]}/push-secret" "@$tmp/private/push-secret.json")
    [ "$(tail -n1 <<<"$out")" = 200 ] || die "PUT push-secret: $out"
done
SCRIBE_DISPATCHER=1 SCRIBE_SOCKET=$tmp/run/dispatch.sock "$bin/scribe-fcgi" </dev/null >"$tmp/logs/dispatcher.log" 2>&1 &
c_pids+=($!)
for _ in $(seq 200); do [ -S "$tmp/run/dispatch.sock" ] && break; sleep 0.05; done
[ -S "$tmp/run/dispatch.sock" ] || die "the dispatching scribe-fcgi made no socket: $(cat "$tmp/logs/dispatcher.log")"
sleep 1
BENCH_PUSH_SECRET=$push_secret python3 - "$port" "$head_commit" "$database_url" "$tmp" >"$tmp/results.pickup" <<'PY'
import hashlib, hmac, json, os, subprocess, sys, threading, time, http.client
port, commit, db, tmp = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
secret = os.environ["BENCH_PUSH_SECRET"].encode()
def push(i):
    url = f"{tmp}/pick{i}"
    body = json.dumps({"ref": "refs/heads/main", "after": commit, "repository": {"clone_url": url, "default_branch": "main"}}).encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/api/hooks/github", body=body, headers={
        "Content-Type": "application/json", "X-GitHub-Event": "push",
        "X-Hub-Signature-256": "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()})
    r = conn.getresponse()
    answer = json.loads(r.read())
    assert r.status == 202, (r.status, answer)
    return answer["repositories"][0]["job_id"]
def sql(q):
    return subprocess.run(["psql", "-X", "-q", "-t", "-A", db, "-c", q], check=True, capture_output=True, text=True).stdout.split()
def pickup(ids):
    quoted = ",".join(f"'{i}'" for i in ids)
    deadline = time.time() + 600
    while time.time() < deadline:
        if sql(f"SELECT count(*) FROM jobs WHERE id IN ({quoted}) AND status IN ('queued', 'running')") == ["0"]:
            break
        time.sleep(0.2)
    ms = sorted(float(x) for x in sql(
        f"SELECT extract(epoch FROM started_at - created_at) * 1000 FROM jobs WHERE id IN ({quoted}) AND started_at IS NOT NULL"))
    ended = sql(f"SELECT status || ':' || count(*) FROM jobs WHERE id IN ({quoted}) GROUP BY status")
    assert len(ms) == len(ids), (len(ms), ended)
    return ms, ended
def pct(ms, p):
    return ms[min(len(ms) - 1, max(0, int(round(p / 100 * len(ms) + 0.5)) - 1))]
alone, ended = pickup([push(0)])
print("alone", f"{pct(alone, 50):.1f}", f"{pct(alone, 99):.1f}", 1, ",".join(ended))
ids, threads = [], []
lock = threading.Lock()
def one(i):
    j = push(i)
    with lock:
        ids.append(j)
for i in range(1, 21):
    threads.append(threading.Thread(target=one, args=(i,)))
for t in threads: t.start()
for t in threads: t.join()
burst, ended = pickup(ids)
print("burst", f"{pct(burst, 50):.1f}", f"{pct(burst, 99):.1f}", len(burst), ",".join(ended))
PY

# --- report -------------------------------------------------------------------------------------
python3 - "$tmp/results" "$tmp/results.idle" "$threads" "$connections" "$duration" "$fcgi_threads" "$static_path" "$tmp/results.build" <<'PY'
import sys

results, idle_file, threads, conns, duration, fcgi_threads, static_path, build_file = sys.argv[1:]
build = open(build_file).read().split(maxsplit=1)
idle = int(open(idle_file).read().split()[1])
rows = []
for line in open(results):
    name, requests, rps, p50, p99, bad, errors, xacts = line.split()
    rows.append((name, int(requests), float(rps), float(p50), float(p99), int(bad), int(errors), int(xacts)))
base = rows[0][2]
labels = {
    "static": f"nginx static file ({static_path})",
    "c-hello": "C libfcgi hello (304)",
    "job-304": "GET job, current ETag (304)",
    "c-row": "C libfcgi + libpq, the job row",
    "job-200": "GET job, 200 from memory",
    "job-miss": "GET job, 200, cache miss",
    "health": "GET /api/health",
    "jobs-10": "GET jobs?limit=10, 10 jobs",
    "jobs-200k": "GET jobs?limit=10, 200,000 jobs",
    "repos-10": "GET repositories?limit=10, 10",
    "repos-20k": "GET repositories?limit=10, 20,000",
    "webhooks": "GET organisation webhooks (1)",
    "push": "POST hooks/github, signed (moved)",
    "push-401": "POST hooks/github, bad signature",
    "page-static": "nginx static file (the same page)",
    "page": "GET page (X-Accel-Redirect, cached)",
}
print()
print(f"build measured: scribe-fcgi {build[0]}, commit {build[1].strip()}")
print(f"wrk -t{threads} -c{conns} -d{duration}, scribe-fcgi with {fcgi_threads} accept threads, loopback")
print(f"{'case':<34} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'x static':>9} {'db xacts':>9} {'per req':>8}  bad")
for name, requests, rps, p50, p99, bad, errors, xacts in rows:
    per = max(xacts - idle, 0) / requests if requests else 0.0
    print(f"{labels[name]:<34} {rps:>9,.0f} {p50:>8.2f} {p99:>8.2f} {rps / base:>9.2f} {xacts:>9,} {per:>8.4f}  {bad + errors}")
print(f"(db xacts: transactions PostgreSQL counted during the case and its {11} s settle; "
      f"the same wait idle counted {idle}, subtracted in 'per req'; 'bad': non-2xx/3xx answers and socket errors)")
print()
print("STACK-NOTES ceilings on this kind of machine (same wrk settings):")
print("  nginx static file ~40,000 req/s | Swift libfcgi hello world ~20,000 (0.50 x static)"
      " | + one libpq query ~10,500-11,400 (0.26-0.29 x static)")
r = {row[0]: row for row in rows}
print()
print("Against the baselines measured in this run (goal in brackets):")
def ratio(a, b, goal=None):
    # goal: the least ratio wanted, or None where none is set.
    if a in r and b in r:
        x = r[a][2] / r[b][2]
        verdict = "" if goal is None else f"[goal >= {goal:.2f}] {'met' if x >= goal else 'MISSED'}"
        print(f"  {labels[a]:<34} / {labels[b]:<34} = {x:5.2f}  {verdict}")
ratio("job-304", "c-hello", 0.95)
ratio("job-200", "c-row", 1.0)
ratio("job-miss", "c-row")
ratio("job-200", "job-304")
# The lists' goal is a cost within 1.5x of the same list at 10 rows: throughput at least 1/1.5 of it.
ratio("jobs-200k", "jobs-10", 1 / 1.5)
ratio("repos-20k", "repos-10", 1 / 1.5)
ratio("page", "page-static")
ratio("push", "c-row")
ratio("push-401", "health")
cold_file = results.replace("results", "results.cold")
cold = {line.split()[0]: [float(x) for x in line.split()[1:]] for line in open(cold_file)}
if cold:
    print(f"  page read one at a time, ms (p50 / mean / p99): warm {' / '.join(f'{x:.2f}' for x in cold['warm'])}, "
          f"cold (from PostgreSQL, hash checked, file written) {' / '.join(f'{x:.2f}' for x in cold['cold'])}; "
          f"a cold read costs {cold['cold'][0] - cold['warm'][0]:+.2f} ms at the median")
pickup_file = results.replace("results", "results.pickup")
pickup = {line.split()[0]: line.split()[1:] for line in open(pickup_file)}
if pickup:
    a, b = pickup["alone"], pickup["burst"]
    print(f"  pickup latency, created -> running, ms: one job alone p50 {a[0]} / p99 {a[1]} (baseline, {a[3]}); "
          f"{b[2]} jobs queued at once by signed pushes p50 {b[0]} / p99 {b[1]} ({b[3]}); "
          f"burst p50 / alone p50 = {float(b[0]) / max(float(a[0]), 0.1):.1f}")
# The push and push-401 cases answer 2xx and 401 by design: only socket errors count there.
rows = [row if row[0] != "push-401" else row[:5] + (0,) + row[6:] for row in rows]
if any(row[5] or row[6] for row in rows):
    print("WARNING: some answers were not 2xx/3xx or failed (see the 'bad' column)")
    sys.exit(1)
PY
