#!/usr/bin/env python3
# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Where the time of the bench's interactive calls goes: the calls of
bench_rpc.py (case list, case form, Wiedervorlage) sent in process to
trytond's WSGI application, with every SQL query timed and, optionally,
cProfile.

    profile_rpc.py -c trytond.conf -c DB.conf -d DB [--login fallmanager]
        [--repeat 5] [--profile] [--queries 15] [--explain] [--case ID]

Prints per action the time, the number of queries (also per call) and
their time, the slowest queries (normalised: the same statement with other
values counts once) and with --profile the top functions by cumulative time."""
import argparse
import cProfile
import io
import os
import pstats
import re
import sys
import time
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

QUERIES = []


def _install_timer():
    from psycopg import ClientCursor

    from trytond.backend.postgresql import database

    base = database.LoggingCursor.execute

    def execute(self, query, params=None, **kwargs):
        start = time.perf_counter()
        try:
            return base(self, query, params, **kwargs)
        finally:
            took = time.perf_counter() - start
            if QUERIES is not None:
                try:
                    text = ClientCursor(self.connection).mogrify(
                        query, params)
                except Exception:
                    text = str(query)
                key = str(query)
                if not key.strip():
                    key = repr(query)
                    if os.environ.get('KIM_PROFILE_BLANK'):
                        import traceback
                        traceback.print_stack(limit=6)
                QUERIES.append((took, key, text))
    database.LoggingCursor.execute = execute


def _normalise(query):
    return re.sub(r'%s(, %s)*', '%s...', query)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('-c', '--config', action='append', default=[])
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('--login', default='fallmanager')
    parser.add_argument('--password',
        default=os.environ.get('KIM_DEMO_PASSWORD') or 'demo-KIM-2026')
    parser.add_argument('--repeat', type=int, default=5)
    parser.add_argument('--profile', action='store_true')
    parser.add_argument('--queries', type=int, default=12)
    parser.add_argument('--explain', action='store_true',
        help='EXPLAIN ANALYZE the slowest queries')
    parser.add_argument('--case', type=int, action='append', default=[],
        help='open the form of these case ids (default: the first 20 of '
        'the list)')
    parser.add_argument('--only', default='',
        help='comma-separated actions: list, form, due')
    args = parser.parse_args(argv)
    os.environ['TRYTOND_DATABASE_NAMES'] = args.database
    from trytond.config import config
    config.update_etc(args.config)
    from werkzeug.test import Client

    from trytond.pool import Pool
    from trytond.wsgi import app
    Pool.start()
    Pool(args.database).init()

    import bench_rpc
    _install_timer()
    client = Client(app)

    class Session(bench_rpc.Session):
        queries = []  # (method, number of SQL statements) per call

        def request(self, method, params, label=None):
            body = bench_rpc.json.dumps({'id': 1, 'method': method,
                    'params': params}, default=bench_rpc._default)
            headers = {'Content-Type': 'application/json'}
            if self.auth:
                headers['Authorization'] = self.auth
            start = time.perf_counter()
            queries = len(QUERIES)
            response = client.post(self.path, data=body, headers=headers)
            result = bench_rpc.json.loads(response.get_data(),
                object_hook=bench_rpc._hook)
            self.calls.append((label or method, method,
                    time.perf_counter() - start, True))
            self.queries.append((method, len(QUERIES) - queries))
            if result.get('error'):
                raise bench_rpc.RPCError(str(result['error'])[:800])
            return result['result']

    import psycopg
    uri = config.get('database', 'uri').rstrip('/') + '/' + args.database

    class Bench(bench_rpc.Bench):
        def session(self, login, password=args.password):
            return Session('http://x/', self.database).login(
                login, password)

    bargs = argparse.Namespace(dsn=uri, url='http://x/',
        database=args.database)
    bench = Bench(bargs)
    s = bench.session(args.login)
    cases = bench_rpc.Screen(s, bench.menu_of('kim_case', 'act_case_form'))
    dues = bench_rpc.Screen(s, bench.menu_of('kim_case', 'act_case_due'))
    ids, _ = cases.open_list('warm')
    ids = args.case or ids
    actions = {
        'list': lambda i: cases.open_list('list'),
        'form': lambda i: cases.open_form(ids[i % min(len(ids), 20)],
            'form', 'tab'),
        'due': lambda i: dues.open_list('due'),
        }
    for name in actions:
        actions[name](0)  # warm the caches
    only = set(filter(None, args.only.split(','))) or set(actions)
    for name, action in actions.items():
        if name not in only:
            continue
        del QUERIES[:]
        profiler = cProfile.Profile() if args.profile else None
        times = []
        by_call = defaultdict(list)
        queries_by_call = defaultdict(int)
        for i in range(args.repeat):
            before = len(s.calls)
            before_queries = len(s.queries)
            start = time.perf_counter()
            if profiler:
                profiler.enable()
            action(i)
            if profiler:
                profiler.disable()
            times.append(time.perf_counter() - start)
            for label, method, took, _ in s.calls[before:]:
                by_call[method].append(took)
            for method, count in s.queries[before_queries:]:
                queries_by_call[method] += count
        times.sort()
        n = args.repeat
        sql_time = sum(q[0] for q in QUERIES) / n
        print('\n== %s as %s: median %.1f ms, min %.1f ms; %.1f queries, '
            '%.1f ms SQL per round' % (name, args.login,
                times[len(times) // 2] * 1000, times[0] * 1000,
                len(QUERIES) / n, sql_time * 1000))
        for method, took in by_call.items():
            took.sort()
            print('   %-48s x%.1f  median %.1f ms, %.1f queries' % (
                    method.replace('model.', ''), len(took) / n,
                    took[len(took) // 2] * 1000,
                    queries_by_call[method] / n))
        grouped = defaultdict(lambda: [0, 0.0, ''])
        for took, query, text in QUERIES:
            g = grouped[_normalise(query)]
            g[0] += 1
            g[1] += took
            if took >= max(g[1] / g[0], 0):
                g[2] = text
        print('  slowest statements (count per round, ms per round):')
        for key, (count, total, text) in sorted(grouped.items(),
                key=lambda kv: -kv[1][1])[:args.queries]:
            print('   %5.1f x %7.2f ms  %s' % (count / n, total / n * 1000,
                    re.sub(r'\s+', ' ', key)[:400]))
            if args.explain and text.lstrip().upper().startswith(
                    'SELECT'):
                with psycopg.connect(uri) as conn:
                    plan = conn.execute('EXPLAIN ANALYZE ' + text).fetchall()
                    for row, in plan:
                        print('        ' + row)
        if os.environ.get('KIM_PROFILE_DUMP'):
            with open(os.environ['KIM_PROFILE_DUMP'] + '.' + name, 'w') as f:
                for took, query, text in QUERIES:
                    f.write('%.2f ms\t%s\n' % (took * 1000, text))
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(
                'cumulative').print_stats(
                int(os.environ.get("KIM_PROFILE_LINES", 45)))
            print(out.getvalue())
            if os.environ.get("KIM_PROFILE_STATS"):
                profiler.dump_stats(
                    os.environ["KIM_PROFILE_STATS"] + "." + name)
    return 0


if __name__ == '__main__':
    sys.exit(main())
