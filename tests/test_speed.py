# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""The replacements of kim_network/speed.py give what trytond's own
functions give (cursor_dict, the selection of a read's ``:string``) and the
set-based record names of clients and cases what the per-record getters
gave."""
import inspect
import unittest

from trytond.tests.test_tryton import activate_module, with_transaction


class _Description:
    def __init__(self, name):
        self.name = name

    def __getitem__(self, index):
        return [self.name][index]


class _Cursor:
    "A DB-API cursor of a few rows that counts the reads of description"
    arraysize = 2

    def __init__(self, names, rows):
        self._names = names
        self._rows = list(rows)
        self.description_reads = 0

    @property
    def description(self):
        self.description_reads += 1
        return [_Description(n) for n in self._names]

    def fetchmany(self, size):
        rows, self._rows = self._rows[:size], self._rows[size:]
        return rows


class CursorDictTestCase(unittest.TestCase):

    def test_same_rows(self):
        from trytond.modules.kim_network import speed
        rows = [(1, 'a'), (2, 'b'), (3, None), (4, 'd'), (5, 'e')]
        cursor = _Cursor(['id', 'name'], rows)
        result = list(speed.cursor_dict(cursor))
        self.assertEqual(result,
            [{'id': i, 'name': n} for i, n in rows])
        # once per batch at most, not once per row
        self.assertLessEqual(cursor.description_reads, 3)

    def test_empty(self):
        from trytond.modules.kim_network import speed
        self.assertEqual(list(speed.cursor_dict(_Cursor(['id'], []))), [])

    def test_installed(self):
        import trytond.model.modelsql
        import trytond.tools
        # by name: the test runner may load kim_network's module twice
        # (by package and by path), the patch comes from one of them
        for module in [trytond.tools, trytond.model.modelsql]:
            function = module.cursor_dict
            self.assertTrue(
                function.__module__.endswith('kim_network.speed'),
                function.__module__)


class JSONEncoderTestCase(unittest.TestCase):

    def test_same_text_in_one_piece(self):
        "The JSON-RPC encoder gives trytond's text, in one piece"
        import datetime as dt
        from decimal import Decimal

        import trytond.protocols.jsonrpc as jsonrpc
        from trytond.modules.kim_network import speed  # noqa: F401
        from trytond.protocols.jsonrpc import JSONEncoder
        data = {'id': 3, 'result': [{
                    'date': dt.date(2026, 1, 31),
                    'start': dt.datetime(2026, 1, 31, 9, 30, 0, 5),
                    'time': dt.time(23, 59), 'delta': dt.timedelta(hours=2),
                    'amount': Decimal('22500.00'), 'scan': b'%PDF\x00',
                    'name': 'Ağa "Şahin"\n\u0627', 'hours': 1.25,
                    'ids': [1, None, True, False],
                    }] * 50}
        expected = ''.join(JSONEncoder(separators=(',', ':')).iterencode(
                data))
        pieces = list(jsonrpc.encoder.iterencode(data))
        self.assertEqual(pieces, [expected])
        self.assertEqual(jsonrpc.dumps({'id': 1}), '{"id":1}')
        with self.assertRaises(OverflowError):
            jsonrpc.dumps(data)

    def test_installed(self):
        import trytond.modules.kim_network  # noqa: F401 (applies speed)
        import trytond.protocols.jsonrpc as jsonrpc
        self.assertTrue(type(jsonrpc.encoder).__module__.endswith(
                'kim_network.speed'))


class RecordNameTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        activate_module('kim_case')

    @with_transaction()
    def test_rpc_search_ids_only(self):
        """The JSON-RPC search gives the ids of trytond's search, in its
        order, and selects no other column"""
        from trytond.modules.kim_network import speed
        from trytond.pool import Pool
        Party = Pool().get('party.party')
        Party.create([{'name': n} for n in ['Celik', 'Abadi', 'Bauer']])
        rpc = Party.__rpc__['search']
        search = rpc.decorate(Party.search)
        self.assertEqual(inspect.unwrap(search), Party.search)
        for order in [[('name', 'ASC')], [('name', 'DESC')], None]:
            for domain, offset, limit in [([], 0, 2), ([], 1, None),
                    ([('name', 'like', '%a%')], 0, 1000)]:
                self.assertEqual(
                    rpc.result(search(domain, offset, limit, order)),
                    rpc.result(Party.search(domain, offset, limit, order)))
        # trytond's own search: its query, the ids without records
        self.assertTrue(all(type(i) is int for i in search([], 0, 2)))
        # a search that a module overrides runs as it is
        Log = Pool().get('kim.access_log')
        log_search = Log.__rpc__['search'].decorate(Log.search)
        self.assertEqual(log_search([], 0, 10), Log.search([], 0, 10))
        # the other calls are left as they are
        self.assertEqual(rpc.decorate(Party.read), Party.read)
        tables = {None: (Party.__table__(), None)}

        def columns():
            return Party._ModelSQL__searched_columns(tables, eager=True)
        self.assertGreater(len(columns()), 5)
        self.assertEqual([c.output_name for c in speed._ids_only(columns)()],
            ['id'])
        # the flag ends with the call
        self.assertGreater(len(columns()), 5)

    @with_transaction()
    def test_selection_string(self):
        "state:string of a read is the translated selection"
        from trytond.model.fields import Selection
        from trytond.pool import Pool
        Party = Pool().get('party.party')
        expected = dict(Party.fields_get(['kim_gender'])['kim_gender'][
                'selection'])
        for _ in range(2):
            self.assertEqual(
                Selection.get_selection(Party, 'kim_gender', None),
                expected)

    @with_transaction()
    def test_party_and_case_names(self):
        from trytond.pool import Pool
        from trytond.modules.company.tests import (
            create_company, create_employee)
        from trytond.transaction import Transaction
        pool = Pool()
        Party = pool.get('party.party')
        Case = pool.get('kim.case')
        Kommune = pool.get('kim.kommune')
        company = create_company()
        named, = Party.create([{'name': "Amina Beispiel",
                        'kim_client': True}])
        self.assertEqual(named.rec_name, "Amina Beispiel")
        coded, = Party.create([{'name': None}])
        self.assertEqual(coded.rec_name, '[%s]' % coded.code)
        kommune, = Kommune.create([{'name': "Musterstadt",
                        'ags': '05999001'}])
        with Transaction().set_context(company=company.id):
            case, = Case.create([{'client': named.id,
                            'company': company.id,
                            'kommune': kommune.id}])
        self.assertEqual(case.rec_name,
            '(%s) - Amina Beispiel' % case.id
            if not case.number else '%s - Amina Beispiel' % case.number)
        employee = create_employee(company, "Fallmanagerin Eva")
        self.assertEqual(employee.rec_name, "Fallmanagerin Eva")
        rows = Case.read([case.id], ['rec_name', 'client.rec_name'])
        self.assertEqual(rows[0]['rec_name'], case.rec_name)
        self.assertEqual(rows[0]['client.']['rec_name'], "Amina Beispiel")
        # a revision of the history reads its own values
        with Transaction().set_context(_datetime=case.create_date):
            self.assertEqual(Case(case.id).rec_name, case.rec_name)


class SessionCheckTestCase(unittest.TestCase):
    "ir.session.check in one query answers as trytond's check"

    @classmethod
    def setUpClass(cls):
        activate_module('kim_network')

    @with_transaction()
    def test_same_answers(self):
        import datetime as dt

        from trytond.ir.session import Session as CoreSession
        from trytond.pool import Pool
        from trytond.transaction import Transaction
        pool = Pool()
        Session = pool.get('ir.session')
        User = pool.get('res.user')
        self.assertIsNot(Session.check.__func__, CoreSession.check.__func__)
        user, other = User.create([{'login': 'eva'}, {'login': 'ali'}])
        table = Session.__table__()
        cursor = Transaction().connection.cursor()

        def new(user, ip=None, age=None):
            request = {'remote_addr': ip} if ip else {}
            with Transaction().set_user(user.id), \
                    Transaction().set_context(_request=request):
                key = Session.new()
            if age:
                cursor.execute(*table.update([table.create_date],
                        [dt.datetime.now() - age],
                        where=table.key == key))
            return key
        max_age = dt.timedelta(days=31)
        valid = new(user)
        expired = new(user, age=max_age)
        elsewhere = new(user, ip='10.1.2.3')
        others = new(other)

        def answers(check):
            result = []
            for ip in [None, '10.1.2.3', '10.9.9.9']:
                request = {'remote_addr': ip} if ip else {}
                with Transaction().set_context(_request=request):
                    for key in [valid, elsewhere, others, 'x' * 64]:
                        result.append(check(user.id, key))
            return result
        core = answers(lambda u, k: CoreSession.check.__func__(
                Session, u, k))
        # the expired session is gone, its key answers "expired" once
        self.assertFalse(Session.search([('key', '=', expired)]))
        expired = new(user, age=max_age)
        with Transaction().set_context(_request={}):
            self.assertIs(Session.check(user.id, expired), False)
        self.assertFalse(Session.search([('key', '=', expired)]))
        self.assertEqual(answers(Session.check), core)
        self.assertEqual(core[:3], [True, None, None])
        self.assertEqual(core[4:7], [None, True, None])
        self.assertEqual(core[8:11], [None, None, None])
        # the reset cache holds the session's last change
        self.assertIsNotNone(Session._session_reset_cache.get(valid))
        # a deleted session (logout) is refused at once
        Session.remove(valid)
        with Transaction().set_context(_request={}):
            self.assertIsNone(Session.check(user.id, valid))
