#!/usr/bin/env bash
# Installs what Scribe needs on Debian 12, and only what is missing.
#
#   scripts/install-deps.sh          build and run: C libraries, nginx, PostgreSQL, git, ctags…
#   scripts/install-deps.sh --test   also what the tests need: Chromium and its driver,
#                                    fcgiwrap, Apache + mod_fcgid, systemd-analyze, and
#                                    pytest + selenium for python3
#
# As root it installs; as another user it prints what to install and fails only
# when something is actually missing. Last, it fetches the tree-sitter grammars
# (scripts/fetch-grammars.sh: pinned source archives, into a gitignored folder). Safe to run again and again: when nothing
# is missing it touches nothing (no `apt-get update`, no pip).
set -euo pipefail

want_test=0
for arg in "$@"; do
    case "$arg" in
        --test) want_test=1 ;;
        -h | --help)
            sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "install-deps: unknown argument: $arg" >&2
            exit 2
            ;;
    esac
done

# Build: the C libraries the Swift targets link (pkg-config names fcgi, libpq,
# libcurl, libcrypto, libcmark-gfm). Run: nginx, spawn-fcgi, PostgreSQL, git,
# universal-ctags and Graphviz for the pipeline; curl and procps for the scripts.
packages=(
    pkg-config libfcgi-dev libpq-dev libcurl4-openssl-dev libssl-dev
    libcmark-gfm-dev libcmark-gfm-extensions-dev
    nginx spawn-fcgi postgresql git universal-ctags graphviz curl procps
    python3 python3-pip
)
if [ "$want_test" = 1 ]; then
    # fcgiwrap serves git's smart HTTP in tests; Chromium drives the status page; Apache with
    # mod_fcgid, openssl (a self-signed certificate for the TLS nginx) and systemd-analyze run
    # the shipped deployments of deploy/.
    packages+=(fcgiwrap chromium chromium-driver apache2 libapache2-mod-fcgid openssl systemd)
fi

updated=0
missing=()
for pkg in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = installed ] || missing+=("$pkg")
done

python_missing=()
if [ "$want_test" = 1 ]; then
    python3 -c 'import pytest' 2>/dev/null || python_missing+=(pytest)
    python3 -c 'import selenium' 2>/dev/null || python_missing+=('selenium>=4.10,<5')
    python3 -c 'import jsonschema' 2>/dev/null || python_missing+=(jsonschema)
    python3 -c 'import openapi_spec_validator' 2>/dev/null || python_missing+=(openapi-spec-validator)
fi

# The grammars' C sources: fetched once, then only when their pins change.
fetch_grammars() { "$(dirname "$0")/fetch-grammars.sh"; }

if [ ${#missing[@]} -eq 0 ] && [ ${#python_missing[@]} -eq 0 ]; then
    fetch_grammars
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    if [ ${#missing[@]} -gt 0 ]; then
        echo "install-deps: missing Debian packages; as root run:" >&2
        echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
    fi
    if [ ${#python_missing[@]} -gt 0 ]; then
        echo "install-deps: missing Python modules; run:" >&2
        echo "  python3 -m pip install --user ${python_missing[*]@Q}" >&2
    fi
    exit 1
fi

if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # Without a policy-rc.d, installing nginx or postgresql starts a system
    # instance (port 80, a "main" cluster on 5432). Scribe runs its own private
    # ones, so forbid service starts for the time of the install, and remove
    # the policy again only if it is ours.
    policy=/usr/sbin/policy-rc.d
    own_policy=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\n# Temporary, from Scribe scripts/install-deps.sh: no service starts during install.\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        own_policy=1
        trap 'rm -f "$policy"' EXIT
    fi
    apt-get update -q
    updated=1
    apt-get install -y -q --no-install-recommends "${missing[@]}"
    if [ "$own_policy" = 1 ]; then
        rm -f "$policy"
        trap - EXIT
    fi
fi

if [ ${#python_missing[@]} -gt 0 ]; then
    echo "install-deps: installing Python modules ${python_missing[*]}"
    if ! python3 -m pip install --quiet --disable-pip-version-check "${python_missing[@]}"; then
        # Debian's own python3 refuses pip into the system (PEP 668): use its packages.
        if [ "$(command -v python3)" = /usr/bin/python3 ]; then
            [ "$updated" = 1 ] || apt-get update -q
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
                python3-pytest python3-selenium
        else
            echo "install-deps: pip install failed" >&2
            exit 1
        fi
    fi
fi

fetch_grammars
