#!/usr/bin/env bash
# Find a PostgreSQL server for the test suite and print its URI on stdout.
#   1. TRYTOND_DATABASE_URI if it is a postgresql:// URI,
#   2. the server on 127.0.0.1:5432 if it answers,
#   3. a private throw-away cluster from the Debian binaries (stopped by
#      tools/postgres.sh stop).
# Prints nothing and exits 1 when none can be had; the reason goes to stderr.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
cluster="$here/var/pg-test"
port=${KIM_PG_PORT:-55432}

pg_bin() {
    local b
    for b in /usr/lib/postgresql/*/bin; do
        [ -x "$b/initdb" ] && { echo "$b"; return 0; }
    done
    command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
    return 1
}

answers() {  # answers URI
    "$here/.venv/bin/python" - "$1" <<'PY' >/dev/null 2>&1
import sys, psycopg
uri = sys.argv[1].rstrip('/') + '/postgres'
psycopg.connect(uri, connect_timeout=3).close()
PY
}

case "${1:-find}" in
stop)
    if [ -f "$cluster/data/postmaster.pid" ]; then
        bin=$(pg_bin) && runuser -u postgres -- "$bin/pg_ctl" -D "$cluster/data" -m fast -w stop >/dev/null 2>&1
    fi
    rm -rf "$cluster"
    exit 0 ;;
find)
    if [[ "${TRYTOND_DATABASE_URI:-}" == postgresql://* ]]; then
        echo "$TRYTOND_DATABASE_URI"; exit 0
    fi
    if answers "postgresql://postgres@127.0.0.1:5432/"; then
        echo "postgresql://postgres@127.0.0.1:5432/"; exit 0
    fi
    bin=$(pg_bin) || { echo "no PostgreSQL server answers on 127.0.0.1:5432 and no initdb binary is installed" >&2; exit 1; }
    id postgres >/dev/null 2>&1 || { echo "no PostgreSQL server answers and there is no 'postgres' user to run a private cluster" >&2; exit 1; }
    rm -rf "$cluster"; mkdir -p "$cluster/data" "$cluster/sock"
    chown -R postgres "$cluster"
    if ! runuser -u postgres -- "$bin/initdb" -D "$cluster/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$cluster/initdb.log" 2>&1; then
        echo "initdb of a private PostgreSQL cluster failed (see $cluster/initdb.log)" >&2; exit 1
    fi
    if ! runuser -u postgres -- "$bin/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" \
        -o "-p $port -k $cluster/sock -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" -w start >/dev/null 2>&1; then
        echo "a private PostgreSQL cluster did not start (see $cluster/server.log)" >&2; exit 1
    fi
    echo "postgresql://postgres@127.0.0.1:$port/"
    exit 0 ;;
esac
