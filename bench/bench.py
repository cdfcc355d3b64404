#!/usr/bin/env python3
"""Benchmark of kim_reporting and the case lists on PostgreSQL.

Run by tools/bench.sh (``make bench``); see there for the data set. Prints
side by side:

- the annual indicator report computed through the module (set-based
  python-sql engine, lines stored, previous period and suppression
  included) and the same numbers by the independent set-based SQL of
  bench/kennzahlen_baseline.py: time, ratio, and whether the numbers are
  equal;
- the case list (search + read of 80 rows with the fields of the list view)
  and the case form read through the ORM: median time and number of SQL
  queries, for the case with the most and the one with the fewest contacts;
- the Verwendungsnachweis PDF.

The last line is ``indicator-report ratio ORM/SQL: <x.xx>``.
Everything runs in one transaction that is rolled back.
"""
import argparse
import datetime as dt
import os
import statistics
import sys
import time


class QueryCounter:
    "Count the SQL queries trytond sends to PostgreSQL"

    def __init__(self):
        from trytond.backend.postgresql.database import LoggingCursor
        self.count = 0
        original = LoggingCursor.execute
        counter = self

        def execute(self, *args, **kwargs):
            counter.count += 1
            return original(self, *args, **kwargs)
        LoggingCursor.execute = execute


def median_time(func, repeat, counter=None):
    times, queries = [], []
    for _ in range(repeat):
        before = counter.count if counter else 0
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
        if counter:
            queries.append(counter.count - before)
    return statistics.median(times), (
        int(statistics.median(queries)) if queries else None)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('-c', '--config', nargs='+', required=True)
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('--year', type=int,
        default=dt.date.today().year - 1)
    parser.add_argument('--repeat', type=int, default=5)
    args = parser.parse_args(argv)

    from trytond import config
    config.update_etc(args.config)
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    counter = QueryCounter()
    Pool.start()
    pool = Pool(args.database)
    with Transaction().start(args.database, 0, readonly=True):
        pool.init()

    with Transaction().start(args.database, 0) as transaction:
        User = pool.get('res.user')
        Company = pool.get('company.company')
        company, = Company.search([], limit=1)
        admin, = User.search([('login', '=', 'admin')])
        User.write([admin], {
                'companies': [('add', [company.id])],
                'company': company.id,
                })
        cursor = transaction.connection.cursor()
        counts = {}
        for table in ['party_party', 'kim_case', 'kim_case_contact',
                'kim_case_plan', 'kim_case_plan_goal']:
            cursor.execute('SELECT COUNT(*) FROM %s' % table)
            counts[table], = cursor.fetchone()
        cursor.execute('SELECT COUNT(*) FROM party_party WHERE kim_client')
        clients, = cursor.fetchone()
        print('data: %s clients, %s cases, %s contacts, %s plans, %s goals'
            % (clients, counts['kim_case'], counts['kim_case_contact'],
                counts['kim_case_plan'], counts['kim_case_plan_goal']))

        # --- 1. the annual indicator report --------------------------------
        Report = pool.get('kim.indicator.report')
        Configuration = pool.get('kim.configuration')
        kim_config = Configuration(1)
        kim_config.min_cell = 0
        kim_config.save()
        dimensions = ['kommune', 'target_group', 'gender', 'rechtskreis']
        start, end = dt.date(args.year, 1, 1), dt.date(args.year, 12, 31)
        from bench.kennzahlen_baseline import kennzahlen
        orm_times, sql_times = [], []
        for _ in range(args.repeat):
            report, = Report.create([{
                        'name': 'Bench %s' % args.year,
                        'company': company.id,
                        'year': args.year,
                        'dimensions': dimensions,
                        }])
            t0 = time.perf_counter()
            Report.compute([report])
            orm_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            by_sql = kennzahlen(cursor, 'postgresql', company.id, start, end,
                dimensions)
            sql_times.append(time.perf_counter() - t0)
        report = Report(report.id)
        by_codes = {code for code, _, _ in by_sql}
        by_orm = {(l.code, l.dimension, l.key or ''): l.value
            for l in report.lines if l.code in by_codes}
        differences = [(k, by_orm.get(k), v) for k, v in by_sql.items()
            if by_orm.get(k) != v
            and not (by_orm.get(k) in (None, 0) and v in (None, 0))]
        missing = [k for k in by_orm if k not in by_sql and by_orm[k]]
        orm, sql = statistics.median(orm_times), statistics.median(sql_times)
        print()
        print('%-44s %10s %10s %7s' % ('', 'module', 'set SQL', 'ratio'))
        print('%-44s %8.1f ms %8.1f ms %7.2f' % (
                'indicator report %s (%d cells)' % (args.year, len(by_sql)),
                orm * 1000, sql * 1000, orm / sql))
        print('numbers equal: %s' % ('yes' if not differences and not missing
                else 'NO: %s %s' % (differences[:5], missing[:5])))

        # --- 2. case list and form through the ORM --------------------------
        Case = pool.get('kim.case')
        context = User.get_preferences(context_only=True)
        with Transaction().set_user(admin.id), \
                Transaction().set_context(context, _check_access=True):
            tree_fields = list(Case.fields_view_get(
                    view_type='tree')['fields'])
            form_fields = list(Case.fields_view_get(
                    view_type='form')['fields'])

            def case_list():
                # as the client does: search returns ids over RPC
                ids = [c.id for c in Case.search([], limit=80)]
                Case.read(ids, tree_fields)
            cursor.execute('SELECT c.id, COUNT(k.id) FROM kim_case c '
                'LEFT JOIN kim_case_contact k ON k."case" = c.id '
                'GROUP BY c.id ORDER BY COUNT(k.id), c.id LIMIT 1')
            case_id, before = cursor.fetchone()
            case_list()  # warm the caches
            list_time, list_queries = median_time(
                case_list, args.repeat * 2, counter)

            def form_read():
                Case.read([case_id], form_fields)
            form_read()
            form = [(before,) + median_time(form_read, args.repeat * 2,
                    counter)]
            # the same case with 500 more contacts (rolled back at the end)
            cursor.execute('INSERT INTO kim_case_contact (create_uid, '
                'create_date, "case", start, duration, channel, state) '
                'SELECT 0, now(), %s, now() - s * interval \'1 day\', 60, '
                '\'office\', \'done\' FROM generate_series(1, 500) s',
                (case_id,))
            form_read()
            form.append((before + 500,) + median_time(
                    form_read, args.repeat * 2, counter))
        print()
        print('%-44s %10s %8s' % ('ORM (median, in process)', 'time',
                'queries'))
        print('%-44s %8.1f ms %8d' % ('case list: search + read 80 rows',
                list_time * 1000, list_queries))
        for n, form_time, queries in form:
            print('%-44s %8.1f ms %8d' % (
                    'case form read (%d contacts)' % n,
                    form_time * 1000, queries))
        print('form queries independent of the contacts: %s' % (
                'yes' if form[0][2] == form[1][2] else 'NO'))

        # --- 3. the Verwendungsnachweis PDF ---------------------------------
        Proof = pool.get('kim.funding.proof')
        ProofReport = pool.get('kim.funding.proof', type='report')
        proofs = Proof.search([], limit=1)
        print()
        if proofs:
            proof, = proofs
            if not proof.lines:
                Proof.compute([proof])
            ProofReport.execute([proof.id], {})
            pdf_time, _ = median_time(
                lambda: ProofReport.execute([proof.id], {}), args.repeat)
            print('%-44s %8.1f ms' % ('Verwendungsnachweis PDF',
                    pdf_time * 1000))
        else:
            print('Verwendungsnachweis PDF: no Verwendungsnachweis '
                '(the demo plugin data/demo_reporting did not run)')
        transaction.rollback()
    print()
    print('indicator-report ratio ORM/SQL: %.2f' % (orm / sql))
    return 0 if not differences and not missing else 1


if __name__ == '__main__':
    sys.path.insert(0, os.path.dirname(os.path.dirname(
                os.path.abspath(__file__))))
    sys.exit(main())
