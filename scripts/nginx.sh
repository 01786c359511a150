#!/usr/bin/env bash
# A private nginx in front of scribe-fcgi: no system service, everything under PREFIXDIR.
#
#   scripts/nginx.sh start PREFIXDIR PORT SOCKET DATADIR STATICDIR
#   scripts/nginx.sh stop  PREFIXDIR
#
# start renders nginx/scribe-dev.conf.in into PREFIXDIR/conf/nginx.conf, checks it,
# and starts nginx as a daemon listening on 127.0.0.1:PORT (pid in PREFIXDIR/nginx.pid).
# If it already runs from PREFIXDIR it is reloaded with the new configuration.
# SOCKET is scribe-fcgi's unix socket; DATADIR is SCRIBE_DATA_DIR (pages are sent
# from DATADIR/docs/); STATICDIR is the status page (static/).
set -euo pipefail

usage() {
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

root=$(cd "$(dirname "$0")/.." && pwd -P)
template=$root/nginx/scribe-dev.conf.in

[ $# -ge 2 ] || usage
cmd=$1
prefix=$2

nginx_bin=$(command -v nginx || true)
[ -n "$nginx_bin" ] || for c in /usr/sbin/nginx /usr/local/sbin/nginx; do [ -x "$c" ] && nginx_bin=$c; done
if [ -z "$nginx_bin" ]; then
    echo "nginx.sh: nginx not found (run scripts/install-deps.sh)" >&2
    exit 1
fi

# pid of the nginx master serving PREFIXDIR, if it is alive.
master_pid() {
    local pid
    [ -f "$prefix/nginx.pid" ] || return 1
    pid=$(cat "$prefix/nginx.pid" 2>/dev/null) || return 1
    case "$pid" in '' | *[!0-9]*) return 1 ;; esac
    kill -0 "$pid" 2>/dev/null || return 1
    echo "$pid"
}

# Paths go into quoted nginx strings; refuse what could break out of them.
check_path() {
    case "$2" in
        /*) ;;
        *) echo "nginx.sh: $1 must be an absolute path: $2" >&2; exit 2 ;;
    esac
    if [[ "$2" =~ [\"\'\\\$\{\}\;[:cntrl:]] ]]; then
        echo "nginx.sh: $1 contains a character nginx.sh does not accept (quote, \\, \$, {, }, ;): $2" >&2
        exit 2
    fi
}

absolute() {
    # The folder itself may not exist yet (DATADIR before scribe-fcgi made it).
    local parent
    parent=$(cd "$(dirname "$1")" 2>/dev/null && pwd -P) || {
        echo "nginx.sh: no such folder: $(dirname "$1")" >&2
        exit 2
    }
    echo "$parent/$(basename "$1")"
}

start() {
    [ $# -eq 4 ] || usage
    local port=$1 socket data static
    case "$port" in '' | *[!0-9]*) echo "nginx.sh: PORT must be a number: $port" >&2; exit 2 ;; esac
    mkdir -p "$prefix"
    prefix=$(cd "$prefix" && pwd -P)
    socket=$(absolute "$2")
    data=$(absolute "$3")
    static=$(absolute "$4")
    for pair in "PREFIXDIR:$prefix" "SOCKET:$socket" "DATADIR:$data" "STATICDIR:$static"; do
        check_path "${pair%%:*}" "${pair#*:}"
    done

    # As root, the master is root and workers would run as nobody: they could not
    # read private (mode 0700) data folders such as the tests' temporary ones.
    # This instance listens on loopback only, so its workers run as root too.
    local user_line='# (not root: workers run as the invoking user)'
    [ "$(id -u)" -eq 0 ] && user_line='user root;'

    mkdir -p "$prefix/conf" "$prefix/logs" "$prefix/tmp"
    cp /etc/nginx/mime.types /etc/nginx/fastcgi_params "$prefix/conf/"

    local conf
    conf=$(<"$template")
    conf=${conf//@USER@/"$user_line"}
    conf=${conf//@PREFIX@/"$prefix"}
    conf=${conf//@PORT@/"$port"}
    conf=${conf//@SOCKET@/"$socket"}
    conf=${conf//@DATADIR@/"$data"}
    conf=${conf//@STATICDIR@/"$static"}
    printf '%s\n' "$conf" >"$prefix/conf/nginx.conf.new"

    local args=(-p "$prefix/" -c conf/nginx.conf -e logs/error.log)
    if ! "$nginx_bin" -p "$prefix/" -c conf/nginx.conf.new -e logs/error.log -t -q; then
        echo "nginx.sh: the rendered configuration is invalid: $prefix/conf/nginx.conf.new" >&2
        exit 1
    fi
    mv -f "$prefix/conf/nginx.conf.new" "$prefix/conf/nginx.conf"

    local pid
    if pid=$(master_pid); then
        kill -HUP "$pid"
        return 0
    fi
    # nginx binds the port before it daemonises: when this returns 0, it listens.
    if ! "$nginx_bin" "${args[@]}"; then
        echo "nginx.sh: nginx did not start; the end of $prefix/logs/error.log:" >&2
        tail -n 5 "$prefix/logs/error.log" >&2 2>/dev/null || true
        exit 1
    fi
}

stop() {
    local pid i
    pid=$(master_pid) || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.05
    done
    echo "nginx.sh: nginx ($pid) did not stop in 5 s; killing it and its workers" >&2
    pkill -KILL -P "$pid" 2>/dev/null || true
    kill -KILL "$pid" 2>/dev/null || true
}

case "$cmd" in
    start) shift 2; start "$@" ;;
    stop) stop ;;
    *) usage ;;
esac
