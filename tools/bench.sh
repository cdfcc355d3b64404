#!/usr/bin/env bash
# Benchmarks of the KIM Suite on PostgreSQL (make bench): what users wait for,
# over JSON-RPC against the production set-up (bench/bench_rpc.py).
#
# The data set is the "Kreis-10y" profile (at KIM_BENCH_SCALE=1: 30,000
# clients, 40,000 cases, 600,000 contacts and 100,000 goals), in three steps:
#   1. data/generate.py builds a base of KIM_BENCH_BASE cases (one client
#      each) through the ORM (kim_network, kim_case, kim_steering and
#      kim_reporting plugins, with --cases);
#   2. bench/replicate.py copies the clients and cases with everything that
#      hangs off them in SQL until the profile's cases and clients are
#      reached (cases x C, clients x P; at scales where the profile has at
#      most KIM_BENCH_BASE cases, step 1 builds them all, one client each);
#   3. bench/fill.py adds the contacts and goals the profile has beyond
#      what the copies bring, in SQL.
# Every step checks what the database has, so a second run only updates the
# modules of an existing database (trytond-admin -u) and measures.
# Then tools/serve.sh runs the production set-up on the bench database
# (gunicorn workers, trytond-cron, trytond-worker) on KIM_BENCH_LISTEN and
# bench/bench_rpc.py measures against it as the demo users fallmanager
# (case manager), fachaufsicht and finanzen and as KIM_BENCH_USERS case
# managers at once; the server is stopped at the end.
#
#   tools/bench.sh          data (when missing), then measure
#   tools/bench.sh data     only build or update the database
#
# Environment:
#   KIM_BENCH_SCALE=0.1     size factor of the profile (1 for the full
#                           Kreis-10y profile: about an hour on 2 cores)
#   KIM_BENCH_BASE=5000     cases generated through the ORM (step 1); the
#                           profile counts divided by it should be integers
#   KIM_BENCH_DB=kim_bench_<scale>   database name (kept between runs; the
#                           data is generated once)
#   KIM_BENCH_FRESH=1       drop and rebuild the database
#   KIM_BENCH_REPEAT=10     repetitions of each interactive measurement
#   KIM_BENCH_WARMUP=10     unmeasured first rounds (two per gunicorn worker)
#   KIM_BENCH_REPORT_REPEAT=3   repetitions of the reports
#   KIM_BENCH_USERS=20      users of the load run
#   KIM_BENCH_LOAD_SECONDS=120  length of the load run (think time 1 s)
#   KIM_BENCH_THINK=1       think time of the load run (s)
#   KIM_BENCH_SATURATION_SECONDS=60  length of the run without think time
#   KIM_BENCH_SKIP=         skip parts: interactive,reports,load
#   KIM_BENCH_LISTEN=127.0.0.1:8765  where the bench's server listens
#   KIM_BENCH_WORKERS       gunicorn workers (default as tools/serve.sh)
#   KIM_BENCH_ORM=1         also the in-process ORM figures (bench/bench.py)
# The PostgreSQL server is found as tools/postgres.sh does.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
py=$root/.venv/bin/python
bin=$root/.venv/bin
scale=${KIM_BENCH_SCALE:-0.1}
db=${KIM_BENCH_DB:-kim_bench_$(echo "$scale" | tr -c '0-9\n' '_')}
export PYTHONWARNINGS=${PYTHONWARNINGS:-ignore::DeprecationWarning}
# trytond checks id lists with quadratic asserts: run as the server should
export PYTHONOPTIMIZE=1
unset DB_NAME DB_CACHE

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

uri=$(tools/postgres.sh find) || { echo "bench: no PostgreSQL server" >&2; exit 1; }
pwfile=
private=0
case "$uri" in *127.0.0.1:5432*|*localhost:5432*) ;; *) private=1 ;; esac
cleanup() {
    [ -n "$pwfile" ] && rm -f "$pwfile"
    # a private cluster of tools/postgres.sh lives as long as the bench
    [ "$private" = 1 ] && tools/postgres.sh stop
    return 0
}
trap cleanup EXIT
mkdir -p var/bench
conf=$root/var/bench/$db.conf
cat > "$conf" <<CONF
# Written by tools/bench.sh
[database]
uri = $uri
language = de
CONF

psql_db() {  # psql_db SQL [database]
    "$py" - "$uri" "$1" "${2:-postgres}" <<'PY'
import sys, psycopg
uri, sql, name = sys.argv[1:]
with psycopg.connect(uri.rstrip('/') + '/' + name, autocommit=True) as c:
    rows = c.execute(sql).fetchall() if sql.lstrip().upper().startswith('SELECT') else c.execute(sql)
    if isinstance(rows, list):
        for row in rows:
            print(*row)
PY
}

n() { "$py" -c "import sys; print(max(1, round(float(sys.argv[1]) * float(sys.argv[2]))))" "$1" "$scale"; }
cases=$(n 40000); clients=$(n 30000); contacts=$(n 600000); goals=$(n 100000)
base=${KIM_BENCH_BASE:-5000}
orm_cases=$(( cases < base ? cases : base ))

if [ "${KIM_BENCH_FRESH:-0}" = 1 ]; then
    psql_db "DROP DATABASE IF EXISTS \"$db\""
fi
exists=$(psql_db "SELECT 1 FROM pg_database WHERE datname = '$db'")
mods=$(for cfg in addons/*/tryton.cfg; do basename "$(dirname "$cfg")"; done | tr '\n' ' ')
if [ -z "$exists" ]; then
    log "creating database $db on $uri"
    psql_db "CREATE DATABASE \"$db\""
    pwfile=$(mktemp)
    echo admin > "$pwfile"
    TRYTONPASSFILE=$pwfile "$bin/trytond-admin" -c trytond.conf "$conf" -d "$db" --all \
        --email admin@example.org > "var/bench/$db.admin.log" 2>&1
    # shellcheck disable=SC2086
    "$bin/trytond-admin" -c trytond.conf "$conf" -d "$db" -u $mods --activate-dependencies \
        >> "var/bench/$db.admin.log" 2>&1 || { tail -30 "var/bench/$db.admin.log"; exit 1; }
else
    # measure the modules of the working tree: bring the schema up to date
    log "updating the modules of $db"
    # shellcheck disable=SC2086
    "$bin/trytond-admin" -c trytond.conf "$conf" -d "$db" -u $mods \
        > "var/bench/$db.update.log" 2>&1 || { tail -30 "var/bench/$db.update.log"; exit 1; }
fi
have=$(psql_db "SELECT COUNT(*) FROM kim_case" "$db")
# the last plugin's data: an interrupted generation is completed
proofs=$(psql_db "SELECT COUNT(*) FROM kim_funding_proof" "$db")
if [ "$have" -lt "$orm_cases" ] || [ "$proofs" = 0 ]; then
    log "generating the base: $orm_cases cases (data/generate.py, through the ORM)"
    start=$SECONDS
    "$py" data/generate.py -c trytond.conf "$conf" -d "$db" --users --cases "$orm_cases"
    took=$((SECONDS - start))
    rows=$(psql_db "SELECT (SELECT COUNT(*) FROM kim_case) + (SELECT COUNT(*) FROM kim_case_contact) + (SELECT COUNT(*) FROM kim_case_plan_goal) + (SELECT COUNT(*) FROM party_party)" "$db")
    log "generated in ${took} s: $rows rows of cases, contacts, goals and parties ($(( rows / (took > 0 ? took : 1) )) rows/s)"
fi
log "replicating up to $cases cases of $clients clients (bench/replicate.py, SQL)"
start=$SECONDS
"$py" bench/replicate.py "$uri" "$db" --cases "$cases" --clients "$clients"
log "replicated in $((SECONDS - start)) s"
log "filling up to $contacts contacts and $goals goals (bench/fill.py, SQL)"
"$py" bench/fill.py "$uri" "$db" --contacts "$contacts" --goals "$goals"
[ "${1:-}" = data ] && exit 0
if [ "${KIM_BENCH_ORM:-0}" = 1 ]; then
    log "measuring in process (bench/bench.py, ORM)"
    "$py" bench/bench.py -c trytond.conf "$conf" -d "$db" --repeat "${KIM_BENCH_REPEAT:-10}"
fi
listen=${KIM_BENCH_LISTEN:-127.0.0.1:8765}
log "starting the production set-up on http://$listen/ (tools/serve.sh run, logs var/serve/$db.*)"
# its own process group: stopped with everything it started
KIM_SERVE_DB=$db KIM_SERVE_URI=$uri KIM_SERVE_LISTEN=$listen \
    KIM_SERVE_WORKERS=${KIM_BENCH_WORKERS:-} setsid tools/serve.sh run \
    > "var/bench/$db.serve.log" 2>&1 &
serve_pid=$!
stop_serve() {
    kill -TERM -- "-$serve_pid" 2>/dev/null || true
    wait "$serve_pid" 2>/dev/null || true
    cleanup
}
trap stop_serve EXIT
for _ in $(seq 1 240); do
    if "$py" - "$listen" <<'PY' 2>/dev/null
import http.client, json, sys
host, port = sys.argv[1].rsplit(':', 1)
c = http.client.HTTPConnection(host, int(port), timeout=5)
c.request('POST', '/rpc/', json.dumps({'method': 'common.server.version', 'params': []}),
    {'Content-Type': 'application/json'})
sys.exit(0 if c.getresponse().status == 200 else 1)
PY
    then break; fi
    kill -0 "$serve_pid" 2>/dev/null || { cat "var/bench/$db.serve.log"; exit 1; }
    sleep 0.5
done
log "measuring over JSON-RPC (bench/bench_rpc.py), scale $scale"
"$py" bench/bench_rpc.py --url "http://$listen/" --database "$db" \
    --dsn "${uri%/}/$db" --repeat "${KIM_BENCH_REPEAT:-10}" \
    --report-repeat "${KIM_BENCH_REPORT_REPEAT:-3}" --warmup "${KIM_BENCH_WARMUP:-10}" \
    --users "${KIM_BENCH_USERS:-20}" --load-seconds "${KIM_BENCH_LOAD_SECONDS:-120}" \
    --think "${KIM_BENCH_THINK:-1}" \
    --saturation-seconds "${KIM_BENCH_SATURATION_SECONDS:-60}" \
    --skip "${KIM_BENCH_SKIP:-}"
