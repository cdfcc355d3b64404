#!/usr/bin/env bash
# The whole KIM test suite, on SQLite and on PostgreSQL (see README "Tests").
#   KIM_REQUIRE_POSTGRES=1   fail when no PostgreSQL can be had
#   KIM_TEST_ARGS="-k x"     extra pytest arguments
#   KIM_TEST_SERIAL=1        run the two passes one after the other
set -u
cd "$(dirname "$0")/.."
py=.venv/bin/python
#   KIM_MODULES="kim_network" only these modules (default: every addons/*)
mods=$(for cfg in addons/*/tryton.cfg; do basename "$(dirname "$cfg")"; done)
mods=$(for m in ${KIM_MODULES:-$mods}; do echo "trytond.modules.$m.tests"; done)
# The database cache is keyed by module name only: start every run afresh.
rm -rf var/test-cache; mkdir -p var/test-cache
export PYTHONWARNINGS=${PYTHONWARNINGS:-ignore::DeprecationWarning}
summary=()
status=0

# run LABEL LOG -- env assignments...: one pytest pass, its output into LOG
run() {
    local label=$1 log=$2; shift 2
    env "$@" "$py" -m pytest -q -rs ${KIM_TEST_ARGS:-} --pyargs $mods tests/ >"$log" 2>&1
    echo $? >"$log.rc"
}

# report LABEL LOG: print the output of a pass and add its summary line
report() {
    local label=$1 log=$2
    echo "== $label =="
    cat "$log"
    [ "$(cat "$log.rc" 2>/dev/null || echo 1)" -ne 0 ] && status=1
    summary+=("$label: $(grep -E '[0-9]+ (passed|failed|errors?|skipped)' "$log" | tail -1 | sed -E 's/^=+ //; s/ in [0-9.]+s.*$//')")
}

# progress: the last pytest percentage of each running pass, every minute
progress() {
    while sleep 60; do
        local line="[$(date -u +%H:%M)]" f
        for f in "$@"; do
            [ -f "$f" ] && line+=" $(basename "$f" .log) $(grep -oE '\[ *[0-9]+%\]' "$f" | tail -1 | tr -d '[] ')"
        done
        echo "$line"
    done
}

# Lint first, with Tryton's own flake8 configuration (.flake8)
echo "== flake8 =="
if "$py" -m flake8 addons data tests tools bench; then
    summary+=("flake8: clean")
else
    summary+=("flake8: findings (see above)")
    status=1
fi

logs=var/test-logs
rm -rf "$logs"; mkdir -p "$logs"
pg_uri=$(tools/postgres.sh find)
if [ -n "$pg_uri" ]; then
    trap 'tools/postgres.sh stop' EXIT
    case "$pg_uri" in *127.0.0.1:5432*|*localhost:5432*) ;; *) [ -d var/pg-test ] || trap - EXIT ;; esac
    # Drop what an earlier run left (trytond creates the test database).
    "$py" - "$pg_uri" <<'PY'
import sys, psycopg
with psycopg.connect(sys.argv[1].rstrip('/') + '/postgres', autocommit=True) as c:
    for (name,) in c.execute("SELECT datname FROM pg_database WHERE datname = 'test_kim' OR datname LIKE 'test-%%'").fetchall():
        c.execute('DROP DATABASE IF EXISTS "%s"' % name)
PY
fi

# The two passes run side by side (one per core; KIM_TEST_SERIAL=1 runs
# them one after the other); each writes its own log, printed when done.
echo "== SQLite and PostgreSQL passes (logs in $logs) =="
progress "$logs/sqlite.log" "$logs/postgresql.log" &
progress_pid=$!
run SQLite "$logs/sqlite.log" TRYTOND_DATABASE_URI=sqlite:// DB_NAME=:memory: DB_CACHE="$PWD/var/test-cache/sqlite" &
sqlite_pid=$!
[ "${KIM_TEST_SERIAL:-0}" = 1 ] && wait $sqlite_pid
if [ -n "$pg_uri" ]; then
    KIM_BROWSER_TEST=skip run PostgreSQL "$logs/postgresql.log" TRYTOND_DATABASE_URI="$pg_uri" DB_NAME=test_kim DB_CACHE=postgresql://
fi
wait $sqlite_pid
kill $progress_pid 2>/dev/null; wait $progress_pid 2>/dev/null

report SQLite "$logs/sqlite.log"
if [ -n "$pg_uri" ]; then
    report PostgreSQL "$logs/postgresql.log"
else
    if [ "${KIM_REQUIRE_POSTGRES:-0}" = 1 ]; then
        echo "PostgreSQL: FAILED - no PostgreSQL server could be found or started, and KIM_REQUIRE_POSTGRES=1"
        summary+=("PostgreSQL: FAILED - no server")
        status=1
    else
        echo "PostgreSQL: skipped - no PostgreSQL server could be found or started (set KIM_REQUIRE_POSTGRES=1 to fail)"
    fi
fi

echo
printf '%s\n' "${summary[@]}"
# one closing line over both databases
printf '%s\n' "${summary[@]}" | "$py" -c '
import re, sys
t = {"passed": 0, "failed": 0, "skipped": 0, "error": 0}
for line in sys.stdin:
    for n, k in re.findall(r"(\d+) (passed|failed|skipped|errors?)", line):
        t["error" if k.startswith("error") else k] += int(n)
print("total: %d passed, %d failed, %d skipped" % (t["passed"], t["failed"] + t["error"], t["skipped"]))
'
exit $status
