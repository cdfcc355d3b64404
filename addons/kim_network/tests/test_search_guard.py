# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""The search criteria of the RPC calls: malformed domains and orders are
refused with a translated error, valid ones run as before"""
import datetime as dt
import unittest
import warnings

from trytond.model.exceptions import DomainValidationError
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction

from .tools import as_user, create_user


class SearchGuardTestCase(unittest.TestCase):
    "The RPC's search calls refuse what is not a domain or an order"

    @classmethod
    def setUpClass(cls):
        activate_module('kim_network')

    def rpc(self, Model, method):
        "The method as the dispatcher runs it"
        return Model.__rpc__[method].decorate(getattr(Model, method))

    @with_transaction()
    def test_refused(self):
        pool = Pool()
        Party = pool.get('party.party')
        Party.create([{'name': "Organisation A"}])
        user = create_user('guard', [('kim_network', 'group_kim_user')])
        bad_domains = [
            'abc', 5, {'a': 1}, [['name']], [['name', '=']],
            [['nofield', '=', 1]], [['name', 'is', 'x']],
            [['name', 'like']], ['AND', 'name'],
            [['addresses.nofield', '=', 1]],
            [['name.x', '=', 1]],
            [['addresses', 'where', 'x']],
            [['addresses', 'where', [['nofield', '=', 1]]]],
            [['', '=', 1]], [[5, '=', 1]],
            [['name', 'child_of', [1]]], [['name', '=', 'x', 'y']],
            [['addresses', 'child_of', [1], 'nosuchfield']],
            [['addresses.party', 'child_of', [1], 'addresses']],
            [['name', '=', 'x', 'y', 'z']],
            None,
            # values the field cannot hold
            [['id', '=', 'abc']], [['create_date', '>', 'xyz']],
            [['name', 'ilike', 5]], [['id', 'in', 5]], [['id', 'in', ['a']]],
            [['create_date', '=', {'a': 1}]], [['name', 'in', 'abc']],
            [['id', '=', [1]]],
            # values of the field's type, by type
            [['id', '=', True]], [['create_date', 'like', '2020%']],
            [['active', '=', 'abc']], [['active', '=', [1]]],
            [['active', 'like', 'x']], [['active', 'in', True]],
            [['create_uid', '=', False]], [['create_uid', '=', 1.5]],
            [['create_uid', 'in', ['x']]], [['create_uid', '=', [1]]],
            [['create_uid', 'like', 5]], [['addresses', '=', True]],
            [['name', '=', {'a': 1}]],
            # what the databases refuse
            [['name', 'like', 'x\\']], [['name', '=', 'a\x00']],
            [['name', 'in', ['a', 'b\x00']]], [['id', '=', '9' * 30]],
            [['id', 'in', [2 ** 63]]],
            # trees: a relation of the model to itself or its parent field
            [['addresses', 'child_of', [1]]], [['create_uid', 'child_of', 1]],
            [['categories', 'child_of', ['x'], 'parent']],
            [['categories', 'child_of', [1], 'name']],
            [['categories.parent', 'child_of', [1], 'parent']],
            # a field without a searcher
            [['email', '=', 'x']], [['email.x', '=', 'x']],
            ]
        nested = [['name', '=', 'x']]
        for _ in range(60):
            nested = ['OR', nested]
        bad_domains.append(nested)
        bad_orders = ['name', [['name']], [['nofield', 'ASC']],
            [['addresses.city', 'ASC']], [['addresses', 'ASC']],
            [['name', 'UP']], [['name', 5]], [[5, 'ASC']], 7]
        with as_user(user):
            # the messages name what is wrong
            for domain, text in [
                    ([['email', '=', 'x']], 'cannot be searched'),
                    ([['nofield', '=', 1]], 'does not have'),
                    ([['name', 'is', 'x']], 'is not an operator'),
                    ([['id', '=', 'abc']], 'are not valid'),
                    ]:
                with self.subTest(domain=domain), \
                        self.assertRaises(DomainValidationError) as cm:
                    self.rpc(Party, 'search')(domain, 0, 10, None)
                self.assertIn(text, cm.exception.message)
            for domain in bad_domains:
                for method, args in [
                        ('search', (domain, 0, 10, None)),
                        ('search_count', (domain,)),
                        ('search_read', (domain, 0, 10, None, ['name'])),
                        ('export_data_domain', (domain, ['name'])),
                        ('autocomplete', ('A', domain, 10, None)),
                        ]:
                    if domain is None and method == 'autocomplete':
                        continue  # no domain: the default
                    with self.subTest(method=method, domain=domain):
                        with self.assertRaises(DomainValidationError):
                            self.rpc(Party, method)(*args)
            for order in bad_orders:
                for method, args in [
                        ('search', ([], 0, 10, order)),
                        ('search_read', ([], 0, 10, order, ['name'])),
                        ('export_data_domain', ([], ['name'], 0, 10,
                                order)),
                        ]:
                    with self.subTest(method=method, order=order):
                        with self.assertRaises(DomainValidationError):
                            self.rpc(Party, method)(*args)

    @with_transaction()
    def test_valid(self):
        pool = Pool()
        Party = pool.get('party.party')
        Address = pool.get('party.address')
        Category = pool.get('party.category')
        parent, = Category.create([{'name': "Träger",
                        'childs': [('create', [{'name': "Caritas"}])]}])
        a, b = Party.create([{'name': "Organisation A",
                        'categories': [('add', [parent.childs[0].id])]},
                    {'name': "Beratung B"}])
        Address.create([{'party': a.id, 'city': "Musterstadt"}])
        search = self.rpc(Party, 'search')
        for domain, expected in [
                ([], {a.id, b.id}),
                ([('name', '=', "Organisation A")], {a.id}),
                (('name', 'ilike', '%b%'), {b.id}),
                (['OR', [('name', 'like', 'O%')], ('name', 'like', 'B%')],
                    {a.id, b.id}),
                ([('addresses.city', '=', "Musterstadt")], {a.id}),
                ([('addresses', 'where', [('city', '=', "Musterstadt")])],
                    {a.id}),
                ([('rec_name', 'ilike', '%A')], {a.id}),
                ([('id', 'in', [a.id, 0])], {a.id}),
                ([('name', '=', None)], set()),
                ([('create_date', '>', dt.datetime(2000, 1, 1)), (
                            'id', '=', str(b.id))], {b.id}),
                ([('create_uid.login', '=', 'admin'), ('id', 'in', [a.id])],
                    {a.id}),
                ([('active', '=', True), ('active', 'in', [True, 1])],
                    {a.id, b.id}),
                ([('create_uid', '=', 'Administrator')], {a.id, b.id}),
                ([('create_uid', 'in', [0, None])], set()),
                ([('addresses', '!=', None)], {a.id}),
                ([('categories', 'child_of', [parent.id], 'parent')], {a.id}),
                ([('categories', 'child_of', "Träger", 'parent')], {a.id}),
                ([('categories.name', 'in', ["Caritas"])], {a.id}),
                ([('name', 'like', 'x\\\\')], set()),
                ([('id', '=', str(a.id))], {a.id}),
                ]:
            with self.subTest(domain=domain), warnings.catch_warnings():
                # trytond 8.0 still compares a text with the record names
                warnings.filterwarnings('ignore', 'Missing target field')
                self.assertEqual(set(map(int, search(domain, 0, None, None))),
                    expected)
        for order in [None, [], [('name', 'ASC')], [('name', 'DESC')],
                [('name', None)], [('name', 'asc nulls last')],
                [('create_uid.login', 'ASC'), ('id', 'DESC')]]:
            with self.subTest(order=order):
                self.assertEqual(
                    list(map(int, search([], 0, None, order))),
                    list(map(int, Party.search([], 0, None, order))))
        self.assertEqual(
            list(map(int, search([], 0, None, False))),
            list(map(int, Party.search([], 0, None, None))))
        self.assertEqual(self.rpc(Party, 'search_count')([]), 2)
        self.assertEqual(
            [r['id'] for r in self.rpc(Party, 'autocomplete')(
                    'Organisation', None, 10, None)], [a.id])
        # a path through a Reference names its model
        Attachment = pool.get('ir.attachment')
        attachments = self.rpc(Attachment, 'search')
        self.assertEqual(attachments(
                [('resource.rec_name', 'ilike', 'x', 'party.party')],
                0, None, None), [])
        with self.assertRaises(DomainValidationError):
            attachments([('resource.rec_name', 'ilike', 'x')], 0, None,
                None)
        self.assertEqual(
            [r['id'] for r in self.rpc(Party, 'autocomplete')(
                    'Organisation', [], 10, None)], [a.id])
        # the check is installed once and wraps the search of speed, which
        # still returns the ids of trytond's query
        from trytond.modules.kim_network import search_guard
        from trytond.rpc import RPC
        search_guard.apply()
        self.assertTrue(RPC._kim_search_guard)
        self.assertTrue(
            all(type(i) is int for i in search([], 0, None, None)))
