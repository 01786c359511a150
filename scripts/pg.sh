#!/usr/bin/env bash
# A private PostgreSQL cluster in a folder of its own, reachable only through a
# unix socket inside that folder: no system service, no TCP port, no password.
#
#   scripts/pg.sh start  DIR PORT [--ephemeral]   create (first time) and start; ok if running
#   scripts/pg.sh stop   DIR [PORT]               fast shutdown; ok if not running
#   scripts/pg.sh status DIR [PORT]               exit 0 when running
#   scripts/pg.sh url    DIR PORT                 print a libpq URI to database "scribe",
#                                                 creating that database when missing
#
# --ephemeral is for throwaway test clusters: no fsync, no synchronous commit,
# no full-page writes. Never use it for data you want to keep.
#
# Layout: DIR/data (the cluster), DIR/sock (the socket), DIR/postgres.log.
# PostgreSQL refuses to run as root, so as root the cluster runs as the
# `postgres` user (via runuser) and DIR belongs to it.
set -euo pipefail

usage() {
    sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

[ $# -ge 2 ] || usage
cmd=$1
dir=$2
port=${3:-5432}
ephemeral=0
if [ "${4:-}" = --ephemeral ]; then
    ephemeral=1
elif [ -n "${4:-}" ]; then
    usage
fi
case "$port" in
    '' | *[!0-9]*) echo "pg.sh: PORT must be a number, got '$port'" >&2; exit 2 ;;
esac

# Absolute paths: the server resolves them from its own working directory.
if [ "$cmd" = start ]; then
    mkdir -p "$dir"
elif [ ! -d "$dir" ]; then
    [ "$cmd" = url ] && echo "pg.sh: no cluster in $dir" >&2
    [ "$cmd" = stop ] && exit 0
    exit 1
fi
dir=$(cd "$dir" && pwd -P)
data=$dir/data
sock=$dir/sock
log=$dir/postgres.log

find_bindir() {
    local d
    # Debian keeps the server programs out of PATH, one folder per major version.
    for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
        if [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ]; then
            echo "$d"
            return
        fi
    done
    if command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v pg_ctl)"
        return
    fi
    echo "pg.sh: PostgreSQL server programs not found (run scripts/install-deps.sh)" >&2
    exit 1
}
bindir=$(find_bindir)

# Run a server program as the cluster's owner.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

running() {
    [ -f "$data/PG_VERSION" ] && as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1
}

# postgresql.conf string literal: single quotes doubled.
conf_quote() {
    printf "'%s'" "${1//\'/\'\'}"
}

# Percent-encode a path for the query part of a libpq URI.
uri_encode() {
    local s=$1 out='' c i
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        case "$c" in
            [A-Za-z0-9/._~-]) out+=$c ;;
            *) out+=$(printf '%%%02X' "'$c") ;;
        esac
    done
    printf '%s' "$out"
}

init_cluster() {
    if [ "$(id -u)" -eq 0 ]; then
        if ! id postgres >/dev/null 2>&1; then
            echo "pg.sh: running as root needs the 'postgres' user (package postgresql)" >&2
            exit 1
        fi
        chown postgres: "$dir"
        # Searchable but not listable: services that run as other users (Apache as an ordinary user,
        # in the deployment tests) reach the socket below it; the data folder itself stays 0700.
        chmod 711 "$dir"
        # Every parent must let the postgres user through, or the server cannot reach DIR.
        if ! runuser -u postgres -- test -x "$dir"; then
            echo "pg.sh: the postgres user cannot reach $dir (a parent folder is not searchable);" >&2
            echo "pg.sh: choose a DIR under /tmp or /var, or make the parents searchable" >&2
            exit 1
        fi
    fi
    local flags=(-D "$data" -U postgres -A trust -E UTF8 --no-locale)
    [ "$ephemeral" = 1 ] && flags+=(--no-sync)
    as_owner "$bindir/initdb" "${flags[@]}" >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 1
    }
    # Settings that belong to this script live in their own file, rewritten at each start.
    echo "include_if_exists = 'scribe-local.conf'" | as_owner tee -a "$data/postgresql.conf" >/dev/null
}

write_local_conf() {
    {
        echo "# Written by scripts/pg.sh at each start; edits are lost."
        echo "listen_addresses = ''"
        echo "unix_socket_directories = $(conf_quote "$sock")"
        echo "unix_socket_permissions = 0777"
        echo "max_connections = 200"
        if [ "$ephemeral" = 1 ]; then
            echo "fsync = off"
            echo "synchronous_commit = off"
            echo "full_page_writes = off"
        fi
    } | as_owner tee "$data/scribe-local.conf" >/dev/null
}

start() {
    if running; then
        return 0
    fi
    local socket_path="$sock/.s.PGSQL.$port"
    if [ ${#socket_path} -gt 107 ]; then
        echo "pg.sh: socket path too long for a unix socket (${#socket_path} > 107): $socket_path" >&2
        exit 1
    fi
    [ -f "$data/PG_VERSION" ] || init_cluster
    as_owner mkdir -p "$sock"
    write_local_conf
    if ! as_owner "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 60 -o "-p $port" start >/dev/null; then
        echo "pg.sh: PostgreSQL did not start; the end of $log:" >&2
        tail -n 20 "$log" >&2 || true
        exit 1
    fi
}

stop() {
    if running; then
        as_owner "$bindir/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null
    fi
}

url() {
    if ! running; then
        echo "pg.sh: no cluster running in $dir (scripts/pg.sh start $dir $port)" >&2
        exit 1
    fi
    local psql=("$bindir/psql" -X -q -h "$sock" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1)
    [ -x "$bindir/psql" ] || psql[0]=psql
    if [ -z "$("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = 'scribe'")" ]; then
        # Two callers racing here: the loser's CREATE fails with duplicate_database (42P04).
        "${psql[@]}" -c 'CREATE DATABASE scribe' 2>/dev/null ||
            [ -n "$("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = 'scribe'")" ]
    fi
    printf 'postgresql://postgres@/scribe?host=%s&port=%s\n' "$(uri_encode "$sock")" "$port"
}

case "$cmd" in
    start) start ;;
    stop) stop ;;
    status) running ;;
    url) url ;;
    *) usage ;;
esac
