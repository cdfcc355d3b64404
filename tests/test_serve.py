"""The production set-up (tools/serve.sh, `make serve`) starts and answers.

Runs in the PostgreSQL pass of `make test` (TRYTOND_DATABASE_URI is a
postgresql:// URI): creates the database kim_serve_test with kim_network,
starts gunicorn with two workers, trytond-cron and trytond-worker, then checks
over HTTP that the web client is served, that a login and a JSON-RPC call
answer, that large answers are gzip-compressed for clients that ask for it,
that the workers pass a cleared cache on at once and that every process
stops with the script.
"""
import gzip
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DB = 'kim_serve_test'
PASSWORD = 'demo-KIM-2026'
URI = os.environ.get('TRYTOND_DATABASE_URI', '')

pytestmark = pytest.mark.skipif(not URI.startswith('postgresql://'),
    reason="the production set-up runs on PostgreSQL: checked in the "
    "PostgreSQL pass")


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def drop_database():
    import psycopg
    with psycopg.connect(URI.rstrip('/') + '/postgres',
            autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % DB)


def rpc(url, method, params, session=None, gzip_ok=False, headers=None):
    "The answer and its encoding (headers: a dict to fill with its headers)"
    request = urllib.request.Request(url, method='POST',
        data=json.dumps({'id': 1, 'method': method,
                'params': params}).encode(),
        headers={'Content-Type': 'application/json'})
    if session:
        import base64
        request.add_header('Authorization', 'Session ' + base64.b64encode(
                ('%s:%s:%s' % session).encode()).decode())
    if gzip_ok:
        request.add_header('Accept-Encoding', 'gzip')
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read()
        encoding = response.headers.get('Content-Encoding')
        if headers is not None:
            headers.update(response.headers.items())
    if encoding == 'gzip':
        body = gzip.decompress(body)
    return json.loads(body), encoding


def descendants(pid):
    "The pids of the process tree under pid"
    out = subprocess.run(['ps', '-e', '-o', 'pid=,ppid='],
        capture_output=True, text=True).stdout
    children = {}
    for line in out.splitlines():
        child, parent = map(int, line.split())
        children.setdefault(parent, []).append(child)
    result, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            result.append(child)
            todo.append(child)
    return result


def command(pid):
    try:
        return Path('/proc/%d/cmdline' % pid).read_bytes().replace(
            b'\0', b' ').decode()
    except FileNotFoundError:
        return ''


def test_serve_starts_and_answers():
    port = free_port()
    drop_database()
    env = dict(os.environ, KIM_SERVE_URI=URI, KIM_SERVE_DB=DB,
        KIM_SERVE_LISTEN='127.0.0.1:%d' % port, KIM_SERVE_WORKERS='2',
        KIM_SERVE_MODULES='kim_network', KIM_DEMO_PASSWORD=PASSWORD)
    env.pop('DB_NAME', None)
    env.pop('DB_CACHE', None)
    process = subprocess.Popen([str(ROOT / 'tools' / 'serve.sh')],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True)
    base = 'http://127.0.0.1:%d/' % port
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                version, _ = rpc(base + 'rpc/', 'common.server.version', [])
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError('tools/serve.sh did not answer:\n'
                        + process.stdout.read().decode()[-3000:])
                time.sleep(1)
        assert version['result'].startswith('8.0')

        # gunicorn master with two workers, cron and the queue worker
        tree = [command(p) for p in descendants(process.pid)]
        assert sum('gunicorn' in c for c in tree) == 3, tree
        assert any('trytond-cron' in c for c in tree), tree
        assert any('trytond-worker' in c for c in tree), tree
        # optimised Python: trytond's quadratic asserts are off
        worker = [p for p in descendants(process.pid)
            if 'gunicorn' in command(p)][-1]
        environ = Path('/proc/%d/environ' % worker).read_bytes()
        assert b'PYTHONOPTIMIZE=1' in environ.split(b'\0')

        # the web client
        with urllib.request.urlopen(base, timeout=30) as response:
            assert b'sao' in response.read().lower()
        # the KIM Suite's title, which sao loads from the web root
        if (ROOT / '.sao' / 'package' / 'dist' / 'tryton-sao.js').exists():
            with urllib.request.urlopen(base + 'custom.js',
                    timeout=30) as response:
                assert b"Sao.config.title = 'KIM Suite'" in response.read()

        # a login and a call as the user, compressed for a client that asks
        headers = {}
        login, _ = rpc(base + DB + '/rpc/', 'common.db.login',
            ['admin', {'password': PASSWORD}, 'de'], headers=headers)
        # no timing of a password check
        assert 'Server-Timing' not in headers, headers
        user_id, key, _ = login['result']
        session = ('admin', user_id, key)
        headers = {}
        answer, encoding = rpc(base + DB + '/rpc/',
            'model.ir.model.search_read', [[], 0, None, None,
                ['name'], {}], session=session, gzip_ok=True,
            headers=headers)
        names = {m['name'] for m in answer['result']}
        assert 'kim.service' in names, answer
        assert encoding == 'gzip'
        # compressed at once, with its length; the server's time told
        assert int(headers['Content-Length']) > 0, headers
        timing = headers['Server-Timing']
        assert timing.startswith('app;dur='), timing
        assert 0 < float(timing.split('=', 1)[1]) < 60000, timing
        # and plain, without the gzip label, for a client that does not ask
        # (trytond 8.0 labelled it gzip: kim_network/speed.py)
        plain, encoding = rpc(base + DB + '/rpc/',
            'model.ir.model.search_read', [[], 0, None, None,
                ['name'], {}], session=session)
        assert encoding is None
        assert plain['result'] == answer['result']

        # the workers pass a cleared cache on to each other at once
        # (PostgreSQL LISTEN/NOTIFY, [cache] clean_timeout = 0), not after
        # up to 300 s
        import configparser
        written = configparser.ConfigParser(interpolation=None)
        written.read(ROOT / 'var' / 'serve' / ('%s.conf' % DB))
        assert written.get('cache', 'clean_timeout') == '0'
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
    time.sleep(1)
    # nothing of the set-up is left running
    out = subprocess.run(['ps', '-e', '-o', 'args='], capture_output=True,
        text=True).stdout
    assert '-d %s' % DB not in out and 'DATABASE_NAMES=%s' % DB not in out
    drop_database()
