#!/usr/bin/env bash
# The whole KIM test suite, on SQLite and on PostgreSQL (see README "Tests").
#   KIM_REQUIRE_POSTGRES=1   fail when no PostgreSQL can be had
#   KIM_TEST_ARGS="-k x"     extra pytest arguments
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

run() {  # run LABEL -- env assignments...
    local label=$1; shift
    echo "== $label =="
    local out; out=$(mktemp)
    env "$@" "$py" -m pytest -q -rs ${KIM_TEST_ARGS:-} --pyargs $mods tests/ 2>&1 | tee "$out"
    local rc=${PIPESTATUS[0]}
    [ "$rc" -ne 0 ] && status=1
    summary+=("$label: $(grep -E '[0-9]+ (passed|failed|errors?|skipped)' "$out" | tail -1 | sed -E 's/^=+ //; s/ in [0-9.]+s.*$//')")
    rm -f "$out"
}

# Lint first, with Tryton's own flake8 configuration (.flake8)
echo "== flake8 =="
if "$py" -m flake8 addons data tests tools bench; then
    summary+=("flake8: clean")
else
    summary+=("flake8: findings (see above)")
    status=1
fi

run SQLite TRYTOND_DATABASE_URI=sqlite:// DB_NAME=:memory: DB_CACHE="$PWD/var/test-cache/sqlite"

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
    KIM_BROWSER_TEST=skip run PostgreSQL TRYTOND_DATABASE_URI="$pg_uri" DB_NAME=test_kim DB_CACHE=postgresql://
else
    if [ "${KIM_REQUIRE_POSTGRES:-0}" = 1 ]; then
        echo "PostgreSQL: FAILED - no PostgreSQL server could be found or started, and KIM_REQUIRE_POSTGRES=1"
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
