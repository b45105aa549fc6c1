#!/bin/sh
# Make a fresh Debian machine that has only python3 ready to run healthcrawl:
# the system packages the project needs (venv support, PostgreSQL and Redis for the tests; nginx for
# the crawl benchmark when asked, through SYSTEM_PACKAGES; a C compiler for the parser's compiled
# build), then the virtualenv with the project, then that build (core/native.py).
# Idempotent: a second run only checks.
set -eu

VENV=${VENV:-.venv}
EXTRAS=${EXTRAS:-dev}
SYSTEM_PACKAGES=${SYSTEM_PACKAGES:-}

need_apt() {
    missing=""
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
    done
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        SUDO=sudo
    else
        SUDO=
    fi
    echo "bootstrap: installing system packages:$missing"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
}

if ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
    need_apt python3-venv
fi
# The PostgreSQL tests start a server of their own with initdb and pg_ctl (Debian keeps
# them in /usr/lib/postgresql/<version>/bin, off PATH; as root they run as the package's
# postgres user).
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    need_apt postgresql
fi
# The distributed-mode tests start a Redis server of their own (tests/distributed).
if ! command -v redis-server >/dev/null 2>&1; then
    need_apt redis-server
fi
if [ -n "$SYSTEM_PACKAGES" ]; then
    # shellcheck disable=SC2086
    need_apt $SYSTEM_PACKAGES
fi

stamp="$VENV/.installed-$EXTRAS"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e ".[$EXTRAS]"
    touch "$stamp"
fi

# The parser's hot modules compiled with mypyc (core/native.py): a C compiler and the
# Python headers, then a build of the current sources (none when it exists already) by mypyc,
# which comes with mypy (the dev extra). Without them the parser runs as pure Python, about a
# tenth slower, and the bootstrap says so.
if ! command -v cc >/dev/null 2>&1; then
    need_apt gcc || true
fi
headers=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
if [ ! -f "$headers/Python.h" ]; then
    need_apt python3-dev || true
fi
"$VENV/bin/python" scripts/build_native.py 2>&1 | grep -v -e "warning: Treating generator" -e "_BetaConfiguration" \
    -e "warnings.warn(msg" || true
