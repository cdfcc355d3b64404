#!/usr/bin/env bash
# The production set-up of the KIM Suite on PostgreSQL (make serve):
#   - the web client and JSON-RPC from gunicorn with several worker processes
#     (trytond.application:app, PYTHONOPTIMIZE=1),
#   - trytond-cron for the scheduled jobs (one per site, never more),
#   - trytond-worker for the jobs queued by Tryton's queue ([queue] worker).
# All three run in the foreground of this script; Ctrl-C or a TERM stops them.
#
#   tools/serve.sh                 serve KIM_SERVE_DB (created and initialised
#                                  on first use, German, every KIM module)
#   tools/serve.sh init            only create/update the database
#   tools/serve.sh conf            print the path of the written configuration
#   tools/serve.sh run             serve without creating/updating the database
#                                  (tools/bench.sh: the bench has updated it)
#
# Environment (all optional):
#   KIM_SERVE_URI        postgresql://... (default: as tools/postgres.sh finds one)
#   KIM_SERVE_DB=kim     database name
#   KIM_SERVE_LISTEN=127.0.0.1:8000
#   KIM_SERVE_WORKERS    gunicorn worker processes (default: 2 x CPU cores + 1)
#   KIM_SERVE_DEMO=1     load the synthetic demo data into a new database
#   KIM_SERVE_CONF       an extra configuration file read last (e.g. the
#                        site's /etc/kim/trytond.conf with e-mail, passwords)
#   KIM_SERVE_MODULES    activate these instead of every addons/*/tryton.cfg
#   KIM_DEMO_PASSWORD    admin password of a new database (demo-KIM-2026)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
py=$root/.venv/bin/python
bin=$root/.venv/bin
db=${KIM_SERVE_DB:-kim}
listen=${KIM_SERVE_LISTEN:-127.0.0.1:8000}
cores=$(nproc 2>/dev/null || echo 2)
workers=${KIM_SERVE_WORKERS:-$((2 * cores + 1))}
password=${KIM_DEMO_PASSWORD:-demo-KIM-2026}
export PYTHONWARNINGS=${PYTHONWARNINGS:-ignore::DeprecationWarning}
# trytond 8.0 checks id lists with quadratic asserts: never serve without -O
export PYTHONOPTIMIZE=1
unset DB_NAME DB_CACHE

log() { printf '[serve %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

uri=${KIM_SERVE_URI:-$(tools/postgres.sh find)} \
    || { echo "serve: no PostgreSQL server (set KIM_SERVE_URI)" >&2; exit 1; }
mkdir -p var/serve
conf=$root/var/serve/$db.conf
# One configuration file (TRYTOND_CONFIG takes one): trytond.conf, then the
# site's file, then what this script sets
"$py" - "$conf" "$root/trytond.conf" "${KIM_SERVE_CONF:-}" "$uri" "$listen" "$root/.sao/package" <<'PY'
import configparser, sys
out, base, site, uri, listen, web_root = sys.argv[1:]
config = configparser.ConfigParser(interpolation=None)
config.read([base] + ([site] if site else []), encoding='utf-8')
for section, values in {
        'database': {'uri': uri, 'language': 'de'},
        'web': {'listen': listen, 'root': web_root},
        # long jobs (exports, Verwendungsnachweis, retention) go to
        # trytond-worker through Tryton's queue
        'queue': {'worker': 'True'},
        # the workers tell each other at once (PostgreSQL LISTEN/NOTIFY)
        # when a cache is cleared: access rules, assignments, the
        # Wiedervorlage items (else after up to 300 s)
        'cache': {'clean_timeout': '0'},
        }.items():
    if not config.has_section(section):
        config.add_section(section)
    for key, value in values.items():
        config.set(section, key, value)
config.remove_option('database', 'path')
# the list of forbidden passwords of trytond.conf is relative to it
import os
forbidden = config.get('password', 'forbidden', fallback=None)
if forbidden and not os.path.isabs(forbidden):
    config.set('password', 'forbidden',
        os.path.join(os.path.dirname(os.path.abspath(base)), forbidden))
with open(out, 'w', encoding='utf-8') as f:
    f.write('# Written by tools/serve.sh: do not edit, see KIM_SERVE_CONF\n')
    config.write(f)
PY
confs=(-c "$conf")

psql_db() {  # psql_db SQL [database]: run one statement, print the rows
    "$py" - "$uri" "$1" "${2:-postgres}" <<'PY'
import sys, psycopg
uri, sql, name = sys.argv[1:]
with psycopg.connect(uri.rstrip('/') + '/' + name, autocommit=True) as c:
    cur = c.execute(sql)
    if cur.description:
        for row in cur.fetchall():
            print(*row)
PY
}

init() {
    local mods
    mods=${KIM_SERVE_MODULES:-$(for cfg in addons/*/tryton.cfg; do basename "$(dirname "$cfg")"; done | tr '\n' ' ')}
    if [ -z "$(psql_db "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
        log "creating database $db on $uri"
        psql_db "CREATE DATABASE \"$db\""
        local pwfile; pwfile=$(mktemp)
        printf '%s\n' "$password" > "$pwfile"
        # shellcheck disable=SC2086
        TRYTONPASSFILE=$pwfile "$bin/trytond-admin" "${confs[@]}" -d "$db" \
            --email admin@example.org -u $mods --activate-dependencies -l de \
            > "var/serve/$db.admin.log" 2>&1 \
            || { rm -f "$pwfile"; tail -30 "var/serve/$db.admin.log" >&2; exit 1; }
        rm -f "$pwfile"
        if [ "${KIM_SERVE_DEMO:-0}" = 1 ]; then
            log "loading the demo data"
            KIM_DEMO_PASSWORD=$password "$py" data/generate.py "${confs[@]}" -d "$db" --users \
                ${KIM_DEMO_ARGS:-}
        fi
    else
        log "updating the modules of $db"
        # shellcheck disable=SC2086
        "$bin/trytond-admin" "${confs[@]}" -d "$db" -u $mods > "var/serve/$db.admin.log" 2>&1 \
            || { tail -30 "var/serve/$db.admin.log" >&2; exit 1; }
    fi
}

serve() {
    [ -x "$bin/gunicorn" ] || { echo "gunicorn is missing: make install-server" >&2; exit 1; }
    if [ -f "$root/.sao/package/dist/tryton-sao.js" ]; then
        # the KIM Suite's title and styles, which sao loads from its web root
        cp "$root/web/custom.js" "$root/web/custom.css" "$root/.sao/package/"
    else
        log "warning: the web client is missing (.sao/package): run 'make sao'"
    fi
    pids=()
    stop() {
        trap - INT TERM EXIT
        log "stopping"
        kill "${pids[@]}" 2>/dev/null || true
        wait 2>/dev/null || true
    }
    trap stop INT TERM EXIT
    "$bin/trytond-worker" "${confs[@]}" -d "$db" -n "${KIM_SERVE_QUEUE_WORKERS:-1}" \
        > "var/serve/$db.worker.log" 2>&1 &
    pids+=($!)
    "$bin/trytond-cron" "${confs[@]}" -d "$db" > "var/serve/$db.cron.log" 2>&1 &
    pids+=($!)
    log "http://$listen/  database $db on $uri, $workers gunicorn workers, cron, queue worker"
    log "logs: var/serve/$db.{access,error,cron,worker}.log"
    # TRYTOND_DATABASE_NAMES loads the pool before the first request (and
    # avoids the login KeyError of 8.0.12 without -d)
    TRYTOND_CONFIG=$conf TRYTOND_DATABASE_NAMES=$db \
        "$bin/gunicorn" -w "$workers" -b "$listen" --timeout "${KIM_SERVE_TIMEOUT:-300}" \
        --access-logfile "var/serve/$db.access.log" --error-logfile "var/serve/$db.error.log" \
        --access-logformat '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(D)sus "%(a)s"' \
        trytond.application:app &
    pids+=($!)
    # stop everything when one of the three ends
    wait -n "${pids[@]}"
    log "a process ended (see the logs)"
    exit 1
}

case "${1:-serve}" in
    init) init ;;
    conf) echo "$conf" ;;
    serve) init; serve ;;
    run) serve ;;
    *) echo "usage: tools/serve.sh [serve|init|conf|run]" >&2; exit 2 ;;
esac
