#!/usr/bin/env python
# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Cost of the record rules of kim_case as the Kreis grows (PostgreSQL).

On an existing database with demo data (data/generate.py --users, e.g.
replicated with bench/replicate.py), measures as the demo users fallmanager
(case manager) and fachaufsicht what their rules cost:

- the rule check of one case and of one client (Rule.check, as every read
  of a record does), with the EXPLAIN of its query;
- the case list as the web client opens it: search of the open cases (80,
  in the list order), the count of the tab, the read of the list columns;
- the Wiedervorlage list of the user (kim.case.due, 'mine').

"before" runs the same with the rules of the KIM Suite before the rule
context had the user's teams (dotted path team.members, the client rules
with client.kim_cases) and without the indexes on the team and the list
order, in a transaction that is rolled back; "after" with the current
rules and indexes.

    .venv/bin/python bench/bench_rules.py -c trytond.conf -c DB.conf -d DB
"""
import argparse
import statistics
import sys
import time

OLD_CASES = ("['OR', ('case_manager', 'in', Eval('employees', [])), "
    "('team.members', 'in', Eval('employees', []))]")
OLD_PARTY_CM = (
    "['OR', [('kim_client', '=', False), ('kim_household_of', '=', None), "
    "('kim_household_cases', '=', None)], ('kim_cases', 'where', %(c)s), "
    "('kim_household_of', 'where', [('client.kim_cases', 'where', %(c)s)]), "
    "('kim_household_cases', 'where', %(c)s), [('kim_cases', '=', None), "
    "('create_uid', '=', Eval('user_id', -1))]]") % {'c': OLD_CASES}
OLD_PARTY_SUP = (
    "['OR', [('kim_client', '=', False), ('kim_household_of', '=', None), "
    "('kim_household_cases', '=', None)], ('kim_cases', 'where', %(c)s), "
    "('kim_household_of', 'where', [('client.kim_cases', 'where', %(c)s)]), "
    "('kim_household_cases', 'where', %(c)s), [('kim_cases', '=', None), "
    "('kim_household_of', '=', None), ('kim_household_cases', '=', None)]]"
    ) % {'c': "[('company', 'in', Eval('companies', []))]"}
OLD_NOT_CLIENT = ("[('kim_client', '=', False), "
    "('kim_household_of', '=', None), ('kim_household_cases', '=', None)]")
OLD_RULES = {
    'kim_case.rule_case_case_manager_rule': OLD_CASES,
    'kim_case.rule_case_due_case_manager_rule': OLD_CASES,
    'kim_case.rule_party_case_manager_rule': OLD_PARTY_CM,
    'kim_case.rule_party_case_supervisor_rule': OLD_PARTY_SUP,
    'kim_case.rule_party_not_client_rule': OLD_NOT_CLIENT,
    }
# the indexes added with the team ids in the rule context (by definition:
# Tryton names them by a hash)
NEW_INDEXES = ['btree (team)', 'btree (opened_date, id)']
OPEN = ['intake', 'assessment', 'planning', 'implementation', 'closing']
LIST_FIELDS = ['number', 'client', 'client.rec_name', 'state', 'state:string',
    'next_review', 'followup_due', 'case_manager', 'case_manager.rec_name',
    'team', 'team.rec_name', 'kommune', 'kommune.rec_name', 'depth',
    'opened_date', 'closing_date', '_timestamp', '_write', '_delete']


def median_ms(func, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def explain(cursor, query):
    sql, params = tuple(query)
    cursor.execute('EXPLAIN (ANALYZE, BUFFERS) ' + sql, params)
    return [r for r, in cursor]


def summary(plan):
    "The execution time and the scans of an EXPLAIN ANALYZE"
    scans = sorted({line.strip().split('  ')[0].split(' (')[0]
            .lstrip('-> ')
            for line in plan if 'Scan' in line})
    total = [line for line in plan if line.startswith('Execution Time')]
    return scans, total[0] if total else ''


def measure(variant, args):
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool()
    User = pool.get('res.user')
    Rule = pool.get('ir.rule')
    ModelData = pool.get('ir.model.data')
    Case = pool.get('kim.case')
    Party = pool.get('party.party')
    Due = pool.get('kim.case.due')
    transaction = Transaction()
    cursor = transaction.connection.cursor()
    if variant == 'before':
        from trytond.pyson import Eval, PYSONEncoder
        rule = Rule.__table__()
        for xml_id, domain in OLD_RULES.items():
            module, name = xml_id.split('.')
            domain = PYSONEncoder().encode(eval(domain, {'Eval': Eval}))
            cursor.execute(*rule.update([rule.domain], [domain],
                    where=rule.id == ModelData.get_id(module, name)))
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename = 'kim_case'")
        for name, definition in cursor.fetchall():
            if any(definition.endswith(d) for d in NEW_INDEXES):
                cursor.execute('DROP INDEX "%s"' % name)
    Rule._domain_get_cache.clear()
    # the action of the user's Wiedervorlage restricts its query to the
    # user's cases (not before)
    due_context = {'kim_due_mine': True} if variant == 'after' else {}
    results = {}
    for login in ['fallmanager', 'fachaufsicht']:
        user, = User.search([('login', '=', login)])
        with transaction.set_user(user.id), transaction.set_context(
                _check_access=True, company=user.company.id if user.company
                else None, language='de'):
            mine = Case.search([('state', 'in', OPEN)], limit=1,
                order=[('id', 'ASC')])
            with transaction.set_user(0), transaction.set_context(
                    _check_access=False):
                case, = mine
                client = case.client
            # the queries of the rules as search and read run them
            queries = {}
            for name, Model, domain, order, limit in [
                    ('case', Case, [('id', '=', case.id)], [], None),
                    ('client', Party, [('id', '=', client.id)], [], None),
                    ('contacts of a case', pool.get('kim.case.contact'),
                        [('case', '=', case.id)], None, None),
                    ('case list', Case, [('state', 'in', OPEN)], None, 80),
                    ('Wiedervorlage', Due, [('mine', '=', True)], None, 80),
                    ]:
                # as the user: with the rules (and the restriction inside
                # the query of the Wiedervorlage)
                with transaction.set_context(due_context):
                    queries[name] = Model.search(domain, order=order,
                        limit=limit, query=True)

            def case_check():
                Rule.check('kim.case', [case.id])

            def party_check():
                Rule.check('party.party', [client.id])

            def case_list():
                ids = Case.search([('state', 'in', OPEN)], limit=80,
                    order=[('opened_date', 'DESC'), ('id', 'DESC')])
                Case.search_count([('state', 'in', OPEN)])
                Case.read([c.id for c in ids], LIST_FIELDS)

            def due_list():
                with transaction.set_context(due_context):
                    dues = Due.search([('mine', '=', True)], limit=80)
                    Due.read([d.id for d in dues], ['case', 'case.rec_name',
                            'client', 'client.rec_name', 'kind', 'date'])

            row = results[login] = {}
            for name, func in [('case rule check', case_check),
                    ('client rule check', party_check),
                    ('case list (80 of the open cases)', case_list),
                    ('Wiedervorlage list', due_list)]:
                func()
                row[name] = median_ms(func, args.repeat)
            row['count'] = Case.search_count([])
            for name, query in queries.items():
                plan = explain(cursor, query)
                row['explain ' + name] = summary(plan)
                if args.verbose:
                    print(login, variant, name)
                    print('\n'.join(plan))
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('-c', '--config', action='append', default=[])
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('--repeat', type=int, default=7)
    parser.add_argument('-v', '--verbose', action='store_true')
    args = parser.parse_args()
    from trytond.config import config
    for path in args.config:
        config.update_etc(path)
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    Pool.start()
    pool = Pool(args.database)
    pool.init()
    all_results = {}
    for variant in ['before', 'after']:
        with Transaction().start(args.database, 0, readonly=False) as t:
            all_results[variant] = measure(variant, args)
            t.rollback()
    for login in ['fallmanager', 'fachaufsicht']:
        print('%s (reads %s cases)' % (
                login, all_results['after'][login]['count']))
        for name in ['case rule check', 'client rule check',
                'case list (80 of the open cases)', 'Wiedervorlage list']:
            before = all_results['before'][login][name]
            after = all_results['after'][login][name]
            print('  %-34s before %8.1f ms   after %8.1f ms   (%.1fx)' % (
                    name, before, after, before / after if after else 0))
        for name in ['explain case', 'explain client',
                'explain contacts of a case', 'explain case list',
                'explain Wiedervorlage']:
            for variant in ['before', 'after']:
                scans, total = all_results[variant][login][name]
                print('  %s %-6s %s; %s' % (
                        name, variant, total, ', '.join(scans)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
