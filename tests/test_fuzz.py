"""Bad input over the fields of the KIM models, as a client sends it.

A bounded fuzz test with a fixed seed: values no user can mean (wrong types,
NUL and control characters, impossible dates and years, negative numbers,
ids of records that do not exist, malformed One2Many actions) are sent to
``create`` and ``write`` of the KIM models over the RPC layer (proteus, one
transaction per call), as a user of all KIM groups. Each call must either be
refused with a translated error (a ``UserError``) or succeed; no other
exception may come out of KIM code, and a refused call leaves the table of the
model as it was (no partial record). The calls that the issue measured as
tracebacks come first.
"""
import datetime as dt
import os
import random
import traceback
import unittest
import warnings
from decimal import Decimal

from proteus import config as pconfig

from trytond.exceptions import UserError, UserWarning
from trytond.model import ModelSQL, fields
from trytond.modules.company.tests.tools import create_company
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, drop_db
from trytond.tests.tools import activate_modules
from trytond.transaction import Transaction

from test_integrity import build_base, build_fixtures, build_specs

SEED = 20261122
CALLS = 1200
KIM_CODE = os.sep + 'kim_'
GROUPS = [
    ('kim_network', 'group_kim_user'),
    ('kim_network', 'group_kim_coordination'),
    ('kim_network', 'group_kim_admin'),
    ('kim_case', 'group_case_manager'),
    ('kim_case', 'group_case_supervisor'),
    ('kim_steering', 'group_committee_member'),
    ('kim_reporting', 'group_finance'),
    ]

BAD_TEXT = ['NUL\x00byte', 'bell\x07', 'escape\x1b[31m', 'c1\x85',
    'surrogate\ud800', 42, ['list'], {'a': 1}, b'bytes', 1.5]
BAD_INTEGER = ['12', 1.5, True, 2 ** 40, -2 ** 40, [1], {'a': 1}, -7,
    float('nan')]
BAD_NUMBER = ['12.5', True, Decimal('NaN'), float('inf'), -1, -0.5,
    Decimal('-3'), [1], 10 ** 20]
BAD_BOOLEAN = ['yes', 2, [], {}, 'true']
BAD_DATE = ['2026-02-30', 'gestern', '0001-01-01', dt.date(1, 1, 1),
    dt.date(9999, 12, 31), dt.date(1899, 12, 31), dt.date(2101, 1, 1),
    20260101, dt.datetime(2026, 1, 1, 10, 0)]
BAD_DATETIME = ['2026-02-30 10:00:00', 'morgen', dt.datetime(9999, 12, 31,
        23, 59), dt.datetime(1, 1, 1), dt.datetime(1899, 1, 1, 8, 0),
    dt.date(2026, 1, 1), 1234567890]
BAD_MANY2ONE = [-5, 0, 999999, '1', [1], True, 1.5, {'id': 1}]
BAD_SELECTION = ['no_such_value', 5, ['a'], '\x00']
BAD_MULTI = ['abc', [1], ['no_such_value'], [None], 'a\x00']
BAD_X2MANY = ['abc', [('nope', [1])], [('add', ['x'])], [('add', [999999])],
    [('create', [1])], [('create', [{'no_such_field': 1}])], [1, 2],
    [('write', [999999], {})], [('delete', 'x')], {'a': 1}]
BAD_BINARY = ['text', 123, ['x']]
BAD_REFERENCE = ['no.model,1', 'kim.case,-5', 'kim.case,abc', 5,
    ('kim.case', 'x')]


# the values and operators of the search criteria sent to every field (one
# operator of each kind: trytond converts "!=" as "=", "not in" as "in", ...)
SEARCH_VALUES = [False, True, 'abc', '5', {'a': 1}, [1, 'x'], 1.5, ['x'],
    [[1]], 10 ** 30, -1, None, [1, None], 'NUL\x00', 'x%\\',
    Decimal('1e200000'), '9' * 30]
SEARCH_OPERATORS = ['=', 'in', 'ilike', '<', 'parent_of']


def bad_values(field):
    "The bad values for a field of its type"
    return {
        'char': BAD_TEXT,
        'text': BAD_TEXT,
        'integer': BAD_INTEGER,
        'float': BAD_NUMBER,
        'numeric': BAD_NUMBER,
        'boolean': BAD_BOOLEAN,
        'date': BAD_DATE,
        'datetime': BAD_DATETIME,
        'timestamp': BAD_DATETIME,
        'many2one': BAD_MANY2ONE,
        'selection': BAD_SELECTION,
        'multiselection': BAD_MULTI,
        'one2many': BAD_X2MANY,
        'many2many': BAD_X2MANY,
        'binary': BAD_BINARY,
        'reference': BAD_REFERENCE,
        }.get(field._type, [])


def negative(value):
    "Whether value is a plain negative number (a value a user may mean)"
    if isinstance(value, bool) or not isinstance(value, (int, float,
                Decimal)):
        return False
    try:
        return -1e15 < value < 0
    except ArithmeticError:
        return False


def is_signed(Model, name, field):
    "Whether negative numbers are meant in the field"
    return (name in getattr(Model, '_kim_signed_fields', ())
        or name == 'sequence' or field.readonly)


def kim_frames(exception):
    "The frames of the traceback that lie in KIM code"
    frames = []
    while exception is not None:
        frames.extend(f for f in traceback.extract_tb(
                exception.__traceback__) if KIM_CODE in f.filename)
        exception = exception.__cause__ or exception.__context__
    return frames


class FuzzTestCase(unittest.TestCase):
    "Bad input over the KIM fields"

    @classmethod
    def setUpClass(cls):
        drop_db()
        activate_modules('kim_reporting', create_company)
        with Transaction().start(DB_NAME, 0) as transaction:
            pool = Pool()
            User = pool.get('res.user')
            ModelData = pool.get('ir.model.data')
            base = build_base()
            with Transaction().set_context(company=base['company'].id):
                specs, _ = build_specs(base)
                build_fixtures(specs)
            company = base['company']
            User.create([{
                        'login': 'fuzz',
                        'name': "Fuzz",
                        'groups': [('add', [
                                    ModelData.get_id(m, x)
                                    for m, x in GROUPS])],
                        'companies': [('add', [company.id])],
                        'company': company.id,
                        'employees': [('add', [base['cm'].id])],
                        'employee': base['cm'].id,
                        }])
            cls.targets = cls.collect()
            transaction.commit()
        cls.config = pconfig.set_trytond(user='fuzz')

    @classmethod
    def tearDownClass(cls):
        drop_db()

    @classmethod
    def collect(cls):
        """Return [(model, field name, value, record id or None)] of every
        bad value of every stored or settable field of the KIM models"""
        pool = Pool()
        targets = []
        for name, Model in sorted(pool.iterobject()):
            if not issubclass(Model, ModelSQL) or callable(
                    getattr(Model, 'table_query', None)):
                continue
            kim_model = name.startswith('kim.') or '.kim_' in name
            if not kim_model and name != 'party.party':
                continue
            with Transaction().set_context(active_test=False):
                records = Model.search([], limit=1, order=[('id', 'DESC')])
            record_id = records[0].id if records else None
            for fname, field in sorted(Model._fields.items()):
                if not kim_model and not fname.startswith('kim_'):
                    continue
                if fname in {'id', 'create_uid', 'create_date', 'write_uid',
                        'write_date', 'rec_name'}:
                    continue
                if isinstance(field, fields.Function):
                    if not field.setter:
                        continue
                    field = field._field
                for value in bad_values(field):
                    if (negative(value) and field._type in {
                                'integer', 'float', 'numeric'}
                            and is_signed(Model, fname, field)):
                        continue
                    for mode in ['create', 'write']:
                        # relation tables are reached through their parents
                        if mode not in Model.__rpc__:
                            continue
                        if mode == 'write' and record_id is None:
                            continue
                        targets.append((name, fname, value, mode,
                                record_id if mode == 'write' else None))
        return targets

    def count(self, model, record_id=None):
        "The rows of the model and the stored values of the record"
        with Transaction().start(DB_NAME, 0, readonly=True,
                context={'active_test': False}):
            Model = Pool().get(model)
            table = Model.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*table.select(table.id, order_by=[table.id]))
            ids = [i for i, in cursor]
            values = None
            if record_id is not None:
                cursor.execute(*table.select(where=table.id == record_id))
                values = cursor.fetchall()
        return ids, values

    def try_call(self, model, method, *args):
        "Call over RPC; return None or the exception raised"
        proxy = self.config.get_proxy(model)
        try:
            getattr(proxy, method)(*args, self.config.context)
        except Exception as exception:
            return exception

    def check(self, model, field, value, mode, record_id):
        before = self.count(model, record_id)
        if mode == 'create':
            exception = self.try_call(model, 'create', [{field: value}])
        else:
            exception = self.try_call(model, 'write', [record_id],
                {field: value})
        if exception is None:
            return 'accepted'
        if isinstance(exception, (UserError, UserWarning)):
            self.assertEqual(self.count(model, record_id), before,
                "partial write of %s.%s = %r" % (model, field, value))
            return 'refused'
        frames = kim_frames(exception)
        self.assertFalse(frames, "%s from KIM code for %s %s.%s = %r:\n%s"
            % (type(exception).__name__, mode, model, field, value,
                ''.join(traceback.format_list(frames))))
        self.assertEqual(self.count(model, record_id), before)
        return 'core'

    def test_measured(self):
        "The calls the issue measured as tracebacks are refused cleanly"
        with Transaction().start(DB_NAME, 0, readonly=True):
            pool = Pool()
            contact, = pool.get('kim.case.contact').search([], limit=1)
            case, = pool.get('kim.case').search([], limit=1)
            contact_id, case_id = contact.id, case.id
        start = dt.datetime(2026, 3, 1, 10, 0)
        calls = [
            ('kim.case.contact', 'write', [contact_id],
                {'end': '2026-02-30 10:00:00'}),
            ('kim.case.contact', 'create', [{'case': None,
                        'start': start, 'duration': 30}]),
            ('kim.case.contact', 'create', [{'case': -5,
                        'start': start, 'duration': 30}]),
            ('kim.case.plan', 'create', [{}]),
            ('kim.case.plan', 'create', [{'case': -5}]),
            ('kim.committee.decision', 'create', [{}]),
            ('kim.committee.decision', 'create', [{'agenda_item': -5}]),
            ('kim.committee.decision', 'write', [-5], {'text': "x"}),
            ('kim.cooperation_agreement', 'create', [{}]),
            ('kim.case', 'create', [{}]),
            ('kim.case', 'create', [{'kommune': -5}]),
            ('kim.case', 'write', [case_id], {'kommune': 999999}),
            ('kim.committee.meeting', 'create', [{
                        'start': dt.datetime(9999, 12, 31, 23, 59)}]),
            ('kim.committee.meeting', 'create', [{'committee': -5}]),
            ('kim.client.language', 'create', [{'client': -5}]),
            ('party.party', 'create', [{'name': "X",
                        'kim_residence_kommune': -5}]),
            ('kim.case.contact', 'write', [contact_id], {'duration': -30}),
            ('kim.case.contact', 'write', [contact_id],
                {'subject': "NUL\x00"}),
            ]
        for model, method, *args in calls:
            with self.subTest(model=model, method=method, args=args):
                exception = self.try_call(model, method, *args)
                self.assertIsInstance(exception, UserError)
                self.assertFalse(kim_frames(exception) and not isinstance(
                        exception, UserError))

    def test_search_values(self):
        """Every operator with values of every type on every field of the
        KIM models (and of the parties) in the search of the RPC: a result
        or a translated error, never a traceback (trytond 8.0 let the
        database or the conversion of the value fail)"""
        with Transaction().start(DB_NAME, 0) as transaction, \
                transaction.set_user(self.config.user):
            pool = Pool()
            user = pool.get('res.user')(self.config.user)
            outcomes = {}
            with transaction.set_context(
                    company=user.company.id, employee=user.employee.id):
                for name, Model in sorted(pool.iterobject()):
                    if ((not name.startswith('kim.') and name != 'party.party')
                            or 'search' not in getattr(Model, '__rpc__', {})):
                        continue
                    search = Model.__rpc__['search'].decorate(Model.search)
                    for fname, field in sorted(Model._fields.items()):
                        domains = [[(fname, operator, value)]
                            for operator in SEARCH_OPERATORS
                            for value in SEARCH_VALUES]
                        Target = (field.get_target()
                            if hasattr(field, 'get_target') else None)
                        if Target is not None and 'parent' in Target._fields:
                            # a tree through the parent field of the target
                            domains.append(
                                [(fname, 'child_of', [1], 'parent')])
                        for domain in domains:
                            outcomes[name, repr(domain)] = (
                                self.search_outcome(name, search, domain))
        self.assertEqual(set(outcomes.values()), {'result', 'refused'})
        # trytond walks a Many2Many tree to its own model in Python (a
        # cycle of committees that send decisions to each other recursed)
        self.assertEqual(outcomes['kim.committee', repr(
                    [('decision_committees', 'child_of', [1], 'parent')])],
            'refused')

    def search_outcome(self, name, search, domain):
        "Search domain in a savepoint: 'result' or 'refused', else fail"
        cursor = Transaction().connection.cursor()
        cursor.execute('SAVEPOINT search_value')
        try:
            with warnings.catch_warnings():
                # trytond 8.0 still compares a text with the record names
                warnings.filterwarnings('ignore', 'Missing target field')
                search(domain, 0, 1, None)
            return 'result'
        except UserError:
            return 'refused'
        except Exception as exception:
            self.fail('%s.search(%r): %s: %s' % (
                    name, domain, type(exception).__name__, exception))
        finally:
            cursor.execute('ROLLBACK TO SAVEPOINT search_value')

    def test_fuzz(self):
        "Bad values over the KIM fields: refused cleanly, nothing partial"
        rng = random.Random(SEED)
        targets = list(self.targets)
        rng.shuffle(targets)
        sample = targets[:CALLS]
        self.assertGreaterEqual(len(sample), 1000)
        results = {}
        for model, field, value, mode, record_id in sample:
            with self.subTest(model=model, field=field, value=value,
                    mode=mode):
                outcome = self.check(model, field, value, mode, record_id)
                results.setdefault(outcome, []).append(
                    (model, field, value, mode))
        # a bad value that is accepted is a hole in the input rules; an
        # error of the framework instead of a translated message too
        self.assertFalse(results.get('accepted'), results.get('accepted'))
        self.assertFalse(results.get('core'), results.get('core'))
