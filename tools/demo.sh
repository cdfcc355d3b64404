#!/usr/bin/env bash
# The KIM demo: a SQLite database with synthetic data, served with the web client.
#
#   tools/demo.sh build   create or update the database (safe and quick to repeat)
#   tools/demo.sh serve   serve it on http://127.0.0.1:8000 in the foreground
#
# Environment (all optional; the defaults are what `make demo` uses):
#   KIM_DEMO_DB=kim_demo          database name
#   KIM_DEMO_DB_PATH=var/db       directory of the SQLite files
#   KIM_DEMO_LISTEN=127.0.0.1:8000
#   KIM_DEMO_ARGS="--scale 0.2"   extra arguments of data/generate.py (sizes, --seed)
#   KIM_DEMO_MODULES="kim_network" activate these instead of every addons/*/tryton.cfg
#   KIM_DEMO_FORCE_UPDATE=1       run trytond-admin even when no module file changed
#   KIM_DEMO_PASSWORD             password of admin and the demo users (demo-KIM-2026)
#   KIM_DEMO_SMTP_PORT=8025       port of the local SMTP sink (tools/smtp_sink.py) on
#                                 127.0.0.1 that takes the demo's mails into var/mail/
#   KIM_DEMO_MAIL_DIR=var/mail    where the sink writes them (tools/smtp_sink.py --list)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
py=$root/.venv/bin/python
bin=$root/.venv/bin
conf=$root/trytond.conf
db=${KIM_DEMO_DB:-kim_demo}
db_path=${KIM_DEMO_DB_PATH:-var/db}
case "$db_path" in /*) ;; *) db_path=$root/$db_path ;; esac
listen=${KIM_DEMO_LISTEN:-127.0.0.1:8000}
password=${KIM_DEMO_PASSWORD:-demo-KIM-2026}
smtp_port=${KIM_DEMO_SMTP_PORT:-8025}
mail_dir=${KIM_DEMO_MAIL_DIR:-var/mail}
case "$mail_dir" in /*) ;; *) mail_dir=$root/$mail_dir ;; esac
sink_pid=

# The demo never talks to another database than its own SQLite file, whatever
# the calling shell (e.g. the test runner) exported.
unset TRYTOND_DATABASE_URI DB_NAME DB_CACHE
# trytond.conf gives path = var/db, which trytond would read as /var/db (a
# relative path becomes file:///var/db): an overlay configuration written next
# to the database sets the absolute paths. Configuration files override
# TRYTOND_* variables, hence a file.
local_conf=$db_path/$db.conf
write_local_conf() {
    mkdir -p "$db_path"
    cat > "$local_conf" <<EOF
# Written by tools/demo.sh: absolute paths for trytond.conf
[database]
uri = sqlite://
path = $db_path
language = de
[web]
listen = $listen
root = $root/.sao/package
[password]
forbidden = $root/etc/forbidden-passwords.txt
[email]
uri = smtp://127.0.0.1:$smtp_port
[kim]
partner_link_url = http://$listen
EOF
}

# The demo's mails go to the local SMTP sink only (tools/smtp_sink.py):
# started unless something listens on its port already (a sink of another
# run); it ends with the build, or with the server it was started for.
start_sink() {
    if "$py" - "$smtp_port" <<'PY'
import socket
import sys
s = socket.socket()
s.settimeout(0.5)
sys.exit(0 if s.connect_ex(('127.0.0.1', int(sys.argv[1]))) == 0 else 1)
PY
    then
        log "SMTP sink: 127.0.0.1:$smtp_port answers already"
        return
    fi
    mkdir -p "$mail_dir"
    "$py" "$root/tools/smtp_sink.py" --port "$smtp_port" --dir "$mail_dir" \
        --parent $$ >> "$mail_dir/sink.log" 2>&1 < /dev/null &
    sink_pid=$!
    log "SMTP sink: 127.0.0.1:$smtp_port -> $mail_dir (tools/smtp_sink.py --list)"
}

stop_sink() {
    if [ -n "$sink_pid" ]; then
        kill "$sink_pid" 2>/dev/null || true
        wait "$sink_pid" 2>/dev/null || true
        sink_pid=
    fi
}
export PYTHONWARNINGS=${PYTHONWARNINGS:-ignore::DeprecationWarning}

log() { printf '[demo %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

modules() {  # every module of the repository, by its tryton.cfg
    local cfg
    if [ -n "${KIM_DEMO_MODULES:-}" ]; then printf '%s\n' $KIM_DEMO_MODULES; return; fi
    for cfg in addons/*/tryton.cfg; do basename "$(dirname "$cfg")"; done
}

installed_modules() {  # the modules that trytond of the virtualenv can load
    local wanted; wanted=$(modules | tr '\n' ' ')
    "$py" - $wanted <<'PY'
import sys
from trytond.modules import get_modules
available = set(get_modules())
for name in sys.argv[1:]:
    if name in available:
        print(name)
    else:
        print("WARNING: module %s is in addons/ but not installed in .venv "
            "(pyproject.toml packages and entry point; then make install): "
            "not activated" % name, file=sys.stderr)
PY
}

source_hash() {  # what the database was last updated from
    {
        "$py" -c 'import trytond; print(trytond.__version__)'
        local m dirs=()
        for m in $mods; do [ -d "addons/$m" ] && dirs+=("addons/$m"); done
        printf '%s\n' "${dirs[@]}"
        find "${dirs[@]}" -type f ! -path '*/__pycache__/*' ! -name '*.pyc' \
            ! -path '*/tests/*' -print0 | sort -z | xargs -0 sha1sum
    } | sha1sum | cut -d' ' -f1
}

build() {
    [ -x "$bin/trytond-admin" ] || { echo "No virtualenv: run 'make install' first" >&2; exit 1; }
    write_local_conf
    local file=$db_path/$db.sqlite stamp=$db_path/$db.stamp
    local mods; mods=$(installed_modules | tr '\n' ' ')
    [ -n "$mods" ] || { echo "No KIM module is installed: run 'make install'" >&2; exit 1; }
    pwfile=$(mktemp)
    trap 'rm -f "$pwfile"; stop_sink' EXIT
    start_sink
    printf '%s\n' "$password" > "$pwfile"
    export TRYTONPASSFILE=$pwfile

    local start=$SECONDS
    local hash; hash=$(source_hash)
    local create=()
    if [ ! -s "$file" ]; then
        # a new database: one trytond-admin run initialises it (admin
        # password from TRYTONPASSFILE) and activates the modules
        log "creating database $db in $file"
        rm -f "$stamp"
        touch "$file"
        create=(--email admin@example.org)
    fi
    if [ ${#create[@]} -gt 0 ] || [ "${KIM_DEMO_FORCE_UPDATE:-0}" = 1 ] \
            || [ "$(cat "$stamp" 2>/dev/null)" != "$hash" ]; then
        log "activating/updating modules: $mods"
        # shellcheck disable=SC2086
        if ! "$bin/trytond-admin" -c "$conf" "$local_conf" -d "$db" "${create[@]}" \
                -u $mods --activate-dependencies -l de > "$db_path/$db.admin.log" 2>&1; then
            tail -40 "$db_path/$db.admin.log" >&2
            [ ${#create[@]} -gt 0 ] && rm -f "$file"
            echo "trytond-admin failed (log: $db_path/$db.admin.log)" >&2
            exit 1
        fi
        echo "$hash" > "$stamp"
    else
        log "modules unchanged since the last build: no update (KIM_DEMO_FORCE_UPDATE=1 forces one)"
    fi
    log "demo users and data"
    # shellcheck disable=SC2086
    KIM_DEMO_PASSWORD=$password "$py" -O data/generate.py -c "$conf" "$local_conf" -d "$db" --users \
        ${KIM_DEMO_ARGS:-}
    log "build done in $((SECONDS - start)) s"
}

serve() {
    local file=$db_path/$db.sqlite
    [ -s "$file" ] || { echo "No demo database: run 'tools/demo.sh build' first" >&2; exit 1; }
    if [ -f "$root/.sao/package/dist/tryton-sao.js" ]; then
        # the KIM Suite's title and styles, which sao loads from its web root
        cp "$root/web/custom.js" "$root/web/custom.css" "$root/.sao/package/"
    else
        echo "Warning: the web client is missing (.sao/package): run 'make sao'" >&2
    fi
    cat <<EOF

  KIM demo: http://$listen/   (database: $db)
  Its mails: $mail_dir   (tools/smtp_sink.py --list, --show N)

  Logins (password: $password)
$("$py" data/generate.py --list-users | sed 's/^/    /')

  Stop with Ctrl-C.

EOF
    write_local_conf
    start_sink
    # -O: trytond checks id lists with asserts that are quadratic on big lists.
    # -d: without it every login fails with KeyError: 'res.user' (8.0.12).
    PYTHONOPTIMIZE=1 exec "$bin/trytond" -c "$conf" "$local_conf" -d "$db" ${KIM_DEMO_SERVE_ARGS:-}
}

case "${1:-}" in
    build) build ;;
    serve) serve ;;
    *) echo "usage: $0 build|serve" >&2; exit 2 ;;
esac
