#!/usr/bin/env python3
"""Scale a bench database up to the clients and cases of a profile, in SQL.

data/generate.py creates the cases through the ORM at a few hundred rows per
second, too slow for the 40,000 cases of the Kreis-10y profile. tools/bench.sh
therefore generates a base (e.g. 5,000 cases) through the ORM and this script
copies its clients and cases until the profile counts are reached (PostgreSQL
only, psycopg). Usage:

    replicate.py URI DATABASE --cases N --clients N

What is copied is found in the catalog: the clients (``party_party`` rows with
``kim_client``) and all cases (``kim_case``) are the roots; every table with a
foreign key to a copied table is copied too, transitively, with the rows that
point to copied rows (a contact of a case, a goal of a plan of a case, the
languages or residence statuses of a client, ...). Not copied: the ir_*,
res_*, company_* tables, the access log, and the records of the network
directory, steering and reporting (EXCLUDE); code lists, organisations,
employees and users are no roots, so they are shared by the copies.

Copy k (1 <= k < copies) of a row gets ``id + k * offset`` where the offset of
a table is its largest id rounded up to a power of ten (copy 3 of case 1234 is
case 31234 when the base has at most 9,999 cases). Foreign keys to copied rows
are shifted by the offset of the referenced table, the other foreign keys
(code lists, organisations, employees) are kept. Cases are copied C times and
clients P <= C times: copy k of a case (and everything below it) points to copy
``k mod P`` of its client (and of everything below the client, e.g. a consent),
so that C x base cases belong to P x base clients. Text columns of a unique
index and the case number get the suffix ``-k`` (party code P123-4, case number
KIM-2025-00042-4). The ``__history`` rows of copied records are copied the same
way. Dates are kept: the copies are a second, third ... caseload with the same
course, so the dates of every copy are as plausible as those of the base.
Afterwards the id sequences are set past the copies and the tables analysed.

Everything runs in one transaction: the script either copies everything or
nothing. It does nothing when the database has the cases already (run again,
it finds C x base cases and stops), so tools/bench.sh may call it every time.
"""
import argparse
import os
import sys
import time

import psycopg
from psycopg import sql

# (table, row filter) of the roots and the family their copies belong to
ROOTS = {
    'kim_case': ('case', None),
    'party_party': ('client', 'kim_client'),
    }
# Tables (SQL LIKE patterns) never copied, with the reason printed
EXCLUDE = [
    (r'ir\_%', 'system'),
    (r'res\_%', 'users'),
    (r'company\_%', 'company and employees'),
    (r'%\_\_history', 'history (copied with its table)'),
    ('kim_access_log%', 'access log'),
    ('kim_configuration%', 'configuration'),
    ('kim_service%', 'network directory'),
    ('kim_organisation%', 'network directory'),
    ('kim_cooperation_agreement%', 'network directory'),
    ('kim_committee%', 'steering'),
    ('kim_topic%', 'steering'),
    ('kim_barrier_report%', 'steering (a report links one case)'),
    ('kim_case_reconstruction%', 'steering (a reconstruction of one case)'),
    ('kim_funding%', 'reporting'),
    ('kim_indicator%', 'reporting'),
    ]
# Between a unique text and the copy number (KIM_BENCH_SEPARATOR: another
# one copies a database that has copies already, e.g. '-x')
SEPARATOR = os.environ.get('KIM_BENCH_SEPARATOR', '-')
# Columns that number a record without a unique index in the database
SUFFIX = {'kim_case': {'number'}}
TEXT_TYPES = {'character varying', 'text', 'character'}


def q(name):
    return sql.Identifier(name)


class Table:
    def __init__(self, name):
        self.name = name
        self.family = None
        self.fks = []        # [(column, referenced table, not null)]
        self.columns = []    # [(column, data type)]
        self.suffix = set()
        self.base_max = 0
        self.offset = 0
        self.selected = 0
        self.total = 0
        self.history = None

    @property
    def sel(self):
        return '_rep_%s' % self.name.replace('-', '_')


def fetch(cursor, query, params=None):
    cursor.execute(query, params)
    return cursor.fetchall()


def foreign_keys(cursor):
    "{referenced table: [(table, column, not null)]} of one-column keys"
    result = {}
    for table, column, target, notnull in fetch(cursor, """
            SELECT cl.relname, a.attname, rf.relname, a.attnotnull
            FROM pg_constraint con
            JOIN pg_class cl ON cl.oid = con.conrelid
            JOIN pg_class rf ON rf.oid = con.confrelid
            JOIN pg_namespace n ON n.oid = cl.relnamespace
            JOIN pg_attribute a ON a.attrelid = con.conrelid
                AND a.attnum = con.conkey[1]
            WHERE con.contype = 'f' AND n.nspname = current_schema()
                AND array_length(con.conkey, 1) = 1
            ORDER BY cl.relname, a.attname"""):
        result.setdefault(target, []).append((table, column, notnull))
    return result


def excluded(cursor, name):
    for pattern, reason in EXCLUDE:
        cursor.execute('SELECT %s LIKE %s', (name, pattern))
        if cursor.fetchone()[0]:
            return reason
    return None


def discover(cursor):
    """Return the tables to copy in the order of their foreign keys and
    {table: reason} of the ones left out"""
    fks = foreign_keys(cursor)
    tables = {name: Table(name) for name in ROOTS}
    skipped = {}
    todo = list(ROOTS)
    while todo:
        target = todo.pop(0)
        for name, column, notnull in fks.get(target, []):
            if name in skipped:
                continue
            if name not in tables:
                reason = excluded(cursor, name)
                if reason:
                    skipped[name] = reason
                    continue
                tables[name] = Table(name)
                todo.append(name)
            fk = (column, target, notnull)
            if fk not in tables[name].fks:
                tables[name].fks.append(fk)
    # order: a table after the tables it references
    order, seen = [], set()

    def visit(name, path=()):
        if name in seen:
            return
        if name in path:
            raise SystemExit('replicate: foreign key cycle %s'
                % ' -> '.join(path + (name,)))
        for _, target, _ in tables[name].fks:
            if target != name:
                visit(target, path + (name,))
        seen.add(name)
        order.append(tables[name])
    for name in sorted(tables):
        visit(name)
    for table in order:
        if table.name in ROOTS:
            table.family = ROOTS[table.name][0]
        else:
            families = {tables[t].family for _, t, _ in table.fks
                if t != table.name}
            table.family = 'case' if 'case' in families else 'client'
    return order, tables, skipped


def describe(cursor, table):
    table.columns = fetch(cursor, """
        SELECT column_name, data_type FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = %s
        ORDER BY ordinal_position""", (table.name,))
    history = table.name + '__history'
    if fetch(cursor, """SELECT 1 FROM information_schema.tables
            WHERE table_schema = current_schema() AND table_name = %s""",
            (history,)):
        table.history = history


def unique_indexes(cursor, name):
    "[(index name, [columns] or None for an expression)]"
    return [(index, None if 0 in keys else columns)
        for index, keys, columns in fetch(cursor, """
            SELECT i.relname, x.indkey::int2[], ARRAY(
                SELECT a.attname FROM pg_attribute a
                WHERE a.attrelid = x.indrelid AND a.attnum = ANY(x.indkey))
            FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relname = %s AND n.nspname = current_schema()
                AND x.indisunique AND NOT x.indisprimary""", (name,))]


def plan_uniques(cursor, table, tables):
    """Columns to suffix so that the copies keep the unique indexes of
    table; None when a unique index cannot be kept"""
    types = dict(table.columns)
    same = [(c, t, nn) for c, t, nn in table.fks
        if tables[t].family == table.family]
    shifted = {'id'}
    for column, target, notnull in same:
        # shifted on every copied row: the only key that selects the rows,
        # or a mandatory key to a table copied as a whole
        full = tables[target].selected == tables[target].total
        if len(same) == 1 or (notnull and full):
            shifted.add(column)
    suffix = set(SUFFIX.get(table.name, ()))
    for index, columns in unique_indexes(cursor, table.name):
        if columns is None:
            return None, index
        if shifted & set(columns):
            continue
        text = [c for c in columns if types.get(c) in TEXT_TYPES]
        if not text:
            return None, index
        suffix.add(text[0])
    return suffix, None


def select_rows(cursor, table, tables):
    "Fill the temporary table of the base ids of table that are copied"
    cursor.execute(sql.SQL('CREATE TEMPORARY TABLE {} (id integer PRIMARY '
            'KEY) ON COMMIT DROP').format(q(table.sel)))
    if table.name in ROOTS:
        where = ROOTS[table.name][1]
        query = sql.SQL('INSERT INTO {} SELECT id FROM {}{}').format(
            q(table.sel), q(table.name),
            sql.SQL(' WHERE {}').format(q(where)) if where else sql.SQL(''))
    else:
        same = [(c, t) for c, t, _ in table.fks
            if tables[t].family == table.family and t != table.name]
        query = sql.SQL('INSERT INTO {} SELECT t.id FROM {} t WHERE {}'
            ).format(q(table.sel), q(table.name), sql.SQL(' OR ').join(
                sql.SQL('t.{} IN (SELECT id FROM {})').format(
                    q(c), q(tables[t].sel)) for c, t in same))
    cursor.execute(query)
    table.selected = cursor.rowcount
    table.total = fetch(cursor, sql.SQL('SELECT COUNT(*) FROM {}').format(
            q(table.name)))[0][0]
    table.base_max = fetch(cursor, sql.SQL(
            'SELECT COALESCE(MAX(id), 0) FROM {}').format(
            q(table.name)))[0][0]
    table.offset = 10 ** len(str(table.base_max))


def expressions(table, tables, columns, copies, alias='t'):
    "The SELECT expressions of copy s.k of the rows of table"
    fks = {c: t for c, t, _ in table.fks}
    result = []
    for column, _ in columns:
        ref = sql.SQL('{}.{}').format(q(alias), q(column))
        if column == 'id':
            expr = sql.SQL('{} + s.k * {}').format(ref,
                sql.Literal(table.offset))
        elif column in fks:
            target = tables[fks[column]]
            k = sql.SQL('s.k')
            if target.family != table.family:
                # a case copy points to the client copy k mod P
                k = sql.SQL('(s.k % {})').format(
                    sql.Literal(copies['client']))
            shift = sql.SQL('{} + {} * {}').format(ref, k,
                sql.Literal(target.offset))
            if target.selected == target.total:
                expr = shift
            else:
                expr = sql.SQL('CASE WHEN {} IN (SELECT id FROM {}) '
                    'THEN {} ELSE {} END').format(
                    ref, q(target.sel), shift, ref)
        elif column in table.suffix:
            expr = sql.SQL("{} || {} || s.k").format(ref,
                sql.Literal(SEPARATOR))
        else:
            expr = ref
        result.append(expr)
    return result


def copy(cursor, table, tables, copies):
    n = copies[table.family]
    columns = table.columns
    cursor.execute(sql.SQL(
            'INSERT INTO {table} ({columns}) SELECT {values} FROM {table} t '
            'CROSS JOIN generate_series(1, {last}) s(k) '
            'WHERE t.id IN (SELECT id FROM {sel}) ORDER BY s.k, t.id').format(
            table=q(table.name),
            columns=sql.SQL(', ').join(q(c) for c, _ in columns),
            values=sql.SQL(', ').join(
                expressions(table, tables, columns, copies)),
            last=sql.Literal(n - 1), sel=q(table.sel)))
    rows = cursor.rowcount
    history = 0
    if table.history:
        hcolumns = [(c, d) for c, d in fetch(cursor, """
                SELECT column_name, data_type FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = %s
                ORDER BY ordinal_position""", (table.history,))
            if c != '__id']
        cursor.execute(sql.SQL(
                'INSERT INTO {hist} (__id, {columns}) '
                'SELECT nextval({seq}), {values} FROM {hist} h '
                'CROSS JOIN generate_series(1, {last}) s(k) '
                'WHERE h.id IN (SELECT id FROM {sel}) '
                'ORDER BY s.k, h.__id').format(
                hist=q(table.history),
                columns=sql.SQL(', ').join(q(c) for c, _ in hcolumns),
                seq=sql.Literal(table.history + '___id_seq'),
                values=sql.SQL(', ').join(expressions(
                        table, tables, hcolumns, copies, alias='h')),
                last=sql.Literal(n - 1), sel=q(table.sel)))
        history = cursor.rowcount
    return rows, history


def set_sequence(cursor, name, column='id', sequence=None):
    sequence = sequence or name + '_id_seq'
    if fetch(cursor, 'SELECT 1 FROM pg_sequences WHERE sequencename = %s '
            'AND schemaname = current_schema()', (sequence,)):
        cursor.execute(sql.SQL('SELECT setval({}, GREATEST(1, (SELECT '
                'MAX({}) FROM {})))').format(sql.Literal(sequence), q(column),
                q(name)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('uri')
    parser.add_argument('database')
    parser.add_argument('--cases', type=int, required=True,
        help="number of cases to reach")
    parser.add_argument('--clients', type=int, required=True,
        help="number of clients to reach")
    args = parser.parse_args(argv)
    uri = args.uri.rstrip('/') + '/' + args.database
    start = time.monotonic()
    with psycopg.connect(uri) as conn, conn.cursor() as cursor:
        cases = fetch(cursor, 'SELECT COUNT(*) FROM kim_case')[0][0]
        clients = fetch(cursor,
            'SELECT COUNT(*) FROM party_party WHERE kim_client')[0][0]
        if not cases:
            print('replicate: no cases to copy')
            return 1
        n_cases = round(args.cases / cases)
        if n_cases <= 1:
            print('replicate: %d cases, %d clients: nothing to copy '
                '(asked for %d cases)' % (cases, clients, args.cases))
            return 0
        n_clients = max(1, min(n_cases, round(args.clients / clients)))
        copies = {'case': n_cases, 'client': n_clients}
        print('replicate: %d cases x %d, %d clients x %d' % (
                cases, n_cases, clients, n_clients), flush=True)
        order, tables, skipped = discover(cursor)
        reasons = {}
        for name, reason in sorted(skipped.items()):
            reasons.setdefault(reason, []).append(name)
        for reason, names in reasons.items():
            print('  not copied (%s): %s' % (reason, ', '.join(names)))
        dropped = set()
        for table in order:
            if any(t in dropped for _, t, _ in table.fks):
                dropped.add(table.name)
                print('  not copied: %s (references a table not copied)'
                    % table.name)
                continue
            describe(cursor, table)
            select_rows(cursor, table, tables)
            table.suffix, index = plan_uniques(cursor, table, tables)
            if table.suffix is None:
                dropped.add(table.name)
                print('  not copied: %s (unique index %s)' % (
                        table.name, index))
        print('  %-40s %6s %9s %9s %9s' % ('table', 'copies', 'base',
                'added', 'history'))
        total = 0
        for table in order:
            if table.name in dropped or not table.selected:
                continue
            t0 = time.monotonic()
            rows, history = copy(cursor, table, tables, copies)
            total += rows + history
            set_sequence(cursor, table.name)
            if table.history:
                set_sequence(cursor, table.history, '__id',
                    table.history + '___id_seq')
            print('  %-40s %6d %9d %9d %9s  %5.1f s%s' % (
                    table.name, copies[table.family], table.selected, rows,
                    history if table.history else '',
                    time.monotonic() - t0,
                    '  (suffix: %s)' % ', '.join(sorted(table.suffix))
                    if table.suffix else ''), flush=True)
        cases = fetch(cursor, 'SELECT COUNT(*) FROM kim_case')[0][0]
        clients = fetch(cursor,
            'SELECT COUNT(*) FROM party_party WHERE kim_client')[0][0]
        conn.commit()
        copied = time.monotonic() - start
        conn.autocommit = True
        cursor.execute('ANALYZE')
        print('replicate: %d rows added in %.0f s (ANALYZE %.0f s): '
            '%d clients, %d cases' % (total, copied,
                time.monotonic() - start - copied, clients, cases))
    return 0


if __name__ == '__main__':
    sys.exit(main())
