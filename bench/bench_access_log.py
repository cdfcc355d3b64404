#!/usr/bin/env python
# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Cost of the access log on a list read of 80 cases (kim_case).

Reads 80 cases with the columns of the case list (as the web client does,
with the rec_name of the Many2One columns, so the clients are read and
logged too) as a Fachaufsicht user with access checked, with and without
the logging, and prints the medians and their ratio. The log rows of a
request are written at its commit: each measured read includes that INSERT
(AccessLog.flush).

    DB_NAME=:memory: TRYTOND_DATABASE_URI=sqlite:// \\
        .venv/bin/python bench/bench_access_log.py
    DB_NAME=bench_access \\
    TRYTOND_DATABASE_URI=postgresql://postgres@127.0.0.1:5432/ \\
        .venv/bin/python bench/bench_access_log.py    (trytond creates it)

Environment: KIM_BENCH_REPEAT (default 50), KIM_BENCH_CASES (default 80).
"""
import os
import statistics
import sys
import time

os.environ.setdefault('DB_NAME', ':memory:')
os.environ.setdefault('TRYTOND_DATABASE_URI', 'sqlite://')

from trytond.tests.test_tryton import (  # noqa: E402
    activate_module, drop_db, with_transaction)

REPEAT = int(os.environ.get('KIM_BENCH_REPEAT', 50))
N = int(os.environ.get('KIM_BENCH_CASES', 80))
FIELDS = ['number', 'client', 'client.rec_name', 'state', 'next_review',
    'followup_due', 'case_manager', 'case_manager.rec_name', 'team',
    'team.rec_name', 'kommune', 'kommune.rec_name', 'depth', 'opened_date',
    'closing_date', '_timestamp']


def median_ms(func, repeat=REPEAT):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


@with_transaction()
def bench():
    from trytond.modules.company.tests import (
        create_company, create_employee, set_company)
    from trytond.modules.kim_network.tests.tools import as_user, create_user
    from trytond.pool import Pool
    pool = Pool()
    Party = pool.get('party.party')
    Kommune = pool.get('kim.kommune')
    Case = pool.get('kim.case')
    User = pool.get('res.user')
    Log = pool.get('kim.access_log')

    company = create_company()
    employee = create_employee(company, "Eva")
    kommune, = Kommune.create([{'name': "Nordstadt", 'ags': '05999001'}])
    clients = Party.create([{'name': 'Client %s' % i, 'kim_client': True}
            for i in range(N)])
    with set_company(company):
        cases = Case.create([{'client': c.id, 'kommune': kommune.id,
                        'case_manager': employee.id} for c in clients])
    ids = [c.id for c in cases]
    user = create_user('bench_sup', [('kim_case', 'group_case_supervisor')])
    User.write([user], {'companies': [('add', [company.id])],
            'company': company.id})

    def read():
        if len(Case.read(ids, FIELDS)) != N:
            raise RuntimeError("not all cases read")
        Log.flush()

    def without_logging():
        # the pool class inherits log: override it for the call
        Log.log = classmethod(lambda cls, *args, **kwargs: None)
        try:
            read()
        finally:
            del Log.log

    with as_user(user):
        read()  # warm the caches
        without_logging()
        before = Log.search_count([])
        with_times, without_times = [], []
        # interleaved, so that the load of the machine weighs on both alike
        for _ in range(REPEAT):
            with_times.append(median_ms(read, 1))
            without_times.append(median_ms(without_logging, 1))
        with_log = statistics.median(with_times)
        without_log = statistics.median(without_times)
        logged = Log.search_count([]) - before
    backend = os.environ['TRYTOND_DATABASE_URI'].split(':', 1)[0]
    print('access log bench (%s, read of %s cases, %s fields, median of %s)'
        % (backend, N, len(FIELDS), REPEAT))
    print('  without logging: %.2f ms' % without_log)
    print('  with logging:    %.2f ms' % with_log)
    print('  ratio:           %.2f (+%.2f ms per read)' % (
            with_log / without_log, with_log - without_log))
    print('  rows logged per read: %d' % (logged // REPEAT))


def main():
    drop_db()
    activate_module('kim_case')
    try:
        bench()
    finally:
        drop_db()
    return 0


if __name__ == '__main__':
    sys.exit(main())
